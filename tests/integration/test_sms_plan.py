"""Planning SMS reminders on a real database (SQLite and PostgreSQL): pending `sms` ladder actions,
written directly here (the daily run that makes them is not under test), become queued messages to
the debtor's own valid mobile numbers, at the first allowed minute in the debtor's zone and under the
per-debtor caps per local day and week; every message and every number passed over is on the trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain.compliance import builtin_profile
from headoffice.sms.plan import plan

from .sms_helpers import (  # noqa: F401  (the fixtures)
    SmsWorld,
    local,
    sms_db_fixture,
    sms_templates_fixture,
    world_fixture,
)

CN = builtin_profile("CN")
US = builtin_profile("US-RegF")


@pytest.mark.parametrize(("hour", "minute", "expected"), [
    (21, 59, local(2026, 12, 4, 21, 59)),  # the last allowed minute: at once
    (22, 0, local(2026, 12, 5, 8, 0)),  # quiet from 22:00: the next morning
    (7, 59, local(2026, 12, 4, 8, 0)),  # still quiet: 08:00 the same day
    (8, 0, local(2026, 12, 4, 8, 0)),  # the first allowed minute
])
def test_quiet_hours_at_their_edges(world: SmsWorld, hour: int, minute: int, expected: datetime) -> None:
    case = world.case()
    action = world.action(case)
    result = plan(world.db, local(2026, 12, 4, hour, minute), CN)
    assert (result.actions, result.queued) == (1, 1)
    m = world.queued(case)
    assert m.scheduled_at == expected and m.next_attempt_at == expected and m.state == "queued"
    assert m.zone == "Asia/Shanghai" and m.number == m.number.strip() and m.number.startswith("+86")
    assert world.action_state(action) == ("done", "")
    (item,) = world.trail(case)
    assert item["kind"] == "sms" and item["state"] == "queued" and item["ref"] == str(m.id)
    assert datetime.fromisoformat(item["scheduled_at"]) == expected
    assert item["number"].count("*") == 4 and item["number"] != m.number  # masked, never the whole number
    assert item["text"] == m.body and "王先生/女士" in m.body and "王伟" not in m.body
    assert "DS-" in m.body and "1,234.56" in m.body and "400-800-1234" in m.body and "12天" in m.body


def test_the_window_is_the_debtors_zone_not_the_servers(world: SmsWorld) -> None:
    """Server time is UTC; 22:30 in Shanghai is 20:30 in Urumqi, and at 07:30 Shanghai / 05:30 Urumqi
    (a new day in both, still the old one in UTC) each waits for its own 08:00."""
    shanghai, urumqi = world.case("李娜"), world.case("阿依古丽", zone="Asia/Urumqi")
    for case in (shanghai, urumqi):
        world.action(case, level="sms_1")
    plan(world.db, datetime(2026, 12, 4, 14, 30, tzinfo=UTC), CN)
    assert world.queued(urumqi).scheduled_at == datetime(2026, 12, 4, 14, 30, tzinfo=UTC)
    assert world.queued(shanghai).scheduled_at == local(2026, 12, 5, 8, 0) == datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
    assert world.queued(urumqi).zone == "Asia/Urumqi"
    early_sh, early_ur = world.case("张敏"), world.case("买买提", zone="Asia/Urumqi")
    for case in (early_sh, early_ur):
        world.action(case, level="sms_1")
    now = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 07:30 on the 5th in Shanghai, 05:30 in Urumqi
    plan(world.db, now, CN)
    assert world.queued(early_sh).scheduled_at == local(2026, 12, 5, 8, 0)
    assert world.queued(early_ur).scheduled_at == local(2026, 12, 5, 8, 0, zone="Asia/Urumqi") \
        == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    # an unknown zone falls back to the profile's
    odd = world.case("赵强", zone="Mars/Olympus")
    world.action(odd)
    plan(world.db, now, CN)
    assert world.queued(odd).zone == "Asia/Shanghai"


def test_us_profile_window_in_new_york(world: SmsWorld) -> None:
    before, at_close = world.case("John Smith", phones=[("+12125550123", "valid")], zone="America/New_York"), \
        world.case("Jane Doe", phones=[("+12125550124", "valid")], zone="America/New_York")
    world.action(before)
    plan(world.db, local(2026, 12, 4, 20, 59, zone="America/New_York"), US)
    world.action(at_close)
    plan(world.db, local(2026, 12, 4, 21, 0, zone="America/New_York"), US)  # 02:00 UTC on the 5th
    assert world.queued(before).scheduled_at == local(2026, 12, 4, 20, 59, zone="America/New_York")
    assert world.queued(at_close).scheduled_at == local(2026, 12, 5, 8, 0, zone="America/New_York")
    assert "John Smith" in world.queued(before).body  # a Latin name is used as it is


def test_caps_per_local_day_and_week_at_their_edges(world: SmsWorld) -> None:
    """CN: 2 a day, 5 a week. Eight reminders planned on Friday 10:00 for one debtor (over two cases):
    Fri 2, Sat 2, Sun 1 (the week's fifth), then the week is full: Monday 08:00 twice, Tuesday 08:00."""
    first = world.case("周杰")
    second = world.case(debtor=world.debtor_of(first))
    for i in range(8):
        world.action(first if i % 2 == 0 else second, level=f"sms_{i}")
    now = local(2026, 12, 4, 10, 0)  # a Friday
    result = plan(world.db, now, CN)
    assert result.queued == 8
    times = sorted(m.scheduled_at for m in world.messages() if m.state == "queued")
    assert times == [now, now, local(2026, 12, 5, 8, 0), local(2026, 12, 5, 8, 0), local(2026, 12, 6, 8, 0),
                     local(2026, 12, 7, 8, 0), local(2026, 12, 7, 8, 0), local(2026, 12, 8, 8, 0)]
    # another debtor is not held back by this one's caps
    other = world.case("吴刚")
    world.action(other)
    plan(world.db, now, CN)
    assert world.queued(other).scheduled_at == now


def test_caps_count_what_was_already_planned_and_the_week_turns_on_monday(world: SmsWorld) -> None:
    case = world.case()
    sunday = local(2026, 12, 6, 21, 0)
    for i in range(2):
        world.action(case, level=f"a{i}")
    plan(world.db, sunday, CN)
    world.action(case, level="a2")
    plan(world.db, local(2026, 12, 6, 21, 59), CN)  # Sunday's two are taken: Monday (a new week) 08:00
    assert sorted(m.scheduled_at for m in world.messages(case)) == [sunday, sunday, local(2026, 12, 7, 8, 0)]


def test_invalid_numbers_are_skipped_counted_and_on_the_trail(world: SmsWorld) -> None:
    case = world.case(phones=[("13800000101", "invalid"), ("13800000102", "dead"), ("13800000103", "wrong"),
                              ("01012345678", "valid"), ("12345", "unknown"), ("13800000105", "unknown"),
                              ("138 0000 0105", "valid")])
    action = world.action(case)
    result = plan(world.db, local(2026, 12, 4, 10, 0), CN)
    assert result.numbers_skipped == {"number_invalid": 3, "not_mobile": 1, "not_a_number": 1}
    rows = world.messages(case)
    queued = [m for m in rows if m.state == "queued"]
    assert [m.number for m in queued] == ["+8613800000105"]  # one reminder, to the valid one first
    assert sorted((m.skip_reason or "") for m in rows if m.state == "skipped") == [
        "not_a_number", "not_mobile", "number_invalid", "number_invalid", "number_invalid"]
    trail = world.trail(case)
    assert sorted(str(t.get("why")) for t in trail if t["state"] == "skipped") == [
        "not_a_number", "not_mobile", "number_invalid", "number_invalid", "number_invalid"], trail
    assert [t["state"] for t in trail].count("queued") == 1
    assert all("*" in t["number"] for t in trail)
    assert world.action_state(action)[0] == "done"


def test_contacts_are_never_messaged(world: SmsWorld) -> None:
    """Only the debtor's own phones: an emergency contact's number, even one also listed among the
    debtor's phones, gets nothing; a debtor with no number of their own gets no reminder at all."""
    shared = world.case(phones=[("13900000201", "valid"), ("13800000202", "unknown")], contacts=["+86 139 0000 0201"])
    only_contacts = world.case(phones=[("13800000203", "invalid")], contacts=["13900000204", "13900000205"])
    a1, a2 = world.action(shared), world.action(only_contacts)
    result = plan(world.db, local(2026, 12, 4, 10, 0), CN)
    assert [m.number for m in world.messages(shared) if m.state == "queued"] == ["+8613800000202"]
    assert [m.skip_reason for m in world.messages(shared) if m.state == "skipped"] == ["contact_number"]
    assert [m.state for m in world.messages(only_contacts)] == ["skipped"]
    assert world.action_state(a2) == ("skipped", "no valid mobile number of the debtor's own")
    assert world.action_state(a1)[0] == "done"
    assert result.actions_skipped == {"no_number": 1}
    numbers = {m.number for m in world.messages()}
    assert not numbers & {"+8613900000204", "+8613900000205"}
    assert [t["why"] for t in world.trail(only_contacts)] == ["number_invalid", "no_number"]


def test_closed_paused_and_template_less_actions_are_skipped_with_the_reason(world: SmsWorld) -> None:
    paused, closed, promised, no_template = (world.case(status="paused"), world.case(status="closed"),
                                             world.case(status="promised"), world.case())
    ids = [world.action(c) for c in (paused, closed, promised)] + [world.action(no_template, template="nope")]
    result = plan(world.db, local(2026, 12, 4, 10, 0), CN)
    assert result.queued == 0 and not world.messages()
    assert [world.action_state(a)[0] for a in ids] == ["skipped", "skipped", "skipped", "failed"]
    assert result.actions_skipped == {"case_paused": 1, "case_closed": 1, "case_promised": 1, "no_template": 1}
    assert [t["why"] for t in world.trail(paused)] == ["case_paused"]
    assert "nope" in world.action_state(ids[-1])[1]


def test_planning_twice_changes_nothing_and_a_later_run_date_waits_for_its_day(world: SmsWorld) -> None:
    case = world.case()
    world.action(case, run_on=date(2026, 12, 6))
    now = local(2026, 12, 4, 10, 0)
    assert plan(world.db, now, CN).queued == 1
    assert plan(world.db, now, CN).actions == 0
    (m,) = world.messages(case)
    assert m.scheduled_at == local(2026, 12, 6, 8, 0)  # not before the run date's first allowed minute
