/*
 * Evaluations and certificates: an officer records a council's scores and
 * decision; when the stars are recognised the certificate is issued in the
 * same transaction. Officers revoke. The public page /c/{number} (the one a
 * certificate's QR code opens) tells anyone its status.
 */
#include "certificate.h"
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const jr_rule evaluation_rules[] = {
    {"number", JR_TEXT, 1, NULL, 0},
    {"decision", JR_OBJECT, 1, certificate_decision_rules, 0},
    {"scores", JR_OBJECT, 1, certificate_score_rules, 0},
    {NULL, 0, 0, NULL, 0},
};

static void keep_field(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    certificate_store_field(ctx, path, v, problems);
}

static void iso_date(const ocl_date *d, char out[11])
{
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d->year % 10000u, (unsigned)d->month % 100u,
             (unsigned)d->day % 100u);
}

static ocl_date today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (ocl_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

/* Adds the status on today's date. */
static json_t *with_status(json_t *c)
{
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    ocl_date until, day = today();
    const char *text = json_string_value(json_object_get(c, "valid_until"));
    if (text && ocl_date_parse_iso(text, "valid_until", 0, &until, &ignored) == OCL_OK)
        json_object_set_new(c, "status",
                            json_string(ocl_status_name(ocl_ocop_status(
                                &until, !json_is_null(json_object_get(c, "revoked_at")), &day))));
    return c;
}

void api_evaluations_create(http_request *req, http_reply *reply, long id)
{
    if (!store_product_owner(req->store, id)) {
        http_error(reply, 404, "not_found", "id", "no product %ld", id);
        return;
    }
    ocl_certificate c = {0};
    json_t *body;
    if (http_read_body(req, reply, evaluation_rules, keep_field, &c, &body) != 0) {
        json_decref(body);
        return;
    }
    ocl_problems problems;
    ocl_problems_init(&problems);
    char decided[11], until[11], error[STORE_ERROR_MAX];
    if (certificate_rules(&c, &problems) != 0) {
        http_error(reply, 422, "invalid", problems.item[0].field, "%s", problems.item[0].rule);
        json_decref(body);
        return;
    }
    iso_date(&c.decided, decided);
    iso_date(&c.valid_until, until);
    store_evaluation e = {.product_id = id,
                          .officer_id = req->user.id,
                          .scores = {c.scores[0], c.scores[1], c.scores[2]},
                          .stars = c.stars,
                          .number = c.number,
                          .decision_number = c.decision_number,
                          .decision_date = decided,
                          .level = ocl_ocop_level_name(c.level),
                          .issuer = c.issuer,
                          .signer_title = c.signer_title,
                          .signer_name = c.signer_name,
                          .valid_until = until};
    long certificate = store_evaluation_create(req->store, &e, error);
    if (certificate == -2)
        http_error(reply, 409, "conflict", "number", "certificate '%s' exists", c.number);
    else if (certificate < 0)
        http_error(reply, 500, "store", "", "%s", error);
    else {
        reply->status = 201;
        reply->json = with_status(store_certificate_get(req->store, certificate, NULL));
    }
    json_decref(body);
}

void api_certificates_get(http_request *req, http_reply *reply, long id)
{
    long owner = store_certificate_owner(req->store, id);
    if (!owner)
        http_error(reply, 404, "not_found", "id", "no certificate %ld", id);
    else if (req->user.role == ROLE_PRODUCER && req->user.producer_id != owner)
        http_error(reply, 403, "forbidden", "", "a producer reads only its own certificates");
    else {
        reply->status = 200;
        reply->json = with_status(store_certificate_get(req->store, id, NULL));
    }
}

static const jr_rule revoke_rules[] = {{"reason", JR_TEXT, 1, NULL, 0}, {NULL, 0, 0, NULL, 0}};

static void keep_reason(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    const char **reason = ctx;
    *reason = json_string_value(v);
    if (!**reason)
        ocl_problem_add(problems, path, "must say why");
}

void api_certificates_revoke(http_request *req, http_reply *reply, long id)
{
    const char *reason = NULL;
    json_t *body;
    char error[STORE_ERROR_MAX];
    if (http_read_body(req, reply, revoke_rules, keep_reason, &reason, &body) == 0) {
        int rc = store_certificate_revoke(req->store, id, reason, req->user.id, error);
        if (rc == 0)
            http_error(reply, 404, "not_found", "id", "no certificate %ld", id);
        else if (rc == 2)
            http_error(reply, 409, "conflict", "id", "certificate %ld is already revoked", id);
        else if (rc < 0)
            http_error(reply, 500, "store", "", "%s", error);
        else {
            reply->status = 200;
            reply->json = with_status(store_certificate_get(req->store, id, NULL));
        }
    }
    json_decref(body);
}

/* /c/{number}: JSON for machines, a short page for a phone. */
void certificate_page(http_request *req, http_reply *reply)
{
    const char *number = req->path + strlen("/c/");
    json_t *c = *number ? store_certificate_get(req->store, 0, number) : NULL;
    if (!c) {
        http_error(reply, 404, "not_found", "number", "no certificate with this number");
        return;
    }
    with_status(c);
    reply->status = 200;
    if (req->accept && strstr(req->accept, "application/json")) {
        reply->json = c;
        return;
    }
    static const char *const statuses[][2] = {{"valid", "CÒN HIỆU LỰC"},
                                              {"expiring", "CÒN HIỆU LỰC (sắp hết hạn)"},
                                              {"expired", "ĐÃ HẾT HẠN"},
                                              {"revoked", "ĐÃ BỊ THU HỒI"}};
    const char *status = json_string_value(json_object_get(c, "status")), *label = "";
    for (size_t i = 0; status && i < 4; i++)
        if (strcmp(status, statuses[i][0]) == 0)
            label = statuses[i][1];
    ocl_buffer page = {0};
    const char *const parts[][2] = {
        {"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\"><title>",
         json_string_value(json_object_get(c, "number"))},
        {"</title></head><body style=\"font-family:system-ui,sans-serif;max-width:32rem;"
         "margin:auto;padding:1rem\"><h1>Giấy chứng nhận OCOP ",
         json_string_value(json_object_get(c, "number"))},
        {"</h1><p><strong>", label},
        {"</strong></p><p>Sản phẩm: ", json_string_value(json_object_get(c, "product"))},
        {"</p><p>Chủ thể: ",
         json_string_value(json_object_get(json_object_get(c, "producer"), "name"))},
        {"</p><p>Có giá trị đến hết ngày: ", json_string_value(json_object_get(c, "valid_until"))},
        {"</p></body></html>", NULL},
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        ocl_buffer_append(&page, parts[i][0], strlen(parts[i][0]));
        for (const char *p = parts[i][1]; p && *p; p++) {
            const char *e = *p == '<'   ? "&lt;"
                            : *p == '>' ? "&gt;"
                            : *p == '&' ? "&amp;"
                            : *p == '"' ? "&quot;"
                                        : NULL;
            ocl_buffer_append(&page, e ? e : p, e ? strlen(e) : 1);
        }
    }
    ocl_buffer_append(&page, "", 1);
    reply->text = (char *)page.data;
    reply->content_type = "text/html; charset=utf-8";
    json_decref(c);
}

void api_reports_summary(http_request *req, http_reply *reply, long id)
{
    (void)id;
    char day[11];
    ocl_date d = today();
    iso_date(&d, day);
    reply->status = 200;
    reply->json = store_report_summary(req->store, day);
    json_object_set_new(reply->json, "date", json_string(day));
}
