/*
 * The store: SQLite in WAL mode with foreign keys, numbered migrations
 * applied at open, and every query of the service. All SQL lives in
 * store.c, behind these functions, so that another database can stand
 * behind them one day.
 */
#ifndef OCOPTRACE_STORE_H
#define OCOPTRACE_STORE_H

#include <stddef.h>

typedef struct store store;

#define STORE_ERROR_MAX 256

typedef enum { ROLE_ADMIN, ROLE_OFFICER, ROLE_PRODUCER, ROLE_COUNT } store_role;

/* Opens (creating it and its folder if missing) and migrates the database.
 * Returns NULL with the reason in `error`. */
store *store_open(const char *path, char error[STORE_ERROR_MAX]);
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

/* Adds a user and a new API token for it, in one transaction; the token is
 * kept only as its hash. Fills `token` (the only time it is seen).
 * 0, -1 with error; -2 when the name is taken. */
#define STORE_TOKEN_MAX 64
int store_user_add(store *s, const char *name, store_role role, long producer_id,
                   char token[STORE_TOKEN_MAX], char error[STORE_ERROR_MAX]);

#endif
