"""The escalation ladder's rules: a policy as data, checked (`policy.py`), and the daily decision for
one case (`decide.py`).

Pure: no I/O, no clock. Head office (`headoffice/ladder/`) gathers each case's facts, asks `decide`
what the ladder does with it on a run date, and writes the answer.

A policy (JSON, one per team; "" is the company default) is an ordered list of levels, each with
  code        a-z, 0-9 and _, unique
  stage       the case's stage while it is at this level (app.domain.enums.Stage, not closed)
  action      {"kind": sms|letter|field_visit|legal_action|agency, "template": code (sms and letter only)}
  entry       the rule that lets a case in, all given keys must hold: days_past_due (≥), broken_promises
              (≥), unanswered_attempts (≥ unanswered or refused attempts in the last triggers.attempt_days
              days, all channels), no_payment_days (≥ days since the last payment, or since the case came in)
  wait_days   days a case stays at this level before the run may move it on (0..365)
  next        optional: the code of the later level the run moves a case on to (default: the level that
              follows in the list; null: the run never moves a case on from here, a person may)
and `triggers` (the thresholds of the visit triggers), `cure_days`, `costs_fen` (per action kind).

A level with the action field_visit (and only such a level has the stage field_visit) is entered only
with a visit trigger head office can show evidence for: repeated delinquency, evading contact or a
person's finding of serious default (see `detect_trigger`).

The decision (`decide`): a closed, returned, paused, promised-within-grace or held case is skipped with
its reason. A case not on the ladder is placed on it: at the first level if that level's entry holds,
or at the first level of the stage its import gave it (never the visit level without a trigger: then
the level before it). A case on the ladder moves at most one level up, to its level's `next`, only
once `wait_days` have passed since it entered its level and never on the day it entered it, and only
if the next level's entry holds (and, into the visit level, a trigger is detected).
"""

from __future__ import annotations

from .decide import (
    AttemptFact,
    BrokenPromise,
    CaseFacts,
    Decision,
    Evidence,
    Finding,
    MoveRefused,
    RuleMet,
    Skip,
    Standing,
    check_move,
    decide,
    detect_trigger,
    early,
    entry_met,
    in_window,
    months_before,
    skip_reason,
)
from .policy import (
    ACTION_KINDS,
    COST_RANGE,
    CURE_RANGE,
    ENTRY_KEYS,
    ENTRY_RANGES,
    EXAMPLE_POLICY,
    MAX_EVIDENCE_FACTS,
    MAX_LEVELS,
    TEMPLATE_KINDS,
    TRIGGER_RANGES,
    WAIT_RANGE,
    Action,
    Entry,
    LadderPolicy,
    Level,
    PolicyError,
    Problem,
    Triggers,
    policy_from_dict,
)

__all__ = [
    "ACTION_KINDS", "COST_RANGE", "CURE_RANGE", "ENTRY_KEYS", "ENTRY_RANGES", "EXAMPLE_POLICY", "MAX_EVIDENCE_FACTS",
    "MAX_LEVELS", "TEMPLATE_KINDS", "TRIGGER_RANGES", "WAIT_RANGE", "Action", "AttemptFact", "BrokenPromise",
    "CaseFacts", "Decision", "Entry", "Evidence", "Finding", "LadderPolicy", "Level", "MoveRefused", "PolicyError",
    "Problem", "RuleMet", "Skip", "Standing", "Triggers", "check_move", "decide", "detect_trigger", "early",
    "entry_met", "in_window", "months_before", "policy_from_dict", "skip_reason",
]
