"""A lawyer's letter from the case timeline, as its PDF: kept on the laptop like evidence, fetched when not.

Head office makes the letter and keeps its PDF as an attachment named by its SHA-256 (the trail item's
`attachment_sha256`); the case's agent may read it (`GET /attachments/{sha256}`). The laptop fetches it with
the sync client's attachment download (`app.sync.attachments.download_attachment`, which checks the content
against its name) and keeps it as evidence is kept: sealed with the store's evidence key in the evidence
folder, with an `attachments` row for the case (already uploaded: head office has it), so it opens offline
afterwards and leaves with the case. Without an evidence key (a store that is not encrypted, or locked) the
letter is shown from memory and not kept. Only a PDF is ever handed on.

Every call here reads disk or network: run it from a worker, never on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from app.store.engine import Store
from app.sync.attachments import download_attachment
from app.sync.client import HeadOfficeClient

from .evidence import EvidenceError, evidence_path, keep_downloaded, read_evidence
from .ladder_trail import letter_case

PDF_MEDIA_TYPE = "application/pdf"


class LetterError(Exception):
    """The letter cannot be shown. `reason`: not_on_trail, not_pdf, damaged."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def _check_pdf(sha256: str, data: bytes) -> bytes:
    if not data.startswith(b"%PDF-"):
        raise LetterError(f"the file {sha256[:12]} head office keeps for this letter is not a PDF", "not_pdf")
    return data


def letter_case_id(store: Store, sha256: str) -> int:
    """The case whose trail names this PDF; LetterError when none on this laptop does."""
    with store.read() as session:
        case_id = letter_case(session, sha256)
    if case_id is None:
        raise LetterError(f"no letter on this laptop has the PDF {sha256[:12]}", "not_on_trail")
    return case_id


def cached_letter(store: Store, folder: Path | None, key: bytes | bytearray | None, sha256: str) -> bytes | None:
    """The letter's PDF if it is kept on this laptop (and the store is unlocked), else None."""
    letter_case_id(store, sha256)
    if folder is None or key is None:
        return None
    try:
        if not evidence_path(folder, sha256).exists():
            return None
        data = read_evidence(folder, key, sha256)
    except EvidenceError as exc:
        raise LetterError(str(exc), "damaged") from exc
    return _check_pdf(sha256, data)


def fetch_letter(client: HeadOfficeClient, store: Store, sha256: str, folder: Path | None,
                 key: bytes | bytearray | None) -> bytes:
    """Download the letter's PDF (checked against its hash), keep it sealed when there is a key, return it.
    Raises the sync errors of the request (ServerUnavailable when head office cannot be reached)."""
    case_id = letter_case_id(store, sha256)
    got: list[bytes] = []

    def write(sha: str, data: bytes) -> None:
        _check_pdf(sha, data)
        if folder is not None and key is not None:
            keep_downloaded(store, folder, key, case_id=case_id, media_type=PDF_MEDIA_TYPE)(sha, data)
        got.append(data)

    download_attachment(client, sha256, write)
    return got[0]
