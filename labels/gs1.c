/*
 * GS1 identifiers: GTIN check digits and normalisation, character set 82,
 * YYMMDD dates, and GS1 Digital Link URIs (URI Syntax 1.x) built and parsed.
 *
 * Parsing collects every problem it can find rather than stopping at the
 * first, because a producer fixing a batch of codes wants the whole list.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---------- GTIN ---------- */

ocl_result ocl_gtin_check_digit(const char *digits, size_t len, int *check)
{
    if (!digits || !check || len == 0 || len > 17)
        return OCL_EINVAL;
    int sum = 0;
    for (size_t i = 0; i < len; i++) {
        char c = digits[len - 1 - i];
        if (c < '0' || c > '9')
            return OCL_EINVAL;
        sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
    }
    *check = (10 - sum % 10) % 10;
    return OCL_OK;
}

ocl_result ocl_gtin_normalise(const char *gtin, const char *field, char out[OCL_GTIN14_LEN + 1],
                              ocl_problems *problems)
{
    char quoted[OCL_QUOTE_MAX];
    size_t len = gtin ? strlen(gtin) : 0;
    if (len == 0)
        return ocl_problem_add(problems, field, "required");
    for (size_t i = 0; i < len; i++) {
        if (gtin[i] < '0' || gtin[i] > '9')
            return ocl_problem_add(problems, field,
                                   "must be digits only, found '%s' at position %zu",
                                   ocl_quote(gtin + i, 1, quoted, sizeof(quoted)), i + 1);
    }
    if (len != 8 && len != 12 && len != 13 && len != 14)
        return ocl_problem_add(problems, field, "must have 8, 12, 13 or 14 digits, found %zu", len);
    int expected = 0;
    ocl_gtin_check_digit(gtin, len - 1, &expected);
    int found = gtin[len - 1] - '0';
    if (found != expected)
        return ocl_problem_add(problems, field, "check digit is %d, expected %d", found, expected);
    memset(out, '0', OCL_GTIN14_LEN - len);
    memcpy(out + OCL_GTIN14_LEN - len, gtin, len);
    out[OCL_GTIN14_LEN] = '\0';
    return OCL_OK;
}

/* ---------- character set 82 ---------- */

int ocl_cset82_contains(int c)
{
    if (c >= '0' && c <= '9')
        return 1;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return 1;
    return c != 0 && strchr("!\"%&'()*+,-./:;<=>?_", c) != NULL;
}

ocl_result ocl_ai_value_check(const char *value, const char *field, ocl_problems *problems)
{
    char quoted[OCL_QUOTE_MAX];
    size_t len = value ? strlen(value) : 0;
    if (len == 0)
        return ocl_problem_add(problems, field, "must not be empty");
    if (len > OCL_AI_VALUE_MAX)
        return ocl_problem_add(problems, field, "must be 1 to %d characters, found %zu",
                               OCL_AI_VALUE_MAX, len);
    size_t position = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        position += (c & 0xC0) != 0x80;
        if (ocl_cset82_contains(c))
            continue;
        /* Show a Vietnamese letter as the letter, not as its bytes. */
        size_t n = 1;
        while (c >= 0xC0 && n < 4 && i + n < len && ((unsigned char)value[i + n] & 0xC0) == 0x80)
            n++;
        if (n > 1 && ocl_utf8_invalid_at((const unsigned char *)value + i, n) == (size_t)-1)
            snprintf(quoted, sizeof(quoted), "%.*s", (int)n, value + i);
        else
            ocl_quote(value + i, 1, quoted, sizeof(quoted));
        return ocl_problem_add(problems, field,
                               "'%s' at position %zu is not in GS1 character set 82 (letters "
                               "A-Z a-z, digits and !\"%%&'()*+,-./:;<=>?_ only)",
                               quoted, position);
    }
    /* A browser resolves "." and ".." away as dot segments (RFC 3986
     * 5.2.4, and WHATWG URL even when written %2E), so such a value can
     * never reach the resolver from a scan. */
    if (strcmp(value, ".") == 0 || strcmp(value, "..") == 0)
        return ocl_problem_add(problems, field,
                               "'%s' cannot be used: a browser drops a '.' or '..' path segment "
                               "from the Digital Link (RFC 3986 dot segments)",
                               value);
    return OCL_OK;
}

/* ---------- dates ---------- */

int ocl_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[month - 1];
}

static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

static int all_digits(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] < '0' || text[i] > '9')
            return 0;
    return 1;
}

static int number_at(const char *text, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n = n * 10 + (text[i] - '0');
    return n;
}

/* Shared by both date forms: month 1-12, day within the month (0 allowed
 * only where GS1 allows it). */
static ocl_result date_check(const ocl_date *date, const char *field, const char *shown,
                             int day_zero_ok, ocl_problems *problems)
{
    if (date->month < 1 || date->month > 12)
        return ocl_problem_add(problems, field, "'%s' is not a date: month %02d does not exist",
                               shown, date->month);
    int days = ocl_days_in_month(date->year, date->month);
    if ((date->day == 0 && !day_zero_ok) || date->day > days)
        return ocl_problem_add(problems, field, "'%s' is not a date: %s %d has %d days", shown,
                               month_names[date->month - 1], date->year, days);
    return OCL_OK;
}

ocl_result ocl_date_parse_iso(const char *text, const char *field, int gs1_range, ocl_date *date,
                              ocl_problems *problems)
{
    char quoted[OCL_QUOTE_MAX];
    size_t len = text ? strlen(text) : 0;
    if (len == 0)
        return ocl_problem_add(problems, field, "required");
    ocl_quote(text, len, quoted, sizeof(quoted));
    if (len != 10 || text[4] != '-' || text[7] != '-' || !all_digits(text, 4) ||
        !all_digits(text + 5, 2) || !all_digits(text + 8, 2))
        return ocl_problem_add(problems, field, "must be a date as YYYY-MM-DD, found '%s'", quoted);
    ocl_date d = {number_at(text, 4), number_at(text + 5, 2), number_at(text + 8, 2)};
    if (date_check(&d, field, quoted, 0, problems) != OCL_OK)
        return OCL_EINVAL;
    if (gs1_range && (d.year < 2000 || d.year > 2099))
        return ocl_problem_add(
            problems, field, "year must be 2000 to 2099, found %d (GS1 dates are YYMMDD)", d.year);
    *date = d;
    return OCL_OK;
}

ocl_result ocl_date_parse_yymmdd(const char *text, const char *field, ocl_date *date,
                                 ocl_problems *problems)
{
    char quoted[OCL_QUOTE_MAX];
    size_t len = text ? strlen(text) : 0;
    ocl_quote(text ? text : "", len, quoted, sizeof(quoted));
    if (len != 6 || !all_digits(text, 6))
        return ocl_problem_add(problems, field, "must be a date as YYMMDD, found '%s'", quoted);
    ocl_date d = {2000 + number_at(text, 2), number_at(text + 2, 2), number_at(text + 4, 2)};
    if (date_check(&d, field, quoted, 1, problems) != OCL_OK)
        return OCL_EINVAL;
    *date = d;
    return OCL_OK;
}

void ocl_date_format_yymmdd(const ocl_date *date, char out[7])
{
    snprintf(out, 7, "%02u%02u%02u", (unsigned)date->year % 100u, (unsigned)date->month % 100u,
             (unsigned)date->day % 100u);
}

/* ---------- Digital Link ---------- */

/* The data attributes carried in the query, in element string order. */
static const struct {
    const char *ai;
    const char *field;
} date_attributes[OCL_DATE_COUNT] = {
    [OCL_DATE_PRODUCTION] = {"11", "production-date"},
    [OCL_DATE_PACKAGING] = {"13", "packaging-date"},
    [OCL_DATE_BEST_BEFORE] = {"15", "best-before"},
    [OCL_DATE_SELL_BY] = {"16", "sell-by"},
    [OCL_DATE_EXPIRY] = {"17", "expiry"},
};

/* The key qualifiers of AI 01 in the order the path must give them. */
enum { QUALIFIER_CPV, QUALIFIER_LOT, QUALIFIER_SERIAL, QUALIFIER_COUNT };

static const struct {
    const char *ai;
    const char *field;
} qualifiers[QUALIFIER_COUNT] = {
    [QUALIFIER_CPV] = {"22", "cpv"},
    [QUALIFIER_LOT] = {"10", "lot"},
    [QUALIFIER_SERIAL] = {"21", "serial"},
};

static char *qualifier_value(ocl_link *link, int qualifier)
{
    switch (qualifier) {
    case QUALIFIER_CPV:
        return link->cpv;
    case QUALIFIER_LOT:
        return link->lot;
    default:
        return link->serial;
    }
}

static const char *qualifier_value_const(const ocl_link *link, int qualifier)
{
    return qualifier_value((ocl_link *)link, qualifier);
}

static int url_unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

ocl_result ocl_percent_encode(const char *value, char *out, size_t out_size)
{
    ocl_strbuf sb;
    ocl_strbuf_init(&sb, out, out_size);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (url_unreserved(*p))
            ocl_strbuf_add(&sb, (const char *)p, 1);
        else
            ocl_strbuf_printf(&sb, "%%%02X", *p);
    }
    return sb.overflow ? OCL_ERANGE : OCL_OK;
}

ocl_result ocl_base_url_check(const char *base_url, char out[OCL_BASE_URL_MAX],
                              ocl_problems *problems)
{
    static const char field[] = "base-url";
    char quoted[OCL_QUOTE_MAX];
    size_t len = base_url ? strlen(base_url) : 0;
    if (len == 0)
        return ocl_problem_add(problems, field, "must not be empty");
    size_t scheme = 0;
    if (strncmp(base_url, "https://", 8) == 0)
        scheme = 8;
    else if (strncmp(base_url, "http://", 7) == 0)
        scheme = 7;
    else
        return ocl_problem_add(problems, field, "must start with https:// or http://");
    while (len > scheme && base_url[len - 1] == '/')
        len--;
    if (len >= OCL_BASE_URL_MAX)
        return ocl_problem_add(problems, field, "must be shorter than %d characters",
                               OCL_BASE_URL_MAX);
    size_t host_end = scheme;
    while (host_end < len && base_url[host_end] != '/')
        host_end++;
    if (host_end == scheme)
        return ocl_problem_add(problems, field, "must name a host after the scheme");
    for (size_t i = scheme; i < len; i++) {
        unsigned char c = (unsigned char)base_url[i];
        int allowed = i < host_end ? (isalnum(c) || strchr("-.:[]", c))
                                   : (isalnum(c) || strchr("-._~!$&'()*+,;=:@/%", c));
        if (!allowed || c == '\0')
            return ocl_problem_add(problems, field, "'%s' at position %zu is not allowed in %s",
                                   ocl_quote(base_url + i, 1, quoted, sizeof(quoted)), i + 1,
                                   i < host_end ? "a host name" : "a URL path");
    }
    memcpy(out, base_url, len);
    out[len] = '\0';
    return OCL_OK;
}

/* Validates every field of a link, reporting each problem. */
static ocl_result link_check(const ocl_link *link, ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    char gtin[OCL_GTIN14_LEN + 1];
    ocl_gtin_normalise(link->gtin, "gtin", gtin, problems);
    for (int q = 0; q < QUALIFIER_COUNT; q++) {
        const char *value = qualifier_value_const(link, q);
        if (value[0])
            ocl_ai_value_check(value, qualifiers[q].field, problems);
    }
    for (int d = 0; d < OCL_DATE_COUNT; d++) {
        ocl_date date;
        if (link->date[d][0])
            ocl_date_parse_yymmdd(link->date[d], date_attributes[d].field, &date, problems);
    }
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}

ocl_result ocl_link_build(const char *base_url, const ocl_link *link, char *out, size_t out_size,
                          ocl_problems *problems)
{
    char base[OCL_BASE_URL_MAX];
    ocl_result rc = ocl_base_url_check(base_url ? base_url : OCL_DEFAULT_BASE_URL, base, problems);
    if (link_check(link, problems) != OCL_OK || rc != OCL_OK)
        return OCL_EINVAL;
    char gtin[OCL_GTIN14_LEN + 1];
    ocl_gtin_normalise(link->gtin, "gtin", gtin, problems);

    ocl_strbuf sb;
    ocl_strbuf_init(&sb, out, out_size);
    ocl_strbuf_puts(&sb, base);
    ocl_strbuf_puts(&sb, "/01/");
    ocl_strbuf_puts(&sb, gtin);
    for (int q = 0; q < QUALIFIER_COUNT; q++) {
        const char *value = qualifier_value_const(link, q);
        char encoded[3 * OCL_AI_VALUE_MAX + 1];
        if (!value[0])
            continue;
        ocl_percent_encode(value, encoded, sizeof(encoded));
        ocl_strbuf_puts(&sb, "/");
        ocl_strbuf_puts(&sb, qualifiers[q].ai);
        ocl_strbuf_puts(&sb, "/");
        ocl_strbuf_puts(&sb, encoded);
    }
    char separator = '?';
    for (int d = 0; d < OCL_DATE_COUNT; d++) {
        if (!link->date[d][0])
            continue;
        ocl_strbuf_printf(&sb, "%c%s=%s", separator, date_attributes[d].ai, link->date[d]);
        separator = '&';
    }
    return sb.overflow ? OCL_ERANGE : OCL_OK;
}

/* A '(' inside a value is written as a backslash and '(' (the GS1 Barcode
 * Syntax Engine's convention) so that the element string can be read back;
 * a backslash is not in set 82, so the escape is never ambiguous. */
static void add_bracketed_value(ocl_strbuf *sb, const char *value)
{
    for (const char *run = value; *run;) {
        size_t n = strcspn(run, "(");
        ocl_strbuf_add(sb, run, n);
        run += n;
        if (*run == '(') {
            ocl_strbuf_puts(sb, "\\(");
            run++;
        }
    }
}

ocl_result ocl_link_element_string(const ocl_link *link, char *out, size_t out_size)
{
    ocl_strbuf sb;
    ocl_strbuf_init(&sb, out, out_size);
    ocl_strbuf_printf(&sb, "(01)%s", link->gtin);
    for (int q = 0; q < QUALIFIER_COUNT; q++) {
        const char *value = qualifier_value_const(link, q);
        if (!value[0])
            continue;
        ocl_strbuf_printf(&sb, "(%s)", qualifiers[q].ai);
        add_bracketed_value(&sb, value);
    }
    for (int d = 0; d < OCL_DATE_COUNT; d++) {
        if (link->date[d][0])
            ocl_strbuf_printf(&sb, "(%s)%s", date_attributes[d].ai, link->date[d]);
    }
    return sb.overflow ? OCL_ERANGE : OCL_OK;
}

/* ---------- parsing ---------- */

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX escapes of text[0..len) into out (at least len + 1 bytes).
 * Returns 0, or the 1-based position of a malformed escape. */
static size_t percent_decode(const char *text, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '%') {
            out[n++] = text[i];
            continue;
        }
        int hi = i + 1 < len ? hex_value((unsigned char)text[i + 1]) : -1;
        int lo = i + 2 < len ? hex_value((unsigned char)text[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return i + 1;
        out[n++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[n] = '\0';
    return 0;
}

/* RFC 3986 pchar (unreserved, sub-delims, ':' and '@'), which GS1 Digital
 * Link URI Syntax uses for path segments; '%' is left to percent_decode.
 * Returns the 1-based position of the first other character, or 0. */
static size_t uri_char_bad(const char *text, size_t len, const char *extra)
{
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)text[i];
        int letter_or_digit =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!letter_or_digit && !strchr("-._~!$&'()*+,;=:@%", c) && !strchr(extra, c))
            return i + 1;
    }
    return 0;
}

/* Refuses a raw character that a URI must percent-encode, naming where. */
static int uri_chars_refused(const char *text, size_t len, const char *extra, const char *field,
                             ocl_problems *problems)
{
    size_t bad = uri_char_bad(text, len, extra);
    if (!bad)
        return 0;
    char quoted[OCL_QUOTE_MAX];
    ocl_problem_add(problems, field,
                    "'%s' at position %zu is not allowed raw in a Digital Link URI (RFC 3986: "
                    "letters, digits and -._~!$&'()*+,;=:@ only): percent-encode it as %%%02X",
                    ocl_quote(text + bad - 1, 1, quoted, sizeof(quoted)), bad,
                    (unsigned char)text[bad - 1]);
    return 1;
}

/* Decodes one value and checks it against set 82, then stores it. */
static void parse_value(const char *raw, size_t len, const char *field, char *dest,
                        size_t dest_size, ocl_problems *problems)
{
    if (uri_chars_refused(raw, len, "", field, problems))
        return;
    char decoded[OCL_URI_MAX + 1];
    size_t bad = percent_decode(raw, len, decoded);
    if (bad) {
        char quoted[OCL_QUOTE_MAX];
        ocl_problem_add(
            problems, field, "'%s' at position %zu is not a valid percent-encoding",
            ocl_quote(raw + bad - 1, len - bad + 1 < 3 ? len - bad + 1 : 3, quoted, sizeof(quoted)),
            bad);
        return;
    }
    size_t n = strlen(decoded);
    if (ocl_ai_value_check(decoded, field, problems) == OCL_OK && n < dest_size)
        memcpy(dest, decoded, n + 1);
}

typedef struct {
    const char *start;
    size_t len;
} span;

static int span_is(span s, const char *text)
{
    return strlen(text) == s.len && memcmp(s.start, text, s.len) == 0;
}

#define MAX_SEGMENTS 64

/* Splits path (which starts with '/') into segments. Returns the count, or
 * -1 when there are more than MAX_SEGMENTS. */
static int split_path(const char *path, size_t len, span *segments)
{
    int n = 0;
    size_t i = 1;
    while (i <= len) {
        size_t j = i;
        while (j < len && path[j] != '/')
            j++;
        if (n == MAX_SEGMENTS)
            return -1;
        segments[n].start = path + i;
        segments[n].len = j - i;
        n++;
        i = j + 1;
    }
    return n;
}

static int qualifier_index(span ai)
{
    for (int q = 0; q < QUALIFIER_COUNT; q++)
        if (span_is(ai, qualifiers[q].ai))
            return q;
    return -1;
}

/* Walks the (AI, value) pairs that follow AI 01 and its GTIN. */
static void parse_qualifiers(const span *seg, int count, ocl_link *link, ocl_problems *problems)
{
    char quoted[OCL_QUOTE_MAX];
    int last = -1;
    int seen[QUALIFIER_COUNT] = {0};
    for (int i = 0; i + 1 < count; i += 2) {
        int q = qualifier_index(seg[i]);
        if (q < 0) {
            ocl_problem_add(problems, "path",
                            "AI '%s' is not a key qualifier of AI 01 (22, 10 or 21, in that order)",
                            ocl_quote(seg[i].start, seg[i].len, quoted, sizeof(quoted)));
            continue;
        }
        if (seen[q]) {
            ocl_problem_add(problems, "path", "AI %s appears more than once", qualifiers[q].ai);
            continue;
        }
        seen[q] = 1;
        if (q < last)
            ocl_problem_add(problems, "path", "AI %s must come before AI %s (order 22, 10, 21)",
                            qualifiers[q].ai, qualifiers[last].ai);
        else
            last = q;
        parse_value(seg[i + 1].start, seg[i + 1].len, qualifiers[q].field, qualifier_value(link, q),
                    OCL_AI_VALUE_MAX + 1, problems);
    }
}

static ocl_result parse_path(const char *path, size_t len, ocl_link *link, size_t *prefix_len,
                             ocl_problems *problems)
{
    span seg[MAX_SEGMENTS];
    int count = split_path(path, len, seg);
    if (count < 0)
        return ocl_problem_add(problems, "path", "has more than %d segments", MAX_SEGMENTS);
    /* The Digital Link part is the tail: "01", the GTIN, then pairs. A path
     * prefix before it is allowed. Qualifier values sit at an odd distance
     * from the end and AI codes are never "01", so the last "01" at an even
     * distance from the end is the key, whatever the prefix or values hold. */
    int start = -1, odd_start = -1;
    for (int i = count - 1; i >= 0 && start < 0; i--) {
        if (!span_is(seg[i], "01"))
            continue;
        if ((count - i) % 2 == 0)
            start = i;
        else if (odd_start < 0)
            odd_start = i;
    }
    if (start < 0) {
        if (odd_start >= 0)
            return ocl_problem_add(problems, "path",
                                   "every AI needs a value: '/AI/value' pairs "
                                   "are incomplete after AI 01");
        return ocl_problem_add(problems, "path", "has no GTIN: expected '/01/{gtin}'");
    }
    *prefix_len = (size_t)(seg[start].start - path) - 1;
    uri_chars_refused(path, *prefix_len, "/", "path", problems);
    char gtin[OCL_URI_MAX + 1];
    size_t bad = percent_decode(seg[start + 1].start, seg[start + 1].len, gtin);
    if (bad)
        gtin[0] = 'x', gtin[1] = '\0';
    ocl_gtin_normalise(gtin, "gtin", link->gtin, problems);
    parse_qualifiers(seg + start + 2, count - start - 2, link, problems);
    return OCL_OK;
}

static int date_attribute_index(span key)
{
    for (int d = 0; d < OCL_DATE_COUNT; d++)
        if (span_is(key, date_attributes[d].ai))
            return d;
    return -1;
}

/* Query parameters: GS1 date attributes are checked and kept; other GS1
 * AIs are refused (this service understands only these); non-numeric keys
 * such as linkType belong to the resolver and are ignored. */
static void parse_query(const char *query, size_t len, ocl_link *link, ocl_problems *problems)
{
    char quoted[OCL_QUOTE_MAX];
    if (uri_chars_refused(query, len, "/?", "query", problems))
        return;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && query[end] != '&')
            end++;
        span key = {query + i, 0};
        while (i + key.len < end && query[i + key.len] != '=')
            key.len++;
        const char *value = query + i + key.len + (i + key.len < end ? 1 : 0);
        size_t value_len = (size_t)(query + end - value);
        i = end + 1;
        if (key.len == 0 || !all_digits(key.start, key.len))
            continue;
        int d = date_attribute_index(key);
        if (d < 0) {
            int in_path = span_is(key, "01") || qualifier_index(key) >= 0;
            ocl_problem_add(problems, "query",
                            in_path ? "AI %s belongs in the path, not the query"
                                    : "AI %s is not supported here",
                            ocl_quote(key.start, key.len, quoted, sizeof(quoted)));
            continue;
        }
        if (link->date[d][0]) {
            ocl_problem_add(problems, "query", "AI %s appears more than once",
                            date_attributes[d].ai);
            continue;
        }
        char decoded[OCL_URI_MAX + 1];
        ocl_date date;
        if (percent_decode(value, value_len, decoded))
            ocl_problem_add(problems, date_attributes[d].field, "is not a valid percent-encoding");
        else if (ocl_date_parse_yymmdd(decoded, date_attributes[d].field, &date, problems) ==
                 OCL_OK)
            memcpy(link->date[d], decoded, 7);
    }
}

ocl_result ocl_link_parse(const char *uri, ocl_link *link, char *base_out, size_t base_size,
                          ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    memset(link, 0, sizeof(*link));
    size_t len = uri ? strlen(uri) : 0;
    if (len == 0)
        return ocl_problem_add(problems, "uri", "must not be empty");
    if (len > OCL_URI_MAX)
        return ocl_problem_add(problems, "uri", "must be at most %d characters, found %zu",
                               OCL_URI_MAX, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= 0x20 || c >= 0x7f)
            return ocl_problem_add(problems, "uri",
                                   "byte 0x%02X at position %zu is not allowed in a URI "
                                   "(percent-encode it)",
                                   c, i + 1);
    }
    size_t scheme = strncmp(uri, "https://", 8) == 0 ? 8 : strncmp(uri, "http://", 7) == 0 ? 7 : 0;
    if (!scheme)
        return ocl_problem_add(problems, "uri", "must start with https:// or http://");
    size_t end = strcspn(uri, "#");
    size_t query = strcspn(uri, "?");
    if (query > end)
        query = end;
    size_t path = scheme + strcspn(uri + scheme, "/?#");
    if (path == scheme)
        return ocl_problem_add(problems, "uri", "must name a host after the scheme");
    char quoted[OCL_QUOTE_MAX];
    for (size_t i = scheme; i < path; i++)
        if (!isalnum((unsigned char)uri[i]) && !strchr("-.:[]", uri[i]))
            return ocl_problem_add(problems, "uri",
                                   "'%s' at position %zu is not allowed in a host name",
                                   ocl_quote(uri + i, 1, quoted, sizeof(quoted)), i + 1);
    if (path >= query)
        return ocl_problem_add(problems, "path", "has no GTIN: expected '/01/{gtin}'");

    size_t prefix_len = 0;
    if (parse_path(uri + path, query - path, link, &prefix_len, problems) != OCL_OK)
        return OCL_EINVAL;
    if (query < end)
        parse_query(uri + query + 1, end - query - 1, link, problems);
    if (end < len)
        uri_chars_refused(uri + end + 1, len - end - 1, "/?", "fragment", problems);
    if (base_out && base_size)
        snprintf(base_out, base_size, "%.*s", (int)(path + prefix_len), uri);
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}

/* ---------- element strings ---------- */

/* Reads one value up to the next unescaped '(' into out; "\\(" is a '('.
 * Returns the characters of text consumed, or 0 on a stray backslash. */
static size_t bracketed_value(const char *text, char *out, size_t out_size, size_t *bad)
{
    size_t i = 0, n = 0;
    while (text[i] && text[i] != '(') {
        if (text[i] == '\\' && text[i + 1] != '(') {
            *bad = i + 1;
            return 0;
        }
        i += text[i] == '\\';
        if (n + 1 < out_size)
            out[n++] = text[i];
        i++;
    }
    out[n] = '\0';
    *bad = 0;
    return i;
}

/* Stores one (AI)value of an element string in link. */
static void element_store(span ai, const char *value, ocl_link *link, ocl_problems *problems)
{
    char quoted[OCL_QUOTE_MAX];
    int q = qualifier_index(ai), d = date_attribute_index(ai);
    char *dest = span_is(ai, "01") ? link->gtin
                 : q >= 0          ? qualifier_value(link, q)
                 : d >= 0          ? link->date[d]
                                   : NULL;
    ocl_quote(ai.start, ai.len, quoted, sizeof(quoted));
    if (!dest) {
        ocl_problem_add(problems, "element-string", "AI %s is not supported here", quoted);
        return;
    }
    if (dest[0]) {
        ocl_problem_add(problems, "element-string", "AI %s appears more than once", quoted);
        return;
    }
    ocl_date date;
    if (dest == link->gtin)
        ocl_gtin_normalise(value, "gtin", link->gtin, problems);
    else if (q >= 0 && ocl_ai_value_check(value, qualifiers[q].field, problems) == OCL_OK)
        memcpy(dest, value, strlen(value) + 1);
    else if (d >= 0 &&
             ocl_date_parse_yymmdd(value, date_attributes[d].field, &date, problems) == OCL_OK)
        memcpy(dest, value, 7);
}

ocl_result ocl_element_string_parse(const char *text, ocl_link *link, ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    memset(link, 0, sizeof(*link));
    if (!text || text[0] != '(')
        return ocl_problem_add(problems, "element-string", "must start with '(01)'");
    size_t at = 0;
    while (text[at] == '(') {
        span ai = {text + at + 1, strspn(text + at + 1, "0123456789")};
        if (ai.len < 2 || ai.len > 4 || ai.start[ai.len] != ')')
            return ocl_problem_add(problems, "element-string",
                                   "position %zu: expected '(AI)' with an AI of 2 to 4 digits",
                                   at + 1);
        at += ai.len + 2;
        char value[OCL_URI_MAX + 1];
        size_t bad = 0, used = bracketed_value(text + at, value, sizeof(value), &bad);
        if (bad)
            return ocl_problem_add(problems, "element-string",
                                   "'\\' at position %zu may only escape a '(' of a value",
                                   at + bad);
        element_store(ai, value, link, problems);
        at += used;
    }
    if (!link->gtin[0] && problems->count + problems->dropped == before)
        ocl_problem_add(problems, "element-string", "has no GTIN: expected '(01)'");
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}
