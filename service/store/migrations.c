/*
 * The schema's numbered migrations: each applied once in its own
 * transaction and recorded in schema_migrations, so that a database of any
 * age opens into the current shape. SQLite's are here; PostgreSQL starts at
 * version 11 from schema_postgresql.c and shares the later ones.
 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Migration N brings the schema from version N-1 to N. Never edit one
 * that has shipped: add the next. */
static const char *const migrations[] = {
    /* 1: the registry, recognition, users, scans, audit and outbox */
    "CREATE TABLE producers ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  address TEXT NOT NULL DEFAULT '',"
    "  kind TEXT NOT NULL CHECK (kind IN ('cooperative','sme','household','other')),"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  locality TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE TABLE products ("
    "  id INTEGER PRIMARY KEY,"
    "  producer_id INTEGER NOT NULL REFERENCES producers(id),"
    "  name TEXT NOT NULL,"
    "  grp TEXT NOT NULL CHECK (grp IN ('food','drink','herbal','handicraft','ornamental',"
    "                                    'tourism')),"
    "  gtin TEXT UNIQUE,"
    "  details TEXT NOT NULL DEFAULT '{}',"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE TABLE lots ("
    "  id INTEGER PRIMARY KEY,"
    "  product_id INTEGER NOT NULL REFERENCES products(id),"
    "  code TEXT NOT NULL,"
    "  produced TEXT, expires TEXT,"
    "  UNIQUE (product_id, code));"
    "CREATE TABLE serials ("
    "  lot_id INTEGER NOT NULL REFERENCES lots(id),"
    "  serial TEXT NOT NULL,"
    "  first_scan_at TEXT,"
    "  scans INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (lot_id, serial)) WITHOUT ROWID;"
    /* The networks a serial was scanned from: the verdict reads this small
     * set instead of counting every scan. */
    "CREATE TABLE serial_networks ("
    "  lot_id INTEGER NOT NULL, serial TEXT NOT NULL, network TEXT NOT NULL,"
    "  PRIMARY KEY (lot_id, serial, network),"
    "  FOREIGN KEY (lot_id, serial) REFERENCES serials (lot_id, serial)) WITHOUT ROWID;"
    "CREATE TABLE evaluations ("
    "  id INTEGER PRIMARY KEY,"
    "  product_id INTEGER NOT NULL REFERENCES products(id),"
    "  score_a INTEGER NOT NULL, score_b INTEGER NOT NULL, score_c INTEGER NOT NULL,"
    "  stars INTEGER NOT NULL,"
    "  officer_id INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE TABLE certificates ("
    "  id INTEGER PRIMARY KEY,"
    "  number TEXT NOT NULL UNIQUE,"
    "  evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),"
    "  decision_number TEXT NOT NULL, decision_date TEXT NOT NULL,"
    "  level TEXT NOT NULL CHECK (level IN ('district','province','national')),"
    "  valid_until TEXT NOT NULL,"
    "  producer_snapshot TEXT NOT NULL,"
    "  revoked_at TEXT, revoke_reason TEXT);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('admin','officer','producer')),"
    "  producer_id INTEGER REFERENCES producers(id),"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  CHECK ((role = 'producer') = (producer_id IS NOT NULL)));"
    "CREATE TABLE tokens ("
    "  hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))) WITHOUT ROWID;"
    "CREATE TABLE scans ("
    "  id INTEGER PRIMARY KEY,"
    "  gtin TEXT, lot TEXT, serial TEXT,"
    "  network TEXT NOT NULL DEFAULT '',"
    "  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE INDEX scans_serial ON scans (serial, lot);"
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER REFERENCES users(id),"
    "  action TEXT NOT NULL, subject TEXT NOT NULL,"
    "  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,"
    "  body TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at TEXT,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','dead')),"
    "  last_error TEXT);",
    /* 2: the outbox as the sync worker uses it (version 1's was never
     * written), and this installation's id, which keeps idempotency keys
     * apart from another database's. Deliveries keep order per product. */
    "DROP TABLE outbox;"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
    "INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(8))));"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('product','commissioning','certificate')),"
    "  product_id INTEGER NOT NULL,"
    "  path TEXT NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL,"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','delivered','dead')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL DEFAULT 0," /* unix milliseconds */
    "  last_status INTEGER, last_error TEXT, response TEXT, delivered_at TEXT);"
    "CREATE INDEX outbox_due ON outbox (state, next_at, id);"
    "CREATE INDEX outbox_order ON outbox (product_id, state, id);",
    /* 3: the web pages: passwords (Argon2id), sessions, failed sign-ins */
    "ALTER TABLE users ADD COLUMN password_hash TEXT;"
    "CREATE TABLE sessions ("
    "  hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  csrf TEXT NOT NULL,"
    "  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE sign_in_failures ("
    "  who TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at INTEGER NOT NULL) WITHOUT ROWID;",
    /* 4: a product's evaluations (and so its certificates) found without a
     * scan of them all, which every resolved code asks for */
    "CREATE INDEX evaluations_product ON evaluations (product_id);",
    /* 5: the verdict's evidence: when a serial was first seen from each
     * network, and the first time its scans looked like a copier's, which
     * stays (the evidence does not go away when the burst ends) */
    "ALTER TABLE serial_networks ADD COLUMN first_at TEXT;"
    "ALTER TABLE serials ADD COLUMN suspicious_at TEXT;",
};

/* Migrations after the list's: each is a function of the file that owns
 * its tables, so that branches that add one at once renumber at a merge by
 * moving a line. */
static const char *(*const later_migrations[])(void) = {
    store_pins_migration,               /* 6: scratch-off PINs */
    store_photos_migration,             /* 7: product photos */
    store_links_migration,              /* 8: producers' links */
    store_registry_migration,           /* 9: the registry's version, for resolvers' caches */
    store_trace_migration,              /* 10: areas, inputs, journal, shipments, recalls */
    store_reader_migration,             /* 11: the reader role */
    store_outbox_claims_migration,      /* 12: deliveries claimed by one daemon's worker */
    store_registry_at_commit_migration, /* 13: PostgreSQL: the registry's version at commit */
    store_cartons_migration,            /* 14: cartons, their units, SSCC counters */
    store_logos_migration,              /* 15: producers' logos */
    store_dossiers_migration,           /* 16: dossiers, scores, reminders, mail */
    store_reminders_migration,          /* 17: certificates by end date, by evaluation */
    store_reminder_window_migration,    /* 18: reminders at 180 and 150 days */
};

#define LISTED     ((int)(sizeof(migrations) / sizeof(migrations[0])))
#define MIGRATIONS (LISTED + (int)(sizeof(later_migrations) / sizeof(later_migrations[0])))
/* The SQL of migration `v` (1 to MIGRATIONS). */
static const char *migration_sql(int v)
{
    return v <= LISTED ? migrations[v - 1] : later_migrations[v - LISTED - 1]();
}

int store_latest_version(void)
{
    return MIGRATIONS;
}

static int read_version(store *s)
{
    db_stmt *st = NULL;
    int version = -1;
    if ((st = db_prepare(s->conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) &&
        db_step(st) == DB_ROW)
        version = (int)db_column_int64(st, 0);
    db_finalize(st);
    return version;
}

/* A PostgreSQL database starts at this version, in one step. */
#define POSTGRESQL_BASELINE 11
/* PostgreSQL's text of its own for this one (store_postgresql_registry_at_commit). */
#define REGISTRY_AT_COMMIT 13
/* ... and for this one (store_postgresql_cartons): ids drawn by an identity. */
#define CARTONS 14
/* ... and for this one (store_postgresql_logos): bytes are BYTEA. */
#define LOGOS 15
/* ... and for this one (store_postgresql_dossiers): its own role CHECK, identities. */
#define DOSSIERS 16
/* ... and for this one (store_postgresql_reminder_window): the CHECK by its name. */
#define REMINDER_WINDOW 18
/* The advisory lock the daemons of one PostgreSQL database migrate under:
 * one migrates, the others wait, then find the work done. ("OCOP") */
#define MIGRATION_LOCK "1330595664"

/* The SQL that brings the schema to version `v` on this backend. */
static const char *migration_for(const store *s, int v)
{
    if (store_backend(s) == DB_POSTGRESQL && v == POSTGRESQL_BASELINE)
        return store_postgresql_baseline();
    if (store_backend(s) == DB_POSTGRESQL && v == REGISTRY_AT_COMMIT)
        return store_postgresql_registry_at_commit();
    if (store_backend(s) == DB_POSTGRESQL && v == CARTONS)
        return store_postgresql_cartons();
    if (store_backend(s) == DB_POSTGRESQL && v == LOGOS)
        return store_postgresql_logos();
    if (store_backend(s) == DB_POSTGRESQL && v == DOSSIERS)
        return store_postgresql_dossiers();
    if (store_backend(s) == DB_POSTGRESQL && v == REMINDER_WINDOW)
        return store_postgresql_reminder_window();
    return migration_sql(v);
}

/* Applies migration `v` in its own transaction with its record, so that a
 * crash leaves a whole version or none. */
static int apply(store *s, int v, char error[STORE_ERROR_MAX])
{
    if (store_transaction(s, error) != 0)
        return -1;
    db_stmt *st = NULL;
    int failed = store_exec(s, migration_for(s, v), error) != 0;
    if (!failed &&
        (st = db_prepare(s->conn, "INSERT INTO schema_migrations (version) VALUES (?1)"))) {
        db_bind_int64(st, 1, v);
        failed = store_step_done(st) != 0;
        if (failed)
            store_set_error(error, "cannot record the migration", s->conn);
    }
    if (failed) {
        char ignored[STORE_ERROR_MAX];
        store_exec(s, "ROLLBACK", ignored);
        return -1;
    }
    return store_exec(s, "COMMIT", error);
}

static int migrate_locked(store *s, char error[STORE_ERROR_MAX])
{
    /* On PostgreSQL, before the baseline brings strftime(). */
    if (store_exec(s,
                   store_backend(s) == DB_SQLITE
                       ? "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                         "KEY, applied_at TEXT NOT NULL DEFAULT "
                         "(strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
                       : "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY "
                         "KEY, applied_at TEXT NOT NULL DEFAULT (to_char(now() AT TIME ZONE "
                         "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')))",
                   error) != 0)
        return -1;
    s->version = read_version(s);
    if (s->version < 0)
        return store_set_error(error, "cannot read the schema version", s->conn), -1;
    if (s->version > MIGRATIONS) {
        snprintf(error, STORE_ERROR_MAX,
                 "the database is at schema version %d; this ocoptrace knows %d: upgrade it "
                 "before it opens this database",
                 s->version, MIGRATIONS);
        return -1;
    }
    int first = s->version + 1;
    if (store_backend(s) == DB_POSTGRESQL && first < POSTGRESQL_BASELINE)
        first = POSTGRESQL_BASELINE;
    for (int v = first; v <= MIGRATIONS; v++) {
        if (apply(s, v, error) != 0)
            return -1;
        s->version = v;
        s->applied++;
    }
    return 0;
}

int store_read_version(store *s, char error[STORE_ERROR_MAX])
{
    s->version = read_version(s);
    if (s->version < 0)
        return store_set_error(error, "cannot read the schema version", s->conn), -1;
    return 0;
}

/* Applies each migration the database lacks. On PostgreSQL, under a lock
 * that the other daemons of the database wait on. */
int store_migrate(store *s, char error[STORE_ERROR_MAX])
{
    int postgresql = store_backend(s) == DB_POSTGRESQL;
    if (postgresql && store_exec(s, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", error) != 0)
        return -1;
    int rc = migrate_locked(s, error);
    if (postgresql) {
        char ignored[STORE_ERROR_MAX];
        store_exec(s, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")", ignored);
    }
    return rc;
}
