"""Daily promise evaluation: open promises past due + grace become broken (raising priority)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.domain.clock import DEFAULT_ZONE, ensure_utc, local_day, utcnow
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store

from .casefacts import refresh_case
from .outcomes import evaluate_case_promises


def evaluate_promises(store: Store, grace_days: int, actor: str = "system", now: datetime | None = None,
                      zone: str = DEFAULT_ZONE) -> dict[str, int]:
    """Evaluate every open promise. Returns counts of promises that became kept / broken."""
    now = ensure_utc(now or utcnow())
    today = local_day(now, zone)
    counts = {"kept": 0, "broken": 0}
    with store.write() as session:
        case_ids = session.scalars(select(m.Promise.case_id).where(m.Promise.state == "open").distinct()).all()
        for case_id in case_ids:
            case = session.get(m.Case, case_id)
            if case is None:
                continue
            changed = evaluate_case_promises(session, case, today, grace_days, zone)
            if changed:
                for _pid, state in changed:
                    counts[state] += 1
                session.flush()
                refresh_case(session, case, now, zone)
        if counts["kept"] or counts["broken"]:
            append_audit(session, actor=actor, action="promises.evaluated", entity="store", entity_id="-",
                         data=counts, at=now)
    return counts
