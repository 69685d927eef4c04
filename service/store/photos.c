/*
 * The store's side of product photos: their table and migration, and each
 * photo's JPEG as a BLOB beside its size and ETag. A photo never changes
 * once stored, so its URL (its id) is cached for good: AUTOINCREMENT keeps
 * a deleted photo's id from being given to a new one.
 */
#include "store.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *store_photos_migration(void)
{
    return "CREATE TABLE product_photos ("
           "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
           "  product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,"
           "  width INTEGER NOT NULL, height INTEGER NOT NULL,"
           "  etag TEXT NOT NULL,"
           "  jpeg BLOB NOT NULL,"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
           "CREATE INDEX product_photos_product ON product_photos (product_id, id);";
}

static long photo_count(store *s, long product_id)
{
    db_stmt *st = NULL;
    long count = -1;
    if ((st = db_prepare(store_db(s),
                         "SELECT count(*) FROM product_photos WHERE product_id = ?1"))) {
        db_bind_int64(st, 1, product_id);
        if (db_step(st) == DB_ROW)
            count = (long)db_column_int64(st, 0);
    }
    db_finalize(st);
    return count;
}

static long photo_insert(store *s, long product_id, const store_photo *p)
{
    db_stmt *st = NULL;
    long id = -1;
    if ((st = db_prepare(store_db(s),
                         "INSERT INTO product_photos (product_id, width, height, etag, jpeg) "
                         "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id"))) {
        db_bind_int64(st, 1, product_id);
        db_bind_int64(st, 2, (int)p->width);
        db_bind_int64(st, 3, (int)p->height);
        db_bind_text(st, 4, p->etag);
        db_bind_blob(st, 5, p->jpeg, p->len);
        if (store_step_id(st, &id) != 0)
            id = -1;
        return id;
    }
    return id;
}

long store_photo_add(store *s, long product_id, const store_photo *p, int per_product,
                     char error[STORE_ERROR_MAX])
{
    if (store_transaction(s, error) != 0)
        return -1;
    long count = photo_count(s, product_id);
    long id = count < 0 ? -1 : count >= per_product ? -2 : photo_insert(s, product_id, p);
    if (id == -1)
        store_set_error(error, "cannot keep the photo", store_db(s));
    if (id > 0 && store_exec(s, "COMMIT", error) == 0)
        return id;
    char ignored[STORE_ERROR_MAX];
    store_exec(s, "ROLLBACK", ignored);
    return id == -2 ? -2 : -1;
}

json_t *store_photo_list(store *s, long product_id)
{
    db_stmt *st = store_kept(s, "SELECT id, width, height, length(jpeg), created_at "
                                "FROM product_photos WHERE product_id = ?1 ORDER BY id");
    json_t *list = json_array();
    if (st) {
        db_bind_int64(st, 1, product_id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                list,
                json_pack("{s:I, s:i, s:i, s:I, s:s}", "id", db_column_int64(st, 0), "width",
                          (int)db_column_int64(st, 1), "height", (int)db_column_int64(st, 2),
                          "bytes", db_column_int64(st, 3), "created_at", store_column_text(st, 4)));
    }
    store_release(s, st);
    return list;
}

int store_photo_get(store *s, long id, store_photo *out)
{
    db_stmt *st = store_kept(s, "SELECT product_id, width, height, etag, jpeg FROM product_photos "
                                "WHERE id = ?1");
    int found = st ? 0 : -1;
    memset(out, 0, sizeof(*out));
    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW) {
            out->product_id = (long)db_column_int64(st, 0);
            out->width = (unsigned)(int)db_column_int64(st, 1);
            out->height = (unsigned)(int)db_column_int64(st, 2);
            snprintf(out->etag, sizeof(out->etag), "%s", store_column_text(st, 3));
            const void *jpeg = db_column_blob(st, 4, &out->len);
            out->jpeg = malloc(out->len ? out->len : 1);
            if (out->jpeg && out->len)
                memcpy(out->jpeg, jpeg, out->len);
            found = out->jpeg ? 1 : -1;
        }
    }
    store_release(s, st);
    return found;
}

long store_photo_product(store *s, long id)
{
    db_stmt *st = store_kept(s, "SELECT product_id FROM product_photos WHERE id = ?1");
    long product = 0;
    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW)
            product = (long)db_column_int64(st, 0);
    }
    store_release(s, st);
    return product;
}

int store_photo_delete(store *s, long id)
{
    db_stmt *st = NULL;
    int rc = -1;
    if ((st = db_prepare(store_db(s), "DELETE FROM product_photos WHERE id = ?1"))) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_DONE)
            rc = db_changes(store_db(s)) > 0;
    }
    db_finalize(st);
    return rc;
}
