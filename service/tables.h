/*
 * A table of typed cells (text, whole numbers, decimals, dates, blanks)
 * under a header row, and its two renderings: CSV for any program and
 * XLSX for spreadsheets. The rows are built once and both writers read
 * the same cells, so a number stays a number and a date a date in either.
 */
#ifndef OCOPTRACE_TABLES_H
#define OCOPTRACE_TABLES_H

#include "ocoplabels.h"

#include <stddef.h>

#define TABLE_ERROR_MAX 256

typedef enum { CELL_NULL, CELL_TEXT, CELL_INTEGER, CELL_DECIMAL, CELL_DATE } table_cell_kind;

typedef struct {
    table_cell_kind kind;
    char *text; /* CELL_TEXT, malloc'd */
    long long integer;
    double decimal;       /* written with two decimals */
    int year, month, day; /* CELL_DATE */
} table_cell;

typedef struct {
    const char *header; /* in Vietnamese, as the province's reports word it */
    double width;       /* in characters, for XLSX */
} table_column;

typedef struct {
    const char *title; /* the XLSX sheet's name: at most 31 characters */
    const table_column *columns;
    size_t column_count;
    table_cell *cells; /* row after row */
    size_t count, capacity;
    int failed; /* out of memory while adding: the table is incomplete */
} table;

void table_init(table *t, const char *title, const table_column *columns, size_t column_count);
void table_free(table *t);
/* The cells of a row are added left to right; a row is done when the
 * columns are filled. A failure to grow sets `failed`. */
void table_add_text(table *t, const char *text); /* NULL adds a blank */
void table_add_integer(table *t, long long value);
void table_add_decimal(table *t, double value);
void table_add_null(table *t);
/* "YYYY-MM-DD", or an ISO 8601 date-time ("...Z" or with an offset),
 * whose day is taken in Vietnam's time. Anything else is kept as text, so
 * that nothing is lost; NULL adds a blank. */
void table_add_date(table *t, const char *text);
size_t table_rows(const table *t);

/* RFC 4180 with a UTF-8 byte order mark, CRLF line ends and the header
 * row first. 0, or -1 when out of memory. */
int table_csv(const table *t, ocl_buffer *out);
/* One workbook with a sheet per table into `out`: 0, or -1 with error. */
int table_xlsx(const table *const *tables, size_t count, ocl_buffer *out,
               char error[TABLE_ERROR_MAX]);

#endif
