"""Where access and refresh tokens live between requests.

`TokenStore` is the interface; `MemoryTokenStore` keeps them for the life of the process. A store
backed by the OS keyring implements the same three methods, so the client does not change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime  # client clock; only used to refresh a little early

    def expiring(self, now: datetime, margin: timedelta = timedelta(seconds=30)) -> bool:
        return now + margin >= self.expires_at


class TokenStore(Protocol):
    def load(self, server: str, username: str) -> Tokens | None: ...

    def save(self, server: str, username: str, tokens: Tokens) -> None: ...

    def clear(self, server: str, username: str) -> None: ...


class MemoryTokenStore:
    """Tokens kept in memory only (lost when the process ends)."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], Tokens] = {}
        self._lock = threading.Lock()

    def load(self, server: str, username: str) -> Tokens | None:
        with self._lock:
            return self._tokens.get((server, username))

    def save(self, server: str, username: str, tokens: Tokens) -> None:
        with self._lock:
            self._tokens[(server, username)] = tokens

    def clear(self, server: str, username: str) -> None:
        with self._lock:
            self._tokens.pop((server, username), None)
