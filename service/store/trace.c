/*
 * The chain from raw material to buyer: growing areas, input lots, what a
 * product lot was made from (inputs, or other product lots), the lot's
 * production journal, shipments of its units, the trace both ways, and
 * recalls, which reach every lot made from what is recalled. Each change
 * is one transaction; its rules are checked inside it, against what is
 * there, so that two requests at once cannot use an input twice over.
 * Records are read as JSON objects that SQLite's json_object() builds.
 */
#include "epcis.h"
#include "ocoplabels.h"
#include "store.h"
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every record of the chain, and the recalls a scan shows, raise the
 * registry's version (store/scans.c) as the scan page reads them. */
const char *store_trace_migration(void)
{
    return "CREATE TABLE areas ("
           "  id INTEGER PRIMARY KEY,"
           "  producer_id INTEGER NOT NULL REFERENCES producers(id),"
           "  name TEXT NOT NULL, code TEXT NOT NULL UNIQUE,"
           "  locality TEXT NOT NULL DEFAULT '', crop TEXT NOT NULL DEFAULT '',"
           "  area_ha REAL, certifications TEXT NOT NULL DEFAULT '[]',"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
           "CREATE TABLE inputs ("
           "  id INTEGER PRIMARY KEY,"
           "  producer_id INTEGER NOT NULL REFERENCES producers(id),"
           "  code TEXT NOT NULL, material TEXT NOT NULL,"
           "  quantity REAL NOT NULL CHECK (quantity > 0), unit TEXT NOT NULL,"
           "  harvested TEXT, received TEXT NOT NULL,"
           "  area_id INTEGER REFERENCES areas(id), supplier_name TEXT, supplier_address TEXT,"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
           "  UNIQUE (producer_id, code),"
           "  CHECK ((area_id IS NULL) <> (supplier_name IS NULL)));"
           "CREATE TABLE lot_inputs ("
           "  id INTEGER PRIMARY KEY,"
           "  lot_id INTEGER NOT NULL REFERENCES lots(id),"
           "  input_id INTEGER REFERENCES inputs(id),"
           "  source_lot_id INTEGER REFERENCES lots(id),"
           "  quantity REAL NOT NULL CHECK (quantity > 0),"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
           "  CHECK ((input_id IS NULL) <> (source_lot_id IS NULL)));"
           "CREATE INDEX lot_inputs_lot ON lot_inputs (lot_id);"
           "CREATE INDEX lot_inputs_input ON lot_inputs (input_id);"
           "CREATE INDEX lot_inputs_source ON lot_inputs (source_lot_id);"
           "CREATE TABLE lot_events ("
           "  id INTEGER PRIMARY KEY,"
           "  lot_id INTEGER NOT NULL REFERENCES lots(id),"
           "  step TEXT NOT NULL CHECK (step IN ('harvesting','receiving','processing','packing',"
           "                                     'inspecting','storing','other')),"
           "  at TEXT NOT NULL, at_utc TEXT NOT NULL,"
           "  place TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
           "CREATE INDEX lot_events_lot ON lot_events (lot_id, at_utc);"
           "CREATE TABLE shipments ("
           "  id INTEGER PRIMARY KEY,"
           "  producer_id INTEGER NOT NULL REFERENCES producers(id),"
           "  to_name TEXT NOT NULL, to_address TEXT NOT NULL DEFAULT '', shipped TEXT NOT NULL,"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
           "CREATE TABLE shipment_units ("
           "  lot_id INTEGER NOT NULL, serial TEXT NOT NULL,"
           "  shipment_id INTEGER NOT NULL REFERENCES shipments(id),"
           "  PRIMARY KEY (lot_id, serial),"
           "  FOREIGN KEY (lot_id, serial) REFERENCES serials (lot_id, serial)) WITHOUT ROWID;"
           "CREATE INDEX shipment_units_shipment ON shipment_units (shipment_id, lot_id);"
           "CREATE TABLE recalls ("
           "  id INTEGER PRIMARY KEY,"
           "  lot_id INTEGER REFERENCES lots(id), input_id INTEGER REFERENCES inputs(id),"
           "  reason TEXT NOT NULL, action TEXT NOT NULL, user_id INTEGER REFERENCES users(id),"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
           "  CHECK ((lot_id IS NULL) <> (input_id IS NULL)));"
           "CREATE UNIQUE INDEX recalls_input ON recalls (input_id) WHERE input_id IS NOT NULL;"
           "CREATE TABLE recalled_lots ("
           "  lot_id INTEGER PRIMARY KEY REFERENCES lots(id),"
           "  recall_id INTEGER NOT NULL REFERENCES recalls(id));"
           "CREATE INDEX recalled_lots_recall ON recalled_lots (recall_id);" REGISTRY_TRIGGERS(
               "recalled_lots") REGISTRY_TRIGGERS("lot_events") REGISTRY_TRIGGERS("lot_inputs")
               REGISTRY_TRIGGERS("areas") REGISTRY_TRIGGERS("inputs")
                   REGISTRY_TRIGGERS("shipments");
}

/* ---------- reading records as JSON ---------- */

/* Binds values by the letters of `types`: i a long, d a double, t a text
 * (NULL binds NULL). */
static void bind_values(db_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'i')
            db_bind_int64(st, i + 1, va_arg(ap, long));
        else if (types[i] == 'd')
            db_bind_double(st, i + 1, va_arg(ap, double));
        else
            store_bind_optional(st, i + 1, va_arg(ap, const char *));
    }
}

/* The rows of a query whose one column is a JSON object, as an array;
 * NULL on error. */
static json_t *rows(store *s, const char *sql, const char *types, ...)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s), sql)))
        return NULL;
    va_list ap;
    va_start(ap, types);
    bind_values(st, types, ap);
    va_end(ap);
    json_t *out = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *text = db_column_text(st, 0);
        json_t *row = text ? json_loads(text, 0, NULL) : NULL;
        if (row)
            json_array_append_new(out, row);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The first row of rows(), or NULL. */
static json_t *first_row(json_t *list)
{
    json_t *row = json_incref(json_array_get(list, 0));
    json_decref(list);
    return row;
}

/* A number from a query of one row and one column; `fallback` when none. */
static double number(store *s, double fallback, const char *sql, const char *types, ...)
{
    db_stmt *st = NULL;
    double n = fallback;
    if (!(st = db_prepare(store_db(s), sql)))
        return fallback;
    va_list ap;
    va_start(ap, types);
    bind_values(st, types, ap);
    va_end(ap);
    if (db_step(st) == DB_ROW && !db_column_is_null(st, 0))
        n = db_column_double(st, 0);
    db_finalize(st);
    return n;
}

/* A text from a query of one row and one column into `out`; 0, or -1. */
static int text(store *s, char *out, size_t size, const char *sql, const char *types, ...)
{
    db_stmt *st = NULL;
    int rc = -1;
    if (!(st = db_prepare(store_db(s), sql)))
        return -1;
    va_list ap;
    va_start(ap, types);
    bind_values(st, types, ap);
    va_end(ap);
    if (db_step(st) == DB_ROW && !db_column_is_null(st, 0)) {
        snprintf(out, size, "%s", db_column_text(st, 0));
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* Runs a change: 0, or the error's code (DB_UNIQUE...). An INSERT that
 * ends "RETURNING id" gives the new row's id in *id. */
static int change_values(store *s, long *id, const char *sql, const char *types, va_list ap)
{
    db_stmt *st = db_prepare(store_db(s), sql);
    if (!st)
        return DB_FAILED;
    bind_values(st, types, ap);
    return store_step_id(st, id);
}

static int change(store *s, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    long ignored = 0;
    int rc = change_values(s, &ignored, sql, types, ap);
    va_end(ap);
    return rc;
}

/* An INSERT ... RETURNING id: 0 and the id, or the error's code. */
static int insert(store *s, long *id, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = change_values(s, id, sql, types, ap);
    va_end(ap);
    return rc;
}

/* Ends a change's transaction: committed when `p` holds no problem. */
static long finish(store *s, store_problem *p, long id)
{
    char error[STORE_ERROR_MAX];
    if (!p->status && store_exec(s, "COMMIT", error) == 0)
        return id;
    store_exec(s, "ROLLBACK", error);
    if (!p->status)
        store_problem_set(p, 500, "store", "", "cannot commit");
    return -1;
}

static int begin(store *s, store_problem *p)
{
    char error[STORE_ERROR_MAX];
    memset(p, 0, sizeof(*p));
    if (store_transaction(s, error) == 0)
        return 0;
    store_problem_set(p, 500, "store", "", "%s", error);
    return -1;
}

/* ---------- EPCIS events of the chain ---------- */

/* Each record of the chain is reported to the traceability system by an
 * EPCIS document in the outbox, written in the record's transaction. The
 * kind is "commissioning", the one the outbox takes for EPCIS documents
 * (POST /capture, with the GS1-EPCIS-Version header); `product_id` keeps
 * it in order with the product's other deliveries. Takes `document`. */
static void queue_capture(store *s, long product_id, char *document, store_problem *p)
{
    if (!document || store_outbox_add(s, "commissioning", product_id, "/capture",
                                      "application/ld+json", document) != 0)
        store_problem_set(p, 500, "store", "", "cannot queue the EPCIS event");
    free(document);
}

static const char *base_or_default(const char *base_url)
{
    return base_url && *base_url ? base_url : OCL_DEFAULT_BASE_URL;
}

/* What names a product lot in an event: {"gtin", "code", "produced",
 * "product_id"}, or NULL. */
static json_t *lot_names(store *s, long lot_id)
{
    return first_row(rows(s,
                          "SELECT json_object('gtin', p.gtin, 'code', l.code, 'produced', "
                          "l.produced, 'product_id', l.product_id) FROM lots l JOIN products p ON "
                          "p.id = l.product_id WHERE l.id = ?1",
                          "i", lot_id));
}

/* The epcis_lot of a lot_names() or of a row with "gtin" and "code". */
static epcis_lot lot_of(const json_t *names)
{
    epcis_lot lot = {json_string_value(json_object_get(names, "gtin")),
                     json_string_value(json_object_get(names, "code"))};
    return lot;
}

static long product_of(const json_t *names)
{
    return (long)json_integer_value(json_object_get(names, "product_id"));
}

/* A list of records: a producer's own (producer_id not 0) or all. */
#define LIST_OF(s, select, owner, order, producer_id)                                              \
    ((producer_id) ? rows((s), select "WHERE " owner " = ?1 ORDER BY " order, "i", (producer_id))  \
                   : rows((s), select "ORDER BY " order, ""))

/* ---------- areas ---------- */

#define AREA_JSON                                                                                  \
    "SELECT json_object('id', id, 'producer_id', producer_id, 'name', name, 'code', code, "        \
    "'locality', locality, 'crop', crop, 'area_ha', area_ha, 'certifications', "                   \
    "json(certifications), 'created_at', created_at) FROM areas "

json_t *store_area_get(store *s, long id)
{
    return first_row(rows(s, AREA_JSON "WHERE id = ?1", "i", id));
}

json_t *store_area_list(store *s, long producer_id)
{
    return LIST_OF(s, AREA_JSON, "producer_id", "id", producer_id);
}

long store_area_owner(store *s, long id)
{
    return (long)number(s, 0, "SELECT producer_id FROM areas WHERE id = ?1", "i", id);
}

/* The text of certifications, a JSON array, or NULL for none given. */
static char *certifications_text(const json_t *area)
{
    const json_t *list = json_object_get(area, "certifications");
    return list ? json_dumps(list, JSON_COMPACT) : NULL;
}

static const char *field_text(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

long store_area_save(store *s, long id, long producer_id, const json_t *area, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    char *certifications = certifications_text(area);
    const json_t *ha = json_object_get(area, "area_ha");
    int rc =
        id ? change(s,
                    "UPDATE areas SET name = COALESCE(?2, name), code = COALESCE(?3, code), "
                    "locality = COALESCE(?4, locality), crop = COALESCE(?5, crop), area_ha = "
                    "CASE WHEN ?7 = 1 THEN CAST(?6 AS DOUBLE PRECISION) ELSE area_ha END, "
                    "certifications = COALESCE(?8, "
                    "certifications) WHERE id = ?1",
                    "ittttdit", id, field_text(area, "name"), field_text(area, "code"),
                    field_text(area, "locality"), field_text(area, "crop"),
                    ha ? json_number_value(ha) : 0.0, (long)(ha != NULL), certifications)
           : insert(s, &id,
                    "INSERT INTO areas (producer_id, name, code, locality, crop, area_ha, "
                    "certifications) VALUES (?1, ?2, ?3, COALESCE(?4, ''), COALESCE(?5, ''), "
                    "CASE WHEN ?7 = 1 THEN CAST(?6 AS DOUBLE PRECISION) END, COALESCE(?8, '[]')) "
                    "RETURNING id",
                    "ittttdit", producer_id, field_text(area, "name"), field_text(area, "code"),
                    field_text(area, "locality"), field_text(area, "crop"),
                    ha ? json_number_value(ha) : 0.0, (long)(ha != NULL), certifications);
    free(certifications);
    if (rc == DB_UNIQUE)
        store_problem_set(p, 409, "taken", "code", "an area with code '%s' is registered already",
                          field_text(area, "code"));
    else if (rc)
        store_problem_set(p, 500, "store", "", "cannot save the area");
    return finish(s, p, id);
}

/* ---------- input lots ---------- */

#define INPUT_JSON                                                                                 \
    "SELECT json_object('id', i.id, 'producer_id', i.producer_id, 'code', i.code, 'material', "    \
    "i.material, 'quantity', i.quantity, 'unit', i.unit, 'used', (SELECT total(quantity) FROM "    \
    "lot_inputs u WHERE u.input_id = i.id), 'remaining', i.quantity - (SELECT total(quantity) "    \
    "FROM lot_inputs u WHERE u.input_id = i.id), 'harvested', i.harvested, 'received', "           \
    "i.received, 'area_id', i.area_id, 'supplier', CASE WHEN i.supplier_name IS NULL THEN NULL "   \
    "ELSE json_object('name', i.supplier_name, 'address', COALESCE(i.supplier_address, '')) END, " \
    "'recalled', json(CASE WHEN EXISTS (SELECT 1 FROM recalls r WHERE r.input_id = i.id) THEN "    \
    "'true' ELSE 'false' END), 'created_at', i.created_at) FROM inputs i "

json_t *store_input_get(store *s, long id)
{
    return first_row(rows(s, INPUT_JSON "WHERE i.id = ?1", "i", id));
}

json_t *store_input_list(store *s, long producer_id)
{
    return LIST_OF(s, INPUT_JSON, "i.producer_id", "i.id", producer_id);
}

long store_input_owner(store *s, long id)
{
    return (long)number(s, 0, "SELECT producer_id FROM inputs WHERE id = ?1", "i", id);
}

long store_input_create(store *s, long producer_id, const json_t *input, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    const json_t *area = json_object_get(input, "area_id");
    const json_t *supplier = json_object_get(input, "supplier");
    long area_id = (long)json_integer_value(area);
    if (area && store_area_owner(s, area_id) != producer_id)
        store_problem_set(p, 422, "invalid", "area_id",
                          store_area_owner(s, area_id)
                              ? "area %ld is another producer's: use one of yours"
                              : "no area %ld",
                          area_id);
    long id = 0;
    int rc = p->status
                 ? 0
                 : insert(s, &id,
                          "INSERT INTO inputs (producer_id, code, material, quantity, unit, "
                          "harvested, received, area_id, supplier_name, supplier_address) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULLIF(CAST(?8 AS BIGINT), 0), ?9, "
                          "?10) RETURNING id",
                          "ittdtttitt", producer_id, field_text(input, "code"),
                          field_text(input, "material"),
                          json_number_value(json_object_get(input, "quantity")),
                          field_text(input, "unit"), field_text(input, "harvested"),
                          field_text(input, "received"), area_id, field_text(supplier, "name"),
                          field_text(supplier, "address"));
    if (rc == DB_UNIQUE)
        store_problem_set(p, 409, "taken", "code",
                          "an input lot with code '%s' is registered already",
                          field_text(input, "code"));
    else if (rc)
        store_problem_set(p, 500, "store", "", "cannot save the input");
    return finish(s, p, id);
}

/* ---------- what a lot was made from ---------- */

/* Whether lot `from` is made, at any depth, from lot `of`: then `of`
 * made from `from` would be a cycle. */
static int made_from(store *s, long from, long of)
{
    return number(s, 0,
                  "WITH RECURSIVE made(id) AS (SELECT CAST(?1 AS BIGINT) UNION SELECT "
                  "li.source_lot_id FROM "
                  "lot_inputs li JOIN made ON li.lot_id = made.id WHERE li.source_lot_id IS NOT "
                  "NULL) SELECT 1 FROM made WHERE id = ?2",
                  "ii", from, of) != 0;
}

static void check_input_use(store *s, long lot_id, long input_id, double quantity, store_problem *p)
{
    char received[16] = "", produced[16] = "";
    double remaining = number(s, -1,
                              "SELECT i.quantity - (SELECT total(quantity) FROM lot_inputs u WHERE "
                              "u.input_id = i.id) FROM inputs i WHERE i.id = ?1",
                              "i", input_id);
    text(s, received, sizeof(received), "SELECT received FROM inputs WHERE id = ?1", "i", input_id);
    text(s, produced, sizeof(produced), "SELECT produced FROM lots WHERE id = ?1", "i", lot_id);
    long recalled = (long)number(s, 0, "SELECT id FROM recalls WHERE input_id = ?1", "i", input_id);
    if (remaining < 0)
        store_problem_set(p, 422, "invalid", "input_id", "no input lot %ld", input_id);
    else if (recalled)
        store_problem_set(p, 409, "recalled", "input_id", "input lot %ld is recalled (recall %ld)",
                          input_id, recalled);
    else if (store_input_owner(s, input_id) != store_lot_owner(s, lot_id))
        store_problem_set(
            p, 422, "invalid", "input_id",
            "input lot %ld is another producer's: a lot is made from its producer's inputs",
            input_id);
    else if (quantity > remaining + 1e-9)
        store_problem_set(p, 422, "invalid", "quantity",
                          "is more than the %g that remain of input lot %ld", remaining, input_id);
    else if (produced[0] && strcmp(produced, received) < 0)
        store_problem_set(p, 422, "invalid", "input_id",
                          "input lot %ld was received on %s, after the lot was produced (%s)",
                          input_id, received, produced);
}

/* A lot's units neither shipped nor used in other lots: what a shipment
 * or another lot may still take. Units used as an input are counted, not
 * named, so they are taken from what remains rather than by serial. */
static double units_left(store *s, long lot_id)
{
    return number(s, 0,
                  "SELECT (SELECT count(*) FROM serials WHERE lot_id = ?1) - (SELECT count(*) "
                  "FROM shipment_units WHERE lot_id = ?1) - (SELECT total(quantity) FROM "
                  "lot_inputs WHERE source_lot_id = ?1)",
                  "i", lot_id);
}

static void check_lot_use(store *s, long lot_id, long source, double quantity, store_problem *p)
{
    double units = number(s, -1, "SELECT count(*) FROM serials WHERE lot_id = ?1", "i", source);
    double left = units_left(s, source);
    char source_produced[16] = "", produced[16] = "";
    if (!store_lot_owner(s, source))
        store_problem_set(p, 422, "invalid", "lot_id", "no lot %ld", source);
    else if (store_lot_recall(s, source))
        store_problem_set(p, 409, "recalled", "lot_id", "lot %ld is recalled (recall %ld)", source,
                          store_lot_recall(s, source));
    else if (store_lot_owner(s, source) != store_lot_owner(s, lot_id))
        store_problem_set(p, 422, "invalid", "lot_id", "lot %ld is another producer's", source);
    else if (source == lot_id || made_from(s, source, lot_id))
        store_problem_set(p, 422, "invalid", "lot_id",
                          "lot %ld is made from lot %ld already: using it would make a cycle",
                          source, lot_id);
    else if (units > 0 && quantity > left + 1e-9)
        store_problem_set(p, 422, "invalid", "quantity",
                          "is more than the %g units of lot %ld neither shipped nor used", left,
                          source);
    else if (text(s, source_produced, sizeof(source_produced),
                  "SELECT produced FROM lots WHERE id = ?1", "i", source) == 0 &&
             text(s, produced, sizeof(produced), "SELECT produced FROM lots WHERE id = ?1", "i",
                  lot_id) == 0 &&
             strcmp(produced, source_produced) < 0)
        store_problem_set(p, 422, "invalid", "lot_id",
                          "lot %ld was produced on %s, after this lot (%s)", source,
                          source_produced, produced);
}

/* The TransformationEvent of lot `lot_id` made with `quantity` of input
 * `input_id` or of lot `source_lot_id`. */
static void queue_transformation(store *s, long lot_id, long input_id, long source_lot_id,
                                 double quantity, const char *base_url, store_problem *p)
{
    char unit[64] = "";
    json_t *output = lot_names(s, lot_id);
    json_t *source = input_id ? NULL : lot_names(s, source_lot_id);
    if (input_id)
        text(s, unit, sizeof(unit), "SELECT unit FROM inputs WHERE id = ?1", "i", input_id);
    epcis_transformation t = {
        .base_url = base_or_default(base_url),
        .output = lot_of(output),
        .produced = json_string_value(json_object_get(output, "produced")),
        .input_id = input_id,
        .unit = unit,
        .source = lot_of(source),
        .quantity = quantity,
        .when = time(NULL),
    };
    queue_capture(s, product_of(output),
                  output && (input_id || source) ? epcis_transformation_document(&t) : NULL, p);
    json_decref(output);
    json_decref(source);
}

long store_lot_input_add(store *s, long lot_id, long input_id, long source_lot_id, double quantity,
                         const char *base_url, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    if (quantity <= 0)
        store_problem_set(p, 422, "invalid", "quantity", "must be more than 0");
    else if (input_id)
        check_input_use(s, lot_id, input_id, quantity, p);
    else
        check_lot_use(s, lot_id, source_lot_id, quantity, p);
    long id = 0;
    if (!p->status &&
        insert(s, &id,
               "INSERT INTO lot_inputs (lot_id, input_id, source_lot_id, quantity) "
               "VALUES (?1, NULLIF(CAST(?2 AS BIGINT), 0), NULLIF(CAST(?3 AS BIGINT), 0), ?4) "
               "RETURNING id",
               "iiid", lot_id, input_id, source_lot_id, quantity) != 0)
        store_problem_set(p, 500, "store", "", "cannot record the input");
    if (!p->status)
        queue_transformation(s, lot_id, input_id, source_lot_id, quantity, base_url, p);
    return finish(s, p, id);
}

#define LOT_INPUT_JSON                                                                             \
    "SELECT json_object('id', id, 'lot_id', lot_id, 'input_id', input_id, 'source_lot_id', "       \
    "source_lot_id, 'quantity', quantity) FROM lot_inputs "

json_t *store_lot_input_get(store *s, long id)
{
    return first_row(rows(s, LOT_INPUT_JSON "WHERE id = ?1", "i", id));
}

json_t *store_lot_inputs(store *s, long lot_id)
{
    return rows(s, LOT_INPUT_JSON "WHERE lot_id = ?1 ORDER BY id", "i", lot_id);
}

/* ---------- the production journal ---------- */

/* The CBV business step of a journal step, as its EPCIS event carries it:
 * CBV has no harvesting or processing, so those (and other) are "other",
 * the journal's own word going with the event (epcis.c). */
#define EVENT_JSON                                                                                 \
    "SELECT json_object('id', id, 'lot_id', lot_id, 'step', step, 'biz_step', "                    \
    "'https://ref.gs1.org/cbv/BizStep-' || CASE WHEN step IN ('receiving', 'packing', "            \
    "'inspecting', 'storing') THEN step ELSE 'other' END, 'at', at, 'place', place, 'note', "      \
    "note) "                                                                                       \
    "FROM lot_events "

json_t *store_event_get(store *s, long id)
{
    return first_row(rows(s, EVENT_JSON "WHERE id = ?1", "i", id));
}

json_t *store_event_list(store *s, long lot_id)
{
    return rows(s, EVENT_JSON "WHERE lot_id = ?1 ORDER BY at_utc, id", "i", lot_id);
}

/* The ObjectEvent of a journal entry of lot `lot_id`. */
static void queue_journal(store *s, long lot_id, const json_t *event, const char *at_utc,
                          const char *base_url, store_problem *p)
{
    json_t *lot = lot_names(s, lot_id);
    epcis_journal j = {
        .base_url = base_or_default(base_url),
        .lot = lot_of(lot),
        .step = field_text(event, "step"),
        .at = field_text(event, "at"),
        .at_utc = at_utc,
        .place = field_text(event, "place"),
        .note = field_text(event, "note"),
        .when = time(NULL),
    };
    queue_capture(s, product_of(lot), lot ? epcis_journal_document(&j) : NULL, p);
    json_decref(lot);
}

long store_event_add(store *s, long lot_id, const json_t *event, const char *at_utc,
                     const char *base_url, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    long id = 0;
    char received[16] = "";
    if (text(s, received, sizeof(received),
             "SELECT max(i.received) FROM lot_inputs li JOIN inputs i ON i.id = li.input_id "
             "WHERE li.lot_id = ?1",
             "i", lot_id) == 0 &&
        strncmp(at_utc, received, 10) < 0)
        store_problem_set(p, 422, "invalid", "at",
                          "is before %s, when an input lot this lot uses was received", received);
    else if (insert(s, &id,
                    "INSERT INTO lot_events (lot_id, step, at, at_utc, place, note) VALUES (?1, "
                    "?2, ?3, ?4, COALESCE(?5, ''), COALESCE(?6, '')) RETURNING id",
                    "itttt"
                    "t",
                    lot_id, field_text(event, "step"), field_text(event, "at"), at_utc,
                    field_text(event, "place"), field_text(event, "note")) != 0)
        store_problem_set(p, 500, "store", "", "cannot record the event");
    if (!p->status)
        queue_journal(s, lot_id, event, at_utc, base_url, p);
    return finish(s, p, id);
}

/* ---------- shipments ---------- */

/* Ships `units` units of the lot not shipped before, the first by serial. */
static void ship_count(store *s, long shipment, long lot_id, long units, const char *field,
                       store_problem *p)
{
    long left = (long)units_left(s, lot_id);
    if (units < 1 || units > left)
        store_problem_set(p, 422, "invalid", field,
                          units < 1
                              ? "must be at least 1"
                              : "is more than the %ld units of the lot neither shipped nor used",
                          left);
    else if (change(s,
                    "INSERT INTO shipment_units (lot_id, serial, shipment_id) SELECT x.lot_id, "
                    "x.serial, ?2 FROM serials x WHERE x.lot_id = ?1 AND NOT EXISTS (SELECT 1 FROM "
                    "shipment_units u WHERE u.lot_id = x.lot_id AND u.serial = x.serial) ORDER BY "
                    "x.serial LIMIT ?3",
                    "iii", lot_id, shipment, units) != 0)
        store_problem_set(p, 500, "store", "", "cannot record the shipment");
}

static void ship_serials(store *s, long shipment, long lot_id, const json_t *serials,
                         const char *field, store_problem *p)
{
    size_t i;
    const json_t *serial;
    long left = (long)units_left(s, lot_id);
    if ((long)json_array_size(serials) > left) {
        store_problem_set(p, 422, "invalid", field,
                          "names %zu units, more than the %ld of the lot neither shipped nor used",
                          json_array_size(serials), left);
        return;
    }
    json_array_foreach(serials, i, serial)
    {
        char at[96];
        snprintf(at, sizeof(at), "%s[%zu]", field, i);
        const char *code = json_string_value(serial);
        if (!number(s, 0, "SELECT 1 FROM serials WHERE lot_id = ?1 AND serial = ?2", "it", lot_id,
                    code)) {
            store_problem_set(p, 422, "invalid", at, "'%s' is not a serial of lot %ld", code,
                              lot_id);
            return;
        }
        int rc = change(s,
                        "INSERT INTO shipment_units (lot_id, serial, shipment_id) VALUES (?1, "
                        "?2, ?3)",
                        "iti", lot_id, code, shipment);
        if (rc == DB_UNIQUE) {
            store_problem_set(p, 409, "shipped", at, "unit '%s' of lot %ld is shipped already",
                              code, lot_id);
            return;
        }
        if (rc) {
            store_problem_set(p, 500, "store", "", "cannot record the shipment");
            return;
        }
    }
}

static void ship_line(store *s, long shipment, long producer_id, const char *shipped,
                      const json_t *line, size_t i, store_problem *p)
{
    char field[64];
    long lot_id = (long)json_integer_value(json_object_get(line, "lot_id"));
    char produced[16] = "";
    snprintf(field, sizeof(field), "lots[%zu].lot_id", i);
    if (store_lot_owner(s, lot_id) != producer_id) {
        store_problem_set(
            p, 422, "invalid", field,
            store_lot_owner(s, lot_id) ? "lot %ld is another producer's" : "no lot %ld", lot_id);
        return;
    }
    if (text(s, produced, sizeof(produced), "SELECT produced FROM lots WHERE id = ?1", "i",
             lot_id) == 0 &&
        strcmp(shipped, produced) < 0) {
        store_problem_set(p, 422, "invalid", "shipped", "is before lot %ld was produced (%s)",
                          lot_id, produced);
        return;
    }
    const json_t *serials = json_object_get(line, "serials");
    snprintf(field, sizeof(field), serials ? "lots[%zu].serials" : "lots[%zu].units", i);
    if (serials)
        ship_serials(s, shipment, lot_id, serials, field, p);
    else
        ship_count(s, shipment, lot_id, (long)json_integer_value(json_object_get(line, "units")),
                   field, p);
}

/* The ObjectEvent of shipment `id`: its units, in the order of its lots. */
static void queue_shipping(store *s, long id, long producer_id, const json_t *shipment,
                           const char *base_url, store_problem *p)
{
    json_t *units =
        rows(s,
             "SELECT json_object('serial', u.serial, 'gtin', pr.gtin, 'code', l.code) "
             "FROM shipment_units u JOIN lots l ON l.id = u.lot_id JOIN products pr ON "
             "pr.id = l.product_id WHERE u.shipment_id = ?1 ORDER BY u.lot_id, u.serial",
             "i", id);
    size_t count = json_array_size(units);
    epcis_lot *lots = calloc(count ? count : 1, sizeof(*lots));
    const char **serials = calloc(count ? count : 1, sizeof(*serials));
    for (size_t i = 0; lots && serials && i < count; i++) {
        lots[i] = lot_of(json_array_get(units, i));
        serials[i] = json_string_value(json_object_get(json_array_get(units, i), "serial"));
    }
    const json_t *to = json_object_get(shipment, "to");
    epcis_shipping e = {
        .base_url = base_or_default(base_url),
        .shipment_id = id,
        .producer_id = producer_id,
        .to_name = field_text(to, "name"),
        .to_address = field_text(to, "address"),
        .shipped = field_text(shipment, "shipped"),
        .lots = lots,
        .serials = serials,
        .count = count,
        .when = time(NULL),
    };
    long first_lot = (long)json_integer_value(
        json_object_get(json_array_get(json_object_get(shipment, "lots"), 0), "lot_id"));
    queue_capture(s, store_lot_product(s, first_lot),
                  units && lots && serials ? epcis_shipping_document(&e) : NULL, p);
    free(lots);
    free(serials);
    json_decref(units);
}

long store_shipment_create(store *s, long producer_id, const json_t *shipment, const char *base_url,
                           store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    const json_t *to = json_object_get(shipment, "to");
    const char *shipped = field_text(shipment, "shipped");
    long id = 0;
    if (insert(s, &id,
               "INSERT INTO shipments (producer_id, to_name, to_address, shipped) VALUES (?1, ?2, "
               "COALESCE(?3, ''), ?4) RETURNING id",
               "ittt", producer_id, field_text(to, "name"), field_text(to, "address"),
               shipped) != 0) {
        store_problem_set(p, 500, "store", "", "cannot record the shipment");
        return finish(s, p, -1);
    }
    const json_t *lines = json_object_get(shipment, "lots");
    for (size_t i = 0; !p->status && i < json_array_size(lines); i++)
        ship_line(s, id, producer_id, shipped, json_array_get(lines, i), i, p);
    if (!p->status)
        queue_shipping(s, id, producer_id, shipment, base_url, p);
    return finish(s, p, id);
}

#define SHIPMENT_JSON                                                                              \
    "SELECT json_object('id', sh.id, 'producer_id', sh.producer_id, 'to', json_object('name', "    \
    "sh.to_name, 'address', sh.to_address), 'shipped', sh.shipped, 'lots', (SELECT "               \
    "json_group_array(json_object('lot_id', lot_id, 'units', units, 'serials', json(serials))) "   \
    "FROM (SELECT lot_id, count(*) AS units, json_group_array(serial) AS serials FROM "            \
    "shipment_units WHERE shipment_id = sh.id GROUP BY lot_id) AS units)) FROM shipments sh "

json_t *store_shipment_get(store *s, long id)
{
    return first_row(rows(s, SHIPMENT_JSON "WHERE sh.id = ?1", "i", id));
}

json_t *store_shipment_list(store *s, long producer_id)
{
    return LIST_OF(s, SHIPMENT_JSON, "sh.producer_id", "sh.id", producer_id);
}

/* ---------- the trace ---------- */

#define LOT_BRIEF_JSON                                                                             \
    "json_object('id', l.id, 'code', l.code, 'product_id', l.product_id, 'product', p.name, "      \
    "'produced', l.produced, 'expires', l.expires)"

/* Deeper than this, a chain is cut with "more": true (lots made from lots
 * are a few steps in practice; cycles are refused). */
#define TRACE_DEPTH 16

static json_t *lot_brief(store *s, long lot_id)
{
    return first_row(rows(s,
                          "SELECT " LOT_BRIEF_JSON
                          " FROM lots l JOIN products p ON p.id = l.product_id WHERE l.id = ?1",
                          "i", lot_id));
}

static json_t *backward(store *s, long lot_id, int depth)
{
    json_t *out = rows(s,
                       "SELECT json_object('input_id', input_id, 'lot_id', source_lot_id, "
                       "'quantity', quantity) FROM lot_inputs WHERE lot_id = ?1 ORDER BY id",
                       "i", lot_id);
    size_t i;
    json_t *step;
    json_array_foreach(out, i, step)
    {
        long input_id = (long)json_integer_value(json_object_get(step, "input_id"));
        long source = (long)json_integer_value(json_object_get(step, "lot_id"));
        json_t *quantity = json_incref(json_object_get(step, "quantity"));
        json_object_clear(step);
        if (input_id) {
            json_t *input = store_input_get(s, input_id);
            json_t *area =
                json_is_integer(json_object_get(input, "area_id"))
                    ? store_area_get(s, (long)json_integer_value(json_object_get(input, "area_id")))
                    : NULL;
            json_object_set(step, "supplier", json_object_get(input, "supplier"));
            json_object_set_new(step, "input", input ? input : json_null());
            json_object_set_new(step, "area", area ? area : json_null());
        } else {
            json_object_set_new(step, "lot", lot_brief(s, source));
            json_object_set_new(step, "backward",
                                depth < TRACE_DEPTH ? backward(s, source, depth + 1)
                                                    : json_array());
        }
        json_object_set_new(step, "quantity", quantity);
    }
    return out ? out : json_array();
}

static json_t *lot_shipments(store *s, long lot_id)
{
    json_t *list = rows(s,
                        "SELECT json_object('id', sh.id, 'to', json_object('name', sh.to_name, "
                        "'address', sh.to_address), 'shipped', sh.shipped, 'units', count(*)) FROM "
                        "shipment_units u JOIN shipments sh ON sh.id = u.shipment_id WHERE "
                        "u.lot_id = ?1 GROUP BY sh.id ORDER BY sh.id",
                        "i", lot_id);
    return list ? list : json_array();
}

static json_t *forward_lots(store *s, const char *sql, long id, int depth);

static json_t *forward(store *s, long lot_id, int depth)
{
    json_t *lots = depth < TRACE_DEPTH ? forward_lots(s,
                                                      "SELECT li.lot_id, li.quantity FROM "
                                                      "lot_inputs li WHERE li.source_lot_id = ?1 "
                                                      "ORDER BY li.id",
                                                      lot_id, depth + 1)
                                       : json_array();
    return json_pack("{s:o, s:o}", "lots", lots, "shipments", lot_shipments(s, lot_id));
}

/* The lots of a query of (lot id, quantity), each with its own forward. */
static json_t *forward_lots(store *s, const char *sql, long id, int depth)
{
    json_t *out = json_array();
    db_stmt *st = NULL;
    long ids[256];
    double quantities[256];
    size_t n = 0;
    if ((st = db_prepare(store_db(s), sql))) {
        db_bind_int64(st, 1, id);
        while (n < 256 && db_step(st) == DB_ROW) {
            ids[n] = (long)db_column_int64(st, 0);
            quantities[n++] = db_column_double(st, 1);
        }
    }
    db_finalize(st);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out,
                              json_pack("{s:o, s:f, s:o}", "lot", lot_brief(s, ids[i]), "quantity",
                                        quantities[i], "forward", forward(s, ids[i], depth)));
    return out;
}

static json_t *recall_or_null(store *s, long lot_id);

json_t *store_trace_lot(store *s, long lot_id)
{
    json_t *lot = lot_brief(s, lot_id);
    if (!lot)
        return NULL;
    return json_pack("{s:o, s:o, s:o, s:o}", "lot", lot, "backward", backward(s, lot_id, 0),
                     "forward", forward(s, lot_id, 0), "recall", recall_or_null(s, lot_id));
}

json_t *store_trace_input(store *s, long input_id)
{
    json_t *input = store_input_get(s, input_id);
    if (!input)
        return NULL;
    json_t *lots = forward_lots(s,
                                "SELECT li.lot_id, li.quantity FROM lot_inputs li WHERE "
                                "li.input_id = ?1 ORDER BY li.id",
                                input_id, 0);
    return json_pack("{s:o, s:{s:o}}", "input", input, "forward", "lots", lots);
}

/* ---------- recalls ---------- */

/* A recall's time as consumers read it, in Vietnam. */
#define RECALL_SINCE "strftime('%Y-%m-%dT%H:%M:%S+07:00', r.created_at, '+7 hours')"

json_t *store_lot_recall_brief(store *s, long lot_id)
{
    return first_row(rows(s,
                          "SELECT json_object('id', r.id, 'reason', r.reason, 'action', "
                          "r.action, 'since', " RECALL_SINCE ") FROM recalled_lots rl JOIN "
                          "recalls r ON r.id = rl.recall_id WHERE rl.lot_id = ?1",
                          "i", lot_id));
}

static json_t *recall_or_null(store *s, long lot_id)
{
    json_t *r = store_lot_recall_brief(s, lot_id);
    return r ? r : json_null();
}

long store_lot_recall(store *s, long lot_id)
{
    return (long)number(s, 0, "SELECT recall_id FROM recalled_lots WHERE lot_id = ?1", "i", lot_id);
}

/* Every lot made from what is recalled, at any depth, that no recall
 * covers yet, is recalled by `recall`. */
#define AFFECTED_LOTS                                                                              \
    "WITH RECURSIVE hit(id) AS (SELECT lot_id FROM lot_inputs WHERE input_id = ?2 UNION SELECT "   \
    "CAST(?3 AS BIGINT) WHERE CAST(?3 AS BIGINT) <> 0 UNION SELECT li.lot_id FROM lot_inputs li "  \
    "JOIN hit ON li.source_lot_id = "                                                              \
    "hit.id) "

/* The ObjectEvent of recall `id`: the input lot recalled, if it is one,
 * and every lot the recall took. */
static void queue_recall(store *s, long id, long lot_id, long input_id, const char *reason,
                         const char *action, const char *base_url, store_problem *p)
{
    json_t *recalled = rows(s,
                            "SELECT json_object('gtin', pr.gtin, 'code', l.code, 'product_id', "
                            "l.product_id) FROM recalled_lots rl JOIN lots l ON l.id = rl.lot_id "
                            "JOIN products pr ON pr.id = l.product_id WHERE rl.recall_id = ?1 "
                            "ORDER BY l.id",
                            "i", id);
    size_t count = json_array_size(recalled);
    epcis_lot *lots = calloc(count ? count : 1, sizeof(*lots));
    for (size_t i = 0; lots && i < count; i++)
        lots[i] = lot_of(json_array_get(recalled, i));
    epcis_recall r = {
        .base_url = base_or_default(base_url),
        .recall_id = id,
        .input_id = input_id,
        .lots = lots,
        .count = count,
        .reason = reason,
        .action = action,
        .when = time(NULL),
    };
    long product = lot_id ? store_lot_product(s, lot_id) : product_of(json_array_get(recalled, 0));
    queue_capture(s, product, recalled && lots ? epcis_recall_document(&r) : NULL, p);
    free(lots);
    json_decref(recalled);
}

long store_recall_create(store *s, long lot_id, long input_id, const char *reason,
                         const char *action, long user_id, const char *base_url, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    long before =
        lot_id ? store_lot_recall(s, lot_id)
               : (long)number(s, 0, "SELECT id FROM recalls WHERE input_id = ?1", "i", input_id);
    if (before) {
        store_problem_set(p, 409, "already_recalled", lot_id ? "lot" : "input",
                          "%s %ld is recalled already (recall %ld)", lot_id ? "lot" : "input lot",
                          lot_id ? lot_id : input_id, before);
        return finish(s, p, -1);
    }
    long id = 0;
    if (insert(s, &id,
               "INSERT INTO recalls (lot_id, input_id, reason, action, user_id) VALUES "
               "(NULLIF(CAST(?1 AS BIGINT), 0), NULLIF(CAST(?2 AS BIGINT), 0), ?3, ?4, "
               "NULLIF(CAST(?5 AS BIGINT), 0)) "
               "RETURNING id",
               "iitti", lot_id, input_id, reason, action, user_id) != 0) {
        store_problem_set(p, 500, "store", "", "cannot record the recall");
        return finish(s, p, -1);
    }
    if (change(s,
               AFFECTED_LOTS
               "INSERT INTO recalled_lots (lot_id, recall_id) SELECT id, CAST(?1 AS BIGINT) "
               "FROM hit WHERE true ON CONFLICT DO NOTHING",
               "iii", id, input_id, lot_id) != 0)
        store_problem_set(p, 500, "store", "", "cannot record the recalled lots");
    if (!p->status)
        queue_recall(s, id, lot_id, input_id, reason, action, base_url, p);
    return finish(s, p, id);
}

/* Each lot the recall reaches (those it recalled, and for an input those
 * that an earlier recall covers), with its units and where they went. */
#define RECALL_JSON                                                                                \
    "SELECT json_object('id', r.id, 'kind', CASE WHEN r.lot_id IS NULL THEN 'input' ELSE 'lot' "   \
    "END, 'lot_id', r.lot_id, 'input_id', r.input_id, 'reason', r.reason, 'action', r.action, "    \
    "'since', " RECALL_SINCE ", 'lots', json('[]')) FROM recalls r "

static json_t *recall_lots(store *s, long recall_id)
{
    json_t *lots = rows(s,
                        "SELECT json_object('lot_id', l.id, 'code', l.code, 'product_id', "
                        "l.product_id, 'product', p.name, 'units', (SELECT count(*) FROM serials x "
                        "WHERE x.lot_id = l.id)) FROM recalled_lots rl JOIN lots l ON l.id = "
                        "rl.lot_id JOIN products p ON p.id = l.product_id WHERE rl.recall_id = ?1 "
                        "ORDER BY l.id",
                        "i", recall_id);
    size_t i;
    json_t *lot;
    json_array_foreach(lots, i, lot) json_object_set_new(
        lot, "shipments",
        lot_shipments(s, (long)json_integer_value(json_object_get(lot, "lot_id"))));
    return lots ? lots : json_array();
}

static json_t *recall_filled(store *s, json_t *r)
{
    if (!r)
        return NULL;
    json_object_set_new(r, "lots",
                        recall_lots(s, (long)json_integer_value(json_object_get(r, "id"))));
    return r;
}

json_t *store_recall_get(store *s, long id)
{
    return recall_filled(s, first_row(rows(s, RECALL_JSON "WHERE r.id = ?1", "i", id)));
}

json_t *store_recall_list(store *s, long producer_id)
{
    json_t *list =
        producer_id ? rows(s,
                           RECALL_JSON
                           "WHERE COALESCE((SELECT p.producer_id FROM lots l JOIN products p ON "
                           "p.id = l.product_id WHERE l.id = r.lot_id), (SELECT producer_id FROM "
                           "inputs WHERE id = r.input_id)) = ?1 ORDER BY r.id",
                           "i", producer_id)
                    : rows(s, RECALL_JSON "ORDER BY r.id", "");
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r) recall_filled(s, r);
    return list;
}

long store_recall_owner(store *s, long id)
{
    return (long)number(s, 0,
                        "SELECT COALESCE((SELECT p.producer_id FROM lots l JOIN products p ON p.id "
                        "= l.product_id WHERE l.id = r.lot_id), (SELECT producer_id FROM inputs "
                        "WHERE id = r.input_id)) FROM recalls r WHERE r.id = ?1",
                        "i", id);
}
