"""What the laptop reads of head office's escalation ladder: a case's level, why it is at a door, and the
trail items for its timeline (read-only: the pull writes them, `app.sync.apply_ladder`; nothing here
changes them). The wording is `ladder_words`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import ensure_utc
from app.store import models as m


@dataclass(frozen=True, slots=True)
class LadderState:
    level: str | None  # the case's ladder level (a policy's level code), None: head office sent none
    why: dict[str, Any] | None  # TriggerData as a dict: why the case is at a door, None: no trigger detected


def _json(raw: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def ladder_state(session: Session, case_id: int) -> LadderState:
    row = session.get(m.CaseLadder, case_id)
    if row is None:
        return LadderState(None, None)
    return LadderState(row.level, _json(row.trigger_why))


def trail_entries(session: Session, case_id: int) -> list[tuple[datetime, str, dict[str, Any]]]:
    """The case's trail items oldest first as (at, kind, data). `data` is head office's JSON plus
    `attachment_sha256` (a letter's PDF), on a hold or release `level_then` (the level the case was at:
    the last level item before it, else its level now), and on a trigger `detected_on` when it has none
    (the item's day)."""
    state = ladder_state(session, case_id)
    rows = session.execute(select(m.LadderTrailItem.at, m.LadderTrailItem.kind, m.LadderTrailItem.data,
                                  m.LadderTrailItem.attachment_sha256)
                           .where(m.LadderTrailItem.case_id == case_id)
                           .order_by(m.LadderTrailItem.at, m.LadderTrailItem.id)).all()
    out: list[tuple[datetime, str, dict[str, Any]]] = []
    level: str | None = None
    for at, kind, raw, sha in rows:
        data = _json(raw) or {}
        if kind == "level" and isinstance(data.get("to"), str):
            level = data["to"]
        if kind in ("hold", "release"):
            data["level_then"] = level or state.level or ""
        if kind == "trigger" and "detected_on" not in data:
            data["detected_on"] = at.date().isoformat()  # when head office recorded it: dates of its year read short
        data["attachment_sha256"] = sha
        out.append((ensure_utc(at), kind, data))
    return out


def letter_case(session: Session, sha256: str) -> int | None:
    """The case whose trail names this letter PDF, if one on this laptop does."""
    found = session.scalar(select(m.LadderTrailItem.case_id).where(
        m.LadderTrailItem.attachment_sha256 == sha256).limit(1))
    return int(found) if found is not None else None


def letter_pdfs(session: Session, case_id: int) -> set[str]:
    """The SHA-256 of every letter PDF on the case's trail (kept like evidence once downloaded, shown as the
    letter rather than as a file of its own)."""
    return {str(s) for s in session.scalars(select(m.LadderTrailItem.attachment_sha256).where(
        m.LadderTrailItem.case_id == case_id, m.LadderTrailItem.attachment_sha256.is_not(None)))}
