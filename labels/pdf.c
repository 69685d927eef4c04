/*
 * libharu document setup shared by every PDF: errors caught by a handler
 * that records them (libharu's default aborts), the TrueType font embedded
 * with UTF-8 encoding, every stream compressed, and the saved bytes handed
 * back in memory.
 */
#include "pdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *user_data)
{
    ocl_pdf *pdf = user_data;
    if (!pdf->error) {
        pdf->error = error;
        pdf->detail = detail;
    }
}

ocl_result ocl_pdf_open(ocl_pdf *pdf, const char *font_path)
{
    memset(pdf, 0, sizeof(*pdf));
    pdf->doc = HPDF_New(on_error, pdf);
    if (!pdf->doc)
        return OCL_ENOMEM;
    HPDF_SetCompressionMode(pdf->doc, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf->doc);
    HPDF_SetCurrentEncoder(pdf->doc, "UTF-8");
    const char *name = HPDF_LoadTTFontFromFile(pdf->doc, font_path, HPDF_TRUE);
    if (name)
        pdf->font = HPDF_GetFont(pdf->doc, name, "UTF-8");
    HPDF_SetInfoAttr(pdf->doc, HPDF_INFO_CREATOR, "ocoptrace " OCL_VERSION);
    if (!pdf->font || pdf->error) {
        ocl_pdf_close(pdf);
        return OCL_EIO;
    }
    return OCL_OK;
}

ocl_result ocl_pdf_status(const ocl_pdf *pdf)
{
    return pdf->error ? OCL_ELIBRARY : OCL_OK;
}

ocl_result ocl_pdf_save(ocl_pdf *pdf, ocl_buffer *out)
{
    if (pdf->error || HPDF_SaveToStream(pdf->doc) != HPDF_OK)
        return OCL_ELIBRARY;
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf->doc);
    out->len = 0;
    if (size > out->cap) {
        unsigned char *grown = realloc(out->data, size);
        if (!grown)
            return OCL_ENOMEM;
        out->data = grown;
        out->cap = size;
    }
    HPDF_UINT32 done = 0;
    while (done < size) {
        HPDF_UINT32 chunk = size - done;
        HPDF_STATUS st = HPDF_ReadFromStream(pdf->doc, out->data + done, &chunk);
        done += chunk;
        if (st != HPDF_OK || chunk == 0)
            break;
    }
    out->len = done;
    return done == size ? OCL_OK : OCL_ELIBRARY;
}

void ocl_pdf_close(ocl_pdf *pdf)
{
    if (pdf->doc)
        HPDF_Free(pdf->doc);
    pdf->doc = NULL;
}

double ocl_pdf_text_units(const ocl_pdf *pdf, const char *text, size_t len)
{
    if (!len)
        return 0;
    HPDF_TextWidth tw = HPDF_Font_TextWidth(pdf->font, (const HPDF_BYTE *)text, (HPDF_UINT)len);
    return tw.width;
}

static size_t utf8_char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

const char *ocl_pdf_line_end(const ocl_pdf *pdf, const char *start, double limit, const char **next)
{
    if (*start == '\n') { /* an empty line */
        *next = start + 1;
        return start;
    }
    const char *end = start; /* end of what fits so far */
    for (;;) {
        const char *word = end;
        while (*word == ' ')
            word++;
        const char *after = word;
        while (*after && *after != ' ' && *after != '\n')
            after++;
        if (word == after || ocl_pdf_text_units(pdf, start, (size_t)(after - start)) > limit)
            break;
        end = after;
        if (*end == '\n')
            break;
    }
    if (end == start) {
        /* One word wider than the line: as many characters as fit, one at least. */
        end = start + utf8_char_len(start);
        while (*end && *end != ' ' && *end != '\n') {
            const char *more = end + utf8_char_len(end);
            if (ocl_pdf_text_units(pdf, start, (size_t)(more - start)) > limit)
                break;
            end = more;
        }
    }
    const char *n = end;
    while (*n == ' ')
        n++;
    if (*n == '\n')
        n++;
    while (*n == ' ')
        n++;
    *next = n;
    return end;
}

void ocl_pdf_star(HPDF_Page page, double cx, double cy, double r)
{
    const double inner = r * 0.382;
    for (int i = 0; i < 10; i++) {
        double angle = M_PI / 2 + i * M_PI / 5;
        double radius = i % 2 ? inner : r;
        double x = cx + radius * cos(angle), y = cy + radius * sin(angle);
        if (i == 0)
            HPDF_Page_MoveTo(page, (HPDF_REAL)x, (HPDF_REAL)y);
        else
            HPDF_Page_LineTo(page, (HPDF_REAL)x, (HPDF_REAL)y);
    }
    HPDF_Page_ClosePath(page);
    HPDF_Page_Fill(page);
}
