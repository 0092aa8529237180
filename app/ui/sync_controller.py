"""The window's view of sync: a small interface the sync engine can implement.

`sync_now()` starts a sync in the background and returns at once; progress and the result come
back through the signals. `NoHeadOffice` is what the window uses when no head office is configured
(or before the sync engine is wired in): it says so instead of pretending.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance


class SyncController(Protocol):
    """What the window needs from sync. Signals: started(), finished(ok: bool, message: str),
    connectivityChanged(state: str) where state is 'online', 'offline' or 'unconfigured'."""

    started: SignalInstance
    finished: SignalInstance
    connectivityChanged: SignalInstance

    def sync_now(self) -> None: ...

    def connectivity(self) -> str: ...


class NoHeadOffice(QObject):
    started = Signal()
    finished = Signal(bool, str)
    connectivityChanged = Signal(str)

    def sync_now(self) -> None:
        self.started.emit()
        self.finished.emit(False, self.tr("No head office is configured: set its address in Settings."))

    def connectivity(self) -> str:
        return "unconfigured"
