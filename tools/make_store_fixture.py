"""Make the fixture database of the current head revision: `python tools/make_store_fixture.py`.

Run it once when you add a migration, BEFORE changing anything else, and commit the file: the
upgrade test (tests/integration/test_migrations.py) then upgrades every revision's fixture to the
new head and checks that nothing was lost. Fixtures are never regenerated afterwards.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.demo.generate import generate  # noqa: E402
from app.domain.compliance import builtin_profile  # noqa: E402
from app.domain.enums import Channel  # noqa: E402
from app.domain.outcomes import OutcomeCode  # noqa: E402
from app.services.outcomes import OutcomeInput, record_outcome  # noqa: E402
from app.store.engine import checkpoint  # noqa: E402
from app.store.migrate import HEAD_REVISION, open_store  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "stores"


def _ladder_sample(store: object, now: datetime) -> None:
    """The escalation ladder as a pull leaves it (0007): case 1 at a door with its trigger's evidence and
    a trail of an SMS, a letter with its PDF, and the move to the visit level."""
    from app.contract import v1
    from app.sync.apply_ladder import write_ladder

    why = v1.TriggerData(trigger="repeated_delinquency", detected_on=date(2026, 11, 30),
                         facts=[{"kind": "broken_promise", "due": "2026-10-01", "amount_fen": 50000},
                                {"kind": "broken_promise", "due": "2026-11-03", "amount_fen": 30000}],
                         thresholds={"broken_promises": 2})
    trail = [v1.TrailItemData(id=101, at=now, kind="sms", data={"state": "sent", "template": "remind_1",
                                                                "number": "138****8000"}),
             v1.TrailItemData(id=102, at=now, kind="letter", data={"state": "made", "firm": "fixture firm",
                                                                   "code": "ABCD-EFGH", "deadline": "2026-12-15"},
                              attachment_sha256="a" * 64),
             v1.TrailItemData(id=103, at=now, kind="level", data={"from": "letter", "to": "visit",
                                                                  "stage": "field_visit", "via": "run"})]
    with store.write() as session:  # type: ignore[attr-defined]
        write_ladder(session, {1: ("visit", why, trail)})


def main() -> int:
    target = FIXTURES / f"{HEAD_REVISION}.sqlite3"
    if target.exists():
        print(f"{target.name} exists; fixtures are never regenerated", file=sys.stderr)
        return 1
    FIXTURES.mkdir(parents=True, exist_ok=True)
    store = open_store(target)
    generate(store, 40, seed=11, today=date(2026, 11, 30))
    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    profile = builtin_profile("CN")
    for case_id in (1, 2, 3):
        record_outcome(store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE, now, notes="fixture"),
                       profile, actor="agent01", now=now)
    _ladder_sample(store, now)
    with store.engine.connect() as conn:
        counts = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in
                  ("cases", "debtors", "events", "outbox", "audit_log", "contact_attempts", "case_ladder",
                   "ladder_trail")}
    checkpoint(store.engine)
    store.close()
    for extra in ("-wal", "-shm"):
        Path(str(target) + extra).unlink(missing_ok=True)
    (FIXTURES / f"{HEAD_REVISION}.json").write_text(json.dumps(counts, indent=1) + "\n")
    print(f"wrote {target.name}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
