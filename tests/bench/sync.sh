#!/usr/bin/env bash
# Benchmark, not a test: how fast registrations reach the traceability
# system. First the stand-in remote's own capacity (tests/sync/receiver.py),
# wrk posting product registrations straight at it over 32 keep-alive
# connections (as many as the daemon keeps in flight), each request with
# its own Idempotency-Key; then the daemon end to end: N products in one
# CSV import, timed from the request until the receiver has every one.
# Prints both rates, the ratio, and whether the goal (1,000 a second end to
# end) is met.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_SYNC_PRODUCTS:-5000}
SECONDS_EACH=${BENCH_SYNC_SECONDS:-10}
GOAL=1000
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-sync-bench.XXXXXX")
cleanup() {
    kill "${server:-}" "${receiver:-}" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

start_receiver() {
    : >"$work/receiver.out"
    /usr/bin/python3 "$root/tests/sync/receiver.py" --token bench >"$work/receiver.out" 2>"$work/receiver.err" &
    receiver=$!
    for _ in $(seq 1 100); do grep -q '^listening' "$work/receiver.out" && break; sleep 0.05; done
    rport=$(sed -n 's/^listening //p' "$work/receiver.out")
    [ -n "$rport" ] || { echo "the receiver did not start: $(cat "$work/receiver.err")" >&2; exit 1; }
}
delivered() { curl -s "http://127.0.0.1:$rport/_deliveries" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["new"])'; }

# ---------- the receiver alone ----------
start_receiver
# A body the size of a real registration (the daemon's product and producer).
cat >"$work/post.lua" <<'LUA'
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("id", threads)
end
local n = 0
local body = '{"product":{"id":1,"producer_id":1,"name":"Nước mắm Phan Thiết 40 độ đạm",' ..
    '"group":"food","gtin":"08931234567897","net_quantity":"500 ml","ingredients":"Cá cơm, muối",' ..
    '"origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"},"producer":{"id":1,' ..
    '"name":"HTX Hàm Tiến","address":"Khu phố 5, phường Hàm Tiến","kind":"cooperative"}}'
function request()
    n = n + 1
    return wrk.format("POST", "/products", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer bench",
        ["Idempotency-Key"] = "bench-" .. id .. "-" .. n,
    }, body)
end
LUA
wrk -t2 -c32 -d"${SECONDS_EACH}s" -s "$work/post.lua" "http://127.0.0.1:$rport" >"$work/wrk.out" 2>&1
receiver_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.out")
# Only the 201s count: a run whose answers were not all new is no measure.
non2xx=$(awk '/Non-2xx/ { print $NF }' "$work/wrk.out")
new=$(delivered)
kill "$receiver"
wait "$receiver" 2>/dev/null || true

# ---------- the daemon end to end ----------
start_receiver
admin=$("$OCOPTRACE" user add --role admin bench --db "$work/bench.db" | tail -n 1)
sqlite3 "$work/bench.db" "INSERT INTO producers (name, address, kind) VALUES ('HTX Hàm Tiến', 'Khu phố 5, phường Hàm Tiến', 'cooperative')"
printf '[sync]\nendpoint = http://127.0.0.1:%s\ntoken = bench\n' "$rport" >"$work/bench.conf"
port=$((20000 + RANDOM % 20000))
"$OCOPTRACE" serve --db "$work/bench.db" --config "$work/bench.conf" --listen 127.0.0.1:$port 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
# N products, each a distinct GTIN-14 with its GS1 check digit.
/usr/bin/python3 - "$N" >"$work/products.csv" <<'EOF'
import sys
print("producer_id,name,group,gtin")
for i in range(1, int(sys.argv[1]) + 1):
    body = "0893%09d" % (500000 + i)
    total = sum(int(c) * (3 if k % 2 == 0 else 1) for k, c in enumerate(body))
    print("1,Nước mắm Phan Thiết số %d,food,%s%d" % (i, body, (10 - total % 10) % 10))
EOF
start=$(date +%s%N)
status=$(curl -s -o "$work/import.out" -w '%{http_code}' -H "Authorization: Bearer $admin" \
    -H 'Content-Type: text/csv' --data-binary @"$work/products.csv" \
    "http://127.0.0.1:$port/api/v1/import/products")
committed=$(date +%s%N)
[ "$status" = 201 ] || { echo "the import failed: $status $(head -c 300 "$work/import.out")" >&2; exit 1; }
got=0
for _ in $(seq 1 1200); do # 120 s at most
    got=$(delivered)
    [ "$got" -ge "$N" ] && break
    sleep 0.05
done
done_at=$(date +%s%N)
[ "$got" -ge "$N" ] || { echo "only $got of $N delivered in 120 s" >&2; exit 1; }

e2e_s=$(echo "($done_at - $start) / 1000000000" | bc -l)
import_s=$(echo "($committed - $start) / 1000000000" | bc -l)
e2e_rps=$(echo "$N / $e2e_s" | bc -l)
echo "Pushing registrations on loopback, $(nproc) cores"
printf '%-62s %12s\n' what per-second
printf '%-62s %12.0f\n' "receiver alone: wrk, 32 connections, ${SECONDS_EACH}s ($new new, ${non2xx:-0} not 2xx)" "$receiver_rps"
printf '%-62s %12.0f\n' "end to end: $N products, import to all delivered" "$e2e_rps"
printf '%-62s %12.2f\n' "ratio end to end / receiver" "$(echo "$e2e_rps / $receiver_rps" | bc -l)"
printf 'import committed in %.2f s, all delivered %.2f s after the request\n' "$import_s" "$e2e_s"
if [ "$(echo "$e2e_rps >= $GOAL" | bc)" = 1 ]; then
    echo "goal met: at least $GOAL registrations a second end to end"
else
    echo "goal NOT met: under $GOAL registrations a second end to end"
fi
