/*
 * The resolver as the GS1-Conformant Resolver Standard (1.x) asks: the
 * link types of the GS1 web vocabulary it knows, the links a producer adds
 * to a product (their API; their table is in store/links.c), the choice of one link by
 * `linkType` (answered here when it is this resolver's own page, a 307
 * elsewhere), the RFC 9264 linkset, the Link header that points to it, the
 * resolver description at /.well-known/gs1resolver, and CORS for all of it:
 * what a code stands for is public data.
 */
#include "api.h"
#include "links.h"
#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GS1_VOC       "https://gs1.org/voc/"
#define LINKS_REFUSAL "changes only its own products' links"

/* ---------- the vocabulary ---------- */

typedef struct {
    const char *curie;
    const char *title; /* a producer's link without a title gets this one */
    int producer;      /* 0: the resolver's own, which producers cannot add */
} link_kind;

static const link_kind kinds[] = {
    {"gs1:pip", "Thông tin sản phẩm", 0},
    {"gs1:certificationInfo", "Giấy chứng nhận OCOP", 0},
    {"gs1:traceability", "Truy xuất nguồn gốc", 0},
    {"gs1:purchaseSuggestion", "Mua sản phẩm", 1},
    {"gs1:hasRetailers", "Nơi bán", 1},
    {"gs1:promotion", "Khuyến mãi", 1},
    {"gs1:review", "Đánh giá", 1},
    {"gs1:faqs", "Câu hỏi thường gặp", 1},
    {"gs1:instructions", "Hướng dẫn sử dụng", 1},
    {"gs1:tutorial", "Hướng dẫn", 1},
    {"gs1:recipeInfo", "Công thức chế biến", 1},
    {"gs1:nutritionalInfo", "Thông tin dinh dưỡng", 1},
    {"gs1:allergenInfo", "Thông tin chất gây dị ứng", 1},
    {"gs1:productSustainabilityInfo", "Phát triển bền vững", 1},
    {"gs1:whatsInTheBox", "Trong hộp có gì", 1},
    {"gs1:relatedVideo", "Video", 1},
    {"gs1:socialMedia", "Mạng xã hội", 1},
};
#define KINDS (sizeof(kinds) / sizeof(kinds[0]))

static const link_kind *kind_of(const char *curie)
{
    for (size_t i = 0; curie && i < KINDS; i++)
        if (strcmp(kinds[i].curie, curie) == 0)
            return &kinds[i];
    return NULL;
}

/* linkType as asked, as a CURIE ("gs1:pip" for "https://gs1.org/voc/pip"
 * too), "all", or NULL when absent. */
static const char *wanted_type(const http_request *req, char out[64])
{
    const char *asked = http_query(req, "linkType");
    if (!asked || !*asked)
        return NULL;
    static const char *const namespaces[] = {GS1_VOC, "http://gs1.org/voc/"};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(asked, namespaces[i], strlen(namespaces[i])) == 0) {
            snprintf(out, 64, "gs1:%s", asked + strlen(namespaces[i]));
            return out;
        }
    snprintf(out, 64, "%s", strcmp(asked, "linkset") == 0 ? "all" : asked);
    return out;
}

/* ---------- the API ---------- */

static const jr_rule link_rules[] = {
    {"link_type", JR_TEXT, 1, NULL, 0},
    {"href", JR_TEXT, 1, NULL, 0},
    {"title", JR_TEXT, 0, NULL, 0},
    {"lang", JR_TEXT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};

/* The rule an https URL breaks, or NULL. Quotes, angle brackets and
 * spaces are refused rather than encoded: the href goes into Location and
 * Link headers as it is. */
const char *link_href_problem(const char *href)
{
    if (strncasecmp(href, "https://", 8) != 0)
        return "must be an https: URL (http: and other schemes are refused)";
    if (!href[8] || strchr("/?#", href[8]))
        return "must name a host after https://";
    if (strlen(href) > OCL_URI_MAX)
        return "must be at most 512 bytes";
    for (const unsigned char *p = (const unsigned char *)href; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>\"\\^`{|}", *p))
            return "must be a URI: percent-encode spaces, quotes, angle brackets and "
                   "non-ASCII characters";
    return NULL;
}

/* A language tag as BCP 47 spells the common ones: "vi", "en-US". */
static int lang_valid(const char *lang)
{
    size_t n = strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (n < 2 || n > 3 || strlen(lang) > LINK_LANG_MAX)
        return 0;
    for (const char *p = lang + n; *p;) {
        size_t part = *p == '-' ? strspn(p + 1, "abcdefghijklmnopqrstuvwxyz"
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                                : 0;
        if (part < 1 || part > 8)
            return 0;
        p += part + 1;
    }
    return 1;
}

static void keep_link_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    store_link *in = ctx;
    const char *text = json_string_value(v);
    if (strcmp(path, "link_type") == 0) {
        const link_kind *kind = kind_of(text);
        if (kind && !kind->producer)
            ocl_problem_add(problems, path,
                            "'%s' is the resolver's own link (the product page, its OCOP "
                            "certificate and its traceability answer are linked already)",
                            text);
        else if (!kind)
            ocl_problem_add(problems, path,
                            "'%.40s' is not a link type a producer may add (GET "
                            "/api/v1/link-types lists them)",
                            text);
        in->link_type = text;
    } else if (strcmp(path, "href") == 0) {
        const char *why = link_href_problem(text);
        if (why)
            ocl_problem_add(problems, path, "'%.80s' %s", text, why);
        in->href = text;
    } else if (strcmp(path, "title") == 0) {
        if (!*text || strlen(text) > LINK_TITLE_MAX)
            ocl_problem_add(problems, path, "must be 1 to %d bytes", LINK_TITLE_MAX);
        in->title = text;
    } else if (strcmp(path, "lang") == 0) {
        if (!lang_valid(text))
            ocl_problem_add(problems, path, "'%.40s' is not a language tag such as vi or en-US",
                            text);
        in->lang = text;
    }
}

void api_links_create(http_request *req, http_reply *reply, long id)
{
    if (!api_owned(req, reply, id, 0, LINKS_REFUSAL))
        return;
    store_link in = {0};
    json_t *body;
    char error[STORE_ERROR_MAX];
    if (http_read_body(req, reply, link_rules, keep_link_field, &in, &body) == 0) {
        if (!in.title)
            in.title = kind_of(in.link_type)->title;
        if (!in.lang)
            in.lang = "vi";
        long link = store_link_add(req->store, id, &in, error);
        if (link == -2)
            http_error(reply, 409, "conflict", "href", "product %ld has this link already", id);
        else if (link == -3)
            http_error(reply, 422, "invalid", "link_type",
                       "product %ld has %d links, the most kept", id, LINKS_PER_PRODUCT);
        else if (link < 0)
            http_error(reply, 500, "store", "", "%s", error);
        else {
            reply->status = 201;
            reply->json = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)link,
                                    "product_id", (json_int_t)id, "link_type", in.link_type, "href",
                                    in.href, "title", in.title, "lang", in.lang);
        }
    }
    json_decref(body);
}

void api_link_types(http_request *req, http_reply *reply, long id)
{
    (void)req, (void)id;
    json_t *list = json_array();
    for (size_t i = 0; i < KINDS; i++) {
        char uri[96];
        snprintf(uri, sizeof(uri), GS1_VOC "%s", kinds[i].curie + strlen("gs1:"));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b}", "link_type", kinds[i].curie,
                                              "uri", uri, "title", kinds[i].title,
                                              "producer_may_add", kinds[i].producer));
    }
    reply->status = 200;
    reply->json = json_pack("{s:o}", "link_types", list);
}

void api_links_list(http_request *req, http_reply *reply, long id)
{
    if (!api_owned(req, reply, id, 0, LINKS_REFUSAL))
        return;
    json_t *links = store_link_list(req->store, id);
    if (!links) {
        http_error(reply, 500, "store", "", "cannot read the links");
        return;
    }
    reply->status = 200;
    reply->json = json_pack("{s:o}", "links", links);
}

void api_links_delete(http_request *req, http_reply *reply, long id)
{
    long product = store_link_product(req->store, id);
    if (!product) {
        http_error(reply, 404, "not_found", "id", "no link %ld", id);
        return;
    }
    if (!api_owned(req, reply, product, 0, LINKS_REFUSAL))
        return;
    if (store_link_delete(req->store, id) != 0) {
        http_error(reply, 500, "store", "", "cannot delete link %ld", id);
        return;
    }
    reply->status = 204;
    reply->text = strdup("");
    reply->content_type = "text/plain";
}

/* ---------- resolving ---------- */

/* The code a resolver path names, and its Digital Link URI without
 * linkType or dates: the linkset's anchor. */
typedef struct {
    store_scan scan;
    ocl_link link;
    char lot[OCL_AI_VALUE_MAX + 1], serial[OCL_AI_VALUE_MAX + 1];
    char anchor[OCL_BASE_URL_MAX + OCL_URI_MAX];
} code_path;

static int lot_anchor(const http_request *req, code_path *code)
{
    char lot[3 * OCL_AI_VALUE_MAX + 1], serial[3 * OCL_AI_VALUE_MAX + 1];
    if (parse_lot_path(req->raw_path, code->lot, code->serial) != 0 ||
        ocl_percent_encode(code->lot, lot, sizeof(lot)) != OCL_OK ||
        ocl_percent_encode(code->serial, serial, sizeof(serial)) != OCL_OK)
        return -1;
    code->scan.lot = code->lot, code->scan.serial = code->serial;
    snprintf(code->anchor, sizeof(code->anchor), "%s/lot/%s/%s", req->config->base_url, lot,
             serial);
    return 0;
}

static int code_of(const http_request *req, code_path *code)
{
    memset(code, 0, sizeof(*code));
    code->scan.network = req->network;
    if (strncmp(req->raw_path, "/lot/", 5) == 0)
        return lot_anchor(req, code);
    char uri[OCL_URI_MAX + 16];
    if (strlen(req->raw_path) >= OCL_URI_MAX)
        return -1;
    snprintf(uri, sizeof(uri), "http://x%s", req->raw_path);
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (ocl_link_parse(uri, &code->link, NULL, 0, &problems) != OCL_OK)
        return -1;
    code->scan.gtin = code->link.gtin;
    code->scan.lot = code->link.lot[0] ? code->link.lot : NULL;
    code->scan.serial = code->link.serial[0] ? code->link.serial : NULL;
    memset(code->link.date, 0, sizeof(code->link.date));
    return ocl_link_build(req->config->base_url, &code->link, code->anchor, sizeof(code->anchor),
                          &problems) == OCL_OK
               ? 0
               : -1;
}

/* A path segment with every byte but unreserved ones percent-encoded. */
static void segment_encode(const char *text, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && n + 4 < size; p++) {
        if (strchr("-._~", *p) || (*p >= '0' && *p <= '9') ||
            ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, size - n, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    out[n] = '\0';
}

/* The product's certificate page, or 0 when it has no certificate. */
static int certificate_href(const http_request *req, const json_t *resolved, char *out, size_t size)
{
    const char *number =
        json_string_value(json_object_get(json_object_get(resolved, "certificate"), "number"));
    if (!number)
        return 0;
    char encoded[256];
    segment_encode(number, encoded, sizeof(encoded));
    snprintf(out, size, "%s/c/%s", req->config->base_url, encoded);
    return 1;
}

static json_t *target(const char *href, const char *title, const char *type, const char *lang)
{
    json_t *t = json_pack("{s:s, s:s, s:[s]}", "href", href, "title", title, "hreflang", lang);
    if (type)
        json_object_set_new(t, "type", json_string(type));
    return t;
}

/* Appends a target under the link type's URI ("gs1:pip" under
 * "https://gs1.org/voc/pip"). */
static void add_target(json_t *set, const char *curie, json_t *t)
{
    char rel[96];
    snprintf(rel, sizeof(rel), GS1_VOC "%s", curie + strlen("gs1:"));
    json_t *list = json_object_get(set, rel);
    if (!list) {
        list = json_array();
        json_object_set_new(set, rel, list);
    }
    json_array_append_new(list, t);
}

static json_t *linkset_of(const http_request *req, const code_path *code, const json_t *resolved,
                          const json_t *links)
{
    json_t *set = json_pack("{s:s}", "anchor", code->anchor);
    char href[sizeof(code->anchor) + 32];
    const char *name =
        json_string_value(json_object_get(json_object_get(resolved, "product"), "name"));
    snprintf(href, sizeof(href), "%s?linkType=gs1:pip", code->anchor);
    add_target(set, "gs1:pip", target(href, name ? name : kinds[0].title, "text/html", "vi"));
    add_target(set, "gs1:defaultLink",
               target(href, name ? name : kinds[0].title, "text/html", "vi"));
    snprintf(href, sizeof(href), "%s?linkType=gs1:traceability", code->anchor);
    add_target(set, "gs1:traceability",
               target(href, "Truy xuất nguồn gốc: sản phẩm, chủ thể, lô và chứng nhận OCOP",
                      "application/json", "vi"));
    if (certificate_href(req, resolved, href, sizeof(href)))
        add_target(set, "gs1:certificationInfo", target(href, kinds[1].title, "text/html", "vi"));
    size_t i;
    json_t *link;
    json_array_foreach(links, i, link)
    {
        const char *curie = json_string_value(json_object_get(link, "link_type"));
        add_target(set, curie,
                   target(json_string_value(json_object_get(link, "href")),
                          json_string_value(json_object_get(link, "title")), NULL,
                          json_string_value(json_object_get(link, "lang"))));
    }
    return json_pack("{s:[o]}", "linkset", set);
}

/* The weight Accept-Language gives a link in `lang`: the highest q of the
 * ranges that match it (the tag, its primary subtag, or "*"); 0 for none. */
static double language_weight(const char *accept, const char *lang)
{
    double best = 0;
    size_t lang_len = strlen(lang);
    for (const char *item = accept; item && *item;) {
        item += strspn(item, " \t,");
        size_t range = strcspn(item, " \t;,");
        const char *end = item + strcspn(item, ",");
        const char *q = strstr(item, ";q=");
        double weight = q && q < end ? strtod(q + 3, NULL) : 1.0;
        size_t common = range < lang_len ? range : lang_len;
        int match = range && (strncasecmp(item, "*", range) == 0 ||
                              (strncasecmp(item, lang, common) == 0 &&
                               (range == lang_len || (range < lang_len && lang[range] == '-') ||
                                (range > lang_len && item[lang_len] == '-'))));
        if (match && weight > best)
            best = weight;
        item = end;
    }
    return best;
}

/* The producer's link of `curie` the reader's languages prefer (the first
 * added among equals), or NULL. */
static const char *chosen_href(const http_request *req, const json_t *links, const char *curie)
{
    const char *accept = http_header(req, "Accept-Language");
    const char *chosen = NULL;
    double best = -1;
    size_t i;
    json_t *link;
    json_array_foreach(links, i, link)
    {
        if (strcmp(json_string_value(json_object_get(link, "link_type")), curie) != 0)
            continue;
        double w = language_weight(accept ? accept : "vi",
                                   json_string_value(json_object_get(link, "lang")));
        if (w > best) {
            best = w;
            chosen = json_string_value(json_object_get(link, "href"));
        }
    }
    return chosen;
}

static long product_id_of(const json_t *resolved)
{
    return (long)json_integer_value(json_object_get(json_object_get(resolved, "product"), "id"));
}

static void linkset_answer(http_request *req, http_reply *reply, const code_path *code)
{
    long lot_id;
    json_t *resolved = store_code_read(req->store, &code->scan, &lot_id);
    json_t *links = resolved ? store_link_list(req->store, product_id_of(resolved)) : NULL;
    if (!resolved) {
        http_error(reply, 404, "not_found", "gtin", "no product registered under this code");
    } else if (!links) {
        http_error(reply, 500, "store", "", "cannot read the product's links");
    } else {
        json_t *set = linkset_of(req, code, resolved, links);
        reply->status = 200;
        reply->text = json_dumps(set, JSON_COMPACT);
        reply->content_type = "application/linkset+json";
        json_decref(set);
    }
    json_decref(links);
    json_decref(resolved);
}

/* A 307 to the link of `curie` when the product has one that is not this
 * page: 1, or 0 to answer the default link. */
static int redirect_answer(http_request *req, http_reply *reply, const code_path *code,
                           const char *curie)
{
    long lot_id;
    char href[sizeof(reply->location)] = "";
    json_t *resolved = store_code_read(req->store, &code->scan, &lot_id);
    if (resolved && strcmp(curie, "gs1:certificationInfo") == 0) {
        certificate_href(req, resolved, href, sizeof(href));
    } else if (resolved) {
        json_t *links = store_link_list(req->store, product_id_of(resolved));
        const char *chosen = links ? chosen_href(req, links, curie) : NULL;
        snprintf(href, sizeof(href), "%s", chosen ? chosen : "");
        json_decref(links);
    }
    json_decref(resolved);
    if (!href[0])
        return 0;
    reply->status = 307;
    snprintf(reply->location, sizeof(reply->location), "%s", href);
    reply->json = json_pack("{s:s, s:s}", "linkType", curie, "href", href);
    return 1;
}

void links_resolve(http_request *req, http_reply *reply, const resolver *r)
{
    code_path code;
    char asked[64];
    const char *curie = wanted_type(req, asked);
    const char *accept = req->accept ? req->accept : "";
    int known = code_of(req, &code) == 0;
    int linkset = (curie && strcmp(curie, "all") == 0) ||
                  (strstr(accept, "application/linkset+json") && !kind_of(curie));
    reply->cors = 1;
    if (known)
        snprintf(reply->link, sizeof(reply->link),
                 "<%s?linkType=all>; rel=\"linkset\"; type=\"application/linkset+json\"",
                 code.anchor);
    if (known && linkset) {
        linkset_answer(req, reply, &code);
        return;
    }
    const link_kind *kind = kind_of(curie);
    if (known && kind && (kind->producer || strcmp(curie, "gs1:certificationInfo") == 0) &&
        redirect_answer(req, reply, &code, curie))
        return;
    /* gs1:pip, no linkType, one unknown or one the product lacks: the
     * default link, this page. gs1:traceability: its JSON. */
    if (curie && strcmp(curie, "gs1:traceability") == 0)
        req->accept = "application/json";
    resolver_answer(req, reply, r, known ? &code.scan : NULL);
}

void links_description(http_request *req, http_reply *reply)
{
    reply->status = 200;
    reply->cors = 1;
    reply->cache_control = "public, max-age=3600";
    reply->json =
        json_pack("{s:s, s:s, s:[s], s:[{s:s, s:s}], s:b}", "name",
                  "ocoptrace: truy xuất nguồn gốc sản phẩm OCOP", "resolverRoot",
                  req->config->base_url, "supportedPrimaryKeys", "01", "supportedLinkType",
                  "namespace", GS1_VOC, "prefix", "gs1:", "linkTypeDefaultCanBeLinkset", 0);
}

int links_public_path(const char *path)
{
    return strncmp(path, "/01/", 4) == 0 || strncmp(path, "/lot/", 5) == 0 ||
           strcmp(path, "/.well-known/gs1resolver") == 0;
}

void links_preflight(http_request *req, http_reply *reply)
{
    (void)req;
    reply->status = 204;
    reply->cors = 1;
    reply->preflight = 1;
    reply->text = strdup("");
    reply->content_type = "text/plain";
}
