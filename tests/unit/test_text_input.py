"""The one rule for text from outside (app/domain/text_input.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.text_input import json_text_problem, shown, text_problem


@pytest.mark.parametrize("value", [
    "王伟", "Wang Wei 王伟", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "👨‍👩‍👧 家", "☺️", "", "a b",
    "x" * 200,
])
def test_ordinary_hostile_looking_text_passes(value: str) -> None:
    assert text_problem(value, max_length=200) is None


@pytest.mark.parametrize(("value", "words"), [
    ("\ud800", "a lone surrogate (U+D800) at character 1"),
    ("ab\udfff", "a lone surrogate (U+DFFF) at character 3"),
    ("a\x00b", "a NUL character at character 2"),
    ("a\x1b[31m", "a control character (U+001B) at character 2"),
    ("a\x85", "a control character (U+0085)"),
    ("a\tb", "a tab at character 2"),
    ("a\nb", "a line break at character 2; one line is expected"),
    ("a\u2028b", "a line separator"),
    ("abc\u202egpj.exe", "a bidirectional control character (U+202E) at character 4"),
    ("x" * 201, "is longer than 200 characters (201)"),
])
def test_one_line_problems_are_said_in_words(value: str, words: str) -> None:
    problem = text_problem(value, max_length=200)
    assert problem is not None and words in problem


def test_multiline_text_allows_tab_and_line_breaks_only() -> None:
    assert text_problem("第一行\r\n第二行\n\tindent", max_length=100, multiline=True) is None
    assert text_problem("a\x00", max_length=100, multiline=True) == "contains a NUL character at character 2"
    assert text_problem("a\x0b", max_length=100, multiline=True) == "contains a control character (U+000B) at character 2"
    assert text_problem("\ud83d", max_length=100, multiline=True) is not None


def test_json_problems_name_the_path() -> None:
    assert json_text_problem({"notes": "ok\nfine", "fields": {"a": [1, "x"]}}, max_length=100) is None
    assert json_text_problem({"fields": {"new_address": "a\x00"}}, max_length=100) == (
        "fields.new_address", "contains a NUL character at character 2")
    assert json_text_problem({"items": ["ok", "\ud800"]}, max_length=100) == (
        "items[1]", "contains a lone surrogate (U+D800) at character 1")
    path, problem = json_text_problem({"a": {"b\x07": 1}}, max_length=100) or ("", "")
    assert path == "a" and problem.startswith("has a key that contains a control character (U+0007)")
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    assert json_text_problem(deep, max_length=100, max_depth=32) == ("[0]" * 32, "is nested more than 32 levels deep")
    assert json_text_problem({"long": "y" * 101}, max_length=100) == ("long", "is longer than 100 characters (101)")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=60))
def test_the_problem_is_none_or_a_message_that_can_be_written_anywhere(value: str) -> None:
    problem = text_problem(value, max_length=50)
    if problem is None:
        value.encode("utf-8")  # what passes can be stored and sent
        assert len(value) <= 50
    else:
        problem.encode("utf-8")  # the words never carry the bad characters themselves
    label = shown(value)
    label.encode("utf-8")
    json.dumps(label, ensure_ascii=False).encode("utf-8")


def test_the_device_refuses_in_an_outcome_what_head_office_would_reject() -> None:
    from datetime import date

    from app.domain.enums import Channel
    from app.domain.outcomes import OutcomeCode
    from app.domain.validation import OutcomeFacts, OutcomeInvalid, clean_outcome_fields

    facts = OutcomeFacts(outstanding_fen=500_000, today=date(2026, 11, 29), max_promise_days=30)
    ok = clean_outcome_fields(OutcomeCode.MOVED, Channel.VISIT, {"new_address": "成都市\n锦江区 <b>1</b> 😀"},
                              "第一行\r\n第二行\tend", facts)
    assert ok == {"new_address": "成都市\n锦江区 <b>1</b> 😀"}
    with pytest.raises(OutcomeInvalid) as exc:
        clean_outcome_fields(OutcomeCode.MOVED, Channel.VISIT, {"new_address": "成都\x00市"}, "a\x1b[2Jb", facts)
    assert exc.value.errors == {"notes": "notes contains a control character (U+001B) at character 2",
                                "new_address": "new address contains a NUL character at character 3"}
