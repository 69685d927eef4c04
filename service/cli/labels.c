/*
 * `ocoptrace labels`: a producer's label sheets. Reads the job file, checks
 * it against the labelling law and the OCOP rules, draws one label per unit
 * with a fresh serial, and writes the PDF and, if asked, the serials.
 */
#include "cli.h"
#include "job.h"
#include "runs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* Labels per PDF: libharu holds a whole document in memory until it is
 * saved, so longer runs are written as numbered parts. */
#define PART_LABELS 25000
#define FONT_FILE   "NotoSans-Regular.ttf"

static const char labels_usage[] =
    "usage: ocoptrace labels --job JOB.json --sheet NAME [--base-url URL] [--draft]\n"
    "                        [--no-ocop-mark] -o OUT.pdf [--serials OUT.csv]\n"
    "                        [--format pdf|zpl|tspl [--dpi 203|300]] [--symbol qr|datamatrix]\n"
    "                        [--layout FILE] [--logo FILE.png]\n"
    "   or: ocoptrace labels --list-sheets\n"
    "\n"
    "Draws one label per unit of the lot, each with its own serial in a GS1 Digital\n"
    "Link QR code and the contents Decree 43/2017 requires for the product group.\n"
    "\n"
    "  --job FILE        the job: producer, product and lot (JSON)\n"
    "  --sheet NAME      the label stock; see --list-sheets\n"
    "  --base-url URL    resolver (default " OCL_DEFAULT_BASE_URL ")\n"
    "  --draft           watermark \"BẢN NHÁP\"; compliance gaps are warnings\n"
    "  --no-ocop-mark    leave the OCOP star mark off\n"
    "  -o FILE           the PDF ('-' for standard output); runs of more than\n"
    "                    25000 labels are written as FILE-1.pdf, FILE-2.pdf, ...\n"
    "  --serials FILE    write 'serial,uri' for every label (CSV)\n"
    "  --format FORMAT   pdf (default); zpl (Zebra) or tspl (TSC, Xprinter) for a\n"
    "                    thermal printer on a roll sheet, one file however long\n"
    "  --dpi DPI         the thermal printer's resolution: 203 (default) or 300\n"
    "  --symbol SYMBOL   the unit's code: qr (default) or datamatrix (PDF only)\n"
    "  --layout FILE     where the code, the text's fields, the EAN and the logo go:\n"
    "                    a file, or a name in templates/layouts/ (default: label)\n"
    "  --logo FILE       the producer's logo, PNG (overrides the job's \"logo\"); PDF only\n"
    "\n"
    "With a GTIN, full labels also carry it as an EAN-13 (EAN-8 for a GTIN-8) for\n"
    "the till where they have room; the job's \"retail_barcode\" says auto (default),\n"
    "always or never.\n";

/* ---------- data files ---------- */

/* The label sheets, or the stamp sheets ("stamp-..."). */
static int list_sheets(int stamps)
{
    char dir[PATH_MAX];
    if (host_join_path(dir, sizeof(dir), host_data_dir(), "templates/sheets") != 0)
        return EXIT_FAILED;
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0) {
        cli_error("cannot read '%s'", dir);
        return EXIT_FAILED;
    }
    printf("%-14s %-6s %-16s %s\n", "sheet", "paper", "label (mm)", "per page");
    for (int i = 0; i < n; i++) {
        size_t len = strlen(entries[i]->d_name);
        int stamp = strncmp(entries[i]->d_name, "stamp-", 6) == 0;
        if (len > 6 && strcmp(entries[i]->d_name + len - 6, ".sheet") == 0 && stamp == stamps) {
            char path[PATH_MAX];
            ocl_sheet sheet;
            ocl_problems problems;
            ocl_problems_init(&problems);
            if (host_join_path(path, sizeof(path), dir, entries[i]->d_name) == 0 &&
                ocl_sheet_load(path, &sheet, &problems) == OCL_OK) {
                char size[32];
                snprintf(size, sizeof(size), "%g x %g", sheet.label_width, sheet.label_height);
                printf("%-14s %-6s %-16s %d\n", sheet.name, sheet.paper, size,
                       sheet.columns * sheet.rows);
            }
        }
        free(entries[i]);
    }
    free(entries);
    return EXIT_OK;
}

static void find_sheet(const char *name, ocl_sheet *sheet, ocl_problems *problems)
{
    if (!name) {
        ocl_problem_add(problems, "sheet", "required; see 'ocoptrace labels --list-sheets'");
        return;
    }
    if (!*name || strchr(name, '/') || name[0] == '.') {
        ocl_problem_add(problems, "sheet", "'%s' is not a sheet name", name);
        return;
    }
    char path[PATH_MAX], file[OCL_SHEET_NAME_MAX + 32];
    snprintf(file, sizeof(file), "templates/sheets/%.*s.sheet", OCL_SHEET_NAME_MAX, name);
    if (host_join_path(path, sizeof(path), host_data_dir(), file) != 0 || access(path, R_OK) != 0) {
        ocl_problem_add(problems, "sheet",
                        "unknown sheet '%s'; see 'ocoptrace labels --list-sheets'", name);
        return;
    }
    ocl_sheet_load(path, sheet, problems);
}

/* ---------- layouts and logos ---------- */

static void load_layout(const char *given, const char *fallback, ocl_layout *layout,
                        ocl_problems *problems)
{
    char path[PATH_MAX], file[OCL_LAYOUT_NAME_MAX + 32];
    const char *name = given ? given : fallback;
    size_t len = strlen(name);
    int is_path = strchr(name, '/') || (len > 7 && strcmp(name + len - 7, ".layout") == 0);
    if (is_path)
        snprintf(path, sizeof(path), "%s", name);
    else if (!*name || name[0] == '.' || len >= OCL_LAYOUT_NAME_MAX) {
        ocl_problem_add(problems, "layout", "'%s' is not a layout name", name);
        return;
    } else {
        snprintf(file, sizeof(file), "templates/layouts/%s.layout", name);
        if (host_join_path(path, sizeof(path), host_data_dir(), file) != 0)
            path[0] = '\0';
    }
    /* A data directory without the default's file: the same, built in. */
    if (!given && access(path, F_OK) != 0 && ocl_layout_builtin(name, layout) == OCL_OK)
        return;
    ocl_result rc = ocl_layout_load(path, layout, problems);
    if (rc == OCL_EIO)
        ocl_problem_add(problems, "layout", "cannot read '%s'", path);
    else if (rc == OCL_ENOMEM)
        ocl_problem_add(problems, "layout", "out of memory reading '%s'", path);
}

/* The logo's path: `given`, or the job's "logo" beside the job file. */
static int logo_path(const char *given, const char *job_path, const job_file *jf, char *out,
                     size_t size)
{
    if (given)
        return snprintf(out, size, "%s", given) < (int)size ? 1 : -1;
    const char *logo = json_string_value(json_object_get(jf->root, "logo"));
    if (!logo)
        return 0;
    const char *slash = strrchr(job_path, '/');
    if (logo[0] == '/' || !slash)
        return snprintf(out, size, "%s", logo) < (int)size ? 1 : -1;
    return snprintf(out, size, "%.*s/%s", (int)(slash - job_path), job_path, logo) < (int)size ? 1
                                                                                               : -1;
}

/* Reads and checks the logo: its size on disk first, so that a huge file
 * is refused unread. */
static void load_logo(const char *given, const char *job_path, const job_file *jf, ocl_buffer *logo,
                      ocl_problems *problems)
{
    char path[PATH_MAX];
    int named = logo_path(given, job_path, jf, path, sizeof(path));
    struct stat st;
    if (named == 0)
        return;
    if (named < 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        ocl_problem_add(problems, "logo", "cannot read '%s'", named < 0 ? "(path too long)" : path);
        return;
    }
    if (st.st_size > OCL_LOGO_BYTES_MAX) {
        ocl_problem_add(problems, "logo", "'%s' is %lld bytes; at most %d are taken", path,
                        (long long)st.st_size, OCL_LOGO_BYTES_MAX);
        return;
    }
    if (host_read_file(path, logo) != 0) {
        ocl_problem_add(problems, "logo", "cannot read '%s'", path);
        return;
    }
    if (ocl_logo_check(logo->data, logo->len, "logo", NULL, NULL, problems) != OCL_OK)
        ocl_buffer_free(logo);
}

/* ---------- the OCOP mark ---------- */

static ocl_date today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (ocl_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

static long day_number(const ocl_date *d)
{
    return (long)d->year * 10000 + d->month * 100 + d->day;
}

/* Decides whether the mark is drawn; a refusal goes to `problems`, or to
 * `warnings` in a draft. */
static int ocop_mark(const job_file *jf, int no_mark, ocl_problems *problems,
                     ocl_problems *warnings)
{
    const ocl_label_job *job = &jf->job;
    if (!jf->has_ocop || no_mark || job->ocop_stars == 0)
        return 0;
    if (job->ocop_stars < 3) {
        ocl_problem_add(problems, "product.ocop.stars",
                        "only 3 to 5 stars are recognised and may be marked, found %d "
                        "(Decision 148/QĐ-TTg)",
                        job->ocop_stars);
        return 0;
    }
    ocl_date now = today();
    if (day_number(&job->ocop_valid_until) < day_number(&now)) {
        ocl_problem_add(warnings, "product.ocop.valid_until",
                        "recognition expired on %02d/%02d/%04d; the OCOP mark may not be printed "
                        "(use --no-ocop-mark) (Decision 148/QĐ-TTg)",
                        job->ocop_valid_until.day, job->ocop_valid_until.month,
                        job->ocop_valid_until.year);
        return 0;
    }
    return 1;
}

/* Lays one label out before anything is drawn: a job that cannot fit is
 * refused, and what had to give way to fit is said. */
static void check_fit(const job_file *jf, const ocl_sheet *sheet, int mark, ocl_symbology symbol,
                      const ocl_layout *layout, const ocl_buffer *logo, ocl_problems *problems,
                      ocl_problems *warnings)
{
    char font[PATH_MAX];
    if (host_join_path(font, sizeof(font), host_data_dir(), "fonts/" FONT_FILE) != 0)
        return;
    ocl_label_options options = {.font_path = font,
                                 .ocop_mark = mark,
                                 .symbol = symbol,
                                 .layout = layout,
                                 .logo = logo->len ? logo->data : NULL,
                                 .logo_len = logo->len};
    ocl_label_geometry g;
    if (ocl_labels_geometry(&jf->job, sheet, &options, &g, problems) != OCL_OK)
        return;
    /* Not a warning: the label is lawful without it, the shop may want it. */
    if (g.ean_needs_width > 0)
        fprintf(stderr,
                PROGRAM ": note: the EAN for the till is left off: '%s' labels (%g x %g mm) have "
                        "no room for it beside the contents; labels of %g x %g mm hold it "
                        "(\"retail_barcode\": \"never\" leaves it off without this note)\n",
                sheet->name, sheet->label_width, sheet->label_height, g.ean_needs_width,
                g.ean_needs_height);
    else if (jf->job.gtin && jf->job.retail_barcode == OCL_RETAIL_AUTO && g.ean.width == 0 &&
             layout->element[OCL_ELEMENT_EAN].present)
        fprintf(stderr,
                PROGRAM ": note: the EAN for the till is left off: no label size up to 400 mm "
                        "holds it with the contents\n");
    if (g.short_form)
        ocl_problem_add(warnings, "sheet",
                        "'%s' labels are too small for every content: printing the short form "
                        "(name, producer, origin, dates, lot, serial; the rest behind the QR "
                        "code) (Decree 43/2017, Art. 10(3))",
                        sheet->name);
    if (mark && !g.mark)
        ocl_problem_add(warnings, "sheet", "no room for the OCOP mark on '%s' labels", sheet->name);
}

/* ---------- serials ---------- */

/* `count` distinct serials; a repeat (1 in 2^45 per pair) is drawn again. */
static char (*make_serials(long count))[OCL_SERIAL_LEN + 1]
{
    size_t slots = 1;
    while (slots < (size_t)count * 2)
        slots *= 2;
    char(*serials)[OCL_SERIAL_LEN + 1] = calloc((size_t)count, OCL_SERIAL_LEN + 1);
    long *table = malloc(slots * sizeof(*table));
    if (!serials || !table) {
        free(serials);
        free(table);
        return NULL;
    }
    memset(table, 0xFF, slots * sizeof(*table));
    for (long i = 0; i < count; i++) {
        for (;;) {
            if (ocl_serial_generate(serials[i]) != OCL_OK) {
                free(serials);
                free(table);
                return NULL;
            }
            size_t h = 1469598103u;
            for (const char *p = serials[i]; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619u;
            size_t slot = h & (slots - 1);
            while (table[slot] >= 0 && strcmp(serials[table[slot]], serials[i]) != 0)
                slot = (slot + 1) & (slots - 1);
            if (table[slot] < 0) {
                table[slot] = i;
                break;
            }
        }
    }
    free(table);
    return serials;
}

static int write_serials(const char *path, const ocl_label_job *job, const char *base_url,
                         char (*serials)[OCL_SERIAL_LEN + 1], long count)
{
    ocl_buffer csv = {0};
    ocl_result rc = ocl_buffer_append(&csv, "serial,uri\n", 11);
    char line[OCL_URI_MAX + 32], uri[OCL_URI_MAX + 1];
    for (long i = 0; i < count && rc == OCL_OK; i++) {
        rc = ocl_label_uri(job, base_url, serials[i], uri, sizeof(uri));
        int n = snprintf(line, sizeof(line), "%s,%s\n", serials[i], uri);
        if (rc == OCL_OK)
            rc = ocl_buffer_append(&csv, line, (size_t)n);
    }
    int status = rc == OCL_OK ? cli_write_output(path, csv.data, csv.len) : -1;
    if (rc != OCL_OK)
        cli_error("cannot list the serials: %s", ocl_strerror(rc));
    ocl_buffer_free(&csv);
    return status;
}

/* ---------- the command ---------- */

typedef struct {
    const char *job, *sheet, *base_url, *output, *serials;
    int draft, no_mark, list;
    const char *format, *dpi_text, *symbol_text, *layout_name, *logo_name;
    int language, dpi; /* a thermal printer's; language -1: PDF */
    ocl_symbology symbol;
    ocl_layout layout;
    ocl_buffer logo;
} labels_args;

static void part_name(const char *output, int part, char *out, size_t size)
{
    size_t len = strlen(output);
    if (len > 4 && strcmp(output + len - 4, ".pdf") == 0)
        len -= 4;
    snprintf(out, size, "%.*s-%d.pdf", (int)len, output, part);
}

typedef struct {
    const job_file *jf;
    const ocl_sheet *sheet;
    const ocl_label_options *options;
} label_draw;

static ocl_result draw_labels(void *draw_data, const char *const *serials, size_t count,
                              ocl_buffer *pdf, ocl_problems *problems)
{
    const label_draw *d = draw_data;
    return ocl_labels_pdf(&d->jf->job, d->sheet, d->options, serials, count, pdf, problems);
}

int run_write_parts(const run_parts *run, char (*serials)[OCL_SERIAL_LEN + 1], run_draw draw,
                    void *draw_data)
{
    long count = run->count, per_page = run->per_page;
    int parts = (int)((count + run->part_max - 1) / run->part_max);
    long per_part = (count + parts - 1) / parts;
    per_part = (per_part + per_page - 1) / per_page * per_page;
    if (parts > 1 && strcmp(run->output, "-") == 0) {
        cli_error("output: %ld %s are written in %d parts; give a file name", count, run->what,
                  parts);
        return EXIT_INVALID;
    }
    const char **list = malloc((size_t)count * sizeof(*list));
    if (!list) {
        cli_error("out of memory");
        return EXIT_FAILED;
    }
    for (long i = 0; i < count; i++)
        list[i] = serials[i];
    int status = EXIT_OK;
    for (int part = 0; part < parts && status == EXIT_OK; part++) {
        long first = part * per_part;
        long n = count - first < per_part ? count - first : per_part;
        ocl_buffer pdf = {0};
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc = draw(draw_data, list + first, (size_t)n, &pdf, &problems);
        char name[PATH_MAX];
        if (parts > 1)
            part_name(run->output, part + 1, name, sizeof(name));
        else
            snprintf(name, sizeof(name), "%s", run->output);
        if (rc == OCL_EINVAL)
            status = cli_report(&problems);
        else if (rc == OCL_EIO)
            cli_error("cannot load the font '%s'", run->font), status = EXIT_FAILED;
        else if (rc != OCL_OK)
            cli_error("cannot draw the %s: %s", run->what, ocl_strerror(rc)), status = EXIT_FAILED;
        else if (cli_write_output(name, pdf.data, pdf.len) != 0)
            status = EXIT_FAILED;
        else if (parts > 1)
            fprintf(stderr, PROGRAM ": wrote %s %ld to %ld in '%s' (part %d of %d)\n", run->what,
                    first + 1, first + n, name, part + 1, parts);
        ocl_buffer_free(&pdf);
    }
    free(list);
    return status;
}

static int render(const labels_args *args, const job_file *jf, const ocl_sheet *sheet, int mark,
                  char (*serials)[OCL_SERIAL_LEN + 1])
{
    char font[PATH_MAX];
    if (host_join_path(font, sizeof(font), host_data_dir(), "fonts/" FONT_FILE) != 0) {
        cli_error("data directory path too long");
        return EXIT_FAILED;
    }
    ocl_label_options options = {.font_path = font,
                                 .base_url = args->base_url,
                                 .draft = args->draft,
                                 .ocop_mark = mark,
                                 .threads = host_cores(),
                                 .symbol = args->symbol,
                                 .layout = &args->layout,
                                 .logo = args->logo.len ? args->logo.data : NULL,
                                 .logo_len = args->logo.len};
    label_draw draw = {jf, sheet, &options};
    run_parts run = {args->output, "labels", font, jf->job.units, sheet->columns * sheet->rows,
                     PART_LABELS};
    return run_write_parts(&run, serials, draw_labels, &draw);
}

/* ---------- thermal printers ---------- */

/* Labels a thermal job makes at a time: bounded memory however long the run. */
#define PRINTER_CHUNK 1000

/* --format and --dpi. */
static void check_format(labels_args *args, ocl_problems *problems)
{
    static const char *const names[] = {"zpl", "tspl"};
    static const ocl_printer_language languages[] = {OCL_PRINTER_ZPL, OCL_PRINTER_TSPL};
    args->language = -1;
    args->dpi = OCL_PRINTER_DPI;
    for (size_t i = 0; args->format && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(args->format, names[i]) == 0)
            args->language = (int)languages[i];
    if (args->format && args->language < 0 && strcmp(args->format, "pdf") != 0)
        ocl_problem_add(problems, "format", "must be pdf, zpl or tspl, not '%s'", args->format);
    if (!args->dpi_text)
        return;
    if (args->language < 0)
        ocl_problem_add(problems, "dpi", "only with --format zpl or tspl: a PDF has no dots");
    else if (strcmp(args->dpi_text, "203") == 0 || strcmp(args->dpi_text, "300") == 0)
        args->dpi = atoi(args->dpi_text);
    else
        ocl_problem_add(problems, "dpi",
                        "must be 203 or 300 (the printer's dots per inch), not '%s'",
                        args->dpi_text);
}

/* --symbol: the unit's code. */
static void check_symbol(labels_args *args, ocl_problems *problems)
{
    int symbol = args->symbol_text ? ocl_symbology_parse(args->symbol_text) : OCL_SYMBOL_QR;
    args->symbol = OCL_SYMBOL_QR;
    if (symbol != OCL_SYMBOL_QR && symbol != OCL_SYMBOL_DATAMATRIX)
        ocl_problem_add(problems, "symbol", "must be qr or datamatrix, not '%s'",
                        args->symbol_text);
    else if (symbol == OCL_SYMBOL_DATAMATRIX && args->language >= 0)
        ocl_problem_add(problems, "symbol",
                        "datamatrix only with --format pdf: thermal labels carry a QR code");
    else
        args->symbol = (ocl_symbology)symbol;
}

typedef struct {
    char font[PATH_MAX];
    ocl_label_options options;
    ocl_printer_job *job;
    int failed; /* not the input's fault: said already */
} printer_run;

/* Opens the printer's job before any serial is drawn: a sheet, a dpi or a
 * text that cannot be printed is refused, and what had to give way said. */
static void open_printer(printer_run *run, const labels_args *args, const job_file *jf,
                         const ocl_sheet *sheet, int mark, ocl_problems *problems,
                         ocl_problems *warnings)
{
    if (host_join_path(run->font, sizeof(run->font), host_data_dir(), "fonts/" FONT_FILE) != 0) {
        cli_error("data directory path too long");
        run->failed = 1;
        return;
    }
    run->options = (ocl_label_options){.font_path = run->font,
                                       .base_url = args->base_url,
                                       .draft = args->draft,
                                       .ocop_mark = mark,
                                       .threads = 1,
                                       .symbol = OCL_SYMBOL_QR,
                                       .layout = &args->layout};
    ocl_result rc =
        ocl_printer_job_open(&jf->job, sheet, &run->options, (ocl_printer_language)args->language,
                             args->dpi, &run->job, problems);
    if (rc == OCL_EIO)
        cli_error("cannot load the font '%s'", run->font);
    else if (rc != OCL_OK && rc != OCL_EINVAL)
        cli_error("cannot prepare the labels: %s", ocl_strerror(rc));
    run->failed = rc != OCL_OK && rc != OCL_EINVAL;
    int short_form, drawn;
    if (rc != OCL_OK)
        return;
    ocl_printer_job_fit(run->job, &short_form, &drawn);
    if (short_form)
        ocl_problem_add(warnings, "sheet",
                        "'%s' labels are too small for every content: printing the short form "
                        "(name, producer, origin, dates, lot, serial; the rest behind the QR "
                        "code) (Decree 43/2017, Art. 10(3))",
                        sheet->name);
    if (mark && !drawn)
        ocl_problem_add(warnings, "sheet", "no room for the OCOP mark on '%s' labels", sheet->name);
}

/* Writes the labels as they are made, PRINTER_CHUNK at a time, to standard
 * output or to a file beside `path` renamed into place when whole, so that
 * a failure leaves no file. */
static int render_printer(printer_run *run, const labels_args *args,
                          char (*serials)[OCL_SERIAL_LEN + 1], long count)
{
    host_output out = {.fd = STDOUT_FILENO};
    int to_stdout = strcmp(args->output, "-") == 0;
    if (!to_stdout && host_output_open(&out, args->output) != 0) {
        cli_error("cannot write '%s': %s", args->output, strerror(errno));
        return EXIT_FAILED;
    }
    const char *list[PRINTER_CHUNK];
    ocl_buffer chunk = {0};
    ocl_result rc = OCL_OK;
    int written = 0;
    for (long first = 0; first < count && rc == OCL_OK && written == 0; first += PRINTER_CHUNK) {
        long n = count - first < PRINTER_CHUNK ? count - first : PRINTER_CHUNK;
        for (long i = 0; i < n; i++)
            list[i] = serials[first + i];
        chunk.len = 0;
        rc = ocl_printer_job_write(run->job, list, NULL, (size_t)n, &chunk);
        if (rc == OCL_OK)
            written = host_write_all(out.fd, chunk.data, chunk.len);
    }
    ocl_buffer_free(&chunk);
    int saved = errno;
    if (!to_stdout && (rc != OCL_OK || written != 0))
        host_output_abort(&out);
    else if (!to_stdout && host_output_commit(&out) != 0)
        written = -1, saved = errno;
    if (rc != OCL_OK)
        cli_error("cannot draw the labels: %s", ocl_strerror(rc));
    else if (written != 0)
        cli_error("cannot write '%s': %s", to_stdout ? "standard output" : args->output,
                  strerror(saved));
    return rc == OCL_OK && written == 0 ? EXIT_OK : EXIT_FAILED;
}

/* The producer's logo (--logo, or the job's "logo"), where the layout
 * has a place for it; thermal labels carry none yet. */
static void check_logo(labels_args *args, const job_file *jf, ocl_problems *problems,
                       ocl_problems *warnings)
{
    load_logo(args->logo_name, args->job, jf, &args->logo, problems);
    if (!args->logo.len)
        return;
    if (args->language >= 0) {
        ocl_problem_add(warnings, "logo", "thermal labels carry no logo yet: it is left off");
        ocl_buffer_free(&args->logo);
    } else if (args->layout.kind == OCL_LAYOUT_LABEL && args->layout.name[0] &&
               !ocl_layout_has_logo(&args->layout)) {
        ocl_problem_add(problems, "logo",
                        "the layout '%s' has no place for a logo: give it a [logo] box or "
                        "'logo' in the text's order, e.g. --layout label",
                        args->layout.name);
    }
}

static void check_args(const labels_args *args, ocl_problems *problems)
{
    if (!args->job)
        ocl_problem_add(problems, "job", "required: --job FILE");
    if (!args->output)
        ocl_problem_add(problems, "output", "required: -o FILE, or -o - for standard output");
    char base[OCL_BASE_URL_MAX];
    if (args->base_url)
        ocl_base_url_check(args->base_url, base, problems);
}

int cmd_labels(int argc, char **argv)
{
    labels_args args = {0};
    const cli_option options[] = {
        {"job", 0, &args.job, NULL},           {"sheet", 0, &args.sheet, NULL},
        {"base-url", 0, &args.base_url, NULL}, {"output", 'o', &args.output, NULL},
        {"serials", 0, &args.serials, NULL},   {"format", 0, &args.format, NULL},
        {"dpi", 0, &args.dpi_text, NULL},      {"symbol", 0, &args.symbol_text, NULL},
        {"draft", 0, NULL, &args.draft},       {"no-ocop-mark", 0, NULL, &args.no_mark},
        {"list-sheets", 0, NULL, &args.list},  {"layout", 0, &args.layout_name, NULL},
        {"logo", 0, &args.logo_name, NULL},
    };
    int first =
        cli_parse_options(argc, argv, options, sizeof(options) / sizeof(options[0]), labels_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    if (args.list)
        return list_sheets(0);
    ocl_problems problems, warnings;
    ocl_problems_init(&problems);
    ocl_problems_init(&warnings);
    if (first < argc)
        ocl_problem_add(&problems, "labels", "unexpected argument '%s'", argv[first]);
    check_args(&args, &problems);
    check_format(&args, &problems);
    check_symbol(&args, &problems);
    ocl_sheet sheet;
    find_sheet(args.sheet, &sheet, &problems);
    load_layout(args.layout_name, "label", &args.layout, &problems);
    job_file jf = {0};
    int job_ok = args.job && job_load(args.job, &jf, &problems) == 0;
    int mark = 0;
    if (job_ok) {
        ocl_law_check(&jf.job, args.draft ? &warnings : &problems);
        mark = ocop_mark(&jf, args.no_mark, &problems, args.draft ? &warnings : &problems);
        check_logo(&args, &jf, &problems, &warnings);
    }
    printer_run printer = {0};
    if (!problems.count && args.language < 0)
        check_fit(&jf, &sheet, mark, args.symbol, &args.layout, &args.logo, &problems, &warnings);
    else if (!problems.count)
        open_printer(&printer, &args, &jf, &sheet, mark, &problems, &warnings);
    ocl_problems_print(&warnings, PROGRAM ": warning", stderr);
    if (problems.count || printer.failed) {
        ocl_printer_job_close(printer.job);
        job_free(&jf);
        ocl_buffer_free(&args.logo);
        return problems.count ? cli_report(&problems) : EXIT_FAILED;
    }
    char(*serials)[OCL_SERIAL_LEN + 1] = make_serials(jf.job.units);
    int status = EXIT_FAILED;
    if (!serials)
        cli_error("cannot draw serials from the system's random source");
    else
        status = args.language < 0 ? render(&args, &jf, &sheet, mark, serials)
                                   : render_printer(&printer, &args, serials, jf.job.units);
    ocl_printer_job_close(printer.job);
    if (status == EXIT_OK && args.serials &&
        write_serials(args.serials, &jf.job, args.base_url, serials, jf.job.units) != 0)
        status = EXIT_FAILED;
    free(serials);
    job_free(&jf);
    ocl_buffer_free(&args.logo);
    return status;
}

/* ---------- shared with the other commands that print a lot (runs.h) ---------- */

int run_list_sheets(int stamps)
{
    return list_sheets(stamps);
}

void run_find_sheet(const char *name, ocl_sheet *sheet, ocl_problems *problems)
{
    find_sheet(name, sheet, problems);
}

int run_ocop_mark(const job_file *jf, int no_mark, ocl_problems *problems, ocl_problems *warnings)
{
    return ocop_mark(jf, no_mark, problems, warnings);
}

char (*run_make_serials(long count))[OCL_SERIAL_LEN + 1]
{
    return make_serials(count);
}

int run_write_serials(const char *path, const ocl_label_job *job, const char *base_url,
                      char (*serials)[OCL_SERIAL_LEN + 1], long count)
{
    return write_serials(path, job, base_url, serials, count);
}

void run_load_layout(const char *given, const char *fallback, ocl_layout *layout,
                     ocl_problems *problems)
{
    load_layout(given, fallback, layout, problems);
}

void run_load_logo(const char *given, const char *job_path, const job_file *jf, ocl_buffer *logo,
                   ocl_problems *problems)
{
    load_logo(given, job_path, jf, logo, problems);
}
