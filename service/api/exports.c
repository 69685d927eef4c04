/*
 * The officers' exports: GET /api/v1/exports/{name}.csv and .xlsx, the
 * lists the province reports upward (products by stars and group,
 * dossiers by state, certificates expiring). Each list is built once as a
 * table of typed cells (tables.h) and written in the format asked.
 */
#include "api.h"
#include "clock.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT_TABLES_MAX 2
#define WITHIN_MAX        3650

/* An export's sheets, and the headers of a sheet whose columns are
 * built at run time (the summary's groups). */
typedef struct {
    table tables[EXPORT_TABLES_MAX];
    size_t count;
    table_column columns[OCL_GROUP_COUNT + 2];
} export_sheets;

typedef int (*export_build)(http_request *req, http_reply *reply, const char *today,
                            export_sheets *out);

static const char *const producer_kinds[][2] = {{"cooperative", "Hợp tác xã"},
                                                {"sme", "Doanh nghiệp nhỏ và vừa"},
                                                {"household", "Hộ kinh doanh"},
                                                {"other", "Khác"}};

/* The words of dossier.js, for the same states on the web pages. */
static const char *const dossier_states[][2] = {
    {"draft", "Nháp"},
    {"submitted", "Đã nộp"},
    {"checked", "Đã kiểm tra"},
    {"returned", "Trả lại"},
    {"scoring", "Đang chấm điểm"},
    {"scored", "Đã chấm điểm"},
    {"recognised", "Được công nhận"},
    {"not_recognised", "Không được công nhận"},
};
#define STATE_COUNT (sizeof(dossier_states) / sizeof(dossier_states[0]))

static const char *kind_title(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof(producer_kinds) / sizeof(producer_kinds[0]); i++)
        if (strcmp(producer_kinds[i][0], kind) == 0)
            return producer_kinds[i][1];
    return kind;
}

/* The state's words, or NULL when it is none of the workflow's. */
static const char *state_known(const char *state)
{
    for (size_t i = 0; state && i < STATE_COUNT; i++)
        if (strcmp(dossier_states[i][0], state) == 0)
            return dossier_states[i][1];
    return NULL;
}

static const char *state_title(const char *state)
{
    return state_known(state) ? state_known(state) : state;
}

static const char *group_title(const char *group)
{
    int g = ocl_group_parse(group);
    return g < 0 ? group : ocl_group_title((ocl_group)g);
}

static const char *text_of(json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

/* A whole number of the row, or a blank when it has none. */
static void add_integer(table *t, json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    if (json_is_integer(v))
        table_add_integer(t, json_integer_value(v));
    else
        table_add_null(t);
}

/* Whole days from `from` to `to` (both YYYY-MM-DD...), or 0. */
static long days_between(const char *from, const char *to)
{
    struct tm a = {0}, b = {0};
    if (sscanf(from, "%4d-%2d-%2d", &a.tm_year, &a.tm_mon, &a.tm_mday) != 3 ||
        sscanf(to, "%4d-%2d-%2d", &b.tm_year, &b.tm_mon, &b.tm_mday) != 3)
        return 0;
    a.tm_year -= 1900;
    b.tm_year -= 1900;
    a.tm_mon -= 1;
    b.tm_mon -= 1;
    return (long)((timegm(&b) - timegm(&a)) / 86400);
}

static int store_failed(http_reply *reply, json_t *rows)
{
    if (rows)
        return 0;
    http_error(reply, 500, "store", "", "cannot read the export's rows");
    return -1;
}

/* ---------- products by stars ---------- */

static const table_column product_columns[] = {
    {"Mã sản phẩm", 12},     {"Tên sản phẩm", 36},   {"Nhóm", 12},
    {"Tên nhóm", 24},        {"Chủ thể", 32},        {"Loại hình chủ thể", 24},
    {"Địa bàn", 24},         {"Hạng sao", 10},       {"Số giấy chứng nhận", 22},
    {"Ngày quyết định", 16}, {"Có giá trị đến", 16},
};

/* The summary: products by stars (5, 4 and 3: the recognised ones) and
 * group, with the totals of each row and column. */
static void summary_table(export_sheets *out, long counts[3][OCL_GROUP_COUNT])
{
    out->columns[0] = (table_column){"Hạng sao", 10};
    for (int g = 0; g < OCL_GROUP_COUNT; g++)
        out->columns[1 + g] = (table_column){ocl_group_title((ocl_group)g), 18};
    out->columns[OCL_GROUP_COUNT + 1] = (table_column){"Tổng cộng", 12};
    table *t = &out->tables[out->count++];
    table_init(t, "Tổng hợp", out->columns, OCL_GROUP_COUNT + 2);
    long column_totals[OCL_GROUP_COUNT] = {0}, all = 0;
    for (int r = 0; r < 3; r++) {
        long row_total = 0;
        table_add_integer(t, 5 - r);
        for (int g = 0; g < OCL_GROUP_COUNT; g++) {
            table_add_integer(t, counts[r][g]);
            row_total += counts[r][g];
            column_totals[g] += counts[r][g];
        }
        table_add_integer(t, row_total);
        all += row_total;
    }
    table_add_text(t, "Tổng cộng");
    for (int g = 0; g < OCL_GROUP_COUNT; g++)
        table_add_integer(t, column_totals[g]);
    table_add_integer(t, all);
}

static int build_products(http_request *req, http_reply *reply, const char *today,
                          export_sheets *out)
{
    json_t *rows = store_export_products(req->store, today);
    if (store_failed(reply, rows))
        return -1;
    long counts[3][OCL_GROUP_COUNT] = {{0}};
    table *list = &out->tables[out->count++];
    table_init(list, "Sản phẩm theo hạng sao", product_columns,
               sizeof(product_columns) / sizeof(product_columns[0]));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *group = text_of(row, "group");
        json_int_t stars = json_integer_value(json_object_get(row, "stars"));
        int g = ocl_group_parse(group);
        if (g >= 0 && stars >= 3 && stars <= 5)
            counts[5 - stars][g]++;
        add_integer(list, row, "id");
        table_add_text(list, text_of(row, "name"));
        table_add_text(list, group);
        table_add_text(list, group_title(group));
        table_add_text(list, text_of(row, "producer"));
        table_add_text(list, kind_title(text_of(row, "kind")));
        table_add_text(list, text_of(row, "locality"));
        add_integer(list, row, "stars");
        table_add_text(list, text_of(row, "number"));
        table_add_date(list, text_of(row, "decided"));
        table_add_date(list, text_of(row, "valid_until"));
    }
    json_decref(rows);
    summary_table(out, counts);
    return 0;
}

/* ---------- dossiers by state ---------- */

static const table_column dossier_columns[] = {
    {"Mã hồ sơ", 10}, {"Sản phẩm", 36},          {"Nhóm", 12},           {"Tên nhóm", 24},
    {"Chủ thể", 32},  {"Trạng thái", 16},        {"Tên trạng thái", 22}, {"Phiếu chấm điểm", 18},
    {"Ngày nộp", 14}, {"Thay đổi lần cuối", 18}, {"Tổng điểm", 11},      {"Điểm trung bình", 16},
    {"Hạng sao", 10},
};

static int build_dossiers(http_request *req, http_reply *reply, const char *today,
                          export_sheets *out)
{
    (void)today;
    const char *state = http_query(req, "state");
    if (state && !state_known(state)) {
        http_error(reply, 422, "invalid", "state",
                   "must be one of draft, submitted, checked, returned, scoring, scored, "
                   "recognised, not_recognised");
        return -1;
    }
    json_t *rows = store_export_dossiers(req->store, state);
    if (store_failed(reply, rows))
        return -1;
    table *t = &out->tables[out->count++];
    table_init(t, "Hồ sơ theo trạng thái", dossier_columns,
               sizeof(dossier_columns) / sizeof(dossier_columns[0]));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *group = text_of(row, "group"), *mean = text_of(row, "mean");
        add_integer(t, row, "id");
        table_add_text(t, text_of(row, "product"));
        table_add_text(t, group);
        table_add_text(t, group_title(group));
        table_add_text(t, text_of(row, "producer"));
        table_add_text(t, text_of(row, "state"));
        table_add_text(t, state_title(text_of(row, "state")));
        table_add_text(t, text_of(row, "sheet"));
        table_add_date(t, text_of(row, "submitted_at"));
        table_add_date(t, text_of(row, "updated_at"));
        add_integer(t, row, "total");
        if (mean)
            table_add_decimal(t, strtod(mean, NULL));
        else
            table_add_null(t);
        add_integer(t, row, "stars");
    }
    json_decref(rows);
    return 0;
}

/* ---------- certificates expiring ---------- */

static const table_column expiring_columns[] = {
    {"Số giấy chứng nhận", 22}, {"Sản phẩm", 36},       {"Chủ thể", 32},
    {"Hạng sao", 10},           {"Có giá trị đến", 16}, {"Số ngày còn lại", 16},
};

/* ?within=DAYS: 0 and the days (90 when absent), or -1 after a 422. */
static int within_days(http_request *req, http_reply *reply, long *days)
{
    const char *text = http_query(req, "within");
    *days = 90;
    if (!text)
        return 0;
    size_t len = strlen(text);
    if (len == 0 || len > 4 || strspn(text, "0123456789") != len ||
        (*days = strtol(text, NULL, 10)) > WITHIN_MAX) {
        http_error(reply, 422, "invalid", "within", "must be a whole number of days from 0 to %d",
                   WITHIN_MAX);
        return -1;
    }
    return 0;
}

static int build_expiring(http_request *req, http_reply *reply, const char *today,
                          export_sheets *out)
{
    long days;
    if (within_days(req, reply, &days) != 0)
        return -1;
    char until[11];
    clock_day(days, until);
    json_t *rows = store_export_expiring(req->store, today, until);
    if (store_failed(reply, rows))
        return -1;
    table *t = &out->tables[out->count++];
    table_init(t, "Giấy chứng nhận sắp hết hạn", expiring_columns,
               sizeof(expiring_columns) / sizeof(expiring_columns[0]));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *valid_until = text_of(row, "valid_until");
        table_add_text(t, text_of(row, "number"));
        table_add_text(t, text_of(row, "product"));
        table_add_text(t, text_of(row, "producer"));
        add_integer(t, row, "stars");
        table_add_date(t, valid_until);
        table_add_integer(t, valid_until ? days_between(today, valid_until) : 0);
    }
    json_decref(rows);
    return 0;
}

/* ---------- the route ---------- */

static const char *const products_query[] = {"summary", NULL};
static const char *const products_xlsx_query[] = {NULL};
static const char *const dossiers_query[] = {"state", NULL};
static const char *const expiring_query[] = {"within", NULL};

static const struct {
    const char *name;
    export_build build;
    const char *const *csv_query, *const *xlsx_query;
} exports[] = {
    {"products-by-stars", build_products, products_query, products_xlsx_query},
    {"dossiers-by-state", build_dossiers, dossiers_query, dossiers_query},
    {"certificates-expiring", build_expiring, expiring_query, expiring_query},
};
#define EXPORT_COUNT (sizeof(exports) / sizeof(exports[0]))

/* The export the path's last segment names ("NAME.csv", "NAME.xlsx"):
 * its index and whether XLSX is asked, or -1 after a 404 naming `name`. */
static int export_named(http_request *req, http_reply *reply, int *xlsx)
{
    const char *segment = strrchr(req->path, '/') + 1;
    const char *dot = strrchr(segment, '.');
    size_t len = dot ? (size_t)(dot - segment) : strlen(segment);
    *xlsx = dot && strcmp(dot, ".xlsx") == 0;
    for (size_t i = 0; dot && (*xlsx || strcmp(dot, ".csv") == 0) && i < EXPORT_COUNT; i++)
        if (strlen(exports[i].name) == len && strncmp(exports[i].name, segment, len) == 0)
            return (int)i;
    http_error(reply, 404, "not_found", "name",
               "no export '%s': products-by-stars, dossiers-by-state or certificates-expiring, "
               "each as .csv or .xlsx",
               segment);
    return -1;
}

/* ?summary=1 (products-by-stars as CSV): the summary sheet instead of
 * the list. 0 or 1, or -1 after a 422. */
static int summary_asked(http_request *req, http_reply *reply)
{
    const char *summary = http_query(req, "summary");
    if (!summary || strcmp(summary, "0") == 0)
        return 0;
    if (strcmp(summary, "1") == 0)
        return 1;
    http_error(reply, 422, "invalid", "summary", "must be 1 (the summary) or 0 (the list)");
    return -1;
}

static void answer(http_reply *reply, const char *name, int summary, int xlsx,
                   const export_sheets *sheets, const char *today)
{
    ocl_buffer out = {0};
    char error[TABLE_ERROR_MAX] = "cannot write the export";
    const table *all[EXPORT_TABLES_MAX];
    for (size_t i = 0; i < sheets->count; i++)
        all[i] = &sheets->tables[i];
    int failed = xlsx ? table_xlsx(all, sheets->count, &out, error)
                      : table_csv(&sheets->tables[summary ? 1 : 0], &out);
    if (failed) {
        ocl_buffer_free(&out);
        http_error(reply, 500, "export", "", "%s", error);
        return;
    }
    reply->status = 200;
    reply->data = out.data;
    reply->data_len = out.len;
    reply->content_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                               : "text/csv; charset=utf-8";
    snprintf(reply->disposition, sizeof(reply->disposition), "attachment; filename=\"%s%s-%s.%s\"",
             name, summary ? "-summary" : "", today, xlsx ? "xlsx" : "csv");
}

void api_exports_get(http_request *req, http_reply *reply, long id)
{
    (void)id;
    int xlsx, which = export_named(req, reply, &xlsx);
    if (which < 0)
        return;
    const char *unknown =
        http_query_unknown(req, xlsx ? exports[which].xlsx_query : exports[which].csv_query);
    if (unknown) {
        http_error(reply, 400, "bad_query", unknown, "is not a query parameter of this export");
        return;
    }
    int summary = exports[which].build == build_products ? summary_asked(req, reply) : 0;
    if (summary < 0)
        return;
    char today[11];
    clock_day(0, today);
    export_sheets sheets;
    memset(&sheets, 0, sizeof(sheets));
    if (exports[which].build(req, reply, today, &sheets) == 0)
        answer(reply, exports[which].name, summary, xlsx, &sheets, today);
    for (size_t i = 0; i < sheets.count; i++)
        table_free(&sheets.tables[i]);
}
