# The PostgreSQL database a suite's SQLite path stands for, on the cluster
# of tests/pg/cluster.sh (PGHOST, PGUSER). Sourced by tests/pg/ocoptrace.sh
# and tests/lib.sh.

# pg_database_name PATH: a name of PostgreSQL's from any path.
pg_database_name() {
    case $1 in
    postgresql:* | postgres:*) return 1 ;;
    esac
    printf 't_%s' "$(printf '%s' "$1" | md5sum | cut -c1-20)"
}

# pg_database_url PATH: its database's URL, created when missing (a URL
# is printed as it is).
pg_database_url() {
    local name
    if ! name=$(pg_database_name "$1"); then
        printf '%s' "$1"
        return 0
    fi
    if [ "$(psql -X -q -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
        # Two commands at once may both find it missing: one creates it.
        psql -X -q -d postgres -c "CREATE DATABASE $name" >/dev/null 2>&1 ||
            [ "$(psql -X -q -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" = 1 ] ||
            { echo "pg_database: cannot create $name for '$1'" >&2; return 1; }
    fi
    printf 'postgresql:///%s?host=%s&user=%s' "$name" "$PGHOST" "$PGUSER"
}
