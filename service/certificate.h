/*
 * What a certificate file and an evaluation request share: the rules of
 * the decision and scores, where their values go, and the OCOP checks.
 */
#ifndef OCOPTRACE_CERTIFICATE_H
#define OCOPTRACE_CERTIFICATE_H

#include "jsonread.h"

extern const jr_rule certificate_decision_rules[];
extern const jr_rule certificate_score_rules[];

/* Stores a number, decision.* or scores.* value into the certificate. */
void certificate_store_field(ocl_certificate *c, const char *path, const json_t *v,
                             ocl_problems *problems);
/* Scores in range, stars recognised, authority by date; fills total,
 * stars and valid_until. 0 or -1. */
int certificate_rules(ocl_certificate *c, ocl_problems *problems);

/* A date as the store keeps it, YYYY-MM-DD. */
void certificate_iso_date(const ocl_date *d, char out[11]);

#endif
