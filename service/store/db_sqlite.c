/*
 * The database adapter's SQLite backend: a connection waits for other
 * writers with a busy handler, SQLite's extended result codes become the
 * adapter's codes, and each failure's message is kept on the connection.
 */
#include "db_backend.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* How long a connection waits on another's lock, and the longest sleep
 * between two tries. SQLite's own busy timeout sleeps in whole and growing
 * milliseconds; the daemon's threads hold the write lock for tens of
 * microseconds, so a fine poll keeps a waiting request's latency low. */
#define BUSY_WAIT_NS  (5 * 1000000000LL)
#define BUSY_FIRST_NS 50000L
#define BUSY_MAX_NS   100000L

struct sq_db {
    db base;
    sqlite3 *h;
    struct timespec busy_since;
};

struct sq_stmt {
    db_stmt base;
    struct sq_db *d;
    sqlite3_stmt *st;
};

static struct sq_db *conn(db *d)
{
    return (struct sq_db *)d;
}

static struct sq_stmt *stmt(db_stmt *st)
{
    return (struct sq_stmt *)st;
}

/* Writers here hold the lock for microseconds, so the first tries come
 * quickly; the sleep doubles so that a long hold (a checkpoint, a backup)
 * is not polled in a busy loop. */
static int busy_wait(void *arg, int count)
{
    struct sq_db *d = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        d->busy_since = now;
    long long waited =
        (now.tv_sec - d->busy_since.tv_sec) * 1000000000LL + (now.tv_nsec - d->busy_since.tv_nsec);
    if (waited >= BUSY_WAIT_NS)
        return 0;
    long sleep_ns = count < 8 ? BUSY_FIRST_NS << count : BUSY_MAX_NS;
    struct timespec nap = {0, sleep_ns < BUSY_MAX_NS ? sleep_ns : BUSY_MAX_NS};
    nanosleep(&nap, NULL);
    return 1;
}

static int code_of(int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
        return DB_UNIQUE;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return DB_FOREIGN;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
        return DB_CHECK;
    }
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return DB_BUSY;
    return DB_FAILED;
}

/* Keeps the message now: SQLite's own is replaced by the next call. */
static int failed(struct sq_db *d, int rc)
{
    db_fail(&d->base, "%s", sqlite3_errmsg(d->h));
    return code_of(rc);
}

db *dbsq_open(const char *path, char error[DB_ERROR_MAX])
{
    struct sq_db *d = calloc(1, sizeof(*d));
    if (!d) {
        if (error)
            snprintf(error, DB_ERROR_MAX, "out of memory");
        return NULL;
    }
    d->base.backend = DB_SQLITE;
    /* A connection is used by one thread at a time: its mutex is not needed. */
    int rc = sqlite3_open_v2(
        path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(d->h, 1);
        sqlite3_busy_handler(d->h, busy_wait, d);
        /* PostgreSQL always enforces foreign keys: so do both backends. */
        rc = sqlite3_exec(d->h, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        if (error)
            snprintf(error, DB_ERROR_MAX, "cannot open '%s': %s", path,
                     d->h ? sqlite3_errmsg(d->h) : "out of memory");
        sqlite3_close_v2(d->h);
        free(d);
        return NULL;
    }
    return &d->base;
}

void dbsq_close(db *d)
{
    sqlite3_close_v2(conn(d)->h);
    free(d);
}

int dbsq_exec(db *d, const char *sql)
{
    int rc = sqlite3_exec(conn(d)->h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DB_OK : failed(conn(d), rc);
}

db_stmt *dbsq_prepare(db *d, const char *sql)
{
    struct sq_stmt *st = malloc(sizeof(*st));
    if (!st) {
        db_fail(d, "out of memory");
        return NULL;
    }
    st->base.backend = DB_SQLITE;
    st->base.conn = d;
    st->d = conn(d);
    int rc = sqlite3_prepare_v2(st->d->h, sql, -1, &st->st, NULL);
    if (rc != SQLITE_OK || !st->st) {
        if (rc != SQLITE_OK)
            failed(st->d, rc);
        else
            db_fail(d, "no statement in '%.64s'", sql);
        free(st);
        return NULL;
    }
    return &st->base;
}

void dbsq_finalize(db_stmt *st)
{
    sqlite3_finalize(stmt(st)->st);
    free(st);
}

void dbsq_reset(db_stmt *st)
{
    sqlite3_reset(stmt(st)->st);
    sqlite3_clear_bindings(stmt(st)->st);
}

static int bound(struct sq_stmt *st, int rc)
{
    return rc == SQLITE_OK ? DB_OK : (failed(st->d, rc), DB_FAILED);
}

int dbsq_bind_int64(db_stmt *st, int i, int64_t v)
{
    return bound(stmt(st), sqlite3_bind_int64(stmt(st)->st, i, v));
}

int dbsq_bind_double(db_stmt *st, int i, double v)
{
    return bound(stmt(st), sqlite3_bind_double(stmt(st)->st, i, v));
}

int dbsq_bind_text(db_stmt *st, int i, const char *text)
{
    return bound(stmt(st), sqlite3_bind_text(stmt(st)->st, i, text, -1, SQLITE_TRANSIENT));
}

int dbsq_bind_blob(db_stmt *st, int i, const void *data, size_t len)
{
    /* SQLite reads a blob without an address as NULL, even an empty one. */
    if (data && len == 0)
        return bound(stmt(st), sqlite3_bind_zeroblob(stmt(st)->st, i, 0));
    return bound(stmt(st), sqlite3_bind_blob64(stmt(st)->st, i, data, len, SQLITE_TRANSIENT));
}

int dbsq_bind_null(db_stmt *st, int i)
{
    return bound(stmt(st), sqlite3_bind_null(stmt(st)->st, i));
}

int dbsq_step(db_stmt *st)
{
    int rc = sqlite3_step(stmt(st)->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return failed(stmt(st)->d, rc);
}

int dbsq_column_count(db_stmt *st)
{
    return sqlite3_column_count(stmt(st)->st);
}

const char *dbsq_column_name(db_stmt *st, int i)
{
    const char *name = sqlite3_column_name(stmt(st)->st, i);
    return name ? name : "";
}

db_type dbsq_column_type(db_stmt *st, int i)
{
    switch (sqlite3_column_type(stmt(st)->st, i)) {
    case SQLITE_INTEGER:
        return DB_INTEGER;
    case SQLITE_FLOAT:
        return DB_FLOAT;
    case SQLITE_TEXT:
        return DB_TEXT;
    case SQLITE_BLOB:
        return DB_BLOB;
    default:
        return DB_NULL;
    }
}

int dbsq_column_is_null(db_stmt *st, int i)
{
    return sqlite3_column_type(stmt(st)->st, i) == SQLITE_NULL;
}

int64_t dbsq_column_int64(db_stmt *st, int i)
{
    return sqlite3_column_int64(stmt(st)->st, i);
}

double dbsq_column_double(db_stmt *st, int i)
{
    return sqlite3_column_double(stmt(st)->st, i);
}

const char *dbsq_column_text(db_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(stmt(st)->st, i);
}

/* An empty blob has an address, as on PostgreSQL, so that only NULL
 * reads as NULL. */
const void *dbsq_column_blob(db_stmt *st, int i, size_t *len)
{
    sqlite3_stmt *s = stmt(st)->st;
    const void *data = sqlite3_column_blob(s, i);
    if (len)
        *len = (size_t)sqlite3_column_bytes(s, i);
    if (!data && sqlite3_column_type(s, i) != SQLITE_NULL)
        return "";
    return data;
}

int64_t dbsq_changes(db *d)
{
    return sqlite3_changes64(conn(d)->h);
}

int dbsq_in_transaction(db *d)
{
    return !sqlite3_get_autocommit(conn(d)->h);
}

struct sqlite3 *dbsq_handle(db *d)
{
    return conn(d)->h;
}
