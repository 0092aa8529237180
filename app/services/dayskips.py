"""Why the day's plan leaves cases out, counted by reason, with the one-click fix where there is one.

The planner says why each left-out case is not in the route (`app.routing.model.SkipReason`); the
Route room shows a line such as "12 not planned: 9 need a partner, 2 do-not-visit, 1 no
coordinates" above the list. Reasons are grouped by what the agent can do about them:

| group        | reasons                                                          | fix                               |
|--------------|------------------------------------------------------------------|-----------------------------------|
| partner      | needs_partner                                                    | the standing partner, else type one |
| do_not_visit | do_not_visit                                                     | none (a safety note says so)      |
| hours        | window_outside_day                                               | end the day later                 |
| day_full     | not_chosen, day_too_short, must_visit_did_not_fit                | end the day later                 |
| coordinates  | no_coordinates, impossible_coordinates                           | none (the address needs fixing)   |
| too_far      | too_far                                                          | none                              |
| other        | anything else (not on this device, not open, bad data)           | none                              |

"End the day later" moves the end of the working day two hours on, but never past the end of the
compliance profile's visiting hours (22:00 under CN); when the day already ends there, there is no
fix. Pure: no Qt, no store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from app.routing.model import Skipped, SkipReason

EXTEND_BY_S = 2 * 3600
DAY_S = 24 * 3600


class SkipGroup(StrEnum):
    PARTNER = "partner"
    DO_NOT_VISIT = "do_not_visit"
    HOURS = "hours"
    DAY_FULL = "day_full"
    COORDINATES = "coordinates"
    TOO_FAR = "too_far"
    OTHER = "other"


class Fix(StrEnum):
    USE_STANDING_PARTNER = "use_standing_partner"  # value: the partner's name for the day's field
    ENTER_PARTNER = "enter_partner"  # no standing partner: the agent types one
    EXTEND_DAY = "extend_day"  # value: the new end of the day, seconds after local midnight


GROUP_OF: dict[SkipReason, SkipGroup] = {
    SkipReason.NEEDS_PARTNER: SkipGroup.PARTNER,
    SkipReason.DO_NOT_VISIT: SkipGroup.DO_NOT_VISIT,
    SkipReason.WINDOW_OUTSIDE_DAY: SkipGroup.HOURS,
    SkipReason.NOT_CHOSEN: SkipGroup.DAY_FULL,
    SkipReason.DAY_TOO_SHORT: SkipGroup.DAY_FULL,
    SkipReason.MUST_VISIT_DID_NOT_FIT: SkipGroup.DAY_FULL,
    SkipReason.NO_COORDINATES: SkipGroup.COORDINATES,
    SkipReason.IMPOSSIBLE_COORDINATES: SkipGroup.COORDINATES,
    SkipReason.TOO_FAR: SkipGroup.TOO_FAR,
}
_ORDER = list(SkipGroup)


@dataclass(frozen=True, slots=True)
class SkipCount:
    group: SkipGroup
    count: int
    case_ids: tuple[str, ...]
    fix: Fix | None = None
    fix_value: str | int | None = None


@dataclass(frozen=True, slots=True)
class SkipSummary:
    total: int
    groups: tuple[SkipCount, ...]  # most cases first

    def get(self, group: SkipGroup) -> SkipCount | None:
        return next((g for g in self.groups if g.group == group), None)


def visiting_end_s(window_start: time, window_end: time) -> int:
    """The latest end of a working day the compliance window allows (a window that wraps past
    midnight, or one that is open all day, allows the whole day)."""
    lo = window_start.hour * 3600 + window_start.minute * 60
    hi = window_end.hour * 3600 + window_end.minute * 60
    return hi if lo < hi else DAY_S


def group_of(reason: SkipReason) -> SkipGroup:
    return GROUP_OF.get(reason, SkipGroup.OTHER)


def summarise_skips(skipped: Sequence[Skipped], *, standing_partner: str | None = None,
                    day_partner: str | None = None, day_end_s: int = 18 * 3600,
                    latest_end_s: int = DAY_S) -> SkipSummary:
    """Count the left-out cases by group and say the fix for each group that has one."""
    ids: dict[SkipGroup, list[str]] = {}
    for k in skipped:
        ids.setdefault(group_of(k.reason), []).append(k.id)
    later = min(day_end_s + EXTEND_BY_S, latest_end_s)
    counts = []
    for group, members in ids.items():
        fix: Fix | None = None
        value: str | int | None = None
        if group == SkipGroup.PARTNER:
            standing = (standing_partner or "").strip()
            if standing and standing != (day_partner or "").strip():
                fix, value = Fix.USE_STANDING_PARTNER, standing
            else:
                fix = Fix.ENTER_PARTNER
        elif group in (SkipGroup.HOURS, SkipGroup.DAY_FULL) and later > day_end_s:
            fix, value = Fix.EXTEND_DAY, later
        counts.append(SkipCount(group, len(members), tuple(members), fix, value))
    counts.sort(key=lambda c: (-c.count, _ORDER.index(c.group)))
    return SkipSummary(len(skipped), tuple(counts))
