#!/usr/bin/env bash
# The scan page worth opening, over a real socket: product photos uploaded
# as PNG and JPEG (made by rsvg-convert and pdftoppm around the product's
# own QR code, so that zbarimg reading the served photo proves it decodes
# and kept its detail when scaled), the size read from the served JPEG's
# own header, cache headers and ETag; refusals (not an image, the wrong
# type, cut short, over 2 MB, decompression bombs declaring too many
# pixels) each named and storing nothing; owners, the list, deletion and
# the limit per product. Then the story, the English name and where to buy:
# their rules, and the page in Vietnamese or English by Accept-Language
# (q-values) and ?lang=.
suite=cli-photos
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
db=$scratch/photos.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES ('HTX Yến sào', 'Xã Hàm Mỹ', 'cooperative'), ('HTX Nước mắm', 'Phan Thiết', 'cooperative')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
producer2=$("$OCOPTRACE" user add --role producer --producer 2 htxhai --db "$db" | tail -n 1)
start_daemon "$db"
details='"net_quantity":"100 g","ingredients":"Yến sào","origin":"Việt Nam","usage":"Chưng","storage":"Khô ráo"'
call "$producer" POST /api/v1/products "{\"name\":\"Yến sào Hàm Mỹ\",\"group\":\"food\",\"gtin\":\"08931234567897\",$details}" >/dev/null
call "$producer2" POST /api/v1/products "{\"name\":\"Nước mắm Phan Thiết\",\"group\":\"food\",\"gtin\":\"08931234567880\",$details}" >/dev/null
count() { sqlite3 "$db" "$1"; }
photos() { count 'SELECT count(*) FROM product_photos'; }
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
# upload TOKEN PRODUCT TYPE FILE: "STATUS BODY"
upload() {
    local type=(-H "Content-Type: $3") # empty: curl sends none
    call "$1" POST "/api/v1/products/$2/photos" "@$4" "${type[@]}"
}

# ---------- images to upload ----------

curl -s -H "Authorization: Bearer $producer" -o qr.svg "$base/api/v1/products/1/qr.svg"
rsvg-convert -w 400 qr.svg -o qr.png
uri=$(decode qr.png)
[[ $uri == https://*/01/08931234567897 ]] && pass || fail "the product's code reads: '$uri'"
# 3000x2000 with the code in the middle, as PNG and (by way of a PDF) JPEG.
frame=(-w 1400 -h 1400 --page-width 3000 --page-height 2000 --left 800 --top 300 -b '#e8f0e0')
rsvg-convert "${frame[@]}" qr.svg -o photo.png
rsvg-convert -f pdf "${frame[@]}" qr.svg -o photo.pdf
pdftoppm -jpeg -scale-to-x 2400 -scale-to-y 1600 -singlefile photo.pdf photo
rsvg-convert -w 600 -h 400 qr.svg -o small.png
# PNGs written byte by byte: bombs (tiny, declaring huge sizes), a large
# one of one colour (allowed: decoded row by row), interlaced ones.
/usr/bin/python3 - <<'EOF'
import struct, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
def png(name, w, h, interlace=0, rows=None):
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, interlace)
    z = zlib.compressobj(9)
    data = b""
    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        for x0, y0, dx, dy in passes:
            pw, ph = (w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy
            if pw and ph:
                row = b"\0" + b"\xc0\x20\x20" * pw
                for _ in range(ph):
                    data += z.compress(row)
    else:
        row = b"\0" + b"\0" * (3 * w)
        for _ in range(h if rows is None else rows):
            data += z.compress(row)
    data += z.flush()
    open(name, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
png("bomb.png", 50000, 50000, rows=64)
png("wide.png", 10001, 10)
png("many.png", 8000, 6000, rows=64)
png("dark.png", 4000, 3000)
png("interlaced.png", 3000, 2000, interlace=1)
png("interlaced-big.png", 4000, 3000, interlace=1)
open("big.bin", "wb").write(b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024 + 100))
open("text.txt", "w").write("this is not an image\n")
EOF
head -c $(($(stat -c %s photo.png) / 2)) photo.png >cut.png
head -c $(($(stat -c %s photo.jpg) / 2)) photo.jpg >cut.jpg
# jpeg_size FILE: "WIDTHxHEIGHT" from the JPEG's own frame header.
jpeg_size() {
    /usr/bin/python3 - "$1" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:2] == b"\xff\xd8", "not a JPEG"
i = 2
while i < len(b):
    marker, length = b[i + 1], struct.unpack(">H", b[i + 2:i + 4])[0]
    if marker in (0xC0, 0xC1, 0xC2):
        h, w = struct.unpack(">HH", b[i + 5:i + 9])
        print(f"{w}x{h}")
        break
    i += 2 + length
EOF
}

# ---------- accepted ----------

got=$(upload "$producer" 1 image/png photo.png)
expect_equal "a PNG of 3000x2000: 201" "${got%% *}" 201
expect_equal "its size, as stored and as sent" \
    "$(json '"%(width)sx%(height)s from %(source_width)sx%(source_height)s" % d' <<<"${got#* }")" "1080x720 from 3000x2000"
png_id=$(json 'd["id"]' <<<"${got#* }")
expect_equal "its URL" "$(json 'd["url"]' <<<"${got#* }")" "https://truyxuatsanphambinhthuan.vn/photos/$png_id.jpg"
headers=$(curl -s -D - -o served.jpg "$base/photos/$png_id.jpg" | tr -d '\r')
grep -qx 'HTTP/1.1 200 OK' <<<"$headers" && pass || fail "GET /photos/$png_id.jpg: $headers"
grep -qx 'Content-Type: image/jpeg' <<<"$headers" && pass || fail "served as image/jpeg: $headers"
grep -qx 'Cache-Control: public, max-age=31536000, immutable' <<<"$headers" && pass || fail "cached for a year: $headers"
etag=$(sed -n 's/^ETag: //p' <<<"$headers")
[[ $etag =~ ^\"[0-9a-f]{32}\"$ ]] && pass || fail "a strong ETag: '$etag'"
expect_equal "the served photo is a JPEG of 1080x720" "$(jpeg_size served.jpg)" 1080x720
expect_equal "the served photo decodes: the code in it reads" "$(decode served.jpg)" "$uri"
expect_equal "If-None-Match: 304" "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/photos/$png_id.jpg")" 304
expect_equal "another ETag: 200" "$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "x"' "$base/photos/$png_id.jpg")" 200
expect_equal "HEAD: 200, no body" "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$base/photos/$png_id.jpg")" "200 0"

got=$(upload "$producer" 1 image/jpeg photo.jpg)
expect_equal "a JPEG of 2400x1600: 201" "${got%% *} $(json '"%(width)sx%(height)s" % d' <<<"${got#* }")" "201 1080x720"
jpg_id=$(json 'd["id"]' <<<"${got#* }")
curl -s -o served2.jpg "$base/photos/$jpg_id.jpg"
expect_equal "the JPEG's photo decodes: the code in it reads" "$(decode served2.jpg)" "$uri"
got=$(upload "$producer" 1 'image/png; charset=binary' small.png)
expect_equal "a small PNG keeps its size (600x400)" "${got%% *} $(json '"%(width)sx%(height)s" % d' <<<"${got#* }")" "201 600x400"
got=$(upload "$admin" 1 image/png dark.png)
expect_equal "4000x3000 of one colour (35 KB), decoded row by row" "${got%% *} $(json '"%(width)sx%(height)s" % d' <<<"${got#* }")" "201 1080x810"
got=$(upload "$producer" 1 image/png interlaced.png)
expect_equal "an interlaced PNG of 3000x2000" "${got%% *} $(json '"%(width)sx%(height)s" % d' <<<"${got#* }")" "201 1080x720"
curl -s -o interlaced.jpg "$base/photos/$(json 'd["id"]' <<<"${got#* }").jpg"
expect_equal "its photo is a JPEG of 1080x720" "$(jpeg_size interlaced.jpg)" 1080x720

# ---------- refused, nothing stored ----------

before=$(photos)
sequence=$(count "SELECT seq FROM sqlite_sequence WHERE name = 'product_photos'")
while IFS='|' read -r name type file want words; do
    got=$(upload "$producer" 1 "$type" "$file")
    if [ "${got%% *}" = "$want" ] && [[ $got == *"$words"* ]] && [[ $got == *'"field":"'* ]]; then
        pass
    else
        fail "$name: want $want saying '$words': ${got:0:300}"
    fi
done <<'ROWS'
text as a PNG|image/png|text.txt|400|not a PNG image
text as a JPEG|image/jpeg|text.txt|400|not a JPEG image
a PNG sent as a JPEG|image/jpeg|photo.png|400|not a JPEG image
a JPEG sent as a PNG|image/png|photo.jpg|400|not a PNG image
a PNG cut short|image/png|cut.png|400|not a PNG image
a JPEG cut short|image/jpeg|cut.jpg|400|damaged or cut short
a PNG as text/plain|text/plain|photo.png|415|'image/jpeg' or 'image/png'
no Content-Type||photo.png|415|'image/jpeg' or 'image/png'
over 2 MB|image/png|big.bin|413|at most 2 MB
a bomb declaring 50000x50000|image/png|bomb.png|422|declares 50000x50000 pixels
a side over 10000|image/png|wide.png|422|at most 10000 on a side
48 megapixels|image/png|many.png|422|40 megapixels
interlaced, 12 megapixels|image/png|interlaced-big.png|422|an interlaced PNG has at most 10000 on a side and 8 megapixels
ROWS
got=$(call "$producer" POST /api/v1/products/1/photos '' -H 'Content-Type: image/png')
expect_equal "an empty body: 400" "${got%% *}" 400
expect_equal "a producer's photo of another's product: 403" "$(upload "$producer2" 1 image/png small.png | head -c 3)" 403
expect_equal "without a token: 401" "$(upload '' 1 image/png small.png | head -c 3)" 401
expect_equal "no such product: 404" "$(upload "$admin" 9 image/png small.png | head -c 3)" 404
expect_equal "refusals store nothing" "$(photos)" "$before"
expect_equal "refusals take no id" "$(count "SELECT seq FROM sqlite_sequence WHERE name = 'product_photos'")" "$sequence"
expect_equal "the daemon still answers" "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" 200

# ---------- the list, deletion, the limit ----------

got=$(call "$producer" GET /api/v1/products/1/photos)
expect_equal "the owner's list" "${got%% *} $(json 'len(d["photos"])' <<<"${got#* }")" "200 $before"
expect_equal "another producer's list: 403" "$(status "$producer2" GET /api/v1/products/1/photos)" 403
expect_equal "another producer's deletion: 403" "$(status "$producer2" DELETE "/api/v1/photos/$jpg_id")" 403
expect_equal "the owner's deletion: 200" "$(status "$producer" DELETE "/api/v1/photos/$jpg_id")" 200
expect_equal "a deleted photo: 404" "$(curl -s -o /dev/null -w '%{http_code}' "$base/photos/$jpg_id.jpg")" 404
expect_equal "deleted again: 404" "$(status "$producer" DELETE "/api/v1/photos/$jpg_id")" 404
for path in /photos/0.jpg /photos/01.jpg "/photos/$png_id.png" "/photos/$png_id" /photos/x.jpg; do
    expect_equal "GET $path: 404" "$(curl -s -o /dev/null -w '%{http_code}' "$base$path")" 404
done
while [ "$(photos)" -lt 8 ]; do upload "$producer" 1 image/png small.png >/dev/null; done
last=$(count 'SELECT max(id) FROM product_photos')
[ "$last" -gt "$jpg_id" ] && pass || fail "a new photo gets a new id, never a deleted one's"
got=$(upload "$producer" 1 image/png small.png)
[[ $got == 409*"at most 8 photos"* ]] && pass || fail "a ninth photo: 409: $got"
expect_equal "the ninth is not stored" "$(photos)" 8

# ---------- the story, the English name, where to buy ----------

story=$'Yến được khai thác tự nhiên tại đảo Hòn Khô.\nMỗi tổ được làm sạch thủ công.'
body=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"story": sys.argv[1], "story_en": "Wild swiftlet nests from Hon Kho island.", "name_en": "Ham My bird'"'"'s nest", "where_to_buy": [{"title": "Cửa hàng HTX", "href": "https://htx.example.vn/mua?sp=1&kg=2"}, {"title": "Sàn OCOP", "href": "https://ocop.example.vn/p/1"}]}, ensure_ascii=False))' "$story")
expect_equal "story, English and where to buy: 200" "$(status "$producer" PATCH /api/v1/products/1 "$body")" 200
long=$(printf 'a%.0s' $(seq 1 4001))
nine=$(/usr/bin/python3 -c 'import json; print(json.dumps({"where_to_buy": [{"title": "t", "href": "https://a.vn/"}] * 9}))')
while IFS='|' read -r name change want field; do
    got=$(call "$producer" PATCH /api/v1/products/1 "$change")
    if [ "${got%% *}" = "$want" ] && [[ $got == *"\"field\":\"$field\""* ]]; then pass; else fail "$name: want $want on '$field': $got"; fi
done <<ROWS
an http: link|{"where_to_buy":[{"title":"t","href":"http://shop.vn/"}]}|422|where_to_buy[0].href
a javascript: link|{"where_to_buy":[{"title":"t","href":"javascript:alert(1)"}]}|422|where_to_buy[0].href
https: without a host|{"where_to_buy":[{"title":"t","href":"https:///x"}]}|422|where_to_buy[0].href
a link with a quote|{"where_to_buy":[{"title":"t","href":"https://a.vn/\\"x"}]}|422|where_to_buy[0].href
the second link bad|{"where_to_buy":[{"title":"t","href":"https://a.vn/"},{"title":"t","href":"ftp://a.vn/"}]}|422|where_to_buy[1].href
a link without a title|{"where_to_buy":[{"href":"https://a.vn/"}]}|422|where_to_buy[0].title
an empty title|{"where_to_buy":[{"title":"","href":"https://a.vn/"}]}|422|where_to_buy[0].title
an unknown key in a link|{"where_to_buy":[{"title":"t","href":"https://a.vn/","x":1}]}|400|where_to_buy[0].x
a link that is text|{"where_to_buy":["https://a.vn/"]}|400|where_to_buy[0]
not a list|{"where_to_buy":"https://a.vn/"}|400|where_to_buy
nine links|$nine|422|where_to_buy
the same shop twice|{"where_to_buy":[{"title":"a","href":"https://a.vn/"},{"title":"b","href":"https://a.vn/"}]}|422|where_to_buy[1].href
a link not percent-encoded|{"where_to_buy":[{"title":"t","href":"https://a.vn/mắm"}]}|422|where_to_buy[0].href
a title over 120 bytes|{"where_to_buy":[{"title":"$(printf 't%.0s' $(seq 1 121))","href":"https://a.vn/"}]}|422|where_to_buy[0].title
a story over 4000 bytes|{"story":"$long"}|422|story
an English name on two lines|{"name_en":"a\\nb"}|422|name_en
ROWS
got=$(call "$producer" GET /api/v1/products/1)
expect_equal "refused changes change nothing" "$(json '(d["story"], d["name_en"], len(d["where_to_buy"]))' <<<"${got#* }")" \
    "($(/usr/bin/python3 -c 'import sys; print(repr(sys.argv[1]))' "$story"), \"Ham My bird's nest\", 2)"
expect_equal "a new product with a story: 201" "$(status "$producer" POST /api/v1/products "{\"name\":\"Yến chưng\",\"group\":\"food\",\"gtin\":\"08931234567873\",$details,\"story\":\"Chỉ tiếng Việt.\"}")" 201

# ---------- the page: languages, photos, story, where to buy ----------

# page ACCEPT-LANGUAGE [QUERY]: the page's headers and body, into page.txt.
page() {
    local lang=()
    [ -n "$1" ] && lang=(-H "Accept-Language: $1")
    curl -s -D - "${lang[@]}" "$base/01/08931234567897${2:-}" | tr -d '\r' >page.txt
}
page_lang() { sed -n 's/^<html lang="\([a-z]*\)">$/\1/p' page.txt; }
while IFS='|' read -r header query want; do
    page "$header" "$query"
    got="$(page_lang) $(sed -n 's/^Content-Language: //p' page.txt)"
    expect_equal "Accept-Language '$header' ${query:-}" "$got" "$want $want"
done <<'ROWS'
||vi
en||en
en-US,en;q=0.9||en
EN-gb||en
vi;q=0.5, en;q=0.6||en
en;q=0.4, vi||vi
fr||vi
fr, en;q=0.1||en
de, en;q=0.5, vi;q=0.5||en
de, vi;q=0.5, en;q=0.5||vi
en;q=0||vi
en;q=2||vi
*||vi
en|?lang=vi|vi
vi|?lang=en|en
en|?lang=fr|en
ROWS
page ""
grep -qx 'Vary: Accept, Accept-Language' page.txt && pass || fail "the page varies by Accept and Accept-Language"
grep -q '<h1>Yến sào Hàm Mỹ</h1>' page.txt && pass || fail "Vietnamese: the name"
grep -q '<a href="?lang=en" hreflang="en" lang="en">English</a>' page.txt && pass || fail "Vietnamese: a switch to English"
grep -q 'Câu chuyện sản phẩm' page.txt && grep -q 'Yến được khai thác tự nhiên tại đảo Hòn Khô.' page.txt && pass || fail "Vietnamese: the story"
grep -q 'Mua ở đâu' page.txt && pass || fail "Vietnamese: where to buy"
grep -q '<a rel="nofollow noopener" href="https://htx.example.vn/mua?sp=1&amp;kg=2">Cửa hàng HTX</a>' page.txt && pass || fail "where to buy: the link, escaped"
imgs=$(grep -o '<img src="/photos/[0-9]*.jpg" width="[0-9]*" height="[0-9]*"[^>]*>' page.txt | wc -l)
expect_equal "every photo an img with its size" "$imgs" 8
grep -q "<img src=\"/photos/$png_id.jpg\" width=\"1080\" height=\"720\" alt=\"Yến sào Hàm Mỹ\">" page.txt && pass || fail "the first photo, loaded at once"
expect_equal "the others load when scrolled to" "$(grep -o 'loading="lazy"' page.txt | wc -l)" 7
page "en-US,en;q=0.9"
grep -q "<h1>Ham My bird&#39;s nest</h1>" page.txt && pass || fail "English: the English name"
grep -q 'Wild swiftlet nests from Hon Kho island.' page.txt && ! grep -q 'Hòn Khô' page.txt && pass || fail "English: the English story only"
grep -q 'Where to buy' page.txt && grep -q '<dt>Producer</dt>' page.txt && grep -q 'OCOP product traceability' page.txt && pass || fail "English: the fixed words"
grep -q '<a href="?lang=vi" hreflang="vi" lang="vi">Tiếng Việt</a>' page.txt && pass || fail "English: a switch to Vietnamese"
! grep -q 'Nhà sản xuất' page.txt && pass || fail "English: no Vietnamese fixed words"
curl -s -H 'Accept-Language: en' "$base/01/08931234567873" >page.txt
grep -q '<h1>Yến chưng</h1>' page.txt && grep -q 'Chỉ tiếng Việt.' page.txt && grep -q 'The product&#39;s story' page.txt && pass ||
    fail "English without an English name or story: the Vietnamese ones"
curl -s -H 'Accept-Language: en' "$base/01/08931234567880" >page.txt
grep -q 'class="card story story-off"' page.txt && grep -q '<section class="photos" aria-label="Product photos"></section>' page.txt && pass ||
    fail "no story, no photos: their sections are empty (hidden)"
headers=$(curl -s -D - -o /dev/null -H 'Accept: application/json' "$base/01/08931234567897" | tr -d '\r')
grep -qx 'Vary: Accept, Accept-Language' <<<"$headers" && pass || fail "the JSON answer varies too: $headers"
call '' PATCH /api/v1/products/1 '{"story":"<script>alert(1)</script>"}' >/dev/null
call "$producer" PATCH /api/v1/products/1 '{"story":"<script>x</script> & \"q\""}' >/dev/null
page ""
grep -q '&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;' page.txt && ! grep -q '<script>' page.txt && pass || fail "the story is escaped"

# ---------- where to buy is the product's links ----------

# One place for a shop: where_to_buy is written as the product's links of
# gs1:purchaseSuggestion, which the resolver answers and the page shows
# (with gs1:hasRetailers), in the page's language when a link is in it.
code=/01/08931234567897
links() { call "$producer" GET /api/v1/products/1/links | cut -d' ' -f2- | json '" ".join(l["link_type"] + "|" + l["lang"] + "|" + l["href"] for l in d["links"])'; }
# buttons ACCEPT-LANGUAGE: the hrefs of the page's where-to-buy buttons.
buttons() { curl -s -H "Accept-Language: $1" "$base$code" | grep -o '<li><a rel="nofollow noopener" href="[^"]*"' | sed 's/.*href="//; s/"$//' | tr '\n' ' ' | sed 's/ $//'; }
wtb() { call "$producer" GET /api/v1/products/1 | cut -d' ' -f2- | json '" ".join(l["href"] for l in d["where_to_buy"])'; }
expect_equal "where_to_buy is kept as the product's links" "$(links)" \
    "gs1:purchaseSuggestion|vi|https://htx.example.vn/mua?sp=1&kg=2 gs1:purchaseSuggestion|vi|https://ocop.example.vn/p/1"
expect_equal "and not in details" "$(count "SELECT json_type(details, '\$.where_to_buy') IS NULL FROM products WHERE id = 1")" 1
got=$(curl -s -H 'Accept: application/linkset+json' "$base$code" | json '" ".join(t["href"] for t in d["linkset"][0]["https://gs1.org/voc/purchaseSuggestion"])')
expect_equal "where_to_buy in the linkset" "$got" "https://htx.example.vn/mua?sp=1&kg=2 https://ocop.example.vn/p/1"
expect_equal "where_to_buy by linkType: 307 to the first" \
    "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$base$code?linkType=gs1:purchaseSuggestion")" "307 https://htx.example.vn/mua?sp=1&kg=2"

# Links added through /links: a retailer shows, a review does not.
retailer=$(call "$producer" POST /api/v1/products/1/links '{"link_type":"gs1:hasRetailers","href":"https://cho.example.vn/yen","title":"Chợ Phan Thiết"}' | cut -d' ' -f2- | json 'd["id"]')
call "$producer" POST /api/v1/products/1/links '{"link_type":"gs1:review","href":"https://review.example.vn/yen"}' >/dev/null
curl -s "$base$code" >page.txt
grep -q '<li><a rel="nofollow noopener" href="https://cho.example.vn/yen">Chợ Phan Thiết</a></li>' page.txt && pass || fail "a retailer added through /links is on the page"
# The page's language: its links when it has some, else all of them.
while IFS='|' read -r step languages want; do
    [ "$step" = "shop in English" ] && call "$producer" POST /api/v1/products/1/links '{"link_type":"gs1:purchaseSuggestion","href":"https://shop.example.com/bird-nest","title":"Shop","lang":"en"}' >/dev/null
    expect_equal "$step: the page for '$languages'" "$(buttons "$languages")" "$want"
done <<'ROWS'
all in Vietnamese|vi|https://htx.example.vn/mua?sp=1&amp;kg=2 https://ocop.example.vn/p/1 https://cho.example.vn/yen
all in Vietnamese|en|https://htx.example.vn/mua?sp=1&amp;kg=2 https://ocop.example.vn/p/1 https://cho.example.vn/yen
shop in English|en|https://shop.example.com/bird-nest
shop in English|en-GB;q=0.9|https://shop.example.com/bird-nest
shop in English|vi|https://htx.example.vn/mua?sp=1&amp;kg=2 https://ocop.example.vn/p/1 https://cho.example.vn/yen
ROWS
got=$(curl -s -H 'Accept: application/json' "$base$code" | json '" ".join(l["link_type"] + "|" + l["lang"] for l in d["product"]["where_to_buy"])')
expect_equal "the JSON answer: where to buy with type and language" "$got" \
    "gs1:purchaseSuggestion|vi gs1:purchaseSuggestion|vi gs1:hasRetailers|vi gs1:purchaseSuggestion|en"
expect_equal "GET product: where_to_buy is the purchaseSuggestion links" "$(wtb)" \
    "https://htx.example.vn/mua?sp=1&kg=2 https://ocop.example.vn/p/1 https://shop.example.com/bird-nest"

# PATCH where_to_buy replaces the purchaseSuggestion links, whatever their
# language, and no other.
expect_equal "PATCH where_to_buy" "$(status "$producer" PATCH /api/v1/products/1 '{"where_to_buy":[{"title":"Cửa hàng mới","href":"https://moi.example.vn/yen"}]}')" 200
expect_equal "the other links stay" "$(links)" \
    "gs1:hasRetailers|vi|https://cho.example.vn/yen gs1:review|vi|https://review.example.vn/yen gs1:purchaseSuggestion|vi|https://moi.example.vn/yen"
expect_equal "the page follows" "$(buttons vi)" "https://cho.example.vn/yen https://moi.example.vn/yen"
expect_equal "so does the redirect" "$(curl -s -o /dev/null -w '%{redirect_url}' "$base$code?linkType=gs1:purchaseSuggestion")" "https://moi.example.vn/yen"
# A deleted link leaves the page.
expect_equal "delete the retailer" "$(status "$producer" DELETE /api/v1/links/$retailer)" 204
expect_equal "it left the page" "$(buttons vi)" "https://moi.example.vn/yen"
# What details once held under where_to_buy is never read.
sqlite3 "$db" "UPDATE products SET details = json_set(details, '\$.where_to_buy', json('[{\"title\":\"Cũ\",\"href\":\"https://cu.example.vn/\"}]')) WHERE id = 1"
expect_equal "an old details.where_to_buy: not in GET" "$(wtb)" "https://moi.example.vn/yen"
expect_equal "nor on the page" "$(buttons vi)" "https://moi.example.vn/yen"
! curl -s -H 'Accept: application/json' "$base$code" | grep -q cu.example.vn && pass || fail "nor in the JSON answer"
expect_equal "PATCH an empty list: no shop" "$(status "$producer" PATCH /api/v1/products/1 '{"where_to_buy":[]}') $(buttons vi)" "200 "

# POST with where_to_buy; the product and its links change together: past
# the 20 links a product keeps, neither is changed.
got=$(call "$producer2" POST /api/v1/products "{\"name\":\"Mắm ruốc\",\"group\":\"food\",$details,\"where_to_buy\":[{\"title\":\"Cửa hàng\",\"href\":\"https://hai.example.vn/mam\"}]}")
id=$(json 'd["id"]' <<<"${got#* }")
expect_equal "POST with where_to_buy" "${got%% *} $(json '[l["href"] for l in d["where_to_buy"]]' <<<"${got#* }")" "201 ['https://hai.example.vn/mam']"
expect_equal "kept as a link" "$(count "SELECT link_type || ' ' || href || ' ' || lang FROM product_links WHERE product_id = $id")" "gs1:purchaseSuggestion https://hai.example.vn/mam vi"
for i in $(seq 1 19); do
    call "$producer2" POST /api/v1/products/$id/links "{\"link_type\":\"gs1:faqs\",\"href\":\"https://hai.example.vn/faq/$i\"}" >/dev/null
done
got=$(call "$producer2" PATCH /api/v1/products/$id '{"name":"Đổi tên","where_to_buy":[{"title":"a","href":"https://a.vn/1"},{"title":"b","href":"https://a.vn/2"}]}')
[[ $got == 422*'"field":"where_to_buy"'* ]] && pass || fail "past 20 links: 422 on where_to_buy: $got"
expect_equal "neither the product nor its links changed" \
    "$(count "SELECT name FROM products WHERE id = $id") $(count "SELECT count(*) FROM product_links WHERE product_id = $id") $(count "SELECT count(*) FROM product_links WHERE product_id = $id AND href = 'https://hai.example.vn/mam'")" "Mắm ruốc 20 1"
finish
