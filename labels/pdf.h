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

#endif
