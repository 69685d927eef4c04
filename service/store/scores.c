/*
 * The council's scoring of a dossier in the store: each member's sheet
 * (its parts' totals and the points of every criterion), who has scored,
 * and the close that averages the sheets into the dossier's score and
 * moves it to `scored`.
 *
 * A sheet and the close each begin by locking the dossier's row while it
 * is in scoring, so that on PostgreSQL too a sheet lands either before
 * the close counts the sheets or not at all, and two sheets of one member
 * follow one another: the second sees the first and is refused (the
 * primary key would refuse it anyway).
 */
#include "council.h"
#include "store.h"
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of dossier_scores one INSERT writes: bounds its parameters. */
#define SCORES_PER_INSERT 64
#define SCORES_COLUMNS    3 /* criterion, choice, points; the dossier and member are ?1, ?2 */

/* ---------- reading ---------- */

static json_t *dossier_row(db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:{s:I, s:s, s:s}, s:{s:I, s:s}}", "id",
                     (json_int_t)db_column_int64(st, 0), "state", db_column_text(st, 1), "sheet",
                     db_column_text(st, 2), "product", "id", (json_int_t)db_column_int64(st, 3),
                     "name", db_column_text(st, 4), "group", db_column_text(st, 5), "producer",
                     "id", (json_int_t)db_column_int64(st, 6), "name", db_column_text(st, 7));
}

json_t *store_scoring_dossier(store *s, long id)
{
    db_stmt *st = db_prepare(store_db(s),
                             "SELECT d.id, d.state, d.sheet, p.id, p.name, p.grp, pr.id, pr.name "
                             "FROM dossiers d JOIN products p ON p.id = d.product_id JOIN "
                             "producers pr ON pr.id = p.producer_id WHERE d.id = ?1");
    json_t *dossier = NULL;
    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW)
            dossier = dossier_row(st);
    }
    db_finalize(st);
    return dossier;
}

long store_scores_count(store *s, long dossier_id)
{
    db_stmt *st = db_prepare(store_db(s), "SELECT count(*) FROM dossier_sheets WHERE dossier_id = "
                                          "?1");
    long n = -1;
    if (st) {
        db_bind_int64(st, 1, dossier_id);
        if (db_step(st) == DB_ROW)
            n = (long)db_column_int64(st, 0);
    }
    db_finalize(st);
    return n;
}

static json_t *sheet_row(db_stmt *st)
{
    return json_pack("{s:{s:I, s:s}, s:s, s:I, s:I, s:I, s:I, s:o}", "member", "id",
                     (json_int_t)db_column_int64(st, 0), "name", db_column_text(st, 1),
                     "submitted_at", db_column_text(st, 2), "a", (json_int_t)db_column_int64(st, 3),
                     "b", (json_int_t)db_column_int64(st, 4), "c",
                     (json_int_t)db_column_int64(st, 5), "total",
                     (json_int_t)db_column_int64(st, 6), "scores", json_object());
}

/* The sheets' rows, oldest first, each with an empty "scores". */
static json_t *sheet_rows(store *s, long dossier_id, long member_id)
{
    db_stmt *st = db_prepare(
        store_db(s),
        "SELECT s.member_id, u.name, s.submitted_at, s.score_a, s.score_b, "
        "s.score_c, s.total FROM dossier_sheets s JOIN users u ON u.id = "
        "s.member_id WHERE s.dossier_id = ?1 AND (CAST(?2 AS BIGINT) = 0 OR s.member_id = ?2) "
        "ORDER BY s.submitted_at, s.member_id");
    json_t *sheets = json_array();
    int rc = DB_FAILED;
    if (st && sheets) {
        db_bind_int64(st, 1, dossier_id);
        db_bind_int64(st, 2, member_id);
        while ((rc = db_step(st)) == DB_ROW)
            json_array_append_new(sheets, sheet_row(st));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(sheets);
        return NULL;
    }
    return sheets;
}

/* The sheet of `member_id` in `sheets`, or NULL. */
static json_t *sheet_of(json_t *sheets, long member_id)
{
    size_t i;
    json_t *sheet;
    json_array_foreach(sheets, i, sheet)
    {
        json_t *member = json_object_get(sheet, "member");
        if (json_integer_value(json_object_get(member, "id")) == member_id)
            return sheet;
    }
    return NULL;
}

/* Each criterion's points into its member's sheet. */
static int fill_points(store *s, long dossier_id, long member_id, json_t *sheets)
{
    db_stmt *st = db_prepare(
        store_db(s),
        "SELECT member_id, criterion, points FROM dossier_scores WHERE "
        "dossier_id = ?1 AND (CAST(?2 AS BIGINT) = 0 OR member_id = ?2) ORDER BY member_id, "
        "criterion");
    int rc = DB_FAILED;
    if (st) {
        db_bind_int64(st, 1, dossier_id);
        db_bind_int64(st, 2, member_id);
        while ((rc = db_step(st)) == DB_ROW) {
            json_t *sheet = sheet_of(sheets, (long)db_column_int64(st, 0));
            if (sheet)
                json_object_set_new(json_object_get(sheet, "scores"), db_column_text(st, 1),
                                    json_integer(db_column_int64(st, 2)));
        }
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

json_t *store_scores_list(store *s, long dossier_id, long member_id)
{
    json_t *sheets = sheet_rows(s, dossier_id, member_id);
    if (sheets && json_array_size(sheets) && fill_points(s, dossier_id, member_id, sheets) != 0) {
        json_decref(sheets);
        return NULL;
    }
    return sheets;
}

/* ---------- a member's sheet ---------- */

/* Locks the dossier's row for the transaction, if it is in scoring: a
 * write that leaves it as it was. Else refuses: 404, or 409 naming the
 * state it is in. */
static void lock_scoring(store *s, long dossier_id, const char *doing, store_problem *p)
{
    db_stmt *st = db_prepare(store_db(s), "UPDATE dossiers SET updated_at = updated_at WHERE id = "
                                          "?1 AND state = 'scoring'");
    if (st)
        db_bind_int64(st, 1, dossier_id);
    if (!st || store_step_done(st) != 0) {
        store_problem_first(p, 500, "store", "", "cannot read dossier %ld", dossier_id);
        return;
    }
    if (db_changes(store_db(s)) == 1)
        return;
    json_t *dossier = store_scoring_dossier(s, dossier_id);
    if (!dossier)
        store_problem_first(p, 404, "not_found", "id", "no dossier %ld", dossier_id);
    else
        store_problem_first(p, 409, "conflict", "state",
                            "dossier %ld is '%s': %s needs it in 'scoring'", dossier_id,
                            json_string_value(json_object_get(dossier, "state")), doing);
    json_decref(dossier);
}

/* Refuses a member's second sheet, saying when the first came. */
static void refuse_repeat(store *s, const store_member_sheet *sheet, store_problem *p)
{
    db_stmt *st = db_prepare(store_db(s),
                             "SELECT u.name, s.submitted_at FROM dossier_sheets s JOIN users u ON "
                             "u.id = s.member_id WHERE s.dossier_id = ?1 AND s.member_id = ?2");
    int rc = DB_FAILED;
    if (st) {
        db_bind_int64(st, 1, sheet->dossier_id);
        db_bind_int64(st, 2, sheet->member_id);
        rc = db_step(st);
    }
    if (rc == DB_ROW)
        store_problem_first(
            p, 409, "conflict", "scores",
            "member '%s' submitted a sheet for dossier %ld on %s: a member scores once",
            db_column_text(st, 0), sheet->dossier_id, db_column_text(st, 1));
    else if (rc != DB_DONE)
        store_problem_first(p, 500, "store", "", "cannot read the dossier's sheets");
    db_finalize(st);
}

static void insert_sheet(store *s, const store_member_sheet *sheet, store_problem *p)
{
    db_stmt *st = db_prepare(store_db(s),
                             "INSERT INTO dossier_sheets (dossier_id, member_id, score_a, score_b, "
                             "score_c, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (st) {
        db_bind_int64(st, 1, sheet->dossier_id);
        db_bind_int64(st, 2, sheet->member_id);
        for (int i = 0; i < 3; i++)
            db_bind_int64(st, 3 + i, sheet->parts[i]);
        db_bind_int64(st, 6, sheet->parts[0] + sheet->parts[1] + sheet->parts[2]);
    }
    int rc = st ? store_step_done(st) : DB_FAILED;
    if (rc == DB_UNIQUE) /* the lock makes this a last resort */
        store_problem_first(p, 409, "conflict", "scores",
                            "this member has submitted a sheet for dossier %ld", sheet->dossier_id);
    else if (rc)
        store_problem_first(p, 500, "store", "", "cannot record the sheet");
}

/* "INSERT ... VALUES (?1, ?2, ?3, ?4, ?5), (?1, ?2, ?6, ?7, ?8)..." for
 * `rows` rows; 0, or -1 when it does not fit. */
static int scores_insert_sql(size_t rows, char *sql, size_t size)
{
    int n = snprintf(sql, size,
                     "INSERT INTO dossier_scores (dossier_id, member_id, criterion, "
                     "choice, points) VALUES ");
    for (size_t r = 0; n > 0 && (size_t)n < size && r < rows; r++) {
        int at = 3 + (int)r * SCORES_COLUMNS;
        n += snprintf(sql + n, size - (size_t)n, "%s(?1, ?2, ?%d, ?%d, ?%d)", r ? ", " : "", at,
                      at + 1, at + 2);
    }
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Rows [first, first + rows) of the sheet's scores in one statement. */
static int insert_scores_chunk(store *s, const store_member_sheet *sheet, size_t first, size_t rows)
{
    char sql[128 + SCORES_PER_INSERT * 40];
    if (scores_insert_sql(rows, sql, sizeof(sql)) != 0)
        return DB_FAILED;
    db_stmt *st = db_prepare(store_db(s), sql);
    if (!st)
        return DB_FAILED;
    db_bind_int64(st, 1, sheet->dossier_id);
    db_bind_int64(st, 2, sheet->member_id);
    for (size_t r = 0; r < rows; r++) {
        const store_score *score = &sheet->scores[first + r];
        int at = 3 + (int)r * SCORES_COLUMNS;
        db_bind_text(st, at, score->criterion);
        db_bind_int64(st, at + 1, score->choice);
        db_bind_int64(st, at + 2, score->points);
    }
    return store_step_done(st);
}

static void insert_scores(store *s, const store_member_sheet *sheet, store_problem *p)
{
    for (size_t first = 0; !p->status && first < sheet->count; first += SCORES_PER_INSERT) {
        size_t rows = sheet->count - first;
        int rc = insert_scores_chunk(s, sheet, first,
                                     rows < SCORES_PER_INSERT ? rows : SCORES_PER_INSERT);
        if (rc == DB_UNIQUE)
            store_problem_first(p, 422, "invalid", "scores", "a criterion is scored twice");
        else if (rc)
            store_problem_first(p, 500, "store", "", "cannot record the sheet's scores");
    }
}

int store_scores_submit(store *s, const store_member_sheet *sheet, store_problem *p)
{
    char error[STORE_ERROR_MAX], subject[48];
    memset(p, 0, sizeof(*p));
    if (store_transaction(s, error) != 0) {
        store_problem_first(p, 500, "store", "", "%s", error);
        return -1;
    }
    lock_scoring(s, sheet->dossier_id, "scoring", p);
    if (!p->status)
        refuse_repeat(s, sheet, p);
    if (!p->status)
        insert_sheet(s, sheet, p);
    if (!p->status)
        insert_scores(s, sheet, p);
    snprintf(subject, sizeof(subject), "dossier %ld", sheet->dossier_id);
    if (!p->status && store_audit(s, sheet->member_id, "dossier.score", subject) != 0)
        store_problem_first(p, 500, "store", "", "cannot write the audit log");
    if (!p->status && store_exec(s, "COMMIT", error) != 0)
        store_problem_first(p, 500, "store", "", "cannot commit the sheet");
    if (p->status)
        store_exec(s, "ROLLBACK", error);
    return p->status ? -1 : 0;
}

/* ---------- the close ---------- */

/* The members' parts A, B, C, malloc'd into *parts: how many, or -1. */
static long read_parts(store *s, long dossier_id, int (**parts)[COUNCIL_PARTS])
{
    long n = store_scores_count(s, dossier_id);
    db_stmt *st = n >= 0 ? db_prepare(store_db(s),
                                      "SELECT score_a, score_b, score_c FROM dossier_sheets WHERE "
                                      "dossier_id = ?1 ORDER BY member_id")
                         : NULL;
    *parts = st ? calloc(n ? (size_t)n : 1, sizeof(**parts)) : NULL;
    long got = 0;
    int rc = DB_FAILED;
    if (*parts) {
        db_bind_int64(st, 1, dossier_id);
        while ((rc = db_step(st)) == DB_ROW && got < n) {
            for (int i = 0; i < COUNCIL_PARTS; i++)
                (*parts)[got][i] = (int)db_column_int64(st, i);
            got++;
        }
    }
    db_finalize(st);
    return rc == DB_DONE && got == n ? n : -1;
}

static void write_score(store *s, long dossier_id, long members, const council_score *score,
                        store_problem *p)
{
    db_stmt *st =
        db_prepare(store_db(s), "UPDATE dossiers SET members = ?2, score_a = ?3, score_b = ?4, "
                                "score_c = ?5, score_mean = ?6, stars = ?7 WHERE id = ?1");
    if (st) {
        db_bind_int64(st, 1, dossier_id);
        db_bind_int64(st, 2, members);
        for (int i = 0; i < COUNCIL_PARTS; i++)
            db_bind_int64(st, 3 + i, score->parts[i]);
        db_bind_text(st, 6, score->mean);
        db_bind_int64(st, 7, score->stars);
    }
    if (!st || store_step_done(st) != 0)
        store_problem_first(p, 500, "store", "", "cannot record the dossier's score");
}

/* Each criterion's points from every member's sheet, added up. */
static void sum_points(store *s, long dossier_id, council_criterion *minimums, size_t count,
                       store_problem *p)
{
    db_stmt *st = db_prepare(store_db(s), "SELECT criterion, CAST(sum(points) AS BIGINT) FROM "
                                          "dossier_scores "
                                          "WHERE dossier_id = ?1 GROUP BY criterion");
    int rc = DB_FAILED;
    for (size_t i = 0; i < count; i++)
        minimums[i].points = 0;
    if (st) {
        db_bind_int64(st, 1, dossier_id);
        while ((rc = db_step(st)) == DB_ROW)
            for (size_t i = 0; i < count; i++)
                if (strcmp(minimums[i].id, db_column_text(st, 0)) == 0)
                    minimums[i].points = db_column_int64(st, 1);
    }
    db_finalize(st);
    if (rc != DB_DONE)
        store_problem_first(p, 500, "store", "", "cannot read the dossier's scores");
}

/* "A1", "A1, C1", "A1, A2, A3, A4 and 2 more": the criteria short of a minimum. */
static void short_list(const council_score *score, char *out, size_t size)
{
    size_t used = 0,
           named = score->short_count < COUNCIL_SHORT_MAX ? score->short_count : COUNCIL_SHORT_MAX;
    out[0] = '\0';
    for (size_t i = 0; i < named && used < size; i++)
        used +=
            (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", score->short_of[i]);
    if (score->short_count > named && used < size)
        snprintf(out + used, size - used, " and %zu more", score->short_count - named);
}

/* Why fewer stars than the points give: "3 because A1 does not reach its
 * 4-star minimum"; empty when as many. */
static void capped_reason(const council_score *score, char *out, size_t size)
{
    out[0] = '\0';
    if (score->stars == score->band_stars)
        return;
    char names[COUNCIL_SHORT_MAX * (COUNCIL_ID_MAX + 2) + 32];
    short_list(score, names, sizeof(names));
    snprintf(out, size, "%d because %s %s %d-star minimum", score->stars, names,
             score->short_count == 1 ? "does not reach its" : "do not reach their",
             score->stars + 1);
}

/* What the close says: the points, the stars, and why fewer stars than
 * the points give. */
static void close_note(long members, const council_score *score, const char *reason, char *out,
                       size_t size)
{
    if (*reason)
        snprintf(out, size, "%ld members' sheets: %d points (mean %s), %d stars by the points, %s",
                 members, score->total, score->mean, score->band_stars, reason);
    else
        snprintf(out, size, "%ld members' sheets: %d points (mean %s), %d stars", members,
                 score->total, score->mean, score->stars);
}

static json_t *minimums_answer(const council_score *score, const char *reason)
{
    if (!*reason)
        return json_null();
    json_t *ids = json_array();
    for (size_t i = 0; i < score->short_count && i < COUNCIL_SHORT_MAX; i++)
        json_array_append_new(ids, json_string(score->short_of[i]));
    return json_pack("{s:i, s:I, s:o, s:s}", "missed_for", score->stars + 1, "count",
                     (json_int_t)score->short_count, "criteria", ids, "reason", reason);
}

static json_t *score_answer(long members, const council_score *score, const char *reason)
{
    return json_pack("{s:I, s:i, s:i, s:i, s:i, s:s, s:i, s:i, s:o}", "members",
                     (json_int_t)members, "a", score->parts[0], "b", score->parts[1], "c",
                     score->parts[2], "total", score->total, "mean", score->mean, "stars",
                     score->stars, "stars_by_points", score->band_stars, "minimums",
                     minimums_answer(score, reason));
}

/* Averages the sheets once there are enough, into `score`; the count. */
static long average(store *s, long dossier_id, long quorum, council_score *score, store_problem *p)
{
    int(*parts)[COUNCIL_PARTS] = NULL;
    long members = read_parts(s, dossier_id, &parts);
    if (members < 0)
        store_problem_first(p, 500, "store", "", "cannot read the dossier's sheets");
    else if (members < quorum)
        store_problem_first(
            p, 409, "conflict", "quorum",
            "%ld of the council's members have scored dossier %ld: closing needs %ld (the "
            "quorum)",
            members, dossier_id, quorum);
    else if (council_score_of((const int(*)[COUNCIL_PARTS])parts, (size_t)members, score) != 0)
        store_problem_first(p, 500, "store", "", "the dossier's sheets give no score");
    free(parts);
    return members;
}

json_t *store_scoring_close(store *s, long dossier_id, long user_id, long quorum,
                            council_criterion *minimums, size_t count, store_problem *p)
{
    char error[STORE_ERROR_MAX], note[320], reason[200];
    council_score score;
    long members = 0;
    memset(&score, 0, sizeof(score));
    memset(p, 0, sizeof(*p));
    if (store_transaction(s, error) != 0) {
        store_problem_first(p, 500, "store", "", "%s", error);
        return NULL;
    }
    lock_scoring(s, dossier_id, "closing its scoring", p);
    if (!p->status)
        members = average(s, dossier_id, quorum, &score, p);
    if (!p->status && count)
        sum_points(s, dossier_id, minimums, count, p);
    if (!p->status && council_minimums(&score, minimums, count, (size_t)members) != 0)
        store_problem_first(p, 500, "store", "", "the dossier's sheets give no stars");
    if (!p->status)
        write_score(s, dossier_id, members, &score, p);
    capped_reason(&score, reason, sizeof(reason));
    if (!p->status)
        close_note(members, &score, reason, note, sizeof(note));
    if (!p->status &&
        store_dossier_transition_in(s, dossier_id, "scoring", "scored", user_id, note, p) < 0)
        store_problem_first(p, 500, "store", "", "cannot move the dossier to 'scored'");
    if (!p->status && store_exec(s, "COMMIT", error) != 0)
        store_problem_first(p, 500, "store", "", "cannot commit the close");
    if (p->status) {
        store_exec(s, "ROLLBACK", error);
        return NULL;
    }
    return score_answer(members, &score, reason);
}
