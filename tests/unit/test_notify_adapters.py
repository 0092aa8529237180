"""Head office's notification adapters against a local fake SMS gateway / webhook receiver
(tests/fake_gateway.py: the real receivers are outside the project)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from headoffice.notify import DeliveryError, Message, SmsGateway, Webhook, adapters_from, next_attempt
from headoffice.notify.schedule import MAX_ATTEMPTS, wait_seconds
from headoffice.notify.sms import MAX_CHARS, e164, sms_content
from tests.fake_gateway import FakeGateway

MSG = Message(id=42, channel="sms", recipient_name="王芳 Fang", phone="13800138000", title="Red alarm",
              text="红色警报: agent 李雷 at 成都市武侯区【测试】路1号 <b>", data={"alarm_id": 7, "level": "red"})


def test_sms_goes_out_with_the_signature_in_front_and_no_brackets_in_the_body() -> None:
    with FakeGateway() as gw:
        ref = SmsGateway(gw.url, "平安催收", token="t0k").send(MSG)
        assert ref == "gw-1"
        headers, body, _raw = gw.requests[0]
    assert body["mobile"] == "+8613800138000"
    assert body["content"].startswith("【平安催收】")
    assert body["content"].count("【") == 1 and body["content"].count("】") == 1
    assert "[测试]" in body["content"] and "<b>" in body["content"]  # text, not markup: sent as written
    assert headers["authorization"] == "Bearer t0k"
    assert headers["idempotency-key"] == body["message_id"] == "doorstep-42"


def test_a_retry_of_one_message_carries_the_same_idempotency_key() -> None:
    with FakeGateway() as gw:
        gw.fail_next(1, status=503)
        adapter = SmsGateway(gw.url, "Doorstep")
        with pytest.raises(DeliveryError) as failed:
            adapter.send(MSG)
        assert failed.value.retryable
        adapter.send(MSG)
        keys = [h["idempotency-key"] for h, _b, _r in gw.requests]
    assert keys == ["doorstep-42", "doorstep-42"]


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (502, True), (429, True), (408, True),
                                                   (400, False), (401, False), (403, False), (422, False)])
def test_which_failures_are_worth_another_attempt(status: int, retryable: bool) -> None:
    with FakeGateway() as gw:
        gw.fail_next(1, status=status)
        with pytest.raises(DeliveryError) as failed:
            SmsGateway(gw.url, "Doorstep").send(MSG)
    assert failed.value.retryable is retryable
    assert str(status) in str(failed.value)


def test_an_unreachable_gateway_is_a_retryable_failure() -> None:
    with FakeGateway() as gw:
        url = gw.url
    with pytest.raises(DeliveryError) as failed:
        SmsGateway(url, "Doorstep", timeout=2.0).send(MSG)
    assert failed.value.retryable


@pytest.mark.parametrize("phone", [None, "", "12345", "not a number", "+86 138 0013 800099999"])
def test_a_number_that_is_not_a_mobile_number_is_refused_before_sending(phone: str | None) -> None:
    with FakeGateway() as gw:
        with pytest.raises(DeliveryError) as failed:
            SmsGateway(gw.url, "Doorstep").send(Message(1, "sms", "x", phone, "t", "text"))
        assert gw.requests == []
    assert not failed.value.retryable


def test_numbers_are_sent_as_e164() -> None:
    assert e164("138 0013 8000") == "+8613800138000"
    assert e164("+852 6123 4567") == "+85261234567"


@pytest.mark.parametrize("signature", ["", "x", "【Doorstep】", "a" * 17, "bad\nsig"])
def test_a_signature_the_channel_would_misread_is_refused(signature: str) -> None:
    with pytest.raises(ValueError):
        SmsGateway("http://127.0.0.1:1/sms", signature)


def test_long_and_hostile_text_is_cut_and_cleaned_not_refused() -> None:
    content = sms_content("Doorstep", "=HYPERLINK(\"x\")\u202e\x07 " + "长" * 2000 + " 🙂")
    assert len(content) == MAX_CHARS and content.endswith("…")
    assert "\u202e" not in content and "\x07" not in content
    assert content.startswith("【Doorstep】=HYPERLINK")


def test_the_webhook_is_signed_over_the_exact_body() -> None:
    with FakeGateway("/hook") as gw:
        Webhook(gw.url, secret="s3cret").send(MSG)
        headers, body, raw = gw.requests[0]
    expected = "sha256=" + hmac.new(b"s3cret", raw, hashlib.sha256).hexdigest()
    assert headers["x-doorstep-signature"] == expected
    assert headers["x-doorstep-delivery"] == "42"
    assert body["data"] == {"alarm_id": 7, "level": "red"} and json.loads(raw)["text"] == MSG.text


def test_the_webhook_refusal_and_failure_are_told_apart() -> None:
    with FakeGateway("/hook") as gw:
        gw.fail_next(1, 503)
        gw.fail_next(1, 404)
        hook = Webhook(gw.url)
        with pytest.raises(DeliveryError) as first:
            hook.send(MSG)
        with pytest.raises(DeliveryError) as second:
            hook.send(MSG)
    assert first.value.retryable and not second.value.retryable


def test_back_off_doubles_then_gives_up() -> None:
    now = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    waits = [wait_seconds(n, key=9) for n in range(1, MAX_ATTEMPTS)]
    assert 5.0 <= waits[0] <= 6.0
    assert all(b >= a for a, b in zip(waits, waits[1:], strict=False))
    assert max(waits) <= 300 * 1.2
    assert next_attempt(1, now, key=9) == now + timedelta(seconds=waits[0])
    assert next_attempt(MAX_ATTEMPTS, now) is None
    assert wait_seconds(3, key=1) == wait_seconds(3, key=1)  # two processes agree on a row's next attempt


def test_adapters_from_configuration() -> None:
    assert adapters_from(None, "Doorstep", None, None, None) == {}
    both = adapters_from("http://127.0.0.1:1/sms", "Doorstep", None, "http://127.0.0.1:1/hook", "k")
    assert set(both) == {"sms", "webhook"}
    with pytest.raises(ValueError):
        adapters_from("ftp://x", "Doorstep", None, None, None)
