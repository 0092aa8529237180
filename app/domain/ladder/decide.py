"""One case's facts and the daily decision (`early`, `decide`), the visit triggers and a person's move.
See the package docstring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from ..enums import CaseStatus, Stage, VisitTrigger
from .policy import MAX_EVIDENCE_FACTS, LadderPolicy, Level, Triggers, _show

# --- one case's facts and the decision --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokenPromise:
    due: date
    amount_fen: int


@dataclass(frozen=True, slots=True)
class AttemptFact:
    """An unanswered or refused contact attempt (the day is the local day it happened on)."""

    at: datetime
    day: date
    channel: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A person's finding of serious default, with its document."""

    finding: str  # asset_transfer | forged_signature | other
    note: str
    sha256: str


@dataclass(frozen=True, slots=True)
class CaseFacts:
    days_past_due: int
    status: str = CaseStatus.OPEN.value
    promise_open: bool = False  # a promise to pay that is neither kept nor past its grace
    broken_promises: tuple[BrokenPromise, ...] = ()
    episodes: tuple[date, ...] = ()  # the days delinquency episodes started
    unanswered: tuple[AttemptFact, ...] = ()  # unanswered or refused attempts (the window is the policy's)
    numbers: int = 0  # the debtor's phone numbers
    dead_numbers: tuple[str, ...] = ()  # masked: those marked invalid
    last_payment_on: date | None = None
    came_in_on: date | None = None
    serious_default: Finding | None = None
    stage: str = Stage.REMINDER.value  # the case's stage now (places a case new to the ladder)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a case stands on the ladder (level None: not on it yet)."""

    level: str | None = None
    entered_on: date | None = None
    held: bool = False


class Skip(StrEnum):
    CLOSED = "closed"
    RETURNED = "returned"  # handed back to the lending platform
    PAUSED = "paused"  # hardship or dispute (or deceased) under review
    PROMISED = "promised"  # a promise to pay within its grace
    HELD = "held"  # a supervisor holds it at its level
    UNKNOWN_LEVEL = "unknown_level"  # its level is no longer in the policy: a person moves it


@dataclass(frozen=True, slots=True)
class RuleMet:
    kind: str  # an entry key
    value: int
    threshold: int

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "threshold": self.threshold}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A detected visit trigger: the facts that show it and the thresholds they met."""

    trigger: VisitTrigger
    detected_on: date
    facts: tuple[Mapping[str, Any], ...]
    thresholds: Mapping[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"trigger": self.trigger.value, "detected_on": self.detected_on.isoformat(),
                "facts": [dict(f) for f in self.facts], "thresholds": dict(self.thresholds)}


@dataclass(frozen=True, slots=True)
class Decision:
    skip: Skip | None = None
    to: Level | None = None  # the level the case enters today (None: it stays)
    rules: tuple[RuleMet, ...] = ()
    placed: bool = False  # entering the ladder at its imported stage (no entry rule asked)
    evidence: Evidence | None = None
    stays: str = ""  # why it stays: top | waiting | entry | no_trigger | not_on_ladder


@lru_cache(maxsize=1024)
def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day where it has fewer)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m, d)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def in_window(facts: CaseFacts, triggers: Triggers,
              today: date) -> tuple[tuple[AttemptFact, ...], tuple[date, ...]]:
    """(unanswered attempts in the last attempt_days days, episodes started in the last episodes_months)."""
    first_day = today - timedelta(days=triggers.attempt_days - 1)
    attempts = tuple(a for a in facts.unanswered if first_day <= a.day <= today)
    since = months_before(today, triggers.episodes_months)
    episodes = tuple(e for e in facts.episodes if since < e <= today)
    return attempts, episodes


def entry_met(level: Level, policy: LadderPolicy, facts: CaseFacts, today: date) -> tuple[RuleMet, ...] | None:
    """The entry rules of `level` with the case's figures, or None when one of them does not hold."""
    e = level.entry
    met: list[RuleMet] = []
    if e.days_past_due is not None:
        if facts.days_past_due < e.days_past_due:
            return None
        met.append(RuleMet("days_past_due", facts.days_past_due, e.days_past_due))
    if e.broken_promises is not None:
        n = sum(1 for p in facts.broken_promises if p.due <= today)
        if n < e.broken_promises:
            return None
        met.append(RuleMet("broken_promises", n, e.broken_promises))
    if e.unanswered_attempts is not None:
        n = len(in_window(facts, policy.triggers, today)[0])
        if n < e.unanswered_attempts:
            return None
        met.append(RuleMet("unanswered_attempts", n, e.unanswered_attempts))
    if e.no_payment_days is not None:
        since = facts.last_payment_on or facts.came_in_on
        n = (today - since).days if since is not None else e.no_payment_days
        if n < e.no_payment_days:
            return None
        met.append(RuleMet("no_payment_days", n, e.no_payment_days))
    return tuple(met)


def detect_trigger(triggers: Triggers, facts: CaseFacts, today: date) -> Evidence | None:
    """The visit trigger the facts show, strongest first: a person's finding of serious default,
    then repeated delinquency (broken promises, or episodes in the window), then evading contact
    (unanswered attempts in the window, or every number dead). None: no trigger."""
    if facts.serious_default is not None:
        f = facts.serious_default
        return Evidence(VisitTrigger.SERIOUS_DEFAULT, today,
                        ({"kind": "document", "sha256": f.sha256, "note": f.note, "finding": f.finding},), {})
    attempts, episodes = in_window(facts, triggers, today)
    broken = [p for p in facts.broken_promises if p.due <= today]
    if triggers.broken_promises is not None and len(broken) >= triggers.broken_promises:
        return Evidence(VisitTrigger.REPEATED_DELINQUENCY, today, tuple(
            {"kind": "broken_promise", "due": p.due.isoformat(), "amount_fen": p.amount_fen}
            for p in sorted(broken, key=lambda p: p.due)[-MAX_EVIDENCE_FACTS:]),
            {"broken_promises": triggers.broken_promises})
    if triggers.episodes is not None and len(episodes) >= triggers.episodes:
        return Evidence(VisitTrigger.REPEATED_DELINQUENCY, today, tuple(
            {"kind": "episode", "started_on": e.isoformat()} for e in sorted(episodes)[-MAX_EVIDENCE_FACTS:]),
            {"episodes": triggers.episodes, "episodes_months": triggers.episodes_months})
    if triggers.unanswered_attempts is not None and len(attempts) >= triggers.unanswered_attempts:
        return Evidence(VisitTrigger.EVADING_CONTACT, today, tuple(
            {"kind": "attempt", "at": a.at.isoformat(), "channel": a.channel, "outcome": a.outcome}
            for a in sorted(attempts, key=lambda a: a.at)[-MAX_EVIDENCE_FACTS:]),
            {"unanswered_attempts": triggers.unanswered_attempts, "attempt_days": triggers.attempt_days})
    if triggers.all_numbers_dead and facts.numbers > 0 and len(facts.dead_numbers) == facts.numbers:
        return Evidence(VisitTrigger.EVADING_CONTACT, today, tuple(
            {"kind": "dead_number", "number": n} for n in facts.dead_numbers[:MAX_EVIDENCE_FACTS]),
            {"all_numbers_dead": 1})
    return None


_SKIPS = {CaseStatus.CLOSED.value: Skip.CLOSED, CaseStatus.RETURNED.value: Skip.RETURNED,
          CaseStatus.PAUSED.value: Skip.PAUSED}


def skip_reason(status: str, promise_open: bool, held: bool) -> Skip | None:
    """Closed, returned, paused, promised within grace, held: the first that applies."""
    skip = _SKIPS.get(status)
    if skip is not None:
        return skip
    if promise_open:
        return Skip.PROMISED
    if held:
        return Skip.HELD
    return None


def _dpd_only(level: Level) -> bool:
    e = level.entry
    return e.broken_promises is None and e.unanswered_attempts is None and e.no_payment_days is None


def early(policy: LadderPolicy, standing: Standing, status: str, promise_open: bool, days_past_due: int,
          stage: str, today: date) -> Decision | None:
    """The decision where the case row alone settles it (skipped, waiting, at the top, short of the next
    level's days past due, or entering a level whose only rule is days past due), else None: the other
    facts are needed. `decide` asks this first, so a run may gather the other facts only for the cases
    this leaves open and still decide exactly as `decide` does."""
    skip = skip_reason(status, promise_open, standing.held)
    if skip is not None:
        return Decision(skip=skip)
    if standing.level is None:
        at = policy.stage_index(stage)
        if at > 0:
            return None if policy.levels[at].is_visit else Decision(to=policy.levels[at], placed=True)
        target = policy.levels[0]
        stays = "not_on_ladder"
    else:
        current = policy.level(standing.level)
        if current is None:
            return Decision(skip=Skip.UNKNOWN_LEVEL)
        target_or_none = policy.level(current.next)
        if target_or_none is None:
            return Decision(stays="top")
        target = target_or_none
        entered = standing.entered_on or today
        if today <= entered or (today - entered).days < current.wait_days:
            return Decision(stays="waiting")
        stays = "entry"
    need = target.entry.days_past_due
    if need is not None and days_past_due < need:
        return Decision(stays=stays)
    if target.is_visit or not _dpd_only(target):
        return None
    rules = (RuleMet("days_past_due", days_past_due, need),) if need is not None else ()
    return Decision(to=target, rules=rules)


def decide(policy: LadderPolicy, standing: Standing, facts: CaseFacts, today: date) -> Decision:
    """What the run does with this case on `today` (see the module's docstring)."""
    quick = early(policy, standing, facts.status, facts.promise_open, facts.days_past_due, facts.stage, today)
    if quick is not None:
        return quick
    if standing.level is None:
        return _place(policy, facts, today)
    current = policy.level(standing.level)
    assert current is not None  # early() answers an unknown level
    target = policy.level(current.next)
    assert target is not None  # and a level with nowhere to go
    return _enter(policy, target, facts, today)


def _enter(policy: LadderPolicy, target: Level, facts: CaseFacts, today: date) -> Decision:
    rules = entry_met(target, policy, facts, today)
    if rules is None:
        return Decision(stays="entry")
    evidence = None
    if target.is_visit:
        evidence = detect_trigger(policy.triggers, facts, today)
        if evidence is None:
            return Decision(stays="no_trigger", rules=rules)
    return Decision(to=target, rules=rules, evidence=evidence)


def _place(policy: LadderPolicy, facts: CaseFacts, today: date) -> Decision:
    """A case new to the ladder: the first level of its imported stage (trusted, no entry rule; the
    visit level only with a trigger, else the level before it), or the first level by its entry rule."""
    first = policy.levels[0]
    at = policy.stage_index(facts.stage)
    if at > 0:
        for i in range(at, -1, -1):
            lv = policy.levels[i]
            if not lv.is_visit:
                if i == 0:
                    break  # the first level: by its entry rule, below
                return Decision(to=lv, placed=True)
            evidence = detect_trigger(policy.triggers, facts, today)
            if evidence is not None:
                return Decision(to=lv, placed=True, evidence=evidence)
    decision = _enter(policy, first, facts, today)
    if decision.to is None:
        stays = "not_on_ladder" if decision.stays == "entry" else decision.stays
        return Decision(stays=stays, rules=decision.rules)
    return decision


class MoveRefused(ValueError):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def check_move(policy: LadderPolicy, standing: Standing, to: str, facts: CaseFacts,
               today: date) -> tuple[Level, Evidence | None]:
    """A person's move of a case to level `to` (up or down, one or more levels): the level and, into a
    visit level, the trigger's evidence. MoveRefused: no such level, already there, or a visit level
    without a detected trigger or a finding of serious default."""
    target = policy.level(to)
    if target is None:
        raise MoveRefused("unknown_level", f"no level {_show(to)} in the case's ladder policy "
                                           f"({', '.join(lv.code for lv in policy.levels)})")
    if standing.level == target.code:
        raise MoveRefused("same_level", f"the case is already at {target.code}")
    evidence = None
    if target.is_visit:
        evidence = detect_trigger(policy.triggers, facts, today)
        if evidence is None:
            raise MoveRefused("no_trigger", f"{target.code} is a field-visit level: the case needs a visit trigger "
                                            "head office can show (repeated delinquency, evading contact) or a "
                                            "finding of serious default with its document")
    return target, evidence
