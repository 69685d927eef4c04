/*
 * Text as printed dots: FreeType draws each glyph of the TrueType font the
 * PDF embeds into a 1-bit bitmap at the printer's resolution, so that a
 * thermal label carries the same letters as the PDF, Vietnamese marks
 * included, whatever fonts the printer has. Glyphs advance by the widths
 * the PDF uses, so lines break and end where they do on the PDF; drawn
 * glyphs are cached, as a job draws the same few letters on every label.
 */
#include "raster.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_ADVANCES_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------- bitmaps ---------- */

ocl_result ocl_bitmap_init(ocl_bitmap *bitmap, int width, int height)
{
    memset(bitmap, 0, sizeof(*bitmap));
    if (width <= 0 || height <= 0 || width > 1 << 16 || height > 1 << 16)
        return OCL_ERANGE;
    bitmap->stride = (width + 7) / 8;
    bitmap->bits = calloc((size_t)bitmap->stride * (size_t)height, 1);
    if (!bitmap->bits)
        return OCL_ENOMEM;
    bitmap->width = width;
    bitmap->height = height;
    return OCL_OK;
}

void ocl_bitmap_free(ocl_bitmap *bitmap)
{
    free(bitmap->bits);
    memset(bitmap, 0, sizeof(*bitmap));
}

int ocl_bitmap_get(const ocl_bitmap *bitmap, int x, int y)
{
    if (x < 0 || y < 0 || x >= bitmap->width || y >= bitmap->height)
        return 0;
    return bitmap->bits[(size_t)y * (size_t)bitmap->stride + (size_t)(x >> 3)] >> (7 - (x & 7)) & 1;
}

void ocl_bitmap_set(ocl_bitmap *bitmap, int x, int y)
{
    if (x >= 0 && y >= 0 && x < bitmap->width && y < bitmap->height)
        bitmap->bits[(size_t)y * (size_t)bitmap->stride + (size_t)(x >> 3)] |=
            (unsigned char)(0x80u >> (x & 7));
}

void ocl_bitmap_fill(ocl_bitmap *bitmap, int x, int y, int width, int height)
{
    for (int row = y < 0 ? 0 : y; row < y + height && row < bitmap->height; row++)
        for (int col = x < 0 ? 0 : x; col < x + width && col < bitmap->width; col++)
            ocl_bitmap_set(bitmap, col, row);
}

#define POLYGON_MAX 32

void ocl_bitmap_polygon(ocl_bitmap *bitmap, const double *xy, int points)
{
    if (points < 3 || points > POLYGON_MAX)
        return;
    double top = xy[1], bottom = xy[1];
    for (int i = 1; i < points; i++) {
        top = xy[2 * i + 1] < top ? xy[2 * i + 1] : top;
        bottom = xy[2 * i + 1] > bottom ? xy[2 * i + 1] : bottom;
    }
    for (int row = (int)floor(top); row <= (int)ceil(bottom); row++) {
        double cy = row + 0.5, cross[POLYGON_MAX];
        int n = 0;
        for (int i = 0; i < points; i++) {
            const double *a = xy + 2 * i, *b = xy + 2 * ((i + 1) % points);
            if ((a[1] <= cy) != (b[1] <= cy))
                cross[n++] = a[0] + (cy - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
        }
        for (int i = 1; i < n; i++) /* a few crossings: insertion sort */
            for (int k = i; k > 0 && cross[k - 1] > cross[k]; k--) {
                double t = cross[k];
                cross[k] = cross[k - 1];
                cross[k - 1] = t;
            }
        for (int i = 0; i + 1 < n; i += 2) {
            int from = (int)ceil(cross[i] - 0.5), to = (int)ceil(cross[i + 1] - 0.5);
            ocl_bitmap_fill(bitmap, from, row, to - from, 1);
        }
    }
}

/* The first and last printed columns of row y from x0 to x1 (exclusive),
 * a byte at a time; 0 when there are none. */
static int row_span(const ocl_bitmap *b, int y, int x0, int x1, int *first, int *last)
{
    x0 = x0 < 0 ? 0 : x0;
    x1 = x1 > b->width ? b->width : x1;
    if (y < 0 || y >= b->height || x0 >= x1)
        return 0;
    const unsigned char *row = b->bits + (size_t)y * (size_t)b->stride;
    int from = x0 >> 3, to = (x1 - 1) >> 3;
    unsigned head = 0xFFu >> (x0 & 7), tail = 0xFFu << (7 - ((x1 - 1) & 7)) & 0xFFu;
    int i = from;
    unsigned v = 0;
    for (; i <= to; i++) {
        v = row[i] & (i == from ? head : 0xFFu) & (i == to ? tail : 0xFFu);
        if (v)
            break;
    }
    if (i > to)
        return 0;
    *first = i * 8 + __builtin_clz(v) - 24; /* the byte's leftmost dot is its top bit */
    for (i = to;; i--) {
        v = row[i] & (i == from ? head : 0xFFu) & (i == to ? tail : 0xFFu);
        if (v)
            break;
    }
    *last = i * 8 + 7 - __builtin_ctz(v);
    return 1;
}

int ocl_bitmap_row_inked(const ocl_bitmap *bitmap, int y, int x0, int x1)
{
    int first, last;
    return row_span(bitmap, y, x0, x1, &first, &last);
}

int ocl_bitmap_ink(const ocl_bitmap *bitmap, int x, int y, int w, int h, int box[4])
{
    int x0 = x + w, y0 = y + h, x1 = x - 1, y1 = y - 1, first, last;
    for (int row = y; row < y + h; row++) {
        if (!row_span(bitmap, row, x, x + w, &first, &last))
            continue;
        y0 = row < y0 ? row : y0;
        y1 = row;
        x0 = first < x0 ? first : x0;
        x1 = last > x1 ? last : x1;
    }
    if (y1 < y0)
        return 0;
    box[0] = x0, box[1] = y0, box[2] = x1 - x0 + 1, box[3] = y1 - y0 + 1;
    return 1;
}

ocl_result ocl_bitmap_crop(const ocl_bitmap *from, int x, int y, int w, int h, ocl_bitmap *to)
{
    ocl_result rc = ocl_bitmap_init(to, w, h);
    if (rc != OCL_OK)
        return rc;
    int inside = x >= 0 && y >= 0 && x + w <= from->width && y + h <= from->height;
    for (int row = 0; row < h; row++) {
        unsigned char *dst = to->bits + (size_t)row * (size_t)to->stride;
        if (!inside) { /* a dot at a time, what lies outside left blank */
            for (int col = 0; col < w; col++)
                if (ocl_bitmap_get(from, x + col, y + row))
                    ocl_bitmap_set(to, col, row);
            continue;
        }
        const unsigned char *src = from->bits + (size_t)(y + row) * (size_t)from->stride + (x >> 3);
        int shift = x & 7, left = from->stride - (x >> 3);
        for (int i = 0; i < to->stride; i++) {
            unsigned v = (unsigned)src[i] << shift;
            if (shift && i + 1 < left)
                v |= src[i + 1] >> (8 - shift);
            dst[i] = (unsigned char)v;
        }
        if (w & 7) /* nothing past the width */
            dst[to->stride - 1] &= (unsigned char)(0xFFu << (8 - (w & 7)));
    }
    return OCL_OK;
}

/* ---------- composing marks (NFC for the letters of Vietnamese) ---------- */

/* (base, combining mark) -> precomposed letter, for the marks Vietnamese
 * uses (grave, acute, circumflex, tilde, breve, hook above, horn, dot
 * below), in order of base and mark. */
static const struct {
    uint16_t base, mark, letter;
} compositions[] = {
    {0x0041, 0x300, 0x00C0}, {0x0041, 0x301, 0x00C1}, {0x0041, 0x302, 0x00C2},
    {0x0041, 0x303, 0x00C3}, {0x0041, 0x306, 0x0102}, {0x0041, 0x309, 0x1EA2},
    {0x0041, 0x323, 0x1EA0}, {0x0043, 0x301, 0x0106}, {0x0043, 0x302, 0x0108},
    {0x0045, 0x300, 0x00C8}, {0x0045, 0x301, 0x00C9}, {0x0045, 0x302, 0x00CA},
    {0x0045, 0x303, 0x1EBC}, {0x0045, 0x306, 0x0114}, {0x0045, 0x309, 0x1EBA},
    {0x0045, 0x323, 0x1EB8}, {0x0047, 0x302, 0x011C}, {0x0047, 0x306, 0x011E},
    {0x0048, 0x302, 0x0124}, {0x0049, 0x300, 0x00CC}, {0x0049, 0x301, 0x00CD},
    {0x0049, 0x302, 0x00CE}, {0x0049, 0x303, 0x0128}, {0x0049, 0x306, 0x012C},
    {0x0049, 0x309, 0x1EC8}, {0x0049, 0x323, 0x1ECA}, {0x004A, 0x302, 0x0134},
    {0x004C, 0x301, 0x0139}, {0x004E, 0x301, 0x0143}, {0x004E, 0x303, 0x00D1},
    {0x004F, 0x300, 0x00D2}, {0x004F, 0x301, 0x00D3}, {0x004F, 0x302, 0x00D4},
    {0x004F, 0x303, 0x00D5}, {0x004F, 0x306, 0x014E}, {0x004F, 0x309, 0x1ECE},
    {0x004F, 0x31B, 0x01A0}, {0x004F, 0x323, 0x1ECC}, {0x0052, 0x301, 0x0154},
    {0x0053, 0x301, 0x015A}, {0x0053, 0x302, 0x015C}, {0x0055, 0x300, 0x00D9},
    {0x0055, 0x301, 0x00DA}, {0x0055, 0x302, 0x00DB}, {0x0055, 0x303, 0x0168},
    {0x0055, 0x306, 0x016C}, {0x0055, 0x309, 0x1EE6}, {0x0055, 0x31B, 0x01AF},
    {0x0055, 0x323, 0x1EE4}, {0x0057, 0x302, 0x0174}, {0x0059, 0x300, 0x1EF2},
    {0x0059, 0x301, 0x00DD}, {0x0059, 0x302, 0x0176}, {0x0059, 0x303, 0x1EF8},
    {0x0059, 0x309, 0x1EF6}, {0x0059, 0x323, 0x1EF4}, {0x005A, 0x301, 0x0179},
    {0x0061, 0x300, 0x00E0}, {0x0061, 0x301, 0x00E1}, {0x0061, 0x302, 0x00E2},
    {0x0061, 0x303, 0x00E3}, {0x0061, 0x306, 0x0103}, {0x0061, 0x309, 0x1EA3},
    {0x0061, 0x323, 0x1EA1}, {0x0063, 0x301, 0x0107}, {0x0063, 0x302, 0x0109},
    {0x0065, 0x300, 0x00E8}, {0x0065, 0x301, 0x00E9}, {0x0065, 0x302, 0x00EA},
    {0x0065, 0x303, 0x1EBD}, {0x0065, 0x306, 0x0115}, {0x0065, 0x309, 0x1EBB},
    {0x0065, 0x323, 0x1EB9}, {0x0067, 0x302, 0x011D}, {0x0067, 0x306, 0x011F},
    {0x0068, 0x302, 0x0125}, {0x0069, 0x300, 0x00EC}, {0x0069, 0x301, 0x00ED},
    {0x0069, 0x302, 0x00EE}, {0x0069, 0x303, 0x0129}, {0x0069, 0x306, 0x012D},
    {0x0069, 0x309, 0x1EC9}, {0x0069, 0x323, 0x1ECB}, {0x006A, 0x302, 0x0135},
    {0x006C, 0x301, 0x013A}, {0x006E, 0x301, 0x0144}, {0x006E, 0x303, 0x00F1},
    {0x006F, 0x300, 0x00F2}, {0x006F, 0x301, 0x00F3}, {0x006F, 0x302, 0x00F4},
    {0x006F, 0x303, 0x00F5}, {0x006F, 0x306, 0x014F}, {0x006F, 0x309, 0x1ECF},
    {0x006F, 0x31B, 0x01A1}, {0x006F, 0x323, 0x1ECD}, {0x0072, 0x301, 0x0155},
    {0x0073, 0x301, 0x015B}, {0x0073, 0x302, 0x015D}, {0x0075, 0x300, 0x00F9},
    {0x0075, 0x301, 0x00FA}, {0x0075, 0x302, 0x00FB}, {0x0075, 0x303, 0x0169},
    {0x0075, 0x306, 0x016D}, {0x0075, 0x309, 0x1EE7}, {0x0075, 0x31B, 0x01B0},
    {0x0075, 0x323, 0x1EE5}, {0x0077, 0x302, 0x0175}, {0x0079, 0x300, 0x1EF3},
    {0x0079, 0x301, 0x00FD}, {0x0079, 0x302, 0x0177}, {0x0079, 0x303, 0x1EF9},
    {0x0079, 0x309, 0x1EF7}, {0x0079, 0x323, 0x1EF5}, {0x007A, 0x301, 0x017A},
    {0x00C2, 0x300, 0x1EA6}, {0x00C2, 0x301, 0x1EA4}, {0x00C2, 0x303, 0x1EAA},
    {0x00C2, 0x309, 0x1EA8}, {0x00CA, 0x300, 0x1EC0}, {0x00CA, 0x301, 0x1EBE},
    {0x00CA, 0x303, 0x1EC4}, {0x00CA, 0x309, 0x1EC2}, {0x00D4, 0x300, 0x1ED2},
    {0x00D4, 0x301, 0x1ED0}, {0x00D4, 0x303, 0x1ED6}, {0x00D4, 0x309, 0x1ED4},
    {0x00E2, 0x300, 0x1EA7}, {0x00E2, 0x301, 0x1EA5}, {0x00E2, 0x303, 0x1EAB},
    {0x00E2, 0x309, 0x1EA9}, {0x00EA, 0x300, 0x1EC1}, {0x00EA, 0x301, 0x1EBF},
    {0x00EA, 0x303, 0x1EC5}, {0x00EA, 0x309, 0x1EC3}, {0x00F4, 0x300, 0x1ED3},
    {0x00F4, 0x301, 0x1ED1}, {0x00F4, 0x303, 0x1ED7}, {0x00F4, 0x309, 0x1ED5},
    {0x0102, 0x300, 0x1EB0}, {0x0102, 0x301, 0x1EAE}, {0x0102, 0x303, 0x1EB4},
    {0x0102, 0x309, 0x1EB2}, {0x0103, 0x300, 0x1EB1}, {0x0103, 0x301, 0x1EAF},
    {0x0103, 0x303, 0x1EB5}, {0x0103, 0x309, 0x1EB3}, {0x01A0, 0x300, 0x1EDC},
    {0x01A0, 0x301, 0x1EDA}, {0x01A0, 0x303, 0x1EE0}, {0x01A0, 0x309, 0x1EDE},
    {0x01A0, 0x323, 0x1EE2}, {0x01A1, 0x300, 0x1EDD}, {0x01A1, 0x301, 0x1EDB},
    {0x01A1, 0x303, 0x1EE1}, {0x01A1, 0x309, 0x1EDF}, {0x01A1, 0x323, 0x1EE3},
    {0x01AF, 0x300, 0x1EEA}, {0x01AF, 0x301, 0x1EE8}, {0x01AF, 0x303, 0x1EEE},
    {0x01AF, 0x309, 0x1EEC}, {0x01AF, 0x323, 0x1EF0}, {0x01B0, 0x300, 0x1EEB},
    {0x01B0, 0x301, 0x1EE9}, {0x01B0, 0x303, 0x1EEF}, {0x01B0, 0x309, 0x1EED},
    {0x01B0, 0x323, 0x1EF1}, {0x1EA0, 0x302, 0x1EAC}, {0x1EA0, 0x306, 0x1EB6},
    {0x1EA1, 0x302, 0x1EAD}, {0x1EA1, 0x306, 0x1EB7}, {0x1EB8, 0x302, 0x1EC6},
    {0x1EB9, 0x302, 0x1EC7}, {0x1ECC, 0x302, 0x1ED8}, {0x1ECD, 0x302, 0x1ED9},
};

static unsigned compose(unsigned base, unsigned mark)
{
    size_t lo = 0, hi = sizeof(compositions) / sizeof(compositions[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        unsigned b = compositions[mid].base, m = compositions[mid].mark;
        if (b == base && m == mark)
            return compositions[mid].letter;
        if (b < base || (b == base && m < mark))
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The code point at *p, moving *p past it; U+FFFD for a malformed byte. */
static unsigned next_code_point(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned c = s[0];
    int need = c < 0x80                 ? 0
               : c >= 0xC2 && c <= 0xDF ? 1
               : c >= 0xE0 && c <= 0xEF ? 2
               : c >= 0xF0 && c <= 0xF4 ? 3
                                        : -1;
    if (need < 0) {
        *p = s + 1;
        return 0xFFFD;
    }
    unsigned cp = need == 0 ? c : c & (0x3Fu >> need);
    for (int i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + 1;
            return 0xFFFD;
        }
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    *p = s + need + 1;
    return cp;
}

/* The next letter of the text, a base and its marks composed. */
static unsigned next_letter(const unsigned char **p)
{
    unsigned letter = next_code_point(p);
    for (;;) {
        const unsigned char *after = *p;
        if (!*after)
            return letter;
        unsigned composed = compose(letter, next_code_point(&after));
        if (!composed)
            return letter;
        letter = composed;
        *p = after;
    }
}

/* ---------- glyphs ---------- */

/* Light hinting (vertical only, so that advances stay the PDF's), drawn in
 * 256 levels and printed where a dot is half covered: at 5 pt and 203 dpi
 * this reads back (OCR) as well as FreeType's 1-bit rendering and keeps
 * the shapes of the PDF's outlines. */
#define LOAD_FLAGS    FT_LOAD_TARGET_LIGHT
#define RENDER_MODE   FT_RENDER_MODE_NORMAL
#define INK_THRESHOLD 128

#define CACHE_SLOTS 1024 /* a power of two; a job uses a few hundred */

typedef struct {
    unsigned index; /* the font's */
    long size64;    /* pt in 1/64; 0: an empty slot */
    int bold;
    int left, top;   /* the bitmap's top-left from the pen, dots (top upwards) */
    int width, rows; /* dots */
    int pitch;       /* bytes per row */
    unsigned char *bits;
} glyph;

struct ocl_raster {
    FT_Library library;
    FT_Face face;
    int dpi;
    long size64; /* the size set on the face */
    glyph cache[CACHE_SLOTS];
    size_t cached;
};

ocl_result ocl_raster_open(const char *font_path, int dpi, ocl_raster **raster)
{
    *raster = NULL;
    ocl_raster *r = calloc(1, sizeof(*r));
    if (!r)
        return OCL_ENOMEM;
    r->dpi = dpi;
    if (FT_Init_FreeType(&r->library) != 0) {
        free(r);
        return OCL_ELIBRARY;
    }
    if (FT_New_Face(r->library, font_path, 0, &r->face) != 0 || !FT_IS_SCALABLE(r->face)) {
        if (r->face)
            FT_Done_Face(r->face);
        FT_Done_FreeType(r->library);
        free(r);
        return OCL_EIO;
    }
    *raster = r;
    return OCL_OK;
}

void ocl_raster_close(ocl_raster *raster)
{
    if (!raster)
        return;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        free(raster->cache[i].bits);
    FT_Done_Face(raster->face);
    FT_Done_FreeType(raster->library);
    free(raster);
}

/* A glyph's advance as the PDF has it: thousandths of the size, truncated
 * (libharu's widths). */
static int advance_units(const ocl_raster *r, unsigned index)
{
    FT_Fixed advance = 0;
    if (FT_Get_Advance(r->face, index, FT_LOAD_NO_SCALE, &advance) != 0)
        return 0;
    return (int)(advance * 1000 / r->face->units_per_EM);
}

static double dots_per_pt(const ocl_raster *r)
{
    return r->dpi / 72.0;
}

double ocl_raster_width(ocl_raster *raster, const char *text, double size)
{
    long units = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p)
        units += advance_units(raster, FT_Get_Char_Index(raster->face, next_letter(&p)));
    return units * size / 1000.0 * dots_per_pt(raster);
}

void ocl_raster_extent(const ocl_raster *raster, double size, int *above, int *below)
{
    double scale = size * dots_per_pt(raster) / raster->face->units_per_EM;
    *above = (int)ceil(raster->face->ascender * scale);
    *below = (int)ceil(-raster->face->descender * scale);
}

/* Keeps FreeType's rendering of the glyph in the slot as 1-bit rows. */
static ocl_result keep_bitmap(const FT_GlyphSlot slot, glyph *g)
{
    const FT_Bitmap *b = &slot->bitmap;
    g->left = slot->bitmap_left;
    g->top = slot->bitmap_top;
    g->width = (int)b->width;
    g->rows = (int)b->rows;
    g->pitch = (g->width + 7) / 8;
    g->bits = g->pitch && g->rows ? calloc((size_t)g->pitch * (size_t)g->rows, 1) : NULL;
    if (g->pitch && g->rows && !g->bits)
        return OCL_ENOMEM;
    for (int y = 0; y < g->rows; y++) {
        const unsigned char *src = b->buffer + (ptrdiff_t)y * b->pitch;
        unsigned char *dst = g->bits + (size_t)y * (size_t)g->pitch;
        for (int x = 0; x < g->width; x++) {
            int on = b->pixel_mode == FT_PIXEL_MODE_MONO ? src[x >> 3] >> (7 - (x & 7)) & 1
                                                         : src[x] >= INK_THRESHOLD;
            if (on)
                dst[x >> 3] |= (unsigned char)(0x80u >> (x & 7));
        }
    }
    return OCL_OK;
}

/* Draws a glyph at the size set on the face into `g`. */
static ocl_result render(ocl_raster *r, unsigned index, int bold, glyph *g)
{
    FT_GlyphSlot slot = r->face->glyph;
    if (FT_Load_Glyph(r->face, index, LOAD_FLAGS | FT_LOAD_NO_BITMAP) != 0 ||
        slot->format != FT_GLYPH_FORMAT_OUTLINE)
        return OCL_ELIBRARY;
    if (bold) {
        /* The PDF strokes the name's outline 3 % of its size wide. */
        double strength = r->size64 / 64.0 * 0.03 * dots_per_pt(r) * 64.0;
        FT_Outline_Embolden(&slot->outline, (FT_Pos)lround(strength));
    }
    if (FT_Render_Glyph(slot, RENDER_MODE) != 0)
        return OCL_ELIBRARY;
    return keep_bitmap(slot, g);
}

/* The glyph drawn at the size set on the face, from the cache when drawn
 * before. A full cache still draws, into `spare`, which the caller frees. */
static const glyph *find_glyph(ocl_raster *r, unsigned index, int bold, glyph *spare,
                               ocl_result *rc)
{
    size_t slot =
        (index * 2654435761u ^ (size_t)r->size64 * 40503u ^ (size_t)bold) & (CACHE_SLOTS - 1);
    for (size_t probe = 0; probe < CACHE_SLOTS; probe++, slot = (slot + 1) & (CACHE_SLOTS - 1)) {
        glyph *g = &r->cache[slot];
        if (g->size64 == 0)
            break;
        if (g->index == index && g->size64 == r->size64 && g->bold == bold)
            return g;
    }
    glyph *g = r->cached * 4 < CACHE_SLOTS * 3 ? &r->cache[slot] : spare;
    memset(g, 0, sizeof(*g));
    *rc = render(r, index, bold, g);
    if (*rc != OCL_OK) {
        free(g->bits);
        memset(g, 0, sizeof(*g));
        return NULL;
    }
    g->index = index;
    g->size64 = r->size64;
    g->bold = bold;
    if (g != spare)
        r->cached++;
    return g;
}

/* ORs a glyph's dots into the bitmap with its pen at (x, y). */
static void blit(ocl_bitmap *to, const glyph *g, int x, int y)
{
    x += g->left;
    y -= g->top;
    for (int row = 0; row < g->rows; row++) {
        int ty = y + row;
        if (ty < 0 || ty >= to->height)
            continue;
        const unsigned char *src = g->bits + (size_t)row * (size_t)g->pitch;
        unsigned char *dst = to->bits + (size_t)ty * (size_t)to->stride;
        for (int i = 0; i < g->pitch; i++) {
            unsigned byte = src[i];
            int bx = x + i * 8;
            if (!byte)
                continue;
            if (bx >= 0 && bx + 8 <= to->width) {
                dst[bx >> 3] |= (unsigned char)(byte >> (bx & 7));
                if (bx & 7)
                    dst[(bx >> 3) + 1] |= (unsigned char)(byte << (8 - (bx & 7)));
                continue;
            }
            for (int bit = 0; bit < 8; bit++)
                if (byte & (0x80u >> bit))
                    ocl_bitmap_set(to, bx + bit, ty);
        }
    }
}

static ocl_result set_size(ocl_raster *raster, double size)
{
    long size64 = lround(size * 64);
    if (size64 <= 0)
        return OCL_EINVAL;
    if (raster->size64 != size64) {
        if (FT_Set_Char_Size(raster->face, 0, size64, (FT_UInt)raster->dpi, (FT_UInt)raster->dpi) !=
            0)
            return OCL_ELIBRARY;
        raster->size64 = size64;
    }
    return OCL_OK;
}

ocl_result ocl_raster_text(ocl_raster *raster, ocl_bitmap *into, const char *text, double size,
                           double x, double baseline, int bold)
{
    ocl_result set = set_size(raster, size);
    if (set != OCL_OK)
        return set;
    double pen = x, scale = size / 1000.0 * dots_per_pt(raster);
    int y = (int)lround(baseline);
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        unsigned index = FT_Get_Char_Index(raster->face, next_letter(&p));
        glyph spare = {0};
        ocl_result rc = OCL_OK;
        const glyph *g = find_glyph(raster, index, bold, &spare, &rc);
        if (!g)
            return rc;
        blit(into, g, (int)lround(pen), y);
        free(spare.bits);
        pen += advance_units(raster, index) * scale;
    }
    return OCL_OK;
}

ocl_result ocl_raster_text_turned(ocl_raster *raster, ocl_bitmap *into, const char *text,
                                  double size, double x, double baseline, double degrees)
{
    ocl_result rc = set_size(raster, size);
    double angle = degrees * M_PI / 180.0, c = cos(angle), s = sin(angle);
    FT_Matrix turn = {(FT_Fixed)lround(c * 65536), (FT_Fixed)lround(-s * 65536),
                      (FT_Fixed)lround(s * 65536), (FT_Fixed)lround(c * 65536)};
    double pen = 0, scale = size / 1000.0 * dots_per_pt(raster);
    const unsigned char *p = (const unsigned char *)text;
    while (*p && rc == OCL_OK) {
        unsigned index = FT_Get_Char_Index(raster->face, next_letter(&p));
        /* The pen moves along the turned baseline; dots go down the page. */
        double px = x + pen * c, py = baseline - pen * s;
        FT_Vector shift = {(FT_Pos)lround((px - floor(px)) * 64),
                           (FT_Pos)lround((floor(py) - py) * 64)};
        FT_Set_Transform(raster->face, &turn, &shift);
        glyph g = {0};
        FT_GlyphSlot slot = raster->face->glyph;
        if (FT_Load_Glyph(raster->face, index, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP) != 0 ||
            FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) != 0)
            rc = OCL_ELIBRARY;
        else
            rc = keep_bitmap(slot, &g);
        if (rc == OCL_OK)
            blit(into, &g, (int)floor(px), (int)floor(py));
        free(g.bits);
        pen += advance_units(raster, index) * scale;
    }
    FT_Set_Transform(raster->face, NULL, NULL);
    return rc;
}
