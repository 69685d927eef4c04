#!/usr/bin/env bash
# `ocoptrace keys` and `ocoptrace certificate` as an officer and a checker
# use them: sign, render, rasterise at 300 dpi, decode the code, verify it
# offline; any altered byte of the signed payload fails; pdftotext finds
# every field; the council's and the authority's rules refuse what they must.
suite=cli-certificate
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3

cat >"$scratch/cert.json" <<'EOF'
{
  "number": "OCOP-BTh-2025-0042",
  "decision": {"number": "1032/QĐ-UBND", "date": "2025-06-20", "level": "province",
               "issuer": "Ủy ban nhân dân tỉnh Bình Thuận",
               "signer": {"title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "name": "Nguyễn Văn A"}},
  "scores": {"a": 34, "b": 20, "c": 28},
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "group": "food", "gtin": "08931234567897"}
}
EOF

# cert_with OUT CHANGE...: the certificate with each change applied (see json_with).
cert_with() {
    local out=$1
    shift
    json_with "$scratch/cert.json" "$out" "$@"
}

# ---------- keys ----------

pub=$("$OCOPTRACE" keys generate --out "$scratch/issuer.key")
expect_equal "keys generate: exit" "$?" 0
[[ $pub =~ ^ed25519:[A-Za-z0-9_-]{43}$ ]] && pass || fail "public key printed as ed25519:...: '$pub'"
expect_equal "secret key file mode" "$(stat -c %a "$scratch/issuer.key")" 600
echo "$pub" >"$scratch/issuer.pub"
before=$(cat "$scratch/issuer.key")
"$OCOPTRACE" keys generate --out "$scratch/issuer.key" >/dev/null 2>"$scratch/err"
expect_equal "an existing key is not replaced: exit" "$?" 1
expect_equal "an existing key is not replaced: content" "$(cat "$scratch/issuer.key")" "$before"
other=$("$OCOPTRACE" keys generate --out "$scratch/other.key")

# ---------- issue, render, decode, verify ----------

"$OCOPTRACE" certificate --json "$scratch/cert.json" --key "$scratch/issuer.key" \
    -o "$scratch/cert.pdf" 2>"$scratch/err"
expect_equal "certificate: exit" "$?" 0
qpdf --check "$scratch/cert.pdf" >/dev/null 2>&1 && pass || fail "qpdf --check"
size=$(pdfinfo "$scratch/cert.pdf" | awk '/^Page size:/ { printf "%.0f x %.0f", $3 * 25.4 / 72, $5 * 25.4 / 72 }')
expect_equal "A4 landscape (mm)" "$size" "297 x 210"
text=$(pdftotext -q "$scratch/cert.pdf" - | tr '\n' ' ' | tr -s ' ')
for field in "Ủy ban nhân dân tỉnh Bình Thuận" "GIẤY CHỨNG NHẬN SẢN PHẨM OCOP" "OCOP-BTh-2025-0042" \
    "1032/QĐ-UBND" "20/06/2025" "Nước mắm Phan Thiết 40 độ đạm" "Thực phẩm" "08931234567897" \
    "HTX Thủy sản Hàm Tiến" "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận" \
    "Đạt 4 sao" "82/100" "Có giá trị 36 tháng kể từ ngày ký" "20/06/2028" "KT. CHỦ TỊCH" \
    "PHÓ CHỦ TỊCH" "Nguyễn Văn A"; do
    grep -q -F "$field" <<<"$text" && pass || fail "pdftotext finds '$field'"
done

pdftoppm -r 300 -gray -png -singlefile "$scratch/cert.pdf" "$scratch/cert" 2>/dev/null
code=$(zbarimg -q --raw "$scratch/cert.png" 2>/dev/null)
[[ $code == https://truyxuatsanphambinhthuan.vn/c/OCOP-BTh-2025-0042\?seal=* ]] && pass ||
    fail "the code opens the status page: '$code'"
"$OCOPTRACE" certificate verify --pub "$pub" "$code" >"$scratch/out" 2>"$scratch/err"
expect_equal "verify: exit" "$?" 0
for line in "number: OCOP-BTh-2025-0042" "decision: 1032/QĐ-UBND" "decided: 2025-06-20" \
    "level: province" "stars: 4" "score: 82" "valid until: 2028-06-20" "group: food" \
    "gtin: 08931234567897" "product: Nước mắm Phan Thiết 40 độ đạm" \
    "producer: HTX Thủy sản Hàm Tiến" "signature valid"; do
    grep -q -x -F "$line" "$scratch/out" && pass || fail "verify prints '$line'"
done
"$OCOPTRACE" certificate verify --pub "$scratch/issuer.pub" "$code" >/dev/null 2>&1
expect_equal "verify with the key in a file" "$?" 0
seal=${code#*seal=}
"$OCOPTRACE" certificate verify --pub "$pub" "$seal" >/dev/null 2>&1
expect_equal "verify the seal alone" "$?" 0

# The code must scan from a printed page: QR version 15 or lower.
"$OCOPTRACE" qr --text "$code" --module-px 1 -o "$scratch/v.png" 2>/dev/null
modules=$(($(od -An -tu1 -j16 -N4 "$scratch/v.png" | awk '{ print $1*16777216+$2*65536+$3*256+$4 }') - 8))
version=$(((modules - 17) / 4))
[ "$version" -le 15 ] && pass || fail "the certificate's code is version $version, more than 15"

# ---------- anything altered fails ----------

# Every byte of the signed payload and signature, flipped in turn.
"$PY" - "$seal" >"$scratch/altered" <<'EOF'
import base64, sys
seal = sys.argv[1]
raw = bytearray(base64.urlsafe_b64decode(seal + "=" * (-len(seal) % 4)))
for i in range(len(raw)):
    changed = bytearray(raw)
    changed[i] ^= 0x01
    print(base64.urlsafe_b64encode(bytes(changed)).decode().rstrip("="))
EOF
total=$(wc -l <"$scratch/altered")
[ "$total" -gt 100 ] && pass || fail "the seal has $total bytes"
refused=0
while read -r altered; do
    "$OCOPTRACE" certificate verify --pub "$pub" \
        "https://truyxuatsanphambinhthuan.vn/c/OCOP-BTh-2025-0042?seal=$altered" \
        >/dev/null 2>"$scratch/err"
    [ $? -eq 1 ] && grep -q "^ocoptrace: signature does not match$" "$scratch/err" && refused=$((refused + 1))
done <"$scratch/altered"
expect_equal "every flipped byte fails with exit 1" "$refused" "$total"

"$OCOPTRACE" certificate verify --pub "$other" "$code" >/dev/null 2>"$scratch/err"
expect_equal "another issuer's key: exit" "$?" 1
"$OCOPTRACE" certificate verify --pub "$pub" "${code/OCOP-BTh-2025-0042/OCOP-BTh-2025-0043}" \
    >/dev/null 2>"$scratch/err"
expect_equal "another number in the URL: exit" "$?" 1
"$OCOPTRACE" certificate verify --pub "$pub" "https://example.vn/c/x?seal=%%%" \
    >/dev/null 2>"$scratch/err"
expect_equal "not base64: exit" "$?" 2
expect_equal "not base64: message" "$(cat "$scratch/err")" \
    "ocoptrace: text: not a certificate seal: the seal is not base64url"
"$OCOPTRACE" certificate verify --pub "$pub" "abcd" >/dev/null 2>"$scratch/err"
expect_equal "too short: exit" "$?" 2
"$OCOPTRACE" certificate verify --pub "ed25519:short" "$code" >/dev/null 2>"$scratch/err"
expect_equal "bad public key: exit" "$?" 2

# ---------- the rules refuse, naming them; nothing written ----------

refuse() {
    local name=$1 want=$2
    shift 2
    cert_with "$scratch/refused.json" "$@"
    rm -f "$scratch/refused.pdf"
    "$OCOPTRACE" certificate --json "$scratch/refused.json" --key "$scratch/issuer.key" \
        -o "$scratch/refused.pdf" 2>"$scratch/err"
    expect_equal "$name: exit" "$?" 2
    expect_equal "$name: message" "$(cat "$scratch/err")" "$want"
    [ -e "$scratch/refused.pdf" ] && fail "$name: a PDF was written" || pass
}

refuse "two stars" "ocoptrace: scores: a total of 45 gives 2 stars; only 3 to 5 stars are recognised with a certificate (Decision 148/QĐ-TTg)" \
    'scores.a=20' 'scores.b=10' 'scores.c=15'
refuse "part out of range" "ocoptrace: scores.b: must be 0 to 25, found 26" 'scores.b=26'
refuse "district after the reform" "ocoptrace: decision.level: from 01/07/2025 districts no longer recognise OCOP products (Decision 1489/QĐ-TTg)" \
    'scores.a=30' 'scores.b=15' 'scores.c=15' 'decision.level="district"' 'decision.date="2025-07-01"'
refuse "province for four stars before the reform, three given" "ocoptrace: decision.level: until 30/06/2025 a province recognises 4 stars only, not 3 (Decision 148/QĐ-TTg)" \
    'scores.a=30' 'scores.b=15' 'scores.c=15' 'decision.date="2025-06-30"'
refuse "five stars by a province after the reform" "ocoptrace: decision.level: from 01/07/2025 5 stars are recognised nationally, not by a province (Decision 1489/QĐ-TTg)" \
    'scores.a=40' 'scores.b=25' 'scores.c=30' 'decision.date="2025-07-01"'
refuse "unknown level" "ocoptrace: decision.level: must be one of district, province, national" \
    'decision.level="commune"'
refuse "unknown key" "ocoptrace: decision.seal: unknown key" 'decision.seal="x"'
refuse "missing signer" "ocoptrace: decision.signer: required" 'decision.signer=DELETE'
refuse "impossible date" "ocoptrace: decision.date: '2025-02-29' is not a date: February 2025 has 28 days" \
    'decision.date="2025-02-29"'
refuse "bad number" "ocoptrace: number: must be 1 to 40 letters, digits or '-._/'" 'number="Số 42"'

# A district's three stars before the reform, and a province's after it.
cert_with "$scratch/district.json" 'scores.a=30' 'scores.b=15' 'scores.c=15' \
    'decision.level="district"' 'decision.date="2025-06-30"'
"$OCOPTRACE" certificate --json "$scratch/district.json" --key "$scratch/issuer.key" -o "$scratch/d.pdf"
expect_equal "district, 3 stars, 30/06/2025" "$?" 0
cert_with "$scratch/long.json" 'scores.a=30' 'scores.b=15' 'scores.c=15' 'decision.date="2025-07-01"' \
    'product.name="Mật ong hoa cà phê nguyên chất thu hoạch vụ xuân từ các trang trại ong ở vùng cao nguyên huyện Đức Trọng"'
"$OCOPTRACE" certificate --json "$scratch/long.json" --key "$scratch/issuer.key" -o "$scratch/long.pdf"
expect_equal "province, 3 stars, 01/07/2025, long name" "$?" 0
text=$(pdftotext -q "$scratch/long.pdf" - | tr '\n' ' ' | tr -s ' ')
grep -q -F "vùng cao nguyên huyện Đức Trọng" <<<"$text" && pass || fail "the long name is printed whole"

finish
