"""An agent's day plan: pick the candidate cases from the store, plan the route, save it, load it.

Candidates are the agent's field-visit cases that are open or promised, promise follow-ups due
that day first (they are must-visits), then by priority, plus any case the agent added by hand and
minus any they removed. Each becomes a stop at the debtor's home address (else another address
with coordinates); its visit duration follows the stage. Safety notes decide the rest: "do not
visit" keeps the case out, "two people" (or a profile that wants two collectors at every home
visit) plans it only when a partner is set.

Saving also queues one `visit_planned` event per stop (day, position, plan id) for head office, whose
team view counts planned against done visits per agent and day.

The plan is saved in `day_plans` (one row per agent and day) as JSON: the route as
`app.routing.model.Plan.to_dict()` writes it, each stop also carrying its integer `case_id`, and
under `request` what is needed to plan the day again (added/removed cases, locks, times, partner).
Planning runs OR-Tools for up to a couple of seconds: call it from a worker, not the GUI thread.

For the route view:
    day = plan_agent_day(store, agent_id, day, profile, DayOptions(partner="…"))   # plan the day
    save_day_plan(store, day, actor)                                               # keep it
    load_day_plan(store, agent_id, day)                                            # after a restart
    replan(store, agent_id, day, profile, fixed_prefix=[…])        # lock the first stops, optimise the rest
    replan(…, fixed_prefix=dragged_order, optimise_rest=False)     # drag to reorder: timed exactly as given
    replan(…, add=[case_id]) / replan(…, remove=[case_id]) / replan(…, partner="…" or None)
    replan(…, day_end_s=20 * 3600)                                 # work later today
    standing_partner(store, agent_id)     # the partner head office keeps for the agent: the day's default
`day.plan.stops` are in visiting order with arrival/start/departure (seconds after local
midnight, `clock_text` for "HH:MM"), leg metres and seconds, lock flags and warnings;
`day.plan.skipped` says why each other candidate is not in the route.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from app.domain.clock import ensure_utc, utcnow
from app.domain.compliance import Profile
from app.domain.enums import CaseStatus, Stage
from app.routing.model import Plan, PlanRequest, Point, Skipped, SkipReason, Stop
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.events import append_event
from app.store.syncstate import PARTNERS, get_state
from app.store.types import to_db_time

DATA_VERSION = 1
DEFAULT_CANDIDATES = 50
# Minutes at the door by stage (a legal-letter hand-over is shorter than a full field visit).
VISIT_MINUTES: dict[str, int] = {
    Stage.FIELD_VISIT.value: 30, Stage.LEGAL_LETTER.value: 20, Stage.LEGAL_ACTION.value: 20,
    Stage.REMINDER.value: 15, Stage.AGENCY.value: 20,
}
PLANNABLE_STATUSES = (CaseStatus.OPEN.value, CaseStatus.PROMISED.value)


class DayPlanError(ValueError):
    """The day cannot be planned as asked (unknown agent, no start point, …)."""


@dataclass(frozen=True)
class DayOptions:
    """What the agent sets for the day. Times are seconds after local midnight."""

    start: Point | None = None  # None: the agent's base
    end: Point | None = None  # None: back to the start
    day_start_s: int = 9 * 3600
    day_end_s: int = 18 * 3600
    partner: str | None = None
    add: tuple[int, ...] = ()  # case ids added by hand
    remove: tuple[int, ...] = ()  # case ids taken out by hand
    fixed_prefix: tuple[int, ...] = ()  # case ids locked at the head of the route, in order
    optimise_rest: bool = True  # False: the route is exactly `fixed_prefix` (dragged into order by hand);
    # with no fixed prefix there is no such order, and the day is planned as usual
    max_candidates: int = DEFAULT_CANDIDATES
    time_limit_s: float | None = None  # None: by the number of candidates
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.as_list() if self.start else None,
                "end": self.end.as_list() if self.end else None,
                "day_start_s": self.day_start_s, "day_end_s": self.day_end_s, "partner": self.partner,
                "add": list(self.add), "remove": list(self.remove), "fixed_prefix": list(self.fixed_prefix),
                "optimise_rest": self.optimise_rest, "max_candidates": self.max_candidates, "time_limit_s": self.time_limit_s, "seed": self.seed}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DayOptions:
        def pt(v: Any) -> Point | None:
            return None if v is None else Point(float(v[0]), float(v[1]))

        return cls(start=pt(d.get("start")), end=pt(d.get("end")), day_start_s=int(d["day_start_s"]),
                   day_end_s=int(d["day_end_s"]), partner=d.get("partner"),
                   add=tuple(int(x) for x in d.get("add", ())), remove=tuple(int(x) for x in d.get("remove", ())),
                   fixed_prefix=tuple(int(x) for x in d.get("fixed_prefix", ())),
                   optimise_rest=bool(d.get("optimise_rest", True)),
                   max_candidates=int(d.get("max_candidates", DEFAULT_CANDIDATES)),
                   time_limit_s=None if d.get("time_limit_s") is None else float(d["time_limit_s"]),
                   seed=int(d.get("seed", 0)))


@dataclass(frozen=True)
class Candidates:
    stops: tuple[Stop, ...]
    excluded: tuple[Skipped, ...]  # kept out before planning (do-not-visit, case not found…)
    start: Point | None  # the agent's base


@dataclass(frozen=True)
class DayPlan:
    agent_id: int
    day: date
    plan: Plan
    options: DayOptions
    updated_at: datetime | None = None
    case_ids: tuple[int, ...] = field(default=())

    def to_json(self) -> str:
        data = self.plan.to_dict()
        for stop in data["stops"]:
            stop["case_id"] = int(stop["id"])
        data["version"] = DATA_VERSION
        data["agent_id"] = self.agent_id
        data["day"] = self.day.isoformat()
        data["request"] = self.options.to_dict()
        return json.dumps(data, ensure_ascii=False)


@dataclass(frozen=True)
class StandingPartner:
    """The agent's standing partner, kept at head office and synced; the day's partner by default."""

    id: int
    username: str
    display_name: str

    @property
    def name(self) -> str:
        """What the day's partner field holds."""
        return self.display_name or self.username


def standing_partner(store: Store, agent_id: int) -> StandingPartner | None:
    """The agent's standing partner as the last sync left it (None: no pair, or never synced)."""
    with store.read() as session:
        text = get_state(session, PARTNERS)
    try:
        entry = json.loads(text or "{}").get(str(agent_id))
        return None if not entry else StandingPartner(int(entry["id"]), str(entry["username"]),
                                                      str(entry.get("display_name") or ""))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _home_first(addresses: Sequence[m.Address]) -> m.Address | None:
    located = [a for a in addresses if a.lat is not None and a.lon is not None]
    homes = [a for a in located if a.kind == "home"]
    chosen = homes or located
    return chosen[0] if chosen else None


def candidates(session: Session, agent_id: int, day: date, profile: Profile, options: DayOptions,
               now: datetime) -> Candidates:
    agent = session.get(m.Agent, agent_id)
    if agent is None:
        raise DayPlanError(f"no agent {agent_id} on this device")
    base = Point(agent.base_lat, agent.base_lon) if agent.base_lat is not None and agent.base_lon is not None else None
    removed = set(options.remove)
    query = (select(m.Case).where(m.Case.agent_id == agent_id, m.Case.stage == Stage.FIELD_VISIT.value,
                                  m.Case.status.in_(PLANNABLE_STATUSES))
             .order_by((m.Case.promise_due == day).desc(), m.Case.priority.desc(), m.Case.id)
             .limit(max(1, options.max_candidates) + len(removed)))
    query = query.options(selectinload(m.Case.debtor).selectinload(m.Debtor.addresses))
    chosen = [c for c in session.scalars(query) if c.id not in removed][:max(1, options.max_candidates)]
    have = {c.id for c in chosen}
    excluded: list[Skipped] = []
    for cid in dict.fromkeys([*options.fixed_prefix, *options.add]):
        if cid in have or cid in removed:
            continue
        case = session.get(m.Case, cid)
        if case is None:
            excluded.append(Skipped(str(cid), SkipReason.NOT_AVAILABLE, "it is not on this device"))
            continue
        if case.status not in PLANNABLE_STATUSES:
            excluded.append(Skipped(str(cid), SkipReason.NOT_AVAILABLE, f"it is {case.status}"))
            continue
        chosen.append(case)
        have.add(cid)
    stops: list[Stop] = []
    notes_of = _active_notes(session, chosen, now)
    for case in chosen:
        notes = notes_of.get(case.id, [])
        if any(n.do_not_visit for n in notes):
            excluded.append(Skipped(str(case.id), SkipReason.DO_NOT_VISIT))
            continue
        address = _home_first(case.debtor.addresses)
        two_by_note = any(n.two_person_required for n in notes)
        two_by_profile = profile.home_visit_min_collectors >= 2 and (address is None or address.kind == "home")
        why = ("a safety note asks for two collectors" if two_by_note else
               f"profile {profile.id} asks for {profile.home_visit_min_collectors} collectors at a home visit"
               if two_by_profile else "")
        stops.append(Stop(
            id=str(case.id), lat=address.lat if address else None, lon=address.lon if address else None,
            priority=float(case.priority), duration_s=VISIT_MINUTES.get(case.stage, 30) * 60,
            must_visit=case.promise_due == day, needs_two_people=two_by_note or two_by_profile,
            two_person_why=why, label=f"{case.case_no} {case.district}".strip()))
    return Candidates(tuple(stops), tuple(excluded), base)


def _active_notes(session: Session, cases: Sequence[m.Case], now: datetime) -> dict[int, list[m.SafetyNote]]:
    """Active safety notes per case (on the case or on its debtor), in one query."""
    case_ids = [c.id for c in cases]
    debtor_ids = [c.debtor_id for c in cases]
    rows = session.scalars(select(m.SafetyNote).where(
        (m.SafetyNote.case_id.in_(case_ids) | m.SafetyNote.debtor_id.in_(debtor_ids)),
        m.SafetyNote.superseded_by.is_(None))).all()
    out: dict[int, list[m.SafetyNote]] = {}
    for case in cases:
        out[case.id] = [n for n in rows if (n.case_id == case.id or n.debtor_id == case.debtor_id)
                        and n.reported_at <= now and (n.expires_at is None or now < n.expires_at)]
    return out


def _centre_of(stops: Sequence[Stop]) -> Point | None:
    """Where to start when the agent has no base location on this laptop (head office sends none yet):
    the middle of the day's candidate doors, so a plan can still be made; a start set by the user wins."""
    points = [(s.lat, s.lon) for s in stops if s.lat is not None and s.lon is not None
              and -90 <= s.lat <= 90 and -180 <= s.lon <= 180]
    if not points:
        return None
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    return Point(lats[len(lats) // 2], lons[len(lons) // 2])  # the median: one stray door does not drag it


def plan_agent_day(store: Store, agent_id: int, day: date, profile: Profile, options: DayOptions | None = None,
                   now: datetime | None = None) -> DayPlan:
    """Plan (or re-plan) the day. Does not save: call `save_day_plan` with the result."""
    from app.routing.planner import PlanError, allowed_intervals, default_time_limit, plan_day

    options = options or DayOptions()
    now = ensure_utc(now or utcnow())
    with store.read() as session:
        found = candidates(session, agent_id, day, profile, options, now)
    start = options.start or found.start or _centre_of(found.stops)
    if start is None:
        raise DayPlanError("set a start point for the day: the agent has no base location")
    request = PlanRequest(
        stops=found.stops, start=start, end=options.end, day_start_s=options.day_start_s,
        day_end_s=options.day_end_s, allowed=allowed_intervals(profile.window.start, profile.window.end),
        partner=options.partner, fixed_prefix=tuple(str(c) for c in options.fixed_prefix),
        optimise_rest=options.optimise_rest or not options.fixed_prefix,  # no order given: plan the day
        time_limit_s=options.time_limit_s or default_time_limit(len(found.stops)), seed=options.seed)
    try:
        plan = plan_day(request)
    except PlanError as exc:
        raise DayPlanError(str(exc)) from exc
    plan = replace(plan, skipped=plan.skipped + found.excluded)
    return DayPlan(agent_id, day, plan, options, None, tuple(int(s.id) for s in plan.stops))


def save_day_plan(store: Store, day_plan: DayPlan, actor: str, now: datetime | None = None) -> None:
    """Keep the plan for the agent's day (replacing an earlier one), with an audit entry."""
    now = ensure_utc(now or utcnow())
    data = day_plan.to_json()
    with store.write() as session:
        row = session.scalars(select(m.DayPlan).where(m.DayPlan.agent_id == day_plan.agent_id,
                                                      m.DayPlan.day == day_plan.day)).one_or_none()
        if row is None:
            row = m.DayPlan(agent_id=day_plan.agent_id, day=day_plan.day, data=data, updated_at=now)
            session.add(row)
        else:
            row.data, row.updated_at = data, now
        session.flush()
        _queue_planned_visits(session, day_plan, actor, now)
        append_audit(session, actor=actor, action="day_plan.saved", entity="day_plan",
                     entity_id=f"{day_plan.agent_id}:{day_plan.day.isoformat()}",
                     data={"stops": list(day_plan.case_ids), "skipped": len(day_plan.plan.skipped),
                           "distance_m": day_plan.plan.total_distance_m, "at": to_db_time(now)}, at=now)


def _queue_planned_visits(session: Session, day_plan: DayPlan, actor: str, now: datetime) -> None:
    """One `visit_planned` event per stop, for head office's planned-versus-done count per agent and day.
    All stops of one save share a plan id: a later save of the day's plan replaces the earlier one there.
    Only the day and the position travel, never the route's coordinates (those stay on the laptop)."""
    plan_id = str(uuid.uuid4())
    versions = dict(session.execute(select(m.Case.id, m.Case.version).where(
        m.Case.id.in_(day_plan.case_ids))).tuples().all())
    for position, case_id in enumerate(day_plan.case_ids, start=1):
        if case_id in versions:
            append_event(session, case_id=case_id, case_version=versions[case_id], kind="visit_planned",
                         payload={"day": day_plan.day.isoformat(), "position": position, "plan_id": plan_id},
                         occurred_at=now, recorded_at=now, actor=actor)


def load_day_plan(store: Store, agent_id: int, day: date) -> DayPlan | None:
    """The saved plan, or None if there is none. A saved plan that cannot be read raises DayPlanError."""
    with store.read() as session:
        row = session.scalars(select(m.DayPlan).where(m.DayPlan.agent_id == agent_id,
                                                      m.DayPlan.day == day)).one_or_none()
        if row is None:
            return None
        text, updated = row.data, row.updated_at
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != DATA_VERSION:
            raise ValueError("unknown format")
        plan = Plan.from_dict(data)
        options = DayOptions.from_dict(data["request"])
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise DayPlanError(f"the saved plan for {day.isoformat()} cannot be read ({exc}); plan the day again") from exc
    return DayPlan(agent_id, day, plan, options, updated, tuple(int(s.id) for s in plan.stops))


def replan(store: Store, agent_id: int, day: date, profile: Profile, *, fixed_prefix: Sequence[int] | None = None,
           add: Sequence[int] = (), remove: Sequence[int] = (), partner: str | None | Literal[False] = False,
           optimise_rest: bool = True, day_end_s: int | None = None, now: datetime | None = None) -> DayPlan:
    """Plan the saved day again: lock a prefix (the stops the agent fixed or already visited) and
    re-optimise the rest, add or remove cases, set or clear the partner (`partner=False` keeps it),
    move the end of the working day (`day_end_s`, seconds after local midnight; None keeps it).
    With `optimise_rest=False` the route is exactly `fixed_prefix`, timed as given (drag to reorder);
    the other candidates are listed as left out. Does not save."""
    saved = load_day_plan(store, agent_id, day)
    options = saved.options if saved else DayOptions()
    removed = (set(options.remove) | set(remove)) - set(add)
    added = [c for c in dict.fromkeys([*options.add, *add]) if c not in removed]
    prefix = options.fixed_prefix if fixed_prefix is None else tuple(fixed_prefix)
    options = replace(options, add=tuple(added), remove=tuple(sorted(removed)), optimise_rest=optimise_rest,
                      fixed_prefix=tuple(c for c in prefix if c not in removed),
                      partner=options.partner if partner is False else (partner if isinstance(partner, str)
                                                                         and partner.strip() else None))
    if day_end_s is not None:
        options = replace(options, day_end_s=max(options.day_start_s + 3600, min(int(day_end_s), 24 * 3600)))
    plan = plan_agent_day(store, agent_id, day, profile, options, now)
    if saved is not None and saved.plan.stops and options.day_end_s > saved.options.day_end_s and optimise_rest:
        plan = _keep_if_better(store, agent_id, day, profile, options, plan, saved, now)
    return plan


def _value(day_plan: DayPlan) -> tuple[float, int]:
    return sum(s.priority for s in day_plan.plan.stops), -day_plan.plan.total_distance_m


def _keep_if_better(store: Store, agent_id: int, day: date, profile: Profile, options: DayOptions, plan: DayPlan,
                    saved: DayPlan, now: datetime | None) -> DayPlan:
    """A longer day must not plan less: also plan it as the saved route followed by what the extra time
    holds, and keep that if it is worth more (the search does not always find it from scratch). Only the
    stops the agent locked stay locked."""
    route = tuple(int(s.id) for s in saved.plan.stops)
    if route[:len(options.fixed_prefix)] != options.fixed_prefix:
        return plan
    extended = plan_agent_day(store, agent_id, day, profile, replace(options, fixed_prefix=route), now)
    if _value(extended) <= _value(plan):
        return plan
    locked = {str(c) for c in options.fixed_prefix}
    stops = tuple(replace(s, locked=s.id in locked, warning=s.warning if s.id in locked else "")
                  for s in extended.plan.stops)
    return replace(extended, plan=replace(extended.plan, stops=stops), options=options)


def skipped_case_numbers(store: Store, day_plan: DayPlan) -> dict[int, str]:
    """The case numbers of the plan's skipped cases, by case id (a skip names a case by its row id)."""
    ids = [int(k.id) for k in day_plan.plan.skipped if k.id.isdigit()]
    if not ids:
        return {}
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, case_no FROM cases WHERE id IN (SELECT value FROM json_each(:ids))"),
                            {"ids": json.dumps(ids)}).all()
    return {int(r[0]): str(r[1]) for r in rows}
