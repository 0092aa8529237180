"""The ladder policy as data (every problem named with where it is) and the daily decision for one
case: skips, placement, one level at a time after the wait, and never a door without a trigger."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.enums import VisitTrigger
from app.domain.ladder import (
    EXAMPLE_POLICY,
    AttemptFact,
    BrokenPromise,
    CaseFacts,
    Finding,
    MoveRefused,
    PolicyError,
    Skip,
    Standing,
    check_move,
    decide,
    detect_trigger,
    months_before,
    policy_from_dict,
)

TODAY = date(2026, 12, 10)
TEMPLATES = {"sms": {"remind_1", "remind_2"}, "letter": {"firm_a_std"}}


def example() -> dict[str, Any]:
    return copy.deepcopy(dict(EXAMPLE_POLICY))


POLICY = policy_from_dict(example(), TEMPLATES)


def problems(data: Any, templates: Any = TEMPLATES) -> list[str]:
    with pytest.raises(PolicyError) as info:
        policy_from_dict(data, templates)
    return [str(p) for p in info.value.problems]


# --- the policy --------------------------------------------------------------------------------------


def test_the_example_policy_parses_and_round_trips() -> None:
    assert [lv.code for lv in POLICY.levels] == ["sms_1", "sms_2", "letter", "visit", "legal"]
    assert [lv.next for lv in POLICY.levels] == ["sms_2", "letter", "visit", "legal", None]
    assert POLICY.level("visit").is_visit  # type: ignore[union-attr]
    assert POLICY.triggers.broken_promises == 2 and POLICY.triggers.all_numbers_dead
    again = policy_from_dict(json.loads(json.dumps(POLICY.as_json())), TEMPLATES)
    assert again == POLICY
    assert POLICY.templates() == TEMPLATES


@pytest.mark.parametrize(("change", "expected"), [
    (lambda p: p.update(colour="red"), "'colour': unknown key"),
    (lambda p: p["levels"][1].update(extra=1), "levels[1].'extra': unknown key"),
    (lambda p: p["levels"][1]["entry"].update(days_past_due=0), "levels[1].entry.days_past_due: 0 is lower than 1"),
    (lambda p: p["levels"][2].update(code="sms_1"), "levels[2].code: duplicate level code 'sms_1'"),
    (lambda p: p["levels"][3].update(next="sms_2"), "levels[3].next: 'sms_2' is not a later level"),
    (lambda p: p["levels"][3].update(next="visit"), "a reference back to itself"),
    (lambda p: p["levels"][0].update(next="nowhere"), "levels[0].next: no level 'nowhere'"),
    (lambda p: p["levels"][0]["action"].update(kind="phone_call"), "unknown action kind 'phone_call'"),
    (lambda p: p["levels"][0]["action"].update(template="remind_9"), "unknown sms template 'remind_9'"),
    (lambda p: p["levels"][2]["action"].update(template="remind_1"), "unknown letter template 'remind_1'"),
    (lambda p: p["levels"][3]["action"].update(template="x"), "a field_visit action has no template"),
    (lambda p: p["levels"][0]["action"].pop("template"), "a sms action names its sms template"),
    (lambda p: p.pop("triggers"), "the field_visit level 'visit' needs trigger thresholds"),
    (lambda p: p["levels"][0].update(wait_days=366), "levels[0].wait_days: 366 is out of range 0..365"),
    (lambda p: p["levels"][0].update(wait_days=-1), "out of range"),
    (lambda p: p["levels"][0].update(wait_days=True), "must be a whole number, found true/false"),
    (lambda p: p["levels"][0].pop("wait_days"), "levels[0].wait_days: missing"),
    (lambda p: p["levels"][0].update(entry={}), "levels[0].entry: needs at least one rule"),
    (lambda p: p["levels"][0].update(stage="field_visit"), "the stage field_visit goes with the action"),
    (lambda p: p["levels"][3].update(stage="legal_letter"), "the stage field_visit goes with the action"),
    (lambda p: p["levels"][0].update(stage="closed"), "unknown stage 'closed'"),
    (lambda p: p["levels"][0].update(code="SMS 1"), "levels[0].code: must be 1-32 characters"),
    (lambda p: p["triggers"].update(attempt_days=0), "triggers.attempt_days: 0 is out of range 1..365"),
    (lambda p: p["triggers"].update(all_numbers_dead="yes"), "must be true or false"),
    (lambda p: p["costs_fen"].update(phone=3), "costs_fen.'phone': unknown action kind"),
    (lambda p: p["costs_fen"].update(sms=1.5), "costs_fen.sms: must be a whole number"),
    (lambda p: p.update(cure_days=10**20), "cure_days: 100000000000000000000 is out of range"),
    (lambda p: p.update(levels=[]), "levels: must be a list of at least one level"),
    (lambda p: p.update(levels="sms"), "levels: must be a list of levels, found text"),
])
def test_a_bad_policy_is_refused_saying_where(change: Any, expected: str) -> None:
    data = example()
    change(data)
    found = problems(data)
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    data = example()
    data["levels"][0]["wait_days"] = 999
    data["levels"][2]["action"]["kind"] = "fax"
    data["extra"] = True
    assert len(problems(data)) == 3


def test_templates_are_checked_only_when_known_codes_are_given() -> None:
    data = example()
    data["levels"][0]["action"]["template"] = "not_yet_made"
    assert policy_from_dict(data, None).levels[0].action.template == "not_yet_made"
    assert problems(data, {"sms": set(), "letter": set()})


def test_a_level_may_end_the_run_and_be_reached_only_by_a_person() -> None:
    data = example()
    data["levels"][4]["next"] = None
    data["levels"].append({"code": "agency", "stage": "agency", "action": {"kind": "agency"},
                           "entry": {"days_past_due": 180}, "wait_days": 0})
    policy = policy_from_dict(data, TEMPLATES)
    assert policy.level("legal").next is None  # type: ignore[union-attr]
    assert "next" in policy.as_json()["levels"][4]


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=30))
@settings(max_examples=300, deadline=None)
def test_any_json_is_a_policy_or_a_policy_error(data: Any) -> None:
    try:
        policy_from_dict(data, TEMPLATES)
    except PolicyError as exc:
        assert exc.problems and str(exc)


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_mutated_example_policies_are_a_policy_or_a_policy_error(data: st.DataObject) -> None:
    policy = example()
    level = data.draw(st.integers(0, 4))
    key = data.draw(st.sampled_from(["wait_days", "code", "stage", "next", "entry", "action"]))
    value = data.draw(st.none() | st.integers(-5, 400) | st.sampled_from(["sms_1", "visit", "legal", "x"])
                      | st.just({"days_past_due": 3}) | st.just({"kind": "agency"}))
    policy["levels"][level][key] = value
    try:
        parsed = policy_from_dict(policy, TEMPLATES)
    except PolicyError:
        return
    codes = [lv.code for lv in parsed.levels]
    for i, lv in enumerate(parsed.levels):
        assert lv.next is None or codes.index(lv.next) > i  # forward only: no loop
        assert lv.is_visit == (lv.stage == "field_visit")


# --- one case's decision -------------------------------------------------------------------------------


def facts(**kw: Any) -> CaseFacts:
    base: dict[str, Any] = {"days_past_due": 40, "came_in_on": TODAY - timedelta(days=60), "numbers": 1}
    base.update(kw)
    return CaseFacts(**base)


def at(level: str, days_ago: int, held: bool = False) -> Standing:
    return Standing(level, TODAY - timedelta(days=days_ago), held)


@pytest.mark.parametrize(("kw", "standing", "reason"), [
    ({"status": "closed"}, at("sms_1", 30), Skip.CLOSED),
    ({"status": "returned"}, at("sms_1", 30), Skip.RETURNED),
    ({"status": "paused"}, at("sms_1", 30), Skip.PAUSED),
    ({"promise_open": True}, at("sms_1", 30), Skip.PROMISED),
    ({}, at("sms_1", 30, held=True), Skip.HELD),
    ({"status": "closed"}, at("sms_1", 30, held=True), Skip.CLOSED),  # the first reason counts
    ({}, at("gone", 30), Skip.UNKNOWN_LEVEL),
])
def test_skips_name_their_reason(kw: dict[str, Any], standing: Standing, reason: Skip) -> None:
    assert decide(POLICY, standing, facts(**kw), TODAY).skip == reason


def test_a_new_case_enters_the_first_level_by_its_rule() -> None:
    d = decide(POLICY, Standing(), facts(days_past_due=3), TODAY)
    assert d.to is not None and d.to.code == "sms_1" and not d.placed
    assert [r.as_json() for r in d.rules] == [{"kind": "days_past_due", "value": 3, "threshold": 1}]
    assert decide(POLICY, Standing(), facts(days_past_due=0), TODAY).stays == "not_on_ladder"


def test_a_new_case_is_placed_at_its_imported_stage_but_never_at_a_door_without_a_trigger() -> None:
    d = decide(POLICY, Standing(), facts(stage="legal_letter", days_past_due=5), TODAY)
    assert d.to is not None and d.to.code == "letter" and d.placed
    d = decide(POLICY, Standing(), facts(stage="field_visit", days_past_due=80), TODAY)
    assert d.to is not None and d.to.code == "letter" and d.evidence is None
    d = decide(POLICY, Standing(), facts(stage="field_visit", dead_numbers=("138****0000",)), TODAY)
    assert d.to is not None and d.to.code == "visit" and d.evidence is not None
    assert d.evidence.trigger == VisitTrigger.EVADING_CONTACT


def test_one_level_at_a_time_after_the_wait_and_never_on_the_day_entered() -> None:
    f = facts(days_past_due=200, broken_promises=(BrokenPromise(TODAY - timedelta(days=9), 100),) * 2)
    assert decide(POLICY, at("sms_1", 4), f, TODAY).stays == "waiting"  # wait 5
    assert decide(POLICY, at("sms_1", 5), f, TODAY).to.code == "sms_2"  # type: ignore[union-attr]
    assert decide(POLICY, at("legal", 30), f, TODAY).stays == "top"
    zero = example()
    zero["levels"][0]["wait_days"] = 0
    assert decide(policy_from_dict(zero, TEMPLATES), at("sms_1", 0), f, TODAY).stays == "waiting"
    assert decide(POLICY, Standing("sms_1", TODAY + timedelta(days=3)), f, TODAY).stays == "waiting"


def test_all_entry_rules_must_hold() -> None:
    paid = facts(days_past_due=15, last_payment_on=TODAY - timedelta(days=3))
    assert decide(POLICY, at("sms_1", 10), paid, TODAY).stays == "entry"
    unpaid = facts(days_past_due=15, last_payment_on=TODAY - timedelta(days=12))
    d = decide(POLICY, at("sms_1", 10), unpaid, TODAY)
    assert d.to is not None and [r.kind for r in d.rules] == ["days_past_due", "no_payment_days"]
    never = facts(days_past_due=15, came_in_on=TODAY - timedelta(days=10))  # no payment: since it came in
    assert decide(POLICY, at("sms_1", 10), never, TODAY).to is not None


def test_the_visit_level_needs_a_trigger_with_evidence() -> None:
    quiet = facts(days_past_due=50)
    assert decide(POLICY, at("letter", 20), quiet, TODAY).stays == "no_trigger"
    broken = (BrokenPromise(date(2026, 11, 1), 50_000), BrokenPromise(date(2026, 11, 20), 30_000))
    d = decide(POLICY, at("letter", 20), facts(days_past_due=50, broken_promises=broken), TODAY)
    assert d.to is not None and d.to.code == "visit" and d.evidence is not None
    assert d.evidence.as_json() == {
        "trigger": "repeated_delinquency", "detected_on": "2026-12-10", "thresholds": {"broken_promises": 2},
        "facts": [{"kind": "broken_promise", "due": "2026-11-01", "amount_fen": 50_000},
                  {"kind": "broken_promise", "due": "2026-11-20", "amount_fen": 30_000}]}


def test_triggers_at_their_thresholds_and_windows() -> None:
    t = POLICY.triggers
    eps = (date(2026, 1, 5), date(2026, 6, 1), date(2026, 12, 1))
    assert detect_trigger(t, facts(episodes=eps), TODAY).trigger == VisitTrigger.REPEATED_DELINQUENCY  # type: ignore[union-attr]
    old = (date(2025, 12, 10), date(2026, 6, 1), date(2026, 12, 1))  # exactly 12 months ago: outside
    assert detect_trigger(t, facts(episodes=old), TODAY) is None

    def attempts(n: int, first_day_ago: int) -> tuple[AttemptFact, ...]:
        return tuple(AttemptFact(datetime(2026, 12, 1, tzinfo=UTC), TODAY - timedelta(days=first_day_ago - i % 3),
                                 "phone", "no_answer") for i in range(n))

    assert detect_trigger(t, facts(unanswered=attempts(6, 13)), TODAY).trigger == VisitTrigger.EVADING_CONTACT  # type: ignore[union-attr]
    assert detect_trigger(t, facts(unanswered=attempts(5, 13)), TODAY) is None
    assert detect_trigger(t, facts(unanswered=attempts(6, 16)), TODAY) is None  # 14-day window
    two_of_two = facts(numbers=2, dead_numbers=("138****0001", "139****0002"))
    assert detect_trigger(t, two_of_two, TODAY).facts[1] == {"kind": "dead_number", "number": "139****0002"}  # type: ignore[union-attr]
    assert detect_trigger(t, facts(numbers=2, dead_numbers=("138****0001",)), TODAY) is None
    finding = Finding("asset_transfer", "房产已过户给亲属", "ab" * 32)
    ev = detect_trigger(t, facts(serious_default=finding, episodes=eps), TODAY)
    assert ev is not None and ev.trigger == VisitTrigger.SERIOUS_DEFAULT and ev.facts[0]["sha256"] == "ab" * 32


def test_a_person_moves_up_or_down_but_into_the_door_only_with_a_trigger() -> None:
    level, ev = check_move(POLICY, at("sms_1", 1), "letter", facts(), TODAY)
    assert level.code == "letter" and ev is None
    assert check_move(POLICY, at("legal", 1), "sms_1", facts(), TODAY)[0].code == "sms_1"
    with pytest.raises(MoveRefused) as refused:
        check_move(POLICY, at("sms_1", 1), "visit", facts(), TODAY)
    assert refused.value.code == "no_trigger"
    finding = Finding("forged_signature", "合同签名伪造", "cd" * 32)
    level, ev = check_move(POLICY, at("sms_1", 1), "visit", facts(serious_default=finding), TODAY)
    assert ev is not None and ev.trigger == VisitTrigger.SERIOUS_DEFAULT
    for code, target in (("same_level", "sms_1"), ("unknown_level", "<b>nope</b>")):
        with pytest.raises(MoveRefused) as refused:
            check_move(POLICY, at("sms_1", 1), target, facts(), TODAY)
        assert refused.value.code == code


def test_months_before_clamps_to_the_months_end() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 12, 10), 12) == date(2025, 12, 10)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


LEVELS = [lv.code for lv in POLICY.levels]


@given(level=st.sampled_from([None, *LEVELS]), days_ago=st.integers(-5, 60), dpd=st.integers(0, 400),
       broken=st.integers(0, 3), dead=st.booleans(), held=st.booleans(), status=st.sampled_from(
           ["open", "open", "open", "promised", "paused", "closed"]),
       stage=st.sampled_from(["reminder", "legal_letter", "field_visit", "legal_action"]))
@settings(max_examples=500, deadline=None)
def test_the_run_never_jumps_never_enters_a_door_without_evidence_and_repeats_nothing(
        level: str | None, days_ago: int, dpd: int, broken: int, dead: bool, held: bool, status: str,
        stage: str) -> None:
    f = facts(days_past_due=dpd, status=status, stage=stage,
              broken_promises=tuple(BrokenPromise(TODAY - timedelta(days=5 + i), 100) for i in range(broken)),
              numbers=1, dead_numbers=("138****0000",) if dead else ())
    standing = Standing(level, None if level is None else TODAY - timedelta(days=days_ago), held)
    d = decide(POLICY, standing, f, TODAY)
    if d.to is None:
        return
    assert d.skip is None
    if level is not None:
        assert LEVELS.index(d.to.code) == LEVELS.index(level) + 1  # one level up, to its next
        assert days_ago >= POLICY.level(level).wait_days and days_ago > 0  # type: ignore[union-attr]
    if d.to.is_visit:
        assert d.evidence is not None and d.evidence.facts
    again = decide(POLICY, Standing(d.to.code, TODAY, held), f, TODAY)
    assert again.to is None  # the same date twice moves nothing
