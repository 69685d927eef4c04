/*
 * The council's score of a dossier from its members' sheets (Decision
 * 148/QĐ-TTg): the mean of the members' totals rounded to a whole point,
 * the parts A, B and C shown so that they add up to it, and the stars.
 * Pure arithmetic, no store: the unit tests call it.
 */
#ifndef OCOPTRACE_COUNCIL_H
#define OCOPTRACE_COUNCIL_H

#include <stddef.h>

#define COUNCIL_PARTS    3  /* A, B and C */
#define COUNCIL_MEAN_MAX 24 /* "70.75" */

typedef struct {
    int parts[COUNCIL_PARTS];    /* the parts' means, apportioned to add up to total */
    int total;                   /* the mean of the members' totals, rounded half up */
    int stars;                   /* of total, by the OCOP bands */
    char mean[COUNCIL_MEAN_MAX]; /* the exact mean to two decimals, half up: "70.75" */
} council_score;

/* The score of `members` sheets, each its parts A, B, C (a member's total
 * is their sum). Ties of the apportioning go to A, then B, then C.
 * 0, or -1 with no sheet or a negative part. */
int council_score_of(const int (*sheets)[COUNCIL_PARTS], size_t members, council_score *out);

#endif
