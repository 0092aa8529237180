"""The auto-balance's local search: repair the workload and case-count bands the flow's split leaves
broken, then make the split more compact with moves and swaps that keep every band (see
`app.routing.balance`). Pure."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .balance_flow import DENSE_ARCS

SWAP_CANDIDATES = 40  # per agent pair and side, the cases that most want the other agent
REPAIR_BATCH = 1024  # repair moves tried per round, cheapest first
NEARBY_SHARE = 4  # on large problems, repairs give an agent only cases among its 4 × fair-share cheapest


class LocalSearch:
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


def polish(search: LocalSearch, *, repair: bool) -> None:
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
