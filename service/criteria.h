/*
 * OCOP scoring sheets (Decision 148/QĐ-TTg, Annex III) read from
 * the files NAME.criteria of templates/criteria: parts A, B and C, their criteria, each
 * criterion's options and points, and the legal basis. A sheet whose points
 * do not add up is refused; templates/criteria/README.md gives the format.
 */
#ifndef OCOPTRACE_CRITERIA_H
#define OCOPTRACE_CRITERIA_H

#include "ocoplabels.h"

#include <stddef.h>

#define CRITERIA_PARTS 3   /* A, B and C */
#define CRITERIA_TOTAL 100 /* the parts' maxima add up to this */

/* The stars an option can be the minimum for (the source's ***, ****, *****). */
#define CRITERIA_MINIMUM_LOWEST  3
#define CRITERIA_MINIMUM_HIGHEST 5

typedef struct {
    const char *text;
    int points;
    int minimum_for; /* the least the criterion needs for these stars; 0: none */
} criteria_option;

typedef struct {
    const char *id; /* "A1": unique in the sheet, starting with its part's letter */
    const char *section;
    const char *text;
    const char *basis;
    criteria_option *options;
    size_t option_count;
    int max; /* its best option's points */
} criteria_item;

typedef struct {
    char letter; /* 'A', 'B', 'C' */
    const char *title;
    int max;          /* as the decision states it */
    int criteria_max; /* the criteria's maxima added up: max itself on a complete sheet */
    const char **sections;
    size_t section_count;
    criteria_item *items;
    size_t item_count;
} criteria_part;

/* Texts point into the parsed document, which lives until criteria_free(). */
typedef struct {
    struct json_t *document;
    const char *id; /* the file's name without ".criteria" */
    const char *group;
    const char *subgroup;
    const char *title;
    const char *legal_basis;
    const char *source;
    int complete;
    const char *missing; /* what an incomplete sheet lacks; NULL when complete */
    const char *notes;   /* what the transcription changed or found; NULL: none */
    criteria_part parts[CRITERIA_PARTS];
} criteria_sheet;

/* Reads and checks a sheet. On OCL_EINVAL nothing is kept and each problem
 * names the criterion (or key) as its field and the file in its rule. An
 * incomplete sheet (complete: false) loads, but may not be used for scoring. */
ocl_result criteria_load(const char *path, criteria_sheet *sheet, ocl_problems *problems);
void criteria_free(criteria_sheet *sheet);

/* The points `item` needs for `stars`: its option marked for them, else the
 * one marked for the most stars below (a 3-star minimum holds for 4 and 5).
 * -1 when no option applies. */
int criteria_requirement(const criteria_item *item, int stars);

/* The folder of the sheets: `configured` ([criteria] dir) if set, else
 * templates/criteria of the installed data. 0, or -1. */
int criteria_dir(const char *configured, char *out, size_t size);
/* Sheet `id` (a-z, 0-9 and '-') of `dir`, as criteria_load() reads it; an
 * id that is not one, or names no file, is a problem of the field "sheet". */
ocl_result criteria_open(const char *dir, const char *id, criteria_sheet *sheet,
                         ocl_problems *problems);
/* Calls `visit` with each sheet of `dir` that loads, until it returns
 * non-zero (< 0: an error). 0, or -1 when the folder cannot be read or a
 * visit failed. */
int criteria_each(const char *dir, int (*visit)(void *ctx, const criteria_sheet *sheet), void *ctx);

#endif
