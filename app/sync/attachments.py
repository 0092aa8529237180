"""Evidence files (photos, recordings) uploaded and downloaded by the SHA-256 of their content.

Upload is `PUT /attachments/{sha256}`; sending a file twice is harmless, and head office refuses a
body that does not hash to its name. This module does not know how the laptop keeps the files: a
`Reader` hands it the plaintext of one hash (the evidence service decrypts the sealed file in
memory, see app.services.evidence), and a `Writer` takes a downloaded plaintext (the evidence service
seals it before it touches the disk). Content is hashed again here before it leaves and after it
arrives, so a damaged file is never uploaded under its old name nor kept under a name it does not
match. An event may reach head office before its file.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from app.store import models as m
from app.store.engine import Store

from .client import HeadOfficeClient
from .errors import ProtocolError

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024

# The plaintext of one evidence file by its hash; None when the file is not on this laptop (yet).
# Raises AttachmentUnreadable when it is here but cannot be read (damaged, or the keys are locked).
Reader = Callable[[str], bytes | None]
# Keep one downloaded, already verified plaintext under its hash.
Writer = Callable[[str, bytes], None]


class AttachmentUnreadable(Exception):
    """An evidence file is on the laptop but cannot be read as the content its name promises."""


class AttachmentMismatch(Exception):
    """Downloaded content does not hash to the name it was asked for."""


def attachment_path(folder: Path, sha256: str) -> Path:
    """Where a file left in the clear by an earlier version lives (`<xx>/<sha256>`)."""
    return folder / sha256[:2] / sha256


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def clear_file_reader(folder: Path) -> Reader:
    """A reader over clear files (`<xx>/<sha256>`), for a folder whose evidence is not encrypted."""

    def read(sha: str) -> bytes | None:
        path = attachment_path(folder, sha)
        if not path.is_file():
            return None
        if path.stat().st_size > MAX_ATTACHMENT_BYTES:
            raise AttachmentUnreadable(f"evidence file {sha[:12]} is larger than the upload limit")
        return path.read_bytes()

    return read


def upload_attachments(store: Store, client: HeadOfficeClient, read: Reader,
                       step: Callable[[str, dict[str, Any]], None] | None = None) -> int:
    """Upload every attachment not yet uploaded whose file is present and intact. Returns the count."""
    with store.read() as session:
        rows = session.execute(select(m.Attachment.sha256, m.Attachment.media_type)
                               .where(m.Attachment.uploaded.is_(False)).order_by(m.Attachment.created_at)).all()
    done = 0
    for sha, media_type in rows:
        try:
            data = read(sha)
        except AttachmentUnreadable as exc:
            log.warning("evidence %s not uploaded: %s", sha[:12], exc)
            continue
        if data is None:
            log.info("evidence %s is not on this laptop yet; it will upload when it is", sha[:12])
            continue
        if len(data) > MAX_ATTACHMENT_BYTES or hashlib.sha256(data).hexdigest() != sha:
            log.warning("evidence file %s is damaged or too large; not uploaded", sha[:12])
            continue
        if step:
            step("attachment.sending", {"sha256": sha})
        try:
            client.put_attachment(sha, data, media_type or "application/octet-stream")
        except ProtocolError as exc:
            if exc.status_code is not None and 400 <= exc.status_code < 500:
                log.warning("head office refused evidence %s: %s", sha[:12], exc)
                continue
            raise
        finally:
            del data
        with store.write() as session:
            session.execute(update(m.Attachment).where(m.Attachment.sha256 == sha).values(uploaded=True))
        done += 1
    return done


def download_attachment(client: HeadOfficeClient, sha256: str, write: Writer) -> None:
    """Fetch one evidence file from head office, check it against its hash and hand it to `write`."""
    data = client.get_attachment(sha256)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise AttachmentMismatch(f"head office sent content for {sha256[:12]} that does not match its hash")
    write(sha256, data)
