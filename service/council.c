/*
 * The council's arithmetic: members' sheets to the dossier's score, its
 * parts and its stars, held to the criteria's minimums. Whole numbers
 * only, so that a mean of .5 is never a binary fraction a little under it.
 */
#include "council.h"
#include "ocoplabels.h"

#include <stdio.h>
#include <string.h>

/* Gives `extra` points to the parts whose means lost most to their whole
 * part (remainders over the same count of members), the earlier part
 * first on a tie. */
static void apportion(const long long remainder[COUNCIL_PARTS], long long extra,
                      int parts[COUNCIL_PARTS])
{
    int given[COUNCIL_PARTS] = {0};
    for (; extra > 0; extra--) {
        int best = -1;
        for (int i = 0; i < COUNCIL_PARTS; i++)
            if (!given[i] && (best < 0 || remainder[i] > remainder[best]))
                best = i;
        given[best] = 1;
        parts[best]++;
    }
}

int council_score_of(const int (*sheets)[COUNCIL_PARTS], size_t members, council_score *out)
{
    memset(out, 0, sizeof(*out));
    if (members == 0)
        return -1;
    long long sum[COUNCIL_PARTS] = {0}, total = 0, n = (long long)members;
    for (size_t m = 0; m < members; m++)
        for (int i = 0; i < COUNCIL_PARTS; i++) {
            if (sheets[m][i] < 0)
                return -1;
            sum[i] += sheets[m][i];
            total += sheets[m][i];
        }
    /* Decision 26/2026/QĐ-TTg, Điều 3.3, bands the mean itself ("tổng điểm
     * trung bình đạt từ 70 đến dưới 90"): 89.5 is under 90. Its whole part
     * falls in the same band, so the whole points shown agree with the
     * stars; rounding up would give a band the mean has not reached. */
    out->total = (int)(total / n);
    long long floors = 0, remainder[COUNCIL_PARTS];
    for (int i = 0; i < COUNCIL_PARTS; i++) {
        out->parts[i] = (int)(sum[i] / n);
        remainder[i] = sum[i] % n;
        floors += out->parts[i];
    }
    /* The parts' means add up to the exact mean, so its whole part is
     * their floors plus 0 to 2 points, each to a part with a remainder. */
    apportion(remainder, out->total - floors, out->parts);
    long long hundredths = 100 * total / n; /* cut, not rounded, as the total */
    snprintf(out->mean, sizeof(out->mean), "%lld.%02lld", hundredths / 100, hundredths % 100);
    out->stars = ocl_ocop_stars(out->total);
    out->band_stars = out->stars;
    return 0;
}

/* Whether the mean of `members` sums reaches the need, exactly: points /
 * members >= need with no division. */
static int reaches(const council_criterion *criterion, int stars, long long members)
{
    int need = criterion->need[stars];
    return need < 0 || criterion->points >= (long long)need * members;
}

/* Notes the criteria short of `stars`' needs; how many. */
static size_t short_of(council_score *score, const council_criterion *criteria, size_t count,
                       int stars, long long members)
{
    score->short_count = 0;
    for (size_t i = 0; i < count; i++) {
        if (reaches(&criteria[i], stars, members))
            continue;
        if (score->short_count < COUNCIL_SHORT_MAX)
            snprintf(score->short_of[score->short_count], COUNCIL_ID_MAX, "%s", criteria[i].id);
        score->short_count++;
    }
    return score->short_count;
}

int council_minimums(council_score *score, const council_criterion *criteria, size_t count,
                     size_t members)
{
    if (members == 0)
        return -1;
    int band = score->band_stars > COUNCIL_STARS_MAX ? COUNCIL_STARS_MAX : score->band_stars;
    score->short_count = 0;
    for (int stars = band; stars >= COUNCIL_MINIMUM; stars--)
        if (short_of(score, criteria, count, stars, (long long)members) == 0) {
            score->stars = stars;
            if (stars < band)
                short_of(score, criteria, count, stars + 1, (long long)members);
            return 0;
        }
    if (band >= COUNCIL_MINIMUM)
        score->stars = COUNCIL_MINIMUM - 1; /* short_of holds those short of 3 stars */
    return 0;
}
