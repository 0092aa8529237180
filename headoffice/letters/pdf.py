"""The letter on paper: one A4 page drawn straight on a reportlab canvas from a `LetterContent`.

Every string is drawn as text (`textOut` of lines we wrapped ourselves with the cached glyph widths
of `app.reports.textblock`), never parsed as reportlab markup: `<font>`, `<para>` or `&amp;` in a
name or a template print as those characters. The only font is the CJK TrueType face of
`app.reports.fonts` (embedded as subsets, see `glyphs.py`; bold is drawn as the same face filled and
stroked), and a document that would name any other font is refused before it is written.

The page, top to bottom: letterhead and the firm's contacts over a double rule; the verification
code; the title; the recipient, address, case and loan numbers; the body; the amount in figures and
in capitals with the deadline; the designated repayment channels; the facts and legal basis; the
debtor's rights and how to object; the signature (firm, lawyer, licence number, date); and at the
foot, how to check the code and the sender's contacts. The letter always fits one page: the text
size steps down from 10.5 pt to 8 pt until it does; only text no template within the contract's
limits can produce (a 10,000-character name is already cut to 40) is cut, with "…", and `Fit.cut`
says so.

`render_letter` makes one letter's PDF (deterministic bytes: reportlab's invariant mode); `Letters`
draws many letters into one document (the print file), which embeds the font once, not per page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.reports.fonts import FontFile, is_embedded
from app.reports.textblock import Widths, wrap_text

from .content import LetterContent, label
from .glyphs import letter_font, seed

PAGE_W, PAGE_H = A4
LEFT = RIGHT = 22 * mm
TOP = 15 * mm
BOTTOM = 12 * mm
WIDTH = PAGE_W - LEFT - RIGHT
SIZES = (10.5, 10.0, 9.5, 9.0, 8.5, 8.0)
LEADING = 1.45

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")
RED = colors.HexColor("#9b1c1c")
BOX = colors.HexColor("#f6f1e7")
RULE = colors.HexColor("#c9b48a")


class FontNotEmbedded(RuntimeError):
    """A letter would name a font reportlab does not embed."""


@dataclass(frozen=True)
class LetterFonts:
    name: str
    widths: Widths

    @classmethod
    def load(cls, font: FontFile | None = None) -> LetterFonts:
        name = letter_font(font)
        return cls(name, Widths(name))


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    size: float
    bold: bool = False
    color: Any = INK
    x: float = 0.0  # indent from the left margin
    align: str = "left"  # left | centre | right
    gap: float = 0.0  # extra space above, in points
    box: str | None = None  # "start" | "in" | "end": lines of the shaded amount box


@dataclass
class Fit:
    size: float = SIZES[0]
    cut: bool = False


@dataclass
class _Block:
    key: str
    lines: list[Line] = field(default_factory=list)
    cuttable: bool = False


# Closing punctuation never starts a line (禁则): it hangs at the end of the line before.
_NO_LINE_START = frozenset("，。、；：！？）》」』】〕”’,.;:!?)]}%…·")


def _wrap(text: str, fonts: LetterFonts, size: float, width: float) -> list[str]:
    lines = wrap_text(text, fonts.widths, size, width)
    if len(lines) < 2 or not any(ln[:1] in _NO_LINE_START for ln in lines[1:]):
        return lines
    out: list[str] = [lines[0]]  # wrap_text's list is cached: never change it
    for line in lines[1:]:
        n = 0
        while n < 2 and line[n:n + 1] and line[n] in _NO_LINE_START:
            n += 1
        if n and out[-1]:
            out[-1] += line[:n]
            line = line[n:]
            if not line:
                continue
        out.append(line)
    return out


def _para_lines(text: str, fonts: LetterFonts, size: float, lang: str, *, indent: bool, gap: float = 0.0,
                color: Any = INK) -> list[Line]:
    out: list[Line] = []
    for n, para in enumerate(p.strip() for p in text.split("\n")):
        if not para:
            continue
        first = ("\u3000\u3000" if indent and lang == "zh" else "") + para
        for i, line in enumerate(_wrap(first, fonts, size, WIDTH)):
            out.append(Line(line, size, color=color, gap=gap if (n == 0 and i == 0) else 0.0))
    return out


def _blocks(c: LetterContent, fonts: LetterFonts, s: float) -> list[_Block]:
    lang = c.lang
    small = s - 1.0
    head = _Block("recipient", [Line(t, s + 0.5, bold=True) for t in
                                _wrap(label("to", lang, name=c.recipient), fonts, s + 0.5, WIDTH)[:2]])
    head.lines += [Line(t, small, color=MUTED) for t in
                   _wrap(label("address", lang, address=c.address), fonts, small, WIDTH)[:2]]
    head.lines += [Line(t, small, color=MUTED) for t in
                   _wrap(label("case", lang, case_no=c.case_no, loan_nos=c.loan_nos), fonts, small, WIDTH)[:2]]
    body = _Block("body", _para_lines(c.body, fonts, s, lang, indent=True, gap=s * 0.5), cuttable=True)
    inner = WIDTH - 8
    box_lines = [*_wrap(label("amount", lang, amount=c.amount), fonts, s, inner)[:2],
                 *_wrap(label("capitals", lang, capitals=c.amount_capitals), fonts, s, inner)[:2],
                 *_wrap(label("deadline", lang, deadline=c.deadline, days=c.deadline_days), fonts, s, inner)[:3]]
    amount = _Block("amount", [Line(t, s, bold=i < 2, x=4, gap=s * 0.7 if i == 0 else 0.0,
                                    box="start" if i == 0 else "end" if i == len(box_lines) - 1 else "in")
                               for i, t in enumerate(box_lines)])
    channels = _Block("channels", [Line(t, s, bold=True, color=RED, gap=s * 0.8) for t in
                                   _wrap(label("channels", lang), fonts, s, WIDTH)[:2]])
    for i, text in enumerate(c.channels, start=1):
        wrapped = _wrap(f"{i}. {text}", fonts, s, WIDTH - 10)[:3]
        channels.lines += [Line(t, s, x=0 if j == 0 else 10) for j, t in enumerate(wrapped)]
    basis = _Block("basis", [Line(label("basis", lang), s, bold=True, gap=s * 0.8)], cuttable=True)
    basis.lines += _para_lines(c.legal_basis, fonts, s, lang, indent=True)
    rights = _Block("rights", [Line(label("rights", lang), s, bold=True, gap=s * 0.8)], cuttable=True)
    rights.lines += _para_lines(c.rights, fonts, s, lang, indent=True)
    sign = _Block("sign", [Line(t, s, bold=True, align="right", gap=s * 1.2 if i == 0 else 0.0)
                           for i, t in enumerate(_wrap(c.firm_name, fonts, s, WIDTH * 0.7)[:2])])
    sign.lines += [Line(t, s, align="right") for t in _wrap(label("lawyer", lang, lawyer=c.lawyer,
                                                                  licence_no=c.licence_no), fonts, s, WIDTH)[:2]]
    sign.lines.append(Line(c.letter_date, s, align="right"))
    return [head, body, amount, channels, basis, rights, sign]


def _height(lines: Iterable[Line]) -> float:
    return sum(ln.size * LEADING + ln.gap for ln in lines)


def _footer(c: LetterContent, fonts: LetterFonts) -> list[Line]:
    lang = c.lang
    email = label("email", lang, email=c.firm_email) if c.firm_email else ""
    out = [Line(label("verify", lang, code=c.code), 9.0, bold=True)]
    out += [Line(t, 7.5, color=MUTED) for t in
            _wrap(label("verify_how", lang, url=c.verify_url, phone=c.firm_phone), fonts, 7.5, WIDTH)[:3]]
    out += [Line(t, 7.5, color=MUTED) for t in
            _wrap(label("contacts", lang, address=c.firm_address, phone=c.firm_phone, email=email),
                  fonts, 7.5, WIDTH)[:2]]
    return out


def _cut(blocks: list[_Block], budget: float) -> None:
    """Drop lines from the end of the longest cuttable block until everything fits `budget`."""
    while sum(_height(b.lines) for b in blocks) > budget:
        longest = max((b for b in blocks if b.cuttable and len(b.lines) > 2), key=lambda b: len(b.lines),
                      default=None)
        if longest is None:
            return
        longest.lines.pop()
        last = longest.lines[-1]
        longest.lines[-1] = Line(last.text[:-1] + "…" if len(last.text) > 1 else "…", last.size, last.bold,
                                 last.color, last.x, last.align, last.gap, last.box)


class _Pen:
    """Draws lines of text on a canvas (fake bold where asked)."""

    def __init__(self, canvas: Canvas, fonts: LetterFonts):
        self.c, self.fonts = canvas, fonts

    def line(self, ln: Line, y: float) -> None:
        c = self.c
        width = self.fonts.widths.text(ln.text, ln.size)
        if ln.align == "centre":
            x = (PAGE_W - width) / 2
        elif ln.align == "right":
            x = PAGE_W - RIGHT - width
        else:
            x = LEFT + ln.x
        t = c.beginText(x, y)
        t.setFont(self.fonts.name, ln.size)
        t.setFillColor(ln.color)
        if not ln.bold:
            t.textOut(ln.text)
            c.drawText(t)
            return
        # Fake bold: filled and stroked. The render mode and the line width outlive the text
        # object, so they are set inside q … Q.
        c.saveState()
        t.setStrokeColor(ln.color)
        t.setTextRenderMode(2)
        t.textOut(ln.text)
        c.setLineWidth(ln.size * 0.035)
        c.drawText(t)
        c.restoreState()


def draw_letter(canvas: Canvas, c: LetterContent, fonts: LetterFonts) -> Fit:
    """Draw one letter on the canvas's current page (the caller calls showPage)."""
    pen = _Pen(canvas, fonts)
    y = PAGE_H - TOP - 17
    head = _wrap(c.letterhead, fonts, 17, WIDTH)[0]
    pen.line(Line(head, 17, bold=True, color=RED, align="centre"), y)
    email = label("email", c.lang, email=c.firm_email) if c.firm_email else ""
    contacts = _wrap(label("contacts", c.lang, address=c.firm_address, phone=c.firm_phone, email=email),
                     fonts, 8, WIDTH)[0]
    y -= 14
    pen.line(Line(contacts, 8, color=MUTED, align="centre"), y)
    y -= 7
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1.6)
    canvas.line(LEFT, y, PAGE_W - RIGHT, y)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT, y - 2.5, PAGE_W - RIGHT, y - 2.5)
    canvas.restoreState()
    y -= 15
    pen.line(Line(label("verify", c.lang, code=c.code), 8.5, color=MUTED, align="right"), y)
    title = _wrap(c.title, fonts, 16, WIDTH)[:2]
    y -= 10
    for t in title:
        y -= 16 * 1.3
        pen.line(Line(t, 16, bold=True, align="centre"), y)
    y -= 6
    footer = _footer(c, fonts)
    footer_top = BOTTOM + _height(footer) + 8
    budget = y - footer_top - 6
    fit = Fit()
    for size in SIZES:
        blocks = _blocks(c, fonts, size)
        fit.size = size
        if sum(_height(b.lines) for b in blocks) <= budget:
            break
    else:
        _cut(blocks, budget)
        fit.cut = True
    box_top = 0.0
    for block in blocks:
        for ln in block.lines:
            y -= ln.gap
            if ln.box == "start":
                box_top = y
            y -= ln.size * LEADING
            if ln.box == "end":
                canvas.saveState()
                canvas.setFillColor(BOX)
                canvas.setStrokeColor(RULE)
                canvas.setLineWidth(0.6)
                bottom = y - ln.size * 0.45
                canvas.rect(LEFT, bottom, WIDTH, box_top - bottom, stroke=1, fill=1)
                canvas.restoreState()
                # the box is drawn over the lines above it: draw them again on top
                _redraw_box(pen, block, box_top, ln)
            elif ln.box is None:
                pen.line(ln, y + ln.size * (LEADING - 1.0))
    # foot: how to check the code, and the sender's contacts
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(LEFT, footer_top, PAGE_W - RIGHT, footer_top)
    canvas.restoreState()
    fy = footer_top - 2
    for ln in footer:
        fy -= ln.size * LEADING
        pen.line(ln, fy + ln.size * (LEADING - 1.0))
    return fit


def _redraw_box(pen: _Pen, block: _Block, box_top: float, last: Line) -> None:
    y = box_top
    for ln in block.lines:
        if ln.box is None:
            continue
        y -= ln.size * LEADING
        pen.line(ln, y + ln.size * (LEADING - 1.0))
        if ln is last:
            return


def _canvas(target: Any, fonts: LetterFonts, title: str, subject: str) -> Canvas:
    c = Canvas(target, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.name,
               lang="zh-CN")
    c.setTitle(title)
    c.setSubject(subject)
    c.setCreator("Doorstep")
    c.setAuthor("Doorstep")
    return c


def _save(c: Canvas) -> None:
    loose = sorted(name for name in c._doc.fontMapping if not is_embedded(name))
    if loose:
        raise FontNotEmbedded(f"the letter would use fonts that are not embedded: {', '.join(loose)}")
    c.save()


def doc_title(c: LetterContent) -> str:
    return ("律师函 " if c.lang == "zh" else "Lawyer's letter ") + c.code


def render_letter(c: LetterContent, fonts: LetterFonts) -> tuple[bytes, Fit]:
    """One letter as a PDF of one page (the same content gives the same bytes)."""
    buf = io.BytesIO()
    canvas = _canvas(buf, fonts, doc_title(c), c.firm_name)
    seed(fonts.name, canvas._doc, (c.fixed,))
    fit = draw_letter(canvas, c, fonts)
    canvas.showPage()
    _save(canvas)
    return buf.getvalue(), fit


class Letters:
    """Many letters in one PDF, one page each (the print file): `add` each, then `save`."""

    def __init__(self, path: Path, fonts: LetterFonts, title: str):
        self.fonts = fonts
        self.pages = 0
        self.canvas = _canvas(str(path), fonts, title, title)

    def add(self, c: LetterContent) -> Fit:
        fit = draw_letter(self.canvas, c, self.fonts)
        self.canvas.showPage()
        self.pages += 1
        return fit

    def save(self) -> int:
        _save(self.canvas)
        return self.pages
