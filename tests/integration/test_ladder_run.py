"""The daily ladder run on a real database (SQLite and PostgreSQL) with an injected date and clock: one
case walked up the whole ladder, every skip rule, one level per run after the wait, the same date
twice changing nothing, a dry run writing nothing, policy versions recorded, holds and moves audited,
and never a door without evidence."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from headoffice.db import Database
from headoffice.ladder import holds
from headoffice.ladder.models import (
    CaseLadder,
    CaseTrailItem,
    DelinquencyEpisode,
    LadderAction,
    LadderPolicyVersion,
    LadderTransition,
)
from headoffice.ladder.policy import LadderPolicyError, store
from headoffice.ladder.run import run
from headoffice.models import Attachment, Case, Payment, Promise, User

from .ladder_helpers import D0, add_case, counts, ladder_db, morning, policy, set_dpd, standing

__all__ = ["ladder_db"]


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def go(db: Database, n: int, **kw: object) -> object:
    return run(db, day(n), morning(day(n)), **kw)  # type: ignore[arg-type]


def test_one_case_walks_up_the_whole_ladder(ladder_db: Database) -> None:
    db = ladder_db
    cid = add_case(db, 1, dpd=3, came_in=day(-30))
    s = go(db, 0)
    assert s.moved == {"sms_1": 1}  # type: ignore[attr-defined]
    assert standing(db, cid) == ("sms_1", "reminder", None, 2)
    set_dpd(db, cid, 12)
    assert go(db, 4).stayed == {"waiting": 1}  # type: ignore[attr-defined]  # sms_1 waits 5 days
    assert go(db, 5).moved == {"sms_2": 1}  # type: ignore[attr-defined]
    set_dpd(db, cid, 35)
    assert go(db, 12).moved == {"letter": 1}  # type: ignore[attr-defined]
    set_dpd(db, cid, 50)
    assert go(db, 26).stayed == {"no_trigger": 1}  # type: ignore[attr-defined]  # 45 days past due, no evidence
    assert standing(db, cid)[0] == "letter"
    with db.write() as ses:  # three delinquency episodes within 12 months (as the imports recorded them)
        for started, cured in ((day(-300), day(-280)), (day(-150), day(-120)), (day(-50), None)):
            ses.add(DelinquencyEpisode(case_id=cid, started_on=started, cured_on=cured, overdue_fen=50_000))
    assert go(db, 27).moved == {"visit": 1}  # type: ignore[attr-defined]
    assert standing(db, cid) == ("visit", "field_visit", "repeated_delinquency", 5)
    with db.read() as ses:
        evidence = json.loads(ses.get(CaseLadder, cid).evidence)  # type: ignore[union-attr]
        assert evidence["trigger"] == "repeated_delinquency" and evidence["detected_on"] == day(27).isoformat()
        assert [f["started_on"] for f in evidence["facts"]] == [d.isoformat() for d in (day(-300), day(-150), day(-50))]
        assert evidence["thresholds"] == {"episodes": 3, "episodes_months": 12}
    set_dpd(db, cid, 95)
    with db.write() as ses:  # a promise to pay, broken (nothing paid by due + 2 days' grace)
        ses.add(Promise(case_id=cid, amount_fen=30_000, due=day(40), made_at=morning(day(35))))
    assert go(db, 57).moved == {"legal": 1}  # type: ignore[attr-defined]
    assert standing(db, cid) == ("legal", "legal_action", "repeated_delinquency", 6)
    assert go(db, 90).stayed == {"top": 1}  # type: ignore[attr-defined]
    with db.read() as ses:
        moves = ses.execute(select(LadderTransition.from_level, LadderTransition.to_level, LadderTransition.run_on,
                                   LadderTransition.via).order_by(LadderTransition.id)).all()
        assert [(m[0], m[1]) for m in moves] == [(None, "sms_1"), ("sms_1", "sms_2"), ("sms_2", "letter"),
                                                 ("letter", "visit"), ("visit", "legal")]
        assert {m.via for m in moves} == {"run"}
        actions = ses.execute(select(LadderAction.level, LadderAction.action, LadderAction.template, LadderAction.state)
                              .order_by(LadderAction.id)).all()
        assert [tuple(a) for a in actions] == [
            ("sms_1", "sms", "remind_1", "pending"), ("sms_2", "sms", "remind_2", "pending"),
            ("letter", "letter", "firm_a_std", "pending"), ("visit", "field_visit", None, "done"),
            ("legal", "legal_action", None, "done")]
        trail = [(t.kind, json.loads(t.data)) for t in ses.scalars(select(CaseTrailItem).order_by(CaseTrailItem.id))]
        assert [k for k, _ in trail] == ["level", "level", "level", "level", "trigger", "level"]
        assert trail[1][1] == {"from": "sms_1", "to": "sms_2", "stage": "reminder", "via": "run", "reason": "",
                               "rule": {"kind": "days_past_due", "value": 12, "threshold": 10}}
        assert trail[4][1]["trigger"] == "repeated_delinquency"
        rule = json.loads(ses.scalars(select(LadderTransition.rule).order_by(LadderTransition.id)).all()[4])
        assert rule["entry"][1] == {"kind": "broken_promises", "value": 1, "threshold": 1}


def test_every_skip_rule_is_counted_and_nothing_written(ladder_db: Database) -> None:
    db = ladder_db
    closed = add_case(db, 1, 40, status="closed")
    returned = add_case(db, 2, 40, status="returned")
    paused = add_case(db, 3, 40, status="paused", paused_reason="hardship: unemployment")
    disputed = add_case(db, 4, 40, status="paused", paused_reason="dispute: 金额不符")
    promised = add_case(db, 5, 40, status="promised")
    held = add_case(db, 6, 40)
    kept_in_grace = add_case(db, 7, 40)
    with db.write() as s:
        s.add(Promise(case_id=promised, amount_fen=10_000, due=day(1), made_at=morning(day(-1))))
        # Due yesterday, nothing paid, but within the CN profile's 2 days' grace: still promised.
        s.add(Promise(case_id=kept_in_grace, amount_fen=10_000, due=day(-2), made_at=morning(day(-5))))
    go(db, -10)
    with db.write() as s:
        holds.hold(s, held, "核实还款记录", "super01", "api", morning(day(-9)))
    before = counts(db)
    s = go(db, 0)
    assert s.skipped == {"closed": 1, "returned": 1, "paused": 2, "promised": 2, "held": 1}  # type: ignore[attr-defined]
    assert s.moved == {}  # type: ignore[attr-defined]
    after = counts(db)
    assert after == before
    # The promise in grace is broken the day after the grace ends: no longer a skip.
    assert go(db, 1).skipped["promised"] == 1  # type: ignore[attr-defined]
    with db.write() as s:
        s.add(Payment(case_id=promised, amount_fen=10_000, method="bank_transfer", receipt_no="R1",
                      paid_at=morning(day(1))))
    assert go(db, 2).skipped.get("promised", 0) == 0  # type: ignore[attr-defined]  # kept
    assert {closed, returned, paused, disputed}  # the ids exist


def test_the_same_date_twice_changes_nothing_and_a_dry_run_writes_nothing(ladder_db: Database) -> None:
    db = ladder_db
    ids = [add_case(db, n, dpd) for n, dpd in enumerate((1, 15, 40, 80, 200), start=1)]
    empty = counts(db)
    dry = go(db, 0, dry_run=True)
    assert counts(db) == empty
    real = go(db, 0)
    assert dry.moved == real.moved == {"sms_1": 5}  # type: ignore[attr-defined]
    once = counts(db)
    versions = [standing(db, i)[3] for i in ids]
    again = go(db, 0)
    assert again.moved == {} and again.stayed == {"waiting": 5}  # type: ignore[attr-defined]
    assert counts(db) == once and [standing(db, i)[3] for i in ids] == versions
    with db.read() as s:
        assert set(s.scalars(select(CaseLadder.last_run_on))) == {day(0)}


def test_at_most_one_level_per_run_and_waits_honoured(ladder_db: Database) -> None:
    db = ladder_db
    cid = add_case(db, 1, 400, came_in=day(-400), phones=("invalid",))  # every rule and a trigger would hold
    path = []
    for n in range(0, 80):
        s = go(db, n)
        if s.moved:  # type: ignore[attr-defined]
            path.append((n, *s.moved))  # type: ignore[attr-defined]
    # Waits: sms_1 5 days, sms_2 7, letter 14, visit 30; the door on evidence of dead numbers.
    assert path == [(0, "sms_1"), (5, "sms_2"), (12, "letter"), (26, "visit")]
    assert standing(db, cid)[2] == "evading_contact"
    with db.write() as s:
        s.add(Promise(case_id=cid, amount_fen=5_000, due=day(30), made_at=morning(day(29))))
    assert go(db, 56).moved == {"legal": 1}  # type: ignore[attr-defined]


def test_a_case_never_enters_the_door_without_evidence(ladder_db: Database) -> None:
    db = ladder_db
    imported_at_door = add_case(db, 1, 120, stage="field_visit")
    quiet = add_case(db, 2, 120)
    go(db, 0)
    assert standing(db, imported_at_door)[:3] == ("letter", "legal_letter", None)  # placed below the door
    for n in range(1, 200, 3):
        go(db, n)
    for cid in (imported_at_door, quiet):
        assert standing(db, cid)[0] == "letter"
    with db.read() as s:
        assert s.scalar(select(LadderTransition.id).where(LadderTransition.to_level == "visit")) is None
        assert s.scalar(select(Case.id).where(Case.stage == "field_visit")) is None


def test_policy_versions_are_recorded_and_checked(ladder_db: Database) -> None:
    db = ladder_db
    cid = add_case(db, 1, 15)
    go(db, 0)
    shorter = policy()
    shorter["levels"][0]["wait_days"] = 1
    with db.write() as s:
        v2 = store(s, "", shorter, actor="super01", actor_id=None, now=morning(day(0)))
        with pytest.raises(LadderPolicyError) as bad:
            store(s, "", policy(levels=[dict(shorter["levels"][0], action={"kind": "sms", "template": "gone"})]),
                  actor="x", actor_id=None, now=morning(day(0)))
        assert bad.value.code == "invalid_policy" and "unknown sms template 'gone'" in bad.value.detail
        with pytest.raises(LadderPolicyError) as dropped:
            store(s, "", policy(levels=shorter["levels"][1:]), actor="x", actor_id=None, now=morning(day(0)))
        assert dropped.value.code == "level_in_use" and "'sms_1' (1 case)" in dropped.value.detail
    assert v2.version == 2
    go(db, 1)
    with db.read() as s:
        v1 = s.scalar(select(LadderPolicyVersion.id).where(LadderPolicyVersion.version == 1))
        assert list(s.scalars(select(LadderTransition.policy_id).order_by(LadderTransition.id))) == [v1, v2.id]
        assert s.get(CaseLadder, cid).policy_id == v2.id  # type: ignore[union-attr]
    # A team's own policy is in force for its cases; the others stay on the default.
    other = add_case(db, 2, 15, team="二组")
    team_policy = policy()
    team_policy["levels"][0]["entry"] = {"days_past_due": 20}
    team_policy["levels"][1]["entry"] = {"days_past_due": 25}
    with db.write() as s:
        store(s, "二组", team_policy, actor="x", actor_id=None, now=morning(day(2)))
    assert go(db, 3).stayed["not_on_ladder"] == 1  # type: ignore[attr-defined]
    assert standing(db, other)[0] is None


def test_hold_release_and_moves_are_audited_and_a_door_needs_a_trigger(ladder_db: Database) -> None:
    db = ladder_db
    cid = add_case(db, 1, 40)
    go(db, 0)
    now = morning(day(1))
    with db.write() as s:
        with pytest.raises(holds.LadderCommandError) as refused:
            holds.move(s, cid, "visit", "应上门", "super01", "api", now, _profile())
        assert refused.value.code == "no_trigger"
        with pytest.raises(holds.LadderCommandError) as empty:
            holds.hold(s, cid, "   ", "super01", "api", now)
        assert empty.value.code == "invalid_reason"
        holds.hold(s, cid, "<script>核实</script>", "super01", "api", now)
        holds.release(s, cid, "核实完毕", "super01", "cli", now)
        holds.move(s, cid, "letter", "直接发函", "super01", "api", now, _profile())
    with db.write() as s:
        user = s.scalar(select(User.id))
        s.add(Attachment(sha256="ab" * 32, size=3, content_type="application/pdf", data=b"pdf", uploaded_by=user,
                         created_at=now))
        with pytest.raises(holds.LadderCommandError) as missing:
            holds.set_serious_default(s, cid, "asset_transfer", "房产过户", "cd" * 32, "super01", now)
        assert missing.value.code == "unknown_attachment"
        finding = holds.set_serious_default(s, cid, "asset_transfer", "房产已过户给亲属", "ab" * 32, "super01", now)
        result = holds.move(s, cid, "visit", "转移资产", "super01", "api", now, _profile())
        assert result.trigger == "serious_default" and result.stage == "field_visit"
        holds.withdraw_serious_default(s, cid, finding.id, "super01", now)
        down = holds.move(s, cid, "sms_1", "误判，退回提醒", "super01", "api", now, _profile())
        assert down.trigger is None and down.stage == "reminder"
    with db.read() as s:
        audit = s.execute(select(LadderTransition.kind, LadderTransition.via, LadderTransition.to_level,
                                 LadderTransition.actor, LadderTransition.reason).order_by(LadderTransition.id)).all()
        assert [tuple(a) for a in audit[1:]] == [
            ("hold", "api", "sms_1", "super01", "<script>核实</script>"), ("release", "cli", "sms_1", "super01", "核实完毕"),
            ("move", "api", "letter", "super01", "直接发函"), ("move", "api", "visit", "super01", "转移资产"),
            ("move", "api", "sms_1", "super01", "误判，退回提醒")]
        kinds = [t for t in s.scalars(select(CaseTrailItem.kind).order_by(CaseTrailItem.id))]
        assert kinds == ["level", "hold", "release", "level", "level", "trigger", "level"]
        ladder = s.get(CaseLadder, cid)
        assert ladder is not None and ladder.trigger is None and ladder.evidence is None
        # sms_1 was entered on day 0 by the run and again today by a person: one action each day.
        assert s.scalars(select(LadderAction.run_on).where(LadderAction.level == "sms_1")).all() == [day(0), day(1)]
    assert go(db, 1).moved == {}  # type: ignore[attr-defined]  # a case never moves on the day it entered


def _profile() -> object:
    from app.domain.compliance import builtin_profile

    return builtin_profile("CN")


def test_batches_cover_every_case_with_one_transaction_each(ladder_db: Database) -> None:
    db = ladder_db
    ids = [add_case(db, n, 5) for n in range(1, 24)]
    s = run(db, day(0), morning(day(0)), batch=5)
    assert s.batches == 5 and s.cases == 23 and s.moved == {"sms_1": 23}
    assert all(standing(db, i)[0] == "sms_1" for i in ids)
