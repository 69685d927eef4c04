/*
 * A lot's labels for a thermal roll printer: GET /api/v1/lots/{id}/labels.zpl
 * (Zebra) and labels.tspl (TSC, Xprinter), ?sheet= a roll sheet and
 * ?dpi=203 or 300, drawn by labels/ as labels.pdf draws the same lot. The
 * bytes are what the printer takes on its raw port (9100), so they come
 * as a download, not as text to show.
 */
#include "api.h"
#include "host.h"

#include <stdlib.h>
#include <string.h>

/* ?dpi=: 203 (when not given) or 300; 0 with the reply otherwise. */
static int query_dpi(http_request *req, http_reply *reply)
{
    const char *text = http_query(req, "dpi");
    if (!text)
        return OCL_PRINTER_DPI;
    if (strcmp(text, "203") == 0 || strcmp(text, "300") == 0)
        return atoi(text);
    http_error(reply, 422, "invalid", "dpi",
               "must be 203 or 300 (the printer's dots per inch), not '%.16s'", text);
    return 0;
}

/* Draws the labels of `count` serials into `out`; 0, or -1 with the reply. */
static int draw(http_request *req, http_reply *reply, long id, const ocl_sheet *sheet,
                ocl_printer_language language, int dpi, const char *const *list, size_t count,
                ocl_buffer *out)
{
    json_t *lot = store_lot_get(req->store, id);
    json_t *product =
        store_product_get(req->store, (long)json_integer_value(json_object_get(lot, "product_id")));
    json_t *producer = store_producer_get(req->store, store_lot_owner(req->store, id));
    char gtin[OCL_GTIN14_LEN + 1], font[4096];
    ocl_label_job job;
    ocl_problems problems;
    ocl_problems_init(&problems);
    api_lot_job(product, producer, lot, &job, gtin);
    ocl_label_options options = {.base_url = req->config->base_url, .font_path = font};
    int rc = -1;
    if (!count) {
        http_error(reply, 422, "invalid", "serials", "the lot has no serials yet");
    } else if (host_data_file("fonts/NotoSans-Regular.ttf", font, sizeof(font)) != 0) {
        http_error(reply, 500, "render", "", "cannot prepare the labels");
    } else {
        ocl_result result = ocl_law_check(&job, &problems) == OCL_OK
                                ? ocl_labels_printer(&job, sheet, &options, language, dpi, list,
                                                     count, out, &problems)
                                : OCL_EINVAL;
        rc = api_drawn(reply, result, &problems, "labels");
    }
    json_decref(producer);
    json_decref(product);
    json_decref(lot);
    return rc;
}

static void printer_labels(http_request *req, http_reply *reply, long id,
                           ocl_printer_language language, const char *extension)
{
    ocl_sheet sheet;
    int dpi = 0;
    if (!api_lot_printable(req, reply, id))
        return;
    /* As labels.pdf: the PINs exist only as hashes, printed once. */
    if (store_lot_pins(req->store, id) > 0) {
        http_error(reply, 409, "pins_printed_once", "id",
                   "lot %ld has serials with scratch-off PINs, which are printed only once, when "
                   "the serials are issued",
                   id);
        return;
    }
    if (api_sheet_load(http_query(req, "sheet"), reply, &sheet) != 0 ||
        (dpi = query_dpi(req, reply)) == 0)
        return;
    json_t *serials = store_lot_serials(req->store, id);
    size_t count = json_array_size(serials);
    const char **list = calloc(count ? count : 1, sizeof(*list));
    ocl_buffer out = {0};
    for (size_t i = 0; list && i < count; i++)
        list[i] = json_string_value(json_array_get(serials, i));
    if (!list)
        http_error(reply, 500, "render", "", "cannot prepare the labels");
    else if (draw(req, reply, id, &sheet, language, dpi, list, count, &out) == 0) {
        reply->status = 200;
        reply->data = out.data;
        reply->data_len = out.len;
        reply->content_type = "application/octet-stream";
        snprintf(reply->disposition, sizeof(reply->disposition),
                 "attachment; filename=\"lot-%ld-labels.%s\"", id, extension);
        out.data = NULL;
    }
    ocl_buffer_free(&out);
    free(list);
    json_decref(serials);
}

void api_lots_labels_zpl(http_request *req, http_reply *reply, long id)
{
    printer_labels(req, reply, id, OCL_PRINTER_ZPL, "zpl");
}

void api_lots_labels_tspl(http_request *req, http_reply *reply, long id)
{
    printer_labels(req, reply, id, OCL_PRINTER_TSPL, "tspl");
}
