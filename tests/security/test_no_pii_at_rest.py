"""The raw bytes on the laptop hold no debtor name, phone or ID number once the store is encrypted:
the store file, its -wal and -shm, the key file, the secrets file and the evidence files. And no log
file written at DEBUG by the CLI and the app services holds one either."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from sqlalchemy import select, text

from app.cli import main as cli_main
from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.evidence import add_evidence, read_evidence
from app.services.outcomes import OutcomeInput, record_outcome
from app.services.privacy import reveal
from app.services.retention import purge_expired
from app.services.secrets import SecretVault
from app.services.session import BadCredentials, SessionManager
from app.services.workspace import case_timeline, load_case_detail, reveal_contacts
from app.store import models as m
from app.store.queries import CaseQuery, list_cases
from app.sync.tokens import Tokens

from .conftest import SECRET, DemoPii, files_under, found_in, needles, read_pii

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 11:00 in Beijing


def test_raw_bytes_of_store_wal_and_evidence_hold_no_pii(demo_dir: Path, demo_pii: DemoPii,
                                                           demo_store: Any) -> None:
    demo_store.close()
    store_file = demo_dir / "doorstep.sqlite3"
    patterns = needles(demo_pii)
    assert len(found_in(store_file.read_bytes(), patterns)) > 100  # the test can fail: plain, they are there

    session = SessionManager(store_file).login("agent01", SECRET, lambda u, s: None)
    store = session.require_store()
    assert session.keys is not None
    evidence = demo_dir / "attachments"
    with store.read() as s:
        cases = s.scalars(select(m.Case).where(m.Case.status == "open", m.Case.safety_level == 0)
                          .order_by(m.Case.id).limit(3)).all()
        debtors = [(c.id, c.debtor.name, c.debtor.id_number, c.debtor.phones[0].number) for c in cases]
    # Work as an agent would, keeping the store open so the WAL holds fresh pages with personal data.
    for case_id, name, id_number, phone in debtors:
        reveal(store, case_id, "name", "agent01", NOW)
        sha = add_evidence(store, evidence, session.keys.evidence_key,
                           f"recording: {name} {id_number} {phone}".encode(), case_id=case_id,
                           media_type="audio/mp4", now=NOW)
        assert name.encode() in read_evidence(evidence, session.keys.evidence_key, sha)
        record_outcome(store, OutcomeInput(case_id, OutcomeCode.NOT_HOME, Channel.VISIT, NOW, collectors=2,
                                           recording_sha256=sha, notes=f"邻居说 {name} 出差"),
                       builtin_profile("CN"), actor="agent01", now=NOW)
    with store.write() as s:  # touch every debtor page so they are rewritten into the WAL
        s.execute(text("UPDATE debtors SET name = name || ''"))
        s.execute(text("UPDATE phones SET number = number || ''"))
    vault = SecretVault.open(demo_dir, session.keys.secrets_key, "agent01", keyring_backend=fail.Keyring())
    vault.set("tokens:agent01@https://ho.example", f"{debtors[0][1]}-looks-like-a-token")

    wal = store_file.with_name(store_file.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 100_000
    leaks = {p.name: found_in(p.read_bytes(), patterns) for p in files_under(demo_dir)}
    assert {name: hits for name, hits in leaks.items() if hits} == {}
    names = {p.name for p in files_under(demo_dir)}
    assert {"doorstep.sqlite3", "doorstep.sqlite3-wal", "secrets.dse", "doorstep.sqlite3.keyinfo"} <= names
    assert sum(1 for p in files_under(evidence)) == len(debtors)
    session.lock()
    leaks = {p.name: found_in(p.read_bytes(), patterns) for p in files_under(demo_dir)}
    assert {name: hits for name, hits in leaks.items() if hits} == {}


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Everything logged at DEBUG, by every logger (SQLAlchemy's included), goes to a file."""
    path = tmp_path / "doorstep-debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


def test_no_pii_in_logs_at_debug(tmp_path: Path, debug_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    argv_runs = [
        ["demo-data", "--cases", "120", "--seed", "5", "--today", "2026-11-30", "--data-dir", str(data), "-v"],
        ["cases", "--data-dir", str(data), "--limit", "20", "-v"],
        ["cases", "--data-dir", str(data), "--search", "成都", "-v"],
        ["check", "--data-dir", str(data), "-v"],
        ["audit", "verify", "--data-dir", str(data), "-v"],
        ["export", "cases", "--data-dir", str(data), "--out", str(tmp_path / "cases.csv"), "-v"],
        ["report", "daily", "--data-dir", str(data), "--date", "2026-11-30", "--out", str(tmp_path / "d.pdf"),
         "-v"],
    ]
    for argv in argv_runs:
        # The CLI sets up logging once per process with basicConfig; our file handler is already on root.
        code = cli_main(argv)
        assert code == 0, argv
    capsys.readouterr()
    from app.store.migrate import open_store

    store = open_store(data / "doorstep.sqlite3")
    try:
        pii = read_pii(store)
        with store.read() as s:
            case_ids = [r[0] for r in s.execute(text(
                "SELECT id FROM cases WHERE status='open' AND safety_level=0 ORDER BY id LIMIT 3"))]
        for cid in case_ids:
            reveal_contacts(store, cid, "agent01", NOW)
            load_case_detail(store, cid, NOW)
            case_timeline(store, cid)
            reveal(store, cid, "id_number", "agent01", NOW)
            add_evidence(store, tmp_path / "att", b"\x01" * 32, b"\x00" * 64 + str(cid).encode(), case_id=cid,
                         media_type="image/jpeg", now=NOW)
            record_outcome(store, OutcomeInput(cid, OutcomeCode.NOT_HOME, Channel.VISIT, NOW, collectors=2,
                                               no_recording_reason="device broken"),
                           builtin_profile("CN"), actor="agent01", now=NOW)
        with store.engine.connect() as c:
            list_cases(c, CaseQuery(search=pii.names[0]), limit=10)
        with store.write() as s:  # two cases closed long ago, their events acknowledged: the purge removes them
            s.execute(text("UPDATE cases SET status='closed', updated_at='2025-01-01T00:00:00.000000Z' "
                           "WHERE id IN (SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM events) "
                           "ORDER BY id LIMIT 2)"))
        assert len(purge_expired(store, days=30, evidence_folder=tmp_path / "att", now=NOW).purged_cases) == 2
    finally:
        store.close()
    manager = SessionManager(tmp_path / "enc" / "doorstep.sqlite3")
    manager.login("agent01", SECRET, lambda u, s: None).close()
    with pytest.raises(BadCredentials):
        manager.login("agent01", pii.names[0])  # a debtor's name typed as the secret is not logged either
    vault = SecretVault.open(tmp_path, b"\x02" * 32, "agent01", keyring_backend=fail.Keyring())
    vault.set("tokens", Tokens("a", "b", NOW).access_token)

    # SQLAlchemy keeps its loggers at WARNING unless asked (echo would log rows, i.e. personal data).
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING
    logged = debug_log.read_bytes()
    assert b"app.services.retention" in logged and b"app.services.session" in logged  # the file did get logs
    assert found_in(logged, needles(pii)) == []
