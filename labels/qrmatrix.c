/*
 * The QR symbol from its data codewords (ISO/IEC 18004): Reed-Solomon
 * error correction per block, the blocks interleaved, the function
 * patterns drawn and the codewords placed in their zigzag, unmasked.
 *
 * libqrencode does the same behind QRcode_encodeMask, a module at a time
 * through a general frame filler; here each version's layout is walked
 * once in a tight loop, and the data codewords still come from libqrencode
 * (its choice of segments and padding), so that the symbol is the one it
 * makes.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VERSION_MAX   40
#define BLOCKS_MAX    81
#define ECC_MAX       30
#define CODEWORDS_MAX 3706 /* version 40 */

/* Error correction codewords per block and number of blocks, by level (L,
 * M, Q, H) and version (ISO/IEC 18004 table 9). */
static const uint8_t ecc_per_block[4][VERSION_MAX + 1] = {
    {0,  7,  10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
     28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    {0,  10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
     26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
    {0,  13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
     28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    {0,  17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
     30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
};
static const uint8_t blocks_of[4][VERSION_MAX + 1] = {
    {0, 1, 1, 1,  1,  1,  2,  2,  2,  2,  4,  4,  4,  4,  4,  6,  6,  6,  6,  7, 8,
     8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
    {0,  1,  1,  1,  2,  2,  4,  4,  4,  5,  5,  5,  8,  9,  9,  10, 10, 11, 13, 14, 16,
     17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
    {0,  1,  1,  2,  2,  4,  4,  6,  6,  8,  8,  8,  10, 12, 16, 12, 17, 16, 18, 21, 20,
     23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
    {0,  1,  1,  2,  4,  4,  4,  5,  6,  8,  8,  11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
     25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
};

/* Modules left for codewords and remainder bits once the function
 * patterns are drawn. */
static int data_modules(int version)
{
    int n = (16 * version + 128) * version + 64;
    if (version >= 2) {
        int align = version / 7 + 2;
        n -= (25 * align - 10) * align - 55;
        if (version >= 7)
            n -= 36;
    }
    return n;
}

/* ---------- Reed-Solomon over GF(256), polynomial 0x11D ---------- */

/* log[0] is a stand-in past the end of the powers, where exp[] holds
 * zeros, so that products with 0 come out 0 without a test. */
#define LOG_ZERO 510

typedef struct {
    uint8_t exp[2 * LOG_ZERO + 4]; /* a^0 .. a^509, then zeros */
    uint16_t log[256];
    uint16_t divisor[ECC_MAX]; /* logs of the generator's coefficients below its leading
                                  1, highest power first */
} rs_code;

static uint8_t gf_mul(const rs_code *rs, uint8_t a, uint8_t b)
{
    return rs->exp[rs->log[a] + rs->log[b]];
}

/* Tables, and the generator (x - a^0)(x - a^1)...(x - a^(degree-1)). */
static void rs_init(rs_code *rs, int degree)
{
    memset(rs->exp + LOG_ZERO, 0, sizeof(rs->exp) - LOG_ZERO);
    unsigned v = 1;
    for (int i = 0; i < 255; i++) {
        rs->exp[i] = rs->exp[i + 255] = (uint8_t)v;
        rs->log[v] = (uint16_t)i;
        v = v << 1 ^ (v & 0x80 ? 0x11D : 0);
    }
    rs->log[0] = LOG_ZERO;
    uint8_t divisor[ECC_MAX] = {0};
    divisor[degree - 1] = 1;
    uint8_t root = 1;
    for (int i = 0; i < degree; i++) {
        for (int j = 0; j < degree; j++)
            divisor[j] = gf_mul(rs, divisor[j], root) ^ (j + 1 < degree ? divisor[j + 1] : 0);
        root = gf_mul(rs, root, 2);
    }
    for (int j = 0; j < degree; j++)
        rs->divisor[j] = rs->log[divisor[j]];
}

/* The `degree` error correction codewords of `n` data codewords: the
 * remainder of data times x^degree divided by the generator. */
static void rs_remainder(const rs_code *rs, const uint8_t *data, int n, int degree, uint8_t *ecc)
{
    memset(ecc, 0, (size_t)degree);
    for (int i = 0; i < n; i++) {
        unsigned f = rs->log[data[i] ^ ecc[0]];
        memmove(ecc, ecc + 1, (size_t)(degree - 1));
        ecc[degree - 1] = 0;
        for (int j = 0; j < degree; j++)
            ecc[j] ^= rs->exp[f + rs->divisor[j]];
    }
}

/* ---------- layout ---------- */

#define FUNCTION 0x80
#define DARK     0x01

static void put(unsigned char *m, int width, int x, int y, int dark)
{
    m[(size_t)y * (size_t)width + (size_t)x] = (unsigned char)(FUNCTION | (dark ? DARK : 0));
}

/* A finder pattern centred on (cx, cy) with its light separator, clipped
 * to the symbol. */
static void draw_finder(unsigned char *m, int width, int cx, int cy)
{
    for (int dy = -4; dy <= 4; dy++) {
        for (int dx = -4; dx <= 4; dx++) {
            int x = cx + dx, y = cy + dy;
            if (x < 0 || y < 0 || x >= width || y >= width)
                continue;
            int ring = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
            put(m, width, x, y, ring != 2 && ring != 4);
        }
    }
}

static void draw_alignment(unsigned char *m, int width, int cx, int cy)
{
    for (int dy = -2; dy <= 2; dy++) {
        for (int dx = -2; dx <= 2; dx++) {
            int ring = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
            put(m, width, cx + dx, cy + dy, ring != 1);
        }
    }
}

/* Centres of the alignment patterns along each axis; returns how many. */
static int alignment_centres(int version, int width, int *centres)
{
    if (version == 1)
        return 0;
    int count = version / 7 + 2;
    int step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2;
    centres[0] = 6;
    for (int i = count - 1, at = width - 7; i >= 1; i--, at -= step)
        centres[i] = at;
    return count;
}

/* The 18-bit version information: version, BCH(18,6) protected. */
static unsigned version_bits(int version)
{
    unsigned rem = (unsigned)version << 12;
    for (int bit = 17; bit >= 12; bit--)
        if (rem & (1u << bit))
            rem ^= 0x1F25u << (bit - 12);
    return (unsigned)version << 12 | rem;
}

/* Every function module, the format areas reserved light. */
static void draw_functions(unsigned char *m, int version, int width)
{
    for (int i = 0; i < width; i++) {
        put(m, width, 6, i, i % 2 == 0);
        put(m, width, i, 6, i % 2 == 0);
    }
    draw_finder(m, width, 3, 3);
    draw_finder(m, width, width - 4, 3);
    draw_finder(m, width, 3, width - 4);
    int centres[7];
    int count = alignment_centres(version, width, centres);
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < count; j++) {
            int corner =
                (i == 0 && j == 0) || (i == 0 && j == count - 1) || (i == count - 1 && j == 0);
            if (!corner)
                draw_alignment(m, width, centres[i], centres[j]);
        }
    }
    for (int i = 0; i < 9; i++) { /* format areas; the timing modules stay */
        if (i != 6) {
            put(m, width, 8, i, 0);
            put(m, width, i, 8, 0);
        }
        if (i < 8) {
            put(m, width, width - 1 - i, 8, 0);
            put(m, width, 8, width - 1 - i, 0);
        }
    }
    put(m, width, 8, width - 8, 1); /* the dark module */
    if (version >= 7) {
        unsigned bits = version_bits(version);
        for (int i = 0; i < 18; i++) {
            int a = width - 11 + i % 3, b = i / 3, dark = (bits >> i) & 1;
            put(m, width, a, b, dark);
            put(m, width, b, a, dark);
        }
    }
}

/* Places the codewords' bits, most significant first, up and down the
 * column pairs from the right, skipping function modules. The modules
 * left over, fewer than 8 (remainder bits), read the zero byte that
 * follows the codewords. */
static void place_codewords(unsigned char *m, int width, const uint8_t *codewords)
{
    unsigned i = 0;
    for (int right = width - 1; right >= 1; right -= 2) {
        if (right == 6)
            right = 5;
        int upward = ((right + 1) & 2) == 0;
        for (int vert = 0; vert < width; vert++) {
            int y = upward ? width - 1 - vert : vert;
            unsigned char *row = m + (size_t)y * (size_t)width;
            for (int x = right; x >= right - 1; x--) {
                if (row[x] & FUNCTION)
                    continue;
                row[x] = (unsigned char)(codewords[i >> 3] >> (~i & 7) & 1);
                i++;
            }
        }
    }
}

/* Data blocks with their error correction, interleaved: first codeword of
 * every block, then the second, ..., then the same for the error
 * correction. Short blocks (one data codeword fewer) come first. */
static void interleave(const uint8_t *data, int version, ocl_ec_level level, uint8_t *out)
{
    int blocks = blocks_of[level][version], degree = ecc_per_block[level][version];
    int total = data_modules(version) / 8;
    int short_len = total / blocks - degree, shorts = blocks - total % blocks;
    rs_code rs;
    rs_init(&rs, degree);
    uint8_t ecc[BLOCKS_MAX][ECC_MAX];
    const uint8_t *block[BLOCKS_MAX];
    const uint8_t *at = data;
    for (int b = 0; b < blocks; b++) {
        int len = short_len + (b >= shorts);
        block[b] = at;
        rs_remainder(&rs, at, len, degree, ecc[b]);
        at += len;
    }
    int n = 0;
    for (int i = 0; i <= short_len; i++)
        for (int b = 0; b < blocks; b++)
            if (i < short_len + (b >= shorts))
                out[n++] = block[b][i];
    for (int i = 0; i < degree; i++)
        for (int b = 0; b < blocks; b++)
            out[n++] = ecc[b][i];
}

int ocl_qr_build(const unsigned char *data, int version, ocl_ec_level level, unsigned char *out)
{
    if (version < 1 || version > VERSION_MAX || (int)level < 0 || (int)level > 3)
        return -1;
    int width = 17 + 4 * version;
    memset(out, 0, (size_t)width * (size_t)width);
    draw_functions(out, version, width);
    uint8_t codewords[CODEWORDS_MAX + 1];
    interleave(data, version, level, codewords);
    codewords[data_modules(version) / 8] = 0;
    place_codewords(out, width, codewords);
    return width;
}
