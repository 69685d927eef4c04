/*
 * Tables of typed cells as CSV (service/tables.c): each kind of cell as a
 * one-column table, table-driven (RFC 4180 quoting, the apostrophe before
 * formula-like text and only there, numbers and dates plain, the days of
 * date-times in Vietnam's time, what is not a date kept as text).
 */
#include "../../service/tables.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

static const table_column one_column[] = {{"Cột", 10}};
#define BOM_HEADER                                                                                 \
    "\xEF\xBB\xBF"                                                                                 \
    "Cột\r\n"

/* The CSV of a one-column table whose one row `add` fills, without the
 * byte order mark, header and final CRLF; "" when it is not that shape. */
static void csv_of(void (*add)(table *t, const void *value), const void *value, char *out,
                   size_t size)
{
    table t;
    ocl_buffer csv = {0};
    table_init(&t, "Bảng", one_column, 1);
    add(&t, value);
    out[0] = '\0';
    size_t head = strlen(BOM_HEADER);
    if (table_csv(&t, &csv) == 0 && csv.len >= head + 2 &&
        memcmp(csv.data, BOM_HEADER, head) == 0 && memcmp(csv.data + csv.len - 2, "\r\n", 2) == 0 &&
        csv.len - head - 2 < size) {
        memcpy(out, csv.data + head, csv.len - head - 2);
        out[csv.len - head - 2] = '\0';
    }
    ocl_buffer_free(&csv);
    table_free(&t);
}

static void add_text(table *t, const void *value)
{
    table_add_text(t, value);
}

static void add_date(table *t, const void *value)
{
    table_add_date(t, value);
}

static void add_integer(table *t, const void *value)
{
    table_add_integer(t, *(const long long *)value);
}

static void add_decimal(table *t, const void *value)
{
    table_add_decimal(t, *(const double *)value);
}

static void test_text_cells(void)
{
    static const struct {
        const char *text, *csv;
    } cases[] = {
        {"Nước mắm", "Nước mắm"},
        {"", ""},
        {"La Gi, Bình Thuận", "\"La Gi, Bình Thuận\""},
        {"Hộ \"Bà Tư\"", "\"Hộ \"\"Bà Tư\"\"\""},
        {"dòng một\ndòng hai", "\"dòng một\ndòng hai\""},
        {"a\r\nb", "\"a\r\nb\""},
        {"=1+2", "'=1+2"},
        {"=HYPERLINK(\"http://x.example\",\"x\")",
         "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"x\"\")\""},
        {"+84 252", "'+84 252"},
        {"-5", "'-5"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tTab", "'\tTab"},
        {"\rCR", "\"'\rCR\""},
        {"1=1", "1=1"},
        {" =1", " =1"},
        {"'quoted'", "'quoted'"},
    };
    char got[256];
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        csv_of(add_text, cases[i].text, got, sizeof(got));
        CHECK_STR(got, cases[i].csv, "text case %zu", i);
    }
    csv_of(add_text, NULL, got, sizeof(got));
    CHECK_STR(got, "", "no text: a blank field");
}

static void test_number_cells(void)
{
    static const long long integers[] = {0, 5, -5, 9007199254740993LL};
    static const char *const integer_csv[] = {"0", "5", "-5", "9007199254740993"};
    static const double decimals[] = {90.33, 45, -1.5};
    static const char *const decimal_csv[] = {"90.33", "45.00", "-1.50"};
    char got[64];
    for (size_t i = 0; i < ARRAY_SIZE(integers); i++) {
        csv_of(add_integer, &integers[i], got, sizeof(got));
        CHECK_STR(got, integer_csv[i], "integer %lld: plain, never an apostrophe", integers[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(decimals); i++) {
        csv_of(add_decimal, &decimals[i], got, sizeof(got));
        CHECK_STR(got, decimal_csv[i], "decimal %g", decimals[i]);
    }
}

static void test_date_cells(void)
{
    static const struct {
        const char *text, *csv;
        table_cell_kind kind;
    } cases[] = {
        {"2025-03-01", "2025-03-01", CELL_DATE},
        {"2024-02-29", "2024-02-29", CELL_DATE},
        {"2025-03-01T16:59:59Z", "2025-03-01", CELL_DATE},
        {"2025-03-01T17:00:00Z", "2025-03-02", CELL_DATE},
        {"2025-03-01T23:30:00+07:00", "2025-03-01", CELL_DATE},
        {"2025-12-31T20:00:00Z", "2026-01-01", CELL_DATE},
        {"2025-02-29", "2025-02-29", CELL_TEXT},
        {"2025-13-01", "2025-13-01", CELL_TEXT},
        {"01/03/2025", "01/03/2025", CELL_TEXT},
        {"-2025-03-01", "'-2025-03-01", CELL_TEXT},
        {"", "", CELL_TEXT},
    };
    char got[64];
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        csv_of(add_date, cases[i].text, got, sizeof(got));
        CHECK_STR(got, cases[i].csv, "date '%s'", cases[i].text);
        table t;
        table_init(&t, "Bảng", one_column, 1);
        table_add_date(&t, cases[i].text);
        CHECK(t.count == 1 && t.cells[0].kind == cases[i].kind, "date '%s': its kind",
              cases[i].text);
        table_free(&t);
    }
}

static void test_rows(void)
{
    static const table_column columns[] = {{"Số", 8}, {"Tên, đầy đủ", 20}, {"Ngày", 12}};
    table t;
    ocl_buffer csv = {0};
    table_init(&t, "Bảng", columns, 3);
    table_add_integer(&t, 1);
    table_add_text(&t, "Một");
    table_add_date(&t, "2025-01-02");
    table_add_integer(&t, 2);
    table_add_null(&t);
    table_add_null(&t);
    CHECK(table_rows(&t) == 2, "two rows");
    CHECK(table_csv(&t, &csv) == 0, "written");
    ocl_buffer_append(&csv, "", 1);
    CHECK_STR((const char *)csv.data,
              "\xEF\xBB\xBFSố,\"Tên, đầy đủ\",Ngày\r\n1,Một,2025-01-02\r\n2,,\r\n",
              "header quoted as any text, blanks empty, CRLF after each record");
    ocl_buffer_free(&csv);
    table_free(&t);
}

void test_tables(void)
{
    test_text_cells();
    test_number_cells();
    test_date_cells();
    test_rows();
}
