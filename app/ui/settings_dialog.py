"""Settings: language, head office (address, CA bundle, public-key pins), map tile source, idle lock, retention.

The head-office fields are checked the way the sync client will use them (app.sync.transport): plain
http:// is refused except to this machine, the CA bundle must load, each pin must be a SHA-256.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
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
        self.ca_bundle = QLineEdit(settings.ca_bundle, self)
        self.ca_bundle.setPlaceholderText(self.tr("(the system's certificate authorities)"))
        self.ca_browse = QPushButton(self.tr("&Browse…"), self)
        self.ca_browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.ca_browse)
        self.pins = QPlainTextEdit("\n".join(settings.tls_pins), self)
        self.pins.setTabChangesFocus(True)
        self.pins.setPlaceholderText(self.tr("optional: one SHA-256 of head office's public key per line"))
        self.pins.setFixedHeight(self.pins.fontMetrics().lineSpacing() * 3 + 12)
        self.retention = QSpinBox(self)
        self.retention.setRange(0, 3650)
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setValue(settings.retention_days)
        self.retention.setToolTip(self.tr("Closed or returned cases leave this laptop this many days after their "
                                          "last change, once head office has everything recorded on them."))
        self.head_office_error = _error(self)
        self.tls_error = _error(self)
        self.tls_error.setWordWrap(True)
        self.head_office_error.setWordWrap(True)
        self.tile_error = _error(self)
        form = QFormLayout()
        form.addRow(self.tr("&Language:"), self.language)
        form.addRow(self.tr("&Head office address:"), self.head_office)
        form.addRow("", self.head_office_error)
        form.addRow(self.tr("&CA bundle (PEM):"), ca_row)
        form.addRow(self.tr("Public-key &pins:"), self.pins)
        form.addRow("", self.tls_error)
        form.addRow(self.tr("Map &tiles (URL template):"), self.tile_url)
        form.addRow("", self.tile_error)
        form.addRow(self.tr("Tile &attribution:"), self.tile_attribution)
        form.addRow(self.tr("Tile &coordinates:"), self.tile_crs)
        form.addRow(self.tr("&Lock after idle:"), self.idle)
        form.addRow(self.tr("&Keep closed cases:"), self.retention)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.language_changed = False

    def _browse_ca(self) -> None:
        start = self.ca_bundle.text().strip() or str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("CA bundle"), start,
                                                    self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        if path:
            self.ca_bundle.setText(path)

    def pin_lines(self) -> list[str]:
        return [line.strip() for line in self.pins.toPlainText().replace(",", "\n").splitlines() if line.strip()]

    def _check_tls(self) -> str | None:
        """Why the head-office fields cannot be used (in words), or None."""
        from app.sync.transport import InsecureTransport, TransportSettings, pins_from, ssl_context

        try:
            pins = pins_from(self.pin_lines())
        except InsecureTransport:
            return self.tr("A pin must be the SHA-256 of head office's public key, in base64 or hex.")
        ca = self.ca_bundle.text().strip()
        if ca and not Path(ca).expanduser().is_file():
            return self.tr("The CA bundle file does not exist.")
        settings = TransportSettings(ca_bundle=Path(ca).expanduser() if ca else None, pins=pins)
        try:
            if ca:
                ssl_context(settings)
        except InsecureTransport:
            return self.tr("The CA bundle is not a PEM file of certificates.")
        return None

    def save(self) -> None:
        from app.sync.transport import InsecureTransport, check_server_url

        ok = True
        for label in (self.head_office_error, self.tile_error, self.tls_error):
            label.hide()
        url = self.head_office.text().strip()
        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("https", "http") or not parsed.netloc:
                self.head_office_error.setText(self.tr("Enter an address like https://headoffice.example.com"))
                self.head_office_error.show()
                ok = False
            else:
                try:
                    check_server_url(url)
                except InsecureTransport:
                    self.head_office_error.setText(self.tr(
                        "Plain http:// would send your cases unencrypted: use https:// (only a head office on "
                        "this computer may use http://)."))
                    self.head_office_error.show()
                    ok = False
        problem = self._check_tls()
        if problem:
            self.tls_error.setText(problem)
            self.tls_error.show()
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
        self.settings.ca_bundle = self.ca_bundle.text()
        self.settings.tls_pins = self.pin_lines()
        self.settings.retention_days = self.retention.value()
        self.settings.sync()
        self.accept()
