"""Fast wrapped text for table cells: a few lines of plain text drawn straight on the canvas.

reportlab's Paragraph wraps Chinese one character at a time through its markup machinery, which
costs ~1 ms a cell: a 200-stop sheet would take seconds. A report cell needs no markup — only a
few runs of plain text in a size and colour — so we wrap with cached glyph widths (Chinese breaks
between any two characters, Latin text at spaces, and over-long words anywhere) and draw each
line with drawString. Text is never parsed, so markup in names prints literally by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from .text import clean

INK = colors.HexColor("#1f2328")


class Widths:
    """Glyph advance widths of one font at size 1, cached per character."""

    def __init__(self, font: str):
        self.font = font
        self._font = pdfmetrics.getFont(font)
        self._cache: dict[str, float] = {}
        self.wrapped: dict[tuple[str, float, float, int | None], list[str]] = {}  # see wrap_text

    def char(self, ch: str) -> float:
        w = self._cache.get(ch)
        if w is None:
            w = self._font.stringWidth(ch, 1.0)
            self._cache[ch] = w
        return w

    def text(self, s: str, size: float) -> float:
        get = self._cache.get
        total = 0.0
        for ch in s:
            w = get(ch)
            total += w if w is not None else self.char(ch)
        return total * size


def _breaks_anywhere(ch: str) -> bool:
    o = ord(ch)
    return o >= 0x2E80 and not (0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF5A)  # CJK, but not full-width A–z/0–9


WRAP_CACHE_LIMIT = 20_000


def wrap_text(text: str, widths: Widths, size: float, width: float, max_lines: int | None = None) -> list[str]:
    """Greedy line breaking. Every character of `text` is kept (unless `max_lines` cuts, marked '…').

    Reports repeat short texts (names of agents, outcome words, dates): results are remembered per
    Widths, in a bounded cache. Callers must not change the returned list."""
    key = (text, size, width, max_lines)
    hit = widths.wrapped.get(key)
    if hit is not None:
        return hit
    if "\n" not in text and widths.text(text, size) <= width:
        lines = [text.rstrip(" ")]
    else:
        lines = _wrap(text, widths, size, width, max_lines)
    if len(widths.wrapped) >= WRAP_CACHE_LIMIT:
        widths.wrapped.clear()
    widths.wrapped[key] = lines
    return lines


def _wrap(text: str, widths: Widths, size: float, width: float, max_lines: int | None) -> list[str]:
    lines: list[str] = []
    limit = width / size
    for para in text.split("\n"):
        start = 0
        used = 0.0
        last_break = -1  # index after which a line may end
        i = 0
        n = len(para)
        while i < n:
            ch = para[i]
            w = widths.char(ch)
            if used + w > limit and i > start:
                cut = last_break + 1 if last_break >= start else i
                lines.append(para[start:cut].rstrip(" "))
                start = cut
                while start < n and para[start] == " ":
                    start += 1
                used = widths.text(para[start:i], 1.0) if start < i else 0.0
                last_break = -1
                if start > i:
                    i = start
                continue
            used += w
            if ch == " " or _breaks_anywhere(ch) or (i + 1 < n and _breaks_anywhere(para[i + 1])):
                last_break = i
            i += 1
        lines.append(para[start:].rstrip(" "))
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…" if lines[-1] else "…"
    return lines


@dataclass(frozen=True, slots=True)
class Run:
    """One paragraph of a TextBlock: plain text in one size and colour."""

    text: str
    size: float = 8.5
    color: Any = INK
    bold: bool = False
    max_lines: int | None = None


class TextBlock(Flowable):
    """Runs of plain text, each starting on a new line, wrapped to the width it is given."""

    def __init__(self, runs: Sequence[Run], widths: Widths, leading: float = 1.22):
        super().__init__()
        self.runs = [Run(clean(r.text), r.size, r.color, r.bold, r.max_lines) for r in runs]
        self.widths = widths
        self.leading = leading
        self._laid: tuple[float, list[tuple[Run, list[str]]]] | None = None

    def _layout(self, width: float) -> list[tuple[Run, list[str]]]:
        if self._laid is None or self._laid[0] != width:
            self._laid = (width, [(r, wrap_text(r.text, self.widths, r.size, width, r.max_lines)) for r in self.runs])
        return self._laid[1]

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        laid = self._layout(aw)
        self.width = aw
        self.height = sum(r.size * self.leading * len(lines) for r, lines in laid)
        return aw, self.height

    def draw(self) -> None:
        c = self.canv
        y = self.height
        t = c.beginText(0, 0)
        for run, lines in self._layout(self.width):
            t.setFont(self.widths.font, run.size)
            t.setFillColor(run.color)
            if run.bold:  # the CJK font has no bold face: fill and stroke the outline instead
                t.setStrokeColor(run.color)
                c.setLineWidth(run.size * 0.035)
            t.setTextRenderMode(2 if run.bold else 0)
            step = run.size * self.leading
            lift = run.size * (self.leading - 1) + run.size * 0.18
            for line in lines:
                y -= step
                t.setTextOrigin(0, y + lift)
                t.textOut(line)
        c.drawText(t)
