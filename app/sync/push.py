"""Pushing the outbox: events in device-sequence order, in batches, results applied per batch.

Each batch's results are written in one local transaction: accepted/duplicate → acknowledged
(server_seq kept) and the outbox row deleted; flagged → acknowledged with the reason kept for the
Sync view; rejected → a dead-letter row and the outbox row deleted. One bad event never blocks the
rest. If the process dies after the server committed but before this transaction, the next push
sends the same events again and the server answers `duplicate` with the stored result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text, update

from app.contract import v1
from app.store import models as m
from app.store.engine import Store
from app.store.types import from_db_time

from .client import HeadOfficeClient
from .errors import ProtocolError

Step = Callable[[str, dict[str, Any]], None]

# Queued supervisor commands that travel by their own endpoint, not the event push: a case assignment
# goes to POST /cases/assign with the version the supervisor saw (app.services.assigning delivers it).
COMMAND_KINDS = ("assign",)


@dataclass
class PushTotals:
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    flagged: int = 0
    rejected: int = 0
    batches: int = 0
    flagged_reasons: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)

    @property
    def acknowledged(self) -> int:
        return self.accepted + self.duplicate + self.flagged


@dataclass(frozen=True)
class Pending:
    event_id: str
    device_seq: int
    wire: dict[str, Any] | None  # None: cannot even be encoded (local damage)
    problem: str = ""


def wire_event(e: m.Event) -> dict[str, Any]:
    """The event as it travels (EventIn). Raises ValueError if the stored payload is not JSON."""
    payload = json.loads(e.payload)
    if not isinstance(payload, dict):
        raise ValueError("payload is not a JSON object")
    return {
        "id": e.id, "device_id": e.device_id, "device_seq": e.device_seq, "case_id": e.case_id,
        "case_version": e.case_version, "kind": e.kind, "payload": payload,
        "occurred_at": e.occurred_at.isoformat(), "schema_version": e.schema_version, "replaces": e.replaces,
    }


def pending_count(store: Store) -> int:
    from sqlalchemy import func

    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(m.Outbox)) or 0)


def next_batch(store: Store, after_seq: int, limit: int) -> list[Pending]:
    """The next `limit` queued events after `after_seq`, in device-sequence order, encoded for the wire.

    One plain query (no ORM objects): a long queue is read 500 events at a time while head office
    works on the previous batch, on the same two cores."""
    with store.read() as session:
        rows = session.execute(text(
            "SELECT e.id, e.device_id, e.device_seq, e.case_id, e.case_version, e.kind, e.payload, e.occurred_at, "
            "e.schema_version, e.replaces FROM outbox o JOIN events e ON e.id = o.event_id "
            "WHERE o.id > :after AND e.kind NOT IN (SELECT value FROM json_each(:skip)) "
            "ORDER BY o.id LIMIT :n"),  # an outbox row's id is its event's device_seq
            {"after": after_seq, "skip": json.dumps(COMMAND_KINDS), "n": limit}).all()
    out: list[Pending] = []
    for event_id, device_id, device_seq, case_id, case_version, kind, payload, occurred, schema, replaces in rows:
        try:
            body = json.loads(payload)
            if not isinstance(body, dict):
                raise ValueError("payload is not a JSON object")
            out.append(Pending(event_id, device_seq, {
                "id": event_id, "device_id": device_id, "device_seq": device_seq, "case_id": case_id,
                "case_version": case_version, "kind": kind, "payload": body,
                "occurred_at": from_db_time(occurred).isoformat(), "schema_version": schema, "replaces": replaces}))
        except (ValueError, TypeError) as exc:
            out.append(Pending(event_id, device_seq, None, f"stored event is damaged: {exc}"))
    return out


def apply_results(store: Store, batch: Sequence[Pending], results: Sequence[v1.EventResult], now: datetime,
                  local_rejects: Sequence[Pending] = (), status_code: int = 422) -> PushTotals:
    """Write one batch's results in one transaction. Events the server did not answer stay queued."""
    totals = PushTotals()
    by_id = {r.id: r for r in results}
    acked: list[dict[str, Any]] = []
    unanswered: list[dict[str, Any]] = []
    dead: list[tuple[str, int, str]] = [(p.event_id, 0, p.problem) for p in local_rejects]
    for p in batch:
        r = by_id.get(p.event_id)
        if r is None:
            unanswered.append({"id": p.event_id})
        elif r.status in ("accepted", "duplicate", "flagged"):
            flagged = r.status == "flagged"
            acked.append({"id": p.event_id, "state": "flagged" if flagged else "acked", "seq": r.server_seq,
                          "reason": r.flag_reason if flagged else None})
            setattr(totals, r.status, getattr(totals, r.status) + 1)
            if flagged:
                totals.flagged_reasons.append((p.event_id, r.flag_reason or ""))
        else:
            dead.append((p.event_id, status_code, r.error or "rejected by head office"))
    totals.rejected = len(dead)
    with store.write() as session:
        if acked:
            # One UPDATE and one DELETE for the whole batch (the acknowledgements travel as one JSON array).
            acks = json.dumps(acked, ensure_ascii=False)
            session.execute(text(
                "UPDATE events SET sync_state = json_extract(j.value, '$.state'), "
                "server_seq = json_extract(j.value, '$.seq'), flag_reason = json_extract(j.value, '$.reason') "
                "FROM json_each(:acks) AS j WHERE events.id = json_extract(j.value, '$.id')"), {"acks": acks})
            session.execute(text("DELETE FROM outbox WHERE event_id IN "
                                 "(SELECT json_extract(value, '$.id') FROM json_each(:acks))"), {"acks": acks})
        if unanswered:
            session.execute(text("UPDATE outbox SET attempts = attempts + 1, last_error = "
                                 "'no answer for this event in the server''s reply' WHERE event_id = :id"), unanswered)
        for event_id, code, error in dead:
            _dead(session, event_id, code, error, now)
    return totals


def _dead(session: Any, event_id: str, status_code: int, error: str, now: datetime) -> None:
    session.execute(update(m.Event).where(m.Event.id == event_id).values(sync_state="dead"))
    session.execute(delete(m.Outbox).where(m.Outbox.event_id == event_id))
    if session.scalar(select(m.DeadLetter.id).where(m.DeadLetter.event_id == event_id)) is None:
        session.add(m.DeadLetter(event_id=event_id, status_code=status_code, error=error[:2000], at=now))


def push_outbox(store: Store, client: HeadOfficeClient, now: Callable[[], datetime], batch_size: int = 200,
                step: Step | None = None, progress: Callable[[int, int], None] | None = None) -> PushTotals:
    """Push everything queued when the call starts (and anything added meanwhile), in order.

    One request is in flight at a time, so head office receives the batches in sequence order; while
    it works on one, the next is read and encoded here, and the reply to one is written locally while
    the next is already on its way.
    """
    step = step or (lambda _name, _info: None)
    batch_size = max(1, min(batch_size, v1.MAX_EVENTS_PER_PUSH))
    total = PushTotals()
    queued = pending_count(store)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-push")

    def send(items: list[Pending]) -> Future[v1.PushResponse] | None:
        step("push.sending", {"first_seq": items[0].device_seq, "count": len(items)})
        wires = [p.wire for p in items if p.wire is not None]
        return pool.submit(client.push, wires) if wires else None

    try:
        items = next_batch(store, 0, batch_size)
        future = send(items) if items else None
        while items:
            good = [p for p in items if p.wire is not None]
            bad = [p for p in items if p.wire is None]
            upcoming = next_batch(store, items[-1].device_seq, batch_size)  # read while the server works
            try:
                results = future.result().results if future is not None else []
            except ProtocolError as exc:
                after, size = _after_refusal(store, exc, good, now, total, step)
                items = next_batch(store, after, size)
                future = send(items) if items else None
                continue
            step("push.replied", {"count": len(results)})
            future = send(upcoming) if upcoming else None
            t = apply_results(store, good, results, now(), local_rejects=bad)
            t.sent = len(good)
            t.batches = 1
            _add(total, t)
            if progress:
                progress(total.sent + total.rejected, max(queued, total.sent + total.rejected))
            step("push.applied", {"last_seq": items[-1].device_seq})
            items = upcoming
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return total


def _after_refusal(store: Store, exc: ProtocolError, good: list[Pending], now: Callable[[], datetime],
                   total: PushTotals, step: Step) -> tuple[int, int]:
    """A whole batch was refused: (seq to continue after, batch size to use). Raises if it cannot help."""
    first_seq = good[0].device_seq
    if exc.status_code in (400, 413, 422) and len(good) == 1:
        # Head office refused a one-event request outright: that event goes to the dead-letter list.
        step("push.replied", {"count": 1})
        refused = v1.EventResult(id=good[0].event_id, status="rejected", error=str(exc))
        _add(total, apply_results(store, good, [refused], now(), status_code=exc.status_code or 422))
        return first_seq, 1
    if exc.status_code in (400, 413, 422) and len(good) > 1:
        # Too large, or one item the server chokes on: halve the batch until it passes or is isolated.
        return first_seq - 1, max(1, len(good) // 2)
    raise exc


def _add(total: PushTotals, t: PushTotals) -> None:
    for name in ("sent", "accepted", "duplicate", "flagged", "rejected", "batches"):
        setattr(total, name, getattr(total, name) + getattr(t, name))
    total.flagged_reasons.extend(t.flagged_reasons)
