#!/usr/bin/env bash
# OCOP dossiers over a real socket: a producer's dossier taken the whole
# way (draft, submitted, returned with reasons by field, corrected with a
# new file, submitted again, checked, scored by three council members and
# closed by the chair, decided) to a certificate whose JSON, PDF and
# public page are fetched, the page linking the dossier's public summary
# (the parts' scores, never a file or a contact); the history and the
# audit log (who, when, in order); evidence files checked by their content
# (PDF, JPEG, PNG accepted and stored by their SHA-256 as sent; an 11 MB
# file, text named .pdf, a cut JPEG, a cut PNG, a PDF without %%EOF
# refused, naming the field, with nothing written); every state change the
# table does not allow refused (table-driven), wrong roles, another
# producer's dossier, a submit with fields missing, a decision on an
# unscored dossier; a low score ending not_recognised; a renewal copying
# the form and files. Each refusal leaves the database dump unchanged.
suite=cli-dossiers
. "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
fixture=$root/tests/criteria/fixture-food.criteria

cd "$scratch"
db=$scratch/dossiers.db
files=$scratch/files # beside the database: the default on SQLite
add_user() { "$OCOPTRACE" user add "$@" --db "$db" | tail -n 1; }
admin=$(add_user --role admin root)
sqlite3 "$db" "INSERT INTO producers (name, address, kind) VALUES
    ('HTX Thủy sản Hàm Tiến', 'Phường Hàm Tiến, Phan Thiết', 'cooperative'),
    ('HTX Ong mật Hàm Hiệp', 'Xã Hàm Hiệp, Hàm Thuận Bắc', 'cooperative')"
producer=$(add_user --role producer --producer 1 htxmot)
producer2=$(add_user --role producer --producer 2 htxhai)
commune=$(add_user --role commune xatienloi)
officer=$(add_user --role officer sokhcn)
member1=$(add_user --role council --chair --email chair@example.vn chutich)
member2=$(add_user --role council thanhvienhai)
member3=$(add_user --role council thanhvienba)
"$OCOPTRACE" keys generate --out "$scratch/issuer.key" >/dev/null
{
    printf '[criteria]\ndir = %s\n' "$root/tests/criteria"
    printf '[certificates]\nkey = %s\n' "$scratch/issuer.key"
    # PostgreSQL has no database file to put them beside.
    [ "$backend" = postgresql ] && printf '[store]\nfiles = %s\n' "$files"
} >"$scratch/dossiers.conf"
start_daemon "$db" --config "$scratch/dossiers.conf"

dump() { sqlite3 "$db" .dump 2>/dev/null; }
stored_files() { find "$files" -type f 2>/dev/null | wc -l; }
# unchanged NAME DUMP FILES: the database is still DUMP, the files folder
# still holds FILES files.
unchanged() {
    local now
    now=$(dump)
    if [ "$now" = "$2" ]; then
        pass
    else
        fail "$1: database changed: $(diff <(echo "$2") <(echo "$now") | grep '^[<>]' | head -n 4)"
    fi
    expect "$1: no file written" "$(stored_files)" "$3"
}
# refuse NAME STATUS FIELD TOKEN METHOD PATH [BODY [CURL-ARGS...]]: the
# request is refused with STATUS naming FIELD, changing nothing.
refuse() {
    local name=$1 status=$2 field=$3 before count
    shift 3
    before=$(dump)
    count=$(stored_files)
    req "$@"
    refused "$name" "$status" "$field"
    unchanged "$name" "$before" "$count"
}

details='"net_quantity":"200 g","ingredients":"Cá cơm, muối","origin":"Việt Nam","usage":"Chấm","storage":"Khô ráo"'
new_product() { # new_product VAR TOKEN NAME
    req "$2" POST /api/v1/products "{\"name\":\"$3\",\"group\":\"food\",$details}"
    expect "setup: product $3" "$code" 201
    printf -v "$1" '%s' "$(v 'd["id"]')"
}
new_product P1 "$producer" "Nước mắm Hàm Tiến"
new_product P2 "$producer2" "Mật ong Hàm Hiệp"
new_product P3 "$producer" "Cá cơm khô"

# ---------- evidence files, made here ----------

printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' >giay-phep.pdf
"$PY" - <<'EOF'
from PIL import Image
img = Image.new("RGB", (64, 48), (200, 120, 40))
for x in range(64):
    img.putpixel((x, x % 48), (0, 0, 255))
img.save("anh.jpg", "JPEG", quality=90)
img.save("nhan.png", "PNG")
Image.new("RGB", (32, 32), (10, 200, 10)).save("moi.png", "PNG")
EOF
head -c $(($(stat -c %s anh.jpg) / 2)) anh.jpg >cut.jpg
head -c $(($(stat -c %s nhan.png) / 2)) nhan.png >cut.png
printf 'giấy phép kinh doanh, bản chụp\n' >x.pdf
{ printf '%%PDF-1.4\n%%%%EOF\n'; head -c 2000 /dev/zero | tr '\0' ' '; } >noeof.pdf
head -c 11534336 /dev/zero >big.pdf
sha() { sha256sum "$1" | cut -d' ' -f1; }
upload() { # upload TOKEN DOSSIER FILE NAME [KIND]
    req "$1" POST "/api/v1/dossiers/$2/files?name=$4&kind=${5:-other}" "@$3" -H 'Content-Type: application/octet-stream'
}
# kept NAME FILE: the answer is a file row of FILE's bytes, whose hash is
# sha256sum's and whose stored copy is at the content's path.
kept() {
    local hash
    hash=$(sha "$2")
    expect "$1: 201 with the hash of the bytes sent" "$code $(v 'd["sha256"], d["bytes"]')" "201 ('$hash', $(stat -c %s "$2"))"
    if cmp -s "$2" "$files/${hash:0:2}/$hash"; then pass; else fail "$1: not stored at files/${hash:0:2}/$hash"; fi
}

# ---------- the whole path ----------

form='{"representative":"Nguyễn Thị Lan","phone":"0252 3811 222","address":"Phường Hàm Tiến, Phan Thiết","description":"Nước mắm cá cơm ủ chượp 12 tháng","raw_materials":"Cá cơm than đánh bắt ở Phan Thiết","production_capacity":"20.000 lít/năm"}'
req "$producer" POST /api/v1/dossiers "{\"product_id\":$P1,\"form\":$form}"
expect "a producer opens a dossier: 201, draft, the group's only complete sheet" \
    "$code $(v 'd["state"], d["sheet"], d["product"]["group"], d["producer"]["id"]')" "201 ('draft', 'fixture-food', 'food', 1)"
D1=$(v 'd["id"]')
expect "… the form as sent" "$(v 'd["form"]["raw_materials"]')" "Cá cơm than đánh bắt ở Phan Thiết"
expect "… no score, certificate or files yet" "$(v 'd["score"], d["certificate"], d["files"], d["previous_id"]')" "(None, None, [], None)"

upload "$producer" "$D1" giay-phep.pdf giay-phep.pdf license
kept "a PDF" giay-phep.pdf
expect "… application/pdf, its name and kind" "$(v 'd["content_type"], d["name"], d["kind"]')" "('application/pdf', 'giay-phep.pdf', 'license')"
F_PDF=$(v 'd["id"]')
upload "$producer" "$D1" anh.jpg anh-xuong.jpg photo
kept "a JPEG" anh.jpg
expect "… image/jpeg" "$(v 'd["content_type"]')" image/jpeg
upload "$producer" "$D1" nhan.png nhan.pdf label
kept "PNG bytes named .pdf" nhan.png
expect "… stored as image/png, what its content is" "$(v 'd["content_type"], d["name"]')" "('image/png', 'nhan.pdf')"
F_PNG=$(v 'd["id"]')
got=$(curl -s -o back.bin -w '%{http_code}' -H "Authorization: Bearer $producer" "$base/api/v1/dossier-files/$F_PNG")
expect "a file read back: its bytes" "$got $(sha back.bin)" "200 $(sha nhan.png)"
expect "… with its content type" "$(curl -s -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $member2" "$base/api/v1/dossier-files/$F_PNG")" image/png
upload "$producer" "$D1" nhan.png nhan-lai.png label
expect "the same bytes again: a second row, one stored file" "$code $(find "$files" -type f -name "$(sha nhan.png)" | wc -l)" "201 1"
F_AGAIN=$(v 'd["id"]')
req "$producer" DELETE "/api/v1/dossier-files/$F_AGAIN"
expect "a row removed while draft; the stored bytes stay for the other row" "$code $(stored_files)" "200 3"

refuse "an 11 MB file: 413" 413 file "$producer" POST "/api/v1/dossiers/$D1/files?name=big.pdf" @big.pdf
expect "… saying the limit" "$(v '"at most 10 MB" in d["error"]["message"]')" True
refuse "a text file named x.pdf" 422 file "$producer" POST "/api/v1/dossiers/$D1/files?name=x.pdf" @x.pdf
refuse "a JPEG cut in half" 422 file "$producer" POST "/api/v1/dossiers/$D1/files?name=cut.jpg" @cut.jpg
refuse "a PNG cut in half" 422 file "$producer" POST "/api/v1/dossiers/$D1/files?name=cut.png" @cut.png
refuse "a PDF without %%EOF near its end" 422 file "$producer" POST "/api/v1/dossiers/$D1/files?name=noeof.pdf" @noeof.pdf
refuse "an empty body" 422 file "$producer" POST "/api/v1/dossiers/$D1/files?name=empty.pdf" ''
refuse "no name" 422 name "$producer" POST "/api/v1/dossiers/$D1/files" @giay-phep.pdf
refuse "a name with a slash" 422 name "$producer" POST "/api/v1/dossiers/$D1/files?name=a/b.pdf" @giay-phep.pdf
refuse "a kind not of a-z" 422 kind "$producer" POST "/api/v1/dossiers/$D1/files?name=a.pdf&kind=Gi%E1%BA%A5y" @giay-phep.pdf

refuse "submit without 'markets'" 422 form.markets "$producer" POST "/api/v1/dossiers/$D1/submit"
req "$producer" PATCH "/api/v1/dossiers/$D1" '{"form":{"markets":"Bình Thuận, TP. Hồ Chí Minh","email":"htx@example.vn"}}'
expect "the form completed: merged" "$code $(v 'd["form"]["markets"], d["form"]["representative"]')" "200 ('Bình Thuận, TP. Hồ Chí Minh', 'Nguyễn Thị Lan')"
refuse "a form field that does not exist" 400 form.colour "$producer" PATCH "/api/v1/dossiers/$D1" '{"form":{"colour":"đỏ"}}'
refuse "an e-mail that is not one" 422 form.email "$producer" PATCH "/api/v1/dossiers/$D1" '{"form":{"email":"htx at example"}}'

refuse "another producer's dossier: 404" 404 id "$producer2" GET "/api/v1/dossiers/$D1"
refuse "… nor its submit" 404 id "$producer2" POST "/api/v1/dossiers/$D1/submit"
refuse "… nor its files" 404 id "$producer2" GET "/api/v1/dossier-files/$F_PDF"
refuse "a dossier for another producer's product" 404 product_id "$producer2" POST /api/v1/dossiers "{\"product_id\":$P1}"
req "$producer2" GET /api/v1/dossiers
expect "… and its list is without it" "$code $(v 'len(d["dossiers"])')" "200 0"

req "$producer" POST "/api/v1/dossiers/$D1/submit"
expect "submitted" "$code $(v 'd["state"]')" "200 submitted"
refuse "no new file once submitted" 409 state "$producer" POST "/api/v1/dossiers/$D1/files?name=moi.png" @moi.png
refuse "no form change once submitted" 409 state "$producer" PATCH "/api/v1/dossiers/$D1" '{"form":{"story":"x"}}'
refuse "a return without reasons" 422 reasons "$commune" POST "/api/v1/dossiers/$D1/return" '{"reasons":{}}'
refuse "a return naming no field of the form" 400 reasons.colour "$commune" POST "/api/v1/dossiers/$D1/return" '{"reasons":{"colour":"x"}}'
req "$commune" POST "/api/v1/dossiers/$D1/return" '{"reasons":{"production_capacity":"ghi rõ công suất theo tháng","files":"thiếu ảnh nhà xưởng mới"}}'
expect "returned with the commune's reasons by field" "$code $(v 'd["state"], sorted(d["returns"].items())')" \
    "200 ('returned', [('files', 'thiếu ảnh nhà xưởng mới'), ('production_capacity', 'ghi rõ công suất theo tháng')])"
req "$producer" PATCH "/api/v1/dossiers/$D1" '{"form":{"production_capacity":"1.700 lít/tháng"}}'
expect "corrected" "$code $(v 'd["form"]["production_capacity"]')" "200 1.700 lít/tháng"
upload "$producer" "$D1" moi.png nha-xuong.png photo
kept "a new file while returned" moi.png
req "$producer" POST "/api/v1/dossiers/$D1/submit"
expect "submitted again" "$code $(v 'd["state"], d["returns"]')" "200 ('submitted', {})"
req "$commune" POST "/api/v1/dossiers/$D1/check" '{"note":"đủ hồ sơ"}'
expect "checked by the commune" "$code $(v 'd["state"]')" "200 checked"
refuse "a commune does not start the scoring" 403 "" "$commune" POST "/api/v1/dossiers/$D1/scoring"
refuse "a decision on an unscored dossier: 409" 409 state "$officer" POST "/api/v1/dossiers/$D1/decision" '{"decision":{}}'
req "$officer" POST "/api/v1/dossiers/$D1/scoring"
expect "sent to the council" "$code $(v 'd["state"]')" "200 scoring"

# sheet TARGET: a full sheet of the fixture whose total is TARGET, as a
# request body: each criterion's best option, lowered in order until the
# total is reached.
sheet() {
    "$PY" - "$fixture" "$1" <<'EOF'
import json, sys
doc, target = json.load(open(sys.argv[1], encoding="utf-8")), int(sys.argv[2])
items = [c for p in doc["parts"] for c in p["criteria"]]
points = {c["id"]: max(o["points"] for o in c["options"]) for c in items}
total = sum(points.values())
for c in items:
    for o in sorted(o["points"] for o in c["options"]):
        if total - (points[c["id"]] - o) >= target:
            total -= points[c["id"]] - o
            points[c["id"]] = o
            break
assert total == target, total
print(json.dumps({"scores": points}))
EOF
}
# expected TOTAL...: the dossier's score as the decision prescribes it,
# worked out here: the parts' means rounded by largest remainder to the
# whole part of the mean of the totals, and its stars.
expected() {
    "$PY" - "$fixture" "$@" <<'EOF'
import json, sys
from fractions import Fraction
doc, targets = json.load(open(sys.argv[1], encoding="utf-8")), [int(t) for t in sys.argv[2:]]
parts = []
for t in targets:
    items = [c for p in doc["parts"] for c in p["criteria"]]
    points = {c["id"]: max(o["points"] for o in c["options"]) for c in items}
    total = sum(points.values())
    for c in items:
        for o in sorted(o["points"] for o in c["options"]):
            if total - (points[c["id"]] - o) >= t:
                total -= points[c["id"]] - o
                points[c["id"]] = o
                break
    parts.append([sum(v for k, v in points.items() if k[0] == L) for L in "ABC"])
n = len(targets)
mean = Fraction(sum(targets), n)
total = int(mean)  # the bands are the mean's: 89.5 is under 90
means = [Fraction(sum(p[i] for p in parts), n) for i in range(3)]
floors = [int(m) for m in means]
order = sorted(range(3), key=lambda i: -(means[i] - floors[i]))
for i in order[: total - sum(floors)]:
    floors[i] += 1
stars = next(5 - i for i, f in enumerate([90, 70, 50, 30, 0]) if total >= f)
print(floors[0], floors[1], floors[2], total, stars)
EOF
}
score_all() { # score_all DOSSIER TOTAL1 TOTAL2 TOTAL3
    local i=0 token
    for token in "$member1" "$member2" "$member3"; do
        i=$((i + 1))
        req "$token" POST "/api/v1/dossiers/$1/scores" "$(sheet "${@:$((i + 1)):1}")"
        expect "member $i scores dossier $1" "$code" 201
    done
}
score_all "$D1" 80 78 75
req "$member1" POST "/api/v1/dossiers/$D1/close"
expect "the chair closes the scoring" "$code" 200
read -r ea eb ec etotal estars <<<"$(expected 80 78 75)"
req "$officer" GET "/api/v1/dossiers/$D1"
expect "scored: the parts, total and stars as worked out here" \
    "$(v 'd["state"], [d["score"][k] for k in ("a", "b", "c", "total", "stars")], d["members"]')" \
    "('scored', [$ea, $eb, $ec, $etotal, $estars], 3)"

decision='{"number":"OCOP-BT-2025-0101","decision":{"number":"1201/QĐ-UBND","date":"2025-08-15","level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}}}'
refuse "a decision by a producer: 403" 403 "" "$producer" POST "/api/v1/dossiers/$D1/decision" "$decision"
refuse "a decision by the council: 403" 403 "" "$member1" POST "/api/v1/dossiers/$D1/decision" "$decision"
refuse "a decision without a certificate number, for 4 stars" 422 number "$officer" POST "/api/v1/dossiers/$D1/decision" "$(json_with <(echo "$decision") /dev/stdout number=DELETE)"
refuse "a national decision for 4 stars (authority)" 422 decision.level "$officer" POST "/api/v1/dossiers/$D1/decision" "${decision/province/national}"
refuse "a decision missing its signer" 422 decision.signer "$officer" POST "/api/v1/dossiers/$D1/decision" "$(json_with <(echo "$decision") /dev/stdout decision.signer=DELETE)"
req "$officer" POST "/api/v1/dossiers/$D1/decision" "$decision"
expect "decided: recognised, with its certificate" "$code $(v 'd["state"], d["certificate"]["number"]')" "200 ('recognised', 'OCOP-BT-2025-0101')"
CERT=$(v 'd["certificate"]["id"]')
EVAL=$(v 'd["evaluation_id"]')
expect "… the dossier names its evaluation" "$(sqlite3 "$db" "SELECT score_a || ' ' || score_b || ' ' || score_c || ' ' || stars FROM evaluations WHERE id = $EVAL")" "$ea $eb $ec $estars"
req "$producer" GET "/api/v1/certificates/$CERT"
expect "the certificate's JSON: the dossier's scores and stars" \
    "$code $(v 'd["number"], d["scores"], d["stars"], d["valid_until"], d["decision_number"]')" \
    "200 ('OCOP-BT-2025-0101', [$ea, $eb, $ec], $estars, '2028-08-15', '1201/QĐ-UBND')"
curl -s -o cert.pdf -H "Authorization: Bearer $producer" "$base/api/v1/certificates/$CERT.pdf"
expect "… its PDF, with its number" "$(head -c 5 cert.pdf) $(pdftotext cert.pdf - 2>/dev/null | grep -c 'OCOP-BT-2025-0101')" "%PDF- 1"
page=$(curl -s "$base/c/OCOP-BT-2025-0101")
expect "the certificate's public page links the summary" \
    "$(grep -o '<a href="/c/OCOP-BT-2025-0101/dossier">Tóm tắt hồ sơ đánh giá</a>' <<<"$page" | wc -l)" 1
summary=$(curl -s "$base/c/OCOP-BT-2025-0101/dossier")
req "" GET /c/OCOP-BT-2025-0101/dossier "" -H 'Accept: application/json'
expect "the public summary (JSON): the parts' scores, members, decision" \
    "$code $(v '[d["score"][k] for k in ("a", "b", "c", "total")], d["stars"], d["members"], d["decision"]["number"], d["sheet"]["id"]')" \
    "200 ([$ea, $eb, $ec, $etotal], $estars, 3, '1201/QĐ-UBND', 'fixture-food')"
expect "… the page shows the parts' scores" \
    "$(grep -c "<td>$ea</td><td>$eb</td><td>$ec</td><td>$etotal</td>" <<<"$summary")" 1
leaks=0
for secret in giay-phep.pdf anh-xuong.jpg nha-xuong.png nhan.pdf "$(sha giay-phep.pdf)" "$(sha anh.jpg)" "$(sha moi.png)" "0252 3811 222" "Nguyễn Thị Lan" "htx@example.vn"; do
    grep -qF -- "$secret" <<<"$summary$json" && leaks=$((leaks + 1))
done
expect "… with no file name, hash or contact in either" "$leaks" 0
req "" GET /c/NO-SUCH/dossier
expect "no summary for a certificate no dossier led to" "$code" 404

# ---------- history and audit ----------

req "$officer" GET "/api/v1/dossiers/$D1"
expect "the history: every step, by whom, in order" \
    "$(v '[(h["from"], h["to"], h["by"]["name"]) for h in d["history"]]')" \
    "[(None, 'draft', 'htxmot'), ('draft', 'submitted', 'htxmot'), ('submitted', 'returned', 'xatienloi'), ('returned', 'submitted', 'htxmot'), ('submitted', 'checked', 'xatienloi'), ('checked', 'scoring', 'sokhcn'), ('scoring', 'scored', 'chutich'), ('scored', 'recognised', 'sokhcn')]"
expect "… each with when, in order" "$(v 'all(h["at"][:2] == "20" for h in d["history"]) and [h["at"] for h in d["history"]] == sorted(h["at"] for h in d["history"])')" True
expect "… the return's reasons on its line, the check's note and the decision's number" \
    "$(v 'sorted(d["history"][2]["reasons"]), d["history"][4]["note"], d["history"][7]["note"]')" \
    "(['files', 'production_capacity'], 'đủ hồ sơ', '1201/QĐ-UBND')"
expect "the audit log: each step's line, by whom, in order" \
    "$(sqlite3 "$db" "SELECT a.action || ':' || u.name FROM audit_log a JOIN users u ON u.id = a.user_id WHERE a.subject = 'dossier $D1' AND a.action IN ('dossier.draft','dossier.submitted','dossier.returned','dossier.checked','dossier.scoring','dossier.scored','dossier.recognised') ORDER BY a.id" | tr '\n' ' ')" \
    "dossier.draft:htxmot dossier.submitted:htxmot dossier.returned:xatienloi dossier.submitted:htxmot dossier.checked:xatienloi dossier.scoring:sokhcn dossier.scored:chutich dossier.recognised:sokhcn "
expect "… and the files' and form's lines" \
    "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE subject = 'dossier $D1' AND action IN ('dossier.file', 'dossier.form', 'dossier.file_delete')")" 8
expect "… and the certificate's issue" "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'certificate.issue' AND subject = 'OCOP-BT-2025-0101'")" 1

# ---------- every step from every state: only the table's ----------

# A dossier in each state, set by SQL: only the refusals are tested on them.
states="draft submitted checked returned scoring scored recognised not_recognised"
declare -A in_state
for s in $states; do
    req "$producer" POST /api/v1/dossiers "{\"product_id\":$P3,\"form\":$form}"
    in_state[$s]=$(v 'd["id"]')
    sqlite3 "$db" "UPDATE dossiers SET state = '$s' WHERE id = ${in_state[$s]}"
done
# ROLE|STEP (the path's last part)|METHOD|the states it is allowed from
steps=(
    "producer|submit|POST|draft returned"
    "commune|return|POST|submitted"
    "commune|check|POST|submitted"
    "officer|scoring|POST|checked"
    "officer|decision|POST|scored"
    "producer|files|POST|draft returned"
    "producer||PATCH|draft returned"
)
token_of() { case $1 in producer) echo "$producer" ;; commune) echo "$commune" ;; officer) echo "$officer" ;; esac; }
body_of() {
    case $1 in
    return) echo '{"reasons":{"phone":"sai số"}}' ;;
    decision) echo "$decision" ;;
    files) echo @giay-phep.pdf ;;
    '') echo '{"form":{"story":"x"}}' ;;
    esac
}
wrong=0
cells=0
for step in "${steps[@]}"; do
    IFS='|' read -r role action method allowed <<<"$step"
    for s in $states; do
        case " $allowed " in *" $s "*) continue ;; esac
        path=/api/v1/dossiers/${in_state[$s]}${action:+/$action}
        [ "$action" = files ] && path=$path?name=a.pdf
        cells=$((cells + 1))
        before=$(dump)
        req "$(token_of "$role")" "$method" "$path" "$(body_of "$action")"
        got="$code $(v 'd["error"]["field"], "'"'$s'"'" in d["error"]["message"]' 2>/dev/null)"
        if [ "$got" != "409 ('state', True)" ] || [ "$(dump)" != "$before" ]; then
            wrong=$((wrong + 1))
            fail "${action:-PATCH} from $s: want 409 naming state and '$s', unchanged; got $got ${json:0:200}"
        fi
    done
done
expect "every step the table does not allow, from each state: 409 naming the state, nothing changed" "$wrong of $cells" "0 of 46"

# ---------- roles ----------

roles_wrong=0
for row in \
    "$commune POST /api/v1/dossiers/${in_state[draft]}/submit" \
    "$officer POST /api/v1/dossiers/${in_state[draft]}/submit" \
    "$producer POST /api/v1/dossiers/${in_state[submitted]}/return" \
    "$officer POST /api/v1/dossiers/${in_state[submitted]}/check" \
    "$member2 POST /api/v1/dossiers/${in_state[submitted]}/check" \
    "$producer POST /api/v1/dossiers/${in_state[checked]}/scoring" \
    "$admin POST /api/v1/dossiers/${in_state[scored]}/decision" \
    "$commune PATCH /api/v1/dossiers/${in_state[draft]}" \
    "$officer POST /api/v1/dossiers/${in_state[draft]}/files" \
    "$commune POST /api/v1/dossiers" \
    "$member2 POST /api/v1/dossiers"; do
    read -r token method path <<<"$row"
    before=$(dump)
    got=$(status "$token" "$method" "$path" '{}')
    if [ "$got" != 403 ] || [ "$(dump)" != "$before" ]; then
        roles_wrong=$((roles_wrong + 1))
        fail "role: $method $path: want 403, got $got"
    fi
done
expect "each step by a role the table does not name: 403, nothing changed" "$roles_wrong" 0
req "$member3" GET "/api/v1/dossiers/$D1"
expect "the council reads a dossier" "$code" 200
req "$commune" GET "/api/v1/dossiers?state=recognised"
expect "the commune lists by state" "$code $(v '[x["id"] for x in d["dossiers"]]')" "200 [$D1, ${in_state[recognised]}]"

# ---------- a low score: not recognised ----------

req "$producer" POST /api/v1/dossiers "{\"product_id\":$P3,\"form\":$form}"
D2=$(v 'd["id"]')
upload "$producer" "$D2" giay-phep.pdf ban-cong-bo.pdf standard
upload "$producer" "$D2" anh.jpg anh-san-pham.jpg photo
req "$producer" PATCH "/api/v1/dossiers/$D2" '{"form":{"markets":"Chợ Phan Thiết"}}'
for step in "$producer submit" "$commune check" "$officer scoring"; do
    read -r token action <<<"$step"
    req "$token" POST "/api/v1/dossiers/$D2/$action"
    expect "the low one: $action" "$code" 200
done
score_all "$D2" 42 45 40
req "$member1" POST "/api/v1/dossiers/$D2/close"
read -r la lb lc ltotal lstars <<<"$(expected 42 45 40)"
expect "scored low" "$code $ltotal $lstars" "200 42 2"
req "$officer" POST "/api/v1/dossiers/$D2/decision" "${decision/OCOP-BT-2025-0101/OCOP-BT-2025-0102}"
expect "decided: not recognised, no certificate" "$code $(v 'd["state"], d["certificate"], d["evaluation_id"] is not None')" "200 ('not_recognised', None, True)"
expect "… the evaluation recorded with its stars" "$(sqlite3 "$db" "SELECT stars FROM evaluations WHERE id = $(v 'd["evaluation_id"]')") $(sqlite3 "$db" "SELECT count(*) FROM certificates WHERE number = 'OCOP-BT-2025-0102'")" "2 0"

# ---------- renewal ----------

refuse "a renewal of an undecided dossier" 409 renews "$producer" POST /api/v1/dossiers "{\"product_id\":$P3,\"renews\":${in_state[draft]}}"
refuse "a renewal of another product's dossier" 422 renews "$producer" POST /api/v1/dossiers "{\"product_id\":$P3,\"renews\":$D1}"
req "$producer" POST /api/v1/dossiers "{\"product_id\":$P3,\"renews\":$D2,\"form\":{\"story\":\"Ba thế hệ làm cá cơm\"}}"
D3=$(v 'd["id"]')
expect "a renewal: draft, from the last dossier" "$code $(v 'd["state"], d["previous_id"]')" "201 ('draft', $D2)"
expect "… its form copied, the new field merged" "$(v 'd["form"]["markets"], d["form"]["story"], d["form"]["phone"]')" "('Chợ Phan Thiết', 'Ba thế hệ làm cá cơm', '0252 3811 222')"
expect "… its files copied, naming the same stored bytes" "$(v '[(f["name"], f["sha256"]) for f in d["files"]]')" \
    "[('ban-cong-bo.pdf', '$(sha giay-phep.pdf)'), ('anh-san-pham.jpg', '$(sha anh.jpg)')]"
req "$producer" POST "/api/v1/dossiers/$D3/submit"
expect "… and it is submitted as it is" "$code $(v 'd["state"]')" "200 submitted"

# ---------- the sheet ----------

refuse "a sheet that is not there" 422 sheet "$producer" POST /api/v1/dossiers "{\"product_id\":$P1,\"sheet\":\"no-such-sheet\"}"
refuse "a product that is not there" 404 product_id "$officer" POST /api/v1/dossiers '{"product_id":999}'
req "$officer" POST /api/v1/dossiers "{\"product_id\":$P2}"
expect "an officer opens one for any product" "$code $(v 'd["producer"]["id"]')" "201 2"

# Without [criteria] dir, the installed sheets: the food group has several
# complete sheets (sets 1-13 of Decision 26/2026), so a food product has no
# single sheet to default to and the dossier must name one; fresh-produce,
# complete now, can be named.
req "$producer" GET "/api/v1/criteria?group=food"
expect "the sheets a food product may be scored on" "$code $(v '[(s["id"], s["complete"]) for s in d["sheets"]]')" "200 [('fixture-food', True)]"
refuse "sheets of an unknown group" 422 group "$producer" GET "/api/v1/criteria?group=fish"
refuse "sheets by an unknown filter" 400 colour "$producer" GET "/api/v1/criteria?colour=red"
grep -v -e '^\[criteria\]' -e '^dir = ' "$scratch/dossiers.conf" >"$scratch/installed.conf"
start_daemon "$db" --config "$scratch/installed.conf"
req "$commune" GET "/api/v1/criteria?group=food"
expect "the installed food sheets: Decision 26/2026's sets 1 to 13, 9 of them complete" \
    "$code $(v 'len(d["sheets"]), sum(s["complete"] for s in d["sheets"]), all(s.get("missing") for s in d["sheets"] if not s["complete"])')" "200 (13, 9, True)"
req "$commune" GET "/api/v1/criteria"
expect "… and all 26, without the frame" "$(v 'len(d["sheets"]), "frame" in [s["id"] for s in d["sheets"]]')" "(26, False)"
refuse "no single sheet of the group to default to" 422 sheet "$producer" POST /api/v1/dossiers "{\"product_id\":$P1}"
req "$producer" POST /api/v1/dossiers "{\"product_id\":$P1,\"sheet\":\"fresh-produce\"}"
expect "an installed sheet named" "$code $(v 'd["sheet"]')" "201 fresh-produce"

finish
