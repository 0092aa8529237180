"""`python -m app check`: is this store whole?"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text

from app.domain.audit import verify_chain
from app.store.audit import iter_audit_rows
from app.store.engine import Store
from app.store.migrate import HEAD_REVISION, current_revision
from app.store.search import fts_out_of_step


@dataclass
class IntegrityReport:
    schema: str | None = None
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"schema revision: {self.schema} (expected {HEAD_REVISION})", *self.facts]
        out += [f"PROBLEM: {p}" for p in self.problems]
        out.append("store is sound" if self.ok else f"{len(self.problems)} problem(s) found")
        return out


def check_store(store: Store) -> IntegrityReport:
    report = IntegrityReport()
    report.schema = current_revision(store.engine)
    if report.schema != HEAD_REVISION:
        report.problems.append(f"schema revision {report.schema} is not {HEAD_REVISION}")
    with store.engine.connect() as conn:
        result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
        if result != ["ok"]:
            report.problems.extend(f"sqlite: {r}" for r in result[:20])
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if fk:
            report.problems.append(f"{len(fk)} row(s) point at rows that do not exist (first: {tuple(fk[0])})")
        cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
        pending = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
        report.facts.append(f"cases: {cases:,}; events waiting to upload: {pending:,}")
        bad = fts_out_of_step(conn)
        if bad:
            report.problems.append(f"search index out of step for {len(bad)} case(s) (first: {bad[:5]})")
        else:
            report.facts.append("search index: in step")
    with store.read() as session:
        chain = verify_chain(iter_audit_rows(session))
        n = session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    if chain:
        report.problems.extend(f"audit entry {p.seq}: {p.problem}" for p in chain[:20])
    else:
        report.facts.append(f"audit chain: {n:,} entries, intact")
    return report
