/*
 * `ocoptrace db copy`: every row of one database into another (SQLite to
 * PostgreSQL, or back), ids kept, in one transaction on the destination,
 * then every table counted on both sides. Tables are copied parents first,
 * so that each foreign key finds its row.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* Every table of the schema (at version 11), parents before children.
 * schema_migrations is each database's own; meta is copied last. */
static const char *const tables[] = {
    "producers",
    "products",
    "lots",
    "serials",
    "serial_networks",
    "users",
    "evaluations",
    "certificates",
    "tokens",
    "scans",
    "audit_log",
    "outbox",
    "sessions",
    "sign_in_failures",
    "serial_pins",
    "pin_failures",
    "product_photos",
    "product_links",
    "areas",
    "inputs",
    "lot_inputs",
    "lot_events",
    "shipments",
    "shipment_units",
    "recalls",
    "recalled_lots",
    "sscc_counters",
    "cartons",
    "carton_units",
    "producer_logos",
    "dossiers",
    "dossier_files",
    "dossier_transitions",
    "dossier_returns",
    "dossier_sheets",
    "dossier_scores",
    "reminders",
    "notices",
    "mail_outbox",
    "meta",
};
#define TABLES ((int)(sizeof(tables) / sizeof(tables[0])))

/* Tables whose id PostgreSQL draws from an identity, set past the copied
 * ids so that the next row gets a new one. */
static const char *const identities[] = {
    "producers",      "products",
    "lots",           "evaluations",
    "certificates",   "users",
    "scans",          "audit_log",
    "outbox",         "pin_failures",
    "product_photos", "product_links",
    "areas",          "inputs",
    "lot_inputs",     "lot_events",
    "shipments",      "recalls",
    "cartons",        "dossiers",
    "dossier_files",  "dossier_transitions",
    "reminders",      "notices",
    "mail_outbox",
};

static int known_table(const char *name)
{
    if (strcmp(name, "schema_migrations") == 0 || strncmp(name, "sqlite_", 7) == 0)
        return 1;
    for (int i = 0; i < TABLES; i++)
        if (strcmp(tables[i], name) == 0)
            return 1;
    return 0;
}

/* Refuses a database with a table this list does not copy: a migration
 * that adds one must add it here too, or the copy would drop its rows. */
static int check_tables(store *s, char error[STORE_ERROR_MAX])
{
    db_stmt *st = db_prepare(store_db(s), store_backend(s) == DB_SQLITE
                                              ? "SELECT name FROM sqlite_master WHERE type = "
                                                "'table'"
                                              : "SELECT table_name FROM information_schema.tables "
                                                "WHERE table_schema = current_schema() AND "
                                                "table_type = 'BASE TABLE'");
    if (!st)
        return store_set_error(error, "cannot list the tables", store_db(s)), -1;
    int rc, unknown = 0;
    while ((rc = db_step(st)) == DB_ROW && !unknown) {
        if (!known_table(db_column_text(st, 0))) {
            snprintf(error, STORE_ERROR_MAX, "table '%.64s' is not one this copy knows",
                     db_column_text(st, 0));
            unknown = 1;
        }
    }
    db_finalize(st);
    if (!unknown && rc != DB_DONE)
        return store_set_error(error, "cannot list the tables", store_db(s)), -1;
    return unknown ? -1 : 0;
}

/* Rows in `table`, or -1. The name is one of the list's, never input. */
static long long count_rows(store *s, const char *table)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    db_stmt *st = db_prepare(store_db(s), sql);
    long long n = st && db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_finalize(st);
    return n;
}

/* The INSERT of one row of the source's columns into `table`. */
static db_stmt *insert_for(store *to, const char *table, db_stmt *row, char error[STORE_ERROR_MAX])
{
    char sql[2048];
    size_t len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (", table);
    int columns = db_column_count(row);
    for (int i = 0; i < columns && len < sizeof(sql); i++)
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? ", " : "",
                                db_column_name(row, i));
    len += (size_t)snprintf(sql + len, len < sizeof(sql) ? sizeof(sql) - len : 0, ") VALUES (");
    for (int i = 0; i < columns && len < sizeof(sql); i++)
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?%d", i ? ", " : "", i + 1);
    if (strcmp(table, "meta") == 0 && len < sizeof(sql))
        len += (size_t)snprintf(sql + len, sizeof(sql) - len,
                                ") ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    else if (len < sizeof(sql))
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, ")");
    if (len >= sizeof(sql)) {
        snprintf(error, STORE_ERROR_MAX, "table '%s' has too many columns", table);
        return NULL;
    }
    db_stmt *st = db_prepare(store_db(to), sql);
    if (!st)
        store_set_error(error, "cannot write", store_db(to));
    return st;
}

/* Binds the source row's values, each as what it is. */
static void bind_row(db_stmt *insert, db_stmt *row)
{
    for (int i = 0; i < db_column_count(row); i++) {
        size_t len = 0;
        const void *bytes;
        switch (db_column_type(row, i)) {
        case DB_INTEGER:
            db_bind_int64(insert, i + 1, db_column_int64(row, i));
            break;
        case DB_FLOAT:
            db_bind_double(insert, i + 1, db_column_double(row, i));
            break;
        case DB_TEXT:
            db_bind_text(insert, i + 1, db_column_text(row, i));
            break;
        case DB_BLOB:
            bytes = db_column_blob(row, i, &len);
            db_bind_blob(insert, i + 1, bytes, len);
            break;
        default:
            db_bind_null(insert, i + 1);
        }
    }
}

static int copy_table(store *from, store *to, const char *table, char error[STORE_ERROR_MAX])
{
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT * FROM %s", table);
    db_stmt *row = db_prepare(store_db(from), sql), *insert = NULL;
    if (!row)
        return store_set_error(error, "cannot read", store_db(from)), -1;
    int rc;
    while ((rc = db_step(row)) == DB_ROW) {
        if (!insert && !(insert = insert_for(to, table, row, error)))
            break;
        bind_row(insert, row);
        int done = db_step(insert);
        db_reset(insert);
        if (done != DB_DONE) {
            snprintf(error, STORE_ERROR_MAX, "cannot copy a row of '%s': %.160s", table,
                     db_error(store_db(to)));
            break;
        }
    }
    int ok = rc == DB_DONE;
    if (rc != DB_DONE && rc != DB_ROW)
        snprintf(error, STORE_ERROR_MAX, "cannot read '%s': %.160s", table,
                 db_error(store_db(from)));
    db_finalize(row);
    db_finalize(insert);
    return ok ? 0 : -1;
}

/* Past the copied ids, on PostgreSQL; and a new registry version, so that
 * no cache holds an answer from before. */
static int after_copy(store *to, char error[STORE_ERROR_MAX])
{
    char sql[256];
    for (size_t i = 0;
         store_backend(to) == DB_POSTGRESQL && i < sizeof(identities) / sizeof(identities[0]);
         i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(max(id), 0) + 1, "
                 "false) FROM %s",
                 identities[i], identities[i]);
        if (store_exec(to, sql, error) != 0)
            return -1;
    }
    return store_exec(to,
                      "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key "
                      "= 'registry'",
                      error);
}

/* Whether the destination is as new: no producer, user or delivery. */
static int empty(store *s)
{
    return count_rows(s, "producers") == 0 && count_rows(s, "users") == 0 &&
           count_rows(s, "outbox") == 0;
}

int store_copy(store *from, store *to, store_copy_count counts[STORE_COPY_TABLES], int *count,
               char error[STORE_ERROR_MAX])
{
    *count = 0;
    if (store_version(from) != store_version(to)) {
        snprintf(error, STORE_ERROR_MAX, "the schemas differ: version %d and %d",
                 store_version(from), store_version(to));
        return -1;
    }
    if (check_tables(from, error) != 0 || check_tables(to, error) != 0)
        return -1;
    if (!empty(to)) {
        snprintf(error, STORE_ERROR_MAX,
                 "the destination holds data already: copy into a new, empty database");
        return -1;
    }
    /* One snapshot of the source, one transaction on the destination. */
    if (store_exec(from,
                   store_backend(from) == DB_SQLITE ? "BEGIN"
                                                    : "BEGIN ISOLATION LEVEL REPEATABLE READ",
                   error) != 0)
        return -1;
    int rc = store_transaction(to, error);
    for (int i = 0; rc == 0 && i < TABLES; i++)
        rc = copy_table(from, to, tables[i], error);
    if (rc == 0)
        rc = after_copy(to, error);
    for (int i = 0; rc == 0 && i < TABLES && i < STORE_COPY_TABLES; i++) {
        counts[i] =
            (store_copy_count){tables[i], count_rows(from, tables[i]), count_rows(to, tables[i])};
        *count = i + 1;
        if (counts[i].from < 0 || counts[i].from != counts[i].to) {
            snprintf(error, STORE_ERROR_MAX, "table '%s' counts %lld rows here and %lld there",
                     tables[i], counts[i].from, counts[i].to);
            rc = -1;
        }
    }
    char ignored[STORE_ERROR_MAX];
    store_exec(from, "ROLLBACK", ignored);
    if (rc != 0) {
        store_exec(to, "ROLLBACK", ignored);
        return -1;
    }
    return store_exec(to, "COMMIT", error);
}
