/*
 * `ocoptrace stamps`: a lot's traceability stamps (tem truy xuất nguồn
 * gốc). Reads the job, the sheet, the layout and the producer's logo, and
 * draws one stamp per unit with a fresh serial: its code, the serial, the
 * product's short name, the caption and, while the recognition is valid,
 * the OCOP mark. The law's text is on the producer's own packaging, so the
 * labelling law is not checked here; every rule of the stamp is.
 */
#include "cli.h"
#include "job.h"
#include "runs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Stamps per PDF: libharu holds a whole document in memory until it is
 * saved, so longer runs are written as numbered parts. */
#define PART_STAMPS 25000
#define FONT_FILE   "fonts/NotoSans-Regular.ttf"

static const char stamps_usage[] =
    "usage: ocoptrace stamps --job JOB.json --sheet NAME -o OUT.pdf [--serials OUT.csv]\n"
    "                        [--layout FILE] [--logo FILE.png] [--symbol qr|datamatrix]\n"
    "                        [--base-url URL] [--no-expiry-in-code] [--no-ocop-mark]\n"
    "   or: ocoptrace stamps --list-sheets\n"
    "\n"
    "Draws one traceability stamp per unit of the lot: its own serial in a GS1 Digital\n"
    "Link code, the serial, the product's short name, \"" OCL_STAMP_CAPTION "\"\n"
    "and the OCOP mark with its stars while the recognition is valid. A module of\n"
    "the code is 0.4 mm or more, with a 4-module quiet zone: a stamp too small for\n"
    "its code is refused with the size that would hold it.\n"
    "\n"
    "  --job FILE          the job: producer, product (short_name), lot, logo (JSON)\n"
    "  --sheet NAME        the stamp stock, e.g. stamp-a4-25x25; see --list-sheets\n"
    "  --layout FILE       where each element goes: a file, or a name in\n"
    "                      templates/layouts/ (default: by the stamp's shape)\n"
    "  --logo FILE         the producer's logo, PNG (overrides the job's \"logo\")\n"
    "  --symbol SYMBOL     qr (default) or datamatrix\n"
    "  --base-url URL      resolver (default " OCL_DEFAULT_BASE_URL ")\n"
    "  --no-expiry-in-code leave the expiry date (?17=) out of the code: a smaller\n"
    "                      code, for small stamps\n"
    "  --no-ocop-mark      leave the OCOP mark off\n"
    "  -o FILE             the PDF ('-' for standard output); runs of more than\n"
    "                      25000 stamps are written as FILE-1.pdf, FILE-2.pdf, ...\n"
    "  --serials FILE      write 'serial,uri' for every stamp (CSV)\n";

typedef struct {
    const char *job, *sheet, *layout, *logo, *symbol, *base_url, *output, *serials;
    int no_expiry, no_mark, list;
} stamps_args;

/* What the stamps are drawn from, once the input has passed. */
typedef struct {
    job_file jf;
    ocl_label_job job; /* the job as the codes hold it */
    ocl_sheet sheet;
    ocl_layout layout;
    ocl_buffer logo;
    ocl_stamp_options options;
    char font[PATH_MAX];
} stamps_input;

/* ---------- the layout and the logo ---------- */

/* The logo (--logo, or the job's "logo"), where the layout has a box. */
static void load_logo(const stamps_args *args, stamps_input *in, ocl_problems *problems)
{
    run_load_logo(args->logo, args->job, &in->jf, &in->logo, problems);
    if (in->logo.len && !in->layout.element[OCL_ELEMENT_LOGO].present && in->layout.name[0])
        ocl_problem_add(problems, "logo",
                        "the layout '%s' has no box for a logo: give one with a [logo] "
                        "element, e.g. --layout stamp-logo",
                        in->layout.name);
}

/* ---------- input ---------- */

static void check_args(const stamps_args *args, ocl_stamp_options *options, ocl_problems *problems)
{
    if (!args->job)
        ocl_problem_add(problems, "job", "required: --job FILE");
    if (!args->output)
        ocl_problem_add(problems, "output", "required: -o FILE, or -o - for standard output");
    char base[OCL_BASE_URL_MAX];
    if (args->base_url)
        ocl_base_url_check(args->base_url, base, problems);
    int symbol = args->symbol ? ocl_symbology_parse(args->symbol) : OCL_SYMBOL_QR;
    if (symbol != OCL_SYMBOL_QR && symbol != OCL_SYMBOL_DATAMATRIX)
        ocl_problem_add(problems, "symbol", "must be qr or datamatrix, not '%s'", args->symbol);
    else
        options->symbol = (ocl_symbology)symbol;
}

/* Reads everything; the problems and warnings say what is wrong. */
static void read_input(const stamps_args *args, stamps_input *in, ocl_problems *problems,
                       ocl_problems *warnings)
{
    check_args(args, &in->options, problems);
    run_find_sheet(args->sheet, &in->sheet, problems);
    if (in->sheet.name[0])
        run_load_layout(args->layout,
                        ocl_stamp_layout_default(in->sheet.label_width, in->sheet.label_height),
                        &in->layout, problems);
    if (args->job && job_load(args->job, &in->jf, problems) == 0) {
        in->job = in->jf.job;
        if (args->no_expiry)
            in->job.has_expires = 0;
        in->options.ocop_mark = run_ocop_mark(&in->jf, args->no_mark, problems, warnings);
        json_t *product = json_object_get(in->jf.root, "product");
        in->options.name = json_string_value(json_object_get(product, "short_name"));
        load_logo(args, in, problems);
    }
    if (host_join_path(in->font, sizeof(in->font), host_data_dir(), FONT_FILE) != 0)
        ocl_problem_add(problems, "font", "data directory path too long");
    in->options.font_path = in->font;
    in->options.base_url = args->base_url;
    in->options.logo = in->logo.len ? in->logo.data : NULL;
    in->options.logo_len = in->logo.len;
    in->options.threads = host_cores();
}

/* Lays one stamp out before any serial is drawn: a layout, a code or a
 * text that cannot fit is refused here. */
static int check_fit(stamps_input *in, ocl_problems *problems)
{
    ocl_stamp_geometry g;
    ocl_result rc =
        ocl_stamps_geometry(&in->job, &in->sheet, &in->layout, &in->options, &g, problems);
    if (rc == OCL_EIO)
        cli_error("cannot load the font '%s'", in->font);
    else if (rc != OCL_OK && rc != OCL_EINVAL)
        cli_error("cannot lay the stamps out: %s", ocl_strerror(rc));
    return rc == OCL_OK || rc == OCL_EINVAL ? 0 : -1;
}

/* ---------- drawing ---------- */

static ocl_result draw_stamps(void *draw_data, const char *const *serials, size_t count,
                              ocl_buffer *pdf, ocl_problems *problems)
{
    const stamps_input *in = draw_data;
    return ocl_stamps_pdf(&in->job, &in->sheet, &in->layout, &in->options, serials, count, pdf,
                          problems);
}

static int render(const stamps_args *args, stamps_input *in, char (*serials)[OCL_SERIAL_LEN + 1])
{
    run_parts run = {
        args->output, "stamps", in->font, in->job.units, in->sheet.columns * in->sheet.rows,
        PART_STAMPS};
    return run_write_parts(&run, serials, draw_stamps, in);
}

int cmd_stamps(int argc, char **argv)
{
    stamps_args args = {0};
    const cli_option options[] = {
        {"job", 0, &args.job, NULL},
        {"sheet", 0, &args.sheet, NULL},
        {"layout", 0, &args.layout, NULL},
        {"logo", 0, &args.logo, NULL},
        {"symbol", 0, &args.symbol, NULL},
        {"base-url", 0, &args.base_url, NULL},
        {"output", 'o', &args.output, NULL},
        {"serials", 0, &args.serials, NULL},
        {"no-expiry-in-code", 0, NULL, &args.no_expiry},
        {"no-ocop-mark", 0, NULL, &args.no_mark},
        {"list-sheets", 0, NULL, &args.list},
    };
    int first =
        cli_parse_options(argc, argv, options, sizeof(options) / sizeof(options[0]), stamps_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    if (args.list)
        return run_list_sheets(1);
    ocl_problems problems, warnings;
    ocl_problems_init(&problems);
    ocl_problems_init(&warnings);
    if (first < argc)
        ocl_problem_add(&problems, "stamps", "unexpected argument '%s'", argv[first]);
    stamps_input *in = calloc(1, sizeof(*in));
    if (!in) {
        cli_error("out of memory");
        return EXIT_FAILED;
    }
    read_input(&args, in, &problems, &warnings);
    int status = EXIT_OK;
    if (!problems.count && check_fit(in, &problems) != 0)
        status = EXIT_FAILED;
    ocl_problems_print(&warnings, PROGRAM ": warning", stderr);
    char(*serials)[OCL_SERIAL_LEN + 1] = NULL;
    if (problems.count)
        status = cli_report(&problems);
    else if (status == EXIT_OK && !(serials = run_make_serials(in->job.units)))
        cli_error("cannot draw serials from the system's random source"), status = EXIT_FAILED;
    else if (status == EXIT_OK)
        status = render(&args, in, serials);
    if (status == EXIT_OK && args.serials &&
        run_write_serials(args.serials, &in->job, args.base_url, serials, in->job.units) != 0)
        status = EXIT_FAILED;
    free(serials);
    ocl_buffer_free(&in->logo);
    job_free(&in->jf);
    free(in);
    return status;
}
