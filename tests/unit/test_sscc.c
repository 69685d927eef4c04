/*
 * SSCC tests: company prefixes, building an SSCC from its parts (GS1's
 * own examples among them), checking one, and its EPC URI, with every
 * refusal's exact message; and the carton label's geometry on each sheet
 * it is made for (the bars' X-dimension and height as GS1 asks, nothing
 * over the QR's quiet zone or the bars), and what it refuses.
 */
#include "check.h"
#include "ocoplabels.h"

#include <stdio.h>
#include <string.h>

/* The first problem as "field: rule", or "ok". */
static const char *outcome(ocl_result rc, const ocl_problems *problems, char *out, size_t size)
{
    if (rc == OCL_OK)
        return "ok";
    snprintf(out, size, "%s: %s", problems->count ? problems->item[0].field : "",
             problems->count ? problems->item[0].rule : "no problem given");
    return out;
}

static void test_company_prefix(void)
{
    static const struct {
        const char *prefix, *want;
    } cases[] = {
        {"8931234", "ok"},
        {"89312345678", "ok"},
        {"0614141", "ok"},
        {"893123", "company_prefix: must have 7 to 11 digits (a GS1 company prefix), found 6"},
        {"893123456789",
         "company_prefix: must have 7 to 11 digits (a GS1 company prefix), found 12"},
        {"89312a4", "company_prefix: must be digits only (a GS1 company prefix), found 'a' at "
                    "position 6"},
        {" 8931234", "company_prefix: must be digits only (a GS1 company prefix), found ' ' at "
                     "position 1"},
        {"", "company_prefix: required"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        char text[256];
        ocl_result rc = ocl_company_prefix_check(cases[i].prefix, "company_prefix", &problems);
        CHECK_STR(outcome(rc, &problems, text, sizeof(text)), cases[i].want, "prefix '%s'",
                  cases[i].prefix);
    }
}

static void test_reference_max(void)
{
    static const struct {
        size_t len;
        long long max;
    } cases[] = {{7, 999999999LL}, {9, 9999999LL}, {11, 99999LL}, {6, 0}, {12, 0}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        CHECK(ocl_sscc_reference_max(cases[i].len) == cases[i].max,
              "references under a prefix of %zu digits: got %lld, want %lld", cases[i].len,
              ocl_sscc_reference_max(cases[i].len), cases[i].max);
}

static void test_build(void)
{
    static const struct {
        int extension;
        const char *prefix;
        long long reference;
        const char *want; /* the SSCC, or the problem */
    } cases[] = {
        /* GS1 General Specifications' example, (00) 376104250021234569 */
        {3, "761042500", 2123456, "376104250021234569"},
        /* the Tag Data Standard's example, urn:epc:id:sscc:0614141.1234567890 */
        {1, "0614141", 123456789, "106141411234567897"},
        {0, "8931234", 1, "089312340000000011"},
        {9, "89312345678", 99999, "989312345678999998"},
        {0, "8931234", 999999999, "089312349999999993"},
        {0, "8931234", 1000000000,
         "serial_reference: must be 0 to 999999999 under a company prefix of 7 digits, found "
         "1000000000"},
        {0, "89312345678", 100000,
         "serial_reference: must be 0 to 99999 under a company prefix of 11 digits, found 100000"},
        {0, "8931234", -1,
         "serial_reference: must be 0 to 999999999 under a company prefix of 7 digits, found -1"},
        {10, "8931234", 1, "extension_digit: must be 0 to 9, found 10"},
        {0, "893123", 1,
         "company_prefix: must have 7 to 11 digits (a GS1 company prefix), found 6"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        char sscc[OCL_SSCC_LEN + 1] = "", text[256];
        ocl_result rc = ocl_sscc_build(cases[i].extension, cases[i].prefix, cases[i].reference,
                                       sscc, &problems);
        CHECK_STR(rc == OCL_OK ? sscc : outcome(rc, &problems, text, sizeof(text)), cases[i].want,
                  "SSCC of %d, '%s', %lld", cases[i].extension, cases[i].prefix,
                  cases[i].reference);
        if (rc == OCL_OK) {
            ocl_problems_init(&problems);
            CHECK(ocl_sscc_check(sscc, "sscc", &problems) == OCL_OK, "a built SSCC %s checks",
                  sscc);
        }
    }
}

static void test_check(void)
{
    static const struct {
        const char *sscc, *want;
    } cases[] = {
        {"376104250021234569", "ok"},
        {"106141411234567897", "ok"},
        {"000000000000000000", "ok"},
        {"376104250021234568", "sscc: check digit is 8, expected 9"},
        {"106141411234567879", "sscc: check digit is 9, expected 3"},
        {"37610425002123456", "sscc: must have 18 digits (an SSCC), found 17"},
        {"3761042500212345690", "sscc: must have 18 digits (an SSCC), found 19"},
        {"37610425002123456X", "sscc: must be digits only, found 'X' at position 18"},
        {"", "sscc: required"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        char text[256];
        ocl_result rc = ocl_sscc_check(cases[i].sscc, "sscc", &problems);
        CHECK_STR(outcome(rc, &problems, text, sizeof(text)), cases[i].want, "SSCC '%s'",
                  cases[i].sscc);
    }
}

static void test_epc_uri(void)
{
    static const struct {
        const char *sscc;
        size_t prefix_len;
        const char *want; /* NULL: refused */
    } cases[] = {
        {"106141411234567897", 7, "urn:epc:id:sscc:0614141.1123456789"},
        {"376104250021234569", 9, "urn:epc:id:sscc:761042500.32123456"},
        {"089312340000000011", 7, "urn:epc:id:sscc:8931234.0000000001"},
        {"989312345678999998", 11, "urn:epc:id:sscc:89312345678.999999"},
        {"106141411234567897", 6, NULL},
        {"106141411234567898", 7, NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char uri[OCL_SSCC_EPC_MAX] = "";
        ocl_result rc = ocl_sscc_epc_uri(cases[i].sscc, cases[i].prefix_len, uri, sizeof(uri));
        if (cases[i].want)
            CHECK_STR(rc == OCL_OK ? uri : "refused", cases[i].want, "EPC URI of %s",
                      cases[i].sscc);
        else
            CHECK(rc == OCL_EINVAL, "EPC URI of %s with a prefix of %zu digits refused",
                  cases[i].sscc, cases[i].prefix_len);
    }
    char small[20];
    CHECK(ocl_sscc_epc_uri("106141411234567897", 7, small, sizeof(small)) == OCL_ERANGE,
          "an EPC URI reports a short buffer");
}

static ocl_carton sample_carton(void)
{
    ocl_carton c = {.sscc = "089312340000000011",
                    .producer_name = "HTX Thủy sản Hàm Tiến",
                    .producer_address = "Phường Hàm Tiến, Phan Thiết",
                    .product_name = "Cá cơm khô",
                    .gtin = "08931234567897",
                    .count = 24,
                    .lot = "CC2503",
                    .has_expires = 1,
                    .expires = {2027, 3, 1},
                    .link = "https://truyxuat.example.vn/ocop/00/089312340000000011"};
    return c;
}

static int box_inside(const ocl_box *inner, const ocl_box *outer)
{
    return inner->x >= outer->x - 1e-9 && inner->y >= outer->y - 1e-9 &&
           inner->x + inner->width <= outer->x + outer->width + 1e-9 &&
           inner->y + inner->height <= outer->y + outer->height + 1e-9;
}

static int boxes_overlap(const ocl_box *a, const ocl_box *b)
{
    return a->width > 0 && a->height > 0 && b->width > 0 && b->height > 0 &&
           a->x < b->x + b->width && b->x < a->x + a->width && a->y < b->y + b->height &&
           b->y < a->y + a->height;
}

static void test_carton_geometry(void)
{
    static const struct {
        const char *sheet;
        double bars_min; /* mm */
    } sheets[] = {{"roll-100x150", 31.75}, {"a6", 31.75}, {"roll-100x50", 20}};
    for (size_t i = 0; i < ARRAY_SIZE(sheets); i++) {
        char path[128];
        snprintf(path, sizeof(path), "templates/sheets/%s.sheet", sheets[i].sheet);
        ocl_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_carton c = sample_carton();
        ocl_carton_geometry g;
        ocl_result rc = ocl_sheet_load(path, &sheet, &problems);
        if (rc == OCL_OK)
            rc = ocl_carton_label_geometry(&c, &sheet, &g, &problems);
        CHECK(rc == OCL_OK, "%s: the carton label is laid out (%s)", sheets[i].sheet,
              problems.count ? problems.item[0].rule : "");
        if (rc != OCL_OK)
            continue;
        CHECK(g.x_dimension >= 0.495 && g.x_dimension <= 0.94,
              "%s: X-dimension %.3f mm, within GS1's 0.495 to 0.94", sheets[i].sheet,
              g.x_dimension);
        CHECK(g.bar_height >= sheets[i].bars_min, "%s: bars %.2f mm high, at least %.2f",
              sheets[i].sheet, g.bar_height, sheets[i].bars_min);
        CHECK(box_inside(&g.barcode, &g.label) && box_inside(&g.qr, &g.label) &&
                  box_inside(&g.from, &g.label) && box_inside(&g.content, &g.label),
              "%s: every part inside the label", sheets[i].sheet);
        CHECK(!boxes_overlap(&g.qr, &g.from) && !boxes_overlap(&g.qr, &g.content) &&
                  !boxes_overlap(&g.qr, &g.barcode) && !boxes_overlap(&g.barcode, &g.from) &&
                  !boxes_overlap(&g.barcode, &g.content) && !boxes_overlap(&g.from, &g.content),
              "%s: nothing over the QR's quiet zone, the bars or another block", sheets[i].sheet);
        CHECK(g.qr_module >= 0.4, "%s: QR modules of %.2f mm, 0.4 or more", sheets[i].sheet,
              g.qr_module);
    }
}

static void test_carton_refusals(void)
{
    char long_link[400];
    memset(long_link, 'a', sizeof(long_link) - 1);
    memcpy(long_link, "https://", 8);
    long_link[sizeof(long_link) - 1] = '\0';
    static const struct {
        const char *sheet;
        int change;
        const char *want;
    } cases[] = {
        {"a4-3x8", 0,
         "sheet: a label 70.0 mm wide cannot hold the SSCC's bars, 88.0 mm wide at 0.50 mm "
         "modules"},
        {"roll-100x150", 1, "sscc: check digit is 2, expected 1"},
        {"roll-100x150", 2, "count: must be at least 1, found 0"},
        {"roll-100x150", 3, "gtin: check digit is 8, expected 7"},
        {"roll-100x150", 4,
         "lot: ' ' at position 3 is not in GS1 character set 82 (letters A-Z "
         "a-z, digits and !\"%&'()*+,-./:;<=>?_ only)"},
        {"roll-100x50", 5,
         "link: its QR code (34.0 mm) leaves too little room on a 100 x 50 mm label: use a "
         "shorter base URL or a larger label"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char path[128], got[512] = "(laid out)";
        snprintf(path, sizeof(path), "templates/sheets/%s.sheet", cases[i].sheet);
        ocl_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_carton c = sample_carton();
        c.sscc = cases[i].change == 1 ? "089312340000000012" : c.sscc;
        c.count = cases[i].change == 2 ? 0 : c.count;
        c.gtin = cases[i].change == 3 ? "08931234567898" : c.gtin;
        c.lot = cases[i].change == 4 ? "CC 25" : c.lot;
        c.link = cases[i].change == 5 ? long_link : c.link;
        ocl_carton_geometry g;
        ocl_result rc = ocl_sheet_load(path, &sheet, &problems);
        if (rc == OCL_OK)
            rc = ocl_carton_label_geometry(&c, &sheet, &g, &problems);
        if (rc != OCL_OK && problems.count)
            snprintf(got, sizeof(got), "%s: %s", problems.item[0].field, problems.item[0].rule);
        CHECK_STR(got, cases[i].want, "carton label case %zu", i);
    }
}

void test_sscc(void)
{
    test_company_prefix();
    test_reference_max();
    test_build();
    test_check();
    test_epc_uri();
    test_carton_geometry();
    test_carton_refusals();
}
