"""The note a map shows when it has no tiles to draw, instead of a bare grey background.

Two cases: no tile source is set (the map can only show a plain background), or a source is set
but the provider cannot be reached and the offline cache held no tile for the area shown. Both say
how to get tiles: a tile source in Settings, then the Route room's download button or
`python -m app map-prefetch` (app/cli/maps.py), which fills the same cache.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

PREFETCH_COMMAND = "python -m app map-prefetch --tile-url URL --agent USERNAME"


class TilesNote(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("background:#e8eef5;color:#23364d;padding:6px 8px;border-bottom:1px solid #b8c6d6;")
        self.reason = ""  # "no_source" | "nothing_saved" | "" (hidden)
        self.hide()

    def no_source(self) -> None:
        self._show("no_source", self.tr(
            "No map tiles saved for this area — no tile source is set, so the map shows a plain background. "
            "Set a tile source in Settings, then use “Download the map for today's area” in the Route room "
            "or run %1.").replace("%1", PREFETCH_COMMAND))

    def nothing_saved(self) -> None:
        self._show("nothing_saved", self.tr(
            "No map tiles saved for this area, and the tile server cannot be reached. When online, use "
            "“Download the map for today's area” in the Route room or run %1.").replace("%1", PREFETCH_COMMAND))

    def clear(self) -> None:
        self.reason = ""
        self.hide()

    def _show(self, reason: str, text: str) -> None:
        self.reason = reason
        self.setText(text)
        self.show()
