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

CLUSTER_ABOVE = 300  # more markers than this are clustered (Leaflet.markercluster, bulk-added)
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
    for c in cases:
        if not valid_position(c.lat, c.lon):
            skipped.append(int(c.id))
            continue
        lat, lon = project(c.lat, c.lon)  # type: ignore[arg-type]  # valid_position excludes None
        lat_min, lat_max = min(lat_min, lat), max(lat_max, lat)
        lon_min, lon_max = min(lon_min, lon), max(lon_max, lon)
        band = priority_band(c.priority)
        prio = f"{labels.priority} {c.priority:.0f}" if math.isfinite(c.priority) else labels.priority
        rows.append([int(c.id), lat, lon, band, max(0, min(int(c.safety_level), 3)),
                     clip(c.case_no, 64), clip(c.label, 200), clip(c.status, 32), prio])
    bounds = [[lat_min, lon_min], [lat_max, lon_max]] if rows else None
    center = ((lat_min + lat_max) / 2, (lon_min + lon_max) / 2) if rows else None
    m = base_map(assets, tiles, center=center)
    if len(rows) > cluster_above:
        m.default_js = m.default_js + assets.js("markercluster")
        m.default_css = m.default_css + assets.css("markercluster_css", "markercluster_default_css")
    legend = [[f"ds-band-{i}", text] for i, text in enumerate(labels.bands)]
    legend.append(["ds-band-0 ds-safety", labels.safety])
    name = m.get_name()
    data = PageData()
    code = "\n".join([
        call(data, "init", {"generation": int(generation), "bounds": bounds, "legend": legend, "labels": {"safety": labels.safety},
                      "emptyText": None if rows else labels.empty}, raw=(name,)),
        call(data, "showCases", rows, {"clusterAbove": cluster_above}, raw=(name,)),
        "doorstep.connect();",
    ])
    add_script(m, assets, code)
    return CaseMapPage(html=render(m, data), shown=len(rows), skipped_ids=tuple(skipped))
