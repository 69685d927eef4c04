/*
 * The store's side of producers' logos: one PNG per producer (checked by
 * labels/ before it gets here), replaced whole by a new upload, drawn on
 * the stamps of its products.
 */
#include "store.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* The table, with the type a byte string has on each backend. */
#define LOGOS_SCHEMA(bytes)                                                                        \
    "CREATE TABLE producer_logos ("                                                                \
    "  producer_id BIGINT PRIMARY KEY REFERENCES producers (id) ON DELETE CASCADE,"                \
    "  width INTEGER NOT NULL, height INTEGER NOT NULL,"                                           \
    "  png " bytes " NOT NULL);"

const char *store_logos_migration(void)
{
    return LOGOS_SCHEMA("BLOB");
}

const char *store_postgresql_logos(void)
{
    return LOGOS_SCHEMA("BYTEA");
}

int store_logo_put(store *s, long producer_id, const unsigned char *png, size_t len, int width,
                   int height, char error[STORE_ERROR_MAX])
{
    db_stmt *st = db_prepare(
        store_db(s), "INSERT INTO producer_logos (producer_id, width, height, png) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (producer_id) DO UPDATE SET "
                     "width = excluded.width, height = excluded.height, png = excluded.png");
    if (!st) {
        store_set_error(error, "cannot keep the logo", store_db(s));
        return -1;
    }
    db_bind_int64(st, 1, producer_id);
    db_bind_int64(st, 2, width);
    db_bind_int64(st, 3, height);
    db_bind_blob(st, 4, png, len);
    if (store_step_done(st) != 0) {
        store_set_error(error, "cannot keep the logo", store_db(s));
        return -1;
    }
    return 0;
}

int store_logo_get(store *s, long producer_id, unsigned char **png, size_t *len)
{
    db_stmt *st = store_kept(s, "SELECT png FROM producer_logos WHERE producer_id = ?1");
    int found = st ? 0 : -1;
    *png = NULL;
    *len = 0;
    if (st) {
        db_bind_int64(st, 1, producer_id);
        if (db_step(st) == DB_ROW) {
            const void *data = db_column_blob(st, 0, len);
            *png = malloc(*len ? *len : 1);
            if (*png && *len)
                memcpy(*png, data, *len);
            found = *png ? 1 : -1;
        }
    }
    store_release(s, st);
    return found;
}
