"""Merge fields and the checks a firm or a letter template passes before it is stored.

A template's title, body, legal basis and rights may name merge fields from one closed set,
`MERGE_FIELDS`, written `{debtor_name}`; `{{` and `}}` stand for a literal brace. Anything else
between braces is refused, and so is a field that would put what a letter must never carry on paper
(the ID number, phone numbers, third parties): `FORBIDDEN_FIELDS`.

Merging is one pass of plain substitution: a value is never read as a template again, so a debtor
called `{amount}` or `<font color=red>` prints as exactly that.

What is checked, each problem named (`LetterProblem.code`, the API's `error`):
* `wording`: `app.domain.wording.check_wording` on every text, as written and with the merge fields
  taken out (`坐{amount}牢` is caught), naming the rule;
* `merge_field`: unknown, forbidden or malformed merge fields;
* `channel`: a repayment channel that is not a designated one — a bank transfer to anything but an
  organisation's account, an app channel carrying an account number, any text naming a personal
  account, a payment code or cash; and account numbers written into the letter's text instead of
  its channels;
* `unknown_firm`: a template of a firm that is not stored;
* `unprintable`: emoji and other pictographs, which the letter's font cannot print (a letter is
  paper: they would come out as empty boxes).
Text rules (control characters, bidirectional controls, lengths) are the contract's
(`app/contract/letters.py` with `app.domain.text_input`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.contract.letters import ChannelData, LawFirmData, LetterTemplateData
from app.domain.wording import check_wording

# field → (Chinese, English) description; the closed set.
MERGE_FIELDS: Mapping[str, tuple[str, str]] = {
    "debtor_name": ("债务人姓名", "the debtor's name"),
    "case_no": ("案件编号", "the case number"),
    "loan_nos": ("借款编号", "the loan number(s)"),
    "amount": ("逾期金额（小写）", "the overdue amount in figures"),
    "amount_capitals": ("逾期金额（大写）", "the overdue amount in Chinese capitals"),
    "letter_date": ("发函日期", "the letter's date"),
    "deadline": ("还款期限", "the payment deadline"),
    "deadline_days": ("还款期限天数", "days to the deadline"),
    "channels": ("指定还款渠道", "the designated repayment channels"),
    "firm_name": ("律师事务所", "the firm"),
    "lawyer": ("律师", "the lawyer"),
    "licence_no": ("律师执业证号", "the lawyer's licence number"),
    "firm_address": ("律所地址", "the firm's address"),
    "firm_phone": ("律所电话", "the firm's phone"),
    "firm_email": ("律所邮箱", "the firm's email"),
    "verify_code": ("验证码", "the verification code"),
}
FORBIDDEN_FIELDS = frozenset({
    "id_number", "id_no", "idno", "id_card", "idcard", "identity", "identity_no", "id", "phone", "phones",
    "mobile", "debtor_phone", "contact", "contacts", "emergency_contact", "emergency_contacts", "third_party",
})
TEMPLATE_TEXTS = ("title", "body", "legal_basis", "rights")

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_DIGIT_RUN = re.compile(r"\d(?:[\s\-]?\d){11,}")  # 12+ digits, maybe spaced: an account number
_ORGANISATION = ("公司", "银行", "集团", "有限", "合伙", "信托", "中心", "事务所")
_ORGANISATION_EN = re.compile(r"\b(co|ltd|limited|inc|bank|corporation|company|llc|trust|plc)\b")
# In a channel (where the letter tells the debtor to pay), any of these means it is not a designated one.
_PERSONAL = ("个人账户", "个人账号", "个人卡", "个人银行卡", "私人账户", "私人账号", "私户", "个人微信", "个人支付宝",
             "收款码", "付款码", "催收员", "外访员", "员工账户", "律师个人", "现金")
_PERSONAL_EN = re.compile(r"\b(personal|private|individual|cash|qr)\b")


def _is_pictograph(ch: str) -> bool:
    code = ord(ch)
    return (code >= 0x10000 or 0x2600 <= code <= 0x27BF or 0xFE00 <= code <= 0xFE0F or code == 0x200D
            or code == 0x20E3 or unicodedata.category(ch) == "So")


class LetterProblem(ValueError):
    """A firm or template that cannot be stored: `code` names the rule, `detail` says where and why."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True, slots=True)
class _Piece:
    literal: str
    field: str | None


def _pieces(text: str, where: str) -> list[_Piece]:
    out: list[_Piece] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.append(_Piece(text[pos:m.start()], None))
        token = m.group(0)
        if token in ("{{", "}}"):
            out.append(_Piece(token[0], None))
        elif m.group(1) is None:
            raise LetterProblem("merge_field", f"{where}: a lone '{token}' at character {m.start() + 1:,} "
                                               "(write {{ or }} for a brace)")
        else:
            name = m.group(1)
            if name.strip().lower() in FORBIDDEN_FIELDS:
                raise LetterProblem("merge_field", f"{where}: {{{_shown(name)}}} is never printed in a letter "
                                                   "(no ID number, phone number or third party on paper)")
            if name not in MERGE_FIELDS:
                raise LetterProblem("merge_field", f"{where}: unknown merge field {{{_shown(name)}}}; "
                                                   f"the fields are {', '.join(MERGE_FIELDS)}")
            out.append(_Piece("", name))
        pos = m.end()
    out.append(_Piece(text[pos:], None))
    return out


def _shown(name: str) -> str:
    return name if len(name) <= 30 else name[:29] + "…"


def fields_in(text: str, where: str = "text") -> list[str]:
    """The merge fields `text` names, in order (raises LetterProblem for a bad or unknown one)."""
    return [p.field for p in _pieces(text, where) if p.field is not None]


def merge(text: str, values: Mapping[str, str], where: str = "text") -> str:
    """`text` with every merge field replaced by its value, in one pass (values are never re-read)."""
    return "".join(p.literal if p.field is None else values.get(p.field, "") for p in _pieces(text, where))


def literal_text(text: str) -> str:
    """`text` without its merge fields (a bad one is passed over: this is for glyphs, not checks)."""
    try:
        return _without_fields(text)
    except LetterProblem:
        return text


def _without_fields(text: str) -> str:
    return "".join(p.literal for p in _pieces(text, "text"))


def check_printable(text: str, where: str) -> None:
    bad = next((i for i, ch in enumerate(text) if _is_pictograph(ch)), None)
    if bad is not None:
        raise LetterProblem("unprintable", f"{where}: character {bad + 1:,} (U+{ord(text[bad]):04X}) is an emoji "
                                           "or a pictograph, which a printed letter cannot show")


def check_text_wording(text: str, where: str) -> None:
    check_printable(text, where)
    for form in (text, _without_fields(text)) if "{" in text else (text,):
        problems = check_wording(form)
        if problems:
            raise LetterProblem("wording", f"{where}: {problems[0].describe('en')}; {problems[0].describe('zh')}")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _personal(text: str, where: str) -> None:
    folded = _folded(text)
    squeezed = "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
    english = _PERSONAL_EN.search(folded)
    found = next((m for m in _PERSONAL if m in squeezed), english.group(0) if english else None)
    if found is not None:
        raise LetterProblem("channel", f"{where}: names a personal account, a payment code or cash "
                                       f"(“{found}”); a letter gives only the designated repayment channels")


def check_channel(channel: ChannelData, where: str) -> None:
    for name in ("label", "detail", "account_name", "bank"):
        value = getattr(channel, name)
        if value:
            check_text_wording(value, f"{where}.{name}")
            _personal(value, f"{where}.{name}")
    if channel.kind == "bank_transfer":
        folded = _folded(channel.account_name)
        if not any(m in folded for m in _ORGANISATION) and _ORGANISATION_EN.search(folded) is None:
            raise LetterProblem("channel", f"{where}.account_name: a bank transfer goes only to the creditor's "
                                           "corporate account: name the company (…有限公司 / … Co., Ltd.)")
        if len(channel.bank.strip()) < 2:
            raise LetterProblem("channel", f"{where}.bank: name the bank of the account")
        if sum(ch.isdigit() for ch in channel.account_no) < 8:
            raise LetterProblem("channel", f"{where}.account_no: the account number (8 digits or more)")
    else:
        if channel.account_name or channel.bank or channel.account_no:
            raise LetterProblem("channel", f"{where}: only a bank transfer carries an account; "
                                           f"a {channel.kind} channel names the official service in `detail`")
        if len(channel.detail.strip()) < 2:
            raise LetterProblem("channel", f"{where}.detail: say where the debtor finds the official service")
        if _DIGIT_RUN.search(channel.detail):
            raise LetterProblem("channel", f"{where}.detail: holds what looks like an account number; "
                                           f"a {channel.kind} channel carries none")


def check_template(t: LetterTemplateData, firms: Iterable[str]) -> None:
    """Raise LetterProblem for the first thing wrong with `t` (the contract has checked the text rules)."""
    if t.firm_code not in set(firms):
        raise LetterProblem("unknown_firm", f"firm_code: no law firm {t.firm_code!r} is stored "
                                            "(set the firms first: letters firms set FILE)")
    for name in TEMPLATE_TEXTS:
        text = getattr(t, name)
        fields_in(text, name)
        check_text_wording(text, name)
        if _DIGIT_RUN.search(_without_fields(text)):
            raise LetterProblem("channel", f"{name}: holds what looks like an account number; repayment "
                                           "channels go in `channels` only ({channels} prints them)")
    for i, channel in enumerate(t.channels):
        check_channel(channel, f"channels[{i}]")


def check_firm(f: LawFirmData) -> None:
    for name in ("name", "lawyer", "letterhead", "address"):
        value = getattr(f, name)
        if "{" in value or "}" in value:
            raise LetterProblem("merge_field", f"{name}: a firm's details are printed as written: no braces")
        if value:
            check_text_wording(value, name)
