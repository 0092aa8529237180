"""Safety at the door, head-office side: visit sessions that head office times, the escalation ladder
(reminder, AMBER, RED, contacts one by one), SOS, the duress PIN, the day's end, the supervisor's board,
and the notifications each step sends.

* `models.py`   the tables (sessions, alarms, PINs, policy versions, replies, log, notifications, days)
* `policy.py`   the team's versioned policy
* `pins.py`     safety and duress PINs (argon2id hashes only)
* `sessions.py` the agent's commands: open, extend, check out, SOS, day end; idempotent by client_ref
* `alarms.py`   raising an alarm, its red steps, colleagues nearby
* `ladder.py`   `sweep(db, now)`: what is due becomes a reminder, an alarm or a red step, exactly once
* `outbox.py`   the notifications table: enqueue in the caller's transaction, claim with a lease, mark
* `board.py`    the supervisor's board, acknowledge, resolve, the day's report, notices, `me`
* `routes.py`   the HTTP routes (`register(api, svc)`); `jobs.py` the background threads of a process
"""

from __future__ import annotations
