"""The ladder policy as data: its parts, `policy_from_dict` (every problem named with where it is) and
the design's example policy. See the package docstring."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..enums import Stage

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


