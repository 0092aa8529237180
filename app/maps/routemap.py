"""The route map: the day's stops numbered in visiting order, the path between them and the start.

Built from a plain ordered list, so it does not depend on how the order was chosen. Stops are
folium Markers (a day has tens of stops, not thousands) with tooltips; their text goes through
`popup_text`, because folium pastes tooltip HTML unescaped into a JavaScript template literal.
The path is drawn as straight legs: the planner estimates travel from distances, not a road graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import folium

from app.maps.assets import WebAssets
from app.maps.escape import popup_text
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


def _icon(text: str, classes: str) -> folium.DivIcon:
    # `text` is a stop number or a one-character mark chosen here, never data.
    return folium.DivIcon(html=f'<span class="ds-num">{text}</span>', class_name=classes,
                          icon_size=(26, 26), icon_anchor=(13, 13))


def build_route_map(stops: Sequence[RouteStop], *, start: RoutePoint | None, end: RoutePoint | None = None,
                    assets: WebAssets, tiles: PageTiles | None = None,
                    labels: RouteLabels | None = None, generation: int = 0) -> RouteMapPage:
    labels = labels or RouteLabels()
    project = DisplayProjection(tiles)
    placed: list[tuple[RouteStop, tuple[float, float]]] = []
    skipped: list[int] = []
    for s in stops:
        if valid_position(s.lat, s.lon):
            placed.append((s, project(s.lat, s.lon)))
        else:
            skipped.append(int(s.case_id))
    start_pos = project(start.lat, start.lon) if start and valid_position(start.lat, start.lon) else None
    end_pos = project(end.lat, end.lon) if end and valid_position(end.lat, end.lon) else None
    if end_pos is not None and end_pos == start_pos:
        end_pos = None
    everything = [p for _, p in placed] + [p for p in (start_pos, end_pos) if p is not None]
    center = None
    bounds = None
    if everything:
        lats = [p[0] for p in everything]
        lons = [p[1] for p in everything]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
        center = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
    m = base_map(assets, tiles, center=center, zoom=13)
    name = m.get_name()
    path = ([start_pos] if start_pos else []) + [p for _, p in placed] + ([end_pos or start_pos] if start_pos else [])
    if end_pos and not start_pos:
        path.append(end_pos)
    if len(path) >= 2:
        folium.PolyLine([list(p) for p in path], color="#1565c0", weight=4, opacity=0.75).add_to(m)
    if start_pos is not None:
        tip = popup_text(f"{labels.start}: {start.label}" if start and start.label else labels.start)
        folium.Marker(list(start_pos), icon=_icon("S", "ds-stop ds-start"), tooltip=folium.Tooltip(tip)).add_to(m)
    if end_pos is not None:
        tip = popup_text(f"{labels.end}: {end.label}" if end and end.label else labels.end)
        folium.Marker(list(end_pos), icon=_icon("E", "ds-stop ds-start"), tooltip=folium.Tooltip(tip)).add_to(m)
    data = PageData()
    register: list[str] = []
    for number, (stop, pos) in enumerate(placed, start=1):
        classes = "ds-stop" + (" ds-locked" if stop.locked else "") + (" ds-safety" if stop.safety_level > 0 else "")
        text = f"{number}. {stop.label}" + (f" · {stop.eta}" if stop.eta else "")
        marker = folium.Marker(list(pos), icon=_icon(str(number), classes),
                               tooltip=folium.Tooltip(popup_text(text)))
        marker.add_to(m)
        register.append(f"doorstep.registerStop({int(stop.case_id)}, {marker.get_name()});")
    code = "\n".join([
        call(data, "init", {"generation": int(generation), "bounds": bounds, "fitMaxZoom": 16, "legend": [],
                            "emptyText": None if placed else labels.empty}, raw=(name,)),
        *register,
        "doorstep.connect();",
    ])
    add_script(m, assets, code)
    return RouteMapPage(html=render(m, data), shown=len(placed), skipped_ids=tuple(skipped))
