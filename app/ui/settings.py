"""The window's persistent preferences (QSettings): language, head office (address, CA bundle, pins), tiles,
idle lock, retention, layout.

Tests hand in a QSettings on a temporary file; the app uses the per-user default location.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from app.domain.text_input import text_problem

LANGUAGES = ("system", "zh_CN", "en")
MAX_SETTING = 1_000_000  # characters of one stored value
log = logging.getLogger(__name__)


class AppSettings:
    def __init__(self, qsettings: QSettings):
        self.q = qsettings

    # -- preferences ---------------------------------------------------------------------------
    def _str(self, key: str, default: str = "") -> str:
        """The stored text, or `default` when the settings file holds something else there (another type,
        or text with control characters or lone surrogates, e.g. from a hand-edited file)."""
        value = self.q.value(key, default)
        if not isinstance(value, str):
            return default
        problem = text_problem(value, max_length=MAX_SETTING)
        if problem is not None:
            log.warning("the setting %s %s; using its default", key, problem)
            return default
        return value

    def _int(self, key: str, default: int) -> int:
        try:
            return int(self.q.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default

    @property
    def language(self) -> str:
        value = self._str("ui/language", "system")
        return value if value in LANGUAGES else "system"

    @language.setter
    def language(self, value: str) -> None:
        self.q.setValue("ui/language", value if value in LANGUAGES else "system")

    @property
    def head_office_url(self) -> str:
        return self._str("sync/head_office_url")

    @head_office_url.setter
    def head_office_url(self, value: str) -> None:
        self.q.setValue("sync/head_office_url", value.strip())

    @property
    def tile_url(self) -> str:
        return self._str("map/tile_url")

    @tile_url.setter
    def tile_url(self, value: str) -> None:
        self.q.setValue("map/tile_url", value.strip())

    @property
    def tile_attribution(self) -> str:
        return self._str("map/tile_attribution")

    @tile_attribution.setter
    def tile_attribution(self, value: str) -> None:
        self.q.setValue("map/tile_attribution", value.strip())

    @property
    def tile_crs(self) -> str:
        value = self._str("map/tile_crs", "WGS-84")
        return value if value in ("WGS-84", "GCJ-02") else "WGS-84"

    @tile_crs.setter
    def tile_crs(self, value: str) -> None:
        self.q.setValue("map/tile_crs", value)

    @property
    def reports_folder(self) -> str:
        """Where the Reports page saves its PDFs; empty: the user's documents folder (see
        app.ui.reports_page.reports_folder, which never puts them in the data folder)."""
        return self._str("reports/folder")

    @reports_folder.setter
    def reports_folder(self, value: str) -> None:
        self.q.setValue("reports/folder", value.strip())

    @property
    def idle_lock_minutes(self) -> int:
        return max(0, min(240, self._int("security/idle_lock_minutes", 10)))

    @idle_lock_minutes.setter
    def idle_lock_minutes(self, value: int) -> None:
        self.q.setValue("security/idle_lock_minutes", max(0, min(240, int(value))))

    @property
    def ca_bundle(self) -> str:
        """PEM file of extra CAs head office's certificate may chain to ("" = the system's CAs only)."""
        return self._str("sync/ca_bundle")

    @ca_bundle.setter
    def ca_bundle(self, value: str) -> None:
        self.q.setValue("sync/ca_bundle", value.strip())

    @property
    def tls_pins(self) -> list[str]:
        """SHA-256 pins of head office's public key (SPKI), base64 or hex; empty = no pinning."""
        return [p for p in self._str("sync/tls_pins").split() if p]

    @tls_pins.setter
    def tls_pins(self, values: list[str]) -> None:
        self.q.setValue("sync/tls_pins", " ".join(v.strip() for v in values if v.strip()))

    @property
    def retention_days(self) -> int:
        """Closed/returned cases leave the laptop this many days after their last change, once acknowledged."""
        return max(0, min(3650, self._int("security/retention_days", 30)))

    @retention_days.setter
    def retention_days(self, value: int) -> None:
        self.q.setValue("security/retention_days", max(0, min(3650, int(value))))

    # -- layout ----------------------------------------------------------------------------------
    def geometry(self, key: str) -> QByteArray | None:
        value = self.q.value(f"layout/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, key: str, value: QByteArray) -> None:
        self.q.setValue(f"layout/{key}", value)

    def json_value(self, key: str) -> Any:
        raw = self._str(f"state/{key}")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, a number past Python's digits, nested absurdly deep
            return None

    def set_json_value(self, key: str, value: Any) -> None:
        self.q.setValue(f"state/{key}", json.dumps(value, ensure_ascii=False))

    def sync(self) -> None:
        self.q.sync()
