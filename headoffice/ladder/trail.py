"""The case trail: what the case timeline shows of the ladder, and how the laptop comes to see it.

Every ladder module (the daily run, SMS, letters, holds and moves) records what it did to a case with
`add_trail` inside its own write transaction (`Database.write()`), then calls `announce` once for the
cases it touched: one `case_upsert` row each in the pull log, so the agent's and the team's laptops
fetch the case again, trail included (`casedata.case_data` serves it as `CaseData.ladder`).

A trail item never carries an ID number or a whole phone number (the SMS number is masked), so the
trail can go to every laptop that may see the case.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headoffice.changes import ChangeWriter
from headoffice.models import Case

from .models import CaseTrailItem

KINDS = frozenset({"level", "trigger", "sms", "letter", "hold", "release"})


def add_trail(session: Session, case_id: int, kind: str, data: Mapping[str, Any], at: datetime, *,
              attachment_sha256: str | None = None, ref: str | None = None) -> CaseTrailItem:
    """Record one trail item (in the caller's transaction). `data` is the kind's JSON (see
    `app.contract.v1.TrailItemData`); dates and times in it must already be ISO strings."""
    if kind not in KINDS:
        raise ValueError(f"unknown trail kind {kind!r}")
    item = CaseTrailItem(case_id=case_id, kind=kind, at=at, data=json.dumps(dict(data), ensure_ascii=False),
                         attachment_sha256=attachment_sha256, ref=ref)
    session.add(item)
    return item


def trail_rows(session: Session, case_id: int, kind: str, data: Mapping[str, Any], at: datetime, *,
               attachment_sha256: str | None = None, ref: str | None = None) -> dict[str, Any]:
    """The row `add_trail` would add, as a dict for one bulk INSERT of many (the daily run, the SMS
    sender): `session.execute(insert(CaseTrailItem), rows)`."""
    if kind not in KINDS:
        raise ValueError(f"unknown trail kind {kind!r}")
    return {"case_id": case_id, "kind": kind, "at": at, "data": json.dumps(dict(data), ensure_ascii=False),
            "attachment_sha256": attachment_sha256, "ref": ref}


def announce(session: Session, now: datetime, case_ids: Iterable[int]) -> int:
    """Tell the laptops that may see these cases to fetch them again (one pull-log row per case for
    its agent and team). Call it inside the same write transaction, once, with every case touched."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    writer = ChangeWriter(session, now)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for case_id, agent_id, team in session.execute(
                select(Case.id, Case.agent_id, Case.team).where(Case.id.in_(chunk)).order_by(Case.id)).tuples():
            rows.extend(ChangeWriter.case_rows(case_id, agent_id, team))
    writer.add_many(rows)
    return len(ids)
