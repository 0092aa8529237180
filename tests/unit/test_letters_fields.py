"""Lawyer's letters, the pure parts: the closed merge fields, the save-time checks of firms and
templates (each refusal naming its rule), the verification code, and what a letter's content says
(amounts in figures and in capitals, cut values, one-pass merging)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.contract.letters import ChannelData, LawFirmData, LetterTemplateData, LetterTemplatesData
from app.domain.money import Money
from app.reports.capitals import in_capitals
from headoffice.letters import codes
from headoffice.letters.content import Facts, Firm, LetterContent, letter_content
from headoffice.letters.fields import LetterProblem, check_firm, check_template, fields_in, merge

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "letters"


def _template(**changes: Any) -> LetterTemplateData:
    data = json.loads((FIXTURES / "templates.json").read_text(encoding="utf-8"))["templates"][0]
    data.update(changes)
    return LetterTemplateData.model_validate(data)


def _refused(t: LetterTemplateData) -> LetterProblem:
    with pytest.raises(LetterProblem) as info:
        check_template(t, ["firm_a"])
    return info.value


def test_the_example_templates_and_firms_pass() -> None:
    data = LetterTemplatesData.model_validate_json((FIXTURES / "templates.json").read_text(encoding="utf-8"))
    for t in data.templates:
        check_template(t, ["firm_a", "firm_en"])
    for f in json.loads((FIXTURES / "firms.json").read_text(encoding="utf-8"))["firms"]:
        check_firm(LawFirmData.model_validate(f))


def test_merge_fields_are_a_closed_set_and_never_the_id_number() -> None:
    assert fields_in("{debtor_name}，{amount}，{{literal}}") == ["debtor_name", "amount"]
    assert _refused(_template(body="尊敬的{debtor_name}：您的身份证号{id_number}……")).code == "merge_field"
    assert "never printed" in _refused(_template(body="请{phone}联系我们，谢谢您的配合。")).detail
    problem = _refused(_template(body="尊敬的{debtor_nam}：请还款，谢谢您的配合。"))
    assert problem.code == "merge_field" and "unknown merge field {debtor_nam}" in problem.detail
    assert _refused(_template(body="a lone { brace in the body text")).code == "merge_field"


def test_merging_is_one_pass_so_a_value_is_never_read_as_a_template() -> None:
    values = {"debtor_name": "{amount}<font color=red>", "amount": "100"}
    assert merge("致{debtor_name}：{amount}元 {{x}}", values) == "致{amount}<font color=red>：100元 {x}"


@pytest.mark.parametrize(("body", "rule"), [
    ("如不还款，我们将让您坐牢，并通知您的单位。请尽快处理。", "false_legal_claim"),
    ("您这个老赖，赶紧还钱，别再拖了，我们会持续联系。", "insult"),
    ("如不还款将坐{amount}牢，请立即处理此事，谢谢。", "false_legal_claim"),
])
def test_wording_is_refused_naming_the_rule(body: str, rule: str) -> None:
    problem = _refused(_template(body=body))
    assert problem.code == "wording" and f"rule {rule}" in problem.detail and problem.detail.startswith("body:")


def test_a_personal_account_or_cash_is_not_a_designated_channel() -> None:
    personal = ChannelData(kind="bank_transfer", label="银行转账", account_name="张三", bank="工商银行",
                           account_no="6222020200112233445")
    assert "corporate account" in _refused(_template(channels=[personal])).detail
    cash = ChannelData(kind="platform_app", label="现金还款", detail="交给上门的外访员")
    assert _refused(_template(channels=[cash])).code == "channel"
    qr = ChannelData(kind="wechat_official", label="微信", detail="扫描催收员的个人收款码")
    assert _refused(_template(channels=[qr])).code == "channel"
    assert _refused(_template(body="请转账至 6222 0202 0011 2233 445，谢谢您的配合。")).code == "channel"
    with pytest.raises(ValidationError):  # only the designated kinds exist at all
        _template(channels=[{"kind": "personal_card", "label": "卡号", "detail": "x"}])


def test_emoji_and_unknown_fields_and_over_long_text_are_refused() -> None:
    assert _refused(_template(title="律师函 \U0001f600")).code == "unprintable"
    assert _refused(_template(rights="您有权提出异议 ☎ 请致电本所，我们将在五个工作日内答复。")).code == "unprintable"
    with pytest.raises(ValidationError, match="extra"):
        _template(footer="x")
    with pytest.raises(ValidationError, match="longer than 1,000 characters"):
        _template(body="欠" * 10_000)
    with pytest.raises(ValidationError):
        _template(body="请还款\u202e，谢谢您的配合，本所将跟进。")  # a bidirectional override
    with pytest.raises(LetterProblem, match="unknown_firm|no law firm"):
        check_template(_template(), ["another_firm"])


def test_markup_and_formulas_in_a_template_are_text_and_pass() -> None:
    check_template(_template(body="<script>alert(1)</script><font color=red><para>=HYPERLINK(\"x\")</para>"
                                  "</font> Mixed 中文 and English {debtor_name}"), ["firm_a"])


def test_a_firm_is_printed_as_written() -> None:
    firm = json.loads((FIXTURES / "firms.json").read_text(encoding="utf-8"))["firms"][0]
    with pytest.raises(LetterProblem, match="braces"):
        check_firm(LawFirmData.model_validate({**firm, "name": "某{debtor_name}律所"}))
    with pytest.raises(ValidationError):
        LawFirmData.model_validate({**firm, "licence_no": "11 10<b>"})


def test_a_code_is_random_typeable_and_self_checking() -> None:
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    code = made.pop()
    assert len(code) == 19 and code.count("-") == 3 and codes.normalise(code) == code
    raw = code.replace("-", "")
    assert codes.normalise(" " + raw.lower()[:8] + " – " + raw.lower()[8:] + "\u3000") == code
    assert codes.normalise(raw.replace("0", "o").replace("1", "l")) == code  # O and L read as 0 and 1
    for i in range(len(raw)):  # every single mistyped character is caught
        for ch in codes.ALPHABET:
            if ch != raw[i]:
                with pytest.raises(codes.CodeError):
                    codes.normalise(raw[:i] + ch + raw[i + 1:])
    swaps = [raw[:i] + raw[i + 1] + raw[i] + raw[i + 2:] for i in range(len(raw) - 1) if raw[i] != raw[i + 1]]
    caught = 0
    for swapped in swaps:
        try:
            codes.normalise(swapped)
        except codes.CodeError:
            caught += 1
    assert caught >= len(swaps) - 1  # Luhn mod 32 misses only one rare pair
    for bad in ("", "ABCD", "ABCD-EFGH-JKMN-PQRU", "x" * 65):
        with pytest.raises(codes.CodeError):
            codes.normalise(bad)


def _content(**facts: Any) -> LetterContent:
    firm = Firm("北京市明正律师事务所", "李文清", "11101201810234567", "", "北京市朝阳区", "010-65881234", "")
    base: dict[str, Any] = {"recipient": "王伟", "address": "成都市锦江区春熙路1号", "case_no": "C-1",
                            "loan_nos": ("L1", "L2", "L3", "L4", "L5"), "amount_fen": 1_000_001,
                            "letter_date": date(2026, 12, 1), "deadline": date(2026, 12, 16)}
    base.update(facts)
    t = _template()
    return letter_content(lang="zh", title=t.title, body=t.body, legal_basis=t.legal_basis, rights=t.rights,
                          deadline_days=t.deadline_days, channels=t.channels, firm=firm, facts=Facts(**base),
                          code="0000-0000-0000-0000", verify_base="https://check.example.com/")


def test_content_amounts_in_figures_and_capitals_and_cut_values() -> None:
    c = _content()
    assert c.amount == "人民币 10,000.01 元"
    assert c.amount_capitals == "壹万元零壹分" == in_capitals(Money(1_000_001))
    assert "人民币 10,000.01 元（壹万元零壹分）" in c.body
    assert c.deadline == "2026年12月16日" and c.letterhead == c.firm_name
    assert c.loan_nos == "L1、L2、L3、L4等5笔"
    assert c.verify_url == "https://check.example.com/api/v1/letters/verify/0000-0000-0000-0000"
    assert in_capitals(Money(10_000)) == "壹佰元整" and in_capitals(Money(100_000_05)) == "壹拾万元零伍分"
    long = _content(recipient="王" * 10_000 + "\x00", address="路" * 10_000)
    assert len(long.recipient) == 40 and long.recipient.endswith("…") and len(long.address) == 120
    assert LetterContent.from_json(long.to_json()) == long
