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
#include "council.h"
#include "criteria.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* ---------- the sheet ---------- */

static json_t *options_json(const criteria_item *item)
{
    json_t *options = json_array();
    for (size_t i = 0; i < item->option_count; i++) {
        const criteria_option *option = &item->options[i];
        json_array_append_new(
            options,
            json_pack("{s:s, s:i, s:o}", "text", option->text, "points", option->points,
                      "minimum_for",
                      option->minimum_for ? json_integer(option->minimum_for) : json_null()));
    }
    return options;
}

/* {"3": points, "4": points, "5": points}: what the criterion needs for
 * each number of stars, markers carried upwards; null when it has none. */
static json_t *minimums_json(const criteria_item *item)
{
    json_t *needs = json_object();
    for (int stars = CRITERIA_MINIMUM_LOWEST; stars <= CRITERIA_MINIMUM_HIGHEST; stars++) {
        int points = criteria_requirement(item, stars);
        char key[12]; /* room for any int, as the compiler checks */
        snprintf(key, sizeof(key), "%d", stars);
        if (points >= 0)
            json_object_set_new(needs, key, json_integer(points));
    }
    if (json_object_size(needs))
        return needs;
    json_decref(needs);
    return json_null();
}

static json_t *part_json(const criteria_part *part)
{
    json_t *sections = json_array(), *criteria = json_array();
    for (size_t i = 0; i < part->section_count; i++)
        json_array_append_new(sections, json_string(part->sections[i]));
    for (size_t i = 0; i < part->item_count; i++) {
        const criteria_item *item = &part->items[i];
        json_array_append_new(criteria,
                              json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o}", "id", item->id,
                                        "section", item->section, "text", item->text, "basis",
                                        item->basis, "max", item->max, "options",
                                        options_json(item), "minimums", minimums_json(item)));
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
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?, s:s?, s:o}", "id", sheet->id, "group",
                     sheet->group, "title", sheet->title, "legal_basis", sheet->legal_basis,
                     "complete", sheet->complete, "missing", sheet->missing, "notes", sheet->notes,
                     "parts", parts);
}

/* Sheets as JSON by their file: reading and checking a sheet costs more
 * than the rest of a request, and every member's page and sheet needs it.
 * A file changed since (its time, size or inode) is read again. Bounded;
 * the oldest is replaced. A kept sheet is shared and never changed. */
#define SHEETS_KEPT    16
#define SHEET_PATH_MAX (4096 + 80) /* the folder's, then "/ID.criteria" */
typedef struct {
    char path[SHEET_PATH_MAX];
    struct stat file;
    json_t *sheet;
} kept_sheet;

static struct {
    pthread_mutex_t lock;
    kept_sheet item[SHEETS_KEPT];
    size_t next;
} sheets_kept = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static json_t *kept_get(const char *path, const struct stat *file)
{
    json_t *sheet = NULL;
    pthread_mutex_lock(&sheets_kept.lock);
    for (size_t i = 0; i < SHEETS_KEPT && !sheet; i++) {
        const kept_sheet *k = &sheets_kept.item[i];
        if (k->sheet && strcmp(k->path, path) == 0 && same_file(&k->file, file))
            sheet = json_incref(k->sheet);
    }
    pthread_mutex_unlock(&sheets_kept.lock);
    return sheet;
}

static void kept_put(const char *path, const struct stat *file, json_t *sheet)
{
    pthread_mutex_lock(&sheets_kept.lock);
    kept_sheet *k = &sheets_kept.item[sheets_kept.next];
    sheets_kept.next = (sheets_kept.next + 1) % SHEETS_KEPT;
    json_decref(k->sheet);
    snprintf(k->path, sizeof(k->path), "%s", path);
    k->file = *file;
    k->sheet = json_incref(sheet);
    pthread_mutex_unlock(&sheets_kept.lock);
}

/* The dossier's criteria sheet as the API shows it, or NULL with a 422
 * (or 500). */
static json_t *open_sheet(http_request *req, http_reply *reply, const json_t *dossier)
{
    char dir[4096], path[SHEET_PATH_MAX];
    const char *id = json_string_value(json_object_get(dossier, "sheet"));
    struct stat file;
    if (criteria_dir(req->config->criteria, dir, sizeof(dir)) != 0) {
        http_error(reply, 500, "criteria", "sheet", "no folder of criteria sheets is installed");
        return NULL;
    }
    /* criteria_open() checks the id; until then it only names a file to look up */
    snprintf(path, sizeof(path), "%s/%.64s.criteria", dir, id);
    int known = !strchr(id, '/') && stat(path, &file) == 0;
    json_t *sheet = known ? kept_get(path, &file) : NULL;
    if (sheet)
        return sheet;
    criteria_sheet loaded;
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (criteria_open(dir, id, &loaded, &problems) != OCL_OK) {
        http_error(reply, 422, "invalid", "sheet", "%s",
                   problems.count ? problems.item[0].rule : "cannot be read");
        return NULL;
    }
    sheet = sheet_json(&loaded);
    criteria_free(&loaded);
    if (!sheet)
        http_error(reply, 500, "internal", "", "out of memory");
    else if (known)
        kept_put(path, &file, sheet);
    return sheet;
}

/* ---------- the scoring page's data ---------- */

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
    json_t *dossier = scoring_dossier(req, reply, id, "its sheet is shown");
    json_t *sheet = dossier ? open_sheet(req, reply, dossier) : NULL;
    if (!sheet) {
        json_decref(dossier);
        return;
    }
    json_object_del(dossier, "sheet");
    reply->status = 200;
    reply->json = json_pack("{s:o, s:o, s:o, s:I, s:I, s:b}", "sheet", sheet, "dossier", dossier,
                            "mine", own_sheet(req, id), "members_submitted",
                            (json_int_t)store_scores_count(req->store, id), "quorum",
                            (json_int_t)req->config->quorum, "chair",
                            req->user.role == ROLE_COUNCIL && req->user.chair);
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
    [BAD_SHEET_INCOMPLETE] = {422, "invalid",
                              "cannot be scored: the sheet is incomplete, it lacks"},
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

/* Criterion `id` of the sheet and the index of its part, or NULL. */
static const json_t *find_criterion(const json_t *sheet, const char *id, int *part)
{
    const json_t *parts = json_object_get(sheet, "parts");
    for (size_t p = 0; p < json_array_size(parts); p++) {
        const json_t *criteria = json_object_get(json_array_get(parts, p), "criteria");
        for (size_t i = 0; i < json_array_size(criteria); i++)
            if (strcmp(jr_text(json_array_get(criteria, i), "id"), id) == 0) {
                *part = (int)p;
                return json_array_get(criteria, i);
            }
    }
    return NULL;
}

static json_int_t option_points(const json_t *options, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(options, i), "points"));
}

/* "0, 1, 3, 5": the criterion's options' points. */
static void options_text(const json_t *options, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(options) && used < size; i++) {
        int n = snprintf(out + used, size - used, "%s%lld", i ? ", " : "",
                         (long long)option_points(options, i));
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
static void read_points(const json_t *criterion, int part, const json_t *v, points_read *in)
{
    char field[80], options_list[160];
    const json_t *options = json_object_get(criterion, "options");
    snprintf(field, sizeof(field), "scores.%s", jr_text(criterion, "id"));
    if (!v) {
        bad(in, BAD_CRITERION_MISSING, field, NULL);
        return;
    }
    if (!json_is_integer(v)) {
        bad(in, BAD_POINTS_TYPE, field, type_name(v));
        return;
    }
    for (size_t i = 0; i < json_array_size(options); i++)
        if (option_points(options, i) == json_integer_value(v)) {
            int points = (int)json_integer_value(v);
            in->scores[in->count++] = (store_score){jr_text(criterion, "id"), (int)i, points};
            in->parts[part] += points;
            return;
        }
    options_text(options, options_list, sizeof(options_list));
    bad(in, BAD_OPTION, field, options_list);
}

/* Checks the body against the sheet: every criterion once with one of its
 * options' points, nothing else. */
static void read_sheet_points(const json_t *body, const json_t *sheet, points_read *in)
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
        if (find_criterion(sheet, key, &part))
            continue;
        snprintf(field, sizeof(field), "scores.%.60s", key);
        snprintf(detail, sizeof(detail), "'%s'", jr_text(sheet, "id"));
        bad(in, BAD_CRITERION, field, detail);
    }
    const json_t *parts = json_object_get(sheet, "parts");
    size_t total = 0;
    for (size_t p = 0; p < json_array_size(parts); p++)
        total += json_array_size(json_object_get(json_array_get(parts, p), "criteria"));
    in->scores = calloc(total ? total : 1, sizeof(*in->scores));
    for (size_t p = 0; in->scores && p < json_array_size(parts) && p < CRITERIA_PARTS; p++) {
        const json_t *criteria = json_object_get(json_array_get(parts, p), "criteria");
        for (size_t i = 0; i < json_array_size(criteria); i++) {
            const json_t *criterion = json_array_get(criteria, i);
            read_points(criterion, (int)p, json_object_get(scores, jr_text(criterion, "id")), in);
        }
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
        http_problem(reply, &problem);
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
    json_t *sheet = open_sheet(req, reply, dossier);
    if (!sheet) {
        json_decref(dossier);
        return;
    }
    points_read in = {.bad = BAD_NONE};
    json_t *body = http_json_body(req, reply);
    if (body && !json_is_true(json_object_get(sheet, "complete")))
        bad(&in, BAD_SHEET_INCOMPLETE, "sheet", jr_text(sheet, "missing"));
    if (body)
        read_sheet_points(body, sheet, &in);
    if (body && in.bad != BAD_NONE)
        answer_bad(reply, &in);
    else if (body && !in.scores)
        http_error(reply, 500, "internal", "", "out of memory");
    else if (body)
        submit(req, reply, id, &in);
    free(in.scores);
    json_decref(body);
    json_decref(sheet);
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

/* The sheet's criteria that have minimums, their needs read from the
 * sheet's "minimums"; ids point into `sheet`. malloc'd; how many in *count. */
static council_criterion *sheet_minimums(const json_t *sheet, size_t *count)
{
    const json_t *parts = json_object_get(sheet, "parts");
    size_t total = 0;
    *count = 0;
    for (size_t p = 0; p < json_array_size(parts); p++)
        total += json_array_size(json_object_get(json_array_get(parts, p), "criteria"));
    council_criterion *minimums = calloc(total ? total : 1, sizeof(*minimums));
    for (size_t p = 0; minimums && p < json_array_size(parts); p++) {
        const json_t *criteria = json_object_get(json_array_get(parts, p), "criteria");
        for (size_t i = 0; i < json_array_size(criteria); i++) {
            const json_t *criterion = json_array_get(criteria, i);
            const json_t *needs = json_object_get(criterion, "minimums");
            if (!json_is_object(needs))
                continue;
            council_criterion *c = &minimums[(*count)++];
            c->id = jr_text(criterion, "id");
            for (int stars = 0; stars <= COUNCIL_STARS_MAX; stars++) {
                char key[12];
                snprintf(key, sizeof(key), "%d", stars);
                const json_t *need = json_object_get(needs, key);
                c->need[stars] = need ? (int)json_integer_value(need) : -1;
            }
        }
    }
    return minimums;
}

/* The criteria's minimums for the close, from the dossier's sheet (kept
 * in *sheet, which the ids point into, for the caller to release). None
 * when the dossier is not in scoring: the store refuses the close then.
 * NULL after an error answered. */
static council_criterion *close_minimums(http_request *req, http_reply *reply, long id,
                                         json_t **sheet, size_t *count)
{
    *count = 0;
    *sheet = NULL;
    json_t *dossier = store_scoring_dossier(req->store, id);
    council_criterion *minimums = NULL;
    if (!dossier || strcmp(state_of(dossier), "scoring") != 0)
        minimums = calloc(1, sizeof(*minimums));
    else if ((*sheet = open_sheet(req, reply, dossier)))
        minimums = sheet_minimums(*sheet, count);
    else {
        json_decref(dossier);
        return NULL;
    }
    json_decref(dossier);
    if (!minimums)
        http_error(reply, 500, "internal", "", "out of memory");
    return minimums;
}

void api_dossiers_close(http_request *req, http_reply *reply, long id)
{
    if (!req->user.chair) {
        http_error(reply, 403, "forbidden", "chair",
                   "only the council's chair closes a dossier's scoring");
        return;
    }
    json_t *sheet;
    size_t count;
    council_criterion *minimums = close_minimums(req, reply, id, &sheet, &count);
    if (!minimums) {
        json_decref(sheet);
        return;
    }
    store_problem problem;
    json_t *score = store_scoring_close(req->store, id, req->user.id, req->config->quorum, minimums,
                                        count, &problem);
    free(minimums);
    json_decref(sheet);
    if (!score) {
        http_problem(reply, &problem);
        return;
    }
    reply->status = 200;
    reply->json = json_pack("{s:I, s:s, s:o}", "dossier_id", (json_int_t)id, "state", "scored",
                            "score", score);
}
