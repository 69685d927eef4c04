# Shared by the shell tests: counters, a scratch folder, and decoding QR
# codes from images with an independent reader (zbarimg; rsvg-convert first
# for SVG). Source it; call finish at the end.
set -u
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
passed=0
failed=0
suite=${suite:-test}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# The database the suite runs on: SQLite files, or with
# OCOPTRACE_BACKEND=postgresql the databases of a throwaway PostgreSQL
# cluster (tests/pg/cluster.sh; tests/run.sh starts one): each --db PATH
# becomes a database named after PATH (tests/pg/ocoptrace.sh), and
# `sqlite3 PATH SQL` is answered by psql in sqlite3's format.
backend=${OCOPTRACE_BACKEND:-sqlite}
if [ "$backend" = postgresql ]; then
    suite=$suite-postgresql
    if [ -z "${PGHOST:-}" ]; then
        echo "$suite: no PostgreSQL cluster: start one first (. tests/pg/cluster.sh; pg_cluster_start)" >&2
        exit 1
    fi
    . "$(dirname "${BASH_SOURCE[0]}")/pg/database.sh"
    export OCOPTRACE_REAL=$OCOPTRACE
    OCOPTRACE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pg/ocoptrace.sh
    sqlite3() {
        local url
        url=$(pg_database_url "$1") || return 1
        shift
        if [ "${1:-}" = .dump ]; then
            # Rows only, and not the identities' counters, which PostgreSQL
            # advances even for an insert that is rolled back.
            pg_dump --data-only --no-owner --exclude-table='*_seq' -d "$url" | grep -v -e '^SELECT pg_catalog.setval' -e '^.restrict' -e '^.unrestrict'
        elif [ $# -eq 0 ]; then
            psql -X -q -At -F'|' -v ON_ERROR_STOP=1 -d "$url"
        else
            psql -X -q -At -F'|' -v ON_ERROR_STOP=1 -d "$url" -c "$*"
        fi
    }
fi

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$suite" "$*" >&2
}

# decode FILE: prints the bytes the code holds, exactly (no newline added).
decode() {
    local file=$1 png=$1
    case $file in
    *.svg)
        png=$scratch/decode-$$.png
        # At print resolution, so that modules land on whole pixels.
        rsvg-convert -b white -d 300 -p 300 "$file" -o "$png" 2>/dev/null || return 1
        ;;
    esac
    zbarimg --raw -q -Sbinary "$png" 2>/dev/null
}

# expect_decode NAME FILE EXPECTED: the code in FILE holds EXPECTED, byte for byte.
expect_decode() {
    local name=$1 file=$2 want=$3
    printf '%s' "$want" >"$scratch/want"
    if [ ! -s "$file" ]; then
        fail "$name: no image written"
    elif ! decode "$file" >"$scratch/got"; then
        fail "$name: zbarimg could not read $file"
    elif cmp -s "$scratch/want" "$scratch/got"; then
        pass
    else
        fail "$name: decoded '$(cat "$scratch/got")', want '$want'"
    fi
}

# jget EXPR: EXPR evaluated over the JSON on standard input (as d), printed.
jget() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# wait_for SECONDS COMMAND...: COMMAND again every 0.1 s until it succeeds
# or SECONDS have passed; the status of its last run.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

# expect_equal NAME GOT WANT
expect_equal() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', want '$3'"; fi
}

# req TOKEN METHOD PATH [BODY [CURL-ARGS...]]: call's answer, its status in
# $code and its body in $json.
code=
json=
req() {
    local got
    got=$(call "$@")
    code=${got%% *}
    json=${got#* }
}
# v EXPR: a Python expression over the last answer's JSON (d).
v() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" <<<"$json"; }
# expect NAME GOT WANT, telling the last answer when they differ.
expect() {
    if [ "$2" = "$3" ]; then
        pass
    else
        fail "$1: want '$3', got '$2' (answer $code ${json:0:300})"
    fi
}
# refused NAME STATUS FIELD: the last answer was STATUS with an error
# naming FIELD.
refused() {
    expect "$1" "$code $(v 'd["error"]["field"]' 2>/dev/null)" "$2 $3"
}

# json_with SOURCE OUT CHANGE...: SOURCE with each CHANGE applied, written
# to OUT. A change is path=JSON, path=DELETE, or +key=JSON (a new key).
json_with() {
    /usr/bin/python3 - "$@" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
for change in sys.argv[3:]:
    path, value = change.split("=", 1)
    keys = path.lstrip("+").split(".")
    node = doc
    for k in keys[:-1]:
        node = node[k]
    if value == "DELETE":
        del node[keys[-1]]
    else:
        node[keys[-1]] = json.loads(value)
json.dump(doc, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
}

# start_daemon DB [ARGS...]: `ocoptrace serve` on DB at a free loopback
# port, ARGS added to its command line. Sets base (the URL), pid, port and
# daemon_log (its standard error). Killed at exit if still running.
daemons=
daemon_count=0
start_daemon() {
    local db=$1 attempt
    shift
    daemon_count=$((daemon_count + 1))
    daemon_log=$scratch/daemon-$daemon_count.log
    # The daemon refuses a port in use, so try a few.
    for attempt in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 30000))
        "$OCOPTRACE" serve --db "$db" --listen 127.0.0.1:$port "$@" 2>"$daemon_log" &
        pid=$!
        for _ in $(seq 1 50); do
            curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
            kill -0 $pid 2>/dev/null || break
            sleep 0.1
        done
        kill -0 $pid 2>/dev/null && break
    done
    if ! kill -0 $pid 2>/dev/null; then
        fail "the daemon did not start: $(tail -n 5 "$daemon_log")"
        finish
        exit 1
    fi
    daemons="$daemons $pid"
    trap 'kill $daemons 2>/dev/null; rm -rf "$scratch"' EXIT
    base=http://127.0.0.1:$port
}

# call TOKEN METHOD PATH [BODY [CURL-ARGS...]]: prints "STATUS BODY" of a
# request to the daemon at $base; no token when TOKEN is empty. BODY as
# curl's --data-binary takes it (@FILE for a file's bytes).
call() {
    local auth=() data=()
    [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
    [ -n "${4:-}" ] && data=(--data-binary "$4")
    curl -s -o "$scratch/body" -w '%{http_code}' -X "$2" "${auth[@]}" "${data[@]}" "${@:5}" "$base$3"
    printf ' '
    cat "$scratch/body"
}
status() { call "$@" | head -c 3; }

# log_has TEXT: whether the daemon's log holds TEXT, waiting up to two
# seconds, as the daemon writes its request log every tenth of a second.
log_has() {
    for _ in $(seq 1 20); do
        grep -qF -- "$1" "$daemon_log" && return 0
        sleep 0.1
    done
    return 1
}

finish() {
    printf '%s: %d passed, %d failed\n' "$suite" "$passed" "$failed"
    [ "$failed" -eq 0 ]
}
