"""A plain page for a part of the app whose work has not landed in this build."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    def __init__(self, title: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        heading = QLabel(title, self)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        body = QLabel(text, self)
        body.setTextFormat(Qt.TextFormat.PlainText)
        body.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(heading, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
