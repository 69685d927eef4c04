/*
 * /api/v1/products, their lots and the lots' serials. Fields are those of
 * the label job file. A producer user works on its own products only;
 * officers and admins on all. Serials are drawn as the labels command draws
 * them and returned with the URIs their codes hold.
 */
#include "http.h"

#include <stdlib.h>
#include <string.h>

#define SERIALS_PER_REQUEST 10000

static const jr_rule product_rules[] = {
    {"producer_id", JR_INT, 0, NULL, 0},   {"name", JR_TEXT, 1, NULL, 0},
    {"group", JR_TEXT, 1, NULL, 0},        {"gtin", JR_TEXT, 0, NULL, 0},
    {"net_quantity", JR_TEXT, 0, NULL, 0}, {"ingredients", JR_TEXT, 0, NULL, 0},
    {"origin", JR_TEXT, 0, NULL, 0},       {"usage", JR_TEXT, 0, NULL, 0},
    {"storage", JR_TEXT, 0, NULL, 0},      {"warnings", JR_TEXT, 0, NULL, 0},
    {"standard", JR_TEXT, 0, NULL, 0},     {NULL, 0, 0, NULL, 0},
};

typedef struct {
    store_product product;
    char gtin[OCL_GTIN14_LEN + 1];
    int patch;
} product_input;

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
    } else {
        if (!p->details)
            p->details = json_object();
        json_object_set(p->details, path, (json_t *)v);
    }
}

/* Which producer a request may act for: its own for a producer user,
 * else the one named. */
static long acting_producer(const http_request *req, long named)
{
    return req->user.role == ROLE_PRODUCER ? req->user.producer_id : named;
}

static int owns(const http_request *req, long owner)
{
    return req->user.role != ROLE_PRODUCER || req->user.producer_id == owner;
}

static void write_product(http_request *req, http_reply *reply, long id, int patch)
{
    product_input in = {.patch = patch};
    json_t *body;
    char error[STORE_ERROR_MAX];
    if (http_read_change(req, reply, product_rules, store_product_field, &in, &body, patch) == 0) {
        long rc;
        if (patch) {
            rc = store_product_update(req->store, id, &in.product, error);
        } else {
            in.product.producer_id = acting_producer(req, in.product.producer_id);
            rc = store_producer_exists(req->store, in.product.producer_id) == 1
                     ? store_product_create(req->store, &in.product, error)
                     : -3;
        }
        if (rc == -3)
            http_error(reply, 422, "invalid", "producer_id", "no such producer");
        else if (rc == -2)
            http_error(reply, 409, "conflict", "gtin", "another product has GTIN %s", in.gtin);
        else if (rc < 0)
            http_error(reply, 500, "store", "", "%s", error);
        else if (patch && rc == 0)
            http_error(reply, 404, "not_found", "id", "no product %ld", id);
        else {
            reply->status = patch ? 200 : 201;
            reply->json = store_product_get(req->store, patch ? id : rc);
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
    long owner = store_product_owner(req->store, id);
    if (!owner)
        http_error(reply, 404, "not_found", "id", "no product %ld", id);
    else if (!owns(req, owner))
        http_error(reply, 403, "forbidden", "", "a producer changes only its own products");
    else
        write_product(req, reply, id, 1);
}

void api_products_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    reply->status = 200;
    reply->json =
        json_pack("{s:o}", "products", store_product_list(req->store, acting_producer(req, 0)));
}

void api_products_get(http_request *req, http_reply *reply, long id)
{
    long owner = store_product_owner(req->store, id);
    if (!owner) {
        http_error(reply, 404, "not_found", "id", "no product %ld", id);
    } else if (!owns(req, owner)) {
        http_error(reply, 403, "forbidden", "", "a producer reads only its own products");
    } else {
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
    long owner = store_product_owner(req->store, id);
    if (!owner) {
        http_error(reply, 404, "not_found", "id", "no product %ld", id);
        return;
    }
    if (!owns(req, owner)) {
        http_error(reply, 403, "forbidden", "", "a producer adds lots to its own products only");
        return;
    }
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

void api_lots_get(http_request *req, http_reply *reply, long id)
{
    long owner = store_lot_owner(req->store, id);
    if (!owner) {
        http_error(reply, 404, "not_found", "id", "no lot %ld", id);
    } else if (!owns(req, owner)) {
        http_error(reply, 403, "forbidden", "", "a producer reads only its own lots");
    } else {
        reply->status = 200;
        reply->json = store_lot_get(req->store, id);
    }
}

/* ---------- serials ---------- */

static const jr_rule serial_rules[] = {{"count", JR_INT, 1, NULL, 0}, {NULL, 0, 0, NULL, 0}};

static void store_count(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    long *count = ctx;
    *count = (long)json_integer_value(v);
    if (*count < 1 || *count > SERIALS_PER_REQUEST)
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

void api_serials_create(http_request *req, http_reply *reply, long id)
{
    long owner = store_lot_owner(req->store, id);
    if (!owner) {
        http_error(reply, 404, "not_found", "id", "no lot %ld", id);
        return;
    }
    if (!owns(req, owner)) {
        http_error(reply, 403, "forbidden", "", "a producer allocates serials for its own lots");
        return;
    }
    long count = 0;
    json_t *body, *lot = NULL, *product = NULL;
    if (http_read_body(req, reply, serial_rules, store_count, &count, &body) != 0) {
        json_decref(body);
        return;
    }
    json_decref(body);
    ocl_label_job job;
    char gtin[OCL_GTIN14_LEN + 1], error[STORE_ERROR_MAX], uri[OCL_URI_MAX + 1];
    char(*serials)[OCL_SERIAL_LEN + 1] = calloc((size_t)count, OCL_SERIAL_LEN + 1);
    const char **list = calloc((size_t)count, sizeof(*list));
    int rc = serials && list ? lot_job(req, id, &job, &lot, &product, gtin) : -1;
    for (long i = 0; rc == 0 && i < count; i++) {
        rc = ocl_serial_generate(serials[i]) == OCL_OK ? 0 : -1;
        list[i] = serials[i];
    }
    /* A repeat of a serial already in the lot (1 in 2^45) is drawn again. */
    for (int attempt = 0; rc == 0 && attempt < 3; attempt++) {
        rc = store_serials_add(req->store, id, list, (size_t)count, error);
        if (rc == -2)
            for (long i = 0; i < count; i++)
                ocl_serial_generate(serials[i]);
        else
            break;
    }
    if (rc != 0) {
        http_error(reply, 500, "store", "", "cannot allocate serials");
    } else {
        json_t *items = json_array();
        for (long i = 0; i < count; i++) {
            if (ocl_label_uri(&job, req->config->base_url, serials[i], uri, sizeof(uri)) != OCL_OK)
                uri[0] = '\0';
            json_array_append_new(items, json_pack("{s:s, s:s}", "serial", serials[i], "uri", uri));
        }
        reply->status = 201;
        reply->json = json_pack("{s:I, s:o}", "lot_id", (json_int_t)id, "serials", items);
    }
    json_decref(lot);
    json_decref(product);
    free(list);
    free(serials);
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
