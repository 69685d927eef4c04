/*
 * `ocoptrace qr`: one GS1 Digital Link code, one code of free text, or a
 * batch of codes (one per line of a file) written on every core.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH_FILE_MAX  (256u << 20) /* bytes of input read for --batch */
#define BATCH_LINES_MAX 999999       /* the six digits of DIR/NNNNNN.png */
#define THREADS_MAX     HOST_CORES_MAX
/* The print guidance of DOMAIN: at 300 dpi a module should be 0.4 mm. */
#define MODULE_MM_MIN 0.4

static const char qr_usage[] =
    "usage: ocoptrace qr --gtin GTIN [--lot LOT] [--serial SERIAL] [--expiry YYYY-MM-DD]\n"
    "                    [--base-url URL] [--format png|svg] [--ec L|M|Q|H]\n"
    "                    [--module-px N] [--dpi N] -o FILE\n"
    "   or: ocoptrace qr --text TEXT [--format png|svg] [--ec ...] -o FILE\n"
    "   or: ocoptrace qr --batch FILE --out-dir DIR [--format png|svg] [--ec ...]\n"
    "\n"
    "Writes a QR code with a 4-module quiet zone. With --gtin the code holds a GS1\n"
    "Digital Link URI: BASE/01/{gtin14}[/10/{lot}][/21/{serial}][?17=YYMMDD].\n"
    "\n"
    "  --gtin GTIN        GTIN-8, -12, -13 or -14 with its check digit\n"
    "  --lot LOT          batch/lot (AI 10): 1-20 characters of GS1 set 82\n"
    "  --serial SERIAL    serial number (AI 21): 1-20 characters of GS1 set 82\n"
    "  --expiry DATE      expiry date (AI 17) as YYYY-MM-DD\n"
    "  --base-url URL     resolver (default " OCL_DEFAULT_BASE_URL ")\n"
    "  --text TEXT        any UTF-8 text, encoded byte for byte\n"
    "  --batch FILE       one code per non-empty line of FILE, as text\n"
    "  --out-dir DIR      where --batch writes 000001.png, 000002.png, ...\n"
    "  --format FMT       png (default, or from the -o name) or svg\n"
    "  --ec LEVEL         error correction L, M (default), Q or H\n"
    "  --module-px N      pixels per module, 1-100 (default 5)\n"
    "  --dpi N            resolution recorded in the file, 1-9600 (default 300)\n"
    "  -o FILE            output file, '-' for standard output\n";

typedef enum { FORMAT_PNG, FORMAT_SVG } image_format;

typedef struct {
    ocl_ec_level ec;
    image_format format;
    ocl_image_options image;
} render_options;

/* Renders one code into buffer (emptied first). */
static ocl_result render(const char *data, size_t len, const render_options *options,
                         ocl_buffer *buffer)
{
    ocl_qr qr;
    buffer->len = 0;
    ocl_result rc = ocl_qr_encode((const unsigned char *)data, len, options->ec, &qr);
    if (rc != OCL_OK)
        return rc;
    if (options->format == FORMAT_SVG)
        rc = ocl_svg_write_buffer(&qr, &options->image, buffer);
    else
        rc = ocl_png_write_buffer(&qr, &options->image, buffer);
    ocl_qr_free(&qr);
    return rc;
}

static const char *format_extension(image_format format)
{
    return format == FORMAT_SVG ? "svg" : "png";
}

static int ends_with(const char *text, const char *suffix)
{
    size_t a = strlen(text), b = strlen(suffix);
    return a >= b && strcasecmp(text + a - b, suffix) == 0;
}

static void warn_module_size(const render_options *options)
{
    double mm = options->image.module_px * 25.4 / options->image.dpi;
    if (mm < MODULE_MM_MIN)
        fprintf(stderr,
                PROGRAM ": warning: a module is %.2f mm at %d dpi; printed codes need %.1f mm "
                        "or more (raise --module-px)\n",
                mm, options->image.dpi, MODULE_MM_MIN);
}

static const char *ec_name(ocl_ec_level level)
{
    return &"L\0M\0Q\0H"[2 * (int)level];
}

static void too_long(const char *field, const render_options *options, ocl_problems *problems)
{
    ocl_problem_add(problems, field, "too long for a QR code at error correction level %s",
                    ec_name(options->ec));
}

/* ---------- batch ---------- */

typedef struct {
    char *text;
    size_t len;
    size_t line; /* 1-based line number in the file, for messages */
} batch_item;

typedef struct {
    const render_options *options;
    const char *dir;
    batch_item *items;
    size_t count;
    unsigned char *written;
    atomic_size_t next;
    atomic_int stop;
    pthread_mutex_t lock;
    ocl_problems *problems;
    char failure[PATH_MAX + 128]; /* the first failure that is not the input's fault */
} batch_job;

static void batch_file_name(const batch_job *job, size_t index, char *out, size_t size)
{
    snprintf(out, size, "%s/%06zu.%s", job->dir, index + 1, format_extension(job->options->format));
}

/* One open, one write, one close for a new file. A file already there
 * (the batch run again into the same folder) is written over in place and
 * then cut to length, rather than truncated first: freeing its blocks only
 * to take them again costs, where the file system discards freed blocks, a
 * wait for the disk per file. */
static int write_file(const char *path, const ocl_buffer *buffer)
{
    int existed = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) {
        existed = 1;
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    }
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < buffer->len) {
        ssize_t n = write(fd, buffer->data + done, buffer->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        done += (size_t)n;
    }
    if (existed && ftruncate(fd, (off_t)buffer->len) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

static void batch_fail(batch_job *job, size_t index, ocl_result rc, const char *path, int err)
{
    pthread_mutex_lock(&job->lock);
    if (rc == OCL_ERANGE) {
        char field[32];
        snprintf(field, sizeof(field), "line %zu", job->items[index].line);
        too_long(field, job->options, job->problems);
    } else if (!job->failure[0]) {
        if (rc == OCL_EIO)
            snprintf(job->failure, sizeof(job->failure), "cannot write '%s': %s", path,
                     strerror(err));
        else
            snprintf(job->failure, sizeof(job->failure), "cannot render line %zu: %s",
                     job->items[index].line, ocl_strerror(rc));
        atomic_store(&job->stop, 1);
    }
    pthread_mutex_unlock(&job->lock);
}

static void *batch_worker(void *arg)
{
    batch_job *job = arg;
    ocl_buffer buffer = {0};
    char path[PATH_MAX];
    while (!atomic_load(&job->stop)) {
        size_t index = atomic_fetch_add(&job->next, 1);
        if (index >= job->count)
            break;
        batch_item *item = &job->items[index];
        batch_file_name(job, index, path, sizeof(path));
        ocl_result rc = render(item->text, item->len, job->options, &buffer);
        int err = 0;
        if (rc == OCL_OK && write_file(path, &buffer) != 0)
            rc = OCL_EIO, err = errno;
        if (rc == OCL_OK || rc == OCL_EIO)
            job->written[index] = 1;
        if (rc != OCL_OK)
            batch_fail(job, index, rc, path, err);
    }
    ocl_buffer_free(&buffer);
    return NULL;
}

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *file = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!file)
        return -1;
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t n = fread(buf + used, 1, cap - used, file);
        used += n;
        if (n == 0)
            break;
        if (used == cap) {
            if (cap >= BATCH_FILE_MAX) {
                errno = EFBIG;
                free(buf);
                buf = NULL;
                break;
            }
            char *grown = realloc(buf, cap * 2 + 1);
            if (!grown)
                free(buf);
            buf = grown;
            cap *= 2;
        }
    }
    int failed = !buf || ferror(file);
    int saved = errno;
    if (file != stdin)
        fclose(file);
    if (failed) {
        free(buf);
        errno = saved ? saved : EIO;
        return -1;
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return 0;
}

/* Splits the file into non-empty lines (CR LF accepted) and checks each is
 * UTF-8 without NUL bytes. */
static size_t batch_split(char *data, size_t len, batch_item **items_out, ocl_problems *problems)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    batch_item *items = calloc(lines, sizeof(*items));
    if (!items)
        return (size_t)-1;
    size_t count = 0, line = 0;
    for (size_t start = 0; start <= len;) {
        size_t end = start;
        while (end < len && data[end] != '\n')
            end++;
        line++;
        size_t n = end - start;
        if (n && data[start + n - 1] == '\r')
            n--;
        char field[32];
        snprintf(field, sizeof(field), "line %zu", line);
        size_t bad = ocl_utf8_invalid_at((unsigned char *)data + start, n);
        if (n && memchr(data + start, '\0', n))
            ocl_problem_add(problems, field, "contains a NUL byte");
        else if (n && bad != (size_t)-1)
            ocl_problem_add(problems, field, "not valid UTF-8 at byte %zu", bad + 1);
        else if (n)
            items[count++] = (batch_item){data + start, n, line};
        data[start + n] = '\0';
        start = end + 1;
    }
    *items_out = items;
    return count;
}

static int make_dirs(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int batch_run(batch_job *job)
{
    pthread_t threads[THREADS_MAX];
    int wanted = host_cores();
    if ((size_t)wanted > job->count)
        wanted = (int)job->count;
    int started = 0;
    for (; started < wanted; started++)
        if (pthread_create(&threads[started], NULL, batch_worker, job) != 0)
            break;
    if (started == 0)
        batch_worker(job);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return job->failure[0] || job->problems->count ? -1 : 0;
}

static int qr_batch(const char *file, const char *dir, const render_options *options)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    char *data = NULL;
    size_t len = 0;
    if (read_file(file, &data, &len) != 0) {
        cli_error("cannot read '%s': %s", file, strerror(errno));
        return EXIT_FAILED;
    }
    batch_item *items = NULL;
    size_t count = batch_split(data, len, &items, &problems);
    int status = EXIT_OK;
    if (count == (size_t)-1) {
        cli_error("out of memory");
        status = EXIT_FAILED;
    } else if (problems.count) {
        status = cli_report(&problems);
    } else if (count == 0 || count > BATCH_LINES_MAX) {
        ocl_problem_add(&problems, "batch", "must have 1 to %d non-empty lines, found %zu",
                        BATCH_LINES_MAX, count);
        status = cli_report(&problems);
    } else if (make_dirs(dir) != 0) {
        cli_error("cannot create '%s': %s", dir, strerror(errno));
        status = EXIT_FAILED;
    }
    if (status == EXIT_OK) {
        batch_job job = {
            .options = options, .dir = dir, .items = items, .count = count, .problems = &problems};
        job.written = calloc(count, 1);
        pthread_mutex_init(&job.lock, NULL);
        if (!job.written) {
            cli_error("out of memory");
            status = EXIT_FAILED;
        } else if (batch_run(&job) != 0) {
            /* All or nothing: remove what this run wrote. */
            char path[PATH_MAX];
            for (size_t i = 0; i < count; i++) {
                if (!job.written[i])
                    continue;
                batch_file_name(&job, i, path, sizeof(path));
                unlink(path);
            }
            if (job.failure[0]) {
                cli_error("%s", job.failure);
                status = EXIT_FAILED;
            } else {
                status = cli_report(&problems);
            }
        }
        pthread_mutex_destroy(&job.lock);
        free(job.written);
    }
    free(items);
    free(data);
    return status;
}

/* ---------- one code ---------- */

typedef struct {
    const char *gtin, *lot, *serial, *expiry, *base_url, *text, *batch, *out_dir;
    const char *format, *ec, *module_px, *dpi, *output;
} qr_args;

static void check_render_options(const qr_args *args, render_options *options,
                                 ocl_problems *problems)
{
    options->ec = OCL_EC_M;
    options->format = FORMAT_PNG;
    options->image = (ocl_image_options){.module_px = 5, .dpi = 300};
    if (args->ec && ocl_ec_parse(args->ec, &options->ec) != OCL_OK)
        ocl_problem_add(problems, "ec", "must be L, M, Q or H");
    if (args->format) {
        if (strcasecmp(args->format, "svg") == 0)
            options->format = FORMAT_SVG;
        else if (strcasecmp(args->format, "png") != 0)
            ocl_problem_add(problems, "format", "must be png or svg");
    } else if (args->output && ends_with(args->output, ".svg")) {
        options->format = FORMAT_SVG;
    }
    if (args->module_px)
        cli_parse_int(args->module_px, "module-px", 1, 100, &options->image.module_px, problems);
    if (args->dpi)
        cli_parse_int(args->dpi, "dpi", 1, 9600, &options->image.dpi, problems);
}

/* Exactly one source of data, and the options that go with it. */
static void check_source(const qr_args *args, ocl_problems *problems)
{
    int sources = !!args->gtin + !!args->text + !!args->batch;
    if (sources != 1)
        ocl_problem_add(problems, "qr", "give exactly one of --gtin, --text or --batch");
    const struct {
        const char *value, *field;
    } gtin_only[] = {{args->lot, "lot"},
                     {args->serial, "serial"},
                     {args->expiry, "expiry"},
                     {args->base_url, "base-url"}};
    for (size_t i = 0; i < sizeof(gtin_only) / sizeof(gtin_only[0]); i++)
        if (gtin_only[i].value && !args->gtin)
            ocl_problem_add(problems, gtin_only[i].field, "only goes with --gtin");
    if (args->batch) {
        if (!args->out_dir)
            ocl_problem_add(problems, "out-dir", "required with --batch");
        if (args->output)
            ocl_problem_add(problems, "output", "not used with --batch (give --out-dir)");
    } else if (sources == 1) {
        if (!args->output)
            ocl_problem_add(problems, "output", "required: -o FILE, or -o - for standard output");
        if (args->out_dir)
            ocl_problem_add(problems, "out-dir", "only goes with --batch");
    }
}

/* Builds the Digital Link URI of --gtin and its qualifiers, reporting
 * every field that breaks a rule. */
static void build_link(const qr_args *args, char *uri, size_t size, ocl_problems *problems)
{
    ocl_link link = {0};
    size_t before = problems->count;
    char base[OCL_BASE_URL_MAX];
    ocl_gtin_normalise(args->gtin, "gtin", link.gtin, problems);
    const struct {
        const char *value, *field;
        char *dest;
    } values[] = {{args->lot, "lot", link.lot}, {args->serial, "serial", link.serial}};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        if (values[i].value &&
            ocl_ai_value_check(values[i].value, values[i].field, problems) == OCL_OK)
            snprintf(values[i].dest, OCL_AI_VALUE_MAX + 1, "%s", values[i].value);
    }
    ocl_date expiry;
    if (args->expiry && ocl_date_parse_iso(args->expiry, "expiry", 1, &expiry, problems) == OCL_OK)
        ocl_date_format_yymmdd(&expiry, link.date[OCL_DATE_EXPIRY]);
    ocl_base_url_check(args->base_url ? args->base_url : OCL_DEFAULT_BASE_URL, base, problems);
    if (problems->count == before)
        ocl_link_build(base, &link, uri, size, problems);
}

int cmd_qr(int argc, char **argv)
{
    qr_args args = {0};
    const cli_option options[] = {
        {"gtin", 0, &args.gtin, NULL},           {"lot", 0, &args.lot, NULL},
        {"serial", 0, &args.serial, NULL},       {"expiry", 0, &args.expiry, NULL},
        {"base-url", 0, &args.base_url, NULL},   {"text", 0, &args.text, NULL},
        {"batch", 0, &args.batch, NULL},         {"out-dir", 0, &args.out_dir, NULL},
        {"format", 0, &args.format, NULL},       {"ec", 0, &args.ec, NULL},
        {"module-px", 0, &args.module_px, NULL}, {"dpi", 0, &args.dpi, NULL},
        {"output", 'o', &args.output, NULL},
    };
    int first =
        cli_parse_options(argc, argv, options, sizeof(options) / sizeof(options[0]), qr_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (first < argc)
        ocl_problem_add(&problems, "qr", "unexpected argument '%s'", argv[first]);
    render_options render_opts;
    check_render_options(&args, &render_opts, &problems);
    check_source(&args, &problems);

    char uri[OCL_URI_MAX + 1] = "";
    const char *data = args.text;
    if (args.gtin) {
        build_link(&args, uri, sizeof(uri), &problems);
        data = uri;
    } else if (args.text) {
        size_t bad = ocl_utf8_invalid_at((const unsigned char *)args.text, strlen(args.text));
        if (!args.text[0])
            ocl_problem_add(&problems, "text", "must not be empty");
        else if (bad != (size_t)-1)
            ocl_problem_add(&problems, "text", "not valid UTF-8 at byte %zu", bad + 1);
    }
    if (problems.count)
        return cli_report(&problems);
    warn_module_size(&render_opts);
    if (args.batch)
        return qr_batch(args.batch, args.out_dir, &render_opts);

    ocl_buffer buffer = {0};
    ocl_result rc = render(data, strlen(data), &render_opts, &buffer);
    int status = EXIT_OK;
    if (rc == OCL_ERANGE) {
        too_long(args.text ? "text" : "gtin", &render_opts, &problems);
        status = cli_report(&problems);
    } else if (rc != OCL_OK) {
        cli_error("cannot render the code: %s", ocl_strerror(rc));
        status = EXIT_FAILED;
    } else if (cli_write_output(args.output, buffer.data, buffer.len) != 0) {
        status = EXIT_FAILED;
    }
    ocl_buffer_free(&buffer);
    return status;
}
