"""Supervisor figures against a real head-office process on loopback (SQLite backend).

* Reassigning 10,000 cases round trip (issue #7, ≤ 10 s), the way the Assign room does it: the
  supervisor's laptop queues the assignments (`app.services.assigning.queue_assignments`: pending
  events + outbox, one transaction), delivers them (`deliver_pending`: the bulk endpoint, 1,000 per
  request, each item with the version the laptop saw, results written back per chunk), and the
  receiving agent's next sync pulls them. Timed from the queueing to the agent's store holding all.
* Beside it, measured in the same run: the same requests and bytes over bare HTTP on the same
  loopback; and the one-case endpoint (`POST /cases/{id}/assign` with If-Match) timed over 100
  other cases and scaled (what the move would cost without the bulk endpoint, before any sync).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_sync import _bare_http, _client, _Meter, _Server
from benchmarks.common import Context, Figure

TARGET_S = 10.0


def _count(store: Any) -> int:
    with store.engine.connect() as conn:
        from sqlalchemy import text

        return int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(ctx: Context) -> list[Figure]:
    from sqlalchemy import text

    from app.services.assigning import deliver_pending, queue_assignments
    from app.services.syncing import sync_once
    from app.store.migrate import open_store
    from app.sync.engine import SyncOptions

    moves = 1_000 if ctx.quick else 10_000
    folder = ctx.work / "supervisor"
    folder.mkdir(parents=True, exist_ok=True)
    server = _Server(folder, int(moves * 1.4) + 300)
    figures: list[Figure] = []
    try:
        meter = _Meter()
        sup_store = open_store(folder / "super01.sqlite3")
        agent_store = open_store(folder / "agent01.sqlite3")
        sup = _client(server.url, sup_store, "super01", meter)
        agent = _client(server.url, agent_store, "agent01", meter)
        started = time.perf_counter()
        sync_once(sup_store, sup)  # the supervisor's laptop holds the team's cases (not timed below)
        first_pull = time.perf_counter() - started
        sync_once(agent_store, agent)  # the agent's laptop is up to date before the move
        me = agent.user.id
        with sup_store.engine.connect() as conn:
            others = [(int(r[0]), int(r[1])) for r in conn.execute(text(
                "SELECT id, version FROM cases WHERE agent_id IS NULL OR agent_id != :me ORDER BY id"), {"me": me})]
        assert len(others) >= moves + 100, f"only {len(others)} cases held by others"
        moved = [cid for cid, _v in others[:moves]]
        single = others[moves:moves + 100]
        before = _count(agent_store)

        # Reference: the one-case endpoint over 100 other cases (back to the unassigned queue, so no
        # agent's pull carries them), scaled to the whole move.
        started = time.perf_counter()
        for cid, version in single:
            sup._call("POST", f"/cases/{cid}/assign", json={"agent_id": None}, headers={"If-Match": f'"{version}"'})
        per_case = (time.perf_counter() - started) / len(single)

        meter.clear()
        server_cpu = _cpu_seconds(server.proc.pid)
        client_cpu = time.process_time()
        now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
        started = time.perf_counter()
        queue_assignments(sup_store, moved, me, actor="super01", now=now, reason="benchmark")
        queued = time.perf_counter() - started
        delivery = deliver_pending(sup_store, sup, now=lambda: now)
        delivered = time.perf_counter() - started
        report = sync_once(agent_store, agent, options=SyncOptions(fetch_agents=False))
        total = time.perf_counter() - started
        server_cpu = _cpu_seconds(server.proc.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        load = os.getloadavg()[0]
        assert delivery.applied == moves and not delivery.problems, delivery
        after = _count(agent_store)
        assert after == before + moves, (before, after, report.lines())
        exchanges = list(meter.exchanges)
        bare = _bare_http(exchanges)
        mb = sum(s + r for s, r in exchanges) / 1e6
        figures.append(Figure(
            f"reassign {moves:,} cases from the Assign room, round trip (queue + deliver + agent's next sync)",
            total, "s", target=TARGET_S,
            reference=bare, reference_label=f"bare HTTP, same {len(exchanges)} requests / {mb:.1f} MB",
            note=f"queued locally {queued:.2f} s; delivered {delivered - queued:.2f} s in {delivery.chunks} "
                 f"request(s); agent's sync {total - delivered:.2f} s ({report.pulled_pages} pages); waiting on "
                 f"head office {meter.waited:.1f} s; CPU: head office {server_cpu:.1f} s + supervisor and agent "
                 f"{client_cpu:.1f} s (load average {load:.1f}: on a busy machine the wall time is mostly waiting "
                 f"for a core); the supervisor's first pull of {len(others) + before:,} cases took {first_pull:.1f} s"))
        figures.append(Figure(
            f"deliver {moves:,} queued assignments (bulk endpoint)", delivered - queued, "s",
            reference=per_case * moves,
            reference_label=f"one-case endpoint, {per_case * 1000:.1f} ms/case over 100 cases, scaled"))
        for client in (sup, agent):
            client.close()
        for store in (sup_store, agent_store):
            store.close()
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
