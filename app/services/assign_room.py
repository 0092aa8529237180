"""What the supervisor's Assign room reads (no Qt): its list's ids under the agent filter, the team
and the queue it shows beside the list, the listed cases as its map draws them, and the auto-balance
preview (a proposal beside who holds each case now). Every function reads; nothing here writes — the
room's commands are in `app.services.assigning`. Call them off the GUI thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from app.maps.assignmap import AssignMapCase
from app.store.engine import Store
from app.store.queries import CaseQuery

from . import assigning
from .assigning import CasePlace, Problem, TeamAgent

if TYPE_CHECKING:  # the balancer (numpy, OR-Tools) loads with the first proposal, not with the room
    from app.domain.compliance import Profile
    from app.routing.balance import BalanceProposal

# The room's agent filter (`CaseQuery.extra["agent"]`); an agent's own id goes in `CaseQuery.agent_id`.
AGENT_ALL, AGENT_NONE, AGENT_PENDING = "all", "none", "pending"
_AGENT_FILTERS = {
    AGENT_NONE: "cases.agent_id IS NULL",
    AGENT_PENDING: ("cases.id IN (SELECT e.case_id FROM events e JOIN outbox o ON o.event_id = e.id "
                    f"WHERE e.kind = '{assigning.ASSIGN_KIND}')"),
}


def listed_case_ids(conn: Connection, query: CaseQuery, natural: bool) -> list[int]:
    """The ids the room lists, in the list's order: the agents' list query plus the room's agent filter
    (`query.extra['agent']`: all, the unassigned queue, or the cases with an assignment pending)."""
    where, params = query.where()
    extra = _AGENT_FILTERS.get(query.extra.get("agent", AGENT_ALL))
    if extra:
        where = (where + " AND " if where else " WHERE ") + extra
    return [int(r[0]) for r in conn.execute(text("SELECT cases.id FROM cases" + where + query.order_by()), params)]


@dataclass(frozen=True)
class RoomContext:
    """What the room shows beside its list: the team, every known name, the queue, districts, problems."""

    agents: tuple[TeamAgent, ...]
    names: dict[int, str]
    pending: dict[int, int | None]
    districts: tuple[str, ...]
    problems: tuple[Problem, ...]


def room_context(store: Store) -> RoomContext:
    return RoomContext(tuple(assigning.team_agents(store)), assigning.agent_labels(store),
                       assigning.pending_assignments(store), tuple(assigning.districts(store)),
                       tuple(assigning.assignment_problems(store)))


def map_cases(store: Store, case_ids: Sequence[int], agents: Sequence[TeamAgent],
              pending: Collection[int]) -> list[AssignMapCase]:
    """The located ones of these cases as the room's map draws them: coloured by the agent holding each
    (its place in `agents`), with its case number, and ringed when an assignment of it is pending."""
    names = {a.id: a.label for a in agents}
    index = {a.id: i for i, a in enumerate(agents)}
    places = assigning.case_places(store, list(case_ids))
    numbers = assigning.case_numbers(store, [p.id for p in places])
    return [AssignMapCase(p.id, p.lat, p.lon, index.get(p.agent_id, -1) if p.agent_id is not None else -1,
                          numbers.get(p.id, ""), names.get(p.agent_id, "") if p.agent_id is not None else "",
                          p.id in pending) for p in places]


def case_holders(store: Store, case_ids: Sequence[int]) -> dict[int, int | None]:
    """case id → the agent holding it on this device (None: the unassigned queue), for those present."""
    with store.engine.connect() as conn:
        return {int(cid): agent for cid, agent in conn.execute(text(
            "SELECT id, agent_id FROM cases WHERE id IN (SELECT value FROM json_each(:ids))"),
            {"ids": json.dumps([int(i) for i in case_ids])})}


@dataclass(frozen=True)
class BalancePreview:
    """A proposal and what the room shows of it; nothing of it is written until confirmed."""

    proposal: BalanceProposal
    agents: tuple[TeamAgent, ...]
    before: dict[int, int]  # agent id → chosen cases held before
    changes: dict[int, int]  # case id → agent id, only the cases that change hands
    places: tuple[CasePlace, ...]


def balance_preview(store: Store, case_ids: list[int], agent_ids: list[int], profile: Profile | None,
                    now: datetime, cancelled: Callable[[], bool]) -> BalancePreview:
    """Propose an even, compact split of these cases over these agents, and say what would change hands."""
    from .balancing import propose_from_store

    proposal = propose_from_store(store, case_ids, agent_ids, profile=profile, cancel=cancelled, now=now)
    places = assigning.case_places(store, case_ids)
    holders = case_holders(store, case_ids)
    # as the balancer does: an assignment queued and not yet delivered counts as the current one
    queued = assigning.pending_assignments(store)
    holders.update({cid: agent for cid, agent in queued.items() if cid in holders})
    before = dict.fromkeys(agent_ids, 0)
    for agent in holders.values():
        if agent in before:
            before[agent] += 1
    changes = {cid: agent for cid, agent in proposal.assignments.items() if holders.get(cid) != agent}
    team = {t.id: t for t in assigning.team_agents(store)}
    agents = tuple(team[a] for a in agent_ids if a in team)
    return BalancePreview(proposal, agents, before, changes, tuple(places))
