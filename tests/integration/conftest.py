"""Live head-office fixtures: a REAL `python -m headoffice serve` process on loopback, over SQLite or
over a throwaway PostgreSQL cluster started for the test session.

Use:

    def test_something(headoffice_server):
        ho = headoffice_server()                      # SQLite, demo city of DEMO_CASES cases
        ho = headoffice_server(db="postgres", cases=50, retain_changes=20, access_ttl=0)
        ho.url                      # http://127.0.0.1:PORT   (API under ho.api = ho.url + "/api/v1")
        ho.db_url                   # the database it serves
        ho.accounts["agent01"]      # password of a demo account (agent01..06, super01, admin)
        ho.login("agent01")         # -> TokenResponse JSON (dict) for a fresh device id
        ho.client(token)            # httpx.Client with base_url ho.url, API header and bearer token
        ho.faults(fail_503=2, retry_after=1) / ho.faults(drop_after_commit=1) / ho.clear_faults()
        ho.stop(); ho.start()       # restart on the same database and the same port
        ho.kill()                   # SIGKILL (a crash), then ho.start()

Fault hooks are enabled in these servers (tests only). If PostgreSQL cannot be started the
`postgres_cluster` fixture FAILS with the reason; nothing is skipped silently.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import DEMO_TODAY

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "doorstep-demo-pw"
HO_CASES = 60  # demo cases in a default test head office
START_TIMEOUT = 60.0
PG_BINDIR_CANDIDATES = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


def _ho(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "headoffice", *args], cwd=ROOT, capture_output=True, text=True,
                            input=stdin, timeout=300, env=_env())
    if check and result.returncode != 0:
        raise AssertionError(f"headoffice {args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("DOORSTEP_HEADOFFICE_FAULTS", None)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- PostgreSQL ------------------------------------------------------------------------------------


def _pg_bindir() -> Path:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    for cand in PG_BINDIR_CANDIDATES:
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found: install the `postgresql` package",
                pytrace=False)


@dataclass
class PostgresCluster:
    host: str
    port: int
    user: str
    datadir: Path
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, template: str | None = None) -> str:
        name = f"ho_{os.getpid()}_{next(self._counter)}"
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name


@pytest.fixture(scope="session")
def postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (free port), trust auth, removed afterwards."""
    bindir = _pg_bindir()
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="doorstep-pg-"))
    datadir = base / "data"
    run_as: list[str] = []
    if as_root:
        # PostgreSQL refuses to run as root: run it as the `postgres` system user in a folder it owns.
        if shutil.which("runuser") is None:
            pytest.fail("running as root, PostgreSQL needs `runuser` to drop to the postgres user", pytrace=False)
        shutil.chown(base, user="postgres", group="postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    port = _free_port()
    log = base / "server.log"

    def run(*cmd: str) -> None:
        result = subprocess.run([*run_as, *cmd], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            detail = result.stderr.strip() or result.stdout.strip()
            if log.exists():
                detail += "\n" + log.read_text(errors="replace")[-2000:]
            pytest.fail(f"PostgreSQL could not be started ({cmd[0]}): {detail}", pytrace=False)

    run(str(bindir / "initdb"), "-D", str(datadir), "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    run(str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log), "-w", "-t", "60", "-o",
        f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c full_page_writes=off -c max_connections=200", "start")
    cluster = PostgresCluster("127.0.0.1", port, user, datadir)
    try:
        yield cluster
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


# --- the head-office process -----------------------------------------------------------------------


@dataclass
class HeadOffice:
    db_url: str
    options: dict[str, Any]
    log_path: Path
    accounts: dict[str, str]
    port: int = 0
    proc: subprocess.Popen[str] | None = None
    url: str = ""
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def _args(self) -> list[str]:
        args = ["serve", "--db", self.db_url, "--host", "127.0.0.1", "--port", str(self.port), "--fault-hooks",
                "--log-level", "warning"]
        for key, value in self.options.items():
            if value is None:
                continue
            args += [f"--{key.replace('_', '-')}", str(value)]
        return args

    def start(self) -> HeadOffice:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        log = self.log_path.open("a")
        self.proc = subprocess.Popen([sys.executable, "-m", "headoffice", *self._args()], cwd=ROOT, env=_env(),
                                     stdout=subprocess.PIPE, stderr=log, text=True)
        log.close()
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the server prints its URL once it listens
        if "listening on" not in line:
            self.proc.wait(timeout=10)
            raise AssertionError(f"head office did not start: {line}\n{self.log_path.read_text()[-3000:]}")
        self.url = line.rsplit(" ", 1)[-1].strip()
        self.port = int(self.url.rsplit(":", 1)[-1])
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = START_TIMEOUT
        with httpx.Client(timeout=2.0) as c:
            while deadline > 0:
                try:
                    if c.get(self.api + "/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                try:  # wait on the process itself: returns at once if it died
                    self.proc.wait(timeout=0.05)
                    raise AssertionError(f"head office exited: {self.log_path.read_text()[-3000:]}")
                except subprocess.TimeoutExpired:
                    deadline -= 0.05
        raise AssertionError("head office never became healthy")

    def stop(self) -> None:
        for c in self._clients:
            c.close()
        self._clients.clear()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=15)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()

    def restart(self) -> HeadOffice:
        self.stop()
        return self.start()

    # --- HTTP helpers ---

    def client(self, token: str | None = None, **kw: Any) -> httpx.Client:
        headers = {"X-Doorstep-API": "1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        c = httpx.Client(base_url=self.url, headers=headers, timeout=kw.pop("timeout", 30.0), **kw)
        self._clients.append(c)
        return c

    def login(self, username: str, device_id: str | None = None, password: str | None = None) -> dict[str, Any]:
        with httpx.Client(base_url=self.url, headers={"X-Doorstep-API": "1"}, timeout=30) as c:
            r = c.post("/api/v1/auth/token", json={"username": username,
                                                   "password": password or self.accounts[username],
                                                   "device_id": device_id or str(uuid.uuid4())})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def token(self, username: str, device_id: str | None = None) -> str:
        return str(self.login(username, device_id)["access_token"])

    def faults(self, **faults: Any) -> dict[str, Any]:
        with httpx.Client(timeout=10) as c:
            r = c.post(self.api + "/_faults", json=faults)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def clear_faults(self) -> None:
        with httpx.Client(timeout=10) as c:
            c.delete(self.api + "/_faults").raise_for_status()

    def cli(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run another `python -m headoffice` command against this server's database."""
        return _ho(args[0], "--db", self.db_url, *args[1:], stdin=stdin, check=check)


def _make_sqlite_template(folder: Path, cases: int) -> Path:
    path = folder / f"template-{cases}.sqlite3"
    if not path.exists():
        url = f"sqlite:///{path}"
        _ho("init-db", "--db", url)
        _ho("demo-data", "--db", url, "--cases", str(cases), "--password", DEMO_PASSWORD,
            "--today", DEMO_TODAY.isoformat())
    return path


@pytest.fixture(scope="session")
def _headoffice_templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("headoffice-templates")


def demo_accounts() -> dict[str, str]:
    from app.demo import city

    names = [u for u, _n, _d in city.AGENTS] + [city.SUPERVISOR[0], "admin"]
    return dict.fromkeys(names, DEMO_PASSWORD)


class HeadOfficeFactory:
    """Makes head-office servers on fresh databases (copies of per-session demo templates)."""

    def __init__(self, request: pytest.FixtureRequest, folder: Path, templates: Path):
        self.request = request
        self.folder = folder
        self.templates = templates
        self.servers: list[HeadOffice] = []
        self.counter = itertools.count(1)

    def __call__(self, db: str = "sqlite", cases: int = HO_CASES, empty: bool = False, start: bool = True,
                 **options: Any) -> HeadOffice:
        n = next(self.counter)
        if db == "sqlite":
            path = self.folder / f"headoffice-{n}.sqlite3"
            url = f"sqlite:///{path}"
            if empty:
                _ho("init-db", "--db", url)
            else:
                shutil.copy2(_make_sqlite_template(self.templates, cases), path)
        elif db == "postgres":
            cluster: PostgresCluster = self.request.getfixturevalue("postgres_cluster")
            pg_templates: dict[int, str] = self.request.getfixturevalue("_pg_templates")
            if empty:
                url = cluster.url(cluster.new_database())
                _ho("init-db", "--db", url)
            else:
                if cases not in pg_templates:
                    name = cluster.new_database()
                    turl = cluster.url(name)
                    _ho("init-db", "--db", turl)
                    _ho("demo-data", "--db", turl, "--cases", str(cases), "--password", DEMO_PASSWORD,
                        "--today", DEMO_TODAY.isoformat())
                    pg_templates[cases] = name
                url = cluster.url(cluster.new_database(template=pg_templates[cases]))
        else:
            raise ValueError(f"db must be 'sqlite' or 'postgres', not {db!r}")
        ho = HeadOffice(url, options, self.folder / f"headoffice-{n}.log", {} if empty else demo_accounts())
        self.servers.append(ho)
        if start:
            ho.start()
        return ho

    def close(self) -> None:
        for ho in self.servers:
            ho.stop()


@pytest.fixture
def headoffice_server(request: pytest.FixtureRequest, tmp_path: Path,
                      _headoffice_templates: Path) -> Iterator[HeadOfficeFactory]:
    """Factory: headoffice_server(db="sqlite"|"postgres", cases=HO_CASES, empty=False, start=True, **serve_options).

    serve_options are `serve` flags by name (access_ttl=0, retain_changes=10, login_rate=0, profile="US-RegF" …).
    Each call gets its own fresh database (a copy of a per-session demo template); stopped after the test.
    """
    factory = HeadOfficeFactory(request, tmp_path, _headoffice_templates)
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def headoffice_module_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                             _headoffice_templates: Path) -> Iterator[HeadOfficeFactory]:
    """The same factory, with servers kept for the whole test module (cheaper; tests must not collide)."""
    factory = HeadOfficeFactory(request, tmp_path_factory.mktemp("headoffice"), _headoffice_templates)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def _pg_templates() -> dict[int, str]:
    return {}


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Parametrise a test over both database backends."""
    return str(request.param)


@pytest.fixture(scope="module", params=BACKENDS)
def headoffice(request: pytest.FixtureRequest, headoffice_module_server: HeadOfficeFactory) -> HeadOffice:
    """A running demo head office on each backend, shared by the tests of one module (the tests run
    once per backend). Tests using it must not depend on each other's writes."""
    return headoffice_module_server(db=str(request.param))


# --- building wire events ----------------------------------------------------------------------------


def outcome_event(case_id: int, device_id: str, device_seq: int, *, code: str = "no_answer", channel: str = "phone",
                  at: str = "2026-11-30T03:00:00+00:00", case_version: int = 1, fields: dict[str, Any] | None = None,
                  event_id: str | None = None, **payload: Any) -> dict[str, Any]:
    """An `outcome` event as the app writes it (see app/services/outcomes.py)."""
    body: dict[str, Any] = {
        "code": code, "channel": channel, "notes": "", "phone": "+8613800000000" if channel == "phone" else None,
        "to_third_party": False, "collectors": 2 if channel == "visit" else 1, "lat": None, "lon": None,
        "recording_sha256": ("ab" * 32) if channel == "visit" else None, "no_recording_reason": None,
        "safety_acknowledged": channel == "visit", "fields": fields or {},
        "compliance": {"profile": "CN", "version": 1, "overridden": [], "override_by": None,
                       "override_reason": None},
    }
    body.update(payload)
    return {"id": event_id or str(uuid.uuid4()), "device_id": device_id, "device_seq": device_seq,
            "case_id": case_id, "case_version": case_version, "kind": "outcome", "payload": body,
            "occurred_at": at, "schema_version": 1}


def pull_all(client: httpx.Client, cursor: str | None = None, limit: int = 200) -> tuple[list[dict[str, Any]], str]:
    """Every change after `cursor`, page by page: (changes, final cursor)."""
    out: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = client.get("/api/v1/sync/changes", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        out.extend(body["changes"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return out, str(cursor)
