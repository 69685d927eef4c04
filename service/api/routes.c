/*
 * The table of routes: every path the service answers, which roles may use
 * each, and the handler that answers it; and the dispatch of a request to
 * its route, after the checks every route shares (signed in, the CSRF token
 * of a session, the role). The server (http.c) counts requests by the index
 * a route has here.
 */
#include "api.h"
#include "links.h"
#include "pin.h"
#include "routes.h"

#include <stdlib.h>
#include <string.h>

/* Roles, as bits. */
#define R_ADMIN    (1u << ROLE_ADMIN)
#define R_OFFICER  (1u << ROLE_OFFICER)
#define R_PRODUCER (1u << ROLE_PRODUCER)
#define R_READER   (1u << ROLE_READER)
#define R_COMMUNE  (1u << ROLE_COMMUNE)
#define R_COUNCIL  (1u << ROLE_COUNCIL)
#define R_ANY      (R_ADMIN | R_OFFICER | R_PRODUCER)
/* Everyone a dossier concerns; the handlers narrow producers to their own. */
#define R_DOSSIER (R_ANY | R_COMMUNE | R_COUNCIL)

typedef void (*handler)(http_request *req, http_reply *reply, long id);

static const struct {
    const char *method;
    const char *pattern; /* a trailing "{id}" takes a positive number */
    unsigned roles;
    handler run;
} routes[] = {
    {"POST", "/api/v1/producers", R_ADMIN | R_OFFICER, api_producers_create},
    {"GET", "/api/v1/producers", R_ANY, api_producers_list},
    {"GET", "/api/v1/producers/{id}", R_ANY, api_producers_get},
    {"PATCH", "/api/v1/producers/{id}", R_ANY, api_producers_update},
    {"PUT", "/api/v1/producers/{id}/logo", R_ANY, api_producers_logo_put},
    {"GET", "/api/v1/producers/{id}/logo", R_ANY, api_producers_logo_get},
    {"POST", "/api/v1/products", R_ANY, api_products_create},
    {"GET", "/api/v1/products", R_ANY, api_products_list},
    {"GET", "/api/v1/products/{id}", R_ANY, api_products_get},
    {"PATCH", "/api/v1/products/{id}", R_ANY, api_products_update},
    {"POST", "/api/v1/products/{id}/lots", R_ANY, api_lots_create},
    {"GET", "/api/v1/lots/{id}", R_ANY, api_lots_get},
    {"POST", "/api/v1/lots/{id}/serials", R_ANY, api_serials_create},
    {"GET", "/api/v1/products/{id}/qr.png", R_ANY, api_products_qr_png},
    {"GET", "/api/v1/products/{id}/qr.svg", R_ANY, api_products_qr_svg},
    {"GET", "/api/v1/lots/{id}/labels.pdf", R_ANY, api_lots_labels},
    {"GET", "/api/v1/lots/{id}/label.png", R_ANY, api_lots_label_png},
    {"GET", "/api/v1/lots/{id}/labels.zpl", R_ANY, api_lots_labels_zpl},
    {"GET", "/api/v1/lots/{id}/labels.tspl", R_ANY, api_lots_labels_tspl},
    {"GET", "/api/v1/lots/{id}/stamps.pdf", R_ANY, api_lots_stamps},
    {"GET", "/api/v1/products/{id}/lots", R_ANY, api_products_lots},
    {"GET", "/api/v1/products/{id}/label-check", R_ANY, api_products_label_check},
    {"GET", "/api/v1/certificates", R_ANY, api_certificates_list},
    {"POST", "/api/v1/products/{id}/evaluations", R_OFFICER, api_evaluations_create},
    {"GET", "/api/v1/certificates/{id}", R_ANY, api_certificates_get},
    {"GET", "/api/v1/certificates/{id}.pdf", R_ANY, api_certificates_pdf},
    {"POST", "/api/v1/certificates/{id}/revoke", R_OFFICER, api_certificates_revoke},
    {"GET", "/api/v1/reports/summary", R_ADMIN | R_OFFICER, api_reports_summary},
    {"GET", "/api/v1/exports/{name}", R_ADMIN | R_OFFICER, api_exports_get},
    {"POST", "/api/v1/import/products", R_ANY, api_products_import},
    {"GET", "/api/v1/session", R_ANY | R_COMMUNE | R_COUNCIL, api_session_get},
    {"POST", "/api/v1/users", R_ADMIN, api_users_create},
    {"GET", "/api/v1/users", R_ADMIN, api_users_list},
    {"GET", "/api/v1/sync", R_ADMIN | R_OFFICER, api_sync_status},
    {"GET", "/api/v1/notices", R_DOSSIER, api_notices_list},
    {"POST", "/api/v1/notices/{id}/read", R_DOSSIER, api_notices_read},
    {"POST", "/api/v1/products/{id}/links", R_ANY, api_links_create},
    {"GET", "/api/v1/products/{id}/links", R_ANY, api_links_list},
    {"DELETE", "/api/v1/links/{id}", R_ANY, api_links_delete},
    {"GET", "/api/v1/link-types", R_ANY, api_link_types},
    {"POST", "/api/v1/products/{id}/photos", R_ANY, api_photos_create},
    {"GET", "/api/v1/products/{id}/photos", R_ANY, api_photos_list},
    {"DELETE", "/api/v1/photos/{id}", R_ANY, api_photos_delete},
    {"POST", "/api/v1/areas", R_ANY, api_areas_create},
    {"GET", "/api/v1/areas", R_ANY, api_areas_list},
    {"GET", "/api/v1/areas/{id}", R_ANY, api_areas_get},
    {"PATCH", "/api/v1/areas/{id}", R_ANY, api_areas_update},
    {"POST", "/api/v1/inputs", R_ANY, api_inputs_create},
    {"GET", "/api/v1/inputs", R_ANY, api_inputs_list},
    {"GET", "/api/v1/inputs/{id}", R_ANY, api_inputs_get},
    {"GET", "/api/v1/inputs/{id}/trace", R_ANY, api_inputs_trace},
    {"POST", "/api/v1/inputs/{id}/recall", R_ANY, api_inputs_recall},
    {"POST", "/api/v1/lots/{id}/inputs", R_ANY, api_lot_inputs_create},
    {"GET", "/api/v1/lots/{id}/inputs", R_ANY, api_lot_inputs_list},
    {"POST", "/api/v1/lots/{id}/events", R_ANY, api_lot_events_create},
    {"GET", "/api/v1/lots/{id}/events", R_ANY, api_lot_events_list},
    {"GET", "/api/v1/lots/{id}/trace", R_ANY, api_lots_trace},
    {"POST", "/api/v1/lots/{id}/recall", R_ANY, api_lots_recall},
    {"POST", "/api/v1/shipments", R_ANY, api_shipments_create},
    {"GET", "/api/v1/shipments", R_ANY, api_shipments_list},
    {"GET", "/api/v1/recalls", R_ANY, api_recalls_list},
    {"GET", "/api/v1/recalls/{id}", R_ANY, api_recalls_get},
    {"GET", "/epcis/events", R_ADMIN | R_OFFICER | R_READER, api_epcis_events},
    {"GET", "/epcis/events/{name}", R_ADMIN | R_OFFICER | R_READER, api_epcis_event},
    {"POST", "/api/v1/lots/{id}/cartons", R_ANY, api_cartons_create},
    {"GET", "/api/v1/cartons/{name}", R_ANY, api_cartons_get},
    {"GET", "/api/v1/cartons/{name}/label.pdf", R_ANY, api_cartons_label},
    {"GET", "/api/v1/criteria", R_DOSSIER, api_criteria_list},
    {"POST", "/api/v1/dossiers", R_ANY, api_dossiers_create},
    {"GET", "/api/v1/dossiers", R_DOSSIER, api_dossiers_list},
    {"GET", "/api/v1/dossiers/{id}", R_DOSSIER, api_dossiers_get},
    {"PATCH", "/api/v1/dossiers/{id}", R_PRODUCER, api_dossiers_update},
    {"POST", "/api/v1/dossiers/{id}/files", R_PRODUCER, api_dossier_files_create},
    {"GET", "/api/v1/dossier-files/{id}", R_DOSSIER, api_dossier_files_get},
    {"DELETE", "/api/v1/dossier-files/{id}", R_PRODUCER, api_dossier_files_delete},
    {"POST", "/api/v1/dossiers/{id}/submit", R_PRODUCER, api_dossiers_submit},
    {"POST", "/api/v1/dossiers/{id}/return", R_COMMUNE, api_dossiers_return},
    {"POST", "/api/v1/dossiers/{id}/check", R_COMMUNE, api_dossiers_check},
    {"POST", "/api/v1/dossiers/{id}/scoring", R_OFFICER, api_dossiers_scoring},
    {"POST", "/api/v1/dossiers/{id}/decision", R_OFFICER, api_dossiers_decision},
    {"GET", "/api/v1/dossiers/{id}/sheet", R_ADMIN | R_OFFICER | R_COUNCIL, api_dossiers_sheet},
    {"POST", "/api/v1/dossiers/{id}/scores", R_COUNCIL, api_dossiers_scores_create},
    {"GET", "/api/v1/dossiers/{id}/scores", R_ADMIN | R_OFFICER | R_COUNCIL,
     api_dossiers_scores_list},
    {"POST", "/api/v1/dossiers/{id}/close", R_COUNCIL, api_dossiers_close},
};

static const char *const extra_routes[ROUTE_EXTRA] = {
    "/healthz",       "/metrics", "/01/...",          "/c/{number}",
    "/01/.../verify", "other",    "/photos/{id}.jpg", "/00/{sscc}"};
#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

const char *api_route_name(size_t i, const char **method)
{
    if (i < ROUTE_COUNT) {
        *method = routes[i].method;
        return routes[i].pattern;
    }
    *method = "GET";
    return extra_routes[i - ROUTE_COUNT];
}

/* Matches a path against a pattern; *id gets the number "{id}" took. */
static int path_matches(const char *pattern, const char *path, long *id)
{
    const char *name = strstr(pattern, "{name}");
    if (name) { /* a segment that is not a number, and what follows it: the handler reads it */
        size_t fixed = (size_t)(name - pattern);
        size_t segment = strncmp(pattern, path, fixed) == 0 ? strcspn(path + fixed, "/") : 0;
        return segment > 0 && strcmp(path + fixed + segment, name + strlen("{name}")) == 0;
    }
    const char *brace = strstr(pattern, "{id}");
    size_t fixed = brace ? (size_t)(brace - pattern) : strlen(pattern);
    if (strncmp(pattern, path, fixed) != 0)
        return 0;
    if (!brace)
        return path[fixed] == '\0';
    char *end = NULL;
    const char *digits = path + fixed;
    if (*digits < '1' || *digits > '9')
        return 0;
    long n = strtol(digits, &end, 10);
    if (n <= 0 || strcmp(end, brace + 4) != 0)
        return 0;
    *id = n;
    return 1;
}

/* Paths whose answer never depends on who asks: the resolver, the
 * certificate page, the health check and the static assets. They are
 * most of the traffic, and need no token or session looked up. */
int api_public_path(const char *path)
{
    return strncmp(path, "/01/", 4) == 0 || strncmp(path, "/lot/", 5) == 0 ||
           strncmp(path, "/00/", 4) == 0 || strncmp(path, "/c/", 3) == 0 ||
           strcmp(path, "/healthz") == 0 || strncmp(path, "/assets/", 8) == 0 ||
           strcmp(path, "/favicon.ico") == 0 || strncmp(path, "/.well-known/", 13) == 0 ||
           strncmp(path, "/photos/", 8) == 0;
}

/* A change made with the session cookie must carry the session's CSRF
 * token: another site can make a browser send the cookie, not the header. */
static int csrf_refused(const http_request *req)
{
    if (!req->session || strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
        return 0;
    const char *sent = http_header(req, "X-CSRF-Token");
    return !sent || strcmp(sent, req->csrf) != 0;
}

void api_route(http_request *req, http_reply *reply, int *index)
{
    *index = (int)(ROUTE_COUNT + ROUTE_OTHER);
    if (strcmp(req->path, "/healthz") == 0)
        *index = (int)(ROUTE_COUNT + ROUTE_HEALTH);
    int head = strcmp(req->method, "HEAD") == 0;
    if ((strncmp(req->path, "/01/", 4) == 0 || strncmp(req->path, "/lot/", 5) == 0) &&
        (strcmp(req->method, "GET") == 0 || head)) {
        *index = (int)(ROUTE_COUNT + ROUTE_RESOLVER);
        links_resolve(req, reply, req->resolver);
        return;
    }
    if (strncmp(req->path, "/00/", 4) == 0 && (strcmp(req->method, "GET") == 0 || head)) {
        *index = (int)(ROUTE_COUNT + ROUTE_CARTON);
        carton_resolve(req, reply);
        return;
    }
    if (links_public_path(req->path) && strcmp(req->method, "OPTIONS") == 0) {
        links_preflight(req, reply);
        return;
    }
    if (strcmp(req->path, "/.well-known/gs1resolver") == 0 &&
        (strcmp(req->method, "GET") == 0 || head)) {
        links_description(req, reply);
        return;
    }
    if (pin_is_verify(req)) {
        *index = (int)(ROUTE_COUNT + ROUTE_PIN);
        pin_verify(req, reply, req->resolver->page);
        return;
    }
    if (strncmp(req->path, "/photos/", 8) == 0 &&
        (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)) {
        *index = (int)(ROUTE_COUNT + ROUTE_PHOTO);
        photo_serve(req, reply);
        return;
    }
    if (strncmp(req->path, "/c/", 3) == 0 && strcmp(req->method, "GET") == 0) {
        *index = (int)(ROUTE_COUNT + ROUTE_CERTIFICATE);
        if (dossier_summary_path(req->path))
            dossier_summary_page(req, reply);
        else
            certificate_page(req, reply);
        return;
    }
    if (strcmp(req->path, "/healthz") == 0 && strcmp(req->method, "GET") == 0) {
        reply->status = 200;
        reply->json = json_pack("{s:s, s:i}", "status", "ok", "schema", store_version(req->store));
        return;
    }
    if (strncmp(req->path, "/api/", 5) != 0 && web_route(req, reply))
        return;
    int path_known = 0;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        long id = 0;
        if (!path_matches(routes[i].pattern, req->path, &id))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, req->method) != 0)
            continue;
        *index = (int)i;
        if (!req->authenticated) {
            http_error(reply, 401, "unauthenticated", "Authorization",
                       "a valid 'Authorization: Bearer TOKEN' header is required");
            return;
        }
        if (csrf_refused(req)) {
            http_error(reply, 403, "csrf", "X-CSRF-Token",
                       "a change made with the session cookie needs the session's CSRF token "
                       "in the X-CSRF-Token header");
            return;
        }
        if (!(routes[i].roles & (1u << req->user.role))) {
            http_error(reply, 403, "forbidden", "", "the %s role may not %s %s",
                       store_role_name(req->user.role), req->method, routes[i].pattern);
            return;
        }
        routes[i].run(req, reply, id);
        return;
    }
    if (path_known)
        http_error(reply, 405, "method_not_allowed", "", "%s is not allowed on %s", req->method,
                   req->path);
    else
        http_error(reply, 404, "not_found", "", "no such resource: %s", req->path);
}

size_t api_route_count(void)
{
    return ROUTE_COUNT + ROUTE_EXTRA;
}

int api_route_index(api_extra_route which)
{
    return (int)(ROUTE_COUNT + which);
}
