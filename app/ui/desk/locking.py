"""Locking: after the idle minutes (Settings; 0 = never) or on Ctrl+L the keys are wiped, the sync and
the purge schedule pause and the window hides behind the unlock dialog; unlocking opens the token
vault again with the new keys and resumes them."""

from __future__ import annotations

from typing import Any


class Locking:
    """The desk's lock, armed once an encrypted store is open."""

    app: Any
    window: Any
    runner: Any
    settings: Any
    opened: Any
    sync: Any
    retention: Any
    lock_armed: bool

    def arm_lock(self, session: Any) -> None:
        """Lock after the idle minutes (setting; 0 = never) and on Ctrl+L: keys wiped, window hidden."""
        from PySide6.QtGui import QKeySequence, QShortcut

        from app.ui.idle_lock import IdleWatcher
        from app.ui.login_dialog import LoginDialog

        self.lock_armed = True
        manager, window, runner = self.session_manager(), self.window, self.runner
        watcher = IdleWatcher(self.settings.idle_lock_minutes, parent=window)

        def lock() -> None:
            if session.locked:
                return
            if self.sync is not None:
                self.sync.pause()
            if self.retention is not None:
                self.retention.pause()
            tokens = self.opened.tokens if self.opened is not None else None
            if tokens is not None:
                tokens.forget()  # type: ignore[attr-defined]  # the cached tokens and the file key
            session.lock()
            window.hide()
            dialog = LoginDialog(manager, runner, session=session, parent=window)
            dialog.loggedIn.connect(lambda _s: (window.show(), watcher.lock.touch() if watcher.lock else None,
                                                self.unlocked(session)))
            dialog.rejected.connect(self.app.quit)  # closing the unlock dialog quits; the data stays locked
            dialog.open()

        watcher.idle.connect(lock)
        QShortcut(QKeySequence("Ctrl+L"), window, activated=lock)
        self.app.aboutToQuit.connect(session.close)

    def unlocked(self, session: Any) -> None:
        """Open the token vault again with the new keys (background: the keyring may be slow), resume."""
        opened = self.opened
        if opened is None:
            return
        from app.services.signin import token_store_for

        task = self.runner.submit(lambda: token_store_for(opened.data_dir, session.keys, opened.device_id))

        def resume(tokens: Any) -> None:
            opened.tokens = tokens
            if self.sync is not None:
                self.sync.configure(self.sync.account, tokens=tokens, tls=self.tls())
                self.sync.resume()
                self.sync.check_session()
            if self.retention is not None:
                self.retention.resume()

        task.then(self.window, succeeded=resume)
