#!/usr/bin/env bash
# Benchmark, not a test: roll labels for thermal printers. `ocoptrace
# labels` on one job of 10,000 serials on roll-50x30, written as ZPL II (at
# 203 and 300 dpi), as TSPL and as the PDF of the same job, in one run,
# taking turns. Prints labels/s (the whole command: start, job, layout,
# serials, file), bytes per label and peak RSS for each, the ratios to the
# PDF, and the ZPL rate against its goal of 10,000 labels/s.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
COUNT=${BENCH_LABELS:-10000}
RUNS=${BENCH_RUNS:-3}
GOAL=10000
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-thermal-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/job.json" <<EOF
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "group": "food", "gtin": "08931234567897",
               "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển", "origin": "Việt Nam",
               "usage": "Dùng trực tiếp hoặc pha chấm", "storage": "Nơi khô ráo, thoáng mát",
               "standard": "TCCS 01:2024/HTXHT"},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": $COUNT}
}
EOF

# labels_in FILE NAME: the labels the file prints.
labels_in() {
    case $2 in
    zpl*) grep -c '^\^XZ$' "$1" ;;
    tspl*) grep -ac '^PRINT 1' "$1" ;;
    pdf) pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }' ;;
    esac
}

# measure NAME OUT ARGS...: one run; appends "seconds rss_kb bytes" to
# $work/NAME.runs after checking the file holds a label per serial.
measure() {
    local name=$1 out=$2
    shift 2
    rm -f "$out"
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/time" "$OCOPTRACE" labels --job "$work/job.json" \
        --sheet roll-50x30 -o "$out" "$@" >/dev/null 2>"$work/stderr" || {
        echo "bench: $name failed: $(tail -n 3 "$work/stderr")" >&2
        exit 1
    }
    end=$(date +%s%N)
    local labels
    labels=$(labels_in "$out" "$name")
    if [ "$labels" != "$COUNT" ]; then
        echo "bench: $name printed $labels labels for $COUNT serials" >&2
        exit 1
    fi
    echo "$(((end - start) / 1000))e-6 $(tail -n 1 "$work/time") $(stat -c %s "$out")" >>"$work/$name.runs"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for run in $(seq 1 "$RUNS"); do
    measure zpl "$work/out.zpl" --format zpl
    measure zpl-300 "$work/out.zpl" --format zpl --dpi 300
    measure tspl "$work/out.tspl" --format tspl
    measure pdf "$work/out.pdf"
done

# figures NAME: "labels/s bytes/label rss_mb" from the median run.
figures() {
    local s rss bytes
    s=$(awk '{ print $1 }' "$work/$1.runs" | median)
    rss=$(awk '{ print $2 }' "$work/$1.runs" | median)
    bytes=$(awk '{ print $3 }' "$work/$1.runs" | median)
    awk -v n="$COUNT" -v s="$s" -v r="$rss" -v b="$bytes" \
        'BEGIN { printf "%.0f %.0f %.1f\n", n / (s > 0 ? s : 0.001), b / n, r / 1024 }'
}

echo "Roll labels, roll-50x30 (50 x 30 mm), $COUNT serials, median of $RUNS runs, $(nproc) cores"
printf '%-34s %10s %12s %10s\n' "ocoptrace labels --format" labels/s bytes/label "RSS (MB)"
read -r pdf_rate _ _ < <(figures pdf)
for name in zpl zpl-300 tspl pdf; do
    read -r rate bytes rss < <(figures $name)
    case $name in
    zpl) label="zpl (203 dpi)" zpl_rate=$rate ;;
    zpl-300) label="zpl --dpi 300" ;;
    tspl) label="tspl (203 dpi)" ;;
    pdf) label="pdf" ;;
    esac
    printf '%-34s %10s %12s %10s\n' "$label" "$rate" "$bytes" "$rss"
    [ $name = pdf ] || awk -v n="$label" -v a="$rate" -v b="$pdf_rate" \
        'BEGIN { printf "  %s vs pdf: speed x%.1f\n", n, a / b }'
done
awk -v r="$zpl_rate" -v g=$GOAL 'BEGIN { printf "zpl: %.0f labels/s, x%.2f the goal of %d labels/s\n", r, r / g, g }'
