#!/usr/bin/env bash
# Renewal reminders: certificates ending within 180 days while the renewal
# window is open (at 180 and 150 days, unless their product's renewal was
# filed), within 30 days and again within 7 get one reminder each (the
# most urgent stage due), a notice on the pages of their producer's
# users and of every officer, and a mail to each of those with an address,
# delivered by the daemon to a real SMTP server (tests/mail/sink.py,
# aiosmtpd) exactly once: also when the server is down for a while, when
# it answers 451, when the daemon is killed in the middle of a send; a
# recipient refused with 550 is dead, the others go; TLS is verified.
suite=cli-reminders
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
sink_py=$root/tests/mail/sink.py
cd "$scratch"
db=$scratch/reminders.db
from=nhac-han@ocop.binhthuan.gov.vn
day() { date -d "$(date +%F) $1 days" +%F; }
vn_day() { date -d "$(date +%F) $1 days" +%d/%m/%Y; }
today=$(date +%F)

# ---------- the registry: producers, users, certificates ----------
token() { "$OCOPTRACE" user add "$@" --db "$db" | tail -n 1; }
admin=$(token --role admin root)
sqlite3 "$db" "INSERT INTO producers (id, name, address, kind) VALUES
    (1, 'HTX Thanh long Hàm Thuận Nam', 'Xã Hàm Minh', 'cooperative'),
    (2, 'Cơ sở nước mắm Phan Thiết', 'Phường Phú Hài', 'household')"
officer=$(token --role officer --email canbo1@sonn.binhthuan.gov.vn canbo1)
officer2=$(token --role officer canbo2)
producer=$(token --role producer --producer 1 --email sx1@htx-thanhlong.vn sx1)
token --role producer --producer 1 sx1b >/dev/null
token --role producer --producer 2 --email sx2@nuocmam.vn sx2 >/dev/null
token --role producer --producer 2 --email tuchoi@nuocmam.vn sx2r >/dev/null
user_id() { sqlite3 "$db" "SELECT id FROM users WHERE name = '$1'"; }

# certificate ID PRODUCER NAME VALID_UNTIL [REVOKED_AT]: a product, its
# evaluation and its certificate OCOP-ID.
certificate() {
    sqlite3 "$db" "INSERT INTO products (id, producer_id, name, grp) VALUES ($1, $2, '$3', 'food');
        INSERT INTO evaluations (id, product_id, score_a, score_b, score_c, stars) VALUES ($1, $1, 30, 20, 25, 4);
        INSERT INTO certificates (id, number, evaluation_id, decision_number, decision_date, level, valid_until, producer_snapshot, revoked_at)
        VALUES ($1, 'OCOP-BTH-$1', $1, '1032/QĐ-UBND', '2022-06-20', 'province', '$4', '{}', ${5:-NULL})"
}
certificate 1 1 'Thanh long ruột đỏ' "$(day 30)"
certificate 2 1 'Mứt thanh long' "$(day 7)"
certificate 3 2 'Nước mắm cá cơm 40 độ đạm' "$(day 6)"
certificate 4 1 'Rượu thanh long' "$(day 31)"
certificate 5 1 'Trà hoa thanh long' "$(day 20)" "'2025-01-02T03:04:05Z'"
certificate 6 1 'Bánh thanh long' "$(day 10)"
certificate 7 2 'Nước mắm nhĩ' "$(day -1)"
# Product 6 renewed: a later certificate of the same product.
sqlite3 "$db" "INSERT INTO evaluations (id, product_id, score_a, score_b, score_c, stars) VALUES (8, 6, 32, 20, 26, 4);
    INSERT INTO certificates (id, number, evaluation_id, decision_number, decision_date, level, valid_until, producer_snapshot)
    VALUES (8, 'OCOP-BTH-8', 8, '2001/QĐ-UBND', '$today', 'province', '$(day 1095)', '{}')"

cat >"$scratch/plain.conf" <<EOF
[mail]
from = $from
EOF

# ---------- bad input changes nothing ----------
dump() { sqlite3 "$db" .dump; }
before=$(dump)
"$OCOPTRACE" reminders run --today 2025-13-40 --db "$db" --config "$scratch/plain.conf" >/dev/null 2>"$scratch/err"
expect_equal "a date that is not one: exit 2" "$?" 2
grep -q "today" "$scratch/err" && pass || fail "the error names today: $(cat "$scratch/err")"
printf '[mail]\nsmtp_url = smtp://127.0.0.1:25\n' >"$scratch/nofrom.conf"
"$OCOPTRACE" reminders run --db "$db" --config "$scratch/nofrom.conf" >/dev/null 2>"$scratch/err"
expect_equal "smtp_url without from: exit 2" "$?" 2
grep -q "config \[mail\] from" "$scratch/err" && pass || fail "the error names [mail] from: $(cat "$scratch/err")"
"$OCOPTRACE" serve --db "$db" --config "$scratch/nofrom.conf" --listen 127.0.0.1:1 2>"$scratch/err"
expect_equal "serve refuses smtp_url without from" "$?" 2
expect_equal "nothing written by the refusals" "$(dump)" "$before"

# ---------- the run: reminders, notices, mails ----------
"$OCOPTRACE" reminders run --db "$db" --config "$scratch/plain.conf" >"$scratch/run1" 2>&1
expect_equal "first run: what it wrote" "$(tr '\n' ' ' <"$scratch/run1")" "reminders: 3 notices: 12 mails: 7 "
expect_equal "reminders: the 30-day one, and the 7-day ones without a 30-day one" \
    "$(sqlite3 "$db" "SELECT c.number || ':' || r.days || ':' || r.valid_until FROM reminders r JOIN certificates c ON c.id = r.certificate_id ORDER BY c.id" | tr '\n' ' ')" \
    "OCOP-BTH-1:30:$(day 30) OCOP-BTH-2:7:$(day 7) OCOP-BTH-3:7:$(day 6) "
addressees() {
    sqlite3 "$db" "SELECT u.name FROM $1 x JOIN reminders r ON r.id = x.reminder_id JOIN users u ON u.id = x.user_id WHERE r.certificate_id = $2 ORDER BY u.name" | tr '\n' ' '
}
expect_equal "notices of a producer 1 certificate" "$(addressees notices 1)" "canbo1 canbo2 sx1 sx1b "
expect_equal "notices of a producer 2 certificate" "$(addressees notices 3)" "canbo1 canbo2 sx2 sx2r "
mails_of() {
    sqlite3 "$db" "SELECT m.recipient FROM mail_outbox m JOIN reminders r ON r.id = m.reminder_id WHERE r.certificate_id = $1 ORDER BY m.recipient" | tr '\n' ' '
}
expect_equal "mails of certificate 1: the users with an address" "$(mails_of 1)" "canbo1@sonn.binhthuan.gov.vn sx1@htx-thanhlong.vn "
expect_equal "mails of certificate 3" "$(mails_of 3)" "canbo1@sonn.binhthuan.gov.vn sx2@nuocmam.vn tuchoi@nuocmam.vn "
r1=$(sqlite3 "$db" "SELECT id FROM reminders WHERE certificate_id = 1")
expect_equal "a mail's Message-ID: reminder, user, the sender's domain" \
    "$(sqlite3 "$db" "SELECT message_id FROM mail_outbox WHERE reminder_id = $r1 AND recipient LIKE 'sx1@%'")" \
    "<reminder-$r1-$(user_id sx1)@ocop.binhthuan.gov.vn>"
expect_equal "every mail pending" "$(sqlite3 "$db" "SELECT state || ':' || count(*) FROM mail_outbox GROUP BY state")" "pending:7"

"$OCOPTRACE" reminders run --db "$db" --config "$scratch/plain.conf" >"$scratch/run2" 2>&1
expect_equal "second run: nothing new" "$(tr '\n' ' ' <"$scratch/run2")" "reminders: 0 notices: 0 mails: 0 "
# 23 days on: certificate 1 is within 7 days (its 7-day reminder), 4 within
# 30 (its first); 2 and 3 have ended; 5 is revoked, 6 renewed.
"$OCOPTRACE" reminders run --today "$(day 23)" --db "$db" --config "$scratch/plain.conf" >"$scratch/run3" 2>&1
expect_equal "23 days on: what it wrote" "$(tr '\n' ' ' <"$scratch/run3")" "reminders: 2 notices: 8 mails: 4 "
expect_equal "23 days on: the reminders" \
    "$(sqlite3 "$db" "SELECT certificate_id || ':' || days FROM reminders ORDER BY certificate_id, days DESC" | tr '\n' ' ')" \
    "1:30 1:7 2:7 3:7 4:30 "
expect_equal "no reminder for the revoked, renewed or ended" \
    "$(sqlite3 "$db" "SELECT count(*) FROM reminders WHERE certificate_id IN (5, 6, 7, 8)")" 0

# ---------- the renewal window: 180 and 150 days, then 30 and 7 ----------
# Decision 26/2026/QĐ-TTg, Điều 7.6: the renewal dossier is filed 180 to
# 120 days before the certificate ends. Each certificate's id is the days
# it has left on the first run; 160 has a submitted renewal dossier in its
# window; 165 only a dossier from before the window and a draft.
wdb=$scratch/window.db
"$OCOPTRACE" user add --role officer --email canbo@sonn.binhthuan.gov.vn canbo --db "$wdb" >/dev/null
sqlite3 "$wdb" "INSERT INTO producers (id, name, address, kind) VALUES (1, 'HTX Thanh long Hàm Thuận Nam', 'Xã Hàm Minh', 'cooperative')"
"$OCOPTRACE" user add --role producer --producer 1 --email sx@htx-thanhlong.vn sx --db "$wdb" >/dev/null
window_left="180 170 165 160 150 140 125 100 30 7"
for n in $window_left; do
    db=$wdb certificate "$n" 1 "Sản phẩm $n" "$(day "$n")"
done
sqlite3 "$wdb" "INSERT INTO dossiers (product_id, sheet, state, created_at) VALUES
    (160, 'fixture-food', 'submitted', '${today}T08:00:00Z'),
    (165, 'fixture-food', 'recognised', '2023-05-02T08:00:00Z'),
    (165, 'fixture-food', 'draft', '${today}T08:00:00Z')"
# rows_of DB: everything but what a run writes, to see that it changes nothing else.
rows_of() {
    sqlite3 "$1" "SELECT id, number, valid_until, revoked_at FROM certificates ORDER BY id;
        SELECT id, product_id, state, created_at, updated_at FROM dossiers ORDER BY id;
        SELECT id, name, role, email FROM users ORDER BY id; SELECT count(*) FROM audit_log"
}
rows_before=$(rows_of "$wdb")
"$OCOPTRACE" reminders run --db "$wdb" --config "$scratch/plain.conf" >"$scratch/wrun1" 2>&1
expect_equal "window, first run: what it wrote" "$(tr '\n' ' ' <"$scratch/wrun1")" "reminders: 8 notices: 16 mails: 16 "
stage_of() { sqlite3 "$wdb" "SELECT COALESCE(MAX(days), 0) FROM reminders WHERE certificate_id = $1"; }
# days left, the stage it gets on the first run (0: none)
while read -r n want why; do
    expect_equal "first run, $n days left: $why" "$(stage_of "$n")" "$want"
done <<'EOF'
180 180 the window opens today
170 180 the window is open
165 180 a dossier from before the window or a draft is no filing
160 0 its renewal dossier submitted in the window
150 150 30 days left to file
140 150 the most urgent due stage only, not the 180 one
125 150 the window still open, 5 days left
100 0 the window has closed, not yet 30 days
30 30 30 days before the end
7 7 the 7-day one only
EOF
"$OCOPTRACE" reminders run --db "$wdb" --config "$scratch/plain.conf" >"$scratch/wrun2" 2>&1
expect_equal "window, run again the same day: nothing new" "$(tr '\n' ' ' <"$scratch/wrun2")" "reminders: 0 notices: 0 mails: 0 "

# wtext COLUMN notices|mail_outbox CERTIFICATE STAGE USER: what a reminder said to a user.
wtext() {
    local to="u.id = x.user_id"
    [ "$2" = mail_outbox ] && to="u.email = x.recipient"
    sqlite3 "$wdb" "SELECT $1 FROM $2 x JOIN reminders r ON r.id = x.reminder_id JOIN users u ON $to WHERE r.certificate_id = $3 AND r.days = $4 AND u.name = '$5'"
}
text=$(wtext text notices 180 180 sx)
case $text in
*"OCOP-BTH-180"*"$(vn_day 180)"*"mở từ hôm nay"*"từ ngày $(vn_day 0) đến ngày $(vn_day 60)"*"Điều 7.6 Quyết định số 26/2026/QĐ-TTg"*"hồ sơ gần nhất"*) pass ;;
*) fail "the 180-day notice: opens today, from today to 60 days on: '$text'" ;;
esac
text=$(wtext text notices 170 180 canbo)
case $text in
*"OCOP-BTH-170"*"đang mở"*"từ ngày $(vn_day -10) đến ngày $(vn_day 50)"*) pass ;;
*) fail "the 180-day notice seen 10 days late: open since then: '$text'" ;;
esac
expect_equal "the 180-day mail's subject" "$(wtext subject mail_outbox 180 180 sx)" \
    "Nộp hồ sơ đánh giá lại OCOP: chứng nhận OCOP-BTH-180, từ ngày $(vn_day 0) đến ngày $(vn_day 60) (mở từ hôm nay)"
text=$(wtext body mail_outbox 180 180 canbo)
case $text in
*"cán bộ"*"Sản phẩm \"Sản phẩm 180\" của HTX Thanh long Hàm Thuận Nam: cửa sổ nộp hồ sơ đánh giá lại mở từ ngày $(vn_day 0) đến ngày $(vn_day 60)"*"/officer"*) pass ;;
*) fail "the officer's 180-day mail: product of producer, the window: '$text'" ;;
esac
text=$(wtext body mail_outbox 150 150 sx)
case $text in
*"Kính gửi HTX Thanh long Hàm Thuận Nam"*"OCOP-BTH-150"*"$(vn_day 150)"*"còn 30 ngày để nộp hồ sơ"*"đến ngày $(vn_day 30)"*"/producer"*) pass ;;
*) fail "the producer's 150-day mail: 30 days left, closes on: '$text'" ;;
esac
text=$(wtext text notices 125 150 sx)
case $text in
*"còn 5 ngày để nộp hồ sơ"*"đến ngày $(vn_day 5)"*) pass ;;
*) fail "the 150-day notice 25 days late: 5 days left: '$text'" ;;
esac
text=$(wtext text notices 30 30 sx)
case $text in
*"OCOP-BTH-30"*"$(vn_day 30)"*"còn 30 ngày"*"từ ngày $(vn_day -150) đến ngày $(vn_day -90)"*"đã đóng"*"không quá 180 ngày"*"$(vn_day 210)"*"Điều 12.3"*"hồ sơ gần nhất"*) pass ;;
*) fail "the 30-day notice without a filing: the window closed, valid at most to 180 days past the end: '$text'" ;;
esac
text=$(wtext body mail_outbox 7 7 canbo)
case $text in
*"OCOP-BTH-7"*"còn 7 ngày"*"đã đóng"*"$(vn_day 187)"*"Điều 12.3"*) pass ;;
*) fail "the officer's 7-day mail without a filing: Điều 12.3: '$text'" ;;
esac

# Daily runs for 181 days: each stage once, on the day it is due.
last=$(sqlite3 "$wdb" "SELECT MAX(id) FROM reminders")
sqlite3 "$wdb" "SELECT certificate_id || ':0:' || days FROM reminders" >"$scratch/walk"
for k in $(seq 1 181); do
    "$OCOPTRACE" reminders run --today "$(day "$k")" --db "$wdb" --config "$scratch/plain.conf" >/dev/null 2>&1 || fail "the run on day $k"
    sqlite3 "$wdb" "SELECT certificate_id || ':$k:' || days FROM reminders WHERE id > $last" >>"$scratch/walk"
    last=$(sqlite3 "$wdb" "SELECT MAX(id) FROM reminders")
done
# days left on the first run: DAY:STAGE for each reminder it got
while read -r n want; do
    expect_equal "walk, $n days left: each stage once, on its day" \
        "$(grep "^$n:" "$scratch/walk" | cut -d: -f2- | tr '\n' ' ')" "$want "
done <<'EOF'
180 0:180 30:150 150:30 173:7
170 0:180 20:150 140:30 163:7
165 0:180 15:150 135:30 158:7
160 130:30 153:7
150 0:150 120:30 143:7
140 0:150 110:30 133:7
125 0:150 95:30 118:7
100 70:30 93:7
30 0:30 23:7
7 0:7
EOF
expect_equal "walk: one reminder per stage, no more" \
    "$(sqlite3 "$wdb" "SELECT count(*), count(DISTINCT certificate_id || ':' || days) FROM reminders")" "28|28"
text=$(wtext text notices 160 30 sx)
case $text in
*"OCOP-BTH-160"*"đã được nộp"*) [[ $text != *"Điều 12.3"* && $text != *"đã đóng"* ]] && pass || fail "filed: no late-filing rule: '$text'" ;;
*) fail "the 30-day notice after a filing says it was filed: '$text'" ;;
esac
expect_equal "each reminder: a notice and a mail for the producer's user and the officer, no more" \
    "$(sqlite3 "$wdb" "SELECT (SELECT count(*) FROM notices) || '/' || (SELECT count(*) FROM mail_outbox)")" "56/56"
expect_equal "the runs changed nothing else" "$(rows_of "$wdb")" "$rows_before"

# ---------- notices over the API ----------
start_daemon "$db" --config "$scratch/plain.conf"
call "$producer" GET /api/v1/notices >"$scratch/notices.out"
expect_equal "GET /notices: 200" "$(head -c 3 "$scratch/notices.out")" 200
cut -d' ' -f2- "$scratch/notices.out" >"$scratch/notices.json"
expect_equal "the producer's notices, newest first, all unread" \
    "$(jget '[n["reminder"]["number"] + ":" + str(n["reminder"]["days"]) for n in d["notices"]], d["unread"], d["total"]' <"$scratch/notices.json")" \
    "(['OCOP-BTH-4:30', 'OCOP-BTH-1:7', 'OCOP-BTH-1:30', 'OCOP-BTH-2:7'], 4, 4)"
first=$(jget '[n for n in d["notices"] if n["reminder"]["days"] == 30 and n["reminder"]["number"] == "OCOP-BTH-1"][0]["text"]' <"$scratch/notices.json")
case $first in
*"OCOP-BTH-1"*"$(vn_day 30)"*"còn 30 ngày"*"nộp hồ sơ đánh giá lại"*"hồ sơ gần nhất"*) pass ;;
*) fail "the notice says the number, the date, the days left, the renewal: '$first'" ;;
esac
expect_equal "an officer sees every certificate's notices" \
    "$(call "$officer2" GET /api/v1/notices | cut -d' ' -f2- | jget 'sorted(n["reminder"]["certificate_id"] for n in d["notices"])')" \
    "[1, 1, 2, 3, 4]"
expect_equal "a producer of another producer sees none of producer 1's" \
    "$(call "$(token --role producer --producer 2 sx2c)" GET /api/v1/notices | cut -d' ' -f2- | jget 'd["total"]')" 0
notice=$(jget 'd["notices"][0]["id"]' <"$scratch/notices.json")
got=$(call "$producer" POST /api/v1/notices/$notice/read)
expect_equal "marking read: 200" "${got%% *}" 200
read_at=$(echo "${got#* }" | jget 'd["read_at"]')
[ "$read_at" != None ] && pass || fail "the notice has read_at: ${got#* }"
expect_equal "one fewer unread" "$(call "$producer" GET /api/v1/notices | cut -d' ' -f2- | jget 'd["unread"]')" 3
sleep 1
expect_equal "read again: the first time kept" \
    "$(call "$producer" POST /api/v1/notices/$notice/read | cut -d' ' -f2- | jget 'd["read_at"]')" "$read_at"
theirs=$(sqlite3 "$db" "SELECT id FROM notices WHERE user_id = $(user_id canbo1) LIMIT 1")
before=$(dump)
expect_equal "another user's notice: 404" "$(status "$producer" POST /api/v1/notices/$theirs/read)" 404
expect_equal "no such notice: 404" "$(status "$producer" POST /api/v1/notices/999999/read)" 404
expect_equal "notices need a token" "$(status "" GET /api/v1/notices)" 401
expect_equal "nothing changed by the refusals" "$(dump)" "$before"
expect_equal "no mail sent without smtp_url: all pending" \
    "$(sqlite3 "$db" "SELECT count(*) FROM mail_outbox WHERE state = 'pending' AND attempts = 0")" 11
kill -TERM $pid && wait $pid

# ---------- delivery: server down, then 451, then up; one refused ----------
mails=$scratch/mails
mkdir -p "$mails"
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sport=$(free_port)
sinks=
# start_sink DIR PORT [ARGS...]: the SMTP sink; sets spid.
start_sink() {
    local dir=$1 port=$2
    shift 2
    : >"$dir.out"
    "$PY" "$sink_py" --dir "$dir" --port "$port" "$@" >"$dir.out" 2>"$dir.err" &
    spid=$!
    sinks="$sinks $spid"
    trap 'kill $daemons $sinks 2>/dev/null; rm -rf "$scratch"' EXIT
    if ! wait_for 10 grep -q '^listening' "$dir.out"; then
        fail "the SMTP sink did not start: $(tail -n 5 "$dir.err")"
        finish
        exit 1
    fi
}
cat >"$scratch/mail.conf" <<EOF
[mail]
smtp_url = smtp://127.0.0.1:$sport
from = $from
timeout_s = 3
backoff_ms = 100
backoff_max_s = 1
EOF
mstate() { sqlite3 "$db" "SELECT count(*) FROM mail_outbox WHERE $1"; }
all_tried() { [ "$(mstate "attempts >= 2 AND state = 'pending'")" = 11 ]; }
start_daemon "$db" --config "$scratch/mail.conf"
trap 'kill $daemons $sinks 2>/dev/null; rm -rf "$scratch"' EXIT
wait_for 20 all_tried && pass || fail "every mail tried while the server is down: $(sqlite3 "$db" "SELECT state, attempts, last_error FROM mail_outbox LIMIT 3")"
"$OCOPTRACE" reminders status --db "$db" >"$scratch/status1"
grep -q '^retrying: 11$' "$scratch/status1" && pass || fail "status: 11 retrying: $(cat "$scratch/status1")"
grep -qi '^last error: .*connect' "$scratch/status1" && pass || fail "status: the connection error: $(cat "$scratch/status1")"
expect_equal "none sent or dead while down" "$(mstate "state <> 'pending'")" 0

touch "$mails/defer"
start_sink "$mails" "$sport" --reject tuchoi@nuocmam.vn
deferred() { [ "$(mstate "last_error LIKE '%451%'")" -ge 10 ]; }
wait_for 20 deferred && pass || fail "a 451 is retried: $(sqlite3 "$db" "SELECT last_error FROM mail_outbox LIMIT 2")"
expect_equal "451: nothing received, nothing sent" "$(ls "$mails" | grep -c '\.eml$')/$(mstate "state = 'sent'")" "0/0"
rm "$mails/defer"
settled() { [ "$(mstate "state = 'pending'")" = 0 ]; }
wait_for 30 settled && pass || fail "every mail sent or dead: $(sqlite3 "$db" "SELECT recipient, state, last_error FROM mail_outbox WHERE state = 'pending'")"
expect_equal "10 sent, 1 dead" "$(mstate "state = 'sent' AND sent_at IS NOT NULL")/$(mstate "state = 'dead'")" "10/1"
expect_equal "the dead one is the refused recipient, the server's reply kept" \
    "$(sqlite3 "$db" "SELECT recipient FROM mail_outbox WHERE state = 'dead' AND last_error LIKE '%550 5.1.1%recipient address rejected%'")" \
    tuchoi@nuocmam.vn
"$OCOPTRACE" reminders status --db "$db" >"$scratch/status2"
grep -q "^dead [0-9]* tuchoi@nuocmam.vn <reminder-.*550" "$scratch/status2" && pass || fail "status lists the dead mail: $(cat "$scratch/status2")"
grep -q '^sent: 10$' "$scratch/status2" && pass || fail "status: 10 sent: $(cat "$scratch/status2")"

# read_mails DIR: every received message as JSON (decoded subject and body).
read_mails() {
    "$PY" - "$1" <<'PY'
import email, email.policy, json, os, sys
out = []
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".eml"):
        continue
    m = email.message_from_bytes(open(os.path.join(sys.argv[1], name), "rb").read(), policy=email.policy.default)
    out.append({"envelope_to": m["X-Envelope-To"], "to": str(m["To"]), "from": str(m["From"]),
                "subject": str(m["Subject"]), "message_id": str(m["Message-ID"]), "date": str(m["Date"]),
                "type": m.get_content_type(), "charset": m.get_content_charset(),
                "body": m.get_content()})
json.dump(out, sys.stdout, ensure_ascii=False)
PY
}
read_mails "$mails" >"$scratch/mails.json"
expect_equal "10 messages received" "$(jget 'len(d)' <"$scratch/mails.json")" 10
expect_equal "each Message-ID once" "$(jget 'max([m["message_id"] for m in d].count(x) for x in [m["message_id"] for m in d])' <"$scratch/mails.json")" 1
expect_equal "the received Message-IDs are the sent ones" \
    "$(jget '" ".join(sorted(m["message_id"] for m in d))' <"$scratch/mails.json")" \
    "$(sqlite3 "$db" "SELECT message_id FROM mail_outbox WHERE state = 'sent'" | sort | tr '\n' ' ' | sed 's/ $//')"
mid=$(sqlite3 "$db" "SELECT message_id FROM mail_outbox WHERE reminder_id = $r1 AND recipient LIKE 'sx1@%'")
jget "[m for m in d if m['message_id'] == '$mid'][0]" <"$scratch/mails.json" >/dev/null 2>&1 || fail "the producer's 30-day mail arrived"
one() { jget "[m for m in d if m['message_id'] == '$mid'][0]$1" <"$scratch/mails.json"; }
expect_equal "envelope and To: the producer" "$(one '["envelope_to"]')|$(one '["to"]')" "sx1@htx-thanhlong.vn|sx1@htx-thanhlong.vn"
expect_equal "From: the configured sender" "$(one '["from"]')" "OCOP <$from>"
expect_equal "subject decoded (RFC 2047, UTF-8)" "$(one '["subject"]')" \
    "Nhắc đánh giá lại OCOP: chứng nhận OCOP-BTH-1 hết hiệu lực ngày $(vn_day 30) (còn 30 ngày)"
expect_equal "text/plain in UTF-8" "$(one '["type"]') $(one '["charset"]')" "text/plain utf-8"
body=$(one '["body"]')
case $body in
*"Kính gửi HTX Thanh long Hàm Thuận Nam"*"4 sao số OCOP-BTH-1"*"Thanh long ruột đỏ"*"$(vn_day 30)"*"còn 30 ngày"*"nộp hồ sơ đánh giá lại"*"hồ sơ gần nhất"*"/producer"*) pass ;;
*) fail "the producer's mail: number, product, date, days left, the renewal from the last dossier, /producer: '$body'" ;;
esac
mid=$(sqlite3 "$db" "SELECT message_id FROM mail_outbox m JOIN reminders r ON r.id = m.reminder_id WHERE r.certificate_id = 3 AND recipient LIKE 'canbo1@%'")
body=$(one '["body"]')
case $body in
*"cán bộ"*"OCOP-BTH-3"*"Cơ sở nước mắm Phan Thiết"*"$(vn_day 6)"*"còn 6 ngày"*"/officer"*) pass ;;
*) fail "the officer's mail names the certificate, producer, date: '$body'" ;;
esac

# ---------- killed in the middle of a send ----------
certificate 9 1 'Kẹo thanh long' "$(day 5)"
touch "$mails/hold"
"$OCOPTRACE" reminders run --db "$db" --config "$scratch/mail.conf" >"$scratch/run4" 2>&1
expect_equal "a new certificate due: its mails" "$(tr '\n' ' ' <"$scratch/run4")" "reminders: 1 notices: 4 mails: 2 "
wait_for 20 test -e "$mails/held" && pass || fail "the daemon is sending"
kill -KILL $pid
wait $pid 2>/dev/null
now_ms=$(($(date +%s) * 1000))
expect_equal "killed mid-send: both mails claimed, pending" \
    "$(mstate "state = 'pending' AND claimed_until > $now_ms")" 2
rm "$mails/hold"
start_daemon "$db" --config "$scratch/mail.conf"
wait_for 40 settled && pass || fail "the claimed mails sent after the lease: $(sqlite3 "$db" "SELECT recipient, state, attempts, last_error FROM mail_outbox WHERE state = 'pending'")"
read_mails "$mails" >"$scratch/mails.json"
expect_equal "12 messages in all" "$(jget 'len(d)' <"$scratch/mails.json")" 12
expect_equal "no Message-ID twice" "$(jget 'max([m["message_id"] for m in d].count(x) for x in [m["message_id"] for m in d])' <"$scratch/mails.json")" 1
kill -TERM $pid && wait $pid

# ---------- TLS verified ----------
tdb=$scratch/tls.db
"$OCOPTRACE" user add --role officer --email canbo@tls.test canbo --db "$tdb" >/dev/null
sqlite3 "$tdb" "INSERT INTO producers (id, name, kind) VALUES (1, 'HTX Hàm Minh', 'cooperative')"
db=$tdb certificate 1 1 'Thanh long sấy' "$(day 15)"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$scratch/sink.key" -out "$scratch/sink.pem" 2>/dev/null
tport=$(free_port)
tmails=$scratch/tls-mails
mkdir -p "$tmails"
start_sink "$tmails" "$tport" --tls "$scratch/sink.pem" "$scratch/sink.key"
printf '[mail]\nsmtp_url = smtps://localhost:%s\nfrom = %s\ntimeout_s = 3\nbackoff_ms = 100\nbackoff_max_s = 1\n' \
    "$tport" "$from" >"$scratch/tls.conf"
start_daemon "$tdb" --config "$scratch/tls.conf"
tls_failed() { [ "$(sqlite3 "$tdb" "SELECT count(*) FROM mail_outbox WHERE attempts >= 2 AND state = 'pending' AND last_error LIKE '%certificate%'")" = 1 ]; }
wait_for 20 tls_failed && pass || fail "a self-signed server is refused: $(sqlite3 "$tdb" "SELECT state, attempts, last_error FROM mail_outbox")"
expect_equal "nothing received over unverified TLS" "$(ls "$tmails" | grep -c '\.eml$')" 0
kill -TERM $pid && wait $pid
printf 'ca_file = %s\n' "$scratch/sink.pem" >>"$scratch/tls.conf"
start_daemon "$tdb" --config "$scratch/tls.conf"
tls_sent() { [ "$(sqlite3 "$tdb" "SELECT count(*) FROM mail_outbox WHERE state = 'sent'")" = 1 ]; }
wait_for 20 tls_sent && pass || fail "with ca_file the mail goes: $(sqlite3 "$tdb" "SELECT state, attempts, last_error FROM mail_outbox")"
read_mails "$tmails" >"$scratch/tls.json"
expect_equal "received once over TLS" "$(jget '[m["envelope_to"] for m in d]' <"$scratch/tls.json")" "['canbo@tls.test']"
kill -TERM $pid && wait $pid

finish
