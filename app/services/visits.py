"""Safety at the door on the laptop: visit sessions, the local countdown, PINs, SOS and the day's end.

The desk the window uses (`VisitDesk`) keeps everything in the store first, in one transaction with
the command queued for head office (`safety_outbox`), so nothing is lost offline or in a crash:

    desk = VisitDesk(store, actor="agent01")
    desk.propose(case_id)                         # planned minutes: policy default, shorter at a hostile door
    view = desk.start(case_id, minutes)           # local session + queued `open`
    view.seconds_left(now)                        # the countdown (negative once overdue)
    desk.extend(15); desk.check_out("2580")       # check-out: slow (argon2 twice), run it in the background
    desk.sos(lat=…, lon=…)                        # priority 0: sent before anything else
    desk.back_safe()                              # the day's end
    desk.deliver(SafetyApi(client))               # send the queue (the UI's short timer, and every sync round)
    desk.refresh(api); desk.fetch_notices(api)    # policy, contacts and PIN state; window notices

Head office keeps the timer that matters and raises the alarms; the laptop's countdown is for the agent.
The PIN design is in app.services.visit_pins; delivery rules in app.services.visit_delivery.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.contract import safety as wire
from app.domain.clock import ensure_utc, local, local_day, utcnow
from app.domain.safety import NoteFact, Proposal, SafetyPolicy, day_end_time, pins_problem, propose_minutes
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.syncstate import PARTNERS, SAFETY_DAY_CLOSED, get_state, set_state
from app.sync.safety_client import SafetyApi, SafetyRefused

from . import visit_pins
from .visit_delivery import deliver_queue, fetch_notices, refresh_from
from .visit_records import (
    ContactView,
    DeliveryResult,
    NoticeView,
    VisitProblem,
    VisitView,
    _open_session,
    cached_contacts,
    cached_policy,
    pending_safety,
    queue_command,
)


def _home_first(addresses: list[m.Address]) -> tuple[m.Address | None, m.Address | None]:
    """(the visit address to show: home first, the address whose coordinates to use: home first)."""
    homes = [a for a in addresses if a.kind == "home"]
    shown = (homes or addresses)[0] if addresses else None
    located = [a for a in addresses if a.lat is not None and a.lon is not None]
    located_homes = [a for a in located if a.kind == "home"]
    return shown, (located_homes or located)[0] if located else None


def _partner_name(session: Session, partner_id: int | None) -> str | None:
    if partner_id is None:
        return None
    agent = session.get(m.Agent, partner_id)
    if agent is not None:
        return agent.display_name or agent.username
    try:
        known = json.loads(get_state(session, PARTNERS) or "{}")
    except ValueError:
        known = {}
    for p in known.values() if isinstance(known, dict) else []:
        if isinstance(p, dict) and p.get("id") == partner_id:
            return str(p.get("display_name") or p.get("username") or "") or None
    return None


class VisitDesk:
    """The agent's visit sessions on this laptop (no Qt). Every method is quick except `check_out`
    (argon2 twice), `set_pins`, `deliver`, `refresh` and `fetch_notices` (network): run those in the
    background."""

    def __init__(self, store: Store, actor: str, clock: Callable[[], datetime] = utcnow):
        self.store = store
        self.actor = actor
        self.clock = clock

    def _now(self) -> datetime:
        return ensure_utc(self.clock())

    # --- what the window reads ---------------------------------------------------------------

    def policy(self) -> SafetyPolicy:
        """The team's policy as head office last sent it; the default before the first fetch."""
        with self.store.read() as session:
            return cached_policy(session)

    def propose(self, case_id: int) -> Proposal:
        """The planned minutes for a visit to this case, from the safety notes in force on it."""
        now = self._now()
        with self.store.read() as session:
            case = session.get(m.Case, case_id)
            if case is None:
                raise VisitProblem("no_case", f"case {case_id} is not on this laptop")
            notes = session.scalars(select(m.SafetyNote).where(
                or_(m.SafetyNote.case_id == case.id, m.SafetyNote.debtor_id == case.debtor_id),
                m.SafetyNote.superseded_by.is_(None), m.SafetyNote.reported_at <= now,
                or_(m.SafetyNote.expires_at.is_(None), m.SafetyNote.expires_at > now)).order_by(m.SafetyNote.id))
            facts = [NoteFact(n.category, n.severity) for n in notes]
            return propose_minutes(cached_policy(session), facts)

    def pins_set(self) -> bool:
        """Whether this laptop holds the PIN verifiers (a check-out can be checked here)."""
        with self.store.read() as session:
            return bool(session.scalar(select(func.count()).select_from(m.SafetyPinVerifier)))

    def current(self) -> VisitView | None:
        """The open visit session, if any."""
        with self.store.read() as session:
            visit = _open_session(session)
            return self._view(session, visit) if visit is not None else None

    def current_for(self, case_id: int) -> VisitView | None:
        """The open visit session if it is for this case (after saving the case's outcome: check out)."""
        view = self.current()
        return view if view is not None and view.case_id == case_id else None

    def visits_today(self) -> int:
        """Visit sessions started today (the policy's local day)."""
        now = self._now()
        with self.store.read() as session:
            zone = cached_policy(session).zone
            day = local_day(now, zone)
            start = local(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
            starts = session.scalars(select(m.VisitSession.started_at).where(
                m.VisitSession.started_at >= start - timedelta(days=1)))
            return sum(1 for s in starts if local_day(s, zone) == day)

    def day_end_due(self, now: datetime | None = None) -> bool:
        """True when the agent visited today, has not said "back safe" today, and it is past the day's end."""
        at = ensure_utc(now) if now is not None else self._now()
        with self.store.read() as session:
            policy = cached_policy(session)
            closed = get_state(session, SAFETY_DAY_CLOSED)
        today = local_day(at, policy.zone)
        if closed == today.isoformat() or not self.visits_today():
            return False
        return local(at, policy.zone).time() >= day_end_time(policy.day_end)

    def pending(self) -> int:
        """Safety commands waiting for head office."""
        return pending_safety(self.store)

    def contacts(self) -> tuple[ContactView, ...]:
        """Whom the agent can call (partner, supervisors), as head office last sent them; also without a visit."""
        with self.store.read() as session:
            return cached_contacts(session)

    def _view(self, session: Session, visit: m.VisitSession) -> VisitView:
        return VisitView(local_id=visit.id, case_id=visit.case_id, case_number=visit.case_number,
                         address=visit.address, partner_name=visit.partner_name,
                         planned_minutes=visit.planned_minutes + visit.extended_minutes,
                         started_at=visit.started_at, due_at=visit.due_at,
                         head_office_knows=visit.head_office_knows, problem=visit.last_error,
                         contacts=cached_contacts(session))

    # --- the agent's acts --------------------------------------------------------------------

    def set_pins(self, api: SafetyApi, safety_pin: str, duress_pin: str) -> None:
        """Set both PINs: head office first (it checks them), then the local verifiers. Network: background."""
        errors = pins_problem(safety_pin, duress_pin)
        if errors:
            raise VisitProblem("pins", "; ".join(errors.values()), errors)
        try:
            api.put_pins(safety_pin, duress_pin)
        except SafetyRefused as exc:
            if exc.status == 422 or exc.code in ("invalid_pins", "invalid_request"):
                raise VisitProblem("pins", exc.detail, {"pins": exc.detail}) from exc
            raise
        verifiers = visit_pins.make_verifiers(safety_pin, duress_pin)
        now = self._now()
        with self.store.write() as session:
            visit_pins.store_verifiers(session, verifiers, now)
            append_audit(session, actor=self.actor, action="safety.pins_set", entity="safety", entity_id="pins",
                         data={}, at=now)

    def start(self, case_id: int, minutes: int, *, lat: float | None = None, lon: float | None = None,
              position_source: str = "none", partner_id: int | None = None) -> VisitView:
        """Open a visit session here and queue it for head office, in one transaction."""
        now = self._now()
        with self.store.write() as session:
            if not session.scalar(select(func.count()).select_from(m.SafetyPinVerifier)):
                raise VisitProblem("no_pins", "set your safety PIN and duress PIN before a visit")
            if _open_session(session) is not None:
                raise VisitProblem("already_open", "a visit is already running: check out of it first")
            policy = cached_policy(session)
            if not isinstance(minutes, int) or isinstance(minutes, bool) or \
                    not policy.min_minutes <= minutes <= policy.max_minutes:
                raise VisitProblem("minutes", f"plan {policy.min_minutes} to {policy.max_minutes} minutes")
            case = session.get(m.Case, case_id)
            if case is None:
                raise VisitProblem("no_case", f"case {case_id} is not on this laptop")
            shown, located = _home_first(list(case.debtor.addresses))
            if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
                source = position_source if position_source in ("device", "case_address") else "device"
            elif located is not None:
                lat, lon, source = located.lat, located.lon, "case_address"
            else:
                lat, lon, source = None, None, "none"
            visit = m.VisitSession(
                id=str(uuid.uuid4()), case_id=case.id, case_number=case.case_no,
                address=shown.text if shown is not None else "", partner_id=partner_id,
                partner_name=_partner_name(session, partner_id), planned_minutes=minutes, extended_minutes=0,
                started_at=now, due_at=now + timedelta(minutes=minutes), lat=lat, lon=lon, position_source=source,
                state="open", server_id=None, head_office_knows=False, last_error=None, wrong_pins=0)
            session.add(visit)
            session.flush()
            body = wire.SessionOpenRequest(case_id=case.id, planned_minutes=minutes, partner_id=partner_id,
                                           lat=lat, lon=lon, position_source=source,  # type: ignore[arg-type]
                                           started_at=now)
            queue_command(session, "open", body.model_dump(mode="json", exclude_none=True), now, visit)
            append_audit(session, actor=self.actor, action="visit.started", entity="case", entity_id=case.id,
                         data={"session": visit.id, "minutes": minutes}, at=now)
            return self._view(session, visit)

    def extend(self, minutes: int) -> VisitView:
        """Add minutes to the running visit's planned end."""
        now = self._now()
        with self.store.write() as session:
            visit = _open_session(session)
            if visit is None:
                raise VisitProblem("not_open", "no visit is running")
            policy = cached_policy(session)
            if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= policy.max_minutes:
                raise VisitProblem("minutes", f"extend by 1 to {policy.max_minutes} minutes")
            visit.extended_minutes += minutes
            # As head office does: added to the planned end, or to now when that is already past.
            visit.due_at = max(visit.due_at, now) + timedelta(minutes=minutes)
            queue_command(session, "extend", wire.ExtendRequest(minutes=minutes).model_dump(mode="json",
                                                                                            exclude_none=True),
                          now, visit)
            append_audit(session, actor=self.actor, action="visit.extended", entity="case",
                         entity_id=visit.case_id, data={"session": visit.id, "minutes": minutes}, at=now)
            return self._view(session, visit)

    def check_out(self, pin: str) -> bool:
        """Check out of the running visit with a PIN. True: accepted (either PIN, the same way); False: a
        wrong PIN (counted). Slow on purpose (argon2id twice, always): call it in the background."""
        with self.store.read() as session:
            visit = _open_session(session)
            if visit is None:
                raise VisitProblem("not_open", "no visit is running")
            if visit.wrong_pins >= visit_pins.MAX_WRONG_PINS:
                raise VisitProblem("pin_locked", visit_pins.LOCKED_MESSAGE)
            verifiers = visit_pins.load_verifiers(session)
            if not verifiers:
                raise VisitProblem("no_pins", "set your safety PIN and duress PIN first (needs head office)")
            visit_id = visit.id
        matched = visit_pins.matches_any(verifiers, pin if isinstance(pin, str) else "")
        now = self._now()
        with self.store.write() as session:
            visit = session.get(m.VisitSession, visit_id)
            if visit is None or visit.state != "open":
                raise VisitProblem("not_open", "no visit is running")
            if not matched:
                visit.wrong_pins += 1
                append_audit(session, actor=self.actor, action="visit.wrong_pin", entity="case",
                             entity_id=visit.case_id, data={"session": visit.id, "in_a_row": visit.wrong_pins},
                             at=now)
                return False
            visit.state = "closed"
            visit.closed_at = now
            visit.wrong_pins = 0
            queue_command(session, "check_out", {"pin": pin, "checked_out_at": now.isoformat()}, now, visit)
            append_audit(session, actor=self.actor, action="visit.checked_out", entity="case",
                         entity_id=visit.case_id, data={"session": visit.id}, at=now)
            return True

    def sos(self, *, lat: float | None = None, lon: float | None = None) -> None:
        """Raise an SOS: queued first of all (priority 0), with or without a running visit."""
        now = self._now()
        with self.store.write() as session:
            visit = _open_session(session)
            if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                lat, lon = (visit.lat, visit.lon) if visit is not None else (None, None)
            body: dict[str, Any] = {"raised_at": now.isoformat()}
            if visit is not None:
                body["case_id"] = visit.case_id
            if lat is not None and lon is not None:
                body.update(lat=lat, lon=lon)
            queue_command(session, "sos", body, now, visit)
            append_audit(session, actor=self.actor, action="visit.sos", entity="safety",
                         entity_id=visit.case_id if visit is not None else "-",
                         data={"session": visit.id if visit is not None else None}, at=now)

    def back_safe(self) -> None:
        """The agent is back safe for the day."""
        now = self._now()
        with self.store.write() as session:
            if _open_session(session) is not None:
                raise VisitProblem("already_open", "a visit is still running: check out of it first")
            day = local_day(now, cached_policy(session).zone)
            queue_command(session, "day_end", {"day": day.isoformat(), "at": now.isoformat()}, now)
            set_state(session, SAFETY_DAY_CLOSED, day.isoformat())
            append_audit(session, actor=self.actor, action="visit.day_end", entity="safety", entity_id=day.isoformat(),
                         data={}, at=now)

    # --- head office ----------------------------------------------------------------------------

    def deliver(self, api: SafetyApi, cancel: threading.Event | None = None) -> DeliveryResult:
        """Send the safety queue (SOS first, then in order). Network: call it in the background."""
        return deliver_queue(self.store, api, self.actor, self._now, cancel)

    def refresh(self, api: SafetyApi) -> None:
        """What head office says now: policy, contacts, PIN state; adopt its open session if this laptop has none."""
        refresh_from(self.store, api, self.actor, self._now)

    def fetch_notices(self, api: SafetyApi) -> list[NoticeView]:
        """New window notices since the last one fetched."""
        return fetch_notices(self.store, api)


__all__ = ["VisitProblem", "ContactView", "VisitView", "DeliveryResult", "NoticeView", "VisitDesk", "pending_safety",
           "SafetyApi"]
