/*
 * The public resolver a consumer's phone reaches by scanning a code:
 * /01/{gtin}[/10/{lot}][/21/{serial}] and the non-GS1 /lot/{lot}/{serial}.
 * It records the scan and answers JSON for `Accept: application/json`, else
 * an HTML page from templates/pages/product.html, in Vietnamese or English
 * (page_lang.c), with the product's photos, story and where to buy.
 *
 * Nearly every scan is of a serial never scanned before, but of a lot
 * scanned many times: what the lot's code stands for is kept as an answer
 * (answers.c), its JSON text and its page in each language filled but for
 * the scan's own part, and a scan adds only that part.
 */
#include "answers.h"
#include "clock.h"
#include "host.h"
#include "api.h"
#include "page.h"
#include "page_lang.h"
#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Today as YYYYMMDD, on the daemon's clock as certificates' status reads
 * it; worked out once a second in each thread, as localtime_r() takes the
 * C library's time-zone lock. */
static long today_key(void)
{
    static _Thread_local time_t second;
    static _Thread_local long key;
    time_t now = time(NULL);
    if (now != second) {
        struct tm tm;
        localtime_r(&now, &tm);
        key = (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        second = now;
    }
    return key;
}

/* Splits a raw /lot/{lot}/{serial} into decoded parts. */
int parse_lot_path(const char *path, char lot[OCL_AI_VALUE_MAX + 1],
                   char serial[OCL_AI_VALUE_MAX + 1])
{
    static const char prefix[] = "http://x/01/00000000000000/10/";
    char uri[OCL_URI_MAX + 32];
    if (strlen(path) >= OCL_URI_MAX)
        return -1;
    snprintf(uri, sizeof(uri), "%s%s", prefix, path + strlen("/lot/"));
    char *slash = strrchr(uri, '/');
    if (!slash || slash <= uri + strlen(prefix))
        return -1;
    *slash = '\0';
    char full[OCL_URI_MAX + 64];
    snprintf(full, sizeof(full), "%s/21/%s", uri, slash + 1);
    ocl_link link;
    ocl_problems problems;
    ocl_problems_init(&problems);
    /* Borrowing the Digital Link parser (a placeholder GTIN of zeros, whose
     * check digit is 0) checks the lot and serial as set 82 and decodes them. */
    if (ocl_link_parse(full, &link, NULL, 0, &problems) != OCL_OK)
        return -1;
    memcpy(lot, link.lot, sizeof(link.lot));
    memcpy(serial, link.serial, sizeof(link.serial));
    return lot[0] && serial[0] ? 0 : -1;
}

/* DD/MM/YYYY of an ISO date, or of a date-time's date. */
static void date_vi(const char *iso, char out[11])
{
    if (strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-')
        snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else
        snprintf(out, 11, "%s", iso);
}

/* The product page's placeholders. */
static const char *const page_keys[] = {
    "verdict", "verdict_text", "checked", "product", "producer", "address", "lot", "serial",
    "produced", "expires", "stars", "status", "status_text",
    /* the scratch-off PIN's form and its outcome (pin.c) */
    "pin", "pin_action", "pin_result", "pin_text",
    /* the language, the story; photos and where to buy, as
     * HTML built here (keys ending in _html are not
     * escaped again) */
    "lang", "story", "story_shown", "photos_html", "buy_html",
    /* a recall of the lot, shown first when there is one */
    "recall_shown", "recall_reason", "recall_action", "recall_since",
    /* the lot's journey, as list items */
    "journey_html"};
enum {
    KEY_VERDICT,
    KEY_VERDICT_TEXT,
    KEY_CHECKED,
    KEY_PRODUCT,
    KEY_PRODUCER,
    KEY_ADDRESS,
    KEY_LOT,
    KEY_SERIAL,
    KEY_PRODUCED,
    KEY_EXPIRES,
    KEY_STARS,
    KEY_STATUS,
    KEY_STATUS_TEXT,
    KEY_PIN,
    KEY_PIN_ACTION,
    KEY_PIN_RESULT,
    KEY_PIN_TEXT,
    KEY_LANG,
    KEY_STORY,
    KEY_STORY_SHOWN,
    KEY_PHOTOS_HTML,
    KEY_BUY_HTML,
    KEY_RECALL_SHOWN,
    KEY_RECALL_REASON,
    KEY_RECALL_ACTION,
    KEY_RECALL_SINCE,
    KEY_JOURNEY_HTML,
    PAGE_KEYS
};
_Static_assert(PAGE_KEYS == sizeof(page_keys) / sizeof(page_keys[0]), "a name for each key");

page_template *resolver_page_compile(const char *source)
{
    char *page = strdup(source);
    if (!page)
        return NULL;
    page_minify_styles(page);
    page_template *t = page_compile(page, page_keys, PAGE_KEYS);
    free(page);
    return t;
}

/* How often and since when the serial has been checked, in plain words:
 * what a buyer can weigh ("3 times, first at 10:14 on 12/03/2026": was
 * that me?). Empty for a code without an issued serial. */
static void checked_words(long long scans, const char *first, page_lang lang, char *out,
                          size_t size)
{
    out[0] = '\0';
    if (scans < 1 || !first || strlen(first) < 16)
        return;
    if (lang == LANG_EN)
        page_lang_checked(scans, first, out, size);
    else if (scans == 1)
        snprintf(out, size, "Đây là lần đầu tiên mã này được kiểm tra.");
    else
        snprintf(out, size,
                 "Mã này đã được kiểm tra %lld lần, lần đầu lúc %.5s ngày %.2s/%.2s/%.4s.", scans,
                 first + 11, first + 8, first + 5, first);
}

/* The text of `key` in `lang`: `key`_en in English when given. */
static const char *in_lang(const json_t *product, const char *key, page_lang lang)
{
    char english[32];
    snprintf(english, sizeof(english), "%s_en", key);
    const char *en = jr_text(product, english);
    return lang == LANG_EN && *en ? en : jr_text(product, key);
}

/* The product's photos as img tags, their sizes given so that nothing
 * moves as they load; all but the first load as they are scrolled to. */
static void photos_html(const json_t *photos, const char *alt, ocl_buffer *out)
{
    size_t i;
    json_t *p;
    json_array_foreach(photos, i, p)
    {
        char tag[160];
        snprintf(tag, sizeof(tag),
                 "<img src=\"/photos/%lld.jpg\" width=\"%lld\" height=\"%lld\"%s alt=\"",
                 (long long)json_integer_value(json_object_get(p, "id")),
                 (long long)json_integer_value(json_object_get(p, "width")),
                 (long long)json_integer_value(json_object_get(p, "height")),
                 i ? " loading=\"lazy\"" : "");
        ocl_buffer_append(out, tag, strlen(tag));
        page_escape(alt, out);
        ocl_buffer_append(out, "\">", 2);
    }
    ocl_buffer_append(out, "", 1);
}

/* Whether a link's language tag ("en-US") is the page's. */
static int link_in_lang(const json_t *link, page_lang lang)
{
    const char *tag = jr_text(link, "lang"), *code = page_lang_code(lang);
    size_t primary = strcspn(tag, "-");
    return primary == strlen(code) && strncasecmp(tag, code, primary) == 0;
}

/* Where to buy, as list items of links (https: only, checked on entry):
 * the product's shops in the page's language, or all of them when none is
 * in it, since a shop in another language still sells the product. */
static void buy_html(const json_t *links, page_lang lang, ocl_buffer *out)
{
    size_t i;
    json_t *link;
    int any_in_lang = 0;
    json_array_foreach(links, i, link) any_in_lang |= link_in_lang(link, lang);
    json_array_foreach(links, i, link)
    {
        static const char open[] = "<li><a rel=\"nofollow noopener\" href=\"";
        if (any_in_lang && !link_in_lang(link, lang))
            continue;
        ocl_buffer_append(out, open, sizeof(open) - 1);
        page_escape(jr_text(link, "href"), out);
        ocl_buffer_append(out, "\">", 2);
        page_escape(jr_text(link, "title"), out);
        ocl_buffer_append(out, "</a></li>", 9);
    }
    ocl_buffer_append(out, "", 1);
}

/* One step of the journey: what it was, when (a date or date-time, shown
 * as DD/MM/YYYY), and where or what. */
static void journey_item(ocl_buffer *out, const char *what, const char *when, const char *where,
                         page_lang lang)
{
    char day[11];
    ocl_buffer_append(out, "<li><strong>", 12);
    page_escape(page_lang_journey(lang, what), out);
    ocl_buffer_append(out, "</strong>", 9);
    if (when && *when) {
        date_vi(when, day);
        ocl_buffer_append(out, " <time>", 7);
        page_escape(day, out);
        ocl_buffer_append(out, "</time>", 7);
    }
    if (where && *where) {
        static const char open[] = " <span class=\"where\">";
        ocl_buffer_append(out, open, sizeof(open) - 1);
        page_escape(where, out);
        ocl_buffer_append(out, "</span>", 7);
    }
    ocl_buffer_append(out, "</li>", 5);
}

/* An area as the journey names it: "VT-01 Vùng cá, Hàm Tiến · VietGAP". */
static void area_words(const json_t *area, ocl_buffer *out)
{
    size_t k;
    const json_t *certification;
    const char *parts[] = {jr_text(area, "code"), " ", jr_text(area, "name"),
                           *jr_text(area, "locality") ? ", " : "", jr_text(area, "locality")};
    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
        ocl_buffer_append(out, parts[p], strlen(parts[p]));
    json_array_foreach(json_object_get(area, "certifications"), k, certification)
    {
        const char *name = json_string_value(certification);
        ocl_buffer_append(out, k ? ", " : " · ", k ? 2 : 4);
        ocl_buffer_append(out, name, strlen(name));
    }
    ocl_buffer_append(out, "", 1);
}

/* The areas, the harvest, the journal and the shipping, in order, as list
 * items; nothing for a lot without any. */
static void journey_html(const json_t *journey, page_lang lang, ocl_buffer *out)
{
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(journey, "areas"), i, item)
    {
        ocl_buffer about = {0};
        area_words(item, &about);
        journey_item(out, "area", NULL, (const char *)about.data, lang);
        ocl_buffer_free(&about);
    }
    if (*jr_text(journey, "harvested"))
        journey_item(out, "harvested", jr_text(journey, "harvested"), NULL, lang);
    json_array_foreach(json_object_get(journey, "events"), i, item)
        journey_item(out, jr_text(item, "step"), jr_text(item, "at"), jr_text(item, "place"), lang);
    if (*jr_text(journey, "shipped"))
        journey_item(out, "shipped", jr_text(journey, "shipped"), NULL, lang);
    ocl_buffer_append(out, "", 1);
}

/* The values of the keys every unit of a lot shares, and what they are
 * made of. */
typedef struct {
    char produced[11], expires[11], stars[32], recalled[11];
    ocl_buffer photos, buy, journey;
} lot_texts;

static void lot_values(const json_t *r, const json_t *photos, page_lang lang,
                       const char *values[PAGE_KEYS], lot_texts *t)
{
    static const char *const statuses[][2] = {{"valid", "còn hiệu lực"},
                                              {"expiring", "sắp hết hạn"},
                                              {"expired", "đã hết hạn"},
                                              {"revoked", "đã bị thu hồi"}};
    json_t *product = json_object_get(r, "product"), *producer = json_object_get(r, "producer");
    json_t *lot = json_object_get(r, "lot"), *cert = json_object_get(r, "certificate");
    date_vi(jr_text(lot, "produced"), t->produced);
    date_vi(jr_text(lot, "expires"), t->expires);
    t->stars[0] = '\0';
    for (json_int_t i = 0; i < json_integer_value(json_object_get(cert, "stars")) && i < 5; i++)
        strcat(t->stars, "★");
    const char *status = jr_text(cert, "status"), *status_text = "chưa được công nhận";
    for (size_t i = 0; i < 4; i++)
        if (strcmp(status, statuses[i][0]) == 0)
            status_text = statuses[i][1];
    const char *name = in_lang(product, "name", lang), *story = in_lang(product, "story", lang);
    t->photos = (ocl_buffer){0}, t->buy = (ocl_buffer){0}, t->journey = (ocl_buffer){0};
    photos_html(photos, name, &t->photos);
    buy_html(json_object_get(product, "where_to_buy"), lang, &t->buy);
    values[KEY_PRODUCT] = name;
    values[KEY_PRODUCER] = jr_text(producer, "name");
    values[KEY_ADDRESS] = jr_text(producer, "address");
    values[KEY_LOT] = jr_text(lot, "code");
    values[KEY_PRODUCED] = t->produced;
    values[KEY_EXPIRES] = t->expires;
    values[KEY_STARS] = t->stars;
    values[KEY_STATUS] = status;
    values[KEY_STATUS_TEXT] = page_lang_status(lang, status, status_text);
    values[KEY_LANG] = page_lang_code(lang);
    values[KEY_STORY] = story;
    values[KEY_STORY_SHOWN] = *story ? "on" : "off";
    values[KEY_PHOTOS_HTML] = t->photos.data ? (const char *)t->photos.data : "";
    values[KEY_BUY_HTML] = t->buy.data ? (const char *)t->buy.data : "";
    json_t *recall = json_object_get(r, "recall");
    date_vi(jr_text(recall, "since"), t->recalled);
    values[KEY_RECALL_SHOWN] = recall ? "on" : "off";
    values[KEY_RECALL_REASON] = jr_text(recall, "reason");
    values[KEY_RECALL_ACTION] = jr_text(recall, "action");
    values[KEY_RECALL_SINCE] = t->recalled;
    journey_html(json_object_get(r, "journey"), lang, &t->journey);
    values[KEY_JOURNEY_HTML] = t->journey.data ? (const char *)t->journey.data : "";
}

static void lot_texts_free(lot_texts *t)
{
    ocl_buffer_free(&t->photos);
    ocl_buffer_free(&t->buy);
    ocl_buffer_free(&t->journey);
}

/* The values of the keys that are the scan's own: its verdict (NULL for a
 * code without a serial), how often it was checked, its PIN's form. */
static void scan_values(const char *verdict, const char *serial, long long scans, const char *first,
                        const pin_view *pin, page_lang lang, const char *values[PAGE_KEYS],
                        char *checked, size_t checked_size)
{
    static const char *const verdicts[][2] = {
        {"genuine", "Mã hợp lệ: sản phẩm đã được đăng ký."},
        {"unknown", "Cảnh báo: mã này không có trong hệ thống, chưa từng được cấp. Có thể là "
                    "hàng giả."},
        {"suspicious", "Cảnh báo: mã này đã được kiểm tra ở nhiều nơi khác nhau trong thời gian "
                       "ngắn. Có thể là tem sao chép."},
    };
    const char *verdict_text = "";
    for (size_t i = 0; verdict && i < 3; i++)
        if (strcmp(verdict, verdicts[i][0]) == 0)
            verdict_text = verdicts[i][1];
    checked_words(scans, first, lang, checked, checked_size);
    values[KEY_VERDICT] = verdict && *verdict ? verdict : "none";
    values[KEY_VERDICT_TEXT] = page_lang_verdict(lang, verdict ? verdict : "", verdict_text);
    values[KEY_CHECKED] = checked;
    values[KEY_SERIAL] = serial ? serial : "";
    values[KEY_PIN] = pin->shown;
    values[KEY_PIN_ACTION] = pin->action;
    values[KEY_PIN_RESULT] = pin->result;
    values[KEY_PIN_TEXT] = pin->text;
}

/* The whole page of a code read on its own (a PIN's answer, a code not
 * registered): `r` as store_code_read() answers, with its serial. */
static char *product_page(const page_template *page, const json_t *r, const json_t *photos,
                          const pin_view *pin, page_lang lang)
{
    const char *values[PAGE_KEYS];
    lot_texts t;
    char checked[160];
    lot_values(r, photos, lang, values, &t);
    scan_values(json_string_value(json_object_get(r, "verdict")),
                json_string_value(json_object_get(r, "serial")),
                json_integer_value(json_object_get(r, "scans")),
                json_string_value(json_object_get(r, "first_scan_at")), pin, lang, values, checked,
                sizeof(checked));
    char *html = page_fill(page, values, lang);
    lot_texts_free(&t);
    return html;
}

char *resolver_page(const page_template *page, json_t *resolved, const pin_view *pin,
                    page_lang lang)
{
    return product_page(page, resolved, NULL, pin, lang);
}

/* ---------- answers kept per lot ---------- */

/* A new answer of `code` (taken), with its certificate's status: before
 * it is shared, as its JSON is never changed after. NULL when out of
 * memory. */
static lot_answer *answer_of(const char *key, store_code *code, long day)
{
    json_t *certificate = json_object_get(code->resolved, "certificate");
    if (json_is_object(certificate))
        certificate_with_status(certificate);
    return answer_new(key, code, day);
}

/* The answer's JSON text, made now if no scan made it before; NULL when
 * out of memory. */
static const char *answer_json(lot_answer *a)
{
    char *text = atomic_load(&a->json), *none = NULL;
    if (text || !(text = http_json_text(a->code.resolved)))
        return text;
    if (!atomic_compare_exchange_strong(&a->json, &none, text)) {
        free(text);
        text = none;
    }
    return text;
}

/* The answer's page in `lang`, bound but for the scan's part, made now if
 * no scan made it before; NULL when out of memory. */
static const page_template *answer_page(lot_answer *a, const page_template *page, page_lang lang)
{
    page_template *bound = atomic_load(&a->page[lang]), *none = NULL;
    if (bound)
        return bound;
    const char *values[PAGE_KEYS] = {0};
    lot_texts t;
    lot_values(a->code.resolved, a->code.photos, lang, values, &t);
    bound = page_bind(page, values, lang);
    lot_texts_free(&t);
    if (bound && !atomic_compare_exchange_strong(&a->page[lang], &none, bound)) {
        page_free(bound);
        bound = none;
    }
    return bound;
}

/* The key of a lot's code: GTIN and lot, or "" for a code not kept. */
static void answer_key(const store_scan *scan, char key[ANSWER_KEY_MAX])
{
    key[0] = '\0';
    if (scan->gtin)
        snprintf(key, ANSWER_KEY_MAX, "%s\n%s", scan->gtin, scan->lot ? scan->lot : "");
}

/* Records a GET's scan and gives the code's answer: the one kept when the
 * registry has not changed since, else a new one, kept. NULL with
 * *registered 0 for a code not registered; NULL with it 1 on error. */
static lot_answer *scan_answer(http_request *req, const resolver *r, const store_scan *scan,
                               store_serial_seen *seen, int *registered)
{
    char key[ANSWER_KEY_MAX];
    long day = today_key();
    answer_key(scan, key);
    lot_answer *kept = key[0] ? answer_cache_get(r->answers, key) : NULL;
    if (kept && kept->day != day) {
        answer_release(kept);
        kept = NULL;
    }
    store_code code = kept ? kept->code : (store_code){NULL, NULL, 0, -1};
    int rc = store_scan_record(req->store, r->scans, scan, &code, seen);
    *registered = rc < 0 || code.resolved != NULL;
    if (rc != 1)
        return rc == 0 ? kept : (answer_release(kept), NULL);
    answer_release(kept);
    if (!code.resolved)
        return NULL;
    lot_answer *fresh = answer_of(key, &code, day);
    if (fresh && key[0])
        answer_cache_put(r->answers, fresh);
    return fresh;
}

/* A HEAD (a link checker's, a crawler's) is not a consumer's scan: it
 * reads the code without counting towards a copied label's verdict. */
static lot_answer *head_answer(http_request *req, const store_scan *scan, int *registered)
{
    store_code code = {NULL, NULL, 0, -1};
    code.resolved = store_code_read(req->store, scan, &code.lot_id);
    *registered = code.resolved != NULL;
    return code.resolved ? answer_of("", &code, today_key()) : NULL;
}

/* ---------- the answer to a scan ---------- */

static const char *verdict_of(const store_scan *scan, const store_serial_seen *seen)
{
    return !scan->serial      ? NULL
           : !seen->issued    ? "unknown"
           : seen->suspicious ? "suspicious"
                              : "genuine";
}

/* Appends ,"key": and the value (a string, or a number when `text` is
 * NULL) to a JSON object's text. */
static void json_member(ocl_buffer *out, const char *key, const char *text, long number)
{
    char digits[24];
    ocl_buffer_append(out, ",\"", 2);
    ocl_buffer_append(out, key, strlen(key));
    ocl_buffer_append(out, "\":", 2);
    if (text) {
        http_json_append_string(out, text);
        return;
    }
    snprintf(digits, sizeof(digits), "%ld", number);
    ocl_buffer_append(out, digits, strlen(digits));
}

/* The answer's JSON text and the scan's part: its serial, verdict, how
 * often and since when it was checked, and its PIN's form. */
static char *json_answer(lot_answer *a, const store_scan *scan, const store_serial_seen *seen,
                         const char *verdict, const pin_view *pin)
{
    const char *whole = answer_json(a);
    if (!whole)
        return NULL;
    size_t len = strlen(whole) - 1; /* but its closing brace */
    ocl_buffer out = {malloc(len + 512), 0, len + 512};
    if (!out.data)
        return NULL;
    ocl_buffer_append(&out, whole, len);
    if (verdict) {
        json_member(&out, "serial", scan->serial, 0);
        json_member(&out, "verdict", verdict, 0);
    }
    if (verdict && seen->issued) {
        json_member(&out, "scans", NULL, seen->scans);
        json_member(&out, "networks", NULL, seen->networks);
        json_member(&out, "first_scan_at", seen->first_at, 0);
    }
    if (strcmp(pin->shown, "on") == 0)
        json_member(&out, "pin_verify", pin->action, 0);
    if (ocl_buffer_append(&out, "}", 2) != OCL_OK) {
        ocl_buffer_free(&out);
        return NULL;
    }
    return (char *)out.data;
}

static void answer_reply(http_request *req, http_reply *reply, const resolver *r, lot_answer *a,
                         const store_scan *scan, const store_serial_seen *seen, page_lang lang)
{
    const char *verdict = verdict_of(scan, seen);
    pin_view pin;
    pin_view_for(
        &pin, json_object_get(a->code.resolved, "product"),
        json_string_value(json_object_get(json_object_get(a->code.resolved, "lot"), "code")),
        scan->serial, verdict);
    reply->status = 200;
    if (req->accept && strstr(req->accept, "application/json")) {
        reply->text = json_answer(a, scan, seen, verdict, &pin);
        reply->content_type = "application/json";
        if (!reply->text)
            http_error(reply, 500, "internal", "", "out of memory");
        return;
    }
    const char *values[PAGE_KEYS] = {0};
    char checked[160];
    scan_values(verdict, scan->serial, seen->scans, seen->first_at, &pin, lang, values, checked,
                sizeof(checked));
    const page_template *bound = answer_page(a, r->page, lang);
    reply->text = bound ? page_fill(bound, values, lang) : NULL;
    if (!reply->text) {
        http_error(reply, 500, "internal", "", "out of memory");
        return;
    }
    reply->content_type = "text/html; charset=utf-8";
    reply->content_language = page_lang_code(lang);
}

/* A code nobody registered: a phone sees the warning page, not an API
 * error. */
static void unknown_reply(http_request *req, http_reply *reply, const page_template *page,
                          const store_scan *scan, page_lang lang)
{
    if (req->accept && strstr(req->accept, "application/json")) {
        http_error(reply, 404, "not_found", "gtin", "no product registered under this code");
        json_object_set_new(json_object_get(reply->json, "error"), "verdict",
                            json_string("unknown"));
        return;
    }
    json_t *unknown = json_pack(
        "{s:s, s:{s:s}, s:{s:s?}, s:s?}", "verdict", "unknown", "product", "name",
        lang == LANG_EN ? "A product not in the system" : "Sản phẩm không có trong hệ thống", "lot",
        "code", scan->lot, "serial", scan->serial);
    pin_view no_pin;
    pin_view_of(&no_pin, unknown);
    reply->status = 404;
    reply->text = product_page(page, unknown, NULL, &no_pin, lang);
    reply->content_type = "text/html; charset=utf-8";
    reply->content_language = page_lang_code(lang);
    json_decref(unknown);
}

/* The code of the request's path, decoded: 0, or -1 with the error. */
static int scan_of(http_request *req, http_reply *reply, store_scan *scan, ocl_link *link,
                   char lot[OCL_AI_VALUE_MAX + 1], char serial[OCL_AI_VALUE_MAX + 1])
{
    *scan = (store_scan){.network = req->network};
    if (strncmp(req->raw_path, "/lot/", 5) == 0) {
        if (parse_lot_path(req->raw_path, lot, serial) != 0) {
            http_error(reply, 404, "not_found", "path", "not a code of this service");
            return -1;
        }
        scan->lot = lot, scan->serial = serial;
        return 0;
    }
    char uri[OCL_URI_MAX + 16];
    ocl_problems problems;
    ocl_problems_init(&problems);
    /* The raw path: the parser decodes each value, so that an encoded '/'
     * of a lot stays in the lot. */
    if (strlen(req->raw_path) >= OCL_URI_MAX) {
        http_error(reply, 400, "bad_link", "uri", "must be at most %d characters", OCL_URI_MAX);
        return -1;
    }
    snprintf(uri, sizeof(uri), "http://x%s", req->raw_path);
    if (ocl_link_parse(uri, link, NULL, 0, &problems) != OCL_OK) {
        http_error(reply, 400, "bad_link", problems.item[0].field, "%s", problems.item[0].rule);
        return -1;
    }
    scan->gtin = link->gtin;
    scan->lot = link->lot[0] ? link->lot : NULL;
    scan->serial = link->serial[0] ? link->serial : NULL;
    return 0;
}

void resolver_answer(http_request *req, http_reply *reply, const resolver *r,
                     const store_scan *parsed)
{
    store_scan scan;
    ocl_link link;
    char lot[OCL_AI_VALUE_MAX + 1], serial[OCL_AI_VALUE_MAX + 1];
    if (parsed)
        scan = *parsed, scan.network = req->network;
    else if (scan_of(req, reply, &scan, &link, lot, serial) != 0)
        return;
    store_serial_seen seen = {0};
    int registered;
    int head = strcmp(req->method, "HEAD") == 0;
    lot_answer *a = head ? head_answer(req, &scan, &registered)
                         : scan_answer(req, r, &scan, &seen, &registered);
    store_scan judged = scan;
    if (head) /* nothing is judged: the answer as of a code without a serial */
        judged.serial = NULL;
    page_lang lang = page_lang_choose(http_query(req, "lang"), http_header(req, "Accept-Language"));
    reply->vary = "Accept, Accept-Language";
    if (a)
        answer_reply(req, reply, r, a, &judged, &seen, lang);
    else if (!registered)
        unknown_reply(req, reply, r->page, &scan, lang);
    else
        http_error(reply, 500, "store", "", "cannot read the code");
    answer_release(a);
}
