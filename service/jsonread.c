/*
 * Strict JSON reading shared by the job and certificate files: rules say
 * which keys exist, their types and whether they are required; text is
 * checked once here (length, one line, no combining marks) so that what
 * reaches a PDF is something libharu can print.
 */
#include "jsonread.h"

#include <stdio.h>
#include <string.h>

/* Combining marks: libharu cannot place them, so text must be precomposed
 * (NFC), as Vietnamese keyboards and most sources produce it. */
static int combining_mark(unsigned cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

static int check_text(const char *text, const char *field, int multiline, ocl_problems *problems)
{
    size_t len = strlen(text);
    size_t max = multiline == JR_PROSE ? JR_PROSE_MAX : JR_TEXT_MAX;
    if (len > max)
        return ocl_problem_add(problems, field, "must be at most %zu bytes, found %zu", max, len),
               -1;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        unsigned cp = n == 1 ? c : c & (0xFFu >> (n + 1));
        for (size_t k = 1; k < n && i + k < len; k++)
            cp = (cp << 6) | ((unsigned char)text[i + k] & 0x3F);
        if ((cp < 0x20 && !(multiline && cp == '\n')) || cp == 0x7F)
            return ocl_problem_add(problems, field,
                                   "control character at byte %zu (one line of text)", i + 1),
                   -1;
        if (combining_mark(cp))
            return ocl_problem_add(problems, field,
                                   "combining mark U+%04X at byte %zu: write letters "
                                   "precomposed (NFC)",
                                   cp, i + 1),
                   -1;
        i += n;
    }
    return 0;
}

static const char *type_name(const json_t *v)
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

static const char *const wanted[] = {"a string", "an integer", "an object",          "a boolean",
                                     "an array", "a number",   "an array of strings"};

int jr_problem_is_shape(const char *rule)
{
    if (strcmp(rule, "unknown key") == 0)
        return 1;
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        char prefix[40];
        int n = snprintf(prefix, sizeof(prefix), "must be %s, found ", wanted[i]);
        if (strncmp(rule, prefix, (size_t)n) == 0)
            return 1;
    }
    return 0;
}

/* Each item of a JR_LIST, as an object of `fields`. */
static void read_items(const json_t *list, const char *path, const jr_rule *fields, jr_store store,
                       void *ctx, ocl_problems *problems)
{
    char item_path[OCL_FIELD_MAX];
    size_t i;
    json_t *item;
    json_array_foreach((json_t *)list, i, item)
    {
        /* A path that does not fit is cut, as read_object() cuts its own. */
        if (snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i) < 0)
            return;
        if (json_is_object(item))
            jr_read(item, item_path, fields, store, ctx, problems);
        else
            ocl_problem_add(problems, item_path, "must be %s, found %s", wanted[JR_OBJECT],
                            type_name(item));
    }
}

/* Whether `v` is an array of one-line texts; a wrong item is reported by
 * its own path. */
static int texts_ok(const json_t *v, const char *path, ocl_problems *problems)
{
    if (!json_is_array(v))
        return 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        char item_path[160];
        snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
        if (!json_is_string(item)) {
            ocl_problem_add(problems, item_path, "must be %s, found %s", wanted[JR_TEXT],
                            type_name(item));
            return 0;
        }
        if (check_text(json_string_value(item), item_path, 0, problems) != 0)
            return 0;
    }
    return 1;
}

static void read_value(const json_t *v, const char *path, const jr_rule *rule, jr_store store,
                       void *ctx, ocl_problems *problems)
{
    int ok = rule->type == JR_TEXT     ? json_is_string(v)
             : rule->type == JR_INT    ? json_is_integer(v)
             : rule->type == JR_OBJECT ? json_is_object(v)
             : rule->type == JR_LIST   ? json_is_array(v)
             : rule->type == JR_NUMBER ? json_is_number(v)
             : rule->type == JR_TEXTS  ? texts_ok(v, path, problems)
                                       : json_is_boolean(v);
    if (!ok && rule->type == JR_TEXTS && json_is_array(v))
        return; /* texts_ok() said which item */
    if (!ok) {
        ocl_problem_add(problems, path, "must be %s, found %s", wanted[rule->type], type_name(v));
        return;
    }
    if (rule->type == JR_TEXT &&
        check_text(json_string_value(v), path, rule->multiline, problems) != 0)
        return;
    store(ctx, path, v, problems);
    if (rule->type == JR_OBJECT)
        jr_read(v, path, rule->fields, store, ctx, problems);
    if (rule->type == JR_LIST)
        read_items(v, path, rule->fields, store, ctx, problems);
}

static void read_object(const json_t *object, const char *prefix, const jr_rule *rules,
                        jr_store store, void *ctx, int partial, ocl_problems *problems);

void jr_read(const json_t *object, const char *prefix, const jr_rule *rules, jr_store store,
             void *ctx, ocl_problems *problems)
{
    read_object(object, prefix, rules, store, ctx, 0, problems);
}

void jr_read_partial(const json_t *object, const jr_rule *rules, jr_store store, void *ctx,
                     ocl_problems *problems)
{
    read_object(object, "", rules, store, ctx, 1, problems);
}

static void read_object(const json_t *object, const char *prefix, const jr_rule *rules,
                        jr_store store, void *ctx, int partial, ocl_problems *problems)
{
    char path[OCL_FIELD_MAX];
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)object, key, v)
    {
        const jr_rule *rule = rules;
        while (rule->key && strcmp(rule->key, key) != 0)
            rule++;
        snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
        if (!rule->key)
            ocl_problem_add(problems, path, "unknown key");
        else
            read_value(v, path, rule, store, ctx, problems);
    }
    for (const jr_rule *rule = rules; rule->key; rule++) {
        snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", rule->key);
        if (rule->required && !partial && !json_object_get(object, rule->key))
            ocl_problem_add(problems, path, "required");
    }
}

json_t *jr_load(const char *path, const char *field, ocl_problems *problems)
{
    json_error_t error;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        if (error.line < 0 || strstr(error.text, "unable to open"))
            ocl_problem_add(problems, field, "cannot read '%s'", path);
        else
            ocl_problem_add(problems, field, "line %d, column %d: %s", error.line, error.column,
                            error.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        ocl_problem_add(problems, field, "must be a JSON object");
        json_decref(root);
        return NULL;
    }
    return root;
}

int jr_date(const json_t *value, const char *path, int gs1_range, ocl_date *date,
            ocl_problems *problems)
{
    return ocl_date_parse_iso(json_string_value(value), path, gs1_range, date, problems) == OCL_OK
               ? 0
               : -1;
}

const char *jr_text(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}
