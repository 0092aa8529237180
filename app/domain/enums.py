"""The closed vocabularies of the domain. Values are stable wire/storage strings."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Escalation stage (from the seed article: SMS reminder → lawyer's letter → door visit → legal)."""

    REMINDER = "reminder"
    LEGAL_LETTER = "legal_letter"
    FIELD_VISIT = "field_visit"
    LEGAL_ACTION = "legal_action"
    AGENCY = "agency"
    CLOSED = "closed"


class CaseStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"  # dispute or hardship under review: collection stops
    PROMISED = "promised"  # an open promise to pay
    CLOSED = "closed"
    RETURNED = "returned"  # handed back to head office / reassigned


class Bucket(StrEnum):
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    M4_PLUS = "M4+"

    @classmethod
    def for_days(cls, days_past_due: int) -> Bucket:
        if days_past_due < 1:
            raise ValueError("a case in collection is at least one day past due")
        if days_past_due <= 30:
            return cls.M1
        if days_past_due <= 60:
            return cls.M2
        if days_past_due <= 90:
            return cls.M3
        return cls.M4_PLUS


class VisitTrigger(StrEnum):
    """Why a case may be escalated to a door visit. A field visit needs one recorded."""

    REPEATED_DELINQUENCY = "repeated_delinquency"
    EVADING_CONTACT = "evading_contact"
    SERIOUS_DEFAULT = "serious_default"  # asset transfer, forged signature


class Channel(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    SMS = "sms"
    LETTER = "letter"


class AddressKind(StrEnum):
    HOME = "home"
    WORK = "work"
    OTHER = "other"


class PhoneStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # number dead / not in service
    UNKNOWN = "unknown"


class PaymentMethod(StrEnum):
    """Designated repayment channels only: collectors never take cash into their own hands."""

    BANK_TRANSFER = "bank_transfer"
    PLATFORM_APP = "platform_app"
    ALIPAY_OFFICIAL = "alipay_official"
    WECHAT_OFFICIAL = "wechat_official"


class HardshipReason(StrEnum):
    UNEMPLOYMENT = "unemployment"
    ILLNESS = "illness"
    ACCIDENT = "accident"
    BEREAVEMENT = "bereavement"
    OTHER = "other"


class ReliefKind(StrEnum):
    DEFERRAL = "deferral"
    INSTALMENT_PLAN = "instalment_plan"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SafetyCategory(StrEnum):
    AGGRESSIVE = "aggressive"  # aggressive or threatening
    DOG = "dog"
    UNSAFE_AREA = "unsafe_area"
    HEALTH_HAZARD = "health_hazard"
    OTHER = "other"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"  # "severe": visits need an explicit acknowledgement

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ActKind(StrEnum):
    """An act the compliance engine judges before it happens."""

    CALL = "call"
    SMS = "sms"
    VISIT = "visit"
    THIRD_PARTY_CONTACT = "third_party_contact"
    LETTER = "letter"


class PromiseState(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
