"""Safety-at-the-door figures (head office):

* (a) one alarm sweep pass over 10,000 open sessions on PostgreSQL (a throwaway cluster): with
  nothing due, and with 200 sessions past due + grace at once (200 AMBER alarms raised, their
  messages and log rows written, one transaction); ≤ 200 ms each;
* (b) a silent session's alarm against a real server on its real clock (policy: 1-minute visits,
  no grace, the default 1 s sweep): from the due time to the alarm row's raised_at, and to its
  appearance on a board polled every 100 ms; ≤ 5 s;
* (c) an SOS posted until a board client polling every 250 ms shows it; ≤ 5 s;
* (d) check-out with the safety PIN and with the duress PIN, medians side by side (they must be
  within noise: the reply must not tell them apart, nor should its time).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import Context, Figure, median, repo_env, run_headoffice

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
HEADERS = {"X-Doorstep-API": "1"}
S = "/api/v1/safety"
PG_BINDIRS = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


# --- (a) the sweep on PostgreSQL -------------------------------------------------------------------


class _Postgres:
    """A throwaway PostgreSQL cluster on loopback (trust auth), removed by stop()."""

    def __init__(self) -> None:
        bindir = next((Path(b) for b in PG_BINDIRS if (Path(b) / "initdb").exists()), None)
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (install the postgresql package)")
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="doorstep-bench-pg-"))
        self.run_as: list[str] = []
        self.user = os.environ.get("USER", "postgres")
        if os.geteuid() == 0:
            shutil.chown(self.base, user="postgres", group="postgres")
            self.run_as, self.user = ["runuser", "-u", "postgres", "--"], "postgres"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        data = self.base / "data"
        self._pg("initdb", "-D", str(data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self._pg("pg_ctl", "-D", str(data), "-l", str(self.base / "log"), "-w", "-t", "60", "-o",
                 f"-h 127.0.0.1 -p {self.port} -k {self.base} -c fsync=off", "start")
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        self.url = f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/bench"

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run([*self.run_as, str(self.bindir / tool), *args], check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)


def _sweep_figures(ctx: Context) -> list[Figure]:
    from sqlalchemy import insert, select, update

    from headoffice.db import Database
    from headoffice.models import Case, User
    from headoffice.safety.ladder import sweep
    from headoffice.safety.models import VisitSession

    n_sessions = 1_000 if ctx.quick else 10_000
    pg = _Postgres()
    try:
        run_headoffice("init-db", "--db", pg.url)
        run_headoffice("demo-data", "--db", pg.url, "--cases", "200", "--password", PASSWORD, "--today", "2026-11-30")
        db = Database(pg.url)
        now = datetime.now(UTC)
        with db.write() as s:
            team = s.scalar(select(User.team).where(User.username == "super01"))
            cases = list(s.scalars(select(Case.id)))
            first = (s.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0) + 1
            s.execute(insert(User), [{"id": first + i, "username": f"bench{i:05d}", "display_name": f"外访员{i}",
                                      "role": "agent", "team": team, "password_hash": "x", "active": True,
                                      "failed_logins": 0, "created_at": now} for i in range(n_sessions)])
            later = now + timedelta(hours=2)
            s.execute(insert(VisitSession), [{
                "agent_id": first + i, "team": team, "case_id": cases[i % len(cases)], "address": "成都市锦江区",
                "planned_minutes": 120, "started_at": now, "due_at": later, "extended_minutes": 0,
                "position_source": "none", "state": "open", "stage": 0, "next_check_at": later, "wrong_pins": 0,
                "created_at": now} for i in range(n_sessions)])
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        quiet = []
        for _ in range(30):
            t = time.perf_counter()
            assert sweep(db, datetime.now(UTC)).steps == 0
            quiet.append(time.perf_counter() - t)
        busy = []
        for round_ in range(3):
            with db.write() as s:
                ids = list(s.scalars(select(VisitSession.id).where(VisitSession.stage == 0).order_by(VisitSession.id)
                                     .limit(200)))
                s.execute(update(VisitSession).where(VisitSession.id.in_(ids)).values(
                    stage=1, next_check_at=now - timedelta(seconds=1)))
            t = time.perf_counter()
            result = sweep(db, datetime.now(UTC))
            busy.append(time.perf_counter() - t)
            assert result.ambers == 200, (round_, result)
        db.dispose()
    finally:
        pg.stop()
    return [Figure(f"sweep pass, {n_sessions:,} open sessions, nothing due (PG, median of 30)", median(quiet) * 1000,
                   "ms", target=200.0),
            Figure(f"sweep pass, {n_sessions:,} open, 200 due at once: 200 ambers (PG, median of 3)",
                   median(busy) * 1000, "ms", target=200.0)]


# --- (b)-(d) a real server --------------------------------------------------------------------------


class _Server:
    def __init__(self, folder: Path):
        self.db = f"sqlite:///{folder / 'safety-bench.sqlite3'}"
        run_headoffice("init-db", "--db", self.db)
        run_headoffice("demo-data", "--db", self.db, "--cases", "120", "--password", PASSWORD, "--today", "2026-11-30")
        self.proc = subprocess.Popen([sys.executable, "-m", "headoffice", "serve", "--db", self.db, "--port", "0",
                                      "--login-rate", "0", "--sweep-interval", "1.0"], cwd=ROOT, env=repo_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().rsplit(" ", 1)[-1].strip()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:
                self.proc.wait(timeout=0.1)
                raise RuntimeError("head office exited")
            except subprocess.TimeoutExpired:
                pass
        raise RuntimeError("head office did not start")

    def client(self, username: str) -> httpx.Client:
        r = httpx.post(self.url + "/api/v1/auth/token", headers=HEADERS, timeout=60,
                       json={"username": username, "password": PASSWORD, "device_id": str(uuid.uuid4())})
        r.raise_for_status()
        return httpx.Client(base_url=self.url, timeout=60,
                            headers={**HEADERS, "Authorization": f"Bearer {r.json()['access_token']}"})

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _poll(fn: Any, interval: float, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError("timed out")


def _server_figures(ctx: Context) -> list[Figure]:
    folder = ctx.work / "safety"
    folder.mkdir(parents=True, exist_ok=True)
    server = _Server(folder)
    try:
        sup = server.client("super01")
        sup.put(S + "/policy", json={"min_minutes": 1, "default_minutes": 1, "hostile_minutes": 1,
                                     "grace_minutes": 0, "red_after_minutes": 10}).raise_for_status()
        agents = {f"agent0{i}": server.client(f"agent0{i}") for i in range(1, 7)}
        own: dict[str, list[int]] = {}
        for name, c in agents.items():
            c.put(S + "/pins", json={"safety_pin": "2468", "duress_pin": "1357"}).raise_for_status()
            uid = c.get("/api/v1/me").json()["user"]["id"]
            own[name] = [x["id"] for x in sup.get("/api/v1/cases", params={"agent_id": uid, "limit": 50})
                         .json()["cases"]]

        # (b) silent sessions, each due a few seconds from now (opened "55 s ago" for 1 minute)
        to_row, to_board = [], []
        for name, c in agents.items():
            started = datetime.now(UTC) - timedelta(seconds=55)
            session = c.post(S + "/sessions", json={"case_id": own[name][0], "planned_minutes": 1,
                                                    "started_at": started.isoformat()}).json()
            due = _at(session["due_at"])
            alarm = _poll(lambda sid=session["id"]: next((a for a in sup.get(S + "/board").json()["alarms"]
                                                          if a["session_id"] == sid), None), 0.1)
            to_board.append((datetime.now(UTC) - due).total_seconds())
            to_row.append((_at(alarm["raised_at"]) - due).total_seconds())
            sup.post(f"{S}/alarms/{alarm['id']}/resolve", json={"outcome": "agent_safe"}).raise_for_status()
            c.post(f"{S}/sessions/{session['id']}/check-out", json={"pin": "2468"}).raise_for_status()

        # (c) SOS until a polling board shows it
        sos = []
        for name, c in agents.items():
            t = time.perf_counter()
            c.post(S + "/sos", json={"case_id": own[name][1]}).raise_for_status()
            alarm = _poll(lambda: next((a for a in sup.get(S + "/board").json()["alarms"]
                                        if a["kind"] == "sos" and a["state"] == "raised"), None), 0.25)
            sos.append(time.perf_counter() - t)
            sup.post(f"{S}/alarms/{alarm['id']}/resolve", json={"outcome": "false_alarm"}).raise_for_status()

        # (d) check-out latency: safety PIN and duress PIN taking turns
        times: dict[str, list[float]] = {"safety": [], "duress": []}
        rounds = 4 if ctx.quick else 15
        for i in range(rounds * 2):
            name = f"agent0{i % 6 + 1}"
            kind = "safety" if i % 2 == 0 else "duress"
            c = agents[name]
            sid = c.post(S + "/sessions", json={"case_id": own[name][2], "planned_minutes": 60}).json()["id"]
            t = time.perf_counter()
            c.post(f"{S}/sessions/{sid}/check-out", json={"pin": "2468" if kind == "safety" else "1357"}
                   ).raise_for_status()
            times[kind].append(time.perf_counter() - t)
        for c in [sup, *agents.values()]:
            c.close()
    finally:
        server.stop()
    safety, duress = median(times["safety"]) * 1000, median(times["duress"]) * 1000
    return [
        Figure("silent session: due -> alarm raised_at (real server, 1 s sweep, worst of 6)", max(to_row), "s",
               target=5.0),
        Figure("silent session: due -> alarm on a board polled every 100 ms (worst of 6)", max(to_board), "s",
               target=5.0),
        Figure("SOS posted -> on a board polled every 250 ms (worst of 6)", max(sos), "s", target=5.0),
        Figure(f"check-out, duress PIN (median of {rounds})", duress, "ms", reference=safety,
               reference_label="safety PIN, median", note=f"difference {duress - safety:+.1f} ms"),
    ]


def run(ctx: Context) -> list[Figure]:
    return _sweep_figures(ctx) + _server_figures(ctx)
