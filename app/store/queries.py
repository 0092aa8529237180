"""Case list and search queries: light row tuples, filtered and sorted in SQL, paged.

Never loads ORM objects for lists: 100,000 cases must filter, sort and page in milliseconds.
The functions take a SQLAlchemy `Connection` or, where said, a bare DB-API connection (the launch
reads the list's first page with the sqlite3 module while SQLAlchemy is still loading; so this
module imports SQLAlchemy only where it is used).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from .search import match_clause, search_terms

if TYPE_CHECKING:
    from sqlalchemy import Connection

# A SQLAlchemy Connection, or a bare DB-API connection (sqlite3 or SQLCipher): both run these statements.
Reader = Any


def _execute(conn: Reader, sql: str, params: Mapping[str, object]) -> Iterable[Any]:
    """Run one statement with named parameters on either kind of connection."""
    if hasattr(conn, "exec_driver_sql"):  # SQLAlchemy
        from sqlalchemy import text

        return conn.execute(text(sql), dict(params))  # type: ignore[no-any-return]
    return conn.execute(sql, dict(params))  # type: ignore[no-any-return]


def _scalar(conn: Reader, sql: str, params: Mapping[str, object]) -> Any:
    for row in _execute(conn, sql, params):
        return row[0]
    return None


class CaseRow(NamedTuple):
    id: int
    case_no: str
    debtor_name: str
    district: str
    days_past_due: int
    bucket: str
    overdue_fen: int
    currency: str
    stage: str
    status: str
    priority: float
    promise_due: date | None
    next_action_on: date | None
    safety_level: int
    agent_id: int | None
    version: int


# Sortable columns: the key is what callers (and the UI) name; the value is trusted SQL.
SORT_COLUMNS: dict[str, str] = {
    "priority": "cases.priority",
    "case_no": "cases.case_no",
    "debtor_name": "cases.debtor_name",
    "district": "cases.district",
    "days_past_due": "cases.days_past_due",
    "bucket": "cases.days_past_due",  # buckets order as their days do
    "overdue": "cases.overdue_fen",
    "stage": "cases.stage",
    "status": "cases.status",
    "promise_due": "cases.promise_due",
    "next_action": "cases.next_action_on",
    "safety": "cases.safety_level",
}

# Sort keys over NOT NULL columns: "column IS NULL" would keep SQLite from walking their index.
_NEVER_NULL = frozenset({"priority", "case_no", "debtor_name", "district", "days_past_due", "bucket", "overdue",
                         "stage", "status", "safety"})


# Sort keys over a few distinct values: ties go by priority. No index keyed by these columns holds the priority
# (every saved outcome would have to move its entry in each): the first page of a stage, district or safety sort
# is read value by value (`grouped_first_page`), anything else sorts the matches.
_BY_PRIORITY_WITHIN = frozenset({"stage", "status", "district", "safety"})

_SELECT = ("SELECT cases.id, cases.case_no, cases.debtor_name, cases.district, cases.days_past_due, "
           "cases.bucket, cases.overdue_fen, cases.currency, cases.stage, cases.status, cases.priority, "
           "cases.promise_due, cases.next_action_on, cases.safety_level, cases.agent_id, cases.version "
           "FROM cases")


@dataclass(frozen=True)
class CaseQuery:
    search: str = ""
    stages: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    safety_only: bool = False
    promise: str | None = None  # "today" | "overdue" | "due" (today or overdue)
    agent_id: int | None = None
    case_ids: tuple[int, ...] | None = None  # restrict to these (e.g. today's plan)
    sort: str = "priority"
    descending: bool = True
    today: date | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def where(self, broad: Collection[int] = (), walk_sort: bool = False) -> tuple[str, dict[str, object]]:
        """The WHERE clause and its parameters. `broad`: positions of search terms that match a large
        share of the cases (see `broad_terms`), written so the query walks the sort index instead.
        `walk_sort`: the column filters match a large share too (see `broad_filters`): they are written
        `+column` so no filter index competes with the sort's index."""
        parts: list[str] = []
        params: dict[str, object] = {}

        def one_of(column: str, values: tuple[str, ...], key: str) -> None:
            if values:
                names = [f":{key}{i}" for i in range(len(values))]
                unindexed = "+" if walk_sort and key != self.sort else ""
                parts.append(f"{unindexed}{column} IN ({', '.join(names)})")
                params.update({f"{key}{i}": v for i, v in enumerate(values)})

        one_of("cases.stage", self.stages, "stage")
        one_of("cases.bucket", self.buckets, "bucket")
        one_of("cases.status", self.statuses, "status")
        one_of("cases.district", self.districts, "district")
        if self.safety_only:
            parts.append(("+" if walk_sort else "") + "cases.safety_level > 0")
        if self.promise:
            if self.today is None:
                raise ValueError("a promise filter needs today's date")
            params["today"] = self.today.isoformat()
            op = {"today": "=", "overdue": "<", "due": "<="}[self.promise]
            parts.append(f"cases.promise_due {op} :today")
        if self.agent_id is not None:
            parts.append(("+" if walk_sort else "") + "cases.agent_id = :agent_id")
            params["agent_id"] = self.agent_id
        if self.case_ids is not None:
            parts.append("cases.id IN (SELECT value FROM json_each(:case_ids))")
            params["case_ids"] = "[" + ",".join(str(int(i)) for i in self.case_ids) + "]"
        match = match_clause(self.search, broad)
        if match:
            parts.append(match[0])
            params.update(match[1])
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    def order_by(self) -> str:
        column = SORT_COLUMNS.get(self.sort)
        if column is None:
            raise ValueError(f"cannot sort by {self.sort!r}")
        direction = "DESC" if self.descending else "ASC"
        if self.sort in _NEVER_NULL or (self.sort == "promise_due" and self.promise):
            # No "IS NULL" term on NOT NULL columns: it would keep SQLite from walking their index. (Nor
            # under a promise filter, which keeps only cases with a promise date: the promise-date index
            # then serves the filter and the order at once, 0.1 ms instead of 9 at 100,000 cases.)
            # Few-valued columns break their ties by priority.
            middle = f", cases.priority {direction}" if self.sort in _BY_PRIORITY_WITHIN else ""
            return f" ORDER BY {column} {direction}{middle}, cases.id {direction}"
        # NULLs last either way, then a stable tiebreak so paging never repeats or skips a row.
        return f" ORDER BY {column} IS NULL, {column} {direction}, cases.id {direction}"


# A search term matching at least this many cases is "broad": the first page is found faster by walking the
# sort's index and testing each row (≈ page × cases ÷ matches rows: 6,400 at 100,000 cases) than by
# collecting every match and sorting them (2,000 rows and more, read in random order).
BROAD_MATCHES = 2000


def broad_terms(conn: Reader, query: CaseQuery) -> frozenset[int]:
    """Positions of the query's search terms that match at least BROAD_MATCHES cases, by a LIMIT probe
    each (a prefix of a case number that every case shares costs the same as one that few share).
    Only for sorts an index walks (no NULLs-last expression); else the planner's choice stands."""
    if not query.search or query.sort not in _NEVER_NULL:
        return frozenset()
    found: set[int] = set()
    for i, term in enumerate(search_terms(query.search)):
        if term.kind == "case_no" and query.sort == "case_no":
            continue  # the case-number index is the prefix range and the order at once
        size = _scalar(conn, term.size_sql(), {**term.params, "cap": BROAD_MATCHES})
        if size >= BROAD_MATCHES:
            found.add(i)
    return frozenset(found)


# Sorts whose index is worth walking past a broad filter. Case number, name and amount have nothing to do
# with the filter columns. Priority walks the list index, which carries every filter column: no row is read
# for a case the filters leave out, so even a walk past most of the index (a bucket whose cases rank low)
# costs a few ms, where a narrow index and a sort of its thousands of matches cost more — and the SQLite
# inside SQLCipher takes that road (7 ms for a district with safety notes against 2 walking). (Days past due
# follow the bucket and stage: a walk of its index, which carries no filter column, could read most rows.)
_WALKABLE = frozenset({"case_no", "debtor_name", "overdue", "priority"})


def broad_filters(conn: Reader, query: CaseQuery) -> bool:
    """Whether the column filters (stage, bucket, status, district, agent) keep at least BROAD_MATCHES
    cases, by a LIMIT probe. Then the first page is found sooner by walking the sort's index than through
    a filter's index and a sort of everything it keeps; SQLite's planner does not always see that (the
    SQLite inside SQLCipher took 20-60 ms where the walk takes 1)."""
    if query.sort not in _WALKABLE or not (query.stages or query.buckets or query.statuses or query.districts
                                             or query.agent_id is not None):
        return False
    where, params = replace(query, search="", safety_only=False, promise=None, case_ids=None).where()
    size = _scalar(conn, f"SELECT count(*) FROM (SELECT 1 FROM cases{where} LIMIT :cap)",
                   {**params, "cap": BROAD_MATCHES})
    return bool(size >= BROAD_MATCHES)


def count_cases(conn: Reader, query: CaseQuery) -> int:
    where, params = query.where()
    terms = search_terms(query.search)
    if len(terms) == 1 and terms[0].kind != "case_no" and not replace(query, search="").where()[0]:
        # One full-text term and nothing else: every case has exactly one search row, so the index
        # counts its matches itself (a millisecond for 15,000) without visiting the cases.
        table = terms[0].table
        return int(_scalar(conn, f"SELECT count(*) FROM {table} WHERE {table} MATCH :{terms[0].key}",
                           terms[0].params))
    return int(_scalar(conn, "SELECT count(*) FROM cases" + where, params))


# Few-valued sorts whose column has an index of its own (0004): their first page is read value by value.
_GROUPED = {"stage": "cases.stage", "district": "cases.district", "safety": "cases.safety_level"}


def _group_values(conn: Reader, column: str, descending: bool) -> list[Any]:
    """The column's distinct values in sort order, one index probe each (a skip scan: microseconds)."""
    agg, op = ("max", "<") if descending else ("min", ">")
    sql = (f"WITH RECURSIVE v(x) AS (SELECT {agg}({column}) FROM cases UNION ALL "
           f"SELECT (SELECT {agg}({column}) FROM cases WHERE {column} {op} v.x) FROM v WHERE v.x IS NOT NULL) "
           "SELECT x FROM v WHERE x IS NOT NULL")
    return [r[0] for r in _execute(conn, sql, {})]


def grouped_first_page(conn: Reader, query: CaseQuery, limit: int) -> list[CaseRow] | None:
    """The first `limit` rows of a stage, district or safety sort (ties by priority), read group by group:
    for each value in order, a walk of the list index that stops when the page is full. Sorting the matches
    instead took 35-75 ms at 100,000 cases, since no index keyed by these columns carries the priority (see
    ix_cases_list). None when this does not apply (another sort, a search, a promise filter, or filters so
    narrow that a walk would pass most of the index for each value): the caller runs the one query."""
    column = _GROUPED.get(query.sort)
    if column is None or query.search or query.promise or query.case_ids is not None:
        return None
    by_priority = replace(query, sort="priority")
    filtered = bool(query.stages or query.buckets or query.statuses or query.districts or query.safety_only
                    or query.agent_id is not None)
    if filtered and not broad_filters(conn, by_priority):
        return None
    where, params = by_priority.where(walk_sort=True)  # every filter unindexed: the list index is walked
    direction = "DESC" if query.descending else "ASC"
    rows: list[CaseRow] = []
    for value in _group_values(conn, column, query.descending):
        if len(rows) >= limit:
            break
        sql = (_SELECT + (where + " AND " if where else " WHERE ") + f"+{column} = :group_value"
               + f" ORDER BY cases.priority {direction}, cases.id {direction} LIMIT :n")
        rows += [_row(r) for r in _execute(conn, sql, {**params, "group_value": value, "n": limit - len(rows)})]
    return rows


def list_cases(conn: Connection, query: CaseQuery, offset: int = 0, limit: int = 100) -> list[CaseRow]:
    if limit < 0 or offset < 0:
        raise ValueError("offset and limit must be non-negative")
    if offset == 0:
        grouped = grouped_first_page(conn, query, limit)
        if grouped is not None:
            return grouped
    where, params = query.where(broad_terms(conn, query), broad_filters(conn, query))
    params.update(limit=limit, offset=offset)
    sql = _SELECT + where + query.order_by() + " LIMIT :limit OFFSET :offset"
    return [_row(r) for r in _execute(conn, sql, params)]


def case_ids(conn: Connection, query: CaseQuery) -> list[int]:
    """All matching ids in order (a few bytes each: fine for 100k)."""
    where, params = query.where(broad_terms(conn, query), broad_filters(conn, query))
    sql = "SELECT cases.id FROM cases" + where + query.order_by()
    return [r[0] for r in _execute(conn, sql, params)]


def rows_by_ids(conn: Connection, ids: list[int]) -> dict[int, CaseRow]:
    if not ids:
        return {}
    sql = _SELECT + " WHERE cases.id IN (SELECT value FROM json_each(:ids))"
    rows = _execute(conn, sql, {"ids": "[" + ",".join(str(int(i)) for i in ids) + "]"})
    return {r[0]: _row(r) for r in rows}


def distinct_districts(conn: Connection) -> list[str]:
    return [r[0] for r in _execute(conn, "SELECT DISTINCT district FROM cases ORDER BY district", {})]


def _row(r: object) -> CaseRow:
    values = list(r)  # type: ignore[call-overload]
    for i in (11, 12):
        if values[i] is not None and not isinstance(values[i], date):
            values[i] = date.fromisoformat(values[i])
    return CaseRow(*values)


# --- for the case list window: index-friendly order, ids without row objects ------------------




def list_order_by(query: CaseQuery) -> str:
    """The list's order (kept for callers; `CaseQuery.order_by` is index-friendly itself)."""
    return query.order_by()


def ordered_case_ids(conn: Connection, query: CaseQuery) -> list[int]:
    """All matching ids in list order, read with the driver directly (no row objects: 100k in a blink)."""
    where, params = query.where(broad_terms(conn, query), broad_filters(conn, query))
    raw = conn.connection.driver_connection
    assert raw is not None
    return [r[0] for r in raw.execute("SELECT cases.id FROM cases" + where + list_order_by(query), params)]


def first_rows(conn: Reader, query: CaseQuery, limit: int) -> tuple[int, list[CaseRow]]:
    """How many cases match, and the first `limit` of them in list order (either kind of connection)."""
    total = count_cases(conn, query)
    grouped = grouped_first_page(conn, query, limit)
    if grouped is not None:
        return total, grouped
    where, params = query.where(broad_terms(conn, query), broad_filters(conn, query))
    params["limit"] = limit
    return total, [_row(r) for r in _execute(conn, _SELECT + where + list_order_by(query) + " LIMIT :limit", params)]
