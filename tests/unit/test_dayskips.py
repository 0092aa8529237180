"""The "not planned" summary: left-out cases counted by reason, most first, with the fix for each."""

from __future__ import annotations

from datetime import time

from app.routing.model import Skipped, SkipReason
from app.services.dayskips import Fix, SkipGroup, group_of, summarise_skips, visiting_end_s

R = SkipReason


def _skipped(*reasons: tuple[SkipReason, int]) -> list[Skipped]:
    out: list[Skipped] = []
    for reason, n in reasons:
        out += [Skipped(f"{reason.value}-{i}", reason) for i in range(n)]
    return out


def test_counts_by_reason_most_first_with_the_fixes() -> None:
    skipped = _skipped((R.DO_NOT_VISIT, 2), (R.NEEDS_PARTNER, 9), (R.NO_COORDINATES, 1))
    summary = summarise_skips(skipped, standing_partner="李娜", day_partner=None, day_end_s=18 * 3600,
                              latest_end_s=22 * 3600)
    assert summary.total == 12
    assert [(g.group, g.count) for g in summary.groups] == [
        (SkipGroup.PARTNER, 9), (SkipGroup.DO_NOT_VISIT, 2), (SkipGroup.COORDINATES, 1)]
    partner = summary.get(SkipGroup.PARTNER)
    assert partner is not None and (partner.fix, partner.fix_value) == (Fix.USE_STANDING_PARTNER, "李娜")
    assert partner.case_ids == tuple(f"needs_partner-{i}" for i in range(9))
    assert summary.get(SkipGroup.DO_NOT_VISIT).fix is None  # type: ignore[union-attr]
    assert summary.get(SkipGroup.COORDINATES).fix is None  # type: ignore[union-attr]
    assert summary.get(SkipGroup.HOURS) is None


def test_without_a_standing_partner_the_fix_is_to_type_one() -> None:
    skipped = _skipped((R.NEEDS_PARTNER, 3))
    for standing, day in ((None, None), ("", None), ("李娜", "李娜")):  # the standing partner is already in
        group = summarise_skips(skipped, standing_partner=standing, day_partner=day).groups[0]
        assert (group.fix, group.fix_value) == (Fix.ENTER_PARTNER, None)
    # another partner typed for the day: offering the standing one still helps
    group = summarise_skips(skipped, standing_partner="李娜", day_partner="王强").groups[0]
    assert group.fix == Fix.USE_STANDING_PARTNER


def test_a_full_day_or_hours_move_the_end_two_hours_on_but_not_past_the_visiting_hours() -> None:
    skipped = _skipped((R.NOT_CHOSEN, 2), (R.DAY_TOO_SHORT, 1), (R.WINDOW_OUTSIDE_DAY, 2), (R.TOO_FAR, 1))
    summary = summarise_skips(skipped, day_end_s=18 * 3600, latest_end_s=22 * 3600)
    assert [(g.group, g.count) for g in summary.groups] == [
        (SkipGroup.DAY_FULL, 3), (SkipGroup.HOURS, 2), (SkipGroup.TOO_FAR, 1)]
    assert {(g.group, g.fix, g.fix_value) for g in summary.groups} == {
        (SkipGroup.DAY_FULL, Fix.EXTEND_DAY, 20 * 3600), (SkipGroup.HOURS, Fix.EXTEND_DAY, 20 * 3600),
        (SkipGroup.TOO_FAR, None, None)}
    late = summarise_skips(skipped, day_end_s=21 * 3600, latest_end_s=22 * 3600)
    assert late.get(SkipGroup.DAY_FULL).fix_value == 22 * 3600  # type: ignore[union-attr]
    ended = summarise_skips(skipped, day_end_s=22 * 3600, latest_end_s=22 * 3600)
    assert all(g.fix is None for g in ended.groups)  # the day already ends when visits must


def test_every_reason_has_a_group_and_the_visiting_end_follows_the_window() -> None:
    assert group_of(R.MUST_VISIT_DID_NOT_FIT) == SkipGroup.DAY_FULL
    assert group_of(R.IMPOSSIBLE_COORDINATES) == SkipGroup.COORDINATES
    assert {group_of(r) for r in (R.NOT_AVAILABLE, R.BAD_WINDOW, R.DUPLICATE_ID, R.EMPTY_ID)} == {SkipGroup.OTHER}
    assert summarise_skips([]).total == 0 and summarise_skips([]).groups == ()
    assert visiting_end_s(time(8), time(22)) == 22 * 3600
    assert visiting_end_s(time(8), time(21)) == 21 * 3600
    assert visiting_end_s(time(22), time(6)) == 24 * 3600  # wraps past midnight
    assert visiting_end_s(time(0), time(0)) == 24 * 3600  # open all day
