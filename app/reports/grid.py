"""A fast table for long lists (a day's stops, a case's timeline): rows of plain-text cells.

reportlab's Table measures and re-measures every cell through its generic flowable machinery and
splits by rebuilding itself; for hundreds of rows that dominates the build. A Grid knows its cells
are text: it wraps each once (cached per width), splits between rows with the header repeated,
and draws all text of a page part in one PDF text object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.platypus import Flowable

from .text import clean
from .textblock import INK, Run, Widths, wrap_text

MAX_ROW_HEIGHT = 600.0  # points: a row always fits on an A4 page; longer cells are cut with "…"

Cell = str | Run | Sequence[Run]


@dataclass(frozen=True, slots=True)
class RowStyle:
    background: Any = None
    box: Any = None  # colour of a frame around the row
    box_width: float = 1.4
    bar: Any = None  # colour of a thick bar at the row's left edge
    cell_backgrounds: dict[int, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Laid:
    heights: list[float]
    cells: list[list[list[tuple[Run, list[str]]]]]  # row → cell → (run, lines)


def _runs(cell: Cell, size: float) -> list[Run]:
    if isinstance(cell, str):
        return [Run(clean(cell), size)]
    if isinstance(cell, Run):
        return [Run(clean(cell.text), cell.size, cell.color, cell.bold, cell.max_lines)]
    return [Run(clean(r.text), r.size, r.color, r.bold, r.max_lines) for r in cell]


class Grid(Flowable):
    def __init__(self, col_widths: Sequence[float], header: Sequence[Cell] | None, rows: Sequence[Sequence[Cell]],
                 widths: Widths, styles: Sequence[RowStyle | None] | None = None, align: Sequence[str] | None = None,
                 size: float = 8.5, leading: float = 1.22, pad: float = 3.0, header_background: Any = None,
                 rule: Any = None):
        super().__init__()
        self.col_widths = list(col_widths)
        self.widths = widths
        self.size, self.leading, self.pad = size, leading, pad
        self.align = list(align or ["LEFT"] * len(col_widths))
        self.header = [_runs(c, size) for c in header] if header is not None else None
        self.rows = [[_runs(c, size) for c in row] for row in rows]
        self.styles = list(styles or [None] * len(rows))
        self.header_background = header_background
        self.rule = rule
        self._laid: _Laid | None = None
        self._header_laid: tuple[float, list[list[tuple[Run, list[str]]]]] | None = None

    # -- layout --------------------------------------------------------------------------------

    def _cell(self, runs: list[Run], width: float) -> tuple[float, list[tuple[Run, list[str]]]]:
        inner = max(width - 2 * self.pad, 10.0)
        laid: list[tuple[Run, list[str]]] = []
        height = 0.0
        for run in runs:
            lines = wrap_text(run.text, self.widths, run.size, inner, run.max_lines)
            step = run.size * self.leading
            room = int((MAX_ROW_HEIGHT - height) // step)
            if room < len(lines):
                lines = lines[:max(room, 0)]
                if lines:
                    lines[-1] = lines[-1][:-1] + "…"
            laid.append((run, lines))
            height += step * len(lines)
            if room <= 0:
                break
        return height + 2 * self.pad, laid

    def _row(self, cells: list[list[Run]]) -> tuple[float, list[list[tuple[Run, list[str]]]]]:
        height = 0.0
        out = []
        for runs, w in zip(cells, self.col_widths, strict=False):
            h, laid = self._cell(runs, w)
            height = max(height, h)
            out.append(laid)
        return height, out

    def _layout(self) -> _Laid:
        if self._laid is None:
            heights: list[float] = []
            cells = []
            for row in self.rows:
                h, laid = self._row(row)
                heights.append(h)
                cells.append(laid)
            self._laid = _Laid(heights, cells)
            if self.header is not None:
                self._header_laid = self._row(self.header)
        return self._laid

    @property
    def _header_height(self) -> float:
        self._layout()
        return self._header_laid[0] if self._header_laid else 0.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        laid = self._layout()
        self.width = sum(self.col_widths)
        self.height = self._header_height + sum(laid.heights)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        laid = self._layout()
        room = ah - self._header_height
        used = 0.0
        n = 0
        for h in laid.heights:
            if used + h > room:
                break
            used += h
            n += 1
        if n == 0 or n == len(self.rows):
            return [] if n == 0 else [self]
        return [self._part(0, n), self._part(n, len(self.rows))]

    def _part(self, lo: int, hi: int) -> Grid:
        part = Grid.__new__(Grid)
        Flowable.__init__(part)
        for name in ("col_widths", "widths", "size", "leading", "pad", "align", "header", "header_background",
                     "rule", "_header_laid"):
            setattr(part, name, getattr(self, name))
        laid = self._layout()
        part.rows = self.rows[lo:hi]
        part.styles = self.styles[lo:hi]
        part._laid = _Laid(laid.heights[lo:hi], laid.cells[lo:hi])
        return part

    # -- drawing -------------------------------------------------------------------------------

    def draw(self) -> None:
        laid = self._layout()
        c = self.canv
        total_w = sum(self.col_widths)
        rows: list[tuple[float, float, list[list[tuple[Run, list[str]]]], RowStyle | None]] = []
        y = self.height
        if self._header_laid is not None:
            h, cells = self._header_laid
            rows.append((y, h, cells, RowStyle(background=self.header_background)))
            y -= h
        for h, cells, style in zip(laid.heights, laid.cells, self.styles, strict=True):
            rows.append((y, h, cells, style))
            y -= h
        # Backgrounds and rules first, then every piece of text in one text object.
        for top, h, _cells, style in rows:
            if style is not None:
                if style.background is not None:
                    c.setFillColor(style.background)
                    c.rect(0, top - h, total_w, h, stroke=0, fill=1)
                x = 0.0
                for i, w in enumerate(self.col_widths):
                    bg = style.cell_backgrounds.get(i)
                    if bg is not None:
                        c.setFillColor(bg)
                        c.rect(x, top - h, w, h, stroke=0, fill=1)
                    x += w
            if self.rule is not None:
                c.setStrokeColor(self.rule)
                c.setLineWidth(0.4)
                c.line(0, top - h, total_w, top - h)
        for top, h, _cells, style in rows:
            if style is not None and style.bar is not None:
                c.setFillColor(style.bar)
                c.rect(0, top - h, 2.2, h, stroke=0, fill=1)
            if style is not None and style.box is not None:
                c.setStrokeColor(style.box)
                c.setLineWidth(style.box_width)
                c.rect(0, top - h, total_w, h, stroke=1, fill=0)
        t = c.beginText(0, 0)
        font = self.widths.font
        current: tuple[float, Any, bool] | None = None
        for top, _h, cells, _style in rows:
            x = 0.0
            for col, (laid_cell, w) in enumerate(zip(cells, self.col_widths, strict=False)):
                yy = top - self.pad
                right = self.align[col] == "RIGHT"
                for run, lines in laid_cell:
                    key = (run.size, run.color, run.bold)
                    if key != current:
                        t.setFont(font, run.size)
                        t.setFillColor(run.color or INK)
                        if run.bold:
                            t.setStrokeColor(run.color or INK)
                        t.setTextRenderMode(2 if run.bold else 0)
                        current = key
                    step = run.size * self.leading
                    lift = run.size * (self.leading - 1) + run.size * 0.18
                    for line in lines:
                        yy -= step
                        lx = x + self.pad
                        if right:
                            lx = x + w - self.pad - self.widths.text(line, run.size)
                        t.setTextOrigin(lx, yy + lift)
                        t.textOut(line)
                x += w
        c.setLineWidth(0.3)
        c.drawText(t)
