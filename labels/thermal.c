/*
 * Roll labels for thermal printers: a label job written as ZPL II (Zebra)
 * or TSPL (TSC, Xprinter), one label per serial, laid out as the PDF label
 * (labels/label.c plans both).
 *
 * The printers' own fonts lack the Vietnamese letters, so the text is sent
 * as graphics, drawn by labels/raster.c from the PDF's font. The text is
 * the same on every label but for the serial (and a PIN), so it is drawn
 * once per job: ZPL stores it in the printer (~DG) and recalls it on each
 * label (^XG); TSPL sends its rows again with each label as BITMAP, the
 * graphics command every TSPL printer takes, copied from rows made once
 * (storing them with DOWNLOAD would save bytes on the wire, not time
 * here). Per label only the serial's (and PIN's) few letters are drawn.
 * The QR code is left to the printer (^BQ, QRCODE), which draws it from a
 * hundred bytes at exactly its dots, in automatic mode, which mixes
 * numeric and byte segments as the PDF's encoder does: its box on the
 * label is sized for the version that encoder gives the URI, at whole
 * dots a module of at least 0.4 mm, and the code fills its box as on the
 * PDF.
 */
#include "raster.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MODULE_MIN_MM 0.4
#define MODULE_MAX    10           /* dots: the most ^BQ and QRCODE draw */
#define PIN_BOX_PT    0.6          /* the PIN box's line, as the PDF strokes it */
#define LIVE_MAX      2            /* texts drawn per label: the serial's, the PIN */
#define SAMPLE_SERIAL "WWWWWWWWWW" /* as long as the serials a job is laid out for */

/* ZPL: the job's text, stored in the printer's memory under one name; the
 * next job replaces it, so the printer never holds more than one. */
#define ZPL_GRAPHIC "R:OCOPJOB.GRF"
/* Zebra firmware sets a QR code the ^BY bar height below its ^FO: the
 * height is set on every label so that the offset is known. */
#define ZPL_BAR_HEIGHT 10

#define TSPL_DENSITY 8 /* the middle of 0 to 15 */

/* The bytes QR versions 1 to 20 hold at error correction M in byte mode,
 * the least dense: what a box holds whatever the encoder (URIs are at
 * most OCL_URI_MAX bytes). */
static const short byte_capacity_m[] = {0,   14,  26,  42,  62,  84,  106, 122, 152, 180, 213,
                                        251, 287, 331, 362, 412, 450, 504, 560, 624, 666};
#define VERSIONS ((int)(sizeof(byte_capacity_m) / sizeof(byte_capacity_m[0])) - 1)

/* A text that differs from label to label, and the dots it may ink. */
typedef struct {
    int line;             /* the plan's */
    double size;          /* pt */
    double pen, baseline; /* dots from the label's top-left corner */
    int x, y, w, h;       /* its region */
} live_text;

/* TSPL: rows of the label sent afresh on each label, with their text. */
typedef struct {
    int x, y;
    ocl_bitmap still;   /* the dots that are the same on every label */
    ocl_bitmap scratch; /* this label's */
} live_band;

struct ocl_printer_job {
    const ocl_label_job *job;
    const ocl_label_options *options;
    ocl_printer_language language;
    int dpi, width, height; /* the label, dots */
    int module;             /* dots a module */
    int modules;            /* a side of the job's codes, quiet zone included */
    int code_x, code_y;     /* the symbol's top-left corner, inside its quiet zone */
    size_t uri_max;         /* the longest URI the code's box holds */
    ocl_raster *raster;
    ocl_label_plan *plan;
    live_text live[LIVE_MAX];
    int lives;
    live_band band[LIVE_MAX];
    int bands;
    ocl_bitmap scratch; /* ZPL: one live text's region */
    ocl_buffer once;    /* sent before the first label */
    ocl_buffer still;   /* each label's commands that never change */
    int started;
};

/* ---------- writing ---------- */

typedef struct {
    ocl_buffer *out;
    ocl_result rc;
} writer;

static void put(writer *w, const void *data, size_t len)
{
    if (w->rc == OCL_OK)
        w->rc = ocl_buffer_append(w->out, data, len);
}

static void puts_(writer *w, const char *text)
{
    put(w, text, strlen(text));
}

__attribute__((format(printf, 2, 3))) static void putf(writer *w, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(text))
        w->rc = w->rc == OCL_OK ? OCL_ERANGE : w->rc;
    else
        put(w, text, (size_t)n);
}

/* ZPL's compressed ASCII hexadecimal: each row as hex digits, a run of
 * one digit as a count (G-Y 1 to 19, g-z 20 to 400) and the digit, ','
 * for zeros to the row's end, ':' for a row as the one before. */
static void zpl_run(char *to, size_t *n, int count, char digit)
{
    while (count > 0) {
        int take = count > 419 ? 419 : count;
        if (take >= 3) {
            if (take >= 20)
                to[(*n)++] = (char)('g' + take / 20 - 1);
            if (take % 20)
                to[(*n)++] = (char)('G' + take % 20 - 1);
            to[(*n)++] = digit;
        } else {
            for (int i = 0; i < take; i++)
                to[(*n)++] = digit;
        }
        count -= take;
    }
}

static void zpl_rows(writer *w, const ocl_bitmap *b)
{
    static const char hex[] = "0123456789ABCDEF";
    int digits = 2 * b->stride;
    char *row = malloc((size_t)digits + 2);
    if (!row) {
        w->rc = OCL_ENOMEM;
        return;
    }
    for (int y = 0; y < b->height && w->rc == OCL_OK; y++) {
        const unsigned char *bits = b->bits + (size_t)y * (size_t)b->stride;
        if (y > 0 && memcmp(bits, bits - b->stride, (size_t)b->stride) == 0) {
            put(w, ":", 1);
            continue;
        }
        int end = digits; /* past the last digit that is not 0 */
        while (end > 0 && !(bits[(end - 1) / 2] >> ((end - 1) % 2 ? 0 : 4) & 0xF))
            end--;
        size_t n = 0;
        for (int i = 0; i < end;) {
            char digit = hex[bits[i / 2] >> (i % 2 ? 0 : 4) & 0xF];
            int run = 1;
            while (i + run < end &&
                   hex[bits[(i + run) / 2] >> ((i + run) % 2 ? 0 : 4) & 0xF] == digit)
                run++;
            zpl_run(row, &n, run, digit);
            i += run;
        }
        if (end < digits)
            row[n++] = ',';
        put(w, row, n);
    }
    free(row);
}

/* TSPL's BITMAP: rows of bytes as they are, but a 0 bit prints. */
static void tspl_bitmap(writer *w, const ocl_bitmap *b, int x, int y)
{
    putf(w, "BITMAP %d,%d,%d,%d,0,", x, y, b->stride, b->height);
    size_t len = (size_t)b->stride * (size_t)b->height;
    size_t at = w->out->len;
    put(w, b->bits, len);
    if (w->rc == OCL_OK)
        for (size_t i = 0; i < len; i++)
            w->out->data[at + i] = (unsigned char)~w->out->data[at + i];
    put(w, "\r\n", 2);
}

/* ---------- the label, once ---------- */

static double dots(const ocl_printer_job *pj, double pt)
{
    return pt * pj->dpi / 72.0;
}

/* A star of the OCOP mark as the PDF draws it (ocl_pdf_star). */
static void draw_star(const ocl_printer_job *pj, ocl_bitmap *to, double cx, double cy, double r)
{
    double xy[20];
    for (int i = 0; i < 10; i++) {
        double angle = M_PI / 2 + i * M_PI / 5, radius = i % 2 ? r * 0.382 : r;
        xy[2 * i] = dots(pj, cx + radius * cos(angle));
        xy[2 * i + 1] = dots(pj, pj->plan->height - (cy + radius * sin(angle)));
    }
    ocl_bitmap_polygon(to, xy, 10);
}

/* The PIN's box: its outline, centred on the box's edges as a stroke is. */
static void draw_pin_box(const ocl_printer_job *pj, ocl_bitmap *to)
{
    const ocl_label_plan *p = pj->plan;
    int t = (int)lround(dots(pj, PIN_BOX_PT));
    t = t < 1 ? 1 : t;
    int x0 = (int)lround(dots(pj, p->pin_x)) - t / 2;
    int y0 = (int)lround(dots(pj, p->height - p->pin_y - p->pin_h)) - t / 2;
    int x1 = (int)lround(dots(pj, p->pin_x + p->pin_w)) - t / 2;
    int y1 = (int)lround(dots(pj, p->height - p->pin_y)) - t / 2;
    ocl_bitmap_fill(to, x0, y0, x1 - x0 + t, t);
    ocl_bitmap_fill(to, x0, y1, x1 - x0 + t, t);
    ocl_bitmap_fill(to, x0, y0, t, y1 - y0 + t);
    ocl_bitmap_fill(to, x1, y0, t, y1 - y0 + t);
}

/* A draft's "BẢN NHÁP" across the label: the PDF's 85 % grey as one dot
 * in six, and never in the code's box, whose quiet zone must stay white. */
static ocl_result draw_watermark(ocl_printer_job *pj, ocl_bitmap *to)
{
    const ocl_label_plan *p = pj->plan;
    ocl_bitmap solid;
    ocl_result rc = ocl_bitmap_init(&solid, pj->width, pj->height);
    if (rc == OCL_OK)
        rc = ocl_raster_text_turned(pj->raster, &solid, "BẢN NHÁP", p->watermark_size,
                                    dots(pj, p->watermark_x), dots(pj, p->height - p->watermark_y),
                                    45);
    int cx0 = (int)floor(dots(pj, p->code_x)), cx1 = (int)ceil(dots(pj, p->code_x + p->code_side));
    int cy0 = (int)floor(dots(pj, p->height - p->code_y - p->code_side));
    int cy1 = (int)ceil(dots(pj, p->height - p->code_y));
    for (int y = 0; rc == OCL_OK && y < solid.height; y += 2)
        for (int x = 0; x < solid.width; x += 3)
            if (ocl_bitmap_get(&solid, x, y) && !(x >= cx0 && x < cx1 && y >= cy0 && y < cy1))
                ocl_bitmap_set(to, x, y);
    ocl_bitmap_free(&solid);
    return rc;
}

/* Everything that is the same on every label, in the label's dots. */
static ocl_result draw_still(ocl_printer_job *pj, ocl_bitmap *to)
{
    const ocl_label_plan *p = pj->plan;
    ocl_result rc = ocl_bitmap_init(to, pj->width, pj->height);
    if (rc == OCL_OK && p->watermark_size > 0)
        rc = draw_watermark(pj, to);
    for (int i = 0; i < p->lines && rc == OCL_OK; i++) {
        const ocl_plan_line *l = &p->line[i];
        char text[OCL_PLAN_LINE_MAX];
        if (i == p->pin_line)
            continue;
        /* The serial's line up to the serial. */
        snprintf(text, sizeof(text), "%.*s",
                 i == p->serial_line ? (int)p->serial_at : (int)sizeof(text), l->text);
        rc = ocl_raster_text(pj->raster, to, text, l->size, dots(pj, l->x),
                             dots(pj, p->height - l->y), l->bold);
    }
    if (rc == OCL_OK && p->mark_size > 0) {
        rc = ocl_raster_text(pj->raster, to, "OCOP", p->mark_size, dots(pj, p->mark_x),
                             dots(pj, p->height - p->mark_y), 0);
        for (int i = 0; i < pj->job->ocop_stars; i++)
            draw_star(pj, to, p->star_x + i * p->star_step, p->star_y, p->star_r);
    }
    if (rc == OCL_OK && p->pin_line >= 0)
        draw_pin_box(pj, to);
    return rc;
}

/* The texts that differ per label: where they start and what they may ink. */
static void find_live(ocl_printer_job *pj)
{
    const ocl_label_plan *p = pj->plan;
    int lines[LIVE_MAX] = {p->serial_line, p->pin_line};
    for (int i = 0; i < LIVE_MAX; i++) {
        if (lines[i] < 0)
            continue;
        const ocl_plan_line *l = &p->line[lines[i]];
        live_text *t = &pj->live[pj->lives++];
        char before[OCL_PLAN_LINE_MAX];
        snprintf(before, sizeof(before), "%.*s", i == 0 ? (int)p->serial_at : 0, l->text);
        t->line = lines[i];
        t->size = l->size;
        t->pen = dots(pj, l->x) + ocl_raster_width(pj->raster, before, l->size);
        t->baseline = dots(pj, p->height - l->y);
        int above, below, pad = (int)ceil(dots(pj, l->size) * 0.1) + 1;
        ocl_raster_extent(pj->raster, l->size, &above, &below);
        /* To the label's edge: a serial longer than the sample still prints. */
        t->x = (int)floor(t->pen) - pad;
        t->w = pj->width - t->x;
        t->y = (int)lround(t->baseline) - above - 1;
        t->h = above + below + 2;
    }
}

static ocl_result zpl_prepare(ocl_printer_job *pj, const ocl_bitmap *still)
{
    int box[4];
    ocl_bitmap ink = {0};
    writer once = {&pj->once, OCL_OK}, each = {&pj->still, OCL_OK};
    int inked = ocl_bitmap_ink(still, 0, 0, still->width, still->height, box);
    if (inked)
        once.rc = ocl_bitmap_crop(still, box[0], box[1], box[2], box[3], &ink);
    if (inked) {
        putf(&once, "~DG%s,%d,%d,", ZPL_GRAPHIC, ink.stride * ink.height, ink.stride);
        zpl_rows(&once, &ink);
        puts_(&once, "\n");
    }
    putf(&each, "^XA\n^PW%d^LL%d^LH0,0\n", pj->width, pj->height);
    if (inked)
        putf(&each, "^FO%d,%d^XG%s,1,1^FS\n", box[0], box[1], ZPL_GRAPHIC);
    ocl_bitmap_free(&ink);
    if (once.rc != OCL_OK)
        return once.rc;
    if (each.rc != OCL_OK)
        return each.rc;
    int w = 1, h = 1;
    for (int i = 0; i < pj->lives; i++) {
        w = pj->live[i].w > w ? pj->live[i].w : w;
        h = pj->live[i].h > h ? pj->live[i].h : h;
    }
    return ocl_bitmap_init(&pj->scratch, w, h);
}

/* TSPL: the label's rows in bands, each a run of rows holding dots; a band
 * that holds a live text is drawn per label, the others once. Bands share
 * no row, so each BITMAP may overwrite its whole box. */
static ocl_result tspl_prepare(ocl_printer_job *pj, const ocl_sheet *sheet, const ocl_bitmap *still)
{
    writer once = {&pj->once, OCL_OK}, each = {&pj->still, OCL_OK};
    double gap = sheet->pitch_y - sheet->label_height;
    putf(&once, "SIZE %g mm,%g mm\r\nGAP %g mm,0 mm\r\nDIRECTION 1,0\r\nREFERENCE 0,0\r\n",
         sheet->label_width, sheet->label_height, gap > 0 ? gap : 0);
    putf(&once, "DENSITY %d\r\n", TSPL_DENSITY);
    puts_(&each, "CLS\r\n");
    unsigned char *marked = calloc((size_t)pj->height, 1);
    if (!marked)
        return OCL_ENOMEM;
    for (int y = 0; y < pj->height; y++)
        marked[y] = (unsigned char)ocl_bitmap_row_inked(still, y, 0, pj->width);
    for (int i = 0; i < pj->lives; i++)
        for (int y = pj->live[i].y; y < pj->live[i].y + pj->live[i].h; y++)
            if (y >= 0 && y < pj->height)
                marked[y] = 1;
    ocl_result rc = OCL_OK;
    for (int y = 0; y < pj->height && rc == OCL_OK && each.rc == OCL_OK;) {
        int y0 = y, box[4], live = 0;
        while (y < pj->height && marked[y])
            y++;
        if (y == y0) {
            y++;
            continue;
        }
        int x0 = pj->width, x1 = 0;
        if (ocl_bitmap_ink(still, 0, y0, pj->width, y - y0, box))
            x0 = box[0], x1 = box[0] + box[2];
        for (int i = 0; i < pj->lives; i++) {
            const live_text *t = &pj->live[i];
            if (t->y < y && t->y + t->h > y0) {
                live = 1;
                x0 = t->x < x0 ? (t->x < 0 ? 0 : t->x) : x0;
                x1 = t->x + t->w > x1 ? (t->x + t->w > pj->width ? pj->width : t->x + t->w) : x1;
            }
        }
        ocl_bitmap part;
        if (x1 <= x0 || (rc = ocl_bitmap_crop(still, x0, y0, x1 - x0, y - y0, &part)) != OCL_OK)
            continue;
        if (!live) {
            tspl_bitmap(&each, &part, x0, y0);
            ocl_bitmap_free(&part);
            continue;
        }
        if (pj->bands == LIVE_MAX) { /* each live text lies in one band */
            ocl_bitmap_free(&part);
            rc = OCL_ERANGE;
            continue;
        }
        live_band *b = &pj->band[pj->bands++];
        b->x = x0, b->y = y0, b->still = part;
        rc = ocl_bitmap_init(&b->scratch, part.width, part.height);
    }
    free(marked);
    return rc != OCL_OK ? rc : once.rc != OCL_OK ? once.rc : each.rc;
}

/* ---------- the job ---------- */

static int fits_roll(const ocl_sheet *sheet, const ocl_label_options *options,
                     ocl_printer_language language, int dpi, ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    if (language != OCL_PRINTER_ZPL && language != OCL_PRINTER_TSPL)
        ocl_problem_add(problems, "format", "must be zpl or tspl");
    if (options->symbol != OCL_SYMBOL_QR)
        ocl_problem_add(problems, "symbol", "thermal labels carry a QR code");
    if (dpi != 203 && dpi != 300)
        ocl_problem_add(problems, "dpi", "must be 203 or 300 (the printer's dots per inch), not %d",
                        dpi);
    if (strcasecmp(sheet->paper, "roll") != 0)
        ocl_problem_add(problems, "sheet",
                        "'%s' is %s paper: a thermal printer prints roll sheets (paper = roll)",
                        sheet->name, sheet->paper);
    else if (sheet->columns != 1 || sheet->rows != 1)
        ocl_problem_add(problems, "sheet",
                        "'%s' has %d x %d labels a page: a thermal printer prints one label a "
                        "page (columns = 1, rows = 1)",
                        sheet->name, sheet->columns, sheet->rows);
    return problems->count + problems->dropped == before;
}

/* The side of the code's box, quiet zone included, in dots: room for the
 * version an encoder that mixes modes (as the printers' automatic mode
 * and the PDF's encoder do) gives a URI of the job's length. */
static int code_side(ocl_printer_job *pj, ocl_problems *problems)
{
    char uri[OCL_URI_MAX + 1];
    ocl_qr qr = {0};
    ocl_result rc = ocl_label_uri(pj->job, pj->options->base_url, SAMPLE_SERIAL, uri, sizeof(uri));
    if (rc == OCL_OK)
        rc = ocl_qr_encode((const unsigned char *)uri, strlen(uri), OCL_EC_M, &qr);
    if (rc != OCL_OK) {
        ocl_problem_add(problems, "code", "cannot make the codes' URI: %s", ocl_strerror(rc));
        return 0;
    }
    pj->modules = qr.size;
    int side = qr.size * pj->module;
    pj->uri_max = strlen(uri);
    ocl_qr_free(&qr);
    return side;
}

/* Places the symbol in the planned box, as large as the box allows. The
 * longest URI it holds is the sample's (a serial of another length may
 * need another version), or longer if even byte mode fits the box. */
static void place_code(ocl_printer_job *pj)
{
    const ocl_label_plan *p = pj->plan;
    int side = (int)lround(dots(pj, p->code_side));
    int fill = side / pj->modules;
    pj->module = fill > MODULE_MAX ? MODULE_MAX : fill > pj->module ? fill : pj->module;
    pj->code_x = (int)lround(dots(pj, p->code_x)) + OCL_QR_QUIET_ZONE * pj->module;
    pj->code_y = (int)lround(dots(pj, p->height - p->code_y - p->code_side)) +
                 OCL_QR_QUIET_ZONE * pj->module;
    int version = (side / pj->module - 2 * OCL_QR_QUIET_ZONE - 17) / 4;
    version = version > VERSIONS ? VERSIONS : version < 0 ? 0 : version;
    if ((size_t)byte_capacity_m[version] > pj->uri_max)
        pj->uri_max = (size_t)byte_capacity_m[version];
}

static ocl_result prepare(ocl_printer_job *pj, const ocl_sheet *sheet, ocl_problems *problems)
{
    pj->plan = malloc(sizeof(*pj->plan));
    if (!pj->plan)
        return OCL_ENOMEM;
    int side = code_side(pj, problems);
    if (!side)
        return OCL_EINVAL;
    ocl_result rc =
        ocl_label_plan_make(pj->job, sheet, pj->options, side * 72.0 / pj->dpi, pj->plan, problems);
    if (rc == OCL_OK)
        rc = ocl_raster_open(pj->options->font_path, pj->dpi, &pj->raster);
    if (rc != OCL_OK)
        return rc;
    place_code(pj);
    find_live(pj);
    ocl_bitmap still;
    rc = draw_still(pj, &still);
    if (rc == OCL_OK)
        rc = pj->language == OCL_PRINTER_ZPL ? zpl_prepare(pj, &still)
                                             : tspl_prepare(pj, sheet, &still);
    ocl_bitmap_free(&still);
    return rc;
}

ocl_result ocl_printer_job_open(const ocl_label_job *job, const ocl_sheet *sheet,
                                const ocl_label_options *options, ocl_printer_language language,
                                int dpi, ocl_printer_job **printer_job, ocl_problems *problems)
{
    *printer_job = NULL;
    if (!fits_roll(sheet, options, language, dpi, problems))
        return OCL_EINVAL;
    ocl_printer_job *pj = calloc(1, sizeof(*pj));
    if (!pj)
        return OCL_ENOMEM;
    pj->job = job;
    pj->options = options;
    pj->language = language;
    pj->dpi = dpi;
    pj->width = (int)lround(sheet->label_width * dpi / 25.4);
    pj->height = (int)lround(sheet->label_height * dpi / 25.4);
    pj->module = (int)ceil(MODULE_MIN_MM * dpi / 25.4);
    ocl_result rc = prepare(pj, sheet, problems);
    if (rc != OCL_OK) {
        ocl_printer_job_close(pj);
        return rc;
    }
    *printer_job = pj;
    return OCL_OK;
}

void ocl_printer_job_close(ocl_printer_job *pj)
{
    if (!pj)
        return;
    for (int i = 0; i < pj->bands; i++) {
        ocl_bitmap_free(&pj->band[i].still);
        ocl_bitmap_free(&pj->band[i].scratch);
    }
    ocl_bitmap_free(&pj->scratch);
    ocl_buffer_free(&pj->once);
    ocl_buffer_free(&pj->still);
    ocl_raster_close(pj->raster);
    free(pj->plan);
    free(pj);
}

void ocl_printer_job_fit(const ocl_printer_job *pj, int *short_form, int *mark)
{
    *short_form = pj->plan->short_form;
    *mark = pj->plan->mark_size > 0;
}

/* ---------- each label ---------- */

/* ZPL: a live text as the least box of dots it inks. */
static void zpl_live(ocl_printer_job *pj, writer *w, const live_text *t, const char *text)
{
    int box[4];
    ocl_bitmap ink;
    /* Only as far as the text reaches, with the pad it has on its left. */
    double pad = t->pen - t->x;
    int reach = (int)ceil(2 * pad + ocl_raster_width(pj->raster, text, t->size));
    reach = reach < t->w ? reach : t->w;
    memset(pj->scratch.bits, 0, (size_t)pj->scratch.stride * (size_t)pj->scratch.height);
    w->rc = ocl_raster_text(pj->raster, &pj->scratch, text, t->size, pad, t->baseline - t->y, 0);
    if (w->rc != OCL_OK || !ocl_bitmap_ink(&pj->scratch, 0, 0, reach, t->h, box))
        return;
    w->rc = ocl_bitmap_crop(&pj->scratch, box[0], box[1], box[2], box[3], &ink);
    putf(w, "^FO%d,%d^GFA,%d,%d,%d,", t->x + box[0], t->y + box[1], ink.stride * ink.height,
         ink.stride * ink.height, ink.stride);
    zpl_rows(w, &ink);
    puts_(w, "^FS\n");
    ocl_bitmap_free(&ink);
}

/* ZPL: the code. A '~' (which a base URL's path may hold) would start a
 * command: it goes as ^FH's escape. */
static void zpl_code(const ocl_printer_job *pj, writer *w, const char *uri)
{
    putf(w, "^BY2,3,%d^FO%d,%d^BQN,2,%d,M\n", ZPL_BAR_HEIGHT, pj->code_x,
         pj->code_y - ZPL_BAR_HEIGHT, pj->module);
    puts_(w, strchr(uri, '~') ? "^FH\\^FDMA," : "^FDMA,");
    for (const char *tilde; (tilde = strchr(uri, '~')) != NULL; uri = tilde + 1) {
        put(w, uri, (size_t)(tilde - uri));
        puts_(w, "\\7E");
    }
    puts_(w, uri);
    puts_(w, "^FS\n^XZ\n");
}

static void tspl_label(ocl_printer_job *pj, writer *w, const char *const texts[LIVE_MAX],
                       const char *uri)
{
    for (int b = 0; b < pj->bands && w->rc == OCL_OK; b++) {
        live_band *band = &pj->band[b];
        memcpy(band->scratch.bits, band->still.bits,
               (size_t)band->still.stride * (size_t)band->still.height);
        for (int i = 0; i < pj->lives && w->rc == OCL_OK; i++) {
            const live_text *t = &pj->live[i];
            if (t->y < band->y + band->scratch.height && t->y + t->h > band->y)
                w->rc = ocl_raster_text(pj->raster, &band->scratch, texts[i], t->size,
                                        t->pen - band->x, t->baseline - band->y, 0);
        }
        tspl_bitmap(w, &band->scratch, band->x, band->y);
    }
    putf(w, "QRCODE %d,%d,M,%d,A,0,\"", pj->code_x, pj->code_y, pj->module);
    puts_(w, uri);
    puts_(w, "\"\r\nPRINT 1\r\n");
}

ocl_result ocl_printer_job_write(ocl_printer_job *pj, const char *const *serials,
                                 const char *const *pins, size_t count, ocl_buffer *out)
{
    writer w = {out, OCL_OK};
    if (pj->lives > 1 && !pins && count)
        return OCL_EINVAL;
    if (!pj->started)
        put(&w, pj->once.data, pj->once.len);
    pj->started = w.rc == OCL_OK;
    char uri[OCL_URI_MAX + 1];
    for (size_t i = 0; i < count && w.rc == OCL_OK; i++) {
        w.rc = ocl_label_uri(pj->job, pj->options->base_url, serials[i], uri, sizeof(uri));
        /* A quote would end TSPL's string; no URI holds one (ocl_link_build). */
        if (w.rc == OCL_OK && (strlen(uri) > pj->uri_max || strchr(uri, '"')))
            w.rc = OCL_ERANGE;
        const char *texts[LIVE_MAX] = {serials[i], pins ? pins[i] : ""};
        put(&w, pj->still.data, pj->still.len);
        if (pj->language == OCL_PRINTER_TSPL) {
            tspl_label(pj, &w, texts, uri);
            continue;
        }
        for (int k = 0; k < pj->lives && w.rc == OCL_OK; k++)
            zpl_live(pj, &w, &pj->live[k], texts[k]);
        zpl_code(pj, &w, uri);
    }
    return w.rc;
}

ocl_result ocl_labels_printer(const ocl_label_job *job, const ocl_sheet *sheet,
                              const ocl_label_options *options, ocl_printer_language language,
                              int dpi, const char *const *serials, size_t count, ocl_buffer *out,
                              ocl_problems *problems)
{
    ocl_printer_job *pj;
    ocl_result rc = ocl_printer_job_open(job, sheet, options, language, dpi, &pj, problems);
    if (rc != OCL_OK)
        return rc;
    rc = ocl_printer_job_write(pj, serials, options->pins, count, out);
    ocl_printer_job_close(pj);
    return rc;
}
