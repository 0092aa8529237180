"""Generate a deterministic demo city: agents, a supervisor, debtors, cases and their histories.

Same seed and same `today` → the same database. Written with executemany on the raw connection
in one transaction (100,000 cases in well under a minute); search documents and list columns are
computed here with the same functions the services use, so `python -m app check` passes.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from app.domain.clock import DEFAULT_ZONE, utcnow
from app.domain.enums import Bucket, CaseStatus, PromiseState, Severity, Stage, VisitTrigger
from app.domain.outcomes import OUTCOMES, OutcomeCode
from app.domain.priority import PriorityInputs, score_priority
from app.store.audit import append_audit
from app.store.engine import Store, refresh_statistics
from app.store.search import make_doc, spaced
from app.store.syncstate import PARTNERS
from app.store.types import to_db_time

from . import city

MAX_CASES = 1_000_000
ZONE = ZoneInfo(DEFAULT_ZONE)


class DemoDataError(ValueError):
    pass


@dataclass(frozen=True)
class DemoSummary:
    cases: int
    agents: int
    seconds: float


def _id_checksum(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = [s for s, _ in city.SURNAMES]
        self.cum = list(accumulate(w for _, w in city.SURNAMES))

    def person(self) -> str:
        rng = self.rng
        surname = rng.choices(self.surnames, cum_weights=self.cum)[0]
        n = 1 if rng.random() < 0.35 else 2
        return surname + "".join(rng.choice(city.GIVEN) for _ in range(n))


def _local_dt(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


def generate(store: Store, cases: int, seed: int = 7, today: date | None = None,
             progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fill an empty store. Raises DemoDataError for bad sizes or a store that already holds cases."""
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 1:
        raise DemoDataError("--cases must be a whole number of at least 1")
    if cases > MAX_CASES:
        raise DemoDataError(f"--cases is limited to {MAX_CASES:,}")
    started = utcnow()
    now = utcnow() if today is None else _local_dt(today, 9, 0)
    today = today or now.astimezone(ZONE).date()
    rng = random.Random(seed)
    names = _Names(rng)
    district_cum = list(accumulate(d.weight for d in city.DISTRICTS))

    with store.engine.connect() as probe:
        existing = probe.execute(text("SELECT count(*) FROM cases")).scalar_one()
    if existing:
        raise DemoDataError(f"this store already holds {existing:,} cases; use an empty data folder for demo data")

    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        agent_rows = []
        for i, (username, display, district_name) in enumerate(city.AGENTS, start=1):
            d = next(x for x in city.DISTRICTS if x.name == district_name)
            agent_rows.append((i, username, display, "agent", city.TEAM, *d.centre))
        agent_rows.append((len(agent_rows) + 1, city.SUPERVISOR[0], city.SUPERVISOR[1], "supervisor", city.TEAM,
                           None, None))
        cur.executemany("INSERT INTO agents(id, username, display_name, role, team, base_lat, base_lon) "
                        "VALUES (?,?,?,?,?,?,?)", agent_rows)
        n_agents = len(city.AGENTS)
        # The team's standing pairs, as a sync from head office would leave them (see headoffice/demo.py).
        cur.execute("INSERT INTO sync_state(key, value) VALUES (?, ?)", (PARTNERS, _demo_partners(agent_rows)))
        # Which agent covers which district: their home district first, the rest spread round.
        agent_for_district = {d.name: (i % n_agents) + 1 for i, d in enumerate(city.DISTRICTS)}
        for i, (_u, _n, home) in enumerate(city.AGENTS, start=1):
            agent_for_district[home] = i

        b = _Batches(cur)
        now_s = to_db_time(now)
        chunk = 5000
        for start in range(0, cases, chunk):
            for case_id in range(start + 1, min(cases, start + chunk) + 1):
                _one_case(case_id, rng, names, district_cum, agent_for_district, today, now, now_s, b)
            b.flush()
            if progress:
                progress(min(cases, start + chunk), cases)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    refresh_statistics(store.engine)
    with store.write() as session:
        append_audit(session, actor="system", action="demo.generated", entity="store", entity_id="-",
                     data={"cases": cases, "seed": seed, "today": today.isoformat()}, at=utcnow())
    return DemoSummary(cases, len(agent_rows), (utcnow() - started).total_seconds())


def _demo_partners(agent_rows: list[tuple[Any, ...]]) -> str:
    by_name = {row[1]: row for row in agent_rows}
    partners: dict[str, dict[str, Any]] = {}
    for one, two in city.PAIRS:
        for me, other in ((by_name[one], by_name[two]), (by_name[two], by_name[one])):
            partners[str(me[0])] = {"id": other[0], "username": other[1], "display_name": other[2]}
    return json.dumps(partners, ensure_ascii=False, sort_keys=True)


class _Batches:
    SQL = {
        "debtors": "INSERT INTO debtors(id, name, id_number) VALUES (?,?,?)",
        "phones": "INSERT INTO phones(debtor_id, number, label, status) VALUES (?,?,?,?)",
        "addresses": "INSERT INTO addresses(id, debtor_id, kind, text, district, lat, lon) VALUES (?,?,?,?,?,?,?)",
        "contacts": "INSERT INTO emergency_contacts(debtor_id, name, relation, phone, refused_contact) "
                    "VALUES (?,?,?,?,?)",
        "cases": "INSERT INTO cases(id, case_no, debtor_id, agent_id, stage, status, trigger, paused_reason, "
                 "priority, priority_reasons, version, debtor_name, district, bucket, days_past_due, overdue_fen, "
                 "currency, promise_due, next_action_on, safety_level, last_contact_at, updated_at) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "accounts": "INSERT INTO accounts(case_id, loan_no, product, principal_fen, outstanding_fen, overdue_fen, "
                    "currency, days_past_due, missed_instalments, last_payment_on) VALUES (?,?,?,?,?,?,?,?,?,?)",
        "attempts": "INSERT INTO contact_attempts(case_id, channel, at, outcome, agent_id, phone, to_third_party, "
                    "answered, right_party, notes, lat, lon, recording_sha256, no_recording_reason, collectors, "
                    "details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "promises": "INSERT INTO promises(case_id, amount_fen, currency, due, made_at, state) VALUES (?,?,?,?,?,?)",
        "payments": "INSERT INTO payments(case_id, amount_fen, currency, method, receipt_no, paid_at, collector) "
                    "VALUES (?,?,?,?,?,?,?)",
        "safety": "INSERT INTO safety_notes(uid, case_id, debtor_id, address_id, category, severity, text, reporter, "
                  "reported_at, expires_at, two_person_required, do_not_visit) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        "relief": "INSERT INTO relief_proposals(case_id, reason, kind, detail, proposed_at, status) "
                  "VALUES (?,?,?,?,?,?)",
        "fts": "INSERT INTO case_search(rowid, case_no, name, phones, addresses, id_tail) VALUES (?,?,?,?,?,?)",
        "fts_short": "INSERT INTO case_search_short(rowid, name, addresses) VALUES (?,?,?)",
    }

    def __init__(self, cur: Any):
        self.cur = cur
        self.rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in self.SQL}
        self.address_id = 0

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        for table, sql in self.SQL.items():  # dict order = foreign-key order
            if self.rows[table]:
                self.cur.executemany(sql, self.rows[table])
                self.rows[table].clear()


def _point(rng: random.Random, d: city.District) -> tuple[float, float]:
    return (round(rng.uniform(d.south, d.north), 6), round(rng.uniform(d.west, d.east), 6))


def _phone(rng: random.Random) -> str:
    return "+86" + rng.choice(city.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _one_case(case_id: int, rng: random.Random, names: _Names, district_cum: list[int],
              agent_for_district: dict[str, int], today: date, now: datetime, now_s: str, b: _Batches) -> None:
    district = rng.choices(city.DISTRICTS, cum_weights=district_cum)[0]
    name = names.person()
    birth = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    first17 = f"{district.code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    id_number = first17 + _id_checksum(first17)
    debtor_id = case_id
    b.add("debtors", (debtor_id, name, id_number))

    phones = [_phone(rng) for _ in range(1 if rng.random() < 0.6 else 2)]
    invalid_all = rng.random() < 0.04
    for i, number in enumerate(phones):
        status = "invalid" if invalid_all else ("valid" if i == 0 else "unknown")
        b.add("phones", (debtor_id, number, "mobile", status))

    street = rng.choice(city.STREETS)
    home_lat, home_lon = _point(rng, district)
    home = (f"{city.CITY}{district.name}{street}{rng.randrange(1, 400)}号{rng.choice(city.COMPOUNDS)}"
            f"{rng.randrange(1, 30)}栋{rng.randrange(1, 6)}单元{rng.randrange(1, 33)}0{rng.randrange(1, 9)}室")
    b.address_id += 1
    home_address_id = b.address_id
    b.add("addresses", (home_address_id, debtor_id, "home", home, district.name, home_lat, home_lon))
    addresses = [home]
    if rng.random() < 0.5:
        wd = rng.choices(city.DISTRICTS, cum_weights=district_cum)[0]
        wl = _point(rng, wd)
        work = f"{city.CITY}{wd.name}{rng.choice(city.STREETS)}{rng.randrange(1, 400)}号{rng.choice(city.WORKPLACES)}"
        b.address_id += 1
        b.add("addresses", (b.address_id, debtor_id, "work", work, wd.name, wl[0], wl[1]))
        addresses.append(work)
    for _ in range(rng.randrange(1, 3)):
        b.add("contacts", (debtor_id, names.person(), rng.choice(city.RELATIONS), _phone(rng),
                           1 if rng.random() < 0.05 else 0))

    # Accounts and the case's money.
    n_accounts = 1 if rng.random() < 0.8 else 2
    dpd_max = 0
    overdue_total = 0
    for k in range(n_accounts):
        dpd = int(min(720, rng.expovariate(1 / 75.0))) + 1
        principal = rng.randrange(3_000, 200_000) * 100
        outstanding = int(principal * rng.uniform(0.2, 0.95))
        overdue = int(outstanding * rng.uniform(0.08, 0.6))
        missed = max(1, dpd // 30)
        last_paid = today - timedelta(days=dpd + rng.randrange(0, 60))
        b.add("accounts", (case_id, f"LN{case_id:07d}{k}", rng.choice(city.PRODUCTS), principal, outstanding,
                           overdue, "CNY", dpd, missed, last_paid.isoformat()))
        dpd_max = max(dpd_max, dpd)
        overdue_total += overdue

    bucket = Bucket.for_days(dpd_max)
    roll = rng.random()
    if dpd_max > 60 and roll < 0.75:
        stage = Stage.FIELD_VISIT
    elif dpd_max > 30 and roll < 0.5:
        stage = Stage.LEGAL_LETTER
    elif dpd_max > 180 and roll < 0.9:
        stage = Stage.LEGAL_ACTION
    else:
        stage = Stage.REMINDER if dpd_max <= 30 else Stage.FIELD_VISIT
    trigger = rng.choice(list(VisitTrigger)) if stage == Stage.FIELD_VISIT else None
    status = CaseStatus.OPEN
    paused_reason = None
    agent_id = agent_for_district[district.name]

    # History: attempts over the last 45 days.
    codes = list(OUTCOMES)
    weights = [8, 2, 4, 10, 16, 2, 3, 1, 2, 1, 1, 20]  # order of OutcomeCode
    evasion = 0
    last_rpc: datetime | None = None
    broken = 0
    promise_due: date | None = None
    for _ in range(rng.randrange(0, 6)):
        day = today - timedelta(days=rng.randrange(1, 45))
        at = _local_dt(day, rng.randrange(9, 20), rng.randrange(60))
        code = rng.choices(codes, weights=weights)[0]
        s = OUTCOMES[code]
        channel = "visit" if (s.visit_only or rng.random() < 0.4) else "phone"
        if code in (OutcomeCode.PAID_IN_FULL, OutcomeCode.DECEASED, OutcomeCode.DISPUTE, OutcomeCode.HARDSHIP) \
                and rng.random() < 0.7:
            code, s = OutcomeCode.NO_ANSWER, OUTCOMES[OutcomeCode.NO_ANSWER]
            channel = "phone"
        details: dict[str, Any] = {}
        if code in (OutcomeCode.NOT_HOME, OutcomeCode.NO_ANSWER, OutcomeCode.MOVED):
            evasion += 1 if (today - day).days <= 30 else 0
        if s.is_rpc:
            last_rpc = at if last_rpc is None or at > last_rpc else last_rpc
        if code == OutcomeCode.PROMISE_TO_PAY:
            amount = max(100, int(overdue_total * rng.uniform(0.1, 0.8)))
            due = day + timedelta(days=rng.randrange(1, 15))
            if due < today - timedelta(days=2):
                state = PromiseState.KEPT if rng.random() < 0.4 else PromiseState.BROKEN
            else:
                state = PromiseState.OPEN
            if state == PromiseState.BROKEN:
                broken += 1
            if state == PromiseState.KEPT:
                b.add("payments", (case_id, amount, "CNY", "bank_transfer", f"R{case_id:07d}{rng.randrange(999):03d}",
                                   to_db_time(_local_dt(due, 12, 0)), "platform"))
            if state == PromiseState.OPEN:
                promise_due = due if promise_due is None else min(promise_due, due)
                status = CaseStatus.PROMISED
            b.add("promises", (case_id, amount, "CNY", due.isoformat(), to_db_time(at), state.value))
            details = {"promise_amount_fen": amount, "promise_date": due.isoformat()}
        elif code == OutcomeCode.PARTIAL_PAYMENT:
            amount = max(100, int(overdue_total * rng.uniform(0.05, 0.3)))
            receipt = f"R{case_id:07d}{rng.randrange(999):03d}"
            b.add("payments", (case_id, amount, "CNY", "platform_app", receipt, to_db_time(at), "platform"))
            details = {"payment_amount_fen": amount, "payment_method": "platform_app", "receipt_no": receipt}
        elif code == OutcomeCode.HARDSHIP:
            reason = rng.choice(("unemployment", "illness"))
            b.add("relief", (case_id, reason, "instalment_plan", "申请分12期偿还", to_db_time(at), "pending"))
            status, paused_reason = CaseStatus.PAUSED, f"hardship: {reason}"
        elif code == OutcomeCode.DISPUTE:
            status, paused_reason = CaseStatus.PAUSED, "dispute: 债务人对金额有异议"
        recording = uuid.UUID(int=rng.getrandbits(128)).hex * 2 if channel == "visit" else None
        b.add("attempts", (case_id, channel, to_db_time(at), code.value, agent_id,
                           phones[0] if channel == "phone" else None, 0, 1 if s.is_rpc else 0, 1 if s.is_rpc else 0,
                           "", home_lat if channel == "visit" else None, home_lon if channel == "visit" else None,
                           recording, None, 2 if channel == "visit" else 1, json.dumps(details)))

    # Safety notes on a few debtors, some severe.
    level = 0
    if rng.random() < 0.06:
        category = rng.choice(list(city.SAFETY_TEXTS))
        severity = rng.choices([Severity.LOW, Severity.MEDIUM, Severity.HIGH], weights=[3, 4, 3])[0]
        two = severity == Severity.HIGH or rng.random() < 0.2
        dnv = severity == Severity.HIGH and rng.random() < 0.25
        reported = _local_dt(today - timedelta(days=rng.randrange(1, 200)), 15, 0)
        b.add("safety", (str(uuid.UUID(int=rng.getrandbits(128))), case_id, debtor_id, home_address_id, category,
                         severity.value, rng.choice(city.SAFETY_TEXTS[category]), "外访员", to_db_time(reported),
                         None, 1 if two else 0, 1 if dnv else 0))
        level = severity.rank

    score = score_priority(PriorityInputs(
        days_past_due=dpd_max, overdue_fen=overdue_total, broken_promises=broken, evasion_signals=evasion,
        days_since_last_contact=None if last_rpc is None else (now - last_rpc).days,
        hardship_open=paused_reason is not None and paused_reason.startswith("hardship"),
        dispute_open=paused_reason is not None and paused_reason.startswith("dispute"),
        promise_due_soon=promise_due is not None and today <= promise_due <= today + timedelta(days=1)))
    reasons = json.dumps([{"code": r.code, "points": r.points, "text": r.text, "args": list(r.args)}
                          for r in score.reasons], ensure_ascii=False)
    case_no = f"CD{today:%y}{case_id:07d}"
    next_action = promise_due or (today + timedelta(days=rng.randrange(0, 10)))
    b.add("cases", (case_id, case_no, debtor_id, agent_id, stage.value, status.value,
                    trigger.value if trigger else None, paused_reason, score.score, reasons, 1, name,
                    district.name, bucket.value, dpd_max, overdue_total, "CNY",
                    promise_due.isoformat() if promise_due else None, next_action.isoformat(), level,
                    to_db_time(last_rpc) if last_rpc else None, now_s))
    doc = make_doc(case_id, case_no, name, id_number, phones, addresses)
    b.add("fts", (case_id, doc.case_no, doc.name, doc.phones, doc.addresses, doc.id_tail))
    b.add("fts_short", (case_id, spaced(doc.name), spaced(doc.addresses)))
