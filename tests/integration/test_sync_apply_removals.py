"""A page with many removals is applied as one set: each case still gets what one removal gives it
(removed now or deferred while its records wait to upload, one notice each, its search rows and a
debtor left with no case gone), and the page's order still decides when a case comes back."""

from __future__ import annotations

from sqlalchemy import select, text

from app.contract import v1
from app.services.integrity import check_store
from app.services.syncing import refresh_cases
from app.store import models as m
from app.store.engine import Store
from app.store.search import fts_out_of_step
from app.store.syncstate import CURSOR, set_state
from app.sync.apply import PageResult, apply_page, finish_deferred_removals, pending_removals

from .sync_helpers import NOW, case_data, page, record_no_answer, upsert


def _apply(store: Store, resp: v1.ChangesResponse) -> PageResult:
    with store.write() as session:
        result = apply_page(session, resp, NOW, refresh_cases)
        set_state(session, CURSOR, resp.next_cursor)
    return result


def _removed(seq: int, case_id: int, reason: str = "reassigned") -> v1.Change:
    return v1.Change(seq=seq, kind="case_removed", case_id=case_id, reason=reason)


def _notices(store: Store) -> list[tuple[str, int | None]]:
    with store.read() as session:
        return [(n.kind, n.case_id) for n in session.scalars(select(m.Notice).order_by(m.Notice.id))]


def test_a_run_of_removals_removes_defers_and_tells_each_case_once(store: Store) -> None:
    # Cases 1..6; 7 shares case 6's debtor (so that debtor stays).
    cases = [case_data(i) for i in range(1, 7)] + [case_data(7).model_copy(update={"debtor_id": 1006})]
    _apply(store, page([upsert(i, c) for i, c in enumerate(cases, start=1)]))
    record_no_answer(store, 2)
    record_no_answer(store, 4)
    changes = [_removed(10, 1), _removed(11, 2), _removed(12, 3, "closed"), _removed(13, 99),
               _removed(14, 4), _removed(15, 2), _removed(16, 6), _removed(17, 1)]
    result = _apply(store, page(changes, cursor="c2"))
    assert result.removed == [1, 3, 99, 6, 1] and result.deferred == [2, 4, 2]
    assert _notices(store) == [("case_removed", 1), ("case_removal_deferred", 2), ("case_removed", 3),
                               ("case_removal_deferred", 4), ("case_removed", 6)]
    with store.read() as session:
        assert pending_removals(session) == {2: "reassigned", 4: "reassigned"}
        left = session.scalars(select(m.Case.id).order_by(m.Case.id)).all()
        assert left == [2, 4, 5, 7]
        debtors = session.scalars(select(m.Debtor.id).order_by(m.Debtor.id)).all()
        assert debtors == [1002, 1004, 1005, 1006]  # 1006 still has case 7
        assert session.execute(text("SELECT count(*) FROM accounts WHERE case_id IN (1, 3, 6)")).scalar() == 0
        hits = session.execute(text("SELECT rowid FROM case_search ORDER BY rowid")).scalars().all()
        assert hits == [2, 4, 5, 7]
    with store.engine.connect() as conn:
        assert fts_out_of_step(conn) == []
    # Delivered: both deferred cases go in one set, each told once more.
    with store.write() as session:
        session.execute(text("UPDATE events SET sync_state = 'acked'"))
        session.execute(text("DELETE FROM outbox"))
    with store.write() as session:
        assert finish_deferred_removals(session, NOW) == [2, 4]
        assert pending_removals(session) == {}
    assert _notices(store)[-2:] == [("case_removed", 2), ("case_removed", 4)]
    with store.read() as session:
        assert session.scalars(select(m.Case.id).order_by(m.Case.id)).all() == [5, 7]
    assert check_store(store).ok


def test_page_order_decides_between_removal_and_return(store: Store) -> None:
    _apply(store, page([upsert(1, case_data(1)), upsert(2, case_data(2))]))
    # Case 1 leaves and comes back in the same page; case 2 comes (a new version) and then leaves.
    changes = [_removed(3, 1), upsert(4, case_data(1, version=2)), upsert(5, case_data(2, version=2)), _removed(6, 2)]
    result = _apply(store, page(changes, cursor="c2"))
    assert result.removed == [1, 2] and result.upserted == [1, 2] and result.deferred == []
    with store.read() as session:
        case = session.get(m.Case, 1)
        assert case is not None and case.version == 2
        assert session.get(m.Case, 2) is None
    with store.engine.connect() as conn:
        assert fts_out_of_step(conn) == []
    assert check_store(store).ok


def test_reapplying_a_page_of_removals_changes_nothing(store: Store) -> None:
    _apply(store, page([upsert(1, case_data(1)), upsert(2, case_data(2))]))
    record_no_answer(store, 2)
    removals = page([_removed(3, 1), _removed(4, 2)], cursor="c2")
    _apply(store, removals)
    before = _notices(store)
    again = _apply(store, removals)
    assert again.removed == [1] and again.deferred == [2]
    assert _notices(store) == before  # no second notice for either case
    with store.read() as session:
        assert pending_removals(session) == {2: "reassigned"}
