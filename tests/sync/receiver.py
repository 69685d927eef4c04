#!/usr/bin/python3
"""A stand-in for the provincial traceability system, for the tests and the
benchmark of `ocoptrace serve` pushing registrations.

An HTTP/1.1 server (keep-alive, one thread per connection) on 127.0.0.1 that
takes the deliveries the daemon sends:

    POST .../products      {"product": {...}, "producer": {...}}
    POST .../capture       an EPCIS 2.0 JSON-LD document, checked against the
                           official schema and the GS1-EPCIS-Version header
    POST .../certificates  {"event": "issue"|"revoke", "certificate": {...}}

Each must carry an Idempotency-Key (400 without) and, with --token, the
bearer token (401 otherwise). The first delivery of a key is answered 201
(202 with a Location for /capture); a repeat of a key gets the same answer
and is counted as a repeat, not as new. A body that breaks the contract is
answered 400 with the reasons and counted as invalid.

Faults are switched on over a control API that needs no token:

    POST /_control {"mode": "ok"}
                   {"mode": "fail", "status": 500, "count": N}
                   {"mode": "fail", "status": 429, "retry_after": S, "count": N}
                   {"mode": "slow", "seconds": S, "count": N}
                   {"mode": "drop", "count": N}
                   {"mode": "reject", "status": 400, "match": "SUBSTRING"}
    GET  /_deliveries[?records=1]   the counts (and, with records, every
                                    delivery accepted, its body included)
    POST /_reset                    forget everything

"count" is how many deliveries the fault applies to before the mode goes
back to ok by itself; without it the fault lasts until the next /_control.
A slow answer is processed after its wait, as a real server would, even when
the client gave up meanwhile: its resend is then a repeat. A dropped one is
closed unanswered and not processed. A rejected one is answered with a JSON
body naming the match.

With --state FILE the keys accepted are also appended to FILE and read back
at start, so that a receiver stopped and started again on the same port
remembers what it has, as the real system would.

Usage: receiver.py [--port P] [--tls CERT KEY] [--schema FILE] [--token T]
                   [--state FILE]
With --port 0 (the default) a free port is taken; the first line printed is
always "listening PORT".
"""

import argparse
import http.server
import json
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse

import jsonschema

DELIVERY_PATHS = ("products", "capture", "certificates")
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def date_time(value):
    """The schema's "date-time" format, RFC 3339 (jsonschema checks it only
    with an optional package, so here by hand)."""
    return not isinstance(value, str) or bool(RFC3339.match(value))


class State:
    """What the receiver has seen, and the fault it is told to play."""

    def __init__(self, journal=None):
        self.lock = threading.Lock()
        self.journal_path = journal
        self.journal = None
        self.reset()
        if journal:
            self.replay(journal)
            self.journal = open(journal, "a", encoding="utf-8")

    def reset(self):
        self.mode = {"mode": "ok"}
        self.left = None          # deliveries the fault still applies to
        self.new = 0
        self.repeats = 0
        self.invalid = 0
        self.counts = {"failed": 0, "dropped": 0, "slowed": 0, "rejected": 0,
                       "unauthorized": 0, "tls_errors": 0}
        self.keys = {}            # key: times accepted (first and repeats)
        self.answers = {}         # key: (status, location) of the first answer
        self.paths = {}           # path: deliveries accepted as new
        self.errors = []          # why each invalid delivery was refused
        self.records = []         # every new delivery, body included
        self.captures = 0
        if self.journal:
            self.journal.truncate(0)

    def replay(self, path):
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                self.accept(json.loads(line), write=False)
            except (ValueError, KeyError):
                pass  # a line cut short by a kill

    def take_fault(self):
        """The fault that applies to this delivery, if any: counted down."""
        with self.lock:
            mode = self.mode
            if mode["mode"] == "ok":
                return mode
            if self.left is not None:
                self.left -= 1
                if self.left <= 0:
                    self.mode, self.left = {"mode": "ok"}, None
            return mode

    def control(self, mode):
        with self.lock:
            self.mode = mode
            self.left = mode.get("count")

    def accept(self, record, write=True):
        """A delivery that passed the checks: new, or a repeat of its key.
        Returns (status, location, is_new)."""
        key = record["key"]
        with self.lock:
            self.keys[key] = self.keys.get(key, 0) + 1
            if key in self.answers:
                self.repeats += 1
                status, location = self.answers[key]
                new = False
            else:
                self.new += 1
                self.paths[record["path"]] = self.paths.get(record["path"], 0) + 1
                if record["path"].endswith("/capture"):
                    self.captures += 1
                    status, location = 202, "/capture/%d" % self.captures
                else:
                    status, location = 201, None
                self.answers[key] = (status, location)
                self.records.append(record)
                new = True
            if write and self.journal:
                self.journal.write(json.dumps(record, ensure_ascii=False) + "\n")
                self.journal.flush()
            return status, location, new

    def refuse(self, counter, error=None):
        with self.lock:
            if counter == "invalid":
                self.invalid += 1
            else:
                self.counts[counter] += 1
            if error is not None:
                self.errors.append(error)

    def summary(self, records):
        with self.lock:
            out = {"new": self.new, "repeats": self.repeats, "invalid": self.invalid,
                   "keys": dict(self.keys), "paths": dict(self.paths),
                   "errors": list(self.errors), "mode": self.mode["mode"]}
            out.update(self.counts)
            if records:
                out["records"] = list(self.records)
            return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive
    server_version = "receiver"
    disable_nagle_algorithm = True  # the answer is one small write: no delay

    def log_message(self, fmt, *args):
        pass  # quiet: the counts say what happened

    def answer(self, status, body, headers=None):
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        # Headers and body in one write.
        self._headers_buffer.append(b"\r\n" + data)
        self.flush_headers()

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_deliveries":
            query = urllib.parse.parse_qs(url.query)
            self.answer(200, self.server.state.summary(query.get("records") == ["1"]))
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        body = self.read_body()
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_control":
            self.control(body)
        elif path == "/_reset":
            self.server.state.reset()
            self.answer(200, {"reset": True})
        elif path.rstrip("/").rsplit("/", 1)[-1] in DELIVERY_PATHS:
            self.delivery(path.rstrip("/"), body)
        else:
            self.answer(404, {"error": "not_found"})

    def control(self, body):
        try:
            mode = json.loads(body)
            if mode.get("mode") not in ("ok", "fail", "slow", "drop", "reject"):
                raise ValueError("mode: one of ok, fail, slow, drop, reject")
            if mode["mode"] == "reject" and not isinstance(mode.get("match"), str):
                raise ValueError("reject needs match")
            count = mode.get("count")
            if count is not None and (not isinstance(count, int) or count < 1):
                raise ValueError("count: a whole number from 1")
        except (ValueError, AttributeError) as e:
            self.answer(400, {"error": str(e)})
            return
        self.server.state.control(mode)
        self.answer(200, mode)

    def delivery(self, path, body):
        state = self.server.state
        fault = state.mode if state.mode["mode"] == "reject" else state.take_fault()
        kind = fault["mode"]
        if kind == "drop":
            state.refuse("dropped")
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if kind == "slow":
            state.refuse("slowed")
            time.sleep(float(fault.get("seconds", 1)))
        if kind == "fail":
            state.refuse("failed")
            headers = {}
            if fault.get("retry_after") is not None:
                headers["Retry-After"] = str(fault["retry_after"])
            self.answer(int(fault.get("status", 500)), {"error": "failure asked for"},
                        headers)
            return
        token = self.server.token
        if token is not None and self.headers.get("Authorization") != "Bearer " + token:
            state.refuse("unauthorized")
            self.answer(401, {"error": "unauthenticated"})
            return
        key = self.headers.get("Idempotency-Key")
        if not key:
            self.invalid(path, None, ["Idempotency-Key: required"])
            return
        if kind == "reject" and fault["match"].encode() in body:
            state.refuse("rejected")
            self.answer(int(fault.get("status", 400)),
                        {"error": "rejected", "match": fault["match"], "key": key})
            return
        problems, document = self.check(path, body)
        if problems:
            self.invalid(path, key, problems)
            return
        record = {"path": path, "key": key,
                  "content_type": self.headers.get("Content-Type"),
                  "epcis_version": self.headers.get("GS1-EPCIS-Version"),
                  "authorized": token is not None, "valid": True, "body": document}
        status, location, _ = state.accept(record)
        headers = {"Location": location} if location else {}
        self.answer(status, {"key": key, "status": "accepted"}, headers)

    def invalid(self, path, key, problems):
        self.server.state.refuse("invalid", {"path": path, "key": key, "problems": problems})
        self.answer(400, {"error": "invalid", "problems": problems})

    def check(self, path, body):
        """The reasons a delivery breaks the contract (none: it is valid),
        and its body as JSON."""
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            document = json.loads(body)
        except ValueError as e:
            return ["body: not JSON: %s" % e], None
        problems = []
        what = path.rsplit("/", 1)[-1]
        if what == "capture":
            if content_type not in ("application/ld+json", "application/json"):
                problems.append("Content-Type: application/ld+json, not '%s'" % content_type)
            version = self.headers.get("GS1-EPCIS-Version")
            if version != "2.0.0":
                problems.append("GS1-EPCIS-Version: 2.0.0, not %r" % version)
            for error in self.server.validator.iter_errors(document) if self.server.validator else ():
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append("schema: %s: %s" % (where or "(document)", error.message[:300]))
        else:
            if content_type != "application/json":
                problems.append("Content-Type: application/json, not '%s'" % content_type)
            if not isinstance(document, dict):
                problems.append("body: an object")
            elif what == "products":
                for name in ("product", "producer"):
                    if not isinstance(document.get(name), dict):
                        problems.append("%s: an object" % name)
            elif document.get("event") not in ("issue", "revoke"):
                problems.append("event: issue or revoke")
            elif not isinstance(document.get("certificate"), dict):
                problems.append("certificate: an object")
        return problems[:20], document


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, ssl.SSLError):
            self.state.refuse("tls_errors")
        elif not isinstance(error, (ConnectionError, TimeoutError, OSError)):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--schema")
    parser.add_argument("--token")
    parser.add_argument("--state", help="keys accepted, kept across restarts")
    args = parser.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args.state)
    server.token = args.token
    server.validator = None
    if args.schema:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
        checker = jsonschema.FormatChecker()
        checker.checks("date-time")(date_time)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        server.validator = cls(schema, format_checker=checker)  # compiled once
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        # The handshake happens in the connection's thread, at its first read.
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
    print("listening %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
