/*
 * The council's score of a dossier from its members' sheets (Decision
 * 26/2026/QĐ-TTg, Điều 3.3): the mean of the members' totals, its whole
 * part in points, the parts A, B and C shown so that they add up to it,
 * and the stars, held to the sheet's minimums.
 * Pure arithmetic, no store: the unit tests call it.
 */
#ifndef OCOPTRACE_COUNCIL_H
#define OCOPTRACE_COUNCIL_H

#include <stddef.h>

#define COUNCIL_PARTS     3  /* A, B and C */
#define COUNCIL_MEAN_MAX  24 /* "70.75" */
#define COUNCIL_STARS_MAX 5
#define COUNCIL_MINIMUM   3  /* the fewest stars a criterion's minimum is set for */
#define COUNCIL_ID_MAX    16 /* a criterion's id: "A1.2" */
#define COUNCIL_SHORT_MAX 4  /* the criteria named as the reason for fewer stars */

typedef struct {
    int parts[COUNCIL_PARTS];    /* the parts' means, apportioned to add up to total */
    int total;                   /* the whole part of the mean of the members' totals */
    int stars;                   /* of total by the OCOP bands, then held to the minimums */
    char mean[COUNCIL_MEAN_MAX]; /* the mean to two decimals, cut: "70.75" */
    int band_stars;              /* of total by the bands alone */
    /* When stars < band_stars: the criteria below their minimum for stars + 1,
     * how many, and the first few by id. */
    size_t short_count;
    char short_of[COUNCIL_SHORT_MAX][COUNCIL_ID_MAX];
} council_score;

/* A criterion with a minimum (Decision 26/2026/QĐ-TTg's star markers) and
 * what the members gave it. */
typedef struct council_criterion {
    const char *id;
    int need[COUNCIL_STARS_MAX + 1]; /* need[N], N from 3 to 5: its points for N stars; -1: none */
    long long points;                /* the members' points for it, added up */
} council_criterion;

/* The score of `members` sheets, each its parts A, B, C (a member's total
 * is their sum). Ties of the apportioning go to A, then B, then C.
 * 0, or -1 with no sheet or a negative part. */
int council_score_of(const int (*sheets)[COUNCIL_PARTS], size_t members, council_score *out);

/* Holds score->stars to the criteria's minimums: the most stars, at most
 * the band's, for which each criterion's mean over `members` (not rounded)
 * reaches its need; at most 2 when even 3 stars' needs are not met. The
 * criteria that fall short of stars + 1 go to short_count and short_of.
 * 0, or -1 with no member. */
int council_minimums(council_score *score, const council_criterion *criteria, size_t count,
                     size_t members);

#endif
