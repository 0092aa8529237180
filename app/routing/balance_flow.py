"""The auto-balance's first split: a transportation problem on OR-Tools' min-cost flow. Every case
ships its workload (whole minutes) to the agents, each agent must receive its share within a band,
and a minute costs the case's distance to that agent (see `app.routing.balance`). Pure."""

from __future__ import annotations

import math

import numpy as np

from .balance_types import BalanceError

DENSE_ARCS = 250_000  # up to this many case × agent pairs the flow sees them all
NEAREST_AGENTS = 10  # past it, each case's cheapest agents…


def arc_mask(cost_km: np.ndarray, current: np.ndarray) -> np.ndarray | None:
    """Which case → agent arcs the flow gets; None: all of them. Past DENSE_ARCS arcs, each case
    keeps its NEAREST_AGENTS cheapest agents and its current one, and each agent its cheapest
    cases up to three times its fair number, which leaves every agent enough to fill its band."""
    n, m = cost_km.shape
    if n * m <= DENSE_ARCS or m <= NEAREST_AGENTS:
        return None
    mask = np.zeros((n, m), dtype=bool)
    rows = np.arange(n)
    nearest = np.argpartition(cost_km, NEAREST_AGENTS - 1, axis=1)[:, :NEAREST_AGENTS]
    mask[rows[:, None], nearest] = True
    has_cur = current >= 0
    mask[rows[has_cur], current[has_cur]] = True
    per_agent = min(n, 3 * math.ceil(n / m))
    if per_agent < n:
        closest = np.argpartition(cost_km, per_agent - 1, axis=0)[:per_agent, :]
        mask[closest, np.arange(m)[None, :]] = True
    return mask


def flow_assignment(cost_km: np.ndarray, w: np.ndarray, share: np.ndarray, band: float,
                     current: np.ndarray) -> np.ndarray:
    """The transportation problem on OR-Tools' min-cost flow; each case to the agent that got most of it."""
    mask = arc_mask(cost_km, current)
    if mask is not None:
        found = solve_flow(cost_km, w, share, band, current, mask)
        if found is not None:
            return found
    found = solve_flow(cost_km, w, share, band, current, None)
    if found is None:
        raise BalanceError("the balancing flow could not be solved")
    return found


def solve_flow(cost_km: np.ndarray, w: np.ndarray, share: np.ndarray, band: float, current: np.ndarray,
                mask: np.ndarray | None) -> np.ndarray | None:
    from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

    n, m = cost_km.shape
    units = np.maximum(1, np.rint(w)).astype(np.int64)
    total = int(units.sum())
    lo = np.floor(total * share * (1.0 - band)).astype(np.int64)
    hi = np.ceil(total * share * (1.0 + band)).astype(np.int64)
    hi = np.maximum(hi, lo)
    # Per minute shipped, the case's cost in decimetres divided by its minutes: a case costs its distance once.
    unit_cost = np.rint(cost_km * 10_000.0 / units[:, None]).astype(np.int64)
    if mask is None:
        tails, cols = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    else:
        tails, cols = np.nonzero(mask)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), (cols + n).astype(np.int32), units[tails],
                                              unit_cost[tails, cols])
    slack = n + m
    flow.add_arcs_with_capacity_and_unit_cost(np.arange(n, n + m, dtype=np.int32), np.full(m, slack, dtype=np.int32),
                                              (hi - lo).astype(np.int64), np.zeros(m, dtype=np.int64))
    supplies = np.concatenate([units, -lo, np.array([-(total - int(lo.sum()))], dtype=np.int64)])
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies.astype(np.int64))
    if flow.solve() != flow.OPTIMAL:
        return None
    shipped = np.zeros((n, m))
    shipped[tails, cols] = np.asarray(flow.flows(np.arange(len(tails), dtype=np.int32)), dtype=float)
    # The agent that got most of the case; on a tie its current agent, then the first.
    has_cur = current >= 0
    shipped[np.nonzero(has_cur)[0], current[has_cur]] += 0.5
    return np.asarray(np.argmax(shipped, axis=1), dtype=np.int64)
