"""Lawyer's letters against a REAL head office (`python -m headoffice serve`) on SQLite and on
PostgreSQL: firms and templates through the API (hostile ones refused, naming the rule, or stored as
inert text), a day of letters made by `python -m headoffice letters` from the ladder's pending letter
actions (written here straight into the database, as the daily run writes them), the PDFs, the
print file and the manifest on disk, the public code check, the PDF as the case's attachment, the
trail item on the agent's pull, the same day run again, and tracking numbers read back."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from headoffice.db import Database
from headoffice.ladder.models import LadderAction, Letter
from headoffice.models import Address, Case, Debtor, User
from tests.pdffonts import unembedded_fonts

from .conftest import BACKENDS, HeadOffice, HeadOfficeFactory, pull_all

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "letters"
DAY = date(2026, 12, 1)
PUBLIC = "https://check.example.com"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'
L = "/api/v1/letters"
CREATED = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


@dataclass
class Day:
    ho: HeadOffice
    out: Path
    first: str  # the first run's output
    made: list[int]  # case ids that got a letter
    agent_case: int  # a case of agent01 with a letter
    formula_case: int
    skipped: dict[str, int]

    def db(self) -> Database:
        return Database(self.ho.db_url)

    def run(self, out: Path, *extra: str) -> str:
        return self.ho.cli("letters", "--date", DAY.isoformat(), "--out", str(out), "--public-url", PUBLIC,
                           "--now", "2026-12-01T09:00:00+08:00", *extra).stdout

    def letters(self) -> list[Letter]:
        db = self.db()
        try:
            with db.read() as s:
                return list(s.scalars(select(Letter).order_by(Letter.id)))
        finally:
            db.dispose()


def _actions(ho: HeadOffice) -> tuple[list[int], int, int, dict[str, int]]:
    """45 pending letter actions: 41 make a letter; a closed case, a paused one, one without an address
    and one due after the day do not. One debtor is called a spreadsheet formula."""
    db = Database(ho.db_url)
    try:
        with db.write() as s:
            agent = s.scalar(select(User.id).where(User.username == "agent01"))
            ids = list(s.scalars(select(Case.id).order_by(Case.id).limit(45)))
            cases = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_(ids)))}
            for c in cases.values():
                c.status, c.overdue_fen, c.currency = "open", max(c.overdue_fen, 12_345), "CNY"
            closed, paused, homeless, later = ids[-4:]
            cases[closed].status = "closed"
            cases[paused].status = "paused"
            s.execute(delete(Address).where(Address.debtor_id == cases[homeless].debtor_id))
            mine = next(i for i in ids[:-4] if cases[i].agent_id == agent)
            formula = next(i for i in ids[:-4] if i != mine)
            s.get(Debtor, cases[formula].debtor_id).name = FORMULA_NAME  # type: ignore[union-attr]
            for i in ids:
                s.add(LadderAction(case_id=i, level="letter", action="letter", template="firm_a_std",
                                   run_on=date(2026, 12, 2) if i == later else date(2026, 11, 30) if i % 2 else DAY,
                                   state="pending", created_at=CREATED))
    finally:
        db.dispose()
    return ids[:-4], mine, formula, {"closed": 1, "paused": 1, "no_address": 1}


@pytest.fixture(scope="module", params=BACKENDS)
def day(request: pytest.FixtureRequest, headoffice_module_server: HeadOfficeFactory,
        tmp_path_factory: pytest.TempPathFactory) -> Day:
    ho = headoffice_module_server(db=str(request.param), verify_rate=0)
    sup = ho.client(ho.token("super01"))
    assert sup.put(L + "/firms", json=_fixture("firms.json")).status_code == 200
    r = sup.put(L + "/templates", json=_fixture("templates.json"))
    assert r.status_code == 200, r.text
    made, mine, formula, skipped = _actions(ho)
    out = tmp_path_factory.mktemp("letters")
    d = Day(ho, out, "", made, mine, formula, skipped)
    d.first = d.run(out, "--workers", "2")  # 41 letters: drawn in the process pool
    return d


def test_templates_api_roles_versions_and_hostile_templates(day: Day) -> None:
    ho = day.ho
    agent, sup = ho.client(ho.token("agent01")), ho.client(ho.token("super01"))
    assert agent.get(L + "/templates").status_code == 403
    assert agent.put(L + "/firms", json=_fixture("firms.json")).status_code == 403
    assert ho.client().get(L + "/firms").status_code == 401
    base = _fixture("templates.json")["templates"][0]
    # The demo head office has its own firm_a_std (version 1); the fixture's is a newer version of it.
    std = {t["code"]: t["version"] for t in sup.get(L + "/templates").json()["templates"]}["firm_a_std"]

    def put(**changes: Any) -> httpx.Response:
        return sup.put(L + "/templates", json={"templates": [{**base, **changes}]})

    r = put(body="如不还款，我们将让您坐牢并通知您单位的领导和同事。")
    assert r.status_code == 422 and r.json()["error"] == "wording" and "rule false_legal_claim" in r.json()["detail"]
    assert put(body="尊敬的{id_number}，请还款，谢谢您的配合。").json()["error"] == "merge_field"
    assert put(title="律师函 \U0001f4a5").json()["error"] == "unprintable"
    assert put(firm_code="nobody").json()["error"] == "unknown_firm"
    assert put(body="欠" * 10_000).json()["error"] == "invalid_request"
    assert put(signature="x").json()["error"] == "invalid_request"  # unknown fields are refused
    personal = [{"kind": "bank_transfer", "label": "转账", "account_name": "王小明", "bank": "工商银行",
                 "account_no": "6222020200112233445"}]
    assert put(channels=personal).json()["error"] == "channel"
    assert sup.put(L + "/templates", content=b"{not json", headers={"Content-Type": "application/json"}).json()["error"] == "malformed_json"
    # Markup, a formula and mixed languages are text: stored, and printed as written (see the unit tests).
    inert = put(code="inert", body="<font color=red><para>=SUM(A1)</para></font> Dear 王 {debtor_name}, "
                                   "<script>alert(1)</script> 请还款。")
    assert inert.status_code == 200, inert.text
    versions = {t["code"]: t["version"] for t in inert.json()["templates"]}
    assert versions == {"firm_a_std": std, "inert": 1}
    assert put(code="inert", body="<b>changed</b> 请还款，谢谢您的配合。").json()["templates"][1]["version"] == 2
    again = sup.put(L + "/templates", json=_fixture("templates.json")).json()["templates"]
    assert {t["code"]: t["version"] for t in again} == {"firm_a_std": std, "inert": 2}  # the same: no new version
    assert [f["code"] for f in sup.get(L + "/firms").json()["firms"]] == ["firm_a", "firm_en"]


def test_the_day_makes_a_pdf_each_one_print_file_and_the_manifest(day: Day) -> None:
    assert f"{len(day.made)} letter(s) made now, {len(day.made)} letter(s) of the day" in day.first
    for reason in day.skipped:
        assert f"({reason}): 1" in day.first
    singles = sorted(day.out.glob("2026-12-01_*.pdf"))
    letters = day.letters()
    assert len(singles) == len(letters) == len(day.made)
    assert all(p.name.replace("-", "").replace("_", "").replace(".", "").isalnum() for p in singles)
    merged = day.out / "merged-2026-12-01.pdf"
    assert len(PdfReader(merged).pages) == len(letters)
    assert unembedded_fonts(merged) == [] and unembedded_fonts(singles[0]) == []
    assert {lt.deadline for lt in letters} == {date(2026, 12, 16)} and {lt.state for lt in letters} == {"made"}
    assert len({lt.code for lt in letters}) == len(letters)
    raw = (day.out / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["页码", "案件编号", "收件人", "地址", "验证码", "快递单号"] and len(rows) == len(letters) + 1
    assert ["'" + FORMULA_NAME] == [r[2] for r in rows if "HYPERLINK" in r[2]]  # neutralised, kept whole
    assert {r[5] for r in rows[1:]} == {""} and {r[4] for r in rows[1:]} == {lt.code for lt in letters}
    page_of = {r[4]: int(r[0]) for r in rows[1:]}
    code = rows[7][4]
    assert code in PdfReader(merged).pages[page_of[code] - 1].extract_text()
    from openpyxl import load_workbook

    ws = load_workbook(day.out / "manifest.xlsx").worksheets[0]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == FORMULA_NAME]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix


def test_verify_answers_firm_date_and_case_only(day: Day) -> None:
    letter = day.letters()[0]
    public = day.ho.client()  # no token
    r = public.get(f"{L}/verify/{letter.code.lower().replace('-', ' ')}")
    assert r.status_code == 200, r.text
    body = r.json()
    db = day.db()
    try:
        with db.read() as s:
            case = s.get(Case, letter.case_id)
            assert case is not None
            case_no, debtor = case.case_no, s.get(Debtor, case.debtor_id)
            assert debtor is not None
    finally:
        db.dispose()
    assert body == {"code": letter.code, "valid": True, "firm": "北京市明正律师事务所", "lawyer": "李文清",
                    "licence_no": "11101201810234567", "date": "2026-12-01", "case_no": case_no}
    assert debtor.name not in r.text and letter.address not in r.text and "amount" not in r.text
    unknown = "0000-0000-0000-0000"
    assert public.get(f"{L}/verify/{unknown}").status_code == 404
    typo = letter.code[:-1] + ("0" if letter.code[-1] != "0" else "1")
    for bad in (typo, "ABCD", "<script>", "x" * 80):
        assert public.get(f"{L}/verify/{bad}").status_code == 422, bad
    assert public.get(f"{L}/verify/{typo}").json()["error"] == "malformed_code"


def test_the_pdf_is_the_case_agents_attachment_and_on_the_trail(day: Day) -> None:
    ho = day.ho
    letter = next(lt for lt in day.letters() if lt.case_id == day.agent_case)
    assert letter.pdf_sha256 is not None
    mine, other, sup = (ho.client(ho.token(u)) for u in ("agent01", "agent02", "super01"))
    r = mine.get(f"/api/v1/attachments/{letter.pdf_sha256}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content == next(day.out.glob(f"*_{letter.code}.pdf")).read_bytes()
    assert other.get(f"/api/v1/attachments/{letter.pdf_sha256}").status_code == 404
    assert sup.get(f"/api/v1/attachments/{letter.pdf_sha256}").status_code == 200
    changes, _ = pull_all(mine)
    case = next(ch["case"] for ch in changes if ch["kind"] == "case_upsert" and ch["case"]["id"] == day.agent_case)
    items = [t for t in case["ladder"] if t["kind"] == "letter"]
    assert len(items) == 1 and items[0]["attachment_sha256"] == letter.pdf_sha256
    assert items[0]["data"] == {"state": "made", "firm": "北京市明正律师事务所", "code": letter.code,
                                "deadline": "2026-12-16", "tracking_no": None}
    with httpx.Client(base_url=ho.url, headers={"X-Doorstep-API": "1"}) as c:
        assert c.post("/api/v1/auth/token", json={"username": "head office letters", "password": "whatever-it-is",
                                                  "device_id": str(uuid.uuid4())}).status_code == 401


def test_the_same_day_again_makes_nothing_new(day: Day, tmp_path: Path) -> None:
    before = [(lt.id, lt.code, lt.pdf_sha256) for lt in day.letters()]
    out = day.run(tmp_path, "--workers", "1")
    assert f"0 letter(s) made now, {len(before)} letter(s) of the day, 0 PDF(s) put on record" in out
    assert [(lt.id, lt.code, lt.pdf_sha256) for lt in day.letters()] == before
    for lt in day.letters()[:5]:
        name = next(day.out.glob(f"*_{lt.code}.pdf")).name
        assert (tmp_path / name).read_bytes() == (day.out / name).read_bytes()
    assert len(PdfReader(tmp_path / "merged-2026-12-01.pdf").pages) == len(before)
    db = day.db()
    try:
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Letter)) == len(before)
            assert s.scalar(select(func.count()).select_from(LadderAction)
                            .where(LadderAction.state == "pending")) == 1  # the one due the next day
    finally:
        db.dispose()


def test_tracking_numbers_round_trip_with_bad_rows_reported(day: Day, tmp_path: Path) -> None:
    letters = day.letters()
    rows = list(csv.reader(io.StringIO((day.out / "manifest.csv").read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    mine = next(lt.code for lt in letters if lt.case_id == day.agent_case)
    body.insert(0, body.pop(next(i for i, r in enumerate(body) if r[4] == mine)))  # agent01's letter first
    body[0][5], body[1][5] = "SF1234567890123", "EA123456789CN"
    body[2][5] = "=cmd|' /C calc'!A0"  # not a tracking number
    body[3][4], body[3][5] = "0000-0000-0000-0000", "SF0000000000001"  # no such letter
    body[4][4], body[4][5] = "not a code", "SF0000000000002"
    body[5][1], body[5][5] = "ANOTHER-CASE", "SF0000000000003"  # shifted columns: the case does not match
    body[6][4], body[6][5] = body[6][4].lower().replace("-", " "), "YT9876543210"  # typed loosely: fine
    path = tmp_path / "back.csv"
    with path.open("w", encoding="gbk", newline="") as f:  # as a spreadsheet on a Chinese desktop saves it
        csv.writer(f).writerows([header, *body])
    first = day.ho.cli("letters", "tracking", str(path), "--now", "2026-12-02T10:00:00+08:00", check=False)
    assert first.returncode == 1
    assert "3 letter(s) marked mailed" in first.stdout and "4 row(s) refused" in first.stdout
    for line, why in ((4, "tracking number"), (5, "no letter has"), (6, "verification code"), (7, "not ANOTHER")):
        assert f"line {line}:" in first.stderr and why in first.stderr.split(f"line {line}:")[1].splitlines()[0]
    again = day.ho.cli("letters", "tracking", str(path), check=False)
    assert "0 letter(s) marked mailed, 3 already so" in again.stdout
    by_code = {lt.code: lt for lt in day.letters()}
    assert by_code[body[0][4]].state == "mailed" and by_code[body[0][4]].tracking_no == "SF1234567890123"
    # the workbook, filled in for one more letter
    from openpyxl import load_workbook

    wb = load_workbook(day.out / "manifest.xlsx")
    ws = wb.worksheets[0]
    waiting = {lt.code for lt in day.letters() if lt.tracking_no is None}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=5).value in waiting)
    ws.cell(row=row, column=6, value="JD0012345678")
    xlsx = tmp_path / "back.xlsx"
    wb.save(xlsx)
    assert "1 letter(s) marked mailed" in day.ho.cli("letters", "tracking", str(xlsx)).stdout
    code = str(ws.cell(row=row, column=5).value)
    assert {lt.code: lt.tracking_no for lt in day.letters()}[code] == "JD0012345678"
    assert len(letters) == len(day.letters())
    changes, _ = pull_all(day.ho.client(day.ho.token("agent01")))
    case = next(ch["case"] for ch in changes if ch["kind"] == "case_upsert" and ch["case"]["id"] == day.agent_case)
    states = [(t["data"]["state"], t["data"]["tracking_no"]) for t in case["ladder"] if t["kind"] == "letter"]
    assert states == [("made", None), ("mailed", "SF1234567890123")]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    refused = day.ho.cli("letters", "tracking", str(bad), check=False)
    assert refused.returncode == 2 and "cannot be read as an XLSX workbook" in refused.stderr


def test_the_public_check_is_rate_limited_per_address(headoffice_server: HeadOfficeFactory) -> None:
    ho = headoffice_server(verify_rate=3)
    public = ho.client()
    codes = [public.get(f"{L}/verify/0000-0000-0000-0000").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    limited = public.get(f"{L}/verify/0000-0000-0000-0000")
    assert limited.json()["error"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
    assert public.get("/api/v1/health").status_code == 200  # only the check is limited


def test_the_cli_refuses_bad_files_and_options(headoffice_server: HeadOfficeFactory, tmp_path: Path) -> None:
    ho = headoffice_server(start=False)
    hostile = _fixture("templates.json")
    hostile["templates"][0]["rights"] = "如不还款，您将坐牢，并通知您的家人与同事，后果自负。"
    (tmp_path / "t.json").write_text(json.dumps(hostile, ensure_ascii=False), encoding="utf-8")
    ho.cli("letters", "firms", "set", str(FIXTURES / "firms.json"))
    before = json.loads(ho.cli("letters", "templates", "show").stdout)  # the demo's own template
    r = ho.cli("letters", "templates", "set", str(tmp_path / "t.json"), check=False)
    assert r.returncode == 2 and "refused (wording)" in r.stderr and "rights:" in r.stderr
    (tmp_path / "x.json").write_text('{"templates": [{"code": "x"', encoding="utf-8")
    r = ho.cli("letters", "templates", "set", str(tmp_path / "x.json"), check=False)
    assert r.returncode == 2 and "not valid JSON" in r.stderr
    assert json.loads(ho.cli("letters", "templates", "show").stdout) == before  # nothing stored
    r = ho.cli("letters", "--date", "2026-12-01", "--out", str(tmp_path / "o"), check=False)
    assert r.returncode == 2 and "--public-url" in r.stderr
    r = ho.cli("letters", "--date", "1 Dec", "--out", str(tmp_path / "o"), "--public-url", PUBLIC, check=False)
    assert r.returncode == 2 and "is not a date" in r.stderr
    r = ho.cli("letters", "--date", "2026-12-01", "--out", str(tmp_path / "o"), "--public-url", PUBLIC)
    assert "0 letter(s) made now, 0 letter(s) of the day" in r.stdout
    assert (tmp_path / "o" / "manifest.csv").read_text(encoding="utf-8-sig").count("\n") == 1
