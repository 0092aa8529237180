"""Screenshots of the window's safety parts (tools/safety_screenshots.py) in English and Chinese: every
file is written, none is blank, the Chinese ones differ from the English ones, and the colours are right."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

TOOL = Path(__file__).resolve().parents[2] / "tools" / "safety_screenshots.py"
NAMES = ["banner-normal", "banner-overdue", "banner-offline", "sos-confirm", "sos-queued", "board"]


def load_tool() -> Any:
    spec = importlib.util.spec_from_file_location("safety_screenshots", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def colours(image: QImage) -> set[int]:
    return {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 3)}


def test_the_safety_screenshots_are_written_in_both_languages(qapp: Any, tmp_path: Path) -> None:
    font = QApplication.font()
    try:
        shots = load_tool().render(tmp_path)
    finally:
        QApplication.setFont(font)
    assert [p.relative_to(tmp_path).as_posix() for p in shots] == \
        [f"{lang}/{name}.png" for lang in ("en", "zh_CN") for name in NAMES]
    for path in shots:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 400 and image.height() >= 30, path
        assert len(colours(image)) > 8, f"{path} is (nearly) one colour"
    for name in NAMES:
        assert (tmp_path / "en" / f"{name}.png").read_bytes() != (tmp_path / "zh_CN" / f"{name}.png").read_bytes()
    # the amber strip is amber, the offline one carries the red line
    overdue = QImage(str(tmp_path / "en" / "banner-overdue.png"))
    assert overdue.pixelColor(3, 3).name() == "#ffb300"
    offline = QImage(str(tmp_path / "en" / "banner-offline.png"))
    assert any(offline.pixelColor(x, offline.height() - 12).name() == "#b71c1c" for x in range(20, 400, 10))
