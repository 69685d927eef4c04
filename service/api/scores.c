/*
 * The council's scoring as the API answers it: the dossier's criteria
 * sheet with its options (what a member's scoring page loads), a member's
 * sheet of points checked against those options, the members' sheets for
 * whoever may see them, and the chair's close that turns them into the
 * dossier's score and stars.
 *
 * A member sees the others' sheets only after submitting their own, so
 * that no sheet follows another; officers see them once the scoring is
 * closed, and only how many there are before.
 */
#include "api.h"
#include "criteria.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* States in which the scoring has begun: its sheet and scores exist. */
static const char *const scored_states[] = {"scoring", "scored", "recognised", "not_recognised"};

static const char *state_of(const json_t *dossier)
{
    return json_string_value(json_object_get(dossier, "state"));
}

static int in_scoring_or_later(const json_t *dossier)
{
    for (size_t i = 0; i < sizeof(scored_states) / sizeof(scored_states[0]); i++)
        if (strcmp(state_of(dossier), scored_states[i]) == 0)
            return 1;
    return 0;
}

/* The dossier, if its scoring has begun; NULL with a 404 or 409. */
static json_t *scoring_dossier(http_request *req, http_reply *reply, long id, const char *doing)
{
    json_t *dossier = store_scoring_dossier(req->store, id);
    if (!dossier)
        http_error(reply, 404, "not_found", "id", "no dossier %ld", id);
    else if (!in_scoring_or_later(dossier))
        http_error(reply, 409, "conflict", "state", "dossier %ld is '%s': %s from 'scoring' on", id,
                   state_of(dossier), doing);
    else
        return dossier;
    json_decref(dossier);
    return NULL;
}

/* The dossier's criteria sheet: 0, or -1 with a 422 (or 500). */
static int open_sheet(http_request *req, http_reply *reply, const json_t *dossier,
                      criteria_sheet *sheet)
{
    char dir[4096];
    const char *id = json_string_value(json_object_get(dossier, "sheet"));
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (criteria_dir(req->config->criteria, dir, sizeof(dir)) != 0) {
        http_error(reply, 500, "criteria", "sheet", "no folder of criteria sheets is installed");
        return -1;
    }
    if (criteria_open(dir, id, sheet, &problems) == OCL_OK)
        return 0;
    http_error(reply, 422, "invalid", "sheet", "%s",
               problems.count ? problems.item[0].rule : "cannot be read");
    return -1;
}

/* ---------- the sheet ---------- */

static json_t *options_json(const criteria_item *item)
{
    json_t *options = json_array();
    for (size_t i = 0; i < item->option_count; i++)
        json_array_append_new(options, json_pack("{s:s, s:i}", "text", item->options[i].text,
                                                 "points", item->options[i].points));
    return options;
}

static json_t *part_json(const criteria_part *part)
{
    json_t *sections = json_array(), *criteria = json_array();
    for (size_t i = 0; i < part->section_count; i++)
        json_array_append_new(sections, json_string(part->sections[i]));
    for (size_t i = 0; i < part->item_count; i++) {
        const criteria_item *item = &part->items[i];
        json_array_append_new(criteria,
                              json_pack("{s:s, s:s, s:s, s:s, s:i, s:o}", "id", item->id, "section",
                                        item->section, "text", item->text, "basis", item->basis,
                                        "max", item->max, "options", options_json(item)));
    }
    char letter[2] = {part->letter, '\0'};
    return json_pack("{s:s, s:s, s:i, s:o, s:o}", "part", letter, "title", part->title, "max",
                     part->max, "sections", sections, "criteria", criteria);
}

static json_t *sheet_json(const criteria_sheet *sheet)
{
    json_t *parts = json_array();
    for (int i = 0; i < CRITERIA_PARTS; i++)
        json_array_append_new(parts, part_json(&sheet->parts[i]));
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?, s:o}", "id", sheet->id, "group", sheet->group,
                     "title", sheet->title, "legal_basis", sheet->legal_basis, "complete",
                     sheet->complete, "missing", sheet->missing, "parts", parts);
}

/* The member's own sheet without its name, or null. */
static json_t *own_sheet(http_request *req, long id)
{
    if (req->user.role != ROLE_COUNCIL)
        return json_null();
    json_t *sheets = store_scores_list(req->store, id, req->user.id);
    json_t *mine = json_array_get(sheets, 0);
    json_t *answer = mine ? json_incref(mine) : json_null();
    json_decref(sheets);
    if (mine)
        json_object_del(answer, "member");
    return answer;
}

void api_dossiers_sheet(http_request *req, http_reply *reply, long id)
{
    criteria_sheet sheet;
    json_t *dossier = scoring_dossier(req, reply, id, "its sheet is shown");
    if (!dossier)
        return;
    if (open_sheet(req, reply, dossier, &sheet) != 0) {
        json_decref(dossier);
        return;
    }
    json_object_del(dossier, "sheet");
    reply->status = 200;
    reply->json = json_pack("{s:o, s:o, s:o, s:I, s:I, s:b}", "sheet", sheet_json(&sheet),
                            "dossier", dossier, "mine", own_sheet(req, id), "members_submitted",
                            (json_int_t)store_scores_count(req->store, id), "quorum",
                            (json_int_t)req->config->quorum, "chair",
                            req->user.role == ROLE_COUNCIL && req->user.chair);
    criteria_free(&sheet);
}

/* ---------- a member's sheet of points ---------- */

/* What is wrong with a sheet of points, and how the API says so. */
typedef enum {
    BAD_KEY,
    BAD_MEMBER,
    BAD_SCORES_REQUIRED,
    BAD_SCORES_TYPE,
    BAD_CRITERION,
    BAD_POINTS_TYPE,
    BAD_OPTION,
    BAD_CRITERION_MISSING,
    BAD_SHEET_INCOMPLETE,
    BAD_NONE
} bad_points;

static const struct {
    int status;
    const char *code;
    const char *rule; /* the message, or its start before the detail */
} refusals[] = {
    [BAD_KEY] = {400, "bad_field", "unknown key"},
    [BAD_MEMBER] = {400, "bad_field", "unknown key: a sheet is always the signed-in member's"},
    [BAD_SCORES_REQUIRED] = {422, "invalid", "required"},
    [BAD_SCORES_TYPE] = {400, "bad_field",
                         "must be an object of the sheet's criteria and their points, found"},
    [BAD_CRITERION] = {422, "invalid", "is not a criterion of sheet"},
    [BAD_POINTS_TYPE] = {400, "bad_field", "must be a whole number of points, found"},
    [BAD_OPTION] = {422, "invalid", "must be one of"},
    [BAD_CRITERION_MISSING] = {422, "invalid", "required: every criterion of the sheet is scored"},
    [BAD_SHEET_INCOMPLETE] = {422, "invalid", "cannot be scored: the sheet is incomplete"},
};

/* The first problem of a sheet of points, and the points read. */
typedef struct {
    bad_points bad;
    char field[80];
    char detail[240];
    store_score *scores; /* one per criterion of the sheet, in its order */
    size_t count;
    int parts[CRITERIA_PARTS];
} points_read;

static void bad(points_read *in, bad_points what, const char *field, const char *detail)
{
    if (in->bad != BAD_NONE)
        return;
    in->bad = what;
    snprintf(in->field, sizeof(in->field), "%s", field);
    snprintf(in->detail, sizeof(in->detail), "%s", detail ? detail : "");
}

static void answer_bad(http_reply *reply, const points_read *in)
{
    http_error(reply, refusals[in->bad].status, refusals[in->bad].code, in->field, "%s%s%s",
               refusals[in->bad].rule, in->detail[0] ? " " : "", in->detail);
}

static const char *type_name(const json_t *v)
{
    return json_is_string(v)    ? "a text"
           : json_is_real(v)    ? "a fraction"
           : json_is_object(v)  ? "an object"
           : json_is_array(v)   ? "a list"
           : json_is_boolean(v) ? "true or false"
                                : "null";
}

static const criteria_item *find_item(const criteria_sheet *sheet, const char *id, int *part)
{
    for (int p = 0; p < CRITERIA_PARTS; p++)
        for (size_t i = 0; i < sheet->parts[p].item_count; i++)
            if (strcmp(sheet->parts[p].items[i].id, id) == 0) {
                *part = p;
                return &sheet->parts[p].items[i];
            }
    return NULL;
}

/* "0, 1, 3, 5": the criterion's options' points. */
static void options_text(const criteria_item *item, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < item->option_count && used < size; i++) {
        int n = snprintf(out + used, size - used, "%s%d", i ? ", " : "", item->options[i].points);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* The body's keys: "scores" and nothing else. */
static const json_t *scores_object(const json_t *body, points_read *in)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "member_id") == 0)
            bad(in, BAD_MEMBER, key, NULL);
        else if (strcmp(key, "scores") != 0)
            bad(in, BAD_KEY, key, NULL);
    }
    const json_t *scores = json_object_get(body, "scores");
    if (!scores)
        bad(in, BAD_SCORES_REQUIRED, "scores", NULL);
    else if (!json_is_object(scores))
        bad(in, BAD_SCORES_TYPE, "scores", type_name(scores));
    return in->bad == BAD_NONE ? scores : NULL;
}

/* One criterion's points: the option they are, added to its part. */
static void read_points(const criteria_item *item, int part, const json_t *v, points_read *in)
{
    char field[80], options[160];
    snprintf(field, sizeof(field), "scores.%s", item->id);
    if (!v) {
        bad(in, BAD_CRITERION_MISSING, field, NULL);
        return;
    }
    if (!json_is_integer(v)) {
        bad(in, BAD_POINTS_TYPE, field, type_name(v));
        return;
    }
    json_int_t points = json_integer_value(v);
    for (size_t i = 0; i < item->option_count; i++)
        if (item->options[i].points == points) {
            in->scores[in->count++] = (store_score){item->id, (int)i, item->options[i].points};
            in->parts[part] += item->options[i].points;
            return;
        }
    options_text(item, options, sizeof(options));
    bad(in, BAD_OPTION, field, options);
}

/* Checks the body against the sheet: every criterion once with one of its
 * options' points, nothing else. */
static void read_sheet_points(const json_t *body, const criteria_sheet *sheet, points_read *in)
{
    const json_t *scores = scores_object(body, in);
    if (!scores)
        return;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)scores, key, v)
    {
        int part;
        char field[80], detail[96];
        if (find_item(sheet, key, &part))
            continue;
        snprintf(field, sizeof(field), "scores.%.60s", key);
        snprintf(detail, sizeof(detail), "'%s'", sheet->id);
        bad(in, BAD_CRITERION, field, detail);
    }
    size_t total = 0;
    for (int p = 0; p < CRITERIA_PARTS; p++)
        total += sheet->parts[p].item_count;
    in->scores = calloc(total ? total : 1, sizeof(*in->scores));
    for (int p = 0; in->scores && p < CRITERIA_PARTS; p++)
        for (size_t i = 0; i < sheet->parts[p].item_count; i++) {
            const criteria_item *item = &sheet->parts[p].items[i];
            read_points(item, p, json_object_get(scores, item->id), in);
        }
}

/* Stores the checked sheet as the signed-in member's. */
static void submit(http_request *req, http_reply *reply, long id, const points_read *in)
{
    store_member_sheet sheet = {.dossier_id = id,
                                .member_id = req->user.id,
                                .parts = {in->parts[0], in->parts[1], in->parts[2]},
                                .scores = in->scores,
                                .count = in->count};
    store_problem problem;
    if (store_scores_submit(req->store, &sheet, &problem) != 0) {
        http_error(reply, problem.status, problem.code, problem.field, "%s", problem.message);
        return;
    }
    json_t *sheets = store_scores_list(req->store, id, req->user.id);
    json_t *mine = json_array_get(sheets, 0);
    reply->status = 201;
    reply->json = mine ? json_pack("{s:I, s:O}", "dossier_id", (json_int_t)id, "sheet", mine)
                       : json_pack("{s:I}", "dossier_id", (json_int_t)id);
    json_decref(sheets);
}

void api_dossiers_scores_create(http_request *req, http_reply *reply, long id)
{
    criteria_sheet sheet;
    json_t *dossier = scoring_dossier(req, reply, id, "scores are taken");
    if (!dossier)
        return;
    if (strcmp(state_of(dossier), "scoring") != 0) {
        http_error(reply, 409, "conflict", "state",
                   "dossier %ld is '%s': scores are taken while it is 'scoring'", id,
                   state_of(dossier));
        json_decref(dossier);
        return;
    }
    if (open_sheet(req, reply, dossier, &sheet) != 0) {
        json_decref(dossier);
        return;
    }
    points_read in = {.bad = BAD_NONE};
    json_t *body = http_json_body(req, reply);
    if (body && !sheet.complete)
        bad(&in, BAD_SHEET_INCOMPLETE, "sheet", sheet.missing);
    if (body)
        read_sheet_points(body, &sheet, &in);
    if (body && in.bad != BAD_NONE)
        answer_bad(reply, &in);
    else if (body && !in.scores)
        http_error(reply, 500, "internal", "", "out of memory");
    else if (body)
        submit(req, reply, id, &in);
    free(in.scores);
    json_decref(body);
    criteria_free(&sheet);
    json_decref(dossier);
}

/* ---------- the members' sheets ---------- */

/* Whether the request may see every member's sheet: 1, 0 (only how many),
 * or -1 after a 403. */
static int sheets_visible(http_request *req, http_reply *reply, long id, const json_t *dossier)
{
    int closed = strcmp(state_of(dossier), "scoring") != 0;
    if (req->user.role != ROLE_COUNCIL || closed)
        return closed;
    json_t *mine = store_scores_list(req->store, id, req->user.id);
    int submitted = json_array_size(mine) > 0;
    json_decref(mine);
    if (submitted)
        return 1;
    http_error(reply, 403, "forbidden", "scores",
               "submit your own sheet first: the members' sheets of dossier %ld are shown to a "
               "member who has scored it",
               id);
    return -1;
}

void api_dossiers_scores_list(http_request *req, http_reply *reply, long id)
{
    json_t *dossier = scoring_dossier(req, reply, id, "its scores exist");
    int visible = dossier ? sheets_visible(req, reply, id, dossier) : -1;
    json_t *sheets = visible == 1 ? store_scores_list(req->store, id, 0) : NULL;
    if (visible == 1 && !sheets)
        http_error(reply, 500, "store", "", "cannot read the dossier's sheets");
    else if (visible >= 0) {
        reply->status = 200;
        reply->json = json_pack(
            "{s:I, s:s, s:I, s:I, s:o}", "dossier_id", (json_int_t)id, "state", state_of(dossier),
            "members_submitted", (json_int_t)store_scores_count(req->store, id), "quorum",
            (json_int_t)req->config->quorum, "sheets", sheets ? sheets : json_null());
    }
    json_decref(dossier);
}

/* ---------- the chair's close ---------- */

void api_dossiers_close(http_request *req, http_reply *reply, long id)
{
    if (!req->user.chair) {
        http_error(reply, 403, "forbidden", "chair",
                   "only the council's chair closes a dossier's scoring");
        return;
    }
    store_problem problem;
    json_t *score =
        store_scoring_close(req->store, id, req->user.id, req->config->quorum, &problem);
    if (!score) {
        http_error(reply, problem.status, problem.code, problem.field, "%s", problem.message);
        return;
    }
    reply->status = 200;
    reply->json = json_pack("{s:I, s:s, s:o}", "dossier_id", (json_int_t)id, "state", "scored",
                            "score", score);
}
