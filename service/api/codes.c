/*
 * What the service prints: a product's code (GS1 Digital Link with its GTIN)
 * as PNG or SVG, and a lot's label sheet as PDF, drawn by labels/ from the
 * stored product, producer, lot and serials.
 */
#include "clock.h"
#include "host.h"
#include "api.h"

#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

/* The lot, if the request may print it: its owner, or 0 with the reply. */
static long printable_lot(http_request *req, http_reply *reply, long id)
{
    long owner = store_lot_owner(req->store, id);
    if (!owner || !may_read(req, owner)) {
        http_error(reply, owner ? 403 : 404, owner ? "forbidden" : "not_found", "id",
                   owner ? "a producer prints only its own lots" : "no lot %ld", id);
        return 0;
    }
    return api_lot_not_recalled(req, reply, id) ? owner : 0;
}

/* ?sheet=NAME from templates/sheets/, and ?symbol=qr|datamatrix for the
 * units' codes; 0, or -1 with the reply. */
static int load_sheet(http_request *req, http_reply *reply, ocl_sheet *sheet)
{
    const char *symbol = http_query(req, "symbol");
    int parsed = symbol ? ocl_symbology_parse(symbol) : OCL_SYMBOL_QR;
    if (parsed != OCL_SYMBOL_QR && parsed != OCL_SYMBOL_DATAMATRIX) {
        http_error(reply, 422, "invalid", "symbol", "must be qr or datamatrix, not '%s'", symbol);
        return -1;
    }
    return api_sheet_load(http_query(req, "sheet"), reply, sheet);
}

int api_drawn(http_reply *reply, ocl_result result, const ocl_problems *problems, const char *what)
{
    if (result == OCL_EINVAL && problems->count)
        http_error(reply, 422, "invalid", problems->item[0].field, "%s", problems->item[0].rule);
    else if (result != OCL_OK)
        http_error(reply, 500, "render", "", "cannot draw the %s: %s", what, ocl_strerror(result));
    return result == OCL_OK ? 0 : -1;
}

int api_sheet_load(const char *name, http_reply *reply, ocl_sheet *sheet)
{
    char path[4096], file[OCL_SHEET_NAME_MAX + 32];
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (!name || !*name || strchr(name, '/') || name[0] == '.' ||
        strlen(name) >= OCL_SHEET_NAME_MAX) {
        http_error(reply, 422, "invalid", "sheet", "give ?sheet=NAME, e.g. a4-3x8");
        return -1;
    }
    snprintf(file, sizeof(file), "templates/sheets/%s.sheet", name);
    if (host_data_file(file, path, sizeof(path)) != 0 ||
        ocl_sheet_load(path, sheet, &problems) != OCL_OK) {
        http_error(reply, 422, "invalid", "sheet", "unknown sheet '%s'", name);
        return -1;
    }
    return 0;
}

int api_labels_draw(http_request *req, http_reply *reply, long id, const ocl_sheet *sheet,
                    const char *const *list, const char *const *pins, size_t count, ocl_buffer *pdf)
{
    json_t *lot = store_lot_get(req->store, id);
    json_t *product =
        store_product_get(req->store, (long)json_integer_value(json_object_get(lot, "product_id")));
    json_t *producer = store_producer_get(req->store, store_lot_owner(req->store, id));
    char gtin[OCL_GTIN14_LEN + 1], font[4096];
    ocl_label_job job;
    ocl_problems problems;
    ocl_problems_init(&problems);
    lot_job(product, producer, lot, &job, gtin);
    /* ?symbol= is checked by the routes that take it; any other is a QR. */
    ocl_symbology symbol = ocl_symbology_parse(http_query(req, "symbol")) == OCL_SYMBOL_DATAMATRIX
                               ? OCL_SYMBOL_DATAMATRIX
                               : OCL_SYMBOL_QR;
    ocl_label_options options = {
        .base_url = req->config->base_url, .threads = host_cores(), .pins = pins, .symbol = symbol};
    int rc = -1;
    ocl_layout *layout = malloc(sizeof(*layout));
    unsigned char *logo = NULL;
    size_t logo_len = 0;
    if (!count) {
        http_error(reply, 422, "invalid", "serials", "the lot has no serials yet");
    } else if (!layout || host_data_file("fonts/NotoSans-Regular.ttf", font, sizeof(font)) != 0) {
        http_error(reply, 500, "render", "", "cannot prepare the labels");
    } else if (api_layout_load(req, reply, "label", layout) == 0) {
        options.font_path = font;
        options.layout = layout;
        /* The producer's stored logo (api/logos.c), where the layout has a
         * place for it. */
        if (ocl_layout_has_logo(layout) &&
            store_logo_get(req->store, store_lot_owner(req->store, id), &logo, &logo_len) > 0) {
            options.logo = logo;
            options.logo_len = logo_len;
        }
        ocl_result result = ocl_law_check(&job, &problems) == OCL_OK
                                ? ocl_labels_pdf(&job, sheet, &options, list, count, pdf, &problems)
                                : OCL_EINVAL;
        rc = api_drawn(reply, result, &problems, "labels");
    }
    free(logo);
    free(layout);
    json_decref(producer);
    json_decref(product);
    json_decref(lot);
    return rc;
}

/* Draws the labels of the lot's serials (`limit` of them, 0: all) on the
 * sheet into `pdf`, each with `pin` when not NULL; 0, or -1 with the reply. */
static int draw_lot(http_request *req, http_reply *reply, long id, const ocl_sheet *sheet,
                    size_t limit, const char *pin, ocl_buffer *pdf)
{
    json_t *serials = store_lot_serials(req->store, id);
    size_t count = json_array_size(serials);
    if (limit && count > limit)
        count = limit;
    const char **list = calloc(count ? count : 1, sizeof(*list));
    const char **pins = calloc(count ? count : 1, sizeof(*pins));
    for (size_t i = 0; list && pins && i < count; i++) {
        list[i] = json_string_value(json_array_get(serials, i));
        pins[i] = pin;
    }
    int rc = -1;
    if (list && pins)
        rc = api_labels_draw(req, reply, id, sheet, list, pin ? pins : NULL, count, pdf);
    else
        http_error(reply, 500, "render", "", "cannot prepare the labels");
    free(pins);
    free(list);
    json_decref(serials);
    return rc;
}

static void take_bytes(http_reply *reply, ocl_buffer *data, const char *type)
{
    reply->status = 200;
    reply->data = data->data;
    reply->data_len = data->len;
    reply->content_type = type;
    data->data = NULL;
    data->len = 0;
}

void api_lots_labels(http_request *req, http_reply *reply, long id)
{
    ocl_sheet sheet;
    ocl_buffer pdf = {0};
    long owner = printable_lot(req, reply, id);
    long pinned = owner ? store_lot_pins(req->store, id) : 0;
    /* The PINs exist only as hashes: their labels were printed once, when
     * the serials were issued. */
    if (pinned > 0)
        http_error(reply, 409, "pins_printed_once", "id",
                   "lot %ld has serials with scratch-off PINs, which are printed only once: ask "
                   "for the labels when issuing serials (POST /api/v1/lots/%ld/serials with "
                   "\"sheet\")",
                   id, id);
    else if (owner && load_sheet(req, reply, &sheet) == 0 &&
             draw_lot(req, reply, id, &sheet, 0, NULL, &pdf) == 0)
        take_bytes(reply, &pdf, "application/pdf");
    ocl_buffer_free(&pdf);
}

/* Rasterises a one-page PDF to PNG with poppler's pdftoppm, in a private
 * temporary folder: 0, or -1. */
static int pdf_to_png(const ocl_buffer *pdf, int dpi, ocl_buffer *png)
{
    char dir[] = "/tmp/ocoptrace-preview.XXXXXX", in[64], out[64], root[64], resolution[16];
    if (!mkdtemp(dir))
        return -1;
    snprintf(in, sizeof(in), "%s/label.pdf", dir);
    snprintf(root, sizeof(root), "%s/label", dir);
    snprintf(out, sizeof(out), "%s/label.png", dir);
    snprintf(resolution, sizeof(resolution), "%d", dpi);
    int rc = host_write_file(in, pdf->data, pdf->len);
    char *const argv[] = {"pdftoppm", "-png", "-r", resolution, "-singlefile", in, root, NULL};
    pid_t child = -1;
    int status = 0;
    if (rc == 0 && posix_spawnp(&child, "pdftoppm", NULL, NULL, argv, environ) == 0 &&
        waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        rc = host_read_file(out, png);
    else
        rc = -1;
    unlink(in);
    unlink(out);
    rmdir(dir);
    return rc;
}

/* One label of the lot as a PNG image, as the chosen sheet would print it:
 * a preview for the web page before the PDF is downloaded. */
void api_lots_label_png(http_request *req, http_reply *reply, long id)
{
    ocl_sheet sheet;
    ocl_buffer pdf = {0}, png = {0};
    long owner = printable_lot(req, reply, id);
    if (!owner || load_sheet(req, reply, &sheet) != 0)
        return;
    /* A page the size of one label. */
    sheet.page_width = sheet.label_width;
    sheet.page_height = sheet.label_height;
    sheet.left = sheet.top = 0;
    sheet.pitch_x = sheet.label_width;
    sheet.pitch_y = sheet.label_height;
    sheet.columns = sheet.rows = 1;
    /* A sample PIN where the labels will have theirs: the real ones are
     * seen only when the serials are issued. */
    long product = store_lot_product(req->store, id);
    json_t *p = store_product_get(req->store, product);
    const char *pin = json_is_true(json_object_get(p, "scratch_pin")) ? "1234 5678" : NULL;
    int rendered = draw_lot(req, reply, id, &sheet, 1, pin, &pdf);
    json_decref(p);
    if (rendered == 0) {
        if (pdf_to_png(&pdf, 200, &png) == 0)
            take_bytes(reply, &png, "image/png");
        else
            http_error(reply, 500, "render", "", "cannot draw the preview (pdftoppm)");
    }
    ocl_buffer_free(&png);
    ocl_buffer_free(&pdf);
}

/* What the labelling law still needs before the product's labels can be
 * printed; with ?lot=ID the lot's dates too. */
void api_products_label_check(http_request *req, http_reply *reply, long id)
{
    long owner = store_product_owner(req->store, id);
    if (!owner || !may_read(req, owner)) {
        http_error(reply, owner ? 403 : 404, owner ? "forbidden" : "not_found", "id",
                   owner ? "a producer reads only its own products" : "no product %ld", id);
        return;
    }
    const char *lot_text = http_query(req, "lot");
    long lot_id = lot_text ? strtol(lot_text, NULL, 10) : 0;
    json_t *lot = lot_id > 0 && store_lot_product(req->store, lot_id) == id
                      ? store_lot_get(req->store, lot_id)
                      : NULL; /* the product alone: the lot's own fields are left out */
    json_t *product = store_product_get(req->store, id);
    json_t *producer = store_producer_get(req->store, owner);
    ocl_label_job job;
    char gtin[OCL_GTIN14_LEN + 1];
    ocl_problems problems;
    ocl_problems_init(&problems);
    lot_job(product, producer, lot, &job, gtin);
    ocl_law_check(&job, &problems);
    json_t *missing = json_array();
    /* Named as the API names them: a product's fields bare, the producer's
     * and the lot's with their prefix. */
    for (size_t i = 0; i < problems.count; i++) {
        const char *field = problems.item[i].field;
        if (strncmp(field, "product.", 8) == 0)
            field += 8;
        if (lot_id > 0 || strncmp(field, "lot.", 4) != 0)
            json_array_append_new(
                missing, json_pack("{s:s, s:s}", "field", field, "message", problems.item[i].rule));
    }
    reply->status = 200;
    reply->json =
        json_pack("{s:b, s:o}", "ready", json_array_size(missing) == 0, "missing", missing);
    json_decref(producer);
    json_decref(product);
    json_decref(lot);
}

/* ---------- shared with the other things printed for a lot (api.h) ---------- */

long api_lot_printable(http_request *req, http_reply *reply, long id)
{
    return printable_lot(req, reply, id);
}

void api_lot_job(json_t *product, json_t *producer, json_t *lot, ocl_label_job *job,
                 char gtin[OCL_GTIN14_LEN + 1])
{
    lot_job(product, producer, lot, job, gtin);
}
