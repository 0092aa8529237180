"""Supervisor figures against a real head-office process on loopback (SQLite backend).

* Reassigning 10,000 cases round trip (issue #7, ≤ 10 s): the supervisor's client sends the moves
  (`POST /cases/assign`, 1,000 per request, each item with the version the supervisor saw), then
  the receiving agent's next sync pulls them into its laptop store. Timed from the first request
  to the agent's store holding all 10,000.
* Beside it: the same requests and byte counts over bare HTTP on the same loopback, and the
  one-case endpoint (`POST /cases/{id}/assign` with If-Match) timed over 100 cases and scaled to
  10,000 (what the round trip would cost without the bulk endpoint, before the agent's sync).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_sync import _bare_http, _client, _Meter, _Server
from benchmarks.common import Context, Figure

TARGET_S = 10.0


def _team_cases(client: Any) -> dict[int, tuple[int, int | None]]:
    """{case id: (version, agent id)} of the supervisor's team, read through the case list."""
    out: dict[int, tuple[int, int | None]] = {}
    offset: int | None = 0
    while offset is not None:
        response = client._call("GET", "/cases", params={"offset": offset, "limit": 1000})
        body = response.json()
        out.update({c["id"]: (c["version"], c["agent_id"]) for c in body["cases"]})
        offset = body["next_offset"]
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(ctx: Context) -> list[Figure]:
    from sqlalchemy import func, select

    from app.contract import v1
    from app.services.syncing import sync_once
    from app.store import models as m
    from app.store.migrate import open_store
    from app.sync.engine import SyncOptions

    moves = 1_000 if ctx.quick else 10_000
    folder = ctx.work / "supervisor"
    folder.mkdir(parents=True, exist_ok=True)
    server = _Server(folder, int(moves * 1.35) + 200)
    figures: list[Figure] = []
    try:
        agent_store = open_store(folder / "agent01.sqlite3")
        sup_store = open_store(folder / "super01.sqlite3")
        meter = _Meter()
        agent = _client(server.url, agent_store, "agent01", meter)
        sup = _client(server.url, sup_store, "super01", meter)
        sync_once(agent_store, agent)  # the agent's laptop is up to date before the move
        me = agent.user.id
        cases = _team_cases(sup)
        others = sorted(cid for cid, (_v, owner) in cases.items() if owner != me)
        assert len(others) >= moves + 100, f"only {len(others)} cases held by others"
        bulk, single = others[:moves], others[moves:moves + 100]
        with agent_store.read() as session:
            before = session.scalar(select(func.count()).select_from(m.Case)) or 0

        # The reference: the one-case endpoint over 100 other cases (back to the unassigned queue, so no
        # agent's pull carries them), scaled to the whole move.
        started = time.perf_counter()
        for cid in single:
            sup._call("POST", f"/cases/{cid}/assign", json={"agent_id": None},
                      headers={"If-Match": f'"{cases[cid][0]}"'})
        per_case = (time.perf_counter() - started) / len(single)

        meter.clear()
        server_cpu = _cpu_seconds(server.proc.pid)
        client_cpu = time.process_time()
        started = time.perf_counter()
        for i in range(0, len(bulk), v1.MAX_ASSIGN_ITEMS):
            part = bulk[i:i + v1.MAX_ASSIGN_ITEMS]
            reply = sup.assign_batch([v1.AssignItem(case_id=c, version=cases[c][0], agent_id=me) for c in part],
                                     reason="benchmark")
            assert all(r.status == "assigned" for r in reply.results)
        assigned = time.perf_counter() - started
        report = sync_once(agent_store, agent, options=SyncOptions(fetch_agents=False))
        total = time.perf_counter() - started
        server_cpu = _cpu_seconds(server.proc.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        load = os.getloadavg()[0]
        with agent_store.read() as session:
            after = session.scalar(select(func.count()).select_from(m.Case)) or 0
        assert after == before + moves, (before, after, report.lines())
        exchanges = list(meter.exchanges)
        bare = _bare_http(exchanges)
        mb = sum(s + r for s, r in exchanges) / 1e6
        figures.append(Figure(
            f"reassign {moves:,} cases round trip (assign + agent's next sync)", total, "s", target=TARGET_S,
            reference=bare, reference_label=f"bare HTTP, same {len(exchanges)} requests / {mb:.1f} MB",
            note=f"assign {assigned:.2f} s in {(len(bulk) + 999) // 1000} request(s) for {len(bulk):,} cases "
                 f", agent's sync {total - assigned:.2f} s "
                 f"({report.pulled_pages} pages), waiting on head office {meter.waited:.1f} s; CPU used: head office "
                 f"{server_cpu:.1f} s + supervisor and agent {client_cpu:.1f} s (load average {load:.1f} while "
                 "measured: on a busy machine the wall time is mostly waiting for a core)"))
        figures.append(Figure(
            f"assign {len(bulk):,} cases (bulk endpoint)", assigned, "s", reference=per_case * len(bulk),
            reference_label=f"one-case endpoint, {per_case * 1000:.1f} ms/case over 100 cases, scaled"))
        agent.close()
        sup.close()
        agent_store.close()
        sup_store.close()
    finally:
        server.stop()
    return figures


if __name__ == "__main__":
    import json
    import sys
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as tmp:
        for f in run(Context(work=Path(tmp), quick="--quick" in sys.argv)):
            print(json.dumps(f.__dict__, ensure_ascii=False))
