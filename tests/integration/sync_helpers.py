"""Shared helpers for the sync tests: wire case data, local field records made through the real service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from app.contract import v1
from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.outcomes import OutcomeInput, record_outcome
from app.store import models as m
from app.store.engine import Store

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Chengdu


def case_data(case_id: int, agent_id: int | None = 1, *, version: int = 1, name: str = "王伟明",
              history: list[v1.HistoryItemData] | None = None, notes: list[v1.SafetyNoteData] | None = None,
              phone: str = "+8613812345678", status: str = "open", **extra: Any) -> v1.CaseData:
    return v1.CaseData(
        id=case_id, case_no=f"HO{case_id:07d}", agent_id=agent_id, stage="field_visit", status=status,
        trigger="evading_contact", version=version, debtor_id=case_id + 1000, debtor_name=name,
        id_number="510104199001011234",
        phones=[v1.PhoneData(id=case_id * 10 + 1, number=phone, status="valid")],
        addresses=[v1.AddressData(id=case_id * 10 + 2, kind="home", text=f"成都市锦江区春熙路{case_id}号",
                                  district="锦江区", lat=30.65, lon=104.08)],
        contacts=[v1.ContactData(id=case_id * 10 + 3, name="李娜", relation="配偶", phone="+8613900000000")],
        accounts=[v1.AccountData(id=case_id * 10 + 4, loan_no=f"LN{case_id}", product="消费贷",
                                 principal_fen=5_000_000, outstanding_fen=3_000_000, overdue_fen=800_000,
                                 days_past_due=75)],
        safety_notes=notes or [], history=history or [], **extra)


def page(changes: list[v1.Change], cursor: str = "c1", more: bool = False,
         profile: dict[str, Any] | None = None) -> v1.ChangesResponse:
    return v1.ChangesResponse(changes=changes, next_cursor=cursor, has_more=more, profile=profile,
                              server_time=NOW)


def upsert(seq: int, case: v1.CaseData) -> v1.Change:
    return v1.Change(seq=seq, kind="case_upsert", case_id=case.id, case=case)


def record_no_answer(store: Store, case_id: int, at: datetime | None = None, actor: str = "agent01",
                     now: datetime | None = None) -> str:
    """A phone attempt with no answer, recorded through the real service (event + outbox + projection)."""
    at = at or NOW
    with store.read() as session:
        phone = session.execute(text(
            "SELECT p.number FROM phones p JOIN cases c ON c.debtor_id = p.debtor_id WHERE c.id = :id LIMIT 1"),
            {"id": case_id}).scalar()
    data = OutcomeInput(case_id=case_id, code=OutcomeCode.NO_ANSWER, channel=Channel.PHONE, at=at, phone=phone)
    return record_outcome(store, data, builtin_profile("CN"), actor, now=now or at + timedelta(minutes=1)).event_id


def queued(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(m.Outbox)) or 0)


def states(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {e.id: e.sync_state for e in session.scalars(select(m.Event))}
