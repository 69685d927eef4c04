/*
 * Product photos: decoding a JPEG (libjpeg) or PNG (libpng) from memory,
 * one row at a time into a box-filter scaler, so that memory is bounded by
 * a source row and the scaled photo, never the source's pixels (except an
 * interlaced PNG's, held to PHOTO_INTERLACED_PIXELS_MAX); then the JPEG the
 * phones get.
 */
#include "photo.h"

#include <stdio.h> /* before jpeglib.h, which needs FILE */

#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Progressive JPEGs may have any number of scans, each a pass over the
 * whole image: a few kilobytes can cost minutes. Real ones have about 10. */
#define JPEG_SCANS_MAX 100

/* ---------- the scaler ---------- */

/* Each source pixel falls in exactly one box (one pixel of the photo), and
 * each pixel of the photo is the mean of its box: an area average, which
 * keeps fine detail from aliasing as nearest or bilinear sampling would at
 * 4x to 10x. Rows come in order; a finished row of boxes is written out. */
typedef struct {
    unsigned in_w, in_h, out_w, out_h;
    unsigned *column;      /* the box column of each source x */
    unsigned *column_size; /* source pixels across each box column */
    uint32_t *sum;         /* per channel, of the row of boxes being filled */
    unsigned rows;         /* source rows in that row of boxes */
    unsigned out_row;      /* which it is */
    unsigned in_row;       /* source rows taken */
    unsigned char *out;    /* out_w * out_h RGB */
} scaler;

static void scaled_size(unsigned w, unsigned h, unsigned *out_w, unsigned *out_h)
{
    unsigned longest = w > h ? w : h;
    *out_w = w, *out_h = h;
    if (longest <= PHOTO_LONGEST_SIDE)
        return;
    *out_w = (unsigned)(((uint64_t)w * PHOTO_LONGEST_SIDE + longest / 2) / longest);
    *out_h = (unsigned)(((uint64_t)h * PHOTO_LONGEST_SIDE + longest / 2) / longest);
    *out_w += !*out_w;
    *out_h += !*out_h;
}

static int scaler_init(scaler *s, unsigned w, unsigned h)
{
    memset(s, 0, sizeof(*s));
    s->in_w = w, s->in_h = h;
    scaled_size(w, h, &s->out_w, &s->out_h);
    s->column = calloc(w, sizeof(*s->column));
    s->column_size = calloc(s->out_w, sizeof(*s->column_size));
    s->sum = calloc((size_t)s->out_w * 3, sizeof(*s->sum));
    s->out = malloc((size_t)s->out_w * s->out_h * 3);
    if (!s->column || !s->column_size || !s->sum || !s->out)
        return -1;
    for (unsigned x = 0; x < w; x++) {
        s->column[x] = (unsigned)((uint64_t)x * s->out_w / w);
        s->column_size[s->column[x]]++;
    }
    return 0;
}

static void scaler_free(scaler *s)
{
    free(s->column);
    free(s->column_size);
    free(s->sum);
    free(s->out);
    memset(s, 0, sizeof(*s));
}

static void scaler_flush(scaler *s)
{
    unsigned char *row = s->out + (size_t)s->out_row * s->out_w * 3;
    for (unsigned x = 0; x < s->out_w; x++) {
        uint32_t n = s->column_size[x] * s->rows;
        for (unsigned c = 0; c < 3; c++)
            row[x * 3 + c] = (unsigned char)((s->sum[x * 3 + c] + n / 2) / n);
    }
    memset(s->sum, 0, (size_t)s->out_w * 3 * sizeof(*s->sum));
    s->rows = 0;
}

/* Takes the next source row, RGB. */
static void scaler_row(scaler *s, const unsigned char *rgb)
{
    unsigned box_row = (unsigned)((uint64_t)s->in_row * s->out_h / s->in_h);
    if (box_row != s->out_row && s->rows) {
        scaler_flush(s);
        s->out_row = box_row;
    }
    for (unsigned x = 0; x < s->in_w; x++) {
        uint32_t *sum = s->sum + (size_t)s->column[x] * 3;
        sum[0] += rgb[x * 3], sum[1] += rgb[x * 3 + 1], sum[2] += rgb[x * 3 + 2];
    }
    s->rows++;
    if (++s->in_row == s->in_h)
        scaler_flush(s);
}

/* The declared size against the limits, before any pixel is decoded. */
static photo_status size_allowed(unsigned w, unsigned h, unsigned long pixels_max, const char *what,
                                 char message[PHOTO_MESSAGE_MAX])
{
    if (w && h && w <= PHOTO_SIDE_MAX && h <= PHOTO_SIDE_MAX && (uint64_t)w * h <= pixels_max)
        return PHOTO_OK;
    snprintf(message, PHOTO_MESSAGE_MAX,
             "the image declares %ux%u pixels: %s at most %u on a side and %lu megapixels", w, h,
             what, PHOTO_SIDE_MAX, pixels_max / 1000000ul);
    return PHOTO_TOO_MANY_PIXELS;
}

/* ---------- JPEG ---------- */

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_trap;

static void jpeg_failed(j_common_ptr cinfo)
{
    jpeg_trap *trap = (jpeg_trap *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, trap->message);
    longjmp(trap->jump, 1);
}

/* Counts libjpeg's warnings (corrupt or missing data, which it would fill
 * with grey) without printing them. */
static void jpeg_quiet(j_common_ptr cinfo, int level)
{
    if (level < 0)
        cinfo->err->num_warnings++;
}

static void jpeg_scans_bounded(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->is_decompressor && d->input_scan_number > JPEG_SCANS_MAX) {
        jpeg_trap *trap = (jpeg_trap *)cinfo->err;
        snprintf(trap->message, sizeof(trap->message), "more than %d progressive scans",
                 JPEG_SCANS_MAX);
        longjmp(trap->jump, 1);
    }
}

/* The largest of libjpeg's own reductions (1/2, 1/4, 1/8, in the DCT and
 * so almost free) that still leaves the box filter its longest side. */
static unsigned jpeg_reduction(unsigned w, unsigned h)
{
    unsigned longest = w > h ? w : h, denom = 1;
    while (denom < 8 && longest / (denom * 2) >= PHOTO_LONGEST_SIDE)
        denom *= 2;
    return denom;
}

typedef struct {
    struct jpeg_decompress_struct cinfo;
    jpeg_trap trap;
    struct jpeg_progress_mgr progress;
    scaler scale;
    unsigned width, height;
} jpeg_job;

/* Runs after setjmp: any libjpeg error returns to jpeg_decode(). */
static photo_status jpeg_rows(jpeg_job *job, const unsigned char *data, size_t len,
                              char message[PHOTO_MESSAGE_MAX])
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    jpeg_mem_src(cinfo, data, (unsigned long)len);
    jpeg_read_header(cinfo, TRUE);
    job->width = cinfo->image_width, job->height = cinfo->image_height;
    photo_status allowed =
        size_allowed(job->width, job->height, PHOTO_PIXELS_MAX, "a photo has", message);
    if (allowed != PHOTO_OK)
        return allowed;
    if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK) {
        snprintf(message, PHOTO_MESSAGE_MAX, "a CMYK JPEG is for print: save the photo as RGB");
        return PHOTO_NOT_IMAGE;
    }
    cinfo->out_color_space = JCS_RGB;
    cinfo->scale_num = 1;
    cinfo->scale_denom = jpeg_reduction(job->width, job->height);
    cinfo->dct_method = JDCT_ISLOW;
    jpeg_start_decompress(cinfo);
    if (scaler_init(&job->scale, cinfo->output_width, cinfo->output_height) != 0)
        return PHOTO_NO_MEMORY;
    JSAMPARRAY row =
        (*cinfo->mem->alloc_sarray)((j_common_ptr)cinfo, JPOOL_IMAGE, cinfo->output_width * 3, 1);
    while (cinfo->output_scanline < cinfo->output_height) {
        jpeg_read_scanlines(cinfo, row, 1);
        scaler_row(&job->scale, row[0]);
    }
    jpeg_finish_decompress(cinfo);
    if (job->trap.manager.num_warnings) {
        snprintf(message, PHOTO_MESSAGE_MAX, "the JPEG is damaged or cut short");
        return PHOTO_NOT_IMAGE;
    }
    return PHOTO_OK;
}

static photo_status jpeg_decode(jpeg_job *job, const unsigned char *data, size_t len,
                                char message[PHOTO_MESSAGE_MAX])
{
    job->cinfo.err = jpeg_std_error(&job->trap.manager);
    job->trap.manager.error_exit = jpeg_failed;
    job->trap.manager.emit_message = jpeg_quiet;
    if (setjmp(job->trap.jump)) {
        jpeg_destroy_decompress(&job->cinfo);
        /* libjpeg asks for a temporary file past max_memory_to_use. */
        if (strstr(job->trap.message, "Backing store")) {
            snprintf(message, PHOTO_MESSAGE_MAX,
                     "the JPEG needs more than %u MB to decode: save it as a baseline "
                     "(not progressive) JPEG",
                     PHOTO_DECODER_MEMORY_MAX >> 20);
            return PHOTO_TOO_MANY_PIXELS;
        }
        snprintf(message, PHOTO_MESSAGE_MAX, "the body is not a JPEG image: %.150s",
                 job->trap.message);
        return PHOTO_NOT_IMAGE;
    }
    jpeg_create_decompress(&job->cinfo);
    job->cinfo.mem->max_memory_to_use = PHOTO_DECODER_MEMORY_MAX;
    job->progress.progress_monitor = jpeg_scans_bounded;
    job->cinfo.progress = &job->progress;
    photo_status rc = jpeg_rows(job, data, len, message);
    jpeg_destroy_decompress(&job->cinfo);
    return rc;
}

/* The photo as a baseline JPEG, Huffman tables optimised. */
static int jpeg_encode(const scaler *s, unsigned char **out, size_t *out_len)
{
    struct jpeg_compress_struct cinfo;
    jpeg_trap trap;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    cinfo.err = jpeg_std_error(&trap.manager);
    trap.manager.error_exit = jpeg_failed;
    trap.manager.emit_message = jpeg_quiet;
    if (setjmp(trap.jump)) {
        jpeg_destroy_compress(&cinfo);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &size);
    cinfo.image_width = s->out_w;
    cinfo.image_height = s->out_h;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, PHOTO_QUALITY, TRUE);
    cinfo.optimize_coding = TRUE;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = s->out + (size_t)cinfo.next_scanline * s->out_w * 3;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_len = size;
    return 0;
}

/* ---------- PNG ---------- */

typedef struct {
    const unsigned char *data;
    size_t len, at;
    char message[PHOTO_MESSAGE_MAX];
    png_structp png;
    png_infop info;
    unsigned char *pixels; /* a row, or an interlaced image whole */
    unsigned char *rgb;    /* a row, alpha set on white */
    scaler scale;
    unsigned width, height;
} png_job;

static void png_read_memory(png_structp png, png_bytep out, png_size_t count)
{
    png_job *job = png_get_io_ptr(png);
    if (count > job->len - job->at)
        png_error(png, "the data ends early");
    memcpy(out, job->data + job->at, count);
    job->at += count;
}

static void png_failed(png_structp png, png_const_charp text)
{
    png_job *job = png_get_error_ptr(png);
    snprintf(job->message, sizeof(job->message), "%s", text);
    png_longjmp(png, 1);
}

static void png_quiet(png_structp png, png_const_charp text)
{
    (void)png, (void)text;
}

/* RGBA over white: a transparent background shows as the page's card. */
static void png_on_white(const unsigned char *rgba, unsigned char *rgb, unsigned w)
{
    for (unsigned x = 0; x < w; x++) {
        unsigned a = rgba[x * 4 + 3];
        for (unsigned c = 0; c < 3; c++)
            rgb[x * 3 + c] = (unsigned char)((rgba[x * 4 + c] * a + 255u * (255u - a) + 127) / 255);
    }
}

/* Every PNG as 8-bit RGBA. */
static void png_as_rgba(png_job *job)
{
    png_structp png = job->png;
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    if (!(png_get_color_type(png, job->info) & PNG_COLOR_MASK_ALPHA) &&
        !png_get_valid(png, job->info, PNG_INFO_tRNS))
        png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
}

/* Runs after setjmp: any libpng error returns to png_decode(). */
static photo_status png_rows(png_job *job)
{
    png_structp png = job->png;
    png_set_read_fn(png, job, png_read_memory);
    png_set_chunk_malloc_max(png, 4u << 20);
    png_set_chunk_cache_max(png, 64);
    png_read_info(png, job->info);
    job->width = png_get_image_width(png, job->info);
    job->height = png_get_image_height(png, job->info);
    photo_status allowed =
        size_allowed(job->width, job->height, PHOTO_PIXELS_MAX, "a photo has", job->message);
    if (allowed != PHOTO_OK)
        return allowed;
    int interlaced = png_get_interlace_type(png, job->info) != PNG_INTERLACE_NONE;
    if (interlaced && (allowed = size_allowed(job->width, job->height, PHOTO_INTERLACED_PIXELS_MAX,
                                              "an interlaced PNG has", job->message)) != PHOTO_OK)
        return allowed;
    png_as_rgba(job);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, job->info);
    size_t row_bytes = (size_t)job->width * 4;
    if (png_get_rowbytes(png, job->info) != row_bytes)
        png_error(png, "unexpected row size");
    job->pixels = malloc(row_bytes * (interlaced ? job->height : 1));
    job->rgb = malloc((size_t)job->width * 3);
    if (!job->pixels || !job->rgb || scaler_init(&job->scale, job->width, job->height) != 0)
        return PHOTO_NO_MEMORY;
    if (interlaced)
        for (int pass = 0; pass < passes; pass++)
            for (unsigned y = 0; y < job->height; y++)
                png_read_row(png, job->pixels + y * row_bytes, NULL);
    for (unsigned y = 0; y < job->height; y++) {
        unsigned char *row = job->pixels + (interlaced ? y * row_bytes : 0);
        if (!interlaced)
            png_read_row(png, row, NULL);
        png_on_white(row, job->rgb, job->width);
        scaler_row(&job->scale, job->rgb);
    }
    png_read_end(png, NULL);
    return PHOTO_OK;
}

static photo_status png_decode(png_job *job)
{
    job->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, png_failed, png_quiet);
    job->info = job->png ? png_create_info_struct(job->png) : NULL;
    if (!job->info) {
        png_destroy_read_struct(&job->png, NULL, NULL);
        return PHOTO_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(job->png))) {
        png_destroy_read_struct(&job->png, &job->info, NULL);
        char why[PHOTO_MESSAGE_MAX];
        snprintf(why, sizeof(why), "%s", job->message);
        snprintf(job->message, sizeof(job->message), "the body is not a PNG image: %.150s", why);
        return PHOTO_NOT_IMAGE;
    }
    photo_status rc = png_rows(job);
    png_destroy_read_struct(&job->png, &job->info, NULL);
    return rc;
}

/* ---------- the photo ---------- */

static photo_status photo_encode(const scaler *s, photo *out, char message[PHOTO_MESSAGE_MAX])
{
    if (jpeg_encode(s, &out->jpeg, &out->len) != 0) {
        snprintf(message, PHOTO_MESSAGE_MAX, "the photo cannot be encoded");
        return PHOTO_NO_MEMORY;
    }
    out->width = s->out_w, out->height = s->out_h;
    return PHOTO_OK;
}

photo_status photo_prepare(const unsigned char *data, size_t len, photo_kind kind, photo *out,
                           char message[PHOTO_MESSAGE_MAX])
{
    memset(out, 0, sizeof(*out));
    snprintf(message, PHOTO_MESSAGE_MAX, "out of memory");
    photo_status rc;
    if (kind == PHOTO_JPEG) {
        jpeg_job *job = calloc(1, sizeof(*job));
        if (!job)
            return PHOTO_NO_MEMORY;
        rc = jpeg_decode(job, data, len, message);
        if (rc == PHOTO_OK)
            rc = photo_encode(&job->scale, out, message);
        out->source_width = job->width, out->source_height = job->height;
        scaler_free(&job->scale);
        free(job);
    } else {
        png_job *job = calloc(1, sizeof(*job));
        if (!job)
            return PHOTO_NO_MEMORY;
        job->data = data, job->len = len;
        snprintf(job->message, sizeof(job->message), "out of memory");
        rc = png_decode(job);
        if (rc == PHOTO_OK)
            rc = photo_encode(&job->scale, out, job->message);
        snprintf(message, PHOTO_MESSAGE_MAX, "%s", job->message);
        out->source_width = job->width, out->source_height = job->height;
        scaler_free(&job->scale);
        free(job->pixels);
        free(job->rgb);
        free(job);
    }
    if (rc != PHOTO_OK)
        photo_free(out);
    return rc;
}

void photo_free(photo *p)
{
    free(p->jpeg);
    memset(p, 0, sizeof(*p));
}
