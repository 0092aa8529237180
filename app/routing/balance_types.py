"""The auto-balance's data: the cases and agents it is given, the proposal it makes, and the workload
a case counts for (`expected_visit_minutes`). Pure. The method is in `app.routing.balance`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model import DEFAULT_DURATION_S

CASE_OVERHEAD_MINUTES = 15.0  # door-to-door travel and writing the visit up, per case
TWO_PERSON_FACTOR = 1.5  # a visit that needs a partner takes arranging and waiting
DEFAULT_DOOR_MINUTES = DEFAULT_DURATION_S / 60


class BalanceError(ValueError):
    """The input cannot be balanced as given (no agents, duplicate ids, impossible numbers…)."""


class BalanceCancelled(Exception):
    """`cancel()` returned True: no proposal."""


@dataclass(frozen=True, slots=True)
class BalanceCase:
    case_id: int
    lat: float | None
    lon: float | None
    visit_minutes: float  # expected visit time (see expected_visit_minutes); the overhead is added here
    current_agent: int | None


@dataclass(frozen=True, slots=True)
class BalanceAgent:
    agent_id: int
    base_lat: float | None
    base_lon: float | None
    capacity_factor: float = 1.0  # share of a full workload this agent should carry


@dataclass(frozen=True, slots=True)
class AgentLoad:
    agent_id: int
    cases: int
    visit_minutes: float
    workload: float  # visit minutes + CASE_OVERHEAD_MINUTES per case
    mean_distance_km: float  # over this agent's cases with coordinates, to the agent's base
    target_workload: float = 0.0
    target_cases: float = 0.0

    @property
    def deviation(self) -> float:
        """Workload relative to the target: +0.04 is 4 % above it."""
        return self.workload / self.target_workload - 1.0 if self.target_workload > 0 else 0.0

    @property
    def case_deviation(self) -> float:
        return self.cases / self.target_cases - 1.0 if self.target_cases > 0 else 0.0


@dataclass(frozen=True, slots=True)
class BalanceProposal:
    assignments: dict[int, int]  # case_id -> agent_id
    loads: dict[int, AgentLoad]
    mean_distance_km: float  # over all cases with coordinates, to their agent's base
    round_robin_mean_distance_km: float  # the naive split (cases by id dealt out in turn), for comparison
    moved: int  # cases that had an agent and get a different one
    unplaceable: tuple[int, ...]  # cases without usable coordinates, placed by workload only
    newly_assigned: int = 0  # cases that had no agent (a case held by an agent not chosen counts as moved)
    within_tolerance: bool = True  # every workload and case count inside its band
    spread: float = 0.0  # the largest |workload / target − 1| over the agents
    bases: dict[int, tuple[float, float] | None] | None = None  # the base each agent was measured from
    base_source: dict[int, str] | None = None  # "base", "current_cases" (median) or "centroid"
    notes: tuple[str, ...] = ()  # what was assumed, in words
    stopped_by: str = "converged"  # or "time_limit"
    seconds: float = 0.0
    solver: str = "min-cost-flow+local-search"

    @property
    def changes(self) -> int:
        """Assignments to send to head office: moved plus newly assigned."""
        return self.moved + self.newly_assigned


def expected_visit_minutes(door_minutes: float | None = None, *, two_people: bool = False,
                           do_not_visit: bool = False) -> float:
    """Expected minutes at the door for one case over the assignment period.

    `door_minutes` is the day planner's visit duration for the case's stage (None: 30 min). A case
    that needs two collectors counts TWO_PERSON_FACTOR times as long (the visit is arranged around a
    partner's day); a do-not-visit case has no visit at all (0)."""
    if do_not_visit:
        return 0.0
    minutes = DEFAULT_DOOR_MINUTES if door_minutes is None else float(door_minutes)
    if not math.isfinite(minutes) or minutes < 0:
        raise BalanceError(f"visit minutes must be a non-negative number, got {door_minutes!r}")
    return minutes * (TWO_PERSON_FACTOR if two_people else 1.0)
