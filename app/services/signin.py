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
* `sign_in_to_sync(data_dir, username, password, server)` is the store a command-line sync writes into:
  the window's first login (`SessionManager.login` with `HeadOfficeLogin`) when the folder has no store,
  the offline login when it has an encrypted one; a plain store holding cases, and a demo store, are
  refused (`SyncRefused`, with what to do) before anything is sent or written.
"""

from __future__ import annotations

import logging
import shlex
import sqlite3
import uuid
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
from .session import Session, SessionManager

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


# --- the store a command-line sync writes into ------------------------------------------------------

# `python -m app demo-data` writes this audit entry into every store it fills (app/demo/generate.py): a
# store whose audit log holds it is a demo store, made-up people, and head-office data never goes into it.
DEMO_MARK = "demo.generated"
PERSONAL_TABLES = ("cases", "debtors", "events")


class SyncRefused(StoreError):
    """A sync would write head-office data where it must not go; nothing was sent or changed. The message
    says what to do."""


@dataclass(frozen=True)
class PlainStore:
    demo: bool
    holds_data: bool  # any case, debtor or recorded event
    device_id: str | None


def inspect_plain_store(path: Path) -> PlainStore:
    """What a plain store holds, read without opening it as a store (no upgrade, no copy beside it)."""
    conn = sqlite3.connect(str(path), timeout=10.0)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        demo = "audit_log" in tables and conn.execute(
            "SELECT 1 FROM audit_log WHERE action = ? LIMIT 1", (DEMO_MARK,)).fetchone() is not None
        holds = any(conn.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
                    for t in PERSONAL_TABLES if t in tables)
        device = None
        if "sync_state" in tables:
            row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (DEVICE_ID,)).fetchone()
            device = row[0] if row else None
    finally:
        conn.close()
    return PlainStore(demo, holds, device)


def _demo_refusal(data_dir: Path) -> SyncRefused:
    return SyncRefused(
        f"the store in {data_dir} is a demo store (made-up people, from `python -m app demo-data`): head-office "
        "data never goes into it; sync into a folder of its own with --data-dir (nothing was sent or changed)")


def sign_in_to_sync(data_dir: Path, username: str, password: str, server: str, *,
                    tls: TransportSettings | None = None, retry_budget: float = 15.0,
                    secret: str | None = None) -> tuple[Session, SignedIn | None]:
    """The unlocked, encrypted store of `data_dir` for a sync as `username`, and head office's answer when
    it had to be asked (the tokens of that login; None when the store was unlocked offline).

    * no store yet, or a plain one holding nothing (no case, debtor or event): the window's first login,
      `SessionManager.login` with `HeadOfficeLogin`: head office checks the password, then the store is
      created (or the empty one encrypted in place) with a key from it, before a single case is pulled;
    * an encrypted store: the offline login with `secret` (default: the password), with the login back-off;
    * a plain store holding data: refused with the command that encrypts it (an earlier version's store:
      encrypting it is a change of its own, done on purpose, not a side effect of a sync);
    * a demo store, plain or encrypted: refused (made-up people and real ones never share a store).
    Raises SyncRefused or the session's LoginError (BadCredentials, TooManyAttempts, HeadOfficeUnreachable)."""
    from app.store.crypto import is_plain_sqlite

    from .datadir import store_path

    path = store_path(data_dir)
    manager = SessionManager(path, evidence_folder=data_dir / "attachments")
    if not manager.first_login_needed():
        session = manager.login(username, secret or password)
        try:
            with session.require_store().read_db() as db:
                demo = db.execute("SELECT 1 FROM audit_log WHERE action = ? LIMIT 1", (DEMO_MARK,)).fetchone()
        except BaseException:
            session.close()
            raise
        if demo is not None:
            session.close()
            raise _demo_refusal(data_dir)
        return session, None
    device = str(uuid.uuid4())
    if is_plain_sqlite(path):
        plain = inspect_plain_store(path)
        if plain.demo:
            raise _demo_refusal(data_dir)
        if plain.holds_data:
            command = f"python -m app --data-dir {shlex.quote(str(data_dir))} security encrypt"
            raise SyncRefused(
                f"the store in {data_dir} is not encrypted, and head-office data is never synced into a plain "
                f"store; encrypt it first (every record kept, the clear copy wiped): {command} — then sync again "
                "(nothing was sent or changed)")
        device = plain.device_id or device
    session = manager.login(username, password, HeadOfficeLogin(server, device, tls, retry_budget))
    answer: SignedIn = session.head_office
    session.head_office = None
    try:
        adopt_device_id(session.require_store(), answer.device_id)
    except BaseException:
        session.close()
        raise
    return session, answer
