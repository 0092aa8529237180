"""The pure rules of SMS reminders: merge fields (a closed set; unknown or malformed ones refused with
the place), the checks a template passes at save time, the merge (values made inert), the contact
window and caps in the debtor's zone (edges, a DST change, a window across midnight), and the
receipt's signature and shape."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.domain.compliance import ContactWindow
from app.domain.enums import ActKind
from headoffice.sms.fields import (
    FIELDS,
    MAX_BODY,
    CaseFacts,
    TemplateError,
    check_body,
    check_settings,
    merge,
    parse_template,
    salutation,
    values_for,
)
from headoffice.sms.receipts import ReceiptError, parse, sign, verify
from headoffice.sms.slots import Caps, Counts, first_slot, next_open

SH, NY = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
CN_WINDOW = ContactWindow(time(8, 0), time(22, 0), frozenset({ActKind.SMS}))


@pytest.mark.parametrize(("body", "rule", "words"), [
    ("{id_number}", "merge_field", "unknown merge field {id_number}"),
    ("{debtor.id_number}", "merge_field", "unknown merge field"),
    ("{name[0]}", "merge_field", "unknown merge field"),
    ("{0}", "merge_field", "unknown merge field {0}"),
    ("{}", "merge_field", "an empty merge field"),
    ("{name!s}", "merge_field", "without : or !"),
    ("{overdue_yuan:,.2f}", "merge_field", "without : or !"),
    ("您好 {name", "merge_field", "at character 4 that is not closed"),
    ("您好 name}", "merge_field", "a lone } at character 8"),
    ("【催收中心】{name}", "brackets", "signature"),
    ("", "text", "empty"),
    ("   ", "text", "empty"),
    ("a\x1b[31mb", "text", "control character"),
    ("a\ud800", "text", "lone surrogate"),
    ("x" * 10_000, "length", "longer than 462 characters (10,000)"),
    ("{company}" * 12, "length", "at its longest the message is 480"),
    ("你这个骗子", "wording", "insult"),
    ("三天内不还款将被刑事拘留", "wording", "false_legal_claim"),
    ("{name}, you will regret this", "wording", "threat"),
    ("坐 * 牢", "wording", "false_legal_claim"),
])
def test_a_template_is_refused_with_the_rule(body: str, rule: str, words: str) -> None:
    with pytest.raises(TemplateError) as exc:
        check_body(body)
    assert exc.value.rule == rule and words in exc.value.detail, exc.value.detail
    assert body not in exc.value.detail or len(body) < 20


@pytest.mark.parametrize("body", [
    "<script>alert('x')</script>{name}",
    '<para><font name="Helvetica" size="99">{name}</font></para>',
    "=cmd|' /C calc'!A0 {case_no}",
    "+1+1 @SUM(A1) -2 {overdue_yuan}",
    "您好😀👨‍👩‍👧 {name}",
    "Dear {name}，case {case_no} 逾期 {days_past_due} days. {{ literal }}",
])
def test_markup_formulas_emoji_and_mixed_text_are_plain_text(body: str) -> None:
    parsed = check_body(body)
    facts = CaseFacts("王伟", "DS-1", 100, 3, date(2026, 12, 4))
    values = values_for(facts, {})
    expected = body.replace("{{", "\x01").replace("}}", "\x02")
    for name, value in values.items():
        expected = expected.replace("{" + name + "}", value)
    assert merge(parsed, values) == expected.replace("\x01", "{").replace("\x02", "}")  # as written, nothing run


def test_the_longest_message_counts_every_field_at_its_limit() -> None:
    body = "".join("{" + f + "}" for f in FIELDS)
    assert check_body(body).longest() == sum(FIELDS.values()) <= MAX_BODY


def test_merged_values_are_inert_and_never_the_id_number() -> None:
    facts = CaseFacts("王\n伟【x】\x00", "DS-【9】\u202e", -5, -3, date(2026, 12, 4))
    values = values_for(facts, {"hotline": "400\n800", "company": "A" * 500})
    assert values["name"] == "王先生/女士"
    assert values["case_no"] == "DS-[9]" and values["hotline"] == "400 800" and len(values["company"]) == 40
    assert values["overdue_yuan"] == "-0.05" and values["days_past_due"] == "0" and values["due_date"] == "2026-12-04"
    assert set(values) == set(FIELDS) and not any("id" in k for k in values)


@pytest.mark.parametrize(("name", "shown"), [("王伟", "王先生/女士"), ("欧阳娜娜", "欧阳先生/女士"), ("诸葛亮", "诸葛先生/女士"),
                                            ("Zhang Wei", "Zhang Wei"), ("  ", "客户"), ("A" * 50, "A" * 20)])
def test_salutation(name: str, shown: str) -> None:
    assert salutation(name) == shown


def test_settings_are_checked_like_templates() -> None:
    assert check_settings({"hotline": " 400-800-1234 "}) == {"hotline": "400-800-1234"}
    for bad, rule in (({"ceo": "x"}, "merge_field"), ({"hotline": "x" * 33}, "length"), ({"company": "【A】"}, "brackets"),
                      ({"pay_channels": "老赖专用通道"}, "wording"), ({"company": 5}, "text")):
        with pytest.raises(TemplateError) as exc:
            check_settings(bad)
        assert exc.value.rule == rule


def test_parse_keeps_literal_braces() -> None:
    assert merge(parse_template("{{x}} {name}"), {"name": "N"}) == "{x} N"


@pytest.mark.parametrize(("at", "expected"), [
    (datetime(2026, 12, 4, 21, 59, tzinfo=SH), datetime(2026, 12, 4, 21, 59, tzinfo=SH)),
    (datetime(2026, 12, 4, 21, 59, 59, tzinfo=SH), datetime(2026, 12, 4, 21, 59, 59, tzinfo=SH)),
    (datetime(2026, 12, 4, 22, 0, tzinfo=SH), datetime(2026, 12, 5, 8, 0, tzinfo=SH)),
    (datetime(2026, 12, 4, 23, 59, tzinfo=SH), datetime(2026, 12, 5, 8, 0, tzinfo=SH)),
    (datetime(2026, 12, 5, 0, 0, tzinfo=SH), datetime(2026, 12, 5, 8, 0, tzinfo=SH)),
    (datetime(2026, 12, 5, 7, 59, 59, tzinfo=SH), datetime(2026, 12, 5, 8, 0, tzinfo=SH)),
    (datetime(2026, 12, 5, 8, 0, tzinfo=SH), datetime(2026, 12, 5, 8, 0, tzinfo=SH)),
])
def test_the_window_edges(at: datetime, expected: datetime) -> None:
    assert next_open(at, SH, CN_WINDOW) == expected


def test_a_dst_change_in_the_debtors_zone() -> None:
    """New York leaves DST on 2026-11-01: 08:00 that morning is 13:00 UTC, the morning before 12:00."""
    window = ContactWindow(time(8, 0), time(21, 0), frozenset({ActKind.SMS}))
    assert next_open(datetime(2026, 10, 31, 1, 30, tzinfo=UTC), NY, window) == datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    assert next_open(datetime(2026, 11, 1, 1, 30, tzinfo=UTC), NY, window) == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)


def test_a_window_across_midnight_and_no_window() -> None:
    night = ContactWindow(time(20, 0), time(2, 0), frozenset({ActKind.SMS}))
    assert next_open(datetime(2026, 12, 4, 1, 0, tzinfo=SH), SH, night) == datetime(2026, 12, 4, 1, 0, tzinfo=SH)
    assert next_open(datetime(2026, 12, 4, 3, 0, tzinfo=SH), SH, night) == datetime(2026, 12, 4, 20, 0, tzinfo=SH)
    assert next_open(datetime(2026, 12, 4, 23, 0, tzinfo=SH), SH, None) == datetime(2026, 12, 4, 23, 0, tzinfo=SH)


def test_caps_move_to_the_next_day_and_the_next_week() -> None:
    caps = Caps(per_day=2, per_week=5)
    counts = Counts()
    friday_10 = datetime(2026, 12, 4, 10, 0, tzinfo=SH)
    got = []
    for _ in range(8):
        slot = first_slot(friday_10, SH, CN_WINDOW, caps, counts)
        assert slot is not None
        counts.add(slot.astimezone(SH).date())
        got.append(slot.astimezone(SH).strftime("%a %H:%M"))
    assert got == ["Fri 10:00", "Fri 10:00", "Sat 08:00", "Sat 08:00", "Sun 08:00", "Mon 08:00", "Mon 08:00",
                   "Tue 08:00"]
    assert first_slot(friday_10, SH, CN_WINDOW, Caps(per_day=0), Counts()) is None  # a cap of 0: never


def test_receipt_signature_and_shape() -> None:
    body = b'{"message_id": "doorstep-sms-42", "status": "Delivered", "at": "2026-12-04T10:00:00+08:00"}'
    assert verify("k", body, sign("k", body)) and verify("k", body, sign("k", body)[7:])
    assert not verify("k", body, sign("k2", body)) and not verify("k", body, None)
    assert not verify("k", body + b" ", sign("k", body)) and not verify("k", body, "sha256=é")
    r = parse(body)
    assert (r.message_id, r.status, r.at) == (42, "delivered", datetime(2026, 12, 4, 2, 0, tzinfo=UTC))
    for bad in (b"", b"null", b'{"status": "delivered"}', b'{"message_id": "doorstep-42", "status": "delivered"}',
                b'{"message_id": "doorstep-sms-\xd9\xa3", "status": "delivered"}',
                b'{"message_id": "doorstep-sms-99999999999", "status": "delivered"}',
                b'{"id": "x", "status": "read"}', b'{"id": "x", "status": "delivered", "at": "yesterday"}',
                b'{"id": "x", "status": "delivered", "extra": 1}', b'{"id": 5, "status": "delivered"}',
                b"[" * 5000 + b"]" * 5000, b"\xff\xfe"):
        with pytest.raises(ReceiptError):
            parse(bad)
