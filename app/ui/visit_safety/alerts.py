"""How the window calls for attention about safety: a tray notification where the desktop has a tray,
and a sound (the short WAV in resources/sounds through QtMultimedia where it loads, else the
system beep). Used by the visit banner's reminder, a colleague's alarm nearby and the supervisor's
board; `alerted(title, text)` says what was raised (for the status line and for tests).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

log = logging.getLogger(__name__)

SOUND = Path(__file__).resolve().parents[3] / "resources" / "sounds" / "safety_alert.wav"


class Alerter(QObject):
    alerted = Signal(str, str)  # title, text

    def __init__(self, window: QWidget, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self._tray: QSystemTrayIcon | None = None
        self._effect: Any = None
        self._effect_tried = False

    def alert(self, title: str, text: str, *, critical: bool = False) -> None:
        self.notify(title, text, critical=critical)
        self.sound()
        self.alerted.emit(title, text)

    def notify(self, title: str, text: str, *, critical: bool = False) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            self._tray = QSystemTrayIcon(self.window.windowIcon(), self)
            self._tray.show()
        icon = QSystemTrayIcon.MessageIcon.Critical if critical else QSystemTrayIcon.MessageIcon.Warning
        self._tray.showMessage(title[:200], text[:500], icon, 15_000)

    def sound(self) -> None:
        effect = self._sound_effect()
        if effect is not None:
            effect.play()
        else:
            QApplication.beep()

    def _sound_effect(self) -> Any:
        """QSoundEffect over the WAV, or None where QtMultimedia cannot load (no audio libraries)."""
        if not self._effect_tried:
            self._effect_tried = True
            try:
                from PySide6.QtMultimedia import QSoundEffect
            except (ImportError, OSError) as exc:
                log.debug("no QtMultimedia here (%s): the system beep stands in", exc)
                return None
            if SOUND.exists():
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(SOUND)))
                self._effect = effect
        return self._effect
