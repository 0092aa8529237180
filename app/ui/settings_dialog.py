"""Settings: language, head-office address, map tile source, idle lock minutes."""

from __future__ import annotations

from urllib.parse import urlparse

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .settings import AppSettings


def _error(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #c0392b;")
    label.hide()
    return label


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(520)
        self.language = QComboBox(self)
        self.language.addItem(self.tr("Follow the system"), "system")
        self.language.addItem("中文（简体）", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.head_office = QLineEdit(settings.head_office_url, self)
        self.head_office.setPlaceholderText("https://headoffice.example.com")
        self.tile_url = QLineEdit(settings.tile_url, self)
        self.tile_url.setPlaceholderText("https://tiles.example.com/{z}/{x}/{y}.png")
        self.tile_attribution = QLineEdit(settings.tile_attribution, self)
        self.tile_crs = QComboBox(self)
        self.tile_crs.addItem(self.tr("WGS-84 (international tiles)"), "WGS-84")
        self.tile_crs.addItem(self.tr("GCJ-02 (Chinese map providers)"), "GCJ-02")
        self.tile_crs.setCurrentIndex(max(0, self.tile_crs.findData(settings.tile_crs)))
        self.idle = QSpinBox(self)
        self.idle.setRange(0, 240)
        self.idle.setSuffix(self.tr(" min"))
        self.idle.setSpecialValueText(self.tr("never"))
        self.idle.setValue(settings.idle_lock_minutes)
        self.head_office_error = _error(self)
        self.tile_error = _error(self)
        form = QFormLayout()
        form.addRow(self.tr("&Language:"), self.language)
        form.addRow(self.tr("&Head office address:"), self.head_office)
        form.addRow("", self.head_office_error)
        form.addRow(self.tr("Map &tiles (URL template):"), self.tile_url)
        form.addRow("", self.tile_error)
        form.addRow(self.tr("Tile &attribution:"), self.tile_attribution)
        form.addRow(self.tr("Tile &coordinates:"), self.tile_crs)
        form.addRow(self.tr("&Lock after idle:"), self.idle)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.language_changed = False

    def save(self) -> None:
        ok = True
        for label in (self.head_office_error, self.tile_error):
            label.hide()
        url = self.head_office.text().strip()
        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("https", "http") or not parsed.netloc:
                self.head_office_error.setText(self.tr("Enter an address like https://headoffice.example.com"))
                self.head_office_error.show()
                ok = False
        tiles = self.tile_url.text().strip()
        if tiles and not (tiles.startswith(("https://", "http://", "mbtiles:", "file:"))
                          and all(p in tiles for p in ("{z}", "{x}", "{y}"))):
            self.tile_error.setText(self.tr("A tile URL needs {z}, {x} and {y}, e.g. https://…/{z}/{x}/{y}.png"))
            self.tile_error.show()
            ok = False
        if not ok:
            return
        self.language_changed = self.language.currentData() != self.settings.language
        self.settings.language = self.language.currentData()
        self.settings.head_office_url = url
        self.settings.tile_url = tiles
        self.settings.tile_attribution = self.tile_attribution.text()
        self.settings.tile_crs = self.tile_crs.currentData()
        self.settings.idle_lock_minutes = self.idle.value()
        self.settings.sync()
        self.accept()
