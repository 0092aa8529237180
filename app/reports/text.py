"""Text that reaches a PDF or a spreadsheet: escaped, never interpreted.

reportlab's Paragraph parses a small XML markup (<b>, <para>, &amp;…). Every piece of user or
server text goes through `para_text` first so a debtor called "<b>王</b> & Co" prints literally.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

MISSING = "—"

# C0/C1 control characters (except tab/newline) break PDF text and XML parsing; they never mean anything here.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_LONG_RUN = re.compile(r"\S{28,}")


def clean(value: object) -> str:
    """A value as plain printable text; None and blanks become the dash."""
    if value is None:
        return MISSING
    s = _CONTROL.sub("", unicodedata.normalize("NFC", str(value))).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\t", " ").strip()
    return s if s else MISSING


def para_text(value: object, limit: int | None = None) -> str:
    """Escape for a reportlab Paragraph; newlines become line breaks. `limit` cuts very long text with '…'."""
    s = clean(value)
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    return escape(s).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")


def needs_cjk_wrap(value: str) -> bool:
    """Chinese text, or a run with no break opportunity, must wrap character by character."""
    return bool(_CJK.search(value) or _LONG_RUN.search(value))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_cell(value: str) -> str:
    """A text cell a spreadsheet would run as a formula (starts with =, +, -, @, tab, CR, LF) gets a leading '.

    OWASP's advice for CSV injection: the apostrophe makes Excel and LibreOffice show the cell as
    text. The original text follows it unchanged, so nothing is lost. Numbers are written as numbers
    and never pass through here.
    """
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value
