"""Push and pull against a live head office (SQLite and PostgreSQL): idempotency, exactly-once under
concurrency, flagging instead of rejecting, paging and cursors, concurrent commits, 410."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.integration.conftest import HeadOffice, outcome_event, pull_all


def _owned_cases(ho: HeadOffice, username: str) -> tuple[httpx.Client, list[dict[str, Any]]]:
    c = ho.client(ho.token(username))
    changes, _ = pull_all(c)
    cases = [ch["case"] for ch in changes if ch["kind"] == "case_upsert"]
    assert cases, f"{username} holds no cases"
    return c, cases


def _push(c: httpx.Client, *events: dict[str, Any]) -> httpx.Response:
    return c.post("/api/v1/sync/events", json={"events": list(events)})


def test_push_replay_returns_the_stored_result(headoffice: HeadOffice) -> None:
    c, cases = _owned_cases(headoffice, "agent01")
    device = str(uuid.uuid4())
    ev = outcome_event(cases[0]["id"], device, 1)
    first = _push(c, ev)
    assert first.status_code == 200
    r1 = first.json()["results"][0]
    assert r1["status"] == "accepted" and r1["server_seq"] > 0
    again = _push(c, ev).json()["results"][0]
    assert again["status"] == "duplicate" and again["server_seq"] == r1["server_seq"]
    # The same instant written in another zone is the same body.
    shifted = dict(ev, occurred_at="2026-11-30T11:00:00+08:00")
    assert _push(c, shifted).json()["results"][0]["status"] == "duplicate"


def test_same_id_with_a_different_body_is_422_and_the_rest_of_the_batch_is_stored(headoffice: HeadOffice) -> None:
    c, cases = _owned_cases(headoffice, "agent01")
    device = str(uuid.uuid4())
    ev = outcome_event(cases[1]["id"], device, 1)
    assert _push(c, ev).status_code == 200
    changed = dict(ev, payload=dict(ev["payload"], notes="edited later"))
    other = outcome_event(cases[1]["id"], device, 2)
    r = _push(c, changed, other)
    assert r.status_code == 422
    results = r.json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["error"].startswith("id_conflict")
    assert results[1]["status"] == "accepted"


def test_twenty_concurrent_sends_store_one_row(headoffice: HeadOffice) -> None:
    token = headoffice.token("agent02")
    setup = headoffice.client(token)
    cases = [ch["case"] for ch in pull_all(setup)[0] if ch["kind"] == "case_upsert"]
    ev = outcome_event(cases[0]["id"], str(uuid.uuid4()), 1)
    barrier = threading.Barrier(20)

    def send(_: int) -> dict[str, Any]:
        with httpx.Client(base_url=headoffice.url, timeout=60,
                          headers={"Authorization": f"Bearer {token}", "X-Doorstep-API": "1"}) as c:
            barrier.wait()
            r = c.post("/api/v1/sync/events", json={"events": [ev]})
            assert r.status_code == 200, r.text
            return dict(r.json()["results"][0])

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(send, range(20)))
    statuses = sorted(r["status"] for r in results)
    assert statuses.count("accepted") == 1 and statuses.count("duplicate") == 19
    assert len({r["server_seq"] for r in results}) == 1
    # Exactly one attempt row: the case history shows the event once.
    changes, _ = pull_all(setup)
    case = next(ch["case"] for ch in reversed(changes) if ch["kind"] == "case_upsert"
                and ch["case"]["id"] == cases[0]["id"])
    assert [h["event_id"] for h in case["history"]].count(ev["id"]) == 1


def test_malformed_events_are_rejected_alone(headoffice: HeadOffice) -> None:
    c, cases = _owned_cases(headoffice, "agent03")
    device = str(uuid.uuid4())
    good = outcome_event(cases[0]["id"], device, 1)
    bad_code = outcome_event(cases[0]["id"], device, 2, code="teleported")
    missing_field = outcome_event(cases[0]["id"], device, 3, code="promise_to_pay")
    future_schema = dict(outcome_event(cases[0]["id"], device, 4), schema_version=99)
    naive_time = dict(outcome_event(cases[0]["id"], device, 5), occurred_at="2026-11-30T03:00:00")
    not_object = "<script>alert(1)</script>"
    unknown_kind = dict(outcome_event(cases[0]["id"], device, 6), kind="teleport")
    r = _push(c, bad_code, good, missing_field, future_schema, naive_time, not_object, unknown_kind)
    assert r.status_code == 200
    statuses = [x["status"] for x in r.json()["results"]]
    assert statuses == ["rejected", "accepted", "rejected", "rejected", "rejected", "rejected", "rejected"]
    errors = [x["error"] for x in r.json()["results"]]
    assert "promise_amount_fen" in errors[2] and "schema_version" in errors[3]


def test_unknown_or_foreign_case_is_rejected_without_telling_which(headoffice: HeadOffice) -> None:
    _, mine = _owned_cases(headoffice, "agent04")
    _, theirs = _owned_cases(headoffice, "agent05")
    c = headoffice.client(headoffice.token("agent04"))
    device = str(uuid.uuid4())
    r = _push(c, outcome_event(theirs[0]["id"], device, 1), outcome_event(999_999, device, 2))
    assert [x["status"] for x in r.json()["results"]] == ["rejected", "rejected"]
    assert r.json()["results"][0]["error"] == r.json()["results"][1]["error"] == "unknown case"
    assert mine


def test_compliance_breach_is_accepted_and_flagged(headoffice: HeadOffice) -> None:
    c, cases = _owned_cases(headoffice, "agent06")
    # 23:30 in Chengdu: inside the CN quiet hours.
    late = outcome_event(cases[0]["id"], str(uuid.uuid4()), 1, at="2026-11-30T15:30:00+00:00")
    res = _push(c, late).json()["results"][0]
    assert res["status"] == "flagged" and "contact_window" in res["flag_reason"]
    sup = headoffice.client(headoffice.token("super01"))
    changes, _ = pull_all(sup)
    flags = [ch for ch in changes if ch["kind"] == "event_status" and ch["event_id"] == late["id"]]
    assert flags and flags[0]["event_status"] == "flagged"


def test_reassigned_case_events_are_accepted_flagged_and_routed(headoffice_server, backend: str) -> None:
    ho = headoffice_server(db=backend, cases=30)
    a1, cases = _owned_cases(ho, "agent01")
    _, cursor1 = pull_all(a1)
    a2 = ho.client(ho.token("agent02"))
    _, cursor2 = pull_all(a2)
    case = cases[0]
    sup = ho.client(ho.token("super01"))
    agents = {a["username"]: a["id"] for a in sup.get("/api/v1/agents").json()}
    r = sup.post(f"/api/v1/cases/{case['id']}/assign", json={"agent_id": agents["agent02"]},
                 headers={"If-Match": f'"{case["version"]}"'})
    assert r.status_code == 200, r.text
    # agent01 was offline and recorded a visit on the case it no longer holds.
    ev = outcome_event(case["id"], str(uuid.uuid4()), 1, code="not_home", channel="visit")
    res = _push(a1, ev).json()["results"][0]
    assert res["status"] == "flagged" and "reassigned" in res["flag_reason"]
    gone, _ = pull_all(a1, cursor1)
    assert any(ch["kind"] == "case_removed" and ch["case_id"] == case["id"] for ch in gone)
    assert not any(ch["kind"] == "case_upsert" and ch["case_id"] == case["id"] for ch in gone)
    arrived, _ = pull_all(a2, cursor2)
    upserts = [ch["case"] for ch in arrived if ch["kind"] == "case_upsert" and ch["case_id"] == case["id"]]
    assert upserts and upserts[-1]["agent_id"] == agents["agent02"]
    assert ev["id"] in [h["event_id"] for h in upserts[-1]["history"]]


def test_pull_pages_resume_without_gap_or_duplicate(headoffice: HeadOffice) -> None:
    sup = headoffice.client(headoffice.token("super01"))
    whole, _ = pull_all(sup, limit=1000)
    paged, _ = pull_all(sup, limit=7)
    key = [(ch["seq"], ch["kind"], ch.get("case_id")) for ch in whole]
    assert [(ch["seq"], ch["kind"], ch.get("case_id")) for ch in paged] == key
    seqs = [s for s, _, _ in key]
    assert seqs == sorted(set(seqs))
    upserted = {ch["case_id"] for ch in whole if ch["kind"] == "case_upsert"}
    total = sup.get("/api/v1/cases", params={"limit": 1000}).json()["total"]
    assert len(upserted) == total


def test_profile_travels_in_the_first_pull_only(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent05"))
    first = c.get("/api/v1/sync/changes", params={"limit": 5}).json()
    assert first["profile"]["id"] == "CN" and first["profile"]["contact_window"]["start"] == "08:00"
    nxt = c.get("/api/v1/sync/changes", params={"cursor": first["next_cursor"], "limit": 5}).json()
    assert nxt["profile"] is None


def test_noop_pull_returns_nothing_and_keeps_working(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent05"))
    _, cursor = pull_all(c)
    r = c.get("/api/v1/sync/changes", params={"cursor": cursor})
    assert r.status_code == 200 and r.json()["changes"] == [] and not r.json()["has_more"]


def test_bad_cursor_is_400(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent05"))
    for cursor in ("garbage", "eyJ2IjoxfQ", "%00" * 10, "x" * 600):
        r = c.get("/api/v1/sync/changes", params={"cursor": cursor})
        assert r.status_code in (400, 422), (cursor, r.text)


def test_pull_during_concurrent_commits_misses_nothing(headoffice_server, backend: str) -> None:
    ho = headoffice_server(db=backend, cases=60)
    sup = ho.client(ho.token("super01"))
    _, cursor = pull_all(sup)
    writers = {}
    for name in ("agent01", "agent02", "agent03", "agent04"):
        token = ho.token(name)
        with ho.client(token) as c:
            writers[name] = (token, [ch["case"]["id"] for ch in pull_all(c)[0] if ch["kind"] == "case_upsert"])
    done = threading.Event()

    def write(name: str) -> list[int]:
        token, ids = writers[name]
        device = str(uuid.uuid4())
        touched = []
        with httpx.Client(base_url=ho.url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
            for i, case_id in enumerate(ids):
                r = c.post("/api/v1/sync/events", json={"events": [outcome_event(case_id, device, i + 1)]})
                assert r.status_code == 200 and r.json()["results"][0]["status"] in ("accepted", "flagged")
                touched.append(case_id)
        return touched

    seen: dict[int, int] = {}
    pages = 0

    def read() -> None:
        nonlocal cursor, pages
        while True:
            finished = done.is_set()  # read once more after the writers stop
            r = sup.get("/api/v1/sync/changes", params={"cursor": cursor, "limit": 3})
            assert r.status_code == 200
            body = r.json()
            for ch in body["changes"]:
                if ch["kind"] == "case_upsert":
                    seen[ch["case_id"]] = max(seen.get(ch["case_id"], 0), ch["case"]["version"])
            cursor = body["next_cursor"]
            pages += 1
            if finished and not body["has_more"]:
                return

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(4) as pool:
        touched = [cid for ids in pool.map(write, writers) for cid in ids]
    done.set()
    reader.join(timeout=300)
    assert not reader.is_alive()
    current = {c["id"]: c["version"] for c in sup.get("/api/v1/cases", params={"limit": 1000}).json()["cases"]}
    assert touched
    for case_id in touched:
        assert seen.get(case_id) == current[case_id], f"case {case_id}: pulled {seen.get(case_id)}, is {current[case_id]}"
    assert pages > 1


def test_cursor_older_than_retention_is_410_and_full_resync_is_complete(headoffice_server, backend: str) -> None:
    ho = headoffice_server(db=backend, cases=20, retain_changes=5)
    sup = ho.client(ho.token("super01"))
    before, old_cursor = pull_all(sup)
    agents = {a["username"]: a["id"] for a in sup.get("/api/v1/agents").json()}
    cases = sup.get("/api/v1/cases").json()["cases"]
    for case in cases[:8]:
        r = sup.post(f"/api/v1/cases/{case['id']}/assign", json={"agent_id": agents["agent06"]},
                     headers={"If-Match": str(case["version"])})
        assert r.status_code == 200
    r = sup.get("/api/v1/sync/changes", params={"cursor": old_cursor})
    assert r.status_code == 410 and r.json()["error"] == "cursor_gone"
    full, _ = pull_all(sup)
    latest = {ch["case_id"]: ch["case"] for ch in full if ch["kind"] == "case_upsert"}
    assert len(latest) == 20
    assert all(latest[c["id"]]["agent_id"] == agents["agent06"] for c in cases[:8])
    # The agent who gained them gets all of them in a full pull too.
    a6 = ho.client(ho.token("agent06"))
    mine = {ch["case_id"] for ch in pull_all(a6)[0] if ch["kind"] == "case_upsert"}
    assert {c["id"] for c in cases[:8]} <= mine
    assert before


def test_cursor_from_another_database_is_410(headoffice_server) -> None:
    one = headoffice_server(cases=5)
    two = headoffice_server(cases=6)  # another template: another database identity
    _, cursor = pull_all(one.client(one.token("agent01")))
    r = two.client(two.token("agent01")).get("/api/v1/sync/changes", params={"cursor": cursor})
    assert r.status_code == 410
