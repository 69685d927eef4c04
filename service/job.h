/*
 * The label job file: reading it into an ocl_label_job.
 */
#ifndef OCOPTRACE_JOB_H
#define OCOPTRACE_JOB_H

#include "ocoplabels.h"

#include "jsonread.h"

#include <jansson.h>

#define JOB_UNITS_MAX 1000000

typedef struct {
    json_t *root; /* owns every string the job points to */
    ocl_label_job job;
    char gtin[OCL_GTIN14_LEN + 1]; /* normalised to 14 digits */
    int has_ocop;
} job_file;

/* Reads and checks a job file; every problem is reported. 0 or -1. */
int job_load(const char *path, job_file *jf, ocl_problems *problems);
/* The checks of job_load on jf->root, for a job that came another way. */
int job_parse_root(job_file *jf, ocl_problems *problems);
void job_free(job_file *jf);

/* Shared with files that describe producers and products the same way. */
extern const jr_rule job_producer_rules[];
/* Stores a producer or product value every such file has (name, address,
 * kind, group, gtin, ...); 0 when the path is not one of them. */
int job_store_common(job_file *jf, const char *path, const json_t *v, ocl_problems *problems);

#endif
