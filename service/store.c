/*
 * SQLite storage. The schema grows by numbered migrations, each applied
 * once in its own transaction and recorded in schema_migrations, so that a
 * database of any age opens into the current shape. Every statement that
 * takes a value is prepared; text is never pasted into SQL. The
 * resolver's read and the scans written behind are in store_scans.c.
 */
#include "store.h"
#include "store_private.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The statements a connection keeps prepared: the resolver's and the
 * token's run on every request, and parsing them each time cost more than
 * running them. */
#define STATEMENTS_KEPT 48

struct store {
    sqlite3 *db;
    int version;
    int applied;
    struct {
        const char *sql; /* a literal: its address names it */
        sqlite3_stmt *st;
    } kept[STATEMENTS_KEPT];
};

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
    store_pins_migration,     /* 6: scratch-off PINs */
    store_photos_migration,   /* 7: product photos */
    store_links_migration,    /* 8: producers' links */
    store_registry_migration, /* 9: the registry's version, for resolvers' caches */
    store_trace_migration,    /* 10: areas, inputs, journal, shipments, recalls */
    store_reader_migration,   /* 11: the reader role */
};
#define LISTED     ((int)(sizeof(migrations) / sizeof(migrations[0])))
#define MIGRATIONS (LISTED + (int)(sizeof(later_migrations) / sizeof(later_migrations[0])))

/* The SQL of migration `v` (1 to MIGRATIONS). */
static const char *migration_sql(int v)
{
    return v <= LISTED ? migrations[v - 1] : later_migrations[v - LISTED - 1]();
}

static const char *const role_names[ROLE_COUNT] = {"admin", "officer", "producer", "reader"};

int store_role_parse(const char *name)
{
    for (int i = 0; name && i < ROLE_COUNT; i++)
        if (strcmp(role_names[i], name) == 0)
            return i;
    return -1;
}

const char *store_role_name(store_role role)
{
    return (unsigned)role < ROLE_COUNT ? role_names[role] : "unknown";
}

int store_latest_version(void)
{
    return MIGRATIONS;
}

int store_version(const store *s)
{
    return s->version;
}

int store_applied(const store *s)
{
    return s->applied;
}

static void set_error(char error[STORE_ERROR_MAX], const char *what, sqlite3 *db)
{
    snprintf(error, STORE_ERROR_MAX, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

/* Runs a statement without values (DDL, transactions, pragmas). */
static int exec(store *s, const char *sql, char error[STORE_ERROR_MAX])
{
    char *message = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &message) == SQLITE_OK)
        return 0;
    snprintf(error, STORE_ERROR_MAX, "%s", message ? message : "unknown error");
    sqlite3_free(message);
    return -1;
}

/* A statement prepared once for the connection's life (the SQL must be a
 * literal), or NULL. Give it back with release(). */
static sqlite3_stmt *kept(store *s, const char *sql)
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

/* Resets a statement from kept() (so that it holds no read snapshot open),
 * or finalizes one the table had no room for. */
static void release(store *s, sqlite3_stmt *st)
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
static int kept_done(store *s, sqlite3_stmt *st)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    release(s, st);
    return rc == SQLITE_DONE ? 0 : rc;
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

/* Runs a query taking one number (?1): the first row through `row`, or
 * NULL; or every row, as a JSON array. */
static json_t *query_by_id(store *s, const char *sql, long id, json_t *(*row)(sqlite3_stmt *),
                           int all)
{
    sqlite3_stmt *st = kept(s, sql);
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
    release(s, st);
    return result;
}

static int read_version(store *s)
{
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

/* Applies each migration the database lacks, each in its own transaction
 * with its record, so that a crash leaves a whole version or none. */
static int migrate(store *s, char error[STORE_ERROR_MAX])
{
    if (exec(s,
             "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
             "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))",
             error) != 0)
        return -1;
    s->version = read_version(s);
    if (s->version < 0)
        return set_error(error, "cannot read the schema version", s->db), -1;
    if (s->version > MIGRATIONS) {
        snprintf(error, STORE_ERROR_MAX,
                 "the database is at schema version %d; this ocoptrace knows %d", s->version,
                 MIGRATIONS);
        return -1;
    }
    for (int v = s->version + 1; v <= MIGRATIONS; v++) {
        if (exec(s, "BEGIN IMMEDIATE", error) != 0)
            return -1;
        sqlite3_stmt *st = NULL;
        int failed = exec(s, migration_sql(v), error) != 0;
        if (!failed &&
            sqlite3_prepare_v2(s->db, "INSERT INTO schema_migrations (version) VALUES (?1)", -1,
                               &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int(st, 1, v);
            failed = step_done(st) != 0;
            if (failed)
                set_error(error, "cannot record the migration", s->db);
        }
        if (failed) {
            char ignored[STORE_ERROR_MAX];
            exec(s, "ROLLBACK", ignored);
            return -1;
        }
        if (exec(s, "COMMIT", error) != 0)
            return -1;
        s->version = v;
        s->applied++;
    }
    return 0;
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
        set_error(error, "cannot open the database", s->db);
        store_close(s);
        return NULL;
    }
    sqlite3_busy_handler(s->db, busy_wait, NULL);
    if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL",
             error) != 0 ||
        migrate(s, error) != 0) {
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
        set_error(error, "cannot create the backup", dest);
        sqlite3_close(dest);
        return -1;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", s->db, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    if (b)
        sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        set_error(error, "cannot copy the database", dest);
    sqlite3_close(dest);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_producer_exists(store *s, long id)
{
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM producers WHERE id = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(st);
    return found;
}

/* A token is 32 random bytes shown once as "oct_" + base64url; the store
 * keeps only its BLAKE2b hash, so a copy of the database opens nothing. */
static void token_hash(const char *token, char hex[2 * crypto_generichash_BYTES + 1])
{
    unsigned char hash[crypto_generichash_BYTES];
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hex, 2 * crypto_generichash_BYTES + 1, hash, sizeof(hash));
}

long store_user_add(store *s, const char *name, store_role role, long producer_id,
                    char token[STORE_TOKEN_MAX], char error[STORE_ERROR_MAX])
{
    unsigned char random[32];
    randombytes_buf(random, sizeof(random));
    memcpy(token, "oct_", 4);
    sodium_bin2base64(token + 4, STORE_TOKEN_MAX - 4, random, sizeof(random),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char hash[2 * crypto_generichash_BYTES + 1];
    token_hash(token, hash);
    if (exec(s, "BEGIN IMMEDIATE", error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db, "INSERT INTO users (name, role, producer_id) VALUES (?1, ?2, ?3)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, role_names[role], -1, SQLITE_STATIC);
        if (role == ROLE_PRODUCER)
            sqlite3_bind_int64(st, 3, producer_id);
        else
            sqlite3_bind_null(st, 3);
        rc = step_done(st);
    }
    long long user = sqlite3_last_insert_rowid(s->db);
    if (rc == SQLITE_OK &&
        sqlite3_prepare_v2(s->db, "INSERT INTO tokens (hash, user_id) VALUES (?1, ?2)", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, user);
        rc = step_done(st);
    }
    if (rc != SQLITE_OK) {
        int taken = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE;
        set_error(error, "cannot add the user", s->db);
        char ignored[STORE_ERROR_MAX];
        exec(s, "ROLLBACK", ignored);
        sodium_memzero(token, STORE_TOKEN_MAX);
        return taken ? -2 : -1;
    }
    return exec(s, "COMMIT", error) == 0 ? (long)user : -1;
}

static json_t *user_row(sqlite3_stmt *st)
{
    json_t *producer = sqlite3_column_type(st, 3) == SQLITE_NULL
                           ? json_null()
                           : json_integer(sqlite3_column_int64(st, 3));
    return json_pack("{s:I, s:s, s:s, s:o, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                     "name", (const char *)sqlite3_column_text(st, 1), "role",
                     (const char *)sqlite3_column_text(st, 2), "producer_id", producer,
                     "created_at", (const char *)sqlite3_column_text(st, 4));
}

json_t *store_user_list(store *s)
{
    return query_by_id(
        s, "SELECT id, name, role, producer_id, created_at FROM users WHERE ?1 = 0 ORDER BY id", 0,
        user_row, 1);
}

int store_token_user(store *s, const char *token, store_user *user)
{
    char hash[2 * crypto_generichash_BYTES + 1];
    token_hash(token, hash);
    sqlite3_stmt *st = kept(s, "SELECT u.id, u.role, COALESCE(u.producer_id, 0) FROM tokens t "
                               "JOIN users u ON u.id = t.user_id WHERE t.hash = ?1");
    int found = -1;
    if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
        if (found == 1) {
            user->id = (long)sqlite3_column_int64(st, 0);
            user->role = (store_role)store_role_parse((const char *)sqlite3_column_text(st, 1));
            user->producer_id = (long)sqlite3_column_int64(st, 2);
        }
    }
    release(s, st);
    return found;
}

static void bind_optional(sqlite3_stmt *st, int index, const char *text)
{
    if (text)
        sqlite3_bind_text(st, index, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, index);
}

long store_producer_create(store *s, const store_producer *p, char error[STORE_ERROR_MAX])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO producers (name, address, kind, phone, locality) "
                           "VALUES (?1, COALESCE(?2, ''), ?3, COALESCE(?4, ''), COALESCE(?5, ''))",
                           -1, &st, NULL) != SQLITE_OK)
        return set_error(error, "cannot add the producer", s->db), -1;
    bind_optional(st, 1, p->name);
    bind_optional(st, 2, p->address);
    bind_optional(st, 3, p->kind);
    bind_optional(st, 4, p->phone);
    bind_optional(st, 5, p->locality);
    if (step_done(st) != 0)
        return set_error(error, "cannot add the producer", s->db), -1;
    return (long)sqlite3_last_insert_rowid(s->db);
}

int store_producer_update(store *s, long id, const store_producer *p, char error[STORE_ERROR_MAX])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE producers SET name = COALESCE(?2, name), "
                           "address = COALESCE(?3, address), kind = COALESCE(?4, kind), "
                           "phone = COALESCE(?5, phone), locality = COALESCE(?6, locality) "
                           "WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return set_error(error, "cannot change the producer", s->db), -1;
    sqlite3_bind_int64(st, 1, id);
    bind_optional(st, 2, p->name);
    bind_optional(st, 3, p->address);
    bind_optional(st, 4, p->kind);
    bind_optional(st, 5, p->phone);
    bind_optional(st, 6, p->locality);
    if (step_done(st) != 0)
        return set_error(error, "cannot change the producer", s->db), -1;
    return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

/* A producer from the columns at `at` onwards, in PRODUCER_COLUMNS order. */
static json_t *producer_row_at(sqlite3_stmt *st, int at)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)sqlite3_column_int64(st, at), "name",
                     (const char *)sqlite3_column_text(st, at + 1), "address",
                     (const char *)sqlite3_column_text(st, at + 2), "kind",
                     (const char *)sqlite3_column_text(st, at + 3), "phone",
                     (const char *)sqlite3_column_text(st, at + 4), "locality",
                     (const char *)sqlite3_column_text(st, at + 5), "created_at",
                     (const char *)sqlite3_column_text(st, at + 6));
}

static json_t *producer_row(sqlite3_stmt *st)
{
    return producer_row_at(st, 0);
}

#define PRODUCER_COLUMNS "id, name, address, kind, phone, locality, created_at"

json_t *store_producer_get(store *s, long id)
{
    return query_by_id(s, "SELECT " PRODUCER_COLUMNS " FROM producers WHERE id = ?1", id,
                       producer_row, 0);
}

json_t *store_producer_list(store *s, long only_id)
{
    return query_by_id(
        s, "SELECT " PRODUCER_COLUMNS " FROM producers WHERE ?1 = 0 OR id = ?1 ORDER BY id",
        only_id, producer_row, 1);
}

/* ---------- products, lots, serials ---------- */

static const char *column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

/* The registration the remote is sent for product `id`: the product and its
 * producer as the API shows them, queued in the caller's transaction. */
static int outbox_product(store *s, long id)
{
    json_t *product = store_product_get(s, id);
    json_t *producer = product ? store_producer_get(s, (long)json_integer_value(
                                                           json_object_get(product, "producer_id")))
                               : NULL;
    if (!product || !producer) {
        json_decref(product);
        json_decref(producer);
        return -1;
    }
    return store_outbox_add_json(s, "product", id, "/products",
                                 json_pack("{s:o, s:o}", "product", product, "producer", producer));
}

/* A change and what it queues in the outbox, as one: a savepoint works both
 * alone and inside an import's transaction. */
static int change_begin(store *s, char error[STORE_ERROR_MAX])
{
    return exec(s, "SAVEPOINT change", error);
}

static void change_end(store *s, int ok)
{
    char ignored[STORE_ERROR_MAX];
    if (!ok)
        exec(s, "ROLLBACK TO change", ignored);
    exec(s, "RELEASE change", ignored);
}

long store_product_create(store *s, const store_product *p, char error[STORE_ERROR_MAX])
{
    if (change_begin(s, error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    json_t *empty = p->details ? NULL : json_object();
    char *details = json_dumps(p->details ? p->details : empty, JSON_COMPACT);
    json_decref(empty);
    long id = -1;
    if (details &&
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO products (producer_id, name, grp, gtin, details) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, p->producer_id);
        bind_optional(st, 2, p->name);
        bind_optional(st, 3, p->group);
        bind_optional(st, 4, p->gtin);
        sqlite3_bind_text(st, 5, details, -1, SQLITE_TRANSIENT);
        int rc = step_done(st);
        if (rc == 0)
            id = (long)sqlite3_last_insert_rowid(s->db);
        else
            id = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE ? -2 : -1;
    }
    if (id > 0 && outbox_product(s, id) != 0)
        id = -1;
    if (id < 0)
        set_error(error, "cannot add the product", s->db);
    change_end(s, id > 0);
    free(details);
    return id;
}

int store_product_update(store *s, long id, const store_product *p, char error[STORE_ERROR_MAX])
{
    if (change_begin(s, error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    char *details = p->details ? json_dumps(p->details, JSON_COMPACT) : NULL;
    int result = -1;
    /* details: the given keys replace the stored ones (json_patch). */
    if (sqlite3_prepare_v2(
            s->db,
            "UPDATE products SET name = COALESCE(?2, name), grp = COALESCE(?3, grp), "
            "gtin = COALESCE(?4, gtin), "
            "details = CASE WHEN ?5 IS NULL THEN details ELSE json_patch(details, ?5) END "
            "WHERE id = ?1",
            -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        bind_optional(st, 2, p->name);
        bind_optional(st, 3, p->group);
        bind_optional(st, 4, p->gtin);
        bind_optional(st, 5, details);
        int rc = step_done(st);
        result = rc == 0 ? sqlite3_changes(s->db) > 0
                 : sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE ? -2
                                                                               : -1;
    }
    if (result == 1 && outbox_product(s, id) != 0)
        result = -1;
    if (result < 0)
        set_error(error, "cannot change the product", s->db);
    change_end(s, result >= 0);
    free(details);
    return result;
}

static json_t *product_row(sqlite3_stmt *st)
{
    json_t *details = json_loads(column_text(st, 5) ? column_text(st, 5) : "{}", 0, NULL);
    json_t *product = json_object();
    json_object_set_new(product, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(product, "producer_id", json_integer(sqlite3_column_int64(st, 1)));
    json_object_set_new(product, "name", json_string(column_text(st, 2)));
    json_object_set_new(product, "group", json_string(column_text(st, 3)));
    json_object_set_new(product, "gtin",
                        column_text(st, 4) ? json_string(column_text(st, 4)) : json_null());
    /* after the columns, which the details never override; the id first */
    if (json_is_object(details))
        json_object_update_missing(product, details);
    json_decref(details);
    return product;
}

/* A product's details as the API shows them, where_to_buy being its
 * gs1:purchaseSuggestion links (links.c), the one place a shop is kept:
 * whatever details once held under that key is never read. */
#define PRODUCT_DETAILS(p)                                                                         \
    "json_set(" p ".details, '$.where_to_buy', json((SELECT json_group_array(json_object("         \
    "'title', title, 'href', href)) FROM (SELECT title, href FROM product_links WHERE "            \
    "product_id = " p ".id AND link_type = 'gs1:purchaseSuggestion' ORDER BY id))))"
#define PRODUCT_COLUMNS "id, producer_id, name, grp, gtin, " PRODUCT_DETAILS("products")
#define LISTED_DETAILS  PRODUCT_DETAILS("p")

json_t *store_product_get(store *s, long id)
{
    return query_by_id(s, "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = ?1", id, product_row,
                       0);
}

/* A product as listed: with its producer's name and kind, and its latest
 * certificate (or null), so that lists can be filtered without more calls. */
static json_t *product_list_row(sqlite3_stmt *st)
{
    json_t *product = product_row(st);
    json_object_set_new(product, "producer_name", json_string(column_text(st, 6)));
    json_object_set_new(product, "producer_kind", json_string(column_text(st, 7)));
    json_t *certificate = json_null();
    if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        certificate =
            json_pack("{s:I, s:s, s:i, s:s, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 8),
                      "number", column_text(st, 9), "stars", sqlite3_column_int(st, 10),
                      "valid_until", column_text(st, 11), "revoked_at",
                      column_text(st, 12) ? json_string(column_text(st, 12)) : json_null());
    json_object_set_new(product, "certificate", certificate);
    return product;
}

json_t *store_product_list(store *s, long producer_id)
{
    return query_by_id(
        s,
        "SELECT p.id, p.producer_id, p.name, p.grp, p.gtin, " LISTED_DETAILS ", pr.name, pr.kind, "
        "c.id, c.number, e.stars, c.valid_until, c.revoked_at FROM products p "
        "JOIN producers pr ON pr.id = p.producer_id "
        "LEFT JOIN certificates c ON c.id = (SELECT c2.id FROM certificates c2 JOIN evaluations "
        "e2 ON e2.id = c2.evaluation_id WHERE e2.product_id = p.id ORDER BY c2.decision_date DESC, "
        "c2.id DESC LIMIT 1) LEFT JOIN evaluations e ON e.id = c.evaluation_id "
        "WHERE ?1 = 0 OR p.producer_id = ?1 ORDER BY p.id",
        producer_id, product_list_row, 1);
}

static json_t *lot_list_row(sqlite3_stmt *st)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                     "code", column_text(st, 1), "produced",
                     column_text(st, 2) ? json_string(column_text(st, 2)) : json_null(), "expires",
                     column_text(st, 3) ? json_string(column_text(st, 3)) : json_null(), "serials",
                     (json_int_t)sqlite3_column_int64(st, 4));
}

json_t *store_lot_list(store *s, long product_id)
{
    return query_by_id(s,
                       "SELECT l.id, l.code, l.produced, l.expires, (SELECT count(*) FROM serials "
                       "x WHERE x.lot_id = l.id) FROM lots l WHERE l.product_id = ?1 ORDER BY l.id",
                       product_id, lot_list_row, 1);
}

static json_t *certificate_list_row(sqlite3_stmt *st)
{
    json_t *snapshot = json_loads(column_text(st, 8) ? column_text(st, 8) : "{}", 0, NULL);
    json_t *c = json_pack(
        "{s:I, s:s, s:I, s:s, s:O, s:i, s:s, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
        "number", column_text(st, 1), "product_id", (json_int_t)sqlite3_column_int64(st, 2),
        "product", column_text(st, 3), "producer",
        json_object_get(snapshot, "name") ? json_object_get(snapshot, "name") : json_null(),
        "stars", sqlite3_column_int(st, 4), "valid_until", column_text(st, 5), "revoked_at",
        column_text(st, 6) ? json_string(column_text(st, 6)) : json_null());
    json_decref(snapshot);
    return c;
}

json_t *store_certificate_list(store *s, long producer_id, const char *until)
{
    sqlite3_stmt *st = NULL;
    json_t *list = json_array();
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT c.id, c.number, p.id, p.name, e.stars, c.valid_until, c.revoked_at, "
            "p.producer_id, c.producer_snapshot FROM certificates c JOIN evaluations e ON e.id = "
            "c.evaluation_id JOIN products p ON p.id = e.product_id WHERE (?1 = 0 OR "
            "p.producer_id = ?1) AND (?2 IS NULL OR (c.revoked_at IS NULL AND c.valid_until <= "
            "?2)) "
            "ORDER BY c.valid_until, c.id",
            -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, producer_id);
        bind_optional(st, 2, until);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(list, certificate_list_row(st));
    }
    sqlite3_finalize(st);
    return list;
}

static long owner_of(store *s, const char *sql, long id)
{
    sqlite3_stmt *st = kept(s, sql);
    long owner = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            owner = (long)sqlite3_column_int64(st, 0);
    }
    release(s, st);
    return owner;
}

long store_product_owner(store *s, long id)
{
    return owner_of(s, "SELECT producer_id FROM products WHERE id = ?1", id);
}

long store_lot_product(store *s, long id)
{
    return owner_of(s, "SELECT product_id FROM lots WHERE id = ?1", id);
}

long store_lot_owner(store *s, long id)
{
    return owner_of(s,
                    "SELECT p.producer_id FROM lots l JOIN products p ON p.id = l.product_id "
                    "WHERE l.id = ?1",
                    id);
}

long store_lot_find(store *s, const char *gtin, const char *lot, const char *serial)
{
    sqlite3_stmt *st = NULL;
    long id = 0;
    const char *sql = gtin ? "SELECT l.id FROM lots l JOIN products p ON p.id = l.product_id WHERE "
                             "p.gtin = ?1 AND l.code = ?2"
                           : "SELECT l.id FROM lots l JOIN serials x ON x.lot_id = l.id WHERE "
                             "l.code = ?2 AND x.serial = ?3";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        bind_optional(st, 1, gtin);
        bind_optional(st, 2, lot);
        bind_optional(st, 3, serial);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return id;
}

long store_lot_create(store *s, long product_id, const char *code, const char *produced,
                      const char *expires, char error[STORE_ERROR_MAX])
{
    sqlite3_stmt *st = NULL;
    long id = -1;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO lots (product_id, code, produced, expires) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, product_id);
        bind_optional(st, 2, code);
        bind_optional(st, 3, produced);
        bind_optional(st, 4, expires);
        int rc = step_done(st);
        id = rc == 0 ? (long)sqlite3_last_insert_rowid(s->db)
             : sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE ? -2
                                                                           : -1;
    }
    if (id < 0)
        set_error(error, "cannot add the lot", s->db);
    return id;
}

json_t *store_lot_get(store *s, long id)
{
    sqlite3_stmt *st = NULL;
    json_t *result = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT l.id, l.product_id, l.code, l.produced, l.expires, "
                           "(SELECT count(*) FROM serials WHERE lot_id = l.id) "
                           "FROM lots l WHERE l.id = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            result = json_pack(
                "{s:I, s:I, s:s, s:o, s:o, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                "product_id", (json_int_t)sqlite3_column_int64(st, 1), "code", column_text(st, 2),
                "produced", column_text(st, 3) ? json_string(column_text(st, 3)) : json_null(),
                "expires", column_text(st, 4) ? json_string(column_text(st, 4)) : json_null(),
                "serials", (json_int_t)sqlite3_column_int64(st, 5));
    }
    sqlite3_finalize(st);
    return result;
}

/* A savepoint rather than a transaction, so that a caller may hold it in
 * its own (the PINs of a scratch-off product go in with their serials). */
int store_serials_add(store *s, long lot_id, const char *const *serials, size_t count,
                      const char *commissioning, char error[STORE_ERROR_MAX])
{
    if (exec(s, "SAVEPOINT serials_add", error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "INSERT INTO serials (lot_id, serial) VALUES (?1, ?2)", -1,
                                &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < count; i++) {
        sqlite3_bind_int64(st, 1, lot_id);
        sqlite3_bind_text(st, 2, serials[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(st);
    }
    int repeat = rc != SQLITE_OK && sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY;
    if (rc == SQLITE_OK && commissioning &&
        store_outbox_add(s, "commissioning", store_lot_product(s, lot_id), "/capture",
                         "application/ld+json", commissioning) != 0)
        rc = SQLITE_ERROR;
    if (rc != SQLITE_OK)
        set_error(error, "cannot add the serials", s->db);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        char ignored[STORE_ERROR_MAX];
        exec(s, "ROLLBACK TO serials_add; RELEASE serials_add", ignored);
        return repeat ? -2 : -1;
    }
    return exec(s, "RELEASE serials_add", error);
}

json_t *store_lot_serials(store *s, long lot_id)
{
    sqlite3_stmt *st = NULL;
    json_t *list = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT serial FROM serials WHERE lot_id = ?1 ORDER BY serial",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, lot_id);
    list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, json_string(column_text(st, 0)));
    sqlite3_finalize(st);
    return list;
}

/* ---------- evaluations and certificates ---------- */

static int audit(store *s, long user_id, const char *action, const char *subject)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO audit_log (user_id, action, subject) VALUES (?1, ?2, ?3)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, subject, -1, SQLITE_TRANSIENT);
    return step_done(st) == 0 ? 0 : -1;
}

static long insert_certificate(store *s, const store_evaluation *e, long evaluation)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            s->db,
            "INSERT INTO certificates (number, evaluation_id, decision_number, decision_date, "
            "level, valid_until, producer_snapshot) SELECT ?1, ?2, ?3, ?4, ?5, ?6, "
            "json_object('name', pr.name, 'address', pr.address, 'issuer', ?7, "
            "'signer_title', ?8, 'signer_name', ?9) "
            "FROM products p JOIN producers pr ON pr.id = p.producer_id WHERE p.id = ?10",
            -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, e->number, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, evaluation);
    bind_optional(st, 3, e->decision_number);
    bind_optional(st, 4, e->decision_date);
    bind_optional(st, 5, e->level);
    bind_optional(st, 6, e->valid_until);
    bind_optional(st, 7, e->issuer);
    bind_optional(st, 8, e->signer_title);
    bind_optional(st, 9, e->signer_name);
    sqlite3_bind_int64(st, 10, e->product_id);
    if (step_done(st) != 0)
        return sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE ? -2 : -1;
    return (long)sqlite3_last_insert_rowid(s->db);
}

/* The certificate event the remote is sent, so that it shows (or stops
 * showing) the stars; queued in the caller's transaction. */
static int outbox_certificate(store *s, long id, const char *event)
{
    json_t *c = store_certificate_get(s, id, NULL);
    if (!c)
        return -1;
    long product = (long)json_integer_value(json_object_get(c, "product_id"));
    return store_outbox_add_json(s, "certificate", product, "/certificates",
                                 json_pack("{s:s, s:o}", "event", event, "certificate", c));
}

long store_evaluation_create(store *s, const store_evaluation *e, char error[STORE_ERROR_MAX])
{
    if (exec(s, "BEGIN IMMEDIATE", error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    long id = -1;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO evaluations (product_id, score_a, score_b, score_c, stars, "
                           "officer_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, e->product_id);
        for (int i = 0; i < 3; i++)
            sqlite3_bind_int(st, 2 + i, e->scores[i]);
        sqlite3_bind_int(st, 5, e->stars);
        sqlite3_bind_int64(st, 6, e->officer_id);
        if (step_done(st) == 0)
            id = (long)sqlite3_last_insert_rowid(s->db);
    }
    if (id > 0 && e->number)
        id = insert_certificate(s, e, id);
    if (id > 0 && e->number && outbox_certificate(s, id, "issue") != 0)
        id = -1;
    if (id > 0 && audit(s, e->officer_id, e->number ? "certificate.issue" : "evaluation.record",
                        e->number ? e->number : "evaluation") != 0)
        id = -1;
    if (id < 0) {
        set_error(error, "cannot record the evaluation", s->db);
        char ignored[STORE_ERROR_MAX];
        exec(s, "ROLLBACK", ignored);
        return id;
    }
    return exec(s, "COMMIT", error) == 0 ? id : -1;
}

/* One row as JSON, or NULL: the kept statement is bound, and released here. */
static json_t *single(store *s, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *))
{
    json_t *result = st && sqlite3_step(st) == SQLITE_ROW ? row(st) : NULL;
    release(s, st);
    return result;
}

static json_t *certificate_full_row(sqlite3_stmt *st)
{
    json_t *snapshot = json_loads(column_text(st, 12) ? column_text(st, 12) : "{}", 0, NULL);
    json_t *c = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:i, s:[i,i,i], s:i}", "id",
        (json_int_t)sqlite3_column_int64(st, 0), "number", column_text(st, 1), "decision_number",
        column_text(st, 2), "decision_date", column_text(st, 3), "level", column_text(st, 4),
        "valid_until", column_text(st, 5), "revoked_at",
        column_text(st, 6) ? json_string(column_text(st, 6)) : json_null(), "revoke_reason",
        column_text(st, 7) ? json_string(column_text(st, 7)) : json_null(), "product_id",
        (json_int_t)sqlite3_column_int64(st, 8), "product", column_text(st, 9), "group",
        column_text(st, 10), "stars", sqlite3_column_int(st, 11), "scores",
        sqlite3_column_int(st, 13), sqlite3_column_int(st, 14), sqlite3_column_int(st, 15), "score",
        sqlite3_column_int(st, 13) + sqlite3_column_int(st, 14) + sqlite3_column_int(st, 15));
    if (c && json_is_object(snapshot))
        json_object_set(c, "producer", snapshot);
    json_decref(snapshot);
    return c;
}

json_t *store_certificate_get(store *s, long id, const char *number)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT c.id, c.number, c.decision_number, c.decision_date, c.level, c.valid_until, "
            "c.revoked_at, c.revoke_reason, p.id, p.name, p.grp, e.stars, c.producer_snapshot, "
            "e.score_a, e.score_b, e.score_c FROM certificates c "
            "JOIN evaluations e ON e.id = c.evaluation_id JOIN products p ON p.id = e.product_id "
            "WHERE c.id = ?1 OR c.number = ?2",
            -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    bind_optional(st, 2, number);
    return single(s, st, certificate_full_row);
}

int store_product_certificate(store *s, long product_id, const char *today, char *number,
                              size_t size)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT c.number FROM certificates c JOIN evaluations e ON "
                           "e.id = c.evaluation_id WHERE e.product_id = ?1 AND c.revoked_at IS "
                           "NULL AND c.valid_until >= ?2 ORDER BY c.decision_date DESC LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, product_id);
        sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(number, size, "%s", (const char *)sqlite3_column_text(st, 0));
            found = 1;
        }
    }
    sqlite3_finalize(st);
    return found;
}

long store_certificate_owner(store *s, long id)
{
    return owner_of(s,
                    "SELECT p.producer_id FROM certificates c JOIN evaluations e ON "
                    "e.id = c.evaluation_id JOIN products p ON p.id = e.product_id WHERE c.id = ?1",
                    id);
}

int store_certificate_revoke(store *s, long id, const char *reason, long officer_id,
                             char error[STORE_ERROR_MAX])
{
    if (exec(s, "BEGIN IMMEDIATE", error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    int result = -1;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE certificates SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
                           "'now'), revoke_reason = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
        if (step_done(st) == 0)
            result = sqlite3_changes(s->db) > 0 ? 1
                     : owner_of(s,
                                "SELECT 2 FROM certificates "
                                "WHERE id = ?1",
                                id)
                         ? 2
                         : 0;
    }
    char subject[32];
    snprintf(subject, sizeof(subject), "certificate %ld", id);
    if (result == 1 && (audit(s, officer_id, "certificate.revoke", subject) != 0 ||
                        outbox_certificate(s, id, "revoke") != 0))
        result = -1;
    if (result != 1) {
        char ignored[STORE_ERROR_MAX];
        if (result < 0)
            set_error(error, "cannot revoke", s->db);
        exec(s, "ROLLBACK", ignored);
        return result;
    }
    return exec(s, "COMMIT", error) == 0 ? 1 : -1;
}

/* ---------- reports ---------- */

/* {"key": count, ...} from a query of (key, count) rows. */
static json_t *counts(store *s, const char *sql, const char *today)
{
    sqlite3_stmt *st = NULL;
    json_t *out = json_object();
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return out;
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(out, column_text(st, 0) ? column_text(st, 0) : "",
                            json_integer(sqlite3_column_int64(st, 1)));
    sqlite3_finalize(st);
    return out;
}

json_t *store_report_summary(store *s, const char *today)
{
    json_t *kinds = counts(s, "SELECT kind, count(*) FROM producers GROUP BY kind", NULL);
    json_int_t producers = 0;
    const char *key;
    json_t *v;
    json_object_foreach(kinds, key, v)
    {
        producers += json_integer_value(v);
    }
    double coop = producers ? (double)json_integer_value(json_object_get(kinds, "cooperative")) /
                                  (double)producers
                            : 0;
    double sme = producers
                     ? (double)json_integer_value(json_object_get(kinds, "sme")) / (double)producers
                     : 0;
    json_t *expiring =
        counts(s,
               "SELECT 'within_30_days', count(*) FROM certificates WHERE revoked_at IS NULL AND "
               "valid_until >= ?1 AND valid_until <= date(?1, '+30 days') UNION ALL "
               "SELECT 'within_90_days', count(*) FROM certificates WHERE revoked_at IS NULL AND "
               "valid_until >= ?1 AND valid_until <= date(?1, '+90 days')",
               today);
    return json_pack(
        "{s:o, s:o, s:o, s:o, s:I, s:f, s:f, s:o}", "products_by_stars",
        counts(s,
               "SELECT e.stars || '', count(DISTINCT e.product_id) FROM certificates c "
               "JOIN evaluations e ON e.id = c.evaluation_id "
               "WHERE c.revoked_at IS NULL AND c.valid_until >= ?1 GROUP BY e.stars",
               today),
        "products_by_group", counts(s, "SELECT grp, count(*) FROM products GROUP BY grp", NULL),
        "producers_by_kind", kinds, "producers_by_locality",
        counts(s, "SELECT locality, count(*) FROM producers GROUP BY locality", NULL), "producers",
        producers, "share_cooperatives", coop, "share_smes", sme, "certificates_expiring",
        expiring);
}

int store_begin(store *s)
{
    char error[STORE_ERROR_MAX];
    return exec(s, "BEGIN IMMEDIATE", error);
}

int store_commit(store *s)
{
    char error[STORE_ERROR_MAX];
    return exec(s, "COMMIT", error);
}

void store_rollback(store *s)
{
    char error[STORE_ERROR_MAX];
    exec(s, "ROLLBACK", error);
}

/* ---------- for the other store_*.c files (store_private.h) ---------- */

sqlite3 *store_sqlite(store *s)
{
    return s->db;
}

int store_exec(store *s, const char *sql, char error[STORE_ERROR_MAX])
{
    return exec(s, sql, error);
}

int store_step_done(sqlite3_stmt *st)
{
    return step_done(st);
}

void store_set_error(char error[STORE_ERROR_MAX], const char *what, sqlite3 *db)
{
    set_error(error, what, db);
}

void store_token_hash(const char *token, char hex[65])
{
    token_hash(token, hex);
}

sqlite3_stmt *store_kept(store *s, const char *sql)
{
    return kept(s, sql);
}

void store_release(store *s, sqlite3_stmt *st)
{
    release(s, st);
}

int store_kept_done(store *s, sqlite3_stmt *st)
{
    return kept_done(s, st);
}

void store_bind_optional(sqlite3_stmt *st, int index, const char *text)
{
    bind_optional(st, index, text);
}

const char *store_column_text(sqlite3_stmt *st, int i)
{
    return column_text(st, i);
}

json_t *store_product_row(sqlite3_stmt *st)
{
    return product_row(st);
}

json_t *store_producer_row_at(sqlite3_stmt *st, int at)
{
    return producer_row_at(st, at);
}
