"""The case list's first page at launch, read with bare sqlite3 before the store opens (app.ui.first_page)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.store.queries import CaseQuery, first_rows
from app.ui.first_page import read_first_page, saved_query
from tests.conftest import DEMO_TODAY


@pytest.fixture
def temp_qsettings(tmp_path: Path) -> Any:
    """QSettings() (no arguments, as main.py uses it) writes into a temporary folder."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield tmp_path / "qsettings"


QUERIES = [CaseQuery(today=DEMO_TODAY), CaseQuery(search="王", today=DEMO_TODAY),
           CaseQuery(stages=("field_visit",), sort="overdue", descending=False, today=DEMO_TODAY),
           CaseQuery(promise="due", today=DEMO_TODAY, sort="promise_due"), CaseQuery(search="CD26 锦江", today=DEMO_TODAY)]


@pytest.mark.parametrize("query", QUERIES)
def test_the_bare_read_gives_the_lists_own_first_page(demo_store: Any, query: CaseQuery) -> None:
    with demo_store.engine.connect() as conn:
        expected = first_rows(conn, query, 128)
    assert read_first_page(Path(demo_store.path), query) == expected


def test_no_first_page_where_the_normal_path_must_decide(demo_dir: Path, tmp_path: Path) -> None:
    query = CaseQuery(today=DEMO_TODAY)
    store_file = demo_dir / "doorstep.sqlite3"
    assert read_first_page(tmp_path / "absent.sqlite3", query) is None
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"<script>alert(1)</script>" * 100)
    assert read_first_page(junk, query) is None
    # an encrypted store (its key file beside it), or one being encrypted
    for suffix in (".keyinfo", ".keyinfo-pending"):
        marker = store_file.with_name(store_file.name + suffix)
        marker.write_text("{}")
        assert read_first_page(store_file, query) is None
        marker.unlink()
    # a schema that needs an upgrade first
    old = tmp_path / "old.sqlite3"
    shutil.copy(store_file, old)
    with sqlite3.connect(old) as db:
        db.execute("UPDATE alembic_version SET version_num = '0001'")
    assert read_first_page(old, query) is None
    assert read_first_page(store_file, query) is not None


def test_saved_query_reads_the_settings_as_the_list_restores_them(app_settings: Any, qapp: Any) -> None:
    from app.ui.case_list import CaseListView
    from app.ui.case_model import CaseTableModel
    from app.ui.worker import BackgroundRunner

    runner = BackgroundRunner()
    states = [None, {"search": "王 <b>", "stage": "field_visit", "bucket": "M2", "status": "open",
                     "district": "锦江区", "promise": "overdue", "safety": True},
              {"search": "x" * 500, "stage": None, "promise": None}]
    try:
        for state in states:
            if state is not None:
                app_settings.set_json_value("cases/filters", state)
            app_settings.set_json_value("cases/sort", {"key": "overdue", "descending": False, "natural": False})
            view = CaseListView(CaseTableModel(None, runner, lambda: DEMO_TODAY), app_settings, "cases")
            assert saved_query(app_settings) == view.model.query
            view.deleteLater()
    finally:
        runner.shutdown()


def test_launch_shows_the_first_page_then_hands_over_the_selection(demo_dir: Path, temp_qsettings: Path,
                                                                    qtbot: Any, monkeypatch: pytest.MonkeyPatch
                                                                    ) -> None:
    """The store opening is held back until the first page is up (a test hook: on a real launch either may
    come first), a case is selected there, and the workspace opens with that case selected."""
    import main
    from app.ui.desk import opening

    release = threading.Event()
    real_open = opening.open_services

    def held_open(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(30), "the first page never showed"
        return real_open(*args, **kwargs)

    monkeypatch.setattr(opening, "open_services", held_open)
    _app, window, _task = main.build(["--data-dir", str(demo_dir), "--lang", "zh_CN"])
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.caseListShown, timeout=30_000):
            pass
        first = window.desk.first_page.page
        assert window.cases is None and window.centralWidget() is first
        assert first.model.rowCount() == 600
        shown = [first.model.case_id_at(r) for r in range(128)]
        assert None not in shown
        first.list.select_case(shown[3])
        path = temp_qsettings.parent / "first-page.png"
        window.grab().save(str(path))
        assert path.stat().st_size > 10_000
        with qtbot.waitSignal(window.caseListReady, timeout=30_000):
            release.set()
        assert window.cases is not None and window.centralWidget() is not first
        assert [window.cases.model.case_id_at(r) for r in range(128)] == shown  # the same rows, same order
        qtbot.waitUntil(lambda: window.cases.list.selected_case == shown[3], timeout=10_000)
        assert window.cases.list.table.currentIndex().row() == 3
        qtbot.waitUntil(lambda: window.cases.detail.detail is not None, timeout=10_000)  # its detail opened
        assert window.cases.detail.detail.id == shown[3]
        window.grab().save(str(temp_qsettings.parent / "workspace.png"))
    finally:
        release.set()
        window.translations.apply("en")  # the application is shared with the tests that follow
        window.close()
        if window.ctx is not None:
            window.ctx.store.close()


def test_a_store_that_fails_to_open_after_the_first_page_says_why(demo_dir: Path, temp_qsettings: Path,
                                                                   qtbot: Any, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    import main
    from app.store.revision import StoreError
    from app.ui.desk import opening

    release = threading.Event()

    def failing_open(*_args: Any, **_kwargs: Any) -> Any:
        assert release.wait(30)
        raise StoreError("the disk went away")

    monkeypatch.setattr(opening, "open_services", failing_open)
    _app, window, task = main.build(["--data-dir", str(demo_dir), "--lang", "en"])
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.caseListShown, timeout=30_000):
            pass
        with qtbot.waitSignal(task.failed, timeout=30_000):
            release.set()
        assert window.centralWidget() is window.loading and window.loading.isVisible()
        assert "the disk went away" in window.loading.text()
    finally:
        release.set()
        window.close()


def test_no_first_page_when_the_window_opens_on_today(demo_dir: Path, temp_qsettings: Path, qtbot: Any) -> None:
    import main
    from app.ui.settings import AppSettings

    AppSettings(QSettings()).set_json_value("main/page", 0)  # the window was left on Today
    _app, window, _task = main.build(["--data-dir", str(demo_dir), "--lang", "en"])
    qtbot.addWidget(window)
    try:
        assert window.desk.first_page is None
        with qtbot.waitSignal(window.caseListReady, timeout=30_000):
            pass
    finally:
        window.close()
        if window.ctx is not None:
            window.ctx.store.close()


def test_a_saved_filter_the_list_would_not_apply_shows_no_first_page(demo_dir: Path, temp_qsettings: Path,
                                                                     qtbot: Any) -> None:
    """A stage name this version does not know: the list drops it, so a first page with it would differ."""
    import main
    from app.ui.settings import AppSettings

    AppSettings(QSettings()).set_json_value("cases/filters", {"stage": "no-such-stage"})
    _app, window, _task = main.build(["--data-dir", str(demo_dir), "--lang", "en"])
    qtbot.addWidget(window)
    handle = window.desk.first_page
    try:
        with qtbot.waitSignal(handle.task.finished, timeout=30_000):
            pass
        assert handle.page is None
        with qtbot.waitSignal(window.caseListReady, timeout=30_000):
            pass
        assert window.cases.model.rowCount() == 600
    finally:
        window.close()
        if window.ctx is not None:
            window.ctx.store.close()
