"""The desk: what the composition root (main.py) keeps between the login, the store and the window —
the open store and its session, the sync controller, the retention schedule — and the flows that
swap them. Its parts: opening the store (`opening`), signing in (`signing_in`), locking (`locking`),
the sync wiring (`sync_wiring`).
"""

from __future__ import annotations

import argparse
from typing import Any

from .locking import Locking
from .opening import Opened, Opening
from .signing_in import SigningIn
from .sync_wiring import SyncWiring


class Desk(Opening, SigningIn, Locking, SyncWiring):
    """What the composition root keeps between the login, the store and the window: the open store and
    its session, the sync controller, the retention schedule; and the sign-in flows that swap them."""

    def __init__(self, args: argparse.Namespace, app: Any, window: Any, runner: Any, settings: Any,
                 secret: str | None) -> None:
        self.args = args
        self.app = app
        self.window = window
        self.runner = runner
        self.settings = settings
        self.secret = secret  # only with --secret-stdin; dropped after its first use
        self.opened: Opened | None = None
        self.sync: Any = None
        self.retention: Any = None
        self.manager: Any = None
        self.lock_armed = False
        self.asking = False  # a sign-in dialog is open
        self.declined = False  # the user cancelled the password dialog: automatic rounds do not ask again
        self.first_page: Any = None  # app.ui.first_page.FirstPageAtLaunch until the workspace is attached
        self._chores_due = False  # attached, the list not up yet: the purge and session checks wait for it
        window.settingsSaved.connect(self.settings_changed)

    # -- where things are ------------------------------------------------------------------------
    def server(self) -> str:
        return (self.args.head_office or self.settings.head_office_url or "").strip()

    def tls(self) -> Any:
        from app.ui.head_office_sync import transport_settings

        return transport_settings(self.settings)

    def session_manager(self) -> Any:
        from app.services.datadir import resolve_data_dir, store_path
        from app.services.session import SessionManager

        if self.manager is None:
            data_dir = resolve_data_dir(self.args.data_dir)
            self.manager = SessionManager(store_path(data_dir), evidence_folder=data_dir / "attachments")
        return self.manager
