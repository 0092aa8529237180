"""The supervisor's assign map: the listed cases as dots coloured by agent (held, or proposed by
auto-balance), a legend naming each agent, and an area tool (rectangle or lasso) whose corners go
back to the window over the bridge (`bridge.areaDrawn(json)`), where they are validated.

Rows travel as JSON data (never through folium's templates); `doorstep-assign.js` draws them on a
canvas layer (thousands of dots stay quick) and builds popups and the legend from text nodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.maps.assets import WebAssets
from app.maps.escape import clip
from app.maps.geo import valid_position
from app.maps.page import DisplayProjection, PageData, PageTiles, add_script, base_map, call, render

ASSIGN_JS = "doorstep/doorstep-assign.js"
ASSIGN_CSS = "doorstep/doorstep-assign.css"
UNASSIGNED_COLOUR = "#9e9e9e"
# Distinguishable on a light map and for the common colour-vision deficiencies first (Okabe-Ito),
# then further distinct hues; a larger team repeats them (the legend and popups still name the agent).
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#7b3294", "#b8860b",
           "#1b7837", "#c51b7d", "#4d4d4d", "#8c510a")


def colour(index: int) -> str:
    return UNASSIGNED_COLOUR if index < 0 else COLOURS[index % len(COLOURS)]


@dataclass(frozen=True, slots=True)
class AssignMapCase:
    """One case as the map shows it; `agent` indexes the legend (-1: unassigned)."""

    id: int
    lat: float | None
    lon: float | None
    agent: int
    case_no: str
    agent_name: str
    pending: bool = False


@dataclass(frozen=True, slots=True)
class AssignMapLabels:
    """Words the page shows (the window passes translated ones)."""

    empty: str = "No cases with a map position"
    unassigned: str = "Unassigned"
    rectangle: str = "Rectangle"
    lasso: str = "Lasso"
    clear: str = "Clear"
    hint: str = "Drag on the map to draw the area"
    pending: str = "Assignment pending"


@dataclass(frozen=True, slots=True)
class AssignMapPage:
    html: str
    shown: int
    skipped_ids: tuple[int, ...]


def build_assign_map(cases: Sequence[AssignMapCase], agents: Sequence[str], *, assets: WebAssets,
                     tiles: PageTiles | None = None, labels: AssignMapLabels | None = None, draw: bool = True,
                     generation: int = 0) -> AssignMapPage:
    """`agents` are the legend's names in colour order (index i → colour(i))."""
    labels = labels or AssignMapLabels()
    project = DisplayProjection(tiles)
    rows: list[list[object]] = []
    skipped: list[int] = []
    lat_min = lon_min = math.inf
    lat_max = lon_max = -math.inf
    used: set[int] = set()
    for c in cases:
        if not valid_position(c.lat, c.lon):
            skipped.append(int(c.id))
            continue
        lat, lon = project(c.lat, c.lon)  # type: ignore[arg-type]
        lat_min, lat_max = min(lat_min, lat), max(lat_max, lat)
        lon_min, lon_max = min(lon_min, lon), max(lon_max, lon)
        index = c.agent if 0 <= c.agent < len(agents) else -1
        used.add(index)
        rows.append([int(c.id), lat, lon, colour(index), clip(c.case_no, 64),
                     clip(c.agent_name if index >= 0 else labels.unassigned, 100), 1 if c.pending else 0])
    legend: list[list[object]] = [[colour(i), clip(name, 100), 0] for i, name in enumerate(agents) if i in used]
    if -1 in used:
        legend.append([UNASSIGNED_COLOUR, labels.unassigned, 0])
    if any(r[6] for r in rows):
        legend.append(["#ffffff", labels.pending, 1])  # a ringed dot
    bounds = [[lat_min, lon_min], [lat_max, lon_max]] if rows else None
    center = ((lat_min + lat_max) / 2, (lon_min + lon_max) / 2) if rows else None
    m = base_map(assets, tiles, center=center)
    m.default_js = [*m.default_js, ("doorstep_assign", assets.base + ASSIGN_JS)]
    m.default_css = [*m.default_css, ("doorstep_assign_css", assets.base + ASSIGN_CSS)]
    name = m.get_name()
    data = PageData()
    text = {"empty": labels.empty, "rectangle": labels.rectangle, "lasso": labels.lasso, "clear": labels.clear,
            "hint": labels.hint, "pending": labels.pending}
    code = "\n".join([
        call(data, "init", {"generation": int(generation), "bounds": bounds, "legend": [],
                            "emptyText": None if rows else labels.empty}, raw=(name,)),
        "doorstepAssign.show(" + name + ", " + data.ref(rows) + ", " + data.ref(legend) + ", "
        + data.ref({"labels": text, "draw": bool(draw)}) + ");",
        "doorstep.connect();",
    ])
    add_script(m, assets, code)
    return AssignMapPage(html=render(m, data), shown=len(rows), skipped_ids=tuple(skipped))
