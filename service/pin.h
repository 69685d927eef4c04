/*
 * Scratch-off PINs ("tem cào"): a secret per unit of a product that turns
 * them on, drawn when its serials are issued, printed under a scratch-off
 * layer, and checked by the buyer on the scan page. What the PIN proves and
 * why its limits are what they are: README, "Scratch-off PINs".
 */
#ifndef OCOPTRACE_PIN_H
#define OCOPTRACE_PIN_H

#include "http.h"
#include "page_lang.h"

#include <jansson.h>

/* 10^8 PINs: with at most PIN_WRONG_PER_SERIAL wrong ones an hour, a year
 * of guessing one serial's finds it with a chance of 0.04 %. */
#define PIN_DIGITS 8
/* "1234 5678", as printed: two groups are easier to read and type. */
#define PIN_TEXT_MAX (PIN_DIGITS + 1)

#define PIN_WRONG_PER_SERIAL  5
#define PIN_WRONG_PER_NETWORK 20
#define PIN_WINDOW_SECONDS    3600

/* A new PIN from the system's random source: 0, or -1. */
int pin_draw(char pin[PIN_DIGITS + 1]);
/* The PIN as printed on the label, in two groups of four. */
void pin_print_form(const char *pin, char out[PIN_TEXT_MAX + 1]);

/* What the product page shows of a PIN: the values of its placeholders. */
typedef struct {
    const char *shown;  /* "on" (the form is shown) or "off" */
    char action[160];   /* the form's target: the unit's path and /verify */
    const char *result; /* "none", "first", "again", "wrong", "invalid", "limited" */
    char text[512];     /* what the result says, in the page's language */
} pin_view;

/* The view of a resolved code (store_code_read's answer, with its serial): the form
 * for an issued serial of a product with scratch_pin, else none. Adds
 * "pin_verify" (the form's target) to the answer when it applies. */
void pin_view_of(pin_view *view, json_t *resolved);
/* The same from its parts, changing nothing: `verdict` may be NULL. */
void pin_view_for(pin_view *view, const json_t *product, const char *lot, const char *serial,
                  const char *verdict);

/* The product page of a resolved code with its PIN's part, in `lang`
 * (resolver.c). */
char *resolver_page(const page_template *page, json_t *resolved, const pin_view *pin,
                    page_lang lang);
/* Splits /lot/{lot}/{serial} into decoded parts: 0, or -1 (resolver.c). */
int parse_lot_path(const char *path, char lot[OCL_AI_VALUE_MAX + 1],
                   char serial[OCL_AI_VALUE_MAX + 1]);

/* Whether a request is a buyer's PIN: POST {a unit's path}/verify. */
int pin_is_verify(const http_request *req);
/* Checks the PIN typed (form field or JSON "pin") against the unit's,
 * within the limits, and answers the page or JSON. */
void pin_verify(http_request *req, http_reply *reply, const page_template *page);

#endif
