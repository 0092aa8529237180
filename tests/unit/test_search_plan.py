"""The search's plan choice: a broad term walks the sort index, a narrow one drives the query.

The choice may only change how fast the rows come, never which rows or their order. The demo city
has 600 cases, so the threshold is lowered here to make terms broad.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from app.store import queries
from app.store.engine import Store
from app.store.queries import CaseQuery, broad_terms, case_ids, count_cases, first_rows, list_cases
from app.store.search import search_terms

SEARCHES = ("CD26", "CD2600001", "王", "王伟", "锦江区", "138", "CD26 王", "王 138", "张 1234", "CD26 锦江",
            "区", "zz", '"', "CD2600 路")


def plan(conn: object, query: CaseQuery, broad: frozenset[int]) -> tuple[list[int], list[str]]:
    where, params = query.where(broad)
    sql = "SELECT cases.id FROM cases" + where + query.order_by()
    ids = [r[0] for r in conn.execute(text(sql), params)]  # type: ignore[attr-defined]
    steps = [r[3] for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql), params)]  # type: ignore[attr-defined]
    return ids, steps


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("sort,descending", [("priority", True), ("case_no", False), ("debtor_name", False),
                                             ("stage", True), ("promise_due", False)])
def test_both_plans_give_the_same_rows_in_the_same_order(demo_store: Store, search: str, sort: str,
                                                         descending: bool) -> None:
    query = CaseQuery(search=search, sort=sort, descending=descending)
    every = frozenset(range(len(search_terms(search))))
    with demo_store.engine.connect() as conn:
        narrow, _ = plan(conn, query, frozenset())
        walked, _ = plan(conn, query, every)
        assert walked == narrow
        filtered = replace(query, stages=("field_visit",))
        assert plan(conn, filtered, every)[0] == plan(conn, filtered, frozenset())[0]


def test_a_term_matching_many_cases_walks_the_sort_index(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "BROAD_MATCHES", 100)
    with demo_store.engine.connect() as conn:
        everyone = CaseQuery(search="CD26")  # every case number begins so
        assert broad_terms(conn, everyone) == {0}
        ids, steps = plan(conn, everyone, broad_terms(conn, everyone))
        assert len(ids) == 600 and steps == ["SCAN cases USING INDEX ix_cases_list"]
        one = CaseQuery(search="CD260000012")
        assert broad_terms(conn, one) == frozenset()
        assert "case_no>? AND case_no<?" in plan(conn, one, frozenset())[1][0]
        # sorted by case number, the prefix range is the order too: never walked
        assert broad_terms(conn, replace(everyone, sort="case_no")) == frozenset()
        # a NULLs-last sort has no index to walk: the planner's choice stands
        assert broad_terms(conn, replace(everyone, sort="promise_due")) == frozenset()
        mixed = CaseQuery(search="CD26 王伟")
        assert broad_terms(conn, mixed) == {0}
        assert [r.id for r in list_cases(conn, mixed, 0, 50)] == plan(conn, mixed, frozenset())[0][:50]


def test_counts_agree_whichever_way_they_are_taken(demo_store: Store) -> None:
    with demo_store.engine.connect() as conn:
        for search in SEARCHES:
            query = CaseQuery(search=search)
            where, params = query.where()
            plain = conn.execute(text("SELECT count(*) FROM cases" + where), params).scalar_one()
            assert count_cases(conn, query) == plain, search
            total, rows = first_rows(conn, query, 10)
            assert total == plain and [r.id for r in rows] == case_ids(conn, query)[:10]


@pytest.mark.parametrize("promise", ["today", "overdue", "due"])
@pytest.mark.parametrize("descending", [False, True])
def test_a_promise_filter_sorted_by_promise_date_keeps_its_order(demo_store: Store, promise: str,
                                                                 descending: bool) -> None:
    """Under a promise filter the NULLs-last term is left out (so the index serves it): same rows, same order."""
    from tests.conftest import DEMO_TODAY

    query = CaseQuery(promise=promise, today=DEMO_TODAY, sort="promise_due", descending=descending)
    assert "IS NULL" not in query.order_by()
    where, params = query.where()
    direction = "DESC" if descending else "ASC"
    nulls_last = f" ORDER BY cases.promise_due IS NULL, cases.promise_due {direction}, cases.id {direction}"
    with demo_store.engine.connect() as conn:
        expected = [r[0] for r in conn.execute(text("SELECT cases.id FROM cases" + where + nulls_last), params)]
        assert expected and case_ids(conn, query) == expected
    assert "IS NULL" in CaseQuery(sort="promise_due").order_by()  # unfiltered: NULLs still go last


FILTERS = (CaseQuery(stages=("field_visit",)), CaseQuery(buckets=("M2", "M3")), CaseQuery(districts=("锦江区",)),
           CaseQuery(statuses=("open",), agent_id=3), CaseQuery(stages=("field_visit", "legal_letter"), buckets=("M4+",)),
           CaseQuery(districts=("锦江区",), safety_only=True))


@pytest.mark.parametrize("base", FILTERS)
@pytest.mark.parametrize("sort,descending", [("overdue", True), ("case_no", False), ("debtor_name", False),
                                             ("priority", True)])
def test_broad_filters_walk_the_sort_index_with_the_same_rows(demo_store: Store, base: CaseQuery, sort: str,
                                                              descending: bool) -> None:
    query = replace(base, sort=sort, descending=descending)
    with demo_store.engine.connect() as conn:
        planned = [r[0] for r in conn.execute(text("SELECT cases.id FROM cases" + query.where()[0] + query.order_by()),
                                              query.where()[1])]
        where, params = query.where(walk_sort=True)
        walked = [r[0] for r in conn.execute(text("SELECT cases.id FROM cases" + where + query.order_by()), params)]
        assert walked == planned and planned
        steps = [r[3] for r in conn.execute(text("EXPLAIN QUERY PLAN SELECT cases.id FROM cases" + where
                                                 + query.order_by()), params)]
    assert not any("TEMP B-TREE" in s for s in steps), steps  # the sort's index gives the order
    if sort == "priority":
        assert steps == ["SCAN cases USING COVERING INDEX ix_cases_list"], steps  # no row read to test a filter


def test_broad_filters_decides_by_size_and_sort(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_store.engine.connect() as conn:
        field = CaseQuery(stages=("field_visit",), sort="overdue")
        matches = count_cases(conn, field)
        monkeypatch.setattr(queries, "BROAD_MATCHES", matches)
        assert queries.broad_filters(conn, field)
        assert queries.broad_filters(conn, replace(field, sort="priority"))  # walks the list index (filters in it)
        assert not queries.broad_filters(conn, replace(field, sort="days_past_due"))  # its index carries no filter
        assert not queries.broad_filters(conn, CaseQuery(sort="overdue"))  # no column filter
        monkeypatch.setattr(queries, "BROAD_MATCHES", matches + 1)
        assert not queries.broad_filters(conn, field)
        planned = list_cases(conn, field, 0, 50)  # BROAD_MATCHES above the matches: the planner's way
        monkeypatch.setattr(queries, "BROAD_MATCHES", 1)
        assert list_cases(conn, field, 0, 50) == planned and planned  # walking the overdue index: same page


@pytest.mark.parametrize("sort", ["stage", "district", "safety"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("base", [CaseQuery(), *FILTERS])
def test_a_grouped_sort_reads_its_first_page_value_by_value_with_the_same_rows(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch, sort: str, descending: bool, base: CaseQuery) -> None:
    """Stage, district and safety sorts read their first page one value at a time along the list index: the
    same rows in the same order as the one sorted query, whatever page size."""
    monkeypatch.setattr(queries, "BROAD_MATCHES", 5)  # 600 demo cases: let the filters count as broad
    query = replace(base, sort=sort, descending=descending)
    with demo_store.engine.connect() as conn:
        where, params = query.where()
        everything = [r[0] for r in conn.execute(text("SELECT cases.id FROM cases" + where + query.order_by()),
                                                 params)]
        assert everything
        for size in (1, 7, 100, 700):
            grouped = queries.grouped_first_page(conn, query, size)
            assert grouped is not None
            assert [r.id for r in grouped] == everything[:size]
        assert [r.id for r in list_cases(conn, query, 0, 50)] == everything[:50]
        assert [r.id for r in list_cases(conn, query, 50, 50)] == everything[50:100]  # later pages: one query
        total, rows = first_rows(conn, query, 30)
        assert total == len(everything) and [r.id for r in rows] == everything[:30]


def test_a_grouped_sort_leaves_searches_promises_and_narrow_filters_to_one_query(demo_store: Store) -> None:
    from tests.conftest import DEMO_TODAY

    with demo_store.engine.connect() as conn:
        assert queries.grouped_first_page(conn, CaseQuery(sort="priority"), 10) is None
        assert queries.grouped_first_page(conn, CaseQuery(sort="stage", search="王"), 10) is None
        assert queries.grouped_first_page(conn, CaseQuery(sort="stage", promise="due", today=DEMO_TODAY), 10) is None
        assert queries.grouped_first_page(conn, CaseQuery(sort="stage", districts=("锦江区",)), 10) is None  # < 2,000
        assert queries.grouped_first_page(conn, CaseQuery(sort="status"), 10) is None  # no index of its own
