"""Login and unlock: user name and secret, checked off the GUI thread (argon2id takes a few hundred ms).

`LoginDialog(manager, runner, authenticate=…)` logs in (online the first time on a laptop, offline
after); `LoginDialog(manager, runner, session=locked)` unlocks a locked session for the same user.
On success `loggedIn(Session)` is emitted and the dialog accepts; a refusal is shown in words (wrong
secret, wait N s, needs head office) and the secret field is cleared.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
    Authenticate,
    BadCredentials,
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
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.runner = runner
        self.authenticate = authenticate
        self.session = session
        unlocking = session is not None
        self.setWindowTitle(self.tr("Doorstep is locked") if unlocking else self.tr("Log in to Doorstep"))
        self.setModal(True)
        self.intro = QLabel(self)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        if unlocking:
            self.intro.setText(self.tr("Enter your secret to continue."))
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
        form.addRow(self.tr("&User name:"), self.user)
        form.addRow(self.tr("&Secret:"), self.secret)
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
        self.resize(420, self.sizeHint().height())

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
        else:
            auth = self.authenticate
            task = self.runner.submit(lambda: self.manager.login(username, secret, auth))
        task.succeeded.connect(self._done)
        task.failed.connect(self._failed)

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
