"""Login and unlock: user name and secret, checked off the GUI thread (argon2id takes a few hundred ms).

`LoginDialog(manager, runner, authenticate=…)` logs in (online the first time on a laptop, offline
after); `LoginDialog(manager, runner, session=locked)` unlocks a locked session for the same user.
On success `loggedIn(Session)` is emitted and the dialog accepts; a refusal is shown in words (wrong
secret, wait N s, needs head office, head office unreachable, http:// refused) and the secret field is
cleared.

A first login runs in two background steps: head office checks the user name and secret (nothing on
the laptop changes if it refuses), then `prepare()` runs on the GUI thread (the window lets go of a plain
store it has open) and the store is created — or a plain one encrypted in place — with the phase shown.

`HeadOfficePasswordDialog(sync, reason)` asks for the head-office password when the sync's session has
ended (later logins are offline, so a sync may need it again); it signs in through `sync.sign_in`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.session import (
    PHASE_ENCRYPT,
    PHASE_HEAD_OFFICE,
    PHASE_OPEN,
    Authenticate,
    BadCredentials,
    HeadOfficeUnreachable,
    LoginError,
    NeedsOnlineLogin,
    Session,
    SessionManager,
    TooManyAttempts,
)
from app.store.migrate import StoreError

from .worker import BackgroundRunner


class LoginDialog(QDialog):
    loggedIn = Signal(object)  # Session

    def __init__(self, manager: SessionManager, runner: BackgroundRunner, *,
                 authenticate: Authenticate | None = None, session: Session | None = None,
                 server: str = "", prepare: Callable[[], None] | None = None, plain_store: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.runner = runner
        self.authenticate = authenticate
        self.session = session
        self.prepare = prepare
        self.plain_store = plain_store
        unlocking = session is not None
        self.setWindowTitle(self.tr("Doorstep is locked") if unlocking else self.tr("Log in to Doorstep"))
        self.setModal(True)
        self.intro = QLabel(self)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        if unlocking:
            self.intro.setText(self.tr("Enter your secret to continue."))
        elif manager.first_login_needed() and plain_store:
            self.intro.setText(self.tr("Sign in to head office: it checks your user name and password, then the "
                                       "cases already on this laptop are encrypted with that password (every "
                                       "record is kept). Later logins work offline with the same password."))
        elif manager.first_login_needed():
            self.intro.setText(self.tr("First login on this laptop: head office checks your user name and "
                                       "secret, then your cases are stored encrypted with that secret."))
        else:
            self.intro.setText(self.tr("Works offline: your secret unlocks the encrypted cases on this laptop."))
        self.user = QLineEdit(self)
        self.user.setMaxLength(64)
        self.secret = QLineEdit(self)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setMaxLength(1024)
        if unlocking and session is not None:
            self.user.setText(session.username)
            self.user.setReadOnly(True)
        elif manager.state().username:
            self.user.setText(manager.state().username)
        form = QFormLayout()
        self.server = QLabel(server, self)
        self.server.setTextFormat(Qt.TextFormat.PlainText)
        if server and not unlocking and manager.first_login_needed():
            form.addRow(self.tr("Head office:"), self.server)
        else:
            self.server.hide()
        form.addRow(self.tr("&User name:"), self.user)
        online_first = not unlocking and authenticate is not None and manager.first_login_needed()
        # The first login is the head-office password, which then becomes the secret of this laptop.
        form.addRow(self.tr("&Password:") if online_first else self.tr("&Secret:"), self.secret)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Unlock") if unlocking else self.tr("&Log in"))
        self.buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.secret if self.user.text() else self.user).setFocus()
        self.setMinimumWidth(460)
        self.adjustSize()

    def _busy(self, busy: bool) -> None:
        for w in (self.user, self.secret, self.ok):
            w.setEnabled(not busy)
        if busy:
            self.message.setStyleSheet("color: palette(text);")
            self.message.setText(self.tr("Checking…"))
            self.message.show()

    def submit(self) -> None:
        username, secret = self.user.text().strip(), self.secret.text()
        if not username or not secret:
            self._show_error(self.tr("Enter your user name and secret."))
            return
        self._busy(True)
        self.secret.clear()  # the text leaves the widget; see app.services.session on what Python can wipe
        if self.session is not None:
            session = self.session
            task = self.runner.submit(lambda: (self.manager.unlock(session, secret), session)[1])
        elif self.authenticate is not None and self.manager.first_login_needed():
            self._phase(PHASE_HEAD_OFFICE)
            auth = self.authenticate
            task = self.runner.submit(lambda: self.manager.check_online(username, secret, auth))
            task.then(self, succeeded=lambda answer: self._accepted_online(username, secret, answer),
                            failed=self._failed)
            return
        else:
            auth = self.authenticate
            task = self.runner.submit(lambda: self.manager.login(username, secret, auth))
        task.then(self, succeeded=self._done, failed=self._failed)

    def _accepted_online(self, username: str, secret: str, answer: Any) -> None:
        """Head office said yes: let the window release its store, then create or encrypt it."""
        if self.prepare is not None:
            self.prepare()
        self._phase(PHASE_ENCRYPT)
        task = self.runner.submit(lambda handle: self.manager.login(
            username, secret, lambda _u, _s: answer, progress=lambda phase, _n: handle.progress(phase, _n)),
            with_handle=True)
        task.then(self, progressed=lambda phase, _n: self._phase(phase),
                        succeeded=self._done,
                        failed=self._failed)

    def _phase(self, phase: int) -> None:
        text = {PHASE_HEAD_OFFICE: self.tr("Asking head office…"),
                PHASE_ENCRYPT: self.tr("Encrypting the cases on this laptop with your password (every record "
                                       "is kept)…") if self.plain_store else
                self.tr("Creating the encrypted case store…"),
                PHASE_OPEN: self.tr("Opening…")}.get(phase)
        if text:
            self.message.setStyleSheet("color: palette(text);")
            self.message.setText(text)
            self.message.show()

    def _done(self, session: Session) -> None:
        self._busy(False)
        self.message.hide()
        self.loggedIn.emit(session)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, TooManyAttempts):
            text = self.tr("Too many failed attempts: try again in %n second(s).", "", exc.wait_s)
        elif isinstance(exc, BadCredentials) and exc.reason == "wrong":
            text = self.tr("Wrong user name or secret.")
        elif isinstance(exc, BadCredentials) and exc.reason == "other_user":
            text = self.tr("The cases on this laptop belong to another user.")
        elif isinstance(exc, BadCredentials):
            text = self.tr("Head office did not accept the user name and secret.")
        elif isinstance(exc, NeedsOnlineLogin):
            text = self.tr("The first login on this laptop needs a connection to head office.")
        elif isinstance(exc, HeadOfficeUnreachable):
            text = head_office_problem(self, exc)
        elif isinstance(exc, LoginError | StoreError) and str(exc):
            text = str(exc)  # written for a user: wrong secret, needs head office, damaged key file …
        else:
            text = self.tr("The login failed: %1").replace("%1", type(exc).__name__)
        self._show_error(text)
        self.secret.setFocus()

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setText(text)
        self.message.show()
        self.adjustSize()  # wrapped text needs the height for the dialog's width


def head_office_problem(widget: QWidget, exc: BaseException) -> str:
    """Why head office could not be asked, in the user's language (nothing was changed)."""
    from app.sync.errors import ServerUnavailable, UntrustedServer
    from app.sync.transport import InsecureTransport

    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in chain:
        chain.append(cur)
        cur = cur.__cause__
    if any(isinstance(e, InsecureTransport) for e in chain):
        return QCoreApplication.translate(
            "LoginDialog", "Plain http:// would send your password and cases unencrypted, so it is refused: use an "
            "https:// address in Settings (only a head office on this computer may use http://).")
    if any(isinstance(e, UntrustedServer) for e in chain):
        return QCoreApplication.translate(
            "LoginDialog", "Head office's certificate or public key did not check out, so nothing was sent: %1") \
            .replace("%1", str(exc)[:300])
    if any(isinstance(e, ServerUnavailable) for e in chain):
        return QCoreApplication.translate(
            "LoginDialog", "Head office cannot be reached: check the network and the address in Settings. "
            "Nothing was changed.")
    return QCoreApplication.translate("LoginDialog", "Head office could not be asked: %1").replace(
        "%1", str(exc)[:300])


class HeadOfficePasswordDialog(QDialog):
    """The head-office password, when the sync's session has ended; signs in through `sync.sign_in`."""

    signedIn = Signal()

    def __init__(self, sync: Any, reason: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        account = sync.account
        self.setWindowTitle(self.tr("Sign in to head office"))
        self.setModal(True)
        self.intro = QLabel(self)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        self.intro.setText((reason + "\n\n" if reason else "")
                           + self.tr("Enter your head-office password to renew the session on this laptop."))
        self.server = QLabel(account.server if account else "", self)
        self.server.setTextFormat(Qt.TextFormat.PlainText)
        self.user = QLineEdit(account.username if account else "", self)
        self.user.setReadOnly(True)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(1024)
        form = QFormLayout()
        form.addRow(self.tr("Head office:"), self.server)
        form.addRow(self.tr("&User name:"), self.user)
        form.addRow(self.tr("&Password:"), self.password)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Sign &in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.password.setFocus()
        self.setMinimumWidth(460)
        self.adjustSize()

    def submit(self) -> None:
        password = self.password.text()
        if not password:
            self._show(self.tr("Enter your password."), error=True)
            return
        self.password.clear()
        for w in (self.password, self.ok):
            w.setEnabled(False)
        self._show(self.tr("Asking head office…"), error=False)
        try:
            task = self.sync.sign_in(password)
        except Exception as exc:  # no head office configured
            self._failed(exc)
            return
        task.then(self, succeeded=self._done, failed=self._failed)

    def _done(self, _user: object) -> None:
        self.signedIn.emit()
        self.accept()

    def _failed(self, exc: object) -> None:
        from app.sync.errors import AuthError

        for w in (self.password, self.ok):
            w.setEnabled(True)
        if isinstance(exc, AuthError):
            text = self.tr("Head office did not accept the password.")
        elif isinstance(exc, BaseException):
            text = head_office_problem(self, exc)
        else:
            text = str(exc)
        self._show(text, error=True)
        self.password.setFocus()

    def _show(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet("color: #c0392b;" if error else "color: palette(text);")
        self.message.setText(text)
        self.message.show()
        self.adjustSize()
