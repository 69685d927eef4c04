#!/usr/bin/env bash
# Benchmark, not a test: the daily reminder run over 20,000 certificates
# (2,000 producers, valid_until spread over the next three years so that
# about 8% are due: those ending within 30 days, and those in their renewal
# window, 120 to 180 days from the end; 200 producer users and 5 officers
# with addresses):
# `ocoptrace reminders run` timed on a fresh copy of the database each
# time (median of 3); then the daemon's resolver rate (wrk, random serials
# of tests/bench/random_paths.lua) alone, and again while reminder runs
# over the 20,000 certificates repeat against the daemon's database (each
# on a later day, so that each writes its ~1,700 reminders), with the ratio.
# SQLite (WAL). Fails if any answer is not 200.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
SECONDS_EACH=${BENCH_REMINDERS_SECONDS:-8}
CERTIFICATES=20000 PRODUCERS=2000 LOTS=4 SERIALS_PER_LOT=2000
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-reminders-bench.XXXXXX")
port=$((20000 + RANDOM % 20000))
cleanup() {
    kill "${server:-}" "${loop:-}" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
db=$work/base.db
printf '[mail]\nfrom = nhac-han@ocop.binhthuan.gov.vn\n[reminders]\nevery_s = 86400\n' >"$work/bench.conf"

# Serials for the resolver, registered through the API.
admin=$("$OCOPTRACE" user add --role admin bench --db "$db" | tail -n 1)
"$OCOPTRACE" serve --db "$db" --listen 127.0.0.1:$port --config "$work/bench.conf" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
api() { curl -sf -H "Authorization: Bearer $admin" -X POST --data-binary "$2" "http://127.0.0.1:$port/api/v1$1"; }
id_of() { grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$'; }
paths_of() { grep -o '"uri": *"[^"]*"' | cut -d'"' -f4 | sed 's#^https\?://[^/]*##'; }
producer=$(api /producers '{"name":"HTX Thanh long Hàm Thuận Nam","address":"Xã Hàm Minh","kind":"cooperative"}' | id_of)
for l in $(seq 1 $LOTS); do
    gtin=$("$OCOPTRACE" gs1 check-digit "$(printf '8931234567%02d' "$l")")
    product=$(api /products "{\"producer_id\":$producer,\"name\":\"Thanh long ruột đỏ $l\",\"group\":\"food\",\"gtin\":\"$gtin\"}" | id_of)
    lot=$(api "/products/$product/lots" "{\"code\":\"L2025N$l\",\"produced\":\"2025-03-01\",\"expires\":\"2027-03-01\"}" | id_of)
    api "/lots/$lot/serials" "{\"count\":$SERIALS_PER_LOT}" | paths_of >>"$work/paths"
done
kill "$server"
wait "$server" 2>/dev/null || true

# The certificates, users and all in one transaction.
started=$(now)
sqlite3 "$db" >/dev/null <<SQL
BEGIN;
CREATE TEMP TABLE n (i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $CERTIFICATES)
INSERT INTO n SELECT i FROM c;
INSERT INTO producers (id, name, kind) SELECT 100 + i, 'Cơ sở OCOP số ' || i, 'household' FROM n WHERE i <= $PRODUCERS;
INSERT INTO products (id, producer_id, name, grp) SELECT 1000 + i, 100 + 1 + (i - 1) % $PRODUCERS, 'Sản phẩm OCOP số ' || i, 'food' FROM n;
INSERT INTO evaluations (id, product_id, score_a, score_b, score_c, stars) SELECT 1000 + i, 1000 + i, 30, 20, 25, 3 + i % 3 FROM n;
INSERT INTO certificates (id, number, evaluation_id, decision_number, decision_date, level, valid_until, producer_snapshot)
SELECT 1000 + i, 'OCOP-BTH-' || i, 1000 + i, '1032/QĐ-UBND', '2024-06-20', 'province', date('now', 'localtime', '+' || ((i * 7919) % 1096) || ' days'), '{}' FROM n;
INSERT INTO users (name, role, producer_id, email) SELECT 'sx' || i, 'producer', 100 + i, 'sx' || i || '@coso.vn' FROM n WHERE i <= 200;
INSERT INTO users (name, role, email) SELECT 'canbo' || i, 'officer', 'canbo' || i || '@sonn.binhthuan.gov.vn' FROM n WHERE i <= 5;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
loaded=$(now)
due=$(sqlite3 "$db" "SELECT count(*) FROM certificates WHERE revoked_at IS NULL AND (valid_until BETWEEN date('now', 'localtime') AND date('now', 'localtime', '+30 days') OR valid_until BETWEEN date('now', 'localtime', '+120 days') AND date('now', 'localtime', '+180 days'))")

echo "reminders over $CERTIFICATES certificates ($due due today), $(nproc) cores"
printf 'set-up: %d certificates loaded in %.1f s\n' $CERTIFICATES "$(echo "$loaded - $started" | bc -l)"

# A cold run: a fresh copy of the database each time; the median of 3.
times=()
for i in 1 2 3; do
    cp "$db" "$work/run.db"
    t0=$(now)
    "$OCOPTRACE" reminders run --db "$work/run.db" --config "$work/bench.conf" >"$work/run.out"
    t1=$(now)
    times+=("$(echo "$t1 - $t0" | bc -l)")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
printf 'reminders run (cold, median of 3): %.3f s; wrote %s\n' "$median" "$(tr '\n' ' ' <"$work/run.out")"

# The resolver alone, then while reminder runs repeat on its database.
cp "$db" "$work/serve.db"
"$OCOPTRACE" serve --db "$work/serve.db" --listen 127.0.0.1:$port --config "$work/bench.conf" 2>>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
sleep 1 # the daemon's own run at start is over
# rate NAME: requests a second of wrk over random serials; marks failures.
rate() {
    wrk -t2 -c32 -d"${SECONDS_EACH}s" -H "Accept: application/json" -s "$here/random_paths.lua" \
        "http://127.0.0.1:$port" -- "$work/paths" >"$work/$1.out" 2>&1
    local bad
    bad=$(awk '/^not 200:|^socket errors:/ { n += $NF } END { print n + 0 }' "$work/$1.out")
    if [ "$bad" -ne 0 ]; then
        {
            echo "FAIL: $1: answers not 200 or socket errors:"
            cat "$work/$1.out"
        } >&2
        touch "$work/failed"
    fi
    awk '/^Requests\/sec:/ { print $2 }' "$work/$1.out"
}
alone=$(rate alone)
# Each run a later day (40 days apart), so that each writes a day's worth.
(
    for k in $(seq 1 27); do
        "$OCOPTRACE" reminders run --today "$(date -d "+$((40 * k)) days" +%F)" --db "$work/serve.db" \
            --config "$work/bench.conf" >"$work/loop-$k.out" 2>&1 || exit 1
        echo "$k" >"$work/runs"
    done
) &
loop=$!
during=$(rate during)
kill "$loop" 2>/dev/null || true
wait "$loop" 2>/dev/null || true
runs=$(cat "$work/runs" 2>/dev/null || echo 0)
written=$(sqlite3 "$work/serve.db" "SELECT count(*) FROM reminders")
printf '%-52s %12s\n' target requests/s
printf '%-52s %12.0f\n' "resolver JSON, random serial, alone" "$alone"
printf '%-52s %12.0f\n' "the same during reminder runs ($runs runs completed)" "$during"
printf 'during / alone: %.2f (%s reminders in the daemon'"'"'s database after the runs)\n' \
    "$(echo "$during / $alone" | bc -l)" "$written"
if [ -e "$work/failed" ]; then
    echo "FAIL: some answers were not 200 (above)" >&2
    exit 1
fi
