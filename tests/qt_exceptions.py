"""The suite fails on any Python exception raised inside a Qt slot, callback or event handler.

PySide hands an exception raised in Python code that Qt called (a slot, a lambda connected to a
signal, a `Task.then` callback, a virtual like `paintEvent`) to `sys.excepthook` and carries on: in
the app it is one line in the log, easy to miss. In the tests:

- during a test (set-up, call and tear-down), pytest-qt's exception capture records it and fails that
  test. This plugin refuses to let the capture be switched off (`qt_no_exception_capture`);
- outside any test (collection, session fixtures, between tests, at the end of the session), this
  plugin's own hook records it, and the session fails with the traceback printed;
- in a Python thread, pytest's `threadexception` plugin turns it into a warning, which the suite's
  `filterwarnings = error` makes a failure (and unraisable exceptions likewise).

Registered from tests/conftest.py; tests/ui/test_qt_exceptions.py proves each path fails a run.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

import pytest

_outside: list[str] = []
_previous_hook = sys.excepthook


def _record(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    _outside.append("".join(traceback.format_exception(kind, value, tb)))
    _previous_hook(kind, value, tb)


def pytest_configure(config: pytest.Config) -> None:
    if config.getini("qt_no_exception_capture"):
        raise pytest.UsageError("qt_no_exception_capture is off limits: an exception in a Qt slot must fail its test")
    sys.excepthook = _record


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("qt_no_exception_capture") is not None:
            raise pytest.UsageError(f"{item.nodeid}: qt_no_exception_capture would hide exceptions in Qt slots")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _outside:
        sys.stderr.write("\nPython exceptions raised in Qt code outside any test:\n" + "\n".join(_outside))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
