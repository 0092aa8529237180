"""GUI test fixtures: a window over a private demo store, a fixed clock, settings in a temp file."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import DEMO_TODAY

ZONE = ZoneInfo("Asia/Shanghai")


class FakeClock:
    """The injected clock: tests move it (e.g. to 23:00 Beijing time) instead of waiting."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set_local(self, hour: int, minute: int = 0) -> None:
        self.at = datetime.combine(DEMO_TODAY, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def clock() -> FakeClock:
    c = FakeClock(datetime(2000, 1, 1, tzinfo=UTC))
    c.set_local(10, 0)
    return c


@pytest.fixture
def app_settings(tmp_path: Path, qapp: Any) -> Any:
    from PySide6.QtCore import QSettings

    from app.ui.settings import AppSettings

    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.reports_folder = str(tmp_path / "reports")  # not the developer's documents folder
    return settings


@pytest.fixture
def translations(qapp: Any) -> Iterator[Any]:
    from app.ui.i18n import Translations

    t = Translations(qapp)
    t.apply("en")
    yield t
    t.apply("en")


@pytest.fixture
def ctx(demo_store: Any, app_settings: Any, clock: FakeClock, tmp_path: Path, qapp: Any) -> Iterator[Any]:
    from app.domain.compliance import builtin_profile
    from app.ui.context import UiContext
    from app.ui.sync_controller import NoHeadOffice
    from app.ui.worker import BackgroundRunner

    runner = BackgroundRunner()
    sync = NoHeadOffice()
    evidence_key = bytearray(os.urandom(32))  # as the key file's evidence key: random bytes
    context = UiContext(store=demo_store, runner=runner, settings=app_settings, profile=builtin_profile("CN"),
                        actor="agent01", clock=clock, sync=sync, cache_dir=tmp_path / "cache",
                        evidence_folder=tmp_path / "attachments", evidence_key=lambda: evidence_key)
    yield context
    assert runner.shutdown(20_000), "background work still running at the end of a test"


@pytest.fixture
def window(ctx: Any, app_settings: Any, translations: Any, qtbot: Any) -> Iterator[Any]:
    from app.ui.main_window import MainWindow

    win = MainWindow(app_settings, translations)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    with qtbot.waitSignal(win.caseListReady, timeout=20_000):
        win.attach(ctx)
    yield win
    win.close()  # before the store closes: a hidden window reads nothing more


def sql(store: Any, query: str, **params: Any) -> list[tuple[Any, ...]]:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query), params)]


def pick_case(store: Any, where: str = "1=1", **params: Any) -> int:
    rows = sql(store, f"SELECT id FROM cases WHERE {where} ORDER BY id LIMIT 1", **params)
    assert rows, f"the demo city has no case where {where}"
    return int(rows[0][0])


def _dead_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def unreachable_sync(ctx: Any) -> Iterator[Any]:
    """The window's real head-office glue, pointed at a loopback port where nothing listens."""
    from app.sync.engine import device_of
    from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync

    account = HeadOfficeAccount(server=f"http://127.0.0.1:{_dead_port()}", username="super01",
                                device_id=device_of(ctx.store))
    sync = HeadOfficeSync(ctx.store, ctx.runner, account, password=lambda: "pw", retry_budget=0.0,
                          interval_ms=3_600_000, probe_ms=3_600_000)
    yield sync
    sync.timer.stop()
    sync.probe_timer.stop()
