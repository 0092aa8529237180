"""The Map and Day route pages load their (heavy) views on first visit, not at start."""

from __future__ import annotations

import sys
from typing import Any

from app.ui.main_window import PAGE_MAP, PAGE_ROUTE


def test_map_page_embeds_the_case_map_on_first_visit(window: Any, qtbot: Any) -> None:
    from app.ui.placeholder_page import PlaceholderPage

    assert isinstance(window.map_page, PlaceholderPage)
    window.show_page(PAGE_MAP)
    qtbot.waitUntil(lambda: type(window.map_page).__name__ == "CaseMapView", timeout=10_000)
    view = window.map_page
    assert window.stack.currentWidget() is view
    with qtbot.waitSignal(view.loaded, timeout=60_000):
        pass
    # a click on a marker selects the case in the list
    target = window.cases.model.case_id_at(5)
    view.caseClicked.emit(target)
    assert window.stack.currentWidget() is window.cases
    assert window.cases.list.selected_case == target


def test_route_page_embeds_the_planner_on_first_visit(window: Any, qtbot: Any, ctx: Any) -> None:
    assert "app.ui.route_view" not in sys.modules or window.route_page.__class__.__name__ != "RouteView"
    window.show_page(PAGE_ROUTE)
    qtbot.waitUntil(lambda: type(window.route_page).__name__ == "RouteView", timeout=10_000)
    assert window.stack.currentWidget() is window.route_page
