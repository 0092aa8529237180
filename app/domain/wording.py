"""Wording a collector's SMS or letter must never use: threats, insults and false legal claims.

The word lists are data, one file per language (`wordlists/zh.json`, `wordlists/en.json`), each with
its rules named (`threat`, `insult`, `false_legal_claim`). A text is checked against every language's
list, so a mixed Chinese/English template is checked in both. Chinese terms are matched after NFKC
with spaces, punctuation and symbols removed (坐 牢, 坐*牢 and full-width forms match 坐牢); other
terms are matched as whole words after NFKC and case folding.

A word list stops the plain cases at the moment a template is saved; it is not a judge of tone, and
a supervisor still reads what is sent. `check_wording` is pure and fast (a template of 10,000
characters takes well under a millisecond per term).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

RULES = ("threat", "insult", "false_legal_claim")
RULE_NAMES: Mapping[str, Mapping[str, str]] = {
    "threat": {"en": "threats", "zh": "威胁恐吓"},
    "insult": {"en": "insults", "zh": "侮辱谩骂"},
    "false_legal_claim": {"en": "false legal claims", "zh": "虚假法律后果"},
}
LANGUAGES = ("zh", "en")


@dataclass(frozen=True, slots=True)
class WordingProblem:
    rule: str  # threat | insult | false_legal_claim
    term: str  # the listed term that matched
    language: str  # the list it is on

    def describe(self, lang: str = "en") -> str:
        name = RULE_NAMES[self.rule].get(lang) or RULE_NAMES[self.rule]["en"]
        if lang == "zh":
            return f"含有禁用措辞（{name}，规则 {self.rule}）：“{self.term}”"
        return f"uses wording that is not allowed ({name}, rule {self.rule}): \u201c{self.term}\u201d"


def _is_cjk(term: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in term)


def _squeeze(text: str) -> str:
    """NFKC, case-folded, without spaces, punctuation, symbols, marks or format characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _words(text: str) -> str:
    """NFKC, case-folded; every run of non-letters/digits becomes one space, with a space at each end."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in text)
    return " " + " ".join(out.split()) + " "


@dataclass(frozen=True, slots=True)
class _Term:
    rule: str
    term: str
    language: str
    key: str
    squeezed: bool


@lru_cache(maxsize=1)
def _terms() -> tuple[_Term, ...]:
    out: list[_Term] = []
    for lang in LANGUAGES:
        data = json.loads(resources.files(__package__).joinpath("wordlists", f"{lang}.json").read_text("utf-8"))
        for rule, terms in data["rules"].items():
            if rule not in RULES:
                raise ValueError(f"wordlists/{lang}.json names an unknown rule {rule!r}")
            for term in terms:
                if _is_cjk(term):
                    out.append(_Term(rule, term, lang, _squeeze(term), True))
                else:
                    out.append(_Term(rule, term, lang, _words(term), False))
    return tuple(out)


def check_wording(text: str) -> list[WordingProblem]:
    """Every listed term the text uses, in list order (empty: nothing found)."""
    squeezed, words = _squeeze(text), _words(text)
    problems: list[WordingProblem] = []
    for t in _terms():
        if (t.key in squeezed) if t.squeezed else (t.key in words):
            problems.append(WordingProblem(t.rule, t.term, t.language))
    return problems


def wording_rules() -> Sequence[str]:
    return RULES


