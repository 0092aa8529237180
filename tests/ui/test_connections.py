"""Connections that outlive their receiver (app/ui/connections.py, Task.then in app/ui/worker.py).

A page hears of its background work through `Task.then(page, …)` and of long-lived objects (the sync
controller, the window's models) through `connect_for(page, signal, fn)`; when the page is gone, nothing
is called and nothing is raised. A static rule keeps lambdas and closures off those senders in app/ui.
"""

from __future__ import annotations

import ast
import threading
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.ui.connections import connect_for
from app.ui.worker import BackgroundRunner

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
TASK_SIGNALS = {"succeeded", "failed", "cancelled", "progressed", "finished"}
TASK_NAMES = {"task", "head", "purge", "opening"}  # what app/ui calls a runner's task
LONG_LIVED_ROOTS = {"ctx", "sync"}  # ctx.sync.…, self.ctx.sync.…, sync.…


@pytest.fixture
def runner(qapp: Any) -> Any:
    r = BackgroundRunner()
    yield r
    assert r.shutdown(10_000)


class Controller(QObject):
    """Stands for the long-lived sync controller."""

    finished = Signal(bool, str)


def test_a_task_calls_back_while_its_receiver_lives(runner: Any, qtbot: Any) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    seen: list[object] = []
    task = runner.submit(lambda: 42).then(page, succeeded=seen.append, finished=lambda: seen.append("end"))
    with qtbot.waitSignal(task.finished, timeout=5_000):
        pass
    assert seen == [42, "end"]


def test_a_task_whose_page_is_gone_calls_nothing(runner: Any, qtbot: Any) -> None:
    gate = threading.Event()
    page = QWidget()
    calls: list[str] = []

    def on_done(value: object) -> None:
        calls.append(page.objectName())  # would raise "already deleted" if it ran

    task = runner.submit(lambda: gate.wait(5)).then(page, succeeded=on_done, failed=lambda e: calls.append("x"),
                                                     progressed=lambda d, t: calls.append("p"),
                                                     finished=lambda: calls.append("f"))
    shiboken6.delete(page)  # the page goes while its work still runs
    gate.set()
    with qtbot.waitSignal(task.finished, timeout=5_000):
        pass
    assert calls == []


def test_a_failing_task_reaches_its_page_and_is_forgotten(runner: Any, qtbot: Any) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    errors: list[BaseException] = []
    task = runner.submit(lambda: 1 // 0).then(page, failed=errors.append)
    with qtbot.waitSignal(runner.busyChanged, timeout=5_000, check_params_cb=lambda busy: busy is False):
        pass
    assert task.done and isinstance(errors[0], ZeroDivisionError)
    assert not runner.busy


def test_then_refuses_a_receiver_that_is_not_a_qobject(runner: Any) -> None:
    task = runner.submit(lambda: None)
    with pytest.raises(TypeError):
        task.then(object(), succeeded=print)  # type: ignore[arg-type]


def test_connect_for_ends_with_the_receiver(qtbot: Any) -> None:
    controller = Controller()
    page = QWidget()
    heard: list[tuple[bool, str]] = []
    connect_for(page, controller.finished, lambda ok, msg: heard.append((ok, msg)))
    controller.finished.emit(True, "one")
    shiboken6.delete(page)
    controller.finished.emit(False, "two")  # nobody hears it, nothing raises
    assert heard == [(True, "one")]


def test_many_tasks_come_and_go_with_their_pages(runner: Any, qtbot: Any) -> None:
    """The pattern that crashed the suite: tasks delivered and deleted after their pages were deleted."""
    for round_ in range(30):
        page = QWidget()
        tasks = [runner.submit(lambda i=i: i).then(page, succeeded=lambda v, p=page: p.setObjectName(str(v)))
                 for i in range(5)]
        if round_ % 2:
            shiboken6.delete(page)
        with qtbot.waitSignal(tasks[-1].finished, timeout=5_000):
            pass
        if shiboken6.isValid(page):
            shiboken6.delete(page)
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)


# --- the static rule ------------------------------------------------------------------------------


def _chain(node: ast.expr) -> list[str]:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return list(reversed(names))


def _nested_functions(tree: ast.AST) -> set[str]:
    """Names of functions defined inside other functions (closures)."""
    found: set[str] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(fn):
                if inner is not fn and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.add(inner.name)
    return found


def violations(source: str, name: str) -> list[str]:
    tree = ast.parse(source)
    closures = _nested_functions(tree)
    bad: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
                and node.args):
            continue
        target = node.args[0]
        unbound = isinstance(target, ast.Lambda | ast.Call) or (isinstance(target, ast.Name) and target.id in closures)
        if not unbound:
            continue
        chain = _chain(node.func.value)
        if not chain:
            continue
        to_task = chain[-1] in TASK_SIGNALS and len(chain) >= 2 and chain[-2] in TASK_NAMES
        to_long_lived = any(part in LONG_LIVED_ROOTS for part in chain[:-1])
        if to_task or to_long_lived:
            bad.append(f"{name}:{node.lineno}: {'.'.join(chain)}.connect({ast.unparse(target)[:50]})")
    return bad


def test_no_lambda_or_closure_is_connected_to_a_task_or_the_sync_controller() -> None:
    bad: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        if path.name in {"worker.py", "connections.py"}:
            continue
        bad += violations(path.read_text(encoding="utf-8"), path.name)
    assert bad == [], "use Task.then(self, …) or connect_for(self, signal, fn):\n" + "\n".join(bad)


def test_the_rule_finds_what_it_is_for() -> None:
    sample = '''
def page(self, task, ctx):
    def said(result):
        pass
    task.succeeded.connect(lambda r: self.show(r))
    task.failed.connect(said)
    ctx.sync.finished.connect(lambda ok, m: self.refresh())
    self.ctx.sync.connectivityChanged.connect(lambda s: self.refresh())
    self.button.clicked.connect(lambda: self.refresh())
    task.succeeded.connect(self.show)
'''
    found = violations(sample, "sample.py")
    assert len(found) == 4, found
