/*
 * Signing in to the web pages: passwords kept as Argon2id hashes
 * (libsodium's crypto_pwhash_str), sessions kept by the hash of their
 * cookie with the CSRF token their forms must carry, and the count of
 * failed sign-ins that slows down whoever guesses.
 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SESSION_SECONDS (8 * 3600) /* a working day */

int store_user_password(store *s, const char *name, const char *password)
{
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -1;
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s), "UPDATE users SET password_hash = ?2 WHERE name = ?1")))
        return -1;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, hash);
    if (store_step_done(st) != 0)
        return -1;
    return db_changes(store_db(s)) > 0 ? 1 : 0;
}

static void decoy_hash(const char *password)
{
    char ignored[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(ignored, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
        sodium_memzero(ignored, sizeof(ignored));
}

static void read_user(db_stmt *st, int first, store_user *user)
{
    user->id = (long)db_column_int64(st, first);
    user->role = (store_role)store_role_parse(db_column_text(st, first + 1));
    user->producer_id = (long)db_column_int64(st, first + 2);
    user->chair = db_column_int64(st, first + 3) != 0;
}

int store_password_user(store *s, const char *name, const char *password, store_user *user)
{
    db_stmt *st = NULL;
    int found = -1;
    if (!(st = db_prepare(
              store_db(s),
              "SELECT password_hash, id, role, COALESCE(producer_id, 0), chair FROM users "
              "WHERE name = ?1")))
        return -1;
    db_bind_text(st, 1, name);
    int rc = db_step(st);
    const char *hash = rc == DB_ROW ? db_column_text(st, 0) : NULL;
    int match = 0;
    if (hash)
        match = crypto_pwhash_str_verify((const char *)hash, password, strlen(password)) == 0;
    else
        decoy_hash(password); /* as long as a check, so time does not tell names apart */
    if (rc == DB_ROW || rc == DB_DONE)
        found = hash && match;
    if (found == 1)
        read_user(st, 1, user);
    db_finalize(st);
    return found;
}

static void random_text(char *out, size_t size, size_t bytes)
{
    unsigned char random[32];
    randombytes_buf(random, bytes);
    sodium_bin2base64(out, size, random, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int store_session_create(store *s, long user_id, char token[STORE_TOKEN_MAX],
                         char csrf[STORE_TOKEN_MAX])
{
    char hash[2 * crypto_generichash_BYTES + 1];
    random_text(token, STORE_TOKEN_MAX, 32);
    random_text(csrf, STORE_TOKEN_MAX, 24);
    store_token_hash(token, hash);
    db_stmt *st = NULL;
    long long now = (long long)time(NULL);
    /* Expired sessions go as new ones come: the table stays small. */
    if (!(st = db_prepare(store_db(s), "DELETE FROM sessions WHERE expires_at < ?1")))
        return -1;
    db_bind_int64(st, 1, now);
    store_step_done(st);
    if (!(st = db_prepare(store_db(s), "INSERT INTO sessions (hash, user_id, csrf, expires_at) "
                                       "VALUES (?1, ?2, ?3, ?4)")))
        return -1;
    db_bind_text(st, 1, hash);
    db_bind_int64(st, 2, user_id);
    db_bind_text(st, 3, csrf);
    db_bind_int64(st, 4, now + SESSION_SECONDS);
    return store_step_done(st) == 0 ? 0 : -1;
}

int store_session_user(store *s, const char *token, store_user *user, char csrf[STORE_TOKEN_MAX])
{
    char hash[2 * crypto_generichash_BYTES + 1];
    store_token_hash(token, hash);
    db_stmt *st = NULL;
    int found = -1;
    if (!(st = db_prepare(
              store_db(s),
              "SELECT s.csrf, u.id, u.role, COALESCE(u.producer_id, 0), u.chair FROM sessions s "
              "JOIN users u ON u.id = s.user_id WHERE s.hash = ?1 AND s.expires_at >= ?2")))
        return -1;
    db_bind_text(st, 1, hash);
    db_bind_int64(st, 2, (long long)time(NULL));
    int rc = db_step(st);
    found = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
    if (found == 1) {
        snprintf(csrf, STORE_TOKEN_MAX, "%s", db_column_text(st, 0));
        read_user(st, 1, user);
    }
    db_finalize(st);
    return found;
}

int store_session_delete(store *s, const char *token)
{
    char hash[2 * crypto_generichash_BYTES + 1];
    store_token_hash(token, hash);
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s), "DELETE FROM sessions WHERE hash = ?1")))
        return -1;
    db_bind_text(st, 1, hash);
    return store_step_done(st);
}

long store_sign_in_wait(store *s, const char *who)
{
    db_stmt *st = NULL;
    long wait = 0;
    /* Three tries are free; then five seconds, doubled with each further
     * failure, before the next is even checked, up to five minutes. */
    if (!(st = db_prepare(store_db(s),
                          "SELECT count, last_at FROM sign_in_failures WHERE who = ?1")))
        return 0;
    db_bind_text(st, 1, who);
    if (db_step(st) == DB_ROW) {
        long count = (long)db_column_int64(st, 0);
        long long last = db_column_int64(st, 1);
        long delay = count < 3 ? 0 : count - 3 >= 6 ? 300 : 5L << (count - 3);
        long long until = last + delay;
        wait = until > (long long)time(NULL) ? (long)(until - time(NULL)) : 0;
    }
    db_finalize(st);
    return wait;
}

int store_sign_in_result(store *s, const char *who, int succeeded)
{
    db_stmt *st = NULL;
    const char *sql = succeeded ? "DELETE FROM sign_in_failures WHERE who = ?1 AND ?2 = ?2"
                                : "INSERT INTO sign_in_failures (who, count, last_at) "
                                  "VALUES (?1, 1, ?2) ON CONFLICT (who) DO UPDATE SET "
                                  "count = count + 1, last_at = ?2";
    if (!(st = db_prepare(store_db(s), sql)))
        return -1;
    db_bind_text(st, 1, who);
    db_bind_int64(st, 2, (long long)time(NULL));
    return store_step_done(st);
}

json_t *store_user_get(store *s, long id)
{
    db_stmt *st = NULL;
    json_t *user = NULL;
    if (!(st =
              db_prepare(store_db(s), "SELECT id, name, role, producer_id, email, chair FROM users "
                                      "WHERE id = ?1")))
        return NULL;
    db_bind_int64(st, 1, id);
    if (db_step(st) == DB_ROW)
        user =
            json_pack("{s:I, s:s, s:s, s:o, s:s, s:b}", "id", (json_int_t)db_column_int64(st, 0),
                      "name", db_column_text(st, 1), "role", db_column_text(st, 2), "producer_id",
                      db_column_is_null(st, 3) ? json_null() : json_integer(db_column_int64(st, 3)),
                      "email", db_column_text(st, 4), "chair", (int)db_column_int64(st, 5));
    db_finalize(st);
    return user;
}

/* Adds 'reader' to the roles that users.role may hold. A CHECK that only
 * widens changes nothing stored, so the table's definition is edited in
 * place, as SQLite's documentation allows for such a change, rather than
 * the table rebuilt under the foreign keys of tokens and sessions; this
 * connection then reads its schema again, and a table made and dropped
 * tells the others that it changed. */
const char *store_reader_migration(void)
{
    return "PRAGMA writable_schema = ON;"
           "UPDATE sqlite_schema SET sql = replace(sql, '''producer''))', "
           "'''producer'',''reader''))') WHERE type = 'table' AND name = 'users';"
           "PRAGMA writable_schema = RESET;" /* this connection reads the schema again */
           "CREATE TABLE schema_changed (x);"
           "DROP TABLE schema_changed;";
}

static const char *const role_names[ROLE_COUNT] = {"admin",  "officer", "producer",
                                                   "reader", "commune", "council"};

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

/* A token is 32 random bytes shown once as "oct_" + base64url; the store
 * keeps only its BLAKE2b hash, so a copy of the database opens nothing. */
void store_token_hash(const char *token, char hex[2 * crypto_generichash_BYTES + 1])
{
    unsigned char hash[crypto_generichash_BYTES];
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hex, 2 * crypto_generichash_BYTES + 1, hash, sizeof(hash));
}

long store_user_add(store *s, const store_new_user *u, char token[STORE_TOKEN_MAX],
                    char error[STORE_ERROR_MAX])
{
    unsigned char random[32];
    randombytes_buf(random, sizeof(random));
    memcpy(token, "oct_", 4);
    sodium_bin2base64(token + 4, STORE_TOKEN_MAX - 4, random, sizeof(random),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char hash[2 * crypto_generichash_BYTES + 1];
    store_token_hash(token, hash);
    if (store_transaction(s, error) != 0)
        return -1;
    db_stmt *st = NULL;
    st = db_prepare(s->conn, "INSERT INTO users (name, role, producer_id, email, chair) "
                             "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    int rc = st ? DB_OK : DB_FAILED;
    if (rc == DB_OK) {
        db_bind_text(st, 1, u->name);
        db_bind_text(st, 2, role_names[u->role]);
        if (u->role == ROLE_PRODUCER)
            db_bind_int64(st, 3, u->producer_id);
        else
            db_bind_null(st, 3);
        db_bind_text(st, 4, u->email ? u->email : "");
        db_bind_int64(st, 5, u->chair);
    }
    long user = 0;
    if (rc == DB_OK)
        rc = store_step_id(st, &user);
    if (rc == DB_OK &&
        (st = db_prepare(s->conn, "INSERT INTO tokens (hash, user_id) VALUES (?1, ?2)"))) {
        db_bind_text(st, 1, hash);
        db_bind_int64(st, 2, user);
        rc = store_step_done(st);
    }
    if (rc != DB_OK) {
        int taken = rc == DB_UNIQUE;
        store_set_error(error, "cannot add the user", s->conn);
        char ignored[STORE_ERROR_MAX];
        store_exec(s, "ROLLBACK", ignored);
        sodium_memzero(token, STORE_TOKEN_MAX);
        return taken ? -2 : -1;
    }
    return store_exec(s, "COMMIT", error) == 0 ? (long)user : -1;
}

static json_t *user_row(db_stmt *st)
{
    json_t *producer =
        db_column_is_null(st, 3) ? json_null() : json_integer(db_column_int64(st, 3));
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:b}", "id",
                     (json_int_t)db_column_int64(st, 0), "name", db_column_text(st, 1), "role",
                     db_column_text(st, 2), "producer_id", producer, "created_at",
                     db_column_text(st, 4), "email", db_column_text(st, 5), "chair",
                     (int)db_column_int64(st, 6));
}

json_t *store_user_list(store *s)
{
    return store_query_by_id(
        s,
        "SELECT id, name, role, producer_id, created_at, email, chair FROM users WHERE ?1 = 0 "
        "ORDER BY id",
        0, user_row, 1);
}

int store_token_user(store *s, const char *token, store_user *user)
{
    char hash[2 * crypto_generichash_BYTES + 1];
    store_token_hash(token, hash);
    db_stmt *st =
        store_kept(s, "SELECT u.id, u.role, COALESCE(u.producer_id, 0), u.chair FROM tokens t "
                      "JOIN users u ON u.id = t.user_id WHERE t.hash = ?1");
    int found = -1;
    if (st) {
        db_bind_text(st, 1, hash);
        int rc = db_step(st);
        found = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
        if (found == 1)
            read_user(st, 0, user);
    }
    store_release(s, st);
    return found;
}
