"""Safety at the door between a laptop and a REAL head office on loopback: a visit and an SOS made
offline reach head office first when the network returns (before any ordinary record), the session is
on the supervisor's board, the safety PIN closes it, and the duress PIN closes it on the laptop in just
the same way while head office raises a red duress alarm."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select

from app.contract.safety import SosRequest
from app.domain.safety import SafetyPolicy
from app.services import safety_board
from app.services.syncing import sync_once
from app.services.visits import NoticeView, VisitDesk
from app.store import models as m
from app.store.engine import Store
from app.store.migrate import open_store
from app.store.syncstate import SAFETY_POLICY, set_state
from app.sync.client import HeadOfficeClient
from app.sync.safety_client import SafetyApi

from .sync_fixtures import (  # noqa: F401 (fixtures)
    Connect,
    agent_store_fixture,
    connect_fixture,
    headoffice_fixture,
)
from .sync_helpers import queued, record_no_answer
from .sync_server import HeadOffice, wait_until

SAFETY_PIN = "2580"
DURESS_PIN = "7391"


class RequestLog:
    """The laptop's requests to head office, in the order they were sent (an httpx event hook)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, request: httpx.Request) -> None:
        self.lines.append(f"{request.method} {request.url.path.removeprefix('/api/v1')}")

    def first(self, line: str) -> int:
        return self.lines.index(line)


def local_cases(store: Store) -> list[int]:
    with store.read() as s:
        return list(s.scalars(select(m.Case.id).order_by(m.Case.id)))


def queued_bodies(store: Store) -> list[str]:
    with store.read() as s:
        return list(s.scalars(select(m.SafetyOutbox.body)))


def ready_agent(headoffice: HeadOffice, store: Store, connect: Connect,
                hook: Callable[[httpx.Request], None] | None = None) -> tuple[HeadOfficeClient, VisitDesk]:
    client = connect(headoffice.url, store, budget=1.0, event_hooks={"request": [hook]} if hook else None)
    sync_once(store, client)  # the agent's cases
    api = SafetyApi(client)
    desk = VisitDesk(store, "agent01")
    desk.refresh(api)
    desk.set_pins(api, SAFETY_PIN, DURESS_PIN)
    assert desk.pins_set()
    return client, desk


def supervisor(headoffice: HeadOffice, tmp_path: Path, connect: Connect, name: str = "super01") -> SafetyApi:
    store = open_store(tmp_path / name / "doorstep.sqlite3")
    client = connect(headoffice.url, store, username=name)
    store.close()
    return SafetyApi(client)


def test_an_offline_visit_and_sos_reach_head_office_before_other_records(
        headoffice: HeadOffice, agent_store: Store, connect: Connect, tmp_path: Path) -> None:
    log = RequestLog()
    client, desk = ready_agent(headoffice, agent_store, connect, log)
    api = SafetyApi(client)
    first, second = local_cases(agent_store)[:2]

    headoffice.stop()  # the laptop is offline from here
    view = desk.start(first, 30)
    desk.sos()
    event_id = record_no_answer(agent_store, second)  # an ordinary record, queued in the event outbox
    offline = desk.deliver(api)
    assert offline.sent == 0 and offline.still_queued == 2 and not offline.head_office_knows
    assert offline.problem and "cannot be reached" in offline.problem
    assert desk.current() == view  # nothing lost
    with agent_store.read() as s:
        sos_ref = s.scalars(select(m.SafetyOutbox.client_ref).where(m.SafetyOutbox.kind == "sos")).one()
        open_ref = s.scalars(select(m.SafetyOutbox.client_ref).where(m.SafetyOutbox.kind == "open")).one()

    headoffice.start()
    log.lines.clear()
    report = sync_once(agent_store, client)
    assert report.pushed.acknowledged == 1 and queued(agent_store) == 0 and desk.pending() == 0
    # The laptop sent the SOS, then the visit, then the ordinary records.
    assert log.first("POST /safety/sos") < log.first("POST /safety/sessions") < log.first("POST /sync/events")
    # Head office got them in that order: its replies to the two commands were stored before the event.
    [(sos_at,)] = headoffice.query("SELECT at FROM safety_replies WHERE client_ref = ?", (sos_ref,))
    [(open_at,)] = headoffice.query("SELECT at FROM safety_replies WHERE client_ref = ?", (open_ref,))
    [(event_at,)] = headoffice.query("SELECT received_at FROM events WHERE id = ?", (event_id,))
    assert sos_at < open_at < event_at
    current = desk.current()
    assert current is not None and current.head_office_knows and current.problem is None

    boss = supervisor(headoffice, tmp_path, connect)
    board = safety_board.board(boss)
    with agent_store.read() as s:
        server_id = s.scalars(select(m.VisitSession.server_id)).one()
    [session] = [b for b in board.sessions if b.id == server_id]
    assert session.case_id == first and session.state == "open" and session.planned_minutes == 30
    sos = [a for a in board.alarms if a.kind == "sos"]
    assert len(sos) == 1 and sos[0].level == "red" and sos[0].state == "raised"

    # The SOS again (its answer lost): head office answers the same and raises nothing new.
    again = api.sos(SosRequest(client_ref=sos_ref))
    assert again.received
    assert len([a for a in safety_board.board(boss).alarms if a.kind == "sos"]) == 1

    # Check out with the safety PIN: closed here at once, closed at head office once delivered.
    assert desk.check_out(SAFETY_PIN) is True
    assert any(json.loads(b).get("pin") == SAFETY_PIN for b in queued_bodies(agent_store))
    done = desk.deliver(api)
    assert done.sent == 1 and done.still_queued == 0 and done.problem is None
    assert queued_bodies(agent_store) == []  # the PIN left the laptop's queue with its row
    assert all(b.id != server_id or b.state == "closed" for b in safety_board.board(boss).sessions)
    [(state,)] = headoffice.query("SELECT state FROM safety_sessions WHERE id = ?", (server_id,))
    assert state == "closed"


def test_the_duress_pin_closes_the_visit_here_like_the_safety_pin_and_head_office_raises_red(
        headoffice: HeadOffice, agent_store: Store, connect: Connect, tmp_path: Path) -> None:
    client, desk = ready_agent(headoffice, agent_store, connect)
    api = SafetyApi(client)
    case_id = local_cases(agent_store)[0]
    desk.start(case_id, 30)
    assert desk.deliver(api).head_office_knows
    with agent_store.read() as s:
        server_id = s.scalars(select(m.VisitSession.server_id)).one()

    assert desk.check_out("0000") is False  # neither PIN: counted here, nothing sent
    assert desk.pending() == 0
    assert desk.check_out(DURESS_PIN) is True
    assert desk.current() is None
    result = desk.deliver(api)
    assert result.sent == 1 and result.still_queued == 0 and result.problem is None
    assert queued_bodies(agent_store) == []
    with agent_store.read() as s:
        visit = s.scalars(select(m.VisitSession)).one()
        assert (visit.state, visit.last_error, visit.wrong_pins) == ("closed", None, 0)

    board = safety_board.board(supervisor(headoffice, tmp_path, connect))
    duress = [a for a in board.alarms if a.kind == "duress"]
    assert len(duress) == 1 and duress[0].level == "red" and duress[0].session_id == server_id
    [(state,)] = headoffice.query("SELECT state FROM safety_sessions WHERE id = ?", (server_id,))
    assert state == "closed"  # to anyone looking at the agent's side, the visit ended normally


def test_a_refused_visit_says_why_and_its_check_out_leaves_the_queue(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    client, desk = ready_agent(headoffice, agent_store, connect)
    api = SafetyApi(client)
    with agent_store.write() as s:  # a policy this laptop holds that head office's is not (it allows 15..120)
        set_state(s, SAFETY_POLICY, json.dumps(SafetyPolicy(min_minutes=5, default_minutes=45).as_json()))
    desk.start(local_cases(agent_store)[0], 5)
    refused = desk.deliver(api)
    assert refused.sent == 0 and refused.still_queued == 0 and refused.problem
    view = desk.current()
    assert view is not None and not view.head_office_knows
    assert view.problem and view.problem.startswith("head office refused the visit")
    assert desk.check_out(SAFETY_PIN) is True
    after = desk.deliver(api)
    assert after.still_queued == 0 and after.problem and "never had this visit" in after.problem
    assert queued_bodies(agent_store) == []  # the PIN did not stay behind either
    assert headoffice.query("SELECT count(*) FROM safety_sessions") == [(0,)]


def test_a_visit_opened_on_another_laptop_is_adopted_and_one_closed_there_ends_here(
        headoffice: HeadOffice, agent_store: Store, connect: Connect, tmp_path: Path) -> None:
    client, desk = ready_agent(headoffice, agent_store, connect)
    api = SafetyApi(client)
    case_id = local_cases(agent_store)[0]
    desk.start(case_id, 45)
    assert desk.deliver(api).head_office_knows

    other_store = open_store(tmp_path / "second-laptop" / "doorstep.sqlite3")
    try:
        other_client, other = ready_agent(headoffice, other_store, connect)
        adopted = other.current()  # refreshed in ready_agent: head office's open visit is here too
        assert adopted is not None and adopted.case_id == case_id and adopted.head_office_knows
        assert adopted.due_at == desk.current().due_at  # type: ignore[union-attr]
        assert other.check_out(SAFETY_PIN) is True
        assert other.deliver(SafetyApi(other_client)).sent == 1
    finally:
        other_store.close()

    desk.refresh(api)
    assert desk.current() is None
    with agent_store.read() as s:
        visit = s.scalars(select(m.VisitSession)).one()
        assert visit.state == "closed" and visit.last_error == "this visit was closed at head office"


def test_the_planned_end_reminder_reaches_the_window_once(
        headoffice: HeadOffice, agent_store: Store, connect: Connect) -> None:
    client, desk = ready_agent(headoffice, agent_store, connect)
    api = SafetyApi(client)
    assert desk.fetch_notices(api) == []
    view = desk.start(local_cases(agent_store)[0], 15)
    assert desk.deliver(api).head_office_knows
    with httpx.Client(timeout=10) as c:  # head office's safety clock, past the planned end (fault hook)
        c.post(headoffice.process.api + "/_faults/clock", json={"advance_seconds": 15 * 60 + 5}).raise_for_status()
    seen: list[NoticeView] = []

    def reminded() -> bool:
        seen.extend(desk.fetch_notices(api))
        return any(n.kind == "reminder" for n in seen)

    wait_until(reminded, timeout=30, what="the planned-end reminder")  # head office's sweep runs every second
    [reminder] = [n for n in seen if n.kind == "reminder"]
    assert view.address in reminder.text
    assert len({n.id for n in seen}) == len(seen)
    assert all(n.kind != "reminder" for n in desk.fetch_notices(api))  # each notice comes once
