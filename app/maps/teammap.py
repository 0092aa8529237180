"""The team map: where the team's door visits of one day were, a colour per agent.

Rows go to the page as JSON data (never through folium's templates) and `doorstep-map.js` draws
them with popups built from text nodes, like the case map; the legend names each agent beside
their colour. A day's visits are tens to a few hundred points: no clustering.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.maps.assets import WebAssets
from app.maps.escape import clip
from app.maps.geo import valid_position
from app.maps.page import DisplayProjection, PageData, PageTiles, add_script, base_map, call, render

# Distinguishable on a light map and for the common colour-vision deficiencies first (Okabe-Ito),
# then further distinct hues; a larger team repeats them (the legend and popups still name the agent).
AGENT_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#7b3294", "#b8860b",
                 "#1b7837", "#c51b7d", "#4d4d4d", "#8c510a")


def agent_colour(index: int) -> str:
    return AGENT_COLOURS[index % len(AGENT_COLOURS)]


@dataclass(frozen=True, slots=True)
class TeamVisit:
    """One visit as the map shows it; the texts are already formatted (and masked) by the caller."""

    case_id: int
    lat: float | None
    lon: float | None
    agent: int  # index into the legend
    case_no: str
    agent_name: str
    when: str  # local time, e.g. "14:05"
    outcome: str


@dataclass(frozen=True, slots=True)
class TeamMapLabels:
    empty: str = "No visits with a map position"


@dataclass(frozen=True, slots=True)
class TeamMapPage:
    html: str
    shown: int
    skipped_ids: tuple[int, ...]


def build_team_map(visits: Sequence[TeamVisit], agents: Sequence[str], *, assets: WebAssets,
                   tiles: PageTiles | None = None, labels: TeamMapLabels | None = None,
                   generation: int = 0) -> TeamMapPage:
    """`agents` are the legend's names in colour order (agent index i → agent_colour(i))."""
    labels = labels or TeamMapLabels()
    project = DisplayProjection(tiles)
    rows: list[list[object]] = []
    skipped: list[int] = []
    lats: list[float] = []
    lons: list[float] = []
    for v in visits:
        if not valid_position(v.lat, v.lon):
            skipped.append(int(v.case_id))
            continue
        lat, lon = project(float(v.lat), float(v.lon))  # type: ignore[arg-type]
        lats.append(lat)
        lons.append(lon)
        rows.append([int(v.case_id), lat, lon, agent_colour(v.agent), clip(v.case_no, 64), clip(v.agent_name, 100),
                     clip(v.when, 32), clip(v.outcome, 100), int(v.agent)])
    bounds = [[min(lats), min(lons)], [max(lats), max(lons)]] if rows else None
    center = ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2) if rows else None
    if center is not None and not all(math.isfinite(c) for c in center):
        center = None
    m = base_map(assets, tiles, center=center)
    legend = [["ds-agent", clip(name, 100), agent_colour(i)] for i, name in enumerate(agents)]
    name = m.get_name()
    data = PageData()
    code = "\n".join([
        call(data, "init", {"generation": int(generation), "bounds": bounds, "legend": legend, "fitMaxZoom": 15,
                            "emptyText": None if rows else labels.empty}, raw=(name,)),
        call(data, "showTeam", rows, raw=(name,)),
        "doorstep.connect();",
    ])
    add_script(m, assets, code)
    return TeamMapPage(html=render(m, data), shown=len(rows), skipped_ids=tuple(skipped))
