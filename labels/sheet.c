/*
 * Sheet formats: read from small "key = value" files in templates/sheets/,
 * so that a new label stock is a new file and not new code.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_TEXT, KEY_MM, KEY_COUNT };

static const struct {
    const char *key;
    int type;
    size_t offset;
} sheet_keys[] = {
    {"name", KEY_TEXT, offsetof(ocl_sheet, name)},
    {"paper", KEY_TEXT, offsetof(ocl_sheet, paper)},
    {"page_width_mm", KEY_MM, offsetof(ocl_sheet, page_width)},
    {"page_height_mm", KEY_MM, offsetof(ocl_sheet, page_height)},
    {"label_width_mm", KEY_MM, offsetof(ocl_sheet, label_width)},
    {"label_height_mm", KEY_MM, offsetof(ocl_sheet, label_height)},
    {"left_mm", KEY_MM, offsetof(ocl_sheet, left)},
    {"top_mm", KEY_MM, offsetof(ocl_sheet, top)},
    {"pitch_x_mm", KEY_MM, offsetof(ocl_sheet, pitch_x)},
    {"pitch_y_mm", KEY_MM, offsetof(ocl_sheet, pitch_y)},
    {"columns", KEY_COUNT, offsetof(ocl_sheet, columns)},
    {"rows", KEY_COUNT, offsetof(ocl_sheet, rows)},
};
#define SHEET_KEYS (sizeof(sheet_keys) / sizeof(sheet_keys[0]))

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static void set_value(ocl_sheet *sheet, size_t k, const char *value, const char *field,
                      ocl_problems *problems)
{
    char *where = (char *)sheet + sheet_keys[k].offset;
    char *end = NULL;
    errno = 0;
    if (sheet_keys[k].type == KEY_TEXT) {
        size_t size = sheet_keys[k].offset == offsetof(ocl_sheet, name) ? OCL_SHEET_NAME_MAX : 16;
        if (!*value || strlen(value) >= size)
            ocl_problem_add(problems, field, "must be 1 to %zu characters", size - 1);
        else
            memcpy(where, value, strlen(value) + 1);
    } else if (sheet_keys[k].type == KEY_MM) {
        double v = strtod(value, &end);
        if (!*value || *end || errno || v < 0 || v > 2000)
            ocl_problem_add(problems, field, "must be a length in mm from 0 to 2000");
        else
            *(double *)where = v;
    } else {
        long v = strtol(value, &end, 10);
        if (!*value || *end || errno || v < 1 || v > 100)
            ocl_problem_add(problems, field, "must be a whole number from 1 to 100");
        else
            *(int *)where = (int)v;
    }
}

/* Labels within the page and not overlapping one another. */
static void check_geometry(const ocl_sheet *s, const char *field, ocl_problems *problems)
{
    const double tolerance = 0.01;
    if (s->label_width <= 0 || s->label_height <= 0)
        ocl_problem_add(problems, field, "labels must have a size");
    if (s->columns > 1 && s->pitch_x + tolerance < s->label_width)
        ocl_problem_add(problems, field, "labels overlap: pitch_x_mm is less than label_width_mm");
    if (s->rows > 1 && s->pitch_y + tolerance < s->label_height)
        ocl_problem_add(problems, field, "labels overlap: pitch_y_mm is less than label_height_mm");
    double right = s->left + (s->columns - 1) * s->pitch_x + s->label_width;
    double bottom = s->top + (s->rows - 1) * s->pitch_y + s->label_height;
    if (right > s->page_width + tolerance || bottom > s->page_height + tolerance)
        ocl_problem_add(problems, field,
                        "labels reach past the page (%.1f x %.1f mm on %.1f x %.1f)", right, bottom,
                        s->page_width, s->page_height);
}

ocl_result ocl_sheet_load(const char *path, ocl_sheet *sheet, ocl_problems *problems)
{
    memset(sheet, 0, sizeof(*sheet));
    FILE *file = fopen(path, "r");
    if (!file)
        return OCL_EIO;
    size_t before = problems->count + problems->dropped;
    int seen[SHEET_KEYS] = {0};
    char line[512];
    int number = 0;
    while (fgets(line, sizeof(line), file)) {
        number++;
        char *text = trim(line);
        char field[OCL_FIELD_MAX];
        snprintf(field, sizeof(field), "sheet line %d", number);
        if (*text == '#') {
            if (!sheet->description[0])
                snprintf(sheet->description, sizeof(sheet->description), "%s", trim(text + 1));
            continue;
        }
        if (!*text)
            continue;
        char *eq = strchr(text, '=');
        if (!eq) {
            ocl_problem_add(problems, field, "expected 'key = value'");
            continue;
        }
        *eq = '\0';
        char *key = trim(text), *value = trim(eq + 1);
        size_t k = 0;
        while (k < SHEET_KEYS && strcmp(sheet_keys[k].key, key) != 0)
            k++;
        if (k == SHEET_KEYS) {
            ocl_problem_add(problems, field, "unknown key '%s'", key);
            continue;
        }
        seen[k] = 1;
        set_value(sheet, k, value, field, problems);
    }
    fclose(file);
    for (size_t k = 0; k < SHEET_KEYS; k++)
        if (!seen[k])
            ocl_problem_add(problems, "sheet", "'%s' is missing", sheet_keys[k].key);
    if (problems->count + problems->dropped == before)
        check_geometry(sheet, "sheet", problems);
    return problems->count + problems->dropped == before ? OCL_OK : OCL_EINVAL;
}
