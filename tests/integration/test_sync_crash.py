"""Issue 4, item 2: the client killed with SIGKILL at each step of a sync, then restarted on the same files.

The client is a real process (tests/integration/sync_driver.py) syncing with a live head office. It
announces each step on stdout; the test kills it there (or, for "mid-upload", while the upload
request is in flight, held at the server by a fault-hook delay). Invariants checked after the kill
and again after a restart: every record is either queued or acknowledged, never both, never lost,
and head office holds each at most once (exactly once after the restart).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.datadir import open_data_dir
from app.services.syncing import sync_once
from app.store import models as m

from .sync_fixtures import (  # noqa: F401 (fixtures)
    BOTH,
    Connect,
    connect_fixture,
    headoffice_fixture,
)
from .sync_server import PASSWORD, ROOT, HeadOffice, env

RECORDS = 6

# step name → (driver options, whether the driver blocks there or carries on into a slow request)
STEPS = {
    "after_local_save": ["--record", str(RECORDS), "--pause-at", "push.start"],
    "mid_upload": ["--record", str(RECORDS), "--announce", "push.sending"],
    "before_marking_acknowledged": ["--record", str(RECORDS), "--pause-at", "push.replied:2"],
    "between_batches": ["--record", str(RECORDS), "--pause-at", "push.applied:1"],
    "mid_pull": ["--record", str(RECORDS), "--pause-at", "pull.page_applied:2", "--page-size", "5"],
}


class Driver:
    def __init__(self, data_dir: Path, server: str, args: list[str]):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.sync_driver", str(data_dir), server, "agent01",
             "--batch", "2", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env(), cwd=ROOT)
        assert self.proc.stdin is not None
        self.proc.stdin.write(PASSWORD + "\n")
        self.proc.stdin.flush()
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("<eof>")

    def expect(self, prefix: str, timeout: float = 120.0) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"driver never printed {prefix!r}") from None
            if line == "<eof>":
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"driver ended before {prefix!r}: {err[-3000:]}")
            if line.startswith(prefix):
                return line

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(30) == -signal.SIGKILL
        self.close()

    def close(self) -> None:
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if f is not None:
                f.close()


def _local(data_dir: Path) -> tuple[dict[str, str], set[str]]:
    """({event id: sync state}, ids in the outbox) read from the files the killed process left."""
    store = open_data_dir(data_dir)
    try:
        with store.read() as session:
            events = dict(session.execute(select(m.Event.id, m.Event.sync_state)).tuples().all())
            outbox = set(session.scalars(select(m.Outbox.event_id)))
    finally:
        store.close()
    return events, outbox


@pytest.mark.slow
@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
@pytest.mark.parametrize("step", list(STEPS))
def test_killed_at_each_step_then_restarted_loses_and_doubles_nothing(
        step: str, headoffice: HeadOffice, connect: Connect, tmp_path: Path) -> None:
    data_dir = tmp_path / "agent"
    store = open_data_dir(data_dir)
    try:
        sync_once(store, connect(headoffice.url, store))  # the agent's cases are on the laptop
    finally:
        store.close()
    if step == "mid_upload":
        headoffice.faults(delay_ms=3000, paths=["/api/v1/sync/events"])
    driver = Driver(data_dir, headoffice.url, STEPS[step])
    driver.expect(f"SAVED {RECORDS}")
    driver.expect("AT ")
    driver.kill()
    headoffice.clear_faults()

    events, outbox = _local(data_dir)
    assert len(events) == RECORDS  # every saved record survived the kill
    for eid, state in events.items():
        assert (state == "pending") == (eid in outbox), f"{eid}: {state}, queued={eid in outbox}"
        assert state in ("pending", "acked", "flagged")
    stored = {r[0]: r[1] for r in headoffice.query("SELECT id, count(*) FROM events GROUP BY id")}
    assert all(n == 1 for n in stored.values())
    assert {e for e, s in events.items() if s != "pending"} <= set(stored)  # acknowledged ⇒ at head office
    if step == "after_local_save":
        assert not stored and len(outbox) == RECORDS
    if step == "before_marking_acknowledged":
        assert len(stored) == 4 and len(outbox) == 4  # batch 2 is stored but not yet marked here

    again = Driver(data_dir, headoffice.url, [])
    again.expect("DONE")
    assert again.proc.wait(60) == 0
    again.close()
    events, outbox = _local(data_dir)
    assert not outbox and set(events.values()) <= {"acked", "flagged"}
    stored = {r[0]: r[1] for r in headoffice.query("SELECT id, count(*) FROM events GROUP BY id")}
    assert stored == {e: 1 for e in events}
    projected = {r[0]: r[1] for r in headoffice.query(
        "SELECT event_id, count(*) FROM attempts WHERE event_id IS NOT NULL GROUP BY event_id")}
    assert projected == {e: 1 for e in events}
