/*
 * The scan page's two languages: which one a request gets (?lang=, else
 * Accept-Language with its q-values, else Vietnamese) and the page's fixed
 * words in each, the {{w_...}} placeholders of templates/pages/product.html.
 */
#ifndef OCOPTRACE_PAGE_LANG_H
#define OCOPTRACE_PAGE_LANG_H

#include <stddef.h>

typedef enum { LANG_VI, LANG_EN, LANG_COUNT } page_lang;

/* `query` is ?lang= (or NULL), `accept_language` the header (or NULL). */
page_lang page_lang_choose(const char *query, const char *accept_language);
/* "vi" or "en": the page's lang attribute and Content-Language. */
const char *page_lang_code(page_lang lang);

/* The fixed word named `key` (of `len` bytes, "w_..."): its index, or -1. */
int page_word_index(const char *key, size_t len);
const char *page_word(size_t index, page_lang lang);

/* The verdict's, the certificate status's and the product page's other
 * English sentences; for LANG_VI, `vi` as given. */
const char *page_lang_verdict(page_lang lang, const char *verdict, const char *vi);
const char *page_lang_status(page_lang lang, const char *status, const char *vi);
/* A step of a lot's journey on the page: a journal step (harvesting,
 * processing...), "area", "harvested" or "shipped". */
const char *page_lang_journey(page_lang lang, const char *step);
/* "Checked N times, first at ..." in English (see checked_words()). */
void page_lang_checked(long long scans, const char *first, char *out, size_t size);

/* The scratch-off PIN's answers on the page (pin.c): the first right
 * entry; a later one, verified at `at` ("10:14") on `date`
 * ("12/03/2026"), Vietnam time; a wrong one with `left` tries; a limit
 * reached, by the network or by the unit, for `seconds`; and an entry of
 * the wrong form, of `digits` digits or PAGE_PIN_NOT_DIGIT or
 * PAGE_PIN_EMPTY. */
#define PAGE_PIN_DIGITS    8 /* PIN_DIGITS (pin.h) */
#define PAGE_PIN_NOT_DIGIT (-1)
#define PAGE_PIN_EMPTY     (-2)
void page_lang_pin_first(page_lang lang, char *out, size_t size);
void page_lang_pin_again(page_lang lang, const char *at, const char *date, char *out, size_t size);
void page_lang_pin_wrong(page_lang lang, int left, char *out, size_t size);
void page_lang_pin_limited(page_lang lang, int by_network, long seconds, char *out, size_t size);
void page_lang_pin_invalid(page_lang lang, int digits, char *out, size_t size);
/* A wait in words: whole minutes, or seconds under one ("5 minutes"). */
void page_lang_wait(page_lang lang, long seconds, char out[32]);

#endif
