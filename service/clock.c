/*
 * Calendar arithmetic on days since 1970-01-01 in the proleptic Gregorian
 * calendar (H. Hinnant's algorithms): eras of 400 years, each of 146,097
 * days, counted from March so that the leap day ends the year.
 */
#include "clock.h"
#include "text.h"

#include <string.h>

typedef struct {
    long long year;
    unsigned month, day;
} civil_date;

static civil_date civil_from_days(long long days)
{
    days += 719468;
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned day_of_era = (unsigned)(days - era * 146097);
    unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    unsigned mp = (5 * day_of_year + 2) / 153;
    unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
    unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return (civil_date){(long long)year_of_era + era * 400 + (month <= 2), month, day};
}

static long long days_from_civil(long long year, unsigned month, unsigned day)
{
    year -= month <= 2;
    long long era = (year >= 0 ? year : year - 399) / 400;
    unsigned year_of_era = (unsigned)(year - era * 400);
    unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (long long)day_of_era - 719468;
}

static void iso(time_t t, const char *zone, char out[CLOCK_ISO_MAX])
{
    long long seconds = (long long)t, days = seconds / 86400, rest = seconds % 86400;
    if (rest < 0)
        rest += 86400, days--;
    civil_date d = civil_from_days(days);
    /* Years past 9999 are out of this text's shape: the last four digits. */
    char *at = text_digits(out, (unsigned long long)((d.year % 10000 + 10000) % 10000), 4);
    *at++ = '-';
    at = text_digits(at, d.month, 2);
    *at++ = '-';
    at = text_digits(at, d.day, 2);
    *at++ = 'T';
    at = text_digits(at, (unsigned long long)(rest / 3600), 2);
    *at++ = ':';
    at = text_digits(at, (unsigned long long)(rest / 60 % 60), 2);
    *at++ = ':';
    at = text_digits(at, (unsigned long long)(rest % 60), 2);
    text_copy(at, 7, zone);
}

void clock_iso_utc(time_t t, char out[CLOCK_ISO_MAX])
{
    iso(t, "Z", out);
}

void clock_iso_vietnam(time_t t, char out[CLOCK_ISO_MAX])
{
    iso(t + 7 * 3600, "+07:00", out);
}

/* `len` digits at `text` as a number, or -1. */
static long digits(const char *text, int len)
{
    long n = 0;
    for (int i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        n = n * 10 + (text[i] - '0');
    }
    return n;
}

/* The date and time of "YYYY-MM-DDTHH:MM:SS" at `text`, read as UTC; 0
 * when it is not one. */
static time_t date_time(const char *text);

time_t clock_parse_utc(const char *text)
{
    return text && strlen(text) == 20 && text[19] == 'Z' ? date_time(text) : 0;
}

int clock_parse_offset(const char *text, time_t *out)
{
    time_t t = text && strlen(text) >= 20 ? date_time(text) : 0;
    if (!t)
        return -1;
    const char *zone = text + 19;
    if (*zone == '.')
        for (zone++; *zone >= '0' && *zone <= '9'; zone++)
            ;
    long hours = -1, minutes = -1;
    if ((zone[0] == 'Z' || zone[0] == 'z') && !zone[1]) {
        *out = t;
        return 0;
    }
    if ((zone[0] == '+' || zone[0] == '-') && strlen(zone) == 6 && zone[3] == ':') {
        hours = digits(zone + 1, 2);
        minutes = digits(zone + 4, 2);
    }
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59)
        return -1;
    long offset = (hours * 60 + minutes) * 60;
    *out = zone[0] == '+' ? t - offset : t + offset;
    return 0;
}

static time_t date_time(const char *text)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (int i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? text[i] < '0' || text[i] > '9' : text[i] != shape[i])
            return 0;
    long year = digits(text, 4), month = digits(text + 5, 2), day = digits(text + 8, 2);
    long hour = digits(text + 11, 2), minute = digits(text + 14, 2), second = digits(text + 17, 2);
    static const unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || (unsigned)day > month_days[month - 1] ||
        (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59)
        return 0;
    return (time_t)(days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 + hour * 3600 +
                    minute * 60 + second);
}

void clock_day(long days_from_today, char out[11])
{
    time_t when = time(NULL) + (time_t)days_from_today * 86400;
    struct tm tm;
    localtime_r(&when, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
