"""Auto-balance: propose who works which case so that the chosen agents carry an even workload
and each agent's doors lie close to their base. Pure: no Qt, no SQL, no I/O.

    from app.routing.balance import BalanceAgent, BalanceCase, propose_balance

    proposal = propose_balance(cases, agents)          # a few seconds at most; run it off the GUI thread
    proposal.assignments[case_id]                      # -> agent_id
    proposal.loads[agent_id].workload                  # minutes, beside .target_workload
    proposal.within_tolerance, proposal.notes          # did it hold, and what was assumed

**Workload** of a case, in minutes, is its expected visit time plus `CASE_OVERHEAD_MINUTES` (15) for
getting from door to door and writing the visit up. So a case always counts — a do-not-visit case
is still a case someone must follow up — and a long visit counts more than a short one: the one
measure carries both the case count and the visit time. An agent's workload is the sum over their
cases; the target is the chosen cases' total shared out by `capacity_factor` (1.0 = a full-time
agent, 0.5 = half-time). A proposal is acceptable when every agent is within ±`tolerance` of their
target *and* their case count within ±`tolerance` of their share of the cases; the search aims at
half that band (`AIM_SHARE`), which on the demo city costs about 3 % in distance and halves the
spread, so the split is evener than merely acceptable.

**Expected visit time** (`expected_visit_minutes`): the day planner's time at the door for the
case's stage (the caller passes it; 30 min when unknown), ×1.5 when two collectors are required (a
safety note, or a profile that wants two at every home visit — the visit has to be arranged around
a partner), and 0 when a safety note says do not visit (desk follow-up only; the overhead remains).

**Compactness**: the straight-line distance from each door to the agent's base. An agent without
a base uses the median of the doors they hold among the chosen cases, else the centre of all the
chosen doors (the proposal's `notes` and `base_source` say which). Cases without usable coordinates
are placed by workload only and listed in `unplaceable`.

**Method**: a transportation problem solved exactly with OR-Tools' min-cost flow — every case
ships its workload (whole minutes) to the agents, each agent must receive between
(1 ± tolerance/2) of their target, and a minute shipped costs the case's distance to that base
(per case, not per minute) plus `move_cost_km` when the agent is not the case's current one, so
the current agent wins ties and a split that is already fine moves little. In the flow's optimal
basic solution at most about one case per agent is split between two agents; each goes to the
agent that got most of it. The flow balances minutes, not counts, so a local search then
repairs whatever band is broken — mostly case counts — with moves and swaps that reduce the excess
over the aimed bands, cheapest per unit repaired first, and improves compactness with moves and
swaps that keep every band. When the bands cannot all be met (fewer cases than agents, a few very
long visits) the excess is made as small as the moves allow and `within_tolerance` is False.

If every case already has one of the chosen agents and that split is within the tolerance, it is
also polished in place (at most a tenth of the cases may move, no agent may end less even than the
aim or than now) and kept when that costs less than the redrawn split, moves counted: an acceptable
split is not reshuffled for a few hundred metres.

Beyond `DENSE_ARCS` case × agent pairs the flow only sees each case's ten nearest agents, its
current one and each agent's nearest cases (falling back to all pairs if that is infeasible), and
repairs look at an agent's nearest cases only. Measured (`python -m benchmarks --only balance`):
5,000 cases over 20 agents in about half a second to a second; 5,000 over 100 agents about 3 s.
`cancel()` is checked between steps and in every loop; the time limit stops the local search with
the best assignment so far (`stopped_by` says so). Equal input gives an equal proposal unless the
time limit stopped it.

The parts: the input and the proposal (`balance_types`), the flow (`balance_flow`), the repairs and
the polish (`balance_search`); this module measures the problem and puts them together.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from .balance_flow import flow_assignment
from .balance_search import LocalSearch, polish
from .balance_types import (
    CASE_OVERHEAD_MINUTES,
    DEFAULT_DOOR_MINUTES,
    TWO_PERSON_FACTOR,
    AgentLoad,
    BalanceAgent,
    BalanceCancelled,
    BalanceCase,
    BalanceError,
    BalanceProposal,
    expected_visit_minutes,
)
from .travel import EARTH_RADIUS_M

__all__ = [
    "AIM_SHARE", "CASE_OVERHEAD_MINUTES", "DEFAULT_DOOR_MINUTES", "MOVE_COST_KM", "TWO_PERSON_FACTOR", "AgentLoad",
    "BalanceAgent", "BalanceCancelled", "BalanceCase", "BalanceError", "BalanceProposal", "distances_km",
    "expected_visit_minutes", "propose_balance",
]

MOVE_COST_KM = 1.0  # how much closer a door must be before it changes hands
LP_BAND_SHARE = 0.5  # the flow uses this share of the tolerance; rounding and repairs use the rest
AIM_SHARE = 0.5  # the search aims at this share of the tolerance, so the proposal is evener than required
KEEP_BUDGET_SHARE = 0.10  # an acceptable split is polished in place with at most this share of moves…
KEEP_MIN_BUDGET = 20  # …or this many; a split that needs more is redrawn
MAX_CASES = 200_000
MAX_AGENTS = 500


def _valid_point(lat: float | None, lon: float | None) -> bool:
    return (lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon)
            and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0)


def distances_km(lat: np.ndarray, lon: np.ndarray, blat: np.ndarray, blon: np.ndarray) -> np.ndarray:
    """Distances (km) from every point (rows) to every base (columns)."""
    p1, p2 = np.radians(lat)[:, None], np.radians(blat)[None, :]
    dl = np.radians(blon)[None, :] - np.radians(lon)[:, None]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M / 1000.0 * np.arcsin(np.minimum(1.0, np.sqrt(h))), dtype=float)


def _validate(cases: Sequence[BalanceCase], agents: Sequence[BalanceAgent], tolerance: float,
              time_limit_s: float, move_cost_km: float) -> None:
    if not agents:
        raise BalanceError("choose at least one agent to balance over")
    if len(agents) > MAX_AGENTS:
        raise BalanceError(f"at most {MAX_AGENTS} agents can be balanced at once")
    if len(cases) > MAX_CASES:
        raise BalanceError(f"at most {MAX_CASES:,} cases can be balanced at once")
    if not (math.isfinite(tolerance) and 0.0 <= tolerance < 1.0):
        raise BalanceError(f"tolerance must be between 0 and 1 (0.10 = ±10 %), got {tolerance!r}")
    if not (math.isfinite(time_limit_s) and time_limit_s > 0):
        raise BalanceError(f"the time limit must be a positive number of seconds, got {time_limit_s!r}")
    if not (math.isfinite(move_cost_km) and move_cost_km >= 0):
        raise BalanceError(f"the move cost must be a non-negative distance, got {move_cost_km!r}")
    seen: set[int] = set()
    for a in agents:
        if a.agent_id in seen:
            raise BalanceError(f"agent {a.agent_id} is chosen twice")
        seen.add(a.agent_id)
        if not (math.isfinite(a.capacity_factor) and 0.0 < a.capacity_factor <= 100.0):
            raise BalanceError(f"agent {a.agent_id}: capacity factor must be above 0, got {a.capacity_factor!r}")
    ids: set[int] = set()
    for c in cases:
        if c.case_id in ids:
            raise BalanceError(f"case {c.case_id} appears twice")
        ids.add(c.case_id)
        if not (math.isfinite(c.visit_minutes) and 0.0 <= c.visit_minutes <= 24 * 60):
            raise BalanceError(f"case {c.case_id}: visit minutes must be between 0 and 1440, got {c.visit_minutes!r}")


def propose_balance(cases: Sequence[BalanceCase], agents: Sequence[BalanceAgent], *, tolerance: float = 0.10,
                    cancel: Callable[[], bool] | None = None, time_limit_s: float = 4.0,
                    move_cost_km: float = MOVE_COST_KM,
                    case_overhead_minutes: float = CASE_OVERHEAD_MINUTES) -> BalanceProposal:
    """Propose an even, compact assignment of `cases` to `agents` (see the module text).

    Raises BalanceError for unusable input and BalanceCancelled when `cancel()` turns True."""
    started = time.perf_counter()
    _validate(cases, agents, tolerance, time_limit_s, move_cost_km)
    if not (math.isfinite(case_overhead_minutes) and case_overhead_minutes >= 0):
        raise BalanceError(f"the per-case overhead must be non-negative minutes, got {case_overhead_minutes!r}")
    deadline = started + time_limit_s
    stopped = {"time": False}

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise BalanceCancelled("auto-balance cancelled")

    def stop() -> bool:
        check_cancel()
        if time.perf_counter() > deadline:
            stopped["time"] = True
            return True
        return False

    check_cancel()
    agent_ids = [a.agent_id for a in agents]
    col = {aid: j for j, aid in enumerate(agent_ids)}
    m, n = len(agents), len(cases)
    factors = np.array([a.capacity_factor for a in agents], dtype=float)
    share = factors / factors.sum()
    notes: list[str] = []

    located = np.array([_valid_point(c.lat, c.lon) for c in cases], dtype=bool)
    lat = np.array([c.lat if ok else 0.0 for c, ok in zip(cases, located, strict=True)], dtype=float)
    lon = np.array([c.lon if ok else 0.0 for c, ok in zip(cases, located, strict=True)], dtype=float)
    current = np.array([col.get(c.current_agent, -1) if c.current_agent is not None else -1 for c in cases],
                       dtype=np.int64)
    w = np.array([c.visit_minutes + case_overhead_minutes for c in cases], dtype=float)
    unplaceable = tuple(c.case_id for c, ok in zip(cases, located, strict=True) if not ok)
    if unplaceable:
        notes.append(f"{len(unplaceable)} case(s) have no usable coordinates: placed by workload only")

    # Each agent's base: their own, else the median of the doors they hold here, else the centre of all doors.
    bases: dict[int, tuple[float, float] | None] = {}
    source: dict[int, str] = {}
    centroid = (float(lat[located].mean()), float(lon[located].mean())) if located.any() else None
    for j, a in enumerate(agents):
        if _valid_point(a.base_lat, a.base_lon):
            assert a.base_lat is not None and a.base_lon is not None
            bases[a.agent_id], source[a.agent_id] = (float(a.base_lat), float(a.base_lon)), "base"
            continue
        held = located & (current == j)
        if held.any():
            bases[a.agent_id] = (float(np.median(lat[held])), float(np.median(lon[held])))
            source[a.agent_id] = "current_cases"
            notes.append(f"agent {a.agent_id} has no base: measured from the median of the cases they hold")
        else:
            bases[a.agent_id], source[a.agent_id] = centroid, "centroid"
            notes.append(f"agent {a.agent_id} has no base and holds none of these cases: "
                         "measured from the centre of the chosen cases")

    blat = np.array([(bases[i] or (0.0, 0.0))[0] for i in agent_ids], dtype=float)
    blon = np.array([(bases[i] or (0.0, 0.0))[1] for i in agent_ids], dtype=float)
    has_base = np.array([bases[i] is not None for i in agent_ids], dtype=bool)
    dist = np.zeros((n, m), dtype=float)
    if n and located.any():
        dist[located] = distances_km(lat[located], lon[located], blat, blon)
        dist[:, ~has_base] = 0.0
    cost = dist.copy()
    if n:
        stay = np.zeros((n, m), dtype=bool)
        has_cur = current >= 0
        stay[np.nonzero(has_cur)[0], current[has_cur]] = True
        cost += np.where(stay, 0.0, move_cost_km)

    target_w = float(w.sum()) * share
    target_k = n * share
    lo_w, hi_w = target_w * (1 - tolerance), target_w * (1 + tolerance)
    lo_k, hi_k = np.floor(target_k * (1 - tolerance) + 1e-9), np.ceil(target_k * (1 + tolerance) - 1e-9)
    aim = tolerance * AIM_SHARE
    aim_lo_w, aim_hi_w = target_w * (1 - aim), target_w * (1 + aim)
    aim_lo_k, aim_hi_k = np.floor(target_k * (1 - aim) + 1e-9), np.ceil(target_k * (1 + aim) - 1e-9)
    check_cancel()

    stopped_by = "converged"
    if n == 0:
        assign = np.zeros(0, dtype=np.int64)
    elif m == 1:
        assign = np.zeros(n, dtype=np.int64)
    else:
        w_scale, k_scale = max(float(target_w.mean()), 1e-9), max(float(target_k.mean()), 1e-9)
        flowed = flow_assignment(cost, w, share, tolerance * LP_BAND_SHARE, current)
        check_cancel()
        search = LocalSearch(cost, w, flowed.copy(), aim_lo_w, aim_hi_w, aim_lo_k, aim_hi_k, w_scale, k_scale,
                         stop=stop)
        polish(search, repair=True)
        assign = search.a
        # The split as it stands (cases nobody here holds placed as the flow placed them) may need
        # only a few moves: repair or polish it in place and keep it when that costs less, moves
        # counted — so a good split, or a good split plus new cases, is not reshuffled for nothing.
        held = current >= 0
        if not stopped["time"] and held.any():
            kept = LocalSearch(cost, w, np.where(held, current, flowed), lo_w, hi_w, lo_k, hi_k, w_scale, k_scale,
                           stop=stop, budget=max(KEEP_MIN_BUDGET, int(n * KEEP_BUDGET_SHARE)))
            acceptable = kept.total_viol() <= kept.eps
            if acceptable:  # polishing may not leave an agent less even than the aim or than now
                kept.set_bands(np.minimum(aim_lo_w, kept.load), np.maximum(aim_hi_w, kept.load),
                               np.minimum(aim_lo_k, kept.count), np.maximum(aim_hi_k, kept.count))
            else:
                kept.set_bands(aim_lo_w, aim_hi_w, aim_lo_k, aim_hi_k)
            polish(kept, repair=not acceptable)
            rows = np.arange(n)
            if (not kept.over_budget() and kept.total_viol() <= kept.eps
                    and float(cost[rows, kept.a].sum()) <= float(cost[rows, assign].sum()) + 1e-9):
                assign = kept.a
                notes.append("the current split is kept where it is even enough: "
                             "only changes that even it out or bring doors clearly closer are proposed")
        if stopped["time"]:
            stopped_by = "time_limit"
            notes.append("the time limit stopped the search: the proposal is the best found so far")

    # Figures.
    load_w = np.bincount(assign, weights=w, minlength=m) if n else np.zeros(m)
    load_v = np.bincount(assign, weights=w - case_overhead_minutes, minlength=m) if n else np.zeros(m)
    load_k = np.bincount(assign, minlength=m) if n else np.zeros(m, dtype=np.int64)
    own = dist[np.arange(n), assign] if n else np.zeros(0)
    loads: dict[int, AgentLoad] = {}
    for j, aid in enumerate(agent_ids):
        mine = located & (assign == j)
        loads[aid] = AgentLoad(agent_id=aid, cases=int(load_k[j]), visit_minutes=round(float(load_v[j]), 3),
                               workload=round(float(load_w[j]), 3),
                               mean_distance_km=float(own[mine].mean()) if mine.any() else 0.0,
                               target_workload=round(float(target_w[j]), 3), target_cases=float(target_k[j]))
    spread = max((abs(ld.deviation) for ld in loads.values()), default=0.0) if n else 0.0
    inside = bool(n == 0 or (np.all(load_w >= lo_w - 1e-6) and np.all(load_w <= hi_w + 1e-6)
                             and np.all(load_k >= lo_k) and np.all(load_k <= hi_k)))
    if not inside:
        notes.append(f"not every agent could be brought within ±{tolerance:.0%} of their share "
                     "(too few cases, or a few large ones)")
    rr = np.arange(n) % m
    order = np.argsort(np.array([c.case_id for c in cases], dtype=np.int64), kind="stable")
    rr_assign = np.empty(n, dtype=np.int64)
    rr_assign[order] = rr
    rr_dist = dist[np.arange(n), rr_assign] if n else np.zeros(0)
    moved = int(sum(1 for i in range(n) if cases[i].current_agent is not None
                    and cases[i].current_agent != agent_ids[int(assign[i])]))
    newly = int(sum(1 for c in cases if c.current_agent is None))
    return BalanceProposal(
        assignments={c.case_id: agent_ids[int(assign[i])] for i, c in enumerate(cases)},
        loads=loads,
        mean_distance_km=float(own[located].mean()) if located.any() else 0.0,
        round_robin_mean_distance_km=float(rr_dist[located].mean()) if located.any() else 0.0,
        moved=moved, unplaceable=unplaceable, newly_assigned=newly, within_tolerance=inside,
        spread=float(spread), bases=bases, base_source=source, notes=tuple(notes), stopped_by=stopped_by,
        seconds=time.perf_counter() - started)
