"""The sign-in dialogs, the Sync page's signed-in state and the head-office fields of Settings, in English
and Chinese: what they say, what they refuse, and screenshots (saved under DOORSTEP_SCREENSHOTS when set,
else the test's temp folder) that must not be blank. No network: the sync controller is given an account
and a vault, never asked to reach head office."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from app.services.retention import PurgeSummary


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DOORSTEP_SCREENSHOTS", str(tmp_path)))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _not_blank(path: Path) -> None:
    image = QImage(str(path))
    assert not image.isNull()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20, f"{path.name} is (nearly) one colour"


@pytest.fixture
def runner(qapp: Any) -> Any:
    from app.ui.worker import BackgroundRunner

    r = BackgroundRunner()
    yield r
    r.shutdown()


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_sign_in_dialogs_and_signed_in_sync_page(lang: str, qtbot: Any, translations: Any, runner: Any,
                                                 demo_store: Any, app_settings: Any, tmp_path: Path) -> None:
    from keyring.backends import fail

    from app.domain.clock import utcnow
    from app.domain.compliance import builtin_profile
    from app.services.session import SessionManager
    from app.services.signin import token_store_for
    from app.store.vault import create_keys
    from app.ui.context import UiContext
    from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync
    from app.ui.login_dialog import HeadOfficePasswordDialog, LoginDialog
    from app.ui.sync_page import SyncPage

    translations.apply(lang)
    out = _shots(tmp_path)
    zh = lang == "zh_CN"

    # The first sign-in over a plain store, refused for plain http:// to another machine.
    manager = SessionManager(tmp_path / "laptop" / "doorstep.sqlite3")
    dialog = LoginDialog(manager, runner, server="https://ho.example.com", plain_store=True,
                         authenticate=lambda _u, _s: None)
    qtbot.addWidget(dialog)
    dialog.user.setText("agent01")
    dialog.show()
    from app.services.session import HeadOfficeUnreachable
    from app.sync.errors import UntrustedServer
    from app.sync.transport import InsecureTransport

    try:
        try:
            raise InsecureTransport("plain http:// to 10.0.0.5 is refused")
        except InsecureTransport as inner:
            raise UntrustedServer(str(inner)) from inner
    except UntrustedServer as exc:
        refusal = HeadOfficeUnreachable(str(exc))
        refusal.__cause__ = exc
    dialog._failed(refusal)
    assert ("明文 http://" if zh else "Plain http://") in dialog.message.text()
    assert ("加密" if zh else "encrypted") in dialog.intro.text() and dialog.server.isVisible()
    dialog.grab().save(str(out / f"sign-in-first-{lang}.png"))
    _not_blank(out / f"sign-in-first-{lang}.png")

    # The Sync page, signed in (tokens in the encrypted file: no keyring on a test machine).
    (tmp_path / "vault").mkdir()
    keys = create_keys(tmp_path / "vault" / "doorstep.sqlite3", "柜台-Secret 2026!")
    tokens = token_store_for(tmp_path / "vault", keys, "device-1", keyring_backend=fail.Keyring())
    account = HeadOfficeAccount(server="https://ho.example.com", username="agent01", device_id="device-1")
    sync = HeadOfficeSync(demo_store, runner, account, tokens=tokens, interval_ms=3_600_000, probe_ms=3_600_000)
    ctx = UiContext(store=demo_store, runner=runner, settings=app_settings, profile=builtin_profile("CN"),
                    actor="agent01", clock=utcnow, sync=sync, cache_dir=tmp_path / "cache")
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 650)
    page.show()
    assert ("未登录" if zh else "Not signed in") not in page.account.text()
    sync._set_signed_in(False)
    assert ("未登录总部" if zh else "Not signed in to head office") in page.account.text()
    sync._set_signed_in(True)
    text = page.account.text()
    assert "https://ho.example.com" in text and "agent01" in text
    assert ("加密密钥文件" if zh else "encrypted secrets file") in text
    page.show_purge(PurgeSummary(datetime(2026, 11, 30, 2, 0, tzinfo=UTC), 30, 3, 17, 1, 2))
    assert ("3 件" if zh else "3 closed case(s)") in page.retention.text()
    from app.services.retention import scheduled_purge

    summary = scheduled_purge(demo_store, days=30)  # a real run over the demo city: the page reads it back
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        page.refresh()
    qtbot.waitUntil(lambda: page.retention.text().startswith("数据保留（" if zh else "Retention ("))
    assert f"{summary.cases} " in page.retention.text()
    page.grab().save(str(out / f"sync-signed-in-{lang}.png"))
    _not_blank(out / f"sync-signed-in-{lang}.png")
    assert page.sign_in_button.isVisible() and page.sign_out_button.isEnabled()

    # The password, when the session has ended.
    ask = HeadOfficePasswordDialog(sync, sync.tr("Head office ended the session (it expired or was revoked): sign "
                                                 "in again to sync; everything recorded stays queued on this laptop."))
    qtbot.addWidget(ask)
    ask.show()
    assert ask.user.isReadOnly() and ask.user.text() == "agent01"
    assert ("总部已结束登录会话" if zh else "ended the session") in ask.intro.text()
    ask.grab().save(str(out / f"sign-in-password-{lang}.png"))
    _not_blank(out / f"sign-in-password-{lang}.png")
    sync.timer.stop()
    sync.probe_timer.stop()
    tokens.forget()
    keys.wipe()


def test_settings_check_the_head_office_fields(qtbot: Any, app_settings: Any, tmp_path: Path) -> None:
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(app_settings)
    qtbot.addWidget(dialog)
    dialog.head_office.setText("http://ho.example.com")
    dialog.save()
    assert "Plain http://" in dialog.head_office_error.text() and app_settings.head_office_url == ""
    dialog.head_office.setText("http://127.0.0.1:8765")  # a head office on this machine may use http://
    dialog.pins.setPlainText("not-a-pin")
    dialog.save()
    assert dialog.head_office_error.isHidden() and "SHA-256" in dialog.tls_error.text()
    dialog.pins.setPlainText("")
    dialog.ca_bundle.setText(str(tmp_path / "missing.pem"))
    dialog.save()
    assert "does not exist" in dialog.tls_error.text()
    junk = tmp_path / "junk.pem"
    junk.write_text("<script>alert(1)</script>")
    dialog.ca_bundle.setText(str(junk))
    dialog.save()
    assert "not a PEM" in dialog.tls_error.text() and app_settings.ca_bundle == ""

    import base64
    import hashlib

    pin = base64.b64encode(hashlib.sha256(b"spki").digest()).decode()
    backup = hashlib.sha256(b"backup").hexdigest()
    dialog.ca_bundle.setText("")
    dialog.pins.setPlainText(f"{pin}\n\n{backup}\n")
    dialog.retention.setValue(45)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert app_settings.head_office_url == "http://127.0.0.1:8765"
    assert app_settings.tls_pins == [pin, backup] and app_settings.retention_days == 45

    from app.ui.head_office_sync import transport_settings

    tls = transport_settings(app_settings)
    assert tls.pins == (pin, backup) and tls.ca_bundle is None


def test_sign_in_and_out_are_on_the_keyboard(window: Any, ctx: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync

    account = HeadOfficeAccount(server="https://ho.example.com", username="agent01", device_id="device-1")
    sync = HeadOfficeSync(ctx.store, ctx.runner, account, interval_ms=3_600_000, probe_ms=3_600_000)
    window.ctx.sync = sync  # the window asks whatever sync controller it holds
    window.activateWindow()
    with qtbot.waitSignal(sync.signInRequested, timeout=5_000):
        qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    sync_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "S&ync")
    sign_out = next(a for a in sync_menu.actions() if a.text() == "Sign &out of head office")
    with qtbot.waitSignal(sync.signOutRequested, timeout=5_000):
        sign_out.trigger()
    sync.timer.stop()
    sync.probe_timer.stop()
