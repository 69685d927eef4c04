/*
 * Configuration: safe defaults (loopback only), an optional INI file read
 * with libinih, unknown keys refused so that a typo is not silently ignored.
 */
#include "config.h"

#include <ini.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    config *c;
    const char *path;
    ocl_problems *problems;
} reading;

static const struct {
    const char *section, *key;
    size_t offset, size;
} keys[] = {
    {"server", "listen", offsetof(config, listen), sizeof(((config *)0)->listen)},
    {"server", "base_url", offsetof(config, base_url), sizeof(((config *)0)->base_url)},
    {"server", "log", offsetof(config, log), sizeof(((config *)0)->log)},
    {"database", "path", offsetof(config, db), sizeof(((config *)0)->db)},
    {"certificates", "key", offsetof(config, certificate_key),
     sizeof(((config *)0)->certificate_key)},
};

static int on_value(void *user, const char *section, const char *key, const char *value)
{
    reading *r = user;
    char field[OCL_FIELD_MAX];
    snprintf(field, sizeof(field), "config [%.16s] %.16s", section, key);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].section, section) != 0 || strcmp(keys[i].key, key) != 0)
            continue;
        if (!*value || strlen(value) >= keys[i].size)
            ocl_problem_add(r->problems, field, "must be 1 to %zu characters", keys[i].size - 1);
        else
            memcpy((char *)r->c + keys[i].offset, value, strlen(value) + 1);
        return 1;
    }
    ocl_problem_add(r->problems, field, "unknown key");
    return 1;
}

int config_load(const char *path, config *c, ocl_problems *problems)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "%s", CONFIG_DEFAULT_LISTEN);
    snprintf(c->db, sizeof(c->db), "%s", CONFIG_DEFAULT_DB);
    snprintf(c->base_url, sizeof(c->base_url), "%s", OCL_DEFAULT_BASE_URL);
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
    return problems->count == before ? 0 : -1;
}
