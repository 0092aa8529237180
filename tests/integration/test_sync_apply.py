"""Applying pulled pages to a real store file: contract data in, store rows out (no server needed).

The engine's network side is tested against a live head office in the other test_sync_* files;
here the page applier is driven with wire objects built from the contract, on a real SQLite store.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from app.contract import v1
from app.services.casefacts import refresh_case
from app.services.integrity import check_store
from app.services.syncing import refresh_cases
from app.store import models as m
from app.store.engine import Store
from app.store.search import fts_out_of_step
from app.store.syncstate import CURSOR, PROFILE, get_state, set_state
from app.sync.apply import PageResult, apply_page, finish_deferred_removals, pending_removals

from .sync_helpers import NOW, case_data, page, record_no_answer, upsert


def _apply(store: Store, resp: v1.ChangesResponse) -> PageResult:
    with store.write() as session:
        result = apply_page(session, resp, NOW, refresh_cases)
        set_state(session, CURSOR, resp.next_cursor)
    return result


def test_upserts_write_cases_with_search_and_list_columns_in_step(store: Store) -> None:
    hist = [v1.HistoryItemData(event_id="e0000000-0000-4000-8000-000000000001", channel="phone",
                               at=NOW - timedelta(days=2), outcome="refused", answered=True, right_party=True,
                               phone="+8613812345678")]
    note = v1.SafetyNoteData(uid="n1", category="dog", severity="high", text="<b>恶犬</b> =cmd|' /C calc'!A0",
                             reporter="外访员", reported_at=NOW - timedelta(days=5), two_person_required=True)
    resp = page([upsert(1, case_data(1, history=hist, notes=[note])), upsert(2, case_data(2, name="Li 李 🙂" * 50))],
                profile={"id": "CN", "version": 3})
    result = _apply(store, resp)
    assert result.upserted == [1, 2] and result.profile
    with store.read() as session:
        c1 = session.get(m.Case, 1)
        assert c1 is not None and c1.case_no == "HO0000001" and c1.district == "锦江区" and c1.bucket == "M3"
        assert c1.overdue_fen == 800_000 and c1.safety_level == 3 and c1.priority > 0
        assert c1.last_contact_at == NOW - timedelta(days=2)
        assert session.get(m.Agent, 1) is not None  # known by id until the agent list arrives
        assert get_state(session, CURSOR) == "c1"
        assert '"version": 3' in (get_state(session, PROFILE) or "")
        note_row = session.scalars(select(m.SafetyNote)).one()
        assert note_row.text.startswith("<b>") and note_row.debtor_id == 1001  # stored as given, escaped on render
    with store.engine.connect() as conn:
        assert fts_out_of_step(conn) == []
    assert check_store(store).ok


def test_a_second_version_replaces_server_data_but_keeps_what_was_recorded_here(store: Store) -> None:
    _apply(store, page([upsert(1, case_data(1))]))
    event_id = record_no_answer(store, 1)
    with store.read() as session:
        local_status = session.get(m.Case, 1).status  # type: ignore[union-attr]
    newer = case_data(1, version=5, phone="+8613700000000", status="closed")
    _apply(store, page([upsert(2, newer)], cursor="c2"))
    with store.read() as session:
        case = session.get(m.Case, 1)
        assert case is not None and case.version == 5
        assert case.status == local_status  # a queued record keeps the local status until it is delivered
        attempts = session.scalars(select(m.ContactAttempt).where(m.ContactAttempt.case_id == 1)).all()
        assert [a.event_id for a in attempts] == [event_id]
        phones = session.execute(text("SELECT number FROM phones WHERE debtor_id = 1001")).scalars().all()
        assert phones == ["+8613700000000"]
    with store.engine.connect() as conn:
        assert fts_out_of_step(conn) == []


def test_removal_waits_for_queued_records_then_tells_the_agent(store: Store) -> None:
    _apply(store, page([upsert(1, case_data(1)), upsert(2, case_data(2))]))
    record_no_answer(store, 1)
    removed = v1.Change(seq=3, kind="case_removed", case_id=1, reason="reassigned")
    gone = v1.Change(seq=4, kind="case_removed", case_id=2, reason="closed")
    result = _apply(store, page([removed, gone], cursor="c2"))
    assert result.deferred == [1] and result.removed == [2]
    with store.write() as session:
        assert pending_removals(session) == {1: "reassigned"}
        assert session.get(m.Case, 1) is not None and session.get(m.Case, 2) is None
        assert finish_deferred_removals(session, NOW) == []  # still queued
        # What an acknowledgement does: the outbox row goes.
        session.execute(text("UPDATE events SET sync_state = 'acked'"))
        session.execute(text("DELETE FROM outbox"))
    with store.write() as session:
        assert finish_deferred_removals(session, NOW) == [1]
    with store.read() as session:
        assert session.get(m.Case, 1) is None
        kinds = [(n.kind, n.case_id) for n in session.scalars(select(m.Notice).order_by(m.Notice.id))]
        assert kinds == [("case_removal_deferred", 1), ("case_removed", 2), ("case_removed", 1)]
        assert session.scalar(select(m.Event.sync_state)) == "acked"  # the record of what was sent stays
    assert check_store(store).ok


def test_page_refresh_gives_the_same_list_columns_as_the_per_case_rule(demo_store: Store) -> None:
    """refresh_cases (grouped queries for a whole page) must agree with casefacts.refresh_case."""
    cols = "id, priority, priority_reasons, promise_due, safety_level, status"
    now = NOW + timedelta(days=3)  # promises fall due, notes expire: the rules have something to do

    def snapshot() -> list[tuple[object, ...]]:
        with demo_store.read() as session:
            return [tuple(r) for r in session.execute(text(f"SELECT {cols} FROM cases ORDER BY id"))]

    with demo_store.write() as session:
        for case in session.scalars(select(m.Case)):
            refresh_case(session, case, now)
    per_case = snapshot()
    with demo_store.write() as session:
        session.execute(text("UPDATE cases SET priority = 0, priority_reasons = '[]', safety_level = 0"))
        ids = list(session.scalars(select(m.Case.id)))
    assert snapshot() != per_case
    with demo_store.write() as session:
        refresh_cases(session, ids, now)
    assert snapshot() == per_case


def test_local_demo_cases_give_way_to_head_office_numbers(demo_store: Store) -> None:
    """A laptop that ran on demo data, then syncs: a case number head office uses for another id
    does not wedge the pull (unique case numbers); the local case goes, or is renamed while queued."""
    with demo_store.read() as session:
        first, second = session.execute(select(m.Case.id, m.Case.case_no).order_by(m.Case.id).limit(2)).all()
    record_no_answer(demo_store, second[0])
    incoming = [case_data(900_001).model_copy(update={"case_no": first[1]}),
                case_data(900_002).model_copy(update={"case_no": second[1]})]
    _apply(demo_store, page([upsert(1, incoming[0]), upsert(2, incoming[1])]))
    with demo_store.read() as session:
        assert session.get(m.Case, first[0]) is None
        kept = session.get(m.Case, second[0])
        assert kept is not None and kept.case_no == f"{second[1]}~{second[0]}"
        assert session.get(m.Case, 900_001).case_no == first[1]  # type: ignore[union-attr]
    assert check_store(demo_store).ok
