"""Evidence encryption, secrets (keyring or encrypted file), offline login and lock, reveal audit, audit verify,
retention purge. Real SQLCipher stores on disk; the only stand-ins are for things outside the project:
an OS keyring (this machine has none) and, where said, the head-office login call."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.cli import main as cli_main
from app.contract import v1
from app.domain.audit import verify_chain
from app.services.evidence import (
    EvidenceError,
    add_evidence,
    evidence_path,
    list_evidence,
    read_evidence,
)
from app.services.privacy import UnknownField, reveal
from app.services.retention import purge_expired
from app.services.secrets import SecretsError, SecretVault, VaultTokenStore, keyring_usable
from app.services.session import (
    BadCredentials,
    Locked,
    NeedsOnlineLogin,
    SessionManager,
    TooManyAttempts,
    backoff_delay,
)
from app.store import models as m
from app.store.audit import iter_audit_rows
from app.store.crypto import is_plain_sqlite
from app.store.keyfile import keyinfo_path
from app.store.vault import create_keys, open_encrypted, unlock
from app.sync.push import apply_results, next_batch
from app.sync.tokens import Tokens

from .conftest import SECRET

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


# --- evidence ------------------------------------------------------------------------------------


def test_evidence_is_encrypted_named_by_plaintext_hash_and_listed(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    keys = create_keys(f, SECRET)
    store, _ = open_encrypted(f, keys)
    folder = tmp_path / "attachments"
    photo = b"\xff\xd8\xff\xe0 JPEG of the door at 13812345678 " * 200
    try:
        sha = add_evidence(store, folder, keys.evidence_key, photo, case_id=7, media_type="image/jpeg", now=NOW)
        assert sha == hashlib.sha256(photo).hexdigest()
        assert add_evidence(store, folder, keys.evidence_key, photo, case_id=7, media_type="image/jpeg") == sha
        raw = evidence_path(folder, sha).read_bytes()
        assert b"13812345678" not in raw and b"JPEG" not in raw
        assert read_evidence(folder, keys.evidence_key, sha) == photo
        listed = list_evidence(store, 7)
        assert [(e.sha256, e.size, e.media_type) for e in listed] == [(sha, len(photo), "image/jpeg")]
        assert list_evidence(store, 8) == []
        with pytest.raises(EvidenceError, match="another key"):
            read_evidence(folder, b"\x00" * 32, sha)
        tampered = bytearray(raw)
        tampered[-1] ^= 1
        evidence_path(folder, sha).write_bytes(bytes(tampered))
        with pytest.raises(EvidenceError, match="damaged"):
            read_evidence(folder, keys.evidence_key, sha)
        with pytest.raises(EvidenceError):
            add_evidence(store, folder, keys.evidence_key, b"", case_id=7, media_type="image/jpeg")
        with pytest.raises(EvidenceError, match="not accepted"):
            add_evidence(store, folder, keys.evidence_key, b"x", case_id=7, media_type="text/html<script>")
        with pytest.raises(EvidenceError):
            read_evidence(folder, keys.evidence_key, "../../etc/passwd")
    finally:
        store.close()


def test_evidence_survives_a_secret_change(tmp_path: Path) -> None:
    from app.store.vault import change_secret

    f = tmp_path / "doorstep.sqlite3"
    keys = create_keys(f, SECRET)
    store, connector = open_encrypted(f, keys)
    folder = tmp_path / "attachments"
    sha = add_evidence(store, folder, keys.evidence_key, b"recording", case_id=1, media_type="audio/mp4")
    new = change_secret(f, store, connector, keys, SECRET, "another secret")
    store.close()
    assert read_evidence(folder, unlock(f, "another secret").evidence_key, sha) == b"recording"
    assert new.evidence_key == unlock(f, "another secret").evidence_key


# --- secrets ---------------------------------------------------------------------------------------


class MemoryKeyring:
    """Stands in for an OS keyring (Secret Service, Keychain…), which this machine does not have.
    Not a keyring.backend.KeyringBackend subclass, so keyring itself never picks it up."""

    priority = 5

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


def test_secrets_fall_back_to_an_encrypted_file_without_a_keyring(tmp_path: Path) -> None:
    from keyring.backends import fail, null

    assert not keyring_usable(fail.Keyring()) and not keyring_usable(null.Keyring())
    keys = create_keys(tmp_path / "s.sqlite3", SECRET)
    vault = SecretVault.open(tmp_path, keys.secrets_key, "agent01", keyring_backend=fail.Keyring())
    assert vault.kind == "encrypted-file"
    tokens = VaultTokenStore(vault)
    t = Tokens("access-abcdefghijkl", "refresh-mnopqrstuv", NOW + timedelta(minutes=15))
    tokens.save("https://ho.example", "agent01", t)
    raw = (tmp_path / "secrets.dse").read_bytes()
    assert b"refresh-mnopqrstuv" not in raw and b"access" not in raw
    # A restart: a new vault with the key derived again from the secret reads the same tokens.
    again = VaultTokenStore(SecretVault.open(tmp_path, unlock(tmp_path / "s.sqlite3", SECRET).secrets_key, "agent01",
                                             keyring_backend=fail.Keyring()))
    assert again.load("https://ho.example", "agent01") == t
    assert again.load("https://ho.example", "agent02") is None
    again.clear("https://ho.example", "agent01")
    assert again.load("https://ho.example", "agent01") is None
    with pytest.raises(SecretsError, match="another secret"):
        SecretVault.open(tmp_path, b"\x01" * 32, "agent01", keyring_backend=fail.Keyring()).set("x", "y")


def test_secrets_use_the_os_keyring_when_there_is_one(tmp_path: Path) -> None:
    kr = MemoryKeyring()
    vault = SecretVault.open(tmp_path, b"\x00" * 32, "agent01", keyring_backend=kr)
    assert vault.kind == "keyring"
    VaultTokenStore(vault).save("https://ho.example", "agent01",
                                Tokens("a" * 20, "r" * 20, NOW))
    assert not (tmp_path / "secrets.dse").exists()
    assert [k for k in kr.entries] == [("Doorstep", "agent01/tokens:agent01@https://ho.example")]
    vault.delete("tokens:agent01@https://ho.example")
    vault.delete("never-there")  # deleting twice is harmless
    assert kr.entries == {}


# --- offline login and lock --------------------------------------------------------------------------


class HeadOfficeLogin:
    """Stands in for the head-office login call (the real one is HeadOfficeClient.login over HTTP)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, username: str, secret: str) -> dict[str, str]:
        self.calls += 1
        if (username, secret) != ("agent01", SECRET):
            raise PermissionError("401")
        return {"username": username}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def test_first_login_is_online_then_offline_with_the_same_secret(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    online = HeadOfficeLogin()
    manager = SessionManager(f)
    assert manager.first_login_needed()
    with pytest.raises(NeedsOnlineLogin):
        manager.login("agent01", SECRET)
    with pytest.raises(BadCredentials):
        manager.login("agent01", "wrong", online)
    assert not keyinfo_path(f).exists()
    session = manager.login("agent01", SECRET, online)
    assert online.calls == 2 and not manager.first_login_needed()
    with session.require_store().write() as s:
        s.add(m.SyncState(key="probe", value="v"))
    manager.logout(session)
    assert session.locked and session.keys is None
    with pytest.raises(Locked):
        session.require_store()
    again = manager.login("agent01", SECRET)  # offline: no head office needed
    with again.require_store().read() as s:
        assert s.get(m.SyncState, "probe") is not None
    again.lock()
    with pytest.raises(BadCredentials, match="another user"):
        manager.login("agent02", SECRET)


def test_first_login_encrypts_an_existing_plain_store(demo_dir: Path) -> None:
    f = demo_dir / "doorstep.sqlite3"
    assert is_plain_sqlite(f)
    folder = demo_dir / "attachments"
    photo = b"clear photo from an earlier version"
    sha = hashlib.sha256(photo).hexdigest()
    (folder / sha[:2]).mkdir(parents=True)
    (folder / sha[:2] / sha).write_bytes(photo)
    (folder / sha[:2] / ("0" * 64)).write_bytes(b"does not match its name: left alone")
    session = SessionManager(f, evidence_folder=folder).login("agent01", SECRET, HeadOfficeLogin())
    try:
        assert not is_plain_sqlite(f)
        assert not (folder / sha[:2] / sha).exists() and (folder / sha[:2] / ("0" * 64)).exists()
        assert session.keys is not None and read_evidence(folder, session.keys.evidence_key, sha) == photo
        with session.require_store().read() as s:
            assert s.execute(text("SELECT count(*) FROM cases")).scalar_one() == 600
    finally:
        session.lock()


def test_lock_wipes_keys_and_unlock_needs_the_secret(tmp_path: Path) -> None:
    from app.store.migrate import StoreError

    f = tmp_path / "doorstep.sqlite3"
    manager = SessionManager(f)
    session = manager.login("agent01", SECRET, HeadOfficeLogin())
    keys, connector, store = session.keys, session.connector, session.store
    assert keys is not None and connector is not None and store is not None
    locked: list[bool] = []
    session.on_lock.append(lambda: locked.append(True))
    session.lock()
    assert locked == [True] and keys.wiped and not any(keys.evidence_key) and not any(keys.secrets_key)
    assert not any(connector._key)
    with pytest.raises(Locked):
        session.require_store()
    with pytest.raises(StoreError, match="locked"), store.read() as s:  # whoever still holds the Store
        s.execute(text("SELECT count(*) FROM cases")).scalar_one()
    with pytest.raises(BadCredentials):
        manager.unlock(session, "not it")
    assert session.locked
    manager.unlock(session, SECRET)
    assert session.require_store() is store  # the same object works again: the window keeps its references
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0
    manager.logout(session)
    assert session.store is None
    manager.unlock(session, SECRET)  # after a logout the store is opened afresh
    with session.require_store().read() as s:
        assert s.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0
    session.close()


def test_failed_attempts_back_off_and_survive_a_restart(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    clock = Clock()
    SessionManager(f, now=clock).login("agent01", SECRET, HeadOfficeLogin()).close()
    assert [backoff_delay(n) for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    assert backoff_delay(60) == 15 * 60
    manager = SessionManager(f, now=clock)
    for _ in range(3):
        with pytest.raises(BadCredentials):
            manager.login("agent01", "guess")
    with pytest.raises(TooManyAttempts) as waited:
        manager.login("agent01", SECRET)  # even the right secret waits: no oracle during back-off
    assert waited.value.wait_s == 1
    restarted = SessionManager(f, now=clock)  # a new process reads the persisted count
    assert restarted.state().failures == 3
    with pytest.raises(TooManyAttempts):
        restarted.login("agent01", SECRET)
    clock.now += timedelta(seconds=2)
    with pytest.raises(BadCredentials):
        restarted.login("agent01", "guess")
    with pytest.raises(TooManyAttempts) as waited:
        restarted.login("agent01", SECRET)
    assert waited.value.wait_s == 2
    clock.now += timedelta(seconds=3)
    restarted.login("agent01", SECRET).close()
    assert restarted.state().failures == 0
    # A damaged state file does not hand out free attempts.
    restarted.state_path.write_text("{not json")
    with pytest.raises(TooManyAttempts):
        SessionManager(f, now=clock).login("agent01", SECRET)


def test_change_secret_through_the_session(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    manager = SessionManager(f)
    session = manager.login("agent01", SECRET, HeadOfficeLogin())
    with pytest.raises(BadCredentials):
        manager.change_secret(session, "wrong", "new one")
    manager.change_secret(session, SECRET, "new one")
    session.lock()
    with pytest.raises(BadCredentials):
        manager.login("agent01", SECRET)
    manager.login("agent01", "new one").close()


# --- reveal, audit ---------------------------------------------------------------------------------


def test_reveal_returns_the_value_and_writes_audit_and_event(demo_store: Any) -> None:
    with demo_store.read() as s:
        case = s.scalars(select(m.Case).order_by(m.Case.id).limit(1)).one()
        debtor = case.debtor
        phone = debtor.phones[0]
        expected = (debtor.name, debtor.id_number, phone.number)
        events_before = s.execute(text("SELECT count(*) FROM events")).scalar_one()
    assert reveal(demo_store, case.id, "name", "agent01", NOW) == expected[0]
    assert reveal(demo_store, case.id, "id_number", "agent01", NOW) == expected[1]
    assert reveal(demo_store, case.id, f"phone:{phone.id}", "agent01", NOW) == expected[2]
    with pytest.raises(UnknownField):
        reveal(demo_store, case.id, "phone:999999", "agent01", NOW)
    with pytest.raises(UnknownField):
        reveal(demo_store, case.id, "<script>alert(1)</script>", "agent01", NOW)
    with demo_store.read() as s:
        audit = s.execute(text("SELECT action, entity_id, data FROM audit_log WHERE action = 'pii.revealed'")).all()
        events = s.execute(text("SELECT kind, payload, e.id IN (SELECT event_id FROM outbox) FROM events e "
                                "WHERE kind = 'pii_revealed'")).all()
        assert s.execute(text("SELECT count(*) FROM events")).scalar_one() == events_before + 3
        assert verify_chain(iter_audit_rows(s)) == []
    assert [(a, e) for a, e, _ in audit] == [("pii.revealed", str(case.id))] * 3
    assert [json.loads(d)["fields"] for _, _, d in audit] == [["name"], ["id_number"], [f"phone:{phone.id}"]]
    assert all(k == "pii_revealed" and queued for k, _, queued in events)
    for _, payload, _ in events:  # head office learns what was revealed, never the value itself
        assert not any(v in payload for v in expected)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def test_audit_verify_finds_edited_removed_and_reordered_entries(demo_dir: Path, demo_store: Any,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with demo_store.read() as s:
        case_ids = [r[0] for r in s.execute(text("SELECT id FROM cases ORDER BY id LIMIT 5"))]
    for cid in case_ids:
        reveal(demo_store, cid, "name", "agent01", NOW)
    demo_store.close()
    code, out = _cli(capsys, "audit", "verify", "--data-dir", str(demo_dir))
    assert code == 0 and "intact" in out
    import sqlite3

    db = sqlite3.connect(demo_dir / "doorstep.sqlite3")
    total = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert total >= 5
    edited = total - 2
    db.execute("UPDATE audit_log SET actor = 'agent09' WHERE seq = ?", (edited,))
    db.commit()
    code, out = _cli(capsys, "audit", "verify", "--data-dir", str(demo_dir))
    assert code == 1 and f"entry {edited}: content was edited" in out
    db.execute("UPDATE audit_log SET actor = 'agent01' WHERE seq = ?", (edited,))
    db.execute("DELETE FROM audit_log WHERE seq = ?", (total - 1,))
    db.commit()
    code, out = _cli(capsys, "audit", "verify", "--data-dir", str(demo_dir))
    assert code == 1 and f"entry {total}: expected entry {total - 1}" in out
    db.execute("DELETE FROM audit_log WHERE seq = ?", (total,))  # tidy up: only the reorder below remains
    # Reorder: entries 1 and 2 trade places (seq is the rowid, so the rows themselves are swapped).
    cols = "at, actor, action, entity, entity_id, data, prev_hash, hash"
    one = db.execute(f"SELECT {cols} FROM audit_log WHERE seq = 1").fetchone()
    two = db.execute(f"SELECT {cols} FROM audit_log WHERE seq = 2").fetchone()
    sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
    db.execute(f"UPDATE audit_log SET {sets} WHERE seq = 1", two)
    db.execute(f"UPDATE audit_log SET {sets} WHERE seq = 2", one)
    db.commit()
    db.close()
    code, out = _cli(capsys, "audit", "verify", "--data-dir", str(demo_dir))
    assert code == 1 and "entry 1: does not follow" in out and "entry 2: does not follow" in out


# --- retention ---------------------------------------------------------------------------------------


def _ack_everything(store: Any) -> None:
    batch = next_batch(store, 0, 10_000)
    apply_results(store, batch, [v1.EventResult(id=p.event_id, status="accepted", server_seq=i + 1)
                                 for i, p in enumerate(batch)], NOW)


def test_retention_purges_only_acknowledged_old_closed_cases(demo_store: Any, tmp_path: Path) -> None:
    folder = tmp_path / "attachments"
    key = b"\x05" * 32
    with demo_store.read() as s:
        ids = [r[0] for r in s.execute(text("SELECT id FROM cases WHERE status NOT IN ('closed','returned') "
                                            "ORDER BY id LIMIT 5"))]
        names = {cid: s.get(m.Case, cid).debtor_name for cid in ids}  # type: ignore[union-attr]
    old, recent, queued, unsent_photo, open_case = ids
    long_ago = (NOW - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with demo_store.write() as s:
        for cid in (old, queued, unsent_photo):
            s.execute(text("UPDATE cases SET status = 'closed', updated_at = :t WHERE id = :id"),
                      {"t": long_ago, "id": cid})
        s.execute(text("UPDATE cases SET status = 'returned', updated_at = :t WHERE id = :id"),
                  {"t": (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "id": recent})
    reveal(demo_store, old, "name", "agent01", NOW)  # an event on the old case, acknowledged below
    sha_old = add_evidence(demo_store, folder, key, b"photo of old", case_id=old, media_type="image/jpeg")
    sha_unsent = add_evidence(demo_store, folder, key, b"photo unsent", case_id=unsent_photo,
                              media_type="image/jpeg")
    _ack_everything(demo_store)
    with demo_store.write() as s:
        s.execute(text("UPDATE attachments SET uploaded = 1 WHERE sha256 = :s"), {"s": sha_old})
    reveal(demo_store, queued, "name", "agent01", NOW)  # not yet acknowledged

    report = purge_expired(demo_store, days=30, evidence_folder=folder, now=NOW)
    assert report.purged_cases == [old]
    assert sorted(report.kept_waiting_upload) == sorted([queued, unsent_photo])
    assert report.events_removed == 1 and report.evidence_files_removed == 1
    assert not evidence_path(folder, sha_old).exists() and evidence_path(folder, sha_unsent).exists()
    with demo_store.read() as s:
        assert s.get(m.Case, old) is None
        for cid in (recent, queued, unsent_photo, open_case):
            assert s.get(m.Case, cid) is not None
        assert s.execute(text("SELECT count(*) FROM case_search WHERE rowid = :id"), {"id": old}).scalar_one() == 0
        assert s.execute(text("SELECT count(*) FROM events WHERE case_id = :id"), {"id": old}).scalar_one() == 0
        assert s.execute(text("SELECT count(*) FROM attachments WHERE case_id = :id"), {"id": old}).scalar_one() == 0
        assert s.execute(text("SELECT count(*) FROM debtors WHERE name = :n"), {"n": names[old]}).scalar_one() == 0
    with pytest.raises(ValueError):
        purge_expired(demo_store, days=-1)
    assert purge_expired(demo_store, days=30, now=NOW).purged_cases == []


def test_cli_opens_an_encrypted_store_with_the_secret(demo_dir: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store_file = demo_dir / "doorstep.sqlite3"
    SessionManager(store_file).login("agent01", SECRET, HeadOfficeLogin()).close()
    monkeypatch.delenv("DOORSTEP_SECRET", raising=False)
    code, out = _cli(capsys, "audit", "verify", "--data-dir", str(demo_dir))  # stdin is not a terminal here
    assert code == 2 and "encrypted" in out and "DOORSTEP_SECRET" in out
    monkeypatch.setenv("DOORSTEP_SECRET", "wrong")
    code, out = _cli(capsys, "cases", "--data-dir", str(demo_dir), "--limit", "3")
    assert code == 2 and "wrong secret" in out
    monkeypatch.setenv("DOORSTEP_SECRET", SECRET)
    code, out = _cli(capsys, "audit", "verify", "--data-dir", str(demo_dir))
    assert code == 0 and "intact" in out
    code, out = _cli(capsys, "cases", "--data-dir", str(demo_dir), "--limit", "3", "--json")
    assert code == 0 and json.loads(out)["total"] == 600


def test_cli_encrypt_change_secret_and_purge(demo_dir: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store_file = demo_dir / "doorstep.sqlite3"
    monkeypatch.setenv("DOORSTEP_NEW_SECRET", "short")
    code, out = _cli(capsys, "security", "encrypt", "--data-dir", str(demo_dir))
    assert code == 2 and "at least 8" in out and is_plain_sqlite(store_file)
    monkeypatch.setenv("DOORSTEP_NEW_SECRET", SECRET)
    code, out = _cli(capsys, "security", "encrypt", "--data-dir", str(demo_dir))
    assert code == 0 and "store encrypted" in out and not is_plain_sqlite(store_file)
    code, out = _cli(capsys, "security", "encrypt", "--data-dir", str(demo_dir))
    assert code == 2 and "no plain store" in out
    monkeypatch.setenv("DOORSTEP_SECRET", SECRET)
    monkeypatch.setenv("DOORSTEP_NEW_SECRET", "a brand new secret")
    code, out = _cli(capsys, "security", "change-secret", "--data-dir", str(demo_dir))
    assert code == 0 and "re-keyed" in out
    code, out = _cli(capsys, "security", "purge", "--data-dir", str(demo_dir), "--days", "30")
    assert code == 2 and "wrong secret" in out  # the old secret no longer opens it
    monkeypatch.setenv("DOORSTEP_SECRET", "a brand new secret")
    code, out = _cli(capsys, "security", "purge", "--data-dir", str(demo_dir), "--days", "30")
    assert code == 0 and "case(s) removed" in out


def test_idle_lock_is_due_after_the_idle_minutes() -> None:
    from app.services.session import IdleLock

    t = [100.0]
    idle = IdleLock(10, clock=lambda: t[0])
    t[0] += 599
    assert not idle.due() and idle.remaining_s() == pytest.approx(1.0)
    idle.touch()
    t[0] += 599
    assert not idle.due()
    t[0] += 2
    assert idle.due() and idle.remaining_s() == 0
    with pytest.raises(ValueError):
        IdleLock(0)


def test_revealing_all_contacts_in_the_window_also_reports_to_head_office(demo_store: Any) -> None:
    from app.services.workspace import reveal_contacts

    with demo_store.read() as s:
        case_id = s.scalars(select(m.Case.id).order_by(m.Case.id).limit(1)).one()
    revealed = reveal_contacts(demo_store, case_id, "agent01", NOW)
    with demo_store.read() as s:
        audit = s.execute(text("SELECT data FROM audit_log WHERE action = 'pii.revealed'")).scalars().all()
        events = s.execute(text("SELECT payload FROM events e JOIN outbox o ON o.event_id = e.id "
                                "WHERE e.kind = 'pii_revealed' AND e.case_id = :id"), {"id": case_id}).scalars().all()
    assert len(audit) == 1 and len(events) == 1
    assert json.loads(events[0])["fields"] == ["name", "id_number", "phones", "contacts"]
    assert revealed.debtor_name not in events[0] and revealed.id_number not in events[0]
