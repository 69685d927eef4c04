#!/usr/bin/env bash
# `ocoptrace` with each `--db PATH` (a SQLite file, as the suites name their
# databases) replaced by a database of the test cluster named after PATH,
# created on first use: the suites written for SQLite run unchanged on
# PostgreSQL. OCOPTRACE_REAL names the program; PGHOST and PGUSER the
# cluster (tests/pg/cluster.sh).
set -u
. "$(dirname "$0")/database.sh"
args=()
while [ $# -gt 0 ]; do
    case $1 in
    --db)
        args+=(--db "$(pg_database_url "$2")") || exit 1
        shift 2
        ;;
    --db=*)
        args+=(--db "$(pg_database_url "${1#--db=}")") || exit 1
        shift
        ;;
    *)
        args+=("$1")
        shift
        ;;
    esac
done
exec "$OCOPTRACE_REAL" "${args[@]}"
