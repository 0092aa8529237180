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
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .model import DEFAULT_DURATION_S
from .travel import EARTH_RADIUS_M

CASE_OVERHEAD_MINUTES = 15.0  # door-to-door travel and writing the visit up, per case
TWO_PERSON_FACTOR = 1.5  # a visit that needs a partner takes arranging and waiting
DEFAULT_DOOR_MINUTES = DEFAULT_DURATION_S / 60
MOVE_COST_KM = 1.0  # how much closer a door must be before it changes hands
LP_BAND_SHARE = 0.5  # the flow uses this share of the tolerance; rounding and repairs use the rest
AIM_SHARE = 0.5  # the search aims at this share of the tolerance, so the proposal is evener than required
KEEP_BUDGET_SHARE = 0.10  # an acceptable split is polished in place with at most this share of moves…
KEEP_MIN_BUDGET = 20  # …or this many; a split that needs more is redrawn
SWAP_CANDIDATES = 40  # per agent pair and side, the cases that most want the other agent
DENSE_ARCS = 250_000  # up to this many case × agent pairs the flow sees them all
NEAREST_AGENTS = 10  # past it, each case's cheapest agents…
REPAIR_BATCH = 1024  # repair moves tried per round, cheapest first
NEARBY_SHARE = 4  # on large problems, repairs give an agent only cases among its 4 × fair-share cheapest
MAX_CASES = 200_000
MAX_AGENTS = 500


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


class _Search:
    """The assignment being improved: loads, counts and bands per agent, the cost of each choice."""

    def __init__(self, cost: np.ndarray, w: np.ndarray, assign: np.ndarray, lo_w: np.ndarray, hi_w: np.ndarray,
                 lo_k: np.ndarray, hi_k: np.ndarray, w_scale: float, k_scale: float,
                 stop: Callable[[], bool], budget: int | None = None):
        self.cost, self.w, self.a = cost, w, assign
        self.budget = budget  # at most this many moves (a swap is two); None: no limit
        self.changes = 0
        self.m = cost.shape[1]
        self.set_bands(lo_w, hi_w, lo_k, hi_k)
        self.w_scale, self.k_scale = w_scale, k_scale
        self.load = np.bincount(assign, weights=w, minlength=self.m).astype(float)
        self.count = np.bincount(assign, minlength=self.m).astype(float)
        self._stop = stop
        self._nearby: np.ndarray | None = None
        self.eps = 1e-9

    def stop(self) -> bool:
        return self.over_budget() or self._stop()

    def over_budget(self) -> bool:
        return self.budget is not None and self.changes > self.budget

    # The excess over the bands, in units of the mean target (so minutes and counts weigh alike).
    def viol(self, load: np.ndarray, count: np.ndarray, idx: np.ndarray | slice | int) -> np.ndarray:
        vw = np.maximum(0.0, np.maximum(load - self.hi_w[idx], self.lo_w[idx] - load)) / self.w_scale
        vk = np.maximum(0.0, np.maximum(count - self.hi_k[idx], self.lo_k[idx] - count)) / self.k_scale
        return np.asarray(vw + vk, dtype=float)

    def viol1(self, j: int, load: float, count: float) -> float:
        """The excess of agent j at this load and count (plain floats: for one move at a time)."""
        vw = max(0.0, load - self._hi_w[j], self._lo_w[j] - load) / self.w_scale
        vk = max(0.0, count - self._hi_k[j], self._lo_k[j] - count) / self.k_scale
        return vw + vk

    def pair_delta(self, i: int, j: int) -> float:
        """Change of the total excess if case i moves to agent j."""
        src, w = int(self.a[i]), float(self.w[i])
        ls, lj, ks, kj = float(self.load[src]), float(self.load[j]), float(self.count[src]), float(self.count[j])
        return (self.viol1(src, ls - w, ks - 1) + self.viol1(j, lj + w, kj + 1)
                - self.viol1(src, ls, ks) - self.viol1(j, lj, kj))

    def nearby(self) -> np.ndarray | None:
        """Per agent, the cases cheapest to give it (NEARBY_SHARE × its fair number); None when
        every case is near enough to look at (small problems)."""
        n = len(self.a)
        k = int(NEARBY_SHARE * math.ceil(n / self.m))
        if k >= n or n * self.m <= DENSE_ARCS:
            return None
        if self._nearby is None:
            self._nearby = np.argpartition(self.cost, k - 1, axis=0)[:k, :].T.copy()
        return self._nearby

    def set_bands(self, lo_w: np.ndarray, hi_w: np.ndarray, lo_k: np.ndarray, hi_k: np.ndarray) -> None:
        self.lo_w, self.hi_w, self.lo_k, self.hi_k = lo_w, hi_w, lo_k, hi_k
        self._lo_w, self._hi_w = [float(x) for x in lo_w], [float(x) for x in hi_w]
        self._lo_k, self._hi_k = [float(x) for x in lo_k], [float(x) for x in hi_k]

    def total_viol(self) -> float:
        return float(self.viol(self.load, self.count, slice(None)).sum())

    def _move(self, i: int, j: int) -> None:
        src = int(self.a[i])
        self.load[src] -= self.w[i]
        self.count[src] -= 1
        self.load[j] += self.w[i]
        self.count[j] += 1
        self.a[i] = j
        self.changes += 1

    def move_deltas(self, rows: np.ndarray | None = None,
                    cols: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(change of total excess, change of cost) for moving each case of `rows` to each agent of
        `cols` (all by default); moving a case to its own agent is 0, 0."""
        rows = np.arange(len(self.a)) if rows is None else rows
        cols = np.arange(self.m) if cols is None else cols
        src = self.a[rows]
        w = self.w[rows]
        before_src = self.viol(self.load[src], self.count[src], src)
        after_src = self.viol(self.load[src] - w, self.count[src] - 1, src)
        before_dst = self.viol(self.load[cols], self.count[cols], cols)[None, :]
        after_dst = self.viol(self.load[cols][None, :] + w[:, None], self.count[cols][None, :] + 1, cols)
        dv = (after_src - before_src)[:, None] + (after_dst - before_dst)
        same = src[:, None] == cols[None, :]
        dv[same] = 0.0
        dc = self.cost[np.ix_(rows, cols)] - self.cost[rows, src][:, None]
        dc[same] = 0.0
        return dv, dc

    def repair(self) -> bool:
        """Bring loads and counts into their bands, cheapest repair per unit of excess first.
        False when stopped (cancel or time)."""
        while self.total_viol() > self.eps:
            if self.stop():
                return False
            if self._repair_moves() or self._repair_swap():
                continue
            return True  # nothing reduces the excess: as close as this input allows
        return True

    def _repair_moves(self) -> bool:
        """A batch of moves that reduce the excess, cheapest per unit of excess first; each is
        checked against the loads as they are when it is made. False if no move reduces it."""
        # Only a move out of or into an agent outside its band can reduce the excess.
        bad = np.nonzero(self.viol(self.load, self.count, slice(None)) > self.eps)[0]
        ratios, movers, targets = [], [], []
        near = self.nearby()
        into = np.unique(near[bad].reshape(-1)) if near is not None else np.arange(len(self.a))
        for rows, cols in ((np.nonzero(np.isin(self.a, bad))[0], np.arange(self.m)), (into, bad)):
            dv, dc = self.move_deltas(rows, cols)
            r, c = np.nonzero(dv < -self.eps)
            if not len(r):
                continue
            ratios.append(np.maximum(dc[r, c], 0.0) / -dv[r, c] + dc[r, c] * 1e-6)
            movers.append(rows[r])
            targets.append(cols[c])
        if not ratios:
            return False
        ratio, mover, target = np.concatenate(ratios), np.concatenate(movers), np.concatenate(targets)
        keep = min(len(ratio), REPAIR_BATCH)
        top = np.argpartition(ratio, keep - 1)[:keep] if keep < len(ratio) else np.arange(len(ratio))
        top = top[np.lexsort((target[top], mover[top], ratio[top]))]
        moved: set[int] = set()
        for k in top:
            i, j = int(mover[k]), int(target[k])
            src = int(self.a[i])
            if i in moved or src == j:
                continue
            if self.pair_delta(i, j) < -self.eps:
                self._move(i, j)
                moved.add(i)
        return bool(moved)

    def _repair_swap(self) -> bool:
        """One swap that reduces the workload excess (swaps keep counts). False if none does.

        For each agent outside its band: its SWAP_CANDIDATES cases that are cheapest to send
        elsewhere, against every case of every other agent, in one array."""
        bad = np.nonzero(self.viol(self.load, self.count, slice(None)) > self.eps)[0]
        best: tuple[float, int, int] | None = None
        rows = np.arange(len(self.a))
        own = self.cost[rows, self.a]
        for a in (int(x) for x in bad):
            mine = self.a == a
            ia, others = np.nonzero(mine)[0], np.nonzero(~mine)[0]
            if not len(ia) or not len(others):
                continue
            exit_cost = np.delete(self.cost[ia], a, axis=1).min(axis=1) - own[ia] if self.m > 1 else own[ia]
            ia = ia[np.argsort(exit_cost, kind="stable")[:SWAP_CANDIDATES]]
            b = self.a[others]
            dw = self.w[others][None, :] - self.w[ia][:, None]  # change of a's load
            ka = np.full(dw.shape, self.count[a])
            kb = self.count[b][None, :]
            dv = (self.viol(self.load[a] + dw, ka, a) + self.viol(self.load[b][None, :] - dw, kb, b[None, :])
                  - float(self.viol1(a, float(self.load[a]), float(self.count[a])))
                  - self.viol(self.load[b], self.count[b], b)[None, :])
            dc = (self.cost[ia][:, b] + self.cost[others, a][None, :] - own[ia][:, None] - own[others][None, :])
            score = np.where(dv < -self.eps, np.maximum(dc, 0.0) / np.maximum(-dv, self.eps) + dc * 1e-6, np.inf)
            k = int(np.argmin(score))
            if math.isfinite(float(score.flat[k])) and (best is None or score.flat[k] < best[0]):
                r, c = divmod(k, len(others))
                best = (float(score.flat[k]), int(ia[r]), int(others[c]))
        if best is None:
            return False
        _, i, j = best
        ai, aj = int(self.a[i]), int(self.a[j])
        self._move(i, aj)
        self._move(j, ai)
        return True

    def improve_moves(self) -> tuple[int, bool]:
        """Moves that lower the cost without adding excess, best gain first. (moves made, finished)."""
        made = 0
        dv, dc = self.move_deltas()
        cand = np.nonzero((dc < -self.eps) & (dv <= self.eps))
        if not len(cand[0]):
            return 0, True
        order = np.argsort(dc[cand], kind="stable")
        done: set[int] = set()
        for k, idx in enumerate(order):
            if k % 256 == 0 and self.stop():
                return made, False
            i, j = int(cand[0][idx]), int(cand[1][idx])
            if i in done:
                continue
            if int(self.a[i]) == j or self.pair_delta(i, j) > self.eps:
                continue
            self._move(i, j)
            done.add(i)
            made += 1
        return made, True

    def best_gains(self) -> np.ndarray:
        """(m × m): the most any one case of agent a gains by going to agent b (−inf if a has none).
        A swap between a and b can only pay when best[a, b] + best[b, a] > 0."""
        order = np.argsort(self.a, kind="stable")
        held = self.a[order]
        gain = self.cost[order, held][:, None] - self.cost[order]
        out = np.full((self.m, self.m), -np.inf)
        if len(order):
            starts = np.flatnonzero(np.r_[True, held[1:] != held[:-1]])
            out[held[starts]] = np.maximum.reduceat(gain, starts, axis=0)
        return out

    def improve_swaps(self) -> tuple[int, bool]:
        """Swaps between two agents that lower the cost and add no excess. (swaps made, finished)."""
        made = 0
        best = self.best_gains()
        promising = np.argwhere(np.triu(best + best.T > self.eps, k=1))
        for a, b in (map(int, pair) for pair in promising):
            while True:
                if self.stop():
                    return made, False
                done = self._swap_round(a, b)
                made += done
                if not done:
                    break
        return made, True

    def _swap_round(self, a: int, b: int) -> int:
        """Among the cases of a and b that most want the other agent, make the paying swaps, best
        first, each case at most once, each checked against the loads as they are then."""
        ia = np.nonzero(self.a == a)[0]
        ib = np.nonzero(self.a == b)[0]
        if not len(ia) or not len(ib):
            return 0
        ga = self.cost[ia, a] - self.cost[ia, b]  # what each of a's cases gains by going to b
        gb = self.cost[ib, b] - self.cost[ib, a]
        ta = ia[np.argsort(-ga, kind="stable")[:SWAP_CANDIDATES]]
        tb = ib[np.argsort(-gb, kind="stable")[:SWAP_CANDIDATES]]
        gain = (self.cost[ta, a] - self.cost[ta, b])[:, None] + (self.cost[tb, b] - self.cost[tb, a])[None, :]
        dw_all = self.w[tb][None, :] - self.w[ta][:, None]  # change of a's load for each swap
        base = float(self.viol(self.load[[a, b]], self.count[[a, b]], np.array([a, b])).sum())
        dv = (self.viol(self.load[a] + dw_all, np.full(dw_all.shape, self.count[a]), a)
              + self.viol(self.load[b] - dw_all, np.full(dw_all.shape, self.count[b]), b) - base)
        r, c = np.nonzero((gain > self.eps) & (dv <= self.eps))
        if not len(r):
            return 0
        order = np.lexsort((c, r, -gain[r, c]))
        used_a: set[int] = set()
        used_b: set[int] = set()
        made = 0
        ka, kb = float(self.count[a]), float(self.count[b])
        la, lb = float(self.load[a]), float(self.load[b])
        before = self.viol1(a, la, ka) + self.viol1(b, lb, kb)
        for k in order:
            i, j = int(ta[r[k]]), int(tb[c[k]])
            if i in used_a or j in used_b:
                continue
            dw = float(self.w[j] - self.w[i])
            after = self.viol1(a, la + dw, ka) + self.viol1(b, lb - dw, kb)
            if after > before + self.eps:
                continue
            la, lb, before = la + dw, lb - dw, after
            self._move(i, b)
            self._move(j, a)
            used_a.add(i)
            used_b.add(j)
            made += 1
        return made


def _polish(search: _Search, *, repair: bool) -> None:
    """Repair the bands (if asked), then alternate improving moves and swaps until neither helps."""
    finished = search.repair() if repair else True
    for _ in range(50):
        if not finished or search.stop():
            return
        moves, finished = search.improve_moves()
        if not finished:
            return
        swaps, finished = search.improve_swaps()
        if moves == 0 and swaps == 0:
            return


def _arc_mask(cost_km: np.ndarray, current: np.ndarray) -> np.ndarray | None:
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


def _flow_assignment(cost_km: np.ndarray, w: np.ndarray, share: np.ndarray, band: float,
                     current: np.ndarray) -> np.ndarray:
    """The transportation problem on OR-Tools' min-cost flow; each case to the agent that got most of it."""
    mask = _arc_mask(cost_km, current)
    if mask is not None:
        found = _solve_flow(cost_km, w, share, band, current, mask)
        if found is not None:
            return found
    found = _solve_flow(cost_km, w, share, band, current, None)
    if found is None:
        raise BalanceError("the balancing flow could not be solved")
    return found


def _solve_flow(cost_km: np.ndarray, w: np.ndarray, share: np.ndarray, band: float, current: np.ndarray,
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
        flowed = _flow_assignment(cost, w, share, tolerance * LP_BAND_SHARE, current)
        check_cancel()
        search = _Search(cost, w, flowed.copy(), aim_lo_w, aim_hi_w, aim_lo_k, aim_hi_k, w_scale, k_scale,
                         stop=stop)
        _polish(search, repair=True)
        assign = search.a
        # The split as it stands (cases nobody here holds placed as the flow placed them) may need
        # only a few moves: repair or polish it in place and keep it when that costs less, moves
        # counted — so a good split, or a good split plus new cases, is not reshuffled for nothing.
        held = current >= 0
        if not stopped["time"] and held.any():
            kept = _Search(cost, w, np.where(held, current, flowed), lo_w, hi_w, lo_k, hi_k, w_scale, k_scale,
                           stop=stop, budget=max(KEEP_MIN_BUDGET, int(n * KEEP_BUDGET_SHARE)))
            acceptable = kept.total_viol() <= kept.eps
            if acceptable:  # polishing may not leave an agent less even than the aim or than now
                kept.set_bands(np.minimum(aim_lo_w, kept.load), np.maximum(aim_hi_w, kept.load),
                               np.minimum(aim_lo_k, kept.count), np.maximum(aim_hi_k, kept.count))
            else:
                kept.set_bands(aim_lo_w, aim_hi_w, aim_lo_k, aim_hi_k)
            _polish(kept, repair=not acceptable)
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
