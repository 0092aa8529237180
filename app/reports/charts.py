"""Charts the reports share, drawn with reportlab.graphics in the report's embedded font."""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from .layout import ACCENT, FRAME_WIDTH, MUTED, RULE


def whole_step(top: float, most_ticks: int = 8) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … that puts at most `most_ticks` steps up to `top`."""
    step = 1
    while math.ceil(top / step) > most_ticks:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if math.ceil(top / step) <= most_ticks:
                break
    return step


def short_name(name: str, limit: int = 10) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def grouped_bars(title: str, names: Sequence[str], series: Sequence[Sequence[float]], fills: Sequence[colors.Color],
                 legend: Sequence[str], font: str, value_format: str = "{:,.0f}",
                 whole_numbers: bool = False) -> Drawing:
    """Horizontal grouped bars, one group per name (an agent, a ladder level): readable with many
    names and long ones (cut to ten characters). Series are drawn top-down in the order given.
    `whole_numbers`: the values are counts, so the axis ticks are whole numbers (1, 2, 5, 10 … apart)."""
    per = max(len(series), 1)
    bar_h = 6 if per == 1 else 4.5
    height = max(60.0, len(names) * (bar_h * per + 6) + 44)
    d = Drawing(FRAME_WIDTH, height)
    d.add(String(0, height - 11, title, fontName=font, fontSize=10, fillColor=ACCENT))
    chart = HorizontalBarChart()
    chart.x, chart.y = 70, 22
    chart.width, chart.height = FRAME_WIDTH - 120, height - 44
    # Categories and series run bottom-up: reverse both so the first name and series are on top.
    chart.data = [list(reversed(s)) for s in reversed(series)]
    chart.categoryAxis.categoryNames = [short_name(n) for n in reversed(names)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max((v for s in series for v in s), default=0)
    if top <= 0:
        chart.valueAxis.valueMax = 1
        chart.valueAxis.valueStep = 1
    elif whole_numbers:
        step = whole_step(top)
        chart.valueAxis.valueStep = step
        chart.valueAxis.valueMax = math.ceil(top / step) * step
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.barSpacing = 0.5
    chart.groupSpacing = 4
    chart.barLabelFormat = lambda v: value_format.format(v)
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    for i, fill in enumerate(reversed(fills)):
        chart.bars[i].fillColor = fill
        chart.bars[i].strokeColor = None
    d.add(chart)
    x = 70.0
    for label, fill in zip(legend, fills, strict=False):
        d.add(Rect(x, 4, 7, 7, fillColor=fill, strokeColor=None))
        d.add(String(x + 10, 5, label, fontName=font, fontSize=7.5, fillColor=MUTED))
        x += 24 + stringWidth(label, font, 7.5)
    return d
