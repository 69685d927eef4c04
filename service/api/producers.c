/*
 * /api/v1/producers: officers and admins register producers and read them
 * all; a producer user reads and changes its own record only.
 */
#include "api.h"
#include "jsonread.h"

#include <string.h>

static const jr_rule producer_rules[] = {
    {"name", JR_TEXT, 1, NULL, 0},     {"address", JR_TEXT, 1, NULL, 0},
    {"kind", JR_TEXT, 1, NULL, 0},     {"phone", JR_TEXT, 0, NULL, 0},
    {"locality", JR_TEXT, 0, NULL, 0}, {NULL, 0, 0, NULL, 0},
};
static void store_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    store_producer *p = ctx;
    const char *text = json_string_value(v);
    if (strcmp(path, "name") == 0) {
        if (!*text)
            ocl_problem_add(problems, path, "must not be empty");
        p->name = text;
    } else if (strcmp(path, "address") == 0) {
        p->address = text;
    } else if (strcmp(path, "kind") == 0) {
        if (ocl_producer_kind_parse(text) < 0)
            ocl_problem_add(problems, path, "must be one of cooperative, sme, household, other");
        p->kind = text;
    } else if (strcmp(path, "phone") == 0) {
        p->phone = text;
    } else if (strcmp(path, "locality") == 0) {
        p->locality = text;
    }
}

static int read_producer(const http_request *req, http_reply *reply, int patch, json_t **body,
                         store_producer *p)
{
    memset(p, 0, sizeof(*p));
    return http_read_change(req, reply, producer_rules, store_field, p, body, patch);
}

/* A producer user sees only its own record. */
static int allowed(const http_request *req, long id)
{
    return req->user.role != ROLE_PRODUCER || req->user.producer_id == id;
}

void api_producers_create(http_request *req, http_reply *reply, long id)
{
    (void)id;
    json_t *body;
    store_producer p;
    char error[STORE_ERROR_MAX];
    if (read_producer(req, reply, 0, &body, &p) == 0) {
        long created = store_producer_create(req->store, &p, error);
        if (created < 0) {
            http_error(reply, 500, "store", "", "%s", error);
        } else {
            reply->status = 201;
            reply->json = store_producer_get(req->store, created);
        }
    }
    json_decref(body);
}

void api_producers_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    reply->status = 200;
    reply->json =
        json_pack("{s:o}", "producers",
                  store_producer_list(req->store,
                                      req->user.role == ROLE_PRODUCER ? req->user.producer_id : 0));
}

void api_producers_get(http_request *req, http_reply *reply, long id)
{
    if (!allowed(req, id)) {
        http_error(reply, 403, "forbidden", "", "a producer reads only its own record");
        return;
    }
    json_t *producer = store_producer_get(req->store, id);
    if (!producer) {
        http_error(reply, 404, "not_found", "id", "no producer %ld", id);
        return;
    }
    reply->status = 200;
    reply->json = producer;
}

void api_producers_update(http_request *req, http_reply *reply, long id)
{
    if (!allowed(req, id)) {
        http_error(reply, 403, "forbidden", "", "a producer changes only its own record");
        return;
    }
    json_t *body;
    store_producer p;
    char error[STORE_ERROR_MAX];
    if (read_producer(req, reply, 1, &body, &p) == 0) {
        int rc = store_producer_update(req->store, id, &p, error);
        if (rc < 0) {
            http_error(reply, 500, "store", "", "%s", error);
        } else if (rc == 0) {
            http_error(reply, 404, "not_found", "id", "no producer %ld", id);
        } else {
            reply->status = 200;
            reply->json = store_producer_get(req->store, id);
        }
    }
    json_decref(body);
}
