/*
 * Label sheets as PDF: one label per unit, each with its own serial in a
 * GS1 Digital Link QR code (or Data Matrix) and the contents Decree 43/2017
 * asks for, and, for a product with a GTIN, the EAN a till scans where the
 * label has room for it.
 *
 * Where things go is the layout's (templates/layouts/label.layout, read by
 * layout.c): the code's box and side, the text's box and the order of its
 * fields, where the EAN, the mark, the PIN and the producer's logo go.
 * Fitting them is this file's: the code as large as its box allows down
 * to 0.4 mm modules, the text flowing around the code and shrunk until it
 * fits, then the short form of Art. 10(3), whatever the layout says.
 *
 * Everything but the serial and the code is the same on every label of a
 * job, so the text is laid out once (wrapped and shrunk to fit) and then
 * replayed at each label's origin. The codes of a page are encoded on
 * worker threads and packed side by side into one 1-bit image; each label
 * shows its own part of that image through a clip. One image object per
 * page instead of one per label keeps a label near 300 bytes.
 */
#include "pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP_MM          0.8 /* between the code's quiet zone and the EAN */
#define MODULE_MIN_MM   0.4 /* at 300 dpi, for phones at arm's length */
#define MIN_SIZE_PT     5.0 /* the smallest legible text */
#define LEADING         1.18
#define MAX_LINES       96
#define LINE_MAX        512
#define SHORT_FORM_NOTE "Thông tin chi tiết: quét mã QR"
#define PIN_CAPTION     "Cào để lấy mã PIN:"
#define PIN_PAD_MM      0.6  /* inside the PIN's box, around its line */
#define PIN_RATIO       1.25 /* the PIN a little larger than the body, to be typed */
#define MARK_RATIO      1.2  /* the mark's letters, of the body's size */
#define STAR_RATIO      0.42 /* a star's radius, of the mark's size */
#define STAR_STEP       2.2  /* radii from one star's centre to the next */
/* GS1 General Specifications: an EAN's nominal module (100 %) and bar
 * height; a till reads it down to 80 %. */
#define EAN_MODULE_MM 0.33
#define EAN13_BAR_MM  22.85
#define EAN8_BAR_MM   18.23
#define EAN_BARS_MAX  96
#define BESIDE_MIN_MM 20.0 /* a text column narrower than this is left empty */
#define EPSILON_PT    1e-6
/* A space that does not break a line: "HSD: 01/03/2027" stays whole. */
#define GLUE "\x1f"

/* ---------- text fitting ---------- */

typedef struct {
    char text[LINE_MAX];
    double size; /* pt */
    double x, y; /* pt, from the label's bottom-left corner; y is the baseline */
    int bold;    /* the name: filled and stroked */
} text_line;

typedef struct {
    ocl_pdf *pdf;
    double x, width; /* beside the code's block: where lines start, how long they may be */
    double wide_x, wide_width; /* clear of it: the text's box, as wide as it is */
    /* pt from the text's top: where the block (and the gap around it)
     * begins and ends; lines between keep to x and width. */
    double block_top, block_bottom;
    ocl_align align;
    text_line line[MAX_LINES];
    int count;
    double used;   /* pt from the top to the last baseline */
    double bottom; /* pt from the top to the lowest descender */
    double ascent; /* the font's, per pt of size */
    double descent;
    int overflow;
} text_box;

/* Where a length `inner` starts in `outer` for an alignment. */
static double aligned(ocl_align align, double outer, double inner)
{
    return align == OCL_ALIGN_START    ? 0
           : align == OCL_ALIGN_CENTER ? (outer - inner) / 2
                                       : outer - inner;
}

/* Whether something from `top` to `bottom` (pt from the text's top) is
 * clear of the code's block, where the text may take its box's width. */
static int clear_of_block(const text_box *box, double top, double bottom)
{
    return top >= box->block_bottom || bottom <= box->block_top;
}

/* The next line's baseline: the first line hangs from the top by its
 * ascent, which holds Vietnamese stacked marks; the next ones follow at
 * LEADING times their size. */
static double next_baseline(const text_box *box, double size)
{
    return box->used + (box->count == 0 ? size * box->ascent : size * LEADING);
}

/* Whether the next line of `size` is clear of the code's block. */
static int next_line_wide(const text_box *box, double size)
{
    double baseline = next_baseline(box, size);
    return clear_of_block(box, baseline - size * box->ascent, baseline + size * box->descent);
}

/* Appends one line of `size`; marks overflow when the box is full. */
static void box_line(text_box *box, const char *text, size_t len, double size, int bold)
{
    int wide = next_line_wide(box, size);
    if (box->count == MAX_LINES || len >= LINE_MAX) {
        box->overflow = 1;
        return;
    }
    double baseline = next_baseline(box, size);
    text_line *l = &box->line[box->count++];
    for (size_t i = 0; i < len; i++)
        l->text[i] = text[i] == GLUE[0] ? ' ' : text[i];
    l->text[len] = '\0';
    l->size = size;
    l->bold = bold;
    l->x = wide ? box->wide_x : box->x;
    if (box->align != OCL_ALIGN_START)
        l->x += aligned(box->align, wide ? box->wide_width : box->width,
                        ocl_pdf_text_units(box->pdf, l->text, len) * size / 1000.0);
    box->used = baseline;
    l->y = -box->used;
    box->bottom = box->used + size * box->descent;
}

/* Greedy word wrap of a paragraph at `size`, each line as wide as the box
 * allows where it falls (beside or clear of the code). */
static void box_paragraph(text_box *box, const char *text, double size, int bold)
{
    const char *start = text;
    while (*start == ' ')
        start++;
    while (*start && !box->overflow) {
        double width = next_line_wide(box, size) ? box->wide_width : box->width;
        const char *next;
        const char *end = ocl_pdf_line_end(box->pdf, start, width * 1000.0 / size, &next);
        box_line(box, start, (size_t)(end - start), size, bold);
        start = next;
    }
}

/* ---------- the layout of one job on one sheet ---------- */

typedef struct {
    double width, height;     /* label, pt */
    double margin;            /* pt */
    const ocl_layout *layout; /* the caller's, or `builtin` */
    ocl_layout builtin;       /* the built-in "label" when the caller gives none */
    ocl_box code_area;        /* the layout's boxes, pt from the label's bottom left */
    ocl_box text_area;
    double gap;                 /* pt between the code's block and the text */
    double qr_x, qr_y, qr_side; /* the code with its quiet zone, pt */
    double text_x, text_top, text_bottom;
    text_box box;
    int serial_line;                     /* index of the line that ends with the serial */
    int pin_line;                        /* index of the PIN's line; -1: none */
    double pin_x, pin_top, pin_w, pin_h; /* its box, pt; pin_top from the text's top */
    double mark_x, mark_y, mark_size;    /* OCOP mark: start, baseline, size; size 0: none */
    int stars;
    int short_form;
    int name_lines;
    double code_min; /* pt: the code's side at least (a printer's whole dots a module); 0: none */
    int attempt;     /* which of plan()'s attempts (mark, form) fitted */
    int modules;     /* the code's side, quiet zone included, at the most */
    double size_top; /* pt: the body's first size tried, at which the logo is its full height */
    /* The producer's logo: its pixels (0: none), at the head of the text
     * (flows) or in a box of its own, as drawn, pt. */
    int logo_px_w, logo_px_h, logo_flows, logo_shown;
    double logo_height; /* pt, in the text at size_top */
    ocl_box logo_area;  /* a box of its own; all 0: none */
    double logo_x, logo_y, logo_w, logo_h;
    /* The till's EAN, below the code or beside it, towards the text;
     * ean.columns 0: none. */
    ocl_symbol ean;
    unsigned char ean_bars[EAN_BARS_MAX]; /* what ean.modules points to */
    int ean_below;
    double ean_x, ean_y, ean_w, ean_h; /* its box, pt */
    double ean_module, ean_bar;        /* pt */
    int ean_off;                       /* never an EAN (thermal printers) */
} layout;

static void format_date(const ocl_date *d, char out[11])
{
    snprintf(out, 11, "%02u/%02u/%04u", (unsigned)d->day % 100u, (unsigned)d->month % 100u,
             (unsigned)d->year % 10000u);
}

static int given(const char *s)
{
    return s && *s;
}

/* The paragraph of one entry of the layout's order, or "" when the job
 * has none. In the short form (Art. 10(3)) only what must stay on the
 * goods: name, responsible party, origin, dates, lot and serial. */
static void paragraph(const ocl_label_job *job, ocl_item item, int short_form, char out[LINE_MAX])
{
    static const struct {
        ocl_item item;
        ocl_field field;
        const char *caption, *handicraft_caption;
    } body[] = {
        {OCL_ITEM_NET_QUANTITY, OCL_FIELD_NET_QUANTITY, "Định lượng", "Quy cách"},
        {OCL_ITEM_INGREDIENTS, OCL_FIELD_INGREDIENTS, "Thành phần", "Chất liệu"},
        {OCL_ITEM_USAGE, OCL_FIELD_USAGE, "Cách dùng", "Cách dùng"},
        {OCL_ITEM_STORAGE, OCL_FIELD_STORAGE, "Bảo quản", "Bảo quản"},
        {OCL_ITEM_WARNINGS, OCL_FIELD_WARNINGS, "Cảnh báo", "Cảnh báo"},
        {OCL_ITEM_STANDARD, OCL_FIELD_STANDARD, "Tiêu chuẩn", "Tiêu chuẩn"},
    };
    const char *const *t = job->text;
    char nsx[11], hsd[11];
    out[0] = '\0';
    if (item == OCL_ITEM_PRODUCER && short_form)
        snprintf(out, LINE_MAX, "%s, %s", t[OCL_FIELD_PRODUCER_NAME],
                 t[OCL_FIELD_PRODUCER_ADDRESS]);
    else if (item == OCL_ITEM_PRODUCER && given(t[OCL_FIELD_PRODUCER_PHONE]))
        snprintf(out, LINE_MAX, "Nhà sản xuất: %s, %s. ĐT: %s", t[OCL_FIELD_PRODUCER_NAME],
                 t[OCL_FIELD_PRODUCER_ADDRESS], t[OCL_FIELD_PRODUCER_PHONE]);
    else if (item == OCL_ITEM_PRODUCER)
        snprintf(out, LINE_MAX, "Nhà sản xuất: %s, %s", t[OCL_FIELD_PRODUCER_NAME],
                 t[OCL_FIELD_PRODUCER_ADDRESS]);
    else if (item == OCL_ITEM_ORIGIN)
        snprintf(out, LINE_MAX, "Xuất xứ: %s",
                 given(t[OCL_FIELD_ORIGIN]) ? t[OCL_FIELD_ORIGIN] : "Việt Nam");
    for (size_t i = 0; !short_form && i < sizeof(body) / sizeof(body[0]); i++)
        if (body[i].item == item && given(t[body[i].field]))
            snprintf(out, LINE_MAX, "%s: %s",
                     job->group == OCL_GROUP_HANDICRAFT ? body[i].handicraft_caption
                                                        : body[i].caption,
                     t[body[i].field]);
    if (item != OCL_ITEM_DATES)
        return;
    format_date(&job->produced, nsx);
    format_date(&job->expires, hsd);
    if (job->has_produced && job->has_expires)
        snprintf(out, LINE_MAX, "NSX:" GLUE "%s  HSD:" GLUE "%s", nsx, hsd);
    else if (job->has_produced)
        snprintf(out, LINE_MAX, "NSX:" GLUE "%s", nsx);
    else if (job->has_expires)
        snprintf(out, LINE_MAX, "HSD:" GLUE "%s", hsd);
}

/* Serials are 10 characters of one alphabet: laid out with the widest. */
static const char serial_placeholder[] = "WWWWWWWWWW";

/* The PIN as laid out: the first PIN with its digits as '0' (the font's
 * digits are all as wide), so that the box fits every PIN of its form. */
static void pin_placeholder(const char *pin, char out[OCL_PIN_TEXT_MAX + 1])
{
    int n = snprintf(out, OCL_PIN_TEXT_MAX + 1, "%s", pin);
    for (int i = 0; i < n; i++)
        out[i] = out[i] >= '0' && out[i] <= '9' ? '0' : out[i];
}

/* Appends a line at `x` on the baseline `used` pt from the top. */
static void box_line_at(text_box *box, const char *text, double size, double x)
{
    text_line *l = &box->line[box->count++];
    snprintf(l->text, sizeof(l->text), "%s", text);
    l->size = size;
    l->bold = 0;
    l->x = x;
    l->y = -box->used;
}

/* The caption, then the PIN in a box of its own on the same baseline (or
 * below the caption when the line is too short): the box's top is below
 * the lowest descender so far, so that a scratch-off layer over it hides
 * nothing else, and it stays in the text's span where it falls (never in
 * the code's quiet zone). */
static void box_pin(text_box *box, layout *lay, const char *pin, double size, double pin_size)
{
    double pad = PIN_PAD_MM * OCL_PT_PER_MM, top = box->bottom + pad;
    double pin_h = pin_size * (box->ascent + box->descent) + 2 * pad;
    int wide = clear_of_block(box, top, top + pin_h);
    double x = wide ? box->wide_x : box->x, room = wide ? box->wide_width : box->width;
    double caption =
        ocl_pdf_text_units(box->pdf, PIN_CAPTION " ", strlen(PIN_CAPTION) + 1) * size / 1000.0;
    double width = ocl_pdf_text_units(box->pdf, pin, strlen(pin)) * pin_size / 1000.0 + 2 * pad;
    int beside = caption + width <= room;
    if (box->count + 2 > MAX_LINES || width > room) {
        box->overflow = 1;
        return;
    }
    x += aligned(box->align, room, beside ? caption + width : caption);
    if (!beside) {
        box->used = top + size * box->ascent;
        box_line_at(box, PIN_CAPTION, size, x);
        top = box->used + size * box->descent + pad;
        wide = clear_of_block(box, top, top + pin_h);
        x = wide ? box->wide_x : box->x;
        x += aligned(box->align, wide ? box->wide_width : box->width, width);
    }
    double box_x = beside ? x + caption : x;
    box->used = top + pad + pin_size * box->ascent;
    if (beside)
        box_line_at(box, PIN_CAPTION, size, x);
    lay->pin_line = box->count;
    box_line_at(box, pin, pin_size, box_x + pad);
    lay->pin_x = box_x, lay->pin_top = top, lay->pin_w = width;
    lay->pin_h = pin_h;
    box->bottom = top + lay->pin_h;
}

/* The width of "OCOP" and its stars at `size`. */
static double mark_width(const ocl_pdf *pdf, double size, int stars)
{
    double r = size * STAR_RATIO;
    return ocl_pdf_text_units(pdf, "OCOP ", 5) * size / 1000.0 + 2 * r +
           (stars > 1 ? stars - 1 : 0) * STAR_STEP * r;
}

/* The OCOP mark on the next line, where it falls. */
static void box_mark(text_box *box, layout *lay, double size)
{
    lay->mark_size = size * MARK_RATIO;
    box->used += lay->mark_size * LEADING;
    lay->mark_y = -box->used;
    box->bottom = box->used + lay->mark_size * box->descent;
    int wide = clear_of_block(box, box->used - lay->mark_size * box->ascent, box->bottom);
    double room = wide ? box->wide_width : box->width;
    lay->mark_x = (wide ? box->wide_x : box->x);
    if (box->align != OCL_ALIGN_START)
        lay->mark_x += aligned(box->align, room, mark_width(box->pdf, lay->mark_size, lay->stars));
}

/* The producer's logo in the text, its height shrinking with the body's
 * size, narrowed to the span where it falls. */
static void box_logo(text_box *box, layout *lay, double size)
{
    double h = lay->logo_height * size / lay->size_top;
    double top = box->count == 0 && box->used == 0 ? 0 : box->bottom + size * (LEADING - 1);
    double w = h * lay->logo_px_w / lay->logo_px_h;
    int wide = clear_of_block(box, top, top + h);
    double x = wide ? box->wide_x : box->x, room = wide ? box->wide_width : box->width;
    if (room <= 0) {
        box->overflow = 1;
        return;
    }
    if (w > room)
        h *= room / w, w = room;
    lay->logo_x = x + aligned(lay->layout->element[OCL_ELEMENT_LOGO].align, room, w);
    lay->logo_y = lay->text_top - top - h;
    lay->logo_w = w, lay->logo_h = h;
    lay->logo_shown = 1;
    box->bottom = top + h;
    box->used = box->bottom + size * (LEADING - 1);
}

/* Lays the text out at body size `size`, in the layout's order; fails
 * when it does not fit. */
static int try_layout(layout *lay, const ocl_label_job *job, const char *pin, int mark, double size,
                      double name_ratio, int short_form)
{
    text_box *box = &lay->box;
    const ocl_layout_element *text = &lay->layout->element[OCL_ELEMENT_TEXT];
    box->count = 0;
    box->used = 0;
    box->bottom = 0;
    box->overflow = 0;
    lay->short_form = short_form;
    lay->name_lines = 0;
    lay->mark_size = 0;
    lay->serial_line = -1;
    lay->pin_line = -1;
    lay->logo_shown = lay->logo_px_w > 0 && !lay->logo_flows;
    char para[LINE_MAX], shape[OCL_PIN_TEXT_MAX + 1];
    for (int i = 0; i < text->order_count && !box->overflow; i++) {
        ocl_item item = text->order[i].item;
        if (item == OCL_ITEM_LOT && short_form)
            box_paragraph(box, SHORT_FORM_NOTE, size, 0); /* where the rest is */
        switch (item) {
        case OCL_ITEM_LOGO:
            if (lay->logo_px_w && lay->logo_flows)
                box_logo(box, lay, size);
            break;
        case OCL_ITEM_NAME:
            box_paragraph(box, job->text[OCL_FIELD_PRODUCT_NAME], size * name_ratio, 1);
            lay->name_lines = box->count;
            break;
        case OCL_ITEM_MARK:
            if (mark)
                box_mark(box, lay, size);
            break;
        case OCL_ITEM_LOT:
            snprintf(para, sizeof(para), "Lô: %s  Seri: %s", job->lot, serial_placeholder);
            box_paragraph(box, para, size, 0);
            lay->serial_line = box->count - 1;
            break;
        case OCL_ITEM_PIN:
            /* Larger than the body, to be read and typed, but never as
             * large as the name. */
            if (pin) {
                pin_placeholder(pin, shape);
                double ratio = name_ratio - 0.1 < PIN_RATIO ? name_ratio - 0.1 : PIN_RATIO;
                box_pin(box, lay, shape, size, size * ratio);
            }
            break;
        default:
            paragraph(job, item, short_form, para);
            if (para[0])
                box_paragraph(box, para, size, 0);
        }
    }
    double limit = lay->text_top - lay->text_bottom;
    return !box->overflow && box->bottom <= limit && box->count > 0 && lay->serial_line >= 0 &&
           strstr(box->line[lay->serial_line].text, serial_placeholder) != NULL;
}

static int boxes_meet(const ocl_box *a, const ocl_box *b)
{
    return a->x + EPSILON_PT < b->x + b->width && b->x + EPSILON_PT < a->x + a->width &&
           a->y + EPSILON_PT < b->y + b->height && b->y + EPSILON_PT < a->y + a->height;
}

/* The code at `side` and the EAN, if any, against it as the layout's code
 * box aligns them: the block they make, pt. */
static ocl_box place_block(layout *lay, double side)
{
    const ocl_layout_element *code = &lay->layout->element[OCL_ELEMENT_CODE];
    const ocl_box *area = &lay->code_area;
    double gap = GAP_MM * OCL_PT_PER_MM;
    int ean = lay->ean.columns != 0, below = ean && lay->ean_below;
    double block_h = side;
    if (below)
        block_h = side + gap + lay->ean_h;
    else if (ean)
        block_h = side > lay->ean_h ? side : lay->ean_h;
    double top = area->y + area->height - aligned(code->valign, area->height, block_h);
    lay->qr_side = side;
    lay->qr_x = area->x + aligned(code->align, area->width, side);
    lay->qr_y = top - side;
    if (below) {
        lay->ean_x = lay->qr_x + aligned(code->align, side, lay->ean_w);
        lay->ean_y = lay->qr_y - gap - lay->ean_h;
    } else if (ean) { /* towards the text: left of a code aligned right */
        lay->ean_x =
            code->align == OCL_ALIGN_END ? lay->qr_x - gap - lay->ean_w : lay->qr_x + side + gap;
        lay->ean_y = top - lay->ean_h;
    }
    double left = lay->qr_x, right = lay->qr_x + side;
    if (ean) {
        left = lay->ean_x < left ? lay->ean_x : left;
        right = lay->ean_x + lay->ean_w > right ? lay->ean_x + lay->ean_w : right;
    }
    return (ocl_box){left, top - block_h, right - left, block_h};
}

/* Places the code (side in pt), the EAN if any, and the text's span
 * beside them; 0 when they do not fit inside the margin together, or
 * meet the logo's box. */
static int place_code(layout *lay, double side)
{
    ocl_box block = place_block(lay, side);
    double gap = lay->gap, margin = lay->margin;
    const ocl_box *area = &lay->text_area;
    text_box *box = &lay->box;
    /* The block with the gap around it, which the text keeps out of. */
    ocl_box keep = {block.x - gap, block.y - gap, block.width + 2 * gap, block.height + 2 * gap};
    lay->text_top = area->y + area->height;
    lay->text_bottom = area->y;
    box->wide_x = area->x;
    box->wide_width = area->width;
    box->x = area->x;
    box->width = area->width;
    box->block_top = box->block_bottom = 0; /* nothing to flow around */
    if (boxes_meet(&keep, area)) {
        double before = keep.x - area->x, after = area->x + area->width - keep.x - keep.width;
        box->x = after >= before ? keep.x + keep.width : area->x;
        box->width = after >= before ? after : before;
        box->block_top = lay->text_top - (keep.y + keep.height);
        box->block_bottom = lay->text_top - keep.y;
        /* Beside code and EAN a column too narrow for words: the text starts
         * below them, as wide as its box. */
        if ((lay->ean.columns && box->width < BESIDE_MIN_MM * OCL_PT_PER_MM) || box->width <= 0) {
            lay->text_top = keep.y < lay->text_top ? keep.y : lay->text_top;
            box->x = area->x;
            box->width = area->width;
            box->block_top = box->block_bottom = 0;
        }
    }
    lay->text_x = box->x;
    return block.x >= margin - EPSILON_PT && block.y >= margin - EPSILON_PT &&
           block.x + block.width <= lay->width - margin + EPSILON_PT &&
           block.y + block.height <= lay->height - margin + EPSILON_PT &&
           !(lay->logo_area.width > 0 && boxes_meet(&block, &lay->logo_area));
}

/* The unit's code for `uri`, quiet zone included: a Data Matrix is carried
 * in an ocl_qr as a QR code is, so that pages pack and draw either alike. */
static ocl_result encode_code(ocl_symbology symbol, const char *uri, ocl_qr *code)
{
    if (symbol != OCL_SYMBOL_DATAMATRIX)
        return ocl_qr_encode((const unsigned char *)uri, strlen(uri), OCL_EC_M, code);
    ocl_symbol dm;
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    memset(code, 0, sizeof(*code));
    ocl_result rc = ocl_symbol_encode(OCL_SYMBOL_DATAMATRIX, uri, "code", &dm, &ignored);
    if (rc != OCL_OK)
        return rc == OCL_EINVAL ? OCL_ERANGE : rc;
    if (dm.rows != dm.columns) { /* only square sizes are asked of libzint */
        ocl_symbol_free(&dm);
        return OCL_ELIBRARY;
    }
    int q = dm.quiet_left, n = dm.columns + 2 * q;
    code->modules = calloc((size_t)n * (size_t)n, 1);
    for (int r = 0; code->modules && r < dm.rows; r++)
        memcpy(code->modules + (size_t)(r + q) * (size_t)n + (size_t)q,
               dm.modules + (size_t)r * (size_t)dm.columns, (size_t)dm.columns);
    code->size = n;
    code->quiet = q;
    ocl_symbol_free(&dm);
    return code->modules ? OCL_OK : OCL_ENOMEM;
}

/* Modules per side, quiet zone included, of this job's codes: a sample
 * serial of the same length gives the same QR version. A Data Matrix
 * packs runs of capitals tighter than letters and digits mixed, so its
 * size is the largest of serials of either kind. */
static int code_modules(const ocl_label_job *job, const ocl_label_options *options)
{
    static const char *const samples[] = {serial_placeholder, "W0W0W0W0W0", "0W0W0W0W0W"};
    size_t count = options->symbol == OCL_SYMBOL_DATAMATRIX ? 3 : 1;
    int largest = 0;
    for (size_t i = 0; i < count; i++) {
        char uri[OCL_URI_MAX + 1];
        ocl_qr code;
        if (ocl_label_uri(job, options->base_url, samples[i], uri, sizeof(uri)) != OCL_OK ||
            encode_code(options->symbol, uri, &code) != OCL_OK)
            return 0;
        largest = code.size > largest ? code.size : largest;
        ocl_qr_free(&code);
    }
    return largest;
}

/* The name's sizes, times the body's, tried from the layout's largest
 * down to its smallest: 1.5, 1.3 and 1.15 where they fall between. */
static int name_ratios(const ocl_layout_element *text, double out[4])
{
    static const double ladder[] = {1.3, 1.15};
    int n = 0;
    out[n++] = text->scale_max;
    for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++)
        if (ladder[i] < text->scale_max - 1e-9 && ladder[i] > text->scale_min + 1e-9)
            out[n++] = ladder[i];
    if (text->scale_min < text->scale_max - 1e-9)
        out[n++] = text->scale_min;
    return n;
}

/* Finds the first layout that fits, in the order a reader is best served:
 * everything before the short form, a full-size code before a smaller one
 * (never below MODULE_MIN_MM), larger text before smaller, a name half as
 * large again as the rest before a name only a little larger. `only`
 * keeps to one attempt (mark and form); -1: any. */
static int fit(layout *lay, const ocl_label_job *job, const ocl_label_options *options,
               double largest, double smallest, double scale, int only)
{
    const ocl_layout_element *text = &lay->layout->element[OCL_ELEMENT_TEXT];
    double ratios[4];
    int ratio_count = name_ratios(text, ratios);
    /* The OCOP mark is wanted but not required: it gives way before the
     * mandatory contents do. */
    for (int attempt = 0; attempt < 4; attempt++) {
        int short_form = attempt >= 2, mark = options->ocop_mark && attempt % 2 == 0;
        if ((attempt % 2 && !options->ocop_mark) || (only >= 0 && attempt != only))
            continue;
        for (int shrink = 0; shrink < 2; shrink++) {
            if (!place_code(lay, shrink ? smallest : largest))
                continue;
            for (double size = text->size_max * scale; size >= text->size_min - 1e-9; size -= 0.25)
                for (int r = 0; r < ratio_count; r++)
                    if (try_layout(lay, job, options->pins ? options->pins[0] : NULL, mark, size,
                                   ratios[r], short_form)) {
                        lay->attempt = attempt;
                        return 1;
                    }
        }
    }
    return 0;
}

static ocl_result plan_ean(layout *lay, ocl_pdf *pdf, const ocl_label_job *job,
                           const ocl_sheet *sheet, const ocl_label_options *options, double largest,
                           double smallest, double scale, ocl_problems *problems);

static ocl_box pt_box(const ocl_box *mm, double margin)
{
    return (ocl_box){(mm->x + margin) * OCL_PT_PER_MM, (mm->y + margin) * OCL_PT_PER_MM,
                     mm->width * OCL_PT_PER_MM, mm->height * OCL_PT_PER_MM};
}

static int order_has(const ocl_layout *l, ocl_item item)
{
    const ocl_layout_element *text = &l->element[OCL_ELEMENT_TEXT];
    for (int i = 0; i < text->order_count; i++)
        if (text->order[i].item == item)
            return 1;
    return 0;
}

/* The producer's logo, checked as a stamp's is: its pixels, and where a
 * box of its own shows it, scaled to fit with its proportions kept. */
static ocl_result plan_logo(layout *lay, const ocl_label_options *options, double inner_h,
                            ocl_problems *problems)
{
    const ocl_layout_element *logo = &lay->layout->element[OCL_ELEMENT_LOGO];
    if (!options->logo || !ocl_layout_has_logo(lay->layout))
        return OCL_OK;
    int w = 0, h = 0;
    ocl_result rc = ocl_logo_check(options->logo, options->logo_len, "logo", &w, &h, problems);
    if (rc != OCL_OK)
        return rc;
    lay->logo_px_w = w, lay->logo_px_h = h;
    lay->logo_flows = !logo->has_box;
    lay->logo_height =
        (logo->height.fraction ? logo->height.value * inner_h : logo->height.value) * OCL_PT_PER_MM;
    if (lay->logo_flows)
        return OCL_OK;
    const ocl_box *b = &lay->logo_area;
    double scale = b->width / w < b->height / h ? b->width / w : b->height / h;
    lay->logo_w = w * scale, lay->logo_h = h * scale;
    lay->logo_x = b->x + aligned(logo->align, b->width, lay->logo_w);
    lay->logo_y = b->y + b->height - lay->logo_h - aligned(logo->valign, b->height, lay->logo_h);
    return OCL_OK;
}

/* The layout's boxes on this sheet's label, and what it must hold for
 * this job: the fields the law asks of its group, the PIN when there are
 * PINs, the EAN when the job asks for it always. */
static ocl_result plan_layout(layout *lay, const ocl_label_job *job, const ocl_sheet *sheet,
                              const ocl_label_options *options, ocl_problems *problems)
{
    if (options->layout)
        lay->layout = options->layout;
    else if (ocl_layout_builtin("label", &lay->builtin) == OCL_OK)
        lay->layout = &lay->builtin;
    else
        return OCL_ELIBRARY;
    const ocl_layout *l = lay->layout;
    if (l->kind != OCL_LAYOUT_LABEL)
        return ocl_problem_add(problems, "layout", "'%s' is not a label's layout (kind = label)",
                               l->name);
    size_t before = problems->count + problems->dropped;
    ocl_layout_law_check(l, job->group, problems);
    if (options->pins && !order_has(l, OCL_ITEM_PIN))
        ocl_problem_add(problems, "layout.text",
                        "'%s' line %d: the order has no 'pin', where each label's scratch-off PIN "
                        "is printed",
                        l->name, l->element[OCL_ELEMENT_TEXT].line);
    if (!l->element[OCL_ELEMENT_EAN].present && given(job->gtin) &&
        job->retail_barcode == OCL_RETAIL_ALWAYS)
        ocl_problem_add(problems, "retail_barcode",
                        "'always' asks for an EAN, and the layout '%s' has no [ean] for it",
                        l->name);
    double inner_w = sheet->label_width - 2 * l->margin,
           inner_h = sheet->label_height - 2 * l->margin;
    ocl_box box[OCL_ELEMENT_COUNT];
    if (inner_w <= 0 || inner_h <= 0)
        ocl_problem_add(problems, "sheet",
                        "'%s' labels (%.1f x %.1f mm) are within the layout's "
                        "%.1f mm margin",
                        sheet->name, sheet->label_width, sheet->label_height, l->margin);
    else
        ocl_layout_place(l, inner_w, inner_h, box, problems);
    if (problems->count + problems->dropped != before)
        return OCL_EINVAL;
    lay->margin = l->margin * OCL_PT_PER_MM;
    lay->code_area = pt_box(&box[OCL_ELEMENT_CODE], l->margin);
    lay->text_area = pt_box(&box[OCL_ELEMENT_TEXT], l->margin);
    lay->logo_area = l->element[OCL_ELEMENT_LOGO].has_box
                         ? pt_box(&box[OCL_ELEMENT_LOGO], l->margin)
                         : (ocl_box){0, 0, 0, 0};
    lay->gap = l->element[OCL_ELEMENT_TEXT].gap * OCL_PT_PER_MM;
    lay->box.align = l->element[OCL_ELEMENT_TEXT].align;
    lay->stars = job->ocop_stars;
    return plan_logo(lay, options, inner_h, problems);
}

/* Lays the job out: the code and the text, then the EAN where it fits. */
static ocl_result plan(layout *lay, ocl_pdf *pdf, const ocl_label_job *job, const ocl_sheet *sheet,
                       const ocl_label_options *options, ocl_problems *problems)
{
    lay->width = sheet->label_width * OCL_PT_PER_MM;
    lay->height = sheet->label_height * OCL_PT_PER_MM;
    lay->box.pdf = pdf;
    lay->box.ascent = HPDF_Font_GetAscent(pdf->font) / 1000.0;
    lay->box.descent = -HPDF_Font_GetDescent(pdf->font) / 1000.0;
    ocl_result rc = plan_layout(lay, job, sheet, options, problems);
    if (rc != OCL_OK)
        return rc;
    const ocl_layout_element *code = &lay->layout->element[OCL_ELEMENT_CODE];
    const ocl_layout_element *text = &lay->layout->element[OCL_ELEMENT_TEXT];
    double largest =
        lay->code_area.height < lay->code_area.width ? lay->code_area.height : lay->code_area.width;
    if (code->max > 0 && largest > code->max * OCL_PT_PER_MM)
        largest = code->max * OCL_PT_PER_MM;
    int modules = code_modules(job, options);
    lay->modules = modules;
    lay->ean.columns = 0;
    double smallest = modules * MODULE_MIN_MM * OCL_PT_PER_MM;
    if (smallest < lay->code_min)
        smallest = lay->code_min;
    /* A code never takes modules under the minimum: it takes more of the
     * width than its box where the box's height holds it. */
    if (largest < smallest && smallest <= lay->code_area.height)
        largest = smallest;
    if (modules == 0 || smallest > largest)
        return ocl_problem_add(problems, "sheet",
                               "'%s' labels (%.1f x %.1f mm) are too small for a code of %d "
                               "modules at %.1f mm",
                               sheet->name, sheet->label_width, sheet->label_height, modules,
                               MODULE_MIN_MM);
    /* Bigger labels get bigger text, up to 3 times the base. */
    double scale = sheet->label_height / 37.0 < sheet->label_width / 70.0
                       ? sheet->label_height / 37.0
                       : sheet->label_width / 70.0;
    scale = scale < 1 ? 1 : scale > 3 ? 3 : scale;
    lay->size_top = text->size_max * scale;
    if (!fit(lay, job, options, largest, smallest, scale, -1))
        return ocl_problem_add(problems, "sheet",
                               "'%s' labels (%.1f x %.1f mm) cannot hold the mandatory contents%s "
                               "at %g pt, even in the short form (Decree 43/2017, Art. 10(3))",
                               sheet->name, sheet->label_width, sheet->label_height,
                               options->pins ? " and the PIN's box" : "", text->size_min);
    return plan_ean(lay, pdf, job, sheet, options, largest, smallest, scale, problems);
}

/* ---------- the EAN for the till ---------- */

int ocl_retail_barcode_parse(const char *name)
{
    static const char *const names[] = {"auto", "always", "never"};
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* The job's GTIN as the till's symbol: EAN-8 for a GTIN-8, EAN-13 for the
 * rest, which refuses what no consumer unit may carry. */
static ocl_result encode_ean(const ocl_label_job *job, ocl_symbol *ean, ocl_problems *problems)
{
    char gtin[OCL_GTIN14_LEN + 1];
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    int gtin8 = ocl_gtin_normalise(job->gtin, "product.gtin", gtin, &ignored) == OCL_OK &&
                strncmp(gtin, "000000", 6) == 0;
    ocl_result rc = ocl_symbol_encode(gtin8 ? OCL_SYMBOL_EAN8 : OCL_SYMBOL_EAN13, job->gtin,
                                      "product.gtin", ean, problems);
    if (rc == OCL_OK && ean->columns > EAN_BARS_MAX) {
        ocl_symbol_free(ean);
        rc = OCL_ELIBRARY;
    }
    return rc;
}

/* Gives the trial layout the EAN at `magnification` of nominal. */
static void set_ean(layout *lay, const ocl_symbol *ean, double magnification, int below)
{
    lay->ean = *ean;
    memcpy(lay->ean_bars, ean->modules, (size_t)ean->columns);
    lay->ean.modules = lay->ean_bars;
    lay->ean_below = below;
    lay->ean_module = EAN_MODULE_MM * magnification * OCL_PT_PER_MM;
    lay->ean_bar = (ean->symbology == OCL_SYMBOL_EAN8 ? EAN8_BAR_MM : EAN13_BAR_MM) *
                   magnification * OCL_PT_PER_MM;
    ocl_symbol_box(&lay->ean, lay->ean_module, lay->ean_bar, 1, &lay->ean_w, &lay->ean_h);
}

/* Whether the job with the EAN fits the label, keeping what it keeps
 * without (the mark, the full form): nominal size first, then 90 and
 * 80 %, each where the layout's [ean] places it, in its order. The first
 * that fits is written to lay. -1: out of memory. */
static int fit_ean(layout *lay, const ocl_label_job *job, const ocl_label_options *options,
                   const ocl_symbol *ean, double largest, double smallest, double scale)
{
    static const double magnifications[] = {1.0, 0.9, 0.8};
    const ocl_layout_element *where = &lay->layout->element[OCL_ELEMENT_EAN];
    double gap = GAP_MM * OCL_PT_PER_MM;
    layout *trial = malloc(sizeof(*trial));
    if (!trial)
        return -1;
    int fits = 0;
    for (size_t m = 0; !fits && m < sizeof(magnifications) / sizeof(magnifications[0]); m++)
        for (int p = 0; p < where->places && !fits; p++) {
            int below = where->place[p] == OCL_PLACE_BELOW;
            *trial = *lay;
            set_ean(trial, ean, magnifications[m], below);
            /* The code gives up what the EAN needs beside or below it. */
            double room = below ? lay->code_area.height - gap - trial->ean_h
                                : lay->width - 2 * lay->margin - gap - trial->ean_w;
            double top = largest < room ? largest : room;
            fits = fit(trial, job, options, top > smallest ? top : smallest, smallest, scale,
                       lay->attempt);
        }
    if (fits) {
        *lay = *trial;
        lay->ean.modules = lay->ean_bars;
    }
    free(trial);
    return fits;
}

/* Whether a label of w x h mm holds the EAN with at least what `lay`
 * holds without it. */
static int ean_holds(const layout *lay, ocl_pdf *pdf, const ocl_label_job *job,
                     const ocl_sheet *sheet, const ocl_label_options *options, double w, double h)
{
    ocl_sheet larger = *sheet;
    larger.label_width = w;
    larger.label_height = h;
    ocl_label_job automatic = *job;
    automatic.retail_barcode = OCL_RETAIL_AUTO;
    layout *probe = calloc(1, sizeof(*probe));
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    if (!probe)
        return 0;
    probe->code_min = lay->code_min;
    int holds = plan(probe, pdf, &automatic, &larger, options, &ignored) == OCL_OK &&
                probe->ean.columns && probe->short_form <= lay->short_form &&
                (probe->mark_size > 0) >= (lay->mark_size > 0);
    free(probe);
    return holds;
}

#define LABEL_MAX_MM 400.0

/* The smallest label that holds the EAN with what `lay` holds: as wide as
 * the sheet's (else the next multiple of 5 mm that will do), as short as
 * will do in whole mm. 0 x 0 when none up to LABEL_MAX_MM does. */
static void ean_needs(const layout *lay, ocl_pdf *pdf, const ocl_label_job *job,
                      const ocl_sheet *sheet, const ocl_label_options *options, double *w,
                      double *h)
{
    double width = sheet->label_width;
    while (width <= LABEL_MAX_MM && !ean_holds(lay, pdf, job, sheet, options, width, LABEL_MAX_MM))
        width = floor(width / 5) * 5 + 5;
    *w = *h = 0;
    if (width > LABEL_MAX_MM)
        return;
    /* Holding is monotonic enough in the height for a bisection. */
    double low = floor(sheet->label_height), high = LABEL_MAX_MM;
    while (high - low > 1) {
        double mid = floor((low + high) / 2);
        if (ean_holds(lay, pdf, job, sheet, options, width, mid))
            high = mid;
        else
            low = mid;
    }
    *w = width;
    *h = high;
}

static ocl_result plan_ean(layout *lay, ocl_pdf *pdf, const ocl_label_job *job,
                           const ocl_sheet *sheet, const ocl_label_options *options, double largest,
                           double smallest, double scale, ocl_problems *problems)
{
    if (lay->ean_off || !given(job->gtin) || job->retail_barcode == OCL_RETAIL_NEVER ||
        !lay->layout->element[OCL_ELEMENT_EAN].present)
        return OCL_OK;
    ocl_symbol ean;
    ocl_result rc = encode_ean(job, &ean, problems);
    if (rc != OCL_OK)
        return rc;
    int fits = fit_ean(lay, job, options, &ean, largest, smallest, scale);
    if (fits < 0)
        rc = OCL_ENOMEM;
    else if (!fits && job->retail_barcode == OCL_RETAIL_ALWAYS) {
        double w, h, module = EAN_MODULE_MM * 0.8 * OCL_PT_PER_MM, box_w, box_h;
        ocl_symbol_box(&ean, module,
                       0.8 * OCL_PT_PER_MM *
                           (ean.symbology == OCL_SYMBOL_EAN8 ? EAN8_BAR_MM : EAN13_BAR_MM),
                       1, &box_w, &box_h);
        ean_needs(lay, pdf, job, sheet, options, &w, &h);
        char fitting[64] = "";
        if (w > 0)
            snprintf(fitting, sizeof(fitting), ": labels of %g x %g mm hold it", w, h);
        rc = ocl_problem_add(problems, "sheet",
                             "'%s' labels (%.1f x %.1f mm) have no room beside the contents for "
                             "the %s (%.1f x %.1f mm at 80 %%) retail_barcode 'always' asks "
                             "for%s",
                             sheet->name, sheet->label_width, sheet->label_height,
                             ean.symbology == OCL_SYMBOL_EAN8 ? "EAN-8" : "EAN-13",
                             box_w / OCL_PT_PER_MM, box_h / OCL_PT_PER_MM, fitting);
    }
    ocl_symbol_free(&ean);
    return rc;
}

/* ---------- QR codes ---------- */

/* The serials of a run, for the shared encoder (labels/codes.c). */
typedef struct {
    const ocl_label_job *job;
    const char *base_url;
    const char *const *serials;
    ocl_symbology symbol;
    int modules; /* planned for: a larger code would have modules under the minimum */
} label_codes;

static ocl_result encode_label(const void *context, size_t index, ocl_qr *code)
{
    const label_codes *run = context;
    char uri[OCL_URI_MAX + 1];
    ocl_result rc = ocl_label_uri(run->job, run->base_url, run->serials[index], uri, sizeof(uri));
    if (rc == OCL_OK)
        rc = encode_code(run->symbol, uri, code);
    if (rc == OCL_OK && code->size > run->modules)
        rc = OCL_ERANGE;
    return rc;
}

/* ---------- drawing ---------- */

/* The box the PIN is printed in, for the scratch-off layer to cover. */
static void draw_pin_box(HPDF_Page page, const layout *lay)
{
    HPDF_Page_SetLineWidth(page, 0.6f);
    HPDF_Page_Rectangle(page, (HPDF_REAL)lay->pin_x,
                        (HPDF_REAL)(lay->text_top - lay->pin_top - lay->pin_h),
                        (HPDF_REAL)lay->pin_w, (HPDF_REAL)lay->pin_h);
    HPDF_Page_Stroke(page);
}

static void draw_text(HPDF_Page page, const ocl_pdf *pdf, const layout *lay, double ox, double oy,
                      const char *serial, const char *pin)
{
    /* The name's weight: its outline stroked at a few hundredths of its size. */
    HPDF_Page_SetLineWidth(page, (HPDF_REAL)(lay->box.line[0].size * 0.03));
    HPDF_Page_BeginText(page);
    double current = 0;
    int stroking = 0;
    for (int i = 0; i < lay->box.count; i++) {
        const text_line *l = &lay->box.line[i];
        if (l->size != current) {
            HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)l->size);
            current = l->size;
        }
        if (l->bold != stroking) {
            HPDF_Page_SetTextRenderingMode(page, l->bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
            stroking = l->bold;
        }
        /* Lines after the first move relative to the one before: the same
         * operators on every label, which the page's compression folds. */
        if (i == 0)
            HPDF_Page_SetTextMatrix(page, 1, 0, 0, 1, (HPDF_REAL)(ox + l->x),
                                    (HPDF_REAL)(oy + lay->text_top + l->y));
        else
            HPDF_Page_MoveTextPos(page, (HPDF_REAL)(l->x - lay->box.line[i - 1].x),
                                  (HPDF_REAL)(l->y - lay->box.line[i - 1].y));
        if (i == lay->serial_line) {
            char text[LINE_MAX];
            const char *at = strstr(l->text, serial_placeholder);
            snprintf(text, sizeof(text), "%.*s%s", (int)(at - l->text), l->text, serial);
            HPDF_Page_ShowText(page, text);
        } else if (i == lay->pin_line) {
            char text[OCL_PIN_TEXT_MAX + 1];
            snprintf(text, sizeof(text), "%s", pin ? pin : "");
            HPDF_Page_ShowText(page, text);
        } else {
            HPDF_Page_ShowText(page, l->text);
        }
    }
    if (stroking)
        HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
    HPDF_Page_EndText(page);
}

/* The first star's centre of the OCOP mark, in the label, and the radius. */
static void mark_stars(const ocl_pdf *pdf, const layout *lay, double *x, double *y, double *r)
{
    double size = lay->mark_size;
    *r = size * STAR_RATIO;
    *x = lay->mark_x + ocl_pdf_text_units(pdf, "OCOP ", 5) * size / 1000.0 + *r;
    *y = lay->text_top + lay->mark_y + size * 0.35;
}

static void draw_mark(HPDF_Page page, const ocl_pdf *pdf, const layout *lay, double ox, double oy,
                      int stars)
{
    double size = lay->mark_size;
    double x = ox + lay->mark_x, y = oy + lay->text_top + lay->mark_y;
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)size);
    HPDF_Page_SetTextMatrix(page, 1, 0, 0, 1, (HPDF_REAL)x, (HPDF_REAL)y);
    HPDF_Page_ShowText(page, "OCOP");
    HPDF_Page_EndText(page);
    double star_x, star_y, r;
    mark_stars(pdf, lay, &star_x, &star_y, &r);
    for (int i = 0; i < stars; i++)
        ocl_pdf_star(page, ox + star_x + i * STAR_STEP * r, oy + star_y, r);
}

static void draw_watermark(HPDF_Page page, const ocl_pdf *pdf, double w, double h)
{
    double size = (w < h ? w : h) / 5;
    HPDF_Page_GSave(page);
    HPDF_Page_SetGrayFill(page, 0.85f);
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)size);
    double text_w = ocl_pdf_text_units(pdf, "BẢN NHÁP", strlen("BẢN NHÁP")) * size / 1000.0;
    const double c = 0.7071, s = 0.7071;
    HPDF_Page_SetTextMatrix(page, (HPDF_REAL)c, (HPDF_REAL)s, (HPDF_REAL)-s, (HPDF_REAL)c,
                            (HPDF_REAL)(w / 2 - c * text_w / 2 + s * size / 3),
                            (HPDF_REAL)(h / 2 - s * text_w / 2 - c * size / 3));
    HPDF_Page_ShowText(page, "BẢN NHÁP");
    HPDF_Page_EndText(page);
    HPDF_Page_GRestore(page);
}

/* Label i's code: its part of the page's strip, clipped to the dark area. */
static void draw_code(HPDF_Page page, const ocl_code_strip *strip, const layout *lay,
                      const ocl_qr *code, size_t i)
{
    double unit = lay->qr_side / code->size;
    ocl_code_strip_draw(page, strip, code, i, lay->qr_x + code->quiet * unit,
                        lay->qr_y + lay->qr_side - code->quiet * unit, unit);
}

typedef struct {
    const ocl_label_job *job;
    const ocl_sheet *sheet;
    const ocl_label_options *options;
    ocl_pdf *pdf;
    layout *lay;
    HPDF_Image logo; /* one image, shown on every label; NULL: none */
} sheet_job;

/* One page: its labels' codes packed into one image, then each label. */
static ocl_result draw_page(const sheet_job *sj, const char *const *serials,
                            const char *const *pins, const ocl_qr *codes, size_t count)
{
    const ocl_sheet *sheet = sj->sheet;
    ocl_code_strip strip;
    ocl_result rc = ocl_code_strip_make(sj->pdf, codes, count, &strip);
    if (rc != OCL_OK)
        return rc;
    HPDF_Page page = HPDF_AddPage(sj->pdf->doc);
    double pw = sheet->page_width * OCL_PT_PER_MM, ph = sheet->page_height * OCL_PT_PER_MM;
    HPDF_Page_SetWidth(page, (HPDF_REAL)pw);
    HPDF_Page_SetHeight(page, (HPDF_REAL)ph);
    if (sj->options->draft)
        draw_watermark(page, sj->pdf, pw, ph);
    for (size_t i = 0; i < count; i++) {
        int column = (int)(i % (size_t)sheet->columns), row = (int)(i / (size_t)sheet->columns);
        double ox = (sheet->left + column * sheet->pitch_x) * OCL_PT_PER_MM;
        double oy = ph - (sheet->top + row * sheet->pitch_y + sheet->label_height) * OCL_PT_PER_MM;
        /* Everything inside the label in its own coordinates: the same
         * bytes on every label but the serial and the code's offset. */
        HPDF_Page_GSave(page);
        HPDF_Page_Concat(page, 1, 0, 0, 1, (HPDF_REAL)ox, (HPDF_REAL)oy);
        draw_code(page, &strip, sj->lay, &codes[i], i);
        draw_text(page, sj->pdf, sj->lay, 0, 0, serials[i], pins ? pins[i] : NULL);
        if (sj->lay->pin_line >= 0)
            draw_pin_box(page, sj->lay);
        if (sj->lay->mark_size > 0)
            draw_mark(page, sj->pdf, sj->lay, 0, 0, sj->job->ocop_stars);
        if (sj->lay->ean.columns)
            ocl_pdf_symbol(page, sj->pdf, &sj->lay->ean, sj->lay->ean_x, sj->lay->ean_y,
                           sj->lay->ean_module, sj->lay->ean_bar, 1, NULL, NULL);
        if (sj->logo)
            HPDF_Page_DrawImage(page, sj->logo, (HPDF_REAL)sj->lay->logo_x,
                                (HPDF_REAL)sj->lay->logo_y, (HPDF_REAL)sj->lay->logo_w,
                                (HPDF_REAL)sj->lay->logo_h);
        HPDF_Page_GRestore(page);
    }
    ocl_code_strip_free(&strip);
    return ocl_pdf_status(sj->pdf);
}

ocl_result ocl_label_uri(const ocl_label_job *job, const char *base_url, const char *serial,
                         char *out, size_t out_size)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    char base[OCL_BASE_URL_MAX];
    if (ocl_base_url_check(base_url ? base_url : OCL_DEFAULT_BASE_URL, base, &problems) != OCL_OK)
        return OCL_EINVAL;
    if (!job->gtin || !*job->gtin) {
        char lot[3 * OCL_AI_VALUE_MAX + 1], ser[3 * OCL_AI_VALUE_MAX + 1];
        if (ocl_percent_encode(job->lot, lot, sizeof(lot)) != OCL_OK ||
            ocl_percent_encode(serial, ser, sizeof(ser)) != OCL_OK)
            return OCL_EINVAL;
        int n = snprintf(out, out_size, "%s/lot/%s/%s", base, lot, ser);
        return n < 0 || (size_t)n >= out_size ? OCL_ERANGE : OCL_OK;
    }
    ocl_link link = {0};
    snprintf(link.gtin, sizeof(link.gtin), "%s", job->gtin);
    snprintf(link.lot, sizeof(link.lot), "%s", job->lot);
    snprintf(link.serial, sizeof(link.serial), "%s", serial);
    if (job->has_expires)
        ocl_date_format_yymmdd(&job->expires, link.date[OCL_DATE_EXPIRY]);
    return ocl_link_build(base, &link, out, out_size, &problems);
}

/* Pages encoded ahead while the pages before them are drawn. */
#define CHUNK_PAGES 4

typedef struct {
    const sheet_job *sj;
    const char *const *serials;
} label_pages;

/* A chunk of labels, page by page. */
static ocl_result draw_chunk(void *context, size_t first, const ocl_qr *codes, size_t count)
{
    const label_pages *run = context;
    const sheet_job *sj = run->sj;
    const char *const *pins = sj->options->pins;
    size_t per_page = (size_t)sj->sheet->columns * (size_t)sj->sheet->rows;
    ocl_result rc = OCL_OK;
    for (size_t p = 0; p < count && rc == OCL_OK; p += per_page) {
        size_t n = count - p < per_page ? count - p : per_page;
        rc = draw_page(sj, run->serials + first + p, pins ? pins + first + p : NULL, codes + p, n);
    }
    return rc;
}

/* Draws the labels chunk by chunk while the next chunk's codes are encoded
 * (labels/codes.c). */
static ocl_result draw_all(const sheet_job *sj, const char *const *serials, size_t count)
{
    size_t per_page = (size_t)sj->sheet->columns * (size_t)sj->sheet->rows;
    label_codes codes = {sj->job, sj->options->base_url, serials, sj->options->symbol,
                         sj->lay->modules};
    label_pages pages = {sj, serials};
    return ocl_codes_run(count, per_page * CHUNK_PAGES, sj->options->threads, encode_label, &codes,
                         draw_chunk, &pages);
}

static ocl_box box_mm(double x, double y, double w, double h)
{
    return (ocl_box){x / OCL_PT_PER_MM, y / OCL_PT_PER_MM, w / OCL_PT_PER_MM, h / OCL_PT_PER_MM};
}

/* "OCOP" and its stars, ascent to descent, mm. */
static ocl_box mark_ink(const ocl_pdf *pdf, const layout *lay)
{
    double x, y, r, baseline = lay->text_top + lay->mark_y;
    mark_stars(pdf, lay, &x, &y, &r);
    double top = baseline + lay->mark_size * lay->box.ascent;
    top = y + r > top ? y + r : top;
    double bottom = baseline - lay->mark_size * lay->box.descent;
    double right = x + (lay->stars > 1 ? lay->stars - 1 : 0) * STAR_STEP * r + r;
    return box_mm(lay->mark_x, bottom, right - lay->mark_x, top - bottom);
}

/* Opens a document and plans the job's layout with its font. On failure
 * nothing is left open. */
static ocl_result open_planned(ocl_pdf *pdf, layout **lay, const ocl_label_job *job,
                               const ocl_sheet *sheet, const ocl_label_options *options,
                               ocl_problems *problems)
{
    *lay = NULL;
    ocl_result rc = ocl_pdf_open(pdf, options->font_path);
    if (rc != OCL_OK)
        return rc;
    *lay = calloc(1, sizeof(**lay));
    rc = *lay ? plan(*lay, pdf, job, sheet, options, problems) : OCL_ENOMEM;
    if (rc != OCL_OK) {
        ocl_pdf_close(pdf);
        free(*lay);
        *lay = NULL;
    }
    return rc;
}

ocl_result ocl_labels_geometry(const ocl_label_job *job, const ocl_sheet *sheet,
                               const ocl_label_options *options, ocl_label_geometry *g,
                               ocl_problems *problems)
{
    memset(g, 0, sizeof(*g));
    ocl_pdf pdf;
    layout *lay;
    ocl_result rc = open_planned(&pdf, &lay, job, sheet, options, problems);
    if (rc == OCL_OK) {
        g->label = box_mm(0, 0, lay->width, lay->height);
        g->qr = box_mm(lay->qr_x, lay->qr_y, lay->qr_side, lay->qr_side);
        g->text =
            box_mm(lay->text_x, lay->text_bottom, lay->box.width, lay->text_top - lay->text_bottom);
        g->short_form = lay->short_form;
        g->mark = lay->mark_size > 0;
        g->name_lines = lay->name_lines;
        if (lay->pin_line >= 0)
            g->pin = box_mm(lay->pin_x, lay->text_top - lay->pin_top - lay->pin_h, lay->pin_w,
                            lay->pin_h);
        for (int i = 0; i < lay->box.count && i < OCL_GEOMETRY_LINES; i++) {
            const text_line *l = &lay->box.line[i];
            double ascent = HPDF_Font_GetAscent(pdf.font) * l->size / 1000.0;
            double descent = -HPDF_Font_GetDescent(pdf.font) * l->size / 1000.0;
            double width = ocl_pdf_text_units(&pdf, l->text, strlen(l->text)) * l->size / 1000.0;
            double baseline = lay->text_top + l->y;
            g->line[i] = box_mm(l->x, baseline - descent, width, ascent + descent);
            g->line_size[i] = l->size;
            g->lines++;
        }
        if (lay->ean.columns) {
            g->ean = box_mm(lay->ean_x, lay->ean_y, lay->ean_w, lay->ean_h);
            g->ean_module = lay->ean_module / OCL_PT_PER_MM;
        } else if (given(job->gtin) && job->retail_barcode == OCL_RETAIL_AUTO &&
                   lay->layout->element[OCL_ELEMENT_EAN].present) {
            ean_needs(lay, &pdf, job, sheet, options, &g->ean_needs_width, &g->ean_needs_height);
        }
        if (lay->logo_shown)
            g->logo = box_mm(lay->logo_x, lay->logo_y, lay->logo_w, lay->logo_h);
        if (lay->mark_size > 0)
            g->mark_ink = mark_ink(&pdf, lay);
        ocl_pdf_close(&pdf);
        free(lay);
    }
    return rc;
}

/* The layout as drawn, in the label's own coordinates, for labels/thermal.c. */
static void export_plan(const ocl_pdf *pdf, const layout *lay, int draft, ocl_label_plan *out)
{
    memset(out, 0, sizeof(*out));
    out->width = lay->width;
    out->height = lay->height;
    out->code_x = lay->qr_x, out->code_y = lay->qr_y, out->code_side = lay->qr_side;
    for (int i = 0; i < lay->box.count && i < OCL_PLAN_LINES; i++) {
        const text_line *l = &lay->box.line[i];
        ocl_plan_line *to = &out->line[out->lines++];
        snprintf(to->text, sizeof(to->text), "%s", l->text);
        to->size = l->size, to->x = l->x, to->y = lay->text_top + l->y, to->bold = l->bold;
    }
    out->short_form = lay->short_form;
    out->serial_line = lay->serial_line;
    out->serial_at = (size_t)(strstr(lay->box.line[lay->serial_line].text, serial_placeholder) -
                              lay->box.line[lay->serial_line].text);
    out->pin_line = lay->pin_line;
    if (lay->pin_line >= 0) {
        out->pin_x = lay->pin_x, out->pin_y = lay->text_top - lay->pin_top - lay->pin_h;
        out->pin_w = lay->pin_w, out->pin_h = lay->pin_h;
    }
    if (lay->mark_size > 0) {
        out->mark_size = lay->mark_size;
        out->mark_x = lay->mark_x, out->mark_y = lay->text_top + lay->mark_y;
        mark_stars(pdf, lay, &out->star_x, &out->star_y, &out->star_r);
        out->star_step = STAR_STEP * out->star_r;
    }
    if (draft) { /* as draw_watermark places it */
        double size = (lay->width < lay->height ? lay->width : lay->height) / 5;
        double w = ocl_pdf_text_units(pdf, "BẢN NHÁP", strlen("BẢN NHÁP")) * size / 1000.0;
        out->watermark_size = size;
        out->watermark_x = lay->width / 2 - 0.7071 * w / 2 + 0.7071 * size / 3;
        out->watermark_y = lay->height / 2 - 0.7071 * w / 2 - 0.7071 * size / 3;
    }
}

ocl_result ocl_label_plan_make(const ocl_label_job *job, const ocl_sheet *sheet,
                               const ocl_label_options *options, double code_min,
                               ocl_label_plan *out, ocl_problems *problems)
{
    ocl_pdf pdf;
    ocl_result rc = ocl_pdf_open(&pdf, options->font_path);
    if (rc != OCL_OK)
        return rc;
    layout *lay = calloc(1, sizeof(*lay));
    /* Thermal printers draw no logo yet: no room is kept for one. */
    ocl_label_options without_logo = *options;
    without_logo.logo = NULL;
    if (lay) {
        lay->code_min = code_min;
        lay->ean_off = 1; /* thermal printers draw no EAN yet */
        rc = plan(lay, &pdf, job, sheet, &without_logo, problems);
        if (rc == OCL_OK && given(job->gtin) && job->retail_barcode == OCL_RETAIL_ALWAYS)
            rc = ocl_problem_add(problems, "retail_barcode",
                                 "'always' asks for an EAN, which only PDF labels carry yet");
    }
    if (!lay)
        rc = OCL_ENOMEM;
    else if (rc == OCL_OK)
        export_plan(&pdf, lay, options->draft, out);
    ocl_pdf_close(&pdf);
    free(lay);
    return rc;
}

/* The logo as one image of the document, over white. */
static ocl_result load_logo(ocl_pdf *pdf, const ocl_label_options *options, HPDF_Image *image,
                            ocl_problems *problems)
{
    unsigned char *rgb = NULL;
    int w = 0, h = 0;
    ocl_result rc = ocl_logo_rgb(options->logo, options->logo_len, "logo", &rgb, &w, &h, problems);
    if (rc != OCL_OK)
        return rc;
    *image =
        HPDF_LoadRawImageFromMem(pdf->doc, rgb, (HPDF_UINT)w, (HPDF_UINT)h, HPDF_CS_DEVICE_RGB, 8);
    free(rgb);
    return *image ? OCL_OK : OCL_ELIBRARY;
}

ocl_result ocl_labels_pdf(const ocl_label_job *job, const ocl_sheet *sheet,
                          const ocl_label_options *options, const char *const *serials,
                          size_t count, ocl_buffer *out, ocl_problems *problems)
{
    ocl_pdf pdf;
    layout *lay;
    ocl_result rc = open_planned(&pdf, &lay, job, sheet, options, problems);
    if (rc != OCL_OK)
        return rc;
    sheet_job sj = {job, sheet, options, &pdf, lay, NULL};
    if (lay->logo_shown)
        rc = load_logo(&pdf, options, &sj.logo, problems);
    if (rc == OCL_OK)
        rc = draw_all(&sj, serials, count);
    if (rc == OCL_OK)
        rc = ocl_pdf_save(&pdf, out);
    ocl_pdf_close(&pdf);
    free(lay);
    return rc;
}
