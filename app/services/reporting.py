"""Reports and exports: load each report's data from the store and hand it to the pure builders.

For the CLI and the app's Reports view (call from a worker thread: these read and write the disk):

    settings = ReportSettings.default(lang="zh")          # once: finds and registers the CJK font
    build_daily_sheet(store, day, out, settings, agent="agent01")   # agent=None: every field agent
    build_case_report(store, "CD260000023", out, settings)          # case number or id
    build_receipt(store, payment_id_or_receipt_no, out, settings)
    build_team_report(store, first_day, last_day, out, settings, team=None)
    export_cases(store, CaseQuery(...), "csv" | "xlsx", out, settings.locale)

Each returns a `Built` (path, pages or rows) and raises `ReportError` (unknown case, agent,
payment…) or `app.reports.fonts.FontNotFound` with a message for the user. The matching
`daily_sheets` / `case_report` / `receipt` / `team_report` return the data alone. Pages render to
images with `app.ui.pdf_pages.render_pdf_pages`. Reading uses plain SQL, batched, so a 200-stop
sheet or a 100,000-case team report does not load ORM objects one by one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

from app.domain.clock import DEFAULT_ZONE, ensure_utc, utcnow
from app.domain.compliance import Profile, builtin_profile
from app.domain.masking import mask_id_number, mask_name, mask_phone
from app.domain.money import Money
from app.reports.data import (
    AccountLine,
    AgentFigures,
    CaseReport,
    ContactLine,
    DailySheet,
    Evidence,
    Receipt,
    Rules,
    SafetyLine,
    Stop,
    TeamReport,
    TimelineItem,
)
from app.reports.exports import CASE_COLUMNS, Cell, write_csv, write_xlsx
from app.reports.layout import Setup
from app.reports.locale import ReportLocale, locale_from_env
from app.store.engine import Store
from app.store.queries import CaseQuery
from app.store.types import from_db_time, to_db_time


class ReportError(LookupError):
    """The report cannot be made from what the store holds (unknown case, agent, payment…)."""


@dataclass(frozen=True)
class ReportSettings:
    """What every report needs besides its data. Build once (it registers the font) and reuse."""

    setup: Setup
    locale: ReportLocale
    profile: Profile
    receipt_key: bytes | None = None  # the organisation's receipt key, if it has one (see reports/verify.py)

    @classmethod
    def default(cls, lang: str | None = None, zone: str = DEFAULT_ZONE, profile: Profile | None = None,
                receipt_key: bytes | None = None) -> ReportSettings:
        loc = ReportLocale(lang, zone) if lang else locale_from_env(zone=zone)
        return cls(Setup.load(), loc, profile or builtin_profile("CN"), receipt_key)


@dataclass(frozen=True)
class Built:
    path: Path
    pages: int = 0  # PDFs
    rows: int = 0  # exports
    items: int = 0  # stops, timeline entries, agents…


# --- shared reads ------------------------------------------------------------------------------


def _ids(values: Sequence[int]) -> str:
    return json.dumps([int(v) for v in values])


def _day_bounds(start: date, end: date, zone: str) -> tuple[str, str]:
    """[start 00:00, end+1 00:00) local, as stored UTC text."""
    tz = ZoneInfo(zone)
    lo = datetime.combine(start, time(0), tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    return to_db_time(lo), to_db_time(hi)


def _safety_by_case(conn: Connection, cases: Mapping[int, int], now: datetime) -> dict[int, list[SafetyLine]]:
    """Active, current safety notes for each case (notes on the case or on its debtor)."""
    if not cases:
        return {}
    now_s = to_db_time(now)
    rows = conn.execute(text(
        "SELECT case_id, debtor_id, category, severity, text, two_person_required, do_not_visit, reported_at, "
        "reporter FROM safety_notes WHERE superseded_by IS NULL AND reported_at <= :now "
        "AND (expires_at IS NULL OR expires_at > :now) "
        "AND (case_id IN (SELECT value FROM json_each(:ids)) OR debtor_id IN (SELECT value FROM json_each(:debtors))) "
        "ORDER BY reported_at DESC"),
        {"now": now_s, "ids": _ids(list(cases)), "debtors": _ids(list(set(cases.values())))}).all()
    by_debtor: dict[int, list[int]] = {}
    for case_id, debtor_id in cases.items():
        by_debtor.setdefault(debtor_id, []).append(case_id)
    out: dict[int, list[SafetyLine]] = {}
    for r in rows:
        line = SafetyLine(r[2], r[3], r[4], bool(r[5]), bool(r[6]), from_db_time(r[7]), r[8])
        targets = set(by_debtor.get(r[1], [])) if r[1] is not None else set()
        if r[0] in cases:
            targets.add(r[0])
        for cid in targets:
            out.setdefault(cid, []).append(line)
    return out


def _agent(conn: Connection, agent: str | int) -> tuple[int, str, str, float | None, float | None]:
    key = str(agent).strip()
    row = conn.execute(text("SELECT id, username, display_name, base_lat, base_lon FROM agents "
                            "WHERE username = :u OR (CAST(id AS TEXT) = :u)"), {"u": key}).first()
    if row is None:
        raise ReportError(f"no agent {key!r} on this device")
    return int(row[0]), row[1], row[2], row[3], row[4]


# --- daily visit sheet -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    case_ids: list[int]
    planned: dict[int, int]  # case id → seconds after local midnight
    start: tuple[float, float] | None


def read_day_plan(data: str) -> _Plan:
    """The saved plan's stops in order. Accepts the routing plan's JSON (`stops` with `id`, `start_s`,
    `start` [lat, lon]) and simpler shapes (`case_id`, a bare list of ids). Raises ValueError if unreadable."""
    plan: Any = json.loads(data)
    if isinstance(plan, dict) and isinstance(plan.get("plan"), dict):
        plan = plan["plan"]
    stops: Any = plan.get("stops", plan.get("case_ids")) if isinstance(plan, dict) else plan
    if not isinstance(stops, list):
        raise ValueError("the plan has no list of stops")
    ids: list[int] = []
    planned: dict[int, int] = {}
    for stop in stops:
        raw = stop.get("case_id", stop.get("id")) if isinstance(stop, dict) else stop
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise ValueError("a stop's id is not a case id")
        try:
            cid = int(raw)
        except (TypeError, ValueError):
            raise ValueError(f"a stop's id is not a case id: {str(raw)[:40]!r}") from None
        if cid in planned or cid in ids:
            continue
        ids.append(cid)
        if isinstance(stop, dict):
            seconds = stop.get("start_s", stop.get("arrival_s"))
            if isinstance(seconds, int) and not isinstance(seconds, bool) and 0 <= seconds <= 86400:
                planned[cid] = seconds
    start = None
    if isinstance(plan, dict):
        s = plan.get("start")
        try:
            if isinstance(s, (list, tuple)) and len(s) == 2:
                start = (float(s[0]), float(s[1]))
            elif isinstance(s, dict):
                start = (float(s["lat"]), float(s["lon"]))
        except (TypeError, ValueError, KeyError):
            start = None
    return _Plan(ids, planned, start)


def _due_case_ids(conn: Connection, agent_id: int, day: date) -> list[int]:
    """Without a saved plan: the agent's field-visit cases with an action or a promise due that day, by priority."""
    return [r[0] for r in conn.execute(text(
        "SELECT id FROM cases WHERE agent_id = :a AND stage = 'field_visit' "
        "AND status NOT IN ('closed', 'returned', 'paused') AND (next_action_on = :d OR promise_due = :d) "
        "ORDER BY priority DESC, id"), {"a": agent_id, "d": day.isoformat()})]


def _stops(conn: Connection, case_ids: list[int], planned: Mapping[int, int], day: date, zone: str,
           now: datetime) -> list[Stop]:
    if not case_ids:
        return []
    ids = _ids(case_ids)
    cases = {r[0]: r for r in conn.execute(text(
        "SELECT c.id, c.case_no, c.debtor_name, c.overdue_fen, c.currency, c.promise_due, c.days_past_due, "
        "c.debtor_id, (SELECT sum(outstanding_fen) FROM accounts a WHERE a.case_id = c.id) "
        "FROM cases c WHERE c.id IN (SELECT value FROM json_each(:ids))"), {"ids": ids})}
    addresses: dict[int, tuple[str, float | None, float | None]] = {}
    for debtor_id, addr, lat, lon in conn.execute(text(
            "SELECT debtor_id, text, lat, lon FROM addresses WHERE debtor_id IN "
            "(SELECT value FROM json_each(:d)) ORDER BY debtor_id, kind != 'home', id"),
            {"d": _ids([c[7] for c in cases.values()])}):
        addresses.setdefault(debtor_id, (addr, lat, lon))
    promises: dict[int, int] = {}
    for case_id, amount in conn.execute(text(
            "SELECT case_id, amount_fen FROM promises WHERE state = 'open' "
            "AND case_id IN (SELECT value FROM json_each(:ids)) "
            "ORDER BY case_id, due DESC"), {"ids": ids}):
        promises[case_id] = amount  # the earliest open promise wins (ordered last)
    last: dict[int, tuple[str, datetime]] = {}
    for case_id, outcome, at in conn.execute(text(
            "SELECT case_id, outcome, max(at) FROM contact_attempts "
            "WHERE case_id IN (SELECT value FROM json_each(:ids)) GROUP BY case_id"),
            {"ids": ids}):
        last[case_id] = (outcome, from_db_time(at))
    safety = _safety_by_case(conn, {cid: c[7] for cid, c in cases.items()}, now)
    tz = ZoneInfo(zone)
    out: list[Stop] = []
    for cid in case_ids:
        c = cases.get(cid)
        if c is None:
            continue
        addr, lat, lon = addresses.get(c[7], ("", None, None))
        due = date.fromisoformat(c[5]) if isinstance(c[5], str) else c[5]
        seconds = planned.get(cid)
        at = (datetime.combine(day, time(0), tzinfo=tz) + timedelta(seconds=seconds)).astimezone(UTC) \
            if seconds is not None else None
        outcome, outcome_at = last.get(cid, (None, None))
        out.append(Stop(
            seq=len(out) + 1, case_no=c[1], debtor_name=c[2], address=addr, overdue=Money(c[3], c[4]),
            outstanding=Money(c[8], c[4]) if c[8] is not None else None, lat=lat, lon=lon, planned_at=at,
            promise_due=due, promise_amount=Money(promises[cid], c[4]) if cid in promises and due else None,
            last_outcome=outcome, last_outcome_at=outcome_at, days_past_due=c[6],
            safety=tuple(safety.get(cid, ()))))
    return out


def rules_from_profile(profile: Profile) -> Rules:
    w = profile.window
    return Rules(f"{w.start:%H:%M}", f"{w.end:%H:%M}", profile.visit_requires_recording,
                 profile.home_visit_min_collectors)


def daily_sheets(store: Store, day: date, agent: str | int | None, profile: Profile, zone: str = DEFAULT_ZONE,
                 now: datetime | None = None) -> list[DailySheet]:
    """One sheet per agent (the given one, or every field agent of the store)."""
    now = ensure_utc(now or utcnow())
    sheets: list[DailySheet] = []
    with store.engine.connect() as conn:
        if agent is not None:
            agents = [_agent(conn, agent)]
        else:
            agents = [(int(r[0]), r[1], r[2], r[3], r[4]) for r in conn.execute(text(
                "SELECT id, username, display_name, base_lat, base_lon FROM agents WHERE role = 'agent' ORDER BY id"))]
        for agent_id, username, name, base_lat, base_lon in agents:
            saved = conn.execute(text("SELECT data FROM day_plans WHERE agent_id = :a AND day = :d"),
                                 {"a": agent_id, "d": day.isoformat()}).scalar()
            order = "priority"
            plan = _Plan([], {}, None)
            if saved is not None:
                try:
                    plan = read_day_plan(saved)
                    order = "plan"
                except (ValueError, TypeError, json.JSONDecodeError):
                    order = "plan_bad"
            ids = plan.case_ids if order == "plan" else _due_case_ids(conn, agent_id, day)
            stops = _stops(conn, ids, plan.planned, day, zone, now)
            start = plan.start or ((base_lat, base_lon) if base_lat is not None and base_lon is not None else None)
            sheets.append(DailySheet(day, name, username, tuple(stops), order, start, rules_from_profile(profile)))
    return sheets


def build_daily_sheet(store: Store, day: date, out: Path | str, settings: ReportSettings,
                      agent: str | int | None = None, now: datetime | None = None) -> Built:
    from app.reports.daily import build_daily_sheets

    now = ensure_utc(now or utcnow())
    sheets = daily_sheets(store, day, agent, settings.profile, settings.locale.zone, now)
    if not sheets:
        raise ReportError("this device holds no field agents")
    if agent is None:  # every agent: leave out those with nothing planned, unless all are empty
        sheets = [s for s in sheets if s.stops] or sheets[:1]
    pages = build_daily_sheets(sheets, out, settings.setup, settings.locale, now)
    return Built(Path(out), pages=pages, items=sum(len(s.stops) for s in sheets))


# --- case visit report -------------------------------------------------------------------------


def _case_id(conn: Connection, case: str | int) -> int:
    key = str(case).strip()
    row = conn.execute(text("SELECT id FROM cases WHERE case_no = :k OR CAST(id AS TEXT) = :k "
                            "ORDER BY case_no = :k DESC LIMIT 1"), {"k": key}).first()
    if row is None:
        raise ReportError(f"no case {key!r} on this device")
    return int(row[0])


def _outcome_detail(details: str, notes: str, loc: ReportLocale) -> str:
    try:
        fields = json.loads(details or "{}")
    except json.JSONDecodeError:
        fields = {}
    parts: list[str] = []
    if isinstance(fields, dict):
        for key, value in sorted(fields.items()):
            if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
                parts.append(f"{loc.term(key[:-4])}: {Money(value).format()}")
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                parts.append(f"{loc.term(key)}: {loc.term(value) if isinstance(value, str) else value}")
    if notes:
        parts.append(notes)
    return "\n".join(parts)


def case_report(store: Store, case: str | int, loc: ReportLocale, now: datetime | None = None) -> CaseReport:
    now = ensure_utc(now or utcnow())
    with store.engine.connect() as conn:
        cid = _case_id(conn, case)
        c = conn.execute(text(
            "SELECT c.case_no, c.debtor_name, d.id_number, c.stage, c.status, c.trigger, c.paused_reason, c.priority, "
            "c.priority_reasons, c.days_past_due, c.bucket, c.overdue_fen, c.currency, c.debtor_id, "
            "coalesce(ag.display_name, '') FROM cases c JOIN debtors d ON d.id = c.debtor_id "
            "LEFT JOIN agents ag ON ag.id = c.agent_id WHERE c.id = :id"), {"id": cid}).one()
        debtor_id = c[13]
        phones = tuple(f"{mask_phone(n)} ({loc.term(s)})" for n, s in conn.execute(
            text("SELECT number, status FROM phones WHERE debtor_id = :d ORDER BY id"), {"d": debtor_id}))
        addresses = tuple(f"{loc.term(k)}: {t}" for k, t in conn.execute(
            text("SELECT kind, text FROM addresses WHERE debtor_id = :d ORDER BY kind != 'home', id"), {"d": debtor_id}))
        contacts = tuple(ContactLine(mask_name(n), r, mask_phone(p), bool(x)) for n, r, p, x in conn.execute(
            text("SELECT name, relation, phone, refused_contact FROM emergency_contacts WHERE debtor_id = :d "
                 "ORDER BY id"), {"d": debtor_id}))
        accounts = tuple(AccountLine(r[0], r[1], Money(r[2], r[6]), Money(r[3], r[6]), Money(r[4], r[6]), r[5], r[7],
                                     date.fromisoformat(r[8]) if r[8] else None) for r in conn.execute(text(
            "SELECT loan_no, product, principal_fen, outstanding_fen, overdue_fen, days_past_due, currency, "
            "missed_instalments, last_payment_on FROM accounts WHERE case_id = :id ORDER BY id"), {"id": cid}))
        timeline: list[TimelineItem] = []
        evidence: list[Evidence] = []
        agents = {r[0]: r[1] for r in conn.execute(text("SELECT id, display_name FROM agents"))}
        for r in conn.execute(text(
                "SELECT at, channel, outcome, notes, details, recording_sha256, no_recording_reason, agent_id, "
                "collectors FROM contact_attempts WHERE case_id = :id ORDER BY at"), {"id": cid}):
            at = from_db_time(r[0])
            detail = _outcome_detail(r[4], r[3], loc)
            if r[6]:
                detail += ("\n" if detail else "") + f"{loc.t('no_recording')}: {r[6]}"
            timeline.append(TimelineItem(at, "outcome", r[2], detail, agents.get(r[7], ""), r[1]))
            if r[5]:
                evidence.append(Evidence(r[5], "recording", at))
        for r in conn.execute(text("SELECT paid_at, amount_fen, currency, method, receipt_no, collector "
                                   "FROM payments WHERE case_id = :id"), {"id": cid}):
            timeline.append(TimelineItem(from_db_time(r[0]), "payment", r[3],
                                         f"{Money(r[1], r[2]).format()}  {r[4]}", r[5]))
        for r in conn.execute(text("SELECT made_at, amount_fen, currency, due, state FROM promises "
                                   "WHERE case_id = :id"), {"id": cid}):
            timeline.append(TimelineItem(from_db_time(r[0]), "promise", r[4],
                                         f"{Money(r[1], r[2]).format()} → {loc.date(date.fromisoformat(r[3]))}"))
        for r in conn.execute(text("SELECT proposed_at, reason, kind, detail, status FROM relief_proposals "
                                   "WHERE case_id = :id"), {"id": cid}):
            timeline.append(TimelineItem(from_db_time(r[0]), "relief", r[4],
                                         f"{loc.term(r[1])} · {loc.term(r[2])}\n{r[3]}"))
        for r in conn.execute(text("SELECT reported_at, category, severity, text, reporter FROM safety_notes "
                                   "WHERE case_id = :id OR debtor_id = :d"), {"id": cid, "d": debtor_id}):
            timeline.append(TimelineItem(from_db_time(r[0]), "safety_note", r[1], f"{loc.term(r[2])}: {r[3]}", r[4]))
        for r in conn.execute(text("SELECT sha256, media_type, created_at FROM attachments WHERE case_id = :id "
                                   "ORDER BY created_at"), {"id": cid}):
            if all(e.sha256 != r[0] for e in evidence):
                evidence.append(Evidence(r[0], r[1], from_db_time(r[2])))
        safety = _safety_by_case(conn, {cid: debtor_id}, now).get(cid, [])
    try:
        reasons = tuple(loc.priority_reason(str(x.get("code", "")), tuple(str(a) for a in x.get("args", [])),
                                            str(x.get("text", "")))
                        + (f" (+{x['points']})" if "points" in x else "")
                        for x in json.loads(c[8] or "[]") if isinstance(x, dict))
    except (json.JSONDecodeError, TypeError):
        reasons = ()
    timeline.sort(key=lambda i: i.at)
    return CaseReport(
        case_no=c[0], debtor_name=c[1], id_number_masked=mask_id_number(c[2]), phones_masked=phones,
        addresses=addresses, stage=c[3], status=c[4], trigger=c[5], paused_reason=c[6], priority=c[7],
        priority_reasons=reasons, days_past_due=c[9], bucket=c[10], overdue=Money(c[11], c[12]),
        accounts=accounts, agent_name=c[14], timeline=tuple(timeline), evidence=tuple(evidence),
        safety=tuple(safety), contacts=contacts, generated_at=now)


def build_case_report(store: Store, case: str | int, out: Path | str, settings: ReportSettings,
                      now: datetime | None = None) -> Built:
    from app.reports.casereport import build_case_report as build

    now = ensure_utc(now or utcnow())
    report = case_report(store, case, settings.locale, now)
    pages = build(report, out, settings.setup, settings.locale, now)
    return Built(Path(out), pages=pages, items=len(report.timeline))


# --- payment receipt ---------------------------------------------------------------------------


def receipt(store: Store, payment: str | int) -> Receipt:
    key = str(payment).strip()
    with store.engine.connect() as conn:
        r = conn.execute(text(
            "SELECT p.id, p.receipt_no, p.amount_fen, p.currency, p.method, p.paid_at, p.collector, c.case_no, "
            "c.debtor_name, p.event_id FROM payments p JOIN cases c ON c.id = p.case_id "
            "WHERE CAST(p.id AS TEXT) = :k OR p.receipt_no = :k ORDER BY CAST(p.id AS TEXT) = :k DESC LIMIT 1"),
            {"k": key}).first()
    if r is None:
        raise ReportError(f"no payment {key!r} on this device")
    return Receipt(int(r[0]), r[1], Money(r[2], r[3]), r[4], from_db_time(r[5]), r[6], r[7], r[8], r[9])


def build_receipt(store: Store, payment: str | int, out: Path | str, settings: ReportSettings,
                  now: datetime | None = None) -> Built:
    from app.reports.receipt import build_receipt as build

    data = receipt(store, payment)
    pages = build(data, out, settings.setup, settings.locale, ensure_utc(now or utcnow()), settings.receipt_key)
    return Built(Path(out), pages=pages, items=1)


# --- team report -------------------------------------------------------------------------------


def team_report(store: Store, start: date, end: date, zone: str = DEFAULT_ZONE, team: str | None = None) -> TeamReport:
    """Figures per field agent for [start, end] (local days, inclusive). Attempts without an agent
    count for the agent who holds the case; payments and promises likewise."""
    if end < start:
        raise ReportError("the period ends before it starts")
    lo, hi = _day_bounds(start, end, zone)
    p = {"lo": lo, "hi": hi, "d0": start.isoformat(), "d1": end.isoformat()}
    with store.engine.connect() as conn:
        sql = "SELECT id, username, display_name, team FROM agents WHERE role = 'agent'"
        params: dict[str, object] = {}
        if team:
            sql += " AND team = :team"
            params["team"] = team
        agents = conn.execute(text(sql + " ORDER BY id"), params).all()
        team_name = team or (agents[0][3] if agents and len({a[3] for a in agents}) == 1 else "")
        held: dict[int, int] = {r[0]: r[1] for r in conn.execute(text(
            "SELECT agent_id, count(*) FROM cases WHERE status NOT IN ('closed', 'returned') GROUP BY agent_id"))}
        activity = {r[0]: r[1:] for r in conn.execute(text(
            "SELECT coalesce(a.agent_id, c.agent_id), sum(a.channel = 'visit'), "
            "sum(a.outcome != 'aborted_safety'), sum(a.right_party) "
            "FROM contact_attempts a JOIN cases c ON c.id = a.case_id WHERE a.at >= :lo AND a.at < :hi "
            "GROUP BY 1"), p)}
        made: dict[int, int] = {r[0]: r[1] for r in conn.execute(text(
            "SELECT c.agent_id, count(*) FROM promises pr JOIN cases c ON c.id = pr.case_id "
            "WHERE pr.made_at >= :lo AND pr.made_at < :hi GROUP BY 1"), p)}
        judged = {r[0]: r[1:] for r in conn.execute(text(
            "SELECT c.agent_id, sum(pr.state = 'kept'), sum(pr.state = 'broken') FROM promises pr "
            "JOIN cases c ON c.id = pr.case_id WHERE pr.due >= :d0 AND pr.due <= :d1 GROUP BY 1"), p)}
        collected: dict[int, int] = {r[0]: r[1] for r in conn.execute(text(
            "SELECT c.agent_id, sum(py.amount_fen) FROM payments py JOIN cases c ON c.id = py.case_id "
            "WHERE py.paid_at >= :lo AND py.paid_at < :hi AND py.currency = 'CNY' GROUP BY 1"), p)}
    figures = []
    for agent_id, username, name, _team in agents:
        act = activity.get(agent_id, (0, 0, 0))
        kept, broken = judged.get(agent_id, (0, 0))
        figures.append(AgentFigures(username, name, int(held.get(agent_id, 0)), int(act[0] or 0), int(act[1] or 0),
                                    int(act[2] or 0), int(made.get(agent_id, 0)), int(kept or 0), int(broken or 0),
                                    Money(int(collected.get(agent_id, 0) or 0))))
    return TeamReport(team_name, start, end, tuple(figures))


def build_team_report(store: Store, start: date, end: date, out: Path | str, settings: ReportSettings,
                      team: str | None = None, now: datetime | None = None) -> Built:
    from app.reports.team import build_team_report as build

    from .safety_reports import safety_figures

    report = team_report(store, start, end, settings.locale.zone, team)
    report = replace(report, safety=safety_figures(store, start, end))
    if not report.agents:
        raise ReportError("no field agents" + (f" in team {team!r}" if team else "") + " on this device")
    pages = build(report, out, settings.setup, settings.locale, ensure_utc(now or utcnow()))
    return Built(Path(out), pages=pages, items=len(report.agents))


# --- exports -----------------------------------------------------------------------------------

_EXPORT_SELECT = (
    "SELECT cases.case_no, cases.debtor_name, debtors.id_number, "
    "(SELECT number FROM phones WHERE phones.debtor_id = cases.debtor_id ORDER BY phones.id LIMIT 1), "
    "cases.district, cases.days_past_due, cases.bucket, cases.overdue_fen, cases.currency, cases.stage, "
    "cases.status, cases.priority, cases.promise_due, cases.next_action_on, cases.safety_level, agents.username "
    "FROM cases JOIN debtors ON debtors.id = cases.debtor_id LEFT JOIN agents ON agents.id = cases.agent_id")

_SAFETY_WORD = {1: "low", 2: "medium", 3: "high"}
_STAGE_AND_STATUS = ("reminder", "legal_letter", "field_visit", "legal_action", "agency", "closed", "open", "paused",
                     "promised", "returned")


def export_rows(conn: Connection, query: CaseQuery, loc: ReportLocale, limit: int | None = None) -> Iterator[list[Cell]]:
    """The case list as printed cells (see CASE_COLUMNS), masked as on screen, in the list's order.
    Amounts are integer fen and dates ISO text; the writers turn them into what each format wants."""
    where, params = query.where()
    sql = _EXPORT_SELECT + where + query.order_by()
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = int(limit)
    words = {k: loc.term(k) for k in (*_STAGE_AND_STATUS, *_SAFETY_WORD.values())}
    safety = {level: words[w] for level, w in _SAFETY_WORD.items()}
    for r in conn.execute(text(sql), params):
        yield [r[0], mask_name(r[1]), mask_id_number(r[2]), mask_phone(r[3]) if r[3] else None, r[4], r[5], r[6],
               r[7], r[8], words.get(r[9]) or loc.term(r[9]), words.get(r[10]) or loc.term(r[10]),
               round(r[11], 1), r[12], r[13], safety.get(r[14]), r[15]]


def export_cases(store: Store, query: CaseQuery, fmt: str, out: Path | str, loc: ReportLocale,
                 limit: int | None = None) -> Built:
    """Export the filtered case list to CSV or XLSX. Returns the number of rows written."""
    if fmt not in ("csv", "xlsx"):
        raise ReportError(f"cannot export to {fmt!r}: choose csv or xlsx")
    with store.engine.connect() as conn:
        rows = export_rows(conn, query, loc, limit)
        if fmt == "csv":
            n = write_csv(out, CASE_COLUMNS, rows, loc)
        else:
            n = write_xlsx(out, CASE_COLUMNS, rows, loc, sheet_title="案件" if loc.lang == "zh" else "Cases")
    return Built(Path(out), rows=n)
