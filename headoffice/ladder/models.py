"""Escalation-ladder tables (migration 0004): policies, each case's place on the ladder, every move,
the actions a move asks for, the trail the laptop shows, and the evidence for a visit trigger.

The ladder is run by head office only (`headoffice/ladder/run.py`); the laptop receives the trail
with the case (`CaseData.ladder`) and never edits any of it.

- `ladder_policies`: one row per stored version of a scope's policy (scope = a team, or "" for the
  company default). The newest version of a scope is in force; a case records the version that
  moved it (`case_ladder.policy_id`, `ladder_transitions.policy_id`).
- `case_ladder`: where a case stands (one row per case once the ladder has looked at it).
- `ladder_transitions`: append-only: every level change, by the daily run, by a supervisor (move),
  and every hold and release. A run writes at most one per case per run date (a partial unique index).
- `ladder_actions`: what a level entered asks head office to do (send an SMS, send a lawyer's
  letter, hand to a field visit, legal action, agency). The SMS and letter modules consume the
  pending ones; one per (case, level, run date).
- `case_trail`: what the case timeline shows of the ladder (level entered, trigger, SMS sent and
  delivered, letter made and mailed, hold, move), as structured data the laptop words itself.
- `serious_defaults`: a person's finding of serious default (asset transfer, forged signature) with
  the attached document that proves it.
- `delinquency_episodes`: each time a case fell overdue (from the imports), for "repeated
  delinquency".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from headoffice.models import Base
from headoffice.types import UTCTime


class LadderPolicyVersion(Base):
    __tablename__ = "ladder_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # a team; "" is the company default
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # the policy as JSON (app/domain/ladder.py)
    set_by: Mapped[int | None] = mapped_column(Integer)
    set_by_name: Mapped[str] = mapped_column(String(200), default="")
    set_at: Mapped[datetime] = mapped_column(UTCTime)

    __table_args__ = (UniqueConstraint("scope", "version", name="uq_ladder_policies_scope_version"),)


class CaseLadder(Base):
    __tablename__ = "case_ladder"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(32))  # the policy level's code
    policy_id: Mapped[int | None] = mapped_column(Integer)  # ladder_policies.id that put it there
    entered_at: Mapped[datetime] = mapped_column(UTCTime)
    entered_on: Mapped[date] = mapped_column(Date)  # the run date (or the day of a manual move)
    last_run_on: Mapped[date | None] = mapped_column(Date)  # the last run date that moved it
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    held_by: Mapped[str | None] = mapped_column(String(64))
    trigger: Mapped[str | None] = mapped_column(String(32))  # VisitTrigger, when at or past the visit level
    evidence: Mapped[str | None] = mapped_column(Text)  # JSON: what shows the trigger

    __table_args__ = (Index("ix_case_ladder_level", "level"),)


class LadderTransition(Base):
    __tablename__ = "ladder_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # move | hold | release
    via: Mapped[str] = mapped_column(String(8))  # run | api | cli
    run_on: Mapped[date | None] = mapped_column(Date)  # the run date (via=run)
    at: Mapped[datetime] = mapped_column(UTCTime)
    from_level: Mapped[str | None] = mapped_column(String(32))
    to_level: Mapped[str | None] = mapped_column(String(32))
    policy_id: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(Text, default="")  # JSON: the entry rule that held, with the figures
    actor: Mapped[str] = mapped_column(String(64))  # "ladder" for the run, else a username or "cli"
    reason: Mapped[str] = mapped_column(Text, default="")  # a person's reason (move, hold, release)

    __table_args__ = (
        Index("uq_ladder_transitions_run", "case_id", "run_on", unique=True, sqlite_where=text("via = 'run'"),
              postgresql_where=text("via = 'run'")),
        Index("ix_ladder_transitions_run_on", "run_on"),
    )


class LadderAction(Base):
    __tablename__ = "ladder_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    transition_id: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))  # sms | letter | field_visit | legal_action | agency
    template: Mapped[str | None] = mapped_column(String(64))  # the SMS or letter template code
    run_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done | skipped | failed
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCTime)

    __table_args__ = (
        UniqueConstraint("case_id", "level", "run_on", name="uq_ladder_actions_case_level_day"),
        Index("ix_ladder_actions_pending", "action", "run_on", sqlite_where=text("state = 'pending'"),
              postgresql_where=text("state = 'pending'")),
    )


class CaseTrailItem(Base):
    __tablename__ = "case_trail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCTime)
    # level | trigger | sms | letter | hold | release | move
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON; never an ID number, never a full phone number
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))  # a letter's PDF (attachments table)
    ref: Mapped[str | None] = mapped_column(String(64))  # the sms message / letter id it is about

    __table_args__ = (Index("ix_case_trail_case_at", "case_id", "at"),)


class SeriousDefault(Base):
    __tablename__ = "serious_defaults"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # asset_transfer | forged_signature | other
    note: Mapped[str] = mapped_column(Text)
    attachment_sha256: Mapped[str] = mapped_column(String(64))  # the document; must be in attachments
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))


class DelinquencyEpisode(Base):
    __tablename__ = "delinquency_episodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    cured_on: Mapped[date | None] = mapped_column(Date)
    overdue_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    source: Mapped[str] = mapped_column(String(16), default="import")  # import | api


# --- SMS reminders ------------------------------------------------------------------------------


class SmsTemplate(Base):
    """One stored version of an SMS template (the newest version of a code is in force)."""

    __tablename__ = "sms_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    body: Mapped[str] = mapped_column(Text)  # with {merge_field}s from the closed set
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCTime)

    __table_args__ = (UniqueConstraint("code", "version", name="uq_sms_templates_code_version"),)


class SmsMessage(Base):
    """One reminder to one of the debtor's own numbers. `scheduled_at` is the first allowed minute
    (quiet hours in the debtor's zone); the sender claims due `queued` rows."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(Integer)
    phone_id: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(32))  # E.164
    template_code: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # as merged (the signature is put in front when sent)
    zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCTime)
    scheduled_at: Mapped[datetime] = mapped_column(UTCTime)
    # queued | sending | sent | delivered | undelivered | failed | skipped
    state: Mapped[str] = mapped_column(String(12), default="queued")
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCTime)
    provider_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCTime)
    receipt_status: Mapped[str | None] = mapped_column(String(32))
    receipt_at: Mapped[datetime | None] = mapped_column(UTCTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("action_id", "phone_id", name="uq_sms_messages_action_phone"),
        Index("ix_sms_messages_due", "next_attempt_at", sqlite_where=text("state = 'queued'"),
              postgresql_where=text("state = 'queued'")),
        Index("ix_sms_messages_state", "state"),
    )


# --- lawyer's letters ---------------------------------------------------------------------------


class LawFirm(Base):
    __tablename__ = "law_firms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    lawyer: Mapped[str] = mapped_column(Text)
    licence_no: Mapped[str] = mapped_column(String(64))  # 律师执业证号
    letterhead: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCTime)


class LetterTemplate(Base):
    """One stored version of a lawyer's-letter template of one firm."""

    __tablename__ = "letter_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    firm_code: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # with {merge_field}s from the closed set
    legal_basis: Mapped[str] = mapped_column(Text)
    rights: Mapped[str] = mapped_column(Text)  # the debtor's rights and how to object
    deadline_days: Mapped[int] = mapped_column(Integer)
    channels: Mapped[str] = mapped_column(Text, default="[]")  # JSON: the designated repayment channels
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCTime)

    __table_args__ = (UniqueConstraint("code", "version", name="uq_letter_templates_code_version"),)


class Letter(Base):
    """One lawyer's letter: made on its due day, printed and mailed, checkable by its code."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    template_code: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int] = mapped_column(Integer)
    firm_code: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)  # the verification code
    recipient: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[date] = mapped_column(Date)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)  # the PDF (attachments)
    # JSON: every string the letter prints, fixed when it was made (headoffice/letters/content.py),
    # so a letter printed again is the letter that was made.
    content: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="due")  # due | made | mailed | returned | cancelled
    tracking_no: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCTime)
    made_at: Mapped[datetime | None] = mapped_column(UTCTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCTime)
