"""Per-device event sequence numbers (migration 0005): read from the events, never handed out twice, and
the outbox keyed by them. Real SQLite files throughout."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.outcomes import OutcomeInput, record_outcome
from app.store.engine import Store
from app.store.events import append_event
from app.store.migrate import open_store, upgrade

CN = builtin_profile("CN")
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def save(store: Store, case_id: int) -> str:
    return record_outcome(store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.LETTER, NOW), CN,
                          actor="agent01", now=NOW).event_id


def seqs(store: Store) -> list[tuple[int, int]]:
    """(outbox id, device_seq) of every queued event, in outbox order."""
    with store.read() as s:
        return [(r[0], r[1]) for r in s.execute(text("SELECT id, device_seq FROM outbox ORDER BY id"))]


def sync_state(store: Store) -> dict[str, str]:
    with store.read() as s:
        return {r[0]: r[1] for r in s.execute(text("SELECT key, value FROM sync_state"))}


def case_ids(store: Store, n: int) -> list[int]:
    with store.read() as s:
        return [r[0] for r in s.execute(text("SELECT id FROM cases WHERE status = 'open' AND safety_level = 0 "
                                             "ORDER BY id LIMIT :n"), {"n": n})]


def test_saves_number_their_events_in_order_without_rewriting_sync_state(demo_store: Store) -> None:
    ids = case_ids(demo_store, 3)
    save(demo_store, ids[0])  # the first save makes the device id
    state = sync_state(demo_store)
    for case_id in ids:
        save(demo_store, case_id)
    assert sync_state(demo_store) == state
    assert seqs(demo_store) == [(n, n) for n in range(1, 5)]


def test_a_number_is_never_handed_out_twice_after_events_leave(demo_store: Store) -> None:
    ids = case_ids(demo_store, 4)
    for case_id in ids:
        save(demo_store, case_id)
    with demo_store.write() as s:  # as retention and a case taken away do: the newest events go
        s.execute(text("DELETE FROM outbox"))
        s.execute(text("DELETE FROM contact_attempts WHERE event_id IS NOT NULL"))
        s.execute(text("DELETE FROM events WHERE device_seq >= 3"))
    save(demo_store, ids[0])
    assert seqs(demo_store) == [(5, 5)]
    with demo_store.write() as s:
        s.execute(text("DELETE FROM outbox"))
        s.execute(text("DELETE FROM contact_attempts WHERE event_id IS NOT NULL"))
        s.execute(text("DELETE FROM events"))
    with demo_store.write() as s:  # the ORM path reads the same floor
        event = append_event(s, case_id=ids[1], case_version=1, kind="note", payload={}, occurred_at=NOW,
                             recorded_at=NOW, actor="agent01")
        second = append_event(s, case_id=ids[1], case_version=1, kind="note", payload={}, occurred_at=NOW,
                              recorded_at=NOW, actor="agent01")
        assert (event.device_seq, second.device_seq) == (6, 7)
    assert seqs(demo_store) == [(6, 6), (7, 7)]


def test_events_of_other_devices_leave_the_floor_alone(demo_store: Store) -> None:
    ids = case_ids(demo_store, 1)
    save(demo_store, ids[0])
    with demo_store.write() as s:
        s.execute(text("INSERT INTO events (id, device_id, device_seq, case_id, case_version, kind, payload, "
                       "occurred_at, recorded_at, schema_version, actor, sync_state) VALUES ('other-1', 'other', "
                       "900, :c, 1, 'note', '{}', '2026-11-30T02:00:00.000000Z', '2026-11-30T02:00:00.000000Z', "
                       "1, 'agent02', 'acked')"), {"c": ids[0]})
    with demo_store.write() as s:
        s.execute(text("DELETE FROM events WHERE id = 'other-1'"))
    assert sync_state(demo_store).get("next_device_seq", "1") == "1"
    save(demo_store, ids[0])
    assert seqs(demo_store) == [(1, 1), (2, 2)]


def test_an_outbox_row_whose_id_is_not_its_sequence_is_refused(demo_store: Store) -> None:
    save(demo_store, case_ids(demo_store, 1)[0])
    with pytest.raises(IntegrityError), demo_store.write() as s:
        s.execute(text("INSERT INTO outbox (id, event_id, device_seq, attempts, created_at) "
                       "SELECT 99, id, 98, 0, recorded_at FROM events LIMIT 1"))


def test_the_upgrade_keys_the_outbox_by_sequence_and_keeps_the_counter_as_floor(tmp_path: Path) -> None:
    """A 0004 store whose outbox ids differ from the sequence numbers and whose counter is ahead of its
    events (some were purged): after the upgrade the ids are the numbers and the next one is the counter."""
    path = tmp_path / "doorstep.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sync_state (key, value) VALUES ('device_id', 'dev-1'), "
                          "('next_device_seq', '12')"))
        for n, seq in enumerate((4, 7, 9), start=1):
            conn.execute(text("INSERT INTO events (id, device_id, device_seq, case_id, case_version, kind, payload, "
                              "occurred_at, recorded_at, schema_version, actor, sync_state) VALUES (:id, 'dev-1', "
                              ":seq, 1, 1, 'note', '{}', '2026-11-30T02:00:00.000000Z', "
                              "'2026-11-30T02:00:00.000000Z', 1, 'agent01', 'pending')"),
                         {"id": f"e{seq}", "seq": seq})
            conn.execute(text("INSERT INTO outbox (id, event_id, device_seq, attempts, created_at) VALUES "
                              "(:n, :id, :seq, 0, '2026-11-30T02:00:00.000000Z')"),
                         {"n": n, "id": f"e{seq}", "seq": seq})
    engine.dispose()
    store = open_store(path)
    try:
        assert seqs(store) == [(4, 4), (7, 7), (9, 9)]
        with store.write() as s:
            assert append_event(s, case_id=1, case_version=1, kind="note", payload={}, occurred_at=NOW,
                                recorded_at=NOW, actor="agent01").device_seq == 12
    finally:
        store.close()
