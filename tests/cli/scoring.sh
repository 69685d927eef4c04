#!/usr/bin/env bash
# The council's scoring over a real socket, on dossiers put in state
# `scoring` directly in the database: the criteria sheet as the API gives
# it, compared with the sheet's file; full sheets of points accepted with
# their parts' totals; every bad sheet refused with its status and field
# and the database unchanged (a score that is no option, an unknown or a
# missing criterion, another member named, a second sheet, a role that
# does not score, a dossier not in scoring, an incomplete sheet); who sees
# whose sheets before and after scoring; the close refused to a member who
# is not the chair and below the quorum, then the chair's close checked
# against a computation made here from the sheets in the database (the
# mean's whole part, the parts apportioned by largest remainder, the
# stars at the bands' edges); a sheet's star markers shown with its
# options and holding the stars to each criterion's minimum (checked
# against a computation made here); and members submitting at the same moment,
# one of them twice, leaving exactly one sheet each.
suite=cli-scoring
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
fixture=$root/tests/criteria/fixture-food.criteria
PY=/usr/bin/python3

cd "$scratch"
db=$scratch/scoring.db
add_user() { "$OCOPTRACE" user add --db "$db" "$@" | tail -n 1; }
admin=$(add_user --role admin root)
officer=$(add_user --role officer canbo)
commune=$(add_user --role commune xa)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Nước mắm Phan Thiết', 'Phường Đức Long, Phan Thiết', 'cooperative');
    INSERT INTO products (producer_id, name, grp) VALUES (1, 'Nước mắm cá cơm', 'food'),
    (1, 'Rượu sim', 'drink')"
producer=$(add_user --role producer --producer 1 htx)
chair=$(add_user --role council --chair chutich)
m2=$(add_user --role council thanhvien2)
m3=$(add_user --role council thanhvien3)
m4=$(add_user --role council thanhvien4)
member_id() { sqlite3 "$db" "SELECT id FROM users WHERE name = '$1'"; }
CHAIR_ID=$(member_id chutich)

# The dossiers: 1 the main flow, 2 not yet in scoring, 3 and 4 the bands'
# edges, 5 an incomplete sheet, 6 and 7 the races, 8 to 10 a sheet with
# minimums.
sqlite3 "$db" "INSERT INTO dossiers (id, product_id, sheet, state) VALUES
    (1, 1, 'fixture-food', 'scoring'), (2, 1, 'fixture-food', 'checked'),
    (3, 1, 'fixture-food', 'scoring'), (4, 1, 'fixture-food', 'scoring'),
    (5, 1, 'frame', 'scoring'), (6, 1, 'fixture-food', 'scoring'),
    (7, 1, 'fixture-food', 'scoring'), (8, 2, 'fixture-minimums', 'scoring'),
    (9, 2, 'fixture-minimums', 'scoring'), (10, 2, 'fixture-minimums', 'scoring')"

"$OCOPTRACE" keys generate --out "$scratch/issuer.key" >/dev/null
printf '[criteria]\ndir = %s\n\n[council]\nquorum = 3\n\n[certificates]\nkey = %s\n' "$root/tests/criteria" \
    "$scratch/issuer.key" >"$scratch/scoring.conf"
start_daemon "$db" --config "$scratch/scoring.conf"

dump() { sqlite3 "$db" .dump; }
expect_unchanged() {
    local now
    now=$(dump)
    if [ "$now" = "$2" ]; then
        pass
    else
        fail "$1: database changed: $(diff <(echo "$2") <(echo "$now") | grep '^[<>]' | head -n 4)"
    fi
}

# sheet A B C [CHANGE...]: a body scoring every criterion of the fixture
# so that parts A, B and C total A, B and C points, each criterion one of
# its options (found here from the file); then each CHANGE: ID=POINTS
# (JSON), -ID (left out), or +KEY=JSON at the body's top level.
sheet() {
    "$PY" - "$fixture" "$@" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
targets = [int(x) for x in sys.argv[2:5]]
scores = {}
for part, target in zip(doc["parts"], targets):
    items = part["criteria"]
    # reach[i]: the sums the criteria from i on can make, and how
    reach = [{0: []}]
    for item in reversed(items):
        nxt = {}
        for total, picks in reach[0].items():
            for option in item["options"]:
                nxt.setdefault(total + option["points"], [option["points"]] + picks)
        reach.insert(0, nxt)
    if target not in reach[0]:
        sys.exit("part %s cannot total %d" % (part["part"], target))
    for item, points in zip(items, reach[0][target]):
        scores[item["id"]] = points
body = {"scores": scores}
for change in sys.argv[5:]:
    if change.startswith("-"):
        del scores[change[1:]]
    elif change.startswith("+"):
        key, value = change[1:].split("=", 1)
        body[key] = json.loads(value)
    else:
        key, value = change.split("=", 1)
        scores[key] = json.loads(value)
print(json.dumps(body))
EOF
}

# ---------- the sheet, as a member's scoring page loads it ----------

req "$m2" GET /api/v1/dossiers/1/sheet
expect "a member reads the dossier's sheet" "$code" 200
expect "… every criterion of the file, with its options in order" "$(v 'json.dumps([(c["id"], c["section"], c["text"], c["max"], [(o["text"], o["points"]) for o in c["options"]]) for p in d["sheet"]["parts"] for c in p["criteria"]], ensure_ascii=False)')" \
    "$("$PY" -c 'import json,sys; f=json.load(open(sys.argv[1])); print(json.dumps([(c["id"], c["section"], c["text"], max(o["points"] for o in c["options"]), [(o["text"], o["points"]) for o in c["options"]]) for p in f["parts"] for c in p["criteria"]], ensure_ascii=False))' "$fixture")"
expect "… 20 criteria, parts A 40, B 25, C 35" "$(v 'sum(len(p["criteria"]) for p in d["sheet"]["parts"]), [(p["part"], p["max"]) for p in d["sheet"]["parts"]]')" \
    "(20, [('A', 40), ('B', 25), ('C', 35)])"
expect "… the sheet's id, group, title, basis, completeness" "$(v '[d["sheet"][k] for k in ("id", "group", "title", "legal_basis", "complete")]')" \
    "$("$PY" -c 'import json,sys; f=json.load(open(sys.argv[1])); print([f[k] for k in ("id", "group", "title", "legal_basis", "complete")])' "$fixture")"
expect "… the dossier, its product and producer" "$(v '[d["dossier"]["id"], d["dossier"]["state"], d["dossier"]["product"]["name"], d["dossier"]["producer"]["name"]]')" \
    "[1, 'scoring', 'Nước mắm cá cơm', 'HTX Nước mắm Phan Thiết']"
expect "… nothing of this member's yet; no sheet in; quorum 3; not the chair" "$(v '[d["mine"], d["members_submitted"], d["quorum"], d["chair"]]')" "[None, 0, 3, False]"
req "$chair" GET /api/v1/dossiers/1/sheet
expect "the chair's page knows it is the chair's" "$code $(v 'd["chair"]')" "200 True"
req "$officer" GET /api/v1/dossiers/1/sheet
expect "an officer reads the sheet too" "$code $(v 'd["mine"]')" "200 None"
req "$producer" GET /api/v1/dossiers/1/sheet
expect "a producer may not" "$code" 403
req "$commune" GET /api/v1/dossiers/1/sheet
expect "nor the commune" "$code" 403
req "$m2" GET /api/v1/dossiers/2/sheet
refused "a dossier not yet in scoring has no sheet to show" 409 state
req "$m2" GET /api/v1/dossiers/99/sheet
refused "no such dossier" 404 id

# ---------- refusals: each names its field and changes nothing ----------

before=$(dump)
while IFS='|' read -r name token path body want_code want_field; do
    req "${!token}" POST "$path" "$body"
    refused "$name" "$want_code" "$want_field"
    expect_unchanged "$name" "$before"
done <<EOF
a score that is not one of the criterion's options|m2|/api/v1/dossiers/1/scores|$(sheet 30 20 20 A1=2)|422|scores.A1
a fraction of a point|m2|/api/v1/dossiers/1/scores|$(sheet 30 20 20 A1=3.0)|400|scores.A1
points as text|m2|/api/v1/dossiers/1/scores|$(sheet 30 20 20 'A1="3"')|400|scores.A1
an unknown criterion|m2|/api/v1/dossiers/1/scores|$(sheet 30 20 20 Z9=1)|422|scores.Z9
a criterion left out|m2|/api/v1/dossiers/1/scores|$(sheet 30 20 20 -C7)|422|scores.C7
another member named in the body|m2|/api/v1/dossiers/1/scores|$(sheet 30 20 20 "+member_id=$CHAIR_ID")|400|member_id
no scores at all|m2|/api/v1/dossiers/1/scores|{}|422|scores
scores that are not an object|m2|/api/v1/dossiers/1/scores|{"scores":[3,5]}|400|scores
an officer's sheet|officer|/api/v1/dossiers/1/scores|$(sheet 30 20 20)|403|
the commune's sheet|commune|/api/v1/dossiers/1/scores|$(sheet 30 20 20)|403|
a producer's sheet|producer|/api/v1/dossiers/1/scores|$(sheet 30 20 20)|403|
a dossier not in scoring|m2|/api/v1/dossiers/2/scores|$(sheet 30 20 20)|409|state
no such dossier|m2|/api/v1/dossiers/99/scores|$(sheet 30 20 20)|404|id
EOF
req "$m2" POST /api/v1/dossiers/1/scores "$(sheet 30 20 20 A1=2)"
expect "… the rule lists the options" "$(v 'd["error"]["message"]')" "must be one of 0, 1, 3, 5"
req "$m2" POST /api/v1/dossiers/1/scores '{"scores":{"A1":5,"A1":3}}'
expect "a criterion twice in one body: refused as JSON" "$code" 400
expect_unchanged "… nothing written" "$before"

# ---------- who sees whose sheets ----------

req "$m2" GET /api/v1/dossiers/1/scores
refused "a member who has not scored sees no one's sheet" 403 scores
req "$officer" GET /api/v1/dossiers/1/scores
expect "an officer sees only the count while scoring" "$code $(v '[d["members_submitted"], d["sheets"]]')" "200 [0, None]"

# ---------- the sheets ----------

# submit NAME TOKEN DOSSIER A B C: a full sheet accepted with its parts.
submit() {
    req "$2" POST "/api/v1/dossiers/$3/scores" "$(sheet "$4" "$5" "$6")"
    expect "$1: accepted with its parts and total" "$code $(v '[d["sheet"][k] for k in "a b c total".split()]')" \
        "201 [$4, $5, $6, $(($4 + $5 + $6))]"
}
submit "the chair's sheet (30+20+20)" "$chair" 1 30 20 20
expect "… kept with every criterion's points" \
    "$(sqlite3 "$db" "SELECT count(*), sum(points) FROM dossier_scores WHERE dossier_id = 1 AND member_id = $CHAIR_ID")" "20|70"
expect "… the points as sent" "$(v 'json.dumps(d["sheet"]["scores"], sort_keys=True)')" \
    "$("$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["scores"], sort_keys=True))' "$(sheet 30 20 20)")"
expect "… in the audit log, by the member" \
    "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'dossier.score' AND subject = 'dossier 1' AND user_id = $CHAIR_ID")" 1
before=$(dump)
req "$chair" POST /api/v1/dossiers/1/scores "$(sheet 40 25 35)"
refused "a member's second sheet" 409 scores
expect "… saying whose and when" "$(v '"member '"'"'chutich'"'"' submitted" in d["error"]["message"]')" True
expect_unchanged "… the first stays as it was" "$before"

req "$chair" GET /api/v1/dossiers/1/scores
expect "a member who has scored sees the sheets" "$code $(v '[(s["member"]["name"], s["total"]) for s in d["sheets"]]')" "200 [('chutich', 70)]"
req "$chair" GET /api/v1/dossiers/1/sheet
expect "… and their own on the scoring page" "$(v '[d["mine"][k] for k in ("a", "b", "c", "total")] + [d["mine"]["scores"]["A1"] is not None, d["members_submitted"]]')" "[30, 20, 20, 70, True, 1]"
req "$m2" GET /api/v1/dossiers/1/scores
refused "… while another still may not" 403 scores

# ---------- the close ----------

before=$(dump)
req "$m2" POST /api/v1/dossiers/1/close
refused "a member who is not the chair may not close" 403 chair
expect_unchanged "… nothing changed" "$before"
req "$chair" POST /api/v1/dossiers/1/close
refused "the chair below the quorum" 409 quorum
expect "… saying how many scored and how many are needed" "$(v 'd["error"]["message"].startswith("1 of") and "needs 3" in d["error"]["message"]')" True
expect_unchanged "… nothing changed" "$before"

# Totals 70, 71, 72, 70: mean 70.75, so 70 points (the bands are the
# mean's: Decision 26/2026/QĐ-TTg, Điều 3.3). The parts' means 30.5, 20.5
# and 19.75 rounded one by one would make 72: by largest remainder C (.75)
# takes the one point left over their whole parts.
submit "a second member's sheet (31+22+18)" "$m2" 1 31 22 18
submit "a third (31+20+21)" "$m3" 1 31 20 21
req "$officer" GET /api/v1/dossiers/1/scores
expect "at the quorum, an officer still sees only the count" "$code $(v '[d["members_submitted"], d["sheets"]]')" "200 [3, None]"
submit "a fourth (30+20+20)" "$m4" 1 30 20 20

# expected DOSSIER: the score computed here from the sheets in the
# database, as "total a b c mean stars".
expected() {
    sqlite3 "$db" "SELECT score_a, score_b, score_c FROM dossier_sheets WHERE dossier_id = $1" | "$PY" -c '
import sys
from fractions import Fraction
from math import floor
sheets = [[int(x) for x in line.split("|")] for line in sys.stdin if line.strip()]
n = len(sheets)
mean = Fraction(sum(map(sum, sheets)), n)
total = floor(mean)
means = [Fraction(sum(s[i] for s in sheets), n) for i in range(3)]
parts = [floor(m) for m in means]
for i in sorted(range(3), key=lambda i: (-(means[i] - parts[i]), i))[:total - sum(parts)]:
    parts[i] += 1
hundredths = floor(mean * 100)
stars = next(s for floor_, s in ((90, 5), (70, 4), (50, 3), (30, 2), (0, 1)) if total >= floor_)
print(total, *parts, "%d.%02d" % divmod(hundredths, 100), stars)'
}
answered() { v '" ".join(str(d["score"][k]) for k in ("total", "a", "b", "c", "mean", "stars"))'; }
stored() { sqlite3 "$db" "SELECT score_a + score_b + score_c, score_a, score_b, score_c, score_mean, stars, members, state FROM dossiers WHERE id = $1" | tr '|' ' '; }

req "$chair" POST /api/v1/dossiers/1/close
expect "the chair closes at 4 sheets" "$code $(v 'd["state"]')" "200 scored"
expect "… the score: 70 of a 70.75 mean, 30+20+20, 4 stars" "$(answered)" "70 30 20 20 70.75 4"
expect "… as computed here from the sheets" "$(answered)" "$(expected 1)"
expect "… kept on the dossier" "$(stored 1)" "70 30 20 20 70.75 4 4 scored"
expect "… the move in the dossier's history, by the chair" \
    "$(sqlite3 "$db" "SELECT from_state, to_state, user_id FROM dossier_transitions WHERE dossier_id = 1")" "scoring|scored|$CHAIR_ID"
expect "… and in the audit log" "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'dossier.scored' AND subject = 'dossier 1'")" 1

before=$(dump)
req "$chair" POST /api/v1/dossiers/1/close
refused "closing again" 409 state
req "$m2" POST /api/v1/dossiers/1/scores "$(sheet 30 20 20)"
refused "a sheet after the close" 409 state
expect_unchanged "… nothing changed" "$before"
req "$officer" GET /api/v1/dossiers/1/scores
expect "once scored, an officer sees every sheet" "$code $(v 'sorted(s["total"] for s in d["sheets"])')" "200 [70, 70, 71, 72]"
expect "… with each criterion's points" "$(v 'sorted(len(s["scores"]) for s in d["sheets"])')" "[20, 20, 20, 20]"

# The bands' edges: 90, 90, 89, 89 make 89.5, under 90: four stars, not
# five; 50, 50, 49, 49 make 49.5, under 50: two, not three.
for t in "$chair" "$m2"; do submit "dossier 3: 90" "$t" 3 40 25 25; done
for t in "$m3" "$m4"; do submit "dossier 3: 89" "$t" 3 40 25 24; done
req "$chair" POST /api/v1/dossiers/3/close
expect "89.5 is under 90: four stars" "$(answered)" "89 40 25 24 89.50 4"
expect "… as computed here" "$(answered)" "$(expected 3)"
for t in "$chair" "$m2"; do submit "dossier 4: 50" "$t" 4 20 10 20; done
for t in "$m3" "$m4"; do submit "dossier 4: 49" "$t" 4 20 10 19; done
req "$chair" POST /api/v1/dossiers/4/close
expect "49.5 is under 50: two stars" "$(answered)" "49 20 10 19 49.50 2"
expect "… as computed here" "$(answered)" "$(expected 4)"

# ---------- the minimums (star markers) ----------

# fixture-minimums: fixture-food with A1's 3-point option the minimum for
# 4 stars (so for 5 too) and C1's 1-point option the minimum for 3.
minimums=$root/tests/criteria/fixture-minimums.criteria
req "$m2" GET /api/v1/dossiers/8/sheet
expect "the sheet shows each option's minimum" "$(v '[(c["id"], o["points"], o["minimum_for"]) for p in d["sheet"]["parts"] for c in p["criteria"] for o in c["options"] if o["minimum_for"]]')" \
    "[('A1', 3, 4), ('C1', 1, 3)]"
expect "… each criterion's needs, carried upwards" "$(v '[(c["id"], c["minimums"]) for p in d["sheet"]["parts"] for c in p["criteria"] if c["minimums"]]')" \
    "[('A1', {'4': 3, '5': 3}), ('C1', {'3': 1, '4': 1, '5': 1})]"
expect "… and the sheet's notes" "$(v 'd["sheet"]["notes"]')" \
    "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["notes"])' "$minimums")"
req "$m2" GET /api/v1/dossiers/1/sheet
expect "a sheet without markers or notes shows none" "$(v '[d["sheet"]["notes"], {o["minimum_for"] for p in d["sheet"]["parts"] for c in p["criteria"] for o in c["options"]}, {str(c["minimums"]) for p in d["sheet"]["parts"] for c in p["criteria"]}]')" \
    "[None, {None}, {'None'}]"

# held DOSSIER: the stars computed here from the sheets in the database
# and the file's markers, as "band stars missed_for criteria".
held() {
    sqlite3 "$db" "SELECT member_id, criterion, points FROM dossier_scores WHERE dossier_id = $1" | "$PY" -c '
import json, sys
from fractions import Fraction
from math import floor
sheet = json.load(open(sys.argv[1], encoding="utf-8"))
points, members = {}, set()
for line in sys.stdin:
    member, criterion, p = line.strip().split("|")
    points.setdefault(criterion, []).append(int(p))
    members.add(member)
members = len(members)
total = floor(Fraction(sum(map(sum, points.values())), members) + Fraction(1, 2))
band = next(s for floor_, s in ((90, 5), (70, 4), (50, 3), (30, 2), (0, 1)) if total >= floor_)
def need(c, n):
    marked = [(o["minimum_for"], o["points"]) for o in c["options"] if o.get("minimum_for", 0) and o["minimum_for"] <= n]
    return max(marked)[1] if marked else None
criteria = [c for p in sheet["parts"] for c in p["criteria"]]
def short(n):
    return [c["id"] for c in criteria if need(c, n) is not None and Fraction(sum(points[c["id"]]), members) < need(c, n)]
stars = next((n for n in range(band, 2, -1) if not short(n)), min(band, 2))
print(band, stars, *( [stars + 1, ",".join(short(stars + 1))] if stars < band else ["-", "-"]))' "$minimums"
}
capped() { v '" ".join(str(x) for x in (d["score"]["stars_by_points"], d["score"]["stars"]) + ((d["score"]["minimums"]["missed_for"], ",".join(d["score"]["minimums"]["criteria"])) if d["score"]["minimums"] else ("-", "-")))'; }
note() { sqlite3 "$db" "SELECT note FROM dossier_transitions WHERE dossier_id = $1 AND to_state = 'scored'"; }

# 8: about 85 points, 4 stars by the points; A1 at 3, 3 and 1: a mean of
# 2.33 under its 4-star minimum of 3: 3 stars.
submit_as() { req "$2" POST "/api/v1/dossiers/$3/scores" "$(sheet "${@:4}")"; expect "$1: accepted" "$code" 201; }
submit_as "dossier 8, A1 at 3" "$chair" 8 35 22 28 A1=3 C1=2
submit_as "dossier 8, A1 at 3" "$m2" 8 35 22 28 A1=3 C1=2
submit_as "dossier 8, A1 at 1" "$m3" 8 35 22 28 A1=1 C1=2
req "$chair" POST /api/v1/dossiers/8/close
expect "a 4-star minimum missed: 4 stars by the points, 3 given" "$code $(capped)" "200 4 3 4 A1"
expect "… as computed here from the sheets and the file" "$(capped)" "$(held 8)"
expect "… kept on the dossier" "$(sqlite3 "$db" "SELECT stars, state FROM dossiers WHERE id = 8")" "3|scored"
expect "… the answer says why" "$(v 'd["score"]["minimums"]["reason"]')" "3 because A1 does not reach its 4-star minimum"
expect "… and so does the dossier's history" "$(note 8 | sed 's/.*), //')" "4 stars by the points, 3 because A1 does not reach its 4-star minimum"
# The decision recognises the stars the minimums left, not the band's.
decide() { # decide DOSSIER NUMBER
    req "$officer" POST "/api/v1/dossiers/$1/decision" "{\"number\":\"$2\",\"decision\":{\"number\":\"88/QĐ-UBND\",\"date\":\"2026-11-20\",\"level\":\"province\",\"issuer\":\"Ủy ban nhân dân tỉnh Lâm Đồng\",\"signer\":{\"title\":\"PHÓ CHỦ TỊCH\",\"name\":\"Nguyễn Văn A\"}}}"
}
certified() { sqlite3 "$db" "SELECT e.stars FROM certificates c JOIN evaluations e ON e.id = c.evaluation_id WHERE c.number = '$1'"; }
decide 8 OCOP-LD-2026-0008
expect "… decided: recognised at 3 stars, the certificate's" "$code $(v 'd["state"]') $(certified OCOP-LD-2026-0008)" "200 recognised 3"

# 9: C1 at 0 for every member: under its 3-star minimum: 2 stars, though
# A1 reaches its own.
for t in "$chair" "$m2" "$m3"; do submit_as "dossier 9, C1 at 0" "$t" 9 35 22 28 A1=5 C1=0; done
req "$chair" POST /api/v1/dossiers/9/close
expect "a 3-star minimum missed: 2 stars" "$code $(capped)" "200 4 2 3 C1"
expect "… as computed here" "$(capped)" "$(held 9)"
decide 9 OCOP-LD-2026-0009
expect "… decided: not recognised, no certificate" "$code $(v 'd["state"]') $(sqlite3 "$db" "SELECT count(*) FROM certificates WHERE number = 'OCOP-LD-2026-0009'")" "200 not_recognised 0"

# 10: A1 at 3, 3 and 3: a mean exactly at the minimum meets it.
for t in "$chair" "$m2" "$m3"; do submit_as "dossier 10, A1 at 3" "$t" 10 35 22 28 A1=3 C1=1; done
req "$chair" POST /api/v1/dossiers/10/close
expect "minimums met, one exactly: the band's stars, nothing missed" "$code $(capped)" "200 4 4 - -"
expect "… as computed here" "$(capped)" "$(held 10)"
expect "… the history says only the stars" "$(note 10 | sed 's/.*), //')" "4 stars"

# ---------- an incomplete sheet ----------

mkdir -p "$scratch/criteria"
cp "$fixture" "$root/templates/criteria/frame.criteria" "$scratch/criteria/"
printf '[criteria]\ndir = %s\n\n[council]\nquorum = 3\n' "$scratch/criteria" >"$scratch/frame.conf"
main_base=$base
start_daemon "$db" --config "$scratch/frame.conf"
req "$m2" GET /api/v1/dossiers/5/sheet
expect "an incomplete sheet is shown as incomplete" "$code $(v '[d["sheet"]["id"], d["sheet"]["complete"], bool(d["sheet"]["missing"])]')" "200 ['frame', False, True]"
before=$(dump)
req "$m2" POST /api/v1/dossiers/5/scores '{"scores":{}}'
refused "… and cannot be scored" 422 sheet
expect_unchanged "… nothing written" "$before"
req "$m2" GET /api/v1/dossiers/6/sheet
first_title=$(v 'd["sheet"]["title"]')
"$PY" -c 'import json,sys; f=json.load(open(sys.argv[1])); f["title"] += " (sửa)"; json.dump(f, open(sys.argv[1], "w"), ensure_ascii=False)' "$scratch/criteria/fixture-food.criteria"
req "$m2" GET /api/v1/dossiers/6/sheet
expect "a sheet's file changed is read again" "$(v 'd["sheet"]["title"]')" "$first_title (sửa)"
kill "$pid" 2>/dev/null
base=$main_base

# ---------- at the same moment ----------

# post_sheet TOKEN DOSSIER OUT: a full sheet, in the background; its
# status in OUT.
sheet 30 20 20 >"$scratch/full.json"
post_sheet() {
    curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
        --data-binary "@$scratch/full.json" "$base/api/v1/dossiers/$2/scores" >"$3" &
    racing+=($!)
}
racing=()
post_sheet "$m2" 6 "$scratch/race-m2"
post_sheet "$m3" 6 "$scratch/race-m3"
wait "${racing[@]}"
racing=()
expect "two members at once: both accepted" "$(cat "$scratch/race-m2") $(cat "$scratch/race-m3")" "201 201"
expect "… one sheet each" "$(sqlite3 "$db" "SELECT count(*), count(DISTINCT member_id) FROM dossier_sheets WHERE dossier_id = 6")" "2|2"
for i in 1 2 3 4; do post_sheet "$m4" 7 "$scratch/twice-$i"; done
wait "${racing[@]}"
expect "one member four times at once: one accepted, three refused" \
    "$(cat "$scratch"/twice-* | fold -w 3 | sort | tr '\n' ' ')" "201 409 409 409 "
expect "… exactly one sheet, its 20 criteria once" \
    "$(sqlite3 "$db" "SELECT (SELECT count(*) FROM dossier_sheets WHERE dossier_id = 7), (SELECT count(*) FROM dossier_scores WHERE dossier_id = 7)")" "1|20"
expect "… one audit line" "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'dossier.score' AND subject = 'dossier 7'")" 1

finish
