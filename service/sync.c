/*
 * Delivering the outbox. Up to SYNC_PARALLEL deliveries are in flight at
 * once over libcurl's multi interface; free slots take the deliveries that
 * are due (the oldest pending of each product, so that a product's keep
 * their order), and finished ones are recorded in batches, one transaction
 * each. A slow answer holds only its own slot. A delivery is marked done
 * only after the remote said
 * so: a crash in between sends it again under the same Idempotency-Key,
 * and the remote answers a repeat without acting twice.
 *
 * Every daemon of one database runs a worker: each claims the deliveries
 * it starts for a lease of two timeouts and five seconds, so that one of
 * them sends each; the claims of a daemon that dies run out, and the others
 * take them over.
 *
 * 2xx and 409 (already have it) are done; 429, 5xx, timeouts and
 * connection or TLS errors are retried with exponential backoff and jitter
 * (Retry-After wins when given) up to max_attempts; any other answer is a
 * dead letter, its body kept, until `ocoptrace sync retry`.
 */
#include "sync.h"
#include "host.h"
#include "store/store.h"

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
    char owner[HOST_PROCESS_NAME_MAX]; /* its name on the deliveries it claims */
    long long lease_ms;                /* how long a claim holds: two timeouts and a margin */
};

typedef struct {
    store_delivery delivery;
    CURL *easy; /* NULL: the slot is free */
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

static int transfer_setup(sync_worker *w, transfer *t, const store_delivery *d)
{
    char url[sizeof(w->config.sync.endpoint) + 32], header[320];
    memset(t, 0, sizeof(*t));
    t->delivery = *d;
    d = &t->delivery;
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

/* Half of the delay random, so that many waiting deliveries (or mails)
 * do not return together. */
long long sync_backoff_at(long long now, int attempts, long backoff_ms, long backoff_max_s)
{
    long long delay = backoff_ms, cap = backoff_max_s * 1000LL;
    for (int i = 0; i < attempts && delay < cap; i++)
        delay *= 2;
    if (delay > cap)
        delay = cap;
    return now + delay / 2 + (long long)randombytes_uniform((uint32_t)(delay / 2 + 1));
}

/* When to try again: Retry-After, else the backoff. */
static long long retry_at(const sync_worker *w, const transfer *t)
{
    if (t->retry_after_s >= 0)
        return now_ms() + (long long)t->retry_after_s * 1000;
    return sync_backoff_at(now_ms(), t->delivery.attempts, w->config.sync.backoff_ms,
                           w->config.sync.backoff_max_s);
}

/* A finished delivery waiting to be recorded: its id stays out of the
 * next fetches until then, as the outbox still says pending. */
typedef struct {
    store_sync_result result;
    char error[SYNC_ERROR_MAX];
    char *response;
} finished;

/* What one finished transfer comes to. */
static void judge(const sync_worker *w, const transfer *t, CURLcode code, finished *f)
{
    long status = 0;
    store_sync_result *r = &f->result;
    char *error = f->error;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    r->id = t->delivery.id;
    r->status = code == CURLE_OK ? (int)status : 0;
    f->response = NULL;
    r->response = NULL;
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
        snprintf(error, SYNC_ERROR_MAX, "HTTP %ld from %s", status, t->delivery.path);
        r->outcome = SYNC_RETRY;
    } else {
        snprintf(error, SYNC_ERROR_MAX, "HTTP %ld from %s: refused", status, t->delivery.path);
        r->outcome = SYNC_DEAD;
    }
    if (r->outcome == SYNC_RETRY && t->delivery.attempts + 1 >= w->config.sync.max_attempts) {
        size_t len = strlen(error);
        snprintf(error + len, SYNC_ERROR_MAX - len, " (gave up after %d attempts)",
                 t->delivery.attempts + 1);
        r->outcome = SYNC_DEAD;
    }
    if (r->outcome == SYNC_RETRY)
        r->next_ms = retry_at(w, t);
    /* Only a dead letter keeps what the remote said. */
    if (r->outcome == SYNC_DEAD && t->response_len)
        r->response = f->response = strdup(t->response);
}

typedef struct {
    transfer slot[SYNC_PARALLEL];
    int running;
    finished done[SYNC_PARALLEL];
    int done_count;
    long long first_done_ms;
} pipeline;

static int busy_with(const pipeline *p, long id)
{
    for (int i = 0; i < SYNC_PARALLEL; i++)
        if (p->slot[i].easy && p->slot[i].delivery.id == id)
            return 1;
    for (int i = 0; i < p->done_count; i++)
        if (p->done[i].result.id == id)
            return 1;
    return 0;
}

/* Fills free slots with deliveries that are due; how many started. */
static int start_due(sync_worker *w, pipeline *p)
{
    /* Claim no more than the free slots take: a claim holds the delivery
     * from the other daemons' workers until its lease runs out. */
    int free_slots = 0;
    for (int s = 0; s < SYNC_PARALLEL; s++)
        free_slots += !p->slot[s].easy;
    store_delivery due[SYNC_PARALLEL];
    int n = free_slots
                ? store_sync_claim(w->store, w->owner, now_ms(), w->lease_ms, due, free_slots)
                : 0,
        started = 0;
    for (int i = 0, s = 0; i < n; i++) {
        while (s < SYNC_PARALLEL && p->slot[s].easy)
            s++;
        if (s < SYNC_PARALLEL && !busy_with(p, due[i].id)) {
            if (transfer_setup(w, &p->slot[s], &due[i]) == 0) {
                p->running++;
                started++;
                continue; /* the slot owns the body now */
            }
            transfer_free(w, &p->slot[s]);
        }
        store_delivery_free(&due[i]);
    }
    return started;
}

/* Moves finished transfers to the batch waiting to be recorded. */
static void collect(sync_worker *w, pipeline *p)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(w->multi, &left)) && p->done_count < SYNC_PARALLEL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        transfer *t = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        if (!p->done_count)
            p->first_done_ms = now_ms();
        judge(w, t, m->data.result, &p->done[p->done_count++]);
        transfer_free(w, t);
        store_delivery_free(&t->delivery);
        p->running--;
    }
}

static void record(sync_worker *w, pipeline *p)
{
    store_sync_result results[SYNC_PARALLEL];
    for (int i = 0; i < p->done_count; i++)
        results[i] = p->done[i].result;
    if (store_sync_record(w->store, results, p->done_count) != 0)
        fprintf(stderr, "ocoptrace: sync: cannot record %d deliveries\n", p->done_count);
    for (int i = 0; i < p->done_count; i++)
        free(p->done[i].response);
    p->done_count = 0;
}

static void *worker(void *arg)
{
    sync_worker *w = arg;
    pipeline *p = calloc(1, sizeof(*p));
    long long next_fetch = 0;
    while (p && !atomic_load(&w->stop)) {
        int free_slots = SYNC_PARALLEL - p->running - p->done_count;
        if (free_slots > 0 && (p->running == 0 || free_slots >= SYNC_PARALLEL / 4) &&
            now_ms() >= next_fetch && !start_due(w, p))
            next_fetch = now_ms() + SYNC_IDLE_MS;
        int still;
        curl_multi_perform(w->multi, &still);
        collect(w, p);
        /* Recorded in batches: after a full one, when nothing else is in
         * flight, or 20 ms after the first finished. */
        if (p->done_count && (p->done_count >= SYNC_PARALLEL / 2 || p->running == 0 ||
                              now_ms() - p->first_done_ms >= 20))
            record(w, p);
        if (p->running)
            curl_multi_poll(w->multi, NULL, 0, 20, NULL);
        else if (!p->done_count)
            curl_multi_poll(w->multi, NULL, 0, SYNC_IDLE_MS, NULL);
    }
    /* Stopping: what finished is recorded; what is in flight is sent again
     * after the restart, under the same key. */
    if (p) {
        collect(w, p);
        record(w, p);
        for (int i = 0; i < SYNC_PARALLEL; i++)
            if (p->slot[i].easy) {
                transfer_free(w, &p->slot[i]);
                store_delivery_free(&p->slot[i].delivery);
            }
    }
    free(p);
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
    host_process_name(w->owner);
    w->lease_ms = (2LL * w->config.sync.timeout_s + 5) * 1000;
    size_t len = strlen(w->config.sync.endpoint);
    while (len > 0 && w->config.sync.endpoint[len - 1] == '/')
        w->config.sync.endpoint[--len] = '\0';
    w->store = store_connect(db_path, store_error);
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
