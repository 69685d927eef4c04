/*
 * The outbox: deliveries owed to the remote traceability system, queued in
 * the transaction of the change they report, and what the sync worker made
 * of each attempt. A delivery's Idempotency-Key is this installation's id
 * and the row's, so it stays the same across retries and restarts and
 * differs from another database's.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_outbox_add(store *s, const char *kind, long product_id, const char *path,
                     const char *content_type, const char *body)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s),
                          "INSERT INTO outbox (kind, product_id, path, content_type, body) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)")))
        return -1;
    db_bind_text(st, 1, kind);
    db_bind_int64(st, 2, product_id);
    db_bind_text(st, 3, path);
    db_bind_text(st, 4, content_type);
    db_bind_text(st, 5, body);
    return store_step_done(st) == 0 ? 0 : -1;
}

int store_outbox_add_json(store *s, const char *kind, long product_id, const char *path,
                          json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    int rc = text ? store_outbox_add(s, kind, product_id, path, "application/json", text) : -1;
    free(text);
    return rc;
}

static void copy_column(char *out, size_t size, db_stmt *st, int column)
{
    const char *text = db_column_text(st, column);
    snprintf(out, size, "%s", text ? text : "");
}

const char *store_outbox_claims_migration(void)
{
    return "ALTER TABLE outbox ADD COLUMN claimed_by TEXT;"
           "ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;";
}

/* Only the oldest pending delivery of a product may go: one retrying holds
 * back the later ones of its product, and nobody else's. A delivery another
 * worker holds (its lease not yet run out) is not due; on PostgreSQL, rows
 * another daemon is claiming at this moment are skipped, not waited for. */
#define CLAIM(lock)                                                                                \
    "UPDATE outbox SET claimed_by = ?3, claimed_until = CAST(?1 AS BIGINT) + CAST(?4 AS BIGINT) "  \
    "WHERE id IN (SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.next_at <= ?1 AND "    \
    "o.claimed_until <= ?1 AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.product_id = "           \
    "o.product_id AND e.state = 'pending' AND e.id < o.id) ORDER BY o.id LIMIT ?2" lock ") "       \
    "RETURNING id, (SELECT value FROM meta WHERE key = 'instance') || '-' || id, kind, path, "     \
    "content_type, body, attempts"

static int by_id(const void *a, const void *b)
{
    long x = ((const store_delivery *)a)->id, y = ((const store_delivery *)b)->id;
    return (x > y) - (x < y);
}

int store_sync_claim(store *s, const char *owner, long long now_ms, long long lease_ms,
                     store_delivery *out, int max)
{
    db_stmt *st = db_prepare(
        store_db(s), store_backend(s) == DB_SQLITE ? CLAIM("") : CLAIM(" FOR UPDATE SKIP LOCKED"));
    if (!st)
        return -1;
    db_bind_int64(st, 1, now_ms);
    db_bind_int64(st, 2, max);
    db_bind_text(st, 3, owner);
    db_bind_int64(st, 4, lease_ms);
    int n = 0;
    while (n < max && db_step(st) == DB_ROW) {
        store_delivery *d = &out[n];
        const char *body = db_column_text(st, 5);
        d->id = (long)db_column_int64(st, 0);
        copy_column(d->key, sizeof(d->key), st, 1);
        copy_column(d->kind, sizeof(d->kind), st, 2);
        copy_column(d->path, sizeof(d->path), st, 3);
        copy_column(d->content_type, sizeof(d->content_type), st, 4);
        d->body = strdup(body ? (const char *)body : "");
        d->attempts = (int)db_column_int64(st, 6);
        if (d->body)
            n++;
    }
    db_finalize(st);
    qsort(out, (size_t)n, sizeof(*out), by_id);
    return n;
}

void store_delivery_free(store_delivery *d)
{
    free(d->body);
    d->body = NULL;
}

static int record_one(db_stmt *st, const store_sync_result *r)
{
    db_bind_int64(st, 1, r->id);
    if (r->status)
        db_bind_int64(st, 2, r->status);
    else
        db_bind_null(st, 2);
    db_bind_int64(st, 3, (int)r->outcome);
    db_bind_int64(st, 4, r->outcome == SYNC_RETRY ? r->next_ms : 0);
    db_bind_text(st, 5, r->error);
    db_bind_text(st, 6, r->outcome == SYNC_DEAD ? r->response : NULL);
    int rc = db_step(st) == DB_DONE ? 0 : -1;
    db_reset(st);
    return rc;
}

/* The last success or error, kept for `sync status`. */
static int note_last(store *s, const char *key, const char *error)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s),
                          "INSERT INTO meta (key, value) VALUES (?1, "
                          "strftime('%Y-%m-%dT%H:%M:%SZ','now') || COALESCE(' ' || ?2, '')) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value")))
        return -1;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, error);
    return store_step_done(st);
}

int store_sync_record(store *s, const store_sync_result *results, int count)
{
    char error[STORE_ERROR_MAX];
    if (count <= 0)
        return 0;
    if (store_transaction(s, error) != 0)
        return -1;
    db_stmt *st = NULL;
    int rc =
        (st = db_prepare(store_db(s),
                         "UPDATE outbox SET attempts = attempts + 1, last_status = ?2, "
                         "state = CASE CAST(?3 AS BIGINT) WHEN 0 THEN 'delivered' WHEN 2 THEN "
                         "'dead' ELSE 'pending' END, "
                         "next_at = ?4, last_error = ?5, response = ?6, claimed_until = 0, "
                         "delivered_at = CASE "
                         "CAST(?3 AS BIGINT) WHEN 0 "
                         "THEN strftime('%Y-%m-%dT%H:%M:%SZ','now') END WHERE id = ?1 AND state = "
                         "'pending'"))
            ? 0
            : -1;
    const char *last_error = NULL;
    int delivered = 0;
    for (int i = 0; rc == 0 && i < count; i++) {
        rc = record_one(st, &results[i]);
        if (results[i].outcome == SYNC_DELIVERED)
            delivered = 1;
        else
            last_error = results[i].error;
    }
    db_finalize(st);
    if (rc == 0 && delivered)
        rc = note_last(s, "sync_last_success", NULL);
    if (rc == 0 && last_error)
        rc = note_last(s, "sync_last_error", last_error);
    if (rc != 0 || store_exec(s, "COMMIT", error) != 0) {
        store_exec(s, "ROLLBACK", error);
        return -1;
    }
    return 0;
}

int store_sync_count(store *s, store_sync_counts *counts)
{
    db_stmt *st = NULL;
    memset(counts, 0, sizeof(*counts));
    if (!(st = db_prepare(store_db(s),
                          "SELECT state, attempts > 0, count(*) FROM outbox GROUP BY 1, 2")))
        return -1;
    while (db_step(st) == DB_ROW) {
        const char *state = db_column_text(st, 0);
        long n = (long)db_column_int64(st, 2);
        if (strcmp(state, "delivered") == 0)
            counts->delivered += n;
        else if (strcmp(state, "dead") == 0)
            counts->dead += n;
        else if ((int)db_column_int64(st, 1))
            counts->retrying += n;
        else
            counts->pending += n;
    }
    db_finalize(st);
    return 0;
}

static json_t *meta_value(store *s, const char *key)
{
    db_stmt *st = NULL;
    json_t *value = json_null();
    if ((st = db_prepare(store_db(s), "SELECT value FROM meta WHERE key = ?1"))) {
        db_bind_text(st, 1, key);
        if (db_step(st) == DB_ROW) {
            json_decref(value);
            value = json_string(db_column_text(st, 0));
        }
    }
    db_finalize(st);
    return value;
}

static json_t *text_or_null(db_stmt *st, int column)
{
    const char *text = db_column_text(st, column);
    return text ? json_string(text) : json_null();
}

static json_t *dead_letters(store *s)
{
    db_stmt *st = NULL;
    json_t *list = json_array();
    if ((st = db_prepare(store_db(s),
                         "SELECT o.id, o.kind, (SELECT value FROM meta WHERE key = 'instance') "
                         "|| '-' || o.id, o.last_status, o.last_error, o.response, o.attempts "
                         "FROM outbox o WHERE o.state = 'dead' ORDER BY o.id LIMIT 100")))
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                list,
                json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:i}", "id",
                          (json_int_t)db_column_int64(st, 0), "kind", db_column_text(st, 1), "key",
                          db_column_text(st, 2), "status",
                          db_column_is_null(st, 3) ? json_null()
                                                   : json_integer((int)db_column_int64(st, 3)),
                          "error", text_or_null(st, 4), "response", text_or_null(st, 5), "attempts",
                          (int)db_column_int64(st, 6)));
    db_finalize(st);
    return list;
}

json_t *store_sync_status(store *s)
{
    store_sync_counts c;
    if (store_sync_count(s, &c) != 0)
        return NULL;
    return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "pending", (json_int_t)c.pending,
                     "retrying", (json_int_t)c.retrying, "dead", (json_int_t)c.dead, "delivered",
                     (json_int_t)c.delivered, "last_error", meta_value(s, "sync_last_error"),
                     "last_success", meta_value(s, "sync_last_success"), "dead_letters",
                     dead_letters(s));
}

long store_sync_retry(store *s, long id)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s),
                          "UPDATE outbox SET state = 'pending', attempts = 0, next_at = 0 "
                          "WHERE state = 'dead' AND (?1 = 0 OR id = ?1)")))
        return -1;
    db_bind_int64(st, 1, id);
    return store_step_done(st) == 0 ? (long)db_changes(store_db(s)) : -1;
}
