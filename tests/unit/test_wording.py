"""The wording check refuses threats, insults and false legal claims, in Chinese and English, through
spacing, punctuation and full-width tricks, and names the rule; ordinary reminders pass."""

from __future__ import annotations

import pytest

from app.domain.wording import RULES, check_wording


@pytest.mark.parametrize("text", [
    "【某某】尊敬的客户，您的账单已逾期，请于12月10日前还款。如有困难请致电4000000000。",
    "Dear customer, your payment is overdue. Please pay by 10 December or call us.",
    "逾期将依法提起诉讼，您有权提出异议。",
    "A warranty for the product is attached.",  # "warrant" only as a whole word
    "",
])
def test_ordinary_reminders_pass(text: str) -> None:
    assert check_wording(text) == []


@pytest.mark.parametrize(("text", "rule"), [
    ("你这个老赖", "insult"),
    ("再不还就让你坐 牢", "false_legal_claim"),
    ("再不还就让你坐＊牢", "false_legal_claim"),
    ("公安已立案，等着吧", "false_legal_claim"),
    ("小心你的家人", "threat"),
    ("You will be ARRESTED.", "false_legal_claim"),
    ("pay now, deadbeat", "insult"),
    ("Pay or else.", "threat"),
    ("<b>Pay</b> 否则后果自负 😡", "threat"),
    ("x" * 10_000 + "老赖", "insult"),
])
def test_forbidden_wording_is_found_with_its_rule(text: str, rule: str) -> None:
    problems = check_wording(text)
    assert problems and problems[0].rule == rule
    assert rule in problems[0].describe("en") and problems[0].term in problems[0].describe("zh")


def test_every_rule_has_terms_in_both_languages() -> None:
    from app.domain.wording import _terms

    have = {(t.rule, t.language) for t in _terms()}
    assert have == {(r, lang) for r in RULES for lang in ("zh", "en")}
