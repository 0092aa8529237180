"""Escalation-ladder figures (head office, PostgreSQL in a throwaway cluster):

* the daily run over 1,000,000 cases (target ≤ 60 s), on a book already on the ladder: cases spread
  over the five levels, entered over the last 40 days, 4 % closed, 3 % paused, 3 % with a promise to
  pay, phones with some dead numbers, unanswered attempts and delinquency episodes for some — so the
  day moves the cases whose wait is over and whose rule holds, and skips or keeps the rest;
* the first run over the same book before anyone is on the ladder (every case enters: the most
  writing a run ever does), for reference;
* the daily run over 10,000 cases: a small figure that runs fast (`--quick` runs only this size).

The book is loaded with COPY (no ORM); the run is `headoffice.ladder.run.run` as the CLI calls it.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from benchmarks.bench_safety import _Postgres
from benchmarks.common import Context, Figure, run_headoffice

RUN_DAY = date(2026, 12, 10)
LEVELS = ("sms_1", "sms_2", "letter", "visit", "legal")
STAGES = {"sms_1": "reminder", "sms_2": "reminder", "letter": "legal_letter", "visit": "field_visit",
          "legal": "legal_action"}


def _load(url: str, n: int, on_ladder: bool, seed: int = 18) -> None:
    """n cases (and their debtors, phones, accounts, promises, attempts, episodes) by COPY."""
    import psycopg

    rng = random.Random(seed)
    now = datetime(2026, 12, 9, 22, 0, tzinfo=UTC)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        agents = []
        with conn.cursor() as cur:
            for i in range(20):
                cur.execute("INSERT INTO users (username, display_name, role, team, password_hash, active, "
                            "failed_logins, created_at) VALUES (%s, %s, 'agent', %s, 'x', true, 0, %s) RETURNING id",
                            (f"bench{i:02d}", f"外访员{i}", f"组{i % 4}", now))
                agents.append(cur.fetchone()[0])  # type: ignore[index]

        def copy(table: str, cols: str, rows: Any) -> None:
            with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)

        copy("debtors", "id, name, id_number", ((i, f"债务人{i}", "510104199001011230") for i in range(1, n + 1)))
        copy("phones", "debtor_id, number, label, status",
             ((i, f"+86138{i:08d}", "mobile", "invalid" if i % 33 == 0 else "valid") for i in range(1, n + 1)))
        dpds = [min(400, int(rng.expovariate(1 / 60)) + 1) for _ in range(n)]
        statuses = [rng.choices(("open", "closed", "paused", "promised"), (90, 4, 3, 3))[0] for _ in range(n)]
        levels = [LEVELS[min(4, (d >= 10) + (d >= 30) + (d >= 45 and i % 4 == 0) + (d >= 90 and i % 4 == 0))]
                  for i, d in enumerate(dpds)]
        copy("cases", "id, external_id, case_no, debtor_id, agent_id, team, stage, base_status, base_overdue_fen, "
                      "status, paused_reason, overdue_fen, currency, district, days_past_due, version, created_at, "
                      "updated_at",
             ((i, f"P{i}", f"C{i}", i, agents[i % 20], f"组{(i % 20) % 4}",
               STAGES[levels[i - 1]] if on_ladder else "reminder", statuses[i - 1], 100_000, statuses[i - 1],
               "hardship: illness" if statuses[i - 1] == "paused" else None, 100_000, "CNY", "锦江区",
               dpds[i - 1], 1, now - timedelta(days=dpds[i - 1] + 5), now) for i in range(1, n + 1)))
        copy("accounts", "case_id, loan_no, product, principal_fen, outstanding_fen, overdue_fen, currency, "
                         "days_past_due, missed_instalments, last_payment_on",
             ((i, f"L{i}", "消费贷", 500_000, 300_000, 100_000, "CNY", dpds[i - 1], 1,
               RUN_DAY - timedelta(days=dpds[i - 1] + rng.randrange(0, 20))) for i in range(1, n + 1)))
        copy("promises", "case_id, amount_fen, currency, due, made_at",
             ((i, 20_000, "CNY", RUN_DAY + timedelta(days=rng.randrange(-10, 10)), now - timedelta(days=12))
              for i in range(1, n + 1) if statuses[i - 1] == "promised" or i % 50 == 0))
        copy("attempts", "case_id, channel, at, outcome, to_third_party, answered, right_party, notes, collectors, "
                         "details",
             ((i, "phone", now - timedelta(days=k, hours=rng.randrange(0, 10)), "no_answer", False, False, False,
               "", 1, "{}") for i in range(1, n + 1, 7) for k in range(rng.randrange(1, 9))))
        copy("delinquency_episodes", "case_id, started_on, cured_on, overdue_fen, source",
             ((i, RUN_DAY - timedelta(days=dpds[i - 1] + ago), cured, 50_000, "import")
              for i in range(1, n + 1) for ago, cured in ((0, None),) + (
                  ((120, RUN_DAY - timedelta(days=100)), (220, RUN_DAY - timedelta(days=200)))
                  if i % 9 == 0 else ())))
        if on_ladder:
            copy("case_ladder", "case_id, level, policy_id, entered_at, entered_on, last_run_on, held",
                 ((i, levels[i - 1], 1, now, RUN_DAY - timedelta(days=rng.randrange(1, 41)), RUN_DAY - timedelta(days=1),
                   i % 200 == 0) for i in range(1, n + 1)))
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _prepare(pg: _Postgres, name: str, n: int, on_ladder: bool) -> str:
    import psycopg

    from app.domain.ladder import EXAMPLE_POLICY
    from headoffice.db import Database
    from headoffice.ladder.models import LetterTemplate, SmsTemplate
    from headoffice.ladder.policy import store

    with psycopg.connect(host="127.0.0.1", port=pg.port, user=pg.user, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    url = pg.url.rsplit("/", 1)[0] + "/" + name
    run_headoffice("init-db", "--db", url)
    db = Database(url)
    now = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    with db.write() as s:
        for code in ("remind_1", "remind_2"):
            s.add(SmsTemplate(code=code, version=1, body="您好，您的借款已逾期，请通过官方渠道还款。", set_by="bench",
                              set_at=now))
        s.add(LetterTemplate(code="firm_a_std", version=1, firm_code="firm_a", title="律师函", body="请还款。",
                             legal_basis="《民法典》", rights="可提出异议。", deadline_days=15, set_by="bench",
                             set_at=now))
        s.flush()
        store(s, "", dict(EXAMPLE_POLICY), actor="bench", actor_id=None, now=now)
    db.dispose()
    _load(url, n, on_ladder)
    return url


def _timed_run(url: str) -> tuple[float, Any]:
    from headoffice.db import Database
    from headoffice.ladder.run import run

    db = Database(url)
    try:
        t = time.perf_counter()
        summary = run(db, RUN_DAY, datetime(2026, 12, 9, 22, 0, tzinfo=UTC))
        return time.perf_counter() - t, summary
    finally:
        db.dispose()


def _note(summary: Any) -> str:
    skipped = sum(summary.skipped.values())
    return f"{summary.transitions:,} moved, {skipped:,} skipped, {sum(summary.stayed.values()):,} stayed"


def run(ctx: Context) -> list[Figure]:
    sizes = [10_000] if ctx.quick else [10_000, 1_000_000]
    figures = []
    pg = _Postgres()
    try:
        for n in sizes:
            url = _prepare(pg, f"ladder_{n}", n, on_ladder=True)
            seconds, summary = _timed_run(url)
            figures.append(Figure(f"daily run, {n:,} cases on the ladder (PG)", seconds, "s",
                                  target=60.0 if n == 1_000_000 else None, note=_note(summary)))
        if not ctx.quick:
            url = _prepare(pg, "ladder_first", sizes[-1], on_ladder=False)
            seconds, summary = _timed_run(url)
            figures.append(Figure(f"first run, {sizes[-1]:,} cases, none on the ladder yet (PG)", seconds, "s",
                                  note=_note(summary)))
    finally:
        pg.stop()
    return figures
