"""POST /cases/assign: assign, reassign or unassign many cases in one transaction, set-based.

Each item names the case version the supervisor saw (the role If-Match plays for one case). Inside
the caller's write transaction (the write lock is held, so nothing moves underneath):

* one SELECT reads every named case, one reads every named agent;
* items are judged in request order against that state: `not_found` (no such case, or outside the
  supervisor's team: the same answer), `conflict` (the version differs: the case's current summary
  is returned and nothing is overwritten), `unknown_agent` (not an active agent of the team), else
  `assigned`. A conflict or a bad item never stops the others;
* the accepted moves are written with one UPDATE per target (agent, team), one INSERT of the new
  holders and one INSERT of all change rows (`case_upsert` to the new owner, `case_removed` to the
  old owner / team), so 1,000 cases cost a handful of statements, not 1,000 round trips.

Assigning a case to the agent who already holds it (same version) is answered `assigned` and
changes nothing: no new version, no change rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.contract.v1 import AssignBatchRequest, AssignItemResult, CaseSummary

from .changes import ChangeWriter
from .models import Case, CaseHolder, User

_CHUNK = 500  # ids per IN (...) list


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


@dataclass
class _State:
    """A case as the request sees it: its state when read, and after the items so far."""

    row: Any  # the SELECTed columns
    agent_id: int | None
    team: str
    version: int
    bumps: int = 0

    def summary(self) -> CaseSummary:
        r = self.row
        return CaseSummary(id=r.id, case_no=r.case_no, agent_id=self.agent_id, district=r.district, stage=r.stage,
                           status=r.status, overdue_fen=r.overdue_fen, days_past_due=r.days_past_due,
                           version=self.version, lat=r.lat, lon=r.lon)


def _agents(session: Session, actor: User, ids: set[int]) -> dict[int, User]:
    """The named users who may receive cases from `actor` (active agents; of the team for a supervisor)."""
    out: dict[int, User] = {}
    for chunk in _chunks(sorted(ids)):
        for u in session.scalars(select(User).where(User.id.in_(chunk))):
            if u.role == "agent" and u.active and (actor.role == "admin" or u.team == actor.team):
                out[u.id] = u
    return out


def _cases(session: Session, actor: User, ids: set[int]) -> dict[int, _State]:
    out: dict[int, _State] = {}
    cols = (Case.id, Case.case_no, Case.agent_id, Case.team, Case.district, Case.stage, Case.status,
            Case.overdue_fen, Case.days_past_due, Case.version, Case.lat, Case.lon)
    for chunk in _chunks(sorted(ids)):
        q = select(*cols).where(Case.id.in_(chunk))
        if actor.role != "admin":
            q = q.where(Case.team == actor.team)
        for r in session.execute(q):
            out[r.id] = _State(r, r.agent_id, r.team, r.version)
    return out


def assign_batch(session: Session, actor: User, request: AssignBatchRequest, now: datetime,
                 changes: ChangeWriter) -> list[AssignItemResult]:
    """Judge and apply every item; returns one result per item, in request order."""
    cases = _cases(session, actor, {i.case_id for i in request.items})
    agents = _agents(session, actor, {i.agent_id for i in request.items if i.agent_id is not None})
    holders: set[tuple[int, int]] = set()  # (case, agent) pairs this request hands out
    results: list[AssignItemResult] = []
    for item in request.items:
        state = cases.get(item.case_id)
        if state is None:
            results.append(AssignItemResult(case_id=item.case_id, status="not_found"))
            continue
        if state.version != item.version:
            results.append(AssignItemResult(case_id=item.case_id, status="conflict", version=state.version,
                                            agent_id=state.agent_id, current=state.summary()))
            continue
        agent = agents.get(item.agent_id) if item.agent_id is not None else None
        if item.agent_id is not None and agent is None:
            results.append(AssignItemResult(case_id=item.case_id, status="unknown_agent", version=state.version,
                                            agent_id=state.agent_id))
            continue
        if item.agent_id != state.agent_id:
            state.agent_id = item.agent_id
            state.team = agent.team if agent is not None else state.team
            state.version += 1
            state.bumps += 1
            if agent is not None:
                holders.add((state.row.id, agent.id))
        results.append(AssignItemResult(case_id=item.case_id, status="assigned", version=state.version,
                                        agent_id=state.agent_id))
    moved = [s for s in cases.values() if s.bumps]
    if moved:
        _write(session, actor, request.reason, moved, holders, now, changes)
    return results


def _write(session: Session, actor: User, reason: str, moved: list[_State], holders: set[tuple[int, int]],
           now: datetime, changes: ChangeWriter) -> None:
    groups: dict[tuple[int | None, str, int], list[int]] = defaultdict(list)
    for s in moved:
        groups[(s.agent_id, s.team, s.bumps)].append(s.row.id)
    for (agent_id, team, bumps), ids in groups.items():
        for chunk in _chunks(sorted(ids)):
            session.execute(update(Case).where(Case.id.in_(chunk))
                            .values(agent_id=agent_id, team=team, version=Case.version + bumps, updated_at=now)
                            .execution_options(synchronize_session=False))
    if holders:
        known: set[tuple[int, int]] = set()
        for chunk in _chunks(sorted({c for c, _ in holders})):
            known.update(session.execute(select(CaseHolder.case_id, CaseHolder.user_id)
                                         .where(CaseHolder.case_id.in_(chunk))).tuples())
        fresh = sorted(holders - known)
        if fresh:
            session.execute(insert(CaseHolder), [{"case_id": c, "user_id": u} for c, u in fresh])
    rows: list[dict[str, Any]] = []
    note = json.dumps({"by": actor.username, "reason": reason} if reason else {"by": actor.username},
                      ensure_ascii=False)  # who moved the cases and why, on each change row
    for s in sorted(moved, key=lambda s: s.row.id):
        for r in ChangeWriter.case_rows(s.row.id, s.agent_id, s.team, s.row.agent_id, s.row.team):
            rows.append(r | {"data": note})
    changes.add_many(rows)
