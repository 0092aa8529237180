"""Key derivation from the user's secret (pure: bytes in, bytes out).

One argon2id run turns the secret and the store's random salt into a 64-byte master; HKDF-SHA256 splits
it into independent subkeys (store key, evidence wrapping key, secrets-file key) and a verifier that is
kept beside the salt so a login can be checked offline without opening anything. The verifier is a
one-way function of the master: knowing it does not give any key, and guessing the secret from it costs
one argon2id run per guess, exactly like guessing against the encrypted store itself.

Parameters live with the salt (never the key), so they can be raised later: `calibrate` picks the
largest time cost that still unlocks within a budget at a memory cost of at least 46 MiB.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_MEMORY_KIB = 46 * 1024  # OWASP's argon2id floor: 46 MiB, t=1, p=1
MASTER_LEN = 64
KEY_LEN = 32
SALT_LEN = 16

STORE_KEY = b"doorstep/v1/store-key"
EVIDENCE_WRAP_KEY = b"doorstep/v1/evidence-wrap-key"
SECRETS_FILE_KEY = b"doorstep/v1/secrets-file-key"
VERIFIER = b"doorstep/v1/verifier"


class KdfError(ValueError):
    """Parameters that would weaken the derivation, or malformed input."""


@dataclass(frozen=True, slots=True)
class KdfParams:
    time_cost: int = 1
    memory_kib: int = MIN_MEMORY_KIB
    parallelism: int = 1

    def check(self) -> None:
        if self.memory_kib < MIN_MEMORY_KIB:
            raise KdfError(f"argon2id memory {self.memory_kib} KiB is below the floor of {MIN_MEMORY_KIB} KiB")
        if not 1 <= self.time_cost <= 64 or not 1 <= self.parallelism <= 16:
            raise KdfError("argon2id time cost must be 1..64 and parallelism 1..16")
        if self.memory_kib > 4 * 1024 * 1024:
            raise KdfError("argon2id memory above 4 GiB is refused")


def secret_bytes(secret: str | bytes | bytearray) -> bytearray:
    """The secret as a mutable buffer the caller can wipe (a str itself cannot be wiped; see session.py)."""
    if isinstance(secret, str):
        if not secret:
            raise KdfError("the secret is empty")
        return bytearray(secret.encode("utf-8"))
    if not secret:
        raise KdfError("the secret is empty")
    return bytearray(secret)


def derive_master(secret: bytes | bytearray, salt: bytes, params: KdfParams) -> bytearray:
    """argon2id(secret, salt) → 64 bytes. The one slow step of an unlock."""
    params.check()
    if len(salt) < SALT_LEN:
        raise KdfError("the salt is too short")
    if not secret:
        raise KdfError("the secret is empty")
    raw = hash_secret_raw(bytes(secret), salt, params.time_cost, params.memory_kib, params.parallelism,
                          MASTER_LEN, Type.ID)
    return bytearray(raw)


def subkey(master: bytes | bytearray, purpose: bytes, length: int = KEY_LEN) -> bytearray:
    """An independent key for one purpose (HKDF-SHA256 expand of the master)."""
    if len(master) != MASTER_LEN:
        raise KdfError("the master key has the wrong length")
    return bytearray(HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(bytes(master)))


def verifier(master: bytes | bytearray) -> str:
    return bytes(subkey(master, VERIFIER)).hex()


def verifier_matches(master: bytes | bytearray, stored_hex: str) -> bool:
    return hmac.compare_digest(verifier(master), stored_hex)


def wipe(buf: bytearray | None) -> None:
    """Overwrite a key buffer in place (what Python lets us do; copies made by C libraries are beyond reach)."""
    if buf is not None:
        for i in range(len(buf)):
            buf[i] = 0


def calibrate(budget_s: float = 0.25, memory_kib: int = MIN_MEMORY_KIB, max_time_cost: int = 8) -> KdfParams:
    """The largest time cost at `memory_kib` whose derivation fits in `budget_s` here (at least t=1)."""
    salt = b"\x00" * SALT_LEN
    best = KdfParams(1, memory_kib, 1)
    for t in range(1, max_time_cost + 1):
        params = KdfParams(t, memory_kib, 1)
        start = time.perf_counter()
        derive_master(b"calibration", salt, params)
        if time.perf_counter() - start > budget_s:
            break
        best = params
    return best
