/*
 * Configuration: safe defaults (loopback only), an optional INI file read
 * with libinih, unknown keys refused so that a typo is not silently ignored.
 */
#include "config.h"
#include "mail.h"
#include "verdict.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    config *c;
    const char *path;
    ocl_problems *problems;
} reading;

/* Text keys have the size of their buffer; number keys (size 0) a range. */
#define TEXT(section, key, member)                                                                 \
    {                                                                                              \
        section, key, offsetof(config, member), sizeof(((config *)0)->member), 0, 0                \
    }
#define NUMBER(section, key, member, min, max)                                                     \
    {                                                                                              \
        section, key, offsetof(config, member), 0, min, max                                        \
    }
static const struct {
    const char *section, *key;
    size_t offset, size;
    long min, max;
} keys[] = {
    TEXT("server", "listen", listen),
    TEXT("server", "base_url", base_url),
    TEXT("server", "log", log),
    TEXT("server", "trusted_proxies", trusted_proxies),
    TEXT("store", "url", db),
    TEXT("database", "path", db), /* the older spelling: a SQLite file */
    TEXT("certificates", "key", certificate_key),
    TEXT("sync", "endpoint", sync.endpoint),
    TEXT("sync", "token", sync.token),
    TEXT("sync", "ca_file", sync.ca_file),
    NUMBER("verdict", "networks", verdict.networks, 2, 10000),
    NUMBER("verdict", "window_hours", verdict.window_hours, 1, 24 * 366),
    NUMBER("verdict", "scans", verdict.scans, 1, 1000000),
    NUMBER("sync", "timeout_s", sync.timeout_s, 1, 600),
    NUMBER("sync", "max_attempts", sync.max_attempts, 1, 1000),
    NUMBER("sync", "backoff_ms", sync.backoff_ms, 1, 3600000),
    NUMBER("sync", "backoff_max_s", sync.backoff_max_s, 1, 86400),
    TEXT("gs1", "company_prefix", gs1.company_prefix),
    NUMBER("gs1", "extension_digit", gs1.extension_digit, 0, 9),
    TEXT("store", "files", files),
    TEXT("criteria", "dir", criteria),
    NUMBER("council", "quorum", quorum, 1, 100),
    TEXT("mail", "smtp_url", mail.smtp_url),
    TEXT("mail", "from", mail.from),
    TEXT("mail", "username", mail.username),
    TEXT("mail", "password", mail.password),
    TEXT("mail", "ca_file", mail.ca_file),
    NUMBER("mail", "timeout_s", mail.timeout_s, 1, 600),
    NUMBER("mail", "backoff_ms", mail.backoff_ms, 1, 3600000),
    NUMBER("mail", "backoff_max_s", mail.backoff_max_s, 1, 86400),
    NUMBER("reminders", "every_s", reminder_every_s, 1, 7 * 86400),
};

static void set_number(config *c, size_t i, const char *field, const char *value,
                       ocl_problems *problems)
{
    char *end = NULL;
    long n = strtol(value, &end, 10);
    if (!*value || *end || n < keys[i].min || n > keys[i].max)
        ocl_problem_add(problems, field, "must be a whole number from %ld to %ld", keys[i].min,
                        keys[i].max);
    else
        memcpy((char *)c + keys[i].offset, &n, sizeof(n));
}

static int on_value(void *user, const char *section, const char *key, const char *value)
{
    reading *r = user;
    char field[OCL_FIELD_MAX];
    snprintf(field, sizeof(field), "config [%.16s] %.16s", section, key);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].section, section) != 0 || strcmp(keys[i].key, key) != 0)
            continue;
        if (!keys[i].size)
            set_number(r->c, i, field, value, r->problems);
        else if (!*value || strlen(value) >= keys[i].size)
            ocl_problem_add(r->problems, field, "must be 1 to %zu characters", keys[i].size - 1);
        else
            memcpy((char *)r->c + keys[i].offset, value, strlen(value) + 1);
        return 1;
    }
    ocl_problem_add(r->problems, field, "unknown key");
    return 1;
}

/* The prefix the SSCCs of cartons are made of, naming the file: a wrong
 * one would put another company's codes on every carton. */
static void company_prefix_check(const config *c, const char *path, ocl_problems *problems)
{
    ocl_problems found;
    ocl_problems_init(&found);
    if (*c->gs1.company_prefix &&
        ocl_company_prefix_check(c->gs1.company_prefix, "company_prefix", &found) != OCL_OK)
        ocl_problem_add(problems, "config [gs1] company_prefix", "%s, in '%.64s'",
                        found.item[0].rule, path);
}

int config_load(const char *path, config *c, ocl_problems *problems)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "%s", CONFIG_DEFAULT_LISTEN);
    snprintf(c->db, sizeof(c->db), "%s", CONFIG_DEFAULT_DB);
    snprintf(c->base_url, sizeof(c->base_url), "%s", OCL_DEFAULT_BASE_URL);
    c->verdict.networks = VERDICT_DEFAULT_NETWORKS;
    c->verdict.window_hours = VERDICT_DEFAULT_WINDOW_S / 3600;
    c->verdict.scans = VERDICT_DEFAULT_SCANS;
    c->sync.timeout_s = 10;
    c->sync.max_attempts = 10;
    c->sync.backoff_ms = 1000;
    c->sync.backoff_max_s = 300;
    c->quorum = 3;
    c->mail.timeout_s = 30;
    c->mail.backoff_ms = 1000;
    c->mail.backoff_max_s = 600;
    c->reminder_every_s = 3600;
    if (!path)
        return 0;
    size_t before = problems->count;
    reading r = {c, path, problems};
    int rc = ini_parse(path, on_value, &r);
    if (rc < 0)
        ocl_problem_add(problems, "config", "cannot read '%s'", path);
    else if (rc > 0 && problems->count == before)
        ocl_problem_add(problems, "config", "line %d of '%s' is not 'key = value' or [section]", rc,
                        path);
    char problem[160];
    if (client_proxies_parse(c->trusted_proxies, &c->proxies, problem, sizeof(problem)) != 0)
        ocl_problem_add(problems, "config [server] trusted_proxies", "%s", problem);
    const char *endpoint = c->sync.endpoint;
    if (*endpoint && strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0)
        ocl_problem_add(problems, "config [sync] endpoint", "must start with http:// or https://");
    const char *smtp = c->mail.smtp_url;
    if (*smtp && strncmp(smtp, "smtp://", 7) != 0 && strncmp(smtp, "smtps://", 8) != 0)
        ocl_problem_add(problems, "config [mail] smtp_url", "must start with smtp:// or smtps://");
    if (*smtp && !*c->mail.from)
        ocl_problem_add(problems, "config [mail] from", "required when smtp_url is set");
    else if (*c->mail.from && !mail_address_valid(c->mail.from))
        ocl_problem_add(problems, "config [mail] from", "must be one address, local@domain");
    company_prefix_check(c, path, problems);
    return problems->count == before ? 0 : -1;
}
