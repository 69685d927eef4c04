/*
 * The units' codes of a print run, shared by label sheets and stamps: the
 * codes encoded on worker threads a chunk ahead of the page being drawn
 * (libharu is single-threaded, the encoder is not), and the codes of one
 * page packed side by side into one 1-bit image that each unit shows its
 * own part of through a clip. One image object per page instead of one per
 * unit keeps a unit to a few hundred bytes.
 */
#include "pdf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---------- encoding on worker threads ---------- */

/* The codes of a range of items, encoded by `threads` threads. */
typedef struct {
    ocl_code_encoder encode;
    const void *context;
    size_t first; /* the range's first item */
    ocl_qr *codes;
    size_t count;
    int threads;
    size_t next;
    pthread_mutex_t lock;
    ocl_result result;
} encode_task;

static void *encode_worker(void *arg)
{
    encode_task *task = arg;
    for (;;) {
        pthread_mutex_lock(&task->lock);
        size_t i = task->result == OCL_OK ? task->next++ : task->count;
        pthread_mutex_unlock(&task->lock);
        if (i >= task->count)
            break;
        ocl_result rc = task->encode(task->context, task->first + i, &task->codes[i]);
        if (rc != OCL_OK) {
            pthread_mutex_lock(&task->lock);
            task->result = rc;
            pthread_mutex_unlock(&task->lock);
        }
    }
    return NULL;
}

#define THREADS_MAX 16

static void *encode_range(void *arg)
{
    encode_task *task = arg;
    pthread_t tid[THREADS_MAX];
    int started = 0, extra = task->threads - 1;
    task->next = 0;
    task->result = OCL_OK;
    pthread_mutex_init(&task->lock, NULL);
    for (; started < extra && started < THREADS_MAX; started++)
        if (pthread_create(&tid[started], NULL, encode_worker, task) != 0)
            break;
    encode_worker(task);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&task->lock);
    return NULL;
}

static void free_codes(ocl_qr *codes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        ocl_qr_free(&codes[i]);
}

/* Starts encoding the chunk at `start` on a helper thread (or marks it for
 * the calling thread); 1 when a helper runs it. */
static int encode_ahead(encode_task *ahead, size_t start, size_t count, size_t chunk, int threads,
                        pthread_t *helper)
{
    ahead->count = 0;
    if (start >= count)
        return 0;
    ahead->first = start;
    ahead->count = count - start < chunk ? count - start : chunk;
    ahead->threads = threads > 1 ? threads - 1 : 1;
    return threads > 1 && pthread_create(helper, NULL, encode_range, ahead) == 0;
}

ocl_result ocl_codes_run(size_t count, size_t chunk, int threads, ocl_code_encoder encode,
                         const void *encode_context, ocl_code_drawer draw, void *draw_context)
{
    threads = threads < 1 ? 1 : threads;
    chunk = chunk < 1 ? 1 : chunk;
    ocl_qr *buffers[2] = {calloc(chunk, sizeof(ocl_qr)), calloc(chunk, sizeof(ocl_qr))};
    encode_task tasks[2];
    ocl_result rc = buffers[0] && buffers[1] ? OCL_OK : OCL_ENOMEM;
    for (int b = 0; b < 2; b++)
        tasks[b] = (encode_task){.encode = encode, .context = encode_context, .codes = buffers[b]};
    if (rc == OCL_OK) {
        tasks[0].count = count < chunk ? count : chunk;
        tasks[0].threads = threads;
        encode_range(&tasks[0]);
        rc = tasks[0].result;
    }
    for (size_t start = 0, cur = 0; rc == OCL_OK && start < count; start += chunk, cur ^= 1) {
        encode_task *now = &tasks[cur], *ahead = &tasks[cur ^ 1];
        pthread_t helper;
        int background = encode_ahead(ahead, start + chunk, count, chunk, threads, &helper);
        rc = draw(draw_context, start, now->codes, now->count);
        if (background)
            pthread_join(helper, NULL);
        else if (ahead->count)
            encode_range(ahead);
        free_codes(now->codes, now->count);
        now->count = 0;
        if (rc == OCL_OK && ahead->count)
            rc = ahead->result;
    }
    for (int b = 0; b < 2; b++) {
        if (buffers[b])
            free_codes(buffers[b], tasks[b].count);
        free(buffers[b]);
    }
    return rc;
}

/* ---------- a page's codes as one image ---------- */

/* Packs the codes (without quiet zones) side by side, one white column
 * between them, into a 1-bit image (bit set = white). */
static unsigned char *pack(const ocl_qr *codes, size_t count, int *width, int *height, int *offsets)
{
    int w = 0, h = 0;
    for (size_t i = 0; i < count; i++) {
        int n = codes[i].size - 2 * codes[i].quiet;
        offsets[i] = w;
        w += n + 1;
        h = n > h ? n : h;
    }
    size_t row_bytes = ((size_t)w + 7) / 8;
    unsigned char *image = malloc(row_bytes * (size_t)h);
    if (!image)
        return NULL;
    memset(image, 0xFF, row_bytes * (size_t)h);
    for (size_t i = 0; i < count; i++) {
        int q = codes[i].quiet, n = codes[i].size - 2 * q;
        for (int y = 0; y < n; y++) {
            const unsigned char *row = codes[i].modules + (size_t)(y + q) * (size_t)codes[i].size;
            unsigned char *dst = image + (size_t)y * row_bytes;
            for (int x = 0; x < n; x++)
                if (row[x + q]) {
                    int bit = offsets[i] + x;
                    dst[bit >> 3] &= (unsigned char)~(0x80u >> (bit & 7));
                }
        }
    }
    *width = w;
    *height = h;
    return image;
}

ocl_result ocl_code_strip_make(ocl_pdf *pdf, const ocl_qr *codes, size_t count,
                               ocl_code_strip *strip)
{
    memset(strip, 0, sizeof(*strip));
    if (!count)
        return OCL_EINVAL;
    strip->offsets = calloc(count, sizeof(*strip->offsets));
    if (!strip->offsets)
        return OCL_ENOMEM;
    unsigned char *bits = pack(codes, count, &strip->width, &strip->height, strip->offsets);
    if (!bits) {
        ocl_code_strip_free(strip);
        return OCL_ENOMEM;
    }
    /* Through PNG: libharu stores a raw 1-bit image with CCITT G4, which
     * doubles random-looking QR data; from PNG it keeps 1 bit and Flate. */
    ocl_buffer png = {0};
    ocl_result rc = ocl_png_bitmap_buffer(bits, strip->width, strip->height, 72, &png);
    if (rc == OCL_OK)
        strip->image = HPDF_LoadPngImageFromMem(pdf->doc, png.data, (HPDF_UINT)png.len);
    ocl_buffer_free(&png);
    free(bits);
    if (rc == OCL_OK && !strip->image)
        rc = OCL_ELIBRARY;
    if (rc != OCL_OK)
        ocl_code_strip_free(strip);
    return rc;
}

void ocl_code_strip_free(ocl_code_strip *strip)
{
    free(strip->offsets);
    strip->offsets = NULL;
}

void ocl_code_strip_draw(HPDF_Page page, const ocl_code_strip *strip, const ocl_qr *code, size_t i,
                         double x, double top, double unit)
{
    int n = code->size - 2 * code->quiet;
    HPDF_Page_GSave(page);
    HPDF_Page_Rectangle(page, (HPDF_REAL)x, (HPDF_REAL)(top - n * unit), (HPDF_REAL)(n * unit),
                        (HPDF_REAL)(n * unit));
    HPDF_Page_Clip(page);
    HPDF_Page_EndPath(page);
    HPDF_Page_DrawImage(page, strip->image, (HPDF_REAL)(x - strip->offsets[i] * unit),
                        (HPDF_REAL)(top - strip->height * unit), (HPDF_REAL)(strip->width * unit),
                        (HPDF_REAL)(strip->height * unit));
    HPDF_Page_GRestore(page);
}
