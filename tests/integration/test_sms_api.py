"""SMS reminders through a REAL head office (`python -m headoffice serve` on loopback, SQLite and
PostgreSQL): the templates API with hostile text, the background sender of `serve --sms-gateway`,
the gateway's signed delivery receipts, and the trail the agent's laptop pulls with the case.

The client's licensed SMS channel is outside the project: the server sends to the local fake gateway
(tests/fake_gateway.py), a real HTTP server in this test process. The pending ladder action is written
into the database directly (the daily run that makes it is not part of this test); the server's clock
is set through the test-only fault hook; waits poll with a deadline."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from headoffice.db import Database
from headoffice.ladder.models import LadderAction, SmsMessage
from headoffice.models import Case, User
from headoffice.sms.receipts import sign
from tests.fake_gateway import FakeGateway

from .conftest import HeadOffice, pull_all
from .sms_helpers import REMIND, local
from .sync_server import wait_until

T = "/api/v1/sms/templates"
R = "/api/v1/sms/receipts"
SECRET = "receipt-secret-0123456789"
SETTINGS = {"company": "某某消费金融", "hotline": "400-800-1234", "pay_channels": "官方App"}


def put(client: httpx.Client, *templates: dict[str, Any], settings: dict[str, str] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"templates": list(templates)}
    if settings is not None:
        body["settings"] = settings
    return client.put(T, json=body)


@pytest.mark.parametrize(("body", "error", "words"), [
    ("{name}您好，再不还款后果自负。", "wording", "threat"),
    ("你这个老赖{name}", "wording", "insult"),
    ("Pay now or we will have you arrested, {name}.", "wording", "false_legal_claim"),
    ("【官方】{name}您好", "brackets", "【"),
    ("{name}您好，身份证号{id_number}", "merge_field", "unknown merge field {id_number}"),
    ("{name.__class__}", "merge_field", "unknown merge field"),
    ("{name:>300}", "merge_field", "without : or !"),
    ("{name", "merge_field", "not closed"),
    ("x" * 10_000, "length", "longer than 462"),
    ("{pay_channels}" * 4, "length", "at its longest"),
    ("a\u202eb", "invalid_request", "bidirectional"),
    ("a\x00b", "invalid_request", "NUL"),
])
def test_a_hostile_template_is_refused_naming_the_rule(headoffice: HeadOffice, body: str, error: str,
                                                       words: str) -> None:
    sup = headoffice.client(headoffice.token("super01"))
    r = put(sup, {"code": "hostile", "body": body})
    assert r.status_code == 422, r.text
    assert r.json()["error"] == error and words in r.json()["detail"]
    assert body not in r.json()["detail"] or len(body) < 40
    assert all(t["code"] != "hostile" for t in sup.get(T).json()["templates"])


def test_templates_are_versioned_and_markup_is_kept_as_inert_text(headoffice: HeadOffice) -> None:
    sup = headoffice.client(headoffice.token("super01"))
    agent = headoffice.client(headoffice.token("agent01"))
    assert agent.get(T).status_code == 403
    assert put(agent, {"code": "x", "body": "hi"}).status_code == 403
    inert = {
        "html": "<script>alert(1)</script><b>{name}</b>",
        "markup": '<font name="Courier" size="40"><para>{name}</para></font>',
        "formula": '=HYPERLINK("http://evil.example","{case_no}")',
        "emoji": "您好{name} 😀👍🏻 请尽快处理",
        "mixed": "Dear {name}，您的 case {case_no} is overdue {overdue_yuan} 元.",
    }
    r = put(sup, *[{"code": f"inert_{k}", "body": v, "lang": "zh"} for k, v in inert.items()], settings=SETTINGS)
    assert r.status_code == 200, r.text
    assert sorted(r.json()["changed"]) == sorted(f"inert_{k}" for k in inert)
    stored = {t["code"]: t for t in sup.get(T).json()["templates"]}
    for k, v in inert.items():
        assert stored[f"inert_{k}"]["body"] == v and stored[f"inert_{k}"]["version"] == 1
    assert sup.get(T).json()["settings"] == SETTINGS
    again = put(sup, {"code": "inert_html", "body": inert["html"]})
    assert again.json()["changed"] == []  # unchanged: no new version
    changed = put(sup, {"code": "inert_html", "body": "{name}您好"})
    assert changed.json()["changed"] == ["inert_html"]
    assert {t["code"]: t["version"] for t in changed.json()["templates"]}["inert_html"] == 2
    names = [f["name"] for f in changed.json()["merge_fields"]]
    assert "name" in names and not any("id" in n and "number" in n for n in names)


def _sms_case(db_url: str, agent: str) -> int:
    db = Database(db_url)
    try:
        with db.write() as s:
            agent_id = s.scalar(select(User.id).where(User.username == agent))
            case = s.scalars(select(Case).where(Case.agent_id == agent_id, Case.status == "open")
                             .order_by(Case.id)).first()
            assert case is not None
            s.add(LadderAction(case_id=case.id, level="sms_1", action="sms", template="remind_1",
                               run_on=date(2026, 12, 4), state="pending", created_at=datetime.now(UTC)))
            return case.id
    finally:
        db.dispose()


def _message(db_url: str, case_id: int) -> SmsMessage | None:
    db = Database(db_url)
    try:
        with db.read() as s:
            return s.scalars(select(SmsMessage).where(SmsMessage.case_id == case_id,
                                                      SmsMessage.state != "skipped")).first()
    finally:
        db.dispose()


def _receipt(ho: HeadOffice, body: dict[str, Any] | bytes, secret: str = SECRET) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(ho.api + "/sms/receipts", content=raw, timeout=30,
                      headers={"Content-Type": "application/json", "X-Doorstep-Signature": sign(secret, raw)})


def test_serve_sends_the_reminder_and_takes_the_gateways_receipts(backend: str, headoffice_server: Any) -> None:
    with FakeGateway(keep_alive=True) as gw:
        ho: HeadOffice = headoffice_server(db=backend, login_rate=0, sweep_interval=0.2, sms_gateway=gw.url,
                                           sms_signature="某某金融", sms_receipt_secret=SECRET)
        httpx.post(ho.api + "/_faults/clock", json={"now": local(2026, 12, 4, 10, 0).isoformat()},
                   timeout=10).raise_for_status()
        sup = ho.client(ho.token("super01"))
        assert put(sup, {"code": "remind_1", "body": REMIND}, settings=SETTINGS).status_code == 200
        laptop = ho.client(ho.token("agent01"))
        _changes, cursor = pull_all(laptop)
        case_id = _sms_case(ho.db_url, "agent01")
        gw.wait_for(1, timeout=60)
        _headers, body, _raw = gw.requests[0]
        assert body["content"].startswith("【某某金融】") and "先生/女士" in body["content"]
        m = wait_until(lambda: (x := _message(ho.db_url, case_id)) is not None and x.state == "sent" and x,
                       timeout=30, what="the message recorded as sent")
        assert isinstance(m, SmsMessage) and body["message_id"] == f"doorstep-sms-{m.id}" and m.provider_ref == "gw-1"

        good = {"message_id": f"doorstep-sms-{m.id}", "status": "delivered", "at": "2026-12-04T10:00:05+08:00"}
        r = _receipt(ho, good)
        assert r.status_code == 200, r.text
        assert r.json() == {"message_id": f"doorstep-sms-{m.id}", "state": "delivered", "duplicate": False,
                            "stale": False}
        assert _receipt(ho, good).json()["duplicate"] is True  # a replay changes nothing
        older = {"id": "gw-1", "status": "undelivered", "at": "2026-12-04T10:00:01+08:00"}
        assert _receipt(ho, older).json()["stale"] is True
        raw = json.dumps(good).encode()
        bad = httpx.post(ho.api + "/sms/receipts", content=raw, timeout=30,
                         headers={"X-Doorstep-Signature": sign("another-secret", raw)})
        assert bad.status_code == 401 and bad.json()["error"] == "bad_signature"
        unsigned = httpx.post(ho.api + "/sms/receipts", content=raw, timeout=30)
        assert unsigned.status_code == 401
        assert _receipt(ho, {"message_id": "doorstep-sms-999999", "status": "delivered"}).status_code == 404
        assert _receipt(ho, {"id": "no-such-ref", "status": "delivered"}).status_code == 404
        for malformed in (b"{not json", b"[1]", json.dumps({"message_id": "doorstep-sms-1", "status": "eaten"}).encode(),
                          json.dumps({"message_id": "42", "status": "delivered"}).encode(),
                          json.dumps({"id": "gw-1", "status": "delivered", "at": "2026-12-04T10:00:00"}).encode()):
            r = _receipt(ho, malformed)
            assert r.status_code == 422 and r.json()["error"] == "invalid_receipt", (malformed, r.text)

        more, _ = pull_all(laptop, cursor)
        (case,) = [c["case"] for c in more if c["kind"] == "case_upsert" and c["case"]["id"] == case_id][-1:]
        states = [t["data"]["state"] for t in case["ladder"] if t["kind"] == "sms"]
        assert states == ["queued", "sent", "delivered"]
        assert all("*" in t["data"]["number"] for t in case["ladder"])
        assert len(gw.requests) == 1


def test_receipts_are_refused_without_a_secret(headoffice: HeadOffice) -> None:
    raw = b'{"message_id": "doorstep-sms-1", "status": "delivered"}'
    r = httpx.post(headoffice.api + "/sms/receipts", content=raw, timeout=30,
                   headers={"X-Doorstep-Signature": sign("", raw)})
    assert r.status_code == 403 and r.json()["error"] == "receipts_disabled"
