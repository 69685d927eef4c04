/*
 * OCOP dossiers (hồ sơ) over HTTP: a producer opens one for a product,
 * fills its registration form, attaches evidence files (checked by their
 * content) and submits it; the commune checks or returns it with reasons
 * by field; an officer sends it to the council for scoring and records
 * the decision, which makes the evaluation and certificate. Producers
 * reach only their own products' dossiers. Also the public summary
 * /c/{number}/dossier of the dossier behind a certificate.
 */
#include "api.h"
#include "certificate.h"
#include "criteria.h"
#include "mail.h"
#include "photo.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registration form's fields; the first ones are required to submit. */
#define FORM_FIELD(key, multiline)                                                                 \
    {                                                                                              \
        key, JR_TEXT, 0, NULL, multiline                                                           \
    }
static const jr_rule form_rules[] = {
    FORM_FIELD("representative", 0),
    FORM_FIELD("phone", 0),
    FORM_FIELD("address", 0),
    FORM_FIELD("description", JR_PROSE),
    FORM_FIELD("raw_materials", JR_PROSE),
    FORM_FIELD("production_capacity", 0),
    FORM_FIELD("markets", JR_PROSE),
    FORM_FIELD("email", 0),
    FORM_FIELD("story", JR_PROSE),
    FORM_FIELD("standards", 0),
    {NULL, 0, 0, NULL, 0},
};
static const char *const form_required[] = {
    "representative",      "phone",   "address", "description", "raw_materials",
    "production_capacity", "markets", NULL};

/* What a return's reasons may name: a form field, the files, the product. */
static const jr_rule reason_rules[] = {
    FORM_FIELD("representative", JR_PROSE),
    FORM_FIELD("phone", JR_PROSE),
    FORM_FIELD("address", JR_PROSE),
    FORM_FIELD("description", JR_PROSE),
    FORM_FIELD("raw_materials", JR_PROSE),
    FORM_FIELD("production_capacity", JR_PROSE),
    FORM_FIELD("markets", JR_PROSE),
    FORM_FIELD("email", JR_PROSE),
    FORM_FIELD("story", JR_PROSE),
    FORM_FIELD("standards", JR_PROSE),
    FORM_FIELD("files", JR_PROSE),
    FORM_FIELD("product", JR_PROSE),
    {NULL, 0, 0, NULL, 0},
};

#define NAME_MAX_BYTES 200
#define KIND_MAX_BYTES 40

/* Whether the request may reach dossier `id`: a producer only its own
 * products', as if the others did not exist. Its owner, or 0 after a 404. */
static long reachable(http_request *req, http_reply *reply, long id)
{
    long owner = store_dossier_owner(req->store, id);
    if (owner <= 0 || (req->user.role == ROLE_PRODUCER && req->user.producer_id != owner)) {
        http_error(reply, 404, "not_found", "id", "no dossier %ld", id);
        return 0;
    }
    return owner;
}

static void answer_dossier(http_request *req, http_reply *reply, long id, int status)
{
    json_t *dossier = store_dossier_get(req->store, id);
    if (!dossier) {
        http_error(reply, 500, "store", "", "dossier %ld cannot be read back", id);
        return;
    }
    reply->status = status;
    reply->json = dossier;
}

/* ---------- opening one ---------- */

typedef struct {
    json_t *form;
    const char *sheet;
    long product_id, renews;
} dossier_input;

static void keep_form_field(const char *key, const json_t *v, json_t *form, const char *path,
                            ocl_problems *problems)
{
    const char *text = json_string_value(v);
    if (strcmp(key, "email") == 0 && *text && !mail_address_valid(text))
        ocl_problem_add(problems, path, "must be one e-mail address, such as htx@example.vn");
    json_object_set_new(form, key, json_string(text));
}

static void keep_input(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    dossier_input *in = ctx;
    if (strncmp(path, "form.", 5) == 0)
        keep_form_field(path + 5, v, in->form, path, problems);
    else if (strcmp(path, "sheet") == 0)
        in->sheet = json_string_value(v);
    else if (strcmp(path, "product_id") == 0 || strcmp(path, "renews") == 0) {
        json_int_t n = json_integer_value(v);
        if (n < 1)
            ocl_problem_add(problems, path, "must be a positive id");
        *(strcmp(path, "renews") == 0 ? &in->renews : &in->product_id) = (long)n;
    }
}

static const jr_rule create_rules[] = {
    {"product_id", JR_INT, 1, NULL, 0},
    {"sheet", JR_TEXT, 0, NULL, 0},
    {"form", JR_OBJECT, 0, form_rules, 0},
    {"renews", JR_INT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};

/* Looks for the complete sheets of one product group. */
typedef struct {
    const char *group;
    char ids[4][64];
    size_t count;
} sheet_search;

static int visit_sheet(void *ctx, const criteria_sheet *sheet)
{
    sheet_search *search = ctx;
    if (sheet->complete && strcmp(sheet->group, search->group) == 0) {
        if (search->count < 4)
            snprintf(search->ids[search->count], sizeof(search->ids[0]), "%s", sheet->id);
        search->count++;
    }
    return 0;
}

/* The sheet a new dossier is scored on: the one named (of the product's
 * group), else the group's only complete one. 0 with `id`, or -1 after a
 * 422 naming "sheet". */
static int choose_sheet(http_request *req, http_reply *reply, const char *named, const char *group,
                        char id[64])
{
    char dir[PATH_MAX];
    if (criteria_dir(req->config->criteria, dir, sizeof(dir)) != 0) {
        http_error(reply, 500, "criteria", "sheet", "the criteria folder cannot be found");
        return -1;
    }
    if (named) {
        criteria_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        if (criteria_open(dir, named, &sheet, &problems) != OCL_OK) {
            http_error(reply, 422, "invalid", "sheet", "%s",
                       problems.count ? problems.item[0].rule : "cannot be read");
            return -1;
        }
        int fits = strcmp(sheet.group, group) == 0 || strcmp(sheet.group, "all") == 0;
        if (!fits)
            http_error(reply, 422, "invalid", "sheet", "sheet '%s' is for group '%s', not '%s'",
                       named, sheet.group, group);
        criteria_free(&sheet);
        snprintf(id, 64, "%s", named);
        return fits ? 0 : -1;
    }
    sheet_search search = {.group = group};
    if (criteria_each(dir, visit_sheet, &search) != 0) {
        http_error(reply, 500, "criteria", "sheet", "the criteria folder '%s' cannot be read", dir);
        return -1;
    }
    if (search.count == 1) {
        snprintf(id, 64, "%s", search.ids[0]);
        return 0;
    }
    char choices[4 * 66] = "";
    for (size_t i = 0; i < search.count && i < 4; i++)
        snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices), "%s'%s'",
                 i ? ", " : "", search.ids[i]);
    if (!search.count)
        http_error(reply, 422, "invalid", "sheet",
                   "no complete scoring sheet of group '%s' is in the criteria folder", group);
    else
        http_error(reply, 422, "invalid", "sheet",
                   "group '%s' has %zu complete sheets: name one of %s", group, search.count,
                   choices);
    return -1;
}

/* The product, if the request may open a dossier for it; NULL after a 404. */
static json_t *product_for(http_request *req, http_reply *reply, long product_id)
{
    long owner = store_product_owner(req->store, product_id);
    if (!owner || (req->user.role == ROLE_PRODUCER && req->user.producer_id != owner)) {
        http_error(reply, 404, "not_found", "product_id", "no product %ld", product_id);
        return NULL;
    }
    return store_product_get(req->store, product_id);
}

void api_dossiers_create(http_request *req, http_reply *reply, long id)
{
    (void)id;
    dossier_input in = {.form = json_object()};
    json_t *body = NULL, *product = NULL;
    char sheet[64];
    if (http_read_body(req, reply, create_rules, keep_input, &in, &body) == 0 &&
        (product = product_for(req, reply, in.product_id)) &&
        choose_sheet(req, reply, in.sheet, json_string_value(json_object_get(product, "group")),
                     sheet) == 0) {
        store_problem p;
        store_new_dossier d = {.product_id = in.product_id,
                               .user_id = req->user.id,
                               .sheet = sheet,
                               .form = json_object_get(body, "form") ? in.form : NULL,
                               .renews = in.renews};
        long made = store_dossier_create(req->store, &d, &p);
        if (made < 0)
            http_problem(reply, &p);
        else
            answer_dossier(req, reply, made, 201);
    }
    json_decref(product);
    json_decref(body);
    json_decref(in.form);
}

/* ---------- reading ---------- */

static const char *const states[] = {"draft",   "submitted", "checked",    "returned",
                                     "scoring", "scored",    "recognised", "not_recognised"};

void api_dossiers_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    static const char *const known[] = {"state", "product_id", NULL};
    const char *unknown = http_query_unknown(req, known);
    const char *state = http_query(req, "state"), *product = http_query(req, "product_id");
    int state_known = !state;
    for (size_t i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
        state_known |= strcmp(state, states[i]) == 0;
    char *end = NULL;
    long product_id = product ? strtol(product, &end, 10) : 0;
    if (unknown)
        http_error(reply, 400, "bad_field", unknown, "is not a filter of dossiers");
    else if (!state_known)
        http_error(reply, 422, "invalid", "state",
                   "must be one of draft, submitted, checked, returned, scoring, scored, "
                   "recognised, not_recognised");
    else if (product && (!*product || *end || product_id < 1))
        http_error(reply, 422, "invalid", "product_id", "must be a positive id");
    else {
        long producer = req->user.role == ROLE_PRODUCER ? req->user.producer_id : 0;
        json_t *list = store_dossier_list(req->store, producer, state, product_id);
        if (!list) {
            http_error(reply, 500, "store", "", "cannot list the dossiers");
            return;
        }
        reply->status = 200;
        reply->json = json_pack("{s:o}", "dossiers", list);
    }
}

void api_dossiers_get(http_request *req, http_reply *reply, long id)
{
    if (reachable(req, reply, id))
        answer_dossier(req, reply, id, 200);
}

void api_dossiers_update(http_request *req, http_reply *reply, long id)
{
    static const jr_rule rules[] = {{"form", JR_OBJECT, 1, form_rules, 0}, {NULL, 0, 0, NULL, 0}};
    if (!reachable(req, reply, id))
        return;
    json_t *form = json_object(), *body = NULL;
    if (http_read_body(req, reply, rules, keep_input, &(dossier_input){.form = form}, &body) == 0) {
        store_problem p;
        if (store_dossier_form_update(req->store, id, form, req->user.id, &p) != 0)
            http_problem(reply, &p);
        else
            answer_dossier(req, reply, id, 200);
    }
    json_decref(body);
    json_decref(form);
}

/* ---------- evidence files ---------- */

int dossier_file_is_upload(const char *method, const char *path)
{
    static const char prefix[] = "/api/v1/dossiers/", suffix[] = "/files";
    size_t len = strlen(path);
    return strcmp(method, "POST") == 0 && strncmp(path, prefix, sizeof(prefix) - 1) == 0 &&
           len > sizeof(prefix) - 1 + sizeof(suffix) - 1 &&
           strcmp(path + len - (sizeof(suffix) - 1), suffix) == 0;
}

/* What the bytes are, by their content alone: the content type, or NULL
 * with the reason in `why`. */
static const char *content_type_of(const unsigned char *data, size_t len, char why[200])
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0) {
        size_t tail = len < 1024 ? len : 1024;
        if (memmem(data + len - tail, tail, "%%EOF", 5))
            return "application/pdf";
        snprintf(why, 200, "the PDF has no '%%%%EOF' in its last 1024 bytes: it is cut short");
        return NULL;
    }
    int jpeg = len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
    if (!jpeg && !(len >= sizeof(png) && memcmp(data, png, sizeof(png)) == 0)) {
        snprintf(why, 200, "must be a PDF, JPEG or PNG file: its content is none of them");
        return NULL;
    }
    photo decoded;
    char message[PHOTO_MESSAGE_MAX];
    photo_status rc = photo_prepare(data, len, jpeg ? PHOTO_JPEG : PHOTO_PNG, &decoded, message);
    photo_free(&decoded);
    if (rc == PHOTO_OK)
        return jpeg ? "image/jpeg" : "image/png";
    snprintf(why, 200, "%s", message);
    return NULL;
}

/* ?name= (shown to people) and ?kind=: 0, or -1 after a 422. */
static int upload_names(http_request *req, http_reply *reply, const char **name, const char **kind)
{
    static const char *const known[] = {"name", "kind", NULL};
    const char *unknown = http_query_unknown(req, known);
    *name = http_query(req, "name");
    *kind = http_query(req, "kind");
    if (!*kind)
        *kind = "other";
    size_t name_len = *name ? strlen(*name) : 0, kind_len = strlen(*kind);
    int name_ok = name_len >= 1 && name_len <= NAME_MAX_BYTES && !strpbrk(*name, "/\\");
    for (size_t i = 0; name_ok && i < name_len; i++)
        name_ok = (unsigned char)(*name)[i] >= 0x20 && (*name)[i] != 0x7f;
    if (unknown)
        http_error(reply, 400, "bad_field", unknown, "is not a parameter of an upload");
    else if (!name_ok)
        http_error(reply, 422, "invalid", "name",
                   "must be the file's name, 1 to %d bytes without '/', '\\' or control "
                   "characters (?name=giay-phep.pdf)",
                   NAME_MAX_BYTES);
    else if (kind_len < 1 || kind_len > KIND_MAX_BYTES ||
             strspn(*kind, "abcdefghijklmnopqrstuvwxyz0123456789_-") != kind_len)
        http_error(reply, 422, "invalid", "kind", "must be 1 to %d of a-z, 0-9, '_' and '-'",
                   KIND_MAX_BYTES);
    else
        return 0;
    return -1;
}

void api_dossier_files_create(http_request *req, http_reply *reply, long id)
{
    const char *name, *kind, *type;
    char why[200], dir[PATH_MAX];
    if (!reachable(req, reply, id) || upload_names(req, reply, &name, &kind) != 0)
        return;
    const unsigned char *data = (const unsigned char *)req->body;
    if (!req->body_len)
        http_error(reply, 422, "invalid", "file", "the body is empty: send the file's bytes");
    else if (req->body_len > DOSSIER_FILE_BYTES_MAX)
        http_error(reply, 413, "too_large", "file", "a file is at most 10 MB (%u bytes)",
                   DOSSIER_FILE_BYTES_MAX);
    else if (!(type = content_type_of(data, req->body_len, why)))
        http_error(reply, 422, "invalid", "file", "%s", why);
    else if (store_files_dir(req->config->db, req->config->files, dir, sizeof(dir)) != 0)
        http_error(reply, 500, "config", "store.files", "the files folder's path is too long");
    else {
        store_problem p;
        store_dossier_upload u = {dir, id, req->user.id, name, kind, type, data, req->body_len};
        json_t *file = store_dossier_file_add(req->store, &u, &p);
        if (!file) {
            http_problem(reply, &p);
            return;
        }
        json_object_del(file, "dossier_id");
        reply->status = 201;
        reply->json = file;
    }
}

/* The file's row, if the request may reach its dossier; NULL after a 404. */
static json_t *reachable_file(http_request *req, http_reply *reply, long id)
{
    json_t *file = store_dossier_file_get(req->store, id);
    long dossier = (long)json_integer_value(json_object_get(file, "dossier_id"));
    long owner = file ? store_dossier_owner(req->store, dossier) : 0;
    if (owner <= 0 || (req->user.role == ROLE_PRODUCER && req->user.producer_id != owner)) {
        http_error(reply, 404, "not_found", "id", "no dossier file %ld", id);
        json_decref(file);
        return NULL;
    }
    return file;
}

/* The stored bytes of `sha256`, malloc'd: 0, or -1. */
static int read_stored(http_request *req, const char *sha256, unsigned char **data, size_t *len)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if (store_files_dir(req->config->db, req->config->files, dir, sizeof(dir)) != 0 ||
        store_file_path(dir, sha256, path, sizeof(path)) != 0)
        return -1;
    FILE *f = fopen(path, "rb");
    *data = f ? malloc(DOSSIER_FILE_BYTES_MAX + 1) : NULL;
    *len = *data ? fread(*data, 1, DOSSIER_FILE_BYTES_MAX + 1, f) : 0;
    int ok = *data && !ferror(f) && *len <= DOSSIER_FILE_BYTES_MAX;
    if (f)
        fclose(f);
    if (!ok) {
        free(*data);
        *data = NULL;
    }
    return ok ? 0 : -1;
}

void api_dossier_files_get(http_request *req, http_reply *reply, long id)
{
    json_t *file = reachable_file(req, reply, id);
    if (!file)
        return;
    const char *type = json_string_value(json_object_get(file, "content_type"));
    static const char *const types[][2] = {
        {"application/pdf", "pdf"}, {"image/jpeg", "jpg"}, {"image/png", "png"}};
    size_t t = 0;
    while (t < 2 && strcmp(type, types[t][0]) != 0)
        t++;
    unsigned char *data;
    size_t len;
    if (read_stored(req, json_string_value(json_object_get(file, "sha256")), &data, &len) != 0)
        http_error(reply, 500, "store", "", "the stored bytes of dossier file %ld cannot be read",
                   id);
    else {
        reply->status = 200;
        reply->data = data;
        reply->data_len = len;
        reply->content_type = types[t][0];
        snprintf(reply->disposition, sizeof(reply->disposition),
                 "attachment; filename=\"dossier-file-%ld.%s\"", id, types[t][1]);
    }
    json_decref(file);
}

void api_dossier_files_delete(http_request *req, http_reply *reply, long id)
{
    json_t *file = reachable_file(req, reply, id);
    if (!file)
        return;
    store_problem p;
    if (store_dossier_file_delete(req->store, id, req->user.id, &p) != 0)
        http_problem(reply, &p);
    else {
        reply->status = 200;
        reply->json = json_pack("{s:I}", "deleted", (json_int_t)id);
    }
    json_decref(file);
}

/* ---------- the steps ---------- */

static void answer_step(http_request *req, http_reply *reply, long id, int line,
                        const store_problem *p)
{
    if (line < 0)
        http_problem(reply, p);
    else
        answer_dossier(req, reply, id, 200);
}

void api_dossiers_submit(http_request *req, http_reply *reply, long id)
{
    store_problem p;
    if (reachable(req, reply, id))
        answer_step(req, reply, id,
                    store_dossier_submit(req->store, id, form_required, req->user.id, &p), &p);
}

static void keep_reason(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    size_t *count = ctx;
    const char *text = json_string_value(v);
    if (!text)
        return;
    if (!text[strspn(text, " \t\r\n")])
        ocl_problem_add(problems, path, "must say what to correct");
    (*count)++;
}

void api_dossiers_return(http_request *req, http_reply *reply, long id)
{
    static const jr_rule rules[] = {{"reasons", JR_OBJECT, 1, reason_rules, 0},
                                    {NULL, 0, 0, NULL, 0}};
    if (!reachable(req, reply, id))
        return;
    size_t count = 0;
    json_t *body = NULL;
    if (http_read_body(req, reply, rules, keep_reason, &count, &body) == 0) {
        store_problem p;
        if (!count)
            http_error(reply, 422, "invalid", "reasons",
                       "must give at least one reason, by form field, 'files' or 'product'");
        else
            answer_step(req, reply, id,
                        store_dossier_return(req->store, id, json_object_get(body, "reasons"),
                                             req->user.id, &p),
                        &p);
    }
    json_decref(body);
}

static void keep_note(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    (void)path, (void)problems;
    *(const char **)ctx = json_string_value(v);
}

void api_dossiers_check(http_request *req, http_reply *reply, long id)
{
    static const jr_rule rules[] = {{"note", JR_TEXT, 0, NULL, JR_PROSE}, {NULL, 0, 0, NULL, 0}};
    if (!reachable(req, reply, id))
        return;
    const char *note = NULL;
    json_t *body = NULL;
    int empty = req->body_len == 0; /* the note is optional, and so is the body */
    if (empty || http_read_body(req, reply, rules, keep_note, &note, &body) == 0) {
        store_problem p;
        answer_step(req, reply, id,
                    store_dossier_transition(req->store, id, "submitted", "checked", req->user.id,
                                             note, &p),
                    &p);
    }
    json_decref(body);
}

/* Whether the dossier's sheet may be scored: 0, or -1 after a 422 naming
 * "sheet". */
static int sheet_complete(http_request *req, http_reply *reply, const char *id)
{
    char dir[PATH_MAX];
    criteria_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (criteria_dir(req->config->criteria, dir, sizeof(dir)) != 0 ||
        criteria_open(dir, id, &sheet, &problems) != OCL_OK) {
        http_error(reply, 422, "invalid", "sheet", "%s",
                   problems.count ? problems.item[0].rule : "the criteria folder cannot be found");
        return -1;
    }
    int complete = sheet.complete;
    if (!complete)
        http_error(reply, 422, "invalid", "sheet",
                   "sheet '%s' is incomplete and may not be scored: it lacks %s", id,
                   sheet.missing ? sheet.missing : "criteria");
    criteria_free(&sheet);
    return complete ? 0 : -1;
}

void api_dossiers_scoring(http_request *req, http_reply *reply, long id)
{
    if (!reachable(req, reply, id))
        return;
    json_t *dossier = store_dossier_get(req->store, id);
    const char *state = json_string_value(json_object_get(dossier, "state"));
    store_problem p;
    /* A wrong state is told first; the sheet matters only to a checked one. */
    if (state && strcmp(state, "checked") == 0 &&
        sheet_complete(req, reply, json_string_value(json_object_get(dossier, "sheet"))) != 0) {
        json_decref(dossier);
        return;
    }
    json_decref(dossier);
    answer_step(
        req, reply, id,
        store_dossier_transition(req->store, id, "checked", "scoring", req->user.id, NULL, &p), &p);
}

/* ---------- the decision ---------- */

static const jr_rule decision_rules[] = {
    {"number", JR_TEXT, 0, NULL, 0},
    {"decision", JR_OBJECT, 1, certificate_decision_rules, 0},
    {NULL, 0, 0, NULL, 0},
};

static void keep_decision(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    certificate_store_field(ctx, path, v, problems);
}

/* The dossier's scores into `c`: 0, or -1 after a 409 when it has none. */
static int scored_parts(http_reply *reply, long id, const json_t *dossier, ocl_certificate *c)
{
    const json_t *score = json_object_get(dossier, "score");
    const char *state = json_string_value(json_object_get(dossier, "state"));
    if (!state || strcmp(state, "scored") != 0 || !json_is_object(score)) {
        http_error(reply, 409, "conflict", "state",
                   "dossier %ld is '%s'; a decision needs 'scored'", id, state ? state : "");
        return -1;
    }
    c->scores[0] = (int)json_integer_value(json_object_get(score, "a"));
    c->scores[1] = (int)json_integer_value(json_object_get(score, "b"));
    c->scores[2] = (int)json_integer_value(json_object_get(score, "c"));
    c->stars = (int)json_integer_value(json_object_get(score, "stars"));
    return 0;
}

/* Recognised (3 stars and up, within the level's authority, with a
 * certificate number) or not: the state the decision leads to, or NULL
 * after a 422 as an evaluation's would get. */
static const char *decided_state(http_reply *reply, ocl_certificate *c)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (ocl_ocop_scores_check(c->scores, &problems) != OCL_OK) {
        http_error(reply, 500, "store", "score", "the dossier's scores are out of range: %s",
                   problems.item[0].rule);
        return NULL;
    }
    /* the close's stars: the band's, or fewer where a criterion misses its minimum */
    int held = c->stars;
    c->total = c->scores[0] + c->scores[1] + c->scores[2];
    c->stars = ocl_ocop_stars(c->total);
    if (held < c->stars)
        c->stars = held;
    if (c->stars < 3)
        return "not_recognised";
    if (ocl_ocop_authority_check(c->level, c->stars, &c->decided, &problems) != OCL_OK) {
        http_error(reply, 422, "invalid", problems.item[0].field, "%s", problems.item[0].rule);
        return NULL;
    }
    c->valid_until = ocl_ocop_valid_until(&c->decided);
    if (!c->number) {
        http_error(reply, 422, "invalid", "number",
                   "is required: %d stars are recognised with a certificate, which needs its "
                   "number",
                   c->stars);
        return NULL;
    }
    return "recognised";
}

void api_dossiers_decision(http_request *req, http_reply *reply, long id)
{
    if (!reachable(req, reply, id))
        return;
    json_t *dossier = store_dossier_get(req->store, id), *body = NULL;
    ocl_certificate c = {0};
    const char *to = NULL;
    if (dossier && scored_parts(reply, id, dossier, &c) == 0 &&
        http_read_body(req, reply, decision_rules, keep_decision, &c, &body) == 0 &&
        (to = decided_state(reply, &c))) {
        char decided[11], until[11];
        int recognised = strcmp(to, "recognised") == 0;
        certificate_iso_date(&c.decided, decided);
        certificate_iso_date(&c.valid_until, until);
        store_evaluation e = {.product_id =
                                  (long)json_integer_value(json_object_get(dossier, "product_id")),
                              .officer_id = req->user.id,
                              .scores = {c.scores[0], c.scores[1], c.scores[2]},
                              .stars = c.stars,
                              .number = recognised ? c.number : NULL,
                              .decision_number = c.decision_number,
                              .decision_date = decided,
                              .level = ocl_ocop_level_name(c.level),
                              .issuer = c.issuer,
                              .signer_title = c.signer_title,
                              .signer_name = c.signer_name,
                              .valid_until = until};
        store_problem p;
        if (store_dossier_decide(req->store, id, &e, to, c.decision_number, &p) != 0)
            http_problem(reply, &p);
        else
            answer_dossier(req, reply, id, 200);
    } else if (!dossier)
        http_error(reply, 500, "store", "", "dossier %ld cannot be read", id);
    json_decref(body);
    json_decref(dossier);
}

/* ---------- the public summary ---------- */

int dossier_summary_path(const char *path)
{
    static const char suffix[] = "/dossier";
    size_t len = strlen(path);
    return strncmp(path, "/c/", 3) == 0 && len > 3 + sizeof(suffix) - 1 &&
           strcmp(path + len - (sizeof(suffix) - 1), suffix) == 0;
}

/* What anyone may see of the dossier: never its files or contacts. */
static json_t *summary_of(const json_t *dossier, const json_t *certificate, const char *title)
{
    const json_t *score = json_object_get(dossier, "score");
    return json_pack(
        "{s:s, s:s, s:O, s:{s:O, s:O}, s:{s:O}, s:{s:O, s:s}, s:O, s:O, s:{s:O, s:O, s:O}}",
        "certificate", json_string_value(json_object_get(certificate, "number")), "state",
        json_string_value(json_object_get(dossier, "state")), "stars",
        json_object_get(score, "stars"), "product", "name",
        json_object_get(json_object_get(dossier, "product"), "name"), "group",
        json_object_get(json_object_get(dossier, "product"), "group"), "producer", "name",
        json_object_get(json_object_get(dossier, "producer"), "name"), "sheet", "id",
        json_object_get(dossier, "sheet"), "title", title, "score", score, "members",
        json_object_get(dossier, "members"), "decision", "number",
        json_object_get(certificate, "decision_number"), "date",
        json_object_get(certificate, "decision_date"), "level",
        json_object_get(certificate, "level"));
}

static const char summary_template[] =
    "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
    "content=\"width=device-width, initial-scale=1\"><title>Tóm tắt hồ sơ {{number}}</title>"
    "</head><body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:auto;"
    "padding:1rem\"><h1>Tóm tắt hồ sơ đánh giá OCOP</h1><p>Giấy chứng nhận: <a "
    "href=\"/c/{{number}}\">{{number}}</a></p><p>Sản phẩm: {{product}}</p><p>Chủ thể: "
    "{{producer}}</p><p>Phiếu chấm: {{sheet}}</p><table><tr><th>Phần A</th><th>Phần B</th>"
    "<th>Phần C</th><th>Tổng</th></tr><tr><td>{{a}}</td><td>{{b}}</td><td>{{c}}</td>"
    "<td>{{total}}</td></tr></table><p>Điểm trung bình của {{members}} thành viên hội đồng: "
    "{{mean}}</p><p>Hạng: {{stars}} sao</p><p>Quyết định số {{decision}} ngày {{date}}</p>"
    "</body></html>";

static void number_text(const json_t *v, char out[24])
{
    snprintf(out, 24, "%lld", (long long)json_integer_value(v));
}

static void summary_html(http_reply *reply, const json_t *summary)
{
    const json_t *score = json_object_get(summary, "score");
    char a[24], b[24], c[24], total[24], members[24], stars[24];
    number_text(json_object_get(score, "a"), a);
    number_text(json_object_get(score, "b"), b);
    number_text(json_object_get(score, "c"), c);
    number_text(json_object_get(score, "total"), total);
    number_text(json_object_get(summary, "members"), members);
    number_text(json_object_get(summary, "stars"), stars);
    const char *mean = json_string_value(json_object_get(score, "mean"));
    static const char *const keys[] = {"number", "product",  "producer", "sheet",   "a",
                                       "b",      "c",        "total",    "members", "mean",
                                       "stars",  "decision", "date"};
    const char *values[] = {
        json_string_value(json_object_get(summary, "certificate")),
        json_string_value(json_object_get(json_object_get(summary, "product"), "name")),
        json_string_value(json_object_get(json_object_get(summary, "producer"), "name")),
        json_string_value(json_object_get(json_object_get(summary, "sheet"), "title")),
        a,
        b,
        c,
        total,
        members,
        mean ? mean : total,
        stars,
        json_string_value(json_object_get(json_object_get(summary, "decision"), "number")),
        json_string_value(json_object_get(json_object_get(summary, "decision"), "date"))};
    reply->text = page_render(summary_template, keys, values, sizeof(keys) / sizeof(keys[0]));
    reply->content_type = "text/html; charset=utf-8";
    if (!reply->text)
        http_error(reply, 500, "render", "", "out of memory");
}

/* The sheet's title, as people read it (its id when it cannot be read). */
static void sheet_title(http_request *req, const char *id, char *out, size_t size)
{
    char dir[PATH_MAX];
    criteria_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    snprintf(out, size, "%s", id);
    if (criteria_dir(req->config->criteria, dir, sizeof(dir)) == 0 &&
        criteria_open(dir, id, &sheet, &problems) == OCL_OK) {
        snprintf(out, size, "%s", sheet.title ? sheet.title : id);
        criteria_free(&sheet);
    }
}

void dossier_summary_page(http_request *req, http_reply *reply)
{
    char number[64], title[JR_TEXT_MAX + 1];
    const char *start = req->path + strlen("/c/");
    int len = (int)(strlen(start) - strlen("/dossier"));
    snprintf(number, sizeof(number), "%.*s", len, start);
    long id =
        len > 0 && len < (int)sizeof(number) ? store_certificate_dossier(req->store, number) : 0;
    json_t *dossier = id ? store_dossier_get(req->store, id) : NULL;
    json_t *certificate = dossier ? store_certificate_get(req->store, 0, number) : NULL;
    if (!certificate) {
        http_error(reply, 404, "not_found", "number",
                   "no dossier led to a certificate with this "
                   "number");
        json_decref(dossier);
        return;
    }
    sheet_title(req, json_string_value(json_object_get(dossier, "sheet")), title, sizeof(title));
    json_t *summary = summary_of(dossier, certificate, title);
    reply->status = 200;
    if (!summary)
        http_error(reply, 500, "store", "", "the dossier's summary cannot be made");
    else if (req->accept && strstr(req->accept, "application/json"))
        reply->json = summary;
    else {
        summary_html(reply, summary);
        json_decref(summary);
    }
    json_decref(certificate);
    json_decref(dossier);
}
