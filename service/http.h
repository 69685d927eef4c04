/*
 * The HTTP server (libmicrohttpd): requests bounded in size and time,
 * routes from a table, bearer-token roles under /api/v1, JSON errors of one
 * shape, one log line per request, and counters for /metrics.
 */
#ifndef OCOPTRACE_HTTP_H
#define OCOPTRACE_HTTP_H

#include "config.h"
#include "ocoplabels.h"
#include "page.h"
#include "store/store.h"

#include <jansson.h>
#include <pthread.h>

#define HTTP_BODY_MAX (1u << 20) /* 1 MiB */
/* A request's path as sent, with its terminator: longer ones get 414. */
#define HTTP_PATH_MAX 1024

typedef struct http_server http_server;
typedef struct resolver resolver;

typedef struct {
    http_server *server;
    const resolver *resolver; /* the public resolver's page, scans and answers */
    store *store;
    const config *config;
    const char *method;
    const char *path;     /* decoded, as the routes and the API read it */
    const char *raw_path; /* as the client sent it, escapes kept, no query */
    const char *body;
    size_t body_len;
    int authenticated;
    store_user user;
    const char *accept;
    int session;                /* signed in with the session cookie, not a token */
    char csrf[STORE_TOKEN_MAX]; /* the session's CSRF token */
    char network[48];           /* the client's /24 (IPv4) or /48 (IPv6) */
    void *connection;           /* libmicrohttpd's, for http_query */
} http_request;

/* A query parameter of the request, or NULL. */
const char *http_query(const http_request *req, const char *name);
/* The first query parameter of the request not among `known` (NULL
 * ends the list), or NULL when all are known. */
const char *http_query_unknown(const http_request *req, const char *const *known);
/* A header of the request, or NULL. */
const char *http_header(const http_request *req, const char *name);

typedef struct {
    int status;
    json_t *json;        /* a JSON body, or */
    char *text;          /* a text body (malloc'd), or */
    unsigned char *data; /* bytes (malloc'd) */
    size_t data_len;
    const char *content_type;
    const char *cache_control;                       /* NULL: no-store */
    char location[OCL_BASE_URL_MAX + OCL_URI_MAX];   /* a redirect's target */
    char link[OCL_BASE_URL_MAX + OCL_URI_MAX + 128]; /* a Link header (RFC 8288) */
    int cors;             /* public data: any site's script may read it (links.c) */
    int preflight;        /* CORS: the methods and headers a script may use */
    long retry_after;     /* seconds, for a Retry-After header; 0: none */
    char cookies[3][192]; /* Set-Cookie headers */
    int cookie_count;
    char etag[40];                /* an ETag header, quoted; empty: none */
    const char *content_language; /* a Content-Language header, or NULL */
    const char *vary;             /* a Vary header, or NULL */
    const char *epcis_version;    /* a GS1-EPCIS-Version header, or NULL */
    char disposition[96];         /* a Content-Disposition header; empty: none */
} http_reply;

/* A cookie of the request, or NULL. */
const char *http_cookie(const http_request *req, const char *name);
/* Adds a Set-Cookie header (at most three per reply). */
void http_set_cookie(http_reply *reply, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fills an error reply: {"error": {"code", "field", "message"}}. */
void http_error(http_reply *reply, int status, const char *code, const char *field, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* The error a store function refused a change with (store_problem). */
void http_problem(http_reply *reply, const store_problem *p);
/* The body parsed as a JSON object, or NULL with a 400 error filled. */
json_t *http_json_body(const http_request *req, http_reply *reply);

/* Starts listening on config->listen; NULL with the reason in `error`. */
http_server *http_start(store *s, config *c, char *error, size_t error_size);
/* Takes what may change without a restart (the base URL, the issuer key)
 * from `fresh`. */
void http_reload(http_server *server, const config *fresh);
/* Stops accepting, lets requests in flight finish, and frees. */
void http_stop(http_server *server);

/* JSON text as json_dumps(JSON_COMPACT) writes it, quicker; malloc'd. */
char *http_json_text(const json_t *j);
/* Appends `text` as a JSON string, quoted and escaped as http_json_text()
 * writes it: 0, or -1 when out of memory. */
int http_json_append_string(ocl_buffer *out, const char *text);

/* The public resolver (resolver.c): what a scanned code stands for, the
 * scan recorded through `scans`, answers kept per lot in `answers`. */
typedef struct answer_cache answer_cache;
struct resolver {
    page_template *page; /* templates/pages/product.html */
    store_scans *scans;
    answer_cache *answers;
};
/* The product page's template, cut once: NULL when out of memory. */
page_template *resolver_page_compile(const char *source);
/* Answers a GET or HEAD of a code's path; `scan` is the path's code
 * already read, or NULL to read it here. */
void resolver_answer(http_request *req, http_reply *reply, const resolver *r,
                     const store_scan *scan);

/* Reads a body against rules into `ctx` through `store`; 0, or -1 with a
 * 400 (shape) or 422 (a rule) reply naming the first field. */
#include "jsonread.h"
int http_read_body(const http_request *req, http_reply *reply, const jr_rule *rules, jr_store keep,
                   void *ctx, json_t **body);
/* The same, with `partial` set for a PATCH: no field required. */
int http_read_change(const http_request *req, http_reply *reply, const jr_rule *rules,
                     jr_store keep, void *ctx, json_t **body, int partial);

#endif
