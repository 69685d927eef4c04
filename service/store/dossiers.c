/*
 * The store's side of OCOP dossiers (hồ sơ): a producer's application for
 * a product's evaluation, its registration form, its evidence files (kept
 * by their SHA-256 beside the database), every change of state with who
 * made it, the commune's reasons for a return, the council members'
 * scores by criterion, and the decision that ends it in an evaluation.
 */
#include "store.h"
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Written once for both backends: only the type of an id drawn by the
 * database, and SQLite's WITHOUT ROWID, differ. The states and their
 * order are the decision's: nothing skips one. */
#define DOSSIERS_SCHEMA(id, without_rowid)                                                         \
    "ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';"                                 \
    "ALTER TABLE users ADD COLUMN chair INTEGER NOT NULL DEFAULT 0;"                               \
    "CREATE TABLE dossiers ("                                                                      \
    "  id " id ","                                                                                 \
    "  product_id BIGINT NOT NULL REFERENCES products(id),"                                        \
    "  previous_id BIGINT REFERENCES dossiers(id)," /* a renewal starts from it */                 \
    "  sheet TEXT NOT NULL,"                        /* the criteria sheet's id */                  \
    "  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','submitted','checked',"        \
    "    'returned','scoring','scored','recognised','not_recognised')),"                           \
    "  form TEXT NOT NULL DEFAULT '{}',"                                                           \
    "  members BIGINT," /* how many members' sheets the score averages */                          \
    "  score_a BIGINT, score_b BIGINT, score_c BIGINT, score_mean TEXT, stars BIGINT,"             \
    "  evaluation_id BIGINT REFERENCES evaluations(id),"                                           \
    "  created_by BIGINT REFERENCES users(id),"                                                    \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"                  \
    "CREATE INDEX dossiers_product ON dossiers (product_id, id);"                                  \
    "CREATE INDEX dossiers_state ON dossiers (state, id);"                                         \
    "CREATE TABLE dossier_files ("                                                                 \
    "  id " id ","                                                                                 \
    "  dossier_id BIGINT NOT NULL REFERENCES dossiers(id),"                                        \
    "  name TEXT NOT NULL," /* as uploaded, for people */                                          \
    "  kind TEXT NOT NULL DEFAULT 'other',"                                                        \
    "  content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf','image/jpeg',"         \
    "    'image/png')),"                                                                           \
    "  bytes BIGINT NOT NULL,"                                                                     \
    "  sha256 TEXT NOT NULL,"                                                                      \
    "  uploaded_by BIGINT REFERENCES users(id),"                                                   \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"                  \
    "CREATE INDEX dossier_files_dossier ON dossier_files (dossier_id, id);"                        \
    "CREATE TABLE dossier_transitions ("                                                           \
    "  id " id ","                                                                                 \
    "  dossier_id BIGINT NOT NULL REFERENCES dossiers(id),"                                        \
    "  from_state TEXT NOT NULL, to_state TEXT NOT NULL,"                                          \
    "  user_id BIGINT REFERENCES users(id),"                                                       \
    "  note TEXT NOT NULL DEFAULT '',"                                                             \
    "  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"                          \
    "CREATE INDEX dossier_transitions_dossier ON dossier_transitions (dossier_id, id);"            \
    "CREATE TABLE dossier_returns ("                                                               \
    "  transition_id BIGINT NOT NULL REFERENCES dossier_transitions(id),"                          \
    "  field TEXT NOT NULL, reason TEXT NOT NULL,"                                                 \
    "  PRIMARY KEY (transition_id, field))" without_rowid ";"                                      \
    "CREATE TABLE dossier_sheets (" /* one member's scoring of one dossier */                      \
    "  dossier_id BIGINT NOT NULL REFERENCES dossiers(id),"                                        \
    "  member_id BIGINT NOT NULL REFERENCES users(id),"                                            \
    "  score_a BIGINT NOT NULL, score_b BIGINT NOT NULL, score_c BIGINT NOT NULL,"                 \
    "  total BIGINT NOT NULL,"                                                                     \
    "  submitted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                 \
    "  PRIMARY KEY (dossier_id, member_id))" without_rowid ";"                                     \
    "CREATE TABLE dossier_scores ("                                                                \
    "  dossier_id BIGINT NOT NULL, member_id BIGINT NOT NULL,"                                     \
    "  criterion TEXT NOT NULL, choice BIGINT NOT NULL, points BIGINT NOT NULL,"                   \
    "  PRIMARY KEY (dossier_id, member_id, criterion),"                                            \
    "  FOREIGN KEY (dossier_id, member_id) REFERENCES dossier_sheets (dossier_id, "                \
    "member_id))" without_rowid ";"                                                                \
    "CREATE TABLE reminders (" /* a certificate's notice that its recognition ends */              \
    "  id " id ","                                                                                 \
    "  certificate_id BIGINT NOT NULL REFERENCES certificates(id),"                                \
    "  days BIGINT NOT NULL CHECK (days IN (30, 7)),"                                              \
    "  valid_until TEXT NOT NULL,"                                                                 \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  UNIQUE (certificate_id, days));"                                                            \
    "CREATE TABLE notices (" /* what a user's web page shows: a reminder, addressed */             \
    "  id " id ","                                                                                 \
    "  user_id BIGINT NOT NULL REFERENCES users(id),"                                              \
    "  reminder_id BIGINT NOT NULL REFERENCES reminders(id),"                                      \
    "  text TEXT NOT NULL, read_at TEXT,"                                                          \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  UNIQUE (reminder_id, user_id));"                                                            \
    "CREATE INDEX notices_user ON notices (user_id, id);"                                          \
    "CREATE TABLE mail_outbox (" /* each e-mail owed, sent once, retried until it is */            \
    "  id " id ","                                                                                 \
    "  reminder_id BIGINT REFERENCES reminders(id),"                                               \
    "  recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,"                        \
    "  message_id TEXT NOT NULL UNIQUE,"                                                           \
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','dead')),"          \
    "  attempts BIGINT NOT NULL DEFAULT 0,"                                                        \
    "  next_at BIGINT NOT NULL DEFAULT 0," /* unix milliseconds */                                 \
    "  claimed_by TEXT, claimed_until BIGINT NOT NULL DEFAULT 0,"                                  \
    "  last_error TEXT, sent_at TEXT,"                                                             \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  UNIQUE (reminder_id, recipient));"                                                          \
    "CREATE INDEX mail_outbox_due ON mail_outbox (state, next_at, id);"

/* Migration 16. SQLite's CHECK on users.role is widened in place, as
 * migration 11 did for the reader (store_reader_migration says why). */
const char *store_dossiers_migration(void)
{
    return "PRAGMA writable_schema = ON;"
           "UPDATE sqlite_schema SET sql = replace(sql, '''reader''))', "
           "'''reader'',''commune'',''council''))') WHERE type = 'table' AND name = 'users';"
           "PRAGMA writable_schema = RESET;"
           "CREATE TABLE schema_changed (x);"
           "DROP TABLE schema_changed;" DOSSIERS_SCHEMA("INTEGER PRIMARY KEY", " WITHOUT ROWID");
}

const char *store_postgresql_dossiers(void)
{
    return "ALTER TABLE users DROP CONSTRAINT users_role_check;"
           "ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN "
           "('admin','officer','producer','reader','commune','council'));" DOSSIERS_SCHEMA(
               "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "");
}

/* ---------- the states ---------- */

static void bind_user(db_stmt *st, int index, long user_id)
{
    if (user_id > 0)
        db_bind_int64(st, index, user_id);
    else
        db_bind_null(st, index);
}

/* The dossier's state into `state`: 1, or 0 when there is no such dossier. */
static int read_state(store *s, long id, char state[32])
{
    db_stmt *st = db_prepare(store_db(s), "SELECT state FROM dossiers WHERE id = ?1");
    int found = 0;
    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW) {
            snprintf(state, 32, "%s", db_column_text(st, 0));
            found = 1;
        }
    }
    db_finalize(st);
    return found;
}

/* Refuses a step that dossier `id`, in `state` (empty: none), may not take. */
static void refuse_state(store_problem *p, long id, const char *state, const char *needed)
{
    if (!*state)
        store_problem_first(p, 404, "not_found", "id", "no dossier %ld", id);
    else
        store_problem_first(p, 409, "conflict", "state", "dossier %ld is '%s'; this step needs %s",
                            id, state, needed);
}

/* A history line and its audit line "dossier.<to>": the line's id, or -1. */
static long insert_transition(store *s, long id, const char *from, const char *to, long user_id,
                              const char *note)
{
    db_stmt *st = db_prepare(store_db(s), "INSERT INTO dossier_transitions (dossier_id, "
                                          "from_state, to_state, user_id, note) VALUES (?1, ?2, "
                                          "?3, ?4, ?5) RETURNING id");
    long line = -1;
    if (st) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, from);
        db_bind_text(st, 3, to);
        bind_user(st, 4, user_id);
        db_bind_text(st, 5, note ? note : "");
    }
    if (!st || store_step_id(st, &line) != 0)
        return -1;
    char action[48], subject[40];
    snprintf(action, sizeof(action), "dossier.%s", to);
    snprintf(subject, sizeof(subject), "dossier %ld", id);
    return store_audit(s, user_id, action, subject) == 0 ? line : -1;
}

int store_dossier_transition_in(store *s, long dossier_id, const char *from, const char *to,
                                long user_id, const char *note, store_problem *p)
{
    db_stmt *st = db_prepare(store_db(s), "UPDATE dossiers SET state = ?3, updated_at = "
                                          "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1 "
                                          "AND state = ?2");
    if (st) {
        db_bind_int64(st, 1, dossier_id);
        db_bind_text(st, 2, from);
        db_bind_text(st, 3, to);
    }
    if (!st || store_step_done(st) != 0) {
        store_problem_first(p, 500, "store", "", "cannot change the dossier's state");
        return -1;
    }
    if (db_changes(store_db(s)) == 0) {
        char state[32] = "", needed[48];
        read_state(s, dossier_id, state);
        snprintf(needed, sizeof(needed), "'%s'", from);
        refuse_state(p, dossier_id, state, needed);
        return -1;
    }
    long line = insert_transition(s, dossier_id, from, to, user_id, note);
    if (line < 0)
        store_problem_first(p, 500, "store", "", "cannot record the dossier's history");
    return line < 0 ? -1 : (int)line;
}

/* Opens the transaction of one change: 0, or -1 with `p` filled. */
static int begin(store *s, store_problem *p)
{
    char error[STORE_ERROR_MAX];
    memset(p, 0, sizeof(*p));
    if (store_transaction(s, error) == 0)
        return 0;
    store_problem_first(p, 500, "store", "", "%s", error);
    return -1;
}

/* Commits when `p` holds no problem, else rolls back: `result`, or -1. */
static long end(store *s, store_problem *p, long result)
{
    char error[STORE_ERROR_MAX];
    if (!p->status && store_exec(s, "COMMIT", error) != 0)
        store_problem_first(p, 500, "store", "", "cannot commit the dossier: %s", error);
    if (p->status) {
        store_exec(s, "ROLLBACK", error);
        return -1;
    }
    return result;
}

int store_dossier_transition(store *s, long dossier_id, const char *from, const char *to,
                             long user_id, const char *note, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    int line = store_dossier_transition_in(s, dossier_id, from, to, user_id, note, p);
    return (int)end(s, p, line);
}

/* The state and form of a dossier a producer may still change (draft or
 * returned): 1 with *form (the caller's), or 0 with `p` filled. */
static int changeable(store *s, long id, const char *step, char state[32], json_t **form,
                      store_problem *p)
{
    db_stmt *st = db_prepare(store_db(s), "SELECT state, form FROM dossiers WHERE id = ?1");
    *state = '\0';
    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW) {
            snprintf(state, 32, "%s", db_column_text(st, 0));
            if (form)
                *form = json_loads(db_column_text(st, 1), 0, NULL);
        }
    }
    db_finalize(st);
    int open = strcmp(state, "draft") == 0 || strcmp(state, "returned") == 0;
    if (!open) {
        char needed[64];
        snprintf(needed, sizeof(needed), "'draft' or 'returned' (%s)", step);
        refuse_state(p, id, state, needed);
    } else if (form && !json_is_object(*form))
        store_problem_first(p, 500, "store", "", "the form of dossier %ld cannot be read", id);
    if (p->status && form) {
        json_decref(*form);
        *form = NULL;
    }
    return !p->status;
}

/* ---------- making and changing ---------- */

/* The renewed dossier's form, checked to be the product's and decided. */
static json_t *renewed_form(store *s, const store_new_dossier *d, store_problem *p)
{
    db_stmt *st =
        db_prepare(store_db(s), "SELECT product_id, state, form FROM dossiers WHERE id = ?1");
    json_t *form = NULL;
    long product = 0;
    char state[32] = "";
    if (st) {
        db_bind_int64(st, 1, d->renews);
        if (db_step(st) == DB_ROW) {
            product = (long)db_column_int64(st, 0);
            snprintf(state, sizeof(state), "%s", db_column_text(st, 1));
            form = json_loads(db_column_text(st, 2), 0, NULL);
        }
    }
    db_finalize(st);
    if (!product || product != d->product_id)
        store_problem_first(p, 422, "invalid", "renews",
                            "dossier %ld is not a dossier of product %ld", d->renews,
                            d->product_id);
    else if (strcmp(state, "recognised") != 0 && strcmp(state, "not_recognised") != 0)
        store_problem_first(
            p, 409, "conflict", "renews",
            "dossier %ld is '%s': only a 'recognised' or 'not_recognised' one is renewed",
            d->renews, state);
    else if (!json_is_object(form))
        store_problem_first(p, 500, "store", "", "the form of dossier %ld cannot be read",
                            d->renews);
    if (p->status) {
        json_decref(form);
        return NULL;
    }
    return form;
}

static long insert_dossier(store *s, const store_new_dossier *d, const json_t *form)
{
    char *text = json_dumps(form, JSON_COMPACT | JSON_SORT_KEYS);
    db_stmt *st = text ? db_prepare(store_db(s), "INSERT INTO dossiers (product_id, previous_id, "
                                                 "sheet, form, created_by) VALUES (?1, ?2, ?3, "
                                                 "?4, ?5) RETURNING id")
                       : NULL;
    long id = -1;
    if (st) {
        db_bind_int64(st, 1, d->product_id);
        if (d->renews)
            db_bind_int64(st, 2, d->renews);
        else
            db_bind_null(st, 2);
        db_bind_text(st, 3, d->sheet);
        db_bind_text(st, 4, text);
        bind_user(st, 5, d->user_id);
        if (store_step_id(st, &id) != 0)
            id = -1;
    }
    free(text);
    return id;
}

/* The renewed dossier's files, as rows of the new one naming the same
 * stored bytes. */
static int copy_files(store *s, long from, long to)
{
    db_stmt *st = db_prepare(store_db(s),
                             "INSERT INTO dossier_files (dossier_id, name, kind, content_type, "
                             "bytes, sha256, uploaded_by) SELECT ?2, name, kind, content_type, "
                             "bytes, sha256, uploaded_by FROM dossier_files WHERE dossier_id = ?1 "
                             "ORDER BY id");
    if (!st)
        return -1;
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    return store_step_done(st) == 0 ? 0 : -1;
}

long store_dossier_create(store *s, const store_new_dossier *d, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    json_t *form = d->renews ? renewed_form(s, d, p) : json_object();
    if (!p->status && d->form)
        json_object_update(form, (json_t *)d->form);
    long id = p->status ? -1 : insert_dossier(s, d, form);
    json_decref(form);
    if (!p->status && (id < 0 || (d->renews && copy_files(s, d->renews, id) != 0) ||
                       insert_transition(s, id, "", "draft", d->user_id, NULL) < 0))
        store_problem_first(p, 500, "store", "", "cannot record the dossier");
    return end(s, p, id);
}

static int write_form(store *s, long id, const json_t *form)
{
    char *text = json_dumps(form, JSON_COMPACT | JSON_SORT_KEYS);
    db_stmt *st = text ? db_prepare(store_db(s), "UPDATE dossiers SET form = ?2, updated_at = "
                                                 "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id "
                                                 "= ?1")
                       : NULL;
    if (st) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, text);
    }
    free(text);
    return st && store_step_done(st) == 0 ? 0 : -1;
}

static int audit_dossier(store *s, long user_id, const char *action, long id)
{
    char subject[40];
    snprintf(subject, sizeof(subject), "dossier %ld", id);
    return store_audit(s, user_id, action, subject);
}

int store_dossier_form_update(store *s, long id, const json_t *form, long user_id, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    char state[32];
    json_t *stored = NULL;
    if (changeable(s, id, "to change its form", state, &stored, p)) {
        json_object_update(stored, (json_t *)form);
        if (write_form(s, id, stored) != 0 || audit_dossier(s, user_id, "dossier.form", id) != 0)
            store_problem_first(p, 500, "store", "", "cannot change the form of dossier %ld", id);
    }
    json_decref(stored);
    return (int)end(s, p, 0);
}

static long file_count(store *s, long id)
{
    return store_owner_of(s, "SELECT count(*) FROM dossier_files WHERE dossier_id = ?1", id);
}

/* The first required field the form lacks (absent or blank), with the
 * others it lacks in the message. */
static void check_required(const json_t *form, const char *const *required, store_problem *p)
{
    char first[48] = "", others[200] = "";
    for (size_t i = 0; required[i]; i++) {
        const char *text = json_string_value(json_object_get(form, required[i]));
        if (text && text[strspn(text, " \t\r\n")])
            continue;
        if (!*first)
            snprintf(first, sizeof(first), "form.%s", required[i]);
        else
            snprintf(others + strlen(others), sizeof(others) - strlen(others), "%s%s",
                     *others ? ", " : "", required[i]);
    }
    if (*first)
        store_problem_first(p, 422, "invalid", first, "is required to submit the dossier%s%s%s",
                            *others ? " (also missing: " : "", others, *others ? ")" : "");
}

int store_dossier_submit(store *s, long id, const char *const *required, long user_id,
                         store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    char state[32];
    json_t *form = NULL;
    int line = -1;
    if (changeable(s, id, "to be submitted", state, &form, p)) {
        check_required(form, required, p);
        if (!p->status && file_count(s, id) < 1)
            store_problem_first(p, 422, "invalid", "files",
                                "at least one evidence file is required to submit "
                                "the dossier");
        if (!p->status)
            line = store_dossier_transition_in(s, id, state, "submitted", user_id, NULL, p);
    }
    json_decref(form);
    return (int)end(s, p, line);
}

static int insert_reasons(store *s, long line, const json_t *reasons)
{
    db_stmt *st = db_prepare(store_db(s), "INSERT INTO dossier_returns (transition_id, field, "
                                          "reason) VALUES (?1, ?2, ?3)");
    int rc = st ? DB_OK : DB_FAILED;
    const char *field;
    json_t *reason;
    json_object_foreach((json_t *)reasons, field, reason)
    {
        if (rc != DB_OK)
            break;
        db_bind_int64(st, 1, line);
        db_bind_text(st, 2, field);
        db_bind_text(st, 3, json_string_value(reason));
        rc = db_step(st);
        rc = rc == DB_DONE ? DB_OK : rc;
        db_reset(st);
    }
    db_finalize(st);
    return rc == DB_OK ? 0 : -1;
}

int store_dossier_return(store *s, long id, const json_t *reasons, long user_id, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    int line = store_dossier_transition_in(s, id, "submitted", "returned", user_id, NULL, p);
    if (line > 0 && insert_reasons(s, line, reasons) != 0)
        store_problem_first(p, 500, "store", "", "cannot record the reasons");
    return (int)end(s, p, line);
}

static int link_evaluation(store *s, long id, long evaluation)
{
    db_stmt *st = db_prepare(store_db(s), "UPDATE dossiers SET evaluation_id = ?2 WHERE id = ?1");
    if (!st)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, evaluation);
    return store_step_done(st) == 0 ? 0 : -1;
}

int store_dossier_decide(store *s, long id, const store_evaluation *e, const char *to,
                         const char *note, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    long evaluation = -1;
    if (store_dossier_transition_in(s, id, "scored", to, e->officer_id, note, p) > 0) {
        long made = store_evaluation_insert(s, e, &evaluation);
        if (made == -2)
            store_problem_first(p, 409, "conflict", "number", "certificate '%s' exists", e->number);
        else if (made < 0 || link_evaluation(s, id, evaluation) != 0)
            store_problem_first(p, 500, "store", "", "cannot record the evaluation");
    }
    return (int)end(s, p, 0);
}

/* ---------- files ---------- */

int store_files_dir(const char *db_url, const char *configured, char *out, size_t size)
{
    int n;
    if (configured && *configured)
        n = snprintf(out, size, "%s", configured);
    else if (db_url_backend(db_url) == DB_SQLITE) {
        const char *path = db_url_sqlite_path(db_url);
        const char *slash = path ? strrchr(path, '/') : NULL;
        n = slash ? snprintf(out, size, "%.*s/files", (int)(slash - path), path)
                  : snprintf(out, size, "files");
    } else
        n = snprintf(out, size, "var/files");
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int store_file_path(const char *files_dir, const char *sha256, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%.2s/%s", files_dir, sha256, sha256);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int make_dir(const char *path)
{
    return mkdir(path, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

/* Writes the bytes at their content's path unless a file is there
 * already: through a temporary name in the same folder, linked into place
 * so that an existing file is never replaced. 1 written, 0 present, -1. */
static int write_blob(const char *files_dir, const char *hash, const unsigned char *data,
                      size_t len, char path[PATH_MAX])
{
    char dir[PATH_MAX], temp[PATH_MAX + 16];
    if (store_file_path(files_dir, hash, path, PATH_MAX) != 0 ||
        snprintf(dir, sizeof(dir), "%s/%.2s", files_dir, hash) >= (int)sizeof(dir))
        return -1;
    if (access(path, F_OK) == 0)
        return 0;
    if (make_dir(files_dir) != 0 || make_dir(dir) != 0)
        return -1;
    snprintf(temp, sizeof(temp), "%s/.upload.XXXXXX", dir);
    int fd = mkstemp(temp);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int ok = close(fd) == 0 && done == len;
    int linked = ok ? link(temp, path) : -1;
    int present = linked != 0 && errno == EEXIST;
    unlink(temp);
    return linked == 0 ? 1 : ok && present ? 0 : -1;
}

static long insert_file(store *s, const store_dossier_upload *u, const char *hash)
{
    db_stmt *st = db_prepare(store_db(s), "INSERT INTO dossier_files (dossier_id, name, kind, "
                                          "content_type, bytes, sha256, uploaded_by) VALUES (?1, "
                                          "?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
    long id = -1;
    if (st) {
        db_bind_int64(st, 1, u->dossier_id);
        db_bind_text(st, 2, u->name);
        db_bind_text(st, 3, u->kind);
        db_bind_text(st, 4, u->content_type);
        db_bind_int64(st, 5, (int64_t)u->len);
        db_bind_text(st, 6, hash);
        bind_user(st, 7, u->user_id);
        if (store_step_id(st, &id) != 0)
            id = -1;
    }
    return id;
}

json_t *store_dossier_file_add(store *s, const store_dossier_upload *u, store_problem *p)
{
    if (begin(s, p) != 0)
        return NULL;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hash[2 * crypto_hash_sha256_BYTES + 1], path[PATH_MAX], state[32];
    crypto_hash_sha256(digest, u->data, u->len);
    sodium_bin2hex(hash, sizeof(hash), digest, sizeof(digest));
    long id = -1;
    int written = 0;
    if (changeable(s, u->dossier_id, "to attach a file", state, NULL, p)) {
        id = insert_file(s, u, hash);
        if (id < 0 || audit_dossier(s, u->user_id, "dossier.file", u->dossier_id) != 0)
            store_problem_first(p, 500, "store", "", "cannot record the file");
        else if ((written = write_blob(u->files_dir, hash, u->data, u->len, path)) < 0)
            store_problem_first(p, 500, "store", "", "cannot write the file under '%s'",
                                u->files_dir);
    }
    if (end(s, p, 0) != 0) {
        if (written == 1)
            unlink(path); /* made by this upload, which is undone */
        return NULL;
    }
    return store_dossier_file_get(s, id);
}

static json_t *file_row(db_stmt *st)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "id",
                     (json_int_t)db_column_int64(st, 0), "dossier_id",
                     (json_int_t)db_column_int64(st, 1), "name", db_column_text(st, 2), "kind",
                     db_column_text(st, 3), "content_type", db_column_text(st, 4), "bytes",
                     (json_int_t)db_column_int64(st, 5), "sha256", db_column_text(st, 6),
                     "created_at", db_column_text(st, 7));
}

#define FILE_COLUMNS "id, dossier_id, name, kind, content_type, bytes, sha256, created_at"

json_t *store_dossier_file_get(store *s, long id)
{
    return store_query_by_id(s, "SELECT " FILE_COLUMNS " FROM dossier_files WHERE id = ?1", id,
                             file_row, 0);
}

int store_dossier_file_delete(store *s, long id, long user_id, store_problem *p)
{
    if (begin(s, p) != 0)
        return -1;
    long dossier = store_owner_of(s, "SELECT dossier_id FROM dossier_files WHERE id = ?1", id);
    char state[32];
    if (!dossier)
        store_problem_first(p, 404, "not_found", "id", "no dossier file %ld", id);
    else if (changeable(s, dossier, "to remove a file", state, NULL, p)) {
        db_stmt *st = db_prepare(store_db(s), "DELETE FROM dossier_files WHERE id = ?1");
        if (st)
            db_bind_int64(st, 1, id);
        if (!st || store_step_done(st) != 0 ||
            audit_dossier(s, user_id, "dossier.file_delete", dossier) != 0)
            store_problem_first(p, 500, "store", "", "cannot remove the file");
    }
    return (int)end(s, p, 0);
}

/* ---------- reading ---------- */

long store_dossier_owner(store *s, long id)
{
    return store_owner_of(s,
                          "SELECT p.producer_id FROM dossiers d JOIN products p ON p.id = "
                          "d.product_id WHERE d.id = ?1",
                          id);
}

long store_certificate_dossier(store *s, const char *number)
{
    db_stmt *st = db_prepare(store_db(s), "SELECT d.id FROM dossiers d JOIN certificates c ON "
                                          "c.evaluation_id = d.evaluation_id WHERE c.number = ?1");
    long id = 0;
    if (st) {
        db_bind_text(st, 1, number);
        if (db_step(st) == DB_ROW)
            id = (long)db_column_int64(st, 0);
    }
    db_finalize(st);
    return id;
}

static json_t *number_or_null(db_stmt *st, int column)
{
    return db_column_is_null(st, column) ? json_null()
                                         : json_integer((json_int_t)db_column_int64(st, column));
}

static json_t *text_or_null(db_stmt *st, int column)
{
    const char *text = db_column_text(st, column);
    return text ? json_string(text) : json_null();
}

/* The parts' scores once scoring closed, else null. */
static json_t *score_of(db_stmt *st)
{
    if (db_column_is_null(st, 10))
        return json_null();
    json_int_t a = db_column_int64(st, 10), b = db_column_int64(st, 11),
               c = db_column_int64(st, 12);
    return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "a", a, "b", b, "c", c, "total", a + b + c,
                     "mean", text_or_null(st, 13), "stars", number_or_null(st, 14));
}

#define DOSSIER_COLUMNS                                                                            \
    "d.id, d.product_id, p.name, p.grp, pr.id, pr.name, d.sheet, d.state, d.form, d.members, "     \
    "d.score_a, d.score_b, d.score_c, d.score_mean, d.stars, d.evaluation_id, c.id, c.number, "    \
    "d.previous_id, d.created_at, d.updated_at FROM dossiers d JOIN products p ON p.id = "         \
    "d.product_id JOIN producers pr ON pr.id = p.producer_id LEFT JOIN certificates c ON "         \
    "c.evaluation_id = d.evaluation_id "

static json_t *dossier_row(db_stmt *st)
{
    json_t *form = json_loads(db_column_text(st, 8), 0, NULL);
    json_t *certificate = db_column_is_null(st, 16)
                              ? json_null()
                              : json_pack("{s:I, s:s}", "id", (json_int_t)db_column_int64(st, 16),
                                          "number", db_column_text(st, 17));
    return json_pack(
        "{s:I, s:I, s:{s:s, s:s}, s:{s:I, s:s}, s:s, s:s, s:o, s:o, s:o, s:o, s:o, "
        "s:o, s:s, s:s}",
        "id", (json_int_t)db_column_int64(st, 0), "product_id", (json_int_t)db_column_int64(st, 1),
        "product", "name", db_column_text(st, 2), "group", db_column_text(st, 3), "producer", "id",
        (json_int_t)db_column_int64(st, 4), "name", db_column_text(st, 5), "sheet",
        db_column_text(st, 6), "state", db_column_text(st, 7), "form", form ? form : json_object(),
        "members", number_or_null(st, 9), "score", score_of(st), "evaluation_id",
        number_or_null(st, 15), "certificate", certificate, "previous_id", number_or_null(st, 18),
        "created_at", db_column_text(st, 19), "updated_at", db_column_text(st, 20));
}

static json_t *history_row(db_stmt *st)
{
    const char *from = db_column_text(st, 1);
    json_t *by = db_column_is_null(st, 3)
                     ? json_null()
                     : json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_column_int64(st, 3),
                                 "name", db_column_text(st, 4), "role", db_column_text(st, 5));
    return json_pack("{s:I, s:o, s:s, s:o, s:s, s:s}", "id", (json_int_t)db_column_int64(st, 0),
                     "from", from && *from ? json_string(from) : json_null(), "to",
                     db_column_text(st, 2), "by", by, "note", db_column_text(st, 6), "at",
                     db_column_text(st, 7));
}

/* The commune's reasons on the history lines of the returns; `returns`
 * gets the latest's. */
static int attach_reasons(store *s, long id, json_t *history, json_t **returns)
{
    db_stmt *st =
        db_prepare(store_db(s), "SELECT r.transition_id, r.field, r.reason FROM dossier_returns r "
                                "JOIN dossier_transitions t ON t.id = r.transition_id WHERE "
                                "t.dossier_id = ?1 ORDER BY r.transition_id, r.field");
    int rc = DB_FAILED;
    *returns = NULL;
    if (st) {
        db_bind_int64(st, 1, id);
        while ((rc = db_step(st)) == DB_ROW) {
            json_int_t line = db_column_int64(st, 0);
            size_t i;
            json_t *entry;
            json_array_foreach(history, i, entry)
            {
                if (json_integer_value(json_object_get(entry, "id")) != line)
                    continue;
                json_t *reasons = json_object_get(entry, "reasons");
                if (!reasons)
                    json_object_set_new(entry, "reasons", reasons = json_object());
                json_object_set_new(reasons, db_column_text(st, 1),
                                    json_string(db_column_text(st, 2)));
                *returns = reasons;
            }
        }
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

json_t *store_dossier_get(store *s, long id)
{
    json_t *dossier =
        store_query_by_id(s, "SELECT " DOSSIER_COLUMNS "WHERE d.id = ?1", id, dossier_row, 0);
    if (!dossier)
        return NULL;
    json_t *files = store_query_by_id(s,
                                      "SELECT " FILE_COLUMNS " FROM dossier_files WHERE "
                                      "dossier_id = ?1 ORDER BY id",
                                      id, file_row, 1);
    json_t *history = store_query_by_id(
        s,
        "SELECT t.id, t.from_state, t.to_state, u.id, u.name, u.role, t.note, t.at FROM "
        "dossier_transitions t LEFT JOIN users u ON u.id = t.user_id WHERE t.dossier_id = ?1 "
        "ORDER BY t.id",
        id, history_row, 1);
    json_t *returns = NULL;
    if (!files || !history || attach_reasons(s, id, history, &returns) != 0) {
        json_decref(files);
        json_decref(history);
        json_decref(dossier);
        return NULL;
    }
    size_t i;
    json_t *file;
    json_array_foreach(files, i, file) json_object_del(file, "dossier_id");
    int returned = strcmp(json_string_value(json_object_get(dossier, "state")), "returned") == 0;
    json_object_set_new(dossier, "returns",
                        returned && returns ? json_deep_copy(returns) : json_object());
    json_object_set_new(dossier, "files", files);
    json_object_set_new(dossier, "history", history);
    return dossier;
}

static json_t *list_row(db_stmt *st)
{
    return json_pack(
        "{s:I, s:I, s:{s:s, s:s}, s:{s:I, s:s}, s:s, s:s, s:o, s:s, s:s}", "id",
        (json_int_t)db_column_int64(st, 0), "product_id", (json_int_t)db_column_int64(st, 1),
        "product", "name", db_column_text(st, 2), "group", db_column_text(st, 3), "producer", "id",
        (json_int_t)db_column_int64(st, 4), "name", db_column_text(st, 5), "sheet",
        db_column_text(st, 6), "state", db_column_text(st, 7), "stars", number_or_null(st, 14),
        "created_at", db_column_text(st, 19), "updated_at", db_column_text(st, 20));
}

json_t *store_dossier_list(store *s, long producer_id, const char *state, long product_id)
{
    db_stmt *st = db_prepare(store_db(s), "SELECT " DOSSIER_COLUMNS
                                          "WHERE (?1 = 0 OR p.producer_id = ?1) AND (CAST(?2 AS "
                                          "TEXT) IS NULL OR d.state = ?2) AND (?3 = 0 OR "
                                          "d.product_id = ?3) ORDER BY d.id");
    json_t *list = st ? json_array() : NULL;
    int rc = DB_FAILED;
    if (st) {
        db_bind_int64(st, 1, producer_id);
        store_bind_optional(st, 2, state);
        db_bind_int64(st, 3, product_id);
        while ((rc = db_step(st)) == DB_ROW)
            json_array_append_new(list, list_row(st));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(list);
        return NULL;
    }
    return list;
}
