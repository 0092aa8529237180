"""The escalation ladder of pulled cases: each case's level, why it is at a door, and its trail.

Head office runs the ladder; the laptop keeps what it sends with each case upsert (`CaseData.ladder_level`,
`trigger_why`, `ladder`) and edits none of it. Each upsert replaces the case's ladder rows with what came:
applying the same page twice leaves the same rows, an item head office no longer sends goes, and a
case removed from the laptop takes its rows with it (`apply_removals.remove_cases`).

The trail's data is kept as head office's JSON; the laptop words it when it shows it
(`app.services.ladder_words`), as plain text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.contract import v1
from app.store.types import to_db_time

from .local_writes import executemany, json_id_list, run

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

# case id → (ladder level, the trigger's evidence, the trail oldest first)
Ladders = Mapping[int, tuple[str | None, v1.TriggerData | None, Sequence[v1.TrailItemData]]]


def ladders_of(cases: Sequence[v1.CaseData]) -> dict[int, tuple[str | None, v1.TriggerData | None,
                                                                Sequence[v1.TrailItemData]]]:
    return {c.id: (c.ladder_level, c.trigger_why, c.ladder) for c in cases}


def write_ladder(session: Session, ladders: Ladders) -> None:
    """Replace these cases' ladder rows with what head office sent (in the caller's transaction)."""
    if not ladders:
        return
    ids = json_id_list(ladders)
    items = [(case_id, t) for case_id, (_l, _w, trail) in ladders.items() for t in trail]
    run(session, "DELETE FROM ladder_trail WHERE case_id IN (SELECT value FROM json_each(:c)) "
                 "OR id IN (SELECT value FROM json_each(:t))",
        {"c": ids, "t": json_id_list(t.id for _c, t in items)})
    run(session, "DELETE FROM case_ladder WHERE case_id IN (SELECT value FROM json_each(:c))", {"c": ids})
    states: list[dict[str, Any]] = [
        {"case": case_id, "level": level[:64] if level else None,
         "why": json.dumps(why.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) if why else None}
        for case_id, (level, why, _t) in ladders.items() if level or why is not None]
    executemany(session, "INSERT INTO case_ladder(case_id, level, trigger_why) VALUES (:case, :level, :why)",
                states)
    rows: list[dict[str, Any]] = [
        {"id": t.id, "case": case_id, "at": to_db_time(t.at), "kind": t.kind,
         "data": json.dumps(t.data, ensure_ascii=False, sort_keys=True, default=str),
         "sha": t.attachment_sha256 if t.attachment_sha256 and _SHA256.match(t.attachment_sha256) else None}
        for case_id, t in items]
    # OR REPLACE: an id sent twice in one page (or for two cases) keeps the last, never fails the page.
    executemany(session, "INSERT OR REPLACE INTO ladder_trail(id, case_id, at, kind, data, attachment_sha256) "
                         "VALUES (:id, :case, :at, :kind, :data, :sha)", rows)
