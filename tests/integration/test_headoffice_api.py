"""RBAC per endpoint, assignment with If-Match, attachments, health/OpenAPI and hostile input,
against a live head office on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest

from app.contract.v1 import AssignConflict
from tests.integration.conftest import HeadOffice, outcome_event, pull_all


def _ids(c: httpx.Client) -> list[int]:
    return [ch["case_id"] for ch in pull_all(c)[0] if ch["kind"] == "case_upsert"]


# --- RBAC ---------------------------------------------------------------------------------------------


def test_agent_cannot_call_supervisor_endpoints(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent01"))
    mine = _ids(c)
    assert c.get("/api/v1/cases").status_code == 403
    assert c.get("/api/v1/agents").status_code == 403
    r = c.post(f"/api/v1/cases/{mine[0]}/assign", json={"agent_id": None}, headers={"If-Match": "1"})
    assert r.status_code == 403


def test_agent_sees_only_their_cases(headoffice: HeadOffice) -> None:
    sup = headoffice.client(headoffice.token("super01"))
    every = {c["id"]: c["agent_id"] for c in sup.get("/api/v1/cases", params={"limit": 1000}).json()["cases"]}
    for name in ("agent01", "agent02"):
        c = headoffice.client(headoffice.token(name))
        changes, _ = pull_all(c)
        me = c.get("/api/v1/sync/changes", params={"limit": 1})  # still authorised
        assert me.status_code == 200
        owners = {ch["case"]["agent_id"] for ch in changes if ch["kind"] == "case_upsert"}
        assert len(owners) == 1
        (owner,) = owners
        assert {ch["case_id"] for ch in changes if ch["kind"] == "case_upsert"} == {
            cid for cid, aid in every.items() if aid == owner}


def test_supervisor_is_limited_to_their_team(headoffice_server, backend: str) -> None:
    ho = headoffice_server(db=backend, cases=10)
    ho.cli("create-user", "--username", "super02", "--role", "supervisor", "--team", "二组", stdin="password-two\n")
    ho.cli("create-user", "--username", "agent21", "--role", "agent", "--team", "二组", stdin="password-two\n")
    ho.accounts.update(super02="password-two", agent21="password-two")
    other = ho.client(ho.token("super02"))
    assert other.get("/api/v1/cases").json()["total"] == 0
    assert [a["username"] for a in other.get("/api/v1/agents").json()] == ["super02", "agent21"]
    assert pull_all(other)[0] == []
    sup = ho.client(ho.token("super01"))
    case = sup.get("/api/v1/cases").json()["cases"][0]
    # Another team's case does not exist for super02; team-1 supervisor cannot hand a case to team 2.
    r = other.post(f"/api/v1/cases/{case['id']}/assign", json={"agent_id": None},
                   headers={"If-Match": str(case["version"])})
    assert r.status_code == 404
    agent21 = next(a["id"] for a in other.get("/api/v1/agents").json() if a["username"] == "agent21")
    r = sup.post(f"/api/v1/cases/{case['id']}/assign", json={"agent_id": agent21},
                 headers={"If-Match": str(case["version"])})
    assert r.status_code == 422
    # The admin can, and the case then belongs to team 2 (and leaves team 1's pull).
    admin = ho.client(ho.token("admin"))
    _, sup_cursor = pull_all(sup)
    r = admin.post(f"/api/v1/cases/{case['id']}/assign", json={"agent_id": agent21},
                   headers={"If-Match": str(case["version"])})
    assert r.status_code == 200
    assert other.get("/api/v1/cases").json()["total"] == 1
    moved = pull_all(sup, sup_cursor)[0]
    assert [ch["kind"] for ch in moved if ch["case_id"] == case["id"]] == ["case_removed"]


def test_agent_cannot_read_another_agents_attachment(headoffice: HeadOffice) -> None:
    data = "录音 recording ".encode() * 100 + uuid.uuid4().bytes
    sha = hashlib.sha256(data).hexdigest()
    a1 = headoffice.client(headoffice.token("agent01"))
    assert a1.put(f"/api/v1/attachments/{sha}", content=data, headers={"Content-Type": "audio/mp4"}).status_code == 201
    a2 = headoffice.client(headoffice.token("agent02"))
    assert a2.get(f"/api/v1/attachments/{sha}").status_code == 404
    sup = headoffice.client(headoffice.token("super01"))
    assert sup.get(f"/api/v1/attachments/{sha}").content == data


# --- assignment ----------------------------------------------------------------------------------------


def test_assign_needs_if_match_and_answers_412_with_the_current_version(headoffice: HeadOffice) -> None:
    sup = headoffice.client(headoffice.token("super01"))
    agents = {a["username"]: a["id"] for a in sup.get("/api/v1/agents").json()}
    case = sup.get("/api/v1/cases", params={"agent_id": agents["agent03"]}).json()["cases"][0]
    url = f"/api/v1/cases/{case['id']}/assign"
    assert sup.post(url, json={"agent_id": agents["agent04"]}).status_code == 428
    assert sup.post(url, json={"agent_id": agents["agent04"]}, headers={"If-Match": "abc"}).status_code == 400
    stale = sup.post(url, json={"agent_id": agents["agent04"]}, headers={"If-Match": str(case["version"] + 5)})
    assert stale.status_code == 412
    assert AssignConflict.model_validate(stale.json()).case.version == case["version"]
    assert stale.headers["etag"] == f'"{case["version"]}"'
    ok = sup.post(url, json={"agent_id": agents["agent04"]}, headers={"If-Match": f'"{case["version"]}"'})
    assert ok.status_code == 200
    assert ok.json() == {"case_id": case["id"], "agent_id": agents["agent04"], "version": case["version"] + 1}
    again = sup.post(url, json={"agent_id": agents["agent03"]}, headers={"If-Match": str(case["version"])})
    assert again.status_code == 412 and again.json()["case"]["agent_id"] == agents["agent04"]
    back = sup.post(url, json={"agent_id": None}, headers={"If-Match": str(case["version"] + 1)})
    assert back.status_code == 200 and back.json()["agent_id"] is None
    assert sup.post("/api/v1/cases/99999999/assign", json={"agent_id": None},
                    headers={"If-Match": "1"}).status_code == 404


# --- attachments --------------------------------------------------------------------------------------


def test_attachments_are_verified_and_idempotent(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent05"))
    data = b"\x00\x01photo" + uuid.uuid4().bytes
    sha = hashlib.sha256(data).hexdigest()
    first = c.put(f"/api/v1/attachments/{sha}", content=data, headers={"Content-Type": "image/jpeg"})
    assert first.status_code == 201
    again = c.put(f"/api/v1/attachments/{sha}", content=data, headers={"Content-Type": "image/jpeg"})
    assert again.status_code == 200 and again.json()["stored"] is False
    wrong = c.put(f"/api/v1/attachments/{'0' * 64}", content=data)
    assert wrong.status_code == 422 and wrong.json()["error"] == "hash_mismatch"
    assert c.put("/api/v1/attachments/NOT-A-HASH", content=data).status_code == 400
    got = c.get(f"/api/v1/attachments/{sha}")
    assert got.status_code == 200 and got.content == data and got.headers["content-type"] == "image/jpeg"
    assert c.get(f"/api/v1/attachments/{'1' * 64}").status_code == 404


def test_event_may_arrive_before_its_recording_and_the_owner_can_fetch_it(headoffice: HeadOffice) -> None:
    a6 = headoffice.client(headoffice.token("agent06"))
    case_id = _ids(a6)[-1]
    data = b"video" + uuid.uuid4().bytes
    sha = hashlib.sha256(data).hexdigest()
    ev = outcome_event(case_id, str(uuid.uuid4()), 1, code="not_home", channel="visit", recording_sha256=sha)
    assert a6.post("/api/v1/sync/events", json={"events": [ev]}).json()["results"][0]["status"] == "accepted"
    sup = headoffice.client(headoffice.token("super01"))
    assert sup.put(f"/api/v1/attachments/{sha}", content=data).status_code == 201
    assert a6.get(f"/api/v1/attachments/{sha}").content == data


# --- health, OpenAPI, headers -----------------------------------------------------------------------------


def test_health_openapi_and_security_headers(headoffice: HeadOffice) -> None:
    with httpx.Client(base_url=headoffice.url) as c:
        h = c.get("/api/v1/health")
        assert h.status_code == 200 and h.json()["api_version"] == "1"
        assert h.json()["database"] in ("sqlite", "postgresql")
        for header in ("x-content-type-options", "x-frame-options", "content-security-policy", "x-doorstep-api"):
            assert header in h.headers
        assert "server" not in h.headers
        spec = c.get("/openapi.json").json()
        for path in ("/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/sync/changes", "/api/v1/sync/events",
                     "/api/v1/attachments/{sha256}", "/api/v1/cases", "/api/v1/cases/{case_id}/assign",
                     "/api/v1/agents", "/api/v1/health"):
            assert path in spec["paths"], path


def test_large_pull_is_gzipped(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("super01"))
    r = c.get("/api/v1/sync/changes", params={"limit": 50}, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    raw = c.get("/api/v1/sync/changes", params={"limit": 50}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert r.json() == raw.json() | {"server_time": r.json()["server_time"]}


# --- hostile input: a clear 4xx, never a 500 ------------------------------------------------------------------

HOSTILE_STRINGS = ["", "'; DROP TABLE cases; --", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "😀" * 50,
                   "王" * 10_000, "\u0000", "../../etc/passwd", "%s%s%n", "null"]


def _ascii(s: str) -> str:
    return s.encode("ascii", "ignore").decode().replace("\x00", "")[:100]


def _never_500(r: httpx.Response) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        body = r.json()
        assert set(body) >= {"error"}
        text = json.dumps(body).lower()
        assert "traceback" not in text and "select " not in text and "sqlalchemy" not in text


def test_hostile_input_gets_clear_4xx(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent01"))
    sup = headoffice.client(headoffice.token("super01"))
    cases: list[tuple[httpx.Client, str, str, dict[str, Any]]] = []
    for s in HOSTILE_STRINGS:
        cases += [
            (c, "POST", "/api/v1/auth/token", {"json": {"username": s, "password": s, "device_id": s}}),
            (c, "POST", "/api/v1/auth/refresh", {"json": {"refresh_token": s, "device_id": s}}),
            (c, "GET", "/api/v1/sync/changes", {"params": {"cursor": s[:1000], "limit": s[:1000]}}),
            (c, "POST", "/api/v1/sync/events", {"json": {"events": [{"id": s, "payload": s}]}}),
            (c, "POST", "/api/v1/sync/events", {"json": {"events": s}}),
            (sup, "GET", "/api/v1/cases", {"params": {"offset": s[:1000], "status": s[:1000],
                                                             "agent_id": s[:1000]}}),
            (sup, "POST", "/api/v1/cases/1/assign", {"json": {"agent_id": s},
                                                          "headers": {"If-Match": _ascii(s)}}),
        ]
    cases += [
        (c, "POST", "/api/v1/sync/events", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
        (c, "POST", "/api/v1/sync/events", {"content": b"\xff\xfe\xfd", "headers": {"Content-Type": "application/json"}}),
        (c, "POST", "/api/v1/sync/events", {"json": [1, 2, 3]}),
        (c, "POST", "/api/v1/sync/events", {"json": {"events": [{}] * 501}}),
        (c, "POST", "/api/v1/auth/token", {"json": {"username": 5, "password": [], "device_id": None}}),
        (c, "POST", "/api/v1/auth/token", {"content": b"", "headers": {"Content-Type": "application/json"}}),
        (c, "GET", "/api/v1/sync/changes", {"params": {"limit": -1}}),
        (c, "GET", "/api/v1/sync/changes", {"params": {"limit": 10**30}}),
        (sup, "POST", "/api/v1/cases/abc/assign", {"json": {"agent_id": 1}}),
        (sup, "POST", "/api/v1/cases/99999999999999999999999/assign", {"json": {"agent_id": 1},
                                                                     "headers": {"If-Match": "1"}}),
        (sup, "POST", "/api/v1/cases/1/assign", {"json": {"agent_id": 2**70}, "headers": {"If-Match": "1"}}),
        (c, "GET", "/api/v1/nowhere", {}),
        (c, "DELETE", "/api/v1/cases", {}),
    ]
    for client, method, path, kw in cases:
        _never_500(client.request(method, path, **kw))


def test_event_fields_with_hostile_text_are_stored_verbatim(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent02"))
    case_id = _ids(c)[-1]
    notes = "<b>门口</b> =cmd|' /C calc'!A0 😀 mixed 中文 English " + "长" * 5000
    ev = outcome_event(case_id, str(uuid.uuid4()), 1, notes=notes)
    assert c.post("/api/v1/sync/events", json={"events": [ev]}).json()["results"][0]["status"] == "accepted"
    assert c.post("/api/v1/sync/events", json={"events": [ev]}).json()["results"][0]["status"] == "duplicate"


def test_unknown_api_version_is_400(headoffice: HeadOffice) -> None:
    with httpx.Client(base_url=headoffice.url) as c:
        r = c.get("/api/v1/health", headers={"X-Doorstep-API": "2"})
        assert r.status_code == 400 and r.json()["error"] == "unsupported_api_version"


def test_oversized_bodies_are_413(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent01"))
    big = b'{"events": ["' + b"x" * (9 * 1024 * 1024) + b'"]}'
    r = c.post("/api/v1/sync/events", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks():  # no Content-Length: the limit applies while the body streams
        for _ in range(10):
            yield b"x" * (1024 * 1024)

    r = c.post("/api/v1/sync/events", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_gzip_request_bodies_are_not_a_way_around_the_limit(headoffice: HeadOffice) -> None:
    # The server does not inflate request bodies: a gzip body is just malformed JSON.
    c = headoffice.client(headoffice.token("agent01"))
    body = gzip.compress(json.dumps({"events": []}).encode())
    r = c.post("/api/v1/sync/events", content=body,
               headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/agents", "/api/v1/sync/changes"])
def test_every_protected_endpoint_needs_a_token(headoffice: HeadOffice, path: str) -> None:
    with httpx.Client(base_url=headoffice.url) as c:
        assert c.get(path).status_code == 401
        assert c.get(path, headers={"Authorization": "Basic Zm9vOmJhcg=="}).status_code == 401
