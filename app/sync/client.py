"""The head-office REST client (API v1) over httpx.

Every request carries the API version header; the bearer token is refreshed on a 401 (once) and
shortly before it expires. Transport errors and 'busy' answers (429/502/503/504) are retried with
full-jitter back-off, honouring Retry-After, until the policy's time budget is spent. Pushing the
same events again is safe: the server answers a replay with the stored result.

The server's `Date` header is compared with the client clock on every reply and the difference is
kept in `last_skew` (seconds, server minus client); nothing here orders by the client clock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.contract import v1
from app.domain.clock import utcnow

from .errors import AuthError, CursorGone, ProtocolError, ServerUnavailable, SyncError, UntrustedServer
from .retry import RETRYABLE_STATUS, RetryPolicy, parse_retry_after, wait
from .tokens import MemoryTokenStore, Tokens, TokenStore
from .transport import InsecureTransport, TransportSettings, check_server_url, ssl_context, tls_refusal

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
M = TypeVar("M", bound=BaseModel)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("error", "detail") if body.get(k)]
        if parts:
            return ": ".join(parts)[:300]
    return str(body)[:300]


class HeadOfficeClient:
    """One user's session with one head-office server."""

    def __init__(self, server: str, device_id: str, *, tokens: TokenStore | None = None,
                 retry: RetryPolicy | None = None, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None, verify: bool | str = True,
                 clock: Callable[[], datetime] = utcnow, cancel: threading.Event | None = None,
                 event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
                 tls: TransportSettings | None = None):
        # https:// only (http:// just to loopback); certificates verified, with the CA bundle and pins of `tls`.
        try:
            self.server = check_server_url(server.rstrip("/"), tls)
        except InsecureTransport as exc:
            raise UntrustedServer(str(exc)) from exc
        if verify is True or tls is not None:
            verify = ssl_context(tls)
        self.device_id = device_id
        self.tokens = tokens or MemoryTokenStore()
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.cancel = cancel
        self.username: str | None = None
        self.user: v1.UserInfo | None = None
        self.last_skew: float | None = None  # seconds, server clock minus client clock
        self.retries = 0  # how many times a request was retried (for reports)
        self._http = httpx.Client(base_url=self.server, timeout=timeout, transport=transport, verify=verify,
                                  headers={v1.API_HEADER: v1.API_VERSION, "Accept-Encoding": "gzip"},
                                  event_hooks=dict(event_hooks or {}))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HeadOfficeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- auth --------------------------------------------------------------------------------

    def login(self, username: str, password: str) -> v1.UserInfo:
        try:
            body = v1.TokenRequest(username=username, password=password, device_id=self.device_id)
        except ValidationError as exc:  # what head office would refuse with 422, said before sending
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise AuthError(f"cannot sign in: {where}: {first.get('msg', 'invalid')}") from None
        response = self._send("POST", "/auth/token", json=body.model_dump(), auth=False)
        if response.status_code in (400, 401, 403, 422, 423):
            raise AuthError(f"head office refused the sign-in: {_detail(response)}")
        token = self._parse(response, v1.TokenResponse)
        self.username = username
        self._remember(token)
        return token.user

    def use_session(self, username: str) -> bool:
        """Reuse tokens kept from an earlier sign-in; False if there are none."""
        self.username = username
        return self.tokens.load(self.server, username) is not None

    def refresh(self) -> None:
        saved = self._saved()
        body = v1.RefreshRequest(refresh_token=saved.refresh_token, device_id=self.device_id)
        response = self._send("POST", "/auth/refresh", json=body.model_dump(), auth=False)
        if response.status_code in (400, 401, 403, 422):
            self.tokens.clear(self.server, self.username or "")
            raise AuthError("the session at head office has ended; sign in again")
        self._remember(self._parse(response, v1.TokenResponse))

    def _remember(self, token: v1.TokenResponse) -> None:
        self.user = token.user
        expires = self.clock() + timedelta(seconds=max(0, token.expires_in))
        self.tokens.save(self.server, self.username or token.user.username,
                         Tokens(token.access_token, token.refresh_token, expires))

    def _saved(self) -> Tokens:
        saved = self.tokens.load(self.server, self.username or "") if self.username else None
        if saved is None:
            raise AuthError("not signed in to head office")
        return saved

    # --- API ---------------------------------------------------------------------------------

    def health(self) -> v1.HealthResponse:
        return self._parse(self._send("GET", "/health", auth=False), v1.HealthResponse)

    def push(self, events: Sequence[Mapping[str, Any]]) -> v1.PushResponse:
        response = self._call("POST", "/sync/events", json={"events": list(events)}, expect=(200, 422))
        if response.status_code == 422:
            # An id stored before with a different body fails the request, but the body still
            # carries every event's result; anything else unparseable is a whole-request refusal.
            try:
                return v1.PushResponse.model_validate_json(response.content)
            except ValidationError:
                raise ProtocolError(f"head office refused the upload: {_detail(response)}", 422) from None
        return self._parse(response, v1.PushResponse)

    def changes(self, cursor: str | None, limit: int) -> v1.ChangesResponse:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = self._call("GET", "/sync/changes", params=params, expect=(200, 410))
        if response.status_code == 410:
            raise CursorGone("head office no longer keeps changes that old; starting a full resync")
        return self._parse(response, v1.ChangesResponse)

    def me(self) -> v1.MeResponse | None:
        """The signed-in user and their standing partner as head office has them now; None from a
        head office that predates `GET /me` (404)."""
        response = self._call("GET", "/me", expect=(200, 404))
        if response.status_code == 404:
            return None
        return self._parse(response, v1.MeResponse)

    def agents(self) -> list[v1.AgentInfo]:
        response = self._call("GET", "/agents")
        try:
            return [v1.AgentInfo.model_validate(a) for a in response.json()]
        except (ValueError, TypeError, ValidationError) as exc:
            raise ProtocolError(f"unexpected agent list from head office: {exc}") from exc

    def assign_batch(self, items: Sequence[v1.AssignItem], reason: str = "") -> v1.AssignBatchResponse:
        """Assign/reassign/unassign up to MAX_ASSIGN_ITEMS cases in one head-office transaction. Each
        item carries the version the user saw; a conflict comes back with the case as it is now."""
        body = v1.AssignBatchRequest(items=list(items), reason=reason)
        return self._parse(self._call("POST", "/cases/assign", content=body.model_dump_json(),
                                      headers={"Content-Type": "application/json"}), v1.AssignBatchResponse)

    def approvals(self, status: str = "pending", offset: int = 0, limit: int = 200) -> v1.ApprovalListResponse:
        response = self._call("GET", "/approvals", params={"status": status, "offset": offset, "limit": limit})
        return self._parse(response, v1.ApprovalListResponse)

    def team_today(self, day: date | None = None) -> v1.TeamTodayResponse:
        params = {"day": day.isoformat()} if day is not None else {}
        return self._parse(self._call("GET", "/team/today", params=params), v1.TeamTodayResponse)

    def put_attachment(self, sha256: str, data: bytes, media_type: str) -> None:
        self._call("PUT", f"/attachments/{sha256}", content=data, headers={"Content-Type": media_type},
                   expect=(200, 201, 204))

    def get_attachment(self, sha256: str) -> bytes:
        return self._call("GET", f"/attachments/{sha256}").content

    # --- plumbing ----------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, expect: Sequence[int] = (200,), **kw: Any) -> httpx.Response:
        """An authenticated request: refresh early or on a 401 (once), then check the status."""
        saved = self._saved()
        if saved.expiring(self.clock()):
            self.refresh()
        response = self._send(method, path, **kw)
        if response.status_code == 401:
            self.refresh()
            response = self._send(method, path, **kw)
            if response.status_code == 401:
                raise AuthError("head office no longer accepts this session; sign in again")
        if response.status_code not in expect:
            raise ProtocolError(f"head office answered {response.status_code} to {method} {path}: "
                                f"{_detail(response)}", response.status_code)
        return response

    def _send(self, method: str, path: str, *, auth: bool = True, headers: Mapping[str, str] | None = None,
              **kw: Any) -> httpx.Response:
        """Send with retries on transport errors and busy answers; return the final response."""
        started = self.retry.monotonic()
        attempt = 0
        while True:
            hdrs = dict(headers or {})
            if auth:
                hdrs["Authorization"] = f"Bearer {self._saved().access_token}"
            sent = self.clock()
            t0 = time.monotonic()
            retry_after: float | None = None
            response: httpx.Response | None = None
            try:
                got = self._http.request(method, PREFIX + path, headers=hdrs, **kw)
            except httpx.TransportError as exc:
                refused = tls_refusal(exc)
                if refused is not None:  # not transient: retrying would only hide an interception
                    raise UntrustedServer(refused) from exc
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                self._note_skew(got, sent + timedelta(seconds=(time.monotonic() - t0) / 2))
                if got.status_code not in RETRYABLE_STATUS:
                    return got
                response = got
                retry_after = parse_retry_after(got.headers.get("Retry-After"))
                problem = f"HTTP {got.status_code}"
            elapsed = self.retry.monotonic() - started
            delay = self.retry.backoff(attempt, retry_after)
            if elapsed + delay > self.retry.budget:
                if response is not None and response.status_code not in (502, 503, 504):
                    return response
                raise ServerUnavailable(f"head office cannot be reached ({problem}); "
                                        "everything recorded stays queued on this laptop")
            log.info("%s %s: %s; retrying in %.2f s", method, path, problem, delay)
            self.retries += 1
            attempt += 1
            wait(delay, self.cancel)

    def _note_skew(self, response: httpx.Response, local_mid: datetime) -> None:
        header = response.headers.get("Date")
        if not header:
            return
        try:
            server_time = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        if server_time.tzinfo is None:
            return
        # The header has whole seconds: the server's instant lies in [t, t+1).
        self.last_skew = (server_time - local_mid).total_seconds() + 0.5

    @staticmethod
    def _parse(response: httpx.Response, model: type[M]) -> M:
        if response.status_code >= 400:
            raise ProtocolError(f"head office answered {response.status_code}: {_detail(response)}",
                                response.status_code)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(f"unexpected answer from head office ({model.__name__}): "
                                f"{exc.errors()[0].get('msg', exc)}") from exc


__all__ = ["HeadOfficeClient", "SyncError"]
