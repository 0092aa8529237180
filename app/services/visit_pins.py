"""The agent's two PINs on the laptop: the safety PIN and the duress PIN (safety at the door).

Design (docs/security.md describes it from here):

* **Head office checks the PINs and decides.** It holds argon2id hashes of both PINs. A check-out
  carries the PIN the agent typed; head office alone tells the duress PIN from the safety PIN and
  raises the red duress alarm. The laptop never makes, stores or shows that decision.
* **Setting the PINs needs head office** (`set_pins`): `PUT /safety/pins` first (head office checks the
  pair, and that neither is the login secret), and only when it has accepted them does the laptop keep
  two argon2id verifiers, one per PIN, in random order and with no label. Nothing on the laptop says
  which verifier belongs to which PIN, so the laptop itself cannot tell the two apart, and neither can
  anyone holding it (nor its unlocked store).
* **A check-out always verifies the typed PIN against both verifiers** (same parameters, same work,
  no early exit), accepts it if either matches, closes the session locally in the same way, and queues
  `check-out` with the typed PIN for head office. Nothing written to the store, nor shown, differs
  between the two PINs, and the time taken does not depend on which one matched. The queued row holds
  the PIN (the store is encrypted at rest) only until head office has answered it; then the row goes.
* **A PIN matching neither is a wrong PIN**, counted on the session. After `MAX_WRONG_PINS` wrong PINs
  in a row the laptop refuses check-out for that session with the same words head office uses, and the
  session stays open, so head office's alarm ladder goes on.
* The verifiers cost an attacker one argon2id run per guess (19 MiB, t=2: OWASP's second profile), a
  4-6 digit PIN remains guessable offline by someone with the decrypted store; that is why head office,
  not the laptop, holds the decision, and why the store is encrypted with the login secret.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.store import models as m

MAX_WRONG_PINS = 5
# The words head office answers a check-out with after too many wrong PINs (423 pin_locked).
LOCKED_MESSAGE = "too many wrong PINs: your supervisor has been told"
WRONG_MESSAGE = "wrong PIN"

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


def make_verifiers(safety_pin: str, duress_pin: str) -> list[str]:
    """Two argon2id verifiers, one per PIN, in random order."""
    verifiers = [_HASHER.hash(safety_pin), _HASHER.hash(duress_pin)]
    if secrets.randbelow(2):
        verifiers.reverse()
    return verifiers


def store_verifiers(session: Session, verifiers: Sequence[str], now: datetime) -> None:
    """Replace the stored verifiers (random order kept: ids say nothing either)."""
    session.execute(delete(m.SafetyPinVerifier))
    for v in verifiers:
        session.add(m.SafetyPinVerifier(verifier=v, set_at=now))


def load_verifiers(session: Session) -> list[str]:
    return [str(v) for v in session.scalars(select(m.SafetyPinVerifier.verifier).order_by(m.SafetyPinVerifier.id))]


def matches_any(verifiers: Sequence[str], pin: str) -> bool:
    """Whether `pin` matches one of the verifiers. Every verifier is always checked (same work for
    either PIN, and for a wrong one); the answer does not say which matched."""
    matched = False
    for verifier in verifiers:
        ok: bool
        try:
            ok = bool(_HASHER.verify(verifier, pin))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        matched = matched or ok
    return matched
