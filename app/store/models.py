"""SQLAlchemy 2 typed models of the local store.

Field facts (attempts, payments, promises, safety notes, relief proposals) are projections of
append-only events; each row points at its event. The `events` + `outbox` pair is what sync
uploads. List columns on `cases` (district, bucket, overdue, next promise, safety level) are
denormalised so the case list can filter and sort in SQL over 100k rows without joins.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(64), default="")
    base_lat: Mapped[float | None] = mapped_column(Float)
    base_lon: Mapped[float | None] = mapped_column(Float)


class Debtor(Base):
    __tablename__ = "debtors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    id_number: Mapped[str] = mapped_column(String(32))

    phones: Mapped[list[Phone]] = relationship(back_populates="debtor", cascade="all, delete-orphan",
                                               order_by="Phone.id")
    addresses: Mapped[list[Address]] = relationship(back_populates="debtor", cascade="all, delete-orphan",
                                                    order_by="Address.id")
    contacts: Mapped[list[EmergencyContact]] = relationship(back_populates="debtor",
                                                            cascade="all, delete-orphan",
                                                            order_by="EmergencyContact.id")


class Phone(Base):
    __tablename__ = "phones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(32), default="mobile")
    status: Mapped[str] = mapped_column(String(16), default="unknown")

    debtor: Mapped[Debtor] = relationship(back_populates="phones")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(String(64), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    debtor: Mapped[Debtor] = relationship(back_populates="addresses")


class EmergencyContact(Base):
    __tablename__ = "emergency_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))
    refused_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    debtor: Mapped[Debtor] = relationship(back_populates="contacts")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The list's index (0003): its order is the default sort (priority, then id) and it carries every
        # filter column, so a filtered list sorted by priority walks it without reading the table. Only this
        # one index holds the priority, which every saved outcome changes (each index holding it costs the
        # save two more pages to write, sync and, on an encrypted store, encrypt).
        Index("ix_cases_list", "priority", "id", "stage", "status", "bucket", "district", "safety_level",
              "agent_id"),
        Index("ix_cases_bucket_dpd", "bucket", "days_past_due"),  # bucket filter + days sort (0002)
        # Counts under a filter (0004); an outcome never changes these columns, so saves do not pay for them.
        Index("ix_cases_stage", "stage"),
        Index("ix_cases_district", "district"),
        Index("ix_cases_safety", "safety_level"),
        Index("ix_cases_promise_due", "promise_due"),
        Index("ix_cases_dpd", "days_past_due"),
        Index("ix_cases_overdue", "overdue_fen"),
        Index("ix_cases_next_action", "next_action_on"),
        Index("ix_cases_debtor_name", "debtor_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    stage: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str | None] = mapped_column(String(32))
    paused_reason: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    priority_reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of reasons
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Denormalised for the list (kept in step by the services that change their sources).
    debtor_name: Mapped[str] = mapped_column(Text, default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    bucket: Mapped[str] = mapped_column(String(4))
    days_past_due: Mapped[int] = mapped_column(Integer)
    overdue_fen: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    promise_due: Mapped[date | None] = mapped_column(Date)
    next_action_on: Mapped[date | None] = mapped_column(Date)
    safety_level: Mapped[int] = mapped_column(Integer, default=0)  # 0 none, 1 low, 2 medium, 3 severe
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    debtor: Mapped[Debtor] = relationship()
    accounts: Mapped[list[Account]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                   order_by="Account.id")


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    loan_no: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(64))
    principal_fen: Mapped[int] = mapped_column(Integer)
    outstanding_fen: Mapped[int] = mapped_column(Integer)
    overdue_fen: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    days_past_due: Mapped[int] = mapped_column(Integer)
    missed_instalments: Mapped[int] = mapped_column(Integer, default=0)
    last_payment_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(back_populates="accounts")


class Event(Base):
    """An append-only field fact. Its id is the client UUID and the idempotency key."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("device_id", "device_seq", name="uq_events_device_seq"),
        Index("ix_events_case_time", "case_id", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int] = mapped_column(Integer)  # no FK: a case may leave the laptop before its events
    case_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    schema_version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    replaces: Mapped[str | None] = mapped_column(String(36))
    sync_state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|acked|flagged|dead
    server_seq: Mapped[int | None] = mapped_column(Integer)
    flag_reason: Mapped[str | None] = mapped_column(Text)


class Outbox(Base):
    """An event waiting to upload. Its id is the event's device sequence, so the outbox is read in
    sequence order along its own rows (migration 0005)."""

    __tablename__ = "outbox"
    __table_args__ = (CheckConstraint("id = device_seq", name="ck_outbox_id_is_device_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), unique=True)
    device_seq: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeadLetter(Base):
    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), unique=True)
    status_code: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactAttempt(Base):
    __tablename__ = "contact_attempts"
    __table_args__ = (Index("ix_attempts_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(32))
    to_third_party: Mapped[bool] = mapped_column(Boolean, default=False)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    right_party: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    recording_sha256: Mapped[str | None] = mapped_column(String(64))
    no_recording_reason: Mapped[str | None] = mapped_column(Text)
    collectors: Mapped[int] = mapped_column(Integer, default=1)
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the outcome's own fields


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    method: Mapped[str] = mapped_column(String(32))
    receipt_no: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collector: Mapped[str] = mapped_column(String(64), default="")


class Promise(Base):
    __tablename__ = "promises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    due: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="open")


class SafetyNote(Base):
    __tablename__ = "safety_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[int | None] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    two_person_required: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    supersedes: Mapped[str | None] = mapped_column(String(36))
    superseded_by: Mapped[str | None] = mapped_column(String(36))
    event_id: Mapped[str | None] = mapped_column(String(36))


class ReliefProposal(Base):
    __tablename__ = "relief_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Append-only, hash-chained. `seq` is contiguous from 1; see app.domain.audit."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(27))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class SyncState(Base):
    """Small key/value table: device id, next device sequence, pull cursor, last sync, clock skew."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DayPlan(Base):
    """The saved plan of one agent's day: stops in order, locks and parameters, as JSON (app.routing owns it)."""

    __tablename__ = "day_plans"
    __table_args__ = (UniqueConstraint("agent_id", "day", name="uq_day_plans_agent_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(Base):
    """Something the user must be told (a case reassigned away, a decision from a supervisor…)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    read: Mapped[bool] = mapped_column(Boolean, default=False)


class Attachment(Base):
    """Evidence (photo, audio/video recording) stored by SHA-256 in the data folder."""

    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded: Mapped[bool] = mapped_column(Boolean, default=False)


class VisitSession(Base):
    """A visit session (safety at the door) as this laptop keeps it: opened here (or adopted from head office),
    counted down here, closed here by a PIN. `server_id` is head office's id once it has the session."""

    __tablename__ = "visit_sessions"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'closed')", name="ck_visit_sessions_state"),
        Index("ix_visit_sessions_state", "state"),
        Index("ix_visit_sessions_started", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # local uuid
    case_id: Mapped[int] = mapped_column(Integer)  # no FK: the case may leave the laptop before the session is sent
    case_number: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text, default="")
    partner_id: Mapped[int | None] = mapped_column(Integer)
    partner_name: Mapped[str | None] = mapped_column(Text)
    planned_minutes: Mapped[int] = mapped_column(Integer)
    extended_minutes: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    position_source: Mapped[str] = mapped_column(String(16), default="none")
    state: Mapped[str] = mapped_column(String(8), default="open")
    server_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    head_office_knows: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    wrong_pins: Mapped[int] = mapped_column(Integer, default=0)  # wrong PINs in a row on this session
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SafetyOutbox(Base):
    """A safety command waiting for head office: sent before the event outbox, SOS (priority 0) first, then
    in the order queued. A queued check-out holds the PIN the agent typed until head office answers it; the
    row is deleted the moment it does."""

    __tablename__ = "safety_outbox"
    __table_args__ = (
        CheckConstraint("kind IN ('open', 'extend', 'check_out', 'sos', 'day_end')", name="ck_safety_outbox_kind"),
        Index("ix_safety_outbox_order", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_ref: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[str | None] = mapped_column(ForeignKey("visit_sessions.id"))
    body: Mapped[str] = mapped_column(Text)  # JSON, the request as the agent made it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 0 = SOS


class SafetyPinVerifier(Base):
    """An argon2id verifier of one of the agent's two PINs, stored in random order with no label: nothing
    here says which is the safety PIN and which the duress PIN (see app.services.visit_pins)."""

    __tablename__ = "safety_pin_verifiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verifier: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SafetyReportDay(Base):
    """Head office's safety report of one day of the supervisor's team (`GET /safety/report`), kept as
    head office sent it (SafetyReportResponse JSON) so the team report has a safety section offline.
    A supervisor's sync round refreshes today and yesterday."""

    __tablename__ = "safety_report_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseLadder(Base):
    """Where head office's escalation ladder has a case (`CaseData.ladder_level`) and, when it is at a door,
    why (`CaseData.trigger_why`, the TriggerData JSON as head office sent it). Written by the pull only;
    nothing on the laptop edits it. No row: head office sent neither."""

    __tablename__ = "case_ladder"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str | None] = mapped_column(String(64))
    trigger_why: Mapped[str | None] = mapped_column(Text)


class LadderTrailItem(Base):
    """One step of the ladder on the case's timeline (`CaseData.ladder`), as head office sent it: its id is
    head office's, `data` the kind's JSON (see `TrailItemData`), `attachment_sha256` a letter's PDF. The pull
    replaces a case's items with what head office sends; nothing on the laptop edits them."""

    __tablename__ = "ladder_trail"
    __table_args__ = (
        Index("ix_ladder_trail_case_at", "case_id", "at"),
        Index("ix_ladder_trail_attachment", "attachment_sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text, default="{}")
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))


def configure_all_mappers() -> None:
    """Configure every ORM mapper now (thread-safe): the first query would otherwise pay for it."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
