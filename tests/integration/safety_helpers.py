"""Shared pieces of the safety tests: a real SQLite head-office database made by `init-db` and
`demo-data`, the agents' commands run as the routes run them (one write transaction, an injected
time), and readers of the alarms and notifications tables."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from app.contract.safety import (
    CheckOutRequest,
    ExtendRequest,
    ResolveRequest,
    SafetyPolicyData,
    SessionOpenRequest,
    SosRequest,
)
from headoffice.db import Database
from headoffice.models import Case, User
from headoffice.safety import board, sessions
from headoffice.safety.alarms import Step
from headoffice.safety.models import Notification, SafetyAlarm
from headoffice.safety.pins import set_pins
from headoffice.safety.policy import store_policy

from .conftest import _make_sqlite_template

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Chengdu on the demo day
SAFETY_PIN, DURESS_PIN = "2468", "1357"
AGENTS = ("agent01", "agent02", "agent03", "agent04", "agent05", "agent06")


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def make_db(templates: Path, folder: Path) -> Database:
    path = folder / "safety.sqlite3"
    shutil.copy2(_make_sqlite_template(templates, 60), path)
    return Database(f"sqlite:///{path}")


@dataclass
class Desk:
    """The safety commands over one database, each as its route runs it."""

    db: Database

    def user(self, username: str) -> User:
        with self.db.read() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            return user

    def case_of(self, username: str) -> int:
        with self.db.read() as s:
            case_id = s.scalar(select(Case.id).where(Case.agent_id == self.user(username).id).order_by(Case.id))
            assert case_id is not None, f"{username} holds no case"
            return int(case_id)

    def run(self, username: str, now: datetime, work: Any) -> Any:
        with self.db.write() as s:
            user = s.get(User, self.user(username).id)
            return work(Step(s, now, actor=username), user)

    def pins(self, username: str) -> None:
        self.run(username, T0, lambda step, user: set_pins(step.session, user, SAFETY_PIN, DURESS_PIN, step.now))

    def policy(self, **fields: Any) -> None:
        sup = self.user("super01")
        data = SafetyPolicyData(**fields)
        self.run("super01", T0, lambda step, user: store_policy(step.session, sup.team, data, user, step.now))

    def open(self, username: str, now: datetime, planned: int = 15, **kw: Any) -> dict[str, Any]:
        body = SessionOpenRequest(case_id=kw.pop("case_id", None) or self.case_of(username), planned_minutes=planned,
                                  **kw)
        status, out = self.run(username, now, lambda step, user: sessions.open_session(step, user, body))
        assert status == 201, out
        return dict(out)

    def extend(self, username: str, session_id: int, now: datetime, by: int) -> dict[str, Any]:
        body = ExtendRequest(minutes=by)
        return dict(self.run(username, now, lambda step, user: sessions.extend(step, user, session_id, body))[1])

    def check_out(self, username: str, session_id: int, now: datetime, pin: str = SAFETY_PIN) -> tuple[int, Any]:
        body = CheckOutRequest(pin=pin)
        return self.run(username, now, lambda step, user: sessions.check_out(step, user, session_id, body))  # type: ignore[no-any-return]

    def sos(self, username: str, now: datetime, **kw: Any) -> None:
        body = SosRequest(**kw)
        self.run(username, now, lambda step, user: sessions.sos(step, user, body))

    def acknowledge(self, username: str, alarm_id: int, now: datetime) -> Any:
        return self.run(username, now, lambda step, user: board.acknowledge(step, user, alarm_id))

    def resolve(self, username: str, alarm_id: int, now: datetime, note: str = "") -> Any:
        body = ResolveRequest(outcome="agent_safe", note=note)
        return self.run(username, now, lambda step, user: board.resolve(step, user, alarm_id, body))

    def alarms(self) -> list[SafetyAlarm]:
        with self.db.read() as s:
            return list(s.scalars(select(SafetyAlarm).order_by(SafetyAlarm.id)))

    def notices(self, **where: Any) -> list[Notification]:
        with self.db.read() as s:
            q = select(Notification).order_by(Notification.id)
            for key, value in where.items():
                q = q.where(getattr(Notification, key) == value)
            return list(s.scalars(q))

    def recipients(self, **where: Any) -> list[str]:
        """Usernames the notifications matching `where` went to, in order."""
        names = {u.id: u.username for u in self.users()}
        return [names[n.recipient_id] for n in self.notices(**where) if n.recipient_id is not None]

    def users(self) -> list[User]:
        with self.db.read() as s:
            return list(s.scalars(select(User).order_by(User.id)))

    def log(self) -> list[tuple[str, str]]:
        with self.db.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(text("SELECT actor, action FROM safety_log ORDER BY id"))]

    def place(self, case_id: int, lat: float, lon: float) -> None:
        with self.db.write() as s:
            case = s.get(Case, case_id)
            assert case is not None
            case.lat, case.lon = lat, lon

