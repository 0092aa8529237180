"""A hand-edited or damaged settings file: a value of the wrong type, or text with NUL, control characters or
lone surrogates, reads as the setting's default (with a warning naming the key), never a crash."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest


def test_hostile_values_read_as_defaults(app_settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    q = app_settings.q
    q.setValue("sync/head_office_url", "https://ho.example\x00.evil")
    q.setValue("map/tile_url", "https://t/{z}/{x}/{y}.png\x1b[2J")
    q.setValue("map/tile_attribution", "\ud800")
    q.setValue("sync/tls_pins", ["not", "text"])
    q.setValue("state/cases/filters", "[" * 100_000 + "]" * 100_000)
    q.setValue("security/idle_lock_minutes", "ten")
    with caplog.at_level(logging.WARNING, logger="app.ui.settings"):
        assert app_settings.head_office_url == ""
        assert app_settings.tile_url == ""
        assert app_settings.tile_attribution == ""
    assert app_settings.tls_pins == []
    assert app_settings.json_value("cases/filters") is None
    assert app_settings.idle_lock_minutes == 10
    words = caplog.text
    assert "sync/head_office_url contains a NUL character" in words
    assert "map/tile_url contains a control character (U+001B)" in words


def test_a_garbled_settings_file_opens_with_defaults(tmp_path: Path, qapp: Any) -> None:
    from PySide6.QtCore import QSettings

    from app.ui.settings import AppSettings

    path = tmp_path / "garbled.ini"
    path.write_bytes(b"[sync]\nhead_office_url=\"https://ho\\x0.example\"\n\xff\xfe[[[\x00\nmap\\tile_crs=Mars\n"
                     b"[security]\nretention_days=1e999\n[ui]\nlanguage=@Variant(\\0\\0\\0\\x7f)\n")
    settings = AppSettings(QSettings(str(path), QSettings.Format.IniFormat))
    assert settings.language == "system"
    assert settings.tile_crs == "WGS-84"
    assert settings.retention_days == 30
    assert isinstance(settings.head_office_url, str)
