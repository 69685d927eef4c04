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
    sqlite3 *db = store_sqlite(s);
    sqlite3_stmt *st = NULL;
    /* One statement counts and inserts, so two requests at once cannot
     * both add the last link allowed. */
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO product_links (product_id, link_type, href, title, lang) "
                           "SELECT ?1, ?2, ?3, ?4, ?5 WHERE (SELECT count(*) FROM product_links "
                           "WHERE product_id = ?1) < ?6",
                           -1, &st, NULL) != SQLITE_OK) {
        store_set_error(error, "cannot add the link", db);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_text(st, 2, link->link_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, link->href, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, link->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, link->lang, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, LINKS_PER_PRODUCT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return -2;
    if (rc != SQLITE_DONE) {
        store_set_error(error, "cannot add the link", db);
        return -1;
    }
    return sqlite3_changes(db) ? (long)sqlite3_last_insert_rowid(db) : -3;
}

int store_links_replace(store *s, long product_id, const char *link_type, const store_link *links,
                        size_t count, char error[STORE_ERROR_MAX])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_sqlite(s),
                           "DELETE FROM product_links WHERE product_id = ?1 AND link_type = ?2", -1,
                           &st, NULL) != SQLITE_OK) {
        store_set_error(error, "cannot replace the links", store_sqlite(s));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_text(st, 2, link_type, -1, SQLITE_STATIC);
    if (store_step_done(st) != 0) {
        store_set_error(error, "cannot replace the links", store_sqlite(s));
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        long rc = store_link_add(s, product_id, &links[i], error);
        if (rc < 0)
            return (int)rc;
    }
    return 0;
}

static json_t *link_row(sqlite3_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)sqlite3_column_int64(st, 0), "link_type", store_column_text(st, 1),
                     "href", store_column_text(st, 2), "title", store_column_text(st, 3), "lang",
                     store_column_text(st, 4), "created_at", store_column_text(st, 5));
}

json_t *store_link_list(store *s, long product_id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_sqlite(s),
                           "SELECT id, link_type, href, title, lang, created_at FROM "
                           "product_links WHERE product_id = ?1 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, product_id);
    json_t *list = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(list, link_row(st));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        return NULL;
    }
    return list;
}

long store_link_product(store *s, long id)
{
    sqlite3_stmt *st = NULL;
    long product = 0;
    if (sqlite3_prepare_v2(store_sqlite(s), "SELECT product_id FROM product_links WHERE id = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            product = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return product;
}

int store_link_delete(store *s, long id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_sqlite(s), "DELETE FROM product_links WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    return store_step_done(st);
}
