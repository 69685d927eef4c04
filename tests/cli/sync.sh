#!/usr/bin/env bash
# Pushing registrations to the provincial traceability system: the daemon
# against tests/sync/receiver.py, a stand-in for the remote that checks
# EPCIS documents against the official schema and counts each
# Idempotency-Key. Products, serials and certificates arrive once each;
# the remote down, failing (500, 429 with Retry-After), slow past the
# timeout or dropping connections delays them but loses or doubles none;
# 1,000 registrations survive the daemon killed part-way; a refused one is
# parked as a dead letter and sent again on `sync retry`; a self-signed
# remote needs ca_file; without an endpoint the outbox only fills.
suite=cli-sync
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
receiver_py=$root/tests/sync/receiver.py
schema=$root/../shared/schemas/EPCIS-JSON-Schema.json
PY=/usr/bin/python3
if [ ! -f "$schema" ]; then
    fail "the EPCIS schema is at $schema"
    finish
    exit 1
fi

cd "$scratch"
db=$scratch/sync.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Thanh long Hàm Thuận Nam', 'Xã Hàm Minh, huyện Hàm Thuận Nam', 'cooperative')"


# ---------- the receiver ----------
# start_receiver NAME PORT [ARGS...]: the receiver on PORT (0: any), its
# state kept in $scratch/NAME.state. Sets rpid, rport and rbase.
receivers=
start_receiver() {
    local name=$1 want=$2
    shift 2
    : >"$scratch/$name.out"
    "$PY" "$receiver_py" --port "$want" --schema "$schema" --state "$scratch/$name.state" "$@" \
        >"$scratch/$name.out" 2>"$scratch/$name.err" &
    rpid=$!
    receivers="$receivers $rpid"
    trap 'kill $daemons $receivers 2>/dev/null; rm -rf "$scratch"' EXIT
    if ! wait_for 10 grep -q '^listening [0-9]' "$scratch/$name.out"; then
        fail "the receiver did not start: $(tail -n 5 "$scratch/$name.err")"
        finish
        exit 1
    fi
    rport=$(sed -n 's/^listening //p' "$scratch/$name.out")
    rbase=http://127.0.0.1:$rport
    rcurl=(curl -s)
    if [[ " $* " == *" --tls "* ]]; then # its control API is on HTTPS too
        rbase=https://localhost:$rport
        rcurl=(curl -s --cacert "$scratch/remote.pem")
    fi
}
# rget EXPR: EXPR over the receiver's /_deliveries (d).
rget() { "${rcurl[@]}" "$rbase/_deliveries" | jget "$1"; }
rrecords() { "${rcurl[@]}" "$rbase/_deliveries?records=1" >"$scratch/records.json"; }
control() {
    local got
    got=$("${rcurl[@]}" -o /dev/null -w '%{http_code}' -d "$1" "$rbase/_control")
    [ "$got" = 200 ] || fail "receiver control $1: $got"
}

# ---------- the daemon ----------
# write_config FILE ENDPOINT [LINES...]: a [sync] section for ENDPOINT.
write_config() {
    local file=$1 endpoint=$2
    shift 2
    {
        printf '[sync]\nendpoint = %s\ntoken = remote-secret\n' "$endpoint"
        printf 'timeout_s = 1\nbackoff_ms = 50\nbackoff_max_s = 1\nmax_attempts = 1000\n'
        printf '%s\n' "$@"
    } >"$file"
}
# serve DB ARGS...: start_daemon, the receivers still stopped at exit.
serve() {
    start_daemon "$@"
    trap 'kill $daemons $receivers 2>/dev/null; rm -rf "$scratch"' EXIT
}
stop_serve() { kill -TERM $pid && wait $pid; }
# sget EXPR: EXPR over GET /api/v1/sync (d).
sget() { curl -s -H "Authorization: Bearer $admin" "$base/api/v1/sync" | jget "$1"; }
settled() { [ "$(sget 'd["pending"] + d["retrying"]')" = 0 ]; }
received() { [ "$(rget 'd["new"]')" -ge "$1" ]; }
# arrived N: waits until the receiver has N new deliveries and the daemon
# nothing left to send; fails the check NAME otherwise.
arrived() {
    local n=$1 name=$2
    if wait_for 30 received "$n" && wait_for 30 settled; then
        pass
    else
        fail "$name: $(rget 'd["new"]') of $n at the receiver; daemon: $(curl -s -H "Authorization: Bearer $admin" "$base/api/v1/sync" | head -c 600)"
    fi
}
id_of() { echo "$1" | cut -d' ' -f2- | jget 'd.get("id") or d.get("lot_id")'; }

# gtin N: a GTIN-14 (prefix 0 893) with its GS1 mod-10 check digit.
gtin() {
    local body sum=0 i
    body=$(printf '0893%09d' "$1")
    for i in $(seq 0 12); do
        sum=$((sum + ${body:i:1} * (i % 2 == 0 ? 3 : 1)))
    done
    printf '%s%d' "$body" $(((10 - sum % 10) % 10))
}
# product NAME: registers a product with the next GTIN (counted in a file,
# as it is called in command substitutions); prints "STATUS BODY".
echo 1000 >"$scratch/gtin"
product() {
    local n
    n=$(($(cat "$scratch/gtin") + 1))
    echo $n >"$scratch/gtin"
    call "$admin" POST /api/v1/products \
        "{\"producer_id\":1,\"name\":\"$1\",\"group\":\"food\",\"gtin\":\"$(gtin $n)\"}"
}
# csv_rows FIRST COUNT: an import file of COUNT products from gtin FIRST on.
csv_rows() {
    local i
    printf 'producer_id,name,group,gtin\n'
    for i in $(seq "$1" $(($1 + $2 - 1))); do
        printf '1,Sản phẩm số %d,food,%s\n' "$i" "$(gtin "$i")"
    done
}

start_receiver main 0 --token remote-secret
main_port=$rport
write_config "$scratch/sync.conf" "$rbase"
serve "$db" --config "$scratch/sync.conf"
officer=$(call "$admin" POST /api/v1/users '{"name":"canbo","role":"officer"}' | cut -d' ' -f2- | jget 'd["token"]')

# ---------- (a) a product, a lot, 24 serials, a certificate issued and revoked ----------
got=$(product "Thanh long ruột đỏ")
expect_equal "a: product registered" "${got%% *}" 201
P1=$(id_of "$got")
expect_equal "a: product changed" "$(status "$admin" PATCH /api/v1/products/$P1 '{"name":"Thanh long ruột đỏ Hàm Thuận Nam"}')" 200
L1=$(id_of "$(call "$admin" POST /api/v1/products/$P1/lots '{"code":"L2025","produced":"2025-03-01","expires":"2027-03-01"}')")
call "$admin" POST /api/v1/lots/$L1/serials '{"count":24}' >"$scratch/serials.out"
expect_equal "a: 24 serials allocated" "$(cut -c1-3 "$scratch/serials.out")" 201
cut -d' ' -f2- "$scratch/serials.out" | # The EPC is the unit's URI; its data attributes (?17=expiry) may be left
# to the event's ilmd.
jget '"\n".join(sorted(s["uri"].split("?")[0] for s in d["serials"]))' >"$scratch/uris.want"
evaluation='{"number":"OCOP-SYNC-0001","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
C1=$(id_of "$(call "$officer" POST /api/v1/products/$P1/evaluations "$evaluation")")
expect_equal "a: certificate revoked" "$(status "$officer" POST /api/v1/certificates/$C1/revoke '{"reason":"Không đạt kiểm tra"}')" 200
arrived 5 "a: five deliveries arrive"
expect_equal "a: by path" "$(rget 'sorted(d["paths"].items())')" \
    "[('/capture', 1), ('/certificates', 2), ('/products', 2)]"
expect_equal "a: each key once" "$(rget 'sorted(set(d["keys"].values()))')" "[1]"
expect_equal "a: no repeats, none invalid or unauthorised" \
    "$(rget '(d["repeats"], d["invalid"], d["unauthorized"], d["errors"])')" "(0, 0, 0, [])"
expect_equal "a: the daemon counts them delivered" "$(sget '(d["delivered"], d["dead"], d["last_success"] is not None)')" "(5, 0, True)"
rrecords
jget '"\n".join(sorted(e.split("?")[0] for e in [r for r in d["records"] if r["path"] == "/capture"][0]["body"]["epcisBody"]["eventList"][0]["epcList"]))' \
    <"$scratch/records.json" >"$scratch/uris.got"
expect_equal "a: epcList has 24 entries" "$(wc -l <"$scratch/uris.got")" 24
cmp -s "$scratch/uris.want" "$scratch/uris.got" && pass ||
    fail "a: epcList is the serials' Digital Link URIs: $(diff "$scratch/uris.want" "$scratch/uris.got" | head -n 4)"
expect_equal "a: the capture event" "$(jget '[(e["type"], e["action"], e["bizStep"].rsplit(":", 1)[-1], e["disposition"].rsplit(":", 1)[-1]) for r in d["records"] if r["path"] == "/capture" for e in r["body"]["epcisBody"]["eventList"]]' <"$scratch/records.json")" \
    "[('ObjectEvent', 'ADD', 'commissioning', 'active')]"
expect_equal "a: capture headers" "$(jget '[(r["content_type"].split(";")[0], r["epcis_version"]) for r in d["records"] if r["path"] == "/capture"]' <"$scratch/records.json")" \
    "[('application/ld+json', '2.0.0')]"
# The receiver refuses a capture the schema does not take; check it here too.
"$PY" - "$schema" "$scratch/records.json" <<'EOF' && pass || fail "a: the capture document is valid EPCIS 2.0"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
records = json.load(open(sys.argv[2]))["records"]
jsonschema.validate([r for r in records if r["path"] == "/capture"][0]["body"], schema)
EOF
expect_equal "a: certificates issued, then revoked" \
    "$(jget '[(r["body"]["event"], r["body"]["certificate"]["id"]) for r in d["records"] if r["path"] == "/certificates"]' <"$scratch/records.json")" \
    "[('issue', $C1), ('revoke', $C1)]"
expect_equal "a: the product as registered, then as changed" \
    "$(jget '[(r["body"]["product"]["id"], r["body"]["product"]["name"], r["body"]["producer"]["id"]) for r in d["records"] if r["path"] == "/products"]' <"$scratch/records.json")" \
    "[($P1, 'Thanh long ruột đỏ', 1), ($P1, 'Thanh long ruột đỏ Hàm Thuận Nam', 1)]"
curl -s "$base/metrics" >"$scratch/metrics"
for gauge in pending retrying dead; do
    grep -q "^ocoptrace_sync_$gauge 0$" "$scratch/metrics" && pass || fail "a: /metrics has ocoptrace_sync_$gauge 0"
done
expect_equal "a: nobody reads the sync state" \
    "$(status "" GET /api/v1/sync)" 401

# ---------- (b) the remote down for a while ----------
kill -KILL $rpid
wait $rpid 2>/dev/null
P2=$(id_of "$(product "Mật ong Đồng Tháp")")
P3=$(id_of "$(product "Nước mắm Phan Thiết")")
expect_equal "b: serials while down" "$(status "$admin" POST /api/v1/lots/$L1/serials '{"count":3}')" 201
expect_equal "b: a change while down" "$(status "$admin" PATCH /api/v1/products/$P2 '{"name":"Mật ong rừng U Minh"}')" 200
waiting() { [ "$(sget 'd["retrying"] >= 1 and d["pending"] + d["retrying"] == 4 and d["last_error"] is not None')" = True ]; }
wait_for 15 waiting && pass || fail "b: /api/v1/sync shows them waiting: $(curl -s -H "Authorization: Bearer $admin" "$base/api/v1/sync" | head -c 400)"
got=$("$OCOPTRACE" sync status --db "$db" | awk '/^(pending|retrying): / { n += $2 } END { print n }')
expect_equal "b: sync status counts them" "$got" 4
start_receiver main "$main_port" --token remote-secret
expect_equal "b: back on the same port" "$rport" "$main_port"
arrived 9 "b: all arrive once the remote is back"
expect_equal "b: each key once" "$(rget '(len(d["keys"]), sorted(set(d["keys"].values())), d["repeats"])')" "(9, [1], 0)"

# ---------- (c) 500 and 429 with Retry-After ----------
control '{"mode":"fail","status":500,"count":3}'
product "Cà phê Robusta" >/dev/null
arrived 10 "c: delivered after three 500s"
expect_equal "c: the 500s were answered" "$(rget 'd["failed"]')" 3
control '{"mode":"fail","status":429,"retry_after":1,"count":2}'
start_ms=$(date +%s%3N)
product "Hạt điều rang muối" >/dev/null
arrived 11 "c: delivered after two 429s"
elapsed=$(($(date +%s%3N) - start_ms))
expect_equal "c: the 429s were answered" "$(rget 'd["failed"]')" 5
[ "$elapsed" -ge 1900 ] && pass || fail "c: Retry-After: 1 honoured twice: delivered after $elapsed ms"
expect_equal "c: each key once" "$(rget '(len(d["keys"]), sorted(set(d["keys"].values())), d["repeats"])')" "(11, [1], 0)"

# ---------- (d) slow answers past timeout_s, dropped connections ----------
control '{"mode":"slow","seconds":2,"count":2}'
product "Bánh tráng Phú Yên" >/dev/null
arrived 12 "d: delivered after two answers too slow"
expect_equal "d: the slow ones were seen" "$(rget 'd["slowed"]')" 2
expect_equal "d: new once, the resends repeats" "$(rget '(d["new"], len(d["keys"]), max(d["keys"].values()) >= 2)')" "(12, 12, True)"
control '{"mode":"drop","count":3}'
product "Muối Cà Ná" >/dev/null
arrived 13 "d: delivered after three dropped connections"
expect_equal "d: the drops" "$(rget 'd["dropped"]')" 3
expect_equal "d: new once per key" "$(rget '(d["new"], len(d["keys"]), d["invalid"])')" "(13, 13, 0)"
expect_equal "d: nothing dead" "$(sget 'd["dead"]')" 0

# ---------- (e) 1,000 registrations, the daemon killed part-way ----------
before_products=$(sqlite3 "$db" "SELECT count(*) FROM products")
before_new=$(rget 'd["new"]')
# Slowed, so that the kill finds deliveries in flight.
control '{"mode":"slow","seconds":0.2}'
for first in 1 101 201 301 401; do
    csv_rows $((100000 + first)) 100 >"$scratch/chunk.csv"
    got=$(call "$admin" POST /api/v1/import/products "@$scratch/chunk.csv" -H "Content-Type: text/csv")
    expect_equal "e: import of rows $first to $((first + 99))" "${got%% *}" 201
done
wait_for 30 received $((before_new + 100)) && pass || fail "e: deliveries started before the kill"
kill -KILL $pid
wait $pid 2>/dev/null
at_kill=$(($(rget 'd["new"]') - before_new))
[ "$at_kill" -lt 500 ] && pass || fail "e: killed part-way: $at_kill of 500 already delivered"
control '{"mode":"ok"}'
serve "$db" --config "$scratch/sync.conf"
for first in 501 601; do
    csv_rows $((100000 + first)) 100 >"$scratch/chunk.csv"
    got=$(call "$admin" POST /api/v1/import/products "@$scratch/chunk.csv" -H "Content-Type: text/csv")
    expect_equal "e: import of rows $first to $((first + 99))" "${got%% *}" 201
done
ok=0
for i in $(seq 701 1000); do
    got=$(product "Đặc sản số $i")
    [ "${got%% *}" = 201 ] && ok=$((ok + 1))
done
expect_equal "e: 300 products over the API" "$ok" 300
expect_equal "e: 1,000 products in the database" \
    "$(($(sqlite3 "$db" "SELECT count(*) FROM products") - before_products))" 1000
arrived $((before_new + 1000)) "e: 1,000 arrive"
rrecords
expect_equal "e: every product in the database arrived" \
    "$(jget 'len({r["body"]["product"]["id"] for r in d["records"] if r["path"] == "/products"})' <"$scratch/records.json")" \
    "$(sqlite3 "$db" "SELECT count(*) FROM products")"
sqlite3 "$db" "SELECT id FROM products ORDER BY id" >"$scratch/ids.want"
jget '"\n".join(str(i) for i in sorted({r["body"]["product"]["id"] for r in d["records"] if r["path"] == "/products"}))' \
    <"$scratch/records.json" >"$scratch/ids.got"
cmp -s "$scratch/ids.want" "$scratch/ids.got" && pass || fail "e: the same products: $(diff "$scratch/ids.want" "$scratch/ids.got" | head -n 4)"
expect_equal "e: each registration's key once as new" \
    "$(jget '(d["new"] - '"$before_new"', len(d["keys"]) - '"$before_new"', len({r["key"] for r in d["records"]}) - '"$before_new"')' <"$scratch/records.json")" \
    "(1000, 1000, 1000)"
expect_equal "e: the daemon counts every one delivered" "$(sget '(d["delivered"], d["dead"])')" "($(rget 'd["new"]'), 0)"

# ---------- (f) a refusal parks one item; sync retry sends it ----------
new_before=$(rget 'd["new"]')
control '{"mode":"reject","status":400,"match":"TU-CHOI-400"}'
product "Mắm ruốc TU-CHOI-400" >/dev/null
for name in "Rượu cần" "Trà atiso" "Nem chua"; do product "$name" >/dev/null; done
parked() { [ "$(sget 'd["dead"]')" = 1 ]; }
wait_for 15 parked && pass || fail "f: one dead letter"
arrived $((new_before + 3)) "f: the rest keep flowing"
expect_equal "f: only the three" "$(rget 'd["new"]')" $((new_before + 3))
dead=$(sget 'd["dead_letters"][0]["id"]')
expect_equal "f: the dead letter keeps the remote's answer" \
    "$(sget '(d["dead_letters"][0]["kind"], d["dead_letters"][0]["status"], json.loads(d["dead_letters"][0]["response"])["match"])')" \
    "('product', 400, 'TU-CHOI-400')"
"$OCOPTRACE" sync status --db "$db" | grep -q "^dead: 1$" && pass || fail "f: sync status shows it"
control '{"mode":"ok"}'
expect_equal "f: sync retry" "$("$OCOPTRACE" sync retry "$dead" --db "$db")" "1 dead letter back in line"
arrived $((new_before + 4)) "f: delivered after the retry"
expect_equal "f: nothing dead now" "$(sget '(d["dead"], d["dead_letters"])')" "(0, [])"
expect_equal "f: a retry of no dead letter" "$("$OCOPTRACE" sync retry "$dead" --db "$db" >/dev/null 2>&1; echo $?)" 2
stop_serve

# ---------- (g) a self-signed remote ----------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$scratch/remote.key" -out "$scratch/remote.pem" 2>/dev/null
start_receiver tls 0 --token remote-secret --tls "$scratch/remote.pem" "$scratch/remote.key"
write_config "$scratch/tls.conf" "https://localhost:$rport"
serve "$db" --config "$scratch/tls.conf"
product "Gạo ST25" >/dev/null
refused() { sget '(d["retrying"] + d["dead"] >= 1) and "certificate" in (d["last_error"] or "").lower()' | grep -q True; }
wait_for 15 refused && pass || fail "g: refused without ca_file: $(curl -s -H "Authorization: Bearer $admin" "$base/api/v1/sync" | head -c 400)"
expect_equal "g: nothing delivered" "$(rget '(d["new"], d["tls_errors"] >= 1)')" "(0, True)"
stop_serve
write_config "$scratch/tls.conf" "https://localhost:$rport" "ca_file = $scratch/remote.pem"
serve "$db" --config "$scratch/tls.conf"
arrived 1 "g: accepted with ca_file"
expect_equal "g: once" "$(rget '(d["new"], d["repeats"], d["paths"])')" "(1, 0, {'/products': 1})"
stop_serve

# ---------- (h) no endpoint: nothing sent, the outbox fills ----------
none=$scratch/none.db
none_admin=$("$OCOPTRACE" user add --role admin root --db "$none" | tail -n 1)
sqlite3 "$none" "INSERT INTO producers (name, address, kind) VALUES ('Cơ sở Hai', 'Phan Thiết', 'household')"
printf '[sync]\ntoken = remote-secret\n' >"$scratch/none.conf"
serve "$none" --config "$scratch/none.conf"
for i in 1 2 3; do
    expect_equal "h: product $i" "$(status "$none_admin" POST /api/v1/products "{\"producer_id\":1,\"name\":\"Hàng $i\",\"group\":\"food\",\"gtin\":\"$(gtin $((200 + i)))\"}")" 201
done
sleep 0.5 # long enough for a worker, were there one, to have sent something
got=$(curl -s -H "Authorization: Bearer $none_admin" "$base/api/v1/sync" | jget '(d["pending"], d["retrying"], d["delivered"], d["last_error"])')
expect_equal "h: held in the outbox" "$got" "(3, 0, 0, None)"
expect_equal "h: sync status" "$("$OCOPTRACE" sync status --db "$none" | head -n 4)" "pending: 3
retrying: 0
dead: 0
delivered: 0"
grep -q "^ocoptrace_sync_pending 3$" <(curl -s "$base/metrics") && pass || fail "h: /metrics shows 3 pending"
expect_equal "h: the other receivers saw nothing new" "$(rget 'd["new"]')" 1
stop_serve

for err in "$scratch"/main.err "$scratch"/tls.err; do
    [ ! -s "$err" ] && pass || fail "receiver errors: $(head -n 5 "$err")"
done
finish
