#!/usr/bin/env bash
# Runs every test suite and ends with the total: "N passed, N failed".
# OCOPTRACE names the program under test, UNIT the unit test binary.
set -u
cd "$(dirname "$0")/.."
export OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
UNIT=${UNIT:-build/release/unit-tests}
total_passed=0
total_failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
    "$@" 2>&1 | tee "$log"
    local line
    line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $*: ended without a count"
        total_failed=$((total_failed + 1))
        return
    fi
    local p f
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
}

run_suite "$UNIT"
for suite in tests/cli/*.sh; do
    run_suite bash "$suite"
done
run_suite node tests/e2e/run.mjs

# The suites of the API, the pushes, the chain, the resolver and the web
# pages again on PostgreSQL, each database a database of one throwaway
# cluster; and what only PostgreSQL has (several daemons, db copy).
. tests/pg/cluster.sh
if pg_cluster_start; then
    trap 'pg_cluster_stop; rm -f "$log"' EXIT
    OCOPTRACE_TEST_POSTGRESQL=$(pg_cluster_createdb unit_db) run_suite "$UNIT" db
    for suite in api sync serve trace epcis resolver verdict cartons stamps layouts exports dossiers reminders scoring postgresql; do
        OCOPTRACE_BACKEND=postgresql run_suite bash "tests/cli/$suite.sh"
    done
    OCOPTRACE_BACKEND=postgresql OCOPTRACE_REAL=$OCOPTRACE OCOPTRACE=$PWD/tests/pg/ocoptrace.sh \
        run_suite node tests/e2e/run.mjs
    pg_cluster_stop
else
    echo "FAIL postgresql: no cluster could be started"
    total_failed=$((total_failed + 1))
fi

run_suite bash tests/style.sh
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
