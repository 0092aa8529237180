"""What the screenshot tools share: a fixed clock and saving a widget as a PNG (offscreen)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh_CN")
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Chengdu


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def save(widget: Any, path: Path) -> Path:
    from PySide6.QtWidgets import QApplication

    widget.show()
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    return path
