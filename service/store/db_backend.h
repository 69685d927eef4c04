/*
 * What db.c shares with its two backends (db_sqlite.c, db_postgresql.c),
 * and nothing else includes: the head every connection and statement
 * starts with, so that db.c can send each call to its backend, and the
 * helpers both use.
 */
#ifndef OCOPTRACE_DB_BACKEND_H
#define OCOPTRACE_DB_BACKEND_H

#include "db.h"

#include <stdint.h>

/* SQLite's own limit on a parameter's number (SQLITE_MAX_VARIABLE_NUMBER);
 * PostgreSQL's is higher, so SQL that runs on one runs on both. */
#define DB_PARAMS_MAX 32766

/* The first member of each backend's connection. */
struct db {
    db_backend backend;
    char error[DB_ERROR_MAX];
};

/* The first member of each backend's statement. */
struct db_stmt {
    db_backend backend;
    db *conn;
};

/* Sets the connection's error message. */
void db_fail(db *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes `sql` with its `?` and `?N` parameters as PostgreSQL's $N into
 * `out` (at most `cap` bytes, terminated when cap > 0) and the highest
 * number in *count. Returns the length the whole text needs (as snprintf
 * does), or -1 when a number is 0 or above DB_PARAMS_MAX. */
long db_translate(const char *sql, char *out, size_t cap, int *count);

/* SQLite (db_sqlite.c): `path` is the file. */
db *dbsq_open(const char *path, char error[DB_ERROR_MAX]);
void dbsq_close(db *d);
int dbsq_exec(db *d, const char *sql);
db_stmt *dbsq_prepare(db *d, const char *sql);
void dbsq_finalize(db_stmt *st);
void dbsq_reset(db_stmt *st);
int dbsq_bind_int64(db_stmt *st, int i, int64_t v);
int dbsq_bind_double(db_stmt *st, int i, double v);
int dbsq_bind_text(db_stmt *st, int i, const char *text);
int dbsq_bind_blob(db_stmt *st, int i, const void *data, size_t len);
int dbsq_bind_null(db_stmt *st, int i);
int dbsq_step(db_stmt *st);
int dbsq_column_count(db_stmt *st);
int dbsq_column_is_null(db_stmt *st, int i);
int64_t dbsq_column_int64(db_stmt *st, int i);
double dbsq_column_double(db_stmt *st, int i);
const char *dbsq_column_text(db_stmt *st, int i);
const void *dbsq_column_blob(db_stmt *st, int i, size_t *len);
int64_t dbsq_changes(db *d);
int dbsq_in_transaction(db *d);
const char *dbsq_column_name(db_stmt *st, int i);
db_type dbsq_column_type(db_stmt *st, int i);
struct sqlite3 *dbsq_handle(db *d);

/* PostgreSQL (db_postgresql.c): `conninfo` is libpq's. */
db *dbpg_open(const char *conninfo, char error[DB_ERROR_MAX]);
void dbpg_close(db *d);
int dbpg_exec(db *d, const char *sql);
db_stmt *dbpg_prepare(db *d, const char *sql);
void dbpg_finalize(db_stmt *st);
void dbpg_reset(db_stmt *st);
int dbpg_bind_int64(db_stmt *st, int i, int64_t v);
int dbpg_bind_double(db_stmt *st, int i, double v);
int dbpg_bind_text(db_stmt *st, int i, const char *text);
int dbpg_bind_blob(db_stmt *st, int i, const void *data, size_t len);
int dbpg_bind_null(db_stmt *st, int i);
int dbpg_step(db_stmt *st);
int dbpg_column_count(db_stmt *st);
int dbpg_column_is_null(db_stmt *st, int i);
int64_t dbpg_column_int64(db_stmt *st, int i);
double dbpg_column_double(db_stmt *st, int i);
const char *dbpg_column_text(db_stmt *st, int i);
const void *dbpg_column_blob(db_stmt *st, int i, size_t *len);
int64_t dbpg_changes(db *d);
int dbpg_in_transaction(db *d);
const char *dbpg_column_name(db_stmt *st, int i);
db_type dbpg_column_type(db_stmt *st, int i);
struct pg_conn *dbpg_handle(db *d);

#endif
