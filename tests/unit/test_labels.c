/*
 * Label tests below the command line: serials, the law table, sheet files
 * and the geometry of every sheet (text never in the code or its quiet
 * zone, nothing past the safe margin, the name the largest text).
 */
#include "check.h"
#include "ocoplabels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT "fonts/NotoSans-Regular.ttf"

static void test_serials(void)
{
    enum { COUNT = 20000 };
    static char serials[COUNT][OCL_SERIAL_LEN + 1];
    int valid = 1, in_set = 1, drawn = 1;
    for (int i = 0; i < COUNT; i++) {
        drawn &= ocl_serial_generate(serials[i]) == OCL_OK;
        valid &= ocl_serial_valid(serials[i]);
        in_set &= ocl_ai_value_check(serials[i], "serial", &(ocl_problems){0}) == OCL_OK;
    }
    CHECK(drawn, "%d serials drawn", COUNT);
    CHECK(valid, "every serial carries a valid check character");
    CHECK(in_set, "every serial is GS1 set 82");
    /* 20,000 draws of 45 bits: a repeat would mean a broken source. */
    int repeats = 0;
    qsort(serials, COUNT, sizeof(serials[0]), (int (*)(const void *, const void *))strcmp);
    for (int i = 1; i < COUNT; i++)
        repeats += strcmp(serials[i - 1], serials[i]) == 0;
    CHECK(repeats == 0, "no repeated serial in %d, found %d", COUNT, repeats);
    /* Every character position is used across the alphabet: not a constant. */
    int seen[128] = {0};
    for (int i = 0; i < COUNT; i++)
        seen[(unsigned char)serials[i][0]] = 1;
    int letters = 0;
    for (int c = 0; c < 128; c++)
        letters += seen[c];
    CHECK(letters == 32, "first characters cover the 32-letter alphabet, found %d", letters);

    /* The check character catches every single substitution and every swap
     * of neighbours. */
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    const char *serial = serials[0];
    int caught = 1;
    for (int pos = 0; pos < OCL_SERIAL_LEN; pos++) {
        for (int k = 0; k < 32; k++) {
            char altered[OCL_SERIAL_LEN + 1];
            memcpy(altered, serial, sizeof(altered));
            if (altered[pos] == alphabet[k])
                continue;
            altered[pos] = alphabet[k];
            caught &= !ocl_serial_valid(altered);
        }
    }
    CHECK(caught, "every single substitution in %s is caught", serial);
    caught = 1;
    for (int pos = 0; pos + 1 < OCL_SERIAL_LEN; pos++) {
        char altered[OCL_SERIAL_LEN + 1];
        memcpy(altered, serial, sizeof(altered));
        if (altered[pos] == altered[pos + 1] ||
            (strchr("0Z", altered[pos]) && strchr("0Z", altered[pos + 1])))
            continue; /* the one swap Luhn mod 32 cannot see, checked below */
        char t = altered[pos];
        altered[pos] = altered[pos + 1];
        altered[pos + 1] = t;
        caught &= !ocl_serial_valid(altered);
    }
    CHECK(caught, "every swap of neighbours in %s is caught", serial);
    /* The exception, so that the comment and the README stay true: a serial
     * with "0Z" and its twin with "Z0" both check. */
    char twin[OCL_SERIAL_LEN + 1] = "0Z3456789", pair[OCL_SERIAL_LEN + 1] = "Z03456789";
    for (size_t d = 0; d < 32; d++) {
        twin[OCL_SERIAL_LEN - 1] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[d];
        twin[OCL_SERIAL_LEN] = '\0';
        if (ocl_serial_valid(twin))
            break;
    }
    memcpy(pair + OCL_SERIAL_LEN - 1, twin + OCL_SERIAL_LEN - 1, 2);
    CHECK(ocl_serial_valid(twin) && ocl_serial_valid(pair), "'%s' and '%s' both check", twin, pair);
    static const char *const refused[] = {"", "ABC", "0123456789A", "I123456789", "abcdefghij"};
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
        CHECK(!ocl_serial_valid(refused[i]), "'%s' is not a serial", refused[i]);
}

/* A job with every text field, for the group given. */
static ocl_label_job full_job(ocl_group group)
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
    job.group = group;
    job.gtin = "08931234567897";
    job.lot = "L2025A";
    job.has_produced = job.has_expires = 1;
    job.produced = (ocl_date){2025, 3, 1};
    job.expires = (ocl_date){2027, 3, 1};
    job.units = 1;
    return job;
}

static void test_law(void)
{
    /* Which fields each group must carry, as the table in law.c says. */
    static const struct {
        ocl_group group;
        const char *required; /* field paths, in field order */
        int dates;
    } groups[] = {
        {OCL_GROUP_FOOD, "name producer address origin net_quantity ingredients usage storage", 1},
        {OCL_GROUP_DRINK, "name producer address origin net_quantity ingredients usage storage", 1},
        {OCL_GROUP_HERBAL, "name producer address origin net_quantity ingredients usage storage",
         1},
        {OCL_GROUP_HANDICRAFT, "name producer address origin ingredients usage storage", 0},
        {OCL_GROUP_ORNAMENTAL, "name producer address origin net_quantity usage", 0},
        {OCL_GROUP_TOURISM, "name producer address origin usage", 0},
    };
    static const char *const short_names[OCL_FIELD_COUNT] = {
        "name",        "producer", "address", "phone",    "origin",  "net_quantity",
        "ingredients", "usage",    "storage", "warnings", "standard"};
    for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
        char got[256] = "";
        for (int f = 0; f < OCL_FIELD_COUNT; f++)
            if (ocl_law_requires(groups[g].group, (ocl_field)f))
                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", *got ? " " : "",
                         short_names[f]);
        CHECK_STR(got, groups[g].required, "fields required for %s",
                  ocl_group_name(groups[g].group));
        CHECK(ocl_law_requires_dates(groups[g].group) == groups[g].dates, "dates for %s",
              ocl_group_name(groups[g].group));
        ocl_label_job job = full_job(groups[g].group);
        ocl_problems problems;
        ocl_problems_init(&problems);
        CHECK(ocl_law_check(&job, &problems) == OCL_OK, "a full %s job passes",
              ocl_group_name(groups[g].group));
    }
    /* Each missing field is reported with its legal basis. */
    static const struct {
        ocl_group group;
        ocl_field missing;
        const char *want;
    } cases[] = {
        {OCL_GROUP_FOOD, OCL_FIELD_INGREDIENTS,
         "product.ingredients: required for food (Decree 43/2017, Annex I)"},
        {OCL_GROUP_DRINK, OCL_FIELD_NET_QUANTITY,
         "product.net_quantity: required for drink (Decree 43/2017, Annex I)"},
        {OCL_GROUP_HANDICRAFT, OCL_FIELD_STORAGE,
         "product.storage: required for handicraft (Decree 43/2017, Annex I)"},
        {OCL_GROUP_TOURISM, OCL_FIELD_PRODUCER_ADDRESS,
         "producer.address: required for tourism (Decree 43/2017, Art. 10(1)(b))"},
        {OCL_GROUP_ORNAMENTAL, OCL_FIELD_ORIGIN,
         "product.origin: required for ornamental (Decree 43/2017, Art. 10(1)(c); Decree "
         "111/2021)"},
        {OCL_GROUP_HERBAL, OCL_FIELD_PRODUCT_NAME,
         "product.name: required for herbal (Decree 43/2017, Art. 10(1)(a))"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_label_job job = full_job(cases[i].group);
        job.text[cases[i].missing] = "";
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_law_check(&job, &problems);
        char got[512];
        snprintf(got, sizeof(got), "%s: %s", problems.count ? problems.item[0].field : "",
                 problems.count ? problems.item[0].rule : "(accepted)");
        CHECK_STR(got, cases[i].want, "law case %zu", i);
    }
    ocl_label_job job = full_job(OCL_GROUP_FOOD);
    job.has_expires = 0;
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_law_check(&job, &problems);
    CHECK(problems.count == 1 && strcmp(problems.item[0].field, "lot.expires") == 0,
          "food without an expiry date is refused");
}

static void test_sheet_files(void)
{
    static const struct {
        const char *text;
        const char *want; /* NULL: loads */
    } cases[] = {
        {"name = t\npaper = A4\npage_width_mm = 210\npage_height_mm = 297\nlabel_width_mm = 70\n"
         "label_height_mm = 37\ncolumns = 3\nrows = 8\nleft_mm = 0\ntop_mm = 0.5\npitch_x_mm = 70\n"
         "pitch_y_mm = 37\n",
         NULL},
        {"name = t\npaper = A4\npage_width_mm = 210\npage_height_mm = 297\nlabel_width_mm = 70\n"
         "label_height_mm = 37\ncolumns = 3\nrows = 8\nleft_mm = 0\ntop_mm = 0.5\npitch_x_mm = 60\n"
         "pitch_y_mm = 37\n",
         "sheet: labels overlap: pitch_x_mm is less than label_width_mm"},
        {"name = t\npaper = A4\npage_width_mm = 210\npage_height_mm = 297\nlabel_width_mm = 70\n"
         "label_height_mm = 37\ncolumns = 3\nrows = 9\nleft_mm = 0\ntop_mm = 0.5\npitch_x_mm = 70\n"
         "pitch_y_mm = 37\n",
         "sheet: labels reach past the page (210.0 x 333.5 mm on 210.0 x 297.0)"},
        {"name = t\npaper = A4\n", "sheet: 'page_width_mm' is missing"},
        {"name = t\ncolour = red\n", "sheet line 2: unknown key 'colour'"},
        {"name = t\ncolumns = three\n", "sheet line 2: must be a whole number from 1 to 100"},
        {"just words\n", "sheet line 1: expected 'key = value'"},
    };
    char path[] = "/tmp/ocoptrace-sheet-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temporary sheet file");
    for (size_t i = 0; fd >= 0 && i < ARRAY_SIZE(cases); i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i].text, f);
        fclose(f);
        ocl_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc = ocl_sheet_load(path, &sheet, &problems);
        char got[512] = "(loaded)";
        if (rc != OCL_OK)
            snprintf(got, sizeof(got), "%s: %s", problems.item[0].field, problems.item[0].rule);
        CHECK_STR(got, cases[i].want ? cases[i].want : "(loaded)", "sheet case %zu", i);
    }
    remove(path);
}

static const char *const sheet_names[] = {"a4-3x8", "a4-3x7",     "a4-2x7",     "a4-4x10",
                                          "a4-1x1", "roll-50x30", "roll-60x40", "roll-100x50"};

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

static void check_geometry(const char *name, const ocl_label_geometry *g)
{
    const double margin = 1.5;
    ocl_box safe = {margin, margin, g->label.width - 2 * margin, g->label.height - 2 * margin};
    CHECK(inside(&g->qr, &safe), "%s: the code and its quiet zone are within the safe margin",
          name);
    CHECK(g->lines > 0, "%s: text laid out", name);
    double largest = 0;
    int clear = 1, within = 1;
    for (int i = 0; i < g->lines; i++) {
        clear &= !overlap(&g->line[i], &g->qr);
        within &= inside(&g->line[i], &safe);
        if (i >= g->name_lines && g->line_size[i] > largest)
            largest = g->line_size[i];
    }
    CHECK(clear, "%s: no text line enters the code or its quiet zone", name);
    CHECK(within, "%s: every line is within the safe margin", name);
    CHECK(g->line_size[0] > largest, "%s: the name (%.2f pt) is the largest text (%.2f pt)", name,
          g->line_size[0], largest);
    double smallest = 1e9;
    for (int i = 0; i < g->lines; i++)
        smallest = g->line_size[i] < smallest ? g->line_size[i] : smallest;
    CHECK(smallest >= 5.0, "%s: no text below 5 pt (%.2f)", name, smallest);
    /* Version 5 with its quiet zone: 45 modules, each 0.4 mm or more. */
    CHECK(g->qr.width / 45 >= 0.4 - 1e-9, "%s: modules of %.2f mm", name, g->qr.width / 45);
}

static void test_geometry(void)
{
    ocl_label_options options = {.font_path = FONT, .ocop_mark = 1};
    for (size_t i = 0; i < ARRAY_SIZE(sheet_names); i++) {
        char path[256];
        snprintf(path, sizeof(path), "templates/sheets/%s.sheet", sheet_names[i]);
        ocl_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        CHECK(ocl_sheet_load(path, &sheet, &problems) == OCL_OK, "sheet %s loads", path);
        CHECK(strcmp(sheet.name, sheet_names[i]) == 0, "sheet %s is named in its file", path);
        ocl_label_job job = full_job(OCL_GROUP_FOOD);
        job.ocop_stars = 4;
        ocl_label_geometry g;
        ocl_result rc = ocl_labels_geometry(&job, &sheet, &options, &g, &problems);
        CHECK(rc == OCL_OK, "%s: the food job fits (%s)", sheet_names[i],
              problems.count ? problems.item[0].rule : "");
        if (rc == OCL_OK)
            check_geometry(sheet_names[i], &g);
    }
    /* Too much text for a small label: the short form of Art. 10(3). */
    ocl_sheet small;
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_sheet_load("templates/sheets/a4-4x10.sheet", &small, &problems);
    ocl_label_job job = full_job(OCL_GROUP_FOOD);
    job.text[OCL_FIELD_USAGE] = "Dùng trực tiếp hoặc pha chấm với chanh, tỏi, ớt; dùng để ướp "
                                "thịt cá, kho, xào, nấu canh; lắc đều trước khi dùng, đậy kín "
                                "nắp sau khi dùng, không dùng khi có mùi lạ";
    ocl_label_geometry g;
    CHECK(ocl_labels_geometry(&job, &small, &options, &g, &problems) == OCL_OK && g.short_form,
          "a4-4x10 with long directions falls back to the short form");
    check_geometry("a4-4x10 short form", &g);
    /* Not even the short form fits: refused, naming the sheet. */
    char address[1200] = "";
    for (int i = 0; i < 24; i++)
        strcat(address, "Khu phố 5, phường Hàm Tiến, ");
    job.text[OCL_FIELD_PRODUCER_ADDRESS] = address;
    ocl_problems_init(&problems);
    CHECK(ocl_labels_geometry(&job, &small, &options, &g, &problems) == OCL_EINVAL &&
              problems.count == 1 && strstr(problems.item[0].rule, "'a4-4x10' labels") &&
              strstr(problems.item[0].rule, "Art. 10(3)"),
          "a label that cannot hold the short form is refused naming the sheet");
}

/* A scratch-off PIN: a box of its own on every sheet, holding its line,
 * inside the safe margin, clear of the code and of every other line. */
static void test_pin_geometry(void)
{
    static const char *const pins[] = {"1234 5678"};
    ocl_label_options options = {.font_path = FONT, .ocop_mark = 1, .pins = pins};
    for (size_t i = 0; i < ARRAY_SIZE(sheet_names); i++) {
        char path[256];
        snprintf(path, sizeof(path), "templates/sheets/%s.sheet", sheet_names[i]);
        ocl_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_sheet_load(path, &sheet, &problems);
        ocl_label_job job = full_job(OCL_GROUP_FOOD);
        job.ocop_stars = 4;
        ocl_label_geometry g;
        ocl_result rc = ocl_labels_geometry(&job, &sheet, &options, &g, &problems);
        if (strcmp(sheet_names[i], "a4-4x10") == 0) {
            CHECK(rc == OCL_EINVAL && strstr(problems.item[0].rule, "and the PIN's box"),
                  "a4-4x10 has no room for a PIN: refused, naming the PIN");
            continue;
        }
        CHECK(rc == OCL_OK, "%s with a PIN: fits (%s)", sheet_names[i],
              problems.count ? problems.item[0].rule : "");
        if (rc != OCL_OK)
            continue;
        check_geometry(sheet_names[i], &g);
        const double margin = 1.5;
        ocl_box safe = {margin, margin, g.label.width - 2 * margin, g.label.height - 2 * margin};
        CHECK(g.pin.width > 0 && inside(&g.pin, &safe) && !overlap(&g.pin, &g.qr),
              "%s: the PIN's box is within the safe margin, clear of the code", sheet_names[i]);
        int held = 0, clear = 1;
        for (int k = 0; k < g.lines; k++) {
            if (inside(&g.line[k], &g.pin))
                held++;
            else
                clear &= !overlap(&g.line[k], &g.pin);
        }
        CHECK(held == 1 && clear, "%s: the box holds the PIN's line alone (%d lines in it)",
              sheet_names[i], held);
    }
    ocl_label_options none = {.font_path = FONT, .ocop_mark = 1};
    ocl_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_sheet_load("templates/sheets/a4-3x8.sheet", &sheet, &problems);
    ocl_label_job job = full_job(OCL_GROUP_FOOD);
    ocl_label_geometry g;
    CHECK(ocl_labels_geometry(&job, &sheet, &none, &g, &problems) == OCL_OK && g.pin.width == 0,
          "without PINs, no PIN box");
}

void test_labels(void)
{
    test_pin_geometry();
    test_serials();
    test_law();
    test_sheet_files();
    test_geometry();
}
