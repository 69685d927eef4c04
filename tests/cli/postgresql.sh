#!/usr/bin/env bash
# What only PostgreSQL has: several daemons on one database. Serials
# allocated at once on two daemons are all distinct; the outbox is
# delivered once by key while one of the daemons is SIGKILLed part-way (the
# other takes its claims over when their lease runs out); scans made on
# both count together, and each daemon's answers count exactly the scans
# it took itself, whichever writer wrote last; a change on one is what the
# other's resolver answers; a session signed in on one works, and is ended,
# on the other, as does an API token; two daemons migrating a new database at
# the same moment, a reload beside a running daemon, and a schema newer
# than the program refused while a running daemon goes on. Then `db copy`
# from a SQLite installation built through the API into PostgreSQL (counts,
# the same answers from a daemon on the copy, a second copy refused) and
# back; and `db backup` refused on PostgreSQL, naming pg_dump.
# Run with OCOPTRACE_BACKEND=postgresql and a cluster (tests/pg/cluster.sh);
# otherwise it has nothing to check.
suite=cli-postgresql
. "$(dirname "$0")/../lib.sh"
suite=cli-postgresql # not cli-postgresql-postgresql: it runs only there
if [ "${OCOPTRACE_BACKEND:-sqlite}" != postgresql ]; then
    finish
    exit $?
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
cd "$scratch"

id_of() { grep -o '"id":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2; }
# gtin N: a GTIN-14 (prefix 0 893) with its GS1 mod-10 check digit.
gtin() {
    local body sum=0 i
    body=$(printf '0893%09d' "$1")
    for i in $(seq 0 12); do
        sum=$((sum + ${body:i:1} * (i % 2 == 0 ? 3 : 1)))
    done
    printf '%s%d' "$body" $(((10 - sum % 10) % 10))
}
stop_all() { kill $daemons ${receivers:-} 2>/dev/null; }
trap 'stop_all; rm -rf "$scratch"' EXIT

logs=()
# serve NAME DB [ARGS...]: start_daemon, its base, pid and log kept as
# NAME_base, NAME_pid and NAME_log.
serve() {
    local name=$1
    shift
    start_daemon "$@"
    trap 'stop_all; rm -rf "$scratch"' EXIT
    printf -v "${name}_base" '%s' "$base"
    printf -v "${name}_pid" '%s' "$pid"
    printf -v "${name}_log" '%s' "$daemon_log"
    [ "$name" = N ] || logs+=("$daemon_log")
}
# on NAME COMMAND...: COMMAND with $base that of daemon NAME.
on() {
    local was=$base
    local -n where=${1}_base
    base=$where
    "${@:2}"
    local rc=$?
    base=$was
    return $rc
}
# stop NAME: SIGTERM, and wait for it to end.
stop() {
    local -n p=${1}_pid
    kill -TERM "$p" 2>/dev/null
    wait "$p" 2>/dev/null
}
healthz() { curl -s "$1/healthz"; }

# The first database: an admin, an officer, a producer; two daemons on it.
db=$scratch/main.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES ('HTX Một', 'Xã Hàm Mỹ', 'cooperative')"
# 127.0.0.1 a trusted proxy: a scan's network is that of X-Forwarded-For.
printf '[server]\ntrusted_proxies = 127.0.0.1\n' >main.conf
serve A "$db" --config main.conf
serve B "$db" --config main.conf

# ---------- (1) serials allocated at once on both daemons ----------
got=$(call "$admin" POST /api/v1/products "{\"producer_id\":1,\"name\":\"Thanh long ruột đỏ\",\"group\":\"food\",\"gtin\":\"$(gtin 1)\"}")
expect_equal "1: product" "${got%% *}" 201
P1=$(id_of "$got")
got=$(call "$admin" POST /api/v1/products/$P1/lots '{"code":"L1","produced":"2025-03-01","expires":"2027-03-01"}')
expect_equal "1: lot" "${got%% *}" 201
L1=$(id_of "$got")
mkdir -p serials
jobs_started=()
for i in $(seq 1 10); do
    for d in A B; do
        b=${d}_base
        curl -s -o "serials/$d$i.json" -w '%{http_code}' -H "Authorization: Bearer $admin" \
            --data-binary '{"count":50}' "${!b}/api/v1/lots/$L1/serials" >"serials/$d$i.status" &
        jobs_started+=($!)
    done
done
wait "${jobs_started[@]}"
expect_equal "1: every answer 201" "$(for f in serials/*.status; do cat "$f"; echo; done | sort | uniq -c | tr -s ' ')" " 20 201"
"$PY" - serials/*.json >serials.got <<'EOF'
import json, sys
for f in sys.argv[1:]:
    try:
        for s in json.load(open(f))["serials"]:
            print(s["serial"])
    except Exception as e:
        print("unreadable", f, e)
EOF
expect_equal "1: 1,000 serials returned, all distinct" "$(wc -l <serials.got) $(sort -u serials.got | wc -l)" "1000 1000"
expect_equal "1: the database holds them, once each" \
    "$(sqlite3 "$db" "SELECT count(*), count(DISTINCT serial) FROM serials WHERE lot_id = $L1")" "1000|1000"
sqlite3 "$db" "SELECT serial FROM serials WHERE lot_id = $L1 ORDER BY serial" >serials.db
sort serials.got | cmp -s - serials.db && pass || fail "1: the serials answered are those stored"

# ---------- (2) the outbox, delivered once while a daemon is SIGKILLed ----------
# The receiver stands in for the remote (see sync.sh); registrations of
# products need no EPCIS schema.
receivers=
start_receiver() {
    "$PY" "$root/tests/sync/receiver.py" --port 0 --state "$scratch/remote.state" \
        --token remote-secret >remote.out 2>remote.err &
    rpid=$!
    receivers="$receivers $rpid"
    if ! wait_for 10 grep -q '^listening [0-9]' remote.out; then
        fail "2: the receiver did not start: $(tail -n 5 remote.err)"
        finish
        exit 1
    fi
    rbase=http://127.0.0.1:$(sed -n 's/^listening //p' remote.out)
}
rget() { curl -s "$rbase/_deliveries" | jget "$1"; }
control() {
    local got
    got=$(curl -s -o /dev/null -w '%{http_code}' -d "$1" "$rbase/_control")
    [ "$got" = 200 ] || fail "receiver control $1: $got"
}
start_receiver
# A small timeout_s: a claim's lease (2 × timeout_s + 5 s) runs out in 9 s.
printf '[sync]\nendpoint = %s\ntoken = remote-secret\ntimeout_s = 2\nbackoff_ms = 50\nbackoff_max_s = 1\nmax_attempts = 1000\n' \
    "$rbase" >sync.conf
sdb=$scratch/sync.db
sadmin=$("$OCOPTRACE" user add --role admin root --db "$sdb" | tail -n 1)
sqlite3 "$sdb" "INSERT INTO producers (name, address, kind) VALUES ('HTX Hai', 'Phan Thiết', 'cooperative')"
serve SA "$sdb" --config sync.conf
serve SB "$sdb" --config sync.conf
# Slow answers keep both workers' slots full, and deliveries in flight when
# A is killed.
control '{"mode":"slow","seconds":0.5}'
csv_rows() {
    local i
    printf 'producer_id,name,group,gtin\n'
    for i in $(seq "$1" $(($1 + $2 - 1))); do
        printf '1,Sản phẩm số %d,food,%s\n' "$i" "$(gtin $((1000 + i)))"
    done
}
csv_rows 1 150 >a.csv
csv_rows 151 150 >b.csv
expect_equal "2: 150 imported through A" "$(on SA status "$sadmin" POST /api/v1/import/products @a.csv -H 'Content-Type: text/csv')" 201
expect_equal "2: 150 imported through B" "$(on SB status "$sadmin" POST /api/v1/import/products @b.csv -H 'Content-Type: text/csv')" 201
expect_equal "2: 300 products" "$(sqlite3 "$sdb" "SELECT count(*) FROM products")" 300
# A worker's name on its claims holds its process id.
claimed_by() { sqlite3 "$sdb" "SELECT count(*) FROM outbox WHERE claimed_by LIKE '%-$1-%' AND state = '$2'"; }
both_sent() { [ "$(claimed_by "$SA_pid" delivered)" -gt 0 ] && [ "$(claimed_by "$SB_pid" delivered)" -gt 0 ]; }
wait_for 20 both_sent && pass ||
    fail "2: both daemons delivered some: A $(claimed_by "$SA_pid" delivered), B $(claimed_by "$SB_pid" delivered)"
# Killed while it holds deliveries: between two claims (a slow machine, a
# sanitizer build) it may hold none for a moment.
a_holds() { [ "$(claimed_by "$SA_pid" pending)" -gt 0 ]; }
wait_for 20 a_holds
kill -KILL "$SA_pid"
wait "$SA_pid" 2>/dev/null
at_kill=$(rget 'd["new"]')
[ "$at_kill" -lt 300 ] && pass || fail "2: killed part-way: $at_kill of 300 already delivered"
# What A held when it died: sent, or about to be, but not recorded.
held=$(claimed_by "$SA_pid" pending)
by_a=$(claimed_by "$SA_pid" delivered)
[ "$held" -ge 1 ] && [ "$held" -le 32 ] && pass || fail "2: A held 1 to 32 deliveries when killed: $held"
control '{"mode":"ok"}'
all_arrived() { [ "$(rget 'd["new"]')" -ge 300 ]; }
settled() { [ "$(sqlite3 "$sdb" "SELECT count(*) FROM outbox WHERE state <> 'delivered'")" = 0 ]; }
wait_for 60 all_arrived && wait_for 10 settled && pass ||
    fail "2: all arrive through B: $(rget 'd["new"]') of 300; outbox: $(sqlite3 "$sdb" "SELECT state, count(*) FROM outbox GROUP BY 1" | tr '\n' ' ')"
curl -s "$rbase/_deliveries?records=1" >records.json
sqlite3 "$sdb" "SELECT id FROM products ORDER BY id" >ids.want
jget '"\n".join(str(i) for i in sorted({r["body"]["product"]["id"] for r in d["records"] if r["path"].endswith("/products")}))' \
    <records.json >ids.got
cmp -s ids.want ids.got && pass || fail "2: every product's registration arrived: $(diff ids.want ids.got | head -n 4)"
expect_equal "2: each key new once" "$(jget '(d["new"], len(d["keys"]), len({r["key"] for r in d["records"]}))' <records.json)" \
    "(300, 300, 300)"
repeats=$(jget 'd["repeats"]' <records.json)
[ "$repeats" -le "$held" ] && pass || fail "2: repeats at most the $held A held when killed: $repeats"
expect_equal "2: nothing invalid or refused" "$(jget '(d["invalid"], d["unauthorized"], d["errors"])' <records.json)" "(0, 0, [])"
expect_equal "2: no row left undelivered" "$(sqlite3 "$sdb" "SELECT count(*) FROM outbox WHERE state <> 'delivered'")" 0
expect_equal "2: B counts them delivered" \
    "$(curl -s -H "Authorization: Bearer $sadmin" "$SB_base/api/v1/sync" | jget '(d["delivered"], d["pending"], d["retrying"], d["dead"])')" \
    "(300, 0, 0, 0)"
expect_equal "2: B delivered what A had not recorded" \
    "$(claimed_by "$SA_pid" delivered) $(claimed_by "$SB_pid" delivered)" "$by_a $((300 - by_a))"
stop SB
[ ! -s remote.err ] && pass || fail "2: receiver errors: $(head -n 5 remote.err)"

# ---------- (3) scans on both count together ----------
serial=$(head -n 1 serials.got)
link=/01/$(gtin 1)/10/L1/21/$serial
# scan NAME [FILE]: the serial's code scanned through daemon NAME; prints
# "STATUS VERDICT SCANS", the answer kept in FILE (scan.json).
scan() {
    local b=${1}_base file=${2:-scan.json}
    curl -s -o "$file" -w '%{http_code} ' -H 'Accept: application/json' "${!b}$link"
    jget '"%s %s" % (d.get("verdict"), d.get("scans"))' <"$file" 2>/dev/null || echo "not-json"
}
scans_of() { sqlite3 "$db" "SELECT count(*) FROM scans WHERE serial = '$1'"; }
has_scans() { [ "$(scans_of "$1")" -ge "$2" ]; }
# Three through A and two through B, each waiting for the one before to be
# written (behind, within milliseconds), so that each answer counts them all.
n=0
for d in A B A B A; do
    n=$((n + 1))
    expect_equal "3: scan $n through $d" "$(scan $d)" "200 genuine $n"
    wait_for 5 has_scans "$serial" $n || fail "3: scan $n written within 5 s: $(scans_of "$serial") rows"
done
expect_equal "3: the scans table holds five for it" "$(scans_of "$serial")" 5
expect_equal "3: the serial counts five" \
    "$(sqlite3 "$db" "SELECT scans FROM serials WHERE lot_id = $L1 AND serial = '$serial'")" 5
# At once this time, on another serial: the count is whole once written.
serial2=$(sed -n 2p serials.got)
link=/01/$(gtin 1)/10/L1/21/$serial2
jobs_started=()
for i in 1 2 3 4 5; do
    d=$([ $i -le 3 ] && echo A || echo B)
    scan $d scan-$i.json >scan-$i.out &
    jobs_started+=($!)
done
wait "${jobs_started[@]}"
expect_equal "3: five scans at once, all answered" "$(cut -d' ' -f1,2 scan-*.out | sort | uniq -c | tr -s ' ')" " 5 200 genuine"
wait_for 5 has_scans "$serial2" 5 || fail "3: five scans at once written within 5 s: $(scans_of "$serial2") rows"
expect_equal "3: then through B, the sixth" "$(scan B)" "200 genuine 6"
expect_equal "3: then through A, the seventh" "$(scan A)" "200 genuine 7"
wait_for 5 has_scans "$serial2" 7
expect_equal "3: the scans table holds seven" "$(scans_of "$serial2")" 7
# A daemon's answers count exactly the scans it took itself, whatever its
# writer is doing (store/scans.c): here after the other daemon's writer
# committed batches of its own, so that the batch number both keep in meta
# was last written by A. Scans one after another through B on one
# connection, of a serial nobody else scans, each from a network of its
# own (X-Forwarded-For, 127.0.0.1 a trusted proxy): the answers count 1 to
# 20 scans from as many networks, and the 20 networks are recorded.
unit() { echo "$1/01/$(gtin 1)/10/L1/21/$2"; }
# advance FIRST LAST: serials FIRST to LAST scanned through A, far enough
# apart to be batches of their own of A's writer; the last written.
advance() {
    local s
    for s in $(sed -n "$1,$2p" serials.got); do
        curl -s -o /dev/null -H 'Accept: application/json' "$(unit "$A_base" "$s")"
        sleep 0.02
    done
    wait_for 5 has_scans "$s" 1
}
# burst NAME SERIAL N: N scans of SERIAL through daemon NAME on one
# connection, from networks 10.1.0.0/24 to 10.N.0.0/24; prints
# "SCANS/NETWORKS" of each answer.
burst() {
    local b=${1}_base args=() i
    for i in $(seq 1 "$3"); do
        [ $i -gt 1 ] && args+=(--next)
        args+=(-s -H 'Accept: application/json' -H "X-Forwarded-For: 10.$i.0.1" -w '\n' "$(unit "${!b}" "$2")")
    done
    curl "${args[@]}" | "$PY" -c 'import json, sys
print(" ".join("%s/%s" % (d.get("scans"), d.get("networks")) for d in map(json.loads, filter(None, sys.stdin))))'
}
networks_of() {
    sqlite3 "$db" "SELECT count(*) FROM (SELECT network FROM serial_networks WHERE serial = '$1'
        UNION SELECT first_network FROM serials WHERE serial = '$1' AND first_network IS NOT NULL) n"
}
# A round would miss a miscount when no scan comes while B's first batch
# is being committed: three rounds.
for round in 1 2 3; do
    advance $((10 + round * 30)) $((29 + round * 30))
    one=$(sed -n "$((200 + round))p" serials.got)
    expect_equal "3: round $round: 20 scans through B, one after another, from 20 networks" \
        "$(burst B "$one" 20)" "$(echo $(for i in $(seq 1 20); do echo "$i/$i"; done))"
    wait_for 5 has_scans "$one" 20
    expect_equal "3: round $round: the 20 scans and their networks written" \
        "$(scans_of "$one") $(networks_of "$one")" "20 20"
done
# What A changes, B's resolver answers at once (the registry's version).
expect_equal "3: renamed on A" "$(on A status "$admin" PATCH /api/v1/products/$P1 '{"name":"Thanh long Hàm Thuận Nam"}')" 200
curl -s -H 'Accept: application/json' "$B_base$link" >scan.json
expect_equal "3: B's resolver names it anew" "$(jget 'd["product"]["name"]' <scan.json)" "Thanh long Hàm Thuận Nam"

# ---------- (4) sessions and tokens work on either daemon ----------
echo "mật khẩu cán bộ 2025" | "$OCOPTRACE" user add --role officer --password thanhtra --db "$db" >/dev/null
# web NAME JAR METHOD PATH [curl args...]: prints "STATUS"; the body in page.
web() {
    local b=${1}_base
    curl -s -b "$2" -c "$2" -o page -X "$3" -w '%{http_code}' "${@:5}" "${!b}$4"
}
csrf_of_page() { grep -o 'name="csrf" value="[^"]*"' page | cut -d'"' -f4; }
web A jar GET /sign-in >/dev/null
expect_equal "4: signed in on A" "$(web A jar POST /sign-in --data-urlencode "name=thanhtra" \
    --data-urlencode "password=mật khẩu cán bộ 2025" --data-urlencode "csrf=$(csrf_of_page)")" 303
grep -q ocop_session jar && pass || fail "4: a session cookie"
cp jar jar-copy
expect_equal "4: the session on B" "$(web B jar GET /api/v1/session)" 200
session=$(jget '"%s %s %s" % (d["user"]["name"], d["user"]["role"], d["csrf"])' <page 2>/dev/null)
[[ $session == "thanhtra officer "?* ]] && pass || fail "4: B names the user: $(head -c 300 page)"
csrf=${session##* }
expect_equal "4: and on A" "$(web A jar GET /api/v1/session)" 200
expect_equal "4: B takes a change with the session's CSRF token" \
    "$(web B jar PATCH /api/v1/producers/1 -H "X-CSRF-Token: $csrf" --data-binary '{"phone":"0252 3822 000"}')" 200
expect_equal "4: signed out on B" "$(web B jar POST /sign-out --data-urlencode "csrf=$csrf")" 303
expect_equal "4: the cookie no longer works on A" "$(web A jar-copy GET /api/v1/session)" 401
expect_equal "4: nor on B" "$(web B jar-copy GET /api/v1/products)" 401
got=$(on A call "$admin" POST /api/v1/users '{"name":"canbo2","role":"officer"}')
expect_equal "4: a token made on A" "${got%% *}" 201
token=$(jget 'd["token"]' <<<"${got#* }")
expect_equal "4: works on B" "$(on B status "$token" GET /api/v1/producers)" 200
expect_equal "4: as an officer on B" "$(on B status "$token" GET /api/v1/users)" 403

# ---------- (5) migrations and restarts while others run ----------
# (a) Two daemons started at the same moment on a new database.
known=$(healthz "$A_base" | jget 'd["schema"]')
fresh=$(pg_database_url "$scratch/fresh.db")
expect_equal "5a: a database with no table yet" \
    "$(sqlite3 "$fresh" "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")" 0
fresh_ok=0
for attempt in 1 2 3; do
    p1=$((20000 + RANDOM % 30000))
    p2=$((20000 + RANDOM % 30000))
    "$OCOPTRACE_REAL" serve --db "$fresh" --listen 127.0.0.1:$p1 2>fresh1.log &
    F1_pid=$!
    "$OCOPTRACE_REAL" serve --db "$fresh" --listen 127.0.0.1:$p2 2>fresh2.log &
    F2_pid=$!
    daemons="$daemons $F1_pid $F2_pid"
    up() { healthz "http://127.0.0.1:$1" | grep -q '"status":"ok"'; }
    if wait_for 20 up $p1 && wait_for 20 up $p2; then
        fresh_ok=1
        break
    fi
    # A port taken by something else: again on others.
    kill $F1_pid $F2_pid 2>/dev/null
    wait $F1_pid $F2_pid 2>/dev/null
    grep -qi 'address\|port\|listen' fresh1.log fresh2.log || break
done
if [ $fresh_ok = 1 ]; then
    pass
    logs+=("$scratch/fresh1.log" "$scratch/fresh2.log")
    expect_equal "5a: the same schema on both" \
        "$(healthz "http://127.0.0.1:$p1") $(healthz "http://127.0.0.1:$p2")" \
        "{\"status\":\"ok\",\"schema\":$known} {\"status\":\"ok\",\"schema\":$known}"
else
    fail "5a: both daemons up on a new database: $(tail -n 3 fresh1.log) / $(tail -n 3 fresh2.log)"
fi
expect_equal "5a: each version recorded once" \
    "$(sqlite3 "$fresh" "SELECT count(*), count(DISTINCT version), max(version) FROM schema_migrations")" \
    "$((known - 10))|$((known - 10))|$known"
expect_equal "5a: each daemon serves" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p2/api/v1/products")" 401
kill -TERM $F1_pid $F2_pid 2>/dev/null
wait $F1_pid $F2_pid 2>/dev/null

# (b) SIGHUP to a daemon while another serves the same database.
printf '[server]\ntrusted_proxies = 127.0.0.1\nbase_url = https://truyxuat.example.vn\n' >a.conf
stop A
serve A "$db" --config a.conf
products_of() { on "$1" call "$admin" GET /api/v1/products | head -c 3; }
kill -HUP "$A_pid"
reloaded() { grep -q 'configuration reloaded' "$A_log"; }
wait_for 5 reloaded && pass || fail "5b: A reloads: $(tail -n 3 "$A_log")"
expect_equal "5b: A still answers" "$(healthz "$A_base") $(products_of A)" "{\"status\":\"ok\",\"schema\":$known} 200"
expect_equal "5b: B still answers" "$(healthz "$B_base") $(products_of B)" "{\"status\":\"ok\",\"schema\":$known} 200"
expect_equal "5b: a change on A after the reload" \
    "$(on A status "$admin" PATCH /api/v1/producers/1 '{"phone":"0252 3822 111"}')" 200

# (c) A schema newer than the program: refused at start; a daemon already
# running goes on.
newer=$scratch/newer.db
serve N "$newer"
sqlite3 "$newer" "INSERT INTO schema_migrations (version) VALUES (999)"
"$OCOPTRACE" serve --db "$newer" --listen 127.0.0.1:$((20000 + RANDOM % 30000)) 2>refused.log &
refused_pid=$!
gone() { ! kill -0 $refused_pid 2>/dev/null; }
if wait_for 10 gone; then
    wait $refused_pid
    code=$?
    [ $code -ne 0 ] && pass || fail "5c: a daemon on a newer schema exits non-zero: $code"
else
    kill $refused_pid
    fail "5c: a daemon on a newer schema refuses to start"
fi
grep -q "schema version 999; this ocoptrace knows $known" refused.log && pass ||
    fail "5c: the refusal names the versions: $(cat refused.log)"
# More requests at once than the daemon has threads (twice the cores):
# each thread answers, not only those that had served before.
jobs_started=()
for i in $(seq 1 24); do
    path=/healthz
    [ $i -gt 16 ] && path=/api/v1/products
    curl -s -o /dev/null -w "$path %{http_code}\n" "$N_base$path" >"health-$i.out" &
    jobs_started+=($!)
done
wait "${jobs_started[@]}"
expect_equal "5c: the running daemon still answers" "$(cat health-*.out | sort | uniq -c | tr -s ' ')" \
    " 8 /api/v1/products 401
 16 /healthz 200"
stop N

# ---------- (6) db copy: SQLite to PostgreSQL and back ----------
src=$scratch/source.sqlite
real() { "$OCOPTRACE_REAL" "$@"; }
cadmin=$(real user add --role admin root --db "$src" | tail -n 1)
cofficer=$(real user add --role officer canbo --db "$src" | tail -n 1)
OCOPTRACE=$OCOPTRACE_REAL serve S "$src"
[ -f "$src" ] && [ "$(command sqlite3 "$src" 'PRAGMA journal_mode')" = wal ] && pass || fail "6: the source is a SQLite file"
got=$(on S call "$cadmin" POST /api/v1/producers '{"name":"HTX Ba","address":"Xã Tiến Lợi","kind":"cooperative"}')
expect_equal "6: a producer" "${got%% *}" 201
CP=$(id_of "$got")
on S status "$cadmin" POST /api/v1/producers '{"name":"Cơ sở Bốn","address":"Phan Thiết","kind":"household"}' >/dev/null
details='"net_quantity":"500 ml","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"'
got=$(on S call "$cadmin" POST /api/v1/products "{\"producer_id\":$CP,\"name\":\"Nước mắm Phan Thiết\",\"group\":\"food\",\"gtin\":\"$(gtin 7)\",$details}")
expect_equal "6: a product with details" "${got%% *}" 201
CPR=$(id_of "$got")
on S status "$cadmin" POST /api/v1/products "{\"producer_id\":$CP,\"name\":\"Mắm ruốc\",\"group\":\"food\",$details}" >/dev/null
got=$(on S call "$cadmin" POST /api/v1/products/$CPR/lots '{"code":"NM2025","produced":"2025-03-01","expires":"2027-03-01"}')
CL=$(id_of "$got")
got=$(on S call "$cadmin" POST /api/v1/lots/$CL/serials '{"count":12}')
expect_equal "6: serials" "${got%% *}" 201
cserial=$(jget 'd["serials"][0]["serial"]' <<<"${got#* }")
evaluation='{"number":"OCOP-COPY-0001","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
got=$(on S call "$cofficer" POST /api/v1/products/$CPR/evaluations "$evaluation")
expect_equal "6: a certificate" "${got%% *}" 201
CC=$(id_of "$got")
curl -s -H "Authorization: Bearer $cadmin" -o qr.png "$S_base/api/v1/products/$CPR/qr.png"
got=$(on S call "$cadmin" POST /api/v1/products/$CPR/photos @qr.png -H 'Content-Type: image/png')
expect_equal "6: a photo" "${got%% *}" 201
CPH=$(jget 'd["id"]' <<<"${got#* }")
clink=/01/$(gtin 7)/10/NM2025/21/$cserial
for i in 1 2 3; do curl -s -o /dev/null -H 'Accept: application/json' "$S_base$clink"; done
# answers NAME DIR: what daemon NAME answers, one file each.
answers() {
    local b=${1}_base
    mkdir -p "$2"
    curl -s -H "Authorization: Bearer $cadmin" "${!b}/api/v1/products" >"$2/products"
    curl -s -H "Authorization: Bearer $cadmin" "${!b}/api/v1/products/$CPR" >"$2/product"
    curl -s -H "Authorization: Bearer $cadmin" "${!b}/api/v1/lots/$CL" >"$2/lot"
    curl -s -H "Authorization: Bearer $cadmin" "${!b}/api/v1/certificates/$CC" >"$2/certificate"
    curl -s -H "Authorization: Bearer $cadmin" "${!b}/api/v1/producers" >"$2/producers"
    curl -s -H 'Accept: application/json' "${!b}/c/OCOP-COPY-0001" >"$2/certificate-page"
    curl -s -H 'Accept: application/json' "${!b}$clink" >"$2/resolver"
    curl -s "${!b}/photos/$CPH.jpg" >"$2/photo.jpg"
}
answers S before
stop S
command sqlite3 "$src" "SELECT count(*) FROM scans" | grep -qx 4 && pass || fail "6: the source's four scans written"

copy_url=$(pg_database_url "$scratch/copy.db")
real db copy --from "sqlite:$src" --to "$copy_url" >copy.out 2>copy.err
expect_equal "6: db copy: exit" "$?" 0
tables=$(awk 'NF == 3 { print $1 }' copy.out)
[ "$(wc -w <<<"$tables")" -ge 20 ] && pass || fail "6: db copy prints each table: $(cat copy.out copy.err)"
grep -q '^copied [0-9]* rows of [0-9]* tables; every table counts the same on both sides$' copy.out && pass ||
    fail "6: db copy says it copied: $(tail -n 2 copy.out)"
# counts_of KIND DB: "table count" of each table db copy listed.
counts_of() {
    local t
    for t in $tables; do
        if [ "$1" = sqlite ]; then
            echo "$t $(command sqlite3 "$2" "SELECT count(*) FROM $t")"
        else
            echo "$t $(sqlite3 "$2" "SELECT count(*) FROM $t")"
        fi
    done
}
awk 'NF == 3 { print $1, $2 }' copy.out >copy.from
awk 'NF == 3 { print $1, $3 }' copy.out >copy.to
counts_of sqlite "$src" >source.counts
counts_of postgresql "$scratch/copy.db" >copy.counts
cmp -s copy.from copy.to && pass || fail "6: the printed counts agree: $(diff copy.from copy.to | head -n 4)"
cmp -s copy.from source.counts && pass || fail "6: as the SQLite file counts: $(diff copy.from source.counts | head -n 4)"
cmp -s copy.to copy.counts && pass || fail "6: as PostgreSQL counts: $(diff copy.to copy.counts | head -n 4)"
empty_tables=$(for t in producers products lots serials evaluations certificates product_photos scans users tokens outbox; do
    grep -qx "$t [1-9][0-9]*" copy.to || echo "$t"
done)
expect_equal "6: the tables built through the API copied with rows" "$empty_tables" ""
serve C "$scratch/copy.db"
answers C after
# jdiff A B [KEY...]: where two JSON documents differ, a line each, KEYs
# of the top object left out. Objects compare as JSON: whatever the order
# of their members (PostgreSQL orders a product's details otherwise).
jdiff() {
    "$PY" - "$@" <<'EOF'
import json, sys
def walk(a, b, at):
    if type(a) != type(b) or not isinstance(a, (dict, list)):
        if a != b:
            print("%s: %r, now %r" % (at or "/", a, b))
        return
    if isinstance(a, list) and len(a) != len(b):
        print("%s: %d items, now %d" % (at or "/", len(a), len(b)))
    for k in sorted(set(a) ^ set(b)) if isinstance(a, dict) else ():
        print("%s/%s: on one side only" % (at, k))
    for k in sorted(set(a) & set(b)) if isinstance(a, dict) else range(min(len(a), len(b))):
        walk(a[k], b[k], "%s/%s" % (at, k))
try:
    docs = [json.load(open(f)) for f in sys.argv[1:3]]
except ValueError as e:
    sys.exit("not JSON: %s" % e)
for d in docs:
    for k in sys.argv[3:]:
        d.pop(k, None)
walk(docs[0], docs[1], "")
EOF
}
# same NAME A B [KEY...]: A and B are the same JSON, but for KEYs.
same() {
    local out
    out=$(jdiff "${@:2}" 2>&1)
    [ -z "$out" ] && pass || fail "$1: $(head -n 4 <<<"$out")"
}
for f in products product lot certificate producers certificate-page; do
    same "6: $f as before" before/$f after/$f
done
# Each scan counts: the serial's count differs.
same "6: the resolver as before, but for the scan count" before/resolver after/resolver scans
expect_equal "6: the serial scanned once more" "$(jget 'd["scans"]' <after/resolver)" $(($(jget 'd["scans"]' <before/resolver) + 1))
[ -s before/photo.jpg ] && cmp -s before/photo.jpg after/photo.jpg && pass || fail "6: the photo's bytes as before"
got=$(on C call "$cadmin" POST /api/v1/products "{\"producer_id\":$CP,\"name\":\"Nước mắm nhĩ\",\"group\":\"food\"}")
new_id=$(id_of "$got")
[ "${got%% *}" = 201 ] && [ "$new_id" -gt "$(command sqlite3 "$src" 'SELECT max(id) FROM products')" ] && pass ||
    fail "6: a new product on the copy gets a new id: $got"
stop C

# A second copy into it is refused and changes nothing.
counts_of postgresql "$scratch/copy.db" >again.before
real db copy --from "sqlite:$src" --to "$copy_url" >again.out 2>again.err
expect_equal "6: a second copy: exit" "$?" 1
grep -q 'the destination holds data' again.err && pass || fail "6: a second copy says why: $(cat again.err)"
counts_of postgresql "$scratch/copy.db" >again.after
cmp -s again.before again.after && pass || fail "6: a refused copy changes nothing: $(diff again.before again.after | head -n 4)"
real db copy --from "sqlite:$src" >noto.out 2>noto.err
expect_equal "6: db copy without --to: exit" "$?" 2
grep -q -- '--to' noto.err && pass || fail "6: without --to, says so: $(cat noto.err)"

# And back, into a new SQLite file.
back=$scratch/back.sqlite
real db copy --from "$copy_url" --to "sqlite:$back" >back.out 2>back.err
expect_equal "6: copy back: exit" "$?" 0
awk 'NF == 3 { print $1, $2 }' back.out >back.from
awk 'NF == 3 { print $1, $3 }' back.out >back.to
counts_of postgresql "$scratch/copy.db" >pg.counts
counts_of sqlite "$back" >back.counts
cmp -s back.from pg.counts && cmp -s back.to back.counts && cmp -s back.from back.to && pass ||
    fail "6: copied back, the counts match: $(diff pg.counts back.counts | head -n 4)"
expect_equal "6: the copy back is sound" "$(command sqlite3 "$back" 'PRAGMA integrity_check; PRAGMA foreign_key_check' | tr '\n' ' ')" "ok "

# ---------- (7) db backup on PostgreSQL ----------
"$OCOPTRACE" db backup "$scratch/backup.db" --db "$db" >backup.out 2>backup.err
expect_equal "7: db backup: exit" "$?" 1
grep -q 'pg_dump' backup.err && pass || fail "7: db backup names pg_dump: $(cat backup.err)"
[ ! -e "$scratch/backup.db" ] && pass || fail "7: no backup file written"

# No daemon said anything but that it served, reloaded and stopped: no
# statement refused, no scans or deliveries left unwritten. (N's refusals
# of the newer schema are (5c)'s.)
for log in "${logs[@]}"; do
    said=$(grep -e '^ocoptrace:' -e '^postgresql' "$log" | grep -v -e '^ocoptrace: serving ' \
        -e '^ocoptrace: configuration reloaded' -e '^ocoptrace: [A-Za-z ]*: stopping$' | head -n 3)
    expect_equal "the log of daemon $(basename "$log" .log)" "$said" ""
done
finish
