"""The case map: every case with a position as a marker coloured by priority, a distinct mark for
safety notes, clustered above a few hundred markers, popups built from text (never markup)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.maps.assets import WebAssets
from app.maps.escape import clip
from app.maps.geo import valid_position
from app.maps.page import DisplayProjection, PageData, PageTiles, add_script, base_map, call, render

CLUSTER_ABOVE = 300  # more markers than this are clustered: a Supercluster index, on-screen markers only
# From zoom 17 every case is its own marker; several cases at one spot (one building) open a
# list to pick from. Fewer cluster levels keep a 20,000-case index quick to build.
CLUSTER_MAX_ZOOM = 16
# Priority score → colour band: 0 green (low) … 3 red (urgent). Scores run roughly 0–100.
BAND_FLOORS = (20.0, 40.0, 60.0)


@dataclass(frozen=True, slots=True)
class MapCase:
    """One case as the map shows it. `label` is already masked by the caller."""

    id: int
    case_no: str
    label: str
    lat: float | None
    lon: float | None
    priority: float
    safety_level: int
    status: str


@dataclass(frozen=True, slots=True)
class MapLabels:
    """Words the page shows (the UI passes translated ones)."""

    bands: tuple[str, str, str, str] = ("Low priority", "Medium", "High", "Urgent")
    safety: str = "Safety note"
    empty: str = "No cases with a map position"
    priority: str = "Priority"


@dataclass(frozen=True, slots=True)
class CaseMapPage:
    html: str
    shown: int
    skipped_ids: tuple[int, ...] = field(default=())  # cases with no usable position


def priority_band(priority: float) -> int:
    if not math.isfinite(priority):
        return 0
    return sum(priority >= floor for floor in BAND_FLOORS)


def build_case_map(cases: Sequence[MapCase], *, assets: WebAssets, tiles: PageTiles | None = None,
                   labels: MapLabels | None = None, cluster_above: int = CLUSTER_ABOVE,
                   generation: int = 0) -> CaseMapPage:
    """The page for these cases; `generation` is echoed by the page when its bridge is ready."""
    labels = labels or MapLabels()
    project = DisplayProjection(tiles)
    rows: list[list[object]] = []
    skipped: list[int] = []
    lat_min = lon_min = math.inf
    lat_max = lon_max = -math.inf
    gcj = project.gcj
    f1, f2, f3 = BAND_FLOORS
    prio_word = labels.priority
    isfinite = math.isfinite
    for c in cases:  # the hot loop of a 20,000-marker map: kept plain
        lat, lon = c.lat, c.lon
        if not valid_position(lat, lon):
            skipped.append(int(c.id))
            continue
        lat, lon = project(lat, lon) if gcj else (round(lat, 6), round(lon, 6))  # type: ignore[arg-type]
        if lat < lat_min:
            lat_min = lat
        if lat > lat_max:
            lat_max = lat
        if lon < lon_min:
            lon_min = lon
        if lon > lon_max:
            lon_max = lon
        p = c.priority
        if isfinite(p):
            band = 3 if p >= f3 else 2 if p >= f2 else 1 if p >= f1 else 0
            prio = f"{prio_word} {p:.0f}"
        else:
            band, prio = 0, prio_word
        level = c.safety_level
        case_no, label, status = c.case_no, c.label, c.status
        rows.append([int(c.id), lat, lon, band, 0 if level <= 0 else 3 if level >= 3 else int(level),
                     case_no if len(case_no) <= 64 else clip(case_no, 64),
                     label if len(label) <= 200 else clip(label, 200),
                     status if len(status) <= 32 else clip(status, 32), prio])
    bounds = [[lat_min, lon_min], [lat_max, lon_max]] if rows else None
    center = ((lat_min + lat_max) / 2, (lon_min + lon_max) / 2) if rows else None
    m = base_map(assets, tiles, center=center)
    if len(rows) > cluster_above:
        m.default_js = m.default_js + assets.js("supercluster")
    legend = [[f"ds-band-{i}", text] for i, text in enumerate(labels.bands)]
    legend.append(["ds-band-0 ds-safety", labels.safety])
    name = m.get_name()
    data = PageData()
    code = "\n".join([
        call(data, "init", {"generation": int(generation), "bounds": bounds, "legend": legend, "labels": {"safety": labels.safety},
                      "emptyText": None if rows else labels.empty}, raw=(name,)),
        call(data, "showCases", rows, {"clusterAbove": cluster_above, "clusterMaxZoom": CLUSTER_MAX_ZOOM},
             raw=(name,)),
        "doorstep.connect();",
    ])
    add_script(m, assets, code)
    return CaseMapPage(html=render(m, data), shown=len(rows), skipped_ids=tuple(skipped))
