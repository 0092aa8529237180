"""A real head-office process on loopback for the sync tests (start, stop, restart, fault hooks).

`python -m headoffice init-db / demo-data / serve --fault-hooks` in a private folder; readiness is
polled on /api/v1/health with a deadline. The database may be SQLite (default) or a PostgreSQL URL.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from app.contract import v1

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-pass-1"
DEMO_TODAY = "2026-11-30"


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.05,
               what: str = "condition") -> object:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    gate = threading.Event()
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        gate.wait(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("DOORSTEP_DATA_DIR", None)
    return env


class HeadOffice:
    def __init__(self, folder: Path, db_url: str | None = None, extra: Sequence[str] = ()):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.db_url = db_url or f"sqlite:///{folder / 'headoffice.sqlite3'}"
        self.extra = list(extra)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder / "server.log"

    # --- lifecycle ---------------------------------------------------------------------------

    def cli(self, *args: str, stdin: str | None = None) -> str:
        out = subprocess.run([sys.executable, "-m", "headoffice", *args, "--db", self.db_url], input=stdin,
                             capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=300, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"headoffice {args[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
        return out.stdout

    def setup(self, cases: int = 300) -> None:
        self.cli("init-db")
        self.cli("demo-data", "--cases", str(cases), "--password", PASSWORD, "--today", DEMO_TODAY)

    def start(self, port: int | None = None) -> None:
        self.port = port or self.port or free_port()
        log = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "headoffice", "serve", "--db", self.db_url, "--port", str(self.port),
             "--fault-hooks", "--login-rate", "0", *self.extra],
            stdout=log, stderr=subprocess.STDOUT, env=_env(), cwd=ROOT)
        log.close()
        wait_until(self._healthy, 60, what=f"head office on port {self.port} (see {self.log.name})")

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"head office exited with {self.proc.returncode}: {self.log.read_text()[-3000:]}")
        try:
            r = httpx.get(f"{self.url}/api/v1/health", headers={v1.API_HEADER: v1.API_VERSION}, timeout=2)
        except httpx.TransportError:
            return False
        return r.status_code == 200

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- helpers -----------------------------------------------------------------------------

    def faults(self, **armed: Any) -> dict[str, Any]:
        r = httpx.post(f"{self.url}/api/v1/_faults", json=armed, headers={v1.API_HEADER: v1.API_VERSION})
        r.raise_for_status()
        return dict(r.json())

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/api/v1/_faults", headers={v1.API_HEADER: v1.API_VERSION}).raise_for_status()

    def token(self, username: str, device_id: str = "00000000-0000-4000-8000-000000000000") -> str:
        r = httpx.post(f"{self.url}/api/v1/auth/token", headers={v1.API_HEADER: v1.API_VERSION},
                       json={"username": username, "password": PASSWORD, "device_id": device_id})
        r.raise_for_status()
        return str(r.json()["access_token"])

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={v1.API_HEADER: v1.API_VERSION, "Authorization": f"Bearer {token}"})

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the head-office database directly (to count stored rows)."""
        if self.db_url.startswith("sqlite:///"):
            conn = sqlite3.connect(f"file:{self.db_url[len('sqlite:///'):]}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple(r) for r in conn.execute(sql, params).fetchall()]
            finally:
                conn.close()
        import psycopg

        url = self.db_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            return [tuple(r) for r in conn.execute(sql.replace("?", "%s"), params).fetchall()]

    def agent_cases(self, agent_id: int) -> dict[int, int]:
        """{case id: version} of an agent's cases, from the supervisor's case list."""
        out: dict[int, int] = {}
        with self.api(self.token("super01")) as api:
            offset: int | None = 0
            while offset is not None:
                body = api.get("/api/v1/cases", params={"agent_id": agent_id, "offset": offset,
                                                        "limit": 1000}).json()
                page = v1.CaseListResponse.model_validate(body)
                out.update({c.id: c.version for c in page.cases})
                offset = page.next_offset
        return out

    def assign(self, case_id: int, agent_id: int | None) -> int:
        with self.api(self.token("super01")) as api:
            cases = api.get("/api/v1/cases", params={"limit": 1000}).json()["cases"]
            version = next(c["version"] for c in cases if c["id"] == case_id)
            r = api.post(f"/api/v1/cases/{case_id}/assign", json={"agent_id": agent_id},
                         headers={"If-Match": f'"{version}"'})
            r.raise_for_status()
            return int(r.json()["version"])
