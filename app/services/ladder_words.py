"""The escalation ladder in words, English and Chinese, made on the laptop from head office's structured data.

Head office sends the ladder as data (`TrailItemData`, `TriggerData`; see app/contract/v1.py); this module
turns it into the lines the case timeline and the case detail show:

    SMS reminder sent to 138****8000 (remind_1)           已向 138****8000 发送短信提醒（remind_1）
    Lawyer's letter made by 某律所 — code ABCD-EFGH, …     某律所出具律师函 — 验证码 ABCD-EFGH，…
    Moved to level visit (days past due ≥ 45)              移至级别 visit（逾期天数 ≥ 45）
    Why this door: repeated delinquency — 2 broken promises (1 Oct, 3 Nov)
    到访原因：多次逾期 — 2 次承诺未兑现（10月1日、11月3日）

Every value that came from head office (a firm's name, a reason, a template code, an SMS text) goes in as
plain text through `plain`: one line, no control or bidirectional characters, clipped. The results are
plain text too and must be shown as such (a table cell, a plain-text label), never as markup. A kind,
state or rule this build does not know is shown by its code rather than dropped.

Pure: no Qt, no SQL, no I/O. `lang` is "zh" or "en" (`lang_of` maps a locale name such as "zh_CN").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from app.domain.clock import DEFAULT_ZONE, local
from app.domain.masking import mask_phone

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]+")
NAME_MAX = 80  # a firm, a person, a level or template code
TEXT_MAX = 300  # a reason, a note, an SMS text


def lang_of(name: str) -> str:
    """"zh" for a Chinese locale name ("zh_CN", "zh"), else "en"."""
    return "zh" if str(name).lower().startswith("zh") else "en"


def plain(value: Any, limit: int = NAME_MAX) -> str:
    """A value from head office as one line of plain text: control, line-break and bidirectional
    characters become spaces, runs of spaces one, and more than `limit` characters end in "…"."""
    if value is None or isinstance(value, dict | list | tuple | set):
        return ""
    text = " ".join(_UNSAFE.sub(" ", str(value)).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _w(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def _fill(template: str, **values: str) -> str:
    """`{name}` replaced in one pass, so a value that itself holds "{…}" is never filled again."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def _join(lang: str, parts: Sequence[str]) -> str:
    return _w(lang, ", ", "、").join(p for p in parts if p)


def _paren(lang: str, inner: str) -> str:
    return _w(lang, f" ({inner})", f"（{inner}）") if inner else ""


def _date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(value: Any, lang: str, *, year_of: int | None = None) -> str:
    """A date as people write it: "1 Oct" / "10月1日", with the year unless it is `year_of`
    ("1 Oct 2025" / "2025年10月1日"). Not a date: the value as plain text."""
    d = _date(value)
    if d is None:
        return plain(value, 32)
    with_year = year_of is None or d.year != year_of
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日" if with_year else f"{d.month}月{d.day}日"
    return f"{d.day} {_MONTHS[d.month - 1]}" + (f" {d.year}" if with_year else "")


def time_text(value: Any, zone: str = DEFAULT_ZONE) -> str:
    """An aware ISO time in the reader's zone, "2026-12-01 09:00"; not a time: the value as plain text."""
    t = _time(value)
    return local(t, zone).strftime("%Y-%m-%d %H:%M") if t is not None else plain(value, 40)


def _number(value: Any) -> str:
    """The number an SMS went to, masked however it came (head office masks it; a whole number is masked here)."""
    text = plain(value, 40)
    if text and "*" not in text and sum(ch.isdigit() for ch in text) >= 7:
        return mask_phone(text)
    return text


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None


# --- labels --------------------------------------------------------------------------------------

_TRIGGERS = {"repeated_delinquency": ("repeated delinquency", "多次逾期"),
             "evading_contact": ("evading contact", "逃避联系"),
             "serious_default": ("serious default", "严重违约")}
_FINDINGS = {"asset_transfer": ("asset transfer", "转移资产"), "forged_signature": ("forged signature", "伪造签名"),
             "other": ("another serious finding", "其他严重情形")}
_STAGES = {"reminder": ("reminder", "提醒"), "legal_letter": ("lawyer's letter", "律师函"),
           "field_visit": ("field visit", "外访"), "legal_action": ("legal action", "诉讼"),
           "agency": ("agency", "委外"), "closed": ("closed", "结案")}
_RULES = {"days_past_due": ("days past due", "逾期天数"), "broken_promises": ("broken promises", "未兑现承诺"),
          "unanswered_attempts": ("unanswered attempts", "联系未果次数"),
          "no_payment_days": ("days without payment", "未还款天数"),
          "episodes": ("delinquency episodes", "逾期次数")}
_SMS_STATES = {"queued": ("queued", "排队中"), "sending": ("sending", "发送中"), "sent": ("sent", "已发送"),
               "delivered": ("delivered", "已送达"), "undelivered": ("not delivered", "未送达"),
               "failed": ("failed", "发送失败"), "skipped": ("not sent", "未发送")}
_LETTER_STATES = {"due": ("due", "待出具"), "made": ("made", "已出具"), "mailed": ("mailed", "已寄出"),
                  "returned": ("returned", "被退回"), "cancelled": ("cancelled", "已取消")}


def _label(table: Mapping[str, tuple[str, str]], value: Any, lang: str) -> str:
    pair = table.get(str(value)) if isinstance(value, str) else None
    return (pair[1] if lang == "zh" else pair[0]) if pair else plain(value, 40)


def trigger_label(value: Any, lang: str) -> str:
    return _label(_TRIGGERS, value, lang)


def stage_label(value: Any, lang: str) -> str:
    return _label(_STAGES, value, lang)


# --- why this case is at a door ----------------------------------------------------------------------


def _facts(why: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    facts = why.get("facts")
    return [f for f in facts if isinstance(f, Mapping) and f.get("kind") == kind] if isinstance(facts, list) else []


def _thresholds(why: Mapping[str, Any]) -> Mapping[str, Any]:
    value = why.get("thresholds")
    return value if isinstance(value, Mapping) else {}


def _dates(lang: str, values: Sequence[Any], year_of: int | None, limit: int = 6) -> str:
    days = sorted(d for d in (_date(v) for v in values) if d is not None)
    text = _join(lang, [day_text(d, lang, year_of=year_of) for d in days[:limit]])
    return text + ("…" if len(days) > limit else "")


def _repeated(why: Mapping[str, Any], lang: str, year: int | None) -> list[str]:
    thresholds = _thresholds(why)
    parts = []
    broken = _facts(why, "broken_promise")
    if broken:
        n = len(broken)
        head = _w(lang, f"{n} broken promise" + ("" if n == 1 else "s"), f"{n} 次承诺未兑现")
        parts.append(head + _paren(lang, _dates(lang, [f.get("due") for f in broken], year)))
    episodes = _facts(why, "episode")
    if episodes:
        n = len(episodes)
        months = _count(thresholds.get("episodes_months"))
        if months:
            head = _w(lang, f"{n} delinquency episodes in {months} months", f"{months} 个月内逾期 {n} 次")
        else:
            head = _w(lang, f"{n} delinquency episode" + ("" if n == 1 else "s"), f"逾期 {n} 次")
        parts.append(head + _paren(lang, _dates(lang, [f.get("started_on") for f in episodes], year)))
    return parts


def _evading(why: Mapping[str, Any], lang: str) -> list[str]:
    thresholds = _thresholds(why)
    parts = []
    attempts = _facts(why, "attempt")
    if attempts:
        n = len(attempts)
        days = _count(thresholds.get("attempt_days"))
        if days is None:
            times = sorted(t for t in (_time(f.get("at")) for f in attempts) if t is not None)
            days = (times[-1].date() - times[0].date()).days + 1 if times else None
        if days:
            parts.append(_w(lang, f"{n} unanswered attempt{'' if n == 1 else 's'} over {days} day"
                                  f"{'' if days == 1 else 's'}", f"{days} 天内 {n} 次联系未果"))
        else:
            parts.append(_w(lang, f"{n} unanswered attempt{'' if n == 1 else 's'}", f"{n} 次联系未果"))
    dead = [_number(f.get("number")) for f in _facts(why, "dead_number")]
    if dead:
        numbers = _join(lang, [d for d in dead[:6] if d]) + ("…" if len(dead) > 6 else "")
        head = _w(lang, "numbers dead" if len(dead) > 1 else "number dead", "号码已失效")
        parts.append(head + (_w(lang, f": {numbers}", f"：{numbers}") if numbers else ""))
    return parts


def _serious(why: Mapping[str, Any], lang: str) -> list[str]:
    documents = _facts(why, "document")
    if not documents:
        return []
    parts = []
    for doc in documents[:3]:
        finding = _label(_FINDINGS, doc.get("finding") or "other", lang)
        note = plain(doc.get("note"), 120)
        parts.append(finding + _paren(lang, note))
    on_file = _w(lang, "a document is on file" if len(documents) == 1 else f"{len(documents)} documents are on file",
                 "已有证明文件存档" if len(documents) == 1 else f"已有 {len(documents)} 份证明文件存档")
    return [_join(lang, parts), on_file]


def trigger_body(why: Mapping[str, Any], lang: str) -> str:
    """What the trigger's evidence says: "repeated delinquency — 2 broken promises (1 Oct, 3 Nov)"."""
    trigger = why.get("trigger")
    name = trigger_label(trigger, lang)
    detected = _date(why.get("detected_on"))
    year = detected.year if detected is not None else None
    if trigger == "repeated_delinquency":
        parts = _repeated(why, lang, year)
    elif trigger == "evading_contact":
        parts = _evading(why, lang)
    elif trigger == "serious_default":
        parts = _serious(why, lang)
    else:
        parts = _repeated(why, lang, year) + _evading(why, lang) + _serious(why, lang)
    rest = _w(lang, "; ", "；").join(p for p in parts if p)
    return name + (" — " + rest if rest else "")


def why_line(why: Mapping[str, Any] | None, stage: str, recorded_trigger: str | None, lang: str) -> str | None:
    """The case detail's one line on why this case is at this door; None when no trigger was detected and
    the case is not at the field-visit stage. `why` is the TriggerData head office sent (as a dict), `stage` the case's stage,
    `recorded_trigger` the trigger the case came with (older data, without evidence)."""
    prefix = _w(lang, "Why this door: ", "到访原因：")
    if isinstance(why, Mapping) and why.get("trigger"):
        return prefix + trigger_body(why, lang)
    if stage != "field_visit":
        return None
    if recorded_trigger:
        return prefix + trigger_label(recorded_trigger, lang) + _w(
            lang, " — as recorded when the case came in; head office has sent no evidence for it",
            " — 案件导入时记录，总部未提供相关证据")
    return prefix + _w(lang, "no visit trigger is on record — this case reached the field-visit level "
                             "before head office recorded why (older data)",
                       "无外访触发记录 — 该案件在总部记录触发原因之前已进入外访阶段（旧数据）")


# --- the trail on the timeline -------------------------------------------------------------------------


def _rule(rule: Any, lang: str) -> str:
    if isinstance(rule, list):
        return _join(lang, [_rule(r, lang) for r in rule[:4]])
    if not isinstance(rule, Mapping) or not rule.get("kind"):
        return ""
    name = _label(_RULES, rule.get("kind"), lang)
    threshold = _count(rule.get("threshold"))
    return f"{name} ≥ {threshold}" if threshold is not None else name


def trail_title(kind: str, data: Mapping[str, Any], lang: str) -> str:
    """The timeline's "What" of a trail item: "SMS reminder · delivered", "Lawyer's letter · made"…"""
    if kind == "sms":
        return _w(lang, "SMS reminder", "短信提醒") + " · " + _label(_SMS_STATES, data.get("state"), lang)
    if kind == "letter":
        return _w(lang, "Lawyer's letter", "律师函") + " · " + _label(_LETTER_STATES, data.get("state"), lang)
    if kind == "level":
        stage = data.get("stage")
        return _w(lang, "Ladder", "催收阶梯") + (_w(lang, ": ", "：") + stage_label(stage, lang) if stage else "")
    if kind == "trigger":
        return _w(lang, "Visit trigger", "外访触发")
    if kind == "hold":
        return _w(lang, "Ladder held", "暂停升级")
    if kind == "release":
        return _w(lang, "Ladder hold released", "解除暂停")
    return plain(kind, 40)


def _sms_line(data: Mapping[str, Any], lang: str, zone: str) -> str:
    number = _number(data.get("number")) or _w(lang, "the debtor's number", "债务人号码")
    template = _paren(lang, plain(data.get("template")))
    state = data.get("state")
    when = time_text(data.get("scheduled_at"), zone) if data.get("scheduled_at") else ""
    if state == "sent":
        line = _w(lang, f"SMS reminder sent to {number}", f"已向 {number} 发送短信提醒")
    elif state == "delivered":
        line = _w(lang, f"SMS reminder delivered to {number}", f"短信提醒已送达 {number}")
    elif state == "queued":
        line = (_w(lang, f"SMS reminder to {number} queued for {when}", f"发往 {number} 的短信提醒已排队，预定 {when} 发送")
                if when else _w(lang, f"SMS reminder to {number} queued", f"发往 {number} 的短信提醒已排队"))
    elif state == "sending":
        line = _w(lang, f"SMS reminder being sent to {number}", f"正在向 {number} 发送短信提醒")
    elif state == "undelivered":
        line = _w(lang, f"SMS reminder to {number} was not delivered", f"发往 {number} 的短信提醒未送达")
    elif state == "failed":
        line = _w(lang, f"SMS reminder to {number} failed", f"发往 {number} 的短信提醒发送失败")
    elif state == "skipped":
        line = _w(lang, f"SMS reminder to {number} not sent", f"发往 {number} 的短信提醒未发送")
    else:
        line = _w(lang, f"SMS reminder to {number}: ", f"发往 {number} 的短信提醒：") + plain(state, 40)
    why = plain(data.get("why"), TEXT_MAX)
    return line + template + (_w(lang, f": {why}", f"：{why}") if why else "")


def _letter_line(data: Mapping[str, Any], lang: str) -> str:
    firm = plain(data.get("firm")) or _w(lang, "a law firm", "律师事务所")
    state = data.get("state")
    code = plain(data.get("code"), 40)
    parts = [_w(lang, f"code {code}", f"验证码 {code}") if code else ""]
    if data.get("deadline"):
        deadline = day_text(data.get("deadline"), lang)
        parts.append(_w(lang, f"deadline {deadline}", f"还款期限 {deadline}"))
    tracking = plain(data.get("tracking_no"), 40)
    if tracking:
        parts.append(_w(lang, f"tracking no. {tracking}", f"快递单号 {tracking}"))
    if state == "made":
        head = _w(lang, f"Lawyer's letter made by {firm}", f"{firm}出具律师函")
    elif state == "mailed":
        head = _w(lang, f"Lawyer's letter from {firm} mailed", f"{firm}律师函已寄出")
    elif state == "returned":
        head = _w(lang, f"Lawyer's letter from {firm} returned undelivered", f"{firm}律师函被退回")
    else:
        head = _w(lang, f"Lawyer's letter from {firm}: ", f"{firm}律师函：") + _label(_LETTER_STATES, state, lang)
    rest = _w(lang, ", ", "，").join(p for p in parts if p)
    return head + (" — " + rest if rest else "")


def _level_line(data: Mapping[str, Any], lang: str) -> str:
    to = plain(data.get("to")) or "?"
    source = plain(data.get("from"))
    rule = _rule(data.get("rule"), lang)
    reason = plain(data.get("reason"), TEXT_MAX)
    by_person = data.get("via") in ("api", "cli")
    if by_person:
        line = (_w(lang, f"Moved from level {source} to level {to} by head office",
                   f"总部将案件由级别 {source} 移至级别 {to}") if source
                else _w(lang, f"Moved to level {to} by head office", f"总部将案件移至级别 {to}"))
    else:
        line = (_w(lang, f"Moved from level {source} to level {to}", f"由级别 {source} 移至级别 {to}") if source
                else _w(lang, f"Moved to level {to}", f"移至级别 {to}"))
    line += _paren(lang, rule)
    return line + (_w(lang, f": {reason}", f"：{reason}") if reason else "")


def _hold_line(kind: str, data: Mapping[str, Any], lang: str) -> str:
    by = plain(data.get("by")) or _w(lang, "head office", "总部")
    level = plain(data.get("level") or data.get("level_then"))
    reason = plain(data.get("reason"), TEXT_MAX)
    if kind == "hold":
        line = (_w(lang, f"Held at level {level} by {by}", f"{by}将案件暂停在级别 {level}") if level
                else _w(lang, f"Held at its level by {by}", f"{by}暂停了案件升级"))
    else:
        line = (_w(lang, f"Hold at level {level} released by {by}", f"{by}解除了级别 {level} 的暂停") if level
                else _w(lang, f"Hold released by {by}", f"{by}解除了暂停"))
    return line + (_w(lang, f": {reason}", f"：{reason}") if reason else "")


def trail_line(kind: str, data: Mapping[str, Any], lang: str, zone: str = DEFAULT_ZONE) -> str:
    """One trail item as a sentence (plain text), from its structured data."""
    if kind == "sms":
        return _sms_line(data, lang, zone)
    if kind == "letter":
        return _letter_line(data, lang)
    if kind == "level":
        return _level_line(data, lang)
    if kind in ("hold", "release"):
        return _hold_line(kind, data, lang)
    if kind == "trigger":
        body = trigger_body(data, lang)
        return body[:1].upper() + body[1:]
    return plain(kind, 40)


def trail_detail(kind: str, data: Mapping[str, Any], lang: str, zone: str = DEFAULT_ZONE) -> str:
    """The sentence and what else the item says (an SMS's text as sent, its planned time) for the
    timeline's Details column and tooltip. Plain text."""
    parts = [trail_line(kind, data, lang, zone)]
    if kind == "sms":
        text = plain(data.get("text"), TEXT_MAX)
        if text:
            parts.append(_w(lang, f"text: “{text}”", f"内容：“{text}”"))
        if data.get("scheduled_at") and data.get("state") != "queued":
            parts.append(_w(lang, "planned for ", "计划发送时间 ") + time_text(data.get("scheduled_at"), zone))
    return " · ".join(parts)
