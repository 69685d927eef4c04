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

start_daemon "$db"
log=$daemon_log

expect_equal "healthz" "$(call '' GET /healthz)" "200 {\"status\":\"ok\",\"schema\":$("$OCOPTRACE" db migrate --db "$db" | cut -d' ' -f3)}"

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
grep -q '^ocoptrace_requests_total{method="POST",route="/api/v1/producers",status="2xx"} [1-9]' <<<"$metrics" &&
    pass || fail "metrics count requests by route and status: $metrics"
grep -q '^ocoptrace_requests_total{method="GET",route="/api/v1/producers/{id}",status="4xx"} [1-9]' <<<"$metrics" &&
    pass || fail "metrics count refusals by route"
grep -q '^ocoptrace_pushes_pending 0$' <<<"$metrics" && pass || fail "metrics show pending pushes"

# Products, lots and serials: the path from registration to codes.
product='{"name":"Nước mắm Phan Thiết","group":"food","gtin":"8931234567897","net_quantity":"500 ml"}'
got=$(call "$producer" POST /api/v1/products "$product")
expect_equal "producer adds its product" "${got%% *}" 201
[[ $got == *'"producer_id":1'* && $got == *'"gtin":"08931234567897"'* ]] && pass ||
    fail "the product is its own, GTIN normalised: $got"
pid_product=$(echo "$got" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
expect_equal "same GTIN again: 409" "$(status "$admin" POST /api/v1/products \
    '{"producer_id":2,"name":"X","group":"food","gtin":"08931234567897"}')" 409
expect_equal "bad GTIN: 422" "$(status "$admin" POST /api/v1/products \
    '{"producer_id":2,"name":"X","group":"food","gtin":"08931234567895"}')" 422
expect_equal "unknown producer: 422" "$(status "$admin" POST /api/v1/products \
    '{"producer_id":99,"name":"X","group":"food"}')" 422
expect_equal "officer reads it" "$(status "$officer" GET /api/v1/products/$pid_product)" 200
other=$(call "$admin" POST /api/v1/products '{"producer_id":2,"name":"Mật ong","group":"food"}')
other_id=$(echo "$other" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
expect_equal "producer reads another's product: 403" "$(status "$producer" GET /api/v1/products/$other_id)" 403
expect_equal "producer changes another's product: 403" \
    "$(status "$producer" PATCH /api/v1/products/$other_id '{"name":"Y"}')" 403
got=$(call "$producer" PATCH /api/v1/products/$pid_product '{"storage":"Nơi khô ráo"}')
[[ $got == 200* && $got == *'"storage":"Nơi khô ráo"'* && $got == *'"net_quantity":"500 ml"'* ]] &&
    pass || fail "PATCH changes only what it gives: $got"

lot=$(call "$producer" POST /api/v1/products/$pid_product/lots \
    '{"code":"L2025A","produced":"2025-03-01","expires":"2027-03-01"}')
expect_equal "lot created" "${lot%% *}" 201
lot_id=$(echo "$lot" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
expect_equal "same lot code: 409" "$(status "$producer" POST /api/v1/products/$pid_product/lots '{"code":"L2025A"}')" 409
expect_equal "NSX after HSD: 422" "$(status "$producer" POST /api/v1/products/$pid_product/lots \
    '{"code":"L2","produced":"2027-03-01","expires":"2025-03-01"}')" 422
expect_equal "lot code outside set 82: 422" "$(status "$producer" POST /api/v1/products/$pid_product/lots '{"code":"Lô 1"}')" 422
expect_equal "a lot of another's product: 403" "$(status "$producer" POST /api/v1/products/$other_id/lots '{"code":"L9"}')" 403

got=$(call "$producer" POST /api/v1/lots/$lot_id/serials '{"count":5}')
expect_equal "serials allocated" "${got%% *}" 201
uris=$(echo "${got#* }" | grep -o '"uri":"[^"]*"' | cut -d'"' -f4)
expect_equal "five URIs" "$(echo "$uris" | grep -c .)" 5
ok=0
for uri in $uris; do
    [[ $("$OCOPTRACE" gs1 check "$uri") =~ ^\(01\)08931234567897\(10\)L2025A\(21\)[0-9A-Z]{10}\(17\)270301$ ]] && ok=$((ok + 1))
done
expect_equal "each URI is a Digital Link of the lot" "$ok" 5
expect_equal "the lot counts its serials" "$(call "$officer" GET /api/v1/lots/$lot_id | grep -o '"serials":[0-9]*')" '"serials":5'
expect_equal "count 0: 422" "$(status "$producer" POST /api/v1/lots/$lot_id/serials '{"count":0}')" 422
expect_equal "count too large: 422" "$(status "$producer" POST /api/v1/lots/$lot_id/serials '{"count":10001}')" 422

# What the service prints: the product's code and the lot's label sheet.
curl -s -H "Authorization: Bearer $producer" -o "$scratch/product.png" "$base/api/v1/products/$pid_product/qr.png"
expect_decode "qr.png holds the product's Digital Link" "$scratch/product.png" \
    "https://truyxuatsanphambinhthuan.vn/01/08931234567897"
curl -s -H "Authorization: Bearer $officer" -o "$scratch/product.svg" "$base/api/v1/products/$pid_product/qr.svg"
expect_decode "qr.svg holds the product's Digital Link" "$scratch/product.svg" \
    "https://truyxuatsanphambinhthuan.vn/01/08931234567897"
expect_equal "qr.png of another's product: 403" "$(status "$producer" GET /api/v1/products/$other_id/qr.png)" 403
call "$producer" PATCH /api/v1/producers/1 '{"address":"Xã Hàm Mỹ, tỉnh Bình Thuận"}' >/dev/null
call "$producer" PATCH /api/v1/products/$pid_product \
    '{"ingredients":"Cá cơm, muối biển","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"}' >/dev/null
got=$(curl -s -H "Authorization: Bearer $producer" -o "$scratch/lot.pdf" -w '%{http_code} %{content_type}' \
    "$base/api/v1/lots/$lot_id/labels.pdf?sheet=a4-3x8")
expect_equal "labels.pdf" "$got" "200 application/pdf"
expect_equal "labels.pdf: one label per serial" "$(pdftotext -q "$scratch/lot.pdf" - | grep -o 'Seri:' | wc -l)" 5
pdftoppm -r 300 -f 1 -l 1 -x 0 -y 6 -W 826 -H 437 -gray -png -singlefile "$scratch/lot.pdf" "$scratch/label1" 2>/dev/null
first=$(zbarimg -q --raw "$scratch/label1.png" 2>/dev/null)
[ -n "$first" ] && grep -q -F -e "$first" <<<"$uris" && pass || fail "the first label's code is one of the lot's serials: '$first'"
expect_equal "labels.pdf, unknown sheet: 422" "$(status "$producer" GET "/api/v1/lots/$lot_id/labels.pdf?sheet=zz")" 422

# Evaluations and certificates: officers record and revoke; anyone checks.
evaluation='{"number":"OCOP-BTh-2025-0042","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
expect_equal "a producer records an evaluation: 403" "$(status "$producer" POST /api/v1/products/$pid_product/evaluations "$evaluation")" 403
expect_equal "an admin records an evaluation: 403" "$(status "$admin" POST /api/v1/products/$pid_product/evaluations "$evaluation")" 403
got=$(call "$officer" POST /api/v1/products/$pid_product/evaluations "$evaluation")
[[ $got == 201* && $got == *'"stars":4'* && $got == *'"valid_until":"2028-06-20"'* && $got == *'"status":"valid"'* && $got == *'"name":"HTX Một"'* ]] &&
    pass || fail "an officer issues a certificate: $got"
cert_id=$(echo "${got#* }" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
expect_equal "the same number again: 409" "$(status "$officer" POST /api/v1/products/$pid_product/evaluations "$evaluation")" 409
low=${evaluation/'"scores":{"a":34,"b":20,"c":28}'/'"scores":{"a":20,"b":10,"c":10}'}
low=${low/OCOP-BTh-2025-0042/OCOP-BTh-2025-0043}
got=$(call "$officer" POST /api/v1/products/$pid_product/evaluations "$low")
[[ $got == 422* && $got == *'only 3 to 5 stars are recognised'* ]] && pass || fail "two stars: 422: $got"
expect_equal "a producer reads its certificate" "$(status "$producer" GET /api/v1/certificates/$cert_id)" 200
got=$(curl -s -H 'Accept: application/json' "$base/c/OCOP-BTh-2025-0042")
[[ $got == *'"status":"valid"'* ]] && pass || fail "the public page says valid: $got"
grep -q 'CÒN HIỆU LỰC' <<<"$(curl -s "$base/c/OCOP-BTh-2025-0042")" && pass || fail "the public HTML page"
got=$(curl -s -H 'Accept: application/json' "$base/01/08931234567897")
[[ $got == *'"certificate":{'*'"stars":4'*'"status":"valid"'* ]] && pass || fail "the resolver shows the stars: $got"
expect_equal "a producer revokes: 403" "$(status "$producer" POST /api/v1/certificates/$cert_id/revoke '{"reason":"x"}')" 403
got=$(call "$officer" POST /api/v1/certificates/$cert_id/revoke '{"reason":"Không đạt kiểm tra an toàn thực phẩm"}')
[[ $got == 200* && $got == *'"status":"revoked"'* ]] && pass || fail "an officer revokes: $got"
expect_equal "revoked twice: 409" "$(status "$officer" POST /api/v1/certificates/$cert_id/revoke '{"reason":"x"}')" 409
got=$(curl -s -H 'Accept: application/json' "$base/c/OCOP-BTh-2025-0042")
[[ $got == *'"status":"revoked"'* ]] && pass || fail "the public page says revoked: $got"
expect_equal "officers' actions are audited" \
    "$(sqlite3 "$db" "SELECT action FROM audit_log ORDER BY id" | paste -sd ' ')" "certificate.issue certificate.revoke"

# The officers' summary.
expect_equal "a producer reads the summary: 403" "$(status "$producer" GET /api/v1/reports/summary)" 403
got=$(call "$officer" GET /api/v1/reports/summary)
[[ $got == 200* && $got == *'"producers_by_kind":{'*'"cooperative":1'* && $got == *'"share_cooperatives":'* && $got == *'"products_by_group":{"food":'* && $got == *'"certificates_expiring":{"within_30_days":0,"within_90_days":0}'* ]] &&
    pass || fail "the summary counts: $got"

# CSV import: all rows or none, every bad row reported.
csv() { curl -s -o "$scratch/body" -w '%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: text/csv' \
    --data-binary @"$2" "$base/api/v1/import/products"; printf ' '; cat "$scratch/body"; }
printf 'producer_id,name,group,gtin,net_quantity\r\n2,"Mật ong, hoa cà phê",food,036000291452,500 g\r\n2,Nón lá Gò Găng,handicraft,,\r\n' >"$scratch/good.csv"
printf 'producer_id,name,group,gtin\n2,A,fruit,\n2,B,food,08931234567895\n2,C,food,\n' >"$scratch/bad.csv"
printf 'producer_id,name,group,gtin\n2,D,food,96385074\n2,E,food,96385074\n' >"$scratch/twice.csv"
printf 'producer_id,name,group\n2,"unclosed,food\n' >"$scratch/broken.csv"
before=$(sqlite3 "$db" "SELECT count(*) FROM products")
got=$(csv "$admin" "$scratch/bad.csv")
[[ $got == 422* && $got == *'"row":2,"field":"group"'* && $got == *'"row":3,"field":"gtin","message":"check digit is 5, expected 7"'* ]] &&
    pass || fail "every bad row reported: $got"
expect_equal "a bad file imports nothing" "$(sqlite3 "$db" "SELECT count(*) FROM products")" "$before"
got=$(csv "$admin" "$scratch/twice.csv")
expect_equal "a GTIN twice in the file: 409" "${got%% *}" 409
expect_equal "a conflict imports nothing" "$(sqlite3 "$db" "SELECT count(*) FROM products")" "$before"
expect_equal "malformed CSV: 400" "$(csv "$admin" "$scratch/broken.csv" | cut -d' ' -f1)" 400
got=$(csv "$admin" "$scratch/good.csv")
[[ $got == 201*'"imported":2'* ]] && pass || fail "a good file imports every row: $got"
expect_equal "quoted commas kept" "$(sqlite3 "$db" "SELECT count(*) FROM products WHERE name = 'Mật ong, hoa cà phê'")" 1
got=$(csv "$producer" "$scratch/good.csv")
[[ $got == 422* && $got == *'"field":"producer_id","message":"a producer imports products for itself only"'* ]] &&
    pass || fail "a producer importing another's rows: 422: $got"
got=$(csv "$admin" "$scratch/good.csv")
[[ $got == 409* ]] && pass || fail "the same GTINs again: 409: $got"

# The resolver, public: what a scanned code stands for, and its verdict.
first_uri=$(echo "$uris" | head -n 1)
path=${first_uri#https://truyxuatsanphambinhthuan.vn}
path=${path%%\?*}
resolve() { curl -s -H 'Accept: application/json' "$@"; }
got=$(resolve "$base$path")
[[ $got == *'"verdict":"genuine"'* && $got == *'"name":"Nước mắm Phan Thiết"'* && $got == *'"code":"L2025A"'* && $got == *'"expires":"2027-03-01"'* ]] &&
    pass || fail "an issued serial is genuine, with product and lot: $got"
page=$(curl -s "$base$path")
grep -q '<h1>Nước mắm Phan Thiết</h1>' <<<"$page" && pass || fail "HTML page for a browser"
grep -q 'verdict-genuine' <<<"$page" && pass || fail "HTML shows the verdict"
got=$(resolve "$base/01/08931234567897/10/L2025A/21/NEVERISSUE")
[[ $got == *'"verdict":"unknown"'* ]] && pass || fail "a serial never issued is unknown: $got"
got=$(resolve -w ' %{http_code}' "$base/01/04006381333931/21/X")
[[ $got == *'"verdict":"unknown"'*' 404' ]] && pass || fail "an unregistered GTIN: 404, unknown: $got"
expect_equal "a malformed link: 400" "$(curl -s -o /dev/null -w '%{http_code}' "$base/01/08931234567895")" 400
# A family checking at home, on 4G and at a relative's: still genuine, and
# the answer says how often and since when (tests/cli/verdict.sh has the rest).
for n in 2 3 4; do resolve --interface 127.0.$n.1 "$base$path" >/dev/null; done
got=$(resolve --interface 127.0.5.1 "$base$path")
[[ $got == *'"verdict":"genuine"'* && $got == *'"networks":5'* && $got == *'"first_scan_at":"'*'+07:00"'* ]] &&
    pass || fail "a few networks are not evidence of a copy: $got"
# Written behind, within milliseconds: wait for them.
for _ in $(seq 1 50); do
    scans=$(sqlite3 "$db" "SELECT count(*) FROM scans WHERE serial = '${path##*/}'")
    [ "$scans" -ge 5 ] && break
    sleep 0.05
done
[ "$scans" -ge 5 ] && pass || fail "every scan is recorded: $scans"
# A product without a GTIN is reached by the non-GS1 path of its labels.
nogtin=$(call "$admin" POST /api/v1/products '{"producer_id":2,"name":"Nón lá","group":"handicraft"}')
nid=$(echo "$nogtin" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
nlot=$(call "$admin" POST /api/v1/products/$nid/lots '{"code":"N1"}' | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
nuri=$(call "$admin" POST /api/v1/lots/$nlot/serials '{"count":1}' | grep -o '"uri":"[^"]*"' | cut -d'"' -f4)
[[ $nuri == https://truyxuatsanphambinhthuan.vn/lot/N1/* ]] && pass || fail "non-GS1 URI: $nuri"
got=$(resolve "$base${nuri#https://truyxuatsanphambinhthuan.vn}")
[[ $got == *'"verdict":"genuine"'* && $got == *'"name":"Nón lá"'* ]] && pass || fail "non-GS1 path resolves: $got"
grep -q '^ocoptrace_scans_total [1-9]' <<<"$(curl -s "$base/metrics")" && pass || fail "metrics count scans"

# SIGTERM: exit 0; the log has one line per request and no secret.
# A long request (a sheet of 10,000 labels) is answered even when SIGTERM
# arrives while it is drawn.
call "$producer" POST /api/v1/lots/$lot_id/serials '{"count":10000}' >/dev/null
curl -s -H "Authorization: Bearer $producer" -o "$scratch/inflight.pdf" -w '%{http_code}' \
    "$base/api/v1/lots/$lot_id/labels.pdf?sheet=a4-3x8" >"$scratch/inflight.code" &
fetch=$!
sleep 0.3
kill -TERM $pid
wait $pid
code=$?
wait $fetch
expect_equal "the request in flight is answered" "$(cat "$scratch/inflight.code")" 200
pdfinfo "$scratch/inflight.pdf" >/dev/null 2>&1 && pass || fail "the answer is a whole PDF"
[ "$code" -eq 0 ] && pass || fail "SIGTERM: exit $code: $(grep -v '^[A-Z]* /' "$log" | head -n 30)"
grep -qE '^POST /api/v1/producers 201 [0-9]+us 127\.0\.0\.1$' "$log" && pass || fail "request log line"
grep -q -F "${admin#oct_}" "$log" && fail "a token reached the log" || pass

# SIGHUP reloads the config file: a new base URL names new codes.
printf '[server]\nbase_url = https://old.example.vn\n' >"$scratch/serve.ini"
start_daemon "$db" --config "$scratch/serve.ini"
pid2=$pid
before=$(call "$producer" POST /api/v1/lots/$lot_id/serials '{"count":1}')
printf '[server]\nbase_url = https://new.example.vn\n' >"$scratch/serve.ini"
kill -HUP $pid2
for _ in $(seq 1 50); do grep -q "configuration reloaded" "$daemon_log" && break; sleep 0.1; done
after=$(call "$producer" POST /api/v1/lots/$lot_id/serials '{"count":1}')
[[ $before == *'"uri":"https://old.example.vn/01/'* && $after == *'"uri":"https://new.example.vn/01/'* ]] &&
    pass || fail "SIGHUP reloads the base URL: $before / $after"
kill -TERM $pid2
wait $pid2
expect_equal "second daemon: SIGTERM exit" "$?" 0

finish
