/*
 * libmicrohttpd behind a route table. A thread pool serves connections;
 * each worker thread has its own SQLite connection (and copy of the
 * config), so that reads run in parallel under WAL and writers queue on
 * SQLite's own lock.
 * Bodies over 1 MiB get 413 before they are read whole; connections idle
 * for 30 seconds are closed. The request log is buffered, written out
 * every 100 ms.
 */
#include "http.h"
#include "api/api.h"
#include "api/routes.h"
#include "answers.h"
#include "clock.h"
#include "host.h"
#include "client.h"
#include "links.h"
#include "photo.h"
#include "pin.h"
#include "text.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define STATUS_CLASSES 6
#define ROUTES_MAX     80

/* The request log: lines gather here and reach stderr when the buffer
 * fills and every 100 ms, so that a busy daemon writes once for many
 * requests rather than once for each. */
#define LOG_BUFFER    (64 * 1024)
#define LOG_PERIOD_NS (100 * 1000 * 1000L)
#define LOG_PATH_MAX  255 /* bytes of a path a log line shows */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int stopping;
    size_t len;
    char data[LOG_BUFFER];
} request_log;

struct http_server {
    struct MHD_Daemon *daemon;
    store *store;
    config *config;
    pthread_mutex_t lock;                              /* guards config against a reload */
    atomic_ulong config_generation;                    /* bumped by each reload */
    pthread_key_t worker_key;                          /* a worker thread's `worker` */
    atomic_ulong requests[ROUTES_MAX][STATUS_CLASSES]; /* by route and status class */
    atomic_ulong scans;
    atomic_int in_flight; /* requests begun and not yet answered */
    resolver resolver;    /* its scans written behind through `store` */
    request_log log;
};

/* What a worker thread keeps across its requests: a connection of its own,
 * as a SQLite connection is used by one thread at a time, and a copy of the
 * config, so that a reload never changes it under a request. */
typedef struct {
    store *store;
    config config;
    unsigned long generation;
} worker;

/* One request's state across libmicrohttpd's calls. */
typedef struct {
    char *body;
    size_t len;
    size_t body_max; /* HTTP_BODY_MAX, a photo's PHOTO_BYTES_MAX or a dossier file's */
    int too_large;
    struct timespec start;
    int status;
    int route; /* index into route_names */
    char method[16];
    /* The path before libmicrohttpd decodes it: a lot of "L01/2026" comes
     * as L01%2F2026, which only the raw path tells from two segments. */
    char raw_path[HTTP_PATH_MAX];
    int path_too_long;
    int begun;                        /* the access handler has seen the request */
    char client[CLIENT_TEXT_MAX];     /* the client's address, for the log */
    char network[CLIENT_NETWORK_MAX]; /* and its network, for scans and throttling */
} request_state;

void http_error(http_reply *reply, int status, const char *code, const char *field, const char *fmt,
                ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    json_decref(reply->json);
    reply->status = status;
    reply->json = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "field",
                            field ? field : "", "message", message);
}

void http_problem(http_reply *reply, const store_problem *p)
{
    http_error(reply, p->status, p->code, p->field, "%s", p->message);
}

json_t *http_json_body(const http_request *req, http_reply *reply)
{
    json_error_t error;
    json_t *body =
        req->body_len ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &error) : NULL;
    if (!body) {
        http_error(reply, 400, "malformed_json", "", "the body is not JSON: %s",
                   req->body_len ? error.text : "empty");
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        http_error(reply, 400, "malformed_json", "", "the body must be a JSON object");
        return NULL;
    }
    return body;
}

int http_read_body(const http_request *req, http_reply *reply, const jr_rule *rules, jr_store keep,
                   void *ctx, json_t **body)
{
    return http_read_change(req, reply, rules, keep, ctx, body, 0);
}

int http_read_change(const http_request *req, http_reply *reply, const jr_rule *rules,
                     jr_store keep, void *ctx, json_t **body, int partial)
{
    *body = http_json_body(req, reply);
    if (!*body)
        return -1;
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (partial)
        jr_read_partial(*body, rules, keep, ctx, &problems);
    else
        jr_read(*body, "", rules, keep, ctx, &problems);
    if (!problems.count)
        return 0;
    int shape = jr_problem_is_shape(problems.item[0].rule);
    http_error(reply, shape ? 400 : 422, shape ? "bad_field" : "invalid", problems.item[0].field,
               "%s", problems.item[0].rule);
    return -1;
}

/* A bearer token, else the web pages' session cookie. */
static void authenticate(http_request *req, struct MHD_Connection *conn)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (auth && strncmp(auth, "Bearer ", 7) == 0) {
        req->authenticated = store_token_user(req->store, auth + 7, &req->user) == 1;
        return;
    }
    const char *session = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "ocop_session");
    if (session && *session)
        req->authenticated = req->session =
            store_session_user(req->store, session, &req->user, req->csrf) == 1;
}

const char *http_header(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *http_cookie(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, name);
}

void http_set_cookie(http_reply *reply, const char *fmt, ...)
{
    if (reply->cookie_count >= (int)(sizeof(reply->cookies) / sizeof(reply->cookies[0])))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reply->cookies[reply->cookie_count++], sizeof(reply->cookies[0]), fmt, ap);
    va_end(ap);
}

static void metrics(http_server *server, store *db, http_reply *reply)
{
    ocl_buffer out = {0};
    char line[1024];
    const char *method;
    int n = snprintf(line, sizeof(line),
                     "# HELP ocoptrace_requests_total HTTP requests by route and status class.\n"
                     "# TYPE ocoptrace_requests_total counter\n");
    ocl_buffer_append(&out, line, (size_t)n);
    for (size_t r = 0; r < api_route_count() && r < ROUTES_MAX; r++) {
        const char *name = api_route_name(r, &method);
        for (int c = 1; c < STATUS_CLASSES; c++) {
            unsigned long count = atomic_load(&server->requests[r][c]);
            if (!count)
                continue;
            n = snprintf(line, sizeof(line),
                         "ocoptrace_requests_total{method=\"%s\",route=\"%s\",status=\"%dxx\"} "
                         "%lu\n",
                         method, name, c, count);
            ocl_buffer_append(&out, line, (size_t)n);
        }
    }
    store_sync_counts sync;
    if (store_sync_count(db, &sync) != 0)
        memset(&sync, 0, sizeof(sync));
    n = snprintf(line, sizeof(line),
                 "# HELP ocoptrace_scans_total Codes resolved for consumers.\n"
                 "# TYPE ocoptrace_scans_total counter\n"
                 "ocoptrace_scans_total %lu\n"
                 "# HELP ocoptrace_pushes_pending Registrations waiting for the remote system.\n"
                 "# TYPE ocoptrace_pushes_pending gauge\n"
                 "ocoptrace_pushes_pending %ld\n",
                 atomic_load(&server->scans), sync.pending + sync.retrying);
    ocl_buffer_append(&out, line, (size_t)n);
    n = snprintf(line, sizeof(line),
                 "# HELP ocoptrace_sync_pending Deliveries not tried yet.\n"
                 "# TYPE ocoptrace_sync_pending gauge\n"
                 "ocoptrace_sync_pending %ld\n"
                 "# HELP ocoptrace_sync_retrying Deliveries tried and waiting to be retried.\n"
                 "# TYPE ocoptrace_sync_retrying gauge\n"
                 "ocoptrace_sync_retrying %ld\n"
                 "# HELP ocoptrace_sync_dead Deliveries the remote refused (dead letters).\n"
                 "# TYPE ocoptrace_sync_dead gauge\n"
                 "ocoptrace_sync_dead %ld\n"
                 "# HELP ocoptrace_sync_delivered Deliveries the remote accepted.\n"
                 "# TYPE ocoptrace_sync_delivered gauge\n"
                 "ocoptrace_sync_delivered %ld\n",
                 sync.pending, sync.retrying, sync.dead, sync.delivered);
    ocl_buffer_append(&out, line, (size_t)n);
    ocl_buffer_append(&out, "", 1);
    reply->status = 200;
    reply->text = (char *)out.data;
    reply->content_type = "text/plain; version=0.0.4";
}

const char *http_query(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct {
    const char *const *known;
    const char *unknown;
} query_names;

static enum MHD_Result check_query_name(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind, (void)value;
    query_names *q = cls;
    for (size_t i = 0; q->known[i]; i++)
        if (strcmp(q->known[i], key) == 0)
            return MHD_YES;
    q->unknown = key;
    return MHD_NO;
}

const char *http_query_unknown(const http_request *req, const char *const *known)
{
    query_names q = {known, NULL};
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, check_query_name, &q);
    return q.unknown;
}

/* JSON text as json_dumps(JSON_COMPACT) writes it, at a fraction of the
 * cost: jansson guards each container against loops with a key formatted
 * into a hash table. Reals, and nesting past 32, are left to jansson. */
#define DUMP_DEPTH_MAX 32

/* The text being written, and whether any of it could not be. */
typedef struct {
    ocl_buffer text;
    int failed;
} dump;

static void put(dump *d, const char *bytes, size_t len)
{
    if (ocl_buffer_append(&d->text, bytes, len) != OCL_OK)
        d->failed = 1;
}

static void dump_string(dump *d, const char *text, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    put(d, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(d, text + run, i - run);
        run = i + 1;
        const char *short_form = c == '"'    ? "\\\""
                                 : c == '\\' ? "\\\\"
                                 : c == '\b' ? "\\b"
                                 : c == '\f' ? "\\f"
                                 : c == '\n' ? "\\n"
                                 : c == '\r' ? "\\r"
                                 : c == '\t' ? "\\t"
                                             : NULL;
        char seq[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0'};
        put(d, short_form ? short_form : seq, short_form ? 2 : 6);
    }
    put(d, text + run, len - run);
    put(d, "\"", 1);
}

/* Digits from the end; the magnitude as unsigned, so that the most
 * negative value has one too. */
static void dump_integer(dump *d, json_int_t v)
{
    char number[32];
    unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char *at = number + sizeof(number);
    do
        *--at = (char)('0' + m % 10);
    while (m /= 10);
    if (v < 0)
        *--at = '-';
    put(d, at, (size_t)(number + sizeof(number) - at));
}

static void dump_value(dump *d, const json_t *j, int depth);

static void dump_container(dump *d, const json_t *j, int depth)
{
    int object = json_is_object(j), first = 1;
    put(d, object ? "{" : "[", 1);
    if (object) {
        for (void *it = json_object_iter((json_t *)j); it;
             it = json_object_iter_next((json_t *)j, it)) {
            if (!first)
                put(d, ",", 1);
            first = 0;
            dump_string(d, json_object_iter_key(it), json_object_iter_key_len(it));
            put(d, ":", 1);
            dump_value(d, json_object_iter_value(it), depth + 1);
        }
    } else {
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i)
                put(d, ",", 1);
            dump_value(d, json_array_get(j, i), depth + 1);
        }
    }
    put(d, object ? "}" : "]", 1);
}

static void dump_value(dump *d, const json_t *j, int depth)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (depth < DUMP_DEPTH_MAX)
            dump_container(d, j, depth);
        else
            d->failed = 1;
        break;
    case JSON_STRING:
        dump_string(d, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        dump_integer(d, json_integer_value(j));
        break;
    case JSON_TRUE:
        put(d, "true", 4);
        break;
    case JSON_FALSE:
        put(d, "false", 5);
        break;
    case JSON_NULL:
        put(d, "null", 4);
        break;
    default:
        d->failed = 1; /* a real */
    }
}

int http_json_append_string(ocl_buffer *out, const char *text)
{
    dump d = {*out, 0};
    dump_string(&d, text, strlen(text));
    *out = d.text;
    return d.failed ? -1 : 0;
}

char *http_json_text(const json_t *j)
{
    dump d = {{0}, 0};
    if (json_is_object(j) || json_is_array(j)) {
        dump_value(&d, j, 0);
        put(&d, "", 1);
        if (!d.failed)
            return (char *)d.text.data;
    }
    ocl_buffer_free(&d.text);
    return json_dumps(j, JSON_COMPACT);
}

/* The headers a reply may carry besides its type. */
static void add_headers(struct MHD_Response *response, const http_reply *reply)
{
    MHD_add_response_header(response, "Cache-Control",
                            reply->cache_control ? reply->cache_control : "no-store");
    if (reply->location[0])
        MHD_add_response_header(response, "Location", reply->location);
    if (reply->retry_after > 0) {
        char seconds[24];
        snprintf(seconds, sizeof(seconds), "%ld", reply->retry_after);
        MHD_add_response_header(response, "Retry-After", seconds);
    }
    for (int i = 0; i < reply->cookie_count; i++)
        MHD_add_response_header(response, "Set-Cookie", reply->cookies[i]);
    if (reply->link[0])
        MHD_add_response_header(response, "Link", reply->link);
    if (reply->cors) {
        MHD_add_response_header(response, "Access-Control-Allow-Origin", "*");
        MHD_add_response_header(response, "Access-Control-Expose-Headers", "Link");
    }
    if (reply->preflight) {
        MHD_add_response_header(response, "Allow", "GET, HEAD, OPTIONS");
        MHD_add_response_header(response, "Access-Control-Allow-Methods", "GET, HEAD");
        MHD_add_response_header(response, "Access-Control-Allow-Headers",
                                "Accept, Accept-Language");
        MHD_add_response_header(response, "Access-Control-Max-Age", "86400");
    }
    if (reply->etag[0])
        MHD_add_response_header(response, "ETag", reply->etag);
    if (reply->content_language)
        MHD_add_response_header(response, "Content-Language", reply->content_language);
    if (reply->disposition[0])
        MHD_add_response_header(response, "Content-Disposition", reply->disposition);
    /* The same URI of a code answers a page, JSON or a linkset by these. */
    if (reply->epcis_version)
        MHD_add_response_header(response, "GS1-EPCIS-Version", reply->epcis_version);
    if (reply->vary || reply->cors)
        MHD_add_response_header(response, "Vary",
                                reply->vary ? reply->vary : "Accept, Accept-Language");
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, http_reply *reply)
{
    if (reply->data) {
        struct MHD_Response *response =
            MHD_create_response_from_buffer(reply->data_len, reply->data, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(response, "Content-Type", reply->content_type);
        add_headers(response, reply);
        enum MHD_Result rc = MHD_queue_response(conn, (unsigned)reply->status, response);
        MHD_destroy_response(response);
        return rc;
    }
    char *body = reply->text;
    const char *type = reply->content_type;
    if (!body) {
        body = reply->json ? http_json_text(reply->json) : strdup("{}");
        type = "application/json";
    }
    size_t len = body ? strlen(body) : 0;
    struct MHD_Response *response =
        MHD_create_response_from_buffer(len, body ? body : (char *)"", MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(response, "Content-Type", type);
    add_headers(response, reply);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)reply->status, response);
    MHD_destroy_response(response);
    json_decref(reply->json);
    return rc;
}

/* A request's forwarding headers, every line of each in order; past
 * HEADER_LINES_MAX the leftmost go, as only the right end is read. */
#define HEADER_LINES_MAX 8
typedef struct {
    const char *forwarded[HEADER_LINES_MAX], *x_forwarded_for[HEADER_LINES_MAX];
    size_t forwarded_count, x_forwarded_for_count;
} forwarding_headers;

static void keep_line(const char **lines, size_t *count, const char *value)
{
    if (*count == HEADER_LINES_MAX) {
        memmove(lines, lines + 1, (HEADER_LINES_MAX - 1) * sizeof(*lines));
        (*count)--;
    }
    lines[(*count)++] = value;
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    forwarding_headers *h = cls;
    if (value && strcasecmp(key, "Forwarded") == 0)
        keep_line(h->forwarded, &h->forwarded_count, value);
    else if (value && strcasecmp(key, "X-Forwarded-For") == 0)
        keep_line(h->x_forwarded_for, &h->x_forwarded_for_count, value);
    return MHD_YES;
}

/* Who is asking: the peer, or whom a trusted proxy says it forwards.
 * Scans from one network count once towards a copied label's verdict, and
 * failed token sign-ins are throttled per network. */
static void identify_client(const http_server *server, struct MHD_Connection *conn,
                            request_state *state)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    client_address peer, client;
    client_from_sockaddr(info ? info->client_addr : NULL, &peer);
    forwarding_headers h = {{0}, {0}, 0, 0};
    const client_proxies *trusted = &server->config->proxies;
    if (peer.family && client_proxies_match(trusted, &peer))
        MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header, &h);
    client_resolve(trusted, &peer, h.forwarded, h.forwarded_count, h.x_forwarded_for,
                   h.x_forwarded_for_count, &client);
    client_address_text(&client, state->client, sizeof(state->client));
    client_network_text(&client, state->network, sizeof(state->network));
}

static void worker_free(void *p)
{
    worker *w = p;
    store_close(w->store);
    free(w);
}

/* The calling thread's worker, opened on its first request; NULL when the
 * database cannot be opened. */
static worker *worker_get(http_server *server)
{
    worker *w = pthread_getspecific(server->worker_key);
    if (!w) {
        char error[STORE_ERROR_MAX];
        w = calloc(1, sizeof(*w));
        if (!w)
            return NULL;
        w->store = store_connect(server->config->db, error);
        if (!w->store) {
            fprintf(stderr, "ocoptrace: database '%s': %s\n", server->config->db, error);
            free(w);
            return NULL;
        }
        w->generation = atomic_load(&server->config_generation) + 1;
        pthread_setspecific(server->worker_key, w);
    }
    unsigned long generation = atomic_load(&server->config_generation);
    if (w->generation != generation) {
        pthread_mutex_lock(&server->lock);
        w->config = *server->config;
        w->generation = atomic_load(&server->config_generation);
        pthread_mutex_unlock(&server->lock);
    }
    return w;
}

/* Answers a request that has been read whole. */
static void answer(http_server *server, struct MHD_Connection *conn, const char *url,
                   const char *method, request_state *state, http_reply *reply)
{
    worker *w = state->too_large ? NULL : worker_get(server);
    if (state->too_large && state->body_max == DOSSIER_FILE_BYTES_MAX) {
        http_error(reply, 413, "too_large", "file", "a file is at most 10 MB (%zu bytes)",
                   state->body_max);
    } else if (state->too_large && state->body_max != HTTP_BODY_MAX) {
        http_error(reply, 413, "too_large", "photo",
                   "a photo is at most 2 MB (%zu bytes): make it smaller", state->body_max);
    } else if (state->too_large) {
        http_error(reply, 413, "too_large", "", "the body is over %u bytes", HTTP_BODY_MAX);
    } else if (state->path_too_long) {
        http_error(reply, 414, "uri_too_long", "path", "the path is over %d bytes",
                   HTTP_PATH_MAX - 1);
    } else if (!w) {
        http_error(reply, 503, "unavailable", "", "the database cannot be opened");
    } else if (strcmp(url, "/metrics") == 0 && strcmp(method, "GET") == 0) {
        state->route = api_route_index(ROUTE_METRICS);
        metrics(server, w->store, reply);
    } else {
        http_request req = {.server = server,
                            .resolver = &server->resolver,
                            .store = w->store,
                            .config = &w->config,
                            .method = method,
                            .path = url,
                            .raw_path = state->raw_path,
                            .body = state->body,
                            .body_len = state->len};
        req.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
        req.connection = conn;
        text_copy(req.network, sizeof(req.network), state->network);
        if (!api_public_path(url))
            authenticate(&req, conn);
        api_route(&req, reply, &state->route);
        if (state->route == api_route_index(ROUTE_RESOLVER) && strcmp(method, "GET") == 0)
            atomic_fetch_add(&server->scans, 1);
    }
}

/* Called with the request-target as sent, before it is decoded and split
 * from its query: the request's state begins here, keeping the raw path. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    http_server *server = cls;
    request_state *state = calloc(1, sizeof(*state));
    if (!state)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &state->start);
    atomic_fetch_add(&server->in_flight, 1);
    state->route = api_route_index(ROUTE_OTHER);
    size_t len = uri ? strcspn(uri, "?") : 0;
    state->path_too_long = len >= sizeof(state->raw_path);
    if (state->path_too_long)
        len = sizeof(state->raw_path) - 1; /* what the log shows of it */
    memcpy(state->raw_path, uri ? uri : "", len);
    state->raw_path[len] = '\0';
    return state;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server *server = cls;
    request_state *state = *con_cls;
    if (!state)
        return MHD_NO; /* out of memory in on_uri */
    if (!state->begun) {
        state->begun = 1;
        text_copy(state->method, sizeof(state->method), method);
        state->body_max = photo_is_upload(method, url)          ? PHOTO_BYTES_MAX
                          : dossier_file_is_upload(method, url) ? DOSSIER_FILE_BYTES_MAX
                                                                : HTTP_BODY_MAX;
        identify_client(server, conn, state);
        return MHD_YES;
    }
    if (*upload_size) {
        /* Bounded: past 1 MiB (a photo: 2 MB) the rest is read and dropped,
         * then 413. */
        if (!state->too_large && state->len + *upload_size <= state->body_max) {
            char *grown = realloc(state->body, state->len + *upload_size + 1);
            if (!grown)
                return MHD_NO;
            state->body = grown;
            memcpy(state->body + state->len, upload_data, *upload_size);
            state->len += *upload_size;
            state->body[state->len] = '\0';
        } else {
            state->too_large = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    http_reply reply = {0};
    answer(server, conn, url, method, state, &reply);
    state->status = reply.status;
    return send_reply(conn, &reply);
}

/* Writes out what the log holds; called with its lock held. */
static void log_write(request_log *log)
{
    if (log->len)
        fwrite(log->data, 1, log->len, stderr);
    log->len = 0;
}

static void log_append(request_log *log, const char *line, size_t len)
{
    pthread_mutex_lock(&log->lock);
    if (log->len + len > sizeof(log->data))
        log_write(log);
    if (len <= sizeof(log->data)) {
        memcpy(log->data + log->len, line, len);
        log->len += len;
    }
    pthread_mutex_unlock(&log->lock);
}

static void *log_flusher(void *arg)
{
    request_log *log = arg;
    pthread_mutex_lock(&log->lock);
    while (!log->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += LOG_PERIOD_NS;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&log->wake, &log->lock, &until);
        log_write(log);
    }
    pthread_mutex_unlock(&log->lock);
    return NULL;
}

static int log_start(request_log *log)
{
    pthread_mutex_init(&log->lock, NULL);
    pthread_cond_init(&log->wake, NULL);
    if (pthread_create(&log->thread, NULL, log_flusher, log) == 0)
        return 0;
    pthread_cond_destroy(&log->wake);
    pthread_mutex_destroy(&log->lock);
    return -1;
}

/* Stops the flusher and writes what is left. */
static void log_stop(request_log *log)
{
    pthread_mutex_lock(&log->lock);
    log->stopping = 1;
    pthread_cond_signal(&log->wake);
    pthread_mutex_unlock(&log->lock);
    pthread_join(log->thread, NULL);
    log_write(log);
    pthread_cond_destroy(&log->wake);
    pthread_mutex_destroy(&log->lock);
}

/* One line per request: method, path, status, microseconds and the
 * client's address. No headers, no bodies, so no token reaches a log. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)code;
    http_server *server = cls;
    request_state *state = *con_cls;
    if (!state)
        return;
    (void)conn;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long us = (now.tv_sec - state->start.tv_sec) * 1000000L +
              (now.tv_nsec - state->start.tv_nsec) / 1000L;
    int status = state->status;
    if (status >= 100 && status < 600 && state->route >= 0 && state->route < ROUTES_MAX)
        atomic_fetch_add(&server->requests[state->route][status / 100], 1);
    /* The path as sent: decoded, a %0A would start a line of its own. */
    char line[sizeof(state->method) + LOG_PATH_MAX + sizeof(state->client) + 64], *at = line;
    at += text_copy(at, sizeof(state->method), state->method[0] ? state->method : "-");
    *at++ = ' ';
    at += text_copy(at, LOG_PATH_MAX + 1, state->raw_path);
    *at++ = ' ';
    at = text_digits(at, (unsigned)status % 1000u, 1);
    *at++ = ' ';
    at = text_digits(at, us > 0 ? (unsigned long long)us : 0, 1);
    at += text_copy(at, 3, "us");
    *at++ = ' ';
    at += text_copy(at, sizeof(state->client), state->client[0] ? state->client : "-");
    *at++ = '\n';
    log_append(&server->log, line, (size_t)(at - line));
    atomic_fetch_sub(&server->in_flight, 1);
    free(state->body);
    free(state);
    *con_cls = NULL;
}

/* "192.0.2.1:8080" or "[2001:db8::1]:8080" into `addr`; 0, or -1. */
static int parse_listen(const char *listen, struct sockaddr_storage *addr)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return -1;
    const char *start = listen;
    size_t len = (size_t)(colon - listen);
    int bracketed = len >= 2 && listen[0] == '[' && listen[len - 1] == ']';
    if (bracketed)
        start++, len -= 2;
    memcpy(host, start, len);
    host[len] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return -1;
    memset(addr, 0, sizeof(*addr));
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (!bracketed && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (bracketed && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    return -1;
}

/* What server_free() has to undo besides the memory and the resolver's
 * parts (which it frees when present). */
enum { SERVER_LOCK = 1, SERVER_LOG = 2 };

static void server_free(http_server *server, int started)
{
    store_scans_stop(server->resolver.scans);
    if (started & SERVER_LOG) {
        log_stop(&server->log);
        pthread_key_delete(server->worker_key);
    }
    if (started & SERVER_LOCK)
        pthread_mutex_destroy(&server->lock);
    answer_cache_free(server->resolver.answers);
    page_free(server->resolver.page);
    free(server);
}

http_server *http_start(store *s, config *c, char *error, size_t error_size)
{
    struct sockaddr_storage addr;
    if (parse_listen(c->listen, &addr) != 0) {
        snprintf(error, error_size, "listen: '%s' is not IPV4:PORT or [IPV6]:PORT", c->listen);
        return NULL;
    }
    http_server *server = calloc(1, sizeof(*server));
    if (!server) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    server->store = s;
    server->config = c;
    char page[4096];
    ocl_buffer html = {0};
    FILE *f = host_data_file("templates/pages/product.html", page, sizeof(page)) == 0
                  ? fopen(page, "r")
                  : NULL;
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ocl_buffer_append(&html, chunk, n);
    if (f)
        fclose(f);
    ocl_buffer_append(&html, "", 1);
    if (!f || html.len < 2) {
        snprintf(error, error_size, "cannot read the page template '%s'", page);
        ocl_buffer_free(&html);
        free(server);
        return NULL;
    }
    server->resolver.page = resolver_page_compile((char *)html.data);
    ocl_buffer_free(&html);
    server->resolver.answers = answer_cache_new();
    if (!server->resolver.page || !server->resolver.answers) {
        snprintf(error, error_size, "out of memory");
        server_free(server, 0);
        return NULL;
    }
    pthread_mutex_init(&server->lock, NULL);
    if (log_start(&server->log) != 0) {
        snprintf(error, error_size, "cannot start a thread");
        server_free(server, SERVER_LOCK);
        return NULL;
    }
    pthread_key_create(&server->worker_key, worker_free);
    verdict_rules rules = {c->verdict.networks, c->verdict.window_hours * 3600, c->verdict.scans};
    server->resolver.scans = store_scans_start(s, &rules);
    if (!server->resolver.scans) {
        snprintf(error, error_size, "cannot start the scan writer");
        server_free(server, SERVER_LOCK | SERVER_LOG);
        return NULL;
    }
    /* Turbo (with epoll): libmicrohttpd reads a kept-alive connection
     * optimistically rather than waiting on epoll first, and skips some
     * shutdown() calls; fewer system calls for each small request. */
    /* IPv6 as dual stack: on [::] IPv4 clients are served too, and come
     * as mapped addresses, which client.c turns back into IPv4. */
    unsigned family = addr.ss_family == AF_INET6 ? MHD_USE_DUAL_STACK : 0;
    server->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
            MHD_USE_ERROR_LOG | family,
        0, NULL, NULL, on_request, server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(2 * host_cores()), MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, server, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        server, MHD_OPTION_END);
    if (!server->daemon) {
        snprintf(error, error_size, "cannot listen on %s", c->listen);
        server_free(server, SERVER_LOCK | SERVER_LOG);
        return NULL;
    }
    return server;
}

void http_reload(http_server *server, const config *fresh)
{
    pthread_mutex_lock(&server->lock);
    memcpy(server->config->base_url, fresh->base_url, sizeof(fresh->base_url));
    memcpy(server->config->certificate_key, fresh->certificate_key, sizeof(fresh->certificate_key));
    atomic_fetch_add(&server->config_generation, 1);
    pthread_mutex_unlock(&server->lock);
}

void http_stop(http_server *server)
{
    if (!server)
        return;
    /* Stop accepting, then let the requests in flight be answered (up to
     * 30 seconds) before the connections are closed. */
    MHD_quiesce_daemon(server->daemon);
    for (int waited = 0; atomic_load(&server->in_flight) > 0 && waited < 3000; waited++) {
        struct timespec tick = {0, 10 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    /* The workers' connections close as their threads end. */
    MHD_stop_daemon(server->daemon);
    /* Every request has been answered: what is queued is all there is. */
    server_free(server, SERVER_LOCK | SERVER_LOG);
}
