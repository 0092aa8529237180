"""The Assign room's map: the listed cases coloured by agent, a ring on those whose assignment is
pending, and (with `draw`) a rectangle/lasso tool whose corners come over the page's bridge and are
validated here before the room sees them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QWidget

from app.maps.assets import WebAssets
from app.maps.assignmap import AssignMapCase, AssignMapLabels, build_assign_map
from app.maps.page import PageTiles
from app.maps.tilesource import TileSource
from app.services import assigning

from .map_view import MapBridge, MapPage


class AssignBridge(MapBridge):
    """The page's bridge, with the area tool's corners (JSON text, validated by the window)."""

    area = Signal(str)

    @Slot(str)
    def areaDrawn(self, corners: str) -> None:
        self.area.emit(str(corners)[:200_000])


class AssignMapView(MapPage):
    """Cases coloured by agent; with `draw`, a rectangle/lasso tool whose area arrives as `areaDrawn`."""

    areaDrawn = Signal(list)  # [(lat, lon), …] validated, in WGS-84 positions' datum of the page
    areaRefused = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, cache_dir: Any, tile_source: TileSource | None = None,
                 runner: Any = None, draw: bool = True) -> None:
        super().__init__(parent, cache_dir=cache_dir, tile_source=tile_source, runner=runner, page_stem="assign")
        self.draw = draw
        self.tile_source = tile_source
        # The page sees one object called "bridge": ours, with the area slot besides the usual ones.
        self.channel.deregisterObject(self.bridge)
        self.bridge.deleteLater()
        self.bridge = AssignBridge(self)
        self.channel.registerObject("bridge", self.bridge)
        self.bridge.clicked.connect(self.caseClicked)
        self.bridge.ready.connect(self._on_page_ready)
        self.bridge.area.connect(self._area)
        self._rows: tuple[AssignMapCase, ...] = ()
        self._agents: tuple[str, ...] = ()
        self.shown = 0
        self.ring_label = self.tr("Assignment pending")  # what a ringed dot means on this map
        self.armed: str | None = None  # the area tool stays armed across rebuilds until an area is drawn
        self._in_flight = False  # a page build or load is under way
        self._dirty = False  # new rows arrived meanwhile
        self.loaded.connect(self._rearm)
        self.loaded.connect(self._settled)
        self.failed.connect(self._settled)

    def labels(self) -> AssignMapLabels:
        return AssignMapLabels(empty=self.tr("No cases with a map position"), unassigned=self.tr("Unassigned"),
                               rectangle=self.tr("Rectangle"), lasso=self.tr("Lasso"), clear=self.tr("Clear"),
                               hint=self.tr("Drag on the map to draw the area"), pending=self.ring_label)

    def set_cases(self, rows: Sequence[AssignMapCase], agents: Sequence[str]) -> None:
        self._rows, self._agents = tuple(rows), tuple(agents)
        if self._in_flight:
            self._dirty = True  # built once the page in flight has loaded: two builds at once could
            return              # finish out of order and one delete the other's page file
        self.rebuild()

    def _settled(self, *_args: object) -> None:
        self._in_flight = False
        if self._dirty:
            self.rebuild()

    def rebuild(self) -> None:
        self._in_flight, self._dirty = True, False
        rows, agents, labels, draw = self._rows, self._agents, self.labels(), self.draw

        def build(assets: WebAssets, tiles: PageTiles | None, generation: int) -> str:
            page = build_assign_map(rows, agents, assets=assets, tiles=tiles, labels=labels, draw=draw,
                                    generation=generation)
            return page.html

        self.shown = sum(1 for r in rows if r.lat is not None and r.lon is not None)
        self._submit(build)

    def start_draw(self, mode: str = "rect") -> None:
        self.armed = mode if mode in ("rect", "lasso") else "rect"
        self.run_js(f"doorstepAssign.startDraw({json.dumps(self.armed)});")

    def _rearm(self) -> None:
        if self.armed is not None:
            self.run_js(f"doorstepAssign.startDraw({json.dumps(self.armed)});")

    def gcj(self) -> bool:
        return self.tile_source is not None and self.tile_source.crs == "GCJ02"

    def _area(self, corners: str) -> None:
        self.armed = None
        try:
            points = assigning.validate_area(json.loads(corners))
        except (ValueError, assigning.AssignError) as exc:
            self.areaRefused.emit(str(exc))
            return
        self.areaDrawn.emit(points)
