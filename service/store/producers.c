/*
 * Producers: creating, changing, reading and listing them.
 */
#include "internal.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int store_producer_exists(store *s, long id)
{
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM producers WHERE id = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(st);
    return found;
}

long store_producer_create(store *s, const store_producer *p, char error[STORE_ERROR_MAX])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO producers (name, address, kind, phone, locality) "
                           "VALUES (?1, COALESCE(?2, ''), ?3, COALESCE(?4, ''), COALESCE(?5, ''))",
                           -1, &st, NULL) != SQLITE_OK)
        return store_set_error(error, "cannot add the producer", s->db), -1;
    store_bind_optional(st, 1, p->name);
    store_bind_optional(st, 2, p->address);
    store_bind_optional(st, 3, p->kind);
    store_bind_optional(st, 4, p->phone);
    store_bind_optional(st, 5, p->locality);
    if (store_step_done(st) != 0)
        return store_set_error(error, "cannot add the producer", s->db), -1;
    return (long)sqlite3_last_insert_rowid(s->db);
}

int store_producer_update(store *s, long id, const store_producer *p, char error[STORE_ERROR_MAX])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE producers SET name = COALESCE(?2, name), "
                           "address = COALESCE(?3, address), kind = COALESCE(?4, kind), "
                           "phone = COALESCE(?5, phone), locality = COALESCE(?6, locality) "
                           "WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return store_set_error(error, "cannot change the producer", s->db), -1;
    sqlite3_bind_int64(st, 1, id);
    store_bind_optional(st, 2, p->name);
    store_bind_optional(st, 3, p->address);
    store_bind_optional(st, 4, p->kind);
    store_bind_optional(st, 5, p->phone);
    store_bind_optional(st, 6, p->locality);
    if (store_step_done(st) != 0)
        return store_set_error(error, "cannot change the producer", s->db), -1;
    return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

/* A producer from the columns at `at` onwards, in PRODUCER_COLUMNS order. */
json_t *store_producer_row_at(sqlite3_stmt *st, int at)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)sqlite3_column_int64(st, at), "name",
                     (const char *)sqlite3_column_text(st, at + 1), "address",
                     (const char *)sqlite3_column_text(st, at + 2), "kind",
                     (const char *)sqlite3_column_text(st, at + 3), "phone",
                     (const char *)sqlite3_column_text(st, at + 4), "locality",
                     (const char *)sqlite3_column_text(st, at + 5), "created_at",
                     (const char *)sqlite3_column_text(st, at + 6));
}

static json_t *producer_row(sqlite3_stmt *st)
{
    return store_producer_row_at(st, 0);
}

#define PRODUCER_COLUMNS "id, name, address, kind, phone, locality, created_at"
json_t *store_producer_get(store *s, long id)
{
    return store_query_by_id(s, "SELECT " PRODUCER_COLUMNS " FROM producers WHERE id = ?1", id,
                             producer_row, 0);
}

json_t *store_producer_list(store *s, long only_id)
{
    return store_query_by_id(
        s, "SELECT " PRODUCER_COLUMNS " FROM producers WHERE ?1 = 0 OR id = ?1 ORDER BY id",
        only_id, producer_row, 1);
}
