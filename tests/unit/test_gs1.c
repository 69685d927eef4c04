/*
 * GS1 tests: GTINs, set 82, dates, Digital Link building, parsing and
 * round trips, and every refusal with its exact message.
 */
#include "check.h"
#include "ocoplabels.h"

#include <stdio.h>
#include <string.h>

/* "field: rule" lines joined by '\n', as the CLI prints them. */
static const char *problems_text(const ocl_problems *problems, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < problems->count && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s: %s", i ? "\n" : "",
                                problems->item[i].field, problems->item[i].rule);
    return out;
}

static void test_check_digit(void)
{
    static const struct {
        const char *digits;
        int check;
    } cases[] = {
        {"0893123456789", 7}, {"893123456789", 7},  {"9638507", 4}, {"03600029145", 2},
        {"400638133393", 1},  {"1061414100041", 5}, {"0000000", 0}, {"1089312345678", 9},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int check = -1;
        ocl_result rc = ocl_gtin_check_digit(cases[i].digits, strlen(cases[i].digits), &check);
        CHECK(rc == OCL_OK && check == cases[i].check, "check digit of %s: got %d, want %d",
              cases[i].digits, check, cases[i].check);
    }
    int check;
    CHECK(ocl_gtin_check_digit("12a4567", 7, &check) == OCL_EINVAL, "check digit refuses letters");
}

static void test_gtin(void)
{
    static const struct {
        const char *input;
        const char *want; /* GTIN-14, or the problem */
    } cases[] = {
        {"08931234567897", "08931234567897"},
        {"8931234567897", "08931234567897"},
        {"96385074", "00000096385074"},
        {"036000291452", "00036000291452"},
        {"4006381333931", "04006381333931"},
        {"10614141000415", "10614141000415"},
        {"08931234567895", "gtin: check digit is 5, expected 7"},
        {"0893123456789", "gtin: check digit is 9, expected 2"},
        {"12345", "gtin: must have 8, 12, 13 or 14 digits, found 5"},
        {"089312345678970", "gtin: must have 8, 12, 13 or 14 digits, found 15"},
        {"0893123456789X", "gtin: must be digits only, found 'X' at position 14"},
        {" 8931234567897", "gtin: must be digits only, found ' ' at position 1"},
        {"", "gtin: required"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        char out[OCL_GTIN14_LEN + 1] = "", text[512];
        ocl_result rc = ocl_gtin_normalise(cases[i].input, "gtin", out, &problems);
        const char *got = rc == OCL_OK ? out : problems_text(&problems, text, sizeof(text));
        CHECK_STR(got, cases[i].want, "gtin '%s'", cases[i].input);
    }
}

static void test_cset82(void)
{
    static const char members[] = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                                  "abcdefghijklmnopqrstuvwxyz";
    CHECK(strlen(members) == 82, "the table of set 82 has 82 characters");
    int count = 0;
    for (int c = 0; c < 256; c++) {
        int want = c != 0 && strchr(members, c) != NULL;
        CHECK(ocl_cset82_contains(c) == want, "set 82 membership of 0x%02X", c);
        count += ocl_cset82_contains(c);
    }
    CHECK(count == 82, "set 82 has 82 members, found %d", count);
}

static void test_ai_value(void)
{
    static const struct {
        const char *value, *want; /* NULL: accepted */
    } cases[] = {
        {"L2025A", NULL},
        {"A", NULL},
        {"ABCDEFGHIJ0123456789", NULL},
        {"!\"%&'()*+,-./:;<=>?_", NULL},
        {"", "lot: must not be empty"},
        {"ABCDEFGHIJ01234567890", "lot: must be 1 to 20 characters, found 21"},
        {"L 1", "lot: ' ' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits "
                "and !\"%&'()*+,-./:;<=>?_ only)"},
        {"Lô1", "lot: 'ô' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits "
                "and !\"%&'()*+,-./:;<=>?_ only)"},
        {"ĐL#", "lot: 'Đ' at position 1 is not in GS1 character set 82 (letters A-Z a-z, digits "
                "and !\"%&'()*+,-./:;<=>?_ only)"},
        {"...", NULL},
        {".a", NULL},
        {".", "lot: '.' cannot be used: a browser drops a '.' or '..' path segment from the "
              "Digital Link (RFC 3986 dot segments)"},
        {"..", "lot: '..' cannot be used: a browser drops a '.' or '..' path segment from the "
               "Digital Link (RFC 3986 dot segments)"},
        {"AB~", "lot: '~' at position 3 is not in GS1 character set 82 (letters A-Z a-z, digits "
                "and !\"%&'()*+,-./:;<=>?_ only)"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        char text[512];
        ocl_result rc = ocl_ai_value_check(cases[i].value, "lot", &problems);
        if (!cases[i].want)
            CHECK(rc == OCL_OK && problems.count == 0, "lot '%s' accepted", cases[i].value);
        else
            CHECK_STR(problems_text(&problems, text, sizeof(text)), cases[i].want, "lot '%s'",
                      cases[i].value);
    }
}

static void test_dates(void)
{
    static const struct {
        const char *text;
        int yymmdd;       /* parse as YYMMDD instead of YYYY-MM-DD */
        const char *want; /* YYMMDD, or the problem */
    } cases[] = {
        {"2027-03-01", 0, "270301"},
        {"2028-02-29", 0, "280229"},
        {"2000-02-29", 0, "000229"},
        {"2099-12-31", 0, "991231"},
        {"2027-02-29", 0, "expiry: '2027-02-29' is not a date: February 2027 has 28 days"},
        {"2027-04-31", 0, "expiry: '2027-04-31' is not a date: April 2027 has 30 days"},
        {"2027-13-01", 0, "expiry: '2027-13-01' is not a date: month 13 does not exist"},
        {"2027-00-10", 0, "expiry: '2027-00-10' is not a date: month 00 does not exist"},
        {"2027-01-00", 0, "expiry: '2027-01-00' is not a date: January 2027 has 31 days"},
        {"2027-3-1", 0, "expiry: must be a date as YYYY-MM-DD, found '2027-3-1'"},
        {"01/03/2027", 0, "expiry: must be a date as YYYY-MM-DD, found '01/03/2027'"},
        {"1999-12-31", 0, "expiry: year must be 2000 to 2099, found 1999 (GS1 dates are YYMMDD)"},
        {"2100-01-01", 0, "expiry: year must be 2000 to 2099, found 2100 (GS1 dates are YYMMDD)"},
        {"", 0, "expiry: required"},
        {"270301", 1, "270301"},
        {"270300", 1, "270300"},
        {"280229", 1, "280229"},
        {"270229", 1, "expiry: '270229' is not a date: February 2027 has 28 days"},
        {"271301", 1, "expiry: '271301' is not a date: month 13 does not exist"},
        {"270132", 1, "expiry: '270132' is not a date: January 2027 has 31 days"},
        {"27031", 1, "expiry: must be a date as YYMMDD, found '27031'"},
        {"2703011", 1, "expiry: must be a date as YYMMDD, found '2703011'"},
        {"27O301", 1, "expiry: must be a date as YYMMDD, found '27O301'"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_date date = {0};
        char yymmdd[7] = "", text[512];
        ocl_result rc = cases[i].yymmdd
                            ? ocl_date_parse_yymmdd(cases[i].text, "expiry", &date, &problems)
                            : ocl_date_parse_iso(cases[i].text, "expiry", 1, &date, &problems);
        if (rc == OCL_OK)
            ocl_date_format_yymmdd(&date, yymmdd);
        const char *got = rc == OCL_OK ? yymmdd : problems_text(&problems, text, sizeof(text));
        CHECK_STR(got, cases[i].want, "date '%s'", cases[i].text);
    }
    static const struct {
        int year, month, days;
    } months[] = {{2024, 2, 29}, {2025, 2, 28}, {2000, 2, 29},  {2100, 2, 28},
                  {2025, 1, 31}, {2025, 4, 30}, {2025, 12, 31}, {2025, 13, 0}};
    for (size_t i = 0; i < ARRAY_SIZE(months); i++)
        CHECK(ocl_days_in_month(months[i].year, months[i].month) == months[i].days,
              "days in %d-%02d", months[i].year, months[i].month);
}

#define BASE OCL_DEFAULT_BASE_URL

/* The refusal of a character RFC 3986 does not allow raw in a URI. */
#define RAW_REFUSED(field, c, position, hex)                                                       \
    field ": '" c "' at position " position " is not allowed raw in a Digital Link URI (RFC "      \
          "3986: letters, digits and -._~!$&'()*+,;=:@ only): percent-encode it as %" hex
#define DOT_REFUSED(field, dots)                                                                   \
    field ": '" dots "' cannot be used: a browser drops a '.' or '..' path segment from the "      \
          "Digital Link (RFC 3986 dot segments)"

static const struct {
    const char *base;
    ocl_link link;
    const char *want; /* URI, or the problems */
} build_cases[] = {
    {NULL,
     {"8931234567897", "", "L2025A", "AB/12", {[OCL_DATE_EXPIRY] = "270301"}},
     BASE "/01/08931234567897/10/L2025A/21/AB%2F12?17=270301"},
    {NULL, {"08931234567897", "", "", "", {{0}}}, BASE "/01/08931234567897"},
    {NULL, {"08931234567897", "", "", "Xy9z", {{0}}}, BASE "/01/08931234567897/21/Xy9z"},
    {NULL,
     {"08931234567897", "", "!\"%&'()*+,-./:;<=>?_", "", {{0}}},
     BASE "/01/08931234567897/10/%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_"},
    {"https://example.vn/dl/",
     {"96385074",
      "2A",
      "lot-1",
      "s.1",
      {[OCL_DATE_PRODUCTION] = "250301", [OCL_DATE_EXPIRY] = "270300"}},
     "https://example.vn/dl/01/00000096385074/22/2A/10/lot-1/21/s.1?11=250301&17=270300"},
    {"http://127.0.0.1:8080",
     {"08931234567897", "", "L", "", {{0}}},
     "http://127.0.0.1:8080/01/08931234567897/10/L"},
    {"ftp://example.vn",
     {"08931234567897", "", "", "", {{0}}},
     "base-url: must start with https:// or http://"},
    {"https://",
     {"08931234567897", "", "", "", {{0}}},
     "base-url: must name a host after the scheme"},
    {"https://exa mple.vn",
     {"08931234567897", "", "", "", {{0}}},
     "base-url: ' ' at position 12 is not allowed in a host name"},
    {"https://example.vn?x=1",
     {"08931234567897", "", "", "", {{0}}},
     "base-url: '?' at position 19 is not allowed in a host name"},
    {NULL,
     {"08931234567895", "", "L 1", "", {[OCL_DATE_EXPIRY] = "270230"}},
     "gtin: check digit is 5, expected 7\n"
     "lot: ' ' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and "
     "!\"%&'()*+,-./:;<=>?_ only)\n"
     "expiry: '270230' is not a date: February 2027 has 28 days"},
};

static void test_build(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(build_cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        char uri[OCL_URI_MAX + 1] = "", text[1024];
        ocl_result rc =
            ocl_link_build(build_cases[i].base, &build_cases[i].link, uri, sizeof(uri), &problems);
        const char *got = rc == OCL_OK ? uri : problems_text(&problems, text, sizeof(text));
        CHECK_STR(got, build_cases[i].want, "build case %zu", i);
        if (rc != OCL_OK)
            continue;
        /* Round trip: parsing what was built gives the same identifiers. */
        ocl_link parsed;
        char base[OCL_BASE_URL_MAX];
        ocl_problems_init(&problems);
        rc = ocl_link_parse(uri, &parsed, base, sizeof(base), &problems);
        CHECK(rc == OCL_OK, "parse of built '%s': %s", uri,
              problems_text(&problems, text, sizeof(text)));
        char want_gtin[OCL_GTIN14_LEN + 1];
        ocl_gtin_normalise(build_cases[i].link.gtin, "gtin", want_gtin, &problems);
        ocl_link want = build_cases[i].link;
        memcpy(want.gtin, want_gtin, sizeof(want_gtin));
        CHECK(memcmp(&parsed, &want, sizeof(want)) == 0, "round trip of '%s'", uri);
        char want_base[OCL_BASE_URL_MAX];
        ocl_base_url_check(build_cases[i].base ? build_cases[i].base : BASE, want_base, &problems);
        CHECK_STR(base, want_base, "base of '%s'", uri);
    }
}

static const struct {
    const char *uri;
    const char *want; /* element string, or the problems */
} parse_cases[] = {
    {BASE "/01/08931234567897/10/L2025A/21/AB%2F12?17=270301",
     "(01)08931234567897(10)L2025A(21)AB/12(17)270301"},
    {BASE "/01/08931234567897", "(01)08931234567897"},
    {BASE "/01/8931234567897/21/1", "(01)08931234567897(21)1"},
    {"HTTPS://example.vn/01/08931234567897", "uri: must start with https:// or http://"},
    {"https://example.vn/01/08931234567897/10/a%2fb", "(01)08931234567897(10)a/b"},
    {"https://example.vn/01/08931234567897/21/A!B*(1)", "(01)08931234567897(21)A!B*\\(1)"},
    {"https://example.vn/01/08931234567897/10/(10)/21/X", "(01)08931234567897(10)\\(10)(21)X"},
    {"https://example.vn/01/08931234567897/10/%28%28/21/)", "(01)08931234567897(10)\\(\\((21))"},
    {"https://example.vn/01/08931234567897/10/%22%3C%3E", "(01)08931234567897(10)\"<>"},
    {"https://example.vn/01/08931234567897/10/A\"B", RAW_REFUSED("lot", "\"", "2", "22")},
    {"https://example.vn/01/08931234567897/10/A<B", RAW_REFUSED("lot", "<", "2", "3C")},
    {"https://example.vn/01/08931234567897/21/AB>", RAW_REFUSED("serial", ">", "3", "3E")},
    {"https://example.vn/01/08931234567897/22/{V}", RAW_REFUSED("cpv", "{", "1", "7B")},
    {"https://example.vn/01/08931234567897/21/A|B", RAW_REFUSED("serial", "|", "2", "7C")},
    {"https://example.vn/01/08931234567897/21/A^B", RAW_REFUSED("serial", "^", "2", "5E")},
    {"https://example.vn/01/08931234567897/21/A`B", RAW_REFUSED("serial", "`", "2", "60")},
    {"https://example.vn/01/08931234567897/21/A\\B", RAW_REFUSED("serial", "\\", "2", "5C")},
    {"https://example.vn/01/08931234567897/21/[1]", RAW_REFUSED("serial", "[", "1", "5B")},
    {"https://example.vn/a\"b/01/08931234567897", RAW_REFUSED("path", "\"", "3", "22")},
    {"https://example.vn/01/08931234567897?17=270301&x=<", RAW_REFUSED("query", "<", "13", "3C")},
    {"https://example.vn/01/08931234567897#a>", RAW_REFUSED("fragment", ">", "2", "3E")},
    {"https://exa\"mple.vn/01/08931234567897",
     "uri: '\"' at position 12 is not allowed in a host name"},
    {"https://example.vn/01/08931234567897/10/./21/X", DOT_REFUSED("lot", ".")},
    {"https://example.vn/01/08931234567897/21/..", DOT_REFUSED("serial", "..")},
    {"https://example.vn/01/08931234567897/10/%2E", DOT_REFUSED("lot", ".")},
    {"https://example.vn/01/08931234567897/21/%2e%2E", DOT_REFUSED("serial", "..")},
    {"https://example.vn/01/08931234567897/22/.", DOT_REFUSED("cpv", ".")},
    {"https://example.vn/01/08931234567897/10/.../21/.1", "(01)08931234567897(10)...(21).1"},
    {"https://example.vn/shop/01/x/01/08931234567897/10/01", "(01)08931234567897(10)01"},
    {"https://example.vn/01/08931234567897/22/V1/10/L/21/S?15=270300&17=270301&linkType=all",
     "(01)08931234567897(22)V1(10)L(21)S(15)270300(17)270301"},
    {"https://example.vn/01/08931234567897/10/L#fragment", "(01)08931234567897(10)L"},
    {"https://example.vn/01/08931234567897/21/S/10/L",
     "path: AI 10 must come before AI 21 (order 22, 10, 21)"},
    {"https://example.vn/01/08931234567897/10/L/10/M", "path: AI 10 appears more than once"},
    {"https://example.vn/01/08931234567897/99/X",
     "path: AI '99' is not a key qualifier of AI 01 (22, 10 or 21, in that order)"},
    {"https://example.vn/01/08931234567895/10/L", "gtin: check digit is 5, expected 7"},
    {"https://example.vn/01/08931234567897?17=270230",
     "expiry: '270230' is not a date: February 2027 has 28 days"},
    {"https://example.vn/01/08931234567897?17=27023",
     "expiry: must be a date as YYMMDD, found '27023'"},
    {"https://example.vn/01/08931234567897?17=270301&17=270302",
     "query: AI 17 appears more than once"},
    {"https://example.vn/01/08931234567897/10/L%C3%B4",
     "lot: 'ô' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and "
     "!\"%&'()*+,-./:;<=>?_ only)"},
    {"https://example.vn/01/08931234567897/21/A%20B",
     "serial: ' ' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and "
     "!\"%&'()*+,-./:;<=>?_ only)"},
    {"https://example.vn/01/08931234567897/21/A%7EB",
     "serial: '~' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and "
     "!\"%&'()*+,-./:;<=>?_ only)"},
    {"https://example.vn/01/08931234567897/10/L%2", "lot: '%2' at position 2 is not a valid "
                                                    "percent-encoding"},
    {"https://example.vn/01/08931234567897/10/L%GG1", "lot: '%GG' at position 2 is not a valid "
                                                      "percent-encoding"},
    {"https://example.vn/01/08931234567897/10/", "lot: must not be empty"},
    {"https://example.vn/01/08931234567897/21/ABCDEFGHIJ01234567890",
     "serial: must be 1 to 20 characters, found 21"},
    {"https://example.vn/products/42", "path: has no GTIN: expected '/01/{gtin}'"},
    {"https://example.vn", "path: has no GTIN: expected '/01/{gtin}'"},
    {"https://example.vn/01/08931234567897/10",
     "path: every AI needs a value: '/AI/value' pairs are incomplete after AI 01"},
    {"https://example.vn/01/08931234567897?10=L",
     "query: AI 10 belongs in the path, not the query"},
    {"https://example.vn/01/08931234567897?3103=000500", "query: AI 3103 is not supported here"},
    {"https://example.vn/01/08931234567897/10/Lô", "uri: byte 0xC3 at position 42 is not allowed "
                                                   "in a URI (percent-encode it)"},
    {"https://example.vn/01/08931234567897/10/L 1", "uri: byte 0x20 at position 42 is not allowed "
                                                    "in a URI (percent-encode it)"},
    {"", "uri: must not be empty"},
    {"https://example.vn/01/08931234567895/21/S/10/L%C3%B4?17=271301",
     "gtin: check digit is 5, expected 7\n"
     "path: AI 10 must come before AI 21 (order 22, 10, 21)\n"
     "lot: 'ô' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and "
     "!\"%&'()*+,-./:;<=>?_ only)\n"
     "expiry: '271301' is not a date: month 13 does not exist"},
};

static void test_parse(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_link link;
        char element[OCL_URI_MAX], text[1024];
        ocl_result rc = ocl_link_parse(parse_cases[i].uri, &link, NULL, 0, &problems);
        if (rc == OCL_OK)
            CHECK(ocl_link_element_string(&link, element, sizeof(element)) == OCL_OK,
                  "element string of '%s'", parse_cases[i].uri);
        const char *got = rc == OCL_OK ? element : problems_text(&problems, text, sizeof(text));
        CHECK_STR(got, parse_cases[i].want, "parse '%s'", parse_cases[i].uri);
        CHECK((rc == OCL_OK) == (problems.count == 0), "result and problems agree for '%s'",
              parse_cases[i].uri);
    }
    /* Too long and unusual inputs are refused, never overrun. */
    char longer[OCL_URI_MAX + 40];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    memcpy(longer, "https://", 8);
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_link link;
    CHECK(ocl_link_parse(longer, &link, NULL, 0, &problems) == OCL_EINVAL &&
              strstr(problems.item[0].rule, "at most 512 characters"),
          "over-long URI refused");
}

/* Element strings as gs1 check prints them read back to the same link, and
 * what they cannot hold is refused. */
static void test_element_string(void)
{
    static const struct {
        const char *text, *want; /* the Digital Link, or the problems */
    } cases[] = {
        {"(01)08931234567897(10)L2025A(21)AB/12(17)270301",
         BASE "/01/08931234567897/10/L2025A/21/AB%2F12?17=270301"},
        {"(01)08931234567897(10)\\(10)(21)X", BASE "/01/08931234567897/10/%2810%29/21/X"},
        {"(21)a)b(01)8931234567897(11)250301", BASE "/01/08931234567897/21/a%29b?11=250301"},
        {"(01)08931234567897(10)a\\b",
         "element-string: '\\' at position 24 may only escape a '(' of a value"},
        {"(01)08931234567897(10)(21)X", "lot: must not be empty"},
        {"(01)08931234567897(10).", DOT_REFUSED("lot", ".")},
        {"(01)08931234567897(21)..", DOT_REFUSED("serial", "..")},
        {"(01)08931234567897(99)X", "element-string: AI 99 is not supported here"},
        {"(01)08931234567897(10)A(10)B", "element-string: AI 10 appears more than once"},
        {"(01)08931234567895", "gtin: check digit is 5, expected 7"},
        {"(01)08931234567897(17)270230",
         "expiry: '270230' is not a date: February 2027 has 28 days"},
        {"(10)L", "element-string: has no GTIN: expected '(01)'"},
        {"01)08931234567897", "element-string: must start with '(01)'"},
        {"(1)08931234567897",
         "element-string: position 1: expected '(AI)' with an AI of 2 to 4 digits"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_link link;
        char uri[OCL_URI_MAX + 1] = "", text[1024];
        ocl_result rc = ocl_element_string_parse(cases[i].text, &link, &problems);
        if (rc == OCL_OK)
            rc = ocl_link_build(NULL, &link, uri, sizeof(uri), &problems);
        const char *got = rc == OCL_OK ? uri : problems_text(&problems, text, sizeof(text));
        CHECK_STR(got, cases[i].want, "element string '%s'", cases[i].text);
    }
    /* Every URI the parser accepts comes back whole through its element string. */
    for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_link link, again;
        char element[OCL_URI_MAX], text[1024];
        if (ocl_link_parse(parse_cases[i].uri, &link, NULL, 0, &problems) != OCL_OK)
            continue;
        ocl_link_element_string(&link, element, sizeof(element));
        CHECK(ocl_element_string_parse(element, &again, &problems) == OCL_OK,
              "element string '%s' reads back: %s", element,
              problems_text(&problems, text, sizeof(text)));
        CHECK(memcmp(&link, &again, sizeof(link)) == 0, "round trip of '%s'", element);
    }
}

static void test_percent_encode(void)
{
    char out[8];
    CHECK(ocl_percent_encode("A/B", out, sizeof(out)) == OCL_OK && strcmp(out, "A%2FB") == 0,
          "percent-encode A/B");
    CHECK(ocl_percent_encode("////", out, sizeof(out)) == OCL_ERANGE,
          "percent-encode reports a short buffer");
}

static void test_problems(void)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    for (int i = 0; i < OCL_PROBLEMS_MAX + 5; i++)
        ocl_problem_add(&problems, "field", "rule %d", i);
    CHECK(problems.count == OCL_PROBLEMS_MAX && problems.dropped == 5,
          "problem list keeps %d and counts the rest", OCL_PROBLEMS_MAX);
}

void test_gs1(void)
{
    test_check_digit();
    test_gtin();
    test_cset82();
    test_ai_value();
    test_dates();
    test_build();
    test_parse();
    test_element_string();
    test_percent_encode();
    test_problems();
}
