"""What saving an outcome reads about one case, one statement each, on the bare DB-API connection.

`read_case_snapshot` runs before the writes (inside the same transaction, see `Store.write_db`): the
case's own columns and everything the compliance rules look at (recent attempts, the debtor's phone
statuses, a refusing third party, safety notes). `read_case_totals` runs after the writes: what the
case's list columns and priority are computed from (promises, payments, evasion signals, the last
right-party contact, pending relief, safety notes). The values are returned as stored (ISO text for
times and dates); the service turns them into domain objects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from .types import to_db_time


class AttemptFact(NamedTuple):
    at: str
    channel: str
    to_third_party: bool
    answered: bool
    right_party: bool
    phone: str | None


class NoteFact(NamedTuple):
    severity: str
    two_person_required: bool
    do_not_visit: bool
    text: str
    reported_at: str
    expires_at: str | None


class CaseSnapshot(NamedTuple):
    id: int
    case_no: str
    debtor_id: int
    version: int
    status: str
    paused_reason: str | None
    overdue_fen: int
    currency: str
    days_past_due: int
    promise_due: str | None
    safety_level: int
    priority: float
    priority_reasons: str
    last_contact_at: str | None
    accounts_outstanding_fen: int | None  # sum over the case's accounts (None: no accounts)
    attempts: list[AttemptFact]  # since the history start, in no particular order
    phone_statuses: list[str]
    third_party_refused: bool
    notes: list[NoteFact]  # not superseded; expiry not yet applied


_SNAPSHOT_SQL = """
SELECT c.id, c.case_no, c.debtor_id, c.version, c.status, c.paused_reason, c.overdue_fen, c.currency,
       c.days_past_due, c.promise_due, c.safety_level, c.priority, c.priority_reasons, c.last_contact_at,
       (SELECT sum(a.outstanding_fen) FROM accounts a WHERE a.case_id = c.id),
       (SELECT json_group_array(json_array(t.at, t.channel, t.to_third_party, t.answered, t.right_party, t.phone))
          FROM contact_attempts t WHERE t.case_id = c.id AND t.at >= :since),
       (SELECT json_group_array(p.status) FROM phones p WHERE p.debtor_id = c.debtor_id),
       (SELECT count(*) FROM emergency_contacts e
          WHERE e.debtor_id = c.debtor_id AND e.phone = :phone AND e.refused_contact = 1),
       (SELECT json_group_array(json_array(n.severity, n.two_person_required, n.do_not_visit, n.text,
                                           n.reported_at, n.expires_at))
          FROM safety_notes n WHERE (n.case_id = c.id OR n.debtor_id = c.debtor_id) AND n.superseded_by IS NULL)
FROM cases c WHERE c.id = :id"""


def _notes(raw: str) -> list[NoteFact]:
    return [NoteFact(n[0], bool(n[1]), bool(n[2]), n[3], n[4], n[5]) for n in json.loads(raw)]


def read_case_snapshot(db: Any, case_id: int, history_since: datetime, phone: str | None) -> CaseSnapshot | None:
    """The case and its compliance facts in one statement (None: the case is not on this device)."""
    r = db.execute(_SNAPSHOT_SQL, {"id": case_id, "since": to_db_time(history_since), "phone": phone or None}
                   ).fetchone()
    if r is None:
        return None
    attempts = [AttemptFact(a[0], a[1], bool(a[2]), bool(a[3]), bool(a[4]), a[5]) for a in json.loads(r[15])]
    return CaseSnapshot(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
                        r[14], attempts, json.loads(r[16]), bool(r[17]), _notes(r[18]))


class OpenPromiseFact(NamedTuple):
    id: int
    amount_fen: int
    currency: str
    due: str
    made_at: str


class PaymentFact(NamedTuple):
    amount_fen: int
    currency: str
    paid_at: str


class CaseTotals(NamedTuple):
    open_promises: list[OpenPromiseFact]
    broken_promises: int
    payments: list[PaymentFact]
    evasion_signals: int  # attempts since `evasion_since` with one of the evasion outcomes
    last_right_party_at: str | None
    pending_relief: int
    notes: list[NoteFact]  # not superseded; expiry not yet applied


_TOTALS_SQL = """
SELECT
  (SELECT json_group_array(json_array(p.id, p.amount_fen, p.currency, p.due, p.made_at))
     FROM promises p WHERE p.case_id = :id AND p.state = 'open'),
  (SELECT count(*) FROM promises p WHERE p.case_id = :id AND p.state = 'broken'),
  (SELECT json_group_array(json_array(y.amount_fen, y.currency, y.paid_at)) FROM payments y WHERE y.case_id = :id),
  (SELECT count(*) FROM contact_attempts t WHERE t.case_id = :id AND t.at >= :evasion_since
      AND t.outcome IN (SELECT value FROM json_each(:evasion_codes))),
  (SELECT max(t.at) FROM contact_attempts t WHERE t.case_id = :id AND t.right_party = 1),
  (SELECT count(*) FROM relief_proposals r WHERE r.case_id = :id AND r.status = 'pending'),
  (SELECT json_group_array(json_array(n.severity, n.two_person_required, n.do_not_visit, n.text,
                                      n.reported_at, n.expires_at))
     FROM safety_notes n WHERE (n.case_id = :id OR n.debtor_id = :debtor_id) AND n.superseded_by IS NULL)"""


def read_case_totals(db: Any, case_id: int, debtor_id: int, evasion_since: datetime,
                     evasion_codes: Sequence[str]) -> CaseTotals:
    """What the case's list columns are computed from, in one statement (run after the writes)."""
    r = db.execute(_TOTALS_SQL, {"id": case_id, "debtor_id": debtor_id, "evasion_since": to_db_time(evasion_since),
                                 "evasion_codes": json.dumps(list(evasion_codes))}).fetchone()
    return CaseTotals([OpenPromiseFact(*p) for p in json.loads(r[0])], int(r[1]),
                      [PaymentFact(*p) for p in json.loads(r[2])], int(r[3]), r[4], int(r[5]), _notes(r[6]))
