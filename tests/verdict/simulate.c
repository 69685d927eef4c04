/*
 * The copied-label verdict against the scans people really make: a
 * household that checks its bottle at home on Wi-Fi and again on 4G, a shop
 * whose staff check a unit at the counter while customers scan it on the
 * shelf, and 50 copies of one label sold in different places. Each history
 * is replayed scan by scan through verdict_suspicious() as the store calls
 * it (the first "yes" sticks).
 *
 *   simulate           the defaults: households and shops never trip it,
 *                      50 copies always do; ends "verdict: N passed, N failed"
 *   simulate --grid    every combination of thresholds, to choose defaults
 *
 * Networks are modelled the way Vietnamese access networks hand them out:
 * a home line keeps its /24 for days and then moves within its ISP's pool;
 * a phone on 4G sits behind carrier-grade NAT and gets a different /24
 * from a few hundred almost every session.
 */
#include "../../service/verdict.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY          (24L * 3600)
#define EVENTS_MAX   512
#define ISP_POOL     2000 /* /24s a home line may be given */
#define CARRIER_POOL 400  /* /24s behind a carrier's NAT */

typedef struct {
    long t;
    unsigned network;
} scan_event;

typedef struct {
    scan_event e[EVENTS_MAX];
    size_t n;
} history;

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return rng_state;
}

static long uniform(long lo, long hi) /* lo..hi inclusive */
{
    return lo + (long)(next() % (uint64_t)(hi - lo + 1));
}

static int chance(double p)
{
    return (double)(next() % 1000000u) < p * 1000000.0;
}

static void add(history *h, long t, unsigned network)
{
    if (h->n < EVENTS_MAX)
        h->e[h->n++] = (scan_event){t, network};
}

/* Network numbers: 1xxxxxx home lines, 2xxxxxx carriers, 3xxxxxx shops. */
static unsigned carrier_network(void)
{
    return 2000000u + (unsigned)uniform(0, 2) * 10000u + (unsigned)uniform(0, CARRIER_POOL - 1);
}

/* A household that bought the unit at `start`: 1 to 4 phones, a few
 * sessions over weeks (most check once or twice, some show it to guests
 * and check a dozen times), a session sometimes repeated within minutes. */
static void household(history *h, long start)
{
    unsigned home = 1000000u + (unsigned)uniform(0, ISP_POOL - 1);
    long sessions = chance(0.55) ? 1 : chance(0.6) ? uniform(2, 3) : uniform(4, 12);
    long t = start, moved_at = start;
    for (long s = 0; s < sessions; s++) {
        t += s ? uniform(60, 10 * DAY) : uniform(0, 2 * DAY);
        if (t - moved_at > uniform(3, 14) * DAY) { /* the line's address moved */
            home = 1000000u + (unsigned)uniform(0, ISP_POOL - 1);
            moved_at = t;
        }
        unsigned network = chance(0.6) ? home : carrier_network();
        long repeats = chance(0.25) ? uniform(1, 2) : 0;
        for (long r = 0; r <= repeats; r++)
            add(h, t + r * uniform(5, 120), network);
    }
}

/* A unit on a shop's shelf: checked on arrival and now and then at the
 * counter (the shop's Wi-Fi), scanned by customers on 4G who pick it up,
 * then sold to a household. */
static void shop_unit(history *h)
{
    unsigned shop = 3000000u + (unsigned)uniform(0, 100000);
    long t = 0, shelf = uniform(1, 60) * DAY;
    for (long i = uniform(1, 3); i > 0; i--)
        add(h, t + uniform(0, 600), shop);
    for (long i = uniform(0, 10); i > 0; i--)
        add(h, uniform(DAY, shelf), shop);
    for (long c = uniform(0, 5); c > 0; c--) {
        long at = uniform(0, shelf);
        unsigned network = carrier_network();
        for (long r = chance(0.3) ? 1 : 0; r >= 0; r--)
            add(h, at + r * uniform(5, 60), network);
    }
    household(h, shelf);
}

/* The genuine unit's household, and `copies` copies sold over a month in
 * different places, each scanned at least once by its buyer. */
static void copied(history *h, long copies)
{
    household(h, 0);
    for (long c = 0; c < copies; c++) {
        size_t before = h->n;
        household(h, uniform(0, 30 * DAY));
        if (h->n == before)
            add(h, uniform(0, 30 * DAY), carrier_network());
    }
}

static int by_time(const void *a, const void *b)
{
    long x = ((const scan_event *)a)->t, y = ((const scan_event *)b)->t;
    return (x > y) - (x < y);
}

/* Replays the history as the store does: 0 never tripped, else the number
 * of scans it took. */
static long replay(history *h, const verdict_rules *rules)
{
    static verdict_network seen[EVENTS_MAX];
    static char names[EVENTS_MAX][16];
    qsort(h->e, h->n, sizeof(h->e[0]), by_time);
    size_t count = 0;
    for (size_t i = 0; i < h->n; i++) {
        char name[16];
        snprintf(name, sizeof(name), "%u", h->e[i].network);
        size_t k = 0;
        while (k < count && strcmp(seen[k].network, name) != 0)
            k++;
        if (k == count) {
            memcpy(names[count], name, sizeof(name));
            seen[count] = (verdict_network){names[count], (time_t)h->e[i].t};
            count++;
        }
        if (verdict_suspicious(rules, (long)i + 1, seen, count, (time_t)h->e[i].t))
            return (long)i + 1;
    }
    return 0;
}

typedef struct {
    long tripped, trials;
} rate;

enum { HOUSEHOLD, SHOP, COPIES, KINDS };
static const char *const kind_names[KINDS] = {"households", "shop units", "50 copies"};

static void run(const verdict_rules *rules, long trials, rate out[KINDS])
{
    static history h;
    rng_state = 0x9e3779b97f4a7c15u; /* every combination sees the same people */
    for (int k = 0; k < KINDS; k++) {
        out[k] = (rate){0, trials};
        for (long i = 0; i < trials; i++) {
            h.n = 0;
            if (k == HOUSEHOLD)
                household(&h, 0);
            else if (k == SHOP)
                shop_unit(&h);
            else
                copied(&h, 50);
            out[k].tripped += replay(&h, rules) > 0;
        }
    }
}

static void grid(void)
{
    static const long networks[] = {4, 5, 6, 7, 8, 10, 12, 16};
    static const long days[] = {1, 3, 7, 14, 30};
    static const long scans[] = {5, 10, 15, 20};
    printf("networks window_days scans  households%%  shop_units%%  50_copies%%\n");
    for (size_t a = 0; a < sizeof(networks) / sizeof(networks[0]); a++)
        for (size_t b = 0; b < sizeof(days) / sizeof(days[0]); b++)
            for (size_t c = 0; c < sizeof(scans) / sizeof(scans[0]); c++) {
                verdict_rules rules = {networks[a], days[b] * DAY, scans[c]};
                rate r[KINDS];
                run(&rules, 20000, r);
                printf("%8ld %11ld %5ld  %11.3f  %11.3f  %10.2f\n", networks[a], days[b], scans[c],
                       100.0 * r[0].tripped / r[0].trials, 100.0 * r[1].tripped / r[1].trials,
                       100.0 * r[2].tripped / r[2].trials);
            }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--grid") == 0) {
        grid();
        return 0;
    }
    verdict_rules rules = {VERDICT_DEFAULT_NETWORKS, VERDICT_DEFAULT_WINDOW_S,
                           VERDICT_DEFAULT_SCANS};
    long trials = argc > 1 ? atol(argv[1]) : 100000;
    rate r[KINDS];
    run(&rules, trials, r);
    int passed = 0, failed = 0;
    for (int k = 0; k < KINDS; k++) {
        long want = k == COPIES ? r[k].trials : 0;
        int ok = r[k].tripped == want;
        printf("%s %s: %ld of %ld tripped the verdict (want %ld)\n", ok ? "ok" : "FAIL",
               kind_names[k], r[k].tripped, r[k].trials, want);
        ok ? passed++ : failed++;
    }
    printf("verdict: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
