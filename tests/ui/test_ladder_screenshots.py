"""Screenshots of the ladder on the laptop (tools/ladder_screenshots.py) in English and Chinese: every file is
written, none is blank, the Chinese ones differ from the English ones, and the why-line's purple bar is there."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

TOOL = Path(__file__).resolve().parents[2] / "tools" / "ladder_screenshots.py"
NAMES = ["case-detail-ladder", "letter-viewer"]


def load_tool() -> Any:
    spec = importlib.util.spec_from_file_location("ladder_screenshots", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_ladder_screenshots_are_written_in_both_languages(qapp: Any, tmp_path: Path) -> None:
    font = QApplication.font()
    try:
        shots = load_tool().render(tmp_path)
    finally:
        QApplication.setFont(font)
    assert [p.relative_to(tmp_path).as_posix() for p in shots] == \
        [f"{lang}/{name}.png" for lang in ("en", "zh_CN") for name in NAMES]
    for path in shots:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 600 and image.height() >= 600, path
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 5)}
        assert len(colours) > 8, f"{path} is (nearly) one colour"
    for name in NAMES:
        assert (tmp_path / "en" / f"{name}.png").read_bytes() != (tmp_path / "zh_CN" / f"{name}.png").read_bytes()
    detail = QImage(str(tmp_path / "en" / "case-detail-ladder.png"))
    bar = {detail.pixelColor(x, y).name() for x in range(0, 40) for y in range(30, 70)}
    assert "#6a1b9a" in bar  # the why-line's bar, under the header
