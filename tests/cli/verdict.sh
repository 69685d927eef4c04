#!/usr/bin/env bash
# The copied-label verdict: the simulation that chose its defaults (a
# household's and a shop's scans never trip it, 50 copies of one label
# always do), then the daemon over a real socket: thresholds from the
# config file, the count and first time in the answer and on the page,
# the verdict kept across a restart, counts exact under concurrent scans
# written behind, and nothing lost on SIGTERM.
suite=cli-verdict
. "$(dirname "$0")/../lib.sh"
root=$PWD

# The simulation, on the defaults the daemon uses.
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$scratch/simulate" \
    "$root/tests/verdict/simulate.c" "$root/service/verdict.c" || fail "the simulation does not build"
while read -r word rest; do
    case $word in
    ok) pass ;;
    FAIL) fail "simulation: $rest" ;;
    esac
done < <("$scratch/simulate" 100000)

cd "$scratch"
db=$scratch/verdict.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
cat >"$scratch/bad.conf" <<'CONF'
[verdict]
networks = 1
CONF
got=$("$OCOPTRACE" serve --config "$scratch/bad.conf" --db "$db" --listen 127.0.0.1:1 2>&1)
[[ $got == *'[verdict] networks: must be a whole number from 2 to 10000'* ]] && pass ||
    fail "a threshold out of range is refused, naming it: $got"
cat >"$scratch/verdict.conf" <<'CONF'
[verdict]
networks = 3
window_hours = 1
scans = 4
CONF
start_daemon "$db" --config "$scratch/verdict.conf"
sqlite3 "$db" "INSERT INTO producers (name, kind) VALUES ('HTX Một', 'cooperative')"
call "$admin" POST /api/v1/products '{"producer_id":1,"name":"Nước mắm","group":"food","gtin":"08931234567897","net_quantity":"500 ml","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"}' >/dev/null
call "$admin" POST /api/v1/products/1/lots '{"code":"L1","produced":"2025-03-01","expires":"2027-03-01"}' >/dev/null
paths=$(call "$admin" POST /api/v1/lots/1/serials '{"count":4}' | grep -o '"uri":"[^"]*"' | cut -d'"' -f4 |
    sed 's|^https://[^/]*||; s|?.*||')
copied=$(sed -n 1p <<<"$paths")
counter=$(sed -n 2p <<<"$paths")
busy=$(sed -n 3p <<<"$paths")
fresh=$(sed -n 4p <<<"$paths")
scan() { curl -s -H 'Accept: application/json' --interface "127.0.$1.1" "$base$2"; }
field() { grep -o "\"$1\":\"\{0,1\}[^\",}]*" | head -n 1 | sed 's/.*://; s/"//'; }

# Each row: the network scanning, and the verdict and count that answer.
while read -r network want scans; do
    got=$(scan "$network" "$copied")
    expect_equal "network $network, scan $scans: $want" "$(field verdict <<<"$got") $(field scans <<<"$got")" "$want $scans"
done <<'ROWS'
11 genuine 1
12 genuine 2
13 genuine 3
11 suspicious 4
11 suspicious 5
ROWS
# A shop checking one unit at the counter again and again: one network.
for i in $(seq 1 9); do scan 20 "$counter" >/dev/null; done
got=$(scan 20 "$counter")
expect_equal "one network, ten scans: genuine" "$(field verdict <<<"$got") $(field scans <<<"$got") $(field networks <<<"$got")" "genuine 10 1"

# The time of the first check, at +07:00, and in words on the page.
first=$(grep -o '"first_scan_at":"[^"]*"' <<<"$(scan 20 "$counter")" | cut -d'"' -f4)
now=$(date -u -d "@$(($(date +%s) + 7 * 3600))" +%Y-%m-%dT%H)
[[ $first == "$now"*'+07:00' || $first == ????-??-??T??:??:??+07:00 ]] && pass || fail "first check at +07:00: $first"
words="Mã này đã được kiểm tra 12 lần, lần đầu lúc ${first:11:5} ngày ${first:8:2}/${first:5:2}/${first:0:4}."
page=$(curl -s --interface 127.0.20.1 "$base$counter")
grep -qF "$words" <<<"$page" && pass || fail "the page says how often and since when: want '$words'"
page=$(curl -s --interface 127.0.20.1 "$base$fresh")
grep -qF 'Đây là lần đầu tiên mã này được kiểm tra.' <<<"$page" && pass || fail "a first check says so"
page=$(curl -s --interface 127.0.11.1 "$base$copied")
grep -q 'verdict-suspicious' <<<"$page" && pass || fail "the page warns of a copy"

# Concurrent scans, written behind in batches while more arrive: the count
# is exact, and each scan is told its own place in it (1 to 200, each once),
# whether the batches before it were committed, in flight or still queued.
workers=()
for worker in 1 2 3 4 5 6 7 8; do
    (for i in $(seq 1 25); do field scans <<<"$(scan $((30 + worker % 4)) "$busy")"; done >"$scratch/counts.$worker") &
    workers+=($!)
done
wait "${workers[@]}"
expect_equal "200 concurrent scans: each told a count of its own" \
    "$(cat "$scratch"/counts.* | sort -n | uniq | wc -l) $(cat "$scratch"/counts.* | sort -n | head -1) $(cat "$scratch"/counts.* | sort -n | tail -1)" "200 1 200"
got=$(scan 30 "$busy")
expect_equal "200 concurrent scans and one more: counted once each" "$(field scans <<<"$got") $(field networks <<<"$got")" "201 4"

# SIGTERM writes what is queued (scans and the request log); the verdict
# stays after a restart.
kill -TERM "$pid"
wait "$pid"
requests=$(grep -c ' /01/' "$daemon_log")
expect_equal "SIGTERM: every scan written" "$(sqlite3 "$db" "SELECT count(*) FROM scans")" "$requests"
expect_equal "SIGTERM: the serial's count" "$(sqlite3 "$db" "SELECT scans FROM serials WHERE serial = '${busy##*/}'")" 201
start_daemon "$db" --config "$scratch/verdict.conf"
expect_equal "suspicious after a restart" "$(scan 11 "$copied" | field verdict)" suspicious
expect_equal "the shop's unit stays genuine" "$(scan 20 "$counter" | field verdict)" genuine
finish
