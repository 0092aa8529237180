"""The route sketch on a daily sheet: stops in order, drawn with reportlab graphics (no map tiles).

An equirectangular projection (longitude scaled by cos(latitude)) fitted into the box keeps the
shape of a city-sized area true. Stops without coordinates are left out and listed by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.validators import isColorOrNone, isNumber
from reportlab.pdfbase.pdfmetrics import stringWidth

from .data import Stop
from .layout import ACCENT, DANGER, INK, MUTED, RULE

STOP_FILL = colors.HexColor("#1f5fa8")
SAFETY_FILL = colors.HexColor("#d97706")
START_FILL = colors.HexColor("#15803d")


class BoldString(String):
    """A String drawn fake bold: filled and stroked with its own colour (text render mode 2), for a
    font without a bold face. Never a standard-14 bold font: those are not embedded."""

    _attrMap = AttrMap(BASE=String, strokeColor=AttrMapValue(isColorOrNone), strokeWidth=AttrMapValue(isNumber))

    def __init__(self, x: float, y: float, text: str, **kw: object) -> None:
        super().__init__(x, y, text, **kw)
        self.textRenderMode = 2
        self.strokeColor = self.fillColor
        self.strokeWidth = self.fontSize * 0.04


def _project(points: Sequence[tuple[float, float]], width: float, height: float,
             pad: float) -> list[tuple[float, float]]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid = math.radians((min(lats) + max(lats)) / 2)
    kx = math.cos(mid)
    xs = [lon * kx for lon in lons]
    span_x = max(xs) - min(xs)
    span_y = max(lats) - min(lats)
    span = max(span_x / max(width - 2 * pad, 1), span_y / max(height - 2 * pad, 1), 1e-9)
    cx = (max(xs) + min(xs)) / 2
    cy = (max(lats) + min(lats)) / 2
    return [(width / 2 + (x - cx) / span, height / 2 + (lat - cy) / span) for x, lat in zip(xs, lats, strict=True)]


def route_sketch(stops: Sequence[Stop], start: tuple[float, float] | None, width: float, height: float,
                 font: str, start_label: str, legend: Sequence[tuple[str, str]] = ()) -> Drawing:
    """A drawing of the route: start (green square), stops numbered in order, safety stops orange,
    do-not-visit stops red with a cross. `legend` pairs (kind, label) with kind in start|stop|safety|dnv."""
    d = Drawing(width, height)
    d.add(Rect(0, 0, width, height, strokeColor=RULE, fillColor=colors.HexColor("#f8fafc"), strokeWidth=0.6))
    placed = [s for s in stops if s.lat is not None and s.lon is not None]
    points: list[tuple[float, float]] = [(s.lat, s.lon) for s in placed]  # type: ignore[misc]
    if start is not None:
        points = [start, *points]
    if not points:
        return d
    xy = _project(points, width, height, pad=16)
    start_xy = xy[0] if start is not None else None
    stop_xy = xy[1:] if start is not None else xy
    if len(xy) > 1:
        flat: list[float] = [c for p in xy for c in p]
        d.add(PolyLine(flat, strokeColor=ACCENT, strokeWidth=0.8, strokeDashArray=[3, 2]))
    radius = 6.0 if len(stop_xy) <= 40 else 4.0
    size = 6.5 if len(stop_xy) <= 40 else 4.5
    for stop, (x, y) in zip(placed, stop_xy, strict=True):
        fill = DANGER if stop.do_not_visit else SAFETY_FILL if stop.safety else STOP_FILL
        d.add(Circle(x, y, radius, fillColor=fill, strokeColor=colors.white, strokeWidth=0.6))
        if stop.do_not_visit:
            r = radius + 2.5
            d.add(Line(x - r, y - r, x + r, y + r, strokeColor=DANGER, strokeWidth=1.2))
            d.add(Line(x - r, y + r, x + r, y - r, strokeColor=DANGER, strokeWidth=1.2))
        d.add(BoldString(x, y - size / 2 + 0.6, str(stop.seq), fontName=font, fontSize=size,
                         fillColor=colors.white, textAnchor="middle"))
    if start_xy is not None:
        x, y = start_xy
        d.add(Rect(x - 5, y - 5, 10, 10, fillColor=START_FILL, strokeColor=colors.white, strokeWidth=0.6))
        d.add(String(x + 8, y - 3, start_label, fontName=font, fontSize=7, fillColor=INK))
    _legend(d, legend, font, width)
    # Scale bar: how many km 40 points represent (from the same projection).
    _scale(d, points, xy, font)
    return d


def _legend(d: Drawing, legend: Sequence[tuple[str, str]], font: str, width: float) -> None:
    x = 6.0
    y = 6.0
    for kind, label in legend:
        fill = {"start": START_FILL, "stop": STOP_FILL, "safety": SAFETY_FILL, "dnv": DANGER}.get(kind, MUTED)
        if kind == "start":
            d.add(Rect(x, y, 6, 6, fillColor=fill, strokeColor=None))
        else:
            d.add(Circle(x + 3, y + 3, 3, fillColor=fill, strokeColor=None))
        d.add(String(x + 9, y + 0.5, label, fontName=font, fontSize=6.5, fillColor=MUTED))
        x += 16 + stringWidth(label, font, 6.5)
        if x > width - 60:
            break


def _scale(d: Drawing, points: Sequence[tuple[float, float]], xy: Sequence[tuple[float, float]], font: str) -> None:
    if len(points) < 2:
        return
    (lat0, lon0), (lat1, lon1) = points[0], points[-1]
    (x0, y0), (x1, y1) = xy[0], xy[-1]
    px = math.hypot(x1 - x0, y1 - y0)
    if px < 1:
        return
    km = _haversine_km(lat0, lon0, lat1, lon1)
    per_pt = km / px
    nice = next((v for v in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if v / per_pt >= 30), None)
    if nice is None:
        return
    length = nice / per_pt
    x_end = d.width - 8
    d.add(Line(x_end - length, 8, x_end, 8, strokeColor=INK, strokeWidth=1))
    d.add(Line(x_end - length, 6, x_end - length, 10, strokeColor=INK, strokeWidth=1))
    d.add(Line(x_end, 6, x_end, 10, strokeColor=INK, strokeWidth=1))
    d.add(String(x_end - length / 2, 11, f"{nice:g} km", fontName=font, fontSize=6.5, fillColor=INK,
                 textAnchor="middle"))


def _haversine_km(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dp = p1 - p0
    dl = math.radians(lon1 - lon0)
    a = math.sin(dp / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))
