#!/usr/bin/env bash
# Benchmark, not a test: requests per second and p99 latency of the
# resolver (JSON and HTML) and of qr.png, with wrk on loopback at 64
# connections, beside nginx serving a static file of the same size in the
# same run. Prints each and the ratio to nginx.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
SECONDS_EACH=${BENCH_HTTP_SECONDS:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-http-bench.XXXXXX")
port=$((20000 + RANDOM % 20000))
nginx_port=$((port + 1))
cleanup() {
    kill "${server:-}" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

admin=$("$OCOPTRACE" user add --role admin bench --db "$work/bench.db" | tail -n 1)
"$OCOPTRACE" serve --db "$work/bench.db" --listen 127.0.0.1:$port 2>/dev/null &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
api() { curl -s -H "Authorization: Bearer $admin" -X POST --data-binary "$2" "http://127.0.0.1:$port/api/v1$1"; }
api /producers '{"name":"HTX Hàm Tiến","address":"Khu phố 5, phường Hàm Tiến","kind":"cooperative"}' >/dev/null
api /products '{"producer_id":1,"name":"Nước mắm Phan Thiết","group":"food","gtin":"08931234567897"}' >/dev/null
api /products/1/lots '{"code":"L2025A","produced":"2025-03-01","expires":"2027-03-01"}' >/dev/null
uri=$(api /lots/1/serials '{"count":1}' | grep -o '"uri":"[^"]*"' | cut -d'"' -f4)
path=${uri#https://truyxuatsanphambinhthuan.vn}
path=${path%%\?*}

# nginx with a static file the size of the resolver's JSON answer.
mkdir -p "$work/www"
curl -s -H 'Accept: application/json' "http://127.0.0.1:$port$path" >"$work/www/static.json"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/static.json" && break; sleep 0.1; done

# run NAME URL [HEADER]: "requests/s p99_ms"
run() {
    local header=()
    [ $# -ge 3 ] && header=(-H "$3")
    wrk -t2 -c64 -d"${SECONDS_EACH}s" --latency "${header[@]}" "$2" >"$work/$1.out" 2>&1
    local rps p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/$1.out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$work/$1.out")
    echo "$rps $p99"
}

echo "HTTP on loopback, wrk 2 threads, 64 connections, ${SECONDS_EACH}s each, $(nproc) cores"
printf '%-34s %12s %10s %8s\n' target requests/s "p99 (ms)" "x nginx"
read -r nginx_rps nginx_p99 < <(run nginx "http://127.0.0.1:$nginx_port/static.json")
printf '%-34s %12.0f %10.2f %8s\n' "nginx static ($(stat -c %s "$work/www/static.json") B)" "$nginx_rps" "$nginx_p99" "1.00"
for target in "resolver JSON|http://127.0.0.1:$port$path|Accept: application/json" \
    "resolver HTML|http://127.0.0.1:$port$path|Accept: text/html" \
    "qr.png|http://127.0.0.1:$port/api/v1/products/1/qr.png|Authorization: Bearer $admin"; do
    IFS='|' read -r name url header <<<"$target"
    read -r rps p99 < <(run "${name// /-}" "$url" "$header")
    printf '%-34s %12.0f %10.2f %8.2f\n' "ocoptrace $name" "$rps" "$p99" "$(echo "$rps / $nginx_rps" | bc -l)"
done
