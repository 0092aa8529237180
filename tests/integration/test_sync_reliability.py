"""Sync reliability against a live head-office process on loopback (issue 4, items 1, 3, 5–11).

Faults come from the server's fault hooks (`--fault-hooks`: 503 with Retry-After, connection dropped
after commit) or from tests/integration/faultproxy.py (reply cut in half, head office unreachable).
Item 2 (kill -9 at each step) is in test_sync_crash.py. Item 4 (the server projection is the same for
any order and duplication of event batches) is the head office's own hypothesis test in its suite.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from app.contract import v1
from app.domain.clock import utcnow
from app.services.integrity import check_store
from app.services.syncing import refresh_cases, sync_once
from app.store import models as m
from app.store.engine import Store
from app.store.events import append_event
from app.store.migrate import open_store, upgrade
from app.store.search import fts_out_of_step
from app.store.syncstate import CLOCK_SKEW, CURSOR, get_state
from app.sync.engine import SyncEngine, SyncOptions, SyncReport
from app.sync.errors import ProtocolError
from app.sync.push import wire_event

from .faultproxy import DROP_REPLY, PORTAL, TRUNCATE, FaultProxy, Rule
from .sync_fixtures import (  # noqa: F401 (fixtures)
    BOTH,
    Connect,
    agent_store_fixture,
    connect_fixture,
    headoffice_fixture,
)
from .sync_helpers import NOW, queued, record_no_answer, states
from .sync_server import HeadOffice, wait_until

EVENTS = "/api/v1/sync/events"
CHANGES = "/api/v1/sync/changes"


def _local_cases(store: Store) -> dict[int, int]:
    with store.read() as session:
        return dict(session.execute(select(m.Case.id, m.Case.version)).tuples().all())


def _server_copies(server: HeadOffice, event_ids: list[str]) -> dict[str, tuple[int, int]]:
    """{event id: (stored rows, projected attempts)} on the server."""
    out = {}
    for eid in event_ids:
        rows = server.query("SELECT count(*) FROM events WHERE id = ?", (eid,))[0][0]
        attempts = server.query("SELECT count(*) FROM attempts WHERE event_id = ?", (eid,))[0][0]
        out[eid] = (rows, attempts)
    return out


def _first_cases(store: Store, n: int) -> list[int]:
    return sorted(_local_cases(store))[:n]


def _assert_in_step(store: Store, server: HeadOffice, agent_id: int) -> None:
    assert _local_cases(store) == server.agent_cases(agent_id)
    with store.engine.connect() as conn:
        assert fts_out_of_step(conn) == []
    assert check_store(store).ok


# --- 1. reply lost after the server committed -----------------------------------------------------


@pytest.mark.parametrize("fault", ["server_hook", "proxy"])
@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_reply_lost_after_commit_is_retried_and_stored_exactly_once(
        fault: str, headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    with FaultProxy(headoffice.port) as proxy:
        client = connect(proxy.url, agent_store)
        sync_once(agent_store, client)
        events = [record_no_answer(agent_store, cid) for cid in _first_cases(agent_store, 3)]
        if fault == "server_hook":
            headoffice.faults(drop_after_commit=1, paths=[EVENTS])
        else:
            proxy.add(Rule(DROP_REPLY, "POST", EVENTS))
        report = sync_once(agent_store, client)
        if fault == "server_hook":
            assert headoffice.faults()["fired_drop"] == 1
        else:
            assert proxy.stats.faults[DROP_REPLY] == 1
    assert client.retries >= 1
    assert report.pushed.duplicate == 3 and queued(agent_store) == 0  # the retry learnt they were stored
    assert set(states(agent_store).values()) <= {"acked", "flagged"}
    assert _server_copies(headoffice, events) == {e: (1, 1) for e in events}


# --- 3. idempotency key reused with another body; 20 concurrent sends of one event -------------------


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_same_id_with_another_body_is_refused_and_concurrent_sends_store_one_row(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    first, second = (record_no_answer(agent_store, cid) for cid in _first_cases(agent_store, 2))
    with agent_store.read() as session:
        wire = {e.id: wire_event(e) for e in session.scalars(select(m.Event))}
    token = headoffice.token("agent01", client.device_id)
    with headoffice.api(token) as api:
        assert api.post(EVENTS, json={"events": [wire[first]]}).json()["results"][0]["status"] == "accepted"
        tampered = dict(wire[first], payload=dict(wire[first]["payload"], notes="changed afterwards"))
        r = api.post(EVENTS, json={"events": [tampered, wire[second]]})
        assert r.status_code == 422
        results = {x["id"]: x for x in r.json()["results"]}
        assert results[first]["status"] == "rejected" and "id_conflict" in results[first]["error"]
        assert results[second]["status"] == "accepted"  # one bad item does not fail the others

    concurrent = record_no_answer(agent_store, _first_cases(agent_store, 3)[2])
    with agent_store.read() as session:
        body = {"events": [wire_event(session.get(m.Event, concurrent))]}  # type: ignore[arg-type]
    gate = threading.Barrier(20)
    statuses: list[str] = []
    lock = threading.Lock()

    def send() -> None:
        with headoffice.api(token) as api:
            gate.wait(30)
            status = api.post(EVENTS, json=body).json()["results"][0]["status"]
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == ["accepted"] + ["duplicate"] * 19
    assert _server_copies(headoffice, [concurrent]) == {concurrent: (1, 1)}

    # The app's own queue: a record whose stored body no longer matches what head office holds
    # is refused with the reason and parked in the dead-letter list; the rest still upload.
    with agent_store.write() as session:
        session.execute(text("UPDATE events SET payload = :p WHERE id = :id"),
                        {"p": json.dumps(tampered["payload"]), "id": first})
    report = sync_once(agent_store, client)
    assert report.pushed.rejected == 1 and report.pushed.duplicate == 2 and queued(agent_store) == 0
    with agent_store.read() as session:
        dead = session.scalars(select(m.DeadLetter)).one()
        assert dead.event_id == first and "id_conflict" in dead.error


# --- 5. pull interrupted, and resumed while head office keeps committing ------------------------------


def test_pull_cut_mid_reply_resumes_without_gap_or_duplicate(headoffice: HeadOffice, agent_store: Store,
                                                            connect: Connect) -> None:
    with FaultProxy(headoffice.port) as proxy:
        proxy.add(Rule(TRUNCATE, "GET", CHANGES, skip=2))  # the third page is cut in half
        client = connect(proxy.url, agent_store)
        report = sync_once(agent_store, client, options=SyncOptions(page_size=7))
        assert proxy.stats.faults[TRUNCATE] == 1 and client.retries >= 1
    assert report.pulled_pages >= 6
    _assert_in_step(agent_store, headoffice, client.user.id)  # type: ignore[union-attr]


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_pull_interrupted_while_head_office_commits_catches_up_exactly(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    agent_id = client.user.id  # type: ignore[union-attr]
    others = sorted(set(headoffice.agent_cases(2)))[:12]
    mine = sorted(headoffice.agent_cases(agent_id))
    stop = threading.Event()
    moved: list[int] = []

    def supervisor() -> None:  # reassigns cases to and from agent01 while the agent pulls
        for i, case_id in enumerate(others):
            if stop.is_set():
                return
            headoffice.assign(case_id, agent_id)
            moved.append(case_id)
            if i % 3 == 0:
                headoffice.assign(mine[i], 2)

    class Interrupt(Exception):
        pass

    pages = 0

    def crash_after_third_page(name: str, info: dict[str, object]) -> None:
        nonlocal pages
        if name == "pull.page_applied":
            pages += 1
            if pages == 3:
                raise Interrupt

    worker = threading.Thread(target=supervisor)
    worker.start()
    try:
        with pytest.raises(Interrupt):
            sync_once(agent_store, client, options=SyncOptions(page_size=5), step=crash_after_third_page)
        # Resume from the saved cursor, still while the supervisor works.
        sync_once(agent_store, client, options=SyncOptions(page_size=5))
    finally:
        worker.join(120)
        stop.set()
    assert len(moved) == len(others)
    final = sync_once(agent_store, client, options=SyncOptions(page_size=5))
    assert not final.full_resync
    _assert_in_step(agent_store, headoffice, agent_id)
    with agent_store.read() as session:
        assert set(others) <= {int(i) for i in session.scalars(select(m.Case.id))}


# --- 6. case reassigned while the agent is offline ------------------------------------------------------


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_case_reassigned_offline_leaves_only_after_its_records_are_acknowledged(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    case_id = _first_cases(agent_store, 1)[0]
    event_id = record_no_answer(agent_store, case_id)  # offline, at the door
    headoffice.assign(case_id, 2)  # meanwhile head office gives the case to agent02

    engine = SyncEngine(agent_store, client, refresh=refresh_cases)
    report = SyncReport()
    engine.pull(report)  # the removal arrives before the record is delivered
    assert report.removals_deferred == [case_id]
    with agent_store.read() as session:
        assert session.get(m.Case, case_id) is not None  # still here: its record is queued
    engine.push(report)
    engine.finish(report)
    assert report.pushed.flagged == 1 and case_id in report.cases_removed
    with agent_store.read() as session:
        assert session.get(m.Case, case_id) is None
        event = session.get(m.Event, event_id)
        assert event is not None and event.sync_state == "flagged" and "reassigned" in (event.flag_reason or "")
        notices = [(n.kind, n.case_id) for n in session.scalars(select(m.Notice).order_by(m.Notice.id))]
        assert notices == [("case_removal_deferred", case_id), ("case_removed", case_id)]
    assert _server_copies(headoffice, [event_id]) == {event_id: (1, 1)}
    status = headoffice.query("SELECT status, flag_reason FROM events WHERE id = ?", (event_id,))[0]
    assert status[0] == "flagged"
    _assert_in_step(agent_store, headoffice, client.user.id)  # type: ignore[union-attr]


# --- 7. 410 on the cursor --------------------------------------------------------------------------------


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_expired_cursor_means_full_resync_that_keeps_the_outbox(headoffice: HeadOffice, agent_store: Store,
                                                                 connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    agent_id = client.user.id  # type: ignore[union-attr]
    sync_once(agent_store, client)
    cases = _first_cases(agent_store, 3)
    events = [record_no_answer(agent_store, cid) for cid in cases]
    away = cases[2]
    headoffice.assign(away, 2)
    incoming = sorted(headoffice.agent_cases(3))[0]
    headoffice.assign(incoming, agent_id)
    headoffice.cli("prune-changes", "--keep", "1")

    engine = SyncEngine(agent_store, client, refresh=refresh_cases)
    report = SyncReport()
    engine.pull(report)
    assert report.full_resync
    assert queued(agent_store) == 3  # the outbox survived the resync
    with agent_store.read() as session:
        assert session.get(m.Case, incoming) is not None
        assert session.get(m.Case, away) is not None  # deferred: its record is still queued
    assert report.removals_deferred == [away]
    engine.push(report)
    engine.finish(report)
    assert queued(agent_store) == 0 and report.pushed.acknowledged == 3
    assert _server_copies(headoffice, events) == {e: (1, 1) for e in events}
    sync_once(agent_store, client)
    _assert_in_step(agent_store, headoffice, agent_id)


# --- 8. head office down, or busy with Retry-After ---------------------------------------------------------


def test_busy_head_office_is_retried_after_the_time_it_asks(headoffice: HeadOffice, agent_store: Store,
                                                            connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    events = [record_no_answer(agent_store, cid) for cid in _first_cases(agent_store, 4)]
    headoffice.faults(fail_503=3, retry_after=1, paths=["/api/v1/sync/"])
    started = time.monotonic()
    report = sync_once(agent_store, client)
    elapsed = time.monotonic() - started
    assert headoffice.faults()["fired_503"] == 3 and client.retries >= 3
    assert elapsed >= 3.0  # each retry waited at least the Retry-After
    assert report.pushed.accepted == 4 and queued(agent_store) == 0
    assert _server_copies(headoffice, events) == {e: (1, 1) for e in events}


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_queue_drains_once_head_office_is_back_without_any_new_local_write(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    with FaultProxy(headoffice.port) as proxy:
        client = connect(proxy.url, agent_store, budget=120.0)
        sync_once(agent_store, client)
        events = [record_no_answer(agent_store, cid) for cid in _first_cases(agent_store, 5)]
        with agent_store.read() as session:
            before = session.execute(text("SELECT count(*), max(device_seq) FROM events")).one()
        headoffice.stop()
        outcome: dict[str, object] = {}

        def run() -> None:
            try:
                outcome["report"] = sync_once(agent_store, client)
            except Exception as exc:  # surfaced by the assertion below
                outcome["error"] = exc

        worker = threading.Thread(target=run)
        worker.start()
        wait_until(lambda: client.retries >= 3, 60, what="the client to retry against a dead head office")
        assert queued(agent_store) == 5 and worker.is_alive()
        headoffice.start()  # back, on the same database and port
        worker.join(120)
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert isinstance(report, SyncReport) and report.pushed.accepted == 5 and queued(agent_store) == 0
    with agent_store.read() as session:
        assert session.execute(text("SELECT count(*), max(device_seq) FROM events")).one() == before
    assert _server_copies(headoffice, events) == {e: (1, 1) for e in events}


# --- 9. one malformed event ------------------------------------------------------------------------------


def test_a_malformed_event_goes_to_the_dead_letter_list_and_the_rest_upload(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    cases = _first_cases(agent_store, 4)
    good = [record_no_answer(agent_store, cases[0]), record_no_answer(agent_store, cases[1])]
    with agent_store.write() as session:
        unknown_kind = append_event(session, case_id=cases[2], case_version=1, kind="teleport", payload={"x": 1},
                                    occurred_at=NOW, recorded_at=NOW, actor="agent01").id
        damaged = append_event(session, case_id=cases[2], case_version=1, kind="outcome", payload={},
                               occurred_at=NOW, recorded_at=NOW, actor="agent01").id
    with agent_store.write() as session:
        session.execute(text("UPDATE events SET payload = '{not json' WHERE id = :id"), {"id": damaged})
    good.append(record_no_answer(agent_store, cases[3]))
    report = sync_once(agent_store, client, options=SyncOptions(push_batch=2))
    assert report.pushed.accepted == 3 and report.pushed.rejected == 2 and queued(agent_store) == 0
    assert report.dead_letters == 2
    with agent_store.read() as session:
        dead = {d.event_id: d for d in session.scalars(select(m.DeadLetter))}
    assert set(dead) == {unknown_kind, damaged}
    assert "teleport" in dead[unknown_kind].error and dead[unknown_kind].status_code == 422
    assert "damaged" in dead[damaged].error and dead[damaged].status_code == 0
    assert _server_copies(headoffice, good) == {e: (1, 1) for e in good}
    assert headoffice.query("SELECT count(*) FROM events WHERE id IN (?, ?)", (unknown_kind, damaged))[0][0] == 0


# --- 10. the laptop's clock is a day wrong ----------------------------------------------------------------


@pytest.mark.parametrize("hours", [24, -24])
def test_a_day_of_clock_error_changes_neither_order_nor_cursor(hours: int, headoffice: HeadOffice,
                                                                agent_store: Store, connect: Connect) -> None:
    offset = timedelta(hours=hours)

    def clock():
        return utcnow() + offset

    client = connect(headoffice.url, agent_store, clock=clock)
    first = sync_once(agent_store, client, clock=clock)
    assert first.clock_skew_seconds is not None and abs(first.clock_skew_seconds + offset.total_seconds()) < 5
    with agent_store.read() as session:
        assert abs(float(get_state(session, CLOCK_SKEW) or "nan") + offset.total_seconds()) < 5
    cases = _first_cases(agent_store, 4)
    events = [record_no_answer(agent_store, cid, now=clock()) for cid in cases]
    report = sync_once(agent_store, client, clock=clock, options=SyncOptions(push_batch=3))
    assert report.pushed.acknowledged == 4
    with agent_store.read() as session:
        rows = session.execute(select(m.Event.device_seq, m.Event.server_seq).order_by(m.Event.device_seq)).all()
    assert [s for _, s in rows] == sorted(s for _, s in rows)  # stored in the device's order
    again = sync_once(agent_store, client, clock=clock)
    assert not again.full_resync and again.cases_updated == 0  # the cursor is the server's, not our clock
    _assert_in_step(agent_store, headoffice, client.user.id)  # type: ignore[union-attr]
    assert _server_copies(headoffice, events) == {e: (1, 1) for e in events}


# --- 11. an outbox written by the previous store schema -------------------------------------------------


def test_outbox_written_by_schema_0001_uploads_after_the_upgrade(headoffice: HeadOffice, agent_store: Store,
                                                                  connect: Connect, tmp_path: Path) -> None:
    """Rows are written with raw SQL against a database built by `alembic upgrade 0001`, the way that
    release wrote them; open_store then migrates it to the head revision. Today 0001 is the head, so
    the upgrade is a no-op; the test starts to bite when revision 0002 changes the tables involved."""
    client = connect(headoffice.url, agent_store)
    sync_once(agent_store, client)
    cases = _first_cases(agent_store, 2)
    old = tmp_path / "old" / "doorstep.sqlite3"
    old.parent.mkdir()
    engine = create_engine(f"sqlite:///{old}")
    upgrade(engine, "0001")
    device = "0d0d0d0d-0000-4000-8000-000000000001"
    ids = ["0d0d0d0d-0000-4000-8000-0000000000a1", "0d0d0d0d-0000-4000-8000-0000000000a2"]
    payload = {"code": "no_answer", "channel": "phone", "notes": "旧版本记录", "phone": None,
               "to_third_party": False, "collectors": 1, "lat": None, "lon": None, "recording_sha256": None,
               "no_recording_reason": None, "safety_acknowledged": False, "fields": {},
               "compliance": {"profile": "CN", "version": 1, "overridden": [], "override_by": None,
                              "override_reason": None}}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sync_state(key, value) VALUES ('device_id', :d), ('next_device_seq', '3')"),
                     {"d": device})
        for seq, (eid, case_id) in enumerate(zip(ids, cases, strict=True), start=1):
            conn.execute(text(
                "INSERT INTO events(id, device_id, device_seq, case_id, case_version, kind, payload, occurred_at, "
                "recorded_at, schema_version, actor, replaces, sync_state, server_seq, flag_reason) VALUES "
                "(:id, :dev, :seq, :case, 1, 'outcome', :p, '2026-11-30T02:00:00.000000Z', "
                "'2026-11-30T02:01:00.000000Z', 1, 'agent01', NULL, 'pending', NULL, NULL)"),
                {"id": eid, "dev": device, "seq": seq, "case": case_id,
                 "p": json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))})
            conn.execute(text("INSERT INTO outbox(event_id, device_seq, attempts, last_error, created_at) "
                              "VALUES (:id, :seq, 0, NULL, '2026-11-30T02:01:00.000000Z')"), {"id": eid, "seq": seq})
    engine.dispose()
    store = open_store(old)
    try:
        old_client = connect(headoffice.url, store)
        report = sync_once(store, old_client)
        assert report.pushed.acknowledged == 2 and queued(store) == 0
        assert set(states(store).values()) <= {"acked", "flagged"}
        assert check_store(store).ok
    finally:
        store.close()
    assert _server_copies(headoffice, ids) == {e: (1, 1) for e in ids}


def test_unknown_api_version_is_refused_in_words(headoffice: HeadOffice) -> None:
    r = httpx.get(f"{headoffice.url}/api/v1/health", headers={v1.API_HEADER: "99"})
    assert r.status_code == 400


def test_a_captive_portal_answer_stops_the_round_in_words_and_loses_nothing(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    with FaultProxy(headoffice.port) as proxy:
        client = connect(proxy.url, agent_store)
        sync_once(agent_store, client)
        with agent_store.read() as session:
            cursor = get_state(session, CURSOR)
        events = [record_no_answer(agent_store, cid) for cid in _first_cases(agent_store, 2)]
        proxy.add(Rule(PORTAL, "POST", EVENTS))
        with pytest.raises(ProtocolError, match="unexpected answer from head office"):
            sync_once(agent_store, client)
        assert queued(agent_store) == 2  # nothing marked, nothing lost
        proxy.add(Rule(PORTAL, "GET", CHANGES))
        engine = SyncEngine(agent_store, client, refresh=refresh_cases)
        with pytest.raises(ProtocolError):
            engine.pull(SyncReport())
        with agent_store.read() as session:
            assert get_state(session, CURSOR) == cursor  # the cursor did not move
        report = sync_once(agent_store, client)
    assert report.pushed.accepted == 2 and queued(agent_store) == 0
    assert _server_copies(headoffice, events) == {e: (1, 1) for e in events}
