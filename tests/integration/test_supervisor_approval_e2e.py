"""The supervisor's Approvals and Team rooms end to end, against a real head-office process on loopback.

Agents record outcomes on their laptops (the app's own services) and sync (app.sync, headless). The
supervisor's window (MainWindow + HeadOfficeSync as the app builds them, signed in as super01)
syncs the team, lists the hardship relief proposal in the Approvals room, approves it with a
reason; the decision travels as an outbox event with the next sync, leaves head office's pending
list, and the agent's next sync shows it on the case. The Team room's figures are checked against
what the agents pushed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.model import GeoPoint
from app.domain.outcomes import OutcomeCode
from app.services.outcomes import OutcomeInput, record_outcome
from app.services.syncing import sync_once
from app.store.engine import Store
from app.store.migrate import open_store
from app.sync.engine import device_of
from tests.conftest import DEMO_TODAY
from tests.evidence_helpers import kept_recording

from .faultproxy import FaultProxy
from .sync_fixtures import Connect, connect_fixture, headoffice_fixture  # noqa: F401 (fixtures)
from .sync_server import PASSWORD, HeadOffice

# Everything happens at 10:00 Beijing time on the demo day (inside the contact window whenever the test runs).
AT = datetime.combine(DEMO_TODAY, time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = AT + timedelta(minutes=30)
REASON = "同意延期三个月：失业证明已核实 <b>ok</b>"


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


class Agent:
    """An agent's laptop: a store and headless syncs as the app's CLI does them."""

    def __init__(self, tmp_path: Path, username: str, url: str, connect: Connect):
        self.username = username
        self.store = open_store(tmp_path / username / "doorstep.sqlite3")
        self.recording = kept_recording(self.store, tmp_path / username / "attachments")
        self.url = url
        self.connect = connect

    def sync(self) -> None:
        sync_once(self.store, self.connect(self.url, self.store, self.username))

    def cases(self, n: int) -> list[int]:
        return [int(r[0]) for r in rows(self.store, "SELECT id FROM cases WHERE safety_level = 0 AND status = 'open' "
                                                    "ORDER BY id LIMIT :n", n=n)]

    def record(self, case_id: int, code: OutcomeCode, channel: Channel, minutes: int, **fields: Any) -> str:
        phone = rows(self.store, "SELECT p.number FROM phones p JOIN cases c ON c.debtor_id = p.debtor_id "
                                 "WHERE c.id = :id LIMIT 1", id=case_id)[0][0]
        position = None
        if channel == Channel.VISIT:
            lat, lon = rows(self.store, "SELECT a.lat, a.lon FROM addresses a JOIN cases c ON c.debtor_id = a.debtor_id "
                                        "WHERE c.id = :id AND a.lat IS NOT NULL LIMIT 1", id=case_id)[0]
            position = GeoPoint(float(lat), float(lon))
        data = OutcomeInput(
            case_id=case_id, code=code, channel=channel, at=AT + timedelta(minutes=minutes), fields=fields,
            phone=phone if channel == Channel.PHONE else None, position=position,
            collectors=2 if channel == Channel.VISIT else 1,
            recording_sha256=self.recording if channel == Channel.VISIT else None,
            safety_acknowledged=channel == Channel.VISIT)
        return record_outcome(self.store, data, builtin_profile("CN"), self.username, now=NOW).event_id

    def close(self) -> None:
        self.store.close()


class Supervisor:
    """The supervisor's app: a store, the sync controller and the main window with its rooms."""

    def __init__(self, qtbot: QtBot, tmp_path: Path, server_url: str, retry_budget: float = 20.0):
        from PySide6.QtCore import QSettings

        from app.ui.context import UiContext
        from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync
        from app.ui.main_window import MainWindow
        from app.ui.settings import AppSettings
        from app.ui.worker import BackgroundRunner

        self.qtbot = qtbot
        self.store = open_store(tmp_path / "super" / "doorstep.sqlite3")
        self.runner = BackgroundRunner()
        account = HeadOfficeAccount(server=server_url, username="super01", device_id=device_of(self.store))
        self.sync = HeadOfficeSync(self.store, self.runner, account, password=lambda: PASSWORD, retry_budget=retry_budget,
                                   interval_ms=3_600_000, probe_ms=3_600_000)
        self.settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        self.ctx = UiContext(store=self.store, runner=self.runner, settings=self.settings,
                             profile=builtin_profile("CN"), actor="super01", clock=lambda: NOW, sync=self.sync,
                             cache_dir=tmp_path / "cache")
        self.window = MainWindow(self.settings)
        qtbot.addWidget(self.window)
        self.window.resize(1500, 900)
        self.window.show()

    def sync_now(self) -> tuple[bool, str]:
        with self.qtbot.waitSignal(self.sync.finished, timeout=120_000) as blocker:
            self.sync.sync_now()
        return blocker.args[0], blocker.args[1]

    def attach(self) -> None:
        win = self.window
        with self.qtbot.waitSignal(win.caseListReady, timeout=30_000):
            win.attach(self.ctx)
        self.qtbot.waitUntil(lambda: win.nav.count() == 10, timeout=20_000)  # the role came with the sync

    def room(self, index: int, name: str) -> Any:
        win = self.window
        win.show_page(index)
        self.qtbot.waitUntil(lambda: type(win.stack.currentWidget()).__name__ == name, timeout=20_000)
        return win.stack.currentWidget()

    def close(self) -> None:
        self.window.close()
        assert self.runner.shutdown(30_000)
        shiboken6.delete(self.window)  # now, while the QApplication lives: the team map's web page before its profile
        self.store.close()


@pytest.fixture
def people(qtbot: QtBot, tmp_path: Path, headoffice: HeadOffice, connect: Connect) -> Iterator[Any]:
    made: list[Any] = []

    def agent(username: str) -> Agent:
        a = Agent(tmp_path, username, headoffice.url, connect)
        made.append(a)
        return a

    def supervisor(url: str | None = None, retry_budget: float = 20.0) -> Supervisor:
        s = Supervisor(qtbot, tmp_path, url or headoffice.url, retry_budget)
        made.append(s)
        return s

    yield agent, supervisor
    for p in reversed(made):
        p.close()


def test_hardship_is_approved_in_the_room_and_the_agent_sees_it_on_the_case(qtbot: QtBot, headoffice: HeadOffice,
                                                                             people: Any, tmp_path: Path) -> None:
    from app.services.workspace import case_timeline, load_case_detail

    make_agent, make_supervisor = people
    a1, a2 = make_agent("agent01"), make_agent("agent02")
    a1.sync()
    a2.sync()
    c_hard, c_visit, c_paid = a1.cases(3)
    (c_promise,) = a2.cases(1)
    hardship = a1.record(c_hard, OutcomeCode.HARDSHIP, Channel.PHONE, 0, hardship_reason="unemployment",
                         relief_kind="deferral", relief_detail="延期三个月 (3 months)")
    a1.record(c_visit, OutcomeCode.NOT_HOME, Channel.VISIT, 5)
    a1.record(c_paid, OutcomeCode.PARTIAL_PAYMENT, Channel.VISIT, 10, payment_amount_fen=12_345,
              payment_method="bank_transfer", receipt_no="R-0001")
    a2.record(c_promise, OutcomeCode.PROMISE_TO_PAY, Channel.VISIT, 15, promise_amount_fen=50_000,
              promise_date=(DEMO_TODAY + timedelta(days=3)).isoformat())
    a1.sync()
    a2.sync()
    assert rows(a1.store, "SELECT count(*) FROM outbox") == [(0,)]

    sup = make_supervisor()
    ok, message = sup.sync_now()
    assert ok, message
    sup.attach()

    # --- Approvals: the relief proposal is listed, approved with a reason, delivered by the next sync ---
    page = sup.room(8, "ApprovalsPage")
    key = ("relief", hardship)
    qtbot.waitUntil(lambda: page.live and page.model.find(key) >= 0, timeout=60_000)
    row = page.model.row(page.model.find(key))
    assert row.item.case_id == c_hard and row.item.agent_username == "agent01" and row.state == "pending"
    assert page.select(key)
    assert "Deferral" in page.details.text() and "延期三个月" in page.details.text()
    page.reason.setPlainText(f"  {REASON}  ")
    assert page.window().grab().save(str(tmp_path / "approvals-live.png"))
    with qtbot.waitSignals([page.decisionQueued, sup.sync.finished], timeout=120_000):
        page.approve_button.click()  # head office answered just now: the page starts a sync itself
    event = rows(sup.store, "SELECT id, sync_state FROM events WHERE kind = 'decision'")
    assert len(event) == 1 and event[0][1] == "acked", event
    assert rows(sup.store, "SELECT count(*) FROM outbox") == [(0,)]
    # Head office has it decided: gone from the pending list (the room looked again after the sync).
    qtbot.waitUntil(lambda: page.live and page.model.find(key) < 0, timeout=60_000)
    decided = headoffice.query("SELECT count(*) FROM events WHERE kind = 'decision' AND status = 'accepted'")
    assert decided == [(1,)]
    with qtbot.waitSignal(page.listShown, timeout=60_000, check_params_cb=lambda live: live):
        page.status_filter.setCurrentIndex(page.status_filter.findData("decided"))
    row = page.model.row(page.model.find(key))
    assert row.state == "approved" and row.item.decided_by == "super01" and row.item.decision_reason == REASON
    assert page.select(key)
    assert "Decided by: super01" in page.details.text() and f"Reason given: {REASON}" in page.details.text()
    assert not page.approve_button.isEnabled()  # decided at head office: nothing more to decide

    # --- the agent's next sync shows the decision on the case ---
    a1.sync()
    assert rows(a1.store, "SELECT status, decided_by, decision_reason FROM relief_proposals WHERE event_id = :e",
                e=hardship) == [("approved", "super01", REASON)]
    detail = load_case_detail(a1.store, c_hard, NOW)
    assert detail.relief_decision == ("approved", "super01", REASON) and detail.pending_relief == 0
    decisions = [i for i in case_timeline(a1.store, c_hard) if i.kind == "decision"]
    assert len(decisions) == 1 and decisions[0].details == {"approved": True, "by": "super01"}
    assert decisions[0].code == "relief" and decisions[0].text == REASON

    # --- Team: the day's figures are what the agents pushed ---
    from PySide6.QtGui import QColor

    from app.maps.teammap import agent_colour

    team = sup.room(7, "TeamPage")
    qtbot.waitUntil(lambda: team.live and team.shown is not None, timeout=60_000)
    assert team.shown.day == DEMO_TODAY
    by_name = {a.username: a for a in team.shown.reply.agents}
    one, two = by_name["agent01"], by_name["agent02"]
    assert one.outcomes == {"hardship": 1, "not_home": 1, "partial_payment": 1}
    assert one.done_visits == 2 and one.collected_fen == 12_345 and one.flagged == 0
    assert sorted(v.case_id for v in one.visits) == sorted([c_visit, c_paid])
    assert all(v.lat is not None and v.lon is not None for v in one.visits)
    assert one.last_sync_at is not None
    assert two.outcomes == {"promise_to_pay": 1} and two.done_visits == 1 and two.collected_fen == 0
    # …and the room shows them: agent01's row, the team totals, the map's points.
    m = team.model
    row1 = next(r for r in range(m.rowCount()) if m.agent(r).username == "agent01")
    assert m.index(row1, 3).data() == "2" and m.index(row1, 6).data() == "¥123.45"
    assert "3 visit(s) on the map; 0 without a position" in team.map_note.text()
    assert "¥123.45 collected" in team.totals_label.text()
    view = team.map_view
    qtbot.waitUntil(lambda: view.is_loaded, timeout=60_000)
    colour = QColor(agent_colour(0)).rgb() & 0xFFFFFF

    def painted() -> bool:  # the web view paints in its own time: wait for agent01's marker colour on screen
        image = view.grab().toImage()
        return any(image.pixel(x, y) & 0xFFFFFF == colour for x in range(0, image.width(), 2)
                   for y in range(0, image.height(), 2))

    qtbot.waitUntil(painted, timeout=20_000)
    assert team.window().grab().save(str(tmp_path / "team-live.png"))
    # The reply was kept: offline, the room would show these figures with their age.
    from app.services.team import cached_team_day

    saved = cached_team_day(sup.store, DEMO_TODAY)
    assert saved is not None and saved.reply == team.shown.reply


def test_a_decision_made_offline_queues_shows_pending_and_goes_with_the_next_sync(
        qtbot: QtBot, headoffice: HeadOffice, people: Any) -> None:
    from app.services.workspace import load_case_detail

    make_agent, make_supervisor = people
    agent = make_agent("agent01")
    agent.sync()
    (case_id,) = agent.cases(1)
    hardship = agent.record(case_id, OutcomeCode.HARDSHIP, Channel.PHONE, 0, hardship_reason="illness",
                            relief_kind="instalment_plan", relief_detail="12 期")
    agent.sync()
    with FaultProxy(headoffice.port) as proxy:
        sup = make_supervisor(proxy.url, retry_budget=1.0)
        ok, message = sup.sync_now()
        assert ok, message
        sup.attach()
        page = sup.room(8, "ApprovalsPage")
        key = ("relief", hardship)
        qtbot.waitUntil(lambda: page.live and page.model.find(key) >= 0, timeout=60_000)
        proxy.set_upstream(1)  # head office gone (nothing listens on port 1)
        assert page.select(key)
        page.reason.setPlainText("缺少医院证明")
        with qtbot.waitSignals([page.decisionQueued, sup.sync.finished, page.fetchFailed], timeout=120_000):
            page.reject_button.click()  # the page tries a sync at once; it fails, the list comes from the saved copy
        qtbot.waitUntil(lambda: page.model.find(key) >= 0
                        and page.model.row(page.model.find(key)).state == "queued", timeout=20_000)
        row = page.model.find(key)
        assert page.model.index(row, 5).data() == "Decided here, waiting to upload"
        assert not page.approve_button.isEnabled()
        assert rows(sup.store, "SELECT e.sync_state FROM events e JOIN outbox o ON o.event_id = e.id "
                               "WHERE e.kind = 'decision'") == [("pending",)]
        assert headoffice.query("SELECT count(*) FROM events WHERE kind = 'decision'") == [(0,)]
        proxy.set_upstream(headoffice.port)  # back
        ok, message = sup.sync_now()
        assert ok, message
        assert rows(sup.store, "SELECT sync_state FROM events WHERE kind = 'decision'") == [("acked",)]
        qtbot.waitUntil(lambda: page.live and page.model.find(key) < 0, timeout=60_000)
    agent.sync()
    detail = load_case_detail(agent.store, case_id, NOW)
    assert detail.relief_decision == ("rejected", "super01", "缺少医院证明")
