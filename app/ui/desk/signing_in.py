"""Signing in (docs/security.md):

* an encrypted data folder opens through the login dialog (offline: the secret unlocks the store;
  `Opening.log_in`);
* a laptop with no store yet and a head office configured starts with the first, online login: head
  office checks the user name and password, then the encrypted store is created with a key from it;
* a plain store from an earlier version opens as before; "Sign in to head office…" (Sync menu, Sync
  page, or a sync that needs it) runs the online login and encrypts it in place, every row kept;
* head-office tokens live in the OS keyring, or in the encrypted secrets file without one; when the
  refresh token is gone or no longer accepted, the password is asked for in a dialog and the sync runs
  again. The head-office address, CA bundle and pins come from Settings (`--head-office` for one run);
* `--secret-stdin` reads the secret from standard input instead of a dialog (scripted starts: the demo):
  `headless_login`.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

log = logging.getLogger("doorstep")


def headless_login(data_dir_arg: str | None, username: str, secret: str, server: str | None,
                   tls: object | None) -> object:
    """Runs in a worker (`--secret-stdin`): log in without a dialog — offline on an encrypted store, else
    the first, online login (a plain store is encrypted in place). Returns the Session."""
    import uuid

    from app.services.datadir import resolve_data_dir, store_path
    from app.services.session import NeedsOnlineLogin, SessionManager
    from app.store.crypto import is_plain_sqlite

    data_dir = resolve_data_dir(data_dir_arg)
    path = store_path(data_dir)
    manager = SessionManager(path, evidence_folder=data_dir / "attachments")
    if not manager.first_login_needed():
        session = manager.login(username, secret)
        if server:  # a scripted start has the password at hand: renew the head-office session with it too
            from app.services.signin import HeadOfficeLogin
            from app.sync.engine import device_of
            from app.sync.errors import SyncError

            try:
                session.head_office = HeadOfficeLogin(server, device_of(session.require_store()),
                                                      tls)(username, secret)  # type: ignore[arg-type]
            except SyncError as exc:
                log.warning("head office did not renew the session (%s); a sync will ask", type(exc).__name__)
        return session
    if not server:
        raise NeedsOnlineLogin("the first login on this laptop needs a head-office address")
    from app.services.signin import HeadOfficeLogin

    device = str(uuid.uuid4())
    if is_plain_sqlite(path):
        from app.store.migrate import open_store
        from app.sync.engine import device_of

        plain = open_store(path)
        try:
            device = device_of(plain)
        finally:
            plain.close()
    return manager.login(username, secret, HeadOfficeLogin(server, device, tls))  # type: ignore[arg-type]


class SigningIn:
    """The desk's sign-in flows, from the launch (the first login) and from the open window."""

    args: argparse.Namespace
    window: Any
    runner: Any
    opened: Any
    sync: Any
    retention: Any
    asking: bool
    declined: bool

    # -- the first, online login -----------------------------------------------------------------
    def first_login(self, *, plain_store: bool, prepare: Any = None, device: str | None = None,
                    on_cancel: Any = None) -> Any:
        """The first, online login: head office checks the user name and password, then the store is
        created — or the plain one encrypted in place — with a key from that password."""
        import uuid

        from PySide6.QtCore import QCoreApplication

        from app.services.signin import HeadOfficeLogin
        from app.ui.login_dialog import LoginDialog

        server = self.server()
        authenticate = HeadOfficeLogin(server, device or str(uuid.uuid4()), self.tls())
        dialog = LoginDialog(self.session_manager(), self.runner, authenticate=authenticate, server=server,
                             prepare=prepare, plain_store=plain_store, parent=self.window)
        if self.args.user:
            dialog.user.setText(self.args.user)
            dialog.secret.setFocus()
        dialog.loggedIn.connect(self.logged_in)
        dialog.rejected.connect(on_cancel or (lambda: self.window.show_error(QCoreApplication.translate(
            "MainWindow", "Doorstep needs a first login with head office: restart it to log in."))))
        dialog.open()
        return dialog

    # -- signing in to head office from the open window ----------------------------------------------
    def sign_in_requested(self) -> None:
        self.declined = False
        self.ask_sign_in("")

    def sign_in_needed(self, reason: str) -> None:
        if not self.declined:
            self.ask_sign_in(reason)

    def ask_sign_in(self, reason: str) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QMessageBox

        if self.asking or self.opened is None or self.sync is None:
            return
        server = self.server()
        if not server:
            QMessageBox.information(self.window, QCoreApplication.translate("MainWindow", "Sign in to head office"),
                                    QCoreApplication.translate("MainWindow",
                                                               "Set the head office address in Settings first."))
            return
        from app.ui.head_office_sync import HeadOfficeAccount

        account = self.sync.account
        if account is None or account.server != server:
            self.sync.configure(HeadOfficeAccount(server=server, username=self.opened.actor,
                                                  device_id=self.opened.device_id,
                                                  attachments_dir=self.opened.data_dir / "attachments"),
                                tokens=self.opened.tokens, tls=self.tls())  # type: ignore[arg-type]
        else:
            self.sync.tls = self.tls()
        if self.opened.session is None:
            self.encrypt_at_sign_in()
        else:
            self.ask_password(reason)

    def ask_password(self, reason: str) -> None:
        from PySide6.QtCore import QCoreApplication

        from app.ui.login_dialog import HeadOfficePasswordDialog

        self.asking = True
        dialog = HeadOfficePasswordDialog(self.sync, reason, parent=self.window)
        dialog.setObjectName("headOfficePassword")

        def closed(code: int) -> None:
            self.asking = False
            if not code:
                self.declined = True

        dialog.finished.connect(closed)
        dialog.signedIn.connect(lambda: self.window.statusBar().showMessage(
            QCoreApplication.translate("MainWindow", "Signed in to head office."), 6000))
        dialog.open()

    def encrypt_at_sign_in(self) -> None:
        """A plain store and a first sign-in: head office checks the password, then the window lets go of the
        store, it is encrypted in place (every row kept), and the window opens it again, signed in."""
        from PySide6.QtCore import QCoreApplication

        opened = self.opened
        assert opened is not None
        released: list[bool] = []

        def release() -> None:
            from app.services.signin import retire_store

            released.append(True)
            self.sync.pause()
            self.retention.pause()
            self.window.detach(QCoreApplication.translate("MainWindow", "Encrypting the cases on this laptop…"))
            retire_store(opened.store)  # type: ignore[arg-type]

        def cancelled() -> None:
            self.asking = False
            self.declined = True
            if released:  # the store was let go but not encrypted (the dialog said why): open it again
                self.opened = None
                self.start()

        self.asking = True
        dialog = self.first_login(plain_store=True, prepare=release, device=opened.device_id, on_cancel=cancelled)
        dialog.loggedIn.connect(lambda _s: setattr(self, "asking", False))

    def sign_out(self) -> None:
        """Remove the head-office session from this laptop (keyring or encrypted file)."""
        from PySide6.QtCore import QCoreApplication

        if self.sync is None:
            return
        task = self.sync.sign_out()
        if task is not None:
            task.then(self.window, succeeded=lambda _r: self.window.statusBar().showMessage(QCoreApplication.translate(
                "MainWindow", "Signed out of head office: the session was removed from this laptop."), 8000))
