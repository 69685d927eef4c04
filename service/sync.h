/*
 * The sync worker: a thread of `ocoptrace serve` that delivers the outbox
 * to the remote traceability system over HTTP (libcurl).
 */
#ifndef OCOPTRACE_SYNC_H
#define OCOPTRACE_SYNC_H

#include "config.h"

#include <stddef.h>

typedef struct sync_worker sync_worker;

/* Starts delivering the outbox of the database at `db_path` as `c->sync`
 * says. NULL with an empty `error` when no endpoint is configured (the
 * outbox simply fills), NULL with the reason otherwise. */
sync_worker *sync_start(const char *db_path, const config *c, char *error, size_t size);
/* Stops after the attempts in flight (unrecorded ones are sent again). */
void sync_stop(sync_worker *w);
/* When to try again (unix ms) after `attempts` failed ones, from `now`:
 * `backoff_ms` doubled per attempt, capped at `backoff_max_s`, with jitter.
 * The mail sender's retries follow the same rule. */
long long sync_backoff_at(long long now, int attempts, long backoff_ms, long backoff_max_s);

#endif
