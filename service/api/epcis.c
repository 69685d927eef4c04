/*
 * The EPCIS 2.0 query interface (REST binding, GET /epcis/events), so
 * that the provincial or national system can pull events rather than wait
 * for them: the events this installation made, filtered by type, bizStep,
 * EPC and time, a page at a time with a next-page token, answered as an
 * EPCISQueryDocument with the GS1-EPCIS-Version header.
 */
#include "clock.h"
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EPCIS_CONTEXT "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define EPCIS_VERSION "2.0.0"
#define PER_PAGE      30
#define PER_PAGE_MAX  1000

static const char *const query_names[] = {"eventType",    "EQ_bizStep",    "MATCH_epc",
                                          "MATCH_anyEPC", "GE_eventTime",  "LT_eventTime",
                                          "perPage",      "nextPageToken", NULL};

/* The answer: the events in an EPCISQueryDocument. */
static void query_document(http_request *req, http_reply *reply, json_t *events)
{
    char now[CLOCK_ISO_MAX], ns[OCL_BASE_URL_MAX + 16];
    clock_iso_vietnam(time(NULL), now);
    snprintf(ns, sizeof(ns), "%s/ns/ocop#", req->config->base_url);
    json_t *doc = json_pack(
        "{s:[s, {s:s}], s:s, s:s, s:s, s:{s:{s:s, s:{s:o}}}}", "@context", EPCIS_CONTEXT, "ocop",
        ns, "type", "EPCISQueryDocument", "schemaVersion", "2.0", "creationDate", now, "epcisBody",
        "queryResults", "queryName", "SimpleEventQuery", "resultsBody", "eventList", events);
    reply->text = doc ? http_json_text(doc) : NULL;
    json_decref(doc);
    if (!reply->text) {
        http_error(reply, 500, "internal", "", "out of memory");
        return;
    }
    reply->status = 200;
    reply->content_type = "application/ld+json";
    reply->epcis_version = EPCIS_VERSION;
}

/* A time parameter: 0 (absent or good), or -1 after a 400. */
static int time_parameter(http_request *req, http_reply *reply, const char *name,
                          const char **value)
{
    time_t t;
    *value = http_query(req, name);
    if (!*value || clock_parse_offset(*value, &t) == 0)
        return 0;
    http_error(reply, 400, "bad_query", name,
               "must be a date and time with its offset, as 2025-03-01T08:00:00+07:00");
    return -1;
}

/* A number parameter within [min, max]: 0, or -1 after a 400. */
static int number_parameter(http_request *req, http_reply *reply, const char *name, long min,
                            long max, long *value)
{
    const char *text = http_query(req, name);
    char *end = NULL;
    if (!text)
        return 0;
    long n = strtol(text, &end, 10);
    if (end != text && !*end && n >= min && n <= max) {
        *value = n;
        return 0;
    }
    http_error(reply, 400, "bad_query", name, "must be a whole number from %ld to %ld", min, max);
    return -1;
}

/* The Link to the next page: the same query from `next` on (RFC 8288).
 * 0, or -1 after a 414 when it would not fit in the header. */
static int next_link(http_request *req, http_reply *reply, long next)
{
    ocl_buffer link = {0};
    static const char open[] = "</epcis/events?", close[] = ">; rel=\"next\"";
    char token[32];
    ocl_buffer_append(&link, open, sizeof(open) - 1);
    for (size_t i = 0; query_names[i]; i++) {
        const char *v = http_query(req, query_names[i]);
        char encoded[3 * HTTP_PATH_MAX + 1];
        if (!v || strcmp(query_names[i], "nextPageToken") == 0 ||
            ocl_percent_encode(v, encoded, sizeof(encoded)) != OCL_OK)
            continue;
        ocl_buffer_append(&link, query_names[i], strlen(query_names[i]));
        ocl_buffer_append(&link, "=", 1);
        ocl_buffer_append(&link, encoded, strlen(encoded));
        ocl_buffer_append(&link, "&", 1);
    }
    snprintf(token, sizeof(token), "nextPageToken=%ld", next);
    ocl_buffer_append(&link, token, strlen(token));
    ocl_buffer_append(&link, close, sizeof(close));
    int fits = link.data && link.len <= sizeof(reply->link);
    if (fits)
        memcpy(reply->link, link.data, link.len);
    else
        http_error(reply, 414, "uri_too_long", "query",
                   "the query is too long to give a link to its next page");
    ocl_buffer_free(&link);
    return fits ? 0 : -1;
}

void api_epcis_events(http_request *req, http_reply *reply, long id)
{
    (void)id;
    const char *unknown = http_query_unknown(req, query_names);
    if (unknown) {
        http_error(reply, 400, "bad_query", unknown,
                   "is not a query parameter here: eventType, EQ_bizStep, MATCH_epc, "
                   "MATCH_anyEPC, GE_eventTime, LT_eventTime, perPage, nextPageToken");
        return;
    }
    long per_page = PER_PAGE, after = 0, next = 0;
    store_epcis_query q = {.event_type = http_query(req, "eventType"),
                           .biz_step = http_query(req, "EQ_bizStep"),
                           .epc = http_query(req, "MATCH_epc"),
                           .any_epc = http_query(req, "MATCH_anyEPC")};
    if (time_parameter(req, reply, "GE_eventTime", &q.from) != 0 ||
        time_parameter(req, reply, "LT_eventTime", &q.until) != 0 ||
        number_parameter(req, reply, "perPage", 1, PER_PAGE_MAX, &per_page) != 0 ||
        number_parameter(req, reply, "nextPageToken", 1, 1L << 62, &after) != 0)
        return;
    q.per_page = (int)per_page;
    q.after = after;
    json_t *events = store_epcis_events(req->store, &q, &next);
    if (!events) {
        http_error(reply, 500, "store", "", "cannot read the events");
        return;
    }
    if (next && next_link(req, reply, next) != 0) {
        json_decref(events);
        return;
    }
    query_document(req, reply, events);
}

void api_epcis_event(http_request *req, http_reply *reply, long id)
{
    (void)id;
    const char *name = req->path + strlen("/epcis/events/");
    long next;
    store_epcis_query q = {.event_id = name, .per_page = 1};
    json_t *events = store_epcis_events(req->store, &q, &next);
    if (!events) {
        http_error(reply, 500, "store", "", "cannot read the events");
        return;
    }
    if (!json_array_size(events)) {
        json_decref(events);
        http_error(reply, 404, "not_found", "eventID", "no event '%s'", name);
        return;
    }
    query_document(req, reply, events);
}
