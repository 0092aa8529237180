"""Crash safety: kill -9 a process that is saving field records, at random moments, many times.

Each time, the store must open, pass `PRAGMA integrity_check` (and our own check: foreign keys,
search index, audit chain), and hold exactly the records whose save had returned — plus, at
most, the one save that was in flight when the process died (it either committed or not; never
half). Runs ≥ 200 kills in CI (CRASH_KILLS overrides).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.demo.generate import generate
from app.services.integrity import check_store
from app.store.migrate import open_store

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("CRASH_KILLS", "200"))


def wait_for(predicate, timeout: float = 120.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
    raise AssertionError("condition not met in time")


def log_state(path: Path) -> tuple[set[int], set[int]]:
    begun, done = set(), set()
    if path.exists():
        for line in path.read_text().splitlines():
            kind, _, n = line.partition(" ")
            if n.isdigit():
                (begun if kind == "B" else done).add(int(n))
    return begun, done


@pytest.mark.slow
def test_kill_minus_nine_never_loses_or_invents_a_saved_record(tmp_path: Path) -> None:
    db = tmp_path / "doorstep.sqlite3"
    seed_store = open_store(db)
    generate(seed_store, 20, seed=3, today=date(2026, 11, 30))
    seed_store.close()
    rng = random.Random(20261129)
    errors = (tmp_path / "writer-errors.txt").open("w")
    zygote = subprocess.Popen([sys.executable, "-m", "tests.integration.crash_zygote"], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True)
    assert zygote.stdin and zygote.stdout
    committed: set[int] = set()  # every record whose save returned, over all runs
    next_n = 0
    try:
        for run in range(KILLS):
            log = tmp_path / f"run-{run}.log"
            zygote.stdin.write(f"run {db} {log} {next_n}\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline().split()[1])
            # Kill after a random number of returned saves (0 = while opening), then a random few µs more,
            # so kills land before, inside and after commits.
            target = rng.choice([0, 0, 1, 2, 3, 5, 8])
            if target:
                wait_for(lambda: len(log_state(log)[1]) >= target)  # noqa: B023
            spin_until = time.perf_counter() + rng.uniform(0, 0.004)
            while time.perf_counter() < spin_until:
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                errors.flush()
                raise AssertionError("the writer died by itself: "
                                     + (tmp_path / "writer-errors.txt").read_text()[-3000:]) from None
            wait_for(lambda: not _alive(pid))  # noqa: B023
            begun, done = log_state(log)
            committed |= done
            in_flight = begun - done

            store = open_store(db)
            try:
                with store.engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                    stored = {int(r[0].removeprefix("crash-")) for r in conn.execute(
                        text("SELECT notes FROM contact_attempts WHERE notes LIKE 'crash-%'"))}
                    events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
                    outbox = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
                assert committed <= stored, f"run {run}: saved records lost: {sorted(committed - stored)}"
                extra = stored - committed
                assert extra <= in_flight, f"run {run}: records never saved appeared: {sorted(extra - in_flight)}"
                committed |= extra  # the in-flight save committed before the kill
                assert events == outbox == len(stored), "event, outbox and attempt rows go together"
                if run % 20 == 0 or run == KILLS - 1:
                    report = check_store(store)
                    assert report.ok, report.problems
            finally:
                store.close()
            next_n = max([next_n, *begun])
    finally:
        zygote.stdin.write("quit\n")
        zygote.stdin.flush()
        zygote.wait(timeout=30)
        zygote.stdin.close()
        zygote.stdout.close()
        errors.close()
    assert len(committed) >= KILLS // 2, "the writers should have saved plenty of records"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0) (SIGCHLD is ignored in the zygote, so it is reaped soon). But the main
    # thread of a killed process turns zombie while its other threads (the store's checkpointer) may still
    # be exiting, holding the database's files and locks: the process is gone only when every thread is.
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:  # gone between the two looks
        return False
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            return True
    return False
