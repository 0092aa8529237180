"""The case list paints its rows in one call (CaseTableView) exactly as the per-cell delegate paints them,
and PySide's import check, made cheaper at launch, gives PySide's own answers."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage

from app.store.queries import CaseQuery
from app.ui.case_list import CaseListView
from app.ui.case_model import (
    COL_CASE_NO,
    COL_DEBTOR,
    CaseRowDelegate,
    CaseTableModel,
    CaseTableView,
    sql_first,
)

from .conftest import pick_case


def _grab(view: CaseListView) -> QImage:
    QCoreApplication.processEvents()
    return view.table.viewport().grab().toImage()


def _per_cell(view: CaseListView, selected_row: int) -> QImage:
    """The same viewport painted the way a plain QTableView paints: cell by cell through the delegate."""
    delegate = CaseRowDelegate(view.model, view.table)
    delegate.selected_row = selected_row
    view.table.setItemDelegate(delegate)  # not the view's own painter: CaseTableView paints as any table
    try:
        return _grab(view)
    finally:
        view.table.setItemDelegate(view.table.rows)


def _list(ctx: Any, app_settings: Any, qtbot: Any, query: CaseQuery | None = None) -> CaseListView:
    model = CaseTableModel(ctx.store, ctx.runner, ctx.today, first_source=sql_first)
    view = CaseListView(model, app_settings, "paint-test")
    qtbot.addWidget(view)
    view.resize(1100, 520)
    view.show()
    if query is not None:
        model.query = query
    with qtbot.waitSignal(view.listReady, timeout=10_000):
        view.start()
    return view


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_rows_painted_in_one_call_match_the_cell_by_cell_paint(lang: str, ctx: Any, app_settings: Any, qtbot: Any,
                                                               translations: Any) -> None:
    translations.apply(lang)
    view = _list(ctx, app_settings, qtbot)
    assert isinstance(view.table, CaseTableView)
    # a selected row, safety icons and late promises somewhere on screen, the grid, alternate rows
    view.select_case(view.model.case_id_at(3))
    for scroll in (0, 137, view.table.verticalScrollBar().maximum()):
        view.table.verticalScrollBar().setValue(scroll)
        ours = _grab(view)
        assert not ours.isNull()
        assert ours == _per_cell(view, view.table.rows.selected_row), f"differs at scroll {scroll}"
    view.close()


def test_moved_hidden_and_scrolled_columns_paint_as_the_table_does(ctx: Any, app_settings: Any, qtbot: Any) -> None:
    view = _list(ctx, app_settings, qtbot)
    header = view.table.horizontalHeader()
    header.moveSection(header.visualIndex(COL_DEBTOR), 0)
    header.hideSection(COL_CASE_NO)
    view.resize(600, 400)
    view.table.horizontalScrollBar().setValue(view.table.horizontalScrollBar().maximum() // 2)
    view.table.verticalScrollBar().setValue(55)
    view.select_case(view.model.case_id_at(60))
    assert _grab(view) == _per_cell(view, view.table.rows.selected_row)
    view.close()


def test_a_short_list_leaves_the_rest_of_the_viewport_empty(ctx: Any, app_settings: Any, qtbot: Any) -> None:
    one = pick_case(ctx.store)
    view = _list(ctx, app_settings, qtbot, CaseQuery(case_ids=(one,)))
    assert view.model.rowCount() == 1
    assert _grab(view) == _per_cell(view, -1)
    view.close()


def test_the_cheaper_import_check_answers_as_pyside_does(qapp: Any) -> None:
    from app.ui import import_hook

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not hasattr(feature, "_mod_uses_pyside"):  # a PySide without that check (not 6.11)
        assert import_hook.install() is False  # nothing to replace: the hook stays out of the way
        return
    original = feature._mod_uses_pyside
    while getattr(original, "_doorstep_fast", False):  # installed already (a launch in this process)
        original = original.__closure__[0].cell_contents  # type: ignore[union-attr]
    fast = import_hook.fast_check(original)
    modules = [m for m in list(sys.modules.values()) if m is not None][:400]
    assert any(fast(m) for m in modules) and not all(fast(m) for m in modules)
    for module in modules:
        assert fast(module) == original(module), getattr(module, "__name__", module)
    assert import_hook.install() and import_hook.install()  # once, then a no-op
