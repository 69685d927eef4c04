/*
 * Product photos over HTTP: a producer uploads a JPEG or PNG as the body
 * of POST /api/v1/products/{id}/photos, lists and deletes them; anyone
 * fetches /photos/{id}.jpg, which never changes and is cached for a year.
 * Nothing is stored unless the photo decoded within every limit.
 */
#include "api.h"
#include "photo.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PHOTOS_PER_PRODUCT 8
#define PHOTO_CACHE        "public, max-age=31536000, immutable"
#define PHOTOS_REFUSAL     "has photos of its own products only"

int photo_is_upload(const char *method, const char *path)
{
    static const char prefix[] = "/api/v1/products/", suffix[] = "/photos";
    size_t len = strlen(path);
    return strcmp(method, "POST") == 0 && strncmp(path, prefix, sizeof(prefix) - 1) == 0 &&
           len > sizeof(prefix) - 1 + sizeof(suffix) - 1 &&
           strcmp(path + len - (sizeof(suffix) - 1), suffix) == 0;
}

/* The type named by Content-Type, parameters aside: 0, or -1 after a 415. */
static int upload_kind(const http_request *req, http_reply *reply, photo_kind *kind)
{
    const char *type = http_header(req, "Content-Type");
    size_t len = type ? strcspn(type, "; \t") : 0;
    if (len == 10 && strncasecmp(type, "image/jpeg", len) == 0)
        *kind = PHOTO_JPEG;
    else if (len == 9 && strncasecmp(type, "image/png", len) == 0)
        *kind = PHOTO_PNG;
    else {
        http_error(reply, 415, "unsupported_media_type", "Content-Type",
                   "a photo is sent as 'image/jpeg' or 'image/png', not '%.60s'", type ? type : "");
        return -1;
    }
    return 0;
}

/* A strong validator from the bytes: the same photo, the same ETag. */
static void photo_etag(const unsigned char *jpeg, size_t len, char etag[40])
{
    unsigned char hash[16];
    char hex[33];
    crypto_generichash(hash, sizeof(hash), jpeg, len, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
    snprintf(etag, 40, "\"%s\"", hex);
}

static json_t *photo_json(const http_request *req, json_t *item)
{
    char url[OCL_BASE_URL_MAX + 48];
    snprintf(url, sizeof(url), "%s/photos/%lld.jpg", req->config->base_url,
             (long long)json_integer_value(json_object_get(item, "id")));
    json_object_set_new(item, "url", json_string(url));
    return item;
}

static void refuse(http_reply *reply, photo_status status, const char *message)
{
    if (status == PHOTO_TOO_MANY_PIXELS)
        http_error(reply, 422, "invalid", "photo", "%s", message);
    else if (status == PHOTO_NOT_IMAGE)
        http_error(reply, 400, "bad_photo", "photo", "%s", message);
    else
        http_error(reply, 500, "photo", "photo", "%s", message);
}

static void keep(http_request *req, http_reply *reply, long id, const photo *p)
{
    store_photo row = {
        .product_id = id, .width = p->width, .height = p->height, .jpeg = p->jpeg, .len = p->len};
    char error[STORE_ERROR_MAX];
    photo_etag(p->jpeg, p->len, row.etag);
    long photo_id = store_photo_add(req->store, id, &row, PHOTOS_PER_PRODUCT, error);
    if (photo_id == -2) {
        http_error(reply, 409, "conflict", "photo", "a product has at most %d photos",
                   PHOTOS_PER_PRODUCT);
        return;
    }
    if (photo_id < 0) {
        http_error(reply, 500, "store", "", "%s", error);
        return;
    }
    reply->status = 201;
    reply->json =
        photo_json(req, json_pack("{s:I, s:i, s:i, s:I, s:i, s:i}", "id", (json_int_t)photo_id,
                                  "width", (int)p->width, "height", (int)p->height, "bytes",
                                  (json_int_t)p->len, "source_width", (int)p->source_width,
                                  "source_height", (int)p->source_height));
}

void api_photos_create(http_request *req, http_reply *reply, long id)
{
    photo_kind kind;
    if (!api_owned(req, reply, id, 0, PHOTOS_REFUSAL) || upload_kind(req, reply, &kind) != 0)
        return;
    if (!req->body_len) {
        http_error(reply, 400, "bad_photo", "photo", "the body is empty: send the image itself");
        return;
    }
    photo p;
    char message[PHOTO_MESSAGE_MAX];
    photo_status status =
        photo_prepare((const unsigned char *)req->body, req->body_len, kind, &p, message);
    if (status != PHOTO_OK) {
        refuse(reply, status, message);
        return;
    }
    keep(req, reply, id, &p);
    photo_free(&p);
}

void api_photos_list(http_request *req, http_reply *reply, long id)
{
    if (!api_owned(req, reply, id, 0, PHOTOS_REFUSAL))
        return;
    json_t *list = store_photo_list(req->store, id), *item;
    size_t i;
    json_array_foreach(list, i, item) photo_json(req, item);
    reply->status = 200;
    reply->json = json_pack("{s:o}", "photos", list);
}

void api_photos_delete(http_request *req, http_reply *reply, long id)
{
    long product = store_photo_product(req->store, id);
    if (!product) {
        http_error(reply, 404, "not_found", "id", "no photo %ld", id);
        return;
    }
    if (!api_owned(req, reply, product, 0, PHOTOS_REFUSAL))
        return;
    if (store_photo_delete(req->store, id) != 1) {
        http_error(reply, 500, "store", "", "cannot delete photo %ld", id);
        return;
    }
    reply->status = 200;
    reply->json = json_pack("{s:I}", "deleted", (json_int_t)id);
}

/* /photos/{id}.jpg: the id as digits, without a leading zero, so that one
 * photo has one URL. 0 when the path is not one. */
static long photo_path_id(const char *path)
{
    const char *digits = path + strlen("/photos/");
    char *end = NULL;
    if (*digits < '1' || *digits > '9')
        return 0;
    long id = strtol(digits, &end, 10);
    return id > 0 && strcmp(end, ".jpg") == 0 ? id : 0;
}

void photo_serve(http_request *req, http_reply *reply)
{
    long id = photo_path_id(req->path);
    store_photo p;
    int found = id ? store_photo_get(req->store, id, &p) : 0;
    if (found != 1) {
        http_error(reply, found < 0 ? 500 : 404, found < 0 ? "store" : "not_found", "id",
                   "no photo at '%.100s'", req->path);
        return;
    }
    snprintf(reply->etag, sizeof(reply->etag), "%s", p.etag);
    reply->cache_control = PHOTO_CACHE;
    const char *match = http_header(req, "If-None-Match");
    if (match && (strstr(match, p.etag) || strcmp(match, "*") == 0)) {
        free(p.jpeg);
        reply->status = 304;
        reply->data = calloc(1, 1);
        reply->data_len = 0;
        reply->content_type = "image/jpeg";
        return;
    }
    reply->status = 200;
    reply->data = p.jpeg;
    reply->data_len = p.len;
    reply->content_type = "image/jpeg";
}
