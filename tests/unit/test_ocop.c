/*
 * OCOP recognition rules: score bands, who may recognise what on either
 * side of 01/07/2025, 36-month validity across month ends and leap days,
 * and the status on the days around expiry.
 */
#include "check.h"
#include "ocoplabels.h"

#include <stdio.h>
#include <string.h>

static void test_bands(void)
{
    static const struct {
        int total, stars;
    } cases[] = {{0, 1},  {29, 1}, {30, 2}, {49, 2}, {50, 3}, {69, 3},
                 {70, 4}, {89, 4}, {90, 5}, {99, 5}, {100, 5}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        CHECK(ocl_ocop_stars(cases[i].total) == cases[i].stars, "%d points give %d stars",
              cases[i].total, cases[i].stars);
    static const struct {
        int a, b, c;
        const char *want; /* NULL: accepted */
    } scores[] = {
        {40, 25, 35, NULL},
        {0, 0, 0, NULL},
        {41, 20, 20, "scores.a: must be 0 to 40, found 41"},
        {30, 26, 20, "scores.b: must be 0 to 25, found 26"},
        {30, 20, 36, "scores.c: must be 0 to 35, found 36"},
        {-1, 20, 20, "scores.a: must be 0 to 40, found -1"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(scores); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        int parts[3] = {scores[i].a, scores[i].b, scores[i].c};
        ocl_result rc = ocl_ocop_scores_check(parts, &problems);
        char got[256] = "(accepted)";
        if (rc != OCL_OK)
            snprintf(got, sizeof(got), "%s: %s", problems.item[0].field, problems.item[0].rule);
        CHECK_STR(got, scores[i].want ? scores[i].want : "(accepted)", "scores case %zu", i);
    }
}

static void test_authority(void)
{
    static const ocl_date before = {2025, 6, 30}, after = {2025, 7, 1};
    static const struct {
        ocl_level level;
        int stars;
        const ocl_date *day;
        int ok;
    } cases[] = {
        {OCL_LEVEL_DISTRICT, 3, &before, 1}, {OCL_LEVEL_DISTRICT, 4, &before, 0},
        {OCL_LEVEL_PROVINCE, 4, &before, 1}, {OCL_LEVEL_PROVINCE, 3, &before, 0},
        {OCL_LEVEL_PROVINCE, 5, &before, 0}, {OCL_LEVEL_NATIONAL, 5, &before, 1},
        {OCL_LEVEL_NATIONAL, 4, &before, 0}, {OCL_LEVEL_DISTRICT, 3, &after, 0},
        {OCL_LEVEL_PROVINCE, 3, &after, 1},  {OCL_LEVEL_PROVINCE, 4, &after, 1},
        {OCL_LEVEL_PROVINCE, 5, &after, 0},  {OCL_LEVEL_NATIONAL, 5, &after, 1},
        {OCL_LEVEL_NATIONAL, 4, &after, 0},  {OCL_LEVEL_PROVINCE, 2, &after, 0},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc =
            ocl_ocop_authority_check(cases[i].level, cases[i].stars, cases[i].day, &problems);
        CHECK((rc == OCL_OK) == cases[i].ok && (rc == OCL_OK) == (problems.count == 0),
              "%s recognising %d stars on %04d-%02d-%02d: %s", ocl_ocop_level_name(cases[i].level),
              cases[i].stars, cases[i].day->year, cases[i].day->month, cases[i].day->day,
              cases[i].ok ? "allowed" : "refused");
    }
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_ocop_authority_check(OCL_LEVEL_DISTRICT, 3, &after, &problems);
    CHECK_STR(problems.item[0].rule,
              "from 01/07/2025 districts no longer recognise OCOP products (Decision 1489/QĐ-TTg)",
              "the district refusal names its rule");
}

static void test_validity(void)
{
    static const struct {
        ocl_date from;
        int months;
        ocl_date want;
    } cases[] = {
        {{2025, 6, 20}, 36, {2028, 6, 20}}, {{2024, 2, 29}, 36, {2027, 2, 28}},
        {{2025, 2, 28}, 36, {2028, 2, 28}}, {{2025, 1, 31}, 36, {2028, 1, 31}},
        {{2025, 3, 31}, 1, {2025, 4, 30}},  {{2027, 11, 30}, 3, {2028, 2, 29}},
        {{2025, 11, 30}, 3, {2026, 2, 28}}, {{2025, 12, 31}, 36, {2028, 12, 31}},
        {{2025, 12, 15}, 1, {2026, 1, 15}}, {{2023, 5, 31}, 13, {2024, 6, 30}},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ocl_date got = ocl_date_add_months(&cases[i].from, cases[i].months);
        CHECK(memcmp(&got, &cases[i].want, sizeof(got)) == 0,
              "%04d-%02d-%02d + %d months = %04d-%02d-%02d, got %04d-%02d-%02d", cases[i].from.year,
              cases[i].from.month, cases[i].from.day, cases[i].months, cases[i].want.year,
              cases[i].want.month, cases[i].want.day, got.year, got.month, got.day);
    }
    ocl_date decided = {2024, 2, 29}, until = ocl_ocop_valid_until(&decided);
    CHECK(until.year == 2027 && until.month == 2 && until.day == 28,
          "a recognition of 29/02/2024 is valid until 28/02/2027");
}

static void test_status(void)
{
    static const ocl_date until = {2028, 6, 20};
    static const struct {
        ocl_date day;
        int revoked;
        ocl_status want;
    } cases[] = {
        {{2025, 6, 20}, 0, OCL_STATUS_VALID},    {{2028, 5, 20}, 0, OCL_STATUS_VALID},
        {{2028, 5, 21}, 0, OCL_STATUS_EXPIRING}, {{2028, 6, 20}, 0, OCL_STATUS_EXPIRING},
        {{2028, 6, 21}, 0, OCL_STATUS_EXPIRED},  {{2029, 1, 1}, 0, OCL_STATUS_EXPIRED},
        {{2025, 6, 20}, 1, OCL_STATUS_REVOKED},  {{2029, 1, 1}, 1, OCL_STATUS_REVOKED},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        CHECK(ocl_ocop_status(&until, cases[i].revoked, &cases[i].day) == cases[i].want,
              "status on %04d-%02d-%02d%s is %s", cases[i].day.year, cases[i].day.month,
              cases[i].day.day, cases[i].revoked ? " (revoked)" : "",
              ocl_status_name(cases[i].want));
    /* Days across a leap year and a century rule. */
    ocl_date a = {2028, 2, 28}, b = {2028, 3, 1}, c = {2100, 2, 28}, d = {2100, 3, 1};
    CHECK(ocl_date_days(&b) - ocl_date_days(&a) == 2, "2028 has 29 February");
    CHECK(ocl_date_days(&d) - ocl_date_days(&c) == 1, "2100 has no 29 February");
}

void test_ocop(void)
{
    test_bands();
    test_authority();
    test_validity();
    test_status();
}
