"""The ladder report's pure rules: reading a stored policy, judging one entry at the edges of its
window and the day, cost per yuan without division by zero, and whole-number chart ticks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.reports.charts import whole_step
from headoffice.ladder.report_figures import CaseFacts, Entry, Pay, Promised, cost_of, evaluate_entry, ratio
from headoffice.ladder.report_policy import ReportInputError, read_policy, with_levels_seen

AS_OF_END = datetime(2026, 4, 30, 16, 0, tzinfo=UTC)  # the end of 30 April in Shanghai


def _policy(**extra: object) -> str:
    return json.dumps({"levels": [{"code": "sms_1", "stage": "reminder", "action": {"kind": "sms"}},
                                  {"code": "visit", "stage": "field_visit", "action": {"kind": "field_visit"},
                                   "name": "上门"}], **extra})


def test_a_policy_gives_its_levels_window_and_prices() -> None:
    p = read_policy(_policy(cure_days=14, costs_fen={"sms": 5, "field_visit": 8000}), scope="一组", version=3,
                    policy_id=7)
    assert p.codes == ("sms_1", "visit") and p.levels[1].name == "上门" and p.levels[1].action == "field_visit"
    assert p.cure_days == 14 and dict(p.costs_fen) == {"sms": 5, "field_visit": 8000}
    assert read_policy(_policy(), scope="", version=1, policy_id=1).cure_days == 30
    seen = with_levels_seen(p, ["visit", "zz", "aa", "zz"])
    assert seen.codes == ("sms_1", "visit", "aa", "zz") and not seen.levels[2].in_policy


@pytest.mark.parametrize(("data", "message"), [
    ("not json", "is not a JSON object"),
    (json.dumps({"levels": []}), "has no list of levels"),
    (json.dumps({"levels": [{"stage": "reminder"}]}), "level 1 has no code"),
    (json.dumps({"levels": [{"code": "a"}, {"code": "a"}]}), "appears twice"),
    (_policy(cure_days=0), "cure_days must be"),
    (_policy(cure_days=30.5), "cure_days must be"),
    (_policy(cure_days=True), "cure_days must be"),
    (_policy(costs_fen={"sms": -1}), "costs_fen.sms must be whole fen"),
    (_policy(costs_fen={"letter": 15.0}), "costs_fen.letter must be whole fen"),
    (_policy(costs_fen=[1, 2]), "costs_fen must be an object"),
])
def test_an_unusable_policy_is_refused_naming_its_version(data: str, message: str) -> None:
    with pytest.raises(ReportInputError, match=message) as err:
        read_policy(data, scope="一组", version=4, policy_id=1)
    assert "一组 v4" in str(err.value)


def _entry(day: date = date(2026, 3, 1)) -> Entry:
    return Entry(transition_id=1, case_id=1, level="sms_1", day=day, at=datetime(2026, 3, 1, 0, tzinfo=UTC),
                 policy_id=None)


def _judge(facts: CaseFacts, as_of: date = date(2026, 4, 30)):  # type: ignore[no-untyped-def]
    return evaluate_entry(_entry(), facts, cure_days=30, as_of=as_of, as_of_end=AS_OF_END, zone="Asia/Shanghai",
                          grace_days=2, went_up=None)


def test_the_window_ends_on_the_thirtieth_day_after_entry_in_local_time() -> None:
    # 31 March 23:30 in Shanghai is 15:30 UTC: day 30 after 1 March, inside the window.
    inside = _judge(CaseFacts(base_overdue_fen=1000, payments=[Pay(1, 1000, datetime(2026, 3, 31, 15, 30,
                                                                                     tzinfo=UTC))]))
    assert inside.cured_paid and inside.recovered_fen == 1000
    # 16:00 UTC is already 1 April in Shanghai: outside.
    outside = _judge(CaseFacts(base_overdue_fen=1000, payments=[Pay(1, 1000, datetime(2026, 3, 31, 16, 0,
                                                                                      tzinfo=UTC))]))
    assert not outside.cured and outside.recovered_fen == 0
    # The debtor's own zone decides: in Urumqi (UTC+6) 16:00 UTC is still 31 March.
    west = _judge(CaseFacts(base_overdue_fen=1000, zone="Asia/Urumqi",
                            payments=[Pay(1, 1000, datetime(2026, 3, 31, 16, 0, tzinfo=UTC))]))
    assert west.cured_paid


def test_a_partial_payment_cures_only_through_a_kept_promise() -> None:
    pay = [Pay(1, 300, datetime(2026, 3, 5, 2, tzinfo=UTC))]
    kept = _judge(CaseFacts(base_overdue_fen=1000, payments=pay,
                            promises=[Promised(300, date(2026, 3, 6), datetime(2026, 3, 2, 2, tzinfo=UTC))]))
    assert kept.cured_promise and not kept.cured_paid and kept.recovered_fen == 300
    broken = _judge(CaseFacts(base_overdue_fen=1000, payments=pay,
                              promises=[Promised(500, date(2026, 3, 6), datetime(2026, 3, 2, 2, tzinfo=UTC))]))
    assert not broken.cured and broken.recovered_fen == 300
    # A promise already kept before the entry is no cure of this entry.
    early = [Pay(1, 300, datetime(2026, 2, 20, 2, tzinfo=UTC))]
    before = _judge(CaseFacts(base_overdue_fen=1000, payments=early,
                              promises=[Promised(300, date(2026, 2, 25), datetime(2026, 2, 19, 2, tzinfo=UTC))]))
    assert not before.cured and before.recovered_fen == 0


def test_what_was_paid_before_entry_lowers_what_is_owed_on_entry() -> None:
    pays = [Pay(1, 400, datetime(2026, 2, 1, 2, tzinfo=UTC)), Pay(2, 600, datetime(2026, 3, 2, 2, tzinfo=UTC))]
    assert _judge(CaseFacts(base_overdue_fen=1000, payments=pays)).cured_paid
    # Nothing paid in the window cures nothing, even when nothing was owed on entry.
    assert not _judge(CaseFacts(base_overdue_fen=400, payments=pays[:1])).cured


def test_cost_per_yuan_never_divides_by_zero() -> None:
    assert ratio(None, 1000) is None and ratio(500, 0) is None and ratio(0, 0) is None
    assert ratio(0, 1000) == Decimal("0.0000")
    assert ratio(11_025, 190_000) == Decimal("0.0580")
    assert ratio(1, 3) == Decimal("0.3333") and ratio(2, 3) == Decimal("0.6667")
    assert cost_of(3, 1, 2, {}) is None
    assert cost_of(3, 1, 2, {"sms": 5}) == 15  # an unpriced kind adds nothing
    assert cost_of(3, 1, 2, {"sms": 5, "letter": 1500, "field_visit": 8000}) == 17_515


@pytest.mark.parametrize(("top", "step"), [(1, 1), (8, 1), (9, 2), (16, 2), (17, 5), (40, 5), (41, 10),
                                           (100, 20), (12_345, 2000)])
def test_count_axes_tick_in_whole_numbers(top: int, step: int) -> None:
    assert whole_step(top) == step
