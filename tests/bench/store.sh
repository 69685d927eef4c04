#!/usr/bin/env bash
# Benchmark, not a test: the store on SQLite and on PostgreSQL, on this
# machine in the same run. For each of SQLite with one daemon, PostgreSQL
# with one daemon and PostgreSQL with two daemons on one database:
# registrations a second (4,000 products imported as CSV, 200 a request),
# serials allocated a second (100,000 over 50 lots, 2,000 a request), and
# the resolver on real traffic (each request a random one of those serials,
# JSON). Two clients at once throughout (two curl loops, two wrk of 32
# connections): with two daemons each takes one. Ratios against SQLite.
# PostgreSQL is a cluster of its own (tests/pg/cluster.sh) with fsync and
# full pages on and commits not each waited for, as SQLite's WAL with
# synchronous=NORMAL keeps them. Fails if any answer is not 2xx.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
SECONDS_EACH=${BENCH_STORE_SECONDS:-8}
PRODUCTS=4000 CHUNK=200 LOTS=50 SERIALS_PER_LOT=2000
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-store-bench.XXXXXX")
. "$here/../pg/cluster.sh"
cleanup() {
    stop_all
    pg_cluster_stop
    rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
PG_CLUSTER_DURABLE=1 pg_cluster_start

# start URL NAME: a daemon on URL at a free port, printed.
start() {
    local port=$((20000 + RANDOM % 20000))
    "$OCOPTRACE" serve --db "$1" --listen 127.0.0.1:$port >/dev/null 2>"$work/$2.log" &
    echo $! >>"$work/pids"
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
    echo "$port"
}
# Every daemon started so far (start runs in a subshell of its caller, so
# the list is the file): stopped, and gone before the next measurement.
stop_all() {
    local pids
    pids=$(cat "$work/pids" 2>/dev/null || true)
    [ -n "$pids" ] && kill $pids 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 $pids 2>/dev/null || break
        sleep 0.1
    done
    : >"$work/pids"
}
# api PORT TOKEN PATH BODY [CONTENT-TYPE]: the answer's body; fails unless 2xx.
api() {
    curl -sf -H "Authorization: Bearer $2" -H "Content-Type: ${5:-application/json}" -X POST \
        --data-binary "$4" "http://127.0.0.1:$1/api/v1$3"
}
id_of() { grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$'; }
paths_of() { grep -o '"uri": *"[^"]*"' | cut -d'"' -f4 | sed 's#^https\?://[^/]*##'; }

# The CSV chunks of products, the same for every backend.
/usr/bin/python3 - "$work" $PRODUCTS $CHUNK <<'PY'
import sys
work, total, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def gtin(n):
    body = "0894%09d" % n
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)
for c in range(total // chunk):
    with open(f"{work}/chunk-{c:03d}.csv", "w", encoding="utf-8") as out:
        out.write("producer_id,name,group,gtin\n")
        for i in range(c * chunk, (c + 1) * chunk):
            out.write(f"1,Sản phẩm đăng ký số {i},food,{gtin(i)}\n")
PY

# in_two NAME PORT_A PORT_B COMMAND: COMMAND run as two clients at once,
# the first with PORT_A and the odd items, the second with PORT_B and the
# even ones (COMMAND PORT INDEX... for its items); seconds taken, printed.
in_two() {
    local name=$1 a=$2 b=$3 started
    shift 3
    started=$(now)
    "$@" "$a" 0 >"$work/$name.0" &
    local first=$!
    "$@" "$b" 1 >"$work/$name.1" &
    local second=$!
    wait $first && wait $second || { echo "FAIL: $name: an answer was not 2xx" >&2; exit 1; }
    echo "$(now) - $started" | bc -l
}
# import PORT HALF: the chunks of one half.
import() {
    local c=0 f
    for f in "$work"/chunk-*.csv; do
        [ $((c++ % 2)) -eq "$2" ] || continue
        api "$1" "$admin" /import/products "@$f" text/csv >/dev/null || return 1
    done
}
# allocate PORT HALF: the serials of one half of the lots, their paths.
allocate() {
    local i=0 lot
    for lot in "${lot_ids[@]}"; do
        [ $((i++ % 2)) -eq "$2" ] || continue
        api "$1" "$admin" "/lots/$lot/serials" "{\"count\":$SERIALS_PER_LOT}" | paths_of || return 1
    done
}
# resolve PORT_A PORT_B: two wrk at once, 32 connections each, random
# serials; "requests/s p99_ms" summed and the worse p99.
resolve() {
    local run
    for run in 0 1; do
        local port=$1
        [ $run = 1 ] && port=$2
        wrk -t1 -c32 -d"${SECONDS_EACH}s" --latency -H "Accept: application/json" \
            -s "$here/random_paths.lua" "http://127.0.0.1:$port" -- "$work/paths" "$run" >"$work/wrk.$run" 2>&1 &
    done
    wait
    cat "$work/wrk.0" "$work/wrk.1" >>"$work/wrk.all"
    if grep -q -e 'Non-2xx or 3xx responses:' -e 'Socket errors:' "$work/wrk.0" "$work/wrk.1"; then
        echo "FAIL: resolver: answers not 200 or socket errors" >&2
        cat "$work/wrk.0" "$work/wrk.1" >&2
        exit 1
    fi
    awk '/^Requests\/sec:/ { rps += $2 }
         $1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } if (v > p99) p99 = v }
         END { printf "%.0f %.2f\n", rps, p99 }' "$work/wrk.0" "$work/wrk.1"
}

# measure NAME URL DAEMONS: the three figures on a new database; prints
# "registrations/s serials/s resolver_rps p99".
measure() {
    local name=$1 url=$2 daemons=$3
    admin=$("$OCOPTRACE" user add --role admin bench --db "$url" | tail -n 1)
    local officer a b
    officer=$("$OCOPTRACE" user add --role officer canbo --db "$url" | tail -n 1)
    a=$(start "$url" "$name-a")
    b=$a
    [ "$daemons" = 2 ] && b=$(start "$url" "$name-b")
    local producer
    producer=$(api "$a" "$admin" /producers '{"name":"HTX Thủy sản Hàm Tiến","address":"Phường Hàm Tiến, Phan Thiết","kind":"cooperative"}' | id_of)
    local took imported allocated
    took=$(in_two "$name-import" "$a" "$b" import)
    imported=$(echo "$PRODUCTS / $took" | bc -l)
    # The registry the scans read: 10 certified products of 5 lots each.
    local evaluation='{"number":"NUMBER","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
    lot_ids=()
    for p in $(seq 1 $((LOTS / 5))); do
        local gtin product
        gtin=$("$OCOPTRACE" gs1 check-digit "$(printf '8931234567%02d' "$p")")
        product=$(api "$a" "$admin" /products "{\"producer_id\":$producer,\"name\":\"Nước mắm Phan Thiết số $p\",\"group\":\"food\",\"gtin\":\"$gtin\",\"net_quantity\":\"500 ml\"}" | id_of)
        api "$a" "$officer" "/products/$product/evaluations" "${evaluation/NUMBER/OCOP-BENCH-$p}" >/dev/null
        for l in 1 2 3 4 5; do
            lot_ids+=("$(api "$a" "$admin" "/products/$product/lots" "{\"code\":\"L${p}N$l\",\"produced\":\"2025-03-01\"}" | id_of)")
        done
    done
    took=$(in_two "$name-serials" "$a" "$b" allocate)
    cat "$work/$name-serials.0" "$work/$name-serials.1" >"$work/paths"
    local count
    count=$(sort -u "$work/paths" | wc -l)
    if [ "$count" -ne $((LOTS * SERIALS_PER_LOT)) ]; then
        echo "FAIL: $name: $count distinct serials, expected $((LOTS * SERIALS_PER_LOT))" >&2
        exit 1
    fi
    allocated=$(echo "$count / $took" | bc -l)
    local rps p99
    read -r rps p99 < <(resolve "$a" "$b")
    stop_all
    echo "$imported $allocated $rps $p99"
}

sqlite_url=sqlite:$work/bench.db
psql -X -q -d postgres -c "CREATE DATABASE bench_one" -c "CREATE DATABASE bench_two"
one_url="postgresql:///bench_one?host=$PGHOST&user=$PGUSER"
two_url="postgresql:///bench_two?host=$PGHOST&user=$PGUSER"
read -r s_imp s_ser s_rps s_p99 < <(measure sqlite "$sqlite_url" 1)
read -r o_imp o_ser o_rps o_p99 < <(measure pg-one "$one_url" 1)
read -r t_imp t_ser t_rps t_p99 < <(measure pg-two "$two_url" 2)

echo "the store: SQLite and PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version'), $(nproc) cores, two clients at once"
printf '%-34s %14s %14s %14s %9s\n' "" "registrations/s" "serials/s" "resolver req/s" "p99 (ms)"
line() { printf '%-34s %14.0f %14.0f %14.0f %9.2f\n' "$@"; }
ratio() { printf '%-34s %14.2f %14.2f %14.2f\n' "$1" "$(echo "$2 / $s_imp" | bc -l)" "$(echo "$3 / $s_ser" | bc -l)" "$(echo "$4 / $s_rps" | bc -l)"; }
line "SQLite, one daemon" "$s_imp" "$s_ser" "$s_rps" "$s_p99"
line "PostgreSQL, one daemon" "$o_imp" "$o_ser" "$o_rps" "$o_p99"
line "PostgreSQL, two daemons" "$t_imp" "$t_ser" "$t_rps" "$t_p99"
ratio "PostgreSQL, one daemon (x SQLite)" "$o_imp" "$o_ser" "$o_rps"
ratio "PostgreSQL, two daemons (x SQLite)" "$t_imp" "$t_ser" "$t_rps"
printf '%-34s %14.2f %14.2f %14.2f\n' "two daemons (x one, PostgreSQL)" \
    "$(echo "$t_imp / $o_imp" | bc -l)" "$(echo "$t_ser / $o_ser" | bc -l)" "$(echo "$t_rps / $o_rps" | bc -l)"
met=met
for r in "$o_imp / $s_imp" "$o_ser / $s_ser" "$o_rps / $s_rps"; do
    [ "$(echo "$r >= 0.5" | bc -l)" -eq 1 ] || met="not met"
done
echo "goal: PostgreSQL with one daemon >= 0.5x SQLite on each: $met"
met=met
for r in "$t_imp / $o_imp" "$t_ser / $o_ser" "$t_rps / $o_rps"; do
    [ "$(echo "$r > 1" | bc -l)" -eq 1 ] || met="not met"
done
echo "goal: two daemons faster than one on each: $met"
