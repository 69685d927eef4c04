#!/usr/bin/env bash
# Label and carton label layouts as a user meets them: `ocoptrace labels
# --layout` and ?layout= on labels.pdf, label.png and a carton's label.pdf
# over a real daemon. The code read back with zbarimg from each half of the
# rendered label (the default puts it on the left, label-code-right on the
# right) and the text's place with pdftotext -bbox; the producer's logo
# (the job's, --logo, or stored through the API) found in the PDF with
# pdfimages and its red on the rendered label where the layout puts it;
# every refusal (a layout that drops a field the law asks of the product's
# group, puts text over the code's quiet zone or a logo over the code, a
# logo that is not a PNG or too large) exits 2 naming the file, the field
# and the rule, and writes nothing; carton labels from carton.layout and
# carton-low.layout still decode (GS1-128 and QR) and read back, and a
# layout with the QR on the left puts it there.
suite=cli-layouts
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3 # Debian's, with PIL

cat >"$scratch/job.json" <<'EOF'
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết", "group": "food", "gtin": "08931234567897",
               "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển", "origin": "Việt Nam",
               "usage": "Chấm, nấu ăn", "storage": "Nơi khô ráo",
               "ocop": {"stars": 4, "valid_until": "2099-06-30"}},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": 2}
}
EOF
job_with() {
    local out=$1
    shift
    json_with "$scratch/job.json" "$out" "$@"
}

# The logo: red, 300 x 100, with a white disc; and logos that are refused.
"$PY" - "$scratch" <<'EOF'
import os, sys
from PIL import Image, ImageDraw
d = sys.argv[1]
logo = Image.new("RGB", (300, 100), (220, 20, 20))
ImageDraw.Draw(logo).ellipse((110, 10, 190, 90), fill=(255, 255, 255))
logo.save(d + "/logo.png")
Image.new("RGB", (40, 40), (0, 90, 0)).save(d + "/logo.jpg", "JPEG")
Image.new("L", (2400, 100), 0).save(d + "/wide.png")
with open(d + "/huge.png", "wb") as f:
    f.write(open(d + "/logo.png", "rb").read() + os.urandom(1200000))
EOF
job_with "$scratch/logo.json" '+logo="logo.png"'

# Layouts a province might write, and wrong ones.
order="name mark producer origin net_quantity ingredients usage storage warnings standard dates lot pin"
layout_file() { # layout_file NAME TEXT: writes $scratch/NAME.layout
    printf '%s\n' "$2" >"$scratch/$1.layout"
}
code_box='kind = label
[code]
box = 0 0 0.45 1
max = 60mm'
layout_file no-ingredients "$code_box
[text]
box = 0 0 1 1
order = name mark producer origin net_quantity usage storage dates lot pin"
layout_file quiet-zone "$code_box
[text]
box = 0 0 1 1
gap = -0.5mm"
layout_file logo-over-code "$code_box
[text]
box = 0 0.3 1 0.7
order = $order
[logo]
box = 0.3 0 0.3 0.25"
layout_file no-logo "$code_box
[ean]
place = below beside
[text]
box = 0 0 1 1
order = $order"
# line_of FILE TEXT: the line number of TEXT's first line in FILE.
line_of() { grep -n -F -- "$2" "$1" | head -n 1 | cut -d: -f1; }

# ---------- the label, as rendered ----------

# a4-2x7: 99.1 x 38.1 mm labels, the first 4.65 mm from the left, 15.15 mm from the top.
LEFT=4.65 TOP=15.15 WIDTH=99.1 HEIGHT=38.1

# cut_label PDF NAME: the page's first label at 300 dpi, as $scratch/label-NAME.png.
cut_label() {
    pdftoppm -r 300 -f 1 -l 1 -singlefile "$1" "$scratch/page" 2>/dev/null
    "$PY" - "$scratch/page.ppm" "$scratch/label-$2.png" $LEFT $TOP $WIDTH $HEIGHT <<'EOF'
import sys
from PIL import Image
page = Image.open(sys.argv[1])
left, top, w, h = (float(v) * 300 / 25.4 for v in sys.argv[3:7])
page.crop((round(left), round(top), round(left + w), round(top + h))).save(sys.argv[2])
EOF
}
# halves NAME: "left:DATA right:DATA", the QR code each half of label-NAME.png holds.
halves() {
    "$PY" - "$scratch/label-$1.png" "$scratch/half" <<'EOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("L")
w, h = im.size
im.crop((0, 0, w // 2, h)).save(sys.argv[2] + "-left.png")
im.crop((w // 2, 0, w, h)).save(sys.argv[2] + "-right.png")
EOF
    printf 'left:%s right:%s' \
        "$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$scratch/half-left.png" 2>/dev/null)" \
        "$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$scratch/half-right.png" 2>/dev/null)"
}
# word_x PDF WORD: the first WORD's left edge on page 1, in mm from its label's left edge.
word_x() {
    pdftotext -q -f 1 -l 1 -bbox "$1" - | "$PY" -c '
import re, sys
word, left = sys.argv[1], float(sys.argv[2])
for m in re.finditer(r"<word xMin=\"([0-9.]+)\"[^>]*>([^<]*)</word>", sys.stdin.read()):
    if m.group(2) == word:
        print("%.1f" % (float(m.group(1)) * 25.4 / 72 - left))
        break' "$2" $LEFT
}
# red NAME [TOP BOTTOM]: red pixels on label-NAME.png, or those between TOP and
# BOTTOM mm from its top edge, then those outside them.
red() {
    "$PY" - "$scratch/label-$1.png" "${2:-0}" "${3:-1000}" <<'EOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
top, bottom = (float(v) * 300 / 25.4 for v in sys.argv[2:4])
w, h = im.size
px = im.load()
inside = outside = 0
for y in range(h):
    for x in range(w):
        r, g, b = px[x, y]
        if r > 150 and g < 90 and b < 90:
            if top <= y < bottom:
                inside += 1
            else:
                outside += 1
print(inside, outside)
EOF
}
uri_of() { tail -n +2 "$scratch/$1.csv" | head -n 1 | cut -d, -f2; }

# labels NAME ARGS...: `ocoptrace labels` into NAME.pdf and NAME.csv; prints its exit status.
labels() {
    local name=$1
    shift
    "$OCOPTRACE" labels --sheet a4-2x7 -o "$scratch/$name.pdf" --serials "$scratch/$name.csv" \
        "$@" 2>"$scratch/$name.err"
    echo $?
}

expect_equal "default layout: exit" "$(labels default --job "$scratch/job.json")" 0
cut_label "$scratch/default.pdf" default
expect_equal "default layout: the code in the label's left half" "$(halves default)" \
    "left:$(uri_of default) right:"
x=$(word_x "$scratch/default.pdf" "Nước")
expect_equal "default layout: the name right of the middle ($x mm)" \
    "$(awk -v x="$x" -v w=$WIDTH 'BEGIN { print (x > w / 2) ? "yes" : "no" }')" yes
expect_equal "default layout: no image but the code" \
    "$(pdfimages -list "$scratch/default.pdf" | awk '$6 == "rgb"' | wc -l)" 0

expect_equal "code right: exit" "$(labels right --job "$scratch/job.json" --layout label-code-right)" 0
cut_label "$scratch/right.pdf" right
expect_equal "code right: the code in the label's right half" "$(halves right)" \
    "left: right:$(uri_of right)"
x=$(word_x "$scratch/right.pdf" "Nước")
expect_equal "code right: the name at the left margin ($x mm)" \
    "$(awk -v x="$x" 'BEGIN { print (x >= 1.5 && x < 2.5) ? "yes" : "no" }')" yes
text=$(pdftotext -q "$scratch/right.pdf" - | tr '\n' ' ')
missing=
for want in "Thành phần: Cá cơm, muối biển" "Xuất xứ: Việt Nam" "NSX: 01/03/2025" "Lô: L2025A" OCOP; do
    [[ $text == *"$want"* ]] || missing+=" '$want'"
done
expect_equal "code right: the law's fields read back" "${missing:-none missing}" "none missing"
expect_equal "a layout given as a file: exit" \
    "$(labels file --job "$scratch/job.json" --layout "$root/templates/layouts/label-code-right.layout")" 0
cut_label "$scratch/file.pdf" file
expect_equal "a layout given as a file: the code on the right" "$(halves file)" \
    "left: right:$(uri_of file)"

# ---------- refusals: exit 2, the file, the field and the rule, nothing written ----------

# refuse NAME WANT ARGS...: `ocoptrace labels` exits 2 with WANT and writes nothing.
refuse() {
    local name=$1 want=$2
    shift 2
    rm -f "$scratch/refused.pdf" "$scratch/refused.csv"
    "$OCOPTRACE" labels --sheet a4-2x7 -o "$scratch/refused.pdf" --serials "$scratch/refused.csv" \
        "$@" 2>"$scratch/err"
    expect_equal "$name: exit" "$?" 2
    expect_equal "$name: message" "$(grep -v ': warning: ' "$scratch/err")" "$want"
    if [ -e "$scratch/refused.pdf" ] || [ -e "$scratch/refused.csv" ]; then
        fail "$name: a file was written"
    else
        pass
    fi
}
refuse "a layout without the ingredients, for food" \
    "ocoptrace: layout.text: 'no-ingredients.layout' line $(line_of "$scratch/no-ingredients.layout" "[text]"): the order has no 'ingredients' (product.ingredients), which a food label must carry (Decree 43/2017, Annex I)" \
    --job "$scratch/job.json" --layout "$scratch/no-ingredients.layout"
job_with "$scratch/tourism.json" 'product.group="tourism"'
expect_equal "the same layout for a tourism service, which needs no ingredients: exit" \
    "$(labels tourism --job "$scratch/tourism.json" --layout "$scratch/no-ingredients.layout")" 0
expect_equal "… and it prints none" \
    "$(pdftotext -q "$scratch/tourism.pdf" - | grep -c "Thành phần")" 0
refuse "text over the code's quiet zone" \
    "ocoptrace: layout.text: 'quiet-zone.layout' line $(line_of "$scratch/quiet-zone.layout" gap): gap: -0.50 mm would print text over the code's 4-module quiet zone, which must stay clear for the code to scan" \
    --job "$scratch/job.json" --layout "$scratch/quiet-zone.layout"
refuse "a logo over the code" \
    "ocoptrace: layout.logo: 'logo-over-code.layout' line $(line_of "$scratch/logo-over-code.layout" "[logo]"): the box overlaps the code's box, which holds the code and its 4-module quiet zone: nothing may be printed there" \
    --job "$scratch/job.json" --layout "$scratch/logo-over-code.layout"
refuse "a stamp's layout" "ocoptrace: layout: 'stamp.layout' is not a label's layout (kind = label)" \
    --job "$scratch/job.json" --layout stamp
refuse "no such layout" \
    "ocoptrace: layout: cannot read '$scratch/none.layout'" --job "$scratch/job.json" \
    --layout "$scratch/none.layout"

# ---------- the logo ----------

expect_equal "logo in the job, default layout: exit" "$(labels logo --job "$scratch/logo.json")" 0
expect_equal "… one image, the logo's 300 x 100 pixels" \
    "$(pdfimages -list "$scratch/logo.pdf" | awk '$6 == "rgb" { print $4 "x" $5 }' | sort -u)" "300x100"
cut_label "$scratch/logo.pdf" logo
read -r inside outside <<<"$(red logo)"
[ "$inside" -gt 2000 ] && pass || fail "logo: its red on the rendered label ($inside pixels)"
expect_equal "… the code still reads, on the left" "$(halves logo)" "left:$(uri_of logo) right:"
expect_equal "logo header: exit" \
    "$(labels header --job "$scratch/job.json" --layout label-logo-header --logo "$scratch/logo.png")" 0
cut_label "$scratch/header.pdf" header
# The band: the top fifth of the area inside the 1.5 mm margin (and a
# pixel's rounding either side).
band=$(awk -v h=$HEIGHT 'BEGIN { printf "%.2f", 1.5 + (h - 3) * 0.2 + 0.1 }')
read -r inside outside <<<"$(red header 1.4 "$band")"
[ "$inside" -gt 2000 ] && [ "$outside" -eq 0 ] && pass ||
    fail "logo header: red in the band ($inside pixels) and nowhere else ($outside)"
expect_equal "… the code below it, on the left" "$(halves header)" "left:$(uri_of header) right:"
read -r inside outside <<<"$(red default)"
expect_equal "no logo: no red" "$inside $outside" "0 0"
refuse "a logo that is not a PNG" \
    "ocoptrace: logo: the logo must be a PNG image (its first bytes are not PNG's signature)" \
    --job "$scratch/job.json" --logo "$scratch/logo.jpg"
refuse "a logo of too many pixels" \
    "ocoptrace: logo: the logo is 2400 x 100 pixels; at most 2000 x 2000 are taken" \
    --job "$scratch/job.json" --logo "$scratch/wide.png"
refuse "a logo of too many bytes" \
    "ocoptrace: logo: '$scratch/huge.png' is $(stat -c %s "$scratch/huge.png") bytes; at most 1048576 are taken" \
    --job "$scratch/job.json" --logo "$scratch/huge.png"
refuse "a logo with a layout that has no place for it" \
    "ocoptrace: logo: the layout 'no-logo.layout' has no place for a logo: give it a [logo] box or 'logo' in the text's order, e.g. --layout label" \
    --job "$scratch/logo.json" --layout "$scratch/no-logo.layout"
"$OCOPTRACE" labels --job "$scratch/logo.json" --sheet roll-60x40 --format zpl -o "$scratch/logo.zpl" \
    2>"$scratch/err"
expect_equal "thermal labels: printed without the logo" "$?" 0
expect_equal "… and said so" "$(cat "$scratch/err")" \
    "ocoptrace: warning: logo: thermal labels carry no logo yet: it is left off"

# ---------- the API: ?layout= on labels.pdf and label.png, the stored logo ----------

# A data directory of the real templates, with the layouts above beside the shipped ones.
data=$scratch/data
mkdir -p "$data/templates/layouts"
for d in "$root"/templates/*; do
    [ "$(basename "$d")" = layouts ] || ln -s "$d" "$data/templates/"
done
ln -s "$root/fonts" "$data/fonts"
cp "$root"/templates/layouts/*.layout "$scratch"/*.layout "$data/templates/layouts/"
cat >"$data/templates/layouts/carton-qr-left.layout" <<'EOF'
# Carton label with the QR top left, the producer beside it on the right
kind = carton
margin = 3mm
[code]
box = 0 0 1 0.72
align = left
valign = top
module = 0.5mm
[from]
box = 0 0 1 0.72
clear = beside
order = from:7 producer:10 address:8
[content]
box = 0 0 1 0.72
clear = below
order = name:16 gtin:12 count:12 lot:12 expires:12
[barcode]
box = 0 0.72 1 0.28
align = center
valign = bottom
EOF
export OCOPTRACE_DATA=$data

db=$scratch/api.db
"$OCOPTRACE" user add --role admin root --db "$db" >/dev/null
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Thủy sản Hàm Tiến', 'Phường Hàm Tiến, Phan Thiết', 'cooperative')"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)
printf '[gs1]\ncompany_prefix = 8931234\nextension_digit = 0\n' >"$scratch/gs1.conf"
BASE_URL=https://truyxuat.example.vn/ocop
start_daemon "$db" --config "$scratch/gs1.conf" --base-url "$BASE_URL"
id_of() { grep -o '"id":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2; }
details='"net_quantity":"500 ml","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"'
P=$(id_of "$(call "$producer" POST /api/v1/products "{\"name\":\"Nước mắm Phan Thiết\",\"group\":\"food\",\"gtin\":\"8931234567897\",$details}")")
L=$(id_of "$(call "$producer" POST /api/v1/products/$P/lots '{"code":"L1","produced":"2025-03-01","expires":"2027-03-01"}')")
call "$producer" POST /api/v1/lots/$L/serials '{"count":2}' >/dev/null
jget 'chr(10).join(s["uri"] for s in d["serials"])' <"$scratch/body" >"$scratch/api-uris"
expect_equal "api setup: 2 serials" "$(wc -l <"$scratch/api-uris")" 2

# get PATH QUERY: GET the lot's PATH into $scratch/api.pdf; prints the status.
get() {
    curl -s -o "$scratch/api.pdf" -w '%{http_code}' -H "Authorization: Bearer $producer" \
        "$base/api/v1/lots/$L/$1$2"
}
# one_of HALVES: "left" or "right" when that half holds one of the lot's links and the other none.
one_of() {
    local left=${1#left:} right
    right=${left#* right:}
    left=${left%% right:*}
    if [ -z "$right" ] && grep -qxF -- "$left" "$scratch/api-uris"; then
        echo left
    elif [ -z "$left" ] && grep -qxF -- "$right" "$scratch/api-uris"; then
        echo right
    else
        echo "neither: $1"
    fi
}
expect_equal "api: labels.pdf, the default layout" "$(get labels.pdf "?sheet=a4-2x7")" 200
cut_label "$scratch/api.pdf" api
expect_equal "api: the code on the left" "$(one_of "$(halves api)")" left
expect_equal "api: ?layout=label-code-right" "$(get labels.pdf "?sheet=a4-2x7&layout=label-code-right")" 200
cut_label "$scratch/api.pdf" api
expect_equal "api: the code on the right" "$(one_of "$(halves api)")" right
expect_equal "api: label.png with ?layout=label-code-right" \
    "$(get label.png "?sheet=a4-2x7&layout=label-code-right")" 200
"$PY" -c 'import sys; from PIL import Image; Image.open(sys.argv[1]).convert("RGB").save(sys.argv[2])' \
    "$scratch/api.pdf" "$scratch/label-preview.png"
expect_equal "api: the preview's code on the right" "$(one_of "$(halves preview)")" right
# api_refused NAME QUERY FIELD TEXT: labels.pdf refused with 422, the error naming FIELD and saying TEXT.
api_refused() {
    expect_equal "api: $1" "$(get labels.pdf "$2")" 422
    expect_equal "api: $1: the field" "$(jget 'd["error"]["field"]' <"$scratch/api.pdf" 2>/dev/null)" "$3"
    grep -q -F -- "$4" "$scratch/api.pdf" && pass || fail "api: $1: says '$4': $(cat "$scratch/api.pdf")"
}
api_refused "a layout without the ingredients" "?sheet=a4-2x7&layout=no-ingredients" layout.text \
    "'no-ingredients.layout' line 5: the order has no 'ingredients' (product.ingredients), which a food label must carry (Decree 43/2017, Annex I)"
api_refused "text over the quiet zone" "?sheet=a4-2x7&layout=quiet-zone" layout.text \
    "would print text over the code's 4-module quiet zone"
api_refused "an unknown layout" "?sheet=a4-2x7&layout=nope" layout "unknown layout 'nope'"
api_refused "a layout outside the templates" "?sheet=a4-2x7&layout=..%2Fsheets%2Fa4-2x7" layout \
    "give ?layout=NAME"
api_refused "a stamp's layout" "?sheet=a4-2x7&layout=stamp" layout "is not a label's layout"

# The producer's stored logo, drawn where the layout has a place for it.
expect_equal "api: logo kept" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
    -H "Authorization: Bearer $producer" -H "Content-Type: image/png" \
    --data-binary "@$scratch/logo.png" "$base/api/v1/producers/1/logo")" 200
expect_equal "api: labels with the stored logo" "$(get labels.pdf "?sheet=a4-2x7")" 200
expect_equal "api: the logo drawn, 300 x 100" \
    "$(pdfimages -list "$scratch/api.pdf" | awk '$6 == "rgb" { print $4 "x" $5 }' | sort -u)" "300x100"
cut_label "$scratch/api.pdf" api
read -r inside outside <<<"$(red api)"
[ "$inside" -gt 2000 ] && pass || fail "api: the logo's red on the label ($inside pixels)"
expect_equal "api: its code still reads" "$(one_of "$(halves api)")" left
expect_equal "api: a layout without a place for it" "$(get labels.pdf "?sheet=a4-2x7&layout=no-logo")" 200
expect_equal "api: no logo drawn there" "$(pdfimages -list "$scratch/api.pdf" | awk '$6 == "rgb"' | wc -l)" 0

# ---------- carton labels from carton.layout and carton-low.layout ----------

call "$producer" POST "/api/v1/lots/$L/cartons" '{"units_per_carton":2}' >/dev/null
CARTON=$(jget 'd["cartons"][0]["sscc"]' <"$scratch/body")
# carton QUERY: the carton's label into $scratch/carton.pdf; prints the status.
carton() {
    curl -s -o "$scratch/carton.pdf" -w '%{http_code}' -H "Authorization: Bearer $producer" \
        "$base/api/v1/cartons/$CARTON/label.pdf$1"
}
# carton_symbols [LEFT|RIGHT]: what zbarimg reads on the label at 300 dpi (or its half), sorted.
carton_symbols() {
    pdftoppm -r 300 -gray -png -singlefile "$scratch/carton.pdf" "$scratch/carton" 2>/dev/null
    "$PY" - "$scratch/carton.png" "${1:-whole}" <<'EOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1])
w, h = im.size
box = {"left": (0, 0, w // 2, h), "right": (w // 2, 0, w, h)}.get(sys.argv[2], (0, 0, w, h))
im.crop(box).save(sys.argv[1])
EOF
    zbarimg -q "$scratch/carton.png" 2>/dev/null | sort
}
want_symbols=$(printf 'CODE-128:00%s\nQR-Code:%s/00/%s' "$CARTON" "$BASE_URL" "$CARTON")
for query in "" "?sheet=a6" "?sheet=roll-100x50" "?sheet=roll-100x150&layout=carton" \
    "?sheet=roll-100x50&layout=carton-low"; do
    expect_equal "carton label $query: a PDF" "$(carton "$query")" 200
    expect_equal "… the SSCC's GS1-128 and the QR read" "$(carton_symbols)" "$want_symbols"
    text=$(pdftotext -q "$scratch/carton.pdf" - | tr '\n' ' ' | tr -s ' ')
    missing=
    for want in "(00)$CARTON" "(02) 08931234567897" "(37) 2" "(10) L1" "(17) 270301" \
        "HTX Thủy sản Hàm Tiến" "Nước mắm Phan Thiết"; do
        [[ $text == *"$want"* ]] || missing+=" '$want'"
    done
    expect_equal "… its text reads back" "${missing:-none missing}" "none missing"
done
expect_equal "carton label, the QR on the left: a PDF" "$(carton "?layout=carton-qr-left")" 200
expect_equal "… the QR in the left half" "$(carton_symbols left | grep -c "^QR-Code:$BASE_URL/00/$CARTON$")" 1
expect_equal "… and not in the right" "$(carton_symbols right | grep -c '^QR-Code:')" 0
expect_equal "… the bars still read" "$(carton_symbols | grep -c "^CODE-128:00$CARTON$")" 1
expect_equal "carton label with a label's layout" "$(carton "?layout=label")" 422
expect_equal "… the field" "$(jget 'd["error"]["field"]' <"$scratch/carton.pdf")" layout
grep -q -F "'label.layout' is not a carton label's layout" "$scratch/carton.pdf" && pass ||
    fail "carton label with a label's layout: $(cat "$scratch/carton.pdf")"

finish
