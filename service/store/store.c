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

void store_set_error(char error[STORE_ERROR_MAX], const char *what, sqlite3 *db)
{
    snprintf(error, STORE_ERROR_MAX, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

/* Runs a statement without values (DDL, transactions, pragmas). */
int store_exec(store *s, const char *sql, char error[STORE_ERROR_MAX])
{
    char *message = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &message) == SQLITE_OK)
        return 0;
    snprintf(error, STORE_ERROR_MAX, "%s", message ? message : "unknown error");
    sqlite3_free(message);
    return -1;
}

/* A statement prepared once for the connection's life (the SQL must be a
 * literal), or NULL. Give it back with store_release(). */
sqlite3_stmt *store_kept(store *s, const char *sql)
{
    int free_slot = -1;
    for (int i = 0; i < STATEMENTS_KEPT; i++) {
        if (s->kept[i].sql == sql)
            return s->kept[i].st;
        if (!s->kept[i].sql && free_slot < 0)
            free_slot = i;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, free_slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    if (free_slot >= 0)
        s->kept[free_slot].sql = sql, s->kept[free_slot].st = st;
    return st;
}

/* Resets a statement from store_kept() (so that it holds no read snapshot open),
 * or finalizes one the table had no room for. */
void store_release(store *s, sqlite3_stmt *st)
{
    for (int i = 0; st && i < STATEMENTS_KEPT; i++) {
        if (s->kept[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    }
    sqlite3_finalize(st);
}

/* Steps a kept statement that returns no row: 0, or SQLite's code. */
int store_kept_done(store *s, sqlite3_stmt *st)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    store_release(s, st);
    return rc == SQLITE_DONE ? 0 : rc;
}

int store_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

/* Runs a query taking one number (?1): the first row through `row`, or
 * NULL; or every row, as a JSON array. */
json_t *store_query_by_id(store *s, const char *sql, long id, json_t *(*row)(sqlite3_stmt *),
                          int all)
{
    sqlite3_stmt *st = store_kept(s, sql);
    json_t *result = all ? json_array() : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
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

/* Waits up to 5 seconds for another writer. SQLite's own busy timeout
 * sleeps in whole and growing milliseconds; the daemon's threads hold the
 * write lock for tens of microseconds, so a finer poll keeps latency low. */
static int busy_wait(void *unused, int count)
{
    (void)unused;
    enum { TICK_US = 100, WAIT_US = 5 * 1000 * 1000 };
    if (count >= WAIT_US / TICK_US)
        return 0;
    struct timespec tick = {0, TICK_US * 1000L};
    nanosleep(&tick, NULL);
    return 1;
}

/* Counting SQLite's memory takes a global lock on every allocation, and
 * nothing reads the counts. Done once, at the first open (before the
 * daemon's threads), as sqlite3_config may not run beside other calls. */
static pthread_once_t configured = PTHREAD_ONCE_INIT;
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

store *store_open(const char *path, char error[STORE_ERROR_MAX])
{
    store *s = calloc(1, sizeof(*s));
    if (!s || sodium_init() < 0) {
        snprintf(error, STORE_ERROR_MAX, "out of memory");
        free(s);
        return NULL;
    }
    make_parent(path);
    pthread_once(&configured, configure_sqlite);
    /* A connection is used by one thread at a time (the daemon gives each
     * thread its own), so its own mutex is not needed. */
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        store_set_error(error, "cannot open the database", s->db);
        store_close(s);
        return NULL;
    }
    sqlite3_busy_handler(s->db, busy_wait, NULL);
    if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL",
                   error) != 0 ||
        store_migrate(s, error) != 0) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < STATEMENTS_KEPT; i++)
        sqlite3_finalize(s->kept[i].st);
    sqlite3_close(s->db);
    free(s);
}

int store_backup(store *s, const char *path, char error[STORE_ERROR_MAX])
{
    sqlite3 *dest = NULL;
    if (sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        store_set_error(error, "cannot create the backup", dest);
        sqlite3_close(dest);
        return -1;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", s->db, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    if (b)
        sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        store_set_error(error, "cannot copy the database", dest);
    sqlite3_close(dest);
    return rc == SQLITE_DONE ? 0 : -1;
}

void store_bind_optional(sqlite3_stmt *st, int index, const char *text)
{
    if (text)
        sqlite3_bind_text(st, index, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, index);
}

const char *store_column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

/* A change and what it queues in the outbox, as one: a savepoint works both
 * alone and inside an import's transaction. */
int store_change_begin(store *s, char error[STORE_ERROR_MAX])
{
    return store_exec(s, "SAVEPOINT change", error);
}

void store_change_end(store *s, int ok)
{
    char ignored[STORE_ERROR_MAX];
    if (!ok)
        store_exec(s, "ROLLBACK TO change", ignored);
    store_exec(s, "RELEASE change", ignored);
}

long store_owner_of(store *s, const char *sql, long id)
{
    sqlite3_stmt *st = store_kept(s, sql);
    long owner = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            owner = (long)sqlite3_column_int64(st, 0);
    }
    store_release(s, st);
    return owner;
}

/* One row as JSON, or NULL: the kept statement is bound, and released here. */
json_t *store_single(store *s, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *))
{
    json_t *result = st && sqlite3_step(st) == SQLITE_ROW ? row(st) : NULL;
    store_release(s, st);
    return result;
}

int store_begin(store *s)
{
    char error[STORE_ERROR_MAX];
    return store_exec(s, "BEGIN IMMEDIATE", error);
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

sqlite3 *store_sqlite(store *s)
{
    return s->db;
}
