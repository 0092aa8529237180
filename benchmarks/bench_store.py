"""Store figures at 100,000 cases: generation, search, the first page, opening, saving an outcome.

Each query figure stands beside its floor: the same SQL run through the bare sqlite3 module.
"""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

from benchmarks.common import Context, Figure, demo_store, ms, pct, samples

SEARCHES = ("王伟", "王", "李娜", "5678", "0012", "锦江区", "春熙路", "张 1234", "CD2600", "刘芳")


def run(ctx: Context) -> list[Figure]:
    from sqlalchemy import text

    from app.domain.compliance import builtin_profile
    from app.domain.enums import Channel
    from app.domain.outcomes import OutcomeCode
    from app.services.outcomes import OutcomeInput, record_outcome
    from app.store.migrate import open_store
    from app.store.queries import BROAD_MATCHES, CaseQuery, list_cases
    from app.store.search import match_clause, search_terms

    key = "store100k" if ctx.cases == 100_000 else f"store{ctx.cases}"
    store = demo_store(ctx)
    figures = [Figure(f"demo data: generate {ctx.cases:,} cases", ctx.cache[key + ":generate_s"], "s", target=60.0)]
    path = store.path
    raw = sqlite3.connect(path)

    # Full-text search p95, through the app's query vs the same FTS statement on bare sqlite3.
    def app_search(q: str) -> None:
        with store.engine.connect() as conn:
            list_cases(conn, CaseQuery(search=q), 0, 100)

    def raw_search(q: str) -> None:
        # The same statements the app runs (its LIMIT probe per term, then the page with the plan the probe
        # chose), on bare sqlite3: what is left above this floor is the app's own overhead.
        broad = set()
        for i, term in enumerate(search_terms(q)):
            if raw.execute(term.size_sql(), {**term.params, "cap": BROAD_MATCHES}).fetchone()[0] >= BROAD_MATCHES:
                broad.add(i)
        clause, params = match_clause(q, broad)  # type: ignore[misc]
        sql = ("SELECT id, case_no, debtor_name, priority FROM cases WHERE " + clause
               + " ORDER BY priority DESC, id DESC LIMIT 100")
        raw.execute(sql, params).fetchall()

    app_t = [t for q in SEARCHES for t in samples(lambda q=q: app_search(q), 10, warmup=1)]
    raw_t = [t for q in SEARCHES for t in samples(lambda q=q: raw_search(q), 10, warmup=1)]
    figures.append(Figure("full-text search p95 (first 100 rows)", ms(pct(app_t, 95)), "ms", target=50.0,
                          reference=ms(pct(raw_t, 95)), reference_label="raw sqlite3 FTS"))

    # Filtered, sorted first page p95.
    today = date(2026, 11, 30)
    queries = [
        CaseQuery(),
        CaseQuery(stages=("field_visit",), sort="overdue"),
        CaseQuery(buckets=("M2",), sort="days_past_due", descending=False),
        CaseQuery(districts=("锦江区",), safety_only=True),
        CaseQuery(statuses=("promised",), promise="due", today=today, sort="promise_due"),
        CaseQuery(agent_id=3, sort="case_no"),
        CaseQuery(stages=("field_visit", "legal_letter"), buckets=("M4+",), sort="debtor_name"),
    ]

    def app_page(q: CaseQuery) -> None:
        with store.engine.connect() as conn:
            list_cases(conn, q, 0, 100)

    def raw_page(q: CaseQuery) -> None:
        where, params = q.where()
        raw.execute("SELECT cases.id, cases.case_no, cases.priority FROM cases" + where + q.order_by()
                    + " LIMIT 100", params).fetchall()

    app_p = [t for q in queries for t in samples(lambda q=q: app_page(q), 15, warmup=1)]
    raw_p = [t for q in queries for t in samples(lambda q=q: raw_page(q), 15, warmup=1)]
    figures.append(Figure("filtered, sorted first page p95", ms(pct(app_p, 95)), "ms", target=20.0,
                          reference=ms(pct(raw_p, 95)), reference_label="raw SQL"))
    raw.close()

    # Open + migration check (a store already at head), cold-ish: a fresh engine each time.
    def open_close() -> None:
        s = open_store(path)
        with s.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        s.close()

    opens = samples(open_close, 15, warmup=2)
    figures.append(Figure("store open + migration check (median of 15)", ms(sorted(opens)[len(opens) // 2]), "ms",
                          target=300.0, reference=ms(min(opens)), reference_label="fastest"))

    # Saving one outcome: event + outbox + audit + projections, synchronous=FULL.
    profile = builtin_profile("CN")
    with store.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM cases WHERE status='open' AND safety_level=0 ORDER BY id LIMIT 400"))]
    rng = random.Random(1)
    base = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    saves: list[float] = []
    runs_before = store.checkpointer.runs
    for i in range(301):
        data = OutcomeInput(rng.choice(ids), OutcomeCode.NO_ANSWER, Channel.PHONE, base + timedelta(seconds=i))
        t = time.perf_counter()
        record_outcome(store, data, profile, actor="bench", now=base)
        if i:  # the first save warms up (as every other figure here): it opens the saving connection
            saves.append(time.perf_counter() - t)
    during = store.checkpointer.runs - runs_before
    store.checkpointer.ran.clear()
    folded = store.checkpointer.ran.wait(30)  # the pause after the saves: the WAL is folded now
    fsync_floor = _bare_commit_floor(ctx)
    figures.append(Figure("save one outcome p99 (event + outbox + audit)", ms(pct(saves, 99)), "ms", target=5.0,
                          reference=ms(fsync_floor), reference_label="bare sqlite3 WAL+FULL commit p99",
                          note=f"median {ms(pct(saves, 50)):.2f} ms; WAL checkpoints during the saves: {during} "
                               "(they run in the first pause)"))
    figures.append(Figure("  … the WAL folded in the pause after them", ms(store.checkpointer.last_took) if folded
                          else float("nan"), "ms", note=f"{len(saves)} saves' pages, on the checkpointer's thread"))
    return figures


def _bare_commit_floor(ctx: Context) -> float:
    """p99 of one INSERT + COMMIT in WAL with synchronous=FULL: the cost of durability on this disk."""
    con = sqlite3.connect(ctx.work / "floor.sqlite3", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT)")
    times = []
    for i in range(300):
        t = time.perf_counter()
        con.execute("BEGIN")
        con.execute("INSERT INTO t(v) VALUES (?)", (str(i),))
        con.execute("COMMIT")
        times.append(time.perf_counter() - t)
    con.close()
    return pct(times, 99)
