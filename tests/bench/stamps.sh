#!/usr/bin/env bash
# Benchmark, not a test: traceability stamps on an A4 sheet of 20 x 20 mm
# stamps (stamp-a4-20x20, 96 a page), by `ocoptrace stamps`, against
# today's label sheets (`ocoptrace labels` on a4-3x8, the same number of
# units) and against python3-reportlab drawing the same stamps (the same
# serials and links, QR codes by reportlab.graphics.barcode.qr, the same
# TrueType font: tests/bench/rl_stamps.py), in one run, taking turns.
# Prints stamps/s, bytes per stamp and peak RSS, and the ratios; the goal
# is at least 50 times reportlab's rate.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
COUNT=${BENCH_STAMPS:-20000}
RL_COUNT=${BENCH_RL_STAMPS:-1000} # reportlab draws about 40 stamps/s
RUNS=${BENCH_RUNS:-3}
PY=/usr/bin/python3 # Debian's, with reportlab
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-stamps-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A 29-character resolver and codes without the expiry: 41 modules, what
# a 20 mm stamp holds at 0.4 mm a module.
resolver=https://truyxuat.binhthuan.vn
cat >"$work/job.json" <<EOF
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận",
               "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "short_name": "Nước mắm Phan Thiết", "group": "food",
               "gtin": "08931234567897", "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển",
               "origin": "Việt Nam", "usage": "Dùng trực tiếp hoặc pha chấm", "storage": "Nơi khô ráo, thoáng mát",
               "ocop": {"stars": 4, "valid_until": "2099-06-30"}},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": $COUNT}
}
EOF

# measure NAME COUNT PER_PAGE PDF COMMAND...: one run; appends "seconds
# rss_kb bytes" to $work/NAME.runs after checking the PDF's pages.
measure() {
    local name=$1 count=$2 per_page=$3 pdf=$4
    shift 4
    rm -f "$pdf"
    (cd "$work" && /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr") || {
        echo "bench: $name failed: $(tail -n 3 "$work/stderr")" >&2
        exit 1
    }
    local pages
    pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
    if [ "${pages:-0}" -lt $(((count + per_page - 1) / per_page)) ]; then
        echo "bench: $name wrote ${pages:-no} pages for $count units" >&2
        exit 1
    fi
    echo "$(cat "$work/time") $(stat -c %s "$pdf")" >>"$work/$name.runs"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The serials and links reportlab draws: those of a run of ocoptrace.
"$OCOPTRACE" stamps --job "$work/job.json" --sheet stamp-a4-20x20 --base-url "$resolver" \
    --no-expiry-in-code -o "$work/first.pdf" --serials "$work/serials.csv"

for run in $(seq 1 "$RUNS"); do
    measure stamps "$COUNT" 96 "$work/stamps.pdf" "$OCOPTRACE" stamps --job "$work/job.json" \
        --sheet stamp-a4-20x20 --base-url "$resolver" --no-expiry-in-code -o "$work/stamps.pdf"
    measure labels "$COUNT" 24 "$work/labels.pdf" "$OCOPTRACE" labels --job "$work/job.json" \
        --sheet a4-3x8 --base-url "$resolver" -o "$work/labels.pdf"
    measure reportlab "$RL_COUNT" 96 "$work/rl.pdf" "$PY" "$here/rl_stamps.py" "$work/serials.csv" \
        "$work/rl.pdf" "$root/fonts/NotoSans-Regular.ttf" "$RL_COUNT"
done

# figures NAME COUNT: "units/s bytes/unit rss_mb" from the median run.
figures() {
    local s rss bytes
    s=$(awk '{ print $1 }' "$work/$1.runs" | median)
    rss=$(awk '{ print $2 }' "$work/$1.runs" | median)
    bytes=$(awk '{ print $3 }' "$work/$1.runs" | median)
    awk -v n="$2" -v s="$s" -v r="$rss" -v b="$bytes" \
        'BEGIN { printf "%.0f %.0f %.1f\n", n / (s > 0 ? s : 0.001), b / n, r / 1024 }'
}
read -r st_rate st_bytes st_rss < <(figures stamps "$COUNT")
read -r lb_rate lb_bytes lb_rss < <(figures labels "$COUNT")
read -r rl_rate rl_bytes rl_rss < <(figures reportlab "$RL_COUNT")

echo "Traceability stamps, A4 of 20 x 20 mm (96 a page), median of $RUNS runs, $(nproc) cores"
printf '%-40s %10s %12s %10s\n' tool units/s bytes/unit "RSS (MB)"
printf '%-40s %10s %12s %10s\n' "ocoptrace stamps ($COUNT)" "$st_rate" "$st_bytes" "$st_rss"
printf '%-40s %10s %12s %10s\n' "ocoptrace labels, a4-3x8 ($COUNT)" "$lb_rate" "$lb_bytes" "$lb_rss"
printf '%-40s %10s %12s %10s\n' "reportlab stamps ($RL_COUNT)" "$rl_rate" "$rl_bytes" "$rl_rss"
awk -v s="$st_rate" -v l="$lb_rate" -v r="$rl_rate" 'BEGIN {
    printf "stamps vs reportlab: x%.1f (goal x50: %s)\n", s / r, (s / r >= 50) ? "met" : "NOT met"
    printf "stamps vs labels:    x%.2f\n", s / l }'
