"""What a letter prints, fixed once when the letter is made (`letters.content`, JSON).

`letter_content` merges the template with the case's facts and the firm's details into plain strings;
the PDF (`pdf.py`) is drawn from these strings only, so a letter made again (a re-run of its day, the
merged print file) prints exactly what was made, whatever changed in the firm or template since.

Amounts are integer fen throughout: figures with `yuan_text`, capitals with
`app.reports.capitals.in_capitals` (cn2an, given an exact decimal string, never a float).
Merge values are cut to what a letter can hold (a 10,000-character name prints as 40 characters and
"…"); control characters are dropped. The ID number is not among the facts a letter receives.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from app.contract.letters import VERIFY_PATH, ChannelData
from app.domain.money import Money
from app.reports.capitals import in_capitals, yuan_text
from app.reports.text import clean

from .fields import literal_text, merge

NAME_MAX = 40
ADDRESS_MAX = 120
CASE_NO_MAX = 64
LOAN_NOS_SHOWN = 4
LOAN_NOS_MAX = 120

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")

# Fixed wording of a letter, (Chinese, English).
LABELS: Mapping[str, tuple[str, str]] = {
    "to": ("致：{name}（收）", "To: {name}"),
    "address": ("地址：{address}", "Address: {address}"),
    "case": ("案件编号：{case_no}　　借款编号：{loan_nos}", "Case no.: {case_no}    Loan no.: {loan_nos}"),
    "amount": ("逾期金额（小写）：{amount}", "Overdue amount: {amount}"),
    "capitals": ("逾期金额（大写）：人民币{capitals}", "In Chinese capitals: 人民币{capitals}"),
    "deadline": ("还款期限：请于{deadline}前（自发函之日起{days}日内）通过下列指定渠道还款",
                 "Deadline: please pay by {deadline} ({days} days from the date of this letter) through a "
                 "channel below"),
    "channels": ("指定还款渠道（仅限下列渠道；请勿向任何个人账户付款，任何人无权上门收取现金）",
                 "Designated repayment channels (these only; never pay into a personal account, and nobody may "
                 "collect cash from you)"),
    "basis": ("事实与法律依据", "Facts and legal basis"),
    "rights": ("您的权利与异议方式", "Your rights and how to object"),
    "lawyer": ("承办律师：{lawyer}　执业证号：{licence_no}", "Lawyer: {lawyer}    Licence no.: {licence_no}"),
    "contacts": ("联系方式：{address}　电话：{phone}{email}", "Contact: {address}    Phone: {phone}{email}"),
    "email": ("　邮箱：{email}", "    Email: {email}"),
    "verify": ("本函验证码：{code}", "Verification code: {code}"),
    "verify_how": ("查验本函真伪：访问 {url}，可查询发函律所、发函日期与案件编号（不提供任何个人信息）；"
                   "也可致电本所 {phone} 核实。",
                   "To check this letter: visit {url}; it answers which firm sent it, its date and the case "
                   "number (no personal data). Or call the firm on {phone}."),
    "bank": ("户名：{account_name}；开户行：{bank}；账号：{account_no}",
             "Account name: {account_name}; bank: {bank}; account no.: {account_no}"),
    "currency": ("人民币 {yuan} 元", "RMB {yuan}"),
    "and_more": ("等{n}笔", " and {n} more"),
}


def label(key: str, lang: str, **args: object) -> str:
    text = LABELS[key][0 if lang == "zh" else 1]
    return text.format(**args) if args else text


def date_text(day: date, lang: str) -> str:
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def cut(value: object, limit: int) -> str:
    """One line of printable text of at most `limit` characters ('…' marks a cut)."""
    text = " ".join(clean(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def grouped_yuan(fen: int) -> str:
    yuan, rest = yuan_text(fen).split(".")
    return f"{int(yuan):,}.{rest}"


def loan_nos_text(loan_nos: Sequence[str], lang: str) -> str:
    shown = [cut(n, 32) for n in loan_nos[:LOAN_NOS_SHOWN]]
    text = "、".join(shown) if lang == "zh" else ", ".join(shown)
    if len(loan_nos) > LOAN_NOS_SHOWN:
        text += label("and_more", lang, n=len(loan_nos))
    return cut(text or "—", LOAN_NOS_MAX)


def channel_line(c: ChannelData, lang: str) -> str:
    if c.kind == "bank_transfer":
        detail = label("bank", lang, account_name=c.account_name, bank=c.bank, account_no=c.account_no)
        if c.detail:
            detail = f"{c.detail}；{detail}" if lang == "zh" else f"{c.detail}; {detail}"
    else:
        detail = c.detail
    return f"{c.label}：{detail}" if lang == "zh" else f"{c.label}: {detail}"


@dataclass(frozen=True, slots=True)
class Firm:
    name: str
    lawyer: str
    licence_no: str
    letterhead: str
    address: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What a letter is told about its case (never the ID number, never a phone number)."""

    recipient: str
    address: str
    case_no: str
    loan_nos: tuple[str, ...]
    amount_fen: int
    letter_date: date
    deadline: date


@dataclass(frozen=True, slots=True)
class LetterContent:
    lang: str
    letterhead: str
    firm_name: str
    lawyer: str
    licence_no: str
    firm_address: str
    firm_phone: str
    firm_email: str
    title: str
    recipient: str
    address: str
    case_no: str
    loan_nos: str
    letter_date: str  # as printed
    deadline: str  # as printed
    deadline_days: int
    amount: str  # figures, as printed
    amount_capitals: str
    body: str
    legal_basis: str
    rights: str
    channels: tuple[str, ...]
    code: str
    verify_url: str
    fixed: str = ""  # the characters of the template's and the firm's own text (see glyphs.seed)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> LetterContent:
        data = json.loads(text)
        data["channels"] = tuple(data["channels"])
        return cls(**data)


def verify_url(code: str, base: str = "") -> str:
    return base.rstrip("/") + VERIFY_PATH.format(code=code)


def letter_content(*, lang: str, title: str, body: str, legal_basis: str, rights: str, deadline_days: int,
                   channels: Sequence[ChannelData], firm: Firm, facts: Facts, code: str,
                   verify_base: str = "") -> LetterContent:
    """Merge a template with the firm and the case's facts (see the module docstring)."""
    amount = Money(facts.amount_fen)  # CNY: the caller refuses another currency
    figures = label("currency", lang, yuan=grouped_yuan(facts.amount_fen))
    capitals = in_capitals(amount)
    lines = tuple(cut(channel_line(c, lang), 300) for c in channels)
    recipient = cut(facts.recipient, NAME_MAX)
    letter_date, deadline = date_text(facts.letter_date, lang), date_text(facts.deadline, lang)
    values = {
        "debtor_name": recipient,
        "case_no": cut(facts.case_no, CASE_NO_MAX),
        "loan_nos": loan_nos_text(facts.loan_nos, lang),
        "amount": figures,
        "amount_capitals": capitals,
        "letter_date": letter_date,
        "deadline": deadline,
        "deadline_days": str(deadline_days),
        "channels": ("；" if lang == "zh" else "; ").join(c.label for c in channels),
        "firm_name": firm.name,
        "lawyer": firm.lawyer,
        "licence_no": firm.licence_no,
        "firm_address": firm.address,
        "firm_phone": firm.phone,
        "firm_email": firm.email,
        "verify_code": code,
    }

    def merged(text: str, where: str) -> str:
        return clean(merge(text, values, where))

    return LetterContent(
        lang=lang, letterhead=firm.letterhead or firm.name, firm_name=firm.name, lawyer=firm.lawyer,
        licence_no=firm.licence_no, firm_address=firm.address, firm_phone=firm.phone, firm_email=firm.email,
        title=cut(merged(title, "title"), 80), recipient=recipient, address=cut(facts.address, ADDRESS_MAX),
        case_no=values["case_no"], loan_nos=values["loan_nos"], letter_date=letter_date, deadline=deadline,
        deadline_days=deadline_days, amount=figures, amount_capitals=capitals,
        body=merged(body, "body"), legal_basis=merged(legal_basis, "legal_basis"), rights=merged(rights, "rights"),
        channels=lines, code=code, verify_url=verify_url(code, verify_base),
        fixed=_fixed_chars(lang, (title, body, legal_basis, rights, *lines, *dataclasses.astuple(firm))))


@lru_cache(maxsize=64)
def _fixed_chars(lang: str, texts: tuple[str, ...]) -> str:
    """Every character the letters of this template and firm print whoever they go to, once each,
    in order of first use: the fixed wording, then the template's text without its merge fields."""
    wording = "".join(v[0 if lang == "zh" else 1] for v in LABELS.values())
    return "".join(dict.fromkeys(wording + "".join(literal_text(t) for t in texts)))
