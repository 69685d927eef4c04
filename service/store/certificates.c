/*
 * Evaluations and the certificates they give: recording a council's
 * scores and the decision, reading, listing and revoking certificates,
 * each change audited and queued in the outbox.
 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *certificate_list_row(db_stmt *st)
{
    json_t *snapshot =
        json_loads(store_column_text(st, 8) ? store_column_text(st, 8) : "{}", 0, NULL);
    json_t *c = json_pack(
        "{s:I, s:s, s:I, s:s, s:O, s:i, s:s, s:o}", "id", (json_int_t)db_column_int64(st, 0),
        "number", store_column_text(st, 1), "product_id", (json_int_t)db_column_int64(st, 2),
        "product", store_column_text(st, 3), "producer",
        json_object_get(snapshot, "name") ? json_object_get(snapshot, "name") : json_null(),
        "stars", (int)db_column_int64(st, 4), "valid_until", store_column_text(st, 5), "revoked_at",
        store_column_text(st, 6) ? json_string(store_column_text(st, 6)) : json_null());
    json_decref(snapshot);
    return c;
}

json_t *store_certificate_list(store *s, long producer_id, const char *until)
{
    db_stmt *st = NULL;
    json_t *list = json_array();
    if ((st = db_prepare(
             s->conn,
             "SELECT c.id, c.number, p.id, p.name, e.stars, c.valid_until, c.revoked_at, "
             "p.producer_id, c.producer_snapshot FROM certificates c JOIN evaluations e ON e.id = "
             "c.evaluation_id JOIN products p ON p.id = e.product_id WHERE (?1 = 0 OR "
             "p.producer_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR (c.revoked_at IS NULL AND "
             "c.valid_until <= "
             "?2)) "
             "ORDER BY c.valid_until, c.id"))) {
        db_bind_int64(st, 1, producer_id);
        store_bind_optional(st, 2, until);
        while (db_step(st) == DB_ROW)
            json_array_append_new(list, certificate_list_row(st));
    }
    db_finalize(st);
    return list;
}

int store_audit(store *s, long user_id, const char *action, const char *subject)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(s->conn,
                          "INSERT INTO audit_log (user_id, action, subject) VALUES (?1, ?2, ?3)")))
        return -1;
    if (user_id > 0)
        db_bind_int64(st, 1, user_id);
    else
        db_bind_null(st, 1);
    db_bind_text(st, 2, action);
    db_bind_text(st, 3, subject);
    return store_step_done(st) == 0 ? 0 : -1;
}

static long insert_certificate(store *s, const store_evaluation *e, long evaluation)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(
              s->conn,
              "INSERT INTO certificates (number, evaluation_id, decision_number, decision_date, "
              "level, valid_until, producer_snapshot) SELECT CAST(?1 AS TEXT), CAST(?2 AS BIGINT), "
              "CAST(?3 AS TEXT), CAST(?4 AS TEXT), CAST(?5 AS TEXT), CAST(?6 AS TEXT), "
              "json_object('name', pr.name, 'address', pr.address, 'issuer', CAST(?7 AS TEXT), "
              "'signer_title', CAST(?8 AS TEXT), 'signer_name', CAST(?9 AS TEXT)) "
              "FROM products p JOIN producers pr ON pr.id = p.producer_id WHERE p.id = ?10 "
              "RETURNING id")))
        return -1;
    db_bind_text(st, 1, e->number);
    db_bind_int64(st, 2, evaluation);
    store_bind_optional(st, 3, e->decision_number);
    store_bind_optional(st, 4, e->decision_date);
    store_bind_optional(st, 5, e->level);
    store_bind_optional(st, 6, e->valid_until);
    store_bind_optional(st, 7, e->issuer);
    store_bind_optional(st, 8, e->signer_title);
    store_bind_optional(st, 9, e->signer_name);
    db_bind_int64(st, 10, e->product_id);
    long id = 0;
    int rc = store_step_id(st, &id);
    return rc == DB_UNIQUE ? -2 : rc ? -1 : id;
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

long store_evaluation_insert(store *s, const store_evaluation *e, long *evaluation_id)
{
    db_stmt *st = NULL;
    long id = -1;
    if ((st = db_prepare(s->conn,
                         "INSERT INTO evaluations (product_id, score_a, score_b, score_c, stars, "
                         "officer_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id"))) {
        db_bind_int64(st, 1, e->product_id);
        for (int i = 0; i < 3; i++)
            db_bind_int64(st, 2 + i, e->scores[i]);
        db_bind_int64(st, 5, e->stars);
        db_bind_int64(st, 6, e->officer_id);
        if (store_step_id(st, &id) != 0)
            id = -1;
    }
    if (evaluation_id)
        *evaluation_id = id;
    if (id > 0 && e->number)
        id = insert_certificate(s, e, id);
    if (id > 0 && e->number && outbox_certificate(s, id, "issue") != 0)
        id = -1;
    if (id > 0 &&
        store_audit(s, e->officer_id, e->number ? "certificate.issue" : "evaluation.record",
                    e->number ? e->number : "evaluation") != 0)
        id = -1;
    return id;
}

long store_evaluation_create(store *s, const store_evaluation *e, char error[STORE_ERROR_MAX])
{
    if (store_transaction(s, error) != 0)
        return -1;
    long id = store_evaluation_insert(s, e, NULL);
    if (id < 0) {
        store_set_error(error, "cannot record the evaluation", s->conn);
        char ignored[STORE_ERROR_MAX];
        store_exec(s, "ROLLBACK", ignored);
        return id;
    }
    return store_exec(s, "COMMIT", error) == 0 ? id : -1;
}

static json_t *certificate_full_row(db_stmt *st)
{
    json_t *snapshot =
        json_loads(store_column_text(st, 12) ? store_column_text(st, 12) : "{}", 0, NULL);
    json_t *c = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:i, s:[i,i,i], s:i}", "id",
        (json_int_t)db_column_int64(st, 0), "number", store_column_text(st, 1), "decision_number",
        store_column_text(st, 2), "decision_date", store_column_text(st, 3), "level",
        store_column_text(st, 4), "valid_until", store_column_text(st, 5), "revoked_at",
        store_column_text(st, 6) ? json_string(store_column_text(st, 6)) : json_null(),
        "revoke_reason",
        store_column_text(st, 7) ? json_string(store_column_text(st, 7)) : json_null(),
        "product_id", (json_int_t)db_column_int64(st, 8), "product", store_column_text(st, 9),
        "group", store_column_text(st, 10), "stars", (int)db_column_int64(st, 11), "scores",
        (int)db_column_int64(st, 13), (int)db_column_int64(st, 14), (int)db_column_int64(st, 15),
        "score",
        (int)db_column_int64(st, 13) + (int)db_column_int64(st, 14) + (int)db_column_int64(st, 15));
    if (c && json_is_object(snapshot))
        json_object_set(c, "producer", snapshot);
    json_decref(snapshot);
    return c;
}

json_t *store_certificate_get(store *s, long id, const char *number)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(
              s->conn,
              "SELECT c.id, c.number, c.decision_number, c.decision_date, c.level, c.valid_until, "
              "c.revoked_at, c.revoke_reason, p.id, p.name, p.grp, e.stars, c.producer_snapshot, "
              "e.score_a, e.score_b, e.score_c FROM certificates c "
              "JOIN evaluations e ON e.id = c.evaluation_id JOIN products p ON p.id = e.product_id "
              "WHERE c.id = ?1 OR c.number = ?2")))
        return NULL;
    db_bind_int64(st, 1, id);
    store_bind_optional(st, 2, number);
    return store_single(s, st, certificate_full_row);
}

int store_product_certificate(store *s, long product_id, const char *today, char *number,
                              size_t size)
{
    db_stmt *st = NULL;
    int found = 0;
    if ((st = db_prepare(s->conn,
                         "SELECT c.number FROM certificates c JOIN evaluations e ON "
                         "e.id = c.evaluation_id WHERE e.product_id = ?1 AND c.revoked_at IS "
                         "NULL AND c.valid_until >= ?2 ORDER BY c.decision_date DESC LIMIT 1"))) {
        db_bind_int64(st, 1, product_id);
        db_bind_text(st, 2, today);
        if (db_step(st) == DB_ROW) {
            snprintf(number, size, "%s", db_column_text(st, 0));
            found = 1;
        }
    }
    db_finalize(st);
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
    if (store_transaction(s, error) != 0)
        return -1;
    db_stmt *st = NULL;
    int result = -1;
    if ((st = db_prepare(s->conn,
                         "UPDATE certificates SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
                         "'now'), revoke_reason = ?2 WHERE id = ?1 AND revoked_at IS NULL"))) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, reason);
        if (store_step_done(st) == 0)
            result = db_changes(s->conn) > 0 ? 1
                     : store_owner_of(s,
                                      "SELECT 2 FROM certificates "
                                      "WHERE id = ?1",
                                      id)
                         ? 2
                         : 0;
    }
    char subject[32];
    snprintf(subject, sizeof(subject), "certificate %ld", id);
    if (result == 1 && (store_audit(s, officer_id, "certificate.revoke", subject) != 0 ||
                        outbox_certificate(s, id, "revoke") != 0))
        result = -1;
    if (result != 1) {
        char ignored[STORE_ERROR_MAX];
        if (result < 0)
            store_set_error(error, "cannot revoke", s->conn);
        store_exec(s, "ROLLBACK", ignored);
        return result;
    }
    return store_exec(s, "COMMIT", error) == 0 ? 1 : -1;
}
