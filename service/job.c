/*
 * The label job file (JSON): read strictly with jansson into an
 * ocl_label_job. Unknown keys, wrong types, text that is not NFC and values
 * that break a GS1 rule are all reported, each naming its field.
 */
#include "job.h"

#include <stdio.h>
#include <string.h>

#define TEXT_MAX 600 /* bytes of one text field */

typedef enum { T_TEXT, T_ENUM_KIND, T_ENUM_GROUP, T_GTIN, T_DATE, T_UNITS, T_OBJECT } value_type;

typedef struct {
    const char *key;
    value_type type;
    int required;
} key_rule;

static const key_rule producer_keys[] = {
    {"name", T_TEXT, 1},
    {"address", T_TEXT, 0},
    {"kind", T_ENUM_KIND, 1},
    {"phone", T_TEXT, 0},
};
static const key_rule product_keys[] = {
    {"name", T_TEXT, 1},         {"group", T_ENUM_GROUP, 1}, {"gtin", T_GTIN, 0},
    {"net_quantity", T_TEXT, 0}, {"ingredients", T_TEXT, 0}, {"origin", T_TEXT, 0},
    {"usage", T_TEXT, 0},        {"storage", T_TEXT, 0},     {"warnings", T_TEXT, 0},
    {"standard", T_TEXT, 0},     {"ocop", T_OBJECT, 0},
};
static const key_rule lot_keys[] = {
    {"code", T_TEXT, 1},
    {"produced", T_DATE, 0},
    {"expires", T_DATE, 0},
    {"units", T_UNITS, 1},
};
static const key_rule ocop_keys[] = {{"stars", T_UNITS, 1}, {"valid_until", T_DATE, 1}};
static const key_rule root_keys[] = {
    {"producer", T_OBJECT, 1}, {"product", T_OBJECT, 1}, {"lot", T_OBJECT, 1}};

#define RULES(a) a, sizeof(a) / sizeof(a[0])

/* Combining marks: libharu cannot place them, so text must be precomposed
 * (NFC), as Vietnamese keyboards and most sources produce it. */
static int combining_mark(unsigned cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

static void check_text(const char *text, const char *field, ocl_problems *problems)
{
    size_t len = strlen(text);
    if (len > TEXT_MAX) {
        ocl_problem_add(problems, field, "must be at most %d bytes, found %zu", TEXT_MAX, len);
        return;
    }
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        unsigned cp = n == 1 ? c : c & (0xFFu >> (n + 1));
        for (size_t k = 1; k < n && i + k < len; k++)
            cp = (cp << 6) | ((unsigned char)text[i + k] & 0x3F);
        if (cp < 0x20 || cp == 0x7F) {
            ocl_problem_add(problems, field, "control character at byte %zu (one line of text)",
                            i + 1);
            return;
        }
        if (combining_mark(cp)) {
            ocl_problem_add(problems, field,
                            "combining mark U+%04X at byte %zu: write letters precomposed (NFC)",
                            cp, i + 1);
            return;
        }
        i += n;
    }
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* Where a value lands in the job; each text key maps to its field. */
static void store(job_file *jf, const char *path, const json_t *v, value_type type,
                  ocl_problems *problems)
{
    ocl_label_job *job = &jf->job;
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
    const char *text = json_is_string(v) ? json_string_value(v) : NULL;
    switch (type) {
    case T_TEXT:
        check_text(text, path, problems);
        if (strcmp(path, "lot.code") == 0) {
            if (ocl_ai_value_check(text, path, problems) == OCL_OK)
                job->lot = text;
            return;
        }
        for (size_t i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
            if (strcmp(path, text_fields[i].path) == 0)
                job->text[text_fields[i].field] = text;
        return;
    case T_ENUM_KIND:
    case T_ENUM_GROUP: {
        int value = type == T_ENUM_KIND ? ocl_producer_kind_parse(text) : ocl_group_parse(text);
        if (value < 0)
            ocl_problem_add(problems, path, "must be one of %s",
                            type == T_ENUM_KIND
                                ? "cooperative, sme, household, other"
                                : "food, drink, herbal, handicraft, ornamental, tourism");
        else if (type == T_ENUM_KIND)
            job->kind = (ocl_producer_kind)value;
        else
            job->group = (ocl_group)value;
        return;
    }
    case T_GTIN:
        if (ocl_gtin_normalise(text, path, jf->gtin, problems) == OCL_OK)
            job->gtin = jf->gtin;
        return;
    case T_DATE: {
        ocl_date d;
        if (ocl_date_parse_iso(text, path, strcmp(path, "lot.expires") == 0, &d, problems) !=
            OCL_OK)
            return;
        if (strcmp(path, "lot.produced") == 0)
            job->produced = d, job->has_produced = 1;
        else if (strcmp(path, "lot.expires") == 0)
            job->expires = d, job->has_expires = 1;
        else
            job->ocop_valid_until = d;
        return;
    }
    case T_UNITS: {
        json_int_t n = json_integer_value(v);
        int stars = strcmp(path, "product.ocop.stars") == 0;
        json_int_t max = stars ? 5 : JOB_UNITS_MAX;
        if (n < 1 || n > max)
            ocl_problem_add(problems, path, "must be a whole number from 1 to %lld",
                            (long long)max);
        else if (stars)
            job->ocop_stars = (int)n;
        else
            job->units = (long)n;
        return;
    }
    case T_OBJECT:
        return;
    }
}

static int type_ok(const json_t *v, value_type type)
{
    switch (type) {
    case T_OBJECT:
        return json_is_object(v);
    case T_UNITS:
        return json_is_integer(v);
    default:
        return json_is_string(v);
    }
}

static void read_object(const json_t *object, const char *prefix, const key_rule *rules,
                        size_t count, job_file *jf, ocl_problems *problems);

static void read_value(const json_t *v, const char *path, const key_rule *rule, job_file *jf,
                       ocl_problems *problems)
{
    if (!type_ok(v, rule->type)) {
        ocl_problem_add(problems, path, "must be %s, found %s",
                        rule->type == T_OBJECT  ? "an object"
                        : rule->type == T_UNITS ? "an integer"
                                                : "a string",
                        json_type_name(v));
        return;
    }
    if (rule->type != T_OBJECT) {
        store(jf, path, v, rule->type, problems);
        return;
    }
    if (strcmp(path, "producer") == 0)
        read_object(v, path, RULES(producer_keys), jf, problems);
    else if (strcmp(path, "product") == 0)
        read_object(v, path, RULES(product_keys), jf, problems);
    else if (strcmp(path, "lot") == 0)
        read_object(v, path, RULES(lot_keys), jf, problems);
    else if (strcmp(path, "product.ocop") == 0) {
        jf->has_ocop = 1;
        read_object(v, path, RULES(ocop_keys), jf, problems);
    }
}

static void read_object(const json_t *object, const char *prefix, const key_rule *rules,
                        size_t count, job_file *jf, ocl_problems *problems)
{
    char path[OCL_FIELD_MAX];
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)object, key, v)
    {
        size_t i = 0;
        while (i < count && strcmp(rules[i].key, key) != 0)
            i++;
        snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
        if (i == count)
            ocl_problem_add(problems, path, "unknown key");
        else
            read_value(v, path, &rules[i], jf, problems);
    }
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", rules[i].key);
        if (rules[i].required && !json_object_get(object, rules[i].key))
            ocl_problem_add(problems, path, "required");
    }
}

int job_load(const char *path, job_file *jf, ocl_problems *problems)
{
    memset(jf, 0, sizeof(*jf));
    json_error_t error;
    jf->root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
    if (!jf->root) {
        if (error.line < 0 || strstr(error.text, "unable to open"))
            ocl_problem_add(problems, "job", "cannot read '%s'", path);
        else
            ocl_problem_add(problems, "job", "line %d, column %d: %s", error.line, error.column,
                            error.text);
        return -1;
    }
    return job_parse_root(jf, problems);
}

int job_parse_root(job_file *jf, ocl_problems *problems)
{
    size_t before = problems->count + problems->dropped;
    if (!json_is_object(jf->root)) {
        ocl_problem_add(problems, "job", "must be a JSON object");
        return -1;
    }
    read_object(jf->root, "", RULES(root_keys), jf, problems);
    ocl_label_job *job = &jf->job;
    if (job->has_produced && job->has_expires &&
        (job->expires.year * 10000 + job->expires.month * 100 + job->expires.day) <=
            (job->produced.year * 10000 + job->produced.month * 100 + job->produced.day))
        ocl_problem_add(problems, "lot.expires", "must be after lot.produced");
    return problems->count + problems->dropped == before ? 0 : -1;
}

void job_free(job_file *jf)
{
    json_decref(jf->root);
    jf->root = NULL;
}
