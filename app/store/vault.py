"""The keys of one encrypted store: create, unlock, change the secret, encrypt a plain store.

`unlock(store_file, secret)` runs argon2id once and returns `Keys` (store key, evidence key, secrets-file
key) in wipeable buffers; a wrong secret raises `WrongSecret` before any database file is touched.
A secret change writes the new key info as `…keyinfo-pending` first, re-keys the store, then renames
it into place: a crash in between leaves a store that one of the two key files opens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.domain.kdf import (
    SECRETS_FILE_KEY,
    STORE_KEY,
    KdfParams,
    derive_master,
    secret_bytes,
    subkey,
    wipe,
)

from . import ciphers
from .crypto import EncryptedConnector, WrongSecret, encrypt_plain_store, is_plain_sqlite, rekey
from .engine import Store
from .keyfile import (
    KeyFileError,
    KeyInfo,
    fresh_salt,
    keyinfo_path,
    master_for,
    new_keyinfo,
    pending_path,
    read_keyinfo,
    unwrap_evidence_key,
    write_keyinfo,
)
from .keypaths import is_encrypted_store as is_encrypted_store
from .migrate import StoreError, open_store
from .wipe import overwrite_and_unlink


@dataclass
class Keys:
    """Keys in memory while the store is unlocked. `wipe()` overwrites them (see session.py for the limits)."""

    store_key: bytearray = field(repr=False)  # keys never appear in a log line or a traceback
    evidence_key: bytearray = field(repr=False)
    secrets_key: bytearray = field(repr=False)
    verifier: str = field(repr=False)
    cipher: str = ciphers.DEFAULT  # the store's SQLCipher settings (from its key file)

    def wipe(self) -> None:
        for buf in (self.store_key, self.evidence_key, self.secrets_key):
            wipe(buf)

    @property
    def wiped(self) -> bool:
        return not any(self.store_key)


def _keys(info: KeyInfo, master: bytearray) -> Keys:
    try:
        return Keys(subkey(master, STORE_KEY), unwrap_evidence_key(info, master), subkey(master, SECRETS_FILE_KEY),
                    info.verifier, info.cipher)
    finally:
        wipe(master)


def create_keys(store_file: Path, secret: str | bytes, params: KdfParams | None = None) -> Keys:
    """New salt and key file for a store about to be created or encrypted. Refuses to overwrite one."""
    if keyinfo_path(store_file).exists():
        raise StoreError(f"{store_file.name} already has a key file; unlock it instead")
    params = params or KdfParams()
    salt = fresh_salt()
    sec = secret_bytes(secret)
    try:
        master = derive_master(sec, salt, params)
    finally:
        wipe(sec)
    info = new_keyinfo(master, salt, params)
    write_keyinfo(keyinfo_path(store_file), info)
    return _keys(info, master)


def unlock(store_file: Path, secret: str | bytes) -> Keys:
    """The keys for this secret; WrongSecret if the secret does not match. Touches no database file."""
    candidates = [p for p in (keyinfo_path(store_file), pending_path(store_file)) if p.exists()]
    if not candidates:
        raise StoreError(f"{store_file.name} has no key file: it is not an encrypted Doorstep store")
    sec = secret_bytes(secret)
    try:
        for path in candidates:
            try:
                info = read_keyinfo(path)
            except KeyFileError:
                if path.name.endswith("pending"):
                    continue
                raise
            master = master_for(info, sec)
            if master is not None:
                return _keys(info, master)
    finally:
        wipe(sec)
    raise WrongSecret(store_file)


def open_encrypted(store_file: Path, keys: Keys, migrate: bool = True) -> tuple[Store, EncryptedConnector]:
    """Open (creating or upgrading) the encrypted store; the connector is returned so a lock can wipe it."""
    if is_plain_sqlite(store_file):
        raise StoreError(f"{store_file.name} is not encrypted yet; encrypt it first")
    connector = EncryptedConnector(keys.store_key, keys.cipher)
    store = open_store(store_file, connector=connector, migrate=migrate)
    pending = pending_path(store_file)
    if pending.exists():
        _settle_pending(store_file, keys)
    return store, connector


def _settle_pending(store_file: Path, keys: Keys) -> None:
    """A crash during a secret change left a pending key file: keep whichever one opened the store."""
    pending = pending_path(store_file)
    try:
        if read_keyinfo(pending).verifier == keys.verifier:
            pending.replace(keyinfo_path(store_file))
            return
    except KeyFileError:
        pass
    pending.unlink(missing_ok=True)


def change_secret(store_file: Path, store: Store, connector: EncryptedConnector, keys: Keys,
                  old_secret: str | bytes, new_secret: str | bytes, params: KdfParams | None = None) -> Keys:
    """Re-key the open store for a new secret; the evidence key stays, re-wrapped. Returns the new keys."""
    check = unlock(store_file, old_secret)
    same = check.verifier == keys.verifier
    check.wipe()
    if not same:
        raise WrongSecret(store_file)
    old_info = read_keyinfo(keyinfo_path(store_file))
    params = params or old_info.params
    salt = fresh_salt()
    sec = secret_bytes(new_secret)
    try:
        master = derive_master(sec, salt, params)
    finally:
        wipe(sec)
    # PRAGMA rekey changes the key only: the store keeps its cipher settings, and its key file says so.
    info = new_keyinfo(master, salt, params, evidence_key=bytes(keys.evidence_key), cipher=old_info.cipher)
    new = _keys(info, master)
    write_keyinfo(pending_path(store_file), info)
    rekey(store, connector, new.store_key)
    pending_path(store_file).replace(keyinfo_path(store_file))
    keys.wipe()
    return new


def encrypt_existing(store_file: Path, secret: str | bytes, params: KdfParams | None = None) -> Keys:
    """Encrypt a closed plain store in place (every row kept) and write its key file. Returns the keys."""
    if not is_plain_sqlite(store_file):
        raise StoreError(f"{store_file.name} is not a plain Doorstep store")
    leftover = keyinfo_path(store_file)
    if leftover.exists():  # a key file without an encrypted store: an earlier attempt stopped before the swap
        overwrite_and_unlink(leftover)
    keys = create_keys(store_file, secret, params)
    try:
        encrypt_plain_store(store_file, keys.store_key, keys.cipher)
    except BaseException:
        overwrite_and_unlink(keyinfo_path(store_file))
        keys.wipe()
        raise
    return keys
