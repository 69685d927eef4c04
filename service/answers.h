/*
 * The resolver's answers kept per code of a lot (a GTIN and a lot), which
 * every unit of the lot shares: what the code stands for, its JSON text
 * but for the scan's own part, and the product page in each language with
 * everything but the scan's own part filled. An answer is good while the
 * registry's version it was read at is the registry's (store_code) and
 * its day is today (a certificate's status changes with the date).
 * Bounded: a fixed number of places, and a new answer takes the place of
 * the one before it there.
 */
#ifndef OCOPTRACE_ANSWERS_H
#define OCOPTRACE_ANSWERS_H

#include "page.h"
#include "page_lang.h"
#include "store/store.h"

#include <stdatomic.h>

/* GTIN-14, a separator and a lot of 20 characters of set 82. */
#define ANSWER_KEY_MAX 48

/* Each of an answer's texts is made when a scan first needs it (most
 * lots are only ever read in one language, many only as pages) and then
 * shared: whichever thread makes it first keeps it there. */
typedef struct {
    char key[ANSWER_KEY_MAX];                  /* empty: kept nowhere (a /lot/ code, a HEAD) */
    store_code code;                           /* the certificate with its status on `day` */
    long day;                                  /* YYYYMMDD */
    _Atomic(char *) json;                      /* code.resolved as JSON text, or NULL until made */
    _Atomic(page_template *) page[LANG_COUNT]; /* or NULL until made */
    atomic_int refs;
} lot_answer;

/* A new answer with one reference, taking `code`; NULL when out of memory
 * (`code` is then freed). */
lot_answer *answer_new(const char *key, store_code *code, long day);
void answer_release(lot_answer *a);

typedef struct answer_cache answer_cache;
answer_cache *answer_cache_new(void);
void answer_cache_free(answer_cache *cache);
/* The answer kept for `key`, with a reference for the caller, or NULL. */
lot_answer *answer_cache_get(answer_cache *cache, const char *key);
/* Keeps `a` (with a reference of its own) in the place of its key. */
void answer_cache_put(answer_cache *cache, lot_answer *a);

#endif
