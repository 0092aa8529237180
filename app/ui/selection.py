"""Selecting a table's row from code."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableView


def select_only_row(table: QTableView, row: int) -> None:
    """Select exactly this row (and make it current). Not `QTableView.selectRow`: that follows the keyboard
    modifiers Qt believes are held at the moment (Ctrl toggles, Shift extends), and after a shortcut pressed
    elsewhere it can still see them, so the row was deselected or a range selected instead."""
    index = table.model().index(row, 0)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().setCurrentIndex(index, flags)
