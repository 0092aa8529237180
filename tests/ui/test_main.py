"""main.py: the window shows before the store opens, then the case list arrives; bad data folders say why."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def temp_qsettings(tmp_path: Path) -> Any:
    """QSettings() (no arguments, as main.py uses it) writes into a temporary folder."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield tmp_path / "qsettings"


def close_window(window: Any) -> None:
    window.close()
    if window.ctx is not None:
        window.ctx.store.close()


def test_main_opens_the_workspace_on_a_data_folder(demo_dir: Path, temp_qsettings: Path, qtbot: Any) -> None:
    import main

    app, window, task = main.build(["--data-dir", str(demo_dir), "--lang", "en"])
    qtbot.addWidget(window)
    assert window.isVisible() and window.ctx is None  # shown first, store still opening
    with qtbot.waitSignal(window.caseListReady, timeout=30_000):
        pass
    assert window.cases.model.rowCount() == 600
    assert window.ctx.profile.id == "CN"
    close_window(window)
    assert (temp_qsettings / "Doorstep").exists() or any(temp_qsettings.rglob("*.ini"))


def test_main_reports_a_file_that_is_not_a_store(tmp_path: Path, temp_qsettings: Path, qtbot: Any) -> None:
    import main

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "doorstep.sqlite3").write_bytes(b"this is not sqlite at all" * 10)
    _app, window, task = main.build(["--data-dir", str(bad), "--lang", "en"])
    qtbot.addWidget(window)
    with qtbot.waitSignal(task.failed, timeout=10_000):
        pass
    assert "not a Doorstep database" in window.loading.text()
    assert (bad / "doorstep.sqlite3").read_bytes().startswith(b"this is not sqlite")
    window.close()
    shutil.rmtree(bad)
