/*
 * Barcodes other than the unit's QR code: EAN-13 and EAN-8 for the till,
 * GS1-128 for logistics, and Data Matrix for the Digital Link, encoded
 * through libzint into an ocl_symbol (modules only), and the drawing of any
 * symbol into a PDF page with its quiet zone and human-readable text.
 *
 * EAN input is checked here before libzint sees it: libzint would pad a
 * short number and add a check digit of its own, where a label must carry
 * exactly the GTIN the producer owns, and refuse what no till should read.
 */
#include "pdf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

static const char *const symbology_names[OCL_SYMBOL_COUNT] = {
    [OCL_SYMBOL_QR] = "qr",           [OCL_SYMBOL_DATAMATRIX] = "datamatrix",
    [OCL_SYMBOL_EAN13] = "ean13",     [OCL_SYMBOL_EAN8] = "ean8",
    [OCL_SYMBOL_GS1_128] = "gs1-128",
};

int ocl_symbology_parse(const char *name)
{
    for (int i = 0; name && i < OCL_SYMBOL_COUNT; i++)
        if (strcmp(name, symbology_names[i]) == 0)
            return i;
    return -1;
}

const char *ocl_symbology_name(ocl_symbology symbology)
{
    return (unsigned)symbology < OCL_SYMBOL_COUNT ? symbology_names[symbology] : "unknown";
}

void ocl_symbol_free(ocl_symbol *symbol)
{
    free(symbol->modules);
    symbol->modules = NULL;
}

/* ---------- EAN: which GTINs a till's symbol may carry ---------- */

/* GS1 General Specifications: quiet zones in modules, and where the guard
 * bars sit (start, centre, end), which are drawn longer. */
#define EAN13_MODULES 95
#define EAN8_MODULES  67

static const struct {
    int modules, quiet_left, quiet_right, digits;
    int guard[3];
} ean_shape[2] = {
    {EAN13_MODULES, 11, 7, 13, {0, 45, 92}},
    {EAN8_MODULES, 7, 7, 8, {0, 31, 64}},
};

/* The GTIN's own length, from its 14-digit form: six leading zeros make a
 * GTIN-8 (the GTIN-12 and -13 prefixes that would collide are not issued),
 * two a GTIN-12, one a GTIN-13. */
static int gtin_kind(const char gtin14[OCL_GTIN14_LEN + 1])
{
    if (strncmp(gtin14, "000000", 6) == 0)
        return 8;
    if (strncmp(gtin14, "00", 2) == 0)
        return 12;
    return gtin14[0] == '0' ? 13 : 14;
}

/* Checks that `data` is a GTIN the symbol may carry and writes the digits
 * the symbol holds (13 for EAN-13, 8 for EAN-8). */
static ocl_result ean_digits(ocl_symbology symbology, const char *data, const char *field,
                             char out[OCL_GTIN14_LEN + 1], ocl_problems *problems)
{
    char gtin[OCL_GTIN14_LEN + 1];
    if (ocl_gtin_normalise(data, field, gtin, problems) != OCL_OK)
        return OCL_EINVAL;
    int kind = gtin_kind(gtin);
    const char *symbol = symbology == OCL_SYMBOL_EAN13 ? "EAN-13" : "EAN-8";
    if (kind == 14 && gtin[0] == '9')
        return ocl_problem_add(problems, field,
                               "'%s' has indicator digit 9, a variable measure trade item: it "
                               "takes GS1-128 with its measure, never an %s",
                               data, symbol);
    if (kind == 14)
        return ocl_problem_add(problems, field,
                               "'%s' has indicator digit %c, a trade item grouping (case or "
                               "carton) that is never marked on a consumer unit: it takes no %s",
                               data, gtin[0], symbol);
    if (symbology == OCL_SYMBOL_EAN13 && kind == 8)
        return ocl_problem_add(problems, field,
                               "'%s' is a GTIN-8: it takes an EAN-8, not an EAN-13", data);
    if (symbology == OCL_SYMBOL_EAN8 && kind != 8)
        return ocl_problem_add(problems, field, "'%s' is a GTIN-%d: an EAN-8 holds a GTIN-8 only",
                               data, kind);
    /* A GTIN-12 (UPC-A) becomes an EAN-13 with a leading 0, as GS1 allows. */
    snprintf(out, OCL_GTIN14_LEN + 1, "%s", gtin + (symbology == OCL_SYMBOL_EAN13 ? 1 : 6));
    return OCL_OK;
}

/* ---------- libzint ---------- */

/* libzint's message without its "Error 123: " prefix, words that start
 * with a capital followed by small letters lowered ("Invalid" but not
 * "AI"), quoted input left as it was. */
static void zint_rule(const char *errtxt, char *out, size_t size)
{
    const char *colon = strstr(errtxt, ": ");
    const char *text = colon && strncmp(errtxt, "Error", 5) == 0 ? colon + 2 : errtxt;
    size_t n = 0;
    int quoted = 0;
    for (size_t i = 0; text[i] && n + 1 < size; i++) {
        char c = text[i];
        int word_start = i == 0 || !isalpha((unsigned char)text[i - 1]);
        if (c == '\'')
            quoted = !quoted;
        else if (!quoted && word_start && isupper((unsigned char)c) &&
                 islower((unsigned char)text[i + 1]))
            c = (char)tolower((unsigned char)c);
        out[n++] = c;
    }
    out[n] = '\0';
}

/* libzint 2.11 does not export module_is_set(): rows of encoded_data hold
 * one bit per module, least significant first. */
static int zint_module(const struct zint_symbol *z, int row, int column)
{
    return (z->encoded_data[row][column >> 3] >> (column & 7)) & 1;
}

static ocl_result zint_encode(int barcode, int input_mode, const char *data, const char *field,
                              ocl_symbol *symbol, ocl_problems *problems)
{
    struct zint_symbol *z = ZBarcode_Create();
    if (!z)
        return OCL_ENOMEM;
    z->symbology = barcode;
    z->input_mode = input_mode;
    z->warn_level = WARN_FAIL_ALL; /* a symbol "not compliant" is not printed */
    if (barcode == BARCODE_DATAMATRIX)
        z->option_3 = DM_SQUARE;
    ocl_result rc = OCL_OK;
    int status = ZBarcode_Encode(z, (const unsigned char *)data, (int)strlen(data));
    if (status >= ZINT_ERROR) {
        char rule[OCL_RULE_MAX];
        zint_rule(z->errtxt, rule, sizeof(rule));
        rc =
            status == ZINT_ERROR_MEMORY ? OCL_ENOMEM : ocl_problem_add(problems, field, "%s", rule);
    } else if (z->width <= 0 || z->rows <= 0) {
        rc = OCL_ELIBRARY;
    }
    if (rc == OCL_OK) {
        symbol->columns = z->width;
        symbol->rows = z->rows;
        symbol->modules = calloc((size_t)z->width * (size_t)z->rows, 1);
        rc = symbol->modules ? OCL_OK : OCL_ENOMEM;
    }
    for (int r = 0; rc == OCL_OK && r < z->rows; r++)
        for (int c = 0; c < z->width; c++)
            symbol->modules[(size_t)r * (size_t)z->width + (size_t)c] =
                (unsigned char)zint_module(z, r, c);
    size_t text_len = strlen((const char *)z->text);
    if (rc == OCL_OK && barcode == BARCODE_GS1_128 && text_len < sizeof(symbol->text))
        memcpy(symbol->text, z->text, text_len + 1);
    else if (rc == OCL_OK && barcode == BARCODE_GS1_128)
        rc = ocl_problem_add(problems, field, "longer than %d characters as printed",
                             OCL_SYMBOL_TEXT_MAX - 1);
    if (rc != OCL_OK)
        ocl_symbol_free(symbol);
    ZBarcode_Delete(z);
    return rc;
}

static ocl_result encode_ean(ocl_symbology symbology, const char *data, const char *field,
                             ocl_symbol *symbol, ocl_problems *problems)
{
    char digits[OCL_GTIN14_LEN + 1];
    if (ean_digits(symbology, data, field, digits, problems) != OCL_OK)
        return OCL_EINVAL;
    int shape = symbology == OCL_SYMBOL_EAN8;
    ocl_result rc = zint_encode(BARCODE_EANX_CHK, DATA_MODE, digits, field, symbol, problems);
    if (rc != OCL_OK)
        return rc;
    if (symbol->rows != 1 || symbol->columns != ean_shape[shape].modules) {
        ocl_symbol_free(symbol);
        return OCL_ELIBRARY;
    }
    for (int g = 0; g < 3; g++) {
        int width = g == 1 ? 5 : 3;
        for (int m = ean_shape[shape].guard[g]; m < ean_shape[shape].guard[g] + width; m++)
            symbol->modules[m] = (unsigned char)(symbol->modules[m] ? 2 : 0);
    }
    symbol->quiet_left = ean_shape[shape].quiet_left;
    symbol->quiet_right = ean_shape[shape].quiet_right;
    snprintf(symbol->text, sizeof(symbol->text), "%s", digits);
    return OCL_OK;
}

/* The QR code as the labels draw it (libqrencode, level M), for callers
 * that handle every symbology alike. */
static ocl_result encode_qr(const char *data, const char *field, ocl_symbol *symbol,
                            ocl_problems *problems)
{
    ocl_qr qr;
    ocl_result rc = ocl_qr_encode((const unsigned char *)data, strlen(data), OCL_EC_M, &qr);
    if (rc == OCL_ERANGE)
        return ocl_problem_add(problems, field, "too long for a QR code (%zu bytes)", strlen(data));
    if (rc != OCL_OK)
        return rc;
    int n = qr.size - 2 * qr.quiet;
    symbol->modules = malloc((size_t)n * (size_t)n);
    if (symbol->modules) {
        for (int r = 0; r < n; r++)
            memcpy(symbol->modules + (size_t)r * (size_t)n,
                   qr.modules + (size_t)(r + qr.quiet) * (size_t)qr.size + (size_t)qr.quiet,
                   (size_t)n);
        symbol->columns = symbol->rows = n;
        symbol->quiet_left = symbol->quiet_right = symbol->quiet_top = qr.quiet;
    }
    ocl_qr_free(&qr);
    return symbol->modules ? OCL_OK : OCL_ENOMEM;
}

/* ISO/IEC 16022 asks for one module of quiet zone around a Data Matrix;
 * two are kept, so that a label's edge or a line of text drawn at the
 * limit does not read as part of the finder pattern. */
#define DATAMATRIX_QUIET 2
#define GS1_128_QUIET    10 /* ISO/IEC 15417 and the GS1 General Specifications */

ocl_result ocl_symbol_encode(ocl_symbology symbology, const char *data, const char *field,
                             ocl_symbol *symbol, ocl_problems *problems)
{
    memset(symbol, 0, sizeof(*symbol));
    symbol->symbology = symbology;
    if ((unsigned)symbology >= OCL_SYMBOL_COUNT)
        return ocl_problem_add(problems, field, "unknown symbology %d", (int)symbology);
    if (!data || !*data)
        return ocl_problem_add(problems, field, "required");
    ocl_result rc;
    switch (symbology) {
    case OCL_SYMBOL_EAN13:
    case OCL_SYMBOL_EAN8:
        return encode_ean(symbology, data, field, symbol, problems);
    case OCL_SYMBOL_QR:
        return encode_qr(data, field, symbol, problems);
    case OCL_SYMBOL_GS1_128:
        rc = zint_encode(BARCODE_GS1_128, GS1_MODE | GS1PARENS_MODE, data, field, symbol, problems);
        symbol->quiet_left = symbol->quiet_right = GS1_128_QUIET;
        return rc;
    default:
        /* GS1: a Digital Link URI is plain data, not an element string, so
         * no FNC1 mode. */
        rc = zint_encode(BARCODE_DATAMATRIX, DATA_MODE, data, field, symbol, problems);
        symbol->quiet_left = symbol->quiet_right = symbol->quiet_top = DATAMATRIX_QUIET;
        return rc;
    }
}

/* ---------- drawing ---------- */

static int symbol_linear(const ocl_symbol *symbol)
{
    return symbol->symbology == OCL_SYMBOL_EAN13 || symbol->symbology == OCL_SYMBOL_EAN8 ||
           symbol->symbology == OCL_SYMBOL_GS1_128;
}

/* Below the bars, in modules: a gap, then the digits; the guard bars of an
 * EAN reach GUARD_DESCENT into it (GS1: 5 modules). */
#define TEXT_BAND     9.0
#define TEXT_GAP      1.0
#define GUARD_DESCENT 5.0
#define DIGIT_ADVANCE 6.0 /* an EAN digit's advance: 6 of the 7 modules it encodes in */

/* Each run of dark modules from `first` to `last` of one value as a filled
 * rectangle from y to y + h. */
static void draw_runs(HPDF_Page page, const unsigned char *row, int first, int last, int value,
                      double x, double module_pt, double y, double h)
{
    for (int c = first; c < last; c++) {
        if (row[c] != value)
            continue;
        int end = c;
        while (end < last && row[end] == value)
            end++;
        HPDF_Page_Rectangle(page, (HPDF_REAL)(x + c * module_pt), (HPDF_REAL)y,
                            (HPDF_REAL)((end - c) * module_pt), (HPDF_REAL)h);
        c = end;
    }
}

/* Text centred on cx with its baseline at y. */
static void draw_centred(HPDF_Page page, const ocl_pdf *pdf, const char *text, size_t len,
                         double size, double cx, double y)
{
    char piece[OCL_SYMBOL_TEXT_MAX];
    snprintf(piece, sizeof(piece), "%.*s", (int)len, text);
    double width = ocl_pdf_text_units(pdf, piece, strlen(piece)) * size / 1000.0;
    HPDF_Page_SetTextMatrix(page, 1, 0, 0, 1, (HPDF_REAL)(cx - width / 2), (HPDF_REAL)y);
    HPDF_Page_ShowText(page, piece);
}

/* The font size at which a digit's advance is `advance` pt. */
static double digit_size(const ocl_pdf *pdf, double advance)
{
    double units = ocl_pdf_text_units(pdf, "0", 1);
    return units > 0 ? advance * 1000.0 / units : advance;
}

/* EAN's standard layout: EAN-13's first digit left of the start guard,
 * then groups of six (EAN-8: four) between the guards, one digit under
 * each symbol character. */
static void draw_ean_text(HPDF_Page page, const ocl_pdf *pdf, const ocl_symbol *symbol,
                          double bars_x, double module_pt, double baseline)
{
    int ean13 = symbol->symbology == OCL_SYMBOL_EAN13;
    int half = ean13 ? 6 : 4, lead = ean13 ? 1 : 0;
    double size = digit_size(pdf, DIGIT_ADVANCE * module_pt);
    HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)size);
    if (ean13)
        draw_centred(page, pdf, symbol->text, 1, size, bars_x - 4.5 * module_pt, baseline);
    for (int i = 0; i < 2 * half && symbol->text[lead + i]; i++) {
        /* Character i starts after the start guard (3), and past the
         * centre guard (5) for the right half. */
        double start = 3 + 7 * i + (i >= half ? 5 : 0);
        draw_centred(page, pdf, symbol->text + lead + i, 1, size,
                     bars_x + (start + 3.5) * module_pt, baseline);
    }
}

/* The height of a digit above its baseline, per pt of size. */
static double digit_height(const ocl_pdf *pdf)
{
    double cap = HPDF_Font_GetCapHeight(pdf->font) / 1000.0;
    return cap > 0 ? cap : 0.72;
}

static void draw_linear(HPDF_Page page, const ocl_pdf *pdf, const ocl_symbol *symbol, double x,
                        double y, double module_pt, double bar_pt, int text)
{
    int ean = symbol->symbology != OCL_SYMBOL_GS1_128;
    double band = text ? TEXT_BAND * module_pt : 0;
    double bars_x = x + symbol->quiet_left * module_pt, bars_y = y + band;
    draw_runs(page, symbol->modules, 0, symbol->columns, 1, bars_x, module_pt, bars_y, bar_pt);
    double descent = text && ean ? GUARD_DESCENT * module_pt : 0;
    draw_runs(page, symbol->modules, 0, symbol->columns, 2, bars_x, module_pt, bars_y - descent,
              bar_pt + descent);
    HPDF_Page_Fill(page);
    if (!text)
        return;
    HPDF_Page_BeginText(page);
    if (ean) {
        double size = digit_size(pdf, DIGIT_ADVANCE * module_pt);
        double baseline = bars_y - TEXT_GAP * module_pt - digit_height(pdf) * size;
        draw_ean_text(page, pdf, symbol, bars_x, module_pt, baseline);
    } else {
        /* The parentheses reach below the baseline: the text's height
         * from cap to descender fills the band under the gap. */
        double width = symbol->columns * module_pt, len = (double)strlen(symbol->text);
        double depth = -HPDF_Font_GetDescent(pdf->font) / 1000.0;
        double size = (TEXT_BAND - TEXT_GAP) * module_pt / (digit_height(pdf) + depth);
        double units = ocl_pdf_text_units(pdf, symbol->text, (size_t)len);
        if (units * size / 1000.0 > width)
            size = width * 1000.0 / units;
        HPDF_Page_SetFontAndSize(page, pdf->font, (HPDF_REAL)size);
        double baseline = bars_y - TEXT_GAP * module_pt - digit_height(pdf) * size;
        draw_centred(page, pdf, symbol->text, (size_t)len, size, bars_x + width / 2, baseline);
    }
    HPDF_Page_EndText(page);
}

static void draw_matrix(HPDF_Page page, const ocl_symbol *symbol, double x, double y,
                        double module_pt)
{
    double left = x + symbol->quiet_left * module_pt;
    double top = y + (symbol->quiet_top + symbol->rows) * module_pt;
    for (int r = 0; r < symbol->rows; r++)
        draw_runs(page, symbol->modules + (size_t)r * (size_t)symbol->columns, 0, symbol->columns,
                  1, left, module_pt, top - (r + 1) * module_pt, module_pt);
    HPDF_Page_Fill(page);
}

void ocl_symbol_box(const ocl_symbol *symbol, double module_pt, double bar_pt, int text,
                    double *width, double *height)
{
    double w = (symbol->quiet_left + symbol->columns + symbol->quiet_right) * module_pt;
    double h = symbol_linear(symbol) ? bar_pt + (text ? TEXT_BAND * module_pt : 0)
                                     : symbol->rows * module_pt;
    if (width)
        *width = w;
    if (height)
        *height = h + 2 * symbol->quiet_top * module_pt;
}

void ocl_pdf_symbol(HPDF_Page page, const ocl_pdf *pdf, const ocl_symbol *symbol, double x,
                    double y, double module_pt, double bar_pt, int text, double *width,
                    double *height)
{
    HPDF_Page_GSave(page);
    HPDF_Page_SetGrayFill(page, 0);
    if (symbol_linear(symbol))
        draw_linear(page, pdf, symbol, x, y + symbol->quiet_top * module_pt, module_pt, bar_pt,
                    text);
    else
        draw_matrix(page, symbol, x, y, module_pt);
    HPDF_Page_GRestore(page);
    ocl_symbol_box(symbol, module_pt, bar_pt, text, width, height);
}
