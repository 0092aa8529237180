"""Lock after idle minutes: watches the application's input events and says when to lock.

`IdleWatcher(minutes)` filters the events of the application's top-level windows (each new window
as it takes focus); any key, mouse or wheel event restarts the count (app.services.session.IdleLock);
a timer checks it and emits `idle` once per idle period. 0 minutes switches it off (the settings
dialog allows that).

Why windows and not an application-wide event filter: the map's browser engine delivers hover events
to Qt Quick items of its own; an application filter written in Python makes PySide wrap each such
item, and wrapping one sends it an event that re-enters the filter — the app crashed (SIGSEGV) as
soon as the pointer moved over a map. Every real input event reaches its top-level window first, so
watching the windows sees the same user activity without touching those items.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

from app.services.session import IdleLock

INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                          QEvent.Type.Wheel, QEvent.Type.TouchBegin})


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None, check_ms: int = 5000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.lock = IdleLock(minutes, clock) if minutes > 0 else None
        self._fired = False
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        app = QGuiApplication.instance()
        if self.lock is not None and isinstance(app, QGuiApplication):
            for window in QGuiApplication.topLevelWindows():
                self.watch(window)
            app.focusWindowChanged.connect(self.watch)  # dialogs and windows opened later
            self.timer.start()

    def watch(self, window: QWindow | None) -> None:
        """Count input to this window (installing twice is harmless: Qt keeps one filter)."""
        if window is not None:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.lock is not None and event.type() in INPUT_EVENTS:
            self.lock.touch()
            self._fired = False
        return False

    def check(self) -> None:
        if self.lock is not None and not self._fired and self.lock.due():
            self._fired = True
            self.idle.emit()

    def stop(self) -> None:
        self.timer.stop()
        app = QGuiApplication.instance()
        if self.lock is not None and isinstance(app, QGuiApplication):
            app.focusWindowChanged.disconnect(self.watch)
            for window in QGuiApplication.topLevelWindows():
                window.removeEventFilter(self)
