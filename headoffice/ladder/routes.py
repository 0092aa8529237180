"""Routes under `/api/v1/ladder/` (wire models: app/contract/ladder.py); `register(api, svc)`.

Supervisors read and set their own team's policy and act on their team's cases; admins any team's
(`?team=`; left out: the company default) and any case. Agents: none of it (their laptops receive the
ladder with their cases).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Header, Path, Query

from app.contract.ladder import (
    PREFIX,
    LadderMoveRequest,
    LadderPolicyData,
    LadderPolicyResponse,
    LadderReasonRequest,
    LadderStanding,
    SeriousDefaultData,
    SeriousDefaultRequest,
)
from app.contract.v1 import ErrorResponse
from headoffice.models import Case
from headoffice.service import ApiError, Service, require

from . import holds
from .models import CaseLadder, SeriousDefault
from .policy import DEFAULT_SCOPE, LadderPolicyError, StoredPolicy, in_force, store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from headoffice.auth import Principal

MAX_ID = 2**31 - 1
Auth = Annotated[str | None, Header()]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Team = Annotated[str | None, Query(max_length=64)]
CONFLICT = {409: {"model": ErrorResponse, "description": "level_in_use, not_on_ladder, already_held, not_held, "
                                                        "same_level, no_policy or already_withdrawn"}}
STATUS = {"not_found": 404, "no_policy": 409, "not_on_ladder": 409, "already_held": 409, "not_held": 409,
          "same_level": 409, "already_withdrawn": 409, "no_trigger": 422, "unknown_level": 422,
          "invalid_reason": 422, "invalid_finding": 422, "unknown_attachment": 422}


def _standing(s: Session, case: Case) -> LadderStanding:
    row = s.get(CaseLadder, case.id)
    return LadderStanding(case_id=case.id, level=row.level if row else None, entered_on=row.entered_on if row else None,
                          held=bool(row and row.held), hold_reason=row.hold_reason if row else None,
                          held_by=row.held_by if row else None, stage=case.stage, trigger=case.trigger,
                          version=case.version)


def _finding(row: SeriousDefault) -> SeriousDefaultData:
    return SeriousDefaultData(id=row.id, case_id=row.case_id, finding=row.kind, note=row.note,
                              attachment_sha256=row.attachment_sha256, set_by=row.set_by, set_at=row.set_at,
                              withdrawn_at=row.withdrawn_at, withdrawn_by=row.withdrawn_by)


def _response(team: str, stored: StoredPolicy) -> LadderPolicyResponse:
    return LadderPolicyResponse(team=team, scope=stored.scope, inherited=stored.scope != team,
                                version=stored.version, policy_id=stored.id, set_by=stored.set_by,
                                set_at=stored.set_at, policy=stored.policy.as_json())


def register(api: FastAPI, svc: Service) -> None:
    def who(authorization: str | None) -> Principal:
        p = svc.principal(authorization)
        require(p, "supervisor", "admin")
        return p

    def scope_of(p: Principal, team: str | None) -> str:
        if p.user.role == "admin":
            return team or DEFAULT_SCOPE
        if not p.user.team:
            raise ApiError(403, "forbidden", "a supervisor without a team has no ladder policy to set")
        if team not in (None, "", p.user.team):
            raise ApiError(403, "forbidden", "a supervisor reads and sets only their own team's ladder policy")
        return p.user.team

    def case_of(s: Session, p: Principal, case_id: int) -> Case:
        case = s.get(Case, case_id)
        if case is None or (p.user.role == "supervisor" and case.team != p.user.team):
            raise ApiError(404, "not_found", "no such case in your scope")
        return case

    def failed(exc: holds.LadderCommandError) -> ApiError:
        return ApiError(STATUS.get(exc.code, 422), exc.code, exc.detail)

    @api.get(PREFIX + "/policy", response_model=LadderPolicyResponse, tags=["ladder"])
    def get_policy(team: Team = None, authorization: Auth = None) -> Any:
        """The policy in force for the team (its own, or the company default it inherits)."""
        p = who(authorization)
        scope = scope_of(p, team)
        with svc.db.read() as s:
            stored = in_force(s, scope)
        if stored is None:
            raise ApiError(404, "no_policy", "no ladder policy is set for this team, nor a company default")
        return _response(scope, stored)

    @api.put(PREFIX + "/policy", response_model=LadderPolicyResponse, tags=["ladder"], responses=CONFLICT)
    def put_policy(body: LadderPolicyData, team: Team = None, authorization: Auth = None) -> Any:
        """Store a new version of the team's policy (admins: `?team=`, or the company default). 422
        invalid_policy names every problem with where it is; 409 level_in_use while cases stand at a
        level it drops."""
        p = who(authorization)
        scope = scope_of(p, team)
        with svc.db.write() as s:
            try:
                stored = store(s, scope, body.as_policy_json(), actor=p.user.username, actor_id=p.user.id,
                               now=svc.clock.now(s))
            except LadderPolicyError as exc:
                raise ApiError(409 if exc.code == "level_in_use" else 422, exc.code, exc.detail) from None
        return _response(scope, stored)

    @api.post(PREFIX + "/cases/{case_id}/hold", response_model=LadderStanding, tags=["ladder"], responses=CONFLICT)
    def hold_case(case_id: Id, body: LadderReasonRequest, authorization: Auth = None) -> Any:
        """Keep the case at its level (the daily run skips it as held) until released."""
        p = who(authorization)
        with svc.db.write() as s:
            case = case_of(s, p, case_id)
            try:
                holds.hold(s, case_id, body.reason, p.user.username, "api", svc.clock.now(s))
            except holds.LadderCommandError as exc:
                raise failed(exc) from None
            return _standing(s, case)

    @api.post(PREFIX + "/cases/{case_id}/release", response_model=LadderStanding, tags=["ladder"], responses=CONFLICT)
    def release_case(case_id: Id, body: LadderReasonRequest, authorization: Auth = None) -> Any:
        p = who(authorization)
        with svc.db.write() as s:
            case = case_of(s, p, case_id)
            try:
                holds.release(s, case_id, body.reason, p.user.username, "api", svc.clock.now(s))
            except holds.LadderCommandError as exc:
                raise failed(exc) from None
            return _standing(s, case)

    @api.post(PREFIX + "/cases/{case_id}/move", response_model=LadderStanding, tags=["ladder"], responses=CONFLICT)
    def move_case(case_id: Id, body: LadderMoveRequest, authorization: Auth = None) -> Any:
        """Put the case at a level of its policy (up or down). Into a field-visit level only with a
        detected visit trigger or a finding of serious default (422 no_trigger)."""
        p = who(authorization)
        with svc.db.write() as s:
            case = case_of(s, p, case_id)
            try:
                holds.move(s, case_id, body.to_level, body.reason, p.user.username, "api", svc.clock.now(s),
                           svc.profile)
            except holds.LadderCommandError as exc:
                raise failed(exc) from None
            return _standing(s, case)

    @api.post(PREFIX + "/cases/{case_id}/serious-default", response_model=SeriousDefaultData, status_code=201,
              tags=["ladder"])
    def add_finding(case_id: Id, body: SeriousDefaultRequest, authorization: Auth = None) -> Any:
        """A finding of serious default (asset transfer, forged signature) with its uploaded document:
        evidence for the visit trigger serious_default."""
        p = who(authorization)
        with svc.db.write() as s:
            case_of(s, p, case_id)
            try:
                row = holds.set_serious_default(s, case_id, body.finding, body.note, body.attachment_sha256,
                                                p.user.username, svc.clock.now(s))
            except holds.LadderCommandError as exc:
                raise failed(exc) from None
            return _finding(row)

    @api.get(PREFIX + "/cases/{case_id}/serious-default", response_model=list[SeriousDefaultData],
             tags=["ladder"])
    def list_findings(case_id: Id, authorization: Auth = None) -> Any:
        from sqlalchemy import select

        p = who(authorization)
        with svc.db.read() as s:
            case_of(s, p, case_id)
            return [_finding(r) for r in s.scalars(select(SeriousDefault).where(SeriousDefault.case_id == case_id)
                                                   .order_by(SeriousDefault.id))]

    @api.post(PREFIX + "/cases/{case_id}/serious-default/{finding_id}/withdraw", response_model=SeriousDefaultData,
              tags=["ladder"], responses=CONFLICT)
    def withdraw_finding(case_id: Id, finding_id: Id, authorization: Auth = None) -> Any:
        p = who(authorization)
        with svc.db.write() as s:
            case_of(s, p, case_id)
            try:
                row = holds.withdraw_serious_default(s, case_id, finding_id, p.user.username, svc.clock.now(s))
            except holds.LadderCommandError as exc:
                raise failed(exc) from None
            return _finding(row)
