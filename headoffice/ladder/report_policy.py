"""What the ladder report needs of a stored policy: its levels in order, the cure window and the
prices of the steps. Pure: JSON text in, a `ReportPolicy` out.

The report reads stored versions, including old ones that a newer validator might no longer accept,
so it reads only what it uses and says precisely what is wrong when even that is unusable (a
`ReportInputError`); it never guesses a number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CURE_DAYS = 30
MAX_CURE_DAYS = 3650
COST_KINDS = ("sms", "letter", "field_visit")
MAX_COST_FEN = 100_000_000  # ¥1,000,000 for one step: anything larger is a typo


class ReportInputError(ValueError):
    """A report cannot be made from what was asked or what is stored; the message says why."""


@dataclass(frozen=True, slots=True)
class LevelSpec:
    code: str
    name: str  # the level's own name when the policy gives one, else ""
    stage: str  # reminder | legal_letter | field_visit | legal_action | agency ("" when not known)
    action: str  # sms | letter | field_visit | legal_action | agency ("" when not known)
    in_policy: bool = True  # False: seen in transitions only (a level the policy no longer has)


@dataclass(frozen=True, slots=True)
class ReportPolicy:
    scope: str  # the team, "" for the company default
    version: int
    policy_id: int | None
    levels: tuple[LevelSpec, ...]
    cure_days: int = DEFAULT_CURE_DAYS
    costs_fen: Mapping[str, int] = field(default_factory=dict)  # only the kinds the policy prices

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)


NO_POLICY = ReportPolicy(scope="", version=0, policy_id=None, levels=())


def _where(scope: str, version: int) -> str:
    return f"ladder policy {scope or '(company default)'} v{version}"


def level_codes(data: Any) -> tuple[str, ...]:
    """The level codes of a policy's JSON object in order (what a move's own policy version says
    about up and down); () for anything that is not a readable policy."""
    levels = data.get("levels") if isinstance(data, Mapping) else None
    if not isinstance(levels, Sequence) or isinstance(levels, str):
        return ()
    return tuple(str(lv["code"]) for lv in levels if isinstance(lv, Mapping) and isinstance(lv.get("code"), str))


def parse_policy_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def read_policy(text: str, *, scope: str, version: int, policy_id: int | None) -> ReportPolicy:
    """The report's view of one stored policy version. Raises ReportInputError naming the version."""
    where = _where(scope, version)
    data = parse_policy_json(text)
    if not isinstance(data, Mapping):
        raise ReportInputError(f"{where} is not a JSON object")
    raw_levels = data.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        raise ReportInputError(f"{where} has no list of levels")
    levels: list[LevelSpec] = []
    seen: set[str] = set()
    for i, lv in enumerate(raw_levels, start=1):
        if not isinstance(lv, Mapping) or not isinstance(lv.get("code"), str) or not lv["code"]:
            raise ReportInputError(f"{where}: level {i} has no code")
        code = str(lv["code"])
        if code in seen:
            raise ReportInputError(f"{where}: level code {code[:60]!r} appears twice")
        seen.add(code)
        action = lv.get("action")
        kind = action.get("kind") if isinstance(action, Mapping) else None
        name = lv.get("name")
        levels.append(LevelSpec(code=code, name=name if isinstance(name, str) else "",
                                stage=str(lv.get("stage") or ""), action=kind if isinstance(kind, str) else ""))
    cure = data.get("cure_days", DEFAULT_CURE_DAYS)
    if type(cure) is not int or not 1 <= cure <= MAX_CURE_DAYS:
        raise ReportInputError(f"{where}: cure_days must be a whole number of days from 1 to {MAX_CURE_DAYS}")
    costs: dict[str, int] = {}
    raw_costs = data.get("costs_fen") or {}
    if not isinstance(raw_costs, Mapping):
        raise ReportInputError(f"{where}: costs_fen must be an object of fen per sms, letter and field_visit")
    for kind in COST_KINDS:
        if kind in raw_costs and raw_costs[kind] is not None:
            value = raw_costs[kind]
            if type(value) is not int or not 0 <= value <= MAX_COST_FEN:
                raise ReportInputError(f"{where}: costs_fen.{kind} must be whole fen from 0 to {MAX_COST_FEN}")
            costs[kind] = value
    return ReportPolicy(scope=scope, version=version, policy_id=policy_id, levels=tuple(levels), cure_days=cure,
                        costs_fen=costs)


def with_levels_seen(policy: ReportPolicy, seen: Sequence[str]) -> ReportPolicy:
    """The policy's levels in its order, then every other level code seen in the period, by code."""
    known = set(policy.codes)
    extra = sorted(set(seen) - known)
    if not extra:
        return policy
    more = tuple(LevelSpec(code=c, name="", stage="", action="", in_policy=False) for c in extra)
    return ReportPolicy(scope=policy.scope, version=policy.version, policy_id=policy.policy_id,
                        levels=policy.levels + more, cure_days=policy.cure_days, costs_fen=policy.costs_fen)
