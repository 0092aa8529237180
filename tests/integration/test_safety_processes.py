"""Safety work done by the background threads of real `serve` processes:

* TWO API processes over one PostgreSQL database, both sweeping every 0.2 s: sessions made due at
  once each raise their alarm exactly once, and each message is one row;
* a failing SMS channel: the local fake gateway (tests/fake_gateway.py) stands in for the client's
  licensed SMS channel, which is outside the project; it refuses the first requests, then accepts,
  and the board shows the delivery failed, then sent, with its attempts counted.

The safety clock is set through the test-only fault hook (kept in the database, shared by both
processes); waits poll the board or the database with a deadline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.fake_gateway import FakeGateway

from .conftest import HeadOffice
from .safety_helpers import AGENTS, T0
from .sync_server import wait_until
from .test_safety_api import S, Live


@pytest.mark.postgres
def test_two_processes_over_one_postgresql_raise_each_alarm_exactly_once(headoffice_server: Any) -> None:
    first = headoffice_server(db="postgres", login_rate=0, sweep_interval=0.2)
    second = HeadOffice(first.db_url, dict(first.options), first.log_path.with_suffix(".second.log"),
                        dict(first.accounts))
    headoffice_server.servers.append(second)
    second.start()
    live = Live(first)
    sup_id = live.sql("SELECT id FROM users WHERE username = 'super01'")[0][0]
    r = live("super01").put(S + "/policy", json={"contacts": [sup_id], "nearby_km": 0})
    assert r.status_code == 200, r.text
    live.clock(T0)
    for name in AGENTS:
        live.pins(name)
        live.open(name, planned=15)
    live.clock(T0 + timedelta(minutes=26))  # every session past due and grace at once

    def alarms(level: str) -> list[dict[str, Any]]:
        return [a for a in live.board()["alarms"] if a["level"] == level]

    wait_until(lambda: len(alarms("amber")) == len(AGENTS), timeout=60, what="six amber alarms")
    live.clock(T0 + timedelta(minutes=37))  # ten minutes unacknowledged: red
    wait_until(lambda: len(alarms("red")) == len(AGENTS) and all(a["red_step"] == 1 for a in alarms("red")),
               timeout=60, what="six red alarms at their first contact step")
    assert live.sql("SELECT count(*), count(DISTINCT session_id) FROM safety_alarms") == [(6, 6)]
    # each agent's reminder, then per alarm: the partner and the supervisor (amber), the supervisor
    # (red) and the first contact
    assert live.sql("SELECT kind, count(*) FROM notifications GROUP BY kind ORDER BY kind") == [
        ("alarm", 6 * 4), ("reminder", 6)]
    assert live.sql("SELECT action, count(*) FROM safety_log WHERE action IN ('reminder', 'alarm_raised', "
                    "'alarm_red', 'red_step') GROUP BY action ORDER BY action") == [
        ("alarm_raised", 6), ("alarm_red", 6), ("red_step", 6), ("reminder", 6)]
    assert second.proc is not None and second.proc.poll() is None


def test_a_failing_sms_channel_is_retried_with_backoff_and_the_board_shows_it(headoffice_server: Any) -> None:
    with FakeGateway() as gateway:
        live = Live(headoffice_server(login_rate=0, sweep_interval=0.2, sms_gateway=gateway.url,
                                      sms_signature="平安外访"))
        live.clock(T0)
        live.pins("agent01")
        gateway.fail_next(2, status=503)
        assert live("agent01").post(S + "/sos", json={"case_id": live.case_of("agent01")}).status_code == 200

        def sms() -> dict[str, Any]:
            (alarm,) = live.board()["alarms"]
            (row,) = [d for d in alarm["deliveries"] if d["channel"] == "sms"]
            return dict(row)

        wait_until(lambda: sms()["attempts"] == 1, timeout=30, what="the first attempt")
        first = sms()
        assert first["state"] == "failed" and first["next_attempt_at"] is not None and first["recipient_name"] == "周志红"
        assert "503" in (first["last_error"] or "")
        live.clock(advance=10)  # past the first back-off (5 s and a little)
        wait_until(lambda: sms()["attempts"] == 2, timeout=30, what="the second attempt")
        assert sms()["state"] == "failed"
        live.clock(advance=30)
        wait_until(lambda: sms()["state"] == "sent", timeout=30, what="the third attempt going through")
        assert sms()["attempts"] == 3 and sms()["last_error"] is None and sms()["next_attempt_at"] is None
        assert len(gateway.requests) == 3
        keys = {headers["idempotency-key"] for headers, _body, _raw in gateway.requests}
        assert keys == {f"doorstep-{first['id']}"}  # one message, tried three times
        body = gateway.requests[-1][1]
        assert body["content"].startswith("【平安外访】红色警报：张建军 紧急求助 SOS")
        assert body["mobile"].startswith("+861") and "¥" not in body["content"]
        # the window rows were delivered at once and never went to the gateway
        (alarm,) = live.board()["alarms"]
        assert {d["state"] for d in alarm["deliveries"] if d["channel"] == "window"} == {"delivered"}
