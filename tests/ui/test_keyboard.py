"""Keyboard first: pages, search, list, detail and the outcome dialog are reachable without a mouse."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui.main_window import PAGE_CASES, PAGE_SYNC, PAGE_TODAY


def key(qtbot: Any, key_: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget() or QApplication.activeWindow()
    qtbot.keyClick(target, key_, modifier)


def test_the_workspace_is_driven_from_the_keyboard(window: Any, qtbot: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentIndex() == PAGE_TODAY
    key(qtbot, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentIndex() == PAGE_SYNC
    key(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Find goes to the case list
    assert window.stack.currentIndex() == PAGE_CASES
    assert QApplication.focusWidget() is window.cases.list.filters.search
    with qtbot.waitSignal(window.cases.list.listReady, timeout=10_000):
        for ch in "CD26":
            key(qtbot, ch)
    key(qtbot, Qt.Key.Key_F6)  # to the list
    assert QApplication.focusWidget() is window.cases.list.table
    with qtbot.waitSignal(window.cases.detail.loaded, timeout=10_000):
        key(qtbot, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.cases.dialogOpened, timeout=5_000) as opened:
        key(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    assert dialog.isVisible() and QApplication.activeModalWidget() is dialog
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_every_field_of_the_outcome_dialog_has_a_mnemonic_label(window: Any, qtbot: Any) -> None:
    with qtbot.waitSignal(window.cases.detail.loaded, timeout=10_000):
        window.cases.list.select_case(window.cases.model.case_id_at(0))
    dialog = window.cases.record_outcome()
    from PySide6.QtWidgets import QLabel

    labels = [w for w in dialog.findChildren(QLabel) if w.buddy() is not None]
    assert len(labels) >= 8
    assert all("&" in label.text() for label in labels if label.text() and not label.text().startswith(("Promised",
               "Amount", "Payment", "Receipt", "New", "Hardship", "Proposed", "Relief", "What", "Who")))
    dialog.reject()
