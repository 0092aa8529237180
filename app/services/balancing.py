"""Auto-balance over the local store: read the chosen cases and agents with light SQL, propose.

    proposal = propose_from_store(store, case_ids, agent_ids, profile=profile)   # from a background task
    proposal.assignments   # case id -> agent id, to preview and then queue as assignments

Each case is read as: its door (the debtor's home address with coordinates, else the first located
address — the same door the day planner and the map use), its current agent, and its expected visit
time (`app.routing.balance.expected_visit_minutes`): the day planner's minutes at the door for the
case's stage (`app.services.dayplan.VISIT_MINUTES`), longer when an active safety note — or the
compliance profile, for a home visit — asks for two collectors, none when an active note says do
not visit. A case with an assignment queued on this device and not yet delivered counts as held
by the agent it is queued for (the supervisor's latest word), so balancing again after queuing a
proposal moves nothing. Agents come from the local `agents` table (their base location; head office may send
none, see the balance module for what is used then). Case ids not on this device are left out and
named in the proposal's notes; an unknown agent is an error.

Reads run on a plain connection (no ORM objects) in chunks, so 5,000 cases take a few tens of
milliseconds; `propose_balance` then takes up to `time_limit_s`. Call it off the GUI thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.domain.clock import ensure_utc, utcnow
from app.domain.compliance import Profile
from app.routing.balance import (
    BalanceAgent,
    BalanceCase,
    BalanceError,
    BalanceProposal,
    expected_visit_minutes,
    propose_balance,
)
from app.store.engine import Store
from app.store.types import to_db_time

from .assigning import pending_assignments
from .dayplan import VISIT_MINUTES

CHUNK = 10_000  # ids per json_each parameter

_CASES_SQL = (
    "SELECT c.id, c.agent_id, c.stage, c.debtor_id, a.lat, a.lon, a.kind FROM cases c "
    "LEFT JOIN addresses a ON a.id = (SELECT a2.id FROM addresses a2 WHERE a2.debtor_id = c.debtor_id "
    "AND a2.lat IS NOT NULL AND a2.lon IS NOT NULL ORDER BY a2.kind != 'home', a2.id LIMIT 1) "
    "WHERE c.id IN (SELECT value FROM json_each(:ids))")
_NOTES_SQL = (
    "SELECT case_id, debtor_id, two_person_required, do_not_visit FROM safety_notes "
    "WHERE superseded_by IS NULL AND (two_person_required OR do_not_visit) AND reported_at <= :now "
    "AND (expires_at IS NULL OR expires_at > :now) "
    "AND (case_id IN (SELECT value FROM json_each(:cases)) OR debtor_id IN (SELECT value FROM json_each(:debtors)))")
_AGENTS_SQL = "SELECT id, base_lat, base_lon FROM agents WHERE id IN (SELECT value FROM json_each(:ids))"


class BalancingError(ValueError):
    """The balance cannot be asked for as given (no agent chosen, an agent not on this device…)."""


@dataclass(frozen=True)
class BalanceInput:
    cases: tuple[BalanceCase, ...]
    agents: tuple[BalanceAgent, ...]
    missing: tuple[int, ...]  # chosen case ids that are not on this device


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield [int(i) for i in ids[start:start + CHUNK]]


def _notes(conn: Connection, case_ids: list[int], debtor_ids: list[int], now: str) -> tuple[set[int], set[int]]:
    """(case ids needing two collectors, case ids not to be visited) by the active safety notes on the
    case or on its debtor. `case_ids[k]` belongs to `debtor_ids[k]`."""
    two_c: set[int] = set()
    two_d: set[int] = set()
    dnv_c: set[int] = set()
    dnv_d: set[int] = set()
    rows = conn.execute(text(_NOTES_SQL), {"now": now, "cases": json.dumps(case_ids),
                                           "debtors": json.dumps(debtor_ids)})
    for case_id, debtor_id, two, dnv in rows:
        for flag, by_case, by_debtor in ((two, two_c, two_d), (dnv, dnv_c, dnv_d)):
            if not flag:
                continue
            if case_id is not None:
                by_case.add(int(case_id))
            if debtor_id is not None:
                by_debtor.add(int(debtor_id))
    pairs = list(zip(case_ids, debtor_ids, strict=True))
    return ({c for c, d in pairs if c in two_c or d in two_d}, {c for c, d in pairs if c in dnv_c or d in dnv_d})


def balance_input(store: Store, case_ids: Sequence[int], agent_ids: Sequence[int], *,
                  profile: Profile | None = None, now: datetime | None = None,
                  capacity: Mapping[int, float] | None = None) -> BalanceInput:
    """The cases and agents as the balancer takes them. `capacity` maps agent id → capacity factor."""
    if not agent_ids:
        raise BalancingError("choose at least one agent to balance over")
    wanted_agents = list(dict.fromkeys(int(a) for a in agent_ids))
    wanted_cases = list(dict.fromkeys(int(c) for c in case_ids))
    stamp = to_db_time(ensure_utc(now or utcnow()))
    two_at_home = profile is not None and profile.home_visit_min_collectors >= 2
    capacity = capacity or {}
    queued = pending_assignments(store)
    with store.engine.connect() as conn:
        found_agents = {int(r[0]): r for r in conn.execute(text(_AGENTS_SQL), {"ids": json.dumps(wanted_agents)})}
        unknown = [a for a in wanted_agents if a not in found_agents]
        if unknown:
            raise BalancingError(f"agent {unknown[0]} is not on this device; sync first")
        cases: list[BalanceCase] = []
        found: set[int] = set()
        for chunk in _chunks(wanted_cases):
            rows: list[Any] = list(conn.execute(text(_CASES_SQL), {"ids": json.dumps(chunk)}))
            two, keep_away = _notes(conn, [int(r[0]) for r in rows], [int(r[3]) for r in rows], stamp)
            for case_id, agent_id, stage, _debtor_id, lat, lon, kind in rows:
                found.add(int(case_id))
                # A profile that wants two collectors at a home visit: the door is home, or unknown.
                needs_two = case_id in two or (two_at_home and kind in (None, "home"))
                minutes = expected_visit_minutes(VISIT_MINUTES.get(stage, 30), two_people=needs_two,
                                                 do_not_visit=case_id in keep_away)
                holder = queued[case_id] if case_id in queued else agent_id
                cases.append(BalanceCase(int(case_id), None if lat is None else float(lat),
                                         None if lon is None else float(lon), minutes,
                                         None if holder is None else int(holder)))
    cases.sort(key=lambda c: c.case_id)
    agents = tuple(BalanceAgent(a, found_agents[a][1], found_agents[a][2], float(capacity.get(a, 1.0)))
                   for a in wanted_agents)
    missing = tuple(c for c in wanted_cases if c not in found)
    return BalanceInput(tuple(cases), agents, missing)


def propose_from_store(store: Store, case_ids: Sequence[int], agent_ids: Sequence[int], *,
                       profile: Profile | None = None, tolerance: float = 0.10,
                       cancel: Callable[[], bool] | None = None, time_limit_s: float = 4.0,
                       capacity: Mapping[int, float] | None = None,
                       now: datetime | None = None) -> BalanceProposal:
    """Read the chosen cases and agents and propose a balanced assignment (nothing is written).

    Raises BalancingError for a bad request (also for what the balancer refuses) and
    `app.routing.balance.BalanceCancelled` when `cancel()` turns True."""
    data = balance_input(store, case_ids, agent_ids, profile=profile, now=now, capacity=capacity)
    try:
        proposal = propose_balance(data.cases, data.agents, tolerance=tolerance, cancel=cancel,
                                   time_limit_s=time_limit_s)
    except BalanceError as exc:
        raise BalancingError(str(exc)) from exc
    if data.missing:
        note = f"{len(data.missing)} chosen case(s) are not on this device and were left out"
        proposal = replace(proposal, notes=(note, *proposal.notes))
    return proposal
