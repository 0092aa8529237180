"""POST /sync/events: store each event exactly once and answer per event.

* Idempotent by event id: a replay gets `duplicate` with the stored result; the same id with a
  different body gets `rejected` (error `id_conflict`) and the request answers 422.
* Exactly once under concurrency: the write lock (db.py) serialises pushes, so a stored id is always
  seen by the next push; the unique constraint on `events.id` is the last line of defence (a
  violation fails the request with 503, and the client's retry then gets `duplicate`).
* Never reject a field fact for a business rule: a case that moved to another agent, or an act the
  compliance engine would have blocked, is stored and `flagged` for a supervisor.
* Only a malformed event, or one on a case this user never held, is `rejected`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select
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
from app.domain.outcomes import spec
from app.domain.text_input import shown

from .changes import ChangeWriter
from .decisions import settle_flagged, subject_author, subject_problem
from .eventcheck import Malformed, body_hash, parse_event_text
from .models import Attempt, Case, CaseHolder, Event, Phone, SafetyNote, User
from .projection import NewEvent, Rows, changes_state, project_event, recompute_cases, touch_cases

# How far back the compliance check reads a case's history: the CN caps are per day, US-RegF's per
# 7 days, the third-party rule looks at the last few attempts.
HISTORY_WINDOW = timedelta(days=31)
_ACT = {"visit": ActKind.VISIT, "phone": ActKind.CALL, "sms": ActKind.SMS, "letter": ActKind.LETTER}


@dataclass(frozen=True)
class PushOutcome:
    results: list[EventResult]
    conflict: bool


def may_write(user: User, case: Case | None, held: set[int]) -> bool:
    """Whether `user` may record facts on `case` at all (else: same answer as an unknown case).
    `held`: ids of cases this agent ever held."""
    if case is None:
        return False
    if user.role == "admin":
        return True
    if user.role == "supervisor":
        return case.team == user.team
    return case.agent_id == user.id or case.id in held


def _chunks(values: Sequence[Any], n: int = 500) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), n):
        yield values[i:i + n]


class _Judge:
    """What the compliance engine needs per case, loaded once per push for all its cases."""

    def __init__(self, session: Session, cases: Mapping[int, Case], span: tuple[datetime, datetime] | None):
        """`span`: (from, before) — the attempts the rules may read for this push's acts (None: none)."""
        ids = list(cases)
        debtors = {c.debtor_id for c in cases.values()}
        self.history: dict[int, list[HistoryItem]] = defaultdict(list)
        self.notes: dict[int, list[Any]] = defaultdict(list)  # rows of the safety-note columns judged
        self.phones: dict[int, list[str]] = defaultdict(list)
        # Plain Core reads (no ORM row loading): a push of 500 events can read tens of thousands of attempts.
        conn = session.connection()
        for chunk in _chunks(ids if span is not None else []):
            assert span is not None
            q = select(Attempt.case_id, Attempt.channel, Attempt.at, Attempt.answered, Attempt.right_party,
                       Attempt.phone, Attempt.to_third_party).where(Attempt.case_id.in_(chunk),
                                                                    Attempt.at >= span[0], Attempt.at < span[1])
            for case_id, channel, at, answered, right_party, phone, to_third_party in conn.execute(q).all():
                self.history[case_id].append(_history_item(channel, at, answered, right_party, phone,
                                                           to_third_party))
        by_debtor: dict[int, list[int]] = defaultdict(list)
        for c in cases.values():
            by_debtor[c.debtor_id].append(c.id)
        for chunk in _chunks(list(debtors)):
            for n in conn.execute(select(SafetyNote.case_id, SafetyNote.debtor_id, SafetyNote.severity,
                                         SafetyNote.two_person_required, SafetyNote.do_not_visit, SafetyNote.text,
                                         SafetyNote.reported_at, SafetyNote.superseded_by, SafetyNote.expires_at)
                                  .where(SafetyNote.case_id.in_(ids) | SafetyNote.debtor_id.in_(chunk))).all():
                targets = set(by_debtor.get(n.debtor_id or -1, []))
                if n.case_id in cases:
                    targets.add(n.case_id)
                for cid in targets:
                    self.notes[cid].append(n)
            for debtor_id, status in conn.execute(select(Phone.debtor_id, Phone.status)
                                                     .where(Phone.debtor_id.in_(chunk))):
                self.phones[debtor_id].append(status)

    def add(self, case_id: int, ev: EventIn) -> None:
        """Later events of the same push see this one in the history."""
        p = ev.payload
        if ev.kind == "outcome":
            rpc = spec(p["code"]).is_rpc
            self.history[case_id].append(_history_item(p["channel"], ev.occurred_at,
                                                       rpc or p["code"] == "third_party_met", rpc, p.get("phone"),
                                                       bool(p.get("to_third_party"))))

    def judge(self, case: Case, ev: EventIn, profile: Profile) -> str | None:
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
        history = [h for h in self.history[case.id] if h.at < ev.occurred_at]
        safety = [SafetyFlag(Severity(n.severity).rank, n.two_person_required, n.do_not_visit, n.text)
                  for n in self.notes[case.id] if n.reported_at <= ev.occurred_at and n.superseded_by is None
                  and (n.expires_at is None or n.expires_at > ev.occurred_at)]
        statuses = self.phones[case.debtor_id]
        context = CaseContext(history=history, safety=safety,
                              all_debtor_numbers_invalid=bool(statuses) and all(s == "invalid" for s in statuses))
        decision = evaluate(act, context, profile)
        if decision.allowed:
            return None
        return "compliance: " + ", ".join(decision.rules)


def history_span(profile: Profile, events: Sequence[EventIn]) -> tuple[datetime, datetime] | None:
    """The stored attempts the compliance rules can read when judging these events: (from, before).

    Calls are judged against the same local day, the profile's attempt cap and conversation
    cool-down; a third-party contact against the debtor's last few tries (read back HISTORY_WINDOW).
    Visits, messages and letters read no history. Each act only sees attempts before it, so nothing
    at or after the latest act is needed. None: no act here reads history.
    """
    window: timedelta | None = None
    for ev in events:
        if ev.kind != "outcome":
            continue
        p = ev.payload
        if p.get("to_third_party") and p.get("channel") != "letter":
            window = HISTORY_WINDOW
            break
        if p.get("channel") == "phone":
            days = max(2, *(d + 1 for d in ((profile.attempt_cap or (0, 0))[1],
                                           profile.conversation_cooldown_days or 0)))
            window = max(window or timedelta(0), timedelta(days=days))
    if window is None:
        return None
    acts = [ev.occurred_at for ev in events if ev.kind == "outcome"]
    return min(acts) - window, max(acts)


def _history_item(channel: str, at: datetime, answered: bool, right_party: bool, phone: str | None,
                  to_third_party: bool) -> HistoryItem:
    kind = ActKind.THIRD_PARTY_CONTACT if to_third_party else _ACT.get(channel, ActKind.CALL)
    return HistoryItem(at=at, kind=kind, answered=answered, right_party=right_party, phone=phone,
                       to_third_party=to_third_party)


@dataclass
class _Pending:
    """An event stored by this push (its seq is known once inserted)."""

    id: str
    kind: str
    case_id: int
    body_hash: str
    payload: Mapping[str, Any]
    occurred_at: datetime
    flag_reason: str | None
    seq: int | None = None


# Kinds that say nothing about the case itself (a day plan's stop): stored, never flagged, and they
# do not make a new case version (which would re-send the case and stale a supervisor's If-Match).
QUIET_KINDS = ("visit_planned",)

_CONFLICT = "id_conflict: this event id was stored with a different body"


def push(session: Session, user: User, items: Sequence[Any], profile: Profile, now: datetime,
         changes: ChangeWriter) -> PushOutcome:
    """Store a batch. The caller holds the write lock (see db.py), so no other push interleaves."""
    parsed: list[tuple[str, EventIn | str, str]] = []
    payload_text: dict[str, str] = {}  # event id -> canonical payload, as stored
    for raw in items:
        # shown(): a malformed id is echoed back, so it must be text a JSON reply can carry
        raw_id = shown(str(raw.get("id", ""))[:64], 64) if isinstance(raw, Mapping) else ""
        try:
            good, text = parse_event_text(raw)
        except Malformed as exc:
            parsed.append((raw_id, str(exc), ""))
            continue
        payload_text.setdefault(good.id, text)
        parsed.append((good.id, good, body_hash(good)))
    valid = [p[1] for p in parsed if isinstance(p[1], EventIn)]
    stored: dict[str, Event] = {}
    for chunk in _chunks([e.id for e in valid]):
        stored.update({e.id: e for e in session.scalars(select(Event).where(Event.id.in_(chunk)))})
    cases: dict[int, Case] = {}
    for chunk in _chunks(sorted({e.case_id for e in valid})):
        cases.update({c.id: c for c in session.scalars(select(Case).where(Case.id.in_(chunk)))})
    held: set[int] = set()
    if user.role == "agent":
        for chunk in _chunks(list(cases)):
            held.update(session.scalars(select(CaseHolder.case_id).where(CaseHolder.user_id == user.id,
                                                                          CaseHolder.case_id.in_(chunk))))
    fresh = [e for e in valid if e.id not in stored]
    fresh_cases = {e.case_id for e in fresh}
    judge = _Judge(session, {cid: c for cid, c in cases.items() if cid in fresh_cases and may_write(user, c, held)},
                   history_span(profile, fresh))

    conflict = False
    touched: dict[int, Case] = {}
    affected: set[int] = set()  # cases whose derived state this push may change
    new: dict[str, _Pending] = {}
    rows = Rows()
    event_rows: list[dict[str, Any]] = []
    slots: list[tuple[str, Event | _Pending | None, str, str | None]] = []  # (id, event, status, error)
    with session.no_autoflush:
        for event_id, ev_in, digest in parsed:
            if not isinstance(ev_in, EventIn):
                slots.append((event_id, None, "rejected", ev_in))
                continue
            earlier: Event | _Pending | None = stored.get(ev_in.id) or new.get(ev_in.id)
            if earlier is not None:
                if earlier.body_hash == digest:
                    slots.append((ev_in.id, earlier, "duplicate", None))
                else:
                    conflict = True
                    slots.append((ev_in.id, None, "rejected", _CONFLICT))
                continue
            case = cases.get(ev_in.case_id)
            if not may_write(user, case, held):
                slots.append((ev_in.id, None, "rejected", "unknown case"))
                continue
            assert case is not None
            reasons = _flags(user, case, ev_in)
            if ev_in.kind == "outcome":
                verdict = judge.judge(case, ev_in, profile)
                if verdict:
                    reasons.append(verdict)
            judge.add(case.id, ev_in)
            problem = project_event(session, rows, NewEvent(ev_in.id, case.id, ev_in.kind, ev_in.payload,
                                                            ev_in.occurred_at), case, user)
            if problem:
                reasons.append(problem)
            if ev_in.kind == "decision" and not reasons:
                problem = subject_problem(session, case, ev_in.payload)
                if problem:
                    reasons.append(problem)
            pending = _Pending(ev_in.id, ev_in.kind, case.id, digest, ev_in.payload, ev_in.occurred_at,
                               "; ".join(reasons)[:2000] if reasons else None)
            event_rows.append({
                "id": ev_in.id, "device_id": ev_in.device_id, "device_seq": ev_in.device_seq, "case_id": case.id,
                "case_version": ev_in.case_version, "kind": ev_in.kind, "payload": payload_text[ev_in.id],
                "occurred_at": ev_in.occurred_at, "schema_version": ev_in.schema_version,
                "replaces": ev_in.replaces, "body_hash": digest, "author_id": user.id, "received_at": now,
                "status": "flagged" if reasons else "accepted", "flag_reason": pending.flag_reason})
            new[ev_in.id] = pending
            if ev_in.kind not in QUIET_KINDS:
                touched[case.id] = case
                if changes_state(ev_in.kind, ev_in.payload):
                    affected.add(case.id)
            slots.append((ev_in.id, pending, "flagged" if reasons else "accepted", None))
    if event_rows:
        # One executemany, then the seqs read back: SQLite cannot return them in parameter order from a
        # multi-row insert, so RETURNING here would run one INSERT per event.
        session.execute(insert(cast(Table, Event.__table__)), event_rows)
        for chunk in _chunks(list(new)):
            for event_id, seq in session.execute(select(Event.id, Event.seq).where(Event.id.in_(chunk))):
                new[event_id].seq = seq
        rows.write(session)
    session.flush()
    settle_flagged(session, {ev.case_id for ev in new.values() if ev.flag_reason or (
        ev.kind == "decision" and ev.payload.get("subject") == "flagged_event")})
    # Derived state is a function of the set of events, and most outcomes (no answer…) cannot change it.
    recompute_cases(session, [c for cid, c in touched.items() if cid in affected])
    touch_cases(session, list(touched.values()), now)
    changes.add_many([row for case in touched.values() for row in ChangeWriter.case_rows(case.id, case.agent_id,
                                                                                          case.team)])
    for ev in new.values():
        case = cases[ev.case_id]
        if ev.flag_reason:
            data = {"event_status": "flagged", "reason": ev.flag_reason, "author": user.username}
            changes.add("event_status", case_id=case.id, agent=user.id, team=case.team or None,
                        event_id=ev.id, data=data)
        elif ev.kind == "decision":
            p = ev.payload
            decision = DecisionData(subject=p["subject"], subject_id=p["subject_id"], approved=p["approved"],
                                    reason=str(p.get("reason") or ""), decided_by=user.username,
                                    decided_at=ev.occurred_at)
            # The agent who recorded the subject, and the case's agent now (once each).
            audience = list(dict.fromkeys(a for a in (subject_author(session, str(p["subject_id"])), case.agent_id)
                                          if a is not None and a != user.id)) or [None]
            for i, agent in enumerate(audience):
                changes.add("decision", case_id=case.id, agent=agent, team=(case.team or None) if i == 0 else None,
                            event_id=ev.id, data=decision.model_dump(mode="json"))
    results = [EventResult(id=eid, status=status, error=error) if ev is None else  # type: ignore[arg-type]
               EventResult(id=eid, status=status, server_seq=ev.seq, flag_reason=ev.flag_reason)  # type: ignore[arg-type]
               for eid, ev, status, error in slots]
    return PushOutcome(results, conflict)


def _flags(user: User, case: Case, ev: EventIn) -> list[str]:
    reasons: list[str] = []
    if ev.kind in QUIET_KINDS:
        return reasons  # a plan is not a field fact: nothing for a supervisor to judge
    if user.role == "agent" and case.agent_id != user.id:
        reasons.append("case reassigned: now held by another agent" if case.agent_id
                       else "case returned to head office")
    if ev.kind == "decision" and user.role == "agent":
        reasons.append("a decision needs a supervisor")
    return reasons
