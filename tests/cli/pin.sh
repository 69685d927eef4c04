#!/usr/bin/env bash
# Scratch-off PINs over a real socket: the product setting; PINs issued
# once (in the JSON answer, or on labels read back with pdftotext, whose
# codes, decoded, hold no PIN), kept only as hashes, never printed again;
# the form on the scan page; the buyer's entry (first, again, wrong, of the
# wrong form) as a page and as JSON; the page in English after an English
# form, in Vietnamese by default; the limits per serial and per network,
# with 429 and Retry-After; and all of it across a restart.
suite=cli-pin
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/pin.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
start_daemon "$db"
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES ('HTX Yến sào', 'Xã Hàm Mỹ, tỉnh Bình Thuận', 'cooperative')"
details='"net_quantity":"100 g","ingredients":"Yến sào","origin":"Việt Nam","usage":"Chưng cách thủy","storage":"Khô ráo"'
field() { grep -o "\"$1\":\"\{0,1\}[^\",}]*" | head -n 1 | sed 's/.*://; s/"//'; }
count() { sqlite3 "$db" "$1"; }

# The setting: a boolean, refused otherwise, changed with PATCH.
while read -r value want; do
    got=$(status "$admin" POST /api/v1/products "{\"producer_id\":1,\"name\":\"Yến\",\"group\":\"food\",$details,\"scratch_pin\":$value}")
    expect_equal "scratch_pin $value" "$got" "$want"
done <<'ROWS'
"yes" 400
1 400
null 400
ROWS
expect_equal "refused settings store nothing" "$(count 'SELECT count(*) FROM products')" 0
got=$(call "$admin" POST /api/v1/products "{\"producer_id\":1,\"name\":\"Yến sào Hàm Mỹ\",\"group\":\"food\",\"gtin\":\"08931234567897\",$details,\"scratch_pin\":true}")
expect_equal "a product with scratch_pin" "${got%% *} $(field scratch_pin <<<"${got#* }")" "201 true"
got=$(call "$admin" POST /api/v1/products "{\"producer_id\":1,\"name\":\"Nước mắm\",\"group\":\"food\",\"gtin\":\"08931234567880\",$details}")
expect_equal "a product without" "${got%% *}" 201
expect_equal "PATCH turns it on" "$(call "$admin" PATCH /api/v1/products/2 '{"scratch_pin":true}' | cut -d' ' -f2- | field scratch_pin)" true
expect_equal "PATCH turns it off" "$(call "$admin" PATCH /api/v1/products/2 '{"scratch_pin":false}' | cut -d' ' -f2- | field scratch_pin)" false
call "$admin" POST /api/v1/products/1/lots '{"code":"Y1","produced":"2025-03-01","expires":"2027-03-01"}' >/dev/null
call "$admin" POST /api/v1/products/2/lots '{"code":"N1","produced":"2025-03-01","expires":"2027-03-01"}' >/dev/null

# Issued in JSON: each serial with its 8-digit PIN, which its code's URI
# does not hold and the database keeps only as a hash.
call "$admin" POST /api/v1/lots/1/serials '{"count":8}' >"$scratch/issued"
expect_equal "issue: 201" "$(head -c 3 "$scratch/issued")" 201
cut -d' ' -f2- "$scratch/issued" >"$scratch/issued.json"
/usr/bin/python3 - "$scratch/issued.json" >"$scratch/units" <<'EOF'
import json, sys, urllib.parse
for s in json.load(open(sys.argv[1]))["serials"]:
    print(s["serial"], s.get("pin", "-"), urllib.parse.urlsplit(s["uri"]).path, s["uri"])
EOF
expect_equal "8 units, each with a PIN of 8 digits" "$(grep -cE '^[^ ]+ [0-9]{8} ' "$scratch/units")" 8
expect_equal "PINs differ" "$(cut -d' ' -f2 "$scratch/units" | sort -u | wc -l)" 8
leaks=0
while read -r serial pin path uri; do
    [[ $uri == *"$pin"* ]] && leaks=$((leaks + 1))
    sqlite3 "$db" .dump | grep -q "$pin" && leaks=$((leaks + 1))
done <"$scratch/units"
expect_equal "no PIN in a URI or anywhere in the database" "$leaks" 0
expect_equal "one hash per serial" "$(count 'SELECT count(*) FROM serial_pins WHERE lot_id = 1')" 8
got=$(call "$admin" POST /api/v1/lots/2/serials '{"count":2}')
[[ $got == 201* && $got != *'"pin"'* ]] && pass || fail "a product without scratch_pin: serials without PINs: $got"
unit() { sed -n "$1p" "$scratch/units" | cut -d' ' -f"$2"; }

# Issued with their labels: one PDF, each label's PIN in its box, read back
# by pdftotext; each code, decoded, is the unit's URI and holds no PIN.
before=$(count 'SELECT count(*) FROM serials')
got=$(call "$admin" POST /api/v1/lots/1/serials '{"count":2,"sheet":"nosuch"}')
expect_equal "labels on an unknown sheet: refused" "${got%% *}" 422
long='{"address":"Thôn Lâm Giáo, xã Tân Tiến, thị xã La Gi, tỉnh Bình Thuận, Việt Nam; cơ sở hai: khu phố 5, phường Hàm Tiến, thành phố Phan Thiết"}'
call "$admin" PATCH /api/v1/producers/1 "$long" >/dev/null
got=$(call "$admin" POST /api/v1/lots/1/serials '{"count":2,"sheet":"a4-4x10"}')
[[ $got == 422*"the PIN's box"* ]] && pass || fail "a label too small for the PIN: 422 saying so: ${got:0:200}"
call "$admin" PATCH /api/v1/producers/1 '{"address":"Xã Hàm Mỹ, tỉnh Bình Thuận"}' >/dev/null
expect_equal "refused labels issue nothing" "$(count 'SELECT count(*) FROM serials')" "$before"
code=$(curl -s -o "$scratch/labels.pdf" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $admin" \
    -d '{"count":2,"sheet":"roll-60x40"}' "$base/api/v1/lots/1/serials")
expect_equal "labels with the serials: a PDF" "$code" "201 application/pdf"
for page in 1 2; do
    text=$(pdftotext -q -f $page -l $page "$scratch/labels.pdf" - | tr '\n' ' ' | tr -s ' ')
    pin=$(grep -oE 'Cào để lấy mã PIN: [0-9]{4} [0-9]{4}' <<<"$text" | grep -oE '[0-9]{4} [0-9]{4}')
    serial=$(grep -oE 'Seri: [0-9A-Z]{10}' <<<"$text" | cut -d' ' -f2)
    [ -n "$pin" ] && [ -n "$serial" ] && pass || fail "label $page: the PIN's box and the serial in the text: $text"
    pdftoppm -r 300 -f $page -l $page -gray -png -singlefile "$scratch/labels.pdf" "$scratch/label" 2>/dev/null
    held=$(zbarimg -q --raw "$scratch/label.png" 2>/dev/null)
    path=/01/08931234567897/10/Y1/21/$serial
    expect_equal "label $page: the code holds the unit's URI" "$held" "https://truyxuatsanphambinhthuan.vn$path?17=270301"
    [[ -n $pin && $held != *"${pin// /}"* && $held != *"$pin"* ]] && pass || fail "label $page: the code does not hold the PIN"
    printf '%s %s %s -\n' "$serial" "${pin// /}" "$path" >>"$scratch/units"
done
# The printed PIN is the unit's: the buyer's first entry, typed as printed.
got=$(curl -s -H 'Accept: application/json' --data-urlencode "pin=$(unit 9 2 | sed 's/..../& /')" "$base$(unit 9 3)/verify")
expect_equal "the printed PIN, typed with its space, verifies" "$(field result <<<"$got")" first

# Never printed again: the lot's labels are refused; the preview shows a sample.
got=$(call "$admin" GET '/api/v1/lots/1/labels.pdf?sheet=roll-60x40')
[[ $got == 409*pins_printed_once* ]] && pass || fail "the labels of PIN serials, again: 409: ${got:0:200}"
expect_equal "the other lot's labels still print" "$(status "$admin" GET '/api/v1/lots/2/labels.pdf?sheet=roll-60x40')" 200
code=$(curl -s -o "$scratch/preview.png" -w '%{http_code}' -H "Authorization: Bearer $admin" "$base/api/v1/lots/1/label.png?sheet=roll-60x40")
expect_equal "the preview of a PIN label" "$code $(file -b --mime-type "$scratch/preview.png")" "200 image/png"

# The scan page: a form for the unit's PIN, its target in the JSON answer;
# none for the product without PINs.
page=$(curl -s "$base$(unit 1 3)")
grep -q 'class="card pin pin-on"' <<<"$page" && grep -qF "action=\"$(unit 1 3)/verify\"" <<<"$page" &&
    grep -q 'name="pin"' <<<"$page" && pass || fail "the scan page has the PIN form"
expect_equal "the JSON answer names the form's target" "$(curl -s -H 'Accept: application/json' "$base$(unit 1 3)" | field pin_verify)" "$(unit 1 3)/verify"
other=$(call "$admin" GET /api/v1/lots/2 >/dev/null; sqlite3 "$db" "SELECT serial FROM serials WHERE lot_id = 2 LIMIT 1")
grep -q 'pin-off' <<<"$(curl -s "$base/01/08931234567880/10/N1/21/$other")" && pass || fail "no form without scratch_pin"

# verify NETWORK PATH PIN [ACCEPT]: "STATUS BODY" of a buyer's entry.
verify() {
    curl -s -o "$scratch/answer" -w '%{http_code}' -D "$scratch/headers" --interface "127.0.$1.1" \
        -H "Accept: ${4:-text/html}" --data-urlencode "pin=$3" "$base$2/verify"
    printf ' '
    cat "$scratch/answer"
}
A=$(unit 1 3) PIN_A=$(unit 1 2)
got=$(verify 10 "$A" "$PIN_A")
[[ $got == 200* && $got == *'Chính hãng: đây là lần xác thực đầu tiên'* && $got == *pin-result-first* ]] &&
    pass || fail "first entry: genuine, first verification: ${got:0:300}"
got=$(verify 11 "$A" "$PIN_A" application/json)
expect_equal "a second buyer (JSON): again" "${got%% *} $(field result <<<"$got") $(field verifications <<<"$got")" "200 again 2"
at=$(grep -o '"verified_at":"[^"]*"' <<<"$got" | cut -d'"' -f4)
[[ $at == ????-??-??T??:??:??+07:00 ]] && pass || fail "verified_at at +07:00: $at"
got=$(verify 12 "$A" "${PIN_A:0:4}-${PIN_A:4}")
words="Mã PIN này đã được xác thực lúc ${at:11:5} ngày ${at:8:2}/${at:5:2}/${at:0:4} (giờ Việt Nam, +07:00): nếu không phải bạn, sản phẩm có thể là hàng giả."
[[ $got == 200* ]] && grep -qF "$words" <<<"$got" && pass || fail "a later entry (dashes ignored): already verified, when: ${got:0:200}"

# The wrong form counts as nothing: refused, naming the rule, and no
# failure stored.
B=$(unit 2 3) PIN_B=$(unit 2 2)
while IFS='|' read -r typed rule vi; do
    got=$(verify 20 "$B" "$typed" application/json)
    [[ $got == 422*'"code":"invalid"'*'"field":"pin"'* && $got == *"$rule"* ]] && pass ||
        fail "'$typed': 422 naming the rule '$rule': $got"
    got=$(verify 20 "$B" "$typed")
    grep -qF "$vi" <<<"$got" && grep -q pin-result-invalid <<<"$got" && pass || fail "'$typed': the page says '$vi'"
done <<'ROWS'
1234|a PIN is 8 digits (spaces and dashes are ignored): found 4|bạn đã nhập 4 chữ số
123456789|found 9|bạn đã nhập 9 chữ số
12ab5678|not a digit|ký tự không phải chữ số
|give the 8 digits|Hãy nhập mã PIN gồm 8 chữ số
１２３４５６７８|not a digit|ký tự không phải chữ số
ROWS
expect_equal "wrong forms store no failure" "$(count 'SELECT count(*) FROM pin_failures')" 0

# Wrong PINs: 5 per serial per hour, then 429 with Retry-After, even for
# the right PIN, which is not checked.
wrong=$(printf '%08d' $(((10#$PIN_B + 1) % 100000000)))
for left in 4 3 2 1 0; do
    got=$(verify 20 "$B" "$wrong" application/json)
    expect_equal "wrong PIN: $left left" "${got%% *} $(field code <<<"$got") $(field attempts_left <<<"$got")" "422 wrong_pin $left"
done
got=$(verify 20 "$B" "$wrong")
grep -q 'pin-result-wrong' <<<"$(verify 21 "$A" "$wrong")" && pass || fail "a wrong PIN's page says so"
for network in 20 22; do
    got=$(verify $network "$B" "$PIN_B" application/json)
    retry=$(tr -d '\r' <"$scratch/headers" | awk -F': ' 'tolower($1) == "retry-after" { print $2 }')
    [[ $got == 429*too_many_attempts* && $retry -ge 3500 && $retry -le 3600 && $(field retry_after <<<"$got") == "$retry" ]] &&
        pass || fail "past 5 wrong: 429 from network $network with Retry-After ($retry): $got"
done
got=$(verify 22 "$B" "$PIN_B")
[[ $got == 429* ]] && grep -qE 'Vui lòng thử lại sau (59|60) phút' <<<"$got" && pass || fail "the page says how long to wait: $(grep -o "pin-result[^<]*<[^<]*" <<<"$got")"

# 20 wrong PINs per network per hour, over several serials.
for n in 3 4 5 6 7; do
    for i in 1 2 3 4; do verify 30 "$(unit $n 3)" 00000000 >/dev/null; done
done
got=$(verify 30 "$(unit 8 3)" "$(unit 8 2)" application/json)
[[ $got == 429*'from this network'* ]] && pass || fail "the 21st wrong PIN from one network: 429: $got"
got=$(verify 31 "$(unit 8 3)" "$(unit 8 2)" application/json)
expect_equal "another network, the same serial: checked" "${got%% *} $(field result <<<"$got")" "200 first"

# The answer's page is in the language of the page the PIN was typed on:
# its form carries it (a hidden field), else ?lang= or Accept-Language
# choose as for the scan page; Vietnamese by default. JSON stays English.
for languages in en vi; do
    curl -s -H "Accept-Language: $languages" "$base$(unit 3 3)" | grep -qF "<input type=\"hidden\" name=\"lang\" value=\"$languages\">" &&
        pass || fail "the $languages page's form carries its language"
done
# answer NETWORK UNIT PIN QUERY ACCEPT-LANGUAGE [LANG-FIELD]: "LANG RESULT TEXT" of the page.
answer() {
    local pin=$3 fields=()
    [ "$pin" = right ] && pin=$(unit "$2" 2)
    [ "$pin" = wrong ] && pin=00000000
    [ -n "${6:-}" ] && fields=(--data-urlencode "lang=$6")
    curl -s -o "$scratch/answer" -D "$scratch/headers" --interface "127.0.$1.1" ${5:+-H "Accept-Language: $5"} \
        "${fields[@]}" --data-urlencode "pin=$pin" "$base$(unit "$2" 3)/verify$4"
    local html content
    html=$(sed -n 's/^<html lang="\([a-z]*\)">$/\1/p' "$scratch/answer")
    content=$(tr -d '\r' <"$scratch/headers" | sed -n 's/^Content-Language: //p')
    printf '%s %s %s' "$html/$content" "$(grep -o 'class="pin-result pin-result-[a-z]*"' "$scratch/answer" | sed 's/.* //; s/"//')" \
        "$(sed -n 's/.*role="status">\([^<]*\)<\/p>.*/\1/p' "$scratch/answer" | tail -n 1)"
}
while IFS='|' read -r name network n pin query languages field want; do
    got=$(answer "$network" "$n" "$pin" "$query" "$languages" "$field")
    [[ $got == $want* ]] && pass || fail "$name: want '$want...', got '$got'"
done <<'ROWS'
the first, from an English form|50|3|right|||en|en/en pin-result-first Genuine: this is the first verification of this PIN.
again, from an English form|51|3|right|||en|en/en pin-result-again This PIN was already verified at
a wrong one, in English|52|4|wrong|||en|en/en pin-result-wrong Wrong PIN: check the digits under the scratch-off layer. 0 more tries this hour.
past the limit, in English|52|4|right|||en|en/en pin-result-limited Too many wrong PINs for this product. Please try again in
not 8 digits, in English|53|5|1234|||en|en/en pin-result-invalid A PIN is 8 digits (0–9) under the scratch-off layer; you typed 4.
not a digit, in English|53|5|12ab5678|||en|en/en pin-result-invalid A PIN is 8 digits (0–9) under the scratch-off layer; you typed a character that is not a digit.
nothing typed, in English|53|5||||en|en/en pin-result-invalid Type the 8-digit PIN printed under the scratch-off layer.
no language asked: Vietnamese|53|5|1234||||vi/vi pin-result-invalid Mã PIN gồm 8 chữ số
?lang=en on the form's target|53|5|1234|?lang=en|||en/en pin-result-invalid A PIN is 8 digits
Accept-Language alone|53|5|1234||en-US,en;q=0.9||en/en pin-result-invalid A PIN is 8 digits
a Vietnamese form, an English phone|53|5|1234||en|vi|vi/vi pin-result-invalid Mã PIN gồm 8 chữ số
an unknown language in the form|53|5|1234||en|fr|en/en pin-result-invalid A PIN is 8 digits
the first, from a Vietnamese form|54|6|right|||vi|vi/vi pin-result-first Chính hãng: đây là lần xác thực đầu tiên
ROWS
got=$(answer 51 3 right "" "" en)
[[ $got =~ at\ [0-9]{2}:[0-9]{2}\ on\ [0-9]{2}/[0-9]{2}/[0-9]{4}\ \(Vietnam\ time,\ \+07:00\):\ if\ that\ was\ not\ you,\ the\ product\ may\ be\ counterfeit\.$ ]] &&
    pass || fail "again, in English: when, and what it may mean: $got"
grep -qE 'Please try again in (59|60) minutes\.' <<<"$(answer 52 4 right "" "" en)" && pass || fail "the English page says how long to wait"
got=$(curl -s -H 'Accept: application/json' -H 'Accept-Language: vi' --data-urlencode 'lang=vi' --data-urlencode 'pin=1234' "$base$(unit 5 3)/verify")
[[ $got == *'"message":"a PIN is 8 digits'* ]] && pass || fail "JSON stays English: $got"

# Across a restart: the limits and the first verification stay.
kill -TERM "$pid"
wait "$pid"
start_daemon "$db"
expect_equal "after a restart: still limited" "$(verify 20 "$B" "$PIN_B" | head -c 3)" 429
expect_equal "after a restart: the network still limited" "$(verify 30 "$(unit 3 3)" "$(unit 3 2)" | head -c 3)" 429
got=$(verify 40 "$A" "$PIN_A" application/json)
expect_equal "after a restart: verified before" "$(field result <<<"$got") $(grep -o '"verified_at":"[^"]*"' <<<"$got" | cut -d'"' -f4)" "again $at"

# What has no PIN: an unknown unit, a product without scratch_pin.
got=$(verify 40 /01/08931234567897/10/Y1/21/NOSUCH0000 12345678 application/json)
expect_equal "an unknown unit" "${got%% *}" 404
got=$(verify 40 "/01/08931234567880/10/N1/21/$other" 12345678 application/json)
[[ $got == 404*no_pin* ]] && pass || fail "a product without PINs: 404 no_pin: $got"
# A lot of '/', encoded in its code's path: the form's target and the
# buyer's entry read the lot whole.
call "$admin" POST /api/v1/products/1/lots '{"code":"Y/2","produced":"2025-03-01","expires":"2027-03-01"}' >/dev/null
call "$admin" POST /api/v1/lots/"$(count "SELECT id FROM lots WHERE code = 'Y/2'")"/serials '{"count":1}' |
    cut -d' ' -f2- >"$scratch/slash.json"
/usr/bin/python3 - "$scratch/slash.json" >"$scratch/slash" <<'EOF'
import json, sys, urllib.parse
s = json.load(open(sys.argv[1]))["serials"][0]
print(s["serial"], s["pin"], urllib.parse.urlsplit(s["uri"]).path)
EOF
read -r serial pin path <"$scratch/slash"
expect_equal "lot Y/2: its code's path" "$path" "/01/08931234567897/10/Y%2F2/21/$serial"
expect_equal "lot Y/2: the form's target" "$(curl -s -H 'Accept: application/json' "$base$path" | field pin_verify)" "$path/verify"
got=$(verify 41 "$path" "$pin" application/json)
expect_equal "lot Y/2: the first entry" "${got%% *} $(field result <<<"$got")" "200 first"
finish
