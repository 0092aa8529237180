"""Text handling for reports: wrapping keeps every character, escaping, formula neutralising, locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.reports.layout import Setup
from app.reports.locale import ReportLocale, locale_from_env
from app.reports.text import MISSING, clean, neutralise_cell, para_text
from app.reports.textblock import Widths, wrap_text


@pytest.fixture(scope="module")
def widths() -> Widths:
    return Setup.load().widths


ALPHABET = st.sampled_from(list("王小明成都市锦江区abcXYZ019 -_.,&<>;'\"@=+") + ["😀", "\u3000"])


@settings(max_examples=150, deadline=None)
@given(text=st.text(ALPHABET, max_size=300), width=st.floats(min_value=20, max_value=300))
def test_wrapping_keeps_every_character_within_the_width(widths: Widths, text: str, width: float) -> None:
    lines = wrap_text(text, widths, 9, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert len(line) == 1 or widths.text(line, 9) <= width + 0.01


def test_wrapping_prefers_spaces_for_latin_and_cuts_long_words(widths: Widths) -> None:
    lines = wrap_text("Knocked twice neighbour says he works days", widths, 9, 80)
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in lines)
    assert all(" ".join(lines).split() == "Knocked twice neighbour says he works days".split() for _ in [0])
    long = "A" * 200
    assert "".join(wrap_text(long, widths, 9, 50)) == long


def test_max_lines_marks_the_cut(widths: Widths) -> None:
    lines = wrap_text("王" * 500, widths, 9, 60, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")


def test_para_text_escapes_markup() -> None:
    assert para_text("<b>王</b> & <para>") == "&lt;b&gt;王&lt;/b&gt; &amp; &lt;para&gt;"
    assert para_text("a\nb") == "a<br/>b"
    assert para_text(None) == MISSING and para_text("   ") == MISSING
    assert para_text("x" * 50, limit=10) == "x" * 9 + "…"
    assert clean("a\x00b\x1bc") == "abc"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_formula_starts_are_neutralised(value: str) -> None:
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["王小明", "1-2", "a=b", "", "CD260000001"])
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert neutralise_cell(value) == value


def test_dates_and_times_in_each_language() -> None:
    zh, en = ReportLocale("zh"), ReportLocale("en")
    at = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)  # 22:05 in Chengdu
    assert zh.datetime(at) == "2026年11月30日 22:05"
    assert en.datetime(at) == "30 Nov 2026 22:05"
    assert zh.date(date(2026, 11, 30), weekday=True) == "2026年11月30日 星期一"
    assert en.short_date(date(2026, 1, 2)) == "2 Jan" and zh.short_date(date(2026, 1, 2)) == "1月2日"
    assert zh.term("promise_to_pay") == "承诺还款" and en.term("something_new") == "something_new"
    assert zh.term(None) == MISSING
    assert locale_from_env({"LANG": "en_GB.UTF-8"}).lang == "en"
    assert locale_from_env({"LANG": "zh_CN.UTF-8"}).lang == "zh"
    assert locale_from_env({}).lang == "zh"
    with pytest.raises(ValueError):
        ReportLocale("fr")
