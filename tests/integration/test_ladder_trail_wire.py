"""The ladder's trail reaches the laptop with the case: a trail item written at head office (with
`add_trail` and `announce` in one write transaction) is served in the next pull as
`CaseData.ladder`, with the case's level and the trigger's evidence, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from headoffice.db import Database
from headoffice.ladder.models import CaseLadder
from headoffice.ladder.trail import add_trail, announce
from headoffice.models import Case, User
from tests.integration.conftest import HeadOffice, pull_all


def test_a_trail_item_and_the_trigger_travel_with_the_case(headoffice: HeadOffice) -> None:
    c = headoffice.client(headoffice.token("agent05"))
    changes, cursor = pull_all(c)
    case_id = min(ch["case"]["id"] for ch in changes if ch["kind"] == "case_upsert")
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    db = Database(headoffice.db_url)
    try:
        with db.write() as s:
            agent = s.execute(select(User).where(User.username == "agent05")).scalar_one()
            assert s.get(Case, case_id).agent_id == agent.id
            s.add(CaseLadder(case_id=case_id, level="visit", entered_at=at, entered_on=date(2026, 12, 1),
                             trigger="repeated_delinquency",
                             evidence=json.dumps({"detected_on": "2026-12-01", "thresholds": {"broken_promises": 2},
                                                  "facts": [{"kind": "broken_promise", "due": "2026-10-01",
                                                             "amount_fen": 50000}]})))
            add_trail(s, case_id, "sms", {"state": "sent", "template": "remind_1", "number": "138****8000",
                                          "text": "<b>您好</b>", "scheduled_at": at.isoformat()}, at)
            add_trail(s, case_id, "letter", {"state": "made", "firm": "某律所", "code": "ABCD-EFGH"},
                      at.replace(hour=3), attachment_sha256="a" * 64)
            assert announce(s, at, [case_id, case_id]) == 1
    finally:
        db.dispose()
    more, _ = pull_all(c, cursor)
    ups = [ch["case"] for ch in more if ch["kind"] == "case_upsert" and ch["case"]["id"] == case_id]
    assert len(ups) == 1
    case = ups[0]
    assert case["ladder_level"] == "visit"
    assert case["trigger_why"]["trigger"] == "repeated_delinquency"
    assert case["trigger_why"]["facts"][0]["amount_fen"] == 50000
    assert [(t["kind"], t["data"]["state"]) for t in case["ladder"]] == [("sms", "sent"), ("letter", "made")]
    assert case["ladder"][0]["data"]["text"] == "<b>您好</b>"  # stored and served as text, never markup
    assert case["ladder"][1]["attachment_sha256"] == "a" * 64
