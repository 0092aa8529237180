"""The supervisor workspace against a live head office on loopback: bulk assign (SQLite and PostgreSQL),
the round trip to the agents' next sync, approvals and their decisions reaching the agent, the team's
day, and role and team scope on every supervisor endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.contract import v1
from app.domain.compliance import builtin_profile
from app.services.dayplan import DayOptions, plan_agent_day, save_day_plan
from app.services.syncing import sync_once
from app.services.workspace import case_timeline
from app.store import models as m
from app.store.engine import Store
from app.store.events import append_event
from app.store.migrate import open_store
from app.store.notices import read_decision
from app.sync.client import HeadOfficeClient
from app.sync.engine import device_of
from app.sync.errors import ProtocolError
from app.sync.retry import RetryPolicy
from tests.conftest import DEMO_TODAY
from tests.integration.conftest import HeadOffice, outcome_event, pull_all

from .sync_helpers import record_no_answer
from .sync_server import PASSWORD
from .sync_server import HeadOffice as SyncHeadOffice

SUPERVISOR_GETS = ("/api/v1/cases", "/api/v1/agents", "/api/v1/approvals", "/api/v1/team/today")


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[dict[str, Store]]:
    """A local store per user name, opened on first use (each user has their own laptop)."""
    opened: dict[str, Store] = {}

    class Laptops(dict[str, Store]):
        def __missing__(self, name: str) -> Store:
            opened[name] = open_store(tmp_path / name / "doorstep.sqlite3")
            return opened[name]

    yield Laptops()
    for s in opened.values():
        s.close()


@pytest.fixture
def sign_in() -> Iterator[Any]:
    clients: list[HeadOfficeClient] = []

    def make(ho: HeadOffice, store: Store, username: str) -> HeadOfficeClient:
        client = HeadOfficeClient(ho.url, device_of(store), retry=RetryPolicy(base=0.05, cap=1.0, budget=20))
        client.login(username, PASSWORD)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


def _agents(c: httpx.Client) -> dict[str, int]:
    return {a["username"]: a["id"] for a in c.get("/api/v1/agents").json()}


def _cases(c: httpx.Client, **params: Any) -> dict[int, dict[str, Any]]:
    body = c.get("/api/v1/cases", params={"limit": 1000, **params}).json()
    return {x["id"]: x for x in body["cases"]}


def _push(c: httpx.Client, *events: dict[str, Any]) -> list[dict[str, Any]]:
    r = c.post("/api/v1/sync/events", json={"events": list(events)})
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def _decision(case_id: int, subject: str, subject_id: str, approved: bool, reason: str, seq: int,
              device: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "device_id": device, "device_seq": seq, "case_id": case_id, "case_version": 1,
            "kind": "decision", "payload": {"subject": subject, "subject_id": subject_id, "approved": approved,
                                            "reason": reason},
            "occurred_at": datetime.now(UTC).isoformat(), "schema_version": 1}


# --- bulk assign ---------------------------------------------------------------------------------------------


def test_bulk_assign_applies_what_it_can_and_reports_conflicts_unknowns_and_strangers(
        headoffice_server: Any, backend: str) -> None:
    ho = headoffice_server(db=backend, cases=120)
    sup = ho.client(ho.token("super01"))
    agents = _agents(sup)
    a1 = ho.client(ho.token("agent01"))
    a2 = ho.client(ho.token("agent02"))
    _, cursor1 = pull_all(a1)
    _, cursor2 = pull_all(a2)
    mine = sorted(_cases(sup, agent_id=agents["agent01"]).values(), key=lambda c: c["id"])
    assert len(mine) >= 6
    moving, stale, back_to_queue, same = mine[:3], mine[3], mine[4], mine[5]
    items = ([{"case_id": c["id"], "version": c["version"], "agent_id": agents["agent02"]} for c in moving]
             + [{"case_id": stale["id"], "version": stale["version"] + 7, "agent_id": agents["agent02"]},
                {"case_id": 999_999, "version": 1, "agent_id": agents["agent02"]},
                {"case_id": back_to_queue["id"], "version": back_to_queue["version"], "agent_id": agents["super01"]},
                {"case_id": back_to_queue["id"], "version": back_to_queue["version"], "agent_id": None},
                {"case_id": same["id"], "version": same["version"], "agent_id": agents["agent01"]}])
    r = sup.post("/api/v1/cases/assign", json={"items": items, "reason": "调整片区 rebalance"})
    assert r.status_code == 200, r.text
    results = v1.AssignBatchResponse.model_validate(r.json()).results
    assert [x.status for x in results] == ["assigned"] * 3 + ["conflict", "not_found", "unknown_agent", "assigned",
                                                                "assigned"]
    for res, c in zip(results[:3], moving, strict=True):
        assert (res.case_id, res.version, res.agent_id) == (c["id"], c["version"] + 1, agents["agent02"])
    conflict = results[3]
    assert conflict.current is not None and conflict.current.version == stale["version"]
    assert conflict.current.agent_id == agents["agent01"]  # never overwritten
    assert (results[6].agent_id, results[6].version) == (None, back_to_queue["version"] + 1)
    assert (results[7].agent_id, results[7].version) == (agents["agent01"], same["version"])  # no-op: no new version

    now = _cases(sup)
    assert all(now[c["id"]]["agent_id"] == agents["agent02"] for c in moving)
    assert now[stale["id"]]["agent_id"] == agents["agent01"] and now[stale["id"]]["version"] == stale["version"]
    assert now[back_to_queue["id"]]["agent_id"] is None
    # The pull log: the new owner receives the cases, the old one their removal; nothing for the rest.
    got2 = pull_all(a2, cursor2)[0]
    assert {ch["case_id"] for ch in got2 if ch["kind"] == "case_upsert"} == {c["id"] for c in moving}
    got1 = pull_all(a1, cursor1)[0]
    assert {ch["case_id"] for ch in got1 if ch["kind"] == "case_removed"} == {
        c["id"] for c in [*moving, back_to_queue]}
    assert not [ch for ch in got1 if ch["kind"] == "case_upsert"]
    # Every accepted move was one transaction with the others: the old owner's later events on a moved
    # case are accepted and flagged (it held the case), not rejected.
    res = _push(a1, outcome_event(moving[0]["id"], str(uuid.uuid4()), 1))[0]
    assert res["status"] == "flagged" and "reassigned" in res["flag_reason"]


def test_bulk_assign_refuses_malformed_batches(headoffice_server: Any) -> None:
    ho = headoffice_server(cases=10)
    sup = ho.client(ho.token("super01"))
    one = {"case_id": 1, "version": 1, "agent_id": None}
    for body in ({"items": []}, {"items": [one] * 1001}, {"items": [one | {"case_id": 2**40}]},
                 {"items": [one | {"version": -1}]}, {"items": [one], "reason": "x" * 501},
                 {"items": [one | {"extra": 1}]}, {"items": "all"}):
        r = sup.post("/api/v1/cases/assign", json=body)
        assert r.status_code == 422, (body, r.text)
        assert set(r.json()) == {"error", "detail"}
    assert sup.post("/api/v1/cases/assign", content=b"{not json", headers={"Content-Type": "application/json"}
                    ).status_code == 400


def test_supervisor_assigns_and_the_agents_next_sync_receives_the_cases(
        headoffice_server: Any, stores: dict[str, Store], sign_in: Any) -> None:
    ho = headoffice_server(cases=60)
    c1, c2 = sign_in(ho, stores["agent01"], "agent01"), sign_in(ho, stores["agent02"], "agent02")
    sync_once(stores["agent01"], c1)
    sync_once(stores["agent02"], c2)
    with stores["agent01"].read() as session:
        local = dict(session.execute(select(m.Case.id, m.Case.version).order_by(m.Case.id)).tuples().all())
    moved = sorted(local)[:4]
    # agent01 records a call on the first case while offline; it is still queued when the case moves.
    pending = record_no_answer(stores["agent01"], moved[0], actor="agent01")

    sup = sign_in(ho, stores["super01"], "super01")
    agent02 = c2.user.id
    reply = sup.assign_batch([v1.AssignItem(case_id=cid, version=local[cid], agent_id=agent02) for cid in moved],
                             reason="agent01 on leave")
    assert [r.status for r in reply.results] == ["assigned"] * 4

    assert sync_once(stores["agent02"], c2).cases_updated >= len(moved)
    with stores["agent02"].read() as session:
        held = dict(session.execute(select(m.Case.id, m.Case.agent_id).where(m.Case.id.in_(moved))).tuples().all())
    assert held == dict.fromkeys(moved, agent02)

    # The old agent's sync uploads the queued record first (accepted, flagged: the case moved), then the
    # cases leave the laptop; nothing recorded is lost.
    report1 = sync_once(stores["agent01"], c1)
    assert report1.pushed.flagged == 1
    with stores["agent01"].read() as session:
        assert session.scalars(select(m.Case.id).where(m.Case.id.in_(moved))).all() == []
        event = session.get(m.Event, pending)
        assert event is not None and event.sync_state == "flagged" and "reassigned" in (event.flag_reason or "")
    # ...and the record reaches the new holder in the case's history.
    sync_once(stores["agent02"], c2)
    with stores["agent02"].read() as session:
        ids = session.scalars(select(m.ContactAttempt.event_id).where(m.ContactAttempt.case_id == moved[0])).all()
    assert pending in ids


# --- approvals and decisions -------------------------------------------------------------------------------


def test_decisions_on_relief_flagged_and_override_reach_the_agent(
        headoffice_server: Any, stores: dict[str, Store], sign_in: Any) -> None:
    ho = headoffice_server(cases=60)
    agent = ho.client(ho.token("agent01"))
    sup = ho.client(ho.token("super01"))
    mine = sorted(_cases(sup, agent_id=_agents(sup)["agent01"]))
    device = str(uuid.uuid4())
    hardship = outcome_event(mine[0], device, 1, code="hardship", channel="phone",
                             fields={"hardship_reason": "illness", "relief_kind": "deferral",
                                     "relief_detail": "<script>alert(1)</script> 住院三个月"})
    # 23:30 in Chengdu (quiet hours): stored, flagged; the promise counts provisionally.
    late_promise = outcome_event(mine[1], device, 2, code="promise_to_pay", at="2026-11-30T15:30:00+00:00",
                                 fields={"promise_amount_fen": 50_000, "promise_date": "2026-12-05"})
    late_call = outcome_event(mine[2], device, 3, at="2026-11-30T15:40:00+00:00")
    override = outcome_event(mine[3], device, 4, code="not_home", channel="visit", collectors=1,
                             compliance={"profile": "CN", "version": 1, "overridden": ["home_visit_two_person"],
                                         "override_by": "super01", "override_reason": "partner ill, short visit"})
    results = _push(agent, hardship, late_promise, late_call, override)
    assert [r["status"] for r in results] == ["accepted", "flagged", "flagged", "accepted"]
    assert _cases(sup)[mine[1]]["status"] == "promised"

    pending = v1.ApprovalListResponse.model_validate(sup.get("/api/v1/approvals").json())
    by_id = {i.subject_id: i for i in pending.items}
    assert {(by_id[e["id"]].subject, by_id[e["id"]].status) for e in (hardship, late_promise, late_call, override)} == {
        ("relief", "pending"), ("flagged_event", "pending"), ("override", "pending")}
    assert by_id[hardship["id"]].details["detail"] == "<script>alert(1)</script> 住院三个月"  # data, as typed
    assert by_id[late_promise["id"]].agent_username == "agent01" and by_id[late_promise["id"]].case_id == mine[1]
    assert by_id[override["id"]].details["overridden"] == ["home_visit_two_person"]

    # The supervisor's laptop queues the decisions; the normal sync delivers them.
    sup_store = stores["super01"]
    sup_client = sign_in(ho, sup_store, "super01")
    sync_once(sup_store, sup_client)
    now = datetime.now(UTC)
    with sup_store.write() as session:
        for case_id, subject, subject_id, ok, why in (
                (mine[0], "relief", hardship["id"], True, "同意延期 approved"),
                (mine[1], "flagged_event", late_promise["id"], False, "quiet hours: not valid"),
                (mine[2], "flagged_event", late_call["id"], True, "debtor asked for the call"),
                (mine[3], "override", override["id"], True, "confirmed")):
            version = session.get(m.Case, case_id).version  # type: ignore[union-attr]
            append_event(session, case_id=case_id, case_version=version, kind="decision",
                         payload={"subject": subject, "subject_id": subject_id, "approved": ok, "reason": why},
                         occurred_at=now, recorded_at=now, actor="super01")
    report = sync_once(sup_store, sup_client)
    assert report.pushed.acknowledged == 4 and report.pushed.flagged == 0

    left = v1.ApprovalListResponse.model_validate(sup.get("/api/v1/approvals").json())
    assert not {i.subject_id for i in left.items} & {hardship["id"], late_promise["id"], late_call["id"],
                                                     override["id"]}
    decided = {i.subject_id: i for i in v1.ApprovalListResponse.model_validate(
        sup.get("/api/v1/approvals", params={"status": "decided"}).json()).items}
    assert decided[late_promise["id"]].status == "rejected"
    assert decided[late_promise["id"]].decided_by == "super01"
    assert decided[late_promise["id"]].decision_reason == "quiet hours: not valid"
    assert decided[hardship["id"]].status == decided[late_call["id"]].status == decided[override["id"]].status == (
        "approved")
    # A rejected flagged fact leaves the derived state; an approved one is accepted.
    assert _cases(sup)[mine[1]]["status"] == "open"
    statuses = dict(SyncHeadOffice(ho).query("SELECT id, status FROM events WHERE id IN (?, ?)",
                                             (late_promise["id"], late_call["id"])))
    assert statuses == {late_promise["id"]: "rejected", late_call["id"]: "accepted"}

    # The agent's next sync shows each verdict on its case.
    store = stores["agent01"]
    client = sign_in(ho, store, "agent01")
    sync_once(store, client)
    with store.read() as session:
        notices = {n.case_id: read_decision(n.text)
                   for n in session.scalars(select(m.Notice).where(m.Notice.kind == "decision"))}
        relief = session.scalars(select(m.ReliefProposal).where(m.ReliefProposal.event_id == hardship["id"])).all()
    assert set(notices) == set(mine[:4])
    assert notices[mine[0]] == {"subject": "relief", "approved": True, "by": "super01", "reason": "同意延期 approved"}
    assert notices[mine[1]] == {"subject": "flagged_event", "approved": False, "by": "super01",
                                "reason": "quiet hours: not valid"}
    assert relief == [] or relief[0].status == "approved"  # a proposal recorded elsewhere is not on this laptop
    timeline = case_timeline(store, mine[1])
    assert any(i.kind == "decision" and i.code == "flagged_event" and i.text == "quiet hours: not valid"
               and i.details == {"approved": False, "by": "super01"} for i in timeline)


def test_a_decision_by_an_agent_or_on_another_case_is_flagged_not_applied(headoffice_server: Any) -> None:
    ho = headoffice_server(cases=30)
    agent = ho.client(ho.token("agent01"))
    sup = ho.client(ho.token("super01"))
    mine = sorted(_cases(sup, agent_id=_agents(sup)["agent01"]))
    device = str(uuid.uuid4())
    late = outcome_event(mine[0], device, 1, at="2026-11-30T15:30:00+00:00")
    assert _push(agent, late)[0]["status"] == "flagged"
    own = _push(agent, _decision(mine[0], "flagged_event", late["id"], True, "fine", 2, device))[0]
    assert own["status"] == "flagged" and "supervisor" in own["flag_reason"]
    wrong = _push(sup, _decision(mine[1], "flagged_event", late["id"], True, "fine", 1, str(uuid.uuid4())))[0]
    assert wrong["status"] == "flagged" and "another case" in wrong["flag_reason"]
    items = {i["subject_id"]: i for i in sup.get("/api/v1/approvals").json()["items"]}
    assert items[late["id"]]["status"] == "pending"


def test_a_rejected_flagged_payment_leaves_the_overdue_amount_whichever_arrives_first(headoffice_server: Any) -> None:
    ho = headoffice_server(cases=30)
    agent = ho.client(ho.token("agent01"))
    sup = ho.client(ho.token("super01"))
    mine = sorted(_cases(sup, agent_id=_agents(sup)["agent01"]))
    before = _cases(sup)
    device, sup_device = str(uuid.uuid4()), str(uuid.uuid4())

    def late_payment(case_id: int, seq: int) -> dict[str, Any]:  # 23:30 in Chengdu: flagged
        return outcome_event(case_id, device, seq, code="partial_payment", at="2026-11-30T15:30:00+00:00",
                             fields={"payment_amount_fen": 5_000, "payment_method": "platform_app",
                                     "receipt_no": f"R-{seq}"})

    # Case A: the payment first (it counts provisionally), then the rejection.
    pay_a = late_payment(mine[0], 1)
    assert _push(agent, pay_a)[0]["status"] == "flagged"
    assert _cases(sup)[mine[0]]["overdue_fen"] == before[mine[0]]["overdue_fen"] - 5_000
    assert _push(sup, _decision(mine[0], "flagged_event", pay_a["id"], False, "no receipt", 1, sup_device))[0][
        "status"] == "accepted"
    # Case B: the rejection reaches head office before the payment it is about (another device was faster).
    pay_b = late_payment(mine[1], 2)
    assert _push(sup, _decision(mine[1], "flagged_event", pay_b["id"], False, "no receipt", 2, sup_device))[0][
        "status"] == "accepted"
    assert _push(agent, pay_b)[0]["status"] == "flagged"
    after = _cases(sup)
    assert after[mine[0]]["overdue_fen"] == before[mine[0]]["overdue_fen"]
    assert after[mine[1]]["overdue_fen"] == before[mine[1]]["overdue_fen"]
    statuses = dict(SyncHeadOffice(ho).query("SELECT id, status FROM events WHERE id IN (?, ?)",
                                             (pay_a["id"], pay_b["id"])))
    assert statuses == {pay_a["id"]: "rejected", pay_b["id"]: "rejected"}
    decided = {i["subject_id"]: i["status"] for i in sup.get("/api/v1/approvals", params={"status": "decided"}
                                                                  ).json()["items"]}
    assert decided == {pay_a["id"]: "rejected", pay_b["id"]: "rejected"}


# --- the team's day -------------------------------------------------------------------------------------------


def test_team_today_counts_planned_and_done_visits_and_shows_positions_only_to_the_team(
        headoffice_server: Any, stores: dict[str, Store], sign_in: Any) -> None:
    ho = headoffice_server(cases=60)
    store = stores["agent01"]
    client = sign_in(ho, store, "agent01")
    sync_once(store, client)
    agent_id = client.user.id
    at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Chengdu
    profile = builtin_profile("CN")
    options = DayOptions(time_limit_s=1, partner="王强")  # CN: two collectors at a home visit
    first = plan_agent_day(store, agent_id, DEMO_TODAY, profile, options, now=at)
    save_day_plan(store, first, "agent01", now=at)
    second = plan_agent_day(store, agent_id, DEMO_TODAY, profile, replace(options, remove=first.case_ids[:1]), now=at)
    save_day_plan(store, second, "agent01", now=at.replace(minute=5))  # replaces the first plan
    assert len(second.case_ids) >= 2 and len(second.case_ids) < len(first.case_ids)
    report = sync_once(store, client)
    assert report.pushed.acknowledged == len(first.case_ids) + len(second.case_ids)

    agent = ho.client(ho.token("agent01"))
    device = str(uuid.uuid4())
    visits = [outcome_event(cid, device, i + 1, code="not_home", channel="visit",
                            at=f"2026-11-30T0{3 + i}:00:00+00:00", lat=(30.6, 30.61)[i], lon=104.0)
              for i, cid in enumerate(second.case_ids[:2])]
    paid = outcome_event(second.case_ids[0], device, 3, code="partial_payment", channel="visit",
                         at="2026-11-30T06:00:00+00:00",
                         fields={"payment_amount_fen": 12_345, "payment_method": "platform_app",
                                 "receipt_no": "R-1"})
    late = outcome_event(second.case_ids[1], device, 4, at="2026-11-30T15:30:00+00:00")  # quiet hours: flagged
    yesterday = outcome_event(second.case_ids[1], device, 5, code="not_home", channel="visit",
                              at="2026-11-29T03:00:00+00:00")
    assert [r["status"] for r in _push(agent, *visits, paid, late, yesterday)] == [
        "accepted", "accepted", "accepted", "flagged", "accepted"]

    sup = ho.client(ho.token("super01"))
    body = v1.TeamTodayResponse.model_validate(sup.get("/api/v1/team/today", params={"day": "2026-11-30"}).json())
    assert body.day == date(2026, 11, 30)
    assert {a.username for a in body.agents} == {f"agent0{i}" for i in range(1, 7)}
    me = next(a for a in body.agents if a.username == "agent01")
    assert me.planned_visits == len(second.case_ids)
    assert me.done_visits == 3 and me.outcomes == {"not_home": 2, "partial_payment": 1, "no_answer": 1}
    assert me.collected_fen == 12_345 and me.flagged == 1
    assert me.last_sync_at is not None
    assert [(v.case_id, v.lat) for v in me.visits[:2]] == [(second.case_ids[0], 30.6), (second.case_ids[1], 30.61)]
    assert all(v.lat is not None and v.lon is not None for v in me.visits)
    other = next(a for a in body.agents if a.username == "agent02")
    assert (other.planned_visits, other.done_visits, other.visits) == (0, 0, [])
    # An admin gets the figures but not the whereabouts (PIPL Art. 28: the team's supervisor only).
    admin = v1.TeamTodayResponse.model_validate(ho.client(ho.token("admin")).get(
        "/api/v1/team/today", params={"day": "2026-11-30"}).json())
    mine = next(a for a in admin.agents if a.username == "agent01")
    assert mine.done_visits == 3 and all(v.lat is None and v.lon is None for v in mine.visits)
    # Another day is another day.
    before = v1.TeamTodayResponse.model_validate(sup.get("/api/v1/team/today", params={"day": "2026-11-29"}).json())
    assert next(a for a in before.agents if a.username == "agent01").done_visits == 1
    assert sup.get("/api/v1/team/today", params={"day": "30/11/2026"}).status_code == 422


def test_client_methods_speak_the_contract(headoffice_server: Any, stores: dict[str, Store], sign_in: Any) -> None:
    ho = headoffice_server(cases=20)
    sup = sign_in(ho, stores["super01"], "super01")
    listing = ho.client(ho.token("super01")).get("/api/v1/cases", params={"limit": 1}).json()["cases"][0]
    reply = sup.assign_batch([v1.AssignItem(case_id=listing["id"], version=listing["version"] + 1, agent_id=None)])
    assert reply.results[0].status == "conflict" and reply.results[0].current is not None
    assert sup.approvals().total == 0 and sup.approvals(status="all", limit=5).next_offset is None
    assert len(sup.team_today(DEMO_TODAY).agents) == 6
    assert sup.team_today().day is not None
    agent = sign_in(ho, stores["agent01"], "agent01")
    for call in (lambda: agent.assign_batch([v1.AssignItem(case_id=1, version=1, agent_id=None)]),
                 agent.approvals, agent.team_today):
        with pytest.raises(ProtocolError) as caught:
            call()
        assert caught.value.status_code == 403


# --- role and team scope, per endpoint -------------------------------------------------------------------------


def test_every_supervisor_endpoint_refuses_agents_and_anonymous_callers(headoffice_server: Any) -> None:
    ho = headoffice_server(cases=10)
    agent = ho.client(ho.token("agent01"))
    anonymous = ho.client()
    case = next(ch["case_id"] for ch in pull_all(agent)[0] if ch["kind"] == "case_upsert")
    posts = {f"/api/v1/cases/{case}/assign": ({"agent_id": None}, {"If-Match": "1"}),
             "/api/v1/cases/assign": ({"items": [{"case_id": case, "version": 1, "agent_id": None}]}, {})}
    for c, expected in ((agent, 403), (anonymous, 401)):
        for path in SUPERVISOR_GETS:
            r = c.get(path)
            assert r.status_code == expected, (path, r.text)
            assert set(r.json()) == {"error", "detail"}
        for path, (body, headers) in posts.items():
            assert c.post(path, json=body, headers=headers).status_code == expected, path
    # Nothing moved.
    sup = ho.client(ho.token("super01"))
    assert _cases(sup)[case]["version"] == 1


def test_a_supervisor_cannot_see_or_change_another_teams_cases_or_agents(headoffice_server: Any, backend: str) -> None:
    ho = headoffice_server(db=backend, cases=20)
    ho.cli("create-user", "--username", "super02", "--role", "supervisor", "--team", "二组", stdin="password-two\n")
    ho.cli("create-user", "--username", "agent21", "--role", "agent", "--team", "二组", stdin="password-two\n")
    ho.accounts.update(super02="password-two", agent21="password-two")
    sup1 = ho.client(ho.token("super01"))
    sup2 = ho.client(ho.token("super02"))
    team1 = _cases(sup1)
    agents1 = _agents(sup1)
    late = outcome_event(next(iter(team1)), str(uuid.uuid4()), 1, at="2026-11-30T15:30:00+00:00")
    _push(ho.client(ho.token(next(u for u, i in agents1.items() if i == team1[late["case_id"]]["agent_id"]))), late)
    team1 = _cases(sup1)  # the pushed event made a new version of its case

    assert _cases(sup2) == {} and set(_agents(sup2)) == {"super02", "agent21"}
    # Team 1's cases do not exist for super02, whichever agent it names.
    items = [{"case_id": cid, "version": c["version"], "agent_id": aid}
             for (cid, c), aid in zip(list(team1.items())[:3], (None, agents1["agent02"], _agents(sup2)["agent21"]),
                                      strict=True)]
    r = sup2.post("/api/v1/cases/assign", json={"items": items})
    assert [x["status"] for x in r.json()["results"]] == ["not_found"] * 3
    # super01 cannot hand a case to team 2's agent.
    first = items[0]
    r = sup1.post("/api/v1/cases/assign", json={"items": [first | {"agent_id": _agents(sup2)["agent21"]}]})
    assert r.json()["results"][0]["status"] == "unknown_agent"
    assert _cases(sup1) == team1  # nothing changed
    assert sup1.get("/api/v1/approvals").json()["total"] == 1
    assert sup2.get("/api/v1/approvals", params={"status": "all"}).json() == {"items": [], "total": 0,
                                                                              "next_offset": None}
    day = sup2.get("/api/v1/team/today", params={"day": "2026-11-30"}).json()
    assert [a["username"] for a in day["agents"]] == ["agent21"]
    assert all(a["visits"] == [] for a in day["agents"])
