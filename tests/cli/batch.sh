#!/usr/bin/env bash
# `ocoptrace qr --batch`: one code per non-empty line, numbered files, every
# file decoded; a bad line refuses the whole batch and writes nothing.
suite=cli-batch
. "$(dirname "$0")/../lib.sh"

base=https://truyxuatsanphambinhthuan.vn
gtin=08931234567897

# Lines: URIs, free text, an empty line, a CRLF line, trailing spaces kept.
lines=(
    "$base/01/$gtin/10/L2025A/21/A0001?17=270301"
    "$base/01/$gtin/10/L2025A/21/a0002?17=270301"
    ""
    "Nước mắm Phan Thiết"
    "  spaced text  "
)
{
    printf '%s\n' "${lines[0]}" "${lines[1]}" "${lines[2]}"
    printf '%s\r\n' "${lines[3]}"
    printf '%s' "${lines[4]}"
} >"$scratch/batch.txt"
expected=("${lines[0]}" "${lines[1]}" "${lines[3]}" "${lines[4]}")

for fmt in png svg; do
    dir=$scratch/out-$fmt/nested
    "$OCOPTRACE" qr --batch "$scratch/batch.txt" --out-dir "$dir" --format $fmt 2>"$scratch/err"
    expect_equal "batch $fmt exit" "$?" 0
    expect_equal "batch $fmt file count" "$(ls "$dir" | wc -l)" "${#expected[@]}"
    for i in "${!expected[@]}"; do
        file=$(printf '%s/%06d.%s' "$dir" $((i + 1)) $fmt)
        expect_decode "batch $fmt line $((i + 1))" "$file" "${expected[$i]}"
    done
done

# Run again into a folder that holds larger images of the same lines (10 px
# per module): every file ends up byte for byte what a fresh run writes,
# none keeps the tail of the old one.
rerun=$scratch/rerun
"$OCOPTRACE" qr --batch "$scratch/batch.txt" --out-dir "$rerun" --module-px 10 2>"$scratch/err"
old_size=$(wc -c <"$rerun/000001.png")
fresh_size=$(wc -c <"$scratch/out-png/nested/000001.png")
[ "$old_size" -gt "$fresh_size" ] && pass || fail "run again: the old image is not larger"
"$OCOPTRACE" qr --batch "$scratch/batch.txt" --out-dir "$rerun" 2>"$scratch/err"
expect_equal "batch run again exit" "$?" 0
for i in "${!expected[@]}"; do
    name=$(printf '%06d.png' $((i + 1)))
    cmp -s "$rerun/$name" "$scratch/out-png/nested/$name" && pass ||
        fail "batch run again: $name is not what a fresh run writes"
done

# A larger batch, so that every core takes part: each file holds its own line.
for i in $(seq 1 300); do printf '%s/01/%s/21/S%05d\n' "$base" "$gtin" "$i"; done >"$scratch/many.txt"
"$OCOPTRACE" qr --batch "$scratch/many.txt" --out-dir "$scratch/many" 2>"$scratch/err"
expect_equal "batch of 300 exit" "$?" 0
expect_equal "batch of 300 count" "$(ls "$scratch/many" | wc -l)" 300
for i in 1 2 77 150 299 300; do
    expect_decode "batch of 300, file $i" "$(printf '%s/many/%06d.png' "$scratch" "$i")" \
        "$(printf '%s/01/%s/21/S%05d' "$base" "$gtin" "$i")"
done

# refuse_batch NAME WANT FILE: exit 2, these lines, and no file in the folder.
refuse_batch() {
    local name=$1 want=$2 file=$3
    rm -rf "$scratch/refused"
    mkdir -p "$scratch/refused"
    touch "$scratch/refused/keep.txt"
    "$OCOPTRACE" qr --batch "$file" --out-dir "$scratch/refused" 2>"$scratch/err"
    expect_equal "$name: exit" "$?" 2
    expect_equal "$name: message" "$(cat "$scratch/err")" "$want"
    expect_equal "$name: nothing written" "$(ls "$scratch/refused")" "keep.txt"
}

printf 'good\nbad \xff line\nalso good\n\xc3(\n' >"$scratch/bad-utf8.txt"
refuse_batch "invalid utf-8" "ocoptrace: line 2: not valid UTF-8 at byte 5
ocoptrace: line 4: not valid UTF-8 at byte 1" "$scratch/bad-utf8.txt"

{
    echo short
    head -c 3000 /dev/zero | tr '\0' 'x'
    echo
    echo fine
} >"$scratch/too-long.txt"
refuse_batch "too long line" "ocoptrace: line 2: too long for a QR code at error correction level M" \
    "$scratch/too-long.txt"

printf '\n\n\r\n' >"$scratch/empty.txt"
refuse_batch "no lines" "ocoptrace: batch: must have 1 to 999999 non-empty lines, found 0" \
    "$scratch/empty.txt"

"$OCOPTRACE" qr --batch "$scratch/none.txt" --out-dir "$scratch/x" 2>"$scratch/err"
expect_equal "missing batch file exit" "$?" 1
grep -q "^ocoptrace: cannot read '$scratch/none.txt': No such file or directory$" "$scratch/err" &&
    pass || fail "missing batch file message: $(cat "$scratch/err")"

"$OCOPTRACE" qr --batch "$scratch/batch.txt" 2>"$scratch/err"
expect_equal "batch without out-dir" "$(cat "$scratch/err")" "ocoptrace: out-dir: required with --batch"

touch "$scratch/a-file"
"$OCOPTRACE" qr --batch "$scratch/batch.txt" --out-dir "$scratch/a-file" 2>"$scratch/err"
expect_equal "out-dir is a file: exit" "$?" 1
expect_equal "out-dir is a file: message" "$(cat "$scratch/err")" \
    "ocoptrace: cannot create '$scratch/a-file': Not a directory"

finish
