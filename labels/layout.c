/*
 * Layouts as data: which element of a stamp, a full label or a carton
 * label goes where, read from the .layout files of templates/layouts/, so
 * that a province adapts its labels without recompiling. The file says
 * where, in what order and how large; this file keeps the rules whatever
 * it says: the mandatory elements are there (a label's text lists every
 * field the law asks of the product's group), every box lies inside the
 * stamp or the label's margin, nothing is printed in the code's box (the
 * code and its quiet zone) or over another element unless it flows around
 * the code, and text is never smaller than the kind's floor. Fitting the
 * contents into the places given is the job of stamp.c, label.c and
 * carton.c.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const element_names[OCL_ELEMENT_COUNT] = {
    [OCL_ELEMENT_CODE] = "code",       [OCL_ELEMENT_SERIAL] = "serial",
    [OCL_ELEMENT_NAME] = "name",       [OCL_ELEMENT_CAPTION] = "caption",
    [OCL_ELEMENT_MARK] = "mark",       [OCL_ELEMENT_LOGO] = "logo",
    [OCL_ELEMENT_TEXT] = "text",       [OCL_ELEMENT_EAN] = "ean",
    [OCL_ELEMENT_FROM] = "from",       [OCL_ELEMENT_CONTENT] = "content",
    [OCL_ELEMENT_BARCODE] = "barcode",
};

static const char *const item_names[OCL_ITEM_COUNT] = {
    [OCL_ITEM_LOGO] = "logo",
    [OCL_ITEM_NAME] = "name",
    [OCL_ITEM_MARK] = "mark",
    [OCL_ITEM_PRODUCER] = "producer",
    [OCL_ITEM_ORIGIN] = "origin",
    [OCL_ITEM_NET_QUANTITY] = "net_quantity",
    [OCL_ITEM_INGREDIENTS] = "ingredients",
    [OCL_ITEM_USAGE] = "usage",
    [OCL_ITEM_STORAGE] = "storage",
    [OCL_ITEM_WARNINGS] = "warnings",
    [OCL_ITEM_STANDARD] = "standard",
    [OCL_ITEM_DATES] = "dates",
    [OCL_ITEM_LOT] = "lot",
    [OCL_ITEM_PIN] = "pin",
    [OCL_ITEM_FROM] = "from",
    [OCL_ITEM_ADDRESS] = "address",
    [OCL_ITEM_SSCC] = "sscc",
    [OCL_ITEM_GTIN] = "gtin",
    [OCL_ITEM_UNITS] = "count",
    [OCL_ITEM_PRODUCED] = "produced",
    [OCL_ITEM_EXPIRES] = "expires",
};

const char *ocl_element_name(ocl_element element)
{
    return (unsigned)element < OCL_ELEMENT_COUNT ? element_names[element] : NULL;
}

const char *ocl_item_name(ocl_item item)
{
    return (unsigned)item < OCL_ITEM_COUNT ? item_names[item] : NULL;
}

#define BIT(e) (1u << (e))

/* The keys of an element's section. */
enum {
    KEY_BOX,
    KEY_ALIGN,
    KEY_VALIGN,
    KEY_SIZE,
    KEY_LINES,
    KEY_ROTATE,
    KEY_TEXT,
    KEY_PREFIX,
    KEY_ORDER,
    KEY_GAP,
    KEY_MAX,
    KEY_NAME_SCALE,
    KEY_HEIGHT,
    KEY_MODULE,
    KEY_PLACE,
    KEY_CLEAR,
    KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
    "box",   "align", "valign", "size",       "lines",  "rotate", "text",  "prefix",
    "order", "gap",   "max",    "name_scale", "height", "module", "place", "clear",
};

#define PLACED   (BIT(KEY_BOX) | BIT(KEY_ALIGN) | BIT(KEY_VALIGN))
#define TEXT     (PLACED | BIT(KEY_SIZE) | BIT(KEY_ROTATE))
#define WRAPPING (TEXT | BIT(KEY_LINES))

/* Which keys each element of each kind takes; an element without keys is
 * not one of the kind's. */
static const unsigned element_keys[OCL_LAYOUT_KIND_COUNT][OCL_ELEMENT_COUNT] = {
    [OCL_LAYOUT_STAMP] =
        {
            [OCL_ELEMENT_CODE] = PLACED,
            [OCL_ELEMENT_SERIAL] = TEXT | BIT(KEY_PREFIX),
            [OCL_ELEMENT_NAME] = WRAPPING,
            [OCL_ELEMENT_CAPTION] = WRAPPING | BIT(KEY_TEXT),
            [OCL_ELEMENT_MARK] = PLACED | BIT(KEY_SIZE),
            [OCL_ELEMENT_LOGO] = PLACED,
        },
    [OCL_LAYOUT_LABEL] =
        {
            [OCL_ELEMENT_CODE] = PLACED | BIT(KEY_MAX),
            [OCL_ELEMENT_TEXT] = BIT(KEY_BOX) | BIT(KEY_ALIGN) | BIT(KEY_ORDER) | BIT(KEY_GAP) |
                                 BIT(KEY_SIZE) | BIT(KEY_NAME_SCALE),
            [OCL_ELEMENT_EAN] = BIT(KEY_PLACE),
            [OCL_ELEMENT_LOGO] = PLACED | BIT(KEY_HEIGHT),
        },
    [OCL_LAYOUT_CARTON] =
        {
            [OCL_ELEMENT_CODE] = PLACED | BIT(KEY_MODULE),
            [OCL_ELEMENT_FROM] = BIT(KEY_BOX) | BIT(KEY_CLEAR) | BIT(KEY_ORDER),
            [OCL_ELEMENT_CONTENT] = BIT(KEY_BOX) | BIT(KEY_CLEAR) | BIT(KEY_ORDER),
            [OCL_ELEMENT_BARCODE] = PLACED | BIT(KEY_CLEAR) | BIT(KEY_HEIGHT),
        },
};

#define LABEL_ITEMS (BIT(OCL_ITEM_PIN + 1) - 1)
#define CARTON_ITEMS                                                                               \
    (BIT(OCL_ITEM_NAME) | BIT(OCL_ITEM_PRODUCER) | BIT(OCL_ITEM_LOT) | BIT(OCL_ITEM_FROM) |        \
     BIT(OCL_ITEM_ADDRESS) | BIT(OCL_ITEM_SSCC) | BIT(OCL_ITEM_GTIN) | BIT(OCL_ITEM_UNITS) |       \
     BIT(OCL_ITEM_PRODUCED) | BIT(OCL_ITEM_EXPIRES))

/* What each kind of layout must and may place, and its smallest sizes. */
static const struct {
    const char *name, *noun;
    unsigned mandatory;
    double text_min; /* pt: the stamp's serial, name and caption; the label's body */
    double mark_min; /* pt, the letters of the mark: a sign read at a glance */
    double margin;   /* mm: the least margin, and the default; 0: none */
    unsigned items;  /* what its texts may list */
    unsigned items_mandatory;
} kinds[OCL_LAYOUT_KIND_COUNT] = {
    [OCL_LAYOUT_STAMP] = {"stamp", "stamp",
                          BIT(OCL_ELEMENT_CODE) | BIT(OCL_ELEMENT_SERIAL) |
                              BIT(OCL_ELEMENT_CAPTION) | BIT(OCL_ELEMENT_MARK),
                          4.0, 3.5, 0, 0, 0},
    [OCL_LAYOUT_LABEL] = {"label", "label's area inside its margin",
                          BIT(OCL_ELEMENT_CODE) | BIT(OCL_ELEMENT_TEXT), 5.0, 0, 1.5, LABEL_ITEMS,
                          BIT(OCL_ITEM_MARK) | BIT(OCL_ITEM_LOT)},
    [OCL_LAYOUT_CARTON] = {"carton", "carton label's area inside its margin",
                           BIT(OCL_ELEMENT_CODE) | BIT(OCL_ELEMENT_FROM) | BIT(OCL_ELEMENT_BARCODE),
                           6.0, 0, 2.0, CARTON_ITEMS,
                           BIT(OCL_ITEM_PRODUCER) | BIT(OCL_ITEM_NAME) | BIT(OCL_ITEM_UNITS) |
                               BIT(OCL_ITEM_GTIN) | BIT(OCL_ITEM_LOT) | BIT(OCL_ITEM_EXPIRES)},
};

/* Why each mandatory element is placed. */
static const char *const mandatory_why[OCL_LAYOUT_KIND_COUNT][OCL_ELEMENT_COUNT] = {
    [OCL_LAYOUT_STAMP] =
        {
            [OCL_ELEMENT_CODE] = "the unit's code is the stamp",
            [OCL_ELEMENT_SERIAL] = "the serial is read when the code cannot be scanned",
            [OCL_ELEMENT_CAPTION] = "the caption says what the code is for",
            [OCL_ELEMENT_MARK] = "the OCOP mark needs its place for when the recognition is valid",
        },
    [OCL_LAYOUT_LABEL] =
        {
            [OCL_ELEMENT_CODE] = "every unit carries its own code",
            [OCL_ELEMENT_TEXT] = "the text carries what Decree 43/2017 asks of the label",
        },
    [OCL_LAYOUT_CARTON] =
        {
            [OCL_ELEMENT_CODE] = "the QR carries the carton's Digital Link",
            [OCL_ELEMENT_FROM] = "a logistics label says who the carton comes from",
            [OCL_ELEMENT_BARCODE] = "the SSCC's GS1-128 is what a warehouse scans",
        },
};

/* Why each mandatory entry of a text's order is listed. */
static const char *const item_why[OCL_ITEM_COUNT] = {
    [OCL_ITEM_MARK] = "the OCOP mark needs its place for when the recognition is valid",
    [OCL_ITEM_LOT] = "the lot and the serial are read when the code cannot be scanned",
    [OCL_ITEM_PRODUCER] = "a logistics label says who the carton comes from",
    [OCL_ITEM_NAME] = "the product inside",
    [OCL_ITEM_UNITS] = "how many units are inside, (37)",
    [OCL_ITEM_GTIN] = "the units' GTIN, (02), when they have one",
    [OCL_ITEM_EXPIRES] = "the expiry, (17), when the lot has one",
};

/* The item of a label that prints a field of the job. */
static const ocl_item field_items[OCL_FIELD_COUNT] = {
    [OCL_FIELD_PRODUCT_NAME] = OCL_ITEM_NAME,
    [OCL_FIELD_PRODUCER_NAME] = OCL_ITEM_PRODUCER,
    [OCL_FIELD_PRODUCER_ADDRESS] = OCL_ITEM_PRODUCER,
    [OCL_FIELD_PRODUCER_PHONE] = OCL_ITEM_PRODUCER,
    [OCL_FIELD_ORIGIN] = OCL_ITEM_ORIGIN,
    [OCL_FIELD_NET_QUANTITY] = OCL_ITEM_NET_QUANTITY,
    [OCL_FIELD_INGREDIENTS] = OCL_ITEM_INGREDIENTS,
    [OCL_FIELD_USAGE] = OCL_ITEM_USAGE,
    [OCL_FIELD_STORAGE] = OCL_ITEM_STORAGE,
    [OCL_FIELD_WARNINGS] = OCL_ITEM_WARNINGS,
    [OCL_FIELD_STANDARD] = OCL_ITEM_STANDARD,
};

#define SIZE_MAX_PT      72.0
#define MM_MAX           2000.0
#define TOLERANCE_MM     0.01
#define GAP_MAX_MM       20.0
#define MARGIN_MAX_MM    20.0
#define MODULE_MAX_MM    2.0
#define NAME_SCALE_FLOOR 1.15 /* the name is the largest text */
#define NAME_SCALE_MAX   3.0

/* ---------- reading ---------- */

typedef struct {
    ocl_layout *layout;
    ocl_problems *problems;
    int line;
    int section; /* the element being read; -1 before any section, -2 skipping one */
    unsigned seen[OCL_ELEMENT_COUNT];
    int margin_line; /* where `margin` was given; 0: not given */
    int rules_line;
} reader;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The problem's field: "layout" or "layout.serial". */
static void field_of(const reader *r, char out[OCL_FIELD_MAX])
{
    if (r->section < 0)
        snprintf(out, OCL_FIELD_MAX, "layout");
    else
        snprintf(out, OCL_FIELD_MAX, "layout.%s", element_names[r->section]);
}

static void problem(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(reader *r, const char *fmt, ...)
{
    char field[OCL_FIELD_MAX], rule[OCL_RULE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof(rule), fmt, ap);
    va_end(ap);
    field_of(r, field);
    ocl_problem_add(r->problems, field, "'%s' line %d: %s", r->layout->name, r->line, rule);
}

/* A number with nothing after it but `suffix` (may be ""). */
static int number(const char *text, const char *suffix, double *value)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || strcmp(end, suffix) != 0)
        return -1;
    *value = v;
    return 0;
}

static int length(const char *text, ocl_length *out)
{
    size_t n = strlen(text);
    if (n > 2 && strcmp(text + n - 2, "mm") == 0) {
        out->fraction = 0;
        return number(text, "mm", &out->value) == 0 && out->value >= 0 && out->value <= MM_MAX ? 0
                                                                                               : -1;
    }
    out->fraction = 1;
    return number(text, "", &out->value) == 0 && out->value >= 0 && out->value <= 1 ? 0 : -1;
}

static void read_box(reader *r, ocl_layout_element *e, char *value)
{
    char *part[5] = {0};
    int n = 0;
    for (char *save = NULL, *t = strtok_r(value, " \t", &save); t && n < 5;
         t = strtok_r(NULL, " \t", &save))
        part[n++] = t;
    for (int i = 0; i < 4 && n == 4; i++)
        if (length(part[i], &e->box[i]) != 0) {
            problem(r,
                    "box: '%.32s' is neither a length in mm (\"12.5mm\") nor a fraction of "
                    "the %s from 0 to 1",
                    part[i], r->layout->kind == OCL_LAYOUT_STAMP ? "stamp" : "area");
            return;
        }
    if (n != 4)
        problem(r, "box: expected 'left top width height', e.g. '0 0 0.5 1' or '1mm 1mm 18mm "
                   "18mm'");
    else if (e->box[2].value <= 0 || e->box[3].value <= 0)
        problem(r, "box: the width and height must be more than 0");
    else
        e->has_box = 1;
}

/* "MIN MAX" or one value: 0, or -1 when it is not that. */
static int range(const char *value, double *lo, double *hi)
{
    char a[32], b[32], extra;
    int n = sscanf(value, "%31s %31s %c", a, b, &extra);
    if ((n != 1 && n != 2) || number(a, "", lo) != 0 || (n == 2 && number(b, "", hi) != 0))
        return -1;
    if (n == 1)
        *hi = *lo;
    return 0;
}

static void read_size(reader *r, ocl_layout_element *e, const char *value)
{
    double floor = r->section == OCL_ELEMENT_MARK ? kinds[r->layout->kind].mark_min
                                                  : kinds[r->layout->kind].text_min;
    double lo = 0, hi = 0;
    if (range(value, &lo, &hi) != 0) {
        problem(r, "size: expected 'MIN MAX' in pt, e.g. '4 6', or one size");
        return;
    }
    if (lo < floor - 1e-9)
        problem(r, "size: %.2f pt is under the %.1f pt a %s's %s may take", lo, floor,
                kinds[r->layout->kind].name, element_names[r->section]);
    else if (hi > SIZE_MAX_PT || hi < lo)
        problem(r, "size: the range must run up from MIN to at most %.0f pt", SIZE_MAX_PT);
    else
        e->size_min = lo, e->size_max = hi;
}

static void read_name_scale(reader *r, ocl_layout_element *e, const char *value)
{
    double lo = 0, hi = 0;
    if (range(value, &lo, &hi) != 0)
        problem(r, "name_scale: expected 'MIN MAX', times the body's size, e.g. '1.15 1.5'");
    else if (lo < NAME_SCALE_FLOOR - 1e-9)
        problem(r, "name_scale: %.2f is under %.2f: the product's name is the largest text", lo,
                NAME_SCALE_FLOOR);
    else if (hi > NAME_SCALE_MAX || hi < lo)
        problem(r, "name_scale: the range must run up from MIN to at most %.1f", NAME_SCALE_MAX);
    else
        e->scale_min = lo, e->scale_max = hi;
}

/* A length in mm from `lo` to `hi`: 0, or -1 with a problem. */
static int millimetres(reader *r, const char *key, const char *value, double lo, double hi,
                       double *out)
{
    double v = 0;
    if (number(value, "mm", &v) != 0 || v < lo || v > hi) {
        problem(r, "%s: '%.32s' is not a length in mm from %g to %g, e.g. '%gmm'", key, value, lo,
                hi, hi < 1 ? hi : 1.0);
        return -1;
    }
    *out = v;
    return 0;
}

static void read_gap(reader *r, ocl_layout_element *e, const char *value)
{
    double v = 0;
    if (number(value, "mm", &v) == 0 && v < 0)
        problem(r,
                "gap: %.2f mm would print text over the code's %d-module quiet zone, which must "
                "stay clear for the code to scan",
                v, OCL_STAMP_QUIET);
    else
        millimetres(r, "gap", value, 0, GAP_MAX_MM, &e->gap);
}

static int align_value(const char *value, int vertical)
{
    static const char *const across[] = {"left", "center", "right"};
    static const char *const down[] = {"top", "middle", "bottom"};
    for (int i = 0; i < 3; i++)
        if (strcmp(value, vertical ? down[i] : across[i]) == 0)
            return i;
    return -1;
}

static void read_text(reader *r, char out[OCL_LAYOUT_TEXT_MAX], const char *key, const char *value)
{
    size_t n = strlen(value);
    if (n >= OCL_LAYOUT_TEXT_MAX ||
        ocl_utf8_invalid_at((const unsigned char *)value, n) != (size_t)-1)
        problem(r, "%s: must be UTF-8 text of at most %d bytes", key, OCL_LAYOUT_TEXT_MAX - 1);
    else
        memcpy(out, value, n + 1);
}

/* The items a kind's texts may list, for a message. */
static void items_of(ocl_layout_kind kind, char *out, size_t size)
{
    ocl_strbuf sb;
    ocl_strbuf_init(&sb, out, size);
    for (int i = 0; i < OCL_ITEM_COUNT; i++)
        if (kinds[kind].items & BIT(i))
            ocl_strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", item_names[i]);
}

static int item_value(const char *name)
{
    for (int i = 0; i < OCL_ITEM_COUNT; i++)
        if (strcmp(item_names[i], name) == 0)
            return i;
    return -1;
}

/* One field of an order's word, on the line of the one before when
 * `joined`; `size` is the word's (0 on a label). */
static int read_item(reader *r, ocl_layout_element *e, const char *part, int joined, double size)
{
    ocl_layout_kind kind = r->layout->kind;
    char list[256];
    int item = item_value(part);
    if (item < 0 || !(kinds[kind].items & BIT(item))) {
        items_of(kind, list, sizeof(list));
        problem(r, "order: '%.32s' is not a field of a %s; known: %s", part, kinds[kind].name,
                list);
        return -1;
    }
    for (int i = 0; i < e->order_count; i++)
        if ((int)e->order[i].item == item) {
            problem(r, "order: '%s' is listed twice", part);
            return -1;
        }
    if (e->order_count == OCL_LAYOUT_ORDER_MAX) {
        problem(r, "order: more than %d entries", OCL_LAYOUT_ORDER_MAX);
        return -1;
    }
    e->order[e->order_count++] =
        (ocl_layout_item){.item = (ocl_item)item, .joined = joined, .size = size};
    return 0;
}

/* A word of an order: "name" on a label; on a carton label a line and
 * its size in pt, "name:16" or "gtin+count:8". */
static int read_word(reader *r, ocl_layout_element *e, char *word)
{
    ocl_layout_kind kind = r->layout->kind;
    char *colon = strchr(word, ':');
    double size = 0;
    if (colon)
        *colon = '\0';
    if (kind != OCL_LAYOUT_CARTON && (colon || strchr(word, '+'))) {
        problem(r,
                "order: a %s's fields take no ':SIZE' or '+': its sizes are the text's 'size' "
                "and 'name_scale'",
                kinds[kind].name);
        return -1;
    }
    if (kind == OCL_LAYOUT_CARTON && (!colon || number(colon + 1, "", &size) != 0 ||
                                      size < kinds[kind].text_min - 1e-9 || size > SIZE_MAX_PT)) {
        problem(r, "order: '%s' needs its size in pt, %.0f to %.0f, e.g. '%s:12'", word,
                kinds[kind].text_min, SIZE_MAX_PT, word);
        return -1;
    }
    int joined = 0;
    for (char *rest = NULL, *part = strtok_r(word, "+", &rest); part;
         part = strtok_r(NULL, "+", &rest), joined = 1)
        if (read_item(r, e, part, joined, size) != 0)
            return -1;
    return 0;
}

/* A label's fields go after the name, but for the logo and the mark: the
 * name's lines are the text's first and largest. */
static void check_name_first(reader *r, const ocl_layout_element *e)
{
    for (int i = 0; i < e->order_count && e->order[i].item != OCL_ITEM_NAME; i++)
        if (e->order[i].item != OCL_ITEM_LOGO && e->order[i].item != OCL_ITEM_MARK) {
            problem(r,
                    "order: '%s' comes before 'name': the product's name opens the text (only "
                    "the logo and the mark may come first)",
                    item_names[e->order[i].item]);
            return;
        }
}

static void read_order(reader *r, ocl_layout_element *e, char *value)
{
    e->order_count = 0;
    for (char *save = NULL, *word = strtok_r(value, " \t", &save); word;
         word = strtok_r(NULL, " \t", &save)) {
        if (read_word(r, e, word) != 0)
            return;
    }
    if (e->order_count == 0)
        problem(r, "order: list the fields in the order they are printed");
    else if (r->layout->kind == OCL_LAYOUT_LABEL)
        check_name_first(r, e);
}

static void read_place(reader *r, ocl_layout_element *e, char *value)
{
    e->places = 0;
    for (char *save = NULL, *word = strtok_r(value, " \t", &save); word;
         word = strtok_r(NULL, " \t", &save)) {
        int p = strcmp(word, "below") == 0    ? OCL_PLACE_BELOW
                : strcmp(word, "beside") == 0 ? OCL_PLACE_BESIDE
                                              : -1;
        if (p < 0 || e->places == 2 || (e->places == 1 && (int)e->place[0] == p)) {
            problem(r, "place: expected 'below', 'beside' or both in the order tried, each once");
            return;
        }
        e->place[e->places++] = (ocl_place)p;
    }
    if (e->places == 0)
        problem(r, "place: expected 'below', 'beside' or both in the order tried");
}

static void read_height(reader *r, ocl_layout_element *e, const char *value)
{
    if (r->layout->kind == OCL_LAYOUT_CARTON) {
        e->height.fraction = 0;
        millimetres(r, "height", value, 1, MM_MAX, &e->height.value);
    } else if (length(value, &e->height) != 0 || e->height.value <= 0) {
        problem(r,
                "height: '%.32s' is neither a length in mm nor a fraction of the area's height "
                "over 0 and up to 1",
                value);
    }
}

static void read_clear(reader *r, ocl_layout_element *e, const char *value)
{
    if (strcmp(value, "beside") == 0)
        e->clear = OCL_CLEAR_BESIDE;
    else if (strcmp(value, "below") == 0)
        e->clear = OCL_CLEAR_BELOW;
    else if (strcmp(value, "none") == 0)
        e->clear = OCL_CLEAR_NONE;
    else
        problem(r,
                "clear: '%.32s' is not one of beside (the part of the box level with the QR), "
                "below (the part below it), none",
                value);
}

static void read_whole(reader *r, ocl_layout_element *e, size_t key, const char *value)
{
    char *end = NULL;
    long whole = strtol(value, &end, 10);
    if (key == KEY_LINES && (!*value || *end || whole < 1 || whole > OCL_LAYOUT_LINES_MAX))
        problem(r, "lines: must be a whole number from 1 to %d", OCL_LAYOUT_LINES_MAX);
    else if (key == KEY_ROTATE && (!*value || *end || (whole != 0 && whole != 90 && whole != 270)))
        problem(r, "rotate: must be 0, 90 (reading upwards) or 270 (downwards)");
    else if (key == KEY_LINES)
        e->lines = (int)whole;
    else
        e->rotate = (int)whole;
}

static void read_key(reader *r, size_t key, char *value)
{
    ocl_layout_element *e = &r->layout->element[r->section];
    switch (key) {
    case KEY_BOX:
        read_box(r, e, value);
        break;
    case KEY_ALIGN:
    case KEY_VALIGN: {
        int a = align_value(value, key == KEY_VALIGN);
        if (a < 0)
            problem(r, "%s: '%.32s' is not one of %s", key_names[key], value,
                    key == KEY_VALIGN ? "top, middle, bottom" : "left, center, right");
        else if (key == KEY_ALIGN)
            e->align = (ocl_align)a;
        else
            e->valign = (ocl_align)a;
        break;
    }
    case KEY_SIZE:
        read_size(r, e, value);
        break;
    case KEY_LINES:
    case KEY_ROTATE:
        read_whole(r, e, key, value);
        break;
    case KEY_TEXT:
        read_text(r, e->text, "text", value);
        if (!e->text[0])
            problem(r, "text: the caption cannot be empty");
        break;
    case KEY_PREFIX:
        read_text(r, e->text, "prefix", value);
        break;
    case KEY_ORDER:
        read_order(r, e, value);
        break;
    case KEY_GAP:
        read_gap(r, e, value);
        break;
    case KEY_MAX:
        millimetres(r, "max", value, 1, MM_MAX, &e->max);
        break;
    case KEY_NAME_SCALE:
        read_name_scale(r, e, value);
        break;
    case KEY_HEIGHT:
        read_height(r, e, value);
        break;
    case KEY_MODULE:
        millimetres(r, "module", value, OCL_STAMP_MODULE_MIN_MM, MODULE_MAX_MM, &e->module);
        break;
    case KEY_PLACE:
        read_place(r, e, value);
        break;
    case KEY_CLEAR:
        read_clear(r, e, value);
        break;
    }
}

/* The label's text when its section gives no order: today's label. */
static const ocl_item label_order[] = {
    OCL_ITEM_LOGO,    OCL_ITEM_NAME,         OCL_ITEM_MARK,        OCL_ITEM_PRODUCER,
    OCL_ITEM_ORIGIN,  OCL_ITEM_NET_QUANTITY, OCL_ITEM_INGREDIENTS, OCL_ITEM_USAGE,
    OCL_ITEM_STORAGE, OCL_ITEM_WARNINGS,     OCL_ITEM_STANDARD,    OCL_ITEM_DATES,
    OCL_ITEM_LOT,     OCL_ITEM_PIN,
};

/* An element's defaults: the kind's floor up to twice it, one line, and
 * what each kind's element starts from. */
static void element_defaults(ocl_layout *layout, int element)
{
    ocl_layout_element *e = &layout->element[element];
    double floor =
        element == OCL_ELEMENT_MARK ? kinds[layout->kind].mark_min : kinds[layout->kind].text_min;
    e->size_min = floor;
    e->size_max = 2 * floor;
    e->lines = 1;
    if (element == OCL_ELEMENT_CAPTION)
        snprintf(e->text, sizeof(e->text), "%s", OCL_STAMP_CAPTION);
    if (layout->kind == OCL_LAYOUT_LABEL && element == OCL_ELEMENT_TEXT) {
        e->size_max = 7.0;
        e->gap = 0.8;
        e->scale_min = NAME_SCALE_FLOOR;
        e->scale_max = 1.5;
        for (size_t i = 0; i < sizeof(label_order) / sizeof(label_order[0]); i++)
            e->order[e->order_count++] = (ocl_layout_item){.item = label_order[i]};
    }
    e->height = layout->kind == OCL_LAYOUT_CARTON ? (ocl_length){OCL_CARTON_BAR_MM, 0}
                                                  : (ocl_length){0.25, 1};
    e->module = OCL_CARTON_X_MM;
    e->place[0] = OCL_PLACE_BELOW;
    e->place[1] = OCL_PLACE_BESIDE;
    e->places = 2;
}

/* The elements a kind has, for a message. */
static void elements_of(ocl_layout_kind kind, char *out, size_t size)
{
    ocl_strbuf sb;
    ocl_strbuf_init(&sb, out, size);
    for (int e = 0; e < OCL_ELEMENT_COUNT; e++)
        if (element_keys[kind][e])
            ocl_strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", element_names[e]);
}

static void read_section(reader *r, const char *text)
{
    size_t n = strlen(text);
    char name[32], list[128];
    snprintf(name, sizeof(name), "%.*s", n > 2 ? (int)(n - 2) : 0, text + 1);
    r->section = -1;
    int element = 0;
    while (element < OCL_ELEMENT_COUNT && strcmp(element_names[element], name) != 0)
        element++;
    if (text[n - 1] != ']' || element == OCL_ELEMENT_COUNT ||
        !element_keys[r->layout->kind][element]) {
        elements_of(r->layout->kind, list, sizeof(list));
        ocl_problem_add(r->problems, "layout", "'%s' line %d: unknown element '%.32s'; a %s has %s",
                        r->layout->name, r->line, name, kinds[r->layout->kind].name, list);
        r->section = -2; /* skip its keys */
        return;
    }
    r->section = element;
    if (r->layout->element[element].present) {
        problem(r, "the element is placed twice (first on line %d)",
                r->layout->element[element].line);
        r->section = -2;
        return;
    }
    r->layout->element[element].present = 1;
    r->layout->element[element].line = r->line;
    element_defaults(r->layout, element);
}

static void read_top(reader *r, const char *key, const char *value)
{
    if (strcmp(key, "margin") == 0) {
        r->margin_line = r->line;
        if (millimetres(r, "margin", value, 0, MARGIN_MAX_MM, &r->layout->margin) != 0)
            r->margin_line = 0;
        return;
    }
    if (strcmp(key, "rules") == 0) {
        r->rules_line = r->line;
        r->layout->rules = strcmp(value, "on") == 0;
        if (!r->layout->rules && strcmp(value, "off") != 0)
            problem(r, "rules: must be on or off");
        return;
    }
    if (strcmp(key, "kind") != 0) {
        problem(r,
                "unknown key '%.32s' before the first [element]; only kind, margin and rules "
                "go there",
                key);
        return;
    }
    int k = 0;
    while (k < OCL_LAYOUT_KIND_COUNT && strcmp(kinds[k].name, value) != 0)
        k++;
    if (k == OCL_LAYOUT_KIND_COUNT)
        problem(r, "kind: '%.32s' is not a kind of layout; known: stamp, label, carton", value);
    else
        r->layout->kind = (ocl_layout_kind)k;
}

static void read_line(reader *r, char *line)
{
    char *text = trim(line);
    if (*text == '#') {
        if (!r->layout->description[0])
            snprintf(r->layout->description, sizeof(r->layout->description), "%s", trim(text + 1));
        return;
    }
    if (!*text)
        return;
    if (*text == '[') {
        read_section(r, text);
        return;
    }
    char *eq = strchr(text, '=');
    if (!eq) {
        problem(r, "expected 'key = value' or '[element]'");
        return;
    }
    *eq = '\0';
    char *key = trim(text), *value = trim(eq + 1);
    if (r->section == -2)
        return;
    if (r->section < 0) {
        read_top(r, key, value);
        return;
    }
    size_t k = 0;
    while (k < KEY_COUNT && strcmp(key_names[k], key) != 0)
        k++;
    if (k == KEY_COUNT || !(element_keys[r->layout->kind][r->section] & BIT(k))) {
        problem(r, "the %s takes no key '%.32s'", element_names[r->section], key);
        return;
    }
    if (r->seen[r->section] & BIT(k)) {
        problem(r, "'%s' is given twice", key_names[k]);
        return;
    }
    r->seen[r->section] |= BIT(k);
    read_key(r, k, value);
}

/* ---------- what a layout must hold ---------- */

static void element_problem(const reader *r, int element, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void element_problem(const reader *r, int element, const char *fmt, ...)
{
    char field[OCL_FIELD_MAX], rule[OCL_RULE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof(rule), fmt, ap);
    va_end(ap);
    snprintf(field, sizeof(field), "layout.%s", element_names[element]);
    ocl_problem_add(r->problems, field, "'%s' line %d: %s", r->layout->name,
                    r->layout->element[element].line, rule);
}

/* Whether a label's text or a carton label's parts list `item`. */
static int lists(const ocl_layout *layout, ocl_item item)
{
    static const ocl_element texts[] = {OCL_ELEMENT_TEXT, OCL_ELEMENT_FROM, OCL_ELEMENT_CONTENT};
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        const ocl_layout_element *e = &layout->element[texts[t]];
        for (int i = 0; e->present && i < e->order_count; i++)
            if (e->order[i].item == item)
                return 1;
    }
    return 0;
}

int ocl_layout_has_logo(const ocl_layout *layout)
{
    return layout->element[OCL_ELEMENT_LOGO].present || lists(layout, OCL_ITEM_LOGO);
}

/* A label's logo has one place: a box of its own, or the text's order. */
static void check_logo(const reader *r)
{
    const ocl_layout_element *logo = &r->layout->element[OCL_ELEMENT_LOGO];
    int flows = lists(r->layout, OCL_ITEM_LOGO);
    if (!logo->present && flows)
        element_defaults(r->layout, OCL_ELEMENT_LOGO); /* its height and alignment */
    if (!logo->present || r->layout->kind != OCL_LAYOUT_LABEL)
        return;
    if (logo->has_box && flows)
        element_problem(r, OCL_ELEMENT_LOGO,
                        "the logo has a box and is in the text's order: give it one place");
    else if (!logo->has_box && !flows)
        element_problem(r, OCL_ELEMENT_LOGO,
                        "the logo has no place: give it a box, or put 'logo' in the text's order");
}

/* Each mandatory entry of the kind's texts is listed; on a label, every
 * field the law asks of every product group too. */
static void check_items(const reader *r)
{
    const ocl_layout *layout = r->layout;
    int text = layout->kind == OCL_LAYOUT_LABEL ? OCL_ELEMENT_TEXT : OCL_ELEMENT_FROM;
    if (layout->kind == OCL_LAYOUT_STAMP || !layout->element[text].present)
        return;
    for (int i = 0; i < OCL_ITEM_COUNT; i++)
        if ((kinds[layout->kind].items_mandatory & BIT(i)) && !lists(layout, (ocl_item)i))
            element_problem(r, text, "the order has no '%s': a %s must show it (%s)", item_names[i],
                            kinds[layout->kind].name, item_why[i]);
    if (layout->kind != OCL_LAYOUT_LABEL)
        return;
    unsigned reported = 0;
    for (int f = 0; f < OCL_FIELD_COUNT; f++) {
        int everywhere = 1;
        for (int g = 0; g < OCL_GROUP_COUNT; g++)
            everywhere &= ocl_law_requires((ocl_group)g, (ocl_field)f) != 0;
        ocl_item item = field_items[f];
        if (everywhere && !lists(layout, item) && !(reported & BIT(item))) {
            reported |= BIT(item);
            element_problem(r, text, "the order has no '%s', which every label must carry (%s: %s)",
                            item_names[item], ocl_field_path((ocl_field)f), ocl_law_basis(f));
        }
    }
}

/* Every mandatory element is there, every element that needs a box has
 * one, and the margin is the kind's. */
static void check_complete(reader *r)
{
    ocl_layout *layout = r->layout;
    for (int e = 0; e < OCL_ELEMENT_COUNT; e++) {
        char field[OCL_FIELD_MAX];
        snprintf(field, sizeof(field), "layout.%s", element_names[e]);
        const ocl_layout_element *el = &layout->element[e];
        int boxless =
            e == OCL_ELEMENT_EAN || (e == OCL_ELEMENT_LOGO && layout->kind == OCL_LAYOUT_LABEL);
        if (!el->present && (kinds[layout->kind].mandatory & BIT(e)))
            ocl_problem_add(r->problems, field, "'%s': missing: a %s must place the %s (%s)",
                            layout->name, kinds[layout->kind].name, element_names[e],
                            mandatory_why[layout->kind][e]);
        else if (el->present && !boxless && !(r->seen[e] & BIT(KEY_BOX)))
            ocl_problem_add(r->problems, field, "'%s' line %d: the %s has no box", layout->name,
                            el->line, element_names[e]);
    }
    check_logo(r);
    check_items(r);
    double floor = kinds[layout->kind].margin;
    if (r->margin_line && floor == 0) {
        r->line = r->margin_line, r->section = -1;
        problem(r, "margin: a %s has none: its boxes reach its edges", kinds[layout->kind].name);
    } else if (r->margin_line && layout->margin < floor - 1e-9) {
        r->line = r->margin_line, r->section = -1;
        problem(r, "margin: %.2f mm is under the %.1f mm a %s keeps clear at its edges",
                layout->margin, floor, kinds[layout->kind].name);
    } else if (!r->margin_line) {
        layout->margin = floor;
    }
    if (r->rules_line && layout->kind != OCL_LAYOUT_CARTON) {
        r->line = r->rules_line, r->section = -1;
        problem(r, "rules: only a carton label has rules");
    }
}

ocl_result ocl_layout_parse(const char *text, size_t len, const char *name, ocl_layout *layout,
                            ocl_problems *problems)
{
    memset(layout, 0, sizeof(*layout));
    snprintf(layout->name, sizeof(layout->name), "%s", name);
    size_t before = problems->count + problems->dropped;
    reader r = {.layout = layout, .problems = problems, .section = -1};
    if (len > OCL_LAYOUT_BYTES_MAX)
        return ocl_problem_add(problems, "layout", "'%s': more than %d bytes", layout->name,
                               OCL_LAYOUT_BYTES_MAX);
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        char line[512];
        r.line++;
        if (end - start >= sizeof(line) || memchr(text + start, '\0', end - start))
            problem(&r, "the line is longer than %zu bytes or holds a NUL", sizeof(line) - 1);
        else {
            memcpy(line, text + start, end - start);
            line[end - start] = '\0';
            read_line(&r, line);
        }
        start = end + 1;
    }
    check_complete(&r);
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}

ocl_result ocl_layout_load(const char *path, ocl_layout *layout, ocl_problems *problems)
{
    memset(layout, 0, sizeof(*layout));
    FILE *file = fopen(path, "rb");
    if (!file)
        return OCL_EIO;
    char *text = malloc(OCL_LAYOUT_BYTES_MAX + 1);
    size_t len = text ? fread(text, 1, OCL_LAYOUT_BYTES_MAX + 1, file) : 0;
    int failed = !text || ferror(file);
    fclose(file);
    if (failed) {
        free(text);
        return text ? OCL_EIO : OCL_ENOMEM;
    }
    const char *slash = strrchr(path, '/');
    ocl_result rc = ocl_layout_parse(text, len, slash ? slash + 1 : path, layout, problems);
    free(text);
    return rc;
}

ocl_result ocl_layout_law_check(const ocl_layout *layout, ocl_group group, ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    const ocl_layout_element *text = &layout->element[OCL_ELEMENT_TEXT];
    unsigned reported = 0;
    for (int f = 0; f <= OCL_FIELD_COUNT; f++) {
        int required = f == OCL_FIELD_COUNT ? ocl_law_requires_dates(group)
                                            : ocl_law_requires(group, (ocl_field)f);
        ocl_item item = f == OCL_FIELD_COUNT ? OCL_ITEM_DATES : field_items[f];
        if (!required || lists(layout, item) || (reported & BIT(item)))
            continue;
        reported |= BIT(item);
        ocl_problem_add(problems, "layout.text",
                        "'%s' line %d: the order has no '%s' (%s), which a %s label must carry "
                        "(%s)",
                        layout->name, text->line, item_names[item],
                        f == OCL_FIELD_COUNT ? "lot.produced, lot.expires"
                                             : ocl_field_path((ocl_field)f),
                        ocl_group_name(group), ocl_law_basis(f));
    }
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}

/* ---------- the built-in layouts, as their files say ---------- */

static const struct {
    const char *name, *text;
} builtins[] = {
    {"label", "kind = label\n"
              "margin = 1.5mm\n"
              "[code]\nbox = 0 0 0.45 1\nmax = 60mm\nalign = left\nvalign = top\n"
              "[ean]\nplace = below beside\n"
              "[text]\nbox = 0 0 1 1\ngap = 0.8mm\nsize = 5 7\nname_scale = 1.15 1.5\n"
              "align = left\norder = logo name mark producer origin net_quantity ingredients "
              "usage storage warnings standard dates lot pin\n"
              "[logo]\nheight = 0.25\nalign = left\n"},
    {"carton", "kind = carton\nmargin = 3mm\nrules = on\n"
               "[code]\nbox = 0 0 1 0.72\nalign = right\nvalign = top\nmodule = 0.5mm\n"
               "[from]\nbox = 0 0 1 0.72\nclear = beside\norder = from:7 producer:10 address:8\n"
               "[content]\nbox = 0 0 1 0.72\nclear = below\norder = name:16 sscc:12 gtin:12 "
               "count:12 lot:12 produced:12 expires:12\n"
               "[barcode]\nbox = 0 0.72 1 0.28\nalign = center\nvalign = bottom\nheight = 32mm\n"},
    {"carton-low", "kind = carton\nmargin = 2mm\n"
                   "[code]\nbox = 0 0 1 1\nalign = right\nvalign = top\nmodule = 0.4mm\n"
                   "[from]\nbox = 0 0 1 1\nclear = beside\n"
                   "order = producer:7.5 name:8.5 gtin+count:8 lot+expires:8\n"
                   "[barcode]\nbox = 0 0 1 1\nclear = below\nalign = center\nvalign = bottom\n"
                   "height = 32mm\n"},
};

ocl_result ocl_layout_builtin(const char *name, ocl_layout *layout)
{
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (strcmp(builtins[i].name, name) == 0) {
            char file[OCL_LAYOUT_NAME_MAX];
            ocl_problems problems;
            ocl_problems_init(&problems);
            snprintf(file, sizeof(file), "%s.layout", name);
            return ocl_layout_parse(builtins[i].text, strlen(builtins[i].text), file, layout,
                                    &problems);
        }
    return OCL_EINVAL;
}

/* ---------- placing ---------- */

static double resolve(const ocl_length *l, double side)
{
    return l->fraction ? l->value * side : l->value;
}

static int overlap(const ocl_box *a, const ocl_box *b)
{
    const double e = TOLERANCE_MM;
    return a->x + e < b->x + b->width && b->x + e < a->x + a->width &&
           a->y + e < b->y + b->height && b->y + e < a->y + a->height;
}

static void place_problem(const ocl_layout *layout, int element, ocl_problems *problems,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void place_problem(const ocl_layout *layout, int element, ocl_problems *problems,
                          const char *fmt, ...)
{
    char field[OCL_FIELD_MAX], rule[OCL_RULE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof(rule), fmt, ap);
    va_end(ap);
    snprintf(field, sizeof(field), "layout.%s", element_names[element]);
    ocl_problem_add(problems, field, "'%s' line %d: %s", layout->name,
                    layout->element[element].line, rule);
}

/* Whether one of two elements gives way to the other where their boxes
 * meet: a label's text flows around the code (and only the code), a
 * carton label's part with `clear` keeps out of the QR and the other parts
 * (carton.c checks what it keeps). */
static int gives_way(const ocl_layout *layout, int a, int b)
{
    if (layout->kind == OCL_LAYOUT_LABEL)
        return (a == OCL_ELEMENT_TEXT && b == OCL_ELEMENT_CODE) ||
               (b == OCL_ELEMENT_TEXT && a == OCL_ELEMENT_CODE);
    if (layout->kind == OCL_LAYOUT_CARTON)
        return layout->element[a].clear != OCL_CLEAR_NONE ||
               layout->element[b].clear != OCL_CLEAR_NONE;
    return 0;
}

ocl_result ocl_layout_place(const ocl_layout *layout, double width, double height,
                            ocl_box box[OCL_ELEMENT_COUNT], ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    memset(box, 0, sizeof(ocl_box) * OCL_ELEMENT_COUNT);
    for (int e = 0; e < OCL_ELEMENT_COUNT; e++) {
        const ocl_layout_element *el = &layout->element[e];
        if (!el->present || !el->has_box)
            continue;
        double left = resolve(&el->box[0], width), top = resolve(&el->box[1], height);
        double w = resolve(&el->box[2], width), h = resolve(&el->box[3], height);
        box[e] = (ocl_box){left, height - top - h, w, h};
        if (left + w > width + TOLERANCE_MM || top + h > height + TOLERANCE_MM)
            place_problem(layout, e, problems,
                          "the box (%.1f, %.1f mm, %.1f x %.1f mm) reaches past the %.1f x %.1f "
                          "mm %s",
                          left, top, w, h, width, height, kinds[layout->kind].noun);
    }
    for (int e = 0; e < OCL_ELEMENT_COUNT; e++)
        for (int other = 0; other < e && layout->element[e].has_box; other++) {
            if (!layout->element[other].has_box || !overlap(&box[e], &box[other]) ||
                gives_way(layout, e, other))
                continue;
            if (other == OCL_ELEMENT_CODE)
                place_problem(layout, e, problems,
                              "the box overlaps the code's box, which holds the code and its "
                              "%d-module quiet zone: nothing may be printed there",
                              OCL_STAMP_QUIET);
            else
                place_problem(layout, e, problems, "the box overlaps the %s's (line %d)",
                              element_names[other], layout->element[other].line);
        }
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}

const char *ocl_stamp_layout_default(double width, double height)
{
    double longer = width > height ? width : height, shorter = width > height ? height : width;
    if (width >= 1.25 * height)
        return "stamp";
    return shorter < 25.0 - TOLERANCE_MM && longer < 1.25 * shorter ? "stamp-small"
                                                                    : "stamp-square";
}

const char *ocl_carton_layout_default(double width, double height)
{
    (void)width;
    return height >= OCL_CARTON_TALL_MM ? "carton" : "carton-low";
}
