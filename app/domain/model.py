"""Domain entities. Plain dataclasses: the store maps rows to these and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .enums import (
    AddressKind,
    Bucket,
    CaseStatus,
    Channel,
    HardshipReason,
    PaymentMethod,
    PhoneStatus,
    ProposalStatus,
    ReliefKind,
    SafetyCategory,
    Severity,
    Stage,
    VisitTrigger,
)
from .money import Money
from .outcomes import OutcomeCode


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS-84 position. Validated: the world has no latitude 91."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0) or not (-180.0 <= self.lon <= 180.0):
            raise ValueError(f"impossible coordinates {self.lat}, {self.lon}")


@dataclass(slots=True)
class Phone:
    number: str  # E.164, e.g. +8613812345678
    label: str = "mobile"
    status: PhoneStatus = PhoneStatus.UNKNOWN
    id: int | None = None


@dataclass(slots=True)
class Address:
    kind: AddressKind
    text: str
    district: str = ""
    point: GeoPoint | None = None
    id: int | None = None


@dataclass(slots=True)
class EmergencyContact:
    """A third party. Restricted: only when the debtor is unreachable, never told of the debt."""

    name: str
    relation: str
    phone: str
    refused_contact: bool = False
    id: int | None = None


@dataclass(slots=True)
class Debtor:
    name: str
    id_number: str  # resident identity number; shown masked
    phones: list[Phone] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    contacts: list[EmergencyContact] = field(default_factory=list)
    id: int | None = None


@dataclass(slots=True)
class Account:
    """One loan in collection."""

    loan_no: str
    product: str
    principal: Money
    outstanding: Money
    overdue: Money
    days_past_due: int
    missed_instalments: int = 0
    last_payment_on: date | None = None
    id: int | None = None

    @property
    def bucket(self) -> Bucket:
        return Bucket.for_days(self.days_past_due)


@dataclass(slots=True)
class Case:
    case_no: str
    debtor: Debtor
    accounts: list[Account]
    stage: Stage = Stage.REMINDER
    status: CaseStatus = CaseStatus.OPEN
    trigger: VisitTrigger | None = None
    agent_id: int | None = None
    priority: float = 0.0
    version: int = 1
    id: int | None = None

    @property
    def overdue(self) -> Money:
        total = Money.zero()
        for account in self.accounts:
            total = total + account.overdue
        return total

    @property
    def days_past_due(self) -> int:
        return max((a.days_past_due for a in self.accounts), default=0)

    def can_enter_field_visit(self) -> bool:
        """A field visit needs a recorded trigger (seed article: repeated delinquency, evasion, serious default)."""
        return self.trigger is not None


@dataclass(slots=True)
class ContactAttempt:
    case_id: int
    channel: Channel
    at: datetime
    outcome: OutcomeCode
    agent_id: int | None = None
    phone: str | None = None
    to_third_party: bool = False
    answered: bool = False
    notes: str = ""
    position: GeoPoint | None = None
    recording_sha256: str | None = None
    no_recording_reason: str | None = None
    event_id: str | None = None
    id: int | None = None


@dataclass(slots=True)
class Payment:
    case_id: int
    amount: Money
    method: PaymentMethod
    receipt_no: str
    paid_at: datetime
    event_id: str | None = None
    id: int | None = None


@dataclass(slots=True)
class Promise:
    case_id: int
    amount: Money
    due: date
    made_at: datetime
    event_id: str | None = None
    id: int | None = None


@dataclass(slots=True)
class SafetyNote:
    category: SafetyCategory
    severity: Severity
    text: str
    reporter: str
    reported_at: datetime
    expires_at: datetime | None = None
    two_person_required: bool = False
    do_not_visit: bool = False
    debtor_id: int | None = None
    address_id: int | None = None
    supersedes: str | None = None  # the note (by uid) this version replaces
    uid: str = ""
    id: int | None = None

    def active_at(self, when: datetime) -> bool:
        return self.reported_at <= when and (self.expires_at is None or when < self.expires_at)


@dataclass(slots=True)
class ReliefProposal:
    case_id: int
    reason: HardshipReason
    kind: ReliefKind
    detail: str
    proposed_at: datetime
    status: ProposalStatus = ProposalStatus.PENDING
    decided_by: str | None = None
    decision_reason: str | None = None
    event_id: str | None = None
    id: int | None = None
