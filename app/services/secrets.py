"""Secrets (head-office tokens) in the OS keyring, or in an encrypted file where there is no keyring.

`SecretVault.open(folder, key)` uses the OS keyring when a real backend exists (Windows Credential
Manager, macOS Keychain, Secret Service); where keyring has only its `fail` or `null` backend (a server,
a CI machine, a minimal Linux), it falls back to `<folder>/secrets.dse`: AES-256-GCM under the
secrets-file key derived from the user's secret (app.domain.kdf), written atomically, mode 0600.
`VaultTokenStore` plugs the vault into the sync client's TokenStore interface; the window binds one to
the user, the head-office address and this laptop's device id (app.services.signin.token_store_for).
"""

from __future__ import annotations

import json
import secrets as _random
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.domain.kdf import wipe
from app.store.keyfile import write_atomic
from app.sync.tokens import Tokens

SERVICE = "Doorstep"
FILE_NAME = "secrets.dse"
MAGIC = b"DSSEC1\n"


class SecretsError(Exception):
    """The secrets cannot be read or written; the message is fit for a user."""


class Backend(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


def keyring_usable(backend: Any) -> bool:
    """False for keyring's fail/null backends (no OS keyring here) or any backend of priority ≤ 0."""
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:
        return False


class KeyringBackend:
    """Entries in the OS keyring under service "Doorstep", one per (account, name)."""

    def __init__(self, backend: Any, account: str) -> None:
        self._kr = backend
        self._account = account

    def _user(self, name: str) -> str:
        return f"{self._account}/{name}"

    def get(self, name: str) -> str | None:
        value = self._kr.get_password(SERVICE, self._user(name))
        return None if value is None else str(value)

    def set(self, name: str, value: str) -> None:
        self._kr.set_password(SERVICE, self._user(name), value)

    def delete(self, name: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            self._kr.delete_password(SERVICE, self._user(name))
        except PasswordDeleteError:
            pass


class EncryptedFileBackend:
    """All secrets in one AES-GCM file; the key never touches the disk."""

    def __init__(self, path: Path, key: bytes | bytearray) -> None:
        if len(key) != 32:
            raise ValueError("the secrets key must be 32 bytes")
        self._path = path
        self._key = bytearray(key)
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        try:
            blob = self._path.read_bytes()
        except FileNotFoundError:
            return {}
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 12 + 16:
            raise SecretsError(f"{self._path.name} is not a Doorstep secrets file")
        nonce = blob[len(MAGIC):len(MAGIC) + 12]
        try:
            plain = AESGCM(bytes(self._key)).decrypt(nonce, blob[len(MAGIC) + 12:], MAGIC)
        except InvalidTag as exc:
            raise SecretsError(f"{self._path.name} is damaged or belongs to another secret") from exc
        data = json.loads(plain.decode("utf-8"))
        return {str(k): str(v) for k, v in data.items()}

    def _save(self, data: dict[str, str]) -> None:
        nonce = _random.token_bytes(12)
        plain = json.dumps(data, sort_keys=True).encode("utf-8")
        self._path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self._path, MAGIC + nonce + AESGCM(bytes(self._key)).encrypt(nonce, plain, MAGIC))

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._load().get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            data = self._load()
            data[name] = value
            self._save(data)

    def delete(self, name: str) -> None:
        with self._lock:
            data = self._load()
            if data.pop(name, None) is not None:
                self._save(data)

    def forget_key(self) -> None:
        wipe(self._key)


class SecretVault:
    """get/set/delete secrets by name, in the keyring or the encrypted file."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def kind(self) -> str:
        return "keyring" if isinstance(self.backend, KeyringBackend) else "encrypted-file"

    @classmethod
    def open(cls, folder: Path, key: bytes | bytearray, account: str, keyring_backend: Any = None) -> SecretVault:
        if keyring_backend is None:
            import keyring

            keyring_backend = keyring.get_keyring()
        if keyring_usable(keyring_backend):
            return cls(KeyringBackend(keyring_backend, account))
        return cls(EncryptedFileBackend(folder / FILE_NAME, key))

    def get(self, name: str) -> str | None:
        return self.backend.get(name)

    def set(self, name: str, value: str) -> None:
        if not name or len(name) > 200:
            raise SecretsError("a secret's name must be 1..200 characters")
        self.backend.set(name, value)

    def delete(self, name: str) -> None:
        self.backend.delete(name)

    def forget_key(self) -> None:
        """Overwrite the file backend's key in memory (lock, logout); the keyring holds none of ours."""
        if isinstance(self.backend, EncryptedFileBackend):
            self.backend.forget_key()


class VaultTokenStore:
    """The sync client's TokenStore over a SecretVault: tokens survive a restart, never in the clear.

    The client asks for the tokens before every request, so they are also kept in memory (read once from
    the keyring or file, written through on every change); `forget()` drops that copy and the file key
    (lock, logout) — the entry itself stays for the next login. `clear()` removes the entry (sign out)."""

    def __init__(self, vault: SecretVault) -> None:
        self._vault = vault
        self._cache: dict[tuple[str, str], Tokens | None] = {}
        self._lock = threading.Lock()
        self._forgotten = False

    @property
    def kind(self) -> str:
        return self._vault.kind

    @staticmethod
    def _name(server: str, username: str) -> str:
        return f"tokens:{username.casefold()}@{server.rstrip('/')}"

    def _check(self) -> None:
        if self._forgotten:
            raise SecretsError("Doorstep is locked: the head-office session is not available")

    def load(self, server: str, username: str) -> Tokens | None:
        with self._lock:
            self._check()
            key = (server, username)
            if key not in self._cache:
                raw = self._vault.get(self._name(server, username))
                self._cache[key] = None if raw is None else _decode(raw)
            return self._cache[key]

    def save(self, server: str, username: str, tokens: Tokens) -> None:
        with self._lock:
            self._check()
            self._vault.set(self._name(server, username), json.dumps(
                {"access": tokens.access_token, "refresh": tokens.refresh_token,
                 "expires_at": tokens.expires_at.isoformat()}))
            self._cache[(server, username)] = tokens

    def clear(self, server: str, username: str) -> None:
        with self._lock:
            self._check()
            self._vault.delete(self._name(server, username))
            self._cache[(server, username)] = None

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
            self._vault.forget_key()
            self._forgotten = True


def _decode(raw: str) -> Tokens | None:
    try:
        data = json.loads(raw)
        return Tokens(str(data["access"]), str(data["refresh"]), datetime.fromisoformat(data["expires_at"]))
    except (ValueError, KeyError, TypeError):
        return None


