/*
 * QR mask selection, bit-parallel.
 *
 * ISO/IEC 18004 has the encoder try all eight data masks and keep the one
 * with the lowest penalty. libqrencode does this a module at a time, and it
 * is more than half of the cost of a code. Here each row and each column is
 * a bitset, so that a mask is applied with a few XORs per line and most
 * penalty rules are popcounts; only the finder-like rule walks runs. The
 * rules are those libqrencode applies (N1 to N4, quiet zone counted as light
 * at the symbol's edge), so the symbol chosen is the one it would choose.
 */
#include "internal.h"

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

/* The eight mask conditions: a data module is inverted where true. */
static int mask_condition(int mask, int x, int y)
{
    switch (mask) {
    case 0:
        return (x + y) % 2 == 0;
    case 1:
        return y % 2 == 0;
    case 2:
        return x % 3 == 0;
    case 3:
        return (x + y) % 3 == 0;
    case 4:
        return (y / 2 + x / 3) % 2 == 0;
    case 5:
        return (x * y) % 2 + (x * y) % 3 == 0;
    case 6:
        return ((x * y) % 2 + (x * y) % 3) % 2 == 0;
    default:
        return ((x * y) % 3 + (x + y) % 2) % 2 == 0;
    }
}

/* Every mask repeats every 6 modules along x and every 12 along y; a word
 * of the pattern is its first period, doubled until the word is full. */
static uint64_t pattern_word(int mask, int along_x, int fixed, int start)
{
    int period = along_x ? 6 : 12;
    uint64_t v = 0;
    for (int i = 0; i < period; i++) {
        int a = start + i;
        if (along_x ? mask_condition(mask, a, fixed) : mask_condition(mask, fixed, a))
            v |= (uint64_t)1 << i;
    }
    for (int filled = period; filled < 64; filled *= 2)
        v |= v << filled;
    return v;
}

/* Portable popcount; compilers turn this idiom into the instruction where
 * the target has one. */
static int popcount64(uint64_t v)
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

/* Applies `mask` to the unmasked symbol, writing function modules as they
 * are and the format information of (level, mask). */
static void apply_mask(const bitmatrix *base, const bitmatrix *function, ocl_ec_level level,
                       int mask, bitmatrix *out)
{
    int w = base->width, words = base->words;
    line row_pattern[12], col_pattern[6];
    for (int r = 0; r < 12; r++)
        for (int k = 0; k < words; k++)
            row_pattern[r][k] = pattern_word(mask, 1, r, 64 * k);
    for (int c = 0; c < 6; c++)
        for (int k = 0; k < words; k++)
            col_pattern[c][k] = pattern_word(mask, 0, c, 64 * k);
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

/* Bit p of the result is bit p + shift of v; positions outside the word
 * read as `fill`. */
static uint64_t at(uint64_t v, int shift, int fill)
{
    if (shift >= 64 || shift <= -64)
        return fill ? ~(uint64_t)0 : 0;
    if (shift >= 0)
        return shift == 0 ? v : (v >> shift) | (fill ? ~(~(uint64_t)0 >> shift) : 0);
    return (v << -shift) | (fill ? ((uint64_t)1 << -shift) - 1 : 0);
}

/* AND of the bits p + from .. p + to - 1, for every p at once. */
static uint64_t all_of(uint64_t v, int from, int to, int fill)
{
    uint64_t r = ~(uint64_t)0;
    for (int j = from; j < to; j++)
        r &= at(v, j, fill);
    return r;
}

/* line_penalty for a line of at most 64 modules, without walking runs:
 * N1 from the starts of five-module windows, N3 by matching the pattern at
 * every position at once, one scale (1:1:3:1:1 times f) after another, as
 * long as a dark run of 3f modules exists. Outside the line is light, as
 * the quiet zone is. */
static int line_penalty_word(uint64_t dark, int width)
{
    uint64_t valid = width == 64 ? ~(uint64_t)0 : ((uint64_t)1 << width) - 1;
    uint64_t light = ~dark; /* past the edge too */
    int penalty = 0;
    const uint64_t colours[2] = {dark, light & valid};
    for (int c = 0; c < 2; c++) {
        uint64_t five = all_of(colours[c], 0, 5, 0);
        penalty += popcount64(five) + 2 * popcount64(five & ~(five << 1));
    }
    uint64_t run = dark; /* starts of dark runs of at least k modules */
    int k = 1;
    for (int f = 1; 7 * f <= width; f++) {
        for (; k < 3 * f; k++)
            run &= dark >> k;
        if (!run)
            break;
        uint64_t match = all_of(dark, 0, f, 0) & all_of(light, f, 2 * f, 1) &
                         all_of(dark, 2 * f, 5 * f, 0) & all_of(light, 5 * f, 6 * f, 1) &
                         all_of(dark, 6 * f, 7 * f, 0) & at(light, -1, 1) & at(light, 7 * f, 1);
        uint64_t before = all_of(light, -4 * f, 0, 1), after = all_of(light, 7 * f, 11 * f, 1);
        match &= (before | after) & valid;
        penalty += PENALTY_N3 * popcount64(match);
    }
    return penalty;
}

static int penalty(const bitmatrix *m)
{
    int w = m->width, words = m->words, dark = 0, total = 0;
    for (int y = 0; y < w; y++) {
        for (int k = 0; k < words; k++)
            dark += popcount64(m->rows[y][k]);
        if (words == 1)
            total += line_penalty_word(m->rows[y][0], w) + line_penalty_word(m->cols[y][0], w);
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

int ocl_qr_select_mask(const unsigned char *symbol, int width, ocl_ec_level level,
                       unsigned char *out)
{
    if (width < 21 || width > WIDTH_MAX)
        return -1;
    bitmatrix *m = calloc(4, sizeof(bitmatrix));
    if (!m)
        return -1;
    bitmatrix *base = &m[0], *function = &m[1], *trial = &m[2], *best = &m[3];
    int words = (width + 63) / 64;
    base->width = function->width = width;
    base->words = function->words = words;
    /* Bits past the edge are "function" so that no mask ever sets them. */
    for (int i = 0; i < width; i++) {
        for (int b = width; b < 64 * words; b++) {
            set_bit(function->rows[i], b, 1);
            set_bit(function->cols[i], b, 1);
        }
    }
    /* Undo mask 0 on data modules; clear the format modules. */
    for (int y = 0; y < width; y++) {
        for (int x = 0; x < width; x++) {
            unsigned char v = symbol[(size_t)y * (size_t)width + (size_t)x];
            int is_function = (v & 0x80) != 0;
            int dark = v & 1;
            if (!is_function)
                dark ^= mask_condition(0, x, y);
            if (is_function)
                put_module(function, x, y, 1);
            put_module(base, x, y, dark);
        }
    }
    for (int i = 0; i < 15; i++) {
        int xy[4];
        format_positions(width, i, xy);
        put_module(base, xy[0], xy[1], 0);
        put_module(base, xy[2], xy[3], 0);
    }
    int best_mask = -1, best_penalty = 0;
    for (int mask = 0; mask < 8; mask++) {
        apply_mask(base, function, level, mask, trial);
        int p = penalty(trial);
        if (best_mask < 0 || p < best_penalty) {
            best_mask = mask, best_penalty = p;
            memcpy(best, trial, sizeof(*best));
        }
    }
    for (int y = 0; y < width; y++)
        for (int x = 0; x < width; x++)
            out[(size_t)y * (size_t)width + (size_t)x] = (unsigned char)get_bit(best->rows[y], x);
    free(m);
    return best_mask;
}
