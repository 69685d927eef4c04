/*
 * Private helpers shared by the files of labels/: a bounded string builder
 * and the quoting of user input inside error messages. Not installed.
 */
#ifndef OCL_INTERNAL_H
#define OCL_INTERNAL_H

#include "ocoplabels.h"

#include <stdarg.h>

/* Appends into a fixed buffer; once full it stays full and says so, so that
 * callers check once at the end instead of after every append. */
typedef struct {
    char *data;
    size_t size;
    size_t len;
    int overflow;
} ocl_strbuf;

void ocl_strbuf_init(ocl_strbuf *sb, char *data, size_t size);
void ocl_strbuf_add(ocl_strbuf *sb, const char *text, size_t len);
void ocl_strbuf_puts(ocl_strbuf *sb, const char *text);
void ocl_strbuf_printf(ocl_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies user input for an error message: printable ASCII kept, anything
 * else as \xHH, cut with "..." past a few dozen characters. */
const char *ocl_quote(const char *text, size_t len, char *out, size_t out_size);

#define OCL_QUOTE_MAX 64

/* Given a symbol from libqrencode masked with mask 0 (bit 0x80 marks
 * function modules, bit 0x01 dark ones), picks the mask of lowest penalty
 * and writes the final symbol, one byte per module (1 = dark), to out.
 * Returns the mask, or -1. */
int ocl_qr_select_mask(const unsigned char *symbol, int width, ocl_ec_level level,
                       unsigned char *out);

/* A 1-bit PNG of packed rows ((width + 7) / 8 bytes each, bit set =
 * white), into memory. */
ocl_result ocl_png_bitmap_buffer(const unsigned char *bits, int width, int height, int dpi,
                                 ocl_buffer *out);

#endif
