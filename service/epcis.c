/*
 * EPCIS 2.0 events, each in an EPCISDocument that epcis_document() writes
 * for every kind: commissioning of units, what a lot was made from, its
 * journal, shipments, recalls and the packing of units into cartons
 * (named by their SSCCs' EPC URIs). Vietnam keeps one time zone, so times
 * are written at +07:00 whatever the server's zone (a journal entry keeps
 * the offset it was given). Units are named by their Digital Link URIs
 * without the query (the expiry there is data, not identity), lots by the
 * same without the serial, input lots by this service's URL for them;
 * what CBV has no term for goes to extension fields of the "ocop"
 * namespace ({base_url}/ns/ocop#).
 */
#include "epcis.h"

#include "clock.h"
#include "ocoplabels.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EPCIS_CONTEXT  "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define VIETNAM_OFFSET (7 * 3600)
#define TIME_MAX       40

static void vietnam_time(time_t when, char out[TIME_MAX])
{
    time_t local = when + VIETNAM_OFFSET;
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, TIME_MAX, "%Y-%m-%dT%H:%M:%S.000+07:00", &tm);
}

/* The time of something known by its day (YYYY-MM-DD): `when` if that is
 * today in Vietnam (or the day is unknown or later), else the start of the
 * day there. */
static void day_time(const char *day, time_t when, char out[TIME_MAX])
{
    vietnam_time(when, out);
    if (day && strlen(day) == 10 && strncmp(day, out, 10) < 0)
        snprintf(out, TIME_MAX, "%.10sT00:00:00.000+07:00", day);
}

/* A random (version 4) UUID URN: the event's id, kept with the document
 * in the outbox so that a retry sends the same one. */
static void uuid_urn(char out[46])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 46,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

char *epcis_document(json_t *event, const char *base_url, time_t when)
{
    if (!json_is_object(event)) {
        json_decref(event);
        return NULL;
    }
    char now[TIME_MAX], event_id[46], ns[OCL_BASE_URL_MAX + 16];
    vietnam_time(when, now);
    uuid_urn(event_id);
    snprintf(ns, sizeof(ns), "%s/ns/ocop#", base_url);
    /* The common fields first, then the event's own, in their order. */
    json_t *full =
        json_pack("{s:O?, s:s}", "type", json_object_get(event, "type"), "eventID", event_id);
    if (full && !json_object_get(event, "eventTime"))
        json_object_set_new(full, "eventTime", json_string(now));
    if (full && !json_object_get(event, "eventTimeZoneOffset"))
        json_object_set_new(full, "eventTimeZoneOffset", json_string("+07:00"));
    const char *key;
    json_t *value;
    json_object_foreach(event, key, value)
    {
        if (full && !json_object_get(full, key))
            json_object_set(full, key, value);
    }
    json_decref(event);
    json_t *doc =
        full ? json_pack("{s:[s, {s:s}], s:s, s:s, s:s, s:{s:[o]}}", "@context", EPCIS_CONTEXT,
                         "ocop", ns, "type", "EPCISDocument", "schemaVersion", "2.0",
                         "creationDate", now, "epcisBody", "eventList", full)
             : NULL;
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

/* ---------- names ---------- */

static int fits(int n, size_t size)
{
    return n >= 0 && (size_t)n < size ? 0 : -1;
}

int epcis_lot_class(const char *base_url, const epcis_lot *lot, char *out, size_t size)
{
    char code[3 * OCL_AI_VALUE_MAX + 1];
    if (!lot->code || ocl_percent_encode(lot->code, code, sizeof(code)) != OCL_OK)
        return -1;
    return lot->gtin && *lot->gtin
               ? fits(snprintf(out, size, "%s/01/%s/10/%s", base_url, lot->gtin, code), size)
               : fits(snprintf(out, size, "%s/lot/%s", base_url, code), size);
}

int epcis_input_class(const char *base_url, long input_id, char *out, size_t size)
{
    return fits(snprintf(out, size, "%s/inputs/%ld", base_url, input_id), size);
}

int epcis_unit_uri(const char *base_url, const epcis_lot *lot, const char *serial, char *out,
                   size_t size)
{
    char code[3 * OCL_AI_VALUE_MAX + 1], unit[3 * OCL_AI_VALUE_MAX + 1];
    if (!lot->code || !serial || ocl_percent_encode(lot->code, code, sizeof(code)) != OCL_OK ||
        ocl_percent_encode(serial, unit, sizeof(unit)) != OCL_OK)
        return -1;
    return lot->gtin && *lot->gtin
               ? fits(snprintf(out, size, "%s/01/%s/10/%s/21/%s", base_url, lot->gtin, code, unit),
                      size)
               : fits(snprintf(out, size, "%s/lot/%s/%s", base_url, code, unit), size);
}

const char *epcis_uom(const char *unit)
{
    static const char *const units[][2] = {
        {"kg", "KGM"}, {"g", "GRM"},   {"t", "TNE"},  {"tấn", "TNE"},
        {"l", "LTR"},  {"lít", "LTR"}, {"ml", "MLT"},
    };
    for (size_t i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(unit, units[i][0]) == 0)
            return units[i][1];
    return NULL;
}

/* CBV 2.0 has receiving, packing, inspecting and storing. It has no step
 * for harvesting or for processing a lot: commissioning and
 * creating_class_instance name the ADD of identifiers, and these are
 * observations of a lot whose class exists already, so they are "other",
 * the journal's own word going along in ocop:step. */
const char *epcis_journal_biz_step(const char *step)
{
    static const char *const same[] = {"receiving", "packing", "inspecting", "storing"};
    for (size_t i = 0; step && i < sizeof(same) / sizeof(same[0]); i++)
        if (strcmp(step, same[i]) == 0)
            return same[i];
    return "other";
}

/* ---------- events ---------- */

/* A quantity as a whole number when it is one. */
static json_t *amount(double quantity)
{
    return quantity == (double)(json_int_t)quantity ? json_integer((json_int_t)quantity)
                                                    : json_real(quantity);
}

/* An entry of a quantityList: the class, with a quantity (and its unit)
 * when `quantity` is above 0. */
static json_t *quantity_element(const char *epc_class, double quantity, const char *uom)
{
    json_t *e = json_pack("{s:s}", "epcClass", epc_class);
    if (e && quantity > 0)
        json_object_set_new(e, "quantity", amount(quantity));
    if (e && quantity > 0 && uom)
        json_object_set_new(e, "uom", json_string(uom));
    return e;
}

/* Sets `key` to `text` unless it is NULL or empty. */
static void set_text(json_t *o, const char *key, const char *text)
{
    if (o && text && *text)
        json_object_set_new(o, key, json_string(text));
}

static json_t *epc_list(const epcis_commissioning *c)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < c->count; i++) {
        size_t len = strcspn(c->uris[i], "?");
        json_array_append_new(list, json_stringn(c->uris[i], len));
    }
    return list;
}

static json_t *ilmd(const epcis_commissioning *c)
{
    json_t *m = json_pack("{s:s}", "cbvmda:lotNumber", c->lot);
    if (m && c->expires)
        json_object_set_new(m, "cbvmda:itemExpirationDate", json_string(c->expires));
    if (m && c->produced)
        json_object_set_new(m, "ocop:productionDate", json_string(c->produced));
    return m;
}

char *epcis_commissioning_document(const epcis_commissioning *c)
{
    json_t *event = json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}", "type", "ObjectEvent", "epcList",
                              epc_list(c), "action", "ADD", "bizStep", "commissioning",
                              "disposition", "active", "ilmd", ilmd(c));
    if (event && c->certificate_url)
        json_object_set_new(event, "certificationInfo", json_string(c->certificate_url));
    return epcis_document(event, c->base_url, c->when);
}

char *epcis_transformation_document(const epcis_transformation *t)
{
    char output[OCL_BASE_URL_MAX + OCL_URI_MAX], input[OCL_BASE_URL_MAX + OCL_URI_MAX];
    char when[TIME_MAX];
    if (epcis_lot_class(t->base_url, &t->output, output, sizeof(output)) != 0 ||
        (t->input_id ? epcis_input_class(t->base_url, t->input_id, input, sizeof(input))
                     : epcis_lot_class(t->base_url, &t->source, input, sizeof(input))) != 0)
        return NULL;
    day_time(t->produced, t->when, when);
    json_t *event =
        json_pack("{s:s, s:s, s:s, s:[o], s:[o], s:s, s:{s:s}}", "type", "TransformationEvent",
                  "eventTime", when, "eventTimeZoneOffset", "+07:00", "inputQuantityList",
                  quantity_element(input, t->quantity, t->input_id ? epcis_uom(t->unit) : NULL),
                  "outputQuantityList", quantity_element(output, 0, NULL), "bizStep",
                  "commissioning", "ilmd", "cbvmda:lotNumber", t->output.code);
    return epcis_document(event, t->base_url, t->when);
}

/* The offset of an RFC 3339 time as EPCIS writes it (+HH:MM, +00:00 for
 * Z), or -1 when EPCIS has no room for it (beyond -13:59 to +14:00). */
static int time_offset(const char *at, char out[8])
{
    size_t n = at ? strlen(at) : 0;
    if (n > 0 && (at[n - 1] == 'Z' || at[n - 1] == 'z')) {
        snprintf(out, 8, "+00:00");
        return 0;
    }
    if (n < 6 || (at[n - 6] != '+' && at[n - 6] != '-') || at[n - 3] != ':')
        return -1;
    snprintf(out, 8, "%s", at + n - 6);
    int hours = (out[1] - '0') * 10 + (out[2] - '0');
    return hours < 14 || strcmp(out + 1, "14:00") == 0 ? 0 : -1;
}

char *epcis_journal_document(const epcis_journal *j)
{
    char lot[OCL_BASE_URL_MAX + OCL_URI_MAX], when[TIME_MAX], offset[8];
    if (epcis_lot_class(j->base_url, &j->lot, lot, sizeof(lot)) != 0)
        return NULL;
    if (time_offset(j->at, offset) == 0) {
        snprintf(when, sizeof(when), "%s", j->at);
    } else { /* told in Vietnam's time instead */
        vietnam_time(clock_parse_utc(j->at_utc), when);
        snprintf(offset, sizeof(offset), "+07:00");
    }
    json_t *event = json_pack("{s:s, s:s, s:s, s:[o], s:s, s:s, s:s}", "type", "ObjectEvent",
                              "eventTime", when, "eventTimeZoneOffset", offset, "quantityList",
                              quantity_element(lot, 0, NULL), "action", "OBSERVE", "bizStep",
                              epcis_journal_biz_step(j->step), "ocop:step", j->step);
    set_text(event, "ocop:place", j->place);
    set_text(event, "ocop:note", j->note);
    return epcis_document(event, j->base_url, j->when);
}

char *epcis_shipping_document(const epcis_shipping *s)
{
    char uri[OCL_BASE_URL_MAX + OCL_URI_MAX], when[TIME_MAX];
    json_t *epcs = json_array();
    for (size_t i = 0; epcs && i < s->count; i++) {
        if (epcis_unit_uri(s->base_url, &s->lots[i], s->serials[i], uri, sizeof(uri)) != 0) {
            json_decref(epcs);
            return NULL;
        }
        json_array_append_new(epcs, json_string(uri));
    }
    char producer[OCL_BASE_URL_MAX + 32], to[OCL_BASE_URL_MAX + 32];
    snprintf(producer, sizeof(producer), "%s/producers/%ld", s->base_url, s->producer_id);
    snprintf(to, sizeof(to), "%s/shipments/%ld/to", s->base_url, s->shipment_id);
    day_time(s->shipped, s->when, when);
    json_t *event = json_pack(
        "{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s}], s:s}", "type",
        "ObjectEvent", "eventTime", when, "eventTimeZoneOffset", "+07:00", "epcList", epcs,
        "action", "OBSERVE", "bizStep", "shipping", "disposition", "in_transit", "sourceList",
        "type", "owning_party", "source", producer, "destinationList", "type", "owning_party",
        "destination", to, "ocop:destinationName", s->to_name);
    set_text(event, "ocop:destinationAddress", s->to_address);
    return epcis_document(event, s->base_url, s->when);
}

char *epcis_recall_document(const epcis_recall *r)
{
    char class[OCL_BASE_URL_MAX + OCL_URI_MAX];
    json_t *list = json_array();
    if (list && r->input_id &&
        epcis_input_class(r->base_url, r->input_id, class, sizeof(class)) == 0)
        json_array_append_new(list, quantity_element(class, 0, NULL));
    for (size_t i = 0; list && i < r->count; i++) {
        if (epcis_lot_class(r->base_url, &r->lots[i], class, sizeof(class)) != 0) {
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, quantity_element(class, 0, NULL));
    }
    char recall[OCL_BASE_URL_MAX + 32];
    snprintf(recall, sizeof(recall), "%s/recalls/%ld", r->base_url, r->recall_id);
    json_t *event = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "ObjectEvent",
                              "quantityList", list, "action", "OBSERVE", "bizStep", "holding",
                              "disposition", "recalled", "ocop:recall", recall, "ocop:recallReason",
                              r->reason, "ocop:recallAction", r->action);
    return epcis_document(event, r->base_url, r->when);
}

char *epcis_aggregation_document(const epcis_aggregation *a)
{
    json_t *children = json_array();
    for (size_t i = 0; children && i < a->count; i++)
        json_array_append_new(children, json_string(a->children[i]));
    json_t *event = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}", "type", "AggregationEvent",
                              "parentID", a->parent, "childEPCs", children, "action", "ADD",
                              "bizStep", "packing", "disposition", "in_progress");
    return epcis_document(event, a->base_url, a->when);
}
