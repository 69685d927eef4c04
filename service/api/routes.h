/*
 * The table of routes, as the server sees it: where a request goes, and
 * the index of each route for the counters of /metrics.
 */
#ifndef OCOPTRACE_ROUTES_H
#define OCOPTRACE_ROUTES_H

#include "http.h"

/* Routes outside the table, counted after it in /metrics. */
typedef enum {
    ROUTE_HEALTH,
    ROUTE_METRICS,
    ROUTE_RESOLVER,
    ROUTE_CERTIFICATE,
    ROUTE_PIN,
    ROUTE_OTHER,
    ROUTE_PHOTO,
    ROUTE_CARTON,
    ROUTE_EXTRA
} api_extra_route;

/* Answers a request that has been read whole; *index gets its route's. */
void api_route(http_request *req, http_reply *reply, int *index);
/* Paths whose answer never depends on who asks (no token looked up). */
int api_public_path(const char *path);
/* How many routes there are, the table's and the others; one's method and
 * pattern; the index of one outside the table. */
size_t api_route_count(void);
const char *api_route_name(size_t i, const char **method);
int api_route_index(api_extra_route which);

#endif
