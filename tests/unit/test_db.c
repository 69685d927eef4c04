/*
 * The database adapter (service/store/db*.c): URLs, the rewriting of `?`
 * parameters, and one suite of cases run on SQLite (a temporary file)
 * always and on PostgreSQL when OCOPTRACE_TEST_POSTGRESQL holds a URL, so
 * that SQL the store writes once is seen to behave the same on both.
 */
#include "../../service/store/db.h"
#include "../../service/store/db_backend.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_urls(void)
{
    static const struct {
        const char *url;
        db_backend backend;
        const char *path;
    } cases[] = {
        {"postgresql://ocoptrace@db.example/trace", DB_POSTGRESQL, NULL},
        {"postgres://db.example/trace", DB_POSTGRESQL, NULL},
        {"postgresql:", DB_POSTGRESQL, NULL},
        {"postgresql:///trace?host=/run/postgresql", DB_POSTGRESQL, NULL},
        {"sqlite:/var/lib/ocoptrace/ocoptrace.db", DB_SQLITE, "/var/lib/ocoptrace/ocoptrace.db"},
        {"sqlite:data/ocoptrace.db", DB_SQLITE, "data/ocoptrace.db"},
        {"data/ocoptrace.db", DB_SQLITE, "data/ocoptrace.db"},
        {":memory:", DB_SQLITE, ":memory:"},
        {"sqlite:", DB_SQLITE, NULL},
        {"", DB_SQLITE, NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        CHECK(db_url_backend(cases[i].url) == cases[i].backend, "'%s': backend", cases[i].url);
        const char *path = db_url_sqlite_path(cases[i].url);
        if (cases[i].path)
            CHECK_STR(path, cases[i].path, "'%s': sqlite file", cases[i].url);
        else
            CHECK(path == NULL, "'%s': no sqlite file, got '%s'", cases[i].url, path);
    }
    char error[DB_ERROR_MAX] = "";
    CHECK(db_open("sqlite:", error) == NULL && strstr(error, "sqlite:"),
          "a url without a file is refused, naming it: '%s'", error);
}

static void test_translate(void)
{
    static const struct {
        const char *sql, *want;
        int count;
    } cases[] = {
        {"SELECT 1", "SELECT 1", 0},
        {"SELECT ?", "SELECT $1", 1},
        {"SELECT ?, ?, ?", "SELECT $1, $2, $3", 3},
        {"SELECT ?1 + ?1", "SELECT $1 + $1", 1},
        {"SELECT ?2, ?", "SELECT $2, $3", 3},
        {"SELECT ?, ?1, ?", "SELECT $1, $1, $2", 2},
        {"SELECT ?3", "SELECT $3", 3},
        {"SELECT ?12345", "SELECT $12345", 12345},
        {"SELECT '?', ?", "SELECT '?', $1", 1},
        {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
        {"SELECT \"why?\" FROM t WHERE a = ?", "SELECT \"why?\" FROM t WHERE a = $1", 1},
        {"SELECT ? -- is it?\n, ?", "SELECT $1 -- is it?\n, $2", 2},
        {"SELECT ? -- to the end?", "SELECT $1 -- to the end?", 1},
        {"SELECT ? /* or ? */, ?", "SELECT $1 /* or ? */, $2", 2},
        {"SELECT 'unterminated ?", "SELECT 'unterminated ?", 0},
        {"SELECT x - ?", "SELECT x - $1", 1},
        {"SELECT 'Mắm tôm ?' || ?", "SELECT 'Mắm tôm ?' || $1", 1},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char out[128];
        int count = -1;
        long len = db_translate(cases[i].sql, out, sizeof(out), &count);
        CHECK_STR(out, cases[i].want, "'%s' for postgresql", cases[i].sql);
        CHECK(len == (long)strlen(cases[i].want), "'%s': length %ld", cases[i].sql, len);
        CHECK(count == cases[i].count, "'%s': %d parameters, want %d", cases[i].sql, count,
              cases[i].count);
    }
    static const char *const refused[] = {"SELECT ?0", "SELECT ?32767",
                                          "SELECT ?99999999999999999999999"};
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        char out[64];
        int count;
        CHECK(db_translate(refused[i], out, sizeof(out), &count) < 0, "'%s' is refused",
              refused[i]);
    }
    char small[8];
    int count;
    long len = db_translate("SELECT ?, ?", small, sizeof(small), &count);
    CHECK(len == 13 && strcmp(small, "SELECT ") == 0,
          "a small buffer gets what fits and the whole length: %ld '%s'", len, small);
}

/* One backend's run: the connection and a name for messages. */
typedef struct {
    db *d;
    const char *name;
    int pg;
} suite;

static db_stmt *prepare(const suite *s, const char *sql)
{
    db_stmt *st = db_prepare(s->d, sql);
    CHECK(st != NULL, "%s: prepare '%s': %s", s->name, sql, db_error(s->d));
    return st;
}

static int exec(const suite *s, const char *sql)
{
    int rc = db_exec(s->d, sql);
    CHECK(rc == DB_OK, "%s: '%s': %d %s", s->name, sql, rc, db_error(s->d));
    return rc;
}

static int64_t select_int(const suite *s, const char *sql)
{
    db_stmt *st = prepare(s, sql);
    int64_t v = -1;
    if (st && db_step(st) == DB_ROW)
        v = db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

static void create_tables(const suite *s)
{
    exec(s, "DROP TABLE IF EXISTS dbtest_child; DROP TABLE IF EXISTS dbtest_parent;"
            "DROP TABLE IF EXISTS dbtest_values");
    /* The one place the two dialects differ here: a key the database picks. */
    exec(s, s->pg ? "CREATE TABLE dbtest_parent (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
                    "PRIMARY KEY, name TEXT NOT NULL UNIQUE, stars BIGINT CHECK (stars BETWEEN "
                    "1 AND 5))"
                  : "CREATE TABLE dbtest_parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL "
                    "UNIQUE, stars BIGINT CHECK (stars BETWEEN 1 AND 5))");
    exec(s, "CREATE TABLE dbtest_child (id BIGINT PRIMARY KEY,"
            " parent_id BIGINT NOT NULL REFERENCES dbtest_parent(id));"
            "CREATE TABLE dbtest_values (k BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION,"
            " t TEXT, b BYTEA)");
}

enum kind { INT, DOUBLE, TEXT, BLOB, NUL };

static const struct value {
    enum kind kind;
    int64_t i;
    double d;
    const char *t;
    const char *b;
    size_t len;
} values[] = {
    {INT, INT64_MIN, 0, NULL, NULL, 0},
    {INT, INT64_MAX, 0, NULL, NULL, 0},
    {INT, 0, 0, NULL, NULL, 0},
    {INT, -1, 0, NULL, NULL, 0},
    {DOUBLE, 0, 3.141592653589793, NULL, NULL, 0},
    {DOUBLE, 0, -2.5e-300, NULL, NULL, 0},
    {DOUBLE, 0, 1.7976931348623157e308, NULL, NULL, 0},
    {DOUBLE, 0, 0.1, NULL, NULL, 0},
    {TEXT, 0, 0, "Mắm tôm Hậu Lộc, Thanh Hoá: ★★★★ OCOP (Nước mắm cốt)", NULL, 0},
    {TEXT, 0, 0, "", NULL, 0},
    {TEXT, 0, 0, "it's \"quoted\" and ? and $1 and \\x00", NULL, 0},
    {BLOB, 0, 0, NULL, "\0\1\0\377\0", 5},
    {BLOB, 0, 0, NULL, "\\x", 2},
    {BLOB, 0, 0, NULL, "", 0},
    {NUL, 0, 0, NULL, NULL, 0},
};

static int bind_value(db_stmt *st, const struct value *v)
{
    int rc = DB_OK;
    rc |= v->kind == INT ? db_bind_int64(st, 2, v->i) : db_bind_null(st, 2);
    rc |= v->kind == DOUBLE ? db_bind_double(st, 3, v->d) : db_bind_null(st, 3);
    rc |= db_bind_text(st, 4, v->kind == TEXT ? v->t : NULL);
    rc |= v->kind == BLOB ? db_bind_blob(st, 5, v->b, v->len) : db_bind_null(st, 5);
    return rc;
}

static void check_value(const suite *s, db_stmt *st, size_t k, const struct value *v)
{
    for (int col = 0; col < 4; col++)
        CHECK(db_column_is_null(st, col) == (col != (int)v->kind), "%s: value %zu, column %d null",
              s->name, k, col);
    size_t len = 99;
    const void *blob = db_column_blob(st, 3, &len);
    switch (v->kind) {
    case INT:
        CHECK(db_column_int64(st, 0) == v->i, "%s: %lld read back", s->name, (long long)v->i);
        break;
    case DOUBLE:
        CHECK(db_column_double(st, 1) == v->d, "%s: %.17g read back as %.17g", s->name, v->d,
              db_column_double(st, 1));
        break;
    case TEXT:
        CHECK_STR(db_column_text(st, 2), v->t, "%s: text read back", s->name);
        break;
    case BLOB:
        CHECK(blob && len == v->len && memcmp(blob, v->b, len) == 0,
              "%s: blob %zu of %zu bytes read back (%zu)", s->name, k, v->len, len);
        break;
    case NUL:
        CHECK(db_column_text(st, 2) == NULL && blob == NULL && len == 0,
              "%s: NULL reads as no text and no blob", s->name);
        break;
    }
}

/* Every value in, then out; one insert reset and run again for each. */
static void test_round_trip(const suite *s)
{
    db_stmt *ins = prepare(s, "INSERT INTO dbtest_values (k, i, d, t, b) VALUES (?, ?, ?, ?, ?)");
    db_stmt *sel = prepare(s, "SELECT i, d, t, b FROM dbtest_values WHERE k = ?");
    if (!ins || !sel)
        goto done;
    for (size_t k = 0; k < ARRAY_SIZE(values); k++) {
        db_reset(ins);
        CHECK(db_bind_int64(ins, 1, (int64_t)k) == DB_OK && bind_value(ins, &values[k]) == DB_OK,
              "%s: value %zu bound: %s", s->name, k, db_error(s->d));
        int rc = db_step(ins);
        CHECK(rc == DB_DONE, "%s: value %zu inserted: %d %s", s->name, k, rc, db_error(s->d));
        CHECK(db_changes(s->d) == 1, "%s: one row changed", s->name);
    }
    for (size_t k = 0; k < ARRAY_SIZE(values); k++) {
        db_reset(sel);
        db_bind_int64(sel, 1, (int64_t)k);
        int rc = db_step(sel);
        CHECK(rc == DB_ROW && db_column_count(sel) == 4, "%s: value %zu found: %d %s", s->name, k,
              rc, db_error(s->d));
        if (rc == DB_ROW)
            check_value(s, sel, k, &values[k]);
        CHECK(db_step(sel) == DB_DONE, "%s: one row for value %zu", s->name, k);
    }
done:
    db_finalize(ins);
    db_finalize(sel);
}

/* Parameters by number, reused, and a `?` that is text, a name or a
 * comment. Untyped parameters are cast: PostgreSQL must know their type. */
static void test_parameters(const suite *s)
{
    static const struct {
        const char *sql;
        int params, columns;
        int64_t want[3];
    } cases[] = {
        {"SELECT CAST(?1 AS BIGINT) + CAST(?1 AS BIGINT), CAST(?2 AS BIGINT)", 2, 2, {2, 10}},
        {"SELECT CAST(?2 AS BIGINT), CAST(? AS BIGINT), CAST(?1 AS BIGINT)", 3, 3, {10, 100, 1}},
        {"SELECT CAST(? AS BIGINT), CAST(?1 AS BIGINT), CAST(? AS BIGINT)", 2, 3, {1, 1, 10}},
        {"SELECT length('?'), CAST(? AS BIGINT) -- or ?\n, CAST(? AS BIGINT)", 2, 3, {1, 1, 10}},
        {"SELECT 7 AS \"how many?\", CAST(? /* ? */ AS BIGINT), 3", 1, 3, {7, 1, 3}},
    };
    static const int64_t bound[] = {1, 10, 100};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        db_stmt *st = prepare(s, cases[i].sql);
        if (!st)
            continue;
        int rc = DB_OK;
        for (int p = 0; p < cases[i].params; p++)
            rc |= db_bind_int64(st, p + 1, bound[p]);
        int step = db_step(st);
        CHECK(rc == DB_OK && step == DB_ROW && db_column_count(st) == cases[i].columns,
              "%s: '%s' runs: %d %s", s->name, cases[i].sql, step, db_error(s->d));
        for (int c = 0; c < cases[i].columns && step == DB_ROW; c++)
            CHECK(db_column_int64(st, c) == cases[i].want[c], "%s: '%s' column %d: %lld, want %lld",
                  s->name, cases[i].sql, c, (long long)db_column_int64(st, c),
                  (long long)cases[i].want[c]);
        db_finalize(st);
    }
    db_stmt *st = prepare(s, "SELECT CAST(? AS TEXT)");
    if (st) {
        CHECK(db_bind_int64(st, 2, 1) == DB_FAILED && db_error(s->d)[0],
              "%s: a parameter the statement lacks is refused: %s", s->name, db_error(s->d));
        CHECK(db_bind_text(st, 1, "?1") == DB_OK && db_step(st) == DB_ROW &&
                  db_column_text(st, 0) && strcmp(db_column_text(st, 0), "?1") == 0,
              "%s: a bound '?1' is text", s->name);
    }
    db_finalize(st);
}

/* SQL longer than the translation's first buffer. */
static void test_long_sql(const suite *s)
{
    char sql[4096];
    size_t n = (size_t)snprintf(sql, sizeof(sql), "SELECT CAST(? AS BIGINT)");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, " + 1");
    snprintf(sql + n, sizeof(sql) - n, " + CAST(? AS BIGINT)");
    db_stmt *st = prepare(s, sql);
    if (st) {
        db_bind_int64(st, 1, 1000);
        db_bind_int64(st, 2, 2);
        CHECK(db_step(st) == DB_ROW && db_column_int64(st, 0) == 1302,
              "%s: %zu bytes of SQL run: %s", s->name, strlen(sql), db_error(s->d));
    }
    db_finalize(st);
}

static int insert_parent(const suite *s, const char *name, int64_t stars, int64_t *id)
{
    db_stmt *st = prepare(s, "INSERT INTO dbtest_parent (name, stars) VALUES (?, ?) RETURNING id");
    if (!st)
        return DB_FAILED;
    db_bind_text(st, 1, name);
    db_bind_int64(st, 2, stars);
    int rc = db_step(st);
    if (rc == DB_ROW && id)
        *id = db_column_int64(st, 0);
    if (rc == DB_ROW)
        rc = db_step(st);
    db_finalize(st);
    return rc;
}

static void test_constraints(const suite *s)
{
    int64_t first = 0, second = 0;
    CHECK(insert_parent(s, "Hợp tác xã Quế Phong", 4, &first) == DB_DONE && first > 0,
          "%s: RETURNING id gives the new row's: %lld %s", s->name, (long long)first,
          db_error(s->d));
    CHECK(db_changes(s->d) == 1, "%s: one row inserted", s->name);
    CHECK(insert_parent(s, "Cơ sở Bà Tư", 3, &second) == DB_DONE && second == first + 1,
          "%s: the next id: %lld after %lld", s->name, (long long)second, (long long)first);
    static const struct {
        const char *sql;
        int want;
        const char *named; /* what the message names */
    } cases[] = {
        {"INSERT INTO dbtest_parent (name, stars) VALUES ('Cơ sở Bà Tư', 2)", DB_UNIQUE,
         "dbtest_parent"},
        {"INSERT INTO dbtest_parent (id, name) VALUES (1, 'again')", DB_UNIQUE, "dbtest_parent"},
        {"INSERT INTO dbtest_child (id, parent_id) VALUES (1, 999)", DB_FOREIGN, "FOREIGN KEY"},
        {"INSERT INTO dbtest_parent (name, stars) VALUES ('six stars', 6)", DB_CHECK, "check"},
        {"INSERT INTO dbtest_parent (name, stars) VALUES (NULL, 3)", DB_CHECK, "name"},
        {"INSERT INTO dbtest_missing VALUES (1)", DB_FAILED, "dbtest_missing"},
        {"SELEC 1", DB_FAILED, "SELEC"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc = db_exec(s->d, cases[i].sql);
        CHECK(rc == cases[i].want, "%s: '%s': %d, want %d (%s)", s->name, cases[i].sql, rc,
              cases[i].want, db_error(s->d));
        CHECK(strcasestr(db_error(s->d), cases[i].named), "%s: '%s' names '%s': %s", s->name,
              cases[i].sql, cases[i].named, db_error(s->d));
        /* The same through a prepared statement, where the query is sound. */
        db_stmt *st = db_prepare(s->d, cases[i].sql);
        rc = st ? db_step(st) : DB_FAILED;
        CHECK(rc == cases[i].want, "%s: '%s' prepared: %d, want %d (%s)", s->name, cases[i].sql, rc,
              cases[i].want, db_error(s->d));
        db_finalize(st);
    }
    CHECK(db_prepare(s->d, "SELECT * FROM dbtest_missing") == NULL &&
              strstr(db_error(s->d), "dbtest_missing"),
          "%s: a missing table fails the prepare, named: %s", s->name, db_error(s->d));
}

static void test_changes_and_booleans(const suite *s)
{
    db_stmt *st = prepare(s, "UPDATE dbtest_values SET i = 5 WHERE k < ?");
    if (st) {
        db_bind_int64(st, 1, 4);
        CHECK(db_step(st) == DB_DONE && db_changes(s->d) == 4, "%s: 4 rows updated: %lld", s->name,
              (long long)db_changes(s->d));
        db_reset(st);
        db_bind_int64(st, 1, 2);
        CHECK(db_step(st) == DB_DONE && db_changes(s->d) == 2, "%s: run again, 2 rows: %lld",
              s->name, (long long)db_changes(s->d));
    }
    db_finalize(st);
    CHECK(select_int(s, "SELECT count(*) FROM dbtest_values WHERE i = 5") == 4,
          "%s: the update stayed", s->name);
    exec(s, "DELETE FROM dbtest_values WHERE k >= 10");
    CHECK(db_changes(s->d) == (int64_t)ARRAY_SIZE(values) - 10, "%s: rows deleted: %lld", s->name,
          (long long)db_changes(s->d));
    CHECK(select_int(s, "SELECT count(*) FROM dbtest_values") == 10, "%s: a SELECT changes nothing",
          s->name);
    CHECK(db_changes(s->d) == (int64_t)ARRAY_SIZE(values) - 10,
          "%s: db_changes counts the last change, not the last SELECT", s->name);
    st = prepare(s, "SELECT 1 = 1, 1 = 2, 2 > 1");
    if (st && db_step(st) == DB_ROW)
        CHECK(db_column_int64(st, 0) == 1 && db_column_int64(st, 1) == 0 &&
                  db_column_int64(st, 2) == 1,
              "%s: booleans read 1 and 0", s->name);
    db_finalize(st);
}

/* PostgreSQL aborts a transaction at its first error and COMMIT then
 * rolls back: the adapter says so. SQLite keeps the rest. */
static void test_transactions(const suite *s)
{
    exec(s, "BEGIN");
    exec(s, "INSERT INTO dbtest_values (k, i) VALUES (100, 1)");
    exec(s, "ROLLBACK");
    CHECK(select_int(s, "SELECT count(*) FROM dbtest_values WHERE k = 100") == 0,
          "%s: a rolled back insert is gone", s->name);
    exec(s, "BEGIN");
    exec(s, "INSERT INTO dbtest_values (k, i) VALUES (101, 1)");
    CHECK(db_exec(s->d, "INSERT INTO dbtest_values (k, i) VALUES (101, 2)") == DB_UNIQUE,
          "%s: a duplicate in a transaction", s->name);
    int rc = db_exec(s->d, "COMMIT");
    if (s->pg)
        CHECK(rc == DB_FAILED && strstr(db_error(s->d), "rolled back"),
              "%s: COMMIT after an error fails: %d %s", s->name, rc, db_error(s->d));
    else
        CHECK(rc == DB_OK, "%s: COMMIT after an error keeps the rest: %s", s->name, db_error(s->d));
    CHECK(select_int(s, "SELECT count(*) FROM dbtest_values WHERE k = 101") == (s->pg ? 0 : 1),
          "%s: what the transaction left", s->name);
    exec(s, "DELETE FROM dbtest_values WHERE k >= 100");
}

/* Past the named statements' bound, and two unnamed statements taking
 * turns: every one still runs its own SQL. */
static void test_many_statements(const suite *s)
{
    enum { MANY = 600 };
    int wrong = 0;
    for (int i = 0; i < MANY; i++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "SELECT CAST(? AS BIGINT) + %d", i);
        db_stmt *st = db_prepare(s->d, sql);
        wrong += !st || db_bind_int64(st, 1, 1000) != DB_OK || db_step(st) != DB_ROW ||
                 db_column_int64(st, 0) != 1000 + i;
        db_finalize(st);
    }
    CHECK(!wrong, "%s: %d of %d distinct statements wrong: %s", s->name, wrong, MANY,
          db_error(s->d));
    db_stmt *a = prepare(s, "SELECT CAST(? AS BIGINT) * 2, 'a'");
    db_stmt *b = prepare(s, "SELECT CAST(? AS BIGINT) * 3, 'b'");
    for (int round = 0; a && b && round < 3; round++) {
        db_stmt *first = round % 2 ? b : a, *second = round % 2 ? a : b;
        db_reset(first);
        db_reset(second);
        db_bind_int64(first, 1, round);
        db_bind_int64(second, 1, round);
        CHECK(db_step(first) == DB_ROW && db_step(second) == DB_ROW &&
                  db_column_int64(a, 0) == round * 2 && db_column_int64(b, 0) == round * 3,
              "%s: statements taking turns, round %d: %s", s->name, round, db_error(s->d));
    }
    db_finalize(a);
    db_finalize(b);
    if (s->pg)
        CHECK(select_int(s, "SELECT count(*) FROM pg_prepared_statements") <= 513,
              "%s: the server keeps a bounded number of statements", s->name);
}

static void test_reconnect(const suite *s)
{
    db_stmt *st = prepare(s, "SELECT CAST(? AS BIGINT) * 2");
    if (!st)
        return;
    db_bind_int64(st, 1, 21);
    CHECK(db_step(st) == DB_ROW && db_column_int64(st, 0) == 42, "%s: before", s->name);
    int rc = db_exec(s->d, "SELECT pg_terminate_backend(pg_backend_pid())");
    CHECK(rc == DB_FAILED && strstr(db_error(s->d), "connection lost"),
          "%s: the call that loses the connection fails: %d %s", s->name, rc, db_error(s->d));
    CHECK(select_int(s, "SELECT 5") == 5, "%s: the next call works: %s", s->name, db_error(s->d));
    db_reset(st);
    db_bind_int64(st, 1, 50);
    CHECK(db_step(st) == DB_ROW && db_column_int64(st, 0) == 100,
          "%s: a statement prepared before runs again: %s", s->name, db_error(s->d));
    db_finalize(st);
    st = prepare(s, "SELECT current_setting('TimeZone'), current_setting('client_encoding')");
    if (st && db_step(st) == DB_ROW) {
        CHECK_STR(db_column_text(st, 0), "UTC", "%s: the new session's time zone", s->name);
        CHECK_STR(db_column_text(st, 1), "UTF8", "%s: the new session's encoding", s->name);
    }
    db_finalize(st);
}

static void run_suite(const char *url, const char *name)
{
    char error[DB_ERROR_MAX] = "";
    suite s = {db_open(url, error), name, db_url_backend(url) == DB_POSTGRESQL};
    CHECK(s.d != NULL, "%s: open '%s': %s", name, url, error);
    if (!s.d)
        return;
    CHECK(db_backend_of(s.d) == (s.pg ? DB_POSTGRESQL : DB_SQLITE), "%s: backend", name);
    CHECK((db_sqlite(s.d) != NULL) == !s.pg && (db_postgresql(s.d) != NULL) == s.pg,
          "%s: the handle beneath", name);
    create_tables(&s);
    test_round_trip(&s);
    test_parameters(&s);
    test_long_sql(&s);
    test_constraints(&s);
    test_changes_and_booleans(&s);
    test_transactions(&s);
    test_many_statements(&s);
    if (s.pg)
        test_reconnect(&s);
    exec(&s, "DROP TABLE dbtest_child; DROP TABLE dbtest_parent; DROP TABLE dbtest_values");
    db_close(s.d);
}

void test_db(void)
{
    test_urls();
    test_translate();
    char dir[] = "/tmp/ocoptrace-db.XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL, "a temporary folder");
    snprintf(path, sizeof(path), "sqlite:%s/test.db", dir);
    run_suite(path, "sqlite");
    unlink(path + 7);
    rmdir(dir);
    const char *pg = getenv("OCOPTRACE_TEST_POSTGRESQL");
    if (pg && pg[0])
        run_suite(pg, "postgresql");
    else
        printf("db: postgresql skipped (OCOPTRACE_TEST_POSTGRESQL holds no url)\n");
}
