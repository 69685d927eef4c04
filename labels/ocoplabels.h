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
    int name_lines; /* the first lines: the product name */
    int short_form; /* only what Art. 10(3) keeps on small goods */
    int mark;       /* the OCOP mark is drawn */
    ocl_box pin;    /* the PIN's box (with the PIN's line inside); all 0 without */
} ocl_label_geometry;

/* The layout ocl_labels_pdf would use, for checking it. */
ocl_result ocl_labels_geometry(const ocl_label_job *job, const ocl_sheet *sheet,
                               const ocl_label_options *options, ocl_label_geometry *geometry,
                               ocl_problems *problems);

/* Lays the job out on the sheet and draws one label per serial into a PDF
 * held in `pdf`. Problems: text that cannot fit at 5 pt even in the short
 * form of Art. 10(3). */
ocl_result ocl_labels_pdf(const ocl_label_job *job, const ocl_sheet *sheet,
                          const ocl_label_options *options, const char *const *serials,
                          size_t count, ocl_buffer *pdf, ocl_problems *problems);

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
