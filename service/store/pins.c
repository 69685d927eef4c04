/*
 * The store's side of scratch-off PINs: their table and migration, each
 * serial's PIN kept as a salted keyed hash, and the wrong entries, kept in
 * a table so that the limits hold across restarts and across the daemon's
 * threads (each with its own connection).
 *
 * Why not crypto_pwhash: issuing 10,000 serials would cost 10,000 Argon2
 * runs (minutes), and the resolver's limits, not the hash's cost, are what
 * stop guessing through the service. A PIN has 10^8 values, so someone
 * holding a copy of the database could try them all against one serial's
 * hash in minutes whatever the hash; the salt (16 random bytes per serial,
 * the BLAKE2b key) makes that work per serial, with nothing shared
 * between serials and no table computed ahead.
 */
#include "store.h"
#include "internal.h"

#include <sodium.h>
#include <string.h>

#define SALT_BYTES crypto_generichash_KEYBYTES_MIN
#define HASH_BYTES crypto_generichash_BYTES

const char *store_pins_migration(void)
{
    return "CREATE TABLE serial_pins ("
           "  lot_id INTEGER NOT NULL, serial TEXT NOT NULL,"
           "  salt BLOB NOT NULL, hash BLOB NOT NULL,"
           "  verified_at INTEGER," /* unix seconds of the first right entry */
           "  verifications INTEGER NOT NULL DEFAULT 0,"
           "  PRIMARY KEY (lot_id, serial),"
           "  FOREIGN KEY (lot_id, serial) REFERENCES serials (lot_id, serial)) WITHOUT ROWID;"
           "CREATE TABLE pin_failures ("
           "  id INTEGER PRIMARY KEY,"
           "  lot_id INTEGER NOT NULL, serial TEXT NOT NULL, network TEXT NOT NULL,"
           "  at INTEGER NOT NULL);" /* unix seconds */
           "CREATE INDEX pin_failures_serial ON pin_failures (lot_id, serial, at);"
           "CREATE INDEX pin_failures_network ON pin_failures (network, at);"
           "CREATE INDEX pin_failures_at ON pin_failures (at);";
}

static void pin_hash(const unsigned char salt[SALT_BYTES], const char *pin,
                     unsigned char hash[HASH_BYTES])
{
    crypto_generichash(hash, HASH_BYTES, (const unsigned char *)pin, strlen(pin), salt, SALT_BYTES);
}

static int pins_insert(store *s, long lot_id, const char *const *serials, const char *const *pins,
                       size_t count)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s), "INSERT INTO serial_pins (lot_id, serial, salt, hash) "
                                       "VALUES (?1, ?2, ?3, ?4)"))) {
        db_finalize(st);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        unsigned char salt[SALT_BYTES], hash[HASH_BYTES];
        randombytes_buf(salt, sizeof(salt));
        pin_hash(salt, pins[i], hash);
        db_bind_int64(st, 1, lot_id);
        db_bind_text(st, 2, serials[i]);
        db_bind_blob(st, 3, salt, sizeof(salt));
        db_bind_blob(st, 4, hash, sizeof(hash));
        rc = db_step(st) == DB_DONE ? 0 : -1;
        db_reset(st);
        sodium_memzero(hash, sizeof(hash));
    }
    db_finalize(st);
    return rc;
}

int store_serials_add_pinned(store *s, long lot_id, const char *const *serials,
                             const char *const *pins, size_t count, const char *commissioning,
                             char error[STORE_ERROR_MAX])
{
    if (store_transaction(s, error) != 0)
        return -1;
    int rc = store_serials_add(s, lot_id, serials, count, commissioning, error);
    if (rc == 0 && pins_insert(s, lot_id, serials, pins, count) != 0) {
        store_set_error(error, "cannot keep the PINs", store_db(s));
        rc = -1;
    }
    if (rc == 0 && store_exec(s, "COMMIT", error) == 0)
        return 0;
    char ignored[STORE_ERROR_MAX];
    store_exec(s, "ROLLBACK", ignored);
    return rc == -2 ? -2 : -1;
}

long store_lot_pins(store *s, long lot_id)
{
    db_stmt *st = store_kept(s, "SELECT count(*) FROM serial_pins WHERE lot_id = ?1");
    long count = -1;
    if (st) {
        db_bind_int64(st, 1, lot_id);
        if (db_step(st) == DB_ROW)
            count = (long)db_column_int64(st, 0);
    }
    store_release(s, st);
    return count;
}

/* Wrong entries since `since`, and the time of the oldest, for a serial
 * (network NULL) or a network. -1 on error. */
static long failures(store *s, long lot_id, const char *serial, const char *network,
                     long long since, long long *oldest)
{
    db_stmt *st = network ? store_kept(s, "SELECT count(*), min(at) FROM pin_failures "
                                          "WHERE network = ?1 AND at > ?2")
                          : store_kept(s, "SELECT count(*), min(at) FROM pin_failures "
                                          "WHERE lot_id = ?3 AND serial = ?1 AND at > ?2");
    long count = -1;
    if (st) {
        db_bind_text(st, 1, network ? network : serial);
        db_bind_int64(st, 2, since);
        if (!network)
            db_bind_int64(st, 3, lot_id);
        if (db_step(st) == DB_ROW) {
            count = (long)db_column_int64(st, 0);
            *oldest = db_column_int64(st, 1);
        }
    }
    store_release(s, st);
    return count;
}

/* Whether a limit is reached; fills the wait when it is. -1 on error. */
static int limited(store *s, long lot_id, const char *serial, const char *network,
                   const store_pin_limits *limits, long long now, store_pin_result *result)
{
    long long since = now - limits->window, oldest_serial = 0, oldest_network = 0;
    long by_serial = failures(s, lot_id, serial, NULL, since, &oldest_serial);
    long by_network = failures(s, lot_id, serial, network, since, &oldest_network);
    if (by_serial < 0 || by_network < 0)
        return -1;
    result->left = (int)(limits->per_serial - by_serial < limits->per_network - by_network
                             ? limits->per_serial - by_serial
                             : limits->per_network - by_network);
    if (by_serial < limits->per_serial && by_network < limits->per_network)
        return 0;
    result->by_network = by_serial < limits->per_serial;
    long long oldest = result->by_network ? oldest_network : oldest_serial;
    result->outcome = STORE_PIN_LIMITED;
    /* Counted while at > now - window: the oldest stops counting at at + window. */
    result->retry_after = (long)(oldest + limits->window - now);
    return 1;
}

/* Counts a wrong entry and forgets those older than any window. */
static int failure_add(store *s, long lot_id, const char *serial, const char *network,
                       long long now, long window)
{
    db_stmt *st = store_kept(s, "INSERT INTO pin_failures (lot_id, serial, network, at) "
                                "VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return -1;
    db_bind_int64(st, 1, lot_id);
    db_bind_text(st, 2, serial);
    db_bind_text(st, 3, network);
    db_bind_int64(st, 4, now);
    if (store_kept_done(s, st) != 0)
        return -1;
    st = store_kept(s, "DELETE FROM pin_failures WHERE at <= ?1");
    if (!st)
        return -1;
    db_bind_int64(st, 1, now - window);
    return store_kept_done(s, st) == 0 ? 0 : -1;
}

/* Records a right entry: the first one's time stays. */
static int verified(store *s, long lot_id, const char *serial, long long now,
                    store_pin_result *result)
{
    db_stmt *st = store_kept(s, "UPDATE serial_pins SET verifications = verifications + 1, "
                                "verified_at = COALESCE(verified_at, ?3) "
                                "WHERE lot_id = ?1 AND serial = ?2 "
                                "RETURNING verified_at, verifications");
    int rc = -1;
    if (st) {
        db_bind_int64(st, 1, lot_id);
        db_bind_text(st, 2, serial);
        db_bind_int64(st, 3, now);
        if (db_step(st) == DB_ROW) {
            result->verified_at = db_column_int64(st, 0);
            result->verifications = (long)db_column_int64(st, 1);
            result->outcome = result->verifications == 1 ? STORE_PIN_FIRST : STORE_PIN_AGAIN;
            rc = db_step(st) == DB_DONE ? 0 : -1;
        }
    }
    store_release(s, st);
    return rc;
}

/* The serial's salt and hash: 1, 0 (no PIN), -1. */
static int pin_read(store *s, long lot_id, const char *serial, unsigned char salt[SALT_BYTES],
                    unsigned char hash[HASH_BYTES])
{
    db_stmt *st =
        store_kept(s, "SELECT salt, hash FROM serial_pins WHERE lot_id = ?1 AND serial = ?2");
    int rc = -1;
    if (st) {
        db_bind_int64(st, 1, lot_id);
        db_bind_text(st, 2, serial);
        int step = db_step(st);
        rc = step == DB_DONE ? 0 : step == DB_ROW ? 1 : -1;
        size_t salt_len = 0, hash_len = 0;
        const void *salt_bytes = rc == 1 ? db_column_blob(st, 0, &salt_len) : NULL;
        const void *hash_bytes = rc == 1 ? db_column_blob(st, 1, &hash_len) : NULL;
        if (rc == 1 && (salt_len != SALT_BYTES || hash_len != HASH_BYTES))
            rc = -1;
        if (rc == 1) {
            memcpy(salt, salt_bytes, SALT_BYTES);
            memcpy(hash, hash_bytes, HASH_BYTES);
        }
    }
    store_release(s, st);
    return rc;
}

/* The limits are read and the entry counted in one write transaction, so
 * that entries sent at once cannot all pass a limit that one of them
 * reaches. */
int store_pin_try(store *s, long lot_id, const char *serial, const char *network, const char *pin,
                  const store_pin_limits *limits, long long now, store_pin_result *result)
{
    char error[STORE_ERROR_MAX];
    memset(result, 0, sizeof(*result));
    if (store_transaction(s, error) != 0)
        return -1;
    unsigned char salt[SALT_BYTES], hash[HASH_BYTES], given[HASH_BYTES];
    int rc = pin_read(s, lot_id, serial, salt, hash);
    if (rc == 0)
        result->outcome = STORE_PIN_NONE;
    if (rc == 1)
        rc = limited(s, lot_id, serial, network, limits, now, result);
    else if (rc == 0)
        rc = 1; /* nothing to check */
    if (rc == 0) {
        pin_hash(salt, pin, given);
        if (sodium_memcmp(given, hash, HASH_BYTES) == 0) {
            rc = verified(s, lot_id, serial, now, result);
        } else {
            result->outcome = STORE_PIN_WRONG;
            result->left--;
            rc = failure_add(s, lot_id, serial, network, now, limits->window);
        }
    }
    if (rc >= 0 && store_exec(s, "COMMIT", error) == 0)
        return 0;
    store_exec(s, "ROLLBACK", error);
    return -1;
}
