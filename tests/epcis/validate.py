#!/usr/bin/python3
"""Checks EPCIS 2.0 documents against the official JSON schema, as
tests/sync/receiver.py does for what it is sent (the schema compiled once,
"date-time" checked by hand as RFC 3339), and more strictly: "uri" is
checked by hand too (an absolute URI of RFC 3986's characters), since
jsonschema checks that format only with an optional package.

Usage: validate.py SCHEMA [FILE...]
Each FILE (standard input without one) holds documents one to a line, as
`sqlite3 DB "SELECT body FROM outbox"` prints them. Prints a line per
document, "ok" or "invalid: " and the reasons; the status is 0 when every
document is valid and there is at least one, 1 otherwise.
"""

import json
import re
import sys

import jsonschema

RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
URI = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.-]*:([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$")


def date_time(value):
    return not isinstance(value, str) or bool(RFC3339.match(value))


def uri(value):
    return not isinstance(value, str) or bool(URI.match(value))


def validator(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(date_time)
    checker.checks("uri")(uri)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=checker)


def problems(check, line):
    try:
        document = json.loads(line)
    except ValueError as e:
        return ["not JSON: %s" % e]
    out = []
    for error in check.iter_errors(document):
        where = "/".join(str(p) for p in error.absolute_path)
        out.append("%s: %s" % (where or "(document)", error.message[:300]))
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    check = validator(sys.argv[1])
    streams = [open(p, encoding="utf-8") for p in sys.argv[2:]] or [sys.stdin]
    seen = bad = 0
    for stream in streams:
        for line in stream:
            if not line.strip():
                continue
            seen += 1
            found = problems(check, line)
            if found:
                bad += 1
                print("invalid: " + "; ".join(found[:5]))
            else:
                print("ok")
    return 0 if seen and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
