#!/usr/bin/env bash
# Benchmark, not a test: PDF label sheets, A4 3 x 8 labels of 70 x 37 mm with
# one Digital Link QR code per label, drawn by `ocoptrace labels` and by two
# peers (../shared/peers/): glabels-3-batch with a CSV merge, and
# python3-reportlab with python3-segno. The three take turns, BENCH_RUNS
# times each. Prints labels/s (median wall time), PDF bytes per label and
# peak RSS (GNU time %M) for each tool, then ocoptrace's ratios to each peer.
#
#   BENCH_LABELS=10000  BENCH_GLABELS_LABELS=1000  BENCH_RUNS=3  OCOPTRACE=./ocoptrace
#
# glabels draws about 24 labels/s, so it gets fewer labels; rates and bytes
# are per label. glabels-3-batch needs no display (no Xvfb).
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; */*) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
COUNT=${BENCH_LABELS:-10000}
GL_COUNT=${BENCH_GLABELS_LABELS:-1000}
RUNS=${BENCH_RUNS:-3}
PY=/usr/bin/python3 # Debian's, with reportlab and segno ('python3' on PATH has neither)
PER_PAGE=24
peers=$(cd "$(dirname "$0")/../.." && pwd)/../shared/peers
for f in labels.glabels make_csv.py rl_labels.py; do
    [ -f "$peers/$f" ] || { echo "bench: no peer file '$peers/$f'" >&2; exit 1; }
done

# need PKG...: installs the Debian packages that are missing.
need() {
    local p missing="" sudo=""
    for p; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
    done
    [ -n "$missing" ] || return 0
    echo "bench: installing$missing" >&2
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}
need glabels python3-reportlab python3-segno fonts-noto-core time poppler-utils

work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-labels-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/job.json" <<EOF
{
  "producer": {"name": "HTX Thủy sản Hàm Tiến", "address": "Khu phố 5, phường Hàm Tiến, TP. Phan Thiết, tỉnh Bình Thuận", "kind": "cooperative", "phone": "0252 3847 123"},
  "product":  {"name": "Nước mắm Phan Thiết 40 độ đạm", "group": "food", "gtin": "08931234567897",
               "net_quantity": "500 ml", "ingredients": "Cá cơm, muối biển", "origin": "Việt Nam",
               "usage": "Dùng trực tiếp hoặc pha chấm", "storage": "Nơi khô ráo, thoáng mát", "warnings": "",
               "standard": "TCCS 01:2024/HTXHT"},
  "lot":      {"code": "L2025A", "produced": "2025-03-01", "expires": "2027-03-01", "units": $COUNT}
}
EOF
cp "$peers/labels.glabels" "$work/"
"$PY" "$peers/make_csv.py" "$GL_COUNT" "$work/data.csv"

tools="ocoptrace reportlab glabels"
declare -A count=([ocoptrace]=$COUNT [reportlab]=$COUNT [glabels]=$GL_COUNT)
declare -A title=([ocoptrace]="ocoptrace labels" [reportlab]="reportlab + segno" [glabels]="glabels-3-batch")
declare -A state=() # empty while the tool runs; else why it stopped
if ! [ -x "$OCOPTRACE" ] ||
    ! "$OCOPTRACE" labels --list-sheets 2>/dev/null | grep -q '^a4-3x8 '; then
    state[ocoptrace]="ocoptrace labels not available"
    echo "bench: ocoptrace labels not available ($OCOPTRACE)" >&2
fi

# run TOOL: one run in $work, appends "nanoseconds rss_kb bytes" to
# $work/TOOL.runs after checking the PDF has a page per 24 labels. Runs of
# more than 25,000 labels by ocoptrace come as out-1.pdf, out-2.pdf, ...
run() {
    local tool=$1 n=${count[$1]} pdf=$work/$1.pdf cmd start end pages=0 bytes=0 f p
    case $tool in
    ocoptrace) cmd=("$OCOPTRACE" labels --job "$work/job.json" --sheet a4-3x8 -o "$pdf") ;;
    reportlab) cmd=("$PY" "$peers/rl_labels.py" "$n" "$pdf") ;;
    glabels) cmd=(glabels-3-batch -o "$pdf" labels.glabels) ;;
    esac
    rm -f "$pdf" "${pdf%.pdf}"-*.pdf
    start=$(date +%s%N)
    if ! (cd "$work" && /usr/bin/time -f %M -o "$work/rss" "${cmd[@]}" >/dev/null 2>"$work/stderr"); then
        echo "bench: $tool failed: $(tail -n 3 "$work/stderr")" >&2
        return 1
    fi
    end=$(date +%s%N)
    for f in "$pdf" "${pdf%.pdf}"-*.pdf; do
        [ -e "$f" ] || continue
        p=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ { print $2 }')
        pages=$((pages + ${p:-0}))
        bytes=$((bytes + $(stat -c %s "$f")))
    done
    if [ "$pages" -ne $(((n + PER_PAGE - 1) / PER_PAGE)) ]; then
        echo "bench: $tool wrote $pages pages for $n labels" >&2
        return 1
    fi
    echo "$((end - start)) $(tail -n 1 "$work/rss") $bytes" >>"$work/$tool.runs"
}

for _ in $(seq 1 "$RUNS"); do
    for t in $tools; do
        [ -z "${state[$t]:-}" ] || continue
        run "$t" || state[$t]="$t failed"
    done
done

# median COLUMN FILE: the median of one column (mean of the middle two).
median() {
    awk -v c="$1" '{ print $c }' "$2" | sort -g |
        awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); print (NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2) }'
}
declare -A rate=() bpl=() rss=() secs=()
for t in $tools; do
    [ -z "${state[$t]:-}" ] || continue
    secs[$t]=$(median 1 "$work/$t.runs" | awk '{ printf "%.3f", $1 / 1e9 }')
    rate[$t]=$(awk -v n="${count[$t]}" -v s="${secs[$t]}" 'BEGIN { printf "%.1f", n / (s > 0 ? s : 0.001) }')
    bpl[$t]=$(median 3 "$work/$t.runs" | awk -v n="${count[$t]}" '{ printf "%.0f", $1 / n }')
    rss[$t]=$(median 2 "$work/$t.runs" | awk '{ printf "%.1f", $1 / 1024 }')
done

echo "PDF label sheets, A4 3 x 8 (70 x 37 mm): median of $RUNS runs, tools taking turns, $(nproc) cores"
echo "labels: ocoptrace and reportlab $COUNT, glabels $GL_COUNT (slow; figures are per label)"
for t in $tools; do
    if [ -n "${state[$t]:-}" ]; then
        echo "${title[$t]}: ${state[$t]}"
    else
        printf '%s: %s labels in %s s: %s labels/s, %s bytes/label, %s MB peak RSS\n' "${title[$t]}" \
            "${count[$t]}" "${secs[$t]}" "${rate[$t]}" "${bpl[$t]}" "${rss[$t]}"
    fi
done
declare -A vs=()
for t in reportlab glabels; do
    if [ -n "${state[ocoptrace]:-}" ] || [ -n "${state[$t]:-}" ]; then continue; fi
    vs[$t]=$(awk -v r1="${rate[ocoptrace]}" -v r2="${rate[$t]}" -v b1="${bpl[ocoptrace]}" -v b2="${bpl[$t]}" \
        -v m1="${rss[ocoptrace]}" -v m2="${rss[$t]}" \
        'BEGIN { printf "x%.2f x%.2f x%.2f", r1 / r2, b1 / (b2 > 0 ? b2 : 1), m1 / (m2 > 0 ? m2 : 1) }')
    read -r a b c <<<"${vs[$t]}"
    echo "ocoptrace vs ${title[$t]}: labels/s $a, bytes/label $b, peak RSS $c"
done

echo
printf '%-18s %7s %10s %11s %9s   %-22s\n' tool labels labels/s bytes/label "RSS MB" "ocoptrace: speed bytes RSS"
for t in $tools; do
    if [ -n "${state[$t]:-}" ]; then
        printf '%-18s %7s %s\n' "${title[$t]}" "${count[$t]}" "${state[$t]}"
    else
        printf '%-18s %7s %10s %11s %9s   %s\n' "${title[$t]}" "${count[$t]}" "${rate[$t]}" "${bpl[$t]}" \
            "${rss[$t]}" "${vs[$t]:--}"
    fi
done
for t in $tools; do [ -z "${state[$t]:-}" ] || exit 1; done
