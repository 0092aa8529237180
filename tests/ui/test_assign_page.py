"""The supervisor's Assign room in the window: shown only to a supervisor, assigning, pending, preview."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest


@pytest.fixture
def supervisor_window(ctx: Any, app_settings: Any, translations: Any, qtbot: Any) -> Any:
    from app.ui.main_window import MainWindow

    win = MainWindow(app_settings, translations)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    with qtbot.waitSignal(win.caseListReady, timeout=20_000):
        win.attach(replace(ctx, actor="super01"))
    yield win
    win.close()


def test_rooms_hidden_for_an_agent(window: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: not window.ctx.runner.busy, timeout=10_000)  # the role check has answered
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "Assign" not in titles and "Team" not in titles and "Approvals" not in titles
    assert window.supervisor_pages == []


def test_rooms_shown_for_a_supervisor(supervisor_window: Any, qtbot: Any) -> None:
    win = supervisor_window
    qtbot.waitUntil(lambda: win.nav.count() == 9, timeout=10_000)
    titles = [win.nav.item(i).text() for i in range(6, 9)]
    assert titles == ["Assign", "Team", "Approvals"]


@pytest.fixture
def assign_page(supervisor_window: Any, qtbot: Any) -> Any:
    win = supervisor_window
    qtbot.waitUntil(lambda: win.nav.count() == 9, timeout=10_000)
    win.show_page(6)
    qtbot.waitUntil(lambda: type(win.stack.currentWidget()).__name__ == "AssignPage", timeout=10_000)
    page = win.stack.currentWidget()
    qtbot.waitUntil(lambda: page.context is not None and page.model.loaded_once, timeout=20_000)
    return page


def agent_cell(page: Any, case_id: int) -> str:
    from app.ui.assign_page import COL_AGENT

    row = page.model.row_of(case_id)
    return str(page.model.index(row, COL_AGENT).data())


def test_assign_selected_cases_offline_queues_them_as_pending(assign_page: Any, supervisor_window: Any,
                                                              qtbot: Any) -> None:
    from tests.ui.conftest import sql

    page = assign_page
    assert page.model.rowCount() == sql(page.ctx.store, "SELECT count(*) FROM cases")[0][0]
    ids = [page.model.case_id_at(r) for r in range(3)]
    assert page.select_ids(ids) == 3
    assert sorted(page.selected_ids()) == sorted(ids)
    holders = {r[0] for r in sql(page.ctx.store, f"SELECT agent_id FROM cases WHERE id IN ({ids[0]}, {ids[1]}, {ids[2]})")}
    target = next(a for a in page.context.agents if a.id not in holders)
    with qtbot.waitSignal(page.dialogOpened) as opened:
        page.assign_selected()
    dialog = opened.args[0]
    assert dialog.select_agent(target.id)
    dialog.reason.setText("<b>重新分配</b> =1+1")
    with qtbot.waitSignal(page.queued, timeout=10_000) as done:
        dialog.ok.click()
    assert done.args[0].queued == 3
    qtbot.waitUntil(lambda: all("pending" in agent_cell(page, i) for i in ids), timeout=10_000)
    assert target.label in agent_cell(page, ids[0])
    # offline (no head office here): said so, and the window's waiting number counts them
    qtbot.waitUntil(lambda: "next sync" in page.status.text(), timeout=10_000)
    pending = sql(page.ctx.store, "SELECT count(*) FROM outbox")[0][0]
    qtbot.waitUntil(lambda: str(pending) in supervisor_window.pending_label.text(), timeout=10_000)
    # the Pending filter lists exactly them
    with qtbot.waitSignal(page.model.reloaded, timeout=10_000):
        page.agent_filter.setCurrentIndex(page.agent_filter.findData("pending"))
    assert sorted(page.listed_ids()) == sorted(ids)


def test_agent_filter_and_unassigned_queue(assign_page: Any, qtbot: Any) -> None:
    from tests.ui.conftest import sql

    page = assign_page
    agent = page.context.agents[0]
    with qtbot.waitSignal(page.model.reloaded, timeout=10_000):
        page.agent_filter.setCurrentIndex(page.agent_filter.findData(agent.id))
    expected = {r[0] for r in sql(page.ctx.store, "SELECT id FROM cases WHERE agent_id = :a", a=agent.id)}
    assert expected and set(page.listed_ids()) == expected
    with qtbot.waitSignal(page.model.reloaded, timeout=10_000):
        page.agent_filter.setCurrentIndex(page.agent_filter.findData("none"))
    expected = {r[0] for r in sql(page.ctx.store, "SELECT id FROM cases WHERE agent_id IS NULL")}
    assert set(page.listed_ids()) == expected
