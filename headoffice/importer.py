"""Import overdue cases from the lending platform: CSV or JSON, one transaction per file.

CSV: UTF-8 (with or without BOM) or GBK/GB18030 (detected), comma-separated, one header row.
JSON: a list of objects, or {"cases": [...]}, with the same keys. Column names (English, or the
Chinese header in brackets):

  required  external_id (案件编号)  the platform's case id; re-importing it updates the case
            debtor_name (姓名)      id_number (身份证号, 18 characters with a valid check digit, or 15 digits)
            overdue (逾期金额)       yuan, e.g. 1234.56 or ¥1,234.56
            days_past_due (逾期天数) whole days, 1..20000
  optional  case_no (案件号, default: external_id)   loan_no (借据号, default: external_id)
            product (产品)  principal (本金)  outstanding (剩余本金)  (yuan; principal ≥ outstanding ≥ overdue)
            missed_instalments (逾期期数)  last_payment_on (最近还款日, YYYY-MM-DD)
            phones (手机号, several separated by ; or |)  home_address (家庭地址)  work_address (单位地址)
            district (区县)  lat (纬度)  lon (经度)  (WGS-84 of the home address, both or neither)
            contact_name (紧急联系人)  contact_relation (关系)  contact_phone (联系人电话)
            stage (阶段: reminder, legal_letter, field_visit, legal_action, agency)
            agent (外访员, a username)  team (团队)
  accepted  trigger (外访原因): still read (an unknown value is a bad row) for files made for earlier
            versions, but recorded nowhere: a visit trigger is only what head office's escalation
            ladder detects and can show evidence for (headoffice/ladder/), never what a file says.

Stage: a NEW case takes the file's stage (the ladder's daily run places it at the first level of that
stage; a field-visit level only with a detected trigger). Once the ladder has placed a case, its stage
is the ladder's: a re-import no longer changes it.

Cure and delinquency episodes (`delinquency_episodes`, for the visit trigger "repeated delinquency"):
a new case starts an episode on the day it fell overdue (the import day less its days past due). A
re-import with overdue 0 and days_past_due 0 (both, or neither) says the case is cured: its open
episode ends on the import day. A cured case that comes overdue again starts a new episode. A new
case cannot be imported cured.

A bad row is reported with its line number, the field and the reason, and skipped; good rows are
imported. A file-level problem (undecodable bytes, not JSON or CSV, duplicate or missing required
columns, no rows) imports nothing. Nothing is ever half-applied: each row goes in whole or not at
all (a savepoint per row), and the file commits as one transaction or not at all, so a failure
part-way (the database) leaves the database as it was. The report's created + updated + unchanged
are exactly the file's rows in the database; every other row is in its problems.

Text from the file is checked by `app.domain.text_input` (lone surrogates, NUL and other control
characters, bidirectional controls, length); line breaks are allowed only in the two addresses.
JSON values must have the type of their field: text fields take strings (identifiers and phone
numbers also whole numbers), amounts and counts take numbers or strings of digits.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_ZONE, local_day, utcnow
from app.domain.enums import Stage, VisitTrigger
from app.domain.money import MoneyError, parse_yuan
from app.domain.text_input import shown, text_problem

from .changes import ChangeWriter
from .db import Database
from .ladder.models import CaseLadder, DelinquencyEpisode
from .models import Account, Address, Case, CaseHolder, Contact, Debtor, Phone, User
from .projection import recompute_case

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_FIELD = 2000
REQUIRED = ("external_id", "debtor_name", "id_number", "overdue", "days_past_due")
OPTIONAL = ("case_no", "loan_no", "product", "principal", "outstanding", "missed_instalments", "last_payment_on",
            "phones", "home_address", "work_address", "district", "lat", "lon", "contact_name", "contact_relation",
            "contact_phone", "stage", "trigger", "agent", "team")
ALIASES = {
    "案件编号": "external_id", "姓名": "debtor_name", "身份证号": "id_number", "逾期金额": "overdue",
    "逾期天数": "days_past_due", "案件号": "case_no", "借据号": "loan_no", "产品": "product", "本金": "principal",
    "剩余本金": "outstanding", "逾期期数": "missed_instalments", "最近还款日": "last_payment_on", "手机号": "phones",
    "家庭地址": "home_address", "单位地址": "work_address", "区县": "district", "纬度": "lat", "经度": "lon",
    "紧急联系人": "contact_name", "关系": "contact_relation", "联系人电话": "contact_phone", "阶段": "stage",
    "外访原因": "trigger", "外访员": "agent", "团队": "team",
}
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,24}$")
_ID18 = re.compile(r"^[0-9]{17}[0-9X]$")
_ID15 = re.compile(r"^[0-9]{15}$")
MAX_NUMBER_TEXT = 64  # an amount, count or coordinate written as text
NUMBERS_AS_TEXT = frozenset({"external_id", "case_no", "loan_no", "id_number", "phones", "contact_phone"})
MULTILINE = frozenset({"home_address", "work_address"})


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing was changed."""


class RowError(ValueError):
    def __init__(self, reason: str, field: str = ""):
        super().__init__(reason)
        self.field = field  # the column or key at fault, when one is


@dataclass(frozen=True)
class Problem:
    line: int  # CSV: the line of the file; JSON: the case's position in the list (1-based)
    reason: str  # names the field when one is at fault
    field: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"the file starts as UTF-8 (a byte-order mark) but byte {exc.start + 3:,} "
                                  "is not UTF-8") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise ImportFileError("the file is neither UTF-8 nor GBK text") from None


def _header(name: str) -> str:
    key = name.strip().lstrip("\ufeff").strip()
    return ALIASES.get(key, key.lower())


def read_rows(path: Path) -> tuple[Iterator[tuple[int, dict[str, Any]]], list[str]]:
    """(line number, raw row) pairs and the ignored column names. Raises ImportFileError."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path.name}: {exc.strerror}") from None
    if not data.strip():
        raise ImportFileError("the file is empty")
    text = decode(data)
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        return _json_rows(text)
    return _csv_rows(text)


def _check_columns(columns: list[str]) -> list[str]:
    dups = sorted({c for c in columns if columns.count(c) > 1})
    if dups:
        raise ImportFileError(f"duplicate columns: {', '.join(dups)}")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(f"missing required columns: {', '.join(missing)}")
    return [c for c in columns if c not in REQUIRED and c not in OPTIONAL]


def _csv_rows(text: str) -> tuple[Iterator[tuple[int, dict[str, Any]]], list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        raw_header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(f"no header row: {exc}") from None
    columns = [_header(c) for c in raw_header]
    ignored = _check_columns(columns)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, {"__error__": f"unreadable CSV: {exc}"}
                continue
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                yield reader.line_num, {"__error__": f"expected {len(columns)} fields, found {len(values)}"}
                continue
            yield reader.line_num, dict(zip(columns, values, strict=True))

    return rows(), ignored


def _json_rows(text: str) -> tuple[Iterator[tuple[int, dict[str, Any]]], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"not valid JSON (line {exc.lineno}): {exc.msg}") from None
    except RecursionError:
        raise ImportFileError("the JSON is nested too deeply to be a list of cases") from None
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        raise ImportFileError(f"not valid JSON: {shown(str(exc), 120)}") from None
    if isinstance(data, Mapping):
        data = data.get("cases")
    if not isinstance(data, list):
        raise ImportFileError("JSON must be a list of cases or an object with a \"cases\" list")
    if data and not any(isinstance(item, Mapping) for item in data):
        raise ImportFileError("the JSON list holds no case objects (each case is an object of fields)")
    columns = sorted({_header(str(k)) for item in data if isinstance(item, Mapping) for k in item})
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(f"missing required keys: {', '.join(missing)}")
    ignored = [c for c in columns if c not in REQUIRED and c not in OPTIONAL]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for i, item in enumerate(data, start=1):
            if not isinstance(item, Mapping):
                yield i, {"__error__": f"each case must be an object, found {_kind(item)}"}
                continue
            keys = [_header(str(k)) for k in item]
            if len(set(keys)) != len(keys):
                yield i, {"__error__": "the same field appears twice"}
                continue
            yield i, {_header(str(k)): v for k, v in item.items()}

    return rows(), ignored


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "null" if value is None else type(value).__name__


# --- one row ---------------------------------------------------------------------------------------


@dataclass
class CaseRow:
    external_id: str
    case_no: str
    debtor_name: str
    id_number: str
    overdue_fen: int
    days_past_due: int
    loan_no: str
    product: str
    principal_fen: int
    outstanding_fen: int
    missed_instalments: int
    last_payment_on: date | None
    phones: list[str]
    home_address: str
    work_address: str
    district: str
    lat: float | None
    lon: float | None
    contact: tuple[str, str, str] | None
    stage: str
    agent: str
    team: str
    cured: bool = False  # overdue 0 and days past due 0: the platform says the case is paid up


def _text(row: Mapping[str, Any], key: str, *, required: bool = False, limit: int = MAX_FIELD) -> str:
    value = row.get(key)
    if value is None:
        value = ""
    if isinstance(value, int) and not isinstance(value, bool) and key in NUMBERS_AS_TEXT:
        value = str(value)
    if not isinstance(value, str):
        raise RowError(f"{key}: expected text, found {_kind(value)}", key)
    text = value.strip()
    if required and not text:
        raise RowError(f"{key} is required", key)
    problem = text_problem(text, max_length=limit, multiline=key in MULTILINE)
    if problem is not None:
        raise RowError(f"{key} {problem}", key)
    return text


def _number_value(row: Mapping[str, Any], key: str) -> Any:
    """The raw value of a numeric field: None when empty; a number or a short string otherwise."""
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(f"{key}: expected a number, found {_kind(value)}", key)
    if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
        raise RowError(f"{key}: expected a number, found text of {len(value):,} characters", key)
    if isinstance(value, int) and abs(value) > 10**30:
        raise RowError(f"{key}: the number is too large", key)
    return value


def _amount(row: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = _number_value(row, key)
    if value is None:
        if default is None:
            raise RowError(f"{key} is required", key)
        return default
    if isinstance(value, float):
        value = repr(value)
    try:
        return parse_yuan(str(value))
    except MoneyError as exc:
        raise RowError(f"{key}: {exc}", key) from None


def _int(row: Mapping[str, Any], key: str, low: int, high: int, default: int | None = None) -> int:
    value = _number_value(row, key)
    if value is None:
        if default is None:
            raise RowError(f"{key} is required", key)
        return default
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        n = int(str(value).strip()) if not isinstance(value, float) else int(value)
    except ValueError:
        raise RowError(f"{key}: not a whole number: {str(value)[:40]!r}", key) from None
    if not low <= n <= high:
        raise RowError(f"{key}: {n} is outside {low}..{high}", key)
    return n


def _coordinate(row: Mapping[str, Any], key: str, limit: float) -> float | None:
    value = _number_value(row, key)
    if value is None:
        return None
    try:
        f = float(str(value).strip())
    except ValueError:
        raise RowError(f"{key}: not a number: {str(value)[:40]!r}", key) from None
    if not -limit <= f <= limit or f != f:
        raise RowError(f"{key}: {f} is not a possible {'latitude' if key == 'lat' else 'longitude'}", key)
    return f


def _id_number(text: str) -> str:
    s = text.upper()
    if _ID15.match(s):
        return s
    if not _ID18.match(s):
        raise RowError("id_number must be 18 characters (17 digits and a check digit) or 15 digits", "id_number")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(s[:17], weights, strict=True)) % 11]
    if s[17] != check:
        raise RowError("id_number check digit is wrong", "id_number")
    return s


def parse_row(row: Mapping[str, Any]) -> CaseRow:
    if "__error__" in row:
        raise RowError(str(row["__error__"]))
    external_id = _text(row, "external_id", required=True, limit=64)
    overdue = _amount(row, "overdue")
    outstanding = _amount(row, "outstanding", default=overdue)
    principal = _amount(row, "principal", default=outstanding)
    if outstanding < overdue:
        raise RowError("overdue is more than the outstanding balance", "overdue")
    if principal < outstanding:
        raise RowError("outstanding is more than the principal", "outstanding")
    dpd = _int(row, "days_past_due", 0, 20_000)
    cured = overdue == 0 and dpd == 0
    if overdue < 0 or (overdue == 0 and not cured):
        raise RowError("overdue must be more than zero for a case in collection (overdue 0 with days_past_due 0: "
                       "cured)", "overdue")
    if dpd == 0 and not cured:
        raise RowError("days_past_due is 0 but overdue is not: a case in collection is at least 1 day past due "
                       "(overdue 0 with days_past_due 0: cured)", "days_past_due")
    phones = [p.strip() for p in re.split(r"[;|；｜]", _text(row, "phones")) if p.strip()]
    for p in phones:
        if not _PHONE.match(p):
            raise RowError(f"phones: {p[:30]!r} is not a phone number", "phones")
    lat, lon = _coordinate(row, "lat", 90), _coordinate(row, "lon", 180)
    if (lat is None) != (lon is None):
        raise RowError("lat and lon come together", "lat" if lat is not None else "lon")
    if lat == 0 and lon == 0:
        raise RowError("lat/lon 0,0 is not an address", "lat")
    stage = _text(row, "stage") or (Stage.FIELD_VISIT.value if dpd > 60 else Stage.REMINDER.value)
    if stage not in {s.value for s in Stage} or stage == Stage.CLOSED.value:
        raise RowError(f"stage: unknown stage {stage[:30]!r}", "stage")
    trigger = _text(row, "trigger") or None  # checked for older files' sake, recorded nowhere (see above)
    if trigger is not None and trigger not in {t.value for t in VisitTrigger}:
        raise RowError(f"trigger: unknown visit trigger {trigger[:30]!r}", "trigger")
    last_paid = _text(row, "last_payment_on")
    try:
        last_payment_on = date.fromisoformat(last_paid) if last_paid else None
    except ValueError:
        raise RowError("last_payment_on must be a date YYYY-MM-DD", "last_payment_on") from None
    contact_name = _text(row, "contact_name", limit=200)
    contact_phone = _text(row, "contact_phone", limit=32)
    if contact_phone and not _PHONE.match(contact_phone):
        raise RowError("contact_phone is not a phone number", "contact_phone")
    home = _text(row, "home_address")
    if lat is not None and not home:
        raise RowError("lat/lon given without a home_address", "home_address")
    return CaseRow(
        external_id=external_id, case_no=_text(row, "case_no", limit=64) or external_id,
        debtor_name=_text(row, "debtor_name", required=True, limit=200),
        id_number=_id_number(_text(row, "id_number", required=True, limit=32)), overdue_fen=overdue,
        days_past_due=dpd, loan_no=_text(row, "loan_no", limit=64) or external_id,
        product=_text(row, "product", limit=64), principal_fen=principal, outstanding_fen=outstanding,
        missed_instalments=_int(row, "missed_instalments", 0, 10_000, default=0 if cured else max(1, dpd // 30)),
        last_payment_on=last_payment_on, phones=phones, home_address=home,
        work_address=_text(row, "work_address"), district=_text(row, "district", limit=64), lat=lat, lon=lon,
        contact=(contact_name, _text(row, "contact_relation", limit=32), contact_phone) if contact_name else None,
        stage=stage, agent=_text(row, "agent", limit=64), team=_text(row, "team", limit=64), cured=cured)


# --- applying ---------------------------------------------------------------------------------------


def import_file(db: Database, path: Path, default_team: str = "", now: datetime | None = None) -> ImportReport:
    rows, ignored = read_rows(path)
    report = ImportReport(ignored_columns=ignored)
    now = now or utcnow()
    with db.write() as session:
        writer = ChangeWriter(session, now)
        agents = {u.username: u for u in session.scalars(select(User).where(User.role == "agent"))}
        seen: dict[str, int] = {}
        any_rows = False
        for line, raw in rows:
            any_rows = True
            try:
                row = parse_row(raw)
                if row.external_id in seen:
                    raise RowError(f"external_id {row.external_id} already appears on line {seen[row.external_id]}",
                                   "external_id")
                agent = None
                if row.agent:
                    agent = agents.get(row.agent)
                    if agent is None or not agent.active:
                        raise RowError(f"agent: no active agent {row.agent[:64]!r}", "agent")
                seen[row.external_id] = line
                with session.begin_nested():
                    outcome = _apply(session, row, agent, default_team, writer, now)
            except RowError as exc:
                report.problems.append(Problem(line, str(exc), exc.field))
                continue
            if outcome == "created":
                report.created += 1
            elif outcome == "updated":
                report.updated += 1
            else:
                report.unchanged += 1
        if not any_rows:
            raise ImportFileError("the file holds no case rows")
    return report


def _apply(session: Session, row: CaseRow, agent: User | None, default_team: str, writer: ChangeWriter,
           now: datetime) -> str:
    case = session.scalar(select(Case).where(Case.external_id == row.external_id))
    clash = session.scalar(select(Case.id).where(Case.case_no == row.case_no,
                                                 Case.external_id != row.external_id))
    if clash is not None:
        raise RowError(f"case_no {row.case_no} belongs to another case", "case_no")
    team = agent.team if agent else (row.team or default_team)
    if case is None and row.cured:
        raise RowError("a new case must be overdue: overdue 0 with days_past_due 0 says a known case is cured",
                       "overdue")
    if case is None:
        debtor = Debtor(name=row.debtor_name, id_number=row.id_number)
        session.add(debtor)
        session.flush()
        case = Case(external_id=row.external_id, case_no=row.case_no, debtor_id=debtor.id,
                    agent_id=agent.id if agent else None, team=team, stage=row.stage, trigger=None,
                    base_status="open", base_paused_reason=None, base_overdue_fen=row.overdue_fen, status="open",
                    paused_reason=None, overdue_fen=row.overdue_fen, currency="CNY", district=row.district,
                    lat=row.lat, lon=row.lon, days_past_due=row.days_past_due, version=1, created_at=now,
                    updated_at=now)
        session.add(case)
        session.flush()
        _set_details(session, case, debtor, row)
        if agent:
            session.add(CaseHolder(case_id=case.id, user_id=agent.id))
        _episode(session, case.id, row, now)
        writer.case_changed(case.id, case.agent_id, case.team)
        return "created"
    before = _fingerprint(session, case)
    old_owner, old_team = case.agent_id, case.team
    debtor = session.get(Debtor, case.debtor_id)
    assert debtor is not None
    debtor.name, debtor.id_number = row.debtor_name, row.id_number
    case.case_no = row.case_no
    if session.get(CaseLadder, case.id) is None:  # once the ladder placed the case, its stage is the ladder's
        case.stage = row.stage
    case.base_overdue_fen, case.days_past_due = row.overdue_fen, row.days_past_due
    case.district, case.lat, case.lon = row.district, row.lat, row.lon
    if agent is not None:
        case.agent_id, case.team = agent.id, agent.team
        if session.get(CaseHolder, (case.id, agent.id)) is None:
            session.add(CaseHolder(case_id=case.id, user_id=agent.id))
    elif row.team:
        case.team = row.team
    _set_details(session, case, debtor, row)
    _episode(session, case.id, row, now)
    session.flush()
    recompute_case(session, case)
    session.flush()
    if _fingerprint(session, case) == before:
        return "unchanged"
    case.version += 1
    case.updated_at = now
    writer.case_changed(case.id, case.agent_id, case.team, old_owner, old_team)
    return "updated"


def _episode(session: Session, case_id: int, row: CaseRow, now: datetime) -> None:
    """Start, end or keep the case's delinquency episode as the row says (see the module docstring)."""
    today = local_day(now, DEFAULT_ZONE)
    last = session.scalar(select(DelinquencyEpisode).where(DelinquencyEpisode.case_id == case_id)
                          .order_by(DelinquencyEpisode.started_on.desc(), DelinquencyEpisode.id.desc()).limit(1))
    if row.cured:
        if last is not None and last.cured_on is None:
            last.cured_on = max(today, last.started_on)
        return
    if last is not None and last.cured_on is None:
        return  # still the same episode
    started = today - timedelta(days=row.days_past_due)
    if last is not None and last.cured_on is not None:
        started = max(started, last.cured_on + timedelta(days=1))  # it cannot start before the cure
    session.add(DelinquencyEpisode(case_id=case_id, started_on=started, cured_on=None, overdue_fen=row.overdue_fen,
                                   source="import"))


def _set_details(session: Session, case: Case, debtor: Debtor, row: CaseRow) -> None:
    """Make phones, the imported addresses, the contact and the account match the row."""
    phones = {p.number: p for p in debtor.phones}
    for number in row.phones:
        if number not in phones:
            debtor.phones.append(Phone(number=number, label="mobile", status="unknown"))
    for number, p in phones.items():
        if number not in row.phones:
            debtor.phones.remove(p)
    for kind, text in (("home", row.home_address), ("work", row.work_address)):
        current = next((a for a in debtor.addresses if a.kind == kind and a.event_id is None), None)
        lat, lon = (row.lat, row.lon) if kind == "home" else (None, None)
        district = row.district if kind == "home" else ""
        if text and current is None:
            debtor.addresses.append(Address(kind=kind, text=text, district=district, lat=lat, lon=lon))
        elif text and current is not None:
            current.text, current.district, current.lat, current.lon = text, district, lat, lon
        elif not text and current is not None:
            debtor.addresses.remove(current)
    if row.contact is not None:
        name, relation, phone = row.contact
        current_c = next((c for c in debtor.contacts if c.name == name), None)
        if current_c is None:
            debtor.contacts.append(Contact(name=name, relation=relation or "其他", phone=phone))
        else:
            current_c.relation, current_c.phone = relation or current_c.relation, phone
    account = next((a for a in case.accounts if a.loan_no == row.loan_no), None)
    values = {"product": row.product, "principal_fen": row.principal_fen, "outstanding_fen": row.outstanding_fen,
              "overdue_fen": row.overdue_fen, "days_past_due": row.days_past_due,
              "missed_instalments": row.missed_instalments, "last_payment_on": row.last_payment_on}
    if account is None:
        case.accounts.append(Account(loan_no=row.loan_no, currency="CNY", **values))
    else:
        for key, value in values.items():
            setattr(account, key, value)


def _fingerprint(session: Session, case: Case) -> str:
    debtor = session.get(Debtor, case.debtor_id)
    assert debtor is not None
    return json.dumps([
        case.case_no, case.stage, case.trigger, case.base_overdue_fen, case.overdue_fen, case.days_past_due,
        case.district, case.lat, case.lon, case.agent_id, case.team, debtor.name, debtor.id_number,
        sorted(p.number for p in debtor.phones),
        sorted(f"{a.kind}|{a.text}|{a.lat}|{a.lon}" for a in debtor.addresses if a.event_id is None),
        sorted((c.name, c.relation, c.phone) for c in debtor.contacts),
        sorted(f"{a.loan_no}|{a.product}|{a.principal_fen}|{a.outstanding_fen}|{a.overdue_fen}|"
               f"{a.days_past_due}|{a.missed_instalments}|{a.last_payment_on}" for a in case.accounts),
    ], ensure_ascii=False, default=str)
