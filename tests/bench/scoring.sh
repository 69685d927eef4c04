#!/usr/bin/env bash
# Benchmark, not a test: the council's scoring against the service's
# existing read and write of the same kind, measured in the same run.
# 200 dossiers in scoring on the test fixture's sheet (20 criteria), four
# council members. Over HTTP with keep-alive (python3 http.client, one
# connection per kind, requests alternating between the kind and its
# peer):
#   - saving a member's full sheet (POST /dossiers/{id}/scores; three
#     members on each dossier, each request another dossier) against
#     recording an evaluation with its certificate (POST
#     /products/{id}/evaluations, each request another product);
#   - what a member's scoring page loads (GET /dossiers/{id}/sheet, by
#     the member who has not scored, each request another dossier)
#     against reading a certificate (GET /certificates/{id}, each request
#     another one).
# Prints the median and p95 latency, the rate on one connection, and the
# ratio to the peer. BENCH_SCORING_DOSSIERS, BENCH_SCORING_READS change
# the sizes.
set -eu
OCOPTRACE=${OCOPTRACE:-./ocoptrace}
case $OCOPTRACE in /*) ;; *) OCOPTRACE=$PWD/$OCOPTRACE ;; esac
DOSSIERS=${BENCH_SCORING_DOSSIERS:-200}
READS=${BENCH_SCORING_READS:-2000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ocoptrace-scoring-bench.XXXXXX")
port=$((20000 + RANDOM % 20000))
cleanup() {
    kill "${server:-}" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

db=$work/scoring.db
add_user() { "$OCOPTRACE" user add --db "$db" "$@" | tail -n 1; }
officer=$(add_user --role officer canbo)
members=()
for name in chutich thanhvien2 thanhvien3 thanhvien4; do
    if [ "$name" = chutich ]; then members+=("$(add_user --role council --chair "$name")"); else members+=("$(add_user --role council "$name")"); fi
done
sqlite3 "$db" >/dev/null <<SQL
BEGIN;
INSERT INTO producers (id, name, address, kind) VALUES (1, 'HTX Nước mắm Phan Thiết', 'Phan Thiết', 'cooperative');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $DOSSIERS)
INSERT INTO products (id, producer_id, name, grp, details) SELECT i, 1, 'Nước mắm số ' || i, 'food', '{}' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $DOSSIERS)
INSERT INTO dossiers (id, product_id, sheet, state) SELECT i, i, 'fixture-food', 'scoring' FROM n;
COMMIT;
SQL
printf '[criteria]\ndir = %s\n\n[council]\nquorum = 3\n' "$root/tests/criteria" >"$work/scoring.conf"
"$OCOPTRACE" serve --db "$db" --listen 127.0.0.1:$port --config "$work/scoring.conf" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done

/usr/bin/python3 - "$port" "$DOSSIERS" "$READS" "$root/tests/criteria/fixture-food.criteria" "$officer" "${members[@]}" <<'EOF'
import http.client, json, statistics, sys, time

port, dossiers, reads, fixture, officer = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
members = sys.argv[6:]
sheet = json.load(open(fixture, encoding="utf-8"))
full = json.dumps({"scores": {c["id"]: c["options"][-2]["points"]
                              for p in sheet["parts"] for c in p["criteria"]}})
evaluation = ('{"number":"OCOP-BENCH-%d","decision":{"number":"1032/QĐ-UBND","date":"2025-06-20",'
              '"level":"province","issuer":"Ủy ban nhân dân tỉnh Bình Thuận","signer":'
              '{"title":"PHÓ CHỦ TỊCH","name":"Nguyễn Văn A"}},"scores":{"a":34,"b":20,"c":28}}')

class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.times = []
    def call(self, token, method, path, body=None, want=200):
        headers = {"Authorization": "Bearer " + token}
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=body.encode() if body else None, headers=headers)
        answer = self.conn.getresponse()
        data = answer.read()
        self.times.append(time.perf_counter() - started)
        if answer.status != want:
            sys.exit("FAIL: %s %s answered %d: %s" % (method, path, answer.status, data[:300]))
        return data

def figures(c):
    t = sorted(c.times)
    return (statistics.median(t) * 1000, t[int(0.95 * (len(t) - 1))] * 1000, len(t) / sum(t))

scores, evaluations = Client(), Client()
for i in range(len(members[:3]) * dossiers):  # three members on each dossier
    member, dossier = members[i // dossiers], 1 + i % dossiers
    scores.call(member, "POST", "/api/v1/dossiers/%d/scores" % dossier, full, 201)
    evaluations.call(officer, "POST", "/api/v1/products/%d/evaluations" % dossier, evaluation % i, 201)

pages, reads_peer = Client(), Client()
listing = json.loads(reads_peer.call(officer, "GET", "/api/v1/certificates"))
ids = [c["id"] for c in (listing if isinstance(listing, list) else listing.get("certificates", []))]
if not ids:
    sys.exit("FAIL: no certificate to read")
reads_peer.times.clear()
page = json.loads(pages.call(members[3], "GET", "/api/v1/dossiers/1/sheet"))
if sum(len(p["criteria"]) for p in page["sheet"]["parts"]) != 20 or page["mine"] is not None:
    sys.exit("FAIL: the scoring page's data is not the sheet")
pages.times.clear()
for i in range(reads):
    pages.call(members[3], "GET", "/api/v1/dossiers/%d/sheet" % (1 + i % dossiers))
    reads_peer.call(officer, "GET", "/api/v1/certificates/%d" % ids[i % len(ids)])

print("council scoring: %d dossiers on a sheet of 20 criteria, keep-alive, one connection each, %d cores"
      % (dossiers, __import__("os").cpu_count()))
print("%-46s %9s %9s %11s %8s" % ("case", "median ms", "p95 ms", "requests/s", "ratio"))
def row(name, c, peer=None):
    median, p95, rate = figures(c)
    ratio = "%.2f" % (median / figures(peer)[0]) if peer else ""
    print("%-46s %9.2f %9.2f %11.0f %8s" % (name, median, p95, rate, ratio))
row("save a full sheet (POST scores), %d" % len(scores.times), scores, evaluations)
row("  peer: record an evaluation, %d" % len(evaluations.times), evaluations)
row("scoring page's data (GET sheet), %d" % len(pages.times), pages, reads_peer)
row("  peer: read a certificate, %d" % len(reads_peer.times), reads_peer)
print("ratio: the median against its peer's (above 1: slower than the peer)")
EOF
