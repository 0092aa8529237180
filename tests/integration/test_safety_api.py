"""Safety at the door over HTTP, against a REAL `python -m headoffice serve` process (SQLite): role
checks, PIN rules, a duress check-out that answers byte for byte what a normal one answers,
client_ref replays, acknowledge/resolve, hostile notes, and a head office killed mid-session that
still raises the alarm exactly once after it is started again.

Time is the head office's safety clock, set through the test-only fault hook (kept in the database,
so a restarted process keeps it). Waiting on the background sweep polls the board with a deadline."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from headoffice.db import normalise_url
from headoffice.security import hash_password

from .conftest import HeadOffice
from .safety_helpers import DURESS_PIN, SAFETY_PIN, T0
from .sync_server import wait_until

S = "/api/v1/safety"


class Live:
    def __init__(self, ho: HeadOffice):
        self.ho = ho
        self._clients: dict[str, httpx.Client] = {}

    def __call__(self, username: str) -> httpx.Client:
        if username not in self._clients:
            self._clients[username] = self.ho.client(self.ho.token(username))
        return self._clients[username]

    def clock(self, at: datetime | None = None, advance: float | None = None) -> None:
        body: dict[str, Any] = {"now": at.isoformat()} if at is not None else {"advance_seconds": advance}
        r = httpx.post(self.ho.api + "/_faults/clock", json=body, timeout=10)
        assert r.status_code == 200, r.text

    def sql(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        engine = create_engine(normalise_url(self.ho.db_url))
        try:
            with engine.begin() as conn:
                result = conn.execute(text(query), params)
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def case_of(self, username: str) -> int:
        return int(self.sql("SELECT min(c.id) FROM cases c JOIN users u ON u.id = c.agent_id "
                            "WHERE u.username = :u", u=username)[0][0])

    def pins(self, username: str) -> None:
        r = self(username).put(S + "/pins", json={"safety_pin": SAFETY_PIN, "duress_pin": DURESS_PIN})
        assert r.status_code == 200, r.text

    def open(self, username: str, planned: int = 15, **kw: Any) -> dict[str, Any]:
        r = self(username).post(S + "/sessions", json={"case_id": self.case_of(username),
                                                        "planned_minutes": planned, **kw})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def board(self, username: str = "super01") -> dict[str, Any]:
        r = self(username).get(S + "/board")
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
def live(headoffice_server: Any) -> Live:
    return Live(headoffice_server(login_rate=0, sweep_interval=0.2))


def test_every_route_wants_a_token_and_the_right_role(live: Live) -> None:
    anonymous = live.ho.client()
    pins = {"safety_pin": "2468", "duress_pin": "1357"}
    for method, path, body in (("GET", "/me", None), ("GET", "/board", None), ("PUT", "/pins", pins),
                               ("POST", "/sessions", {"case_id": 1, "planned_minutes": 15}),
                               ("GET", "/sessions/current", None), ("POST", "/sos", {}), ("GET", "/notices", None),
                               ("GET", "/policy", None), ("POST", "/alarms/1/acknowledge", None),
                               ("POST", "/sessions/1/check-out", {"pin": "2468"}), ("GET", "/report", None)):
        assert anonymous.request(method, S + path, json=body).status_code == 401, path
    agent = live("agent01")
    assert agent.get(S + "/board").status_code == 403
    assert agent.get(S + "/report").status_code == 403
    assert agent.put(S + "/policy", json={}).status_code == 403
    assert agent.post(S + "/alarms/1/acknowledge").status_code == 403
    assert agent.post(S + "/alarms/1/resolve", json={"outcome": "agent_safe"}).status_code == 403
    sup = live("super01")
    assert sup.post(S + "/sessions", json={"case_id": 1, "planned_minutes": 15}).status_code == 403
    assert sup.put(S + "/pins", json={"safety_pin": "2468", "duress_pin": "1357"}).status_code == 403
    assert agent.get(S + "/sessions/current").json()["error"] == "not_found"
    me = agent.get(S + "/me").json()
    assert me["pins_set"] is False and me["open_session"] is None
    assert [(c["role"], c["display_name"]) for c in me["contacts"]] == [("partner", "李娜"), ("supervisor", "周志红")]
    assert all(c["phone"].startswith("+861") and len(c["phone"]) == 14 for c in me["contacts"])


def test_pins_are_checked_and_needed_before_a_session(live: Live) -> None:
    agent = live("agent01")
    r = agent.post(S + "/sessions", json={"case_id": live.case_of("agent01"), "planned_minutes": 15})
    assert (r.status_code, r.json()["error"]) == (409, "pins_not_set")
    for body, field in (({"safety_pin": "1111", "duress_pin": "1357"}, "safety_pin"),
                        ({"safety_pin": "2468", "duress_pin": "2468"}, "duress_pin"),
                        ({"safety_pin": "2468", "duress_pin": "3456"}, "duress_pin")):
        r = agent.put(S + "/pins", json=body)
        assert r.status_code == 422 and r.json()["detail"].startswith(field), r.text
    assert agent.put(S + "/pins", json={"safety_pin": "12a4", "duress_pin": "1357"}).status_code == 422
    # a PIN may not be the login password (an account whose password happens to be six digits)
    live.sql("UPDATE users SET password_hash = :h WHERE username = 'agent03'", h=hash_password("135790"))
    r = live.ho.client().post("/api/v1/auth/token", json={"username": "agent03", "password": "135790",
                                                         "device_id": str(uuid.uuid4())})
    other = live.ho.client(r.json()["access_token"])
    r = other.put(S + "/pins", json={"safety_pin": "2468", "duress_pin": "135790"})
    assert (r.status_code, r.json()["error"]) == (422, "pin_is_password")
    live.pins("agent01")
    hashes = live.sql("SELECT safety_hash, duress_hash FROM safety_pins")
    assert len(hashes) == 1 and all(h.startswith("$argon2id$") and SAFETY_PIN not in h for h in hashes[0])
    r = agent.post(S + "/sessions", json={"case_id": live.case_of("agent01"), "planned_minutes": 14})
    assert (r.status_code, r.json()["error"]) == (422, "minutes_out_of_range")
    assert "15 to 120" in r.json()["detail"]
    # a case that is not the agent's own answers as if it did not exist
    r = agent.post(S + "/sessions", json={"case_id": live.case_of("agent03"), "planned_minutes": 15})
    assert r.status_code == 404


def test_a_duress_check_out_answers_byte_for_byte_what_a_normal_one_answers(live: Live) -> None:
    live.clock(T0)
    for name in ("agent01", "agent03"):
        live.pins(name)
    one, two = live.open("agent01"), live.open("agent03")
    live.clock(T0 + timedelta(minutes=10))
    normal = live("agent01").post(f"{S}/sessions/{one['id']}/check-out", json={"pin": SAFETY_PIN})
    duress = live("agent03").post(f"{S}/sessions/{two['id']}/check-out", json={"pin": DURESS_PIN})
    assert normal.status_code == duress.status_code == 200
    assert normal.content == duress.content == b'{"state":"closed","checked_out_at":"2026-11-30T01:10:00Z"}'

    def headers(r: httpx.Response) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in r.headers.items() if k != "date")

    assert headers(normal) == headers(duress)
    board = live.board()
    assert board["sessions"] == []
    (alarm,) = board["alarms"]
    assert (alarm["level"], alarm["kind"], alarm["agent_name"], alarm["session_id"]) == (
        "red", "duress", "王强", two["id"])
    assert {d["recipient_name"] for d in alarm["deliveries"]} == {"周志红"}
    # the agent's own window hears nothing of it
    assert live("agent03").get(S + "/notices").json()["notices"] == []
    assert live("agent03").get(S + "/me").json()["open_session"] is None
    # a wrong PIN: 403, the session stays open
    three = live.open("agent01")
    r = live("agent01").post(f"{S}/sessions/{three['id']}/check-out", json={"pin": "9753"})
    assert (r.status_code, r.json()["error"]) == (403, "wrong_pin")
    assert live("agent01").get(S + "/sessions/current").json()["id"] == three["id"]


def test_commands_with_a_client_ref_answer_a_replay_with_the_first_reply(live: Live) -> None:
    live.clock(T0)
    live.pins("agent01")
    agent = live("agent01")
    ref = str(uuid.uuid4())
    body = {"case_id": live.case_of("agent01"), "planned_minutes": 20, "client_ref": ref}
    first, again = agent.post(S + "/sessions", json=body), agent.post(S + "/sessions", json=body)
    assert first.status_code == again.status_code == 201 and first.content == again.content
    # another open (another ref) meets the open session: 409 with it in the body
    r = agent.post(S + "/sessions", json={**body, "client_ref": str(uuid.uuid4())})
    assert r.status_code == 409 and r.json()["error"] == "session_open" and r.json()["session"] == first.json()
    sid = first.json()["id"]
    ext = {"minutes": 15, "client_ref": str(uuid.uuid4())}
    a, b = agent.post(f"{S}/sessions/{sid}/extend", json=ext), agent.post(f"{S}/sessions/{sid}/extend", json=ext)
    assert a.content == b.content and a.json()["extended_minutes"] == 15
    sos = {"client_ref": str(uuid.uuid4()), "session_id": sid}
    assert agent.post(S + "/sos", json=sos).content == agent.post(S + "/sos", json=sos).content
    # the same ref on another command is refused, never answered with the SOS's reply
    reused = agent.post(S + "/day-end", json={"client_ref": sos["client_ref"]})
    assert reused.status_code == 422 and reused.json()["error"] == "client_ref_reused"
    reused = agent.post(f"{S}/sessions/{sid}/extend", json={"minutes": 15, "client_ref": ext["client_ref"].upper()})
    assert reused.status_code == 422  # not a UUID of the contract's form: refused before anything runs
    out = {"pin": SAFETY_PIN, "client_ref": str(uuid.uuid4())}
    a, b = agent.post(f"{S}/sessions/{sid}/check-out", json=out), agent.post(f"{S}/sessions/{sid}/check-out", json=out)
    assert a.status_code == b.status_code == 200 and a.content == b.content
    assert live.sql("SELECT count(*), sum(extended_minutes) FROM safety_sessions") == [(1, 15)]
    assert live.sql("SELECT count(*) FROM safety_alarms") == [(1,)]
    # without a ref, checking out of a closed session is a conflict, not a second close
    assert agent.post(f"{S}/sessions/{sid}/check-out", json={"pin": SAFETY_PIN}).status_code == 409


def test_the_first_to_acknowledge_owns_the_alarm_and_a_resolve_note_is_kept_verbatim(live: Live) -> None:
    live.ho.cli("create-user", "--username", "super02", "--role", "supervisor", "--team", "成都外访一组",
                "--phone", "13912345678", stdin="a-long-password\n")
    live.ho.cli("create-user", "--username", "farsup", "--role", "supervisor", "--team", "重庆组",
                stdin="a-long-password\n")
    live.ho.accounts.update(super02="a-long-password", farsup="a-long-password")
    live.pins("agent01")
    assert live("agent01").post(S + "/sos", json={"case_id": live.case_of("agent01")}).status_code == 200
    (alarm,) = live.board()["alarms"]
    assert live("farsup").post(f"{S}/alarms/{alarm['id']}/acknowledge").status_code == 404
    assert live.board("farsup")["alarms"] == []
    first = live("super01").post(f"{S}/alarms/{alarm['id']}/acknowledge")
    assert first.status_code == 200 and first.json()["acknowledged_by_name"] == "周志红"
    assert live("super01").post(f"{S}/alarms/{alarm['id']}/acknowledge").status_code == 200  # the owner again
    late = live("super02").post(f"{S}/alarms/{alarm['id']}/acknowledge")
    assert late.status_code == 409 and late.json()["error"] == "already_acknowledged"
    assert late.json()["alarm"]["acknowledged_by_name"] == "周志红"
    for bad in ("NUL\x00here", "x" * 2001, "\u202eevil"):
        r = live("super02").post(f"{S}/alarms/{alarm['id']}/resolve", json={"outcome": "agent_safe", "note": bad})
        assert r.status_code == 422, bad
    note = '<script>alert("x")</script> =HYPERLINK("http://x") 平安 👍 safe\nsecond line ' + "长" * 1900
    r = live("super02").post(f"{S}/alarms/{alarm['id']}/resolve", json={"outcome": "partner_reached", "note": note})
    assert r.status_code == 200 and r.json()["note"] == note and r.json()["resolved_by_name"] == "super02"
    assert live.board()["alarms"][0]["note"] == note
    assert live.sql("SELECT note FROM safety_alarms") == [(note,)]
    again = live("super01").post(f"{S}/alarms/{alarm['id']}/resolve", json={"outcome": "agent_safe"})
    assert again.status_code == 409 and again.json()["alarm"]["outcome"] == "partner_reached"
    actions = [a for (a,) in live.sql("SELECT action FROM safety_log ORDER BY id")]
    assert actions.count("acknowledged") == 1 and actions.count("resolved") == 1
    report = live("super01").get(S + "/report").json()  # today, in the team's zone
    assert report["alarms"][0]["outcome"] == "partner_reached"


def test_policy_is_versioned_checked_and_scoped(live: Live) -> None:
    sup = live("super01")
    assert sup.get(S + "/policy").json()["min_minutes"] == 15  # the default: none stored
    r = sup.put(S + "/policy", json={"min_minutes": 30, "default_minutes": 20})
    assert (r.status_code, r.json()["error"]) == (422, "invalid_policy") and "default_minutes" in r.json()["detail"]
    r = sup.put(S + "/policy", json={"contacts": [999999]})
    assert (r.status_code, r.json()["error"]) == (422, "unknown_contact")
    r = sup.put(S + "/policy", json={"zone": "Mars/Olympus"})
    assert r.status_code == 422 and "zone" in r.json()["detail"]
    agent02 = live.sql("SELECT id FROM users WHERE username = 'agent02'")[0][0]
    r = sup.put(S + "/policy", json={"min_minutes": 1, "default_minutes": 30, "contacts": [agent02]})
    assert r.status_code == 200 and r.headers["x-policy-version"] == "1" and r.json()["contacts"] == [agent02]
    assert sup.put(S + "/policy", json={"min_minutes": 5}).headers["x-policy-version"] == "2"
    assert live.sql("SELECT version, set_by_name FROM safety_policies ORDER BY version") == [
        (1, "super01"), (2, "super01")]
    assert live("agent01").get(S + "/me").json()["policy"]["min_minutes"] == 5
    admin = live("admin")
    assert admin.get(S + "/policy").json()["error"] == "team_required"
    assert admin.get(S + "/policy", params={"team": "成都外访一组"}).json()["min_minutes"] == 5


def test_a_head_office_killed_mid_session_still_raises_the_alarm_exactly_once(live: Live) -> None:
    live.clock(T0)
    live.pins("agent01")
    session = live.open("agent01", planned=15)
    live.ho.kill()
    live.ho.start()
    live._clients.clear()
    live.clock(T0 + timedelta(minutes=26))  # past due (15) and grace (10)

    def amber() -> list[dict[str, Any]]:
        return [a for a in live.board()["alarms"] if a["kind"] == "overdue"]

    (alarm,) = wait_until(amber, timeout=30, what="the overdue alarm on the board")  # type: ignore[misc]
    assert (alarm["level"], alarm["session_id"]) == ("amber", session["id"])
    # later passes run (the alarm turns red at +36) and raise nothing twice
    live.clock(T0 + timedelta(minutes=37))
    wait_until(lambda: amber()[0]["level"] == "red", timeout=30, what="the alarm turning red")
    assert live.sql("SELECT count(*) FROM safety_alarms") == [(1,)]
    assert live.sql("SELECT count(*) FROM safety_log WHERE action = 'reminder'") == [(1,)]
    notices = live("agent01").get(S + "/notices").json()["notices"]
    assert [n["kind"] for n in notices] == ["reminder"]
