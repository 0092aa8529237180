"""The escalation ladder, step by step, with an injected clock: `sweep(db, now)` called directly on a
real SQLite head-office database (made by init-db and demo-data). Nothing sleeps: every time is given.

The team's policy here: 15-minute minimum visits, 10 minutes' grace, RED 10 minutes after AMBER,
contacts super01 then agent05, 3 minutes between steps."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.contract.safety import DayEndRequest
from headoffice.models import Case, Event
from headoffice.safety import sessions
from headoffice.safety.ladder import sweep
from headoffice.service import ApiError

from .safety_helpers import DURESS_PIN, T0, Desk, make_db, minutes


@pytest.fixture
def desk(tmp_path: Path, _headoffice_templates: Path) -> Iterator[Desk]:
    d = Desk(make_db(_headoffice_templates, tmp_path))
    for name in ("agent01", "agent03", "agent05"):
        d.pins(name)
    d.policy(min_minutes=15, default_minutes=45, grace_minutes=10, red_after_minutes=10, step_wait_minutes=3,
             contacts=[d.user("super01").id, d.user("agent05").id], nearby_km=2.0)
    yield d
    d.db.dispose()


def test_a_silent_session_is_reminded_then_amber_then_red_then_each_contact_then_all(desk: Desk) -> None:
    s = desk.open("agent01", T0, planned=15)
    assert s["due_at"] == "2026-11-30T01:15:00Z" and s["partner_name"] == "李娜"

    assert sweep(desk.db, minutes(14.99)).steps == 0
    assert sweep(desk.db, minutes(15)).reminders == 1
    assert desk.recipients(kind="reminder") == ["agent01"]
    assert sweep(desk.db, minutes(15)).steps == 0  # exactly once
    assert sweep(desk.db, minutes(24.99)).steps == 0

    assert sweep(desk.db, minutes(25)).ambers == 1
    (amber,) = desk.alarms()
    assert (amber.level, amber.kind, amber.state, amber.session_id) == ("amber", "overdue", "raised", s["id"])
    assert desk.recipients(kind="alarm") == ["agent02", "super01"]  # the partner and the supervisor
    assert sweep(desk.db, minutes(34.99)).steps == 0

    assert sweep(desk.db, minutes(35)).reds == 1
    (red,) = desk.alarms()
    assert (red.level, red.red_step) == ("red", 1)
    # RED tells the supervisor, then the first contact (super01 again: a contact on the list is told as one)
    assert desk.recipients(kind="alarm")[2:] == ["super01", "super01"]
    assert sweep(desk.db, minutes(37.99)).steps == 0

    assert sweep(desk.db, minutes(38)).red_steps == 1
    assert desk.recipients(kind="alarm")[4:] == ["agent05"]
    assert sweep(desk.db, minutes(41)).red_steps == 1  # the list is exhausted: everyone at once
    assert desk.recipients(kind="alarm")[5:] == ["super01", "agent05"]
    assert desk.alarms()[0].red_step == 3 and desk.alarms()[0].next_step_at is None
    assert sweep(desk.db, minutes(120)).steps == 0
    actions = [a for _who, a in desk.log()]
    assert actions.count("reminder") == 1 and actions.count("alarm_raised") == 1 and actions.count("alarm_red") == 1
    assert actions.count("red_step") == 3


def test_extend_moves_the_due_time_and_starts_the_ladder_again(desk: Desk) -> None:
    s = desk.open("agent01", T0, planned=15)
    out = desk.extend("agent01", s["id"], minutes(5), by=15)
    assert out["due_at"] == "2026-11-30T01:30:00Z" and out["extended_minutes"] == 15
    assert sweep(desk.db, minutes(29.99)).steps == 0
    assert sweep(desk.db, minutes(30)).reminders == 1
    # reminded, then extended while overdue: the minutes count from now, and the ladder starts again
    out = desk.extend("agent01", s["id"], minutes(36), by=30)
    assert out["due_at"] == "2026-11-30T02:06:00Z"
    assert sweep(desk.db, minutes(40)).steps == 0
    assert sweep(desk.db, minutes(66)).reminders == 1
    assert sweep(desk.db, minutes(76)).ambers == 1


def test_check_out_with_the_safety_pin_stops_the_ladder(desk: Desk) -> None:
    s = desk.open("agent01", T0, planned=15)
    status, body = desk.check_out("agent01", s["id"], minutes(10))
    assert (status, body) == (200, {"state": "closed", "checked_out_at": "2026-11-30T01:10:00Z"})
    assert sweep(desk.db, minutes(15)).steps == 0 and sweep(desk.db, minutes(60)).steps == 0
    assert desk.alarms() == [] and desk.notices() == []


def test_a_wrong_pin_leaves_the_session_open_and_five_lock_it_with_a_red_alarm(desk: Desk) -> None:
    s = desk.open("agent01", T0, planned=15)
    for _ in range(4):
        assert desk.check_out("agent01", s["id"], minutes(5), pin="9753")[0] == 403
    assert desk.alarms() == []
    assert desk.check_out("agent01", s["id"], minutes(5), pin="9753") == (403, {"error": "wrong_pin",
                                                                             "detail": "wrong PIN"})
    (alarm,) = desk.alarms()
    assert (alarm.level, alarm.kind) == ("red", "duress")
    assert desk.check_out("agent01", s["id"], minutes(6))[0] == 423  # even the right PIN: locked
    assert sweep(desk.db, minutes(15)).reminders == 1  # still open: the ladder goes on


def test_acknowledging_an_alarm_stops_its_escalation(desk: Desk) -> None:
    desk.open("agent01", T0, planned=15)
    sweep(desk.db, minutes(15))
    sweep(desk.db, minutes(25))
    (amber,) = desk.alarms()
    out = desk.acknowledge("super01", amber.id, minutes(26))
    assert out.state == "acknowledged" and out.acknowledged_by_name == "周志红"
    assert sweep(desk.db, minutes(35)).steps == 0 and sweep(desk.db, minutes(90)).steps == 0
    assert desk.alarms()[0].level == "amber"


def test_sos_is_red_at_once_and_tells_the_supervisor_and_the_first_contact(desk: Desk) -> None:
    s = desk.open("agent01", T0, planned=60)
    desk.sos("agent01", minutes(3), session_id=s["id"])
    (alarm,) = desk.alarms()
    assert (alarm.level, alarm.kind, alarm.red_step, alarm.session_id) == ("red", "sos", 1, s["id"])
    assert desk.recipients(kind="alarm") == ["super01", "super01"]
    assert "agent01" not in desk.recipients()  # the agent is not told of their own alarm
    assert alarm.next_step_at == minutes(6)
    assert sweep(desk.db, minutes(6)).red_steps == 1
    assert desk.recipients(kind="alarm")[-1] == "agent05"


def test_check_out_with_the_duress_pin_closes_like_the_safety_pin_and_raises_a_silent_red(desk: Desk) -> None:
    one = desk.open("agent01", T0, planned=15)
    duress = desk.check_out("agent01", one["id"], minutes(10), pin=DURESS_PIN)
    two = desk.open("agent03", T0, planned=15)
    normal = desk.check_out("agent03", two["id"], minutes(10))
    assert duress == normal == (200, {"state": "closed", "checked_out_at": "2026-11-30T01:10:00Z"})
    (alarm,) = desk.alarms()
    assert (alarm.level, alarm.kind, alarm.agent_id) == ("red", "duress", desk.user("agent01").id)
    assert "agent01" not in desk.recipients() and "super01" in desk.recipients(kind="alarm")
    assert sweep(desk.db, minutes(15)).reminders == 0  # the session is closed for everyone to see


def test_an_agent_not_back_safe_by_the_day_end_gets_one_amber_day_end_alarm(desk: Desk) -> None:
    for name in ("agent01", "agent03"):
        s = desk.open(name, T0, planned=15)
        desk.check_out(name, s["id"], minutes(10))
    desk.run("agent03", minutes(600), lambda step, user: sessions.day_end(step, user, DayEndRequest()))
    day_end = T0 + timedelta(hours=11)  # 20:00 in Chengdu
    assert sweep(desk.db, day_end - timedelta(seconds=1)).steps == 0
    assert sweep(desk.db, day_end).day_ends == 1
    (alarm,) = desk.alarms()
    assert (alarm.level, alarm.kind, alarm.agent_id) == ("amber", "day_end", desk.user("agent01").id)
    assert desk.recipients(kind="alarm") == ["agent02", "super01"]
    assert sweep(desk.db, day_end + timedelta(minutes=5)).day_ends == 0
    # saying "back safe" late stops the day-end alarm's climb to RED
    desk.run("agent01", day_end + timedelta(minutes=5), lambda step, user: sessions.day_end(step, user,
                                                                                           DayEndRequest()))
    assert sweep(desk.db, day_end + timedelta(minutes=30)).steps == 0


def test_a_day_end_in_the_future_is_refused(desk: Desk) -> None:
    with pytest.raises(ApiError) as caught:
        desk.run("agent01", T0, lambda step, user: sessions.day_end(
            step, user, DayEndRequest(day=T0.date() + timedelta(days=2))))
    assert caught.value.error == "day_in_future"


def test_a_red_alarm_tells_colleagues_within_nearby_km_and_not_beyond(desk: Desk) -> None:
    here = (30.6600, 104.0600)
    desk.place(desk.case_of("agent01"), *here)
    desk.place(desk.case_of("agent03"), here[0] + 0.009, here[1])  # about 1 km north
    desk.place(desk.case_of("agent05"), here[0] + 0.045, here[1])  # about 5 km north
    desk.open("agent03", T0, planned=60)
    desk.open("agent05", T0, planned=60)
    # agent04 has no session but a stop planned today about 1.5 km east (a visit_planned event)
    planned_case = desk.case_of("agent04")
    desk.place(planned_case, here[0], here[1] + 0.0155)
    with desk.db.write() as s:
        s.add(Event(id=str(uuid.uuid4()), device_id=str(uuid.uuid4()), device_seq=1, case_id=planned_case,
                    case_version=1, kind="visit_planned", payload=json.dumps(
                        {"day": "2026-11-30", "position": 1, "plan_id": "p1"}, separators=(",", ":")),
                    occurred_at=T0, schema_version=1, body_hash="0" * 64, author_id=desk.user("agent04").id,
                    received_at=T0, status="accepted"))
        assert s.scalar(select(Case.lat).where(Case.id == planned_case)) == here[0]
    desk.sos("agent01", minutes(5), case_id=desk.case_of("agent01"))
    near = desk.notices(kind="nearby_alarm")
    assert sorted(desk.recipients(kind="nearby_alarm")) == ["agent03", "agent04"]
    assert {n.title for n in near} == {"附近同事需要帮助：张建军"}
    assert all("¥" not in n.text and "overdue" not in n.data for n in near)  # name and address only
    # an AMBER alarm tells nobody nearby
    before = len(near)
    desk.open("agent01", minutes(6), planned=15)
    sweep(desk.db, minutes(21))
    sweep(desk.db, minutes(31))
    assert desk.alarms()[-1].level == "amber" and len(desk.notices(kind="nearby_alarm")) == before
