/*
 * /api/v1/sync: how the deliveries to the remote traceability system
 * stand, for officers and admins (the CLI's `sync status` over HTTP).
 */
#include "api.h"

void api_sync_status(http_request *req, http_reply *reply, long id)
{
    (void)id;
    json_t *status = store_sync_status(req->store);
    if (!status) {
        http_error(reply, 500, "store", "", "cannot read the outbox");
        return;
    }
    reply->status = 200;
    reply->json = status;
}
