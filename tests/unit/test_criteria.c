/*
 * OCOP scoring sheets: every sheet shipped in templates/criteria loads and
 * agrees with the score bounds of labels/ocop.c; broken copies of a small
 * synthetic sheet are refused, each naming the file, the criterion and the
 * rule it breaks.
 */
#include "check.h"
#include "criteria.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHEETS "templates/criteria"

/* A complete sheet that adds up: A 20 + 20, B 25, C 15 + 20. Its texts are
 * placeholders, not criteria of the decision. */
static const char fixture[] =
    "{\"id\": \"fixture\", \"group\": \"food\", \"subgroup\": \"test\", \"title\": \"t\","
    " \"legal_basis\": \"b\", \"source\": \"s\", \"complete\": true, \"parts\": ["
    "{\"part\": \"A\", \"title\": \"pa\", \"max\": 40, \"sections\": [\"S1\", \"S2\"],"
    " \"criteria\": ["
    "  {\"id\": \"A1\", \"section\": \"S1\", \"text\": \"a1\", \"basis\": \"b\", \"options\": ["
    "   {\"text\": \"o0\", \"points\": 0}, {\"text\": \"o1\", \"points\": 10},"
    "   {\"text\": \"o2\", \"points\": 20}]},"
    "  {\"id\": \"A2\", \"section\": \"S2\", \"text\": \"a2\", \"basis\": \"b\", \"options\": ["
    "   {\"text\": \"o0\", \"points\": 5}, {\"text\": \"o1\", \"points\": 20}]}]},"
    "{\"part\": \"B\", \"title\": \"pb\", \"max\": 25, \"sections\": [\"S3\"], \"criteria\": ["
    "  {\"id\": \"B1\", \"section\": \"S3\", \"text\": \"b1\", \"basis\": \"b\", \"options\": ["
    "   {\"text\": \"o0\", \"points\": 0}, {\"text\": \"o1\", \"points\": 25}]}]},"
    "{\"part\": \"C\", \"title\": \"pc\", \"max\": 35, \"sections\": [\"S4\"], \"criteria\": ["
    "  {\"id\": \"C1\", \"section\": \"S4\", \"text\": \"c1\", \"basis\": \"b\", \"options\": ["
    "   {\"text\": \"o0\", \"points\": 0}, {\"text\": \"o1\", \"points\": 15}]},"
    "  {\"id\": \"C2\", \"section\": \"S4\", \"text\": \"c2\", \"basis\": \"b\", \"options\": ["
    "   {\"text\": \"o0\", \"points\": 0}, {\"text\": \"o1\", \"points\": 20}]}]}]}";

/* 601 bytes: one over a line's limit; 4001: one over a prose's. */
#define NOTES_10 "nnnnnnnnnn"
#define NOTES_100                                                                                  \
    NOTES_10 NOTES_10 NOTES_10 NOTES_10 NOTES_10 NOTES_10 NOTES_10 NOTES_10 NOTES_10 NOTES_10
#define NOTES_601 NOTES_100 NOTES_100 NOTES_100 NOTES_100 NOTES_100 NOTES_100 "n"
#define NOTES_1000                                                                                 \
    NOTES_100 NOTES_100 NOTES_100 NOTES_100 NOTES_100 NOTES_100 NOTES_100 NOTES_100 NOTES_100      \
        NOTES_100
#define NOTES_4001 NOTES_1000 NOTES_1000 NOTES_1000 NOTES_1000 "n"

typedef struct {
    const char *path;  /* dotted, numbers index arrays: "parts.0.max" */
    const char *value; /* JSON text; NULL removes the member */
} change;

static int set_member(json_t *container, const char *key, const char *value)
{
    json_t *v = NULL;
    if (value && !(v = json_loads(value, JSON_DECODE_ANY, NULL)))
        return -1;
    if (json_is_array(container)) {
        size_t i = strtoul(key, NULL, 10);
        return v ? json_array_set_new(container, i, v) : json_array_remove(container, i);
    }
    return v ? json_object_set_new(container, key, v) : json_object_del(container, key);
}

static int apply(json_t *root, const change *c)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", c->path);
    json_t *node = root;
    char *save = NULL;
    char *token = strtok_r(buf, ".", &save);
    for (char *next; token; token = next) {
        next = strtok_r(NULL, ".", &save);
        if (!next)
            return set_member(node, token, c->value);
        node = json_is_array(node) ? json_array_get(node, strtoul(token, NULL, 10))
                                   : json_object_get(node, token);
        if (!node)
            return -1;
    }
    return -1;
}

/* Writes `document` with `changes` applied to `path`; 0 or -1. */
static int write_copy(const char *document, const change *changes, size_t count, const char *path)
{
    json_t *root = json_loads(document, 0, NULL);
    int rc = root ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < count && changes[i].path; i++)
        rc = apply(root, &changes[i]);
    if (rc == 0)
        rc = json_dump_file(root, path, JSON_INDENT(2));
    json_decref(root);
    return rc;
}

static void describe(const ocl_problems *problems, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < problems->count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, " [%s: %s]", problems->item[i].field,
                                 problems->item[i].rule);
}

/* Whether some problem has this field and a rule containing `rule`. */
static int has_problem(const ocl_problems *problems, const char *field, const char *rule)
{
    for (size_t i = 0; i < problems->count; i++)
        if (strcmp(problems->item[i].field, field) == 0 && strstr(problems->item[i].rule, rule))
            return 1;
    return 0;
}

static int all_name_file(const ocl_problems *problems, const char *file)
{
    char in[64];
    snprintf(in, sizeof(in), "(in '%s')", file);
    for (size_t i = 0; i < problems->count; i++)
        if (!strstr(problems->item[i].rule, in))
            return 0;
    return problems->count > 0;
}

static void test_fixture_loads(const char *dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/fixture.criteria", dir);
    CHECK(write_copy(fixture, NULL, 0, path) == 0, "the fixture is written");
    criteria_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    char got[1024];
    ocl_result rc = criteria_load(path, &sheet, &problems);
    describe(&problems, got, sizeof(got));
    CHECK(rc == OCL_OK, "the fixture loads:%s", got);
    if (rc != OCL_OK)
        return;
    CHECK(sheet.complete == 1 && sheet.missing == NULL && sheet.notes == NULL,
          "the fixture is complete, without notes");
    CHECK(sheet.parts[0].item_count == 2 && sheet.parts[0].items[0].max == 20 &&
              sheet.parts[0].items[1].max == 20 && sheet.parts[0].criteria_max == 40,
          "part A: two criteria of 20 points");
    CHECK(sheet.parts[2].letter == 'C' && sheet.parts[2].max == 35 &&
              sheet.parts[2].items[1].option_count == 2 &&
              sheet.parts[2].items[1].options[1].points == 20,
          "part C's second criterion: its best option gives 20");
    CHECK_STR(sheet.parts[1].items[0].id, "B1", "part B's criterion");
    CHECK_STR(sheet.parts[0].sections[1], "S2", "part A's second section");
    criteria_free(&sheet);

    /* A partial transcription loads, marked incomplete. */
    static const change partial[] = {
        {"complete", "false"}, {"missing", "\"C2\""}, {"parts.2.criteria.1", NULL}};
    CHECK(write_copy(fixture, partial, ARRAY_SIZE(partial), path) == 0, "a partial copy");
    ocl_problems_init(&problems);
    rc = criteria_load(path, &sheet, &problems);
    describe(&problems, got, sizeof(got));
    CHECK(rc == OCL_OK && sheet.complete == 0 && sheet.parts[2].criteria_max == 15,
          "an incomplete sheet loads with what it has:%s", got);
    if (rc == OCL_OK)
        CHECK_STR(sheet.missing, "C2", "it says what it lacks");
    criteria_free(&sheet);
    unlink(path);
}

/* The source's star markers: a 3-star minimum holds for 4 stars until a
 * 5-star one takes over; a criterion without markers needs nothing. */
static void test_minimums(const char *dir)
{
    static const change marked[] = {{"parts.0.criteria.0.options.1.minimum_for", "3"},
                                    {"parts.0.criteria.0.options.2.minimum_for", "5"},
                                    {"notes", "\"A1: dấu sao in lại theo bản gốc\""}};
    static const struct {
        int stars, a1, a2;
    } want[] = {{2, -1, -1}, {3, 10, -1}, {4, 10, -1}, {5, 20, -1}};
    char path[256], got[1024];
    snprintf(path, sizeof(path), "%s/fixture.criteria", dir);
    CHECK(write_copy(fixture, marked, ARRAY_SIZE(marked), path) == 0, "a marked copy");
    criteria_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_result rc = criteria_load(path, &sheet, &problems);
    describe(&problems, got, sizeof(got));
    CHECK(rc == OCL_OK, "a sheet with minimums and notes loads:%s", got);
    if (rc != OCL_OK)
        return;
    const criteria_item *a1 = &sheet.parts[0].items[0], *a2 = &sheet.parts[0].items[1];
    CHECK(a1->options[0].minimum_for == 0 && a1->options[1].minimum_for == 3 &&
              a1->options[2].minimum_for == 5,
          "A1's options: no minimum, the minimum for 3 stars, for 5 stars");
    CHECK_STR(sheet.notes, "A1: dấu sao in lại theo bản gốc", "the sheet's notes");
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        CHECK(criteria_requirement(a1, want[i].stars) == want[i].a1,
              "A1 needs %d points for %d stars, found %d", want[i].a1, want[i].stars,
              criteria_requirement(a1, want[i].stars));
        CHECK(criteria_requirement(a2, want[i].stars) == want[i].a2,
              "A2 needs nothing for %d stars", want[i].stars);
    }
    criteria_free(&sheet);
    unlink(path);
}

static void test_broken_copies(const char *dir)
{
    static const struct {
        const char *name;
        change changes[3];
        const char *field, *rule;
    } cases[] = {
        {"wrong sum",
         {{"parts.0.criteria.0.options.2.points", "19"}},
         "A.criteria",
         "the best options add up to 39 points; part A's maximum is 40"},
        {"wrong sum in part C",
         {{"parts.2.criteria.1.options.1.points", "21"}},
         "C.criteria",
         "add up to 36 points; part C's maximum is 35"},
        {"parts not adding up to 100",
         {{"parts.2.max", "36"}, {"parts.2.criteria.1.options.1.points", "21"}},
         "parts",
         "the parts' maxima add up to 101; they must add up to 100"},
        {"missing basis", {{"parts.1.criteria.0.basis", NULL}}, "B1.basis", "required"},
        {"missing legal basis", {{"legal_basis", NULL}}, "legal_basis", "required"},
        {"missing points",
         {{"parts.0.criteria.1.options.1.points", NULL}},
         "A2.options[1].points",
         "required"},
        {"duplicate id",
         {{"parts.2.criteria.1.id", "\"C1\""}},
         "C1.id",
         "'C1' is already the id of another criterion"},
        {"duplicate id across parts",
         {{"parts.1.criteria.0.id", "\"A1\""}},
         "B.criteria[0].id",
         "'A1' is already the id of another criterion"},
        {"negative points",
         {{"parts.0.criteria.1.options.0.points", "-5"}},
         "A2.options[0].points",
         "must be a non-negative integer, found -5"},
        {"points not whole",
         {{"parts.0.criteria.1.options.0.points", "5.5"}},
         "A2.options[0].points",
         "must be an integer, found a number"},
        {"points over 100",
         {{"parts.1.criteria.0.options.0.points", "101"}},
         "B1.options[0].points",
         "must be at most 100, found 101"},
        {"parts out of order",
         {{"parts.0.part", "\"B\""}},
         "parts[0].part",
         "must be 'A' (parts in the order A, B, C), found 'B'"},
        {"two parts", {{"parts.2", NULL}}, "parts", "must list parts A, B and C, found 2 parts"},
        {"part maximum zero", {{"parts.1.max", "0"}}, "B.max", "must be 1 to 100, found 0"},
        {"unknown key", {{"stars", "5"}}, "stars", "unknown key"},
        {"unknown group", {{"group", "\"drinks\""}}, "group", "found 'drinks'"},
        {"id not the file's name",
         {{"id", "\"other\""}},
         "id",
         "must be the file's name without '.criteria' ('fixture'), found 'other'"},
        {"criterion id of another part",
         {{"parts.1.criteria.0.id", "\"A9\""}},
         "B.criteria[0].id",
         "must be the part's letter and a number (e.g. 'B1'), found 'A9'"},
        {"section not listed",
         {{"parts.0.criteria.0.section", "\"S9\""}},
         "A1.section",
         "'S9' is not one of part A's sections"},
        {"section listed twice",
         {{"parts.0.sections.1", "\"S1\""}},
         "A.sections",
         "'S1' is listed twice"},
        {"empty text", {{"parts.0.criteria.0.text", "\"\""}}, "A1.text", "must not be empty"},
        {"no options",
         {{"parts.1.criteria.0.options", "[]"}},
         "B1.options",
         "must list at least one option"},
        {"control character",
         {{"parts.0.title", "\"a\\u0001b\""}},
         "A.title",
         "control character at byte 2"},
        {"complete yet missing something",
         {{"missing", "\"x\""}},
         "missing",
         "must be absent when the sheet is complete"},
        {"incomplete without saying what",
         {{"complete", "false"}},
         "missing",
         "required when the sheet is incomplete"},
        {"incomplete over its maximum",
         {{"complete", "false"},
          {"missing", "\"x\""},
          {"parts.0.criteria.0.options.2.points", "21"}},
         "A.criteria",
         "the best options add up to 41 points, more than part A's maximum of 40"},
        {"complete not a boolean",
         {{"complete", "\"yes\""}},
         "complete",
         "must be a boolean, found a string"},
        {"minimum for 2 stars",
         {{"parts.0.criteria.0.options.1.minimum_for", "2"}},
         "A1.options[1].minimum_for",
         "must be 3, 4 or 5 (the stars this option is the least for), found 2"},
        {"minimum for 6 stars",
         {{"parts.1.criteria.0.options.1.minimum_for", "6"}},
         "B1.options[1].minimum_for",
         "must be 3, 4 or 5 (the stars this option is the least for), found 6"},
        {"minimum not a number",
         {{"parts.0.criteria.0.options.1.minimum_for", "\"****\""}},
         "A1.options[1].minimum_for",
         "must be an integer, found a string"},
        {"two minimums for the same stars",
         {{"parts.0.criteria.0.options.1.minimum_for", "4"},
          {"parts.0.criteria.0.options.2.minimum_for", "4"}},
         "A1.options[2].minimum_for",
         "option 1 is already the minimum for 4 stars"},
        {"more stars on fewer points",
         {{"parts.0.criteria.0.options.1.minimum_for", "4"},
          {"parts.0.criteria.0.options.2.minimum_for", "3"}},
         "A1.options[2].minimum_for",
         "the minimum for 3 stars (20 points) and the minimum for 4 stars (10 points, option 1): "
         "more stars may not ask for fewer points"},
        {"notes not a text", {{"notes", "[\"x\"]"}}, "notes", "must be a string, found an array"},
        {"notes empty", {{"notes", "\"\""}}, "notes", "must not be empty"},
        {"a title over 600 bytes",
         {{"title", "\"" NOTES_601 "\""}},
         "title",
         "must be at most 600 bytes, found 601"},
        {"notes over 4000 bytes",
         {{"notes", "\"" NOTES_4001 "\""}},
         "notes",
         "must be at most 4000 bytes, found 4001"},
    };
    char path[256];
    snprintf(path, sizeof(path), "%s/fixture.criteria", dir);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (write_copy(fixture, cases[i].changes, ARRAY_SIZE(cases[i].changes), path) != 0) {
            CHECK(0, "%s: the broken copy could not be written", cases[i].name);
            continue;
        }
        criteria_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc = criteria_load(path, &sheet, &problems);
        char got[1024];
        describe(&problems, got, sizeof(got));
        CHECK(rc == OCL_EINVAL && sheet.document == NULL, "%s: refused, nothing kept",
              cases[i].name);
        CHECK(has_problem(&problems, cases[i].field, cases[i].rule), "%s: '%s: %s' among%s",
              cases[i].name, cases[i].field, cases[i].rule, got);
        CHECK(all_name_file(&problems, "fixture.criteria"), "%s: each problem names the file%s",
              cases[i].name, got);
        criteria_free(&sheet);
    }
    unlink(path);
}

/* Failures before the content is read: the file's name, its presence, its syntax. */
static void test_unreadable(const char *dir)
{
    char path[256];
    static const struct {
        const char *file, *content, *field, *rule;
    } cases[] = {
        {"fixture.json", "{}", "sheet", "'fixture.json' must be named NAME.criteria"},
        {"absent.criteria", NULL, "absent.criteria", "cannot read"},
        {"fixture.criteria", "{\"id\": ", "fixture.criteria", "line 1"},
        {"fixture.criteria", "[1, 2]", "fixture.criteria", "must be a JSON object"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
        if (cases[i].content) {
            FILE *f = fopen(path, "w");
            CHECK(f && fputs(cases[i].content, f) >= 0, "%s written", cases[i].file);
            if (f)
                fclose(f);
        }
        criteria_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc = criteria_load(path, &sheet, &problems);
        char got[512];
        describe(&problems, got, sizeof(got));
        CHECK(rc == OCL_EINVAL && has_problem(&problems, cases[i].field, cases[i].rule),
              "%s: '%s: %s' among%s", cases[i].file, cases[i].field, cases[i].rule, got);
        criteria_free(&sheet);
        unlink(path);
    }
}

/* A shipped sheet's parts must fit the bounds that scores are checked with. */
static void check_bounds(const criteria_sheet *sheet)
{
    int max[3] = {sheet->parts[0].max, sheet->parts[1].max, sheet->parts[2].max};
    ocl_problems problems;
    ocl_problems_init(&problems);
    CHECK(ocl_ocop_scores_check(max, &problems) == OCL_OK,
          "%s: full marks %d, %d, %d are accepted scores", sheet->id, max[0], max[1], max[2]);
    for (int p = 0; p < 3; p++) {
        int over[3] = {max[0], max[1], max[2]};
        over[p]++;
        ocl_problems_init(&problems);
        CHECK(ocl_ocop_scores_check(over, &problems) == OCL_EINVAL,
              "%s: one point over part %c's maximum is refused", sheet->id, 'A' + p);
    }
}

/* Loads a shipped sheet; 1 when it is the frame, 0 when another, -1 when refused. */
static int load_shipped(const char *path, const char *name)
{
    criteria_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_result rc = criteria_load(path, &sheet, &problems);
    char got[1024];
    describe(&problems, got, sizeof(got));
    CHECK(rc == OCL_OK, "%s loads:%s", name, got);
    if (rc != OCL_OK)
        return -1;
    check_bounds(&sheet);
    int frame = strcmp(sheet.id, "frame") == 0;
    if (frame)
        CHECK(!sheet.complete && sheet.parts[0].max == 40 && sheet.parts[1].max == 25 &&
                  sheet.parts[2].max == 35,
              "the frame: incomplete, parts of 40, 25 and 35 points");
    criteria_free(&sheet);
    return frame;
}

/* Broken copies of a shipped sheet: without its source, then with part A
 * one point larger (the shape is checked first, so the sum only then). */
static void break_shipped(const char *path, const char *dir, const char *name)
{
    static const change broken[] = {{"parts.0.max", "41"}, {"source", NULL}};
    static const struct {
        size_t changes;
        const char *field, *rule;
    } cases[] = {{2, "source", "required"}, {1, "parts", "add up to 101"}};
    json_t *document = json_load_file(path, 0, NULL);
    char *text = json_dumps(document, 0);
    json_decref(document);
    CHECK(text != NULL, "%s read again", name);
    if (!text)
        return;
    char copy[512], got[1024];
    snprintf(copy, sizeof(copy), "%s/%s", dir, name);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        CHECK(write_copy(text, broken, cases[i].changes, copy) == 0, "%s copied", name);
        criteria_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc = criteria_load(copy, &sheet, &problems);
        describe(&problems, got, sizeof(got));
        CHECK(rc == OCL_EINVAL && has_problem(&problems, cases[i].field, cases[i].rule),
              "%s broken: '%s: %s' among%s", name, cases[i].field, cases[i].rule, got);
        criteria_free(&sheet);
        unlink(copy);
    }
    free(text);
}

static void test_shipped_sheets(const char *dir)
{
    DIR *folder = opendir(SHEETS);
    CHECK(folder != NULL, "%s can be listed", SHEETS);
    if (!folder)
        return;
    size_t count = 0, frames = 0;
    struct dirent *entry;
    while ((entry = readdir(folder))) {
        size_t len = strlen(entry->d_name);
        if (len <= 9 || strcmp(entry->d_name + len - 9, ".criteria") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", SHEETS, entry->d_name);
        int loaded = load_shipped(path, entry->d_name);
        count += loaded >= 0;
        frames += loaded == 1;
        break_shipped(path, dir, entry->d_name);
    }
    closedir(folder);
    CHECK(count >= 1 && frames == 1, "%zu sheets shipped, the frame among them", count);
}

/* The sheet the dossier tests score on loads, complete, 100 points. */
static void test_tests_sheet(void)
{
    criteria_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    int ok = criteria_load("tests/criteria/fixture-food.criteria", &sheet, &problems) == OCL_OK;
    CHECK(ok, "tests/criteria/fixture-food.criteria loads (%s)",
          problems.count ? problems.item[0].rule : "");
    if (!ok)
        return;
    CHECK(sheet.complete && sheet.parts[0].criteria_max + sheet.parts[1].criteria_max +
                                    sheet.parts[2].criteria_max ==
                                CRITERIA_TOTAL,
          "the tests' sheet is complete and adds up to %d", CRITERIA_TOTAL);
    criteria_free(&sheet);
}

/* Set 1 of Decision 26/2026 (Rau, củ, quả, hạt tươi): its criteria per part
 * as the decision numbers them (A 1.1-1.7, 2.1-2.4, 3.1-3.5; B 4.1-4.3,
 * 5.1-5.3; C 6.1-6.4, 7-12), complete, filling each part. */
static void test_fresh_produce(void)
{
    static const struct {
        size_t criteria, sections;
        int max;
        const char *first, *last;
    } want[CRITERIA_PARTS] = {
        {16, 3, 40, "A1.1", "A3.5"},
        {6, 2, 25, "B4.1", "B5.3"},
        {10, 7, 35, "C6.1", "C12"},
    };
    criteria_sheet sheet;
    ocl_problems problems;
    ocl_problems_init(&problems);
    char got[1024];
    ocl_result rc = criteria_load(SHEETS "/fresh-produce.criteria", &sheet, &problems);
    describe(&problems, got, sizeof(got));
    CHECK(rc == OCL_OK, "fresh-produce.criteria loads:%s", got);
    if (rc != OCL_OK)
        return;
    CHECK(sheet.complete && !sheet.missing && strstr(sheet.legal_basis, "26/2026/QĐ-TTg"),
          "fresh-produce is complete, from Decision 26/2026/QĐ-TTg");
    for (size_t p = 0; p < CRITERIA_PARTS; p++) {
        const criteria_part *part = &sheet.parts[p];
        CHECK(part->item_count == want[p].criteria && part->section_count == want[p].sections,
              "fresh-produce part %c: %zu criteria in %zu sections, found %zu in %zu", part->letter,
              want[p].criteria, want[p].sections, part->item_count, part->section_count);
        CHECK(part->max == want[p].max && part->criteria_max == want[p].max,
              "fresh-produce part %c: criteria add up to %d of %d, want %d", part->letter,
              part->criteria_max, part->max, want[p].max);
        if (part->item_count == want[p].criteria) {
            CHECK_STR(part->items[0].id, want[p].first, "fresh-produce part %c's first criterion",
                      part->letter);
            CHECK_STR(part->items[part->item_count - 1].id, want[p].last,
                      "fresh-produce part %c's last criterion", part->letter);
        }
    }
    criteria_free(&sheet);
}

/* The 26 sets of Decision 26/2026, Phụ lục II, in its order; each loads, a
 * complete one fills 40, 25 and 35 points, an incomplete one says what it
 * lacks and names the criterion. */
static void test_decision_sets(void)
{
    static const char *const sets[] = {
        "fresh-produce",
        "fresh-meat-seafood",
        "rice-grains",
        "honey-other-produce",
        "fast-food",
        "processed-grains",
        "processed-vegetables",
        "processed-meat-seafood",
        "sauces-fish-sauce",
        "other-spices",
        "tea",
        "herbal-tea",
        "coffee-cocoa",
        "rice-spirits",
        "other-alcohol",
        "bottled-water",
        "other-soft-drinks",
        "functional-herbal-medicine",
        "herbal-cosmetics",
        "essential-oils-herbs",
        "handicrafts",
        "textiles",
        "flowers",
        "ornamental-plants",
        "ornamental-animals",
        "community-tourism",
    };
    static const int parts_max[CRITERIA_PARTS] = {40, 25, 35};
    CHECK(ARRAY_SIZE(sets) == 26, "26 sets listed");
    for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
        for (size_t k = 0; k < i; k++)
            CHECK(strcmp(sets[k], sets[i]) != 0, "set %zu's id '%s' is unique", i + 1, sets[i]);
        char path[256], got[1024], basis[64];
        snprintf(path, sizeof(path), SHEETS "/%s.criteria", sets[i]);
        criteria_sheet sheet;
        ocl_problems problems;
        ocl_problems_init(&problems);
        ocl_result rc = criteria_load(path, &sheet, &problems);
        describe(&problems, got, sizeof(got));
        CHECK(rc == OCL_OK, "%s loads:%s", sets[i], got);
        if (rc != OCL_OK)
            continue;
        snprintf(basis, sizeof(basis), "Bộ sản phẩm số %zu:", i + 1);
        CHECK(strstr(sheet.legal_basis, "26/2026/QĐ-TTg") && strstr(sheet.legal_basis, basis),
              "%s is set %zu of Decision 26/2026/QĐ-TTg", sets[i], i + 1);
        for (size_t p = 0; p < CRITERIA_PARTS; p++) {
            const criteria_part *part = &sheet.parts[p];
            CHECK(part->max == parts_max[p] && part->item_count > 0,
                  "%s part %c: maximum %d with criteria, found %d", sets[i], part->letter,
                  parts_max[p], part->max);
            if (sheet.complete)
                CHECK(part->criteria_max == parts_max[p], "%s part %c: criteria add up to %d",
                      sets[i], part->letter, parts_max[p]);
        }
        if (!sheet.complete)
            CHECK(
                sheet.missing && strlen(sheet.missing) > 20 &&
                    (sheet.missing[0] == 'A' || sheet.missing[0] == 'B' || sheet.missing[0] == 'C'),
                "%s is incomplete and names the criterion it lacks: '%s'", sets[i],
                sheet.missing ? sheet.missing : "");
        criteria_free(&sheet);
    }
}

void test_criteria(void)
{
    test_tests_sheet();
    test_fresh_produce();
    test_decision_sets();
    char dir[] = "/tmp/criteria-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "a temporary folder");
    test_fixture_loads(dir);
    test_minimums(dir);
    test_broken_copies(dir);
    test_unreadable(dir);
    test_shipped_sheets(dir);
    rmdir(dir);
}
