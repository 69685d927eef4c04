/*
 * Scratch-off PINs on the service's side: drawing them, the form on the
 * scan page, and the buyer's entry at POST {unit's path}/verify, checked
 * within the limits (store/pins.c keeps the hashes and the wrong entries).
 * A PIN of the wrong form counts as nothing: it cannot be a guess.
 */
#include "pin.h"
#include "api/api.h"
#include "page_lang.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TYPED_MAX 64 /* bytes of what a buyer may type */

_Static_assert(PAGE_PIN_DIGITS == PIN_DIGITS, "the page's words count the PIN's digits");

int pin_draw(char pin[PIN_DIGITS + 1])
{
    if (sodium_init() < 0)
        return -1;
    for (int i = 0; i < PIN_DIGITS; i++)
        pin[i] = (char)('0' + randombytes_uniform(10));
    pin[PIN_DIGITS] = '\0';
    return 0;
}

void pin_print_form(const char *pin, char out[PIN_TEXT_MAX + 1])
{
    snprintf(out, PIN_TEXT_MAX + 1, "%.4s %.4s", pin, pin + 4);
}

/* ---------- the form on the scan page ---------- */

static const char *text_at(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
}

/* The unit's path, its values percent-encoded, and /verify. */
static int verify_path(const char *gtin, const char *lot, const char *serial, char *out,
                       size_t size)
{
    char l[3 * OCL_AI_VALUE_MAX + 1], s[3 * OCL_AI_VALUE_MAX + 1];
    if (ocl_percent_encode(lot, l, sizeof(l)) != OCL_OK ||
        ocl_percent_encode(serial, s, sizeof(s)) != OCL_OK)
        return -1;
    int n = gtin ? snprintf(out, size, "/01/%s/10/%s/21/%s/verify", gtin, l, s)
                 : snprintf(out, size, "/lot/%s/%s/verify", l, s);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static void view_none(pin_view *view)
{
    view->shown = "off";
    view->action[0] = '\0';
    view->result = "none";
    view->text[0] = '\0';
}

void pin_view_for(pin_view *view, const json_t *product, const char *lot, const char *serial,
                  const char *verdict)
{
    view_none(view);
    if (!json_is_true(json_object_get(product, "scratch_pin")) || !serial || !lot ||
        (verdict && strcmp(verdict, "unknown") == 0))
        return;
    if (verify_path(text_at(product, "gtin"), lot, serial, view->action, sizeof(view->action)) != 0)
        return;
    view->shown = "on";
}

void pin_view_of(pin_view *view, json_t *resolved)
{
    pin_view_for(view, json_object_get(resolved, "product"),
                 text_at(json_object_get(resolved, "lot"), "code"), text_at(resolved, "serial"),
                 text_at(resolved, "verdict"));
    if (strcmp(view->shown, "on") == 0)
        json_object_set_new(resolved, "pin_verify", json_string(view->action));
}

/* ---------- what the buyer typed ---------- */

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The form field `name` of an urlencoded body, decoded: 0, or -1 when
 * absent or longer than `max` bytes. */
static int form_field(const char *body, const char *name, char *out, size_t max)
{
    size_t name_len = strlen(name);
    const char *at = body;
    while (at && !(strncmp(at, name, name_len) == 0 && at[name_len] == '=')) {
        at = strchr(at, '&');
        at = at ? at + 1 : NULL;
    }
    if (!at)
        return -1;
    size_t n = 0;
    for (at += name_len + 1; *at && *at != '&'; at++) {
        char c = *at;
        if (c == '+')
            c = ' ';
        else if (c == '%' && hex_value(at[1]) >= 0 && hex_value(at[2]) >= 0) {
            c = (char)(hex_value(at[1]) * 16 + hex_value(at[2]));
            at += 2;
        }
        if (n == max)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return 0;
}

/* The PIN from the body: a form's field or JSON {"pin": "..."}. */
static int typed_pin(const http_request *req, char out[TYPED_MAX + 1])
{
    if (!req->body || !req->body_len)
        return -1;
    if (req->body[0] != '{')
        return form_field(req->body, "pin", out, TYPED_MAX);
    json_t *body = json_loadb(req->body, req->body_len, 0, NULL);
    const char *text = text_at(body, "pin");
    int rc = text && strlen(text) <= TYPED_MAX ? 0 : -1;
    if (rc == 0)
        snprintf(out, TYPED_MAX + 1, "%s", text);
    json_decref(body);
    return rc;
}

/* The digits of a PIN as typed, spaces and dashes left out: 0, or -1 with
 * what is wrong in English (the API) and in the page's language. */
static int pin_digits(const char *typed, page_lang lang, char pin[PIN_DIGITS + 1], char *why,
                      char *page_text, size_t size)
{
    size_t n = 0;
    for (const char *p = typed; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (*p < '0' || *p > '9') {
            snprintf(why, size,
                     "a PIN is %d digits (spaces and dashes are ignored): found "
                     "a character that is not a digit",
                     PIN_DIGITS);
            page_lang_pin_invalid(lang, PAGE_PIN_NOT_DIGIT, page_text, size);
            return -1;
        }
        if (n < PIN_DIGITS)
            pin[n] = *p;
        n++;
    }
    if (n != PIN_DIGITS) {
        snprintf(why, size, "a PIN is %d digits (spaces and dashes are ignored): found %zu",
                 PIN_DIGITS, n);
        page_lang_pin_invalid(lang, n > 99 ? 99 : (int)n, page_text, size);
        return -1;
    }
    pin[PIN_DIGITS] = '\0';
    return 0;
}

/* ---------- the answer ---------- */

/* "12:34", "05/06/2026" and "2026-06-05T12:34:56+07:00": Vietnam keeps
 * +07:00 all year. */
static void vietnam_time(long long when, char at[8], char date[16], char iso[32])
{
    time_t t = (time_t)when + 7 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(at, 8, "%H:%M", &tm);
    strftime(date, 16, "%d/%m/%Y", &tm);
    strftime(iso, 32, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
}

static int wants_json(const http_request *req)
{
    return req->accept && strstr(req->accept, "application/json");
}

/* The page's language: the form's `lang` (the page the buyer typed on
 * was in it), else ?lang=, else Accept-Language, as on the scan page. */
static page_lang answer_lang(const http_request *req)
{
    char lang[8];
    const char *chosen = http_query(req, "lang");
    if (req->body && req->body_len && req->body[0] != '{' &&
        form_field(req->body, "lang", lang, sizeof(lang) - 1) == 0)
        chosen = lang;
    return page_lang_choose(chosen, http_header(req, "Accept-Language"));
}

/* The page with the outcome, or for JSON the reply as it stands. */
static void finish(http_request *req, http_reply *reply, const page_template *page,
                   json_t *resolved, pin_view *view, page_lang lang)
{
    if (wants_json(req))
        return;
    json_decref(reply->json);
    reply->json = NULL;
    reply->text = resolver_page(page, resolved, view, lang);
    reply->content_type = "text/html; charset=utf-8";
    reply->content_language = page_lang_code(lang);
}

static void answer_right(http_reply *reply, const store_pin_result *r, json_t *resolved,
                         pin_view *view, page_lang lang)
{
    char at[8], date[16], iso[32];
    vietnam_time(r->verified_at, at, date, iso);
    int first = r->outcome == STORE_PIN_FIRST;
    view->result = first ? "first" : "again";
    if (first)
        page_lang_pin_first(lang, view->text, sizeof(view->text));
    else
        page_lang_pin_again(lang, at, date, view->text, sizeof(view->text));
    reply->status = 200;
    reply->json = json_pack("{s:s, s:s, s:I, s:s, s:O, s:O}", "result", first ? "first" : "again",
                            "verified_at", iso, "verifications", (json_int_t)r->verifications,
                            "serial", text_at(resolved, "serial"), "lot",
                            json_object_get(json_object_get(resolved, "lot"), "code"), "gtin",
                            json_object_get(json_object_get(resolved, "product"), "gtin"));
}

static void answer_refused(http_reply *reply, const store_pin_result *r, pin_view *view,
                           page_lang lang)
{
    json_t *error;
    if (r->outcome == STORE_PIN_WRONG) {
        int left = r->left < 0 ? 0 : r->left;
        view->result = "wrong";
        page_lang_pin_wrong(lang, left, view->text, sizeof(view->text));
        http_error(reply, 422, "wrong_pin", "pin",
                   "the PIN is not this unit's: %d more tries this hour", left);
        error = json_object_get(reply->json, "error");
        json_object_set_new(error, "attempts_left", json_integer(left));
        return;
    }
    char en[32];
    page_lang_wait(LANG_EN, r->retry_after, en);
    view->result = "limited";
    page_lang_pin_limited(lang, r->by_network, r->retry_after, view->text, sizeof(view->text));
    http_error(reply, 429, "too_many_attempts", "pin",
               "too many wrong PINs %s within an hour: try again in %s",
               r->by_network ? "from this network" : "for this unit", en);
    error = json_object_get(reply->json, "error");
    json_object_set_new(error, "retry_after", json_integer(r->retry_after));
    reply->retry_after = r->retry_after;
}

/* ---------- the request ---------- */

static const char verify_suffix[] = "/verify";

int pin_is_verify(const http_request *req)
{
    /* The raw path: a serial ending in an encoded "/verify" is not one. */
    const char *path = req->raw_path;
    size_t len = strlen(path), suffix = sizeof(verify_suffix) - 1;
    return strcmp(req->method, "POST") == 0 &&
           (strncmp(path, "/01/", 4) == 0 || strncmp(path, "/lot/", 5) == 0) && len > suffix &&
           strcmp(path + len - suffix, verify_suffix) == 0;
}

typedef struct {
    char gtin[OCL_GTIN14_LEN + 1], lot[OCL_AI_VALUE_MAX + 1], serial[OCL_AI_VALUE_MAX + 1];
} unit_code;

/* The unit a /verify path names: 0, or -1. */
static int unit_of(const char *path, unit_code *unit, store_scan *scan)
{
    char code[OCL_URI_MAX + 16];
    size_t len = strlen(path) - (sizeof(verify_suffix) - 1);
    if (len >= sizeof(code) - 16)
        return -1;
    memcpy(code, path, len);
    code[len] = '\0';
    memset(unit, 0, sizeof(*unit));
    if (strncmp(code, "/lot/", 5) == 0) {
        if (parse_lot_path(code, unit->lot, unit->serial) != 0)
            return -1;
    } else {
        char uri[OCL_URI_MAX + 32];
        snprintf(uri, sizeof(uri), "http://x%s", code);
        ocl_link link;
        ocl_problems problems;
        ocl_problems_init(&problems);
        if (ocl_link_parse(uri, &link, NULL, 0, &problems) != OCL_OK || !link.lot[0] ||
            !link.serial[0])
            return -1;
        memcpy(unit->gtin, link.gtin, sizeof(unit->gtin));
        memcpy(unit->lot, link.lot, sizeof(unit->lot));
        memcpy(unit->serial, link.serial, sizeof(unit->serial));
        scan->gtin = unit->gtin;
    }
    scan->lot = unit->lot;
    scan->serial = unit->serial;
    return 0;
}

/* Checks the typed PIN and fills the reply; the view gets the outcome. */
static void check_pin(http_request *req, http_reply *reply, long lot_id, json_t *resolved,
                      pin_view *view, page_lang lang)
{
    char typed[TYPED_MAX + 1] = "", pin[PIN_DIGITS + 1], why[160];
    if (typed_pin(req, typed) != 0 ||
        pin_digits(typed, lang, pin, why, view->text, sizeof(view->text)) != 0) {
        if (!typed[0]) {
            snprintf(why, sizeof(why), "give the %d digits under the scratch-off layer as 'pin'",
                     PIN_DIGITS);
            page_lang_pin_invalid(lang, PAGE_PIN_EMPTY, view->text, sizeof(view->text));
        }
        view->result = "invalid";
        http_error(reply, 422, "invalid", "pin", "%s", why);
        return;
    }
    static const store_pin_limits limits = {PIN_WRONG_PER_SERIAL, PIN_WRONG_PER_NETWORK,
                                            PIN_WINDOW_SECONDS};
    store_pin_result r;
    if (store_pin_try(req->store, lot_id, text_at(resolved, "serial"), req->network, pin, &limits,
                      (long long)time(NULL), &r) != 0) {
        http_error(reply, 500, "store", "", "cannot check the PIN");
    } else if (r.outcome == STORE_PIN_NONE) {
        http_error(reply, 404, "no_pin", "serial", "this unit was issued without a PIN");
    } else if (r.outcome == STORE_PIN_FIRST || r.outcome == STORE_PIN_AGAIN) {
        answer_right(reply, &r, resolved, view, lang);
    } else {
        answer_refused(reply, &r, view, lang);
    }
    sodium_memzero(pin, sizeof(pin));
}

void pin_verify(http_request *req, http_reply *reply, const page_template *page)
{
    store_scan scan = {.network = req->network};
    unit_code unit;
    long lot_id = 0;
    json_t *resolved = NULL;
    if (unit_of(req->raw_path, &unit, &scan) == 0)
        resolved = store_code_read(req->store, &scan, &lot_id);
    if (!resolved || !lot_id) {
        http_error(reply, 404, "not_found", "path", "no unit registered under this code");
        json_decref(resolved);
        return;
    }
    json_object_set_new(resolved, "serial", json_string(unit.serial));
    json_t *certificate = json_object_get(resolved, "certificate");
    if (json_is_object(certificate))
        certificate_with_status(certificate);
    pin_view view;
    pin_view_of(&view, resolved);
    if (strcmp(view.shown, "on") != 0) {
        http_error(reply, 404, "no_pin", "path", "this product has no scratch-off PIN");
    } else {
        page_lang lang = answer_lang(req);
        check_pin(req, reply, lot_id, resolved, &view, lang);
        if (reply->status != 500 && reply->status != 404)
            finish(req, reply, page, resolved, &view, lang);
    }
    json_decref(resolved);
}
