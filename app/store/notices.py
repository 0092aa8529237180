"""The text of a notice (`notices.text`) by kind.

A supervisor's decision is kept as data (JSON: subject, approved, by, reason), so the case's timeline
words the verdict in the user's language; the reason is the supervisor's own words, shown as given.
Notices written before that hold English free text; `read_decision` returns None for them.
"""

from __future__ import annotations

import json
from typing import Any

_DECISION_KEYS = frozenset({"subject", "approved", "by", "reason"})


def decision_text(subject: str, approved: bool, by: str, reason: str) -> str:
    return json.dumps({"subject": subject, "approved": approved, "by": by, "reason": reason}, ensure_ascii=False,
                      sort_keys=True)


def read_decision(text: str) -> dict[str, Any] | None:
    """The verdict in a decision notice; None for one of the older free-text form."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not _DECISION_KEYS <= data.keys():
        return None
    return data
