/*
 * The council's arithmetic (service/council.c): the mean of the members'
 * totals rounded half up, its text to two decimals, the parts apportioned
 * by largest remainder (ties to A, then B, then C) so that they add up to
 * the rounded total, and the stars at the bands' edges.
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
        {"totals 70, 71, 72, 70: mean 70.75, rounded up; C then A take the 2 points",
         4,
         {{30, 20, 20}, {31, 21, 19}, {31, 21, 20}, {30, 20, 20}},
         31,
         20,
         20,
         71,
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
        {"70.5 rounded up; three parts at .5: A and B take the two points",
         2,
         {{30, 20, 20}, {31, 21, 19}},
         31,
         21,
         19,
         71,
         4,
         "70.50"},
        {"89.5 becomes 90: five stars",
         2,
         {{40, 25, 25}, {40, 25, 24}},
         40,
         25,
         25,
         90,
         5,
         "89.50"},
        {"49.5 becomes 50: three stars",
         2,
         {{20, 10, 20}, {20, 10, 19}},
         20,
         10,
         20,
         50,
         3,
         "49.50"},
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
        {"three parts at .9, total 32.7: a point to each",
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
         11,
         33,
         2,
         "32.70"},
        {"two thirds: 0.67, rounded to 1",
         3,
         {{0, 0, 2}, {0, 0, 0}, {0, 0, 0}},
         0,
         0,
         1,
         1,
         1,
         "0.67"},
        {"an eighth: 0.13 (half up at the second decimal too)",
         8,
         {{0, 0, 1}},
         0,
         0,
         0,
         0,
         1,
         "0.13"},
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
        {"a part's mean just under the next point does not pass its maximum",
         3,
         {{40, 25, 35}, {40, 25, 35}, {39, 25, 35}},
         40,
         25,
         35,
         100,
         5,
         "99.67"},
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
    test_refused();
}
