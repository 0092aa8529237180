"""`make run`: Doorstep on demo data with a local head office, in one command.

1. A head office on 127.0.0.1 (a free port) over `DATA/headoffice.sqlite3`, filled with the demo city
   the first time (its demo accounts have fixed passwords: agent01 / doorstep-agent01, …; the agents
   work in standing pairs). One made earlier is upgraded (`init-db`) and its agents paired if unpaired.
2. The demo user (`--user`, default agent01; `--user super01` is the team's supervisor, who sees the
   Assign, Team and Approvals rooms) signs in and syncs headlessly (`python -m app sync`), so that
   user's laptop store receives their cases (a supervisor: the team's) from head office — the whole
   loop, from one command. Each user has a laptop store of their own (DATA/laptop-<user>/), as each
   would on their own laptop; the head office is shared.
3. The desktop app opens on that store, pointed at the same head office and signed in: the demo hands it
   the demo password on standard input (`--secret-stdin`), so the first start encrypts the laptop store
   with it and keeps the head-office session; later starts log in offline and sync with that session.
   Closing the app stops the head office.

If the head office cannot start, the app still opens, on local demo data, and says why on the console.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def say(text: str) -> None:
    print(f"doorstep demo: {text}", file=sys.stderr, flush=True)


def start_head_office(data: Path, cases: int) -> tuple[subprocess.Popen[str], str] | None:
    db = f"sqlite:///{(data / 'headoffice.sqlite3').resolve()}"
    py = sys.executable
    fresh = not (data / "headoffice.sqlite3").exists()
    if fresh:
        say("preparing the local head office with the demo city …")
    # An existing head office is brought to the current schema and its demo agents paired if they
    # are not (a demo made before standing pairs existed); both steps change nothing otherwise.
    steps = [["init-db"], ["demo-data", "--cases", str(cases)] if fresh else ["demo-data", "--pairs"]]
    for cmd in steps:
        done = subprocess.run([py, "-m", "headoffice", *cmd, "--db", db], cwd=ROOT, capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            say(f"head office set-up failed: {done.stderr.strip()[-500:]}")
            if fresh:
                (data / "headoffice.sqlite3").unlink(missing_ok=True)
            return None
    # The day's escalation-ladder run (idempotent: a second start the same day moves nothing), so the
    # cases carry their level, trail and visit triggers; the demo goes on without it if it fails.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    ladder = subprocess.run([py, "-m", "headoffice", "ladder", "run", "--date", today, "--db", db], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if ladder.returncode != 0:
        say(f"the ladder run failed (the demo goes on): {ladder.stderr.strip()[-300:]}")
    log = (data / "headoffice.log").open("a")
    proc = subprocess.Popen([py, "-m", "headoffice", "serve", "--db", db, "--host", "127.0.0.1", "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()  # `serve --port 0` prints its URL first
    urls = [word for word in first.split() if word.startswith("http://")]
    if not urls:
        proc.terminate()
        say(f"the head office did not start (see {data / 'headoffice.log'})")
        return None
    return proc, urls[0]


def demo_user(value: str) -> str:
    """A demo username: letters, digits, '_' and '-' only (it names a folder and is passed on)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", value):
        raise argparse.ArgumentTypeError(f"not a demo username: {value!r}")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(prog="tools/run_demo.py")
    parser.add_argument("--data-dir", default=str(ROOT / ".data"))
    parser.add_argument("--user", default="agent01", type=demo_user,
                        help="the demo account to work as: agent01 … agent06, or super01 (the supervisor)")
    parser.add_argument("--cases", type=int, default=2000)
    args, rest = parser.parse_known_args()
    data = Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    laptop = data / f"laptop-{args.user}"
    laptop.mkdir(exist_ok=True)
    py = sys.executable

    started = start_head_office(data, args.cases)
    app_args = [py, "main.py", "--data-dir", str(laptop), "--user", args.user, *rest]
    if started is None:
        say("opening on local demo data instead")
        subprocess.run([py, "-m", "app", "--data-dir", str(laptop), "demo-data", "--cases", str(args.cases),
                        "--if-empty", "--quiet"], cwd=ROOT, check=False)
        return subprocess.run(app_args, cwd=ROOT, check=False).returncode

    proc, url = started
    password = f"doorstep-{args.user}\n"  # the demo accounts' fixed passwords (headoffice demo-data)
    try:
        if (laptop / "doorstep.sqlite3.keyinfo").exists():
            say(f"head office at {url}; the laptop store is encrypted: the app logs in as {args.user} and syncs")
        else:
            say(f"head office at {url}; signing in as {args.user} and syncing …")
            sync = subprocess.run([py, "-m", "app", "--data-dir", str(laptop), "sync", "--server", url, "--user",
                                   args.user, "--password-stdin", "--retry-for", "20"], cwd=ROOT, input=password,
                                  text=True, check=False)
            if sync.returncode != 0:
                say("the first sync did not finish; the app opens on what the laptop has")
        env = dict(os.environ)
        # Only because this is the demo: the app reads the demo password from standard input instead of
        # asking. It signs in to head office (the first time online, which encrypts the laptop store with
        # that password; later offline) and keeps the session in the keyring or the encrypted secrets file.
        return subprocess.run([*app_args, "--head-office", url, "--secret-stdin"], cwd=ROOT, env=env,
                              input=password, text=True, check=False).returncode
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    raise SystemExit(main())
