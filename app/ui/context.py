"""Everything a page needs, handed down from the composition root (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.clock import DEFAULT_ZONE, local_day

if TYPE_CHECKING:
    from app.domain.compliance import Profile
    from app.store.engine import Store

    from .settings import AppSettings
    from .sync_controller import SyncController
    from .worker import BackgroundRunner


@dataclass
class UiContext:
    store: Store
    runner: BackgroundRunner
    settings: AppSettings
    profile: Profile
    actor: str
    clock: Callable[[], datetime]
    sync: SyncController
    cache_dir: Path
    zone: str = DEFAULT_ZONE
    agent_id: int | None = None
    # Where sealed evidence lives, and its key while the store is unlocked (None when locked or plain).
    evidence_folder: Path | None = None
    evidence_key: Callable[[], bytes | bytearray | None] | None = None

    def current_evidence_key(self) -> bytes | bytearray | None:
        return self.evidence_key() if self.evidence_key is not None else None

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return local_day(self.clock(), self.zone)
