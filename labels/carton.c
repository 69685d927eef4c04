/*
 * A carton's GS1 logistics label: on top the producer the carton comes
 * from, beside the QR of the carton's Digital Link (BASE/00/{sscc}); in the
 * middle what it holds, as GS1 human-readable text ((02) GTIN, (37) count,
 * (10) lot, (11) NSX, (17) HSD); at the bottom the SSCC as GS1-128 with its
 * "(00)..." line. A label lower than 100 mm (a 100 x 50 roll) keeps the
 * producer and the contents in one block beside the QR, and gives the bars
 * the height that leaves.
 *
 * The layout is here, in code, sized from the sheet; every block of text
 * shrinks together until it fits its box, or the label is refused.
 */
#include "pdf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PT OCL_PT_PER_MM
/* The human-readable line under the bars, as ocl_pdf_symbol draws it. */
#define HRI_MODULES    9.0
#define QR_MODULE_TALL 0.5 /* mm */
#define QR_MODULE_LOW  0.4 /* DOMAIN: 0.4 mm or more at 300 dpi */
#define MARGIN_TALL    3.0
#define MARGIN_LOW     2.0
#define GAP            2.0  /* between blocks */
#define BARS_MIN_MM    12.0 /* below this, a low label is refused */
#define CONTENT_MIN_MM 20.0
#define ENTRIES_MAX    8
#define LINES_MAX      6
#define LEADING        1.2
#define SCALE_MIN      0.5

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

/* The boxes of a label 100 mm high or more: QR top right, the producer
 * beside it, the contents below, the SSCC at the bottom. */
static void tall_layout(ocl_carton_geometry *g, double barcode_w, double qr_side)
{
    double w = g->label.width, h = g->label.height, m = MARGIN_TALL;
    g->bar_height = OCL_CARTON_BAR_MM;
    g->barcode =
        (ocl_box){(w - barcode_w) / 2, m, barcode_w, g->bar_height + HRI_MODULES * g->x_dimension};
    g->qr = (ocl_box){w - m - qr_side, h - m - qr_side, qr_side, qr_side};
    g->from = (ocl_box){m, g->qr.y, w - 2 * m - qr_side - GAP, qr_side};
    double bottom = g->barcode.y + g->barcode.height + 2 * GAP;
    g->content = (ocl_box){m, bottom, w - 2 * m, g->qr.y - GAP - bottom};
}

/* The boxes of a lower label: QR top right, all the text beside it, the
 * bars in what remains below. */
static void low_layout(ocl_carton_geometry *g, double barcode_w, double qr_side)
{
    double w = g->label.width, h = g->label.height, m = MARGIN_LOW;
    g->qr = (ocl_box){w - m - qr_side, h - m - qr_side, qr_side, qr_side};
    double band = HRI_MODULES * g->x_dimension;
    g->bar_height = g->qr.y - GAP / 2 - band - m;
    if (g->bar_height > OCL_CARTON_BAR_MM)
        g->bar_height = OCL_CARTON_BAR_MM;
    g->barcode = (ocl_box){(w - barcode_w) / 2, m, barcode_w, g->bar_height + band};
    g->from = (ocl_box){m, g->qr.y, w - 2 * m - qr_side - GAP, qr_side};
    g->content = (ocl_box){m, g->qr.y, 0, 0};
}

static ocl_result plan(const ocl_sheet *sheet, const symbols *s, ocl_carton_geometry *g,
                       ocl_problems *problems)
{
    memset(g, 0, sizeof(*g));
    g->label = (ocl_box){0, 0, sheet->label_width, sheet->label_height};
    g->x_dimension = OCL_CARTON_X_MM;
    int tall = sheet->label_height >= OCL_CARTON_TALL_MM;
    g->qr_module = tall ? QR_MODULE_TALL : QR_MODULE_LOW;
    double barcode_w =
        (s->bars.quiet_left + s->bars.columns + s->bars.quiet_right) * OCL_CARTON_X_MM;
    double qr_side = s->qr.size * g->qr_module;
    if (barcode_w > g->label.width)
        return ocl_problem_add(problems, "sheet",
                               "a label %.1f mm wide cannot hold the SSCC's bars, %.1f mm wide "
                               "at %.2f mm modules",
                               g->label.width, barcode_w, OCL_CARTON_X_MM);
    if (tall)
        tall_layout(g, barcode_w, qr_side);
    else
        low_layout(g, barcode_w, qr_side);
    if (g->from.width < 2 * qr_side / 3 || (tall && g->content.height < CONTENT_MIN_MM) ||
        (!tall && g->bar_height < BARS_MIN_MM))
        return ocl_problem_add(problems, "link",
                               "its QR code (%.1f mm) leaves too little room on a %.0f x %.0f mm "
                               "label: use a shorter base URL or a larger label",
                               qr_side, g->label.width, g->label.height);
    return OCL_OK;
}

ocl_result ocl_carton_label_geometry(const ocl_carton *carton, const ocl_sheet *sheet,
                                     ocl_carton_geometry *geometry, ocl_problems *problems)
{
    symbols s;
    if (check_carton(carton, problems) != OCL_OK)
        return OCL_EINVAL;
    ocl_result rc = encode(carton, &s, problems);
    if (rc == OCL_OK)
        rc = plan(sheet, &s, geometry, problems);
    symbols_free(&s);
    return rc;
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

static void add(entries *list, const char *field, double size, int max_lines, int bold,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add(entries *list, const char *field, double size, int max_lines, int bold,
                const char *fmt, ...)
{
    if (list->count >= ENTRIES_MAX)
        return;
    entry *e = &list->item[list->count++];
    *e = (entry){.field = field, .size = size, .max_lines = max_lines, .bold = bold};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    va_end(ap);
}

/* The AI's value of a date, and the date as a Vietnamese label writes it. */
static void dates(const ocl_date *d, char yymmdd[7], char shown[11])
{
    ocl_date_format_yymmdd(d, yymmdd);
    snprintf(shown, 11, "%02u/%02u/%04u", (unsigned)d->day % 100u, (unsigned)d->month % 100u,
             (unsigned)d->year % 10000u);
}

static void contents_tall(const ocl_carton *c, entries *list)
{
    char yymmdd[7], shown[11];
    add(list, "product_name", 16, 2, 1, "%s", c->product_name);
    add(list, "sscc", 12, 1, 0, "SSCC %s", c->sscc);
    if (c->gtin && *c->gtin) {
        add(list, "gtin", 12, 1, 0, "(02) %s  GTIN hàng trong thùng", c->gtin);
        add(list, "count", 12, 1, 0, "(37) %ld  Số lượng", c->count);
    } else {
        add(list, "count", 12, 1, 0, "Số lượng: %ld", c->count);
    }
    if (c->lot)
        add(list, "lot", 12, 1, 0, "(10) %s  Số lô", c->lot);
    if (c->has_produced) {
        dates(&c->produced, yymmdd, shown);
        add(list, "produced", 12, 1, 0, "(11) %s  NSX %s", yymmdd, shown);
    }
    if (c->has_expires) {
        dates(&c->expires, yymmdd, shown);
        add(list, "expires", 12, 1, 0, "(17) %s  HSD %s", yymmdd, shown);
    }
}

/* On a low label, the producer and the contents in one block. */
static void contents_low(const ocl_carton *c, entries *list)
{
    char yymmdd[7], shown[11], count[48], lot[64] = "", expires[40] = "";
    add(list, "producer_name", 7.5, 1, 1, "%s", c->producer_name);
    add(list, "product_name", 8.5, 1, 1, "%s", c->product_name);
    if (c->gtin && *c->gtin)
        snprintf(count, sizeof(count), "(37) %ld", c->count);
    else
        snprintf(count, sizeof(count), "Số lượng: %ld", c->count);
    if (c->gtin && *c->gtin)
        add(list, "gtin", 8, 1, 0, "(02) %s  %s", c->gtin, count);
    else
        add(list, "count", 8, 1, 0, "%s", count);
    if (c->lot)
        snprintf(lot, sizeof(lot), "(10) %s  ", c->lot);
    if (c->has_expires) {
        dates(&c->expires, yymmdd, shown);
        snprintf(expires, sizeof(expires), "(17) %s  HSD %s", yymmdd, shown);
    }
    if (*lot || *expires)
        add(list, c->lot ? "lot" : "expires", 8, 1, 0, "%s%s", lot, expires);
}

static void from_tall(const ocl_carton *c, entries *list)
{
    add(list, "producer_name", 7, 1, 0, "Từ (from):");
    add(list, "producer_name", 10, 2, 1, "%s", c->producer_name);
    if (c->producer_address && *c->producer_address)
        add(list, "producer_address", 8, 3, 0, "%s", c->producer_address);
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

/* A thin rule across the label at height y (mm). */
static void rule(HPDF_Page page, const ocl_carton_geometry *g, double y, double ox, double oy)
{
    HPDF_Page_SetLineWidth(page, 0.6f);
    HPDF_Page_MoveTo(page, (HPDF_REAL)((ox + MARGIN_LOW) * PT), (HPDF_REAL)((oy + y) * PT));
    HPDF_Page_LineTo(page, (HPDF_REAL)((ox + g->label.width - MARGIN_LOW) * PT),
                     (HPDF_REAL)((oy + y) * PT));
    HPDF_Page_Stroke(page);
}

static ocl_result draw_text(HPDF_Page page, const ocl_pdf *pdf, const ocl_carton *c,
                            const ocl_carton_geometry *g, double ox, double oy,
                            ocl_problems *problems)
{
    entries from = {0}, content = {0};
    int tall = g->content.height > 0;
    if (tall) {
        from_tall(c, &from);
        contents_tall(c, &content);
    } else {
        contents_low(c, &from);
    }
    double from_scale = fit(pdf, &from, &g->from, problems);
    double content_scale = tall ? fit(pdf, &content, &g->content, problems) : 1;
    if (!from_scale || !content_scale)
        return OCL_EINVAL;
    draw_entries(page, pdf, &from, &g->from, from_scale, ox, oy);
    if (tall)
        draw_entries(page, pdf, &content, &g->content, content_scale, ox, oy);
    return OCL_OK;
}

static ocl_result draw_label(ocl_pdf *pdf, const ocl_carton *c, const ocl_sheet *sheet,
                             const symbols *s, const ocl_carton_geometry *g, ocl_problems *problems)
{
    HPDF_Page page = HPDF_AddPage(pdf->doc);
    HPDF_Page_SetWidth(page, (HPDF_REAL)(sheet->page_width * PT));
    HPDF_Page_SetHeight(page, (HPDF_REAL)(sheet->page_height * PT));
    /* The sheet's first label, its corner from the page's bottom left. */
    double ox = sheet->left, oy = sheet->page_height - sheet->top - sheet->label_height;
    if (draw_text(page, pdf, c, g, ox, oy, problems) != OCL_OK)
        return OCL_EINVAL;
    draw_qr(page, &s->qr, &g->qr, g->qr_module, ox, oy);
    if (g->content.height > 0) { /* a low label has no room for rules beside the QR */
        rule(page, g, g->qr.y - GAP / 2, ox, oy);
        rule(page, g, g->barcode.y + g->barcode.height + GAP, ox, oy);
    }
    ocl_pdf_symbol(page, pdf, &s->bars, (ox + g->barcode.x) * PT, (oy + g->barcode.y) * PT,
                   g->x_dimension * PT, g->bar_height * PT, 1, NULL, NULL);
    return ocl_pdf_status(pdf);
}

ocl_result ocl_carton_label_pdf(const ocl_carton *carton, const ocl_sheet *sheet,
                                const char *font_path, ocl_buffer *out, ocl_problems *problems)
{
    symbols s;
    ocl_carton_geometry g;
    if (check_carton(carton, problems) != OCL_OK)
        return OCL_EINVAL;
    ocl_result rc = encode(carton, &s, problems);
    if (rc == OCL_OK)
        rc = plan(sheet, &s, &g, problems);
    ocl_pdf pdf;
    if (rc == OCL_OK && (rc = ocl_pdf_open(&pdf, font_path)) == OCL_OK) {
        rc = draw_label(&pdf, carton, sheet, &s, &g, problems);
        if (rc == OCL_OK)
            rc = ocl_pdf_save(&pdf, out);
        ocl_pdf_close(&pdf);
    }
    symbols_free(&s);
    return rc;
}
