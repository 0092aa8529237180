"""API v1 of the head-office REST interface.

Conventions:
* Every request and response carries the header `X-Doorstep-API: 1`; an unknown version gets 400.
* Times are aware ISO-8601 (UTC on the wire). Money is integer fen with a currency code.
* Field facts travel as events (append-only). An event's `id` (client UUID) is its idempotency key:
  pushing it again returns the stored result; the same id with a different body gets 422.
* Per-event results: `accepted` (stored now), `duplicate` (stored before; same result), `flagged`
  (stored, but a business rule needs a supervisor — e.g. the case moved to another agent), `rejected`
  (malformed; the client moves it to its dead-letter list). One bad event never fails the batch.
* Pull: `GET /api/v1/sync/changes?cursor=&limit=` returns changes after an opaque cursor, scoped to
  what the user may see; 410 Gone means the cursor is too old: start again with no cursor (full
  resync), keeping the outbox.
* Mutable case state changes through commands with `If-Match: <version>`; 412 on a version mismatch
  returns the current case so the client can show the conflict.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from app.domain.text_input import json_text_problem, text_problem

__all__ = [
    "API_HEADER", "API_VERSION", "EVENT_SCHEMA_VERSION", "MIN_EVENT_SCHEMA_VERSION", "MAX_EVENTS_PER_PUSH",
    "EVENT_KINDS", "TokenRequest", "RefreshRequest", "TokenResponse", "UserInfo", "EventIn", "PushRequest",
    "EventResult", "PushResponse", "PhoneData", "AddressData", "ContactData", "AccountData", "SafetyNoteData",
    "CaseData", "HistoryItemData", "TrailItemData", "TriggerData", "Change", "ChangesResponse", "AssignRequest", "AssignResult",
    "AgentInfo", "CaseSummary", "CaseListResponse", "AssignConflict", "HealthResponse", "ErrorResponse", "DecisionData",
    "MAX_ASSIGN_ITEMS", "DbId", "AssignItem", "AssignBatchRequest", "AssignItemResult", "AssignBatchResponse",
    "ApprovalSubject", "ApprovalStatus", "ApprovalItem", "ApprovalListResponse", "VisitPoint", "AgentDay",
    "TeamTodayResponse", "VisitPlannedPayload", "PartnerInfo", "MeResponse", "PairRequest", "PairResponse",
]

API_HEADER = "X-Doorstep-API"
API_VERSION = "1"
EVENT_SCHEMA_VERSION = 1
MIN_EVENT_SCHEMA_VERSION = 0  # the server accepts schema N and N-1
MAX_EVENTS_PER_PUSH = 500

# Kinds of field events the app writes. Server-side projection reads `payload` per kind.
# `visit_planned`: one per stop of a saved day plan, payload VisitPlannedPayload (the supervisor's
# planned-versus-done count per agent and day).
EVENT_KINDS = ("outcome", "safety_note", "safety_note_expired", "pii_revealed", "assign", "decision", "visit_planned")
MAX_ASSIGN_ITEMS = 1000

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
ShortText = Annotated[str, StringConstraints(max_length=200)]
MAX_PAYLOAD_TEXT = 20_000  # a string inside an event payload (= app.domain.validation.MAX_TEXT)


# --- text of request bodies ---------------------------------------------------------------------
# Every text field a client sends is checked by the one rule of app/domain/text_input.py: a lone
# surrogate, NUL, another control character (tab and line breaks only where the field is multi-line),
# a bidirectional control or too many characters is a 422 naming the field, never a database error.
# The check runs before pydantic's own string validation, so a lone surrogate gets these words too.


def _checked_text(max_length: int, multiline: bool) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            problem = text_problem(value, max_length=max_length, multiline=multiline)
            if problem is not None:
                raise PydanticCustomError("text_input", "{problem}", {"problem": problem})
        return value

    return BeforeValidator(check)


def request_text(max_length: int, *, min_length: int = 0, multiline: bool = False) -> Any:
    """The type of a text field in a request body (name it once, `Username = request_text(64)`, and
    annotate fields with the name)."""
    return Annotated[str, _checked_text(max_length, multiline),
                     StringConstraints(min_length=min_length, max_length=max_length)]


def _check_json_texts(value: dict[str, Any]) -> dict[str, Any]:
    found = json_text_problem(value, max_length=MAX_PAYLOAD_TEXT)
    if found is not None:
        path, problem = found
        raise PydanticCustomError("text_input", "{where}{problem}",
                                  {"where": f"{path} " if path else "", "problem": problem})
    return value


# A JSON object from a client: every key one line of at most 64 characters, every string at most
# MAX_PAYLOAD_TEXT characters (line breaks allowed), nested at most MAX_DEPTH levels.
JsonObject = Annotated[dict[str, Any], AfterValidator(_check_json_texts)]
Username = request_text(64, min_length=1)
EventKind = request_text(32, min_length=1)
RefreshToken = request_text(4096, min_length=16)
Reason = request_text(500)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- auth --------------------------------------------------------------------------------------


class TokenRequest(_Model):
    username: Username
    # Only hashed, never stored or shown: any characters a string can hold (pydantic refuses lone surrogates).
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    device_id: Uuid


class RefreshRequest(_Model):
    refresh_token: RefreshToken
    device_id: Uuid


class UserInfo(_Model):
    id: int
    username: str
    display_name: str
    role: Literal["agent", "supervisor", "admin"]
    team: str


class PartnerInfo(_Model):
    """A standing partner: the second collector an agent goes with to visits that need two."""

    id: int
    username: str
    display_name: str


class MeResponse(_Model):
    """`GET /api/v1/me`: the signed-in user as head office has them now (read on every sync)."""

    user: UserInfo
    partner: PartnerInfo | None = None


class TokenResponse(_Model):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds
    user: UserInfo


# --- push ---------------------------------------------------------------------------------------


class EventIn(_Model):
    id: Uuid
    device_id: Uuid
    device_seq: Annotated[int, Field(ge=1)]
    case_id: int
    case_version: Annotated[int, Field(ge=0)]
    kind: EventKind
    payload: JsonObject
    occurred_at: AwareDatetime
    schema_version: int
    replaces: Uuid | None = None


class PushRequest(_Model):
    events: Annotated[list[dict[str, Any]], Field(max_length=MAX_EVENTS_PER_PUSH)]
    # Events travel as raw objects so one malformed event is rejected alone (validated per item
    # against EventIn by the server) instead of failing the whole batch with a 422.


class EventResult(_Model):
    id: str
    status: Literal["accepted", "duplicate", "flagged", "rejected"]
    server_seq: int | None = None
    flag_reason: str | None = None
    error: str | None = None


class PushResponse(_Model):
    results: list[EventResult]


# --- pull ---------------------------------------------------------------------------------------


class PhoneData(_Model):
    id: int
    number: str
    label: str = "mobile"
    status: Literal["valid", "invalid", "unknown"] = "unknown"


class AddressData(_Model):
    id: int
    kind: Literal["home", "work", "other"]
    text: str
    district: str = ""
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class ContactData(_Model):
    id: int
    name: str
    relation: str
    phone: str
    refused_contact: bool = False


class AccountData(_Model):
    id: int
    loan_no: str
    product: str
    principal_fen: Annotated[int, Field(ge=0)]
    outstanding_fen: Annotated[int, Field(ge=0)]
    overdue_fen: Annotated[int, Field(ge=0)]
    currency: str = "CNY"
    days_past_due: Annotated[int, Field(ge=0)]
    missed_instalments: int = 0
    last_payment_on: date | None = None


class SafetyNoteData(_Model):
    uid: str
    category: str
    severity: Literal["low", "medium", "high"]
    text: str
    reporter: str
    reported_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    two_person_required: bool = False
    do_not_visit: bool = False
    supersedes: str | None = None


class HistoryItemData(_Model):
    """A past attempt/outcome on the case recorded by anyone (for the timeline and compliance caps)."""

    event_id: str | None = None
    channel: str
    at: AwareDatetime
    outcome: str
    answered: bool = False
    right_party: bool = False
    to_third_party: bool = False
    phone: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class DecisionData(_Model):
    """A supervisor's decision on a relief proposal, override or flagged event."""

    subject: Literal["relief", "override", "flagged_event"]
    subject_id: str
    approved: bool
    reason: str
    decided_by: str
    decided_at: AwareDatetime


class TrailItemData(_Model):
    """One step of the escalation ladder on the case's timeline (head office's `case_trail`).

    kind and data (head office writes them; the laptop words them itself and edits none of it):
      level    {"from": level|None, "to": level, "stage": Stage, "via": "run"|"api"|"cli",
                "rule": {"kind": ..., "value": n, "threshold": n}|None, "reason": text}
      trigger  {"trigger": VisitTrigger, "facts": [...] (as TriggerData.facts)}
      sms      {"state": "queued"|"sent"|"delivered"|"failed"|"skipped"|"undelivered", "template": code,
                "number": masked number, "scheduled_at": ISO time, "text": the body as sent, "why": reason}
      letter   {"state": "made"|"mailed"|"returned", "firm": name, "code": verification code,
                "deadline": ISO date, "tracking_no": text|None}  (attachment_sha256: the letter's PDF)
      hold     {"reason": text, "by": name}     release  {"reason": text, "by": name}
    """

    id: int
    at: AwareDatetime
    kind: Literal["level", "trigger", "sms", "letter", "hold", "release"]
    data: dict[str, Any] = Field(default_factory=dict)
    attachment_sha256: str | None = None


class TriggerData(_Model):
    """Why this case is at a door: the visit trigger head office detected and the facts that show it.

    facts: each {"kind": "broken_promise", "due": date, "amount_fen": n} | {"kind": "episode",
    "started_on": date} | {"kind": "attempt", "at": time, "channel": c, "outcome": o} |
    {"kind": "dead_number", "number": masked} | {"kind": "document", "sha256": h, "note": text,
    "finding": "asset_transfer"|"forged_signature"|"other"}; thresholds: the policy's figures it met.
    """

    trigger: str  # VisitTrigger
    detected_on: date
    facts: list[dict[str, Any]] = Field(default_factory=list)
    thresholds: dict[str, int] = Field(default_factory=dict)


class CaseData(_Model):
    id: int
    case_no: str
    agent_id: int | None
    stage: str
    status: str
    trigger: str | None = None
    paused_reason: str | None = None
    version: int
    debtor_id: int
    debtor_name: str
    id_number: str
    phones: list[PhoneData] = Field(default_factory=list)
    addresses: list[AddressData] = Field(default_factory=list)
    contacts: list[ContactData] = Field(default_factory=list)
    accounts: list[AccountData] = Field(default_factory=list)
    safety_notes: list[SafetyNoteData] = Field(default_factory=list)
    history: list[HistoryItemData] = Field(default_factory=list)
    # The escalation ladder (head office runs it; the laptop only shows it).
    ladder_level: str | None = None
    trigger_why: TriggerData | None = None
    ladder: list[TrailItemData] = Field(default_factory=list)


class Change(_Model):
    seq: int
    kind: Literal["case_upsert", "case_removed", "decision", "event_status", "profile"]
    case_id: int | None = None
    case: CaseData | None = None
    decision: DecisionData | None = None
    event_id: str | None = None
    event_status: str | None = None
    reason: str | None = None


class ChangesResponse(_Model):
    changes: list[Change]
    next_cursor: str
    has_more: bool
    profile: dict[str, Any] | None = None  # the compliance profile in force (DESIGN §4)
    server_time: AwareDatetime


# --- commands and supervisor reads -----------------------------------------------------------------


class AssignRequest(_Model):
    agent_id: int | None  # None: back to the unassigned queue


class AssignResult(_Model):
    case_id: int
    agent_id: int | None
    version: int


class AgentInfo(_Model):
    id: int
    username: str
    display_name: str
    role: str
    team: str
    base_lat: float | None = None
    base_lon: float | None = None
    last_sync_at: datetime | None = None


class CaseSummary(_Model):
    id: int
    case_no: str
    agent_id: int | None
    district: str
    stage: str
    status: str
    overdue_fen: int
    days_past_due: int
    version: int
    lat: float | None = None
    lon: float | None = None


class CaseListResponse(_Model):
    cases: list[CaseSummary]
    total: int
    next_offset: int | None


class AssignConflict(_Model):
    """Body of 412 Precondition Failed on POST /cases/{id}/assign: the case as it is now (its version is
    also in the ETag header). 428 answers a command sent without If-Match."""

    error: str
    detail: str | None = None
    case: CaseSummary


class HealthResponse(_Model):
    status: Literal["ok"]
    api_version: str
    database: str


class ErrorResponse(_Model):
    error: str
    detail: str | None = None


# --- supervisor workspace ----------------------------------------------------------------------------

# A database id: positive and inside a 32-bit INTEGER column (PostgreSQL), so an out-of-range id is a 422,
# never a database error.
DbId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class PairRequest(_Model):
    """Body of PUT /api/v1/agents/{agent_id}/partner: the standing partner, or null to clear the pair."""

    partner_id: DbId | None


class PairResponse(_Model):
    agent_id: int
    partner: PartnerInfo | None


class AssignItem(_Model):
    case_id: DbId
    version: Annotated[int, Field(ge=0, le=2_147_483_647)]  # plays the role of If-Match for this case
    agent_id: DbId | None  # None: back to the unassigned queue


class AssignBatchRequest(_Model):
    """Body of POST /api/v1/cases/assign: every item in one transaction; a conflicting item never
    overwrites and the other items still apply."""

    items: Annotated[list[AssignItem], Field(min_length=1, max_length=MAX_ASSIGN_ITEMS)]
    reason: Reason = ""


class AssignItemResult(_Model):
    case_id: int
    status: Literal["assigned", "conflict", "not_found", "unknown_agent"]
    version: int | None = None  # the case's version after the request (assigned, conflict)
    agent_id: int | None = None  # the case's agent after the request (assigned, conflict)
    current: CaseSummary | None = None  # conflict: the case as it is now


class AssignBatchResponse(_Model):
    results: list[AssignItemResult]  # one per request item, in request order


ApprovalSubject = Literal["relief", "override", "flagged_event"]
ApprovalStatus = Literal["pending", "approved", "rejected"]


class ApprovalItem(_Model):
    """Something waiting for (or given) a supervisor's decision. relief: subject_id is the relief
    proposal's uid as the app knows it; override and flagged_event: subject_id is the event id."""

    subject: ApprovalSubject
    subject_id: str
    case_id: int
    case_no: str
    agent_id: int | None
    agent_username: str | None
    created_at: datetime
    summary: str
    details: dict[str, Any] = Field(default_factory=dict)
    status: ApprovalStatus
    decided_by: str | None = None
    decision_reason: str | None = None


class ApprovalListResponse(_Model):
    items: list[ApprovalItem]
    total: int
    next_offset: int | None


class VisitPoint(_Model):
    """A door visit on the day (an outcome with channel `visit`). Whereabouts are sensitive personal
    information (PIPL Art. 28): only the agent's own team supervisor (or an admin) receives them."""

    case_id: int
    lat: float | None = None
    lon: float | None = None
    at: datetime
    outcome: str


class AgentDay(_Model):
    agent_id: int
    username: str
    display_name: str
    last_sync_at: datetime | None = None
    planned_visits: int = 0
    done_visits: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)
    promises_due: int = 0
    collected_fen: int = 0
    safety_events: int = 0
    flagged: int = 0
    visits: list[VisitPoint] = Field(default_factory=list)


class TeamTodayResponse(_Model):
    day: date
    agents: list[AgentDay]


class VisitPlannedPayload(_Model):
    """Payload of a `visit_planned` event: the case is stop `position` (1-based) of the agent's saved
    plan for `day` (Asia/Shanghai). A later save of the same day's plan replaces the earlier one."""

    day: date
    position: Annotated[int, Field(ge=1, le=10_000)]
    plan_id: str | None = None  # the saved plan's identity; the latest plan per agent and day counts
