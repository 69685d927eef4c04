#!/usr/bin/env bash
# Benchmark, not a test: the trace and the recall on a province's scale.
# A database of 10,000 lots of 20 products, 2,000 input lots from 200
# areas and suppliers, 1,000,000 units, a shipment of 50 units of each
# units, and 500 lots made from other lots; input lot 1 goes into 500 lots
# of 200 units (100,000 units). The registry is written with SQL (the API
# would take an hour for a million units), the schema by the daemon's own
# migrations. Then, over HTTP with wrk on one connection (so that the
# latency is the trace's own time, not a queue's), a random lot's backward
# trace and a random input's forward trace (median and p99), and the
# recall of input 1, timed to its answer (committed).
# Goals: a trace under 10 ms p99, the recall under one second.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
SECONDS_EACH=${BENCH_TRACE_SECONDS:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-trace-bench.XXXXXX")
port=$((20000 + RANDOM % 20000))
cleanup() {
    kill "${server:-}" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }

db=$work/trace.db
admin=$("$OCOPTRACE" user add --role admin bench --db "$db" | tail -n 1)
started=$(now)
sqlite3 "$db" >/dev/null <<'SQL'
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO producers (id, name, address, kind) VALUES (1, 'HTX Thủy sản Hàm Tiến', 'Phan Thiết', 'cooperative');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO products (id, producer_id, name, grp, gtin, details)
SELECT i, 1, 'Nước mắm số ' || i, 'food', '0893123456' || printf('%04d', i), '{}' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
INSERT INTO areas (id, producer_id, name, code, crop, area_ha, certifications)
SELECT i, 1, 'Vùng ' || i, 'VT-' || printf('%04d', i), 'cá cơm', 10 + i, '["VietGAP"]' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO inputs (id, producer_id, code, material, quantity, unit, harvested, received, area_id,
                    supplier_name, supplier_address)
SELECT i, 1, 'IN' || i, 'Cá cơm', 1000000, 'kg', '2025-01-01', '2025-01-02',
       CASE WHEN i % 2 = 0 THEN 1 + i % 100 END, CASE WHEN i % 2 = 1 THEN 'Vựa ' || (i % 100) END,
       CASE WHEN i % 2 = 1 THEN 'Bình Thuận' END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO lots (id, product_id, code, produced, expires)
SELECT i, 1 + i % 20, 'L' || i, '2025-03-01', '2027-03-01' FROM n;
-- Lots 1 to 500 hold 200 units, 501 to 9,500 hold 95, the rest 90:
-- 1,000,000 in all.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO serials (lot_id, serial)
SELECT l.id, printf('S%06d%03d', l.id, n.i) FROM lots l
JOIN n ON n.i <= CASE WHEN l.id <= 500 THEN 200 WHEN l.id <= 9500 THEN 95 ELSE 90 END;
-- Each lot uses two inputs; lots 1 to 500 use input 1 too.
INSERT INTO lot_inputs (lot_id, input_id, quantity) SELECT id, 2 + id % 1999, 100 FROM lots;
INSERT INTO lot_inputs (lot_id, input_id, quantity) SELECT id, 2 + (id * 7) % 1999, 50 FROM lots;
INSERT INTO lot_inputs (lot_id, input_id, quantity) SELECT id, 1, 10 FROM lots WHERE id <= 500;
-- Lots 9,501 to 10,000 are made from lots 501 to 1,000.
INSERT INTO lot_inputs (lot_id, source_lot_id, quantity) SELECT id, id - 9000, 5 FROM lots WHERE id > 9500;
INSERT INTO shipments (id, producer_id, to_name, to_address, shipped)
SELECT id, 1, 'Siêu thị ' || (id % 300), 'TP. Hồ Chí Minh', '2025-03-05' FROM lots;
INSERT INTO shipment_units (lot_id, serial, shipment_id)
SELECT lot_id, serial, lot_id FROM serials WHERE CAST(substr(serial, 8) AS INTEGER) <= 50;
COMMIT;
SQL
built=$(now)
units=$(sqlite3 "$db" 'SELECT count(*) FROM serials')
"$OCOPTRACE" serve --db "$db" --listen 127.0.0.1:$port 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done

seq 1 10000 | awk '{ print "/api/v1/lots/" $1 "/trace" }' >"$work/lots"
seq 2 2000 | awk '{ print "/api/v1/inputs/" $1 "/trace" }' >"$work/inputs"
# One of each, checked, before timing.
curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/lots/9600/trace" >"$work/one.json"
grep -q '"code":"VT-' "$work/one.json" || { echo "FAIL: a backward trace reaches no area" >&2; exit 1; }

# run NAME PATHS: "median_ms p99_ms requests/s"; every answer must be 200.
run() {
    wrk -t1 -c1 -d"${SECONDS_EACH}s" --latency -H "Authorization: Bearer $admin" \
        -s "$here/random_paths.lua" "http://127.0.0.1:$port" -- "$2" >"$work/$1.out" 2>&1
    awk '
        function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v } sub(/s/, "", v); return v * 1000 }
        $1 == "50%" { median = ms($2) } $1 == "99%" { p99 = ms($2) } /^Requests\/sec:/ { rps = $2 }
        /^not 200:|^socket errors:/ { bad += $NF }
        END { if (bad) { print "FAIL" > "/dev/stderr"; exit 1 } printf "%.2f %.2f %.0f\n", median, p99, rps }' "$work/$1.out"
}
read -r back_median back_p99 back_rps < <(run backward "$work/lots")
read -r fwd_median fwd_p99 fwd_rps < <(run forward "$work/inputs")

recall_started=$(now)
answer=$(curl -sf -H "Authorization: Bearer $admin" \
    -d '{"reason":"Mẫu thử nhiễm khuẩn","action":"Không sử dụng; trả lại nơi mua"}' \
    "http://127.0.0.1:$port/api/v1/inputs/1/recall")
recall_done=$(now)
[ -n "$answer" ] || { echo "FAIL: the recall was refused" >&2; exit 1; }
recalled_lots=$(sqlite3 "$db" 'SELECT count(*) FROM recalled_lots')
recalled_units=$(sqlite3 "$db" 'SELECT count(*) FROM serials x JOIN recalled_lots r ON r.lot_id = x.lot_id')
recall_ms=$(echo "($recall_done - $recall_started) * 1000" | bc -l)

printf 'trace and recall: %d units, 10000 lots, 2000 input lots (written in %.1f s), wrk 1 connection, %ss each, %d cores\n' \
    "$units" "$(echo "$built - $started" | bc -l)" "$SECONDS_EACH" "$(nproc)"
printf '%-34s %10s %10s %12s\n' case "median ms" "p99 ms" requests/s
printf '%-34s %10s %10s %12s\n' "backward trace of a random lot" "$back_median" "$back_p99" "$back_rps"
printf '%-34s %10s %10s %12s\n' "forward trace of a random input" "$fwd_median" "$fwd_p99" "$fwd_rps"
printf 'recall of input 1: %d lots, %d units, %.0f ms to the answer\n' "$recalled_lots" "$recalled_units" "$recall_ms"
verdict() { if [ "$(echo "$1" | bc -l)" -eq 1 ]; then echo met; else echo "not met"; fi; }
echo "goal: trace p99 < 10 ms: $(verdict "$back_p99 < 10 && $fwd_p99 < 10")"
echo "goal: recall < 1 s: $(verdict "$recall_ms < 1000")"
