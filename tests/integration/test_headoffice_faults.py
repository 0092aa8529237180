"""Fault hooks (test-only) and what they prove about the server: a reply lost after commit is safe to
retry, 503 carries Retry-After, and several stateless API processes share one PostgreSQL safely."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.integration.conftest import ROOT, HeadOffice, outcome_event, pull_all


def _first_case(ho: HeadOffice, username: str) -> tuple[str, int]:
    token = ho.token(username)
    with ho.client(token) as c:
        changes, _ = pull_all(c)
    return token, next(ch["case_id"] for ch in changes if ch["kind"] == "case_upsert")


def test_reply_dropped_after_commit_then_retry_is_stored_once(headoffice: HeadOffice) -> None:
    token, case_id = _first_case(headoffice, "agent01")
    ev = outcome_event(case_id, str(uuid.uuid4()), 1)
    headoffice.faults(drop_after_commit=1, paths=["/api/v1/sync/events"])
    try:
        with headoffice.client(token) as c:
            with pytest.raises(httpx.TransportError):
                c.post("/api/v1/sync/events", json={"events": [ev]})
            retry = c.post("/api/v1/sync/events", json={"events": [ev]})
    finally:
        headoffice.clear_faults()
    assert retry.status_code == 200
    assert retry.json()["results"][0]["status"] == "duplicate"  # the first attempt had committed


def test_503_with_retry_after_runs_nothing(headoffice: HeadOffice) -> None:
    token, case_id = _first_case(headoffice, "agent02")
    ev = outcome_event(case_id, str(uuid.uuid4()), 1)
    state = headoffice.faults(fail_503=2, retry_after=7, paths=["/api/v1/sync/"])
    assert state["fail_503"] == 2
    try:
        with headoffice.client(token) as c:
            for _ in range(2):
                r = c.post("/api/v1/sync/events", json={"events": [ev]})
                assert r.status_code == 503 and r.headers["retry-after"] == "7"
            r = c.post("/api/v1/sync/events", json={"events": [ev]})
            assert r.json()["results"][0]["status"] == "accepted"  # the refused tries stored nothing
            # Health is never faulted: monitoring sees the process is alive.
            assert c.get("/api/v1/health").status_code == 200
    finally:
        headoffice.clear_faults()


def test_fault_hooks_are_off_unless_enabled(headoffice: HeadOffice) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "headoffice", "serve", "--db", headoffice.db_url, "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, timeout=30) as c:
            for _ in range(200):  # until it answers (the URL is printed just before uvicorn serves)
                try:
                    c.get("/api/v1/health")
                    break
                except httpx.TransportError:
                    try:
                        proc.wait(timeout=0.05)
                    except subprocess.TimeoutExpired:
                        pass
            assert c.post("/api/v1/_faults", json={"fail_503": 5}).status_code == 404
            assert c.get("/api/v1/health").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()


def test_restart_on_the_same_database_keeps_everything(headoffice_server, backend: str) -> None:
    ho: HeadOffice = headoffice_server(db=backend, cases=10)
    token, case_id = _first_case(ho, "agent01")
    ev = outcome_event(case_id, str(uuid.uuid4()), 1)
    with ho.client(token) as c:
        assert c.post("/api/v1/sync/events", json={"events": [ev]}).json()["results"][0]["status"] == "accepted"
        _, cursor = pull_all(c)
    ho.kill()  # a crash, not a clean stop
    ho.start()
    with ho.client(token) as c:  # tokens live in the database: still valid after a restart
        assert c.post("/api/v1/sync/events", json={"events": [ev]}).json()["results"][0]["status"] == "duplicate"
        r = c.get("/api/v1/sync/changes", params={"cursor": cursor})
        assert r.status_code == 200 and r.json()["changes"] == []


@pytest.mark.postgres
def test_two_api_processes_over_one_postgres_store_each_event_once(headoffice_server) -> None:
    one: HeadOffice = headoffice_server(db="postgres", cases=30)
    two = HeadOffice(one.db_url, {}, one.log_path.with_name("second.log"), dict(one.accounts))
    headoffice_server.servers.append(two)
    two.start()
    token, case_id = _first_case(one, "agent01")
    device = str(uuid.uuid4())
    events = [outcome_event(case_id, device, i + 1) for i in range(10)]
    barrier = threading.Barrier(20)

    def send(i: int) -> list[dict[str, Any]]:
        url = (one if i % 2 else two).url
        with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
            barrier.wait()
            r = c.post("/api/v1/sync/events", json={"events": events})
            assert r.status_code == 200, r.text
            return list(r.json()["results"])

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(send, range(20)))
    for k in range(len(events)):
        statuses = [res[k]["status"] for res in results]
        assert statuses.count("accepted") + statuses.count("flagged") == 1, statuses
        assert len({res[k]["server_seq"] for res in results}) == 1
    # Both processes serve the same pull (tokens and cursors are database state, not process state).
    with one.client(token) as c1, two.client(token) as c2:
        _, cursor = pull_all(c1)
        assert c2.get("/api/v1/sync/changes", params={"cursor": cursor}).json()["changes"] == []
