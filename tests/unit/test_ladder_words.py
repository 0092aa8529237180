"""The escalation ladder in the laptop's words (app.services.ladder_words): every trail kind and every visit
trigger, in English and Chinese, from head office's structured data; hostile text stays inert plain text."""

from __future__ import annotations

import pytest

from app.services.ladder_words import (
    day_text,
    lang_of,
    plain,
    trail_detail,
    trail_line,
    trail_title,
    why_line,
)

ZONE = "Asia/Shanghai"
REPEATED = {"trigger": "repeated_delinquency", "detected_on": "2026-12-01", "thresholds": {"broken_promises": 2},
            "facts": [{"kind": "broken_promise", "due": "2026-11-03", "amount_fen": 30000},
                      {"kind": "broken_promise", "due": "2026-10-01", "amount_fen": 50000}]}


def test_why_this_door_for_repeated_delinquency_in_both_languages() -> None:
    assert why_line(REPEATED, "field_visit", None, "en") == \
        "Why this door: repeated delinquency — 2 broken promises (1 Oct, 3 Nov)"
    assert why_line(REPEATED, "field_visit", None, "zh") == "到访原因：多次逾期 — 2 次承诺未兑现（10月1日、11月3日）"
    episodes = {"trigger": "repeated_delinquency", "detected_on": "2026-12-01",
                "thresholds": {"episodes": 3, "episodes_months": 12},
                "facts": [{"kind": "episode", "started_on": d} for d in ("2025-12-20", "2026-04-02", "2026-09-15")]}
    assert why_line(episodes, "field_visit", None, "en") == \
        "Why this door: repeated delinquency — 3 delinquency episodes in 12 months (20 Dec 2025, 2 Apr, 15 Sep)"
    assert why_line(episodes, "field_visit", None, "zh") == \
        "到访原因：多次逾期 — 12 个月内逾期 3 次（2025年12月20日、4月2日、9月15日）"


def test_why_this_door_for_evading_contact_and_serious_default() -> None:
    evading = {"trigger": "evading_contact", "detected_on": "2026-12-01",
               "thresholds": {"unanswered_attempts": 6, "attempt_days": 14},
               "facts": [{"kind": "attempt", "at": f"2026-11-{d:02d}T02:00:00Z", "channel": "phone",
                          "outcome": "no_answer"} for d in (18, 20, 22, 25, 27, 30)]
               + [{"kind": "dead_number", "number": "138****8000"}, {"kind": "dead_number", "number": "139****1234"}]}
    assert why_line(evading, "field_visit", None, "en") == ("Why this door: evading contact — 6 unanswered attempts "
                                                           "over 14 days; numbers dead: 138****8000, 139****1234")
    assert why_line(evading, "field_visit", None, "zh") == \
        "到访原因：逃避联系 — 14 天内 6 次联系未果；号码已失效：138****8000、139****1234"
    no_window = {**evading, "thresholds": {}, "facts": evading["facts"][:2]}  # the span of the attempts
    assert "2 unanswered attempts over 3 days" in (why_line(no_window, "field_visit", None, "en") or "")
    serious = {"trigger": "serious_default", "detected_on": "2026-12-01",
               "facts": [{"kind": "document", "sha256": "b" * 64, "note": "房产已过户给亲属",
                          "finding": "asset_transfer"}]}
    assert why_line(serious, "field_visit", None, "en") == \
        "Why this door: serious default — asset transfer (房产已过户给亲属); a document is on file"
    assert why_line(serious, "field_visit", None, "zh") == "到访原因：严重违约 — 转移资产（房产已过户给亲属）；已有证明文件存档"
    forged = {"trigger": "serious_default", "facts": [{"kind": "document", "finding": "forged_signature"}]}
    assert why_line(forged, "legal_action", None, "zh") == "到访原因：严重违约 — 伪造签名；已有证明文件存档"


def test_a_visit_without_a_trigger_says_so_plainly() -> None:
    assert why_line(None, "field_visit", None, "en") == (
        "Why this door: no visit trigger is on record — this case reached the field-visit level before head "
        "office recorded why (older data)")
    assert why_line(None, "field_visit", None, "zh") == \
        "到访原因：无外访触发记录 — 该案件在总部记录触发原因之前已进入外访阶段（旧数据）"
    assert why_line(None, "field_visit", "evading_contact", "en") == (
        "Why this door: evading contact — as recorded when the case came in; head office has sent no evidence "
        "for it")
    assert why_line(None, "field_visit", "evading_contact", "zh") == \
        "到访原因：逃避联系 — 案件导入时记录，总部未提供相关证据"
    assert why_line(None, "reminder", None, "en") is None  # not at a door: no line
    assert why_line(None, "legal_letter", "repeated_delinquency", "zh") is None


def test_sms_items_in_every_state() -> None:
    base = {"template": "remind_1", "number": "138****8000", "scheduled_at": "2026-12-01T01:00:00Z",
            "text": "您好，请尽快还款。"}
    assert trail_line("sms", {**base, "state": "sent"}, "en", ZONE) == "SMS reminder sent to 138****8000 (remind_1)"
    assert trail_line("sms", {**base, "state": "sent"}, "zh", ZONE) == "已向 138****8000 发送短信提醒（remind_1）"
    assert trail_line("sms", {**base, "state": "delivered"}, "en") == \
        "SMS reminder delivered to 138****8000 (remind_1)"
    assert trail_line("sms", {**base, "state": "queued"}, "en", ZONE) == \
        "SMS reminder to 138****8000 queued for 2026-12-01 09:00 (remind_1)"
    assert trail_line("sms", {**base, "state": "queued"}, "zh", ZONE) == \
        "发往 138****8000 的短信提醒已排队，预定 2026-12-01 09:00 发送（remind_1）"
    assert trail_line("sms", {**base, "state": "failed"}, "zh") == "发往 138****8000 的短信提醒发送失败（remind_1）"
    assert trail_line("sms", {**base, "state": "undelivered"}, "en") == \
        "SMS reminder to 138****8000 was not delivered (remind_1)"
    assert trail_line("sms", {**base, "state": "skipped", "why": "quiet hours"}, "en") == \
        "SMS reminder to 138****8000 not sent (remind_1): quiet hours"
    assert trail_title("sms", {"state": "delivered"}, "en") == "SMS reminder · delivered"
    assert trail_title("sms", {"state": "undelivered"}, "zh") == "短信提醒 · 未送达"
    detail = trail_detail("sms", {**base, "state": "sent"}, "en", ZONE)
    assert detail == ("SMS reminder sent to 138****8000 (remind_1) · text: “您好，请尽快还款。” · "
                      "planned for 2026-12-01 09:00")
    assert trail_detail("sms", {**base, "state": "sent"}, "zh", ZONE).endswith("计划发送时间 2026-12-01 09:00")


def test_a_whole_number_is_masked_on_the_laptop_too() -> None:
    line = trail_line("sms", {"state": "sent", "template": "remind_1", "number": "+8613812348000"}, "en")
    assert line == "SMS reminder sent to 138****8000 (remind_1)" and "13812348000" not in line


def test_letters_levels_holds_and_releases() -> None:
    letter = {"state": "made", "firm": "四川某某律师事务所", "code": "ABCD-EFGH", "deadline": "2026-12-15"}
    assert trail_line("letter", letter, "en") == \
        "Lawyer's letter made by 四川某某律师事务所 — code ABCD-EFGH, deadline 15 Dec 2026"
    assert trail_line("letter", letter, "zh") == "四川某某律师事务所出具律师函 — 验证码 ABCD-EFGH，还款期限 2026年12月15日"
    mailed = {**letter, "state": "mailed", "tracking_no": "SF1234567890", "deadline": None}
    assert trail_line("letter", mailed, "en") == \
        "Lawyer's letter from 四川某某律师事务所 mailed — code ABCD-EFGH, tracking no. SF1234567890"
    assert trail_line("letter", {**letter, "state": "returned", "deadline": None}, "zh") == \
        "四川某某律师事务所律师函被退回 — 验证码 ABCD-EFGH"
    assert trail_title("letter", letter, "zh") == "律师函 · 已出具"

    level = {"from": "letter", "to": "visit", "stage": "field_visit", "via": "run",
             "rule": {"kind": "days_past_due", "value": 47, "threshold": 45}}
    assert trail_line("level", {**level, "from": None}, "en") == "Moved to level visit (days past due ≥ 45)"
    assert trail_line("level", level, "en") == "Moved from level letter to level visit (days past due ≥ 45)"
    assert trail_line("level", {**level, "from": None}, "zh") == "移至级别 visit（逾期天数 ≥ 45）"
    moved = {"from": "sms_2", "to": "letter", "stage": "legal_letter", "via": "api", "rule": None,
             "reason": "债务人要求书面通知"}
    assert trail_line("level", moved, "en") == \
        "Moved from level sms_2 to level letter by head office: 债务人要求书面通知"
    assert trail_line("level", moved, "zh") == "总部将案件由级别 sms_2 移至级别 letter：债务人要求书面通知"
    assert trail_title("level", level, "en") == "Ladder: field visit"
    assert trail_title("level", level, "zh") == "催收阶梯：外访"

    hold = {"reason": "debtor in hospital", "by": "张主管", "level_then": "sms_2"}
    assert trail_line("hold", hold, "en") == "Held at level sms_2 by 张主管: debtor in hospital"
    assert trail_line("hold", hold, "zh") == "张主管将案件暂停在级别 sms_2：debtor in hospital"
    assert trail_line("release", {"reason": "出院", "by": "张主管", "level_then": "sms_2"}, "en") == \
        "Hold at level sms_2 released by 张主管: 出院"
    assert trail_line("hold", {"reason": "", "by": ""}, "en") == "Held at its level by head office"
    trigger = {"trigger": "repeated_delinquency", "facts": REPEATED["facts"]}
    assert trail_line("trigger", trigger, "en") == "Repeated delinquency — 2 broken promises (1 Oct 2026, 3 Nov 2026)"
    assert trail_title("trigger", trigger, "zh") == "外访触发"


def test_unknown_codes_show_as_themselves() -> None:
    assert trail_title("sms", {"state": "bounced"}, "en") == "SMS reminder · bounced"
    assert trail_line("level", {"to": "visit", "rule": {"kind": "new_rule", "threshold": 3}}, "en") == \
        "Moved to level visit (new_rule ≥ 3)"
    assert why_line({"trigger": "new_trigger", "facts": []}, "field_visit", None, "en") == "Why this door: new_trigger"
    assert trail_line("letter", {"state": "made", "deadline": "not a date"}, "en") == \
        "Lawyer's letter made by a law firm — deadline not a date"


HOSTILE = ["<b>bold</b><script>alert(1)</script>", "<img src=http://example.invalid/x.png>", "=cmd|' /C calc'!A0",
           "line\nbreak\r\n\u2028end", "\u202eevil\u202c", "x" * 10_000, "🙂👨‍👩‍👧 mixed 中文 English", "{firm}{code}"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_from_head_office_stays_one_plain_line(hostile: str, lang: str) -> None:
    lines = [
        trail_detail("sms", {"state": hostile, "template": hostile, "number": hostile, "text": hostile,
                             "why": hostile, "scheduled_at": hostile}, lang, ZONE),
        trail_line("letter", {"state": "made", "firm": hostile, "code": hostile, "deadline": hostile,
                              "tracking_no": hostile}, lang),
        trail_line("level", {"from": hostile, "to": hostile, "stage": hostile, "via": "api", "reason": hostile,
                             "rule": {"kind": hostile, "threshold": hostile}}, lang),
        trail_line("hold", {"reason": hostile, "by": hostile, "level_then": hostile}, lang),
        trail_title("level", {"stage": hostile}, lang),
        why_line({"trigger": hostile, "facts": [{"kind": "document", "note": hostile, "finding": hostile}]},
                 "field_visit", None, lang) or "",
        why_line({"trigger": "serious_default", "facts": [{"kind": "document", "note": hostile,
                                                           "finding": "other"}]}, "field_visit", None, lang) or "",
    ]
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\u2028" not in line and "\u202e" not in line
        assert len(line) < 2_500  # every value is clipped
        if hostile.startswith("<"):
            assert hostile[:20] in line  # the text is there as it is: shown as plain text, never read as markup
    if hostile == "{firm}{code}":  # a value is never filled in again
        assert trail_line("letter", {"state": "made", "firm": hostile, "code": "C"}, "en") == \
            "Lawyer's letter made by {firm}{code} — code C"


def test_plain_clips_and_keeps_emoji() -> None:
    assert plain("a\tb\n\nc") == "a b c"
    assert plain("x" * 100, 10) == "x" * 9 + "…"
    assert plain("👨‍👩‍👧 家") == "👨‍👩‍👧 家"
    assert plain({"nested": 1}) == "" and plain(None) == "" and plain(42) == "42"
    assert lang_of("zh_CN") == "zh" and lang_of("en_US") == "en"
    assert day_text("2026-10-01", "en", year_of=2026) == "1 Oct" and day_text("2025-10-01", "zh", year_of=2026) == \
        "2025年10月1日"
