/*
 * Renewal reminders, their notices on users' pages and the mail outbox
 * (the tables of migration 16): which certificates are due, the reminder
 * written with its notices and mails in one transaction, the sender's
 * claims and outcomes, and the notices a user reads.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Migration 17: the due run finds certificates by the day they end, and
 * a product's later certificate through its evaluation, without reading
 * every certificate. */
const char *store_reminders_migration(void)
{
    return "CREATE INDEX certificates_valid_until ON certificates (valid_until);"
           "CREATE INDEX certificates_evaluation ON certificates (evaluation_id);";
}

/* Migration 18: the reminders of the renewal window (Decision
 * 26/2026/QĐ-TTg, Điều 7.6: the dossier is filed 180 to 120 days before
 * the certificate ends), at 180 and 150 days, beside the 30 and 7 ones. On
 * SQLite the CHECK is widened in place, as migration 11 did for the reader
 * role (store_reader_migration says why). */
const char *store_reminder_window_migration(void)
{
    return "PRAGMA writable_schema = ON;"
           "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (days IN (30, 7))', "
           "'CHECK (days IN (180, 150, 30, 7))') WHERE type = 'table' AND name = 'reminders';"
           "PRAGMA writable_schema = RESET;"
           "CREATE TABLE schema_changed (x);"
           "DROP TABLE schema_changed;";
}

const char *store_postgresql_reminder_window(void)
{
    return "ALTER TABLE reminders DROP CONSTRAINT reminders_days_check;"
           "ALTER TABLE reminders ADD CONSTRAINT reminders_days_check CHECK (days IN "
           "(180, 150, 30, 7));";
}

/* The reminder a certificate ending on c.valid_until is owed today (?1):
 * the most urgent stage it has reached: 7 once it ends by ?2, 30 by ?3;
 * 150 from ?5 down to ?4 (the window's last 30 days, its last day
 * included), 180 up to ?6 (the window open); 0 between ?3 and ?4 (the
 * window closed, the 30-day one not yet). */
#define DUE_STAGE                                                                                  \
    "CASE WHEN c.valid_until <= ?2 THEN 7 WHEN c.valid_until <= ?3 THEN 30 WHEN c.valid_until < "  \
    "?4 THEN 0 WHEN c.valid_until <= ?5 THEN 150 ELSE 180 END"
/* The producer filed for renewal: a dossier of the product, past its
 * draft, created on or after the window opened (180 days before the end). */
#define FILED                                                                                      \
    "CASE WHEN EXISTS (SELECT 1 FROM dossiers d WHERE d.product_id = e.product_id AND d.state <> " \
    "'draft' AND d.created_at >= strftime('%Y-%m-%d', c.valid_until, '-180 days')) THEN 1 ELSE 0 " \
    "END"

/* Certificates in force (not revoked, not yet ended) ending by ?6, each
 * with the stage it is owed, none that has it already, none whose product
 * has a later certificate in force (renewed); the window's stages only
 * while the producer has not filed (their point is the filing), the 30
 * and 7 ones regardless (the recognition still ends). */
static const char due_sql[] =
    "SELECT id, days, number, valid_until, stars, product, producer_id, producer, filed FROM ("
    "SELECT c.id, " DUE_STAGE " AS days, c.number, c.valid_until, e.stars, p.name AS product, "
    "p.producer_id, pr.name AS producer, " FILED " AS filed "
    "FROM certificates c JOIN evaluations e ON e.id = c.evaluation_id "
    "JOIN products p ON p.id = e.product_id JOIN producers pr ON pr.id = p.producer_id "
    "WHERE c.valid_until >= ?1 AND c.valid_until <= ?6 AND c.revoked_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM evaluations e2 JOIN certificates c2 ON "
    "c2.evaluation_id = e2.id WHERE e2.product_id = e.product_id AND c2.revoked_at IS NULL "
    "AND c2.valid_until > c.valid_until)) due WHERE days <> 0 AND NOT (days >= 150 AND filed = 1) "
    "AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.certificate_id = due.id AND r.days = "
    "due.days) ORDER BY valid_until, id";

static void copy_text(char *out, size_t size, db_stmt *st, int column)
{
    const char *text = db_column_text(st, column);
    snprintf(out, size, "%s", text ? text : "");
}

static void due_row(db_stmt *st, store_reminder_due *d)
{
    d->certificate_id = (long)db_column_int64(st, 0);
    d->days = (int)db_column_int64(st, 1);
    copy_text(d->number, sizeof(d->number), st, 2);
    copy_text(d->valid_until, sizeof(d->valid_until), st, 3);
    d->stars = (int)db_column_int64(st, 4);
    copy_text(d->product, sizeof(d->product), st, 5);
    d->producer_id = (long)db_column_int64(st, 6);
    copy_text(d->producer, sizeof(d->producer), st, 7);
    d->filed = db_column_int64(st, 8) != 0;
}

long store_reminders_due(store *s, const store_reminder_days *days, store_reminder_due **out)
{
    db_stmt *st = db_prepare(store_db(s), due_sql);
    *out = NULL;
    if (!st)
        return -1;
    const char *const bounds[] = {days->today,  days->day7,   days->day30,
                                  days->day120, days->day150, days->day180};
    for (int i = 0; i < 6; i++)
        db_bind_text(st, i + 1, bounds[i]);
    long count = 0, room = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (count == room) {
            room = room ? room * 2 : 64;
            store_reminder_due *grown = realloc(*out, (size_t)room * sizeof(**out));
            if (!grown)
                break;
            *out = grown;
        }
        due_row(st, &(*out)[count++]);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return count;
}

/* The users a reminder goes to: the product's producer's users and every
 * officer (the service serves one province). ?3 is the producer. */
#define ADDRESSEES "(u.role = 'officer' OR (u.role = 'producer' AND u.producer_id = ?3))"

enum { INSERT_REMINDER, INSERT_NOTICES, INSERT_MAILS, STATEMENTS };
static const char *const write_sql[STATEMENTS] = {
    "INSERT INTO reminders (certificate_id, days, valid_until) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (certificate_id, days) DO NOTHING RETURNING id",
    "INSERT INTO notices (user_id, reminder_id, text) SELECT u.id, ?1, ?2 FROM users u "
    "WHERE " ADDRESSEES " ON CONFLICT (reminder_id, user_id) DO NOTHING",
    /* ?5 "<reminder-ID-", ?6 "@HOST>": the Message-ID, the same on every
     * attempt; one mail per address, however many users share it. */
    "INSERT INTO mail_outbox (reminder_id, recipient, subject, body, message_id) "
    "SELECT ?1, u.email, ?2, CASE WHEN u.role = 'producer' THEN ?4 ELSE ?7 END, "
    "?5 || CAST(u.id AS TEXT) || ?6 FROM users u WHERE " ADDRESSEES
    " AND u.email IS NOT NULL AND u.email <> '' ON CONFLICT DO NOTHING"};

/* One reminder with its notices and mails; 0, or -1. A reminder another
 * run wrote meanwhile is left as it is. */
static int write_one(store *s, db_stmt **st, const store_reminder_text *t, const char *mail_host,
                     store_reminder_counts *counts)
{
    const store_reminder_due *d = t->due;
    long id = 0;
    db_bind_int64(st[INSERT_REMINDER], 1, d->certificate_id);
    db_bind_int64(st[INSERT_REMINDER], 2, d->days);
    db_bind_text(st[INSERT_REMINDER], 3, d->valid_until);
    int rc = db_step(st[INSERT_REMINDER]);
    if (rc == DB_ROW)
        id = (long)db_column_int64(st[INSERT_REMINDER], 0);
    else if (rc != DB_DONE)
        return -1;
    db_reset(st[INSERT_REMINDER]);
    if (!id)
        return 0;
    counts->reminders++;
    char prefix[48], suffix[MAIL_HOST_MAX + 4];
    snprintf(prefix, sizeof(prefix), "<reminder-%ld-", id);
    snprintf(suffix, sizeof(suffix), "@%s>", mail_host);
    db_bind_int64(st[INSERT_NOTICES], 1, id);
    db_bind_text(st[INSERT_NOTICES], 2, t->notice);
    db_bind_int64(st[INSERT_NOTICES], 3, d->producer_id);
    rc = db_step(st[INSERT_NOTICES]);
    db_reset(st[INSERT_NOTICES]);
    if (rc != DB_DONE)
        return -1;
    counts->notices += (long)db_changes(store_db(s));
    db_stmt *mails = st[INSERT_MAILS];
    db_bind_int64(mails, 1, id);
    db_bind_text(mails, 2, t->subject);
    db_bind_int64(mails, 3, d->producer_id);
    db_bind_text(mails, 4, t->producer_body);
    db_bind_text(mails, 5, prefix);
    db_bind_text(mails, 6, suffix);
    db_bind_text(mails, 7, t->officer_body);
    rc = db_step(mails);
    db_reset(mails);
    if (rc != DB_DONE)
        return -1;
    counts->mails += (long)db_changes(store_db(s));
    return 0;
}

int store_reminders_write(store *s, const store_reminder_text *items, int count,
                          const char *mail_host, store_reminder_counts *counts,
                          char error[STORE_ERROR_MAX])
{
    store_reminder_counts batch = {0, 0, 0};
    db_stmt *st[STATEMENTS] = {NULL};
    if (count <= 0)
        return 0;
    if (store_transaction(s, error) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < STATEMENTS && rc == 0; i++)
        if (!(st[i] = db_prepare(store_db(s), write_sql[i])))
            rc = -1;
    for (int i = 0; rc == 0 && i < count; i++)
        rc = write_one(s, st, &items[i], mail_host, &batch);
    if (rc != 0)
        store_set_error(error, "cannot write the reminders", store_db(s));
    for (int i = 0; i < STATEMENTS; i++)
        db_finalize(st[i]);
    if (rc != 0 || store_exec(s, "COMMIT", error) != 0) {
        char ignored[STORE_ERROR_MAX];
        store_exec(s, "ROLLBACK", ignored);
        return -1;
    }
    counts->reminders += batch.reminders;
    counts->notices += batch.notices;
    counts->mails += batch.mails;
    return 0;
}

/* ---------- the mail outbox ---------- */

/* Pending mails due at ?1 and held by no sender's lease; on PostgreSQL,
 * rows another daemon is claiming at this moment are skipped. */
#define MAIL_CLAIM(lock)                                                                           \
    "UPDATE mail_outbox SET claimed_by = ?3, claimed_until = CAST(?1 AS BIGINT) + "                \
    "CAST(?4 AS BIGINT) WHERE id IN (SELECT id FROM mail_outbox WHERE state = 'pending' AND "      \
    "next_at <= ?1 AND claimed_until <= ?1 ORDER BY id LIMIT ?2" lock ") "                         \
    "RETURNING id, recipient, message_id, subject, body, attempts"

static int mail_by_id(const void *a, const void *b)
{
    long x = ((const store_mail *)a)->id, y = ((const store_mail *)b)->id;
    return (x > y) - (x < y);
}

int store_mail_claim(store *s, const char *owner, long long now_ms, long long lease_ms,
                     store_mail *out, int max)
{
    db_stmt *st = db_prepare(store_db(s), store_backend(s) == DB_SQLITE
                                              ? MAIL_CLAIM("")
                                              : MAIL_CLAIM(" FOR UPDATE SKIP LOCKED"));
    if (!st)
        return -1;
    db_bind_int64(st, 1, now_ms);
    db_bind_int64(st, 2, max);
    db_bind_text(st, 3, owner);
    db_bind_int64(st, 4, lease_ms);
    int n = 0;
    while (n < max && db_step(st) == DB_ROW) {
        store_mail *m = &out[n];
        m->id = (long)db_column_int64(st, 0);
        copy_text(m->recipient, sizeof(m->recipient), st, 1);
        copy_text(m->message_id, sizeof(m->message_id), st, 2);
        m->subject = strdup(db_column_text(st, 3) ? db_column_text(st, 3) : "");
        m->body = strdup(db_column_text(st, 4) ? db_column_text(st, 4) : "");
        m->attempts = (int)db_column_int64(st, 5);
        if (m->subject && m->body)
            n++;
        else
            store_mail_free(m);
    }
    db_finalize(st);
    qsort(out, (size_t)n, sizeof(*out), mail_by_id);
    return n;
}

void store_mail_free(store_mail *m)
{
    free(m->subject);
    free(m->body);
    m->subject = m->body = NULL;
}

int store_mail_record(store *s, const store_mail_result *r)
{
    db_stmt *st = db_prepare(
        store_db(s),
        "UPDATE mail_outbox SET attempts = attempts + 1, claimed_until = 0, last_error = ?3, "
        "state = CASE CAST(?2 AS BIGINT) WHEN 0 THEN 'sent' WHEN 2 THEN 'dead' ELSE 'pending' "
        "END, next_at = ?4, sent_at = CASE CAST(?2 AS BIGINT) WHEN 0 THEN "
        "strftime('%Y-%m-%dT%H:%M:%SZ','now') END WHERE id = ?1 AND state = 'pending'");
    if (!st)
        return -1;
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, (int)r->outcome);
    db_bind_text(st, 3, r->error);
    db_bind_int64(st, 4, r->outcome == SYNC_RETRY ? r->next_ms : 0);
    return store_step_done(st) == 0 ? 0 : -1;
}

static json_t *dead_mails(store *s)
{
    db_stmt *st = NULL;
    json_t *list = json_array();
    if ((st = db_prepare(store_db(s),
                         "SELECT id, recipient, message_id, last_error, attempts FROM mail_outbox "
                         "WHERE state = 'dead' ORDER BY id LIMIT 100")))
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                list,
                json_pack("{s:I, s:s, s:s, s:s?, s:i}", "id", (json_int_t)db_column_int64(st, 0),
                          "recipient", db_column_text(st, 1), "message_id", db_column_text(st, 2),
                          "error", db_column_text(st, 3), "attempts", (int)db_column_int64(st, 4)));
    db_finalize(st);
    return list;
}

json_t *store_mail_status(store *s)
{
    db_stmt *st = db_prepare(store_db(s), "SELECT state, attempts > 0, count(*), max(last_error) "
                                          "FROM mail_outbox GROUP BY 1, 2");
    if (!st)
        return NULL;
    json_int_t pending = 0, retrying = 0, sent = 0, dead = 0;
    while (db_step(st) == DB_ROW) {
        const char *state = db_column_text(st, 0);
        json_int_t n = (json_int_t)db_column_int64(st, 2);
        if (strcmp(state, "sent") == 0)
            sent += n;
        else if (strcmp(state, "dead") == 0)
            dead += n;
        else if (db_column_int64(st, 1))
            retrying += n;
        else
            pending += n;
    }
    db_finalize(st);
    json_t *last_error = json_null();
    if ((st =
             db_prepare(store_db(s), "SELECT last_error FROM mail_outbox WHERE state = "
                                     "'pending' AND last_error IS NOT NULL ORDER BY id LIMIT 1"))) {
        if (db_step(st) == DB_ROW) {
            json_decref(last_error);
            last_error = json_string(db_column_text(st, 0));
        }
        db_finalize(st);
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "pending", pending, "retrying", retrying,
                     "sent", sent, "dead", dead, "last_error", last_error, "dead_letters",
                     dead_mails(s));
}

/* ---------- notices ---------- */

static json_t *notice_row(db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s?, s:s, s:{s:I, s:i, s:I, s:s, s:s}}", "id",
                     (json_int_t)db_column_int64(st, 0), "text", db_column_text(st, 1), "read_at",
                     db_column_text(st, 2), "created_at", db_column_text(st, 3), "reminder", "id",
                     (json_int_t)db_column_int64(st, 4), "days", (int)db_column_int64(st, 5),
                     "certificate_id", (json_int_t)db_column_int64(st, 6), "number",
                     db_column_text(st, 7), "valid_until", db_column_text(st, 8));
}

#define NOTICE_COLUMNS                                                                             \
    "SELECT n.id, n.text, n.read_at, n.created_at, r.id, r.days, r.certificate_id, c.number, "     \
    "r.valid_until FROM notices n JOIN reminders r ON r.id = n.reminder_id "                       \
    "JOIN certificates c ON c.id = r.certificate_id "

json_t *store_notices_list(store *s, long user_id, int limit)
{
    db_stmt *st =
        db_prepare(store_db(s), NOTICE_COLUMNS "WHERE n.user_id = ?1 ORDER BY n.id DESC LIMIT ?2");
    if (!st)
        return NULL;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, limit);
    json_t *list = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(list, notice_row(st));
    db_finalize(st);
    json_int_t unread = -1, total = 0;
    if (rc == DB_DONE &&
        (st = db_prepare(store_db(s), "SELECT count(*), count(*) - count(read_at) FROM notices "
                                      "WHERE user_id = ?1"))) {
        db_bind_int64(st, 1, user_id);
        if (db_step(st) == DB_ROW) {
            total = (json_int_t)db_column_int64(st, 0);
            unread = (json_int_t)db_column_int64(st, 1);
        }
        db_finalize(st);
    }
    if (unread < 0) {
        json_decref(list);
        return NULL;
    }
    return json_pack("{s:o, s:I, s:I}", "notices", list, "unread", unread, "total", total);
}

json_t *store_notice_read(store *s, long user_id, long id)
{
    db_stmt *st =
        db_prepare(store_db(s), "UPDATE notices SET read_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') "
                                "WHERE id = ?1 AND user_id = ?2 AND read_at IS NULL");
    if (!st)
        return NULL;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, user_id);
    if (store_step_done(st) != 0)
        return NULL;
    if (!(st = db_prepare(store_db(s), NOTICE_COLUMNS "WHERE n.id = ?1 AND n.user_id = ?2")))
        return NULL;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, user_id);
    json_t *notice = db_step(st) == DB_ROW ? notice_row(st) : json_null();
    db_finalize(st);
    return notice;
}
