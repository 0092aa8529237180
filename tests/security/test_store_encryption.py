"""Encryption at rest of the store: key derivation, wrong secret, re-key, plain → encrypted migration."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.kdf import MIN_MEMORY_KIB, KdfError, KdfParams, derive_master, subkey, verifier
from app.store.crypto import EncryptedConnector, WrongSecret, encrypt_plain_store, is_plain_sqlite
from app.store.keyfile import KeyFileError, keyinfo_path, pending_path
from app.store.migrate import HEAD_REVISION, StoreError, open_store
from app.store.queries import CaseQuery, count_cases, list_cases
from app.store.vault import change_secret, create_keys, encrypt_existing, open_encrypted, unlock

from .conftest import SECRET, found_in, needles, read_pii


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_counts(store: object) -> dict[str, int]:
    with store.read() as s:  # type: ignore[attr-defined]
        names = [r[0] for r in s.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))]
        return {n: s.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


def test_kdf_refuses_weak_parameters_and_separates_keys() -> None:
    with pytest.raises(KdfError):
        KdfParams(1, MIN_MEMORY_KIB - 1, 1).check()
    with pytest.raises(KdfError):
        derive_master(b"", b"s" * 16, KdfParams())
    master = derive_master(b"secret", b"s" * 16, KdfParams())
    other = derive_master(b"secret", b"t" * 16, KdfParams())
    assert master != other  # the salt matters
    assert subkey(master, b"a") != subkey(master, b"b")
    assert verifier(master) not in (bytes(subkey(master, b"doorstep/v1/store-key")).hex(),)


def test_new_store_is_encrypted_and_reopens_with_the_secret(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    keys = create_keys(f, SECRET)
    store, _ = open_encrypted(f, keys)
    with store.write() as s:
        s.execute(text("INSERT INTO sync_state(key, value) VALUES ('probe', '王小明 13812345678')"))
    store.close()
    assert not is_plain_sqlite(f)
    assert b"13812345678" not in f.read_bytes()
    info = keyinfo_path(f).read_text()
    assert keys.store_key.hex() not in info and SECRET not in info
    store, _ = open_encrypted(f, unlock(f, SECRET))
    with store.read() as s:
        assert s.execute(text("SELECT value FROM sync_state WHERE key='probe'")).scalar_one() == "王小明 13812345678"
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD_REVISION
    store.close()


def test_wrong_secret_says_so_and_changes_nothing(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    store, _ = open_encrypted(f, create_keys(f, SECRET))
    store.close()
    before = {p.name: digest(p) for p in tmp_path.iterdir()}
    with pytest.raises(WrongSecret, match="wrong secret or not an encrypted Doorstep store"):
        unlock(f, SECRET + "x")
    # Even a wrong key handed straight to the store layer is refused before anything is written.
    with pytest.raises(WrongSecret):
        open_store(f, connector=EncryptedConnector(b"\x07" * 32))
    assert {p.name: digest(p) for p in tmp_path.iterdir()} == before


def test_plain_store_with_an_encrypted_connector_is_refused(store_path: Path) -> None:
    open_store(store_path).close()
    with pytest.raises(WrongSecret):
        open_store(store_path, connector=EncryptedConnector(b"\x01" * 32))
    assert is_plain_sqlite(store_path)


def test_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    create_keys(f, SECRET).wipe()
    keyinfo_path(f).write_text('{"format": "doorstep-keyinfo", "version": 1, "kdf": {"name": "argon2id"}}')
    with pytest.raises(KeyFileError, match="damaged"):
        unlock(f, SECRET)
    keyinfo_path(f).write_text('{"format": "doorstep-keyinfo", "version": 1, "kdf": {"name": "argon2id", '
                               '"time_cost": 1, "memory_kib": 1024, "parallelism": 1}, "salt": "00", '
                               '"verifier": "00", "evidence_key": {"nonce": "", "wrapped": ""}}')
    with pytest.raises(KeyFileError):  # parameters below the floor are not accepted from a file either
        unlock(f, SECRET)


def test_changing_the_secret_rekeys(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    keys = create_keys(f, SECRET)
    evidence_key = bytes(keys.evidence_key)
    store, connector = open_encrypted(f, keys)
    with store.write() as s:
        s.execute(text("INSERT INTO sync_state(key, value) VALUES ('k', 'v')"))
    old_store_key = bytes(keys.store_key)
    new = change_secret(f, store, connector, keys, SECRET, "新的 secret")
    assert keys.wiped
    with store.read() as s:  # the open store keeps working under the new key
        assert s.execute(text("SELECT value FROM sync_state WHERE key='k'")).scalar_one() == "v"
    store.close()
    assert bytes(new.store_key) != old_store_key
    assert bytes(new.evidence_key) == evidence_key  # re-wrapped, not replaced: evidence files stay readable
    with pytest.raises(WrongSecret):
        unlock(f, SECRET)
    with pytest.raises(WrongSecret):
        open_store(f, connector=EncryptedConnector(old_store_key))
    store, _ = open_encrypted(f, unlock(f, "新的 secret"))
    store.close()
    assert not pending_path(f).exists()


def test_change_secret_needs_the_current_one(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    keys = create_keys(f, SECRET)
    store, connector = open_encrypted(f, keys)
    try:
        with pytest.raises(WrongSecret):
            change_secret(f, store, connector, keys, "guess", "new")
    finally:
        store.close()
    open_encrypted(f, unlock(f, SECRET))[0].close()


def test_crash_between_rekey_and_key_file_rename_still_opens(tmp_path: Path) -> None:
    """The pending key file is written before the re-key; if the rename never happens the store still opens."""
    f = tmp_path / "doorstep.sqlite3"
    keys = create_keys(f, SECRET)
    old_info = keyinfo_path(f).read_text()
    store, connector = open_encrypted(f, keys)
    change_secret(f, store, connector, keys, SECRET, "after")
    store.close()
    # The state a crash right after PRAGMA rekey leaves: new key info pending, the old one still in place.
    keyinfo_path(f).replace(pending_path(f))
    keyinfo_path(f).write_text(old_info)
    with pytest.raises(WrongSecret):  # the old secret's key file is there, but the store is re-keyed
        open_encrypted(f, unlock(f, SECRET))
    store, _ = open_encrypted(f, unlock(f, "after"))
    store.close()
    assert not pending_path(f).exists()
    open_encrypted(f, unlock(f, "after"))[0].close()


def test_plain_demo_store_encrypts_keeping_every_row(demo_store: object, demo_file: Path) -> None:
    counts = table_counts(demo_store)
    with demo_store.engine.connect() as c:  # type: ignore[attr-defined]
        first_page = [r.case_no for r in list_cases(c, CaseQuery(), limit=50)]
        found = count_cases(c, CaseQuery(search="成都"))
    patterns = needles(read_pii(demo_store))
    demo_store.close()  # type: ignore[attr-defined]
    # A migration copy (as open_store leaves before an upgrade) and a stale WAL hold data in the clear too.
    before = demo_file.with_name(demo_file.name + ".before-0001")
    shutil.copy2(demo_file, before)
    assert found_in(demo_file.read_bytes(), patterns)

    keys = encrypt_existing(demo_file, SECRET)
    assert not before.exists() and not demo_file.with_name(demo_file.name + ".plain-old").exists()
    assert sorted(p.name for p in demo_file.parent.iterdir()) == sorted([demo_file.name, keyinfo_path(demo_file).name])
    assert not found_in(demo_file.read_bytes(), patterns)

    store, _ = open_encrypted(demo_file, keys)
    try:
        assert table_counts(store) == counts
        with store.engine.connect() as c:
            assert [r.case_no for r in list_cases(c, CaseQuery(), limit=50)] == first_page
            assert count_cases(c, CaseQuery(search="成都")) == found > 0
        with store.read() as s:
            assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    finally:
        store.close()


def test_encrypting_twice_or_a_non_store_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "doorstep.sqlite3"
    f.write_bytes(b"not a database at all")
    with pytest.raises(StoreError):
        encrypt_existing(f, SECRET)
    assert f.read_bytes() == b"not a database at all" and not keyinfo_path(f).exists()
    g = tmp_path / "other.sqlite3"
    open_encrypted(g, create_keys(g, SECRET))[0].close()
    with pytest.raises(StoreError):
        encrypt_plain_store(g, b"\x02" * 32)


def test_new_stores_use_hmac_sha256_on_2k_pages_and_their_key_file_says_so(tmp_path: Path) -> None:
    import json

    from app.store import ciphers
    from app.store.crypto import open_cipher_connection

    f = tmp_path / "doorstep.sqlite3"
    keys = create_keys(f, SECRET)
    open_encrypted(f, keys)[0].close()
    assert json.loads(keyinfo_path(f).read_text())["cipher"] == ciphers.DEFAULT == keys.cipher
    conn = open_cipher_connection(str(f), keys.store_key, ciphers.DEFAULT)
    try:
        assert int(conn.execute("PRAGMA page_size").fetchone()[0]) == 2048
        assert conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == "HMAC_SHA256"
    finally:
        conn.close()
    for other in (ciphers.LEGACY, ciphers.SHA256_4K):  # the settings are part of the format
        with pytest.raises(WrongSecret):
            open_cipher_connection(str(f), keys.store_key, other)


@pytest.mark.parametrize("cipher, named", [("sqlcipher4-raw-key", False), ("sqlcipher4-raw-key", True),
                                           ("sqlcipher4-raw-key-sha256", True)])
def test_a_store_encrypted_with_earlier_settings_keeps_them(tmp_path: Path, cipher: str, named: bool) -> None:
    """Stores encrypted before today's settings have a key file without a cipher (SHA-512 meant), or naming
    the SHA-512 or the SHA-256 4 KiB settings: they open with them, keep them through a secret change, and
    keep every row."""
    import json

    from app.store import ciphers
    from app.store.crypto import open_cipher_connection

    f = tmp_path / "doorstep.sqlite3"
    plain = open_store(f)
    with plain.write() as s:
        s.execute(text("INSERT INTO sync_state(key, value) VALUES ('probe', '李娜 <b>x</b>')"))
    plain.close()
    keys = create_keys(f, SECRET)
    encrypt_plain_store(f, keys.store_key, cipher)
    data = json.loads(keyinfo_path(f).read_text())
    if named:
        data["cipher"] = cipher
    else:
        del data["cipher"]  # as the first key files were written: no cipher named, SHA-512 meant
    keyinfo_path(f).write_text(json.dumps(data))
    with pytest.raises(WrongSecret):
        open_cipher_connection(str(f), keys.store_key, ciphers.DEFAULT)

    old = unlock(f, SECRET)
    assert old.cipher == cipher
    store, connector = open_encrypted(f, old)
    new = change_secret(f, store, connector, old, SECRET, SECRET + "-2")
    store.close()
    assert new.cipher == cipher
    assert json.loads(keyinfo_path(f).read_text())["cipher"] == cipher
    store, _ = open_encrypted(f, unlock(f, SECRET + "-2"))
    with store.read() as s:
        assert s.execute(text("SELECT value FROM sync_state WHERE key='probe'")).scalar_one() == "李娜 <b>x</b>"
    store.close()


def test_a_key_file_naming_an_unknown_cipher_is_a_clear_error(tmp_path: Path) -> None:
    import json

    f = tmp_path / "doorstep.sqlite3"
    create_keys(f, SECRET).wipe()
    data = json.loads(keyinfo_path(f).read_text())
    data["cipher"] = "rot13"
    keyinfo_path(f).write_text(json.dumps(data))
    with pytest.raises(KeyFileError, match="cipher"):
        unlock(f, SECRET)


def test_the_encrypted_store_walks_the_list_index_for_broad_filters(demo_store: object, demo_file: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLCipher brings a newer SQLite than Python's, whose planner took a district's own index and sorted its
    thousands of matches (3x slower at 100,000 cases). The broad filter probe writes the filters so that both
    walk the list index; the rows are the same either way. (600 demo cases: the probe's bound is lowered.)"""
    from app.store import queries

    monkeypatch.setattr(queries, "BROAD_MATCHES", 20)
    asked = [CaseQuery(districts=("锦江区",), safety_only=True), CaseQuery(stages=("field_visit",)),
             CaseQuery(districts=("锦江区", "武侯区"), statuses=("open",))]
    with demo_store.engine.connect() as c:  # type: ignore[attr-defined]
        plain_pages = [[r.id for r in list_cases(c, q, limit=50)] for q in asked]
    demo_store.close()  # type: ignore[attr-defined]
    store, _ = open_encrypted(demo_file, encrypt_existing(demo_file, SECRET))
    try:
        with store.engine.connect() as c:
            raw = c.connection.driver_connection
            for q, expected in zip(asked, plain_pages, strict=True):
                assert queries.broad_filters(c, q)
                where, params = q.where(walk_sort=True)
                sql = "SELECT cases.id FROM cases" + where + q.order_by() + " LIMIT 50"
                steps = [r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + sql, params)]  # type: ignore[union-attr]
                assert steps == ["SCAN cases USING COVERING INDEX ix_cases_list"], (q, steps)
                assert [r.id for r in list_cases(c, q, limit=50)] == expected and expected
    finally:
        store.close()


def test_the_encrypted_copy_fills_its_indexes_as_use_does_not_packed(demo_file: Path, tmp_path: Path) -> None:
    """`export_into` (what encrypting a store writes) against `sqlcipher_export` alone, on plain copies so
    SQLite's page statistics can see them: same rows and the same search, but the case list's index is
    not packed full, so the first saves do not split a leaf each."""
    import sqlite3

    from sqlcipher3 import dbapi2 as sqlcipher

    from app.store.crypto import export_into

    def copy(target: Path, loosen: bool) -> Path:
        conn = sqlcipher.connect(str(demo_file), isolation_level=None)
        try:
            conn.execute("ATTACH DATABASE ? AS copy KEY ''", (str(target),))
            if loosen:
                export_into(conn, "copy")
            else:
                conn.execute("SELECT sqlcipher_export('copy')")
            conn.execute("DETACH DATABASE copy")
        finally:
            conn.close()
        return target

    def fill(path: Path, index: str) -> float:
        """The median leaf's fill (the last leaf of a packed index is part full)."""
        import statistics

        with sqlite3.connect(path) as conn:
            leaves = [(size - unused) / size for size, unused in conn.execute(
                "SELECT pgsize, unused FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (index,))]
        assert len(leaves) >= 5
        return statistics.median(leaves)

    packed, loose = copy(tmp_path / "packed.sqlite3", False), copy(tmp_path / "loose.sqlite3", True)
    assert fill(packed, "ix_cases_list") > 0.97
    assert fill(loose, "ix_cases_list") < fill(packed, "ix_cases_list") - 0.03
    source, copied = open_store(demo_file), open_store(loose)
    try:
        assert table_counts(copied) == table_counts(source)
        with source.engine.connect() as a, copied.engine.connect() as b:
            for q in (CaseQuery(), CaseQuery(search="李"), CaseQuery(search="138")):
                assert [r.id for r in list_cases(b, q, 0, 50)] == [r.id for r in list_cases(a, q, 0, 50)]
            assert b.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert b.exec_driver_sql("PRAGMA user_version").scalar_one() == \
                a.exec_driver_sql("PRAGMA user_version").scalar_one()
    finally:
        source.close()
        copied.close()
