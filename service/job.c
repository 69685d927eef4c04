/*
 * The label job file (JSON) read into an ocl_label_job: the rules of its
 * keys, and where each value goes. The producer's rules and values are
 * shared with the certificate file, which describes producers the same way.
 */
#include "job.h"

#include <string.h>

const jr_rule job_producer_rules[] = {
    {"name", JR_TEXT, 1, NULL, 0}, {"address", JR_TEXT, 0, NULL, 0},
    {"kind", JR_TEXT, 1, NULL, 0}, {"phone", JR_TEXT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule ocop_rules[] = {
    {"stars", JR_INT, 1, NULL, 0},
    {"valid_until", JR_TEXT, 1, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule product_rules[] = {
    {"name", JR_TEXT, 1, NULL, 0},
    {"group", JR_TEXT, 1, NULL, 0},
    {"gtin", JR_TEXT, 0, NULL, 0},
    {"net_quantity", JR_TEXT, 0, NULL, 0},
    {"ingredients", JR_TEXT, 0, NULL, 0},
    {"origin", JR_TEXT, 0, NULL, 0},
    {"usage", JR_TEXT, 0, NULL, 0},
    {"storage", JR_TEXT, 0, NULL, 0},
    {"warnings", JR_TEXT, 0, NULL, 0},
    {"standard", JR_TEXT, 0, NULL, 0},
    {"ocop", JR_OBJECT, 0, ocop_rules, 0},
    {"short_name", JR_TEXT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule lot_rules[] = {
    {"code", JR_TEXT, 1, NULL, 0},
    {"produced", JR_TEXT, 0, NULL, 0},
    {"expires", JR_TEXT, 0, NULL, 0},
    {"units", JR_INT, 1, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule root_rules[] = {
    {"producer", JR_OBJECT, 1, job_producer_rules, 0},
    {"product", JR_OBJECT, 1, product_rules, 0},
    {"lot", JR_OBJECT, 1, lot_rules, 0},
    {"logo", JR_TEXT, 0, NULL, 0}, /* the producer's PNG, for stamps and labels */
    {"retail_barcode", JR_TEXT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};

/* Text values kept as they are, by path. */
static const struct {
    const char *path;
    ocl_field field;
} text_fields[] = {
    {"producer.name", OCL_FIELD_PRODUCER_NAME},
    {"producer.address", OCL_FIELD_PRODUCER_ADDRESS},
    {"producer.phone", OCL_FIELD_PRODUCER_PHONE},
    {"product.name", OCL_FIELD_PRODUCT_NAME},
    {"product.net_quantity", OCL_FIELD_NET_QUANTITY},
    {"product.ingredients", OCL_FIELD_INGREDIENTS},
    {"product.origin", OCL_FIELD_ORIGIN},
    {"product.usage", OCL_FIELD_USAGE},
    {"product.storage", OCL_FIELD_STORAGE},
    {"product.warnings", OCL_FIELD_WARNINGS},
    {"product.standard", OCL_FIELD_STANDARD},
};

int job_store_common(job_file *jf, const char *path, const json_t *v, ocl_problems *problems)
{
    ocl_label_job *job = &jf->job;
    const char *text = json_string_value(v);
    for (size_t i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++) {
        if (strcmp(path, text_fields[i].path) == 0) {
            job->text[text_fields[i].field] = text;
            return 1;
        }
    }
    if (strcmp(path, "producer.kind") == 0) {
        int kind = ocl_producer_kind_parse(text);
        if (kind < 0)
            ocl_problem_add(problems, path, "must be one of cooperative, sme, household, other");
        job->kind = kind < 0 ? OCL_KIND_OTHER : (ocl_producer_kind)kind;
        return 1;
    }
    if (strcmp(path, "product.group") == 0) {
        int group = ocl_group_parse(text);
        if (group < 0)
            ocl_problem_add(problems, path,
                            "must be one of food, drink, herbal, handicraft, ornamental, tourism");
        job->group = group < 0 ? OCL_GROUP_FOOD : (ocl_group)group;
        return 1;
    }
    if (strcmp(path, "product.gtin") == 0) {
        if (ocl_gtin_normalise(text, path, jf->gtin, problems) == OCL_OK)
            job->gtin = jf->gtin;
        return 1;
    }
    return 0;
}

static void store_range(const char *path, const json_t *v, long max, long *out,
                        ocl_problems *problems)
{
    json_int_t n = json_integer_value(v);
    if (n < 1 || n > max)
        ocl_problem_add(problems, path, "must be a whole number from 1 to %ld", max);
    else
        *out = (long)n;
}

static void store(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    job_file *jf = ctx;
    ocl_label_job *job = &jf->job;
    if (job_store_common(jf, path, v, problems))
        return;
    long stars = 0;
    if (strcmp(path, "product.ocop") == 0) {
        jf->has_ocop = 1;
    } else if (strcmp(path, "product.ocop.stars") == 0) {
        store_range(path, v, 5, &stars, problems);
        job->ocop_stars = (int)stars;
    } else if (strcmp(path, "product.ocop.valid_until") == 0) {
        jr_date(v, path, 0, &job->ocop_valid_until, problems);
    } else if (strcmp(path, "lot.code") == 0) {
        if (ocl_ai_value_check(json_string_value(v), path, problems) == OCL_OK)
            job->lot = json_string_value(v);
    } else if (strcmp(path, "lot.produced") == 0) {
        job->has_produced = jr_date(v, path, 0, &job->produced, problems) == 0;
    } else if (strcmp(path, "lot.expires") == 0) {
        job->has_expires = jr_date(v, path, 1, &job->expires, problems) == 0;
    } else if (strcmp(path, "lot.units") == 0) {
        store_range(path, v, JOB_UNITS_MAX, &job->units, problems);
    } else if (strcmp(path, "retail_barcode") == 0) {
        int retail = ocl_retail_barcode_parse(json_string_value(v));
        if (retail < 0)
            ocl_problem_add(problems, path, "must be one of auto, always, never");
        job->retail_barcode = retail < 0 ? OCL_RETAIL_AUTO : (ocl_retail_barcode)retail;
    }
}

int job_load(const char *path, job_file *jf, ocl_problems *problems)
{
    memset(jf, 0, sizeof(*jf));
    jf->root = jr_load(path, "job", problems);
    return jf->root ? job_parse_root(jf, problems) : -1;
}

int job_parse_root(job_file *jf, ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    if (!json_is_object(jf->root)) {
        ocl_problem_add(problems, "job", "must be a JSON object");
        return -1;
    }
    jr_read(jf->root, "", root_rules, store, jf, problems);
    ocl_label_job *job = &jf->job;
    if (job->has_produced && job->has_expires &&
        ocl_date_key(&job->expires) <= ocl_date_key(&job->produced))
        ocl_problem_add(problems, "lot.expires", "must be after lot.produced");
    return problems->count + problems->dropped == before ? 0 : -1;
}

void job_free(job_file *jf)
{
    json_decref(jf->root);
    jf->root = NULL;
}
