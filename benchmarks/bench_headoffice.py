"""Head-office figures, server only (raw HTTP, no client-side apply), on a real process over SQLite:

* push of 10,000 events in batches of 500 (stored, projected, change rows written), ≤ 10 s;
* pull of 5,000 cases by a supervisor from no cursor, in pages of 500, ≤ 10 s;
* a no-op pull (cursor at the head), median, ≤ 300 ms;
* a login (argon2id verify + token issue), median.

Beside the first three: the same number of requests with the same byte counts against a trivial
stdlib HTTP server on the same loopback (what the bytes alone cost).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import Context, Figure, median, repo_env, run_headoffice

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
HEADERS = {"X-Doorstep-API": "1"}


class _Echo(BaseHTTPRequestHandler):
    reply = b"{}"

    def _answer(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        size = int(self.headers.get("X-Reply-Bytes") or 2)
        body = b"x" * size
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return


def _bare(requests: list[tuple[str, int, int]]) -> float:
    """Seconds for the same requests (method, request bytes, reply bytes) against a trivial server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with httpx.Client() as c:
            t = time.perf_counter()
            for method, out_bytes, in_bytes in requests:
                c.request(method, url, content=b"x" * out_bytes if out_bytes else None,
                          headers={"X-Reply-Bytes": str(in_bytes)})
            return time.perf_counter() - t
    finally:
        server.shutdown()
        server.server_close()


class _Server:
    def __init__(self, folder: Path, cases: int):
        self.db = f"sqlite:///{folder / 'ho-bench.sqlite3'}"
        run_headoffice("init-db", "--db", self.db)
        run_headoffice("demo-data", "--db", self.db, "--cases", str(cases), "--password", PASSWORD, "--today", "2026-11-30")
        self.proc = subprocess.Popen([sys.executable, "-m", "headoffice", "serve", "--db", self.db, "--port", "0",
                                      "--login-rate", "0"], cwd=ROOT, env=repo_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().rsplit(" ", 1)[-1].strip()
        for _ in range(600):
            try:
                if httpx.get(self.url + "/api/v1/health").status_code == 200:
                    return
            except httpx.TransportError:
                try:
                    self.proc.wait(timeout=0.1)
                    raise RuntimeError("head office exited")
                except subprocess.TimeoutExpired:
                    pass
        raise RuntimeError("head office did not start")

    def login(self, username: str) -> tuple[str, float]:
        t = time.perf_counter()
        r = httpx.post(self.url + "/api/v1/auth/token", headers=HEADERS, timeout=60,
                       json={"username": username, "password": PASSWORD, "device_id": str(uuid.uuid4())})
        r.raise_for_status()
        return str(r.json()["access_token"]), time.perf_counter() - t

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()


def run(ctx: Context) -> list[Figure]:
    cases = 500 if ctx.quick else 5000
    n_events = 1000 if ctx.quick else 10_000
    folder = ctx.work / "headoffice"
    folder.mkdir(parents=True, exist_ok=True)
    server = _Server(folder, cases)
    figures: list[Figure] = []
    try:
        logins = [server.login("agent01")[1] for _ in range(5)]
        sup_token, _ = server.login("super01")
        agent_token, _ = server.login("agent01")
        sup = httpx.Client(base_url=server.url, headers={**HEADERS, "Authorization": f"Bearer {sup_token}"},
                           timeout=120)
        agent = httpx.Client(base_url=server.url, headers={**HEADERS, "Authorization": f"Bearer {agent_token}"},
                             timeout=120)

        # Full pull.
        trips: list[tuple[str, int, int]] = []
        cursor = None
        pulled = 0
        t = time.perf_counter()
        while True:
            params: dict[str, Any] = {"limit": 500}
            if cursor:
                params["cursor"] = cursor
            r = sup.get("/api/v1/sync/changes", params=params)
            r.raise_for_status()
            body = r.json()
            pulled += sum(1 for ch in body["changes"] if ch["kind"] == "case_upsert")
            trips.append(("GET", 0, int(r.headers.get("content-length") or len(r.content))))
            cursor = body["next_cursor"]
            if not body["has_more"]:
                break
        pull_s = time.perf_counter() - t
        assert pulled == cases, (pulled, cases)
        figures.append(Figure(f"head office: pull {cases:,} cases (supervisor, pages of 500)", pull_s, "s",
                              target=10.0 * cases / 5000, reference=_bare(trips),
                              reference_label="same bytes, bare HTTP"))

        # No-op pull.
        noop = []
        for _ in range(20):
            t = time.perf_counter()
            r = agent.get("/api/v1/sync/changes", params={"cursor": cursor})
            noop.append(time.perf_counter() - t)
        figures.append(Figure("head office: no-op pull (median of 20)", median(noop) * 1000, "ms", target=300.0,
                              reference=_bare([("GET", 0, len(r.content))] * 20) / 20 * 1000,
                              reference_label="bare HTTP round trip"))

        # Push.
        own = []
        c2 = None
        while True:
            params = {"limit": 500} if c2 is None else {"limit": 500, "cursor": c2}
            body = agent.get("/api/v1/sync/changes", params=params).json()
            own += [ch["case_id"] for ch in body["changes"] if ch["kind"] == "case_upsert"]
            c2 = body["next_cursor"]
            if not body["has_more"]:
                break
        device = str(uuid.uuid4())
        # A second apart, as a long queue is: each call is judged against the same day's earlier calls.
        start = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
        events = [{"id": str(uuid.uuid4()), "device_id": device, "device_seq": i + 1, "case_id": own[i % len(own)],
                   "case_version": 1, "kind": "outcome",
                   "occurred_at": (start + timedelta(seconds=i)).isoformat(),
                   "schema_version": 1,
                   "payload": {"code": "no_answer", "channel": "phone", "notes": "无人接听", "phone": "+8613800000000",
                               "to_third_party": False, "collectors": 1, "fields": {}, "compliance": {}}}
                  for i in range(n_events)]
        trips = []
        t = time.perf_counter()
        for i in range(0, n_events, 500):
            payload = json.dumps({"events": events[i:i + 500]}).encode()
            r = agent.post("/api/v1/sync/events", content=payload, headers={"Content-Type": "application/json"})
            r.raise_for_status()
            trips.append(("POST", len(payload), len(r.content)))
        push_s = time.perf_counter() - t
        figures.append(Figure(f"head office: push {n_events:,} events (batches of 500)", push_s, "s",
                              target=10.0 * n_events / 10_000, reference=_bare(trips),
                              reference_label="same bytes, bare HTTP"))
        figures.append(Figure("head office: login (argon2id, median of 5)", median(logins) * 1000, "ms"))
        sup.close()
        agent.close()
    finally:
        server.stop()
    return figures
