/*
 * Production lots and their serials: creating, finding and reading them,
 * and who owns them.
 */
#include "internal.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *lot_list_row(sqlite3_stmt *st)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                     "code", store_column_text(st, 1), "produced",
                     store_column_text(st, 2) ? json_string(store_column_text(st, 2)) : json_null(),
                     "expires",
                     store_column_text(st, 3) ? json_string(store_column_text(st, 3)) : json_null(),
                     "serials", (json_int_t)sqlite3_column_int64(st, 4));
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
    sqlite3_stmt *st = NULL;
    long id = 0;
    const char *sql = gtin ? "SELECT l.id FROM lots l JOIN products p ON p.id = l.product_id WHERE "
                             "p.gtin = ?1 AND l.code = ?2"
                           : "SELECT l.id FROM lots l JOIN serials x ON x.lot_id = l.id WHERE "
                             "l.code = ?2 AND x.serial = ?3";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        store_bind_optional(st, 1, gtin);
        store_bind_optional(st, 2, lot);
        store_bind_optional(st, 3, serial);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return id;
}

long store_lot_create(store *s, long product_id, const char *code, const char *produced,
                      const char *expires, char error[STORE_ERROR_MAX])
{
    sqlite3_stmt *st = NULL;
    long id = -1;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO lots (product_id, code, produced, expires) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, product_id);
        store_bind_optional(st, 2, code);
        store_bind_optional(st, 3, produced);
        store_bind_optional(st, 4, expires);
        int rc = store_step_done(st);
        id = rc == 0 ? (long)sqlite3_last_insert_rowid(s->db)
             : sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE ? -2
                                                                           : -1;
    }
    if (id < 0)
        store_set_error(error, "cannot add the lot", s->db);
    return id;
}

json_t *store_lot_get(store *s, long id)
{
    sqlite3_stmt *st = NULL;
    json_t *result = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT l.id, l.product_id, l.code, l.produced, l.expires, "
                           "(SELECT count(*) FROM serials WHERE lot_id = l.id) "
                           "FROM lots l WHERE l.id = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            result = json_pack(
                "{s:I, s:I, s:s, s:o, s:o, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                "product_id", (json_int_t)sqlite3_column_int64(st, 1), "code",
                store_column_text(st, 2), "produced",
                store_column_text(st, 3) ? json_string(store_column_text(st, 3)) : json_null(),
                "expires",
                store_column_text(st, 4) ? json_string(store_column_text(st, 4)) : json_null(),
                "serials", (json_int_t)sqlite3_column_int64(st, 5));
    }
    sqlite3_finalize(st);
    return result;
}

/* A savepoint rather than a transaction, so that a caller may hold it in
 * its own (the PINs of a scratch-off product go in with their serials). */
int store_serials_add(store *s, long lot_id, const char *const *serials, size_t count,
                      const char *commissioning, char error[STORE_ERROR_MAX])
{
    if (store_exec(s, "SAVEPOINT serials_add", error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "INSERT INTO serials (lot_id, serial) VALUES (?1, ?2)", -1,
                                &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < count; i++) {
        sqlite3_bind_int64(st, 1, lot_id);
        sqlite3_bind_text(st, 2, serials[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(st);
    }
    int repeat = rc != SQLITE_OK && sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY;
    if (rc == SQLITE_OK && commissioning &&
        store_outbox_add(s, "commissioning", store_lot_product(s, lot_id), "/capture",
                         "application/ld+json", commissioning) != 0)
        rc = SQLITE_ERROR;
    if (rc != SQLITE_OK)
        store_set_error(error, "cannot add the serials", s->db);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        char ignored[STORE_ERROR_MAX];
        store_exec(s, "ROLLBACK TO serials_add; RELEASE serials_add", ignored);
        return repeat ? -2 : -1;
    }
    return store_exec(s, "RELEASE serials_add", error);
}

json_t *store_lot_serials(store *s, long lot_id)
{
    sqlite3_stmt *st = NULL;
    json_t *list = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT serial FROM serials WHERE lot_id = ?1 ORDER BY serial",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, lot_id);
    list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, json_string(store_column_text(st, 0)));
    sqlite3_finalize(st);
    return list;
}
