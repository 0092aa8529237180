"""Language and fonts: load the Qt translations for the chosen language, prefer a CJK font.

The language follows the system unless the settings say otherwise. Switching in the settings
dialog takes effect at once: the translators are swapped here and the window rebuilds its pages.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

I18N_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "i18n"
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")


def resolve_language(choice: str, system: QLocale | None = None) -> str:
    """'zh_CN' or 'en' for a settings choice ('system', 'zh_CN', 'en')."""
    if choice in ("zh_CN", "en"):
        return choice
    locale = system or QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


class Translations:
    """Owns the installed translators so they can be swapped at run time."""

    def __init__(self, app: QCoreApplication, folder: Path = I18N_DIR):
        self.app = app
        self.folder = folder
        self.installed: list[QTranslator] = []
        self.language = "en"

    def apply(self, language: str) -> bool:
        """Install `language` ('zh_CN' or 'en'). Returns False if its .qm file is missing."""
        for translator in self.installed:
            self.app.removeTranslator(translator)
        self.installed.clear()
        self.language = language
        if language == "en":
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
            return True
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        ours = QTranslator(self.app)
        ok = ours.load(f"doorstep_{language}", str(self.folder))
        if ok:
            self.app.installTranslator(ours)
            self.installed.append(ours)
        qt = QTranslator(self.app)
        if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            self.app.installTranslator(qt)
            self.installed.append(qt)
        return ok


def prefer_cjk_font(app: QApplication) -> str | None:
    """Use a font that has Chinese glyphs (and Latin ones) for the whole app, when one is installed."""
    families = set(QFontDatabase.families())
    for family in CJK_FONTS:
        if family in families:
            font = QFont(app.font())
            font.setFamilies([family])
            app.setFont(font)
            return family
    return None
