"""The case list: models pass the model tester; filters, search and sort run in SQL; selection survives."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.store.queries import CaseQuery, count_cases
from app.ui.case_model import (
    COL_CASE_NO,
    COL_DPD,
    COL_OVERDUE,
    COL_STAGE,
    CaseIdRole,
    CaseRole,
    CaseTableModel,
    SortRole,
)
from tests.conftest import DEMO_CASES

from .conftest import pick_case, sql


def cases_list(window: Any) -> Any:
    return window.cases.list


def wait_reload(qtbot: Any, view: Any, action: Any) -> None:
    with qtbot.waitSignal(view.listReady, timeout=10_000):
        action()


def test_case_model_passes_the_model_tester(ctx: Any, qtbot: Any, qtmodeltester: Any) -> None:
    model = CaseTableModel(ctx.store, ctx.runner, ctx.today)
    with qtbot.waitSignal(model.reloaded, timeout=10_000):
        model.reload()
    assert model.rowCount() == DEMO_CASES
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)


def test_rows_carry_raw_sort_values_and_the_row_object(ctx: Any, qtbot: Any) -> None:
    model = CaseTableModel(ctx.store, ctx.runner, ctx.today)
    with qtbot.waitSignal(model.reloaded, timeout=10_000):
        model.reload()
    row = model.data(model.index(0, COL_OVERDUE), CaseRole)
    assert model.data(model.index(0, COL_OVERDUE), SortRole) == row.overdue_fen
    assert model.data(model.index(0, COL_OVERDUE)).startswith("¥")
    assert model.data(model.index(0, 0), CaseIdRole) == row.id
    # the debtor's name is masked in the list
    shown = model.data(model.index(0, 2))
    assert shown != row.debtor_name and shown[0] == row.debtor_name[0] and "*" in shown


def test_the_list_is_sorted_by_priority_first(window: Any) -> None:
    model = window.cases.model
    priorities = [model.data(model.index(r, 0), SortRole) for r in range(50)]
    assert priorities == sorted(priorities, reverse=True)


def test_filtering_by_stage_and_bucket_is_done_in_sql(window: Any, qtbot: Any, ctx: Any) -> None:
    view = cases_list(window)
    bar = view.filters
    wait_reload(qtbot, view, lambda: bar.stage.setCurrentIndex(bar.stage.findData("field_visit")))
    model = view.model
    with ctx.store.engine.connect() as conn:
        expected = count_cases(conn, CaseQuery(stages=("field_visit",)))
    assert model.rowCount() == expected > 0
    assert all(model.data(model.index(r, COL_STAGE), CaseRole).stage == "field_visit"
               for r in range(model.rowCount()))
    wait_reload(qtbot, view, lambda: bar.bucket.setCurrentIndex(bar.bucket.findData("M4+")))
    with ctx.store.engine.connect() as conn:
        expected = count_cases(conn, CaseQuery(stages=("field_visit",), buckets=("M4+",)))
    assert model.rowCount() == expected
    assert view.count_label.text().startswith(str(expected))


def test_safety_and_promise_filters(window: Any, qtbot: Any, ctx: Any) -> None:
    view = cases_list(window)
    wait_reload(qtbot, view, lambda: view.filters.safety.setChecked(True))
    model = view.model
    n = model.rowCount()
    assert 0 < n < DEMO_CASES
    assert all(model.case_row(r).safety_level > 0 for r in range(n))
    wait_reload(qtbot, view, lambda: view.filters.safety.setChecked(False))
    bar = view.filters
    wait_reload(qtbot, view, lambda: bar.promise.setCurrentIndex(bar.promise.findData("due")))
    today = ctx.today()
    assert all(model.case_row(r).promise_due <= today for r in range(model.rowCount()))


def test_search_as_you_type_is_debounced_and_uses_the_index(window: Any, qtbot: Any, ctx: Any) -> None:
    view = cases_list(window)
    case_no = sql(ctx.store, "SELECT case_no FROM cases WHERE id = 123")[0][0]
    reloads: list[int] = []
    view.model.reloaded.connect(lambda: reloads.append(1))
    with qtbot.waitSignal(view.listReady, timeout=10_000):
        for ch in case_no[-5:]:  # typed one key at a time, faster than the debounce
            qtbot.keyClick(view.filters.search, ch)
    qtbot.waitUntil(lambda: view.model.rowCount() >= 1)
    assert len(reloads) == 1, "a burst of keystrokes makes one query, not one per key"
    rows = [view.model.case_row(r).case_no for r in range(view.model.rowCount())]
    assert case_no in rows and all(case_no[-5:] in r for r in rows)


def test_search_by_surname_of_one_character(window: Any, qtbot: Any, ctx: Any) -> None:
    view = cases_list(window)
    wait_reload(qtbot, view, lambda: (view.filters.search.setText("王"), view.filters.flush()))
    expected = {r[0] for r in sql(ctx.store, "SELECT DISTINCT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id "
                                             "LEFT JOIN addresses a ON a.debtor_id = d.id "
                                             "WHERE d.name LIKE '%王%' OR a.text LIKE '%王%'")}
    assert expected
    assert set(view.model.ids) == expected


def test_hostile_search_text_is_harmless(window: Any, qtbot: Any) -> None:
    view = cases_list(window)
    for text in ['"; DROP TABLE cases; --', "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "😀" * 50,
                 "x" * 10_000, 'NEAR(a b) OR "', "王 AND *"]:
        wait_reload(qtbot, view, lambda t=text: (view.filters.search.setText(t), view.filters.flush()))
        assert view.model.rowCount() >= 0
    wait_reload(qtbot, view, lambda: (view.filters.search.clear(), view.filters.flush()))
    assert view.model.rowCount() == DEMO_CASES


def test_sorting_by_a_header_click_sorts_in_sql(window: Any, qtbot: Any, ctx: Any) -> None:
    view = cases_list(window)
    header = view.table.horizontalHeader()
    wait_reload(qtbot, view, lambda: header.setSortIndicator(COL_DPD, Qt.SortOrder.AscendingOrder))
    model = view.model
    assert model.query.sort == "days_past_due" and not model.query.descending
    dpds = [model.data(model.index(r, COL_DPD), SortRole) for r in range(model.rowCount())]
    assert dpds == sorted(dpds)
    expected = [r[0] for r in sql(ctx.store, "SELECT id FROM cases ORDER BY days_past_due, id")]
    assert model.ids == expected
    wait_reload(qtbot, view, lambda: header.setSortIndicator(COL_CASE_NO, Qt.SortOrder.DescendingOrder))
    numbers = [model.data(model.index(r, COL_CASE_NO)) for r in range(model.rowCount())]
    assert numbers == sorted(numbers, reverse=True)


def test_selection_survives_a_refresh_and_a_resort(window: Any, qtbot: Any) -> None:
    view = cases_list(window)
    model = view.model
    target = model.case_id_at(37)
    view.select_case(target)
    assert view.selected_case == target
    wait_reload(qtbot, view, model.reload)
    assert model.case_id_at(view.table.currentIndex().row()) == target
    header = view.table.horizontalHeader()
    wait_reload(qtbot, view, lambda: header.setSortIndicator(COL_OVERDUE, Qt.SortOrder.AscendingOrder))
    assert model.case_id_at(view.table.currentIndex().row()) == target


def test_new_data_shows_in_place(window: Any, qtbot: Any, ctx: Any) -> None:
    view = cases_list(window)
    model = view.model
    cid = model.case_id_at(3)
    model.case_row(3)
    with ctx.store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE cases SET status = 'paused' WHERE id = :id"), {"id": cid})
    with qtbot.waitSignal(model.dataChanged, timeout=5_000):
        model.refresh_cases([cid])
    assert model.case_row(3).status == "paused" and model.case_id_at(3) == cid


def test_filters_sort_and_columns_persist(window: Any, qtbot: Any, ctx: Any, app_settings: Any) -> None:
    view = cases_list(window)
    bar = view.filters
    wait_reload(qtbot, view, lambda: bar.status.setCurrentIndex(bar.status.findData("open")))
    wait_reload(qtbot, view, lambda: view.table.horizontalHeader().setSortIndicator(COL_DPD,
                                                                                    Qt.SortOrder.AscendingOrder))
    view.table.horizontalHeader().resizeSection(COL_CASE_NO, 211)
    window.save_layout()
    from app.ui.case_list import CaseListView

    again = CaseListView(CaseTableModel(ctx.store, ctx.runner, ctx.today), app_settings, "cases")
    qtbot.addWidget(again)
    assert again.filters.status.currentData() == "open"
    assert again.model.query.statuses == ("open",)
    assert again.model.query.sort == "days_past_due" and not again.model.query.descending
    assert again.table.horizontalHeader().sectionSize(COL_CASE_NO) == 211
    with qtbot.waitSignal(again.listReady, timeout=10_000):
        again.start()
    assert again.model.rowCount() == view.model.rowCount()


def test_today_page_lists_planned_cases_first(window: Any, qtbot: Any, ctx: Any) -> None:
    import json
    from datetime import UTC, datetime

    from sqlalchemy import text

    planned = [pick_case(ctx.store, "id > 500"), pick_case(ctx.store, "id > 400")]
    with ctx.store.engine.begin() as conn:
        conn.execute(text("INSERT INTO day_plans(agent_id, day, data, updated_at) VALUES (NULL, :day, :data, :at)"),
                     {"day": ctx.today().isoformat(), "data": json.dumps({"stops": [{"case_id": i} for i in planned]}),
                      "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")})
    view = window.today.list
    wait_reload(qtbot, view, window.today.model.reload)
    ids = view.model.ids
    assert ids[:2] == planned
    due = {r[0] for r in sql(ctx.store, "SELECT id FROM cases WHERE (promise_due = :d OR next_action_on = :d) "
                                        "AND status NOT IN ('closed', 'returned')", d=ctx.today().isoformat())}
    assert set(ids[2:]) == due - set(planned)


def test_first_page_shows_before_all_ids_arrive(ctx: Any, qtbot: Any, qtmodeltester: Any) -> None:
    from app.ui.case_model import sql_first

    model = CaseTableModel(ctx.store, ctx.runner, ctx.today, first_source=sql_first)
    shown: list[tuple[int, Any]] = []
    model.firstRowsReady.connect(lambda: shown.append((model.rowCount(), model.data(model.index(0, COL_CASE_NO)))))
    with qtbot.waitSignal(model.reloaded, timeout=10_000):
        model.reload()
    assert shown and shown[0][0] == DEMO_CASES and shown[0][1].startswith("CD")
    assert None not in model.ids and len(model.ids) == DEMO_CASES
    expected = [r[0] for r in sql(ctx.store, "SELECT id FROM cases ORDER BY priority DESC, id DESC")]
    assert model.ids == expected
    qtmodeltester.check(model, force_py=True)


def test_rows_not_yet_known_show_a_placeholder(ctx: Any, qtbot: Any) -> None:
    from app.ui.case_model import sql_first

    model = CaseTableModel(ctx.store, ctx.runner, ctx.today, first_source=sql_first)
    from app.store.queries import first_rows

    with ctx.store.engine.connect() as conn:
        head = first_rows(conn, CaseQuery(), 128)
    model._apply_first(model._generation, head)  # as if the ids were still on their way
    assert model.rowCount() == DEMO_CASES
    assert model.data(model.index(500, COL_CASE_NO)) == "…"
    assert model.case_id_at(500) is None and model.case_row(500) is None
    assert model.data(model.index(5, COL_CASE_NO)).startswith("CD")


def test_grouping_sorts_break_ties_by_priority(window: Any, qtbot: Any) -> None:
    view = cases_list(window)
    header = view.table.horizontalHeader()
    wait_reload(qtbot, view, lambda: header.setSortIndicator(COL_STAGE, Qt.SortOrder.DescendingOrder))
    model = view.model
    keys = [(model.case_row(r).stage, model.case_row(r).priority) for r in range(model.rowCount())]
    assert keys == sorted(keys, reverse=True)
