"""The Assign room's path for a large reassignment, against a real head-office process on loopback.

* Reassigning 10,000 cases round trip the way the window does it (issue #7, ≤ 10 s): the supervisor's
  laptop queues the assignments (`app.services.assigning.queue_assignments`: pending events + outbox,
  one transaction), delivers them (`deliver_pending`: the bulk endpoint, 1,000 per request, each
  item with the version the laptop saw, results written back per chunk), and the receiving agent's
  next sync pulls them. Timed from the queueing to the agent's store holding all 10,000.
* Reference: another 10,000 cases moved the plainest way — the client's bulk call straight from
  memory, no local queue or write-back — then the other agent's sync, on the same server.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.bench_sync import _client, _Meter, _Server
from benchmarks.common import Context, Figure

TARGET_S = 10.0


def _count(store: Any) -> int:
    from sqlalchemy import func, select

    from app.store import models as m

    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(m.Case)) or 0)


def run(ctx: Context) -> list[Figure]:
    from sqlalchemy import text

    from app.contract import v1
    from app.services.assigning import deliver_pending, queue_assignments
    from app.services.syncing import sync_once
    from app.store.migrate import open_store
    from app.sync.engine import SyncOptions

    moves = 1_000 if ctx.quick else 10_000
    folder = ctx.work / "assign"
    folder.mkdir(parents=True, exist_ok=True)
    server = _Server(folder, int(moves * 2.8) + 400)
    figures: list[Figure] = []
    try:
        meter = _Meter()
        sup_store = open_store(folder / "super01.sqlite3")
        a1_store = open_store(folder / "agent01.sqlite3")
        a2_store = open_store(folder / "agent02.sqlite3")
        sup = _client(server.url, sup_store, "super01", meter)
        a1 = _client(server.url, a1_store, "agent01")
        a2 = _client(server.url, a2_store, "agent02")
        started = time.perf_counter()
        sync_once(sup_store, sup)  # the supervisor's laptop holds the team's cases (not timed below)
        first_pull = time.perf_counter() - started
        sync_once(a1_store, a1)
        sync_once(a2_store, a2)
        me1, me2 = a1.user.id, a2.user.id
        with sup_store.engine.connect() as conn:
            others = [(int(r[0]), int(r[1])) for r in conn.execute(text(
                "SELECT id, version FROM cases WHERE agent_id IS NULL OR agent_id NOT IN (:a, :b) ORDER BY id"),
                {"a": me1, "b": me2})]
        assert len(others) >= 2 * moves, f"only {len(others)} cases held by others"
        app_path = [cid for cid, _v in others[:moves]]
        plain_path = others[moves:2 * moves]
        before1, before2 = _count(a1_store), _count(a2_store)

        meter.clear()
        now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
        started = time.perf_counter()
        queue_assignments(sup_store, app_path, me1, actor="super01", now=now, reason="benchmark")
        queued = time.perf_counter() - started
        delivery = deliver_pending(sup_store, sup, now=lambda: now)
        delivered = time.perf_counter() - started
        sync_once(a1_store, a1, options=SyncOptions(fetch_agents=False))
        total = time.perf_counter() - started
        waited = meter.waited
        assert delivery.applied == moves and not delivery.problems, delivery
        assert _count(a1_store) == before1 + moves

        started = time.perf_counter()
        for i in range(0, moves, v1.MAX_ASSIGN_ITEMS):
            part = plain_path[i:i + v1.MAX_ASSIGN_ITEMS]
            reply = sup.assign_batch([v1.AssignItem(case_id=c, version=v, agent_id=me2) for c, v in part],
                                     reason="benchmark")
            assert all(r.status == "assigned" for r in reply.results)
        sync_once(a2_store, a2, options=SyncOptions(fetch_agents=False))
        plain = time.perf_counter() - started
        assert _count(a2_store) == before2 + moves

        figures.append(Figure(
            f"reassign {moves:,} cases from the Assign room, round trip (queue + deliver + agent's next sync)",
            total, "s", target=TARGET_S, reference=plain,
            reference_label=f"the same move as bare bulk calls from memory + the agent's sync ({moves:,} other cases)",
            note=f"queued locally {queued:.2f} s, delivered {delivered - queued:.2f} s in {delivery.chunks} "
                 f"request(s) (waiting on head office {waited:.2f} s), agent's sync {total - delivered:.2f} s; "
                 f"the supervisor's first pull of {len(others) + before1 + before2:,} cases took {first_pull:.1f} s"))
        figures.append(Figure(f"queue {moves:,} assignments on the supervisor's laptop", queued, "s"))
        for client in (sup, a1, a2):
            client.close()
        for store in (sup_store, a1_store, a2_store):
            store.close()
    finally:
        server.stop()
    return figures


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as tmp:
        for f in run(Context(work=Path(tmp), quick="--quick" in sys.argv)):
            print(json.dumps(f.__dict__, ensure_ascii=False))
