#!/usr/bin/env bash
# `ocoptrace serve` over a real loopback socket: health, the role matrix of
# /api/v1/producers, bad input answered with JSON errors and the database
# unchanged, log lines without secrets, SIGTERM ending it cleanly.
suite=cli-serve
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/serve.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, kind) VALUES ('HTX Một', 'cooperative'), ('HTX Hai', 'sme')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)

# A free port on loopback: the daemon refuses one in use, so try a few.
for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    "$OCOPTRACE" serve --db "$db" --listen 127.0.0.1:$port 2>"$scratch/serve.log" &
    pid=$!
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    kill -0 $pid 2>/dev/null && break
done
trap 'kill $pid 2>/dev/null; rm -rf "$scratch"' EXIT
base=http://127.0.0.1:$port

# call TOKEN METHOD PATH [BODY]: prints "STATUS BODY".
call() {
    local auth=() data=()
    [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
    [ $# -ge 4 ] && data=(--data-binary "$4")
    curl -s -o "$scratch/body" -w '%{http_code}' -X "$2" "${auth[@]}" "${data[@]}" "$base$3"
    printf ' '
    cat "$scratch/body"
}
status() { call "$@" | cut -d' ' -f1; }

expect_equal "healthz" "$(call '' GET /healthz)" '200 {"status":"ok","schema":1}'

# The role matrix: who may do what to producers 1 (the producer user's own) and 2.
new='{"name":"HTX Ba","address":"Xã Hàm Mỹ","kind":"household"}'
while read -r who token method path want; do
    body=
    [ "$method" = POST ] && body=$new
    [ "$method" = PATCH ] && body='{"phone":"0252 000"}'
    [ "$token" = - ] && token=
    if [ -n "$body" ]; then
        got=$(status "$token" "$method" "$path" "$body")
    else
        got=$(status "$token" "$method" "$path")
    fi
    expect_equal "$who $method $path" "$got" "$want"
done <<EOF2
nobody - GET /api/v1/producers 401
nobody - POST /api/v1/producers 401
nobody - GET /api/v1/producers/1 401
admin $admin POST /api/v1/producers 201
officer $officer POST /api/v1/producers 201
producer $producer POST /api/v1/producers 403
admin $admin GET /api/v1/producers 200
officer $officer GET /api/v1/producers/2 200
producer $producer GET /api/v1/producers/1 200
producer $producer GET /api/v1/producers/2 403
producer $producer PATCH /api/v1/producers/1 200
producer $producer PATCH /api/v1/producers/2 403
officer $officer PATCH /api/v1/producers/2 200
admin $admin GET /api/v1/producers/999 404
admin $admin DELETE /api/v1/producers/1 405
admin $admin GET /api/v1/nothing 404
bogus oct_not_a_token GET /api/v1/producers 401
EOF2
list=$(call "$producer" GET /api/v1/producers)
expect_equal "a producer lists only its own" "$(echo "$list" | grep -o '"id":[0-9]*' | tr '\n' ' ')" '"id":1 '
created=$(call "$admin" POST /api/v1/producers "$new")
[[ $created == 201\ \{\"id\":* ]] && pass || fail "201 with the created object and its id: $created"

# Bad input: a JSON error, and the database as it was.
snapshot() { sqlite3 "$db" "SELECT * FROM producers ORDER BY id"; }
bad() {
    local name=$1 want_status=$2 want_code=$3 body=$4
    local before after got
    before=$(snapshot)
    got=$(call "$admin" POST /api/v1/producers "$body")
    after=$(snapshot)
    expect_equal "$name: status" "${got%% *}" "$want_status"
    [[ $got == *"\"code\":\"$want_code\""* ]] && pass || fail "$name: error code: $got"
    expect_equal "$name: database unchanged" "$after" "$before"
}
bad "malformed JSON" 400 malformed_json '{"name": '
bad "not an object" 400 malformed_json '[1, 2]'
bad "unknown field" 400 bad_field '{"name":"A","address":"B","kind":"sme","colour":"red"}'
bad "wrong type" 400 bad_field '{"name":"A","address":"B","kind":"sme","phone":42}'
bad "invalid kind" 422 invalid '{"name":"A","address":"B","kind":"co-op"}'
bad "missing name" 422 invalid '{"address":"B","kind":"sme"}'
bad "invalid UTF-8" 400 malformed_json $'{"name":"\xff","address":"B","kind":"sme"}'
head -c 1100000 /dev/zero | tr '\0' 'a' >"$scratch/big"
before=$(snapshot)
got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" \
    --data-binary @"$scratch/big" "$base/api/v1/producers")
expect_equal "body over 1 MiB: 413" "$got" 413
expect_equal "body over 1 MiB: database unchanged" "$(snapshot)" "$before"

metrics=$(curl -s "$base/metrics")
grep -q '^ocoptrace_requests_total{status="2xx"} [1-9]' <<<"$metrics" && pass || fail "metrics count requests"

# SIGTERM: exit 0; the log has one line per request and no secret.
kill -TERM $pid
wait $pid
expect_equal "SIGTERM: exit" "$?" 0
grep -qE '^POST /api/v1/producers 201 [0-9]+us$' "$scratch/serve.log" && pass || fail "request log line"
grep -q -F "${admin#oct_}" "$scratch/serve.log" && fail "a token reached the log" || pass

finish
