"""The background helper: results and errors arrive on the GUI thread; progress and cancel work."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from app.ui.worker import BackgroundRunner, Cancelled


@pytest.fixture
def runner(qapp: Any) -> Any:
    r = BackgroundRunner()
    yield r
    assert r.shutdown(10_000)


def test_result_is_delivered_on_the_gui_thread(runner: Any, qtbot: Any) -> None:
    gui = threading.get_ident()
    seen: list[tuple[int, int]] = []
    task = runner.submit(lambda: threading.get_ident())
    task.succeeded.connect(lambda worker: seen.append((worker, threading.get_ident())))
    with qtbot.waitSignal(task.finished, timeout=5_000):
        pass
    assert seen and seen[0][0] != gui and seen[0][1] == gui


def test_errors_are_delivered_not_swallowed(runner: Any, qtbot: Any) -> None:
    task = runner.submit(lambda: 1 // 0)
    with qtbot.waitSignal(task.failed, timeout=5_000) as blocker:
        pass
    assert isinstance(blocker.args[0], ZeroDivisionError)


def test_progress_and_cancel(runner: Any, qtbot: Any) -> None:
    gate = threading.Event()

    def long_work(handle: Any) -> int:
        for i in range(1000):
            handle.progress(i, 1000)
            if i == 3:
                gate.wait(5)
            handle.check()
        return 1000

    task = runner.submit(long_work, with_handle=True)
    progress: list[int] = []
    results: list[Any] = []
    task.progressed.connect(lambda done, _total: progress.append(done))
    task.succeeded.connect(results.append)
    qtbot.waitUntil(lambda: 3 in progress, timeout=5_000)
    with qtbot.waitSignal(task.cancelled, timeout=5_000):
        task.cancel()
        gate.set()
    assert max(progress) < 999 and results == []


def test_busy_signal(runner: Any, qtbot: Any) -> None:
    gate = threading.Event()
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda b: b):
        task = runner.submit(lambda: gate.wait(5))
    assert runner.busy
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda b: not b, timeout=5_000):
        gate.set()
    assert task.done and not runner.busy
    assert issubclass(Cancelled, Exception)
