/*
 * Tables of typed cells and their CSV and XLSX renderings (tables.h).
 * XLSX is written by libxlsxwriter.
 */
#include "tables.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define CSV_NUMBER_MAX 48

void table_init(table *t, const char *title, const table_column *columns, size_t column_count)
{
    memset(t, 0, sizeof(*t));
    t->title = title;
    t->columns = columns;
    t->column_count = column_count;
}

void table_free(table *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->cells[i].text);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

/* A new blank cell at the end, or NULL (and `failed`) when out of memory. */
static table_cell *next_cell(table *t)
{
    if (t->failed)
        return NULL;
    if (t->count == t->capacity) {
        size_t capacity = t->capacity ? t->capacity * 2 : 64;
        table_cell *grown = realloc(t->cells, capacity * sizeof(*grown));
        if (!grown) {
            t->failed = 1;
            return NULL;
        }
        t->cells = grown;
        t->capacity = capacity;
    }
    table_cell *cell = &t->cells[t->count++];
    memset(cell, 0, sizeof(*cell));
    return cell;
}

void table_add_text(table *t, const char *text)
{
    table_cell *cell = next_cell(t);
    if (!cell || !text)
        return;
    if (!(cell->text = strdup(text))) {
        t->failed = 1;
        return;
    }
    cell->kind = CELL_TEXT;
}

void table_add_integer(table *t, long long value)
{
    table_cell *cell = next_cell(t);
    if (cell) {
        cell->kind = CELL_INTEGER;
        cell->integer = value;
    }
}

void table_add_decimal(table *t, double value)
{
    table_cell *cell = next_cell(t);
    if (cell) {
        cell->kind = CELL_DECIMAL;
        cell->decimal = value;
    }
}

void table_add_null(table *t)
{
    next_cell(t);
}

/* The calendar day `text` names: 1, or 0 when it names none. A date-time
 * is a moment: the day it fell on in Vietnam is the one people saw. */
static int day_of(const char *text, int *year, int *month, int *day)
{
    struct tm tm = {0};
    char tail;
    if (strlen(text) == 10 &&
        sscanf(text, "%4d-%2d-%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tail) == 3) {
        *year = tm.tm_year;
        *month = tm.tm_mon;
        *day = tm.tm_mday;
        return *month >= 1 && *month <= 12 && *day >= 1 && *day <= ocl_days_in_month(*year, *month);
    }
    time_t at;
    if (clock_parse_offset(text, &at) != 0)
        return 0;
    at += 7 * 3600;
    if (!gmtime_r(&at, &tm))
        return 0;
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
    *day = tm.tm_mday;
    return 1;
}

void table_add_date(table *t, const char *text)
{
    int year, month, day;
    if (!text) {
        table_add_null(t);
        return;
    }
    if (!day_of(text, &year, &month, &day)) {
        table_add_text(t, text);
        return;
    }
    table_cell *cell = next_cell(t);
    if (cell) {
        cell->kind = CELL_DATE;
        cell->year = year;
        cell->month = month;
        cell->day = day;
    }
}

size_t table_rows(const table *t)
{
    return t->column_count ? t->count / t->column_count : 0;
}

/* ---------- CSV ---------- */

/* A spreadsheet reads a field that begins with one of these as a formula
 * (OWASP, "CSV Injection"): such text gets a leading apostrophe, which
 * shows it as text. Numbers are never touched: -5 stays a number. */
static int formula_like(const char *text)
{
    return text[0] && strchr("=+-@\t\r", text[0]) != NULL;
}

static int append(ocl_buffer *out, const char *text, size_t len)
{
    return ocl_buffer_append(out, text, len) == OCL_OK ? 0 : -1;
}

static int csv_text(ocl_buffer *out, const char *text)
{
    int quoted = strpbrk(text, ",\"\r\n") != NULL;
    int failed = 0;
    if (quoted)
        failed |= append(out, "\"", 1);
    if (formula_like(text))
        failed |= append(out, "'", 1);
    for (const char *p = text; *p; p++) {
        failed |= append(out, p, 1);
        if (*p == '"')
            failed |= append(out, "\"", 1);
    }
    if (quoted)
        failed |= append(out, "\"", 1);
    return failed ? -1 : 0;
}

static int csv_cell(ocl_buffer *out, const table_cell *cell)
{
    char number[CSV_NUMBER_MAX];
    switch (cell->kind) {
    case CELL_TEXT:
        return csv_text(out, cell->text);
    case CELL_INTEGER:
        snprintf(number, sizeof(number), "%lld", cell->integer);
        break;
    case CELL_DECIMAL:
        snprintf(number, sizeof(number), "%.2f", cell->decimal);
        break;
    case CELL_DATE:
        snprintf(number, sizeof(number), "%04d-%02d-%02d", cell->year, cell->month, cell->day);
        break;
    default:
        return 0;
    }
    return append(out, number, strlen(number));
}

int table_csv(const table *t, ocl_buffer *out)
{
    int failed = t->failed | append(out, "\xEF\xBB\xBF", 3);
    for (size_t c = 0; c < t->column_count; c++)
        failed |= (c ? append(out, ",", 1) : 0) | csv_text(out, t->columns[c].header);
    failed |= append(out, "\r\n", 2);
    for (size_t i = 0; i < table_rows(t) * t->column_count; i++) {
        size_t c = i % t->column_count;
        failed |= (c ? append(out, ",", 1) : 0) | csv_cell(out, &t->cells[i]);
        if (c == t->column_count - 1)
            failed |= append(out, "\r\n", 2);
    }
    return failed ? -1 : 0;
}

/* ---------- XLSX ---------- */

typedef struct {
    lxw_format *header, *date, *decimal;
} xlsx_formats;

/* Text is always written as a string cell, never as a formula: a
 * spreadsheet shows a string cell as it is and never evaluates it, even
 * one that begins with '=', so XLSX needs no apostrophe. */
static lxw_error xlsx_cell(lxw_worksheet *sheet, lxw_row_t row, lxw_col_t col,
                           const table_cell *cell, const xlsx_formats *f)
{
    lxw_datetime day = {.year = cell->year, .month = cell->month, .day = cell->day};
    switch (cell->kind) {
    case CELL_TEXT:
        return worksheet_write_string(sheet, row, col, cell->text, NULL);
    case CELL_INTEGER:
        return worksheet_write_number(sheet, row, col, (double)cell->integer, NULL);
    case CELL_DECIMAL:
        return worksheet_write_number(sheet, row, col, cell->decimal, f->decimal);
    case CELL_DATE:
        return worksheet_write_datetime(sheet, row, col, &day, f->date);
    default:
        return LXW_NO_ERROR;
    }
}

static lxw_error xlsx_sheet(lxw_workbook *book, const table *t, const xlsx_formats *f)
{
    lxw_worksheet *sheet = workbook_add_worksheet(book, t->title);
    if (!sheet)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error e = LXW_NO_ERROR;
    lxw_col_t columns = (lxw_col_t)t->column_count;
    for (lxw_col_t c = 0; c < columns && !e; c++) {
        e = worksheet_write_string(sheet, 0, c, t->columns[c].header, f->header);
        if (!e)
            e = worksheet_set_column(sheet, c, c, t->columns[c].width, NULL);
    }
    size_t rows = table_rows(t);
    for (size_t i = 0; i < rows * t->column_count && !e; i++)
        e = xlsx_cell(sheet, (lxw_row_t)(1 + i / t->column_count), (lxw_col_t)(i % t->column_count),
                      &t->cells[i], f);
    if (e)
        return e;
    worksheet_freeze_panes(sheet, 1, 0);
    return columns ? worksheet_autofilter(sheet, 0, 0, (lxw_row_t)rows, columns - 1) : LXW_NO_ERROR;
}

/* libxlsxwriter 1.1.4 (Debian 12) writes only to a named file: the
 * workbook goes to a private temporary file, read back and removed. */
static int read_back(const char *path, ocl_buffer *out, char error[TABLE_ERROR_MAX])
{
    FILE *f = fopen(path, "rb");
    int failed = !f;
    if (!failed) {
        char chunk[65536];
        size_t n;
        while (!failed && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            failed = append(out, chunk, n) != 0;
        failed |= ferror(f);
    }
    if (f)
        fclose(f);
    if (failed)
        snprintf(error, TABLE_ERROR_MAX, "cannot read the workbook back from '%s'", path);
    return failed ? -1 : 0;
}

static lxw_error xlsx_book(lxw_workbook *book, const table *const *tables, size_t count)
{
    xlsx_formats f = {workbook_add_format(book), workbook_add_format(book),
                      workbook_add_format(book)};
    if (!f.header || !f.date || !f.decimal)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    format_set_bold(f.header);
    format_set_num_format(f.date, "dd/mm/yyyy");
    format_set_num_format(f.decimal, "0.00");
    lxw_error e = LXW_NO_ERROR;
    for (size_t i = 0; i < count && !e; i++)
        e = tables[i]->failed ? LXW_ERROR_MEMORY_MALLOC_FAILED : xlsx_sheet(book, tables[i], &f);
    return e;
}

int table_xlsx(const table *const *tables, size_t count, ocl_buffer *out,
               char error[TABLE_ERROR_MAX])
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/ocoptrace-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(error, TABLE_ERROR_MAX, "cannot make a temporary file in '%s'",
                 dir && *dir ? dir : "/tmp");
        return -1;
    }
    close(fd);
    lxw_workbook_options options = {.tmpdir = dir && *dir ? (char *)dir : NULL};
    lxw_workbook *book = workbook_new_opt(path, &options);
    lxw_error e = book ? xlsx_book(book, tables, count) : LXW_ERROR_MEMORY_MALLOC_FAILED;
    /* Closing writes the file; it frees the workbook whatever happened. */
    lxw_error closed = book ? workbook_close(book) : LXW_NO_ERROR;
    int result = 0;
    if (e || closed) {
        snprintf(error, TABLE_ERROR_MAX, "cannot write the workbook: %s",
                 lxw_strerror(e ? e : closed));
        result = -1;
    } else
        result = read_back(path, out, error);
    unlink(path);
    return result;
}
