"""Guards the PySide6 pin: 6.12.0 on Python 3.11 aborts ("none_dealloc") after a few thousand setItem calls."""

from __future__ import annotations

from typing import Any

import PySide6
from PySide6.QtGui import QStandardItem, QStandardItemModel


def test_pyside_version_is_the_pinned_series() -> None:
    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    assert (major, minor) == (6, 11), f"PySide6 {PySide6.__version__} is outside the pinned 6.11 series"


def test_many_set_item_calls_do_not_crash(qapp: Any) -> None:
    model = QStandardItemModel(500, 8)
    for round_ in range(2):
        for row in range(500):
            for col in range(8):
                model.setItem(row, col, QStandardItem(f"{round_}-{row}-{col}"))
    assert model.item(499, 7).text() == "1-499-7"
    assert model.rowCount() == 500
