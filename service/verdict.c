/*
 * The copied-label rule (verdict.h). It is evaluated at every scan and
 * the store keeps its first "yes", so the window only has to be looked at
 * as it ends now: a copier's burst is judged while it happens.
 */
#include "verdict.h"

int verdict_suspicious(const verdict_rules *rules, long scans, const verdict_network *networks,
                       size_t count, time_t now)
{
    if (scans < rules->scans)
        return 0;
    long recent = 0;
    for (size_t i = 0; i < count; i++)
        recent += networks[i].first > now - rules->window_s;
    return recent >= rules->networks;
}
