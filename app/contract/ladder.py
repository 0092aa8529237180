"""API v1, the escalation ladder at head office (issue #18): the team's ladder policy, a supervisor's
hold, release and move of a case, and findings of serious default. Routes under `/api/v1/ladder/`.

The policy's shape is checked here; its rules across levels (codes unique, `next` forward only, entry
days past due never going down, templates that exist, triggers for a door level) by
`app.domain.ladder.policy_from_dict` at head office, answered as 422 `invalid_policy` naming each
problem with where it is. The laptop receives the ladder only with its cases (`CaseData.ladder`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from app.domain.ladder import (
    COST_RANGE,
    CURE_RANGE,
    ENTRY_RANGES,
    MAX_LEVELS,
    TRIGGER_RANGES,
    WAIT_RANGE,
)

from .v1 import _Model, request_text

PREFIX = "/api/v1/ladder"

LevelCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
TemplateCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
ActionKind = Literal["sms", "letter", "field_visit", "legal_action", "agency"]
StageName = Literal["reminder", "legal_letter", "field_visit", "legal_action", "agency"]
FindingKind = Literal["asset_transfer", "forged_signature", "other"]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Reason = request_text(500, min_length=1)
Note = request_text(2000, min_length=1, multiline=True)


def _bounded(bounds: tuple[int, int]) -> Any:
    return Annotated[int, Field(ge=bounds[0], le=bounds[1])]


class LadderAction(_Model):
    kind: ActionKind
    template: TemplateCode | None = None  # sms and letter: the template's code; the others: none


class LadderEntry(_Model):
    """All given rules must hold for a case to enter the level."""

    days_past_due: _bounded(ENTRY_RANGES["days_past_due"]) | None = None  # type: ignore[valid-type]
    broken_promises: _bounded(ENTRY_RANGES["broken_promises"]) | None = None  # type: ignore[valid-type]
    unanswered_attempts: _bounded(ENTRY_RANGES["unanswered_attempts"]) | None = None  # type: ignore[valid-type]
    no_payment_days: _bounded(ENTRY_RANGES["no_payment_days"]) | None = None  # type: ignore[valid-type]


class LadderLevel(_Model):
    code: LevelCode
    stage: StageName
    action: LadderAction
    entry: LadderEntry
    wait_days: _bounded(WAIT_RANGE)  # type: ignore[valid-type]
    # The later level the run moves a case on to; left out: the next in the list; null: none (a person may).
    next: LevelCode | None = None


class LadderTriggers(_Model):
    """The thresholds of the visit triggers (null or left out: that rule is off)."""

    broken_promises: _bounded(TRIGGER_RANGES["broken_promises"]) | None = None  # type: ignore[valid-type]
    episodes: _bounded(TRIGGER_RANGES["episodes"]) | None = None  # type: ignore[valid-type]
    episodes_months: _bounded(TRIGGER_RANGES["episodes_months"]) | None = None  # type: ignore[valid-type]
    unanswered_attempts: _bounded(TRIGGER_RANGES["unanswered_attempts"]) | None = None  # type: ignore[valid-type]
    attempt_days: _bounded(TRIGGER_RANGES["attempt_days"]) | None = None  # type: ignore[valid-type]
    all_numbers_dead: bool = False


class LadderPolicyData(_Model):
    """A ladder policy (see app/domain/ladder.py for what each part means)."""

    levels: Annotated[list[LadderLevel], Field(min_length=1, max_length=MAX_LEVELS)]
    triggers: LadderTriggers | None = None
    cure_days: _bounded(CURE_RANGE) | None = None  # type: ignore[valid-type]
    costs_fen: dict[ActionKind, _bounded(COST_RANGE)] = Field(default_factory=dict)  # type: ignore[valid-type]

    def as_policy_json(self) -> dict[str, Any]:
        """The JSON the domain parses: keys left out stay out (a level's `next` left out ≠ null)."""
        return self.model_dump(mode="json", exclude_unset=True)


class LadderPolicyResponse(_Model):
    team: str  # the team asked about ("" : the company default)
    scope: str  # whose policy is in force for it: the team's own, or "" (the company default)
    inherited: bool  # the team has no policy of its own
    version: int
    policy_id: int  # what a case records as the version that moved it
    set_by: str
    set_at: datetime
    policy: dict[str, Any]


class LadderReasonRequest(_Model):
    """`POST …/hold` and `…/release`: the supervisor's reason (audited, shown on the case's trail)."""

    reason: Reason


class LadderMoveRequest(_Model):
    """`POST …/move`: put the case at this level of its policy (up or down, one or more levels). Into a
    field-visit level only with a trigger head office detects or a finding of serious default."""

    to_level: LevelCode
    reason: Reason


class LadderStanding(_Model):
    case_id: int
    level: str | None
    entered_on: date | None = None
    held: bool = False
    hold_reason: str | None = None
    held_by: str | None = None
    stage: str
    trigger: str | None = None
    version: int


class SeriousDefaultRequest(_Model):
    """`POST …/serious-default`: a person's finding, with the document that proves it (uploaded first
    with `PUT /api/v1/attachments/{sha256}`)."""

    finding: FindingKind
    note: Note
    attachment_sha256: Sha256


class SeriousDefaultData(_Model):
    id: int
    case_id: int
    finding: str
    note: str
    attachment_sha256: str
    set_by: str
    set_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
