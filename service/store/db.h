/*
 * One small interface over SQLite and PostgreSQL (libpq): connections,
 * statements with `?` parameters, their rows, and what went wrong. The
 * store's files use it and neither library directly, so that each query is
 * written once; where the two dialects differ, the store picks its SQL by
 * db_backend_of().
 *
 * A connection is used by one thread at a time. On PostgreSQL every
 * statement is prepared on the server once per connection (the adapter
 * keeps them by their SQL text), so that a query costs one round trip.
 */
#ifndef OCOPTRACE_DB_H
#define OCOPTRACE_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef enum { DB_SQLITE, DB_POSTGRESQL } db_backend;

#define DB_ERROR_MAX 256

/* What db_step(), db_exec() and the binds return. */
enum {
    DB_OK = 0,
    DB_ROW = 100,    /* db_step(): a row is ready */
    DB_DONE = 101,   /* db_step(): no more rows */
    DB_FAILED = -1,  /* anything else: db_error() says what */
    DB_UNIQUE = -2,  /* a UNIQUE or PRIMARY KEY constraint refused the change */
    DB_FOREIGN = -3, /* a FOREIGN KEY constraint did */
    DB_CHECK = -4,   /* a CHECK or NOT NULL constraint did */
    DB_BUSY = -5     /* locked, a serialization failure or a deadlock: run the transaction again */
};

/* Which backend a URL names: "postgresql://...", "postgres://..." and
 * "postgresql:" alone (libpq then reads the PG* environment variables) are
 * PostgreSQL; "sqlite:PATH" and a bare PATH are SQLite. */
db_backend db_url_backend(const char *url);
/* The SQLite file a URL names ("sqlite:PATH" or PATH), or NULL. */
const char *db_url_sqlite_path(const char *url);

/* Opens a connection. SQLite: creates the file when missing (not its
 * folder), and waits up to 5 s on a lock before DB_BUSY. PostgreSQL:
 * connects with the URL as libpq's conninfo. NULL with the reason. */
db *db_open(const char *url, char error[DB_ERROR_MAX]);
void db_close(db *d);
db_backend db_backend_of(const db *d);
/* The last error's message on this connection (never NULL). */
const char *db_error(const db *d);

/* Runs SQL without parameters, one or several statements separated by ';'.
 * DB_OK or an error code. */
int db_exec(db *d, const char *sql);

/* Prepares `sql`, whose parameters are written `?` or `?N` (1-based, as
 * SQLite numbers them); on PostgreSQL they become $N. NULL on error. */
db_stmt *db_prepare(db *d, const char *sql);
void db_finalize(db_stmt *st);
/* Makes the statement ready to run again, clearing its values. */
void db_reset(db_stmt *st);

/* Values, by 1-based index. Text and blobs are copied. DB_OK or DB_FAILED. */
int db_bind_int64(db_stmt *st, int i, int64_t v);
int db_bind_double(db_stmt *st, int i, double v);
int db_bind_text(db_stmt *st, int i, const char *text); /* NULL binds NULL */
int db_bind_blob(db_stmt *st, int i, const void *data, size_t len);
int db_bind_null(db_stmt *st, int i);

/* Runs the statement (on its first call) and moves to the next row:
 * DB_ROW, DB_DONE, or an error code. */
int db_step(db_stmt *st);

/* The current row's columns, by 0-based index. Text and blobs stay valid
 * until the next step, reset or finalize. */
int db_column_count(db_stmt *st);
/* A column's name ("" when out of range), and what its current value is. */
typedef enum { DB_NULL, DB_INTEGER, DB_FLOAT, DB_TEXT, DB_BLOB } db_type;
const char *db_column_name(db_stmt *st, int i);
db_type db_column_type(db_stmt *st, int i);
int db_column_is_null(db_stmt *st, int i);
int64_t db_column_int64(db_stmt *st, int i); /* PostgreSQL's booleans read 1 and 0 */
double db_column_double(db_stmt *st, int i);
const char *db_column_text(db_stmt *st, int i); /* NULL for NULL */
const void *db_column_blob(db_stmt *st, int i, size_t *len);

/* Whether a transaction is open on the connection (PostgreSQL has no
 * savepoint outside one; SQLite's would begin one). */
int db_in_transaction(db *d);

/* Rows changed by the last INSERT, UPDATE or DELETE run on the connection. */
int64_t db_changes(db *d);

/* What only one backend has (WAL hooks, checkpoints, online backup; or
 * libpq itself): the handle beneath, NULL for the other backend. */
struct sqlite3 *db_sqlite(db *d);
struct pg_conn *db_postgresql(db *d);

#endif
