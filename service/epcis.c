/*
 * EPCIS 2.0 commissioning events. Vietnam keeps one time zone, so times are
 * written at +07:00 whatever the server's zone. The units are named by
 * their Digital Link URIs without the query (the expiry there is data, not
 * identity); lot and dates go to ilmd, the certificate to certificationInfo.
 */
#include "epcis.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPCIS_CONTEXT  "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define VIETNAM_OFFSET (7 * 3600)

static void vietnam_time(time_t when, char out[32])
{
    time_t local = when + VIETNAM_OFFSET;
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000+07:00", &tm);
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
    char when[32], event_id[46], ns[600];
    vietnam_time(c->when, when);
    uuid_urn(event_id);
    snprintf(ns, sizeof(ns), "%s/ns/ocop#", c->base_url);
    json_t *event = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o}", "type", "ObjectEvent", "eventID", event_id,
        "eventTime", when, "eventTimeZoneOffset", "+07:00", "epcList", epc_list(c), "action", "ADD",
        "bizStep", "commissioning", "disposition", "active", "ilmd", ilmd(c));
    if (event && c->certificate_url)
        json_object_set_new(event, "certificationInfo", json_string(c->certificate_url));
    json_t *doc = json_pack("{s:[s, {s:s}], s:s, s:s, s:s, s:{s:[o]}}", "@context", EPCIS_CONTEXT,
                            "ocop", ns, "type", "EPCISDocument", "schemaVersion", "2.0",
                            "creationDate", when, "epcisBody", "eventList", event);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}
