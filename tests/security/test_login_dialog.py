"""The login/unlock dialog and the idle lock, driven with pytest-qt over a real encrypted store.
The head-office login call is stood in by a function (the real one is HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services.session import Session, SessionManager

from .conftest import SECRET


@pytest.fixture
def runner(qapp: Any) -> Iterator[Any]:
    from app.ui.worker import BackgroundRunner

    r = BackgroundRunner()
    yield r
    r.shutdown()


def head_office(username: str, secret: str) -> None:
    if (username, secret) != ("agent01", SECRET):
        raise PermissionError("401")


def test_first_login_then_lock_and_unlock(tmp_path: Path, qtbot: Any, runner: Any) -> None:
    from app.ui.login_dialog import LoginDialog

    manager = SessionManager(tmp_path / "doorstep.sqlite3")
    dialog = LoginDialog(manager, runner, authenticate=head_office)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.user, "agent01")
    qtbot.keyClicks(dialog.secret, "not it")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled() and "Head office did not accept" in dialog.message.text())
    assert dialog.secret.text() == ""  # cleared after each try
    dialog.grab().save(str(tmp_path / "login.png"))
    dialog.secret.setText(SECRET)  # QTest types ASCII only; the secret has Chinese in it
    with qtbot.waitSignal(dialog.loggedIn, timeout=20_000) as got:
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    session: Session = got.args[0]
    assert session.username == "agent01" and not session.locked

    session.lock()
    unlock = LoginDialog(manager, runner, session=session)
    qtbot.addWidget(unlock)
    unlock.show()
    assert unlock.user.isReadOnly() and unlock.user.text() == "agent01"
    qtbot.keyClicks(unlock.secret, "guess")
    qtbot.mouseClick(unlock.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: unlock.ok.isEnabled() and "Wrong user name or secret" in unlock.message.text())
    assert session.locked
    unlock.secret.setText(SECRET)
    with qtbot.waitSignal(unlock.loggedIn, timeout=20_000):
        qtbot.mouseClick(unlock.ok, Qt.MouseButton.LeftButton)
    assert not session.locked
    session.lock()


def test_back_off_is_shown_in_words(tmp_path: Path, qtbot: Any, runner: Any) -> None:
    from app.ui.login_dialog import LoginDialog

    manager = SessionManager(tmp_path / "doorstep.sqlite3")
    manager.login("agent01", SECRET, head_office).close()
    dialog = LoginDialog(manager, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.user.text() == "agent01"  # remembered; the secret is not
    for _ in range(4):
        qtbot.keyClicks(dialog.secret, "guess")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.ok.isEnabled())
    assert "try again in" in dialog.message.text()
    dialog.grab().save(str(tmp_path / "backoff.png"))


def test_idle_watcher_fires_after_the_idle_minutes_and_input_restarts_it(qtbot: Any, qapp: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    from app.ui.idle_lock import IdleWatcher

    now = [0.0]
    watcher = IdleWatcher(10, check_ms=10, clock=lambda: now[0])
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()  # a window opened after the watcher started: watched once it takes focus
    field.activateWindow()
    qtbot.waitUntil(lambda: qapp.focusWindow() is field.windowHandle())
    now[0] = 599.0
    # real input arrives at the top-level window first (QTest's QWindow overload goes that way)
    QTest.keyClick(field.windowHandle(), Qt.Key.Key_A)
    assert field.text() == "a"
    now[0] = 1198.0  # 599 s after the key press: not yet
    watcher.check()
    now[0] = 1200.0
    with qtbot.waitSignal(watcher.idle, timeout=2000):
        pass
    watcher.stop()
    off = IdleWatcher(0)
    assert off.lock is None and not off.timer.isActive()
