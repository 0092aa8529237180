"""Safety at the door on the laptop, against real store files: the proposed minutes, starting and
extending a visit, check-out with either PIN (and a wrong one), the queue's order, and that nothing
stored on the laptop tells the duress PIN from the safety PIN."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.domain.enums import SafetyCategory, Severity
from app.domain.safety import SafetyPolicy
from app.services import visit_pins
from app.services.safety import SafetyNoteInput, add_safety_note
from app.services.visits import VisitDesk, VisitProblem
from app.store import models as m
from app.store.engine import Store, checkpoint
from app.store.migrate import open_store
from app.store.syncstate import SAFETY_POLICY, set_state
from app.sync.client import HeadOfficeClient
from app.sync.safety_client import SafetyApi

SAFETY_PIN = "2580"
DURESS_PIN = "7391"
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 11:00 in Beijing


class Clock:
    def __init__(self, at: datetime = NOW):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


def quiet_case(store: Store) -> int:
    """A case with no safety note on it or its debtor, whose debtor has a located home address."""
    with store.read() as s:
        noted = select(m.SafetyNote.debtor_id).where(m.SafetyNote.debtor_id.is_not(None))
        noted_cases = select(m.SafetyNote.case_id).where(m.SafetyNote.case_id.is_not(None))
        located = select(m.Address.debtor_id).where(m.Address.kind == "home", m.Address.lat.is_not(None))
        found = s.scalars(select(m.Case.id).where(m.Case.debtor_id.not_in(noted), m.Case.id.not_in(noted_cases),
                                                  m.Case.debtor_id.in_(located)).order_by(m.Case.id)).first()
    assert found is not None
    return int(found)


def give_pins(store: Store, clock: Clock) -> None:
    """The verifiers `set_pins` keeps once head office has accepted the PINs (head office is not part of
    these tests; tests/integration/test_safety_laptop_sync.py sets them through it)."""
    with store.write() as s:
        visit_pins.store_verifiers(s, visit_pins.make_verifiers(SAFETY_PIN, DURESS_PIN), clock())


def queue(store: Store) -> list[tuple[str, int, dict[str, Any]]]:
    with store.read() as s:
        rows = s.scalars(select(m.SafetyOutbox).order_by(m.SafetyOutbox.priority, m.SafetyOutbox.id)).all()
        return [(r.kind, r.priority, json.loads(r.body)) for r in rows]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(demo_store: Store, clock: Clock) -> VisitDesk:
    return VisitDesk(demo_store, "agent01", clock=clock)


@pytest.fixture
def ready(desk: VisitDesk, clock: Clock) -> VisitDesk:
    give_pins(desk.store, clock)
    return desk


def test_propose_takes_the_policy_default_and_a_shorter_time_at_a_hostile_door(desk: VisitDesk,
                                                                              clock: Clock) -> None:
    case_id = quiet_case(desk.store)
    assert desk.policy() == SafetyPolicy()
    first = desk.propose(case_id)
    assert (first.minutes, first.reason) == (45, "policy")
    with desk.store.write() as s:  # the team's policy as head office sent it
        set_state(s, SAFETY_POLICY, json.dumps(SafetyPolicy(default_minutes=60, hostile_minutes=20).as_json()))
    assert desk.propose(case_id).minutes == 60
    add_safety_note(desk.store, SafetyNoteInput(case_id, SafetyCategory.AGGRESSIVE, Severity.MEDIUM,
                                                "<script>alert(1)</script> 持刀威胁 =HYPERLINK(\"x\") 😡"),
                    "agent01", now=clock() - timedelta(days=1))
    hostile = desk.propose(case_id)
    assert (hostile.minutes, hostile.reason) == (20, "hostile_before")
    assert [n.category for n in hostile.notes] == ["aggressive"]
    with pytest.raises(VisitProblem) as err:
        desk.propose(10**9)
    assert err.value.code == "no_case"


def test_a_broken_cached_policy_falls_back_to_the_default(desk: VisitDesk) -> None:
    with desk.store.write() as s:
        set_state(s, SAFETY_POLICY, '{"min_minutes": 500, "max_minutes": 2')
    assert desk.policy() == SafetyPolicy()
    with desk.store.write() as s:
        set_state(s, SAFETY_POLICY, json.dumps({"min_minutes": 500}))
    assert desk.policy() == SafetyPolicy()


def test_start_needs_pins_a_known_case_minutes_in_range_and_no_other_visit(desk: VisitDesk, clock: Clock) -> None:
    case_id = quiet_case(desk.store)
    with pytest.raises(VisitProblem) as err:
        desk.start(case_id, 45)
    assert err.value.code == "no_pins"
    give_pins(desk.store, clock)
    for minutes in (14, 121, 0, -5, 10**12, True):
        with pytest.raises(VisitProblem) as err:
            desk.start(case_id, minutes)  # type: ignore[arg-type]
        assert err.value.code == "minutes", minutes
        assert "15 to 120" in str(err.value)
    with pytest.raises(VisitProblem) as err:
        desk.start(10**9, 45)
    assert err.value.code == "no_case"
    assert desk.current() is None and desk.pending() == 0  # nothing half-made

    view = desk.start(case_id, 45)
    assert view.case_id == case_id and view.planned_minutes == 45 and not view.head_office_knows
    assert view.started_at == NOW and view.due_at == NOW + timedelta(minutes=45)
    assert view.seconds_left(NOW + timedelta(minutes=44)) == 60
    assert view.seconds_left(NOW + timedelta(minutes=46)) == -60
    assert view.address and view.case_number
    assert desk.current() == view and desk.current_for(case_id) == view and desk.current_for(case_id + 1) is None
    [(kind, priority, body)] = queue(desk.store)
    assert (kind, priority) == ("open", 1)
    assert body["case_id"] == case_id and body["planned_minutes"] == 45 and body["client_ref"]
    assert body["position_source"] == "case_address" and body["lat"] and body["lon"]  # none given: the address
    with pytest.raises(VisitProblem) as err:
        desk.start(case_id, 30)
    assert err.value.code == "already_open"
    assert desk.visits_today() == 1 and desk.pending() == 1


def test_a_position_from_the_caller_is_sent_as_the_device_position(ready: VisitDesk) -> None:
    ready.start(quiet_case(ready.store), 30, lat=30.65, lon=104.06, position_source="device")
    [(_kind, _p, body)] = queue(ready.store)
    assert (body["lat"], body["lon"], body["position_source"]) == (30.65, 104.06, "device")


def test_extend_moves_the_planned_end_and_is_queued(ready: VisitDesk, clock: Clock) -> None:
    with pytest.raises(VisitProblem) as err:
        ready.extend(15)
    assert err.value.code == "not_open"
    ready.start(quiet_case(ready.store), 45)
    for minutes in (0, 121, -1):
        with pytest.raises(VisitProblem) as err:
            ready.extend(minutes)
        assert err.value.code == "minutes"
    view = ready.extend(15)
    view = ready.extend(30)
    assert view.planned_minutes == 90 and view.due_at == NOW + timedelta(minutes=90)
    clock.advance(minutes=100)  # overdue: the minutes count from now, as at head office
    assert ready.extend(15).due_at == clock() + timedelta(minutes=15)
    assert [(k, b.get("minutes")) for k, _p, b in queue(ready.store)] == [("open", None), ("extend", 15),
                                                                           ("extend", 30), ("extend", 15)]


@pytest.mark.parametrize("pin", [SAFETY_PIN, DURESS_PIN])
def test_either_pin_checks_out_and_closes_the_visit(ready: VisitDesk, clock: Clock, pin: str) -> None:
    ready.start(quiet_case(ready.store), 45)
    clock.advance(minutes=20)
    assert ready.check_out(pin) is True
    assert ready.current() is None
    with ready.store.read() as s:
        visit = s.scalars(select(m.VisitSession)).one()
        assert (visit.state, visit.closed_at, visit.wrong_pins) == ("closed", clock(), 0)
    kinds = [(k, b.get("pin")) for k, _p, b in queue(ready.store)]
    assert kinds == [("open", None), ("check_out", pin)]  # the PIN waits, encrypted at rest, for head office
    with pytest.raises(VisitProblem) as err:
        ready.check_out(pin)
    assert err.value.code == "not_open"


def test_wrong_pins_are_counted_and_lock_the_check_out_after_five(ready: VisitDesk) -> None:
    ready.start(quiet_case(ready.store), 45)
    assert ready.check_out("1357") is False
    assert ready.check_out(SAFETY_PIN) is True  # a right PIN resets the count
    ready.start(quiet_case(ready.store), 45)
    hostile = ["0000", "<b>2580</b>", "２５８０", "2580 ", "=1+1", "😀" * 500, "x" * 100_000, ""]
    for n, pin in enumerate(hostile[:4], start=1):
        assert ready.check_out(pin) is False
        with ready.store.read() as s:
            assert s.scalars(select(m.VisitSession.wrong_pins).where(m.VisitSession.state == "open")).one() == n
    assert ready.check_out(hostile[4]) is False  # the fifth in a row
    for pin in (SAFETY_PIN, DURESS_PIN, hostile[5]):
        with pytest.raises(VisitProblem) as err:
            ready.check_out(pin)
        assert err.value.code == "pin_locked"
        assert str(err.value) == visit_pins.LOCKED_MESSAGE
    view = ready.current()
    assert view is not None  # still open: head office's ladder goes on
    assert [k for k, _p, _b in queue(ready.store)] == ["open", "check_out", "open"]


def test_every_check_out_verifies_against_both_verifiers(ready: VisitDesk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same work whichever PIN matched (and for a wrong one): both argon2id verifiers, every time."""
    calls: list[str] = []
    real = visit_pins._HASHER

    class Counting:  # the real argon2 hasher, with its verifications counted
        def verify(self, verifier: str, pin: str) -> bool:
            calls.append(verifier)
            return real.verify(verifier, pin)

    monkeypatch.setattr(visit_pins, "_HASHER", Counting())
    with ready.store.read() as s:
        stored = visit_pins.load_verifiers(s)
    for pin in (SAFETY_PIN, DURESS_PIN, "9999"):
        if ready.current() is None:
            ready.start(quiet_case(ready.store), 45)
        calls.clear()
        ready.check_out(pin)
        assert calls == stored, pin


def test_the_queue_sends_sos_first_with_or_without_a_visit(ready: VisitDesk, clock: Clock) -> None:
    ready.sos()  # no visit running: no case, no position
    case_id = quiet_case(ready.store)
    ready.start(case_id, 45)
    ready.extend(15)
    clock.advance(minutes=1)
    ready.sos(lat=91.0, lon=500.0)  # an impossible position: the door's instead
    assert ready.check_out(SAFETY_PIN)
    order = queue(ready.store)
    assert [(k, p) for k, p, _b in order] == [("sos", 0), ("sos", 0), ("open", 1), ("extend", 1), ("check_out", 1)]
    assert "case_id" not in order[0][2] and "lat" not in order[0][2]
    second = order[1][2]
    assert second["case_id"] == case_id and second["lat"] == order[2][2]["lat"]
    assert len({b["client_ref"] for _k, _p, b in order}) == 5
    assert ready.pending() == 5


def test_the_day_end_is_due_after_visits_past_the_policy_time_until_back_safe(ready: VisitDesk, clock: Clock) -> None:
    assert not ready.day_end_due(datetime(2026, 11, 30, 13, 0, tzinfo=UTC))  # 21:00 local, but no visit today
    ready.start(quiet_case(ready.store), 45)
    assert not ready.day_end_due(datetime(2026, 11, 30, 11, 59, tzinfo=UTC))  # 19:59 local
    assert ready.day_end_due(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    with pytest.raises(VisitProblem) as err:
        ready.back_safe()
    assert err.value.code == "already_open"
    assert ready.check_out(DURESS_PIN)
    clock.at = datetime(2026, 11, 30, 12, 30, tzinfo=UTC)
    ready.back_safe()
    assert not ready.day_end_due(clock())
    assert queue(ready.store)[-1][0] == "day_end" and queue(ready.store)[-1][2]["day"] == "2026-11-30"


def test_set_pins_refuses_weak_pins_before_asking_head_office(ready: VisitDesk) -> None:
    # Nothing listens on this port: a request would fail with a network error, not VisitProblem.
    api = SafetyApi(HeadOfficeClient("http://127.0.0.1:9", "device-1"))
    for safety, duress, field in (("1111", "2580", "safety_pin"), ("2580", "2580", "duress_pin"),
                                  ("1234", "7391", "safety_pin"), ("25a0", "7391", "safety_pin"),
                                  ("2580", "<script>", "duress_pin")):
        with pytest.raises(VisitProblem) as err:
            ready.set_pins(api, safety, duress)
        assert err.value.code == "pins" and field in err.value.fields
    api.client.close()


# --- nothing on the laptop tells the two PINs apart ------------------------------------------------


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        db.close()


@pytest.fixture
def twin_stores(demo_dir: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Two identical stores, each with PINs set and a visit running (one copied from the other)."""
    a = demo_dir / "doorstep.sqlite3"
    store = open_store(a)
    clock = Clock()
    give_pins(store, clock)
    VisitDesk(store, "agent01", clock=clock).start(quiet_case(store), 45)
    checkpoint(store.engine)
    store.close()
    b_dir = tmp_path / "twin"
    b_dir.mkdir()
    b = b_dir / "doorstep.sqlite3"
    shutil.copy2(a, b)
    yield a, b


def test_a_duress_check_out_leaves_the_store_as_a_safety_check_out_does(twin_stores: tuple[Path, Path]) -> None:
    dumps = []
    for path, pin in zip(twin_stores, (SAFETY_PIN, DURESS_PIN), strict=True):
        store = open_store(path)
        clock = Clock(NOW + timedelta(minutes=30))
        desk = VisitDesk(store, "agent01", clock=clock)
        assert desk.check_out(pin) is True
        view_after = (desk.current(), desk.pending(), desk.pins_set(), desk.visits_today())
        checkpoint(store.engine)
        store.close()
        dumps.append((dump(path), view_after))
    (safety, safety_view), (duress, duress_view) = dumps
    assert safety_view == duress_view
    assert safety.keys() == duress.keys()
    refs = []
    for rows in (safety["safety_outbox"], duress["safety_outbox"]):
        cols = ["id", "client_ref", "kind", "session_id", "body", "created_at", "attempts", "last_error", "priority"]
        out = [dict(zip(cols, r, strict=True)) for r in rows]
        for row in out:
            if row["kind"] == "check_out":
                body = json.loads(row["body"])
                refs.append(body.pop("client_ref"))
                assert body.pop("pin") in (SAFETY_PIN, DURESS_PIN)  # what the agent typed, for head office
                row["body"] = body
                row["client_ref"] = None
        rows[:] = [tuple(sorted(r.items(), key=lambda kv: kv[0])) for r in out]  # type: ignore[misc]
    assert len(refs) == 2 and refs[0] != refs[1]  # a fresh random idempotency key each
    for table in safety:
        assert safety[table] == duress[table], table
