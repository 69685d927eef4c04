/*
 * /api/v1/notices: what the signed-in user has been told (renewal
 * reminders), newest first with the count not yet read, and marking one
 * read. Each user sees only their own.
 */
#include "api.h"

#define NOTICES_SHOWN 100

void api_notices_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    json_t *notices = store_notices_list(req->store, req->user.id, NOTICES_SHOWN);
    if (!notices) {
        http_error(reply, 500, "store", "", "cannot read the notices");
        return;
    }
    reply->status = 200;
    reply->json = notices;
}

void api_notices_read(http_request *req, http_reply *reply, long id)
{
    json_t *notice = store_notice_read(req->store, req->user.id, id);
    if (!notice) {
        http_error(reply, 500, "store", "", "cannot mark notice %ld read", id);
        return;
    }
    if (json_is_null(notice)) {
        json_decref(notice);
        http_error(reply, 404, "not_found", "id", "no notice %ld of yours", id);
        return;
    }
    reply->status = 200;
    reply->json = notice;
}
