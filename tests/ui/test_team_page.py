"""The Team room (app/ui/team_page.py): the team's day per agent, the saved figures with their age
when head office cannot be reached, the day picker, and the team map (colours per agent, text-only
popups). The live path against a real head office is in tests/integration/test_supervisor_approval_e2e.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QDate

from app.contract import v1
from app.services.team import TeamDay, cached_team_day, save_team_day
from tests.conftest import DEMO_TODAY

HOSTILE = "<img src=x onerror=alert(1)>王伟 ${x} `tick` \u202e" + "长" * 300


def _agent(agent_id: int, name: str, *, visits: list[v1.VisitPoint] | None = None, **kw: Any) -> v1.AgentDay:
    base: dict[str, Any] = {"agent_id": agent_id, "username": f"agent0{agent_id}", "display_name": name,
                            "planned_visits": 8, "done_visits": 5, "outcomes": {"not_home": 3, "promise_to_pay": 2},
                            "promises_due": 1, "collected_fen": 123_456, "safety_events": 0, "flagged": 0}
    base.update(kw)
    return v1.AgentDay(visits=visits or [], **base)


def _reply(day: date, clock_at: datetime, case_ids: list[int]) -> v1.TeamTodayResponse:
    visits = [v1.VisitPoint(case_id=case_ids[0], lat=30.66, lon=104.06, at=clock_at - timedelta(hours=2),
                            outcome="not_home"),
              v1.VisitPoint(case_id=case_ids[1], lat=30.60, lon=104.10, at=clock_at - timedelta(hours=1),
                            outcome="promise_to_pay"),
              v1.VisitPoint(case_id=case_ids[2], lat=None, lon=None, at=clock_at, outcome="refused")]
    return v1.TeamTodayResponse(day=day, agents=[
        _agent(1, "张三", visits=visits[:2], last_sync_at=clock_at - timedelta(hours=3)),
        _agent(2, HOSTILE, visits=visits[2:], last_sync_at=None, collected_fen=0, safety_events=2, flagged=1,
               outcomes={"refused": 1}),
    ])


def _case_ids(ctx: Any) -> list[int]:
    from tests.ui.conftest import sql

    return [int(r[0]) for r in sql(ctx.store, "SELECT id FROM cases ORDER BY id LIMIT 3")]


@pytest.fixture
def made(ctx: Any) -> Iterator[list[Any]]:
    pages: list[Any] = []
    yield pages
    for page in pages:  # now, while the QApplication is alive: the web page goes before its profile
        if page.map_view is not None:
            page.map_view.shutdown()
        shiboken6.delete(page)


def _page(qtbot: Any, ctx: Any, sync: Any, made: list[Any]) -> Any:
    from app.ui.team_page import TeamPage

    page = TeamPage(ctx, sync)
    page.resize(1300, 850)
    made.append(page)
    return page


def test_offline_shows_the_saved_figures_with_their_age(qtbot: Any, ctx: Any, unreachable_sync: Any, made: list[Any],
                                                        translations: Any) -> None:
    from app.ui.case_model import format_fen

    now = ctx.now()
    ids = _case_ids(ctx)
    save_team_day(ctx.store, TeamDay(_reply(DEMO_TODAY, now, ids), now - timedelta(hours=3, minutes=5)))
    page = _page(qtbot, ctx, unreachable_sync, made)
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert page.live is False and page.shown is not None
    assert "3 h ago" in page.status.text() and "Not updated: head office cannot be reached." in page.status.text()
    m = page.model
    assert m.index(0, 0).data() == "张三 (agent01)"
    assert m.index(0, 1).data().endswith("(3 h ago)")
    assert m.index(0, 2).data() == "8" and m.index(0, 3).data() == "5"
    assert m.index(0, 4).data() == "Not at home 3 · Promise to pay 2"
    assert m.index(0, 6).data() == format_fen(123_456) == "¥1,234.56"
    assert m.index(1, 1).data() == "never"
    assert m.index(1, 0).data().startswith(HOSTILE[:20])  # shown as given: item views render plain text
    assert "10 visit(s) done, 16 planned" in page.totals_label.text()
    assert "¥1,234.56 collected" in page.totals_label.text()
    assert "2 visit(s) on the map; 1 without a position" in page.map_note.text()
    assert page.refresh_button.isEnabled()


def test_no_saved_figures_says_so_and_the_day_picker_reloads(qtbot: Any, ctx: Any, unreachable_sync: Any, made: list[Any],
                                                             translations: Any) -> None:
    now = ctx.now()
    ids = _case_ids(ctx)
    yesterday = DEMO_TODAY - timedelta(days=1)
    save_team_day(ctx.store, TeamDay(_reply(yesterday, now - timedelta(days=1), ids), now - timedelta(days=1)))
    page = _page(qtbot, ctx, unreachable_sync, made)
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()
    qtbot.waitUntil(lambda: "No figures saved for this day yet" in page.status.text(), timeout=10_000)
    assert page.model.rowCount() == 0
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.day_edit.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert page.shown is not None and page.shown.day == yesterday
    assert "24 h ago" in page.status.text()
    # Tomorrow cannot be chosen.
    assert page.day_edit.maximumDate() == QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day)


def test_without_a_head_office_the_room_still_opens(qtbot: Any, ctx: Any, translations: Any, made: list[Any]) -> None:
    from app.ui.sync_controller import NoHeadOffice

    page = _page(qtbot, ctx, NoHeadOffice(), made)
    with qtbot.waitSignal(page.fetchFailed, timeout=10_000) as blocker:
        page.show()
    assert "No head office" in blocker.args[0]
    qtbot.waitUntil(lambda: "No figures saved" in page.status.text(), timeout=10_000)


def test_showing_the_room_again_asks_head_office_again(qtbot: Any, ctx: Any, unreachable_sync: Any,
                                                      translations: Any, made: list[Any]) -> None:
    page = _page(qtbot, ctx, unreachable_sync, made)
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()
    assert page.timer.isActive()  # auto refresh while on screen
    page.hide()
    assert not page.timer.isActive()
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()  # nothing fresh was fetched: shown again, it asks again
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.refresh_button.click()


def test_team_model_passes_the_model_tester(qtbot: Any, qtmodeltester: Any) -> None:
    from app.ui.team_page import TeamModel

    now = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    model = TeamModel()
    model.set_agents(list(_reply(DEMO_TODAY, now, [1, 2, 3]).agents), now)
    qtmodeltester.check(model)


def test_saved_figures_survive_a_damaged_copy(store: Any) -> None:
    from app.store.syncstate import set_state

    with store.write() as session:
        set_state(session, "team_day_cache", json.dumps({DEMO_TODAY.isoformat(): {"reply": {"day": "x"}}}))
    assert cached_team_day(store, DEMO_TODAY) is None
    with store.write() as session:
        set_state(session, "team_day_cache", "{not json")
    assert cached_team_day(store, DEMO_TODAY) is None
    now = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    for back in range(20):  # only the last 14 days are kept
        day = DEMO_TODAY - timedelta(days=back)
        save_team_day(store, TeamDay(v1.TeamTodayResponse(day=day, agents=[]), now))
    assert cached_team_day(store, DEMO_TODAY) is not None
    assert cached_team_day(store, DEMO_TODAY - timedelta(days=13)) is not None
    assert cached_team_day(store, DEMO_TODAY - timedelta(days=14)) is None


def _js(qtbot: Any, view: Any, code: str) -> Any:
    box: list[Any] = []
    view.web_view.page().runJavaScript(f"JSON.stringify({code})", 0, box.append)
    qtbot.waitUntil(lambda: len(box) > 0, timeout=10_000)
    return json.loads(box[0]) if box[0] else None


def test_team_map_colours_per_agent_and_text_only_popups(qtbot: Any, ctx: Any, unreachable_sync: Any, made: list[Any],
                                                         translations: Any, tmp_path: Path) -> None:
    from app.maps.teammap import agent_colour

    now = ctx.now()
    ids = _case_ids(ctx)
    reply = _reply(DEMO_TODAY, now, ids)
    # Agent 2's visit gets a position too, so both colours are on the map.
    a2 = reply.agents[1].model_copy(update={"visits": [v1.VisitPoint(case_id=ids[2], lat=30.70, lon=104.00, at=now,
                                                                     outcome="refused")]})
    reply = reply.model_copy(update={"agents": [reply.agents[0], a2]})
    save_team_day(ctx.store, TeamDay(reply, now - timedelta(minutes=10)))
    page = _page(qtbot, ctx, unreachable_sync, made)
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=20_000)
    view = page.map_view
    assert view is not None
    qtbot.waitUntil(lambda: view.is_loaded and _js(qtbot, view, "Object.keys(doorstep.markers).length") == 3,
                    timeout=60_000)
    colours = _js(qtbot, view, "Object.values(doorstep.markers).map(function (m) { return m.options.fillColor; })")
    assert sorted(set(colours)) == sorted({agent_colour(0), agent_colour(1)})
    legend = _js(qtbot, view, "Array.from(document.querySelectorAll('.ds-legend-text')).map(function (e) "
                              "{ return e.textContent; })")
    assert legend[0] == "张三" and legend[1].startswith(HOSTILE[:20])
    assert _js(qtbot, view, "document.querySelectorAll('img').length") == 0  # the name's markup stayed text
    _js(qtbot, view, f"doorstep.markers[{ids[2]}].openPopup() && 1")
    popup = _js(qtbot, view, "document.querySelector('.ds-popup').textContent")
    assert "<img" in popup and "Refused to pay" in popup
    assert _js(qtbot, view, "document.querySelectorAll('.ds-popup img').length") == 0
    # Selecting an agent's row brings their visits forward and fades the others.
    page.select_row(1)
    qtbot.waitUntil(lambda: _js(qtbot, view, f"doorstep.markers[{ids[0]}].options.fillOpacity") == 0.15,
                    timeout=10_000)
    assert _js(qtbot, view, f"doorstep.markers[{ids[2]}].options.fillOpacity") == 0.95
    page.table.clearSelection()
    qtbot.waitUntil(lambda: _js(qtbot, view, f"doorstep.markers[{ids[0]}].options.fillOpacity") == 0.95,
                    timeout=10_000)
    with qtbot.waitSignal(page.caseActivated, timeout=10_000) as blocker:
        _js(qtbot, view, f"doorstep.markers[{ids[0]}].fire('click') && 1")
    assert blocker.args == [ids[0]]


def _demo_team(ctx: Any) -> v1.TeamTodayResponse:
    """Six agents' day over real demo cases and their home positions."""
    from tests.ui.conftest import sql

    rows = sql(ctx.store, "SELECT c.id, a.lat, a.lon FROM cases c JOIN addresses a ON a.debtor_id = c.debtor_id "
                          "WHERE a.kind = 'home' AND a.lat IS NOT NULL ORDER BY c.id LIMIT 36")
    now = ctx.now()
    codes = ["not_home", "promise_to_pay", "partial_payment", "refused", "no_answer", "hardship"]
    names = ["王建国", "李娜", "张伟", "刘洋", "陈静", "杨帆"]
    agents = []
    for i, name in enumerate(names):
        mine = rows[i * 6:(i + 1) * 6]
        visits = [v1.VisitPoint(case_id=int(c), lat=float(lat), lon=float(lon),
                                at=now - timedelta(minutes=30 * (k + 1)), outcome=codes[(i + k) % 6])
                  for k, (c, lat, lon) in enumerate(mine[:4 + i % 3])]
        outcomes: dict[str, int] = {}
        for v in visits:
            outcomes[v.outcome] = outcomes.get(v.outcome, 0) + 1
        agents.append(v1.AgentDay(agent_id=i + 1, username=f"agent0{i + 1}", display_name=name,
                                  last_sync_at=now - timedelta(minutes=20 + 70 * i), planned_visits=8,
                                  done_visits=len(visits), outcomes=outcomes, promises_due=i % 3,
                                  collected_fen=[0, 50_000, 1_234_500, 80_000, 0, 260_000][i],
                                  safety_events=1 if i == 3 else 0, flagged=1 if i == 4 else 0, visits=visits))
    return v1.TeamTodayResponse(day=DEMO_TODAY, agents=agents)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_screenshot_of_the_team_room(qtbot: Any, ctx: Any, unreachable_sync: Any, made: list[Any],
                                     translations: Any, tmp_path: Path, lang: str) -> None:
    from PySide6.QtGui import QImage

    translations.apply(lang)
    save_team_day(ctx.store, TeamDay(_demo_team(ctx), ctx.now() - timedelta(minutes=25)))
    page = _page(qtbot, ctx, unreachable_sync, made)
    page.resize(1400, 900)
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=30_000)
    view = page.map_view
    qtbot.waitUntil(lambda: view is not None and view.is_loaded
                    and _js(qtbot, view, "Object.keys(doorstep.markers).length") >= 30, timeout=60_000)
    qtbot.waitUntil(lambda: _js(qtbot, view, "document.querySelectorAll('.leaflet-interactive').length") >= 30,
                    timeout=10_000)
    def colours(image: QImage) -> int:
        return len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)})

    # The web view paints in its own time: wait until the first agent's marker colour is on screen.
    from PySide6.QtGui import QColor

    from app.maps.teammap import agent_colour

    marker = QColor(agent_colour(0)).rgb() & 0xFFFFFF

    def painted() -> bool:
        image = view.grab().toImage()
        return any(image.pixel(x, y) & 0xFFFFFF == marker for x in range(0, image.width(), 2)
                   for y in range(0, image.height(), 2))

    qtbot.waitUntil(painted, timeout=20_000)
    path = tmp_path / f"team-{lang}.png"
    assert page.grab().save(str(path))
    assert colours(QImage(str(path))) > 40, "the screenshot is (nearly) one colour"


def test_the_selected_agent_stays_selected_and_in_front_when_new_figures_arrive(
        qtbot: Any, ctx: Any, unreachable_sync: Any, made: list[Any], translations: Any) -> None:
    now = ctx.now()
    ids = _case_ids(ctx)
    save_team_day(ctx.store, TeamDay(_reply(DEMO_TODAY, now, ids), now - timedelta(minutes=10)))
    page = _page(qtbot, ctx, unreachable_sync, made)
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=20_000)
    page.select_row(1)
    chosen = page.model.agent(1).agent_id
    newer = TeamDay(_reply(DEMO_TODAY, now, ids), now)  # what a refresh brings: the model is reset
    page._show(newer, {}, live=True)
    rows = page.table.selectionModel().selectedRows()
    assert [page.model.agent(r.row()).agent_id for r in rows] == [chosen]
    view = page.map_view
    assert view is not None
    qtbot.waitUntil(lambda: view.is_loaded and _js(qtbot, view, f"doorstep.markers[{ids[0]}] ? "
                    f"doorstep.markers[{ids[0]}].options.fillOpacity : null") == 0.15, timeout=60_000)
