/*
 * A carton's GS1 logistics label: the QR of the carton's Digital Link
 * (BASE/00/{sscc}), who the carton comes from, what it holds as GS1
 * human-readable text ((02) GTIN, (37) count, (10) lot, (11) NSX, (17)
 * HSD), and the SSCC as GS1-128 with its "(00)..." line.
 *
 * Where each part goes is the layout's (templates/layouts/carton.layout
 * for labels 100 mm high or more, carton-low.layout below), read by
 * layout.c; sizing them is this file's: the QR at the layout's module, the
 * bars at 0.5 mm modules as high as their box allows up to the layout's
 * height, a part that gives way to the QR keeping the room beside or below
 * it, every block of text shrunk together until it fits its box. Whatever
 * the layout says, the QR and the bars keep their size and quiet zones, no
 * part overlaps another, and bars too low for GS1 are refused.
 */
#include "pdf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PT             OCL_PT_PER_MM
#define GAP            2.0   /* mm between the QR and a text that gives way to it */
#define BARS_MIN_MM    12.0  /* below this, a label lower than 100 mm is refused */
#define BARS_GS1_MM    31.75 /* GS1: an SSCC's bars on a logistics label */
#define CONTENT_MIN_MM 20.0
#define ENTRIES_MAX    OCL_LAYOUT_ORDER_MAX
#define LINES_MAX      6
#define LEADING        1.2
#define SCALE_MIN      0.5
#define TOLERANCE_MM   0.01

/* ---------- checks and geometry ---------- */

static ocl_result check_carton(const ocl_carton *c, ocl_problems *problems)
{
    size_t before = problems->count;
    char gtin[OCL_GTIN14_LEN + 1];
    ocl_sscc_check(c->sscc, "sscc", problems);
    if (c->gtin && *c->gtin)
        ocl_gtin_normalise(c->gtin, "gtin", gtin, problems);
    if (c->count < 1)
        ocl_problem_add(problems, "count", "must be at least 1, found %ld", c->count);
    if (c->lot)
        ocl_ai_value_check(c->lot, "lot", problems);
    if (!c->link || !*c->link)
        ocl_problem_add(problems, "link", "required");
    if (!c->producer_name || !*c->producer_name)
        ocl_problem_add(problems, "producer_name", "required");
    if (!c->product_name || !*c->product_name)
        ocl_problem_add(problems, "product_name", "required");
    return problems->count == before ? OCL_OK : OCL_EINVAL;
}

/* The symbols a label draws. */
typedef struct {
    ocl_symbol bars;
    ocl_qr qr;
} symbols;

static void symbols_free(symbols *s)
{
    ocl_symbol_free(&s->bars);
    ocl_qr_free(&s->qr);
}

static ocl_result encode(const ocl_carton *c, symbols *s, ocl_problems *problems)
{
    char element[8 + OCL_SSCC_LEN];
    memset(s, 0, sizeof(*s));
    snprintf(element, sizeof(element), "(00)%s", c->sscc);
    ocl_result rc = ocl_symbol_encode(OCL_SYMBOL_GS1_128, element, "sscc", &s->bars, problems);
    if (rc == OCL_OK)
        rc = ocl_qr_encode((const unsigned char *)c->link, strlen(c->link), OCL_EC_M, &s->qr);
    if (rc == OCL_ERANGE)
        rc = ocl_problem_add(problems, "link", "too long for a QR code (%zu bytes)",
                             strlen(c->link));
    return rc;
}

/* Where a length `inner` starts in `outer` for an alignment. */
static double aligned(ocl_align align, double outer, double inner)
{
    return align == OCL_ALIGN_START    ? 0
           : align == OCL_ALIGN_CENTER ? (outer - inner) / 2
                                       : outer - inner;
}

static int meet(const ocl_box *a, const ocl_box *b)
{
    const double e = TOLERANCE_MM;
    return a->width > 0 && a->height > 0 && b->width > 0 && b->height > 0 &&
           a->x + e < b->x + b->width && b->x + e < a->x + a->width &&
           a->y + e < b->y + b->height && b->y + e < a->y + a->height;
}

/* What a box keeps when it gives way to the QR it meets, `gap` away:
 * the part level with the QR on its wider side, or the part below it. */
static ocl_box give_way(ocl_box b, ocl_clear clear, const ocl_box *qr, double gap)
{
    ocl_box near = {qr->x - gap, qr->y - gap, qr->width + 2 * gap, qr->height + 2 * gap};
    if (clear == OCL_CLEAR_NONE || !meet(&b, &near))
        return b;
    if (clear == OCL_CLEAR_BELOW) {
        double top = qr->y - gap, height = top - b.y;
        return (ocl_box){b.x, b.y, b.width, height > 0 ? height : 0};
    }
    double bottom = b.y > qr->y ? b.y : qr->y;
    double top = b.y + b.height < qr->y + qr->height ? b.y + b.height : qr->y + qr->height;
    double left = qr->x - gap - b.x, right = b.x + b.width - (qr->x + qr->width + gap);
    ocl_box kept = right > left ? (ocl_box){qr->x + qr->width + gap, bottom, right, top - bottom}
                                : (ocl_box){b.x, bottom, left, top - bottom};
    if (kept.width < 0 || kept.height < 0)
        kept.width = kept.height = 0;
    return kept;
}

static ocl_result layout_problem(const ocl_layout *layout, ocl_element element,
                                 ocl_problems *problems, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static ocl_result layout_problem(const ocl_layout *layout, ocl_element element,
                                 ocl_problems *problems, const char *fmt, ...)
{
    char field[OCL_FIELD_MAX], rule[OCL_RULE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof(rule), fmt, ap);
    va_end(ap);
    snprintf(field, sizeof(field), "layout.%s", ocl_element_name(element));
    return ocl_problem_add(problems, field, "'%s' line %d: %s", layout->name,
                           layout->element[element].line, rule);
}

/* The QR in its box at the layout's module. */
static int place_qr(const ocl_layout *layout, const ocl_box *box, const ocl_qr *qr,
                    ocl_carton_geometry *g)
{
    const ocl_layout_element *code = &layout->element[OCL_ELEMENT_CODE];
    g->qr_module = code->module;
    double side = qr->size * g->qr_module;
    g->qr = (ocl_box){box->x + aligned(code->align, box->width, side),
                      box->y + box->height - side - aligned(code->valign, box->height, side), side,
                      side};
    return side <= box->width + TOLERANCE_MM && side <= box->height + TOLERANCE_MM;
}

/* The bars as high as their box allows, up to the layout's height, with
 * their (00) line below (its band as barcode.c draws it). */
static ocl_result place_bars(const ocl_layout *layout, const ocl_box *box, const ocl_symbol *bars,
                             ocl_carton_geometry *g, ocl_problems *problems)
{
    const ocl_layout_element *el = &layout->element[OCL_ELEMENT_BARCODE];
    double width, band;
    ocl_symbol_box(bars, g->x_dimension, 0, 1, &width, &band);
    if (width > box->width + TOLERANCE_MM)
        return layout_problem(layout, OCL_ELEMENT_BARCODE, problems,
                              "its box (%.1f mm wide) cannot hold the SSCC's bars, %.1f mm wide "
                              "at %.2f mm modules",
                              box->width, width, g->x_dimension);
    g->bar_height = box->height - band;
    if (g->bar_height > el->height.value)
        g->bar_height = el->height.value;
    double height = g->bar_height + band;
    g->barcode = (ocl_box){box->x + aligned(el->align, box->width, width),
                           box->y + box->height - height - aligned(el->valign, box->height, height),
                           width, height};
    return OCL_OK;
}

/* No two parts overlap, whatever the boxes they gave way from. */
static ocl_result check_apart(const ocl_layout *layout, const ocl_carton_geometry *g,
                              ocl_problems *problems)
{
    const struct {
        ocl_element element;
        const ocl_box *box;
    } parts[] = {{OCL_ELEMENT_CODE, &g->qr},
                 {OCL_ELEMENT_FROM, &g->from},
                 {OCL_ELEMENT_CONTENT, &g->content},
                 {OCL_ELEMENT_BARCODE, &g->barcode}};
    size_t n = sizeof(parts) / sizeof(parts[0]);
    for (size_t i = 1; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (meet(parts[i].box, parts[k].box))
                return layout_problem(
                    layout, parts[i].element, problems, "the %s would overlap the %s%s",
                    ocl_element_name(parts[i].element),
                    k == 0 ? "QR and its quiet zone" : ocl_element_name(parts[k].element),
                    parts[i].box == &g->barcode ? " (the bars' quiet zones)" : "");
    return OCL_OK;
}

static ocl_result plan(const ocl_sheet *sheet, const ocl_layout *layout, const symbols *s,
                       ocl_carton_geometry *g, ocl_problems *problems)
{
    memset(g, 0, sizeof(*g));
    g->label = (ocl_box){0, 0, sheet->label_width, sheet->label_height};
    g->x_dimension = OCL_CARTON_X_MM;
    int tall = sheet->label_height >= OCL_CARTON_TALL_MM;
    double barcode_w;
    ocl_symbol_box(&s->bars, OCL_CARTON_X_MM, 0, 1, &barcode_w, NULL);
    if (barcode_w > g->label.width)
        return ocl_problem_add(problems, "sheet",
                               "a label %.1f mm wide cannot hold the SSCC's bars, %.1f mm wide "
                               "at %.2f mm modules",
                               g->label.width, barcode_w, OCL_CARTON_X_MM);
    if (layout->kind != OCL_LAYOUT_CARTON)
        return ocl_problem_add(problems, "layout",
                               "'%s' is not a carton label's layout (kind = carton)", layout->name);
    double m = layout->margin;
    ocl_box box[OCL_ELEMENT_COUNT];
    if (ocl_layout_place(layout, g->label.width - 2 * m, g->label.height - 2 * m, box, problems) !=
        OCL_OK)
        return OCL_EINVAL;
    for (int e = 0; e < OCL_ELEMENT_COUNT; e++)
        box[e].x += m, box[e].y += m;
    int qr_fits = place_qr(layout, &box[OCL_ELEMENT_CODE], &s->qr, g);
    const ocl_layout_element *el = layout->element;
    g->from = give_way(box[OCL_ELEMENT_FROM], el[OCL_ELEMENT_FROM].clear, &g->qr, GAP);
    if (el[OCL_ELEMENT_CONTENT].present)
        g->content = give_way(box[OCL_ELEMENT_CONTENT], el[OCL_ELEMENT_CONTENT].clear, &g->qr, GAP);
    ocl_box bars =
        give_way(box[OCL_ELEMENT_BARCODE], el[OCL_ELEMENT_BARCODE].clear, &g->qr, GAP / 2);
    if (qr_fits && place_bars(layout, &bars, &s->bars, g, problems) != OCL_OK)
        return OCL_EINVAL;
    double bars_min = tall ? BARS_GS1_MM : BARS_MIN_MM;
    int bars_low = g->bar_height < bars_min - 1e-9;
    /* What the QR takes from the rest: a shorter link, or a larger label. */
    if (!qr_fits || g->from.width < 2 * g->qr.width / 3 ||
        (el[OCL_ELEMENT_CONTENT].present && g->content.height < CONTENT_MIN_MM) ||
        (bars_low && el[OCL_ELEMENT_BARCODE].clear != OCL_CLEAR_NONE))
        return ocl_problem_add(problems, "link",
                               "its QR code (%.1f mm) leaves too little room on a %.0f x %.0f mm "
                               "label: use a shorter base URL or a larger label",
                               g->qr.width, g->label.width, g->label.height);
    if (bars_low)
        return layout_problem(layout, OCL_ELEMENT_BARCODE, problems,
                              "its box leaves the bars %.1f mm high, under the %.2f mm %s",
                              g->bar_height, bars_min,
                              tall ? "GS1 asks of an SSCC on a logistics label"
                                   : "a label lower than 100 mm may take");
    return check_apart(layout, g, problems);
}

/* The layout given, or the built-in one for the sheet's height. */
static const ocl_layout *layout_for(const ocl_layout *given, const ocl_sheet *sheet,
                                    ocl_layout *builtin)
{
    if (given)
        return given;
    return ocl_layout_builtin(ocl_carton_layout_default(sheet->label_width, sheet->label_height),
                              builtin) == OCL_OK
               ? builtin
               : NULL;
}

ocl_result ocl_carton_label_layout_geometry(const ocl_carton *carton, const ocl_sheet *sheet,
                                            const ocl_layout *layout, ocl_carton_geometry *geometry,
                                            ocl_problems *problems)
{
    symbols s;
    ocl_layout builtin;
    if (check_carton(carton, problems) != OCL_OK)
        return OCL_EINVAL;
    if (!(layout = layout_for(layout, sheet, &builtin)))
        return OCL_ELIBRARY;
    ocl_result rc = encode(carton, &s, problems);
    if (rc == OCL_OK)
        rc = plan(sheet, layout, &s, geometry, problems);
    symbols_free(&s);
    return rc;
}

ocl_result ocl_carton_label_geometry(const ocl_carton *carton, const ocl_sheet *sheet,
                                     ocl_carton_geometry *geometry, ocl_problems *problems)
{
    return ocl_carton_label_layout_geometry(carton, sheet, NULL, geometry, problems);
}

/* ---------- text ---------- */

/* One block of text: its field (for a refusal), size in pt, lines allowed. */
typedef struct {
    const char *field;
    char text[320];
    double size;
    int max_lines;
    int bold;
} entry;

typedef struct {
    entry item[ENTRIES_MAX];
    int count;
} entries;

/* The AI's value of a date, and the date as a Vietnamese label writes it. */
static void dates(const ocl_date *d, char yymmdd[7], char shown[11])
{
    ocl_date_format_yymmdd(d, yymmdd);
    snprintf(shown, 11, "%02u/%02u/%04u", (unsigned)d->day % 100u, (unsigned)d->month % 100u,
             (unsigned)d->year % 10000u);
}

static int given(const char *text)
{
    return text && *text;
}

/* The field a refusal names for an item. */
static const char *item_field(ocl_item item)
{
    switch (item) {
    case OCL_ITEM_FROM:
    case OCL_ITEM_PRODUCER:
        return "producer_name";
    case OCL_ITEM_ADDRESS:
        return "producer_address";
    case OCL_ITEM_NAME:
        return "product_name";
    default:
        return ocl_item_name(item);
    }
}

/* An item's text: alone on its line with its Vietnamese caption, or short
 * when it shares the line; "" when the carton has none. */
static void item_text(const ocl_carton *c, ocl_item item, int alone, char *out, size_t size)
{
    char yymmdd[7], shown[11];
    int gtin = given(c->gtin);
    out[0] = '\0';
    if (item == OCL_ITEM_FROM)
        snprintf(out, size, "Từ (from):");
    else if (item == OCL_ITEM_PRODUCER)
        snprintf(out, size, "%s", c->producer_name);
    else if (item == OCL_ITEM_ADDRESS && given(c->producer_address))
        snprintf(out, size, "%s", c->producer_address);
    else if (item == OCL_ITEM_NAME)
        snprintf(out, size, "%s", c->product_name);
    else if (item == OCL_ITEM_SSCC)
        snprintf(out, size, "SSCC %s", c->sscc);
    else if (item == OCL_ITEM_GTIN && gtin)
        snprintf(out, size, "(02) %s%s", c->gtin, alone ? "  GTIN hàng trong thùng" : "");
    else if (item == OCL_ITEM_UNITS && gtin)
        snprintf(out, size, "(37) %ld%s", c->count, alone ? "  Số lượng" : "");
    else if (item == OCL_ITEM_UNITS)
        snprintf(out, size, "Số lượng: %ld", c->count);
    else if (item == OCL_ITEM_LOT && c->lot)
        snprintf(out, size, "(10) %s%s", c->lot, alone ? "  Số lô" : "");
    else if (item == OCL_ITEM_PRODUCED && c->has_produced) {
        dates(&c->produced, yymmdd, shown);
        snprintf(out, size, "(11) %s  NSX %s", yymmdd, shown);
    } else if (item == OCL_ITEM_EXPIRES && c->has_expires) {
        dates(&c->expires, yymmdd, shown);
        snprintf(out, size, "(17) %s  HSD %s", yymmdd, shown);
    }
}

/* The blocks of a part, in the layout's order: the names bold on up to
 * two lines, the address on up to three, the rest on one; items joined
 * with '+' on one line. */
static void part_entries(const ocl_carton *c, const ocl_layout_element *part, entries *list)
{
    entry *e = NULL;
    for (int i = 0; i < part->order_count; i++) {
        const ocl_layout_item *at = &part->order[i];
        int alone = !at->joined && (i + 1 == part->order_count || !at[1].joined);
        char text[sizeof(e->text)];
        item_text(c, at->item, alone, text, sizeof(text));
        if (!at->joined)
            e = NULL;
        if (!text[0])
            continue;
        if (e) {
            size_t n = strlen(e->text);
            snprintf(e->text + n, sizeof(e->text) - n, "  %s", text);
            continue;
        }
        if (list->count == ENTRIES_MAX)
            return;
        e = &list->item[list->count++];
        int name = at->item == OCL_ITEM_PRODUCER || at->item == OCL_ITEM_NAME;
        *e = (entry){.field = item_field(at->item),
                     .size = at->size,
                     .max_lines = name                           ? 2
                                  : at->item == OCL_ITEM_ADDRESS ? 3
                                                                 : 1,
                     .bold = name};
        snprintf(e->text, sizeof(e->text), "%s", text);
    }
}

/* Lines of `text` at `size` pt within `width` mm, up to LINES_MAX. */
static int wrap(const ocl_pdf *pdf, const char *text, double size, double width,
                const char *starts[LINES_MAX], const char *ends[LINES_MAX])
{
    int n = 0;
    const char *at = text;
    while (*at && n <= LINES_MAX) {
        const char *next, *end = ocl_pdf_line_end(pdf, at, width * PT * 1000.0 / size, &next);
        if (n < LINES_MAX) {
            starts[n] = at;
            ends[n] = end;
        }
        n++;
        at = next;
    }
    return n;
}

/* The largest scale (1 down to SCALE_MIN) at which every entry keeps to
 * its lines and all fit the box's height; 0 after a problem. */
static double fit(const ocl_pdf *pdf, const entries *list, const ocl_box *box,
                  ocl_problems *problems)
{
    const char *starts[LINES_MAX], *ends[LINES_MAX], *over = NULL;
    for (double scale = 1.0; scale >= SCALE_MIN - 1e-9; scale -= 0.05) {
        double height = 0;
        over = NULL;
        for (int i = 0; i < list->count && !over; i++) {
            const entry *e = &list->item[i];
            int n = wrap(pdf, e->text, e->size * scale, box->width, starts, ends);
            if (n > e->max_lines)
                over = e->field;
            height += n * e->size * scale * LEADING / PT;
        }
        if (!over && height <= box->height)
            return scale;
    }
    ocl_problem_add(problems, over ? over : list->item[0].field,
                    "does not fit a %.0f x %.0f mm box of the carton label, even at %.0f%% of "
                    "its size",
                    box->width, box->height, SCALE_MIN * 100);
    return 0;
}

/* Draws the entries top down in the box, at `scale`; (ox, oy) is the
 * label's corner on the page, in mm. */
static void draw_entries(HPDF_Page page, const ocl_pdf *pdf, const entries *list,
                         const ocl_box *box, double scale, double ox, double oy)
{
    const char *starts[LINES_MAX], *ends[LINES_MAX];
    double y = (oy + box->y + box->height) * PT;
    HPDF_Page_BeginText(page);
    for (int i = 0; i < list->count; i++) {
        const entry *e = &list->item[i];
        double size = e->size * scale;
        int n = wrap(pdf, e->text, size, box->width, starts, ends);
        HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)size);
        HPDF_Page_SetTextRenderingMode(page, e->bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
        HPDF_Page_SetLineWidth(page, (HPDF_REAL)(size * 0.03));
        for (int k = 0; k < n && k < LINES_MAX; k++) {
            char line[sizeof(e->text)];
            snprintf(line, sizeof(line), "%.*s", (int)(ends[k] - starts[k]), starts[k]);
            y -= size * (k == 0 && i == 0 ? 1.0 : LEADING);
            HPDF_Page_SetTextMatrix(page, 1, 0, 0, 1, (HPDF_REAL)((ox + box->x) * PT),
                                    (HPDF_REAL)y);
            HPDF_Page_ShowText(page, line);
        }
    }
    HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
    HPDF_Page_EndText(page);
}

/* ---------- drawing ---------- */

static void draw_qr(HPDF_Page page, const ocl_qr *qr, const ocl_box *box, double module, double ox,
                    double oy)
{
    double u = module * PT, left = (ox + box->x) * PT, top = (oy + box->y + box->height) * PT;
    for (int y = 0; y < qr->size; y++) {
        const unsigned char *row = qr->modules + (size_t)y * (size_t)qr->size;
        for (int x = 0; x < qr->size;) {
            int run = 0;
            while (x + run < qr->size && row[x + run])
                run++;
            if (run)
                HPDF_Page_Rectangle(page, (HPDF_REAL)(left + x * u), (HPDF_REAL)(top - (y + 1) * u),
                                    (HPDF_REAL)(run * u), (HPDF_REAL)u);
            x += run ? run : 1;
        }
    }
    HPDF_Page_Fill(page);
}

/* A thin rule across the label, inside its margin, at height y (mm). */
static void rule(HPDF_Page page, const ocl_carton_geometry *g, double margin, double y, double ox,
                 double oy)
{
    HPDF_Page_SetLineWidth(page, 0.6f);
    HPDF_Page_MoveTo(page, (HPDF_REAL)((ox + margin) * PT), (HPDF_REAL)((oy + y) * PT));
    HPDF_Page_LineTo(page, (HPDF_REAL)((ox + g->label.width - margin) * PT),
                     (HPDF_REAL)((oy + y) * PT));
    HPDF_Page_Stroke(page);
}

/* With the layout's rules: one above the contents and one above the
 * bars, halfway to the nearest part above each. */
static void rules(HPDF_Page page, const ocl_layout *layout, const ocl_carton_geometry *g, double ox,
                  double oy)
{
    const ocl_box *parts[] = {&g->qr, &g->from, &g->content, &g->barcode};
    for (size_t i = 2; layout->rules && i < 4; i++) {
        double top = parts[i]->y + parts[i]->height, above = -1;
        for (size_t k = 0; k < 4 && parts[i]->height > 0; k++)
            if (k != i && parts[k]->height > 0 && parts[k]->y >= top - TOLERANCE_MM &&
                (above < 0 || parts[k]->y < above))
                above = parts[k]->y;
        if (above >= top + 0.5)
            rule(page, g, layout->margin, (above + top) / 2, ox, oy);
    }
}

static ocl_result draw_text(HPDF_Page page, const ocl_pdf *pdf, const ocl_carton *c,
                            const ocl_layout *layout, const ocl_carton_geometry *g, double ox,
                            double oy, ocl_problems *problems)
{
    entries from = {0}, content = {0};
    part_entries(c, &layout->element[OCL_ELEMENT_FROM], &from);
    int has_content = layout->element[OCL_ELEMENT_CONTENT].present;
    if (has_content)
        part_entries(c, &layout->element[OCL_ELEMENT_CONTENT], &content);
    double from_scale = from.count ? fit(pdf, &from, &g->from, problems) : 1;
    double content_scale = content.count ? fit(pdf, &content, &g->content, problems) : 1;
    if (!from_scale || !content_scale)
        return OCL_EINVAL;
    draw_entries(page, pdf, &from, &g->from, from_scale, ox, oy);
    draw_entries(page, pdf, &content, &g->content, content_scale, ox, oy);
    return OCL_OK;
}

static ocl_result draw_label(ocl_pdf *pdf, const ocl_carton *c, const ocl_sheet *sheet,
                             const ocl_layout *layout, const symbols *s,
                             const ocl_carton_geometry *g, ocl_problems *problems)
{
    HPDF_Page page = HPDF_AddPage(pdf->doc);
    HPDF_Page_SetWidth(page, (HPDF_REAL)(sheet->page_width * PT));
    HPDF_Page_SetHeight(page, (HPDF_REAL)(sheet->page_height * PT));
    /* The sheet's first label, its corner from the page's bottom left. */
    double ox = sheet->left, oy = sheet->page_height - sheet->top - sheet->label_height;
    if (draw_text(page, pdf, c, layout, g, ox, oy, problems) != OCL_OK)
        return OCL_EINVAL;
    draw_qr(page, &s->qr, &g->qr, g->qr_module, ox, oy);
    rules(page, layout, g, ox, oy);
    ocl_pdf_symbol(page, pdf, &s->bars, (ox + g->barcode.x) * PT, (oy + g->barcode.y) * PT,
                   g->x_dimension * PT, g->bar_height * PT, 1, NULL, NULL);
    return ocl_pdf_status(pdf);
}

ocl_result ocl_carton_label_layout_pdf(const ocl_carton *carton, const ocl_sheet *sheet,
                                       const ocl_layout *layout, const char *font_path,
                                       ocl_buffer *out, ocl_problems *problems)
{
    symbols s;
    ocl_carton_geometry g;
    ocl_layout builtin;
    if (check_carton(carton, problems) != OCL_OK)
        return OCL_EINVAL;
    if (!(layout = layout_for(layout, sheet, &builtin)))
        return OCL_ELIBRARY;
    ocl_result rc = encode(carton, &s, problems);
    if (rc == OCL_OK)
        rc = plan(sheet, layout, &s, &g, problems);
    ocl_pdf pdf;
    if (rc == OCL_OK && (rc = ocl_pdf_open(&pdf, font_path)) == OCL_OK) {
        rc = draw_label(&pdf, carton, sheet, layout, &s, &g, problems);
        if (rc == OCL_OK)
            rc = ocl_pdf_save(&pdf, out);
        ocl_pdf_close(&pdf);
    }
    symbols_free(&s);
    return rc;
}

ocl_result ocl_carton_label_pdf(const ocl_carton *carton, const ocl_sheet *sheet,
                                const char *font_path, ocl_buffer *out, ocl_problems *problems)
{
    return ocl_carton_label_layout_pdf(carton, sheet, NULL, font_path, out, problems);
}
