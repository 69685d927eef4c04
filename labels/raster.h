/*
 * Private: 1-bit bitmaps and text drawn into them with FreeType from the
 * TrueType font the PDF embeds, for printers that take graphics rather
 * than fonts (labels/thermal.c). Not installed.
 */
#ifndef OCL_RASTER_H
#define OCL_RASTER_H

#include "internal.h"

/* Rows of (width + 7) / 8 bytes, the leftmost dot in the top bit; a set
 * bit is a printed (black) dot. */
typedef struct {
    int width, height, stride;
    unsigned char *bits;
} ocl_bitmap;

ocl_result ocl_bitmap_init(ocl_bitmap *bitmap, int width, int height);
void ocl_bitmap_free(ocl_bitmap *bitmap);
int ocl_bitmap_get(const ocl_bitmap *bitmap, int x, int y);
void ocl_bitmap_set(ocl_bitmap *bitmap, int x, int y);
/* A filled rectangle, clipped to the bitmap. */
void ocl_bitmap_fill(ocl_bitmap *bitmap, int x, int y, int width, int height);
/* A filled polygon of `points` (x, y) pairs in dots: the dots whose
 * centres lie inside (even-odd rule). */
void ocl_bitmap_polygon(ocl_bitmap *bitmap, const double *xy, int points);
/* Whether row y holds a printed dot between columns x0 and x1 (exclusive). */
int ocl_bitmap_row_inked(const ocl_bitmap *bitmap, int y, int x0, int x1);
/* The smallest box holding every printed dot of the area (x, y, w, h);
 * 0 when the area is blank. */
int ocl_bitmap_ink(const ocl_bitmap *bitmap, int x, int y, int w, int h, int box[4]);
/* Copies the area (x, y, w, h) of `from` into a new bitmap. */
ocl_result ocl_bitmap_crop(const ocl_bitmap *from, int x, int y, int w, int h, ocl_bitmap *to);

typedef struct ocl_raster ocl_raster;

/* The font at a printer's resolution, with a cache of drawn glyphs. */
ocl_result ocl_raster_open(const char *font_path, int dpi, ocl_raster **raster);
void ocl_raster_close(ocl_raster *raster);

/* Width of UTF-8 text at `size` pt, in dots, measured as the PDF measures
 * it: the font's advance widths in whole thousandths of the size, no
 * kerning. */
double ocl_raster_width(ocl_raster *raster, const char *text, double size);
/* The font's ascent and descent at `size` pt, in dots above and below the
 * baseline: room enough for the letters of serials and PINs. */
void ocl_raster_extent(const ocl_raster *raster, double size, int *above, int *below);

/* Draws UTF-8 text at `size` pt, the left end of its baseline at (x,
 * baseline) in dots from the bitmap's top-left corner, clipped to the
 * bitmap. Glyphs advance as ocl_raster_width measures; a base letter
 * followed by a combining mark is drawn as the font's precomposed letter.
 * `bold` thickens the outlines by 3 % of the size, as the PDF strokes the
 * product's name. */
ocl_result ocl_raster_text(ocl_raster *raster, ocl_bitmap *into, const char *text, double size,
                           double x, double baseline, int bold);

/* Draws UTF-8 text as ocl_raster_text does, turned `degrees`
 * anticlockwise about the left end of its baseline, unhinted and without
 * the cache. */
ocl_result ocl_raster_text_turned(ocl_raster *raster, ocl_bitmap *into, const char *text,
                                  double size, double x, double baseline, double degrees);

#endif
