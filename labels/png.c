/*
 * PNG output: 1-bit greyscale, each module a square of module_px pixels, the
 * resolution in the pHYs chunk so that print software sizes the code as
 * intended. Chunks IHDR, pHYs, one IDAT and IEND, built in memory.
 *
 * The image data is compressed here rather than by libpng and zlib's
 * general search, which hashed every byte of rows that mostly repeat and
 * cost more than the rest of a code: the rows of a code come in groups of
 * module_px equal rows, so a row equal to the one above is one
 * back-reference to it (runs of such rows are one match per 258 bytes), and
 * the other rows are literals under Huffman codes made for this image (a
 * 1-bit row of squares uses few byte values). Rows are unfiltered. The
 * stream's Adler-32 is summed a distinct row at a time; zlib computes the
 * chunks' CRCs.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define OCL_MODULE_PX_MAX 100
#define LITLEN_CODES      286 /* literals, end of block, lengths */
#define DIST_CODES        30
#define CODELEN_CODES     19
#define END_OF_BLOCK      256
#define MATCH_MAX         258
#define MATCH_MIN         3
#define DISTANCE_MAX      32768
#define CODE_BITS_MAX     15
#define CODELEN_BITS_MAX  7

static ocl_result options_check(const ocl_qr *qr, const ocl_image_options *options)
{
    if (!qr || !qr->modules || qr->size <= 0 || !options)
        return OCL_EINVAL;
    if (options->module_px < 1 || options->module_px > OCL_MODULE_PX_MAX || options->dpi < 1)
        return OCL_EINVAL;
    return OCL_OK;
}

/* Room for `more` bytes past out->len. */
static ocl_result reserve(ocl_buffer *out, size_t more)
{
    if (more <= out->cap - out->len)
        return OCL_OK;
    size_t cap = out->cap ? out->cap : 4096;
    while (cap - out->len < more) {
        if (cap > ((size_t)-1) / 2)
            return OCL_ENOMEM;
        cap *= 2;
    }
    unsigned char *grown = realloc(out->data, cap);
    if (!grown)
        return OCL_ENOMEM;
    out->data = grown;
    out->cap = cap;
    return OCL_OK;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* ---------- Huffman codes ---------- */

/* A code as deflate writes it: bits reversed, since the stream is read
 * from the least significant bit. */
typedef struct {
    uint16_t bits;
    uint8_t len;
} code;

/* Huffman code lengths of n <= LITLEN_CODES symbols, none over `limit`
 * bits. Where Huffman's would be longer, the counts are halved (a used
 * symbol stays used) until it fits. Two symbols at least get a code, so
 * that the code is complete, as every decoder accepts. */
static void code_lengths(const uint32_t *counts, int n, int limit, code *codes)
{
    uint32_t weight[2 * LITLEN_CODES];
    int symbol[LITLEN_CODES], parent[2 * LITLEN_CODES], depth[2 * LITLEN_CODES];
    int used = 0;
    for (int s = 0; s < n; s++) {
        codes[s].len = 0;
        if (counts[s])
            symbol[used++] = s;
    }
    for (int s = 0; used < 2; s++) /* symbols 0 and 1 when needed */
        if (!counts[s])
            symbol[used++] = s;
    uint32_t scale = 0;
    for (;;) {
        /* Leaves by weight, lightest first (insertion sort: few symbols). */
        for (int i = 0; i < used; i++) {
            int s = symbol[i];
            uint32_t w = counts[s] ? ((counts[s] - 1) >> scale) + 1 : 1;
            int j = i;
            for (; j > 0 && weight[j - 1] > w; j--) {
                weight[j] = weight[j - 1];
                symbol[j] = symbol[j - 1];
            }
            weight[j] = w;
            symbol[j] = s;
        }
        /* Two queues: leaves in order, and inner nodes, made in order of
         * weight; a parent is always made after its children. */
        int leaf = 0, inner = used, next = used;
        while (next < 2 * used - 1) {
            int pick[2];
            for (int k = 0; k < 2; k++) {
                if (leaf < used && (inner >= next || weight[leaf] <= weight[inner]))
                    pick[k] = leaf++;
                else
                    pick[k] = inner++;
            }
            weight[next] = weight[pick[0]] + weight[pick[1]];
            parent[pick[0]] = parent[pick[1]] = next;
            next++;
        }
        depth[next - 1] = 0;
        int longest = 0;
        for (int node = next - 2; node >= 0; node--) {
            depth[node] = depth[parent[node]] + 1;
            if (node < used && depth[node] > longest)
                longest = depth[node];
        }
        if (longest <= limit) {
            for (int i = 0; i < used; i++)
                codes[symbol[i]].len = (uint8_t)depth[i];
            return;
        }
        scale++;
    }
}

/* Canonical codes from their lengths (RFC 1951, 3.2.2). */
static void assign_codes(code *codes, int n)
{
    int count[CODE_BITS_MAX + 1] = {0};
    unsigned next[CODE_BITS_MAX + 1];
    for (int s = 0; s < n; s++)
        count[codes[s].len]++;
    count[0] = 0;
    unsigned c = 0;
    for (int bits = 1; bits <= CODE_BITS_MAX; bits++) {
        c = (c + (unsigned)count[bits - 1]) << 1;
        next[bits] = c;
    }
    for (int s = 0; s < n; s++) {
        int len = codes[s].len;
        if (!len)
            continue;
        unsigned v = next[len]++, reversed = 0;
        for (int i = 0; i < len; i++, v >>= 1)
            reversed = (reversed << 1) | (v & 1);
        codes[s].bits = (uint16_t)reversed;
    }
}

/* ---------- the deflate stream ---------- */

/* Deflate's length and distance codes: base value and extra bits. */
static const uint16_t length_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                         15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                         67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[DIST_CODES] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[DIST_CODES] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                               6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* The code whose base is the largest not above value. */
static int code_of(const uint16_t *base, int n, unsigned value)
{
    int c = n - 1;
    while (base[c] > value)
        c--;
    return c;
}

/* What to write: a size and a way to fill each row of 1-bit pixels
 * (bit set = white). */
typedef struct {
    uint32_t width, height;
    int dpi;
    void (*fill)(const void *source, uint32_t y, unsigned char *row, size_t row_bytes);
    const void *source;
    uint32_t group; /* rows come in groups of this many equal rows */
} image_source;

/* The rows as deflate will see them: each row that differs from the one
 * above, after its filter byte (0), one after another in `lines`, and for
 * every row whether it repeats the row above. */
typedef struct {
    size_t line; /* filter byte and pixels */
    unsigned char *lines;
    unsigned char *same;
} row_plan;

static void plan_rows(const image_source *src, row_plan *plan)
{
    unsigned char *last = NULL, *next = plan->lines;
    for (uint32_t y = 0; y < src->height; y++) {
        plan->same[y] = y % src->group != 0;
        if (plan->same[y])
            continue;
        next[0] = 0;
        src->fill(src, y, next + 1, plan->line - 1);
        plan->same[y] = last && memcmp(last, next, plan->line) == 0;
        if (!plan->same[y]) {
            last = next;
            next += plan->line;
        }
    }
}

/* Adler-32 (RFC 1950) kept as A, the sum of the bytes, and B, the sum of
 * the As; for a line of n bytes, `sum` and `weighted` are what it adds to
 * A and to B from A = 0 (bytes weighted n, n - 1, ..., 1), so that a line
 * repeated k times is added at once. */
#define ADLER_BASE 65521u

typedef struct {
    uint64_t sum, weighted;
} line_sums;

static line_sums sums_of(const unsigned char *bytes, size_t n)
{
    uint64_t sum = 0, weighted = 0;
    while (n) {
        size_t chunk = n < 4096 ? n : 4096; /* keeps both far from overflowing */
        for (size_t i = 0; i < chunk; i++) {
            sum += bytes[i];
            weighted += sum;
        }
        sum %= ADLER_BASE, weighted %= ADLER_BASE;
        bytes += chunk, n -= chunk;
    }
    return (line_sums){sum, weighted};
}

static uint32_t adler_append(uint32_t adler, line_sums s, size_t n, uint32_t times)
{
    uint64_t a = adler & 0xFFFF, b = adler >> 16;
    uint64_t k = times % ADLER_BASE, len = n % ADLER_BASE;
    uint64_t pairs = (uint64_t)times * (times - 1) / 2 % ADLER_BASE; /* k copies before */
    b = (b + k * len % ADLER_BASE * a + k * s.weighted + s.sum * len % ADLER_BASE * pairs) %
        ADLER_BASE;
    a = (a + k * s.sum) % ADLER_BASE;
    return (uint32_t)(b << 16 | a);
}

/* Walks the rows twice: once counting symbols, once writing them with the
 * codes made from the counts. */
typedef struct {
    int writing;
    uint32_t litlen_counts[LITLEN_CODES], dist_counts[DIST_CODES];
    code litlen[LITLEN_CODES], dist[DIST_CODES];
    ocl_buffer *out;
    uint64_t bits;
    int nbits;
} deflater;

/* Appends n <= 32 bits; the caller has reserved room. */
static void put_bits(deflater *d, uint32_t value, int n)
{
    d->bits |= (uint64_t)value << d->nbits;
    d->nbits += n;
    if (d->nbits >= 32) {
        unsigned char *p = d->out->data + d->out->len;
        p[0] = (unsigned char)d->bits;
        p[1] = (unsigned char)(d->bits >> 8);
        p[2] = (unsigned char)(d->bits >> 16);
        p[3] = (unsigned char)(d->bits >> 24);
        d->out->len += 4;
        d->bits >>= 32;
        d->nbits -= 32;
    }
}

static void put_code(deflater *d, code c)
{
    put_bits(d, c.bits, c.len);
}

static void literals(deflater *d, const unsigned char *bytes, size_t n)
{
    if (!d->writing) {
        for (size_t i = 0; i < n; i++)
            d->litlen_counts[bytes[i]]++;
        return;
    }
    /* Two codes (30 bits at most) between checks, in locals. */
    uint64_t bits = d->bits;
    int nbits = d->nbits;
    unsigned char *out = d->out->data + d->out->len;
    for (size_t i = 0; i < n; i += 2) {
        code c = d->litlen[bytes[i]];
        bits |= (uint64_t)c.bits << nbits;
        nbits += c.len;
        if (i + 1 < n) {
            c = d->litlen[bytes[i + 1]];
            bits |= (uint64_t)c.bits << nbits;
            nbits += c.len;
        }
        if (nbits >= 32) {
            out[0] = (unsigned char)bits, out[1] = (unsigned char)(bits >> 8);
            out[2] = (unsigned char)(bits >> 16), out[3] = (unsigned char)(bits >> 24);
            out += 4, bits >>= 32, nbits -= 32;
        }
    }
    d->bits = bits;
    d->nbits = nbits;
    d->out->len = (size_t)(out - d->out->data);
}

/* `total` bytes copied from `distance` back (code dc), as matches of at
 * most 258 bytes. */
static void matches(deflater *d, size_t total, unsigned distance, int dc)
{
    while (total) {
        size_t len = total;
        if (len > MATCH_MAX)
            len = total - MATCH_MAX < MATCH_MIN ? total - MATCH_MIN : MATCH_MAX;
        total -= len;
        int lc = code_of(length_base, 29, (unsigned)len);
        if (!d->writing) {
            d->litlen_counts[END_OF_BLOCK + 1 + lc]++;
            d->dist_counts[dc]++;
            continue;
        }
        put_code(d, d->litlen[END_OF_BLOCK + 1 + lc]);
        put_bits(d, (uint32_t)len - length_base[lc], length_extra[lc]);
        put_code(d, d->dist[dc]);
        put_bits(d, distance - dist_base[dc], dist_extra[dc]);
    }
}

/* One pass over the rows: a row that repeats the row above is part of a
 * match one line back (when a match can be that long and reach that far),
 * any other row literals. When writing, also the Adler-32 of the rows. */
static ocl_result walk_rows(deflater *d, const image_source *src, const row_plan *plan,
                            uint32_t *adler)
{
    size_t line = plan->line;
    int can_match = line >= MATCH_MIN && line <= DISTANCE_MAX;
    int dc = code_of(dist_base, DIST_CODES, (unsigned)(can_match ? line : 1));
    const unsigned char *next = plan->lines, *last = NULL;
    line_sums sums = {0, 0};
    *adler = 1;
    for (uint32_t y = 0; y < src->height;) {
        uint32_t run = 0;
        while (can_match && y + run < src->height && plan->same[y + run])
            run++;
        size_t room = run ? (size_t)run * line / MATCH_MAX * 8 + 32 : line * 2 + 32;
        if (d->writing && reserve(d->out, room) != OCL_OK)
            return OCL_ENOMEM;
        if (run) {
            matches(d, (size_t)run * line, (unsigned)line, dc);
            if (d->writing)
                *adler = adler_append(*adler, sums, line, run);
            y += run;
            continue;
        }
        if (!plan->same[y]) /* else a repeat that no match can reach */
            last = next, next += line;
        if (d->writing) {
            sums = sums_of(last, line);
            *adler = adler_append(*adler, sums, line, 1);
        }
        literals(d, last, line);
        y++;
    }
    return OCL_OK;
}

/* The code lengths of both codes, run-length coded with symbols 16 (repeat
 * the last 3-6 times), 17 (3-10 zeros) and 18 (11-138 zeros). */
typedef struct {
    uint8_t symbol, extra;
} codelen_token;

static int codelen_tokens(const uint8_t *lengths, int n, codelen_token *tokens)
{
    int count = 0;
    for (int i = 0; i < n;) {
        int v = lengths[i], run = 1;
        while (i + run < n && lengths[i + run] == v)
            run++;
        i += run;
        if (v == 0) {
            for (; run >= 11; run -= run < 138 ? run : 138)
                tokens[count++] = (codelen_token){18, (uint8_t)((run < 138 ? run : 138) - 11)};
            if (run >= 3)
                tokens[count++] = (codelen_token){17, (uint8_t)(run - 3)}, run = 0;
        } else {
            tokens[count++] = (codelen_token){(uint8_t)v, 0}, run--;
            for (; run >= 3; run -= run < 6 ? run : 6)
                tokens[count++] = (codelen_token){16, (uint8_t)((run < 6 ? run : 6) - 3)};
        }
        for (; run > 0; run--)
            tokens[count++] = (codelen_token){(uint8_t)v, 0};
    }
    return count;
}

/* The block header: BFINAL, dynamic codes, and the codes themselves. */
static void put_header(deflater *d)
{
    static const uint8_t order[CODELEN_CODES] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                 11, 4,  12, 3, 13, 2, 14, 1, 15};
    static const uint8_t codelen_extra[3] = {2, 3, 7};
    int hlit = LITLEN_CODES, hdist = DIST_CODES;
    while (hlit > END_OF_BLOCK + 1 && !d->litlen[hlit - 1].len)
        hlit--;
    while (hdist > 1 && !d->dist[hdist - 1].len)
        hdist--;
    uint8_t lengths[LITLEN_CODES + DIST_CODES];
    for (int s = 0; s < hlit; s++)
        lengths[s] = d->litlen[s].len;
    for (int s = 0; s < hdist; s++)
        lengths[hlit + s] = d->dist[s].len;
    codelen_token tokens[LITLEN_CODES + DIST_CODES];
    int ntokens = codelen_tokens(lengths, hlit + hdist, tokens);
    uint32_t counts[CODELEN_CODES] = {0};
    for (int i = 0; i < ntokens; i++)
        counts[tokens[i].symbol]++;
    code codelen[CODELEN_CODES];
    code_lengths(counts, CODELEN_CODES, CODELEN_BITS_MAX, codelen);
    assign_codes(codelen, CODELEN_CODES);
    int hclen = CODELEN_CODES;
    while (hclen > 4 && !codelen[order[hclen - 1]].len)
        hclen--;
    put_bits(d, 1 | 2 << 1, 3);
    put_bits(d, (uint32_t)(hlit - 257), 5);
    put_bits(d, (uint32_t)(hdist - 1), 5);
    put_bits(d, (uint32_t)(hclen - 4), 4);
    for (int i = 0; i < hclen; i++)
        put_bits(d, codelen[order[i]].len, 3);
    for (int i = 0; i < ntokens; i++) {
        put_code(d, codelen[tokens[i].symbol]);
        if (tokens[i].symbol >= 16)
            put_bits(d, tokens[i].extra, codelen_extra[tokens[i].symbol - 16]);
    }
}

/* The zlib stream of the image's rows, appended to out. */
static ocl_result deflate_rows(const image_source *src, ocl_buffer *out)
{
    size_t line = ((size_t)src->width + 7) / 8 + 1;
    size_t distinct = src->height / src->group + 1;
    row_plan plan = {line, malloc(distinct * line + src->height), NULL};
    deflater *d = calloc(1, sizeof(*d));
    if (!plan.lines || !d) {
        free(plan.lines);
        free(d);
        return OCL_ENOMEM;
    }
    plan.same = plan.lines + distinct * line;
    plan_rows(src, &plan);
    uint32_t adler;
    walk_rows(d, src, &plan, &adler);
    d->litlen_counts[END_OF_BLOCK] = 1;
    code_lengths(d->litlen_counts, LITLEN_CODES, CODE_BITS_MAX, d->litlen);
    code_lengths(d->dist_counts, DIST_CODES, CODE_BITS_MAX, d->dist);
    assign_codes(d->litlen, LITLEN_CODES);
    assign_codes(d->dist, DIST_CODES);

    ocl_result rc = reserve(out, 2 + 1024); /* the header's codes take under 600 */
    if (rc == OCL_OK) {
        static const unsigned char zlib_header[2] = {0x78, 0x01}; /* deflate, 32 KB window */
        memcpy(out->data + out->len, zlib_header, 2);
        out->len += 2;
        d->out = out;
        d->writing = 1;
        put_header(d);
        rc = walk_rows(d, src, &plan, &adler);
    }
    if (rc == OCL_OK)
        rc = reserve(out, 16);
    if (rc == OCL_OK) {
        put_code(d, d->litlen[END_OF_BLOCK]);
        put_bits(d, 0, (32 - d->nbits % 8) % 8);
        for (; d->nbits > 0; d->nbits -= 8, d->bits >>= 8)
            out->data[out->len++] = (unsigned char)d->bits;
        put_be32(out->data + out->len, adler);
        out->len += 4;
    }
    free(plan.lines);
    free(d);
    return rc;
}

/* ---------- chunks ---------- */

/* Writes a chunk's length and type; the data follows, then end_chunk. */
static ocl_result begin_chunk(ocl_buffer *out, const char *type, size_t data_len)
{
    ocl_result rc = reserve(out, 8 + data_len + 4);
    if (rc != OCL_OK)
        return rc;
    put_be32(out->data + out->len, (uint32_t)data_len);
    memcpy(out->data + out->len + 4, type, 4);
    out->len += 8;
    return OCL_OK;
}

/* Sets the length of the chunk that starts at `start` and appends its CRC
 * (of type and data). */
static ocl_result end_chunk(ocl_buffer *out, size_t start)
{
    ocl_result rc = reserve(out, 4);
    if (rc != OCL_OK)
        return rc;
    size_t data_len = out->len - start - 8;
    if (data_len > 0x7FFFFFFFu)
        return OCL_ERANGE;
    put_be32(out->data + start, (uint32_t)data_len);
    uLong crc = crc32_z(crc32(0L, Z_NULL, 0), out->data + start + 4, data_len + 4);
    put_be32(out->data + out->len, (uint32_t)crc);
    out->len += 4;
    return OCL_OK;
}

static ocl_result put_ihdr(const image_source *src, ocl_buffer *out)
{
    static const unsigned char gray_1bit[5] = {1, 0, 0, 0, 0}; /* depth, colour, methods */
    size_t chunk = out->len;
    ocl_result rc = begin_chunk(out, "IHDR", 13);
    if (rc != OCL_OK)
        return rc;
    put_be32(out->data + out->len, src->width);
    put_be32(out->data + out->len + 4, src->height);
    memcpy(out->data + out->len + 8, gray_1bit, 5);
    out->len += 13;
    return end_chunk(out, chunk);
}

static ocl_result put_phys(const image_source *src, ocl_buffer *out)
{
    size_t chunk = out->len;
    ocl_result rc = begin_chunk(out, "pHYs", 9);
    if (rc != OCL_OK)
        return rc;
    uint32_t ppm = (uint32_t)(src->dpi / 0.0254 + 0.5);
    put_be32(out->data + out->len, ppm);
    put_be32(out->data + out->len + 4, ppm);
    out->data[out->len + 8] = 1; /* per metre */
    out->len += 9;
    return end_chunk(out, chunk);
}

static ocl_result put_idat(const image_source *src, ocl_buffer *out)
{
    size_t chunk = out->len;
    ocl_result rc = begin_chunk(out, "IDAT", 0);
    if (rc == OCL_OK)
        rc = deflate_rows(src, out);
    return rc == OCL_OK ? end_chunk(out, chunk) : rc;
}

static ocl_result put_iend(ocl_buffer *out)
{
    size_t chunk = out->len;
    ocl_result rc = begin_chunk(out, "IEND", 0);
    return rc == OCL_OK ? end_chunk(out, chunk) : rc;
}

/* The whole file, appended to out; on failure out is as it was. */
static ocl_result write_png(const image_source *src, ocl_buffer *out)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (src->width > 0x7FFFFFFFu || src->height > 0x7FFFFFFFu)
        return OCL_ERANGE;
    size_t start = out->len;
    ocl_result rc = reserve(out, sizeof(signature));
    if (rc == OCL_OK) {
        memcpy(out->data + out->len, signature, sizeof(signature));
        out->len += sizeof(signature);
        rc = put_ihdr(src, out);
    }
    if (rc == OCL_OK)
        rc = put_phys(src, out);
    if (rc == OCL_OK)
        rc = put_idat(src, out);
    if (rc == OCL_OK)
        rc = put_iend(out);
    if (rc != OCL_OK)
        out->len = start;
    return rc;
}

/* ---------- sources ---------- */

/* Pixel bits gathered in a word (n <= 32 at a time, so that it never holds
 * 64) and stored four bytes at a time. */
typedef struct {
    uint64_t bits;
    int count;
    unsigned char *out;
} pixel_writer;

static inline void put_pixels(pixel_writer *w, uint64_t bits, int n)
{
    w->bits = w->bits << n | bits;
    w->count += n;
    if (w->count >= 32) {
        w->count -= 32;
        put_be32(w->out, (uint32_t)(w->bits >> w->count));
        w->out += 4;
    }
}

/* Pixel row y of a QR symbol: its module row, each module px wide, white
 * past the edge. */
static void qr_row(const void *source, uint32_t y, unsigned char *row, size_t row_bytes)
{
    const image_source *src = source;
    const ocl_qr *qr = src->source;
    const unsigned char *modules = qr->modules + (size_t)(y / src->group) * (size_t)qr->size;
    int px = (int)src->group, tail = (px - 1) % 32 + 1, full = (px - tail) / 32;
    uint64_t tail_ones = ((uint64_t)1 << tail) - 1;
    pixel_writer w = {0, 0, row};
    for (int x = 0; x < qr->size && full == 0; x++) /* up to 32 px, the usual case */
        put_pixels(&w, -(uint64_t)(modules[x] == 0) & tail_ones, tail);
    for (int x = 0; x < qr->size && full > 0; x++) {
        uint64_t light = -(uint64_t)(modules[x] == 0);
        for (int i = 0; i < full; i++)
            put_pixels(&w, light & 0xFFFFFFFFu, 32);
        put_pixels(&w, light & tail_ones, tail);
    }
    for (; w.out < row + row_bytes; w.out++, w.count -= 8) {
        uint64_t byte = w.count >= 8 ? w.bits >> (w.count - 8) : w.bits << (8 - w.count);
        *w.out = (unsigned char)(byte | (w.count >= 8 ? 0 : 0xFFu >> w.count));
    }
}

typedef struct {
    const unsigned char *bits;
    size_t row_bytes;
} bitmap;

static void bitmap_row(const void *source, uint32_t y, unsigned char *row, size_t row_bytes)
{
    const bitmap *bm = ((const image_source *)source)->source;
    memcpy(row, bm->bits + (size_t)y * bm->row_bytes, row_bytes);
}

static ocl_result write_qr(const ocl_qr *qr, const ocl_image_options *options, ocl_buffer *out)
{
    ocl_result rc = options_check(qr, options);
    if (rc != OCL_OK)
        return rc;
    uint32_t side = (uint32_t)qr->size * (uint32_t)options->module_px;
    image_source src = {side, side, options->dpi, qr_row, qr, (uint32_t)options->module_px};
    return write_png(&src, out);
}

ocl_result ocl_png_bitmap_buffer(const unsigned char *bits, int width, int height, int dpi,
                                 ocl_buffer *out)
{
    if (!bits || width < 1 || height < 1 || dpi < 1 || !out)
        return OCL_EINVAL;
    bitmap bm = {bits, ((size_t)width + 7) / 8};
    image_source src = {(uint32_t)width, (uint32_t)height, dpi, bitmap_row, &bm, 1};
    return write_png(&src, out);
}

ocl_result ocl_png_write(const ocl_qr *qr, const ocl_image_options *options, FILE *out)
{
    if (!out)
        return OCL_EINVAL;
    ocl_buffer png = {0};
    ocl_result rc = write_qr(qr, options, &png);
    if (rc == OCL_OK && fwrite(png.data, 1, png.len, out) != png.len)
        rc = OCL_EIO;
    ocl_buffer_free(&png);
    return rc;
}

ocl_result ocl_png_write_buffer(const ocl_qr *qr, const ocl_image_options *options, ocl_buffer *out)
{
    if (!out)
        return OCL_EINVAL;
    return write_qr(qr, options, out);
}
