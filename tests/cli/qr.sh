#!/usr/bin/env bash
# `ocoptrace qr` and `ocoptrace gs1` as a user runs them: every image is
# decoded by zbarimg and must hold exactly the expected text; every refusal
# exits 2 with its lines and leaves no file behind.
suite=cli-qr
. "$(dirname "$0")/../lib.sh"

base=https://truyxuatsanphambinhthuan.vn
gtin=08931234567897

# qr_case NAME EXPECTED ARGS...: run `ocoptrace qr ARGS -o FILE` for PNG and
# SVG and decode both.
qr_case() {
    local name=$1 want=$2
    shift 2
    local ext
    for ext in png svg; do
        local out=$scratch/case.$ext
        rm -f "$out"
        if "$OCOPTRACE" qr "$@" -o "$out" 2>"$scratch/err"; then
            expect_decode "$name ($ext)" "$out" "$want"
        else
            fail "$name ($ext): exit $?: $(cat "$scratch/err")"
        fi
    done
}

qr_case "gtin, lot, serial, expiry" "$base/01/$gtin/10/L2025A/21/AB%2F12?17=270301" \
    --gtin 8931234567897 --lot L2025A --serial AB/12 --expiry 2027-03-01
qr_case "gtin only" "$base/01/$gtin" --gtin $gtin
qr_case "gtin-8" "$base/01/00000096385074/21/x" --gtin 96385074 --serial x
qr_case "lower case kept" "$base/01/$gtin/10/lot-abc/21/serial.xyz" \
    --gtin $gtin --lot lot-abc --serial serial.xyz
qr_case "set 82 specials" "$base/01/$gtin/21/%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_" \
    --gtin $gtin --serial '!"%&'"'"'()*+,-./:;<=>?_'
qr_case "base url" "http://127.0.0.1:8080/dl/01/$gtin/10/A?17=281231" \
    --gtin $gtin --lot A --expiry 2028-12-31 --base-url http://127.0.0.1:8080/dl/
qr_case "level L" "$base/01/$gtin/10/L1" --gtin $gtin --lot L1 --ec L
qr_case "level H" "$base/01/$gtin/10/L1" --gtin $gtin --lot L1 --ec H
qr_case "module px 2" "$base/01/$gtin/10/L1" --gtin $gtin --lot L1 --module-px 2 --dpi 150
qr_case "text ascii" "Hello, OCOP!" --text "Hello, OCOP!"
qr_case "text vietnamese" "Nước mắm Phan Thiết 40 độ đạm" --text "Nước mắm Phan Thiết 40 độ đạm"
qr_case "text mixed case" "AbC dEf 123 xyz" --text "AbC dEf 123 xyz"
qr_case "text emoji" "Gạo 🌾 ST25" --text "Gạo 🌾 ST25"
qr_case "text percent" "a%2Fb c" --text "a%2Fb c"

# Format from the file name, and an explicit --format over it.
"$OCOPTRACE" qr --gtin $gtin -o "$scratch/auto.svg" &&
    head -c 200 "$scratch/auto.svg" | grep -q '<svg' && pass || fail "format from .svg name"
"$OCOPTRACE" qr --gtin $gtin --format png -o "$scratch/forced.svg" &&
    head -c 8 "$scratch/forced.svg" | grep -q PNG && pass || fail "--format png over .svg name"

# -o - writes the image to standard output.
for fmt in png svg; do
    "$OCOPTRACE" qr --gtin $gtin --lot STDOUT --format $fmt -o - >"$scratch/stdout.$fmt"
    expect_decode "stdout $fmt" "$scratch/stdout.$fmt" "$base/01/$gtin/10/STDOUT"
done

# PNG facts a printer relies on: 1-bit greyscale and the DPI in pHYs.
"$OCOPTRACE" qr --gtin $gtin --module-px 10 --dpi 600 -o "$scratch/dpi.png"
ihdr=$(od -An -tx1 -j24 -N2 "$scratch/dpi.png" | tr -d ' ')
expect_equal "png is 1-bit greyscale" "$ihdr" "0100"
phys=$(grep -abo pHYs "$scratch/dpi.png" | head -n 1 | cut -d: -f1)
ppm=$(od -An -tu1 -j$((phys + 4)) -N4 "$scratch/dpi.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
expect_equal "png pHYs for 600 dpi" "$ppm" "23622"

# refuse NAME WANT_STDERR ARGS...: exit 2, exactly these lines, no file.
refuse() {
    local name=$1 want=$2
    shift 2
    local out=$scratch/refused.png
    rm -f "$out"
    "$OCOPTRACE" "$@" >"$scratch/out" 2>"$scratch/err"
    local status=$?
    expect_equal "$name: exit status" "$status" 2
    expect_equal "$name: message" "$(cat "$scratch/err")" "$want"
    if [ -e "$out" ] || ls "$scratch"/refused.png.* >/dev/null 2>&1; then
        fail "$name: an output file was left behind"
    else
        pass
    fi
}

o=$scratch/refused.png
refuse "bad check digit" "ocoptrace: gtin: check digit is 5, expected 7" \
    qr --gtin 08931234567895 -o "$o"
refuse "gtin length" "ocoptrace: gtin: must have 8, 12, 13 or 14 digits, found 10" \
    qr --gtin 0893123456 -o "$o"
refuse "gtin letters" "ocoptrace: gtin: must be digits only, found 'O' at position 2" \
    qr --gtin 0O931234567897 -o "$o"
refuse "every problem listed" "ocoptrace: ec: must be L, M, Q or H
ocoptrace: gtin: check digit is 5, expected 7
ocoptrace: lot: 'ô' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and !\"%&'()*+,-./:;<=>?_ only)
ocoptrace: serial: must be 1 to 20 characters, found 21
ocoptrace: expiry: '2025-02-30' is not a date: February 2025 has 28 days" \
    qr --gtin 08931234567895 --lot 'Lô1' --serial ABCDEFGHIJ01234567890 --expiry 2025-02-30 --ec X -o "$o"
refuse "lot with space" "ocoptrace: lot: ' ' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and !\"%&'()*+,-./:;<=>?_ only)" \
    qr --gtin $gtin --lot 'L 1' -o "$o"
dots="' cannot be used: a browser drops a '.' or '..' path segment from the Digital Link (RFC 3986 dot segments)"
refuse "lot of one dot" "ocoptrace: lot: '.$dots" qr --gtin $gtin --lot . -o "$o"
refuse "serial of two dots" "ocoptrace: serial: '..$dots" qr --gtin $gtin --lot L --serial .. -o "$o"
refuse "empty serial" "ocoptrace: serial: must not be empty" qr --gtin $gtin --serial '' -o "$o"
refuse "expiry format" "ocoptrace: expiry: must be a date as YYYY-MM-DD, found '01/03/2027'" \
    qr --gtin $gtin --expiry 01/03/2027 -o "$o"
refuse "expiry century" "ocoptrace: expiry: year must be 2000 to 2099, found 2100 (GS1 dates are YYMMDD)" \
    qr --gtin $gtin --expiry 2100-01-01 -o "$o"
refuse "base url scheme" "ocoptrace: base-url: must start with https:// or http://" \
    qr --gtin $gtin --base-url ftp://example.vn -o "$o"
refuse "format" "ocoptrace: format: must be png or svg" qr --gtin $gtin --format gif -o "$o"
refuse "module px" "ocoptrace: module-px: must be a whole number from 1 to 100" \
    qr --gtin $gtin --module-px 0 -o "$o"
refuse "dpi" "ocoptrace: dpi: must be a whole number from 1 to 9600" qr --gtin $gtin --dpi 3x -o "$o"
refuse "no source" "ocoptrace: qr: give exactly one of --gtin, --text or --batch" qr -o "$o"
refuse "two sources" "ocoptrace: qr: give exactly one of --gtin, --text or --batch" \
    qr --gtin $gtin --text x -o "$o"
refuse "lot without gtin" "ocoptrace: lot: only goes with --gtin" qr --text x --lot L -o "$o"
refuse "no output" "ocoptrace: output: required: -o FILE, or -o - for standard output" \
    qr --gtin $gtin
refuse "invalid utf-8 text" "ocoptrace: text: not valid UTF-8 at byte 3" qr --text $'ab\xff' -o "$o"
refuse "text too long" "ocoptrace: text: too long for a QR code at error correction level H" \
    qr --text "$(head -c 3000 /dev/zero | tr '\0' 'x')" --ec H -o "$o"
refuse "unknown option" "ocoptrace: qr: unknown option '--colour'" qr --colour red -o "$o"
refuse "missing value" "ocoptrace: qr: option '--gtin' needs a value" qr --gtin
refuse "unknown command" "ocoptrace: 'qrcode' is not a command; see 'ocoptrace --help'" qrcode

# An existing file is not touched when the input is refused.
echo keep >"$scratch/existing.png"
"$OCOPTRACE" qr --gtin 08931234567895 -o "$scratch/existing.png" 2>/dev/null
expect_equal "refusal keeps an existing file" "$(cat "$scratch/existing.png")" keep

# A directory that does not exist is an I/O failure: exit 1, nothing written.
"$OCOPTRACE" qr --gtin $gtin -o "$scratch/missing/dir/x.png" 2>"$scratch/err"
expect_equal "unwritable output exits 1" "$?" 1
grep -q "^ocoptrace: cannot write '$scratch/missing/dir/x.png': " "$scratch/err" && pass ||
    fail "unwritable output names the file: $(cat "$scratch/err")"

# A module under 0.4 mm is written, with a warning.
"$OCOPTRACE" qr --gtin $gtin --module-px 2 --dpi 300 -o "$scratch/small.png" 2>"$scratch/err"
expect_equal "small module exit" "$?" 0
grep -q "warning: a module is 0.17 mm at 300 dpi" "$scratch/err" && pass ||
    fail "small module warns: $(cat "$scratch/err")"

# Help and version.
"$OCOPTRACE" --help | grep -q '^usage: ocoptrace' && pass || fail "--help"
"$OCOPTRACE" qr --help | grep -q -- '--batch FILE' && pass || fail "qr --help"
"$OCOPTRACE" --version | grep -Eq '^ocoptrace [0-9]+\.[0-9]+\.[0-9]+$' && pass || fail "--version"
"$OCOPTRACE" gs1 --help | grep -q 'check URI' && pass || fail "gs1 --help"

# gs1 check: element strings, and refusals.
gs1_case() {
    local uri=$1 want=$2 status=$3
    local got
    got=$("$OCOPTRACE" gs1 check "$uri" 2>&1)
    local rc=$?
    expect_equal "gs1 check '$uri'" "$got" "$want"
    expect_equal "gs1 check '$uri' exit" "$rc" "$status"
}
gs1_case "$base/01/$gtin/10/L2025A/21/AB%2F12?17=270301" "(01)$gtin(10)L2025A(21)AB/12(17)270301" 0
gs1_case "$base/01/$gtin" "(01)$gtin" 0
gs1_case "https://id.example.vn/shop/01/$gtin/22/V2/10/a%2fb?11=250301&linkType=all" \
    "(01)$gtin(22)V2(10)a/b(11)250301" 0
gs1_case "$base/01/$gtin/21/S/10/L" "ocoptrace: path: AI 10 must come before AI 21 (order 22, 10, 21)" 2
gs1_case "$base/01/08931234567895" "ocoptrace: gtin: check digit is 5, expected 7" 2
gs1_case "$base/01/$gtin?17=250229" "ocoptrace: expiry: '250229' is not a date: February 2025 has 28 days" 2
gs1_case "$base/01/$gtin/10/L%C3%B4" "ocoptrace: lot: 'ô' at position 2 is not in GS1 character set 82 (letters A-Z a-z, digits and !\"%&'()*+,-./:;<=>?_ only)" 2
gs1_case "$base/01/$gtin/10/L%2G" "ocoptrace: lot: '%2G' at position 2 is not a valid percent-encoding" 2
gs1_case "$base/products/1" "ocoptrace: path: has no GTIN: expected '/01/{gtin}'" 2
gs1_case "$base/01/08931234567895/21/S/10/L?17=251301" "ocoptrace: gtin: check digit is 5, expected 7
ocoptrace: path: AI 10 must come before AI 21 (order 22, 10, 21)
ocoptrace: expiry: '251301' is not a date: month 13 does not exist" 2
# A '(' of a value is printed \( so that the element string reads back.
gs1_case "$base/01/$gtin/10/(10)/21/X" "(01)$gtin(10)\\(10)(21)X" 0
gs1_case "$base/01/$gtin/21/%28%28)" "(01)$gtin(21)\\(\\()" 0
# Raw characters RFC 3986 does not allow are refused; percent-encoded, the
# set 82 ones are values like any other.
raw_refused() {
    printf "ocoptrace: %s: '%s' at position %s is not allowed raw in a Digital Link URI (RFC 3986: letters, digits and -._~!\$&'()*+,;=:@ only): percent-encode it as %%%s" "$@"
}
gs1_case "$base/01/$gtin/10/%22%3C%3E" "(01)$gtin(10)\"<>" 0
gs1_case "$base/01/$gtin/10/A\"B" "$(raw_refused lot '"' 2 22)" 2
gs1_case "$base/01/$gtin/10/L/21/<S>" "$(raw_refused serial '<' 1 3C)" 2
gs1_case "$base/01/$gtin/21/S>" "$(raw_refused serial '>' 2 3E)" 2
gs1_case "$base/01/$gtin/21/a{b}" "$(raw_refused serial '{' 2 7B)" 2
gs1_case "$base/shop\"/01/$gtin" "$(raw_refused path '"' 6 22)" 2
gs1_case "$base/01/$gtin?17=270301&q=<" "$(raw_refused query '<' 13 3C)" 2
# A dot segment, raw or encoded, would be dropped by the phone's browser.
gs1_case "$base/01/$gtin/10/./21/X" "ocoptrace: lot: '.$dots" 2
gs1_case "$base/01/$gtin/10/L/21/.." "ocoptrace: serial: '..$dots" 2
gs1_case "$base/01/$gtin/10/%2e/21/X" "ocoptrace: lot: '.$dots" 2
gs1_case "$base/01/$gtin/10/L/21/%2E%2E" "ocoptrace: serial: '..$dots" 2
gs1_case "$base/01/$gtin/10/.../21/.x" "(01)$gtin(10)...(21).x" 0
# Element strings read back, and refused where they must be.
gs1_case "(01)$gtin(10)\\(10)(21)X" "$base/01/$gtin/10/%2810%29/21/X" 0
gs1_case "(01)$gtin(10)a\\b" "ocoptrace: element-string: '\\' at position 24 may only escape a '(' of a value" 2
gs1_case "(01)$gtin(10).." "ocoptrace: lot: '..$dots" 2
gs1_case "(10)L(21)S" "ocoptrace: element-string: has no GTIN: expected '(01)'" 2

# Round trip: URI, element string, URI again, the same.
for uri in "$base/01/$gtin/10/L2025A/21/AB%2F12?17=270301" "$base/01/$gtin/10/%28%28%28/21/%29%28" \
    "$base/01/$gtin/22/%28V%29/10/A%28B%29C/21/%21%22%25%26%27%28%29%2A%2B?11=250301&17=270300"; do
    element=$("$OCOPTRACE" gs1 check "$uri")
    expect_equal "'$uri' back from '$element'" "$("$OCOPTRACE" gs1 check "$element")" "$uri"
done

got=$("$OCOPTRACE" gs1 check-digit 0893123456789)
expect_equal "gs1 check-digit" "$got" "$gtin"
got=$("$OCOPTRACE" gs1 check-digit 9638507)
expect_equal "gs1 check-digit of GTIN-8" "$got" "00000096385074"

# Every code the CLI makes, parsed back by gs1 check.
"$OCOPTRACE" qr --gtin $gtin --lot 'a/b' --serial 'Z(9)' --expiry 2026-11-30 -o "$scratch/rt.png"
uri=$(decode "$scratch/rt.png")
got=$("$OCOPTRACE" gs1 check "$uri")
expect_equal "decoded code parses back" "$got" "(01)$gtin(10)a/b(21)Z\\(9)(17)261130"
expect_equal "its element string gives the code back" "$("$OCOPTRACE" gs1 check "$got")" "$uri"

finish
