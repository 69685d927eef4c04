/*
 * QR mask selection, bit-parallel.
 *
 * ISO/IEC 18004 has the encoder try all eight data masks and keep the one
 * with the lowest penalty. libqrencode does this a module at a time, and it
 * is more than half of the cost of a code. Here each row and each column is
 * a bitset, so that a mask is applied with a few XORs per line and the
 * penalty rules are shifts, ANDs and popcounts, a row and a column at once
 * (symbols up to 64 modules wide, versions 1 to 11; wider ones walk runs).
 * The rules are those libqrencode applies (N1 to N4, quiet zone counted as
 * light at the symbol's edge), so the symbol chosen is the one it would
 * choose.
 */
#include "internal.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH_MAX  177
#define WORDS      ((WIDTH_MAX + 63) / 64)
#define PENALTY_N1 3
#define PENALTY_N2 3
#define PENALTY_N3 40
#define PENALTY_N4 10

typedef uint64_t line[WORDS];

/* Rows and columns of a symbol as bitsets; bit x of row y is module (x, y). */
typedef struct {
    int width;
    int words;
    line rows[WIDTH_MAX];
    line cols[WIDTH_MAX];
} bitmatrix;

/* Where each of the eight masks inverts a data module: bit x of
 * mask_rows[mask][y] is set where the condition of ISO/IEC 18004 holds at
 * column x, row y. Every condition repeats every 6 modules along x and every
 * 12 along y, so the table is one period:
 *   0 (x + y) mod 2 = 0         4 (y / 2 + x / 3) mod 2 = 0
 *   1 y mod 2 = 0               5 (x y) mod 2 + (x y) mod 3 = 0
 *   2 x mod 3 = 0               6 ((x y) mod 2 + (x y) mod 3) mod 2 = 0
 *   3 (x + y) mod 3 = 0         7 ((x y) mod 3 + (x + y) mod 2) mod 2 = 0 */
static const unsigned char mask_rows[8][12] = {
    {0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a},
    {0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00},
    {0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09},
    {0x09, 0x24, 0x12, 0x09, 0x24, 0x12, 0x09, 0x24, 0x12, 0x09, 0x24, 0x12},
    {0x07, 0x07, 0x38, 0x38, 0x07, 0x07, 0x38, 0x38, 0x07, 0x07, 0x38, 0x38},
    {0x3f, 0x01, 0x09, 0x15, 0x09, 0x01, 0x3f, 0x01, 0x09, 0x15, 0x09, 0x01},
    {0x3f, 0x07, 0x1b, 0x15, 0x2d, 0x31, 0x3f, 0x07, 0x1b, 0x15, 0x2d, 0x31},
    {0x15, 0x38, 0x31, 0x2a, 0x07, 0x0e, 0x15, 0x38, 0x31, 0x2a, 0x07, 0x0e},
};

/* A pattern of `period` bits read from bit `phase` on, repeated over a
 * word: the word of a line that starts `phase` modules into the period. */
static uint64_t spread(unsigned pattern, int period, int phase)
{
    unsigned all = (1u << period) - 1;
    uint64_t v = ((pattern >> phase) | (pattern << (period - phase))) & all;
    for (int filled = period; filled < 64; filled *= 2)
        v |= v << filled;
    return v;
}

/* Word k of row y of a mask, and of column x (bit i is module 64 k + i). */
static uint64_t mask_row_word(int mask, int y, int k)
{
    return spread(mask_rows[mask][y % 12], 6, 64 * k % 6);
}

static uint64_t mask_col_word(int mask, int x, int k)
{
    unsigned column = 0;
    for (int y = 0; y < 12; y++)
        column |= (unsigned)(mask_rows[mask][y] >> (x % 6) & 1) << y;
    return spread(column, 12, 64 * k % 12);
}

/* Portable popcount; compilers turn this idiom into the instruction where
 * the target has one. */
static inline __attribute__((always_inline)) int popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555u);
    v = (v & 0x3333333333333333u) + ((v >> 2) & 0x3333333333333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
    return (int)((v * 0x0101010101010101u) >> 56);
}

static void set_bit(line l, int i, int on)
{
    uint64_t bit = (uint64_t)1 << (i & 63);
    if (on)
        l[i >> 6] |= bit;
    else
        l[i >> 6] &= ~bit;
}

static int get_bit(const line l, int i)
{
    return (int)(l[i >> 6] >> (i & 63)) & 1;
}

/* l >> 1 across words. */
static uint64_t shifted_word(const line l, int k, int words)
{
    uint64_t high = k + 1 < words ? l[k + 1] << 63 : 0;
    return (l[k] >> 1) | high;
}

/* The 15-bit format information: level and mask, BCH(15,5) protected,
 * XOR 0x5412. Level bits: L 01, M 00, Q 11, H 10. */
static unsigned format_bits(ocl_ec_level level, int mask)
{
    static const unsigned level_bits[4] = {1, 0, 3, 2};
    unsigned data = (level_bits[level] << 3) | (unsigned)mask;
    unsigned rem = data << 10;
    for (int bit = 14; bit >= 10; bit--)
        if (rem & (1u << bit))
            rem ^= 0x537u << (bit - 10);
    return ((data << 10) | rem) ^ 0x5412u;
}

/* Where bit i (0 = least significant) of the format information goes: two
 * places each, one beside the top-left finder, one split between the other
 * two finders. */
static void format_positions(int width, int i, int xy[4])
{
    if (i < 8) {
        xy[0] = width - 1 - i, xy[1] = 8;
        xy[2] = 8, xy[3] = i < 6 ? i : i + 1;
    } else {
        int j = i - 8;
        xy[0] = 8, xy[1] = width - 7 + j;
        xy[2] = j == 0 ? 7 : 6 - j, xy[3] = 8;
    }
}

static void put_module(bitmatrix *m, int x, int y, int on)
{
    set_bit(m->rows[y], x, on);
    set_bit(m->cols[x], y, on);
}

/* Every mask's words for rows 0-11 and columns 0-5, which repeat. */
typedef struct {
    line rows[8][12];
    line cols[8][6];
} mask_words;

static void make_mask_words(int words, mask_words *out)
{
    for (int mask = 0; mask < 8; mask++) {
        for (int k = 0; k < words; k++) {
            for (int r = 0; r < 12; r++)
                out->rows[mask][r][k] = mask_row_word(mask, r, k);
            for (int c = 0; c < 6; c++)
                out->cols[mask][c][k] = mask_col_word(mask, c, k);
        }
    }
}

/* Applies `mask` to the unmasked symbol, writing function modules as they
 * are and the format information of (level, mask). */
static void apply_mask(const bitmatrix *base, const bitmatrix *function, const mask_words *words_of,
                       ocl_ec_level level, int mask, bitmatrix *out)
{
    int w = base->width, words = base->words;
    const line *row_pattern = words_of->rows[mask], *col_pattern = words_of->cols[mask];
    out->width = w;
    out->words = words;
    for (int i = 0; i < w; i++) {
        for (int k = 0; k < words; k++) {
            out->rows[i][k] = base->rows[i][k] ^ (row_pattern[i % 12][k] & ~function->rows[i][k]);
            out->cols[i][k] = base->cols[i][k] ^ (col_pattern[i % 6][k] & ~function->cols[i][k]);
        }
    }
    unsigned format = format_bits(level, mask);
    for (int i = 0; i < 15; i++) {
        int xy[4];
        format_positions(w, i, xy);
        put_module(out, xy[0], xy[1], (format >> i) & 1);
        put_module(out, xy[2], xy[3], (format >> i) & 1);
    }
}

/* N1 (runs of five or more) and N3 (1:1:3:1:1 finder-like patterns with
 * four light modules beside, the symbol's edge counting as light) of one
 * line. Runs alternate light, dark; a line that starts dark is given an
 * empty light run first so that dark runs keep odd indices. */
static int line_penalty(const line l, int width, int words)
{
    int run[WIDTH_MAX + 2];
    int n = 0, start = 0;
    if (get_bit(l, 0))
        run[n++] = -1;
    for (int k = 0; k < words; k++) {
        uint64_t t = l[k] ^ shifted_word(l, k, words);
        if (64 * k + 64 > width - 1)
            t &= width - 1 - 64 * k <= 0 ? 0 : ((uint64_t)1 << (width - 1 - 64 * k)) - 1;
        while (t) {
            int end = 64 * k + __builtin_ctzll(t);
            run[n++] = end - start + 1;
            start = end + 1;
            t &= t - 1;
        }
    }
    run[n++] = width - start;

    int penalty = 0;
    for (int i = 0; i < n; i++) {
        if (run[i] >= 5)
            penalty += PENALTY_N1 + run[i] - 5;
        if (!(i & 1) || i < 3 || i >= n - 2 || run[i] % 3)
            continue;
        int fact = run[i] / 3;
        if (run[i - 2] != fact || run[i - 1] != fact || run[i + 1] != fact || run[i + 2] != fact)
            continue;
        if (i == 3 || run[i - 3] >= 4 * fact || i + 4 >= n || run[i + 3] >= 4 * fact)
            penalty += PENALTY_N3;
    }
    return penalty;
}

/* Two lines of at most 64 modules, row y and column y, taken through the
 * bitwise rules together: one vector operation (SSE2, in x86-64's baseline,
 * or two scalar ones elsewhere) for both. */
typedef uint64_t line_pair __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) int any(line_pair v)
{
    return (v[0] | v[1]) != 0;
}

static inline __attribute__((always_inline)) int popcount_pair(line_pair v)
{
    return popcount64(v[0]) + popcount64(v[1]);
}

/* Bit p of the result is bit p + shift of v; positions outside the word
 * read as `fill`. */
static line_pair at(line_pair v, int shift, int fill)
{
    if (shift >= 64 || shift <= -64)
        return (v & 0) | (fill ? ~(uint64_t)0 : 0);
    if (shift >= 0)
        return shift == 0 ? v : (v >> shift) | (fill ? ~(~(uint64_t)0 >> shift) : 0);
    return (v << -shift) | (fill ? ((uint64_t)1 << -shift) - 1 : 0);
}

/* AND of the bits p + from .. p + to - 1, for every p at once. */
static line_pair all_of(line_pair v, int from, int to, int fill)
{
    line_pair r = v | ~(uint64_t)0;
    for (int j = from; j < to; j++)
        r &= at(v, j, fill);
    return r;
}

/* Where windows of five modules of one colour start (bit set = that
 * colour). */
static line_pair fives(line_pair colour)
{
    return colour & colour >> 1 & colour >> 2 & colour >> 3 & colour >> 4;
}

/* Where 1:1:3:1:1 times f starts, with a light module or the edge on both
 * sides and four times f light before or after. Inlined with f = 1 and 2,
 * the common cases, so that every shift is a constant. */
static inline __attribute__((always_inline)) line_pair finder_like(line_pair dark, line_pair light,
                                                                   uint64_t valid, int f)
{
    line_pair match = all_of(dark, 0, f, 0) & all_of(light, f, 2 * f, 1) &
                      all_of(dark, 2 * f, 5 * f, 0) & all_of(light, 5 * f, 6 * f, 1) &
                      all_of(dark, 6 * f, 7 * f, 0) & at(light, -1, 1) & at(light, 7 * f, 1);
    line_pair before = all_of(light, -4 * f, 0, 1), after = all_of(light, 7 * f, 11 * f, 1);
    return match & (before | after) & valid;
}

/* line_penalty of two lines of at most 64 modules, without walking runs.
 * N1: a run of n >= 5 costs 3 + n - 5, one per five-module window in it
 * plus two per run; windows of either colour can share one word, since no
 * window is both colours and a dark and a light run's windows never touch.
 * N3: the pattern matched at every position at once, one scale after
 * another as long as a dark run of 3f modules exists; matches at different
 * scales never start at the same module, so they share one word too.
 * Outside the line is light, as the quiet zone is. */
static inline __attribute__((always_inline)) int pair_penalty(line_pair dark, int width)
{
    uint64_t valid = width == 64 ? ~(uint64_t)0 : ((uint64_t)1 << width) - 1;
    line_pair light = ~dark; /* past the edge too */
    line_pair five = fives(dark) | fives(light & valid);
    int penalty = popcount_pair(five) + 2 * popcount_pair(five & ~(five << 1));
    line_pair run = dark & dark >> 1 & dark >> 2; /* starts of dark runs of 3 or more */
    if (!any(run) || width < 7)
        return penalty;
    line_pair finders = finder_like(dark, light, valid, 1);
    run &= dark >> 3 & dark >> 4 & dark >> 5;
    if (any(run) && width >= 14) {
        /* f = 2 needs a dark run of exactly 6, rarer than 6 or more. */
        if (any(run & at(light, -1, 1) & at(light, 6, 1)))
            finders |= finder_like(dark, light, valid, 2);
        int k = 6;
        for (int f = 3; 7 * f <= width; f++) {
            for (; k < 3 * f; k++)
                run &= dark >> k;
            if (!any(run))
                break;
            finders |= finder_like(dark, light, valid, f);
        }
    }
    return penalty + PENALTY_N3 * popcount_pair(finders);
}

/* x86-64's baseline has no popcount instruction, and the penalty is mostly
 * popcounts: where GCC or Clang can, the penalty is also compiled for CPUs
 * that have one (all since 2008), chosen when the program loads. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WITH_POPCOUNT_CLONE __attribute__((target_clones("popcnt", "default")))
#else
#define WITH_POPCOUNT_CLONE
#endif

WITH_POPCOUNT_CLONE static int penalty(const bitmatrix *m)
{
    int w = m->width, words = m->words, dark = 0, total = 0;
    for (int y = 0; y < w; y++) {
        for (int k = 0; k < words; k++)
            dark += popcount64(m->rows[y][k]);
        if (words == 1)
            total += pair_penalty((line_pair){m->rows[y][0], m->cols[y][0]}, w);
        else
            total += line_penalty(m->rows[y], w, words) + line_penalty(m->cols[y], w, words);
    }
    /* N2: 2x2 blocks of one colour, counted by their top-left module. */
    int blocks = 0;
    for (int y = 0; y + 1 < w; y++) {
        for (int k = 0; k < words; k++) {
            uint64_t same_v = ~(m->rows[y][k] ^ m->rows[y + 1][k]);
            uint64_t next_v =
                ~(shifted_word(m->rows[y], k, words) ^ shifted_word(m->rows[y + 1], k, words));
            uint64_t same_h = ~(m->rows[y][k] ^ shifted_word(m->rows[y], k, words));
            uint64_t b = same_v & next_v & same_h;
            int valid = w - 1 - 64 * k;
            if (valid <= 0)
                b = 0;
            else if (valid < 64)
                b &= ((uint64_t)1 << valid) - 1;
            blocks += popcount64(b);
        }
    }
    total += PENALTY_N2 * blocks;
    int area = w * w;
    int ratio = (200 * dark + area) / area / 2;
    total += abs(ratio - 50) / 5 * PENALTY_N4;
    return total;
}

/* Eight bytes as one word, the first in the low bits. */
static uint64_t load_le64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static void store_le64(unsigned char *p, uint64_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
    p[4] = (unsigned char)(v >> 32), p[5] = (unsigned char)(v >> 40);
    p[6] = (unsigned char)(v >> 48), p[7] = (unsigned char)(v >> 56);
}

/* Bit 0 of each byte of a word, as bits 0 to 7: the product moves bit 0 of
 * byte i to bit 56 + i, and no two partial products meet. */
static unsigned gather8(uint64_t bytes)
{
    return (unsigned)(((bytes & 0x0101010101010101u) * 0x0102040810204080u) >> 56);
}

/* The reverse for the low 8 bits of bits, a nibble at a time, where the
 * partial products cannot meet either. */
static uint64_t spread8(unsigned bits)
{
    uint64_t low = ((bits & 0xFu) * 0x00204081u) & 0x01010101u;
    uint64_t high = ((bits >> 4 & 0xFu) * 0x00204081u) & 0x01010101u;
    return high << 32 | low;
}

/* Sets cols from rows; rows must hold no bits past the edge. */
static void transpose(bitmatrix *m)
{
    for (int x = 0; x < m->width; x++)
        memset(m->cols[x], 0, sizeof(m->cols[x]));
    for (int y = 0; y < m->width; y++) {
        for (int k = 0; k < m->words; k++) {
            for (uint64_t bits = m->rows[y][k]; bits; bits &= bits - 1) {
                int x = 64 * k + __builtin_ctzll(bits);
                m->cols[x][y >> 6] |= (uint64_t)1 << (y & 63);
            }
        }
    }
}

/* Bits of word k that are inside a line of `width` modules. */
static uint64_t inside(int width, int k)
{
    int n = width - 64 * k;
    return n >= 64 ? ~(uint64_t)0 : n <= 0 ? 0 : ((uint64_t)1 << n) - 1;
}

/* Reads the unmasked symbol (bit 0x80 function, 0x01 dark) into the
 * modules and the function modules; bits past the edge count as function
 * so that no mask ever sets them. */
static void load_symbol(const unsigned char *symbol, int width, bitmatrix *base,
                        bitmatrix *function)
{
    int words = (width + 63) / 64;
    base->width = function->width = width;
    base->words = function->words = words;
    for (int y = 0; y < width; y++) {
        line dark = {0}, fixed = {0};
        const unsigned char *row = symbol + (size_t)y * (size_t)width;
        int x = 0;
        for (; x + 8 <= width; x += 8) {
            uint64_t eight = load_le64(row + x);
            dark[x >> 6] |= (uint64_t)gather8(eight) << (x & 63);
            fixed[x >> 6] |= (uint64_t)gather8(eight >> 7) << (x & 63);
        }
        for (; x < width; x++) {
            dark[x >> 6] |= (uint64_t)(row[x] & 1) << (x & 63);
            fixed[x >> 6] |= (uint64_t)(row[x] >> 7) << (x & 63);
        }
        for (int k = 0; k < words; k++) {
            base->rows[y][k] = dark[k];
            function->rows[y][k] = fixed[k];
        }
    }
    transpose(base);
    transpose(function);
    for (int i = 0; i < width; i++) {
        for (int k = 0; k < words; k++) {
            function->rows[i][k] |= ~inside(width, k);
            function->cols[i][k] |= ~inside(width, k);
        }
    }
}

int ocl_qr_select_mask(const unsigned char *symbol, int width, ocl_ec_level level,
                       unsigned char *out, size_t stride)
{
    if (width < 21 || width > WIDTH_MAX)
        return -1;
    bitmatrix *m = malloc(3 * sizeof(bitmatrix) + sizeof(mask_words));
    if (!m)
        return -1;
    bitmatrix *base = &m[0], *function = &m[1], *trial = &m[2];
    mask_words *patterns = (mask_words *)&m[3];
    load_symbol(symbol, width, base, function);
    make_mask_words(base->words, patterns);
    int best_mask = 0, best_penalty = INT_MAX;
    for (int mask = 0; mask < 8; mask++) {
        apply_mask(base, function, patterns, level, mask, trial);
        int p = penalty(trial);
        if (p < best_penalty)
            best_mask = mask, best_penalty = p;
    }
    apply_mask(base, function, patterns, level, best_mask, trial);
    for (int y = 0; y < width; y++) {
        unsigned char *dst = out + (size_t)y * stride;
        int x = 0;
        for (; x + 8 <= width; x += 8)
            store_le64(dst + x, spread8((unsigned)(trial->rows[y][x >> 6] >> (x & 63))));
        for (; x < width; x++)
            dst[x] = (unsigned char)get_bit(trial->rows[y], x);
    }
    free(m);
    return best_mask;
}
