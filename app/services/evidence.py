"""Evidence files (photos, recordings): stored encrypted, named by the SHA-256 of their plaintext.

A file lives at `<folder>/<first two hex digits>/<sha256>.dse`, in chunks (format 2):
    b"DSEV2\\n" | 8-byte random nonce prefix | chunk 0 | chunk 1 | … | last chunk
each chunk AES-256-GCM over up to 1 MiB of plaintext (ciphertext ‖ 16-byte tag), its nonce the prefix
‖ a 3-byte chunk counter ‖ a last-chunk flag, the magic and the hash as associated data. A file renamed
onto another hash, truncated, cut at a chunk boundary, reordered or edited fails to open. Sealing reads
the source a chunk at a time, so a 200 MiB recording never sits in memory. Files of format 1 (one
piece: b"DSEV1\\n" | 12-byte nonce | AES-256-GCM of the whole file) are still read.

The key is the store's evidence key (random, wrapped in the key file under a key derived from the
user's secret; see app.store.keyfile). The row in `attachments` ties a hash to a case. Adding the same
content twice is one file and one row. A file being sealed is written as `.<sha256>.<random>.tmp` in
the same folder, fsynced and renamed into place: a failure or a crash leaves no file under the
evidence's name that is not whole (and `sweep_unfinished` removes what a crash left behind).
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets as _random
import stat as _stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from app.domain.clock import ensure_utc, utcnow
from app.store import models as m
from app.store.engine import Store
from app.store.keyfile import fsync_dir
from app.store.wipe import overwrite_and_unlink

MAGIC = b"DSEV1\n"  # format 1: one piece
MAGIC2 = b"DSEV2\n"  # format 2: chunked
NONCE_LEN = 12
PREFIX_LEN = 8
TAG_LEN = 16
CHUNK = 1 << 20
SUFFIX = ".dse"
TMP_SUFFIX = ".tmp"
MAX_EVIDENCE_BYTES = 200 * 1024 * 1024
MAX_SEALED_BYTES = MAX_EVIDENCE_BYTES + len(MAGIC2) + PREFIX_LEN + TAG_LEN * (MAX_EVIDENCE_BYTES // CHUNK + 1)
MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/heic", "audio/mp4", "audio/mpeg", "audio/amr",
                         "audio/wav", "video/mp4", "application/pdf", "application/octet-stream"})
_BY_SUFFIX = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".heic": "image/heic",
              ".m4a": "audio/mp4", ".aac": "audio/mp4", ".mp3": "audio/mpeg", ".amr": "audio/amr",
              ".wav": "audio/wav", ".mp4": "video/mp4", ".mov": "video/mp4", ".pdf": "application/pdf"}

class EvidenceError(Exception):
    """An evidence file cannot be stored or read; the message is fit for a user. `reason` says which case
    (empty, too_large, media_type, not_a_file, unreadable, changed, disk_full, write_failed, other) for a
    caller that words it itself; `name` is the file's name where one was read."""

    def __init__(self, message: str, reason: str = "other", name: str = ""):
        super().__init__(message)
        self.reason = reason
        self.name = name


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


def _aad(magic: bytes, sha256: str) -> bytes:
    return magic + sha256.encode("ascii")


def _chunk_nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 1 << 24:
        raise EvidenceError("the evidence file has too many chunks")
    return prefix + counter.to_bytes(3, "big") + (b"\x01" if last else b"\x00")


class _Sealer:
    """Format 2, one chunk at a time."""

    def __init__(self, key: bytes | bytearray, sha256: str):
        self._aead = AESGCM(bytes(key))
        self._prefix = _random.token_bytes(PREFIX_LEN)
        self._aad = _aad(MAGIC2, sha256)
        self._counter = 0

    def header(self) -> bytes:
        return MAGIC2 + self._prefix

    def chunk(self, plain: bytes, last: bool) -> bytes:
        out = self._aead.encrypt(_chunk_nonce(self._prefix, self._counter, last), plain, self._aad)
        self._counter += 1
        return out


def seal(key: bytes | bytearray, data: bytes, sha256: str) -> bytes:
    """The sealed form (format 2) of content already in memory."""
    sealer = _Sealer(key, sha256)
    parts = [sealer.header()]
    offsets = range(0, max(len(data), 1), CHUNK)
    for i, at in enumerate(offsets):
        parts.append(sealer.chunk(data[at:at + CHUNK], i == len(offsets) - 1))
    return b"".join(parts)


def _open_chunks(key: bytes | bytearray, fh: BinaryIO, size: int, sha256: str) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk (format 1 in one piece), authenticated as it goes."""
    magic = fh.read(len(MAGIC))
    damaged = f"evidence {sha256[:12]} is damaged or was sealed with another key"
    aead = AESGCM(bytes(key))
    if magic == MAGIC and size >= len(MAGIC) + NONCE_LEN + TAG_LEN:
        nonce = fh.read(NONCE_LEN)
        try:
            yield aead.decrypt(nonce, fh.read(), _aad(MAGIC, sha256))
        except InvalidTag as exc:
            raise EvidenceError(damaged) from exc
        return
    if magic != MAGIC2 or size < len(MAGIC2) + PREFIX_LEN + TAG_LEN + 1:
        raise EvidenceError(f"evidence {sha256[:12]} is not a Doorstep evidence file")
    prefix = fh.read(PREFIX_LEN)
    left = size - len(MAGIC2) - PREFIX_LEN
    aad = _aad(MAGIC2, sha256)
    counter = 0
    while left > 0:
        take = min(left, CHUNK + TAG_LEN)
        last = take == left
        block = fh.read(take)
        if len(block) != take or take <= TAG_LEN:
            raise EvidenceError(damaged)
        try:
            yield aead.decrypt(_chunk_nonce(prefix, counter, last), block, aad)
        except InvalidTag as exc:
            raise EvidenceError(damaged) from exc
        left -= take
        counter += 1


def open_sealed(key: bytes | bytearray, blob: bytes, sha256: str) -> bytes:
    import io

    data = b"".join(_open_chunks(key, io.BytesIO(blob), len(blob), sha256))
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceError(f"evidence {sha256[:12]} does not match its hash")
    return data


def _check_content(size: int, media_type: str) -> None:
    if size <= 0:
        raise EvidenceError("the evidence file is empty", "empty")
    if size > MAX_EVIDENCE_BYTES:
        raise EvidenceError(f"the evidence file is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB", "too_large")
    if media_type not in MEDIA_TYPES:
        raise EvidenceError(f"evidence of type {media_type[:40]!r} is not accepted", "media_type")


def media_type_for(name: str) -> str:
    """The evidence media type a file name suggests (application/octet-stream when it suggests none)."""
    return _BY_SUFFIX.get(Path(name).suffix.lower(), "application/octet-stream")


def _write_error(exc: OSError) -> EvidenceError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return EvidenceError("the disk is full: the evidence could not be stored and nothing was saved", "disk_full")
    return EvidenceError(f"the evidence could not be written: {exc.strerror or exc}; nothing was saved",
                         "write_failed")


def _tmp_name(final: Path) -> Path:
    return final.with_name(f".{final.stem}.{_random.token_hex(6)}{TMP_SUFFIX}")


def _write_sealed(final: Path, blocks: Iterator[bytes]) -> None:
    """Write blocks to a temporary file beside `final`, fsync, rename into place. Whole or not at all."""
    tmp = _tmp_name(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _write_error(exc) from exc
    try:
        try:
            with os.fdopen(fd, "wb", buffering=0) as out:
                for block in blocks:
                    view = memoryview(block)
                    while view:
                        view = view[out.write(view):]
                os.fsync(out.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            raise _write_error(exc) from exc
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    fsync_dir(final.parent)


def add_evidence(store: Store, folder: Path, key: bytes | bytearray, data: bytes, *, case_id: int | None,
                 media_type: str, now: datetime | None = None) -> str:
    """Encrypt and keep one evidence file; returns the SHA-256 of its plaintext (the recording hash)."""
    _check_content(len(data), media_type)
    sha = hashlib.sha256(data).hexdigest()
    path = evidence_path(folder, sha)
    if not path.exists():
        _write_sealed(path, iter([seal(key, data, sha)]))
    with store.write() as session:
        if session.get(m.Attachment, sha) is None:
            session.add(m.Attachment(sha256=sha, case_id=case_id, media_type=media_type, size=len(data),
                                     created_at=ensure_utc(now or utcnow()), uploaded=False))
    return sha


# --- sealing a file the agent chose ---------------------------------------------------------------

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
Check = Callable[[], None]  # raises to stop (cancel)


@dataclass(frozen=True, slots=True)
class ChosenFile:
    """A file picked as evidence: what it was when it was fingerprinted."""

    path: Path
    sha256: str
    size: int
    mtime_ns: int
    media_type: str


@dataclass(frozen=True, slots=True)
class SealedFile:
    sha256: str
    size: int
    media_type: str
    path: Path
    created: bool  # False: the same content was already sealed here


def _source_stat(source: Path) -> os.stat_result:
    try:
        st = os.stat(source)
    except OSError as exc:
        raise EvidenceError(f"cannot read {source.name}: {exc.strerror or exc}", "unreadable",
                            source.name) from exc
    if not _stat.S_ISREG(st.st_mode):
        raise EvidenceError(f"cannot read {source.name}: it is not a file", "not_a_file", source.name)
    return st


def _read_source(source: Path, st: os.stat_result, progress: Progress | None, check: Check | None,
                 done_before: int = 0, total: int = 0) -> Iterator[tuple[bytes, bool]]:
    """The source's chunks with a last flag; refuses a file that changes while it is read."""
    changed = EvidenceError(f"{source.name} changed while it was being read: nothing was stored. "
                            "Wait until the recording is finished, then choose it again.", "changed", source.name)
    try:
        fh = source.open("rb", buffering=0)
    except OSError as exc:
        raise EvidenceError(f"cannot read {source.name}: {exc.strerror or exc}", "unreadable",
                            source.name) from exc
    with fh:
        try:
            seen = 0
            chunk = fh.read(CHUNK)
            while chunk:
                if check is not None:
                    check()
                following = fh.read(CHUNK)
                seen += len(chunk)
                if not following:
                    after = os.fstat(fh.fileno())
                    if (seen != st.st_size or after.st_size != st.st_size or after.st_mtime_ns != st.st_mtime_ns
                            or after.st_ino != st.st_ino):
                        raise changed
                yield chunk, not following
                if progress is not None:
                    progress(done_before + seen, total or st.st_size)
                chunk = following
            if seen != st.st_size:
                raise changed
        except OSError as exc:
            raise EvidenceError(f"cannot read {source.name}: {exc.strerror or exc}", "unreadable",
                            source.name) from exc


def fingerprint_file(source: Path, *, progress: Progress | None = None, check: Check | None = None) -> ChosenFile:
    """Hash a chosen file (read in chunks). Raises EvidenceError: not a file, empty, too large, unreadable."""
    st = _source_stat(source)
    media_type = media_type_for(source.name)
    _check_content(st.st_size, media_type)
    h = hashlib.sha256()
    for chunk, _last in _read_source(source, st, progress, check):
        h.update(chunk)
    return ChosenFile(source, h.hexdigest(), st.st_size, st.st_mtime_ns, media_type)


def seal_file(folder: Path, key: bytes | bytearray, chosen: ChosenFile, *, progress: Progress | None = None,
              check: Check | None = None) -> SealedFile:
    """Seal a chosen file into the evidence folder, reading it once more and checking that it is still what
    was fingerprinted (same size, time and hash). The source is left where it is. Writes no row: the caller
    records the attachment in the transaction that refers to it (`app.services.outcomes`)."""
    source = chosen.path
    st = _source_stat(source)
    changed = EvidenceError(f"{source.name} changed since it was chosen: nothing was stored. Choose it again.",
                            "changed", source.name)
    if st.st_size != chosen.size or st.st_mtime_ns != chosen.mtime_ns:
        raise changed
    _check_content(st.st_size, chosen.media_type)
    final = evidence_path(folder, chosen.sha256)
    h = hashlib.sha256()
    if final.exists():  # the same content is already sealed here: check the source is that content
        for chunk, _last in _read_source(source, st, progress, check):
            h.update(chunk)
        if h.hexdigest() != chosen.sha256:
            raise changed
        return SealedFile(chosen.sha256, st.st_size, chosen.media_type, final, created=False)
    sealer = _Sealer(key, chosen.sha256)

    def blocks() -> Iterator[bytes]:
        yield sealer.header()
        for chunk, last in _read_source(source, st, progress, check):
            h.update(chunk)
            if last and h.hexdigest() != chosen.sha256:
                raise changed
            yield sealer.chunk(chunk, last)

    _write_sealed(final, blocks())
    return SealedFile(chosen.sha256, st.st_size, chosen.media_type, final, created=True)


def discard_sealed(sealed: SealedFile) -> None:
    """Remove a file `seal_file` just created, when what was to refer to it was not saved."""
    if sealed.created:
        try:
            sealed.path.unlink()
        except FileNotFoundError:
            pass


def sweep_unfinished(store: Store, folder: Path, *, older_than: timedelta = timedelta(hours=1),
                     now: datetime | None = None) -> int:
    """Remove what a crash while saving evidence can leave: temporary files, and sealed files no row refers
    to, older than `older_than` (younger ones may belong to a save under way). Returns the count."""
    if not folder.is_dir():
        return 0
    cutoff = ensure_utc(now or utcnow()).timestamp() - older_than.total_seconds()
    candidates: list[tuple[Path, str | None]] = []
    for path in folder.glob("[0-9a-f][0-9a-f]/*"):
        name = path.name
        if name.startswith(".") and name.endswith(TMP_SUFFIX):
            candidates.append((path, None))
        elif name.endswith(SUFFIX) and len(name) == 64 + len(SUFFIX):
            candidates.append((path, name[:64]))
    removed = 0
    with store.read() as session:  # a file that a row or a recorded visit names is never an orphan
        known = {sha for (sha,) in session.execute(select(m.Attachment.sha256))}
        known |= {sha for (sha,) in session.execute(select(m.ContactAttempt.recording_sha256)
                                                    .where(m.ContactAttempt.recording_sha256.is_not(None)))}
    for path, sha in candidates:
        try:
            if path.stat().st_mtime > cutoff or (sha is not None and sha in known):
                continue
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def add_evidence_file(store: Store, folder: Path, key: bytes | bytearray, source: Path, *, case_id: int | None,
                      media_type: str, now: datetime | None = None) -> str:
    """Seal a file (read in chunks) and record it; returns its SHA-256. The source is left as it is."""
    chosen = fingerprint_file(source)
    chosen = ChosenFile(chosen.path, chosen.sha256, chosen.size, chosen.mtime_ns, media_type)
    sealed = seal_file(folder, key, chosen)
    try:
        with store.write() as session:
            if session.get(m.Attachment, sealed.sha256) is None:
                session.add(m.Attachment(sha256=sealed.sha256, case_id=case_id, media_type=media_type,
                                         size=sealed.size, created_at=ensure_utc(now or utcnow()), uploaded=False))
    except BaseException:
        discard_sealed(sealed)
        raise
    return sealed.sha256


def read_evidence(folder: Path, key: bytes | bytearray, sha256: str) -> bytes:
    """The plaintext of one evidence file, checked against its hash (decrypted a chunk at a time)."""
    path = evidence_path(folder, sha256)
    try:
        fh = path.open("rb")
    except FileNotFoundError as exc:
        raise EvidenceError(f"evidence {sha256[:12]} is not on this laptop") from exc
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_SEALED_BYTES:
            raise EvidenceError(f"evidence {sha256[:12]} is larger than the upload limit")
        parts = list(_open_chunks(key, fh, size, sha256))
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    if h.hexdigest() != sha256:
        raise EvidenceError(f"evidence {sha256[:12]} does not match its hash")
    return parts[0] if len(parts) == 1 else b"".join(parts)


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
            if sealed.stat().st_size > MAX_SEALED_BYTES:
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
            _write_sealed(target, iter([seal(key, data, name)]))
        if open_sealed(key, target.read_bytes(), name) == data:
            overwrite_and_unlink(plain)
            done += 1
    fsync_dir(folder)
    return done
