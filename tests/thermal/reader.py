#!/usr/bin/python3
"""What a thermal printer would print from a ZPL II or TSPL stream.

Reads the subset of each language that ocoptrace writes and draws every
label as a PNG at the printer's resolution, one dot a pixel:

  ZPL   ~DG (stored graphic), ^XA ^XZ ^PW ^LL ^LH ^FO ^FS ^XG ^GFA (ASCII
        hexadecimal with the compression of G-Y/g-z counts, ',' and ':'),
        ^BY ^BQ ^FH ^FD
  TSPL  SIZE GAP DIRECTION REFERENCE DENSITY CLS BITMAP QRCODE PRINT

Codes are drawn by encoding their data again with python3-qrcode at the
stated dots a module, independently of the encoder that wrote the stream.
Anything else, or anything malformed (a wrong byte count, a field outside
the label, ink in a code's quiet zone), is refused: the reader exits 1 and
says where, so that a change of output it does not understand fails the
tests.

usage: reader.py FILE --language zpl|tspl --dpi DPI --out DIR
Writes DIR/label-0001.png ... and prints one JSON line per label:
{"label": n, "png": path, "width": w, "height": h,
 "codes": [{"data": text, "box": [x, y, w, h]}]}
where a code's box is its symbol with the four-module quiet zone.
"""
import argparse
import json
import os
import re
import sys

import qrcode
from PIL import Image

QUIET = 4
EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


class Refused(Exception):
    pass


def refuse(where, what):
    raise Refused("%s: %s" % (where, what))


def number(text, where, low=0, high=100000):
    if not re.fullmatch(r"\d+", text or ""):
        refuse(where, "'%s' is not a whole number" % text)
    value = int(text)
    if not low <= value <= high:
        refuse(where, "%d is not within %d to %d" % (value, low, high))
    return value


class Label:
    """One label's dots, a row as a number: the leftmost dot its top bit."""

    def __init__(self, width, height, where):
        if width <= 0 or height <= 0:
            refuse(where, "a label of %d x %d dots" % (width, height))
        self.width, self.height = width, height
        self.rows = [0] * height
        self.codes = []  # (data, x, y, side, module)

    def span(self, x, w):
        """The row bits of columns x to x + w - 1."""
        return ((1 << w) - 1) << (self.width - x - w)

    def bits(self, x, y, rows, row_bytes, where, overwrite):
        """Rows of packed bits (1 = printed), the leftmost dot in the top bit."""
        w = row_bytes * 8
        if x < 0 or y < 0 or x >= self.width or y + len(rows) > self.height:
            refuse(where, "a graphic of %d x %d dots at %d,%d leaves the %d x %d label"
                   % (w, len(rows), x, y, self.width, self.height))
        shift = self.width - x - w
        for r, row in enumerate(rows):
            if len(row) != row_bytes:
                refuse(where, "row %d has %d bytes, not %d" % (r, len(row), row_bytes))
            value = int.from_bytes(row, "big")
            if shift < 0:
                if value & ((1 << -shift) - 1):
                    refuse(where, "a printed dot past the label's right edge")
                value >>= -shift
            else:
                value <<= shift
            if overwrite:
                self.rows[y + r] &= ~self.span(x, min(w, self.width - x))
            self.rows[y + r] |= value

    def qr(self, data, x, y, module, level, where):
        code = qrcode.QRCode(error_correction=EC[level], box_size=1, border=0)
        code.add_data(data, optimize=20)
        code.make(fit=True)
        matrix = code.get_matrix()
        side = len(matrix) * module
        if x < 0 or y < 0 or x + side > self.width or y + side > self.height:
            refuse(where, "a code of %d dots at %d,%d leaves the label" % (side, x, y))
        for r, row in enumerate(matrix):
            value = 0
            for c, dark in enumerate(row):
                if dark:
                    value |= self.span(x + c * module, module)
            for dy in range(module):
                self.rows[y + r * module + dy] |= value
        self.codes.append((data, x, y, side, module))

    def check_quiet_zones(self, where):
        """Nothing but the code itself within four modules of it."""
        for data, x, y, side, module in self.codes:
            q = QUIET * module
            x0, y0, x1, y1 = x - q, y - q, x + side + q, y + side + q
            if x0 < 0 or y0 < 0 or x1 > self.width or y1 > self.height:
                refuse(where, "the quiet zone of the code '%s' leaves the label" % data)
            zone, code = self.span(x0, x1 - x0), self.span(x, side)
            for r in range(y0, y1):
                ink = self.rows[r] & zone
                if y <= r < y + side:
                    ink &= ~code
                if ink:
                    refuse(where, "ink in the quiet zone of the code '%s'" % data)

    def save(self, path, dpi):
        pad = -self.width % 8
        size = (self.width + pad) // 8
        white = (1 << (self.width + pad)) - 1  # a 1 bit is white in PIL's mode "1"
        data = b"".join(((row << pad) ^ white).to_bytes(size, "big") for row in self.rows)
        Image.frombytes("1", (self.width, self.height), data).save(path, dpi=(dpi, dpi))

    def summary(self):
        return [{"data": d, "box": [x - QUIET * m, y - QUIET * m, s + 2 * QUIET * m,
                                    s + 2 * QUIET * m]}
                for d, x, y, s, m in self.codes]


# ---------- ZPL ----------

COUNTS = {chr(ord("G") + i): i + 1 for i in range(19)}
COUNTS.update({chr(ord("g") + i): 20 * (i + 1) for i in range(20)})


def zpl_hex_rows(data, total, row_bytes, where):
    """Rows of compressed ASCII hexadecimal, as the ZPL manual defines it."""
    if total % row_bytes:
        refuse(where, "%d bytes do not make rows of %d" % (total, row_bytes))
    digits = 2 * row_bytes
    rows, row, count, i = [], "", 0, 0
    previous = None
    while i < len(data):
        ch = data[i]
        i += 1
        if ch in COUNTS:
            count += COUNTS[ch]
            continue
        if ch in "0123456789ABCDEF":
            row += ch * (count or 1)
            count = 0
        elif ch == "," and not count:
            row += "0" * (digits - len(row))
        elif ch == ":" and not count and not row:
            if previous is None:
                refuse(where, "':' repeats a row before the first")
            row = previous
        else:
            refuse(where, "'%s' in a graphic's data" % ch)
        if len(row) > digits:
            refuse(where, "a row of more than %d hexadecimal digits" % digits)
        if len(row) == digits:
            rows.append(bytes.fromhex(row))
            previous, row = row, ""
    if row or count:
        refuse(where, "the graphic's data stops inside a row")
    if len(rows) * row_bytes != total:
        refuse(where, "%d bytes of data, %d announced" % (len(rows) * row_bytes, total))
    return rows


def zpl_commands(text):
    """(offset, prefix and name, parameters) of each command."""
    i = 0
    while i < len(text):
        if text[i] in "\r\n":
            i += 1
            continue
        if text[i] not in "^~":
            refuse("byte %d" % i, "'%s' outside any command" % text[i])
        name = text[i:i + 3].upper()
        end = i + 3
        if name == "^FD":  # field data runs to ^FS
            end = text.find("^FS", end)
            if end < 0:
                refuse("byte %d" % i, "^FD without ^FS")
        else:
            while end < len(text) and text[end] not in "^~":
                end += 1
        yield i, name, text[i + 3:end].rstrip("\r\n")
        i = end


def read_zpl(text, dpi):
    graphics, labels = {}, []
    label = None
    for at, name, params in zpl_commands(text):
        where = "byte %d (%s)" % (at, name)
        if name == "~DG":
            if label:
                refuse(where, "~DG inside a label format")
            m = re.fullmatch(r"(R:[A-Z0-9]{1,8}\.GRF),(\d+),(\d+),(.*)", params, re.S)
            if not m:
                refuse(where, "expected ~DGR:NAME.GRF,total,row bytes,data")
            total, row_bytes = number(m[2], where, 1), number(m[3], where, 1)
            graphics[m[1]] = (row_bytes, zpl_hex_rows(m[4], total, row_bytes, where))
            continue
        if name == "^XA":
            if label:
                refuse(where, "^XA inside a label format")
            label = {"pw": None, "ll": None, "home": (0, 0), "fo": None, "by": 10,
                     "bq": None, "fh": None, "fields": []}
            continue
        if not label:
            refuse(where, "outside a label format (^XA ... ^XZ)")
        if name == "^XZ":
            if label["pw"] is None or label["ll"] is None:
                refuse(where, "a label without ^PW and ^LL")
            drawn = Label(label["pw"], label["ll"], where)
            for field in label["fields"]:
                field(drawn)
            drawn.check_quiet_zones(where)
            labels.append(drawn)
            label = None
        elif name == "^PW":
            label["pw"] = number(params, where, 1, 10000)
        elif name == "^LL":
            label["ll"] = number(params, where, 1, 30000)
        elif name == "^LH":
            if params != "0,0":
                refuse(where, "label home other than 0,0")
        elif name == "^FO":
            m = re.fullmatch(r"(\d+),(\d+)", params)
            if not m:
                refuse(where, "expected ^FOx,y")
            label["fo"] = (int(m[1]), int(m[2]))
        elif name == "^BY":
            m = re.fullmatch(r"(\d+),([\d.]+),(\d+)", params)
            if not m:
                refuse(where, "expected ^BYw,r,h")
            label["by"] = number(m[3], where, 1, 32000)
        elif name == "^XG":
            m = re.fullmatch(r"(R:[A-Z0-9]{1,8}\.GRF),1,1", params)
            if not m or m[1] not in graphics or not label["fo"]:
                refuse(where, "^XG of an unknown graphic, at magnification other than 1, or without ^FO")
            row_bytes, rows = graphics[m[1]]
            x, y = label["fo"]
            label["fields"].append(
                lambda d, x=x, y=y, rows=rows, rb=row_bytes, w=where: d.bits(x, y, rows, rb, w, False))
        elif name == "^GF":
            m = re.fullmatch(r"A,(\d+),(\d+),(\d+),(.*)", params, re.S)
            if not m or not label["fo"]:
                refuse(where, "expected ^GFA,total,total,row bytes,data after ^FO")
            if m[1] != m[2]:
                refuse(where, "ASCII graphic with different byte counts")
            total, row_bytes = number(m[1], where, 1), number(m[3], where, 1)
            rows = zpl_hex_rows(m[4], total, row_bytes, where)
            x, y = label["fo"]
            label["fields"].append(
                lambda d, x=x, y=y, rows=rows, rb=row_bytes, w=where: d.bits(x, y, rows, rb, w, False))
        elif name == "^BQ":
            m = re.fullmatch(r"N,2,(\d+),([LMQH])", params)
            if not m:
                refuse(where, "expected ^BQN,2,magnification,error correction")
            label["bq"] = (number(m[1], where, 1, 10), m[2])
        elif name == "^FH":
            if len(params) != 1:
                refuse(where, "expected one escape character")
            label["fh"] = params
        elif name == "^FD":
            if not label["bq"] or not label["fo"]:
                refuse(where, "field data for anything but a QR code after ^FO")
            module, level = label["bq"]
            m = re.fullmatch(r"([LMQH])A,(.*)", params, re.S)
            if not m or m[1] != level:
                refuse(where, "expected ^FD%sA,data (automatic input)" % level)
            data = m[2]
            if any(c in data for c in "^~"):
                refuse(where, "a '^' or '~' in field data starts a command")
            if label["fh"]:
                esc = re.escape(label["fh"])
                if re.search(esc + r"(?![0-9A-Fa-f]{2})", data):
                    refuse(where, "a bad ^FH escape")
                data = re.sub(esc + r"([0-9A-Fa-f]{2})", lambda e: chr(int(e[1], 16)), data)
            if any(ord(c) < 32 or ord(c) > 126 for c in data):
                refuse(where, "a character the printer's automatic mode would not take")
            x, y = label["fo"]
            # The firmware sets a QR code the ^BY height below its origin.
            label["fields"].append(
                lambda d, x=x, y=y + label["by"], data=data, module=module, level=level, w=where:
                d.qr(data, x, y, module, level, w))
        elif name == "^FS":
            label["fo"], label["bq"], label["fh"] = None, None, None
        else:
            refuse(where, "a command this reader does not know")
    if label:
        refuse("end", "a label format without ^XZ")
    return labels


# ---------- TSPL ----------

def read_tspl(data, dpi):
    labels, page, setup = [], None, {}
    i = 0
    while i < len(data):
        end = data.find(b"\r\n", i)
        if end < 0:
            refuse("byte %d" % i, "a command without CR LF")
        head = data[i:min(end, i + 64)]
        where = "byte %d (%s)" % (i, head.split(b" ")[0].decode("ascii", "replace"))
        if head.startswith(b"BITMAP "):
            m = re.match(rb"BITMAP (\d+),(\d+),(\d+),(\d+),([01]),", data[i:i + 64])
            if not m or not page:
                refuse(where, "expected BITMAP x,y,row bytes,rows,mode,data after CLS")
            x, y, row_bytes, rows, mode = (int(v) for v in m.groups())
            start = i + m.end()
            stop = start + row_bytes * rows
            if data[stop:stop + 2] != b"\r\n":
                refuse(where, "the bitmap's data is not %d bytes then CR LF" % (row_bytes * rows))
            # A 0 bit prints: inverted into the reader's 1 = printed.
            raw = bytes(255 - b for b in data[start:stop])
            page.bits(x, y, [raw[r * row_bytes:(r + 1) * row_bytes] for r in range(rows)],
                      row_bytes, where, mode == 0)
            i = stop + 2
            continue
        line = data[i:end].decode("ascii")
        i = end + 2
        if line.startswith("SIZE "):
            m = re.fullmatch(r"SIZE ([\d.]+) mm,([\d.]+) mm", line)
            if not m:
                refuse(where, "expected SIZE w mm,h mm")
            setup["width"] = round(float(m[1]) * dpi / 25.4)
            setup["height"] = round(float(m[2]) * dpi / 25.4)
        elif line.startswith("GAP "):
            if not re.fullmatch(r"GAP [\d.]+ mm,0 mm", line):
                refuse(where, "expected GAP g mm,0 mm")
        elif line in ("DIRECTION 0,0", "DIRECTION 1,0", "REFERENCE 0,0"):
            pass
        elif re.fullmatch(r"DENSITY (\d|1[0-5])", line):
            pass
        elif line == "CLS":
            if "width" not in setup:
                refuse(where, "CLS before SIZE")
            if page:
                refuse(where, "CLS drops a label never printed")
            page = Label(setup["width"], setup["height"], where)
        elif line.startswith("QRCODE "):
            m = re.fullmatch(r'QRCODE (\d+),(\d+),([LMQH]),(\d+),A,0,"([^"]*)"', line)
            if not m or not page:
                refuse(where, 'expected QRCODE x,y,level,cell,A,0,"data" after CLS')
            page.qr(m[5], int(m[1]), int(m[2]), number(m[4], where, 1, 10), m[3], where)
        elif line.startswith("PRINT "):
            m = re.fullmatch(r"PRINT (\d+)(?:,(\d+))?", line)
            if not m or not page:
                refuse(where, "expected PRINT sets[,copies] after CLS")
            page.check_quiet_zones(where)
            labels.extend([page] * (int(m[1]) * int(m[2] or 1)))
            page = None
        else:
            refuse(where, "a command this reader does not know")
    if page:
        refuse("end", "a label drawn but never printed")
    return labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--language", choices=("zpl", "tspl"), required=True)
    parser.add_argument("--dpi", type=int, choices=(203, 300), required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    data = open(args.file, "rb").read()
    try:
        if args.language == "zpl":
            try:
                text = data.decode("ascii")
            except UnicodeDecodeError as e:
                refuse("byte %d" % e.start, "not ASCII")
            labels = read_zpl(text, args.dpi)
        else:
            labels = read_tspl(data, args.dpi)
    except Refused as e:
        print("reader: %s: %s" % (args.file, e), file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    for n, label in enumerate(labels, 1):
        path = os.path.join(args.out, "label-%04d.png" % n)
        label.save(path, args.dpi)
        print(json.dumps({"label": n, "png": path, "width": label.width, "height": label.height,
                          "codes": label.summary()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
