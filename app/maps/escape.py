"""Escaping text from data before it reaches a map page.

folium does not escape popup or tooltip text, and it pastes popup HTML into a JavaScript template
literal (`...`), so three things must be neutralised: HTML markup (`<img onerror=…>`,
`</script>`), the backtick that would end the literal, and `${` that would start an expression.
HTML-escaping them all to character references makes the text inert in both places while it
still reads the same to the user. Backslashes are escaped too, since a template literal would
interpret `\\u…` or drop a trailing backslash. Text is also capped so one hostile 10,000-character
field cannot bloat every popup.
"""

from __future__ import annotations

import html
import json

MAX_TEXT = 500

_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;", "\\": "&#92;"})


def clip(text: object, limit: int = MAX_TEXT) -> str:
    s = "" if text is None else str(text)
    s = s.replace("\x00", "")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def popup_text(text: object, limit: int = MAX_TEXT) -> str:
    """Text made safe for folium Popup/Tooltip HTML inside a JS template literal."""
    return html.escape(clip(text, limit), quote=True).translate(_EXTRA)


def script_json(value: object) -> str:
    """JSON safe to paste inside a <script> element: no `</script>`, `<!--` or line separators break out.

    Backticks and `$` are escaped too (they can only occur inside JSON strings), so the data stays
    inert even if some later template wrapped it in a template literal.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("`", "\\u0060").replace("$", "\\u0024")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
