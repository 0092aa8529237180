"""Safety tables (migration 0003). Everything the ladder needs is here, none of it only in memory: a
head office killed mid-session and started again finds every due step by its `next_*_at` column.

The sweep finds due work through two partial indexes: open sessions by `next_check_at`, alarms still
escalating by `next_step_at`; a pass over thousands of quiet sessions reads only index entries <= now.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from headoffice.models import Base
from headoffice.types import UTCTime

OPEN = text("state = 'open'")
STEPPING = text("next_step_at IS NOT NULL")
CHECKING = text("check_at IS NOT NULL")


class SafetyPolicyVersion(Base):
    """One stored version of a team's safety policy (the newest counts; none stored: the default)."""

    __tablename__ = "safety_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # SafetyPolicy.as_json()
    set_by: Mapped[int | None] = mapped_column(Integer)
    set_by_name: Mapped[str] = mapped_column(String(200), default="")
    set_at: Mapped[datetime] = mapped_column(UTCTime)

    __table_args__ = (UniqueConstraint("team", "version", name="uq_safety_policies_team_version"),)


class SafetyPins(Base):
    """An agent's two PINs, as argon2id hashes only."""

    __tablename__ = "safety_pins"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    safety_hash: Mapped[str] = mapped_column(String(255))
    duress_hash: Mapped[str] = mapped_column(String(255))
    set_at: Mapped[datetime] = mapped_column(UTCTime)


class VisitSession(Base):
    """A visit an agent is timed for. `stage`: 0 waiting for due_at, 1 reminded (waiting for the
    grace), 2 the overdue alarm is raised (the alarm escalates from here). `next_check_at` is when the
    sweep looks at it next (None: nothing more to do)."""

    __tablename__ = "safety_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str] = mapped_column(String(64), default="")
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    partner_id: Mapped[int | None] = mapped_column(Integer)
    planned_minutes: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCTime)
    due_at: Mapped[datetime] = mapped_column(UTCTime)
    extended_minutes: Mapped[int] = mapped_column(Integer, default=0)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    position_source: Mapped[str] = mapped_column(String(16), default="none")
    state: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    closed_at: Mapped[datetime | None] = mapped_column(UTCTime)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCTime)
    wrong_pins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCTime)

    __table_args__ = (
        Index("ix_safety_sessions_next_check", "next_check_at", postgresql_where=OPEN, sqlite_where=OPEN),
        # An agent has at most one open session: a second open races into this, never past it.
        Index("ux_safety_sessions_open_agent", "agent_id", unique=True, postgresql_where=OPEN, sqlite_where=OPEN),
        Index("ix_safety_sessions_team_started", "team", "started_at"),
    )


class SafetyAlarm(Base):
    """An AMBER or RED alarm. `next_step_at`: when it escalates next (AMBER -> RED, or the next red
    contact step); None once acknowledged, resolved, or when the ladder is exhausted."""

    __tablename__ = "safety_alarms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("safety_sessions.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str] = mapped_column(String(64), default="")
    case_id: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(8))  # amber | red
    kind: Mapped[str] = mapped_column(String(16))  # overdue | sos | duress | day_end
    raised_at: Mapped[datetime] = mapped_column(UTCTime)
    state: Mapped[str] = mapped_column(String(16), default="raised")  # raised | acknowledged | resolved
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    red_step: Mapped[int] = mapped_column(Integer, default=0)
    red_since: Mapped[datetime | None] = mapped_column(UTCTime)
    next_step_at: Mapped[datetime | None] = mapped_column(UTCTime)
    acknowledged_by: Mapped[int | None] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCTime)
    resolved_by: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_safety_alarms_next_step", "next_step_at", postgresql_where=STEPPING, sqlite_where=STEPPING),
        Index("ix_safety_alarms_team_raised", "team", "raised_at"),
    )


class SafetyDay(Base):
    """An agent's safety day (local day in the policy zone): created by their first session that day.
    `check_at` is the day-end time the sweep looks at (None once said "back safe" or alarmed); the
    primary key makes the day_end alarm once per agent per day."""

    __tablename__ = "safety_days"

    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team: Mapped[str] = mapped_column(String(64), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCTime)
    check_at: Mapped[datetime | None] = mapped_column(UTCTime)
    alarm_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_safety_days_check", "check_at", postgresql_where=CHECKING, sqlite_where=CHECKING),)


class SafetyReply(Base):
    """What a command with a `client_ref` answered: a replay answers the same and does nothing."""

    __tablename__ = "safety_replies"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    client_ref: Mapped[str] = mapped_column(String(36), primary_key=True)
    command: Mapped[str] = mapped_column(String(64))  # route and session, never the body (a check-out's holds the PIN)
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCTime)


class SafetyLog(Base):
    """Append-only audit of every safety step: who or what did it, when, to which session and alarm."""

    __tablename__ = "safety_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCTime)
    actor: Mapped[str] = mapped_column(String(64))  # a username, or "sweep"
    action: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int | None] = mapped_column(Integer, index=True)
    alarm_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")


class Notification(Base):
    """One message to one recipient on one channel, with its delivery state (outbox.py)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # window | sms | webhook
    recipient_id: Mapped[int | None] = mapped_column(Integer)
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    alarm_id: Mapped[int | None] = mapped_column(Integer, index=True)
    session_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # reminder | nearby_alarm | alarm | info
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(12))  # queued | sent | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    queued_at: Mapped[datetime] = mapped_column(UTCTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCTime)

    __table_args__ = (Index("ix_notifications_recipient", "recipient_id", "channel", "id"),)
