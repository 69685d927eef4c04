#!/usr/bin/env bash
# Traceability over a real socket, as the contract of issue 12 puts it: a
# producer's growing area, an input from it and one bought from a supplier,
# a lot made from both with its journal, serials and shipments, a second
# lot made from the first; the trace read back both ways; every bad input
# refused with its status, code and field and the database unchanged; who
# may read and recall; an input's recall reaching every lot made from it,
# transitively, and what a recall stops (serials, labels) and shows (the
# scan's JSON and page, in Vietnamese and English); a lot recalled alone.
suite=cli-trace
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/trace.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Thủy sản Hàm Tiến', 'Phường Hàm Tiến, Phan Thiết', 'cooperative'),
    ('HTX Ong mật Hàm Hiệp', 'Xã Hàm Hiệp, Hàm Thuận Bắc', 'cooperative')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
producer2=$("$OCOPTRACE" user add --role producer --producer 2 htxhai --db "$db" | tail -n 1)
start_daemon "$db"

# Dates: the accepted ones are fixed and past; the future is tomorrow at
# +07:00, which is the future whatever zone the daemon reckons in.
today=$(TZ=UTC-7 date +%F)
tomorrow=$(TZ=UTC-7 date -d tomorrow +%F)

id_of() { grep -o '"id":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2; }
# error_of FILE: "code field" of a JSON error body, or "not-json".
error_of() {
    /usr/bin/python3 - "$1" <<'EOF'
import json, sys
try:
    e = json.load(open(sys.argv[1], "rb"))["error"]
    assert isinstance(e["message"], str) and e["message"]
    print(e["code"], e.get("field") or "")
except Exception:
    print("not-json")
EOF
}
dump() { sqlite3 "$db" .dump; }
# expect_unchanged NAME BEFORE: the database is still as BEFORE (a dump).
expect_unchanged() {
    local now
    now=$(dump)
    if [ "$now" = "$2" ]; then
        pass
    else
        fail "$1: database changed: $(diff <(echo "$2") <(echo "$now") | grep '^[<>]' | head -n 4)"
    fi
}

# req TOKEN METHOD PATH [BODY [CURL-ARGS...]]: a request to the API; its
# status in $code, its body in $json.
code=
json=
req() {
    local got
    got=$(call "$@")
    code=${got%% *}
    json=${got#* }
}
# v EXPR [ARG...]: a Python expression over the last answer's JSON (d), the
# ARGs as a (numbers as numbers). A string prints as is, anything else as
# compact JSON, whole floats as integers; "?" when it cannot be read.
v() {
    /usr/bin/python3 -c '
import json, sys
def whole(x):
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if isinstance(x, list):
        return [whole(y) for y in x]
    if isinstance(x, dict):
        return {k: whole(y) for k, y in x.items()}
    return x
a = [int(s) if s.isdigit() else s for s in sys.argv[2:]]
try:
    d = whole(json.loads(sys.stdin.read()))
    r = eval(sys.argv[1])
except Exception:
    r = "?"
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False, separators=(",", ":")))
' "$@" <<<"$json"
}
# expect NAME GOT WANT: GOT is WANT; else a failure showing the last answer.
expect() {
    if [ "$2" = "$3" ]; then
        pass
    else
        fail "$1: want '$3', got '$2' (answer $code ${json:0:300})"
    fi
}

details='"net_quantity":"200 g","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chế biến món ăn","storage":"Khô ráo"'
req "$producer" POST /api/v1/products "{\"name\":\"Cá cơm khô\",\"group\":\"food\",\"gtin\":\"8931234567897\",$details}"
expect "setup: the dried fish" "$code" 201
P1=$(id_of "$json")
req "$producer" POST /api/v1/products "{\"name\":\"Nước mắm cá cơm\",\"group\":\"food\",\"gtin\":\"96385074\",$details}"
expect "setup: the fish sauce" "$code" 201
P2=$(id_of "$json")
req "$producer2" POST /api/v1/products "{\"name\":\"Mật ong hoa cà phê\",\"group\":\"food\",$details}"
expect "setup: producer 2's honey" "$code" 201
P3=$(id_of "$json")
# new_lot NAME VAR TOKEN PRODUCT CODE PRODUCED: a new lot; its id in VAR.
new_lot() {
    req "$3" POST "/api/v1/products/$4/lots" "{\"code\":\"$5\",\"produced\":\"$6\",\"expires\":\"2030-03-01\"}"
    expect "setup: lot $1" "$code" 201
    printf -v "$2" '%s' "$(id_of "$json")"
}
new_lot A LA "$producer" "$P1" CC2503 2025-03-01  # made from both inputs
new_lot B LB "$producer" "$P2" NM2503 2025-03-10  # made from lot A
new_lot C LC "$producer" "$P1" CC2504 2025-04-01  # unrelated: recalled alone
new_lot D LD "$producer" "$P1" CC2502 2025-02-15  # made before the fish came
new_lot E LE "$producer" "$P1" CC2505 2025-05-01  # unrelated, never recalled
new_lot F LF "$producer2" "$P3" MO2503 2025-03-05 # producer 2's
[ -n "$P1" ] && [ -n "$P2" ] && [ -n "$P3" ] && [ -n "$LA" ] && [ -n "$LB" ] && [ -n "$LC" ] &&
    [ -n "$LD" ] && [ -n "$LE" ] && [ -n "$LF" ] && pass ||
    fail "setup: ids '$P1' '$P2' '$P3' '$LA' '$LB' '$LC' '$LD' '$LE' '$LF'"

# ---------- areas ----------

req "$producer" POST /api/v1/areas '{"name":"Vùng khai thác cá cơm Hàm Tiến","code":"BTH-HT-01","locality":"Phường Hàm Tiến, Phan Thiết","crop":"Cá cơm","area_ha":12.5,"certifications":["VietGAP","MSC"]}'
expect "an area: status, producer, code, hectares, certifications" \
    "$code $(v '[d["producer_id"], d["name"], d["code"], d["crop"], d["area_ha"], d["certifications"]]')" \
    '201 [1,"Vùng khai thác cá cơm Hàm Tiến","BTH-HT-01","Cá cơm",12.5,["VietGAP","MSC"]]'
A1=$(v 'd["id"]')
req "$producer" GET "/api/v1/areas/$A1"
expect "the area read back" "$code $(v '[d["id"], d["code"], d["locality"]]')" "200 [$A1,\"BTH-HT-01\",\"Phường Hàm Tiến, Phan Thiết\"]"
req "$producer" PATCH "/api/v1/areas/$A1" '{"locality":"Khu phố 5, phường Hàm Tiến, Phan Thiết"}'
expect "the area patched: the field changed, the rest kept" \
    "$code $(v '[d["locality"], d["code"], d["certifications"]]')" \
    '200 ["Khu phố 5, phường Hàm Tiến, Phan Thiết","BTH-HT-01",["VietGAP","MSC"]]'
req "$producer2" POST /api/v1/areas '{"name":"Vùng nuôi ong Hàm Hiệp","code":"BTH-HH-02","crop":"Cà phê"}'
expect "producer 2's area: no hectares, no certifications" \
    "$code $(v '[d["producer_id"], d["area_ha"], d["certifications"]]')" '201 [2,null,[]]'
A2=$(v 'd["id"]')
req "$officer" POST /api/v1/areas '{"producer_id":1,"name":"Ruộng muối Tuy Phong","code":"BTH-TP-03"}'
expect "an officer records an area for producer 1" "$code $(v 'd["producer_id"]')" "201 1"
A3=$(v 'd["id"]')
req "$producer" GET /api/v1/areas
expect "a producer lists only its own areas" "$code $(v 'sorted(x["id"] for x in d["areas"])')" "200 [$A1,$A3]"
req "$officer" GET /api/v1/areas
expect "an officer lists every area" "$code $(v 'sorted(x["id"] for x in d["areas"])')" "200 [$A1,$A2,$A3]"

# ---------- inputs ----------

req "$producer" POST /api/v1/inputs "{\"code\":\"CA-0221\",\"material\":\"Cá cơm tươi\",\"quantity\":1000,\"unit\":\"kg\",\"harvested\":\"2025-02-20\",\"received\":\"2025-02-21\",\"area_id\":$A1}"
expect "an input from the area" \
    "$code $(v '[d["producer_id"], d["code"], d["material"], d["quantity"], d["unit"], d["used"], d["remaining"], d["harvested"], d["received"], d["area_id"], d["supplier"], d["recalled"]]')" \
    "201 [1,\"CA-0221\",\"Cá cơm tươi\",1000,\"kg\",0,1000,\"2025-02-20\",\"2025-02-21\",$A1,null,false]"
I1=$(v 'd["id"]')
req "$producer" POST /api/v1/inputs '{"code":"MUOI-0220","material":"Muối biển","quantity":300,"unit":"kg","received":"2025-02-20","supplier":{"name":"HTX Diêm nghiệp Tuy Phong","address":"Xã Vĩnh Hảo, huyện Tuy Phong"}}'
expect "an input bought from a supplier" \
    "$code $(v '[d["area_id"], d["supplier"]["name"], d["supplier"]["address"], d["quantity"], d["remaining"]]')" \
    '201 [null,"HTX Diêm nghiệp Tuy Phong","Xã Vĩnh Hảo, huyện Tuy Phong",300,300]'
I2=$(v 'd["id"]')
req "$producer2" POST /api/v1/inputs "{\"code\":\"HOA-0301\",\"material\":\"Mật hoa cà phê\",\"quantity\":80,\"unit\":\"kg\",\"received\":\"2025-03-01\",\"area_id\":$A2}"
expect "producer 2's input" "$code $(v 'd["producer_id"]')" "201 2"
I3=$(v 'd["id"]')
req "$producer" GET "/api/v1/inputs/$I1"
expect "the input read back" "$code $(v '[d["id"], d["code"]]')" "200 [$I1,\"CA-0221\"]"
req "$producer" GET /api/v1/inputs
expect "a producer lists only its own inputs" "$code $(v 'sorted(x["id"] for x in d["inputs"])')" "200 [$I1,$I2]"

# ---------- what lot A was made from ----------

req "$producer" POST "/api/v1/lots/$LA/inputs" "{\"input_id\":$I1,\"quantity\":600}"
expect "lot A made from 600 kg of fish" \
    "$code $(v '[d["lot_id"], d["input_id"], d["source_lot_id"], d["quantity"]]')" "201 [$LA,$I1,null,600]"
[[ $(v 'd["id"]') =~ ^[0-9]+$ ]] && pass || fail "the use has an id: $json"
req "$producer" POST "/api/v1/lots/$LA/inputs" "{\"input_id\":$I2,\"quantity\":50}"
expect "lot A made from 50 kg of salt" "$code $(v '[d["input_id"], d["quantity"]]')" "201 [$I2,50]"
req "$producer" GET "/api/v1/lots/$LA/inputs"
expect "lot A's inputs listed" "$code $(v 'sorted([x["input_id"], x["quantity"]] for x in d["inputs"])')" \
    "200 [[$I1,600],[$I2,50]]"
req "$producer" GET "/api/v1/inputs/$I1"
expect "the fish after use: used 600, 400 remain" "$code $(v '[d["used"], d["remaining"]]')" "200 [600,400]"
req "$producer" GET "/api/v1/inputs/$I2"
expect "the salt after use: used 50, 250 remain" "$code $(v '[d["used"], d["remaining"]]')" "200 [50,250]"

# ---------- the journal ----------

# Posted out of order; listed by time.
while IFS='|' read -r step at place; do
    req "$producer" POST "/api/v1/lots/$LA/events" "{\"step\":\"$step\",\"at\":\"$at\",\"place\":\"$place\",\"note\":\"Nhật ký $step\"}"
    expect "event $step" "$code $(v '[d["lot_id"], d["step"], d["at"], d["place"], d["note"]]')" \
        "201 [$LA,\"$step\",\"$at\",\"$place\",\"Nhật ký $step\"]"
    [[ $(v 'd["biz_step"]') == https://ref.gs1.org/cbv/BizStep-?* ]] && pass ||
        fail "event $step: a CBV business step, want https://ref.gs1.org/cbv/BizStep-…: ${json:0:300}"
done <<'ROWS'
harvesting|2025-02-21T09:00:00+07:00|Cảng cá Phan Thiết
packing|2025-03-01T14:00:00+07:00|Xưởng đóng gói HTX
processing|2025-02-24T08:30:00+07:00|Sân phơi Hàm Tiến
ROWS
req "$producer" GET "/api/v1/lots/$LA/events"
expect "the journal in order of time" "$code $(v '[e["step"] for e in d["events"]]')" \
    '200 ["harvesting","processing","packing"]'

# ---------- serials ----------

req "$producer" POST "/api/v1/lots/$LA/serials" '{"count":20}'
expect "20 serials for lot A" "$code $(v 'len(d["serials"])')" "201 20"
mapfile -t serialsA < <(v '"\n".join(s["serial"] for s in d["serials"])')
req "$producer" POST "/api/v1/lots/$LB/serials" '{"count":10}'
mapfile -t serialsB < <(v '"\n".join(s["serial"] for s in d["serials"])')
req "$producer" POST "/api/v1/lots/$LC/serials" '{"count":6}'
mapfile -t serialsC < <(v '"\n".join(s["serial"] for s in d["serials"])')
req "$producer" POST "/api/v1/lots/$LE/serials" '{"count":1}'
mapfile -t serialsE < <(v '"\n".join(s["serial"] for s in d["serials"])')
expect "setup: serials of lots B, C and E" "${#serialsB[@]} ${#serialsC[@]} ${#serialsE[@]}" "10 6 1"

# ---------- lot B, made from lot A ----------

req "$producer" POST "/api/v1/lots/$LB/inputs" "{\"lot_id\":$LA,\"quantity\":3}"
expect "lot B made from 3 units of lot A" \
    "$code $(v '[d["lot_id"], d["input_id"], d["source_lot_id"], d["quantity"]]')" "201 [$LB,null,$LA,3]"

# ---------- shipments ----------

coopmart='Siêu thị Co.opmart Phan Thiết'
shop='Cửa hàng OCOP Bình Thuận'
hanoi='Đại lý Hà Nội'
req "$producer" POST /api/v1/shipments "{\"to\":{\"name\":\"$coopmart\",\"address\":\"1 Nguyễn Tất Thành, Phan Thiết\"},\"shipped\":\"2025-03-05\",\"lots\":[{\"lot_id\":$LA,\"units\":5}]}"
expect "5 units of lot A to a buyer" \
    "$code $(v '[d["producer_id"], d["to"]["name"], d["shipped"], [[l["lot_id"], l["units"], len(set(l["serials"]))] for l in d["lots"]]]')" \
    "201 [1,\"$coopmart\",\"2025-03-05\",[[$LA,5,5]]]"
S1=$(v 'd["id"]')
mapfile -t shipped1 < <(v '"\n".join(d["lots"][0]["serials"])')
outside=$(for s in "${shipped1[@]}"; do [[ " ${serialsA[*]} " == *" $s "* ]] || echo "$s"; done)
expect "the 5 shipped are serials of lot A" "$outside" ""
unshipped=()
for s in "${serialsA[@]}"; do
    [[ " ${shipped1[*]} " == *" $s "* ]] || unshipped+=("$s")
done
x1=${unshipped[0]:-none1}
x2=${unshipped[1]:-none2}
u1=${unshipped[2]:-none3}   # never shipped
u2=${unshipped[3]:-none4}   # never shipped; the unit scanned
first1=${shipped1[0]:-none5}
req "$producer" POST /api/v1/shipments "{\"to\":{\"name\":\"$shop\"},\"shipped\":\"2025-03-06\",\"lots\":[{\"lot_id\":$LA,\"serials\":[\"$x1\",\"$x2\"]}]}"
expect "2 named units of lot A to a shop" "$code $(v '[d["to"]["name"], [[l["lot_id"], l["units"], sorted(l["serials"])] for l in d["lots"]]]')" \
    "201 [\"$shop\",[[$LA,2,$(printf '%s\n' "$x1" "$x2" | sort | /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split(), separators=(",", ":")))')]]]"
S2=$(v 'd["id"]')
req "$producer" POST /api/v1/shipments "{\"to\":{\"name\":\"$hanoi\",\"address\":\"Quận Đống Đa, Hà Nội\"},\"shipped\":\"2025-03-12\",\"lots\":[{\"lot_id\":$LB,\"units\":4}]}"
expect "4 units of lot B to Hà Nội" "$code $(v '[[l["lot_id"], l["units"]] for l in d["lots"]]')" "201 [[$LB,4]]"
S3=$(v 'd["id"]')
req "$producer" GET /api/v1/shipments
expect "a producer lists its shipments" "$code $(v 'sorted(s["id"] for s in d["shipments"])')" "200 [$S1,$S2,$S3]"
req "$producer2" GET /api/v1/shipments
expect "another producer lists none of them" "$code $(v 'd["shipments"]')" "200 []"

# ---------- the trace, both ways ----------

req "$producer" GET "/api/v1/lots/$LA/trace"
expect "lot A's trace: the lot" "$code $(v '[d["lot"][k] for k in ("id", "code", "product_id", "product", "produced", "expires")]')" \
    "200 [$LA,\"CC2503\",$P1,\"Cá cơm khô\",\"2025-03-01\",\"2030-03-01\"]"
expect "lot A's trace: backward to both inputs and their quantities" \
    "$(v 'sorted([e["input"]["id"], e["input"]["code"], e["quantity"]] for e in d["backward"])')" \
    "[[$I1,\"CA-0221\",600],[$I2,\"MUOI-0220\",50]]"
expect "lot A's trace: the fish's area (code, certifications), no supplier" \
    "$(v '[[e["area"]["id"], e["area"]["code"], e["area"]["certifications"], e["supplier"]] for e in d["backward"] if e["input"]["id"] == a[0]]' "$I1")" \
    "[[$A1,\"BTH-HT-01\",[\"VietGAP\",\"MSC\"],null]]"
expect "lot A's trace: the salt's supplier, no area" \
    "$(v '[[e["area"], e["supplier"]["name"]] for e in d["backward"] if e["input"]["id"] == a[0]]' "$I2")" \
    '[[null,"HTX Diêm nghiệp Tuy Phong"]]'
expect "lot A's trace: forward to lot B" "$(v '[[f["lot"]["id"], f["lot"]["code"], f["quantity"]] for f in d["forward"]["lots"]]')" \
    "[[$LB,\"NM2503\",3]]"
expect "lot A's trace: forward to the shipments (destination, date, units)" \
    "$(v '[[s["id"], s["to"]["name"], s["shipped"], s["units"]] for s in sorted(d["forward"]["shipments"], key=lambda s: s["id"])]')" \
    "[[$S1,\"$coopmart\",\"2025-03-05\",5],[$S2,\"$shop\",\"2025-03-06\",2]]"
expect "lot A's trace: no recall yet" "$(v 'd["recall"]')" null

req "$producer" GET "/api/v1/lots/$LB/trace"
expect "lot B's trace: the lot" "$code $(v '[d["lot"]["id"], d["lot"]["product_id"], d["lot"]["product"]]')" \
    "200 [$LB,$P2,\"Nước mắm cá cơm\"]"
expect "lot B's trace: backward to lot A, 3 units" "$(v '[[e["lot"]["id"], e["lot"]["code"], e["quantity"]] for e in d["backward"]]')" \
    "[[$LA,\"CC2503\",3]]"
expect "lot B's trace: through lot A to both inputs" \
    "$(v 'sorted([x["input"]["id"], x["quantity"]] for x in d["backward"][0]["backward"])')" "[[$I1,600],[$I2,50]]"
expect "lot B's trace: through lot A to the area (code, certifications)" \
    "$(v '[[x["area"]["code"], x["area"]["certifications"]] for x in d["backward"][0]["backward"] if x["input"]["id"] == a[0]]' "$I1")" \
    '[["BTH-HT-01",["VietGAP","MSC"]]]'
expect "lot B's trace: through lot A to the supplier" \
    "$(v '[x["supplier"]["name"] for x in d["backward"][0]["backward"] if x["input"]["id"] == a[0]]' "$I2")" \
    '["HTX Diêm nghiệp Tuy Phong"]'
expect "lot B's trace: forward, no lot and one shipment" \
    "$(v '[d["forward"]["lots"], [[s["id"], s["to"]["name"], s["units"]] for s in d["forward"]["shipments"]]]')" \
    "[[],[[$S3,\"$hanoi\",4]]]"

req "$producer" GET "/api/v1/inputs/$I1/trace"
expect "the fish's trace: the input" "$code $(v '[d["input"]["id"], d["input"]["used"], d["input"]["remaining"], d["input"]["area_id"]]')" \
    "200 [$I1,600,400,$A1]"
expect "the fish's trace: forward to lot A, 600 kg" "$(v '[[f["lot"]["id"], f["quantity"]] for f in d["forward"]["lots"]]')" "[[$LA,600]]"
expect "the fish's trace: through lot A to lot B" \
    "$(v '[[g["lot"]["id"], g["quantity"]] for f in d["forward"]["lots"] for g in f["forward"]["lots"]]')" "[[$LB,3]]"
req "$producer" GET "/api/v1/inputs/$I2/trace"
expect "the salt's trace: forward to lot A, 50 kg, then lot B" \
    "$code $(v '[[f["lot"]["id"], f["quantity"], [g["lot"]["id"] for g in f["forward"]["lots"]]] for f in d["forward"]["lots"]]')" \
    "200 [[$LA,50,[$LB]]]"
req "$officer" GET "/api/v1/lots/$LB/trace"
expect "an officer reads a lot's trace" "$code $(v 'd["lot"]["id"]')" "200 $LB"
req "$officer" GET "/api/v1/inputs/$I1/trace"
expect "an officer reads an input's trace" "$code $(v 'd["input"]["id"]')" "200 $I1"
req "$officer" GET "/api/v1/areas/$A1"
expect "an officer reads an area" "$code $(v 'd["code"]')" "200 BTH-HT-01"

# ---------- refusals ----------

# WHO METHOD PATH | STATUS CODE FIELD | BODY. FIELD a/b: either; *: any
# (also for CODE). Each is refused with a JSON error and the database as it
# was, byte for byte.
declare -A token_of=([nobody]="" [producer]=$producer [producer2]=$producer2 [officer]=$officer [admin]=$admin)
shopt -s extglob
trim() { local t=${1##+([[:space:]])}; printf '%s' "${t%%+([[:space:]])}"; }
# refused: reads the table on its standard input.
refused() {
    local request answer input who method path want ecode field got ok f name before fields
    while IFS='|' read -r request answer input; do
        read -r who method path <<<"$request"
        [ -z "${who:-}" ] || [ "${who:0:1}" = '#' ] && continue
        read -r want ecode field <<<"$answer"
        input=$(trim "$input")
        name="$who $method $path ${input:0:90}"
        before=$(dump)
        req "${token_of[$who]}" "$method" "$path" "$input"
        expect "$name: status" "$code" "$want"
        got=$(error_of "$scratch/body")
        ok=no
        IFS=/ read -ra fields <<<"$field"
        for f in "${fields[@]}"; do
            [[ ($ecode == '*' || ${got%% *} == "$ecode") && ($f == '*' || ${got#* } == "$f") ]] && ok=yes
        done
        if [ "$ok" = yes ] && [ "$got" != not-json ]; then
            pass
        else
            fail "$name: error: want '$ecode $field', got '$got' (answer $code ${json:0:300})"
        fi
        expect_unchanged "$name" "$before"
    done
}
ok_input="\"material\":\"Cá cơm\",\"quantity\":10,\"unit\":\"kg\",\"received\":\"2025-02-21\""
ok_event="\"step\":\"storing\",\"at\":\"2025-03-02T10:00:00+07:00\""
ok_recall='"reason":"Thử","action":"Thử"'
long_code=ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJK
refused <<EOF
# Areas.
producer  POST  /api/v1/areas | 422 invalid name | {"code":"BTH-X-01"}
producer  POST  /api/v1/areas | 422 invalid code | {"name":"Vùng X"}
producer  POST  /api/v1/areas | 422 invalid code | {"name":"Vùng X","code":""}
producer  POST  /api/v1/areas | 422 invalid code | {"name":"Vùng X","code":"$long_code"}
producer  POST  /api/v1/areas | 422 invalid area_ha | {"name":"Vùng X","code":"BTH-X-01","area_ha":0}
producer  POST  /api/v1/areas | 422 invalid area_ha | {"name":"Vùng X","code":"BTH-X-01","area_ha":-2.5}
producer2 POST  /api/v1/areas | 409 taken code | {"name":"Vùng trùng","code":"BTH-HT-01"}
producer  POST  /api/v1/areas | 409 taken code | {"name":"Vùng trùng","code":"BTH-HH-02"}
producer  PATCH /api/v1/areas/$A1 | 409 taken code | {"code":"BTH-TP-03"}
producer  PATCH /api/v1/areas/$A1 | 422 invalid area_ha | {"area_ha":0}
producer  POST  /api/v1/areas | 400 bad_field colour | {"name":"Vùng X","code":"BTH-X-01","colour":"xanh"}
producer  POST  /api/v1/areas | 400 bad_field area_ha | {"name":"Vùng X","code":"BTH-X-01","area_ha":"12"}
producer  POST  /api/v1/areas | 400 bad_field certifications | {"name":"Vùng X","code":"BTH-X-01","certifications":"VietGAP"}
producer2 POST  /api/v1/areas | 403 forbidden * | {"producer_id":1,"name":"Vùng X","code":"BTH-X-01"}

# Inputs: quantity, dates, where from.
producer  POST  /api/v1/inputs | 422 invalid quantity | {"code":"X1","material":"Cá cơm","quantity":0,"unit":"kg","received":"2025-02-21","area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid quantity | {"code":"X1","material":"Cá cơm","quantity":-5,"unit":"kg","received":"2025-02-21","area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid quantity | {"code":"X1","material":"Cá cơm","unit":"kg","received":"2025-02-21","area_id":$A1}
producer  POST  /api/v1/inputs | 400 bad_field quantity | {"code":"X1","material":"Cá cơm","quantity":"10","unit":"kg","received":"2025-02-21","area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid received | {"code":"X1",$ok_input,"harvested":"2025-02-22","area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid received | {"code":"X1","material":"Cá cơm","quantity":10,"unit":"kg","received":"$tomorrow","area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid received | {"code":"X1","material":"Cá cơm","quantity":10,"unit":"kg","area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid received | {"code":"X1","material":"Cá cơm","quantity":10,"unit":"kg","received":"21/02/2025","area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid area_id/supplier | {"code":"X1",$ok_input,"area_id":$A1,"supplier":{"name":"Chợ cá"}}
producer  POST  /api/v1/inputs | 422 invalid area_id/supplier | {"code":"X1",$ok_input}
producer  POST  /api/v1/inputs | 422 invalid area_id | {"code":"X1",$ok_input,"area_id":$A2}
producer  POST  /api/v1/inputs | 422 invalid area_id | {"code":"X1",$ok_input,"area_id":999}
producer  POST  /api/v1/inputs | 422 invalid supplier.name | {"code":"X1",$ok_input,"supplier":{"address":"Chợ Phan Thiết"}}
producer  POST  /api/v1/inputs | 400 bad_field supplier.phone | {"code":"X1",$ok_input,"supplier":{"name":"Chợ cá","phone":"0252"}}
producer  POST  /api/v1/inputs | 422 invalid code | {$ok_input,"area_id":$A1}
producer  POST  /api/v1/inputs | 422 invalid material | {"code":"X1","quantity":10,"unit":"kg","received":"2025-02-21","area_id":$A1}
producer  POST  /api/v1/inputs | 409 taken code | {"code":"CA-0221",$ok_input,"area_id":$A1}
producer  POST  /api/v1/inputs | 400 bad_field grade | {"code":"X1",$ok_input,"area_id":$A1,"grade":"A"}
producer2 POST  /api/v1/inputs | 403 forbidden * | {"producer_id":1,"code":"X1",$ok_input,"area_id":$A1}

# What a lot is made from.
producer  POST  /api/v1/lots/$LE/inputs | 422 invalid quantity | {"input_id":$I1,"quantity":0}
producer  POST  /api/v1/lots/$LE/inputs | 422 invalid quantity | {"input_id":$I1,"quantity":-1}
producer  POST  /api/v1/lots/$LE/inputs | 422 invalid quantity | {"input_id":$I1,"quantity":401}
producer  POST  /api/v1/lots/$LE/inputs | 422 invalid quantity | {"input_id":$I2,"quantity":250.5}
producer  POST  /api/v1/lots/$LE/inputs | 422 invalid quantity | {"lot_id":$LA,"quantity":0}
producer  POST  /api/v1/lots/$LD/inputs | 422 invalid input_id | {"input_id":$I1,"quantity":1}
producer2 POST  /api/v1/lots/$LF/inputs | 422 invalid input_id | {"input_id":$I1,"quantity":1}
producer  POST  /api/v1/lots/$LE/inputs | 422 invalid input_id | {"input_id":999,"quantity":1}
producer  POST  /api/v1/lots/$LA/inputs | 422 invalid lot_id | {"lot_id":$LB,"quantity":1}
producer  POST  /api/v1/lots/$LA/inputs | 422 invalid lot_id | {"lot_id":$LA,"quantity":1}
producer  POST  /api/v1/lots/$LE/inputs | 422 invalid lot_id | {"lot_id":999,"quantity":1}
producer  POST  /api/v1/lots/$LE/inputs | 400 bad_field note | {"input_id":$I1,"quantity":1,"note":"thêm"}
producer  POST  /api/v1/lots/$LE/inputs | 400 bad_field quantity | {"input_id":$I1,"quantity":"1"}

# The journal.
producer  POST  /api/v1/lots/$LA/events | 422 invalid step | {"step":"drying","at":"2025-03-02T10:00:00+07:00"}
producer  POST  /api/v1/lots/$LA/events | 422 invalid step | {"at":"2025-03-02T10:00:00+07:00"}
producer  POST  /api/v1/lots/$LA/events | 422 invalid at | {"step":"storing","at":"${tomorrow}T09:00:00+07:00"}
producer  POST  /api/v1/lots/$LA/events | 422 invalid at | {"step":"storing","at":"2025-03-02T10:00:00"}
producer  POST  /api/v1/lots/$LA/events | 422 invalid at | {"step":"storing","at":"2025-03-02"}
producer  POST  /api/v1/lots/$LA/events | 422 invalid at | {"step":"storing","at":"2025-02-20T15:00:00+07:00"}
producer  POST  /api/v1/lots/$LA/events | 422 invalid at | {"step":"storing"}
producer  POST  /api/v1/lots/$LA/events | 400 bad_field at | {"step":"storing","at":20250302}
producer  POST  /api/v1/lots/$LA/events | 400 bad_field operator | {$ok_event,"operator":"Anh Ba"}

# Shipments.
producer  POST  /api/v1/shipments | 422 invalid lots[0].units | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"units":14}]}
producer  POST  /api/v1/shipments | 422 invalid lots[0].units | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"units":11}]}
producer  POST  /api/v1/shipments | 422 invalid lots[0].units | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"units":0}]}
producer  POST  /api/v1/shipments | 422 invalid lots[1].units | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-12","lots":[{"lot_id":$LB,"units":1},{"lot_id":$LA,"units":14}]}
producer  POST  /api/v1/shipments | 409 shipped lots[0].serials[1] | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"serials":["$u1","$x1"]}]}
producer  POST  /api/v1/shipments | 409 shipped lots[0].serials[1] | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"serials":["$u1","$first1"]}]}
producer  POST  /api/v1/shipments | 422 invalid lots[0].serials[1] | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"serials":["$u1","NEVERISSUE"]}]}
producer  POST  /api/v1/shipments | 422 invalid shipped | {"to":{"name":"Chợ Đà Lạt"},"shipped":"$tomorrow","lots":[{"lot_id":$LA,"units":1}]}
producer  POST  /api/v1/shipments | 422 invalid shipped | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-02-28","lots":[{"lot_id":$LA,"units":1}]}
producer  POST  /api/v1/shipments | 422 invalid to.name | {"to":{"address":"Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"units":1}]}
producer  POST  /api/v1/shipments | 422 invalid lots | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[]}
producer  POST  /api/v1/shipments | 400 bad_field carrier | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"units":1}],"carrier":"Viettel Post"}

# Recall bodies.
officer   POST  /api/v1/lots/$LC/recall | 422 invalid reason | {"action":"Trả lại nơi mua"}
officer   POST  /api/v1/lots/$LC/recall | 422 invalid action | {"reason":"Bao bì hở"}
officer   POST  /api/v1/lots/$LC/recall | 422 invalid reason | {"reason":"","action":"Trả lại nơi mua"}
officer   POST  /api/v1/lots/$LC/recall | 400 bad_field urgent | {$ok_recall,"urgent":true}
officer   POST  /api/v1/inputs/$I1/recall | 422 invalid action | {"reason":"Thử"}

# Roles: another producer reads and recalls nothing of producer 1's.
producer2 GET   /api/v1/areas/$A1 | 403 forbidden * |
producer2 PATCH /api/v1/areas/$A1 | 403 forbidden * | {"locality":"Hàm Hiệp"}
producer2 GET   /api/v1/inputs/$I1 | 403 forbidden * |
producer2 GET   /api/v1/inputs/$I1/trace | 403 forbidden * |
producer2 GET   /api/v1/lots/$LA/trace | 403 forbidden * |
producer2 GET   /api/v1/lots/$LA/inputs | 403 forbidden * |
producer2 GET   /api/v1/lots/$LA/events | 403 forbidden * |
producer2 POST  /api/v1/lots/$LA/events | 403 forbidden * | {$ok_event}
producer2 POST  /api/v1/lots/$LA/inputs | 403 forbidden * | {"input_id":$I3,"quantity":1}
producer2 POST  /api/v1/lots/$LA/recall | 403 forbidden * | {$ok_recall}
producer2 POST  /api/v1/inputs/$I1/recall | 403 forbidden * | {$ok_recall}
nobody    GET   /api/v1/areas | 401 * * |
nobody    POST  /api/v1/areas | 401 * * | {"name":"Vùng X","code":"BTH-X-01"}
nobody    GET   /api/v1/inputs/$I1 | 401 * * |
nobody    GET   /api/v1/lots/$LA/trace | 401 * * |
nobody    GET   /api/v1/inputs/$I1/trace | 401 * * |
nobody    POST  /api/v1/shipments | 401 * * | {"to":{"name":"Chợ Đà Lạt"},"shipped":"2025-03-07","lots":[{"lot_id":$LA,"units":1}]}
nobody    POST  /api/v1/lots/$LA/recall | 401 * * | {$ok_recall}
nobody    POST  /api/v1/inputs/$I1/recall | 401 * * | {$ok_recall}
nobody    GET   /api/v1/recalls | 401 * * |
admin     GET   /api/v1/areas/999 | 404 not_found * |
admin     GET   /api/v1/inputs/999 | 404 not_found * |
admin     GET   /api/v1/lots/999/trace | 404 not_found * |
admin     GET   /api/v1/inputs/999/trace | 404 not_found * |
admin     GET   /api/v1/recalls/999 | 404 not_found * |
EOF
req "$producer" GET "/api/v1/inputs/$I1"
expect "the fish after the refusals: still 400 remain" "$code $(v '[d["used"], d["remaining"], d["recalled"]]')" "200 [600,400,false]"

# ---------- before the recall: a unit of lot A scanned ----------

unitA=/01/08931234567897/10/CC2503/21/$u2
unitB=/01/00000096385074/10/NM2503/21/${serialsB[0]:-none6}
unitC=/01/08931234567897/10/CC2504/21/${serialsC[0]:-none7}
unitE=/01/08931234567897/10/CC2505/21/${serialsE[0]:-none8}
# scan PATH [CURL-ARGS...]: the resolver's answer to $json (JSON by default).
scan() { json=$(curl -s -H 'Accept: application/json' "${@:2}" "$base$1"); code=; }
page() { json=$(curl -s "${@:2}" "$base$1"); code=; }
scan "$unitA"
expect "before the recall: a unit of lot A is genuine, no recall" "$(v '[d["verdict"], d.get("recall")]')" '["genuine",null]'
page "$unitA" -H 'Accept: text/html'
[[ $json == *'<h1>Cá cơm khô</h1>'* ]] && pass || fail "before the recall: the page: ${json:0:300}"
# Scans are written behind; wait for both before dumps are compared again.
for _ in $(seq 1 50); do
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM scans')" = 2 ] && break
    sleep 0.1
done
expect "the two scans written" "$(sqlite3 "$db" 'SELECT count(*) FROM scans')" 2

# ---------- recalling the fish ----------

reason='Cá cơm nhiễm histamine vượt ngưỡng cho phép'
action='Ngừng sử dụng và trả lại nơi mua để được hoàn tiền'
req "$producer" POST "/api/v1/inputs/$I1/recall" "{\"reason\":\"$reason\",\"action\":\"$action\"}"
expect "recalling the fish" "$code $(v '[d["kind"], d["input_id"], d["lot_id"], d["reason"], d["action"]]')" \
    "201 [\"input\",$I1,null,\"$reason\",\"$action\"]"
R1=$(v 'd["id"]')
since=$(v 'd["since"]')
[[ $since == "$today"T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]+07:00 ]] && pass ||
    fail "the recall's since: want ${today}Thh:mm:ss+07:00, got '$since'"
expect "the recall reaches lot A and, through it, lot B (code, product, units)" \
    "$(v '[[l["lot_id"], l["code"], l["product_id"], l["product"], l["units"]] for l in sorted(d["lots"], key=lambda l: l["lot_id"])]')" \
    "[[$LA,\"CC2503\",$P1,\"Cá cơm khô\",20],[$LB,\"NM2503\",$P2,\"Nước mắm cá cơm\",10]]"
expect "the recall lists each lot's shipments (destination, units)" \
    "$(v '[[l["lot_id"], [[s["id"], s["to"]["name"], s["shipped"], s["units"]] for s in sorted(l["shipments"], key=lambda s: s["id"])]] for l in sorted(d["lots"], key=lambda l: l["lot_id"])]')" \
    "[[$LA,[[$S1,\"$coopmart\",\"2025-03-05\",5],[$S2,\"$shop\",\"2025-03-06\",2]]],[$LB,[[$S3,\"$hanoi\",\"2025-03-12\",4]]]]"
expect "the recall lists the destinations' addresses" \
    "$(v '[s["to"]["address"] for l in d["lots"] for s in l["shipments"] if s["id"] == a[0]]' "$S3")" '["Quận Đống Đa, Hà Nội"]'
req "$producer" GET "/api/v1/inputs/$I1"
expect "the fish is recalled" "$code $(v 'd["recalled"]')" "200 true"
req "$producer" GET "/api/v1/inputs/$I2"
expect "the salt is not" "$code $(v 'd["recalled"]')" "200 false"
req "$officer" GET /api/v1/recalls
expect "the recalls listed" "$code $(v '[[r["id"], r["kind"], sorted(l["lot_id"] for l in r["lots"])] for r in d["recalls"]]')" \
    "200 [[$R1,\"input\",[$LA,$LB]]]"
req "$officer" GET "/api/v1/recalls/$R1"
expect "the recall read back" "$code $(v '[d["id"], d["kind"], d["input_id"], d["reason"], d["action"], d["since"], sorted(l["lot_id"] for l in d["lots"])]')" \
    "200 [$R1,\"input\",$I1,\"$reason\",\"$action\",\"$since\",[$LA,$LB]]"
req "$producer" GET "/api/v1/lots/$LA/trace"
expect "lot A's trace shows the recall" "$code $(v '[d["recall"]["id"], d["recall"]["reason"], d["recall"]["action"], d["recall"]["since"]]')" \
    "200 [$R1,\"$reason\",\"$action\",\"$since\"]"
req "$producer" GET "/api/v1/lots/$LB/trace"
expect "lot B's trace shows the recall" "$code $(v 'd["recall"]["id"]')" "200 $R1"
req "$producer" GET "/api/v1/lots/$LE/trace"
expect "an unrelated lot is not recalled" "$code $(v 'd["recall"]')" "200 null"

sheet='?sheet=a4-3x8'
refused <<EOF
producer  POST  /api/v1/lots/$LA/recall | 409 already_recalled * | {$ok_recall}
officer   POST  /api/v1/lots/$LB/recall | 409 already_recalled * | {$ok_recall}
producer  POST  /api/v1/inputs/$I1/recall | 409 * * | {$ok_recall}
producer  POST  /api/v1/lots/$LA/serials | 409 recalled * | {"count":1}
producer  GET   /api/v1/lots/$LA/labels.pdf$sheet | 409 recalled * |
producer  GET   /api/v1/lots/$LA/label.png$sheet | 409 recalled * |
producer  POST  /api/v1/lots/$LB/serials | 409 recalled * | {"count":1}
officer   GET   /api/v1/lots/$LB/labels.pdf$sheet | 409 recalled * |
EOF
req "$producer" POST "/api/v1/lots/$LA/serials" '{"count":1}'
[[ $(v 'd["error"]["message"]') == *"recall $R1"* ]] && pass ||
    fail "the refusal names the recall, want 'recall $R1' in the message: ${json:0:300}"

# ---------- recalling one lot ----------

reasonC='Bao bì lô hàng bị hở, có nguy cơ nhiễm ẩm'
actionC='Không sử dụng, liên hệ HTX để đổi sản phẩm'
req "$officer" POST "/api/v1/lots/$LC/recall" "{\"reason\":\"$reasonC\",\"action\":\"$actionC\"}"
expect "an officer recalls lot C" "$code $(v '[d["kind"], d["lot_id"], d["input_id"], d["reason"]]')" \
    "201 [\"lot\",$LC,null,\"$reasonC\"]"
R2=$(v 'd["id"]')
expect "only lot C is listed, its units, no shipments" \
    "$(v '[[l["lot_id"], l["code"], l["units"], l["shipments"]] for l in d["lots"]]')" "[[$LC,\"CC2504\",6,[]]]"
req "$officer" GET /api/v1/recalls
expect "both recalls listed" "$code $(v 'sorted(r["id"] for r in d["recalls"])')" "200 [$R1,$R2]"
req "$officer" GET "/api/v1/recalls/$R2"
expect "lot C's recall read back" "$code $(v '[d["kind"], [l["lot_id"] for l in d["lots"]]]')" "200 [\"lot\",[$LC]]"
req "$producer" GET "/api/v1/lots/$LA/trace"
expect "lot A keeps the fish's recall" "$code $(v 'd["recall"]["id"]')" "200 $R1"
expect "lot C's recalled: no more serials" "$(status "$producer" POST "/api/v1/lots/$LC/serials" '{"count":1}')" 409

# ---------- a recalled unit scanned ----------

scan "$unitA"
expect "a unit of lot A: still genuine, with the recall" \
    "$(v '[d["verdict"], d["recall"]["reason"], d["recall"]["action"], d["recall"]["since"]]')" \
    "[\"genuine\",\"$reason\",\"$action\",\"$since\"]"
scan "$unitB"
expect "a unit of lot B, recalled through lot A" "$(v '[d["verdict"], d["recall"]["reason"]]')" "[\"genuine\",\"$reason\"]"
scan "$unitC"
expect "a unit of lot C, recalled alone" "$(v '[d["verdict"], d["recall"]["reason"], d["recall"]["action"]]')" \
    "[\"genuine\",\"$reasonC\",\"$actionC\"]"
scan "$unitE"
expect "a unit of a lot never recalled: no recall" "$(v '[d["verdict"], d.get("recall")]')" '["genuine",null]'
page "$unitA" -H 'Accept: text/html'
[[ $json == *'Sản phẩm đang bị thu hồi'* && $json == *"$reason"* && $json == *"$action"* ]] && pass ||
    fail "the page of a recalled unit: want 'Sản phẩm đang bị thu hồi', the reason and what to do: ${json:0:300}"
[[ $json == *"${today:8:2}/${today:5:2}/${today:0:4}"* || $json == *">$today"* ]] && pass ||
    fail "the page of a recalled unit: want the recall's date, ${today:8:2}/${today:5:2}/${today:0:4} or $today"
page "$unitA?lang=en" -H 'Accept: text/html'
[[ $json == *'This product is being recalled'* && $json == *"$reason"* ]] && pass ||
    fail "the English page (?lang=en): want 'This product is being recalled' and the reason: ${json:0:300}"
page "$unitA" -H 'Accept-Language: en'
[[ $json == *'This product is being recalled'* ]] && pass ||
    fail "the English page (Accept-Language: en): want 'This product is being recalled': ${json:0:300}"
page "$unitB"
[[ $json == *'Sản phẩm đang bị thu hồi'* ]] && pass || fail "the page of a unit of lot B: want the notice: ${json:0:300}"

# ---------- the journey on the scan page ----------

scan "$unitA"
expect "a unit's journey: its area with its code and certifications, the harvest, the journal, the shipping" \
    "$(v '[[a["code"], a["certifications"]] for a in d["journey"]["areas"]] + [d["journey"]["harvested"], [e["step"] for e in d["journey"]["events"]], d["journey"]["shipped"] is not None]')" \
    '[["BTH-HT-01",["VietGAP","MSC"]],"2025-02-20",["harvesting","processing","packing"],true]'
page "$unitA"
[[ $json == *'Hành trình sản phẩm'* && $json == *'BTH-HT-01'* && $json == *'VietGAP, MSC'* && $json == *'Chế biến'* && $json == *'Đóng gói'* ]] && pass ||
    fail "the page tells the journey: want its title, the area's code and certifications, Chế biến and Đóng gói: ${json:0:300}"
page "$unitA?lang=en"
[[ $json == *"The product&#39;s journey"* && $json == *'Growing area'* && $json == *'Processing'* && $json == *'Packing'* ]] && pass ||
    fail "the English page tells the journey in English"

# ---------- the trace offline ----------

out=$("$OCOPTRACE" trace --db "$db" "$LA" 2>&1)
[[ $out == *'RECALLED'* && $out == *'BTH-HT-01'* && $out == *'HTX Diêm nghiệp Tuy Phong'* && $out == *'used in lot'* ]] && pass ||
    fail "ocoptrace trace LOT: the recall, the area, the supplier and the lot made from it: $out"
out=$("$OCOPTRACE" trace --db "$db" --json "https://truyxuatsanphambinhthuan.vn$unitA" 2>&1)
[[ $(echo "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["lot"]["id"])') == "$LA" ]] && pass ||
    fail "ocoptrace trace --json URI: the unit's lot, $LA: ${out:0:200}"
"$OCOPTRACE" trace --db "$db" 999999 >/dev/null 2>"$scratch/err"
[[ $? -eq 2 && $(cat "$scratch/err") == *"names no lot"* ]] && pass || fail "ocoptrace trace of no lot: exit 2, said: $(cat "$scratch/err")"

finish
