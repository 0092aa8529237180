"""Auto-balance figures: 5,000 demo-city cases over 20 agents (issue #7: ≤ 5 s).

The demo city has six agents; fourteen more are added with bases at the homes of randomly drawn
debtors (seeded), so the bases crowd where the doors do, as a real team's would. The time is the
whole service call the Assign room makes (read the cases, notes and agents from the store, propose),
median of three runs; beside it the same input split greedily to the nearest base (no balancing at
all). Also printed: the largest workload deviation from the target (the issue's bound is ±10 %),
the case-count deviation, and the mean distance from door to base against a round-robin split and
against the greedy nearest-base split (the unbalanced lower bound).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date

import numpy as np
from sqlalchemy import text

from benchmarks.common import DEMO_DAY_ISO, Context, Figure

AGENTS = 20


def _store(ctx: Context, cases: int):  # type: ignore[no-untyped-def]
    from app.demo.generate import generate
    from app.store.engine import checkpoint
    from app.store.migrate import open_store

    folder = ctx.work / f"balance{cases}"
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(folder / "doorstep.sqlite3")
    generate(store, cases, seed=7, today=date.fromisoformat(DEMO_DAY_ISO))
    rng = random.Random(20)
    with store.engine.begin() as conn:
        homes = conn.execute(text("SELECT lat, lon FROM addresses WHERE kind = 'home' AND lat IS NOT NULL "
                                  "ORDER BY id")).all()
        have = conn.execute(text("SELECT COUNT(*) FROM agents WHERE role = 'agent'")).scalar_one()
        top = conn.execute(text("SELECT MAX(id) FROM agents")).scalar_one()
        for k in range(AGENTS - int(have)):
            lat, lon = rng.choice(homes)
            conn.execute(text("INSERT INTO agents(id, username, display_name, role, team, base_lat, base_lon) "
                              "VALUES (:i, :u, :d, 'agent', 'demo', :lat, :lon)"),
                         {"i": int(top) + 1 + k, "u": f"bench{k + 1:02d}", "d": f"外访员{k + 1:02d}",
                          "lat": lat, "lon": lon})
    checkpoint(store.engine)
    return store


def _greedy_nearest(cases, agents) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """Each door to the nearest base, ignoring workload: the plainest compact split."""
    from app.routing.balance import distances_km

    lat = np.array([c.lat if c.lat is not None else 0.0 for c in cases])
    lon = np.array([c.lon if c.lon is not None else 0.0 for c in cases])
    d = distances_km(lat, lon, np.array([a.base_lat for a in agents]), np.array([a.base_lon for a in agents]))
    best = np.argmin(d, axis=1)
    return {c.case_id: agents[int(best[i])].agent_id for i, c in enumerate(cases)}


def run(ctx: Context) -> list[Figure]:
    from app.domain.compliance import builtin_profile
    from app.routing.balance import CASE_OVERHEAD_MINUTES, propose_balance
    from app.services.balancing import balance_input, propose_from_store

    n_cases = 500 if ctx.quick else 5_000
    store = _store(ctx, n_cases)
    profile = builtin_profile("CN")
    with store.engine.connect() as conn:
        case_ids = [int(r[0]) for r in conn.execute(text("SELECT id FROM cases ORDER BY id"))]
        agent_ids = [int(r[0]) for r in conn.execute(text("SELECT id FROM agents WHERE role = 'agent' ORDER BY id"))]
    assert len(agent_ids) == AGENTS

    runs = 1 if ctx.quick else 3
    times, proposal = [], None
    for _ in range(runs):
        started = time.perf_counter()
        proposal = propose_from_store(store, case_ids, agent_ids, profile=profile)
        times.append(time.perf_counter() - started)
    assert proposal is not None
    data = balance_input(store, case_ids, agent_ids, profile=profile)
    solve_s = statistics.median(propose_balance(data.cases, data.agents).seconds for _ in range(runs))
    started = time.perf_counter()
    greedy = _greedy_nearest(data.cases, data.agents)
    greedy_s = time.perf_counter() - started
    store.close()

    # The greedy split's own figures, for comparison.
    minutes = {c.case_id: c.visit_minutes + CASE_OVERHEAD_MINUTES for c in data.cases}
    g_load = dict.fromkeys(agent_ids, 0.0)
    for cid, aid in greedy.items():
        g_load[aid] += minutes[cid]
    mean_load = sum(g_load.values()) / len(agent_ids)
    g_spread = max(abs(v / mean_load - 1) for v in g_load.values())
    located = {c.case_id: c for c in data.cases if c.lat is not None and c.lon is not None}
    base = {a.agent_id: (a.base_lat, a.base_lon) for a in data.agents}
    from app.routing.model import Point
    from app.routing.travel import great_circle_m

    g_km = statistics.fmean(great_circle_m(Point(c.lat, c.lon), Point(*base[greedy[cid]]))  # type: ignore[arg-type]
                            for cid, c in located.items()) / 1000
    count_spread = max(abs(ld.case_deviation) for ld in proposal.loads.values())
    label = f"{len(case_ids):,} cases / {AGENTS} agents"
    return [
        Figure(f"auto-balance {label} (read + propose, median)", statistics.median(times), "s",
               target=None if ctx.quick else 5.0, reference=greedy_s,
               reference_label="greedy nearest-base split, no balancing"),
        Figure("auto-balance: propose alone (median)", solve_s, "s"),
        Figure("auto-balance: largest workload deviation", proposal.spread * 100, "%", target=10.0,
               reference=g_spread * 100, reference_label="greedy nearest-base split",
               note=f"within tolerance: {proposal.within_tolerance}"),
        Figure("auto-balance: largest case-count deviation", count_spread * 100, "%", target=10.0),
        Figure("auto-balance: mean distance door → base", proposal.mean_distance_km, "km",
               reference=proposal.round_robin_mean_distance_km, reference_label="round-robin split",
               note=f"greedy nearest-base (unbalanced) {g_km:.2f} km"),
        Figure("auto-balance: compactness ÷ round-robin", proposal.mean_distance_km
               / proposal.round_robin_mean_distance_km, "×",
               note=f"{proposal.moved:,} of {len(case_ids):,} cases change agent (the tests ask ≤ 0.6 on the demo)"),
    ]
