"""Head office judges each pushed act against the history stored before it (SQLite and PostgreSQL).

A push reads only the stored attempts the compliance rules can see: for calls the same local day (and
the profile's attempt cap and cool-down), for a third-party contact the debtor's last tries over the
past month, and only what happened before the latest act of the push. These tests pin that down: a
cap reached across two pushes is flagged, the same act on another day or earlier in time is not, and
a third-party contact finds failed tries from ten days before.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.integration.conftest import HeadOffice, outcome_event, pull_all


def _cases(ho: HeadOffice, username: str) -> tuple[httpx.Client, list[int]]:
    c = ho.client(ho.token(username))
    changes, _ = pull_all(c)
    ids = sorted({ch["case"]["id"] for ch in changes if ch["kind"] == "case_upsert"})
    assert len(ids) >= 2, f"{username} holds too few cases"
    return c, ids


def _push(c: httpx.Client, *events: dict[str, Any]) -> list[dict[str, Any]]:
    r = c.post("/api/v1/sync/events", json={"events": list(events)})
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def test_the_daily_call_cap_counts_calls_stored_by_an_earlier_push(headoffice: HeadOffice) -> None:
    c, (case_id, *_) = _cases(headoffice, "agent03")
    dev = str(uuid.uuid4())
    talks = [outcome_event(case_id, dev, i + 1, code="refused", at=f"2026-11-30T03:{10 * i:02d}:00+00:00")
             for i in range(3)]  # three conversations: the CN cap for one day
    assert [r["status"] for r in _push(c, *talks)] == ["accepted"] * 3

    fourth = outcome_event(case_id, dev, 4, code="refused", at="2026-11-30T05:00:00+00:00")
    res = _push(c, fourth)[0]
    assert res["status"] == "flagged" and "effective_call_cap" in res["flag_reason"]
    # The next local day starts again; an act that happened before the stored calls sees none of them.
    next_day = outcome_event(case_id, dev, 5, code="refused", at="2026-12-01T01:00:00+00:00")
    earlier = outcome_event(case_id, dev, 6, code="refused", at="2026-11-30T01:00:00+00:00")
    assert [r["status"] for r in _push(c, next_day, earlier)] == ["accepted", "accepted"]


def test_a_third_party_contact_finds_failed_tries_from_days_before(headoffice: HeadOffice) -> None:
    c, (reachable, unreachable, *_) = _cases(headoffice, "agent04")
    dev = str(uuid.uuid4())

    def third_party(case_id: int, seq: int) -> dict[str, Any]:
        return outcome_event(case_id, dev, seq, code="third_party_met", at="2026-11-30T03:00:00+00:00",
                             to_third_party=True, fields={"third_party_relation": "邻居"})

    # Ten days earlier: three calls nobody answered on one case (the CN profile's "unreachable").
    tries = [outcome_event(unreachable, dev, i + 1, at=f"2026-11-20T0{2 + i}:00:00+00:00") for i in range(3)]
    assert [r["status"] for r in _push(c, *tries)] == ["accepted"] * 3

    results = _push(c, third_party(unreachable, 10), third_party(reachable, 11))
    assert results[0]["status"] == "accepted", results[0]
    assert results[1]["status"] == "flagged" and "third_party_unreachable" in results[1]["flag_reason"]
