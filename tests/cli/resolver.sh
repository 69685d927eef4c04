#!/usr/bin/env bash
# The resolver as a GS1-Conformant resolver, over a real socket: a
# producer's links added, listed, deleted and refused (nothing stored);
# linkType choosing this page, its JSON, the OCOP certificate (a 307 that
# curl -L follows to the certificate's page) or a producer's link (a 307 to
# it, by Accept-Language); an unknown linkType giving the default; the
# RFC 9264 linkset validated against a JSON schema; the Link header to it;
# /.well-known/gs1resolver; HEAD with the same headers, no body and no scan
# counted; CORS on the public answers and not on the API.
suite=cli-resolver
. "$(dirname "$0")/../lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
cd "$scratch"
db=$scratch/resolver.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Một', 'Xã Hàm Mỹ, tỉnh Bình Thuận', 'cooperative'),
    ('HTX Hai', 'Phường Phú Thủy, Phan Thiết', 'sme')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
producer2=$("$OCOPTRACE" user add --role producer --producer 2 htxhai --db "$db" | tail -n 1)

# The codes must name the daemon itself for its own links to be followed:
# the port is known once it listens, so the base URL comes by SIGHUP.
printf '[server]\nbase_url = https://placeholder.example.vn\n' >"$scratch/resolver.ini"
start_daemon "$db" --config "$scratch/resolver.ini"
printf '[server]\nbase_url = %s\n' "$base" >"$scratch/resolver.ini"
kill -HUP "$pid"
for _ in $(seq 1 50); do
    curl -s "$base/.well-known/gs1resolver" | grep -q "\"resolverRoot\":\"$base\"" && break
    sleep 0.1
done

id_of() { grep -o '"id":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2; }
count() { sqlite3 "$db" "$1"; }
# head_of URL [CURL-ARGS...]: the answer's headers, lower-cased names, no CR.
head_of() {
    local url=$1
    shift
    curl -s -o /dev/null -D - "$@" "$url" | tr -d '\r' | sed 's/^\([^:]*\):/\L\1:/'
}
header() { grep -i "^$1:" | head -n 1 | cut -d' ' -f2-; }

evaluation='{"number":"OCOP-R-0001","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
details='"net_quantity":"500 ml","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"'
got=$(call "$producer" POST /api/v1/products "{\"name\":\"Nước mắm Phan Thiết\",\"group\":\"food\",\"gtin\":\"8931234567897\",$details}")
expect_equal "setup: producer 1's product" "${got%% *}" 201
P1=$(id_of "$got")
got=$(call "$producer2" POST /api/v1/products "{\"name\":\"Mật ong\",\"group\":\"food\",\"gtin\":\"96385074\",$details}")
P2=$(id_of "$got")
L1=$(id_of "$(call "$producer" POST /api/v1/products/$P1/lots '{"code":"L1","produced":"2025-03-01","expires":"2027-03-01"}')")
serial=$(call "$producer" POST /api/v1/lots/$L1/serials '{"count":2}' | grep -o '"serial":"[^"]*"' | head -n 1 | cut -d'"' -f4)
expect_equal "setup: a serial" "${#serial}" 10
expect_equal "setup: a certificate" "$(status "$officer" POST /api/v1/products/$P1/evaluations "$evaluation")" 201
unit=/01/08931234567897/10/L1/21/$serial
anchor=$base$unit

# ---------- the resolver's description ----------

/usr/bin/python3 - "$base" >"$scratch/out" 2>&1 <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
with urllib.request.urlopen(base + "/.well-known/gs1resolver") as r:
    d = json.load(r)
    assert r.headers["Content-Type"] == "application/json", r.headers["Content-Type"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
assert d["resolverRoot"] == base, d
assert d["supportedPrimaryKeys"] == ["01"], d
assert {"namespace": "https://gs1.org/voc/", "prefix": "gs1:"} in d["supportedLinkType"], d
assert d["linkTypeDefaultCanBeLinkset"] is False, d
assert isinstance(d["name"], str) and d["name"], d
print("ok")
EOF
expect_equal "description: /.well-known/gs1resolver" "$(cat "$scratch/out")" ok

# ---------- a producer's links ----------

# Refused, each naming its field; nothing is stored.
while read -r want field body; do
    got=$(call "$producer" POST /api/v1/products/$P1/links "$body")
    code=${got%% *}
    named=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["error"]["field"])' "${got#* }" 2>/dev/null)
    expect_equal "refused $body" "$code $named" "$want $field"
done <<'ROWS'
422 href {"link_type":"gs1:purchaseSuggestion","href":"http://shop.example.vn/nuoc-mam"}
422 href {"link_type":"gs1:purchaseSuggestion","href":"ftp://shop.example.vn/nuoc-mam"}
422 href {"link_type":"gs1:purchaseSuggestion","href":"https:///nuoc-mam"}
422 href {"link_type":"gs1:purchaseSuggestion","href":"https://shop.example.vn/nước mắm"}
422 href {"link_type":"gs1:purchaseSuggestion","href":"https://shop.example.vn/\"><script>"}
422 href {"link_type":"gs1:purchaseSuggestion","href":"javascript:alert(1)"}
422 link_type {"link_type":"gs1:pip","href":"https://shop.example.vn/nuoc-mam"}
422 link_type {"link_type":"gs1:certificationInfo","href":"https://shop.example.vn/nuoc-mam"}
422 link_type {"link_type":"gs1:nosuch","href":"https://shop.example.vn/nuoc-mam"}
422 link_type {"link_type":"purchaseSuggestion","href":"https://shop.example.vn/nuoc-mam"}
422 lang {"link_type":"gs1:review","href":"https://shop.example.vn/r","lang":"vietnamese"}
422 lang {"link_type":"gs1:review","href":"https://shop.example.vn/r","lang":"en_US"}
422 title {"link_type":"gs1:review","href":"https://shop.example.vn/r","title":""}
422 href {"link_type":"gs1:review"}
400 color {"link_type":"gs1:review","href":"https://shop.example.vn/r","color":"red"}
400 href {"link_type":"gs1:review","href":42}
ROWS
got=$(call "$producer" POST /api/v1/products/$P1/links '{"link_type":"gs1:purchaseSuggestion","href":"http://shop.example.vn/x"}')
[[ $got == *"must be an https: URL"* ]] && pass || fail "http: refused naming the rule: $got"
expect_equal "refused links store nothing" "$(count 'SELECT count(*) FROM product_links')" 0

shop_vi=https://shop.example.vn/nuoc-mam
shop_en=https://shop.example.vn/en/fish-sauce
review=https://review.example.vn/nuoc-mam-phan-thiet
got=$(call "$producer" POST /api/v1/products/$P1/links "{\"link_type\":\"gs1:purchaseSuggestion\",\"href\":\"$shop_vi\",\"title\":\"Cửa hàng HTX Một\"}")
expect_equal "a link added" "${got%% *}" 201
[[ $got == *'"lang":"vi"'* ]] && pass || fail "lang defaults to vi: $got"
got=$(call "$producer" POST /api/v1/products/$P1/links "{\"link_type\":\"gs1:purchaseSuggestion\",\"href\":\"$shop_en\",\"title\":\"Shop\",\"lang\":\"en\"}")
expect_equal "one in English" "${got%% *}" 201
got=$(call "$officer" POST /api/v1/products/$P1/links "{\"link_type\":\"gs1:review\",\"href\":\"$review\"}")
expect_equal "an officer adds one" "${got%% *}" 201
[[ $got == *'"title":"Đánh giá"'* ]] && pass || fail "the title defaults to the type's: $got"
review_id=$(id_of "$got")
expect_equal "the same link again" "$(status "$producer" POST /api/v1/products/$P1/links "{\"link_type\":\"gs1:purchaseSuggestion\",\"href\":\"$shop_vi\"}")" 409
expect_equal "another producer's product" "$(status "$producer2" POST /api/v1/products/$P1/links "{\"link_type\":\"gs1:review\",\"href\":\"$review\"}")" 403
expect_equal "no such product" "$(status "$producer" POST /api/v1/products/999/links "{\"link_type\":\"gs1:review\",\"href\":\"$review\"}")" 404
expect_equal "no token" "$(status "" POST /api/v1/products/$P1/links "{\"link_type\":\"gs1:review\",\"href\":\"$review\"}")" 401
call "$producer" GET /api/v1/products/$P1/links >"$scratch/list"
expect_equal "listed" "$(cut -d' ' -f2- "$scratch/list" | /usr/bin/python3 -c 'import json,sys; print(" ".join(l["link_type"] + "/" + l["lang"] for l in json.load(sys.stdin)["links"]))')" \
    "gs1:purchaseSuggestion/vi gs1:purchaseSuggestion/en gs1:review/vi"
expect_equal "another producer cannot list them" "$(status "$producer2" GET /api/v1/products/$P1/links)" 403
got=$(call "$producer" GET /api/v1/link-types)
[[ $got == 200*'"link_type":"gs1:recipeInfo"'* && $got == *'"producer_may_add":false'* ]] && pass || fail "the vocabulary: ${got:0:200}"

# At most 20 links a product; the 21st is refused and not stored.
for i in $(seq 1 20); do
    call "$producer2" POST /api/v1/products/$P2/links "{\"link_type\":\"gs1:faqs\",\"href\":\"https://hai.example.vn/faq/$i\"}" >/dev/null
done
got=$(call "$producer2" POST /api/v1/products/$P2/links '{"link_type":"gs1:faqs","href":"https://hai.example.vn/faq/21"}')
expect_equal "the 21st link" "${got%% *} $(count "SELECT count(*) FROM product_links WHERE product_id = $P2")" "422 20"
delete_id=$(count "SELECT id FROM product_links WHERE product_id = $P2 ORDER BY id LIMIT 1")
expect_equal "delete another producer's link" "$(status "$producer" DELETE /api/v1/links/$delete_id)" 403
expect_equal "delete one's own" "$(status "$producer2" DELETE /api/v1/links/$delete_id)" 204
expect_equal "deleted" "$(count "SELECT count(*) FROM product_links WHERE product_id = $P2")" 19
expect_equal "delete it again" "$(status "$producer2" DELETE /api/v1/links/$delete_id)" 404
sqlite3 "$db" "DELETE FROM product_links WHERE product_id = $P2"

# ---------- linkType ----------

# The default, gs1:pip and a linkType not known are this page; the Link
# header points to the linkset.
while IFS='|' read -r name query; do
    h=$(head_of "$base$unit$query")
    got=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h")
    expect_equal "$name: status and type" "$got $(header content-type <<<"$h")" "200 text/html; charset=utf-8"
    expect_equal "$name: Link" "$(header link <<<"$h")" "<$anchor?linkType=all>; rel=\"linkset\"; type=\"application/linkset+json\""
    page=$(curl -s "$base$unit$query")
    [[ $page == *"<h1>Nước mắm Phan Thiết</h1>"* ]] && pass || fail "$name: the product page"
done <<'ROWS'
no linkType|
gs1:pip|?linkType=gs1:pip
gs1:pip as its URI|?linkType=https%3A%2F%2Fgs1.org%2Fvoc%2Fpip
a linkType not known|?linkType=gs1:nosuch
an empty linkType|?linkType=
gs1:defaultLink|?linkType=gs1:defaultLink
ROWS
got=$(curl -s -w ' %{http_code} %{content_type}' "$base$unit?linkType=gs1:traceability")
[[ $got == *'"name":"Nước mắm Phan Thiết"'*' 200 application/json' ]] && pass || fail "gs1:traceability: the JSON answer: ${got:0:200}"

# gs1:certificationInfo: a 307 to the certificate's page on this resolver,
# which curl -L follows.
h=$(head_of "$base$unit?linkType=gs1:certificationInfo")
expect_equal "certificationInfo: 307 to the certificate" \
    "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h") $(header location <<<"$h")" "307 $base/c/OCOP-R-0001"
expect_equal "certificationInfo: Link" "$(header link <<<"$h")" "<$anchor?linkType=all>; rel=\"linkset\"; type=\"application/linkset+json\""
page=$(curl -sL -w ' %{http_code} %{url_effective}' "$base$unit?linkType=gs1:certificationInfo")
[[ $page == *"Giấy chứng nhận OCOP OCOP-R-0001"*"CÒN HIỆU LỰC"*" 200 $base/c/OCOP-R-0001" ]] && pass || fail "certificationInfo followed: ${page: -200}"
page=$(curl -sL -w ' %{http_code}' "$base/01/00000096385074?linkType=gs1:certificationInfo")
[[ $page == *"<h1>Mật ong</h1>"*" 200" ]] && pass || fail "no certificate: the default link, not a redirect"

# A producer's link: a 307 to it, in the reader's language (the first
# added among equals); the test cannot reach it, so curl -I reads Location.
while read -r want languages; do
    h=$(head_of "$base$unit?linkType=gs1:purchaseSuggestion" ${languages:+-H "Accept-Language: $languages"})
    expect_equal "purchaseSuggestion for '$languages'" \
        "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h") $(header location <<<"$h")" "307 $want"
done <<ROWS
$shop_vi
$shop_vi vi
$shop_en en
$shop_en en-US,en;q=0.9
$shop_vi en;q=0.5, vi-VN;q=0.8
$shop_vi fr
$shop_en fr, en;q=0.1
ROWS
h=$(head_of "$base$unit?linkType=https://gs1.org/voc/review")
expect_equal "a link type as its URI" "$(header location <<<"$h")" "$review"
h=$(head_of "$base/01/00000096385074?linkType=gs1:review")
expect_equal "a link type the product lacks: the default" \
    "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h") $(header content-type <<<"$h")" "200 text/html; charset=utf-8"

# ---------- the linkset ----------

# validate FILE: "ok", or what is wrong with it as a linkset.
validate() {
    /usr/bin/python3 - "$here/linkset.schema.json" "$1" <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
try:
    jsonschema.validate(json.load(open(sys.argv[2], "rb")), schema,
                        cls=jsonschema.Draft202012Validator)
    print("ok")
except Exception as e:
    print(str(e).splitlines()[0])
EOF
}
code=$(curl -s -o "$scratch/all.json" -w '%{http_code} %{content_type}' "$base$unit?linkType=all")
expect_equal "linkType=all: the linkset" "$code" "200 application/linkset+json"
expect_equal "linkType=all: valid against RFC 9264's shape" "$(validate "$scratch/all.json")" ok
code=$(curl -s -o "$scratch/accept.json" -w '%{http_code} %{content_type}' -H 'Accept: application/linkset+json' "$base$unit")
expect_equal "Accept: application/linkset+json" "$code" "200 application/linkset+json"
cmp -s "$scratch/all.json" "$scratch/accept.json" && pass || fail "the same linkset either way"
/usr/bin/python3 - "$scratch/all.json" "$anchor" "$base" "$shop_vi" "$shop_en" "$review" >"$scratch/out" 2>&1 <<'EOF'
import json, sys
doc, anchor, base, shop_vi, shop_en, review = json.load(open(sys.argv[1])), *sys.argv[2:]
[ctx] = doc["linkset"]
voc = "https://gs1.org/voc/"
assert ctx["anchor"] == anchor, ctx["anchor"]
assert ctx[voc + "pip"] == [{"href": anchor + "?linkType=gs1:pip", "title": "Nước mắm Phan Thiết",
                             "type": "text/html", "hreflang": ["vi"]}], ctx[voc + "pip"]
assert ctx[voc + "defaultLink"] == ctx[voc + "pip"]
assert [t["href"] for t in ctx[voc + "traceability"]] == [anchor + "?linkType=gs1:traceability"]
assert ctx[voc + "traceability"][0]["type"] == "application/json"
assert [t["href"] for t in ctx[voc + "certificationInfo"]] == [base + "/c/OCOP-R-0001"]
assert [(t["href"], t["hreflang"], t["title"]) for t in ctx[voc + "purchaseSuggestion"]] == [
    (shop_vi, ["vi"], "Cửa hàng HTX Một"), (shop_en, ["en"], "Shop")], ctx[voc + "purchaseSuggestion"]
assert [t["href"] for t in ctx[voc + "review"]] == [review]
assert set(ctx) == {"anchor"} | {voc + k for k in ("pip", "defaultLink", "traceability",
                                                   "certificationInfo", "purchaseSuggestion", "review")}, set(ctx)
print("ok")
EOF
expect_equal "the linkset's links" "$(cat "$scratch/out")" ok
# The schema can fail: a linkset with hreflang as a bare string is refused.
sed 's/"hreflang":\["vi"\]/"hreflang":"vi"/' "$scratch/all.json" >"$scratch/broken.json"
[ "$(validate "$scratch/broken.json")" != ok ] && pass || fail "the schema refuses a broken linkset"
# The linkset's links on this resolver answer what they say.
pip=$(curl -s -w ' %{http_code} %{content_type}' "$anchor?linkType=gs1:pip")
[[ $pip == *"<h1>Nước mắm Phan Thiết</h1>"*" 200 text/html; charset=utf-8" ]] && pass || fail "the pip link"
trace=$(curl -s -w ' %{http_code} %{content_type}' "$anchor?linkType=gs1:traceability")
[[ $trace == *"\"serial\":\"$serial\""*" 200 application/json" ]] && pass || fail "the traceability link: ${trace:0:200}"
code=$(curl -s -o "$scratch/p2.json" -w '%{http_code}' "$base/01/00000096385074?linkType=all")
expect_equal "a product without links or certificate: a linkset too" "$code $(validate "$scratch/p2.json")" "200 ok"
grep -q certificationInfo "$scratch/p2.json" && fail "no certificationInfo without a certificate" || pass
# A product without a GTIN: its codes' path is /lot/{lot}/{serial}.
P3=$(id_of "$(call "$producer" POST /api/v1/products "{\"name\":\"Bánh tráng\",\"group\":\"food\",$details}")")
L3=$(id_of "$(call "$producer" POST /api/v1/products/$P3/lots '{"code":"B1","produced":"2025-03-01","expires":"2027-03-01"}')")
lot_uri=$(call "$producer" POST /api/v1/lots/$L3/serials '{"count":1}' | grep -o '"uri":"[^"]*"' | head -n 1 | cut -d'"' -f4)
code=$(curl -s -o "$scratch/lot.json" -w '%{http_code}' "$base${lot_uri#"$base"}?linkType=all")
expect_equal "a /lot/ code: a linkset" "$code $(validate "$scratch/lot.json")" "200 ok"
grep -q "\"anchor\":\"$lot_uri\"" "$scratch/lot.json" && pass || fail "a /lot/ code: its URI is the anchor: $(head -c 200 "$scratch/lot.json")"
code=$(curl -s -o "$scratch/none.json" -w '%{http_code} %{content_type}' "$base/01/08931234567880?linkType=all")
expect_equal "a GTIN not registered: 404 JSON" "$code" "404 application/json"
grep -q '"code":"not_found"' "$scratch/none.json" && pass || fail "a GTIN not registered: the error"

# ---------- HEAD ----------

# Same status and type as GET, no body.
while read -r name path accept; do
    get=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' ${accept:+-H "Accept: $accept"} "$base$path")
    head=$(curl -s -I -o "$scratch/head" -w '%{http_code} %{content_type} %{size_download}' ${accept:+-H "Accept: $accept"} "$base$path")
    expect_equal "HEAD $name" "$head" "$get 0"
done <<ROWS
page $unit
JSON $unit application/json
linkset $unit?linkType=all
traceability $unit?linkType=gs1:traceability
redirect $unit?linkType=gs1:purchaseSuggestion
not-registered /01/08931234567880
description /.well-known/gs1resolver
ROWS
scans() { curl -s -H 'Accept: application/json' "$base$unit" | grep -o '"scans":[0-9]*' | cut -d: -f2; }
before=$(scans)
for _ in 1 2 3; do curl -s -I -o /dev/null "$base$unit"; done
expect_equal "HEAD counts no scan" "$(scans)" "$((before + 1))"

# ---------- codes whose lot a URI must encode ----------

# Each lot is registered by the API, its serial's URI taken from the answer
# and fetched exactly as written (curl --path-as-is): the resolver reads the
# path as the client sent it, so an encoded '/' stays inside the lot. Under
# a GTIN and under /lot/ (a product without one). Set 82 has no space, '#'
# or letters beyond ASCII: such lots are refused, nothing stored.
got=$(call "$producer" POST /api/v1/products "{\"name\":\"Bánh tráng\",\"group\":\"food\",$details}")
P3=$(id_of "$got")
lots=$(count 'SELECT count(*) FROM lots')
while IFS='|' read -r name lot encoded want; do
    for product in $P1 $P3; do
        got=$(call "$producer" POST /api/v1/products/$product/lots "{\"code\":$lot,\"produced\":\"2025-03-01\",\"expires\":\"2027-03-01\"}")
        if [ "$want" != 201 ]; then
            [[ $got == "$want "*'"field":"code"'* ]] && pass || fail "lot $name: refused, naming the code: $got"
            continue
        fi
        expect_equal "lot $name: registered" "${got%% *}" 201
        uri=$(call "$producer" POST /api/v1/lots/$(id_of "$got")/serials '{"count":1}' | grep -o '"uri":"[^"]*"' | cut -d'"' -f4)
        [[ $uri == "$base/01/08931234567897/10/$encoded/21/"* || $uri == "$base/lot/$encoded/"* ]] &&
            pass || fail "lot $name: the URI holds it as $encoded: $uri"
        got=$(curl -s --path-as-is -w ' %{http_code}' -H 'Accept: application/json' "$uri")
        [[ $got == *' 200' && $got == *"\"lot\":{\"id\":"*",\"code\":$lot,"* && $got == *'"verdict":"genuine"'* ]] &&
            pass || fail "lot $name: $uri answers 200, the lot, genuine: $got"
        got=$(curl -s --path-as-is -H 'Accept: application/linkset+json' "$uri")
        [[ $got == *"\"anchor\":\"${uri%%\?*}\""* ]] && pass || fail "lot $name: the linkset's anchor is the URI: ${got:0:200}"
    done
done <<'ROWS'
a slash|"L01/2026"|L01%2F2026|201
a percent sign|"50%OFF"|50%25OFF|201
a question mark|"A?B"|A%3FB|201
a quote|"A\"B"|A%22B|201
all of them|"a/%?\"/"|a%2F%25%3F%22%2F|201
a space|"L 01"|-|422
a hash|"L#01"|-|422
Vietnamese letters|"Lô01"|-|422
ROWS
expect_equal "lots: the refused are not stored" "$(count 'SELECT count(*) FROM lots')" "$((lots + 10))"

# The label's code, decoded from its PNG, is the URI, and answers.
lot_id=$(count "SELECT id FROM lots WHERE code = 'L01/2026' AND product_id = $P1")
got=$(curl -s -o "$scratch/slash.png" -w '%{http_code}' -H "Authorization: Bearer $producer" \
    "$base/api/v1/lots/$lot_id/label.png?sheet=roll-60x40")
expect_equal "lot a slash: the label's preview" "$got" 200
code=$(decode "$scratch/slash.png")
[[ $code == "$base/01/08931234567897/10/L01%2F2026/21/"* ]] && pass || fail "lot a slash: the label's code: '$code'"
expect_equal "lot a slash: the label's code answers" \
    "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' -H 'Accept: application/json' "$code")" 200

# Serials are drawn by the service, so ones of such characters come from
# elsewhere (a batch's CSV): stored here directly, resolved the same way.
count "INSERT INTO serials (lot_id, serial) VALUES ($lot_id, 'S/1'), ($lot_id, '9%?\"/')"
while IFS='|' read -r path want serial; do
    got=$(curl -s --path-as-is -w ' %{http_code}' -H 'Accept: application/json' "$base$path")
    [[ $got == *" $want" && $got == *"$serial"* ]] && pass || fail "$path: $want, $serial: $got"
done <<'ROWS'
/01/08931234567897/10/L01%2F2026/21/S%2F1|200|"serial":"S/1","verdict":"genuine"
/01/08931234567897/10/L01%2F2026/21/9%25%3F%22%2F|200|"serial":"9%?\"/","verdict":"genuine"
/01/08931234567897/10/L01%2F2026/21/S%2f1|200|"serial":"S/1","verdict":"genuine"
/01/08931234567897/10/L01/2026/21/S%2F1|400|'/AI/value' pairs are incomplete
/01/08931234567897/10/L01%2F2026/21/S/1|400|'/AI/value' pairs are incomplete
/01/08931234567897/10/L01%2F2026/21/9%25%3F"%2F|400|percent-encode it as %22
/01/08931234567897/10/L01%2F2026/21/S%2F1%2Fverify|200|"serial":"S/1/verify","verdict":"unknown"
ROWS
# An encoded "/verify" ends a serial, not the path: no PIN is checked.
got=$(curl -s --path-as-is -w ' %{http_code}' -H 'Accept: application/json' -d pin=12345678 \
    "$base/01/08931234567897/10/L01%2F2026/21/S%2F1%2Fverify")
[[ $got == *' 404' && $got != *'"pin"'* ]] && pass || fail "a serial ending in %2Fverify is no PIN's form: $got"
long=$(printf 'A%.0s' $(seq 1 1100))
got=$(curl -s -w ' %{http_code}' "$base/01/08931234567897/10/$long")
[[ $got == *'"code":"uri_too_long"'*' 414' ]] && pass || fail "an over-long path: 414: ${got:0:200}"
log_has 'GET /01/08931234567897/10/L01%2F2026/21/S%2F1 200 ' && pass ||
    fail "the log shows the path as sent"

# ---------- CORS ----------

while read -r name path accept; do
    h=$(head_of "$base$path" ${accept:+-H "Accept: $accept"} -H 'Origin: https://app.example.org')
    expect_equal "CORS on $name" "$(header access-control-allow-origin <<<"$h")" "*"
done <<ROWS
JSON $unit application/json
linkset $unit?linkType=all
traceability $unit?linkType=gs1:traceability
redirect $unit?linkType=gs1:review
description /.well-known/gs1resolver
ROWS
h=$(head_of "$base$unit" -X OPTIONS -H 'Origin: https://app.example.org' -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: accept-language')
expect_equal "preflight" "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h") $(header access-control-allow-origin <<<"$h")" "204 *"
expect_equal "preflight: methods" "$(header access-control-allow-methods <<<"$h")" "GET, HEAD"
expect_equal "preflight: headers" "$(header access-control-allow-headers <<<"$h")" "Accept, Accept-Language"
while read -r name method path; do
    h=$(head_of "$base$path" -X "$method" -H "Authorization: Bearer $admin" -H 'Origin: https://app.example.org')
    expect_equal "no CORS on $name" "$(header access-control-allow-origin <<<"$h")" ""
done <<ROWS
the API GET /api/v1/products
links GET /api/v1/products/$P1/links
preflight OPTIONS /api/v1/products
ROWS

finish
