/*
 * The database adapter's PostgreSQL backend (libpq). Each statement is
 * prepared on the server once per connection and kept by its SQL text, so
 * that running it again costs one round trip. Values go as text (blobs in
 * binary), rows come back as text. A lost connection is reset once and the
 * call that saw it fails: the caller's transaction is gone with it.
 */
#include "db_backend.h"

#include <inttypes.h>
#include <limits.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Named statements a connection keeps on the server. Past this, SQL built
 * on the fly runs as the unnamed statement, so that neither the table nor
 * the server's memory grows without bound. Twice as many slots keep the
 * probes short and always leave one free. */
#define NAMED_MAX   512
#define TABLE_SLOTS (2 * NAMED_MAX)

struct named {
    uint64_t hash;
    char *sql;       /* NULL: a free slot */
    unsigned number; /* the server knows it as "s<number>" */
};

struct pg_db {
    db base;
    PGconn *conn;
    int64_t changes;
    unsigned generation; /* counts reconnections: statements older prepare again */
    uint64_t last_id;
    uint64_t unnamed_owner; /* the statement whose SQL the server's unnamed one holds */
    unsigned named;
    struct named table[TABLE_SLOTS];
};

struct param {
    char *owned; /* a copy of the text or blob */
    char number[32];
};

struct blob {
    unsigned char *data;
    size_t len;
};

struct pg_stmt {
    db_stmt base;
    struct pg_db *d;
    uint64_t id;
    unsigned generation;
    int ready;     /* prepared on this connection's current session */
    char name[16]; /* "" for the unnamed statement */
    int nparams;
    /* What PQexecPrepared takes, one entry per parameter. */
    const char **values;
    int *lengths, *formats;
    struct param *params;
    PGresult *res; /* from the first step on */
    int row, rows;
    struct blob *blobs; /* the current row's, decoded when asked for */
    int nblobs;
    char *sql; /* as the server reads it ($N) */
};

static struct pg_db *conn(db *d)
{
    return (struct pg_db *)d;
}

static struct pg_stmt *stmt(db_stmt *st)
{
    return (struct pg_stmt *)st;
}

/* libpq's messages end with a newline and may span lines: logs want one. */
static void one_line(char *dst, size_t cap, const char *msg)
{
    size_t n = 0;
    int space = 0;
    for (const char *p = msg ? msg : ""; *p && n + 2 < cap; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            space = n > 0;
            continue;
        }
        if (space)
            dst[n++] = ' ';
        space = 0;
        dst[n++] = *p;
    }
    dst[n] = '\0';
}

static void fail_with(struct pg_db *d, const char *msg)
{
    one_line(d->base.error, sizeof(d->base.error), msg);
    if (!d->base.error[0])
        db_fail(&d->base, "unknown error from postgresql");
}

static int code_of(const PGresult *res)
{
    static const struct {
        char state[6];
        int code;
    } codes[] = {
        {"23505", DB_UNIQUE}, {"23503", DB_FOREIGN}, {"23514", DB_CHECK}, {"23502", DB_CHECK},
        {"40001", DB_BUSY},   {"40P01", DB_BUSY},    {"55P03", DB_BUSY},
    };
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    for (size_t i = 0; state && i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(state, codes[i].state) == 0)
            return codes[i].code;
    return DB_FAILED;
}

/* What every session needs, again after a reconnection: UTF-8, UTC, and
 * doubles written with every digit they need (a server may be set to
 * round them). NULL or why not. */
static const char *set_up(PGconn *c)
{
    PGresult *res =
        PQexec(c, "SET client_encoding TO 'UTF8'; SET TIME ZONE 'UTC'; SET extra_float_digits = 3");
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? NULL : PQerrorMessage(c);
}

/* The server's notices ("does not exist, skipping") are the expected
 * course of things; only a warning is worth a line. */
static void notice(void *unused, const PGresult *res)
{
    (void)unused;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (severity && strcmp(severity, "WARNING") == 0)
        fprintf(stderr, "postgresql warning: %s\n", msg ? msg : "");
}

static void forget_statements(struct pg_db *d)
{
    for (size_t i = 0; i < TABLE_SLOTS; i++)
        free(d->table[i].sql);
    memset(d->table, 0, sizeof(d->table));
    d->named = 0;
    d->unnamed_owner = 0;
}

/* A new session knows none of the old one's statements. */
static void reconnect(struct pg_db *d)
{
    char why[DB_ERROR_MAX];
    snprintf(why, sizeof(why), "%s", d->base.error);
    forget_statements(d);
    d->generation++;
    PQreset(d->conn);
    int ok = PQstatus(d->conn) == CONNECTION_OK && !set_up(d->conn);
    db_fail(&d->base, "connection lost (%s): %s", ok ? "reconnected" : "cannot reconnect", why);
}

/* Whether a failure lost the connection. libpq may still say
 * CONNECTION_OK right after the server went away; its own errors carry no
 * SQLSTATE, and the server ends a session with a FATAL one. */
static int lost(const struct pg_db *d, const PGresult *res)
{
    if (PQstatus(d->conn) == CONNECTION_BAD || !res)
        return 1;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    return !state || strncmp(state, "08", 2) == 0 ||
           (severity && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0));
}

/* Keeps the failure's message and code; a lost connection is reset. */
static int failed(struct pg_db *d, PGresult *res)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg && res && PQresultErrorMessage(res)[0])
        msg = PQresultErrorMessage(res);
    fail_with(d, msg ? msg : PQerrorMessage(d->conn));
    int code = code_of(res);
    int gone = lost(d, res);
    PQclear(res);
    if (gone) {
        reconnect(d);
        return DB_FAILED;
    }
    return code;
}

/* After a reset that failed (the server was away), each call tries once
 * more before its own work, so that the first call after the server is
 * back already works. */
static int connected(struct pg_db *d)
{
    if (PQstatus(d->conn) != CONNECTION_BAD)
        return 1;
    PQreset(d->conn);
    if (PQstatus(d->conn) == CONNECTION_OK && !set_up(d->conn))
        return 1;
    char why[DB_ERROR_MAX];
    one_line(why, sizeof(why), PQerrorMessage(d->conn));
    db_fail(&d->base, "no connection: %s", why);
    return 0;
}

db *dbpg_open(const char *conninfo, char error[DB_ERROR_MAX])
{
    struct pg_db *d = calloc(1, sizeof(*d));
    const char *why = "out of memory";
    if (d) {
        d->base.backend = DB_POSTGRESQL;
        d->conn = PQconnectdb(conninfo);
        if (d->conn && PQstatus(d->conn) != CONNECTION_OK)
            why = PQerrorMessage(d->conn);
        else if (d->conn)
            why = set_up(d->conn);
    }
    if (why) {
        if (error)
            one_line(error, DB_ERROR_MAX, why);
        if (d)
            PQfinish(d->conn);
        free(d);
        return NULL;
    }
    PQsetNoticeReceiver(d->conn, notice, NULL);
    return &d->base;
}

void dbpg_close(db *base)
{
    struct pg_db *d = conn(base);
    forget_statements(d);
    PQfinish(d->conn);
    free(d);
}

/* As SQLite counts them: only what an INSERT, UPDATE or DELETE changed. */
static void count_changes(struct pg_db *d, PGresult *res)
{
    static const char *const changing[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
    const char *status = PQcmdStatus(res);
    for (size_t i = 0; i < sizeof(changing) / sizeof(changing[0]); i++) {
        if (strncmp(status, changing[i], strlen(changing[i])) == 0) {
            const char *n = PQcmdTuples(res);
            d->changes = n[0] ? strtoll(n, NULL, 10) : 0;
            return;
        }
    }
}

int dbpg_exec(db *base, const char *sql)
{
    struct pg_db *d = conn(base);
    if (!connected(d))
        return DB_FAILED;
    PGresult *res = PQexec(d->conn, sql);
    d->unnamed_owner = 0; /* a simple query drops the unnamed statement */
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
        return failed(d, res);
    count_changes(d, res);
    /* COMMIT in a transaction that an error aborted answers "ROLLBACK"
     * without an error: the caller must not believe its changes kept. */
    int rolled_back = strcmp(PQcmdStatus(res), "ROLLBACK") == 0 && !strcasestr(sql, "rollback") &&
                      !strcasestr(sql, "abort");
    PQclear(res);
    if (rolled_back) {
        db_fail(base, "the transaction was rolled back: a statement in it had failed");
        return DB_FAILED;
    }
    return DB_OK;
}

/* FNV-1a: short SQL texts, one pass. */
static uint64_t hash_of(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct named *slot_of(struct pg_db *d, const char *sql, uint64_t h)
{
    for (size_t i = h & (TABLE_SLOTS - 1);; i = (i + 1) & (TABLE_SLOTS - 1)) {
        struct named *e = &d->table[i];
        if (!e->sql || (e->hash == h && strcmp(e->sql, sql) == 0))
            return e;
    }
}

static int prepared(struct pg_db *d, PGresult *res)
{
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return failed(d, res);
    PQclear(res);
    return DB_OK;
}

/* Parameter types are left to the server, which infers them from where
 * each parameter stands. */
static int prepare_on_server(struct pg_db *d, struct pg_stmt *st)
{
    st->ready = 0;
    st->generation = d->generation;
    uint64_t h = hash_of(st->sql);
    struct named *e = slot_of(d, st->sql, h);
    if (!e->sql && d->named >= NAMED_MAX) {
        st->name[0] = '\0';
        d->unnamed_owner = 0;
        if (prepared(d, PQprepare(d->conn, "", st->sql, st->nparams, NULL)) != DB_OK)
            return DB_FAILED;
        d->unnamed_owner = st->id;
    } else if (!e->sql) {
        char *copy = strdup(st->sql);
        if (!copy) {
            db_fail(&d->base, "out of memory");
            return DB_FAILED;
        }
        unsigned number = d->named + 1;
        snprintf(st->name, sizeof(st->name), "s%u", number);
        int rc = prepared(d, PQprepare(d->conn, st->name, st->sql, st->nparams, NULL));
        if (rc != DB_OK) {
            free(copy);
            return rc;
        }
        *e = (struct named){h, copy, number};
        d->named++;
    } else {
        snprintf(st->name, sizeof(st->name), "s%u", e->number);
    }
    st->ready = 1;
    return DB_OK;
}

/* One allocation holds the statement, its parameters' arrays and its
 * SQL; every part is aligned as the one before it is at least. */
static struct pg_stmt *new_stmt(struct pg_db *d, int nparams, size_t sql_len)
{
    size_t n = (size_t)nparams;
    size_t size = sizeof(struct pg_stmt) +
                  n * (sizeof(char *) + sizeof(struct param) + 2 * sizeof(int)) + sql_len + 1;
    struct pg_stmt *st = calloc(1, size);
    if (!st)
        return NULL;
    st->base.backend = DB_POSTGRESQL;
    st->base.conn = &d->base;
    st->d = d;
    st->id = ++d->last_id;
    st->nparams = nparams;
    st->values = (const char **)(st + 1);
    st->params = (struct param *)(st->values + n);
    st->lengths = (int *)(st->params + n);
    st->formats = st->lengths + n;
    st->sql = (char *)(st->formats + n);
    return st;
}

static int blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return !*s;
}

db_stmt *dbpg_prepare(db *base, const char *sql)
{
    struct pg_db *d = conn(base);
    if (!connected(d))
        return NULL;
    char local[1024];
    int nparams = 0;
    long len = db_translate(sql, local, sizeof(local), &nparams);
    if (len < 0 || blank(sql)) {
        if (len < 0)
            db_fail(base, "a parameter's number is 0 or above %d in '%.64s'", DB_PARAMS_MAX, sql);
        else
            db_fail(base, "no statement in '%.64s'", sql);
        return NULL;
    }
    struct pg_stmt *st = new_stmt(d, nparams, (size_t)len);
    if (!st) {
        db_fail(base, "out of memory");
        return NULL;
    }
    if ((size_t)len < sizeof(local))
        memcpy(st->sql, local, (size_t)len + 1);
    else
        db_translate(sql, st->sql, (size_t)len + 1, &nparams);
    if (prepare_on_server(d, st) != DB_OK) {
        free(st);
        return NULL;
    }
    return &st->base;
}

static void free_blobs(struct pg_stmt *st)
{
    for (int i = 0; i < st->nblobs; i++)
        PQfreemem(st->blobs[i].data);
    free(st->blobs);
    st->blobs = NULL;
    st->nblobs = 0;
}

void dbpg_reset(db_stmt *base)
{
    struct pg_stmt *st = stmt(base);
    free_blobs(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = st->rows = 0;
    for (int i = 0; i < st->nparams; i++) {
        free(st->params[i].owned);
        st->params[i].owned = NULL;
        st->values[i] = NULL;
        st->lengths[i] = st->formats[i] = 0;
    }
}

void dbpg_finalize(db_stmt *base)
{
    dbpg_reset(base);
    free(base);
}

/* The parameter's place, emptied, or NULL when there is none. */
static struct param *param_at(struct pg_stmt *st, int i)
{
    if (i < 1 || i > st->nparams) {
        db_fail(&st->d->base, "no parameter %d: the statement has %d", i, st->nparams);
        return NULL;
    }
    struct param *p = &st->params[i - 1];
    free(p->owned);
    p->owned = NULL;
    st->values[i - 1] = NULL;
    st->lengths[i - 1] = st->formats[i - 1] = 0;
    return p;
}

int dbpg_bind_int64(db_stmt *base, int i, int64_t v)
{
    struct param *p = param_at(stmt(base), i);
    if (!p)
        return DB_FAILED;
    snprintf(p->number, sizeof(p->number), "%" PRId64, v);
    stmt(base)->values[i - 1] = p->number;
    return DB_OK;
}

int dbpg_bind_double(db_stmt *base, int i, double v)
{
    struct param *p = param_at(stmt(base), i);
    if (!p)
        return DB_FAILED;
    /* The spellings float8 reads, whatever the C library writes. */
    if (isnan(v))
        snprintf(p->number, sizeof(p->number), "NaN");
    else if (isinf(v))
        snprintf(p->number, sizeof(p->number), "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(p->number, sizeof(p->number), "%.17g", v);
    stmt(base)->values[i - 1] = p->number;
    return DB_OK;
}

int dbpg_bind_text(db_stmt *base, int i, const char *text)
{
    struct param *p = param_at(stmt(base), i);
    if (!p)
        return DB_FAILED;
    if (!text)
        return DB_OK;
    p->owned = strdup(text);
    if (!p->owned) {
        db_fail(&stmt(base)->d->base, "out of memory");
        return DB_FAILED;
    }
    stmt(base)->values[i - 1] = p->owned;
    return DB_OK;
}

int dbpg_bind_blob(db_stmt *base, int i, const void *data, size_t len)
{
    struct pg_stmt *st = stmt(base);
    struct param *p = param_at(st, i);
    if (!p)
        return DB_FAILED;
    if (!data)
        return DB_OK;
    if (len > INT_MAX) {
        db_fail(&st->d->base, "a blob of %zu bytes is too large", len);
        return DB_FAILED;
    }
    p->owned = malloc(len ? len : 1);
    if (!p->owned) {
        db_fail(&st->d->base, "out of memory");
        return DB_FAILED;
    }
    memcpy(p->owned, data, len);
    st->values[i - 1] = p->owned;
    st->lengths[i - 1] = (int)len;
    st->formats[i - 1] = 1;
    return DB_OK;
}

int dbpg_bind_null(db_stmt *base, int i)
{
    return param_at(stmt(base), i) ? DB_OK : DB_FAILED;
}

/* The unnamed statement holds one SQL at a time: when another statement
 * took it, parsing again goes in the same round trip as running. */
static PGresult *execute(struct pg_db *d, struct pg_stmt *st)
{
    if (st->name[0] || d->unnamed_owner == st->id)
        return PQexecPrepared(d->conn, st->name, st->nparams, st->values, st->lengths, st->formats,
                              0);
    d->unnamed_owner = st->id;
    return PQexecParams(d->conn, st->sql, st->nparams, NULL, st->values, st->lengths, st->formats,
                        0);
}

static int run(struct pg_stmt *st)
{
    struct pg_db *d = st->d;
    if (!connected(d))
        return DB_FAILED;
    if (!st->ready || st->generation != d->generation) {
        int rc = prepare_on_server(d, st);
        if (rc != DB_OK)
            return rc;
    }
    PGresult *res = execute(d, st);
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
        if (!st->name[0])
            d->unnamed_owner = 0;
        return failed(d, res);
    }
    count_changes(d, res);
    st->res = res;
    st->rows = PQntuples(res);
    st->row = -1;
    return DB_OK;
}

int dbpg_step(db_stmt *base)
{
    struct pg_stmt *st = stmt(base);
    free_blobs(st);
    if (!st->res) {
        int rc = run(st);
        if (rc != DB_OK)
            return rc;
    }
    if (st->row < st->rows)
        st->row++;
    return st->row < st->rows ? DB_ROW : DB_DONE;
}

int dbpg_column_count(db_stmt *base)
{
    return stmt(base)->res ? PQnfields(stmt(base)->res) : 0;
}

/* The current row's value as text, NULL for NULL or no such value. */
static const char *cell(struct pg_stmt *st, int i)
{
    if (!st->res || st->row < 0 || st->row >= st->rows || i < 0 || i >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

const char *dbpg_column_name(db_stmt *base, int i)
{
    struct pg_stmt *st = stmt(base);
    const char *name = st->res && i >= 0 && i < PQnfields(st->res) ? PQfname(st->res, i) : NULL;
    return name ? name : "";
}

/* By the column's type (the OIDs of PostgreSQL's catalogue, which never
 * change): booleans and integers as integers, floating and numeric as
 * floats, bytea as a blob, everything else as text. */
db_type dbpg_column_type(db_stmt *base, int i)
{
    struct pg_stmt *st = stmt(base);
    if (!cell(st, i))
        return DB_NULL;
    switch (PQftype(st->res, i)) {
    case 16: /* bool */
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
        return DB_INTEGER;
    case 700:  /* float4 */
    case 701:  /* float8 */
    case 1700: /* numeric */
        return DB_FLOAT;
    case 17: /* bytea */
        return DB_BLOB;
    default:
        return DB_TEXT;
    }
}

int dbpg_column_is_null(db_stmt *base, int i)
{
    return cell(stmt(base), i) == NULL;
}

/* Booleans come as "t" and "f". */
static int boolean(const char *v, int64_t *out)
{
    if ((v[0] != 't' && v[0] != 'f') || v[1])
        return 0;
    *out = v[0] == 't';
    return 1;
}

int64_t dbpg_column_int64(db_stmt *base, int i)
{
    const char *v = cell(stmt(base), i);
    int64_t b;
    if (!v)
        return 0;
    return boolean(v, &b) ? b : strtoll(v, NULL, 10);
}

double dbpg_column_double(db_stmt *base, int i)
{
    const char *v = cell(stmt(base), i);
    int64_t b;
    if (!v)
        return 0;
    return boolean(v, &b) ? (double)b : strtod(v, NULL);
}

const char *dbpg_column_text(db_stmt *base, int i)
{
    return cell(stmt(base), i);
}

/* bytea comes as text ("\x0001..."): decoded once per row and column. */
const void *dbpg_column_blob(db_stmt *base, int i, size_t *len)
{
    struct pg_stmt *st = stmt(base);
    const char *v = cell(st, i);
    if (len)
        *len = 0;
    if (!v)
        return NULL;
    if (!st->blobs) {
        st->nblobs = PQnfields(st->res);
        st->blobs = calloc((size_t)st->nblobs, sizeof(*st->blobs));
        if (!st->blobs) {
            st->nblobs = 0;
            db_fail(&st->d->base, "out of memory");
            return NULL;
        }
    }
    struct blob *b = &st->blobs[i];
    if (!b->data) {
        b->data = PQunescapeBytea((const unsigned char *)v, &b->len);
        if (!b->data) {
            db_fail(&st->d->base, "out of memory");
            return NULL;
        }
    }
    if (len)
        *len = b->len;
    return b->data;
}

int64_t dbpg_changes(db *d)
{
    return conn(d)->changes;
}

int dbpg_in_transaction(db *d)
{
    PGTransactionStatusType status = PQtransactionStatus(conn(d)->conn);
    return status != PQTRANS_IDLE && status != PQTRANS_UNKNOWN;
}

struct pg_conn *dbpg_handle(db *d)
{
    return conn(d)->conn;
}
