"""The compliance engine: quiet hours at their edges, caps, third parties, visits — CN and US-RegF."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.compliance import (
    Act,
    CaseContext,
    HistoryItem,
    Override,
    ProfileError,
    SafetyFlag,
    builtin_profile,
    evaluate,
    load_profile_json,
)
from app.domain.enums import ActKind

CN = builtin_profile("CN")
US = builtin_profile("US-RegF")
SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, hh: int, mm: int, day: int = 15) -> datetime:
    return datetime(2026, 6, day, hh, mm, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("hh", "mm", "allowed"),
    [(21, 59, True), (22, 0, False), (7, 59, False), (8, 0, True), (0, 0, False), (12, 0, True)],
)
@pytest.mark.parametrize("kind", [ActKind.CALL, ActKind.VISIT, ActKind.SMS])
def test_cn_quiet_hours_edges(hh: int, mm: int, allowed: bool, kind: ActKind) -> None:
    decision = evaluate(Act(kind, at(SH, hh, mm), collectors=2), CaseContext(), CN)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rules == ("contact_window",)
        assert "22:00" in decision.violations[0].message
        assert "22:00" in decision.violations[0].message_zh


@pytest.mark.parametrize(("hh", "mm", "allowed"), [(20, 59, True), (21, 0, False), (7, 59, False), (8, 0, True)])
def test_us_regf_window_edges(hh: int, mm: int, allowed: bool) -> None:
    assert evaluate(Act(ActKind.CALL, at(NY, hh, mm)), CaseContext(), US).allowed is allowed


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)),
    st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "Europe/London", "America/New_York", "Pacific/Auckland"]),
)
def test_quiet_hours_are_judged_in_the_debtors_zone(naive: datetime, zone_name: str) -> None:
    """Whatever zone the device is in, the rule reads the wall clock where the debtor is."""
    zone = ZoneInfo(zone_name)
    instant = naive.replace(tzinfo=zone)
    wall = instant.astimezone(zone).time()
    expected = time(8, 0) <= wall < time(22, 0)
    decision = evaluate(Act(ActKind.CALL, instant, zone=zone_name), CaseContext(), CN)
    assert decision.allowed is expected


def calls(n: int, when: datetime, *, answered: bool, phone: str = "+8613800000000") -> list[HistoryItem]:
    return [HistoryItem(when - timedelta(minutes=i + 1), ActKind.CALL, answered=answered, right_party=answered,
                        phone=phone) for i in range(n)]


def test_cn_three_effective_calls_per_day() -> None:
    now = at(SH, 15, 0)
    assert evaluate(Act(ActKind.CALL, now), CaseContext(calls(2, now, answered=True)), CN).allowed
    blocked = evaluate(Act(ActKind.CALL, now), CaseContext(calls(3, now, answered=True)), CN)
    assert blocked.rules == ("effective_call_cap",)
    # Yesterday's calls do not count today.
    yesterday = now - timedelta(days=1)
    assert evaluate(Act(ActKind.CALL, now), CaseContext(calls(5, yesterday, answered=True)), CN).allowed


def test_cn_six_unanswered_attempts_per_number() -> None:
    now = at(SH, 15, 0)
    phone = "+8613800000000"
    ctx = CaseContext(calls(6, now, answered=False, phone=phone))
    assert evaluate(Act(ActKind.CALL, now, phone=phone), ctx, CN).rules == ("unanswered_cap",)
    assert evaluate(Act(ActKind.CALL, now, phone="+8613900000000"), ctx, CN).allowed
    ctx5 = CaseContext(calls(5, now, answered=False, phone=phone))
    assert evaluate(Act(ActKind.CALL, now, phone=phone), ctx5, CN).allowed


def test_day_boundary_is_local_midnight() -> None:
    """Calls at 21:30 Beijing on the 14th are 'yesterday' at 08:30 on the 15th, though both are the same UTC day."""
    late = [HistoryItem(at(SH, 21, 30, day=14), ActKind.CALL, answered=True, right_party=True)] * 3
    assert evaluate(Act(ActKind.CALL, at(SH, 8, 30)), CaseContext(late), CN).allowed


def test_third_party_only_when_unreachable() -> None:
    now = at(SH, 15, 0)
    act = Act(ActKind.THIRD_PARTY_CONTACT, now)
    assert evaluate(act, CaseContext(), CN).rules == ("third_party_unreachable",)
    failed = [HistoryItem(now - timedelta(hours=h), ActKind.CALL) for h in (1, 2, 3)]
    assert evaluate(act, CaseContext(failed), CN).allowed
    two_failed_then_answer = [*failed[:2], HistoryItem(now - timedelta(hours=3), ActKind.CALL, answered=True)]
    assert evaluate(act, CaseContext(two_failed_then_answer[::-1]), CN).allowed is False
    assert evaluate(act, CaseContext(all_debtor_numbers_invalid=True), CN).allowed
    refused = evaluate(act, CaseContext(all_debtor_numbers_invalid=True, third_party_refused=True), CN)
    assert refused.rules == ("third_party_refused",)


def test_visit_rules() -> None:
    now = at(SH, 10, 0)
    assert evaluate(Act(ActKind.VISIT, now, collectors=1), CaseContext(), CN).rules == ("home_visit_two_person",)
    assert evaluate(Act(ActKind.VISIT, now, collectors=2), CaseContext(), CN).allowed
    severe = CaseContext(safety=[SafetyFlag(3, True, False, "持刀威胁")])
    assert evaluate(Act(ActKind.VISIT, now, collectors=2), severe, CN).rules == ("severe_safety_ack",)
    assert evaluate(Act(ActKind.VISIT, now, collectors=2, safety_acknowledged=True), severe, CN).allowed
    dnv = CaseContext(safety=[SafetyFlag(2, False, True, "<script>x</script>")])
    decision = evaluate(Act(ActKind.VISIT, now, collectors=2), dnv, CN)
    assert decision.rules == ("do_not_visit",)
    assert "<script>x</script>" in decision.violations[0].message  # plain text; escaping is the renderer's job
    # US-RegF: one collector is fine unless a safety note asks for two.
    assert evaluate(Act(ActKind.VISIT, at(NY, 10, 0)), CaseContext(), US).allowed
    two = CaseContext(safety=[SafetyFlag(1, True, False, "dog")])
    assert evaluate(Act(ActKind.VISIT, at(NY, 10, 0)), two, US).rules == ("home_visit_two_person",)


def test_recorded_visit_needs_recording_or_reason() -> None:
    now = at(SH, 10, 0)
    base = {"kind": ActKind.VISIT, "at": now, "collectors": 2, "recording_check": True}
    assert evaluate(Act(**base), CaseContext(), CN).rules == ("visit_recording",)  # type: ignore[arg-type]
    assert evaluate(Act(**base, recording_sha256="a" * 64), CaseContext(), CN).allowed  # type: ignore[arg-type]
    assert evaluate(Act(**base, no_recording_reason="设备故障"), CaseContext(), CN).allowed  # type: ignore[arg-type]
    assert evaluate(Act(**base, no_recording_reason="   "), CaseContext(), CN).rules == ("visit_recording",)  # type: ignore[arg-type]



def test_a_recording_named_but_not_kept_is_no_recording_where_the_profile_requires_one() -> None:
    """On the device the recording must be there (sealed evidence), not only its hash; head office, where
    the file may arrive after the event, does not know (None) and takes the hash."""
    base = {"kind": ActKind.VISIT, "at": at(SH, 10, 0), "collectors": 2, "recording_check": True,
            "recording_sha256": "a" * 64}
    missing = evaluate(Act(**base, recording_kept=False), CaseContext(), CN)  # type: ignore[arg-type]
    assert missing.rules == ("visit_recording",)
    assert "file itself" in missing.violations[0].message and "录音录像文件本身" in missing.violations[0].message_zh
    assert evaluate(Act(**base, recording_kept=True), CaseContext(), CN).allowed  # type: ignore[arg-type]
    assert evaluate(Act(**base, recording_kept=None), CaseContext(), CN).allowed  # type: ignore[arg-type]
    reason = {**base, "recording_kept": False, "no_recording_reason": "设备故障"}
    assert evaluate(Act(**reason), CaseContext(), CN).allowed  # type: ignore[arg-type]  # the profile allows a reason
    us = {**base, "at": at(NY, 10, 0), "recording_kept": False}
    assert evaluate(Act(**us), CaseContext(), US).allowed  # type: ignore[arg-type]


def test_paused_case_blocks_contact() -> None:
    decision = evaluate(Act(ActKind.CALL, at(SH, 10, 0)), CaseContext(paused_reason="dispute"), CN)
    assert decision.rules == ("collection_paused",)


def test_us_seven_in_seven_and_cooldown() -> None:
    now = at(NY, 12, 0, day=20)
    week = [HistoryItem(now - timedelta(days=d, hours=1), ActKind.CALL) for d in range(7)]
    assert evaluate(Act(ActKind.CALL, now), CaseContext(week), US).rules == ("attempt_cap",)
    older = [HistoryItem(now - timedelta(days=7, minutes=1), ActKind.CALL), *week[:6]]
    assert evaluate(Act(ActKind.CALL, now), CaseContext(older), US).allowed
    talk = [HistoryItem(now - timedelta(days=6, hours=23), ActKind.CALL, answered=True, right_party=True)]
    assert evaluate(Act(ActKind.CALL, now), CaseContext(talk), US).rules == ("conversation_cooldown",)
    old_talk = [HistoryItem(now - timedelta(days=7, minutes=1), ActKind.CALL, answered=True, right_party=True)]
    assert evaluate(Act(ActKind.CALL, now), CaseContext(old_talk), US).allowed


def test_supervisor_override_only_for_overridable_rules() -> None:
    now = at(SH, 10, 0)
    act = Act(ActKind.VISIT, now, collectors=1,
              override=Override("super01", "partner delayed, debtor is elderly and alone", frozenset({"home_visit_two_person"})))
    decision = evaluate(act, CaseContext(), CN)
    assert decision.allowed and [v.rule for v in decision.overridden] == ["home_visit_two_person"]
    night = Act(ActKind.VISIT, at(SH, 23, 0), collectors=2,
                override=Override("super01", "urgent", frozenset({"contact_window"})))
    assert evaluate(night, CaseContext(), CN).rules == ("contact_window",)
    empty_reason = Act(ActKind.VISIT, now, collectors=1,
                       override=Override("super01", " ", frozenset({"home_visit_two_person"})))
    assert not evaluate(empty_reason, CaseContext(), CN).allowed


def test_profiles_are_data() -> None:
    raw = json.loads(json.dumps(CN.raw))
    raw["contact_window"]["end"] = "20:00"
    raw["id"] = "CN-strict"
    strict = load_profile_json(json.dumps(raw))
    assert not evaluate(Act(ActKind.CALL, at(SH, 20, 30)), CaseContext(), strict).allowed
    assert evaluate(Act(ActKind.CALL, at(SH, 20, 30)), CaseContext(), CN).allowed


@pytest.mark.parametrize("text", ["", "[]", "{", '{"id": "x"}', '{"id":"x","version":1,"timezone":"Mars/Base",'
                                  '"contact_window":{"start":"08:00","end":"22:00","acts":["call"]}}',
                                  '{"id":"x","version":1,"timezone":"UTC","contact_window":{"start":"8am",'
                                  '"end":"22:00","acts":["call"]}}'])
def test_bad_profiles_are_refused_clearly(text: str) -> None:
    with pytest.raises(ProfileError):
        load_profile_json(text)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        evaluate(Act(ActKind.CALL, datetime(2026, 1, 1, 12)), CaseContext(), CN)
