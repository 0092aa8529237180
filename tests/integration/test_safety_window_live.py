"""The supervisor's Safety room against a REAL head office on loopback.

An agent (headless: VisitDesk over SafetyApi) opens a visit that runs past its end and the grace (head
office's safety clock is moved through the fault hooks; its sweep raises the amber alarm), then sends an
SOS (red). The supervisor's window (MainWindow + HeadOfficeSync, as the app builds them) shows the
overdue visit amber, the amber alarm amber and the SOS red, with the refresh time in the status line;
acknowledging an alarm someone else took says who; resolving one offers a safety note on the case.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services.syncing import sync_once
from app.services.visits import VisitDesk
from app.store import models as m
from app.store.engine import Store
from app.store.migrate import open_store
from app.sync.engine import device_of
from app.sync.safety_client import SafetyApi

from .sync_fixtures import Connect, agent_store_fixture, connect_fixture, headoffice_fixture  # noqa: F401
from .sync_server import PASSWORD, HeadOffice, wait_until

SAFETY_PIN, DURESS_PIN = "2580", "7391"
HOSTILE_NOTE = "<b>bold</b><script>alert(1)</script> =SUM(A1) 😀 门口有狗 dog at the gate"


class SupervisorApp:
    """The supervisor's app: a store, the head-office sync and the main window."""

    def __init__(self, qtbot: QtBot, tmp_path: Path, server_url: str):
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
                                   retry_budget=20.0, interval_ms=3_600_000, probe_ms=3_600_000)
        self.settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        self.ctx = UiContext(store=self.store, runner=self.runner, settings=self.settings,
                             profile=builtin_profile("CN"), actor="super01", clock=utcnow, sync=self.sync,
                             cache_dir=tmp_path / "cache")
        self.window = MainWindow(self.settings)
        qtbot.addWidget(self.window)
        self.window.resize(1500, 900)
        self.window.show()

    def open_safety_room(self) -> Any:
        with self.qtbot.waitSignal(self.sync.finished, timeout=120_000) as blocker:
            self.sync.sync_now()  # the team's cases and the supervisor's role
        assert blocker.args[0], blocker.args[1]
        win = self.window
        with self.qtbot.waitSignal(win.caseListReady, timeout=30_000):
            win.attach(self.ctx)
        self.qtbot.waitUntil(lambda: win.nav.count() == 10, timeout=20_000)
        page = win.supervisor_pages[3]
        assert type(page).__name__ == "SafetyBoardPage"  # built at once: it polls while hidden too
        win.show_page(9)
        self.qtbot.waitUntil(lambda: win.stack.currentWidget() is page, timeout=10_000)
        return page

    def close(self) -> None:
        self.window.close()
        assert self.runner.shutdown(30_000)
        self.store.close()


@pytest.fixture
def supervisor_app(qtbot: QtBot, tmp_path: Path, headoffice: HeadOffice) -> Iterator[SupervisorApp]:
    app = SupervisorApp(qtbot, tmp_path, headoffice.url)
    yield app
    app.close()


@pytest.fixture
def admin(headoffice: HeadOffice) -> Iterator[httpx.Client]:
    """Head office's admin, straight over HTTP: someone else on the board."""
    with headoffice.api(headoffice.token("admin")) as client:
        yield client


def advance_head_office_clock(headoffice: HeadOffice, seconds: float) -> None:
    with httpx.Client(base_url=headoffice.url, timeout=10) as client:
        r = client.post("/api/v1/_faults/clock", json={"advance_seconds": seconds})
    assert r.status_code == 200, r.text


def background(model: Any, row: int) -> str:
    brush = model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)
    return QColor(brush.color()).name() if brush is not None else ""


def test_the_board_shows_the_overdue_visit_amber_and_the_sos_red_and_acts_on_them(
        qtbot: QtBot, headoffice: HeadOffice, agent_store: Store, connect: Connect,
        supervisor_app: SupervisorApp, admin: httpx.Client) -> None:
    from app.ui.visit_safety.board_model import AMBER, RED

    client = connect(headoffice.url, agent_store, budget=2.0)
    sync_once(agent_store, client)
    api = SafetyApi(client)
    desk = VisitDesk(agent_store, "agent01")
    desk.refresh(api)
    desk.set_pins(api, SAFETY_PIN, DURESS_PIN)
    with agent_store.read() as s:
        case_id = s.scalars(select(m.Case.id).order_by(m.Case.id)).first()
    assert case_id is not None
    desk.start(case_id, 15)
    assert desk.deliver(api).head_office_knows
    # past the end (15 min) and the grace (10 min): the sweep reminds, then raises the amber alarm
    advance_head_office_clock(headoffice, 26 * 60)
    wait_until(lambda: _alarms(admin, "overdue"), timeout=30, what="the amber alarm")
    desk.sos()
    assert desk.deliver(api).problem is None

    page = supervisor_app.open_safety_room()
    qtbot.waitUntil(lambda: page.board is not None and len(page.alarms.rows) == 2 and len(page.sessions.rows) == 1,
                    timeout=30_000)
    sessions, alarms = page.sessions, page.alarms
    assert sessions.rows[0].overdue and background(sessions, 0) == AMBER
    assert sessions.data(sessions.index(0, sessions.LEFT)).startswith("overdue +")
    by_kind = {a.kind: row for row, a in enumerate(alarms.rows)}
    assert set(by_kind) == {"overdue", "sos"}
    assert background(alarms, by_kind["sos"]) == RED and background(alarms, by_kind["overdue"]) == AMBER
    assert alarms.data(alarms.index(by_kind["sos"], alarms.LEVEL)) == "RED"
    assert "refresh took" in page.status.text() and page.last_refresh_ms is not None
    assert {a.id for a in alarms.rows} <= page.seen  # heard as new once (a sound and tray when not active)

    # someone else takes the amber alarm first: the window says who
    amber_id = alarms.rows[by_kind["overdue"]].id
    taken = admin.post(f"/api/v1/safety/alarms/{amber_id}/acknowledge")
    assert taken.status_code == 200, taken.text
    admin_name = taken.json()["acknowledged_by_name"]
    page.alarms_table.selectRow(by_kind["overdue"])
    assert page.ack_button.isEnabled()  # the board has not heard yet
    with qtbot.waitSignal(page.actionDone, timeout=20_000) as said:
        page.ack_button.click()
    assert said.args[0] == f"Acknowledged by {admin_name}"

    # the SOS: acknowledged here, then resolved with a note; then a safety note is offered for the case
    sos_row = next(r for r, a in enumerate(alarms.rows) if a.kind == "sos")
    page.alarms_table.selectRow(sos_row)
    with qtbot.waitSignal(page.actionDone, timeout=20_000) as said:
        page.ack_button.click()
    assert said.args[0].startswith("You acknowledged the alarm of ")
    qtbot.waitUntil(lambda: any(a.kind == "sos" and a.state == "acknowledged" for a in alarms.rows), timeout=20_000)
    sos_row = next(r for r, a in enumerate(alarms.rows) if a.kind == "sos")
    assert "Acknowledged by" in alarms.data(alarms.index(sos_row, alarms.STATE))
    page.alarms_table.selectRow(sos_row)
    opened: list[Any] = []
    page.dialogOpened.connect(opened.append)
    dialog = page.resolve()
    dialog.choices["false_alarm"].setChecked(True)
    dialog.note.setPlainText(HOSTILE_NOTE)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: len(opened) >= 2, timeout=20_000)  # the resolve dialog, then the offer
    offer = opened[1]
    assert "safety note" in offer.text()
    offer.button(offer.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: len(opened) >= 3, timeout=20_000)
    note_dialog = opened[2]
    assert type(note_dialog).__name__ == "SafetyNoteDialog" and note_dialog.detail.id == case_id
    note_dialog.reject()
    qtbot.waitUntil(lambda: any(a.kind == "sos" and a.state == "resolved" for a in alarms.rows), timeout=20_000)
    sos_row = next(r for r, a in enumerate(alarms.rows) if a.kind == "sos")
    state = alarms.data(alarms.index(sos_row, alarms.STATE))
    assert "false alarm" in state and HOSTILE_NOTE in state  # shown as it was typed, as plain text
    assert background(alarms, sos_row) == "#e0e0e0"


def _alarms(admin: Any, kind: str) -> list[dict[str, Any]]:
    board = admin.get("/api/v1/safety/board").json()
    return [a for a in board.get("alarms", []) if a["kind"] == kind]
