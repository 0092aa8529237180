"""An exception raised in Qt code fails the run (tests/qt_exceptions.py), whether it is raised in a
slot during a test, in a background task's callback, or in a slot outside any test. Each case runs a
small suite in a fresh pytest process with the project's plugin, as the real suite runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

RAISING_SLOT = '''
from PySide6.QtCore import QTimer

def test_a_slot_raises(qtbot):
    after = []
    QTimer.singleShot(0, lambda: 1 // 0)
    QTimer.singleShot(0, lambda: after.append(1))  # runs once the raising slot has run
    qtbot.waitUntil(lambda: after == [1])
'''

RAISING_TASK_CALLBACK = '''
from PySide6.QtWidgets import QWidget
from app.ui.worker import BackgroundRunner

def test_a_callback_raises(qtbot):
    runner = BackgroundRunner()
    page = QWidget()
    qtbot.addWidget(page)
    def show(value):
        raise RuntimeError("Internal C++ object (QPushButton) already deleted.")
    task = runner.submit(lambda: 1).then(page, succeeded=show)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert runner.shutdown(5000)
'''

RAISING_OUTSIDE_A_TEST = '''
def test_passes():
    pass
'''

# After collection, before any test: no test's capture is active then.
OUTSIDE_CONFTEST = '''
def pytest_collection_finish(session):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    QTimer.singleShot(0, lambda: 1 // 0)
    app.processEvents()
'''

QUIET = '''
from PySide6.QtCore import QTimer

def test_a_slot_that_does_not_raise(qtbot):
    seen = []
    QTimer.singleShot(0, lambda: seen.append(1))
    qtbot.waitUntil(lambda: seen == [1])
'''


def _run(pytester: pytest.Pytester, source: str, *args: str) -> Any:
    pytester.makepyfile(test_inner=source)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return pytester.runpytest_subprocess("-p", "tests.qt_exceptions", "-p", "no:cacheprovider", "-q", *args,
                                         timeout=120)


@pytest.fixture(autouse=True)
def _keep_pythonpath() -> Any:
    before = os.environ.get("PYTHONPATH")
    yield
    if before is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = before


def test_an_exception_in_a_slot_fails_its_test(pytester: pytest.Pytester) -> None:
    result = _run(pytester, RAISING_SLOT)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ZeroDivisionError*"])


def test_an_exception_in_a_task_callback_fails_its_test(pytester: pytest.Pytester) -> None:
    result = _run(pytester, RAISING_TASK_CALLBACK)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*already deleted*"])


def test_an_exception_in_a_slot_outside_any_test_fails_the_run(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(OUTSIDE_CONFTEST)
    result = _run(pytester, RAISING_OUTSIDE_A_TEST)
    result.assert_outcomes(passed=1)  # the test itself passed: the run fails all the same
    assert result.ret != 0
    assert "outside any test" in result.stderr.str() and "ZeroDivisionError" in result.stderr.str()


def test_the_capture_cannot_be_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nqt_no_exception_capture = 1\n")
    result = _run(pytester, QUIET)
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_quiet_suite_passes(pytester: pytest.Pytester) -> None:
    _run(pytester, QUIET).assert_outcomes(passed=1)
