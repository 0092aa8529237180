"""The ladder as the laptop receives it with a case: its level, why it is at a door, and its trail."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CaseLadder, CaseTrailItem

TRAIL_LIMIT = 200  # newest trail items sent per case


def ladder_data(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """For each case that has any: {"ladder_level", "trigger_why", "ladder"} as the wire `CaseData` fields."""
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {"ladder_level": None, "trigger_why": None, "ladder": []})
    for start in range(0, len(ids), 900):
        chunk = list(ids[start:start + 900])
        for case_id, level, trigger, evidence in session.execute(
                select(CaseLadder.case_id, CaseLadder.level, CaseLadder.trigger, CaseLadder.evidence)
                .where(CaseLadder.case_id.in_(chunk))).tuples():
            item = out[case_id]
            item["ladder_level"] = level
            if trigger and evidence:
                why = json.loads(evidence)
                item["trigger_why"] = {"trigger": trigger, "detected_on": why.get("detected_on"),
                                       "facts": why.get("facts", []), "thresholds": why.get("thresholds", {})}
        counts: dict[int, int] = defaultdict(int)
        for r in session.execute(
                select(CaseTrailItem.case_id, CaseTrailItem.id, CaseTrailItem.at, CaseTrailItem.kind,
                       CaseTrailItem.data, CaseTrailItem.attachment_sha256)
                .where(CaseTrailItem.case_id.in_(chunk))
                .order_by(CaseTrailItem.case_id, CaseTrailItem.at.desc(), CaseTrailItem.id.desc())):
            if counts[r.case_id] >= TRAIL_LIMIT:
                continue
            counts[r.case_id] += 1
            out[r.case_id]["ladder"].append({"id": r.id, "at": r.at, "kind": r.kind, "data": json.loads(r.data),
                                             "attachment_sha256": r.attachment_sha256})
    for item in out.values():
        item["ladder"].reverse()  # oldest first, like the history
    return dict(out)
