/*
 * The store's connection: opening (and migrating) the database, closing
 * and backing it up, transactions, and the helpers every file of the store
 * uses: statements kept prepared, errors, rows. Every statement that takes
 * a value is prepared; text is never pasted into SQL. One file per
 * resource holds that resource's queries.
 */
#include "store.h"
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int store_version(const store *s)
{
    return s->version;
}

int store_applied(const store *s)
{
    return s->applied;
}

void store_set_error(char error[STORE_ERROR_MAX], const char *what, db *conn)
{
    snprintf(error, STORE_ERROR_MAX, "%s: %s", what, conn ? db_error(conn) : "out of memory");
}

/* Runs a statement without values (DDL, transactions, pragmas). */
int store_exec(store *s, const char *sql, char error[STORE_ERROR_MAX])
{
    if (db_exec(s->conn, sql) == DB_OK)
        return 0;
    snprintf(error, STORE_ERROR_MAX, "%s", db_error(s->conn));
    return -1;
}

/* A statement prepared once for the connection's life (the SQL must be a
 * literal), or NULL. Give it back with store_release(). */
db_stmt *store_kept(store *s, const char *sql)
{
    int free_slot = -1;
    for (int i = 0; i < STATEMENTS_KEPT; i++) {
        if (s->kept[i].sql == sql)
            return s->kept[i].st;
        if (!s->kept[i].sql && free_slot < 0)
            free_slot = i;
    }
    db_stmt *st = db_prepare(s->conn, sql);
    if (!st)
        return NULL;
    if (free_slot >= 0)
        s->kept[free_slot].sql = sql, s->kept[free_slot].st = st;
    return st;
}

/* Resets a statement from store_kept() (so that it holds no read snapshot open),
 * or finalizes one the table had no room for. */
void store_release(store *s, db_stmt *st)
{
    for (int i = 0; st && i < STATEMENTS_KEPT; i++) {
        if (s->kept[i].st == st) {
            db_reset(st);
            return;
        }
    }
    db_finalize(st);
}

/* Steps a kept statement that returns no row: 0, or the error's code. */
int store_kept_done(store *s, db_stmt *st)
{
    int rc = st ? db_step(st) : DB_FAILED;
    store_release(s, st);
    return rc == DB_DONE ? 0 : rc;
}

int store_step_id(db_stmt *st, long *id)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = (long)db_column_int64(st, 0);
        while ((rc = db_step(st)) == DB_ROW)
            ;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int store_step_done(db_stmt *st)
{
    int rc = db_step(st);
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* Runs a query taking one number (?1): the first row through `row`, or
 * NULL; or every row, as a JSON array. */
json_t *store_query_by_id(store *s, const char *sql, long id, json_t *(*row)(db_stmt *), int all)
{
    db_stmt *st = store_kept(s, sql);
    json_t *result = all ? json_array() : NULL;
    if (st) {
        db_bind_int64(st, 1, id);
        while (db_step(st) == DB_ROW) {
            if (!all) {
                result = row(st);
                break;
            }
            json_array_append_new(result, row(st));
        }
    }
    store_release(s, st);
    return result;
}

/* Creates the folders above a database file that does not exist yet. */
static void make_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
}

/* Counting SQLite's memory takes a global lock on every allocation, and
 * nothing reads the counts. Done once, at the first open (before the
 * daemon's threads), as sqlite3_config may not run beside other calls. */
static pthread_once_t configured = PTHREAD_ONCE_INIT;
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* A connection, set up, its schema's version read or (`migrate`) brought
 * up to date. */
static store *open_store(const char *url, int migrate, char error[STORE_ERROR_MAX])
{
    store *s = calloc(1, sizeof(*s));
    if (!s || sodium_init() < 0) {
        snprintf(error, STORE_ERROR_MAX, "out of memory");
        free(s);
        return NULL;
    }
    const char *path = db_url_sqlite_path(url);
    if (path) {
        make_parent(path);
        pthread_once(&configured, configure_sqlite);
    }
    char reason[DB_ERROR_MAX];
    s->conn = db_open(url, reason);
    if (!s->conn) {
        snprintf(error, STORE_ERROR_MAX, "cannot open the database: %.200s", reason);
        store_close(s);
        return NULL;
    }
    if ((path && store_exec(s,
                            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                            "PRAGMA synchronous=NORMAL",
                            error) != 0) ||
        (migrate ? store_migrate(s, error) : store_read_version(s, error)) != 0) {
        store_close(s);
        return NULL;
    }
    return s;
}

store *store_open(const char *url, char error[STORE_ERROR_MAX])
{
    return open_store(url, 1, error);
}

store *store_connect(const char *url, char error[STORE_ERROR_MAX])
{
    return open_store(url, 0, error);
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < STATEMENTS_KEPT; i++)
        db_finalize(s->kept[i].st);
    db_close(s->conn);
    free(s);
}

int store_backup(store *s, const char *path, char error[STORE_ERROR_MAX])
{
    sqlite3 *source = db_sqlite(s->conn);
    if (!source) {
        snprintf(error, STORE_ERROR_MAX,
                 "a PostgreSQL database is backed up with PostgreSQL's own tools: pg_dump "
                 "(or pg_basebackup for a whole server)");
        return -1;
    }
    sqlite3 *dest = NULL;
    if (sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(error, STORE_ERROR_MAX, "cannot create the backup: %s",
                 dest ? sqlite3_errmsg(dest) : "out of memory");
        sqlite3_close(dest);
        return -1;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", source, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    if (b)
        sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        snprintf(error, STORE_ERROR_MAX, "cannot copy the database: %s", sqlite3_errmsg(dest));
    sqlite3_close(dest);
    return rc == SQLITE_DONE ? 0 : -1;
}

void store_bind_optional(db_stmt *st, int index, const char *text)
{
    if (text)
        db_bind_text(st, index, text);
    else
        db_bind_null(st, index);
}

const char *store_column_text(db_stmt *st, int i)
{
    return db_column_text(st, i);
}

/* A change alone is a transaction of its own. Inside a caller's (an
 * import, a product with its links, serials with their PINs) it is part of
 * that one, which every caller rolls back whole when any change in it
 * fails: a savepoint would cost two round trips on PostgreSQL for nothing. */
int store_change_begin(store *s, char error[STORE_ERROR_MAX])
{
    if (s->changes >= CHANGES_NESTED_MAX) {
        snprintf(error, STORE_ERROR_MAX, "changes nested deeper than %d", CHANGES_NESTED_MAX);
        return -1;
    }
    int inside = db_in_transaction(s->conn);
    if (!inside && store_transaction(s, error) != 0)
        return -1;
    s->owned[s->changes++] = (char)!inside;
    return 0;
}

int store_change_end(store *s, int ok)
{
    if (s->changes <= 0)
        return -1;
    char error[STORE_ERROR_MAX];
    if (s->owned[--s->changes])
        return store_exec(s, ok ? "COMMIT" : "ROLLBACK", error) == 0 && ok ? 0 : -1;
    return ok ? 0 : -1;
}

long store_owner_of(store *s, const char *sql, long id)
{
    db_stmt *st = store_kept(s, sql);
    long owner = 0;
    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW)
            owner = (long)db_column_int64(st, 0);
    }
    store_release(s, st);
    return owner;
}

/* One row as JSON, or NULL: the kept statement is bound, and released here. */
json_t *store_single(store *s, db_stmt *st, json_t *(*row)(db_stmt *))
{
    json_t *result = st && db_step(st) == DB_ROW ? row(st) : NULL;
    store_release(s, st);
    return result;
}

int store_transaction(store *s, char error[STORE_ERROR_MAX])
{
    return store_exec(s, store_backend(s) == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", error);
}

int store_begin(store *s)
{
    char error[STORE_ERROR_MAX];
    return store_transaction(s, error);
}

int store_commit(store *s)
{
    char error[STORE_ERROR_MAX];
    return store_exec(s, "COMMIT", error);
}

void store_rollback(store *s)
{
    char error[STORE_ERROR_MAX];
    store_exec(s, "ROLLBACK", error);
}

db *store_db(store *s)
{
    return s->conn;
}

db_backend store_backend(const store *s)
{
    return db_backend_of(s->conn);
}

void store_problem_vset(store_problem *p, int status, const char *code, const char *field,
                        const char *fmt, va_list ap)
{
    p->status = status;
    snprintf(p->code, sizeof(p->code), "%s", code);
    snprintf(p->field, sizeof(p->field), "%s", field);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
}

void store_problem_first(store_problem *p, int status, const char *code, const char *field,
                         const char *fmt, ...)
{
    if (p->status)
        return;
    va_list ap;
    va_start(ap, fmt);
    store_problem_vset(p, status, code, field, fmt, ap);
    va_end(ap);
}

void store_problem_set(store_problem *p, int status, const char *code, const char *field,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store_problem_vset(p, status, code, field, fmt, ap);
    va_end(ap);
}
