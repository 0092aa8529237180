"""main.py over an encrypted data folder: the login dialog opens the workspace; idle lock hides the window
and the unlock dialog brings it back with the same store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.services.session import SessionManager

from .conftest import SECRET


@pytest.fixture
def temp_qsettings(tmp_path: Path) -> Any:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield tmp_path / "qsettings"


def _dialogs() -> list[Any]:
    from app.ui.login_dialog import LoginDialog

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible()]


def test_encrypted_folder_logs_in_then_locks_and_unlocks(demo_dir: Path, temp_qsettings: Path, qtbot: Any) -> None:
    import main
    from app.ui.idle_lock import IdleWatcher
    from app.ui.login_dialog import LoginDialog

    SessionManager(demo_dir / "doorstep.sqlite3").login("agent01", SECRET, lambda u, s: None).close()
    _app, window, task = main.build(["--data-dir", str(demo_dir), "--lang", "en"])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.findChild(LoginDialog) is not None and window.findChild(LoginDialog).isVisible(),
                    timeout=20_000)
    dialog = window.findChild(LoginDialog)
    assert dialog.user.text() == "agent01"
    dialog.secret.setText("wrong secret")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled() and "Wrong" in dialog.message.text(), timeout=20_000)
    assert window.ctx is None
    dialog.secret.setText(SECRET)
    with qtbot.waitSignal(window.caseListReady, timeout=60_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert window.cases.model.rowCount() == 600
    store = window.ctx.store

    watcher = window.findChild(IdleWatcher)
    assert watcher is not None and watcher.lock is not None and watcher.lock.minutes == 10
    watcher.idle.emit()  # what the timer emits after 10 idle minutes (IdleWatcher's own test covers the timing)
    qtbot.waitUntil(lambda: not window.isVisible() and len(_dialogs()) == 1)
    unlock = _dialogs()[0]
    assert unlock.user.isReadOnly()
    unlock.secret.setText(SECRET)
    qtbot.mouseClick(unlock.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.isVisible(), timeout=20_000)
    assert window.ctx.store is store
    with store.read() as s:
        from sqlalchemy import text

        assert s.execute(text("SELECT count(*) FROM cases")).scalar_one() == 600
    window.close()
    store.close()
