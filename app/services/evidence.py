"""Evidence files (photos, recordings): stored encrypted, named by the SHA-256 of their plaintext.

A file lives at `<folder>/<first two hex digits>/<sha256>.dse`:
    b"DSEV1\\n" | 12-byte random nonce | AES-256-GCM(ciphertext ‖ tag)
with the magic and the hash as associated data, so a file renamed onto another hash, truncated or
edited fails to open. The key is the store's evidence key (random, wrapped in the key file under a key
derived from the user's secret; see app.store.keyfile). The row in `attachments` ties a hash to a case.
Adding the same content twice is one file and one row.
"""

from __future__ import annotations

import hashlib
import os
import secrets as _random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from app.domain.clock import ensure_utc, utcnow
from app.store import models as m
from app.store.engine import Store
from app.store.keyfile import fsync_dir
from app.store.wipe import overwrite_and_unlink

MAGIC = b"DSEV1\n"
NONCE_LEN = 12
SUFFIX = ".dse"
MAX_EVIDENCE_BYTES = 200 * 1024 * 1024
MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/heic", "audio/mp4", "audio/mpeg", "audio/amr",
                         "audio/wav", "video/mp4", "application/pdf", "application/octet-stream"})


class EvidenceError(Exception):
    """An evidence file cannot be stored or read; the message is fit for a user."""


@dataclass(frozen=True, slots=True)
class EvidenceInfo:
    sha256: str
    case_id: int | None
    media_type: str
    size: int
    created_at: datetime
    uploaded: bool


def evidence_path(folder: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise EvidenceError("not a SHA-256 in lower-case hex")
    return folder / sha256[:2] / (sha256 + SUFFIX)


def _aad(sha256: str) -> bytes:
    return MAGIC + sha256.encode("ascii")


def seal(key: bytes | bytearray, data: bytes, sha256: str) -> bytes:
    nonce = _random.token_bytes(NONCE_LEN)
    return MAGIC + nonce + AESGCM(bytes(key)).encrypt(nonce, data, _aad(sha256))


def open_sealed(key: bytes | bytearray, blob: bytes, sha256: str) -> bytes:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_LEN + 16:
        raise EvidenceError(f"evidence {sha256[:12]} is not a Doorstep evidence file")
    nonce = blob[len(MAGIC):len(MAGIC) + NONCE_LEN]
    try:
        data = AESGCM(bytes(key)).decrypt(nonce, blob[len(MAGIC) + NONCE_LEN:], _aad(sha256))
    except InvalidTag as exc:
        raise EvidenceError(f"evidence {sha256[:12]} is damaged or was sealed with another key") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceError(f"evidence {sha256[:12]} does not match its hash")
    return data


def add_evidence(store: Store, folder: Path, key: bytes | bytearray, data: bytes, *, case_id: int | None,
                 media_type: str, now: datetime | None = None) -> str:
    """Encrypt and keep one evidence file; returns the SHA-256 of its plaintext (the recording hash)."""
    if not data:
        raise EvidenceError("the evidence file is empty")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EvidenceError(f"the evidence file is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB")
    if media_type not in MEDIA_TYPES:
        raise EvidenceError(f"evidence of type {media_type[:40]!r} is not accepted")
    sha = hashlib.sha256(data).hexdigest()
    path = evidence_path(folder, sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, seal(key, data, sha))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    with store.write() as session:
        if session.get(m.Attachment, sha) is None:
            session.add(m.Attachment(sha256=sha, case_id=case_id, media_type=media_type, size=len(data),
                                     created_at=ensure_utc(now or utcnow()), uploaded=False))
    return sha


def add_evidence_file(store: Store, folder: Path, key: bytes | bytearray, source: Path, *, case_id: int | None,
                      media_type: str, now: datetime | None = None) -> str:
    """Like add_evidence, from a file (e.g. a photo the agent picked). The source is left as it is."""
    try:
        size = source.stat().st_size
        if size > MAX_EVIDENCE_BYTES:
            raise EvidenceError(f"the evidence file is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB")
        data = source.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"cannot read {source.name}: {exc.strerror or exc}") from exc
    return add_evidence(store, folder, key, data, case_id=case_id, media_type=media_type, now=now)


def read_evidence(folder: Path, key: bytes | bytearray, sha256: str) -> bytes:
    """The plaintext of one evidence file, checked against its hash."""
    path = evidence_path(folder, sha256)
    try:
        blob = path.read_bytes()
    except FileNotFoundError as exc:
        raise EvidenceError(f"evidence {sha256[:12]} is not on this laptop") from exc
    return open_sealed(key, blob, sha256)


KeySource = Callable[[], "bytes | bytearray | None"]


class EvidenceReader:
    """What the sync upload reads: the plaintext of one evidence file, decrypted in memory.

    `key` is the evidence key, or a callable giving it while the store is unlocked (None once the
    window locks: files are then left for the next round). A clear file left by an earlier version
    (`<xx>/<sha256>`, e.g. in a folder that was never encrypted) is read as it is. Head office
    receives the plaintext and checks that it hashes to its name; the laptop keeps only the sealed file.
    """

    def __init__(self, folder: Path, key: bytes | bytearray | KeySource | None):
        self.folder = folder
        self._key = key

    def _current_key(self) -> bytes | bytearray | None:
        return self._key() if callable(self._key) else self._key

    def __call__(self, sha256: str) -> bytes | None:
        from app.sync.attachments import AttachmentUnreadable, attachment_path

        try:
            sealed = evidence_path(self.folder, sha256)
        except EvidenceError as exc:
            raise AttachmentUnreadable(str(exc)) from exc
        if sealed.exists():
            key = self._current_key()
            if key is None:
                raise AttachmentUnreadable("the store is locked: evidence uploads after the next sign-in")
            if sealed.stat().st_size > MAX_EVIDENCE_BYTES + len(MAGIC) + NONCE_LEN + 16:
                raise AttachmentUnreadable(f"evidence {sha256[:12]} is larger than the upload limit")
            try:
                return read_evidence(self.folder, key, sha256)
            except EvidenceError as exc:
                raise AttachmentUnreadable(str(exc)) from exc
        clear = attachment_path(self.folder, sha256)
        if not clear.is_file():
            return None
        if clear.stat().st_size > MAX_EVIDENCE_BYTES:
            raise AttachmentUnreadable(f"evidence {sha256[:12]} is larger than the upload limit")
        return clear.read_bytes()


def keep_downloaded(store: Store, folder: Path, key: bytes | bytearray, *, case_id: int | None,
                    media_type: str) -> Callable[[str, bytes], None]:
    """A writer for the sync download: each verified plaintext is sealed to disk (never written in
    the clear) and recorded as already uploaded (head office has it)."""

    def write(sha256: str, data: bytes) -> None:
        got = add_evidence(store, folder, key, data, case_id=case_id, media_type=media_type)
        if got != sha256:
            raise EvidenceError(f"downloaded evidence {sha256[:12]} does not match its hash")
        with store.write() as session:
            row = session.get(m.Attachment, sha256)
            if row is not None:
                row.uploaded = True

    return write


def list_evidence(store: Store, case_id: int) -> list[EvidenceInfo]:
    with store.read() as session:
        rows = session.scalars(select(m.Attachment).where(m.Attachment.case_id == case_id)
                               .order_by(m.Attachment.created_at, m.Attachment.sha256)).all()
        return [EvidenceInfo(r.sha256, r.case_id, r.media_type, r.size, r.created_at, r.uploaded) for r in rows]


def remove_evidence_file(folder: Path, sha256: str) -> bool:
    """Overwrite and remove one evidence file (retention purge). False if it was not here."""
    return overwrite_and_unlink(evidence_path(folder, sha256))


def encrypt_plain_evidence(folder: Path, key: bytes | bytearray) -> int:
    """Seal every clear evidence file left by an earlier version (`<xx>/<sha256>` without a suffix) and
    wipe the clear copy. A file whose content does not match its name is left alone. Returns the count."""
    done = 0
    if not folder.is_dir():
        return 0
    for plain in sorted(folder.glob("[0-9a-f][0-9a-f]/*")):
        name = plain.name
        if not plain.is_file() or len(name) != 64 or any(c not in "0123456789abcdef" for c in name):
            continue
        data = plain.read_bytes()
        if hashlib.sha256(data).hexdigest() != name:
            continue
        target = evidence_path(folder, name)
        if not target.exists():
            tmp = target.with_name(target.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, seal(key, data, name))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        if open_sealed(key, target.read_bytes(), name) == data:
            overwrite_and_unlink(plain)
            done += 1
    fsync_dir(folder)
    return done
