/*
 * Producers: creating, changing, reading and listing them.
 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int store_producer_exists(store *s, long id)
{
    db_stmt *st = NULL;
    int found = -1;
    if ((st = db_prepare(s->conn, "SELECT 1 FROM producers WHERE id = ?1"))) {
        db_bind_int64(st, 1, id);
        int rc = db_step(st);
        found = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
    }
    db_finalize(st);
    return found;
}

long store_producer_create(store *s, const store_producer *p, char error[STORE_ERROR_MAX])
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(s->conn,
                          "INSERT INTO producers (name, address, kind, phone, locality) "
                          "VALUES (?1, COALESCE(?2, ''), ?3, COALESCE(?4, ''), COALESCE(?5, '')) "
                          "RETURNING id")))
        return store_set_error(error, "cannot add the producer", s->conn), -1;
    store_bind_optional(st, 1, p->name);
    store_bind_optional(st, 2, p->address);
    store_bind_optional(st, 3, p->kind);
    store_bind_optional(st, 4, p->phone);
    store_bind_optional(st, 5, p->locality);
    long id = 0;
    if (store_step_id(st, &id) != 0)
        return store_set_error(error, "cannot add the producer", s->conn), -1;
    return id;
}

int store_producer_update(store *s, long id, const store_producer *p, char error[STORE_ERROR_MAX])
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(s->conn, "UPDATE producers SET name = COALESCE(?2, name), "
                                   "address = COALESCE(?3, address), kind = COALESCE(?4, kind), "
                                   "phone = COALESCE(?5, phone), locality = COALESCE(?6, locality) "
                                   "WHERE id = ?1")))
        return store_set_error(error, "cannot change the producer", s->conn), -1;
    db_bind_int64(st, 1, id);
    store_bind_optional(st, 2, p->name);
    store_bind_optional(st, 3, p->address);
    store_bind_optional(st, 4, p->kind);
    store_bind_optional(st, 5, p->phone);
    store_bind_optional(st, 6, p->locality);
    if (store_step_done(st) != 0)
        return store_set_error(error, "cannot change the producer", s->conn), -1;
    return db_changes(s->conn) > 0 ? 1 : 0;
}

/* A producer from the columns at `at` onwards, in PRODUCER_COLUMNS order. */
json_t *store_producer_row_at(db_stmt *st, int at)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)db_column_int64(st, at), "name", db_column_text(st, at + 1),
                     "address", db_column_text(st, at + 2), "kind", db_column_text(st, at + 3),
                     "phone", db_column_text(st, at + 4), "locality", db_column_text(st, at + 5),
                     "created_at", db_column_text(st, at + 6));
}

static json_t *producer_row(db_stmt *st)
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
