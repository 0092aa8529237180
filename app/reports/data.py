"""What each report is made of. The services fill these from the store; the builders print them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.money import Money


@dataclass(frozen=True, slots=True)
class SafetyLine:
    category: str
    severity: str  # low | medium | high
    text: str
    two_person_required: bool = False
    do_not_visit: bool = False
    reported_at: datetime | None = None
    reporter: str = ""


@dataclass(frozen=True, slots=True)
class Stop:
    seq: int
    case_no: str
    debtor_name: str
    address: str
    overdue: Money
    outstanding: Money | None = None
    lat: float | None = None
    lon: float | None = None
    planned_at: datetime | None = None
    promise_due: date | None = None
    promise_amount: Money | None = None
    last_outcome: str | None = None  # outcome code
    last_outcome_at: datetime | None = None
    days_past_due: int | None = None
    safety: tuple[SafetyLine, ...] = ()

    @property
    def do_not_visit(self) -> bool:
        return any(s.do_not_visit for s in self.safety)

    @property
    def two_person(self) -> bool:
        return any(s.two_person_required for s in self.safety)


@dataclass(frozen=True, slots=True)
class Rules:
    """The compliance reminders printed on a visit sheet (from the active profile)."""

    window_start: str = "08:00"
    window_end: str = "22:00"
    recording_required: bool = True
    min_collectors: int = 2


@dataclass(frozen=True, slots=True)
class DailySheet:
    day: date
    agent_name: str
    agent_username: str
    stops: tuple[Stop, ...]
    order: str = "priority"  # "plan" | "priority" | "plan_bad"
    start: tuple[float, float] | None = None  # (lat, lon) of the start point
    rules: Rules = field(default_factory=Rules)


@dataclass(frozen=True, slots=True)
class AccountLine:
    loan_no: str
    product: str
    principal: Money
    outstanding: Money
    overdue: Money
    days_past_due: int
    missed_instalments: int
    last_payment_on: date | None


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    kind: str  # outcome | payment | promise | safety_note | relief …
    title: str  # a vocabulary word (outcome code …) or free text
    detail: str = ""
    actor: str = ""
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    sha256: str
    what: str  # "recording", "photo", media type …
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ContactLine:
    name: str
    relation: str
    phone: str
    refused: bool = False


@dataclass(frozen=True, slots=True)
class CaseReport:
    case_no: str
    debtor_name: str
    id_number_masked: str
    phones_masked: tuple[str, ...]
    addresses: tuple[str, ...]
    stage: str
    status: str
    trigger: str | None
    paused_reason: str | None
    priority: float
    priority_reasons: tuple[str, ...]
    days_past_due: int
    bucket: str
    overdue: Money
    accounts: tuple[AccountLine, ...]
    agent_name: str
    timeline: tuple[TimelineItem, ...]
    evidence: tuple[Evidence, ...]
    safety: tuple[SafetyLine, ...] = ()
    contacts: tuple[ContactLine, ...] = ()
    generated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    payment_id: int
    receipt_no: str
    amount: Money
    method: str
    paid_at: datetime
    collector: str
    case_no: str
    payer_name: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class AgentFigures:
    username: str
    name: str
    cases_held: int = 0
    visits: int = 0
    attempts: int = 0
    right_party_contacts: int = 0
    promises_made: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    collected: Money = field(default_factory=Money.zero)


@dataclass(frozen=True, slots=True)
class TeamReport:
    team: str
    start: date
    end: date  # inclusive
    agents: tuple[AgentFigures, ...]
    safety: SafetyFigures | None = None  # safety at the door, from head office's daily safety reports

    @property
    def total(self) -> AgentFigures:
        a = self.agents
        collected = Money.zero()
        for x in a:
            collected = collected + x.collected
        return AgentFigures("", "", sum(x.cases_held for x in a), sum(x.visits for x in a),
                            sum(x.attempts for x in a), sum(x.right_party_contacts for x in a),
                            sum(x.promises_made for x in a), sum(x.promises_kept for x in a),
                            sum(x.promises_broken for x in a), collected)


@dataclass(frozen=True)
class SafetyAlarmLine:
    raised_at: datetime
    kind: str  # overdue | sos | duress | day_end
    level: str  # amber | red
    agent_name: str
    case_number: str | None
    acknowledged_by: str | None
    minutes_to_acknowledge: float | None
    outcome: str | None
    note: str | None


@dataclass(frozen=True)
class SafetyFigures:
    """The team's visit sessions and alarms over the report's period, as head office reported them day by day.
    `days_missing` days of the period had no report on this laptop (never fetched): said on the page."""

    sessions: int
    checked_out: int
    overdue_sessions: int
    alarms: tuple[SafetyAlarmLine, ...]
    days_missing: int = 0

    @property
    def median_minutes_to_acknowledge(self) -> float | None:
        waits = sorted(a.minutes_to_acknowledge for a in self.alarms if a.minutes_to_acknowledge is not None)
        if not waits:
            return None
        mid = len(waits) // 2
        return waits[mid] if len(waits) % 2 else (waits[mid - 1] + waits[mid]) / 2
