"""API v1, lawyer's letters (律师函, issue #18): law firms, letter templates, and the public check of a
letter's verification code. Routes under `/api/v1/letters/`.

* `GET|PUT firms`, `GET|PUT templates`: supervisors and admins. A PUT stores every item it carries
  (firms by code, updated in place; a template as a new version of its code when it differs from the
  newest one) and answers the whole stored set. Text is checked as every request text is
  (`app/domain/text_input.py`), then by head office: the wording check (threats, insults, false legal
  claims: 422 `wording` naming the rule), the closed set of merge fields (422 `merge_field`), the
  repayment channels (422 `channel`).
* `GET verify/{code}`: public, no sign-in. Answers which firm sent the letter, its date and the case
  number, nothing about the debtor. Case and separators do not matter (`abcd efgh …` = `ABCD-EFGH-…`);
  a code that cannot be one (wrong length, letters outside the alphabet, a wrong check character) is
  422, a well-formed code no letter has is 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .v1 import _Model, request_text

PREFIX = "/api/v1/letters"
VERIFY_PATH = PREFIX + "/verify/{code}"

# Lengths a template may have: a letter is one A4 page, with the longest template of these limits.
TITLE_MAX = 60
BODY_MAX = 1000
LEGAL_BASIS_MAX = 300
RIGHTS_MAX = 500
CHANNELS_MAX = 4
CHANNEL_LABEL_MAX = 30
CHANNEL_DETAIL_MAX = 100
DEADLINE_DAYS_MIN = 3
DEADLINE_DAYS_MAX = 60

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
TemplateCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Lang = Literal["zh", "en"]
# The designated repayment channels (app.domain.enums.PaymentMethod): never a person's account.
ChannelKind = Literal["bank_transfer", "platform_app", "alipay_official", "wechat_official"]
Phone = Annotated[str, StringConstraints(pattern=r"^[0-9+()\- ]{5,32}$")]
FirmName = request_text(100, min_length=2)
LawyerName = request_text(50, min_length=2)
Letterhead = request_text(100)
PostalAddress = request_text(200, min_length=4)
ChannelLabel = request_text(CHANNEL_LABEL_MAX, min_length=2)
ChannelDetail = request_text(CHANNEL_DETAIL_MAX)
AccountText = request_text(60)
Title = request_text(TITLE_MAX, min_length=2)
Body = request_text(BODY_MAX, min_length=10, multiline=True)
LegalBasis = request_text(LEGAL_BASIS_MAX, min_length=4, multiline=True)
Rights = request_text(RIGHTS_MAX, min_length=10, multiline=True)
Email = Annotated[str, StringConstraints(pattern=r"^$|^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,20}$",
                                         max_length=200)]


class LawFirmData(_Model):
    """A law firm that signs letters (律师事务所), with the lawyer who signs and their licence number."""

    code: Code
    name: FirmName
    lawyer: LawyerName
    licence_no: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{6,32}$")]  # 律师执业证号
    letterhead: Letterhead  # the firm's name as its letterhead shows it ("" = the name)
    address: PostalAddress
    phone: Phone
    email: Email = ""


class LawFirmsData(_Model):
    firms: list[LawFirmData] = Field(max_length=200)


class ChannelData(_Model):
    """One designated repayment channel as the letter prints it.

    bank_transfer: the creditor's own corporate account (`account_name` must name an organisation,
    `bank`, `account_no` digits); platform_app / alipay_official / wechat_official: the lender's
    official app, Alipay or WeChat service (`detail` says where to find it). Never a person's account.
    """

    kind: ChannelKind
    label: ChannelLabel
    detail: ChannelDetail = ""
    account_name: AccountText = ""
    bank: AccountText = ""
    account_no: Annotated[str, StringConstraints(pattern=r"^$|^[0-9 ]{8,40}$")] = ""


class LetterTemplateData(_Model):
    """A letter template of one firm. title, body, legal_basis and rights may hold merge fields
    (`{debtor_name}`, see `MERGE_FIELDS` in headoffice/letters/fields.py; `{{` and `}}` are braces)."""

    code: TemplateCode
    firm_code: Code
    lang: Lang = "zh"
    title: Title
    body: Body
    legal_basis: LegalBasis  # the reason and legal basis
    rights: Rights  # the debtor's rights, how to object
    deadline_days: Annotated[int, Field(ge=DEADLINE_DAYS_MIN, le=DEADLINE_DAYS_MAX)]
    channels: list[ChannelData] = Field(min_length=1, max_length=CHANNELS_MAX)
    active: bool = True


class LetterTemplateOut(LetterTemplateData):
    version: int
    set_by: str
    set_at: datetime


class LetterTemplatesData(_Model):
    templates: list[LetterTemplateData] = Field(max_length=200)


class LetterTemplatesOut(_Model):
    templates: list[LetterTemplateOut]


class LetterVerifyResponse(_Model):
    """What anyone holding a letter may learn from its code: no debtor data (no name, amount, address)."""

    code: str  # as printed: XXXX-XXXX-XXXX-XXXX
    valid: bool  # False: the letter was withdrawn
    firm: str
    lawyer: str
    licence_no: str
    date: date  # the letter's date
    case_no: str


__all__ = [
    "PREFIX", "VERIFY_PATH", "LawFirmData", "LawFirmsData", "ChannelData", "LetterTemplateData",
    "LetterTemplateOut", "LetterTemplatesData", "LetterTemplatesOut", "LetterVerifyResponse",
]
