"""API v1, safety at the door (issue #17): visit sessions, check-out with a PIN, SOS, the day's end,
the supervisor's board and the team's safety policy. Routes under `/api/v1/safety/`.

Conventions beyond those of `v1`:
* Every command an agent's laptop may have queued offline carries `client_ref` (a UUID made on the
  laptop when the agent acted): sending it again answers what the first answered and changes nothing.
  `*_at` fields of a command say when the agent acted (the laptop's clock); head office uses them
  only backwards (a session opened offline 20 minutes ago is due 20 minutes sooner), never forwards.
* A check-out with the duress PIN answers exactly what a check-out with the safety PIN answers
  (status, body, headers); `CheckOutResponse` carries nothing that could tell them apart. A wrong
  PIN answers 403 `wrong_pin` in both cases.
* Agents see their own sessions and notices; never an alarm. Supervisors see their team's board;
  admins every team's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from .v1 import DbId, PartnerInfo, Uuid, _Model, request_text

PREFIX = "/api/v1/safety"

Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,6}$")]
Minutes = Annotated[int, Field(ge=1, le=1440)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
AlarmLevel = Literal["amber", "red"]
AlarmKind = Literal["overdue", "sos", "duress", "day_end"]
AlarmState = Literal["raised", "acknowledged", "resolved"]
Resolution = Literal["agent_safe", "partner_reached", "police_called", "false_alarm"]
SessionState = Literal["open", "closed"]
DeliveryState = Literal["queued", "sent", "delivered", "failed"]
Channel = Literal["window", "sms", "webhook"]
ResolveNote = request_text(2000, multiline=True)


# --- the agent's commands ------------------------------------------------------------------------


class PinsRequest(_Model):
    """`PUT pins`: both PINs at once (4-6 digits, different from each other and from the login secret)."""

    safety_pin: Pin
    duress_pin: Pin


class PinsResponse(_Model):
    pins_set: bool = True
    set_at: datetime


class SessionOpenRequest(_Model):
    """`POST sessions`: the agent is at (or going into) this door for `planned_minutes`."""

    case_id: DbId
    planned_minutes: Minutes  # the team policy's min..max is checked by head office (422 out of range)
    partner_id: DbId | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    position_source: Literal["device", "case_address", "none"] = "none"
    client_ref: Uuid | None = None
    started_at: AwareDatetime | None = None  # when the agent started (queued offline); never later than now


class SessionOut(_Model):
    """One visit session as its agent (or the team's supervisor) sees it."""

    id: int
    agent_id: int
    agent_name: str
    case_id: int
    case_number: str
    address: str
    partner_id: int | None = None
    partner_name: str | None = None
    planned_minutes: int
    started_at: datetime
    due_at: datetime
    lat: float | None = None
    lon: float | None = None
    state: SessionState
    closed_at: datetime | None = None
    extended_minutes: int = 0


class ExtendRequest(_Model):
    """`POST sessions/{id}/extend`: add minutes to the planned end (the window offers +15 and +30)."""

    minutes: Minutes
    client_ref: Uuid | None = None


class CheckOutRequest(_Model):
    """`POST sessions/{id}/check-out`: the agent is out of the door and safe (or typed the duress PIN)."""

    pin: Pin
    client_ref: Uuid | None = None
    checked_out_at: AwareDatetime | None = None


class CheckOutResponse(_Model):
    """The same for the safety PIN and the duress PIN: no id, no time of the server, nothing else."""

    state: Literal["closed"] = "closed"
    checked_out_at: datetime  # when the agent checked out (the request's time, else head office's now)


class SosRequest(_Model):
    """`POST sos`: a red alarm at once."""

    session_id: DbId | None = None
    case_id: DbId | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    client_ref: Uuid | None = None
    raised_at: AwareDatetime | None = None


class SosResponse(_Model):
    received: Literal[True] = True
    received_at: datetime


class DayEndRequest(_Model):
    """`POST day-end`: the agent is back safe for the day (their local `day`, default today)."""

    day: date | None = None
    client_ref: Uuid | None = None
    at: AwareDatetime | None = None


class DayEndResponse(_Model):
    day: date
    closed_at: datetime


class Notice(_Model):
    """A message for the user's own window (`GET notices?after=`): the planned-end reminder, a red
    alarm of a colleague nearby (address and name only), or, for supervisors, an alarm to look at."""

    id: int
    kind: Literal["reminder", "nearby_alarm", "alarm", "info"]
    at: datetime
    title: str
    text: str
    session_id: int | None = None
    alarm_id: int | None = None  # only in notices to supervisors and contacts
    lat: float | None = None
    lon: float | None = None


class NoticesResponse(_Model):
    notices: list[Notice]
    last_id: int  # pass as `after` next time


class ContactInfo(_Model):
    """Someone an agent at a door can call: their partner and their supervisor(s)."""

    id: int
    display_name: str
    role: Literal["partner", "supervisor", "contact"]
    phone: str | None = None


class SafetyMeResponse(_Model):
    """`GET me`: what the laptop needs before a visit: the policy, the PINs' state, who to call, and
    the agent's open session (after a reinstall, or opened on another laptop)."""

    policy: SafetyPolicyData
    pins_set: bool
    contacts: list[ContactInfo]
    partner: PartnerInfo | None = None
    open_session: SessionOut | None = None
    day_closed: bool = False  # the agent said "back safe" today
    server_time: datetime


# --- the supervisor's board ----------------------------------------------------------------------


class DeliveryOut(_Model):
    id: int
    channel: Channel
    recipient_id: int | None = None
    recipient_name: str
    state: DeliveryState
    attempts: int
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    at: datetime  # queued at


class AlarmOut(_Model):
    id: int
    session_id: int | None = None
    level: AlarmLevel
    kind: AlarmKind
    raised_at: datetime
    state: AlarmState
    agent_id: int
    agent_name: str
    case_id: int | None = None
    case_number: str | None = None
    address: str | None = None
    partner_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    red_step: int = 0  # red steps fired so far (contacts alerted in order)
    acknowledged_by: int | None = None
    acknowledged_by_name: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by_name: str | None = None
    resolved_at: datetime | None = None
    outcome: Resolution | None = None
    note: str | None = None
    deliveries: list[DeliveryOut] = Field(default_factory=list)


class BoardSession(SessionOut):
    overdue: bool  # past due_at and still open
    seconds_left: int  # negative once overdue


class BoardResponse(_Model):
    team: str
    sessions: list[BoardSession]
    alarms: list[AlarmOut]  # open ones (raised, acknowledged) and those resolved in the last 12 hours
    server_time: datetime


class ResolveRequest(_Model):
    outcome: Resolution
    note: ResolveNote = ""


class SafetyPolicyData(_Model):
    """`GET/PUT policy` (supervisor, their team; an admin names the team with `?team=`)."""

    default_minutes: Annotated[int, Field(ge=1, le=1440)] = 45
    min_minutes: Annotated[int, Field(ge=1, le=120)] = 15
    max_minutes: Annotated[int, Field(ge=1, le=1440)] = 120
    hostile_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    grace_minutes: Annotated[int, Field(ge=0, le=1440)] = 10
    red_after_minutes: Annotated[int, Field(ge=0, le=1440)] = 10
    contacts: Annotated[list[DbId], Field(max_length=20)] = Field(default_factory=list)
    step_wait_minutes: Annotated[int, Field(ge=0, le=1440)] = 3
    nearby_km: Annotated[float, Field(ge=0, le=100)] = 2.0
    day_end: Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = "20:00"
    zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "Asia/Shanghai"


class SafetyReportAlarm(_Model):
    id: int
    kind: AlarmKind
    level: AlarmLevel
    agent_name: str
    case_number: str | None = None
    raised_at: datetime
    acknowledged_by_name: str | None = None
    minutes_to_acknowledge: float | None = None
    outcome: Resolution | None = None
    note: str | None = None


class SafetyReportResponse(_Model):
    """`GET report?day=`: the team's safety day for the team report."""

    team: str
    day: date
    sessions: int
    checked_out: int
    overdue_sessions: int
    alarms: list[SafetyReportAlarm]
    median_minutes_to_acknowledge: float | None = None


class SessionConflict(_Model):
    """409 of the session commands: `session_open` carries the agent's open session (the laptop's
    queued open must be cleared against it); `pins_not_set` and `session_closed` carry none."""

    error: str
    detail: str | None = None
    session: SessionOut | None = None


class AlarmConflict(_Model):
    """409 of acknowledge/resolve: someone else acknowledged first (`already_acknowledged`), or the
    alarm is resolved already; `alarm` shows who and when."""

    error: str
    detail: str | None = None
    alarm: AlarmOut


SafetyMeResponse.model_rebuild()

__all__ = [
    "PREFIX", "PinsRequest", "PinsResponse", "SessionOpenRequest", "SessionOut", "ExtendRequest", "CheckOutRequest",
    "CheckOutResponse", "SosRequest", "SosResponse", "DayEndRequest", "DayEndResponse", "Notice", "NoticesResponse",
    "ContactInfo", "SafetyMeResponse", "DeliveryOut", "AlarmOut", "BoardSession", "BoardResponse", "ResolveRequest",
    "SafetyPolicyData", "SafetyReportAlarm", "SafetyReportResponse", "SessionConflict", "AlarmConflict",
]
