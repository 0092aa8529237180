"""A sync client in its own process, for the kill -9 tests: `python -m tests.integration.sync_driver ...`.

    sync_driver DATA_DIR SERVER USER [--record N] [--pause-at STEP[:NTH]] [--announce STEP] [--batch N]

Reads the password from stdin's first line. With --record it first saves N field records through the
real service (each committed), printing `SAVED n`. It then runs one sync round; at the NTH time the
engine reaches STEP it prints `AT STEP` and blocks reading stdin (the test kills it there). With
--announce it prints `AT STEP` and carries on (the test kills it while the next request is in
flight). On success it prints `DONE` and a JSON report line.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy import text

from app.services.datadir import open_data_dir
from app.services.syncing import sync_once
from app.sync.client import HeadOfficeClient
from app.sync.engine import SyncOptions, device_of
from app.sync.retry import RetryPolicy

from .sync_helpers import record_no_answer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir")
    ap.add_argument("server")
    ap.add_argument("user")
    ap.add_argument("--record", type=int, default=0)
    ap.add_argument("--pause-at", default="")
    ap.add_argument("--announce", default="")
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--page-size", type=int, default=500)
    args = ap.parse_args(argv)
    password = sys.stdin.readline().strip()
    from pathlib import Path

    store = open_data_dir(Path(args.data_dir))
    if args.record:
        with store.read() as session:
            ids = [int(r[0]) for r in session.execute(text("SELECT id FROM cases ORDER BY id LIMIT :n"),
                                                      {"n": args.record})]
        for i, case_id in enumerate(ids, start=1):
            record_no_answer(store, case_id)
            print(f"SAVED {i}", flush=True)
    target, _, nth = args.pause_at.partition(":")
    remaining = int(nth or "1")

    def step(name: str, info: dict[str, Any]) -> None:
        nonlocal remaining
        if args.announce and name == args.announce:
            print(f"AT {name}", flush=True)
        if target and name == target:
            remaining -= 1
            if remaining == 0:
                print(f"AT {name}", flush=True)
                sys.stdin.readline()  # blocks until killed (the test never writes)

    client = HeadOfficeClient(args.server, device_of(store), retry=RetryPolicy(budget=30))
    client.login(args.user, password)
    report = sync_once(store, client, options=SyncOptions(push_batch=args.batch, page_size=args.page_size), step=step)
    client.close()
    store.close()
    print("DONE", flush=True)
    print(json.dumps({"accepted": report.pushed.accepted, "duplicate": report.pushed.duplicate,
                      "flagged": report.pushed.flagged, "queued": report.still_queued}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
