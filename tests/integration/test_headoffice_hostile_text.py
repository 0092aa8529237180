"""Hostile text in API bodies (lone surrogates, NUL, control characters, over-long values, absurd nesting)
gets a 422 naming the field — or, inside a push, that event alone is rejected naming the field — never a
500, and nothing of it is stored. Against a live head office on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.conftest import HeadOffice, outcome_event, pull_all

DEVICE = str(uuid.uuid4())


def _raw(value: dict[str, Any]) -> bytes:
    """JSON as a hostile client may send it: lone surrogates as \\ud800 escapes (json.dumps writes them so)."""
    return json.dumps(value).encode("ascii")


def _post(c: httpx.Client, path: str, body: dict[str, Any], **kw: Any) -> httpx.Response:
    return c.post(path, content=_raw(body), headers={"Content-Type": "application/json", **kw.pop("headers", {})},
                  **kw)


@pytest.mark.parametrize(("username", "words"), [
    ("\ud800", "username: contains a lone surrogate (U+D800) at character 1"),
    ("agent\x0001", "username: contains a NUL character at character 6"),
    ("agent\x1b[2J", "username: contains a control character (U+001B) at character 6"),
    ("agent\t01", "username: contains a tab at character 6"),
    ("x" * 100_000, "username: is longer than 64 characters (100,000)"),
])
def test_a_hostile_username_is_a_422_naming_the_field(headoffice: HeadOffice, username: str, words: str) -> None:
    with headoffice.client() as c:
        r = _post(c, "/api/v1/auth/token", {"username": username, "password": "whatever-it-is", "device_id": DEVICE})
    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": words}


def test_wrong_types_in_a_body_are_a_422_naming_the_field(headoffice: HeadOffice) -> None:
    with headoffice.client() as c:
        for body, field in (({"username": 12345, "password": "x", "device_id": DEVICE}, "username"),
                            ({"username": ["agent01"], "password": "x", "device_id": DEVICE}, "username"),
                            ({"username": "agent01", "password": {"a": 1}, "device_id": DEVICE}, "password")):
            r = _post(c, "/api/v1/auth/token", body)
            assert r.status_code == 422, r.text
            assert r.json()["detail"].startswith(f"{field}: ")
        r = c.post("/api/v1/auth/token", content=b"[" * 50_000 + b"]" * 50_000,
                   headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 422), r.text


@pytest.mark.parametrize("reason", ["\udc80", "请\x00求", "reason\x07", "a\u202egnp.exe", "r" * 501])
def test_a_hostile_assignment_reason_changes_nothing(headoffice: HeadOffice, reason: str) -> None:
    sup = headoffice.client(headoffice.token("super01"))
    case = sup.get("/api/v1/cases", params={"limit": 1}).json()["cases"][0]
    r = _post(sup, "/api/v1/cases/assign", {"items": [{"case_id": case["id"], "version": case["version"],
                                                       "agent_id": None}], "reason": reason})
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("reason: ")
    after = sup.get("/api/v1/cases", params={"limit": 1}).json()["cases"][0]
    assert after == case


def test_a_pushed_event_with_hostile_text_is_rejected_alone_naming_the_field(headoffice: HeadOffice) -> None:
    agent = headoffice.client(headoffice.token("agent03"))
    changes, cursor = pull_all(agent)
    case = next(ch["case"] for ch in changes if ch["kind"] == "case_upsert")
    device = str(uuid.uuid4())

    def event(seq: int, **payload: Any) -> dict[str, Any]:
        return outcome_event(case["id"], device, seq, case_version=case["version"], **payload)

    moved = event(5, code="moved", fields={"new_address": "成都市\x00锦江区"})
    bad_key = event(6)
    bad_key["payload"]["\ud800"] = 1
    bad_id = event(7)
    bad_id["id"] = "\ud800" + bad_id["id"][1:]
    items = [event(1, notes="敲门无人应答 <b>ok</b> 😀\n第二行"),  # good: markup, emoji, a line break
             event(2, notes="\ud800"),
             event(3, notes="a\x00b"),
             event(4, notes="n" * 20_001),
             moved, bad_key, bad_id,
             event(8, notes="\x1b]8;;http://evil\x07")]
    r = _post(agent, "/api/v1/sync/events", {"events": items})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["accepted"] + ["rejected"] * 7
    errors = [x["error"] for x in results[1:]]
    assert errors[0] == "payload: notes contains a lone surrogate (U+D800) at character 1"
    assert errors[1] == "payload: notes contains a NUL character at character 2"
    assert errors[2] == "payload: notes is longer than 20,000 characters (20,001)"
    assert errors[3] == "payload: fields.new_address contains a NUL character at character 4"
    assert errors[4].startswith("payload: has a key that contains a lone surrogate")
    assert errors[5].startswith("id: ")
    assert errors[6] == "payload: notes contains a control character (U+001B) at character 1"
    assert results[6]["id"].isascii()  # the malformed id is echoed escaped
    stored = [ch for ch in pull_all(agent, cursor)[0] if ch["kind"] == "case_upsert"]
    history = [h for ch in stored for h in ch["case"]["history"] if h["event_id"] is not None]
    assert {h["event_id"] for h in history} & {i["id"] for i in items} == {items[0]["id"]}


def test_absurdly_nested_push_is_a_400_and_deep_payloads_are_rejected(headoffice: HeadOffice) -> None:
    agent = headoffice.client(headoffice.token("agent04"))
    r = agent.post("/api/v1/sync/events", content=b'{"events":[' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    changes, _ = pull_all(agent)
    case = next(ch["case"] for ch in changes if ch["kind"] == "case_upsert")
    deep: Any = "x"
    for _ in range(200):
        deep = {"d": deep}
    ev = outcome_event(case["id"], str(uuid.uuid4()), 1, case_version=case["version"], extra=deep)
    r = _post(agent, "/api/v1/sync/events", {"events": [ev]})
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    assert result["status"] == "rejected" and "nested more than 32 levels deep" in result["error"]


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--username", "agent\x1b[2J", "--username contains a control character (U+001B) at character 6"),
    ("--team", "一组\u202e", "--team contains a bidirectional control character (U+202E) at character 3"),
    ("--display-name", "张\x00三", "--display-name contains a NUL character at character 2"),
])
def test_create_user_refuses_hostile_names_before_the_database(tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str], option: str,
                                                               value: str, words: str) -> None:
    import io

    from headoffice.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    argv = {"--username": "agent09", "--team": "一组", "--display-name": "张三", option: value}
    code = main(["create-user", "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", "--role", "agent",
                 *[x for pair in argv.items() for x in pair]])
    assert code == 2
    assert capsys.readouterr().err == f"error: {words}\n"
    assert not (tmp_path / "none.sqlite3").exists()
