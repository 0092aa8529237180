"""Connections that end with the widget they serve.

A widget that listens to something longer-lived than itself (the sync controller, the runner's tasks,
the window's models) must stop hearing it when it is gone. Qt does that by itself for a connection to
a slot of a QObject: the connection ends with the receiver. A lambda or closure has no receiver, so
PySide makes a stand-in; the sender keeps calling it after the widget was deleted
(`RuntimeError: Internal C++ object … already deleted`), and deleting the sender can touch a stand-in
that was already freed (the crash this module was written for).

`connect_for(receiver, signal, fn)` connects `signal` to a small QObject owned by `receiver`, which calls
`fn`: when `receiver` goes, the relay goes with it and Qt ends the connection. For background work use
`Task.then(receiver, …)` (app.ui.worker), which makes no connection at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, SignalInstance


class _Relay(QObject):
    def __init__(self, receiver: QObject, fn: Callable[..., object]) -> None:
        super().__init__(receiver)
        self._fn = fn

    def fire(self, *args: Any) -> None:
        self._fn(*args)


def connect_for(receiver: QObject, signal: SignalInstance, fn: Callable[..., object]) -> None:
    """Connect `signal` to `fn` for as long as `receiver` lives (the signal's arguments are passed on)."""
    relay = _Relay(receiver, fn)
    signal.connect(relay.fire)
