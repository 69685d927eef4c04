/*
 * What the files of the store share and nothing else sees: the
 * connection and the helpers every query uses.
 */
#ifndef OCOPTRACE_STORE_PRIVATE_H
#define OCOPTRACE_STORE_PRIVATE_H

#include "db.h"
#include "store.h"

/* The statements a connection keeps prepared: the resolver's and the
 * token's run on every request, and parsing them each time cost more than
 * running them. */
#define STATEMENTS_KEPT 48

/* How deep changes (store_change_begin) may nest. */
#define CHANGES_NESTED_MAX 8

struct store {
    db *conn;
    int changes;                    /* changes begun and not yet ended */
    char owned[CHANGES_NESTED_MAX]; /* each: a transaction of its own, not a savepoint */
    int version;
    int applied;
    struct {
        const char *sql; /* a literal: its address names it */
        db_stmt *st;
    } kept[STATEMENTS_KEPT];
};

/* The connection, and which database it is. */
db *store_db(store *s);
db_backend store_backend(const store *s);
/* Runs a statement without values (DDL, transactions); 0 or -1 with error. */
int store_exec(store *s, const char *sql, char error[STORE_ERROR_MAX]);
/* Steps a statement once and finalizes it: 0 when it ran to the end, else
 * the error's code (DB_UNIQUE...). */
int store_step_done(db_stmt *st);
void store_set_error(char error[STORE_ERROR_MAX], const char *what, db *conn);
/* The hex BLAKE2b hash a token (API or session) is kept as. */
void store_token_hash(const char *token, char hex[65]);

/* A statement prepared once for the connection's life (`sql` a literal:
 * its address names it); give it back with store_release(). */
db_stmt *store_kept(store *s, const char *sql);
void store_release(store *s, db_stmt *st);
/* Steps a kept statement that returns no row: 0, or the error's code. */
int store_kept_done(store *s, db_stmt *st);
/* Steps an INSERT ... RETURNING id (or any change) once and finalizes it:
 * 0 with the new row's id in *id (left alone when no row came back), or the
 * error's code (DB_UNIQUE...). */
int store_step_id(db_stmt *st, long *id);
/* BEGIN, taking the write lock at once on SQLite: 0, or -1 with error. */
int store_transaction(store *s, char error[STORE_ERROR_MAX]);
/* Binds text, or NULL for a NULL pointer. */
void store_bind_optional(db_stmt *st, int index, const char *text);
const char *store_column_text(db_stmt *st, int i);
/* Runs a kept query taking one number (?1): the first row through `row`,
 * or NULL; or, with `all`, every row as a JSON array. */
json_t *store_query_by_id(store *s, const char *sql, long id, json_t *(*row)(db_stmt *), int all);
/* One row of a bound kept statement as JSON, or NULL; releases it. */
json_t *store_single(store *s, db_stmt *st, json_t *(*row)(db_stmt *));
/* The number a kept query taking one number (?1) answers first, or 0. */
long store_owner_of(store *s, const char *sql, long id);
/* A change and what it queues in the outbox, as one: alone a transaction
 * of its own, inside a caller's part of that one (which the caller rolls
 * back whole on any failure). The end commits or rolls back (`ok`) what it
 * began: 0, or -1 when the change or its commit failed. */
int store_change_begin(store *s, char error[STORE_ERROR_MAX]);
int store_change_end(store *s, int ok);
/* The PostgreSQL schema at version 11 (schema_postgresql.c). */
const char *store_postgresql_baseline(void);
const char *store_postgresql_registry_at_commit(void);
/* Migration 14's text on PostgreSQL (cartons.c). */
const char *store_postgresql_cartons(void);
/* Migration 15's text on PostgreSQL (logos.c). */
const char *store_postgresql_logos(void);
const char *store_postgresql_dossiers(void);
/* Migration 18's text on PostgreSQL (reminders.c). */
const char *store_postgresql_reminder_window(void);
/* A line of the audit log, in the caller's transaction: who (a user id,
 * 0 for none) did what to which thing. 0 or -1. */
int store_audit(store *s, long user_id, const char *action, const char *subject);
/* store_evaluation_create() inside the caller's transaction (which it
 * rolls back on failure); *evaluation_id, if asked, gets the evaluation's
 * id. Returns as store_evaluation_create(). */
long store_evaluation_insert(store *s, const store_evaluation *e, long *evaluation_id);
/* Reads the schema's version: 0, or -1 with error. */
int store_read_version(store *s, char error[STORE_ERROR_MAX]);
/* Reads the schema's version and applies the migrations it lacks. */
int store_migrate(store *s, char error[STORE_ERROR_MAX]);

/* A product from columns 0 to 5 (id, producer_id, name, grp, gtin,
 * details); a producer from the seven columns at `at`. */
json_t *store_product_row(db_stmt *st);
json_t *store_producer_row_at(db_stmt *st, int at);

/* Adds a delivery to the outbox, inside the caller's transaction. */
int store_outbox_add(store *s, const char *kind, long product_id, const char *path,
                     const char *content_type, const char *body);
/* The same for a JSON body, which it takes. */
int store_outbox_add_json(store *s, const char *kind, long product_id, const char *path,
                          json_t *body);

/* Every change to what a code stands for raises the registry's version,
 * whoever makes it (the daemon, the CLI, an import). */
#define REGISTRY_TRIGGER(table, change)                                                            \
    "CREATE TRIGGER registry_" table "_" change " AFTER " change " ON " table " BEGIN "            \
    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'registry'; END;"
#define REGISTRY_TRIGGERS(table)                                                                   \
    REGISTRY_TRIGGER(table, "INSERT")                                                              \
    REGISTRY_TRIGGER(table, "UPDATE") REGISTRY_TRIGGER(table, "DELETE")

#endif
