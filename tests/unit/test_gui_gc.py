"""Garbage collection happens on the GUI thread only (app/ui/gui_gc.py): a worker thread that makes
plenty of cyclic garbage never runs a collection; `collect_due` on the GUI thread collects it."""

from __future__ import annotations

import gc
import threading
from typing import Any

from app.ui import gui_gc


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_a_worker_never_collects_and_the_gui_thread_collects_what_is_due() -> None:
    gui_gc.take_over()  # tests/conftest.py did it already; the app does it in main.py
    assert not gc.isenabled() and gui_gc.taken()
    collected_on: list[str] = []

    def note(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collected_on.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        def churn() -> None:
            for _ in range(50 * gc.get_threshold()[0]):
                _Node()

        worker = threading.Thread(target=churn, name="doorstep-worker_test")
        worker.start()
        worker.join()
        assert collected_on == []  # automatic collection would have run dozens of times by now
        assert gc.get_count()[0] > gc.get_threshold()[0]
        assert gui_gc.collect_due() > 0
        assert collected_on == [threading.current_thread().name]
        gui_gc.hold(True)
        for _ in range(2 * gc.get_threshold()[0]):
            _Node()
        assert gui_gc.collect_due() == 0  # held during the launch
    finally:
        gui_gc.hold(False)
        gc.callbacks.remove(note)
