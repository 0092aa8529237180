"""The Route room works a day for the demo agent: the standing partner is filled in, the left-out
cases are counted by reason with a one-click fix, and a map without tiles says how to get them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6

from app.maps.tilesource import TileSource
from app.routing.model import SkipReason
from app.services.dayplan import load_day_plan, standing_partner
from app.services.dayskips import SkipGroup
from app.sync.engine import remember_partner
from app.ui.main_window import PAGE_ROUTE
from app.ui.map_view import RouteMapView
from app.ui.route_view import RouteView
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import sql

TIMEOUT = 60_000


def _agent(store: Any, username: str = "agent01") -> int:
    return int(sql(store, "SELECT id FROM agents WHERE username = :u", u=username)[0][0])


@pytest.fixture
def agent_ctx(ctx: Any) -> Any:
    """The window's context signed in as the demo's agent01 (partner: agent02, 李娜)."""
    ctx.agent_id = _agent(ctx.store)
    return ctx


@pytest.fixture
def make_route(qtbot: Any, agent_ctx: Any) -> Iterator[Any]:
    made: list[RouteView] = []

    def make(**kw: Any) -> RouteView:
        view = RouteView(ctx=agent_ctx, agent_id=agent_ctx.agent_id, day=DEMO_TODAY, **kw)
        view.resize(1400, 820)
        view.show()
        made.append(view)
        return view

    yield make
    for view in made:
        qtbot.waitUntil(lambda v=view: not v._busy and v.map.is_loaded, timeout=TIMEOUT)
        view.close()
        shiboken6.delete(view)


def _ready(qtbot: Any, view: RouteView) -> None:
    """The saved plan and the standing partner have both been read."""
    qtbot.waitUntil(lambda: not view._busy and not any(view.skips._waiting.values()), timeout=TIMEOUT)


def _plan(qtbot: Any, view: RouteView, action: Any) -> Any:
    with qtbot.waitSignal(view.planChanged, timeout=TIMEOUT, check_params_cb=lambda p: p is not None) as got:
        action()
    qtbot.waitUntil(lambda: not view._busy, timeout=TIMEOUT)
    return got.args[0]


def _reasons(day_plan: Any) -> list[SkipReason]:
    return [k.reason for k in day_plan.plan.skipped]


def test_the_route_room_in_the_window_starts_with_the_partner_and_plans_the_day(
        agent_ctx: Any, window: Any, qtbot: Any) -> None:
    window.show_page(PAGE_ROUTE)
    qtbot.waitUntil(lambda: isinstance(window.route_page, RouteView), timeout=10_000)
    view: RouteView = window.route_page
    qtbot.waitUntil(lambda: view.partner_edit.text() == "李娜", timeout=TIMEOUT)
    assert "李娜" in view.partner_edit.toolTip()
    day = _plan(qtbot, view, view.plan_button.click)
    assert len(day.plan.stops) >= 5 and view.model.rowCount() == len(day.plan.stops)
    assert SkipReason.NEEDS_PARTNER not in _reasons(day)
    assert day.options.partner == "李娜"
    qtbot.waitUntil(lambda: not view._busy and view.map.is_loaded, timeout=TIMEOUT)


def test_summary_counts_by_reason_and_the_partner_fix_plans_the_visits(
        make_route: Any, agent_ctx: Any, qtbot: Any, tmp_path: Path) -> None:
    view = make_route()
    _ready(qtbot, view)
    assert view.partner_edit.text() == "李娜"
    view.partner_edit.clear()  # the agent goes alone today
    alone = _plan(qtbot, view, view.plan_day)
    skipped = _reasons(alone)
    need = skipped.count(SkipReason.NEEDS_PARTNER)
    assert need > 0 and len(alone.plan.stops) < need
    assert view.skips.isVisible() and view.skips.summary is not None
    assert view.skips.summary.total == len(skipped) == view.skipped.count()
    assert view.skips.summary.get(SkipGroup.PARTNER).count == need  # type: ignore[union-attr]
    text = view.skips.label.text()
    assert text.startswith(f"{len(skipped)} not planned: ") and f"{need} without a partner" in text
    counts = [g.count for g in view.skips.summary.groups]
    assert counts == sorted(counts, reverse=True) and sum(counts) == len(skipped)
    button = view.skips.buttons[SkipGroup.PARTNER]
    assert button.text() == "Plan with 李娜 (standing partner)"
    assert view.grab().save(str(tmp_path / "route-skips-en.png"))

    paired = _plan(qtbot, view, button.click)
    assert view.partner_edit.text() == "李娜" and paired.options.partner == "李娜"
    assert SkipReason.NEEDS_PARTNER not in _reasons(paired)
    assert len(paired.plan.stops) > len(alone.plan.stops)
    assert SkipGroup.PARTNER not in view.skips.buttons

    # a partner for the day changes that day only, not the standing pair
    view.partner_edit.setText("王强")
    _plan(qtbot, view, view.reoptimise)
    assert standing_partner(agent_ctx.store, agent_ctx.agent_id).username == "agent02"  # type: ignore[union-attr]
    again = make_route()
    _ready(qtbot, again)
    assert again.partner_edit.text() == "王强"  # the saved day keeps its own partner


def test_a_full_day_is_fixed_by_ending_it_later(make_route: Any, agent_ctx: Any, qtbot: Any) -> None:
    view = make_route()
    _ready(qtbot, view)
    day = _plan(qtbot, view, view.plan_day)
    full = view.skips.summary.get(SkipGroup.DAY_FULL)  # type: ignore[union-attr]
    assert full is not None and full.fix_value == 20 * 3600, view.skips.label.text()
    button = view.skips.buttons[SkipGroup.DAY_FULL]
    assert button.text() == "Work until 20:00"
    later = _plan(qtbot, view, button.click)
    assert later.options.day_end_s == 20 * 3600 and later.plan.return_s > day.options.day_end_s - 3600
    assert len(later.plan.stops) > len(day.plan.stops)
    saved = load_day_plan(agent_ctx.store, agent_ctx.agent_id, DEMO_TODAY)
    assert saved is not None and saved.options.day_end_s == 20 * 3600 and saved.options.partner == "李娜"


def test_without_a_standing_partner_the_fix_puts_the_cursor_in_the_partner_field(
        make_route: Any, agent_ctx: Any, qtbot: Any) -> None:
    with agent_ctx.store.write() as session:
        remember_partner(session, agent_ctx.agent_id, None)  # head office has no pair for agent01
    view = make_route()
    _ready(qtbot, view)
    assert view.partner_edit.text() == "" and view.skips.standing is None
    _plan(qtbot, view, view.plan_day)
    button = view.skips.buttons[SkipGroup.PARTNER]
    assert button.text() == "Enter a partner"
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=10_000)
    button.click()
    qtbot.waitUntil(view.partner_edit.hasFocus, timeout=10_000)
    assert not view._busy  # nothing re-planned until a partner is typed


def test_the_chinese_route_room(make_route: Any, translations: Any, qtbot: Any, tmp_path: Path) -> None:
    translations.apply("zh_CN")
    view = make_route()
    _ready(qtbot, view)
    view.partner_edit.clear()
    _plan(qtbot, view, view.plan_day)
    text = view.skips.label.text()
    assert "未排入" in text and "需要搭档" in text, text
    assert "李娜" in view.skips.buttons[SkipGroup.PARTNER].text()
    qtbot.waitUntil(lambda: view.map.is_loaded, timeout=TIMEOUT)
    assert view.map.tiles_note.isVisible() and "map-prefetch" in view.map.tiles_note.text()
    assert "设置" in view.map.tiles_note.text()
    assert view.grab().save(str(tmp_path / "route-skips-zh.png"))


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_empty_map_says_why_and_how_to_get_tiles(qtbot: Any, tmp_path: Path) -> None:
    plain = RouteMapView(cache_dir=tmp_path / "a")
    qtbot.addWidget(plain)
    plain.resize(600, 400)
    plain.show()
    with qtbot.waitSignal(plain.loaded, timeout=TIMEOUT):
        plain.set_route([], None)
    assert plain.tiles_note.isVisible() and plain.tiles_note.reason == "no_source"
    assert "No map tiles saved for this area" in plain.tiles_note.text()
    assert "python -m app map-prefetch --tile-url URL --agent USERNAME" in plain.tiles_note.text()
    assert "Settings" in plain.tiles_note.text()

    # a source that cannot be reached and nothing saved for the area: the note says so
    source = TileSource(f"http://127.0.0.1:{_dead_port()}/{{z}}/{{x}}/{{y}}.png", name="nowhere")
    offline = RouteMapView(cache_dir=tmp_path / "b", tile_source=source)
    qtbot.addWidget(offline)
    offline.resize(600, 400)
    offline.show()
    assert not offline.tiles_note.isVisible()
    with qtbot.waitSignal(offline.tileProblem, timeout=TIMEOUT):
        offline.set_route([], None)
    qtbot.waitUntil(offline.tiles_note.isVisible, timeout=10_000)
    assert offline.tiles_note.reason == "nothing_saved" and "cannot be reached" in offline.tiles_note.text()
    offline.set_tile_source(None)
    assert offline.tiles_note.reason == "no_source"
    for view in (plain, offline):
        view.shutdown()


def test_why_two_collectors_are_needed_reads_in_chinese(translations: Any) -> None:
    from app.ui.labels import skip_reason

    translations.apply("zh_CN")
    line = skip_reason("needs_partner", "profile CN asks for 2 collectors at a home visit", "fallback")
    assert "合规配置 CN" in line and "2 名催收员" in line and "profile" not in line
    note = skip_reason("needs_partner", "a safety note asks for two collectors", "fallback")
    assert "安全提示" in note and "safety" not in note
    assert skip_reason("needs_partner", "something new", "fallback").endswith("(something new)")
