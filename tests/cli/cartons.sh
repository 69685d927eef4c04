#!/usr/bin/env bash
# Cartons over a real socket: a lot's units packed into cartons of N (the
# last one partial), each with an SSCC of the configured company prefix
# whose check digit and serial reference are checked here independently;
# a second packing takes only the units in no carton; one carton of named
# serials; every bad input refused with its status and field and the
# database unchanged; the AggregationEvent of each carton (parent the
# SSCC's EPC URI, children the units as their commissioning named them)
# valid against the official EPCIS 2.0 schema; the logistics label on each
# sheet decoded as a user would (the GS1-128 and the QR with zbarimg, the
# human-readable lines with pdftotext, the bars measured on the page);
# /00/{sscc} answered as JSON and as a page; a company prefix of the wrong
# length refused at start, naming the file and the key; the serial
# references running out; and two daemons on one database packing at once
# without an SSCC repeated.
suite=cli-cartons
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
schema=$root/../shared/schemas/EPCIS-JSON-Schema.json
validate=$root/tests/epcis/validate.py
PY=/usr/bin/python3
if [ ! -f "$schema" ]; then
    fail "the EPCIS schema is at $schema"
    finish
    exit 1
fi

cd "$scratch"
db=$scratch/cartons.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Thủy sản Hàm Tiến', 'Phường Hàm Tiến, Phan Thiết', 'cooperative'),
    ('HTX Ong mật Hàm Hiệp', 'Xã Hàm Hiệp, Hàm Thuận Bắc', 'cooperative')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
producer2=$("$OCOPTRACE" user add --role producer --producer 2 htxhai --db "$db" | tail -n 1)
PREFIX=8931234
printf '[gs1]\ncompany_prefix = %s\nextension_digit = 0\n' "$PREFIX" >"$scratch/gs1.conf"
BASE_URL=https://truyxuat.example.vn/ocop
start_daemon "$db" --config "$scratch/gs1.conf" --base-url "$BASE_URL"
main_base=$base

dump() { sqlite3 "$db" .dump; }
expect_unchanged() {
    local now
    now=$(dump)
    if [ "$now" = "$2" ]; then
        pass
    else
        fail "$1: database changed: $(diff <(echo "$2") <(echo "$now") | grep '^[<>]' | head -n 4)"
    fi
}
# sscc_ok EXTENSION SSCC...: "ok" when each is 18 digits, of the extension
# digit and the company prefix, with a right GS1 mod-10 check digit
# (computed here, not by the service); else the first that is not.
sscc_ok() {
    "$PY" - "$PREFIX" "$@" <<'EOF'
import sys
prefix, extension, codes = sys.argv[1], sys.argv[2], sys.argv[3:]
def check(body):
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - total % 10) % 10
bad = [s for s in codes if not (len(s) == 18 and s.isdigit() and s[0] == extension
                                and s[1:1 + len(prefix)] == prefix and int(s[17]) == check(s[:17]))]
print("ok" if codes and not bad else "bad: %s" % bad[:1])
EOF
}
# reference SSCC: its serial reference, as a number.
reference() { echo $((10#${1:$((1 + ${#PREFIX})):$((16 - ${#PREFIX}))})); }

# ---------- the product, its lot and serials ----------

details='"net_quantity":"200 g","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chế biến món ăn","storage":"Khô ráo"'
req "$producer" POST /api/v1/products "{\"name\":\"Cá cơm khô\",\"group\":\"food\",\"gtin\":\"8931234567897\",$details}"
expect "setup: the product" "$code" 201
P1=$(v 'd["id"]')
GTIN=$(v 'd["gtin"]')
new_lot() { # new_lot VAR PRODUCT CODE
    req "$producer" POST "/api/v1/products/$2/lots" "{\"code\":\"$3\",\"produced\":\"2025-03-01\",\"expires\":\"2027-03-01\"}"
    expect "setup: lot $3" "$code" 201
    printf -v "$1" '%s' "$(v 'd["id"]')"
}
new_lot L1 "$P1" CC2503
issue() { # issue LOT COUNT: COUNT new serials for LOT, the answer in $json
    req "$producer" POST "/api/v1/lots/$1/serials" "{\"count\":$2}"
    expect "setup: $2 serials for lot $1" "$code" 201
}
issue "$L1" 10
mapfile -t first_ten < <(v '"\n".join(sorted(s["serial"] for s in d["serials"]))')
captures() { sqlite3 "$db" "SELECT count(*) FROM outbox WHERE path = '/capture'"; }

# ---------- packing by count ----------

before=$(captures)
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":4}'
expect "10 units in cartons of 4: 201" "$code" 201
expect "… three cartons, the last of the 2 left" "$(v '[c["units"] for c in d["cartons"]]')" "[4, 4, 2]"
mapfile -t ssccs < <(v '"\n".join(c["sscc"] for c in d["cartons"])')
expect "… each SSCC: extension 0, the company prefix, a right check digit" "$(sscc_ok 0 "${ssccs[@]}")" ok
expect "… serial references 1, 2, 3" "$(reference "${ssccs[0]}") $(reference "${ssccs[1]}") $(reference "${ssccs[2]}")" "1 2 3"
expect "… the units in serial order, each in one carton" \
    "$(v '"\n".join(s for c in d["cartons"] for s in c["serials"])')" "$(printf '%s\n' "${first_ten[@]}")"
expect "… each with its label and its Digital Link" "$(v '[d["cartons"][0]["label"], d["cartons"][0]["uri"]]')" \
    "['/api/v1/cartons/${ssccs[0]}/label.pdf', '$BASE_URL/00/${ssccs[0]}']"
expect "… one AggregationEvent per carton queued" "$(($(captures) - before))" 3
CARTON_A=${ssccs[0]}

issue "$L1" 5
mapfile -t next_five < <(v '"\n".join(sorted(s["serial"] for s in d["serials"]))')
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":10}'
expect "a second packing: one carton" "$code $(v 'len(d["cartons"])')" "201 1"
expect "… of the 5 new units only" "$(v '"\n".join(d["cartons"][0]["serials"])')" "$(printf '%s\n' "${next_five[@]}")"
expect "… the next serial reference" "$(reference "$(v 'd["cartons"][0]["sscc"]')")" 4

# ---------- one carton of named serials ----------

issue "$L1" 3
mapfile -t named < <(v '"\n".join(sorted(s["serial"] for s in d["serials"]))')
req "$admin" POST "/api/v1/lots/$L1/cartons" "{\"serials\":[\"${named[2]}\",\"${named[0]}\"]}"
expect "two named serials: one carton" "$code $(v '[len(d["cartons"]), d["cartons"][0]["units"]]')" "201 [1, 2]"
expect "… of exactly those" "$(v 'sorted(d["cartons"][0]["serials"])')" "$(printf "['%s', '%s']" "${named[0]}" "${named[2]}")"
CARTON_N=$(v 'd["cartons"][0]["sscc"]')
expect "… its SSCC valid, reference 5" "$(sscc_ok 0 "$CARTON_N") $(reference "$CARTON_N")" "ok 5"

# ---------- bad input: refused, nothing written ----------

base_dump=$(dump)
while IFS='|' read -r name token path body status field; do
    [ -n "$name" ] || continue
    tok=$producer
    [ "$token" = other ] && tok=$producer2
    req "$tok" POST "$path" "$body"
    refused "$name" "$status" "$field"
    expect_unchanged "$name: nothing written" "$base_dump"
done <<ROWS
units_per_carton 0|own|/api/v1/lots/$L1/cartons|{"units_per_carton":0}|422|units_per_carton
units_per_carton negative|own|/api/v1/lots/$L1/cartons|{"units_per_carton":-3}|422|units_per_carton
units_per_carton "x"|own|/api/v1/lots/$L1/cartons|{"units_per_carton":"x"}|400|units_per_carton
units_per_carton 2.5|own|/api/v1/lots/$L1/cartons|{"units_per_carton":2.5}|400|units_per_carton
units_per_carton over 10000|own|/api/v1/lots/$L1/cartons|{"units_per_carton":10001}|422|units_per_carton
neither units_per_carton nor serials|own|/api/v1/lots/$L1/cartons|{}|422|units_per_carton
both units_per_carton and serials|own|/api/v1/lots/$L1/cartons|{"units_per_carton":2,"serials":["${named[1]}"]}|422|serials
cartons without units_per_carton|own|/api/v1/lots/$L1/cartons|{"cartons":1,"serials":["${named[1]}"]}|422|cartons
cartons 0|own|/api/v1/lots/$L1/cartons|{"units_per_carton":1,"cartons":0}|422|cartons
an unknown key|own|/api/v1/lots/$L1/cartons|{"units_per_carton":2,"colour":"red"}|400|colour
no serial named|own|/api/v1/lots/$L1/cartons|{"serials":[]}|422|serials
a serial the lot never issued|own|/api/v1/lots/$L1/cartons|{"serials":["${named[1]}","NOSUCH0000"]}|422|serials[1]
a serial packed already|own|/api/v1/lots/$L1/cartons|{"serials":["${named[1]}","${first_ten[3]}"]}|409|serials[1]
a serial named twice|own|/api/v1/lots/$L1/cartons|{"serials":["${named[1]}","${named[1]}"]}|422|serials[1]
a serial that is not text|own|/api/v1/lots/$L1/cartons|{"serials":[12]}|400|serials[0]
another producer's lot|other|/api/v1/lots/$L1/cartons|{"units_per_carton":2}|403|
no such lot|own|/api/v1/lots/9999/cartons|{"units_per_carton":2}|404|id
not JSON|own|/api/v1/lots/$L1/cartons|units_per_carton=2|400|
ROWS

req "$producer" POST "/api/v1/lots/$L1/cartons" "{\"serials\":[\"${named[1]}\"]}"
expect "the last unit in a carton of its own" "$code" 201
base_dump=$(dump)
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":2}'
refused "a lot with every unit packed" 409 units_per_carton
expect_unchanged "… nothing written" "$base_dump"

# More than 1000 cartons at once is refused, and "cartons" packs a part.
new_lot L2 "$P1" CC2504
issue "$L2" 1001
base_dump=$(dump)
req "$producer" POST "/api/v1/lots/$L2/cartons" '{"units_per_carton":1}'
refused "1001 cartons of one unit at once" 422 units_per_carton
expect_unchanged "… nothing written" "$base_dump"
req "$producer" POST "/api/v1/lots/$L2/cartons" '{"units_per_carton":400,"cartons":2}'
expect "\"cartons\": 2 cartons of 400, the rest left" "$code $(v '[c["units"] for c in d["cartons"]]')" "201 [400, 400]"
req "$producer" POST "/api/v1/lots/$L2/cartons" '{"units_per_carton":400}'
expect "… then the 201 left" "$code $(v '[c["units"] for c in d["cartons"]]')" "201 [201]"

# ---------- the AggregationEvents ----------

sqlite3 "$db" "SELECT body FROM outbox WHERE body LIKE '%AggregationEvent%' ORDER BY id" >"$scratch/aggregations.jsonl"
sqlite3 "$db" "SELECT body FROM outbox WHERE body LIKE '%\"commissioning\"%' ORDER BY id" >"$scratch/commissioning.jsonl"
sqlite3 "$db" "SELECT c.sscc, u.serial FROM cartons c JOIN carton_units u ON u.carton_id = c.id ORDER BY c.sscc, u.serial" >"$scratch/packed.txt"
events_check() {
    "$PY" - "$scratch/aggregations.jsonl" "$scratch/commissioning.jsonl" "$scratch/packed.txt" "$PREFIX" "$BASE_URL/01/$GTIN" <<'EOF'
import json, sys
events = [json.loads(l)["epcisBody"]["eventList"][0] for l in open(sys.argv[1]) if l.strip()]
commissioned = set()
for l in open(sys.argv[2]):
    if l.strip():
        commissioned.update(json.loads(l)["epcisBody"]["eventList"][0].get("epcList", []))
packed = {}
for l in open(sys.argv[3]):
    sscc, serial = l.strip().split("|")
    packed.setdefault(sscc, []).append(serial)
prefix, klass = sys.argv[4], sys.argv[5]
def parent(sscc):
    return "urn:epc:id:sscc:%s.%s%s" % (prefix, sscc[0], sscc[1 + len(prefix):17])
lots = {}
for sscc, serials in packed.items():
    lot = "CC2503" if any(klass + "/10/CC2503/21/" + s in commissioned for s in serials) else "CC2504"
    lots[parent(sscc)] = sorted(klass + "/10/" + lot + "/21/" + s for s in serials)
problems = []
if len(events) != len(packed):
    problems.append("%d events for %d cartons" % (len(events), len(packed)))
for e in events:
    if [e["type"], e["action"], e["bizStep"], e["disposition"]] != ["AggregationEvent", "ADD", "packing", "in_progress"]:
        problems.append("kind %s" % [e.get("type"), e.get("action"), e.get("bizStep")])
    if sorted(e["childEPCs"]) != lots.get(e["parentID"]):
        problems.append("children of %s" % e["parentID"])
    if not set(e["childEPCs"]) <= commissioned:
        problems.append("children of %s not as commissioned" % e["parentID"])
print("ok" if not problems else "; ".join(problems[:3]))
EOF
}
expect "one AggregationEvent per carton: ADD, packing; parent the SSCC's EPC URI; children its units, named as commissioned" \
    "$(events_check)" ok
expect "the first carton's parent" "$(head -n 1 "$scratch/aggregations.jsonl" | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read())["epcisBody"]["eventList"][0]["parentID"])')" \
    "urn:epc:id:sscc:$PREFIX.0000000001"
if "$PY" "$validate" "$schema" "$scratch/aggregations.jsonl" >"$scratch/validation.out"; then
    pass
else
    fail "every AggregationEvent validates against the schema: $(grep -v '^ok$' "$scratch/validation.out" | head -n 3)"
fi
expect "… each of them" "$(grep -c '^ok$' "$scratch/validation.out")" "$(sqlite3 "$db" "SELECT count(*) FROM cartons")"
head -n 1 "$scratch/aggregations.jsonl" | "$PY" -c 'import json,sys
d = json.loads(sys.stdin.read()); e = d["epcisBody"]["eventList"][0]; e["childEPCs"] = []
print(json.dumps(d))' | "$PY" "$validate" "$schema" >/dev/null && fail "an AggregationEvent without children passes the schema" || pass

# ---------- a carton read back ----------

req "$producer" GET "/api/v1/cartons/$CARTON_A"
expect "GET /api/v1/cartons/{sscc}: content GTIN, lot, count, serials, EPC URI" \
    "$code $(v '[d["product"]["gtin"], d["lot"]["code"], d["units"], d["serials"], d["epc"]]')" \
    "200 ['$GTIN', 'CC2503', 4, ['${first_ten[0]}', '${first_ten[1]}', '${first_ten[2]}', '${first_ten[3]}'], 'urn:epc:id:sscc:$PREFIX.0000000001']"
while IFS='|' read -r name token path status field; do
    tok=$producer
    [ "$token" = other ] && tok=$producer2
    req "$tok" GET "$path"
    refused "$name" "$status" "$field"
done <<ROWS
another producer's carton|other|/api/v1/cartons/$CARTON_A|403|
an SSCC with a wrong check digit|own|/api/v1/cartons/${CARTON_A:0:17}$(((${CARTON_A:17:1} + 1) % 10))|400|sscc
an SSCC of 17 digits|own|/api/v1/cartons/${CARTON_A:0:17}|400|sscc
letters|own|/api/v1/cartons/08931234000000001X|400|sscc
a valid SSCC of no carton|own|/api/v1/cartons/376104250021234569|404|sscc
ROWS

# ---------- the logistics label ----------

# label SHEET: the carton's label on SHEET into label.pdf; its status.
label() {
    curl -s -o "$scratch/label.pdf" -w '%{http_code}' -H "Authorization: Bearer $producer" \
        "$base/api/v1/cartons/$CARTON_A/label.pdf${1:+?sheet=$1}"
}
# symbols: what zbarimg reads on the page at 300 dpi, sorted, one a line.
symbols() {
    pdftoppm -r 300 -gray -png -singlefile "$scratch/label.pdf" "$scratch/label" 2>/dev/null
    zbarimg -q "$scratch/label.png" 2>/dev/null | sort
}
page_text() { pdftotext -q "$scratch/label.pdf" - | tr '\n' ' ' | tr -s ' '; }
# bars: the bars' X-dimension and height in mm, measured on the page at
# 300 dpi: the height is the tallest dark run of any column; the bars are
# the columns dark over most of it, and from the first to the last of them
# an SSCC's GS1-128 spans 156 modules (start, FNC1, ten pairs of digits,
# check character, stop).
bars() {
    "$PY" - "$scratch/label.png" <<'EOF'
import sys
from PIL import Image
img = Image.open(sys.argv[1]).convert("L")
w, h = img.size
px = img.load()
mm = 25.4 / 300
best, bottom = 0, 0
for x in range(w):
    run = 0
    for y in range(h):
        run = run + 1 if px[x, y] < 128 else 0
        if run > best:
            best, bottom = run, y
top = bottom - best + 1
bar_columns = [x for x in range(w) if sum(px[x, y] < 128 for y in range(top, bottom + 1)) >= 0.9 * best]
print("%.3f %.2f" % ((bar_columns[-1] - bar_columns[0] + 1) * mm / 156, best * mm))
EOF
}
for sheet in roll-100x150 a6 roll-100x50 ""; do
    name=${sheet:-the default (roll-100x150)}
    expect "label on $name: a PDF" "$(label "$sheet")" 200
    expect "… zbarimg reads the SSCC's GS1-128 (AI 00) and the QR's /00/ link" "$(symbols)" \
        "$(printf 'CODE-128:00%s\nQR-Code:%s/00/%s' "$CARTON_A" "$BASE_URL" "$CARTON_A")"
    text=$(page_text)
    missing=
    for want in "(00)$CARTON_A" "(02) $GTIN" "(37) 4" "(10) CC2503" "(17) 270301" "HTX Thủy sản Hàm Tiến" "Cá cơm khô"; do
        [[ $text == *"$want"* ]] || missing+=" '$want'"
    done
    expect "… pdftotext reads the human-readable lines" "${missing:-none missing}" "none missing"
    read -r x_mm bar_mm <<<"$(bars)"
    expect "… X-dimension measured within 0.495 to 0.94 mm ($x_mm)" \
        "$(awk -v x="$x_mm" 'BEGIN { print (x >= 0.49 && x <= 0.94) ? "yes" : "no" }')" yes
    if [ "$sheet" = roll-100x50 ]; then
        expect "… bars as high as the low label leaves them ($bar_mm mm)" \
            "$(awk -v b="$bar_mm" 'BEGIN { print (b >= 22) ? "yes" : "no" }')" yes
    else
        expect "… bars at least 31.75 mm high ($bar_mm mm)" \
            "$(awk -v b="$bar_mm" 'BEGIN { print (b >= 31.75) ? "yes" : "no" }')" yes
    fi
done
expect "the 100 x 150 page" "$(label roll-100x150 >/dev/null; pdfinfo "$scratch/label.pdf" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 x \2/p')" "283.465 x 425.197"
expect "the A6 page" "$(label a6 >/dev/null; pdfinfo "$scratch/label.pdf" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 x \2/p')" "297.638 x 419.528"
while IFS='|' read -r name query status field; do
    req "$producer" GET "/api/v1/cartons/$CARTON_A/label.pdf$query"
    refused "label: $name" "$status" "$field"
done <<'ROWS'
an unknown sheet|?sheet=roll-1x1|422|sheet
a sheet too narrow for the bars|?sheet=a4-3x8|422|sheet
ROWS
req "$producer2" GET "/api/v1/cartons/$CARTON_A/label.pdf"
refused "label: another producer's carton" 403 ""

# ---------- the resolver's /00/ ----------

req "" GET "/00/$CARTON_A" "" -H "Accept: application/json"
expect "/00/{sscc} as JSON, without a token: what the carton holds" \
    "$code $(v '[d["sscc"], d["count"], d["product"], d["lot"]["code"], d["lot"]["expires"], d["producer"]["name"]]')" \
    "200 ['$CARTON_A', 4, {'name': 'Cá cơm khô', 'gtin': '$GTIN'}, 'CC2503', '2027-03-01', 'HTX Thủy sản Hàm Tiến']"
expect "… and not which units" "$(v '"serials" in d')" False
req "" GET "/00/$CARTON_A"
expect "/00/{sscc} for a browser: a page with the product, the count and the lot" \
    "$code $(grep -c -e 'Cá cơm khô' -e '>4<' -e 'CC2503' <<<"$json")" "200 3"
while IFS='|' read -r name path status field; do
    req "" GET "$path" "" -H "Accept: application/json"
    refused "/00/: $name" "$status" "$field"
done <<ROWS
a wrong check digit|/00/${CARTON_A:0:17}$(((${CARTON_A:17:1} + 1) % 10))|400|sscc
17 digits|/00/${CARTON_A:0:17}|400|sscc
a valid SSCC of no carton|/00/376104250021234569|404|sscc
more after the SSCC|/00/$CARTON_A/10/X|404|path
ROWS
expect "… the check digit rule named" "$(req "" GET "/00/${CARTON_A:0:17}0" "" -H "Accept: application/json"; v 'd["error"]["message"]')" \
    "check digit is 0, expected ${CARTON_A:17:1}"

# ---------- the configuration ----------

base_dump=$(dump)
while IFS='|' read -r name content want; do
    printf '%b' "$content" >"$scratch/bad.conf"
    "$OCOPTRACE" serve --db "$db" --listen 127.0.0.1:1 --config "$scratch/bad.conf" >/dev/null 2>"$scratch/bad.err"
    rc=$?
    err=$(cat "$scratch/bad.err")
    if [ $rc -ne 0 ] && [[ $err == *"$want"* ]]; then
        pass
    else
        fail "serve with $name: want a refusal with '$want', got $rc '$err'"
    fi
done <<ROWS
a company prefix of 6 digits|[gs1]\ncompany_prefix = 893123\n|config [gs1] company_prefix: must have 7 to 11 digits (a GS1 company prefix), found 6, in '$scratch/bad.conf'
a company prefix of 12 digits|[gs1]\ncompany_prefix = 893123456789\n|config [gs1] company_prefix: must have 7 to 11 digits (a GS1 company prefix), found 12, in '$scratch/bad.conf'
a company prefix with a letter|[gs1]\ncompany_prefix = 89312a4\n|config [gs1] company_prefix: must be digits only (a GS1 company prefix), found 'a' at position 6, in '$scratch/bad.conf'
an extension digit of 10|[gs1]\ncompany_prefix = 8931234\nextension_digit = 10\n|config [gs1] extension_digit: must be a whole number from 0 to 9
ROWS
expect_unchanged "a refused configuration writes nothing" "$base_dump"

# A daemon with no company prefix makes no SSCC.
start_daemon "$db"
issue "$L1" 1
base_dump=$(dump)
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":1}'
refused "no [gs1] company_prefix: no cartons" 409 company_prefix
expect_unchanged "… nothing written" "$base_dump"
kill "$pid"
wait "$pid" 2>/dev/null
base=$main_base

# ---------- two daemons on one database ----------

A_base=$main_base
start_daemon "$db" --config "$scratch/gs1.conf" --base-url "$BASE_URL"
B_base=$base
base=$A_base
lots=()
for i in 1 2 3 4 5 6; do
    new_lot lot_id "$P1" "PAR$i"
    lots+=("$lot_id")
    issue "$lot_id" 8
done
# Six packings at once, three on each daemon, two cartons each.
jobs_started=()
for i in 0 1 2 3 4 5; do
    target=$A_base
    [ $((i % 2)) = 1 ] && target=$B_base
    curl -s -o "$scratch/par-$i.json" -w '%{http_code}\n' -H "Authorization: Bearer $producer" \
        --data-binary '{"units_per_carton":4}' "$target/api/v1/lots/${lots[$i]}/cartons" >"$scratch/par-$i.status" &
    jobs_started+=($!)
done
wait "${jobs_started[@]}"
expect "six packings at once on two daemons: each 201" "$(cat "$scratch"/par-*.status | sort | uniq -c | tr -s ' ')" " 6 201"
mapfile -t parallel < <(for i in 0 1 2 3 4 5; do "$PY" -c 'import json,sys
for c in json.load(sys.stdin)["cartons"]: print(c["sscc"])' <"$scratch/par-$i.json"; done | sort)
expect "… 12 SSCCs, all distinct, all valid" "${#parallel[@]} $(printf '%s\n' "${parallel[@]}" | sort -u | wc -l) $(sscc_ok 0 "${parallel[@]}")" "12 12 ok"
first_ref=$(reference "${parallel[0]}")
refs=$(for s in "${parallel[@]}"; do reference "$s"; done | tr '\n' ' ')
expect "… their serial references one run, none skipped, none twice" "$refs" "$(seq -s ' ' "$first_ref" $((first_ref + 11))) "

# ---------- the serial references run out ----------

# The last references of the prefix's 999,999,999, as a long-used
# installation would have them.
sqlite3 "$db" "UPDATE sscc_counters SET used = 999999998 WHERE prefix = '0$PREFIX'"
issue "$L1" 2
base_dump=$(dump)
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":1}'
refused "3 cartons with 1 reference left" 409 company_prefix
expect "… naming the way out" "$(v '"extension_digit" in d["error"]["message"]')" True
expect_unchanged "… nothing written" "$base_dump"
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":1,"cartons":1}'
expect "the last reference: 999999999" "$code $(v 'd["cartons"][0]["sscc"]')" "201 0${PREFIX}9999999993"
base_dump=$(dump)
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":1}'
refused "then none" 409 company_prefix
expect_unchanged "… nothing written" "$base_dump"

# Another extension digit: a counter of its own, from 1.
printf '[gs1]\ncompany_prefix = %s\nextension_digit = 1\n' "$PREFIX" >"$scratch/gs1-ext1.conf"
start_daemon "$db" --config "$scratch/gs1-ext1.conf" --base-url "$BASE_URL"
req "$producer" POST "/api/v1/lots/$L1/cartons" '{"units_per_carton":1}'
got=$(v 'd["cartons"][0]["sscc"]')
expect "extension digit 1 when 0's are used up: references from 1 again" \
    "$code $(sscc_ok 1 "$got") $(reference "$got")" "201 ok 1"

finish
