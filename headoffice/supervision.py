"""The supervisor workspace's endpoints (issue #7): bulk assign, approvals, the team's day, pairs;
and `GET /api/v1/me`, the signed-in user with their standing partner, for every role.

All three answer 401 without a token and 403 to an agent; a supervisor sees and changes only their
team's cases and agents (a case outside the team answers like one that does not exist), an admin
everything. Decisions on approvals are not an endpoint: they arrive as `decision` events through
the normal push (push.py, decisions.py).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import FastAPI, Header, Path, Query

from app.contract.v1 import (
    ApprovalListResponse,
    AssignBatchRequest,
    AssignBatchResponse,
    MeResponse,
    PairRequest,
    PairResponse,
    PartnerInfo,
    TeamTodayResponse,
)
from app.domain.clock import utcnow

from .approvals import list_approvals
from .auth import user_info
from .bulkassign import assign_batch
from .changes import ChangeWriter
from .models import User
from .pairs import PairError, partner_of, set_pair
from .service import ApiError, Service, require
from .teamday import team_today, today

if TYPE_CHECKING:
    from .auth import Principal

MAX_OFFSET = 2**31 - 1
Auth = Annotated[str | None, Header()]


def partner_info(user: User | None) -> PartnerInfo | None:
    return None if user is None else PartnerInfo(id=user.id, username=user.username,
                                                 display_name=user.display_name or user.username)


def register(api: FastAPI, svc: Service) -> None:
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

    @api.get("/api/v1/me", response_model=MeResponse)
    def me(authorization: Auth = None) -> Any:
        p = svc.principal(authorization)
        with svc.db.read() as session:
            user = session.get(User, p.user.id)
            assert user is not None
            return MeResponse(user=user_info(user), partner=partner_info(partner_of(session, user)))

    @api.put("/api/v1/agents/{agent_id}/partner", response_model=PairResponse)
    def set_partner(agent_id: Annotated[int, Path(ge=1, le=MAX_OFFSET)], body: PairRequest,
                    authorization: Auth = None) -> Any:
        """Set or clear an agent's standing pair (both sides); logged in pair_changes with the actor."""
        p = supervisor(authorization)
        scope = None if p.user.role == "admin" else p.user.team
        with svc.db.write() as session:
            agent = session.get(User, agent_id)
            partner = session.get(User, body.partner_id) if body.partner_id is not None else None
            if body.partner_id is not None and partner is None:
                raise ApiError(404, "not_found", "no such partner in your team")
            try:
                set_pair(session, agent, partner, actor=p.user.username, via="api", now=utcnow(), scope_team=scope)
            except PairError as exc:
                raise ApiError(exc.status, exc.code, exc.detail) from None
            assert agent is not None
            return PairResponse(agent_id=agent.id, partner=partner_info(partner_of(session, agent)))
