"""The ladder report on a real database (SQLite and PostgreSQL): every figure of a small written
history (tests/integration/ladder_report_history.py) against the hand count, the command writing
the PDF and the workbook in both languages, and hostile level codes inert in both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from headoffice.db import Database
from headoffice.ladder.report_data import LadderReport, ReportRequest, build_report
from headoffice.ladder.report_figures import LevelFigures
from headoffice.migrate import upgrade
from tests.integration.conftest import PostgresCluster
from tests.integration.ladder_report_history import (
    COSTS,
    END,
    START,
    TEAM,
    Writer,
    build_history,
    policy_json,
    utc,
)
from tests.pdffonts import unembedded_fonts

ROOT = Path(__file__).resolve().parents[2]


def _new_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Database:
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'ho.sqlite3'}")
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        db = Database(cluster.url(cluster.new_database()))
    upgrade(db)
    return db


@pytest.fixture
def history(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Database, dict[str, int]]]:
    db = _new_db(backend, tmp_path, request)
    try:
        yield db, build_history(db)
    finally:
        db.dispose()


def _report(db: Database, team: str | None = TEAM, as_of: date | None = None) -> LadderReport:
    with db.read() as s:
        return build_report(s, ReportRequest(START, END, team=team, as_of=as_of))


def _row(lv: LevelFigures) -> tuple[object, ...]:
    return (lv.entered, lv.cured, lv.cured_paid, lv.cured_promise, lv.rolled, lv.moved_down, lv.still_there,
            lv.window_open, lv.recovered_fen, lv.sms, lv.letters, lv.visits, lv.cost_fen, lv.cost_per_yuan)


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "headoffice", "ladder-report", "--db", db_url, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)


def test_every_figure_matches_the_hand_count(history: tuple[Database, dict[str, int]]) -> None:
    db, _ids = history
    r = _report(db)
    assert [lv.level.code for lv in r.levels] == ["sms_1", "sms_2", "letter", "visit", "legal", "archive_x",
                                                 "old_call"]
    assert [lv.level.in_policy for lv in r.levels] == [True] * 5 + [False] * 2
    assert r.policy.scope == TEAM and r.policy.version == 2 and r.policy.cure_days == 30
    assert dict(r.policy.costs_fen) == COSTS
    figures = {lv.level.code: _row(lv) for lv in r.levels}
    # entered cured paid promise rolled down still open recovered sms letters visits cost ratio
    assert figures["sms_1"] == (5, 2, 1, 1, 2, 0, 3, 2, 130_000, 4, 0, 0, 20, Decimal("0.0002"))
    assert figures["sms_2"] == (3, 1, 0, 1, 0, 0, 3, 3, 30_000, 1, 0, 0, 5, Decimal("0.0002"))
    assert figures["letter"] == (2, 1, 1, 0, 1, 0, 1, 2, 60_000, 0, 2, 0, 3000, Decimal("0.0500"))
    # A level that recovered nothing: a cost, and no ratio (no division by zero).
    assert figures["visit"] == (1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 8000, None)
    assert figures["legal"] == (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None)
    assert figures["archive_x"] == (1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, None)
    assert figures["old_call"] == (1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, None)
    # The total counts each payment once (C2's ¥200 and C3's ¥100 are in two levels' windows).
    assert _row(r.total) == (13, 4, 2, 2, 3, 1, 9, 10, 190_000, 5, 2, 1, 11_025, Decimal("0.0580"))
    assert sum(lv.recovered_fen for lv in r.levels) == 220_000
    assert r.cases == 9  # C6 is another team's; C11 entered on 1 April local time
    assert [(u.scope, u.version, u.entries) for u in r.policy_uses] == [("", None, 1), (TEAM, 1, 2), (TEAM, 2, 10)]


def test_judged_later_the_open_windows_close(history: tuple[Database, dict[str, int]]) -> None:
    db, _ids = history
    r = _report(db, as_of=date(2026, 4, 30))
    figures = {lv.level.code: _row(lv) for lv in r.levels}
    # C9 paid its ¥450 on 10 April (within 30 days of 20 March) and rolled to the letter on 15 April.
    assert figures["sms_2"] == (3, 2, 1, 1, 1, 0, 2, 0, 75_000, 1, 0, 0, 5, Decimal("0.0001"))
    assert figures["sms_1"] == (5, 2, 1, 1, 2, 0, 3, 0, 130_000, 4, 0, 0, 20, Decimal("0.0002"))
    assert r.total.window_open == 0 and r.total.recovered_fen == 235_000
    assert r.total.entered == 13  # the period's entries; 15 April's move is not one of them


def test_all_teams_use_the_company_policy_without_costs(history: tuple[Database, dict[str, int]]) -> None:
    db, _ids = history
    r = _report(db, team=None)
    assert r.policy.scope == "" and r.policy.cure_days == 30 and not r.costs_set
    sms_1 = r.levels[0]
    assert sms_1.level.code == "sms_1"
    assert (sms_1.entered, sms_1.cured, sms_1.cured_paid, sms_1.recovered_fen) == (6, 3, 2, 135_000)
    assert all(lv.cost_fen is None and lv.cost_per_yuan is None for lv in r.levels)
    assert r.total.cost_fen is None and r.total.recovered_fen == 195_000 and r.cases == 10


def _fonts_have_their_programs(pdf: Path) -> list[str]:
    """Each font of each page, with whether its descriptor holds /FontFile2 (an embedded TrueType)."""
    def get(obj: Any) -> Any:
        return obj.get_object() if isinstance(obj, IndirectObject) else obj

    found = []
    for page in PdfReader(pdf).pages:
        fonts = get(get(page["/Resources"]).get("/Font")) or {}
        for ref in fonts.values():
            font = get(ref)
            if str(font.get("/Subtype")) == "/Type0":
                descendants = get(font["/DescendantFonts"])
                assert isinstance(descendants, ArrayObject)
                font = get(descendants[0])
            descriptor = get(font.get("/FontDescriptor"))
            found.append(f"{font.get('/BaseFont')}:{isinstance(descriptor, DictionaryObject) and '/FontFile2' in descriptor}")
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_command_writes_the_pdf_and_the_workbook(history: tuple[Database, dict[str, int]], tmp_path: Path,
                                                      lang: str) -> None:
    db, _ids = history
    out = tmp_path / "out"
    result = _cli(db.url, "--from", "2026-03-01", "--to", "2026-03-31", "--team", TEAM, "--lang", lang,
                  "--out", str(out), "--now", "2026-04-01T09:00:00+08:00")
    assert result.returncode == 0, result.stderr
    assert "sms_1: entered 5, cured 2 (40.0%), rolled 2" in result.stdout
    pdf, xlsx = out / "ladder-report.pdf", out / "ladder-report.xlsx"
    assert unembedded_fonts(pdf) == []
    fonts = _fonts_have_their_programs(pdf)
    assert fonts and all(f.endswith(":True") for f in fonts), fonts
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    if lang == "zh":
        assert "阶梯催收成效报告" in text and "仍在本级" in text and "现行策略中已无此级别" in text
    else:
        assert "Ladder report" in text and "Cost per yuan recovered" in text
    assert "1,900.00" in text and "110.25" in text and "0.0580" in text and "律师函" in text

    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    col = {k: header.index(v) + 1 for k, v in (
        ("entered", "进入" if lang == "zh" else "Entered"), ("recovered", "回款（元）" if lang == "zh" else
                                                              "Recovered (yuan)"),
        ("ratio", "每回收 1 元的成本" if lang == "zh" else "Cost per yuan recovered"))}
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    sms_1 = rows["sms_1"]
    assert ws.cell(row=sms_1, column=col["entered"]).value == 5
    recovered = ws.cell(row=sms_1, column=col["recovered"])
    assert recovered.data_type == "n" and recovered.value == 1300 and recovered.number_format == "#,##0.00"
    assert ws.cell(row=rows["letter · 律师函"], column=col["ratio"]).value == pytest.approx(0.05)
    assert ws.cell(row=rows["visit"], column=col["ratio"]).value is None  # nothing recovered: an empty cell
    total = rows["合计" if lang == "zh" else "Total"]
    assert ws.cell(row=total, column=col["recovered"]).value == 1900
    assert len(ws._charts) == 1
    with zipfile.ZipFile(xlsx) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


HOSTILE = ["<b>x</b>&amp;<font name=Hel>", '=HYPERLINK("http://e.x","y")', "+1+1", "@SUM(A1)", "-2",
           "😀🚀 等级 level"]
LONG = "长" * 10_000


def test_hostile_level_codes_are_inert(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    db = _new_db(backend, tmp_path, request)
    try:
        with db.write() as s:
            w = Writer(s)
            data = json.loads(policy_json([*HOSTILE, LONG], COSTS))
            data["levels"][0]["name"] = "<script>alert(1)</script>"
            pid = w.policy(TEAM, 1, json.dumps(data, ensure_ascii=False))
            for i, code in enumerate(HOSTILE):
                case = w.case(f"H{i}", 10_000)
                w.move(case, code, date(2026, 3, 2), policy_id=pid)
                w.pay(case, 10_000, utc(2026, 3, 5, 3))
        url = db.url
    finally:
        db.dispose()
    out = tmp_path / "out"
    for lang in ("zh", "en"):
        result = _cli(url, "--from", "2026-03-01", "--to", "2026-03-31", "--team", TEAM, "--lang", lang,
                      "--out", str(out / lang))
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout
        pdf = out / lang / "ladder-report.pdf"
        assert unembedded_fonts(pdf) == []
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "<b>x</b>&amp;<font" in text  # printed literally, never taken for markup
        assert "<script>alert(1)</script>" in text
        assert '=HYPERLINK("http://e.x","y")' in text
        assert "长" * 40 in text and "长" * 2000 not in text  # the 10,000 characters are cut on the page

        ws = load_workbook(out / lang / "ladder-report.xlsx").worksheets[0]
        texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert texts and all(c.data_type == "s" for c in texts)
        assert not [c.value for c in texts if c.value[:1] in "=+-@"]
        codes = [ws.cell(row=r, column=1).value for r in range(2, 2 + len(HOSTILE) + 1)]
        assert codes[0] == "<b>x</b>&amp;<font name=Hel> · <script>alert(1)</script>"
        assert codes[1:5] == ["'" + c for c in HOSTILE[1:5]]
        assert codes[5] == HOSTILE[5] and codes[6] == LONG  # kept whole in the workbook
        entered = [c.value for c in ws[1]].index("进入" if lang == "zh" else "Entered") + 1
        assert [ws.cell(row=r, column=entered).value for r in range(2, 2 + len(HOSTILE) + 1)] == [1] * 6 + [0]


def test_bad_requests_get_a_clear_error_and_write_nothing(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'ho.sqlite3'}")
    try:
        upgrade(db)
        with db.write() as s:
            Writer(s).policy(TEAM, 1, json.dumps({"levels": [{"code": "a"}], "cure_days": 0}))
    finally:
        db.dispose()
    url = db.url
    out = tmp_path / "out"
    cases = [
        (["--from", "2026-03-31", "--to", "2026-03-01"], "ends (2026-03-01) before it starts"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--as-of", "2026-03-30"], "must not be before"),
        (["--from", "2026-03-01", "--to", "2026-02-30"], "not a date"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--team", TEAM], "cure_days must be a whole number"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--lang", "fr"], "invalid choice"),
    ]
    for args, message in cases:
        result = _cli(url, *args, "--out", str(out))
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
    assert not out.exists()
    (tmp_path / "a-file").write_text("x")
    result = _cli(url, "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(tmp_path / "a-file"))
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    result = _cli(f"sqlite:///{tmp_path / 'empty.sqlite3'}", "--from", "2026-03-01", "--to", "2026-03-31",
                  "--out", str(out))
    assert result.returncode == 2 and "init-db" in result.stderr
    assert not out.exists()
