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

/* Builds the unmasked symbol of `version` at `level` from its data
 * codewords (padded, as many as the version holds): one byte per module,
 * bit 0x80 marking function modules (format areas included, left light),
 * bit 0x01 dark ones. out holds (17 + 4 version)^2 bytes. Returns the
 * width, or -1. */
int ocl_qr_build(const unsigned char *data, int version, ocl_ec_level level, unsigned char *out);

/* Given an unmasked symbol as ocl_qr_build makes it, picks the mask of
 * lowest penalty and writes the final symbol, format information included,
 * one byte per module (1 = dark), to out, its rows `stride` bytes apart.
 * Returns the mask, or -1. */
int ocl_qr_select_mask(const unsigned char *symbol, int width, ocl_ec_level level,
                       unsigned char *out, size_t stride);

/* A 1-bit PNG of packed rows ((width + 7) / 8 bytes each, bit set =
 * white), into memory. */
ocl_result ocl_png_bitmap_buffer(const unsigned char *bits, int width, int height, int dpi,
                                 ocl_buffer *out);

/* A logo checked as ocl_logo_check does, decoded to 8-bit RGB over white
 * (width * height * 3 bytes, to free). labels/logo.c. */
ocl_result ocl_logo_rgb(const unsigned char *png, size_t len, const char *field,
                        unsigned char **rgb, int *width, int *height, ocl_problems *problems);

/* A label laid out as ocl_labels_pdf lays it out, for printers sent
 * something else (labels/thermal.c). Lengths in pt from the label's
 * bottom-left corner; a line's y is its baseline. */
#define OCL_PLAN_LINES    96
#define OCL_PLAN_LINE_MAX 512

typedef struct {
    char text[OCL_PLAN_LINE_MAX];
    double size, x, y;
    int bold; /* the name: its outline stroked 3 % of its size wide */
} ocl_plan_line;

typedef struct {
    double width, height;
    double code_x, code_y, code_side; /* the code with its quiet zone */
    ocl_plan_line line[OCL_PLAN_LINES];
    int lines;
    int serial_line;                                 /* the line that ends with the serial, */
    size_t serial_at;                                /* which starts at this byte of its text */
    int pin_line;                                    /* the PIN's line (a sample PIN); -1: none */
    double pin_x, pin_y, pin_w, pin_h;               /* the PIN's box, stroked 0.6 pt wide */
    double mark_x, mark_y, mark_size;                /* "OCOP"; size 0: no mark */
    double star_x, star_y, star_r, star_step;        /* the first star's centre; to the next */
    double watermark_size, watermark_x, watermark_y; /* a draft's, at 45 degrees; size 0: none */
    int short_form;                                  /* only what Art. 10(3) keeps on small goods */
} ocl_label_plan;

/* The layout, its code's box at least `code_min` pt a side; refusals as
 * ocl_labels_pdf's. */
ocl_result ocl_label_plan_make(const ocl_label_job *job, const ocl_sheet *sheet,
                               const ocl_label_options *options, double code_min,
                               ocl_label_plan *plan, ocl_problems *problems);

#endif
