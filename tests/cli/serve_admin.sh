#!/usr/bin/env bash
# The daemon's users and printed certificates: an admin adds users over
# the API (the token is shown once and works at once); an officer or the
# owner downloads a certificate PDF whose code decodes and verifies with
# the issuer's public key; without an issuer key the PDF is refused.
suite=cli-serve-admin
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/admin.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
pub=$("$OCOPTRACE" keys generate --out "$scratch/issuer.key")
printf '[certificates]\nkey = %s\n' "$scratch/issuer.key" >"$scratch/with-key.conf"
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Thanh long Hàm Thuận Nam', 'Xã Hàm Minh, huyện Hàm Thuận Nam', 'cooperative'),
    ('Cơ sở Hai', 'Phan Thiết', 'household')"

start_serve() { start_daemon "$db" --config "$1"; }
stop_serve() { kill -TERM $pid && wait $pid; }
: >"$scratch/empty.conf"
start_serve "$scratch/with-key.conf"

field() { /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read().split(" ",1)[1])[sys.argv[1]])' "$1"; }

# ---------- users ----------
got=$(call "$admin" POST /api/v1/users '{"name":"canbo","role":"officer"}')
expect_equal "admin adds an officer: 201" "${got%% *}" 201
officer=$(echo "$got" | field token)
[[ $officer == oct_* ]] && pass || fail "the new user's token is in the answer: $got"
expect_equal "the token is not stored as given" \
    "$(sqlite3 "$db" "SELECT count(*) FROM tokens WHERE hash = '$officer'")" 0
expect_equal "the new token works at once" "$(call "$officer" GET /api/v1/producers | cut -c1-3)" 200
producer=$(call "$admin" POST /api/v1/users '{"name":"htx","role":"producer","producer_id":1}' | field token)
expect_equal "the producer's token reads its own" "$(call "$producer" GET /api/v1/producers/1 | cut -c1-3)" 200
list=$(call "$admin" GET /api/v1/users)
expect_equal "the list names them" "$(echo "$list" | grep -o '"name":"[a-z]*"' | tr '\n' ' ')" \
    '"name":"root" "name":"canbo" "name":"htx" '
[[ $list != *oct_* ]] && pass || fail "the list shows no token: $list"

before=$(sqlite3 "$db" "SELECT count(*) FROM users")
while read -r name token body want field; do
    [ "$token" = - ] && token=
    got=$(call "$token" POST /api/v1/users "$body")
    expect_equal "$name: status" "${got%% *}" "$want"
    [ "$field" = - ] || expect_equal "$name: field" "$(echo "$got" | grep -o '"field":"[a-z_]*"')" "\"field\":\"$field\""
done <<EOF2
nobody - {"name":"x","role":"admin"} 401 -
an-officer $officer {"name":"x","role":"admin"} 403 -
a-producer $producer {"name":"x","role":"admin"} 403 -
name-taken $admin {"name":"canbo","role":"officer"} 409 name
bad-role $admin {"name":"x","role":"chief"} 422 role
empty-name $admin {"name":"","role":"officer"} 422 name
producer-without-id $admin {"name":"x","role":"producer"} 422 producer_id
officer-with-producer $admin {"name":"x","role":"officer","producer_id":1} 422 producer_id
unknown-producer $admin {"name":"x","role":"producer","producer_id":99} 422 producer_id
unknown-field $admin {"name":"x","role":"officer","token":"mine"} 400 token
wrong-type $admin {"name":"x","role":"officer","producer_id":"1"} 400 producer_id
malformed $admin {"name": 400 -
EOF2
expect_equal "refused users change nothing" "$(sqlite3 "$db" "SELECT count(*) FROM users")" "$before"
expect_equal "an officer lists users: 403" "$(call "$officer" GET /api/v1/users | cut -c1-3)" 403

# ---------- the certificate PDF ----------
product=$(call "$producer" POST /api/v1/products '{"producer_id":1,"name":"Thanh long ruột đỏ Hàm Thuận Nam","group":"food","gtin":"08931234567897"}' | field id)
evaluation='{"number":"OCOP-BTh-2025-0042","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
certificate=$(call "$officer" POST /api/v1/products/$product/evaluations "$evaluation" | field id)
other_producer=$(call "$admin" POST /api/v1/users '{"name":"coso2","role":"producer","producer_id":2}' | field token)

got=$(curl -s -o "$scratch/cert.pdf" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $producer" \
    "$base/api/v1/certificates/$certificate.pdf")
expect_equal "the owner downloads its certificate" "$got" "200 application/pdf"
pdftotext -q "$scratch/cert.pdf" "$scratch/cert.txt"
for text in "OCOP-BTh-2025-0042" "Thanh long ruột đỏ Hàm Thuận Nam" "1032/QĐ-UBND" "Nguyễn Văn A"; do
    grep -q -F "$text" "$scratch/cert.txt" && pass || fail "the certificate reads '$text'"
done
pdftoppm -r 300 -gray -png -singlefile "$scratch/cert.pdf" "$scratch/cert" 2>/dev/null
code=$(decode "$scratch/cert.png")
[[ $code == https://truyxuatsanphambinhthuan.vn/c/OCOP-BTh-2025-0042\?seal=* ]] && pass ||
    fail "the code opens the certificate's page: '$code'"
"$OCOPTRACE" certificate verify --pub "$pub" "$code" >"$scratch/verify" 2>&1
expect_equal "the code verifies with the issuer's key" "$?" 0
grep -q -x "stars: 4" "$scratch/verify" && pass || fail "verify reads 4 stars: $(cat "$scratch/verify")"
expect_equal "an officer downloads it" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $officer" "$base/api/v1/certificates/$certificate.pdf")" 200
expect_equal "another producer: 403" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $other_producer" "$base/api/v1/certificates/$certificate.pdf")" 403
expect_equal "nobody: 401" "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/certificates/$certificate.pdf")" 401
expect_equal "unknown certificate: 404" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $officer" "$base/api/v1/certificates/999.pdf")" 404

# ---------- what the web pages read: the law's list, lots, a label's preview, expiring certificates ----------
got=$(call "$producer" GET /api/v1/products/$product/label-check)
[[ $got == *'"ready":false'* && $got == *'"field":"net_quantity"'* && $got != *'lot.'* ]] && pass ||
    fail "a product without its details is not ready, lot fields left to the lot: $got"
lot=$(call "$producer" POST /api/v1/products/$product/lots '{"code":"TL2025"}' | field id)
got=$(call "$producer" GET "/api/v1/products/$product/label-check?lot=$lot")
[[ $got == *'"field":"lot.produced"'* && $got == *'"field":"lot.expires"'* ]] && pass ||
    fail "with a lot without dates, its dates are missing: $got"
call "$producer" PATCH /api/v1/products/$product '{"net_quantity":"1 kg","origin":"Việt Nam","storage":"Nơi thoáng mát","usage":"Ăn tươi","ingredients":"Thanh long ruột đỏ"}' >/dev/null
lot=$(call "$producer" POST /api/v1/products/$product/lots '{"code":"TL2025B","produced":"2025-06-01","expires":"2025-07-01"}' | field id)
got=$(call "$producer" GET "/api/v1/products/$product/label-check?lot=$lot")
[[ $got == *'"ready":true'* ]] && pass || fail "complete, the product is ready: $got"
expect_equal "no serials yet: no preview" "$(status "$producer" GET "/api/v1/lots/$lot/label.png?sheet=a4-3x8")" 422
uris=$(call "$producer" POST /api/v1/lots/$lot/serials '{"count":2}' | grep -o '"uri":"[^"]*"' | cut -d'"' -f4)
expect_equal "the lots list counts the serials" \
    "$(call "$producer" GET /api/v1/products/$product/lots | grep -o '"serials":[0-9]*' | tr '\n' ' ')" '"serials":0 "serials":2 '
got=$(curl -s -o "$scratch/preview.png" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $producer" \
    "$base/api/v1/lots/$lot/label.png?sheet=roll-60x40")
expect_equal "the preview is a PNG" "$got" "200 image/png"
code=$(decode "$scratch/preview.png")
[ -n "$code" ] && grep -q -x -F "$code" <<<"$uris" && pass || fail "the preview's code is one of the lot's units: '$code'"
expect_equal "the preview of an unknown sheet: 422" "$(status "$producer" GET "/api/v1/lots/$lot/label.png?sheet=zz")" 422
expect_equal "expiring within 0 days: none" \
    "$(call "$officer" GET '/api/v1/certificates?expiring_within=0' | cut -d' ' -f2-)" '{"certificates":[]}'
got=$(call "$officer" GET '/api/v1/certificates?expiring_within=3650')
[[ $got == *'"number":"OCOP-BTh-2025-0042"'* && $got == *'"status":"valid"'* ]] && pass ||
    fail "expiring within ten years: the certificate, valid: $got"
got=$(call "$producer" GET /api/v1/products)
[[ $got == *'"producer_kind":"cooperative"'* && $got == *'"stars":4'* && $got == *'"status":"valid"'* ]] &&
    pass || fail "products are listed with their producer's kind and certificate: $got"

stop_serve
start_serve "$scratch/empty.conf"
got=$(call "$officer" GET /api/v1/certificates/$certificate.pdf)
expect_equal "without an issuer key: 409" "${got%% *}" 409
[[ $got == *'"field":"certificates.key"'* ]] && pass || fail "the error names the config key: $got"
stop_serve

# ---------- the log file, reopened on SIGHUP after a rotation ----------
printf '[server]\nlog = %s\n' "$scratch/access.log" >"$scratch/log.conf"
start_serve "$scratch/log.conf"
curl -s -o /dev/null "$base/c/before-rotation"
# Log lines are written in batches: wait for this one before rotating.
for _ in $(seq 1 50); do grep -q before-rotation "$scratch/access.log" && break; sleep 0.1; done
mv "$scratch/access.log" "$scratch/access.log.1"
kill -HUP $pid
for _ in $(seq 1 50); do [ -s "$scratch/access.log" ] && break; sleep 0.1; done
curl -s -o /dev/null "$base/c/after-rotation"
for _ in $(seq 1 50); do grep -q after-rotation "$scratch/access.log" && break; sleep 0.1; done
stop_serve
grep -q "GET /c/before-rotation 404" "$scratch/access.log.1" && pass || fail "the log has the lines before rotation"
grep -q "GET /c/after-rotation 404" "$scratch/access.log" && pass || fail "the reopened log has the lines after it"
expect_equal "nothing after rotation in the old file" "$(grep -c after-rotation "$scratch/access.log.1")" 0
expect_equal "a log that cannot be opened: exit 1" \
    "$("$OCOPTRACE" serve --db "$db" --log /nonexistent/dir/log 2>&1 >/dev/null; echo "exit $?")" \
    "ocoptrace: log '/nonexistent/dir/log': No such file or directory
exit 1"
cat "$scratch/access.log.1" "$scratch/access.log" >"$scratch/serve.log"

# ---------- config refused before anything starts ----------
while IFS='|' read -r name text want; do
    printf "$text" >"$scratch/bad.conf"
    got=$("$OCOPTRACE" serve --db "$db" --config "$scratch/bad.conf" --listen 127.0.0.1:1 2>&1)
    expect_equal "config: $name" "$got (exit $?)" "$want (exit 2)"
done <<'EOF2'
timeout|[sync]\ntimeout_s = 0\n|ocoptrace: config [sync] timeout_s: must be a whole number from 1 to 600
attempts|[sync]\nmax_attempts = many\n|ocoptrace: config [sync] max_attempts: must be a whole number from 1 to 1000
endpoint|[sync]\nendpoint = ftp://remote\n|ocoptrace: config [sync] endpoint: must start with http:// or https://
unknown|[sync]\nretries = 3\n|ocoptrace: config [sync] retries: unknown key
EOF2
expect_equal "log lines carry no token" "$(cat "$scratch"/daemon-*.log "$scratch/serve.log" | grep -c -F -e "$admin" -e "$officer")" 0
finish
