"""The scheduled retention purge (app/ui/retention_schedule.py) after a real sync with a live head office:
a closed case whose records head office acknowledged leaves the laptop; a closed case with a record head
office has not acknowledged (refused as malformed: in the dead-letter list) stays; the Sync page says what
left, in counts only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from app.domain.clock import utcnow
from app.services.retention import last_purge
from app.store import models as m
from app.store.engine import Store
from app.store.events import append_event
from app.store.types import to_db_time
from app.sync.engine import device_of
from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync
from app.ui.retention_schedule import RetentionScheduler
from app.ui.worker import BackgroundRunner

from .sync_fixtures import agent_store_fixture, headoffice_fixture  # noqa: F401 (fixtures)
from .sync_helpers import NOW, record_no_answer
from .sync_server import PASSWORD, HeadOffice


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[BackgroundRunner]:
    r = BackgroundRunner()
    yield r
    r.shutdown()


def _close_long_ago(store: Store, case_id: int) -> None:
    with store.write() as s:
        s.execute(text("UPDATE cases SET status = 'closed', updated_at = :t WHERE id = :id"),
                  {"t": to_db_time(utcnow() - timedelta(days=60)), "id": case_id})


def test_purge_after_sync_removes_an_acknowledged_closed_case_and_keeps_an_unacknowledged_one(
        qtbot: QtBot, runner: BackgroundRunner, headoffice: HeadOffice, agent_store: Store, tmp_path) -> None:
    account = HeadOfficeAccount(server=headoffice.url, username="agent01", device_id=device_of(agent_store))
    sync = HeadOfficeSync(agent_store, runner, account, password=lambda: PASSWORD, retry_budget=20.0,
                          interval_ms=3_600_000, probe_ms=3_600_000)
    with qtbot.waitSignal(sync.finished, timeout=120_000) as first:
        sync.sync_now()
    assert first.args[0], first.args[1]
    with agent_store.read() as s:
        acked, waiting = (int(i) for i in s.scalars(select(m.Case.id).order_by(m.Case.id).limit(2)))
        name = s.execute(text("SELECT d.name FROM debtors d JOIN cases c ON c.debtor_id = d.id WHERE c.id = :i"),
                         {"i": acked}).scalar_one()
    record_no_answer(agent_store, acked)
    with qtbot.waitSignal(sync.finished, timeout=120_000) as second:
        sync.sync_now()  # acknowledged
    assert second.args[0], second.args[1]
    # Both cases closed two months ago (head office's status, written here directly).
    with agent_store.write() as s:  # head office refuses this one (unknown kind): it stays unacknowledged
        append_event(s, case_id=waiting, case_version=1, kind="teleport", payload={"x": 1},
                     occurred_at=NOW, recorded_at=NOW, actor="agent01")
    _close_long_ago(agent_store, acked)
    _close_long_ago(agent_store, waiting)

    scheduler = RetentionScheduler(agent_store, runner, lambda: 30, tmp_path / "attachments", sync=sync,
                                   check_ms=3_600_000)
    with qtbot.waitSignal(scheduler.purged, timeout=120_000) as purged:
        sync.sync_now()  # a successful round starts the purge by itself
    summary = purged.args[0]
    assert summary.cases == 1 and summary.kept == 1 and summary.days == 30 and summary.events >= 1
    with agent_store.read() as s:
        assert s.get(m.Case, acked) is None
        assert s.get(m.Case, waiting) is not None
        assert s.scalar(select(func.count()).select_from(m.DeadLetter)) == 1
        assert s.scalar(select(func.count()).select_from(m.Event).where(m.Event.case_id == acked)) == 0
    assert last_purge(agent_store) == summary

    # The Sync page says it in counts, never with a name.
    from app.ui.sync_page import SyncPage

    page = SyncPage(_ctx(agent_store, runner, sync, tmp_path))
    qtbot.addWidget(page)
    page.show_purge(summary)
    shown = page.retention.text()
    assert "1 closed case(s)" in shown and "1 kept" in shown and name not in shown
    # Once a day: not due again right after a run.
    from app.services.retention import purge_due

    assert not purge_due(agent_store) and purge_due(agent_store, now=utcnow() + timedelta(days=1, minutes=1))


def _ctx(store: Store, runner: BackgroundRunner, sync: HeadOfficeSync, tmp_path):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from app.domain.compliance import builtin_profile
    from app.ui.context import UiContext
    from app.ui.settings import AppSettings

    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return UiContext(store=store, runner=runner, settings=settings, profile=builtin_profile("CN"), actor="agent01",
                     clock=utcnow, sync=sync, cache_dir=tmp_path / "cache")
