"""Routes under `/api/v1/safety/` (wire models: app/contract/safety.py); `register(api, svc)`.

Agents: PINs, sessions, SOS, day end. Supervisors (their team) and admins (`?team=` or every team):
board, acknowledge, resolve, report, policy. Everyone signed in: `me` and their own notices.
Commands that carry a `client_ref` answer a replay with the stored reply (status and bytes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.responses import Response

from app.contract.safety import (
    PREFIX,
    AlarmConflict,
    AlarmOut,
    BoardResponse,
    CheckOutRequest,
    CheckOutResponse,
    DayEndRequest,
    DayEndResponse,
    ExtendRequest,
    NoticesResponse,
    PinsRequest,
    PinsResponse,
    ResolveRequest,
    SafetyMeResponse,
    SafetyPolicyData,
    SafetyReportResponse,
    SessionConflict,
    SessionOpenRequest,
    SessionOut,
    SosRequest,
    SosResponse,
)
from app.contract.v1 import ErrorResponse
from app.domain.clock import local_day
from headoffice.clock import ClockError
from headoffice.models import User
from headoffice.service import ApiError, Service, require

from . import board as boards
from . import sessions as commands
from .alarms import Step
from .models import SafetyReply
from .pins import PinError, set_pins
from .policy import PolicyError, load_policy, policy_data, store_policy
from .sessions import Reply, open_session_of, session_out

if TYPE_CHECKING:
    from headoffice.auth import Principal

MAX_ID = 2**31 - 1
Auth = Annotated[str | None, Header()]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Team = Annotated[str | None, Query(min_length=1, max_length=64)]
SESSION_409 = {409: {"model": SessionConflict, "description": "pins_not_set, session_open (with the open "
                                                               "session) or session_closed"}}
ALARM_409 = {409: {"model": AlarmConflict, "description": "already_acknowledged (by someone else) or "
                                                          "already_resolved, with the alarm"}}
CHECKOUT = {403: {"model": ErrorResponse, "description": "wrong_pin (the session stays open)"},
            423: {"model": ErrorResponse, "description": "pin_locked: too many wrong PINs on this session"},
            **SESSION_409}


def channels_of(svc: Service) -> frozenset[str]:
    """The outbound channels this deployment has configured (the window is always there)."""
    s = svc.settings
    return frozenset({"sms"} if s.sms_gateway else set()) | frozenset({"webhook"} if s.safety_webhook else set())


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def register(api: FastAPI, svc: Service) -> None:
    channels = channels_of(svc)

    def who(authorization: str | None, *roles: str) -> Principal:
        p = svc.principal(authorization)
        if roles:
            require(p, *roles)
        return p

    def command(p: Principal, client_ref: str | None, what: str, work: Callable[[Step, User], Reply]) -> Response:
        """Run a queued command once: a replay of `client_ref` for the same command (`what`: its route and
        session) answers what the first answered; the same ref for another command is refused (422), never
        answered with the other command's reply. `what` never holds the body: a check-out's holds the PIN."""
        with svc.db.write() as s:
            if client_ref is not None:
                stored = s.get(SafetyReply, (p.user.id, client_ref))
                if stored is not None:
                    if stored.command != what:
                        raise ApiError(422, "client_ref_reused",
                                       "this client_ref was already used for another command")
                    return Response(stored.body, status_code=stored.status, media_type="application/json")
            user = s.get(User, p.user.id)
            assert user is not None
            now = svc.clock.now(s)
            status, body = work(Step(s, now, channels, actor=user.username), user)
            text = _json(body)
            if client_ref is not None:
                s.add(SafetyReply(user_id=user.id, client_ref=client_ref, command=what, status=status, body=text,
                                  at=now))
        return Response(text, status_code=status, media_type="application/json")

    # --- the agent ---------------------------------------------------------------------------------

    @api.put(PREFIX + "/pins", response_model=PinsResponse, tags=["safety"])
    def put_pins(body: PinsRequest, authorization: Auth = None) -> Any:
        """Set both PINs (argon2id hashes only); neither may be the login password (422 pin_is_password)."""
        p = who(authorization, "agent")
        with svc.db.write() as s:
            user = s.get(User, p.user.id)
            assert user is not None
            try:
                row = set_pins(s, user, body.safety_pin, body.duress_pin, svc.clock.now(s))
            except PinError as exc:
                raise ApiError(422, exc.code, exc.detail) from None
            return PinsResponse(set_at=row.set_at)

    @api.post(PREFIX + "/sessions", response_model=SessionOut, status_code=201, responses=SESSION_409,
              tags=["safety"])
    def open_session(body: SessionOpenRequest, authorization: Auth = None) -> Any:
        """Open a visit session on one of your cases; due_at = started_at + planned_minutes."""
        p = who(authorization, "agent")
        return command(p, body.client_ref, "open", lambda step, user: commands.open_session(step, user, body))

    @api.get(PREFIX + "/sessions/current", response_model=SessionOut, tags=["safety"])
    def current_session(authorization: Auth = None) -> Any:
        p = who(authorization, "agent")
        with svc.db.read() as s:
            v = open_session_of(s, p.user.id)
            if v is None:
                raise ApiError(404, "not_found", "you have no open session")
            return session_out(s, v)

    @api.post(PREFIX + "/sessions/{session_id}/extend", response_model=SessionOut, responses=SESSION_409,
              tags=["safety"])
    def extend(session_id: Id, body: ExtendRequest, authorization: Auth = None) -> Any:
        p = who(authorization, "agent")
        return command(p, body.client_ref, f"extend:{session_id}", lambda step, user: commands.extend(step, user, session_id, body))

    @api.post(PREFIX + "/sessions/{session_id}/check-out", response_model=CheckOutResponse, responses=CHECKOUT,
              tags=["safety"])
    def check_out(session_id: Id, body: CheckOutRequest, authorization: Auth = None) -> Any:
        """Close the session with your safety PIN (or the duress PIN: the same answer, byte for byte)."""
        p = who(authorization, "agent")
        return command(p, body.client_ref, f"check-out:{session_id}",
                       lambda step, user: commands.check_out(step, user, session_id, body))

    @api.post(PREFIX + "/sos", response_model=SosResponse, tags=["safety"])
    def sos(body: SosRequest, authorization: Auth = None) -> Any:
        """A RED alarm at once: supervisors, the first contact, colleagues nearby."""
        p = who(authorization, "agent")
        return command(p, body.client_ref, "sos", lambda step, user: commands.sos(step, user, body))

    @api.post(PREFIX + "/day-end", response_model=DayEndResponse, tags=["safety"])
    def day_end(body: DayEndRequest, authorization: Auth = None) -> Any:
        """Back safe for the day (stops the day-end alarm)."""
        p = who(authorization, "agent")
        return command(p, body.client_ref, "day-end", lambda step, user: commands.day_end(step, user, body))

    # --- everyone signed in ------------------------------------------------------------------------

    @api.get(PREFIX + "/me", response_model=SafetyMeResponse, tags=["safety"])
    def me(authorization: Auth = None) -> Any:
        p = who(authorization)
        with svc.db.read() as s:
            user = s.get(User, p.user.id)
            assert user is not None
            return boards.me(s, user, svc.clock.now(s))

    @api.get(PREFIX + "/notices", response_model=NoticesResponse, tags=["safety"])
    def notices(after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0, authorization: Auth = None) -> Any:
        p = who(authorization)
        with svc.db.read() as s:
            return boards.notices(s, p.user, after)

    # --- supervisors and admins --------------------------------------------------------------------

    @api.get(PREFIX + "/board", response_model=BoardResponse, tags=["safety"])
    def get_board(team: Team = None, authorization: Auth = None) -> Any:
        p = who(authorization, "supervisor", "admin")
        with svc.db.read() as s:
            return boards.board(s, p.user, team, svc.clock.now(s))

    @api.post(PREFIX + "/alarms/{alarm_id}/acknowledge", response_model=AlarmOut, responses=ALARM_409,
              tags=["safety"])
    def acknowledge(alarm_id: Id, authorization: Auth = None) -> Any:
        """The first to acknowledge owns the alarm; it escalates no further."""
        p = who(authorization, "supervisor", "admin")
        with svc.db.write() as s:
            user = s.get(User, p.user.id)
            assert user is not None
            return boards.acknowledge(Step(s, svc.clock.now(s), channels, actor=user.username), user, alarm_id)

    @api.post(PREFIX + "/alarms/{alarm_id}/resolve", response_model=AlarmOut, responses=ALARM_409,
              tags=["safety"])
    def resolve(alarm_id: Id, body: ResolveRequest, authorization: Auth = None) -> Any:
        p = who(authorization, "supervisor", "admin")
        with svc.db.write() as s:
            user = s.get(User, p.user.id)
            assert user is not None
            return boards.resolve(Step(s, svc.clock.now(s), channels, actor=user.username), user, alarm_id, body)

    @api.get(PREFIX + "/report", response_model=SafetyReportResponse, tags=["safety"])
    def report(day: Annotated[date | None, Query()] = None, team: Team = None, authorization: Auth = None) -> Any:
        p = who(authorization, "supervisor", "admin")
        with svc.db.read() as s:
            now = svc.clock.now(s)
            scope = boards.scope_team(p.user, team)
            zone = load_policy(s, scope).zone if scope is not None else "Asia/Shanghai"
            return boards.report(s, p.user, team, day or local_day(now, zone), now)

    def policy_team(p: Principal, team: str | None) -> str:
        scope = boards.scope_team(p.user, team)
        if scope is None:
            raise ApiError(422, "team_required", "team: name the team (?team=) whose policy you mean")
        return scope

    @api.get(PREFIX + "/policy", response_model=SafetyPolicyData, tags=["safety"])
    def get_policy(team: Team = None, authorization: Auth = None) -> Any:
        p = who(authorization, "supervisor", "admin")
        scope = policy_team(p, team)
        with svc.db.read() as s:
            return policy_data(load_policy(s, scope))

    @api.put(PREFIX + "/policy", response_model=SafetyPolicyData, tags=["safety"])
    def put_policy(body: SafetyPolicyData, team: Team = None, authorization: Auth = None) -> Any:
        """Store a new version of the team's policy (validated; contacts must be active users of the team)."""
        p = who(authorization, "supervisor", "admin")
        scope = policy_team(p, team)
        with svc.db.write() as s:
            actor = s.get(User, p.user.id)
            assert actor is not None
            try:
                version = store_policy(s, scope, body, actor, svc.clock.now(s))
            except PolicyError as exc:
                raise ApiError(422, exc.code, exc.detail) from None
            stored = load_policy(s, scope)
        return Response(_json(policy_data(stored).model_dump(mode="json")), media_type="application/json",
                        headers={"X-Policy-Version": str(version)})

    if svc.settings.fault_hooks:
        _register_clock_hook(api, svc)


def _register_clock_hook(api: FastAPI, svc: Service) -> None:
    """Tests only (fault hooks on): the safety clock, kept in the database for every process."""

    def loopback(request: Request) -> None:
        if (request.client.host if request.client else "") not in ("127.0.0.1", "::1", "localhost"):
            raise ApiError(403, "forbidden", "fault hooks answer loopback only")

    @api.post("/api/v1/_faults/clock", include_in_schema=False)
    async def set_clock(request: Request) -> Any:
        from starlette.concurrency import run_in_threadpool

        loopback(request)
        try:
            data = json.loads(await request.body() or b"{}")
            if not isinstance(data, dict):
                raise ValueError
            now = datetime.fromisoformat(data["now"]) if "now" in data else None
            advance = float(data["advance_seconds"]) if "advance_seconds" in data else None
        except (ValueError, TypeError, KeyError):
            raise ApiError(400, "bad_request", 'expected {"now": iso} or {"advance_seconds": N}') from None
        try:
            at = await run_in_threadpool(svc.clock.set, now, advance)
        except ClockError as exc:
            raise ApiError(400, "bad_request", str(exc)) from None
        return {"now": at.isoformat()}

    @api.delete("/api/v1/_faults/clock", include_in_schema=False)
    def real_clock(request: Request) -> Any:
        loopback(request)
        svc.clock.reset()
        return {"now": svc.clock.now().isoformat()}
