/*
 * /api/v1/criteria: the scoring sheets a dossier may be opened on, so that
 * a producer picks the one of its product's set (bộ sản phẩm) when its
 * group has several. Read from [criteria] dir on every request: a province
 * that adds a sheet sees it without a restart.
 */
#include "api.h"
#include "criteria.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *group; /* NULL: every group */
    json_t *list;
} sheet_listing;

static int list_sheet(void *ctx, const criteria_sheet *sheet)
{
    sheet_listing *listing = ctx;
    if (listing->group && strcmp(sheet->group, listing->group) != 0 &&
        strcmp(sheet->group, "all") != 0)
        return 0;
    if (strcmp(sheet->group, "all") == 0)
        return 0; /* the frame: what every sheet shares, never scored on */
    json_array_append_new(
        listing->list, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?}", "id", sheet->id, "group",
                                 sheet->group, "subgroup", sheet->subgroup, "title", sheet->title,
                                 "complete", sheet->complete, "missing", sheet->missing));
    return 0;
}

static int by_id(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, "id")),
                  json_string_value(json_object_get(y, "id")));
}

/* The folder's order is the file system's: sorted by id, so that a page
 * lists them the same way each time. */
static void sort_sheets(json_t *list)
{
    size_t n = json_array_size(list);
    json_t **items = n ? malloc(n * sizeof(*items)) : NULL;
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(list, i));
    qsort(items, n, sizeof(*items), by_id);
    json_array_clear(list);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, items[i]);
    free(items);
}

void api_criteria_list(http_request *req, http_reply *reply, long id)
{
    (void)id;
    static const char *const known[] = {"group", NULL};
    const char *unknown = http_query_unknown(req, known);
    if (unknown) {
        http_error(reply, 400, "bad_field", unknown, "is not a filter of sheets");
        return;
    }
    const char *group = http_query(req, "group");
    if (group && ocl_group_parse(group) < 0) {
        http_error(reply, 422, "invalid", "group",
                   "must be food, drink, herbal, handicraft, ornamental or tourism");
        return;
    }
    char dir[PATH_MAX];
    sheet_listing listing = {group, json_array()};
    if (criteria_dir(req->config->criteria, dir, sizeof(dir)) != 0 ||
        criteria_each(dir, list_sheet, &listing) != 0) {
        json_decref(listing.list);
        http_error(reply, 500, "criteria", "", "the criteria folder cannot be read");
        return;
    }
    sort_sheets(listing.list);
    reply->status = 200;
    reply->json = json_pack("{s:o}", "sheets", listing.list);
}
