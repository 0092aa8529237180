"""The supervisor's assignment commands (no Qt).

An assignment is recorded on this device first, as a pending `assign` event with its outbox row (so it
survives a restart, counts among the records waiting to upload, and shows as pending in the Assign
room). The event carries the case version the supervisor saw (`case_version`) and the wanted agent
(`payload.agent_id`, None = back to the unassigned queue).

Delivery goes through head office's bulk endpoint (`POST /api/v1/cases/assign`), never through the
event push (the push leaves `assign` events alone): in chunks of at most 1,000, each item with the
version the supervisor saw, which plays the role of If-Match. Per item:

- assigned: the event is acknowledged, its outbox row goes, and the local case takes the new agent
  and version at once (the next pull brings the same);
- conflict: the case changed at head office since the supervisor saw it. Nothing is overwritten. If
  the case already has the wanted agent (typically: our own earlier request committed but its reply
  was lost) the assignment is done — so a resend is harmless and every assignment applies exactly
  once. Otherwise the event is set aside (a dead letter saying who holds the case now, at which
  version) and the local case takes the current owner and version from the reply;
- not_found / unknown_agent: set aside the same way, with the reason.

Each chunk's results are written in one local transaction, after head office has committed them; a
crash between the two only means the chunk is sent again, which the rule above makes harmless.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import text

from app.contract import v1
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.events import EVENT_SCHEMA_VERSION, new_event_id
from app.store.syncstate import device_id, take_device_seq
from app.store.types import to_db_time

SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})
ASSIGN_KIND = "assign"
CHUNK = v1.MAX_ASSIGN_ITEMS
MAX_REASON = 500


class AssignError(ValueError):
    """The command cannot be queued as given (unknown agent, nothing selected…); the message says why."""


class AssignClient(Protocol):
    def assign_batch(self, items: Sequence[v1.AssignItem], reason: str = "") -> v1.AssignBatchResponse: ...


# --- who may assign, and to whom -------------------------------------------------------------------

def user_role(store: Store, username: str) -> str | None:
    """The role head office gave this user (the local agents table, filled by sync), if known."""
    with store.engine.connect() as conn:
        found = conn.execute(text("SELECT role FROM agents WHERE username = :u"), {"u": username}).scalar()
    return str(found) if found is not None else None


def is_supervisor(store: Store, username: str) -> bool:
    return user_role(store, username) in SUPERVISOR_ROLES


@dataclass(frozen=True)
class TeamAgent:
    id: int
    username: str
    display_name: str
    base_lat: float | None = None
    base_lon: float | None = None

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username


def team_agents(store: Store) -> list[TeamAgent]:
    """The field agents this device knows (a supervisor's sync brings the team's), by username."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, username, display_name, base_lat, base_lon FROM agents "
                                 "WHERE role = 'agent' ORDER BY username")).all()
    return [TeamAgent(int(r[0]), str(r[1]), str(r[2] or ""), r[3], r[4]) for r in rows]


def agent_labels(store: Store) -> dict[int, str]:
    """id → the name to show for every user this device knows (agents and supervisors)."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, username, display_name FROM agents")).all()
    return {int(r[0]): TeamAgent(int(r[0]), str(r[1]), str(r[2] or "")).label for r in rows}


def districts(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [str(r[0]) for r in conn.execute(text(
            "SELECT DISTINCT district FROM cases WHERE district != '' ORDER BY district"))]


def district_case_ids(store: Store, names: Sequence[str], *, unassigned_only: bool = False,
                      open_only: bool = True) -> list[int]:
    """The cases of these districts (open ones unless told otherwise), by id."""
    if not names:
        return []
    sql = "SELECT id FROM cases WHERE district IN (SELECT value FROM json_each(:names))"
    if unassigned_only:
        sql += " AND agent_id IS NULL"
    if open_only:
        sql += " AND status != 'closed'"
    with store.engine.connect() as conn:
        return [int(r[0]) for r in conn.execute(text(sql + " ORDER BY id"),
                                                {"names": json.dumps(list(names), ensure_ascii=False)})]


@dataclass(frozen=True)
class CasePlace:
    id: int
    lat: float
    lon: float
    agent_id: int | None


def case_places(store: Store, case_ids: Sequence[int] | None = None) -> list[CasePlace]:
    """Where each case's door is (the debtor's home address, else the first located one)."""
    sql = ("SELECT c.id, a.lat, a.lon, c.agent_id FROM cases c JOIN addresses a ON a.id = ("
           "SELECT a2.id FROM addresses a2 WHERE a2.debtor_id = c.debtor_id AND a2.lat IS NOT NULL "
           "AND a2.lon IS NOT NULL ORDER BY a2.kind != 'home', a2.id LIMIT 1)")
    params: dict[str, Any] = {}
    if case_ids is not None:
        sql += " WHERE c.id IN (SELECT value FROM json_each(:ids))"
        params["ids"] = json.dumps([int(i) for i in case_ids])
    with store.engine.connect() as conn:
        return [CasePlace(int(r[0]), float(r[1]), float(r[2]), r[3]) for r in conn.execute(text(sql), params)]


def validate_area(points: Any) -> list[tuple[float, float]]:
    """A drawn area from the map page, checked: 3..1000 [lat, lon] pairs of finite numbers in range."""
    if not isinstance(points, list) or not 3 <= len(points) <= 1000:
        raise AssignError("an area needs between 3 and 1,000 corners")
    out: list[tuple[float, float]] = []
    for p in points:
        if not isinstance(p, list | tuple) or len(p) != 2:
            raise AssignError("each corner of an area is a [latitude, longitude] pair")
        lat, lon = p
        if isinstance(lat, bool) or isinstance(lon, bool) or not isinstance(lat, int | float) \
                or not isinstance(lon, int | float):
            raise AssignError("each corner of an area is a [latitude, longitude] pair")
        lat, lon = float(lat), float(lon)
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise AssignError("a corner of the area lies outside the map")
        out.append((lat, lon))
    return out


def inside(polygon: Sequence[tuple[float, float]], lat: float, lon: float) -> bool:
    """Point in polygon (even-odd rule, lat/lon treated as plane coordinates: fine at city scale)."""
    hit = False
    n = len(polygon)
    for i in range(n):
        y1, x1 = polygon[i]
        y2, x2 = polygon[(i + 1) % n]
        if (y1 > lat) != (y2 > lat):
            x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x:
                hit = not hit
    return hit


def cases_in_area(store: Store, polygon: Sequence[tuple[float, float]], among: Sequence[int] | None = None,
                  project: Callable[[float, float], tuple[float, float]] | None = None) -> list[int]:
    """The cases (of `among`, else all) whose door lies inside the polygon, by id. `project` maps a
    stored (WGS-84) position to the polygon's datum (GCJ-02 when the map's tiles use it)."""
    out = []
    for p in case_places(store, among):
        lat, lon = project(p.lat, p.lon) if project is not None else (p.lat, p.lon)
        if inside(polygon, lat, lon):
            out.append(p.id)
    return sorted(out)


# --- queueing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Queued:
    queued: int  # assignments now pending
    superseded: int  # earlier pending assignments of the same cases that these replace
    missing: tuple[int, ...] = ()  # ids not on this device (skipped)


def clean_reason(reason: str) -> str:
    """One line, no control characters, at most MAX_REASON characters."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in reason).strip()
    return cleaned[:MAX_REASON]


def queue_assignments(store: Store, case_ids: Sequence[int], agent_id: int | None, *, actor: str,
                      now: datetime, reason: str = "") -> Queued:
    """Record 'give these cases to `agent_id`' (None: back to the queue) as pending assignments."""
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise AssignError("select at least one case")
    return queue_plan(store, dict.fromkeys(ids, agent_id), actor=actor, now=now, reason=reason)


def queue_plan(store: Store, plan: Mapping[int, int | None], *, actor: str, now: datetime,
               reason: str = "") -> Queued:
    """Record a case → agent plan (None: back to the queue) as pending assignments.

    One transaction: the events, their outbox rows and one audit entry. A case that already has a
    pending assignment keeps only the newest (the older is superseded, never sent). The version each
    event carries is the case's version on this device — what the supervisor saw.
    """
    if not plan:
        raise AssignError("select at least one case")
    ids = sorted(int(i) for i in plan)
    reason = clean_reason(reason)
    stamp = to_db_time(now)
    agents = sorted({a for a in plan.values() if a is not None})
    with store.write() as session:
        conn = session.connection()
        if agents:
            known = {int(r[0]) for r in conn.execute(text(
                "SELECT id FROM agents WHERE role = 'agent' AND id IN (SELECT value FROM json_each(:ids))"),
                {"ids": json.dumps(agents)})}
            unknown = [a for a in agents if a not in known]
            if unknown:
                raise AssignError(f"there is no field agent with id {unknown[0]} on this device")
        versions = {int(r[0]): int(r[1]) for r in conn.execute(text(
            "SELECT id, version FROM cases WHERE id IN (SELECT value FROM json_each(:ids))"),
            {"ids": json.dumps(ids)})}
        present = [i for i in ids if i in versions]
        missing = tuple(i for i in ids if i not in versions)
        if not present:
            raise AssignError("none of the selected cases is on this device")
        present_json = json.dumps(present)
        older = [str(r[0]) for r in conn.execute(text(
            "SELECT e.id FROM events e JOIN outbox o ON o.event_id = e.id WHERE e.kind = :kind "
            "AND e.case_id IN (SELECT value FROM json_each(:ids))"), {"kind": ASSIGN_KIND, "ids": present_json})]
        if older:
            older_json = json.dumps(older)
            conn.execute(text("DELETE FROM outbox WHERE event_id IN (SELECT value FROM json_each(:ids))"),
                         {"ids": older_json})
            conn.execute(text("UPDATE events SET sync_state = 'superseded' "
                              "WHERE id IN (SELECT value FROM json_each(:ids))"), {"ids": older_json})
        device = device_id(session)
        first = take_device_seq(session)  # and on from there: these events are written below
        payloads: dict[int | None, str] = {}
        for agent in set(plan.values()):
            payloads[agent] = json.dumps({"agent_id": agent, "reason": reason}, ensure_ascii=False,
                                         sort_keys=True, separators=(",", ":"))
        events = [{"id": new_event_id(), "dev": device, "seq": first + n, "case": cid, "ver": versions[cid],
                   "kind": ASSIGN_KIND, "payload": payloads[plan[cid]], "at": stamp,
                   "schema": EVENT_SCHEMA_VERSION, "actor": actor} for n, cid in enumerate(present)]
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.executemany(
            "INSERT INTO events(id, device_id, device_seq, case_id, case_version, kind, payload, occurred_at, "
            "recorded_at, schema_version, actor, replaces, sync_state) VALUES (:id, :dev, :seq, :case, :ver, "
            ":kind, :payload, :at, :at, :schema, :actor, NULL, 'pending')", events)
        raw.executemany("INSERT INTO outbox(id, event_id, device_seq, attempts, created_at) "
                        "VALUES (:seq, :id, :seq, 0, :at)", events)
        targets = {plan[c] for c in present}
        append_audit(session, actor=actor, action="case.assign_queued", entity="cases",
                     entity_id=str(present[0]) if len(present) == 1 else f"{len(present)} cases",
                     data={"agent_id": targets.pop() if len(targets) == 1 else "several", "cases": len(present),
                           "first_case": present[0], "reason": reason, "superseded": len(older)}, at=now)
    return Queued(len(present), len(older), missing)


def pending_assignments(store: Store) -> dict[int, int | None]:
    """case id → the agent it is waiting to go to (None: back to the queue), for every pending one."""
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT e.case_id, e.payload FROM events e JOIN outbox o ON o.event_id = e.id WHERE e.kind = :kind "
            "ORDER BY o.id"), {"kind": ASSIGN_KIND}).all()
    out: dict[int, int | None] = {}
    for case_id, payload in rows:
        try:
            agent = json.loads(payload).get("agent_id")
        except (ValueError, AttributeError):
            agent = None
        out[int(case_id)] = int(agent) if isinstance(agent, int) else None
    return out


def pending_assignment_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.kind = :kind"),
            {"kind": ASSIGN_KIND}).scalar_one())


# --- delivery ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """An assignment head office did not apply: the case as it is now, and why."""

    case_id: int
    case_no: str
    wanted_agent: int | None
    status: str  # conflict | not_found | unknown_agent | refused
    current_agent: int | None
    current_version: int | None
    seen_version: int
    message: str


@dataclass
class Delivery:
    sent: int = 0
    assigned: int = 0
    already: int = 0  # conflicts where the case already had the wanted agent: done, not a problem
    problems: list[Problem] = field(default_factory=list)
    chunks: int = 0

    @property
    def applied(self) -> int:
        return self.assigned + self.already


@dataclass(frozen=True)
class _Pending:
    event_id: str
    case_id: int
    version: int
    agent_id: int | None
    reason: str


def _pending(store: Store, limit: int, after_seq: int) -> list[tuple[int, _Pending]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT o.device_seq, e.id, e.case_id, e.case_version, e.payload FROM outbox o "
            "JOIN events e ON e.id = o.event_id WHERE e.kind = :kind AND o.id > :after "
            "ORDER BY o.id LIMIT :limit"), {"kind": ASSIGN_KIND, "after": after_seq, "limit": limit}).all()
    out = []
    for seq, eid, case_id, version, payload in rows:
        try:
            data = json.loads(payload)
        except ValueError:
            data = {}
        agent = data.get("agent_id") if isinstance(data, dict) else None
        reason = data.get("reason") if isinstance(data, dict) else ""
        out.append((int(seq), _Pending(str(eid), int(case_id), int(version),
                                       int(agent) if isinstance(agent, int) else None,
                                       clean_reason(reason) if isinstance(reason, str) else "")))
    return out


def deliver_pending(store: Store, client: AssignClient, *, now: Callable[[], datetime],
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None, chunk: int = CHUNK) -> Delivery:
    """Send every pending assignment to head office (chunks of ≤1,000) and write what it answered.

    One request is in flight at a time, in queue order; while head office works on a chunk the next
    is read here, and a chunk's answers are written while the next chunk is on its way. Stops
    between chunks when `cancelled()` says so (what was answered stays written). Raises the client's
    SyncError when head office cannot be reached; the unanswered assignments stay pending (one sent
    but unanswered goes again next time, which the conflict rule makes harmless).
    """
    chunk = max(1, min(chunk, CHUNK))
    total = pending_assignment_count(store)
    report = Delivery()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assign-send")

    def stop() -> bool:
        return cancelled is not None and cancelled()

    def send(batch: list[tuple[int, _Pending]]) -> Future[list[tuple[list[_Pending], v1.AssignBatchResponse]]]:
        groups: dict[str, list[_Pending]] = {}  # one request per reason: the reason travels once per request
        for _seq, p in batch:
            groups.setdefault(p.reason, []).append(p)

        def work() -> list[tuple[list[_Pending], v1.AssignBatchResponse]]:
            out = []
            for reason, items in groups.items():
                wire = [v1.AssignItem(case_id=p.case_id, version=p.version, agent_id=p.agent_id) for p in items]
                out.append((items, client.assign_batch(wire, reason=reason)))
            return out

        return pool.submit(work)

    try:
        batch = [] if stop() else _pending(store, chunk, 0)
        future = send(batch) if batch else None
        while batch and future is not None:
            upcoming = [] if stop() else _pending(store, chunk, batch[-1][0])  # read while head office works
            answered = future.result()
            future = send(upcoming) if upcoming else None  # on its way while this chunk's answers are written
            for items, reply in answered:
                _write_results(store, items, reply, now())
                report.chunks += 1
                report.sent += len(items)
                _count(report, items, reply, store)
            if progress is not None:
                progress(report.sent, max(total, report.sent))
            batch = upcoming
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return report


def _count(report: Delivery, items: list[_Pending], reply: v1.AssignBatchResponse, store: Store) -> None:
    by_case = {r.case_id: r for r in reply.results}
    problems = [p for p in items if by_case.get(p.case_id) is not None and not _done(p, by_case[p.case_id])]
    for p in items:
        r = by_case.get(p.case_id)
        if r is not None and r.status == "assigned":
            report.assigned += 1
        elif r is not None and _done(p, r):
            report.already += 1
    if problems:
        numbers = case_numbers(store, [p.case_id for p in problems])
        for p in problems:
            r = by_case[p.case_id]
            report.problems.append(Problem(
                p.case_id, numbers.get(p.case_id, str(p.case_id)), p.agent_id, r.status,
                r.current.agent_id if r.current else r.agent_id, r.current.version if r.current else r.version,
                p.version, _message(p, r)))


def _done(p: _Pending, r: v1.AssignItemResult) -> bool:
    if r.status == "assigned":
        return True
    if r.status == "conflict":
        holder = r.current.agent_id if r.current is not None else r.agent_id
        return holder == p.agent_id
    return False


def _message(p: _Pending, r: v1.AssignItemResult) -> str:
    if r.status == "conflict":
        holder = r.current.agent_id if r.current is not None else r.agent_id
        version = r.current.version if r.current is not None else r.version
        who = f"agent #{holder}" if holder is not None else "the unassigned queue"
        return (f"conflict: the case changed at head office (now version {version}, you saw {p.version}) "
                f"and is with {who}; not overwritten")
    if r.status == "not_found":
        return "head office has no such case in your team"
    if r.status == "unknown_agent":
        return "head office knows no such agent in your team"
    return f"refused by head office: {r.status}"


def case_numbers(store: Store, ids: Sequence[int]) -> dict[int, str]:
    """case id → its case number, for those of these cases on this device."""
    with store.engine.connect() as conn:
        return {int(r[0]): str(r[1]) for r in conn.execute(text(
            "SELECT id, case_no FROM cases WHERE id IN (SELECT value FROM json_each(:ids))"),
            {"ids": json.dumps([int(i) for i in ids])})}


def _write_results(store: Store, items: list[_Pending], reply: v1.AssignBatchResponse, now: datetime) -> None:
    by_case = {r.case_id: r for r in reply.results}
    done: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    stamp = to_db_time(now)
    for p in items:
        r = by_case.get(p.case_id)
        if r is None:
            continue  # not answered: stays pending, goes again next time
        holder = r.current.agent_id if r.current is not None else r.agent_id
        version = r.current.version if r.current is not None else r.version
        if _done(p, r):
            done.append({"id": p.event_id})
        else:
            dead.append({"id": p.event_id, "code": 409 if r.status == "conflict" else 422,
                         "error": _message(p, r)[:2000], "at": stamp})
        if version is not None and r.status in ("assigned", "conflict"):
            moved.append({"case": p.case_id, "agent": holder, "version": version})
    with store.write() as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        if done:
            raw.executemany("UPDATE events SET sync_state = 'acked' WHERE id = :id", done)
            raw.executemany("DELETE FROM outbox WHERE event_id = :id", done)
        if dead:
            raw.executemany("UPDATE events SET sync_state = 'dead' WHERE id = :id", dead)
            raw.executemany("DELETE FROM outbox WHERE event_id = :id", dead)
            raw.executemany("INSERT INTO dead_letters(event_id, status_code, error, at) VALUES (:id, :code, :error, "
                            ":at) ON CONFLICT(event_id) DO NOTHING", dead)
        if moved:
            # the case as head office now has it (owner, version); never backwards
            raw.executemany("UPDATE cases SET agent_id = :agent, version = :version WHERE id = :case "
                            "AND version <= :version", moved)


def assignment_problems(store: Store, limit: int = 500) -> list[Problem]:
    """Assignments head office did not apply (newest first), with the case as this device has it now;
    a case assigned again since (pending or applied) is no longer listed."""
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT e.case_id, coalesce(c.case_no, ''), e.payload, d.status_code, c.agent_id, c.version, "
            "e.case_version, d.error FROM dead_letters d JOIN events e ON e.id = d.event_id "
            "LEFT JOIN cases c ON c.id = e.case_id WHERE e.kind = :kind AND NOT EXISTS ("
            "SELECT 1 FROM events later WHERE later.case_id = e.case_id AND later.kind = :kind "
            "AND later.device_seq > e.device_seq AND later.sync_state IN ('pending', 'acked')) "
            "ORDER BY d.id DESC LIMIT :limit"),
            {"kind": ASSIGN_KIND, "limit": limit}).all()
    out = []
    for case_id, case_no, payload, code, agent, version, seen, error in rows:
        try:
            wanted = json.loads(payload).get("agent_id")
        except (ValueError, AttributeError):
            wanted = None
        out.append(Problem(int(case_id), case_no or str(case_id), wanted if isinstance(wanted, int) else None,
                           "conflict" if code == 409 else "refused", agent, version, int(seen), str(error)))
    return out
