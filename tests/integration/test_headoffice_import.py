"""Import of overdue cases (CSV in UTF-8/BOM/GBK, JSON): bad rows reported and skipped, good rows
imported, re-import idempotent, file-level problems import nothing. Both database backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from headoffice.db import Database
from headoffice.importer import ImportFileError, import_file
from headoffice.ladder.models import CaseLadder, DelinquencyEpisode
from headoffice.migrate import upgrade
from headoffice.models import Account, Case, Change, Debtor, Phone, User
from tests.integration.conftest import HeadOffice, PostgresCluster

HEADER = "external_id,debtor_name,id_number,overdue,days_past_due,phones,home_address,district,lat,lon,agent\n"
GOOD = [
    "EXT1,王伟,510104199001011230,\"1,234.50\",75,+8613812345678;13900001111,成都市锦江区春熙路1号,锦江区,30.65,104.08,agent01",
    "EXT2,李娜,510104198001011236,800,20,13900002222,成都市武侯区玉林路8号,武侯区,30.62,104.05,",
]


@pytest.fixture
def ho_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'ho.sqlite3'}")
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        db = Database(cluster.url(cluster.new_database()))
    upgrade(db)
    with db.write() as s:
        s.add(User(username="agent01", display_name="张建军", role="agent", team="一组", password_hash="x",
                   active=True, failed_logins=0, created_at=datetime.now(UTC)))
    try:
        yield db
    finally:
        db.dispose()


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_good_rows_import_with_details(ho_db: Database, tmp_path: Path) -> None:
    report = import_file(ho_db, _write(tmp_path, HEADER + "\n".join(GOOD) + "\n"), default_team="二组")
    assert (report.created, report.updated, report.problems) == (2, 0, [])
    with ho_db.read() as s:
        c1 = s.scalar(select(Case).where(Case.external_id == "EXT1"))
        assert c1 is not None
        assert c1.overdue_fen == 123_450 and c1.days_past_due == 75 and c1.team == "一组"
        assert c1.stage == "field_visit" and c1.lat == 30.65
        agent = s.scalar(select(User).where(User.username == "agent01"))
        assert agent is not None and c1.agent_id == agent.id
        phones = s.scalars(select(Phone.number).where(Phone.debtor_id == c1.debtor_id)).all()
        assert sorted(phones) == ["+8613812345678", "13900001111"]
        c2 = s.scalar(select(Case).where(Case.external_id == "EXT2"))
        assert c2 is not None and c2.agent_id is None and c2.team == "二组" and c2.stage == "reminder"
        assert s.scalar(select(func.count()).select_from(Change).where(Change.kind == "case_upsert")) == 2


def test_bad_rows_are_reported_with_line_numbers_and_skipped(ho_db: Database, tmp_path: Path) -> None:
    bad = [
        "EXT3,张三,510104199001011231,100,30,,,,,,",            # line 4: wrong check digit
        "EXT4,张四,510104199001011230,-5,30,,,,,,",             # line 5: negative amount
        "EXT5,张五,510104199001011230,100,30,,某地,,95.0,104,",  # line 6: impossible latitude
        "EXT6,张六,510104199001011230,abc,30,,,,,,",            # line 7: not an amount
        "EXT7,张七,510104199001011230,100,0,,,,,,",             # line 8: days past due 0
        "EXT8,张八,510104199001011230,100,30,,,,,,nobody",      # line 9: unknown agent
        "EXT1,王伟,510104199001011230,100,30,,,,,,",            # line 10: same external id twice
        "EXT9,<script>alert(1)</script>,510104199001011230,100,30,,,,,",  # line 11: too few fields
        "EXT10,赵十,510104199001011230,99999999999999999,30,,,,,,",  # line 12: absurd amount
        "EXT11,赵十一,510104199001011230,100,30,,某地,,30.6,,",  # line 13: lat without lon
    ]
    report = import_file(ho_db, _write(tmp_path, HEADER + "\n".join(GOOD + bad) + "\n"))
    assert report.created == 2
    lines = {p.line: p.reason for p in report.problems}
    assert sorted(lines) == list(range(4, 14)), lines
    assert "check digit" in lines[4]
    assert "sign" in lines[5]
    assert "latitude" in lines[6]
    assert "not an amount" in lines[7]
    assert "days_past_due" in lines[8]
    assert "agent" in lines[9]
    assert "line 2" in lines[10]
    assert "fields" in lines[11]
    assert "too large" in lines[12]
    assert "together" in lines[13]
    assert _count(ho_db, Case) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_are_detected(ho_db: Database, tmp_path: Path, encoding: str) -> None:
    report = import_file(ho_db, _write(tmp_path, HEADER + "\n".join(GOOD) + "\n", encoding))
    assert report.created == 2 and not report.problems
    with ho_db.read() as s:
        assert sorted(s.scalars(select(Debtor.name)).all()) == ["李娜", "王伟"]


def test_chinese_headers_are_understood(ho_db: Database, tmp_path: Path) -> None:
    text = "案件编号,姓名,身份证号,逾期金额,逾期天数,手机号\nEXTA,周杰,510104199001011230,500.00,40,13800000000\n"
    report = import_file(ho_db, _write(tmp_path, text, "gbk"))
    assert report.created == 1 and not report.problems


def test_reimport_is_idempotent_and_updates_changed_rows(ho_db: Database, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "\n".join(GOOD) + "\n")
    import_file(ho_db, path)
    with ho_db.read() as s:
        versions = dict(s.execute(select(Case.external_id, Case.version)).tuples().all())
        changes = s.scalar(select(func.count()).select_from(Change))
    again = import_file(ho_db, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    with ho_db.read() as s:
        assert dict(s.execute(select(Case.external_id, Case.version)).tuples().all()) == versions
        assert s.scalar(select(func.count()).select_from(Change)) == changes
    changed = GOOD[1].replace(",800,20,", ",900,25,")
    third = import_file(ho_db, _write(tmp_path, HEADER + GOOD[0] + "\n" + changed + "\n", name="v2.csv"))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    with ho_db.read() as s:
        c2 = s.scalar(select(Case).where(Case.external_id == "EXT2"))
        assert c2 is not None and c2.overdue_fen == 90_000 and c2.version == versions["EXT2"] + 1
        assert s.scalar(select(func.count()).select_from(Account)) == 2


@pytest.mark.parametrize(("text", "message"), [
    ("external_id,debtor_name,id_number,overdue,days_past_due,overdue\n", "duplicate columns: overdue"),
    ("external_id,debtor_name,overdue\nX,Y,1\n", "missing required columns: id_number, days_past_due"),
    ("", "empty"),
])
def test_file_level_problems_import_nothing(ho_db: Database, tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        import_file(ho_db, _write(tmp_path, text))
    assert _count(ho_db, Case) == 0


def test_undecodable_bytes_are_refused(ho_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(HEADER.encode() + b"\xff\xfe\x00\x81\x00\xff" * 20)
    with pytest.raises(ImportFileError, match="neither UTF-8 nor GBK"):
        import_file(ho_db, path)


def test_json_import_with_bad_items(ho_db: Database, tmp_path: Path) -> None:
    items = [
        {"external_id": "J1", "debtor_name": "陈磊", "id_number": "510104199001011230", "overdue": 1200,
         "days_past_due": 45, "phones": "13800000001", "home_address": "成都市成华区建设路5号", "lat": 30.68,
         "lon": 104.1},
        {"external_id": "J2", "debtor_name": "杨洋", "id_number": "510104199001011230", "overdue": "12.345",
         "days_past_due": 45},
        "not an object",
        {"external_id": "J3", "debtor_name": "刘芳", "id_number": "510104199001011230", "overdue": 50,
         "days_past_due": True},
        {"external_id": "J4", "debtor_name": "😀" * 3000, "id_number": "510104199001011230", "overdue": 50,
         "days_past_due": 3},
    ]
    report = import_file(ho_db, _write(tmp_path, json.dumps({"cases": items}, ensure_ascii=False),
                                       name="cases.json"))
    assert report.created == 1
    assert [p.line for p in report.problems] == [2, 3, 4, 5]
    assert "two decimals" in report.problems[0].reason


def test_a_failure_mid_file_leaves_nothing_half_applied(ho_db: Database, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulates the database failing part-way (an outside failure we cannot cause for real on demand).
    import headoffice.importer as importer

    real = importer._apply
    calls = {"n": 0}

    def failing(*args: object, **kw: object) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "_apply", failing)
    with pytest.raises(RuntimeError):
        import_file(ho_db, _write(tmp_path, HEADER + "\n".join(GOOD) + "\n"))
    assert _count(ho_db, Case) == 0 and _count(ho_db, Debtor) == 0 and _count(ho_db, Change) == 0


def test_cli_import_reports_and_serves_the_cases(headoffice_server, tmp_path: Path) -> None:
    ho: HeadOffice = headoffice_server(cases=5)
    path = _write(tmp_path, HEADER + GOOD[0].replace("EXT1", "CLI1") + "\nCLI2,坏行,123,1,1,,,,,,\n", "gbk")
    result = ho.cli("import-cases", str(path), check=False)
    assert result.returncode == 1
    assert "line 3: id_number" in result.stderr
    assert "imported 1 new" in result.stdout
    with ho.client(ho.token("super01")) as c:
        cases = c.get("/api/v1/cases", params={"limit": 1000}).json()
    assert cases["total"] == 6


TRIGGER_HEADER = "external_id,debtor_name,id_number,overdue,days_past_due,stage,trigger\n"


def _episodes(db: Database, external_id: str) -> list[tuple[date, date | None]]:
    with db.read() as s:
        case_id = s.scalar(select(Case.id).where(Case.external_id == external_id))
        return [(e.started_on, e.cured_on) for e in s.scalars(
            select(DelinquencyEpisode).where(DelinquencyEpisode.case_id == case_id).order_by(DelinquencyEpisode.id))]


def test_a_typed_trigger_is_accepted_but_recorded_nowhere(ho_db: Database, tmp_path: Path) -> None:
    text = TRIGGER_HEADER + "EXTT,王伟,510104199001011230,100,75,field_visit,serious_default\n"
    report = import_file(ho_db, _write(tmp_path, text))
    assert report.created == 1 and not report.problems and "trigger" not in report.ignored_columns
    with ho_db.read() as s:
        case = s.scalar(select(Case).where(Case.external_id == "EXTT"))
        assert case is not None and case.stage == "field_visit" and case.trigger is None
        assert s.scalar(select(func.count()).select_from(CaseLadder)) == 0
    bad = import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + "EXTU,李娜,510104198001011236,100,5,,<b>x</b>\n",
                                    name="bad.csv"))
    assert "unknown visit trigger" in bad.problems[0].reason


def test_episodes_start_end_and_start_again_with_cure(ho_db: Database, tmp_path: Path) -> None:
    day1 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    row = "EXTE,王伟,510104199001011230,{overdue},{dpd},,\n"
    import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + row.format(overdue=100, dpd=20)), now=day1)
    assert _episodes(ho_db, "EXTE") == [(date(2026, 2, 9), None)]
    import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + row.format(overdue=150, dpd=30), name="b.csv"),
                now=day1 + timedelta(days=10))
    assert _episodes(ho_db, "EXTE") == [(date(2026, 2, 9), None)]  # still the same episode
    cured = import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + row.format(overdue=0, dpd=0), name="c.csv"),
                        now=day1 + timedelta(days=20))
    assert cured.updated == 1 and not cured.problems
    assert _episodes(ho_db, "EXTE") == [(date(2026, 2, 9), date(2026, 3, 21))]
    import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + row.format(overdue=80, dpd=3), name="d.csv"),
                now=day1 + timedelta(days=40))
    assert _episodes(ho_db, "EXTE") == [(date(2026, 2, 9), date(2026, 3, 21)), (date(2026, 4, 7), None)]


@pytest.mark.parametrize(("overdue", "dpd", "field"), [(0, 5, "overdue"), (100, 0, "days_past_due"),
                                                       (0, 0, "overdue")])
def test_cured_needs_both_zeros_and_a_known_case(ho_db: Database, tmp_path: Path, overdue: int, dpd: int,
                                                 field: str) -> None:
    report = import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + f"NEW1,王伟,510104199001011230,{overdue},{dpd},,\n"))
    assert report.created == 0 and report.problems[0].field == field


def test_once_on_the_ladder_the_stage_is_the_ladders(ho_db: Database, tmp_path: Path) -> None:
    import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + "EXTS,王伟,510104199001011230,100,40,legal_letter,\n"))
    with ho_db.write() as s:
        case = s.scalar(select(Case).where(Case.external_id == "EXTS"))
        assert case is not None
        s.add(CaseLadder(case_id=case.id, level="sms_2", entered_at=datetime.now(UTC), entered_on=date(2026, 3, 1),
                         held=False))
        case.stage = "reminder"
    import_file(ho_db, _write(tmp_path, TRIGGER_HEADER + "EXTS,王伟,510104199001011230,120,41,field_visit,\n",
                              name="b.csv"))
    with ho_db.read() as s:
        case = s.scalar(select(Case).where(Case.external_id == "EXTS"))
        assert case is not None and case.stage == "reminder" and case.overdue_fen == 12_000
