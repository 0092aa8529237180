"""Encrypted evidence goes through the sync upload: decrypted in memory, never written in the clear.

Against a live head office on loopback: a visit is recorded with a recording kept by the evidence
service (AES-GCM on disk, named by the SHA-256 of its plaintext); one sync uploads it; head office's
copy hashes to that name; the laptop's file holds none of the plaintext. A download is sealed before
it touches the disk. The evidence key here is random bytes, as the key file's evidence key is (the
key file and its wrapping are tested in tests/security).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.evidence import add_evidence, evidence_path, keep_downloaded, read_evidence
from app.services.outcomes import OutcomeInput, record_outcome
from app.services.syncing import sync_once
from app.store import models as m
from app.store.engine import Store
from app.sync.attachments import AttachmentMismatch, download_attachment

from .sync_fixtures import (  # noqa: F401 (fixtures)
    BOTH,
    Connect,
    agent_store_fixture,
    connect_fixture,
    headoffice_fixture,
)
from .sync_helpers import NOW
from .sync_server import HeadOffice

MARK = "门口录音：王伟明 13812345678 <script>alert(1)</script>".encode()


def _recording() -> bytes:
    """Something shaped like a small audio file, with text in it that must never reach the disk."""
    return b"RIFF\x24\x80\x00\x00WAVEfmt " + MARK * 400 + secrets.token_bytes(2048)


def _visit(store: Store, recording_sha: str) -> str:
    with store.read() as session:
        case_id = int(session.scalars(select(m.Case.id).order_by(m.Case.id)).first() or 0)
    at = NOW + timedelta(hours=1)  # 11:00 in Chengdu: inside the contact window
    data = OutcomeInput(case_id=case_id, code=OutcomeCode.NOT_HOME, channel=Channel.VISIT, at=at, collectors=2,
                        recording_sha256=recording_sha)
    return record_outcome(store, data, builtin_profile("CN"), "agent01", now=at + timedelta(minutes=1)).event_id


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_a_sealed_recording_uploads_in_clear_to_head_office_and_stays_sealed_here(
        headoffice: HeadOffice, agent_store: Store, connect: Connect, tmp_path: Path) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    folder = tmp_path / "attachments"
    key = bytearray(secrets.token_bytes(32))
    recording = _recording()
    with agent_store.read() as session:
        case_id = int(session.scalars(select(m.Case.id).order_by(m.Case.id)).first() or 0)
    sha = add_evidence(agent_store, folder, key, recording, case_id=case_id, media_type="audio/wav")
    assert sha == hashlib.sha256(recording).hexdigest()
    event_id = _visit(agent_store, sha)

    # Locked (no key): the record goes, the file waits; nothing is read in the clear meanwhile.
    locked = sync_once(agent_store, client, attachments_dir=folder, evidence_key=lambda: None)
    assert locked.pushed.accepted == 1 and locked.attachments_uploaded == 0
    assert headoffice.query("SELECT count(*) FROM attachments WHERE sha256 = ?", (sha,))[0][0] == 0

    report = sync_once(agent_store, client, attachments_dir=folder, evidence_key=lambda: key)
    assert report.attachments_uploaded == 1

    stored = headoffice.query("SELECT data, size FROM attachments WHERE sha256 = ?", (sha,))
    assert len(stored) == 1
    server_copy = bytes(stored[0][0])
    assert hashlib.sha256(server_copy).hexdigest() == sha and stored[0][1] == len(recording)
    assert headoffice.query("SELECT recording_sha256 FROM attachments a JOIN attempts t "
                            "ON t.recording_sha256 = a.sha256 WHERE t.event_id = ?", (event_id,)) == [(sha,)]
    with agent_store.read() as session:
        assert session.get(m.Attachment, sha).uploaded  # type: ignore[union-attr]

    # On the laptop: one sealed file, and no plaintext anywhere in the evidence folder.
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files == [evidence_path(folder, sha)]
    raw = files[0].read_bytes()
    assert MARK not in raw and recording[:64] not in raw and recording[-64:] not in raw
    assert "王伟明".encode() not in raw and b"13812345678" not in raw

    # Synced again: nothing is sent twice.
    assert sync_once(agent_store, client, attachments_dir=folder, evidence_key=key).attachments_uploaded == 0


def test_a_damaged_sealed_file_is_not_uploaded_and_a_download_is_sealed(
        headoffice: HeadOffice, agent_store: Store, connect: Connect, tmp_path: Path) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    key = bytearray(secrets.token_bytes(32))
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    good, bad = _recording(), _recording()
    good_sha = add_evidence(agent_store, mine, key, good, case_id=None, media_type="audio/wav")
    bad_sha = add_evidence(agent_store, mine, key, bad, case_id=None, media_type="audio/wav")
    path = evidence_path(mine, bad_sha)
    blob = bytearray(path.read_bytes())
    blob[-40] ^= 0x01  # one flipped bit in the ciphertext
    path.write_bytes(bytes(blob))

    report = sync_once(agent_store, client, attachments_dir=mine, evidence_key=key)
    assert report.attachments_uploaded == 1
    assert headoffice.query("SELECT sha256 FROM attachments WHERE sha256 IN (?, ?)", (good_sha, bad_sha)) == [
        (good_sha,)]
    with agent_store.read() as session:
        assert {a.sha256: a.uploaded for a in session.scalars(select(m.Attachment))} == {good_sha: True,
                                                                                         bad_sha: False}

    # Another laptop's copy of the same evidence: fetched by hash, sealed before it is written.
    other_key = bytearray(secrets.token_bytes(32))
    with agent_store.write() as session:
        session.delete(session.get(m.Attachment, good_sha))
    download_attachment(client, good_sha, keep_downloaded(agent_store, theirs, other_key, case_id=None,
                                                          media_type="audio/wav"))
    raw = evidence_path(theirs, good_sha).read_bytes()
    assert MARK not in raw and good[:64] not in raw
    assert read_evidence(theirs, other_key, good_sha) == good
    with agent_store.read() as session:
        assert session.get(m.Attachment, good_sha).uploaded  # type: ignore[union-attr]
    # Content that does not hash to its name is never handed on (a stand-in server: ours refuses to
    # store such content, so only a broken or hostile one could send it).
    written: list[str] = []

    class Lying:
        def get_attachment(self, _sha: str) -> bytes:
            return b"not the recording"

    with pytest.raises(AttachmentMismatch):
        download_attachment(Lying(), good_sha, lambda sha, _data: written.append(sha))  # type: ignore[arg-type]
    assert written == []
