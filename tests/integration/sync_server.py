"""The sync tests' view of a live head office: the process comes from the `headoffice_server` fixture
(tests/integration/conftest.py: a real `python -m headoffice serve` over SQLite or PostgreSQL, fault
hooks on); this adds what the sync tests read and do besides the app's own client: count rows in the
head-office database, list an agent's cases, reassign a case as the supervisor.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from app.contract import v1

from .conftest import DEMO_PASSWORD
from .conftest import HeadOffice as ServerProcess

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = DEMO_PASSWORD


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


def env() -> dict[str, str]:
    """Environment for a child process that imports the project."""
    out = dict(os.environ)
    out["PYTHONPATH"] = str(ROOT) + os.pathsep + out.get("PYTHONPATH", "")
    out.pop("DOORSTEP_DATA_DIR", None)
    return out


class HeadOffice:
    def __init__(self, process: ServerProcess):
        self.process = process

    # --- the process -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def port(self) -> int:
        return self.process.port

    @property
    def db_url(self) -> str:
        return self.process.db_url

    def stop(self) -> None:
        self.process.stop()

    def start(self) -> None:
        self.process.start()  # same database, same port

    def faults(self, **armed: Any) -> dict[str, Any]:
        return self.process.faults(**armed)

    def clear_faults(self) -> None:
        self.process.clear_faults()

    def cli(self, *args: str) -> str:
        return self.process.cli(*args).stdout

    def token(self, username: str, device_id: str | None = None) -> str:
        return self.process.token(username, device_id)

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={v1.API_HEADER: v1.API_VERSION, "Authorization": f"Bearer {token}"})

    # --- reading the head-office database --------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows from the head-office database itself (to count what it stored)."""
        if self.db_url.startswith("sqlite:///"):
            conn = sqlite3.connect(f"file:{self.db_url[len('sqlite:///'):]}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple(r) for r in conn.execute(sql, params).fetchall()]
            finally:
                conn.close()
        import psycopg

        url = self.db_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            return [tuple(r) for r in conn.execute(sql.replace("?", "%s"), params).fetchall()]  # type: ignore[arg-type]

    # --- the supervisor's side -------------------------------------------------------------------

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
