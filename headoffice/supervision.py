"""The supervisor workspace's endpoints (issue #7): bulk assign, approvals, the team's day.

All three answer 401 without a token and 403 to an agent; a supervisor sees and changes only their
team's cases and agents (a case outside the team answers like one that does not exist), an admin
everything. Decisions on approvals are not an endpoint: they arrive as `decision` events through
the normal push (push.py, decisions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import FastAPI, Header, Query

from app.contract.v1 import ApprovalListResponse, AssignBatchRequest, AssignBatchResponse, TeamTodayResponse
from app.domain.clock import utcnow

from .approvals import list_approvals
from .bulkassign import assign_batch
from .changes import ChangeWriter
from .models import User
from .teamday import team_today, today

if TYPE_CHECKING:
    from .api import Service
    from .auth import Principal

MAX_OFFSET = 2**31 - 1
Auth = Annotated[str | None, Header()]


def register(api: FastAPI, svc: Service, require: Callable[..., None]) -> None:
    """Add the routes to `api` (called by create_app)."""

    def supervisor(authorization: str | None) -> Principal:
        p = svc.principal(authorization)
        require(p, "supervisor", "admin")
        return p

    @api.post("/api/v1/cases/assign", response_model=AssignBatchResponse,
              responses={403: {"description": "agents may not assign"}})
    def assign_many(body: AssignBatchRequest, authorization: Auth = None) -> Any:
        p = supervisor(authorization)
        now = utcnow()
        with svc.db.write() as session:
            actor = session.get(User, p.user.id)
            assert actor is not None
            results = assign_batch(session, actor, body, now, ChangeWriter(session, now))
            svc.after_write(session)
        return AssignBatchResponse(results=results)

    @api.get("/api/v1/approvals", response_model=ApprovalListResponse)
    def approvals(status: Annotated[Literal["pending", "decided", "all"], Query()] = "pending",
                  offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                  authorization: Auth = None) -> Any:
        p = supervisor(authorization)
        with svc.db.read() as session:
            return list_approvals(session, p.user, status, offset, limit)

    @api.get("/api/v1/team/today", response_model=TeamTodayResponse)
    def team(day: Annotated[date | None, Query()] = None, authorization: Auth = None) -> Any:
        p = supervisor(authorization)
        with svc.db.read() as session:
            return team_today(session, p.user, day or today(utcnow()))
