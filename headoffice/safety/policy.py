"""A team's safety policy: stored as versions (number, who, when); the newest counts, the domain's
default where none is stored. Checked by `SafetyPolicy.validated()`; contacts must be active users
of the team."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contract.safety import SafetyPolicyData
from app.domain.safety import PolicyInvalid, SafetyPolicy
from headoffice.models import User

from .models import SafetyPolicyVersion


class PolicyError(ValueError):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def load_policy(session: Session, team: str) -> SafetyPolicy:
    row = session.scalar(select(SafetyPolicyVersion).where(SafetyPolicyVersion.team == team)
                         .order_by(SafetyPolicyVersion.version.desc()).limit(1))
    if row is None:
        return SafetyPolicy()
    try:
        return SafetyPolicy.from_json(json.loads(row.data))
    except (ValueError, TypeError, PolicyInvalid):
        return SafetyPolicy()  # a stored version is validated when written; never let one stop the ladder


class PolicyCache:
    """Policies by team for one unit of work (a sweep pass reads each team's policy once)."""

    def __init__(self, session: Session):
        self.session = session
        self.known: dict[str, SafetyPolicy] = {}

    def __call__(self, team: str) -> SafetyPolicy:
        if team not in self.known:
            self.known[team] = load_policy(self.session, team)
        return self.known[team]


def policy_data(policy: SafetyPolicy) -> SafetyPolicyData:
    return SafetyPolicyData.model_validate(policy.as_json())


def store_policy(session: Session, team: str, data: SafetyPolicyData, actor: User, now: datetime) -> int:
    """Validate and store a new version of the team's policy; returns its version number."""
    raw = data.model_dump()
    raw["contacts"] = tuple(raw["contacts"])
    try:
        policy = SafetyPolicy(**raw).validated()
    except PolicyInvalid as exc:
        name, problem = next(iter(exc.errors.items()))
        raise PolicyError("invalid_policy", f"{name}: {problem}") from None
    if policy.contacts:
        found = set(session.scalars(select(User.id).where(User.id.in_(policy.contacts), User.team == team,
                                                          User.active.is_(True))))
        missing = [c for c in policy.contacts if c not in found]
        if missing:
            raise PolicyError("unknown_contact", f"contacts: user {missing[0]} is not an active user of the team")
    version = (session.scalar(select(func.max(SafetyPolicyVersion.version))
                              .where(SafetyPolicyVersion.team == team)) or 0) + 1
    session.add(SafetyPolicyVersion(team=team, version=version, data=json.dumps(policy.as_json()),
                                    set_by=actor.id, set_by_name=actor.username, set_at=now))
    session.flush()
    return version
