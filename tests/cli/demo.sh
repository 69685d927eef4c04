#!/usr/bin/env bash
# `make run`'s script: it serves demo data that works end to end: the unit
# it names resolves as genuine with valid stars, its certificate page and
# PDF answer, the printed tokens work, and a second run reuses the data.
suite=cli-demo
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
export VAR=$scratch/var OCOPTRACE
# run_demo: starts it on a free port, waits for its banner; sets $base, $demo.
run_demo() {
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 30000))
        LISTEN=127.0.0.1:$port setsid bash "$root/service/run-demo.sh" >"$scratch/out" 2>"$scratch/err" &
        demo=$!
        base=http://127.0.0.1:$port
        for _ in $(seq 1 100); do
            grep -q "API tokens" "$scratch/out" && return 0
            kill -0 $demo 2>/dev/null || break
            sleep 0.1
        done
    done
    fail "the demo did not start: $(tail -n 3 "$scratch/err")"
    finish
    exit 1
}
stop_demo() { kill -TERM -- -$demo 2>/dev/null; wait $demo 2>/dev/null; }
trap 'stop_demo; rm -rf "$scratch"' EXIT

run_demo
token() { awk -v role="$1" '$1 == role { print $2 }' "$scratch/out"; }
unit=$(grep -o "a unit's page .*" "$scratch/out" | grep -o 'http://[^ ]*')
got=$(curl -s -H 'Accept: application/json' "$unit")
[[ $got == *'"verdict":"genuine"'* ]] && pass || fail "the demo unit is genuine: $got"
[[ $got == *'"stars":4'* && $got == *'"status":"valid"'* ]] && pass || fail "its stars are valid: $got"
expect_equal "its page" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$unit")" \
    "200 text/html; charset=utf-8"
expect_equal "the certificate page" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$base/c/OCOP-BTh-2025-0042")" 200
pdf=$(grep -o 'certificate PDF .*' "$scratch/out" | grep -o 'http://[^ ]*')
expect_equal "the certificate PDF" "$(curl -s -o "$scratch/cert.pdf" -w '%{http_code}' \
    -H "Authorization: Bearer $(token officer)" "$pdf")" 200
pdftoppm -r 300 -gray -png -singlefile "$scratch/cert.pdf" "$scratch/cert" 2>/dev/null
"$OCOPTRACE" certificate verify --pub "$VAR/issuer.pub" "$(decode "$scratch/cert.png")" >/dev/null 2>&1
expect_equal "its code verifies with the demo issuer key" "$?" 0
for role in admin officer producer; do
    expect_equal "the $role token works" "$(curl -s -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $(token $role)" "$base/api/v1/producers/1")" 200
done
jar=$scratch/jar
curl -s -c "$jar" -o "$scratch/sign-in" "$base/sign-in"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$scratch/sign-in" | cut -d'"' -f4)
password=$(grep -o 'password [^ ]*' "$scratch/out" | head -n 1 | cut -d' ' -f2)
expect_equal "the demo producer signs in to the web pages" "$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode name=demo-producer --data-urlencode "password=$password" --data-urlencode "csrf=$csrf" \
    "$base/sign-in")" "303 $base/producer"
expect_equal "a dossier waits for the commune, with its file" \
    "$(curl -s -H "Authorization: Bearer $(token commune)" "$base/api/v1/dossiers/1" |
        /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], len(d["files"]), d["sheet"])')" \
    "submitted 1 fixture-food"
expect_equal "the council cannot open its sheet before the commune checks it" \
    "$(curl -s -H "Authorization: Bearer $(token council)" "$base/api/v1/dossiers/1/sheet" -o /dev/null -w '%{http_code}')" \
    409
curl -s -c "$jar" -o "$scratch/sign-in" "$base/sign-in"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$scratch/sign-in" | cut -d'"' -f4)
expect_equal "the demo commune signs in to its page" "$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode name=demo-commune --data-urlencode "password=$password" --data-urlencode "csrf=$csrf" \
    "$base/sign-in")" "303 $base/commune"
expect_equal "the database is in the demo folder" "$(sqlite3 "$VAR/ocoptrace.db" "SELECT count(*) FROM serials")" 24
stop_demo

run_demo
expect_equal "a second run keeps the data" "$(sqlite3 "$VAR/ocoptrace.db" "SELECT count(*) FROM serials")" 24
expect_equal "and its tokens" "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $(token officer)" "$base/api/v1/products")" 200
finish
