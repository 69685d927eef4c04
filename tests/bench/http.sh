#!/usr/bin/env bash
# Benchmark, not a test: requests per second and p99 latency of the
# resolver on real traffic, 100,000 serials over 50 lots with each request
# a random one (JSON and HTML), beside nginx serving 100,000 distinct files
# of the answer's size on the same paths, in the same run; then the one
# hot URL and qr.png as before; and the random JSON scans again on the
# registry without the lots' journeys, to show what the journey costs.
# wrk on loopback, 2 threads, 64 connections.
# Fails if any answer is not 200.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
SECONDS_EACH=${BENCH_HTTP_SECONDS:-10}
LOTS=50 SERIALS_PER_LOT=2000 LOTS_PER_PRODUCT=5
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-http-bench.XXXXXX")
port=$((20000 + RANDOM % 20000))
nginx_json=$((port + 1)) nginx_html=$((port + 2))
cleanup() {
    kill "${server:-}" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }

admin=$("$OCOPTRACE" user add --role admin bench --db "$work/bench.db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$work/bench.db" | tail -n 1)
"$OCOPTRACE" serve --db "$work/bench.db" --listen 127.0.0.1:$port 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
# api TOKEN PATH BODY: the answer's body; fails on an answer that is not 2xx.
api() { curl -sf -H "Authorization: Bearer $1" -X POST --data-binary "$3" "http://127.0.0.1:$port/api/v1$2"; }
id_of() { grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$'; }

# The registry: one producer, 10 products each with a 4-star certificate,
# 5 lots each; then 2,000 serials per lot, timed as a producer would
# allocate them.
evaluation='{"number":"NUMBER","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
details='"net_quantity":"500 ml","ingredients":"Cá cơm, muối biển","origin":"Việt Nam","usage":"Dùng trực tiếp hoặc pha chấm","storage":"Nơi khô ráo, thoáng mát"'
producer=$(api "$admin" /producers '{"name":"HTX Thủy sản Hàm Tiến","address":"Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận","kind":"cooperative","phone":"0252 3847 123"}' | id_of)
lot_ids=()
for p in $(seq 1 $((LOTS / LOTS_PER_PRODUCT))); do
    gtin=$("$OCOPTRACE" gs1 check-digit "$(printf '8931234567%02d' "$p")")
    product=$(api "$admin" /products "{\"producer_id\":$producer,\"name\":\"Nước mắm Phan Thiết 40 độ đạm số $p\",\"group\":\"food\",\"gtin\":\"$gtin\",$details}" | id_of)
    api "$officer" "/products/$product/evaluations" "${evaluation/NUMBER/OCOP-BENCH-$p}" >/dev/null
    for l in $(seq 1 $LOTS_PER_PRODUCT); do
        lot_ids+=("$(api "$admin" "/products/$product/lots" "{\"code\":\"L2025P${p}N$l\",\"produced\":\"2025-03-01\",\"expires\":\"2027-03-01\"}" | id_of)")
    done
done
paths_of() { grep -o '"uri": *"[^"]*"' | cut -d'"' -f4 | sed 's#^https\?://[^/]*##'; }
started=$(now)
for lot in "${lot_ids[@]}"; do
    api "$admin" "/lots/$lot/serials" "{\"count\":$SERIALS_PER_LOT}" | paths_of >>"$work/paths"
done
allocated=$(now)
serials=$(sort -u "$work/paths" | wc -l)
if [ "$serials" -ne $((LOTS * SERIALS_PER_LOT)) ]; then
    echo "FAIL: $serials distinct serials allocated, expected $((LOTS * SERIALS_PER_LOT))" >&2
    exit 1
fi
# One more serial, outside the random set, whose answers give the files'
# size and which is the hot URL.
# A copy of the registry as it stands, for the run without journeys; then
# each lot's journey (an area, its input, three steps of the journal) as a
# producer records it, which every scan page and JSON answer shows.
"$OCOPTRACE" db backup "$work/no-journey.db" --db "$work/bench.db" >/dev/null
area=$(api "$admin" /areas "{\"producer_id\":$producer,\"name\":\"Vùng khai thác cá cơm Hàm Tiến\",\"code\":\"BTH-HT-01\",\"certifications\":[\"VietGAP\"]}" | id_of)
for lot in "${lot_ids[@]}"; do
    input=$(api "$admin" /inputs "{\"producer_id\":$producer,\"code\":\"CA-$lot\",\"material\":\"Cá cơm\",\"quantity\":1000,\"unit\":\"kg\",\"harvested\":\"2025-02-20\",\"received\":\"2025-02-21\",\"area_id\":$area}" | id_of)
    api "$admin" "/lots/$lot/inputs" "{\"input_id\":$input,\"quantity\":600}" >/dev/null
    for step in processing packing inspecting; do
        api "$admin" "/lots/$lot/events" "{\"step\":\"$step\",\"at\":\"2025-02-25T08:00:00+07:00\",\"place\":\"Xưởng chế biến Hàm Tiến\"}" >/dev/null
    done
done
hot=$(api "$admin" "/lots/${lot_ids[0]}/serials" '{"count":1}' | paths_of)
curl -sf -H 'Accept: application/json' "http://127.0.0.1:$port$hot" >"$work/answer.json"
curl -sf -H 'Accept: text/html' "http://127.0.0.1:$port$hot" >"$work/answer.html"

# The registry is written: the daemon starts again on it, as it would
# after a restart, so that the runs with and without journeys begin alike
# (the setup's WAL checkpointed, no page cached in the daemon).
kill "$server"
wait "$server" 2>/dev/null || true
sqlite3 "$work/bench.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
"$OCOPTRACE" serve --db "$work/bench.db" --listen 127.0.0.1:$port 2>>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done

# nginx with a distinct file for every path (the query is not part of a
# file's name), one tree of the JSON answer's size and one of the HTML's.
# nginx's workers run as another user when it is started as root.
chmod 755 "$work"
write_started=$(now)
/usr/bin/python3 - "$work" <<'PY'
import os, sys
work = sys.argv[1]
paths = [line.split("?")[0] for line in open(f"{work}/paths").read().split()]
for kind in ("json", "html"):
    body = open(f"{work}/answer.{kind}", "rb").read()
    for path in paths:
        name = f"{work}/www/{kind}{path}"
        os.makedirs(os.path.dirname(name), exist_ok=True)
        with open(name, "wb") as out:
            out.write(body)
PY
written=$(now)
hot_file=${hot%%\?*}
cp "$work/answer.json" "$work/www/json$hot_file"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server { listen 127.0.0.1:$nginx_json; root $work/www/json; default_type application/json; }
    server { listen 127.0.0.1:$nginx_html; root $work/www/html; default_type "text/html; charset=utf-8"; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$nginx_json$hot_file" && break; sleep 0.1; done

# run NAME URL HEADER [PATHS]: prints "requests/s p99_ms"; with PATHS each
# request is a random line of that file. Marks the run failed when any
# answer is not 200.
run() {
    local target=("$2")
    [ $# -ge 4 ] && target=(-s "$here/random_paths.lua" "$2" -- "$4")
    wrk -t2 -c64 -d"${SECONDS_EACH}s" --latency -H "$3" "${target[@]}" >"$work/$1.out" 2>&1
    local rps p99 bad
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/$1.out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$work/$1.out")
    bad=$(awk '/^not 200:|^socket errors:/ { n += $NF } /Non-2xx or 3xx responses:|Socket errors:/ { n += 1 } END { print n + 0 }' "$work/$1.out")
    if [ -z "$rps" ] || [ "$bad" -ne 0 ]; then
        {
            echo "FAIL: $1: answers not 200 or socket errors:"
            cat "$work/$1.out"
        } >&2
        touch "$work/failed"
    fi
    echo "${rps:-0} ${p99:-0}"
}
row() { printf '%-40s %12.0f %10.2f %8.2f\n' "$1" "$2" "$3" "$(echo "$2 / $4" | bc -l)"; }
# goal NAME RPS P99 NGINX_RPS
goal() {
    local verdict="not met"
    if [ "$(echo "$2 >= 0.5 * $4 && $3 < 10" | bc -l)" -eq 1 ]; then verdict=met; fi
    printf 'goal: >= 0.5x nginx, p99 < 10 ms (%s): %s\n' "$1" "$verdict"
}

echo "HTTP on loopback, wrk 2 threads, 64 connections, ${SECONDS_EACH}s each, $(nproc) cores"
printf 'set-up: %d serials over %d lots in %.1f s (%.0f a second, %d per request); nginx files written in %.1f s\n' \
    "$serials" $LOTS "$(echo "$allocated - $started" | bc -l)" \
    "$(echo "$serials / ($allocated - $started)" | bc -l)" $SERIALS_PER_LOT \
    "$(echo "$written - $write_started" | bc -l)"
printf '%-40s %12s %10s %8s\n' target requests/s "p99 (ms)" "x nginx"
for kind in JSON HTML; do
    accept="Accept: application/json" port_of_nginx=$nginx_json size=$(stat -c %s "$work/answer.json")
    [ $kind = HTML ] && accept="Accept: text/html" port_of_nginx=$nginx_html size=$(stat -c %s "$work/answer.html")
    read -r n_rps n_p99 < <(run "nginx-random-$kind" "http://127.0.0.1:$port_of_nginx" "$accept" "$work/paths")
    row "nginx, random of 100,000 files ($size B)" "$n_rps" "$n_p99" "$n_rps"
    read -r rps p99 < <(run "resolver-random-$kind" "http://127.0.0.1:$port" "$accept" "$work/paths")
    row "ocoptrace resolver $kind, random serial" "$rps" "$p99" "$n_rps"
    [ $kind = JSON ] && rps_json=$rps n_rps_json=$n_rps
    goal "resolver $kind, random serial" "$rps" "$p99" "$n_rps"
done
# The same random JSON scans on the registry without journeys, by a
# daemon of its own: the journey is kept with each lot's answer, so it
# should cost the resolver nothing.
journey_rps=$rps_json
kill "$server"
wait "$server" 2>/dev/null || true
"$OCOPTRACE" serve --db "$work/no-journey.db" --listen 127.0.0.1:$port 2>"$work/serve-no-journey.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
read -r rps p99 < <(run "resolver-no-journey" "http://127.0.0.1:$port" "Accept: application/json" "$work/paths")
row "ocoptrace resolver JSON, no journeys" "$rps" "$p99" "$n_rps_json"
printf 'the journey on the page: %.2fx the rate without\n' "$(echo "$journey_rps / $rps" | bc -l)"
kill "$server"
wait "$server" 2>/dev/null || true
"$OCOPTRACE" serve --db "$work/bench.db" --listen 127.0.0.1:$port 2>>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
read -r n_rps n_p99 < <(run nginx-hot "http://127.0.0.1:$nginx_json$hot_file" "Accept: application/json")
row "nginx, one file ($(stat -c %s "$work/answer.json") B)" "$n_rps" "$n_p99" "$n_rps"
for target in "resolver JSON, one URL|http://127.0.0.1:$port$hot|Accept: application/json" \
    "resolver HTML, one URL|http://127.0.0.1:$port$hot|Accept: text/html" \
    "qr.png|http://127.0.0.1:$port/api/v1/products/1/qr.png|Authorization: Bearer $admin"; do
    IFS='|' read -r name url header <<<"$target"
    read -r rps p99 < <(run "${name//[ ,]/-}" "$url" "$header")
    row "ocoptrace $name" "$rps" "$p99" "$n_rps"
done
if [ -e "$work/failed" ]; then
    echo "FAIL: some answers were not 200 (above)" >&2
    exit 1
fi
