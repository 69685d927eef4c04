/*
 * The province's summary: producers, products by stars, certificates
 * expiring.
 */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* {"key": count, ...} from a query of (key, count) rows, taking the
 * dates in `days` (NULL ends them) as ?1, ?2... */
static json_t *counts(store *s, const char *sql, const char *const *days)
{
    db_stmt *st = NULL;
    json_t *out = json_object();
    if (!(st = db_prepare(s->conn, sql)))
        return out;
    for (int i = 0; days && days[i]; i++)
        db_bind_text(st, i + 1, days[i]);
    while (db_step(st) == DB_ROW)
        json_object_set_new(out, store_column_text(st, 0) ? store_column_text(st, 0) : "",
                            json_integer(db_column_int64(st, 1)));
    db_finalize(st);
    return out;
}

/* The day `n` days after `day` (YYYY-MM-DD), or `day` when it is not one. */
static void days_after(const char *day, int n, char out[11])
{
    struct tm tm = {0};
    snprintf(out, 11, "%s", day);
    if (sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday += n;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

json_t *store_report_summary(store *s, const char *today)
{
    char in_30[11], in_90[11];
    days_after(today, 30, in_30);
    days_after(today, 90, in_90);
    const char *const only_today[] = {today, NULL};
    const char *const windows[] = {today, in_30, in_90, NULL};
    json_t *kinds = counts(s, "SELECT kind, count(*) FROM producers GROUP BY kind", NULL);
    json_int_t producers = 0;
    const char *key;
    json_t *v;
    json_object_foreach(kinds, key, v)
    {
        producers += json_integer_value(v);
    }
    double coop = producers ? (double)json_integer_value(json_object_get(kinds, "cooperative")) /
                                  (double)producers
                            : 0;
    double sme = producers
                     ? (double)json_integer_value(json_object_get(kinds, "sme")) / (double)producers
                     : 0;
    json_t *expiring =
        counts(s,
               "SELECT 'within_30_days', count(*) FROM certificates WHERE revoked_at IS NULL AND "
               "valid_until >= ?1 AND valid_until <= ?2 UNION ALL "
               "SELECT 'within_90_days', count(*) FROM certificates WHERE revoked_at IS NULL AND "
               "valid_until >= ?1 AND valid_until <= ?3",
               windows);
    return json_pack(
        "{s:o, s:o, s:o, s:o, s:I, s:f, s:f, s:o}", "products_by_stars",
        counts(s,
               "SELECT e.stars || '', count(DISTINCT e.product_id) FROM certificates c "
               "JOIN evaluations e ON e.id = c.evaluation_id "
               "WHERE c.revoked_at IS NULL AND c.valid_until >= ?1 GROUP BY e.stars",
               only_today),
        "products_by_group", counts(s, "SELECT grp, count(*) FROM products GROUP BY grp", NULL),
        "producers_by_kind", kinds, "producers_by_locality",
        counts(s, "SELECT locality, count(*) FROM producers GROUP BY locality", NULL), "producers",
        producers, "share_cooperatives", coop, "share_smes", sme, "certificates_expiring",
        expiring);
}
