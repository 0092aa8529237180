"""The Qt glue of sync (app/ui/head_office_sync.py) driven by pytest-qt against a live head office:
results arrive as signals on the GUI thread; connectivity follows the server; a probe that finds head
office back starts a sync by itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.store import models as m
from app.store.engine import Store
from app.sync.engine import SyncReport, device_of
from app.ui.head_office_sync import OFFLINE, ONLINE, UNCONFIGURED, HeadOfficeAccount, HeadOfficeSync
from app.ui.worker import BackgroundRunner

from .faultproxy import FaultProxy
from .sync_fixtures import agent_store_fixture, headoffice_fixture  # noqa: F401 (fixtures)
from .sync_helpers import queued, record_no_answer
from .sync_server import PASSWORD, HeadOffice


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[BackgroundRunner]:
    r = BackgroundRunner()
    yield r
    r.shutdown()


def _controller(store: Store, runner: BackgroundRunner, url: str, password: str | None = PASSWORD,
                retry_budget: float = 20.0) -> HeadOfficeSync:
    account = HeadOfficeAccount(server=url, username="agent01", device_id=device_of(store))
    return HeadOfficeSync(store, runner, account, password=lambda: password, retry_budget=retry_budget,
                          interval_ms=3_600_000, probe_ms=3_600_000)


def test_sync_now_reports_through_signals(qtbot: QtBot, runner: BackgroundRunner, headoffice: HeadOffice,
                                          agent_store: Store) -> None:
    ctrl = _controller(agent_store, runner, headoffice.url)
    reports: list[object] = []
    ctrl.reportReady.connect(reports.append)
    with qtbot.waitSignal(ctrl.finished, timeout=120_000) as blocker:
        ctrl.sync_now()
        assert ctrl.running  # returned at once; the work is in the background
        ctrl.sync_now()  # a second request while one runs is ignored, not queued twice
    ok, message = blocker.args
    assert ok, message
    assert "case update" in message and ctrl.connectivity() == ONLINE
    assert len(reports) == 1 and isinstance(reports[0], SyncReport)
    with agent_store.read() as session:
        assert session.scalar(select(func.count()).select_from(m.Case)) > 0
    # The session is kept: the next round refreshes the token instead of asking for the password.
    with agent_store.read() as session:
        case_id = session.scalar(select(func.min(m.Case.id)))
    record_no_answer(agent_store, int(case_id))  # type: ignore[arg-type]
    account = HeadOfficeAccount(server=headoffice.url, username="agent01", device_id=device_of(agent_store))
    again = HeadOfficeSync(agent_store, runner, account, password=lambda: None, tokens=ctrl.tokens,
                           interval_ms=3_600_000, probe_ms=3_600_000)
    with qtbot.waitSignal(again.finished, timeout=120_000) as blocker:
        again.sync_now()
    assert blocker.args[0], blocker.args[1]
    assert queued(agent_store) == 0


def test_wrong_password_and_no_head_office_are_said_in_words(qtbot: QtBot, runner: BackgroundRunner,
                                                             headoffice: HeadOffice, agent_store: Store) -> None:
    ctrl = _controller(agent_store, runner, headoffice.url, password="wrong")
    with qtbot.waitSignal(ctrl.finished, timeout=60_000) as blocker:
        ctrl.sync_now()
    assert blocker.args[0] is False and "refused the sign-in" in blocker.args[1]
    none = HeadOfficeSync(agent_store, runner, None, password=lambda: None)
    assert none.connectivity() == UNCONFIGURED
    with qtbot.waitSignal(none.finished, timeout=5_000) as blocker:
        none.sync_now()
    assert blocker.args[0] is False and "No head office" in blocker.args[1]


def test_offline_then_back_starts_a_sync_by_itself(qtbot: QtBot, runner: BackgroundRunner,
                                                   headoffice: HeadOffice, agent_store: Store) -> None:
    with FaultProxy(headoffice.port) as proxy:
        live = headoffice.port
        proxy.set_upstream(1)  # nothing listens there: head office is unreachable
        ctrl = _controller(agent_store, runner, proxy.url, retry_budget=0.5)
        with qtbot.waitSignal(ctrl.finished, timeout=60_000) as blocker:
            ctrl.sync_now()
        assert blocker.args[0] is False and "cannot be reached" in blocker.args[1]
        assert ctrl.connectivity() == OFFLINE
        proxy.set_upstream(live)
        with qtbot.waitSignals([ctrl.connectivityChanged, ctrl.finished], timeout=120_000):
            ctrl.probe()
        assert ctrl.connectivity() == ONLINE
    with agent_store.read() as session:
        assert session.scalar(select(func.count()).select_from(m.Case)) > 0
