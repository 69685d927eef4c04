/*
 * /api/v1/products, their lots and the lots' serials. Fields are those of
 * the label job file. A producer user works on its own products only;
 * officers and admins on all. Serials are drawn as the labels command draws
 * them and returned with the URIs their codes hold.
 */
#include "clock.h"
#include "host.h"
#include "epcis.h"
#include "api.h"
#include "links.h"
#include "pin.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SERIALS_PER_REQUEST 10000

#define WHERE_TO_BUY_MAX       8   /* links */
#define WHERE_TO_BUY_TITLE_MAX 120 /* bytes */

/* A where-to-buy link: a shop's page, kept as the product's link of
 * gs1:purchaseSuggestion (api/links.c), which the scan page shows. */
static const jr_rule link_rules[] = {
    {"title", JR_TEXT, 1, NULL, 0},
    {"href", JR_TEXT, 1, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};

static const jr_rule product_rules[] = {
    {"producer_id", JR_INT, 0, NULL, 0},
    {"name", JR_TEXT, 1, NULL, 0},
    {"group", JR_TEXT, 1, NULL, 0},
    {"gtin", JR_TEXT, 0, NULL, 0},
    {"net_quantity", JR_TEXT, 0, NULL, 0},
    {"ingredients", JR_TEXT, 0, NULL, 0},
    {"origin", JR_TEXT, 0, NULL, 0},
    {"usage", JR_TEXT, 0, NULL, 0},
    {"storage", JR_TEXT, 0, NULL, 0},
    {"warnings", JR_TEXT, 0, NULL, 0},
    {"standard", JR_TEXT, 0, NULL, 0},
    {"scratch_pin", JR_BOOL, 0, NULL, 0},
    /* the scan page's: an English name, the story in both languages and
     * where to buy */
    {"name_en", JR_TEXT, 0, NULL, 0},
    {"story", JR_TEXT, 0, NULL, JR_PROSE},
    {"story_en", JR_TEXT, 0, NULL, JR_PROSE},
    {"where_to_buy", JR_LIST, 0, link_rules, 0},
    {NULL, 0, 0, NULL, 0},
};

typedef struct {
    store_product product;
    char gtin[OCL_GTIN14_LEN + 1];
    int patch;
    const json_t *where_to_buy; /* borrowed from the body; NULL: not given */
} product_input;

/* Whether item `index` of where_to_buy repeats an earlier item's href:
 * the links' table keeps each href of a type once. */
static int href_repeated(const json_t *list, size_t index, const char *href)
{
    for (size_t i = 0; i < index; i++) {
        const char *earlier = json_string_value(json_object_get(json_array_get(list, i), "href"));
        if (earlier && strcmp(earlier, href) == 0)
            return 1;
    }
    return 0;
}

/* where_to_buy and its links' fields: checked here by the rules of the
 * product's links, and written as its gs1:purchaseSuggestion links (not
 * kept in details). 1 when `path` was one of them. */
static int where_to_buy_field(product_input *in, const char *path, const json_t *v,
                              ocl_problems *problems)
{
    static const char key[] = "where_to_buy";
    if (strncmp(path, key, sizeof(key) - 1) != 0)
        return 0;
    const char *field = strrchr(path, '.');
    const char *text = json_string_value(v);
    const char *why = field && strcmp(field, ".href") == 0 ? link_href_problem(text) : NULL;
    size_t index = strchr(path, '[') ? strtoul(strchr(path, '[') + 1, NULL, 10) : 0;
    if (!strchr(path, '[')) {
        in->where_to_buy = v;
        if (json_array_size(v) > WHERE_TO_BUY_MAX)
            ocl_problem_add(problems, path, "at most %d links", WHERE_TO_BUY_MAX);
    } else if (why) {
        ocl_problem_add(problems, path, "'%.80s' %s", text, why);
    } else if (field && strcmp(field, ".href") == 0 &&
               href_repeated(in->where_to_buy, index, text)) {
        ocl_problem_add(problems, path, "'%.80s' is given twice", text);
    } else if (field && strcmp(field, ".title") == 0 &&
               (!*text || strlen(text) > WHERE_TO_BUY_TITLE_MAX)) {
        ocl_problem_add(problems, path, "must be 1 to %d bytes", WHERE_TO_BUY_TITLE_MAX);
    }
    return 1;
}

static void store_product_field(void *ctx, const char *path, const json_t *v,
                                ocl_problems *problems)
{
    product_input *in = ctx;
    store_product *p = &in->product;
    const char *text = json_string_value(v);
    if (strcmp(path, "producer_id") == 0) {
        p->producer_id = (long)json_integer_value(v);
        if (p->producer_id < 1 || in->patch)
            ocl_problem_add(problems, path, in->patch ? "cannot change" : "must be positive");
    } else if (strcmp(path, "name") == 0) {
        if (!*text)
            ocl_problem_add(problems, path, "must not be empty");
        p->name = text;
    } else if (strcmp(path, "group") == 0) {
        if (ocl_group_parse(text) < 0)
            ocl_problem_add(problems, path,
                            "must be one of food, drink, herbal, handicraft, ornamental, tourism");
        p->group = text;
    } else if (strcmp(path, "gtin") == 0) {
        if (ocl_gtin_normalise(text, path, in->gtin, problems) == OCL_OK)
            p->gtin = in->gtin;
    } else if (where_to_buy_field(in, path, v, problems)) {
        return;
    } else {
        if (!p->details)
            p->details = json_object();
        json_object_set(p->details, path, (json_t *)v);
    }
}

/* Which producer a request acts for: a producer user its own, named or
 * not (naming another: -1, refused), anyone else the one named. */
static long acting_producer(const http_request *req, long named)
{
    if (req->user.role != ROLE_PRODUCER)
        return named;
    return named == 0 || named == req->user.producer_id ? req->user.producer_id : -1;
}

static int owns(const http_request *req, long owner)
{
    return req->user.role != ROLE_PRODUCER || req->user.producer_id == owner;
}

long api_owned(http_request *req, http_reply *reply, long id, int lot, const char *refusal)
{
    long owner = lot ? store_lot_owner(req->store, id) : store_product_owner(req->store, id);
    if (!owner)
        http_error(reply, 404, "not_found", "id", "no %s %ld", lot ? "lot" : "product", id);
    else if (!owns(req, owner))
        http_error(reply, 403, "forbidden", "", "a producer %s", refusal);
    return owner && owns(req, owner) ? owner : 0;
}

/* Creates or changes the product: its id (1 for a change), 0 for no such
 * product, or the codes of store_product_create(), -4 for a producer
 * acting for another. */
static long product_change(http_request *req, product_input *in, long id,
                           char error[STORE_ERROR_MAX])
{
    if (in->patch)
        return store_product_update(req->store, id, &in->product, error);
    in->product.producer_id = acting_producer(req, in->product.producer_id);
    if (in->product.producer_id < 0)
        return -4;
    return store_producer_exists(req->store, in->product.producer_id) == 1
               ? store_product_create(req->store, &in->product, error)
               : -3;
}

/* where_to_buy as the product's gs1:purchaseSuggestion links, replacing
 * those it had: 0, or as store_links_replace(). */
static int where_to_buy_write(store *s, long product_id, const json_t *list,
                              char error[STORE_ERROR_MAX])
{
    store_link links[WHERE_TO_BUY_MAX];
    size_t count = json_array_size(list), i;
    json_t *item;
    json_array_foreach((json_t *)list, i, item)
    {
        if (i == WHERE_TO_BUY_MAX)
            break;
        links[i] =
            (store_link){"gs1:purchaseSuggestion", json_string_value(json_object_get(item, "href")),
                         json_string_value(json_object_get(item, "title")), "vi"};
    }
    return store_links_replace(s, product_id, "gs1:purchaseSuggestion", links,
                               count < WHERE_TO_BUY_MAX ? count : WHERE_TO_BUY_MAX, error);
}

static void product_refused(http_reply *reply, long id, long rc, int links, const char *gtin,
                            const char *error)
{
    if (rc == -4)
        http_error(reply, 403, "forbidden", "producer_id",
                   "a producer registers products for itself only");
    else if (rc == -3)
        http_error(reply, 422, "invalid", "producer_id", "no such producer");
    else if (rc == -2)
        http_error(reply, 409, "conflict", "gtin", "another product has GTIN %s", gtin);
    else if (rc == 0)
        http_error(reply, 404, "not_found", "id", "no product %ld", id);
    else if (links == -3)
        http_error(reply, 422, "invalid", "where_to_buy",
                   "with its other links the product would have more than %d, the most kept",
                   LINKS_PER_PRODUCT);
    else
        http_error(reply, 500, "store", "", "%s", error);
}

/* The product and its where_to_buy links change together or not at all. */
static void write_product(http_request *req, http_reply *reply, long id, int patch)
{
    product_input in = {.patch = patch};
    json_t *body;
    char error[STORE_ERROR_MAX] = "cannot start the change";
    if (http_read_change(req, reply, product_rules, store_product_field, &in, &body, patch) == 0) {
        long rc = store_begin(req->store) == 0 ? product_change(req, &in, id, error) : -1;
        long product = patch ? id : rc;
        int links = rc > 0 && in.where_to_buy
                        ? where_to_buy_write(req->store, product, in.where_to_buy, error)
                        : 0;
        if (rc > 0 && links == 0 && store_commit(req->store) == 0) {
            reply->status = patch ? 200 : 201;
            reply->json = store_product_get(req->store, product);
        } else {
            store_rollback(req->store);
            product_refused(reply, id, rc, links, in.gtin, error);
        }
    }
    json_decref(in.product.details);
    json_decref(body);
}

void api_products_create(http_request *req, http_reply *reply, long id)
{
    (void)id;
    write_product(req, reply, 0, 0);
}

void api_products_update(http_request *req, http_reply *reply, long id)
{
    if (api_owned(req, reply, id, 0, "changes only its own products"))
        write_product(req, reply, id, 1);
}

void api_products_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    reply->status = 200;
    json_t *list = store_product_list(req->store, acting_producer(req, 0)), *product;
    size_t i;
    json_array_foreach(list, i, product)
    {
        json_t *c = json_object_get(product, "certificate");
        if (json_is_object(c))
            certificate_with_status(c);
    }
    reply->json = json_pack("{s:o}", "products", list);
}

void api_products_get(http_request *req, http_reply *reply, long id)
{
    if (api_owned(req, reply, id, 0, "reads only its own products")) {
        reply->status = 200;
        reply->json = store_product_get(req->store, id);
    }
}

/* ---------- lots ---------- */

static const jr_rule lot_rules[] = {
    {"code", JR_TEXT, 1, NULL, 0},
    {"produced", JR_TEXT, 0, NULL, 0},
    {"expires", JR_TEXT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};

typedef struct {
    const char *code, *produced, *expires;
    ocl_date produced_date, expires_date;
} lot_input;

static void store_lot_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    lot_input *in = ctx;
    const char *text = json_string_value(v);
    if (strcmp(path, "code") == 0) {
        if (ocl_ai_value_check(text, path, problems) == OCL_OK)
            in->code = text;
    } else if (strcmp(path, "produced") == 0) {
        if (jr_date(v, path, 0, &in->produced_date, problems) == 0)
            in->produced = text;
    } else if (strcmp(path, "expires") == 0) {
        if (jr_date(v, path, 1, &in->expires_date, problems) == 0)
            in->expires = text;
    }
}

void api_lots_create(http_request *req, http_reply *reply, long id)
{
    if (!api_owned(req, reply, id, 0, "adds lots to its own products only"))
        return;
    lot_input in = {0};
    json_t *body;
    char error[STORE_ERROR_MAX];
    if (http_read_body(req, reply, lot_rules, store_lot_field, &in, &body) == 0) {
        if (in.produced && in.expires &&
            ocl_date_key(&in.expires_date) <= ocl_date_key(&in.produced_date)) {
            http_error(reply, 422, "invalid", "expires", "must be after produced (NSX before HSD)");
        } else {
            long lot = store_lot_create(req->store, id, in.code, in.produced, in.expires, error);
            if (lot == -2)
                http_error(reply, 409, "conflict", "code", "the product has a lot '%s'", in.code);
            else if (lot < 0)
                http_error(reply, 500, "store", "", "%s", error);
            else {
                reply->status = 201;
                reply->json = store_lot_get(req->store, lot);
            }
        }
    }
    json_decref(body);
}

void api_products_lots(http_request *req, http_reply *reply, long id)
{
    if (api_owned(req, reply, id, 0, "reads only its own lots")) {
        reply->status = 200;
        reply->json = json_pack("{s:o}", "lots", store_lot_list(req->store, id));
    }
}

void api_lots_get(http_request *req, http_reply *reply, long id)
{
    if (api_owned(req, reply, id, 1, "reads only its own lots")) {
        reply->status = 200;
        reply->json = store_lot_get(req->store, id);
    }
}

/* ---------- serials ---------- */

static const jr_rule serial_rules[] = {
    {"count", JR_INT, 1, NULL, 0}, {"sheet", JR_TEXT, 0, NULL, 0}, {NULL, 0, 0, NULL, 0}};

typedef struct {
    long count;
    const char *sheet; /* the labels in the answer, on this sheet; NULL: JSON */
} serial_request;

static void store_serial_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    serial_request *in = ctx;
    if (strcmp(path, "sheet") == 0) {
        in->sheet = json_string_value(v);
        return;
    }
    in->count = (long)json_integer_value(v);
    if (in->count < 1 || in->count > SERIALS_PER_REQUEST)
        ocl_problem_add(problems, path, "must be 1 to %d", SERIALS_PER_REQUEST);
}

/* The label job the URIs are built from: GTIN, lot and expiry. */
static int lot_job(http_request *req, long lot_id, ocl_label_job *job, json_t **lot,
                   json_t **product, char gtin[OCL_GTIN14_LEN + 1])
{
    *lot = store_lot_get(req->store, lot_id);
    *product = *lot ? store_product_get(
                          req->store, (long)json_integer_value(json_object_get(*lot, "product_id")))
                    : NULL;
    if (!*product)
        return -1;
    memset(job, 0, sizeof(*job));
    job->lot = json_string_value(json_object_get(*lot, "code"));
    const char *g = json_string_value(json_object_get(*product, "gtin"));
    if (g) {
        snprintf(gtin, OCL_GTIN14_LEN + 1, "%s", g);
        job->gtin = gtin;
    }
    const char *expires = json_string_value(json_object_get(*lot, "expires"));
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    job->has_expires =
        expires && ocl_date_parse_iso(expires, "expires", 1, &job->expires, &ignored) == OCL_OK;
    return 0;
}

/* Draws `count` new serials and the URIs their codes will hold. */
static int draw_serials(const http_request *req, const ocl_label_job *job,
                        char (*serials)[OCL_SERIAL_LEN + 1], char (*uris)[OCL_URI_MAX + 1],
                        long count)
{
    for (long i = 0; i < count; i++)
        if (ocl_serial_generate(serials[i]) != OCL_OK ||
            ocl_label_uri(job, req->config->base_url, serials[i], uris[i], OCL_URI_MAX + 1) !=
                OCL_OK)
            return -1;
    return 0;
}

/* The EPCIS document that tells the traceability system these units were
 * commissioned, with the certificate in force today if there is one. */
static char *commissioning_event(const http_request *req, const json_t *lot, const json_t *product,
                                 const char *const *uris, long count)
{
    char today[11], number[64], url[OCL_BASE_URL_MAX + 80];
    clock_day(0, today);
    long product_id = (long)json_integer_value(json_object_get(product, "id"));
    int certified =
        store_product_certificate(req->store, product_id, today, number, sizeof(number));
    if (certified)
        snprintf(url, sizeof(url), "%s/c/%s", req->config->base_url, number);
    epcis_commissioning c = {
        .uris = uris,
        .count = (size_t)count,
        .lot = json_string_value(json_object_get(lot, "code")),
        .produced = json_string_value(json_object_get(lot, "produced")),
        .expires = json_string_value(json_object_get(lot, "expires")),
        .certificate_url = certified ? url : NULL,
        .base_url = req->config->base_url,
        .when = time(NULL),
    };
    return epcis_commissioning_document(&c);
}

/* The new units of one request: serials, their URIs and, for a product
 * with scratch_pin, their PINs (digits, and as printed). */
typedef struct {
    long count;
    int pinned;
    char (*serials)[OCL_SERIAL_LEN + 1];
    char (*uris)[OCL_URI_MAX + 1];
    char (*pins)[PIN_DIGITS + 1];
    char (*printed)[PIN_TEXT_MAX + 1];
    const char **list, **uri_list, **pin_list, **printed_list;
} new_units;

static int units_alloc(new_units *u, long count, int pinned)
{
    size_t n = (size_t)count;
    memset(u, 0, sizeof(*u));
    u->count = count;
    u->pinned = pinned;
    u->serials = calloc(n, sizeof(*u->serials));
    u->uris = calloc(n, sizeof(*u->uris));
    u->pins = calloc(n, sizeof(*u->pins));
    u->printed = calloc(n, sizeof(*u->printed));
    u->list = calloc(n, sizeof(*u->list));
    u->uri_list = calloc(n, sizeof(*u->uri_list));
    u->pin_list = calloc(n, sizeof(*u->pin_list));
    u->printed_list = calloc(n, sizeof(*u->printed_list));
    if (!u->serials || !u->uris || !u->pins || !u->printed || !u->list || !u->uri_list ||
        !u->pin_list || !u->printed_list)
        return -1;
    for (size_t i = 0; i < n; i++) {
        u->list[i] = u->serials[i];
        u->uri_list[i] = u->uris[i];
        u->pin_list[i] = u->pins[i];
        u->printed_list[i] = u->printed[i];
    }
    return 0;
}

/* Frees the units, wiping the PINs: nothing keeps them but the answer. */
static void units_free(new_units *u)
{
    if (u->pins)
        sodium_memzero(u->pins, (size_t)u->count * sizeof(*u->pins));
    if (u->printed)
        sodium_memzero(u->printed, (size_t)u->count * sizeof(*u->printed));
    free(u->serials);
    free(u->uris);
    free(u->pins);
    free(u->printed);
    free(u->list);
    free(u->uri_list);
    free(u->pin_list);
    free(u->printed_list);
}

static int draw_pins(new_units *u)
{
    for (long i = 0; u->pinned && i < u->count; i++) {
        if (pin_draw(u->pins[i]) != 0)
            return -1;
        pin_print_form(u->pins[i], u->printed[i]);
    }
    return 0;
}

/* Draws the units and, when asked, their labels into `pdf` (a refusal of
 * the labels fills the reply), then stores them: 0, -1, -2 (a repeat of a
 * serial: draw again) or -3 (the reply is filled). */
static int issue_once(http_request *req, http_reply *reply, long id, const ocl_label_job *job,
                      const json_t *lot, const json_t *product, const ocl_sheet *sheet,
                      new_units *u, ocl_buffer *pdf)
{
    char error[STORE_ERROR_MAX];
    if (draw_serials(req, job, u->serials, u->uris, u->count) != 0 || draw_pins(u) != 0)
        return -1;
    ocl_buffer_free(pdf);
    if (sheet && api_labels_draw(req, reply, id, sheet, u->list, u->pinned ? u->printed_list : NULL,
                                 (size_t)u->count, pdf) != 0)
        return -3;
    char *commissioning = commissioning_event(req, lot, product, u->uri_list, u->count);
    int rc = !commissioning ? -1
             : u->pinned    ? store_serials_add_pinned(req->store, id, u->list, u->pin_list,
                                                       (size_t)u->count, commissioning, error)
                            : store_serials_add(req->store, id, u->list, (size_t)u->count,
                                                commissioning, error);
    free(commissioning);
    return rc;
}

static void serials_answer(http_reply *reply, long id, const new_units *u)
{
    json_t *items = json_array();
    for (long i = 0; i < u->count; i++) {
        json_t *item = json_pack("{s:s, s:s}", "serial", u->serials[i], "uri", u->uris[i]);
        if (u->pinned)
            json_object_set_new(item, "pin", json_string(u->pins[i]));
        json_array_append_new(items, item);
    }
    reply->status = 201;
    reply->json = json_pack("{s:I, s:o}", "lot_id", (json_int_t)id, "serials", items);
}

/* New serials for a lot: JSON, or with "sheet" their labels as a PDF.
 * For a product with scratch_pin, each serial's PIN is in the answer (and
 * on the labels) and nowhere else. */
void api_serials_create(http_request *req, http_reply *reply, long id)
{
    if (!api_owned(req, reply, id, 1, "allocates serials for its own lots") ||
        !api_lot_not_recalled(req, reply, id))
        return;
    serial_request in = {0};
    json_t *body, *lot = NULL, *product = NULL;
    ocl_sheet sheet;
    if (http_read_body(req, reply, serial_rules, store_serial_field, &in, &body) != 0 ||
        (in.sheet && api_sheet_load(in.sheet, reply, &sheet) != 0)) {
        json_decref(body);
        return;
    }
    ocl_label_job job;
    char gtin[OCL_GTIN14_LEN + 1];
    new_units units = {0};
    ocl_buffer pdf = {0};
    int rc = lot_job(req, id, &job, &lot, &product, gtin);
    if (rc == 0)
        rc = units_alloc(&units, in.count, json_is_true(json_object_get(product, "scratch_pin")));
    /* A repeat of a serial already in the lot (1 in 2^45) is drawn again. */
    for (int attempt = 0; rc == 0 && attempt < 3; attempt++) {
        rc = issue_once(req, reply, id, &job, lot, product, in.sheet ? &sheet : NULL, &units, &pdf);
        if (rc != -2)
            break;
    }
    if (rc == 0 && in.sheet) {
        reply->status = 201;
        reply->data = pdf.data;
        reply->data_len = pdf.len;
        reply->content_type = "application/pdf";
        pdf.data = NULL;
    } else if (rc == 0) {
        serials_answer(reply, id, &units);
    } else if (rc != -3) {
        http_error(reply, 500, "store", "", "cannot allocate serials");
    }
    ocl_buffer_free(&pdf);
    units_free(&units);
    json_decref(body);
    json_decref(lot);
    json_decref(product);
}

int api_products_check_body(const char *body, size_t len, int patch)
{
    http_request req = {.body = body, .body_len = len};
    http_reply reply = {0};
    product_input in = {.patch = patch};
    json_t *parsed = NULL;
    int rc =
        http_read_change(&req, &reply, product_rules, store_product_field, &in, &parsed, patch);
    int status = rc == 0 ? 0 : reply.status;
    json_decref(in.product.details);
    json_decref(parsed);
    json_decref(reply.json);
    return status;
}

/* ---------- CSV import ---------- */

#define IMPORT_ROWS_MAX   10000
#define IMPORT_FIELDS_MAX 16
#define IMPORT_ERRORS_MAX 100

/* Reads one CSV field (RFC 4180 quotes) into out; returns the position
 * after it and sets *end_of_row. NULL on a malformed quote. */
static const char *csv_field(const char *p, const char *end, ocl_buffer *out, int *end_of_row)
{
    out->len = 0;
    if (p < end && *p == '"') {
        for (p++;; p++) {
            if (p >= end)
                return NULL;
            if (*p == '"') {
                if (p + 1 < end && p[1] == '"') {
                    ocl_buffer_append(out, p++, 1);
                    continue;
                }
                p++;
                break;
            }
            ocl_buffer_append(out, p, 1);
        }
    } else {
        while (p < end && *p != ',' && *p != '\n' && *p != '\r')
            ocl_buffer_append(out, p++, 1);
    }
    ocl_buffer_append(out, "", 1);
    out->len--;
    if (p < end && *p == ',') {
        *end_of_row = 0;
        return p + 1;
    }
    if (p < end && *p != '\n' && *p != '\r')
        return NULL;
    *end_of_row = 1;
    if (p < end && *p == '\r')
        p++;
    if (p < end && *p == '\n')
        p++;
    return p;
}

/* A cell as JSON: producer_id as an integer when it is one and
 * scratch_pin as a boolean when it is true or false (else as text, for the
 * rules to refuse), the rest as text. NULL if it is not UTF-8. */
static json_t *csv_value(const char *key, const char *text)
{
    char *rest = NULL;
    long long n = strtoll(text, &rest, 10);
    if (strcmp(key, "producer_id") == 0 && rest != text && !*rest)
        return json_integer(n);
    if (strcmp(key, "scratch_pin") == 0 && (!strcmp(text, "true") || !strcmp(text, "false")))
        return json_boolean(strcmp(text, "true") == 0);
    return json_string(text);
}

/* Parses the whole body into rows of JSON objects keyed by the header.
 * NULL with the error (and the column's name in `field`, if any). */
static json_t *csv_rows(const char *body, size_t len, char *error, size_t error_size, char *field,
                        size_t field_size)
{
    const char *p = body, *end = body + len;
    json_t *header = json_array(), *rows = json_array();
    ocl_buffer cell = {0};
    long line = 0;
    while (p && p < end) {
        json_t *row = json_object();
        int column = 0, end_of_row = 0, not_utf8 = 0;
        line++;
        while (p && !end_of_row) {
            p = csv_field(p, end, &cell, &end_of_row);
            if (!p)
                break;
            const char *key =
                line == 1 ? "" : json_string_value(json_array_get(header, (size_t)column));
            json_t *value = csv_value(key ? key : "", (char *)cell.data);
            if (!value) {
                not_utf8 = 1;
                snprintf(field, field_size, "%s", key ? key : "");
                snprintf(error, error_size, "line %ld, column %d: the text is not UTF-8", line,
                         column + 1);
                break;
            }
            if (line == 1)
                json_array_append_new(header, value);
            else if (cell.len && key)
                json_object_set_new(row, key, value);
            else
                json_decref(value);
            column++;
        }
        if (!p || not_utf8) {
            if (!p)
                snprintf(error, error_size, "line %ld: malformed CSV (a quote is not closed)",
                         line);
            json_decref(row);
            json_decref(rows);
            rows = NULL;
            break;
        }
        if (line > 1 && json_object_size(row))
            json_array_append(rows, row);
        json_decref(row);
        if (json_array_size(rows) > IMPORT_ROWS_MAX) {
            snprintf(error, error_size, "more than %d rows", IMPORT_ROWS_MAX);
            json_decref(rows);
            rows = NULL;
            break;
        }
    }
    ocl_buffer_free(&cell);
    json_decref(header);
    return rows;
}

void api_products_import(http_request *req, http_reply *reply, long id)
{
    (void)id;
    char error[STORE_ERROR_MAX], field[OCL_FIELD_MAX] = "";
    json_t *rows = req->body_len ? csv_rows(req->body, req->body_len, error, sizeof(error), field,
                                            sizeof(field))
                                 : NULL;
    if (!rows) {
        http_error(reply, 400, "malformed_csv", field, "%s",
                   req->body_len ? error : "the body is empty: a header row and products");
        return;
    }
    size_t count = json_array_size(rows);
    product_input *inputs = calloc(count ? count : 1, sizeof(*inputs));
    json_t *errors = json_array();
    for (size_t i = 0; inputs && i < count; i++) {
        ocl_problems problems;
        ocl_problems_init(&problems);
        jr_read(json_array_get(rows, i), "", product_rules, store_product_field, &inputs[i],
                &problems);
        inputs[i].product.producer_id = acting_producer(req, inputs[i].product.producer_id);
        if (!problems.count && inputs[i].product.producer_id < 0)
            ocl_problem_add(&problems, "producer_id",
                            "a producer imports products for itself only");
        else if (!problems.count &&
                 store_producer_exists(req->store, inputs[i].product.producer_id) != 1)
            ocl_problem_add(&problems, "producer_id", "no such producer");
        for (size_t k = 0; k < problems.count && json_array_size(errors) < IMPORT_ERRORS_MAX; k++)
            json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)(i + 2),
                                                    "field", problems.item[k].field, "message",
                                                    problems.item[k].rule));
    }
    if (!inputs) {
        http_error(reply, 500, "store", "", "out of memory");
    } else if (json_array_size(errors)) {
        http_error(reply, 422, "invalid", "", "%zu problems; nothing was imported",
                   json_array_size(errors));
        json_object_set(json_object_get(reply->json, "error"), "rows", errors);
    } else if (store_begin(req->store) != 0) {
        http_error(reply, 500, "store", "", "cannot start the import");
    } else {
        json_t *created = json_array();
        long rc = 0;
        size_t i = 0;
        for (; i < count && rc >= 0; i++) {
            rc = store_product_create(req->store, &inputs[i].product, error);
            if (rc > 0)
                json_array_append_new(created, json_integer(rc));
        }
        if (rc < 0 || store_commit(req->store) != 0) {
            store_rollback(req->store);
            if (rc == -2)
                http_error(reply, 409, "conflict", "gtin",
                           "row %zu: another product has GTIN %s; nothing was imported", i + 1,
                           inputs[i - 1].gtin);
            else
                http_error(reply, 500, "store", "", "%s", error);
            json_decref(created);
        } else {
            reply->status = 201;
            reply->json = json_pack("{s:I, s:o}", "imported", (json_int_t)count, "ids", created);
        }
    }
    for (size_t i = 0; inputs && i < count; i++)
        json_decref(inputs[i].product.details);
    free(inputs);
    json_decref(errors);
    json_decref(rows);
}
