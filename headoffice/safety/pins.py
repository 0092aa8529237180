"""The agent's safety PIN and duress PIN: argon2id hashes only. A check-out verifies the PIN against
BOTH hashes, whichever matches, so the time it takes says nothing about which PIN was typed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from app.domain.safety import pins_problem
from headoffice.models import User
from headoffice.security import hash_password, verify_password

from .models import SafetyPins

PinKind = Literal["safety", "duress"]


class PinError(ValueError):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def set_pins(session: Session, user: User, safety_pin: str, duress_pin: str, now: datetime) -> SafetyPins:
    problems = pins_problem(safety_pin, duress_pin)
    if problems:
        name, problem = next(iter(problems.items()))
        raise PinError("invalid_pin", f"{name}: {problem}")
    for name, pin in (("safety_pin", safety_pin), ("duress_pin", duress_pin)):
        if verify_password(user.password_hash, pin):
            raise PinError("pin_is_password", f"{name}: a PIN must not be your login password")
    row = session.get(SafetyPins, user.id)
    if row is None:
        row = SafetyPins(user_id=user.id, safety_hash="", duress_hash="", set_at=now)
        session.add(row)
    row.safety_hash, row.duress_hash, row.set_at = hash_password(safety_pin), hash_password(duress_pin), now
    session.flush()
    return row


def check_pin(pins: SafetyPins, pin: str) -> PinKind | None:
    """Which PIN `pin` is, or None. Both hashes are always verified."""
    safety = verify_password(pins.safety_hash, pin)
    duress = verify_password(pins.duress_hash, pin)
    if safety:
        return "safety"
    if duress:
        return "duress"
    return None
