/*
 * The resolver's side of the store: what a scanned code stands for, read
 * in one statement, and the scan itself, written behind. Nearly every real
 * scan is the first of its serial, so no scan is written on its own: one
 * thread commits every scan that arrived in the last few milliseconds in
 * one transaction (group commit), and a serial's verdict is computed from
 * what is committed plus what is still queued, so that it is exact
 * whatever the writer is doing.
 *
 * The writer does not hold the queue's lock while it commits, or every
 * scan would wait for each commit: it takes the queue as a numbered batch
 * ("in flight") and writes the batch's number into meta with it. A reader
 * reads that number in the same snapshot as the serial's history, so it
 * knows whether its snapshot holds the batch in flight or must add it.
 *
 * What a code stands for changes rarely and is shared by every unit of a
 * lot, so a resolver keeps it (store_code) with the registry's version,
 * which triggers on the registry's tables raise; a scan reads the version
 * in its snapshot and reads the code again only when it has moved.
 */
#include "store.h"
#include "internal.h"
#include "clock.h"
#include "host.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A scan waiting to be written: its row in scans and, for an issued
 * serial, its share of the serial's count, network and verdict. */
typedef struct {
    char gtin[16], lot[32], serial[32], network[48];
    time_t at;
    long lot_id;     /* an issued serial's lot, else 0 */
    int suspicious;  /* the verdict this scan was given */
    int next;        /* the next item of its bucket in the batch, or -1 */
    int first;       /* the serial's first scan: its network is first_network */
    int new_network; /* a network the serial was not scanned from before */
} queued_scan;

/* Bounds the memory; a scan that finds the queue full waits for the
 * writer, which empties it in milliseconds. */
#define SCANS_QUEUED_MAX 4096
/* How long the writer gathers scans into one transaction. After a SIGKILL
 * what was gathered, and what the writer was committing, is lost. */
#define SCANS_GATHER_NS (2 * 1000 * 1000L)
/* SQLite would checkpoint in the commit that passes 1000 pages, with two
 * fsyncs, and the scans would wait for it: a thread of its own does it
 * once the WAL passes CHECKPOINT_PAGES, on a connection of its own, while
 * the writer goes on committing. Past CHECKPOINT_PAGES_MAX (the checkpoints
 * never catching up) the writer does one itself. */
#define CHECKPOINT_PAGES     4000
#define CHECKPOINT_PAGES_MAX (8 * CHECKPOINT_PAGES)
/* The writer's page cache, in KiB: the scans' tables and indexes of a few
 * million serials. */
#define WRITER_CACHE_KIB "65536"

/* A numbered batch of scans, queued or being committed, and where each
 * serial's scans are in it: a verdict adds a serial's queued scans, and
 * going through the whole queue for them at each scan would cost more
 * than the scan. Items of an issued serial are in the chain of their
 * bucket, in the order they were queued. */
#define BATCH_BUCKETS (2 * SCANS_QUEUED_MAX)
typedef struct {
    queued_scan *item;
    size_t count;
    int *head, *tail; /* each bucket's first and last item, or -1 */
} scan_batch;

struct store_scans {
    store *writer;
    verdict_rules rules;
    /* Guards the two batches and the numbers, never held across a commit. */
    pthread_mutex_t lock;
    pthread_cond_t wake, room;
    pthread_t thread;
    int stopping;
    scan_batch queued, flying; /* flying: being committed as batch committed + 1 */
    long long committed;       /* the last batch known to be in the database */
    /* The batch committed last, kept until the next commit: a scan whose
     * snapshot was taken just before that commit adds it from here rather
     * than reading its serial again with every other scan waiting. */
    scan_batch settled;
    long long settled_batch; /* its number; -1: none */
    /* The meta key this writer numbers its batches under: each daemon of a
     * database has its own, or one would read another's number as its own
     * ("scan_batch:" host, process and random bits). */
    char batch_key[96];
    int order[SCANS_QUEUED_MAX]; /* the batch's serials, sorted, as flush() writes them */
    int wal_pages;               /* after the writer's last commit */
    long long commits;           /* the writer's, counted for the checkpointer */
    sqlite3 *wal;                /* the writer's SQLite handle; NULL on PostgreSQL */
    sqlite3 *checkpoint_db;
    pthread_t checkpointer;
    pthread_cond_t checkpoint_due;
};

/* The networks of a serial the verdict reads: the most recent first. A
 * serial seen from more than this many is long judged. */
#define NETWORKS_READ 256

/* A serial's history as the verdict sees it. */
typedef struct {
    int issued, suspicious;
    long scans, networks; /* all, though at most NETWORKS_READ are listed */
    time_t first;         /* 0: never scanned */
    long long batch;      /* the last batch of scans the snapshot holds */
    long long registry;   /* the registry's version in the snapshot */
    size_t listed;
    char network[NETWORKS_READ][48];
    time_t first_from[NETWORKS_READ];
} serial_history;

/* ---------- what a code stands for ---------- */

/* The lot's journey as the scan page tells it: the areas its inputs grew
 * in (codes and certifications), the first harvest, its journal in time
 * order, and the first day its units were shipped. */
#define JOURNEY_SELECT                                                                             \
    "CASE WHEN l.id IS NOT NULL THEN json_object('areas', (SELECT json_group_array(json_object("   \
    "'code', a.code, 'name', a.name, 'locality', a.locality, 'crop', a.crop, 'certifications', "   \
    "json(a.certifications))) FROM areas a WHERE a.id IN (SELECT i.area_id FROM lot_inputs li "    \
    "JOIN inputs i ON i.id = li.input_id WHERE li.lot_id = l.id)), 'harvested', (SELECT "          \
    "min(i.harvested) FROM lot_inputs li JOIN inputs i ON i.id = li.input_id WHERE li.lot_id = "   \
    "l.id), 'events', (SELECT json_group_array(json_object('step', step, 'at', at, 'place', "      \
    "place, 'note', note)) FROM (SELECT step, at, place, note FROM lot_events WHERE lot_id = "     \
    "l.id "                                                                                        \
    "ORDER BY at_utc, id) AS events), 'shipped', (SELECT min(sh.shipped) FROM shipment_units su "  \
    "JOIN "                                                                                        \
    "shipments sh ON sh.id = su.shipment_id WHERE su.lot_id = l.id)) END"

/* The product (by GTIN, or on the non-GS1 path by lot and serial), its
 * producer, the lot and the product's latest certificate, in one
 * statement (one snapshot). The product's where_to_buy is what the page
 * shows: its links of gs1:purchaseSuggestion and gs1:hasRetailers
 * (api/links.c), never what details once held under that key. */
#define RESOLVE_SELECT                                                                             \
    "SELECT p.id, p.producer_id, p.name, p.grp, p.gtin, json_set(p.details, '$.where_to_buy', "    \
    "json((SELECT json_group_array(json_object('link_type', link_type, 'title', title, 'href', "   \
    "href, 'lang', lang)) FROM (SELECT link_type, title, href, lang FROM product_links WHERE "     \
    "product_id = p.id AND link_type IN ('gs1:purchaseSuggestion', 'gs1:hasRetailers') "           \
    "ORDER BY id) AS links))), r.id, r.name, r.address, "                                          \
    "r.kind, r.phone, r.locality, r.created_at, l.id, l.code, l.produced, l.expires, "             \
    "c.number, e.stars, c.level, c.valid_until, c.revoked_at, (SELECT json_object('reason', "      \
    "rc.reason, 'action', rc.action, 'since', strftime('%Y-%m-%dT%H:%M:%S+07:00', rc.created_at, " \
    "'+7 hours')) FROM recalled_lots rl JOIN recalls rc ON rc.id = rl.recall_id WHERE rl.lot_id "  \
    "= l.id), " JOURNEY_SELECT " FROM products p "                                                 \
    "LEFT JOIN producers r ON r.id = p.producer_id "                                               \
    "LEFT JOIN lots l ON l.product_id = p.id AND l.code = ?2 "                                     \
    "LEFT JOIN certificates c ON c.id = (SELECT c2.id FROM certificates c2 JOIN evaluations "      \
    "e2 ON e2.id = c2.evaluation_id WHERE e2.product_id = p.id "                                   \
    "ORDER BY c2.decision_date DESC LIMIT 1) "                                                     \
    "LEFT JOIN evaluations e ON e.id = c.evaluation_id WHERE p.id = "
enum { AT_PRODUCER = 6, AT_LOT = 13, AT_CERTIFICATE = 17, AT_RECALL = 22, AT_JOURNEY = 23 };

static json_t *optional_text(db_stmt *st, int i)
{
    const char *t = store_column_text(st, i);
    return t ? json_string(t) : json_null();
}

static json_t *lot_row_at(db_stmt *st, int at)
{
    return json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)db_column_int64(st, at), "code",
                     store_column_text(st, at + 1), "produced", optional_text(st, at + 2),
                     "expires", optional_text(st, at + 3));
}

static json_t *certificate_row_at(db_stmt *st, int at)
{
    return json_pack("{s:s, s:i, s:s, s:s, s:o}", "number", store_column_text(st, at), "stars",
                     (int)db_column_int64(st, at + 1), "level", store_column_text(st, at + 2),
                     "valid_until", store_column_text(st, at + 3), "revoked_at",
                     optional_text(st, at + 4));
}

static json_t *resolved_row(db_stmt *st, long *lot_id)
{
    json_t *out = json_object();
    json_object_set_new(out, "product", store_product_row(st));
    if (!db_column_is_null(st, AT_PRODUCER))
        json_object_set_new(out, "producer", store_producer_row_at(st, AT_PRODUCER));
    int has_lot = !db_column_is_null(st, AT_LOT);
    *lot_id = has_lot ? (long)db_column_int64(st, AT_LOT) : 0;
    json_object_set_new(out, "lot", has_lot ? lot_row_at(st, AT_LOT) : json_null());
    json_object_set_new(out, "certificate",
                        !db_column_is_null(st, AT_CERTIFICATE)
                            ? certificate_row_at(st, AT_CERTIFICATE)
                            : json_null());
    /* A recalled lot's units are still genuine: the recall is said beside
     * the verdict, and only then. */
    const char *recall = store_column_text(st, AT_RECALL);
    json_t *r = recall ? json_loads(recall, 0, NULL) : NULL;
    if (r)
        json_object_set_new(out, "recall", r);
    const char *journey = store_column_text(st, AT_JOURNEY);
    json_t *j = journey ? json_loads(journey, 0, NULL) : NULL;
    if (j)
        json_object_set_new(out, "journey", j);
    return out;
}

/* What the scan names, without recording it; *lot_id is its lot or 0.
 * NULL when the code is not registered. */
static json_t *resolve_read(store *s, const store_scan *scan, long *lot_id)
{
    db_stmt *st =
        store_kept(s, scan->gtin ? RESOLVE_SELECT "(SELECT id FROM products WHERE gtin = ?1)"
                                 : RESOLVE_SELECT "(SELECT l2.product_id FROM serials x JOIN "
                                                  "lots l2 ON l2.id = x.lot_id WHERE l2.code = "
                                                  "?2 AND x.serial = ?3 AND CAST(?1 AS TEXT) "
                                                  "IS NULL)");
    *lot_id = 0;
    if (!st)
        return NULL;
    store_bind_optional(st, 1, scan->gtin);
    store_bind_optional(st, 2, scan->lot);
    store_bind_optional(st, 3, scan->serial);
    json_t *out = db_step(st) == DB_ROW ? resolved_row(st, lot_id) : NULL;
    store_release(s, st);
    return out;
}

/* The last batch of scans committed (0 before the first) and the
 * registry's version, as this connection's snapshot sees them: 0, or -1
 * on error. */
static int marks_read(store *s, const store_scans *q, long long *batch, long long *registry)
{
    db_stmt *st = store_kept(s, "SELECT (SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?1), "
                                "(SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'registry')");
    if (!st)
        return -1;
    db_bind_text(st, 1, q->batch_key);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *batch = db_column_int64(st, 0);
        *registry = db_column_int64(st, 1);
    }
    store_release(s, st);
    return rc == DB_ROW ? 0 : -1;
}

const char *store_registry_migration(void)
{
    return "DROP INDEX IF EXISTS scans_serial;"
           "ALTER TABLE serials ADD COLUMN first_network TEXT;"
           "INSERT OR IGNORE INTO meta (key, value) VALUES ('registry', '0');" REGISTRY_TRIGGERS(
               "producers") REGISTRY_TRIGGERS("products") REGISTRY_TRIGGERS("lots")
               REGISTRY_TRIGGERS("evaluations") REGISTRY_TRIGGERS("certificates")
                   REGISTRY_TRIGGERS("product_links") REGISTRY_TRIGGERS("product_photos");
}

/* SQLite has one writer at a time, whose transaction holds the version's
 * row with everything else: nothing to change there. */
const char *store_registry_at_commit_migration(void)
{
    return "";
}

static int networks_read(store *s, long lot_id, const char *serial, serial_history *h);

/* The columns a serial's history is read from, in history_row()'s order. */
#define HISTORY_COLUMNS                                                                            \
    "x.scans, x.first_scan_at, x.suspicious_at IS NOT NULL, x.first_network, CASE WHEN x.scans "   \
    "= 0 THEN 0 ELSE (CASE WHEN x.first_network IS NULL THEN 0 ELSE 1 END) + (SELECT count(*) "    \
    "FROM serial_networks n WHERE n.lot_id = x.lot_id AND n.serial = x.serial) END"

/* A serial's history from the HISTORY_COLUMNS at `at` of an issued serial. */
static void history_row(db_stmt *st, int at, serial_history *h)
{
    h->issued = 1;
    h->scans = (long)db_column_int64(st, at);
    h->first = clock_parse_utc(store_column_text(st, at + 1));
    h->suspicious = (int)db_column_int64(st, at + 2);
    const char *first_network = store_column_text(st, at + 3);
    if (first_network) {
        snprintf(h->network[0], sizeof(h->network[0]), "%s", first_network);
        h->first_from[h->listed++] = h->first;
    }
    h->networks = (long)db_column_int64(st, at + 4);
}

/* The serial's committed history: 0, or -1 on error. Called inside a read
 * transaction, after marks_read(), so that h->batch says what it holds. */
static int history_read(store *s, long lot_id, const char *serial, serial_history *h)
{
    h->issued = h->suspicious = 0, h->scans = h->networks = 0, h->first = 0, h->listed = 0;
    db_stmt *st = store_kept(s, "SELECT " HISTORY_COLUMNS
                                " FROM serials x WHERE lot_id = ?1 AND serial = ?2");
    if (!st)
        return -1;
    db_bind_int64(st, 1, lot_id);
    db_bind_text(st, 2, serial);
    int rc = db_step(st);
    if (rc == DB_ROW)
        history_row(st, 0, h);
    store_release(s, st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 0 : -1;
    /* Most serials are scanned from one network: its row says which. */
    return h->networks > (long)h->listed ? networks_read(s, lot_id, serial, h) : 0;
}

/* Lists the networks the serial was scanned from besides its first. Up to
 * NETWORKS_READ the order does not matter (all are read); past it, the
 * latest are, and sorting them costs only there. */
static int networks_read(store *s, long lot_id, const char *serial, serial_history *h)
{
    db_stmt *st =
        h->networks <= NETWORKS_READ
            ? store_kept(s, "SELECT network, first_at FROM serial_networks WHERE lot_id = ?1 AND "
                            "serial = ?2")
            : store_kept(s, "SELECT network, first_at FROM serial_networks WHERE lot_id = ?1 AND "
                            "serial = ?2 ORDER BY first_at DESC");
    if (!st)
        return -1;
    db_bind_int64(st, 1, lot_id);
    db_bind_text(st, 2, serial);
    int rc = DB_DONE;
    while (h->listed < NETWORKS_READ && (rc = db_step(st)) == DB_ROW) {
        snprintf(h->network[h->listed], sizeof(h->network[0]), "%s", store_column_text(st, 0));
        h->first_from[h->listed++] = clock_parse_utc(store_column_text(st, 1));
    }
    if (h->listed >= NETWORKS_READ)
        rc = DB_DONE;
    store_release(s, st);
    return rc == DB_DONE ? 0 : -1;
}

/* Counts one more scan into the history, at `at` from `network`: 1 when
 * the network is new to the serial, else 0. */
static int history_add(serial_history *h, const char *network, time_t at, int suspicious)
{
    h->scans++;
    h->suspicious |= suspicious;
    if (!h->first || at < h->first)
        h->first = at;
    for (size_t i = 0; i < h->listed; i++)
        if (strcmp(h->network[i], network) == 0)
            return 0;
    h->networks++;
    if (h->listed < NETWORKS_READ) {
        snprintf(h->network[h->listed], sizeof(h->network[0]), "%s", network);
        h->first_from[h->listed++] = at;
    }
    return 1;
}

static int verdict_of(const verdict_rules *rules, const serial_history *h, time_t now)
{
    verdict_network seen[NETWORKS_READ];
    for (size_t i = 0; i < h->listed; i++)
        seen[i] = (verdict_network){h->network[i], h->first_from[i]};
    return h->suspicious || verdict_suspicious(rules, h->scans, seen, h->listed, now);
}

/* ---------- the queue and its writer ---------- */

static int same_serial(const queued_scan *a, long lot_id, const char *serial)
{
    return a->lot_id == lot_id && strcmp(a->serial, serial) == 0;
}

/* FNV-1a of the lot and the serial. */
static size_t bucket_of(long lot_id, const char *serial)
{
    unsigned long long h = 14695981039346656037ull ^ (unsigned long long)lot_id;
    for (const unsigned char *p = (const unsigned char *)serial; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h % BATCH_BUCKETS);
}

/* The first item of the serial in the batch, or -1; then the next with
 * next_of(). */
static int first_of(const scan_batch *b, long lot_id, const char *serial)
{
    int i = b->head[bucket_of(lot_id, serial)];
    while (i >= 0 && !same_serial(&b->item[i], lot_id, serial))
        i = b->item[i].next;
    return i;
}

static int next_of(const scan_batch *b, int i)
{
    const queued_scan *e = &b->item[i];
    int j = e->next;
    while (j >= 0 && !same_serial(&b->item[j], e->lot_id, e->serial))
        j = b->item[j].next;
    return j;
}

/* Puts the batch's last item, of an issued serial, in its bucket's chain. */
static void batch_index(scan_batch *b)
{
    int i = (int)b->count - 1;
    size_t at = bucket_of(b->item[i].lot_id, b->item[i].serial);
    b->item[i].next = -1;
    if (b->tail[at] >= 0)
        b->item[b->tail[at]].next = i;
    else
        b->head[at] = i;
    b->tail[at] = i;
}

/* Empties the batch, its buckets with it. */
static void batch_clear(scan_batch *b)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->item[i].lot_id) {
            size_t at = bucket_of(b->item[i].lot_id, b->item[i].serial);
            b->head[at] = b->tail[at] = -1;
        }
    b->count = 0;
}

static int batch_alloc(scan_batch *b)
{
    b->count = 0;
    b->item = calloc(SCANS_QUEUED_MAX, sizeof(queued_scan));
    b->head = malloc(BATCH_BUCKETS * sizeof(int));
    b->tail = malloc(BATCH_BUCKETS * sizeof(int));
    if (!b->item || !b->head || !b->tail)
        return -1;
    memset(b->head, 0xff, BATCH_BUCKETS * sizeof(int));
    memset(b->tail, 0xff, BATCH_BUCKETS * sizeof(int));
    return 0;
}

static void batch_free(scan_batch *b)
{
    free(b->item), free(b->head), free(b->tail);
}

/* How many scans of item `i`'s serial the batch holds from `i` on, and
 * when the first suspicious one was made (0: none). */
static long queued_of(const scan_batch *b, size_t i, time_t *suspicious_at)
{
    long n = 0;
    *suspicious_at = 0;
    for (int j = (int)i; j >= 0; j = next_of(b, j)) {
        n++;
        if (b->item[j].suspicious && !*suspicious_at)
            *suspicious_at = b->item[j].at;
    }
    return n;
}

/* Adds the queue's scans of the serial of item `i` to its row, once: at
 * the serial's first item, with the earliest time and the first
 * suspicious one. 0 or -1. */
static int count_queued(store *s, const scan_batch *b, size_t i)
{
    const queued_scan *e = &b->item[i];
    time_t suspicious_at;
    if (first_of(b, e->lot_id, e->serial) != (int)i)
        return 0;
    long n = queued_of(b, i, &suspicious_at);
    char first[CLOCK_ISO_MAX], flagged[CLOCK_ISO_MAX];
    clock_iso_utc(e->at, first);
    if (suspicious_at)
        clock_iso_utc(suspicious_at, flagged);
    db_stmt *st =
        store_kept(s, "UPDATE serials SET scans = scans + ?4, first_scan_at = "
                      "COALESCE(first_scan_at, ?3), first_network = CASE WHEN scans = 0 THEN "
                      "?6 ELSE first_network END, suspicious_at = COALESCE(suspicious_at, ?5) "
                      "WHERE lot_id = ?1 AND serial = ?2");
    if (!st)
        return -1;
    db_bind_int64(st, 1, e->lot_id);
    db_bind_text(st, 2, e->serial);
    db_bind_text(st, 3, first);
    db_bind_int64(st, 4, n);
    store_bind_optional(st, 5, suspicious_at ? flagged : NULL);
    db_bind_text(st, 6, e->network);
    return store_kept_done(s, st) == 0 ? 0 : -1;
}

static int write_network(store *s, const queued_scan *e, const char *at)
{
    db_stmt *st = store_kept(
        s, "INSERT INTO serial_networks (lot_id, serial, network, first_at) SELECT "
           "CAST(?1 AS BIGINT), CAST(?2 AS TEXT), CAST(?3 AS TEXT), CAST(?4 AS TEXT) WHERE NOT "
           "EXISTS (SELECT 1 FROM serials WHERE lot_id = ?1 AND serial = ?2 AND first_network = "
           "?3) ON CONFLICT DO NOTHING");
    if (!st)
        return -1;
    db_bind_int64(st, 1, e->lot_id);
    db_bind_text(st, 2, e->serial);
    db_bind_text(st, 3, e->network);
    db_bind_text(st, 4, at);
    return store_kept_done(s, st) == 0 ? 0 : -1;
}

static int write_scan(store *s, const queued_scan *e, const char *at)
{
    db_stmt *st = store_kept(s, "INSERT INTO scans (gtin, lot, serial, network, at) VALUES "
                                "(?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return -1;
    store_bind_optional(st, 1, e->gtin[0] ? e->gtin : NULL);
    store_bind_optional(st, 2, e->lot[0] ? e->lot : NULL);
    store_bind_optional(st, 3, e->serial[0] ? e->serial : NULL);
    store_bind_optional(st, 4, e->network);
    store_bind_optional(st, 5, at);
    return store_kept_done(s, st) == 0 ? 0 : -1;
}

static int write_batch_number(store *s, const store_scans *q, long long batch)
{
    db_stmt *st = store_kept(s, "INSERT INTO meta (key, value) VALUES (?2, CAST(?1 AS TEXT)) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st)
        return -1;
    db_bind_int64(st, 1, batch);
    db_bind_text(st, 2, q->batch_key);
    return store_kept_done(s, st) == 0 ? 0 : -1;
}

/* The order of two items' serials: by lot, then serial. */
static int by_serial(const void *a, const void *b, void *batch)
{
    const queued_scan *x = &((const scan_batch *)batch)->item[*(const int *)a];
    const queued_scan *y = &((const scan_batch *)batch)->item[*(const int *)b];
    if (x->lot_id != y->lot_id)
        return (x->lot_id > y->lot_id) - (x->lot_id < y->lot_id);
    return strcmp(x->serial, y->serial);
}

/* The batch's issued serials, each once, in the order of their keys:
 * two daemons' writers that hold some serials of a batch each then wait
 * for one another, and never each for the other (a deadlock). Their
 * count. */
static size_t serials_in_order(store_scans *q)
{
    const scan_batch *b = &q->flying;
    size_t serials = 0;
    for (size_t i = 0; i < b->count; i++) {
        const queued_scan *e = &b->item[i];
        if (e->lot_id && first_of(b, e->lot_id, e->serial) == (int)i)
            q->order[serials++] = (int)i;
    }
    qsort_r(q->order, serials, sizeof(q->order[0]), by_serial, (void *)b);
    return serials;
}

/* The batch row by row, a statement each: SQLite's statements cost no
 * round trip. A serial's first network is in its row (count_queued), so
 * that a first scan, as most are, writes one row besides the log. */
static int write_rows(store_scans *q, size_t serials)
{
    store *s = q->writer;
    const scan_batch *b = &q->flying;
    int ok = 1;
    for (size_t i = 0; ok && i < b->count; i++) {
        char at[CLOCK_ISO_MAX];
        clock_iso_utc(b->item[i].at, at);
        ok = write_scan(s, &b->item[i], at) == 0;
    }
    for (size_t k = 0; ok && k < serials; k++) {
        ok = count_queued(s, b, (size_t)q->order[k]) == 0;
        for (int j = q->order[k]; ok && j >= 0; j = next_of(b, j)) {
            const queued_scan *e = &b->item[j];
            char at[CLOCK_ISO_MAX];
            clock_iso_utc(e->at, at);
            ok = e->first || !e->new_network || write_network(s, e, at) == 0;
        }
    }
    return ok ? 0 : -1;
}

static json_t *text_or_null(const char *text)
{
    return text[0] ? json_string(text) : json_null();
}

/* The batch as three JSON arrays of arrays: the log's rows, each serial's
 * share (in key order) and the serials' new networks. 0 or -1. */
static int batch_as_json(store_scans *q, size_t serials, json_t *rows[3])
{
    const scan_batch *b = &q->flying;
    for (int r = 0; r < 3; r++)
        rows[r] = json_array();
    int ok = rows[0] && rows[1] && rows[2];
    for (size_t i = 0; ok && i < b->count; i++) {
        const queued_scan *e = &b->item[i];
        char at[CLOCK_ISO_MAX];
        clock_iso_utc(e->at, at);
        ok = json_array_append_new(rows[0], json_pack("[o o o s s]", text_or_null(e->gtin),
                                                      text_or_null(e->lot), text_or_null(e->serial),
                                                      e->network, at)) == 0;
        if (ok && e->lot_id && !e->first && e->new_network)
            ok = json_array_append_new(rows[2], json_pack("[I s s s]", (json_int_t)e->lot_id,
                                                          e->serial, e->network, at)) == 0;
    }
    for (size_t k = 0; ok && k < serials; k++) {
        const queued_scan *e = &b->item[q->order[k]];
        time_t suspicious_at;
        long n = queued_of(b, (size_t)q->order[k], &suspicious_at);
        char first[CLOCK_ISO_MAX], flagged[CLOCK_ISO_MAX] = "";
        clock_iso_utc(e->at, first);
        if (suspicious_at)
            clock_iso_utc(suspicious_at, flagged);
        ok = json_array_append_new(rows[1], json_pack("[I s I s o s]", (json_int_t)e->lot_id,
                                                      e->serial, (json_int_t)n, first,
                                                      text_or_null(flagged), e->network)) == 0;
    }
    return ok ? 0 : -1;
}

/* One statement with a JSON array as its one parameter; 0 or -1. */
static int write_json(store *s, const char *sql, const json_t *rows)
{
    if (json_array_size(rows) == 0)
        return 0;
    char *text = json_dumps(rows, JSON_COMPACT);
    db_stmt *st = text ? store_kept(s, sql) : NULL;
    if (st)
        db_bind_text(st, 1, text);
    int rc = st ? db_step(st) : DB_FAILED;
    store_release(s, st);
    free(text);
    return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

/* PostgreSQL: the batch in four statements whatever its length, each
 * taking its rows as one JSON array, since there a statement a row was
 * two round trips a scan and the writer fell behind the readers. The
 * serials' rows are locked first, in the order of their keys. */
static const char *const WRITE_SET[] = {
    "INSERT INTO scans (gtin, lot, serial, network, at) SELECT x.v->>0, x.v->>1, x.v->>2, "
    "x.v->>3, x.v->>4 FROM jsonb_array_elements(CAST(?1 AS JSONB)) AS x(v)",
    "SELECT count(*) FROM (SELECT 1 FROM serials s JOIN jsonb_array_elements(CAST(?1 AS JSONB)) AS "
    "x(v) ON s.lot_id = CAST(x.v->>0 AS BIGINT) AND s.serial = x.v->>1 ORDER BY s.lot_id, "
    "s.serial FOR UPDATE OF s) AS locked",
    "UPDATE serials s SET scans = s.scans + CAST(x.v->>2 AS BIGINT), first_scan_at = "
    "COALESCE(s.first_scan_at, x.v->>3), first_network = CASE WHEN s.scans = 0 THEN x.v->>5 ELSE "
    "s.first_network END, suspicious_at = COALESCE(s.suspicious_at, x.v->>4) FROM "
    "jsonb_array_elements(CAST(?1 AS JSONB)) AS x(v) WHERE s.lot_id = CAST(x.v->>0 AS BIGINT) AND "
    "s.serial = x.v->>1",
    "INSERT INTO serial_networks (lot_id, serial, network, first_at) SELECT CAST(x.v->>0 AS "
    "BIGINT), x.v->>1, x.v->>2, x.v->>3 FROM jsonb_array_elements(CAST(?1 AS JSONB)) AS x(v) WHERE "
    "NOT EXISTS (SELECT 1 FROM serials WHERE lot_id = CAST(x.v->>0 AS BIGINT) AND serial = "
    "x.v->>1 AND first_network = x.v->>2) ON CONFLICT DO NOTHING",
};

static int write_set(store_scans *q, size_t serials)
{
    json_t *rows[3];
    int ok = batch_as_json(q, serials, rows) == 0;
    const json_t *arguments[] = {rows[0], rows[1], rows[1], rows[2]};
    for (size_t k = 0; ok && k < sizeof(WRITE_SET) / sizeof(WRITE_SET[0]); k++)
        ok = write_json(q->writer, WRITE_SET[k], arguments[k]) == 0;
    for (int r = 0; r < 3; r++)
        json_decref(rows[r]);
    return ok ? 0 : -1;
}

/* Writes the batch in flight, with its number, in one transaction; on
 * failure it stays in flight. Called without the lock: only the writer
 * touches the batch in flight while its count is not 0. */
static int flush(store_scans *q, long long batch)
{
    store *s = q->writer;
    char error[STORE_ERROR_MAX];
    if (store_transaction(s, error) != 0)
        return -1;
    size_t serials = serials_in_order(q);
    int ok =
        write_batch_number(s, q, batch) == 0 &&
        (store_backend(s) == DB_POSTGRESQL ? write_set(q, serials) : write_rows(q, serials)) == 0;
    if (!ok || store_exec(s, "COMMIT", error) != 0) {
        store_exec(s, "ROLLBACK", error);
        return -1;
    }
    return 0;
}

/* With the lock held: the queue becomes the batch in flight (unless one
 * failed and is still there), and the queue is empty again. */
static void take_queue(store_scans *q)
{
    if (q->flying.count)
        return;
    scan_batch empty = q->flying;
    q->flying = q->queued;
    q->queued = empty;
    pthread_cond_broadcast(&q->room);
}

/* Notes the WAL's length after each of the writer's commits (which hold
 * no lock then), and wakes the checkpointer when it is due. */
static int wal_grown(void *arg, sqlite3 *conn, const char *name, int pages)
{
    (void)conn, (void)name;
    store_scans *q = arg;
    pthread_mutex_lock(&q->lock);
    q->wal_pages = pages;
    q->commits++;
    if (pages >= CHECKPOINT_PAGES)
        pthread_cond_signal(&q->checkpoint_due);
    pthread_mutex_unlock(&q->lock);
    return SQLITE_OK;
}

/* Checkpoints while the WAL is long, once after each of the writer's
 * commits at most: the WAL starts again from its beginning at the first
 * commit after a checkpoint that copied all of it. */
static void *checkpointer(void *arg)
{
    store_scans *q = arg;
    long long seen = 0;
    pthread_mutex_lock(&q->lock);
    while (!q->stopping) {
        if (q->wal_pages < CHECKPOINT_PAGES || q->commits == seen) {
            pthread_cond_wait(&q->checkpoint_due, &q->lock);
            continue;
        }
        seen = q->commits;
        pthread_mutex_unlock(&q->lock);
        sqlite3_wal_checkpoint_v2(q->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* The checkpointer's connection and thread (SQLite only): 0, or -1. */
static int checkpointer_start(store_scans *q)
{
    if (!q->wal)
        return 0;
    const char *path = sqlite3_db_filename(q->wal, "main");
    if (!path ||
        sqlite3_open_v2(path, &q->checkpoint_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_exec(q->checkpoint_db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) !=
            SQLITE_OK ||
        pthread_create(&q->checkpointer, NULL, checkpointer, q) != 0) {
        sqlite3_close(q->checkpoint_db);
        q->checkpoint_db = NULL;
        return -1;
    }
    return 0;
}

static void *scans_writer(void *arg)
{
    store_scans *q = arg;
    pthread_mutex_lock(&q->lock);
    for (int failures = 0;;) {
        while (!q->queued.count && !q->flying.count && !q->stopping)
            pthread_cond_wait(&q->wake, &q->lock);
        if (!q->queued.count && !q->flying.count)
            break;
        if (!q->stopping) {
            pthread_mutex_unlock(&q->lock);
            nanosleep(&(struct timespec){0, SCANS_GATHER_NS}, NULL);
            pthread_mutex_lock(&q->lock);
        }
        take_queue(q);
        long long batch = q->committed + 1;
        size_t count = q->flying.count;
        pthread_mutex_unlock(&q->lock);
        int rc = flush(q, batch);
        pthread_mutex_lock(&q->lock);
        if (rc == 0) {
            q->committed = batch;
            scan_batch done = q->flying;
            q->flying = q->settled;
            q->settled = done;
            q->settled_batch = batch;
            batch_clear(&q->flying);
        } else {
            /* Busy for seconds (a long import): try again, but not forever
             * once asked to stop. */
            fprintf(stderr, "ocoptrace: cannot write %zu scans: %s\n", count,
                    db_error(store_db(q->writer)));
            if (q->stopping && ++failures >= 3)
                break;
        }
        if (q->wal && q->wal_pages >= CHECKPOINT_PAGES_MAX) {
            pthread_mutex_unlock(&q->lock);
            sqlite3_wal_checkpoint_v2(q->wal, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            pthread_mutex_lock(&q->lock);
            q->wal_pages = 0;
        }
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* Stops the checkpointer (q->stopping set) and closes its connection. */
static void checkpointer_stop(store_scans *q)
{
    if (!q->wal)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = 1;
    pthread_cond_signal(&q->checkpoint_due);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->checkpointer, NULL);
    sqlite3_close(q->checkpoint_db);
}

static void scans_free(store_scans *q)
{
    pthread_cond_destroy(&q->checkpoint_due);
    pthread_cond_destroy(&q->room);
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    batch_free(&q->queued), batch_free(&q->flying), batch_free(&q->settled);
    free(q);
}

/* This writer's own key; its counter starts at 0 (a daemon's batches
 * start again from 1 at each start). */
static void batch_key_make(store_scans *q)
{
    char name[HOST_PROCESS_NAME_MAX];
    host_process_name(name);
    snprintf(q->batch_key, sizeof(q->batch_key), "scan_batch:%s", name);
}

store_scans *store_scans_start(store *writer, const verdict_rules *rules)
{
    store_scans *q = calloc(1, sizeof(*q));
    long long registry;
    if (!q || batch_alloc(&q->queued) != 0 || batch_alloc(&q->flying) != 0 ||
        batch_alloc(&q->settled) != 0 ||
        (batch_key_make(q), marks_read(writer, q, &q->committed, &registry)) != 0) {
        if (q)
            batch_free(&q->queued), batch_free(&q->flying), batch_free(&q->settled);
        free(q);
        return NULL;
    }
    q->writer = writer;
    q->settled_batch = -1;
    /* Random serials dirty pages all over serials, serial_networks and the
     * scans' index: with SQLite's default 2 MB the writer reads them back
     * and spills them mid-transaction. Allocated only as pages are used. */
    q->rules = *rules;
    q->wal = db_sqlite(store_db(writer));
    if (q->wal) {
        char error[STORE_ERROR_MAX];
        store_exec(writer, "PRAGMA cache_size = -" WRITER_CACHE_KIB, error);
        sqlite3_wal_hook(q->wal, wal_grown, q); /* in place of its auto-checkpoint */
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    pthread_cond_init(&q->room, NULL);
    pthread_cond_init(&q->checkpoint_due, NULL);
    if (checkpointer_start(q) != 0) {
        scans_free(q);
        return NULL;
    }
    if (pthread_create(&q->thread, NULL, scans_writer, q) != 0) {
        checkpointer_stop(q);
        scans_free(q);
        return NULL;
    }
    return q;
}

void store_scans_stop(store_scans *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = 1;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    checkpointer_stop(q);
    if (q->wal)
        sqlite3_wal_autocheckpoint(q->wal, 1000); /* drops the hook */
    db_stmt *st = store_kept(q->writer, "DELETE FROM meta WHERE key = ?1");
    if (st)
        db_bind_text(st, 1, q->batch_key);
    store_kept_done(q->writer, st); /* a daemon killed leaves one row, no more */
    scans_free(q);
}

static int copy_field(char *dest, size_t size, const char *text)
{
    size_t len = text ? strlen(text) : 0;
    if (len >= size)
        return -1;
    memcpy(dest, text ? text : "", len + 1);
    return 0;
}

/* Fills the queue's next item; -1 when a field is too long for it. */
static int fill(queued_scan *e, const store_scan *scan, const char *gtin, time_t at)
{
    if (copy_field(e->gtin, sizeof(e->gtin), gtin) != 0 ||
        copy_field(e->lot, sizeof(e->lot), scan->lot) != 0 ||
        copy_field(e->serial, sizeof(e->serial), scan->serial) != 0 ||
        copy_field(e->network, sizeof(e->network), scan->network) != 0)
        return -1;
    e->at = at;
    e->lot_id = 0;
    e->suspicious = 0;
    return 0;
}

/* A read transaction: the statements in it see one snapshot, and each
 * statement on its own would be a read transaction of its own, and each
 * one after the writer's commit throws away the connection's page cache. */
static int snapshot_begin(store *s)
{
    /* PostgreSQL's default takes a new snapshot at each statement. */
    return store_kept_done(s, store_kept(s, store_backend(s) == DB_SQLITE
                                                ? "BEGIN"
                                                : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ "
                                                  "ONLY"));
}

static void snapshot_end(store *s)
{
    store_kept_done(s, store_kept(s, "COMMIT"));
}

/* The serial's history read again, in a snapshot of its own. */
static int history_snapshot(store *s, const store_scans *q, long lot_id, const char *serial,
                            serial_history *h)
{
    if (snapshot_begin(s) != 0)
        return -1;
    int rc =
        marks_read(s, q, &h->batch, &h->registry) == 0 ? history_read(s, lot_id, serial, h) : -1;
    snapshot_end(s);
    return rc;
}

/* Adds a batch's scans of the serial to its history. */
static void history_add_batch(serial_history *h, const scan_batch *b, long lot_id,
                              const char *serial)
{
    for (int i = first_of(b, lot_id, serial); i >= 0; i = next_of(b, i))
        history_add(h, b->item[i].network, b->item[i].at, b->item[i].suspicious);
}

/* With the lock held: 1 when `h` lacks a committed batch that is no
 * longer in memory (the writer committed twice since its snapshot, which
 * is rare), so that the serial must be read again. */
static int stale(const store_scans *q, const serial_history *h)
{
    return h->batch < q->committed &&
           !(h->batch == q->committed - 1 && q->settled_batch == q->committed);
}

/* Queues the scan, with the lock held, and judges an issued serial on
 * what is committed plus what was committed since its snapshot (kept),
 * in flight and queued. `h` holds every batch up to h->batch. 0, 1 when
 * `h` is stale (nothing queued: read it again without the lock), or -1. */
static int record(store_scans *q, const store_scan *scan, const char *gtin, long lot_id,
                  serial_history *h)
{
    while (q->queued.count >= SCANS_QUEUED_MAX)
        pthread_cond_wait(&q->room, &q->lock);
    int judged = lot_id && scan->serial;
    if (judged && stale(q, h))
        return 1;
    queued_scan *e = &q->queued.item[q->queued.count];
    time_t now = time(NULL);
    if (fill(e, scan, gtin, now) != 0)
        return -1;
    if (judged && h->issued) {
        if (h->batch == q->committed - 1)
            history_add_batch(h, &q->settled, lot_id, scan->serial);
        if (q->flying.count && h->batch <= q->committed)
            history_add_batch(h, &q->flying, lot_id, scan->serial);
        history_add_batch(h, &q->queued, lot_id, scan->serial);
        e->first = h->scans == 0;
        e->new_network = history_add(h, e->network, now, 0);
        e->suspicious = verdict_of(&q->rules, h, now);
        h->suspicious = e->suspicious;
        e->lot_id = lot_id;
    }
    if (q->queued.count++ == 0)
        pthread_cond_signal(&q->wake);
    if (e->lot_id)
        batch_index(&q->queued);
    return 0;
}

/* Queues the scan; a stale history is read again with the lock released,
 * so that no other scan waits for that read. 0 or -1. */
static int record_fresh(store *s, store_scans *q, const store_scan *scan, const char *gtin,
                        long lot_id, serial_history *h)
{
    pthread_mutex_lock(&q->lock);
    int rc;
    while ((rc = record(q, scan, gtin, lot_id, h)) == 1) {
        pthread_mutex_unlock(&q->lock);
        rc = history_snapshot(s, q, lot_id, scan->serial, h);
        pthread_mutex_lock(&q->lock);
        if (rc != 0)
            break;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

static void seen_of(const serial_history *h, store_serial_seen *seen)
{
    seen->issued = h->issued;
    seen->suspicious = h->suspicious;
    seen->scans = h->scans;
    seen->networks = h->networks;
    seen->first_at[0] = '\0';
    if (h->issued)
        clock_iso_vietnam(h->first, seen->first_at);
}

static const char *code_gtin(const store_code *code)
{
    return json_string_value(json_object_get(json_object_get(code->resolved, "product"), "gtin"));
}

/* In one snapshot: the registry's version, the code again when that moved
 * (then 1), and the serial's history, which also says which batches of
 * scans it holds. 0, 1 or -1. */
/* PostgreSQL: the marks and a known code's serial in one statement, which
 * is one snapshot there, so that most scans cost one round trip rather
 * than four. 1 when that was all (the registry unchanged, the serial seen
 * from one network at most), 0 when the whole read is needed, -1. */
static int marks_and_history_read(store *s, const store_scans *q, const store_scan *scan,
                                  const store_code *code, serial_history *h)
{
    if (store_backend(s) != DB_POSTGRESQL || !code->resolved || !code->lot_id || !scan->serial)
        return 0;
    db_stmt *st = store_kept(
        s, "SELECT (SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?1), (SELECT CAST(value AS "
           "BIGINT) FROM meta WHERE key = 'registry'), x.lot_id IS NOT NULL, " HISTORY_COLUMNS
           " FROM (SELECT 1) AS one LEFT JOIN serials x ON x.lot_id = ?2 AND x.serial = ?3");
    if (!st)
        return -1;
    db_bind_text(st, 1, q->batch_key);
    db_bind_int64(st, 2, code->lot_id);
    db_bind_text(st, 3, scan->serial);
    int rc = db_step(st), done = 0;
    if (rc == DB_ROW) {
        h->batch = db_column_int64(st, 0);
        h->registry = db_column_int64(st, 1);
        h->issued = h->suspicious = 0, h->scans = h->networks = 0, h->first = 0, h->listed = 0;
        if (db_column_int64(st, 2))
            history_row(st, 3, h);
        done = h->registry == code->registry && h->networks <= (long)h->listed;
    }
    store_release(s, st);
    return rc == DB_ROW ? done : -1;
}

static int code_and_history_read(store *s, const store_scans *q, const store_scan *scan,
                                 store_code *code, serial_history *h)
{
    int quick = marks_and_history_read(s, q, scan, code, h);
    if (quick != 0)
        return quick > 0 ? 0 : -1;
    if (snapshot_begin(s) != 0)
        return -1;
    int fresh = 0, rc = marks_read(s, q, &h->batch, &h->registry);
    if (rc == 0 && h->registry != code->registry) {
        fresh = 1;
        long lot_id = 0;
        json_t *resolved = resolve_read(s, scan, &lot_id);
        *code = (store_code){resolved, NULL, resolved ? lot_id : 0, h->registry};
        if (code->resolved)
            code->photos =
                store_photo_list(s, (long)json_integer_value(json_object_get(
                                        json_object_get(code->resolved, "product"), "id")));
    }
    h->issued = h->suspicious = 0, h->scans = h->networks = 0;
    if (rc == 0 && code->resolved && code->lot_id && scan->serial)
        rc = history_read(s, code->lot_id, scan->serial, h);
    snapshot_end(s);
    if (rc != 0 && fresh)
        store_code_free(code);
    return rc != 0 ? -1 : fresh;
}

int store_scan_record(store *s, store_scans *q, const store_scan *scan, store_code *code,
                      store_serial_seen *seen)
{
    serial_history *h = malloc(sizeof(*h));
    int fresh = h ? code_and_history_read(s, q, scan, code, h) : -1;
    if (fresh < 0 || !code->resolved) {
        free(h);
        return fresh;
    }
    int rc = record_fresh(s, q, scan, code_gtin(code), code->lot_id, h);
    seen_of(h, seen);
    free(h);
    if (rc != 0) {
        if (fresh)
            store_code_free(code);
        return -1;
    }
    return fresh;
}

void store_code_free(store_code *code)
{
    json_decref(code->resolved);
    json_decref(code->photos);
    *code = (store_code){NULL, NULL, 0, -1};
}

json_t *store_code_read(store *s, const store_scan *scan, long *lot_id)
{
    return resolve_read(s, scan, lot_id);
}
