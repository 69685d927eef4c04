#!/usr/bin/env bash
# Every endpoint of the API over HTTP: the role matrix of the route table
# (nobody, a bogus token, admin, officer, a producer on its own resources
# and on another's), missing ids and wrong methods; bad input on every
# endpoint that takes a body, refused with a JSON error naming the field and
# the database unchanged; and the public pages, which need no token.
suite=cli-api
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/api.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Một', 'Xã Hàm Mỹ, tỉnh Bình Thuận', 'cooperative'),
    ('HTX Hai', 'Phường Phú Thủy, Phan Thiết', 'sme')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
producer2=$("$OCOPTRACE" user add --role producer --producer 2 htxhai --db "$db" | tail -n 1)
start_daemon "$db"

# id_of "STATUS BODY": the first "id" in the body.
id_of() { grep -o '"id":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2; }
# error_of FILE: "code field" of a JSON error body (the first bad row's
# field for a CSV import), or "not-json".
error_of() {
    /usr/bin/python3 - "$1" <<'EOF'
import json, sys
try:
    e = json.load(open(sys.argv[1], "rb"))["error"]
    field = e["field"]
    if not field and e.get("rows"):
        field = e["rows"][0]["field"]
    assert isinstance(e["message"], str) and e["message"]
    print(e["code"], field)
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

# Two producers, each with a product, a lot with serials and a certificate;
# a third certificate, of producer 1, for the officer to revoke.
evaluation='{"number":"NUMBER","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
details='"net_quantity":"500 ml","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"'
got=$(call "$producer" POST /api/v1/products "{\"name\":\"Nước mắm\",\"group\":\"food\",\"gtin\":\"8931234567897\",$details}")
expect_equal "setup: producer 1's product" "${got%% *}" 201
PR1=$(id_of "$got")
got=$(call "$producer2" POST /api/v1/products "{\"name\":\"Mật ong\",\"group\":\"food\",\"gtin\":\"96385074\",$details}")
expect_equal "setup: producer 2's product" "${got%% *}" 201
PR2=$(id_of "$got")
L1=$(id_of "$(call "$producer" POST /api/v1/products/$PR1/lots '{"code":"L1","produced":"2025-03-01","expires":"2027-03-01"}')")
L2=$(id_of "$(call "$producer2" POST /api/v1/products/$PR2/lots '{"code":"L2","produced":"2025-03-01","expires":"2027-03-01"}')")
serial1=$(call "$producer" POST /api/v1/lots/$L1/serials '{"count":3}' | grep -o '"serial":"[^"]*"' | head -n 1 | cut -d'"' -f4)
expect_equal "setup: serials of lot 1" "${#serial1}" 10
expect_equal "setup: serials of lot 2" "$(status "$producer2" POST /api/v1/lots/$L2/serials '{"count":3}')" 201
C1=$(id_of "$(call "$officer" POST /api/v1/products/$PR1/evaluations "${evaluation/NUMBER/OCOP-API-0001}")")
C2=$(id_of "$(call "$officer" POST /api/v1/products/$PR2/evaluations "${evaluation/NUMBER/OCOP-API-0002}")")
C3=$(id_of "$(call "$officer" POST /api/v1/products/$PR1/evaluations "${evaluation/NUMBER/OCOP-API-0003}")")
[ -n "$PR1" ] && [ -n "$PR2" ] && [ -n "$L1" ] && [ -n "$L2" ] && [ -n "$C1" ] && [ -n "$C2" ] && [ -n "$C3" ] &&
    pass || fail "setup: ids '$PR1' '$PR2' '$L1' '$L2' '$C1' '$C2' '$C3'"

# body NAME: writes a request body to $scratch/req. Each call is new (lot
# codes, certificate numbers), so that a request allowed twice succeeds twice.
n=0
body() {
    n=$((n + 1))
    case $1 in
    producer) printf '{"name":"HTX %d","address":"Xã Tiến Lợi","kind":"household"}' $n ;;
    producer-patch) printf '{"phone":"0252 %04d"}' $n ;;
    product1 | product2) printf '{"producer_id":%s,"name":"Sản phẩm %d","group":"food"}' "${1#product}" $n ;;
    product-patch) printf '{"warnings":"Lưu ý %d"}' $n ;;
    lot) printf '{"code":"M%d","produced":"2025-01-01","expires":"2027-01-01"}' $n ;;
    serials) printf '{"count":1}' ;;
    evaluation) printf '%s' "${evaluation/NUMBER/OCOP-API-M$n}" ;;
    revoke) printf '{"reason":"Không đạt kiểm tra %d"}' $n ;;
    user) printf '{"name":"nguoidung%d","role":"officer"}' $n ;;
    csv1 | csv2) printf 'producer_id,name,group\n%s,Hàng %d,handicraft\n' "${1#csv}" $n ;;
    esac >"$scratch/req"
}

# The role matrix. "own" is producer 1's user on producer 1's resources,
# "other" the same user on producer 2's. A refusal carries the error code of
# its status and changes nothing.
declare -A code_of=([400]=malformed_json [401]=unauthenticated [403]=forbidden [404]=not_found
    [405]=method_not_allowed [409]=not_configured)
declare -A token_of=([nobody]= [bogus]=oct_not_a_token [admin]=$admin [officer]=$officer
    [own]=$producer [other]=$producer)
sheet='?sheet=a4-3x8'
while read -r who method path input want; do
    [ -z "$who" ] && continue
    args=()
    if [ "$input" != - ]; then
        body "$input"
        args=("@$scratch/req")
    fi
    before=$(dump)
    got=$(status "${token_of[$who]}" "$method" "$path" "${args[@]}")
    expect_equal "$who $method $path" "$got" "$want"
    # What a POST creates comes back with its id (serials with their lot's).
    if [ "$want" = 201 ]; then
        grep -q '^{"\(id\|lot_id\|imported\)":[0-9]' "$scratch/body" && pass ||
            fail "$who $method $path: the created object with its id: $(head -c 200 "$scratch/body")"
    fi
    if [ "$want" -ge 400 ]; then
        expect_equal "$who $method $path: error" "$(error_of "$scratch/body" | cut -d' ' -f1)" "${code_of[$want]}"
        expect_unchanged "$who $method $path" "$before"
    fi
done <<EOF
nobody  POST  /api/v1/producers                   producer        401
bogus   POST  /api/v1/producers                   producer        401
admin   POST  /api/v1/producers                   producer        201
officer POST  /api/v1/producers                   producer        201
own     POST  /api/v1/producers                   producer        403

nobody  GET   /api/v1/producers                   -               401
bogus   GET   /api/v1/producers                   -               401
admin   GET   /api/v1/producers                   -               200
officer GET   /api/v1/producers                   -               200
own     GET   /api/v1/producers                   -               200

nobody  GET   /api/v1/producers/1                 -               401
bogus   GET   /api/v1/producers/1                 -               401
admin   GET   /api/v1/producers/2                 -               200
officer GET   /api/v1/producers/2                 -               200
own     GET   /api/v1/producers/1                 -               200
other   GET   /api/v1/producers/2                 -               403

nobody  PATCH /api/v1/producers/1                 producer-patch  401
bogus   PATCH /api/v1/producers/1                 producer-patch  401
admin   PATCH /api/v1/producers/2                 producer-patch  200
officer PATCH /api/v1/producers/2                 producer-patch  200
own     PATCH /api/v1/producers/1                 producer-patch  200
other   PATCH /api/v1/producers/2                 producer-patch  403

nobody  POST  /api/v1/products                    product1        401
bogus   POST  /api/v1/products                    product1        401
admin   POST  /api/v1/products                    product2        201
officer POST  /api/v1/products                    product2        201
own     POST  /api/v1/products                    product1        201

nobody  GET   /api/v1/products                    -               401
bogus   GET   /api/v1/products                    -               401
admin   GET   /api/v1/products                    -               200
officer GET   /api/v1/products                    -               200
own     GET   /api/v1/products                    -               200

nobody  GET   /api/v1/products/$PR1               -               401
bogus   GET   /api/v1/products/$PR1               -               401
admin   GET   /api/v1/products/$PR2               -               200
officer GET   /api/v1/products/$PR2               -               200
own     GET   /api/v1/products/$PR1               -               200
other   GET   /api/v1/products/$PR2               -               403

nobody  PATCH /api/v1/products/$PR1               product-patch   401
bogus   PATCH /api/v1/products/$PR1               product-patch   401
admin   PATCH /api/v1/products/$PR2               product-patch   200
officer PATCH /api/v1/products/$PR2               product-patch   200
own     PATCH /api/v1/products/$PR1               product-patch   200
other   PATCH /api/v1/products/$PR2               product-patch   403

nobody  POST  /api/v1/products/$PR1/lots          lot             401
bogus   POST  /api/v1/products/$PR1/lots          lot             401
admin   POST  /api/v1/products/$PR2/lots          lot             201
officer POST  /api/v1/products/$PR2/lots          lot             201
own     POST  /api/v1/products/$PR1/lots          lot             201
other   POST  /api/v1/products/$PR2/lots          lot             403

nobody  GET   /api/v1/lots/$L1                    -               401
bogus   GET   /api/v1/lots/$L1                    -               401
admin   GET   /api/v1/lots/$L2                    -               200
officer GET   /api/v1/lots/$L2                    -               200
own     GET   /api/v1/lots/$L1                    -               200
other   GET   /api/v1/lots/$L2                    -               403

nobody  POST  /api/v1/lots/$L1/serials            serials         401
bogus   POST  /api/v1/lots/$L1/serials            serials         401
admin   POST  /api/v1/lots/$L2/serials            serials         201
officer POST  /api/v1/lots/$L2/serials            serials         201
own     POST  /api/v1/lots/$L1/serials            serials         201
other   POST  /api/v1/lots/$L2/serials            serials         403

nobody  GET   /api/v1/products/$PR1/qr.png        -               401
bogus   GET   /api/v1/products/$PR1/qr.png        -               401
admin   GET   /api/v1/products/$PR2/qr.png        -               200
officer GET   /api/v1/products/$PR2/qr.png        -               200
own     GET   /api/v1/products/$PR1/qr.png        -               200
other   GET   /api/v1/products/$PR2/qr.png        -               403

nobody  GET   /api/v1/products/$PR1/qr.svg        -               401
bogus   GET   /api/v1/products/$PR1/qr.svg        -               401
admin   GET   /api/v1/products/$PR2/qr.svg        -               200
officer GET   /api/v1/products/$PR2/qr.svg        -               200
own     GET   /api/v1/products/$PR1/qr.svg        -               200
other   GET   /api/v1/products/$PR2/qr.svg        -               403

nobody  GET   /api/v1/lots/$L1/labels.pdf$sheet   -               401
bogus   GET   /api/v1/lots/$L1/labels.pdf$sheet   -               401
admin   GET   /api/v1/lots/$L2/labels.pdf$sheet   -               200
officer GET   /api/v1/lots/$L2/labels.pdf$sheet   -               200
own     GET   /api/v1/lots/$L1/labels.pdf$sheet   -               200
other   GET   /api/v1/lots/$L2/labels.pdf$sheet   -               403

nobody  POST  /api/v1/products/$PR1/evaluations   evaluation      401
bogus   POST  /api/v1/products/$PR1/evaluations   evaluation      401
admin   POST  /api/v1/products/$PR2/evaluations   evaluation      403
officer POST  /api/v1/products/$PR2/evaluations   evaluation      201
own     POST  /api/v1/products/$PR1/evaluations   evaluation      403
other   POST  /api/v1/products/$PR2/evaluations   evaluation      403

nobody  GET   /api/v1/certificates/$C1            -               401
bogus   GET   /api/v1/certificates/$C1            -               401
admin   GET   /api/v1/certificates/$C2            -               200
officer GET   /api/v1/certificates/$C2            -               200
own     GET   /api/v1/certificates/$C1            -               200
other   GET   /api/v1/certificates/$C2            -               403

nobody  POST  /api/v1/certificates/$C1/revoke     revoke          401
bogus   POST  /api/v1/certificates/$C1/revoke     revoke          401
admin   POST  /api/v1/certificates/$C2/revoke     revoke          403
own     POST  /api/v1/certificates/$C1/revoke     revoke          403
other   POST  /api/v1/certificates/$C2/revoke     revoke          403
officer POST  /api/v1/certificates/$C3/revoke     revoke          200

nobody  GET   /api/v1/products/$PR1/lots          -               401
admin   GET   /api/v1/products/$PR2/lots          -               200
officer GET   /api/v1/products/$PR2/lots          -               200
own     GET   /api/v1/products/$PR1/lots          -               200
other   GET   /api/v1/products/$PR2/lots          -               403

nobody  GET   /api/v1/products/$PR1/label-check   -               401
officer GET   /api/v1/products/$PR2/label-check   -               200
own     GET   /api/v1/products/$PR1/label-check   -               200
other   GET   /api/v1/products/$PR2/label-check   -               403

nobody  GET   /api/v1/lots/$L1/label.png$sheet    -               401
officer GET   /api/v1/lots/$L2/label.png$sheet    -               200
own     GET   /api/v1/lots/$L1/label.png$sheet    -               200
other   GET   /api/v1/lots/$L2/label.png$sheet    -               403

nobody  GET   /api/v1/certificates                -               401
bogus   GET   /api/v1/certificates                -               401
admin   GET   /api/v1/certificates                -               200
officer GET   /api/v1/certificates                -               200
own     GET   /api/v1/certificates                -               200

nobody  GET   /api/v1/certificates/$C1.pdf        -               401
bogus   GET   /api/v1/certificates/$C1.pdf        -               401
admin   GET   /api/v1/certificates/$C2.pdf        -               409
officer GET   /api/v1/certificates/$C2.pdf        -               409
own     GET   /api/v1/certificates/$C1.pdf        -               409
other   GET   /api/v1/certificates/$C2.pdf        -               403

nobody  POST  /api/v1/users                       user            401
bogus   POST  /api/v1/users                       user            401
admin   POST  /api/v1/users                       user            201
officer POST  /api/v1/users                       user            403
own     POST  /api/v1/users                       user            403

nobody  GET   /api/v1/users                       -               401
bogus   GET   /api/v1/users                       -               401
admin   GET   /api/v1/users                       -               200
officer GET   /api/v1/users                       -               403
own     GET   /api/v1/users                       -               403

nobody  GET   /api/v1/sync                        -               401
bogus   GET   /api/v1/sync                        -               401
admin   GET   /api/v1/sync                        -               200
officer GET   /api/v1/sync                        -               200
own     GET   /api/v1/sync                        -               403

nobody  GET   /api/v1/reports/summary             -               401
bogus   GET   /api/v1/reports/summary             -               401
admin   GET   /api/v1/reports/summary             -               200
officer GET   /api/v1/reports/summary             -               200
own     GET   /api/v1/reports/summary             -               403

nobody  POST  /api/v1/import/products             csv1            401
bogus   POST  /api/v1/import/products             csv1            401
admin   POST  /api/v1/import/products             csv2            201
officer POST  /api/v1/import/products             csv2            201
own     POST  /api/v1/import/products             csv1            201

admin   GET   /api/v1/producers/999               -               404
admin   PATCH /api/v1/producers/999               producer-patch  404
admin   GET   /api/v1/products/999                -               404
admin   PATCH /api/v1/products/999                product-patch   404
admin   POST  /api/v1/products/999/lots           lot             404
admin   GET   /api/v1/lots/999                    -               404
admin   POST  /api/v1/lots/999/serials            serials         404
admin   GET   /api/v1/products/999/qr.png         -               404
admin   GET   /api/v1/products/999/qr.svg         -               404
admin   GET   /api/v1/lots/999/labels.pdf$sheet   -               404
officer POST  /api/v1/products/999/evaluations    evaluation      404
admin   GET   /api/v1/certificates/999            -               404
officer POST  /api/v1/certificates/999/revoke     revoke          404
admin   GET   /api/v1/certificates/999.pdf        -               404
admin   GET   /api/v1/products/999/lots           -               404
admin   GET   /api/v1/products/999/label-check    -               404
admin   GET   /api/v1/lots/999/label.png$sheet    -               404
own     GET   /api/v1/products/999                -               404
admin   GET   /api/v1/products/0                  -               404
admin   GET   /api/v1/products/x1                 -               404
admin   GET   /api/v1/nothing                     -               404

admin   DELETE /api/v1/producers                  -               405
admin   DELETE /api/v1/producers/1                -               405
admin   PUT   /api/v1/products                    product1        405
admin   DELETE /api/v1/products/$PR1              -               405
admin   DELETE /api/v1/products/$PR1/lots         -               405
admin   PATCH /api/v1/lots/$L1                    -               405
admin   GET   /api/v1/lots/$L1/serials            -               405
admin   POST  /api/v1/products/$PR1/qr.png        -               405
admin   DELETE /api/v1/products/$PR1/qr.svg       -               405
admin   POST  /api/v1/lots/$L1/labels.pdf         -               405
officer GET   /api/v1/products/$PR1/evaluations   -               405
admin   DELETE /api/v1/certificates/$C1           -               405
officer GET   /api/v1/certificates/$C1/revoke     -               405
admin   POST  /api/v1/reports/summary             -               405
admin   GET   /api/v1/import/products             -               405
admin   DELETE /api/v1/users                      -               405
admin   POST  /api/v1/sync                        -               405
EOF

# What the matrix allowed, looked at closer: a producer sees only its own
# in lists, and may not create products for another producer.
got=$(call "$producer" GET /api/v1/producers)
expect_equal "a producer lists only its own record" "$(grep -o '"id":[0-9]*' <<<"$got" | sort -u | tr '\n' ' ')" '"id":1 '
got=$(call "$producer" GET /api/v1/products)
expect_equal "a producer lists only its own products" \
    "$(grep -o '"producer_id":[0-9]*' <<<"$got" | sort -u | tr '\n' ' ')" '"producer_id":1 '
got=$(call "$admin" GET /api/v1/products)
grep -q '"producer_id":2' <<<"$got" && pass || fail "an admin lists every producer's products: $got"
got=$(call "$producer" GET /api/v1/certificates)
expect_equal "a producer lists only its own certificates" \
    "$(grep -o '"product_id":[0-9]*' <<<"$got" | sort -u | tr '\n' ' ')" "\"product_id\":$PR1 "
before=$(sqlite3 "$db" "SELECT count(*) FROM products WHERE producer_id = 2")
body product2
got=$(call "$producer" POST /api/v1/products "@$scratch/req")
[[ $got == 403* && $got == *'"field":"producer_id"'* ]] && pass || fail "a producer naming another producer: 403: $got"
body csv2
got=$(call "$producer" POST /api/v1/import/products "@$scratch/req")
expect_equal "a producer importing rows of another: 422" "${got%% *}" 422
expect_equal "nothing lands in another producer's products" \
    "$(sqlite3 "$db" "SELECT count(*) FROM products WHERE producer_id = 2")" "$before"
expect_equal "the revoked certificate is revoked" \
    "$(sqlite3 "$db" "SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL")" 1

# Bad input on every endpoint that takes a body: WHO METHOD PATH | STATUS
# CODE FIELD | BODY. In a body, \n is a newline (CSV), <FF> the byte 0xff
# (never UTF-8) and <BIG> a body over 1 MiB. Each is refused with a JSON
# error naming the field (none when the body cannot be read into fields)
# and the database as it was, byte for byte.
/usr/bin/python3 -c 'import sys; sys.stdout.write("{\"name\":\"" + "a" * 1100000 + "\"}")' >"$scratch/big"
shopt -s extglob
trim() { local v=${1##+([[:space:]])}; printf '%s' "${v%%+([[:space:]])}"; }
while IFS='|' read -r request answer input; do
    read -r who method path <<<"$request"
    [ -z "${who:-}" ] || [ "${who:0:1}" = '#' ] && continue
    read -r want code field <<<"$answer"
    input=$(trim "$input")
    input=${input//\\n/$'\n'}
    printf '%s' "${input//<FF>/$'\xff'}" >"$scratch/req"
    data=@$scratch/req
    [ "$input" = '<BIG>' ] && data=@$scratch/big
    [ -z "$input" ] && data=
    name="$method $path $(head -c 60 "$scratch/req" | tr '\n\377' '/?')"
    before=$(dump)
    got=$(status "${token_of[$who]}" "$method" "$path" "$data")
    expect_equal "$name: status" "$got" "$want"
    expect_equal "$name: error" "$(error_of "$scratch/body")" "$code ${field:-}"
    expect_unchanged "$name" "$before"
done <<EOF
admin   POST  /api/v1/producers | 400 malformed_json     | {"name": 
admin   POST  /api/v1/producers | 400 malformed_json     |
admin   POST  /api/v1/producers | 400 malformed_json     | [1, 2]
admin   POST  /api/v1/producers | 400 malformed_json     | {"name":"A","address":"B","kind":"sme"} x
admin   POST  /api/v1/producers | 400 malformed_json     | {"name":"A","name":"B","address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 400 bad_field phone    | {"name":"A","address":"B","kind":"sme","phone":42}
admin   POST  /api/v1/producers | 400 bad_field name     | {"name":null,"address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 400 bad_field colour   | {"name":"A","address":"B","kind":"sme","colour":"red"}
admin   POST  /api/v1/producers | 400 malformed_json     | {"name":"HTX <FF>","address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 400 malformed_json     | {"name":"HTX \udc00","address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 413 too_large          | <BIG>
admin   POST  /api/v1/producers | 422 invalid name       | {"address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 422 invalid name       | {"name":"","address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 422 invalid name       | {"name":"A\u0007","address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 422 invalid name       | {"name":"Hue\u0301","address":"B","kind":"sme"}
admin   POST  /api/v1/producers | 422 invalid kind       | {"name":"A","address":"B","kind":"co-op"}

admin   PATCH /api/v1/producers/2 | 400 malformed_json   | {"phone":
admin   PATCH /api/v1/producers/2 | 400 bad_field name   | {"name":1}
admin   PATCH /api/v1/producers/2 | 400 bad_field id     | {"id":1}
admin   PATCH /api/v1/producers/2 | 400 malformed_json   | {"phone":"<FF>"}
admin   PATCH /api/v1/producers/2 | 413 too_large        | <BIG>
admin   PATCH /api/v1/producers/2 | 422 invalid name     | {"name":""}
admin   PATCH /api/v1/producers/2 | 422 invalid kind     | {"phone":"0252","kind":"co-op"}

admin   POST  /api/v1/products | 400 malformed_json      | {"producer_id":2,
admin   POST  /api/v1/products | 400 bad_field producer_id | {"producer_id":"2","name":"X","group":"food"}
admin   POST  /api/v1/products | 422 invalid name | {"producer_id":2,"name":"Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm Nước mắm ","group":"food"}
admin   POST  /api/v1/products | 400 bad_field producer_id | {"producer_id":2.0,"name":"X","group":"food"}
admin   POST  /api/v1/products | 400 bad_field colour    | {"producer_id":2,"name":"X","group":"food","colour":"red"}
admin   POST  /api/v1/products | 400 malformed_json      | {"producer_id":2,"name":"X","group":"food","origin":"Vi<FF>t"}
admin   POST  /api/v1/products | 413 too_large           | <BIG>
admin   POST  /api/v1/products | 422 invalid gtin        | {"producer_id":2,"name":"X","group":"food","gtin":"08931234567895"}
admin   POST  /api/v1/products | 422 invalid gtin        | {"producer_id":2,"name":"X","group":"food","gtin":"12345"}
admin   POST  /api/v1/products | 422 invalid gtin        | {"producer_id":2,"name":"X","group":"food","gtin":"893123456789A"}
admin   POST  /api/v1/products | 409 conflict gtin       | {"producer_id":2,"name":"X","group":"food","gtin":"8931234567897"}
admin   POST  /api/v1/products | 422 invalid group       | {"producer_id":2,"name":"X","group":"fruit"}
admin   POST  /api/v1/products | 422 invalid producer_id | {"producer_id":99,"name":"X","group":"food"}
admin   POST  /api/v1/products | 422 invalid producer_id | {"producer_id":0,"name":"X","group":"food"}
admin   POST  /api/v1/products | 422 invalid name        | {"producer_id":2,"group":"food"}

admin   PATCH /api/v1/products/$PR1 | 400 malformed_json      | {"storage":"x"
admin   PATCH /api/v1/products/$PR1 | 400 bad_field storage   | {"storage":["x"]}
admin   PATCH /api/v1/products/$PR1 | 400 bad_field id        | {"id":3}
admin   PATCH /api/v1/products/$PR1 | 400 malformed_json      | {"storage":"<FF>"}
admin   PATCH /api/v1/products/$PR1 | 413 too_large           | <BIG>
admin   PATCH /api/v1/products/$PR1 | 422 invalid gtin        | {"name":"Y","gtin":"08931234567895"}
admin   PATCH /api/v1/products/$PR1 | 409 conflict gtin       | {"name":"Y","gtin":"96385074"}
admin   PATCH /api/v1/products/$PR1 | 422 invalid producer_id | {"producer_id":2}
admin   PATCH /api/v1/products/$PR1 | 422 invalid group       | {"group":"fruit"}

admin   POST  /api/v1/products/$PR1/lots | 400 malformed_json    | {"code":"L9",}
admin   POST  /api/v1/products/$PR1/lots | 400 bad_field code    | {"code":9}
admin   POST  /api/v1/products/$PR1/lots | 400 bad_field produced | {"code":"L9","produced":20250101}
admin   POST  /api/v1/products/$PR1/lots | 400 bad_field best_before | {"code":"L9","best_before":"2026-01-01"}
admin   POST  /api/v1/products/$PR1/lots | 400 malformed_json    | {"code":"L<FF>"}
admin   POST  /api/v1/products/$PR1/lots | 413 too_large         | <BIG>
admin   POST  /api/v1/products/$PR1/lots | 422 invalid code      | {"code":"Lô 1"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid code      | {"code":"L 1"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid code      | {"code":"L23456789012345678901"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid code      | {"code":""}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid code      | {"code":"."}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid code      | {"code":".."}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid code      | {"produced":"2025-01-01"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid expires   | {"code":"L9","produced":"2027-03-01","expires":"2025-03-01"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid expires   | {"code":"L9","produced":"2025-03-01","expires":"2025-03-01"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid expires   | {"code":"L9","expires":"2025-02-29"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid produced  | {"code":"L9","produced":"2025-13-01"}
admin   POST  /api/v1/products/$PR1/lots | 422 invalid produced  | {"code":"L9","produced":"01/03/2025"}
admin   POST  /api/v1/products/$PR1/lots | 409 conflict code     | {"code":"L1"}

admin   POST  /api/v1/lots/$L1/serials | 400 malformed_json  | {count:1}
admin   POST  /api/v1/lots/$L1/serials | 400 bad_field count | {"count":"5"}
admin   POST  /api/v1/lots/$L1/serials | 400 bad_field count | {"count":5.0}
admin   POST  /api/v1/lots/$L1/serials | 400 bad_field prefix | {"count":1,"prefix":"A"}
admin   POST  /api/v1/lots/$L1/serials | 400 malformed_json  | {"count":1,"note":"<FF>"}
admin   POST  /api/v1/lots/$L1/serials | 413 too_large       | <BIG>
admin   POST  /api/v1/lots/$L1/serials | 422 invalid count   | {"count":0}
admin   POST  /api/v1/lots/$L1/serials | 422 invalid count   | {"count":-1}
admin   POST  /api/v1/lots/$L1/serials | 422 invalid count   | {"count":10001}
admin   POST  /api/v1/lots/$L1/serials | 422 invalid count   | {"count":9223372036854775807}
admin   POST  /api/v1/lots/$L1/serials | 422 invalid count   | {}

officer POST  /api/v1/products/$PR1/evaluations | 400 malformed_json   | ${evaluation%?}
officer POST  /api/v1/products/$PR1/evaluations | 400 bad_field scores.a | ${evaluation/'"a":34'/'"a":"34"'}
officer POST  /api/v1/products/$PR1/evaluations | 400 bad_field decision | {"number":"OCOP-X","decision":"1032","scores":{"a":34,"b":20,"c":28}}
officer POST  /api/v1/products/$PR1/evaluations | 400 bad_field scores.d | ${evaluation/'"a":34'/'"a":34,"d":1'}
officer POST  /api/v1/products/$PR1/evaluations | 400 bad_field stars  | ${evaluation/'"number":"NUMBER"'/'"number":"OCOP-X","stars":5'}
officer POST  /api/v1/products/$PR1/evaluations | 400 malformed_json   | ${evaluation/Bình/B<FF>nh}
officer POST  /api/v1/products/$PR1/evaluations | 413 too_large        | <BIG>
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid scores.a | ${evaluation/'"a":34'/'"a":41'}
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid scores.b | ${evaluation/'"b":20'/'"b":-1'}
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid scores.c | ${evaluation/'"c":28'/'"c":99'}
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid scores   | ${evaluation/'"a":34'/'"a":0'}
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid number   | ${evaluation/NUMBER/OCOP API}
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid decision.date | ${evaluation/2025-06-20/2025-06-31}
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid decision.level | ${evaluation/province/commune}
officer POST  /api/v1/products/$PR1/evaluations | 422 invalid decision.signer.name | ${evaluation/',"name":"Nguyễn Văn A"'/}
officer POST  /api/v1/products/$PR1/evaluations | 409 conflict number | ${evaluation/NUMBER/OCOP-API-0001}

officer POST  /api/v1/certificates/$C1/revoke | 400 malformed_json | {"reason":"x"}}
officer POST  /api/v1/certificates/$C1/revoke | 400 bad_field reason | {"reason":true}
officer POST  /api/v1/certificates/$C1/revoke | 400 bad_field when | {"reason":"x","when":"2025-01-01"}
officer POST  /api/v1/certificates/$C1/revoke | 400 malformed_json | {"reason":"h<FF>ng"}
officer POST  /api/v1/certificates/$C1/revoke | 413 too_large      | <BIG>
officer POST  /api/v1/certificates/$C1/revoke | 422 invalid reason | {"reason":""}
officer POST  /api/v1/certificates/$C1/revoke | 422 invalid reason | {}
officer POST  /api/v1/certificates/$C3/revoke | 409 conflict id    | {"reason":"again"}

admin   POST  /api/v1/users | 400 malformed_json      | {"name":
admin   POST  /api/v1/users | 400 bad_field role      | {"name":"x","role":5}
admin   POST  /api/v1/users | 400 bad_field admin     | {"name":"x","role":"officer","admin":true}
admin   POST  /api/v1/users | 400 malformed_json      | {"name":"h<FF>ng","role":"officer"}
admin   POST  /api/v1/users | 413 too_large           | <BIG>
admin   POST  /api/v1/users | 422 invalid role        | {"name":"x","role":"chief"}
admin   POST  /api/v1/users | 422 invalid name        | {"name":"","role":"officer"}
admin   POST  /api/v1/users | 422 invalid producer_id | {"name":"x","role":"producer"}
admin   POST  /api/v1/users | 422 invalid producer_id | {"name":"x","role":"officer","producer_id":1}
admin   POST  /api/v1/users | 409 conflict name       | {"name":"canbo","role":"officer"}

admin   POST  /api/v1/import/products | 400 malformed_csv     | producer_id,name,group\n2,"Nón,handicraft\n
admin   POST  /api/v1/import/products | 400 malformed_csv     |
admin   POST  /api/v1/import/products | 400 malformed_csv net_quantity | producer_id,name,group,net_quantity\n2,Nón,handicraft,1 c<FF>i\n
admin   POST  /api/v1/import/products | 400 malformed_csv     | producer_id,name,gr<FF>oup\n2,Nón,handicraft\n
admin   POST  /api/v1/import/products | 413 too_large         | <BIG>
admin   POST  /api/v1/import/products | 422 invalid colour    | producer_id,name,group,colour\n2,Nón,handicraft,red\n
admin   POST  /api/v1/import/products | 422 invalid producer_id | producer_id,name,group\nhai,Nón,handicraft\n
admin   POST  /api/v1/import/products | 422 invalid producer_id | producer_id,name,group\n2x,Nón,handicraft\n
admin   POST  /api/v1/import/products | 422 invalid producer_id | producer_id,name,group\n99,Nón,handicraft\n
admin   POST  /api/v1/import/products | 422 invalid gtin      | producer_id,name,group,gtin\n2,A,food,\n2,B,food,08931234567895\n
admin   POST  /api/v1/import/products | 422 invalid group     | producer_id,name,group\n2,A,food\n2,B,fruit\n
admin   POST  /api/v1/import/products | 409 conflict gtin     | producer_id,name,group,gtin\n2,A,food,036000291452\n2,B,food,036000291452\n
admin   POST  /api/v1/import/products | 409 conflict gtin     | producer_id,name,group,gtin\n2,A,food,036000291452\n2,B,food,8931234567897\n
EOF

# The public side needs no token: health, metrics, the resolver a scanned
# code opens (JSON when asked for, else a page) and a certificate's page.
# get PATH [CURL-ARGS...]: prints "STATUS CONTENT-TYPE"; the body in $scratch/body.
get() { curl -s -o "$scratch/body" -w '%{http_code} %{content_type}' "${@:2}" "$base$1"; }
json='Accept: application/json'
expect_equal "healthz" "$(get /healthz)" "200 application/json"
expect_equal "healthz body" "$(cat "$scratch/body")" "{\"status\":\"ok\",\"schema\":$(sqlite3 "$db" 'SELECT max(version) FROM schema_migrations')}"
expect_equal "metrics" "$(get /metrics)" "200 text/plain; version=0.0.4"
grep -q '^ocoptrace_requests_total{method="GET",route="/api/v1/lots/{id}/labels.pdf",status="2xx"} 3$' "$scratch/body" &&
    pass || fail "metrics count the label sheets drawn: $(grep labels.pdf "$scratch/body")"
grep -q '^ocoptrace_requests_total{method="POST",route="/api/v1/products/{id}/evaluations",status="4xx"} [1-9]' "$scratch/body" &&
    pass || fail "metrics count refused evaluations"
sleep 0.1 # the scans before, written behind within milliseconds, are in
scans=$(sqlite3 "$db" "SELECT count(*) FROM scans")
link=/01/08931234567897/10/L1/21/$serial1
expect_equal "resolver, JSON" "$(get "$link" -H "$json")" "200 application/json"
got=$(cat "$scratch/body")
[[ $got == *'"verdict":"genuine"'* && $got == *'"name":"Nước mắm"'* && $got == *'"code":"L1"'* && $got == *'"name":"HTX Một"'* ]] &&
    pass || fail "resolver: a serial of the lot is genuine, with product, lot and producer: $got"
expect_equal "resolver, HTML for a browser" "$(get "$link")" "200 text/html; charset=utf-8"
grep -q '<h1>Nước mắm</h1>' "$scratch/body" && grep -q 'verdict-genuine' "$scratch/body" &&
    pass || fail "resolver: the page names the product and the verdict"
expect_equal "resolver, HTML when HTML is asked for" "$(get "$link" -H 'Accept: text/html')" "200 text/html; charset=utf-8"
expect_equal "resolver, a token is not needed nor looked at" \
    "$(get "$link" -H "$json" -H 'Authorization: Bearer oct_not_a_token')" "200 application/json"
# Scans are written behind, within milliseconds: wait for them.
for _ in $(seq 1 50); do
    [ "$(sqlite3 "$db" "SELECT count(*) FROM scans")" -ge $((scans + 4)) ] && break
    sleep 0.05
done
expect_equal "resolver records each scan" "$(sqlite3 "$db" "SELECT count(*) FROM scans")" $((scans + 4))
expect_equal "resolver, the GTIN alone" "$(get /01/08931234567897 -H "$json")" "200 application/json"
get /01/08931234567897/10/L1/21/NEVERISSUE -H "$json" >/dev/null
grep -q '"verdict":"unknown"' "$scratch/body" && pass || fail "resolver: a serial never issued is unknown: $(cat "$scratch/body")"
# A lot of set 82 characters a URI must encode resolves from its label's URI,
# the resolver decoding each value of the path as sent.
LQ=$(id_of "$(call "$producer" POST /api/v1/products/$PR1/lots '{"code":"Q\"<>%(","produced":"2025-03-01","expires":"2027-03-01"}')")
serialq=$(call "$producer" POST /api/v1/lots/$LQ/serials '{"count":1}' | grep -o '"serial":"[^"]*"' | head -n 1 | cut -d'"' -f4)
expect_equal "resolver, a lot of \"<>%(" "$(get "/01/08931234567897/10/Q%22%3C%3E%25%28/21/$serialq" -H "$json")" "200 application/json"
got=$(cat "$scratch/body")
[[ $got == *'"verdict":"genuine"'* && $got == *'"code":"Q\"<>%("'* ]] &&
    pass || fail "resolver: the lot of \"<>%( is found, genuine: $got"
# A lot of '..' would be a dot segment a phone's browser drops: refused, saying so.
got=$(call "$producer" POST /api/v1/products/$PR1/lots '{"code":".."}')
[[ $got == '422 '*'"field":"code"'*"a browser drops a '.' or '..' path segment"* ]] &&
    pass || fail "a lot of '..' is refused, saying why: $got"
expect_equal "resolver, another producer's GTIN" "$(get /01/00000096385074 -H "$json")" "200 application/json"
expect_equal "resolver, a GTIN not registered" "$(get /01/04006381333931 -H "$json")" "404 application/json"
expect_equal "resolver, a bad check digit" "$(get /01/08931234567895 -H "$json")" "400 application/json"
expect_equal "certificate page, JSON" "$(get /c/OCOP-API-0001 -H "$json")" "200 application/json"
grep -q '"number":"OCOP-API-0001"' "$scratch/body" && grep -q '"status":"valid"' "$scratch/body" &&
    pass || fail "certificate page: number and status: $(cat "$scratch/body")"
get /c/OCOP-API-0003 -H "$json" >/dev/null
grep -q '"status":"revoked"' "$scratch/body" && pass || fail "certificate page: the revoked one says so"
expect_equal "certificate page, HTML" "$(get /c/OCOP-API-0002)" "200 text/html; charset=utf-8"
grep -q 'CÒN HIỆU LỰC' "$scratch/body" && grep -q 'HTX Hai' "$scratch/body" &&
    pass || fail "certificate page: status and producer in the HTML"
expect_equal "certificate page, unknown number" "$(get /c/OCOP-NONE -H "$json")" "404 application/json"
expect_equal "certificate page, unknown number: error" "$(error_of "$scratch/body")" "not_found number"

finish
