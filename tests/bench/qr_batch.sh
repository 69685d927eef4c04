#!/usr/bin/env bash
# Benchmark, not a test: QR codes per second written as PNG files by
# `ocoptrace qr --batch` and by zint's --batch, on the same Digital Link
# URIs with the same symbol settings (level M, 5 pixels per module, 4-module
# quiet zone), in the same run. Prints both rates and their ratio.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
COUNT=${BENCH_COUNT:-10000}
RUNS=${BENCH_RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Serials as a producer gets them: 10 random characters of set 82 letters.
od -An -v -tu1 -N $((COUNT * 10)) /dev/urandom | tr -s ' ' '\n' | grep -v '^$' |
    awk -v n="$COUNT" '
    BEGIN { a = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz" }
    { s = s substr(a, $1 % length(a) + 1, 1); if (length(s) == 10) { printf "https://truyxuatsanphambinhthuan.vn/01/08931234567897/10/L2025A/21/%s?17=270301\n", s; s = ""; if (++k == n) exit } }' \
    >"$work/uris.txt"
[ "$(wc -l <"$work/uris.txt")" -eq "$COUNT" ]

now() { date +%s.%N; }

# time_peer NAME COMMAND...: seconds for one run into a fresh folder ({} in
# the command stands for it), checked for COUNT files. Folders are kept to
# the end: deleting 10,000 files between runs slows the next run's creates.
# The folder is named by mktemp, not by a counter: time_peer runs in a
# command substitution, whose counter would not outlive it, and every run
# but the first would then rewrite the files of the one before (where the
# file system discards freed blocks, each truncation waits for the disk).
time_peer() {
    local name=$1
    shift
    local dir
    dir=$(mktemp -d "$work/$name.XXXXXX")
    local args=("${@//\{\}/$dir}")
    sync
    local start end files
    start=$(now)
    "${args[@]}" >/dev/null 2>&1
    end=$(now)
    files=$(find "$dir" -name '*.png' | wc -l)
    if [ "$files" -ne "$COUNT" ]; then
        echo "bench: $name wrote $files files, expected $COUNT" >&2
        exit 1
    fi
    echo "$end - $start" | bc -l
}

median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

# Both outputs must be real codes of the same size: decode one of each.
mkdir -p "$work/check-z" "$work/check-o"
head -n 1 "$work/uris.txt" >"$work/one.txt"
zint -b QRCODE --secure=2 --scale=2.5 --quietzones --batch -i "$work/one.txt" \
    -o "$work/check-z/~~~~~~.png" >/dev/null 2>&1
"$OCOPTRACE" qr --batch "$work/one.txt" --out-dir "$work/check-o" --ec M --module-px 5
want=$(cat "$work/one.txt")
for f in "$work/check-z/000001.png" "$work/check-o/000001.png"; do
    got=$(zbarimg --raw -q "$f" 2>/dev/null)
    [ "$got" = "$want" ] || { echo "bench: $f does not decode" >&2; exit 1; }
done
zsize=$(file "$work/check-z/000001.png" | grep -o '[0-9]* x [0-9]*')
osize=$(file "$work/check-o/000001.png" | grep -o '[0-9]* x [0-9]*')

echo "QR codes to PNG files: $COUNT Digital Link URIs, level M, 5 px/module, quiet zone 4,"
echo "median of $RUNS runs, peers taking turns, $(nproc) cores"

# The floor: as many files of the same mean size, nothing encoded.
cc -O2 -pthread -o "$work/write_files" "$(dirname "$0")/write_files.c"
"$OCOPTRACE" qr --batch "$work/uris.txt" --out-dir "$work/sizes" --ec M --module-px 5
mean_size=$(($(cat "$work"/sizes/*.png | wc -c) / COUNT))

zint_t=() ours_t=() one_t=() floor_t=()
for run in $(seq 1 "$RUNS"); do
    zint_t+=("$(time_peer zint zint -b QRCODE --secure=2 --scale=2.5 --quietzones --batch \
        -i "$work/uris.txt" -o '{}/~~~~~~.png')")
    ours_t+=("$(time_peer ocoptrace "$OCOPTRACE" qr --batch "$work/uris.txt" --out-dir '{}' \
        --ec M --module-px 5)")
    one_t+=("$(time_peer ocoptrace-1core taskset -c 0 "$OCOPTRACE" qr --batch "$work/uris.txt" \
        --out-dir '{}' --ec M --module-px 5)")
    floor_t+=("$(time_peer floor "$work/write_files" '{}' "$COUNT" "$mean_size")")
done
zint_s=$(median "${zint_t[@]}")
ours_s=$(median "${ours_t[@]}")
one_s=$(median "${one_t[@]}")
floor_s=$(median "${floor_t[@]}")

rate() { echo "$COUNT / $1" | bc -l | xargs printf '%.0f'; }
printf '%-28s %8s codes/s  (%s px)\n' "zint $(zint --help | head -n 1 | awk '{print $3}') --batch" \
    "$(rate "$zint_s")" "$zsize"
printf '%-28s %8s codes/s  (%s px)\n' "ocoptrace qr --batch" "$(rate "$ours_s")" "$osize"
printf '%-28s %8s codes/s\n' "ocoptrace qr --batch, 1 core" "$(rate "$one_s")"
printf '%-28s %8s files/s  (%d bytes each, nothing encoded)\n' "file system floor" \
    "$(rate "$floor_s")" "$mean_size"
printf 'ratio ocoptrace/zint: %.1f\n' "$(echo "$zint_s / $ours_s" | bc -l)"
printf 'ocoptrace/floor: %.2f (1.00 would be writing files as fast as the disk takes them)\n' \
    "$(echo "$floor_s / $ours_s" | bc -l)"
