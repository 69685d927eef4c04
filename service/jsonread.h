/*
 * Strict reading of JSON documents (jobs, certificates): every key known,
 * every type right, text one line of NFC UTF-8, every problem reported with
 * its dotted path.
 */
#ifndef OCOPTRACE_JSONREAD_H
#define OCOPTRACE_JSONREAD_H

#include "ocoplabels.h"

#include <jansson.h>

/* JR_LIST: an array of objects, each read against `fields`, by paths
 * such as "links[0].href". JR_NUMBER: an integer or a real. JR_TEXTS: an
 * array of one-line texts ("certifications[1]"). */
typedef enum { JR_TEXT, JR_INT, JR_OBJECT, JR_BOOL, JR_LIST, JR_NUMBER, JR_TEXTS } jr_type;

typedef struct jr_rule {
    const char *key; /* NULL ends a list */
    jr_type type;
    int required;
    const struct jr_rule *fields; /* JR_OBJECT, JR_LIST: their keys */
    int multiline;                /* JR_TEXT: line breaks allowed (JR_LINES or JR_PROSE) */
} jr_rule;

/* Values of `multiline`: lines of a label, or prose (a story) up to
 * JR_PROSE_MAX bytes. */
#define JR_LINES     1
#define JR_PROSE     2
#define JR_PROSE_MAX 4000

/* Receives each value that passed its rule, by path ("product.name");
 * objects too, before their fields. */
typedef void (*jr_store)(void *ctx, const char *path, const json_t *value, ocl_problems *problems);

#define JR_TEXT_MAX 600 /* bytes of one text value */

/* Reads a file; NULL after adding a problem under `field`. */
json_t *jr_load(const char *path, const char *field, ocl_problems *problems);
/* Checks `object` against `rules`, calling `store` for what passes. */
void jr_read(const json_t *object, const char *prefix, const jr_rule *rules, jr_store store,
             void *ctx, ocl_problems *problems);
/* The same for a change (PATCH): nothing is required at the top level. */
void jr_read_partial(const json_t *object, const jr_rule *rules, jr_store store, void *ctx,
                     ocl_problems *problems);
/* Parses a YYYY-MM-DD string value into *date; 0 or -1. */
int jr_date(const json_t *value, const char *path, int gs1_range, ocl_date *date,
            ocl_problems *problems);

/* Whether a problem's rule says the body has the wrong shape (an unknown
 * key, a value of the wrong type: 400) rather than a value breaking a rule
 * (422). */
int jr_problem_is_shape(const char *rule);

/* The text of `object`'s member `key`, or "" when it has none. */
const char *jr_text(const json_t *object, const char *key);

#endif
