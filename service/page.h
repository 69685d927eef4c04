/*
 * HTML pages from templates: {{key}} placeholders filled with escaped
 * values. A template is cut once into literal runs and placeholders; the
 * part of a page that stays the same for many requests (a lot's product,
 * producer and certificate, in one language) can be bound once, so that a
 * request fills only what is its own.
 */
#ifndef OCOPTRACE_PAGE_H
#define OCOPTRACE_PAGE_H

#include "ocoplabels.h"
#include "page_lang.h"

#include <stddef.h>

/* The page with each {{key}} replaced by its value, HTML-escaped; keys
 * not given are dropped. malloc'd. */
char *page_render(const char *page, const char *const *keys, const char *const *values,
                  size_t count);

/* Shortens the style sheets of an HTML page in place (comments dropped,
 * white space collapsed, none around { } ; , or after :), quoted strings
 * kept as they are: fewer bytes for every phone that opens the page. */
void page_minify_styles(char *html);

/* Appends `text` HTML-escaped (< > & " '). */
void page_escape(const char *text, ocl_buffer *out);

/* A template cut into literal runs and placeholders: the `count` keys
 * named (a key ending in "_html" is HTML already and is not escaped
 * again) and the fixed words {{w_...}} of page_lang.c. Other placeholders
 * are dropped. `keys` must outlive the template. NULL when out of memory. */
typedef struct page_template page_template;
page_template *page_compile(const char *source, const char *const *keys, size_t count);
/* The template with each key whose values[i] is not NULL, and every fixed
 * word (in `lang`), made part of the literal text: what is left to fill
 * are the keys given NULL. NULL when out of memory. */
page_template *page_bind(const page_template *t, const char *const *values, page_lang lang);
/* The page with values[i] for the template's keys still open (values of
 * bound keys are not read) and its fixed words in `lang`, in one
 * allocation of the exact size. malloc'd, NULL when out of memory. */
char *page_fill(const page_template *t, const char *const *values, page_lang lang);
void page_free(page_template *t);

#endif
