/*
 * Evaluations and certificates: an officer records a council's scores and
 * decision; when the stars are recognised the certificate is issued in the
 * same transaction. Officers revoke. The public page /c/{number} (the one a
 * certificate's QR code opens) tells anyone its status.
 */
#include "certificate.h"
#include "clock.h"
#include "host.h"
#include "api.h"
#include "seal.h"

#include <stdio.h>
#include <stdlib.h>
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

static ocl_date today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (ocl_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

/* Adds the status on today's date. */
json_t *certificate_with_status(json_t *c)
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
    certificate_iso_date(&c.decided, decided);
    certificate_iso_date(&c.valid_until, until);
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
        reply->json = certificate_with_status(store_certificate_get(req->store, certificate, NULL));
    }
    json_decref(body);
}

/* Every certificate the user may read; ?expiring_within=DAYS: only those in
 * force that end within that many days. */
void api_certificates_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    const char *within = http_query(req, "expiring_within");
    char until[11];
    if (within) {
        char *end = NULL;
        long days = strtol(within, &end, 10);
        if (!*within || *end || days < 0 || days > 3650) {
            http_error(reply, 422, "invalid", "expiring_within", "must be 0 to 3650 days");
            return;
        }
        clock_day(days, until);
    }
    long producer = req->user.role == ROLE_PRODUCER ? req->user.producer_id : 0;
    json_t *list = store_certificate_list(req->store, producer, within ? until : NULL);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) certificate_with_status(c);
    reply->status = 200;
    reply->json = json_pack("{s:o}", "certificates", list);
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
        reply->json = certificate_with_status(store_certificate_get(req->store, id, NULL));
    }
}

/* The printed certificate's fields from the stored one; its strings stay
 * owned by `c` and `product`. 0, or -1 when a stored value is unreadable. */
static int certificate_fields(const json_t *c, const json_t *product, ocl_certificate *out)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    const json_t *producer = json_object_get(c, "producer");
    memset(out, 0, sizeof(*out));
    out->number = json_string_value(json_object_get(c, "number"));
    out->decision_number = json_string_value(json_object_get(c, "decision_number"));
    out->issuer = json_string_value(json_object_get(producer, "issuer"));
    out->signer_title = json_string_value(json_object_get(producer, "signer_title"));
    out->signer_name = json_string_value(json_object_get(producer, "signer_name"));
    out->producer_name = json_string_value(json_object_get(producer, "name"));
    out->producer_address = json_string_value(json_object_get(producer, "address"));
    out->product_name = json_string_value(json_object_get(c, "product"));
    out->gtin = json_string_value(json_object_get(product, "gtin"));
    int level = ocl_ocop_level_parse(json_string_value(json_object_get(c, "level")));
    int group = ocl_group_parse(json_string_value(json_object_get(c, "group")));
    const json_t *scores = json_object_get(c, "scores");
    for (size_t i = 0; i < 3; i++)
        out->scores[i] = (int)json_integer_value(json_array_get(scores, i));
    out->total = (int)json_integer_value(json_object_get(c, "score"));
    out->stars = (int)json_integer_value(json_object_get(c, "stars"));
    if (level < 0 || group < 0 ||
        ocl_date_parse_iso(json_string_value(json_object_get(c, "decision_date")), "decision_date",
                           0, &out->decided, &problems) != OCL_OK ||
        ocl_date_parse_iso(json_string_value(json_object_get(c, "valid_until")), "valid_until", 0,
                           &out->valid_until, &problems) != OCL_OK)
        return -1;
    out->level = (ocl_level)level;
    out->group = (ocl_group)group;
    return 0;
}

/* Draws the certificate with its sealed code into the reply. */
static void certificate_draw(http_request *req, http_reply *reply, const ocl_certificate *fields,
                             const unsigned char sk[64])
{
    ocl_certificate c = *fields;
    char url[2 * SEAL_TEXT_MAX + OCL_BASE_URL_MAX], font[4096];
    ocl_buffer pdf = {0};
    if (seal_certificate_url(&c, req->config->base_url, sk, url, sizeof(url)) != 0) {
        http_error(reply, 422, "invalid", "number",
                   "the certificate's fields are too long for its code");
        return;
    }
    c.qr_text = url;
    ocl_result rc = host_data_file("fonts/NotoSans-Regular.ttf", font, sizeof(font))
                        ? OCL_EIO
                        : ocl_certificate_pdf(&c, font, &pdf);
    if (rc != OCL_OK) {
        http_error(reply, 500, "render", "", "cannot draw the certificate: %s", ocl_strerror(rc));
        ocl_buffer_free(&pdf);
        return;
    }
    reply->status = 200;
    reply->data = pdf.data;
    reply->data_len = pdf.len;
    reply->content_type = "application/pdf";
}

/* The certificate as printed: A4 landscape with the code that opens its
 * status page, signed with the issuer key of the config ([certificates]
 * key). Without that key no certificate is printed: a code that `verify`
 * would refuse is worse than a clear answer that the key is missing. */
void api_certificates_pdf(http_request *req, http_reply *reply, long id)
{
    long owner = store_certificate_owner(req->store, id);
    if (!owner) {
        http_error(reply, 404, "not_found", "id", "no certificate %ld", id);
        return;
    }
    if (req->user.role == ROLE_PRODUCER && req->user.producer_id != owner) {
        http_error(reply, 403, "forbidden", "", "a producer reads only its own certificates");
        return;
    }
    ocl_problems problems;
    ocl_problems_init(&problems);
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    if (!req->config->certificate_key[0] ||
        seal_secret_load(req->config->certificate_key, "certificates.key", sk, &problems) != 0) {
        http_error(reply, 409, "not_configured", "certificates.key", "%s",
                   problems.count ? problems.item[0].rule
                                  : "no issuer key: set [certificates] key in the config");
        return;
    }
    json_t *c = store_certificate_get(req->store, id, NULL);
    json_t *product =
        store_product_get(req->store, (long)json_integer_value(json_object_get(c, "product_id")));
    ocl_certificate fields;
    if (!c || certificate_fields(c, product, &fields) != 0)
        http_error(reply, 500, "store", "", "certificate %ld cannot be read back", id);
    else
        certificate_draw(req, reply, &fields, sk);
    sodium_memzero(sk, sizeof(sk));
    json_decref(product);
    json_decref(c);
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
            reply->json = certificate_with_status(store_certificate_get(req->store, id, NULL));
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
    certificate_with_status(c);
    reply->status = 200;
    /* The summary of the dossier the certificate came from, when one did. */
    char summary[HTTP_PATH_MAX + 16] = "";
    if (store_certificate_dossier(req->store, number))
        snprintf(summary, sizeof(summary), "/c/%s/dossier", number);
    if (*summary)
        json_object_set_new(c, "dossier_summary", json_string(summary));
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
        {*summary ? "</p><p><a href=\"" : "</p>", *summary ? summary : NULL},
        {*summary ? "\">Tóm tắt hồ sơ đánh giá</a></p></body></html>" : "</body></html>", NULL},
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
    clock_day(0, day);
    reply->status = 200;
    reply->json = store_report_summary(req->store, day);
    json_object_set_new(reply->json, "date", json_string(day));
}
