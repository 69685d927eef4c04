#!/usr/bin/env bash
# `ocoptrace stamps` and GET /api/v1/lots/{id}/stamps.pdf as a producer uses
# them: every stamp sheet rendered, every stamp cut out of its page at 600
# dpi and its QR code decoded (dmtxread for Data Matrix) against the
# serials file; the serial, the short name and the caption read back with
# pdftotext; the OCOP mark's letters and stars counted on the rendered page
# while the recognition is valid, and nothing there once it has expired;
# every refusal (a stamp too small for its code, a bad layout, a bad logo)
# exits 2 naming the file, the element and the rule, and writes nothing.
suite=cli-stamps
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3 # Debian's, with PIL

resolver=https://truyxuatsanphambinhthuan.vn
# A resolver short enough for 20 mm stamps, with codes without the expiry.
short=https://truyxuat.binhthuan.vn
caption="Quét mã để truy xuất nguồn gốc"
cat >"$scratch/job.json" <<'EOF'
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "short_name": "Nước mắm Phan Thiết", "group": "food",
               "gtin": "08931234567897", "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển",
               "ocop": {"stars": 4, "valid_until": "2099-06-30"}},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": 10}
}
EOF

# job_with OUT CHANGE...: the job with each change applied (see json_with).
job_with() {
    local out=$1
    shift
    json_with "$scratch/job.json" "$out" "$@"
}

# sheet_value SHEET KEY: a number from the sheet's file.
sheet_value() {
    awk -F' *= *' -v k="$2" '$1 == k { print $2 }' "$root/templates/sheets/$1.sheet"
}

# layout_box LAYOUT ELEMENT: the element's "left top width height" fractions.
layout_box() {
    awk -v e="[$2]" '/^\[/ { inside = $0 == e } inside && $1 == "box" { print $3, $4, $5, $6 }' \
        "$root/templates/layouts/$1.layout"
}

# cut_stamps PDF SHEET DPI: every stamp of every page cut out at DPI, as
# $scratch/stamp-N.png in stamp order; prints how many.
cut_stamps() {
    local pdf=$1 sheet=$2 dpi=$3 pages page
    rm -f "$scratch"/stamp-*.png
    pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
    for page in $(seq 1 "$pages"); do
        pdftoppm -r "$dpi" -f "$page" -l "$page" -gray -singlefile "$pdf" "$scratch/page" 2>/dev/null
        "$PY" - "$scratch/page.pgm" "$scratch" "$dpi" "$(sheet_value "$sheet" left_mm)" \
            "$(sheet_value "$sheet" top_mm)" "$(sheet_value "$sheet" pitch_x_mm)" \
            "$(sheet_value "$sheet" pitch_y_mm)" "$(sheet_value "$sheet" label_width_mm)" \
            "$(sheet_value "$sheet" label_height_mm)" "$(sheet_value "$sheet" columns)" \
            "$(sheet_value "$sheet" rows)" <<'EOF'
import glob, sys
from PIL import Image
page, out, dpi = Image.open(sys.argv[1]), sys.argv[2], float(sys.argv[3])
left, top, px, py, w, h = (float(v) for v in sys.argv[4:10])
cols, rows = int(sys.argv[10]), int(sys.argv[11])
n = len(glob.glob(out + "/stamp-*.png"))
s = dpi / 25.4
for r in range(rows):
    for c in range(cols):
        x, y = (left + c * px) * s, (top + r * py) * s
        n += 1
        page.crop((round(x), round(y), round(x + w * s), round(y + h * s))).save("%s/stamp-%d.png" % (out, n))
EOF
    done
    ls "$scratch"/stamp-*.png 2>/dev/null | wc -l
}

# decode_stamps PDF SHEET [qr|datamatrix]: what each stamp's code holds,
# one line per stamp in order (an empty line when it cannot be read).
decode_stamps() {
    local pdf=$1 sheet=$2 symbol=${3:-qr} n i
    if [ "$symbol" = qr ]; then n=$(cut_stamps "$pdf" "$sheet" 600); else n=$(cut_stamps "$pdf" "$sheet" 300); fi
    for i in $(seq 1 "$n"); do
        if [ "$symbol" = qr ]; then
            zbarimg -q --raw "$scratch/stamp-$i.png" 2>/dev/null || echo
        else
            dmtxread -n -N 1 "$scratch/stamp-$i.png" 2>/dev/null || echo
            echo
        fi
    done | if [ "$symbol" = qr ]; then cat; else grep -v '^$'; fi
}

# blobs PDF SHEET LAYOUT ELEMENT: dark shapes (8-connected) in the
# element's box on the page's first stamp, at 600 dpi.
blobs() {
    local pdf=$1 sheet=$2
    read -r bl bt bw bh < <(layout_box "$3" "$4")
    pdftoppm -r 600 -f 1 -l 1 -gray -singlefile "$pdf" "$scratch/blobs" 2>/dev/null
    "$PY" - "$scratch/blobs.pgm" "$(sheet_value "$sheet" left_mm)" "$(sheet_value "$sheet" top_mm)" \
        "$(sheet_value "$sheet" label_width_mm)" "$(sheet_value "$sheet" label_height_mm)" \
        "$bl" "$bt" "$bw" "$bh" <<'EOF'
import sys
from PIL import Image
page = Image.open(sys.argv[1])
left, top, w, h, bl, bt, bw, bh = (float(v) for v in sys.argv[2:10])
s = 600 / 25.4
box = page.crop((round((left + bl * w) * s), round((top + bt * h) * s),
                 round((left + (bl + bw) * w) * s), round((top + (bt + bh) * h) * s)))
W, H = box.size
px = box.load()
seen, count = set(), 0
for y in range(H):
    for x in range(W):
        if px[x, y] < 128 and (x, y) not in seen:
            count += 1
            stack = [(x, y)]
            seen.add((x, y))
            while stack:
                cx, cy = stack.pop()
                for nx, ny in ((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
                    if 0 <= nx < W and 0 <= ny < H and (nx, ny) not in seen and px[nx, ny] < 128:
                        seen.add((nx, ny))
                        stack.append((nx, ny))
print(count)
EOF
}

# pdf_text PDF: the text in content order, lines joined with spaces.
pdf_text() {
    pdftotext -q -raw "$1" - | tr '\n' ' ' | tr -s ' '
}

# ---------- every stamp sheet: codes, serials, texts ----------

# SHEET LAYOUT ARGS: a full row and one more stamp on A4 sheets, three on rolls.
while read -r sheet layout args; do
    cols=$(sheet_value "$sheet" columns)
    units=$((cols + 1))
    [ "$cols" -eq 1 ] && units=3
    job_with "$scratch/$sheet.json" "lot.units=$units"
    # shellcheck disable=SC2086
    "$OCOPTRACE" stamps --job "$scratch/$sheet.json" --sheet "$sheet" -o "$scratch/$sheet.pdf" \
        --serials "$scratch/$sheet.csv" $args 2>"$scratch/err"
    expect_equal "$sheet: exit" "$?" 0
    expect_equal "$sheet: nothing on stderr" "$(cat "$scratch/err")" ""
    per_page=$((cols * $(sheet_value "$sheet" rows)))
    expect_equal "$sheet: pages" "$(pdfinfo "$scratch/$sheet.pdf" | awk '/^Pages:/ { print $2 }')" \
        $(((units + per_page - 1) / per_page))
    size=$(pdfinfo "$scratch/$sheet.pdf" | awk '/^Page size:/ { printf "%.0f x %.0f", $3 * 25.4 / 72, $5 * 25.4 / 72 }')
    expect_equal "$sheet: page size (mm)" "$size" \
        "$(printf '%.0f x %.0f' "$(sheet_value "$sheet" page_width_mm)" "$(sheet_value "$sheet" page_height_mm)")"
    tail -n +2 "$scratch/$sheet.csv" >"$scratch/rows"
    expect_equal "$sheet: one serial per unit, unique" "$(cut -d, -f1 "$scratch/rows" | sort -u | wc -l)" "$units"
    decode_stamps "$scratch/$sheet.pdf" "$sheet" | head -n "$units" >"$scratch/decoded"
    expect_equal "$sheet: each stamp's code holds its serial's Digital Link" \
        "$(cat "$scratch/decoded")" "$(cut -d, -f2 "$scratch/rows")"
    text=$(pdf_text "$scratch/$sheet.pdf")
    expect_equal "$sheet: the caption on every stamp" "$(grep -o -F "$caption" <<<"$text" | wc -l)" "$units"
    want_names=$units
    [ "$layout" = stamp-small ] && want_names=0
    expect_equal "$sheet: the short name on every stamp ($layout)" \
        "$(grep -o -F "Nước mắm Phan Thiết" <<<"$text" | wc -l)" "$want_names"
    expect_equal "$sheet: the OCOP mark on every stamp" "$(grep -o -F "OCOP" <<<"$text" | wc -l)" "$units"
    missing=0
    while IFS=, read -r serial _; do
        grep -q -F " $serial " <<<" $text " || missing=$((missing + 1))
    done <"$scratch/rows"
    expect_equal "$sheet: each stamp prints its serial" "$missing" 0
done <<EOF
stamp-a4-20x20 stamp-small --base-url $short --no-expiry-in-code
stamp-roll-20x20 stamp-small --base-url $short --no-expiry-in-code
stamp-a4-25x25 stamp-square
stamp-a4-30x20 stamp
stamp-roll-30x20 stamp
stamp-a4-35x22 stamp
stamp-roll-40x30 stamp
EOF
bad=$(tail -n +2 "$scratch/stamp-a4-20x20.csv" | grep -cvE "^([0-9A-HJKMNP-TV-Z]{10}),$short/01/08931234567897/10/L2025A/21/\1$")
expect_equal "--no-expiry-in-code: no ?17= in the code" "$bad" 0
bad=$(tail -n +2 "$scratch/stamp-a4-25x25.csv" | grep -cvE "^([0-9A-HJKMNP-TV-Z]{10}),$resolver/01/08931234567897/10/L2025A/21/\1\?17=270301$")
expect_equal "by default the code holds the expiry" "$bad" 0

# ---------- the OCOP mark: letters and stars while valid, nothing after ----------

expect_equal "4 stars: O, C, O, P and four stars in the mark's box" \
    "$(blobs "$scratch/stamp-a4-30x20.pdf" stamp-a4-30x20 stamp mark)" 8
job_with "$scratch/five.json" "lot.units=2" "product.ocop.stars=5"
"$OCOPTRACE" stamps --job "$scratch/five.json" --sheet stamp-a4-30x20 -o "$scratch/five.pdf"
expect_equal "5 stars: nine shapes" "$(blobs "$scratch/five.pdf" stamp-a4-30x20 stamp mark)" 9
job_with "$scratch/expired.json" "lot.units=2" 'product.ocop.valid_until="2020-01-31"'
"$OCOPTRACE" stamps --job "$scratch/expired.json" --sheet stamp-a4-30x20 -o "$scratch/expired.pdf" \
    2>"$scratch/err"
expect_equal "expired: printed" "$?" 0
grep -q "warning: product.ocop.valid_until: recognition expired on 31/01/2020" "$scratch/err" && pass ||
    fail "expired: the warning says why the mark is left off: $(cat "$scratch/err")"
expect_equal "expired: the mark's box is empty" "$(blobs "$scratch/expired.pdf" stamp-a4-30x20 stamp mark)" 0
grep -q -F "OCOP" <<<"$(pdf_text "$scratch/expired.pdf")" && fail "expired: no 'OCOP' on the page" || pass
expect_equal "expired: the stamps still decode" "$(decode_stamps "$scratch/expired.pdf" stamp-a4-30x20 | grep -c "^$resolver/")" 2
"$OCOPTRACE" stamps --job "$scratch/five.json" --sheet stamp-a4-30x20 -o "$scratch/nomark.pdf" --no-ocop-mark
expect_equal "--no-ocop-mark: the mark's box is empty" "$(blobs "$scratch/nomark.pdf" stamp-a4-30x20 stamp mark)" 0

# ---------- Data Matrix ----------

job_with "$scratch/dm.json" "lot.units=6"
"$OCOPTRACE" stamps --job "$scratch/dm.json" --sheet stamp-a4-35x22 --symbol datamatrix \
    -o "$scratch/dm.pdf" --serials "$scratch/dm.csv"
expect_equal "datamatrix: exit" "$?" 0
expect_equal "datamatrix: each stamp's symbol holds its serial's Digital Link (dmtxread)" \
    "$(decode_stamps "$scratch/dm.pdf" stamp-a4-35x22 datamatrix | head -n 6)" \
    "$(tail -n +2 "$scratch/dm.csv" | cut -d, -f2)"
expect_equal "datamatrix: no QR code" "$(decode_stamps "$scratch/dm.pdf" stamp-a4-35x22 | grep -c .)" 0

# ---------- refusals: exit 2, the lines said, nothing written ----------

# refuse NAME WANT ARGS...: the stamps of the job refused with exactly WANT.
refuse() {
    local name=$1 want=$2
    shift 2
    rm -f "$scratch/refused.pdf" "$scratch/refused.csv"
    "$OCOPTRACE" stamps --job "$scratch/job.json" -o "$scratch/refused.pdf" \
        --serials "$scratch/refused.csv" "$@" 2>"$scratch/err"
    expect_equal "$name: exit" "$?" 2
    expect_equal "$name: message" "$(grep -v ': warning: ' "$scratch/err")" "$want"
    if [ -e "$scratch/refused.pdf" ] || [ -e "$scratch/refused.csv" ]; then
        fail "$name: a file was written"
    else
        pass
    fi
}

refuse "too small: the default resolver's code on 20 mm" \
    "ocoptrace: sheet: 'stamp-a4-20x20' (20 x 20 mm) is too small for a code of 45 modules: 0.364 mm each in its 16.4 mm box, under 0.4 mm; a 22.0 x 22.0 mm stamp holds it
ocoptrace: sheet: or shorten the code: a shorter base URL ([resolver] base_url, --base-url) or no expiry date in the code" \
    --sheet stamp-a4-20x20
refuse "too small by a hair: a long resolver on 25 mm" \
    "ocoptrace: sheet: 'stamp-a4-25x25' (25 x 25 mm) is too small for a code of 49 modules: 0.398 mm each in its 19.5 mm box, under 0.4 mm; a 25.5 x 25.5 mm stamp holds it
ocoptrace: sheet: or shorten the code: a shorter base URL ([resolver] base_url, --base-url) or no expiry date in the code" \
    --sheet stamp-a4-25x25 --base-url https://truyxuatnguongoc.sonongnghiep.binhthuan.gov.vn/tra-cuu
refuse "unknown symbology" "ocoptrace: symbol: must be qr or datamatrix, not 'pdf417'" \
    --sheet stamp-a4-25x25 --symbol pdf417
job_with "$scratch/long.json" 'product.short_name="Nước mắm cá cơm Phan Thiết 40 độ đạm thượng hạng"'
rm -f "$scratch/refused.pdf"
"$OCOPTRACE" stamps --job "$scratch/long.json" --sheet stamp-a4-30x20 -o "$scratch/refused.pdf" 2>"$scratch/err"
expect_equal "a name too long for its box: exit" "$?" 2
expect_equal "a name too long: message" "$(cat "$scratch/err")" \
    "ocoptrace: product.short_name: 'Nước mắm cá cơm Phan Thiết 40 độ đạm thượn...' does not fit the stamp's name box (11.1 x 6.0 mm) in 2 lines at 4.50 pt; give a shorter name (product.short_name)"
[ -e "$scratch/refused.pdf" ] && fail "a name too long: a file was written" || pass

# Layouts: each broken copy of stamp.layout refused naming the file, the
# element and the rule.
layout=$root/templates/layouts/stamp.layout
sed 's/^box = 0.6 0.82 0.37 0.14$/box = 0.55 0.82 0.42 0.14/' "$layout" >"$scratch/quiet.layout"
awk '/^\[serial\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$layout" >"$scratch/noserial.layout"
sed 's/^box = 0.6 0.51 0.37 0.3$/box = 0.6 0.51 0.5 0.3/' "$layout" >"$scratch/outside.layout"
{ cat "$layout"; printf '\n[barcode]\nbox = 0 0 1 1\n'; } >"$scratch/unknown.layout"
sed 's/^size = 4 6$/size = 3 6/' "$layout" >"$scratch/tiny.layout"
line_of() { grep -n "^\[$2\]" "$1" | cut -d: -f1; }
refuse "layout: the serial over the code's quiet zone" \
    "ocoptrace: layout.serial: 'quiet.layout' line $(line_of "$scratch/quiet.layout" serial): the box overlaps the code's box, which holds the code and its 4-module quiet zone: nothing may be printed there" \
    --sheet stamp-a4-30x20 --layout "$scratch/quiet.layout"
refuse "layout: no serial" \
    "ocoptrace: layout.serial: 'noserial.layout': missing: a stamp must place the serial (the serial is read when the code cannot be scanned)" \
    --sheet stamp-a4-30x20 --layout "$scratch/noserial.layout"
refuse "layout: a box past the stamp" \
    "ocoptrace: layout.caption: 'outside.layout' line $(line_of "$scratch/outside.layout" caption): the box (18.0, 10.2 mm, 15.0 x 6.0 mm) reaches past the 30.0 x 20.0 mm stamp" \
    --sheet stamp-a4-30x20 --layout "$scratch/outside.layout"
refuse "layout: an unknown element" \
    "ocoptrace: layout: 'unknown.layout' line $(line_of "$scratch/unknown.layout" barcode): unknown element 'barcode'; a stamp has code, serial, name, caption, mark, logo" \
    --sheet stamp-a4-30x20 --layout "$scratch/unknown.layout"
refuse "layout: text under 4 pt" \
    "ocoptrace: layout.caption: 'tiny.layout' line $(grep -n '^size = 3 6$' "$scratch/tiny.layout" | cut -d: -f1): size: 3.00 pt is under the 4.0 pt a stamp's caption may take" \
    --sheet stamp-a4-30x20 --layout "$scratch/tiny.layout"
refuse "layout: no such file" "ocoptrace: layout: cannot read '$scratch/none.layout'" \
    --sheet stamp-a4-30x20 --layout "$scratch/none.layout"

# ---------- the logo ----------

"$PY" - "$scratch" <<'EOF'
import os, sys
from PIL import Image
d = sys.argv[1]
logo = Image.new("RGBA", (120, 60), (0, 0, 0, 0))
for x in range(120):
    for y in range(60):
        if (x // 10 + y // 10) % 2:
            logo.putpixel((x, y), (200, 30, 30, 255))
logo.save(d + "/logo.png")
Image.new("RGB", (40, 40), (0, 90, 0)).save(d + "/logo.jpg", "JPEG")
Image.new("L", (2400, 100), 0).save(d + "/wide.png")
with open(d + "/huge.png", "wb") as f:
    f.write(open(d + "/logo.png", "rb").read() + os.urandom(1200000))
EOF
job_with "$scratch/logo.json" "lot.units=2"
"$OCOPTRACE" stamps --job "$scratch/logo.json" --sheet stamp-a4-35x22 --layout stamp-logo \
    --logo "$scratch/logo.png" -o "$scratch/logo.pdf" --serials "$scratch/logo.csv"
expect_equal "logo: exit" "$?" 0
expect_equal "logo: drawn once per document, 120 x 60 RGB" \
    "$(pdfimages -list "$scratch/logo.pdf" | awk '$3 == "image" && $6 == "rgb" { print $4 "x" $5 }' | sort -u)" "120x60"
expect_equal "logo: the stamps still decode" "$(decode_stamps "$scratch/logo.pdf" stamp-a4-35x22 | head -n 2)" \
    "$(tail -n +2 "$scratch/logo.csv" | cut -d, -f2)"
red=$(pdftoppm -r 150 -f 1 -l 1 -singlefile "$scratch/logo.pdf" "$scratch/logo-page" 2>/dev/null &&
    "$PY" -c 'from PIL import Image; import sys; im = Image.open(sys.argv[1]).convert("RGB"); print(sum(1 for p in im.getdata() if p[0] > 150 and p[1] < 80))' "$scratch/logo-page.ppm")
[ "${red:-0}" -gt 100 ] && pass || fail "logo: its red squares are on the page ($red pixels)"
cp "$scratch/logo.png" "$scratch/beside.png"
job_with "$scratch/jlogo.json" "lot.units=1" '+logo="beside.png"'
"$OCOPTRACE" stamps --job "$scratch/jlogo.json" --sheet stamp-roll-40x30 --layout stamp-logo -o "$scratch/jlogo.pdf"
expect_equal "logo from the job, beside it: drawn" \
    "$(pdfimages -list "$scratch/jlogo.pdf" | awk '$6 == "rgb" { print $4 "x" $5 }')" "120x60"
refuse "logo: not a PNG" \
    "ocoptrace: logo: the logo must be a PNG image (its first bytes are not PNG's signature)" \
    --sheet stamp-a4-35x22 --layout stamp-logo --logo "$scratch/logo.jpg"
refuse "logo: too many bytes" \
    "ocoptrace: logo: '$scratch/huge.png' is $(stat -c %s "$scratch/huge.png") bytes; at most 1048576 are taken" \
    --sheet stamp-a4-35x22 --layout stamp-logo --logo "$scratch/huge.png"
refuse "logo: too many pixels" "ocoptrace: logo: the logo is 2400 x 100 pixels; at most 2000 x 2000 are taken" \
    --sheet stamp-a4-35x22 --layout stamp-logo --logo "$scratch/wide.png"
refuse "logo: a layout without its box" \
    "ocoptrace: logo: the layout 'stamp.layout' has no box for a logo: give one with a [logo] element, e.g. --layout stamp-logo" \
    --sheet stamp-a4-35x22 --logo "$scratch/logo.png"

"$OCOPTRACE" stamps --list-sheets >"$scratch/sheets"
expect_equal "--list-sheets names the stamp sheets" "$(awk 'NR > 1 { print $1 }' "$scratch/sheets" | tr '\n' ' ')" \
    "stamp-a4-20x20 stamp-a4-25x25 stamp-a4-30x20 stamp-a4-35x22 stamp-roll-20x20 stamp-roll-30x20 stamp-roll-40x30 "

# ---------- the API over a real daemon ----------

db=$scratch/api.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Một', 'Xã Hàm Mỹ, tỉnh Bình Thuận', 'cooperative'), ('HTX Hai', 'Phú Thủy', 'sme')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
producer2=$("$OCOPTRACE" user add --role producer --producer 2 htxhai --db "$db" | tail -n 1)
start_daemon "$db"
id_of() { grep -o '"id":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2; }
details='"net_quantity":"500 ml","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"'
P=$(id_of "$(call "$producer" POST /api/v1/products "{\"name\":\"Nước mắm Phan Thiết\",\"group\":\"food\",\"gtin\":\"8931234567897\",$details}")")
L=$(id_of "$(call "$producer" POST /api/v1/products/$P/lots '{"code":"L1","produced":"2025-03-01","expires":"2027-03-01"}')")
call "$producer" POST /api/v1/lots/$L/serials '{"count":4}' >"$scratch/serials.json"
jget 'chr(10).join(s["uri"] for s in d["serials"])' <"$scratch/body" >"$scratch/api-uris"
expect_equal "api setup: 4 serials" "$(grep -c "^$resolver/01/08931234567897/10/L1/21/" "$scratch/api-uris")" 4

# get TOKEN QUERY: GET the lot's stamps.pdf into $scratch/api.pdf; prints the status.
get() {
    curl -s -o "$scratch/api.pdf" -w '%{http_code}' ${1:+-H "Authorization: Bearer $1"} \
        "$base/api/v1/lots/$L/stamps.pdf$2"
}
expect_equal "api: stamps.pdf" "$(get "$producer" "?sheet=stamp-a4-25x25")" 200
expect_equal "api: a PDF" "$(head -c 5 "$scratch/api.pdf")" "%PDF-"
expect_equal "api: each stamp's code holds one of the lot's links, each once" \
    "$(decode_stamps "$scratch/api.pdf" stamp-a4-25x25 | head -n 4 | sort)" "$(sort "$scratch/api-uris")"
text=$(pdf_text "$scratch/api.pdf")
expect_equal "api: the caption on each stamp" "$(grep -o -F "$caption" <<<"$text" | wc -l)" 4
expect_equal "api: the name on each stamp" "$(grep -o -F "Nước mắm Phan Thiết" <<<"$text" | wc -l)" 4
expect_equal "api: no certificate, no mark" "$(grep -o -F "OCOP" <<<"$text" | wc -l)" 0
evaluation='{"number":"OCOP-STAMP-0001","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}'
expect_equal "api setup: a 4-star certificate" "$(status "$officer" POST /api/v1/products/$P/evaluations "$evaluation")" 201
expect_equal "api: stamps.pdf with the certificate" "$(get "$officer" "?sheet=stamp-a4-25x25")" 200
expect_equal "api: the mark on each stamp" "$(pdf_text "$scratch/api.pdf" | grep -o -F "OCOP" | wc -l)" 4
expect_equal "api: O, C, O, P and four stars" "$(blobs "$scratch/api.pdf" stamp-a4-25x25 stamp-square mark)" 8
expect_equal "api: Data Matrix" "$(get "$producer" "?sheet=stamp-a4-35x22&symbol=datamatrix")" 200
expect_equal "api: each Data Matrix holds one of the lot's links, each once" \
    "$(decode_stamps "$scratch/api.pdf" stamp-a4-35x22 datamatrix | head -n 4 | sort)" "$(sort "$scratch/api-uris")"
expect_equal "api: a roll, one stamp a page" "$(get "$producer" "?sheet=stamp-roll-40x30")" 200
expect_equal "api: a roll's pages" "$(pdfinfo "$scratch/api.pdf" | awk '/^Pages:/ { print $2 }')" 4
# api_refused NAME TOKEN QUERY STATUS FIELD [TEXT]: refused with STATUS, the error naming FIELD.
api_refused() {
    expect_equal "api: $1" "$(get "$2" "$3")" "$4"
    expect_equal "api: $1: the field" "$(jget 'd["error"]["field"]' <"$scratch/api.pdf" 2>/dev/null)" "$5"
    if [ -n "${6:-}" ]; then
        grep -q -F "$6" "$scratch/api.pdf" && pass || fail "api: $1: says '$6': $(cat "$scratch/api.pdf")"
    fi
}
api_refused "20 mm is too small for the default resolver" "$producer" "?sheet=stamp-a4-20x20" 422 sheet \
    "a 22.0 x 22.0 mm stamp holds it"
api_refused "no sheet" "$producer" "" 422 sheet
api_refused "unknown sheet" "$producer" "?sheet=stamp-a5" 422 sheet
api_refused "unknown symbology" "$producer" "?sheet=stamp-a4-25x25&symbol=pdf417" 422 symbol
api_refused "unknown layout" "$producer" "?sheet=stamp-a4-25x25&layout=nope" 422 layout
api_refused "another producer's lot" "$producer2" "?sheet=stamp-a4-25x25" 403 id
expect_equal "api: no token" "$(get "" "?sheet=stamp-a4-25x25")" 401

# The producer's logo: kept through the API, drawn where the layout has its box.
# put_logo TOKEN FILE [TYPE]: PUT the file as producer 1's logo; prints the status.
put_logo() {
    curl -s -o "$scratch/put.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $1" \
        -H "Content-Type: ${3:-image/png}" --data-binary "@$2" "$base/api/v1/producers/1/logo"
}
expect_equal "api: no logo yet" "$(status "$producer" GET /api/v1/producers/1/logo)" 404
expect_equal "api: logo kept" "$(put_logo "$producer" "$scratch/logo.png")" 200
expect_equal "api: logo's size" "$(jget '"%dx%d" % (d["width"], d["height"])' <"$scratch/put.json")" 120x60
curl -s -o "$scratch/got.png" -H "Authorization: Bearer $producer" "$base/api/v1/producers/1/logo"
cmp -s "$scratch/got.png" "$scratch/logo.png" && pass || fail "api: the logo read back is the one sent"
expect_equal "api: stamps with the logo's layout" "$(get "$producer" "?sheet=stamp-a4-35x22&layout=stamp-logo")" 200
expect_equal "api: the logo drawn" \
    "$(pdfimages -list "$scratch/api.pdf" | awk '$6 == "rgb" { print $4 "x" $5 }' | sort -u)" "120x60"
expect_equal "api: the logo's stamps decode" \
    "$(decode_stamps "$scratch/api.pdf" stamp-a4-35x22 | head -n 4 | sort)" "$(sort "$scratch/api-uris")"
expect_equal "api: stamps without a logo box" "$(get "$producer" "?sheet=stamp-a4-35x22")" 200
expect_equal "api: no logo drawn there" "$(pdfimages -list "$scratch/api.pdf" | awk '$6 == "rgb"' | wc -l)" 0
cp "$scratch/logo.png" "$scratch/kept.png"
# refused_logo NAME TOKEN FILE TYPE STATUS [TEXT]
refused_logo() {
    expect_equal "api: logo $1" "$(put_logo "$2" "$3" "$4")" "$5"
    [ -z "${6:-}" ] || { grep -q -F "$6" "$scratch/put.json" && pass || fail "api: logo $1 says '$6': $(cat "$scratch/put.json")"; }
}
refused_logo "not a PNG" "$producer" "$scratch/logo.jpg" image/png 422 "must be a PNG image"
refused_logo "too many pixels" "$producer" "$scratch/wide.png" image/png 422 "at most 2000 x 2000"
refused_logo "too many bytes" "$producer" "$scratch/huge.png" image/png 413
refused_logo "as JPEG" "$producer" "$scratch/logo.jpg" image/jpeg 415 "image/png"
refused_logo "of another producer" "$producer2" "$scratch/logo.png" image/png 403
curl -s -o "$scratch/got.png" -H "Authorization: Bearer $admin" "$base/api/v1/producers/1/logo"
cmp -s "$scratch/got.png" "$scratch/kept.png" && pass || fail "api: a refused logo changes nothing"

finish
