"""Planning: pending `sms` ladder actions become queued `sms_messages`.

For each pending action (in batches, one write transaction each; a second planner skips the rows the
first holds and the unique (action, phone) stops a message being made twice):

* the case must still be open (status `open`: not paused, promised, closed or returned) and, when
  the ladder placed it, still at the action's level; else the action is `skipped` with the reason;
* the template must exist and be active; else the action `failed` ("no active template");
* the number: only the debtor's OWN phones (`phones`, never `emergency_contacts`). Passed over, each
  with an `sms_messages` row in state `skipped` and a `skipped` trail item saying why: a number whose
  status marks it dead (`DEAD_STATUSES`: invalid, dead, wrong, …), one that is not a valid number
  (phonenumbers, the profile's region unless it has its own +country code), not a mobile, or that is
  also an emergency contact's number (the debt's details go only to the debtor). One reminder goes to
  the best number left (status `valid` before `unknown`, then the first imported);
* the body is the template merged with the case's facts (headoffice/sms/fields.py);
* `scheduled_at` is the first allowed minute (headoffice/sms/slots.py) in the debtor's zone
  (`debtors.zone`, else the profile's), at or after the later of now and the run date's midnight
  there, on a day and in a week with room under the profile's caps
  (`sms_max_per_debtor_per_day`, `…_per_week`; every queued, sending, sent, delivered or undelivered
  message to the debtor counts, whichever case it was for);
* the action becomes `done`; the message's `queued` trail item is written and the case announced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.domain.compliance import Profile, builtin_profile
from app.domain.masking import mask_phone
from headoffice.db import Database
from headoffice.ladder.models import CaseLadder, CaseTrailItem, LadderAction, SmsMessage, SmsTemplate
from headoffice.ladder.trail import announce, trail_rows
from headoffice.models import Case, Contact, Debtor, Phone

from .fields import CaseFacts, merge, parse_template, values_for
from .slots import Caps, Counts, first_slot, local_day, window_for, zone_of
from .templates import active_template, load_settings

BATCH = 500
DEAD_STATUSES = frozenset({"invalid", "dead", "wrong", "wrong_number", "disconnected", "not_in_service",
                           "suspended", "stopped", "empty", "unreachable_permanent"})
COUNTED = ("queued", "sending", "sent", "delivered", "undelivered")
MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


@dataclass
class PlanResult:
    actions: int = 0
    queued: int = 0
    actions_skipped: dict[str, int] = field(default_factory=dict)  # why → count
    numbers_skipped: dict[str, int] = field(default_factory=dict)

    def count(self, where: dict[str, int], why: str) -> None:
        where[why] = where.get(why, 0) + 1


def region_of(profile: Profile) -> str:
    head = profile.id[:2].upper()
    return head if head.isalpha() else "CN"


def number_problem(raw: str, status: str, region: str) -> tuple[str | None, str | None]:
    """(E.164, None) for a number a reminder may go to, else (what it could be read as, why not)."""
    if (status or "").strip().lower() in DEAD_STATUSES:
        return None, "number_invalid"
    try:
        parsed = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        return None, "not_a_number"
    if not phonenumbers.is_valid_number(parsed):
        return None, "not_a_number"
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.number_type(parsed) not in MOBILE_TYPES:
        return e164, "not_mobile"
    return e164, None


def normalised(raw: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def debtor_counts(session: Session, debtor_ids: Iterable[int], since: datetime,
                  zones: dict[int, ZoneInfo], exclude: int | None = None) -> dict[int, Counts]:
    """Each debtor's counted messages by local day and week, from `since` on."""
    out: dict[int, Counts] = defaultdict(Counts)
    ids = sorted(set(debtor_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        q = (select(Case.debtor_id, SmsMessage.scheduled_at).join(Case, Case.id == SmsMessage.case_id)
             .where(Case.debtor_id.in_(chunk), SmsMessage.state.in_(COUNTED), SmsMessage.scheduled_at >= since))
        if exclude is not None:
            q = q.where(SmsMessage.id != exclude)
        for debtor_id, at in session.execute(q).tuples():
            out[debtor_id].add(local_day(at, zones[debtor_id]))
    return out


def plan(db: Database, now: datetime, profile: Profile | None = None, batch: int = BATCH) -> PlanResult:
    """Turn every pending `sms` action into a queued message (or a skip with its reason)."""
    profile = profile or builtin_profile("CN")
    result = PlanResult()
    pending = (select(LadderAction.id).where(LadderAction.action == "sms", LadderAction.state == "pending")
               .limit(1))
    with db.read() as s:  # nothing pending (the usual pass) costs one index probe and no write lock
        if s.scalar(pending) is None:
            return result
    while True:
        with db.write() as s:
            actions = list(s.scalars(
                select(LadderAction).where(LadderAction.action == "sms", LadderAction.state == "pending")
                .order_by(LadderAction.id).limit(batch).with_for_update(skip_locked=True)))
            if not actions:
                return result
            _plan_batch(s, actions, now, profile, result)
        if len(actions) < batch:
            return result


def _plan_batch(s: Session, actions: list[LadderAction], now: datetime, profile: Profile, result: PlanResult) -> None:
    region, window, caps = region_of(profile), window_for(profile), Caps.of(profile)
    case_ids = sorted({a.case_id for a in actions})
    cases = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_(case_ids)))}
    debtor_ids = sorted({c.debtor_id for c in cases.values()})
    debtors = {d.id: d for d in s.scalars(select(Debtor).where(Debtor.id.in_(debtor_ids)))}
    phones: dict[int, list[Phone]] = defaultdict(list)
    for p in s.scalars(select(Phone).where(Phone.debtor_id.in_(debtor_ids)).order_by(Phone.id)):
        phones[p.debtor_id].append(p)
    contact_numbers: dict[int, set[str]] = defaultdict(set)
    for debtor_id, number in s.execute(select(Contact.debtor_id, Contact.phone)
                                       .where(Contact.debtor_id.in_(debtor_ids))).tuples():
        e164 = normalised(number, region)
        if e164:
            contact_numbers[debtor_id].add(e164)
    levels = dict(s.execute(select(CaseLadder.case_id, CaseLadder.level).where(CaseLadder.case_id.in_(case_ids)))
                  .tuples().all())
    zones = {d.id: zone_of(d.zone, profile.timezone) for d in debtors.values()}
    counts = debtor_counts(s, debtor_ids, now - timedelta(days=8), zones)
    settings = load_settings(s)
    templates: dict[str, SmsTemplate | None] = {}
    made: list[tuple[SmsMessage | None, int, dict[str, Any]]] = []  # (row, case, its trail data)
    for action in actions:
        result.actions += 1
        case = cases.get(action.case_id)
        debtor = debtors.get(case.debtor_id) if case is not None else None
        if case is None or debtor is None:
            _close(action, "skipped", "the case is gone", now)
            result.count(result.actions_skipped, "case_gone")
            continue
        tz = zones[debtor.id]
        base = {"template": action.template or "", "number": None, "scheduled_at": None, "text": None}
        if case.status != "open" or case.stage == "closed":
            why = f"case_{case.status if case.status != 'open' else 'closed'}"
            _close(action, "skipped", f"the case is {case.status}", now)
            made.append((None, case.id, {**base, "state": "skipped", "why": why}))
            result.count(result.actions_skipped, why)
            continue
        if action.case_id in levels and levels[action.case_id] != action.level:
            _close(action, "skipped", f"the case moved to {levels[action.case_id]}", now)
            result.count(result.actions_skipped, "moved")
            continue
        code = action.template or ""
        if code not in templates:
            templates[code] = _active(s, code)
        template = templates[code]
        if template is None:
            _close(action, "failed", f"no active SMS template {code!r}", now)
            made.append((None, case.id, {**base, "state": "skipped", "why": "no_template"}))
            result.count(result.actions_skipped, "no_template")
            continue
        chosen: tuple[Phone, str] | None = None
        seen: set[str] = set()
        for phone in sorted(phones.get(debtor.id, []), key=lambda p: (p.status != "valid", p.id)):
            e164, bad = number_problem(phone.number, phone.status, region)
            if bad is None and e164 in contact_numbers[debtor.id]:
                bad = "contact_number"
            if bad is None and e164 in seen:
                continue
            if bad is not None:
                row = _row(action, case, phone, e164 or (phone.number or "")[:32], template, "", tz, now, now)
                row.state, row.skip_reason, row.next_attempt_at = "skipped", bad, None
                made.append((row, case.id, {**base, "state": "skipped", "why": bad, "template": template.code,
                                            "number": mask_phone(phone.number or "")}))
                result.count(result.numbers_skipped, bad)
                continue
            assert e164 is not None
            seen.add(e164)
            if chosen is None:
                chosen = (phone, e164)
        if chosen is None:
            _close(action, "skipped", "no valid mobile number of the debtor's own", now)
            made.append((None, case.id, {**base, "state": "skipped", "why": "no_number", "template": template.code}))
            result.count(result.actions_skipped, "no_number")
            continue
        run_start = datetime.combine(action.run_on, time(0, 0), tzinfo=tz).astimezone(UTC)
        slot = first_slot(max(now, run_start), tz, window, caps, counts[debtor.id])
        if slot is None:
            _close(action, "skipped", "the SMS caps leave no room", now)
            result.count(result.actions_skipped, "no_room")
            continue
        facts = CaseFacts(debtor.name, case.case_no, case.overdue_fen, case.days_past_due, action.run_on)
        body = merge(parse_template(template.body), values_for(facts, settings))
        phone, e164 = chosen
        row = _row(action, case, phone, e164, template, body, tz, now, slot)
        counts[debtor.id].add(local_day(slot, tz))
        made.append((row, case.id, {**base, "state": "queued", "template": template.code, "number": mask_phone(e164),
                                    "scheduled_at": slot.astimezone(tz).isoformat(), "text": body}))
        _close(action, "done", "", now)
        result.queued += 1
    s.add_all([m for m, _c, _d in made if m is not None])
    s.flush()
    trail: list[dict[str, Any]] = []
    for m, case_id, data in made:
        trail.append(trail_rows(s, case_id, "sms", {k: v for k, v in data.items() if v is not None}, now,
                                ref=None if m is None else str(m.id)))
    if trail:
        s.execute(insert(CaseTrailItem), trail)
    announce(s, now, {t["case_id"] for t in trail})


def _active(s: Session, code: str) -> SmsTemplate | None:
    return active_template(s, code) if code else None


def _row(action: LadderAction, case: Case, phone: Phone, number: str, template: SmsTemplate, body: str,
         tz: ZoneInfo, now: datetime, slot: datetime) -> SmsMessage:
    return SmsMessage(case_id=case.id, action_id=action.id, phone_id=phone.id, number=number[:32],
                      template_code=template.code, template_version=template.version, body=body, zone=tz.key,
                      created_at=now, scheduled_at=slot, state="queued", attempts=0, next_attempt_at=slot)


def _close(action: LadderAction, state: str, detail: str, now: datetime) -> None:
    action.state, action.detail, action.done_at = state, detail, now

