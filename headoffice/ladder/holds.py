"""A person's hand on the ladder: hold a case at its level, release it, move it (up or down, one or
more levels), and findings of serious default with their document. Each runs in the caller's write
transaction and is audited: a `ladder_transitions` row (kind hold | release | move, via api | cli, the
actor and the reason) and a trail item the laptop shows, then `announce`.

A move into a field-visit level still needs a visit trigger head office detects from the case's facts,
or a standing finding of serious default (`app.domain.ladder.check_move`): a person cannot type one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import local_day
from app.domain.compliance import Profile
from app.domain.ladder import MoveRefused, check_move
from app.domain.text_input import text_problem
from headoffice.models import Attachment, Case

from .facts import Window, gather
from .models import CaseLadder, LadderTransition, SeriousDefault
from .policy import in_force
from .run import Entered, record_entries, set_case_stage, trigger_after, window_of
from .trail import add_trail, announce

MAX_REASON = 500
MAX_NOTE = 2000
FINDINGS = ("asset_transfer", "forged_signature", "other")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class LadderCommandError(ValueError):
    """code: not_found | not_on_ladder | already_held | not_held | no_policy | unknown_level | same_level |
    no_trigger | invalid_reason | invalid_finding | unknown_attachment | already_withdrawn"""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class MoveResult:
    case_id: int
    from_level: str | None
    to_level: str
    stage: str
    trigger: str | None
    version: int


def _reason(text: str, what: str = "reason") -> str:
    value = text.strip()
    if not value:
        raise LadderCommandError("invalid_reason", f"{what}: say why (a supervisor's {what} is audited)")
    problem = text_problem(value, max_length=MAX_REASON if what == "reason" else MAX_NOTE,
                           multiline=what != "reason")
    if problem is not None:
        raise LadderCommandError("invalid_reason", f"{what} {problem}")
    return value


def _case(s: Session, case_id: int) -> Case:
    case = s.get(Case, case_id)
    if case is None:
        raise LadderCommandError("not_found", "no such case")
    return case


def _standing(s: Session, case_id: int) -> CaseLadder:
    row = s.get(CaseLadder, case_id)
    if row is None:
        raise LadderCommandError("not_on_ladder", "the case is not on the ladder yet (the daily run places it, "
                                                  "or move it to a level)")
    return row


def _audit(s: Session, case_id: int, kind: str, via: str, level: str | None, actor: str, reason: str,
           now: datetime, policy_id: int | None) -> None:
    s.add(LadderTransition(case_id=case_id, kind=kind, via=via, run_on=None, at=now, from_level=level,
                           to_level=level, policy_id=policy_id, rule="{}", actor=actor, reason=reason))


def hold(s: Session, case_id: int, reason: str, actor: str, via: str, now: datetime) -> CaseLadder:
    """Keep the case at its level: the run skips it (counted as held) until it is released."""
    why = _reason(reason)
    _case(s, case_id)
    row = _standing(s, case_id)
    if row.held:
        raise LadderCommandError("already_held", f"the case is already held (by {row.held_by}: {row.hold_reason})")
    row.held, row.hold_reason, row.held_by = True, why, actor
    _audit(s, case_id, "hold", via, row.level, actor, why, now, row.policy_id)
    add_trail(s, case_id, "hold", {"reason": why, "by": actor}, now)
    announce(s, now, [case_id])
    return row


def release(s: Session, case_id: int, reason: str, actor: str, via: str, now: datetime) -> CaseLadder:
    why = _reason(reason)
    _case(s, case_id)
    row = _standing(s, case_id)
    if not row.held:
        raise LadderCommandError("not_held", "the case is not held")
    row.held, row.hold_reason, row.held_by = False, None, None
    _audit(s, case_id, "release", via, row.level, actor, why, now, row.policy_id)
    add_trail(s, case_id, "release", {"reason": why, "by": actor}, now)
    announce(s, now, [case_id])
    return row


def move(s: Session, case_id: int, to_level: str, reason: str, actor: str, via: str, now: datetime,
         profile: Profile) -> MoveResult:
    """Put the case at `to_level` of its policy in force (any level, up or down): the level's action,
    the trail and the case's stage as a run would, with the person and the reason."""
    why = _reason(reason)
    case = _case(s, case_id)
    stored = in_force(s, case.team)
    if stored is None:
        raise LadderCommandError("no_policy", "the case's team has no ladder policy (and there is no default)")
    today = local_day(now, profile.timezone)
    window: Window = window_of([stored], today)
    rows = gather(s, case_id, case_id, today, profile.timezone, profile.promise_grace_days, window)
    row = rows[0]
    assert row.facts is not None
    try:
        target, evidence = check_move(stored.policy, row.standing, to_level, row.facts, today)
    except MoveRefused as exc:
        raise LadderCommandError(exc.code, exc.detail) from None
    ladder = s.get(CaseLadder, case_id)
    trigger, evidence_json = trigger_after(stored.policy, target, evidence,
                                           (ladder.trigger, ladder.evidence) if ladder else (None, None))
    if ladder is None:
        ladder = CaseLadder(case_id=case_id, held=False)
        s.add(ladder)
    from_level = ladder.level
    ladder.level, ladder.policy_id, ladder.entered_at, ladder.entered_on = target.code, stored.id, now, today
    ladder.trigger, ladder.evidence = trigger, evidence_json
    s.flush()
    transition = {"case_id": case_id, "kind": "move", "via": via, "run_on": None, "at": now,
                  "from_level": from_level, "to_level": target.code, "policy_id": stored.id,
                  "rule": json.dumps({"entry": [], "moved_by": actor}, ensure_ascii=False), "actor": actor,
                  "reason": why}
    record_entries(s, [Entered(case_id, from_level, target, (), evidence, via, why)], [transition], today, now)
    set_case_stage(s, [(case_id, target.stage, trigger)], now)
    announce(s, now, [case_id])
    s.flush()
    s.refresh(case)
    return MoveResult(case_id, from_level, target.code, target.stage, trigger, case.version)


# --- serious default -----------------------------------------------------------------------------------


def set_serious_default(s: Session, case_id: int, finding: str, note: str, attachment_sha256: str, actor: str,
                        now: datetime) -> SeriousDefault:
    """Record a person's finding of serious default; the document must already be uploaded."""
    _case(s, case_id)
    if finding not in FINDINGS:
        raise LadderCommandError("invalid_finding", f"finding: one of {', '.join(FINDINGS)}")
    text = _reason(note, "note")
    sha = attachment_sha256.strip().lower()
    if not SHA256.match(sha):
        raise LadderCommandError("invalid_finding", "attachment_sha256: the document's SHA-256 (64 hex digits)")
    if s.scalar(select(Attachment.sha256).where(Attachment.sha256 == sha)) is None:
        raise LadderCommandError("unknown_attachment", "no uploaded document with this SHA-256: upload it first "
                                                       "(PUT /api/v1/attachments/{sha256})")
    row = SeriousDefault(case_id=case_id, kind=finding, note=text, attachment_sha256=sha, set_by=actor, set_at=now)
    s.add(row)
    s.flush()
    return row


def withdraw_serious_default(s: Session, case_id: int, finding_id: int, actor: str, now: datetime) -> SeriousDefault:
    """Withdraw a finding (kept, marked withdrawn): it no longer counts for a move into the visit
    level. A case already at the door keeps the evidence that took it there."""
    row = s.get(SeriousDefault, finding_id)
    if row is None or row.case_id != case_id:
        raise LadderCommandError("not_found", "no such finding on this case")
    if row.withdrawn_at is not None:
        raise LadderCommandError("already_withdrawn", f"withdrawn already by {row.withdrawn_by}")
    row.withdrawn_at, row.withdrawn_by = now, actor
    s.flush()
    return row
