/*
 * Thermal printers (labels/thermal.c, labels/raster.c): what a job refuses
 * before drawing anything, letters with combining marks drawn as the
 * font's precomposed ones, the PIN drawn per label, and a serial too long
 * for the code's box refused. What the labels look like is read back from
 * the printed dots by tests/cli/thermal.sh.
 */
#include "check.h"
#include "raster.h"

#include <stdlib.h>
#include <string.h>

#define FONT "fonts/NotoSans-Regular.ttf"

static ocl_label_job roll_job(void)
{
    ocl_label_job job = {0};
    job.text[OCL_FIELD_PRODUCT_NAME] = "Nước mắm Phan Thiết";
    job.text[OCL_FIELD_PRODUCER_NAME] = "HTX Thủy sản Hàm Tiến";
    job.text[OCL_FIELD_PRODUCER_ADDRESS] = "Phan Thiết";
    job.text[OCL_FIELD_ORIGIN] = "Việt Nam";
    job.text[OCL_FIELD_NET_QUANTITY] = "500 ml";
    job.text[OCL_FIELD_INGREDIENTS] = "Cá cơm, muối";
    job.text[OCL_FIELD_USAGE] = "Chấm";
    job.text[OCL_FIELD_STORAGE] = "Khô ráo";
    job.group = OCL_GROUP_FOOD;
    job.gtin = "08931234567897";
    job.lot = "L2025A";
    job.has_produced = job.has_expires = 1;
    job.produced = (ocl_date){2025, 3, 1};
    job.expires = (ocl_date){2027, 3, 1};
    job.units = 2;
    return job;
}

static ocl_sheet load_sheet(const char *name)
{
    char path[128];
    ocl_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    snprintf(path, sizeof(path), "templates/sheets/%s.sheet", name);
    CHECK(ocl_sheet_load(path, &sheet, &problems) == OCL_OK, "sheet %s loads", name);
    return sheet;
}

static void test_refusals(void)
{
    static const struct {
        const char *sheet;
        int language, dpi, columns;
        const char *field, *rule;
    } cases[] = {
        {"a4-3x8", OCL_PRINTER_ZPL, 203, 0, "sheet",
         "'a4-3x8' is A4 paper: a thermal printer prints roll sheets (paper = roll)"},
        {"roll-50x30", OCL_PRINTER_TSPL, 150, 0, "dpi",
         "must be 203 or 300 (the printer's dots per inch), not 150"},
        {"roll-50x30", 7, 300, 0, "format", "must be zpl or tspl"},
        {"roll-60x40", OCL_PRINTER_ZPL, 300, 2, "sheet",
         "'roll-60x40' has 2 x 1 labels a page: a thermal printer prints one label a page "
         "(columns = 1, rows = 1)"},
    };
    ocl_label_job job = roll_job();
    ocl_label_options options = {.font_path = FONT};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_sheet sheet = load_sheet(cases[i].sheet);
        if (cases[i].columns)
            sheet.columns = cases[i].columns;
        ocl_printer_job *pj = NULL;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc =
            ocl_printer_job_open(&job, &sheet, &options, (ocl_printer_language)cases[i].language,
                                 cases[i].dpi, &pj, &problems);
        CHECK(rc == OCL_EINVAL && !pj && problems.count == 1, "case %zu refused", i);
        CHECK_STR(problems.item[0].field, cases[i].field, "case %zu: field", i);
        CHECK_STR(problems.item[0].rule, cases[i].rule, "case %zu: rule", i);
    }
}

/* The dots of `text` at 9 pt, 203 dpi, as one bitmap's bytes. */
static char *dots_of(ocl_raster *raster, const char *text, size_t *len)
{
    ocl_bitmap b;
    if (ocl_bitmap_init(&b, 400, 60) != OCL_OK)
        return NULL;
    ocl_raster_text(raster, &b, text, 9, 4, 40, 0);
    *len = (size_t)b.stride * (size_t)b.height;
    return (char *)b.bits;
}

static void test_marks(void)
{
    static const struct {
        const char *composed, *decomposed;
    } cases[] = {
        {"Nước mắm", "Nu\xcc\x9bo\xcc\x9b\xcc\x81"
                     "c ma\xcc\x86\xcc\x81m"},
        {"Thiết Số", "Thie\xcc\x82\xcc\x81t So\xcc\x82\xcc\x81"},
        {"Bình Thuận", "Bi\xcc\x80nh Thua\xcc\xa3\xcc\x82n"},
    };
    ocl_raster *raster;
    CHECK(ocl_raster_open(FONT, 203, &raster) == OCL_OK, "the font opens");
    if (!raster)
        return;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t a_len = 0, b_len = 0, c_len = 0;
        char *a = dots_of(raster, cases[i].composed, &a_len);
        char *b = dots_of(raster, cases[i].decomposed, &b_len);
        char *bare = dots_of(raster, "Nuoc mam", &c_len);
        CHECK(a && b && a_len == b_len && memcmp(a, b, a_len) == 0,
              "'%s' decomposed draws the precomposed letters", cases[i].composed);
        CHECK(a && bare && memcmp(a, bare, a_len) != 0, "'%s' differs from bare letters",
              cases[i].composed);
        CHECK(ocl_raster_width(raster, cases[i].composed, 9) ==
                  ocl_raster_width(raster, cases[i].decomposed, 9),
              "'%s' measures the same either way", cases[i].composed);
        free(a);
        free(b);
        free(bare);
    }
    ocl_raster_close(raster);
}

static size_t occurrences(const ocl_buffer *out, const char *what)
{
    size_t n = 0, len = strlen(what);
    for (size_t i = 0; i + len <= out->len; i++)
        n += memcmp(out->data + i, what, len) == 0;
    return n;
}

static void test_pins_and_serials(void)
{
    static const char *const serials[] = {"ABCDEFGH23", "JKMNPQRS45"};
    static const char *const pins[] = {"1234 5678", "8765 4321"};
    ocl_label_job job = roll_job();
    ocl_sheet sheet = load_sheet("roll-100x50");
    ocl_label_options options = {.font_path = FONT, .pins = pins};
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_printer_job *pj = NULL;
    CHECK(ocl_printer_job_open(&job, &sheet, &options, OCL_PRINTER_ZPL, 203, &pj, &problems) ==
              OCL_OK,
          "a job with PINs opens");
    if (!pj)
        return;
    ocl_buffer out = {0};
    CHECK(ocl_printer_job_write(pj, serials, NULL, 2, &out) == OCL_EINVAL,
          "labels with a PIN's box need their PINs");
    out.len = 0;
    CHECK(ocl_printer_job_write(pj, serials, pins, 2, &out) == OCL_OK, "labels with PINs");
    CHECK(occurrences(&out, "^GFA,") == 4, "each label draws its serial and its PIN");
    CHECK(occurrences(&out, "~DG") == 1, "the text is stored once");
    out.len = 0;
    CHECK(ocl_printer_job_write(pj, serials, pins, 2, &out) == OCL_OK && !occurrences(&out, "~DG"),
          "and not again with the next labels");
    ocl_printer_job_close(pj);
    ocl_buffer_free(&out);

    /* The code's box holds the version of a serial of ten: on the smallest
     * roll at 203 dpi, one of twenty is refused rather than overprinted. */
    static const char *const long_serial[] = {"ABCDEFGHJKMNPQRSTVWX"};
    sheet = load_sheet("roll-50x30");
    options.pins = NULL;
    ocl_problems_init(&problems);
    CHECK(ocl_labels_printer(&job, &sheet, &options, OCL_PRINTER_TSPL, 203, serials, 2, &out,
                             &problems) == OCL_OK,
          "serials of ten fit");
    out.len = 0;
    CHECK(ocl_labels_printer(&job, &sheet, &options, OCL_PRINTER_TSPL, 203, long_serial, 1, &out,
                             &problems) == OCL_ERANGE,
          "a serial of twenty does not fit the code's box");
    ocl_buffer_free(&out);
}

void test_thermal(void)
{
    test_refusals();
    test_marks();
    test_pins_and_serials();
}
