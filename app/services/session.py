"""Offline login and lock: the core the login dialog and the idle lock drive.

* First login on a laptop is online: the `authenticate(username, secret)` callable (the head-office
  login, passed in so tests need no network) must succeed; then the store's salt, KDF parameters and
  verifier are written (a plain store from an earlier version is encrypted in place, every row kept).
* Later logins are offline: argon2id of the secret must reproduce the verifier; then the store opens.
* Failed attempts back off exponentially (the first three are free, then 1 s, 2 s, 4 s … capped at
  15 min); the count and the earliest next attempt are kept in `<store>.login` so a restart does not
  reset them.
* `lock()` and `logout()` close the store and overwrite the keys in memory.

What Python can and cannot promise about clearing keys: the derived keys live in `bytearray`s that are
overwritten in place on lock/logout, and the SQLCipher connections are closed (SQLCipher wipes its own
key copies on close). But the secret typed by the user arrives as an immutable `str` (Qt hands us one);
argon2-cffi and `cryptography` take `bytes` copies; the raw-key PRAGMA text is a `str`. Those copies
are unreachable garbage that the allocator may keep until reused, and may reach swap or a crash dump.
Locking therefore protects against someone using the unlocked app, not against a memory forensic on a
running, unlocked laptop; full-disk encryption and OS hibernation encryption are the answer there.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain.clock import ensure_utc, utcnow
from app.domain.kdf import KdfParams
from app.services.evidence import encrypt_plain_evidence
from app.store.crypto import EncryptedConnector, WrongSecret, is_plain_sqlite
from app.store.engine import Store
from app.store.keyfile import write_atomic
from app.store.vault import (
    Keys,
    change_secret,
    create_keys,
    encrypt_existing,
    is_encrypted_store,
    open_encrypted,
)
from app.store.vault import unlock as unlock_keys

log = logging.getLogger(__name__)

FREE_ATTEMPTS = 3
MAX_DELAY_S = 15 * 60
STATE_SUFFIX = ".login"

Authenticate = Callable[[str, str], Any]


class LoginError(Exception):
    """A login was refused; the message is fit for a user."""


class NeedsOnlineLogin(LoginError):
    pass


class TooManyAttempts(LoginError):
    def __init__(self, wait_s: int) -> None:
        super().__init__(f"too many failed attempts: try again in {wait_s} s")
        self.wait_s = wait_s


class BadCredentials(LoginError):
    """`reason`: "head_office" (refused online), "other_user" (the store is someone else's), "wrong" (secret)."""

    def __init__(self, message: str, reason: str = "wrong") -> None:
        super().__init__(message)
        self.reason = reason


class Locked(LoginError):
    pass


class HeadOfficeUnreachable(LoginError):
    """The first login could not ask head office (network down, untrusted certificate, http:// refused).
    Not a failed attempt: nothing was changed and the back-off does not grow."""


# Phases of a first login, for a progress display: (phase, PHASES) through `progress`.
PHASE_HEAD_OFFICE, PHASE_ENCRYPT, PHASE_OPEN = 1, 2, 3
PHASES = 3


def backoff_delay(failures: int) -> int:
    if failures < FREE_ATTEMPTS:
        return 0
    return min(1 << min(failures - FREE_ATTEMPTS, 20), MAX_DELAY_S)


@dataclass
class LoginState:
    username: str = ""
    failures: int = 0
    not_before: datetime | None = None
    damaged: bool = False

    @classmethod
    def load(cls, path: Path) -> LoginState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            nb = data.get("not_before")
            return cls(str(data.get("username", "")), int(data.get("failures", 0)),
                       ensure_utc(datetime.fromisoformat(nb)) if nb else None)
        except FileNotFoundError:
            return cls()
        except (ValueError, TypeError, AttributeError, OSError):
            # A damaged state file must not unlock more attempts than it allowed: start at the cap.
            return cls(failures=FREE_ATTEMPTS + 5, damaged=True)

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps({"username": self.username, "failures": self.failures,
                                       "not_before": self.not_before.isoformat() if self.not_before else None},
                                      sort_keys=True).encode("utf-8"))


@dataclass
class Session:
    """One user's unlocked (or locked) store. Build with `SessionManager.login`."""

    username: str
    store_file: Path
    keys: Keys | None = field(repr=False)  # never in a log line or a traceback
    store: Store | None
    connector: EncryptedConnector | None = field(repr=False)
    on_lock: list[Callable[[], None]] = field(default_factory=list)
    head_office: Any = None  # what `authenticate` returned at a first (online) login, e.g. the session tokens

    @property
    def locked(self) -> bool:
        return self.keys is None

    def require_store(self) -> Store:
        if self.store is None or self.keys is None:
            raise Locked("Doorstep is locked: enter your secret to continue")
        return self.store

    def lock(self) -> None:
        """Wipe the keys and close every idle connection; the Store object stays (it works again after
        `SessionManager.unlock`). A query already running finishes; no new connection can be opened."""
        if self.connector is not None:
            self.connector.forget()
        if self.store is not None:
            self.store.dispose()
        if self.keys is not None:
            self.keys.wipe()
        self.keys = None
        for callback in list(self.on_lock):
            callback()

    def close(self) -> None:
        """Lock and close the store for good (logout, quitting)."""
        self.lock()
        if self.store is not None:
            self.store.close()
        self.store = self.connector = None


class SessionManager:
    """Logins against one store file, with the persisted back-off."""

    def __init__(self, store_file: Path, *, now: Callable[[], datetime] = utcnow,
                 params: KdfParams | None = None, evidence_folder: Path | None = None) -> None:
        self.store_file = store_file
        self.evidence_folder = evidence_folder
        self.state_path = store_file.with_name(store_file.name + STATE_SUFFIX)
        self._now = now
        self._params = params

    def first_login_needed(self) -> bool:
        return not is_encrypted_store(self.store_file)

    def state(self) -> LoginState:
        return LoginState.load(self.state_path)

    def _check_backoff(self, state: LoginState) -> None:
        if state.damaged:  # wait as after that many failures, then carry on from there
            state.not_before = ensure_utc(self._now()) + timedelta(seconds=backoff_delay(state.failures))
            state.damaged = False
            state.save(self.state_path)
        if state.not_before is not None:
            wait = (state.not_before - ensure_utc(self._now())).total_seconds()
            if wait > 0:
                raise TooManyAttempts(math.ceil(wait))

    def _failed(self, state: LoginState) -> None:
        state.failures += 1
        delay = backoff_delay(state.failures)
        state.not_before = ensure_utc(self._now()) + timedelta(seconds=delay) if delay else None
        state.save(self.state_path)
        log.info("login failed (%d in a row)", state.failures)

    def _succeeded(self, state: LoginState, username: str) -> None:
        state.failures, state.not_before, state.username = 0, None, username
        state.save(self.state_path)

    def check_online(self, username: str, secret: str, authenticate: Authenticate) -> Any:
        """Ask head office (the `authenticate` callable) with the login back-off; returns what it returned.
        A refusal counts as a failed attempt (BadCredentials "head_office"); a network or certificate
        problem does not (HeadOfficeUnreachable). Nothing on disk changes but the attempt counter."""
        from app.sync.errors import AuthError, SyncError

        state = self.state()
        self._check_backoff(state)
        self.store_file.parent.mkdir(parents=True, exist_ok=True)  # where the attempt counter is kept
        try:
            return authenticate(username, secret)
        except LoginError:
            raise
        except SyncError as exc:
            if not isinstance(exc, AuthError):
                raise HeadOfficeUnreachable(str(exc)) from exc
            self._failed(state)
            raise BadCredentials(str(exc), "head_office") from exc
        except Exception as exc:
            self._failed(state)
            raise BadCredentials(f"head office did not accept the login ({type(exc).__name__})",
                                 "head_office") from exc

    def login(self, username: str, secret: str, authenticate: Authenticate | None = None,
              progress: Callable[[int, int], None] | None = None) -> Session:
        """Unlock the store for this user; online the first time, offline after. `progress(phase, PHASES)`
        is told when a first login moves on (asking head office, encrypting or creating, opening)."""
        state = self.state()
        self._check_backoff(state)
        self.store_file.parent.mkdir(parents=True, exist_ok=True)
        tell = progress or (lambda _phase, _total: None)
        if self.first_login_needed():
            if authenticate is None:
                raise NeedsOnlineLogin("the first login on this laptop needs a connection to head office")
            tell(PHASE_HEAD_OFFICE, PHASES)
            answer = self.check_online(username, secret, authenticate)
            tell(PHASE_ENCRYPT, PHASES)
            if is_plain_sqlite(self.store_file):
                keys = encrypt_existing(self.store_file, secret, self._params)
                if self.evidence_folder is not None:
                    sealed = encrypt_plain_evidence(self.evidence_folder, keys.evidence_key)
                    log.info("sealed %d evidence file(s) left in the clear by an earlier version", sealed)
            else:
                keys = create_keys(self.store_file, secret, self._params)
            self._succeeded(state, username)
            tell(PHASE_OPEN, PHASES)
            session = self._open(username, keys)
            session.head_office = answer
            return session
        keys = self._offline_keys(state, username, secret)
        return self._open(username or state.username, keys)

    def _offline_keys(self, state: LoginState, username: str, secret: str) -> Keys:
        if state.username and username.casefold() != state.username.casefold():
            self._failed(state)
            raise BadCredentials("this laptop's store belongs to another user", "other_user")
        try:
            keys = unlock_keys(self.store_file, secret)
        except WrongSecret as exc:
            self._failed(state)
            raise BadCredentials("wrong user name or secret") from exc
        self._succeeded(state, username or state.username)
        return keys

    def _open(self, username: str, keys: Keys) -> Session:
        try:
            store, connector = open_encrypted(self.store_file, keys)
        except BaseException:
            keys.wipe()
            raise
        return Session(username, self.store_file, keys, store, connector)

    def unlock(self, session: Session, secret: str) -> None:
        """Unlock a locked session with the same user's secret (same back-off as a login). The session's
        Store object stays the same, so everything holding it works again."""
        if not session.locked:
            return
        state = self.state()
        self._check_backoff(state)
        keys = self._offline_keys(state, session.username, secret)
        if session.store is None or session.connector is None:  # logged out: open afresh
            fresh = self._open(session.username, keys)
            session.store, session.connector = fresh.store, fresh.connector
        else:
            session.connector.replace_key(keys.store_key)
        session.keys = keys

    def change_secret(self, session: Session, old: str, new: str) -> None:
        if session.keys is None or session.store is None or session.connector is None:
            raise Locked("unlock first")
        try:
            session.keys = change_secret(self.store_file, session.store, session.connector, session.keys, old, new,
                                         self._params)
        except WrongSecret as exc:
            raise BadCredentials("the current secret is wrong") from exc

    def logout(self, session: Session) -> None:
        session.close()



class IdleLock:
    """When to lock for inactivity: the window calls `touch()` on user input and asks `due()` on a timer."""

    def __init__(self, minutes: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        if minutes <= 0:
            raise ValueError("the idle time must be positive")
        self.minutes = minutes
        self._clock = clock
        self._last = clock()

    def touch(self) -> None:
        self._last = self._clock()

    def remaining_s(self) -> float:
        return max(0.0, self.minutes * 60 - (self._clock() - self._last))

    def due(self) -> bool:
        return self.remaining_s() <= 0
