"""Test set-up shared by every test.

Qt runs offscreen, set once here before anything imports Qt. QtWebEngine (Chromium) refuses to
start as root without --no-sandbox; tests run as root on CI machines, so the flag is set here for
the test process only (the app itself adds it only when it really runs as root, and logs why).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
# Never let a test write into the developer's real data folder.
os.environ.pop("DOORSTEP_DATA_DIR", None)

# Python's cyclic garbage collector runs on the test's own thread only, between tests, as it runs on the
# GUI thread only in the app: a collection on a worker thread that frees a Qt object deadlocks against
# the GUI thread (app/ui/gui_gc.py says how).
from app.ui import gui_gc

gui_gc.take_over()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    gui_gc.collect_due()


# An exception raised in a Qt slot or callback fails the run (see tests/qt_exceptions.py).
pytest_plugins = ["tests.qt_exceptions", "pytester"]

DEMO_TODAY = date(2026, 11, 30)
DEMO_CASES = 600


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "doorstep.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[object]:
    """A fresh, empty store on a real SQLite file."""
    from app.store.migrate import open_store

    s = open_store(store_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo city, generated once per session; tests get their own copy."""
    from app.demo.generate import generate
    from app.store.engine import checkpoint
    from app.store.migrate import open_store

    folder = tmp_path_factory.mktemp("demo-template")
    s = open_store(folder / "doorstep.sqlite3")
    try:
        generate(s, DEMO_CASES, seed=7, today=DEMO_TODAY)
        checkpoint(s.engine)
    finally:
        s.close()
    return folder


@pytest.fixture
def demo_dir(demo_template: Path, tmp_path: Path) -> Path:
    """A data folder holding a private copy of the demo city."""
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy2(demo_template / "doorstep.sqlite3", target / "doorstep.sqlite3")
    return target


@pytest.fixture
def demo_store(demo_dir: Path) -> Iterator[object]:
    from app.store.migrate import open_store

    s = open_store(demo_dir / "doorstep.sqlite3")
    try:
        yield s
    finally:
        s.close()
