"""The escalation ladder's rules: a policy as data, checked, and the daily decision for one case.

Pure: no I/O, no clock. Head office (`headoffice/ladder/`) gathers each case's facts, asks `decide`
what the ladder does with it on a run date, and writes the answer.

A policy (JSON, one per team; "" is the company default) is an ordered list of levels, each with
  code        a-z, 0-9 and _, unique
  stage       the case's stage while it is at this level (app.domain.enums.Stage, not closed)
  action      {"kind": sms|letter|field_visit|legal_action|agency, "template": code (sms and letter only)}
  entry       the rule that lets a case in, all given keys must hold: days_past_due (≥), broken_promises
              (≥), unanswered_attempts (≥ unanswered or refused attempts in the last triggers.attempt_days
              days, all channels), no_payment_days (≥ days since the last payment, or since the case came in)
  wait_days   days a case stays at this level before the run may move it on (0..365)
  next        optional: the code of the later level the run moves a case on to (default: the level that
              follows in the list; null: the run never moves a case on from here, a person may)
and `triggers` (the thresholds of the visit triggers), `cure_days`, `costs_fen` (per action kind).

A level with the action field_visit (and only such a level has the stage field_visit) is entered only
with a visit trigger head office can show evidence for: repeated delinquency, evading contact or a
person's finding of serious default (see `detect_trigger`).

The decision (`decide`): a closed, returned, paused, promised-within-grace or held case is skipped with
its reason. A case not on the ladder is placed on it: at the first level if that level's entry holds,
or at the first level of the stage its import gave it (never the visit level without a trigger: then
the level before it). A case on the ladder moves at most one level up, to its level's `next`, only
once `wait_days` have passed since it entered its level and never on the day it entered it, and only
if the next level's entry holds (and, into the visit level, a trigger is detected).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from .enums import CaseStatus, Stage, VisitTrigger

ACTION_KINDS = ("sms", "letter", "field_visit", "legal_action", "agency")
TEMPLATE_KINDS = ("sms", "letter")  # the action kinds that name a template
ENTRY_KEYS = ("days_past_due", "broken_promises", "unanswered_attempts", "no_payment_days")
TRIGGER_INTS = ("broken_promises", "episodes", "episodes_months", "unanswered_attempts", "attempt_days")
POLICY_KEYS = ("levels", "triggers", "cure_days", "costs_fen")
LEVEL_KEYS = ("code", "stage", "action", "entry", "wait_days", "next")
ACTION_KEYS = ("kind", "template")
MAX_LEVELS = 20
MAX_EVIDENCE_FACTS = 50  # facts of one kind kept as evidence

# (lowest, highest) of every number a policy holds.
ENTRY_RANGES: Mapping[str, tuple[int, int]] = {
    "days_past_due": (0, 20_000), "broken_promises": (1, 100), "unanswered_attempts": (1, 1_000),
    "no_payment_days": (1, 20_000)}
TRIGGER_RANGES: Mapping[str, tuple[int, int]] = {
    "broken_promises": (1, 100), "episodes": (1, 100), "episodes_months": (1, 120),
    "unanswered_attempts": (1, 1_000), "attempt_days": (1, 365)}
WAIT_RANGE = (0, 365)
CURE_RANGE = (1, 365)
COST_RANGE = (0, 1_000_000_000)
DEFAULT_EPISODES_MONTHS = 12
DEFAULT_ATTEMPT_DAYS = 14
DEFAULT_CURE_DAYS = 30

LEVEL_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TEMPLATE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
STAGES = tuple(s.value for s in Stage if s != Stage.CLOSED)


# The ladder of the design: two reminders, a lawyer's letter, a door visit, legal action. The demo
# head office stores it as the company default (its templates are the demo's).
EXAMPLE_POLICY: Mapping[str, Any] = {
    "levels": [
        {"code": "sms_1", "stage": "reminder", "action": {"kind": "sms", "template": "remind_1"},
         "entry": {"days_past_due": 1}, "wait_days": 5},
        {"code": "sms_2", "stage": "reminder", "action": {"kind": "sms", "template": "remind_2"},
         "entry": {"days_past_due": 10, "no_payment_days": 10}, "wait_days": 7},
        {"code": "letter", "stage": "legal_letter", "action": {"kind": "letter", "template": "firm_a_std"},
         "entry": {"days_past_due": 30}, "wait_days": 14},
        {"code": "visit", "stage": "field_visit", "action": {"kind": "field_visit"},
         "entry": {"days_past_due": 45}, "wait_days": 30},
        {"code": "legal", "stage": "legal_action", "action": {"kind": "legal_action"},
         "entry": {"days_past_due": 90, "broken_promises": 1}, "wait_days": 0}],
    "triggers": {"broken_promises": 2, "episodes": 3, "episodes_months": 12,
                 "unanswered_attempts": 6, "attempt_days": 14, "all_numbers_dead": True},
    "cure_days": 30,
    "costs_fen": {"sms": 5, "letter": 1500, "field_visit": 8000},
}

# --- the policy ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # where in the policy, e.g. levels[2].entry.days_past_due
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PolicyError(ValueError):
    """A ladder policy that cannot be used: every problem found, each with where it is."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(shown + more)


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # ACTION_KINDS
    template: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    days_past_due: int | None = None
    broken_promises: int | None = None
    unanswered_attempts: int | None = None
    no_payment_days: int | None = None

    def as_json(self) -> dict[str, int]:
        return {k: v for k in ENTRY_KEYS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True, slots=True)
class Level:
    code: str
    stage: str
    action: Action
    entry: Entry
    wait_days: int
    next: str | None  # resolved: the level the run moves a case on to (None: nowhere)

    @property
    def is_visit(self) -> bool:
        return self.action.kind == "field_visit"


@dataclass(frozen=True, slots=True)
class Triggers:
    """The thresholds of the visit triggers; None switches a rule off."""

    broken_promises: int | None = None
    episodes: int | None = None
    episodes_months: int = DEFAULT_EPISODES_MONTHS
    unanswered_attempts: int | None = None
    attempt_days: int = DEFAULT_ATTEMPT_DAYS
    all_numbers_dead: bool = False

    @property
    def any(self) -> bool:
        return (self.broken_promises is not None or self.episodes is not None
                or self.unanswered_attempts is not None or self.all_numbers_dead)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k in TRIGGER_INTS if (v := getattr(self, k)) is not None}
        out["all_numbers_dead"] = self.all_numbers_dead
        return out


@dataclass(frozen=True, slots=True)
class LadderPolicy:
    levels: tuple[Level, ...]
    triggers: Triggers = field(default_factory=Triggers)
    cure_days: int = DEFAULT_CURE_DAYS
    costs_fen: Mapping[str, int] = field(default_factory=dict)
    _by_code: dict[str, Level] = field(init=False, repr=False, compare=False, hash=False)
    _by_stage: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        stages: dict[str, int] = {}
        for i, lv in enumerate(self.levels):
            stages.setdefault(lv.stage, i)
        object.__setattr__(self, "_by_code", {lv.code: lv for lv in self.levels})
        object.__setattr__(self, "_by_stage", stages)

    def level(self, code: str | None) -> Level | None:
        return self._by_code.get(code) if code else None

    def index(self, code: str) -> int:
        return next(i for i, lv in enumerate(self.levels) if lv.code == code)

    def stage_index(self, stage: str) -> int:
        """The first level of `stage` (0 where none has it): where a case new to the ladder is placed."""
        return self._by_stage.get(stage, 0)

    def templates(self) -> dict[str, set[str]]:
        """Template codes the policy uses, by action kind."""
        out: dict[str, set[str]] = {k: set() for k in TEMPLATE_KINDS}
        for lv in self.levels:
            if lv.action.template is not None:
                out[lv.action.kind].add(lv.action.template)
        return out

    def as_json(self) -> dict[str, Any]:
        levels = []
        for i, lv in enumerate(self.levels):
            action: dict[str, Any] = {"kind": lv.action.kind}
            if lv.action.template is not None:
                action["template"] = lv.action.template
            item: dict[str, Any] = {"code": lv.code, "stage": lv.stage, "action": action,
                                    "entry": lv.entry.as_json(), "wait_days": lv.wait_days}
            following = self.levels[i + 1].code if i + 1 < len(self.levels) else None
            if lv.next != following:
                item["next"] = lv.next
            levels.append(item)
        return {"levels": levels, "triggers": self.triggers.as_json(), "cure_days": self.cure_days,
                "costs_fen": dict(self.costs_fen)}


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(f"{path}.{_show(key)}" if path else _show(key),
                         f"unknown key (expected one of {', '.join(allowed)})")

    def obj(self, value: object, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"must be an object, found {_kind(value)}")
        return None

    def int_in(self, value: object, path: str, bounds: tuple[int, int]) -> int | None:
        low, high = bounds
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(path, f"must be a whole number, found {_kind(value)}")
            return None
        if not low <= value <= high:
            self.add(path, f"{value} is out of range {low}..{high}")
            return None
        return value


def _show(value: object, limit: int = 40) -> str:
    text = str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def policy_from_dict(data: object, templates: Mapping[str, Collection[str]] | None = None) -> LadderPolicy:
    """The policy `data` describes, or PolicyError naming every problem. `templates`: the known
    template codes per action kind ("sms", "letter"); given, a level naming another is refused."""
    c = _Checker()
    top = c.obj(data, "policy")
    if top is None:
        raise PolicyError(c.problems)
    c.keys(top, POLICY_KEYS, "")
    triggers = _triggers(c, top.get("triggers"))
    cure = DEFAULT_CURE_DAYS
    if "cure_days" in top:
        cure = c.int_in(top["cure_days"], "cure_days", CURE_RANGE) or DEFAULT_CURE_DAYS
    costs: dict[str, int] = {}
    raw_costs = c.obj(top.get("costs_fen", {}), "costs_fen")
    for key, value in (raw_costs or {}).items():
        if key not in ACTION_KINDS:
            c.add(f"costs_fen.{_show(key)}", f"unknown action kind (expected one of {', '.join(ACTION_KINDS)})")
        elif (n := c.int_in(value, f"costs_fen.{key}", COST_RANGE)) is not None:
            costs[key] = n
    raw_levels = top.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        empty = raw_levels is None or isinstance(raw_levels, list)
        c.add("levels", "must be a list of at least one level" if empty
              else f"must be a list of levels, found {_kind(raw_levels)}")
        raise PolicyError(c.problems)
    if len(raw_levels) > MAX_LEVELS:
        c.add("levels", f"{len(raw_levels)} levels: at most {MAX_LEVELS}")
        raise PolicyError(c.problems)
    found = [_level(c, raw, f"levels[{i}]", templates) for i, raw in enumerate(raw_levels)]
    raw_codes = [raw.get("code") if isinstance(raw, Mapping) else None for raw in raw_levels]
    _order(c, found, raw_codes, triggers)  # also over the levels that parsed when others did not
    if c.problems:
        raise PolicyError(c.problems)
    parsed = [p for p in found if p is not None]
    codes = [p[0] for p in parsed]
    levels = []
    for i, (code, stage, action, entry, wait, nxt) in enumerate(parsed):
        following = codes[i + 1] if i + 1 < len(codes) else None
        resolved = following if nxt is _DEFAULT else (str(nxt) if nxt else None)
        levels.append(Level(code, stage, action, entry, wait, resolved))
    return LadderPolicy(tuple(levels), triggers, cure, costs)


_DEFAULT = object()  # a level without "next": the level that follows


def _triggers(c: _Checker, raw: object) -> Triggers:
    if raw is None:
        return Triggers()
    data = c.obj(raw, "triggers")
    if data is None:
        return Triggers()
    c.keys(data, (*TRIGGER_INTS, "all_numbers_dead"), "triggers")
    values: dict[str, Any] = {}
    for key in TRIGGER_INTS:
        if data.get(key) is not None:
            n = c.int_in(data[key], f"triggers.{key}", TRIGGER_RANGES[key])
            if n is not None:
                values[key] = n
    dead = data.get("all_numbers_dead", False)
    if not isinstance(dead, bool):
        c.add("triggers.all_numbers_dead", f"must be true or false, found {_kind(dead)}")
        dead = False
    return Triggers(**values, all_numbers_dead=dead)


def _level(c: _Checker, raw: object, path: str, templates: Mapping[str, Collection[str]] | None,
           ) -> tuple[str, str, Action, Entry, int, object] | None:
    data = c.obj(raw, path)
    if data is None:
        return None
    c.keys(data, LEVEL_KEYS, path)
    before = len(c.problems)
    code = data.get("code")
    if not isinstance(code, str) or not LEVEL_CODE.match(code):
        c.add(f"{path}.code", "must be 1-32 characters a-z, 0-9 and _, starting with a letter"
              + ("" if code is not None else " (missing)"))
    stage = data.get("stage")
    if stage not in STAGES:
        c.add(f"{path}.stage", f"unknown stage {_show(stage)} (expected one of {', '.join(STAGES)})")
    action = _action(c, data.get("action"), f"{path}.action", templates)
    if action is not None and stage in STAGES and (action.kind == "field_visit") != (stage == Stage.FIELD_VISIT):
        c.add(f"{path}.stage", "the stage field_visit goes with the action field_visit, and only with it "
                               "(a case reaches a door only with a visit trigger)")
    entry_raw = c.obj(data.get("entry"), f"{path}.entry")
    entry = Entry()
    if entry_raw is not None:
        c.keys(entry_raw, ENTRY_KEYS, f"{path}.entry")
        values = {k: c.int_in(entry_raw[k], f"{path}.entry.{k}", ENTRY_RANGES[k]) for k in ENTRY_KEYS
                  if k in entry_raw}
        if not entry_raw:
            c.add(f"{path}.entry", f"needs at least one rule ({', '.join(ENTRY_KEYS)})")
        entry = Entry(**{k: v for k, v in values.items() if v is not None})
    wait = c.int_in(data.get("wait_days"), f"{path}.wait_days", WAIT_RANGE) if "wait_days" in data else None
    if "wait_days" not in data:
        c.add(f"{path}.wait_days", "missing: the days a case stays at this level before it moves on")
    nxt: object = data["next"] if "next" in data else _DEFAULT
    if nxt is not _DEFAULT and nxt is not None and not isinstance(nxt, str):
        c.add(f"{path}.next", f"must be a level code or null, found {_kind(nxt)}")
    if len(c.problems) > before or action is None or wait is None:
        return None
    assert isinstance(code, str) and isinstance(stage, str)
    return code, stage, action, entry, wait, nxt


def _action(c: _Checker, raw: object, path: str, templates: Mapping[str, Collection[str]] | None) -> Action | None:
    data = c.obj(raw, path)
    if data is None:
        return None
    c.keys(data, ACTION_KEYS, path)
    kind = data.get("kind")
    if kind not in ACTION_KINDS:
        c.add(f"{path}.kind", f"unknown action kind {_show(kind)} (expected one of {', '.join(ACTION_KINDS)})")
        return None
    template = data.get("template")
    if kind in TEMPLATE_KINDS:
        if not isinstance(template, str) or not TEMPLATE_CODE.match(template):
            c.add(f"{path}.template", f"a {kind} action names its {kind} template's code "
                                      "(1-64 characters A-Z, a-z, 0-9, _ . -)")
            return None
        if templates is not None and template not in templates.get(kind, ()):
            c.add(f"{path}.template", f"unknown {kind} template {_show(template)}")
            return None
    elif template is not None:
        c.add(f"{path}.template", f"a {kind} action has no template")
        return None
    return Action(str(kind), template if kind in TEMPLATE_KINDS else None)


def _order(c: _Checker, found: list[tuple[str, str, Action, Entry, int, object] | None], raw_codes: list[object],
           triggers: Triggers) -> None:
    """Codes unique, next references forward only, entry days past due never going down, triggers
    for a visit level."""
    index: dict[str, int] = {}
    for i, code in enumerate(raw_codes):
        if not isinstance(code, str):
            continue
        if code in index:
            c.add(f"levels[{i}].code", f"duplicate level code {_show(code)} (also levels[{index[code]}])")
        else:
            index[code] = i
    floor: tuple[int, int] | None = None  # (days past due, the level that set it)
    for i, item in enumerate(found):
        if item is None:
            continue
        code, _stage, action, entry, _wait, nxt = item
        if nxt is not _DEFAULT and nxt is not None:
            target = index.get(str(nxt))
            if target is None:
                c.add(f"levels[{i}].next", f"no level {_show(nxt)} in this policy")
            elif target <= i:
                c.add(f"levels[{i}].next", f"{nxt!r} is not a later level: the ladder only goes up "
                                           f"(a reference back to {'itself' if target == i else 'an earlier level'} "
                                           "would make a loop)")
        if entry.days_past_due is not None:
            if floor is not None and entry.days_past_due < floor[0]:
                c.add(f"levels[{i}].entry.days_past_due",
                      f"{entry.days_past_due} is lower than {floor[0]} of levels[{floor[1]}] before it: "
                      "a gap in the ladder (each level asks at least the days past due of the one before)")
            else:
                floor = (entry.days_past_due, i)
        if action.kind == "field_visit" and not triggers.any:
            c.add(f"levels[{i}]", f"the field_visit level {code!r} needs trigger thresholds "
                                  "(triggers.broken_promises, episodes, unanswered_attempts or all_numbers_dead)")


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
