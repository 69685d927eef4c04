/*
 * What the service prints: a product's code (GS1 Digital Link with its GTIN)
 * as PNG or SVG, and a lot's label sheet as PDF, drawn by labels/ from the
 * stored product, producer, lot and serials.
 */
#include "cli.h"
#include "http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Drawn codes by link: an image is a function of its link alone (the base
 * URL and GTIN, so a product's new GTIN or a reloaded base URL is another
 * key), and drawing a PNG costs more than the rest of the request. Bounded;
 * the oldest is replaced. */
#define CODES_KEPT 64
typedef struct {
    char uri[OCL_URI_MAX + 1];
    int svg;
    unsigned char *data;
    size_t len;
} drawn_code;

static struct {
    pthread_mutex_t lock;
    drawn_code item[CODES_KEPT];
    size_t next;
} drawn = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A copy of the code drawn for `uri`, into `image`; 0, or -1 if none. */
static int drawn_get(const char *uri, int svg, ocl_buffer *image)
{
    int found = -1;
    pthread_mutex_lock(&drawn.lock);
    for (size_t i = 0; i < CODES_KEPT && found < 0; i++) {
        const drawn_code *c = &drawn.item[i];
        if (c->data && c->svg == svg && strcmp(c->uri, uri) == 0)
            found = ocl_buffer_append(image, c->data, c->len) == OCL_OK ? 0 : -1;
    }
    pthread_mutex_unlock(&drawn.lock);
    return found;
}

static void drawn_put(const char *uri, int svg, const ocl_buffer *image)
{
    unsigned char *copy = malloc(image->len);
    if (!copy || strlen(uri) >= sizeof(drawn.item[0].uri)) {
        free(copy);
        return;
    }
    memcpy(copy, image->data, image->len);
    pthread_mutex_lock(&drawn.lock);
    drawn_code *c = &drawn.item[drawn.next];
    drawn.next = (drawn.next + 1) % CODES_KEPT;
    free(c->data);
    snprintf(c->uri, sizeof(c->uri), "%s", uri);
    c->svg = svg;
    c->data = copy;
    c->len = image->len;
    pthread_mutex_unlock(&drawn.lock);
}

/* Draws the code of `uri` as SVG or PNG. */
static ocl_result draw(const char *uri, int svg, ocl_buffer *image)
{
    if (drawn_get(uri, svg, image) == 0)
        return OCL_OK;
    ocl_buffer_free(image);
    ocl_qr qr;
    ocl_image_options options = {.module_px = 8, .dpi = 300};
    ocl_result rc = ocl_qr_encode((const unsigned char *)uri, strlen(uri), OCL_EC_M, &qr);
    if (rc == OCL_OK) {
        rc = svg ? ocl_svg_write_buffer(&qr, &options, image)
                 : ocl_png_write_buffer(&qr, &options, image);
        ocl_qr_free(&qr);
    }
    if (rc == OCL_OK)
        drawn_put(uri, svg, image);
    return rc;
}

static int may_read(const http_request *req, long owner)
{
    return req->user.role != ROLE_PRODUCER || req->user.producer_id == owner;
}

static void product_code(http_request *req, http_reply *reply, long id, int svg)
{
    long owner = store_product_owner(req->store, id);
    if (!owner || !may_read(req, owner)) {
        http_error(reply, owner ? 403 : 404, owner ? "forbidden" : "not_found", "id",
                   owner ? "a producer reads only its own products" : "no product %ld", id);
        return;
    }
    json_t *product = store_product_get(req->store, id);
    const char *gtin = json_string_value(json_object_get(product, "gtin"));
    ocl_link link = {0};
    char uri[OCL_URI_MAX + 1];
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (!gtin) {
        http_error(reply, 422, "invalid", "gtin", "the product has no GTIN to encode");
    } else {
        snprintf(link.gtin, sizeof(link.gtin), "%s", gtin);
        ocl_buffer image = {0};
        ocl_result rc = ocl_link_build(req->config->base_url, &link, uri, sizeof(uri), &problems);
        if (rc == OCL_OK)
            rc = draw(uri, svg, &image);
        if (rc != OCL_OK) {
            http_error(reply, 500, "render", "", "cannot draw the code: %s", ocl_strerror(rc));
            ocl_buffer_free(&image);
        } else {
            reply->status = 200;
            reply->data = image.data;
            reply->data_len = image.len;
            reply->content_type = svg ? "image/svg+xml" : "image/png";
        }
    }
    json_decref(product);
}

void api_products_qr_png(http_request *req, http_reply *reply, long id)
{
    product_code(req, reply, id, 0);
}

void api_products_qr_svg(http_request *req, http_reply *reply, long id)
{
    product_code(req, reply, id, 1);
}

/* The label job of a lot, from what the store holds. */
static void lot_job(json_t *product, json_t *producer, json_t *lot, ocl_label_job *job,
                    char gtin[OCL_GTIN14_LEN + 1])
{
    static const struct {
        const char *key;
        ocl_field field;
        int from_producer;
    } fields[] = {
        {"name", OCL_FIELD_PRODUCT_NAME, 0},
        {"name", OCL_FIELD_PRODUCER_NAME, 1},
        {"address", OCL_FIELD_PRODUCER_ADDRESS, 1},
        {"phone", OCL_FIELD_PRODUCER_PHONE, 1},
        {"origin", OCL_FIELD_ORIGIN, 0},
        {"net_quantity", OCL_FIELD_NET_QUANTITY, 0},
        {"ingredients", OCL_FIELD_INGREDIENTS, 0},
        {"usage", OCL_FIELD_USAGE, 0},
        {"storage", OCL_FIELD_STORAGE, 0},
        {"warnings", OCL_FIELD_WARNINGS, 0},
        {"standard", OCL_FIELD_STANDARD, 0},
    };
    memset(job, 0, sizeof(*job));
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        job->text[fields[i].field] = json_string_value(
            json_object_get(fields[i].from_producer ? producer : product, fields[i].key));
    int group = ocl_group_parse(json_string_value(json_object_get(product, "group")));
    job->group = group < 0 ? OCL_GROUP_FOOD : (ocl_group)group;
    const char *g = json_string_value(json_object_get(product, "gtin"));
    if (g) {
        snprintf(gtin, OCL_GTIN14_LEN + 1, "%s", g);
        job->gtin = gtin;
    }
    job->lot = json_string_value(json_object_get(lot, "code"));
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    const char *produced = json_string_value(json_object_get(lot, "produced"));
    const char *expires = json_string_value(json_object_get(lot, "expires"));
    job->has_produced =
        produced && ocl_date_parse_iso(produced, "produced", 0, &job->produced, &ignored) == OCL_OK;
    job->has_expires =
        expires && ocl_date_parse_iso(expires, "expires", 1, &job->expires, &ignored) == OCL_OK;
}

void api_lots_labels(http_request *req, http_reply *reply, long id)
{
    long owner = store_lot_owner(req->store, id);
    if (!owner || !may_read(req, owner)) {
        http_error(reply, owner ? 403 : 404, owner ? "forbidden" : "not_found", "id",
                   owner ? "a producer prints only its own lots" : "no lot %ld", id);
        return;
    }
    const char *name = http_query(req, "sheet");
    char path[4096], file[OCL_SHEET_NAME_MAX + 32];
    ocl_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (!name || !*name || strchr(name, '/') || name[0] == '.' ||
        strlen(name) >= OCL_SHEET_NAME_MAX) {
        http_error(reply, 422, "invalid", "sheet", "give ?sheet=NAME, e.g. a4-3x8");
        return;
    }
    snprintf(file, sizeof(file), "templates/sheets/%s.sheet", name);
    if (cli_data_file(file, path, sizeof(path)) != 0 ||
        ocl_sheet_load(path, &sheet, &problems) != OCL_OK) {
        http_error(reply, 422, "invalid", "sheet", "unknown sheet '%s'", name);
        return;
    }
    json_t *lot = store_lot_get(req->store, id);
    json_t *product =
        store_product_get(req->store, (long)json_integer_value(json_object_get(lot, "product_id")));
    json_t *producer = store_producer_get(req->store, owner);
    json_t *serials = store_lot_serials(req->store, id);
    size_t count = json_array_size(serials);
    const char **list = calloc(count ? count : 1, sizeof(*list));
    char gtin[OCL_GTIN14_LEN + 1], font[4096];
    ocl_label_job job;
    lot_job(product, producer, lot, &job, gtin);
    for (size_t i = 0; list && i < count; i++)
        list[i] = json_string_value(json_array_get(serials, i));
    ocl_label_options options = {.base_url = req->config->base_url, .threads = cli_cores()};
    ocl_buffer pdf = {0};
    if (!count) {
        http_error(reply, 422, "invalid", "serials", "the lot has no serials yet");
    } else if (!list || cli_data_file("fonts/NotoSans-Regular.ttf", font, sizeof(font)) != 0) {
        http_error(reply, 500, "render", "", "cannot prepare the labels");
    } else {
        options.font_path = font;
        ocl_result rc = ocl_law_check(&job, &problems) == OCL_OK
                            ? ocl_labels_pdf(&job, &sheet, &options, list, count, &pdf, &problems)
                            : OCL_EINVAL;
        if (rc == OCL_EINVAL)
            http_error(reply, 422, "invalid", problems.item[0].field, "%s", problems.item[0].rule);
        else if (rc != OCL_OK)
            http_error(reply, 500, "render", "", "cannot draw the labels: %s", ocl_strerror(rc));
        else {
            reply->status = 200;
            reply->data = pdf.data;
            reply->data_len = pdf.len;
            reply->content_type = "application/pdf";
            pdf.data = NULL;
        }
    }
    ocl_buffer_free(&pdf);
    free(list);
    json_decref(serials);
    json_decref(producer);
    json_decref(product);
    json_decref(lot);
}
