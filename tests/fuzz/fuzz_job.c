/*
 * libFuzzer harness for the label job reader: any bytes, as a job file,
 * must be read or refused with at least one problem, never crash, and a
 * job that is read must have the fields the reader promises.
 */
#include "job.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    job_file jf = {0};
    ocl_problems problems;
    ocl_problems_init(&problems);
    jf.root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!jf.root)
        return 0;
    int rc = job_parse_root(&jf, &problems);
    if ((rc == 0) != (problems.count == 0))
        abort();
    if (rc == 0) {
        const ocl_label_job *job = &jf.job;
        if (!job->text[OCL_FIELD_PRODUCT_NAME] || !job->lot || job->units < 1 ||
            ocl_ai_value_check(job->lot, "lot", &problems) != OCL_OK)
            abort();
        ocl_law_check(job, &problems);
    }
    job_free(&jf);
    return 0;
}
