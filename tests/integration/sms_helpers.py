"""A head-office database for the SMS tests (real SQLite file or real PostgreSQL, at the newest schema),
with cases, debtors, phones and emergency contacts made row by row, and pending `sms` ladder actions
written directly: the daily ladder run that normally writes them is not part of these tests.

    world = SmsWorld(db)
    case = world.case("王伟", phones=[("13800000001", "valid")], contacts=["13900000009"], zone="Asia/Urumqi")
    world.action(case, level="sms_1", run_on=date(2026, 12, 4))
    world.messages(case)   /   world.trail(case)
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from headoffice.db import Database
from headoffice.ladder.models import CaseTrailItem, LadderAction, SmsMessage
from headoffice.migrate import upgrade
from headoffice.models import Case, Contact, Debtor, Phone
from headoffice.sms.templates import TemplateIn, store

SH = ZoneInfo("Asia/Shanghai")
T_CREATED = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
REMIND = "{name}您好，您的案件{case_no}已逾期{days_past_due}天，欠款{overdue_yuan}元。请通过{pay_channels}还款，咨询{hotline}。{company}"
_numbers = itertools.count(1)


def local(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0, zone: str = "Asia/Shanghai") -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(zone))


@dataclass
class SmsWorld:
    db: Database

    def templates(self, **bodies: str) -> None:
        with self.db.write() as s:
            store(s, [TemplateIn(code=c, body=b) for c, b in (bodies or {"remind_1": REMIND}).items()],
                  {"company": "某某消费金融", "hotline": "400-800-1234", "pay_channels": "官方App或对公账户"},
                  actor="test", now=T_CREATED)

    def case(self, name: str = "王伟", phones: list[tuple[str, str]] | None = None, contacts: Sequence[str] = (),
             zone: str | None = None, status: str = "open", debtor: int | None = None) -> int:
        n = next(_numbers)
        with self.db.write() as s:
            if debtor is None:
                d = Debtor(name=name, id_number=f"51010419900101{n:04d}", zone=zone)
                s.add(d)
                s.flush()
                for number, st in phones if phones is not None else [(f"1380000{n:04d}", "valid")]:
                    s.add(Phone(debtor_id=d.id, number=number, label="mobile", status=st))
                for number in contacts:
                    s.add(Contact(debtor_id=d.id, name="联系人", relation="friend", phone=number))
                debtor = d.id
            c = Case(external_id=f"EXT-{n:06d}", case_no=f"DS-{n:06d}", debtor_id=debtor, stage="reminder",
                     base_status=status, base_overdue_fen=123456, status=status, overdue_fen=123456,
                     days_past_due=12, created_at=T_CREATED, updated_at=T_CREATED)
            s.add(c)
            s.flush()
            return c.id

    def debtor_of(self, case_id: int) -> int:
        with self.db.read() as s:
            case = s.get(Case, case_id)
            assert case is not None
            return case.debtor_id

    def action(self, case_id: int, level: str = "sms_1", run_on: date = date(2026, 12, 4),
               template: str = "remind_1") -> int:
        with self.db.write() as s:
            a = LadderAction(case_id=case_id, level=level, action="sms", template=template, run_on=run_on,
                             state="pending", created_at=T_CREATED)
            s.add(a)
            s.flush()
            return a.id

    def action_state(self, action_id: int) -> tuple[str, str]:
        with self.db.read() as s:
            a = s.get(LadderAction, action_id)
            assert a is not None
            return a.state, a.detail

    def messages(self, case_id: int | None = None) -> list[SmsMessage]:
        with self.db.read() as s:
            q = select(SmsMessage).order_by(SmsMessage.id)
            if case_id is not None:
                q = q.where(SmsMessage.case_id == case_id)
            return list(s.scalars(q))

    def queued(self, case_id: int) -> SmsMessage:
        (m,) = [m for m in self.messages(case_id) if m.state != "skipped"]
        return m

    def trail(self, case_id: int) -> list[dict[str, Any]]:
        with self.db.read() as s:
            rows = s.scalars(select(CaseTrailItem).where(CaseTrailItem.case_id == case_id)
                             .order_by(CaseTrailItem.id))
            return [{"kind": r.kind, "ref": r.ref, "at": r.at, **json.loads(r.data)} for r in rows]


def _sqlite_template(folder: Path) -> Path:
    path = folder / "sms-template.sqlite3"
    if not path.exists():
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        db.dispose()
    return path


@pytest.fixture(name="_sms_templates", scope="session")
def sms_templates_fixture(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"folder": str(tmp_path_factory.mktemp("sms-templates"))}


@pytest.fixture(name="sms_db")
def sms_db_fixture(backend: str, request: pytest.FixtureRequest, tmp_path: Path,
           _sms_templates: dict[str, str]) -> Iterator[Database]:
    """A fresh database at the newest schema on the test's backend."""
    if backend == "sqlite":
        path = tmp_path / "sms.sqlite3"
        shutil.copy2(_sqlite_template(Path(_sms_templates["folder"])), path)
        db = Database(f"sqlite:///{path}")
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        if "pg" not in _sms_templates:
            name = cluster.new_database()
            template = Database(cluster.url(name))
            upgrade(template)
            template.dispose()
            _sms_templates["pg"] = name
        db = Database(cluster.url(cluster.new_database(template=_sms_templates["pg"])))
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(name="world")
def world_fixture(sms_db: Database) -> SmsWorld:
    w = SmsWorld(sms_db)
    w.templates()
    return w
