/*
 * The chain over HTTP: areas, input lots, what a lot was made from, its
 * journal, shipments, the trace both ways, and recalls. Bodies are read
 * strictly (jsonread.c); the rules that need the database are checked by
 * the store inside each change's transaction (store/trace.c).
 */
#include "clock.h"
#include "api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---------- who may act ---------- */

/* Which producer a new record belongs to: a producer user's own, anyone
 * else's named "producer_id"; 0 after a 403 or 422. */
static long acting_producer(http_request *req, http_reply *reply, const json_t *body)
{
    long named = (long)json_integer_value(json_object_get(body, "producer_id"));
    if (req->user.role == ROLE_PRODUCER) {
        if (named && named != req->user.producer_id) {
            http_error(reply, 403, "forbidden", "producer_id",
                       "a producer records its own areas, inputs and shipments only");
            return 0;
        }
        return req->user.producer_id;
    }
    if (!named || !store_producer_exists(req->store, named)) {
        http_error(reply, 422, "invalid", "producer_id",
                   named ? "no producer %ld" : "is required: the producer it belongs to", named);
        return 0;
    }
    return named;
}

/* Whether the request may read or change a record of `owner` (0: none
 * such); else a 404 or 403 is filled. */
static int allowed(http_request *req, http_reply *reply, long owner, const char *what, long id)
{
    if (!owner) {
        http_error(reply, 404, "not_found", "id", "no %s %ld", what, id);
        return 0;
    }
    if (req->user.role == ROLE_PRODUCER && req->user.producer_id != owner) {
        http_error(reply, 403, "forbidden", "", "a producer works on its own %ss only", what);
        return 0;
    }
    return 1;
}

/* The producer whose records a list shows: a producer user's own, else
 * all (0). */
static long listed_producer(const http_request *req)
{
    return req->user.role == ROLE_PRODUCER ? req->user.producer_id : 0;
}

static void answer(http_reply *reply, int status, json_t *record)
{
    if (!record) {
        http_error(reply, 500, "store", "", "cannot read the record");
        return;
    }
    reply->status = status;
    reply->json = record;
}

static void answer_list(http_reply *reply, const char *key, json_t *list)
{
    answer(reply, 200, list ? json_pack("{s:o}", key, list) : NULL);
}

/* The answer to a change: the record `saved` read back with `get` (201,
 * or 200 for a change of `changed`), or the store's refusal. */
static void saved_answer(http_request *req, http_reply *reply, long saved, const store_problem *p,
                         json_t *(*get)(store *, long), int changed)
{
    if (saved < 0)
        http_problem(reply, p);
    else
        answer(reply, changed ? 200 : 201, get(req->store, saved));
}

/* ---------- checks of single values ---------- */

/* Today in Vietnam, YYYY-MM-DD: what "not in the future" means here. */
static void today(char out[11])
{
    char now[CLOCK_ISO_MAX];
    clock_iso_vietnam(time(NULL), now);
    memcpy(out, now, 10);
    out[10] = '\0';
}

static void check_length(const char *path, const json_t *v, size_t max, ocl_problems *problems)
{
    size_t len = strlen(json_string_value(v));
    if (len < 1 || len > max)
        ocl_problem_add(problems, path, "must be 1 to %zu characters, found %zu", max, len);
}

static void check_positive(const char *path, const json_t *v, ocl_problems *problems)
{
    if (json_number_value(v) <= 0)
        ocl_problem_add(problems, path, "must be more than 0");
}

/* A date, not after today. */
static void check_past_date(const char *path, const json_t *v, ocl_problems *problems)
{
    ocl_date date;
    char day[11];
    today(day);
    if (jr_date(v, path, 0, &date, problems) == 0 && strcmp(json_string_value(v), day) > 0)
        ocl_problem_add(problems, path, "is after today (%s): it cannot be in the future", day);
}

static int ends_with(const char *path, const char *key)
{
    size_t len = strlen(path), key_len = strlen(key);
    return len >= key_len && strcmp(path + len - key_len, key) == 0 &&
           (len == key_len || path[len - key_len - 1] == '.');
}

/* ---------- areas ---------- */

static const jr_rule area_rules[] = {
    {"producer_id", JR_INT, 0, NULL, 0},
    {"name", JR_TEXT, 1, NULL, 0},
    {"code", JR_TEXT, 1, NULL, 0},
    {"locality", JR_TEXT, 0, NULL, 0},
    {"crop", JR_TEXT, 0, NULL, 0},
    {"area_ha", JR_NUMBER, 0, NULL, 0},
    {"certifications", JR_TEXTS, 0, NULL, 0},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static void check_area_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    (void)ctx;
    if (strcmp(path, "code") == 0)
        check_length(path, v, 40, problems);
    else if (strcmp(path, "name") == 0)
        check_length(path, v, 200, problems);
    else if (strcmp(path, "area_ha") == 0)
        check_positive(path, v, problems);
}

static void area_write(http_request *req, http_reply *reply, long id, int patch)
{
    json_t *body;
    if (http_read_change(req, reply, area_rules, check_area_field, NULL, &body, patch) != 0)
        return;
    long producer = id ? store_area_owner(req->store, id) : acting_producer(req, reply, body);
    if (patch && json_object_get(body, "producer_id"))
        http_error(reply, 422, "invalid", "producer_id", "an area keeps its producer");
    else if (producer) {
        store_problem p;
        saved_answer(req, reply, store_area_save(req->store, id, producer, body, &p), &p,
                     store_area_get, id != 0);
    }
    json_decref(body);
}

void api_areas_create(http_request *req, http_reply *reply, long id)
{
    (void)id;
    area_write(req, reply, 0, 0);
}

void api_areas_update(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_area_owner(req->store, id), "area", id))
        area_write(req, reply, id, 1);
}

void api_areas_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    answer_list(reply, "areas", store_area_list(req->store, listed_producer(req)));
}

void api_areas_get(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_area_owner(req->store, id), "area", id))
        answer(reply, 200, store_area_get(req->store, id));
}

/* ---------- input lots ---------- */

static const jr_rule supplier_rules[] = {
    {"name", JR_TEXT, 1, NULL, 0},
    {"address", JR_TEXT, 0, NULL, 0},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static const jr_rule input_rules[] = {
    {"producer_id", JR_INT, 0, NULL, 0},
    {"code", JR_TEXT, 1, NULL, 0},
    {"material", JR_TEXT, 1, NULL, 0},
    {"quantity", JR_NUMBER, 1, NULL, 0},
    {"unit", JR_TEXT, 1, NULL, 0},
    {"harvested", JR_TEXT, 0, NULL, 0},
    {"received", JR_TEXT, 1, NULL, 0},
    {"area_id", JR_INT, 0, NULL, 0},
    {"supplier", JR_OBJECT, 0, supplier_rules, 0},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static void check_input_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    (void)ctx;
    if (strcmp(path, "code") == 0)
        check_length(path, v, 40, problems);
    else if (strcmp(path, "quantity") == 0)
        check_positive(path, v, problems);
    else if (strcmp(path, "harvested") == 0 || strcmp(path, "received") == 0)
        check_past_date(path, v, problems);
    else if (strcmp(path, "supplier.name") == 0)
        check_length(path, v, 200, problems);
}

/* The rules between fields: 0, or -1 with a 422. */
static int input_consistent(const json_t *body, http_reply *reply)
{
    const char *harvested = json_string_value(json_object_get(body, "harvested"));
    const char *received = json_string_value(json_object_get(body, "received"));
    int area = json_object_get(body, "area_id") != NULL;
    int supplier = json_object_get(body, "supplier") != NULL;
    if (area == supplier) {
        http_error(reply, 422, "invalid", area ? "supplier" : "area_id",
                   "give either area_id (grown in your own area) or supplier (bought in), "
                   "not %s",
                   area ? "both" : "neither");
        return -1;
    }
    if (harvested && strcmp(received, harvested) < 0) {
        http_error(reply, 422, "invalid", "received", "is before the harvest (%s)", harvested);
        return -1;
    }
    return 0;
}

void api_inputs_create(http_request *req, http_reply *reply, long id)
{
    (void)id;
    json_t *body;
    if (http_read_body(req, reply, input_rules, check_input_field, NULL, &body) != 0)
        return;
    long producer = input_consistent(body, reply) == 0 ? acting_producer(req, reply, body) : 0;
    if (producer) {
        store_problem p;
        saved_answer(req, reply, store_input_create(req->store, producer, body, &p), &p,
                     store_input_get, 0);
    }
    json_decref(body);
}

void api_inputs_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    answer_list(reply, "inputs", store_input_list(req->store, listed_producer(req)));
}

void api_inputs_get(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_input_owner(req->store, id), "input lot", id))
        answer(reply, 200, store_input_get(req->store, id));
}

void api_inputs_trace(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_input_owner(req->store, id), "input lot", id))
        answer(reply, 200, store_trace_input(req->store, id));
}

/* ---------- what a lot was made from ---------- */

static const jr_rule lot_input_rules[] = {
    {"input_id", JR_INT, 0, NULL, 0},
    {"lot_id", JR_INT, 0, NULL, 0},
    {"quantity", JR_NUMBER, 1, NULL, 0},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static void check_lot_input_field(void *ctx, const char *path, const json_t *v,
                                  ocl_problems *problems)
{
    (void)ctx;
    if (strcmp(path, "quantity") == 0)
        check_positive(path, v, problems);
}

void api_lot_inputs_create(http_request *req, http_reply *reply, long id)
{
    json_t *body;
    if (!allowed(req, reply, store_lot_owner(req->store, id), "lot", id) ||
        http_read_body(req, reply, lot_input_rules, check_lot_input_field, NULL, &body) != 0)
        return;
    long input = (long)json_integer_value(json_object_get(body, "input_id"));
    long source = (long)json_integer_value(json_object_get(body, "lot_id"));
    if ((input != 0) == (source != 0)) {
        http_error(reply, 422, "invalid", input ? "lot_id" : "input_id",
                   "give either input_id (an input lot) or lot_id (a product lot), not %s",
                   input ? "both" : "neither");
    } else {
        store_problem p;
        saved_answer(req, reply,
                     store_lot_input_add(req->store, id, input, source,
                                         json_number_value(json_object_get(body, "quantity")),
                                         req->config->base_url, &p),
                     &p, store_lot_input_get, 0);
    }
    json_decref(body);
}

void api_lot_inputs_list(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_lot_owner(req->store, id), "lot", id))
        answer_list(reply, "inputs", store_lot_inputs(req->store, id));
}

/* ---------- the production journal ---------- */

static const jr_rule event_rules[] = {
    {"step", JR_TEXT, 1, NULL, 0},  {"at", JR_TEXT, 1, NULL, 0},
    {"place", JR_TEXT, 0, NULL, 0}, {"note", JR_TEXT, 0, NULL, JR_LINES},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static void check_event_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    static const char *const steps[] = {"harvesting", "receiving", "processing", "packing",
                                        "inspecting", "storing",   "other"};
    char *at_utc = ctx;
    const char *text = json_string_value(v);
    if (strcmp(path, "step") == 0) {
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
            if (strcmp(text, steps[i]) == 0)
                return;
        ocl_problem_add(problems, path,
                        "must be harvesting, receiving, processing, packing, inspecting, storing "
                        "or other");
    } else if (strcmp(path, "at") == 0) {
        time_t t;
        if (clock_parse_offset(text, &t) != 0)
            ocl_problem_add(
                problems, path,
                "must be a date and time with its offset, as 2025-03-01T08:00:00+07:00");
        else if (t > time(NULL) + 60)
            ocl_problem_add(problems, path, "is in the future");
        else
            clock_iso_utc(t, at_utc);
    }
}

void api_lot_events_create(http_request *req, http_reply *reply, long id)
{
    json_t *body;
    char at_utc[CLOCK_ISO_MAX] = "";
    if (!allowed(req, reply, store_lot_owner(req->store, id), "lot", id) ||
        http_read_body(req, reply, event_rules, check_event_field, at_utc, &body) != 0)
        return;
    store_problem p;
    saved_answer(req, reply,
                 store_event_add(req->store, id, body, at_utc, req->config->base_url, &p), &p,
                 store_event_get, 0);
    json_decref(body);
}

void api_lot_events_list(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_lot_owner(req->store, id), "lot", id))
        answer_list(reply, "events", store_event_list(req->store, id));
}

/* ---------- shipments ---------- */

static const jr_rule destination_rules[] = {
    {"name", JR_TEXT, 1, NULL, 0},
    {"address", JR_TEXT, 0, NULL, 0},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static const jr_rule shipped_lot_rules[] = {
    {"lot_id", JR_INT, 1, NULL, 0},
    {"units", JR_INT, 0, NULL, 0},
    {"serials", JR_TEXTS, 0, NULL, 0},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static const jr_rule shipment_rules[] = {
    {"producer_id", JR_INT, 0, NULL, 0}, {"to", JR_OBJECT, 1, destination_rules, 0},
    {"shipped", JR_TEXT, 1, NULL, 0},    {"lots", JR_LIST, 1, shipped_lot_rules, 0},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static void check_shipment_field(void *ctx, const char *path, const json_t *v,
                                 ocl_problems *problems)
{
    (void)ctx;
    if (strcmp(path, "shipped") == 0)
        check_past_date(path, v, problems);
    else if (strcmp(path, "to.name") == 0)
        check_length(path, v, 200, problems);
    else if (strcmp(path, "lots") == 0 && json_array_size(v) == 0)
        ocl_problem_add(problems, path, "must name at least one lot");
    else if (ends_with(path, "units") && json_integer_value(v) < 1)
        ocl_problem_add(problems, path, "must be at least 1");
    else if (ends_with(path, "serials") && json_array_size(v) == 0)
        ocl_problem_add(problems, path, "must name at least one serial");
    else if (json_is_object(v) && json_object_get(v, "lot_id") &&
             (json_object_get(v, "units") != NULL) == (json_object_get(v, "serials") != NULL))
        ocl_problem_add(problems, path, "must give either units (a count) or serials, not %s",
                        json_object_get(v, "units") ? "both" : "neither");
}

void api_shipments_create(http_request *req, http_reply *reply, long id)
{
    (void)id;
    json_t *body;
    if (http_read_body(req, reply, shipment_rules, check_shipment_field, NULL, &body) != 0)
        return;
    long producer = acting_producer(req, reply, body);
    if (producer) {
        store_problem p;
        saved_answer(req, reply,
                     store_shipment_create(req->store, producer, body, req->config->base_url, &p),
                     &p, store_shipment_get, 0);
    }
    json_decref(body);
}

void api_shipments_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    answer_list(reply, "shipments", store_shipment_list(req->store, listed_producer(req)));
}

/* ---------- the trace ---------- */

void api_lots_trace(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_lot_owner(req->store, id), "lot", id))
        answer(reply, 200, store_trace_lot(req->store, id));
}

/* ---------- recalls ---------- */

static const jr_rule recall_rules[] = {
    {"reason", JR_TEXT, 1, NULL, JR_LINES},
    {"action", JR_TEXT, 1, NULL, JR_LINES},
    {NULL, JR_TEXT, 0, NULL, 0},
};

static void check_recall_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    (void)ctx;
    check_length(path, v, 500, problems);
}

static void recall(http_request *req, http_reply *reply, long lot_id, long input_id)
{
    json_t *body;
    if (http_read_body(req, reply, recall_rules, check_recall_field, NULL, &body) != 0)
        return;
    store_problem p;
    saved_answer(req, reply,
                 store_recall_create(req->store, lot_id, input_id,
                                     json_string_value(json_object_get(body, "reason")),
                                     json_string_value(json_object_get(body, "action")),
                                     req->user.id, req->config->base_url, &p),
                 &p, store_recall_get, 0);
    json_decref(body);
}

void api_lots_recall(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_lot_owner(req->store, id), "lot", id))
        recall(req, reply, id, 0);
}

void api_inputs_recall(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_input_owner(req->store, id), "input lot", id))
        recall(req, reply, 0, id);
}

void api_recalls_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    answer_list(reply, "recalls", store_recall_list(req->store, listed_producer(req)));
}

void api_recalls_get(http_request *req, http_reply *reply, long id)
{
    if (allowed(req, reply, store_recall_owner(req->store, id), "recall", id))
        answer(reply, 200, store_recall_get(req->store, id));
}

int api_lot_not_recalled(http_request *req, http_reply *reply, long lot_id)
{
    /* Only the recall itself: not every lot it reached, and their shipments. */
    json_t *r = store_lot_recall_brief(req->store, lot_id);
    if (!r)
        return 1;
    http_error(reply, 409, "recalled", "lot", "lot %ld is recalled (recall %lld): %s", lot_id,
               (long long)json_integer_value(json_object_get(r, "id")),
               json_string_value(json_object_get(r, "reason")));
    json_decref(r);
    return 0;
}
