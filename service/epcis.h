/*
 * EPCIS 2.0 documents (JSON-LD) for the traceability system: the
 * commissioning of the units of one serial allocation.
 */
#ifndef OCOPTRACE_EPCIS_H
#define OCOPTRACE_EPCIS_H

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

#endif
