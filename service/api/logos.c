/*
 * A producer's logo over HTTP: PUT /api/v1/producers/{id}/logo with the
 * PNG as the body (image/png) keeps it, replacing any, once labels/ has
 * checked it (a PNG within 1 MB and 2000 x 2000 pixels); GET gives it
 * back. The stamps of the producer's products draw it where their layout
 * has a [logo] box.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether the request may act on producer `id`: a producer on its own. */
static int allowed(http_request *req, http_reply *reply, long id)
{
    json_t *producer = store_producer_get(req->store, id);
    int found = producer != NULL;
    json_decref(producer);
    if (!found)
        http_error(reply, 404, "not_found", "id", "no producer %ld", id);
    else if (req->user.role == ROLE_PRODUCER && req->user.producer_id != id)
        http_error(reply, 403, "forbidden", "id", "a producer has a logo of its own only");
    return found && (req->user.role != ROLE_PRODUCER || req->user.producer_id == id);
}

void api_producers_logo_put(http_request *req, http_reply *reply, long id)
{
    if (!allowed(req, reply, id))
        return;
    const char *type = http_header(req, "Content-Type");
    size_t type_len = type ? strcspn(type, "; \t") : 0;
    if (type_len != 9 || strncasecmp(type, "image/png", 9) != 0) {
        http_error(reply, 415, "unsupported_media_type", "Content-Type",
                   "a logo is sent as 'image/png', not '%.60s'", type ? type : "");
        return;
    }
    ocl_problems problems;
    ocl_problems_init(&problems);
    int width = 0, height = 0;
    char error[STORE_ERROR_MAX];
    if (ocl_logo_check((const unsigned char *)req->body, req->body_len, "logo", &width, &height,
                       &problems) != OCL_OK)
        http_error(reply, 422, "invalid", "logo", "%s",
                   problems.count ? problems.item[0].rule : "cannot read the logo");
    else if (store_logo_put(req->store, id, (const unsigned char *)req->body, req->body_len, width,
                            height, error) != 0)
        http_error(reply, 500, "store", "", "%s", error);
    else {
        reply->status = 200;
        reply->json = json_pack("{s:I, s:i, s:i, s:I}", "producer_id", (json_int_t)id, "width",
                                width, "height", height, "bytes", (json_int_t)req->body_len);
    }
}

void api_producers_logo_get(http_request *req, http_reply *reply, long id)
{
    if (!allowed(req, reply, id))
        return;
    unsigned char *png = NULL;
    size_t len = 0;
    int found = store_logo_get(req->store, id, &png, &len);
    if (found < 0)
        http_error(reply, 500, "store", "", "cannot read the logo");
    else if (found == 0)
        http_error(reply, 404, "not_found", "logo", "producer %ld has no logo", id);
    else {
        reply->status = 200;
        reply->data = png;
        reply->data_len = len;
        reply->content_type = "image/png";
        png = NULL;
    }
    free(png);
}
