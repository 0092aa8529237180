"""Language switching at run time, and screenshots of the window in English and Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from .conftest import pick_case


def open_some_case(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, "safety_level = 3")
    with qtbot.waitSignal(window.cases.detail.loaded, timeout=10_000):
        window.cases.list.select_case(case_id)


def test_switching_language_rebuilds_the_window_in_place(window: Any, qtbot: Any, ctx: Any) -> None:
    open_some_case(window, qtbot, ctx)
    selected = window.cases.list.selected_case
    assert window.nav.item(0).text() == "Today"
    with qtbot.waitSignal(window.caseListReady, timeout=20_000):
        window.switch_language("zh_CN")
    assert window.nav.item(0).text() == "今日"
    assert window.cases.model.headerData(1, Qt.Orientation.Horizontal) == "案件编号"
    assert window.cases.list.filters.stage.itemText(0) == "全部阶段"
    assert "共" in window.cases.list.count_label.text()
    # the selection and the filters survive the rebuild
    assert window.cases.list.selected_case == selected
    qtbot.waitUntil(lambda: window.cases.detail.case_id == selected)
    with qtbot.waitSignal(window.caseListReady, timeout=20_000):
        window.switch_language("en")
    assert window.nav.item(0).text() == "Today"


def test_language_choice_in_settings_is_saved_and_applied(window: Any, qtbot: Any, app_settings: Any) -> None:
    dialog = window.open_settings()
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    with qtbot.waitSignal(window.caseListReady, timeout=20_000):
        dialog.save()
    assert app_settings.language == "zh_CN"
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    window.switch_language("en")


def test_settings_refuse_bad_addresses(window: Any, app_settings: Any) -> None:
    dialog = window.open_settings()
    dialog.head_office.setText("javascript:alert(1)")
    dialog.tile_url.setText("https://tiles.example.com/tile.png")
    dialog.save()
    assert dialog.isVisible() and dialog.head_office_error.isVisible() and dialog.tile_error.isVisible()
    dialog.head_office.setText("https://ho.example.com")
    dialog.tile_url.setText("https://tiles.example.com/{z}/{x}/{y}.png")
    dialog.idle.setValue(15)
    dialog.save()
    assert app_settings.head_office_url == "https://ho.example.com" and app_settings.idle_lock_minutes == 15
    assert app_settings.tile_url.endswith("{y}.png")


def not_blank(path: Path) -> None:
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 1000 and image.height() > 600
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 40, "the screenshot is (nearly) one colour"


def test_screenshots_in_english_and_chinese_are_not_blank(window: Any, qtbot: Any, ctx: Any,
                                                          tmp_path: Path) -> None:
    open_some_case(window, qtbot, ctx)
    shots = []
    for lang in ("en", "zh_CN"):
        if lang != "en":
            selected = window.cases.list.selected_case
            with qtbot.waitSignal(window.caseListReady, timeout=20_000):
                window.switch_language(lang)
            qtbot.waitUntil(lambda s=selected: window.cases.detail.case_id == s, timeout=10_000)
        path = tmp_path / f"main-{lang}.png"
        assert window.grab().save(str(path))
        not_blank(path)
        ws = window.cases
        with qtbot.waitSignal(ws.dialogOpened) as opened:
            window.record_outcome()
        dialog = opened.args[0]
        dialog_path = tmp_path / f"outcome-{lang}.png"
        assert dialog.grab().save(str(dialog_path))
        assert not QImage(str(dialog_path)).isNull()
        dialog.reject()
        shots.append(path)
    window.switch_language("en")
    assert shots[0].read_bytes() != shots[1].read_bytes()
