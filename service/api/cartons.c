/*
 * Cartons as the API and the resolver answer them: packing a lot's units
 * into cartons (POST /api/v1/lots/{id}/cartons), a carton read by its SSCC,
 * its GS1 logistics label as PDF, and the public /00/{sscc} that the QR of
 * that label holds, which tells what the carton holds (not its serials:
 * those stay with whoever may print the units' codes).
 */
#include "host.h"
#include "api.h"
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CARTONS_PATH "/api/v1/cartons/"
#define LOTS_REFUSAL "packs only its own lots' units"

/* ---------- packing ---------- */

static const jr_rule packing_rules[] = {{"units_per_carton", JR_INT, 0, NULL, 0},
                                        {"cartons", JR_INT, 0, NULL, 0},
                                        {"serials", JR_TEXTS, 0, NULL, 0},
                                        {NULL, 0, 0, NULL, 0}};

typedef struct {
    long units_per_carton, cartons;
    const json_t *serials;
} packing_request;

static void keep_packing_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    packing_request *in = ctx;
    if (strcmp(path, "serials") == 0) {
        in->serials = v;
        if (json_array_size(v) < 1 || json_array_size(v) > STORE_CARTON_UNITS_MAX)
            ocl_problem_add(problems, path, "must name 1 to %d serials", STORE_CARTON_UNITS_MAX);
        return;
    }
    int cartons = strcmp(path, "cartons") == 0;
    json_int_t n = json_integer_value(v),
               max = cartons ? STORE_CARTONS_MAX : STORE_CARTON_UNITS_MAX;
    if (n < 1 || n > max)
        ocl_problem_add(problems, path, "must be 1 to %lld", (long long)max);
    else if (cartons)
        in->cartons = (long)n;
    else
        in->units_per_carton = (long)n;
}

/* One way of packing and what goes with it: 0, or -1 with a 422. */
static int packing_chosen(const packing_request *in, const json_t *body, http_reply *reply)
{
    int by_count = json_object_get(body, "units_per_carton") != NULL;
    if (!by_count && !in->serials)
        http_error(reply, 422, "invalid", "units_per_carton",
                   "give \"units_per_carton\" (the lot's units in no carton, by serial) or "
                   "\"serials\" (one carton of exactly those)");
    else if (by_count && in->serials)
        http_error(reply, 422, "invalid", "serials",
                   "give \"units_per_carton\" or \"serials\", not both");
    else if (!by_count && json_object_get(body, "cartons"))
        http_error(reply, 422, "invalid", "cartons", "goes with \"units_per_carton\" only");
    else
        return 0;
    return -1;
}

/* The company prefix the SSCCs are made of: 0, or -1 with a 409 when the
 * configuration has none. */
static int company_prefix_set(const http_request *req, http_reply *reply)
{
    if (req->config->gs1.company_prefix[0])
        return 0;
    http_error(reply, 409, "no_company_prefix", "company_prefix",
               "the service's configuration has no [gs1] company_prefix, which every SSCC is "
               "made of: ask its administrator to set it");
    return -1;
}

/* Each carton with the links to it: its label and its public page. */
static void add_links(const http_request *req, json_t *cartons)
{
    size_t i;
    json_t *carton;
    json_array_foreach(cartons, i, carton)
    {
        const char *sscc = json_string_value(json_object_get(carton, "sscc"));
        char uri[OCL_BASE_URL_MAX + 32], label[64];
        snprintf(uri, sizeof(uri), "%s/00/%s", req->config->base_url, sscc);
        snprintf(label, sizeof(label), CARTONS_PATH "%s/label.pdf", sscc);
        json_object_set_new(carton, "uri", json_string(uri));
        json_object_set_new(carton, "label", json_string(label));
    }
}

void api_cartons_create(http_request *req, http_reply *reply, long id)
{
    if (!api_owned(req, reply, id, 1, LOTS_REFUSAL) || !api_lot_not_recalled(req, reply, id))
        return;
    packing_request in = {0};
    json_t *body = NULL;
    if (http_read_body(req, reply, packing_rules, keep_packing_field, &in, &body) != 0 ||
        packing_chosen(&in, body, reply) != 0 || company_prefix_set(req, reply) != 0) {
        json_decref(body);
        return;
    }
    size_t count = json_array_size(in.serials);
    const char **serials = calloc(count ? count : 1, sizeof(*serials));
    for (size_t i = 0; serials && i < count; i++)
        serials[i] = json_string_value(json_array_get(in.serials, i));
    store_packing packing = {
        .lot_id = id,
        .units_per_carton = in.units_per_carton,
        .max_cartons = in.cartons,
        .serials = serials,
        .serial_count = count,
        .company_prefix = req->config->gs1.company_prefix,
        .extension_digit = (int)req->config->gs1.extension_digit,
        .base_url = req->config->base_url,
    };
    store_problem problem;
    json_t *cartons = serials ? store_cartons_pack(req->store, &packing, &problem) : NULL;
    if (cartons) {
        add_links(req, cartons);
        reply->status = 201;
        reply->json = json_pack("{s:I, s:o}", "lot_id", (json_int_t)id, "cartons", cartons);
    } else if (serials) {
        http_problem(reply, &problem);
    } else {
        http_error(reply, 500, "internal", "", "out of memory");
    }
    free(serials);
    json_decref(body);
}

/* ---------- a carton by its SSCC ---------- */

/* The SSCC of a path's segment after `prefix`, checked: 0, or -1 with a
 * 400 naming the rule it breaks. */
static int sscc_of(const char *path, const char *prefix, char sscc[OCL_SSCC_LEN + 1],
                   http_reply *reply)
{
    char segment[64];
    const char *start = path + strlen(prefix);
    size_t len = strcspn(start, "/");
    snprintf(segment, sizeof(segment), "%.*s", (int)(len < 40 ? len : 40), start);
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (len > 40)
        ocl_problem_add(&problems, "sscc", "must have %d digits (an SSCC), found %zu characters",
                        OCL_SSCC_LEN, len);
    else
        ocl_sscc_check(segment, "sscc", &problems);
    if (problems.count) {
        http_error(reply, 400, "bad_sscc", "sscc", "%s", problems.item[0].rule);
        return -1;
    }
    memcpy(sscc, segment, OCL_SSCC_LEN + 1);
    return 0;
}

/* The carton the path names, if the request may read it; NULL with the
 * reply filled. */
static json_t *readable_carton(http_request *req, http_reply *reply, const char *sscc,
                               int with_serials)
{
    json_t *carton = store_carton_get(req->store, sscc, with_serials);
    long owner =
        (long)json_integer_value(json_object_get(json_object_get(carton, "producer"), "id"));
    if (!carton)
        http_error(reply, 404, "not_found", "sscc", "no carton %s", sscc);
    else if (req->user.role == ROLE_PRODUCER && req->user.producer_id != owner)
        http_error(reply, 403, "forbidden", "", "a producer reads only its own cartons");
    else
        return carton;
    json_decref(carton);
    return NULL;
}

/* The carton's EPC URI (as its AggregationEvent names it) and its link. */
static void add_names(const http_request *req, json_t *carton)
{
    const char *sscc = json_string_value(json_object_get(carton, "sscc"));
    const char *prefix = json_string_value(json_object_get(carton, "company_prefix"));
    char epc[OCL_SSCC_EPC_MAX], uri[OCL_BASE_URL_MAX + 32];
    if (ocl_sscc_epc_uri(sscc, strlen(prefix), epc, sizeof(epc)) == OCL_OK)
        json_object_set_new(carton, "epc", json_string(epc));
    snprintf(uri, sizeof(uri), "%s/00/%s", req->config->base_url, sscc);
    json_object_set_new(carton, "uri", json_string(uri));
}

void api_cartons_get(http_request *req, http_reply *reply, long id)
{
    (void)id;
    char sscc[OCL_SSCC_LEN + 1];
    json_t *carton = sscc_of(req->path, CARTONS_PATH, sscc, reply) == 0
                         ? readable_carton(req, reply, sscc, 1)
                         : NULL;
    if (!carton)
        return;
    add_names(req, carton);
    reply->status = 200;
    reply->json = carton;
}

/* ---------- its logistics label ---------- */

/* The label's record of a carton as the store reads it; `link` is the
 * caller's buffer for its QR's text. */
static void carton_record(const http_request *req, const json_t *carton, ocl_carton *c,
                          char link[OCL_BASE_URL_MAX + 32])
{
    const json_t *lot = json_object_get(carton, "lot"),
                 *product = json_object_get(carton, "product");
    const json_t *producer = json_object_get(carton, "producer");
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    memset(c, 0, sizeof(*c));
    c->sscc = jr_text(carton, "sscc");
    c->producer_name = jr_text(producer, "name");
    c->producer_address = jr_text(producer, "address");
    c->product_name = jr_text(product, "name");
    c->gtin = json_string_value(json_object_get(product, "gtin"));
    c->count = (long)json_integer_value(json_object_get(carton, "units"));
    c->lot = jr_text(lot, "code");
    const char *produced = json_string_value(json_object_get(lot, "produced"));
    const char *expires = json_string_value(json_object_get(lot, "expires"));
    c->has_produced =
        produced && ocl_date_parse_iso(produced, "produced", 1, &c->produced, &ignored) == OCL_OK;
    c->has_expires =
        expires && ocl_date_parse_iso(expires, "expires", 1, &c->expires, &ignored) == OCL_OK;
    snprintf(link, OCL_BASE_URL_MAX + 32, "%s/00/%s", req->config->base_url, c->sscc);
    c->link = link;
}

/* ?sheet=roll-100x150 (the default), roll-100x50 or a6, or any sheet whose
 * label holds the SSCC's bars; ?layout=NAME of templates/layouts/, by
 * default carton (carton-low on a label lower than 100 mm). */
void api_cartons_label(http_request *req, http_reply *reply, long id)
{
    (void)id;
    char sscc[OCL_SSCC_LEN + 1], link[OCL_BASE_URL_MAX + 32], font[4096];
    const char *sheet_name = http_query(req, "sheet");
    ocl_sheet sheet;
    ocl_layout *layout = malloc(sizeof(*layout));
    json_t *carton = sscc_of(req->path, CARTONS_PATH, sscc, reply) == 0
                         ? readable_carton(req, reply, sscc, 0)
                         : NULL;
    if (carton && !layout)
        http_error(reply, 500, "render", "", "cannot prepare the label");
    if (!carton || !layout ||
        api_sheet_load(sheet_name ? sheet_name : "roll-100x150", reply, &sheet) != 0 ||
        api_layout_load(req, reply,
                        ocl_carton_layout_default(sheet.label_width, sheet.label_height),
                        layout) != 0) {
        json_decref(carton);
        free(layout);
        return;
    }
    ocl_carton c;
    ocl_buffer pdf = {0};
    ocl_problems problems;
    ocl_problems_init(&problems);
    carton_record(req, carton, &c, link);
    ocl_result rc = host_data_file("fonts/NotoSans-Regular.ttf", font, sizeof(font)) == 0
                        ? ocl_carton_label_layout_pdf(&c, &sheet, layout, font, &pdf, &problems)
                        : OCL_EIO;
    if (rc == OCL_OK) {
        reply->status = 200;
        reply->data = pdf.data;
        reply->data_len = pdf.len;
        reply->content_type = "application/pdf";
        pdf.data = NULL;
    } else if (rc == OCL_EINVAL) {
        http_error(reply, 422, "invalid", problems.item[0].field, "%s", problems.item[0].rule);
    } else {
        http_error(reply, 500, "render", "", "cannot draw the label: %s", ocl_strerror(rc));
    }
    ocl_buffer_free(&pdf);
    free(layout);
    json_decref(carton);
}

/* ---------- /00/{sscc}: what a carton holds, for anyone who scans it ---------- */

/* The public answer: what the carton's label says, and who packed it. */
static json_t *public_answer(const json_t *carton)
{
    const json_t *lot = json_object_get(carton, "lot"),
                 *product = json_object_get(carton, "product");
    const json_t *producer = json_object_get(carton, "producer");
    return json_pack(
        "{s:O, s:O, s:{s:O, s:O}, s:{s:O, s:O, s:O}, s:{s:O, s:O}}", "sscc",
        json_object_get(carton, "sscc"), "count", json_object_get(carton, "units"), "product",
        "name", json_object_get(product, "name"), "gtin", json_object_get(product, "gtin"), "lot",
        "code", json_object_get(lot, "code"), "produced", json_object_get(lot, "produced"),
        "expires", json_object_get(lot, "expires"), "producer", "name",
        json_object_get(producer, "name"), "address", json_object_get(producer, "address"));
}

/* DD/MM/YYYY of a YYYY-MM-DD, as Vietnamese labels write dates. */
static void date_vi(const char *iso, char out[11])
{
    if (strlen(iso) == 10)
        snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else
        snprintf(out, 11, "%s", iso);
}

/* The page of templates/pages/carton.html for `answer` (NULL: the SSCC
 * is no carton here); malloc'd, or NULL. */
static char *carton_page(const char *sscc, const json_t *answer)
{
    static const char *const keys[] = {"sscc",     "found",   "product", "gtin",     "lot",
                                       "produced", "expires", "count",   "producer", "address"};
    const json_t *product = json_object_get(answer, "product"),
                 *lot = json_object_get(answer, "lot");
    const json_t *producer = json_object_get(answer, "producer");
    char produced[11], expires[11], count[24], path[4096];
    date_vi(jr_text(lot, "produced"), produced);
    date_vi(jr_text(lot, "expires"), expires);
    snprintf(count, sizeof(count), "%lld",
             (long long)json_integer_value(json_object_get(answer, "count")));
    const char *values[] = {sscc,
                            answer ? "on" : "off",
                            jr_text(product, "name"),
                            jr_text(product, "gtin"),
                            jr_text(lot, "code"),
                            produced,
                            expires,
                            count,
                            jr_text(producer, "name"),
                            jr_text(producer, "address")};
    ocl_buffer source = {0};
    char *html = NULL;
    if (host_data_file("templates/pages/carton.html", path, sizeof(path)) == 0 &&
        host_read_file(path, &source) == 0 && ocl_buffer_append(&source, "", 1) == OCL_OK)
        html = page_render((const char *)source.data, keys, values, sizeof(keys) / sizeof(keys[0]));
    ocl_buffer_free(&source);
    return html;
}

void carton_resolve(http_request *req, http_reply *reply)
{
    char sscc[OCL_SSCC_LEN + 1];
    reply->cors = 1;
    reply->vary = "Accept";
    if (sscc_of(req->raw_path, "/00/", sscc, reply) != 0)
        return;
    if (req->raw_path[4 + OCL_SSCC_LEN]) {
        http_error(reply, 404, "not_found", "path", "/00/{sscc} takes nothing after the SSCC");
        return;
    }
    json_t *carton = store_carton_get(req->store, sscc, 0);
    json_t *answer = carton ? public_answer(carton) : NULL;
    json_decref(carton);
    if (req->accept && strstr(req->accept, "application/json")) {
        if (answer) {
            reply->status = 200;
            reply->json = json_incref(answer);
        } else {
            http_error(reply, 404, "not_found", "sscc", "no carton %s is registered here", sscc);
        }
    } else if ((reply->text = carton_page(sscc, answer))) {
        reply->status = answer ? 200 : 404;
        reply->content_type = "text/html; charset=utf-8";
        reply->content_language = "vi";
    } else {
        http_error(reply, 500, "internal", "", "cannot read the carton page's template");
    }
    json_decref(answer);
}
