"""A malformed or hostile compliance profile (the settings file head office serves with `--profile FILE.json`,
and the profile a device keeps from its last pull) is one clear ProfileError, never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.compliance import ProfileError, builtin_profile, load_profile_json
from headoffice.cli import main as headoffice_main
from headoffice.config import load_profile

CN: dict[str, Any] = dict(builtin_profile("CN").raw)


@pytest.mark.parametrize(("change", "words"), [
    ({"name": "中国\ud800"}, "name contains a lone surrogate (U+D800)"),
    ({"id": "CN\x00"}, "id contains a NUL character"),
    ({"messages": {"night": {"en": "no \x1b[5mcalls\x1b[0m"}}}, "messages.night.en contains a control character"),
    ({"messages": ["night"]}, "messages must be an object"),
    ({"messages": {"night": "text"}}, "messages.night must be an object"),
    ({"third_party": ["x"]}, "invalid compliance profile"),
    ({"version": 1e999}, "invalid compliance profile"),
    ({"contact_window": {"start": "08:00", "end": "22:00", "acts": "call"}}, "invalid compliance profile"),
    ({"timezone": "../../etc/passwd"}, "invalid compliance profile"),
    ({"timezone": "Mars/Olympus"}, "invalid compliance profile"),
    ({"name": "n" * 3000}, "name is longer than 2,000 characters"),
])
def test_a_hostile_profile_is_one_profile_error(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile_json(json.dumps({**CN, **change}))
    assert words in str(exc.value)
    str(exc.value).encode("utf-8")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"version": ' + "9" * 5000 + "}", "[]", "nul\x00l",
                                  ""])
def test_text_that_is_no_profile_is_a_profile_error(text: str) -> None:
    with pytest.raises(ProfileError):
        load_profile_json(text)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(exclude_categories=())),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(key=st.sampled_from(sorted(CN)), value=JSON)
def test_any_value_for_any_key_loads_or_is_a_profile_error(key: str, value: Any) -> None:
    try:
        load_profile_json(json.dumps({**CN, key: value}))
    except ProfileError as exc:
        str(exc).encode("utf-8")


def test_serve_with_a_bad_profile_file_says_so_in_one_line(tmp_path: Path) -> None:
    cases = {
        "not-utf8.json": b'{"id": "\xff"}',
        "hostile.json": json.dumps({**CN, "name": "\ud800"}).encode(),
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "missing.json": None,
    }
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = headoffice_main(["serve", "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", "--port", "0",
                                    "--profile", str(path)])
        assert code == 2, name
        assert err.getvalue().startswith("error: ") and err.getvalue().count("\n") == 1, err.getvalue()
        assert str(path) in err.getvalue() or "cannot read" in err.getvalue()
    assert not (tmp_path / "none.sqlite3").exists()  # refused before the database is touched


def test_a_good_profile_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "cn.json"
    path.write_text("\ufeff" + json.dumps(CN, ensure_ascii=False), encoding="utf-8")
    profile, raw = load_profile(str(path))
    assert profile.id == "CN" and raw["id"] == "CN"
