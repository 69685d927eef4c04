/*
 * EPCIS 2.0 documents (JSON-LD) for the traceability system: the
 * commissioning of the units of one serial allocation, and the events of
 * the chain (what a lot was made from, its journal, shipments, recalls),
 * each as one event in an EPCISDocument.
 */
#ifndef OCOPTRACE_EPCIS_H
#define OCOPTRACE_EPCIS_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

typedef struct {
    const char *const *uris; /* the units' Digital Link URIs */
    size_t count;
    const char *lot;             /* the lot's code */
    const char *produced;        /* NSX, YYYY-MM-DD, or NULL */
    const char *expires;         /* HSD, YYYY-MM-DD, or NULL */
    const char *certificate_url; /* the product's OCOP certificate page, or NULL */
    const char *base_url;        /* names this service's extension terms */
    time_t when;
} epcis_commissioning;

/* One ObjectEvent (ADD, commissioning, active) in an EPCISDocument, at
 * +07:00: malloc'd text, or NULL when out of memory. */
char *epcis_commissioning_document(const epcis_commissioning *c);

/* Wraps `event` (which it takes) in an EPCISDocument whose @context
 * declares the "ocop" extension namespace ({base_url}/ns/ocop#): the event
 * gets a new eventID (a UUID URN) and, unless it has one, eventTime at
 * `when` in Vietnam (+07:00), which is the document's creationDate too.
 * Malloc'd text, or NULL when out of memory or `event` is NULL. */
char *epcis_document(json_t *event, const char *base_url, time_t when);

/* A product lot: its product's GTIN-14 (NULL or "" for a product without
 * one) and its code. */
typedef struct {
    const char *gtin;
    const char *code;
} epcis_lot;

/* The lot's class: its Digital Link without a serial,
 * {base_url}/01/{gtin}/10/{lot}, or {base_url}/lot/{lot} without a GTIN
 * (the lot percent-encoded). 0, or -1 when it does not fit. */
int epcis_lot_class(const char *base_url, const epcis_lot *lot, char *out, size_t size);
/* An input lot's class: {base_url}/inputs/{id}. */
int epcis_input_class(const char *base_url, long input_id, char *out, size_t size);
/* A unit's Digital Link without the query: {base_url}/01/{gtin}/10/{lot}/21/
 * {serial}, or {base_url}/lot/{lot}/{serial} without a GTIN. */
int epcis_unit_uri(const char *base_url, const epcis_lot *lot, const char *serial, char *out,
                   size_t size);
/* The UN/CEFACT Recommendation 20 code of a unit (kg: KGM, g: GRM, t: TNE,
 * l: LTR, ml: MLT), or NULL for one it does not know. */
const char *epcis_uom(const char *unit);
/* The CBV business step a journal step is reported as. */
const char *epcis_journal_biz_step(const char *step);

/* Lot `output` made with `quantity` of input lot `input_id` (in `unit`)
 * or, with input_id 0, `quantity` units of product lot `source`. */
typedef struct {
    const char *base_url;
    epcis_lot output;
    const char *produced; /* the output lot's NSX, YYYY-MM-DD, or NULL */
    long input_id;
    const char *unit;
    epcis_lot source;
    double quantity;
    time_t when;
} epcis_transformation;

/* One TransformationEvent (commissioning): the input's class and quantity
 * in, the lot's class out, its code in ilmd. */
char *epcis_transformation_document(const epcis_transformation *t);

/* An entry of a lot's production journal. */
typedef struct {
    const char *base_url;
    epcis_lot lot;
    const char *step;   /* harvesting, receiving, processing, ... */
    const char *at;     /* RFC 3339 with its offset, as given */
    const char *at_utc; /* the same in UTC, YYYY-MM-DDTHH:MM:SSZ */
    const char *place;  /* or NULL or "" */
    const char *note;   /* or NULL or "" */
    time_t when;
} epcis_journal;

/* One ObjectEvent (OBSERVE) of the lot's class at the entry's time. */
char *epcis_journal_document(const epcis_journal *j);

/* A shipment: `count` units, each a lot and a serial. */
typedef struct {
    const char *base_url;
    long shipment_id;
    long producer_id;
    const char *to_name;
    const char *to_address; /* or NULL or "" */
    const char *shipped;    /* YYYY-MM-DD */
    const epcis_lot *lots;  /* each unit's lot */
    const char *const *serials;
    size_t count;
    time_t when;
} epcis_shipping;

/* One ObjectEvent (OBSERVE, shipping, in_transit) of the units, from the
 * producer to the shipment's destination. */
char *epcis_shipping_document(const epcis_shipping *s);

/* A recall: of input lot `input_id` (or 0 for a product lot's recall) and
 * of the `count` product lots it reaches. */
typedef struct {
    const char *base_url;
    long recall_id;
    long input_id;
    const epcis_lot *lots;
    size_t count;
    const char *reason;
    const char *action;
    time_t when;
} epcis_recall;

/* One ObjectEvent (OBSERVE, holding, recalled) of every class recalled. */
char *epcis_recall_document(const epcis_recall *r);

/* Units packed into a carton: its EPC URI (urn:epc:id:sscc:...) and the
 * units' Digital Links, as their commissioning named them. */
typedef struct {
    const char *base_url;
    const char *parent;          /* the carton's EPC URI */
    const char *const *children; /* the units' Digital Links, without the query */
    size_t count;
    time_t when;
} epcis_aggregation;

/* One AggregationEvent (ADD, packing, in_progress) of the carton and its
 * units, now. */
char *epcis_aggregation_document(const epcis_aggregation *a);

#endif
