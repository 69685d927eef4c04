#!/usr/bin/env bash
# The client behind a reverse proxy, with a real nginx in front as the
# README deploys it (X-Forwarded-For from $proxy_add_x_forwarded_for):
# with [server] trusted_proxies, scans from different clients count as
# different networks and the copied-label verdict fires; without it they
# all come from the proxy; forwarding headers from an untrusted peer, or a
# client's own through the proxy, change nothing; failed sign-ins through
# the proxy slow down only the failing network; the request log names the
# client; and the same over IPv6, to nginx on [::1] and to the daemon on
# [::1]. Bad trusted_proxies entries are refused at start.
suite=cli-proxy
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/proxy.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)
ipv6=1
if ! ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128'; then
    ipv6=0
    echo "SKIP $suite: no ::1 on this machine ('ip -6 addr' does not list it): the IPv6 cases are not run" >&2
fi

# Bad entries are refused at start, naming the key and the entry.
while IFS='|' read -r value want; do
    printf '[server]\ntrusted_proxies = %s\n' "$value" >"$scratch/bad.conf"
    got=$("$OCOPTRACE" serve --config "$scratch/bad.conf" --db "$db" --listen 127.0.0.1:1 2>&1)
    code=$?
    [[ $code -eq 2 && $got == *"config [server] trusted_proxies: $want"* ]] && pass ||
        fail "trusted_proxies = $value: refused with '$want' (exit $code): $got"
done <<'ROWS'
127.0.0.1/32, 10.0.0.1/8|'10.0.0.1/8' has address bits set past its /8
::1/128 localhost|'localhost' is not an address or address/prefix
10.0.0.0/33|'10.0.0.0/33' needs a prefix of 0 to 32 bits after '/'
2001:db8::/129|'2001:db8::/129' needs a prefix of 0 to 128 bits after '/'
ROWS

verdict='[verdict]
networks = 3
window_hours = 1
scans = 4'
printf '[server]\ntrusted_proxies = 127.0.0.1/32\n%s\n' "$verdict" >"$scratch/trusted.conf"
printf '%s\n' "$verdict" >"$scratch/plain.conf"
printf '[server]\ntrusted_proxies = ::1/128\n%s\n' "$verdict" >"$scratch/v6.conf"

start_daemon "$db" --config "$scratch/trusted.conf"
trusted_port=$port trusted_pid=$pid trusted_log=$daemon_log
sqlite3 "$db" "INSERT INTO producers (name, kind) VALUES ('HTX Một', 'cooperative')"
call "$admin" POST /api/v1/products '{"producer_id":1,"name":"Nước mắm","group":"food","gtin":"08931234567897","net_quantity":"500 ml","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"}' >/dev/null
call "$admin" POST /api/v1/products/1/lots '{"code":"L1","produced":"2025-03-01","expires":"2027-03-01"}' >/dev/null
paths=$(call "$admin" POST /api/v1/lots/1/serials '{"count":8}' | grep -o '"uri":"[^"]*"' | cut -d'"' -f4 |
    sed 's|^https://[^/]*||; s|?.*||')
serial() { sed -n "$1p" <<<"$paths"; }
start_daemon "$db" --config "$scratch/plain.conf"
plain_port=$port plain_pid=$pid plain_log=$daemon_log

# The daemon on [::1], trusting only ::1, behind nginx over IPv6.
v6_port= v6_pid= v6_log=$scratch/daemon-v6.log
if [ "$ipv6" = 1 ]; then
    for attempt in 1 2 3 4 5; do
        v6_port=$((20000 + RANDOM % 30000))
        "$OCOPTRACE" serve --db "$db" --config "$scratch/v6.conf" --listen "[::1]:$v6_port" 2>"$v6_log" &
        v6_pid=$!
        for _ in $(seq 1 50); do
            curl -gs -o /dev/null "http://[::1]:$v6_port/healthz" && break
            kill -0 $v6_pid 2>/dev/null || break
            sleep 0.1
        done
        kill -0 $v6_pid 2>/dev/null && break
    done
    kill -0 $v6_pid 2>/dev/null && pass || fail "the daemon listens on [::1]: $(tail -n 3 "$v6_log")"
    daemons="$daemons $v6_pid"
fi

# nginx as a user deploys it, everything of its own under $scratch:
# A (trusted daemon) on 127.0.0.1 and [::1], B (plain daemon) on
# 127.0.0.1, C (the [::1] daemon) on 127.0.0.1.
mkdir -p "$scratch/nginx/tmp"
start_nginx() {
    local v6_listen= v6_server=
    [ "$ipv6" = 1 ] && v6_listen="listen [::1]:$proxy_a;" && v6_server="
    server {
        listen 127.0.0.1:$proxy_c;
        location / { proxy_pass http://[::1]:$v6_port; }
    }"
    cat >"$scratch/nginx/nginx.conf" <<CONF
user $(id -un) $(id -gn);
worker_processes 1;
daemon off;
pid $scratch/nginx/nginx.pid;
error_log $scratch/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $scratch/nginx/tmp/body;
    proxy_temp_path $scratch/nginx/tmp/proxy;
    fastcgi_temp_path $scratch/nginx/tmp/fastcgi;
    uwsgi_temp_path $scratch/nginx/tmp/uwsgi;
    scgi_temp_path $scratch/nginx/tmp/scgi;
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    server {
        listen 127.0.0.1:$proxy_a;
        $v6_listen
        location / { proxy_pass http://127.0.0.1:$trusted_port; }
    }
    server {
        listen 127.0.0.1:$proxy_b;
        location / { proxy_pass http://127.0.0.1:$plain_port; }
    }$v6_server
}
CONF
    nginx -p "$scratch/nginx" -c "$scratch/nginx/nginx.conf" 2>>"$scratch/nginx/stderr" &
    nginx_pid=$!
}
for attempt in 1 2 3 4 5; do
    proxy_a=$((20000 + RANDOM % 30000)) proxy_b=$((20000 + RANDOM % 30000)) proxy_c=$((20000 + RANDOM % 30000))
    start_nginx
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$proxy_b/healthz" && break
        kill -0 $nginx_pid 2>/dev/null || break
        sleep 0.1
    done
    kill -0 $nginx_pid 2>/dev/null && break
done
if ! kill -0 $nginx_pid 2>/dev/null; then
    fail "nginx did not start: $(tail -n 5 "$scratch/nginx/error.log" "$scratch/nginx/stderr" 2>/dev/null)"
    finish
    exit 1
fi
daemons="$daemons $nginx_pid"
trap 'kill $daemons 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"' EXIT

# scan PORT FROM PATH [HEADER...]: the JSON answer to a scan through nginx's
# PORT (or, as direct:PORT, to the daemon itself) from the local address
# FROM (127.0.X.1, or ::1 to reach nginx over IPv6).
scan() {
    local target=$1 from=$2 path=$3 host=127.0.0.1
    shift 3
    [[ $from == *:* ]] && host='[::1]'
    curl -gs -H 'Accept: application/json' --interface "$from" "$@" "http://$host:${target#direct:}$path"
}
field() { grep -o "\"$1\":\"\{0,1\}[^\",}]*" | head -n 1 | sed 's/.*://; s/"//'; }
networks_of() { sqlite3 "$db" "SELECT group_concat(network, ' ') FROM (SELECT DISTINCT network FROM scans WHERE serial = '${1##*/}' ORDER BY network)"; }

# Each row: the proxy (A trusts it, B does not, C is the IPv6 daemon's), the
# serial, the client, and the verdict, scans and networks that answer.
while read -r proxy n from want; do
    case $proxy in A) target=$proxy_a ;; B) target=$proxy_b ;; C) target=$proxy_c ;; esac
    if [[ $proxy == C || $from == *:* ]] && [ "$ipv6" = 0 ]; then continue; fi
    got=$(scan "$target" "$from" "$(serial "$n")")
    expect_equal "through $proxy from $from, serial $n" \
        "$(field verdict <<<"$got") $(field scans <<<"$got") $(field networks <<<"$got")" "$want"
done <<'ROWS'
A 1 127.0.11.1 genuine 1 1
A 1 127.0.12.1 genuine 2 2
A 1 127.0.13.1 genuine 3 3
A 1 127.0.11.1 suspicious 4 3
B 2 127.0.11.1 genuine 1 1
B 2 127.0.12.1 genuine 2 1
B 2 127.0.13.1 genuine 3 1
B 2 127.0.11.1 genuine 4 1
B 2 127.0.14.1 genuine 5 1
A 4 ::1 genuine 1 1
A 4 127.0.11.1 genuine 2 2
A 4 127.0.12.1 genuine 3 3
A 4 ::1 suspicious 4 3
C 5 127.0.41.1 genuine 1 1
C 5 127.0.42.1 genuine 2 2
C 5 127.0.43.1 genuine 3 3
C 5 127.0.41.1 suspicious 4 3
ROWS
expect_equal "trusted: each client's network kept" "$(networks_of "$(serial 1)")" \
    "127.0.11.0/24 127.0.12.0/24 127.0.13.0/24"
expect_equal "not trusted: the proxy's network only" "$(networks_of "$(serial 2)")" "127.0.0.0/24"
if [ "$ipv6" = 1 ]; then
    expect_equal "IPv6 client through nginx on [::1]" "$(networks_of "$(serial 4)")" \
        "0000:0000:0000::/48 127.0.11.0/24 127.0.12.0/24"
    expect_equal "IPv6 peer trusted by ::1/128" "$(networks_of "$(serial 5)")" \
        "127.0.41.0/24 127.0.42.0/24 127.0.43.0/24"
fi

# Nobody can pretend to be another network: forwarding headers sent to the
# daemon from a peer not trusted, or by a client through the proxy.
while read -r spoof; do
    scan "direct:$trusted_port" 127.0.21.1 "$(serial 3)" -H "X-Forwarded-For: $spoof" \
        -H "Forwarded: for=$spoof" >/dev/null
    scan "$proxy_a" 127.0.22.1 "$(serial 3)" -H "X-Forwarded-For: $spoof" >/dev/null
    # nginx passes a client's Forwarded on untouched, beside the
    # X-Forwarded-For it sets: two clients named, neither believed.
    scan "$proxy_a" 127.0.23.1 "$(serial 7)" -H "Forwarded: for=$spoof" >/dev/null
done <<'ROWS'
198.51.100.7
203.0.113.9
127.0.0.1
127.0.31.1, 198.51.100.8
ROWS
got=$(scan "$proxy_a" 127.0.22.1 "$(serial 3)")
expect_equal "spoofed headers: two networks, still genuine" \
    "$(field verdict <<<"$got") $(field networks <<<"$got")" "genuine 2"
expect_equal "spoofed headers: the real clients' networks" "$(networks_of "$(serial 3)")" \
    "127.0.21.0/24 127.0.22.0/24"
expect_equal "a client's own Forwarded through nginx: the proxy, not what it names" \
    "$(networks_of "$(serial 7)")" "127.0.0.0/24"
# Forwarded (RFC 7239), from the trusted proxy's address, over a real socket.
scan "direct:$trusted_port" 127.0.0.1 "$(serial 6)" -H 'Forwarded: for="[2001:db8:cafe::17]:4711";proto=https' >/dev/null
scan "direct:$trusted_port" 127.0.0.1 "$(serial 6)" -H 'Forwarded: for=unknown' >/dev/null
expect_equal "Forwarded from a trusted peer; 'unknown' is the peer" "$(networks_of "$(serial 6)")" \
    "127.0.0.0/24 2001:0db8:cafe::/48"

# Failed token sign-ins through the proxy: only the failing network waits.
# sign_in PORT FROM TOKEN: the status of the form's answer.
sign_in() {
    local jar=$scratch/jar-$2-$1
    curl -s -b "$jar" -c "$jar" -o "$scratch/page" --interface "$2" "http://127.0.0.1:$1/sign-in"
    local csrf
    csrf=$(grep -o 'name="csrf" value="[^"]*"' "$scratch/page" | cut -d'"' -f4)
    curl -s -b "$jar" -c "$jar" -o "$scratch/page" -w '%{http_code}' --interface "$2" \
        --data-urlencode "token=$3" --data-urlencode "csrf=$csrf" "http://127.0.0.1:$1/sign-in"
}
while read -r proxy from token want why; do
    case $proxy in A) target=$proxy_a ;; B) target=$proxy_b ;; esac
    [ "$token" = right ] && token=$officer
    expect_equal "sign-in through $proxy from $from: $why" "$(sign_in "$target" "$from" "$token")" "$want"
done <<'ROWS'
A 127.0.31.1 oct_wrong1 401 a wrong token
A 127.0.31.1 oct_wrong2 401 a wrong token
A 127.0.31.1 oct_wrong3 401 a wrong token
A 127.0.31.1 right 429 the failing network waits
A 127.0.32.1 right 303 another network does not
B 127.0.33.1 oct_wrong1 401 a wrong token
B 127.0.33.1 oct_wrong2 401 a wrong token
B 127.0.33.1 oct_wrong3 401 a wrong token
B 127.0.34.1 right 429 not trusted: everyone waits
ROWS

# The request log names the client (written out at SIGTERM).
kill -TERM $trusted_pid $plain_pid ${v6_pid:+$v6_pid}
wait $trusted_pid $plain_pid ${v6_pid:+$v6_pid}
while IFS='|' read -r log pattern why; do
    [ "$ipv6" = 0 ] && [[ $why == *IPv6* ]] && continue
    grep -qE "$pattern" "${!log}" && pass || fail "request log: $why: no line '$pattern' in $(grep -c . "${!log}") lines"
done <<ROWS
trusted_log|^GET $(serial 1) 200 [0-9]+us 127\.0\.12\.1$|the client through the proxy
trusted_log|^GET $(serial 4) 200 [0-9]+us ::1$|an IPv6 client through nginx on [::1]
trusted_log|^GET $(serial 3) 200 [0-9]+us 127\.0\.21\.1$|the untrusted peer, not its header
trusted_log|^GET $(serial 6) 200 [0-9]+us 2001:db8:cafe::17$|the Forwarded client
trusted_log|^POST /sign-in 429 [0-9]+us 127\.0\.31\.1$|the throttled client
plain_log|^GET $(serial 2) 200 [0-9]+us 127\.0\.0\.1$|the proxy when it is not trusted
v6_log|^GET $(serial 5) 200 [0-9]+us 127\.0\.42\.1$|the client behind an IPv6 peer
ROWS
grep -qE "198\.51\.100|203\.0\.113" "$trusted_log" && fail "a spoofed address reached the log" || pass
finish
