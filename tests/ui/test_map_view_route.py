"""The route view over a real demo store: plan, lock, reorder, add/remove, survive a restart, download tiles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt

from app.maps.tilecache import tile_cache_path
from app.maps.tilesource import TileSource
from app.ui.route_view import RouteView
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import sql
from tests.unit.test_maps_support import LoopbackTileServer

TIMEOUT = 60_000


def agent_id(ctx: Any, username: str = "agent01") -> int:
    return int(sql(ctx.store, "SELECT id FROM agents WHERE username = :u", u=username)[0][0])


@pytest.fixture
def make_route(qtbot: Any, ctx: Any) -> Iterator[Any]:
    made: list[RouteView] = []

    def make(**kw: Any) -> RouteView:
        view = RouteView(ctx=ctx, agent_id=agent_id(ctx), day=DEMO_TODAY, **kw)
        view.resize(1400, 800)
        view.show()  # closed and deleted below, after its background work has settled
        made.append(view)
        return view

    yield make
    for view in made:
        settle(qtbot, view)
        view.close()
        shiboken6.delete(view)


def settle(qtbot: Any, view: RouteView) -> None:
    """Let background work that still talks to the view finish before the view is deleted."""
    qtbot.waitUntil(lambda: not view._busy and view.map.is_loaded, timeout=TIMEOUT)


def wait_plan(qtbot: Any, view: RouteView, action: Any) -> Any:
    with qtbot.waitSignal(view.planChanged, timeout=TIMEOUT, check_params_cb=lambda p: p is not None) as got:
        action()
    qtbot.waitUntil(lambda: not view._busy, timeout=TIMEOUT)
    return got.args[0]


def js(qtbot: Any, view: RouteView, code: str) -> Any:
    box: list[Any] = []
    view.map.web_view.page().runJavaScript(f"JSON.stringify({code})", 0, box.append)
    qtbot.waitUntil(lambda: len(box) > 0, timeout=10_000)
    return json.loads(box[0]) if box[0] else None


def ids(view: RouteView) -> list[int]:
    return [r.case_id for r in view.model.rows]


def locked(view: RouteView) -> list[int]:
    return [r.case_id for r in view.model.rows if r.locked]


def test_plan_lock_reorder_add_remove_and_restart(qtbot: Any, make_route: Any, ctx: Any, tmp_path: Path,
                                                  qtmodeltester: Any) -> None:
    view = make_route()
    qtbot.waitUntil(lambda: not view._busy, timeout=TIMEOUT)
    assert view.model.rows == []  # nothing saved yet
    view.partner_edit.setText("agent02")  # CN wants two collectors at a home visit
    plan = wait_plan(qtbot, view, view.plan_day)
    assert len(plan.plan.stops) >= 5
    assert ids(view) == [int(s.id) for s in plan.plan.stops]
    assert view.skipped.count() == len(plan.plan.skipped)
    qtmodeltester.check(view.model)
    assert view.model.data(view.model.index(0, view.model.ETA)).count(":") >= 1

    # the map shows the same stops, numbered in order
    qtbot.waitUntil(lambda: view.map.is_loaded and js(qtbot, view, "Object.keys(doorstep.markers).length")
                    == len(ids(view)), timeout=TIMEOUT)
    numbers = js(qtbot, view, "Array.from(document.querySelectorAll('.ds-stop:not(.ds-start) .ds-num'))"
                              ".map(function(e){return e.textContent;})")
    assert sorted(numbers, key=int) == [str(i) for i in range(1, len(ids(view)) + 1)]

    # lock the first three: they stay first, in order
    first3 = ids(view)[:3]
    wait_plan(qtbot, view, lambda: view.model.setData(view.model.index(2, view.model.LOCK),
                                                       Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole))
    assert locked(view) == first3 and ids(view)[:3] == first3

    # drag the fifth stop to the top (through the model's drop, as a drag in the table does)
    fifth = ids(view)[4]
    mime = view.model.mimeData([view.model.index(4, 0)])
    wait_plan(qtbot, view, lambda: view.model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex()))
    assert ids(view)[0] == fifth
    assert locked(view) == [fifth, *first3]  # the lock grows to cover the moved stop's new place

    # remove a free stop, then add it back by case number
    victim = ids(view)[-1]
    wait_plan(qtbot, view, lambda: view.remove_case(victim))
    assert victim not in ids(view)
    case_no = sql(ctx.store, "SELECT case_no FROM cases WHERE id = :i", i=victim)[0][0]
    view.add_edit.setText(case_no)
    wait_plan(qtbot, view, view._add_from_edit)
    assert victim in ids(view) or any(line.startswith(f"{case_no}:") for line in
                                      (view.skipped.item(i).text() for i in range(view.skipped.count())))
    order = ids(view)

    # clicking a stop on the map selects its row
    qtbot.waitUntil(lambda: view.map.is_loaded and js(qtbot, view, "Object.keys(doorstep.markers).length")
                    == len(order), timeout=TIMEOUT)
    target = order[2]
    with qtbot.waitSignal(view.map.caseClicked, timeout=10_000):
        view.map.web_view.page().runJavaScript(f"doorstep.clickCase({target})")
    assert view.table.currentIndex().row() == 2

    # the plan was saved: a new view (an app restart) shows the same day
    again = make_route()
    qtbot.waitUntil(lambda: bool(again.model.rows), timeout=TIMEOUT)
    assert ids(again) == order
    assert locked(again) == locked(view)
    assert again.partner_edit.text() == "agent02"
    view.grab().save(str(tmp_path / "route-view.png"))


def test_no_agent_is_a_message(qtbot: Any, ctx: Any) -> None:
    view = RouteView(ctx=ctx, agent_id=None, day=DEMO_TODAY)
    assert "No agent" in view.status.text()
    assert not view.plan_button.isEnabled()
    settle(qtbot, view)
    view.close()
    shiboken6.delete(view)


def test_download_today_area_with_estimate_progress_and_cache(qtbot: Any, make_route: Any) -> None:
    upstream = LoopbackTileServer()
    source = TileSource(upstream.url_template, name="loopback", attribution="test", max_zoom=14)
    try:
        view = make_route(tile_source=source)
        qtbot.waitUntil(lambda: not view._busy, timeout=TIMEOUT)
        view.partner_edit.setText("agent02")
        wait_plan(qtbot, view, view.plan_day)
        asked: list[str] = []
        view.confirm = lambda text: asked.append(text) or True
        view.download_area()
        qtbot.waitUntil(lambda: view.status.text().startswith("Downloaded"), timeout=TIMEOUT)
        assert asked and "MB" in asked[0] and "zoom levels 10, 11, 12, 13, 14" in asked[0]
        db = sqlite3.connect(tile_cache_path(view.ctx.cache_dir, source))
        n = db.execute("SELECT count(*) FROM tiles").fetchone()[0]
        db.close()
        fetched = int(view.status.text().split()[1])
        # the route map showing the same area also keeps the tiles it draws, in the same file
        assert fetched > 0 and n >= fetched
        # asking again: everything is already here
        view.download_area()
        qtbot.waitUntil(lambda: "already on this device" in view.status.text(), timeout=TIMEOUT)
    finally:
        upstream.stop()
