/*
 * The API's and the web pages' handlers, one file per resource in api/;
 * the table in routes.c says which path and roles each answers.
 */
#ifndef OCOPTRACE_API_H
#define OCOPTRACE_API_H

#include "http.h"

/* The web pages' routes (web.c): 1 when `req` was one of them. */
int web_route(http_request *req, http_reply *reply);
void api_session_get(http_request *req, http_reply *reply, long id);

/* The API's resources. */
void api_producers_create(http_request *req, http_reply *reply, long id);
void api_producers_list(http_request *req, http_reply *reply, long id);
void api_producers_get(http_request *req, http_reply *reply, long id);
void api_producers_update(http_request *req, http_reply *reply, long id);
void api_products_create(http_request *req, http_reply *reply, long id);
/* Reads a product body as POST (or PATCH) would: 0 accepted, else the
 * status of the refusal. For the fuzzer. */
int api_products_check_body(const char *body, size_t len, int patch);
void api_products_list(http_request *req, http_reply *reply, long id);
void api_products_import(http_request *req, http_reply *reply, long id);
void api_products_get(http_request *req, http_reply *reply, long id);
void api_products_update(http_request *req, http_reply *reply, long id);
/* Whether the request may act on a product's (or, with `lot`, a lot's)
 * resource: its owner, or 0 after a 404 or 403 whose message ends with
 * `refusal`. */
long api_owned(http_request *req, http_reply *reply, long id, int lot, const char *refusal);
void api_lots_create(http_request *req, http_reply *reply, long id);
void api_lots_get(http_request *req, http_reply *reply, long id);
void api_serials_create(http_request *req, http_reply *reply, long id);
void api_products_qr_png(http_request *req, http_reply *reply, long id);
void api_products_qr_svg(http_request *req, http_reply *reply, long id);
void api_lots_labels(http_request *req, http_reply *reply, long id);
/* Answers a drawing that failed: 422 naming the first problem's field and
 * rule, or 500 naming `what` ("labels"). 0 when `result` is OCL_OK, else -1. */
int api_drawn(http_reply *reply, ocl_result result, const ocl_problems *problems, const char *what);
/* Sheet NAME from templates/sheets/: 0, or -1 with a 422 reply. */
int api_sheet_load(const char *name, http_reply *reply, ocl_sheet *sheet);
/* Labels of lot `id` for `count` serials (each with its PIN, as printed,
 * unless `pins` is NULL) on the sheet into `pdf`: 0, or -1 with the reply. */
int api_labels_draw(http_request *req, http_reply *reply, long id, const ocl_sheet *sheet,
                    const char *const *serials, const char *const *pins, size_t count,
                    ocl_buffer *pdf);
void api_lots_label_png(http_request *req, http_reply *reply, long id);
/* A lot's labels for a thermal printer, ZPL II or TSPL (api/thermal.c). */
void api_lots_labels_zpl(http_request *req, http_reply *reply, long id);
void api_lots_labels_tspl(http_request *req, http_reply *reply, long id);
/* The lot, if the request may print it (its owner's, not recalled): the
 * owner, or 0 with the reply. */
long api_lot_printable(http_request *req, http_reply *reply, long id);
/* The label job of a stored lot; its strings belong to the JSON objects. */
void api_lot_job(json_t *product, json_t *producer, json_t *lot, ocl_label_job *job,
                 char gtin[OCL_GTIN14_LEN + 1]);
/* A lot's traceability stamps (api/stamps.c). */
void api_lots_stamps(http_request *req, http_reply *reply, long id);
/* ?layout=NAME from templates/layouts/, or `fallback`: 0, or -1 with a
 * 422 reply naming the layout's problem (api/stamps.c). */
int api_layout_load(http_request *req, http_reply *reply, const char *fallback, ocl_layout *layout);
/* A producer's logo, PNG (api/logos.c). */
void api_producers_logo_put(http_request *req, http_reply *reply, long id);
void api_producers_logo_get(http_request *req, http_reply *reply, long id);
void api_products_lots(http_request *req, http_reply *reply, long id);
void api_products_label_check(http_request *req, http_reply *reply, long id);
void api_certificates_list(http_request *req, http_reply *reply, long id);
/* Adds "status" (valid, expiring, expired, revoked) on today's date to a
 * certificate object with valid_until and revoked_at; returns it. */
json_t *certificate_with_status(json_t *certificate);
void api_evaluations_create(http_request *req, http_reply *reply, long id);
void api_certificates_get(http_request *req, http_reply *reply, long id);
void api_certificates_pdf(http_request *req, http_reply *reply, long id);
void api_certificates_revoke(http_request *req, http_reply *reply, long id);
void api_reports_summary(http_request *req, http_reply *reply, long id);
/* The officers' exports, /api/v1/exports/{name}.csv and .xlsx (api/exports.c). */
void api_exports_get(http_request *req, http_reply *reply, long id);
void api_users_create(http_request *req, http_reply *reply, long id);
void api_users_list(http_request *req, http_reply *reply, long id);
void api_sync_status(http_request *req, http_reply *reply, long id);
/* The signed-in user's notices, and marking one read (api/notices.c). */
void api_notices_list(http_request *req, http_reply *reply, long id);
void api_notices_read(http_request *req, http_reply *reply, long id);
/* Product photos (api/photos.c): a producer's uploads, the list, a
 * deletion, and /photos/{id}.jpg, public. */
void api_photos_create(http_request *req, http_reply *reply, long id);
void api_photos_list(http_request *req, http_reply *reply, long id);
void api_photos_delete(http_request *req, http_reply *reply, long id);
/* Whether a request is an upload, whose body may be larger than others. */
int photo_is_upload(const char *method, const char *path);
void photo_serve(http_request *req, http_reply *reply);
/* /c/{number}, public (api/certificates.c). */
void certificate_page(http_request *req, http_reply *reply);

/* The chain (api/trace.c): areas, input lots, what a lot was made from,
 * its journal, shipments, the trace and recalls. */
void api_areas_create(http_request *req, http_reply *reply, long id);
void api_areas_list(http_request *req, http_reply *reply, long id);
void api_areas_get(http_request *req, http_reply *reply, long id);
void api_areas_update(http_request *req, http_reply *reply, long id);
void api_inputs_create(http_request *req, http_reply *reply, long id);
void api_inputs_list(http_request *req, http_reply *reply, long id);
void api_inputs_get(http_request *req, http_reply *reply, long id);
void api_inputs_trace(http_request *req, http_reply *reply, long id);
void api_inputs_recall(http_request *req, http_reply *reply, long id);
void api_lot_inputs_create(http_request *req, http_reply *reply, long id);
void api_lot_inputs_list(http_request *req, http_reply *reply, long id);
void api_lot_events_create(http_request *req, http_reply *reply, long id);
void api_lot_events_list(http_request *req, http_reply *reply, long id);
void api_shipments_create(http_request *req, http_reply *reply, long id);
void api_shipments_list(http_request *req, http_reply *reply, long id);
void api_lots_trace(http_request *req, http_reply *reply, long id);
void api_lots_recall(http_request *req, http_reply *reply, long id);
void api_recalls_list(http_request *req, http_reply *reply, long id);
void api_recalls_get(http_request *req, http_reply *reply, long id);
/* The EPCIS 2.0 query interface (api/epcis.c): GET /epcis/events with the
 * REST binding's filters and pages, and GET /epcis/events/{eventID}. */
void api_epcis_events(http_request *req, http_reply *reply, long id);
void api_epcis_event(http_request *req, http_reply *reply, long id);
/* Cartons (api/cartons.c): packing a lot's units, a carton by its SSCC,
 * its logistics label, and the public /00/{sscc}. */
void api_cartons_create(http_request *req, http_reply *reply, long id);
void api_cartons_get(http_request *req, http_reply *reply, long id);
void api_cartons_label(http_request *req, http_reply *reply, long id);
void carton_resolve(http_request *req, http_reply *reply);
/* 1 when lot `lot_id` is not recalled; else 0 after a 409 naming the
 * recall: nothing more is printed or issued for it. */
int api_lot_not_recalled(http_request *req, http_reply *reply, long lot_id);
/* OCOP dossiers (api/dossiers.c): a producer's application, its form and
 * evidence files, the commune's check or return, the officer's move to
 * scoring and decision, and the public summary /c/{number}/dossier. */
void api_dossiers_create(http_request *req, http_reply *reply, long id);
void api_dossiers_list(http_request *req, http_reply *reply, long id);
void api_dossiers_get(http_request *req, http_reply *reply, long id);
void api_dossiers_update(http_request *req, http_reply *reply, long id);
void api_dossier_files_create(http_request *req, http_reply *reply, long id);
void api_dossier_files_get(http_request *req, http_reply *reply, long id);
void api_dossier_files_delete(http_request *req, http_reply *reply, long id);
void api_dossiers_submit(http_request *req, http_reply *reply, long id);
void api_dossiers_return(http_request *req, http_reply *reply, long id);
void api_dossiers_check(http_request *req, http_reply *reply, long id);
void api_dossiers_scoring(http_request *req, http_reply *reply, long id);
void api_dossiers_decision(http_request *req, http_reply *reply, long id);
/* Whether a request is an evidence file's upload, whose body may be up to
 * DOSSIER_FILE_BYTES_MAX. */
#define DOSSIER_FILE_BYTES_MAX (10u * 1024 * 1024)
int dossier_file_is_upload(const char *method, const char *path);
/* /c/{number}/dossier, public: the dossier that led to the certificate. */
int dossier_summary_path(const char *path);
void dossier_summary_page(http_request *req, http_reply *reply);
/* The council's scoring (api/scores.c): the dossier's criteria sheet, a
 * member's sheet of points, the members' sheets, the chair's close. */
void api_dossiers_sheet(http_request *req, http_reply *reply, long id);
void api_dossiers_scores_create(http_request *req, http_reply *reply, long id);
void api_dossiers_scores_list(http_request *req, http_reply *reply, long id);
void api_dossiers_close(http_request *req, http_reply *reply, long id);

/* The scoring sheets, ?group= (api/criteria.c). */
void api_criteria_list(http_request *req, http_reply *reply, long id);

#endif
