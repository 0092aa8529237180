"""Ladder policies as stored versions: one scope per team ("" is the company default), the newest
version of a scope in force, a team without its own policy on the default.

A new version is checked by `app.domain.ladder.policy_from_dict` against the templates that exist
(the active SMS and letter template codes), and refused while cases stand at a level it drops (move
them first). It is stored as the checked policy's JSON, so what is shown is what runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.domain.ladder import LadderPolicy, PolicyError, policy_from_dict
from app.domain.text_input import text_problem
from headoffice.models import Case

from .models import CaseLadder, LadderPolicyVersion, LetterTemplate, SmsTemplate

DEFAULT_SCOPE = ""
MAX_SCOPE = 64


class LadderPolicyError(ValueError):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class StoredPolicy:
    id: int  # ladder_policies.id: what a case records as the version that moved it
    scope: str
    version: int
    policy: LadderPolicy
    set_by: str
    set_at: datetime


def check_scope(scope: str) -> str:
    problem = text_problem(scope, max_length=MAX_SCOPE)
    if problem is not None:
        raise LadderPolicyError("invalid_team", f"team {problem}")
    return scope


def known_templates(session: Session) -> dict[str, set[str]]:
    """The SMS and letter template codes a policy may name (those with an active version)."""
    return {"sms": set(session.scalars(select(SmsTemplate.code).where(SmsTemplate.active.is_(True)).distinct())),
            "letter": set(session.scalars(select(LetterTemplate.code).where(LetterTemplate.active.is_(True))
                                          .distinct()))}


def _stored(row: LadderPolicyVersion) -> StoredPolicy:
    # A stored version was checked when written; templates are not checked again (one may have been
    # retired since: the SMS and letter parts skip an action whose template is gone).
    return StoredPolicy(row.id, row.scope, row.version, policy_from_dict(json.loads(row.data)), row.set_by_name,
                        row.set_at)


def newest(session: Session, scope: str) -> StoredPolicy | None:
    row = session.scalar(select(LadderPolicyVersion).where(LadderPolicyVersion.scope == scope)
                         .order_by(LadderPolicyVersion.version.desc()).limit(1))
    return _stored(row) if row is not None else None


def in_force(session: Session, team: str) -> StoredPolicy | None:
    """The policy a team's cases run on: its own newest version, else the company default's."""
    return newest(session, team) or (newest(session, DEFAULT_SCOPE) if team != DEFAULT_SCOPE else None)


def all_in_force(session: Session) -> dict[str, StoredPolicy]:
    """The newest version of every scope (one query)."""
    latest = (select(LadderPolicyVersion.scope, func.max(LadderPolicyVersion.version).label("v"))
              .group_by(LadderPolicyVersion.scope).subquery())
    rows = session.scalars(select(LadderPolicyVersion).join(latest, and_(
        LadderPolicyVersion.scope == latest.c.scope, LadderPolicyVersion.version == latest.c.v)))
    return {r.scope: _stored(r) for r in rows}


def by_id(session: Session, ids: set[int]) -> dict[int, StoredPolicy]:
    if not ids:
        return {}
    return {r.id: _stored(r) for r in session.scalars(select(LadderPolicyVersion)
                                                       .where(LadderPolicyVersion.id.in_(sorted(ids))))}


def policy_for(policies: Mapping[str, StoredPolicy], team: str) -> StoredPolicy | None:
    return policies.get(team) or policies.get(DEFAULT_SCOPE)


def _cases_of_scope(session: Session, scope: str) -> Any:
    """A condition on Case: the cases whose policy is this scope's."""
    if scope != DEFAULT_SCOPE:
        return Case.team == scope
    own = select(LadderPolicyVersion.scope).where(LadderPolicyVersion.scope != DEFAULT_SCOPE).distinct()
    return Case.team.not_in(own)


def store(session: Session, scope: str, data: object, *, actor: str, actor_id: int | None,
          now: datetime) -> StoredPolicy:
    """Check and store a new version of the scope's policy (in the caller's write transaction).
    Raises LadderPolicyError: invalid_policy (every problem, with where it is), level_in_use."""
    check_scope(scope)
    try:
        policy = policy_from_dict(data, known_templates(session))
    except PolicyError as exc:
        raise LadderPolicyError("invalid_policy", str(exc)) from None
    codes = [lv.code for lv in policy.levels]
    in_use = session.execute(
        select(CaseLadder.level, func.count()).join(Case, Case.id == CaseLadder.case_id)
        .where(_cases_of_scope(session, scope), CaseLadder.level.not_in(codes))
        .group_by(CaseLadder.level).order_by(CaseLadder.level)).tuples().all()
    if in_use:
        shown = ", ".join(f"{level!r} ({n} case{'s' if n != 1 else ''})" for level, n in in_use[:5])
        raise LadderPolicyError("level_in_use", f"the policy drops levels cases stand at: {shown}; "
                                                "move those cases first")
    version = (session.scalar(select(func.max(LadderPolicyVersion.version))
                              .where(LadderPolicyVersion.scope == scope)) or 0) + 1
    row = LadderPolicyVersion(scope=scope, version=version, set_by=actor_id, set_by_name=actor[:200], set_at=now,
                              data=json.dumps(policy.as_json(), ensure_ascii=False, sort_keys=True))
    session.add(row)
    session.flush()
    return StoredPolicy(row.id, scope, version, policy, row.set_by_name, now)
