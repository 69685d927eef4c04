/*
 * A lot's traceability stamps as PDF: GET /api/v1/lots/{id}/stamps.pdf
 * ?sheet=NAME[&symbol=qr|datamatrix][&layout=NAME], one stamp per serial
 * of the lot, drawn by labels/ from the stored product, producer and lot,
 * with the OCOP mark while the product's certificate is in force and the
 * producer's logo (api/logos.c) where the layout has a box for it.
 */
#include "api.h"
#include "clock.h"
#include "host.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The OCOP stars the stamps may show today: those of the product's
 * certificate in force, or 0. */
static int stars_in_force(store *s, long product_id)
{
    char today[11], number[128];
    clock_day(0, today);
    if (!store_product_certificate(s, product_id, today, number, sizeof(number)))
        return 0;
    json_t *certificate = store_certificate_get(s, 0, number);
    int stars = (int)json_integer_value(json_object_get(certificate, "stars"));
    json_decref(certificate);
    return stars;
}

int api_layout_load(http_request *req, http_reply *reply, const char *fallback, ocl_layout *layout)
{
    const char *name = http_query(req, "layout");
    if (!name)
        name = fallback;
    char file[OCL_LAYOUT_NAME_MAX + 32], path[4096];
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (!*name || strchr(name, '/') || name[0] == '.' || strlen(name) >= OCL_LAYOUT_NAME_MAX) {
        http_error(reply, 422, "invalid", "layout",
                   "give ?layout=NAME, a file of templates/layouts/ without '.layout', e.g. %s",
                   fallback);
        return -1;
    }
    snprintf(file, sizeof(file), "templates/layouts/%s.layout", name);
    int found = host_data_file(file, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
    /* A data directory without the default's file: the same, built in. */
    if (!found && name == fallback && ocl_layout_builtin(name, layout) == OCL_OK)
        return 0;
    ocl_result rc = found ? ocl_layout_load(path, layout, &problems) : OCL_EIO;
    if (rc == OCL_EINVAL)
        http_error(reply, 422, "invalid", problems.item[0].field, "%s", problems.item[0].rule);
    else if (rc != OCL_OK)
        http_error(reply, 422, "invalid", "layout", "unknown layout '%s'", name);
    return rc == OCL_OK ? 0 : -1;
}

/* ?symbol=: qr (default) or datamatrix; -1 with the reply. */
static int symbol_of(http_request *req, http_reply *reply)
{
    const char *name = http_query(req, "symbol");
    int symbol = name ? ocl_symbology_parse(name) : OCL_SYMBOL_QR;
    if (symbol != OCL_SYMBOL_QR && symbol != OCL_SYMBOL_DATAMATRIX) {
        http_error(reply, 422, "invalid", "symbol", "must be qr or datamatrix");
        return -1;
    }
    return symbol;
}

/* Draws the stamps of the lot's serials into `pdf`: 0, or -1 with the reply. */
static int draw(http_request *req, http_reply *reply, long id, const ocl_sheet *sheet,
                const ocl_layout *layout, ocl_stamp_options *options, ocl_buffer *pdf)
{
    json_t *lot = store_lot_get(req->store, id);
    long product_id = (long)json_integer_value(json_object_get(lot, "product_id"));
    json_t *product = store_product_get(req->store, product_id);
    long owner = store_lot_owner(req->store, id);
    json_t *producer = store_producer_get(req->store, owner);
    json_t *serials = store_lot_serials(req->store, id);
    size_t count = json_array_size(serials);
    const char **list = calloc(count ? count : 1, sizeof(*list));
    char gtin[OCL_GTIN14_LEN + 1];
    ocl_label_job job;
    api_lot_job(product, producer, lot, &job, gtin);
    job.ocop_stars = stars_in_force(req->store, product_id);
    options->ocop_mark = job.ocop_stars >= 3;
    ocl_problems problems;
    ocl_problems_init(&problems);
    int rc = -1;
    ocl_result result = OCL_ENOMEM;
    unsigned char *logo = NULL;
    size_t logo_len = 0;
    if (layout->element[OCL_ELEMENT_LOGO].present &&
        store_logo_get(req->store, owner, &logo, &logo_len) > 0) {
        options->logo = logo;
        options->logo_len = logo_len;
    }
    for (size_t i = 0; list && i < count; i++)
        list[i] = json_string_value(json_array_get(serials, i));
    if (!count)
        http_error(reply, 422, "invalid", "serials", "the lot has no serials yet");
    else if (list && (result = ocl_stamps_pdf(&job, sheet, layout, options, list, count, pdf,
                                              &problems)) == OCL_EINVAL)
        http_error(reply, 422, "invalid", problems.item[0].field, "%s%s%s", problems.item[0].rule,
                   problems.count > 1 ? "; " : "", problems.count > 1 ? problems.item[1].rule : "");
    else if (result != OCL_OK)
        http_error(reply, 500, "render", "", "cannot draw the stamps: %s", ocl_strerror(result));
    else
        rc = 0;
    free(list);
    free(logo);
    json_decref(serials);
    json_decref(producer);
    json_decref(product);
    json_decref(lot);
    return rc;
}

void api_lots_stamps(http_request *req, http_reply *reply, long id)
{
    ocl_sheet sheet;
    ocl_layout *layout = malloc(sizeof(*layout));
    ocl_stamp_options options = {.base_url = req->config->base_url, .threads = host_cores()};
    char font[4096];
    ocl_buffer pdf = {0};
    long owner = layout ? api_lot_printable(req, reply, id) : 0;
    int symbol = -1;
    if (!layout)
        http_error(reply, 500, "render", "", "cannot prepare the stamps");
    else if (owner && api_sheet_load(http_query(req, "sheet"), reply, &sheet) == 0 &&
             (symbol = symbol_of(req, reply)) >= 0 &&
             api_layout_load(req, reply,
                             ocl_stamp_layout_default(sheet.label_width, sheet.label_height),
                             layout) == 0) {
        options.symbol = (ocl_symbology)symbol;
        options.font_path = font;
        if (host_data_file("fonts/NotoSans-Regular.ttf", font, sizeof(font)) != 0)
            http_error(reply, 500, "render", "", "cannot prepare the stamps");
        else if (draw(req, reply, id, &sheet, layout, &options, &pdf) == 0) {
            reply->status = 200;
            reply->data = pdf.data;
            reply->data_len = pdf.len;
            reply->content_type = "application/pdf";
            pdf.data = NULL;
        }
    }
    ocl_buffer_free(&pdf);
    free(layout);
}
