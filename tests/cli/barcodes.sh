#!/usr/bin/env bash
# The till's EAN and the Data Matrix on full labels, read back as a shop and
# a phone would: pages rasterised with pdftoppm, then zbarimg for the QR
# code, the EAN-13 and the EAN-8 (each symbology enabled alone, so that one
# never stands in for another), dmtxread for the Data Matrix (zbar reads no
# Data Matrix); the EAN's size and quiet zones measured on the pixels, its
# digits read back with pdftotext; the API's labels over a real daemon; and
# every refusal naming its field and rule with nothing written.
suite=cli-barcodes
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3 # Debian's, with PIL; not the python3 on PATH

cat >"$scratch/job.json" <<'EOF'
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "group": "food", "gtin": "8931234567897",
               "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển", "origin": "Việt Nam",
               "usage": "Dùng trực tiếp hoặc pha chấm", "storage": "Nơi khô ráo, thoáng mát",
               "standard": "TCCS 01:2024/HTXHT", "ocop": {"stars": 4, "valid_until": "2099-06-30"}},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": 2}
}
EOF
job_with() {
    local out=$1
    shift
    json_with "$scratch/job.json" "$out" "$@"
}

# zbar SYMBOLOGY PNG: what zbarimg reads with only that symbology enabled.
zbar() {
    zbarimg -q --raw -Sdisable "-S$1.enable" "$2" 2>/dev/null
}

# page PDF N DPI: page N rasterised to $scratch/page.png.
page() {
    pdftoppm -r "$3" -f "$2" -l "$2" -gray -png -singlefile "$1" "$scratch/page" 2>/dev/null
}

# measure_ean PNG DPI MODULES QUIET_LEFT QUIET_RIGHT: the EAN's bars found
# as the columns dark for 15 mm on end; prints its module and its normal
# bars' height in mm, and whether the quiet zones beside the bars are white.
measure_ean() {
    "$PY" - "$@" <<'EOF'
import sys
from PIL import Image
image = Image.open(sys.argv[1]).convert("L")
dpi, modules, quiet_left, quiet_right = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
px, (w, h) = image.load(), image.size
mm = 25.4 / dpi
bars = {}
for x in range(w):
    run = best = end = 0
    for y in range(h):
        run = run + 1 if px[x, y] < 128 else 0
        if run > best:
            best, end = run, y
    if best * mm >= 15:
        bars[x] = (end - best + 1, end)
if not bars:
    print("none")
    sys.exit()
left, right = min(bars), max(bars)
module = (right - left + 1) / modules
top, bottom = max(b[0] for b in bars.values()), min(b[1] for b in bars.values())
def white(x0, x1):
    return all(px[x, y] >= 128 for x in range(max(0, int(x0)), min(w, int(x1))) for y in range(top, bottom + 1))
print("%.3f %.2f %s" % (module * mm, (bottom - top + 1) * mm,
      "quiet" if white(left - quiet_left * module, left - 1) and white(right + 2, right + quiet_right * module) else "not-quiet"))
EOF
}

# at_least NAME GOT MIN: GOT >= MIN, as decimals.
at_least() {
    awk -v g="$2" -v m="$3" 'BEGIN { exit !(g + 0 >= m + 0) }' && pass || fail "$1: $2, want at least $3"
}

# ---------- a GTIN-13: EAN-13 and QR on the same label ----------

"$OCOPTRACE" labels --job "$scratch/job.json" --sheet roll-100x50 -o "$scratch/ean13.pdf" \
    --serials "$scratch/ean13.csv" 2>"$scratch/err"
expect_equal "EAN-13 label: exit" "$?" 0
expect_equal "EAN-13 label: nothing on stderr (it fits)" "$(cat "$scratch/err")" ""
page "$scratch/ean13.pdf" 1 600
expect_equal "EAN-13 label: zbarimg reads the GTIN as EAN-13" "$(zbar ean13 "$scratch/page.png")" \
    8931234567897
expect_equal "EAN-13 label: the QR code still holds the unit's Digital Link" \
    "$(zbar qrcode "$scratch/page.png")" "$(sed -n 2p "$scratch/ean13.csv" | cut -d, -f2)"
read -r module bars quiet < <(measure_ean "$scratch/page.png" 600 95 11 7)
at_least "EAN-13: module (mm), 80 % of 0.33 at least" "$module" 0.264
at_least "EAN-13: bar height (mm), 80 % of 22.85 at least" "$bars" 18.2
expect_equal "EAN-13: quiet zones of 11 and 7 modules" "$quiet" quiet
text=$(pdftotext -q -f 1 -l 1 "$scratch/ean13.pdf" - | tr '\n' ' ')
grep -q -F "8 931234 567897" <<<"$text" && pass ||
    fail "EAN-13: digits printed as 8, then two groups of six: $text"
expect_equal "EAN-13 label: two pages, one a unit" "$(pdfinfo "$scratch/ean13.pdf" | awk '/^Pages:/ { print $2 }')" 2
page "$scratch/ean13.pdf" 2 300
expect_equal "second label: the same GTIN" "$(zbar ean13 "$scratch/page.png")" 8931234567897
expect_equal "second label: its own serial" "$(zbar qrcode "$scratch/page.png")" \
    "$(sed -n 3p "$scratch/ean13.csv" | cut -d, -f2)"

# Beside the code on a sheet of 14: one label cropped, both codes read.
"$OCOPTRACE" labels --job "$scratch/job.json" --sheet a4-2x7 -o "$scratch/sheet.pdf" \
    --serials "$scratch/sheet.csv" 2>"$scratch/err"
expect_equal "a4-2x7: exit, nothing on stderr" "$?:$(cat "$scratch/err")" "0:"
pdftoppm -r 600 -f 1 -l 1 -x 110 -y 358 -W 2341 -H 900 -gray -png -singlefile "$scratch/sheet.pdf" \
    "$scratch/label" 2>/dev/null
expect_equal "a4-2x7 label: EAN-13" "$(zbar ean13 "$scratch/label.png")" 8931234567897
expect_equal "a4-2x7 label: QR code" "$(zbar qrcode "$scratch/label.png")" \
    "$(sed -n 2p "$scratch/sheet.csv" | cut -d, -f2)"
expect_equal "a4-2x7: every label prints the digits" \
    "$(pdftotext -q "$scratch/sheet.pdf" - | tr '\n' ' ' | grep -o -F "8 931234 567897" | wc -l)" 2

# A GTIN-12 (UPC-A) is an EAN-13 with a leading 0.
job_with "$scratch/upc.json" 'product.gtin="036000291452"' 'lot.units=1'
"$OCOPTRACE" labels --job "$scratch/upc.json" --sheet roll-100x50 -o "$scratch/upc.pdf" 2>/dev/null
page "$scratch/upc.pdf" 1 600
expect_equal "GTIN-12: read as the EAN-13 0036000291452" "$(zbar ean13 "$scratch/page.png")" 0036000291452

# ---------- a GTIN-8: EAN-8 ----------

job_with "$scratch/gtin8.json" 'product.gtin="96385074"'
for sheet in roll-100x50 a4-3x8; do
    "$OCOPTRACE" labels --job "$scratch/gtin8.json" --sheet $sheet -o "$scratch/ean8.pdf" \
        --serials "$scratch/ean8.csv" 2>"$scratch/err"
    expect_equal "EAN-8 on $sheet: exit, nothing on stderr" "$?:$(cat "$scratch/err")" "0:"
    if [ $sheet = a4-3x8 ]; then
        pdftoppm -r 600 -f 1 -l 1 -x 0 -y 12 -W 1653 -H 874 -gray -png -singlefile "$scratch/ean8.pdf" \
            "$scratch/page" 2>/dev/null
    else
        page "$scratch/ean8.pdf" 1 600
    fi
    expect_equal "EAN-8 on $sheet: zbarimg reads the GTIN-8" "$(zbar ean8 "$scratch/page.png")" 96385074
    expect_equal "EAN-8 on $sheet: no EAN-13 of it" "$(zbar ean13 "$scratch/page.png")" ""
    expect_equal "EAN-8 on $sheet: the QR code's Digital Link" "$(zbar qrcode "$scratch/page.png")" \
        "$(sed -n 2p "$scratch/ean8.csv" | cut -d, -f2)"
    read -r module bars quiet < <(measure_ean "$scratch/page.png" 600 67 7 7)
    at_least "EAN-8 on $sheet: module (mm)" "$module" 0.264
    at_least "EAN-8 on $sheet: bar height (mm), 80 % of 18.23 at least" "$bars" 14.5
    expect_equal "EAN-8 on $sheet: quiet zones of 7 and 7 modules" "$quiet" quiet
    grep -q -F "9638 5074" <<<"$(pdftotext -q "$scratch/ean8.pdf" - | tr '\n' ' ')" && pass ||
        fail "EAN-8 on $sheet: two groups of four digits"
done
grep -q -F "/01/00000096385074/10/L2025A/21/" "$scratch/ean8.csv" && pass || fail "GTIN-8: Digital Link as 14 digits"

# ---------- retail_barcode ----------

# auto on a label too small: drawn without, a note saying what holds it.
"$OCOPTRACE" labels --job "$scratch/job.json" --sheet a4-3x8 -o "$scratch/auto.pdf" 2>"$scratch/err"
expect_equal "auto, too small: exit" "$?" 0
expect_equal "auto, too small: the one-line note" "$(cat "$scratch/err")" \
    "ocoptrace: note: the EAN for the till is left off: 'a4-3x8' labels (70 x 37 mm) have no room for it beside the contents; labels of 70 x 43 mm hold it (\"retail_barcode\": \"never\" leaves it off without this note)"
pdftoppm -r 600 -f 1 -l 1 -x 0 -y 12 -W 1653 -H 874 -gray -png -singlefile "$scratch/auto.pdf" \
    "$scratch/page" 2>/dev/null
expect_equal "auto, too small: no EAN" "$(zbar ean13 "$scratch/page.png")" ""
expect_equal "auto, too small: no digits" "$(pdftotext -q "$scratch/auto.pdf" - | grep -c -F '931234')" 0
[ -n "$(zbar qrcode "$scratch/page.png")" ] && pass || fail "auto, too small: the QR code is there"

# The size the note gives holds it: a sheet of 70 x 43 mm labels.
sed -e 's/^name = .*/name = test-70x43/' -e 's/^label_height_mm = .*/label_height_mm = 43/' \
    -e 's/^pitch_y_mm = .*/pitch_y_mm = 43/' -e 's/^rows = .*/rows = 6/' \
    "$(dirname "$0")/../../templates/sheets/a4-3x8.sheet" >"$scratch/test-70x43.sheet"
mkdir -p "$scratch/data/templates/sheets" "$scratch/data/fonts"
cp "$scratch/test-70x43.sheet" "$scratch/data/templates/sheets/"
cp "$(dirname "$0")/../../fonts/"* "$scratch/data/fonts/"
OCOPTRACE_DATA="$scratch/data" "$OCOPTRACE" labels --job "$scratch/job.json" --sheet test-70x43 \
    -o "$scratch/70x43.pdf" 2>"$scratch/err"
if grep -q "unknown sheet" "$scratch/err"; then
    fail "70 x 43 mm: the data directory is not OCOPTRACE_DATA: $(cat "$scratch/err")"
else
    expect_equal "70 x 43 mm, as the note says: no note" "$(cat "$scratch/err")" ""
    pdftoppm -r 600 -f 1 -l 1 -x 0 -y 12 -W 1653 -H 1016 -gray -png -singlefile "$scratch/70x43.pdf" \
        "$scratch/page" 2>/dev/null
    expect_equal "70 x 43 mm: the EAN-13" "$(zbar ean13 "$scratch/page.png")" 8931234567897
fi

job_with "$scratch/never.json" '+retail_barcode="never"'
"$OCOPTRACE" labels --job "$scratch/never.json" --sheet roll-100x50 -o "$scratch/never.pdf" 2>"$scratch/err"
expect_equal "never: exit, no note" "$?:$(cat "$scratch/err")" "0:"
page "$scratch/never.pdf" 1 600
expect_equal "never: no EAN where one fits" "$(zbar ean13 "$scratch/page.png")" ""
[ -n "$(zbar qrcode "$scratch/page.png")" ] && pass || fail "never: the QR code is there"

job_with "$scratch/always.json" '+retail_barcode="always"'
"$OCOPTRACE" labels --job "$scratch/always.json" --sheet roll-100x50 -o "$scratch/always.pdf" 2>"$scratch/err"
expect_equal "always where it fits: exit" "$?:$(cat "$scratch/err")" "0:"
page "$scratch/always.pdf" 1 600
expect_equal "always where it fits: the EAN-13" "$(zbar ean13 "$scratch/page.png")" 8931234567897

# Without a GTIN: no EAN and no note.
job_with "$scratch/nogtin.json" 'product.gtin=DELETE'
"$OCOPTRACE" labels --job "$scratch/nogtin.json" --sheet roll-100x50 -o "$scratch/nogtin.pdf" 2>"$scratch/err"
expect_equal "no GTIN: exit, nothing on stderr" "$?:$(cat "$scratch/err")" "0:"
page "$scratch/nogtin.pdf" 1 600
expect_equal "no GTIN: no EAN" "$(zbar ean13 "$scratch/page.png")$(zbar ean8 "$scratch/page.png")" ""

# ---------- Data Matrix ----------

# dm_read PNG: what dmtxread reads in the image (the first symbol).
dm_read() {
    dmtxread -n -N1 -m 20000 "$1" 2>/dev/null
}

"$OCOPTRACE" labels --job "$scratch/job.json" --sheet roll-100x50 --symbol datamatrix \
    -o "$scratch/dm.pdf" --serials "$scratch/dm.csv" 2>"$scratch/err"
expect_equal "Data Matrix: exit, nothing on stderr" "$?:$(cat "$scratch/err")" "0:"
for n in 1 2; do
    page "$scratch/dm.pdf" $n 300
    expect_equal "Data Matrix label $n: dmtxread reads the unit's URI" "$(dm_read "$scratch/page.png")" \
        "$(sed -n "$((n + 1))p" "$scratch/dm.csv" | cut -d, -f2)"
    expect_equal "Data Matrix label $n: no QR code" "$(zbar qrcode "$scratch/page.png")" ""
done
page "$scratch/dm.pdf" 1 600
expect_equal "Data Matrix label: the EAN-13 beside it" "$(zbar ean13 "$scratch/page.png")" 8931234567897
# The module: the symbol's side in pixels (its corners) over its modules.
page "$scratch/dm.pdf" 1 300
dmtxread -v -N1 "$scratch/page.png" >"$scratch/dmtx" 2>&1 # the details on stderr
module=$(awk '/Matrix Size:/ { n = $3 } /Corner 0:/ { gsub(/[(,)]/, " "); x0 = $3 } /Corner 1:/ { gsub(/[(,)]/, " "); x1 = $3 }
    END { if (n) printf "%.3f", (x1 - x0) / n * 25.4 / 300 }' "$scratch/dmtx")
at_least "Data Matrix: module (mm)" "${module:-0}" 0.4

# A sheet of 24: each label cropped at 300 dpi (dmtxread is slow on a page).
"$OCOPTRACE" labels --job "$scratch/job.json" --sheet a4-3x8 --symbol datamatrix -o "$scratch/dm24.pdf" \
    --serials "$scratch/dm24.csv" 2>/dev/null
for cell in "0 0 2" "1 0 3" "2 7 24"; do
    read -r c r row <<<"$cell"
    pdftoppm -r 300 -f 1 -l 1 -x $((c * 827)) -y $((6 + r * 437)) -W 826 -H 437 -gray -png -singlefile \
        "$scratch/dm24.pdf" "$scratch/cell" 2>/dev/null
    expect_equal "a4-3x8 Data Matrix, column $c row $r: its unit's URI" "$(dm_read "$scratch/cell.png")" \
        "$(sed -n "${row}p" "$scratch/dm24.csv" | cut -d, -f2)"
done

# ---------- refusals: exit 2, the field and the rule, nothing written ----------

# refuse NAME WANT JOB-CHANGES... [-- EXTRA ARGS]
refuse() {
    local name=$1 want=$2
    shift 2
    local changes=() extra=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do changes+=("$1"); shift; done
    [ $# -gt 0 ] && shift && extra=("$@")
    job_with "$scratch/refused.json" "${changes[@]}"
    rm -f "$scratch/refused.pdf" "$scratch/refused.csv"
    "$OCOPTRACE" labels --job "$scratch/refused.json" --sheet a4-3x8 -o "$scratch/refused.pdf" \
        --serials "$scratch/refused.csv" "${extra[@]}" 2>"$scratch/err"
    expect_equal "$name: exit" "$?" 2
    expect_equal "$name: message" "$(cat "$scratch/err")" "$want"
    if [ -e "$scratch/refused.pdf" ] || [ -e "$scratch/refused.csv" ]; then
        fail "$name: a file was written"
    else
        pass
    fi
}

refuse "--symbol aztec" "ocoptrace: symbol: must be qr or datamatrix, not 'aztec'" -- --symbol aztec
refuse "--symbol ean13" "ocoptrace: symbol: must be qr or datamatrix, not 'ean13'" -- --symbol ean13
refuse "Data Matrix on a thermal printer" \
    "ocoptrace: symbol: datamatrix only with --format pdf: thermal labels carry a QR code" \
    -- --symbol datamatrix --format zpl --sheet roll-60x40
refuse "a GTIN-14 with indicator 3" \
    "ocoptrace: product.gtin: '38931234567898' has indicator digit 3, a trade item grouping (case or carton) that is never marked on a consumer unit: it takes no EAN-13" \
    'product.gtin="38931234567898"'
refuse "a GTIN-14 with indicator 9" \
    "ocoptrace: product.gtin: '98931234567890' has indicator digit 9, a variable measure trade item: it takes GS1-128 with its measure, never an EAN-13" \
    'product.gtin="98931234567890"'
refuse "always on a small sheet" \
    "ocoptrace: sheet: 'a4-3x8' labels (70.0 x 37.0 mm) have no room beside the contents for the EAN-13 (29.8 x 20.7 mm at 80 %) retail_barcode 'always' asks for: labels of 70 x 43 mm hold it" \
    '+retail_barcode="always"'
refuse "always, an EAN-8 on the smallest sheet" \
    "ocoptrace: sheet: 'a4-4x10' labels (48.5 x 25.4 mm) have no room beside the contents for the EAN-8 (21.4 x 17.0 mm at 80 %) retail_barcode 'always' asks for: labels of 48.5 x 46 mm hold it" \
    '+retail_barcode="always"' 'product.gtin="96385074"' -- --sheet a4-4x10
refuse "retail_barcode unknown" "ocoptrace: retail_barcode: must be one of auto, always, never" \
    '+retail_barcode="sometimes"'
# With never, a GTIN-14 is not the EAN's business.
job_with "$scratch/g14never.json" 'product.gtin="38931234567898"' '+retail_barcode="never"'
"$OCOPTRACE" labels --job "$scratch/g14never.json" --sheet a4-3x8 -o "$scratch/g14never.pdf" 2>/dev/null
expect_equal "a GTIN-14 with never: drawn" "$?" 0

# ---------- the API: labels.pdf?symbol=datamatrix over a real daemon ----------

db=$scratch/api.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, kind, address) VALUES ('HTX Thủy sản Hàm Tiến', 'cooperative', 'Khu phố 5, phường Hàm Tiến, TP. Phan Thiết')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htx --db "$db" | tail -n 1)
start_daemon "$db"
got=$(call "$producer" POST /api/v1/products '{"name":"Nước mắm Phan Thiết","group":"food","gtin":"8931234567897","net_quantity":"500 ml","ingredients":"Cá cơm, muối biển","origin":"Việt Nam","usage":"Chấm","storage":"Nơi khô ráo"}')
product_id=$(echo "$got" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
got=$(call "$producer" POST /api/v1/products/$product_id/lots '{"code":"L2025A","produced":"2025-03-01","expires":"2027-03-01"}')
lot_id=$(echo "$got" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
got=$(call "$producer" POST /api/v1/lots/$lot_id/serials '{"count":2}')
expect_equal "API: serials issued" "${got%% *}" 201
uris=$(echo "${got#* }" | grep -o '"uri":"[^"]*"' | cut -d'"' -f4)

got=$(curl -s -H "Authorization: Bearer $producer" -o "$scratch/api.pdf" -w '%{http_code} %{content_type}' \
    "$base/api/v1/lots/$lot_id/labels.pdf?sheet=roll-100x50&symbol=datamatrix")
expect_equal "API: labels.pdf?symbol=datamatrix" "$got" "200 application/pdf"
read_codes=
for n in 1 2; do
    page "$scratch/api.pdf" $n 300
    read_codes="$read_codes$(dm_read "$scratch/page.png")
"
done
expect_equal "API: each label's Data Matrix is one of the lot's URIs, each once" \
    "$(sort <<<"$read_codes" | grep .)" "$(sort <<<"$uris")"
page "$scratch/api.pdf" 1 600
expect_equal "API: the EAN-13 on the label" "$(zbar ean13 "$scratch/page.png")" 8931234567897

curl -s -H "Authorization: Bearer $producer" -o "$scratch/api-qr.pdf" \
    "$base/api/v1/lots/$lot_id/labels.pdf?sheet=roll-100x50"
page "$scratch/api-qr.pdf" 1 300
grep -q -F -x -e "$(zbar qrcode "$scratch/page.png")" <<<"$uris" && pass || fail "API: QR code by default"

for bad in foo aztec ean13; do
    got=$(call "$producer" GET "/api/v1/lots/$lot_id/labels.pdf?sheet=roll-100x50&symbol=$bad")
    expect_equal "API: symbol=$bad" "$got" \
        "422 {\"error\":{\"code\":\"invalid\",\"field\":\"symbol\",\"message\":\"must be qr or datamatrix, not '$bad'\"}}"
done

finish
