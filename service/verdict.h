/*
 * The copied-label verdict on one serial, from what its scans left behind:
 * how often it was checked and from how many networks in how short a time.
 * No storage here: the store gathers a serial's history (committed and still
 * queued) and asks; the simulation in tests/verdict/ asks the same function.
 */
#ifndef OCOPTRACE_VERDICT_H
#define OCOPTRACE_VERDICT_H

#include <stddef.h>
#include <time.h>

/* A serial looks copied when, within `window_s` seconds, it was first seen
 * from at least `networks` different networks, and it has been checked at
 * least `scans` times in all. Both: a family on Wi-Fi and on 4G, or a shop
 * checking one unit again and again, leaves one but not the other. */
typedef struct {
    long networks;
    long window_s;
    long scans;
} verdict_rules;

#define VERDICT_DEFAULT_NETWORKS 12
#define VERDICT_DEFAULT_WINDOW_S (7L * 24 * 3600)
#define VERDICT_DEFAULT_SCANS    15

/* A network a serial was scanned from, and when it first was. */
typedef struct {
    const char *network;
    time_t first;
} verdict_network;

/* 1 when a serial checked `scans` times, from `networks` (count entries,
 * each network once, in any order), looks copied at `now`. */
int verdict_suspicious(const verdict_rules *rules, long scans, const verdict_network *networks,
                       size_t count, time_t now);

#endif
