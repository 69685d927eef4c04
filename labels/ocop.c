/*
 * The OCOP rules of Decision 148/QĐ-TTg (24/02/2023) as amended by Decision
 * 1489/QĐ-TTg: scores to stars, who may recognise which stars on a given
 * decision date, how long a recognition lasts, and its status on a day.
 */
#include "internal.h"

#include <string.h>

/* Part maxima: A product and community strength, B marketing and story,
 * C product quality. */
static const struct {
    const char *field;
    int max;
} parts[3] = {{"scores.a", 40}, {"scores.b", 25}, {"scores.c", 35}};

/* Lowest total of each star band, from five stars down. */
static const int band_floor[5] = {90, 70, 50, 30, 0};

int ocl_ocop_stars(int total)
{
    for (int i = 0; i < 5; i++)
        if (total >= band_floor[i])
            return 5 - i;
    return 1;
}

ocl_result ocl_ocop_scores_check(const int scores[3], ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    for (int i = 0; i < 3; i++)
        if (scores[i] < 0 || scores[i] > parts[i].max)
            ocl_problem_add(problems, parts[i].field, "must be 0 to %d, found %d", parts[i].max,
                            scores[i]);
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}

static const char *const level_names[OCL_LEVEL_COUNT] = {"district", "province", "national"};

int ocl_ocop_level_parse(const char *name)
{
    for (int i = 0; name && i < OCL_LEVEL_COUNT; i++)
        if (strcmp(level_names[i], name) == 0)
            return i;
    return -1;
}

const char *ocl_ocop_level_name(ocl_level level)
{
    return (unsigned)level < OCL_LEVEL_COUNT ? level_names[level] : "unknown";
}

long ocl_date_key(const ocl_date *d)
{
    return (long)d->year * 10000 + d->month * 100 + d->day;
}

/* Decision 1489/QĐ-TTg took effect with the two-level local government. */
static const ocl_date reform = {2025, 7, 1};

ocl_result ocl_ocop_authority_check(ocl_level level, int stars, const ocl_date *decided,
                                    ocl_problems *problems)
{
    static const char field[] = "decision.level";
    if (stars < 3)
        return ocl_problem_add(problems, "scores",
                               "%d stars are not recognised with a certificate (3 to 5 are) "
                               "(Decision 148/QĐ-TTg)",
                               stars);
    if (ocl_date_key(decided) < ocl_date_key(&reform)) {
        static const int recognises[OCL_LEVEL_COUNT] = {3, 4, 5};
        if (recognises[level] != stars)
            return ocl_problem_add(problems, field,
                                   "until 30/06/2025 a %s recognises %d stars only, not %d "
                                   "(Decision 148/QĐ-TTg)",
                                   level_names[level], recognises[level], stars);
        return OCL_OK;
    }
    if (level == OCL_LEVEL_DISTRICT)
        return ocl_problem_add(problems, field,
                               "from 01/07/2025 districts no longer recognise OCOP products "
                               "(Decision 1489/QĐ-TTg)");
    if (level == OCL_LEVEL_PROVINCE && stars == 5)
        return ocl_problem_add(problems, field,
                               "from 01/07/2025 5 stars are recognised nationally, not by a "
                               "province (Decision 1489/QĐ-TTg)");
    if (level == OCL_LEVEL_NATIONAL && stars != 5)
        return ocl_problem_add(problems, field,
                               "from 01/07/2025 the national level recognises 5 stars only, not "
                               "%d (Decision 1489/QĐ-TTg)",
                               stars);
    return OCL_OK;
}

ocl_date ocl_date_add_months(const ocl_date *d, int months)
{
    int index = d->year * 12 + (d->month - 1) + months;
    ocl_date r = {index / 12, index % 12 + 1, d->day};
    int last = ocl_days_in_month(r.year, r.month);
    if (r.day > last)
        r.day = last;
    return r;
}

ocl_date ocl_ocop_valid_until(const ocl_date *decided)
{
    return ocl_date_add_months(decided, OCL_OCOP_VALID_MONTHS);
}

/* Days from 0000-03-01, for differences between dates. */
long ocl_date_days(const ocl_date *d)
{
    long y = d->year - (d->month <= 2);
    long m = d->month <= 2 ? d->month + 9 : d->month - 3;
    return 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d->day - 1;
}

ocl_status ocl_ocop_status(const ocl_date *valid_until, int revoked, const ocl_date *day)
{
    if (revoked)
        return OCL_STATUS_REVOKED;
    long left = ocl_date_days(valid_until) - ocl_date_days(day);
    if (left < 0)
        return OCL_STATUS_EXPIRED;
    return left <= OCL_OCOP_EXPIRING_DAYS ? OCL_STATUS_EXPIRING : OCL_STATUS_VALID;
}

const char *ocl_status_name(ocl_status status)
{
    static const char *const names[] = {"valid", "expiring", "expired", "revoked"};
    return (unsigned)status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown";
}
