/*
 * The store: every query of the service, behind these functions, in the
 * files of service/store/ (one per resource: producers.c, products.c,
 * lots.c, certificates.c, users.c, scans.c, trace.c, outbox.c...), with
 * numbered migrations applied at open (migrations.c) and the connection in
 * store.c. No SQL lives anywhere else.
 */
#ifndef OCOPTRACE_STORE_H
#define OCOPTRACE_STORE_H

#include "verdict.h"

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

typedef struct store store;

#define STORE_ERROR_MAX 256

/* A reader holds a token for the provincial or national system to pull
 * EPCIS events with, and may do nothing else. */
typedef enum {
    ROLE_ADMIN,
    ROLE_OFFICER,
    ROLE_PRODUCER,
    ROLE_READER,
    ROLE_COMMUNE, /* receives and checks dossiers */
    ROLE_COUNCIL, /* scores them; a user with `chair` closes the scoring */
    ROLE_COUNT
} store_role;

/* Opens (creating it and its folder if missing) and migrates the database.
 * Returns NULL with the reason in `error`. */
store *store_open(const char *path, char error[STORE_ERROR_MAX]);
/* Another connection to a database a store_open() of this process has
 * migrated: none is applied, and a schema made newer since by another
 * daemon (which migrations only ever extend) is used as it is. */
store *store_connect(const char *url, char error[STORE_ERROR_MAX]);
void store_close(store *s);

/* The schema version, and how many migrations the last open applied. */
int store_version(const store *s);
int store_applied(const store *s);
int store_latest_version(void);

/* An online copy of the whole database to `path`. 0, or -1 with error. */
int store_backup(store *s, const char *path, char error[STORE_ERROR_MAX]);

int store_role_parse(const char *name);
const char *store_role_name(store_role role);

/* Whether producer `id` exists: 1, 0, or -1 on error. */
int store_producer_exists(store *s, long id);

/* The user an API token belongs to. 1 found, 0 not, -1 on error. */
typedef struct {
    long id;
    store_role role;
    long producer_id; /* producers only */
    int chair;        /* council only: the chair, who closes a scoring */
} store_user;
int store_token_user(store *s, const char *token, store_user *user);

/* Adds a user and a new API token for it, in one transaction; the token is
 * kept only as its hash. Fills `token` (the only time it is seen).
 * The new user's id, -1 with error, or -2 when the name is taken. */
#define STORE_TOKEN_MAX 64
typedef struct {
    const char *name;
    store_role role;
    long producer_id;  /* producers only */
    const char *email; /* where reminders go; NULL or "": none */
    int chair;         /* council only */
} store_new_user;
long store_user_add(store *s, const store_new_user *u, char token[STORE_TOKEN_MAX],
                    char error[STORE_ERROR_MAX]);
/* Sets user `name`'s password (kept as an Argon2id hash): 1 done, 0 no
 * such user, -1 error. */
int store_user_password(store *s, const char *name, const char *password);
/* The user a name and password sign in as: 1, 0 (wrong), -1 error. */
int store_password_user(store *s, const char *name, const char *password, store_user *user);
/* A new web session: its cookie value and CSRF token. 0 or -1. */
int store_session_create(store *s, long user_id, char token[STORE_TOKEN_MAX],
                         char csrf[STORE_TOKEN_MAX]);
/* The user and CSRF token of a live session: 1, 0 (none or expired), -1. */
int store_session_user(store *s, const char *token, store_user *user, char csrf[STORE_TOKEN_MAX]);
int store_session_delete(store *s, const char *token);
/* Seconds `who` (a user name, or a network for token sign-ins) must wait
 * before the next sign-in is checked, after repeated failures. */
long store_sign_in_wait(store *s, const char *who);
/* Counts a failure, or forgets them after a success. */
int store_sign_in_result(store *s, const char *who, int succeeded);
/* A user: id, name, role, producer_id, email, chair. */
json_t *store_user_get(store *s, long id);
/* Every user (id, name, role, producer_id, created_at, email, chair),
 * without tokens. */
json_t *store_user_list(store *s);

/* Producers, as JSON objects (jansson) with their id. */
typedef struct {
    const char *name, *address, *kind, *phone, *locality; /* NULL: unchanged on update */
} store_producer;
/* Creates; returns the new id, or -1 with error. */
long store_producer_create(store *s, const store_producer *p, char error[STORE_ERROR_MAX]);
/* Updates the given fields; 1 done, 0 no such producer, -1 error. */
int store_producer_update(store *s, long id, const store_producer *p, char error[STORE_ERROR_MAX]);
/* One producer (NULL if none) or the list (all, or only `only_id` if > 0). */
json_t *store_producer_get(store *s, long id);
json_t *store_producer_list(store *s, long only_id);

/* Registrations waiting in the outbox for the remote system. */
/* ---------- the outbox (store/outbox.c) ---------- */

/* How the sync worker stands: counts by state, the last error and success,
 * and up to 100 dead letters. */
json_t *store_sync_status(store *s);
typedef struct {
    long pending, retrying, dead, delivered;
} store_sync_counts;
int store_sync_count(store *s, store_sync_counts *counts);
/* Puts dead letter `id` (0: every one) back to pending; how many, or -1. */
long store_sync_retry(store *s, long id);

/* One delivery the worker owes. */
typedef struct {
    long id;
    char key[48]; /* Idempotency-Key */
    char kind[16];
    char path[32];
    char content_type[32];
    char *body; /* malloc'd */
    int attempts;
} store_delivery;
/* Claims for `owner` (a worker's name), until `now_ms` + `lease_ms`, up to
 * `max` deliveries due at `now_ms`: the oldest pending of each product, so
 * that a product's deliveries keep their order, and none another worker
 * holds. A worker that dies leaves its claims to run out; the others then
 * take them. How many, in the order they were queued; -1 on error. */
int store_sync_claim(store *s, const char *owner, long long now_ms, long long lease_ms,
                     store_delivery *out, int max);
void store_delivery_free(store_delivery *d);
/* What came of one delivery attempt. */
typedef enum { SYNC_DELIVERED, SYNC_RETRY, SYNC_DEAD } store_sync_outcome;
typedef struct {
    long id;
    store_sync_outcome outcome;
    int status;           /* HTTP status, 0 when none came */
    long long next_ms;    /* SYNC_RETRY: when */
    const char *error;    /* what went wrong, or NULL */
    const char *response; /* the remote's body (dead letters keep it), or NULL */
} store_sync_result;
/* Records the attempts' outcomes in one transaction. 0 or -1. */
int store_sync_record(store *s, const store_sync_result *results, int count);

/* Copies every row of `from` into `to`, a new database of the same
 * schema version on either backend (ids kept, in one transaction), then
 * counts each table on both sides into `counts`. 0, or -1 with error and
 * nothing written. */
#define STORE_COPY_TABLES 64
typedef struct {
    const char *table;
    long long from, to;
} store_copy_count;
int store_copy(store *from, store *to, store_copy_count counts[STORE_COPY_TABLES], int *count,
               char error[STORE_ERROR_MAX]);

/* A transaction around several calls (an import): 0 or -1. */
int store_begin(store *s);
int store_commit(store *s);
void store_rollback(store *s);

/* Products: name, group and GTIN as columns, the label contents
 * (net_quantity, ingredients, ...) as a JSON object in `details`. */
typedef struct {
    long producer_id; /* 0: unchanged on update */
    const char *name, *group, *gtin;
    json_t *details; /* borrowed; NULL: unchanged on update */
} store_product;
/* Returns the new id, -1 on error, -2 when the GTIN is taken. */
long store_product_create(store *s, const store_product *p, char error[STORE_ERROR_MAX]);
int store_product_update(store *s, long id, const store_product *p, char error[STORE_ERROR_MAX]);
json_t *store_product_get(store *s, long id);
json_t *store_product_list(store *s, long producer_id);
/* The producer a product belongs to, or 0. */
long store_product_owner(store *s, long id);

/* Lots: new id, -1 error, -2 code taken for the product. */
long store_lot_create(store *s, long product_id, const char *code, const char *produced,
                      const char *expires, char error[STORE_ERROR_MAX]);
json_t *store_lot_get(store *s, long id);
long store_lot_owner(store *s, long id);
long store_lot_product(store *s, long id);
/* A product's lots, each with its count of serials. */
json_t *store_lot_list(store *s, long product_id);
/* Adds serials to a lot in one transaction, with the commissioning event
 * (an EPCIS document) queued for the remote in the same one unless NULL;
 * 0 or -1 (a repeat: -2). */
int store_serials_add(store *s, long lot_id, const char *const *serials, size_t count,
                      const char *commissioning, char error[STORE_ERROR_MAX]);

/* An evaluation and, when its stars are recognised, its certificate, in
 * one transaction with an audit line. */
typedef struct {
    long product_id, officer_id;
    int scores[3], stars;
    const char *number; /* the certificate's; NULL: no certificate */
    const char *decision_number, *decision_date, *level, *issuer, *signer_title, *signer_name;
    const char *valid_until;
} store_evaluation;
/* Returns the certificate's id (or the evaluation's when there is none);
 * -1 error, -2 the certificate number is taken. */
long store_evaluation_create(store *s, const store_evaluation *e, char error[STORE_ERROR_MAX]);
/* A certificate by id or number, with its product and producer snapshot. */
json_t *store_certificate_get(store *s, long id, const char *number);
/* The number of the product's certificate in force on `today`
 * (YYYY-MM-DD): 1 found, 0 none. */
int store_product_certificate(store *s, long product_id, const char *today, char *number,
                              size_t size);
/* Certificates (of one producer unless 0), oldest validity first; with
 * `until` (YYYY-MM-DD), only those in force that end by then. */
json_t *store_certificate_list(store *s, long producer_id, const char *until);
/* The producer a certificate's product belongs to, or 0. */
long store_certificate_owner(store *s, long id);
/* 1 revoked now, 0 no such certificate, 2 already revoked, -1 error. */
int store_certificate_revoke(store *s, long id, const char *reason, long officer_id,
                             char error[STORE_ERROR_MAX]);

/* The officers' summary on `today` (YYYY-MM-DD): products by stars (valid
 * certificates), by group; producers by kind and locality with the shares
 * of cooperatives and SMEs; certificates expiring within 30 and 90 days. */
json_t *store_report_summary(store *s, const char *today);

/* The officers' exports (store/exports.c), as arrays of row objects in
 * the lists' order; NULL on error. Products with a certificate in force
 * on `today` (one row each: the certificate that ends last), by stars,
 * group and name: id, name, group, producer, kind, locality, stars,
 * number, decided, valid_until. */
json_t *store_export_products(store *s, const char *today);
/* Dossiers (only those in `state` unless NULL) by state in the
 * workflow's order, then id: id, product, group, producer, state, sheet,
 * submitted_at (the first submission), updated_at, total, mean, stars. */
json_t *store_export_dossiers(store *s, const char *state);
/* Certificates in force on `today` that end by `until`, soonest first:
 * number, product, producer, stars, valid_until. */
json_t *store_export_expiring(store *s, const char *today, const char *until);

/* A lot's serials, sorted; NULL on error. */
json_t *store_lot_serials(store *s, long lot_id);

/* A consumer's scan (store/scans.c). */
typedef struct {
    const char *gtin;    /* 14 digits, or NULL with lot and serial (non-GS1 path) */
    const char *lot;     /* may be NULL */
    const char *serial;  /* may be NULL */
    const char *network; /* the scanner's network, e.g. "203.0.113.0/24" */
} store_scan;

/* Scans are written behind by one thread, through `writer` (which no other
 * thread may use): every scan that arrives within a few milliseconds goes
 * into one transaction (group commit). Verdicts and counts stay exact: they
 * add what is committed to what is queued. Stopping writes what is queued.
 * NULL when out of memory or threads. */
typedef struct store_scans store_scans;
store_scans *store_scans_start(store *writer, const verdict_rules *rules);
void store_scans_stop(store_scans *q);
/* What a code stands for, as a resolver may keep it between scans: the
 * product, its producer, the lot and the product's latest certificate
 * (store_code_read's answer), the product's photos, and the version of
 * the registry it was read at. Every change to producers, products, lots,
 * evaluations, certificates, links or photos, by any connection or
 * process, gives the registry a new version. */
typedef struct {
    json_t *resolved;   /* NULL: the code is not registered */
    json_t *photos;     /* store_photo_list()'s */
    long lot_id;        /* 0: no such lot */
    long long registry; /* -1: nothing read yet */
} store_code;

/* A serial's history as its verdict sees it, this scan included. */
typedef struct {
    int issued;     /* 0: no such serial in the lot: unknown */
    int suspicious; /* its scans look like a copier's */
    long scans, networks;
    char first_at[32]; /* the first scan, +07:00 */
} store_serial_seen;

/* Records the scan in `q` and judges its serial on what is committed plus
 * what is queued. `code` is what the caller knows of the code; unless its
 * registry version is the registry's now, it is read again, in the same
 * snapshot as the serial's history, into `code` (then the caller's to
 * free, with store_code_free) and 1 is returned; else 0. A code that is
 * not registered is not recorded. -1 on error. */
int store_scan_record(store *s, store_scans *q, const store_scan *scan, store_code *code,
                      store_serial_seen *seen);
void store_code_free(store_code *code);
/* Migration 12: who holds a delivery, and until when (store/outbox.c). */
const char *store_outbox_claims_migration(void);
/* Migration 11: the reader role (store/users.c). */
const char *store_reader_migration(void);
/* Migration 9: the registry's version and the triggers that raise it. */
const char *store_registry_migration(void);
const char *store_registry_at_commit_migration(void);

/* What a code stands for, as store_scan_record() reads it (without the
 * serial's history), and the lot's id (0: none); nothing is recorded.
 * NULL when not registered. (store/scans.c) */
json_t *store_code_read(store *s, const store_scan *scan, long *lot_id);

/* ---------- scratch-off PINs (store/pins.c) ---------- */

/* Migration 6: each serial's PIN (a salted keyed hash) and the wrong
 * entries that the limits count. */
const char *store_pins_migration(void);
/* Migration 8: the links producers add to a product (store/links.c). */
const char *store_links_migration(void);
/* Adds serials as store_serials_add() does, each with its PIN, in one
 * transaction; the PINs are kept only as hashes. 0, -1, or -2 (a repeat). */
int store_serials_add_pinned(store *s, long lot_id, const char *const *serials,
                             const char *const *pins, size_t count, const char *commissioning,
                             char error[STORE_ERROR_MAX]);
/* How many of a lot's serials have a PIN, or -1. */
long store_lot_pins(store *s, long lot_id);

/* Wrong PINs allowed within `window` seconds, per serial and per network. */
typedef struct {
    int per_serial, per_network;
    long window;
} store_pin_limits;

typedef enum {
    STORE_PIN_FIRST,   /* right, and the first right entry */
    STORE_PIN_AGAIN,   /* right, but entered before */
    STORE_PIN_WRONG,   /* counted against the limits */
    STORE_PIN_LIMITED, /* not checked: too many wrong ones */
    STORE_PIN_NONE     /* the serial has no PIN */
} store_pin_outcome;

typedef struct {
    store_pin_outcome outcome;
    long long verified_at; /* FIRST, AGAIN: the first right entry, unix seconds */
    long verifications;    /* FIRST, AGAIN: right entries, this one included */
    int left;              /* WRONG: wrong entries still allowed in the window */
    long retry_after;      /* LIMITED: seconds until one more is allowed */
    int by_network;        /* LIMITED: the network's limit, not the serial's */
} store_pin_result;

/* Checks `pin` (digits only) for a serial at `now` (unix seconds), within
 * the limits, and records the outcome, in one transaction. 0, or -1. */
int store_pin_try(store *s, long lot_id, const char *serial, const char *network, const char *pin,
                  const store_pin_limits *limits, long long now, store_pin_result *result);

/* ---------- product photos (store/photos.c) ---------- */

/* Migration 7: each product's photos, as the JPEGs served. */
const char *store_photos_migration(void);
typedef struct {
    long product_id;
    unsigned width, height;
    char etag[40];       /* a quoted hash of the bytes */
    unsigned char *jpeg; /* malloc'd by store_photo_get() */
    size_t len;
} store_photo;
/* Adds a photo unless the product has `per_product` already: its id, -1
 * with error, or -2 (the limit). */
long store_photo_add(store *s, long product_id, const store_photo *p, int per_product,
                     char error[STORE_ERROR_MAX]);
/* A product's photos, oldest first: id, width, height, bytes, created_at. */
json_t *store_photo_list(store *s, long product_id);
/* Photo `id` with its bytes: 1, 0 (none) or -1. */
int store_photo_get(store *s, long id, store_photo *out);
/* The product a photo belongs to, or 0. */
long store_photo_product(store *s, long id);
/* 1 deleted, 0 no such photo, -1 error. */
int store_photo_delete(store *s, long id);

/* ---------- producers' logos (store/logos.c) ---------- */

/* Migration 15: one PNG logo per producer. */
const char *store_logos_migration(void);
/* Migration 16: dossiers, their files, states, returns and scores; the
 * commune and council roles; reminders, notices and the mail outbox
 * (store/dossiers.c). */
const char *store_dossiers_migration(void);
/* Keeps the producer's logo, replacing any: 0, or -1 with error. */
int store_logo_put(store *s, long producer_id, const unsigned char *png, size_t len, int width,
                   int height, char error[STORE_ERROR_MAX]);
/* The producer's logo, malloc'd into *png: 1, 0 (none) or -1. */
int store_logo_get(store *s, long producer_id, unsigned char **png, size_t *len);

/* ---------- the chain: areas, inputs, journal, shipments, recalls (store/trace.c) ---------- */

/* Why a change was refused: an HTTP status, an error code, the field and
 * the rule, as the API answers them. */
typedef struct {
    int status; /* 0: no problem */
    char code[24];
    char field[64];
    char message[240];
} store_problem;

/* Sets `p` to the problem; the rule is a printf format. */
void store_problem_set(store_problem *p, int status, const char *code, const char *field,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same, unless `p` holds a problem already: the first one found is the
 * one told. */
void store_problem_first(store_problem *p, int status, const char *code, const char *field,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void store_problem_vset(store_problem *p, int status, const char *code, const char *field,
                        const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Migration 10: areas, inputs, lot_inputs, lot_events, shipments,
 * shipment_units, recalls, recalled_lots. */
const char *store_trace_migration(void);

/* Records are JSON objects as the API answers them; lists NULL on error;
 * a producer_id of 0 lists every producer's. Changes return the record's
 * id, or -1 with `p` filled. */
json_t *store_area_get(store *s, long id);
json_t *store_area_list(store *s, long producer_id);
long store_area_owner(store *s, long id);
/* Creates (id 0) or changes an area from its checked fields. */
long store_area_save(store *s, long id, long producer_id, const json_t *area, store_problem *p);

json_t *store_input_get(store *s, long id);
json_t *store_input_list(store *s, long producer_id);
long store_input_owner(store *s, long id);
long store_input_create(store *s, long producer_id, const json_t *input, store_problem *p);

/* Lot `lot_id` uses `quantity` of input `input_id`, or units of lot
 * `source_lot_id` (the other 0): within what remains, in date order, of
 * the same producer, never a cycle, never what is recalled. */
long store_lot_input_add(store *s, long lot_id, long input_id, long source_lot_id, double quantity,
                         const char *base_url, store_problem *p);
json_t *store_lot_input_get(store *s, long id);
json_t *store_lot_inputs(store *s, long lot_id);

/* A journal event; `at_utc` is its time in UTC (ISO 8601), for order. */
long store_event_add(store *s, long lot_id, const json_t *event, const char *at_utc,
                     const char *base_url, store_problem *p);
json_t *store_event_get(store *s, long id);
json_t *store_event_list(store *s, long lot_id);

long store_shipment_create(store *s, long producer_id, const json_t *shipment, const char *base_url,
                           store_problem *p);
json_t *store_shipment_get(store *s, long id);
json_t *store_shipment_list(store *s, long producer_id);

/* The lot's trace, backward (inputs, areas, suppliers, lots it was made
 * from) and forward (lots made from it, shipments); NULL: no such lot. */
json_t *store_trace_lot(store *s, long lot_id);
json_t *store_trace_input(store *s, long input_id);

/* Recalls lot `lot_id` or input `input_id` (the other 0) and every lot
 * made from it, at any depth, in one transaction. */
long store_recall_create(store *s, long lot_id, long input_id, const char *reason,
                         const char *action, long user_id, const char *base_url, store_problem *p);
json_t *store_recall_get(store *s, long id);
json_t *store_recall_list(store *s, long producer_id);
long store_recall_owner(store *s, long id);
/* The lot a code names: GTIN (14 digits) and lot code, or, with gtin
 * NULL, the lot of a non-GS1 code's lot and serial. 0: none. */
long store_lot_find(store *s, const char *gtin, const char *lot, const char *serial);
/* A query of the EPCIS events made here (store/epcis.c): NULL fields do
 * not filter. Times are ISO 8601 with an offset. */
typedef struct {
    const char *event_type; /* ObjectEvent, TransformationEvent... */
    const char *biz_step;   /* a CBV word or its URI */
    const char *epc;        /* MATCH_epc: in epcList */
    const char *any_epc;    /* MATCH_anyEPC: in any list of EPCs, or the parent */
    const char *from;       /* GE_eventTime */
    const char *until;      /* LT_eventTime */
    const char *event_id;
    long after; /* the page token: events after this one */
    int per_page;
} store_epcis_query;
/* The events, oldest first; *next is the token of the next page, or 0
 * when this is the last. NULL on error. */
json_t *store_epcis_events(store *s, const store_epcis_query *q, long *next);

/* ---------- cartons (store/cartons.c) ---------- */

/* Migration 14: cartons, their units, and the SSCC counters. */
const char *store_cartons_migration(void);

/* The most cartons one packing makes, and units one carton holds. */
#define STORE_CARTONS_MAX      1000
#define STORE_CARTON_UNITS_MAX 10000

/* A packing of a lot's units into cartons, each named by an SSCC of the
 * extension digit and company prefix (checked by the caller). */
typedef struct {
    long lot_id;
    long units_per_carton;      /* the lot's units in no carton, by serial; 0: `serials` */
    long max_cartons;           /* with units_per_carton: at most this many (0: all) */
    const char *const *serials; /* one carton of exactly these */
    size_t serial_count;
    const char *company_prefix;
    int extension_digit;
    const char *base_url; /* names the units in the events */
} store_packing;
/* Packs, with one AggregationEvent a carton queued, in one transaction:
 * the cartons made [{"id", "sscc", "units", "serials"}], or NULL with `p`
 * filled and nothing written. */
json_t *store_cartons_pack(store *s, const store_packing *packing, store_problem *p);
/* A carton by its SSCC, with its lot, product and producer (and, asked,
 * its serials), or NULL. */
json_t *store_carton_get(store *s, const char *sscc, int with_serials);

/* The recall that covers the lot, or 0. */
long store_lot_recall(store *s, long lot_id);
/* That recall as a scan shows it, {"id", "reason", "action", "since"}, or
 * NULL when the lot is not recalled. */
json_t *store_lot_recall_brief(store *s, long lot_id);

/* ---------- OCOP dossiers (store/dossiers.c) ---------- */

/* Moves dossier `dossier_id` from state `from` to `to` in one
 * transaction: the dossier's state, a dossier_transitions row by
 * `user_id` with `note` (NULL: none) and an audit line
 * "dossier.<to>". The transition's id, or -1 with `p` filled (409
 * "conflict" on field "state" naming the current state and `from`). */
int store_dossier_transition(store *s, long dossier_id, const char *from, const char *to,
                             long user_id, const char *note, store_problem *p);
/* The same inside a transaction the caller has opened (and rolls back on
 * -1). */
int store_dossier_transition_in(store *s, long dossier_id, const char *from, const char *to,
                                long user_id, const char *note, store_problem *p);
/* The dossier as GET /dossiers/{id} answers it, or NULL when none. */
json_t *store_dossier_get(store *s, long id);
/* The producer of the dossier's product: its id, or 0 when none (or it
 * cannot be read). */
long store_dossier_owner(store *s, long id);

/* A new dossier, in state draft, with its first history line. */
typedef struct {
    long product_id, user_id;
    const char *sheet;
    const json_t *form; /* its fields; NULL: none (a renewal's: the renewed one's) */
    long renews;        /* a recognised or not_recognised dossier of the product, or 0 */
} store_new_dossier;
/* Its id, or -1 with `p` filled; a renewal copies the form (`form` merged
 * over it) and the file rows. */
long store_dossier_create(store *s, const store_new_dossier *d, store_problem *p);
/* Dossiers by id, of one producer's products (0: all), in one state
 * (NULL: any), of one product (0: any); NULL on error. */
json_t *store_dossier_list(store *s, long producer_id, const char *state, long product_id);
/* Merges `form`'s fields into a draft or returned dossier's: 0, or -1. */
int store_dossier_form_update(store *s, long id, const json_t *form, long user_id,
                              store_problem *p);
/* Sends a draft or returned dossier to the commune once each field of
 * `required` (NULL ends it) is filled and a file is attached: the
 * transition's id, or -1 (422 naming "form.FIELD" or "files"). */
int store_dossier_submit(store *s, long id, const char *const *required, long user_id,
                         store_problem *p);
/* submitted -> returned with the commune's reasons by field. */
int store_dossier_return(store *s, long id, const json_t *reasons, long user_id, store_problem *p);
/* scored -> `to` (recognised or not_recognised) with the evaluation `e`
 * (its certificate when e->number) in one transaction; `note` on the
 * history line. 0, or -1 (409 on "number" when the number is taken). */
int store_dossier_decide(store *s, long id, const store_evaluation *e, const char *to,
                         const char *note, store_problem *p);
/* The dossier whose decision issued certificate `number`, or 0. */
long store_certificate_dossier(store *s, const char *number);

/* An evidence file: its bytes stored by their SHA-256 under `files_dir`
 * (written once, never overwritten) and its row on a draft or returned
 * dossier. The content was checked by the caller. */
typedef struct {
    const char *files_dir;
    long dossier_id, user_id;
    const char *name, *kind, *content_type;
    const unsigned char *data;
    size_t len;
} store_dossier_upload;
json_t *store_dossier_file_add(store *s, const store_dossier_upload *u, store_problem *p);
/* A file's row {id, dossier_id, name, kind, content_type, bytes, sha256,
 * created_at}, or NULL. */
json_t *store_dossier_file_get(store *s, long id);
/* Removes a file's row from a draft or returned dossier (the stored bytes
 * stay: other rows may name them): 0, or -1. */
int store_dossier_file_delete(store *s, long id, long user_id, store_problem *p);
/* Where files are kept: `configured` ([store] files), else beside the
 * SQLite database `db_url` names, else var/files. 0, or -1 when too long. */
int store_files_dir(const char *db_url, const char *configured, char *out, size_t size);
/* A stored file's path: <files_dir>/<sha256[0:2]>/<sha256>. 0 or -1. */
int store_file_path(const char *files_dir, const char *sha256, char *out, size_t size);

/* ---------- council scoring (store/scores.c) ---------- */

/* A dossier as its scoring reads it: {id, state, sheet, product: {id,
 * name, group}, producer: {id, name}}, or NULL when none. */
json_t *store_scoring_dossier(store *s, long id);
/* How many members have submitted a sheet for the dossier, or -1. */
long store_scores_count(store *s, long dossier_id);
/* The members' sheets (only `member_id`'s when > 0), oldest first:
 * [{member: {id, name}, submitted_at, a, b, c, total, scores: {ID:
 * points}}]; NULL on error. */
json_t *store_scores_list(store *s, long dossier_id, long member_id);
/* One criterion of a member's sheet: the option chosen (its index) and
 * its points. */
typedef struct {
    const char *criterion;
    int choice, points;
} store_score;
/* A member's whole sheet, checked against the criteria by the caller. */
typedef struct {
    long dossier_id, member_id;
    int parts[3]; /* A, B, C: the points of each part's criteria added up */
    const store_score *scores;
    size_t count;
} store_member_sheet;
/* Records the sheet, its scores and an audit line "dossier.score" in one
 * transaction: 0, or -1 with `p` (404; 409 on "state" when the dossier is
 * not in scoring; 409 on "scores" when the member has a sheet already). */
int store_scores_submit(store *s, const store_member_sheet *sheet, store_problem *p);
/* Closes the scoring once at least `quorum` members have scored: the
 * dossier's members, parts, mean and stars (service/council.h), the stars
 * held to the `count` criteria's minimums (their points are filled in from
 * the sheets), and its move to scored by `user_id`, in one transaction.
 * The score {members, a, b, c, total, mean, stars, stars_by_points,
 * minimums}, or NULL with `p` (409 on "quorum" when too few have scored,
 * on "state" when not in scoring). */
struct council_criterion;
json_t *store_scoring_close(store *s, long dossier_id, long user_id, long quorum,
                            struct council_criterion *minimums, size_t count, store_problem *p);

/* ---------- renewal reminders, notices, the mail outbox (store/reminders.c) ---------- */

/* Migration 17: indexes the due run reads certificates by. */
const char *store_reminders_migration(void);
/* Migration 18: reminders at 180 and 150 days too (the renewal window). */
const char *store_reminder_window_migration(void);
/* A certificate owed a reminder (180, 150, 30 or 7 days before it ends);
 * `filed`: its product has a dossier past its draft created since the
 * renewal window opened. */
typedef struct {
    long certificate_id, producer_id;
    int days, stars, filed;
    char number[64], valid_until[16], product[256], producer[256];
} store_reminder_due;
/* Today and the days 7, 30, 120, 150 and 180 days on (YYYY-MM-DD). */
typedef struct {
    char today[16], day7[16], day30[16], day120[16], day150[16], day180[16];
} store_reminder_days;
/* Certificates in force today ending by day180 that have not had the
 * reminder they are owed: the most urgent stage reached (7 by day7, 30 by
 * day30, none before day120, 150 by day150, else 180), the 180 and 150
 * ones only while their product has not filed; none for a product renewed
 * since. One read; *out malloc'd. How many, or -1. */
long store_reminders_due(store *s, const store_reminder_days *days, store_reminder_due **out);
/* A due reminder and what it says: on the pages, and by mail to the
 * producer's users and to the officers. */
typedef struct {
    const store_reminder_due *due;
    const char *notice, *subject, *producer_body, *officer_body;
} store_reminder_text;
typedef struct {
    long reminders, notices, mails;
} store_reminder_counts;
#define MAIL_HOST_MAX 255
/* Writes each reminder with a notice for each addressee and a mail for
 * each one with an address (Message-ID <reminder-ID-USER@mail_host>), all
 * `count` in one transaction; one written meanwhile by another run is
 * skipped. Adds what was written to `counts`. 0, or -1 with error and
 * nothing written. */
int store_reminders_write(store *s, const store_reminder_text *items, int count,
                          const char *mail_host, store_reminder_counts *counts,
                          char error[STORE_ERROR_MAX]);
/* One mail the sender owes. */
typedef struct {
    long id;
    char recipient[256], message_id[320];
    char *subject, *body; /* malloc'd */
    int attempts;
} store_mail;
/* Claims for `owner`, until `now_ms` + `lease_ms`, up to `max` pending
 * mails due at `now_ms` that no other sender holds, as store_sync_claim
 * does for deliveries. How many, by id; -1 on error. */
int store_mail_claim(store *s, const char *owner, long long now_ms, long long lease_ms,
                     store_mail *out, int max);
void store_mail_free(store_mail *m);
typedef struct {
    long id;
    store_sync_outcome outcome; /* SYNC_DELIVERED: the server accepted it */
    long long next_ms;          /* SYNC_RETRY: when */
    const char *error;          /* the reason, or the server's reply; NULL for none */
} store_mail_result;
/* Records one attempt's outcome. 0 or -1. */
int store_mail_record(store *s, const store_mail_result *r);
/* The mail outbox: pending, retrying, sent, dead, the first waiting
 * mail's last error and up to 100 dead mails with the server's reply. */
json_t *store_mail_status(store *s);
/* A user's newest `limit` notices {notices: [...], unread, total}, or NULL. */
json_t *store_notices_list(store *s, long user_id, int limit);
/* Marks the user's notice `id` read (once: the first time is kept): the
 * notice, json null when the user has no such notice, NULL on error. */
json_t *store_notice_read(store *s, long user_id, long id);

#endif
