/*
 * ocoplabels: the public interface of the ocoptrace rendering library.
 *
 * Data in, printable artifacts out: GTINs and GS1 Digital Link URIs, QR code
 * matrices, PNG and SVG images. The library keeps no global state, touches no
 * database and no network; every function returns an ocl_result, and input
 * that breaks a rule is described, field by field, in an ocl_problems list.
 */
#ifndef OCOPLABELS_H
#define OCOPLABELS_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OCL_VERSION "0.1.0"

typedef enum {
    OCL_OK = 0,
    OCL_EINVAL,   /* input breaks a rule; see the ocl_problems list */
    OCL_ENOMEM,   /* out of memory */
    OCL_ERANGE,   /* result does not fit the buffer or the symbol */
    OCL_EIO,      /* reading or writing failed; errno is kept */
    OCL_ELIBRARY, /* an underlying library (libqrencode, libpng) failed */
} ocl_result;

const char *ocl_strerror(ocl_result result);

/* ---------- problems: what was wrong with the input, one line each ---------- */

#define OCL_PROBLEMS_MAX 32
#define OCL_FIELD_MAX    48
#define OCL_RULE_MAX     192

typedef struct {
    char field[OCL_FIELD_MAX]; /* e.g. "gtin", "product.ingredients" */
    char rule[OCL_RULE_MAX];   /* e.g. "check digit is 5, expected 7" */
} ocl_problem;

typedef struct {
    size_t count;   /* entries in item[] */
    size_t dropped; /* problems beyond OCL_PROBLEMS_MAX, counted only */
    ocl_problem item[OCL_PROBLEMS_MAX];
} ocl_problems;

void ocl_problems_init(ocl_problems *problems);
/* Appends a problem; the rule is a printf format. Returns OCL_EINVAL so that
 * callers can write `return ocl_problem_add(...)`. */
ocl_result ocl_problem_add(ocl_problems *problems, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes "PREFIX: field: rule\n" for each problem. */
void ocl_problems_print(const ocl_problems *problems, const char *prefix, FILE *out);

/* ---------- GS1: GTINs, character set 82, dates, Digital Link ---------- */

#define OCL_GTIN14_LEN   14
#define OCL_AI_VALUE_MAX 20 /* AI 10 (lot), 21 (serial), 22 (CPV): 1 to 20 characters */

/* Check digit for the digits of a GTIN without its check digit (7, 11, 12 or
 * 13 digits); weights 3,1,3,... from the right. */
ocl_result ocl_gtin_check_digit(const char *digits, size_t len, int *check);

/* Validates a GTIN-8, -12, -13 or -14 and writes it as 14 digits with leading
 * zeros. Problems are reported against `field`. */
ocl_result ocl_gtin_normalise(const char *gtin, const char *field, char out[OCL_GTIN14_LEN + 1],
                              ocl_problems *problems);

/* Non-zero when c belongs to GS1 AI encodable character set 82. */
int ocl_cset82_contains(int c);

/* Validates a lot, serial or CPV value: 1 to 20 characters of set 82. */
ocl_result ocl_ai_value_check(const char *value, const char *field, ocl_problems *problems);

typedef struct {
    int year;  /* four digits */
    int month; /* 1 to 12 */
    int day;   /* 1 to 31; 0 in a GS1 YYMMDD means the last day of the month */
} ocl_date;

/* Days in a month of the Gregorian calendar. */
int ocl_days_in_month(int year, int month);

/* Parses YYYY-MM-DD (a real calendar day, years 2000 to 2099 when
 * gs1_range is non-zero, as AI 17 holds two-digit years). */
ocl_result ocl_date_parse_iso(const char *text, const char *field, int gs1_range, ocl_date *date,
                              ocl_problems *problems);

/* Parses GS1 YYMMDD as a day of 2000 to 2099; DD may be 00 (GS1: the last
 * day of the month). */
ocl_result ocl_date_parse_yymmdd(const char *text, const char *field, ocl_date *date,
                                 ocl_problems *problems);

/* Writes YYMMDD (7 bytes with the terminator). */
void ocl_date_format_yymmdd(const ocl_date *date, char out[7]);

/* The date-valued data attributes a Digital Link may carry in its query. */
enum {
    OCL_DATE_PRODUCTION = 0, /* AI 11 */
    OCL_DATE_PACKAGING,      /* AI 13 */
    OCL_DATE_BEST_BEFORE,    /* AI 15 */
    OCL_DATE_SELL_BY,        /* AI 16 */
    OCL_DATE_EXPIRY,         /* AI 17 */
    OCL_DATE_COUNT
};

/* The identifiers a GS1 Digital Link carries. Empty strings mean absent. */
typedef struct {
    char gtin[OCL_GTIN14_LEN + 1];     /* AI 01, always 14 digits */
    char cpv[OCL_AI_VALUE_MAX + 1];    /* AI 22, consumer product variant */
    char lot[OCL_AI_VALUE_MAX + 1];    /* AI 10 */
    char serial[OCL_AI_VALUE_MAX + 1]; /* AI 21 */
    char date[OCL_DATE_COUNT][7];      /* YYMMDD of AI 11, 13, 15, 16, 17 */
} ocl_link;

#define OCL_DEFAULT_BASE_URL "https://truyxuatsanphambinhthuan.vn"
#define OCL_BASE_URL_MAX     256
#define OCL_URI_MAX          512

/* Checks a base URL: http or https, a host, an optional path prefix, no
 * query or fragment. Writes it without a trailing slash. */
ocl_result ocl_base_url_check(const char *base_url, char out[OCL_BASE_URL_MAX],
                              ocl_problems *problems);

/* Builds base_url/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}][?11=..&17=..]
 * with lot, serial and CPV percent-encoded. A NULL base_url means the default.
 * The link's fields are validated first. */
ocl_result ocl_link_build(const char *base_url, const ocl_link *link, char *out, size_t out_size,
                          ocl_problems *problems);

/* Parses a Digital Link URI. Reports every problem found: wrong order,
 * repeated or unknown identifiers, bad check digits, impossible dates,
 * characters outside set 82, bad percent-encoding. base_out (may be NULL)
 * receives what precedes /01/. */
ocl_result ocl_link_parse(const char *uri, ocl_link *link, char *base_out, size_t base_size,
                          ocl_problems *problems);

/* Writes the element string "(01)...(22)...(10)...(21)...(11)...(17)...",
 * a '(' inside a value as "\\(" so that it reads back. */
ocl_result ocl_link_element_string(const ocl_link *link, char *out, size_t out_size);

/* Reads an element string as ocl_link_element_string writes it ("\\(" is a
 * '(' of a value), in any order, checking each value as the parser does. */
ocl_result ocl_element_string_parse(const char *text, ocl_link *link, ocl_problems *problems);

/* Percent-encodes a set 82 value for a URI path segment: every character but
 * letters, digits, '-', '.' and '_' becomes %XX. */
ocl_result ocl_percent_encode(const char *value, char *out, size_t out_size);

/* ---------- SSCC: a carton's Serial Shipping Container Code (AI 00) ---------- */

#define OCL_SSCC_LEN           18
#define OCL_COMPANY_PREFIX_MIN 7
#define OCL_COMPANY_PREFIX_MAX 11
/* urn:epc:id:sscc: and 17 digits with a dot */
#define OCL_SSCC_EPC_MAX 40

/* A GS1 company prefix: 7 to 11 digits. */
ocl_result ocl_company_prefix_check(const char *prefix, const char *field, ocl_problems *problems);
/* The largest serial reference under a company prefix of `prefix_len`
 * digits (10^(16 - prefix_len) - 1); 0 for a length GS1 does not issue. */
long long ocl_sscc_reference_max(size_t prefix_len);
/* The SSCC of an extension digit (0 to 9), a company prefix and a serial
 * reference (0 to ocl_sscc_reference_max), with its check digit. */
ocl_result ocl_sscc_build(int extension, const char *company_prefix, long long reference,
                          char out[OCL_SSCC_LEN + 1], ocl_problems *problems);
/* Checks an SSCC: 18 digits, the last the check digit of the others. */
ocl_result ocl_sscc_check(const char *sscc, const char *field, ocl_problems *problems);
/* The EPC URI of a valid SSCC whose company prefix has `prefix_len`
 * digits: urn:epc:id:sscc:{company prefix}.{extension digit}{serial reference}. */
ocl_result ocl_sscc_epc_uri(const char *sscc, size_t prefix_len, char *out, size_t size);

/* ---------- UTF-8 ---------- */

/* Returns the offset of the first byte that is not well-formed UTF-8, or
 * (size_t)-1 when the whole text is valid. */
size_t ocl_utf8_invalid_at(const unsigned char *text, size_t len);

/* ---------- QR codes ---------- */

typedef enum { OCL_EC_L = 0, OCL_EC_M, OCL_EC_Q, OCL_EC_H } ocl_ec_level;

#define OCL_QR_QUIET_ZONE 4

/* A QR symbol as a square of modules, the quiet zone included. */
typedef struct {
    int version;            /* 1 to 40 */
    int size;               /* modules per side, quiet zone included */
    int quiet;              /* quiet zone width in modules */
    unsigned char *modules; /* size * size bytes, row-major, 1 = dark */
} ocl_qr;

/* Parses "L", "M", "Q" or "H" (either case). */
ocl_result ocl_ec_parse(const char *text, ocl_ec_level *level);

/* Encodes `len` bytes exactly as given (case kept, any bytes but NUL) at
 * the smallest version that fits. OCL_ERANGE when no version holds them. */
ocl_result ocl_qr_encode(const unsigned char *data, size_t len, ocl_ec_level level, ocl_qr *qr);

void ocl_qr_free(ocl_qr *qr);

/* ---------- barcodes: retail, logistics and 2-D symbols (libzint) ---------- */

typedef enum {
    OCL_SYMBOL_QR,         /* the unit's code, by default (libqrencode, above) */
    OCL_SYMBOL_DATAMATRIX, /* the same Digital Link as a Data Matrix (ECC 200) */
    OCL_SYMBOL_EAN13,      /* the till's code: 12 digits and the check digit */
    OCL_SYMBOL_EAN8,       /* for a GTIN-8 */
    OCL_SYMBOL_GS1_128,    /* logistics: element string "(00)..." */
    OCL_SYMBOL_COUNT
} ocl_symbology;

/* "qr", "datamatrix", "ean13", "ean8", "gs1-128"; -1 if unknown. */
int ocl_symbology_parse(const char *name);
const char *ocl_symbology_name(ocl_symbology symbology);

#define OCL_SYMBOL_TEXT_MAX 96

/* A symbol as modules, quiet zone NOT included (the drawer adds it). A
 * linear symbol (EAN, GS1-128) has rows == 1: modules[i] is 1 for a bar
 * module; the guard bars of an EAN are marked 2 (drawn longer). */
typedef struct {
    ocl_symbology symbology;
    int columns, rows;                      /* modules */
    unsigned char *modules;                 /* columns * rows, row-major */
    int quiet_left, quiet_right, quiet_top; /* the minimum quiet zone, in modules */
    char text[OCL_SYMBOL_TEXT_MAX];         /* human-readable: the digits, "(00)..." */
} ocl_symbol;

/* Encodes `data`: for EAN-13/EAN-8 the GTIN (13 or 8 digits with its check
 * digit, or 14 digits with leading zeros); for GS1-128 an element string
 * "(00)123..."; for Data Matrix any text. Problems name `field`. */
ocl_result ocl_symbol_encode(ocl_symbology symbology, const char *data, const char *field,
                             ocl_symbol *symbol, ocl_problems *problems);
void ocl_symbol_free(ocl_symbol *symbol);

/* ---------- images ---------- */

typedef struct {
    int module_px; /* pixels per module, 1 to 100 */
    int dpi;       /* recorded in the PNG pHYs chunk and the SVG size */
} ocl_image_options;

/* A growable byte buffer for images written to memory. */
typedef struct {
    unsigned char *data;
    size_t len;
    size_t cap;
} ocl_buffer;

void ocl_buffer_free(ocl_buffer *buffer);
ocl_result ocl_buffer_append(ocl_buffer *buffer, const void *data, size_t len);

/* 1-bit greyscale PNG, pixel size recorded in pHYs. */
ocl_result ocl_png_write(const ocl_qr *qr, const ocl_image_options *options, FILE *out);
ocl_result ocl_png_write_buffer(const ocl_qr *qr, const ocl_image_options *options,
                                ocl_buffer *out);

/* SVG with a white background and the dark modules as one path, horizontal
 * runs merged, shape-rendering="crispEdges". */
ocl_result ocl_svg_write_buffer(const ocl_qr *qr, const ocl_image_options *options,
                                ocl_buffer *out);

/* ---------- sheets: where labels sit on paper (templates/sheets/) ---------- */

#define OCL_SHEET_NAME_MAX 64

typedef struct {
    char name[OCL_SHEET_NAME_MAX];
    char paper[16];                   /* "A4", "roll" */
    char description[128];            /* the file's first comment */
    double page_width, page_height;   /* mm */
    double label_width, label_height; /* mm */
    double left, top;                 /* mm from the page's top-left corner to the first label */
    double pitch_x, pitch_y;          /* mm from one label to the next */
    int columns, rows;
} ocl_sheet;

/* Reads a sheet file of "key = value" lines; every key is required, and
 * labels must lie within the page without overlapping. */
ocl_result ocl_sheet_load(const char *path, ocl_sheet *sheet, ocl_problems *problems);

/* ---------- the label job: producer, product, lot ---------- */

typedef enum {
    OCL_KIND_COOPERATIVE,
    OCL_KIND_SME,
    OCL_KIND_HOUSEHOLD,
    OCL_KIND_OTHER,
    OCL_KIND_COUNT
} ocl_producer_kind;

typedef enum {
    OCL_GROUP_FOOD,
    OCL_GROUP_DRINK,
    OCL_GROUP_HERBAL,
    OCL_GROUP_HANDICRAFT,
    OCL_GROUP_ORNAMENTAL,
    OCL_GROUP_TOURISM,
    OCL_GROUP_COUNT
} ocl_group;

/* Names as the job file spells them ("cooperative", "food"); -1 if unknown. */
int ocl_producer_kind_parse(const char *name);
int ocl_group_parse(const char *name);
const char *ocl_group_name(ocl_group group);
/* The group's name in Vietnamese, as the certificate prints it ("Thực
 * phẩm"); "" if unknown. */
const char *ocl_group_title(ocl_group group);

/* The text fields a label may carry. NULL or "" means not given. */
typedef enum {
    OCL_FIELD_PRODUCT_NAME,
    OCL_FIELD_PRODUCER_NAME,
    OCL_FIELD_PRODUCER_ADDRESS,
    OCL_FIELD_PRODUCER_PHONE,
    OCL_FIELD_ORIGIN,
    OCL_FIELD_NET_QUANTITY,
    OCL_FIELD_INGREDIENTS,
    OCL_FIELD_USAGE,
    OCL_FIELD_STORAGE,
    OCL_FIELD_WARNINGS,
    OCL_FIELD_STANDARD,
    OCL_FIELD_COUNT
} ocl_field;

/* Whether a full label carries its GTIN as an EAN-13 (EAN-8 for a
 * GTIN-8) for the till: when it fits (with everything the label holds
 * without it), always (or refuse the sheet), or never. */
typedef enum { OCL_RETAIL_AUTO = 0, OCL_RETAIL_ALWAYS, OCL_RETAIL_NEVER } ocl_retail_barcode;

/* "auto", "always", "never"; -1 if unknown. */
int ocl_retail_barcode_parse(const char *name);

typedef struct {
    const char *text[OCL_FIELD_COUNT]; /* UTF-8, NFC */
    ocl_producer_kind kind;
    ocl_group group;
    const char *gtin; /* optional */
    int ocop_stars;   /* 0: not recognised */
    ocl_date ocop_valid_until;
    const char *lot; /* AI 10: 1 to 20 characters of set 82 */
    int has_produced, has_expires;
    ocl_date produced, expires;
    long units;
    ocl_retail_barcode retail_barcode; /* the till's EAN on full labels, when a GTIN */
} ocl_label_job;

/* The job file's name of a field ("product.ingredients"). */
const char *ocl_field_path(ocl_field field);

/* ---------- the law: what a label must carry (Decree 43/2017, 111/2021) ---------- */

/* Reports every mandatory content missing for the job's product group,
 * each with its legal basis. */
ocl_result ocl_law_check(const ocl_label_job *job, ocl_problems *problems);

/* Non-zero when the field is mandatory for the group. */
int ocl_law_requires(ocl_group group, ocl_field field);
int ocl_law_requires_dates(ocl_group group);
/* The legal basis of a mandatory field ("Decree 43/2017, Art. 10(1)(a)"),
 * of the dates with field OCL_FIELD_COUNT; "" for a field never required. */
const char *ocl_law_basis(int field);

/* ---------- serials ---------- */

/* Nine random characters (45 bits from the system's CSPRNG) of an alphabet
 * without look-alikes, then a check character (Luhn mod 32). */
#define OCL_SERIAL_LEN 10

ocl_result ocl_serial_generate(char out[OCL_SERIAL_LEN + 1]);
int ocl_serial_valid(const char *serial);

/* ---------- label sheets as PDF ---------- */

typedef struct {
    const char *font_path; /* a TrueType font with Vietnamese coverage */
    const char *base_url;  /* NULL: OCL_DEFAULT_BASE_URL */
    int draft;             /* diagonal "BẢN NHÁP" watermark */
    int ocop_mark;         /* draw the OCOP mark (caller checked validity) */
    int threads;           /* QR encoding threads; 0 or 1: the calling one */
    /* Each serial's PIN (a scratch-off stamp, "tem cào"), printed in a box
     * of its own, beside the code and never in it, for a scratch-off layer
     * to cover; NULL: no PIN field. */
    const char *const *pins;
    ocl_symbology symbol; /* the unit's code: OCL_SYMBOL_QR (0) or OCL_SYMBOL_DATAMATRIX */
    /* Where things go (a label layout, templates/layouts/); NULL: the
     * built-in "label", the same as templates/layouts/label.layout. */
    const struct ocl_layout *layout;
    const unsigned char *logo; /* the producer's PNG (ocl_logo_check); NULL: none */
    size_t logo_len;
} ocl_label_options;

/* The longest PIN a label has room for, in characters. */
#define OCL_PIN_TEXT_MAX 12

/* The URI a unit's code holds: Digital Link with GTIN, lot, serial and
 * expiry; without a GTIN, BASE/lot/{lot}/{serial}. */
ocl_result ocl_label_uri(const ocl_label_job *job, const char *base_url, const char *serial,
                         char *out, size_t out_size);

/* Where things sit on one label, in mm from its bottom-left corner. */
typedef struct {
    double x, y, width, height;
} ocl_box;

#define OCL_GEOMETRY_LINES 96

typedef struct {
    ocl_box label;
    ocl_box qr;                           /* the code with its quiet zone */
    ocl_box text;                         /* the column the text may use */
    ocl_box line[OCL_GEOMETRY_LINES];     /* each line of text: ink width, ascent to descent */
    double line_size[OCL_GEOMETRY_LINES]; /* pt */
    int lines;
    int name_lines;    /* the first lines: the product name */
    int short_form;    /* only what Art. 10(3) keeps on small goods */
    int mark;          /* the OCOP mark is drawn */
    ocl_box pin;       /* the PIN's box (with the PIN's line inside); all 0 without */
    ocl_box ean;       /* the EAN with its quiet zones and digits; all 0 without */
    double ean_module; /* mm; 0 without */
    /* An EAN left off for want of room (retail_barcode "auto"): the
     * smallest label, in mm, that holds it with everything else; 0 otherwise. */
    double ean_needs_width, ean_needs_height;
    ocl_box logo;     /* the logo as drawn; all 0 without */
    ocl_box mark_ink; /* "OCOP" and its stars; all 0 without */
} ocl_label_geometry;

/* The layout ocl_labels_pdf would use, for checking it. */
ocl_result ocl_labels_geometry(const ocl_label_job *job, const ocl_sheet *sheet,
                               const ocl_label_options *options, ocl_label_geometry *geometry,
                               ocl_problems *problems);

/* Lays the job out on the sheet and draws one label per serial into a PDF
 * held in `pdf`, where options->layout puts things. Problems: text that
 * cannot fit at 5 pt even in the short form of Art. 10(3); a layout that
 * is not a label's, lacks a field the law asks of the job's group (or the
 * PIN's place, with PINs), or whose boxes break a rule on this sheet
 * ("layout.ELEMENT", with the file and line); a bad logo ("logo"). */
ocl_result ocl_labels_pdf(const ocl_label_job *job, const ocl_sheet *sheet,
                          const ocl_label_options *options, const char *const *serials,
                          size_t count, ocl_buffer *pdf, ocl_problems *problems);

/* ---------- thermal printers: roll labels as ZPL II or TSPL ---------- */

typedef enum {
    OCL_PRINTER_ZPL, /* ZPL II: Zebra, and the many printers that speak it */
    OCL_PRINTER_TSPL /* TSPL: TSC, Xprinter */
} ocl_printer_language;

#define OCL_PRINTER_DPI 203 /* the common head; 300 is the other one accepted */

/* A job for a thermal printer: the label laid out as ocl_labels_pdf lays
 * it out on a roll sheet (paper = roll, one label a page) but without an
 * EAN, its text drawn once as graphics from options->font_path at the
 * printer's dpi, the QR code left to the printer (ZPL ^BQ, TSPL QRCODE) at
 * whole dots a module of 0.4 mm or more, error correction M. Problems name
 * "format", "dpi", "symbol" or "sheet". The job keeps pointers to `job`
 * and `options` until closed. */
typedef struct ocl_printer_job ocl_printer_job;

ocl_result ocl_printer_job_open(const ocl_label_job *job, const ocl_sheet *sheet,
                                const ocl_label_options *options, ocl_printer_language language,
                                int dpi, ocl_printer_job **printer_job, ocl_problems *problems);
/* Appends one label per serial; the first call also appends what the job
 * sends once (the stored graphic, the media's size). `pins` (NULL: none)
 * holds each serial's PIN when options->pins was given. OCL_ERANGE when a
 * serial makes a URI longer than the code's box holds. */
ocl_result ocl_printer_job_write(ocl_printer_job *printer_job, const char *const *serials,
                                 const char *const *pins, size_t count, ocl_buffer *out);
void ocl_printer_job_close(ocl_printer_job *printer_job);
/* What gave way for the text to fit: *short_form when only what Art.
 * 10(3) keeps is printed; *mark 0 when the OCOP mark had to go. */
void ocl_printer_job_fit(const ocl_printer_job *printer_job, int *short_form, int *mark);

/* Open, write every serial (with options->pins), close. */
ocl_result ocl_labels_printer(const ocl_label_job *job, const ocl_sheet *sheet,
                              const ocl_label_options *options, ocl_printer_language language,
                              int dpi, const char *const *serials, size_t count, ocl_buffer *out,
                              ocl_problems *problems);

/* ---------- carton labels: GS1 logistics labels ---------- */

/* A carton as its label shows it. */
typedef struct {
    const char *sscc; /* AI 00: 18 digits */
    const char *producer_name, *producer_address;
    const char *product_name;
    const char *gtin; /* AI 02: the GTIN-14 of the units inside; NULL or "": none */
    long count;       /* AI 37: units inside */
    const char *lot;  /* AI 10 */
    int has_produced, has_expires;
    ocl_date produced, expires; /* AI 11 (NSX), AI 17 (HSD) */
    const char *link;           /* what the QR holds: BASE/00/{sscc} */
} ocl_carton;

/* Where the label's parts sit, in mm from the label's bottom-left corner:
 * the SSCC's GS1-128 (quiet zones and its human-readable line included),
 * its X-dimension and bar height, the QR (quiet zone included) and its
 * module, and the columns of text. */
typedef struct {
    ocl_box label;
    ocl_box barcode;
    double x_dimension, bar_height;
    ocl_box qr;
    double qr_module;
    ocl_box from, content; /* content is empty on a label lower than 100 mm */
} ocl_carton_geometry;

/* The GS1-128 of an SSCC takes 0.5 mm modules (GS1: 0.495 to 0.94 mm on
 * logistics labels) and bars 32 mm high (GS1: at least 31.75 mm) where the
 * label is at least 100 mm high; on a lower one (100 x 50), the bars take
 * the height the QR and the text leave them (about 24 mm). */
#define OCL_CARTON_X_MM    0.5
#define OCL_CARTON_BAR_MM  32.0
#define OCL_CARTON_TALL_MM 100.0
ocl_result ocl_carton_label_geometry(const ocl_carton *carton, const ocl_sheet *sheet,
                                     ocl_carton_geometry *geometry, ocl_problems *problems);
/* The carton's label, one page of the sheet's first label: the producer
 * (from), the contents as GS1 human-readable text ((02), (37), (10), (11),
 * (17)), the SSCC as GS1-128 with its (00) line, and the QR of `link`.
 * Problems: a field out of its rules, text that cannot fit. */
ocl_result ocl_carton_label_pdf(const ocl_carton *carton, const ocl_sheet *sheet,
                                const char *font_path, ocl_buffer *pdf, ocl_problems *problems);
/* The two above on a carton label's layout (kind carton); the two above
 * take the built-in one of ocl_carton_layout_default, the same as its file
 * in templates/layouts/. Problems also name the layout's file, element
 * and line: a box that cannot hold the QR or the bars, bars lower than
 * GS1 allows, parts that would overlap. */
ocl_result ocl_carton_label_layout_geometry(const ocl_carton *carton, const ocl_sheet *sheet,
                                            const struct ocl_layout *layout,
                                            ocl_carton_geometry *geometry, ocl_problems *problems);
ocl_result ocl_carton_label_layout_pdf(const ocl_carton *carton, const ocl_sheet *sheet,
                                       const struct ocl_layout *layout, const char *font_path,
                                       ocl_buffer *pdf, ocl_problems *problems);

/* ---------- layouts: which element goes where (templates/layouts/) ---------- */

/* What a layout may place. The code's box holds the code and its quiet
 * zone, and nothing else may be printed in it. */
typedef enum {
    OCL_ELEMENT_CODE,    /* the unit's code (QR or Data Matrix) */
    OCL_ELEMENT_SERIAL,  /* the serial, for typing when the code cannot be read */
    OCL_ELEMENT_NAME,    /* the product's short name */
    OCL_ELEMENT_CAPTION, /* "Quét mã để truy xuất nguồn gốc" */
    OCL_ELEMENT_MARK,    /* the OCOP mark with its stars, while the recognition is valid */
    OCL_ELEMENT_LOGO,    /* the producer's logo (PNG) */
    OCL_ELEMENT_TEXT,    /* a label's text, flowing around the code */
    OCL_ELEMENT_EAN,     /* a label's EAN for the till, against the code */
    OCL_ELEMENT_FROM,    /* a carton label's: who the carton comes from */
    OCL_ELEMENT_CONTENT, /* a carton label's: what it holds */
    OCL_ELEMENT_BARCODE, /* a carton label's SSCC as GS1-128 with its (00) line */
    OCL_ELEMENT_COUNT
} ocl_element;

/* What a layout is for; each kind has its elements, mandatory ones and
 * floors. */
typedef enum {
    OCL_LAYOUT_STAMP,
    OCL_LAYOUT_LABEL,  /* a full label (ocl_labels_pdf) */
    OCL_LAYOUT_CARTON, /* a carton's logistics label */
    OCL_LAYOUT_KIND_COUNT
} ocl_layout_kind;

/* What a text's `order` lists: a label's fields, then a carton label's. */
typedef enum {
    OCL_ITEM_LOGO,     /* label: the logo at the head of the text (or where listed) */
    OCL_ITEM_NAME,     /* the product's name */
    OCL_ITEM_MARK,     /* label: the OCOP mark */
    OCL_ITEM_PRODUCER, /* the producer: on a label with its address and phone */
    OCL_ITEM_ORIGIN,
    OCL_ITEM_NET_QUANTITY,
    OCL_ITEM_INGREDIENTS,
    OCL_ITEM_USAGE,
    OCL_ITEM_STORAGE,
    OCL_ITEM_WARNINGS,
    OCL_ITEM_STANDARD,
    OCL_ITEM_DATES, /* label: NSX and HSD */
    OCL_ITEM_LOT,   /* the lot; on a label with the serial */
    OCL_ITEM_PIN,   /* label: the scratch-off PIN in its box */
    OCL_ITEM_FROM,  /* carton: "Từ (from):" */
    OCL_ITEM_ADDRESS,
    OCL_ITEM_SSCC,
    OCL_ITEM_GTIN,     /* carton: (02) */
    OCL_ITEM_UNITS,    /* carton: (37), "count" in a file */
    OCL_ITEM_PRODUCED, /* carton: (11) */
    OCL_ITEM_EXPIRES,  /* carton: (17) */
    OCL_ITEM_COUNT
} ocl_item;

/* "logo", "name", ..., "count" (OCL_ITEM_UNITS); NULL past the end. */
const char *ocl_item_name(ocl_item item);

typedef enum { OCL_ALIGN_START, OCL_ALIGN_CENTER, OCL_ALIGN_END } ocl_align;

#define OCL_LAYOUT_TEXT_MAX  96
#define OCL_LAYOUT_NAME_MAX  64
#define OCL_LAYOUT_BYTES_MAX 16384
#define OCL_LAYOUT_LINES_MAX 6
#define OCL_LAYOUT_ORDER_MAX 24

/* An entry of a text's order. */
typedef struct {
    ocl_item item;
    int joined;  /* carton: on the line of the entry before ("gtin+count") */
    double size; /* carton: pt at full size ("name:16"); 0 on a label */
} ocl_layout_item;

/* Where a carton label's part gives way to the QR it meets. */
typedef enum { OCL_CLEAR_NONE, OCL_CLEAR_BESIDE, OCL_CLEAR_BELOW } ocl_clear;
/* Where a label's EAN goes against the code. */
typedef enum { OCL_PLACE_BELOW, OCL_PLACE_BESIDE } ocl_place;

/* A length as the file gives it: "12.5mm", or a fraction of the stamp's
 * width (left, width) or height (top, height) such as "0.82"; on a label
 * or a carton label, of its area inside the margin. */
typedef struct {
    double value;
    int fraction;
} ocl_length;

typedef struct {
    int present;
    int line;          /* where its section starts, for problems */
    ocl_length box[4]; /* left, top, width, height, from the top-left corner */
    double size_min;   /* pt: text shrinks from size_max down to size_min to fit */
    double size_max;
    int lines;                      /* most lines the text may wrap to */
    ocl_align align;                /* across the box (along the text when rotated) */
    ocl_align valign;               /* top, middle, bottom */
    int rotate;                     /* 0, or 90 (reading upwards) or 270 (downwards) */
    char text[OCL_LAYOUT_TEXT_MAX]; /* the caption's words; the serial's prefix */
    int has_box;                    /* a box was given (a label's logo may flow instead) */
    ocl_layout_item order[OCL_LAYOUT_ORDER_MAX]; /* label text, carton from and content */
    int order_count;
    double gap;         /* mm: a label's text from the code (and EAN) */
    double max;         /* mm: the largest side of a label's code; 0: no bound */
    double scale_min;   /* a label's name, times the body's size, */
    double scale_max;   /*   tried from max down to min */
    ocl_length height;  /* a label's logo in the text; a carton's bars (mm) */
    double module;      /* mm: a carton label's QR module */
    ocl_place place[2]; /* a label's EAN: where, in the order tried */
    int places;
    ocl_clear clear; /* a carton label's part against its QR */
} ocl_layout_element;

typedef struct ocl_layout {
    char name[OCL_LAYOUT_NAME_MAX]; /* the file's name, as problems give it */
    char description[128];          /* the file's first comment */
    ocl_layout_kind kind;
    double margin; /* mm: a label's or carton label's edge that nothing enters */
    int rules;     /* a carton label's thin rules between parts stacked one above another */
    ocl_layout_element element[OCL_ELEMENT_COUNT];
} ocl_layout;

/* "code", "serial", ...; NULL past the end. */
const char *ocl_element_name(ocl_element element);

/* Reads a layout file (at most OCL_LAYOUT_BYTES_MAX bytes) of "key = value"
 * lines and [element] sections. Problems name the element ("layout.serial")
 * and give the file, its line and the rule broken: an unknown element or
 * key, a value out of its range, a mandatory element missing. */
ocl_result ocl_layout_load(const char *path, ocl_layout *layout, ocl_problems *problems);
/* The same from memory; `name` is how problems call it. */
ocl_result ocl_layout_parse(const char *text, size_t len, const char *name, ocl_layout *layout,
                            ocl_problems *problems);

/* The built-in layouts, the same as their files in templates/layouts/:
 * "label", "carton" and "carton-low". OCL_EINVAL for another name. */
ocl_result ocl_layout_builtin(const char *name, ocl_layout *layout);

/* The element's boxes on a stamp of width x height mm (a label's or a
 * carton label's area inside its margin), in mm from its bottom-left
 * corner (absent: all 0). Problems: a box that reaches past the stamp,
 * overlaps the code's box (its quiet zone) or another element's, unless
 * it gives way (a label's text flows around the code, a carton's part
 * with `clear`). */
ocl_result ocl_layout_place(const ocl_layout *layout, double width, double height,
                            ocl_box box[OCL_ELEMENT_COUNT], ocl_problems *problems);

/* Whether the layout has a place for the producer's logo: a [logo] box,
 * or on a label 'logo' in its text's order. */
int ocl_layout_has_logo(const ocl_layout *layout);

/* Whether a label layout's text lists every field the law asks of the
 * group (ocl_law_requires, ocl_law_requires_dates); problems name
 * "layout.text", the file, the field and its legal basis. */
ocl_result ocl_layout_law_check(const ocl_layout *layout, ocl_group group, ocl_problems *problems);

/* The layout a stamp of this size takes when none is given, a name in
 * templates/layouts/: "stamp-small" under 25 mm square, "stamp-square"
 * for squares, "stamp" for stamps wider than tall. */
const char *ocl_stamp_layout_default(double width, double height);
/* A carton label's: "carton" 100 mm high or more, else "carton-low". */
const char *ocl_carton_layout_default(double width, double height);

/* ---------- logos: the producer's PNG ---------- */

#define OCL_LOGO_BYTES_MAX (1024 * 1024)
#define OCL_LOGO_SIDE_MAX  2000

/* Checks that `png` is a PNG file (signature, then decoded whole by
 * libpng) of at most OCL_LOGO_BYTES_MAX bytes and OCL_LOGO_SIDE_MAX pixels
 * a side; its size goes to width/height (may be NULL). Problems name
 * `field`. */
ocl_result ocl_logo_check(const unsigned char *png, size_t len, const char *field, int *width,
                          int *height, ocl_problems *problems);

/* ---------- traceability stamps (tem truy xuất nguồn gốc) ---------- */

/* A module of a stamp's code is never under 0.4 mm, and the code keeps a
 * 4-module quiet zone inside its box, whatever the symbology. */
#define OCL_STAMP_MODULE_MIN_MM 0.4
#define OCL_STAMP_QUIET         4
#define OCL_STAMP_CAPTION       "Quét mã để truy xuất nguồn gốc"

typedef struct {
    const char *font_path;
    const char *base_url;      /* NULL: OCL_DEFAULT_BASE_URL */
    const char *name;          /* the product's short name; NULL: the job's product name */
    int ocop_mark;             /* draw the OCOP mark (caller checked validity) */
    ocl_symbology symbol;      /* OCL_SYMBOL_QR or OCL_SYMBOL_DATAMATRIX */
    const unsigned char *logo; /* PNG (ocl_logo_check); NULL: none */
    size_t logo_len;
    int threads; /* encoding threads; 0 or 1: the calling one */
} ocl_stamp_options;

#define OCL_STAMP_LINES 24

/* Where things sit on one stamp, in mm from its bottom-left corner. */
typedef struct {
    ocl_box stamp;
    ocl_box code_box;                   /* the layout's box for the code */
    ocl_box code;                       /* the code with its quiet zone */
    ocl_box dark;                       /* the code without it */
    int modules;                        /* a side's modules, quiet zone included */
    double module;                      /* mm */
    ocl_box element[OCL_ELEMENT_COUNT]; /* the layout's boxes */
    ocl_box line[OCL_STAMP_LINES];      /* each line's ink (rotated: its turned box) */
    ocl_element line_element[OCL_STAMP_LINES];
    double line_size[OCL_STAMP_LINES]; /* pt */
    int lines;
    int mark; /* the OCOP mark is drawn */
    ocl_box mark_ink;
    int logo; /* the logo is drawn */
    ocl_box logo_ink;
} ocl_stamp_geometry;

/* The layout ocl_stamps_pdf would use, for checking it. */
ocl_result ocl_stamps_geometry(const ocl_label_job *job, const ocl_sheet *sheet,
                               const ocl_layout *layout, const ocl_stamp_options *options,
                               ocl_stamp_geometry *geometry, ocl_problems *problems);

/* One stamp per serial on the sheet: the unit's code (ocl_label_uri), the
 * serial, the name, the caption, the mark and the logo where the layout
 * puts them. Problems: a layout that breaks a rule on this sheet, text that
 * cannot fit its box, a code that would take modules under 0.4 mm (naming
 * `sheet`, with the size of stamp that would hold it), a bad logo. */
ocl_result ocl_stamps_pdf(const ocl_label_job *job, const ocl_sheet *sheet,
                          const ocl_layout *layout, const ocl_stamp_options *options,
                          const char *const *serials, size_t count, ocl_buffer *pdf,
                          ocl_problems *problems);

/* ---------- OCOP recognition (Decision 148/QĐ-TTg, 1489/QĐ-TTg) ---------- */

typedef enum {
    OCL_LEVEL_DISTRICT,
    OCL_LEVEL_PROVINCE,
    OCL_LEVEL_NATIONAL,
    OCL_LEVEL_COUNT
} ocl_level;

typedef enum {
    OCL_STATUS_VALID,
    OCL_STATUS_EXPIRING, /* 30 days or fewer left */
    OCL_STATUS_EXPIRED,
    OCL_STATUS_REVOKED
} ocl_status;

#define OCL_OCOP_VALID_MONTHS  36
#define OCL_OCOP_EXPIRING_DAYS 30

/* Stars of a total score: 90-100 five, 70-89 four, 50-69 three, 30-49 two,
 * under 30 one. */
int ocl_ocop_stars(int total);
/* Parts A 0-40, B 0-25, C 0-35. */
ocl_result ocl_ocop_scores_check(const int scores[3], ocl_problems *problems);
int ocl_ocop_level_parse(const char *name);
const char *ocl_ocop_level_name(ocl_level level);
/* Whether `level` may recognise `stars` on the decision date; 3 to 5 only. */
ocl_result ocl_ocop_authority_check(ocl_level level, int stars, const ocl_date *decided,
                                    ocl_problems *problems);
/* The date `months` later; a day the target month lacks becomes its last. */
ocl_date ocl_date_add_months(const ocl_date *date, int months);
/* The last day of validity: 36 months from the decision. */
ocl_date ocl_ocop_valid_until(const ocl_date *decided);
ocl_status ocl_ocop_status(const ocl_date *valid_until, int revoked, const ocl_date *day);
const char *ocl_status_name(ocl_status status);
/* A recognition certificate, as printed. */
typedef struct {
    const char *number;          /* the certificate's own number */
    const char *decision_number; /* "1032/QĐ-UBND" */
    const char *issuer;          /* "Ủy ban nhân dân tỉnh Bình Thuận" */
    const char *signer_title;    /* may hold '\n' */
    const char *signer_name;
    ocl_level level;
    ocl_date decided, valid_until;
    int scores[3], total, stars;
    const char *product_name;
    ocl_group group;
    const char *gtin; /* optional */
    const char *producer_name, *producer_address;
    const char *qr_text; /* what the code holds */
} ocl_certificate;

/* The certificate as one A4 landscape PDF page. */
ocl_result ocl_certificate_pdf(const ocl_certificate *certificate, const char *font_path,
                               ocl_buffer *pdf);

/* YYYYMMDD as a number, for comparing dates; days since a fixed epoch. */
long ocl_date_key(const ocl_date *date);
long ocl_date_days(const ocl_date *date);

#ifdef __cplusplus
}
#endif

#endif
