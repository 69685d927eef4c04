#!/usr/bin/env bash
# `make run`: the service on 127.0.0.1:8080 with an embedded SQLite database
# in var/ and demo data (a producer, a product, a lot with serials, an OCOP
# certificate signed with a demo issuer key, a dossier waiting for the
# commune), a token for each role, and the URLs to try. Tokens are kept in var/demo-tokens (mode 0600) so a second
# run shows them again.
set -eu
cd "$(dirname "$0")/.."
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
LISTEN=${LISTEN:-127.0.0.1:8080}
var=${VAR:-var} # where the demo keeps its state
DEMO_PASSWORD=ocop-demo-2025 # the demo users' password for the web pages
db=$var/ocoptrace.db
tokens=$var/demo-tokens
conf=$var/ocoptrace.conf
mkdir -p "$var"
if [ ! -s "$var/issuer.key" ]; then
    "$OCOPTRACE" keys generate --out "$var/issuer.key" >"$var/issuer.pub"
fi
# The shipped scoring sheets, and a practice sheet (not the decision's text:
# no official one is complete yet) so that the council's page can be tried.
mkdir -p "$var/criteria"
cp templates/criteria/*.criteria tests/criteria/fixture-food.criteria "$var/criteria/"
[ -s "$conf" ] || printf '[certificates]\nkey = %s\n[criteria]\ndir = %s\n' "$var/issuer.key" \
    "$var/criteria" >"$conf"

"$OCOPTRACE" serve --config "$conf" --db "$db" --listen "$LISTEN" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://$LISTEN/healthz" && break
    kill -0 $server 2>/dev/null || { echo "ocoptrace: the service did not start" >&2; exit 1; }
    sleep 0.1
done

if [ ! -s "$tokens" ]; then
    umask 077
    admin=$(echo "$DEMO_PASSWORD" | "$OCOPTRACE" user add --role admin --password demo-admin --db "$db" | tail -n 1)
    officer=$(echo "$DEMO_PASSWORD" | "$OCOPTRACE" user add --role officer --password demo-officer --db "$db" | tail -n 1)
    api() { curl -s -H "Authorization: Bearer $admin" -X POST --data-binary "$2" "http://$LISTEN/api/v1$1"; }
    id() { grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2; }
    producer=$(api /producers '{"name":"HTX Thủy sản Hàm Tiến","address":"Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận","kind":"cooperative","phone":"0252 3847 123","locality":"Phan Thiết"}' | id)
    product=$(api /products "{\"producer_id\":$producer,\"name\":\"Nước mắm Phan Thiết 40 độ đạm\",\"group\":\"food\",\"gtin\":\"08931234567897\",\"net_quantity\":\"500 ml\",\"ingredients\":\"Cá cơm, muối biển\",\"origin\":\"Việt Nam\",\"usage\":\"Dùng trực tiếp hoặc pha chấm\",\"storage\":\"Nơi khô ráo, thoáng mát\"}" | id)
    lot=$(api /products/$product/lots '{"code":"L2025A","produced":"2025-03-01","expires":"2027-03-01"}' | id)
    serial=$(api /lots/$lot/serials '{"count":24}' | grep -o '"uri":"[^"]*"' | head -n 1 | cut -d'"' -f4)
    certificate=$(curl -s -H "Authorization: Bearer $officer" -X POST --data-binary '{"number":"OCOP-BTh-2025-0042","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}' "http://$LISTEN/api/v1/products/$product/evaluations" | id)
    producer_token=$(echo "$DEMO_PASSWORD" | "$OCOPTRACE" user add --role producer --producer "$producer" --password demo-producer --db "$db" | tail -n 1)
    add_user() { echo "$DEMO_PASSWORD" | "$OCOPTRACE" user add --password "$@" --db "$db" | tail -n 1; }
    commune=$(add_user --role commune demo-commune)
    council=$(add_user --role council --chair demo-council-1)
    add_user --role council demo-council-2 >/dev/null
    add_user --role council demo-council-3 >/dev/null
    # A dossier for a second product, submitted with its form and one file.
    as() { curl -s -H "Authorization: Bearer $1" -X "$2" --data-binary "$4" "http://$LISTEN/api/v1$3"; }
    second=$(api /products "{\"producer_id\":$producer,\"name\":\"Mắm ruốc Hàm Tiến\",\"group\":\"food\",\"net_quantity\":\"200 g\",\"ingredients\":\"Ruốc, muối\",\"origin\":\"Việt Nam\"}" | id)
    dossier=$(as "$producer_token" POST /dossiers "{\"product_id\":$second,\"sheet\":\"fixture-food\",\"form\":{\"representative\":\"Trần Thị Hoa\",\"phone\":\"0252 3847 123\",\"address\":\"Khu phố 5, phường Hàm Tiến\",\"description\":\"Mắm ruốc ủ chượp 6 tháng trong chum sành\",\"raw_materials\":\"Ruốc biển Hàm Tiến\",\"production_capacity\":\"3 tấn/năm\",\"markets\":\"Chợ Phan Thiết, siêu thị Co.opmart\"}}" | id)
    printf '%%PDF-1.4\n%% demo\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' >"$var/ban-cong-bo.pdf"
    curl -s -H "Authorization: Bearer $producer_token" --data-binary "@$var/ban-cong-bo.pdf" \
        "http://$LISTEN/api/v1/dossiers/$dossier/files?name=ban-cong-bo.pdf&kind=standard" >/dev/null
    as "$producer_token" POST "/dossiers/$dossier/submit" '' >/dev/null
    {
        echo "admin $admin"
        echo "officer $officer"
        echo "producer $producer_token"
        echo "commune $commune"
        echo "council $council"
        echo "scan ${serial#https://truyxuatsanphambinhthuan.vn}"
        echo "certificate $certificate"
    } >"$tokens"
fi

scan=$(awk '$1 == "scan" { print $2 }' "$tokens")
certificate=$(awk '$1 == "certificate" { print $2 }' "$tokens")
officer=$(awk '$1 == "officer" { print $2 }' "$tokens")
cat <<INFO

ocoptrace is running on http://$LISTEN/ with $db (Ctrl-C stops it).

  web pages        http://$LISTEN/sign-in
                   demo-producer, demo-officer or demo-admin, password $DEMO_PASSWORD
                   dossiers: demo-commune, demo-council-1 (the chair), -2 and -3,
                   the same password (scoring on a practice sheet, not the decision's)

  health           http://$LISTEN/healthz
  metrics          http://$LISTEN/metrics
  a unit's page    http://$LISTEN${scan%%\?*}
  its JSON         curl -H 'Accept: application/json' http://$LISTEN${scan%%\?*}
  its certificate  http://$LISTEN/c/OCOP-BTh-2025-0042
  certificate PDF  curl -H "Authorization: Bearer $officer" -o cert.pdf http://$LISTEN/api/v1/certificates/$certificate.pdf
  issuer's key     $(cat "$var/issuer.pub") (ocoptrace certificate verify --pub ...)

API tokens (Authorization: Bearer TOKEN):
$(awk '$1 != "scan" && $1 != "certificate" { printf "  %-9s %s\n", $1, $2 }' "$tokens")

  curl -H "Authorization: Bearer $officer" http://$LISTEN/api/v1/products

INFO
wait $server
