"""POST /sync/events: store each event exactly once and answer per event.

* Idempotent by event id: a replay gets `duplicate` with the stored result; the same id with a
  different body gets `rejected` (error `id_conflict`) and the request answers 422.
* Exactly once under concurrency: the write lock serialises pushes, and the unique constraint on
  `events.id` (caught per event inside a savepoint) is the last line of defence.
* Never reject a field fact for a business rule: a case that moved to another agent, or an act the
  compliance engine would have blocked, is stored and `flagged` for a supervisor.
* Only a malformed event, or one on a case this user never held, is `rejected`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.contract.v1 import DecisionData, EventIn, EventResult
from app.domain.compliance import (
    Act,
    CaseContext,
    HistoryItem,
    Override,
    Profile,
    SafetyFlag,
    evaluate,
)
from app.domain.enums import ActKind, Severity

from .changes import ChangeWriter
from .eventcheck import Malformed, body_hash, canonical, parse_event
from .models import Attempt, Case, CaseHolder, Event, Phone, SafetyNote, User
from .projection import project_event, recompute_case

_ACT = {"visit": ActKind.VISIT, "phone": ActKind.CALL, "sms": ActKind.SMS, "letter": ActKind.LETTER}


@dataclass(frozen=True)
class PushOutcome:
    results: list[EventResult]
    conflict: bool


def _result_of(ev: Event, status: str) -> EventResult:
    return EventResult(id=ev.id, status=status, server_seq=ev.seq, flag_reason=ev.flag_reason)  # type: ignore[arg-type]


def may_write(session: Session, user: User, case: Case | None) -> bool:
    """Whether `user` may record facts on `case` at all (else: same answer as an unknown case)."""
    if case is None:
        return False
    if user.role == "admin":
        return True
    if user.role == "supervisor":
        return case.team == user.team
    return case.agent_id == user.id or session.get(CaseHolder, (case.id, user.id)) is not None


def push(session: Session, user: User, items: Sequence[Any], profile: Profile, now: datetime,
         changes: ChangeWriter) -> PushOutcome:
    results: list[EventResult] = []
    conflict = False
    touched: dict[int, Case] = {}
    flagged: list[tuple[Event, Case]] = []
    decisions: list[tuple[Event, Case]] = []
    for raw in items:
        raw_id = str(raw.get("id", ""))[:64] if isinstance(raw, Mapping) else ""
        try:
            ev_in = parse_event(raw)
        except Malformed as exc:
            results.append(EventResult(id=raw_id, status="rejected", error=str(exc)))
            continue
        digest = body_hash(ev_in)
        stored = session.scalar(select(Event).where(Event.id == ev_in.id))
        if stored is not None:
            if stored.body_hash == digest:
                results.append(_result_of(stored, "duplicate"))
            else:
                conflict = True
                results.append(EventResult(id=ev_in.id, status="rejected",
                                           error="id_conflict: this event id was stored with a different body"))
            continue
        case = session.get(Case, ev_in.case_id)
        if not may_write(session, user, case):
            results.append(EventResult(id=ev_in.id, status="rejected", error="unknown case"))
            continue
        assert case is not None
        ev = Event(id=ev_in.id, device_id=ev_in.device_id, device_seq=ev_in.device_seq, case_id=case.id,
                   case_version=ev_in.case_version, kind=ev_in.kind, payload=canonical(ev_in.payload),
                   occurred_at=ev_in.occurred_at, schema_version=ev_in.schema_version, replaces=ev_in.replaces,
                   body_hash=digest, author_id=user.id, received_at=now, status="accepted")
        reasons = _flags(session, user, case, ev_in, profile)
        try:
            with session.begin_nested():
                session.add(ev)
                session.flush()
        except IntegrityError:
            # A concurrent push stored it first (only reachable if the write lock is bypassed).
            stored = session.scalar(select(Event).where(Event.id == ev_in.id))
            if stored is None:
                raise
            same = stored.body_hash == digest
            conflict = conflict or not same
            results.append(_result_of(stored, "duplicate") if same else EventResult(
                id=ev_in.id, status="rejected", error="id_conflict: this event id was stored with a different body"))
            continue
        problem = project_event(session, ev, case, user)
        if problem:
            reasons.append(problem)
        if reasons:
            ev.status = "flagged"
            ev.flag_reason = "; ".join(reasons)[:2000]
            flagged.append((ev, case))
        if ev.kind == "decision" and ev.status == "accepted":
            decisions.append((ev, case))
        session.flush()
        touched[case.id] = case
        results.append(_result_of(ev, "flagged" if ev.flag_reason else "accepted"))
    for case in touched.values():
        session.flush()
        recompute_case(session, case)
        case.version += 1
        case.updated_at = now
        changes.case_changed(case.id, case.agent_id, case.team)
    for ev, case in flagged:
        data = {"event_status": "flagged", "reason": ev.flag_reason, "author": user.username}
        changes.add("event_status", case_id=case.id, agent=ev.author_id, team=case.team or None,
                    event_id=ev.id, data=data)
    for ev, case in decisions:
        p = json.loads(ev.payload)
        decision = DecisionData(subject=p["subject"], subject_id=p["subject_id"], approved=p["approved"],
                                reason=str(p.get("reason") or ""), decided_by=user.username,
                                decided_at=ev.occurred_at)
        changes.add("decision", case_id=case.id, agent=case.agent_id, team=case.team or None,
                    event_id=ev.id, data=decision.model_dump(mode="json"))
    return PushOutcome(results, conflict)


def _flags(session: Session, user: User, case: Case, ev: EventIn, profile: Profile) -> list[str]:
    reasons: list[str] = []
    if user.role == "agent" and case.agent_id != user.id:
        reasons.append("case reassigned: now held by another agent" if case.agent_id
                       else "case returned to head office")
    if ev.kind == "decision" and user.role == "agent":
        reasons.append("a decision needs a supervisor")
    if ev.kind == "outcome":
        decision = _judge(session, case, ev, profile)
        if decision:
            reasons.append(decision)
    return reasons


def _judge(session: Session, case: Case, ev: EventIn, profile: Profile) -> str | None:
    """Run the compliance engine on the recorded act against what head office knows."""
    p = ev.payload
    kind = _ACT[p["channel"]]
    if p.get("to_third_party") and kind in (ActKind.CALL, ActKind.SMS, ActKind.VISIT):
        kind = ActKind.THIRD_PARTY_CONTACT
    comp = p.get("compliance") or {}
    override = None
    rules = comp.get("overridden") or []
    if isinstance(rules, list) and rules and comp.get("override_reason"):
        override = Override(by=str(comp.get("override_by") or ""), reason=str(comp["override_reason"]),
                            rules=frozenset(str(r) for r in rules))
    act = Act(kind=kind, at=ev.occurred_at, phone=p.get("phone"), collectors=int(p.get("collectors") or 1),
              recording_check=kind == ActKind.VISIT, recording_sha256=p.get("recording_sha256"),
              no_recording_reason=p.get("no_recording_reason"),
              safety_acknowledged=bool(p.get("safety_acknowledged")), override=override)
    history = [HistoryItem(at=a.at, kind=(ActKind.THIRD_PARTY_CONTACT if a.to_third_party else
                                          _ACT.get(a.channel, ActKind.CALL)),
                           answered=a.answered, right_party=a.right_party, phone=a.phone,
                           to_third_party=a.to_third_party)
               for a in session.scalars(select(Attempt).where(Attempt.case_id == case.id,
                                                              Attempt.at < ev.occurred_at))]
    notes = session.scalars(select(SafetyNote).where(
        (SafetyNote.case_id == case.id) | (SafetyNote.debtor_id == case.debtor_id),
        SafetyNote.reported_at <= ev.occurred_at))
    safety = [SafetyFlag(Severity(n.severity).rank, n.two_person_required, n.do_not_visit, n.text)
              for n in notes if n.superseded_by is None and (n.expires_at is None or n.expires_at > ev.occurred_at)]
    statuses = list(session.scalars(select(Phone.status).where(Phone.debtor_id == case.debtor_id)))
    context = CaseContext(history=history, safety=safety,
                          all_debtor_numbers_invalid=bool(statuses) and all(s == "invalid" for s in statuses))
    decision = evaluate(act, context, profile)
    if decision.allowed:
        return None
    return "compliance: " + ", ".join(decision.rules)
