"""Text that comes from outside (import files, stop lists, settings and profile files, API bodies).

One rule for every entry point, so the app and head office refuse the same things and say so in the
same words. `text_problem` returns what is wrong, in words, or None:

* a lone surrogate (U+D800–U+DFFF): not a character; no database or file encoding can hold it;
* NUL and the other C0/C1 control characters (tab, line feed and carriage return are allowed in
  multi-line text; one-line text allows none of them, nor the line and paragraph separators);
* bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069), which make
  a text display as something other than what it is;
* more than `max_length` characters.

Emoji (with their joiners and variation selectors), Chinese, and markup such as `<script>` are text
like any other: they pass, and are escaped where they are shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 32  # nesting of JSON objects and lists from outside

_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break (carriage return)",
          "\u2028": "a line separator", "\u2029": "a paragraph separator", "\x00": "a NUL character"}


def _describe(ch: str) -> str:
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X})"
    if ch in _NAMES:
        return _NAMES[ch]
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return f"a bidirectional control character (U+{code:04X})"
    return f"a control character (U+{code:04X})"


def text_problem(value: str, *, max_length: int, multiline: bool = False) -> str | None:
    """What is wrong with `value` as text from outside, in words ("contains a NUL character at
    character 3"); None if nothing is. The words never repeat the text itself."""
    if len(value) > max_length:
        return f"is longer than {max_length:,} characters ({len(value):,})"
    bad = (_MULTI_LINE if multiline else _ONE_LINE).search(value)
    if bad is None:
        return None
    where = f" at character {bad.start() + 1:,}"
    if bad.group() in "\n\r\u2028\u2029":
        return f"contains {_describe(bad.group())}{where}; one line is expected"
    return f"contains {_describe(bad.group())}{where}"


def json_text_problem(value: Any, *, max_length: int, max_key_length: int = 64,
                      max_depth: int = MAX_DEPTH) -> tuple[str, str] | None:
    """The first (path, problem) among the strings of a decoded JSON value: keys are one-line text,
    string values may span lines. Also refuses nesting deeper than `max_depth`. None if all is well.
    The path is dotted (`fields.new_address`, `items[2]`); "" is the value itself."""
    stack: list[tuple[str, Any, int]] = [("", value, 0)]
    while stack:
        path, item, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item, max_length=max_length, multiline=True)
            if problem is not None:
                return path, problem
        elif isinstance(item, Mapping | list):
            if depth >= max_depth:
                return path, f"is nested more than {max_depth} levels deep"
            if isinstance(item, list):
                stack.extend((f"{path}[{i}]", v, depth + 1) for i, v in reversed(list(enumerate(item))))
                continue
            children = []
            for key, v in item.items():
                key_text = str(key)
                problem = text_problem(key_text, max_length=max_key_length)
                if problem is not None:
                    return path, f"has a key that {problem}"
                children.append((f"{path}.{key_text}" if path else key_text, v, depth + 1))
            stack.extend(reversed(children))
    return None


def shown(value: str, limit: int = 40) -> str:
    """`value` as it may appear inside a message: as is when it is clean one-line text, else quoted with
    escapes (a message must itself be writable to a terminal, a log and a JSON reply)."""
    clipped = value if len(value) <= limit else value[:limit] + "…"
    if text_problem(clipped, max_length=limit + 1) is None:
        return clipped
    return ascii(clipped)
