"""Signing in to head office from the window: the online check of a first login, the tokens' vault, the
device id, and retiring a plain store that is about to be encrypted.

* `HeadOfficeLogin(server, device_id, tls)` is the `authenticate` callable of `SessionManager.login`:
  a real `HeadOfficeClient.login`; it returns `SignedIn` (the session tokens, kept only in memory until
  the store — and so the secrets-file key — exists) or raises the client's AuthError / SyncError.
* `token_store_for(data_dir, keys, device_id)` is the persistent TokenStore of a signed-in window: the
  OS keyring (entries under the device id) or, without one, `secrets.dse` under the key from the secret.
* `adopt_device_id(store, device)` gives a store created at a first login the device id head office
  bound the tokens to.
* `retire_store(store)` closes a plain store for good: no new connection can open on it (a stray
  background read must not recreate clear-text files beside a store being encrypted).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

from app.contract import v1
from app.store.engine import Store
from app.store.migrate import StoreError
from app.store.syncstate import DEVICE_ID, get_state, set_state
from app.store.vault import Keys
from app.sync.client import HeadOfficeClient
from app.sync.retry import RetryPolicy
from app.sync.tokens import MemoryTokenStore, Tokens
from app.sync.transport import TransportSettings

from .secrets import SecretVault, VaultTokenStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedIn:
    server: str
    username: str
    device_id: str
    tokens: Tokens
    user: v1.UserInfo


@dataclass(frozen=True)
class HeadOfficeLogin:
    """Callable(username, secret) -> SignedIn: head office's own login, over the verified transport."""

    server: str
    device_id: str
    tls: TransportSettings | None = None
    retry_budget: float = 15.0

    def __call__(self, username: str, secret: str) -> SignedIn:
        memory = MemoryTokenStore()
        client = HeadOfficeClient(self.server, self.device_id, tokens=memory, tls=self.tls,
                                  retry=RetryPolicy(budget=self.retry_budget))
        try:
            user = client.login(username, secret)
            tokens = memory.load(client.server, username)
        finally:
            client.close()
        assert tokens is not None  # login() saved them
        log.info("signed in to head office as user id %s", user.id)
        return SignedIn(client.server, username, self.device_id, tokens, user)


def token_store_for(data_dir: Path, keys: Keys, device_id: str, keyring_backend: Any = None) -> VaultTokenStore:
    """Tokens of this laptop's head-office session: keyring entries under the device id, else the encrypted
    file in the data folder (key from the user's secret)."""
    return VaultTokenStore(SecretVault.open(data_dir, keys.secrets_key, device_id, keyring_backend))


def adopt_device_id(store: Store, device: str) -> str:
    """The store's device id; a store without one (created at a first login) takes `device`."""
    with store.write() as session:
        current = get_state(session, DEVICE_ID)
        if current is None:
            set_state(session, DEVICE_ID, device)
            return device
        return current


def _refuse(_dbapi_connection: Any, _record: Any) -> None:
    raise StoreError("this store was closed for encryption; it cannot be opened again")


def retire_store(store: Store) -> None:
    """Close a store for good: idle connections closed now, and any new connection refused before it runs
    a statement (a connection already busy finishes its work)."""
    event.listen(store.engine, "connect", _refuse, insert=True)
    store.close()
