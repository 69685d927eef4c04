#!/usr/bin/env bash
# `ocoptrace labels` as a producer uses it: every page rasterised at 300 dpi
# and every label's code decoded alone, against the serials file; the
# mandatory contents read back with pdftotext; the letters proved by OCR;
# every refusal exits 2 with its lines and writes nothing.
suite=cli-labels
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3 # Debian's, with its json module; not the python3 on PATH

base=https://truyxuatsanphambinhthuan.vn
cat >"$scratch/job.json" <<'EOF'
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "group": "food", "gtin": "08931234567897",
               "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển", "origin": "Việt Nam",
               "usage": "Dùng trực tiếp hoặc pha chấm", "storage": "Nơi khô ráo, thoáng mát", "warnings": "",
               "standard": "TCCS 01:2024/HTXHT",
               "ocop": {"stars": 4, "valid_until": "2099-06-30"}},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": 48}
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

# decode_labels PDF SHEET: every label of every page cropped at 300 dpi and
# its QR code decoded (not the EAN some labels also carry: barcodes.sh);
# prints what each holds, one per line, in label order.
decode_labels() {
    local pdf=$1 sheet=$2 pages cols rows
    pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
    cols=$(sheet_value "$sheet" columns)
    rows=$(sheet_value "$sheet" rows)
    local lw lh left top px py
    lw=$(sheet_value "$sheet" label_width_mm)
    lh=$(sheet_value "$sheet" label_height_mm)
    left=$(sheet_value "$sheet" left_mm)
    top=$(sheet_value "$sheet" top_mm)
    px=$(sheet_value "$sheet" pitch_x_mm)
    py=$(sheet_value "$sheet" pitch_y_mm)
    local page r c
    for page in $(seq 1 "$pages"); do
        for r in $(seq 0 $((rows - 1))); do
            for c in $(seq 0 $((cols - 1))); do
                local x y w h
                read -r x y w h < <(awk -v l="$left" -v t="$top" -v px="$px" -v py="$py" \
                    -v c="$c" -v r="$r" -v w="$lw" -v h="$lh" 'BEGIN {
                    s = 300 / 25.4; printf "%d %d %d %d\n", (l + c * px) * s, (t + r * py) * s, w * s, h * s }')
                pdftoppm -r 300 -f "$page" -l "$page" -x "$x" -y "$y" -W "$w" -H "$h" -gray \
                    -png -singlefile "$pdf" "$scratch/crop" 2>/dev/null
                zbarimg -q --raw -Sdisable -Sqrcode.enable "$scratch/crop.png" 2>/dev/null
            done
        done
    done
}

# pdf_text PDF: the text of every page on one line, spaces folded.
pdf_text() {
    pdftotext -q "$1" - | tr '\n' ' ' | tr -s ' '
}

# ---------- the lot of the issue: 48 units on a4-3x8 ----------

out=$scratch/labels.pdf
"$OCOPTRACE" labels --job "$scratch/job.json" --sheet a4-3x8 -o "$out" \
    --serials "$scratch/serials.csv" 2>"$scratch/err"
expect_equal "48 labels: exit" "$?" 0
# The one line on stderr: the EAN does not fit beside the full contents.
ean_note="ocoptrace: note: the EAN for the till is left off: 'a4-3x8' labels (70 x 37 mm) have no room for it beside the contents; labels of 70 x 43 mm hold it (\"retail_barcode\": \"never\" leaves it off without this note)"
expect_equal "48 labels: only the EAN's note on stderr" "$(cat "$scratch/err")" "$ean_note"
qpdf --check "$out" >/dev/null 2>&1 && pass || fail "qpdf --check"
expect_equal "48 labels: pages" "$(pdfinfo "$out" | awk '/^Pages:/ { print $2 }')" 2
expect_equal "serials file header" "$(head -n 1 "$scratch/serials.csv")" "serial,uri"
tail -n +2 "$scratch/serials.csv" >"$scratch/rows"
expect_equal "one serial per unit" "$(wc -l <"$scratch/rows")" 48
expect_equal "serials are unique" "$(cut -d, -f1 "$scratch/rows" | sort -u | wc -l)" 48
bad=$(grep -cvE "^([0-9A-HJKMNP-TV-Z]{10}),$base/01/08931234567897/10/L2025A/21/\1\?17=270301$" \
    "$scratch/rows")
expect_equal "every row is serial,uri with that serial" "$bad" 0
decode_labels "$out" a4-3x8 >"$scratch/decoded"
expect_equal "every label decodes" "$(grep -c . "$scratch/decoded")" 48
expect_equal "labels hold the listed URIs, in order" "$(cat "$scratch/decoded")" \
    "$(cut -d, -f2 "$scratch/rows")"

text=$(pdf_text "$out")
for field in "Nước mắm Phan Thiết 40 độ đạm" "HTX Thủy sản Hàm Tiến" \
    "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận" "ĐT: 0252 3847 123" \
    "Xuất xứ: Việt Nam" "Định lượng: 500 ml" "Thành phần: Cá cơm, muối biển" \
    "Cách dùng: Dùng trực tiếp hoặc pha chấm" "Bảo quản: Nơi khô ráo, thoáng mát" \
    "Tiêu chuẩn: TCCS 01:2024/HTXHT" "NSX: 01/03/2025" "HSD: 01/03/2027" "Lô: L2025A" "OCOP"; do
    count=$(grep -o -F "$field" <<<"$text" | wc -l)
    expect_equal "pdftotext finds '$field' on every label" "$count" 48
done
missing=0
while IFS=, read -r serial _; do
    grep -q -F "Seri: $serial" <<<"$text" || missing=$((missing + 1))
done <"$scratch/rows"
expect_equal "each label prints its serial" "$missing" 0

# The same job to standard output: a PDF.
"$OCOPTRACE" labels --job "$scratch/job.json" --sheet a4-3x8 -o - >"$scratch/stdout.pdf"
expect_equal "stdout PDF" "$(head -c 5 "$scratch/stdout.pdf")" "%PDF-"

# Output to a path that is not a regular file (a FIFO, as /dev/null or a
# printer's device would be) goes to it, and leaves it what it was: a
# rename into place would have put a regular file there.
for format in pdf zpl; do
    mkfifo "$scratch/device"
    cat "$scratch/device" >"$scratch/device.out" &
    "$OCOPTRACE" labels --job "$scratch/job.json" --sheet roll-50x30 --format $format \
        -o "$scratch/device" >/dev/null 2>&1
    wait
    [ -p "$scratch/device" ] && pass || fail "-o a FIFO ($format): the FIFO was replaced"
    grep -q -a -F "$([ $format = pdf ] && echo %%EOF || echo '^XZ')" "$scratch/device.out" && pass ||
        fail "-o a FIFO ($format): the output did not go through it"
    rm -f "$scratch/device" "$scratch/device.out"
done

# ---------- every sheet ----------

for sheet in a4-3x8 a4-3x7 a4-2x7 a4-4x10 a4-1x1 roll-50x30 roll-60x40 roll-100x50; do
    per_page=$(($(sheet_value $sheet columns) * $(sheet_value $sheet rows)))
    units=$((per_page + 1)) # a full page and one more
    [ "$per_page" -gt 14 ] && units=$per_page
    job_with "$scratch/$sheet.json" "lot.units=$units"
    "$OCOPTRACE" labels --job "$scratch/$sheet.json" --sheet $sheet -o "$scratch/$sheet.pdf" \
        --serials "$scratch/$sheet.csv" 2>/dev/null
    expect_equal "$sheet: exit" "$?" 0
    pages=$(pdfinfo "$scratch/$sheet.pdf" | awk '/^Pages:/ { print $2 }')
    expect_equal "$sheet: pages" "$pages" $(((units + per_page - 1) / per_page))
    size=$(pdfinfo "$scratch/$sheet.pdf" | awk '/^Page size:/ { printf "%.0f x %.0f", $3 * 25.4 / 72, $5 * 25.4 / 72 }')
    expect_equal "$sheet: page size (mm)" "$size" \
        "$(printf '%.0f x %.0f' "$(sheet_value $sheet page_width_mm)" "$(sheet_value $sheet page_height_mm)")"
    decode_labels "$scratch/$sheet.pdf" $sheet | head -n "$units" >"$scratch/$sheet.decoded"
    expect_equal "$sheet: every code decodes to its serial's URI" "$(cat "$scratch/$sheet.decoded")" \
        "$(tail -n +2 "$scratch/$sheet.csv" | cut -d, -f2)"
    text=$(pdf_text "$scratch/$sheet.pdf")
    for field in "Nước mắm Phan Thiết" "Xuất xứ: Việt Nam" "NSX: 01/03/2025" "HSD: 01/03/2027" "Lô: L2025A"; do
        grep -q -F "$field" <<<"$text" && pass || fail "$sheet: '$field' is printed"
    done
done

# The smallest sheet keeps what Art. 10(3) keeps and says where the rest is.
text=$(pdf_text "$scratch/a4-4x10.pdf")
grep -q -F "Thông tin chi tiết: quét mã QR" <<<"$text" && pass || fail "a4-4x10: short form note"
"$OCOPTRACE" labels --job "$scratch/a4-4x10.json" --sheet a4-4x10 -o "$scratch/x.pdf" 2>"$scratch/err"
grep -q "warning: sheet: 'a4-4x10' labels are too small for every content" "$scratch/err" && pass ||
    fail "a4-4x10: the short form is announced: $(cat "$scratch/err")"

# ---------- without a GTIN, and other options ----------

job_with "$scratch/nogtin.json" "product.gtin=DELETE" "lot.units=3"
"$OCOPTRACE" labels --job "$scratch/nogtin.json" --sheet a4-3x8 -o "$scratch/nogtin.pdf" \
    --serials "$scratch/nogtin.csv" --base-url http://127.0.0.1:8080/
bad=$(tail -n +2 "$scratch/nogtin.csv" | grep -cvE '^([0-9A-Z]{10}),http://127.0.0.1:8080/lot/L2025A/\1$')
expect_equal "without a GTIN: BASE/lot/LOT/SERIAL" "$bad" 0
expect_equal "without a GTIN: codes decode" "$(decode_labels "$scratch/nogtin.pdf" a4-3x8 | head -n 3)" \
    "$(tail -n +2 "$scratch/nogtin.csv" | cut -d, -f2)"

job_with "$scratch/draft.json" "product.ingredients=DELETE" "lot.units=2"
"$OCOPTRACE" labels --job "$scratch/draft.json" --sheet a4-3x8 --draft -o "$scratch/draft.pdf" 2>"$scratch/err"
expect_equal "draft with a gap: exit" "$?" 0
expect_equal "draft: the gap is a warning" "$(cat "$scratch/err")" \
    "$ean_note
ocoptrace: warning: product.ingredients: required for food (Decree 43/2017, Annex I)"
# The watermark is the only 85 % grey on the page (no anti-aliasing).
grey_pixels() {
    pdftoppm -r 30 -gray -aa no -aaVector no -f 1 -l 1 -singlefile "$1" "$scratch/grey" 2>/dev/null
    "$PY" -c 'import sys; d = open(sys.argv[1], "rb").read(); print(d[d.index(b"255\n") + 4:].count(217))' \
        "$scratch/grey.pgm"
}
[ "$(grey_pixels "$scratch/draft.pdf")" -gt 1000 ] && pass || fail "draft: watermark drawn"
expect_equal "not a draft: no watermark" "$(grey_pixels "$out")" 0

job_with "$scratch/expired.json" "product.ocop.valid_until=\"2020-01-31\"" "lot.units=2"
"$OCOPTRACE" labels --job "$scratch/expired.json" --sheet a4-3x8 --no-ocop-mark -o "$scratch/nomark.pdf"
expect_equal "expired recognition with --no-ocop-mark: exit" "$?" 0
grep -q -F "OCOP" <<<"$(pdf_text "$scratch/nomark.pdf")" && fail "no OCOP mark expected" || pass

"$OCOPTRACE" labels --list-sheets >"$scratch/sheets"
expect_equal "--list-sheets names every sheet" "$(awk 'NR > 1 { print $1 }' "$scratch/sheets" | tr '\n' ' ')" \
    "a4-1x1 a4-2x7 a4-3x7 a4-3x8 a4-4x10 a6 roll-100x150 roll-100x50 roll-50x30 roll-60x40 "
grep -qE '^a4-3x8 +A4 +70 x 37 +24$' "$scratch/sheets" && pass || fail "--list-sheets row of a4-3x8"

# ---------- Vietnamese letters, read back from pixels ----------

# A large-type specimen of the letters libharu drops with some fonts
# ("mắm", "Thiết", "Số"): OCR of the rasterised page must find them whole.
job_with "$scratch/specimen.json" 'product.name="Nước mắm Thiết Số đặc biệt"' \
    'producer.name="Hộ kinh doanh Số Một"' 'lot.units=1' 'product.ocop=DELETE'
"$OCOPTRACE" labels --job "$scratch/specimen.json" --sheet a4-1x1 -o "$scratch/specimen.pdf"
# The text beside the code (which takes at most 60 mm), without the code,
# whose modules confuse the OCR's page layout.
pdftoppm -r 300 -gray -png -x 744 -y 0 -W 1736 -H 760 -singlefile "$scratch/specimen.pdf" \
    "$scratch/specimen" 2>/dev/null
ocr=$(tesseract "$scratch/specimen.png" - -l vie 2>/dev/null | tr '\n' ' ')
for word in "Nước" "mắm" "Thiết" "Số" "đặc" "biệt" "Hộ" "Một" "Hàm" "Tiến" "phường" "tỉnh" "Thuận"; do
    grep -q -F "$word" <<<"$ocr" && pass || fail "OCR reads '$word' from the page: $ocr"
done

# ---------- refusals: exit 2, every problem, nothing written ----------

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

refuse "food without ingredients" \
    "ocoptrace: product.ingredients: required for food (Decree 43/2017, Annex I)" \
    "product.ingredients=DELETE"
refuse "every gap listed" "ocoptrace: product.net_quantity: required for drink (Decree 43/2017, Annex I)
ocoptrace: product.storage: required for drink (Decree 43/2017, Annex I)
ocoptrace: lot.expires: required for drink (Decree 43/2017, Annex I; Art. 14)" \
    'product.group="drink"' "product.net_quantity=DELETE" 'product.storage=""' "lot.expires=DELETE"
refuse "handicraft without material" \
    "ocoptrace: product.ingredients: required for handicraft (Decree 43/2017, Annex I)" \
    'product.group="handicraft"' "product.ingredients=DELETE"
refuse "no producer address" \
    "ocoptrace: producer.address: required for food (Decree 43/2017, Art. 10(1)(b))" \
    "producer.address=DELETE"
refuse "no origin" \
    "ocoptrace: product.origin: required for food (Decree 43/2017, Art. 10(1)(c); Decree 111/2021)" \
    "product.origin=DELETE"
refuse "unknown key" "ocoptrace: product.colour: unknown key" 'product.colour="red"'
refuse "unknown top-level key" "ocoptrace: extra: unknown key" '+extra=1'
refuse "wrong type" "ocoptrace: lot.units: must be an integer, found a string" 'lot.units="48"'
refuse "units range" "ocoptrace: lot.units: must be a whole number from 1 to 1000000" 'lot.units=0'
refuse "bad kind" "ocoptrace: producer.kind: must be one of cooperative, sme, household, other" \
    'producer.kind="cooperativ"'
refuse "bad group" \
    "ocoptrace: product.group: must be one of food, drink, herbal, handicraft, ornamental, tourism" \
    'product.group="fruit"'
refuse "bad gtin" "ocoptrace: product.gtin: check digit is 5, expected 7" 'product.gtin="08931234567895"'
refuse "lot outside set 82" "ocoptrace: lot.code: 'ô' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and !\"%&'()*+,-./:;<=>?_ only)" \
    'lot.code="Lô1"'
refuse "impossible date" "ocoptrace: lot.produced: '2025-02-30' is not a date: February 2025 has 28 days" \
    'lot.produced="2025-02-30"'
refuse "expiry before manufacture" "ocoptrace: lot.expires: must be after lot.produced" \
    'lot.expires="2024-03-01"'
refuse "missing lot code" "ocoptrace: lot.code: required" "lot.code=DELETE"
refuse "decomposed text" \
    "ocoptrace: product.name: combining mark U+031B at byte 3: write letters precomposed (NFC)" \
    'product.name="Nu\u031bo\u031b\u0301c"'
refuse "two stars" \
    "ocoptrace: product.ocop.stars: only 3 to 5 stars are recognised and may be marked, found 2 (Decision 148/QĐ-TTg)" \
    'product.ocop.stars=2'
refuse "expired recognition" \
    "ocoptrace: product.ocop.valid_until: recognition expired on 31/01/2020; the OCOP mark may not be printed (use --no-ocop-mark) (Decision 148/QĐ-TTg)" \
    'product.ocop.valid_until="2020-01-31"'
refuse "unknown sheet" "ocoptrace: sheet: unknown sheet 'a5-2x2'; see 'ocoptrace labels --list-sheets'" \
    -- --sheet a5-2x2
refuse "base url" "ocoptrace: base-url: must start with https:// or http://" -- --base-url example.vn
long=$(printf 'Khu phố 5, phường Hàm Tiến, %.0s' $(seq 1 16))
refuse "too small even in the short form" \
    "ocoptrace: sheet: 'a4-4x10' labels (48.5 x 25.4 mm) cannot hold the mandatory contents at 5 pt, even in the short form (Decree 43/2017, Art. 10(3))" \
    "producer.address=\"$long\"" -- --sheet a4-4x10

printf '{"producer": ' >"$scratch/broken.json"
"$OCOPTRACE" labels --job "$scratch/broken.json" --sheet a4-3x8 -o "$scratch/b.pdf" 2>"$scratch/err"
expect_equal "broken JSON: exit" "$?" 2
grep -q "^ocoptrace: job: line 1, column [0-9]*: " "$scratch/err" && pass ||
    fail "broken JSON names the place: $(cat "$scratch/err")"

finish
