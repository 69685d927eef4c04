/*
 * The links producers add to their products (GS1 link types): their table,
 * and adding, replacing, listing and deleting them.
 */
#include "internal.h"
#include "links.h"

const char *store_links_migration(void)
{
    return "CREATE TABLE product_links ("
           "  id INTEGER PRIMARY KEY,"
           "  product_id INTEGER NOT NULL REFERENCES products(id),"
           "  link_type TEXT NOT NULL,"
           "  href TEXT NOT NULL,"
           "  title TEXT NOT NULL,"
           "  lang TEXT NOT NULL,"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
           "  UNIQUE (product_id, link_type, href, lang));";
}

long store_link_add(store *s, long product_id, const store_link *link, char error[STORE_ERROR_MAX])
{
    db *conn = store_db(s);
    db_stmt *st = NULL;
    /* One statement counts and inserts, so two requests at once cannot
     * both add the last link allowed. */
    if (!(st = db_prepare(conn,
                          "INSERT INTO product_links (product_id, link_type, href, title, lang) "
                          "SELECT ?1, ?2, ?3, ?4, ?5 WHERE (SELECT count(*) FROM product_links "
                          "WHERE product_id = ?1) < ?6 RETURNING id"))) {
        store_set_error(error, "cannot add the link", conn);
        db_finalize(st);
        return -1;
    }
    db_bind_int64(st, 1, product_id);
    db_bind_text(st, 2, link->link_type);
    db_bind_text(st, 3, link->href);
    db_bind_text(st, 4, link->title);
    db_bind_text(st, 5, link->lang);
    db_bind_int64(st, 6, LINKS_PER_PRODUCT);
    long id = 0;
    int rc = store_step_id(st, &id);
    if (rc == DB_UNIQUE || rc == DB_CHECK)
        return -2;
    if (rc != 0) {
        store_set_error(error, "cannot add the link", conn);
        return -1;
    }
    return id ? id : -3;
}

int store_links_replace(store *s, long product_id, const char *link_type, const store_link *links,
                        size_t count, char error[STORE_ERROR_MAX])
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s),
                          "DELETE FROM product_links WHERE product_id = ?1 AND link_type = ?2"))) {
        store_set_error(error, "cannot replace the links", store_db(s));
        db_finalize(st);
        return -1;
    }
    db_bind_int64(st, 1, product_id);
    db_bind_text(st, 2, link_type);
    if (store_step_done(st) != 0) {
        store_set_error(error, "cannot replace the links", store_db(s));
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        long rc = store_link_add(s, product_id, &links[i], error);
        if (rc < 0)
            return (int)rc;
    }
    return 0;
}

static json_t *link_row(db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)db_column_int64(st, 0),
                     "link_type", store_column_text(st, 1), "href", store_column_text(st, 2),
                     "title", store_column_text(st, 3), "lang", store_column_text(st, 4),
                     "created_at", store_column_text(st, 5));
}

json_t *store_link_list(store *s, long product_id)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s), "SELECT id, link_type, href, title, lang, created_at FROM "
                                       "product_links WHERE product_id = ?1 ORDER BY id"))) {
        db_finalize(st);
        return NULL;
    }
    db_bind_int64(st, 1, product_id);
    json_t *list = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(list, link_row(st));
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(list);
        return NULL;
    }
    return list;
}

long store_link_product(store *s, long id)
{
    db_stmt *st = NULL;
    long product = 0;
    if ((st = db_prepare(store_db(s), "SELECT product_id FROM product_links WHERE id = ?1"))) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW)
            product = (long)db_column_int64(st, 0);
    }
    db_finalize(st);
    return product;
}

int store_link_delete(store *s, long id)
{
    db_stmt *st = NULL;
    if (!(st = db_prepare(store_db(s), "DELETE FROM product_links WHERE id = ?1"))) {
        db_finalize(st);
        return -1;
    }
    db_bind_int64(st, 1, id);
    return store_step_done(st);
}
