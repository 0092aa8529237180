"""Head-office tables (typed SQLAlchemy 2). Schema changes go through `headoffice/migrations/`.

Imported case data (debtor, accounts, base status and overdue) is the lending platform's truth;
field facts arrive as append-only `events` and are projected into attempts, promises, payments,
safety notes and relief proposals (one row per event, keyed by the event id). Derived case state
(status, overdue after payments, note expiry) is recomputed from the whole set of a case's events
in a fixed order, so the projection does not depend on the order events arrive in.

`changes` is the pull log: a server-assigned, gap-free, commit-ordered sequence (see `changes.py`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import UTCTime


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCTime)
    base_lat: Mapped[float | None] = mapped_column(Float)
    base_lon: Mapped[float | None] = mapped_column(Float)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCTime)
    created_at: Mapped[datetime] = mapped_column(UTCTime)
    # The agent's standing partner (the second collector at visits that need two): kept on both
    # users of the pair, each pointing at the other; an agent is in at most one pair (pairs.py).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # E.164 mobile number (safety alarms go to it by SMS where a gateway is configured).
    phone: Mapped[str | None] = mapped_column(String(32))


class PairChange(Base):
    """Append-only record of every standing-pair change: who made it, how, and what it replaced."""

    __tablename__ = "pair_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCTime)
    actor: Mapped[str] = mapped_column(String(64))  # username, or "cli" for the command line
    via: Mapped[str] = mapped_column(String(8))  # api | cli | demo
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(Integer)  # None: the pair was cleared
    previous_partner_id: Mapped[int | None] = mapped_column(Integer)


class Token(Base):
    """Opaque bearer tokens, stored only as SHA-256 hashes; revocable; bound to one device."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # access | refresh
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    family: Mapped[str] = mapped_column(String(32), index=True)  # one login; a reused refresh revokes it all
    expires_at: Mapped[datetime] = mapped_column(UTCTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCTime)


class Debtor(Base):
    __tablename__ = "debtors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    id_number: Mapped[str] = mapped_column(String(32))
    # The debtor's IANA time zone (quiet hours are judged in it); None: the compliance profile's zone.
    zone: Mapped[str | None] = mapped_column(String(64))

    phones: Mapped[list[Phone]] = relationship(cascade="all, delete-orphan", order_by="Phone.id")
    addresses: Mapped[list[Address]] = relationship(cascade="all, delete-orphan", order_by="Address.id")
    contacts: Mapped[list[Contact]] = relationship(cascade="all, delete-orphan", order_by="Contact.id")


class Phone(Base):
    __tablename__ = "phones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(32), default="mobile")
    status: Mapped[str] = mapped_column(String(16), default="unknown")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(String(64), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)  # a "moved" outcome's new address


class Contact(Base):
    """Emergency contacts: third parties (restricted by the compliance profile)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32))
    refused_contact: Mapped[bool] = mapped_column(Boolean, default=False)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str] = mapped_column(String(64), default="", index=True)
    stage: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str | None] = mapped_column(String(32))
    # What the lending platform said; events are applied on top of these.
    base_status: Mapped[str] = mapped_column(String(16))
    base_paused_reason: Mapped[str | None] = mapped_column(Text)
    base_overdue_fen: Mapped[int] = mapped_column(BigInteger)
    # Derived (recomputed from base + events).
    status: Mapped[str] = mapped_column(String(16))
    paused_reason: Mapped[str | None] = mapped_column(Text)
    overdue_fen: Mapped[int] = mapped_column(BigInteger)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCTime)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    district: Mapped[str] = mapped_column(String(64), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCTime)
    updated_at: Mapped[datetime] = mapped_column(UTCTime)

    debtor: Mapped[Debtor] = relationship()
    accounts: Mapped[list[Account]] = relationship(cascade="all, delete-orphan", order_by="Account.id")


class CaseHolder(Base):
    """Every agent a case was ever assigned to: their late events are accepted (and flagged)."""

    __tablename__ = "case_holders"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    loan_no: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(64), default="")
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    outstanding_fen: Mapped[int] = mapped_column(BigInteger)
    overdue_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    days_past_due: Mapped[int] = mapped_column(Integer)
    missed_instalments: Mapped[int] = mapped_column(Integer, default=0)
    last_payment_on: Mapped[date | None] = mapped_column(Date)


class Event(Base):
    """A field fact exactly as pushed (idempotency key = id), with the result handed back."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCTime)
    schema_version: Mapped[int] = mapped_column(Integer)
    replaces: Mapped[str | None] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCTime)
    status: Mapped[str] = mapped_column(String(16))  # accepted | flagged
    flag_reason: Mapped[str | None] = mapped_column(Text)


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCTime)
    outcome: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(32))
    to_third_party: Mapped[bool] = mapped_column(Boolean, default=False)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    right_party: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    recording_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    no_recording_reason: Mapped[str | None] = mapped_column(Text)
    collectors: Mapped[int] = mapped_column(Integer, default=1)
    details: Mapped[str] = mapped_column(Text, default="{}")


class Promise(Base):
    __tablename__ = "promises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    due: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UTCTime)


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    method: Mapped[str] = mapped_column(String(32))
    receipt_no: Mapped[str] = mapped_column(String(200))
    paid_at: Mapped[datetime] = mapped_column(UTCTime)
    collector: Mapped[str] = mapped_column(String(64), default="")


class SafetyNote(Base):
    __tablename__ = "safety_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(UTCTime)
    own_expires_at: Mapped[datetime | None] = mapped_column(UTCTime)  # as written
    expires_at: Mapped[datetime | None] = mapped_column(UTCTime)  # derived: own or an expiry event
    two_person_required: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    supersedes: Mapped[str | None] = mapped_column(String(36))
    superseded_by: Mapped[str | None] = mapped_column(String(36))  # derived
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)


class ReliefProposal(Base):
    __tablename__ = "relief_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UTCTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # derived from decision events


class Change(Base):
    """The pull log. `seq` is assigned under the write lock, so it commits in order (no gaps seen)."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(Integer)
    audience_agent: Mapped[int | None] = mapped_column(Integer)
    audience_team: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCTime)

    __table_args__ = (
        Index("ix_changes_agent_seq", "audience_agent", "seq"),
        Index("ix_changes_team_seq", "audience_team", "seq"),
        Index("ix_changes_case_seq", "case_id", "seq"),
    )


class Attachment(Base):
    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCTime)


class Meta(Base):
    """Server facts: `epoch` (this database's identity, in every cursor) and `retained_from`."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

