"""Signing in to head office from the window (main.py), against a REAL head-office process on loopback.

The OS keyring is outside the project (and this machine has none): every test here pins keyring's `fail`
backend, so the tokens go to the encrypted fallback file `secrets.dse` — the path a laptop without a
keyring takes. (tests/security/test_security_services.py drives the keyring path with an in-memory
keyring backend.)
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from app.services.secrets import FILE_NAME
from app.store import models as m
from app.store.vault import is_encrypted_store

from .sync_fixtures import agent_store_fixture, headoffice_fixture  # noqa: F401 (fixtures)
from .sync_helpers import record_no_answer
from .sync_server import PASSWORD, HeadOffice

SYNC_TIMEOUT = 120_000


@pytest.fixture(autouse=True)
def no_os_keyring() -> Iterator[None]:
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    before = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def qsettings(tmp_path: Path) -> Iterator[Path]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield tmp_path / "qsettings"


def _configure(server: str) -> None:
    from app.ui.settings import AppSettings

    # what main.py's QSettings() reads once it has named the application
    settings = AppSettings(QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Doorstep", "Doorstep"))
    settings.head_office_url = server
    settings.idle_lock_minutes = 0
    settings.sync()


def _visible(cls: type) -> list[Any]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()]


def _table_counts(path: Path, key: bytes | None = None) -> dict[str, int]:
    from app.store.crypto import open_cipher_connection

    if key is None:
        import sqlite3

        conn: Any = sqlite3.connect(path)
    else:
        conn = open_cipher_connection(str(path), key)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' ORDER BY name")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _close(window: Any) -> None:
    store = window.ctx.store if window.ctx is not None else None
    window.close()
    desk = window.desk
    if desk.opened is not None and desk.opened.session is not None:
        desk.opened.session.close()
    elif store is not None:
        store.close()


def _finished_ok(qtbot: QtBot, window: Any) -> tuple[bool, str]:
    results: list[tuple[bool, str]] = []
    window.ctx.sync.finished.connect(lambda ok, msg: results.append((ok, msg)))
    qtbot.waitUntil(lambda: bool(results), timeout=SYNC_TIMEOUT)
    return results[-1]


def test_first_login_online_then_offline_restart_syncs_with_the_stored_refresh_token(
        qtbot: QtBot, headoffice: HeadOffice, qsettings: Path, tmp_path: Path) -> None:
    import main
    from app.ui.login_dialog import HeadOfficePasswordDialog, LoginDialog

    data = tmp_path / "laptop"
    _configure(headoffice.url)
    _app, window, _task = main.build(["--data-dir", str(data), "--lang", "en"])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(_visible(LoginDialog)) == 1, timeout=20_000)
    dialog = _visible(LoginDialog)[0]
    assert headoffice.url in dialog.server.text() and dialog.server.isVisible()

    # Wrong password, online: said plainly, and nothing on the laptop changed.
    dialog.user.setText("agent01")
    dialog.secret.setText("not-the-password")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=30_000)
    assert "Head office did not accept" in dialog.message.text(), dialog.message.text()
    assert not (data / "doorstep.sqlite3").exists() and not is_encrypted_store(data / "doorstep.sqlite3")
    assert not (data / FILE_NAME).exists()

    dialog.secret.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=60_000)
    ok, message = _finished_ok(qtbot, window)  # the probe at start finds head office and syncs
    assert ok, message
    assert is_encrypted_store(data / "doorstep.sqlite3")
    assert (data / FILE_NAME).exists()  # the token entry (encrypted fallback: no OS keyring here)
    assert PASSWORD.encode() not in (data / FILE_NAME).read_bytes()
    desk = window.desk
    tokens = desk.opened.tokens
    assert tokens.kind == "encrypted-file"
    saved = tokens.load(headoffice.url, "agent01")
    assert saved is not None and saved.refresh_token.encode() not in (data / FILE_NAME).read_bytes()
    with window.ctx.store.read() as s:
        cases = s.scalar(select(func.count()).select_from(m.Case))
    assert cases and cases > 0
    # The new laptop's list was empty when the window opened; the first sync's cases show without a refresh.
    qtbot.waitUntil(lambda: window.cases is not None and window.cases.model.rowCount() == cases, timeout=20_000)
    qtbot.waitUntil(lambda: window.sync_page is not None and "Signed in to head office" in
                    window.sync_page.account.text())
    _close(window)

    # Restart: the login is offline (the secret unlocks the store), the sync resumes the stored session.
    _app, window, _task = main.build(["--data-dir", str(data), "--lang", "en"])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(_visible(LoginDialog)) == 1, timeout=20_000)
    dialog = _visible(LoginDialog)[0]
    assert dialog.user.text() == "agent01" and not dialog.server.isVisible()
    record_events = []
    dialog.secret.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=60_000)
    with window.ctx.store.read() as s:
        case_id = int(s.scalar(select(func.min(m.Case.id))))
    record_events.append(record_no_answer(window.ctx.store, case_id))
    window.ctx.sync.sync_now()
    ok, message = _finished_ok(qtbot, window)
    assert ok, message
    assert not _visible(HeadOfficePasswordDialog)  # no password asked: the refresh token did it
    assert headoffice.query("SELECT count(*) FROM events WHERE id = ?", (record_events[0],))[0][0] == 1
    _close(window)


def test_revoked_refresh_token_asks_for_the_password_then_delivers_the_outbox_once(
        qtbot: QtBot, headoffice: HeadOffice, qsettings: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    import main
    from app.contract import v1
    from app.ui.login_dialog import HeadOfficePasswordDialog

    data = tmp_path / "laptop"
    _configure(headoffice.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    _app, window, _task = main.build(["--data-dir", str(data), "--lang", "en", "--user", "agent01",
                                      "--secret-stdin"])  # first login online, no dialog
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=60_000)
    ok, message = _finished_ok(qtbot, window)
    assert ok, message
    store, desk = window.ctx.store, window.desk
    with store.read() as s:
        case_id = int(s.scalar(select(func.min(m.Case.id))))
    event_id = record_no_answer(store, case_id)

    # Someone replays the stored refresh token (a stolen copy is used): head office rotates it, so the
    # laptop's copy is now a replay and the whole session is revoked.
    saved = desk.opened.tokens.load(headoffice.url, "agent01")
    with httpx.Client(base_url=headoffice.url, headers={v1.API_HEADER: v1.API_VERSION}) as c:
        r = c.post("/api/v1/auth/refresh", json={"refresh_token": saved.refresh_token,
                                                 "device_id": desk.opened.device_id})
        assert r.status_code == 200, r.text
    # The access token may still be valid: make the app need the refresh now.
    from datetime import timedelta

    from app.sync.tokens import Tokens

    desk.opened.tokens.save(headoffice.url, "agent01",
                            Tokens("expired", saved.refresh_token, saved.expires_at - timedelta(days=1)))

    window.ctx.sync.sync_now()
    qtbot.waitUntil(lambda: len(_visible(HeadOfficePasswordDialog)) == 1, timeout=SYNC_TIMEOUT)
    assert "ended the session" in window.sync_page.result.text()
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Outbox)) == 1  # kept, nothing lost
    assert headoffice.query("SELECT count(*) FROM events WHERE id = ?", (event_id,))[0][0] == 0
    ask = _visible(HeadOfficePasswordDialog)[0]
    assert ask.user.text() == "agent01" and ask.user.isReadOnly()
    ask.password.setText("wrong")
    qtbot.mouseClick(ask.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ask.ok.isEnabled() and "did not accept" in ask.message.text(), timeout=30_000)
    results: list[tuple[bool, str]] = []
    window.ctx.sync.finished.connect(lambda ok_, msg: results.append((ok_, msg)))
    ask.password.setText(PASSWORD)
    qtbot.mouseClick(ask.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(results), timeout=SYNC_TIMEOUT)  # the sync runs again by itself
    assert results[-1][0], results[-1][1]
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Outbox)) == 0
    assert headoffice.query("SELECT count(*) FROM events WHERE id = ?", (event_id,))[0][0] == 1
    _close(window)


def test_a_plain_folder_is_encrypted_from_the_window_keeping_every_row(
        qtbot: QtBot, headoffice: HeadOffice, qsettings: Path, tmp_path: Path, agent_store: Any) -> None:
    import main
    from app.services.syncing import sync_once
    from app.store.vault import unlock
    from app.sync.client import HeadOfficeClient
    from app.sync.engine import device_of
    from app.ui.login_dialog import LoginDialog

    # A laptop of an earlier version: a plain store, synced, with one record still queued.
    with HeadOfficeClient(headoffice.url, device_of(agent_store)) as client:
        client.login("agent01", PASSWORD)
        sync_once(agent_store, client)
    with agent_store.read() as s:
        case_id = int(s.scalar(select(func.min(m.Case.id))))
        name = s.execute(text("SELECT d.name FROM debtors d JOIN cases c ON c.debtor_id = d.id WHERE c.id = :i"),
                         {"i": case_id}).scalar_one()
    event_id = record_no_answer(agent_store, case_id)
    agent_store.close()
    data = tmp_path / "agent"
    path = data / "doorstep.sqlite3"
    before = _table_counts(path)

    _configure(headoffice.url)
    _app, window, _task = main.build(["--data-dir", str(data), "--lang", "en", "--user", "agent01"])
    qtbot.addWidget(window)
    # The plain store opens as before; the probe's sync finds no session and the sign-in dialog opens.
    qtbot.waitUntil(lambda: len(_visible(LoginDialog)) == 1, timeout=SYNC_TIMEOUT)
    dialog = _visible(LoginDialog)[0]
    assert "encrypted" in dialog.intro.text()
    dialog.secret.setText("wrong")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled() and "Head office did not accept" in dialog.message.text(),
                    timeout=30_000)
    # Nothing changed (the window itself keeps its bookkeeping in sync_state: the retention run's summary).
    assert not is_encrypted_store(path)
    assert {t: n for t, n in _table_counts(path).items() if t != "sync_state"} == \
        {t: n for t, n in before.items() if t != "sync_state"}
    assert window.ctx is not None  # still working on the plain store

    phases: list[str] = []
    dialog.message.setText("")

    def note() -> None:
        if dialog.message.text() and (not phases or phases[-1] != dialog.message.text()):
            phases.append(dialog.message.text())

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(note)
    timer.start(5)
    dialog.secret.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible() and window.ctx is not None
                    and window.desk.opened.session is not None,
                    timeout=120_000)
    timer.stop()
    assert any("Encrypting" in p for p in phases), phases
    assert is_encrypted_store(path)
    keys = unlock(path, PASSWORD)
    try:
        after = _table_counts(path, keys.store_key)
    finally:
        keys.wipe()
    # Every row kept (the sync that follows may already have delivered the queued record: the outbox and
    # the sync bookkeeping are the only tables it changes).
    volatile = {"outbox", "sync_state"}
    assert {t: n for t, n in after.items() if t not in volatile} == \
        {t: n for t, n in before.items() if t not in volatile}
    raw = b"".join(p.read_bytes() for p in data.glob("doorstep.sqlite3*") if p.is_file())
    assert name.encode() not in raw
    ok, message = _finished_ok(qtbot, window)
    assert ok, message
    assert headoffice.query("SELECT count(*) FROM events WHERE id = ?", (event_id,))[0][0] == 1
    _close(window)


def test_lock_forgets_the_session_in_memory_unlock_resumes_it_and_sign_out_removes_it(
        qtbot: QtBot, headoffice: HeadOffice, qsettings: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import main
    from app.services.secrets import SecretsError
    from app.ui.login_dialog import HeadOfficePasswordDialog, LoginDialog

    data = tmp_path / "laptop"
    _configure(headoffice.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    _app, window, _task = main.build(["--data-dir", str(data), "--lang", "en", "--user", "agent01",
                                      "--secret-stdin"])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=60_000)
    ok, message = _finished_ok(qtbot, window)
    assert ok, message
    desk = window.desk
    vault = desk.opened.tokens
    sync = window.ctx.sync

    # Lock (Ctrl+L): keys and the cached tokens leave memory, the sync is paused.
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible() and len(_visible(LoginDialog)) == 1)
    assert sync.paused and desk.opened.session.locked
    with pytest.raises(SecretsError):
        vault.load(headoffice.url, "agent01")
    with qtbot.waitSignal(sync.finished, timeout=5_000) as blocked:
        sync.sync_now()
    assert blocked.args[0] is False and "locked" in blocked.args[1]

    unlock = _visible(LoginDialog)[0]
    unlock.secret.setText(PASSWORD)
    qtbot.mouseClick(unlock.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.isVisible() and not sync.paused and desk.opened.tokens is not vault,
                    timeout=30_000)
    results: list[tuple[bool, str]] = []
    sync.finished.connect(lambda ok_, msg: results.append((ok_, msg)))
    sync.sync_now()
    qtbot.waitUntil(lambda: bool(results), timeout=SYNC_TIMEOUT)
    assert results[-1][0], results[-1][1]  # the stored session, read again with the new keys
    assert not _visible(HeadOfficePasswordDialog)

    # Sign out of head office: the session leaves the laptop; the next sync asks for the password.
    signed: list[bool] = []
    sync.signedInChanged.connect(signed.append)
    window.sign_out()
    qtbot.waitUntil(lambda: signed == [False], timeout=10_000)
    assert desk.opened.tokens.load(headoffice.url, "agent01") is None
    assert "Not signed in" in window.sync_page.account.text()
    sync.sync_now()
    qtbot.waitUntil(lambda: len(_visible(HeadOfficePasswordDialog)) == 1, timeout=SYNC_TIMEOUT)
    _visible(HeadOfficePasswordDialog)[0].reject()
    _close(window)


def test_settings_saved_in_the_window_reach_the_running_sync(
        qtbot: QtBot, headoffice: HeadOffice, qsettings: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    import main

    data = tmp_path / "laptop"
    _configure(headoffice.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    _app, window, _task = main.build(["--data-dir", str(data), "--lang", "en", "--user", "agent01",
                                      "--secret-stdin"])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=60_000)
    ok, message = _finished_ok(qtbot, window)
    assert ok, message
    sync = window.ctx.sync
    pin = hashlib.sha256(b"the company's key").hexdigest()
    dialog = window.open_settings()
    dialog.pins.setPlainText(pin)
    dialog.head_office.setText("https://ho.example.com")
    dialog.save()
    assert sync.account.server == "https://ho.example.com" and sync.tls.pins == (pin,)
    assert sync.account.username == "agent01"
    # The new head office has no session here yet: the Sync page says so once the vault was read.
    qtbot.waitUntil(lambda: sync.signed_in is False, timeout=10_000)
    assert "Not signed in to head office https://ho.example.com" in window.sync_page.account.text()
    _close(window)
