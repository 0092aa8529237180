"""Evidence files (photos, recordings) stored by SHA-256 and uploaded idempotently.

Files live in `<folder>/<first two hex digits>/<sha256>`. Upload is `PUT /attachments/{sha256}`;
sending a file twice is harmless. The file is hashed again before it leaves, so a damaged file is
never uploaded under its old name. An event may reach head office before its file.
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


def attachment_path(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def upload_attachments(store: Store, client: HeadOfficeClient, folder: Path,
                       step: Callable[[str, dict[str, Any]], None] | None = None) -> int:
    """Upload every attachment not yet uploaded whose file is present and intact. Returns the count."""
    with store.read() as session:
        rows = session.execute(select(m.Attachment.sha256, m.Attachment.media_type)
                               .where(m.Attachment.uploaded.is_(False)).order_by(m.Attachment.created_at)).all()
    done = 0
    for sha, media_type in rows:
        path = attachment_path(folder, sha)
        if not path.is_file():
            log.info("evidence %s is not on this laptop yet; it will upload when it is", sha[:12])
            continue
        if path.stat().st_size > MAX_ATTACHMENT_BYTES or sha256_of(path) != sha:
            log.warning("evidence file %s is damaged or too large; not uploaded", sha[:12])
            continue
        if step:
            step("attachment.sending", {"sha256": sha})
        try:
            client.put_attachment(sha, path.read_bytes(), media_type or "application/octet-stream")
        except ProtocolError as exc:
            if exc.status_code is not None and 400 <= exc.status_code < 500:
                log.warning("head office refused evidence %s: %s", sha[:12], exc)
                continue
            raise
        with store.write() as session:
            session.execute(update(m.Attachment).where(m.Attachment.sha256 == sha).values(uploaded=True))
        done += 1
    return done
