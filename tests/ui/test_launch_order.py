"""main.py's launch order: the list's first rows come before the chores, which still run; the Cases list
shows the first page read at launch without reading it again; garbage collection is back on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.ui import gui_gc


@pytest.fixture
def temp_qsettings(tmp_path: Path) -> Any:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield tmp_path / "qsettings"


def test_the_purge_check_runs_after_the_first_rows_and_the_first_page_is_not_read_twice(
        demo_dir: Path, temp_qsettings: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import main
    from app.services import retention
    from app.store.migrate import open_store
    from app.ui import case_model
    from app.ui.desk.controller import Desk

    with_store = open_store(demo_dir / "doorstep.sqlite3")
    try:
        assert retention.purge_due(with_store)  # a demo folder never purged
    finally:
        with_store.close()
    reads: list[object] = []
    real_first = case_model.sql_first

    def counted(conn: Any, query: Any, limit: int) -> Any:
        reads.append(query)
        return real_first(conn, query, limit)

    monkeypatch.setattr(case_model, "sql_first", counted)
    order: list[str] = []
    real_run = Desk.start_chores

    def chores(self: Any) -> None:
        order.append("chores")
        real_run(self)

    monkeypatch.setattr(Desk, "start_chores", chores)
    _app, window, _task = main.build(["--data-dir", str(demo_dir), "--lang", "en"])
    qtbot.addWidget(window)
    try:
        window.caseListShown.connect(lambda: order.append("shown" if window.cases is not None else "first page"))
        with qtbot.waitSignal(window.caseListReady, timeout=30_000):
            pass
        qtbot.waitUntil(lambda: "chores" in order, timeout=10_000)
        assert order[:3] == ["first page", "shown", "chores"]
        assert reads == []  # the workspace's Cases list showed the rows the launch had read
        assert window.cases.model.rowCount() == 600
        assert gui_gc.taken() and not gui_gc.held()  # the launch let go; the GUI thread collects
        store = window.ctx.store
        qtbot.waitUntil(lambda: not retention.purge_due(store), timeout=10_000)  # the purge check ran
    finally:
        window.close()
        if window.ctx is not None:
            window.ctx.store.close()
