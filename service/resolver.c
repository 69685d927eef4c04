/*
 * The public resolver a consumer's phone reaches by scanning a code:
 * /01/{gtin}[/10/{lot}][/21/{serial}] and the non-GS1 /lot/{lot}/{serial}.
 * It records the scan and answers JSON for `Accept: application/json`, else
 * an HTML page from templates/pages/product.html, in Vietnamese or English
 * (page_lang.c), with the product's photos, story and where to buy.
 */
#include "http.h"
#include "cli.h"
#include "page_lang.h"
#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void today(char out[11], ocl_date *date)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    *date = (ocl_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)date->year % 10000u, (unsigned)date->month % 100u,
             (unsigned)date->day % 100u);
}

/* Adds "status" to the certificate: valid, expiring, expired or revoked. */
static void certificate_status(json_t *result, const ocl_date *day)
{
    json_t *c = json_object_get(result, "certificate");
    const char *until = json_string_value(json_object_get(c, "valid_until"));
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    ocl_date d;
    if (!until || ocl_date_parse_iso(until, "valid_until", 0, &d, &ignored) != OCL_OK)
        return;
    int revoked = !json_is_null(json_object_get(c, "revoked_at"));
    json_object_set_new(c, "status",
                        json_string(ocl_status_name(ocl_ocop_status(&d, revoked, day))));
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

static const char *text_of(const json_t *object, const char *key)
{
    const char *t = json_string_value(json_object_get(object, key));
    return t ? t : "";
}

/* Appends `text` escaped, in runs between the characters that need it. */
static void html_escape(const char *text, ocl_buffer *out)
{
    const char *run = text;
    for (const char *p = text; *p; p++) {
        const char *e = *p == '<'    ? "&lt;"
                        : *p == '>'  ? "&gt;"
                        : *p == '&'  ? "&amp;"
                        : *p == '"'  ? "&quot;"
                        : *p == '\'' ? "&#39;"
                                     : NULL;
        if (!e)
            continue;
        ocl_buffer_append(out, run, (size_t)(p - run));
        ocl_buffer_append(out, e, strlen(e));
        run = p + 1;
    }
    ocl_buffer_append(out, run, strlen(run));
}

static void date_vi(const char *iso, char out[11])
{
    if (strlen(iso) == 10)
        snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else
        snprintf(out, 11, "%s", iso);
}

/* Fills {{key}} placeholders of the page with escaped values. */
char *page_render(const char *page, const char *const *keys, const char *const *values,
                  size_t count)
{
    ocl_buffer out = {0};
    const char *at = page;
    while (*at) {
        const char *open = strstr(at, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!close) {
            ocl_buffer_append(&out, at, strlen(at));
            break;
        }
        ocl_buffer_append(&out, at, (size_t)(open - at));
        for (size_t i = 0; i < count; i++)
            if (strlen(keys[i]) == (size_t)(close - open - 2) &&
                strncmp(open + 2, keys[i], (size_t)(close - open - 2)) == 0)
                html_escape(values[i], &out);
        at = close + 2;
    }
    ocl_buffer_append(&out, "", 1);
    return (char *)out.data;
}

/* The product page's placeholders, in the order product_page() gives
 * their values. */
static const char *const page_keys[] = {"verdict", "verdict_text", "checked", "product", "producer",
                                        "address", "lot", "serial", "produced", "expires", "stars",
                                        "status", "status_text",
                                        /* the scratch-off PIN's form and its outcome (pin.c) */
                                        "pin", "pin_action", "pin_result", "pin_text",
                                        /* the language, the story; photos and where to buy, as
                                         * HTML built here (keys ending in _html are not
                                         * escaped again) */
                                        "lang", "story", "story_shown", "photos_html", "buy_html"};
#define PAGE_KEYS (sizeof(page_keys) / sizeof(page_keys[0]))
/* A fixed word's placeholder ({{w_...}}, page_lang.c) is the segment key
 * WORD_KEY + its index. */
#define WORD_KEY (PAGE_KEYS + 1)

static int page_key_raw(size_t key)
{
    size_t len = key < PAGE_KEYS ? strlen(page_keys[key]) : 0;
    return len > 5 && strcmp(page_keys[key] + len - 5, "_html") == 0;
}

/* The product page cut once, at start, into literal text and placeholders,
 * so that a scan's page is copies and escaped values rather than a search
 * of the whole template for "{{". */
typedef struct {
    const char *text; /* a literal run of the template, or NULL: */
    size_t len;
    size_t key; /* the placeholder's index in page_keys, or WORD_KEY + a word's */
    int raw;    /* HTML already: page_key_raw() */
} page_segment;

struct page_template {
    char *source;
    size_t count;
    size_t literal_len; /* of all the literal runs */
    page_segment *segment;
};

static int page_add(page_template *t, const char *text, size_t len, size_t key)
{
    page_segment *grown = realloc(t->segment, (t->count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    t->segment = grown;
    t->segment[t->count++] = (page_segment){text, len, key, !text && page_key_raw(key)};
    t->literal_len += text ? len : 0;
    return 0;
}

page_template *page_compile(const char *page)
{
    page_template *t = calloc(1, sizeof(*t));
    if (!t || !(t->source = strdup(page))) {
        free(t);
        return NULL;
    }
    const char *at = t->source;
    int ok = 1;
    while (ok && *at) {
        const char *open = strstr(at, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!close) {
            ok = page_add(t, at, strlen(at), 0) == 0;
            break;
        }
        if (open > at)
            ok = page_add(t, at, (size_t)(open - at), 0) == 0;
        size_t key = PAGE_KEYS, len = (size_t)(close - open - 2);
        for (size_t i = 0; i < PAGE_KEYS; i++)
            if (strlen(page_keys[i]) == len && strncmp(open + 2, page_keys[i], len) == 0)
                key = i;
        int word = key == PAGE_KEYS ? page_word_index(open + 2, len) : -1;
        if (word >= 0)
            key = WORD_KEY + (size_t)word;
        if (ok && key != PAGE_KEYS)
            ok = page_add(t, NULL, 0, key) == 0;
        at = close + 2;
    }
    if (!ok) {
        page_free(t);
        return NULL;
    }
    return t;
}

void page_free(page_template *t)
{
    if (!t)
        return;
    free(t->segment);
    free(t->source);
    free(t);
}

/* The length of `text` once escaped by html_escape(). */
static size_t escaped_len(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '<' || *p == '>' ? 4 : *p == '&' || *p == '\'' ? 5 : *p == '"' ? 6 : 1;
    return n;
}

/* What a placeholder stands for: a value, or a fixed word in `lang`. */
static const char *segment_value(size_t key, const char *const values[PAGE_KEYS], page_lang lang)
{
    return key < PAGE_KEYS ? values[key] : page_word(key - WORD_KEY, lang);
}

/* The page with values[i] (HTML-escaped) for page_keys[i], in one
 * allocation of the exact size. malloc'd. */
static char *page_fill(const page_template *t, const char *const values[PAGE_KEYS], page_lang lang)
{
    size_t size = t->literal_len + 1;
    for (size_t i = 0; i < t->count; i++) {
        size_t key = t->segment[i].key;
        if (!t->segment[i].text)
            size += t->segment[i].raw ? strlen(values[key])
                                      : escaped_len(segment_value(key, values, lang));
    }
    ocl_buffer out = {0};
    out.data = malloc(size);
    if (!out.data)
        return NULL;
    out.cap = size;
    for (size_t i = 0; i < t->count; i++) {
        size_t key = t->segment[i].key;
        if (t->segment[i].text)
            ocl_buffer_append(&out, t->segment[i].text, t->segment[i].len);
        else if (t->segment[i].raw)
            ocl_buffer_append(&out, values[key], strlen(values[key]));
        else
            html_escape(segment_value(key, values, lang), &out);
    }
    ocl_buffer_append(&out, "", 1);
    return (char *)out.data;
}

/* How often and since when the serial has been checked, in plain words:
 * what a buyer can weigh ("3 times, first at 10:14 on 12/03/2026": was
 * that me?). Empty for a code without an issued serial. */
static void checked_words(const json_t *r, char *out, size_t size)
{
    json_int_t scans = json_integer_value(json_object_get(r, "scans"));
    const char *first = json_string_value(json_object_get(r, "first_scan_at"));
    out[0] = '\0';
    if (scans < 1 || !first || strlen(first) < 16)
        return;
    if (scans == 1)
        snprintf(out, size, "Đây là lần đầu tiên mã này được kiểm tra.");
    else
        snprintf(out, size,
                 "Mã này đã được kiểm tra %lld lần, lần đầu lúc %.5s ngày %.2s/%.2s/%.4s.",
                 (long long)scans, first + 11, first + 8, first + 5, first);
}

/* The text of `key` in `lang`: `key`_en in English when given. */
static const char *in_lang(const json_t *product, const char *key, page_lang lang)
{
    char english[32];
    snprintf(english, sizeof(english), "%s_en", key);
    const char *en = text_of(product, english);
    return lang == LANG_EN && *en ? en : text_of(product, key);
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
        html_escape(alt, out);
        ocl_buffer_append(out, "\">", 2);
    }
    ocl_buffer_append(out, "", 1);
}

/* Whether a link's language tag ("en-US") is the page's. */
static int link_in_lang(const json_t *link, page_lang lang)
{
    const char *tag = text_of(link, "lang"), *code = page_lang_code(lang);
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
        html_escape(text_of(link, "href"), out);
        ocl_buffer_append(out, "\">", 2);
        html_escape(text_of(link, "title"), out);
        ocl_buffer_append(out, "</a></li>", 9);
    }
    ocl_buffer_append(out, "", 1);
}

static char *product_page(const page_template *page, json_t *r, const pin_view *pin, page_lang lang)
{
    static const char *const verdicts[][2] = {
        {"genuine", "Mã hợp lệ: sản phẩm đã được đăng ký."},
        {"unknown", "Cảnh báo: mã này không có trong hệ thống, chưa từng được cấp. Có thể là "
                    "hàng giả."},
        {"suspicious", "Cảnh báo: mã này đã được kiểm tra ở nhiều nơi khác nhau trong thời gian "
                       "ngắn. Có thể là tem sao chép."},
    };
    static const char *const statuses[][2] = {{"valid", "còn hiệu lực"},
                                              {"expiring", "sắp hết hạn"},
                                              {"expired", "đã hết hạn"},
                                              {"revoked", "đã bị thu hồi"}};
    const char *verdict = text_of(r, "verdict"), *verdict_text = "";
    for (size_t i = 0; i < 3; i++)
        if (strcmp(verdict, verdicts[i][0]) == 0)
            verdict_text = verdicts[i][1];
    verdict_text = page_lang_verdict(lang, verdict, verdict_text);
    json_t *product = json_object_get(r, "product"), *producer = json_object_get(r, "producer");
    json_t *lot = json_object_get(r, "lot"), *cert = json_object_get(r, "certificate");
    char produced[11], expires[11], stars[32] = "";
    date_vi(text_of(lot, "produced"), produced);
    date_vi(text_of(lot, "expires"), expires);
    for (json_int_t i = 0; i < json_integer_value(json_object_get(cert, "stars")) && i < 5; i++)
        strcat(stars, "★");
    const char *status = text_of(cert, "status"), *status_text = "chưa được công nhận";
    for (size_t i = 0; i < 4; i++)
        if (strcmp(status, statuses[i][0]) == 0)
            status_text = statuses[i][1];
    status_text = page_lang_status(lang, status, status_text);
    char checked[160];
    checked_words(r, checked, sizeof(checked));
    if (lang == LANG_EN)
        page_lang_checked(json_integer_value(json_object_get(r, "scans")),
                          json_string_value(json_object_get(r, "first_scan_at")), checked,
                          sizeof(checked));
    const char *name = in_lang(product, "name", lang), *story = in_lang(product, "story", lang);
    ocl_buffer photos = {0}, buy = {0};
    photos_html(json_object_get(r, "photos"), name, &photos);
    buy_html(json_object_get(product, "where_to_buy"), lang, &buy);
    const char *const values[] = {*verdict ? verdict : "none",
                                  verdict_text,
                                  checked,
                                  name,
                                  text_of(producer, "name"),
                                  text_of(producer, "address"),
                                  text_of(lot, "code"),
                                  text_of(r, "serial"),
                                  produced,
                                  expires,
                                  stars,
                                  status,
                                  status_text,
                                  pin->shown,
                                  pin->action,
                                  pin->result,
                                  pin->text,
                                  page_lang_code(lang),
                                  story,
                                  *story ? "on" : "off",
                                  photos.data ? (const char *)photos.data : "",
                                  buy.data ? (const char *)buy.data : ""};
    char *html = page_fill(page, values, lang);
    ocl_buffer_free(&photos);
    ocl_buffer_free(&buy);
    return html;
}

char *resolver_page(const page_template *page, json_t *resolved, const pin_view *pin,
                    page_lang lang)
{
    return product_page(page, resolved, pin, lang);
}

/* A HEAD (a link checker's, a crawler's) is not a consumer's scan: it
 * reads the code without counting towards a copied label's verdict. */
static json_t *resolve_scan(const http_request *req, store_scans *scans, const store_scan *scan)
{
    long lot_id;
    if (strcmp(req->method, "HEAD") == 0)
        return store_code_read(req->store, scan, &lot_id);
    return store_scan_resolve(req->store, scans, scan);
}

void resolver_answer(http_request *req, http_reply *reply, const page_template *page,
                     store_scans *scans)
{
    store_scan scan = {.network = req->network};
    char gtin[OCL_GTIN14_LEN + 1], lot[OCL_AI_VALUE_MAX + 1], serial[OCL_AI_VALUE_MAX + 1];
    char day[11];
    ocl_date date;
    today(day, &date);
    if (strncmp(req->raw_path, "/lot/", 5) == 0) {
        if (parse_lot_path(req->raw_path, lot, serial) != 0) {
            http_error(reply, 404, "not_found", "path", "not a code of this service");
            return;
        }
        scan.lot = lot, scan.serial = serial;
    } else {
        char uri[OCL_URI_MAX + 16];
        ocl_link link;
        ocl_problems problems;
        ocl_problems_init(&problems);
        /* The raw path: the parser decodes each value, so that an encoded
         * '/' of a lot stays in the lot. */
        if (strlen(req->raw_path) >= OCL_URI_MAX) {
            http_error(reply, 400, "bad_link", "uri", "must be at most %d characters", OCL_URI_MAX);
            return;
        }
        snprintf(uri, sizeof(uri), "http://x%s", req->raw_path);
        if (ocl_link_parse(uri, &link, NULL, 0, &problems) != OCL_OK) {
            http_error(reply, 400, "bad_link", problems.item[0].field, "%s", problems.item[0].rule);
            return;
        }
        memcpy(gtin, link.gtin, sizeof(gtin));
        memcpy(lot, link.lot, sizeof(lot));
        memcpy(serial, link.serial, sizeof(serial));
        scan.gtin = gtin;
        scan.lot = lot[0] ? lot : NULL;
        scan.serial = serial[0] ? serial : NULL;
    }
    json_t *result = resolve_scan(req, scans, &scan);
    page_lang lang = page_lang_choose(http_query(req, "lang"), http_header(req, "Accept-Language"));
    reply->vary = "Accept, Accept-Language";
    if (!result && !(req->accept && strstr(req->accept, "application/json"))) {
        /* A phone that scanned a code nobody registered sees the warning
         * page, not an API error. */
        json_t *unknown = json_pack(
            "{s:s, s:{s:s}, s:{s:s?}, s:s?}", "verdict", "unknown", "product", "name",
            lang == LANG_EN ? "A product not in the system" : "Sản phẩm không có trong hệ thống",
            "lot", "code", scan.lot, "serial", scan.serial);
        pin_view no_pin;
        pin_view_of(&no_pin, unknown);
        reply->status = 404;
        reply->text = product_page(page, unknown, &no_pin, lang);
        reply->content_type = "text/html; charset=utf-8";
        reply->content_language = page_lang_code(lang);
        json_decref(unknown);
        return;
    }
    if (!result) {
        http_error(reply, 404, "not_found", "gtin", "no product registered under this code");
        json_object_set_new(json_object_get(reply->json, "error"), "verdict",
                            json_string("unknown"));
        return;
    }
    certificate_status(result, &date);
    pin_view pin;
    pin_view_of(&pin, result);
    reply->status = 200;
    if (req->accept && strstr(req->accept, "application/json")) {
        reply->json = result;
        return;
    }
    json_object_set_new(
        result, "photos",
        store_photo_list(req->store, (long)json_integer_value(json_object_get(
                                         json_object_get(result, "product"), "id"))));
    reply->text = product_page(page, result, &pin, lang);
    reply->content_type = "text/html; charset=utf-8";
    reply->content_language = page_lang_code(lang);
    json_decref(result);
}
