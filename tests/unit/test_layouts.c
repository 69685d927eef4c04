/*
 * Layout tests below the command line for full labels and carton labels:
 * the built-in layouts are their files, each bad layout is refused naming
 * the file, the element and the rule (the law's fields for the product's
 * group, the code's quiet zone, the margin, the floors), and on every
 * label sheet each shipped layout keeps the code clear, everything inside
 * the margin, the name the largest text, and puts things where it says:
 * the code on the right, the logo in its band.
 */
#include "check.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT "fonts/NotoSans-Regular.ttf"

static const char *const label_sheets[] = {"a4-3x8",     "a4-3x7",      "a4-2x7",
                                           "a4-1x1",     "a6",          "roll-50x30",
                                           "roll-60x40", "roll-100x50", "roll-100x150"};

/* ---------- the files and the built-ins ---------- */

static int same_length(const ocl_length *a, const ocl_length *b)
{
    return a->value == b->value && a->fraction == b->fraction;
}

/* Whether two elements say the same, wherever their sections are. */
static int same_element(const ocl_layout_element *a, const ocl_layout_element *b)
{
    int same = a->present == b->present && a->has_box == b->has_box && a->size_min == b->size_min &&
               a->size_max == b->size_max && a->lines == b->lines && a->align == b->align &&
               a->valign == b->valign && a->rotate == b->rotate && strcmp(a->text, b->text) == 0 &&
               a->order_count == b->order_count && a->gap == b->gap && a->max == b->max &&
               a->scale_min == b->scale_min && a->scale_max == b->scale_max &&
               same_length(&a->height, &b->height) && a->module == b->module &&
               a->places == b->places && a->clear == b->clear;
    for (int i = 0; same && i < 4; i++)
        same = same_length(&a->box[i], &b->box[i]);
    for (int i = 0; same && i < a->order_count; i++)
        same = a->order[i].item == b->order[i].item && a->order[i].joined == b->order[i].joined &&
               a->order[i].size == b->order[i].size;
    for (int i = 0; same && i < a->places; i++)
        same = a->place[i] == b->place[i];
    return same;
}

static void test_builtins(void)
{
    static const char *const names[] = {"label", "carton", "carton-low"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char path[128];
        snprintf(path, sizeof(path), "templates/layouts/%s.layout", names[i]);
        ocl_layout file, builtin;
        ocl_problems problems;
        ocl_problems_init(&problems);
        CHECK(ocl_layout_load(path, &file, &problems) == OCL_OK, "%s loads (%s)", path,
              problems.count ? problems.item[0].rule : "");
        CHECK(ocl_layout_builtin(names[i], &builtin) == OCL_OK, "the built-in %s", names[i]);
        int same = file.kind == builtin.kind && file.margin == builtin.margin &&
                   file.rules == builtin.rules;
        for (int e = 0; same && e < OCL_ELEMENT_COUNT; e++)
            same = same_element(&file.element[e], &builtin.element[e]);
        CHECK(same, "the built-in %s says what %s says", names[i], path);
    }
    ocl_layout none;
    CHECK(ocl_layout_builtin("stamp", &none) == OCL_EINVAL, "no built-in stamp layout");
    static const char *const shipped[] = {"label-code-right", "label-logo-header"};
    for (size_t i = 0; i < ARRAY_SIZE(shipped); i++) {
        char path[128];
        snprintf(path, sizeof(path), "templates/layouts/%s.layout", shipped[i]);
        ocl_layout layout;
        ocl_problems problems;
        ocl_problems_init(&problems);
        CHECK(ocl_layout_load(path, &layout, &problems) == OCL_OK &&
                  layout.kind == OCL_LAYOUT_LABEL,
              "%s loads as a label's layout", path);
    }
    CHECK_STR(ocl_carton_layout_default(100, 150), "carton", "100 x 150: carton");
    CHECK_STR(ocl_carton_layout_default(100, 50), "carton-low", "100 x 50: carton-low");
}

/* ---------- the rules of the files ---------- */

#define LABEL_CODE "kind = label\n[code]\nbox = 0 0 0.45 1\nmax = 60mm\n"
#define LABEL_ORDER                                                                                \
    "order = logo name mark producer origin net_quantity ingredients usage storage warnings "      \
    "standard dates lot pin\n"
#define LABEL_TEXT "[text]\nbox = 0 0 1 1\n" LABEL_ORDER
#define LABEL      LABEL_CODE "[ean]\nplace = below beside\n" LABEL_TEXT "[logo]\nheight = 0.25\n"
#define CARTON                                                                                     \
    "kind = carton\n[code]\nbox = 0 0 1 0.7\nalign = right\nmodule = 0.5mm\n[from]\nbox = 0 0 "    \
    "1 0.7\nclear = beside\norder = from:7 producer:10 address:8\n[content]\nbox = 0 0 1 "         \
    "0.7\nclear = below\norder = name:16 gtin:12 count:12 lot:12 expires:12\n[barcode]\nbox = "    \
    "0 0.72 1 0.28\nalign = center\nvalign = bottom\n"

static void test_rules(void)
{
    static const struct {
        const char *name, *text;
        const char *field; /* NULL: accepted */
        const char *rule;  /* a part of the rule */
    } cases[] = {
        {"label", LABEL, NULL, NULL},
        {"label-default-order", LABEL_CODE "[text]\nbox = 0 0 1 1\n", NULL, NULL},
        {"carton", CARTON, NULL, NULL},
        {"text-over-quiet-zone", LABEL_CODE "[text]\nbox = 0 0 1 1\ngap = -0.5mm\n", "layout.text",
         "would print text over the code's 4-module quiet zone"},
        {"logo-over-code",
         LABEL_CODE "[text]\nbox = 0 0.3 1 0.7\norder = name mark producer origin usage lot\n"
                    "[logo]\nbox = 0.3 0 0.3 0.2\n",
         "layout.logo",
         "overlaps the code's box, which holds the code and its 4-module quiet zone"},
        {"logo-over-text",
         LABEL_CODE "[text]\nbox = 0 0.1 1 0.9\norder = name mark producer origin usage lot pin\n"
                    "[logo]\nbox = 0.5 0 0.5 0.2\n",
         "layout.text", "overlaps the logo's"},
        {"no-lot",
         LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name mark producer origin usage dates\n",
         "layout.text", "no 'lot': a label must show it"},
        {"no-mark", LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name producer origin usage lot\n",
         "layout.text", "no 'mark'"},
        {"no-usage", LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name mark producer origin lot\n",
         "layout.text",
         "no 'usage', which every label must carry (product.usage: Decree 43/2017, Annex I)"},
        {"no-producer", LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name mark origin usage lot\n",
         "layout.text", "(producer.name: Decree 43/2017, Art. 10(1)(b))"},
        {"unknown-field", LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name colour\n", "layout.text",
         "'colour' is not a field of a label; known: logo, name, mark"},
        {"twice", LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name name\n", "layout.text",
         "'name' is listed twice"},
        {"name-after", LABEL_CODE "[text]\nbox = 0 0 1 1\norder = producer name\n", "layout.text",
         "'producer' comes before 'name'"},
        {"sized-label", LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name:12\n", "layout.text",
         "take no ':SIZE'"},
        {"tiny-body", LABEL_CODE "[text]\nbox = 0 0 1 1\nsize = 4 7\n", "layout.text",
         "4.00 pt is under the 5.0 pt a label's text may take"},
        {"small-name", LABEL_CODE "[text]\nbox = 0 0 1 1\nname_scale = 1 1.5\n", "layout.text",
         "the product's name is the largest text"},
        {"thin-margin", "margin = 1mm\n" LABEL, "layout", "under the 1.5 mm a label keeps clear"},
        {"stamp-margin",
         "kind = stamp\nmargin = 1mm\n[code]\nbox = 0 0 0.6 1\n[serial]\nbox = 0.6 0.8 0.4 0.2\n"
         "[caption]\nbox = 0.6 0.4 0.4 0.4\n[mark]\nbox = 0.6 0 0.4 0.35\n",
         "layout", "a stamp has none"},
        {"ean-place", LABEL_CODE "[ean]\nplace = above\n" LABEL_TEXT, "layout.ean",
         "place: expected 'below', 'beside'"},
        {"logo-two-places", LABEL "[logo]\nbox = 0 0 1 0.1\n", "layout.logo", "placed twice"},
        {"logo-box-and-flow", LABEL_CODE LABEL_TEXT "[logo]\nbox = 0.5 0.9 0.5 0.1\n",
         "layout.logo", "give it one place"},
        {"logo-nowhere",
         LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name mark producer origin usage lot\n"
                    "[logo]\nalign = center\n",
         "layout.logo", "the logo has no place"},
        {"stamp-element", LABEL "[serial]\nbox = 0 0 1 1\n", "layout",
         "unknown element 'serial'; a label has code, logo, text, ean"},
        {"no-text", LABEL_CODE, "layout.text", "missing: a label must place the text"},
        {"carton-no-barcode",
         "kind = carton\n[code]\nbox = 0 0 1 0.7\n[from]\nbox = 0 0 1 0.7\nclear = beside\n"
         "order = producer:10 name:12 gtin+count:8 lot+expires:8\n",
         "layout.barcode", "missing: a carton must place the barcode"},
        {"carton-no-size", "kind = carton\n[from]\norder = producer name:12\n", "layout.from",
         "'producer' needs its size in pt"},
        {"carton-no-count",
         "kind = carton\n[code]\nbox = 0 0 1 0.7\n[from]\nbox = 0 0 1 0.7\nclear = beside\n"
         "order = producer:10 name:12 gtin:8 lot+expires:8\n[barcode]\nbox = 0 0.7 1 0.3\n",
         "layout.from", "no 'count': a carton must show it (how many units are inside, (37))"},
        {"carton-small-module", "kind = carton\n[code]\nbox = 0 0 1 0.7\nmodule = 0.3mm\n",
         "layout.code", "module: '0.3mm' is not a length in mm from 0.4"},
        {"carton-from-over-qr",
         "kind = carton\n[code]\nbox = 0 0 1 0.7\n[from]\nbox = 0 0 1 0.7\n"
         "order = producer:10 name:12 gtin+count:8 lot+expires:8\n[barcode]\nbox = 0 0.7 1 0.3\n",
         "layout.from", "overlaps the code's box"},
        {"label-rules", "rules = on\n" LABEL, "layout", "only a carton label has rules"},
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
            rc = ocl_layout_place(&layout, 67, 34, box, &problems);
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

/* ---------- labels laid out ---------- */

static ocl_label_job food_job(ocl_group group)
{
    ocl_label_job job = {0};
    job.text[OCL_FIELD_PRODUCT_NAME] = "Nước mắm Phan Thiết 40 độ đạm";
    job.text[OCL_FIELD_PRODUCER_NAME] = "HTX Thủy sản Hàm Tiến";
    job.text[OCL_FIELD_PRODUCER_ADDRESS] = "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết";
    job.text[OCL_FIELD_NET_QUANTITY] = "500 ml";
    job.text[OCL_FIELD_INGREDIENTS] = "Cá cơm 70%, muối biển 30%";
    job.text[OCL_FIELD_USAGE] = "Chấm, nấu ăn";
    job.text[OCL_FIELD_STORAGE] = "Nơi khô ráo, thoáng mát";
    job.group = group;
    job.gtin = "08931234567897";
    job.ocop_stars = 4;
    job.lot = "L2025A";
    job.has_produced = job.has_expires = 1;
    job.produced = (ocl_date){2025, 3, 1};
    job.expires = (ocl_date){2027, 3, 1};
    job.units = 1;
    return job;
}

static ocl_result load_sheet(const char *name, ocl_sheet *sheet)
{
    char path[128];
    ocl_problems problems;
    ocl_problems_init(&problems);
    snprintf(path, sizeof(path), "templates/sheets/%s.sheet", name);
    return ocl_sheet_load(path, sheet, &problems);
}

static ocl_result load_layout(const char *name, ocl_layout *layout)
{
    char path[128];
    ocl_problems problems;
    ocl_problems_init(&problems);
    snprintf(path, sizeof(path), "templates/layouts/%s.layout", name);
    return ocl_layout_load(path, layout, &problems);
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
    return a->width > 0 && b->width > 0 && a->x < b->x + b->width && b->x < a->x + a->width &&
           a->y < b->y + b->height && b->y < a->y + a->height;
}

/* What every layout keeps: the code and its quiet zone clear of text, the
 * EAN, the logo and the mark; everything inside the margin; the name the
 * largest text; modules of 0.4 mm or more. */
static void check_kept(const char *name, const ocl_label_geometry *g)
{
    ocl_box safe = {1.5, 1.5, g->label.width - 3, g->label.height - 3};
    int code = 1, ean = 1, logo = 1, within = 1;
    double largest = 0;
    for (int i = 0; i < g->lines; i++) {
        code &= !overlap(&g->line[i], &g->qr);
        ean &= !overlap(&g->line[i], &g->ean);
        logo &= !overlap(&g->line[i], &g->logo);
        within &= inside(&g->line[i], &safe);
        if (i >= g->name_lines && g->line_size[i] > largest)
            largest = g->line_size[i];
    }
    CHECK(code && ean && logo, "%s: no line over the code (%d), the EAN (%d) or the logo (%d)",
          name, !code, !ean, !logo);
    CHECK(within, "%s: every line inside the margin", name);
    CHECK(inside(&g->qr, &safe) && (!g->ean.width || inside(&g->ean, &safe)) &&
              (!g->logo.width || inside(&g->logo, &safe)) &&
              (!g->mark_ink.width || inside(&g->mark_ink, &safe)),
          "%s: the code, the EAN, the logo and the mark inside the margin", name);
    CHECK(!overlap(&g->logo, &g->qr) && !overlap(&g->logo, &g->ean) &&
              !overlap(&g->mark_ink, &g->qr) && !overlap(&g->ean, &g->qr),
          "%s: nothing in the code's quiet zone or over the EAN", name);
    CHECK(g->lines > 0 && g->line_size[0] > largest, "%s: the name is the largest text", name);
    CHECK(g->qr.width / 45 >= 0.4 - 1e-9, "%s: modules of %.3f mm", name, g->qr.width / 45);
}

static int same_box(const ocl_box *a, const ocl_box *b)
{
    return fabs(a->x - b->x) < 1e-9 && fabs(a->y - b->y) < 1e-9 &&
           fabs(a->width - b->width) < 1e-9 && fabs(a->height - b->height) < 1e-9;
}

/* A PNG logo of w x h pixels: a black frame on white. */
static void make_logo(int w, int h, ocl_buffer *png)
{
    size_t row = (size_t)(w + 7) / 8;
    unsigned char *bits = malloc(row * (size_t)h);
    for (int y = 0; bits && y < h; y++)
        for (int x = 0; x < w; x++) {
            int dark = x < 4 || y < 4 || x >= w - 4 || y >= h - 4;
            unsigned char *byte = bits + (size_t)y * row + (size_t)x / 8, bit = 0x80 >> (x % 8);
            *byte = dark ? *byte & (unsigned char)~bit : *byte | bit;
        }
    if (bits)
        ocl_png_bitmap_buffer(bits, w, h, 300, png);
    free(bits);
}

static void test_label_layouts(void)
{
    ocl_layout standard, right, header;
    ocl_buffer logo = {0};
    make_logo(300, 100, &logo);
    int loaded = load_layout("label", &standard) == OCL_OK &&
                 load_layout("label-code-right", &right) == OCL_OK &&
                 load_layout("label-logo-header", &header) == OCL_OK;
    CHECK(loaded && logo.len > 0, "the shipped label layouts load, a logo is made");
    for (size_t s = 0; loaded && s < ARRAY_SIZE(label_sheets); s++) {
        ocl_sheet sheet;
        load_sheet(label_sheets[s], &sheet);
        ocl_label_job job = food_job(OCL_GROUP_FOOD);
        ocl_label_options options = {.font_path = FONT, .ocop_mark = 1};
        ocl_label_geometry none, file, g;
        ocl_problems problems;
        ocl_problems_init(&problems);
        char name[96];
        int ok = ocl_labels_geometry(&job, &sheet, &options, &none, &problems) == OCL_OK;
        options.layout = &standard;
        ok &= ocl_labels_geometry(&job, &sheet, &options, &file, &problems) == OCL_OK;
        int same = ok && none.lines == file.lines && same_box(&none.qr, &file.qr) &&
                   same_box(&none.ean, &file.ean) && same_box(&none.mark_ink, &file.mark_ink);
        for (int i = 0; same && i < none.lines; i++)
            same = same_box(&none.line[i], &file.line[i]);
        CHECK(same, "%s: label.layout lays the label out as the built-in default", label_sheets[s]);

        options.layout = &right;
        snprintf(name, sizeof(name), "%s, code right", label_sheets[s]);
        if (ocl_labels_geometry(&job, &sheet, &options, &g, &problems) == OCL_OK) {
            check_kept(name, &g);
            CHECK(fabs(g.qr.x + g.qr.width - (g.label.width - 1.5)) < 1e-6 &&
                      g.qr.x > g.label.width / 2 - 1e-6,
                  "%s: the code against the right margin (%.1f to %.1f mm)", name, g.qr.x,
                  g.qr.x + g.qr.width);
            CHECK(g.line[0].x + g.line[0].width <= g.qr.x,
                  "%s: the name's first line left of the code", name);
        } else {
            CHECK(0, "%s: laid out (%s)", name, problems.item[0].rule);
        }

        options.layout = &standard;
        options.logo = logo.data;
        options.logo_len = logo.len;
        snprintf(name, sizeof(name), "%s, logo heading the text", label_sheets[s]);
        ocl_problems_init(&problems);
        if (ocl_labels_geometry(&job, &sheet, &options, &g, &problems) == OCL_OK) {
            check_kept(name, &g);
            CHECK(g.logo.width > 0 && g.logo.y >= g.line[0].y + g.line[0].height - 1e-6 &&
                      fabs(g.logo.width / g.logo.height - 3) < 1e-6,
                  "%s: the logo, 3:1, above the name", name);
        } else {
            CHECK(0, "%s: laid out (%s)", name, problems.item[0].rule);
        }

        options.layout = &header;
        snprintf(name, sizeof(name), "%s, logo header", label_sheets[s]);
        ocl_problems_init(&problems);
        int fits = ocl_labels_geometry(&job, &sheet, &options, &g, &problems) == OCL_OK;
        if (strcmp(label_sheets[s], "roll-50x30") == 0) {
            CHECK(!fits && problems.count && strstr(problems.item[0].rule, "'roll-50x30' labels") &&
                      strstr(problems.item[0].rule, "even in the short form"),
                  "%s: the band leaves too little of 30 mm: refused, naming the sheet", name);
        } else if (fits) {
            check_kept(name, &g);
            double band = (g.label.height - 3) * 0.2;
            ocl_box header_band = {1.5, g.label.height - 1.5 - band, g.label.width - 3, band};
            CHECK(g.logo.width > 0 && inside(&g.logo, &header_band) &&
                      g.qr.y + g.qr.height <= header_band.y,
                  "%s: the logo in its band, the code below it", name);
        } else {
            CHECK(0, "%s: laid out (%s)", name, problems.item[0].rule);
        }
    }
    ocl_buffer_free(&logo);
}

/* The law's fields for the product's group, the PIN, the EAN and the
 * logo: refused naming the file, the field and the rule. */
static void test_label_refusals(void)
{
    static const char no_ingredients[] =
        LABEL_CODE "[text]\nbox = 0 0 1 1\n"
                   "order = name mark producer origin net_quantity usage storage dates lot pin\n";
    static const char no_dates[] = LABEL_CODE
        "[text]\nbox = 0 0 1 1\n"
        "order = name mark producer origin net_quantity ingredients usage storage lot pin\n";
    static const char no_pin_no_ean[] =
        LABEL_CODE "[text]\nbox = 0 0 1 1\norder = name mark producer origin net_quantity "
                   "ingredients usage storage dates lot\n";
    ocl_buffer logo = {0}, wide = {0};
    make_logo(60, 30, &logo);
    make_logo(2100, 8, &wide);
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
    static const char *const pins[] = {"1234 5678"};
    const struct {
        const char *name, *text;
        ocl_group group;
        int pins, always;
        const unsigned char *logo;
        size_t logo_len;
        const char *want; /* "field: rule", NULL: laid out */
    } cases[] = {
        {"no-ingredients", no_ingredients, OCL_GROUP_FOOD, 0, 0, NULL, 0,
         "layout.text: 'no-ingredients.layout' line 5: the order has no 'ingredients' "
         "(product.ingredients), which a food label must carry (Decree 43/2017, Annex I)"},
        {"no-ingredients", no_ingredients, OCL_GROUP_TOURISM, 0, 0, NULL, 0, NULL},
        {"no-dates", no_dates, OCL_GROUP_HERBAL, 0, 0, NULL, 0,
         "layout.text: 'no-dates.layout' line 5: the order has no 'dates' (lot.produced, "
         "lot.expires), which a herbal label must carry (Decree 43/2017, Annex I; Art. 14)"},
        {"no-dates", no_dates, OCL_GROUP_HANDICRAFT, 0, 0, NULL, 0, NULL},
        {"no-pin", no_pin_no_ean, OCL_GROUP_FOOD, 1, 0, NULL, 0,
         "layout.text: 'no-pin.layout' line 5: the order has no 'pin', where each label's "
         "scratch-off PIN is printed"},
        {"no-ean", no_pin_no_ean, OCL_GROUP_FOOD, 0, 1, NULL, 0,
         "retail_barcode: 'always' asks for an EAN, and the layout 'no-ean.layout' has no [ean] "
         "for it"},
        {"jpeg", LABEL, OCL_GROUP_FOOD, 0, 0, jpeg, sizeof(jpeg),
         "logo: the logo must be a PNG image (its first bytes are not PNG's signature)"},
        {"wide", LABEL, OCL_GROUP_FOOD, 0, 0, wide.data, wide.len,
         "logo: the logo is 2100 x 8 pixels; at most 2000 x 2000 are taken"},
        {"logo", LABEL, OCL_GROUP_FOOD, 0, 0, logo.data, logo.len, NULL},
    };
    ocl_sheet sheet;
    load_sheet("a4-2x7", &sheet);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_layout layout;
        ocl_problems problems;
        ocl_problems_init(&problems);
        char file[64], got[OCL_FIELD_MAX + OCL_RULE_MAX + 2] = "(laid out)";
        snprintf(file, sizeof(file), "%s.layout", cases[i].name);
        ocl_layout_parse(cases[i].text, strlen(cases[i].text), file, &layout, &problems);
        ocl_label_job job = food_job(cases[i].group);
        job.retail_barcode = cases[i].always ? OCL_RETAIL_ALWAYS : OCL_RETAIL_AUTO;
        ocl_label_options options = {.font_path = FONT,
                                     .ocop_mark = 1,
                                     .layout = &layout,
                                     .pins = cases[i].pins ? pins : NULL,
                                     .logo = cases[i].logo,
                                     .logo_len = cases[i].logo_len};
        ocl_label_geometry g;
        if (ocl_labels_geometry(&job, &sheet, &options, &g, &problems) != OCL_OK && problems.count)
            snprintf(got, sizeof(got), "%s: %s", problems.item[0].field, problems.item[0].rule);
        CHECK_STR(got, cases[i].want ? cases[i].want : "(laid out)", "%s for %s", file,
                  ocl_group_name(cases[i].group));
    }
    ocl_layout stamp;
    ocl_problems problems;
    ocl_problems_init(&problems);
    load_layout("stamp", &stamp);
    ocl_label_job job = food_job(OCL_GROUP_FOOD);
    ocl_label_options options = {.font_path = FONT, .layout = &stamp};
    ocl_label_geometry g;
    CHECK(ocl_labels_geometry(&job, &sheet, &options, &g, &problems) == OCL_EINVAL &&
              strcmp(problems.item[0].rule,
                     "'stamp.layout' is not a label's layout (kind = label)") == 0,
          "a stamp's layout is refused for labels");
    ocl_buffer_free(&logo);
    ocl_buffer_free(&wide);
}

/* ---------- carton labels ---------- */

static ocl_carton carton(void)
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

static void test_cartons(void)
{
    static const struct {
        const char *sheet, *layout;
    } files[] = {{"roll-100x150", "carton"}, {"a6", "carton"}, {"roll-100x50", "carton-low"}};
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        ocl_sheet sheet;
        ocl_layout layout;
        ocl_carton c = carton();
        ocl_carton_geometry built, file;
        ocl_problems problems;
        ocl_problems_init(&problems);
        load_sheet(files[i].sheet, &sheet);
        load_layout(files[i].layout, &layout);
        int ok = ocl_carton_label_geometry(&c, &sheet, &built, &problems) == OCL_OK &&
                 ocl_carton_label_layout_geometry(&c, &sheet, &layout, &file, &problems) == OCL_OK;
        CHECK(ok && same_box(&built.qr, &file.qr) && same_box(&built.from, &file.from) &&
                  same_box(&built.content, &file.content) &&
                  same_box(&built.barcode, &file.barcode),
              "%s: %s.layout lays it out as the built-in default", files[i].sheet, files[i].layout);
    }
    /* The rules whatever the layout says. */
    static const struct {
        const char *name, *sheet, *text, *want;
    } cases[] = {
        {"low-bars", "roll-100x150",
         "kind = carton\n[code]\nbox = 0 0 1 0.8\nalign = right\n[from]\nbox = 0 0 1 0.8\n"
         "clear = beside\norder = producer:10 name:12 gtin+count:8 lot+expires:8\n[barcode]\n"
         "box = 0 0.8 1 0.2\n",
         "layout.barcode: 'low-bars.layout' line 9: its box leaves the bars 24.7 mm high, under "
         "the 31.75 mm GS1 asks of an SSCC on a logistics label"},
        {"both-beside", "roll-100x150",
         "kind = carton\n[code]\nbox = 0 0 1 0.72\nalign = right\n[from]\nbox = 0 0 1 0.72\n"
         "clear = beside\norder = producer:10 name:12\n[content]\nbox = 0 0 1 0.72\nclear = "
         "beside\norder = gtin+count:8 lot+expires:8\n[barcode]\nbox = 0 0.72 1 0.28\n",
         "layout.content: 'both-beside.layout' line 9: the content would overlap the from"},
        {"narrow-bars", "roll-100x150",
         "kind = carton\n[code]\nbox = 0 0 1 0.72\nalign = right\n[from]\nbox = 0 0 1 0.72\n"
         "clear = beside\norder = producer:10 name:12 gtin+count:8 lot+expires:8\n[barcode]\n"
         "box = 0 0.72 0.5 0.28\n",
         "layout.barcode: 'narrow-bars.layout' line 9: its box (48.0 mm wide) cannot hold the "
         "SSCC's bars, 88.0 mm wide at 0.50 mm modules"},
        {"qr-left", "roll-100x150",
         "kind = carton\n[code]\nbox = 0 0 1 0.72\nalign = left\n[from]\nbox = 0 0 1 0.72\n"
         "clear = beside\norder = producer:10 name:12 gtin+count:8 lot+expires:8\n[barcode]\n"
         "box = 0 0.72 1 0.28\nvalign = bottom\n",
         NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_sheet sheet;
        ocl_layout layout;
        ocl_carton c = carton();
        ocl_carton_geometry g;
        ocl_problems problems;
        ocl_problems_init(&problems);
        char file[64], got[OCL_FIELD_MAX + OCL_RULE_MAX + 2] = "(laid out)";
        snprintf(file, sizeof(file), "%s.layout", cases[i].name);
        load_sheet(cases[i].sheet, &sheet);
        ocl_result rc =
            ocl_layout_parse(cases[i].text, strlen(cases[i].text), file, &layout, &problems);
        if (rc == OCL_OK)
            rc = ocl_carton_label_layout_geometry(&c, &sheet, &layout, &g, &problems);
        if (rc != OCL_OK && problems.count)
            snprintf(got, sizeof(got), "%s: %s", problems.item[0].field, problems.item[0].rule);
        CHECK_STR(got, cases[i].want ? cases[i].want : "(laid out)", "carton layout %s", file);
        if (!cases[i].want && rc == OCL_OK)
            CHECK(g.qr.x < 3 + 1e-6 && g.from.x > g.qr.x + g.qr.width,
                  "%s: the QR on the left, the producer beside it on the right", file);
    }
    ocl_sheet sheet;
    ocl_layout label;
    ocl_carton c = carton();
    ocl_carton_geometry g;
    ocl_problems problems;
    ocl_problems_init(&problems);
    load_sheet("roll-100x150", &sheet);
    load_layout("label", &label);
    CHECK(ocl_carton_label_layout_geometry(&c, &sheet, &label, &g, &problems) == OCL_EINVAL &&
              strstr(problems.item[0].rule, "is not a carton label's layout"),
          "a label's layout is refused for a carton");
}

void test_layouts(void)
{
    test_builtins();
    test_rules();
    test_label_layouts();
    test_label_refusals();
    test_cartons();
}
