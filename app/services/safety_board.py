"""The supervisor's safety board (safety at the door): what head office says now, nothing kept here.

Every call is one request to head office (run it in the background): the team's open sessions and
alarms, acknowledging an alarm (one owner: someone else's acknowledgement is `AlreadyAcknowledged`
with their name), resolving it, the day's safety report, and the team's policy.
"""

from __future__ import annotations

from datetime import date

from app.contract import safety as wire
from app.domain.safety import PolicyInvalid, SafetyPolicy
from app.sync.safety_client import AlreadyAcknowledged as _Refused409
from app.sync.safety_client import SafetyApi, SafetyRefused


class AlreadyAcknowledged(Exception):
    """Someone else acknowledged the alarm first; `by_name` says who (when head office says)."""

    def __init__(self, by_name: str | None, detail: str = ""):
        who = by_name or "another supervisor"
        super().__init__(f"{who} has already acknowledged this alarm" + (f" ({detail})" if detail else ""))
        self.by_name = by_name


def board(api: SafetyApi, team: str | None = None) -> wire.BoardResponse:
    return api.board(team)


def acknowledge(api: SafetyApi, alarm_id: int) -> wire.AlarmOut:
    """Take the alarm on; raises AlreadyAcknowledged when another supervisor or contact owns it."""
    try:
        return api.acknowledge(alarm_id)
    except _Refused409 as exc:
        name = exc.by_name
        alarm = exc.extra.get("alarm")
        if name is None and isinstance(alarm, dict) and alarm.get("acknowledged_by_name"):
            name = str(alarm["acknowledged_by_name"])
        raise AlreadyAcknowledged(name, exc.detail) from exc


def resolve(api: SafetyApi, alarm_id: int, outcome: str, note: str = "") -> wire.AlarmOut:
    """Close the alarm with what happened (`agent_safe`, `partner_reached`, `police_called`, `false_alarm`)."""
    return api.resolve(alarm_id, outcome, note)


def report(api: SafetyApi, day: date | None = None, team: str | None = None) -> wire.SafetyReportResponse:
    return api.report(day, team)


def get_policy(api: SafetyApi, team: str | None = None) -> SafetyPolicy:
    return SafetyPolicy.from_json(api.get_policy(team).model_dump())


def put_policy(api: SafetyApi, policy: SafetyPolicy, team: str | None = None) -> SafetyPolicy:
    """Save the team's policy at head office; PolicyInvalid (with `.errors` per field) before sending a bad one,
    or from head office's 422."""
    data = wire.SafetyPolicyData.model_validate(policy.validated().as_json())
    try:
        saved = api.put_policy(data, team)
    except SafetyRefused as exc:
        if exc.status == 422:
            raise PolicyInvalid({"policy": exc.detail}) from exc
        raise
    return SafetyPolicy.from_json(saved.model_dump())


__all__ = ["AlreadyAcknowledged", "board", "acknowledge", "resolve", "report", "get_policy", "put_policy"]
