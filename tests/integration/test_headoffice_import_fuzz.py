"""Hostile import files for `python -m headoffice import-cases`, generated (hypothesis) and named.

The real CLI entry function runs in-process on a fresh real SQLite head-office database per example,
with standard output and error captured. Whatever the file holds: no exception escapes, no traceback
is printed, the exit status is 0 (every row imported, nothing said on standard error) or 1 (the file,
or the rows named on standard error with their line and field, refused), and the database holds
exactly the cases of the rows the report did not refuse — never a part of the file or of a row.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from headoffice.cli import main
from headoffice.db import Database
from headoffice.importer import decode
from headoffice.migrate import upgrade
from headoffice.models import User

COLUMNS = ["external_id", "debtor_name", "id_number", "overdue", "days_past_due", "phones", "home_address",
           "district", "lat", "lon", "agent", "contact_name", "stage"]
SUMMARY = re.compile(r"^imported (\d+) new and (\d+) updated cases; (\d+) unchanged; (\d+) row\(s\) skipped$")
PROBLEM = re.compile(r"^line (\d+): (.+)$")
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

HOSTILE_TEXT = st.one_of(
    st.sampled_from(["\ud800", "王\udc80伟", "a\x00b", "\x1b[31m红\x1b[0m", "x" * 100_000, "<script>alert(1)</script>",
                     "=cmd|' /C calc'!A0", "😀👨‍👩‍👧", "abc\u202egnp.exe", "第一行\n第二行", "  ", "", "王伟 Wang Wei",
                     "F0", "1e400", "-5", "nan", "99999999999999999999", "0", "30.5"]),
    st.text(st.characters(exclude_categories=()), max_size=24),
)
HOSTILE_VALUE = st.one_of(
    HOSTILE_TEXT, st.integers(-(10**40), 10**40), st.floats(), st.booleans(), st.none(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def good_row(i: int, as_json: bool) -> dict[str, Any]:
    return {"external_id": f"F{i}", "debtor_name": "王伟", "id_number": "510104199001011230",
            "overdue": 1234.5 if as_json else "1,234.50", "days_past_due": 75 if as_json else "75",
            "phones": "+8613812345678;13900001111", "home_address": "成都市锦江区春熙路1号", "district": "锦江区",
            "lat": 30.65 if as_json else "30.65", "lon": 104.08 if as_json else "104.08", "agent": "agent01",
            "contact_name": "李娜", "stage": "field_visit"}


@st.composite
def case_rows(draw: st.DrawFn, as_json: bool) -> list[Any]:
    rows: list[Any] = []
    for i in range(draw(st.integers(0, 5))):
        if as_json and draw(st.integers(0, 9)) == 0:
            rows.append(draw(HOSTILE_VALUE))  # not an object at all
            continue
        row = good_row(i, as_json)
        for _ in range(draw(st.integers(0, 2))):
            key = draw(st.sampled_from(COLUMNS))
            row[key] = draw(HOSTILE_VALUE if as_json else HOSTILE_TEXT)
        if as_json and draw(st.integers(0, 5)) == 0:
            row[draw(HOSTILE_TEXT)] = draw(HOSTILE_VALUE)  # a stray key: an ignored column
        rows.append(row)
    return rows


@st.composite
def json_files(draw: st.DrawFn) -> tuple[bytes, list[Any] | None]:
    """(the file, its rows in order when it is a case list)."""
    shape = draw(st.sampled_from(["list", "list", "object", "value", "bytes"]))
    if shape == "bytes":
        return draw(st.binary(max_size=64)), None
    if shape == "value":
        return json.dumps(draw(HOSTILE_VALUE)).encode(), None
    rows = draw(case_rows(as_json=True))
    doc: Any = rows if shape == "list" else {"cases": rows}
    return json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True).encode("utf-8", "surrogatepass"), rows


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, list[tuple[int, dict[str, Any]]] | None]:
    """(the file, its rows with the line each ends on, when the importer reads back what was written)."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.binary(max_size=64)), None
    rows = draw(case_rows(as_json=False))
    terminator = draw(st.sampled_from(["\r\n", "\n"]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    data = text.encode(encoding, "surrogatepass" if encoding != "gb18030" else "replace")
    try:
        seen = decode(data)
    except ValueError:
        seen = None
    if seen != text:
        return data, None  # bytes the importer reads as other text
    # Where each row ends, as a CSV reader sees it; None when the writer's output does not read back as
    # the rows (it leaves a lone carriage return in a cell unquoted, and a reader ends the record there).
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    try:
        records = [(reader.line_num, values) for values in reader]
    except csv.Error:
        return data, None
    if [v for _, v in records] != [[row[c] for c in COLUMNS] for row in rows]:
        return data, None
    return data, [(line, row) for (line, _), row in zip(records, rows, strict=True)]


@dataclass
class Run:
    code: int
    out: str
    err: str


class HeadOfficeFiles:
    """A template head-office database (schema at head, one agent) and a fresh copy per example."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.template = folder / "template.sqlite3"
        db = Database(f"sqlite:///{self.template}")
        upgrade(db)
        with db.write() as s:
            s.add(User(username="agent01", display_name="张建军", role="agent", team="一组", password_hash="x",
                       active=True, failed_logins=0, created_at=datetime.now(UTC)))
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        self.counter = itertools.count()

    def run(self, data: bytes, suffix: str) -> tuple[Run, Path]:
        n = next(self.counter)
        db_path = self.folder / f"ho-{n}.sqlite3"
        shutil.copyfile(self.template, db_path)
        src = self.folder / f"cases-{n}{suffix}"
        src.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["import-cases", "--db", f"sqlite:///{db_path}", str(src)])
        return Run(code, out.getvalue(), err.getvalue()), db_path


@pytest.fixture(scope="module")
def ho_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadOfficeFiles]:
    yield HeadOfficeFiles(tmp_path_factory.mktemp("import-fuzz"))


def stored_ids(db_path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT external_id FROM cases"))


def counts(db_path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("cases", "debtors", "accounts", "phones", "addresses", "contacts", "changes")}


def check_report(run: Run, db_path: Path, rows: list[tuple[int, Any]] | None) -> None:
    """The run is consistent with its report, and the database with both. `rows`: (line, row) of the
    file as the importer reads it, or None when only the report can be held to the database."""
    assert "Traceback" not in run.err
    assert run.code in (0, 1), run
    ids = stored_ids(db_path)
    if run.out == "":  # a file-level refusal: one message, nothing imported
        event("the file refused")
        assert run.code == 1
        assert run.err.count("\n") == 1 and run.err.startswith("error: ") and "nothing was imported" in run.err
        assert ids == [] and counts(db_path)["changes"] == 0
        return
    m = SUMMARY.match(run.out.strip())
    assert m is not None, run.out
    created, updated, unchanged, skipped = map(int, m.groups())
    assert (updated, unchanged) == (0, 0)  # a fresh database
    problems = [PROBLEM.match(line) for line in run.err.splitlines()]
    assert all(problems) and len(problems) == skipped, run.err
    assert run.code == (1 if skipped else 0)
    assert len(ids) == created == counts(db_path)["debtors"] == counts(db_path)["accounts"]
    assert counts(db_path)["changes"] == created
    event(f"rows imported: {created}, refused: {skipped}" + (" (held to the rows)" if rows is not None else ""))
    if rows is None:
        return
    refused = {int(p.group(1)) for p in problems if p}
    assert refused <= {line for line, _ in rows}
    assert len(refused) == skipped  # one problem per refused row
    expected = sorted(str(row["external_id"]).strip() for line, row in rows if line not in refused)
    assert ids == expected


@FUZZ
@given(file=json_files())
def test_generated_json_is_imported_or_refused_as_reported(ho_files: HeadOfficeFiles,
                                                           file: tuple[bytes, list[Any] | None]) -> None:
    data, rows = file
    run, db_path = ho_files.run(data, ".json")
    check_report(run, db_path, list(enumerate(rows, start=1)) if rows is not None else None)


@FUZZ
@given(file=csv_files())
def test_generated_csv_is_imported_or_refused_as_reported(ho_files: HeadOfficeFiles,
                                                          file: tuple[bytes, list[tuple[int, Any]] | None]) -> None:
    data, rows = file
    run, db_path = ho_files.run(data, ".csv")
    check_report(run, db_path, rows)


# --- the named cases ------------------------------------------------------------------------------------


def _json(*items: Any) -> bytes:
    return json.dumps(list(items)).encode()


def _csv(*rows: dict[str, Any]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize(("data", "suffix", "problem"), [
    (_json(good_row(0, True), {**good_row(1, True), "debtor_name": "\ud800"}), ".json",
     "line 2: debtor_name contains a lone surrogate (U+D800) at character 1"),
    (_csv(good_row(0, False), {**good_row(1, False), "home_address": "成都市\x00锦江区"}), ".csv",
     "line 3: home_address contains a NUL character at character 4"),
    (_json(good_row(0, True), {**good_row(1, True), "contact_name": "张" * 100_000}), ".json",
     "line 2: contact_name is longer than 200 characters (100,000)"),
    (_csv(good_row(0, False), {**good_row(1, False), "home_address": "路" * 100_000}), ".csv",
     "line 3: home_address is longer than 2,000 characters (100,000)"),
    (_json(good_row(0, True), {**good_row(1, True), "debtor_name": 12345}), ".json",
     "line 2: debtor_name: expected text, found a number"),
    (_json(good_row(0, True), {**good_row(1, True), "external_id": 1.5}), ".json",
     "line 2: external_id: expected text, found a number"),
    (_json(good_row(0, True), {**good_row(1, True), "days_past_due": "seventy"}), ".json",
     "line 2: days_past_due: not a whole number: 'seventy'"),
    (_json(good_row(0, True), {**good_row(1, True), "overdue": [100]}), ".json",
     "line 2: overdue: expected a number, found a list"),
    (_json(good_row(0, True), [good_row(1, True)]), ".json", "line 2: each case must be an object, found a list"),
    (_json(good_row(0, True), {**good_row(1, True), "home_address": {"text": "x"}}), ".json",
     "line 2: home_address: expected text, found an object"),
    (_csv(good_row(0, False), {**good_row(1, False), "debtor_name": "王\x1b[2J伟"}), ".csv",
     "line 3: debtor_name contains a control character (U+001B) at character 2"),
])
def test_one_bad_row_is_reported_and_the_good_row_imported(ho_files: HeadOfficeFiles, data: bytes, suffix: str,
                                                           problem: str) -> None:
    run, db_path = ho_files.run(data, suffix)
    assert run.code == 1
    assert run.err == problem + "\n"
    assert run.out == "imported 1 new and 0 updated cases; 0 unchanged; 1 row(s) skipped\n"
    assert stored_ids(db_path) == ["F0"]


def test_whole_numbers_are_accepted_for_identifiers_and_hostile_looking_text_is_kept(
        ho_files: HeadOfficeFiles) -> None:
    row = {**good_row(0, True), "external_id": 880012, "phones": 13800000000, "debtor_name": "<b>王</b>😀 Wang",
           "home_address": "成都市锦江区\n春熙路1号"}
    run, db_path = ho_files.run(_json(row), ".json")
    assert (run.code, run.err) == (0, "")
    assert stored_ids(db_path) == ["880012"]
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT name FROM debtors").fetchone()[0] == "<b>王</b>😀 Wang"
        assert conn.execute("SELECT number FROM phones").fetchone()[0] == "13800000000"


@pytest.mark.parametrize(("data", "suffix", "message"), [
    (b"\xff\xfe\x00\x81\x00\xff" * 20, ".csv", "neither UTF-8 nor GBK"),
    (b"{not json", ".json", "not valid JSON (line 1)"),
    (b"[" * 100_000 + b"]" * 100_000, ".json", "nested too deeply"),
    (b'[{"external_id": "A", "overdue": ' + b"9" * 5000 + b"}]", ".json", "not valid JSON"),
    (json.dumps({"cases": {"external_id": "A"}}).encode(), ".json", 'a list of cases or an object with a "cases"'),
    (json.dumps([[1, 2], "x"]).encode(), ".json", "holds no case objects"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), ".csv", "error: "),
    (",".join(COLUMNS).encode() + b"\n", ".csv", "holds no case rows"),
    (b"", ".csv", "empty"),
])
def test_a_file_that_is_not_a_case_file_is_one_message_and_exit_1(ho_files: HeadOfficeFiles, data: bytes,
                                                                   suffix: str, message: str) -> None:
    run, db_path = ho_files.run(data, suffix)
    assert run.code == 1 and run.out == ""
    assert run.err.startswith("error: ") and message in run.err and run.err.count("\n") == 1
    assert "nothing was imported" in run.err
    assert stored_ids(db_path) == []
