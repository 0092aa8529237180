"""The route map: the day's stops numbered in visiting order, the path between them and the start.

Built from a plain ordered list, so it does not depend on how the order was chosen. Stops are
folium Markers (a day has tens of stops, not thousands) with tooltips; their text goes through
`popup_text`, because folium pastes tooltip HTML unescaped into a JavaScript template literal.
The path is drawn as straight legs: the planner estimates travel from distances, not a road graph.
Stops go to the page as data and are drawn by `doorstep-map.js` with tooltips filled as text: 200
folium Marker elements would each pass through Jinja (about 2 s), and folium's tooltips are
unescaped HTML inside a JS template literal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.maps.assets import WebAssets
from app.maps.escape import clip
from app.maps.geo import valid_position
from app.maps.page import DisplayProjection, PageData, PageTiles, add_script, base_map, call, render


@dataclass(frozen=True, slots=True)
class RouteStop:
    case_id: int
    lat: float
    lon: float
    label: str  # already masked
    eta: str = ""  # already formatted for the user, e.g. "09:40"
    locked: bool = False
    safety_level: int = 0


@dataclass(frozen=True, slots=True)
class RoutePoint:
    lat: float
    lon: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class RouteLabels:
    start: str = "Start"
    end: str = "End"
    empty: str = "No stops planned"


@dataclass(frozen=True, slots=True)
class RouteMapPage:
    html: str
    shown: int
    skipped_ids: tuple[int, ...]


def build_route_map(stops: Sequence[RouteStop], *, start: RoutePoint | None, end: RoutePoint | None = None,
                    assets: WebAssets, tiles: PageTiles | None = None,
                    labels: RouteLabels | None = None, generation: int = 0) -> RouteMapPage:
    labels = labels or RouteLabels()
    project = DisplayProjection(tiles)
    rows: list[list[object]] = []
    skipped: list[int] = []
    for s in stops:
        if valid_position(s.lat, s.lon):
            lat, lon = project(s.lat, s.lon)
            rows.append([int(s.case_id), lat, lon, len(rows) + 1, clip(s.label, 200), clip(s.eta, 40),
                         bool(s.locked), max(0, min(int(s.safety_level), 3))])
        else:
            skipped.append(int(s.case_id))

    def place(p: RoutePoint | None) -> list[object] | None:
        if p is None or not valid_position(p.lat, p.lon):
            return None
        return [*project(p.lat, p.lon), clip(p.label, 200)]

    start_row, end_row = place(start), place(end)
    if end_row is not None and start_row is not None and end_row[:2] == start_row[:2]:
        end_row = None  # a round trip: one mark for both
    stop_points = [[r[1], r[2]] for r in rows]
    path = ([start_row[:2]] if start_row else []) + stop_points
    if end_row is not None:
        path.append(end_row[:2])
    elif start_row is not None and stop_points:
        path.append(start_row[:2])  # back to the start
    points = stop_points + [p[:2] for p in (start_row, end_row) if p is not None]
    bounds = None
    center = None
    if points:
        lats = [float(p[0]) for p in points]  # type: ignore[arg-type]
        lons = [float(p[1]) for p in points]  # type: ignore[arg-type]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
        center = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
    m = base_map(assets, tiles, center=center, zoom=13)
    name = m.get_name()
    data = PageData()
    code = "\n".join([
        call(data, "init", {"generation": int(generation), "bounds": bounds, "fitMaxZoom": 16, "legend": [],
                            "labels": {"start": labels.start, "end": labels.end},
                            "emptyText": None if rows else labels.empty}, raw=(name,)),
        call(data, "showRoute", rows, start_row, end_row, path, raw=(name,)),
        "doorstep.connect();",
    ])
    add_script(m, assets, code)
    return RouteMapPage(html=render(m, data), shown=len(rows), skipped_ids=tuple(skipped))
