"""The head-office client of safety at the door (`/api/v1/safety/…`, see app.contract.safety).

`SafetyApi` wraps a signed-in `HeadOfficeClient`: the same tokens, retries, back-off and TLS rules.
One method per route. Head office's refusals are raised as `SafetyRefused` (status, `error` code,
`detail`, and any further fields of the error body in `extra`) so the caller can tell a permanent
refusal (a 4xx: the command will never be accepted as sent) from head office being unreachable
(`ServerUnavailable`, the command stays queued) or a session that ended (`AuthError`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from app.contract import safety as s

from .client import PREFIX as API_PREFIX
from .client import HeadOfficeClient
from .errors import SyncError

M = TypeVar("M", bound=BaseModel)

BASE = s.PREFIX.removeprefix(API_PREFIX)  # "/safety": HeadOfficeClient adds /api/v1 itself
# The answers that are head office's word on this request (anything else is a protocol problem).
REFUSALS = (400, 403, 404, 409, 410, 412, 413, 422, 423)


class SafetyRefused(SyncError):
    """Head office refused a safety request; `code` is its `error` code, `detail` its text."""

    def __init__(self, status: int, code: str, detail: str, extra: dict[str, Any] | None = None):
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = dict(extra or {})


class WrongPin(SafetyRefused):
    """403 `wrong_pin`: the PIN matched neither of the agent's PINs at head office."""


class PinLocked(SafetyRefused):
    """423: too many wrong PINs on this session; head office's ladder goes on."""


class AlreadyAcknowledged(SafetyRefused):
    """409 on an acknowledge: someone else owns the alarm (`by_name`)."""

    @property
    def by_name(self) -> str | None:
        name = self.extra.get("acknowledged_by_name") or self.extra.get("by_name")
        return str(name) if name else None


def _refusal(response: httpx.Response, acknowledging: bool = False) -> SafetyRefused:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"error": "http_error", "detail": response.text[:300]}
    code = str(body.get("error") or "http_error")[:64]
    detail = str(body.get("detail") or code)[:500]
    extra = {k: v for k, v in body.items() if k not in ("error", "detail")}
    status = response.status_code
    if status == 403 and code == "wrong_pin":
        return WrongPin(status, code, detail, extra)
    if status == 423:
        return PinLocked(status, code, detail, extra)
    if status == 409 and acknowledging:
        return AlreadyAcknowledged(status, code, detail, extra)
    return SafetyRefused(status, code, detail, extra)


class SafetyApi:
    """The safety routes of one head office, over the user's signed-in client."""

    def __init__(self, client: HeadOfficeClient):
        self.client = client

    # --- the agent ---------------------------------------------------------------------------

    def put_pins(self, safety_pin: str, duress_pin: str) -> s.PinsResponse:
        body = s.PinsRequest(safety_pin=safety_pin, duress_pin=duress_pin)
        return self._json("PUT", "/pins", body, s.PinsResponse)

    def open_session(self, body: s.SessionOpenRequest) -> s.SessionOut:
        return self._json("POST", "/sessions", body, s.SessionOut)

    def current_session(self) -> s.SessionOut | None:
        """The agent's open session at head office, or None."""
        response = self._request("GET", "/sessions/current", expect=(200, 204, 404))
        if response.status_code == 404:
            refusal = _refusal(response)
            if refusal.code == "not_found":  # "you have no open session"
                return None
            raise refusal
        if response.status_code == 204 or response.content.strip() in (b"", b"null"):
            return None
        return self._model(response, s.SessionOut)

    def extend(self, session_id: int, body: s.ExtendRequest) -> s.SessionOut:
        return self._json("POST", f"/sessions/{int(session_id)}/extend", body, s.SessionOut)

    def check_out(self, session_id: int, body: s.CheckOutRequest) -> s.CheckOutResponse:
        return self._json("POST", f"/sessions/{int(session_id)}/check-out", body, s.CheckOutResponse)

    def sos(self, body: s.SosRequest) -> s.SosResponse:
        return self._json("POST", "/sos", body, s.SosResponse)

    def day_end(self, body: s.DayEndRequest) -> s.DayEndResponse:
        return self._json("POST", "/day-end", body, s.DayEndResponse)

    def me(self) -> s.SafetyMeResponse:
        return self._model(self._request("GET", "/me"), s.SafetyMeResponse)

    def notices(self, after: int = 0) -> s.NoticesResponse:
        return self._model(self._request("GET", "/notices", params={"after": max(0, int(after))}),
                           s.NoticesResponse)

    # --- the supervisor ----------------------------------------------------------------------

    def board(self, team: str | None = None) -> s.BoardResponse:
        params = {"team": team} if team else {}
        return self._model(self._request("GET", "/board", params=params), s.BoardResponse)

    def acknowledge(self, alarm_id: int) -> s.AlarmOut:
        response = self._request("POST", f"/alarms/{int(alarm_id)}/acknowledge", acknowledging=True)
        return self._model(response, s.AlarmOut)

    def resolve(self, alarm_id: int, outcome: str, note: str = "") -> s.AlarmOut:
        body = s.ResolveRequest.model_validate({"outcome": outcome, "note": note})
        return self._json("POST", f"/alarms/{int(alarm_id)}/resolve", body, s.AlarmOut)

    def get_policy(self, team: str | None = None) -> s.SafetyPolicyData:
        params = {"team": team} if team else {}
        return self._model(self._request("GET", "/policy", params=params), s.SafetyPolicyData)

    def put_policy(self, policy: s.SafetyPolicyData, team: str | None = None) -> s.SafetyPolicyData:
        params = {"team": team} if team else {}
        return self._json("PUT", "/policy", policy, s.SafetyPolicyData, params=params)

    def report(self, day: date | None = None, team: str | None = None) -> s.SafetyReportResponse:
        params: dict[str, str] = {}
        if day is not None:
            params["day"] = day.isoformat()
        if team:
            params["team"] = team
        return self._model(self._request("GET", "/report", params=params), s.SafetyReportResponse)

    # --- plumbing ----------------------------------------------------------------------------

    def _json(self, method: str, path: str, body: BaseModel, model: type[M], **kw: Any) -> M:
        response = self._request(method, path, content=body.model_dump_json(),
                                 headers={"Content-Type": "application/json"}, **kw)
        return self._model(response, model)

    def _request(self, method: str, path: str, *, expect: tuple[int, ...] = (200, 201),
                 acknowledging: bool = False, **kw: Any) -> httpx.Response:
        response = self.client._call(method, BASE + path, expect=tuple(expect) + REFUSALS, **kw)
        if response.status_code in REFUSALS and response.status_code not in expect:
            raise _refusal(response, acknowledging)
        return response

    def _model(self, response: httpx.Response, model: type[M]) -> M:
        return self.client._parse(response, model)


__all__ = ["SafetyApi", "SafetyRefused", "WrongPin", "PinLocked", "AlreadyAcknowledged"]
