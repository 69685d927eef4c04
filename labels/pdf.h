/*
 * Private: the libharu document that label sheets and certificates share,
 * with its error handler, UTF-8 font and compression set up once.
 */
#ifndef OCL_PDF_H
#define OCL_PDF_H

#include "internal.h"

#include <hpdf.h>

#define OCL_PT_PER_MM (72.0 / 25.4)

typedef struct {
    HPDF_Doc doc;
    HPDF_Font font;
    HPDF_STATUS error; /* the first error libharu reported */
    HPDF_STATUS detail;
} ocl_pdf;

ocl_result ocl_pdf_open(ocl_pdf *pdf, const char *font_path);
/* The result of everything drawn so far: OCL_OK or OCL_ELIBRARY. */
ocl_result ocl_pdf_status(const ocl_pdf *pdf);
ocl_result ocl_pdf_save(ocl_pdf *pdf, ocl_buffer *out);
void ocl_pdf_close(ocl_pdf *pdf);

/* Width of UTF-8 text in the document's font, in thousandths of the size. */
double ocl_pdf_text_units(const ocl_pdf *pdf, const char *text, size_t len);

/* Line breaking: the end of the line that starts at `start` and is at most
 * `limit` wide (thousandths of the size), breaking at spaces, at '\n', or
 * inside a word too long for any line. *next is where the next line starts. */
const char *ocl_pdf_line_end(const ocl_pdf *pdf, const char *start, double limit,
                             const char **next);

/* A filled five-pointed star of outer radius r centred on (cx, cy). */
void ocl_pdf_star(HPDF_Page page, double cx, double cy, double r);

/* Draws a symbol with its quiet zone; (x, y) is the bottom-left corner of
 * the quiet zone's box, module_pt the width of a module, bar_pt the height
 * of a linear symbol's bars (ignored for 2-D), with its human-readable
 * text below when `text` is non-zero. The symbol's box in pt is written to
 * width/height (may be NULL). labels/barcode.c. */
void ocl_pdf_symbol(HPDF_Page page, const ocl_pdf *pdf, const ocl_symbol *symbol, double x,
                    double y, double module_pt, double bar_pt, int text, double *width,
                    double *height);
/* The box ocl_pdf_symbol would draw, without drawing, for laying out. */
void ocl_symbol_box(const ocl_symbol *symbol, double module_pt, double bar_pt, int text,
                    double *width, double *height);

/* ---------- the units' codes of a print run (labels/codes.c) ---------- */

/* Makes item `index`'s code; called from several threads at once. A code
 * other than QR is carried in an ocl_qr with quiet 0. */
typedef ocl_result (*ocl_code_encoder)(const void *context, size_t index, ocl_qr *code);
/* Draws items first to first + count - 1 with their codes. */
typedef ocl_result (*ocl_code_drawer)(void *context, size_t first, const ocl_qr *codes,
                                      size_t count);

/* Encodes the codes of `count` items on `threads` threads, a chunk ahead,
 * and hands each chunk in order to `draw` on the calling thread. */
ocl_result ocl_codes_run(size_t count, size_t chunk, int threads, ocl_code_encoder encode,
                         const void *encode_context, ocl_code_drawer draw, void *draw_context);

/* A page's codes (dark areas only) side by side in one 1-bit image. */
typedef struct {
    HPDF_Image image;  /* belongs to the document */
    int width, height; /* modules */
    int *offsets;      /* code i's first column */
} ocl_code_strip;

ocl_result ocl_code_strip_make(ocl_pdf *pdf, const ocl_qr *codes, size_t count,
                               ocl_code_strip *strip);
void ocl_code_strip_free(ocl_code_strip *strip);
/* Shows code i of the strip, its dark area's top-left corner at (x, top),
 * `unit` pt a module. */
void ocl_code_strip_draw(HPDF_Page page, const ocl_code_strip *strip, const ocl_qr *code, size_t i,
                         double x, double top, double unit);

#endif
