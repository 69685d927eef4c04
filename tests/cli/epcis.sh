#!/usr/bin/env bash
# Every record of the chain reported in EPCIS 2.0, over a real socket: an
# area, input lots (kg, t, a unit CEFACT has no code for), a lot made from
# them and a second lot (of a product without a GTIN) made from the first,
# its journal (each step, offsets +07:00, Z, -05:00 and +14:30), serials, a
# shipment, a recall of the input and one of a lot. The outbox holds one
# document per record, written with it (a refused request writes none),
# with the event's type, business step, disposition, classes or EPCs and
# quantities; every document validates against the official schema (and
# the check fails on a document broken on purpose); the sync worker
# delivers them all to tests/sync/receiver.py, which validates them again.
suite=cli-epcis
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
schema=$root/../shared/schemas/EPCIS-JSON-Schema.json
validate=$root/tests/epcis/validate.py
receiver_py=$root/tests/sync/receiver.py
PY=/usr/bin/python3
if [ ! -f "$schema" ]; then
    fail "the EPCIS schema is at $schema"
    finish
    exit 1
fi

cd "$scratch"
db=$scratch/epcis.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Thủy sản Hàm Tiến', 'Phường Hàm Tiến, Phan Thiết', 'cooperative')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)

# The receiver, for the sync worker to deliver to.
"$PY" "$receiver_py" --port 0 --schema "$schema" --token remote-secret >"$scratch/receiver.out" \
    2>"$scratch/receiver.err" &
rpid=$!
trap 'kill $rpid 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 1 100); do
    grep -q '^listening [0-9]' "$scratch/receiver.out" && break
    sleep 0.1
done
rbase=http://127.0.0.1:$(sed -n 's/^listening //p' "$scratch/receiver.out")
printf '[sync]\nendpoint = %s\ntoken = remote-secret\ntimeout_s = 2\nbackoff_ms = 50\nbackoff_max_s = 1\n' \
    "$rbase" >"$scratch/epcis.conf"
BASE_URL=https://truyxuat.example.vn/ocop
start_daemon "$db" --config "$scratch/epcis.conf" --base-url "$BASE_URL"
trap 'kill $daemons $rpid 2>/dev/null; rm -rf "$scratch"' EXIT

# req TOKEN METHOD PATH [BODY]: its status in $code, its body in $json.
code=
json=
req() {
    local got
    got=$(call "$@")
    code=${got%% *}
    json=${got#* }
}
# v EXPR: a Python expression over the last answer's JSON (d).
v() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" <<<"$json"; }
# expect NAME GOT WANT: GOT is WANT; else a failure showing the last answer.
expect() {
    if [ "$2" = "$3" ]; then
        pass
    else
        fail "$1: want '$3', got '$2' (answer $code ${json:0:300})"
    fi
}
# captures: how many EPCIS documents the outbox holds.
captures() { sqlite3 "$db" "SELECT count(*) FROM outbox WHERE path = '/capture'"; }
# ev EXPR: a Python expression over the outbox's EPCIS documents (docs, in
# order), their events (events: the one event of each) and rows (kind,
# product_id, content_type), the events since the checkpoint (new), and
# whole floats printed as integers.
checkpoint=0
mark() { checkpoint=$(captures); }
ev() {
    sqlite3 "$db" "SELECT kind, product_id, content_type, body FROM outbox WHERE path = '/capture' ORDER BY id" >"$scratch/ev.rows"
    "$PY" - "$scratch/ev.rows" "$checkpoint" "$1" <<'EOF'
import json, sys
def whole(x):
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if isinstance(x, list):
        return [whole(y) for y in x]
    if isinstance(x, dict):
        return {k: whole(y) for k, y in x.items()}
    return x
# One row a line, as the sqlite3 shell (or psql -At) prints it: the body,
# one line of JSON, is what follows the third '|'.
found = [line.rstrip("\n").split("|", 3) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
found = [(k, int(p), c, b) for k, p, c, b in found]
rows = [r[:3] for r in found]
docs = [json.loads(r[3]) for r in found]
events = [d["epcisBody"]["eventList"][0] for d in docs]
new = events[int(sys.argv[2]):]
def short(e):
    """type, action, bizStep, disposition of an event."""
    return [e.get("type"), e.get("action"), e.get("bizStep"), e.get("disposition")]
r = whole(eval(sys.argv[3]))
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False, separators=(",", ":")))
EOF
}

# ---------- the products and lots ----------

details='"net_quantity":"200 g","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chế biến món ăn","storage":"Khô ráo"'
req "$producer" POST /api/v1/products "{\"name\":\"Cá cơm khô\",\"group\":\"food\",\"gtin\":\"8931234567897\",$details}"
expect "setup: the dried fish" "$code" 201
P1=$(v 'd["id"]')
GTIN=$(v 'd["gtin"]')
expect "setup: the GTIN as 14 digits" "$GTIN" 08931234567897
req "$producer" POST /api/v1/products "{\"name\":\"Nước mắm cá cơm\",\"group\":\"food\",$details}"
expect "setup: the fish sauce, without a GTIN" "$code" 201
P2=$(v 'd["id"]')
new_lot() { # new_lot VAR PRODUCT CODE PRODUCED
    req "$producer" POST "/api/v1/products/$2/lots" "{\"code\":\"$3\",\"produced\":\"$4\",\"expires\":\"2030-03-01\"}"
    expect "setup: lot $3" "$code" 201
    printf -v "$1" '%s' "$(v 'd["id"]')"
}
new_lot LA "$P1" 'CC/25-03' 2025-03-01 # a lot code that needs percent-encoding
new_lot LB "$P2" NM2503 2025-03-10
new_lot LC "$P1" CC2504 2025-04-01
CLASS_A=$BASE_URL/01/$GTIN/10/CC%2F25-03
CLASS_B=$BASE_URL/lot/NM2503
CLASS_C=$BASE_URL/01/$GTIN/10/CC2504
start=$(captures)
expect "no EPCIS document for products and lots" "$start" 0

# ---------- an area and input lots: no event of their own ----------

req "$producer" POST /api/v1/areas '{"name":"Vùng khai thác cá cơm Hàm Tiến","code":"BTH-HT-01","crop":"Cá cơm"}'
expect "setup: the area" "$code" 201
A1=$(v 'd["id"]')
new_input() { # new_input VAR BODY
    req "$producer" POST /api/v1/inputs "$2"
    expect "setup: input $(v 'd.get("code")')" "$code" 201
    printf -v "$1" '%s' "$(v 'd["id"]')"
}
new_input I1 "{\"code\":\"CA-0221\",\"material\":\"Cá cơm tươi\",\"quantity\":1000,\"unit\":\"kg\",\"received\":\"2025-02-21\",\"area_id\":$A1}"
new_input I2 '{"code":"MUOI-0220","material":"Muối biển","quantity":0.5,"unit":"t","received":"2025-02-20","supplier":{"name":"HTX Diêm nghiệp Tuy Phong"}}'
new_input I3 '{"code":"BAO-0220","material":"Bao bì","quantity":40,"unit":"bao","received":"2025-02-20","supplier":{"name":"Cơ sở bao bì Phan Thiết"}}'

# ---------- what lot A was made from: TransformationEvents ----------

mark
req "$producer" POST "/api/v1/lots/$LA/inputs" "{\"input_id\":$I1,\"quantity\":600}"
expect "lot A made from 600 kg of fish" "$code" 201
req "$producer" POST "/api/v1/lots/$LA/inputs" "{\"input_id\":$I2,\"quantity\":0.05}"
expect "lot A made from 0.05 t of salt" "$code" 201
req "$producer" POST "/api/v1/lots/$LA/inputs" "{\"input_id\":$I3,\"quantity\":3}"
expect "lot A made from 3 sacks" "$code" 201
expect "one document per input used" "$(ev 'len(new)')" 3
expect "TransformationEvents, commissioning, no action or disposition" "$(ev '[short(e) for e in new]')" \
    '[["TransformationEvent",null,"commissioning",null],["TransformationEvent",null,"commissioning",null],["TransformationEvent",null,"commissioning",null]]'
expect "inputs: the input's class, quantity and UN/CEFACT unit (none for a sack)" \
    "$(ev '[e["inputQuantityList"] for e in new]')" \
    "[[{\"epcClass\":\"$BASE_URL/inputs/$I1\",\"quantity\":600,\"uom\":\"KGM\"}],[{\"epcClass\":\"$BASE_URL/inputs/$I2\",\"quantity\":0.05,\"uom\":\"TNE\"}],[{\"epcClass\":\"$BASE_URL/inputs/$I3\",\"quantity\":3}]]"
expect "output: lot A's class, its code in ilmd" \
    "$(ev '[[e["outputQuantityList"], e["ilmd"]] for e in new][0]')" \
    "[[{\"epcClass\":\"$CLASS_A\"}],{\"cbvmda:lotNumber\":\"CC/25-03\"}]"
expect "made in the past: the lot's day at +07:00" \
    "$(ev '[new[0]["eventTime"], new[0]["eventTimeZoneOffset"]]')" \
    '["2025-03-01T00:00:00.000+07:00","+07:00"]'
expect "queued for /capture as JSON-LD, in the product's order" "$(ev 'sorted(set(map(tuple, rows)))')" \
    "[[\"commissioning\",$P1,\"application/ld+json\"]]"

# ---------- the journal: ObjectEvents OBSERVE ----------

mark
while IFS='|' read -r step at place; do
    note=
    [ -n "$place" ] && note=",\"place\":\"$place\",\"note\":\"Nhật ký $step\""
    req "$producer" POST "/api/v1/lots/$LA/events" "{\"step\":\"$step\",\"at\":\"$at\"$note}"
    expect "journal: $step" "$code" 201
done <<'ROWS'
harvesting|2025-02-21T09:00:00+07:00|Cảng cá Phan Thiết
receiving|2025-02-21T04:30:00Z|Xưởng HTX
processing|2025-02-24T08:30:00+07:00|Sân phơi Hàm Tiến
packing|2025-03-01T14:00:00+07:00|Xưởng đóng gói HTX
inspecting|2025-03-01T05:15:00-05:00|
storing|2025-03-02T08:00:00+07:00|Kho lạnh số 2
other|2025-03-02T10:00:00.250+07:00|Phòng thí nghiệm
ROWS
expect "one document per journal entry" "$(ev 'len(new)')" 7
expect "business steps: CBV's word where it has one, other for harvesting, processing, other" \
    "$(ev '[[e["ocop:step"], e["bizStep"]] for e in new]')" \
    '[["harvesting","other"],["receiving","receiving"],["processing","other"],["packing","packing"],["inspecting","inspecting"],["storing","storing"],["other","other"]]'
expect "ObjectEvent, OBSERVE, no disposition or ilmd" \
    "$(ev 'sorted(set(tuple(short(e)[:2] + [e.get("disposition"), "ilmd" in e]) for e in new))')" \
    '[["ObjectEvent","OBSERVE",null,false]]'
expect "the lot's class, no quantity" "$(ev 'sorted(set(json.dumps(e["quantityList"]) for e in new))')" \
    "[\"[{\\\"epcClass\\\": \\\"$CLASS_A\\\"}]\"]"
expect "the entry's time with its own offset" "$(ev '[[e["eventTime"], e["eventTimeZoneOffset"]] for e in new]')" \
    '[["2025-02-21T09:00:00+07:00","+07:00"],["2025-02-21T04:30:00Z","+00:00"],["2025-02-24T08:30:00+07:00","+07:00"],["2025-03-01T14:00:00+07:00","+07:00"],["2025-03-01T05:15:00-05:00","-05:00"],["2025-03-02T08:00:00+07:00","+07:00"],["2025-03-02T10:00:00.250+07:00","+07:00"]]'
expect "place and note as extension fields, none when empty" \
    "$(ev '[[e.get("ocop:place"), e.get("ocop:note")] for e in new][3:5]')" \
    '[["Xưởng đóng gói HTX","Nhật ký packing"],[null,null]]'
expect "the ocop namespace declared" "$(ev 'sorted(set(json.dumps(d["@context"]) for d in docs))')" \
    "[\"[\\\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\\\", {\\\"ocop\\\": \\\"$BASE_URL/ns/ocop#\\\"}]\"]"
n=$(captures)
req "$producer" POST "/api/v1/lots/$LA/events" '{"step":"storing","at":"2025-02-10T10:00:00+07:00"}'
expect "a refused entry (before the inputs came)" "$code" 422
expect "… queues no document" "$(captures)" "$n"
mark
req "$producer" POST "/api/v1/lots/$LA/events" '{"step":"storing","at":"2025-03-03T02:00:00+14:30"}'
expect "an entry at +14:30, which EPCIS has no offset for" "$code" 201
expect "… told in Vietnam's time instead" "$(ev '[[e["eventTime"], e["eventTimeZoneOffset"]] for e in new]')" \
    '[["2025-03-02T18:30:00.000+07:00","+07:00"]]'

# ---------- serials, a shipment ----------

req "$producer" POST "/api/v1/lots/$LA/serials" '{"count":6}'
expect "6 serials for lot A" "$code" 201
mapfile -t serialsA < <(v '"\n".join(sorted(s["serial"] for s in d["serials"]))')
req "$producer" POST "/api/v1/lots/$LB/serials" '{"count":3}'
expect "3 serials for lot B" "$code" 201
mapfile -t serialsB < <(v '"\n".join(sorted(s["serial"] for s in d["serials"]))')
expect "the serials' commissioning, as before" "$(ev '[short(e) for e in events[-2:]]')" \
    '[["ObjectEvent","ADD","commissioning","active"],["ObjectEvent","ADD","commissioning","active"]]'
mark
to='{"name":"Siêu thị Co.opmart Phan Thiết","address":"1 Nguyễn Tất Thành, Phan Thiết"}'
req "$producer" POST /api/v1/shipments "{\"to\":$to,\"shipped\":\"2025-03-12\",\"lots\":[{\"lot_id\":$LA,\"units\":2},{\"lot_id\":$LB,\"serials\":[\"${serialsB[1]}\"]}]}"
expect "a shipment of 2 units of lot A and one of lot B" "$code" 201
S1=$(v 'd["id"]')
expect "one document for the shipment" "$(ev 'len(new)')" 1
expect "ObjectEvent, OBSERVE, shipping, in_transit" "$(ev 'short(new[0])')" \
    '["ObjectEvent","OBSERVE","shipping","in_transit"]'
expect "the units' Digital Links (GTIN, lot, serial; /lot/ without a GTIN)" "$(ev 'new[0]["epcList"]')" \
    "[\"$CLASS_A/21/${serialsA[0]}\",\"$CLASS_A/21/${serialsA[1]}\",\"$BASE_URL/lot/NM2503/${serialsB[1]}\"]"
expect "from the producer to the shipment's destination" \
    "$(ev '[new[0]["sourceList"], new[0]["destinationList"]]')" \
    "[[{\"type\":\"owning_party\",\"source\":\"$BASE_URL/producers/1\"}],[{\"type\":\"owning_party\",\"destination\":\"$BASE_URL/shipments/$S1/to\"}]]"
expect "the destination's name and address" \
    "$(ev '[new[0]["ocop:destinationName"], new[0]["ocop:destinationAddress"], new[0]["eventTime"]]')" \
    '["Siêu thị Co.opmart Phan Thiết","1 Nguyễn Tất Thành, Phan Thiết","2025-03-12T00:00:00.000+07:00"]'
n=$(captures)
req "$producer" POST /api/v1/shipments "{\"to\":{\"name\":\"Chợ\"},\"shipped\":\"2025-03-12\",\"lots\":[{\"lot_id\":$LA,\"serials\":[\"${serialsA[0]}\"]}]}"
expect "a unit shipped twice is refused" "$code" 409
expect "… and queues no document" "$(captures)" "$n"

# ---------- lot B made from lot A ----------

mark
req "$producer" POST "/api/v1/lots/$LB/inputs" "{\"lot_id\":$LA,\"quantity\":2}"
expect "lot B made from 2 units of lot A" "$code" 201
expect "a TransformationEvent: lot A's class in, lot B's out" \
    "$(ev '[short(new[0]), new[0]["inputQuantityList"], new[0]["outputQuantityList"], new[0]["ilmd"]]')" \
    "[[\"TransformationEvent\",null,\"commissioning\",null],[{\"epcClass\":\"$CLASS_A\",\"quantity\":2}],[{\"epcClass\":\"$CLASS_B\"}],{\"cbvmda:lotNumber\":\"NM2503\"}]"
expect "… in lot B's product's order" "$(ev 'rows[-1][1]')" "$P2"

# ---------- recalls ----------

mark
req "$admin" POST "/api/v1/inputs/$I1/recall" '{"reason":"Cá nhiễm histamin vượt ngưỡng","action":"Ngừng sử dụng, trả lại nơi mua"}'
expect "the fish recalled" "$code $(v 'sorted(l["lot_id"] for l in d["lots"])')" "201 [$LA, $LB]"
R1=$(v 'd["id"]')
expect "one document for the recall" "$(ev 'len(new)')" 1
expect "ObjectEvent, OBSERVE, holding, recalled" "$(ev 'short(new[0])')" \
    '["ObjectEvent","OBSERVE","holding","recalled"]'
expect "the input's class and every lot made from it, at any depth" "$(ev 'new[0]["quantityList"]')" \
    "[{\"epcClass\":\"$BASE_URL/inputs/$I1\"},{\"epcClass\":\"$CLASS_A\"},{\"epcClass\":\"$CLASS_B\"}]"
expect "reason and action as extension fields" \
    "$(ev '[new[0]["ocop:recall"], new[0]["ocop:recallReason"], new[0]["ocop:recallAction"]]')" \
    "[\"$BASE_URL/recalls/$R1\",\"Cá nhiễm histamin vượt ngưỡng\",\"Ngừng sử dụng, trả lại nơi mua\"]"
mark
req "$producer" POST "/api/v1/lots/$LC/recall" '{"reason":"Bao bì rách","action":"Đổi sản phẩm tại nơi mua"}'
expect "lot C recalled alone" "$code" 201
expect "its document: lot C's class only" "$(ev '[short(new[0]), new[0]["quantityList"]]')" \
    "[[\"ObjectEvent\",\"OBSERVE\",\"holding\",\"recalled\"],[{\"epcClass\":\"$CLASS_C\"}]]"
n=$(captures)
req "$producer" POST "/api/v1/lots/$LA/recall" '{"reason":"again","action":"again"}'
expect "a lot recalled twice is refused" "$code" 409
expect "… and queues no document" "$(captures)" "$n"

# ---------- the whole outbox ----------

expect "one document per record: 4 uses, 8 entries, 2 serial allocations, 1 shipment, 2 recalls" \
    "$(ev '[len(docs), sorted(set(r[0] for r in rows))]')" '[17,["commissioning"]]'
expect "each event its own id, each document made now" \
    "$(ev '[len(set(e["eventID"] for e in events)), all(e["eventID"].startswith("urn:uuid:") for e in events), sorted(set(d["type"] + " " + d["schemaVersion"] for d in docs))]')" \
    '[17,true,["EPCISDocument 2.0"]]'
sqlite3 "$db" "SELECT body FROM outbox WHERE path = '/capture' ORDER BY id" >"$scratch/documents.jsonl"
if "$PY" "$validate" "$schema" "$scratch/documents.jsonl" >"$scratch/validation.out"; then
    pass
else
    fail "every document validates against the schema: $(grep -v '^ok$' "$scratch/validation.out" | head -n 3)"
fi
expect "… each of the 17" "$(grep -c '^ok$' "$scratch/validation.out")" 17

# The check can fail: documents broken on purpose are refused.
# broken N EXPR: document N (0 from the first) changed by the Python statement EXPR (on e, its event).
broken() {
    "$PY" - "$scratch/documents.jsonl" "$1" "$2" <<'EOF'
import json, sys
d = json.loads(open(sys.argv[1], encoding="utf-8").read().splitlines()[int(sys.argv[2])])
e = d["epcisBody"]["eventList"][0]
exec(sys.argv[3])
print(json.dumps(d, ensure_ascii=False))
EOF
}
i_journal=3 i_use=0 i_ship=13 i_recall=15
while IFS='|' read -r name index change; do
    if broken "${!index}" "$change" | "$PY" "$validate" "$schema" >"$scratch/broken.out"; then
        fail "a document with $name passes the schema"
    else
        grep -q '^invalid: ' "$scratch/broken.out" && pass || fail "$name: $(cat "$scratch/broken.out")"
    fi
done <<'ROWS'
a wrong action|i_journal|e["action"] = "WATCH"
a business step CBV does not have, as a word|i_journal|e["bizStep"] = "harvesting"
a journal entry with ilmd (OBSERVE takes none)|i_journal|e["ilmd"] = {"cbvmda:lotNumber": "X"}
a disposition CBV does not have|i_ship|e["disposition"] = "on_the_road"
a unit of measure in lower case|i_use|e["inputQuantityList"][0]["uom"] = "kg"
no outputs|i_use|del e["outputQuantityList"]
no eventTimeZoneOffset|i_recall|del e["eventTimeZoneOffset"]
an empty quantityList|i_recall|e["quantityList"] = []
an extension field that is not a URI|i_recall|e["recall reason"] = e.pop("ocop:recallReason")
a time without its offset|i_ship|e["eventTime"] = "2025-03-12T00:00:00"
ROWS
broken 0 'pass' | "$PY" "$validate" "$schema" >/dev/null && pass ||
    fail "a document left as it is (read back and written again) passes"

# ---------- delivered ----------

delivered() { [ "$(curl -s "$rbase/_deliveries" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["paths"].get("/capture", 0))')" -ge 17 ]; }
for _ in $(seq 1 300); do
    delivered && break
    sleep 0.1
done
curl -s "$rbase/_deliveries?records=1" >"$scratch/records.json"
expect "the receiver took the 17 documents, none invalid" \
    "$("$PY" -c 'import json,sys; d=json.load(sys.stdin); print([d["paths"].get("/capture"), d["invalid"], d["errors"][:2]])' <"$scratch/records.json")" \
    "[17, 0, []]"
expect "… each with GS1-EPCIS-Version 2.0.0 as JSON-LD" \
    "$("$PY" -c 'import json,sys; d=json.load(sys.stdin); print(sorted(set((r["content_type"], r["epcis_version"]) for r in d["records"] if r["path"] == "/capture")))' <"$scratch/records.json")" \
    "[('application/ld+json', '2.0.0')]"

# ---------- the query interface: GET /epcis/events ----------

officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)
# q QUERY: the events the query interface answers, as "type bizStep" lines
# compared with the outbox's own, and the document checked by the schema.
query() {
    curl -s -D "$scratch/headers" -H "Authorization: Bearer $officer" "$base/epcis/events$1" >"$scratch/query.json"
    json=$(cat "$scratch/query.json")
}
# of_outbox PYTHON-CONDITION: the eventIDs of the outbox's events that meet
# it (e: the event), in order.
of_outbox() {
    sqlite3 "$db" "SELECT body FROM outbox WHERE path = '/capture' ORDER BY id" |
        "$PY" -c 'import json,sys
cond = sys.argv[1]
for line in sys.stdin:
    e = json.loads(line)["epcisBody"]["eventList"][0]
    if eval(cond): print(e["eventID"])' "$1"
}
ids() { v '"\n".join(e["eventID"] for e in d["epcisBody"]["queryResults"]["resultsBody"]["eventList"])'; }

query ""
expect "GET /epcis/events: an EPCISQueryDocument of every event, oldest first" \
    "$(v '[d["type"], d["schemaVersion"], d["epcisBody"]["queryResults"]["queryName"]]')|$(ids)" \
    "['EPCISQueryDocument', '2.0', 'SimpleEventQuery']|$(of_outbox True)"
grep -qi '^GS1-EPCIS-Version: 2.0.0' "$scratch/headers" && pass || fail "the answer has GS1-EPCIS-Version 2.0.0"
"$PY" "$validate" "$schema" <"$scratch/query.json" >/dev/null 2>&1 && pass ||
    fail "the query document validates against the schema: $("$PY" "$validate" "$schema" <"$scratch/query.json" 2>&1 | head -c 300)"
while IFS='|' read -r name params cond; do
    query "$params"
    want=$(of_outbox "$cond")
    [ -n "$want" ] || fail "$name: the outbox holds no such event, so this check could not fail"
    expect "$name" "$(ids)" "$want"
done <<ROWS
eventType=TransformationEvent|?eventType=TransformationEvent|e["type"] == "TransformationEvent"
EQ_bizStep=shipping|?EQ_bizStep=shipping|e.get("bizStep") == "shipping"
EQ_bizStep as a CBV URI|?EQ_bizStep=https%3A%2F%2Fref.gs1.org%2Fcbv%2FBizStep-holding|e.get("bizStep") == "holding"
eventType and EQ_bizStep together|?eventType=ObjectEvent&EQ_bizStep=other|e["type"] == "ObjectEvent" and e.get("bizStep") == "other"
MATCH_epc of a shipped unit|?MATCH_epc=$(echo "$json" >/dev/null; sqlite3 "$db" "SELECT json_extract(body, '\$.epcisBody.eventList[0].epcList[0]') FROM outbox WHERE body LIKE '%\"shipping\"%' LIMIT 1" | "$PY" -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip(), safe=""))')|any(x == "$(sqlite3 "$db" "SELECT json_extract(body, '\$.epcisBody.eventList[0].epcList[0]') FROM outbox WHERE body LIKE '%\"shipping\"%' LIMIT 1")" for k in ("epcList", "childEPCs") for x in e.get(k, []))
GE_eventTime and LT_eventTime, whatever each event's offset|?GE_eventTime=2025-03-01T00:00:00%2B07:00&LT_eventTime=2025-03-10T00:00:00%2B07:00|__import__("datetime").datetime.fromisoformat("2025-03-01T00:00:00+07:00") <= __import__("datetime").datetime.fromisoformat(e["eventTime"]) < __import__("datetime").datetime.fromisoformat("2025-03-10T00:00:00+07:00")
ROWS

# Pages: perPage, a next page's token in the Link header, every event once.
all=$(of_outbox True)
got="" page="?perPage=5" pages=0
while [ -n "$page" ] && [ $pages -lt 20 ]; do
    query "$page"
    got+="$(ids)"$'\n'
    pages=$((pages + 1))
    page=$(sed -n 's/^Link: <\/epcis\/events\(?[^>]*\)>; rel="next".*/\1/ip' "$scratch/headers" | tr -d '\r')
done
expect "perPage=5: every event once, in order, a page at a time" "$(printf '%s' "$got" | sed '/^$/d')" "$all"
expect "… in as many pages as it takes" "$pages" "$(( ($(echo "$all" | wc -l) + 4) / 5 ))"

first=$(echo "$all" | head -n 1)
query "/$first"
expect "GET /epcis/events/{eventID}: that event alone" "$(ids)" "$first"
while IFS='|' read -r name params status field; do
    query "$params"
    expect "$name" "$(v '[d["error"]["code"], d["error"]["field"]]' 2>/dev/null)|$(head -n 1 "$scratch/headers" | cut -d' ' -f2)" "['$( [ "$status" = 404 ] && echo not_found || echo bad_query)', '$field']|$status"
done <<ROWS
an unknown parameter|?EQ_bizstep=shipping|400|EQ_bizstep
a time without its offset|?GE_eventTime=2025-03-01T00:00:00|400|GE_eventTime
perPage of 0|?perPage=0|400|perPage
perPage too large|?perPage=100000|400|perPage
a token that is not one|?nextPageToken=abc|400|nextPageToken
an event that is not there|/urn:uuid:00000000-0000-4000-8000-000000000000|404|eventID
ROWS
reader=$("$OCOPTRACE" user add --role reader province --db "$db" | tail -n 1)
expect "a reader token (the provincial system's) queries the events" "$(status "$reader" GET '/epcis/events?perPage=1')" 200
expect "… and reads nothing else" "$(status "$reader" GET /api/v1/products)|$(status "$reader" GET /api/v1/recalls)|$(status "$reader" POST /api/v1/areas '{}')" "403|403|403"
expect "a producer may not query the events" "$(status "$producer" GET /epcis/events)" 403
expect "nobody may without a token" "$(curl -s -o /dev/null -w '%{http_code}' "$base/epcis/events")" 401

finish
