/*
 * Times as ISO 8601 text, in UTC and in Vietnam's time (+07:00 all year),
 * and back, without the C library's time-zone lock, which every scan's
 * thread would otherwise queue on.
 */
#ifndef OCOPTRACE_CLOCK_H
#define OCOPTRACE_CLOCK_H

#include <time.h>

/* "2026-03-12T03:14:00Z" or "2026-03-12T10:14:00+07:00", with its end. */
#define CLOCK_ISO_MAX 32

void clock_iso_utc(time_t t, char out[CLOCK_ISO_MAX]);
void clock_iso_vietnam(time_t t, char out[CLOCK_ISO_MAX]);
/* "YYYY-MM-DDTHH:MM:SSZ", exactly: the time, or 0 for anything else. */
time_t clock_parse_utc(const char *text);
/* An RFC 3339 date-time with its offset ("2025-03-01T08:00:00+07:00", "Z"
 * too, fractions of a second dropped): 0 and the time, or -1. */
int clock_parse_offset(const char *text, time_t *out);

/* The local date `days_from_today` days from now, as YYYY-MM-DD. */
void clock_day(long days_from_today, char out[11]);

#endif
