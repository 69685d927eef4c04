/*
 * PNG output with libpng: 1-bit greyscale, each module a square of
 * module_px pixels, the resolution in the pHYs chunk so that print software
 * sizes the code as intended. Filters are off: on a 1-bit image of squares
 * they cost time and win nothing.
 */
#include "internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define OCL_MODULE_PX_MAX 100

static ocl_result options_check(const ocl_qr *qr, const ocl_image_options *options)
{
    if (!qr || !qr->modules || qr->size <= 0 || !options)
        return OCL_EINVAL;
    if (options->module_px < 1 || options->module_px > OCL_MODULE_PX_MAX || options->dpi < 1)
        return OCL_EINVAL;
    return OCL_OK;
}

static void buffer_write(png_structp png, png_bytep data, png_size_t len)
{
    ocl_buffer *buffer = png_get_io_ptr(png);
    if (ocl_buffer_append(buffer, data, len) != OCL_OK)
        png_error(png, "out of memory");
}

static void buffer_flush(png_structp png)
{
    (void)png;
}

/* What to write: a size and a way to fill each row of 1-bit pixels
 * (bit set = white). */
typedef struct {
    png_uint_32 width, height;
    int dpi;
    void (*fill)(const void *source, png_uint_32 y, png_bytep row, size_t row_bytes);
    const void *source;
    int module_px; /* QR sources: pixels per module */
} image_source;

/* Pixel row y of a QR symbol: its module row, each module px wide. */
static void qr_row(const void *source, png_uint_32 y, png_bytep row, size_t row_bytes)
{
    const image_source *src = source;
    const ocl_qr *qr = src->source;
    int px = src->module_px;
    memset(row, 0xFF, row_bytes);
    const unsigned char *modules = qr->modules + (size_t)(y / (png_uint_32)px) * (size_t)qr->size;
    for (int x = 0; x < qr->size; x++) {
        if (!modules[x])
            continue;
        for (int k = 0; k < px; k++) {
            size_t bit = (size_t)x * (size_t)px + (size_t)k;
            row[bit >> 3] &= (png_byte) ~(0x80u >> (bit & 7));
        }
    }
}

typedef struct {
    const unsigned char *bits;
    size_t row_bytes;
} bitmap;

static void bitmap_row(const void *source, png_uint_32 y, png_bytep row, size_t row_bytes)
{
    const bitmap *bm = ((const image_source *)source)->source;
    memcpy(row, bm->bits + (size_t)y * bm->row_bytes, row_bytes);
}

/* Writes the image through a prepared png_struct; libpng reports errors by
 * longjmp, so everything that must be freed is allocated before setjmp. */
static ocl_result emit(png_structp png, png_infop info, const image_source *src, png_bytep row,
                       size_t row_bytes)
{
    if (setjmp(png_jmpbuf(png)))
        return OCL_EIO;
    png_set_IHDR(png, info, src->width, src->height, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_uint_32 ppm = (png_uint_32)(src->dpi / 0.0254 + 0.5);
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    /* A QR image is a few kilobytes of raw rows: zlib's default 32 KB window
     * and 256 KB of hash tables only cost time to allocate and clear. */
    png_set_compression_level(png, Z_BEST_SPEED);
    png_set_compression_mem_level(png, 2);
    png_set_compression_window_bits(png, 12);
    png_write_info(png, info);
    png_uint_32 previous = (png_uint_32)-1;
    for (png_uint_32 y = 0; y < src->height; y++) {
        /* QR rows repeat module_px times: fill a row only when it changes. */
        png_uint_32 key = src->module_px ? y / (png_uint_32)src->module_px : y;
        if (key != previous)
            src->fill(src, y, row, row_bytes);
        previous = key;
        png_write_row(png, row);
    }
    png_write_end(png, info);
    return OCL_OK;
}

static ocl_result write_png(const image_source *src, FILE *file, ocl_buffer *buffer)
{
    size_t row_bytes = ((size_t)src->width + 7) / 8;
    png_bytep row = malloc(row_bytes);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!row || !png || !info) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return OCL_ENOMEM;
    }
    if (file)
        png_init_io(png, file);
    else
        png_set_write_fn(png, buffer, buffer_write, buffer_flush);
    ocl_result rc = emit(png, info, src, row, row_bytes);
    png_destroy_write_struct(&png, &info);
    free(row);
    return rc;
}

static ocl_result write_qr(const ocl_qr *qr, const ocl_image_options *options, FILE *file,
                           ocl_buffer *buffer)
{
    ocl_result rc = options_check(qr, options);
    if (rc != OCL_OK)
        return rc;
    png_uint_32 side = (png_uint_32)qr->size * (png_uint_32)options->module_px;
    image_source src = {side, side, options->dpi, qr_row, qr, options->module_px};
    return write_png(&src, file, buffer);
}

ocl_result ocl_png_bitmap_buffer(const unsigned char *bits, int width, int height, int dpi,
                                 ocl_buffer *out)
{
    if (!bits || width < 1 || height < 1 || dpi < 1 || !out)
        return OCL_EINVAL;
    bitmap bm = {bits, ((size_t)width + 7) / 8};
    image_source src = {(png_uint_32)width, (png_uint_32)height, dpi, bitmap_row, &bm, 0};
    return write_png(&src, NULL, out);
}

ocl_result ocl_png_write(const ocl_qr *qr, const ocl_image_options *options, FILE *out)
{
    if (!out)
        return OCL_EINVAL;
    return write_qr(qr, options, out, NULL);
}

ocl_result ocl_png_write_buffer(const ocl_qr *qr, const ocl_image_options *options, ocl_buffer *out)
{
    if (!out)
        return OCL_EINVAL;
    return write_qr(qr, options, NULL, out);
}
