"""The sync wiring: the head-office sync controller made for an open store (tokens in the session's
vault, evidence read with its key), what its rounds and the purge schedule change in the window, and
the Settings' head-office address, CA bundle and pins taken from the next round."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .opening import Opened


class SyncWiring:
    """The desk's part between the sync controller, the retention schedule and the window."""

    window: Any
    opened: Opened | None
    sync: Any

    def make_sync(self, result: Opened) -> Any:
        """Head-office sync (tokens in the session's vault; a plain store keeps them in memory only)."""
        from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync

        server = self.server()
        account = HeadOfficeAccount(server=server, username=result.actor, device_id=result.device_id,
                                    attachments_dir=result.data_dir / "attachments") if server else None
        sync = HeadOfficeSync(result.store, self.runner, account, tokens=result.tokens, tls=self.tls(),  # type: ignore[arg-type]
                              parent=self.window)
        session = result.session
        if session is not None:  # sealed evidence files are read with the key while the store is unlocked
            sync.evidence_key = lambda: None if session.locked else session.keys.evidence_key  # type: ignore[attr-defined]
        sync.reportReady.connect(self.synced)
        sync.signInRequired.connect(self.sign_in_needed)
        sync.signInRequested.connect(self.sign_in_requested)
        sync.signOutRequested.connect(self.sign_out)
        return sync

    def synced(self, report: Any) -> None:
        """A round brought or removed cases (the first sync of a new laptop: all of them): show them."""
        if getattr(report, "cases_updated", 0) or getattr(report, "cases_removed", None):
            self.window.refresh_lists()

    def purged(self, summary: Any) -> None:
        page = self.window.sync_page
        if page is not None:
            page.show_purge(summary)
        if summary.cases:
            self.window.refresh_lists()

    def settings_changed(self) -> None:
        """Settings saved: the sync takes the new head-office address (a new server needs its own sign-in)
        and the new CA bundle and pins from its next round."""
        if self.sync is None or self.opened is None:
            return
        from app.ui.head_office_sync import HeadOfficeAccount

        server, account = self.server(), self.sync.account
        if not server:
            if account is not None:
                self.sync.configure(None, tls=self.tls())
        elif account is None or account.server.rstrip("/") != server.rstrip("/"):
            self.sync.configure(HeadOfficeAccount(server=server, username=self.opened.actor,
                                                  device_id=self.opened.device_id,
                                                  attachments_dir=self.opened.data_dir / "attachments"),
                                tokens=self.opened.tokens, tls=self.tls())  # type: ignore[arg-type]
            self.sync.check_session()
        else:
            self.sync.tls = self.tls()
