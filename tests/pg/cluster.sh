# Throwaway PostgreSQL clusters for tests: a server of its own in a fresh
# temporary folder, reached only through a Unix socket there, gone after.
# Source it, then:
#
#   pg_cluster_start        starts one; exports PGHOST, PGPORT, PGUSER,
#                           PGDATABASE and OCOPTRACE_TEST_POSTGRESQL=postgresql:
#                           (and unsets PGHOSTADDR, PGSERVICE, PGSERVICEFILE,
#                           PGPASSWORD, PGOPTIONS, which would send libpq elsewhere)
#   pg_cluster_createdb N   creates database N; prints its URL
#   pg_cluster_stop         stops it and removes its folder (safe to call
#                           twice, and from a trap)
#
# The caller's trap must stop it, or the server outlives the test:
#   trap 'pg_cluster_stop; rm -rf "$scratch"' EXIT
#
# PostgreSQL refuses to run as root: root runs the server as the
# `postgres` user of Debian's package. Prints nothing but errors.

pg_cluster_dir=""
pg_cluster_bin=""

_pg_cluster_error() {
    printf 'pg_cluster: %s\n' "$*" >&2
}

# _pg_cluster_as DIR COMMAND...: runs a server program as the user the
# server runs as, from the cluster's folder DIR (that user cannot always
# enter the caller's).
_pg_cluster_as() {
    local dir=$1
    shift
    if [ "$(id -u)" = 0 ]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# The newest installed server's programs, or PG_CLUSTER_BIN.
_pg_cluster_find_bin() {
    local where=${PG_CLUSTER_BIN:-/usr/lib/postgresql/*/bin} bin=${PG_CLUSTER_BIN:-}
    if [ -z "$bin" ]; then
        bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
        _pg_cluster_error "no postgresql server (initdb, pg_ctl) in $where:" \
            "install the 'postgresql' package"
        return 1
    fi
    pg_cluster_bin=$bin
}

# C.UTF-8 sorts as C does and knows every character; older systems lack it.
_pg_cluster_locale() {
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then echo C.UTF-8; else echo C; fi
}

# The folder with every byte a URL may not hold as it is percent-encoded.
_pg_cluster_url_path() {
    local s=$1 out="" c i
    local LC_ALL=C
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9/._~-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

_pg_cluster_prepare_dir() {
    pg_cluster_dir=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-pg.XXXXXX") || {
        _pg_cluster_error "cannot create a folder in '${TMPDIR:-/tmp}'"
        return 1
    }
    # The socket's path must fit a sockaddr_un (107 bytes).
    if [ ${#pg_cluster_dir} -gt 90 ]; then
        _pg_cluster_error "folder '$pg_cluster_dir' is too long for a socket: set TMPDIR shorter"
        return 1
    fi
    chmod 755 "$pg_cluster_dir"
    if [ "$(id -u)" = 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            _pg_cluster_error "no 'postgres' user to run the server as (postgresql refuses root)"
            return 1
        fi
        chown postgres: "$pg_cluster_dir"
        if ! runuser -u postgres -- test -w "$pg_cluster_dir"; then
            _pg_cluster_error "user 'postgres' cannot reach '$pg_cluster_dir': set TMPDIR to a" \
                "folder it can"
            return 1
        fi
    fi
}

_pg_cluster_init() {
    local dir=$pg_cluster_dir
    if ! _pg_cluster_as "$dir" "$pg_cluster_bin/initdb" -D "$dir/data" -A trust -U ocoptrace -E UTF8 \
        --locale="$(_pg_cluster_locale)" --no-sync >"$dir/initdb.log" 2>&1; then
        _pg_cluster_error "initdb failed:"
        cat "$dir/initdb.log" >&2
        return 1
    fi
    # Durability is worth nothing to a cluster deleted after the test; a
    # benchmark (PG_CLUSTER_DURABLE=1) keeps what SQLite's WAL with
    # synchronous=NORMAL keeps: whole pages and fsyncs, commits not each
    # waited for.
    local fsync=off
    [ "${PG_CLUSTER_DURABLE:-0}" = 1 ] && fsync=on
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
port = 5432
fsync = $fsync
synchronous_commit = off
full_page_writes = $fsync
EOF
}

pg_cluster_start() {
    if [ -n "$pg_cluster_dir" ]; then
        _pg_cluster_error "a cluster is already running in '$pg_cluster_dir'"
        return 1
    fi
    _pg_cluster_find_bin || return 1
    if ! _pg_cluster_prepare_dir || ! _pg_cluster_init; then
        pg_cluster_stop
        return 1
    fi
    if ! _pg_cluster_as "$pg_cluster_dir" "$pg_cluster_bin/pg_ctl" -D "$pg_cluster_dir/data" \
        -l "$pg_cluster_dir/server.log" -w -t 60 start >/dev/null 2>&1; then
        _pg_cluster_error "the server did not start:"
        tail -n 20 "$pg_cluster_dir/server.log" >&2 2>/dev/null
        pg_cluster_stop
        return 1
    fi
    # Variables that would send libpq elsewhere.
    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGOPTIONS
    export PGHOST=$pg_cluster_dir PGPORT=5432 PGUSER=ocoptrace PGDATABASE=postgres
    export OCOPTRACE_TEST_POSTGRESQL=postgresql:
}

pg_cluster_createdb() {
    local name=${1:-}
    if [ -z "$pg_cluster_dir" ]; then
        _pg_cluster_error "no cluster: call pg_cluster_start first"
        return 1
    fi
    case $name in
    '' | *[!a-z0-9_]*)
        _pg_cluster_error "database name '$name' is not lower-case letters, digits and '_'"
        return 1
        ;;
    esac
    local out
    if ! out=$("$pg_cluster_bin/createdb" -h "$pg_cluster_dir" -p 5432 -U ocoptrace "$name" 2>&1); then
        _pg_cluster_error "cannot create database '$name': $out"
        return 1
    fi
    printf 'postgresql:///%s?host=%s&user=ocoptrace\n' "$name" \
        "$(_pg_cluster_url_path "$pg_cluster_dir")"
}

pg_cluster_stop() {
    local dir=$pg_cluster_dir
    pg_cluster_dir=""
    if [ -n "$dir" ] && [ -d "$dir" ]; then
        case $dir in
        */ocoptrace-pg.*)
            if [ -f "$dir/data/postmaster.pid" ]; then
                _pg_cluster_as "$dir" "$pg_cluster_bin/pg_ctl" -D "$dir/data" \
                    -m fast -w -t 60 stop >/dev/null 2>&1 ||
                    _pg_cluster_error "cannot stop the server in '$dir'"
            fi
            rm -rf "$dir"
            ;;
        esac
    fi
    if [ "${OCOPTRACE_TEST_POSTGRESQL:-}" = postgresql: ] && [ "${PGHOST:-}" = "$dir" ]; then
        unset OCOPTRACE_TEST_POSTGRESQL PGHOST PGPORT PGUSER PGDATABASE
    fi
    return 0
}
