"""Helper process for the crash-safety test: forks writers on request so each starts in milliseconds.

Protocol on stdin, one line per request: `run DB LOG` → forks a writer that saves outcomes to the
store at DB forever, logging `B n` before and `K n` after each save returns; answers `pid N`.
The test kills writers with SIGKILL at random moments. (Imports happen once, here, before forking.)
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from datetime import UTC, datetime

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.outcomes import OutcomeInput, record_outcome
from app.store.migrate import open_store

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def writer(db: str, log_path: str) -> None:
    profile = builtin_profile("CN")
    store = open_store(db)
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with store.engine.connect() as conn:  # cases the rules let us call
        open_cases = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM cases WHERE status IN ('open', 'promised') ORDER BY id")]
    start = int(os.environ.get("CRASH_START", "0"))
    n = start
    while True:
        n += 1
        os.write(fd, f"B {n}\n".encode())
        record_outcome(store, OutcomeInput(case_id=open_cases[n % len(open_cases)], code=OutcomeCode.NO_ANSWER, channel=Channel.PHONE,
                                           at=NOW, notes=f"crash-{n}"), profile, actor="agent01", now=NOW)
        os.write(fd, f"K {n}\n".encode())


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed writers are reaped by the kernel
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            return
        _cmd, db, log_path, start = parts
        pid = os.fork()
        if pid == 0:
            try:
                os.environ["CRASH_START"] = start
                writer(db, log_path)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(1)
        print(f"pid {pid}", flush=True)


if __name__ == "__main__":
    main()
