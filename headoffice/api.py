"""The FastAPI application: API v1 (see `app/contract/v1.py` for the wire schema).

Every endpoint authenticates and checks role and scope itself, server-side. Errors are a small
JSON body `{"error": code, "detail": text}`; never a stack trace or SQL. Endpoints are plain
functions (run in the thread pool) because the database layer is synchronous.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from app.contract.v1 import (
    API_HEADER,
    API_VERSION,
    MAX_EVENTS_PER_PUSH,
    AgentInfo,
    AssignConflict,
    AssignRequest,
    AssignResult,
    CaseListResponse,
    ChangesResponse,
    DecisionData,
    ErrorResponse,
    HealthResponse,
    PushRequest,
    PushResponse,
    RefreshRequest,
    TokenRequest,
    TokenResponse,
)
from app.domain.clock import utcnow
from app.domain.text_input import shown

from . import auth
from .auth import AuthError
from .casedata import case_data, case_summary, load_cases, to_json
from .changes import BadCursor, ChangeWriter, Cursor, CursorGone, check_cursor, meta, read_page
from .config import Settings
from .db import Database
from .faults import Faults
from .hardening import Hardening
from .ladder.models import CaseTrailItem
from .ladder.routes import register as register_ladder
from .letters.routes import register as register_letters
from .models import Attachment, Attempt, Case, CaseHolder, User
from .push import push
from .safety.jobs import lifespan as safety_lifespan
from .safety.routes import register as register_safety
from .service import ApiError, Service, require
from .sms.jobs import lifespan as sms_lifespan
from .sms.routes import register as register_sms
from .supervision import register as register_supervision

log = logging.getLogger("headoffice")
MAX_ID = 2**31 - 1


def _error(status: int, error: str, detail: str | None, headers: dict[str, str] | None = None,
           extra: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, **(extra or {})}, status_code=status, headers=headers)


# Every error reply is an ErrorResponse; the schema says so for every operation (a client, or a fuzzer,
# can check any reply against it). 500 is not listed: it is a bug.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text} for code, text in (
        (400, "malformed request (JSON, header, hash, cursor) or a value out of range"),
        (401, "no valid access token"), (403, "your role may not do this"),
        (404, "no such resource in your scope"), (410, "cursor too old: start a full resync"),
        (412, "version mismatch"), (413, "request too large"), (422, "invalid request"),
        (423, "account locked"), (428, "If-Match is required"), (429, "too many requests: see Retry-After"),
        (503, "busy or unavailable: retry after Retry-After"))}


def create_app(settings: Settings, db: Database | None = None) -> Any:
    svc = Service(settings, db or Database(settings.db_url))
    api = FastAPI(title="Doorstep head office", version=API_VERSION, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", responses=ERROR_RESPONSES,
                  lifespan=sms_lifespan(svc, safety_lifespan(svc)))
    api.state.service = svc

    @api.exception_handler(ApiError)
    def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.error, exc.detail, exc.headers, exc.extra)

    @api.exception_handler(RequestValidationError)
    def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error(400, "malformed_json", "the request body is not valid JSON")
        first = errors[0] if errors else {}
        # A location can hold a client's key: shown() keeps a hostile one writable in the reply.
        where = ".".join(shown(str(p)) for p in first.get("loc", ()) if p != "body")
        return _error(422, "invalid_request", f"{where}: {shown(str(first.get('msg', 'invalid')), 400)}"[:500])

    @api.exception_handler(StarletteHTTPException)
    def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail)[:200] if exc.status_code < 500 else None)

    @api.exception_handler(OperationalError)
    def _db_down(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", type(exc).__name__)
        return _error(503, "unavailable", "the database is busy or unavailable; try again", {"Retry-After": "2"})

    @api.exception_handler(IntegrityError)
    def _raced(_request: Request, exc: IntegrityError) -> JSONResponse:
        # Only reachable if two writers raced past the write lock: nothing was stored; retry.
        log.warning("integrity error (concurrent write): %s", type(exc.orig).__name__)
        return _error(503, "retry", "a concurrent change got there first; retry", {"Retry-After": "1"})

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        return _error(400, "bad_request", "a value is out of range")

    @api.exception_handler(Exception)
    def _crash(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return _error(500, "internal_error", "something went wrong on the server")

    # --- health and auth -----------------------------------------------------------------------

    @api.get("/api/v1/health", response_model=HealthResponse)
    def health() -> Any:
        try:
            with svc.db.read() as session:
                session.execute(text("SELECT 1"))
        except OperationalError:
            raise ApiError(503, "unavailable", "database unreachable", {"Retry-After": "5"}) from None
        return HealthResponse(status="ok", api_version=API_VERSION,
                              database="postgresql" if not svc.db.is_sqlite else "sqlite")

    @api.post("/api/v1/auth/token", response_model=TokenResponse)
    def token(body: TokenRequest) -> Any:
        result = auth.login(svc.db, settings, body, utcnow())
        if isinstance(result, AuthError):
            headers = {"Retry-After": str(result.retry_after)} if result.retry_after else None
            raise ApiError(result.status, result.code, result.detail, headers)
        return result

    @api.post("/api/v1/auth/refresh", response_model=TokenResponse)
    def refresh(body: RefreshRequest) -> Any:
        with svc.db.write() as session:
            result = auth.refresh(session, settings, body, utcnow())
        if isinstance(result, AuthError):
            raise ApiError(result.status, result.code, result.detail)
        return result

    # --- sync -----------------------------------------------------------------------------------

    push_schema = {"requestBody": {"required": True, "content": {"application/json": {
        "schema": PushRequest.model_json_schema()}}}}

    @api.post("/api/v1/sync/events", response_model=PushResponse, openapi_extra=push_schema,
              responses={422: {"model": PushResponse | ErrorResponse,
                               "description": "an event id was reused with another body (PushResponse), "
                                              "or the envelope is invalid"}})
    async def push_events(request: Request, authorization: Annotated[str | None, Header()] = None) -> Any:
        # The envelope is checked here by hand, not by a pydantic body: events are validated one
        # by one, so a malformed item (even a non-object) is rejected alone, never the batch.
        from starlette.concurrency import run_in_threadpool

        p = await run_in_threadpool(svc.principal, authorization)
        try:
            envelope = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested absurdly deep
            raise ApiError(400, "malformed_json", "the request body is not valid JSON") from None
        if not isinstance(envelope, dict) or set(envelope) != {"events"} or not isinstance(envelope["events"], list):
            raise ApiError(422, "invalid_request", 'expected {"events": [...]}')
        items = envelope["events"]
        if len(items) > MAX_EVENTS_PER_PUSH:
            raise ApiError(413, "too_many_events", f"at most {MAX_EVENTS_PER_PUSH} events per request")

        def work() -> Any:
            now = utcnow()
            with svc.db.write() as session:
                user = session.get(User, p.user.id)
                assert user is not None
                outcome = push(session, user, items, svc.profile, now, ChangeWriter(session, now))
                svc.after_write(session)
            return outcome

        outcome = await run_in_threadpool(work)
        response = PushResponse(results=outcome.results)
        if outcome.conflict:
            return JSONResponse(response.model_dump(mode="json"), status_code=422)
        return response

    @api.get("/api/v1/sync/changes", response_model=ChangesResponse)
    def changes(cursor: Annotated[str | None, Query(max_length=512)] = None,
                limit: Annotated[int, Query(ge=1, le=5000)] = 200,
                authorization: Annotated[str | None, Header()] = None) -> Any:
        p = svc.principal(authorization)
        limit = min(limit, settings.page_limit)
        now = utcnow()
        try:
            parsed = Cursor.decode(cursor) if cursor else None
        except BadCursor as exc:
            raise ApiError(400, "bad_cursor", str(exc)) from None
        with svc.db.read() as session:
            try:
                after = check_cursor(session, parsed)
            except CursorGone as exc:
                raise ApiError(410, "cursor_gone", f"{exc}; start again without a cursor (full resync)") from None
            rows, new_after, more = read_page(session, p.user, after, limit)
            epoch = meta(session, "epoch")
            out = _changes_out(session, p.user, rows, now)
        if p.user.last_sync_at is None or now - p.user.last_sync_at > timedelta(minutes=1):
            with svc.db.write() as session:
                user = session.get(User, p.user.id)
                if user is not None:
                    user.last_sync_at = now
        send_profile = parsed is None or parsed.profile != svc.profile_key
        page = {"changes": out, "next_cursor": Cursor(epoch, new_after, svc.profile_key).encode(), "has_more": more,
                "profile": svc.profile_json if send_profile else None, "server_time": now}
        # = ChangesResponse, serialised directly from plain data (see casedata.py).
        return Response(to_json(page), media_type="application/json")

    # --- attachments ----------------------------------------------------------------------------

    @api.put("/api/v1/attachments/{sha256}", status_code=201)
    async def put_attachment(sha256: str, request: Request,
                             authorization: Annotated[str | None, Header()] = None,
                             content_type: Annotated[str | None, Header()] = None) -> Any:
        from starlette.concurrency import run_in_threadpool

        _check_sha(sha256)
        p = await run_in_threadpool(svc.principal, authorization)
        data = await request.body()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ApiError(422, "hash_mismatch", "the body does not hash to the name it was sent under")

        def store() -> bool:
            with svc.db.write() as session:
                if session.get(Attachment, sha256) is not None:
                    return False
                session.add(Attachment(sha256=sha256, size=len(data), content_type=(content_type or
                                       "application/octet-stream")[:100], data=data, uploaded_by=p.user.id,
                                       created_at=utcnow()))
                return True

        created = await run_in_threadpool(store)
        return JSONResponse({"sha256": sha256, "size": len(data), "stored": created},
                            status_code=201 if created else 200)

    @api.get("/api/v1/attachments/{sha256}")
    def get_attachment(sha256: str, authorization: Annotated[str | None, Header()] = None) -> Any:
        _check_sha(sha256)
        p = svc.principal(authorization)
        with svc.db.read() as session:
            row = session.get(Attachment, sha256)
            if row is None or not _may_read_attachment(session, p.user, row):
                raise ApiError(404, "not_found", "no such attachment")
            return Response(row.data, media_type=row.content_type, headers={"ETag": f'"{sha256}"'})

    # --- supervisor reads and commands ----------------------------------------------------------

    @api.get("/api/v1/cases", response_model=CaseListResponse)
    def list_cases(offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                   agent_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None, status: Annotated[str | None, Query(max_length=16)] = None,
                   authorization: Annotated[str | None, Header()] = None) -> Any:
        p = svc.principal(authorization)
        require(p, "supervisor", "admin")
        q = select(Case)
        if p.user.role == "supervisor":
            q = q.where(Case.team == p.user.team)
        if agent_id is not None:
            q = q.where(Case.agent_id == agent_id)
        if status:
            q = q.where(Case.status == status)
        with svc.db.read() as session:
            total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = session.scalars(q.order_by(Case.id).offset(offset).limit(limit)).all()
            cases = [case_summary(c) for c in rows]
        nxt = offset + len(cases)
        return CaseListResponse(cases=cases, total=total, next_offset=nxt if nxt < total else None)

    @api.post("/api/v1/cases/{case_id}/assign", response_model=AssignResult,
              responses={412: {"model": AssignConflict, "description": "the case changed: its current state"}})
    def assign(case_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: AssignRequest, authorization: Annotated[str | None, Header()] = None,
               if_match: Annotated[str | None, Header()] = None) -> Any:
        p = svc.principal(authorization)
        require(p, "supervisor", "admin")
        if if_match is None:
            raise ApiError(428, "precondition_required", "send If-Match with the case version you saw")
        expected = _version(if_match)
        now = utcnow()
        with svc.db.write() as session:
            case = session.get(Case, case_id)
            if case is None or (p.user.role == "supervisor" and case.team != p.user.team):
                raise ApiError(404, "not_found", "no such case")
            if case.version != expected:
                raise ApiError(412, "version_mismatch",
                               f"the case is at version {case.version}, not {expected}",
                               {"ETag": f'"{case.version}"'},
                               {"case": case_summary(case).model_dump(mode="json")})  # = AssignConflict
            team = case.team
            if body.agent_id is not None:
                agent = session.get(User, body.agent_id) if 1 <= body.agent_id <= MAX_ID else None
                if agent is None or agent.role != "agent" or not agent.active or (
                        p.user.role == "supervisor" and agent.team != p.user.team):
                    raise ApiError(422, "unknown_agent", "no such agent in your team")
                team = agent.team
                if session.get(CaseHolder, (case.id, agent.id)) is None:
                    session.add(CaseHolder(case_id=case.id, user_id=agent.id))
            old_owner, old_team = case.agent_id, case.team
            case.agent_id = body.agent_id
            case.team = team
            case.version += 1
            case.updated_at = now
            ChangeWriter(session, now).case_changed(case.id, case.agent_id, case.team, old_owner, old_team)
            svc.after_write(session)
            result = AssignResult(case_id=case.id, agent_id=case.agent_id, version=case.version)
        return JSONResponse(result.model_dump(mode="json"), headers={"ETag": f'"{result.version}"'})

    @api.get("/api/v1/agents", response_model=list[AgentInfo])
    def agents(authorization: Annotated[str | None, Header()] = None) -> Any:
        p = svc.principal(authorization)
        require(p, "supervisor", "admin")
        q = select(User).where(User.active.is_(True))
        if p.user.role == "supervisor":
            q = q.where(User.team == p.user.team)
        with svc.db.read() as session:
            return [AgentInfo(id=u.id, username=u.username, display_name=u.display_name, role=u.role, team=u.team,
                              base_lat=u.base_lat, base_lon=u.base_lon, last_sync_at=u.last_sync_at)
                    for u in session.scalars(q.order_by(User.id))]

    register_supervision(api, svc)
    register_safety(api, svc)
    register_sms(api, svc)
    register_letters(api, svc)
    register_ladder(api, svc)

    app: Any = GZipMiddleware(api, minimum_size=1024, compresslevel=5)
    if settings.fault_hooks:
        app = Faults(app)
    app = Hardening(app, settings.max_body, settings.max_attachment, settings.login_rate, settings.verify_rate)
    return app


def _check_sha(sha256: str) -> None:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ApiError(400, "bad_hash", "attachments are named by their lower-case SHA-256")


def _version(if_match: str) -> int:
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit() or len(value) > 12:
        raise ApiError(400, "bad_if_match", "If-Match must carry the case version, e.g. \"3\"")
    return int(value)


def _may_read_attachment(session: Any, user: User, row: Attachment) -> bool:
    """Admins: all. Everyone: what they uploaded. Supervisors: what a person of their team uploaded
    (not head office's own "system" user, which stores the letters), and the files on the ladder trail
    of their team's cases. Agents: the recordings of their cases' attempts, and the files on the
    ladder trail (a lawyer's letter's PDF) of the cases they hold now."""
    if user.role == "admin" or row.uploaded_by == user.id:
        return True
    # A file on a case's ladder trail (a lawyer's letter's PDF) is the case's: its agent and its team's
    # supervisor may read it, whoever stored it.
    on_trail = select(CaseTrailItem.id).join(Case, Case.id == CaseTrailItem.case_id).where(
        CaseTrailItem.attachment_sha256 == row.sha256)
    if user.role == "supervisor":
        uploader = session.get(User, row.uploaded_by)
        if uploader is not None and uploader.role != "system" and uploader.team == user.team:
            return True
        return session.scalar(on_trail.where(Case.team == user.team).limit(1)) is not None
    owned = session.scalar(select(Attempt.id).join(Case, Case.id == Attempt.case_id).where(
        Attempt.recording_sha256 == row.sha256, Case.agent_id == user.id).limit(1))
    return owned is not None or session.scalar(on_trail.where(Case.agent_id == user.id).limit(1)) is not None


def _changes_out(session: Any, user: User, rows: Sequence[Any], now: datetime) -> list[dict[str, Any]]:
    """The page's changes as JSON objects of wire `Change`s (see casedata.py for why not models)."""
    upserts = [r.case_id for r in rows if r.kind == "case_upsert" and r.case_id is not None]
    loaded = load_cases(session, upserts)
    data = case_data(session, list(loaded.values()), now)
    out: list[dict[str, Any]] = []
    for r in rows:
        if r.kind == "case_upsert":
            case = loaded.get(r.case_id or -1)
            if case is None or (user.role == "agent" and case.agent_id != user.id) or (
                    user.role == "supervisor" and case.team != user.team):
                continue  # a later row of this snapshot covers it
            out.append({"seq": r.seq, "kind": "case_upsert", "case_id": case.id, "case": data[case.id]})
        elif r.kind == "case_removed":
            out.append({"seq": r.seq, "kind": "case_removed", "case_id": r.case_id, "reason": "reassigned"})
        elif r.kind == "event_status":
            d = json.loads(r.data or "{}")
            out.append({"seq": r.seq, "kind": "event_status", "case_id": r.case_id, "event_id": r.event_id,
                        "event_status": str(d.get("event_status")), "reason": d.get("reason")})
        elif r.kind == "decision":
            decision = DecisionData.model_validate(json.loads(r.data or "{}"))
            out.append({"seq": r.seq, "kind": "decision", "case_id": r.case_id,
                        "decision": decision.model_dump(mode="json")})
    return out


__all__ = ["create_app", "API_HEADER"]
