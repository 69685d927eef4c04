/*
 * Times as text (service/clock.c): known instants both ways, every day of
 * four centuries against the C library's own calendar, and the text that
 * is refused.
 */
#include "../../service/clock.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

static void test_known_instants(void)
{
    static const struct {
        time_t t;
        const char *utc, *vietnam;
    } cases[] = {
        {0, "1970-01-01T00:00:00Z", "1970-01-01T07:00:00+07:00"},
        {951782400, "2000-02-29T00:00:00Z", "2000-02-29T07:00:00+07:00"},
        {1773285240, "2026-03-12T03:14:00Z", "2026-03-12T10:14:00+07:00"},
        {1798736399, "2026-12-31T16:59:59Z", "2026-12-31T23:59:59+07:00"},
        {1798736400, "2026-12-31T17:00:00Z", "2027-01-01T00:00:00+07:00"},
        {2147483648, "2038-01-19T03:14:08Z", "2038-01-19T10:14:08+07:00"},
        {4107542399, "2100-02-28T23:59:59Z", "2100-03-01T06:59:59+07:00"},
        {-1, "1969-12-31T23:59:59Z", "1970-01-01T06:59:59+07:00"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char utc[CLOCK_ISO_MAX], vietnam[CLOCK_ISO_MAX];
        clock_iso_utc(cases[i].t, utc);
        clock_iso_vietnam(cases[i].t, vietnam);
        CHECK_STR(utc, cases[i].utc, "%lld in UTC", (long long)cases[i].t);
        CHECK_STR(vietnam, cases[i].vietnam, "%lld in Vietnam", (long long)cases[i].t);
        if (cases[i].t > 0)
            CHECK(clock_parse_utc(cases[i].utc) == cases[i].t, "'%s' read back", cases[i].utc);
    }
}

/* Every day from 1900 to 2300, at a time of day that moves, against
 * gmtime_r() and timegm(): one check, naming the first day that differs. */
static void test_against_libc(void)
{
    char first_wrong[96] = "";
    long long days = 0;
    for (long long t = -2208988800LL; t < 10413792000LL && !first_wrong[0]; t += 86400, days++) {
        time_t instant = (time_t)(t + (days * 3607) % 86400);
        struct tm tm;
        char want[CLOCK_ISO_MAX], got[CLOCK_ISO_MAX];
        gmtime_r(&instant, &tm);
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        clock_iso_utc(instant, got);
        if (strcmp(got, want) != 0 || clock_parse_utc(want) != instant || timegm(&tm) != instant)
            snprintf(first_wrong, sizeof(first_wrong), "%lld: '%s', want '%s'", (long long)instant,
                     got, want);
    }
    CHECK(!first_wrong[0], "%lld days as the C library counts them: %s", days, first_wrong);
}

static void test_refused(void)
{
    static const char *const refused[] = {
        NULL,
        "",
        "2026-03-12",
        "2026-03-12T03:14:00",
        "2026-03-12T03:14:00+07:00",
        "2026-03-12 03:14:00Z",
        "2026-3-12T03:14:00Z",
        "2026-03-12T03:14:00Zx",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2026-03-12T24:00:00Z",
        "2026-03-12T23:60:00Z",
        "2026-03-12T23:59:60Z",
        "2O26-03-12T03:14:00Z",
    };
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
        CHECK(clock_parse_utc(refused[i]) == 0, "'%s' is refused",
              refused[i] ? refused[i] : "(null)");
    CHECK(clock_parse_utc("2024-02-29T12:00:00Z") == 1709208000, "a leap day is read");
}

static void test_offsets(void)
{
    static const struct {
        const char *text;
        int ok;
        time_t t;
    } cases[] = {
        {"2026-03-12T10:14:00+07:00", 1, 1773285240},
        {"2026-03-12T03:14:00Z", 1, 1773285240},
        {"2026-03-12T03:14:00.250Z", 1, 1773285240},
        {"2026-03-11T22:14:00-05:00", 1, 1773285240},
        {"2026-03-12T03:14:00+00:00", 1, 1773285240},
        {"2026-03-12T10:14:00", 0, 0},
        {"2026-03-12T10:14:00+0700", 0, 0},
        {"2026-03-12T10:14:00+24:00", 0, 0},
        {"2026-03-12T10:14:00+07:60", 0, 0},
        {"2026-03-12 10:14:00+07:00", 0, 0},
        {"2026-02-30T10:14:00+07:00", 0, 0},
        {"2026-03-12T10:14:00+07:00x", 0, 0},
        {"", 0, 0},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        time_t t = 0;
        int ok = clock_parse_offset(cases[i].text, &t) == 0;
        CHECK(ok == cases[i].ok, "'%s': read %d, want %d", cases[i].text, ok, cases[i].ok);
        if (ok && cases[i].ok)
            CHECK(t == cases[i].t, "'%s': %lld, want %lld", cases[i].text, (long long)t,
                  (long long)cases[i].t);
    }
}

void test_clock(void)
{
    test_offsets();
    test_known_instants();
    test_against_libc();
    test_refused();
}
