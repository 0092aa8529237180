"""The Reports page builds a PDF in the background and previews its pages."""

from __future__ import annotations

from typing import Any

from app.ui.main_window import PAGE_REPORTS

from .conftest import pick_case


def test_case_report_is_built_and_previewed(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, "id IN (SELECT case_id FROM contact_attempts)")
    with qtbot.waitSignal(window.cases.detail.loaded, timeout=10_000):
        window.cases.list.select_case(case_id)
    window.show_page(PAGE_REPORTS)
    page = window.reports_page
    with qtbot.waitSignal(page.built, timeout=60_000) as built:
        page.case_button.click()
    path = built.args[0]
    assert path.exists() and path.read_bytes().startswith(b"%PDF")
    assert page.pages_layout.count() >= 1 and page.open_button.isEnabled()
    assert path.name in page.status.text()
    data_dir = ctx.cache_dir.parent
    assert data_dir.resolve() not in path.resolve().parents  # a clear PDF never rests in the data folder


def test_reports_never_go_into_the_data_folder(tmp_path: Any, qapp: Any) -> None:
    from app.ui.reports_page import reports_folder

    data = tmp_path / "data"
    assert reports_folder(str(tmp_path / "mine"), data) == (tmp_path / "mine").resolve()
    for inside in (str(data), str(data / "reports"), str(data / "x" / ".." / "reports")):
        chosen = reports_folder(inside, data)
        assert data.resolve() != chosen and data.resolve() not in chosen.parents
        assert chosen.name == "Doorstep"
    assert reports_folder("", data).name == "Doorstep"


def test_case_report_without_a_selection_says_so(window: Any) -> None:
    window.show_page(PAGE_REPORTS)
    window.cases.list._selected = None
    window.reports_page.case_button.click()
    assert "Select a case" in window.reports_page.status.text()
