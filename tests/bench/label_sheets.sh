#!/usr/bin/env bash
# Benchmark, not a test: PDF label sheets (A4, 3 x 8 labels of 70 x 37 mm,
# one Digital Link QR code per label) by ocoptrace and by two peers on the
# same records, in one run, taking turns: glabels-3-batch with a CSV merge
# and python3-reportlab with python3-segno (../shared/peers/ draws the same
# sheet with both). Prints labels/s, bytes per label and peak RSS for each,
# the ratios, and ocoptrace's peak RSS at 100,000 labels.
#
# The peers print four lines of text per label; ocoptrace prints everything
# the labelling law asks for a food (about thirteen lines), so it does more.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
COUNT=${BENCH_LABELS:-10000}
GLABELS_COUNT=${BENCH_GLABELS_LABELS:-1000} # glabels draws about 24 labels/s
RUNS=${BENCH_RUNS:-3}
BIG=${BENCH_BIG_LABELS:-100000}
PY=/usr/bin/python3 # Debian's, with reportlab and segno
peers=$(cd "$(dirname "$0")/../.." && pwd)/../shared/peers
[ -d "$peers" ] || { echo "bench: no peers at '$peers'" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-labels-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/job.json" <<EOF
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "group": "food", "gtin": "08931234567897",
               "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển", "origin": "Việt Nam",
               "usage": "Dùng trực tiếp hoặc pha chấm", "storage": "Nơi khô ráo, thoáng mát", "warnings": "",
               "standard": "TCCS 01:2024/HTXHT"},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": $COUNT}
}
EOF
sed "s/\"units\": $COUNT/\"units\": $BIG/" "$work/job.json" >"$work/big.json"
cp "$peers/labels.glabels" "$work/"
"$PY" "$peers/make_csv.py" "$GLABELS_COUNT" "$work/data.csv"

# measure NAME COUNT PDF COMMAND...: one run; appends "seconds rss_kb bytes"
# to $work/NAME.runs after checking the PDF has a page per 24 labels.
measure() {
    local name=$1 count=$2 pdf=$3
    shift 3
    rm -f "$pdf" "${pdf%.pdf}"-*.pdf
    (cd "$work" && /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr") || {
        echo "bench: $name failed: $(tail -n 3 "$work/stderr")" >&2
        exit 1
    }
    local pages=0 bytes=0 f
    for f in "$pdf" "${pdf%.pdf}"-*.pdf; do
        [ -e "$f" ] || continue
        pages=$((pages + $(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ { print $2 }')))
        bytes=$((bytes + $(stat -c %s "$f")))
    done
    if [ "$pages" -lt $(((count + 23) / 24)) ]; then
        echo "bench: $name wrote $pages pages for $count labels" >&2
        exit 1
    fi
    echo "$(cat "$work/time") $bytes" >>"$work/$name.runs"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for run in $(seq 1 "$RUNS"); do
    measure ocoptrace "$COUNT" "$work/ours.pdf" \
        "$OCOPTRACE" labels --job "$work/job.json" --sheet a4-3x8 -o "$work/ours.pdf"
    measure reportlab "$COUNT" "$work/rl.pdf" "$PY" "$peers/rl_labels.py" "$COUNT" "$work/rl.pdf"
    measure glabels "$GLABELS_COUNT" "$work/out.pdf" glabels-3-batch -o "$work/out.pdf" labels.glabels
done
measure ocoptrace-big "$BIG" "$work/big.pdf" \
    "$OCOPTRACE" labels --job "$work/big.json" --sheet a4-3x8 -o "$work/big.pdf"

# figures NAME COUNT: "labels/s bytes/label rss_mb" from the median run.
figures() {
    local s rss bytes
    s=$(awk '{ print $1 }' "$work/$1.runs" | median)
    rss=$(awk '{ print $2 }' "$work/$1.runs" | median)
    bytes=$(awk '{ print $3 }' "$work/$1.runs" | median)
    awk -v n="$2" -v s="$s" -v r="$rss" -v b="$bytes" \
        'BEGIN { printf "%.0f %.0f %.1f\n", n / (s > 0 ? s : 0.001), b / n, r / 1024 }'
}
read -r ours_rate ours_bytes ours_rss < <(figures ocoptrace "$COUNT")
read -r rl_rate rl_bytes rl_rss < <(figures reportlab "$COUNT")
read -r gl_rate gl_bytes gl_rss < <(figures glabels "$GLABELS_COUNT")
read -r _ big_bytes big_rss < <(figures ocoptrace-big "$BIG")

echo "PDF label sheets, A4 3 x 8 (70 x 37 mm), median of $RUNS runs, $(nproc) cores"
printf '%-34s %10s %12s %10s\n' tool labels/s bytes/label "RSS (MB)"
printf '%-34s %10s %12s %10s\n' "ocoptrace labels ($COUNT)" "$ours_rate" "$ours_bytes" "$ours_rss"
printf '%-34s %10s %12s %10s\n' "reportlab + segno ($COUNT)" "$rl_rate" "$rl_bytes" "$rl_rss"
printf '%-34s %10s %12s %10s\n' "glabels-3-batch ($GLABELS_COUNT)" "$gl_rate" "$gl_bytes" "$gl_rss"
printf '%-34s %10s %12s %10s\n' "ocoptrace labels ($BIG)" "" "$big_bytes" "$big_rss"
for peer in reportlab glabels; do
    if [ $peer = reportlab ]; then rate=$rl_rate bytes=$rl_bytes rss=$rl_rss; else rate=$gl_rate bytes=$gl_bytes rss=$gl_rss; fi
    awk -v p=$peer -v r1="$ours_rate" -v r2="$rate" -v b1="$ours_bytes" -v b2="$bytes" \
        -v m1="$ours_rss" -v m2="$rss" 'BEGIN {
        printf "ocoptrace vs %-10s speed x%.1f, bytes/label x%.2f, RSS x%.2f\n", p, r1 / r2, b1 / b2, m1 / m2 }'
done
