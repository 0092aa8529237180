"""`python -m app`: demo data, listing, checking, and one clear message for each kind of bad input."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_data_then_list_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "d")
    code, out, _ = run(capsys, "demo-data", "--cases", "150", "--seed", "3", "--today", "2026-11-30",
                       "--data-dir", data, "--quiet")
    assert code == 0 and "150 cases" in out
    code, out, _ = run(capsys, "--data-dir", data, "cases", "--limit", "5", "--json")
    listing = json.loads(out)
    assert code == 0 and listing["total"] == 150 and len(listing["cases"]) == 5
    priorities = [c["priority"] for c in listing["cases"]]
    assert priorities == sorted(priorities, reverse=True)
    assert all("*" in c["debtor"] for c in listing["cases"])  # masked in lists
    code, out, _ = run(capsys, "cases", "--data-dir", data, "--bucket", "M1", "--sort", "overdue", "--asc")
    assert code == 0
    code, out, _ = run(capsys, "check", "--data-dir", data)
    assert code == 0 and "store is sound" in out
    code, out, _ = run(capsys, "demo-data", "--cases", "10", "--data-dir", data, "--if-empty")
    assert code == 0 and "left as it is" in out
    code, _, err = run(capsys, "demo-data", "--cases", "10", "--data-dir", data)
    assert code == 2 and "already holds" in err


def test_data_dir_from_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOORSTEP_DATA_DIR", str(tmp_path / "env"))
    assert run(capsys, "demo-data", "--cases", "5", "--quiet")[0] == 0
    assert (tmp_path / "env" / "doorstep.sqlite3").exists()


@pytest.mark.parametrize("cases", ["-5", "0", "abc", "1e9", "99999999999", "2.5"])
def test_absurd_case_counts_are_refused(tmp_path: Path, cases: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo-data", "--cases", cases, "--data-dir", str(tmp_path)])
    assert info.value.code == 2
    assert "--cases" in capsys.readouterr().err
    assert not (tmp_path / "doorstep.sqlite3").exists()


def test_corrupt_store_gets_one_clear_message_and_is_untouched(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "doorstep.sqlite3"
    store.write_bytes(b"\x00garbage" * 512)
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    for argv in (["cases"], ["check"], ["demo-data", "--cases", "3"]):
        code, _, err = run(capsys, *argv, "--data-dir", str(tmp_path))
        assert code == 2
        assert err.startswith("doorstep: ") and len(err.strip().splitlines()) == 1
        assert "Traceback" not in err
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before


def test_newer_schema_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "demo-data", "--cases", "3", "--data-dir", str(tmp_path), "--quiet")[0] == 0
    with sqlite3.connect(tmp_path / "doorstep.sqlite3") as con:
        con.execute("UPDATE alembic_version SET version_num='0999'")
    code, _, err = run(capsys, "cases", "--data-dir", str(tmp_path))
    assert code == 2 and "newer version of Doorstep" in err


def test_search_and_filters_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path)
    run(capsys, "demo-data", "--cases", "200", "--data-dir", data, "--quiet", "--today", "2026-11-30")
    code, out, _ = run(capsys, "cases", "--data-dir", data, "--search", "王", "--json", "--limit", "500")
    found = json.loads(out)
    assert code == 0 and found["total"] > 0
    code, out, _ = run(capsys, "cases", "--data-dir", data, "--stage", "field_visit", "--safety", "--json")
    assert all(c["stage"] == "field_visit" and c["safety_level"] > 0 for c in json.loads(out)["cases"])


def test_every_command_has_help() -> None:
    top = subprocess.run([sys.executable, "-m", "app", "--help"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    every = ["demo-data", "cases", "check", "plan-route", "report", "export", "sync", "audit", "security",
             "map-prefetch"]
    commands = [c for c in every if f"    {c} " in top.stdout]
    assert commands == every
    for command in commands:
        done = subprocess.run([sys.executable, "-m", "app", command, "--help"], cwd=ROOT, capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0 and "usage:" in done.stdout


def test_demo_data_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def fingerprint(folder: Path) -> str:
        with sqlite3.connect(folder / "doorstep.sqlite3") as con:
            rows = con.execute("SELECT c.case_no, d.name, d.id_number, c.overdue_fen, c.priority, c.stage, "
                               "c.safety_level FROM cases c JOIN debtors d ON d.id=c.debtor_id ORDER BY c.id").fetchall()
            attempts = con.execute("SELECT case_id, at, outcome FROM contact_attempts ORDER BY id").fetchall()
        return hashlib.sha256(repr((rows, attempts)).encode()).hexdigest()

    for name in ("a", "b"):
        run(capsys, "demo-data", "--cases", "120", "--seed", "9", "--today", "2026-11-30",
            "--data-dir", str(tmp_path / name), "--quiet")
    run(capsys, "demo-data", "--cases", "120", "--seed", "10", "--today", "2026-11-30",
        "--data-dir", str(tmp_path / "c"), "--quiet")
    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "b") != fingerprint(tmp_path / "c")
