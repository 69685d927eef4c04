/*
 * The council's arithmetic (service/council.c): the whole part of the
 * mean of the members' totals (the bands are the mean's: 89.5 is under
 * 90), its text to two decimals, the parts apportioned by largest
 * remainder (ties to A, then B, then C) so that they add up to it, and the
 * stars at the bands' edges.
 */
#include "check.h"
#include "council.h"

#include <stdio.h>
#include <string.h>

#define SHEETS_MAX 10

static void test_rounding(void)
{
    static const struct {
        const char *name;
        size_t members;
        int sheets[SHEETS_MAX][COUNCIL_PARTS];
        int a, b, c, total, stars;
        const char *mean;
    } cases[] = {
        {"totals 70, 71, 72, 70: mean 70.75, 70 points; C takes the point",
         4,
         {{30, 20, 20}, {31, 21, 19}, {31, 21, 20}, {30, 20, 20}},
         30,
         20,
         20,
         70,
         4,
         "70.75"},
        {"A and B at .5 add up to 71: A takes the point, not B",
         2,
         {{30, 20, 20}, {31, 21, 20}},
         31,
         20,
         20,
         71,
         4,
         "71.00"},
        {"70.5; three parts at .5: A takes the one point",
         2,
         {{30, 20, 20}, {31, 21, 19}},
         31,
         20,
         19,
         70,
         4,
         "70.50"},
        {"89.5 is under 90: four stars",
         2,
         {{40, 25, 25}, {40, 25, 24}},
         40,
         25,
         24,
         89,
         4,
         "89.50"},
        {"49.5 is under 50: two stars",
         2,
         {{20, 10, 20}, {20, 10, 19}},
         20,
         10,
         19,
         49,
         2,
         "49.50"},
        {"90 exactly: five stars", 2, {{40, 25, 25}, {40, 25, 25}}, 40, 25, 25, 90, 5, "90.00"},
        {"49.33 stays 49: two stars",
         3,
         {{20, 10, 19}, {20, 10, 19}, {20, 10, 20}},
         20,
         10,
         19,
         49,
         2,
         "49.33"},
        {"three parts at .75, total 32.25: two points, to A and B",
         4,
         {{10, 10, 10}, {11, 11, 11}, {11, 11, 11}, {11, 11, 11}},
         11,
         11,
         10,
         32,
         2,
         "32.25"},
        {"three parts at .9, total 32.7: 32, two points to A and B",
         10,
         {{10, 10, 10},
          {11, 11, 11},
          {11, 11, 11},
          {11, 11, 11},
          {11, 11, 11},
          {11, 11, 11},
          {11, 11, 11},
          {11, 11, 11},
          {11, 11, 11},
          {11, 11, 11}},
         11,
         11,
         10,
         32,
         2,
         "32.70"},
        {"two thirds: 0.66, 0 points", 3, {{0, 0, 2}, {0, 0, 0}, {0, 0, 0}}, 0, 0, 0, 0, 1, "0.66"},
        {"an eighth: 0.12 (cut at the second decimal too)", 8, {{0, 0, 1}}, 0, 0, 0, 0, 1, "0.12"},
        {"one member: their own sheet", 1, {{37, 22, 30}}, 37, 22, 30, 89, 4, "89.00"},
        {"every point",
         3,
         {{40, 25, 35}, {40, 25, 35}, {40, 25, 35}},
         40,
         25,
         35,
         100,
         5,
         "100.00"},
        {"99.67 is 99 points: a part's mean under its maximum stays under it",
         3,
         {{40, 25, 35}, {40, 25, 35}, {39, 25, 35}},
         39,
         25,
         35,
         99,
         5,
         "99.66"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        council_score got;
        int rc = council_score_of(cases[i].sheets, cases[i].members, &got);
        char line[256], want[256];
        snprintf(line, sizeof(line), "%d %d=%d+%d+%d %s %d stars", rc, got.total, got.parts[0],
                 got.parts[1], got.parts[2], got.mean, got.stars);
        snprintf(want, sizeof(want), "0 %d=%d+%d+%d %s %d stars", cases[i].total, cases[i].a,
                 cases[i].b, cases[i].c, cases[i].mean, cases[i].stars);
        CHECK_STR(line, want, "%s", cases[i].name);
    }
}

/* Needs for 3, 4 and 5 stars, as a sheet's markers give them. */
#define NEED(three, four, five)                                                                    \
    {                                                                                              \
        -1, -1, -1, three, four, five                                                              \
    }
#define NONE NEED(-1, -1, -1)

static void test_minimums(void)
{
    static const struct {
        const char *name;
        int totals[3]; /* three members' totals, all in part A */
        size_t count;
        council_criterion criteria[6];
        const char *want; /* "band stars, stars, how many short: ids" */
    } cases[] = {
        {"no markers: the band's stars", {80, 80, 80}, 0, {{0}}, "4 4 0:"},
        {"markers the criteria reach: the band's stars",
         {80, 80, 80},
         1,
         {{"A1", NEED(1, 3, 3), 9}},
         "4 4 0:"},
        {"a 4-star minimum unmet (mean 2.67 of 3): 3 stars",
         {80, 80, 80},
         2,
         {{"A1", NEED(-1, 3, 3), 8}, {"C1", NEED(1, 1, 1), 3}},
         "4 3 1: A1"},
        {"a 3-star minimum unmet (mean 0.67 of 1): 2 stars",
         {80, 80, 80},
         2,
         {{"A1", NEED(-1, 3, 3), 9}, {"C1", NEED(1, 1, 1), 2}},
         "4 2 1: C1"},
        {"a 3-star minimum carried to 5 stars, unmet: 2 stars, not 5",
         {95, 95, 94},
         1,
         {{"B1", NEED(2, 2, 2), 5}},
         "5 2 1: B1"},
        {"a 3-star minimum carried to 5 stars, met: 5 stars",
         {95, 95, 94},
         1,
         {{"B1", NEED(2, 2, 2), 6}},
         "5 5 0:"},
        {"the mean exactly at the minimum meets it",
         {90, 90, 90},
         1,
         {{"A2", NEED(3, 3, 5), 15}},
         "5 5 0:"},
        {"a 5-star minimum unmet, the 4-star one met: 4 stars",
         {90, 90, 90},
         1,
         {{"A2", NEED(3, 3, 5), 14}},
         "5 4 1: A2"},
        {"five criteria short: the first four named, five counted",
         {90, 90, 90},
         6,
         {{"A1", NEED(-1, -1, 5), 12},
          {"A2", NEED(-1, -1, 5), 12},
          {"A3", NEED(-1, -1, 5), 15},
          {"A4", NEED(-1, -1, 5), 12},
          {"A5", NEED(-1, -1, 5), 12},
          {"A6", NEED(-1, -1, 5), 12}},
         "5 4 5: A1 A2 A4 A5"},
        {"two stars by the points: the minimums change nothing",
         {40, 40, 40},
         1,
         {{"C1", NEED(1, 1, 1), 0}},
         "2 2 0:"},
        {"a criterion without a need for the band's stars",
         {80, 80, 80},
         1,
         {{"A1", NEED(-1, -1, 5), 0}, {"C9", NONE, 0}},
         "4 4 0:"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int sheets[3][COUNCIL_PARTS] = {{0}};
        for (int m = 0; m < 3; m++)
            sheets[m][0] = cases[i].totals[m];
        council_score got;
        int rc = council_score_of(sheets, 3, &got);
        rc |= council_minimums(&got, cases[i].criteria, cases[i].count, 3);
        char line[256];
        int used =
            snprintf(line, sizeof(line), "%d %d %zu:", got.band_stars, got.stars, got.short_count);
        for (size_t k = 0; k < got.short_count && k < COUNCIL_SHORT_MAX; k++)
            used += snprintf(line + used, sizeof(line) - (size_t)used, " %s", got.short_of[k]);
        CHECK(rc == 0, "%s: scored", cases[i].name);
        CHECK_STR(line, cases[i].want, "%s", cases[i].name);
    }
    council_score none;
    CHECK(council_minimums(&none, NULL, 0, 0) == -1, "no member: no stars");
}

static void test_refused(void)
{
    static const int negative[2][COUNCIL_PARTS] = {{30, 20, 20}, {30, -1, 20}};
    council_score got;
    CHECK(council_score_of(negative, 0, &got) == -1, "no sheet: no score");
    CHECK(council_score_of(negative, 2, &got) == -1, "a negative part: no score");
}

void test_scores(void)
{
    test_rounding();
    test_minimums();
    test_refused();
}
