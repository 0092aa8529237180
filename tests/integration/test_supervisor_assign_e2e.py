"""The supervisor's Assign room end to end, against a real head-office process on loopback.

A supervisor's window (MainWindow + HeadOfficeSync, as the app builds them) signs in as super01, syncs
the team's cases, assigns in the Assign room; the agent's next headless sync (app.sync) receives the
cases. Offline assignments queue, show as pending and go out at the next sync; a conflict is shown
with the case's current owner and never overwritten; a reply lost after head office committed does
not assign twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.services.syncing import sync_once
from app.store.engine import Store
from app.store.migrate import open_store
from app.sync.engine import device_of

from .faultproxy import FaultProxy
from .sync_fixtures import Connect, agent_store_fixture, connect_fixture, headoffice_fixture  # noqa: F401
from .sync_server import PASSWORD, HeadOffice


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


class Supervisor:
    """The supervisor's app: a store, the sync controller and the main window with its Assign room."""

    def __init__(self, qtbot: QtBot, tmp_path: Path, server_url: str, retry_budget: float = 20.0):
        from PySide6.QtCore import QSettings

        from app.domain.clock import utcnow
        from app.domain.compliance import builtin_profile
        from app.ui.context import UiContext
        from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync
        from app.ui.main_window import MainWindow
        from app.ui.settings import AppSettings
        from app.ui.worker import BackgroundRunner

        self.qtbot = qtbot
        self.store = open_store(tmp_path / "super" / "doorstep.sqlite3")
        self.runner = BackgroundRunner()
        account = HeadOfficeAccount(server=server_url, username="super01", device_id=device_of(self.store))
        self.sync = HeadOfficeSync(self.store, self.runner, account, password=lambda: PASSWORD,
                                   retry_budget=retry_budget, interval_ms=3_600_000, probe_ms=3_600_000)
        self.settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        self.ctx = UiContext(store=self.store, runner=self.runner, settings=self.settings,
                             profile=builtin_profile("CN"), actor="super01", clock=utcnow, sync=self.sync,
                             cache_dir=tmp_path / "cache")
        self.window = MainWindow(self.settings)
        qtbot.addWidget(self.window)
        self.window.resize(1500, 900)
        self.window.show()

    def sync_now(self) -> tuple[bool, str]:
        with self.qtbot.waitSignal(self.sync.finished, timeout=120_000) as blocker:
            self.sync.sync_now()
        return blocker.args[0], blocker.args[1]

    def open_assign_room(self) -> Any:
        win = self.window
        with self.qtbot.waitSignal(win.caseListReady, timeout=30_000):
            win.attach(self.ctx)
        self.qtbot.waitUntil(lambda: win.nav.count() == 10, timeout=20_000)  # the role came with the sync
        win.show_page(6)
        self.qtbot.waitUntil(lambda: type(win.stack.currentWidget()).__name__ == "AssignPage", timeout=20_000)
        page = win.stack.currentWidget()
        self.qtbot.waitUntil(lambda: page.context is not None and page.model.loaded_once, timeout=30_000)
        return page

    def agent_id(self, username: str) -> int:
        return int(rows(self.store, "SELECT id FROM agents WHERE username = :u", u=username)[0][0])

    def close(self) -> None:
        self.window.close()
        assert self.runner.shutdown(30_000)
        self.store.close()


@pytest.fixture
def supervisor_factory(qtbot: QtBot, tmp_path: Path) -> Iterator[Any]:
    made: list[Supervisor] = []

    def make(url: str, retry_budget: float = 20.0) -> Supervisor:
        s = Supervisor(qtbot, tmp_path / f"s{len(made)}", url, retry_budget)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def assign_in_room(qtbot: QtBot, page: Any, case_ids: list[int], agent_id: int | None, reason: str = "") -> None:
    """Select the cases in the list and assign them through the picker, as the supervisor does."""
    assert page.select_ids(case_ids) == len(case_ids)
    with qtbot.waitSignal(page.dialogOpened, timeout=10_000) as opened:
        page.assign_selected()
    dialog = opened.args[0]
    assert dialog.select_agent(agent_id)
    dialog.reason.setText(reason)
    with qtbot.waitSignal(page.queued, timeout=20_000):
        dialog.ok.click()


def agent_sync(store: Store, connect: Connect, url: str, username: str) -> None:
    client = connect(url, store, username)
    sync_once(store, client)


def server_owner(headoffice: HeadOffice, case_ids: list[int]) -> dict[int, tuple[int | None, int]]:
    marks = ",".join("?" * len(case_ids))
    return {int(r[0]): (r[1], int(r[2])) for r in headoffice.query(
        f"SELECT id, agent_id, version FROM cases WHERE id IN ({marks})", case_ids)}


def test_supervisor_assigns_in_the_window_and_the_agents_next_sync_receives_the_cases(
        qtbot: QtBot, headoffice: HeadOffice, agent_store: Store, connect: Connect, supervisor_factory: Any) -> None:
    from app.ui.assign_case_table import COL_AGENT

    sup = supervisor_factory(headoffice.url)
    ok, message = sup.sync_now()
    assert ok, message
    assert rows(sup.store, "SELECT role FROM agents WHERE username = 'super01'") == [("supervisor",)]
    team_cases = rows(sup.store, "SELECT count(*) FROM cases")[0][0]
    assert team_cases > 0
    agent_sync(agent_store, connect, headoffice.url, "agent01")
    agent01 = sup.agent_id("agent01")
    before_agent = {r[0] for r in rows(agent_store, "SELECT id FROM cases")}

    page = sup.open_assign_room()
    assert page.model.rowCount() == team_cases
    theirs = [r[0] for r in rows(sup.store, "SELECT id FROM cases WHERE agent_id IS NOT NULL AND agent_id != :a "
                                            "ORDER BY id LIMIT 5", a=agent01)]
    assert len(theirs) == 5
    seen = dict(rows(sup.store, f"SELECT id, version FROM cases WHERE id IN ({','.join(map(str, theirs))})"))
    with qtbot.waitSignal(page.delivered, timeout=60_000) as delivered:
        assign_in_room(qtbot, page, theirs, agent01, reason="东区人手调整 <b>")
    report = delivered.args[0]
    assert (report.applied, report.problems) == (5, [])
    # head office has them, one version further; the supervisor's list shows it at once
    assert server_owner(headoffice, theirs) == {cid: (agent01, seen[cid] + 1) for cid in theirs}
    assert dict((r[0], (r[1], r[2])) for r in rows(
        sup.store, f"SELECT id, agent_id, version FROM cases WHERE id IN ({','.join(map(str, theirs))})")) \
        == {cid: (agent01, seen[cid] + 1) for cid in theirs}
    assert rows(sup.store, "SELECT count(*) FROM outbox")[0][0] == 0
    label = page.model.agent_text(agent01)

    def shown(cid: int) -> str:
        row = page.model.row_of(cid)
        return "" if row is None else str(page.model.index(row, COL_AGENT).data())

    qtbot.waitUntil(lambda: all(shown(c) == label for c in theirs), timeout=20_000)  # no longer pending
    # the agent's next sync brings them
    agent_sync(agent_store, connect, headoffice.url, "agent01")
    now_agent = {r[0] for r in rows(agent_store, "SELECT id FROM cases")}
    assert set(theirs) <= now_agent and not set(theirs) & before_agent


def test_offline_assignments_queue_show_pending_and_go_at_the_next_sync(
        qtbot: QtBot, headoffice: HeadOffice, agent_store: Store, connect: Connect, supervisor_factory: Any) -> None:
    from app.ui.assign_case_table import COL_AGENT

    with FaultProxy(headoffice.port) as proxy:
        sup = supervisor_factory(proxy.url, retry_budget=1.0)
        ok, message = sup.sync_now()
        assert ok, message
        page = sup.open_assign_room()
        agent02 = sup.agent_id("agent02")
        unassigned = [r[0] for r in rows(sup.store, "SELECT id FROM cases WHERE agent_id != :a ORDER BY id DESC "
                                                    "LIMIT 4", a=agent02)]
        proxy.set_upstream(1)  # head office unreachable from here on
        with qtbot.waitSignal(page.deliveryFailed, timeout=60_000):
            assign_in_room(qtbot, page, unassigned, agent02)
        assert "next sync" in page.status.text()
        # queued, shown as pending in the list and counted in the window's waiting number
        assert rows(sup.store, "SELECT count(*) FROM outbox")[0][0] == 4
        qtbot.waitUntil(lambda: all("pending" in str(page.model.index(page.model.row_of(c), COL_AGENT).data())
                                    for c in unassigned), timeout=20_000)
        qtbot.waitUntil(lambda: "4" in sup.window.pending_label.text(), timeout=20_000)
        assert all(owner != agent02 for owner, _v in server_owner(headoffice, unassigned).values())
        # a restart would keep them: they are in the store's outbox, not in memory
        proxy.set_upstream(headoffice.port)
        ok, message = sup.sync_now()
        assert ok, message
        assert all(owner == agent02 for owner, _v in server_owner(headoffice, unassigned).values())
        assert rows(sup.store, "SELECT count(*) FROM outbox")[0][0] == 0
        qtbot.waitUntil(lambda: all("pending" not in str(page.model.index(page.model.row_of(c), COL_AGENT).data())
                                    for c in unassigned), timeout=20_000)
        qtbot.waitUntil(lambda: "0" in sup.window.pending_label.text(), timeout=20_000)
    agent_sync(agent_store, connect, headoffice.url, "agent02")
    assert set(unassigned) <= {r[0] for r in rows(agent_store, "SELECT id FROM cases")}


def test_a_conflict_is_shown_with_the_current_owner_and_never_overwritten(
        qtbot: QtBot, headoffice: HeadOffice, supervisor_factory: Any) -> None:
    sup = supervisor_factory(headoffice.url)
    ok, message = sup.sync_now()
    assert ok, message
    page = sup.open_assign_room()
    agent01, agent03 = sup.agent_id("agent01"), sup.agent_id("agent03")
    case_id, seen = rows(sup.store, "SELECT id, version FROM cases WHERE agent_id NOT IN (:a, :b) ORDER BY id "
                                    "LIMIT 1", a=agent01, b=agent03)[0]
    other = rows(sup.store, "SELECT id FROM cases WHERE agent_id NOT IN (:a, :b) AND id != :c ORDER BY id LIMIT 1",
                 a=agent01, b=agent03, c=case_id)[0][0]
    # meanwhile someone else at head office gives the case to agent03
    now_version = headoffice.assign(case_id, agent03)
    assert now_version == seen + 1
    with qtbot.waitSignal(page.delivered, timeout=60_000) as delivered:
        assign_in_room(qtbot, page, [case_id, other], agent01)
    report = delivered.args[0]
    assert report.applied == 1 and len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.case_id, problem.status, problem.current_agent, problem.current_version, problem.seen_version) \
        == (case_id, "conflict", agent03, now_version, seen)
    # never overwritten at head office; the other case went through
    assert server_owner(headoffice, [case_id])[case_id] == (agent03, now_version)
    assert server_owner(headoffice, [other])[other][0] == agent01
    # shown: the Not applied tab with the current owner and version
    qtbot.waitUntil(lambda: page.problems.rowCount() == 1, timeout=20_000)
    assert page.tabs.currentWidget() is page.problems_tab
    cells = [page.problems.item(0, c).text() for c in range(6)]
    case_no = rows(sup.store, "SELECT case_no FROM cases WHERE id = :c", c=case_id)[0][0]
    assert cells[0] == case_no and "agent01" in cells[1] and "agent03" in cells[2]
    assert cells[3] == str(now_version) and cells[4] == str(seen) and "not overwritten" in cells[5]
    # the local list shows who holds it now
    assert rows(sup.store, "SELECT agent_id, version FROM cases WHERE id = :c", c=case_id) == [(agent03, now_version)]
    assert rows(sup.store, "SELECT count(*) FROM outbox")[0][0] == 0
    # knowing who holds it now, the supervisor assigns it again: it goes with the current version
    with qtbot.waitSignal(page.dialogOpened, timeout=10_000) as opened:
        page.assign_again()
    dialog = opened.args[0]
    assert dialog.select_agent(agent01)
    with qtbot.waitSignal(page.delivered, timeout=60_000) as delivered:
        dialog.ok.click()
    assert delivered.args[0].applied == 1 and delivered.args[0].problems == []
    assert server_owner(headoffice, [case_id])[case_id] == (agent01, now_version + 1)
    qtbot.waitUntil(lambda: page.problems.rowCount() == 0, timeout=20_000)  # resolved: no longer listed


def test_a_reply_lost_after_head_office_committed_does_not_assign_twice(
        qtbot: QtBot, headoffice: HeadOffice, supervisor_factory: Any) -> None:
    sup = supervisor_factory(headoffice.url)
    ok, message = sup.sync_now()
    assert ok, message
    page = sup.open_assign_room()
    agent05 = sup.agent_id("agent05")
    ids = [r[0] for r in rows(sup.store, "SELECT id FROM cases WHERE agent_id != :a ORDER BY id LIMIT 3",
                              a=agent05)]
    seen = dict(rows(sup.store, f"SELECT id, version FROM cases WHERE id IN ({','.join(map(str, ids))})"))
    headoffice.faults(drop_after_commit=1, paths=["/api/v1/cases/assign"])
    with qtbot.waitSignal(page.delivered, timeout=60_000) as delivered:
        assign_in_room(qtbot, page, ids, agent05)
    report = delivered.args[0]
    assert report.problems == [] and report.applied == 3 and report.already == 3  # the resend found them done
    assert server_owner(headoffice, ids) == {cid: (agent05, seen[cid] + 1) for cid in ids}  # one version, not two
    assert rows(sup.store, "SELECT count(*) FROM outbox")[0][0] == 0


def test_delivery_goes_in_chunks_in_order_and_stops_between_chunks(headoffice: HeadOffice, tmp_path: Path,
                                                                   connect: Connect) -> None:
    """Headless, as the sync round delivers: small chunks so a handful of cases make several requests."""
    from datetime import UTC, datetime

    from app.services.assigning import deliver_pending, pending_assignment_count, queue_assignments

    store = open_store(tmp_path / "super-headless" / "doorstep.sqlite3")
    try:
        client = connect(headoffice.url, store, "super01")
        sync_once(store, client)
        agent04 = int(rows(store, "SELECT id FROM agents WHERE username = 'agent04'")[0][0])
        ids = [r[0] for r in rows(store, "SELECT id FROM cases WHERE agent_id != :a ORDER BY id LIMIT 7", a=agent04)]
        now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
        queue_assignments(store, ids, agent04, actor="super01", now=now)
        seen: list[tuple[int, int]] = []
        report = deliver_pending(store, client, now=lambda: now, chunk=2, progress=lambda d, t: seen.append((d, t)),
                                 cancelled=lambda: len(seen) >= 2)
        # stopped between chunks: the chunk already on its way when Stop came is answered and written
        assert (report.chunks, report.sent, report.applied) == (3, 6, 6)
        assert seen[:2] == [(2, 7), (4, 7)] and seen[-1] == (6, 7)
        assert pending_assignment_count(store) == 1
        done = [cid for cid, (owner, _v) in server_owner(headoffice, ids).items() if owner == agent04]
        assert sorted(done) == sorted(ids[:6])  # in queue order
        rest = deliver_pending(store, client, now=lambda: now, chunk=2)
        assert (rest.sent, rest.applied) == (1, 1) and pending_assignment_count(store) == 0
        assert all(owner == agent04 for owner, _v in server_owner(headoffice, ids).values())
    finally:
        store.close()
