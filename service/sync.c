/*
 * Delivering the outbox. Each round takes the deliveries that are due (the
 * oldest pending of each product, so a product's keep their order), sends
 * them at once over libcurl's multi interface, and records every outcome in
 * one transaction. A delivery is marked done only after the remote said
 * so: a crash in between sends it again under the same Idempotency-Key,
 * and the remote answers a repeat without acting twice.
 *
 * 2xx and 409 (already have it) are done; 429, 5xx, timeouts and
 * connection or TLS errors are retried with exponential backoff and jitter
 * (Retry-After wins when given) up to max_attempts; any other answer is a
 * dead letter, its body kept, until `ocoptrace sync retry`.
 */
#include "sync.h"
#include "store.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SYNC_PARALLEL  32          /* deliveries in flight at once */
#define SYNC_IDLE_MS   100         /* how often an idle worker looks again */
#define RESPONSE_MAX   (64 * 1024) /* of a remote's answer kept for a dead letter */
#define SYNC_ERROR_MAX 512

struct sync_worker {
    pthread_t thread;
    atomic_int stop;
    store *store;
    config config;
    CURLM *multi;
};

typedef struct {
    store_delivery *delivery;
    CURL *easy;
    struct curl_slist *headers;
    char response[RESPONSE_MAX + 1];
    size_t response_len;
    long retry_after_s; /* -1: none given */
    char error[CURL_ERROR_SIZE];
} transfer;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t keep_body(char *data, size_t size, size_t n, void *user)
{
    transfer *t = user;
    size_t len = size * n, room = RESPONSE_MAX - t->response_len;
    size_t take = len < room ? len : room;
    memcpy(t->response + t->response_len, data, take);
    t->response_len += take;
    t->response[t->response_len] = '\0';
    return len;
}

static size_t keep_header(char *data, size_t size, size_t n, void *user)
{
    transfer *t = user;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        char value[64];
        snprintf(value, sizeof(value), "%.*s", (int)(len - 12), data + 12);
        char *end = NULL;
        long seconds = strtol(value, &end, 10);
        if (end != value && seconds >= 0)
            t->retry_after_s = seconds;
        else {
            time_t when = curl_getdate(value, NULL); /* the HTTP-date form */
            if (when > 0)
                t->retry_after_s = when > time(NULL) ? (long)(when - time(NULL)) : 0;
        }
    }
    return len;
}

static int transfer_setup(sync_worker *w, transfer *t, store_delivery *d)
{
    char url[sizeof(w->config.sync.endpoint) + 32], header[320];
    memset(t, 0, sizeof(*t));
    t->delivery = d;
    t->retry_after_s = -1;
    t->easy = curl_easy_init();
    if (!t->easy)
        return -1;
    snprintf(url, sizeof(url), "%s%s", w->config.sync.endpoint, d->path);
    snprintf(header, sizeof(header), "Content-Type: %s", d->content_type);
    t->headers = curl_slist_append(t->headers, header);
    snprintf(header, sizeof(header), "Idempotency-Key: %s", d->key);
    t->headers = curl_slist_append(t->headers, header);
    if (w->config.sync.token[0]) {
        snprintf(header, sizeof(header), "Authorization: Bearer %s", w->config.sync.token);
        t->headers = curl_slist_append(t->headers, header);
    }
    if (strcmp(d->kind, "commissioning") == 0)
        t->headers = curl_slist_append(t->headers, "GS1-EPCIS-Version: 2.0.0");
    t->headers = curl_slist_append(t->headers, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(t->easy, CURLOPT_URL, url);
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, w->config.sync.timeout_s * 1000L);
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "ocoptrace");
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
    if (w->config.sync.ca_file[0])
        curl_easy_setopt(t->easy, CURLOPT_CAINFO, w->config.sync.ca_file);
    return curl_multi_add_handle(w->multi, t->easy) == CURLM_OK ? 0 : -1;
}

static void transfer_free(sync_worker *w, transfer *t)
{
    if (t->easy) {
        curl_multi_remove_handle(w->multi, t->easy);
        curl_easy_cleanup(t->easy);
    }
    curl_slist_free_all(t->headers);
    t->easy = NULL;
    t->headers = NULL;
}

/* When to try again: backoff_ms doubled per attempt, capped, half of it
 * random so that many waiting deliveries do not return together. */
static long long retry_at(const sync_worker *w, const transfer *t)
{
    if (t->retry_after_s >= 0)
        return now_ms() + (long long)t->retry_after_s * 1000;
    long long delay = w->config.sync.backoff_ms, cap = w->config.sync.backoff_max_s * 1000LL;
    for (int i = 0; i < t->delivery->attempts && delay < cap; i++)
        delay *= 2;
    if (delay > cap)
        delay = cap;
    return now_ms() + delay / 2 + (long long)randombytes_uniform((uint32_t)(delay / 2 + 1));
}

/* What one finished transfer comes to; `error` holds the words. */
static void judge(const sync_worker *w, const transfer *t, CURLcode code, store_sync_result *r,
                  char error[SYNC_ERROR_MAX])
{
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    r->id = t->delivery->id;
    r->status = code == CURLE_OK ? (int)status : 0;
    r->response = t->response_len ? t->response : NULL;
    r->error = error;
    error[0] = '\0';
    if (code != CURLE_OK) {
        snprintf(error, SYNC_ERROR_MAX, "%.100s: %.300s", curl_easy_strerror(code),
                 t->error[0] ? t->error : "no details");
        r->outcome = SYNC_RETRY;
    } else if ((status >= 200 && status < 300) || status == 409) {
        r->outcome = SYNC_DELIVERED;
        r->error = NULL;
    } else if (status == 429 || status >= 500) {
        snprintf(error, SYNC_ERROR_MAX, "HTTP %ld from %s", status, t->delivery->path);
        r->outcome = SYNC_RETRY;
    } else {
        snprintf(error, SYNC_ERROR_MAX, "HTTP %ld from %s: refused", status, t->delivery->path);
        r->outcome = SYNC_DEAD;
    }
    if (r->outcome == SYNC_RETRY && t->delivery->attempts + 1 >= w->config.sync.max_attempts) {
        size_t len = strlen(error);
        snprintf(error + len, SYNC_ERROR_MAX - len, " (gave up after %d attempts)",
                 t->delivery->attempts + 1);
        r->outcome = SYNC_DEAD;
    }
    if (r->outcome == SYNC_RETRY)
        r->next_ms = retry_at(w, t);
}

/* Runs the transfers until each has finished; 0, or -1 when stopped. */
static int run_transfers(sync_worker *w)
{
    int running = 1;
    while (running && !atomic_load(&w->stop)) {
        if (curl_multi_perform(w->multi, &running) != CURLM_OK)
            return -1;
        if (running)
            curl_multi_poll(w->multi, NULL, 0, SYNC_IDLE_MS, NULL);
    }
    return atomic_load(&w->stop) ? -1 : 0;
}

/* One round: the deliveries due now, sent together. How many, or -1. */
static int deliver_round(sync_worker *w)
{
    store_delivery due[SYNC_PARALLEL];
    transfer *t = calloc(SYNC_PARALLEL, sizeof(*t));
    store_sync_result results[SYNC_PARALLEL];
    char errors[SYNC_PARALLEL][SYNC_ERROR_MAX];
    int n = t ? store_sync_due(w->store, now_ms(), due, SYNC_PARALLEL) : -1;
    int ready = 0;
    for (int i = 0; i < n; i++)
        if (transfer_setup(w, &t[i], &due[i]) == 0)
            ready++;
    if (n > 0 && ready == n && run_transfers(w) == 0) {
        CURLMsg *m;
        int left, done = 0;
        while ((m = curl_multi_info_read(w->multi, &left)))
            if (m->msg == CURLMSG_DONE) {
                transfer *x = NULL;
                curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
                judge(w, x, m->data.result, &results[done], errors[done]);
                done++;
            }
        if (store_sync_record(w->store, results, done) != 0)
            fprintf(stderr, "ocoptrace: sync: cannot record %d deliveries\n", done);
    }
    for (int i = 0; i < n; i++) {
        transfer_free(w, &t[i]);
        store_delivery_free(&due[i]);
    }
    free(t);
    return n;
}

static void *worker(void *arg)
{
    sync_worker *w = arg;
    while (!atomic_load(&w->stop)) {
        int n = deliver_round(w);
        if (n <= 0) {
            struct timespec idle = {0, SYNC_IDLE_MS * 1000000L};
            nanosleep(&idle, NULL);
        }
    }
    return NULL;
}

sync_worker *sync_start(const char *db_path, const config *c, char *error, size_t size)
{
    error[0] = '\0';
    if (!c->sync.endpoint[0])
        return NULL;
    sync_worker *w = calloc(1, sizeof(*w));
    char store_error[STORE_ERROR_MAX];
    if (!w || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(error, size, "sync: cannot start libcurl");
        free(w);
        return NULL;
    }
    w->config = *c;
    size_t len = strlen(w->config.sync.endpoint);
    while (len > 0 && w->config.sync.endpoint[len - 1] == '/')
        w->config.sync.endpoint[--len] = '\0';
    w->store = store_open(db_path, store_error);
    w->multi = w->store ? curl_multi_init() : NULL;
    if (!w->multi || pthread_create(&w->thread, NULL, worker, w) != 0) {
        snprintf(error, size, "sync: %s", w->store ? "cannot start the worker" : store_error);
        if (w->multi)
            curl_multi_cleanup(w->multi);
        store_close(w->store);
        free(w);
        return NULL;
    }
    return w;
}

void sync_stop(sync_worker *w)
{
    if (!w)
        return;
    atomic_store(&w->stop, 1);
    curl_multi_wakeup(w->multi);
    pthread_join(w->thread, NULL);
    curl_multi_cleanup(w->multi);
    store_close(w->store);
    curl_global_cleanup();
    free(w);
}
