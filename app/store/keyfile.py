"""The small plain side file next to an encrypted store: salt, KDF parameters, verifier, wrapped keys.

It never holds a key in the clear. The evidence key is random and kept here wrapped (AES-256-GCM) under
a key derived from the secret, so a secret change re-wraps it instead of re-encrypting every photo.
Written atomically (temporary file, fsync, rename, fsync of the folder).
"""

from __future__ import annotations

import json
import os
import secrets as _random
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.domain.kdf import (
    EVIDENCE_WRAP_KEY,
    KEY_LEN,
    SALT_LEN,
    KdfError,
    KdfParams,
    derive_master,
    subkey,
    verifier,
    verifier_matches,
    wipe,
)

from . import ciphers
from .keypaths import PENDING_SUFFIX as PENDING_SUFFIX
from .keypaths import SUFFIX as SUFFIX
from .keypaths import keyinfo_path as keyinfo_path
from .keypaths import pending_path as pending_path

FORMAT = "doorstep-keyinfo"
VERSION = 1


class KeyFileError(Exception):
    """The side file is missing or malformed; the message is fit for a user."""


@dataclass(frozen=True, slots=True)
class KeyInfo:
    salt: bytes
    params: KdfParams
    verifier: str
    evidence_nonce: bytes
    evidence_wrapped: bytes
    cipher: str = ciphers.LEGACY  # the store's SQLCipher settings, by name (app.store.ciphers)

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "version": VERSION, "cipher": self.cipher,
            "kdf": {"name": "argon2id", "time_cost": self.params.time_cost, "memory_kib": self.params.memory_kib,
                    "parallelism": self.params.parallelism},
            "salt": self.salt.hex(), "verifier": self.verifier,
            "evidence_key": {"alg": "AES-256-GCM-wrap", "nonce": self.evidence_nonce.hex(),
                             "wrapped": self.evidence_wrapped.hex()},
        }, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> KeyInfo:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT or data.get("version") != VERSION:
                raise KeyFileError("the key file is not a Doorstep key file of a version this app reads")
            kdf = data["kdf"]
            if kdf["name"] != "argon2id":
                raise KeyFileError("the key file names an unknown key derivation")
            params = KdfParams(int(kdf["time_cost"]), int(kdf["memory_kib"]), int(kdf["parallelism"]))
            params.check()
            cipher = str(data.get("cipher", ciphers.LEGACY))
            if cipher not in ciphers.SETTINGS:
                raise KeyFileError("the key file names a store cipher this app does not know")
            info = cls(bytes.fromhex(data["salt"]), params, str(data["verifier"]),
                       bytes.fromhex(data["evidence_key"]["nonce"]), bytes.fromhex(data["evidence_key"]["wrapped"]),
                       cipher)
        except KeyFileError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, KdfError) as exc:
            raise KeyFileError(f"the key file is damaged ({type(exc).__name__})") from exc
        if len(info.salt) < SALT_LEN or len(info.verifier) != 2 * KEY_LEN:
            raise KeyFileError("the key file is damaged (salt or verifier)")
        return info


def read_keyinfo(path: Path) -> KeyInfo:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise KeyFileError(f"the key file {path.name} is missing") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read the key file {path.name}") from exc
    return KeyInfo.from_json(text)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the rename is still atomic there
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_keyinfo(path: Path, info: KeyInfo) -> None:
    write_atomic(path, info.to_json().encode("utf-8"))


def _wrap_key(master: bytearray) -> AESGCM:
    k = subkey(master, EVIDENCE_WRAP_KEY)
    try:
        return AESGCM(bytes(k))
    finally:
        wipe(k)


def new_keyinfo(master: bytearray, salt: bytes, params: KdfParams, evidence_key: bytes | None = None,
                cipher: str = ciphers.DEFAULT) -> KeyInfo:
    """Key info for a master; a fresh random evidence key unless one is handed over (on a secret change)."""
    ev = evidence_key if evidence_key is not None else _random.token_bytes(KEY_LEN)
    nonce = _random.token_bytes(12)
    wrapped = _wrap_key(master).encrypt(nonce, ev, b"doorstep evidence key")
    return KeyInfo(salt, params, verifier(master), nonce, wrapped, cipher)


def unwrap_evidence_key(info: KeyInfo, master: bytearray) -> bytearray:
    try:
        return bytearray(_wrap_key(master).decrypt(info.evidence_nonce, info.evidence_wrapped, b"doorstep evidence key"))
    except InvalidTag as exc:
        raise KeyFileError("the evidence key in the key file does not open with this secret") from exc


def master_for(info: KeyInfo, secret: bytes | bytearray) -> bytearray | None:
    """The master for this secret, or None when the verifier says the secret is wrong."""
    master = derive_master(secret, info.salt, info.params)
    if verifier_matches(master, info.verifier):
        return master
    wipe(master)
    return None


def fresh_salt() -> bytes:
    return _random.token_bytes(SALT_LEN)


def with_params(info: KeyInfo, params: KdfParams) -> KeyInfo:
    return replace(info, params=params)
