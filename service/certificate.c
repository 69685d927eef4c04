/*
 * The rules of an OCOP recognition that the certificate file and the API's
 * evaluations share: the decision's and the scores' fields, where their
 * values go, and the checks of Decision 148 (scores in range, 3 stars and
 * up, the authority of each level, 36 months of validity).
 */
#include "certificate.h"

#include <stdio.h>
#include <string.h>

static const jr_rule signer_rules[] = {
    {"title", JR_TEXT, 1, NULL, 1},
    {"name", JR_TEXT, 1, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
const jr_rule certificate_decision_rules[] = {
    {"number", JR_TEXT, 1, NULL, 0},
    {"date", JR_TEXT, 1, NULL, 0},
    {"level", JR_TEXT, 1, NULL, 0},
    {"issuer", JR_TEXT, 1, NULL, 0},
    {"signer", JR_OBJECT, 1, signer_rules, 0},
    {NULL, 0, 0, NULL, 0},
};
const jr_rule certificate_score_rules[] = {
    {"a", JR_INT, 1, NULL, 0},
    {"b", JR_INT, 1, NULL, 0},
    {"c", JR_INT, 1, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
void certificate_store_field(ocl_certificate *c, const char *path, const json_t *v,
                             ocl_problems *problems)
{
    const char *text = json_string_value(v);
    if (strcmp(path, "number") == 0) {
        size_t len = strlen(text);
        if (len < 1 || len > 40 ||
            strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
                         "xyz0123456789-._/") != len)
            ocl_problem_add(problems, path, "must be 1 to 40 letters, digits or '-._/'");
        c->number = text;
    } else if (strcmp(path, "decision.number") == 0) {
        c->decision_number = text;
    } else if (strcmp(path, "decision.date") == 0) {
        jr_date(v, path, 0, &c->decided, problems);
    } else if (strcmp(path, "decision.level") == 0) {
        int level = ocl_ocop_level_parse(text);
        if (level < 0)
            ocl_problem_add(problems, path, "must be one of district, province, national");
        c->level = level < 0 ? OCL_LEVEL_PROVINCE : (ocl_level)level;
    } else if (strcmp(path, "decision.issuer") == 0) {
        c->issuer = text;
    } else if (strcmp(path, "decision.signer.title") == 0) {
        c->signer_title = text;
    } else if (strcmp(path, "decision.signer.name") == 0) {
        c->signer_name = text;
    } else if (strncmp(path, "scores.", 7) == 0 && json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        c->scores[path[7] - 'a'] = n < -1000 ? -1000 : n > 1000 ? 1000 : (int)n;
    }
}

int certificate_rules(ocl_certificate *c, ocl_problems *problems)
{
    if (ocl_ocop_scores_check(c->scores, problems) != OCL_OK)
        return -1;
    c->total = c->scores[0] + c->scores[1] + c->scores[2];
    c->stars = ocl_ocop_stars(c->total);
    if (c->stars < 3) {
        ocl_problem_add(problems, "scores",
                        "a total of %d gives %d star%s; only 3 to 5 stars are recognised with a "
                        "certificate (Decision 148/QĐ-TTg)",
                        c->total, c->stars, c->stars == 1 ? "" : "s");
        return -1;
    }
    if (ocl_ocop_authority_check(c->level, c->stars, &c->decided, problems) != OCL_OK)
        return -1;
    c->valid_until = ocl_ocop_valid_until(&c->decided);
    return 0;
}

void certificate_iso_date(const ocl_date *d, char out[11])
{
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d->year % 10000u, (unsigned)d->month % 100u,
             (unsigned)d->day % 100u);
}
