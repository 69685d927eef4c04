/*
 * The database adapter's shared part: which backend a URL names, each
 * db_* call sent to its backend by the tag that opens every connection and
 * statement (a branch the CPU predicts, where a table of functions would
 * cost an indirect call), and `?` parameters rewritten as PostgreSQL's $N.
 */
#include "db_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <ctype.h>
#include <string.h>

#define IS_SQLITE(x) ((x)->backend == DB_SQLITE)

/* "postgresql:" or "postgres:" alone, which libpq cannot read as a URL,
 * stands for the empty conninfo: everything from the PG* variables. */
static const char *pg_prefix(const char *url)
{
    if (strncmp(url, "postgresql:", 11) == 0)
        return url + 11;
    if (strncmp(url, "postgres:", 9) == 0)
        return url + 9;
    return NULL;
}

db_backend db_url_backend(const char *url)
{
    return url && pg_prefix(url) ? DB_POSTGRESQL : DB_SQLITE;
}

const char *db_url_sqlite_path(const char *url)
{
    if (!url || pg_prefix(url))
        return NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    return url[0] ? url : NULL;
}

db *db_open(const char *url, char error[DB_ERROR_MAX])
{
    if (!url || !url[0]) {
        if (error)
            snprintf(error, DB_ERROR_MAX, "no database url");
        return NULL;
    }
    const char *rest = pg_prefix(url);
    if (rest)
        return dbpg_open(rest[0] ? url : "", error);
    const char *path = db_url_sqlite_path(url);
    if (!path) {
        if (error)
            snprintf(error, DB_ERROR_MAX, "no sqlite file in '%s'", url);
        return NULL;
    }
    return dbsq_open(path, error);
}

void db_close(db *d)
{
    if (!d)
        return;
    if (IS_SQLITE(d))
        dbsq_close(d);
    else
        dbpg_close(d);
}

db_backend db_backend_of(const db *d)
{
    return d->backend;
}

const char *db_error(const db *d)
{
    return d->error;
}

void db_fail(db *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->error, sizeof(d->error), fmt, ap);
    va_end(ap);
}

int db_exec(db *d, const char *sql)
{
    return IS_SQLITE(d) ? dbsq_exec(d, sql) : dbpg_exec(d, sql);
}

db_stmt *db_prepare(db *d, const char *sql)
{
    db_stmt *st = IS_SQLITE(d) ? dbsq_prepare(d, sql) : dbpg_prepare(d, sql);
    if (!st)
        fprintf(stderr, "ocoptrace: database refuses a statement: %s: %.160s\n", db_error(d), sql);
    return st;
}

void db_finalize(db_stmt *st)
{
    if (!st)
        return;
    if (IS_SQLITE(st))
        dbsq_finalize(st);
    else
        dbpg_finalize(st);
}

void db_reset(db_stmt *st)
{
    if (IS_SQLITE(st))
        dbsq_reset(st);
    else
        dbpg_reset(st);
}

int db_bind_int64(db_stmt *st, int i, int64_t v)
{
    return IS_SQLITE(st) ? dbsq_bind_int64(st, i, v) : dbpg_bind_int64(st, i, v);
}

int db_bind_double(db_stmt *st, int i, double v)
{
    return IS_SQLITE(st) ? dbsq_bind_double(st, i, v) : dbpg_bind_double(st, i, v);
}

int db_bind_text(db_stmt *st, int i, const char *text)
{
    return IS_SQLITE(st) ? dbsq_bind_text(st, i, text) : dbpg_bind_text(st, i, text);
}

int db_bind_blob(db_stmt *st, int i, const void *data, size_t len)
{
    return IS_SQLITE(st) ? dbsq_bind_blob(st, i, data, len) : dbpg_bind_blob(st, i, data, len);
}

int db_bind_null(db_stmt *st, int i)
{
    return IS_SQLITE(st) ? dbsq_bind_null(st, i) : dbpg_bind_null(st, i);
}

/* A statement of the program's own that fails for another reason than a
 * constraint or a lock is a defect, or the database is down: the daemon's
 * log says which, whatever the caller makes of it. */
int db_step(db_stmt *st)
{
    int rc = IS_SQLITE(st) ? dbsq_step(st) : dbpg_step(st);
    if (rc == DB_FAILED)
        fprintf(stderr, "ocoptrace: database: %s\n", db_error(st->conn));
    return rc;
}

int db_column_count(db_stmt *st)
{
    return IS_SQLITE(st) ? dbsq_column_count(st) : dbpg_column_count(st);
}

int db_column_is_null(db_stmt *st, int i)
{
    return IS_SQLITE(st) ? dbsq_column_is_null(st, i) : dbpg_column_is_null(st, i);
}

int64_t db_column_int64(db_stmt *st, int i)
{
    return IS_SQLITE(st) ? dbsq_column_int64(st, i) : dbpg_column_int64(st, i);
}

double db_column_double(db_stmt *st, int i)
{
    return IS_SQLITE(st) ? dbsq_column_double(st, i) : dbpg_column_double(st, i);
}

const char *db_column_text(db_stmt *st, int i)
{
    return IS_SQLITE(st) ? dbsq_column_text(st, i) : dbpg_column_text(st, i);
}

const void *db_column_blob(db_stmt *st, int i, size_t *len)
{
    return IS_SQLITE(st) ? dbsq_column_blob(st, i, len) : dbpg_column_blob(st, i, len);
}

int64_t db_changes(db *d)
{
    return IS_SQLITE(d) ? dbsq_changes(d) : dbpg_changes(d);
}

const char *db_column_name(db_stmt *st, int i)
{
    return IS_SQLITE(st) ? dbsq_column_name(st, i) : dbpg_column_name(st, i);
}

db_type db_column_type(db_stmt *st, int i)
{
    return IS_SQLITE(st) ? dbsq_column_type(st, i) : dbpg_column_type(st, i);
}

int db_in_transaction(db *d)
{
    return IS_SQLITE(d) ? dbsq_in_transaction(d) : dbpg_in_transaction(d);
}

struct sqlite3 *db_sqlite(db *d)
{
    return IS_SQLITE(d) ? dbsq_handle(d) : NULL;
}

struct pg_conn *db_postgresql(db *d)
{
    return IS_SQLITE(d) ? NULL : dbpg_handle(d);
}

/* The translation's output, which counts what it could not write so that
 * the caller learns the size to allocate. */
struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

/* Copies from `p` up to and including `end` (or to the end of the text);
 * returns where copying stopped. */
static const char *copy_until(struct out *o, const char *p, const char *end)
{
    size_t n = strlen(end);
    while (*p && strncmp(p, end, n) != 0)
        put(o, *p++);
    for (size_t i = 0; i < n && *p; i++)
        put(o, *p++);
    return p;
}

static void put_number(struct out *o, long n)
{
    char digits[16];
    int k = 0;
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n && k < (int)sizeof(digits));
    put(o, '$');
    while (k)
        put(o, digits[--k]);
}

/* Reads a parameter after its `?`: an explicit number, or the next after
 * the highest so far, as SQLite numbers them. -1 when out of range. */
static long parameter(const char **p, int highest)
{
    if (**p < '0' || **p > '9')
        return highest + 1 <= DB_PARAMS_MAX ? highest + 1 : -1;
    long n = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        n = n * 10 + (**p - '0');
        if (n > DB_PARAMS_MAX)
            return -1;
    }
    return n ? n : -1;
}

/* SQLite's functions that PostgreSQL has under another name: the same
 * arguments, the same result. (The others the store uses, PostgreSQL gets
 * as functions of the same name from its schema.) */
static const struct {
    const char *sqlite, *postgresql;
} renamed[] = {
    {"json_object(", "json_build_object("},
};

/* The length of the function name at `p` to rename, with its replacement. */
static size_t renamed_at(const char *sql, const char *p, const char **to)
{
    if (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.'))
        return 0;
    for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++) {
        size_t len = strlen(renamed[i].sqlite);
        if (strncmp(p, renamed[i].sqlite, len) == 0) {
            *to = renamed[i].postgresql;
            return len;
        }
    }
    return 0;
}

long db_translate(const char *sql, char *out, size_t cap, int *count)
{
    struct out o = {out, cap, 0};
    int highest = 0;
    const char *p = sql, *to = NULL;
    size_t rename;
    while (*p) {
        if (*p == '\'' || *p == '"') {
            char quote[2] = {*p, 0};
            put(&o, *p);
            p = copy_until(&o, p + 1, quote);
        } else if (p[0] == '-' && p[1] == '-') {
            p = copy_until(&o, p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            put(&o, *p++);
            put(&o, *p++);
            p = copy_until(&o, p, "*/");
        } else if (*p == '?') {
            p++;
            long n = parameter(&p, highest);
            if (n < 0)
                return -1;
            if (n > highest)
                highest = (int)n;
            put_number(&o, n);
        } else if ((rename = renamed_at(sql, p, &to)) > 0) {
            for (const char *t = to; *t; t++)
                put(&o, *t);
            p += rename;
        } else {
            put(&o, *p++);
        }
    }
    if (cap)
        out[o.len < cap ? o.len : cap - 1] = '\0';
    *count = highest;
    return (long)o.len;
}
