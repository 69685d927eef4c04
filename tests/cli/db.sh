#!/usr/bin/env bash
# `ocoptrace db` and `ocoptrace user` against a real SQLite file: the
# schema created and migrated once, WAL and foreign keys on, tokens stored
# only as hashes, backups that open, refusals that change nothing.
suite=cli-db
. "$(dirname "$0")/../lib.sh"

cd "$scratch"
# A fresh database takes every migration, numbered 1..N without a gap.
out=$("$OCOPTRACE" db migrate)
known=$(printf '%s' "$out" | sed -n 's/^schema version \([0-9]*\) (\1 migrations applied)$/\1/p')
[ -n "$known" ] && pass || fail "first migrate: got '$out'"
[ -f var/ocoptrace.db ] && pass || fail "the default database is var/ocoptrace.db"
expect_equal "migrations recorded" \
    "$(sqlite3 var/ocoptrace.db "SELECT count(*) || ' ' || min(version) || ' ' || max(version) FROM schema_migrations")" \
    "$known 1 $known"
out=$("$OCOPTRACE" db migrate)
expect_equal "second migrate applies nothing" "$out" "schema version $known (0 migrations applied)"
expect_equal "WAL mode" "$(sqlite3 var/ocoptrace.db 'PRAGMA journal_mode')" "wal"
tables=$(sqlite3 var/ocoptrace.db "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")
expect_equal "tables" "$tables" \
    "areas audit_log carton_units cartons certificates dossier_files dossier_returns dossier_scores dossier_sheets dossier_transitions dossiers evaluations inputs lot_events lot_inputs lots mail_outbox meta notices outbox pin_failures producer_logos producers product_links product_photos products recalled_lots recalls reminders scans schema_migrations serial_networks serial_pins serials sessions shipment_units shipments sign_in_failures sqlite_sequence sscc_counters tokens users"

# --db and --config choose the database; flags win over the file.
printf '[database]\npath = %s/from-config.db\n[server]\nlisten = 127.0.0.1:9090\n' "$scratch" >conf.ini
"$OCOPTRACE" db migrate --config conf.ini >/dev/null
[ -f from-config.db ] && pass || fail "--config names the database"
"$OCOPTRACE" db migrate --config conf.ini --db "$scratch/from-flag.db" >/dev/null
[ -f from-flag.db ] && pass || fail "--db wins over the config file"
printf '[database]\npaht = x.db\n' >typo.ini
"$OCOPTRACE" db migrate --config typo.ini 2>err
expect_equal "config typo: exit" "$?" 2
expect_equal "config typo: message" "$(cat err)" "ocoptrace: config [database] paht: unknown key"

# Users and tokens.
token=$("$OCOPTRACE" user add --role admin alice | tail -n 1)
[[ $token =~ ^oct_[A-Za-z0-9_-]{43}$ ]] && pass || fail "a token is printed last: '$token'"
grep -c -F "${token#oct_}" var/ocoptrace.db* >/dev/null 2>&1 && fail "the token is stored in clear" || pass
expect_equal "one token row, a 64-hex hash" \
    "$(sqlite3 var/ocoptrace.db "SELECT count(*), length(hash) FROM tokens")" "1|64"
second=$("$OCOPTRACE" user add --role officer bảo | tail -n 1)
[ "$second" != "$token" ] && pass || fail "tokens differ"

# refuse NAME WANT ARGS...: exit 2, the message, the users table unchanged.
refuse() {
    local name=$1 want=$2
    shift 2
    local before
    before=$(sqlite3 var/ocoptrace.db "SELECT group_concat(name || ':' || role) FROM users")
    "$OCOPTRACE" user add "$@" >/dev/null 2>err
    expect_equal "$name: exit" "$?" 2
    expect_equal "$name: message" "$(cat err)" "$want"
    expect_equal "$name: users unchanged" \
        "$(sqlite3 var/ocoptrace.db "SELECT group_concat(name || ':' || role) FROM users")" "$before"
}
refuse "name taken" "ocoptrace: name: 'alice' is taken" --role officer alice
refuse "bad role" "ocoptrace: role: must be admin, officer, producer, reader, commune or council" --role root carol
refuse "producer without its ID" "ocoptrace: producer: required for a producer user: its producer ID" \
    --role producer dave
refuse "unknown producer" "ocoptrace: producer: no producer with ID 7" --role producer --producer 7 dave
refuse "producer ID for an officer" "ocoptrace: producer: only for producer users" \
    --role officer --producer 7 erin
refuse "chair not on the council" "ocoptrace: chair: only a council user chairs the council" \
    --role commune --chair frank
refuse "bad e-mail" "ocoptrace: email: must be an e-mail address (name@domain)" \
    --role officer --email 'x@y.vn>,z@w.vn' frank

# The commune and council roles, with where their reminders go.
"$OCOPTRACE" user add --role commune --email xa.hamtien@example.vn xa >/dev/null
"$OCOPTRACE" user add --role council --chair --email chu.tich@example.vn chutich >/dev/null
"$OCOPTRACE" user add --role council member >/dev/null
expect_equal "commune and council users" \
    "$(sqlite3 var/ocoptrace.db "SELECT group_concat(name || ':' || role || ':' || email || ':' || chair, ' ') FROM users WHERE role IN ('commune', 'council')")" \
    "xa:commune:xa.hamtien@example.vn:0 chutich:council:chu.tich@example.vn:1 member:council::0"

sqlite3 var/ocoptrace.db "INSERT INTO producers (name, kind) VALUES ('HTX Hàm Tiến', 'cooperative')"
"$OCOPTRACE" user add --role producer --producer 1 hamtien >/dev/null
expect_equal "producer user" "$(sqlite3 var/ocoptrace.db "SELECT producer_id FROM users WHERE name = 'hamtien'")" 1
sqlite3 var/ocoptrace.db "PRAGMA foreign_keys = ON; INSERT INTO products (producer_id, name, grp) VALUES (99, 'x', 'food')" 2>/dev/null &&
    fail "foreign keys are enforced" || pass

# Backups open and hold the same rows.
"$OCOPTRACE" db backup "$scratch/backup.db"
expect_equal "backup: exit" "$?" 0
expect_equal "backup holds the users" "$(sqlite3 backup.db 'SELECT count(*) FROM users')" \
    "$(sqlite3 var/ocoptrace.db 'SELECT count(*) FROM users')"
expect_equal "backup is sound" "$(sqlite3 backup.db 'PRAGMA integrity_check')" ok
"$OCOPTRACE" db backup /nonexistent/dir/b.db 2>err
expect_equal "backup to nowhere: exit" "$?" 1

# A database from a newer ocoptrace is not touched.
sqlite3 var/ocoptrace.db "INSERT INTO schema_migrations (version) VALUES (99)"
"$OCOPTRACE" db migrate 2>err
expect_equal "newer schema: exit" "$?" 1
grep -q "schema version 99; this ocoptrace knows $known" err && pass || fail "newer schema: $(cat err)"

finish
