/*
 * SQLite storage. The schema grows by numbered migrations, each applied
 * once in its own transaction and recorded in schema_migrations, so that a
 * database of any age opens into the current shape. Every statement that
 * takes a value is prepared; text is never pasted into SQL. Also the
 * resolver's scans, most of them written behind by one thread in batches,
 * and what each connection keeps of its reads until the next commit.
 */
#include "store.h"
#include "store_private.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* A serial as the verdict sees it: issued or not, its scans and networks,
 * and whether the scanner's network is one of them. */
typedef struct {
    int issued, known;
    long scans, networks;
} serial_seen;

/* What the resolver read for one code, kept by the connection: a code's
 * scans come in bursts. It stands until anything is committed to the
 * database by any connection: PRAGMA data_version counts the others'
 * commits, sqlite3_total_changes this one's. */
#define RESOLVED_KEPT 32
typedef struct {
    char *key;         /* GTIN, lot, serial and network */
    json_t *out, *lot; /* out: product, producer and certificate */
    serial_seen seen;
    unsigned long writes; /* the scan queue's, before the read */
    long long version, changes;
} resolved;

struct store {
    sqlite3 *db;
    int version;
    int applied;
    struct {
        const char *sql; /* a literal: its address names it */
        sqlite3_stmt *st;
    } kept[STATEMENTS_KEPT];
    resolved resolved[RESOLVED_KEPT];
    size_t resolved_next;
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
};
#define MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char *const role_names[ROLE_COUNT] = {"admin", "officer", "producer"};

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
        int failed = exec(s, migrations[v - 1], error) != 0;
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
    for (int i = 0; i < RESOLVED_KEPT; i++) {
        free(s->resolved[i].key);
        json_decref(s->resolved[i].out);
        json_decref(s->resolved[i].lot);
    }
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
    json_t *product = json_is_object(details) ? details : json_object();
    if (product != details)
        json_decref(details);
    json_object_set_new(product, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(product, "producer_id", json_integer(sqlite3_column_int64(st, 1)));
    json_object_set_new(product, "name", json_string(column_text(st, 2)));
    json_object_set_new(product, "group", json_string(column_text(st, 3)));
    json_object_set_new(product, "gtin",
                        column_text(st, 4) ? json_string(column_text(st, 4)) : json_null());
    return product;
}

#define PRODUCT_COLUMNS "id, producer_id, name, grp, gtin, details"

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
        "SELECT p.id, p.producer_id, p.name, p.grp, p.gtin, p.details, pr.name, pr.kind, c.id, "
        "c.number, e.stars, c.valid_until, c.revoked_at FROM products p "
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

int store_serials_add(store *s, long lot_id, const char *const *serials, size_t count,
                      const char *commissioning, char error[STORE_ERROR_MAX])
{
    if (exec(s, "BEGIN IMMEDIATE", error) != 0)
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
        exec(s, "ROLLBACK", ignored);
        return repeat ? -2 : -1;
    }
    return exec(s, "COMMIT", error);
}

/* ---------- the resolver ---------- */

/* One row as JSON, or NULL: the kept statement is bound, and released here. */
static json_t *single(store *s, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *))
{
    json_t *result = st && sqlite3_step(st) == SQLITE_ROW ? row(st) : NULL;
    release(s, st);
    return result;
}

static json_t *lot_row_at(sqlite3_stmt *st, int at)
{
    return json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)sqlite3_column_int64(st, at), "code",
                     column_text(st, at + 1), "produced",
                     column_text(st, at + 2) ? json_string(column_text(st, at + 2)) : json_null(),
                     "expires",
                     column_text(st, at + 3) ? json_string(column_text(st, at + 3)) : json_null());
}

static json_t *certificate_row_at(sqlite3_stmt *st, int at)
{
    return json_pack("{s:s, s:i, s:s, s:s, s:o}", "number", column_text(st, at), "stars",
                     sqlite3_column_int(st, at + 1), "level", column_text(st, at + 2),
                     "valid_until", column_text(st, at + 3), "revoked_at",
                     column_text(st, at + 4) ? json_string(column_text(st, at + 4)) : json_null());
}

/* The verdict a serial's count of distinct networks gives. */
static void set_verdict(json_t *out, long scans, long networks)
{
    json_object_set_new(out, "scans", json_integer(scans));
    json_object_set_new(out, "networks", json_integer(networks));
    json_object_set_new(
        out, "verdict",
        json_string(networks >= STORE_SUSPICIOUS_NETWORKS ? "suspicious" : "genuine"));
}

/* Counts this scan against the serial and gives its verdict. */
static void verdict(store *s, long lot_id, const char *serial, const char *network, json_t *out)
{
    sqlite3_stmt *st = kept(s, "UPDATE serials SET scans = scans + 1, first_scan_at = "
                               "COALESCE(first_scan_at, strftime('%Y-%m-%dT%H:%M:%SZ','now')) "
                               "WHERE lot_id = ?1 AND serial = ?2");
    int issued = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, lot_id);
        sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
        issued = kept_done(s, st) == 0 && sqlite3_changes(s->db) > 0;
    }
    if (!issued) {
        json_object_set_new(out, "verdict", json_string("unknown"));
        return;
    }
    st = kept(s, "INSERT OR IGNORE INTO serial_networks (lot_id, serial, network) "
                 "VALUES (?1, ?2, ?3)");
    if (st) {
        sqlite3_bind_int64(st, 1, lot_id);
        sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, network ? network : "", -1, SQLITE_STATIC);
        kept_done(s, st);
    }
    long scans = 0, networks = 0;
    st = kept(s, "SELECT scans, (SELECT count(*) FROM serial_networks n WHERE "
                 "n.lot_id = x.lot_id AND n.serial = x.serial) FROM serials x "
                 "WHERE lot_id = ?1 AND serial = ?2");
    if (st) {
        sqlite3_bind_int64(st, 1, lot_id);
        sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            scans = (long)sqlite3_column_int64(st, 0);
            networks = (long)sqlite3_column_int64(st, 1);
        }
    }
    release(s, st);
    set_verdict(out, scans, networks);
}

/* Writes a scan's row; `at` NULL: now. 0, or SQLite's code. */
static int record_scan(store *s, const store_scan *scan, const char *gtin, const char *at)
{
    sqlite3_stmt *st = kept(s, "INSERT INTO scans (gtin, lot, serial, network, at) VALUES (?1, ?2, "
                               "?3, ?4, COALESCE(?5, strftime('%Y-%m-%dT%H:%M:%SZ','now')))");
    if (!st)
        return SQLITE_ERROR;
    bind_optional(st, 1, gtin);
    bind_optional(st, 2, scan->lot);
    bind_optional(st, 3, scan->serial);
    bind_optional(st, 4, scan->network ? scan->network : "");
    bind_optional(st, 5, at);
    return kept_done(s, st);
}

/* What a scan names, in one statement (one snapshot): the product (by
 * GTIN, or on the non-GS1 path by lot and serial), its producer, the lot
 * and the product's latest certificate. */
#define RESOLVE_SELECT                                                                             \
    "SELECT p.id, p.producer_id, p.name, p.grp, p.gtin, p.details, r.id, r.name, r.address, "      \
    "r.kind, r.phone, r.locality, r.created_at, l.id, l.code, l.produced, l.expires, "             \
    "c.number, e.stars, c.level, c.valid_until, c.revoked_at, x.scans, "                           \
    "(SELECT count(*) FROM serial_networks n WHERE n.lot_id = x.lot_id AND "                       \
    "n.serial = x.serial), EXISTS (SELECT 1 FROM serial_networks n WHERE n.lot_id = x.lot_id "     \
    "AND n.serial = x.serial AND n.network = ?4) FROM products p "                                 \
    "LEFT JOIN producers r ON r.id = p.producer_id "                                               \
    "LEFT JOIN lots l ON l.product_id = p.id AND l.code = ?2 "                                     \
    "LEFT JOIN serials x ON x.lot_id = l.id AND x.serial = ?3 "                                    \
    "LEFT JOIN certificates c ON c.id = (SELECT c2.id FROM certificates c2 JOIN evaluations "      \
    "e2 ON e2.id = c2.evaluation_id WHERE e2.product_id = p.id "                                   \
    "ORDER BY c2.decision_date DESC LIMIT 1) "                                                     \
    "LEFT JOIN evaluations e ON e.id = c.evaluation_id WHERE p.id = "
enum { AT_PRODUCT = 0, AT_PRODUCER = 6, AT_LOT = 13, AT_CERTIFICATE = 17, AT_SERIAL = 22 };

static json_t *resolved_row(sqlite3_stmt *st, json_t **lot, serial_seen *seen)
{
    *seen = (serial_seen){0};
    if (sqlite3_column_type(st, AT_SERIAL) != SQLITE_NULL) {
        seen->issued = 1;
        seen->scans = (long)sqlite3_column_int64(st, AT_SERIAL);
        seen->networks = (long)sqlite3_column_int64(st, AT_SERIAL + 1);
        seen->known = sqlite3_column_int(st, AT_SERIAL + 2);
    }
    json_t *out = json_object();
    json_object_set_new(out, "product", product_row(st));
    if (sqlite3_column_type(st, AT_PRODUCER) != SQLITE_NULL)
        json_object_set_new(out, "producer", producer_row_at(st, AT_PRODUCER));
    if (sqlite3_column_type(st, AT_LOT) != SQLITE_NULL)
        *lot = lot_row_at(st, AT_LOT);
    json_object_set_new(out, "certificate",
                        sqlite3_column_type(st, AT_CERTIFICATE) != SQLITE_NULL
                            ? certificate_row_at(st, AT_CERTIFICATE)
                            : json_null());
    return out;
}

/* What a scan names, without recording it: product, producer and latest
 * certificate in the answer, the lot (or NULL) in *lot, the serial's state
 * in *seen. NULL when the code is not registered. */
static json_t *resolve_read(store *s, const store_scan *scan, json_t **lot, serial_seen *seen)
{
    *lot = NULL;
    sqlite3_stmt *st =
        kept(s, scan->gtin ? RESOLVE_SELECT "(SELECT id FROM products WHERE gtin = ?1)"
                           : RESOLVE_SELECT "(SELECT l2.product_id FROM serials x JOIN lots l2 "
                                            "ON l2.id = x.lot_id WHERE l2.code = ?2 AND "
                                            "x.serial = ?3)");
    if (!st)
        return NULL;
    bind_optional(st, 1, scan->gtin);
    bind_optional(st, 2, scan->lot);
    bind_optional(st, 3, scan->serial);
    bind_optional(st, 4, scan->network ? scan->network : "");
    json_t *out = sqlite3_step(st) == SQLITE_ROW ? resolved_row(st, lot, seen) : NULL;
    release(s, st);
    return out;
}

static const char *answer_gtin(json_t *out)
{
    return json_string_value(json_object_get(json_object_get(out, "product"), "gtin"));
}

static long lot_id_of(const json_t *lot)
{
    return lot ? (long)json_integer_value(json_object_get(lot, "id")) : 0;
}

/* Records the scan and its count in the open write transaction. */
static void record_now(store *s, const store_scan *scan, json_t *lot, json_t *out)
{
    record_scan(s, scan, answer_gtin(out), NULL);
    if (scan->serial) {
        json_object_set_new(out, "serial", json_string(scan->serial));
        if (lot)
            verdict(s, lot_id_of(lot), scan->serial, scan->network, out);
        else
            json_object_set_new(out, "verdict", json_string("unknown"));
    }
}

static json_t *resolve(store *s, const store_scan *scan)
{
    json_t *lot = NULL;
    serial_seen seen;
    json_t *out = resolve_read(s, scan, &lot, &seen);
    if (!out)
        return NULL;
    record_now(s, scan, lot, out);
    json_object_set_new(out, "lot", lot ? lot : json_null());
    return out;
}

/* One transaction per scan: its record and its counts commit together. */
json_t *store_resolve(store *s, const store_scan *scan)
{
    char error[STORE_ERROR_MAX];
    if (exec(s, "BEGIN IMMEDIATE", error) != 0)
        return NULL;
    json_t *out = resolve(s, scan);
    if (exec(s, "COMMIT", error) != 0) {
        exec(s, "ROLLBACK", error);
        json_decref(out);
        return NULL;
    }
    return out;
}

/* ---------- scans written behind ---------- */

/* A scan waiting to be written: its row in scans and, for an issued
 * serial, its count in serials. */
typedef struct {
    char gtin[16], lot[32], serial[32], network[48], at[24];
    long lot_id; /* an issued serial's lot, else 0 */
} queued_scan;

/* Bounds the memory; a scan that finds the queue full is written at once. */
#define SCANS_QUEUED_MAX 2048
/* How long the writer gathers scans into one transaction. */
#define SCANS_GATHER_NS (2 * 1000 * 1000L)

struct store_scans {
    store *writer;
    /* Held across the queue and across every write of scans, so that the
     * database's count of a serial plus the queue's is exact. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int stopping;
    size_t count;
    queued_scan *item;
    int wal_pages; /* after the writer's last commit */
    /* Commits of scans, each made with the lock held. */
    atomic_ulong writes;
};

/* SQLite would checkpoint in the commit that passes 1000 pages, with an
 * fsync, while the queue is locked; the writer does it after unlocking. */
#define CHECKPOINT_PAGES 1000

static int same_serial(const queued_scan *a, const queued_scan *b)
{
    return a->lot_id == b->lot_id && strcmp(a->serial, b->serial) == 0;
}

/* Adds the queue's scans of the serial of item `i` to its count, once: at
 * the serial's first item, all of them, with the earliest time. 0 or -1. */
static int count_queued(store *s, const store_scans *q, size_t i)
{
    const queued_scan *e = &q->item[i];
    long n = 0;
    for (size_t j = 0; j < q->count; j++) {
        if (!same_serial(&q->item[j], e))
            continue;
        if (j < i)
            return 0;
        n++;
    }
    sqlite3_stmt *st = kept(s, "UPDATE serials SET scans = scans + ?4, first_scan_at = "
                               "COALESCE(first_scan_at, ?3) WHERE lot_id = ?1 AND serial = ?2");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, e->lot_id);
    sqlite3_bind_text(st, 2, e->serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, n);
    return kept_done(s, st) == 0 ? 0 : -1;
}

/* Writes the queue in the open write transaction of `s`: 0 or -1. */
static int write_queued(store *s, const store_scans *q)
{
    for (size_t i = 0; i < q->count; i++) {
        const queued_scan *e = &q->item[i];
        store_scan scan = {.lot = e->lot[0] ? e->lot : NULL,
                           .serial = e->serial[0] ? e->serial : NULL,
                           .network = e->network};
        if (record_scan(s, &scan, e->gtin[0] ? e->gtin : NULL, e->at) != 0)
            return -1;
        if (e->lot_id && count_queued(s, q, i) != 0)
            return -1;
    }
    return 0;
}

/* Writes the queue in one transaction through `s` and empties it; on
 * failure the scans stay queued. Called with the lock held. */
static int flush(store *s, store_scans *q)
{
    char error[STORE_ERROR_MAX];
    if (exec(s, "BEGIN IMMEDIATE", error) != 0)
        return -1;
    if (write_queued(s, q) != 0 || exec(s, "COMMIT", error) != 0) {
        exec(s, "ROLLBACK", error);
        return -1;
    }
    q->count = 0;
    atomic_fetch_add(&q->writes, 1);
    return 0;
}

/* Notes the WAL's length after each of the writer's commits. */
static int wal_grown(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)db, (void)name;
    store_scans *q = arg;
    q->wal_pages = pages;
    return SQLITE_OK;
}

static void *scans_writer(void *arg)
{
    store_scans *q = arg;
    pthread_mutex_lock(&q->lock);
    for (int failures = 0;;) {
        while (!q->count && !q->stopping)
            pthread_cond_wait(&q->wake, &q->lock);
        if (!q->count)
            break;
        if (!q->stopping) {
            pthread_mutex_unlock(&q->lock);
            nanosleep(&(struct timespec){0, SCANS_GATHER_NS}, NULL);
            pthread_mutex_lock(&q->lock);
        }
        if (q->count && flush(q->writer, q) != 0) {
            /* Busy for seconds (a long import): try again, but not forever
             * once asked to stop. */
            fprintf(stderr, "ocoptrace: cannot write %zu scans: %s\n", q->count,
                    sqlite3_errmsg(q->writer->db));
            if (q->stopping && ++failures >= 3)
                break;
        }
        if (q->wal_pages >= CHECKPOINT_PAGES) {
            pthread_mutex_unlock(&q->lock);
            sqlite3_wal_checkpoint_v2(q->writer->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            pthread_mutex_lock(&q->lock);
            q->wal_pages = 0;
        }
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

store_scans *store_scans_start(store *writer)
{
    store_scans *q = calloc(1, sizeof(*q));
    if (q)
        q->item = calloc(SCANS_QUEUED_MAX, sizeof(*q->item));
    if (!q || !q->item) {
        free(q);
        return NULL;
    }
    q->writer = writer;
    sqlite3_wal_hook(writer->db, wal_grown, q); /* in place of its auto-checkpoint */
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    if (pthread_create(&q->thread, NULL, scans_writer, q) != 0) {
        pthread_cond_destroy(&q->wake);
        pthread_mutex_destroy(&q->lock);
        free(q->item);
        free(q);
        return NULL;
    }
    return q;
}

void store_scans_stop(store_scans *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = 1;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    sqlite3_wal_autocheckpoint(q->writer->db, CHECKPOINT_PAGES); /* drops the hook */
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    free(q->item);
    free(q);
}

/* The serial's state, read now: 0, or -1 on error. */
static int serial_state(store *s, long lot_id, const store_scan *scan, serial_seen *seen)
{
    sqlite3_stmt *st = kept(s, "SELECT x.scans, (SELECT count(*) FROM serial_networks n WHERE "
                               "n.lot_id = x.lot_id AND n.serial = x.serial), EXISTS (SELECT 1 "
                               "FROM serial_networks n WHERE n.lot_id = x.lot_id AND n.serial = "
                               "x.serial AND n.network = ?3) FROM serials x "
                               "WHERE x.lot_id = ?1 AND x.serial = ?2");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, lot_id);
    sqlite3_bind_text(st, 2, scan->serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, scan->network ? scan->network : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *seen = (serial_seen){0};
    if (rc == SQLITE_ROW) {
        seen->issued = 1;
        seen->scans = (long)sqlite3_column_int64(st, 0);
        seen->networks = (long)sqlite3_column_int64(st, 1);
        seen->known = sqlite3_column_int(st, 2);
    }
    release(s, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int copy_field(char *dest, size_t size, const char *text)
{
    size_t len = text ? strlen(text) : 0;
    if (len >= size)
        return -1;
    memcpy(dest, text ? text : "", len + 1);
    return 0;
}

/* Queues the scan; -1 when a field is too long for the queue. */
static int enqueue(store_scans *q, const store_scan *scan, const char *gtin, long lot_id)
{
    queued_scan *e = &q->item[q->count];
    if (copy_field(e->gtin, sizeof(e->gtin), gtin) != 0 ||
        copy_field(e->lot, sizeof(e->lot), scan->lot) != 0 ||
        copy_field(e->serial, sizeof(e->serial), scan->serial) != 0 ||
        copy_field(e->network, sizeof(e->network), scan->network) != 0)
        return -1;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(e->at, sizeof(e->at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    e->lot_id = lot_id;
    if (q->count++ == 0)
        pthread_cond_signal(&q->wake);
    return 0;
}

/* Scans of one serial still in the queue. */
static long queued_for(const store_scans *q, long lot_id, const char *serial)
{
    long n = 0;
    for (size_t i = 0; i < q->count; i++)
        n += q->item[i].lot_id == lot_id && strcmp(q->item[i].serial, serial) == 0;
    return n;
}

/* Records a scan, with the lock held: queued when it cannot change a
 * verdict (no serial, a serial never issued, or a network the serial has
 * seen), else written at once with the queue before it. 0 or -1. */
static int record(store *s, store_scans *q, const store_scan *scan, json_t *lot, json_t *out,
                  const serial_seen *read)
{
    long lot_id = lot_id_of(lot);
    serial_seen seen = read ? *read : (serial_seen){0};
    if (!read && scan->serial && lot_id && serial_state(s, lot_id, scan, &seen) != 0)
        return -1;
    int behind = (!scan->serial || !seen.issued || seen.known) && q->count < SCANS_QUEUED_MAX &&
                 enqueue(q, scan, answer_gtin(out), seen.issued ? lot_id : 0) == 0;
    if (!behind) {
        char error[STORE_ERROR_MAX];
        if (exec(s, "BEGIN IMMEDIATE", error) != 0)
            return -1;
        if (write_queued(s, q) != 0) {
            exec(s, "ROLLBACK", error);
            return -1;
        }
        record_now(s, scan, lot, out);
        if (exec(s, "COMMIT", error) != 0) {
            exec(s, "ROLLBACK", error);
            return -1;
        }
        q->count = 0;
        atomic_fetch_add(&q->writes, 1);
        return 0;
    }
    if (!scan->serial)
        return 0;
    json_object_set_new(out, "serial", json_string(scan->serial));
    if (seen.issued)
        set_verdict(out, seen.scans + queued_for(q, lot_id, scan->serial), seen.networks);
    else
        json_object_set_new(out, "verdict", json_string("unknown"));
    return 0;
}

/* The database's state as this connection sees it: it changes with every
 * commit. 0, or -1. */
static int db_stamp(store *s, long long *version, long long *changes)
{
    sqlite3_stmt *st = kept(s, "PRAGMA data_version");
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    *version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    release(s, st);
    *changes = sqlite3_total_changes64(s->db);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* A copy of an answer that shares all but the certificate, which the
 * resolver adds its status to. */
static json_t *answer_copy(json_t *out)
{
    json_t *copy = json_copy(out);
    json_t *certificate = json_object_get(out, "certificate");
    if (copy && json_is_object(certificate))
        json_object_set_new(copy, "certificate", json_copy(certificate));
    return copy;
}

static resolved *resolved_find(store *s, const char *key, long long version, long long changes)
{
    for (int i = 0; i < RESOLVED_KEPT; i++) {
        resolved *r = &s->resolved[i];
        if (r->key && r->version == version && r->changes == changes && strcmp(r->key, key) == 0)
            return r;
    }
    return NULL;
}

static void resolved_keep(store *s, const resolved *fresh)
{
    resolved *r = &s->resolved[s->resolved_next];
    s->resolved_next = (s->resolved_next + 1) % RESOLVED_KEPT;
    free(r->key);
    json_decref(r->out);
    json_decref(r->lot);
    *r = *fresh;
    r->key = strdup(fresh->key);
    r->out = answer_copy(fresh->out);
    r->lot = json_incref(fresh->lot);
    if (!r->key || !r->out) {
        free(r->key);
        json_decref(r->out);
        json_decref(r->lot);
        *r = (resolved){0};
    }
}

/* What the scan names, from what this connection keeps when nothing has
 * been committed since; else read, and kept. */
static json_t *resolve_kept(store *s, store_scans *q, const store_scan *scan, resolved *got)
{
    char key[256];
    const char *const parts[] = {scan->gtin, scan->lot, scan->serial, scan->network};
    size_t len = 0;
    got->writes = atomic_load(&q->writes);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t n = parts[i] ? strlen(parts[i]) : 0;
        if (len + n + 1 >= sizeof(key))
            return resolve_read(s, scan, &got->lot, &got->seen); /* too long to keep */
        memcpy(key + len, parts[i] ? parts[i] : "", n);
        len += n;
        key[len++] = i + 1 < sizeof(parts) / sizeof(parts[0]) ? '\x1f' : '\0';
    }
    int stamped = db_stamp(s, &got->version, &got->changes) == 0;
    const resolved *r = stamped ? resolved_find(s, key, got->version, got->changes) : NULL;
    if (r) {
        got->lot = json_incref(r->lot);
        got->seen = r->seen;
        got->writes = r->writes;
        return answer_copy(r->out);
    }
    got->lot = NULL;
    json_t *out = resolve_read(s, scan, &got->lot, &got->seen);
    got->key = key;
    got->out = out;
    if (out && stamped)
        resolved_keep(s, got);
    return out;
}

json_t *store_resolve_behind(store *s, store_scans *q, const store_scan *scan)
{
    if (!q)
        return store_resolve(s, scan);
    resolved got = {0};
    json_t *out = resolve_kept(s, q, scan, &got);
    json_t *lot = got.lot;
    if (!out) {
        json_decref(lot);
        return NULL;
    }
    pthread_mutex_lock(&q->lock);
    /* The serial's state was read without the lock: it and the queue add
     * up only if no scans were written meanwhile; else it is read again. */
    int rc = record(s, q, scan, lot, out, atomic_load(&q->writes) == got.writes ? &got.seen : NULL);
    pthread_mutex_unlock(&q->lock);
    if (rc != 0) {
        json_decref(out);
        json_decref(lot);
        return NULL;
    }
    json_object_set_new(out, "lot", lot ? lot : json_null());
    return out;
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
