"""Reports from a real demo store: the data each report loads, exports, and the CLI end to end."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

from app.cli import main
from app.domain.masking import mask_name
from app.reports.exports import CASE_COLUMNS, Column, write_csv, write_xlsx
from app.reports.locale import ReportLocale
from app.reports.text import neutralise_cell
from app.services import reporting as r
from app.store.queries import CaseQuery
from app.store.types import to_db_time
from tests.conftest import DEMO_CASES, DEMO_TODAY

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=y", '=HYPERLINK("http://e.x","点我")']


@pytest.fixture(scope="module")
def settings() -> r.ReportSettings:
    return r.ReportSettings.default("zh")


def pdf_text(path: Path) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_daily_without_plan_orders_due_cases_by_priority(demo_store: object) -> None:
    sheets = r.daily_sheets(demo_store, DEMO_TODAY, "agent01", r.builtin_profile("CN"), now=NOW)  # type: ignore[arg-type]
    [s] = sheets
    assert s.order == "priority" and s.agent_username == "agent01"
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        expected = [row[0] for row in conn.execute(text(
            "SELECT case_no FROM cases WHERE agent_id = 1 AND stage = 'field_visit' AND status IN ('open', 'promised') "
            "AND (next_action_on = :d OR promise_due = :d) ORDER BY priority DESC, id"), {"d": DEMO_TODAY.isoformat()})]
    assert expected and [x.case_no for x in s.stops] == expected
    assert [x.seq for x in s.stops] == list(range(1, len(expected) + 1))
    assert s.rules.window_start == "08:00" and s.rules.min_collectors == 2
    assert s.start is not None


def _save_plan(store: object, agent_id: int, data: str) -> None:
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("INSERT INTO day_plans(agent_id, day, data, updated_at) VALUES (:a, :d, :j, :u)"),
                     {"a": agent_id, "d": DEMO_TODAY.isoformat(), "j": data, "u": to_db_time(NOW)})


def test_daily_follows_the_saved_plan(demo_store: object, settings: r.ReportSettings, tmp_path: Path) -> None:
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        ids = [row[0] for row in conn.execute(text("SELECT id FROM cases WHERE agent_id = 2 ORDER BY priority LIMIT 3"))]
        nos = {row[0]: row[1] for row in conn.execute(text("SELECT id, case_no FROM cases"))}
    plan = {"start": [30.6, 104.0], "stops": [{"seq": i, "id": str(c), "start_s": 9 * 3600 + i * 1800}
                                               for i, c in enumerate(reversed(ids), start=1)]}
    _save_plan(demo_store, 2, json.dumps(plan))
    [s] = r.daily_sheets(demo_store, DEMO_TODAY, "agent02", settings.profile, now=NOW)  # type: ignore[arg-type]
    assert s.order == "plan"
    assert [x.case_no for x in s.stops] == [nos[c] for c in reversed(ids)]
    assert s.start == (30.6, 104.0)
    assert s.stops[0].planned_at == datetime(2026, 11, 30, 1, 30, tzinfo=UTC)  # 09:30 in Chengdu
    out = tmp_path / "plan.pdf"
    built = r.build_daily_sheet(demo_store, DEMO_TODAY, out, settings, agent="agent02", now=NOW)  # type: ignore[arg-type]
    assert built.items == 3 and "已保存的当日路线" in pdf_text(out) and "09:30" in pdf_text(out)


def test_unreadable_plan_falls_back_and_says_so(demo_store: object) -> None:
    _save_plan(demo_store, 3, "{not json")
    [s] = r.daily_sheets(demo_store, DEMO_TODAY, "agent03", r.builtin_profile("CN"), now=NOW)  # type: ignore[arg-type]
    assert s.order == "plan_bad" and s.stops


def test_daily_sheet_carries_active_safety_notes(demo_store: object) -> None:
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        case_id, agent, text_ = conn.execute(text(
            "SELECT c.id, a.username, n.text FROM safety_notes n JOIN cases c ON c.id = n.case_id "
            "JOIN agents a ON a.id = c.agent_id LIMIT 1")).one()
    _save_plan(demo_store, int(agent[-2:]), json.dumps({"stops": [{"case_id": case_id}]}))
    [s] = r.daily_sheets(demo_store, DEMO_TODAY, agent, r.builtin_profile("CN"), now=NOW)  # type: ignore[arg-type]
    assert [n.text for n in s.stops[0].safety] == [text_]


def test_case_report_from_the_store(demo_store: object, settings: r.ReportSettings, tmp_path: Path) -> None:
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        case_no, name, n_attempts = conn.execute(text(
            "SELECT c.case_no, c.debtor_name, count(a.id) FROM cases c JOIN contact_attempts a ON a.case_id = c.id "
            "GROUP BY c.id HAVING count(a.id) >= 3 LIMIT 1")).one()
    report = r.case_report(demo_store, case_no, settings.locale, NOW)  # type: ignore[arg-type]
    assert report.debtor_name == name and "*" in report.id_number_masked
    assert sum(1 for i in report.timeline if i.kind == "outcome") == n_attempts
    assert [i.at for i in report.timeline] == sorted(i.at for i in report.timeline)
    out = tmp_path / "case.pdf"
    r.build_case_report(demo_store, case_no, out, settings, NOW)  # type: ignore[arg-type]
    assert case_no in pdf_text(out) and name in pdf_text(out)
    with pytest.raises(r.ReportError):
        r.case_report(demo_store, "CD-NOPE", settings.locale)  # type: ignore[arg-type]


def test_receipt_from_the_store(demo_store: object, settings: r.ReportSettings, tmp_path: Path) -> None:
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        pid, receipt_no, fen = conn.execute(text("SELECT id, receipt_no, amount_fen FROM payments LIMIT 1")).one()
    by_id = r.receipt(demo_store, pid)  # type: ignore[arg-type]
    assert by_id == r.receipt(demo_store, receipt_no)  # type: ignore[arg-type]
    assert by_id.amount.fen == fen
    out = tmp_path / "receipt.pdf"
    r.build_receipt(demo_store, pid, out, settings)  # type: ignore[arg-type]
    assert receipt_no in pdf_text(out)


def test_team_figures_add_up(demo_store: object) -> None:
    report = r.team_report(demo_store, date(2026, 10, 1), DEMO_TODAY)  # type: ignore[arg-type]
    assert len(report.agents) == 6 and report.team == "成都外访一组"
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        open_cases = conn.execute(text("SELECT count(*) FROM cases WHERE status NOT IN ('closed','returned')")).scalar()
        visits = conn.execute(text("SELECT count(*) FROM contact_attempts WHERE channel = 'visit'")).scalar()
        paid = conn.execute(text("SELECT sum(amount_fen) FROM payments WHERE paid_at >= '2026-09-30T16'")).scalar()
        rpc = conn.execute(text("SELECT sum(right_party) FROM contact_attempts")).scalar()
    total = report.total
    assert total.cases_held == open_cases
    assert total.visits == visits  # the demo history lies within the last 45 days
    assert total.right_party_contacts == rpc
    assert total.collected.fen == paid
    assert total.promises_kept + total.promises_broken <= total.promises_made + 1_000
    empty = r.team_report(demo_store, date(2020, 1, 1), date(2020, 1, 31))  # type: ignore[arg-type]
    assert empty.total.visits == 0 and empty.total.collected.fen == 0
    with pytest.raises(r.ReportError):
        r.team_report(demo_store, date(2026, 2, 1), date(2026, 1, 1))  # type: ignore[arg-type]


def test_csv_export_is_masked_with_bom(demo_store: object, tmp_path: Path) -> None:
    out = tmp_path / "cases.csv"
    built = r.export_cases(demo_store, CaseQuery(), "csv", out, ReportLocale("zh"))  # type: ignore[arg-type]
    assert built.rows == DEMO_CASES
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["案件编号", "债务人", "证件号"] and len(rows) == DEMO_CASES + 1
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        first = conn.execute(text("SELECT case_no, debtor_name FROM cases ORDER BY priority DESC, id DESC LIMIT 1")).one()
    assert rows[1][0] == first[0] and rows[1][1] == mask_name(first[1])
    for row in rows[1:]:
        assert "*" in row[2] and "*" in row[3]  # ID and phone masked
        yuan, fen = row[7].split(".")  # exact yuan with two decimals, from integer fen
        assert yuan.isdigit() and len(fen) == 2 and fen.isdigit()
        assert row[1] == "" or row[1][1:] == "*" * (len(row[1]) - 1)


def test_xlsx_export_with_filters(demo_store: object, tmp_path: Path) -> None:
    out = tmp_path / "m1.xlsx"
    built = r.export_cases(demo_store, CaseQuery(buckets=("M1",), sort="overdue"), "xlsx", out,  # type: ignore[arg-type]
                           ReportLocale("en"))
    ws = load_workbook(out).active
    assert ws is not None
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "Case no." and len(values) == built.rows + 1
    assert all(v[6] == "M1" for v in values[1:])
    amounts = [v[7] for v in values[1:]]
    assert amounts == sorted(amounts, reverse=True) and all(isinstance(a, (int, float)) for a in amounts)
    assert ws.cell(row=2, column=8).number_format == "#,##0.00"


def test_formula_cells_are_neutralised_in_csv_and_xlsx(tmp_path: Path) -> None:
    cols = (Column("a", "甲", "A"), Column("b", "乙", "B", kind="float"))
    rows = [(f, -1.5) for f in FORMULAS] + [("王 <b>&", 2)]
    write_csv(tmp_path / "f.csv", cols, rows, ReportLocale("zh"))
    write_xlsx(tmp_path / "f.xlsx", cols, rows, ReportLocale("zh"))
    with (tmp_path / "f.csv").open(encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))
    for f, row in zip(FORMULAS, got[1:], strict=False):
        assert row[0] == "'" + f  # neutralised, original text kept after the quote
    assert got[-1][0] == "王 <b>&"
    ws = load_workbook(tmp_path / "f.xlsx").active
    assert ws is not None
    for f, row in zip(FORMULAS, ws.iter_rows(min_row=2), strict=False):
        cell = row[0]
        assert cell.data_type == "s" and cell.value == f.replace("\r", "\n")  # XML has no bare CR
        assert cell.quotePrefix
        assert row[1].value == -1.5  # numbers stay numbers
    import zipfile

    with zipfile.ZipFile(tmp_path / "f.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    assert neutralise_cell("ok") == "ok" and neutralise_cell("") == ""


def test_cli_end_to_end(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(demo_dir)]
    assert main(["report", "daily", *d, "--date", DEMO_TODAY.isoformat(), "--agent", "agent01",
                 "--out", str(tmp_path / "d.pdf")]) == 0
    assert main(["report", "daily", *d, "--date", DEMO_TODAY.isoformat(), "--out", str(tmp_path / "all.pdf"),
                 "--lang", "en"]) == 0
    assert main(["report", "case", *d, "--case", "1", "--out", str(tmp_path / "c.pdf")]) == 0
    assert main(["report", "receipt", *d, "--payment", "1", "--out", str(tmp_path / "r.pdf")]) == 0
    assert main(["report", "team", *d, "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "t.pdf")]) == 0
    assert main(["export", "cases", *d, "--format", "csv", "--out", str(tmp_path / "x.csv"), "--safety"]) == 0
    assert main(["export", "cases", *d, "--out", str(tmp_path / "x.xlsx"), "--bucket", "M2", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert out.count("wrote ") == 7
    assert "张建军" in pdf_text(tmp_path / "d.pdf")
    assert "Dailyvisitsheet" in pdf_text(tmp_path / "all.pdf")
    assert len(list(csv.reader((tmp_path / "x.csv").read_text("utf-8-sig").splitlines()))) > 1
    assert load_workbook(tmp_path / "x.xlsx").active.max_row == 6  # type: ignore[union-attr]
    assert len(CASE_COLUMNS) == len(next(csv.reader((tmp_path / "x.csv").read_text("utf-8-sig").splitlines())))


@pytest.mark.parametrize(("argv", "message"), [
    (["report", "case", "--case", "CD-NOPE"], "no case"),
    (["report", "receipt", "--payment", "999999"], "no payment"),
    (["report", "daily", "--date", "2026-11-30", "--agent", "ghost"], "no agent"),
    (["report", "team", "--from", "2026-11-30", "--to", "2026-11-01"], "before"),
    (["export", "cases", "--format", "csv", "--agent", "ghost"], "no agent"),
])
def test_cli_user_errors(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                         message: str) -> None:
    out = tmp_path / "out.pdf"
    assert main([*argv, "--data-dir", str(demo_dir), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_font_error_is_clear(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOORSTEP_CJK_FONT", str(tmp_path / "nope.ttf"))
    assert main(["report", "case", "--case", "1", "--data-dir", str(demo_dir), "--out", str(tmp_path / "c.pdf")]) == 2
    assert "DOORSTEP_CJK_FONT" in capsys.readouterr().err


def test_daily_sheet_follows_a_plan_saved_by_the_day_planner(demo_store: object, settings: r.ReportSettings,
                                                             tmp_path: Path) -> None:
    from app.services.dayplan import DayOptions, plan_agent_day, save_day_plan

    profile = settings.profile
    day_plan = plan_agent_day(demo_store, 1, DEMO_TODAY, profile,  # type: ignore[arg-type]
                              DayOptions(partner="agent02", time_limit_s=0.5), now=NOW)
    save_day_plan(demo_store, day_plan, "agent01", now=NOW)  # type: ignore[arg-type]
    [s] = r.daily_sheets(demo_store, DEMO_TODAY, "agent01", profile, now=NOW)  # type: ignore[arg-type]
    assert s.order == "plan"
    planned = [int(x.id) for x in day_plan.plan.stops]
    assert planned
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        nos = dict(conn.execute(text("SELECT id, case_no FROM cases")).all())
    assert [x.case_no for x in s.stops] == [nos[c] for c in planned]
    assert all(x.planned_at is not None for x in s.stops)
    out = tmp_path / "planned.pdf"
    r.build_daily_sheet(demo_store, DEMO_TODAY, out, settings, agent="agent01", now=NOW)  # type: ignore[arg-type]
    assert "已保存的当日路线" in pdf_text(out)


def test_case_report_gives_priority_reasons_in_the_readers_language(demo_store: object) -> None:
    with demo_store.engine.connect() as conn:  # type: ignore[attr-defined]
        case_no = conn.execute(text("SELECT case_no FROM cases WHERE priority_reasons LIKE '%\"dpd\"%' LIMIT 1")).scalar_one()
    zh = r.case_report(demo_store, case_no, ReportLocale("zh"), NOW)  # type: ignore[arg-type]
    en = r.case_report(demo_store, case_no, ReportLocale("en"), NOW)  # type: ignore[arg-type]
    assert any(line.startswith("逾期 ") and "天" in line for line in zh.priority_reasons), zh.priority_reasons
    assert not any("days past due" in line for line in zh.priority_reasons)
    assert any("days past due" in line for line in en.priority_reasons)


def test_unknown_priority_reason_code_falls_back_to_its_stored_text() -> None:
    loc = ReportLocale("zh")
    assert loc.priority_reason("from-a-newer-version", ("3",), "stored text") == "stored text"
    assert loc.priority_reason("dpd", ("45",), "45 days past due") == "逾期 45 天"
