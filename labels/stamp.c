/*
 * Traceability stamps (tem truy xuất nguồn gốc): small stickers, one per
 * unit, each with its own serial in a Digital Link QR code or Data Matrix,
 * the serial in letters, the product's short name, a caption, the OCOP
 * mark while the recognition is valid and the producer's logo, where the
 * layout file puts them (labels/layout.c keeps its rules).
 *
 * Everything but the code and the serial is the same on every stamp of a
 * job: it is fitted once (shrunk within each element's size range, wrapped
 * to its lines) and replayed in each stamp's own coordinates, so that the
 * page's compression folds the repeats. The codes are encoded on worker
 * threads and packed a page at a time into one image (labels/codes.c).
 */
#include "pdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEADING     1.1 /* a stamp's lines: tighter than a label's 1.18 */
#define SIZE_STEP   0.25
#define TEXT_MAX    256
#define STAR_RATIO  0.42 /* a star's radius, of the mark's size */
#define STAR_STEP   2.2  /* from one star's centre to the next, in radii */
#define CHUNK_PAGES 2
#define SERIAL_ROOM 20 /* characters of a serial a stamp is planned for */

/* ---------- the plan of one job's stamps ---------- */

typedef struct {
    char text[TEXT_MAX];
    double size;
    double u, v; /* the baseline's start in the element's frame, pt */
    double width;
} text_line;

/* A text element: its lines in its own frame (u along the text, v up),
 * turned and moved onto the stamp by (a b c d e f). */
typedef struct {
    int present;
    double a, b, c, d, e, f;
    double frame_w, frame_h; /* pt */
    ocl_align align;
    text_line line[OCL_LAYOUT_LINES_MAX];
    int lines;
} text_block;

typedef struct {
    double width, height;             /* the stamp, pt */
    ocl_box box[OCL_ELEMENT_COUNT];   /* mm */
    double code_x, code_y, code_side; /* the code with its quiet zone, pt */
    int modules;                      /* a side's, quiet zone included */
    double unit;                      /* pt a module */
    text_block serial, name, caption;
    size_t serial_at; /* where the serial starts in its line */
    int mark, stars;
    double mark_size, mark_x, mark_y; /* "OCOP": size, baseline start */
    double star_x, star_y, star_r;    /* the first star's centre */
    HPDF_Image logo;
    double logo_x, logo_y, logo_w, logo_h;
    double ascent, descent; /* the font's, per pt */
} stamp_plan;

static double pt(double mm)
{
    return mm * OCL_PT_PER_MM;
}

static double text_width(const ocl_pdf *pdf, const char *text, double size)
{
    return ocl_pdf_text_units(pdf, text, strlen(text)) * size / 1000.0;
}

/* Where a length `inner` starts in `outer` for an alignment. */
static double aligned(ocl_align align, double outer, double inner)
{
    return align == OCL_ALIGN_START    ? 0
           : align == OCL_ALIGN_CENTER ? (outer - inner) / 2
                                       : outer - inner;
}

/* The frame of an element's box (pt), turned as the layout says. */
static void set_frame(text_block *block, const ocl_box *box_mm, int rotate)
{
    double x = pt(box_mm->x), y = pt(box_mm->y), w = pt(box_mm->width), h = pt(box_mm->height);
    block->present = 1;
    if (rotate == 90) { /* reading upwards: u along +y, v along -x */
        block->a = 0, block->b = 1, block->c = -1, block->d = 0, block->e = x + w, block->f = y;
        block->frame_w = h, block->frame_h = w;
    } else if (rotate == 270) { /* reading downwards */
        block->a = 0, block->b = -1, block->c = 1, block->d = 0, block->e = x, block->f = y + h;
        block->frame_w = h, block->frame_h = w;
    } else {
        block->a = 1, block->b = 0, block->c = 0, block->d = 1, block->e = x, block->f = y;
        block->frame_w = w, block->frame_h = h;
    }
}

/* Wraps `text` at `size` into the block's frame: 0 when it takes at most
 * `max_lines` lines and fits the frame's height. */
static int wrap(text_block *block, const ocl_pdf *pdf, const stamp_plan *plan, const char *text,
                double size, int max_lines, ocl_align valign)
{
    const char *start = text;
    int n = 0;
    while (*start == ' ')
        start++;
    while (*start) {
        if (n == max_lines)
            return -1;
        const char *next;
        const char *end = ocl_pdf_line_end(pdf, start, block->frame_w * 1000.0 / size, &next);
        if (*end && *end != ' ' && *end != '\n')
            return -1; /* a word broken in two: a smaller size may keep it whole */
        text_line *l = &block->line[n++];
        snprintf(l->text, sizeof(l->text), "%.*s", (int)(end - start), start);
        l->size = size;
        l->width = text_width(pdf, l->text, size);
        if (l->width > block->frame_w + 1e-6)
            return -1; /* a word wider than the line */
        start = next;
    }
    double height = n ? size * (plan->ascent + plan->descent) + (n - 1) * size * LEADING : 0;
    if (n == 0 || height > block->frame_h + 1e-6)
        return -1;
    double top = block->frame_h - aligned(valign, block->frame_h, height);
    for (int i = 0; i < n; i++) {
        text_line *l = &block->line[i];
        l->u = aligned(block->align, block->frame_w, l->width);
        l->v = top - size * plan->ascent - i * size * LEADING;
    }
    block->lines = n;
    return 0;
}

/* Fits `text` at the largest size of the element's range that fits. */
static int fit_text(text_block *block, const ocl_pdf *pdf, const stamp_plan *plan,
                    const ocl_layout_element *el, const ocl_box *box, const char *text)
{
    set_frame(block, box, el->rotate);
    block->align = el->align;
    for (double size = el->size_max; size >= el->size_min - 1e-9; size -= SIZE_STEP)
        if (wrap(block, pdf, plan, text, size, el->lines, el->valign) == 0)
            return 0;
    return -1;
}

/* The serial's line, planned as wide as a serial of `length` 'N's (a
 * wider one is condensed to the box when drawn). */
static ocl_result fit_serial(stamp_plan *plan, const ocl_pdf *pdf, const ocl_layout *layout,
                             size_t length, ocl_problems *problems)
{
    const ocl_layout_element *el = &layout->element[OCL_ELEMENT_SERIAL];
    char text[TEXT_MAX], sample[SERIAL_ROOM + 1];
    memset(sample, 'N', length);
    sample[length] = '\0';
    int n = snprintf(text, sizeof(text), "%s%s%s", el->text, el->text[0] ? " " : "", sample);
    plan->serial_at = (size_t)n - length;
    if (fit_text(&plan->serial, pdf, plan, el, &plan->box[OCL_ELEMENT_SERIAL], text) == 0)
        return OCL_OK;
    const ocl_box *b = &plan->box[OCL_ELEMENT_SERIAL];
    return ocl_problem_add(problems, "layout.serial",
                           "'%s' line %d: the serial ('%s') does not fit its box (%.1f x %.1f mm) "
                           "on one line at %.2f pt",
                           layout->name, el->line, text, b->width, b->height, el->size_min);
}

/* Words for a message, as they are (they are checked UTF-8), cut at a
 * character's start with "..." when long. */
static void quote_words(const char *text, char *out, size_t size)
{
    size_t n = strlen(text);
    if (n < size) {
        memcpy(out, text, n + 1);
        return;
    }
    n = size - 4;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    snprintf(out, size, "%.*s...", (int)n, text);
}

static ocl_result fit_words(text_block *block, stamp_plan *plan, const ocl_pdf *pdf,
                            const ocl_layout *layout, ocl_element element, const char *text,
                            const char *field, ocl_problems *problems)
{
    const ocl_layout_element *el = &layout->element[element];
    const ocl_box *b = &plan->box[element];
    if (fit_text(block, pdf, plan, el, b, text) == 0)
        return OCL_OK;
    char quoted[OCL_QUOTE_MAX];
    quote_words(text, quoted, sizeof(quoted));
    if (element == OCL_ELEMENT_NAME)
        return ocl_problem_add(problems, field,
                               "'%s' does not fit the stamp's name box (%.1f x %.1f mm) in %d "
                               "line%s at %.2f pt; give a shorter name (product.short_name)",
                               quoted, b->width, b->height, el->lines, el->lines > 1 ? "s" : "",
                               el->size_min);
    return ocl_problem_add(problems, field,
                           "'%s' line %d: '%s' does not fit the box (%.1f x %.1f mm) in %d "
                           "line%s at %.2f pt",
                           layout->name, el->line, quoted, b->width, b->height, el->lines,
                           el->lines > 1 ? "s" : "", el->size_min);
}

/* "OCOP" and the stars on one row, or the stars under the word, at the
 * largest size of the mark's range that fits its box. */
static ocl_result fit_mark(stamp_plan *plan, const ocl_pdf *pdf, const ocl_layout *layout,
                           int stars, ocl_problems *problems)
{
    const ocl_layout_element *el = &layout->element[OCL_ELEMENT_MARK];
    const ocl_box *b = &plan->box[OCL_ELEMENT_MARK];
    double bx = pt(b->x), by = pt(b->y), bw = pt(b->width), bh = pt(b->height);
    for (double size = el->size_max; size >= el->size_min - 1e-9; size -= SIZE_STEP) {
        double word = text_width(pdf, "OCOP", size);
        double space = text_width(pdf, "OCOP ", size) - word;
        double text_h = size * (plan->ascent + plan->descent);
        for (int stacked = 0; stacked < 2; stacked++) {
            /* Under the word, the stars take no more than its width. */
            double r = size * STAR_RATIO, span = (stars - 1) * STAR_STEP + 2;
            if (stacked && span * r > word)
                r = word / span;
            double row = span * r;
            double w = stacked ? (word > row ? word : row) : word + space + row;
            double h = stacked ? text_h + 2.4 * r : (text_h > 2 * r ? text_h : 2 * r);
            if (w > bw + 1e-6 || h > bh + 1e-6)
                continue;
            double x = bx + aligned(el->align, bw, w);
            double top = by + bh - aligned(el->valign, bh, h);
            plan->mark = 1;
            plan->stars = stars;
            plan->mark_size = size;
            plan->star_r = r;
            plan->mark_x = stacked ? x + (w - word) / 2 : x;
            plan->mark_y = top - size * plan->ascent;
            plan->star_x = (stacked ? x + (w - row) / 2 : x + word + space) + r;
            plan->star_y = stacked ? top - text_h - 1.2 * r : plan->mark_y + size * 0.35;
            return OCL_OK;
        }
    }
    return ocl_problem_add(problems, "layout.mark",
                           "'%s' line %d: the OCOP mark with %d stars does not fit its box "
                           "(%.1f x %.1f mm) at %.2f pt",
                           layout->name, el->line, stars, b->width, b->height, el->size_min);
}

/* ---------- the code ---------- */

typedef struct {
    const ocl_label_job *job;
    const char *base_url;
    ocl_symbology symbol;
    const char *const *serials;
    int dark_max; /* the planned dark side: a code past it is refused */
} stamp_codes;

/* Encodes `uri` as the stamp's symbology into an ocl_qr (a Data Matrix
 * with quiet 0: the stamp keeps its own quiet zone). */
static ocl_result encode_uri(ocl_symbology symbol, const char *uri, ocl_qr *code)
{
    if (symbol == OCL_SYMBOL_QR)
        return ocl_qr_encode((const unsigned char *)uri, strlen(uri), OCL_EC_M, code);
    ocl_symbol dm;
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    memset(code, 0, sizeof(*code));
    ocl_result rc = ocl_symbol_encode(symbol, uri, "code", &dm, &ignored);
    if (rc != OCL_OK)
        return rc == OCL_EINVAL ? OCL_ERANGE : rc;
    if (dm.columns != dm.rows) { /* square symbols only are asked for */
        ocl_symbol_free(&dm);
        return OCL_ELIBRARY;
    }
    code->size = dm.columns;
    code->quiet = 0;
    code->modules = dm.modules;
    return OCL_OK;
}

static ocl_result encode_stamp(const void *context, size_t index, ocl_qr *code)
{
    const stamp_codes *run = context;
    char uri[OCL_URI_MAX + 1];
    ocl_result rc = ocl_label_uri(run->job, run->base_url, run->serials[index], uri, sizeof(uri));
    if (rc == OCL_OK)
        rc = encode_uri(run->symbol, uri, code);
    if (rc == OCL_OK && code->size - 2 * code->quiet > run->dark_max)
        rc = OCL_ERANGE; /* never planned for: its modules would be under the minimum */
    return rc;
}

/* The dark side of the largest code of serials of `length` characters:
 * all letters, and letters and digits alternating, which no encoder can
 * pack into a shorter mode. 0 on failure. */
static int code_dark_side(const ocl_label_job *job, const ocl_stamp_options *options, size_t length)
{
    static const char *const patterns[] = {"WWWWWWWWWWWWWWWWWWWW", "W0W0W0W0W0W0W0W0W0W0"};
    int largest = 0;
    for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
        char serial[SERIAL_ROOM + 1], uri[OCL_URI_MAX + 1];
        snprintf(serial, sizeof(serial), "%.*s", (int)length, patterns[p]);
        ocl_qr code;
        if (ocl_label_uri(job, options->base_url, serial, uri, sizeof(uri)) != OCL_OK ||
            encode_uri(options->symbol, uri, &code) != OCL_OK)
            return 0;
        int dark = code.size - 2 * code.quiet;
        largest = dark > largest ? dark : largest;
        ocl_qr_free(&code);
    }
    return largest;
}

/* Rounds a length up to the next half millimetre. */
static double half_mm_up(double mm)
{
    return ceil(mm * 2 - 1e-9) / 2;
}

/* The code's refusal: the module it would get, the stamp that would hold
 * it at the minimum, and how to make the code smaller. */
static ocl_result too_small(const ocl_sheet *sheet, const ocl_layout *layout, const ocl_box *box,
                            int modules, ocl_problems *problems)
{
    const ocl_layout_element *el = &layout->element[OCL_ELEMENT_CODE];
    double side = box->width < box->height ? box->width : box->height;
    double need = modules * OCL_STAMP_MODULE_MIN_MM;
    int by_width = box->width <= box->height;
    const ocl_length *limit = &el->box[by_width ? 2 : 3];
    char fits[96];
    if (limit->fraction)
        snprintf(fits, sizeof(fits), "a %.1f x %.1f mm stamp holds it",
                 half_mm_up(sheet->label_width * need / side),
                 half_mm_up(sheet->label_height * need / side));
    else
        snprintf(fits, sizeof(fits), "the layout's code box must be %.1f mm or more", need);
    ocl_problem_add(problems, "sheet",
                    "'%s' (%.0f x %.0f mm) is too small for a code of %d modules: %.3f mm each "
                    "in its %.1f mm box, under %.1f mm; %s",
                    sheet->name, sheet->label_width, sheet->label_height, modules, side / modules,
                    side, OCL_STAMP_MODULE_MIN_MM, fits);
    return ocl_problem_add(problems, "sheet",
                           "or shorten the code: a shorter base URL ([resolver] base_url, "
                           "--base-url) or no expiry date in the code");
}

static ocl_result plan_code(stamp_plan *plan, const ocl_label_job *job, const ocl_sheet *sheet,
                            const ocl_layout *layout, const ocl_stamp_options *options,
                            size_t serial_length, ocl_problems *problems)
{
    const ocl_box *box = &plan->box[OCL_ELEMENT_CODE];
    const ocl_layout_element *el = &layout->element[OCL_ELEMENT_CODE];
    int dark = code_dark_side(job, options, serial_length);
    if (dark == 0)
        return ocl_problem_add(problems, "code", "the unit's link cannot be encoded as a %s",
                               ocl_symbology_name(options->symbol));
    plan->modules = dark + 2 * OCL_STAMP_QUIET;
    double side = box->width < box->height ? box->width : box->height;
    if (side / plan->modules < OCL_STAMP_MODULE_MIN_MM - 1e-9)
        return too_small(sheet, layout, box, plan->modules, problems);
    plan->code_side = pt(side);
    plan->unit = plan->code_side / plan->modules;
    plan->code_x = pt(box->x) + aligned(el->align, pt(box->width), plan->code_side);
    plan->code_y = pt(box->y) + pt(box->height) - plan->code_side -
                   aligned(el->valign, pt(box->height), plan->code_side);
    return OCL_OK;
}

/* ---------- the logo ---------- */

static ocl_result plan_logo(stamp_plan *plan, ocl_pdf *pdf, const ocl_layout *layout,
                            const ocl_stamp_options *options, ocl_problems *problems)
{
    const ocl_layout_element *el = &layout->element[OCL_ELEMENT_LOGO];
    if (!options->logo || !el->present)
        return OCL_OK;
    unsigned char *rgb = NULL;
    int w = 0, h = 0;
    ocl_result rc = ocl_logo_rgb(options->logo, options->logo_len, "logo", &rgb, &w, &h, problems);
    if (rc != OCL_OK)
        return rc;
    plan->logo =
        HPDF_LoadRawImageFromMem(pdf->doc, rgb, (HPDF_UINT)w, (HPDF_UINT)h, HPDF_CS_DEVICE_RGB, 8);
    free(rgb);
    if (!plan->logo)
        return OCL_ELIBRARY;
    const ocl_box *b = &plan->box[OCL_ELEMENT_LOGO];
    double bw = pt(b->width), bh = pt(b->height);
    double scale = bw / w < bh / h ? bw / w : bh / h;
    plan->logo_w = w * scale, plan->logo_h = h * scale;
    plan->logo_x = pt(b->x) + aligned(el->align, bw, plan->logo_w);
    plan->logo_y = pt(b->y) + bh - plan->logo_h - aligned(el->valign, bh, plan->logo_h);
    return OCL_OK;
}

/* The longest serial of the run, at least a generated serial's length. */
static size_t serial_length(const char *const *serials, size_t count)
{
    size_t longest = OCL_SERIAL_LEN;
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(serials[i]);
        longest = n > longest ? n : longest;
    }
    return longest > SERIAL_ROOM ? SERIAL_ROOM : longest;
}

static ocl_result plan_stamp(stamp_plan *plan, ocl_pdf *pdf, const ocl_label_job *job,
                             const ocl_sheet *sheet, const ocl_layout *layout,
                             const ocl_stamp_options *options, size_t length,
                             ocl_problems *problems)
{
    memset(plan, 0, sizeof(*plan));
    plan->width = pt(sheet->label_width);
    plan->height = pt(sheet->label_height);
    plan->ascent = HPDF_Font_GetAscent(pdf->font) / 1000.0;
    plan->descent = -HPDF_Font_GetDescent(pdf->font) / 1000.0;
    size_t before = problems->count + problems->dropped;
    if (options->symbol != OCL_SYMBOL_QR && options->symbol != OCL_SYMBOL_DATAMATRIX)
        return ocl_problem_add(problems, "symbol", "a stamp's code is a QR code or a Data Matrix");
    if (ocl_layout_place(layout, sheet->label_width, sheet->label_height, plan->box, problems) !=
        OCL_OK)
        return OCL_EINVAL;
    plan_code(plan, job, sheet, layout, options, length, problems);
    fit_serial(plan, pdf, layout, length, problems);
    fit_words(&plan->caption, plan, pdf, layout, OCL_ELEMENT_CAPTION,
              layout->element[OCL_ELEMENT_CAPTION].text, "layout.caption", problems);
    if (layout->element[OCL_ELEMENT_NAME].present) {
        const char *name =
            options->name && *options->name ? options->name : job->text[OCL_FIELD_PRODUCT_NAME];
        fit_words(&plan->name, plan, pdf, layout, OCL_ELEMENT_NAME, name ? name : "",
                  options->name && *options->name ? "product.short_name" : "product.name",
                  problems);
    }
    if (options->ocop_mark && job->ocop_stars >= 3 && job->ocop_stars <= 5)
        fit_mark(plan, pdf, layout, job->ocop_stars, problems);
    if (problems->count + problems->dropped != before)
        return OCL_EINVAL;
    return plan_logo(plan, pdf, layout, options, problems);
}

/* ---------- drawing ---------- */

static void show_line(HPDF_Page page, const text_block *block, const text_line *l, double u,
                      const char *text)
{
    double x = block->e + block->a * u + block->c * l->v;
    double y = block->f + block->b * u + block->d * l->v;
    HPDF_Page_SetTextMatrix(page, (HPDF_REAL)block->a, (HPDF_REAL)block->b, (HPDF_REAL)block->c,
                            (HPDF_REAL)block->d, (HPDF_REAL)x, (HPDF_REAL)y);
    HPDF_Page_ShowText(page, text);
}

static void draw_block(HPDF_Page page, const ocl_pdf *pdf, const text_block *block)
{
    for (int i = 0; i < block->lines; i++) {
        const text_line *l = &block->line[i];
        HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)l->size);
        show_line(page, block, l, l->u, l->text);
    }
}

/* The serial's line with this stamp's serial; condensed to the box when
 * its letters are wider than the plan's. */
static void draw_serial(HPDF_Page page, const ocl_pdf *pdf, const stamp_plan *plan,
                        const char *serial)
{
    const text_block *block = &plan->serial;
    const text_line *l = &block->line[0];
    char text[TEXT_MAX];
    snprintf(text, sizeof(text), "%.*s%s", (int)plan->serial_at, l->text, serial);
    double width = text_width(pdf, text, l->size);
    double scale = width > block->frame_w ? block->frame_w / width : 1;
    HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)l->size);
    if (scale < 1)
        HPDF_Page_SetHorizontalScalling(page, (HPDF_REAL)(scale * 100));
    show_line(page, block, l, aligned(block->align, block->frame_w, width * scale), text);
    if (scale < 1)
        HPDF_Page_SetHorizontalScalling(page, 100);
}

static void draw_mark(HPDF_Page page, const ocl_pdf *pdf, const stamp_plan *plan)
{
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)plan->mark_size);
    HPDF_Page_SetTextMatrix(page, 1, 0, 0, 1, (HPDF_REAL)plan->mark_x, (HPDF_REAL)plan->mark_y);
    HPDF_Page_ShowText(page, "OCOP");
    HPDF_Page_EndText(page);
    for (int i = 0; i < plan->stars; i++)
        ocl_pdf_star(page, plan->star_x + i * STAR_STEP * plan->star_r, plan->star_y, plan->star_r);
}

static void draw_stamp(HPDF_Page page, const ocl_pdf *pdf, const stamp_plan *plan,
                       const ocl_code_strip *strip, const ocl_qr *code, size_t i,
                       const char *serial)
{
    /* A code smaller than planned keeps the planned module, centred. */
    int dark = code->size - 2 * code->quiet;
    double inset = (plan->code_side - dark * plan->unit) / 2;
    ocl_code_strip_draw(page, strip, code, i, plan->code_x + inset,
                        plan->code_y + plan->code_side - inset, plan->unit);
    HPDF_Page_BeginText(page);
    draw_block(page, pdf, &plan->caption);
    if (plan->name.present)
        draw_block(page, pdf, &plan->name);
    draw_serial(page, pdf, plan, serial);
    HPDF_Page_EndText(page);
    if (plan->mark)
        draw_mark(page, pdf, plan);
    if (plan->logo)
        HPDF_Page_DrawImage(page, plan->logo, (HPDF_REAL)plan->logo_x, (HPDF_REAL)plan->logo_y,
                            (HPDF_REAL)plan->logo_w, (HPDF_REAL)plan->logo_h);
}

typedef struct {
    const ocl_sheet *sheet;
    ocl_pdf *pdf;
    const stamp_plan *plan;
    const char *const *serials;
} stamp_run;

static ocl_result draw_page(const stamp_run *run, size_t first, const ocl_qr *codes, size_t count)
{
    const ocl_sheet *sheet = run->sheet;
    ocl_code_strip strip;
    ocl_result rc = ocl_code_strip_make(run->pdf, codes, count, &strip);
    if (rc != OCL_OK)
        return rc;
    HPDF_Page page = HPDF_AddPage(run->pdf->doc);
    double ph = pt(sheet->page_height);
    HPDF_Page_SetWidth(page, (HPDF_REAL)pt(sheet->page_width));
    HPDF_Page_SetHeight(page, (HPDF_REAL)ph);
    for (size_t i = 0; i < count; i++) {
        int column = (int)(i % (size_t)sheet->columns), row = (int)(i / (size_t)sheet->columns);
        double ox = pt(sheet->left + column * sheet->pitch_x);
        double oy = ph - pt(sheet->top + row * sheet->pitch_y + sheet->label_height);
        HPDF_Page_GSave(page);
        HPDF_Page_Concat(page, 1, 0, 0, 1, (HPDF_REAL)ox, (HPDF_REAL)oy);
        draw_stamp(page, run->pdf, run->plan, &strip, &codes[i], i, run->serials[first + i]);
        HPDF_Page_GRestore(page);
    }
    ocl_code_strip_free(&strip);
    return ocl_pdf_status(run->pdf);
}

static ocl_result draw_chunk(void *context, size_t first, const ocl_qr *codes, size_t count)
{
    const stamp_run *run = context;
    size_t per_page = (size_t)run->sheet->columns * (size_t)run->sheet->rows;
    ocl_result rc = OCL_OK;
    for (size_t p = 0; p < count && rc == OCL_OK; p += per_page)
        rc = draw_page(run, first + p, codes + p, count - p < per_page ? count - p : per_page);
    return rc;
}

/* ---------- the public calls ---------- */

static ocl_result open_planned(ocl_pdf *pdf, stamp_plan *plan, const ocl_label_job *job,
                               const ocl_sheet *sheet, const ocl_layout *layout,
                               const ocl_stamp_options *options, size_t length,
                               ocl_problems *problems)
{
    if (layout->kind != OCL_LAYOUT_STAMP)
        return ocl_problem_add(problems, "layout", "'%s' is not a stamp's layout", layout->name);
    ocl_result rc = ocl_pdf_open(pdf, options->font_path);
    if (rc != OCL_OK)
        return rc;
    rc = plan_stamp(plan, pdf, job, sheet, layout, options, length, problems);
    if (rc != OCL_OK)
        ocl_pdf_close(pdf);
    return rc;
}

ocl_result ocl_stamps_pdf(const ocl_label_job *job, const ocl_sheet *sheet,
                          const ocl_layout *layout, const ocl_stamp_options *options,
                          const char *const *serials, size_t count, ocl_buffer *out,
                          ocl_problems *problems)
{
    ocl_pdf pdf;
    stamp_plan *plan = malloc(sizeof(*plan));
    if (!plan)
        return OCL_ENOMEM;
    size_t length = serial_length(serials, count);
    ocl_result rc = open_planned(&pdf, plan, job, sheet, layout, options, length, problems);
    if (rc == OCL_OK) {
        stamp_codes codes = {job, options->base_url, options->symbol, serials,
                             plan->modules - 2 * OCL_STAMP_QUIET};
        stamp_run run = {sheet, &pdf, plan, serials};
        size_t per_page = (size_t)sheet->columns * (size_t)sheet->rows;
        rc = ocl_codes_run(count, per_page * CHUNK_PAGES, options->threads, encode_stamp, &codes,
                           draw_chunk, &run);
        if (rc == OCL_OK)
            rc = ocl_pdf_save(&pdf, out);
        ocl_pdf_close(&pdf);
    }
    free(plan);
    return rc;
}

/* ---------- geometry, for checking a layout ---------- */

static ocl_box box_mm(double x, double y, double w, double h)
{
    return (ocl_box){x / OCL_PT_PER_MM, y / OCL_PT_PER_MM, w / OCL_PT_PER_MM, h / OCL_PT_PER_MM};
}

/* A line's ink box (ascent to descent) on the stamp, turned with its frame. */
static ocl_box line_box(const stamp_plan *plan, const text_block *block, const text_line *l)
{
    double u0 = l->u, u1 = l->u + l->width;
    double v0 = l->v - l->size * plan->descent, v1 = l->v + l->size * plan->ascent;
    double xs[4], ys[4];
    double us[4] = {u0, u1, u0, u1}, vs[4] = {v0, v0, v1, v1};
    for (int k = 0; k < 4; k++) {
        xs[k] = block->e + block->a * us[k] + block->c * vs[k];
        ys[k] = block->f + block->b * us[k] + block->d * vs[k];
    }
    double x0 = fmin(fmin(xs[0], xs[1]), fmin(xs[2], xs[3]));
    double x1 = fmax(fmax(xs[0], xs[1]), fmax(xs[2], xs[3]));
    double y0 = fmin(fmin(ys[0], ys[1]), fmin(ys[2], ys[3]));
    double y1 = fmax(fmax(ys[0], ys[1]), fmax(ys[2], ys[3]));
    return box_mm(x0, y0, x1 - x0, y1 - y0);
}

static void add_lines(ocl_stamp_geometry *g, const stamp_plan *plan, const text_block *block,
                      ocl_element element)
{
    for (int i = 0; i < block->lines && g->lines < OCL_STAMP_LINES; i++) {
        g->line[g->lines] = line_box(plan, block, &block->line[i]);
        g->line_element[g->lines] = element;
        g->line_size[g->lines] = block->line[i].size;
        g->lines++;
    }
}

ocl_result ocl_stamps_geometry(const ocl_label_job *job, const ocl_sheet *sheet,
                               const ocl_layout *layout, const ocl_stamp_options *options,
                               ocl_stamp_geometry *g, ocl_problems *problems)
{
    memset(g, 0, sizeof(*g));
    ocl_pdf pdf;
    stamp_plan *plan = malloc(sizeof(*plan));
    if (!plan)
        return OCL_ENOMEM;
    ocl_result rc = open_planned(&pdf, plan, job, sheet, layout, options, OCL_SERIAL_LEN, problems);
    if (rc == OCL_OK) {
        g->stamp = box_mm(0, 0, plan->width, plan->height);
        g->code_box = plan->box[OCL_ELEMENT_CODE];
        g->code = box_mm(plan->code_x, plan->code_y, plan->code_side, plan->code_side);
        double quiet = OCL_STAMP_QUIET * plan->unit;
        g->dark = box_mm(plan->code_x + quiet, plan->code_y + quiet, plan->code_side - 2 * quiet,
                         plan->code_side - 2 * quiet);
        g->modules = plan->modules;
        g->module = plan->unit / OCL_PT_PER_MM;
        memcpy(g->element, plan->box, sizeof(g->element));
        add_lines(g, plan, &plan->serial, OCL_ELEMENT_SERIAL);
        add_lines(g, plan, &plan->caption, OCL_ELEMENT_CAPTION);
        add_lines(g, plan, &plan->name, OCL_ELEMENT_NAME);
        g->mark = plan->mark;
        if (plan->mark) {
            double word = text_width(&pdf, "OCOP", plan->mark_size);
            double last = plan->star_x + (plan->stars - 1) * STAR_STEP * plan->star_r;
            double x0 = fmin(plan->mark_x, plan->star_x - plan->star_r);
            double x1 = fmax(plan->mark_x + word, last + plan->star_r);
            double y0 =
                fmin(plan->mark_y - plan->mark_size * plan->descent, plan->star_y - plan->star_r);
            double y1 =
                fmax(plan->mark_y + plan->mark_size * plan->ascent, plan->star_y + plan->star_r);
            g->mark_ink = box_mm(x0, y0, x1 - x0, y1 - y0);
        }
        g->logo = plan->logo != NULL;
        if (plan->logo)
            g->logo_ink = box_mm(plan->logo_x, plan->logo_y, plan->logo_w, plan->logo_h);
        ocl_pdf_close(&pdf);
    }
    free(plan);
    return rc;
}
