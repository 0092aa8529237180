"""A supervisor opens a visit's recording: fetched from head office by its hash, checked, handed to a viewer.

Head office keeps evidence as uploaded (the plaintext, checked against its name on receipt). A
supervisor's laptop fetches one file (`GET /attachments/{sha256}`, scoped to their team), checks that it
hashes to its name, and writes it to a private folder (`<cache>/viewing`, mode 0700, the file 0600) so the
system's player can open it. The copy is in the clear for as long as it is being viewed: each opening
first wipes what earlier ones left there, and the window wipes the folder when it closes
(`wipe_viewing`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.store.wipe import overwrite_and_unlink
from app.sync.attachments import AttachmentMismatch
from app.sync.client import HeadOfficeClient

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", ".jpg"), (0, b"\x89PNG\r\n\x1a\n", ".png"), (0, b"%PDF-", ".pdf"),
    (0, b"#!AMR", ".amr"), (0, b"ID3", ".mp3"), (0, b"\xff\xfb", ".mp3"), (0, b"\xff\xf3", ".mp3"),
    (8, b"WAVE", ".wav"), (4, b"ftypM4A", ".m4a"), (4, b"ftypheic", ".heic"), (4, b"ftyp", ".mp4"),
)


def suffix_for(data: bytes) -> str:
    """The file name ending a player expects, from the content's first bytes (.bin when unknown)."""
    for at, magic, suffix in _SIGNATURES:
        if data[at:at + len(magic)] == magic:
            return suffix
    return ".bin"


def wipe_viewing(folder: Path) -> int:
    """Overwrite and remove every copy left in the viewing folder. Returns the count."""
    done = 0
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        if path.is_file():
            try:
                done += overwrite_and_unlink(path)
            except OSError:
                continue  # still open in a viewer that locks it (Windows): the next wipe takes it
    return done


def fetch_for_viewing(client: HeadOfficeClient, sha256: str, folder: Path) -> Path:
    """Fetch one evidence file from head office, check it, and write it for a viewer. Returns its path.
    Raises AttachmentMismatch (content not matching its name) and the sync errors of the request."""
    data = client.get_attachment(sha256)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise AttachmentMismatch(f"head office sent content for {sha256[:12]} that does not match its hash")
    return write_for_viewing(data, folder, f"recording-{sha256[:12]}")


def write_for_viewing(data: bytes, folder: Path, stem: str) -> Path:
    """Write checked content to the private viewing folder (wiping what earlier openings left) for the
    system's viewer. Returns its path: `<stem><suffix from the content>`."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    wipe_viewing(folder)
    path = folder / f"{stem}{suffix_for(data)}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
