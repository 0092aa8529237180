"""Sync figures against a real head-office process on loopback (SQLite backend).

* initial sync of 5,000 cases (a supervisor's first pull into an empty laptop store), ≤ 10 s;
* push of 10,000 events, ≤ 10 s;
* a no-op sync (nothing to push, nothing new to pull), ≤ 300 ms.

Beside each: what the same bytes cost over a bare HTTP round trip on the same loopback (the same
number of requests carrying the same byte counts, posted with httpx to a trivial stdlib HTTP server
that reads the body and answers a few bytes), and for the initial sync CommCare's published
~25 cases/s restore rate for scale.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import Context, Figure, median, repo_env, run_headoffice

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
COMMCARE_CASES_PER_S = 25.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    def __init__(self, folder: Path, cases: int):
        self.db = f"sqlite:///{folder / 'headoffice.sqlite3'}"
        run_headoffice("init-db", "--db", self.db)
        run_headoffice("demo-data", "--db", self.db, "--cases", str(cases), "--password", PASSWORD, "--today", "2026-11-30")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "headoffice", "serve", "--db", self.db, "--port",
                                      str(self.port), "--login-rate", "0"], cwd=ROOT, env=repo_env(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        gate = threading.Event()
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", headers={"X-Doorstep-API": "1"}).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            gate.wait(0.1)
        self.stop()
        raise RuntimeError("head office did not start for the benchmark")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


class _Trivial(BaseHTTPRequestHandler):
    """Reads the body and answers with a small JSON body: the cost of HTTP itself on loopback."""

    protocol_version = "HTTP/1.1"
    reply = b"{}"

    def _answer(self, size: int) -> None:
        body = b"x" * size if size else self.reply
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self._answer(int(self.headers.get("X-Reply-Bytes", "0")))

    def do_GET(self) -> None:
        self._answer(int(self.headers.get("X-Reply-Bytes", "0")))

    def log_message(self, *args: Any) -> None:
        pass


class _Meter:
    """httpx event hooks counting requests and bytes each way (as sent / as received on the wire)."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[int, int]] = []
        self.waited = 0.0  # seconds from sending a request to having its whole reply

    def response(self, response: httpx.Response) -> None:
        response.read()
        sent = len(response.request.content or b"")
        self.exchanges.append((sent, response.num_bytes_downloaded))
        self.waited += response.elapsed.total_seconds()

    def clear(self) -> None:
        self.exchanges.clear()
        self.waited = 0.0


def _bare_http(exchanges: list[tuple[int, int]]) -> float:
    """Seconds to move the same request/response byte counts through plain HTTP on loopback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trivial)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with httpx.Client() as client:
            client.get(url)  # connect once, as the real client does
            started = time.perf_counter()
            for sent, received in exchanges:
                if sent:
                    client.post(url, content=b"x" * sent, headers={"X-Reply-Bytes": str(received)})
                else:
                    client.get(url, headers={"X-Reply-Bytes": str(received)})
            return time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()


def _client(url: str, store: Any, user: str, meter: _Meter | None = None) -> Any:
    from app.sync.client import HeadOfficeClient
    from app.sync.engine import device_of
    from app.sync.retry import RetryPolicy

    hooks = {"response": [meter.response]} if meter is not None else None
    client = HeadOfficeClient(url, device_of(store), retry=RetryPolicy(budget=60), event_hooks=hooks)
    client.login(user, PASSWORD)
    return client


def _queue_events(store: Any, count: int) -> None:
    """`count` outcome events on the user's cases, written like the service writes them (event + outbox)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from app.store.events import append_event

    start = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    with store.read() as session:
        cases = [(int(r[0]), int(r[1])) for r in session.execute(text("SELECT id, version FROM cases ORDER BY id"))]
    with store.write() as session:
        for i in range(count):
            case_id, version = cases[i % len(cases)]
            at = start + timedelta(seconds=i)
            payload = {"code": "no_answer", "channel": "phone", "notes": f"第{i}次 bench", "phone": None,
                       "to_third_party": False, "collectors": 1, "lat": None, "lon": None,
                       "recording_sha256": None, "no_recording_reason": None, "safety_acknowledged": False,
                       "fields": {}, "compliance": {"profile": "CN", "version": 1, "overridden": [],
                                                    "override_by": None, "override_reason": None}}
            append_event(session, case_id=case_id, case_version=version, kind="outcome", payload=payload,
                         occurred_at=at, recorded_at=at, actor="bench")


def run(ctx: Context) -> list[Figure]:
    from app.services.syncing import refresh_cases, sync_once
    from app.store.migrate import open_store
    from app.sync.engine import SyncEngine, SyncOptions, SyncReport

    cases = 500 if ctx.quick else 5_000
    events = 1_000 if ctx.quick else 10_000
    folder = ctx.work / "sync"
    folder.mkdir(parents=True, exist_ok=True)
    server = _Server(folder, cases)
    figures: list[Figure] = []
    try:
        # 1. Initial sync: the supervisor sees the whole team's cases.
        sup_store = open_store(folder / "supervisor.sqlite3")
        meter = _Meter()
        sup = _client(server.url, sup_store, "super01", meter)
        meter.clear()
        started = time.perf_counter()
        report = sync_once(sup_store, sup, options=SyncOptions(page_size=500))
        initial = time.perf_counter() - started
        pulled = report.cases_updated
        bare = _bare_http(meter.exchanges)
        mb = sum(r for _, r in meter.exchanges) / 1e6
        figures.append(Figure(f"initial sync of {pulled:,} cases", initial, "s", target=10.0, reference=bare,
                              reference_label=f"bare HTTP, same {len(meter.exchanges)} requests / {mb:.1f} MB",
                              note=f"waiting on head office {meter.waited:.1f} s (pages are fetched while the "
                                   "previous one is written)"))
        figures.append(Figure("initial sync rate", pulled / initial, "cases/s", target=pulled / 10.0,
                              higher_is_better=True, reference=COMMCARE_CASES_PER_S,
                              reference_label="CommCare published restore, ~25 cases/s"))
        sup.close()
        sup_store.close()

        # 2. Push: an agent's laptop with a long queue (the pull that follows is not timed here).
        agent_store = open_store(folder / "agent.sqlite3")
        meter = _Meter()
        agent = _client(server.url, agent_store, "agent01", meter)
        sync_once(agent_store, agent)
        _queue_events(agent_store, events)
        meter.clear()
        engine = SyncEngine(agent_store, agent, refresh=refresh_cases, options=SyncOptions(push_batch=500))
        report = SyncReport()
        started = time.perf_counter()
        engine.push(report)
        push = time.perf_counter() - started
        assert report.pushed.acknowledged == events, report.lines()
        up = list(meter.exchanges)
        figures.append(Figure(f"push of {events:,} events", push, "s", target=10.0, reference=_bare_http(up),
                              reference_label=f"bare HTTP, same {len(up)} requests / "
                                              f"{sum(s for s, _ in up) / 1e6:.1f} MB up",
                              note=f"waiting on head office {meter.waited:.1f} s"))
        started = time.perf_counter()
        after = sync_once(agent_store, agent)
        catch_up = time.perf_counter() - started
        figures.append(Figure(f"pull after the push ({after.cases_updated:,} cases changed)", catch_up, "s",
                              note="not a target: the server re-sends every case the push touched"))

        # 3. No-op sync.
        sync_once(agent_store, agent)
        times = []
        for _ in range(7):
            meter.clear()
            started = time.perf_counter()
            sync_once(agent_store, agent)
            times.append(time.perf_counter() - started)
        noop = list(meter.exchanges)
        bare_noop = median([_bare_http(noop) for _ in range(7)])
        figures.append(Figure("no-op sync", median(times) * 1000, "ms", target=300.0, reference=bare_noop * 1000,
                              reference_label=f"bare HTTP, same {len(noop)} request(s)"))
        agent.close()
        agent_store.close()
    finally:
        server.stop()
    return figures


if __name__ == "__main__":
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as tmp:
        for f in run(Context(work=Path(tmp), quick="--quick" in sys.argv)):
            print(json.dumps(f.__dict__, ensure_ascii=False))
