"""The ladder over HTTP and the command line against a REAL head office (SQLite and PostgreSQL): the
daily run's trail and the trigger's evidence reach the agent's laptop in a pull; the policy is read
and set by role (a supervisor only their team's, an admin any); hold, move and serious-default
findings are checked and audited."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from app.domain.ladder import EXAMPLE_POLICY
from tests.integration.conftest import HeadOffice, pull_all

RUN_DAY = "2026-11-30"
NOW = "2026-11-30T06:00:00+08:00"


@pytest.fixture
def ho(headoffice_server: Any, backend: str) -> HeadOffice:
    return headoffice_server(db=backend, cases=40)  # type: ignore[no-any-return]


def test_the_run_reaches_the_laptop_in_a_pull(ho: HeadOffice) -> None:
    agent = ho.client(ho.token("agent01"))
    before, cursor = pull_all(agent)
    mine = {ch["case"]["id"] for ch in before if ch["kind"] == "case_upsert"}
    dry = ho.cli("ladder", "run", "--date", RUN_DAY, "--dry-run", "--now", NOW)
    assert "dry run: nothing written" in dry.stdout
    assert pull_all(agent, cursor)[0] == []
    done = ho.cli("ladder", "run", "--date", RUN_DAY, "--now", NOW)
    assert "40 cases" in done.stdout and "moved:" in done.stdout and "sms_1" in done.stdout
    after, cursor = pull_all(agent, cursor)
    cases = {ch["case"]["id"]: ch["case"] for ch in after if ch["kind"] == "case_upsert"}
    assert set(cases) == mine
    for case in cases.values():
        assert case["ladder_level"] in {"sms_1", "letter", "visit"}
        level = [t for t in case["ladder"] if t["kind"] == "level"]
        assert len(level) == 1 and level[0]["data"]["via"] == "run" and level[0]["data"]["to"] == case["ladder_level"]
        if case["ladder_level"] == "visit":  # the demo's door cases: evidence of repeated delinquency
            assert case["stage"] == "field_visit" and case["trigger"] == "repeated_delinquency"
            assert case["trigger_why"]["facts"] and case["trigger_why"]["thresholds"]["episodes"] == 3
            assert [t["kind"] for t in case["ladder"]] == ["level", "trigger"]
        else:
            assert case["trigger"] is None and case["trigger_why"] is None
    again = ho.cli("ladder", "run", "--date", RUN_DAY, "--now", NOW)
    assert "moved:   none" in again.stdout
    assert pull_all(agent, cursor)[0] == []  # the same date twice: nothing new for the laptop


def test_policy_by_role(ho: HeadOffice) -> None:
    sup, admin, agent = (ho.client(ho.token(u)) for u in ("super01", "admin", "agent01"))
    got = sup.get("/api/v1/ladder/policy")
    assert got.status_code == 200 and got.json()["inherited"] and got.json()["scope"] == ""
    team = got.json()["team"]
    assert agent.get("/api/v1/ladder/policy").status_code == 403
    assert sup.get("/api/v1/ladder/policy", params={"team": "别的组"}).status_code == 403
    mine = json.loads(json.dumps(dict(EXAMPLE_POLICY)))
    mine["levels"][0]["wait_days"] = 3
    put = sup.put("/api/v1/ladder/policy", json=mine)
    assert put.status_code == 200, put.text
    assert put.json()["scope"] == team and put.json()["version"] == 1 and not put.json()["inherited"]
    assert put.json()["policy"]["levels"][0]["wait_days"] == 3
    bad = json.loads(json.dumps(mine))
    bad["levels"][2]["entry"]["days_past_due"] = 5
    bad["levels"][0]["action"]["template"] = "<script>x</script>"
    r = sup.put("/api/v1/ladder/policy", json=bad)
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"  # the shape: a template code
    bad["levels"][0]["action"]["template"] = "remind_9"
    r = sup.put("/api/v1/ladder/policy", json=bad)
    assert r.status_code == 422 and r.json()["error"] == "invalid_policy"
    assert "levels[0].action.template: unknown sms template 'remind_9'" in r.json()["detail"]
    assert "levels[2].entry.days_past_due: 5 is lower than 10" in r.json()["detail"]
    assert sup.put("/api/v1/ladder/policy", content=b"{not json", headers={"Content-Type": "application/json"}
                   ).json()["error"] == "malformed_json"
    assert admin.get("/api/v1/ladder/policy", params={"team": team}).json()["version"] == 1
    assert admin.get("/api/v1/ladder/policy").json()["scope"] == ""
    assert admin.put("/api/v1/ladder/policy", json=dict(EXAMPLE_POLICY)).json()["version"] == 2
    shown = ho.cli("ladder", "policy", "show", "--team", team)
    assert "version 1" in shown.stdout and '"wait_days": 3' in shown.stdout


def test_hold_move_and_serious_default_over_http(ho: HeadOffice) -> None:
    ho.cli("ladder", "run", "--date", RUN_DAY, "--now", NOW)
    sup, agent = ho.client(ho.token("super01")), ho.client(ho.token("agent01"))
    case = next(c for c in sup.get("/api/v1/cases", params={"limit": 100}).json()["cases"]
                if c["stage"] == "reminder")
    cid = case["id"]
    path = f"/api/v1/ladder/cases/{cid}"
    assert agent.post(path + "/hold", json={"reason": "x"}).status_code == 403
    assert sup.post("/api/v1/ladder/cases/999999/hold", json={"reason": "x"}).status_code == 404
    assert sup.post(path + "/hold", json={"reason": ""}).status_code == 422
    held = sup.post(path + "/hold", json={"reason": "债务人申请核实账单 🧾"})
    assert held.status_code == 200 and held.json()["held"] and held.json()["held_by"] == "super01"
    assert sup.post(path + "/hold", json={"reason": "again"}).json()["error"] == "already_held"
    assert "held 1" in ho.cli("ladder", "run", "--date", "2026-12-20", "--dry-run").stdout
    assert sup.post(path + "/release", json={"reason": "核实完毕"}).json()["held"] is False
    door = sup.post(path + "/move", json={"to_level": "visit", "reason": "想上门"})
    assert door.status_code == 422 and door.json()["error"] == "no_trigger"
    doc = "转移资产的证明".encode() * 10
    sha = hashlib.sha256(doc).hexdigest()
    assert sup.post(path + "/serious-default", json={"finding": "asset_transfer", "note": "房产过户",
                                                     "attachment_sha256": sha}).json()["error"] == "unknown_attachment"
    assert sup.put(f"/api/v1/attachments/{sha}", content=doc).status_code == 201
    found = sup.post(path + "/serious-default", json={"finding": "asset_transfer", "note": "房产于11月过户给其弟",
                                                      "attachment_sha256": sha})
    assert found.status_code == 201, found.text
    moved = sup.post(path + "/move", json={"to_level": "visit", "reason": "转移资产，需上门核实"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"] == "field_visit" and moved.json()["trigger"] == "serious_default"
    assert moved.json()["version"] > case["version"]
    withdrawn = sup.post(path + f"/serious-default/{found.json()['id']}/withdraw")
    assert withdrawn.json()["withdrawn_by"] == "super01"
    assert sup.post(path + f"/serious-default/{found.json()['id']}/withdraw").status_code == 409
    out = ho.cli("ladder", "move", case["case_no"], "sms_1", "--reason", "退回提醒")
    assert "visit → sms_1" in out.stdout
    refused = ho.cli("ladder", "move", case["case_no"], "visit", "--reason", "再上门", check=False)
    assert refused.returncode == 2 and "no_trigger" in refused.stderr
    listed = sup.get(path + "/serious-default").json()
    assert len(listed) == 1 and listed[0]["withdrawn_at"] is not None
