"""A small head office for the ladder tests on a real database (SQLite file or a PostgreSQL database of
the test cluster): templates, the design's policy, and cases made to measure."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.domain.ladder import EXAMPLE_POLICY
from headoffice.db import Database
from headoffice.ladder.models import (
    CaseLadder,
    CaseTrailItem,
    LadderAction,
    LadderTransition,
    LetterTemplate,
    SmsTemplate,
)
from headoffice.ladder.policy import store
from headoffice.migrate import upgrade
from headoffice.models import Case, Change, Debtor, Phone, User

from .conftest import PostgresCluster

SHANGHAI = ZoneInfo("Asia/Shanghai")
D0 = date(2026, 12, 1)


def morning(day: date) -> datetime:
    """06:00 in Shanghai on `day`: the injected clock of a run on that date."""
    return datetime.combine(day, time(6, 0), tzinfo=SHANGHAI).astimezone(UTC)


def policy(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(dict(EXAMPLE_POLICY))
    data.update(changes)
    return data


@pytest.fixture
def ladder_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'ho.sqlite3'}")
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        db = Database(cluster.url(cluster.new_database()))
    upgrade(db)
    now = morning(D0 - timedelta(days=40))
    with db.write() as s:
        s.add(User(username="agent01", display_name="张建军", role="agent", team="一组", password_hash="x",
                   active=True, failed_logins=0, created_at=now))
        for code in ("remind_1", "remind_2"):
            s.add(SmsTemplate(code=code, version=1, lang="zh", body="您好，您的借款已逾期，请通过官方渠道还款。",
                              active=True, set_by="test", set_at=now))
        s.add(LetterTemplate(code="firm_a_std", version=1, firm_code="firm_a", lang="zh", title="律师函",
                             body="请于期限内还款。", legal_basis="《民法典》第六百七十五条", rights="可提出异议。",
                             deadline_days=15, channels="[]", active=True, set_by="test", set_at=now))
        s.flush()
        store(s, "", policy(), actor="test", actor_id=None, now=now)
    try:
        yield db
    finally:
        db.dispose()


def add_case(db: Database, n: int, dpd: int, *, status: str = "open", paused_reason: str | None = None,
             stage: str = "reminder", team: str = "一组", came_in: date | None = None,
             phones: tuple[str, ...] = ("valid",)) -> int:
    created = morning(came_in or D0 - timedelta(days=30))
    with db.write() as s:
        agent = s.scalar(select(User.id).where(User.username == "agent01"))
        debtor = Debtor(name=f"债务人{n}", id_number="510104199001011230")
        s.add(debtor)
        s.flush()
        for i, state in enumerate(phones):
            s.add(Phone(debtor_id=debtor.id, number=f"+86138{n:04d}{i:04d}", label="mobile", status=state))
        case = Case(external_id=f"E{n}", case_no=f"C{n}", debtor_id=debtor.id, agent_id=agent, team=team,
                    stage=stage, trigger=None, base_status=status, base_paused_reason=paused_reason,
                    base_overdue_fen=100_000, status=status, paused_reason=paused_reason, overdue_fen=100_000,
                    days_past_due=dpd, version=1, created_at=created, updated_at=created)
        s.add(case)
        s.flush()
        return int(case.id)


def set_dpd(db: Database, case_id: int, dpd: int) -> None:
    """What the lending platform's next import says (the ladder reads its days past due)."""
    with db.write() as s:
        case = s.get(Case, case_id)
        assert case is not None
        case.days_past_due = dpd


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (CaseLadder, LadderTransition, LadderAction, CaseTrailItem, Change)}


def standing(db: Database, case_id: int) -> tuple[str | None, str, str | None, int]:
    """(level, stage, trigger, version)."""
    with db.read() as s:
        case = s.get(Case, case_id)
        row = s.get(CaseLadder, case_id)
        assert case is not None
        return (row.level if row else None, case.stage, case.trigger, case.version)
