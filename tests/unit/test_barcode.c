/*
 * Barcode tests: EAN-13 and EAN-8 module patterns against the encoding
 * rules worked out here independently of libzint, GS1-128's start and
 * stop, Data Matrix sizes and finder pattern, every refusal with its exact
 * message, and the box ocl_pdf_symbol draws.
 */
#include "check.h"
#include "pdf.h"

#include <stdio.h>
#include <string.h>

#define FONT "fonts/NotoSans-Regular.ttf"

/* EAN symbol characters (GS1 General Specifications 5.2.1.2): set A (odd
 * parity) for the left half, set B (even) where the first digit's parity
 * pattern says so, set C for the right half. */
static const char *const set_a[10] = {"0001101", "0011001", "0010011", "0111101", "0100011",
                                      "0110001", "0101111", "0111011", "0110111", "0001011"};
static const char *const parity[10] = {"AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB",
                                       "ABBAAB", "ABBBAA", "ABABAB", "ABABBA", "ABBABA"};

/* Set C is set A inverted; set B is set C reversed. */
static void character(const char *digits, int i, char set, char out[8])
{
    const char *a = set_a[digits[i] - '0'];
    for (int m = 0; m < 7; m++) {
        char c = set == 'B' ? a[6 - m] : a[m];
        out[m] = set == 'A' ? c : (char)('0' + '1' - c);
    }
    out[7] = '\0';
}

/* The 95 (EAN-13) or 67 (EAN-8) modules of `digits`. */
static void ean_pattern(const char *digits, char *out, size_t size)
{
    size_t n = strlen(digits);
    int half = n == 13 ? 6 : 4, first = n == 13 ? 1 : 0;
    const char *sets = n == 13 ? parity[digits[0] - '0'] : "AAAA";
    char c[8];
    snprintf(out, size, "101");
    for (int i = 0; i < half; i++) {
        character(digits, first + i, sets[i], c);
        strncat(out, c, size - strlen(out) - 1);
    }
    strncat(out, "01010", size - strlen(out) - 1);
    for (int i = 0; i < half; i++) {
        character(digits, first + half + i, 'C', c);
        strncat(out, c, size - strlen(out) - 1);
    }
    strncat(out, "101", size - strlen(out) - 1);
}

static void modules_text(const ocl_symbol *symbol, char *out, size_t size)
{
    size_t n = 0;
    for (int i = 0; i < symbol->columns && n + 1 < size; i++)
        out[n++] = symbol->modules[i] ? '1' : '0';
    out[n] = '\0';
}

/* The guard bars, and only they, are marked 2. */
static int guards_marked(const ocl_symbol *symbol)
{
    int guard[3] = {0, symbol->columns == 95 ? 45 : 31, symbol->columns - 3};
    for (int i = 0; i < symbol->columns; i++) {
        int in_guard = 0;
        for (int g = 0; g < 3; g++)
            in_guard |= i >= guard[g] && i < guard[g] + (g == 1 ? 5 : 3);
        int want = symbol->modules[i] ? (in_guard ? 2 : 1) : 0;
        if (symbol->modules[i] != want)
            return 0;
    }
    return 1;
}

static void test_ean(void)
{
    static const struct {
        ocl_symbology symbology;
        const char *gtin;
        const char *digits; /* what the symbol holds and prints */
    } cases[] = {
        {OCL_SYMBOL_EAN13, "5901234123457", "5901234123457"},
        {OCL_SYMBOL_EAN13, "4006381333931", "4006381333931"},
        {OCL_SYMBOL_EAN13, "8931234567897", "8931234567897"},
        {OCL_SYMBOL_EAN13, "08931234567897", "8931234567897"},
        {OCL_SYMBOL_EAN13, "036000291452", "0036000291452"}, /* GTIN-12: a leading 0 */
        {OCL_SYMBOL_EAN13, "00036000291452", "0036000291452"},
        {OCL_SYMBOL_EAN13, "9780201379624", "9780201379624"},
        {OCL_SYMBOL_EAN8, "96385074", "96385074"},
        {OCL_SYMBOL_EAN8, "00000096385074", "96385074"},
        {OCL_SYMBOL_EAN8, "55123457", "55123457"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_symbol symbol;
        ocl_result rc =
            ocl_symbol_encode(cases[i].symbology, cases[i].gtin, "gtin", &symbol, &problems);
        CHECK(rc == OCL_OK, "%s encodes as %s", cases[i].gtin,
              ocl_symbology_name(cases[i].symbology));
        if (rc != OCL_OK)
            continue;
        char want[128], got[128];
        ean_pattern(cases[i].digits, want, sizeof(want));
        modules_text(&symbol, got, sizeof(got));
        CHECK(symbol.rows == 1, "%s: one row", cases[i].gtin);
        CHECK_STR(got, want, "%s: modules by the EAN rules", cases[i].gtin);
        CHECK(guards_marked(&symbol), "%s: the guard bars are marked 2", cases[i].gtin);
        CHECK_STR(symbol.text, cases[i].digits, "%s: human-readable digits", cases[i].gtin);
        int ean13 = cases[i].symbology == OCL_SYMBOL_EAN13;
        CHECK(symbol.quiet_left == (ean13 ? 11 : 7) && symbol.quiet_right == 7,
              "%s: quiet zones %d and %d", cases[i].gtin, symbol.quiet_left, symbol.quiet_right);
        ocl_symbol_free(&symbol);
    }
}

/* Code 128 patterns (ISO/IEC 15417): Start C, FNC1, and the stop. */
#define START_C "11010011100"
#define FNC1    "11110101110"
#define STOP    "1100011101011"

static void test_gs1_128(void)
{
    static const char *const strings[] = {
        "(00)089312345000000016",
        "(01)08931234567897(10)LO-2025-07(17)270301",
        "(02)08931234567897(37)24(00)089312345000000016",
    };
    for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_symbol symbol;
        ocl_result rc =
            ocl_symbol_encode(OCL_SYMBOL_GS1_128, strings[i], "sscc", &symbol, &problems);
        CHECK(rc == OCL_OK, "%s encodes as GS1-128", strings[i]);
        if (rc != OCL_OK)
            continue;
        char got[1200];
        modules_text(&symbol, got, sizeof(got));
        size_t n = strlen(got);
        CHECK(strncmp(got, START_C FNC1, 22) == 0, "%s: starts with Start C, FNC1", strings[i]);
        CHECK(n > 13 && strcmp(got + n - 13, STOP) == 0, "%s: ends with the stop", strings[i]);
        /* Every symbol character is 11 modules, the stop 13. */
        CHECK((n - 13) % 11 == 0, "%s: %zu modules", strings[i], n);
        CHECK(symbol.rows == 1 && symbol.quiet_left == 10 && symbol.quiet_right == 10,
              "%s: one row, 10-module quiet zones", strings[i]);
        CHECK_STR(symbol.text, strings[i], "%s: human-readable text", strings[i]);
        ocl_symbol_free(&symbol);
    }
}

/* ECC 200's finder: a solid L on the left and bottom, alternating modules
 * on the top and right. */
static int finder_ok(const ocl_symbol *s)
{
    int n = s->columns;
    for (int i = 0; i < n; i++) {
        if (!s->modules[(size_t)i * (size_t)n] || !s->modules[(size_t)(n - 1) * (size_t)n + i])
            return 0;
        if (s->modules[i] != (i % 2 == 0) ||
            s->modules[(size_t)i * (size_t)n + (size_t)(n - 1)] != (i % 2 == 1))
            return 0;
    }
    return 1;
}

static void test_datamatrix(void)
{
    /* Sizes: the smallest square whose data capacity (10x10: 3 codewords,
     * 12: 5, 14: 8, 16: 12, 18: 18, 20: 22, 22: 30, 24: 36, 26: 44,
     * 32: 62, 36: 86) holds the text, a codeword per character and one per
     * pair of digits in ASCII; the label URI packs its serial's capitals in
     * C40 (two codewords per three) and so fits 62 instead of 63. */
    static const struct {
        const char *text;
        int size;
    } cases[] = {
        {"A", 10},
        {"1234567890", 12},
        {"https://example.com/01/08931234567897", 22},
        {"https://truyxuatsanphambinhthuan.vn/01/08931234567897", 26},
        {"https://truyxuatsanphambinhthuan.vn/01/08931234567897/10/L1/21/ABCDEFGHJK", 32},
        {"https://truyxuatsanphambinhthuan.vn/01/08931234567897/10/LO-2025-07/21/ABCDEFGHJK"
         "?17=270301",
         36},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_symbol symbol;
        ocl_result rc =
            ocl_symbol_encode(OCL_SYMBOL_DATAMATRIX, cases[i].text, "uri", &symbol, &problems);
        CHECK(rc == OCL_OK, "'%s' encodes as Data Matrix", cases[i].text);
        if (rc != OCL_OK)
            continue;
        CHECK(symbol.rows == cases[i].size && symbol.columns == cases[i].size,
              "'%s': %d x %d modules, want %d", cases[i].text, symbol.rows, symbol.columns,
              cases[i].size);
        CHECK(finder_ok(&symbol), "'%s': the finder pattern", cases[i].text);
        CHECK(symbol.quiet_left == 2 && symbol.quiet_right == 2 && symbol.quiet_top == 2,
              "'%s': a 2-module quiet zone", cases[i].text);
        ocl_symbol_free(&symbol);
    }
}

static void test_refusals(void)
{
    static const struct {
        ocl_symbology symbology;
        const char *data;
        const char *want;
    } cases[] = {
        {OCL_SYMBOL_EAN13, "5901234123458", "gtin: check digit is 8, expected 7"},
        {OCL_SYMBOL_EAN13, "59012341234A7", "gtin: must be digits only, found 'A' at position 12"},
        {OCL_SYMBOL_EAN13, "590123412345", "gtin: check digit is 5, expected 2"},
        {OCL_SYMBOL_EAN13, "59012341234", "gtin: must have 8, 12, 13 or 14 digits, found 11"},
        {OCL_SYMBOL_EAN13, "", "gtin: required"},
        {OCL_SYMBOL_EAN13, NULL, "gtin: required"},
        {OCL_SYMBOL_EAN13, "38931234567898",
         "gtin: '38931234567898' has indicator digit 3, a trade item grouping (case or carton) "
         "that is never marked on a consumer unit: it takes no EAN-13"},
        {OCL_SYMBOL_EAN13, "98931234567890",
         "gtin: '98931234567890' has indicator digit 9, a variable measure trade item: it takes "
         "GS1-128 with its measure, never an EAN-13"},
        {OCL_SYMBOL_EAN13, "96385074",
         "gtin: '96385074' is a GTIN-8: it takes an EAN-8, not an "
         "EAN-13"},
        {OCL_SYMBOL_EAN8, "8931234567897",
         "gtin: '8931234567897' is a GTIN-13: an EAN-8 holds a "
         "GTIN-8 only"},
        {OCL_SYMBOL_EAN8, "036000291452",
         "gtin: '036000291452' is a GTIN-12: an EAN-8 holds a "
         "GTIN-8 only"},
        {OCL_SYMBOL_EAN8, "96385075", "gtin: check digit is 5, expected 4"},
        {OCL_SYMBOL_GS1_128, "(00)089312345000000013",
         "gtin: AI (00) position 18: bad checksum '3', expected '6'"},
        {OCL_SYMBOL_GS1_128, "089312345000000016", "gtin: data does not start with an AI"},
        {OCL_SYMBOL_GS1_128, "", "gtin: required"},
        {OCL_SYMBOL_DATAMATRIX, "", "gtin: required"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_symbol symbol;
        ocl_result rc =
            ocl_symbol_encode(cases[i].symbology, cases[i].data, "gtin", &symbol, &problems);
        char got[OCL_FIELD_MAX + OCL_RULE_MAX + 2] = "";
        if (problems.count)
            snprintf(got, sizeof(got), "%s: %s", problems.item[0].field, problems.item[0].rule);
        CHECK(rc == OCL_EINVAL && problems.count == 1 && symbol.modules == NULL,
              "%s '%s' refused with one problem", ocl_symbology_name(cases[i].symbology),
              cases[i].data ? cases[i].data : "(null)");
        CHECK_STR(got, cases[i].want, "%s '%s'", ocl_symbology_name(cases[i].symbology),
                  cases[i].data ? cases[i].data : "(null)");
    }
}

static void test_names(void)
{
    for (int s = 0; s < OCL_SYMBOL_COUNT; s++)
        CHECK(ocl_symbology_parse(ocl_symbology_name((ocl_symbology)s)) == s,
              "the name '%s' reads back", ocl_symbology_name((ocl_symbology)s));
    static const char *const unknown[] = {"aztec", "QR", "ean-13", "", NULL};
    for (size_t i = 0; i < ARRAY_SIZE(unknown); i++)
        CHECK(ocl_symbology_parse(unknown[i]) == -1, "'%s' is no symbology",
              unknown[i] ? unknown[i] : "(null)");
}

/* The box drawn: quiet zones included, the digits' band below the bars. */
static void test_drawn_box(void)
{
    ocl_pdf pdf;
    if (ocl_pdf_open(&pdf, FONT) != OCL_OK) {
        CHECK(0, "the font %s opens", FONT);
        return;
    }
    HPDF_Page page = HPDF_AddPage(pdf.doc);
    static const struct {
        ocl_symbology symbology;
        const char *data;
        int text;
        double width, height; /* modules, bars 60 modules high */
    } cases[] = {
        {OCL_SYMBOL_EAN13, "8931234567897", 1, 11 + 95 + 7, 60 + 9},
        {OCL_SYMBOL_EAN13, "8931234567897", 0, 11 + 95 + 7, 60},
        {OCL_SYMBOL_EAN8, "96385074", 1, 7 + 67 + 7, 60 + 9},
        {OCL_SYMBOL_DATAMATRIX, "https://example.com/01/08931234567897", 0, 26, 26},
        {OCL_SYMBOL_QR, "https://example.com/01/08931234567897", 0, 29 + 8, 29 + 8},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_symbol symbol;
        ocl_problems problems;
        ocl_problems_init(&problems);
        if (ocl_symbol_encode(cases[i].symbology, cases[i].data, "data", &symbol, &problems) !=
            OCL_OK) {
            CHECK(0, "%s encodes", cases[i].data);
            continue;
        }
        double module = 0.75, w = 0, h = 0;
        ocl_pdf_symbol(page, &pdf, &symbol, 10, 10, module, 60 * module, cases[i].text, &w, &h);
        CHECK(w > cases[i].width * module - 1e-9 && w < cases[i].width * module + 1e-9 &&
                  h > cases[i].height * module - 1e-9 && h < cases[i].height * module + 1e-9,
              "%s (text %d): box %.2f x %.2f pt, want %.2f x %.2f",
              ocl_symbology_name(cases[i].symbology), cases[i].text, w, h, cases[i].width * module,
              cases[i].height * module);
        ocl_symbol_free(&symbol);
    }
    CHECK(ocl_pdf_status(&pdf) == OCL_OK, "libharu reported no error drawing symbols");
    ocl_pdf_close(&pdf);
}

/* ---------- on full labels ---------- */

static ocl_label_job label_job(const char *gtin)
{
    ocl_label_job job = {0};
    job.text[OCL_FIELD_PRODUCT_NAME] = "Nước mắm Phan Thiết 40 độ đạm";
    job.text[OCL_FIELD_PRODUCER_NAME] = "HTX Thủy sản Hàm Tiến";
    job.text[OCL_FIELD_PRODUCER_ADDRESS] = "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết";
    job.text[OCL_FIELD_ORIGIN] = "Việt Nam";
    job.text[OCL_FIELD_NET_QUANTITY] = "500 ml";
    job.text[OCL_FIELD_INGREDIENTS] = "Cá cơm, muối biển";
    job.text[OCL_FIELD_USAGE] = "Dùng trực tiếp hoặc pha chấm";
    job.text[OCL_FIELD_STORAGE] = "Nơi khô ráo, thoáng mát";
    job.group = OCL_GROUP_FOOD;
    job.gtin = gtin;
    job.ocop_stars = 4;
    job.lot = "L2025A";
    job.has_produced = job.has_expires = 1;
    job.produced = (ocl_date){2025, 3, 1};
    job.expires = (ocl_date){2027, 3, 1};
    job.units = 1;
    return job;
}

static int box_inside(const ocl_box *inner, const ocl_box *outer)
{
    const double e = 1e-6;
    return inner->x >= outer->x - e && inner->y >= outer->y - e &&
           inner->x + inner->width <= outer->x + outer->width + e &&
           inner->y + inner->height <= outer->y + outer->height + e;
}

static int box_overlap(const ocl_box *a, const ocl_box *b)
{
    return a->width > 0 && b->width > 0 && a->x < b->x + b->width && b->x < a->x + a->width &&
           a->y < b->y + b->height && b->y < a->y + a->height;
}

static ocl_result load_sheet(const char *name, ocl_sheet *sheet)
{
    char path[256];
    ocl_problems problems;
    ocl_problems_init(&problems);
    snprintf(path, sizeof(path), "templates/sheets/%s.sheet", name);
    return ocl_sheet_load(path, sheet, &problems);
}

/* The code's side in modules, quiet zone included, for a serial of the
 * job: a Data Matrix of mixed letters and digits is the largest. */
static int code_side(const ocl_label_job *job, ocl_symbology symbology)
{
    char uri[OCL_URI_MAX + 1];
    ocl_symbol symbol;
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (ocl_label_uri(job, NULL, "W0W0W0W0W0", uri, sizeof(uri)) != OCL_OK ||
        ocl_symbol_encode(symbology, uri, "uri", &symbol, &problems) != OCL_OK)
        return 0;
    int side = symbol.columns + symbol.quiet_left + symbol.quiet_right;
    ocl_symbol_free(&symbol);
    return side;
}

/* Where the EAN is drawn, it keeps clear of everything else. */
static void check_ean(const char *name, const ocl_label_geometry *g, int bars)
{
    const double margin = 1.5;
    ocl_box safe = {margin, margin, g->label.width - 2 * margin, g->label.height - 2 * margin};
    int clear = 1;
    for (int i = 0; i < g->lines; i++)
        clear &= !box_overlap(&g->line[i], &g->ean);
    CHECK(box_inside(&g->ean, &safe), "%s: the EAN is within the safe margin", name);
    CHECK(!box_overlap(&g->ean, &g->qr), "%s: the EAN is clear of the code's quiet zone", name);
    CHECK(clear, "%s: no text line enters the EAN or its quiet zones", name);
    CHECK(!box_overlap(&g->ean, &g->pin), "%s: the PIN's box is clear of the EAN", name);
    CHECK(g->ean_module >= 0.264 - 1e-9 && g->ean_module <= 0.33 + 1e-9,
          "%s: the EAN's module %.3f mm is 80 to 100 %% of 0.33", name, g->ean_module);
    double want = (bars == 95 ? 11 + 95 + 7 : 7 + 67 + 7) * g->ean_module;
    CHECK(g->ean.width > want - 1e-6 && g->ean.width < want + 1e-6,
          "%s: the EAN's box %.2f mm wide holds its quiet zones (%.2f)", name, g->ean.width, want);
}

/* Every sheet, each GTIN, each symbology, with and without a PIN: the EAN
 * drawn clear of everything, or left off with the size that would hold
 * it, which then does. */
static void test_label_geometry(void)
{
    static const char *const sheets[] = {"a4-3x8", "a4-3x7",     "a4-2x7",     "a4-4x10",
                                         "a4-1x1", "roll-50x30", "roll-60x40", "roll-100x50"};
    static const char *const gtins[] = {"08931234567897", "00000096385074"};
    static const char *const pins[] = {"1234 5678"};
    int drawn = 0, left_off = 0;
    for (size_t s = 0; s < ARRAY_SIZE(sheets); s++)
        for (size_t k = 0; k < ARRAY_SIZE(gtins) * 4; k++) {
            ocl_sheet sheet;
            if (load_sheet(sheets[s], &sheet) != OCL_OK) {
                CHECK(0, "sheet %s loads", sheets[s]);
                continue;
            }
            ocl_label_job job = label_job(gtins[k % 2]);
            ocl_symbology symbology = k / 2 % 2 ? OCL_SYMBOL_DATAMATRIX : OCL_SYMBOL_QR;
            ocl_label_options options = {.font_path = FONT,
                                         .ocop_mark = 1,
                                         .symbol = symbology,
                                         .pins = k / 4 ? pins : NULL};
            char name[96];
            snprintf(name, sizeof(name), "%s, GTIN %s, %s%s", sheets[s], gtins[k % 2],
                     ocl_symbology_name(symbology), k / 4 ? ", PIN" : "");
            ocl_problems problems;
            ocl_problems_init(&problems);
            ocl_label_geometry g;
            if (ocl_labels_geometry(&job, &sheet, &options, &g, &problems) != OCL_OK)
                continue; /* no room for a PIN: test_labels.c */
            int side = code_side(&job, symbology);
            CHECK(side > 0 && g.qr.width / side >= 0.4 - 1e-9, "%s: the code's modules are %.3f mm",
                  name, side ? g.qr.width / side : 0);
            if (g.ean.width > 0) {
                drawn++;
                check_ean(name, &g, k % 2 ? 67 : 95);
                CHECK(g.ean_needs_width == 0, "%s: drawn, so no size is suggested", name);
                continue;
            }
            left_off++;
            CHECK(g.ean_needs_width >= sheet.label_width && g.ean_needs_height > sheet.label_height,
                  "%s: left off, a larger label suggested (%g x %g)", name, g.ean_needs_width,
                  g.ean_needs_height);
            sheet.label_width = g.ean_needs_width;
            sheet.label_height = g.ean_needs_height;
            ocl_problems_init(&problems);
            CHECK(ocl_labels_geometry(&job, &sheet, &options, &g, &problems) == OCL_OK &&
                      g.ean.width > 0,
                  "%s: the suggested %g x %g mm label holds the EAN", name, sheet.label_width,
                  sheet.label_height);
            if (g.ean.width > 0)
                check_ean(name, &g, k % 2 ? 67 : 95);
        }
    CHECK(drawn > 10 && left_off > 10,
          "the EAN is drawn on some labels (%d), left off on others (%d)", drawn, left_off);
}

/* Real serials: each label's Data Matrix is no larger than the one planned
 * for, whatever letters and digits the serial draws. */
static void test_datamatrix_serials(void)
{
    enum { COUNT = 1500 };
    static char serials[COUNT][OCL_SERIAL_LEN + 1];
    static const char *list[COUNT];
    for (int i = 0; i < COUNT; i++) {
        ocl_serial_generate(serials[i]);
        list[i] = serials[i];
    }
    ocl_sheet sheet;
    load_sheet("a4-3x8", &sheet);
    ocl_label_job job = label_job("08931234567897");
    ocl_label_options options = {
        .font_path = FONT, .ocop_mark = 1, .symbol = OCL_SYMBOL_DATAMATRIX, .threads = 2};
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_buffer pdf = {0};
    ocl_result rc = ocl_labels_pdf(&job, &sheet, &options, list, COUNT, &pdf, &problems);
    CHECK(rc == OCL_OK && pdf.len > 0, "%d Data Matrix labels drawn: %s", COUNT, ocl_strerror(rc));
    ocl_buffer_free(&pdf);
}

/* An EAN refused for the job's GTIN names the job's field. */
static void test_label_refusals(void)
{
    static const struct {
        const char *gtin;
        ocl_retail_barcode retail;
        const char *sheet;
        const char *want; /* NULL: drawn */
    } cases[] = {
        {"38931234567898", OCL_RETAIL_AUTO, "roll-100x50",
         "product.gtin: '38931234567898' has indicator digit 3, a trade item grouping (case or "
         "carton) that is never marked on a consumer unit: it takes no EAN-13"},
        {"38931234567898", OCL_RETAIL_NEVER, "roll-100x50", NULL},
        {"08931234567897", OCL_RETAIL_ALWAYS, "roll-100x50", NULL},
        {"08931234567897", OCL_RETAIL_ALWAYS, "roll-50x30",
         "sheet: 'roll-50x30' labels (50.0 x 30.0 mm) have no room beside the contents for the "
         "EAN-13 (29.8 x 20.7 mm at 80 %) retail_barcode 'always' asks for: labels of 50 x 68 mm "
         "hold it"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_sheet sheet;
        load_sheet(cases[i].sheet, &sheet);
        ocl_label_job job = label_job(cases[i].gtin);
        job.retail_barcode = cases[i].retail;
        ocl_label_options options = {.font_path = FONT, .ocop_mark = 1};
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_label_geometry g;
        ocl_result rc = ocl_labels_geometry(&job, &sheet, &options, &g, &problems);
        char got[OCL_FIELD_MAX + OCL_RULE_MAX + 2] = "(drawn)";
        if (rc != OCL_OK && problems.count)
            snprintf(got, sizeof(got), "%s: %s", problems.item[0].field, problems.item[0].rule);
        CHECK_STR(got, cases[i].want ? cases[i].want : "(drawn)", "GTIN %s, retail %d on %s",
                  cases[i].gtin, (int)cases[i].retail, cases[i].sheet);
    }
}

void test_barcode(void)
{
    test_ean();
    test_gs1_128();
    test_datamatrix();
    test_refusals();
    test_names();
    test_drawn_box();
    test_label_geometry();
    test_datamatrix_serials();
    test_label_refusals();
}
