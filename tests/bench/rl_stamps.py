#!/usr/bin/python3
"""rl_stamps.py SERIALS.csv OUT.pdf FONT.ttf [COUNT]

The peer of `ocoptrace stamps` in tests/bench/stamps.sh: the same stamps
drawn with python3-reportlab on the same A4 sheet of 20 x 20 mm stamps
(stamp-a4-20x20: 8 x 12, 2 mm gaps): each unit's Digital Link from the CSV
that ocoptrace wrote (serial,uri) as a QR code with
reportlab.graphics.barcode.qr (level M, 4-module quiet zone, 16.4 mm), the
serial up the right side, the caption in two lines below, and "OCOP" with
four stars in the corner, in the same TrueType font.
"""
import csv
import math
import sys

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

rows_in = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
OUT, FONT = sys.argv[2], sys.argv[3]
COUNT = int(sys.argv[4]) if len(sys.argv) > 4 else len(rows_in)
pdfmetrics.registerFont(TTFont("NotoSans", FONT))

PW, PH = A4
SIDE, COLS, ROWS, LEFT, TOP, PITCH = 20 * mm, 8, 12, 18 * mm, 17.5 * mm, 22 * mm
CODE = 16.4 * mm
CAPTION = ["Quét mã để truy xuất", "nguồn gốc"]


def star(c, cx, cy, r):
    p = c.beginPath()
    for i in range(10):
        a = math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.382
        x, y = cx + rr * math.cos(a), cy + rr * math.sin(a)
        p.moveTo(x, y) if i == 0 else p.lineTo(x, y)
    p.close()
    c.drawPath(p, stroke=0, fill=1)


def stamp(c, x, y, serial, uri):
    """One stamp whose bottom-left corner is (x, y)."""
    widget = QrCodeWidget(uri, barLevel="M", barBorder=4, barWidth=CODE, barHeight=CODE)
    d = Drawing(CODE, CODE)
    d.add(widget)
    renderPDF.draw(d, c, x, y + SIDE - CODE)
    c.saveState()
    c.translate(x + SIDE - 0.8 * mm, y + SIDE - CODE)
    c.rotate(90)
    c.setFont("NotoSans", 5)
    c.drawString(1.5 * mm, 0, serial)
    c.restoreState()
    c.setFont("NotoSans", 4)
    c.drawCentredString(x + CODE / 2, y + 2.1 * mm, CAPTION[0])
    c.drawCentredString(x + CODE / 2, y + 0.6 * mm, CAPTION[1])
    c.setFont("NotoSans", 3.5)
    c.drawCentredString(x + CODE + (SIDE - CODE) / 2, y + 2.0 * mm, "OCOP")
    for i in range(4):
        star(c, x + CODE + 0.5 * mm + i * 0.85 * mm, y + 1.1 * mm, 0.38 * mm)


c = canvas.Canvas(OUT, pagesize=A4)
c.setTitle("stamps")
per_page = COLS * ROWS
for i in range(COUNT):
    serial, uri = rows_in[i % len(rows_in)]
    k = i % per_page
    if i and k == 0:
        c.showPage()
    col, row = k % COLS, k // COLS
    stamp(c, LEFT + col * PITCH, PH - TOP - row * PITCH - SIDE, serial, uri)
c.showPage()
c.save()
