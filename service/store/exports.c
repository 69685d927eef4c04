/*
 * The lists the province reports upward, as the officers download them:
 * products by stars with their certificate in force, dossiers by state,
 * certificates expiring. Each query is written once for SQLite and
 * PostgreSQL (text dates compare as text on both).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* A column of a query's rows: its key in the row object, and whether it
 * reads as a whole number ('i') or text ('s'). NULL stays null. */
typedef struct {
    const char *key;
    char type;
} export_column;

/* Every row of a bound statement as an object of `columns`, finalizing
 * it; NULL when the query failed. */
static json_t *rows_of(db_stmt *st, const export_column *columns, size_t count)
{
    json_t *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *row = json_object();
        for (size_t c = 0; c < count; c++) {
            json_t *v = db_column_is_null(st, (int)c) ? json_null()
                        : columns[c].type == 'i'      ? json_integer(db_column_int64(st, (int)c))
                                                      : json_string(store_column_text(st, (int)c));
            json_object_set_new(row, columns[c].key, v ? v : json_null());
        }
        json_array_append_new(rows, row);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

/* The product groups in the decision's order (1 food ... 6 tourism),
 * which the lists sort by. */
#define GROUP_ORDER(column)                                                                        \
    "CASE " column " WHEN 'food' THEN 1 WHEN 'drink' THEN 2 WHEN 'herbal' THEN 3 "                 \
    "WHEN 'handicraft' THEN 4 WHEN 'ornamental' THEN 5 WHEN 'tourism' THEN 6 ELSE 7 END"

/* Certificates in force on ?1: not revoked, valid to that day or later. */
#define IN_FORCE(c) c ".revoked_at IS NULL AND " c ".valid_until >= ?1"

json_t *store_export_products(store *s, const char *today)
{
    static const export_column columns[] = {
        {"id", 'i'},       {"name", 's'},  {"group", 's'},  {"producer", 's'}, {"kind", 's'},
        {"locality", 's'}, {"stars", 'i'}, {"number", 's'}, {"decided", 's'},  {"valid_until", 's'},
    };
    /* A product renewed before its recognition ended has two certificates
     * in force: its row is the one that ends last. */
    db_stmt *st = db_prepare(
        s->conn,
        "SELECT p.id, p.name, p.grp, r.name, r.kind, r.locality, e.stars, c.number, "
        "c.decision_date, c.valid_until FROM certificates c "
        "JOIN evaluations e ON e.id = c.evaluation_id JOIN products p ON p.id = e.product_id "
        "JOIN producers r ON r.id = p.producer_id WHERE " IN_FORCE(
            "c") " AND NOT EXISTS ("
                 "SELECT 1 FROM certificates c2 JOIN evaluations e2 ON e2.id = c2.evaluation_id "
                 "WHERE e2.product_id = p.id AND " IN_FORCE(
                     "c2") " AND (c2.valid_until > c.valid_until "
                           "OR (c2.valid_until = c.valid_until AND c2.id > c.id))) "
                           "ORDER BY e.stars DESC, " GROUP_ORDER("p.grp") ", p.name, p.id");
    if (!st)
        return NULL;
    db_bind_text(st, 1, today);
    return rows_of(st, columns, sizeof(columns) / sizeof(columns[0]));
}

json_t *store_export_dossiers(store *s, const char *state)
{
    static const export_column columns[] = {
        {"id", 'i'},    {"product", 's'}, {"group", 's'},        {"producer", 's'},
        {"state", 's'}, {"sheet", 's'},   {"submitted_at", 's'}, {"updated_at", 's'},
        {"total", 'i'}, {"mean", 's'},    {"stars", 'i'},
    };
    /* The states in the order the schema lists them, which is the
     * decision's (store/dossiers.c). */
    db_stmt *st = db_prepare(
        s->conn,
        "SELECT d.id, p.name, p.grp, r.name, d.state, d.sheet, (SELECT min(t.at) FROM "
        "dossier_transitions t WHERE t.dossier_id = d.id AND t.to_state = 'submitted'), "
        "d.updated_at, d.score_a + d.score_b + d.score_c, d.score_mean, d.stars "
        "FROM dossiers d JOIN products p ON p.id = d.product_id "
        "JOIN producers r ON r.id = p.producer_id WHERE (CAST(?1 AS TEXT) IS NULL OR d.state = ?1) "
        "ORDER BY CASE d.state WHEN 'draft' THEN 1 WHEN 'submitted' THEN 2 WHEN 'checked' THEN 3 "
        "WHEN 'returned' THEN 4 WHEN 'scoring' THEN 5 WHEN 'scored' THEN 6 "
        "WHEN 'recognised' THEN 7 WHEN 'not_recognised' THEN 8 ELSE 9 END, d.id");
    if (!st)
        return NULL;
    store_bind_optional(st, 1, state);
    return rows_of(st, columns, sizeof(columns) / sizeof(columns[0]));
}

json_t *store_export_expiring(store *s, const char *today, const char *until)
{
    static const export_column columns[] = {
        {"number", 's'}, {"product", 's'}, {"producer", 's'}, {"stars", 'i'}, {"valid_until", 's'},
    };
    db_stmt *st = db_prepare(
        s->conn,
        "SELECT c.number, p.name, r.name, e.stars, c.valid_until FROM certificates c "
        "JOIN evaluations e ON e.id = c.evaluation_id JOIN products p ON p.id = "
        "e.product_id JOIN producers r ON r.id = p.producer_id WHERE " IN_FORCE(
            "c") " AND substr(c.valid_until, 1, 10) <= ?2 ORDER BY c.valid_until, c.number");
    if (!st)
        return NULL;
    db_bind_text(st, 1, today);
    db_bind_text(st, 2, until);
    return rows_of(st, columns, sizeof(columns) / sizeof(columns[0]));
}
