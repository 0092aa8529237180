"""Python's cyclic garbage collector runs on the GUI thread only.

CPython runs a collection on whichever thread happens to allocate past a threshold. When that is a
worker thread and the collection frees a Qt object caught in a reference cycle, the object's C++
destructor runs there: it takes Qt's lock for the object's signal connections, then asks for the
interpreter lock to call back into Python — while the GUI thread holds the interpreter lock and waits
for that same Qt lock in `QObject.connect`. Neither ever lets go: the window freezes for good (first
seen as a test run that hung in `QObject::connect` with a worker in `gc_collect_main`). Qt objects
must die on the thread they live on anyway.

So `take_over()` turns automatic collection off for the whole process, and collections happen only
where `collect_due()` is called: on the GUI thread, from a timer (`GuiCollector`, in the app) or
between tests (tests/conftest.py). `collect_due` collects the generations whose thresholds are passed,
as CPython itself would, so memory behaves as before.
"""

from __future__ import annotations

import gc
from typing import Any

INTERVAL_MS = 500

_taken = False
_held = False


def take_over() -> None:
    """Automatic collection off, for good: from now on only `collect_due` collects."""
    global _taken
    _taken = True
    gc.disable()


def taken() -> bool:
    """True once `take_over` ran: nobody may turn automatic collection back on."""
    return _taken


def hold(on: bool) -> None:
    """While held, `collect_due` collects nothing (the launch: app/ui/desk/warmup.py)."""
    global _held
    _held = on


def held() -> bool:
    return _held


def collect_due() -> int:
    """Collect the oldest generation whose threshold is passed (and the younger ones); the number of
    unreachable objects found. Call it on the GUI thread only."""
    if _held:
        return 0
    t0, t1, t2 = gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    if c0 <= t0:
        return 0
    generation = 2 if (c1 > t1 and c2 > t2) else 1 if c1 > t1 else 0
    return gc.collect(generation)


def start(parent: Any, interval_ms: int = INTERVAL_MS) -> Any:
    """Take collection over and collect what is due every `interval_ms` on the GUI thread (a QTimer
    owned by `parent`, e.g. the QApplication). Qt is imported here, not with the module, so the
    launch can hold collections before Qt loads."""
    from PySide6.QtCore import QTimer

    take_over()
    timer = QTimer(parent)
    timer.setInterval(interval_ms)
    timer.timeout.connect(collect_due)
    timer.start()
    return timer
