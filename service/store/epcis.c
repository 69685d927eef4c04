/*
 * The EPCIS events this installation made, read back for the query
 * interface: every EPCIS document goes to the outbox (path /capture) in
 * the transaction of the change it reports, holding one event, so the
 * outbox is the event store too, whether the event was delivered or not.
 * Filters are SQL over the document's JSON (SQLite's json functions, or
 * PostgreSQL's jsonb operators); pages follow the outbox's id.
 */
#include "store.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define EVENT "json_extract(o.body, '$.epcisBody.eventList[0]')"

/* The items of an event's field `f` that is a list (others are not JSON
 * a json_each could read). */
#define LIST_ITEMS "json_each(CASE WHEN f.type = 'array' THEN f.value ELSE '[]' END) e"

/* Every EPC an event names, for MATCH_anyEPC; MATCH_epc reads the
 * epcList and childEPCs only. */
#define ANY_EPC                                                                                    \
    "EXISTS (SELECT 1 FROM json_each(o.body, '$.epcisBody.eventList[0]') f, " LIST_ITEMS " WHERE " \
    "f.key IN ('epcList', 'childEPCs', 'inputEPCList', 'outputEPCList') AND e.value = ?4) "        \
    "OR json_extract(o.body, '$.epcisBody.eventList[0].parentID') = ?4"

static const char query_sql[] =
    "SELECT o.id, " EVENT " FROM outbox o WHERE o.path = '/capture' AND o.id > ?1 "
    "AND (?2 IS NULL OR json_extract(o.body, '$.epcisBody.eventList[0].type') = ?2) "
    "AND (?3 IS NULL OR json_extract(o.body, '$.epcisBody.eventList[0].bizStep') IN (?3, "
    "'https://ref.gs1.org/cbv/BizStep-' || ?3, substr(?3, "
    "length('https://ref.gs1.org/cbv/BizStep-') + 1))) "
    "AND (?4 IS NULL OR (" ANY_EPC ")) "
    "AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(o.body, '$.epcisBody.eventList[0]') "
    "f, " LIST_ITEMS " WHERE f.key IN ('epcList', 'childEPCs') AND e.value = ?5)) "
    "AND (?6 IS NULL OR julianday(json_extract(o.body, '$.epcisBody.eventList[0].eventTime')) >= "
    "julianday(?6)) "
    "AND (?7 IS NULL OR julianday(json_extract(o.body, '$.epcisBody.eventList[0].eventTime')) < "
    "julianday(?7)) "
    "AND (?8 IS NULL OR json_extract(o.body, '$.epcisBody.eventList[0].eventID') = ?8) "
    "ORDER BY o.id LIMIT ?9";

/* The same on PostgreSQL: the event as jsonb, its lists' items as text. */
#define PG_EVENT       "(CAST(o.body AS jsonb) -> 'epcisBody' -> 'eventList' -> 0)"
#define PG_FIELD(name) PG_EVENT " ->> '" name "'"
#define PG_ITEMS(keys, value)                                                                      \
    "EXISTS (SELECT 1 FROM jsonb_each(" PG_EVENT ") f, jsonb_array_elements_text(CASE WHEN "       \
    "jsonb_typeof(f.value) = 'array' THEN f.value ELSE '[]' END) AS e(item) WHERE f.key IN "       \
    "(" keys ") AND e.item = " value ")"
#define PG_ANY_EPC                                                                                 \
    PG_ITEMS("'epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'", "?4")                      \
    " OR " PG_FIELD("parentID") " = ?4"
#define PG_WHEN(param, condition) "AND (CAST(" param " AS TEXT) IS NULL OR " condition ") "

static const char query_postgresql[] =
    "SELECT o.id, CAST(" PG_EVENT " AS TEXT) FROM outbox o WHERE o.path = '/capture' "
    "AND o.id > ?1 " PG_WHEN("?2", PG_FIELD("type") " = ?2")
        PG_WHEN("?3", PG_FIELD("bizStep") " IN (?3, 'https://ref.gs1.org/cbv/BizStep-' || ?3, "
                                          "substr(?3, length('https://ref.gs1.org/cbv/"
                                          "BizStep-') + 1))") PG_WHEN("?4", PG_ANY_EPC)
            PG_WHEN("?5", PG_ITEMS("'epcList', 'childEPCs'", "?5"))
                PG_WHEN("?6", "julianday(" PG_FIELD("eventTime") ") >= julianday(?6)")
                    PG_WHEN("?7", "julianday(" PG_FIELD("eventTime") ") < julianday(?7)")
                        PG_WHEN("?8", PG_FIELD("eventID") " = ?8") "ORDER BY o.id LIMIT ?9";

json_t *store_epcis_events(store *s, const store_epcis_query *q, long *next)
{
    db_stmt *st = NULL;
    *next = 0;
    if (!(st = db_prepare(store_db(s),
                          store_backend(s) == DB_SQLITE ? query_sql : query_postgresql)))
        return NULL;
    db_bind_int64(st, 1, q->after);
    store_bind_optional(st, 2, q->event_type);
    store_bind_optional(st, 3, q->biz_step);
    store_bind_optional(st, 4, q->any_epc);
    store_bind_optional(st, 5, q->epc);
    store_bind_optional(st, 6, q->from);
    store_bind_optional(st, 7, q->until);
    store_bind_optional(st, 8, q->event_id);
    db_bind_int64(st, 9, q->per_page + 1);
    json_t *events = json_array();
    long last = 0;
    int rc, count = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (count++ == q->per_page) {
            *next = last; /* there is more after the last one given */
            break;
        }
        last = (long)db_column_int64(st, 0);
        json_t *event = json_loads(db_column_text(st, 1), 0, NULL);
        if (event)
            json_array_append_new(events, event);
    }
    db_finalize(st);
    if (rc != DB_ROW && rc != DB_DONE) {
        json_decref(events);
        return NULL;
    }
    return events;
}
