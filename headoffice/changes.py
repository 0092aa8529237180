"""The pull log: server-assigned change sequence, opaque cursors, scoping and retention.

Ordering: every writer holds the write lock (see `db.py`) from its first statement to its commit,
and takes `max(seq) + 1` under it, so a seq is visible only after every smaller seq is. A reader
that has seen seq N has therefore seen everything below N: resuming from a cursor never skips.

Audience: a change row names who may receive it: one agent (`audience_agent`), one team
(`audience_team`, for supervisors) or both. Admins receive every case row but no removals.
For cases, each change writes one `case_upsert` row addressed to the current owner and team, plus
`case_removed` rows for an owner or team that lost the case. Upserts are served from the case's
current state; an upsert with a later upsert of the same case is skipped (the later one is served).

Retention: `prune(keep)` deletes rows more than `keep` changes old, except the newest upsert of
each case (so a full resync from no cursor is still complete), and records `retained_from`. A
cursor older than that gets 410 Gone: some removal or decision it needed may be gone.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from .models import Change, Meta, User

CURSOR_VERSION = 1


class CursorGone(Exception):
    """The cursor is older than what is retained (or from another database): full resync."""


class BadCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Cursor:
    epoch: str
    seq: int
    profile: str  # the compliance profile id:version the client last received

    def encode(self) -> str:
        raw = json.dumps({"v": CURSOR_VERSION, "e": self.epoch, "s": self.seq, "p": self.profile},
                         separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            pad = "=" * (-len(text) % 4)
            data = json.loads(base64.urlsafe_b64decode(text + pad))
            if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION:
                raise BadCursor("unknown cursor version")
            seq = data["s"]
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
                raise BadCursor("bad cursor")
            return cls(str(data["e"]), seq, str(data.get("p", "")))
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            if isinstance(exc, BadCursor):
                raise
            raise BadCursor("the cursor is not one this server issued") from exc


def ensure_meta(session: Session) -> None:
    if session.get(Meta, "epoch") is None:
        session.add(Meta(key="epoch", value=secrets.token_hex(8)))
    if session.get(Meta, "retained_from") is None:
        session.add(Meta(key="retained_from", value="0"))
    session.flush()


def meta(session: Session, key: str) -> str:
    row = session.get(Meta, key)
    if row is None:
        raise RuntimeError(f"database is not initialised (missing {key}); run init-db")
    return row.value


def _next_seq(session: Session) -> int:
    # Only ever called inside a write transaction, i.e. under the write lock.
    current = session.scalar(select(func.max(Change.seq)))
    floor = int(meta(session, "retained_from"))
    return max(current or 0, floor) + 1


class ChangeWriter:
    """Hands out consecutive seqs within one write transaction."""

    def __init__(self, session: Session, now: datetime):
        self.session = session
        self.now = now
        self._seq: int | None = None

    def add(self, kind: str, *, case_id: int | None = None, agent: int | None = None, team: str | None = None,
            event_id: str | None = None, data: dict[str, Any] | None = None) -> int:
        if self._seq is None:
            self._seq = _next_seq(self.session)
        else:
            self._seq += 1
        self.session.add(Change(seq=self._seq, kind=kind, case_id=case_id, audience_agent=agent,
                                audience_team=team, event_id=event_id,
                                data=None if data is None else json.dumps(data, ensure_ascii=False),
                                created_at=self.now))
        return self._seq

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Several change rows in one INSERT (each a dict of `add`'s keywords plus `kind`), in order."""
        if not rows:
            return
        if self._seq is None:
            self._seq = _next_seq(self.session) - 1
        values = []
        for r in rows:
            self._seq += 1
            data = r.get("data")
            if data is not None and not isinstance(data, str):  # a str is JSON already (shared by many rows)
                data = json.dumps(data, ensure_ascii=False)
            values.append({"seq": self._seq, "kind": r["kind"], "case_id": r.get("case_id"),
                           "audience_agent": r.get("agent"), "audience_team": r.get("team"),
                           "event_id": r.get("event_id"), "data": data,
                           "created_at": self.now})
        self.session.execute(insert(cast(Table, Change.__table__)), values)

    @staticmethod
    def case_rows(case_id: int, owner: int | None, team: str, old_owner: int | None = None,
                  old_team: str | None = None) -> list[dict[str, Any]]:
        """The rows `case_changed` writes, for `add_many`."""
        rows: list[dict[str, Any]] = []
        if old_owner is not None and old_owner != owner:
            rows.append({"kind": "case_removed", "case_id": case_id, "agent": old_owner})
        if old_team is not None and old_team != team:
            rows.append({"kind": "case_removed", "case_id": case_id, "team": old_team})
        rows.append({"kind": "case_upsert", "case_id": case_id, "agent": owner, "team": team or None})
        return rows

    def case_changed(self, case_id: int, owner: int | None, team: str, old_owner: int | None = None,
                     old_team: str | None = None) -> None:
        if old_owner is not None and old_owner != owner:
            self.add("case_removed", case_id=case_id, agent=old_owner)
        if old_team is not None and old_team != team:
            self.add("case_removed", case_id=case_id, team=old_team)
        self.add("case_upsert", case_id=case_id, agent=owner, team=team or None)


def scope_filter(user: User) -> Any:
    """Which change rows this user may receive."""
    if user.role == "admin":
        return Change.kind != "case_removed"
    if user.role == "supervisor":
        return or_(Change.audience_team == user.team,
                   and_(Change.audience_agent == user.id, Change.kind != "case_upsert"))
    return Change.audience_agent == user.id


PAGE_COLUMNS = (Change.seq, Change.kind, Change.case_id, Change.event_id, Change.data)


def read_page(session: Session, user: User, after: int, limit: int) -> tuple[list[Row[Any]], int, bool]:
    """Rows after `after` visible to `user`: (rows to serve, new cursor seq, more to come).

    The rows carry the columns a reply needs (seq, kind, case_id, event_id, data) as plain row
    tuples, not ORM objects: a page is read-only and may hold thousands of rows.
    The cursor advances past skipped rows too (superseded upserts), never beyond the last row read.
    """
    later = aliased(Change)
    superseded = (select(later.seq).where(later.case_id == Change.case_id, later.kind == "case_upsert",
                                          later.seq > Change.seq).exists())
    rows = list(session.execute(
        select(*PAGE_COLUMNS).where(Change.seq > after, scope_filter(user),
                                    or_(Change.kind != "case_upsert", ~superseded))
        .order_by(Change.seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        new_after = rows[-1].seq
    else:
        # Nothing for this user beyond `after`: move to the newest committed seq so the next
        # no-op pull starts from there (fewer rows to scan), never past it.
        new_after = max(after, session.scalar(select(func.max(Change.seq))) or 0)
    if not more and rows:
        new_after = max(new_after, session.scalar(select(func.max(Change.seq))) or 0)
    return rows, new_after, more


def check_cursor(session: Session, cursor: Cursor | None) -> int:
    """The seq to read after; raises CursorGone for a foreign or too-old cursor."""
    if cursor is None:
        return 0
    if cursor.epoch != meta(session, "epoch"):
        raise CursorGone("this cursor belongs to another head-office database")
    if cursor.seq < int(meta(session, "retained_from")):
        raise CursorGone("the cursor is older than the changes this server keeps")
    newest = session.scalar(select(func.max(Change.seq))) or 0
    if cursor.seq > max(newest, int(meta(session, "retained_from"))):
        raise CursorGone("the cursor is ahead of this server (restored from a backup?)")
    return cursor.seq


def prune(session: Session, keep: int) -> int:
    """Forget all but the newest `keep` changes (keeping each case's newest upsert). Returns rows deleted."""
    newest = session.scalar(select(func.max(Change.seq))) or 0
    cutoff = newest - keep
    if cutoff <= int(meta(session, "retained_from")):
        return 0
    later = aliased(Change)
    superseded = (select(later.seq).where(later.case_id == Change.case_id, later.kind == "case_upsert",
                                          later.seq > Change.seq).exists())
    result = session.execute(delete(Change).where(
        Change.seq <= cutoff, or_(Change.kind != "case_upsert", superseded)).execution_options(
        synchronize_session=False))
    row = session.get(Meta, "retained_from")
    assert row is not None
    row.value = str(cutoff)
    return int(getattr(result, "rowcount", 0) or 0)
