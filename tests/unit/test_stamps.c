/*
 * Stamp tests below the command line: the layout files' rules (each bad
 * file refused naming the file, its element and the rule), the geometry of
 * every stamp sheet with its default layout (modules of 0.4 mm or more, no
 * ink in the code's quiet zone or past the stamp, no text under 4 pt), the
 * too-small refusal, and the logo's checks.
 */
#include "check.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT "fonts/NotoSans-Regular.ttf"

/* A layout every case below starts from: a 30 x 20 mm stamp, code left. */
#define GOOD                                                                                       \
    "kind = stamp\n[code]\nbox = 0 0 0.6 1\n[serial]\nbox = 0.6 0.8 0.4 0.2\n"                     \
    "[caption]\nbox = 0.6 0.4 0.4 0.4\nlines = 3\n[mark]\nbox = 0.6 0 0.4 0.35\n"

static void test_layout_rules(void)
{
    static const struct {
        const char *name, *text;
        const char *field; /* NULL: accepted */
        const char *rule;  /* a part of the rule */
    } cases[] = {
        {"good", GOOD, NULL, NULL},
        {"mm", GOOD "[name]\nbox = 18mm 7.2mm 12mm 0.6mm\n", NULL, NULL},
        {"over-quiet-zone", GOOD "[name]\nbox = 0.5 0.4 0.1 0.1\n", "layout.name",
         "overlaps the code's box"},
        {"missing-serial",
         "[code]\nbox = 0 0 0.6 1\n[caption]\nbox = 0.6 0.4 0.4 0.4\n[mark]\nbox = 0.6 0 0.4 0.3\n",
         "layout.serial", "missing: a stamp must place the serial"},
        {"missing-mark",
         "[code]\nbox = 0 0 0.6 1\n[serial]\nbox = 0.6 0.8 0.4 0.2\n[caption]\nbox = 0.6 0 0.4 "
         "0.7\n",
         "layout.mark", "missing"},
        {"outside", GOOD "[name]\nbox = 0.7 0.36 0.4 0.03\n", "layout.name", "reaches past"},
        {"outside-mm", GOOD "[logo]\nbox = 25mm 7.2mm 6mm 0.5mm\n", "layout.logo", "reaches past"},
        {"unknown-element", GOOD "[barcode]\nbox = 0 0 1 1\n", "layout",
         "unknown element 'barcode'"},
        {"unknown-key", GOOD "[name]\nbox = 0.6 0.36 0.4 0.03\ncolour = red\n", "layout.name",
         "takes no key 'colour'"},
        {"no-box", GOOD "[name]\nsize = 5 6\n", "layout.name", "has no box"},
        {"bad-length", GOOD "[name]\nbox = 0.6 0.36 12 0.03\n", "layout.name",
         "neither a length in mm"},
        {"tiny-text", GOOD "[name]\nbox = 0.6 0.36 0.4 0.03\nsize = 3 5\n", "layout.name",
         "under the 4.0 pt"},
        {"twice", GOOD "[serial]\nbox = 0 0 1 1\n", "layout.serial", "placed twice"},
        {"rotate", GOOD "[name]\nbox = 0.6 0.36 0.4 0.03\nrotate = 45\n", "layout.name",
         "rotate: must be 0, 90"},
        {"overlap", GOOD "[name]\nbox = 0.6 0.7 0.4 0.2\n", "layout.name", "overlaps the serial's"},
        {"kind", "kind = poster\n" GOOD, "layout", "not a kind of layout"},
        {"every-element", GOOD "[name]\nbox = 0.6 0.36 0.4 0.03\n[logo]\nbox = 0.6 0.39 0.1 0.01\n",
         NULL, NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_layout layout;
        ocl_box box[OCL_ELEMENT_COUNT];
        ocl_problems problems;
        ocl_problems_init(&problems);
        char file[64];
        snprintf(file, sizeof(file), "%s.layout", cases[i].name);
        ocl_result rc =
            ocl_layout_parse(cases[i].text, strlen(cases[i].text), file, &layout, &problems);
        if (rc == OCL_OK)
            rc = ocl_layout_place(&layout, 30, 20, box, &problems);
        if (!cases[i].field) {
            CHECK(rc == OCL_OK, "%s: accepted (%s: %s)", file, problems.item[0].field,
                  problems.item[0].rule);
            continue;
        }
        CHECK(rc == OCL_EINVAL && problems.count >= 1, "%s: refused", file);
        CHECK_STR(problems.item[0].field, cases[i].field, "%s: the element named", file);
        CHECK(strstr(problems.item[0].rule, file) && strstr(problems.item[0].rule, cases[i].rule),
              "%s: the rule names the file and says '%s': %s", file, cases[i].rule,
              problems.item[0].rule);
    }
}

static int inside(const ocl_box *inner, const ocl_box *outer)
{
    const double e = 1e-6;
    return inner->x >= outer->x - e && inner->y >= outer->y - e &&
           inner->x + inner->width <= outer->x + outer->width + e &&
           inner->y + inner->height <= outer->y + outer->height + e;
}

static int overlap(const ocl_box *a, const ocl_box *b)
{
    return a->x < b->x + b->width && b->x < a->x + a->width && a->y < b->y + b->height &&
           b->y < a->y + a->height;
}

static ocl_label_job stamp_job(void)
{
    ocl_label_job job = {0};
    job.text[OCL_FIELD_PRODUCT_NAME] = "Nước mắm Phan Thiết";
    job.gtin = "08931234567897";
    job.lot = "L2025A";
    job.has_expires = 1;
    job.expires = (ocl_date){2027, 3, 1};
    job.ocop_stars = 5;
    job.units = 1;
    return job;
}

static void check_stamp(const char *name, const ocl_stamp_geometry *g, int want_name)
{
    CHECK(g->module >= OCL_STAMP_MODULE_MIN_MM - 1e-9, "%s: modules of %.3f mm", name, g->module);
    CHECK(inside(&g->code, &g->code_box) && inside(&g->code_box, &g->stamp),
          "%s: the code is in its box, on the stamp", name);
    double quiet = OCL_STAMP_QUIET * g->module;
    CHECK(g->dark.x - g->code.x >= quiet - 1e-6 &&
              g->code.y + g->code.height - g->dark.y - g->dark.height >= quiet - 1e-6,
          "%s: a quiet zone of %d modules", name, OCL_STAMP_QUIET);
    int clear = 1, on_stamp = 1, sizes = 1, names = 0, serials = 0, captions = 0;
    for (int i = 0; i < g->lines; i++) {
        clear &= !overlap(&g->line[i], &g->code_box);
        on_stamp &= inside(&g->line[i], &g->stamp);
        sizes &= g->line_size[i] >= 4.0 - 1e-9;
        names += g->line_element[i] == OCL_ELEMENT_NAME;
        serials += g->line_element[i] == OCL_ELEMENT_SERIAL;
        captions += g->line_element[i] == OCL_ELEMENT_CAPTION;
    }
    CHECK(clear, "%s: no text in the code's box and quiet zone", name);
    CHECK(on_stamp, "%s: every line on the stamp", name);
    CHECK(sizes, "%s: no text under 4 pt", name);
    CHECK(serials == 1 && captions >= 1 && (names > 0) == want_name,
          "%s: one serial line (%d), the caption (%d), the name (%d)", name, serials, captions,
          names);
    CHECK(g->mark && inside(&g->mark_ink, &g->element[OCL_ELEMENT_MARK]) &&
              !overlap(&g->mark_ink, &g->code_box),
          "%s: the mark in its box, clear of the code", name);
}

static void test_stamp_geometry(void)
{
    static const struct {
        const char *sheet, *layout, *base_url;
        int name;
    } cases[] = {
        /* A code of 41 modules (a shorter link) is the most 20 mm hold. */
        {"stamp-a4-20x20", "stamp-small", "https://tx.bt.vn", 0},
        {"stamp-roll-20x20", "stamp-small", "https://tx.bt.vn", 0},
        {"stamp-a4-25x25", "stamp-square", NULL, 1},
        {"stamp-a4-30x20", "stamp", NULL, 1},
        {"stamp-roll-30x20", "stamp", NULL, 1},
        {"stamp-a4-35x22", "stamp", NULL, 1},
        {"stamp-a4-35x22", "stamp-logo", NULL, 1},
        {"stamp-roll-40x30", "stamp", NULL, 1},
        {"stamp-roll-40x30", "stamp-logo", NULL, 1},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char path[256], name[128];
        ocl_sheet sheet;
        ocl_layout layout;
        ocl_problems problems;
        ocl_problems_init(&problems);
        snprintf(path, sizeof(path), "templates/sheets/%s.sheet", cases[i].sheet);
        CHECK(ocl_sheet_load(path, &sheet, &problems) == OCL_OK, "%s loads", path);
        snprintf(path, sizeof(path), "templates/layouts/%s.layout", cases[i].layout);
        CHECK(ocl_layout_load(path, &layout, &problems) == OCL_OK, "%s loads", path);
        if (!strchr(cases[i].layout, '-') || strstr(cases[i].layout, "small") ||
            strstr(cases[i].layout, "square"))
            CHECK_STR(ocl_stamp_layout_default(sheet.label_width, sheet.label_height),
                      cases[i].layout, "%s: the default layout", cases[i].sheet);
        ocl_label_job job = stamp_job();
        ocl_stamp_options options = {
            .font_path = FONT, .base_url = cases[i].base_url, .ocop_mark = 1};
        ocl_stamp_geometry g;
        snprintf(name, sizeof(name), "%s with %s", cases[i].sheet, cases[i].layout);
        ocl_result rc = ocl_stamps_geometry(&job, &sheet, &layout, &options, &g, &problems);
        CHECK(rc == OCL_OK, "%s: fits (%s: %s)", name, problems.item[0].field,
              problems.item[0].rule);
        if (rc == OCL_OK)
            check_stamp(name, &g, cases[i].name);
        options.symbol = OCL_SYMBOL_DATAMATRIX;
        rc = ocl_stamps_geometry(&job, &sheet, &layout, &options, &g, &problems);
        CHECK(rc == OCL_OK, "%s, Data Matrix: fits (%s)", name, problems.item[0].rule);
        if (rc == OCL_OK)
            check_stamp(name, &g, cases[i].name);
    }
}

/* The default link on 20 mm: refused, with the stamp that would hold it
 * and the ways to a shorter code. */
static void test_too_small(void)
{
    ocl_sheet sheet;
    ocl_layout layout;
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_sheet_load("templates/sheets/stamp-a4-20x20.sheet", &sheet, &problems);
    ocl_layout_load("templates/layouts/stamp-small.layout", &layout, &problems);
    ocl_label_job job = stamp_job();
    ocl_stamp_options options = {.font_path = FONT, .ocop_mark = 1};
    ocl_stamp_geometry g;
    CHECK(ocl_stamps_geometry(&job, &sheet, &layout, &options, &g, &problems) == OCL_EINVAL &&
              problems.count == 2,
          "20 x 20 with the default link: refused");
    CHECK_STR(problems.item[0].field, "sheet", "the refusal names the sheet");
    CHECK(strstr(problems.item[0].rule, "0.364 mm") &&
              strstr(problems.item[0].rule, "45 modules") &&
              strstr(problems.item[0].rule, "22.0 x 22.0 mm"),
          "it gives the module, the code and the stamp that holds it: %s", problems.item[0].rule);
    CHECK(strstr(problems.item[1].rule, "base_url") && strstr(problems.item[1].rule, "expiry"),
          "and how to shorten the code: %s", problems.item[1].rule);
    /* Without the expiry and with a shorter resolver, it fits. */
    job.has_expires = 0;
    options.base_url = "https://truyxuat.binhthuan.vn";
    ocl_problems_init(&problems);
    CHECK(ocl_stamps_geometry(&job, &sheet, &layout, &options, &g, &problems) == OCL_OK &&
              g.modules == 41,
          "without the expiry, a 29-character resolver fits 20 mm (%d modules)", g.modules);
}

static void test_logo(void)
{
    unsigned char bits[4 * 10] = {0};
    ocl_buffer small = {0}, wide = {0};
    ocl_png_bitmap_buffer(bits, 30, 10, 72, &small);
    unsigned char *row = calloc(1, 2001 / 8 + 1);
    ocl_png_bitmap_buffer(row, 2001, 1, 72, &wide);
    size_t huge_len = OCL_LOGO_BYTES_MAX + 1;
    unsigned char *huge = calloc(1, huge_len);
    memcpy(huge, small.data, small.len);
    static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00";
    unsigned char broken[64];
    memcpy(broken, small.data, 16);
    memset(broken + 16, 0x55, sizeof(broken) - 16);
    const struct {
        const char *name;
        const unsigned char *data;
        size_t len;
        const char *rule; /* NULL: accepted */
    } cases[] = {
        {"a PNG", small.data, small.len, NULL},
        {"a GIF", gif, sizeof(gif) - 1, "must be a PNG image"},
        {"a broken PNG", broken, sizeof(broken), "not a readable PNG"},
        {"2001 pixels wide", wide.data, wide.len, "at most 2000 x 2000"},
        {"over 1 MB", huge, huge_len, "bytes; at most 1048576"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        int w = 0, h = 0;
        ocl_result rc = ocl_logo_check(cases[i].data, cases[i].len, "logo", &w, &h, &problems);
        if (!cases[i].rule)
            CHECK(rc == OCL_OK && w == 30 && h == 10, "%s: accepted, %d x %d", cases[i].name, w, h);
        else
            CHECK(rc == OCL_EINVAL && strcmp(problems.item[0].field, "logo") == 0 &&
                      strstr(problems.item[0].rule, cases[i].rule),
                  "%s: refused naming the logo and '%s': %s", cases[i].name, cases[i].rule,
                  problems.item[0].rule);
    }
    free(huge);
    free(row);
    ocl_buffer_free(&small);
    ocl_buffer_free(&wide);
}

void test_stamps(void)
{
    test_layout_rules();
    test_stamp_geometry();
    test_too_small();
    test_logo();
}
