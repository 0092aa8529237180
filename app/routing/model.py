"""What the day planner takes and gives: stops, a request, a plan. Plain, typed, JSON-friendly.

Times of day are whole seconds after local midnight of the plan's day (the planner works on one
day in one zone); `clock_text` turns them into "HH:MM" for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DAY_SECONDS = 24 * 3600
DEFAULT_DURATION_S = 30 * 60


def clock_text(seconds: int) -> str:
    """'HH:MM' for seconds after midnight (rounded down to the minute)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_clock(text: str) -> int:
    """Seconds after midnight of 'HH:MM' (00:00–24:00). Raises ValueError with a plain message."""
    raw = text.strip()
    parts = raw.split(":")
    if len(parts) != 2 or not all(p.isdigit() and 1 <= len(p) <= 2 for p in parts):
        raise ValueError(f"{raw[:40]!r} is not a time of day (HH:MM)")
    hh, mm = int(parts[0]), int(parts[1])
    if mm >= 60 or hh > 24 or (hh == 24 and mm):
        raise ValueError(f"{raw[:40]!r} is not a time of day (HH:MM)")
    return hh * 3600 + mm * 60


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float

    def as_list(self) -> list[float]:
        return [self.lat, self.lon]


@dataclass(frozen=True, slots=True)
class Stop:
    """A door the agent may knock on. Coordinates may be missing or wrong: the planner says so."""

    id: str
    lat: float | None
    lon: float | None
    priority: float = 1.0  # the value of visiting (the prize); higher first
    duration_s: int = DEFAULT_DURATION_S  # time at the door
    window: tuple[int, int] | None = None  # debtor availability: the visit starts and ends inside it
    must_visit: bool = False  # e.g. a promise follow-up due today
    needs_two_people: bool = False  # a safety note (or the profile) asks for two collectors
    two_person_why: str = ""  # which one, in words, for the skipped list
    label: str = ""  # what a person sees (case number, district); never used to decide

    @property
    def point(self) -> Point | None:
        if self.lat is None or self.lon is None:
            return None
        return Point(self.lat, self.lon)


class SkipReason(StrEnum):
    """Why a stop is not in the plan. Stable codes; `SKIP_TEXT` says it in words."""

    EMPTY_ID = "empty_id"
    DUPLICATE_ID = "duplicate_id"
    NO_COORDINATES = "no_coordinates"
    IMPOSSIBLE_COORDINATES = "impossible_coordinates"
    TOO_FAR = "too_far"
    BAD_WINDOW = "bad_window"
    BAD_DURATION = "bad_duration"
    BAD_PRIORITY = "bad_priority"
    WINDOW_OUTSIDE_DAY = "window_outside_day"
    DAY_TOO_SHORT = "day_too_short"
    NEEDS_PARTNER = "needs_partner"
    DO_NOT_VISIT = "do_not_visit"
    NOT_AVAILABLE = "not_available"
    NOT_CHOSEN = "not_chosen"
    MUST_VISIT_DID_NOT_FIT = "must_visit_did_not_fit"


SKIP_TEXT: Mapping[SkipReason, str] = {
    SkipReason.EMPTY_ID: "the stop has no id",
    SkipReason.DUPLICATE_ID: "the same id appears more than once; only the first is planned",
    SkipReason.NO_COORDINATES: "the address has no coordinates",
    SkipReason.IMPOSSIBLE_COORDINATES: "the coordinates are impossible",
    SkipReason.TOO_FAR: "the address is too far from the start and the other stops",
    SkipReason.BAD_WINDOW: "the availability window ends before it starts",
    SkipReason.BAD_DURATION: "the visit duration is not a sensible number of minutes",
    SkipReason.BAD_PRIORITY: "the priority is not a number",
    SkipReason.WINDOW_OUTSIDE_DAY: "the visit cannot fit inside the working day, the permitted visiting hours "
                                   "and the debtor's availability at once",
    SkipReason.DAY_TOO_SHORT: "the day is too short to travel there, visit and reach the end point in time",
    SkipReason.NEEDS_PARTNER: "the visit needs two collectors and no partner is set for the day",
    SkipReason.DO_NOT_VISIT: "a safety note says do not visit",
    SkipReason.NOT_AVAILABLE: "the case cannot be planned",
    SkipReason.NOT_CHOSEN: "did not fit in the day; the planned visits are worth more or lie closer",
    SkipReason.MUST_VISIT_DID_NOT_FIT: "must-visit, but the day cannot hold it together with the other "
                                       "must-visits",
}


@dataclass(frozen=True, slots=True)
class Skipped:
    id: str
    reason: SkipReason
    detail: str = ""

    @property
    def text(self) -> str:
        base = SKIP_TEXT[self.reason]
        return f"{base} ({self.detail})" if self.detail else base


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """One agent's day. `fixed_prefix` keeps the first stops in the given order (locked by the
    user or already visited); the rest is optimised after them."""

    stops: tuple[Stop, ...]
    start: Point | None = None  # None: the most central stop
    end: Point | None = None  # None: back to the start
    day_start_s: int = 9 * 3600
    day_end_s: int = 18 * 3600
    # Permitted visiting hours (the compliance profile's window) as intervals within the day.
    allowed: tuple[tuple[int, int], ...] = ((8 * 3600, 22 * 3600),)
    partner: str | None = None  # the second collector for the day, if any
    fixed_prefix: tuple[str, ...] = ()
    optimise_rest: bool = True  # False: the plan is exactly the fixed prefix (an order set by hand), timed
    time_limit_s: float = 1.0
    seed: int = 0
    # Stop the search on a solution count scaled to the time limit, so equal requests give equal
    # plans; False stops on the time limit alone (a reference run that should use all its time).
    repeatable: bool = True
    max_radius_m: float = 150_000.0  # farther than this from the start and the stops' centre: skipped
    metres_per_priority_point: float = 5_000.0  # how much extra travel one point of priority is worth


@dataclass(frozen=True, slots=True)
class PlannedStop:
    id: str
    lat: float
    lon: float
    arrival_s: int  # when the agent gets there
    start_s: int  # when the visit starts (after waiting for the window)
    departure_s: int
    leg_m: int  # distance from the previous point
    leg_s: int  # travel time from the previous point
    priority: float
    must_visit: bool
    locked: bool = False  # part of the fixed prefix
    warning: str = ""  # a locked stop the user placed where it breaks a window or the day
    label: str = ""

    @property
    def wait_s(self) -> int:
        return self.start_s - self.arrival_s


@dataclass(frozen=True, slots=True)
class Plan:
    stops: tuple[PlannedStop, ...]
    skipped: tuple[Skipped, ...]
    start: Point | None
    end: Point | None
    depart_s: int
    return_s: int  # arrival at the end point
    end_leg_m: int
    end_leg_s: int
    solver: str  # "or-tools", "or-tools+polish", "insertion" (fallback) or "none"
    seconds: float = 0.0  # wall time spent planning
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def total_distance_m(self) -> int:
        return sum(s.leg_m for s in self.stops) + self.end_leg_m

    @property
    def total_time_s(self) -> int:
        return self.return_s - self.depart_s if self.stops or self.end_leg_s else 0

    @property
    def over_time_s(self) -> int:
        """How long after the day's end the agent reaches the end point (only a locked order can)."""
        day_end = self.params.get("day_end_s")
        return max(0, self.return_s - int(day_end)) if isinstance(day_end, int) else 0

    @property
    def collected_priority(self) -> float:
        return sum(s.priority for s in self.stops)

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stops)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.as_list() if self.start else None,
            "end": self.end.as_list() if self.end else None,
            "depart": clock_text(self.depart_s),
            "return": clock_text(self.return_s),
            "depart_s": self.depart_s,
            "return_s": self.return_s,
            "total_distance_m": self.total_distance_m,
            "total_time_s": self.total_time_s,
            "total_time_min": round(self.total_time_s / 60),
            "over_time_min": round(self.over_time_s / 60),
            "end_leg_m": self.end_leg_m,
            "end_leg_s": self.end_leg_s,
            "collected_priority": round(self.collected_priority, 3),
            "solver": self.solver,
            "params": dict(self.params),
            "stops": [{
                "seq": i, "id": s.id, "lat": s.lat, "lon": s.lon, "label": s.label,
                "eta": clock_text(s.arrival_s), "start": clock_text(s.start_s), "depart": clock_text(s.departure_s),
                "arrival_s": s.arrival_s, "start_s": s.start_s, "departure_s": s.departure_s,
                "wait_min": round(s.wait_s / 60), "leg_m": s.leg_m, "leg_s": s.leg_s, "priority": s.priority,
                "must_visit": s.must_visit, "locked": s.locked, "warning": s.warning,
            } for i, s in enumerate(self.stops, start=1)],
            "skipped": [{"id": k.id, "reason": k.reason.value, "text": k.text} for k in self.skipped],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """Read back what `to_dict` wrote. Raises ValueError on anything else."""
        try:
            def point(v: Any) -> Point | None:
                return None if v is None else Point(float(v[0]), float(v[1]))

            stops = tuple(PlannedStop(
                id=str(s["id"]), lat=float(s["lat"]), lon=float(s["lon"]), arrival_s=int(s["arrival_s"]),
                start_s=int(s["start_s"]), departure_s=int(s["departure_s"]), leg_m=int(s["leg_m"]),
                leg_s=int(s["leg_s"]), priority=float(s["priority"]), must_visit=bool(s["must_visit"]),
                locked=bool(s.get("locked", False)), warning=str(s.get("warning", "")),
                label=str(s.get("label", ""))) for s in data["stops"])
            skipped = tuple(Skipped(str(k["id"]), SkipReason(k["reason"]), _detail(k)) for k in data["skipped"])
            return cls(stops=stops, skipped=skipped, start=point(data["start"]), end=point(data["end"]),
                       depart_s=int(data["depart_s"]), return_s=int(data["return_s"]),
                       end_leg_m=int(data["end_leg_m"]), end_leg_s=int(data["end_leg_s"]),
                       solver=str(data["solver"]), params=dict(data.get("params", {})))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"not a saved day plan: {exc}") from exc


def _detail(item: Mapping[str, Any]) -> str:
    """The detail part of a saved skip text (the words in brackets after the reason's text)."""
    text = str(item.get("text", ""))
    base = SKIP_TEXT[SkipReason(item["reason"])]
    if text.startswith(base + " (") and text.endswith(")"):
        return text[len(base) + 2:-1]
    return ""
