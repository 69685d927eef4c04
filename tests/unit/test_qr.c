/*
 * QR, PNG and SVG tests. The images are read back independently (libpng's
 * reader for PNG, the path re-traced for SVG) and must show exactly the
 * modules of the symbol; decoding by a scanner is the CLI tests' job.
 */
#include "check.h"
#include "internal.h"
#include "ocoplabels.h"

#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sample[] =
    "https://truyxuatsanphambinhthuan.vn/01/08931234567897/10/L2025A/21/AB%2F12?17=270301";

static int module(const ocl_qr *qr, int x, int y)
{
    return qr->modules[(size_t)y * (size_t)qr->size + (size_t)x];
}

/* A finder pattern: 7x7 dark ring, light ring, 3x3 dark centre. */
static int finder_at(const ocl_qr *qr, int x0, int y0)
{
    for (int y = 0; y < 7; y++) {
        for (int x = 0; x < 7; x++) {
            int ring = x == 0 || y == 0 || x == 6 || y == 6;
            int centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
            if (module(qr, x0 + x, y0 + y) != (ring || centre))
                return 0;
        }
    }
    return 1;
}

static void test_symbol(void)
{
    static const struct {
        ocl_ec_level level;
        const char *name;
    } levels[] = {{OCL_EC_L, "L"}, {OCL_EC_M, "M"}, {OCL_EC_Q, "Q"}, {OCL_EC_H, "H"}};
    int previous = 0;
    for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
        ocl_qr qr;
        ocl_result rc =
            ocl_qr_encode((const unsigned char *)sample, strlen(sample), levels[i].level, &qr);
        CHECK(rc == OCL_OK, "encode at level %s", levels[i].name);
        if (rc != OCL_OK)
            continue;
        int q = qr.quiet;
        CHECK(q == 4, "quiet zone of 4 modules");
        CHECK(qr.size == 17 + 4 * qr.version + 2 * q, "side of version %d is %d", qr.version,
              qr.size);
        CHECK(qr.version >= previous, "level %s needs at least the version of the level below",
              levels[i].name);
        previous = qr.version;
        int light = 1;
        for (int y = 0; y < qr.size; y++)
            for (int x = 0; x < qr.size; x++)
                if (x < q || y < q || x >= qr.size - q || y >= qr.size - q)
                    light &= !module(&qr, x, y);
        CHECK(light, "quiet zone is light at level %s", levels[i].name);
        int far = qr.size - q - 7;
        CHECK(finder_at(&qr, q, q) && finder_at(&qr, far, q) && finder_at(&qr, q, far),
              "three finder patterns at level %s", levels[i].name);
        CHECK(!finder_at(&qr, far, far), "no finder pattern bottom right");
        ocl_qr_free(&qr);
    }
    ocl_ec_level level;
    static const struct {
        const char *text;
        int ok;
        ocl_ec_level want;
    } names[] = {{"L", 1, OCL_EC_L}, {"m", 1, OCL_EC_M}, {"Q", 1, OCL_EC_Q}, {"h", 1, OCL_EC_H},
                 {"X", 0, 0},        {"", 0, 0},         {"MM", 0, 0},       {" ", 0, 0}};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        ocl_result rc = ocl_ec_parse(names[i].text, &level);
        CHECK((rc == OCL_OK) == names[i].ok && (!names[i].ok || level == names[i].want),
              "error correction name '%s'", names[i].text);
    }
}

static void test_limits(void)
{
    ocl_qr qr;
    size_t len = 2400;
    unsigned char *data = malloc(len);
    memset(data, 'a', len);
    CHECK(ocl_qr_encode(data, 1274, OCL_EC_H, &qr) == OCL_ERANGE, "1274 bytes do not fit level H");
    CHECK(ocl_qr_encode(data, 1273, OCL_EC_H, &qr) == OCL_OK && qr.version == 40,
          "1273 bytes fill version 40 at level H");
    ocl_qr_free(&qr);
    free(data);
    CHECK(ocl_qr_encode((const unsigned char *)"a\0b", 3, OCL_EC_M, &qr) == OCL_EINVAL,
          "NUL bytes refused");
    CHECK(ocl_qr_encode((const unsigned char *)"", 0, OCL_EC_M, &qr) == OCL_EINVAL,
          "empty data refused");
    const char *utf8 = "Nước mắm Phan Thiết";
    CHECK(ocl_qr_encode((const unsigned char *)utf8, strlen(utf8), OCL_EC_M, &qr) == OCL_OK,
          "UTF-8 text encodes");
    ocl_qr_free(&qr);
}

/* Reads a big-endian 32-bit number. */
static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static void test_png(void)
{
    ocl_qr qr;
    ocl_qr_encode((const unsigned char *)sample, strlen(sample), OCL_EC_M, &qr);
    /* Up to 32 px a module fills its row in one piece, above in several. */
    static const ocl_image_options cases[] = {{1, 72},   {3, 300},   {5, 300},  {8, 600},
                                              {32, 300}, {33, 1200}, {40, 300}, {100, 9600}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_buffer png = {0};
        CHECK(ocl_png_write_buffer(&qr, &cases[i], &png) == OCL_OK, "png at %d px",
              cases[i].module_px);
        /* IHDR: 1-bit greyscale of the right size. */
        unsigned long side = (unsigned long)(qr.size * cases[i].module_px);
        CHECK(png.len > 33 && memcmp(png.data + 12, "IHDR", 4) == 0 &&
                  be32(png.data + 16) == side && be32(png.data + 20) == side && png.data[24] == 1 &&
                  png.data[25] == 0,
              "IHDR is %lux%lu, 1-bit greyscale", side, side);
        /* pHYs: pixels per metre from the dpi. */
        unsigned char *phys = memmem(png.data, png.len, "pHYs", 4);
        unsigned long ppm = (unsigned long)(cases[i].dpi / 0.0254 + 0.5);
        CHECK(phys && be32(phys + 4) == ppm && be32(phys + 8) == ppm && phys[12] == 1,
              "pHYs holds %lu pixels per metre for %d dpi", ppm, cases[i].dpi);

        png_image image;
        memset(&image, 0, sizeof(image));
        image.version = PNG_IMAGE_VERSION;
        int ok = png_image_begin_read_from_memory(&image, png.data, png.len);
        image.format = PNG_FORMAT_GRAY;
        unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
        ok = ok && pixels && png_image_finish_read(&image, NULL, pixels, 0, NULL);
        CHECK(ok, "libpng reads the image back");
        int same = ok;
        for (int y = 0; same && y < (int)image.height; y++)
            for (int x = 0; same && x < (int)image.width; x++)
                same = (pixels[(size_t)y * image.width + (size_t)x] == 0) ==
                       module(&qr, x / cases[i].module_px, y / cases[i].module_px);
        CHECK(same, "every pixel shows its module at %d px per module", cases[i].module_px);
        free(pixels);
        ocl_buffer_free(&png);
    }
    ocl_buffer png = {0};
    ocl_image_options bad = {0, 300};
    CHECK(ocl_png_write_buffer(&qr, &bad, &png) == OCL_EINVAL, "0 px per module refused");
    ocl_buffer_free(&png);
    ocl_qr_free(&qr);
}

/* Reads a 1-bit PNG back with libpng into one byte per pixel (0 = black);
 * NULL when libpng refuses it. */
static unsigned char *png_pixels(const ocl_buffer *png, unsigned *width, unsigned *height)
{
    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png->data, png->len))
        return NULL;
    image.format = PNG_FORMAT_GRAY;
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels || !png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        free(pixels);
        png_image_free(&image);
        return NULL;
    }
    *width = image.width;
    *height = image.height;
    return pixels;
}

/* Bitmaps (as label strips are written) read back pixel for pixel: rows
 * that repeat the one above, in runs longer than one back-reference holds,
 * rows too short to refer back to, rows too long to reach back over, and
 * byte values of every kind. */
static void test_png_bitmaps(void)
{
    static const struct {
        int width, height, repeat; /* rows come in runs of `repeat` equal rows */
    } cases[] = {{1, 1, 1},    {7, 5, 5},    {8, 3, 1},        {16, 40, 40},  {17, 9, 3},
                 {200, 64, 1}, {200, 64, 7}, {1000, 300, 100}, {262150, 3, 3}};
    unsigned seed = 2024;
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        int w = cases[c].width, h = cases[c].height;
        size_t row_bytes = ((size_t)w + 7) / 8;
        unsigned char *bits = malloc(row_bytes * (size_t)h);
        for (int y = 0; y < h; y++) {
            unsigned char *row = bits + (size_t)y * row_bytes;
            if (y % cases[c].repeat) {
                memcpy(row, row - row_bytes, row_bytes);
                continue;
            }
            for (size_t i = 0; i < row_bytes; i++) {
                seed = seed * 1103515245u + 12345u;
                row[i] = (unsigned char)(seed >> 16);
            }
        }
        ocl_buffer png = {0};
        CHECK(ocl_png_bitmap_buffer(bits, w, h, 300, &png) == OCL_OK, "bitmap %dx%d written", w, h);
        unsigned rw = 0, rh = 0;
        unsigned char *pixels = png_pixels(&png, &rw, &rh);
        int same = pixels && rw == (unsigned)w && rh == (unsigned)h;
        for (int y = 0; same && y < h; y++)
            for (int x = 0; same && x < w; x++)
                same = (pixels[(size_t)y * (size_t)w + (size_t)x] != 0) ==
                       ((bits[(size_t)y * row_bytes + (size_t)x / 8] >> (7 - x % 8)) & 1);
        CHECK(same, "bitmap %dx%d (rows in runs of %d) reads back pixel for pixel", w, h,
              cases[c].repeat);
        free(pixels);
        ocl_buffer_free(&png);
        free(bits);
    }
}

/* Re-traces the SVG path into a module matrix. */
static int svg_trace(const char *svg, int size, unsigned char *grid)
{
    const char *d = strstr(svg, " d=\"");
    if (!d)
        return 0;
    d += 4;
    while (*d == 'M') {
        int x, y, w, back, n = 0;
        if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &w, &back, &n) != 4 || n == 0 || w != back)
            return 0;
        if (x < 0 || y < 0 || w < 1 || x + w > size || y >= size)
            return 0;
        for (int k = 0; k < w; k++) {
            if (grid[(size_t)y * (size_t)size + (size_t)(x + k)])
                return 0; /* runs must not overlap */
            grid[(size_t)y * (size_t)size + (size_t)(x + k)] = 1;
        }
        d += n;
    }
    return *d == '"';
}

static void test_svg(void)
{
    ocl_qr qr;
    ocl_qr_encode((const unsigned char *)sample, strlen(sample), OCL_EC_Q, &qr);
    ocl_buffer svg = {0};
    ocl_image_options options = {5, 300};
    CHECK(ocl_svg_write_buffer(&qr, &options, &svg) == OCL_OK, "svg written");
    ocl_buffer_append(&svg, "", 1);
    const char *text = (const char *)svg.data;
    CHECK(strstr(text, "shape-rendering=\"crispEdges\"") != NULL, "svg renders crisp edges");
    const char *first = strstr(text, "<path");
    CHECK(first && !strstr(first + 1, "<path"), "svg has exactly one path");
    char size[64];
    snprintf(size, sizeof(size), "width=\"%.3fmm\"", qr.size * 5 * 25.4 / 300);
    CHECK(strstr(text, size) != NULL, "svg size in millimetres: %s", size);
    unsigned char *grid = calloc((size_t)qr.size * (size_t)qr.size, 1);
    CHECK(svg_trace(text, qr.size, grid), "svg path is well formed");
    CHECK(memcmp(grid, qr.modules, (size_t)qr.size * (size_t)qr.size) == 0,
          "svg path covers exactly the dark modules");
    /* Runs are merged: as many rectangles as horizontal runs of modules. */
    int rects = 0, runs = 0;
    for (const char *p = strstr(text, " d=\""); p && (p = strchr(p, 'M')) != NULL; p++)
        rects++;
    for (int y = 0; y < qr.size; y++)
        for (int x = 0; x < qr.size; x++)
            runs += module(&qr, x, y) && (x == 0 || !module(&qr, x - 1, y));
    CHECK(rects == runs, "one rectangle per horizontal run: %d rectangles, %d runs", rects, runs);
    free(grid);
    ocl_buffer_free(&svg);
    ocl_qr_free(&qr);
}

/* The symbol libqrencode makes by its public API, mask chosen by it. */
static QRcode *reference_symbol(const char *text, ocl_ec_level level)
{
    static const QRecLevel levels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H};
    int ascii = 1;
    for (const char *p = text; *p; p++)
        ascii &= (unsigned char)*p < 0x80;
    if (ascii)
        return QRcode_encodeString(text, 0, levels[level], QR_MODE_8, 1);
    QRinput *input = QRinput_new2(0, levels[level]);
    QRinput_appendECIheader(input, 26);
    QRinput_append(input, QR_MODE_8, (int)strlen(text), (const unsigned char *)text);
    QRcode *code = QRcode_encodeInput(input);
    QRinput_free(input);
    return code;
}

/* The bit-parallel mask choice must give libqrencode's own symbol, module
 * for module, across versions 1 to 40 (one to three words per line). */
static void test_same_as_libqrencode(void)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "/%?=&.-_:";
    unsigned seed = 12345;
    char text[1300];
    int compared = 0, same = 0;
    for (int round = 0; round < 400; round++) {
        ocl_ec_level level = (ocl_ec_level)(round % 4);
        size_t len = 1 + (size_t)(round * 37 % (round % 10 == 9 ? 1200 : 160));
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        text[len] = '\0';
        if (round % 7 == 3 && len > 4)
            memcpy(text, "G\xe1\xba\xa1o", 5); /* "Gạo", UTF-8 */
        QRcode *ref = reference_symbol(text, level);
        ocl_qr qr;
        if (!ref || ocl_qr_encode((const unsigned char *)text, len, level, &qr) != OCL_OK) {
            CHECK(ref == NULL, "round %d: encoded by one and not the other", round);
            QRcode_free(ref);
            continue;
        }
        compared++;
        int equal = qr.version == ref->version && qr.size == ref->width + 8;
        for (int y = 0; equal && y < ref->width; y++)
            for (int x = 0; equal && x < ref->width; x++)
                equal = module(&qr, x + 4, y + 4) == (ref->data[y * ref->width + x] & 1);
        same += equal;
        CHECK(equal, "round %d (version %d, level %d, %zu bytes): same symbol as libqrencode",
              round, ref->version, (int)level, len);
        QRcode_free(ref);
        ocl_qr_free(&qr);
    }
    CHECK(compared > 350, "compared %d symbols", compared);
}

/* Every version at every level (each has its own block structure,
 * alignment patterns and, from 7, version information): the text grows
 * until it needs the next version, and the first symbol of each version is
 * compared with libqrencode's. */
static void test_every_version(void)
{
    static char text[3000];
    for (size_t i = 0; i < sizeof(text) - 1; i++)
        text[i] = "abcdefghijklmnopqrstuvwxyz0123456789/%?=&.-_:"[i * 7 % 45];
    for (int level = 0; level < 4; level++) {
        int version = 0, same = 0;
        for (size_t len = 1; len < sizeof(text) - 1; len += 4) {
            ocl_qr qr;
            if (ocl_qr_encode((const unsigned char *)text, len, (ocl_ec_level)level, &qr) != OCL_OK)
                break;
            if (qr.version != version) {
                version = qr.version;
                char saved = text[len];
                text[len] = '\0';
                QRcode *ref = reference_symbol(text, (ocl_ec_level)level);
                text[len] = saved;
                int equal = ref && ref->version == qr.version && qr.size == ref->width + 8;
                for (int y = 0; equal && y < ref->width; y++)
                    for (int x = 0; equal && x < ref->width; x++)
                        equal = module(&qr, x + 4, y + 4) == (ref->data[y * ref->width + x] & 1);
                same += equal;
                QRcode_free(ref);
            }
            ocl_qr_free(&qr);
        }
        CHECK(version == 40 && same == 40,
              "level %d: all 40 versions as libqrencode makes them (%d)", level, same);
    }
}

void test_qr(void)
{
    test_same_as_libqrencode();
    test_every_version();
    test_symbol();
    test_limits();
    test_png();
    test_png_bitmaps();
    test_svg();
}
