/*
 * Reading and checking an OCOP scoring sheet (a NAME.criteria file of templates/criteria):
 * the document's shape through jsonread, then the rules of the decision's
 * arithmetic, which a transcription must keep: each part's criteria add up
 * to the part's maximum and the parts to 100 points.
 */
#include "criteria.h"
#include "host.h"
#include "jsonread.h"

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRITERIA_SUFFIX ".criteria"
#define CRITERIA_ID_MAX 9 /* "A" and up to 8 digits or dots */

/* The texts a decision prints at length (an option may list every
 * document it asks for) take a prose's bound; names and titles a line's. */
static const jr_rule option_rules[] = {
    {"text", JR_TEXT, 1, NULL, JR_PROSE},
    {"points", JR_INT, 1, NULL, 0},
    {"minimum_for", JR_INT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule criterion_rules[] = {
    {"id", JR_TEXT, 1, NULL, 0},
    {"section", JR_TEXT, 1, NULL, 0},
    {"text", JR_TEXT, 1, NULL, JR_PROSE},
    {"basis", JR_TEXT, 1, NULL, 0},
    {"options", JR_LIST, 1, option_rules, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule part_rules[] = {
    {"part", JR_TEXT, 1, NULL, 0},
    {"title", JR_TEXT, 1, NULL, 0},
    {"max", JR_INT, 1, NULL, 0},
    {"sections", JR_TEXTS, 1, NULL, 0},
    {"criteria", JR_LIST, 1, criterion_rules, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule sheet_rules[] = {
    {"id", JR_TEXT, 1, NULL, 0},
    {"group", JR_TEXT, 1, NULL, 0},
    {"subgroup", JR_TEXT, 1, NULL, 0},
    {"title", JR_TEXT, 1, NULL, 0},
    {"legal_basis", JR_TEXT, 1, NULL, 0},
    {"source", JR_TEXT, 1, NULL, 0},
    {"complete", JR_BOOL, 1, NULL, 0},
    {"missing", JR_TEXT, 0, NULL, 0},
    {"notes", JR_TEXT, 0, NULL, JR_PROSE},
    {"parts", JR_LIST, 1, part_rules, 0},
    {NULL, 0, 0, NULL, 0},
};

/* The shape pass only reports; the values are read afterwards. */
static void keep_nothing(void *ctx, const char *path, const json_t *value, ocl_problems *problems)
{
    (void)ctx;
    (void)path;
    (void)value;
    (void)problems;
}

/* Paths of fields; one too long for OCL_FIELD_MAX is cut, as jsonread cuts its own. */
static void at(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void at(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, size, fmt, ap);
    va_end(ap);
}

static const char *text(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
}

/* A criterion's id: its part's letter, then a number such as "1" or "2.3". */
static int id_ok(const char *id, char letter)
{
    size_t len = id ? strlen(id) : 0;
    if (len < 2 || len > CRITERIA_ID_MAX || id[0] != letter || id[1] < '0' || id[1] > '9')
        return 0;
    return strspn(id + 1, "0123456789.") == len - 1;
}

/* Every text says something: an empty one is a gap in the transcription. */
static void no_empty_text(const json_t *value, const char *path, ocl_problems *found)
{
    char child[OCL_FIELD_MAX];
    if (json_is_string(value) && json_string_length(value) == 0)
        ocl_problem_add(found, path, "must not be empty");
    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)value, key, member)
        {
            at(child, sizeof(child), "%s%s%s", path, *path ? "." : "", key);
            no_empty_text(member, child, found);
        }
    }
    if (json_is_array(value))
        for (size_t i = 0; i < json_array_size(value); i++) {
            at(child, sizeof(child), "%s[%zu]", path, i);
            no_empty_text(json_array_get(value, i), child, found);
        }
}

static void check_header(const json_t *root, const char *file_id, criteria_sheet *sheet,
                         ocl_problems *found)
{
    sheet->id = text(root, "id");
    if (strcmp(sheet->id, file_id) != 0)
        ocl_problem_add(found, "id", "must be the file's name without '%s' ('%s'), found '%s'",
                        CRITERIA_SUFFIX, file_id, sheet->id);
    sheet->group = text(root, "group");
    if (ocl_group_parse(sheet->group) < 0 && strcmp(sheet->group, "all") != 0)
        ocl_problem_add(found, "group",
                        "must be food, drink, herbal, handicraft, ornamental, tourism or all, "
                        "found '%s'",
                        sheet->group);
    sheet->subgroup = text(root, "subgroup");
    sheet->title = text(root, "title");
    sheet->legal_basis = text(root, "legal_basis");
    sheet->source = text(root, "source");
    sheet->complete = json_is_true(json_object_get(root, "complete"));
    sheet->missing = text(root, "missing");
    sheet->notes = text(root, "notes");
    if (!sheet->complete && !sheet->missing)
        ocl_problem_add(found, "missing", "required when the sheet is incomplete");
    if (sheet->complete && sheet->missing)
        ocl_problem_add(found, "missing", "must be absent when the sheet is complete");
}

/* Whether of two minimums the one for more stars asks for fewer points. */
static int fewer_for_more(const criteria_option *a, const criteria_option *b)
{
    return a->minimum_for < b->minimum_for ? a->points > b->points : a->points < b->points;
}

/* The source's star markers: option `i` is the least the criterion needs for
 * `minimum_for` stars. One option per level, and a higher level never asks
 * for fewer points than a lower one. */
static void read_minimum(const json_t *option, const char *path, criteria_item *item, size_t i,
                         ocl_problems *found)
{
    const json_t *value = json_object_get(option, "minimum_for");
    if (!value)
        return;
    char field[OCL_FIELD_MAX];
    at(field, sizeof(field), "%s[%zu].minimum_for", path, i);
    json_int_t stars = json_integer_value(value);
    if (stars < CRITERIA_MINIMUM_LOWEST || stars > CRITERIA_MINIMUM_HIGHEST) {
        ocl_problem_add(found, field,
                        "must be 3, 4 or 5 (the stars this option is the least for), "
                        "found %lld",
                        (long long)stars);
        return;
    }
    criteria_option *marked = &item->options[i];
    marked->minimum_for = (int)stars;
    for (size_t k = 0; k < i; k++) {
        const criteria_option *other = &item->options[k];
        if (other->minimum_for == marked->minimum_for)
            ocl_problem_add(found, field, "option %zu is already the minimum for %d stars", k,
                            marked->minimum_for);
        else if (other->minimum_for && fewer_for_more(other, marked))
            ocl_problem_add(found, field,
                            "the minimum for %d stars (%d points) and the minimum for %d stars "
                            "(%d points, option %zu): more stars may not ask for fewer points",
                            marked->minimum_for, marked->points, other->minimum_for, other->points,
                            k);
    }
}

static void read_options(const json_t *list, const char *path, criteria_item *item,
                         ocl_problems *found)
{
    char field[OCL_FIELD_MAX];
    item->option_count = json_array_size(list);
    if (item->option_count == 0) {
        ocl_problem_add(found, path, "must list at least one option");
        return;
    }
    item->options = calloc(item->option_count, sizeof(*item->options));
    if (!item->options) {
        item->option_count = 0;
        ocl_problem_add(found, path, "out of memory");
        return;
    }
    for (size_t i = 0; i < item->option_count; i++) {
        const json_t *option = json_array_get(list, i);
        json_int_t points = json_integer_value(json_object_get(option, "points"));
        at(field, sizeof(field), "%s[%zu].points", path, i);
        if (points < 0)
            ocl_problem_add(found, field, "must be a non-negative integer, found %lld",
                            (long long)points);
        else if (points > CRITERIA_TOTAL)
            ocl_problem_add(found, field, "must be at most %d, found %lld", CRITERIA_TOTAL,
                            (long long)points);
        item->options[i].text = text(option, "text");
        item->options[i].points = points < 0 || points > CRITERIA_TOTAL ? 0 : (int)points;
        if (item->options[i].points > item->max)
            item->max = item->options[i].points;
        read_minimum(option, path, item, i, found);
    }
}

static void read_item(const json_t *criterion, const char *path, criteria_part *part,
                      criteria_item *item, ocl_problems *found)
{
    char field[OCL_FIELD_MAX];
    item->id = text(criterion, "id");
    item->section = text(criterion, "section");
    item->text = text(criterion, "text");
    item->basis = text(criterion, "basis");
    if (!id_ok(item->id, part->letter)) {
        at(field, sizeof(field), "%s.id", path);
        ocl_problem_add(found, field,
                        "must be the part's letter and a number (e.g. '%c1'), found '%s'",
                        part->letter, item->id);
    }
    size_t s = 0;
    while (s < part->section_count && strcmp(part->sections[s], item->section) != 0)
        s++;
    if (s == part->section_count) {
        at(field, sizeof(field), "%s.section", path);
        ocl_problem_add(found, field, "'%s' is not one of part %c's sections", item->section,
                        part->letter);
    }
    at(field, sizeof(field), "%s.options", path);
    read_options(json_object_get(criterion, "options"), field, item, found);
    part->criteria_max += item->max;
}

static void read_sections(const json_t *list, const char *path, criteria_part *part,
                          ocl_problems *found)
{
    char field[OCL_FIELD_MAX];
    part->section_count = json_array_size(list);
    at(field, sizeof(field), "%s.sections", path);
    if (part->section_count == 0) {
        ocl_problem_add(found, field, "must list at least one section");
        return;
    }
    part->sections = calloc(part->section_count, sizeof(*part->sections));
    if (!part->sections) {
        part->section_count = 0;
        ocl_problem_add(found, field, "out of memory");
        return;
    }
    for (size_t i = 0; i < part->section_count; i++) {
        part->sections[i] = json_string_value(json_array_get(list, i));
        for (size_t k = 0; k < i; k++)
            if (strcmp(part->sections[k], part->sections[i]) == 0)
                ocl_problem_add(found, field, "'%s' is listed twice", part->sections[i]);
    }
}

static void read_part(const json_t *object, size_t index, criteria_part *part, ocl_problems *found)
{
    char path[OCL_FIELD_MAX], field[OCL_FIELD_MAX];
    at(path, sizeof(path), "parts[%zu]", index);
    part->letter = (char)('A' + index);
    const char *letter = text(object, "part");
    if (strlen(letter) != 1 || letter[0] != part->letter) {
        at(field, sizeof(field), "%s.part", path);
        ocl_problem_add(found, field, "must be '%c' (parts in the order A, B, C), found '%s'",
                        part->letter, letter);
    }
    part->title = text(object, "title");
    json_int_t max = json_integer_value(json_object_get(object, "max"));
    if (max < 1 || max > CRITERIA_TOTAL) {
        at(field, sizeof(field), "%s.max", path);
        ocl_problem_add(found, field, "must be 1 to %d, found %lld", CRITERIA_TOTAL,
                        (long long)max);
    }
    part->max = max < 1 || max > CRITERIA_TOTAL ? 0 : (int)max;
    read_sections(json_object_get(object, "sections"), path, part, found);
    const json_t *list = json_object_get(object, "criteria");
    part->item_count = json_array_size(list);
    if (part->item_count == 0)
        return;
    part->items = calloc(part->item_count, sizeof(*part->items));
    if (!part->items) {
        part->item_count = 0;
        ocl_problem_add(found, path, "out of memory");
        return;
    }
    for (size_t i = 0; i < part->item_count; i++) {
        at(field, sizeof(field), "%s.criteria[%zu]", path, i);
        read_item(json_array_get(list, i), field, part, &part->items[i], found);
    }
}

/* Ids are unique across the whole sheet: scores are recorded by id. */
static void check_ids(const criteria_sheet *sheet, ocl_problems *found)
{
    for (size_t p = 0; p < CRITERIA_PARTS; p++)
        for (size_t i = 0; i < sheet->parts[p].item_count; i++)
            for (size_t q = 0; q <= p; q++)
                for (size_t k = 0; k < (q == p ? i : sheet->parts[q].item_count); k++)
                    if (strcmp(sheet->parts[q].items[k].id, sheet->parts[p].items[i].id) == 0) {
                        char field[OCL_FIELD_MAX];
                        at(field, sizeof(field), "parts[%zu].criteria[%zu].id", p, i);
                        ocl_problem_add(found, field, "'%s' is already the id of another criterion",
                                        sheet->parts[p].items[i].id);
                    }
}

/* The decision's arithmetic: a complete sheet's criteria fill each part
 * exactly; a partial transcription may only fall short. */
static void check_sums(const criteria_sheet *sheet, ocl_problems *found)
{
    int total = 0;
    for (size_t p = 0; p < CRITERIA_PARTS; p++) {
        const criteria_part *part = &sheet->parts[p];
        char field[OCL_FIELD_MAX];
        at(field, sizeof(field), "parts[%zu].criteria", p);
        total += part->max;
        if (sheet->complete && part->criteria_max != part->max)
            ocl_problem_add(found, field,
                            "the best options add up to %d points; part %c's maximum is %d",
                            part->criteria_max, part->letter, part->max);
        if (!sheet->complete && part->criteria_max > part->max)
            ocl_problem_add(found, field,
                            "the best options add up to %d points, more than part %c's "
                            "maximum of %d",
                            part->criteria_max, part->letter, part->max);
    }
    if (total != CRITERIA_TOTAL)
        ocl_problem_add(found, "parts", "the parts' maxima add up to %d; they must add up to %d",
                        total, CRITERIA_TOTAL);
}

/* "parts[0].criteria[2].options" reads "A3.options" once the criterion's
 * id is known good, "parts[1].max" reads "B.max". */
static void name_field(const criteria_sheet *sheet, const char *field, char *out, size_t size)
{
    size_t p = 0, i = 0;
    int used = 0;
    const json_t *parts = json_object_get(sheet->document, "parts");
    if (sscanf(field, "parts[%zu].criteria[%zu]%n", &p, &i, &used) == 2 && used > 0) {
        const json_t *item =
            json_array_get(json_object_get(json_array_get(parts, p), "criteria"), i);
        const char *id = text(item, "id");
        if (p < CRITERIA_PARTS && id_ok(id, (char)('A' + p))) {
            snprintf(out, size, "%s%s", id, field + used);
            return;
        }
    }
    used = 0;
    if (sscanf(field, "parts[%zu]%n", &p, &used) == 1 && used > 0 && p < CRITERIA_PARTS) {
        const char *letter = text(json_array_get(parts, p), "part");
        if (letter && letter[0] == 'A' + (int)p && !letter[1]) {
            snprintf(out, size, "%s%s", letter, field + used);
            return;
        }
    }
    snprintf(out, size, "%s", field);
}

/* Hands the problems on, each naming the file it was found in. */
static void report(const criteria_sheet *sheet, const ocl_problems *found, const char *file,
                   ocl_problems *problems)
{
    for (size_t i = 0; i < found->count; i++) {
        char field[OCL_FIELD_MAX];
        name_field(sheet, found->item[i].field, field, sizeof(field));
        ocl_problem_add(problems, field, "%s (in '%s')", found->item[i].rule, file);
    }
    problems->dropped += found->dropped;
}

static void read_sheet(const json_t *root, const char *file_id, criteria_sheet *sheet,
                       ocl_problems *found)
{
    jr_read(root, "", sheet_rules, keep_nothing, NULL, found);
    if (found->count)
        return; /* the rules below read values whose shape they trust */
    no_empty_text(root, "", found);
    check_header(root, file_id, sheet, found);
    const json_t *parts = json_object_get(root, "parts");
    if (json_array_size(parts) != CRITERIA_PARTS) {
        ocl_problem_add(found, "parts", "must list parts A, B and C, found %zu parts",
                        json_array_size(parts));
        return;
    }
    for (size_t p = 0; p < CRITERIA_PARTS; p++)
        read_part(json_array_get(parts, p), p, &sheet->parts[p], found);
    check_ids(sheet, found);
    check_sums(sheet, found);
}

ocl_result criteria_load(const char *path, criteria_sheet *sheet, ocl_problems *problems)
{
    memset(sheet, 0, sizeof(*sheet));
    const char *slash = strrchr(path, '/');
    const char *file = slash ? slash + 1 : path;
    size_t len = strlen(file), suffix = strlen(CRITERIA_SUFFIX);
    if (len <= suffix || strcmp(file + len - suffix, CRITERIA_SUFFIX) != 0)
        return ocl_problem_add(problems, "sheet", "'%s' must be named NAME%s", file,
                               CRITERIA_SUFFIX);
    char file_id[256];
    snprintf(file_id, sizeof(file_id), "%.*s", (int)(len - suffix), file);
    sheet->document = jr_load(path, file, problems);
    if (!sheet->document)
        return OCL_EINVAL;
    ocl_problems found;
    ocl_problems_init(&found);
    read_sheet(sheet->document, file_id, sheet, &found);
    if (found.count == 0 && found.dropped == 0)
        return OCL_OK;
    report(sheet, &found, file, problems);
    criteria_free(sheet);
    return OCL_EINVAL;
}

void criteria_free(criteria_sheet *sheet)
{
    for (size_t p = 0; p < CRITERIA_PARTS; p++) {
        criteria_part *part = &sheet->parts[p];
        for (size_t i = 0; i < part->item_count; i++)
            free(part->items[i].options);
        free(part->items);
        free(part->sections);
    }
    json_decref(sheet->document);
    memset(sheet, 0, sizeof(*sheet));
}

int criteria_requirement(const criteria_item *item, int stars)
{
    int best = 0, points = -1;
    for (size_t i = 0; i < item->option_count; i++) {
        int level = item->options[i].minimum_for;
        if (level && level <= stars && level > best) {
            best = level;
            points = item->options[i].points;
        }
    }
    return points;
}

/* A sheet's id names a file in one folder: letters, digits and '-', so that
 * no id reaches outside it. */
static int id_valid(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len > 64)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return 1;
}

int criteria_dir(const char *configured, char *out, size_t size)
{
    if (configured && *configured)
        return snprintf(out, size, "%s", configured) < (int)size ? 0 : -1;
    char frame[4096];
    if (host_data_file("templates/criteria/frame" CRITERIA_SUFFIX, frame, sizeof(frame)) != 0)
        return -1;
    char *slash = strrchr(frame, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return snprintf(out, size, "%s", frame) < (int)size ? 0 : -1;
}

ocl_result criteria_open(const char *dir, const char *id, criteria_sheet *sheet,
                         ocl_problems *problems)
{
    if (!id_valid(id)) {
        ocl_problem_add(problems, "sheet", "must be a sheet's id: 1 to 64 of a-z, 0-9 and '-'");
        return OCL_EINVAL;
    }
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s" CRITERIA_SUFFIX, dir, id) >= (int)sizeof(path)) {
        ocl_problem_add(problems, "sheet", "the path of sheet '%s' is too long", id);
        return OCL_EINVAL;
    }
    if (access(path, R_OK) != 0) {
        ocl_problem_add(problems, "sheet", "no sheet '%s' in '%.200s'", id, dir);
        return OCL_EINVAL;
    }
    return criteria_load(path, sheet, problems);
}

int criteria_each(const char *dir, int (*visit)(void *ctx, const criteria_sheet *sheet), void *ctx)
{
    DIR *folder = opendir(dir);
    if (!folder)
        return -1;
    struct dirent *entry;
    int rc = 0;
    while (rc == 0 && (entry = readdir(folder))) {
        size_t len = strlen(entry->d_name), suffix = strlen(CRITERIA_SUFFIX);
        if (len <= suffix || strcmp(entry->d_name + len - suffix, CRITERIA_SUFFIX) != 0)
            continue;
        char id[80];
        if (len - suffix >= sizeof(id))
            continue;
        memcpy(id, entry->d_name, len - suffix);
        id[len - suffix] = '\0';
        criteria_sheet sheet;
        ocl_problems ignored;
        ocl_problems_init(&ignored);
        if (criteria_open(dir, id, &sheet, &ignored) != OCL_OK)
            continue; /* a broken sheet is not offered; loading it by name says why */
        rc = visit(ctx, &sheet);
        criteria_free(&sheet);
    }
    closedir(folder);
    return rc < 0 ? -1 : 0;
}
