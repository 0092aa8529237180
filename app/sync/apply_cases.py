"""A pulled page's case upserts, written as sets: the case, its debtor, phones, addresses, emergency
contacts, accounts, safety notes, history (contact attempts that have no local event) and its escalation
ladder (level, the visit trigger's evidence, the trail: `apply_ladder`), with the
search index kept in step and the touched case ids handed to a `refresh` hook that recomputes the
list columns (priority…).

Records made on this laptop are never overwritten: attempts, promises, payments and relief
proposals that come from local events stay; while a case has events waiting to upload its local
status, pause reason and any address added at the door are kept too. Promises and payments that
someone else recorded (a previous holder, head office) are rebuilt from the history, keyed by
event id, so promise filters, the timeline and reports see them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.contract import v1
from app.domain.clock import DEFAULT_ZONE, local_day
from app.domain.enums import Bucket, PromiseState
from app.domain.money import MAX_FEN, Money
from app.domain.outcomes import OutcomeCode
from app.domain.promises import DEFAULT_GRACE_DAYS, PaymentView, PromiseView, evaluate_promise
from app.store.search import reindex_cases
from app.store.syncstate import PROFILE, get_state
from app.store.types import from_db_time, to_db_time

from .apply_ladder import ladders_of, write_ladder
from .apply_removals import pending_removals, remove_case, save_pending_removals
from .local_writes import cases_with_queued_events, db_time, executemany, json_id_list, run

# Recompute the denormalised list columns of these cases (priority, promise due, safety level).
Refresh = Callable[[Session, Sequence[int], datetime], None]


def _ensure_agents(session: Session, agent_ids: set[int]) -> None:
    if not agent_ids:
        return
    have = {int(r[0]) for r in run(
        session, "SELECT id FROM agents WHERE id IN (SELECT value FROM json_each(:ids))",
        {"ids": json_id_list(agent_ids)})}
    missing = sorted(agent_ids - have)
    if missing:
        # Known only by id until the agent list arrives (a supervisor's pull fetches it).
        session.execute(text("INSERT INTO agents(id, username, display_name, role, team) "
                             "VALUES (:id, :u, :u, 'agent', '')"),
                        [{"id": i, "u": f"#{i}"} for i in missing])


def upsert_agent(session: Session, agent_id: int, username: str, display_name: str, role: str, team: str,
                 base_lat: float | None = None, base_lon: float | None = None) -> None:
    """Insert or update an agent row, freeing the username if an older row (another id) holds it."""
    session.execute(text("UPDATE agents SET username = username || '#' || id WHERE username = :u AND id != :id"),
                    {"u": username, "id": agent_id})
    session.execute(text(
        "INSERT INTO agents(id, username, display_name, role, team, base_lat, base_lon) "
        "VALUES (:id, :u, :d, :r, :t, :lat, :lon) ON CONFLICT(id) DO UPDATE SET username = excluded.username, "
        "display_name = excluded.display_name, role = excluded.role, team = excluded.team, "
        "base_lat = coalesce(excluded.base_lat, agents.base_lat), base_lon = coalesce(excluded.base_lon, "
        "agents.base_lon)"),
        {"id": agent_id, "u": username, "d": display_name, "r": role, "t": team, "lat": base_lat, "lon": base_lon})


def _district(c: v1.CaseData) -> str:
    for kind in ("home", "work", "other"):
        for a in c.addresses:
            if a.kind == kind and a.district:
                return a.district
    return ""


def _bucket(days: int) -> str:
    return Bucket.for_days(max(1, days)).value


def upsert_cases(session: Session, cases: list[v1.CaseData], now: datetime, refresh: Refresh | None) -> None:
    ids = [c.id for c in cases]
    ids_json = json_id_list(ids)
    debtor_ids = sorted({c.debtor_id for c in cases})
    debtors_json = json_id_list(debtor_ids)
    queued = cases_with_queued_events(session, ids)
    queued_debtors = {c.debtor_id for c in cases if c.id in queued}
    local_events = {str(r[0]) for r in run(
        session, "SELECT id FROM events WHERE case_id IN (SELECT value FROM json_each(:ids))", {"ids": ids_json})}
    pending_events = {str(r[0]) for r in run(
        session, "SELECT e.id FROM events e JOIN outbox o ON o.event_id = e.id "
        "WHERE e.case_id IN (SELECT value FROM json_each(:ids))", {"ids": ids_json})}
    now_s = to_db_time(now)
    _ensure_agents(session, {c.agent_id for c in cases if c.agent_id is not None})
    _free_case_numbers(session, cases, now)

    # Debtors and their contact details (head office is the source of truth for these).
    executemany(session, (
        "INSERT INTO debtors(id, name, id_number) VALUES (:id, :name, :idn) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, id_number = excluded.id_number"),
        [{"id": c.debtor_id, "name": c.debtor_name, "idn": c.id_number} for c in cases])
    by_debtor: dict[int, v1.CaseData] = {c.debtor_id: c for c in cases}
    phones: list[dict[str, Any]] = [{"id": p.id, "d": c.debtor_id, "n": p.number, "l": p.label, "s": p.status}
              for c in by_debtor.values() for p in c.phones]
    contacts: list[dict[str, Any]] = [{"id": k.id, "d": c.debtor_id, "n": k.name, "r": k.relation, "p": k.phone, "x": k.refused_contact}
                for c in by_debtor.values() for k in c.contacts]
    addresses = [{"id": a.id, "d": c.debtor_id, "k": a.kind, "t": a.text, "ds": a.district, "lat": a.lat,
                  "lon": a.lon} for c in by_debtor.values() for a in c.addresses]
    run(session, "DELETE FROM phones WHERE debtor_id IN (SELECT value FROM json_each(:d)) "
                         "OR id IN (SELECT value FROM json_each(:ids))",
                    {"d": debtors_json, "ids": json_id_list(int(p["id"]) for p in phones)})
    if phones:
        executemany(session, "INSERT INTO phones(id, debtor_id, number, label, status) VALUES (:id, :d, :n, :l, :s)",
                    phones)
    run(session, "DELETE FROM emergency_contacts WHERE debtor_id IN (SELECT value FROM json_each(:d)) "
                         "OR id IN (SELECT value FROM json_each(:ids))",
                    {"d": debtors_json, "ids": json_id_list(int(k["id"]) for k in contacts)})
    if contacts:
        executemany(session, ("INSERT INTO emergency_contacts(id, debtor_id, name, relation, phone, refused_contact) "
                             "VALUES (:id, :d, :n, :r, :p, :x)"), contacts)
    _write_addresses(session, addresses, debtor_ids, queued_debtors)

    # The cases. Local status and pause reason survive while the case has events waiting to upload.
    case_rows = []
    for c in cases:
        dpd = max((a.days_past_due for a in c.accounts), default=0)
        case_rows.append({
            "id": c.id, "no": c.case_no, "debtor": c.debtor_id, "agent": c.agent_id, "stage": c.stage,
            "status": c.status, "trigger": c.trigger, "paused": c.paused_reason, "version": c.version,
            "name": c.debtor_name, "district": _district(c), "bucket": _bucket(dpd), "dpd": dpd,
            "overdue": sum(a.overdue_fen for a in c.accounts),
            "cur": c.accounts[0].currency if c.accounts else "CNY", "now": now_s, "queued": c.id in queued,
        })
    executemany(session, (
        "INSERT INTO cases(id, case_no, debtor_id, agent_id, stage, status, trigger, paused_reason, priority, "
        "priority_reasons, version, debtor_name, district, bucket, days_past_due, overdue_fen, currency, "
        "safety_level, updated_at) VALUES (:id, :no, :debtor, :agent, :stage, :status, :trigger, :paused, 0, '[]', "
        ":version, :name, :district, :bucket, :dpd, :overdue, :cur, 0, :now) "
        "ON CONFLICT(id) DO UPDATE SET case_no = excluded.case_no, debtor_id = excluded.debtor_id, "
        "agent_id = excluded.agent_id, stage = excluded.stage, trigger = excluded.trigger, "
        "status = CASE WHEN :queued THEN cases.status ELSE excluded.status END, "
        "paused_reason = CASE WHEN :queued THEN cases.paused_reason ELSE excluded.paused_reason END, "
        "version = excluded.version, debtor_name = excluded.debtor_name, district = excluded.district, "
        "bucket = excluded.bucket, days_past_due = excluded.days_past_due, overdue_fen = excluded.overdue_fen, "
        "currency = excluded.currency, updated_at = excluded.updated_at"), case_rows)

    accounts: list[dict[str, Any]] = [{"id": a.id, "case": c.id, "no": a.loan_no, "p": a.product, "pr": a.principal_fen,
                 "out": a.outstanding_fen, "od": a.overdue_fen, "cur": a.currency, "dpd": a.days_past_due,
                 "mi": a.missed_instalments, "lp": a.last_payment_on.isoformat() if a.last_payment_on else None}
                for c in cases for a in c.accounts]
    run(session, "DELETE FROM accounts WHERE case_id IN (SELECT value FROM json_each(:c)) "
                         "OR id IN (SELECT value FROM json_each(:ids))",
                    {"c": ids_json, "ids": json_id_list(int(a["id"]) for a in accounts)})
    if accounts:
        executemany(session, (
            "INSERT INTO accounts(id, case_id, loan_no, product, principal_fen, outstanding_fen, overdue_fen, "
            "currency, days_past_due, missed_instalments, last_payment_on) "
            "VALUES (:id, :case, :no, :p, :pr, :out, :od, :cur, :dpd, :mi, :lp)"), accounts)
    # Payments recorded here and not yet acknowledged still lower what is overdue.
    if queued:
        run(session,
            "UPDATE cases SET overdue_fen = max(0, overdue_fen - coalesce((SELECT sum(p.amount_fen) FROM payments p "
            "JOIN outbox o ON o.event_id = p.event_id WHERE p.case_id = cases.id), 0)) "
            "WHERE id IN (SELECT value FROM json_each(:c))", {"c": json_id_list(queued)})

    _write_history(session, cases, ids_json, local_events)
    _write_records_by_others(session, cases, local_events, now)
    _write_safety_notes(session, cases, pending_events)
    write_ladder(session, ladders_of(cases))

    run(session,
        "UPDATE cases SET last_contact_at = (SELECT max(a.at) FROM contact_attempts a WHERE a.case_id = cases.id "
        "AND a.right_party = 1) WHERE id IN (SELECT value FROM json_each(:c))", {"c": ids_json})
    pending = pending_removals(session)
    if pending.keys() & set(ids):
        for i in ids:
            pending.pop(i, None)  # the case came back (reassigned to this agent again)
        save_pending_removals(session, pending)
    session.flush()
    reindex_cases(session.connection(), ids)
    if refresh is not None:
        refresh(session, ids, now)


def _free_case_numbers(session: Session, cases: list[v1.CaseData], now: datetime) -> None:
    """A local case holding an incoming case number under another id (data made on this laptop
    before it ever synced) gives way: removed if nothing of it waits to upload, else renamed."""
    clashes = run(session,
        "SELECT c.id, c.case_no FROM cases c JOIN json_each(:pairs) j ON c.case_no = json_extract(j.value, '$[1]') "
        "WHERE c.id != json_extract(j.value, '$[0]')",
        {"pairs": json.dumps([[c.id, c.case_no] for c in cases], ensure_ascii=False)}).fetchall()
    renamed = []
    for case_id, case_no in clashes:
        if cases_with_queued_events(session, [int(case_id)]):
            run(session, "UPDATE cases SET case_no = :n WHERE id = :id",
                            {"n": f"{case_no}~{case_id}"[:32], "id": case_id})
            renamed.append(int(case_id))
        else:
            remove_case(session, int(case_id))
    if renamed:
        reindex_cases(session.connection(), renamed)


def _write_addresses(session: Session, rows: list[dict[str, Any]], debtor_ids: list[int],
                     keep_local_for: set[int]) -> None:
    server_ids = {r["id"] for r in rows}
    # An address added at the door (its event still queued) is kept; other stale ones go.
    run(session,
        "DELETE FROM addresses WHERE debtor_id IN (SELECT value FROM json_each(:d)) "
        "AND debtor_id NOT IN (SELECT value FROM json_each(:keep)) "
        "AND id NOT IN (SELECT value FROM json_each(:ids))",
        {"d": json_id_list(debtor_ids), "keep": json_id_list(keep_local_for), "ids": json_id_list(server_ids)})
    if not rows:
        return
    # A row made on this laptop may hold an id head office uses for another debtor: give it a new id.
    clashes = run(session,
        "SELECT id, debtor_id FROM addresses WHERE id IN (SELECT value FROM json_each(:ids))",
        {"ids": json_id_list(server_ids)}).fetchall()
    want = {r["id"]: r["d"] for r in rows}
    for address_id, debtor_id in clashes:
        if want[int(address_id)] != int(debtor_id) and int(debtor_id) in keep_local_for:
            new_id = int(run(session, "SELECT max(id) FROM addresses").fetchone()[0]) + 1
            new_id = max(new_id, max(server_ids) + 1)
            run(session, "INSERT INTO addresses(id, debtor_id, kind, text, district, lat, lon) "
                                 "SELECT :new, debtor_id, kind, text, district, lat, lon FROM addresses WHERE id = :old",
                            {"new": new_id, "old": address_id})
            run(session, "UPDATE safety_notes SET address_id = :new WHERE address_id = :old",
                            {"new": new_id, "old": address_id})
            run(session, "DELETE FROM addresses WHERE id = :old", {"old": address_id})
    executemany(session, (
        "INSERT INTO addresses(id, debtor_id, kind, text, district, lat, lon) VALUES (:id, :d, :k, :t, :ds, :lat, :lon) "
        "ON CONFLICT(id) DO UPDATE SET debtor_id = excluded.debtor_id, kind = excluded.kind, text = excluded.text, "
        "district = excluded.district, lat = excluded.lat, lon = excluded.lon"), rows)


def _write_history(session: Session, cases: list[v1.CaseData], ids_json: str, local_events: set[str]) -> None:
    # Attempts projected from this laptop's own events stay; the server's history replaces the rest.
    run(session,
        "DELETE FROM contact_attempts WHERE case_id IN (SELECT value FROM json_each(:c)) "
        "AND (event_id IS NULL OR event_id NOT IN (SELECT id FROM events))", {"c": ids_json})
    rows = []
    for c in cases:
        for h in c.history:
            if h.event_id is not None and h.event_id in local_events:
                continue
            d = h.details
            rows.append({
                "case": c.id, "ev": h.event_id, "ch": h.channel, "at": to_db_time(h.at), "out": h.outcome,
                "agent": d.get("agent_id") if isinstance(d.get("agent_id"), int) else None, "phone": h.phone,
                "tp": h.to_third_party, "ans": h.answered, "rp": h.right_party,
                "notes": str(d.get("notes") or "")[:10_000],
                "lat": d.get("lat") if isinstance(d.get("lat"), int | float) else None,
                "lon": d.get("lon") if isinstance(d.get("lon"), int | float) else None,
                "rec": d.get("recording_sha256") if isinstance(d.get("recording_sha256"), str) else None,
                "col": d.get("collectors") if isinstance(d.get("collectors"), int) else 1,
                "det": json.dumps(d.get("fields", d), ensure_ascii=False, sort_keys=True, default=str),
            })
    if rows:
        executemany(session, (
            "INSERT OR IGNORE INTO contact_attempts(case_id, event_id, channel, at, outcome, agent_id, phone, "
            "to_third_party, answered, right_party, notes, lat, lon, recording_sha256, collectors, details) "
            "VALUES (:case, :ev, :ch, :at, :out, :agent, :phone, :tp, :ans, :rp, :notes, :lat, :lon, :rec, :col, "
            ":det)"), rows)


def _fen(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_FEN else None


def _day(value: Any) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


def _write_records_by_others(session: Session, cases: list[v1.CaseData], local_events: set[str],
                             now: datetime) -> None:
    """Promises and payments someone else recorded on these cases (a previous holder, head office),
    rebuilt from the pulled history so promise-due filters, the timeline and reports see them.

    Keyed by event id: pulling the same history again updates the same rows, and records made on
    this laptop (their events are here) are never doubled. A rebuilt promise keeps the state this
    laptop judged it to be in; new and open ones are judged against the case's payments.
    """
    promises: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    for c in cases:
        currency = c.accounts[0].currency if c.accounts else "CNY"
        for h in c.history:
            if h.event_id is None or h.event_id in local_events:
                continue
            d = h.details
            if h.outcome == OutcomeCode.PROMISE_TO_PAY.value:
                amount, due = _fen(d.get("promise_amount_fen")), _day(d.get("promise_date"))
                if amount is not None and due is not None:
                    promises.append({"case": c.id, "ev": h.event_id, "amount": amount, "cur": currency,
                                     "due": due, "at": to_db_time(h.at)})
            elif h.outcome in (OutcomeCode.PAID_IN_FULL.value, OutcomeCode.PARTIAL_PAYMENT.value):
                amount = _fen(d.get("payment_amount_fen"))
                if amount is not None:
                    payments.append({"case": c.id, "ev": h.event_id, "amount": amount, "cur": currency,
                                     "method": str(d.get("payment_method") or "")[:32],
                                     "receipt": str(d.get("receipt_no") or "")[:64], "at": to_db_time(h.at)})
    if payments:
        executemany(session, (
            "INSERT INTO payments(case_id, event_id, amount_fen, currency, method, receipt_no, paid_at, collector) "
            "VALUES (:case, :ev, :amount, :cur, :method, :receipt, :at, '') ON CONFLICT(event_id) DO UPDATE SET "
            "case_id = excluded.case_id, amount_fen = excluded.amount_fen, currency = excluded.currency, "
            "method = excluded.method, receipt_no = excluded.receipt_no, paid_at = excluded.paid_at"), payments)
    if promises:
        executemany(session, (
            "INSERT INTO promises(case_id, event_id, amount_fen, currency, due, made_at, state) "
            "VALUES (:case, :ev, :amount, :cur, :due, :at, 'open') ON CONFLICT(event_id) DO UPDATE SET "
            "case_id = excluded.case_id, amount_fen = excluded.amount_fen, currency = excluded.currency, "
            "due = excluded.due, made_at = excluded.made_at"), promises)
        _judge_rebuilt_promises(session, sorted({p["case"] for p in promises}), [p["ev"] for p in promises], now)


def _judge_rebuilt_promises(session: Session, case_ids: list[int], event_ids: list[str], now: datetime) -> None:
    """Kept or broken, by the compliance profile's grace period, for rebuilt promises still open."""
    raw = get_state(session, PROFILE)
    try:
        grace = int(json.loads(raw).get("promise_grace_days", DEFAULT_GRACE_DAYS)) if raw else DEFAULT_GRACE_DAYS
    except (ValueError, TypeError, AttributeError):
        grace = DEFAULT_GRACE_DAYS
    grace = max(0, grace)
    today = local_day(now, DEFAULT_ZONE)
    paid: dict[int, list[PaymentView]] = {}
    for case_id, fen, currency, at in run(session,
            "SELECT case_id, amount_fen, currency, paid_at FROM payments "
            "WHERE case_id IN (SELECT value FROM json_each(:c))", {"c": json_id_list(case_ids)}):
        paid.setdefault(int(case_id), []).append(PaymentView(Money(int(fen), currency), from_db_time(at)))
    changed = []
    for pid, case_id, fen, currency, due, made_at in run(session,
            "SELECT id, case_id, amount_fen, currency, due, made_at FROM promises WHERE state = 'open' "
            "AND event_id IN (SELECT value FROM json_each(:e))", {"e": json.dumps(event_ids)}):
        state = evaluate_promise(PromiseView(Money(int(fen), currency), date.fromisoformat(due),
                                             from_db_time(made_at)), paid.get(int(case_id), []), today, grace)
        if state != PromiseState.OPEN:
            changed.append({"id": pid, "s": state.value})
    executemany(session, "UPDATE promises SET state = :s WHERE id = :id", changed)


def _write_safety_notes(session: Session, cases: list[v1.CaseData], pending_events: set[str]) -> None:
    uids = {n.uid for c in cases for n in c.safety_notes}
    local_pending = {str(r[0]) for r in run(session,
        "SELECT uid FROM safety_notes WHERE event_id IN (SELECT value FROM json_each(:e))",
        {"e": json.dumps(sorted(pending_events))})} if pending_events else set()
    # Notes from head office that it no longer lists go; notes recorded here and still queued stay.
    run(session,
        "DELETE FROM safety_notes WHERE case_id IN (SELECT value FROM json_each(:c)) "
        "AND uid NOT IN (SELECT value FROM json_each(:u)) AND uid NOT IN (SELECT value FROM json_each(:keep))",
        {"c": json_id_list(c.id for c in cases), "u": json.dumps(sorted(uids)), "keep": json.dumps(sorted(local_pending))})
    rows = []
    superseded: dict[str, str] = {}
    for c in cases:
        for n in c.safety_notes:
            if n.uid in local_pending:
                continue
            if n.supersedes:
                superseded[n.supersedes] = n.uid
            rows.append({"uid": n.uid, "case": c.id, "debtor": c.debtor_id, "cat": n.category[:32],
                         "sev": n.severity, "text": n.text, "rep": n.reporter[:200], "at": to_db_time(n.reported_at),
                         "exp": db_time(n.expires_at), "two": n.two_person_required, "dnv": n.do_not_visit,
                         "sup": n.supersedes})
    if rows:
        executemany(session, (
            "INSERT INTO safety_notes(uid, case_id, debtor_id, category, severity, text, reporter, reported_at, "
            "expires_at, two_person_required, do_not_visit, supersedes) VALUES (:uid, :case, :debtor, :cat, :sev, "
            ":text, :rep, :at, :exp, :two, :dnv, :sup) ON CONFLICT(uid) DO UPDATE SET category = excluded.category, "
            "severity = excluded.severity, text = excluded.text, reporter = excluded.reporter, "
            "reported_at = excluded.reported_at, expires_at = excluded.expires_at, "
            "two_person_required = excluded.two_person_required, do_not_visit = excluded.do_not_visit, "
            "supersedes = excluded.supersedes"), rows)
    if superseded:
        executemany(session, ("UPDATE safety_notes SET superseded_by = :new WHERE uid = :old"),
                        [{"old": k, "new": v} for k, v in superseded.items()])
