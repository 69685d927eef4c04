#!/usr/bin/env bash
# Roll labels for thermal printers, read back as the printer would print
# them: tests/thermal/reader.py turns each ZPL II or TSPL stream into one
# image per label at the printer's dpi (refusing anything it does not
# know), zbarimg reads each label's code as its own serial's Digital Link,
# tesseract reads the Vietnamese text; bad sheets, dpi and formats are
# refused with nothing written; the API over a real daemon prints a stored
# lot the same way.
suite=cli-thermal
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3 # Debian's, with PIL and qrcode; not the python3 on PATH
reader=$root/tests/thermal/reader.py

base=https://truyxuatsanphambinhthuan.vn
cat >"$scratch/job.json" <<'EOF'
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "group": "food", "gtin": "08931234567897",
               "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển", "origin": "Việt Nam",
               "usage": "Dùng trực tiếp hoặc pha chấm", "storage": "Nơi khô ráo, thoáng mát",
               "standard": "TCCS 01:2024/HTXHT",
               "ocop": {"stars": 4, "valid_until": "2099-06-30"}},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": 4}
}
EOF

# sheet_dots SHEET DPI: the label's size in dots, "W H".
sheet_dots() {
    awk -F' *= *' -v dpi="$2" '$1 == "label_width_mm" { w = $2 } $1 == "label_height_mm" { h = $2 }
        END { printf "%d %d\n", int(w * dpi / 25.4 + 0.5), int(h * dpi / 25.4 + 0.5) }' \
        "$root/templates/sheets/$1.sheet"
}

# read_labels FILE LANGUAGE DPI DIR: the reader's lines, one per label.
read_labels() {
    "$PY" "$reader" "$1" --language "$2" --dpi "$3" --out "$4"
}

# decode_labels LINES: each label's code, decoded from its image alone.
decode_labels() {
    local png
    for png in $(jget_lines "$1" png); do
        zbarimg -q --raw "$png" 2>/dev/null || echo "(unreadable: $png)"
    done
}

# jget_lines LINES KEY: KEY of each JSON line.
jget_lines() {
    "$PY" -c 'import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)[sys.argv[2]])' "$1" "$2"
}

# ocr LINES N SCALE: the text of label N, its codes blanked (their modules
# confuse the page layout), scaled up SCALE times, read by tesseract.
ocr() {
    "$PY" - "$1" "$2" "$3" "$scratch/ocr.png" <<'EOF'
import json, sys
from PIL import Image
line = json.loads(open(sys.argv[1]).readlines()[int(sys.argv[2]) - 1])
image = Image.open(line["png"]).convert("L")
for code in line["codes"]:
    x, y, w, h = code["box"]
    image.paste(255, (x, y, x + w, y + h))
scale = int(sys.argv[3])
image.resize((image.width * scale, image.height * scale), Image.LANCZOS).save(sys.argv[4])
EOF
    # One thread: the same image reads the same, however busy the machine.
    OMP_THREAD_LIMIT=1 tesseract "$scratch/ocr.png" - -l vie 2>/dev/null
}

# ocr_finds TEXT WANTED...: prints each WANTED that TEXT lacks, compared as
# OCR allows: spaces left out, and a few letters wrong (one in eight, or
# WRONG of them with OCR_WRONG=WRONG).
ocr_finds() {
    "$PY" - "${OCR_WRONG:-0}" "$@" <<'EOF'
import sys, unicodedata
def fold(s):
    return "".join(unicodedata.normalize("NFC", s).split())
def distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]
text = fold(sys.argv[2])
for wanted in sys.argv[3:]:
    w = fold(wanted)
    allowed = int(sys.argv[1]) or max(1, (len(w) + 4) // 8)
    best = min((distance(w, text[i:i + n]) for n in range(max(1, len(w) - allowed), len(w) + allowed + 1)
                for i in range(0, max(1, len(text) - n + 1))), default=len(w))
    if best > allowed:
        print(wanted)
EOF
}

# ---------- every format, dpi and roll sheet ----------

for sheet in roll-50x30 roll-60x40 roll-100x50; do
    for format in zpl tspl; do
        for dpi in 203 300; do
            name="$sheet $format $dpi dpi"
            out=$scratch/$sheet-$dpi.$format
            "$OCOPTRACE" labels --job "$scratch/job.json" --sheet $sheet --format $format --dpi $dpi \
                -o "$out" --serials "$scratch/serials.csv" 2>"$scratch/err"
            expect_equal "$name: exit" "$?" 0
            expect_equal "$name: nothing on stderr but warnings" \
                "$(grep -v '^ocoptrace: warning: ' "$scratch/err")" ""
            if ! read_labels "$out" $format $dpi "$scratch/$sheet-$format-$dpi" >"$scratch/lines" \
                2>"$scratch/err"; then
                fail "$name: the reader refused the output: $(cat "$scratch/err")"
                continue
            fi
            pass
            cp "$scratch/lines" "$scratch/$sheet-$format-$dpi.lines"
            expect_equal "$name: one label per serial" "$(wc -l <"$scratch/lines")" 4
            expect_equal "$name: labels of the sheet's size in dots" \
                "$(paste -d' ' <(jget_lines "$scratch/lines" width) <(jget_lines "$scratch/lines" height) | sort -u)" \
                "$(sheet_dots $sheet $dpi)"
            expect_equal "$name: every label's code is its serial's Digital Link" \
                "$(decode_labels "$scratch/lines")" "$(tail -n +2 "$scratch/serials.csv" | cut -d, -f2)"
            bad=$(grep -cvE "^([0-9A-HJKMNP-TV-Z]{10}),$base/01/08931234567897/10/L2025A/21/\1\?17=270301$" \
                <(tail -n +2 "$scratch/serials.csv"))
            expect_equal "$name: the serials file lists serial,uri" "$bad" 0
            # The text, read from the second label's dots.
            text=$(ocr "$scratch/lines" 2 2)
            serial=$(sed -n 3p "$scratch/serials.csv" | cut -d, -f1)
            missing=$(ocr_finds "$text" "Nước mắm Phan Thiết 40 độ đạm" "HTX Thủy sản Hàm Tiến" \
                "Khu phố 5, phường Hàm" "Xuất xứ: Việt Nam" "NSX: 01/03/2025" "HSD: 01/03/2027")
            expect_equal "$name: OCR reads the name, producer, origin and dates" "$missing" ""
            # The lot's line is short, so one letter in eight allows one
            # misread; tesseract has misread two of it at 203 dpi.
            expect_equal "$name: OCR reads the lot" "$(OCR_WRONG=2 ocr_finds "$text" "Lô: L2025A")" ""
            # Random letters in 5 pt at 203 dpi: tesseract misreads a few
            # (up to four seen in runs); another label's serial would
            # differ in nine or ten.
            expect_equal "$name: OCR reads the label's own serial" \
                "$(OCR_WRONG=5 ocr_finds "$text" "Seri: $serial")" ""
            if [ $sheet != roll-50x30 ]; then
                missing=$(ocr_finds "$text" "Thành phần: Cá cơm, muối biển" "Định lượng: 500 ml" \
                    "Bảo quản: Nơi khô ráo, thoáng mát" "OCOP")
                expect_equal "$name: OCR reads the body and the OCOP mark" "$missing" ""
            fi
        done
    done
done

# The job's text is sent once and recalled on every label: per label only
# the serial's letters and the code change.
zpl=$scratch/roll-50x30-203.zpl
expect_equal "ZPL: the text stored once" "$(grep -c '^~DG' "$zpl")" 1
expect_equal "ZPL: and recalled on each label" "$(grep -c '\^XG' "$zpl")" 4
expect_equal "ZPL: each code drawn by the printer at 4 dots (0.5 mm) a module, EC M" \
    "$(grep -c '\^BQN,2,4,M$' "$zpl")" 4
expect_equal "TSPL at 300 dpi: 5 dots (0.42 mm) a module, EC M" \
    "$(grep -ac '^QRCODE [0-9]*,[0-9]*,M,5,A,0,"' "$scratch/roll-50x30-300.tspl")" 4
expect_equal "TSPL: a roll without gaps" \
    "$(grep -a -E '^(SIZE|GAP)' "$scratch/roll-60x40-203.tspl" | tr -d '\r' | tr '\n' ';')" \
    "SIZE 60 mm,40 mm;GAP 0 mm,0 mm;"
# Die-cut labels 3 mm apart: the gap is the sheet's pitch less the label.
mkdir -p "$scratch/data/templates/sheets" "$scratch/data/fonts"
cp "$root/fonts/"* "$scratch/data/fonts/"
sed -e 's/^name = .*/name = test-gap/' -e 's/^pitch_y_mm = .*/pitch_y_mm = 43/' \
    "$root/templates/sheets/roll-60x40.sheet" >"$scratch/data/templates/sheets/test-gap.sheet"
OCOPTRACE_DATA="$scratch/data" "$OCOPTRACE" labels --job "$scratch/job.json" --sheet test-gap \
    --format tspl -o "$scratch/gap.tspl" 2>/dev/null
expect_equal "TSPL: die-cut labels, gap from the sheet" \
    "$(grep -a -E '^(SIZE|GAP)' "$scratch/gap.tspl" | tr -d '\r' | tr '\n' ';')" \
    "SIZE 60 mm,40 mm;GAP 3 mm,0 mm;"

# Two labels of one job differ only in their codes and in one line of
# text, the serial's (at most an em of 9.5 pt high, 40 dots at 300 dpi).
for format in zpl tspl; do
    rows=$("$PY" - "$scratch/roll-100x50-$format-300.lines" <<'EOF'
import json, sys
from PIL import Image, ImageChops
lines = [json.loads(l) for l in open(sys.argv[1])][:2]
images = []
for line in lines:
    image = Image.open(line["png"]).convert("L")
    for code in line["codes"]:
        x, y, w, h = code["box"]
        image.paste(255, (x, y, x + w, y + h))
    images.append(image)
box = ImageChops.difference(*images).getbbox()
print(box[3] - box[1] if box else 0)
EOF
)
    [ "$rows" -gt 0 ] && [ "$rows" -le 40 ] && pass ||
        fail "$format: two labels differ in $rows rows besides their codes"
done

# A run longer than the labels made at a time: one file, the text stored
# once, and the last label still read (with the stored text before it).
job_with() { local out=$1; shift; json_with "$scratch/job.json" "$out" "$@"; }
job_with "$scratch/long.json" "lot.units=2500"
"$OCOPTRACE" labels --job "$scratch/long.json" --sheet roll-50x30 --format zpl -o - \
    --serials "$scratch/long.csv" 2>/dev/null >"$scratch/long.zpl"
expect_equal "2,500 labels to standard output" "$(grep -c '^\^XZ$' "$scratch/long.zpl")" 2500
expect_equal "2,500 labels: the text stored once" "$(grep -c '^~DG' "$scratch/long.zpl")" 1
awk '/^~DG/ { print } /^\^XA$/ { block = "" } { block = block $0 "\n" } END { printf "%s", block }' \
    "$scratch/long.zpl" >"$scratch/last.zpl"
read_labels "$scratch/last.zpl" zpl 203 "$scratch/last" >"$scratch/last.lines"
expect_equal "2,500 labels: the last one reads as the last serial" \
    "$(decode_labels "$scratch/last.lines")" "$(tail -n 1 "$scratch/long.csv" | cut -d, -f2)"

# A base URL's path may hold '~', which starts a ZPL command: it is sent
# escaped (^FH) and the code still holds it.
for format in zpl tspl; do
    "$OCOPTRACE" labels --job "$scratch/job.json" --sheet roll-60x40 --format $format \
        --base-url "https://example.vn/~htx" -o "$scratch/tilde.$format" --serials "$scratch/tilde.csv" \
        2>/dev/null
    read_labels "$scratch/tilde.$format" $format 203 "$scratch/tilde-$format" >"$scratch/tilde.lines"
    expect_equal "$format: a '~' in the base URL" "$(decode_labels "$scratch/tilde.lines")" \
        "$(tail -n +2 "$scratch/tilde.csv" | cut -d, -f2)"
done
grep -q '~htx' "$scratch/tilde.zpl" && fail "ZPL: a bare '~' in field data" || pass

# ---------- the draft watermark and the OCOP mark ----------

# ink LINES: the printed dots of the first label, its codes left out.
ink() {
    "$PY" - "$1" <<'EOF'
import json, sys
from PIL import Image
line = json.loads(open(sys.argv[1]).readline())
image = Image.open(line["png"]).convert("L")
for code in line["codes"]:
    x, y, w, h = code["box"]
    image.paste(255, (x, y, x + w, y + h))
print(image.histogram()[0])
EOF
}
"$OCOPTRACE" labels --job "$scratch/job.json" --sheet roll-100x50 --format zpl --draft -o "$scratch/draft.zpl" \
    --serials "$scratch/draft.csv" 2>/dev/null
read_labels "$scratch/draft.zpl" zpl 203 "$scratch/draft" >"$scratch/draft.lines"
expect_equal "draft: codes still read" "$(decode_labels "$scratch/draft.lines")" \
    "$(tail -n +2 "$scratch/draft.csv" | cut -d, -f2)"
# One dot in six of its letters, and none in the code's box, where most
# of it falls on this sheet.
more=$(($(ink "$scratch/draft.lines") - $(ink "$scratch/roll-100x50-zpl-203.lines")))
[ "$more" -gt 300 ] && pass || fail "draft: a watermark of dots is printed ($more more dots)"

job_with "$scratch/expired.json" 'product.ocop.valid_until="2020-01-31"'
"$OCOPTRACE" labels --job "$scratch/expired.json" --sheet roll-100x50 --format tspl --no-ocop-mark \
    -o "$scratch/nomark.tspl" 2>/dev/null
read_labels "$scratch/nomark.tspl" tspl 203 "$scratch/nomark" >"$scratch/nomark.lines"
expect_equal "--no-ocop-mark: no mark" "$(ocr_finds "$(ocr "$scratch/nomark.lines" 1 2)" OCOP)" OCOP

# ---------- refusals: exit 2, the field named, nothing written ----------

# refuse NAME WANT ARGS...
refuse() {
    local name=$1 want=$2
    shift 2
    rm -f "$scratch/refused.out" "$scratch/refused.csv"
    "$OCOPTRACE" labels --job "$scratch/job.json" -o "$scratch/refused.out" \
        --serials "$scratch/refused.csv" "$@" 2>"$scratch/err"
    expect_equal "$name: exit" "$?" 2
    expect_equal "$name: message" "$(cat "$scratch/err")" "$want"
    if [ -e "$scratch/refused.out" ] || [ -e "$scratch/refused.csv" ] ||
        ls "$scratch"/refused.out.* >/dev/null 2>&1; then
        fail "$name: a file was written"
    else
        pass
    fi
}
refuse "an A4 sheet" \
    "ocoptrace: sheet: 'a4-3x8' is A4 paper: a thermal printer prints roll sheets (paper = roll)" \
    --sheet a4-3x8 --format zpl
refuse "150 dpi" "ocoptrace: dpi: must be 203 or 300 (the printer's dots per inch), not '150'" \
    --sheet roll-50x30 --format tspl --dpi 150
refuse "format foo" "ocoptrace: format: must be pdf, zpl or tspl, not 'foo'" --sheet roll-50x30 --format foo
refuse "dpi for a PDF" "ocoptrace: dpi: only with --format zpl or tspl: a PDF has no dots" \
    --sheet roll-50x30 --dpi 300
job_with "$scratch/gap.json" "product.ingredients=DELETE"
refuse "the law as for the PDF" \
    "ocoptrace: product.ingredients: required for food (Decree 43/2017, Annex I)" \
    --sheet roll-50x30 --format zpl --job "$scratch/gap.json"

# ---------- the reader refuses what it does not know ----------

# mutate NAME FILE LANGUAGE PYTHON-EXPRESSION-ON-d: the reader must refuse it.
mutate() {
    "$PY" -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(eval(sys.argv[3]))' \
        "$2" "$scratch/mutated" "$4"
    if read_labels "$scratch/mutated" "$3" 203 "$scratch/mutated-out" >/dev/null 2>"$scratch/err"; then
        fail "reader: $1: accepted"
    else
        pass
    fi
}
zpl=$scratch/roll-50x30-203.zpl
tspl=$scratch/roll-50x30-203.tspl
mutate "a resident font" "$zpl" zpl 'd.replace(b"^XZ", b"^FO10,10^A0N,20,20^FDSeri^FS^XZ", 1)'
mutate "a graphic's byte count" "$zpl" zpl 'd.replace(b"^GFA,", b"^GFA,1", 1)'
mutate "a recalled graphic never stored" "$zpl" zpl 'd.replace(b"^XGR:OCOPJOB", b"^XGR:OTHER", 1)'
mutate "a label without its end" "$zpl" zpl 'd[:d.rindex(b"^XZ")]'
mutate "text in the code's quiet zone" "$zpl" zpl 'd.replace(b"^BQN", b"^FS^FO200,30^BQN", 1)'
mutate "a TSPL font" "$tspl" tspl 'd.replace(b"PRINT 1", b"TEXT 10,10,\"3\",0,1,1,\"Seri\"\r\nPRINT 1", 1)'
mutate "a short bitmap" "$tspl" tspl 'd[:d.index(b"BITMAP") + 40] + d[d.index(b"BITMAP") + 41:]'
mutate "a label never printed" "$tspl" tspl 'd[:d.rindex(b"PRINT 1")]'
"$PY" "$reader" "$zpl" --language zpl --dpi 203 --out "$scratch/again" >/dev/null && pass ||
    fail "reader: the unmutated stream is refused"

# ---------- the API: a stored lot's labels ----------

db=$scratch/api.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
sqlite3 "$db" "INSERT INTO producers (name, address, kind, phone) VALUES
    ('HTX Thủy sản Hàm Tiến', 'Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận', 'cooperative', '0252 3847 123'),
    ('HTX Hai', 'Phường Phú Thủy, Phan Thiết', 'sme', '')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
producer2=$("$OCOPTRACE" user add --role producer --producer 2 htxhai --db "$db" | tail -n 1)
start_daemon "$db" --base-url "$base"
id_of() { grep -o '"id":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2; }
product=$(id_of "$(call "$producer" POST /api/v1/products '{"name":"Nước mắm Phan Thiết 40 độ đạm","group":"food","gtin":"08931234567897","net_quantity":"500 ml","ingredients":"Cá cơm, muối biển","origin":"Việt Nam","usage":"Dùng trực tiếp hoặc pha chấm","storage":"Nơi khô ráo, thoáng mát","standard":"TCCS 01:2024/HTXHT"}')")
lot=$(id_of "$(call "$producer" POST /api/v1/products/$product/lots '{"code":"L2025A","produced":"2025-03-01","expires":"2027-03-01"}')")
call "$producer" POST /api/v1/lots/$lot/serials '{"count":3}' >"$scratch/issued"
"$PY" -c 'import json, sys; body = json.loads(open(sys.argv[1]).read().split(" ", 1)[1])
for s in sorted(body["serials"], key=lambda s: s["serial"]): print(s["uri"])' "$scratch/issued" >"$scratch/uris"
expect_equal "API setup: three serials" "$(wc -l <"$scratch/uris")" 3

for format in zpl tspl; do
    for dpi in 203 300; do
        name="API $format $dpi dpi"
        code=$(curl -s -o "$scratch/api.$format" -D "$scratch/headers" -w '%{http_code}' \
            -H "Authorization: Bearer $producer" "$base/api/v1/lots/$lot/labels.$format?sheet=roll-50x30&dpi=$dpi")
        expect_equal "$name: status" "$code" 200
        expect_equal "$name: a download" \
            "$(grep -i -E '^content-(type|disposition):' "$scratch/headers" | tr -d '\r' | sort)" \
            "Content-Disposition: attachment; filename=\"lot-$lot-labels.$format\"
Content-Type: application/octet-stream"
        if read_labels "$scratch/api.$format" $format $dpi "$scratch/api-$format-$dpi" >"$scratch/lines" \
            2>"$scratch/err"; then
            pass
        else
            fail "$name: the reader refused the answer: $(cat "$scratch/err")"
            continue
        fi
        expect_equal "$name: each serial's Digital Link" "$(decode_labels "$scratch/lines")" \
            "$(cat "$scratch/uris")"
        missing=$(ocr_finds "$(ocr "$scratch/lines" 1 2)" "Nước mắm Phan Thiết 40 độ đạm" \
            "HTX Thủy sản Hàm Tiến" "Xuất xứ: Việt Nam" "Lô: L2025A")
        expect_equal "$name: OCR reads the label" "$missing" ""
    done
done

# The same text, byte for byte, as the CLI draws for the same lot.
job_with "$scratch/api-job.json" "product.ocop=DELETE" "lot.units=1"
"$OCOPTRACE" labels --job "$scratch/api-job.json" --sheet roll-50x30 --format zpl -o "$scratch/cli.zpl" \
    2>/dev/null
curl -s -o "$scratch/api.zpl" -H "Authorization: Bearer $producer" \
    "$base/api/v1/lots/$lot/labels.zpl?sheet=roll-50x30"
expect_equal "API and CLI at the default 203 dpi: the same stored text graphic" \
    "$(grep '^~DG' "$scratch/api.zpl" | md5sum)" "$(grep '^~DG' "$scratch/cli.zpl" | md5sum)"

# Refusals name the field; roles as for labels.pdf.
api_error() { "$PY" -c 'import json, sys; e = json.load(open(sys.argv[1]))["error"]; print(e["code"], e["field"])' \
    "$scratch/body"; }
while read -r token path want; do
    got=$(call "${!token}" GET "$path" | head -c 3)
    field_want=${want#*:}
    [ "$field_want" != "$want" ] || field_want=
    expect_equal "API GET $path as $token: status" "$got" "${want%%:*}"
    [ -z "$field_want" ] || expect_equal "API GET $path: field" "$(api_error)" "$field_want"
done <<EOF
producer /api/v1/lots/$lot/labels.zpl?sheet=a4-3x8 422:invalid sheet
producer /api/v1/lots/$lot/labels.tspl?sheet=roll-50x30&dpi=150 422:invalid dpi
producer /api/v1/lots/$lot/labels.zpl 422:invalid sheet
producer2 /api/v1/lots/$lot/labels.zpl?sheet=roll-50x30 403:forbidden id
admin /api/v1/lots/$lot/labels.tspl?sheet=roll-50x30 200
admin /api/v1/lots/999/labels.zpl?sheet=roll-50x30 404:not_found id
EOF
expect_equal "API without a token" "$(status "" GET "/api/v1/lots/$lot/labels.zpl?sheet=roll-50x30")" 401

finish
