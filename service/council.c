/*
 * The council's arithmetic: members' sheets to the dossier's score, its
 * parts and its stars. Whole numbers only, so that a mean of .5 is never
 * a binary fraction a little under it.
 */
#include "council.h"
#include "ocoplabels.h"

#include <stdio.h>
#include <string.h>

/* n / d rounded half up, for n >= 0 and d > 0. */
static long long half_up(long long n, long long d)
{
    return (2 * n + d) / (2 * d);
}

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
    out->total = (int)half_up(total, n);
    long long floors = 0, remainder[COUNCIL_PARTS];
    for (int i = 0; i < COUNCIL_PARTS; i++) {
        out->parts[i] = (int)(sum[i] / n);
        remainder[i] = sum[i] % n;
        floors += out->parts[i];
    }
    /* The parts' means add up to the exact mean, so the rounded total is
     * their floors plus 0 to 3 points, each to a part with a remainder. */
    apportion(remainder, out->total - floors, out->parts);
    long long hundredths = half_up(100 * total, n);
    snprintf(out->mean, sizeof(out->mean), "%lld.%02lld", hundredths / 100, hundredths % 100);
    out->stars = ocl_ocop_stars(out->total);
    return 0;
}
