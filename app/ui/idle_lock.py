"""Lock after idle minutes: watches the application's input events and says when to lock.

`IdleWatcher(minutes)` installs itself as an application event filter; any key, mouse or wheel event
restarts the count (app.services.session.IdleLock); a timer checks it and emits `idle` once per idle
period. 0 minutes switches it off (the settings dialog allows that).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

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
        app = QApplication.instance()
        if self.lock is not None and app is not None:
            app.installEventFilter(self)
            self.timer.start()

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
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
