"""The supervisor's assignment commands on a real store file: queueing, superseding, validation, areas.

Delivery to head office is tested against a real head-office process in
tests/integration/test_supervisor_assign_e2e.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from app.services import assigning as a

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def rows(store: Any, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def agent_ids(store: Any) -> list[int]:
    return [t.id for t in a.team_agents(store)]


def some_cases(store: Any, n: int, where: str = "1=1") -> list[int]:
    return [r[0] for r in rows(store, f"SELECT id FROM cases WHERE {where} ORDER BY id LIMIT {n}")]


def test_roles_and_team(demo_store: Any) -> None:
    assert a.is_supervisor(demo_store, "super01")
    assert not a.is_supervisor(demo_store, "agent01")
    assert not a.is_supervisor(demo_store, "nobody")
    team = a.team_agents(demo_store)
    assert [t.username for t in team] == [f"agent0{i}" for i in range(1, 7)]
    assert all(t.label for t in team)


def test_queue_records_pending_events_with_the_seen_version(demo_store: Any) -> None:
    ids = some_cases(demo_store, 5)
    target = agent_ids(demo_store)[2]
    versions = dict(rows(demo_store, f"SELECT id, version FROM cases WHERE id IN ({','.join(map(str, ids))})"))
    before_outbox = rows(demo_store, "SELECT count(*) FROM outbox")[0][0]
    result = a.queue_assignments(demo_store, ids, target, actor="super01", now=NOW, reason="rebalance east")
    assert result == a.Queued(5, 0, ())
    events = rows(demo_store, "SELECT e.case_id, e.case_version, e.payload, e.sync_state, e.actor FROM events e "
                              "JOIN outbox o ON o.event_id = e.id WHERE e.kind = 'assign' ORDER BY e.case_id")
    assert [e[0] for e in events] == ids
    for case_id, version, payload, state, actor in events:
        assert version == versions[case_id]
        assert json.loads(payload) == {"agent_id": target, "reason": "rebalance east"}
        assert (state, actor) == ("pending", "super01")
    assert rows(demo_store, "SELECT count(*) FROM outbox")[0][0] == before_outbox + 5
    assert a.pending_assignments(demo_store) == dict.fromkeys(ids, target)
    assert a.pending_assignment_count(demo_store) == 5
    audit = rows(demo_store, "SELECT action, data FROM audit_log ORDER BY seq DESC LIMIT 1")[0]
    assert audit[0] == "case.assign_queued" and json.loads(audit[1])["cases"] == 5
    # the local case is unchanged until head office confirms
    assert dict(rows(demo_store, f"SELECT id, version FROM cases WHERE id IN ({','.join(map(str, ids))})")) \
        == versions


def test_a_newer_assignment_supersedes_the_pending_one(demo_store: Any) -> None:
    ids = some_cases(demo_store, 3)
    first, second = agent_ids(demo_store)[:2]
    a.queue_assignments(demo_store, ids, first, actor="super01", now=NOW)
    result = a.queue_assignments(demo_store, ids[:1], second, actor="super01", now=NOW)
    assert result.superseded == 1
    assert a.pending_assignments(demo_store) == {ids[0]: second, ids[1]: first, ids[2]: first}
    states = rows(demo_store, "SELECT sync_state, count(*) FROM events WHERE kind = 'assign' GROUP BY sync_state")
    assert dict(states) == {"pending": 3, "superseded": 1}


def test_back_to_the_queue_and_plans(demo_store: Any) -> None:
    ids = some_cases(demo_store, 4)
    team = agent_ids(demo_store)
    a.queue_plan(demo_store, {ids[0]: None, ids[1]: team[0], ids[2]: team[1], ids[3]: team[1]}, actor="super01",
                 now=NOW)
    assert a.pending_assignments(demo_store) == {ids[0]: None, ids[1]: team[0], ids[2]: team[1], ids[3]: team[1]}


def test_refusals(demo_store: Any) -> None:
    ids = some_cases(demo_store, 2)
    supervisor = rows(demo_store, "SELECT id FROM agents WHERE username = 'super01'")[0][0]
    with pytest.raises(a.AssignError, match="select at least one case"):
        a.queue_assignments(demo_store, [], None, actor="super01", now=NOW)
    with pytest.raises(a.AssignError, match="no field agent"):
        a.queue_assignments(demo_store, ids, 9999, actor="super01", now=NOW)
    with pytest.raises(a.AssignError, match="no field agent"):
        a.queue_assignments(demo_store, ids, supervisor, actor="super01", now=NOW)
    with pytest.raises(a.AssignError, match="none of the selected"):
        a.queue_assignments(demo_store, [10_000_000], None, actor="super01", now=NOW)
    assert a.pending_assignment_count(demo_store) == 0  # nothing half-written
    result = a.queue_assignments(demo_store, [*ids, 10_000_000], None, actor="super01", now=NOW)
    assert result.queued == 2 and result.missing == (10_000_000,)


def test_hostile_reason_is_kept_as_text_on_one_line_and_capped(demo_store: Any) -> None:
    ids = some_cases(demo_store, 1)
    hostile = "<script>alert(1)</script>\n=HYPERLINK(\"x\")\x00 客户搬家 🏠 moved" + "长" * 10_000
    a.queue_assignments(demo_store, ids, None, actor="super01", now=NOW, reason=hostile)
    payload = json.loads(rows(demo_store, "SELECT payload FROM events WHERE kind = 'assign'")[0][0])
    reason = payload["reason"]
    assert len(reason) == a.MAX_REASON
    assert reason.startswith("<script>alert(1)</script> =HYPERLINK(\"x\")  客户搬家 🏠 moved")
    assert "\n" not in reason and "\x00" not in reason


def test_the_event_push_leaves_assignments_to_their_own_endpoint(demo_store: Any) -> None:
    from app.sync.push import next_batch

    ids = some_cases(demo_store, 3)
    a.queue_assignments(demo_store, ids, None, actor="super01", now=NOW)
    batch = next_batch(demo_store, 0, 1000)
    assert all(p.wire is None or p.wire["kind"] != "assign" for p in batch)


def test_districts_and_areas(demo_store: Any) -> None:
    names = a.districts(demo_store)
    assert len(names) >= 5
    in_one = a.district_case_ids(demo_store, names[:1])
    assert in_one and set(in_one) == {r[0] for r in rows(
        demo_store, "SELECT id FROM cases WHERE district = :d AND status != 'closed'", d=names[0])}
    unassigned = a.district_case_ids(demo_store, names[:1], unassigned_only=True)
    assert set(unassigned) <= set(in_one)
    assert a.district_case_ids(demo_store, []) == []
    assert a.district_case_ids(demo_store, ["'; DROP TABLE cases; --"]) == []

    places = a.case_places(demo_store)
    p = places[0]
    box = [(p.lat - 0.001, p.lon - 0.001), (p.lat - 0.001, p.lon + 0.001), (p.lat + 0.001, p.lon + 0.001),
           (p.lat + 0.001, p.lon - 0.001)]
    found = a.cases_in_area(demo_store, box)
    assert p.id in found
    expected = {q.id for q in places if abs(q.lat - p.lat) < 0.001 and abs(q.lon - p.lon) < 0.001}
    assert set(found) == expected
    assert a.cases_in_area(demo_store, box, among=[q.id for q in places if q.id != p.id]) == sorted(expected - {p.id})


def test_point_in_polygon() -> None:
    triangle = [(0.0, 0.0), (0.0, 10.0), (10.0, 0.0)]
    assert a.inside(triangle, 1.0, 1.0)
    assert not a.inside(triangle, 6.0, 6.0)
    lasso = [(0.0, 0.0), (0.0, 4.0), (2.0, 2.0), (4.0, 4.0), (4.0, 0.0)]  # (lat, lon): a notch from the east
    assert a.inside(lasso, 1.0, 1.0)
    assert not a.inside(lasso, 2.0, 3.0)


@pytest.mark.parametrize("bad", [None, "[[1,2],[3,4],[5,6]]", [[1, 2], [3, 4]], [[1, 2], [3, 4], [5]],
                                 [[1, 2], [3, 4], ["5", 6]], [[1, 2], [3, 4], [True, 6]],
                                 [[1, 2], [3, 4], [95, 6]], [[1, 2], [3, 4], [float("nan"), 6]],
                                 [[0, 0]] * 1001])
def test_area_validation_refuses_what_the_page_should_not_send(bad: Any) -> None:
    with pytest.raises(a.AssignError):
        a.validate_area(bad)


def test_area_validation_accepts_corners() -> None:
    assert a.validate_area([[30.1, 104.0], [30.2, 104.1], [30.3, 104.0]]) == [(30.1, 104.0), (30.2, 104.1),
                                                                              (30.3, 104.0)]
