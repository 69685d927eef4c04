/*
 * The web pages' routes: signing in and out with a session cookie, the
 * producer's, the officer's, the commune's and the council's pages
 * (shells whose scripts use the JSON API with the session and its CSRF
 * token), and their static assets, all read from templates/web/.
 *
 * The session cookie is HttpOnly (scripts never see it) and SameSite=Strict
 * (no other site's page can send it); every change made with it must also
 * carry the session's CSRF token, in a header or a form field.
 */
#include "clock.h"
#include "host.h"
#include "api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_COOKIE "ocop_session"
#define PRE_COOKIE     "ocop_pre" /* the sign-in form's CSRF token, before any session */
#define COOKIE_FLAGS   "; HttpOnly; SameSite=Strict; Path=/"
#define FORM_VALUE_MAX 512

/* ---------- small helpers ---------- */

static char *read_template(const char *relative, size_t *len)
{
    char path[4096];
    ocl_buffer out = {0};
    if (host_data_file(relative, path, sizeof(path)) != 0 || host_read_file(path, &out) != 0) {
        ocl_buffer_free(&out);
        return NULL;
    }
    if (len)
        *len = out.len;
    ocl_buffer_append(&out, "", 1);
    return (char *)out.data;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* A field of an application/x-www-form-urlencoded body, decoded into `out`
 * (at most size-1 bytes); 1 found, 0 not. */
static int form_value(const char *body, const char *name, char *out, size_t size)
{
    size_t name_len = strlen(name);
    for (const char *at = body; at && *at; at = strchr(at, '&') ? strchr(at, '&') + 1 : NULL) {
        if (strncmp(at, name, name_len) != 0 || at[name_len] != '=')
            continue;
        size_t n = 0;
        for (const char *p = at + name_len + 1; *p && *p != '&' && n + 1 < size; p++) {
            if (*p == '+') {
                out[n++] = ' ';
            } else if (*p == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
                out[n++] = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
                p += 2;
            } else {
                out[n++] = *p;
            }
        }
        out[n] = '\0';
        return 1;
    }
    out[0] = '\0';
    return 0;
}

static const char *home_of(store_role role)
{
    return role == ROLE_PRODUCER  ? "/producer"
           : role == ROLE_COMMUNE ? "/commune"
           : role == ROLE_COUNCIL ? "/council"
                                  : "/officer";
}

static void redirect(http_reply *reply, const char *location)
{
    reply->status = 303;
    snprintf(reply->location, sizeof(reply->location), "%s", location);
    reply->text = strdup("");
    reply->content_type = "text/plain; charset=utf-8";
}

static void html_page(http_reply *reply, int status, char *text)
{
    if (!text) {
        http_error(reply, 500, "template", "", "a page template is missing");
        return;
    }
    reply->status = status;
    reply->text = text;
    reply->content_type = "text/html; charset=utf-8";
}

/* ---------- signing in ---------- */

static void sign_in_page(http_reply *reply, int status, const char *error, const char *name)
{
    char csrf[STORE_TOKEN_MAX];
    unsigned char random[24];
    randombytes_buf(random, sizeof(random));
    sodium_bin2base64(csrf, sizeof(csrf), random, sizeof(random),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    http_set_cookie(reply, PRE_COOKIE "=%s" COOKIE_FLAGS, csrf);
    char *page = read_template("templates/web/sign-in.html", NULL);
    const char *keys[] = {"csrf", "error", "name"};
    const char *values[] = {csrf, error ? error : "", name ? name : ""};
    html_page(reply, status, page ? page_render(page, keys, values, 3) : NULL);
    free(page);
}

/* Who the form names: a user by name and password, or an API token. */
static int check_sign_in(http_request *req, const char *name, const char *password,
                         const char *token, store_user *user)
{
    if (*token)
        return store_token_user(req->store, token, user) == 1;
    return *name && *password && store_password_user(req->store, name, password, user) == 1;
}

static void sign_in(http_request *req, http_reply *reply)
{
    char name[FORM_VALUE_MAX], password[FORM_VALUE_MAX], token[FORM_VALUE_MAX],
        csrf[FORM_VALUE_MAX], who[FORM_VALUE_MAX + 16], message[160];
    const char *body = req->body ? req->body : "";
    form_value(body, "name", name, sizeof(name));
    form_value(body, "password", password, sizeof(password));
    form_value(body, "token", token, sizeof(token));
    form_value(body, "csrf", csrf, sizeof(csrf));
    const char *expected = http_cookie(req, PRE_COOKIE);
    if (!expected || !*csrf || strcmp(expected, csrf) != 0) {
        sign_in_page(reply, 403, "Phiên đăng nhập đã hết hạn. Hãy thử lại.", name);
        return;
    }
    /* Failures are counted per name, and per network for tokens. */
    snprintf(who, sizeof(who), "%s%s", *token ? "token:" : "", *token ? req->network : name);
    long wait = store_sign_in_wait(req->store, who);
    if (wait > 0) {
        snprintf(message, sizeof(message), "Đăng nhập sai nhiều lần. Hãy thử lại sau %ld giây.",
                 wait);
        sign_in_page(reply, 429, message, name);
        return;
    }
    store_user user;
    int ok = check_sign_in(req, name, password, token, &user);
    sodium_memzero(password, sizeof(password));
    store_sign_in_result(req->store, who, ok);
    char session[STORE_TOKEN_MAX], session_csrf[STORE_TOKEN_MAX];
    if (!ok || store_session_create(req->store, user.id, session, session_csrf) != 0) {
        sign_in_page(reply, ok ? 500 : 401,
                     ok ? "Không tạo được phiên làm việc." : "Sai tên đăng nhập hoặc mật khẩu.",
                     name);
        return;
    }
    http_set_cookie(reply, SESSION_COOKIE "=%s" COOKIE_FLAGS "; Max-Age=28800", session);
    http_set_cookie(reply, PRE_COOKIE "=" COOKIE_FLAGS "; Max-Age=0");
    redirect(reply, home_of(user.role));
}

static void sign_out(http_request *req, http_reply *reply)
{
    char csrf[FORM_VALUE_MAX];
    form_value(req->body ? req->body : "", "csrf", csrf, sizeof(csrf));
    const char *session = http_cookie(req, SESSION_COOKIE);
    if (req->session && strcmp(csrf, req->csrf) == 0 && session)
        store_session_delete(req->store, session);
    else if (req->session) {
        http_error(reply, 403, "csrf", "csrf", "the form's CSRF token does not match the session");
        return;
    }
    http_set_cookie(reply, SESSION_COOKIE "=" COOKIE_FLAGS "; Max-Age=0");
    redirect(reply, "/sign-in");
}

/* ---------- pages and assets ---------- */

/* A page for the roles in `roles` (bits 1 << ROLE_...). */
static void shell(http_request *req, http_reply *reply, const char *file, unsigned roles)
{
    if (!req->session) {
        redirect(reply, "/sign-in");
        return;
    }
    int allowed = (roles >> req->user.role) & 1u;
    html_page(reply, allowed ? 200 : 403,
              read_template(allowed ? file : "templates/web/forbidden.html", NULL));
}

static const char *content_type_of(const char *name)
{
    static const char *const types[][2] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return NULL;
}

static void asset(http_reply *reply, const char *name)
{
    const char *type = content_type_of(name);
    size_t len = strlen(name);
    /* Only plain names inside the folder: no '/', no "..", a known type. */
    if (!type || !len || len > 64 ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != len || strstr(name, "..")) {
        http_error(reply, 404, "not_found", "path", "no such asset");
        return;
    }
    char relative[96];
    snprintf(relative, sizeof(relative), "templates/web/assets/%s", name);
    size_t size = 0;
    char *data = read_template(relative, &size);
    if (!data) {
        http_error(reply, 404, "not_found", "path", "no such asset");
        return;
    }
    reply->status = 200;
    reply->data = (unsigned char *)data;
    reply->data_len = size;
    reply->content_type = type;
    reply->cache_control = "public, max-age=3600";
}

void api_session_get(http_request *req, http_reply *reply, long id)
{
    (void)id;
    json_t *user = store_user_get(req->store, req->user.id);
    reply->status = 200;
    reply->json = json_pack("{s:o, s:o}", "user", user ? user : json_null(), "csrf",
                            req->session ? json_string(req->csrf) : json_null());
}

int web_route(http_request *req, http_reply *reply)
{
    int get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    if (get && strcmp(req->path, "/") == 0)
        redirect(reply, req->session ? home_of(req->user.role) : "/sign-in");
    else if (get && strcmp(req->path, "/sign-in") == 0)
        sign_in_page(reply, 200, NULL, NULL);
    else if (post && strcmp(req->path, "/sign-in") == 0)
        sign_in(req, reply);
    else if (post && strcmp(req->path, "/sign-out") == 0)
        sign_out(req, reply);
    else if (get && strcmp(req->path, "/producer") == 0)
        shell(req, reply, "templates/web/producer.html", 1u << ROLE_PRODUCER);
    else if (get && strcmp(req->path, "/officer") == 0)
        shell(req, reply, "templates/web/officer.html", 1u << ROLE_ADMIN | 1u << ROLE_OFFICER);
    else if (get && strcmp(req->path, "/commune") == 0)
        shell(req, reply, "templates/web/commune.html", 1u << ROLE_COMMUNE);
    else if (get && strcmp(req->path, "/council") == 0)
        shell(req, reply, "templates/web/council.html", 1u << ROLE_COUNCIL);
    else if (get && strncmp(req->path, "/assets/", 8) == 0)
        asset(reply, req->path + strlen("/assets/"));
    else if (get && strcmp(req->path, "/favicon.ico") == 0)
        asset(reply, "ocop-star.svg"); /* what browsers ask for unprompted */
    else
        return 0;
    return 1;
}
