"""Hash chain for the append-only audit log (pure: the store feeds it rows)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, seq: int, at_iso: str, actor: str, action: str, entity: str,
               entity_id: str, data_json: str) -> str:
    h = hashlib.sha256()
    for part in (prev_hash, str(seq), at_iso, actor, action, entity, entity_id, data_json):
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at_iso: str
    actor: str
    action: str
    entity: str
    entity_id: str
    data_json: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(rows: Iterable[AuditRow]) -> list[ChainProblem]:
    """Finds edited, removed, inserted or reordered entries. Rows must come in stored order."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for row in rows:
        if row.seq != expected_seq:
            problems.append(ChainProblem(row.seq, f"expected entry {expected_seq}: an entry was removed or reordered"))
        if row.prev_hash != prev:
            problems.append(ChainProblem(row.seq, "does not follow the previous entry (removed or reordered)"))
        recomputed = entry_hash(row.prev_hash, row.seq, row.at_iso, row.actor, row.action, row.entity,
                                row.entity_id, row.data_json)
        if recomputed != row.hash:
            problems.append(ChainProblem(row.seq, "content was edited after it was written"))
        prev = row.hash
        expected_seq = row.seq + 1
    return problems
