/*
 * `ocoptrace trace`: a lot's trace read from the database without the
 * daemon, as GET /api/v1/lots/{id}/trace answers it, in words (or --json):
 * what the lot was made from, down to areas and suppliers, and where it
 * went, up to the lots made from it and the buyers of its units.
 */
#include "cli.h"
#include "database.h"
#include "config.h"
#include "pin.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char trace_usage[] =
    "usage: ocoptrace trace [--json] [--db URL] [--config FILE] LOT-ID|URI\n"
    "\n"
    "The lot's trace: backward, the inputs and lots it was made from, their areas\n"
    "(with their codes and certifications) and suppliers; forward, the lots made\n"
    "from it and its shipments, with the buyers to notify; and its recall, if any.\n"
    "LOT-ID is the lot's number; URI a unit's or the lot's Digital Link\n"
    "(https://DOMAIN/01/GTIN/10/LOT[/21/SERIAL]) or /lot/LOT/SERIAL path.\n"
    "--json prints what GET /api/v1/lots/{id}/trace answers.\n";

static const char *text_at(const json_t *o, const char *key)
{
    const char *t = json_string_value(json_object_get(o, key));
    return t ? t : "";
}

static void indent(int depth)
{
    printf("%*s", 2 * depth, "");
}

static void print_lot(const json_t *lot)
{
    printf("lot %s (%s, lot id %lld), produced %s", text_at(lot, "code"), text_at(lot, "product"),
           (long long)json_integer_value(json_object_get(lot, "id")),
           *text_at(lot, "produced") ? text_at(lot, "produced") : "-");
}

static void print_backward(const json_t *steps, int depth)
{
    size_t i;
    const json_t *step;
    json_array_foreach(steps, i, step)
    {
        const json_t *input = json_object_get(step, "input"), *area = json_object_get(step, "area");
        const json_t *supplier = json_object_get(step, "supplier");
        double quantity = json_number_value(json_object_get(step, "quantity"));
        indent(depth);
        if (json_is_object(input)) {
            printf("%g %s %s, input %s, received %s", quantity, text_at(input, "unit"),
                   text_at(input, "material"), text_at(input, "code"), text_at(input, "received"));
            if (json_is_object(area)) {
                printf(", from area %s \"%s\"", text_at(area, "code"), text_at(area, "name"));
                char *certifications =
                    json_dumps(json_object_get(area, "certifications"), JSON_COMPACT);
                if (certifications && strcmp(certifications, "[]") != 0)
                    printf(" %s", certifications);
                free(certifications);
            } else if (json_is_object(supplier)) {
                printf(", bought from %s", text_at(supplier, "name"));
                if (*text_at(supplier, "address"))
                    printf(", %s", text_at(supplier, "address"));
            }
            printf("%s\n", json_is_true(json_object_get(input, "recalled")) ? " [RECALLED]" : "");
        } else {
            printf("%g units of ", quantity);
            print_lot(json_object_get(step, "lot"));
            printf("\n");
            print_backward(json_object_get(step, "backward"), depth + 1);
        }
    }
}

static void print_forward(const json_t *forward, int depth)
{
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(forward, "lots"), i, item)
    {
        indent(depth);
        printf("%g used in ", json_number_value(json_object_get(item, "quantity")));
        print_lot(json_object_get(item, "lot"));
        printf("\n");
        print_forward(json_object_get(item, "forward"), depth + 1);
    }
    json_array_foreach(json_object_get(forward, "shipments"), i, item)
    {
        const json_t *to = json_object_get(item, "to");
        indent(depth);
        printf("shipment %lld on %s: %lld units to %s",
               (long long)json_integer_value(json_object_get(item, "id")), text_at(item, "shipped"),
               (long long)json_integer_value(json_object_get(item, "units")), text_at(to, "name"));
        if (*text_at(to, "address"))
            printf(", %s", text_at(to, "address"));
        printf("\n");
    }
}

static void print_trace(const json_t *trace)
{
    const json_t *recall = json_object_get(trace, "recall");
    print_lot(json_object_get(trace, "lot"));
    printf("\n");
    if (json_is_object(recall))
        printf("RECALLED since %s (recall %lld): %s. %s\n", text_at(recall, "since"),
               (long long)json_integer_value(json_object_get(recall, "id")),
               text_at(recall, "reason"), text_at(recall, "action"));
    printf("made from:\n");
    print_backward(json_object_get(trace, "backward"), 1);
    printf("went to:\n");
    print_forward(json_object_get(trace, "forward"), 1);
}

/* The lot that ARG names: a number, or a code; 0 after saying why. */
static long lot_named(store *s, const char *arg)
{
    char *end = NULL;
    long id = strtol(arg, &end, 10);
    if (end != arg && !*end)
        return id > 0 ? id : 0;
    const char *path = strstr(arg, "://") ? strchr(strstr(arg, "://") + 3, '/') : arg;
    char lot[OCL_AI_VALUE_MAX + 1], serial[OCL_AI_VALUE_MAX + 1], uri[OCL_URI_MAX + 16];
    if (path && strncmp(path, "/lot/", 5) == 0 && parse_lot_path(path, lot, serial) == 0)
        return store_lot_find(s, NULL, lot, serial);
    ocl_link link;
    ocl_problems problems;
    ocl_problems_init(&problems);
    snprintf(uri, sizeof(uri), "http://x%s", path ? path : "");
    if (!path || ocl_link_parse(uri, &link, NULL, 0, &problems) != OCL_OK || !link.lot[0])
        return 0;
    return store_lot_find(s, link.gtin, link.lot, NULL);
}

int cmd_trace(int argc, char **argv)
{
    const char *db = NULL, *config_path = NULL;
    int as_json = 0;
    const cli_option options[] = {
        {"db", 0, &db, NULL}, {"config", 0, &config_path, NULL}, {"json", 0, NULL, &as_json}};
    int first = cli_parse_options(argc, argv, options, 3, trace_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    if (argc - first != 1) {
        fputs(trace_usage, stderr);
        return EXIT_INVALID;
    }
    int status = EXIT_OK;
    store *s = cli_open_store(db, config_path, &status);
    if (!s)
        return status;
    long lot = lot_named(s, argv[first]);
    json_t *trace = lot ? store_trace_lot(s, lot) : NULL;
    if (!trace) {
        cli_error("lot: '%s' names no lot in the database", argv[first]);
        status = EXIT_INVALID;
    } else if (as_json) {
        char *text = json_dumps(trace, JSON_COMPACT);
        printf("%s\n", text ? text : "{}");
        free(text);
    } else {
        print_trace(trace);
    }
    json_decref(trace);
    store_close(s);
    return status;
}
