/*
 * The database of the commands that work on it without the daemon (db,
 * user, sync, trace).
 */
#ifndef OCOPTRACE_CLI_STORE_H
#define OCOPTRACE_CLI_STORE_H

#include "store/store.h"

/* The database named by --db, the config file or the default, created and
 * migrated if missing; NULL with *status set after saying why. */
store *cli_open_store(const char *db, const char *config_path, int *status);

#endif
