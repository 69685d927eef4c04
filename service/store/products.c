/*
 * Products: name, group and GTIN as columns and the label's contents as
 * JSON; each change queues the product's registration in the outbox in
 * the same transaction.
 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The registration the remote is sent for product `id`: the product and its
 * producer as the API shows them, queued in the caller's transaction. */
static int outbox_product(store *s, long id)
{
    json_t *product = store_product_get(s, id);
    json_t *producer = product ? store_producer_get(s, (long)json_integer_value(
                                                           json_object_get(product, "producer_id")))
                               : NULL;
    if (!product || !producer) {
        json_decref(product);
        json_decref(producer);
        return -1;
    }
    return store_outbox_add_json(s, "product", id, "/products",
                                 json_pack("{s:o, s:o}", "product", product, "producer", producer));
}

long store_product_create(store *s, const store_product *p, char error[STORE_ERROR_MAX])
{
    if (store_change_begin(s, error) != 0)
        return -1;
    db_stmt *st = NULL;
    json_t *empty = p->details ? NULL : json_object();
    char *details = json_dumps(p->details ? p->details : empty, JSON_COMPACT);
    json_decref(empty);
    long id = -1;
    if (details &&
        (st = db_prepare(s->conn, "INSERT INTO products (producer_id, name, grp, gtin, details) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id"))) {
        db_bind_int64(st, 1, p->producer_id);
        store_bind_optional(st, 2, p->name);
        store_bind_optional(st, 3, p->group);
        store_bind_optional(st, 4, p->gtin);
        db_bind_text(st, 5, details);
        int rc = store_step_id(st, &id);
        id = rc == DB_UNIQUE ? -2 : rc ? -1 : id;
    }
    if (id > 0 && outbox_product(s, id) != 0)
        id = -1;
    if (store_change_end(s, id > 0) != 0 && id > 0)
        id = -1;
    if (id < 0)
        store_set_error(error, "cannot add the product", s->conn);
    free(details);
    return id;
}

int store_product_update(store *s, long id, const store_product *p, char error[STORE_ERROR_MAX])
{
    if (store_change_begin(s, error) != 0)
        return -1;
    db_stmt *st = NULL;
    char *details = p->details ? json_dumps(p->details, JSON_COMPACT) : NULL;
    int result = -1;
    /* details: the given keys replace the stored ones (json_patch). */
    if ((st = db_prepare(s->conn,
                         "UPDATE products SET name = COALESCE(?2, name), grp = COALESCE(?3, grp), "
                         "gtin = COALESCE(?4, gtin), "
                         "details = CASE WHEN CAST(?5 AS TEXT) IS NULL THEN details ELSE "
                         "json_patch(details, ?5) END "
                         "WHERE id = ?1"))) {
        db_bind_int64(st, 1, id);
        store_bind_optional(st, 2, p->name);
        store_bind_optional(st, 3, p->group);
        store_bind_optional(st, 4, p->gtin);
        store_bind_optional(st, 5, details);
        int rc = store_step_done(st);
        result = rc == 0 ? db_changes(s->conn) > 0 : rc == DB_UNIQUE ? -2 : -1;
    }
    if (result == 1 && outbox_product(s, id) != 0)
        result = -1;
    if (store_change_end(s, result >= 0) != 0 && result >= 0)
        result = -1;
    if (result < 0)
        store_set_error(error, "cannot change the product", s->conn);
    free(details);
    return result;
}

json_t *store_product_row(db_stmt *st)
{
    json_t *details =
        json_loads(store_column_text(st, 5) ? store_column_text(st, 5) : "{}", 0, NULL);
    json_t *product = json_object();
    json_object_set_new(product, "id", json_integer(db_column_int64(st, 0)));
    json_object_set_new(product, "producer_id", json_integer(db_column_int64(st, 1)));
    json_object_set_new(product, "name", json_string(store_column_text(st, 2)));
    json_object_set_new(product, "group", json_string(store_column_text(st, 3)));
    json_object_set_new(product, "gtin",
                        store_column_text(st, 4) ? json_string(store_column_text(st, 4))
                                                 : json_null());
    /* after the columns, which the details never override; the id first */
    if (json_is_object(details))
        json_object_update_missing(product, details);
    json_decref(details);
    return product;
}

/* A product's details as the API shows them, where_to_buy being its
 * gs1:purchaseSuggestion links (api/links.c), the one place a shop is kept:
 * whatever details once held under that key is never read. */
#define PRODUCT_DETAILS(p)                                                                         \
    "json_set(" p ".details, '$.where_to_buy', json((SELECT json_group_array(json_object("         \
    "'title', title, 'href', href)) FROM (SELECT title, href FROM product_links WHERE "            \
    "product_id = " p ".id AND link_type = 'gs1:purchaseSuggestion' ORDER BY id) AS links)))"
#define PRODUCT_COLUMNS "id, producer_id, name, grp, gtin, " PRODUCT_DETAILS("products")
#define LISTED_DETAILS  PRODUCT_DETAILS("p")
json_t *store_product_get(store *s, long id)
{
    return store_query_by_id(s, "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = ?1", id,
                             store_product_row, 0);
}

/* A product as listed: with its producer's name and kind, and its latest
 * certificate (or null), so that lists can be filtered without more calls. */
static json_t *product_list_row(db_stmt *st)
{
    json_t *product = store_product_row(st);
    json_object_set_new(product, "producer_name", json_string(store_column_text(st, 6)));
    json_object_set_new(product, "producer_kind", json_string(store_column_text(st, 7)));
    json_t *certificate = json_null();
    if (!db_column_is_null(st, 8))
        certificate = json_pack(
            "{s:I, s:s, s:i, s:s, s:o}", "id", (json_int_t)db_column_int64(st, 8), "number",
            store_column_text(st, 9), "stars", (int)db_column_int64(st, 10), "valid_until",
            store_column_text(st, 11), "revoked_at",
            store_column_text(st, 12) ? json_string(store_column_text(st, 12)) : json_null());
    json_object_set_new(product, "certificate", certificate);
    return product;
}

json_t *store_product_list(store *s, long producer_id)
{
    return store_query_by_id(
        s,
        "SELECT p.id, p.producer_id, p.name, p.grp, p.gtin, " LISTED_DETAILS ", pr.name, pr.kind, "
        "c.id, c.number, e.stars, c.valid_until, c.revoked_at FROM products p "
        "JOIN producers pr ON pr.id = p.producer_id "
        "LEFT JOIN certificates c ON c.id = (SELECT c2.id FROM certificates c2 JOIN evaluations "
        "e2 ON e2.id = c2.evaluation_id WHERE e2.product_id = p.id ORDER BY c2.decision_date DESC, "
        "c2.id DESC LIMIT 1) LEFT JOIN evaluations e ON e.id = c.evaluation_id "
        "WHERE ?1 = 0 OR p.producer_id = ?1 ORDER BY p.id",
        producer_id, product_list_row, 1);
}

long store_product_owner(store *s, long id)
{
    return store_owner_of(s, "SELECT producer_id FROM products WHERE id = ?1", id);
}
