/*
 * /api/v1/users: an admin adds users of the six roles and lists them.
 * A new user's API token is in the 201 answer and nowhere else: the store
 * keeps only its hash. A password, if given, is for the web pages.
 */
#include "api.h"
#include "mail.h"

#include <sodium.h>
#include <string.h>

typedef struct {
    const char *name, *role, *password, *email;
    long producer_id;
    int chair;
} user_fields;

static const jr_rule user_rules[] = {
    {"name", JR_TEXT, 1, NULL, 0},
    {"role", JR_TEXT, 1, NULL, 0},
    {"producer_id", JR_INT, 0, NULL, 0},
    {"password", JR_TEXT, 0, NULL, 0},
    {"email", JR_TEXT, 0, NULL, 0},
    {"chair", JR_BOOL, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};

static void keep_user(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    user_fields *u = ctx;
    if (strcmp(path, "name") == 0) {
        u->name = json_string_value(v);
        if (!*u->name || strlen(u->name) > 64)
            ocl_problem_add(problems, path, "must be 1 to 64 bytes");
    } else if (strcmp(path, "role") == 0) {
        u->role = json_string_value(v);
        if (store_role_parse(u->role) < 0)
            ocl_problem_add(problems, path,
                            "must be one of admin, officer, producer, reader, commune, council");
    } else if (strcmp(path, "password") == 0) {
        u->password = json_string_value(v);
        if (strlen(u->password) < 8 || strlen(u->password) > 128)
            ocl_problem_add(problems, path, "must be 8 to 128 bytes");
    } else if (strcmp(path, "email") == 0) {
        u->email = json_string_value(v);
        if (*u->email && !mail_address_valid(u->email))
            ocl_problem_add(problems, path,
                            "must be an e-mail address (name@domain), at most 254 "
                            "bytes");
    } else if (strcmp(path, "chair") == 0) {
        u->chair = json_is_true(v);
    } else if (strcmp(path, "producer_id") == 0) {
        json_int_t id = json_integer_value(v);
        u->producer_id = id > 0 && id < 2000000000 ? (long)id : -1;
    }
}

/* A producer user needs its producer, the other roles none. */
static int check_producer(store *s, const user_fields *u, http_reply *reply)
{
    int producer_role = store_role_parse(u->role) == ROLE_PRODUCER;
    if (producer_role && u->producer_id == 0)
        http_error(reply, 422, "invalid", "producer_id", "required for a producer user");
    else if (!producer_role && u->producer_id != 0)
        http_error(reply, 422, "invalid", "producer_id", "only for producer users");
    else if (u->chair && store_role_parse(u->role) != ROLE_COUNCIL)
        http_error(reply, 422, "invalid", "chair", "only a council user chairs the council");
    else if (producer_role && store_producer_exists(s, u->producer_id) != 1)
        http_error(reply, 422, "invalid", "producer_id", "no producer %ld", u->producer_id);
    else
        return 0;
    return -1;
}

void api_users_create(http_request *req, http_reply *reply, long id)
{
    (void)id;
    user_fields u = {0};
    json_t *body;
    if (http_read_body(req, reply, user_rules, keep_user, &u, &body) == 0 &&
        check_producer(req->store, &u, reply) == 0) {
        char token[STORE_TOKEN_MAX], error[STORE_ERROR_MAX];
        store_role role = (store_role)store_role_parse(u.role);
        store_new_user added = {u.name, role, u.producer_id, u.email, u.chair};
        long user = store_user_add(req->store, &added, token, error);
        if (user == -2) {
            http_error(reply, 409, "conflict", "name", "user '%s' exists", u.name);
        } else if (user < 0 ||
                   (u.password && store_user_password(req->store, u.name, u.password) != 1)) {
            http_error(reply, 500, "store", "", "%s", user < 0 ? error : "cannot set the password");
        } else {
            reply->status = 201;
            reply->json =
                json_pack("{s:I, s:s, s:s, s:o, s:s, s:b, s:s}", "id", (json_int_t)user, "name",
                          u.name, "role", store_role_name(role), "producer_id",
                          u.producer_id ? json_integer(u.producer_id) : json_null(), "email",
                          u.email ? u.email : "", "chair", u.chair, "token", token);
            sodium_memzero(token, sizeof(token));
        }
    }
    json_decref(body);
}

void api_users_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    reply->status = 200;
    reply->json = store_user_list(req->store);
}
