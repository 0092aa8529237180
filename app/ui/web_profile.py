"""The one web profile of the process, and the order in which web pages and it are torn down.

Every map in the app (Cases, Day route, Assign, Team) is a QWebEngineView. Each used to build its
own off-the-record QWebEngineProfile and parent it to its view. Destroying a profile is not a small
act in QtWebEngine: Chromium tears its browser context down asynchronously, on later turns of the
event loop, and a page that is still alive (or still being destroyed) when that happens leaves it
touching freed memory. Closing one map after another thus crashed the process now and then (a bus
error inside the next `processEvents`), and the log said "Release of profile requested but
WebEnginePage still not deleted".

So there is one profile per process, created on first use and never destroyed while a page can
exist: a page (and its view) may come and go at any time, the profile stays. It has no storage
name, so it is off the record: nothing of a page (debtor names in popups) reaches Chromium's disk
cache. What differs per map, the guard that keeps requests on the machine, is a page-level request
interceptor (`QWebEnginePage.setUrlRequestInterceptor`), not a profile-level one.

At interpreter exit, `_teardown` deletes whatever web views are still alive (each takes its page
with it), then the profile, while the QApplication still exists: pages first, profile last, as
QtWebEngine requires.
"""

from __future__ import annotations

import atexit
import logging

import shiboken6
from PySide6.QtCore import QCoreApplication
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

_profile: QWebEngineProfile | None = None


def shared_profile() -> QWebEngineProfile:
    """The process's off-the-record web profile (created on first call; needs a QApplication)."""
    global _profile
    if _profile is None or not shiboken6.isValid(_profile):
        if QCoreApplication.instance() is None:
            raise RuntimeError("a web profile needs a QApplication")
        profile = QWebEngineProfile()  # no storage name: off the record, nothing on disk
        if not profile.isOffTheRecord():  # pragma: no cover - Qt guarantees it for an unnamed profile
            raise RuntimeError("the map's web profile must be off the record")
        _profile = profile
        atexit.register(_teardown)
    return _profile


def _teardown() -> None:
    """Pages first, then the profile, while the application object still lives."""
    global _profile
    profile, _profile = _profile, None
    if profile is None or not shiboken6.isValid(profile):
        return
    app = QCoreApplication.instance()
    if isinstance(app, QApplication):
        for widget in app.allWidgets():
            if isinstance(widget, QWebEngineView) and shiboken6.isValid(widget):
                shiboken6.delete(widget)
    shiboken6.delete(profile)
    log.debug("web profile released")
