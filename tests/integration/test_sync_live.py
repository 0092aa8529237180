"""The sync loop against a live head-office process on loopback: sign-in, first sync, push, no-op,
token renewal, evidence upload and the command line."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.domain.clock import utcnow
from app.services.integrity import check_store
from app.services.syncing import sync_once
from app.store import models as m
from app.store.engine import Store
from app.store.search import fts_out_of_step
from app.store.syncstate import CLOCK_SKEW, CURSOR, get_state
from app.sync.attachments import attachment_path
from app.sync.engine import SyncOptions
from app.sync.tokens import Tokens

from .sync_fixtures import (  # noqa: F401 (fixtures)
    Connect,
    agent_store_fixture,
    connect_fixture,
    headoffice_fixture,
)
from .sync_helpers import queued, record_no_answer, states
from .sync_server import PASSWORD, ROOT, HeadOffice, env


def _local_cases(store: Store) -> dict[int, int]:
    with store.read() as session:
        return dict(session.execute(select(m.Case.id, m.Case.version)).tuples().all())


def test_first_sync_brings_exactly_the_agents_cases(headoffice: HeadOffice, agent_store: Store,
                                                    connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    report = sync_once(agent_store, client, options=SyncOptions(page_size=10))
    expected = headoffice.agent_cases(client.user.id)  # type: ignore[union-attr]
    assert expected and _local_cases(agent_store) == expected
    assert report.full_resync and report.cases_updated == len(expected) and report.pulled_pages >= 4
    with agent_store.engine.connect() as conn:
        assert fts_out_of_step(conn) == []
    assert check_store(agent_store).ok
    with agent_store.read() as session:
        assert get_state(session, CURSOR)
        assert abs(float(get_state(session, CLOCK_SKEW) or "nan")) < 5
        assert session.scalar(select(func.max(m.Case.priority))) > 0  # list columns recomputed


def test_records_upload_once_and_a_second_sync_is_a_no_op(headoffice: HeadOffice, agent_store: Store,
                                                         connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    case_ids = sorted(_local_cases(agent_store))[:5]
    events = [record_no_answer(agent_store, cid) for cid in case_ids]
    report = sync_once(agent_store, client, options=SyncOptions(push_batch=2))
    assert report.pushed.acknowledged == 5 and report.pushed.batches == 3 and queued(agent_store) == 0
    assert set(states(agent_store).values()) <= {"acked", "flagged"}
    rows = headoffice.query("SELECT id, count(*) FROM events GROUP BY id")
    assert {r[0] for r in rows} == set(events) and all(r[1] == 1 for r in rows)
    # Our own records come back in the cases' history without doubling the local timeline.
    with agent_store.read() as session:
        for eid in events:
            assert session.scalar(select(func.count()).select_from(m.ContactAttempt)
                                  .where(m.ContactAttempt.event_id == eid)) == 1
    again = sync_once(agent_store, client)
    assert again.pushed.sent == 0 and again.cases_updated == 0 and not again.full_resync


def test_an_expired_access_token_is_renewed_without_asking_again(headoffice: HeadOffice, agent_store: Store,
                                                                  connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    saved = client.tokens.load(client.server, "agent01")
    assert saved is not None
    # The server no longer accepts this access token (as after expiry): the client must refresh.
    client.tokens.save(client.server, "agent01", Tokens("not-a-valid-token", saved.refresh_token,
                                                         utcnow() + timedelta(hours=1)))
    report = sync_once(agent_store, client)
    assert report.cases_updated > 0
    renewed = client.tokens.load(client.server, "agent01")
    assert renewed is not None and renewed.access_token not in ("not-a-valid-token", saved.access_token)


def test_evidence_uploads_by_hash_once(headoffice: HeadOffice, agent_store: Store, connect: Connect,
                                       tmp_path: Path) -> None:
    client = connect(headoffice.url, agent_store)
    folder = tmp_path / "attachments"
    data = "门口录音 recording <script>".encode() * 1000
    sha = hashlib.sha256(data).hexdigest()
    attachment_path(folder, sha).parent.mkdir(parents=True)
    attachment_path(folder, sha).write_bytes(data)
    missing = hashlib.sha256(b"not on this laptop yet").hexdigest()
    with agent_store.write() as session:
        for h in (sha, missing):
            session.add(m.Attachment(sha256=h, case_id=None, media_type="audio/mp4", size=len(data),
                                     created_at=utcnow(), uploaded=False))
    report = sync_once(agent_store, client, options=SyncOptions(attachments_dir=folder))
    assert report.attachments_uploaded == 1
    assert client.get_attachment(sha) == data
    with agent_store.read() as session:
        assert {a.sha256: a.uploaded for a in session.scalars(select(m.Attachment))} == {sha: True, missing: False}
    assert sync_once(agent_store, client, options=SyncOptions(attachments_dir=folder)).attachments_uploaded == 0


def _cli(data_dir: Path, server: str, password: str, *extra: str,
         secret: str | None = None) -> subprocess.CompletedProcess[str]:
    child = env() if secret is None else {**env(), "DOORSTEP_SECRET": secret}
    return subprocess.run([sys.executable, "-m", "app", "sync", "--data-dir", str(data_dir), "--server", server,
                           "--user", "agent02", "--retry-for", "5", *extra], input=password + "\n",
                          capture_output=True, text=True, env=child, cwd=ROOT, timeout=120, check=False)


def test_command_line_sync_uploads_the_sealed_evidence_of_an_encrypted_store(
        headoffice: HeadOffice, connect: Connect, tmp_path: Path) -> None:
    """`python -m app sync` on an encrypted data folder reads its sealed recordings through the evidence key:
    head office gets the recording as recorded, the laptop keeps only the sealed file."""
    from app.domain.compliance import builtin_profile
    from app.domain.enums import Channel
    from app.domain.outcomes import OutcomeCode
    from app.services.datadir import store_path
    from app.services.evidence import add_evidence
    from app.services.outcomes import OutcomeInput, record_outcome
    from app.store.vault import create_keys, open_encrypted, unlock

    from .sync_helpers import NOW

    data = tmp_path / "sealed"
    data.mkdir()
    secret = "field laptop 正确 secret"
    keys = create_keys(store_path(data), secret)
    open_encrypted(store_path(data), keys)[0].close()
    first = _cli(data, headoffice.url, PASSWORD, secret=secret)
    assert first.returncode == 0, first.stderr
    keys = unlock(store_path(data), secret)
    store, _ = open_encrypted(store_path(data), keys)
    recording = b"RIFF\x24\x80\x00\x00WAVEfmt " + "门口录音 王伟明 13812345678".encode() * 300
    try:
        with store.read() as session:
            case_id = int(session.scalars(select(m.Case.id).order_by(m.Case.id)).first() or 0)
        sha = add_evidence(store, data / "attachments", keys.evidence_key, recording, case_id=case_id,
                           media_type="audio/wav")
        at = NOW + timedelta(hours=1)
        record_outcome(store, OutcomeInput(case_id=case_id, code=OutcomeCode.NOT_HOME, channel=Channel.VISIT, at=at,
                                           collectors=2, recording_sha256=sha),
                       builtin_profile("CN"), "agent02", now=at + timedelta(minutes=1))
    finally:
        store.close()
        keys.wipe()
    second = _cli(data, headoffice.url, PASSWORD, "--json", secret=secret)
    assert second.returncode == 0, second.stderr
    on_disk = [p.read_bytes() for p in (data / "attachments").rglob("*") if p.is_file()]
    assert on_disk and all("王伟明".encode() not in b for b in on_disk)  # sealed here
    keys = unlock(store_path(data), secret)
    store, _ = open_encrypted(store_path(data), keys)
    try:
        client = connect(headoffice.url, store, username="agent02")
        assert client.get_attachment(sha) == recording  # as recorded, at head office
    finally:
        store.close()
        keys.wipe()


def test_command_line_sync_and_its_refusals(headoffice: HeadOffice, tmp_path: Path) -> None:
    data = tmp_path / "cli"
    # A new folder: head office checks the password first (the store is made from it), so nothing is made.
    wrong = _cli(data, headoffice.url, "wrong password")
    assert wrong.returncode == 2 and "refused the sign-in" in wrong.stderr and "Traceback" not in wrong.stderr
    assert not (data / "doorstep.sqlite3").exists()
    ok = _cli(data, headoffice.url, PASSWORD)
    assert ok.returncode == 0, ok.stderr
    assert "received" in ok.stdout and "case update" in ok.stdout
    # The folder's encrypted store now opens offline with the password: another one does not open it.
    wrong = _cli(data, headoffice.url, "wrong password")
    assert wrong.returncode == 2 and "wrong user name or secret" in wrong.stderr and "Traceback" not in wrong.stderr
    down = _cli(data, "http://127.0.0.1:9", PASSWORD)  # nothing listens on the discard port
    assert down.returncode == 1 and "cannot be reached" in down.stderr
    bad = _cli(data, "ftp://example", PASSWORD)
    assert bad.returncode == 2 and "--server" in bad.stderr
