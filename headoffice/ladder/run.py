"""The daily ladder run: `run(db, run_on, now, dry_run=False) -> Summary`.

Every case, in batches of case-id ranges, one write transaction per batch: gather the batch's facts
(`facts.gather`, a few set-based queries), decide each case (`app.domain.ladder.decide`, on its
team's policy in force), and write what moved with one statement per table:

  case_ladder          the level, the policy version (ladder_policies.id) that put it there, the day,
                       the trigger and its evidence (at the visit level), last_run_on (the run that
                       moved it: a case the run only looked at is not written, so a day's run over a
                       million cases writes only what moved)
  ladder_transitions   one `move` via `run` per case moved, with the entry rule and its figures
  ladder_actions       what the level entered asks for: sms / letter pending (the SMS and letter parts
                       take them), field_visit / legal_action / agency done (the stage change hands over)
  case_trail           a `level` item, and a `trigger` item with the evidence at the visit level
  cases                stage (the level's), trigger, version + 1; then `announce` to the laptops

Idempotent: a case never moves on the day it entered its level, so the same date run twice finds
nothing to move (and a unique index allows one run transition per case and date besides). A dry run
reads the same and writes nothing. The summary counts moves by level, skips by reason and why the
rest stayed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.domain.compliance import Profile, builtin_profile
from app.domain.ladder import Decision, Evidence, LadderPolicy, Level, RuleMet, decide, early, months_before
from headoffice.db import Database
from headoffice.models import Case

from .facts import CaseRow, Window, add_facts, case_rows
from .models import CaseLadder, CaseTrailItem, LadderAction, LadderTransition
from .policy import StoredPolicy, all_in_force, policy_for
from .trail import announce, trail_rows

BATCH = 20_000  # case ids per batch (one write transaction each)
ACTOR = "ladder"
DONE_BY_RUN = frozenset({"field_visit", "legal_action", "agency"})  # handed over by the stage change


@dataclass
class Summary:
    run_on: date
    dry_run: bool = False
    cases: int = 0
    batches: int = 0
    moved: Counter[str] = field(default_factory=Counter)  # by the level entered
    skipped: Counter[str] = field(default_factory=Counter)  # by reason
    stayed: Counter[str] = field(default_factory=Counter)  # why: waiting, entry, no_trigger, top, not_on_ladder
    placed: int = 0  # entered the ladder at their imported stage
    no_policy: int = 0  # cases of a team with no policy (and no company default)
    policies: dict[str, int] = field(default_factory=dict)  # scope -> version in force

    @property
    def transitions(self) -> int:
        return sum(self.moved.values())

    def lines(self) -> list[str]:
        scopes = ", ".join(f"{(s or 'default')!s} v{v}" for s, v in sorted(self.policies.items())) or "none"
        out = [f"ladder run {self.run_on.isoformat()}{' (dry run: nothing written)' if self.dry_run else ''}: "
               f"{self.cases:,} cases in {self.batches} batch{'es' if self.batches != 1 else ''}; policies: {scopes}"]
        out.append("moved:   " + (_counts(self.moved) or "none") + f"  (total {self.transitions:,}"
                   + (f", {self.placed:,} placed at their imported stage" if self.placed else "") + ")")
        out.append("skipped: " + (_counts(self.skipped) or "none"))
        out.append("stayed:  " + (_counts(self.stayed) or "none"))
        if self.no_policy:
            out.append(f"no policy: {self.no_policy:,} cases (their team has none, and there is no company default)")
        return out


def _counts(c: Counter[str]) -> str:
    return ", ".join(f"{k} {n:,}" for k, n in sorted(c.items()))


@dataclass(frozen=True, slots=True)
class Move:
    row: CaseRow
    stored: StoredPolicy
    decision: Decision


def window_of(policies: Iterable[StoredPolicy], today: date) -> Window:
    triggers = [p.policy.triggers for p in policies]
    return Window(max((t.attempt_days for t in triggers), default=1),
                  months_before(today, max((t.episodes_months for t in triggers), default=1)))


def run(db: Database, run_on: date, now: datetime, dry_run: bool = False, *, profile: Profile | None = None,
        batch: int = BATCH) -> Summary:
    """Move every case the ladder says, at most one level, in batches (see the module's docstring)."""
    profile = profile or builtin_profile("CN")
    summary = Summary(run_on, dry_run)
    with db.read() as s:
        policies = all_in_force(s)
        lo, hi = s.execute(select(func.min(Case.id), func.max(Case.id))).one()
    summary.policies = {scope: p.version for scope, p in policies.items()}
    if lo is None:
        return summary
    window = window_of(policies.values(), run_on)
    for start in range(lo, hi + 1, batch):
        end = min(start + batch - 1, hi)
        unit = db.read() if dry_run else db.write()
        with unit as s:
            rows = case_rows(s, start, end, run_on, profile.timezone, profile.promise_grace_days)
            moves = _decide(s, rows, policies, run_on, profile.timezone, window, summary)
            if not dry_run:
                write_moves(s, moves, run_on, now)
        summary.batches += 1
    return summary


def _decide(s: Session, rows: Sequence[CaseRow], policies: dict[str, StoredPolicy], today: date, zone: str,
            window: Window, summary: Summary) -> list[Move]:
    """Each case's decision: from the case row where that settles it (`early`), else from all its
    facts, gathered only for those cases (`decide`, which asks `early` first: the same answer)."""
    decided: list[tuple[CaseRow, StoredPolicy, Decision]] = []
    open_: list[tuple[CaseRow, StoredPolicy]] = []
    summary.cases += len(rows)
    for row in rows:
        stored = policy_for(policies, row.team)
        if stored is None:
            summary.no_policy += 1
            continue
        quick = early(stored.policy, row.standing, row.status, row.promise_open, row.days_past_due, row.stage, today)
        if quick is None:
            open_.append((row, stored))
        else:
            decided.append((row, stored, quick))
    add_facts(s, [row for row, _ in open_], today, zone, window)
    for row, stored in open_:
        assert row.facts is not None
        decided.append((row, stored, decide(stored.policy, row.standing, row.facts, today)))
    moves = []
    for row, stored, d in decided:
        if d.skip is not None:
            summary.skipped[d.skip.value] += 1
        elif d.to is None:
            summary.stayed[d.stays] += 1
        else:
            summary.moved[d.to.code] += 1
            summary.placed += d.placed
            moves.append(Move(row, stored, d))
    moves.sort(key=lambda m: m.row.id)
    return moves


# --- writing what moved (shared with holds.py: a person's move is written the same way) ---------------


def rule_json(decision_rules: Sequence[RuleMet], placed_stage: str | None, wait_days: int | None) -> dict[str, Any]:
    """What ladder_transitions.rule records: the entry rules met with their figures."""
    out: dict[str, Any] = {"entry": [r.as_json() for r in decision_rules]}
    if placed_stage is not None:
        out["placed_at_stage"] = placed_stage
    if wait_days is not None:
        out["waited_days"] = wait_days
    return out


def trigger_after(policy: LadderPolicy, target: Level, evidence: Evidence | None,
                  current: tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    """(trigger, evidence JSON) a case keeps at `target`: new evidence at a door; the evidence that took
    it to the door on a level past it; none below the first door."""
    if evidence is not None:
        return evidence.trigger.value, json.dumps(evidence.as_json(), ensure_ascii=False)
    doors = [i for i, lv in enumerate(policy.levels) if lv.is_visit]
    if doors and policy.index(target.code) > doors[0]:
        return current
    return None, None


def write_moves(s: Session, moves: Sequence[Move], run_on: date, now: datetime) -> None:
    if not moves:
        return
    ids = [m.row.id for m in moves]
    current = {r.case_id: r for r in s.execute(
        select(CaseLadder.case_id, CaseLadder.trigger, CaseLadder.evidence).where(CaseLadder.case_id.in_(ids)))}
    new_rows, updates, transitions, cases, entries = [], [], [], [], []
    for m in moves:
        d, target = m.decision, m.decision.to
        assert target is not None
        have = current.get(m.row.id)
        trigger, evidence = trigger_after(m.stored.policy, target, d.evidence,
                                          (have.trigger, have.evidence) if have is not None else (None, None))
        values = {"level": target.code, "policy_id": m.stored.id, "entered_at": now, "entered_on": run_on,
                  "last_run_on": run_on, "trigger": trigger, "evidence": evidence}
        if have is None:
            new_rows.append({"case_id": m.row.id, "held": False, "hold_reason": None, "held_by": None, **values})
        else:
            updates.append({"b_case_id": m.row.id, **values})
        waited = (run_on - m.row.standing.entered_on).days if m.row.standing.entered_on else None
        transitions.append({"case_id": m.row.id, "kind": "move", "via": "run", "run_on": run_on, "at": now,
                            "from_level": m.row.standing.level, "to_level": target.code, "policy_id": m.stored.id,
                            "rule": json.dumps(rule_json(d.rules, m.row.stage if d.placed else None, waited),
                                               ensure_ascii=False),
                            "actor": ACTOR, "reason": ""})
        cases.append((m.row.id, target.stage, trigger))
        entries.append(Entered(m.row.id, m.row.standing.level, target, d.rules, d.evidence, "run", ""))
    if new_rows:
        s.execute(insert(CaseLadder), new_rows)
    if updates:
        _update_ladder(s, updates)
    record_entries(s, entries, transitions, run_on, now)
    set_case_stage(s, cases, now)
    announce(s, now, ids)


@dataclass(frozen=True, slots=True)
class Entered:
    case_id: int
    from_level: str | None
    to: Level
    rules: Sequence[RuleMet]
    evidence: Evidence | None
    via: str  # run | api | cli
    reason: str


def _update_ladder(s: Session, updates: list[dict[str, Any]]) -> None:
    from sqlalchemy import bindparam

    t: Any = CaseLadder.__table__
    s.execute(update(t).where(t.c.case_id == bindparam("b_case_id")).values(
        level=bindparam("level"), policy_id=bindparam("policy_id"), entered_at=bindparam("entered_at"),
        entered_on=bindparam("entered_on"), last_run_on=bindparam("last_run_on"), trigger=bindparam("trigger"),
        evidence=bindparam("evidence")), updates)


def record_entries(s: Session, entries: Sequence[Entered], transitions: list[dict[str, Any]], day: date,
                   now: datetime) -> None:
    """The transitions (given, one per entry, same order), each level's action and the trail items."""
    t: Any = LadderTransition.__table__
    ids = s.execute(insert(t).returning(t.c.id, sort_by_parameter_order=True), transitions).scalars().all()
    actions, trail = [], []
    taken = _actions_taken(s, entries, day)
    for e, transition_id in zip(entries, ids, strict=True):
        kind = e.to.action.kind
        if (e.case_id, e.to.code) not in taken:
            done = kind in DONE_BY_RUN
            actions.append({"case_id": e.case_id, "transition_id": transition_id, "level": e.to.code, "action": kind,
                            "template": e.to.action.template, "run_on": day, "state": "done" if done else "pending",
                            "detail": "handed over by the stage change" if done else "", "created_at": now,
                            "done_at": now if done else None})
        rule = e.rules[0].as_json() if e.rules else None
        trail.append(trail_rows(s, e.case_id, "level", {"from": e.from_level, "to": e.to.code, "stage": e.to.stage,
                                                        "via": e.via, "rule": rule, "reason": e.reason}, now))
        if e.evidence is not None:
            ev = e.evidence.as_json()
            trail.append(trail_rows(s, e.case_id, "trigger", ev, now))
    if actions:
        s.execute(insert(LadderAction), actions)
    s.execute(insert(CaseTrailItem), trail)


def _actions_taken(s: Session, entries: Sequence[Entered], day: date) -> set[tuple[int, str]]:
    """(case, level) pairs that already have an action for `day` (a person moved a case back and up
    again the same day: the level's action is not asked for twice)."""
    if all(e.via == "run" for e in entries):
        return set()  # a run moves a case once a day; it never re-enters a level the same day
    ids = [e.case_id for e in entries]
    return set(s.execute(select(LadderAction.case_id, LadderAction.level).where(
        LadderAction.case_id.in_(ids), LadderAction.run_on == day)).tuples().all())


def set_case_stage(s: Session, cases: Sequence[tuple[int, str, str | None]], now: datetime) -> None:
    """Case.stage and Case.trigger as the ladder says, version + 1: one UPDATE per (stage, trigger)."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    for case_id, stage, trigger in cases:
        groups.setdefault((stage, trigger), []).append(case_id)
    t: Any = Case.__table__
    for (stage, trigger), ids in groups.items():
        for start in range(0, len(ids), 5000):
            s.execute(update(t).where(t.c.id.in_(ids[start:start + 5000])).values(
                stage=stage, trigger=trigger, version=t.c.version + 1, updated_at=now))
