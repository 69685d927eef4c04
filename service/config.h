/*
 * The daemon's configuration: an INI file (libinih), then flags over it.
 */
#ifndef OCOPTRACE_CONFIG_H
#define OCOPTRACE_CONFIG_H

#include "client.h"
#include "ocoplabels.h"

#include <limits.h>

#define CONFIG_DEFAULT_LISTEN "127.0.0.1:8080"
#define CONFIG_DEFAULT_DB     "var/ocoptrace.db"

typedef struct {
    char listen[64];
    char db[PATH_MAX];
    char base_url[OCL_BASE_URL_MAX];
    char log[PATH_MAX];             /* the request log; empty: stderr */
    char certificate_key[PATH_MAX]; /* the issuer's secret key; empty: none */
    char trusted_proxies[1024];     /* CIDRs whose forwarding headers are believed */
    client_proxies proxies;         /* the same, read */
    struct {
        long networks, window_hours, scans; /* verdict_rules, as the file gives them */
    } verdict;
    struct {
        char endpoint[512]; /* the remote's base URL; empty: nothing is pushed */
        char token[256];
        char ca_file[PATH_MAX];
        long timeout_s, max_attempts, backoff_ms, backoff_max_s;
    } sync;
    struct {
        char company_prefix[32]; /* 7 to 11 digits; empty: no SSCCs, so no cartons */
        long extension_digit;    /* an SSCC's first digit, 0 to 9 */
    } gs1;
    char files[PATH_MAX];    /* [store] files: dossiers' evidence; empty: beside the database */
    char criteria[PATH_MAX]; /* [criteria] dir: the scoring sheets; empty: templates/criteria */
    long quorum;             /* [council] quorum: members' sheets before the chair may close */
    struct {
        char smtp_url[512]; /* smtp:// or smtps://HOST[:PORT]; empty: no e-mail is sent */
        char from[256];     /* the sender's address */
        char username[128], password[256];
        char ca_file[PATH_MAX];
        long timeout_s, backoff_ms, backoff_max_s;
    } mail;
    long reminder_every_s; /* [reminders] every_s: how often the due reminders are looked for */
} config;

/* The defaults, then `path` if given. Problems name the file and line. */
int config_load(const char *path, config *c, ocl_problems *problems);

#endif
