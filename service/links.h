/*
 * GS1-Conformant resolution of a code to its links (links.c): the link
 * types of the GS1 web vocabulary this resolver knows, the links a
 * producer adds to a product, the choice of one by linkType, the RFC 9264
 * linkset, the resolver description at /.well-known/gs1resolver, and CORS.
 */
#ifndef OCOPTRACE_LINKS_H
#define OCOPTRACE_LINKS_H

#include "http.h"

#define LINKS_PER_PRODUCT 20
#define LINK_TITLE_MAX    200 /* bytes */
#define LINK_LANG_MAX     35  /* bytes of a language tag */

/* A producer's link, as the API takes it; title and lang may be NULL. */
typedef struct {
    const char *link_type; /* a CURIE, "gs1:purchaseSuggestion" */
    const char *href;      /* https: only */
    const char *title;
    const char *lang;
} store_link;

/* Adds a link to product `product_id`: its id, -2 when the product has the
 * same one, -3 when it has LINKS_PER_PRODUCT, or -1 with `error`. */
long store_link_add(store *s, long product_id, const store_link *link, char error[STORE_ERROR_MAX]);
/* Replaces the product's links of `link_type` with `links` (all of that
 * type), inside the caller's transaction: 0, or as store_link_add(). */
int store_links_replace(store *s, long product_id, const char *link_type, const store_link *links,
                        size_t count, char error[STORE_ERROR_MAX]);
/* The product's links, oldest first, as the API shows them; NULL on error. */
json_t *store_link_list(store *s, long product_id);
/* The product a link belongs to, or 0 when there is no such link. */
long store_link_product(store *s, long id);
/* 0 when it was deleted, -1 on error. */
int store_link_delete(store *s, long id);

/* The rule an href breaks (https: only, a host, a URI that can go into a
 * Location header as it is), or NULL. */
const char *link_href_problem(const char *href);

/* The API: POST and GET /api/v1/products/{id}/links, DELETE /api/v1/links/{id}. */
void api_links_create(http_request *req, http_reply *reply, long id);
void api_links_list(http_request *req, http_reply *reply, long id);
void api_links_delete(http_request *req, http_reply *reply, long id);
/* GET /api/v1/link-types: the vocabulary, and which a producer may add. */
void api_link_types(http_request *req, http_reply *reply, long id);

/* A GET or HEAD of a code's path: the link its linkType (or none) chooses,
 * answered here or redirected, or its linkset; every answer with the Link
 * header to the linkset and CORS. */
void links_resolve(http_request *req, http_reply *reply, const resolver *r);
/* GET /.well-known/gs1resolver. */
void links_description(http_request *req, http_reply *reply);
/* Whether a path's answers are public data for any site's scripts: the
 * resolver's paths and its description. */
int links_public_path(const char *path);
/* OPTIONS on such a path: the CORS preflight's answer. */
void links_preflight(http_request *req, http_reply *reply);

#endif
