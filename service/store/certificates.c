/*
 * Evaluations and the certificates they give: recording a council's
 * scores and the decision, reading, listing and revoking certificates,
 * each change audited and queued in the outbox.
 */
#include "internal.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *certificate_list_row(sqlite3_stmt *st)
{
    json_t *snapshot =
        json_loads(store_column_text(st, 8) ? store_column_text(st, 8) : "{}", 0, NULL);
    json_t *c = json_pack(
        "{s:I, s:s, s:I, s:s, s:O, s:i, s:s, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
        "number", store_column_text(st, 1), "product_id", (json_int_t)sqlite3_column_int64(st, 2),
        "product", store_column_text(st, 3), "producer",
        json_object_get(snapshot, "name") ? json_object_get(snapshot, "name") : json_null(),
        "stars", sqlite3_column_int(st, 4), "valid_until", store_column_text(st, 5), "revoked_at",
        store_column_text(st, 6) ? json_string(store_column_text(st, 6)) : json_null());
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
        store_bind_optional(st, 2, until);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(list, certificate_list_row(st));
    }
    sqlite3_finalize(st);
    return list;
}

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
    return store_step_done(st) == 0 ? 0 : -1;
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
    store_bind_optional(st, 3, e->decision_number);
    store_bind_optional(st, 4, e->decision_date);
    store_bind_optional(st, 5, e->level);
    store_bind_optional(st, 6, e->valid_until);
    store_bind_optional(st, 7, e->issuer);
    store_bind_optional(st, 8, e->signer_title);
    store_bind_optional(st, 9, e->signer_name);
    sqlite3_bind_int64(st, 10, e->product_id);
    if (store_step_done(st) != 0)
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
    if (store_exec(s, "BEGIN IMMEDIATE", error) != 0)
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
        if (store_step_done(st) == 0)
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
        store_set_error(error, "cannot record the evaluation", s->db);
        char ignored[STORE_ERROR_MAX];
        store_exec(s, "ROLLBACK", ignored);
        return id;
    }
    return store_exec(s, "COMMIT", error) == 0 ? id : -1;
}

static json_t *certificate_full_row(sqlite3_stmt *st)
{
    json_t *snapshot =
        json_loads(store_column_text(st, 12) ? store_column_text(st, 12) : "{}", 0, NULL);
    json_t *c = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:i, s:[i,i,i], s:i}", "id",
        (json_int_t)sqlite3_column_int64(st, 0), "number", store_column_text(st, 1),
        "decision_number", store_column_text(st, 2), "decision_date", store_column_text(st, 3),
        "level", store_column_text(st, 4), "valid_until", store_column_text(st, 5), "revoked_at",
        store_column_text(st, 6) ? json_string(store_column_text(st, 6)) : json_null(),
        "revoke_reason",
        store_column_text(st, 7) ? json_string(store_column_text(st, 7)) : json_null(),
        "product_id", (json_int_t)sqlite3_column_int64(st, 8), "product", store_column_text(st, 9),
        "group", store_column_text(st, 10), "stars", sqlite3_column_int(st, 11), "scores",
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
    store_bind_optional(st, 2, number);
    return store_single(s, st, certificate_full_row);
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
    return store_owner_of(
        s,
        "SELECT p.producer_id FROM certificates c JOIN evaluations e ON "
        "e.id = c.evaluation_id JOIN products p ON p.id = e.product_id WHERE c.id = ?1",
        id);
}

int store_certificate_revoke(store *s, long id, const char *reason, long officer_id,
                             char error[STORE_ERROR_MAX])
{
    if (store_exec(s, "BEGIN IMMEDIATE", error) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    int result = -1;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE certificates SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
                           "'now'), revoke_reason = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
        if (store_step_done(st) == 0)
            result = sqlite3_changes(s->db) > 0 ? 1
                     : store_owner_of(s,
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
            store_set_error(error, "cannot revoke", s->db);
        store_exec(s, "ROLLBACK", ignored);
        return result;
    }
    return store_exec(s, "COMMIT", error) == 0 ? 1 : -1;
}
