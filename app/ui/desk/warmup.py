"""Keeping the GUI thread free while the launch loads its code: cyclic garbage collection waits until
the list is up, and modules the next steps need are imported ahead, off the GUI thread — the store
stack beside the window (when no first page is read first), the other pages, dialogs and the sync's
pull code once the list has painted. None of this changes what is shown, only when the GUI thread is
free to show it.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("doorstep")
LAUNCH_GC_PAUSE_S = 10.0  # the longest the launch goes without cyclic garbage collection


def warm_store_imports() -> None:
    """Import the store stack (SQLAlchemy, the ORM models and their mapper set-up, the store vault: about
    half a second) on a thread of its own while the GUI thread is busy with the window (when no first page
    is read before the store opens, see `build` in main.py); `open_services` then finds it ready.
    None of these modules import Qt.
    Same order as in `open_services`. A failure here is left for `open_services` to meet and report."""
    def warm() -> None:
        import importlib

        try:
            for name in ("app.domain.compliance", "app.services.datadir", "app.services.workspace",
                         "app.store.syncstate", "app.store.vault"):
                importlib.import_module(name)
            from app.store.models import configure_all_mappers

            configure_all_mappers()  # else the first ORM query of open_services pays for it (thread-safe)
        except Exception:  # reported by open_services, which imports them again
            log.debug("warming the store imports failed", exc_info=True)

    threading.Thread(target=warm, name="doorstep-warm-imports", daemon=True).start()


def warm_later_imports() -> None:
    """In a worker, once the list is up: what the purge check and the supervisor's role check import (the
    sync's pull code, the wire schema and pydantic), so the GUI thread finds them loaded."""
    import importlib

    from app.ui.case_workspace import DIALOG_MODULES
    from app.ui.main_window import LATER_MODULES

    for name in (*LATER_MODULES, *DIALOG_MODULES, "app.services.retention", "app.services.assigning"):
        try:
            importlib.import_module(name)
        except Exception:  # met again, and reported, where it is used
            log.debug("loading %s ahead failed", name, exc_info=True)


def pause_gc() -> None:
    """No cyclic garbage collection while the launch loads its modules: imports make ~100,000 objects that
    all stay, so each collection would walk them for nothing. `resume_gc` turns it back on once the
    list is up (or the opening failed, or after a few seconds whatever happened)."""
    import gc

    from app.ui import gui_gc

    gc.disable()
    gui_gc.hold(True)
    fallback = threading.Timer(LAUNCH_GC_PAUSE_S, resume_gc)
    fallback.daemon = True  # never holds the process open
    fallback.start()


def resume_gc() -> None:
    import gc

    from app.ui import gui_gc

    if not gc.isenabled():
        gc.freeze()  # what the launch made stays for good: later collections need not walk it
        if not gui_gc.taken():  # the GUI thread's collector collects from now on (app/ui/gui_gc.py)
            gc.enable()
    gui_gc.hold(False)
