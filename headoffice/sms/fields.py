"""SMS templates as text: the closed set of merge fields, the checks a template passes when it is
saved, and the merge itself (pure: no database, no I/O).

A template is plain text with `{field}` where a value goes; `{{` and `}}` are literal braces. Only
the fields of `FIELDS` exist. Nothing else is interpreted: no format specs (`{name:>9}`), no
conversions (`{name!r}`), no attributes or indexes (`{name.x}`, `{name[0]}`); each is refused at save
time with the place it is at. The set holds nothing that identifies the debtor beyond a polite
salutation — never the ID number or anything derived from it (not even a gender read from it), never
a whole name (a reassigned number must not learn who owes) — and nothing about a third party.

| field | what goes in | at most |
|---|---|---|
| `{name}` | the debtor as addressed: surname + 先生/女士 for a Chinese name (王先生/女士, 欧阳先生/女士), else the name as imported | 20 |
| `{case_no}` | the case number | 64 |
| `{overdue_yuan}` | the overdue amount in yuan, two decimals, thousands separated (1,234.50) | 20 |
| `{days_past_due}` | days past due on the run date | 6 |
| `{due_date}` | the day the overdue amount fell due (the run date less the days past due), YYYY-MM-DD | 10 |
| `{pay_channels}` | the designated repayment channels (company setting) | 120 |
| `{hotline}` | the company's hotline (company setting) | 32 |
| `{company}` | the company's name (company setting) | 40 |

The sender's signature is put in front as 【signature】 when a message is sent, so a body holds no 【
or 】. A template's longest possible message — its text with every field at its longest — must fit
`MAX_BODY` characters, so no reminder is ever cut short by the channel.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.text_input import text_problem
from app.domain.wording import check_wording
from headoffice.notify.sms import MAX_CHARS

SIGNATURE_MAX = 16  # SmsGateway's limit; with 【】 the signature takes up to 18 characters
MAX_BODY = MAX_CHARS - SIGNATURE_MAX - 2  # 462: the body of the longest message the channel takes whole
CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
LANGS = ("zh", "en")

FIELDS: Mapping[str, int] = {  # field → its longest value
    "name": 20, "case_no": 64, "overdue_yuan": 20, "days_past_due": 6, "due_date": 10,
    "pay_channels": 120, "hotline": 32, "company": 40,
}
SETTINGS: Mapping[str, int] = {"company": 40, "hotline": 32, "pay_channels": 120}
FIELD_HELP: Mapping[str, str] = {
    "name": "the debtor as addressed: surname + 先生/女士 for a Chinese name, else the name",
    "case_no": "the case number",
    "overdue_yuan": "the overdue amount in yuan (1,234.50)",
    "days_past_due": "days past due on the run date",
    "due_date": "the day the overdue amount fell due (YYYY-MM-DD)",
    "pay_channels": "the designated repayment channels (company setting)",
    "hotline": "the company's hotline (company setting)",
    "company": "the company's name (company setting)",
}
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "钟离", "闾丘", "端木", "西门", "南宫", "独孤", "申屠", "澹台", "太史", "公冶", "呼延",
})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class TemplateError(ValueError):
    """A template (or a company setting) that cannot be saved; `rule` names what it breaks
    (`wording` with the wording rule in `detail`, `merge_field`, `brackets`, `length`, `text`, `code`)."""

    def __init__(self, rule: str, detail: str):
        super().__init__(detail)
        self.rule, self.detail = rule, detail


@dataclass(frozen=True)
class Parsed:
    pieces: tuple[tuple[str, str | None], ...]  # (literal text, field or None)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for _t, f in self.pieces if f is not None))

    def longest(self) -> int:
        """The length of the longest message this template can make (every field at its limit)."""
        return sum(len(text) + (FIELDS[field] if field is not None else 0) for text, field in self.pieces)


def parse_template(body: str, where: str = "body") -> Parsed:
    """The template's literal pieces and fields; TemplateError naming the first problem."""
    pieces: list[tuple[str, str | None]] = []
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError as exc:
        raise TemplateError("merge_field", f"{where}: {_brace_problem(body, str(exc))}") from None
    for text, field, spec, conversion in parts:
        if field is None:
            pieces.append((text, None))
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if field == "":
            raise TemplateError("merge_field", f"{where}: an empty merge field {{}}; name one of "
                                f"{', '.join(FIELDS)} (a literal brace is written {{{{ or }}}})")
        if conversion or spec:
            raise TemplateError("merge_field", f"{where}: {_clip(shown)} — a merge field is just {{name}}, "
                                "without : or !")
        if field not in FIELDS:
            raise TemplateError("merge_field", f"{where}: unknown merge field {_clip(shown)}; the fields are "
                                f"{', '.join('{' + f + '}' for f in FIELDS)}")
        pieces.append((text, field))
    return Parsed(tuple(pieces))


def _brace_problem(body: str, _error: str) -> str:
    """Where the first brace is that neither opens a field nor is doubled."""
    i = 0
    while i < len(body):
        ch = body[i]
        if ch in "{}" and body[i + 1:i + 2] == ch:
            i += 2
            continue
        if ch == "}":
            return f"a lone }} at character {i + 1:,}; write }}}} for a literal brace"
        if ch == "{":
            close = body.find("}", i + 1)
            if close < 0 or "{" in body[i + 1:close]:
                return f"a {{ at character {i + 1:,} that is not closed by }}; write {{{{ for a literal brace"
            i = close
        i += 1
    return "a brace that is neither a merge field nor doubled ({{ or }})"


def _clip(text: str, limit: int = 40) -> str:
    text = _CONTROL.sub("", text)
    return text if len(text) <= limit else text[:limit] + "…"


def check_body(body: str, where: str = "body") -> Parsed:
    """Everything a template must pass to be saved; TemplateError otherwise."""
    if not isinstance(body, str) or not body.strip():
        raise TemplateError("text", f"{where} is empty")
    problem = text_problem(body, max_length=MAX_BODY)
    if problem is not None:
        raise TemplateError("length" if problem.startswith("is longer") else "text", f"{where} {problem}")
    if "【" in body or "】" in body:
        raise TemplateError("brackets", f"{where} contains 【 or 】: the sender's signature is put in front as "
                            "【signature】 when it is sent, and brackets in the text would read as a second one")
    for problem_ in check_wording(body):
        raise TemplateError("wording", f"{where} {problem_.describe('en')} / {problem_.describe('zh')}")
    parsed = parse_template(body, where)
    longest = parsed.longest()
    if longest > MAX_BODY:
        raise TemplateError("length", f"{where}: with every merge field at its longest the message is {longest:,} "
                            f"characters; an SMS with its signature must fit {MAX_BODY:,}")
    return parsed


def check_settings(settings: Mapping[str, object]) -> dict[str, str]:
    """The company's settings (company, hotline, pay_channels) as stored; TemplateError otherwise."""
    out: dict[str, str] = {}
    for key, value in settings.items():
        if key not in SETTINGS:
            raise TemplateError("merge_field", f"settings: unknown setting {_clip(str(key))!r}; the settings are "
                                f"{', '.join(SETTINGS)}")
        if not isinstance(value, str):
            raise TemplateError("text", f"settings.{key} must be text")
        problem = text_problem(value, max_length=SETTINGS[key])
        if problem is not None:
            raise TemplateError("length" if problem.startswith("is longer") else "text", f"settings.{key} {problem}")
        if "【" in value or "】" in value or "{" in value or "}" in value:
            raise TemplateError("brackets", f"settings.{key} contains a bracket 【】 or a brace {{}}")
        for problem_ in check_wording(value):
            raise TemplateError("wording", f"settings.{key} {problem_.describe('en')} / {problem_.describe('zh')}")
        out[key] = value.strip()
    return out


def check_code(code: str) -> str:
    if not isinstance(code, str) or not CODE.match(code):
        raise TemplateError("code", f"the template code {_clip(str(code))!r} is not 1 to 64 of a-z 0-9 _ . - "
                            "(starting with a letter or digit)")
    return code


# --- merging -------------------------------------------------------------------------------------


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def salutation(name: str) -> str:
    """王伟 → 王先生/女士; 欧阳娜娜 → 欧阳先生/女士; a name in Latin letters stays as it is (at most 20)."""
    clean = " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", name or "")).split())
    if not clean:
        return "客户"
    if _is_cjk(clean[0]):
        surname = clean[:2] if clean[:2] in COMPOUND_SURNAMES else clean[0]
        return f"{surname}先生/女士"
    return clean[: FIELDS["name"]]


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{part:02d}"


def _inert(value: str, limit: int) -> str:
    """A value as it goes into a message: one line, no control characters, no 【】, at most `limit`."""
    value = _CONTROL.sub("", value.replace("\n", " ").replace("【", "[").replace("】", "]")).strip()
    return value[:limit]


@dataclass(frozen=True)
class CaseFacts:
    """What a reminder may say about a case (nothing else reaches a template)."""

    debtor_name: str
    case_no: str
    overdue_fen: int
    days_past_due: int
    run_on: date


def values_for(facts: CaseFacts, settings: Mapping[str, str]) -> dict[str, str]:
    days = max(0, int(facts.days_past_due))
    values = {
        "name": salutation(facts.debtor_name),
        "case_no": facts.case_no,
        "overdue_yuan": yuan(facts.overdue_fen),
        "days_past_due": str(days),
        "due_date": (facts.run_on - timedelta(days=days)).isoformat(),
        "pay_channels": settings.get("pay_channels", ""),
        "hotline": settings.get("hotline", ""),
        "company": settings.get("company", ""),
    }
    return {k: _inert(v, FIELDS[k]) for k, v in values.items()}


def merge(parsed: Parsed, values: Mapping[str, str]) -> str:
    out: list[str] = []
    for text, field in parsed.pieces:
        out.append(text)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)
