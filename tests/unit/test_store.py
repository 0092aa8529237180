"""The local store on real SQLite files: pragmas, refusing bad files, search, lists, hostile text."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.masking import id_tail
from app.store import models as m
from app.store.engine import Store
from app.store.migrate import HEAD_REVISION, StoreError, open_store
from app.store.queries import CaseQuery, count_cases, list_cases
from app.store.search import fts_out_of_step, reindex_cases
from tests.conftest import DEMO_TODAY


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pragmas_for_field_records(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_in_memory_store_for_tests() -> None:
    s = open_store(None)
    with s.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
    s.close()


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "doorstep.sqlite3"
    bad.write_bytes(b"PK\x03\x04 this is a zip, not a store" * 100)
    before = digest(bad)
    with pytest.raises(StoreError, match="not a Doorstep database"):
        open_store(bad)
    assert digest(bad) == before


def test_refuses_a_corrupt_database_without_touching_it(tmp_path: Path, demo_dir: Path) -> None:
    path = demo_dir / "doorstep.sqlite3"
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)  # smash the schema page, keep the header
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StoreError):
        open_store(path)
    assert digest(path) == before


def test_refuses_a_database_from_a_newer_version(store_path: Path) -> None:
    open_store(store_path).close()
    with sqlite3.connect(store_path) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    before = digest(store_path)
    with pytest.raises(StoreError, match="newer version"):
        open_store(store_path)
    assert digest(store_path) == before


def test_refuses_a_foreign_sqlite_file(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE photos(id)")
    with pytest.raises(StoreError, match="not a Doorstep database"):
        open_store(other)


def test_unwritable_folder(tmp_path: Path) -> None:
    """A data folder we cannot write gets one clear message. Root ignores permission bits, so as root
    (CI) the folder is made immutable with chattr, which binds root too."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o500)
        undo = ["chmod", "700", str(folder)]
    try:
        with pytest.raises(StoreError, match="not writable"):
            open_store(folder / "doorstep.sqlite3")
        assert not (folder / "doorstep.sqlite3").exists()
    finally:
        subprocess.run(undo, check=True)


def test_unwritable_folder_as_root(tmp_path: Path) -> None:
    """Root bypasses permission bits, so make the folder impossible instead: a path under a file."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        open_store(blocker / "sub" / "doorstep.sqlite3")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "doorstep.sqlite3").mkdir()
    with pytest.raises(StoreError, match="folder"):
        open_store(tmp_path / "doorstep.sqlite3")


def search(store: Store, q: str, **kw: object) -> list[int]:
    with store.engine.connect() as conn:
        return [r.id for r in list_cases(conn, CaseQuery(search=q, today=DEMO_TODAY, **kw), limit=10_000)]  # type: ignore[arg-type]


def test_search_finds_what_collectors_type(demo_store: Store) -> None:
    with demo_store.read() as s:
        case = s.get(m.Case, 42)
        assert case is not None
        debtor = case.debtor
        name, phone, idn, case_no = debtor.name, debtor.phones[0].number, debtor.id_number, case.case_no
        address = debtor.addresses[0].text
    assert 42 in search(demo_store, name)  # full name, two or three characters
    assert 42 in search(demo_store, name[0])  # a single surname
    assert 42 in search(demo_store, name[:2])
    assert 42 in search(demo_store, phone[-4:])  # last four digits of a phone
    assert 42 in search(demo_store, phone[3:])  # the national number
    assert 42 in search(demo_store, case_no[-5:])  # part of a case number
    assert 42 in search(demo_store, case_no[:8].lower())  # its beginning, typed in lower case
    assert search(demo_store, case_no) == [42]
    assert 42 in search(demo_store, id_tail(idn))  # ID tail
    assert 42 in search(demo_store, address[3:8])  # part of an address
    assert 42 in search(demo_store, f"{name[0]} {phone[-4:]}")  # several terms: all must match
    every = search(demo_store, name[0])
    with demo_store.read() as s:
        names = [s.get(m.Case, i).debtor_name for i in every[:50]]  # type: ignore[union-attr]
    assert all(name[0] in n or name[0] in "".join(a.text for a in s.get(m.Case, i).debtor.addresses)  # type: ignore[union-attr]
               for n, i in zip(names, every[:50], strict=True))


def test_search_for_absent_text_finds_nothing(demo_store: Store) -> None:
    assert search(demo_store, "不存在的人名") == []
    assert search(demo_store, "zzzz") == []


@pytest.mark.parametrize("q", ['"', '" OR "', "NEAR(", "a*", "*", "'; DROP TABLE cases; --", "()", "^王", "王 OR 李"])
def test_search_syntax_is_never_an_error(demo_store: Store, q: str) -> None:
    search(demo_store, q)  # FTS5 query syntax in user text is quoted, never interpreted
    with demo_store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 600


def test_filters_sort_and_paging(demo_store: Store) -> None:
    with demo_store.engine.connect() as conn:
        q = CaseQuery(stages=("field_visit",), buckets=("M4+",), sort="overdue", descending=True)
        total = count_cases(conn, q)
        assert total > 20
        first = list_cases(conn, q, 0, 10)
        second = list_cases(conn, q, 10, 10)
        assert all(r.stage == "field_visit" and r.bucket == "M4+" for r in first + second)
        amounts = [r.overdue_fen for r in first + second]
        assert amounts == sorted(amounts, reverse=True)
        assert not {r.id for r in first} & {r.id for r in second}
        everything = list_cases(conn, q, 0, 10_000)
        assert len(everything) == total == len({r.id for r in everything})
        safety = list_cases(conn, CaseQuery(safety_only=True), 0, 1000)
        assert safety and all(r.safety_level > 0 for r in safety)
        due = list_cases(conn, CaseQuery(promise="due", today=DEMO_TODAY), 0, 1000)
        assert all(r.promise_due is not None and r.promise_due <= DEMO_TODAY for r in due)
        for column in ("priority", "case_no", "debtor_name", "district", "days_past_due", "bucket", "overdue",
                       "stage", "status", "promise_due", "next_action", "safety"):
            assert len(list_cases(conn, CaseQuery(sort=column, descending=False), 0, 5)) == 5
        with pytest.raises(ValueError):
            list_cases(conn, CaseQuery(sort="debtor_name; DROP TABLE cases"), 0, 5)


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>window.__pwned=1</script>",
    "=HYPERLINK(\"http://evil\",\"x\")",
    "Robert'); DROP TABLE cases;--",
    "王伟 Wang Wei 👩‍👩‍👧 ｆｕｌｌ-width",
    "${alert(1)} `backtick` \\ \x00 tail",
    "长" * 10_000,
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_round_trip_unchanged(demo_store: Store, hostile: str) -> None:
    with demo_store.write() as s:
        case = s.get(m.Case, 7)
        assert case is not None
        case.debtor.name = hostile
        case.debtor_name = hostile
        case.debtor.addresses[0].text = hostile
        s.flush()
        reindex_cases(s.connection(), [7])
    with demo_store.read() as s:
        case = s.get(m.Case, 7)
        assert case is not None and case.debtor.name == hostile and case.debtor.addresses[0].text == hostile
    with demo_store.engine.connect() as conn:
        assert fts_out_of_step(conn) == []
    probe = hostile.replace("\x00", "")[:12].split(" ")[0]
    if len(probe) >= 1 and probe.strip():
        assert 7 in search(demo_store, probe)


def test_list_rows_are_light_tuples(demo_store: Store) -> None:
    with demo_store.engine.connect() as conn:
        row = list_cases(conn, CaseQuery(), 0, 1)[0]
    assert isinstance(row, tuple) and isinstance(row.next_action_on, date | None)
