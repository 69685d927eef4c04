/*
 * Production lots and their serials: creating, finding and reading them,
 * and who owns them.
 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *lot_list_row(db_stmt *st)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:I}", "id", (json_int_t)db_column_int64(st, 0), "code",
                     store_column_text(st, 1), "produced",
                     store_column_text(st, 2) ? json_string(store_column_text(st, 2)) : json_null(),
                     "expires",
                     store_column_text(st, 3) ? json_string(store_column_text(st, 3)) : json_null(),
                     "serials", (json_int_t)db_column_int64(st, 4));
}

json_t *store_lot_list(store *s, long product_id)
{
    return store_query_by_id(
        s,
        "SELECT l.id, l.code, l.produced, l.expires, (SELECT count(*) FROM serials "
        "x WHERE x.lot_id = l.id) FROM lots l WHERE l.product_id = ?1 ORDER BY l.id",
        product_id, lot_list_row, 1);
}

long store_lot_product(store *s, long id)
{
    return store_owner_of(s, "SELECT product_id FROM lots WHERE id = ?1", id);
}

long store_lot_owner(store *s, long id)
{
    return store_owner_of(s,
                          "SELECT p.producer_id FROM lots l JOIN products p ON p.id = l.product_id "
                          "WHERE l.id = ?1",
                          id);
}

long store_lot_find(store *s, const char *gtin, const char *lot, const char *serial)
{
    db_stmt *st = NULL;
    long id = 0;
    const char *sql = gtin ? "SELECT l.id FROM lots l JOIN products p ON p.id = l.product_id WHERE "
                             "p.gtin = ?1 AND l.code = ?2"
                           : "SELECT l.id FROM lots l JOIN serials x ON x.lot_id = l.id WHERE "
                             "l.code = ?2 AND x.serial = ?3";
    if ((st = db_prepare(s->conn, sql))) {
        store_bind_optional(st, 1, gtin);
        store_bind_optional(st, 2, lot);
        store_bind_optional(st, 3, serial);
        if (db_step(st) == DB_ROW)
            id = (long)db_column_int64(st, 0);
    }
    db_finalize(st);
    return id;
}

long store_lot_create(store *s, long product_id, const char *code, const char *produced,
                      const char *expires, char error[STORE_ERROR_MAX])
{
    db_stmt *st = NULL;
    long id = -1;
    if ((st = db_prepare(s->conn, "INSERT INTO lots (product_id, code, produced, expires) "
                                  "VALUES (?1, ?2, ?3, ?4) RETURNING id"))) {
        db_bind_int64(st, 1, product_id);
        store_bind_optional(st, 2, code);
        store_bind_optional(st, 3, produced);
        store_bind_optional(st, 4, expires);
        int rc = store_step_id(st, &id);
        id = rc == DB_UNIQUE ? -2 : rc ? -1 : id;
    }
    if (id < 0)
        store_set_error(error, "cannot add the lot", s->conn);
    return id;
}

json_t *store_lot_get(store *s, long id)
{
    db_stmt *st = NULL;
    json_t *result = NULL;
    if ((st = db_prepare(s->conn, "SELECT l.id, l.product_id, l.code, l.produced, l.expires, "
                                  "(SELECT count(*) FROM serials WHERE lot_id = l.id) "
                                  "FROM lots l WHERE l.id = ?1"))) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW)
            result = json_pack(
                "{s:I, s:I, s:s, s:o, s:o, s:I}", "id", (json_int_t)db_column_int64(st, 0),
                "product_id", (json_int_t)db_column_int64(st, 1), "code", store_column_text(st, 2),
                "produced",
                store_column_text(st, 3) ? json_string(store_column_text(st, 3)) : json_null(),
                "expires",
                store_column_text(st, 4) ? json_string(store_column_text(st, 4)) : json_null(),
                "serials", (json_int_t)db_column_int64(st, 5));
    }
    db_finalize(st);
    return result;
}

/* The serials a row each: on SQLite a statement costs no round trip. */
static int serials_insert_rows(store *s, long lot_id, const char *const *serials, size_t count)
{
    db_stmt *st = db_prepare(s->conn, "INSERT INTO serials (lot_id, serial) VALUES (?1, ?2)");
    int rc = st ? DB_OK : DB_FAILED;
    for (size_t i = 0; rc == DB_OK && i < count; i++) {
        db_bind_int64(st, 1, lot_id);
        db_bind_text(st, 2, serials[i]);
        rc = db_step(st);
        rc = rc == DB_DONE ? DB_OK : rc;
        db_reset(st);
    }
    db_finalize(st);
    return rc;
}

/* PostgreSQL: the serials in one statement, as a JSON array: a statement
 * a serial was a round trip each, most of the time they took. */
static int serials_insert_set(store *s, long lot_id, const char *const *serials, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        if (json_array_append_new(list, json_string(serials[i])) != 0)
            json_decref(list), list = NULL;
    char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    db_stmt *st = text ? db_prepare(s->conn, "INSERT INTO serials (lot_id, serial) SELECT "
                                             "CAST(?1 AS BIGINT), value FROM "
                                             "jsonb_array_elements_text(CAST(?2 AS JSONB))")
                       : NULL;
    int rc = DB_FAILED;
    if (st) {
        db_bind_int64(st, 1, lot_id);
        db_bind_text(st, 2, text);
        rc = db_step(st);
        rc = rc == DB_DONE ? DB_OK : rc;
    }
    db_finalize(st);
    free(text);
    return rc;
}

/* A savepoint rather than a transaction, so that a caller may hold it in
 * its own (the PINs of a scratch-off product go in with their serials). */
int store_serials_add(store *s, long lot_id, const char *const *serials, size_t count,
                      const char *commissioning, char error[STORE_ERROR_MAX])
{
    if (store_change_begin(s, error) != 0)
        return -1;
    int rc = count == 0                          ? DB_OK
             : store_backend(s) == DB_POSTGRESQL ? serials_insert_set(s, lot_id, serials, count)
                                                 : serials_insert_rows(s, lot_id, serials, count);
    int repeat = rc == DB_UNIQUE;
    if (rc == DB_OK && commissioning &&
        store_outbox_add(s, "commissioning", store_lot_product(s, lot_id), "/capture",
                         "application/ld+json", commissioning) != 0)
        rc = DB_FAILED;
    if (rc != DB_OK)
        store_set_error(error, "cannot add the serials", s->conn);
    if (rc != DB_OK) {
        store_change_end(s, 0);
        return repeat ? -2 : -1;
    }
    if (store_change_end(s, 1) != 0)
        return store_set_error(error, "cannot add the serials", s->conn), -1;
    return 0;
}

json_t *store_lot_serials(store *s, long lot_id)
{
    db_stmt *st = NULL;
    json_t *list = NULL;
    if (!(st = db_prepare(s->conn, "SELECT serial FROM serials WHERE lot_id = ?1 ORDER BY serial")))
        return NULL;
    db_bind_int64(st, 1, lot_id);
    list = json_array();
    while (db_step(st) == DB_ROW)
        json_array_append_new(list, json_string(store_column_text(st, 0)));
    db_finalize(st);
    return list;
}
