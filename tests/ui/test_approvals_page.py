"""The Approvals room (app/ui/approvals_page.py) and its core (app/services/approvals.py): the list
(saved copy when head office cannot be reached), the details of each kind of item, and deciding
with a reason — a `decision` event in the outbox, pending until head office acknowledges it.
The live path against a real head office is in tests/integration/test_supervisor_approval_e2e.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.contract import v1
from app.services.approvals import (
    REASON_MAX,
    AlreadyDecided,
    ApprovalList,
    DecisionInvalid,
    cached_approvals,
    clean_reason,
    local_decisions,
    queue_decision,
    save_approvals,
)
from tests.ui.conftest import sql

HOSTILE = "<script>alert(1)</script>=HYPERLINK(\"x\") 王伟 ${x} \u202e😀 " + "债" * 50


def _items(case_ids: list[int], at: datetime) -> list[v1.ApprovalItem]:
    return [
        v1.ApprovalItem(subject="relief", subject_id="0b1e4c6e-0000-4000-8000-000000000001", case_id=case_ids[0],
                        case_no="CD2600001", agent_id=1, agent_username="agent01", created_at=at - timedelta(hours=5),
                        summary="Hardship: unemployment; instalment plan", status="pending",
                        details={"reason": "unemployment", "relief_kind": "instalment_plan",
                                 "detail": "6 × ¥500 from January", "overdue_fen": 300_000}),
        v1.ApprovalItem(subject="override", subject_id="0b1e4c6e-0000-4000-8000-000000000002", case_id=case_ids[1],
                        case_no="CD2600002", agent_id=2, agent_username="agent02", created_at=at - timedelta(hours=2),
                        summary="Call cap overridden", status="pending",
                        details={"kind": "outcome", "code": "no_answer", "channel": "phone",
                                 "overridden": ["effective_call_cap"], "override_reason": HOSTILE,
                                 "override_by": "super01"}),
        v1.ApprovalItem(subject="flagged_event", subject_id="0b1e4c6e-0000-4000-8000-000000000003",
                        case_id=case_ids[2], case_no="CD2600003", agent_id=3, agent_username="agent03",
                        created_at=at - timedelta(hours=1), summary=HOSTILE, status="pending",
                        details={"kind": "outcome", "code": "not_home",
                                 "flag_reason": "case reassigned: now held by another agent"}),
    ]


def _case_ids(ctx: Any) -> list[int]:
    return [int(r[0]) for r in sql(ctx.store, "SELECT id FROM cases ORDER BY id LIMIT 3")]


@pytest.fixture
def page(qtbot: Any, ctx: Any, unreachable_sync: Any, translations: Any) -> Any:
    from app.ui.approvals_page import ApprovalsPage

    now = ctx.now()
    items = _items(_case_ids(ctx), now)
    save_approvals(ctx.store, ApprovalList(tuple(items), now - timedelta(minutes=40), "pending", len(items)))
    p = ApprovalsPage(ctx, unreachable_sync)
    qtbot.addWidget(p)
    p.resize(1300, 800)
    with qtbot.waitSignal(p.fetchFailed, timeout=30_000):
        p.show()
    qtbot.waitUntil(lambda: p.model.rowCount() == 3 and "40 min ago" in p.status.text(), timeout=10_000)
    return p


def _decisions(ctx: Any) -> list[tuple[Any, ...]]:
    return sql(ctx.store, "SELECT e.id, e.case_id, e.payload, e.sync_state, o.id FROM events e "
                          "LEFT JOIN outbox o ON o.event_id = e.id WHERE e.kind = 'decision' ORDER BY e.device_seq")


def test_offline_the_saved_list_shows_each_kind_with_its_details(page: Any, ctx: Any, qtbot: Any) -> None:
    m = page.model
    assert [m.index(r, 1).data() for r in range(3)] == ["Hardship relief", "Compliance override", "Flagged record"]
    assert m.index(0, 5).data() == "Waiting for a decision"
    assert "Not updated: head office cannot be reached." in page.status.text() and "queue and upload" in page.status.text()
    page.select(("relief", "0b1e4c6e-0000-4000-8000-000000000001"))
    text = page.details.text()
    assert "What is asked: Hardship relief" in text and "Case: CD2600001" in text and "Agent: agent01" in text
    assert "Hardship reason: Unemployment" in text and "Proposed relief: Instalment plan" in text
    assert "Relief details: 6 × ¥500 from January" in text and "¥3,000.00" in text
    page.select(("override", "0b1e4c6e-0000-4000-8000-000000000002"))
    text = page.details.text()
    assert "Rules overridden: Daily call limit" in text and f"Override reason: {HOSTILE}" in text
    assert "Record: Outcome" in text and "Outcome: No answer" in text and "Channel: Phone call" in text
    page.select(("flagged_event", "0b1e4c6e-0000-4000-8000-000000000003"))
    assert "Why head office flagged it: case reassigned" in page.details.text()
    assert page.details.textFormat().name == "PlainText"  # hostile text stays text
    assert m.index(2, 4).data() == "Not at home · case reassigned: now held by another agent"
    assert m.index(1, 4).data().startswith("Daily call limit · <script>alert(1)</script>")  # text, as given
    assert m.index(0, 4).data() == "Instalment plan · Unemployment · 6 × ¥500 from January"
    assert page.approve_button.isEnabled() and page.reject_button.isEnabled()
    with qtbot.waitSignal(page.caseActivated, timeout=5_000) as blocker:
        page.table.activated.emit(m.index(2, 0))
    assert blocker.args == [_case_ids(ctx)[2]]


def test_a_decision_needs_a_reason_and_then_queues_an_event(page: Any, ctx: Any, qtbot: Any) -> None:
    page.select(("relief", "0b1e4c6e-0000-4000-8000-000000000001"))
    page.reason.setPlainText("   \n\t ")
    page.approve_button.click()
    assert "Give a reason" in page.error.text()
    page.reason.setPlainText("x" * (REASON_MAX + 1))
    page.approve_button.click()
    assert "too long" in page.error.text()
    assert _decisions(ctx) == []  # nothing saved until it is right
    page.reason.setPlainText(f"  {HOSTILE}  ")
    with qtbot.waitSignal(page.decisionQueued, timeout=10_000) as blocker:
        page.approve_button.click()
    decision = blocker.args[0]
    rows = _decisions(ctx)
    assert len(rows) == 1
    event_id, case_id, payload, state, outbox_id = rows[0]
    assert event_id == decision.event_id and state == "pending" and outbox_id is not None
    assert case_id == _case_ids(ctx)[0]
    body = json.loads(payload)
    assert body == {"subject": "relief", "subject_id": "0b1e4c6e-0000-4000-8000-000000000001", "approved": True,
                    "reason": clean_reason(HOSTILE)}
    assert "\u202e" not in body["reason"] and body["reason"].startswith("<script>")  # trimmed, bidi stripped
    audit = sql(ctx.store, "SELECT actor, data FROM audit_log WHERE action = 'decision.queued'")
    assert audit and audit[0][0] == "agent01" and event_id in audit[0][1]
    # The item now says it waits to upload and cannot be decided twice.
    row = page.model.find(("relief", "0b1e4c6e-0000-4000-8000-000000000001"))
    assert page.model.index(row, 5).data() == "Decided here, waiting to upload"
    assert not page.approve_button.isEnabled() and not page.reject_button.isEnabled()
    assert "Your decision: approve" in page.details.text()
    # Reject another one; a fresh page (offline) still knows both from the outbox.
    page.select(("override", "0b1e4c6e-0000-4000-8000-000000000002"))
    page.reason.setPlainText("不符合规定")
    with qtbot.waitSignal(page.decisionQueued, timeout=10_000):
        page.reject_button.click()
    decided = local_decisions(ctx.store)
    assert decided[("override", "0b1e4c6e-0000-4000-8000-000000000002")].approved is False
    assert len(decided) == 2


def test_acknowledged_and_refused_decisions(store: Any) -> None:
    from sqlalchemy import text

    now = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    first = queue_decision(store, subject="flagged_event", subject_id="e-1", case_id=7, approved=True,
                           reason=" ok ", actor="super01", now=now)
    assert first.reason == "ok" and first.state == "queued"
    with pytest.raises(AlreadyDecided):
        queue_decision(store, subject="flagged_event", subject_id="e-1", case_id=7, approved=False, reason="no",
                       actor="super01", now=now)
    with store.write() as session:  # head office acknowledged it
        session.execute(text("UPDATE events SET sync_state = 'acked' WHERE id = :id"), {"id": first.event_id})
    assert local_decisions(store)[("flagged_event", "e-1")].state == "delivered"
    with store.write() as session:  # …or had refused it: then it may be decided again
        session.execute(text("UPDATE events SET sync_state = 'dead' WHERE id = :id"), {"id": first.event_id})
    assert local_decisions(store)[("flagged_event", "e-1")].state == "refused"
    again = queue_decision(store, subject="flagged_event", subject_id="e-1", case_id=7, approved=False,
                           reason="second thoughts", actor="super01", now=now)
    assert local_decisions(store)[("flagged_event", "e-1")].event_id == again.event_id
    for bad in ("", "   ", "\u202e\u200b", "x" * (REASON_MAX + 1)):
        with pytest.raises(DecisionInvalid):
            queue_decision(store, subject="relief", subject_id="r-1", case_id=7, approved=True, reason=bad,
                           actor="super01", now=now)
    with pytest.raises(DecisionInvalid):
        queue_decision(store, subject="<b>", subject_id="r-1", case_id=7, approved=True, reason="ok",
                       actor="super01", now=now)
    assert clean_reason("x" * REASON_MAX) == "x" * REASON_MAX


def test_a_damaged_saved_list_is_ignored(store: Any) -> None:
    from app.store.syncstate import set_state

    with store.write() as session:
        set_state(session, "approvals_cache:pending", "{not json")
    assert cached_approvals(store, "pending") is None
    with store.write() as session:
        set_state(session, "approvals_cache:pending", json.dumps({"fetched_at": "2026-11-30T00:00:00+00:00",
                                                                   "items": [{"subject": "nope"}]}))
    assert cached_approvals(store, "pending") is None


def test_approvals_model_passes_the_model_tester(qtbot: Any, qtmodeltester: Any) -> None:
    from app.services.approvals import merge
    from app.ui.approvals_page import ApprovalsModel

    model = ApprovalsModel()
    model.set_rows(merge(_items([1, 2, 3], datetime(2026, 11, 30, 4, 0, tzinfo=UTC)), {}))
    qtmodeltester.check(model)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_screenshot_of_the_approvals_room(qtbot: Any, ctx: Any, unreachable_sync: Any, translations: Any,
                                          tmp_path: Any, lang: str) -> None:
    from PySide6.QtGui import QImage

    from app.ui.approvals_page import ApprovalsPage

    translations.apply(lang)
    now = ctx.now()
    ids = _case_ids(ctx)
    items = _items(ids, now)
    items[1] = items[1].model_copy(update={"details": {**items[1].details, "override_reason": "债务人要求晚上来访"}})
    items[2] = items[2].model_copy(update={"summary": "外访记录：案件已转给其他外访员"})
    items.append(items[0].model_copy(update={"subject_id": "0b1e4c6e-0000-4000-8000-000000000004",
                                             "case_no": "CD2600004", "agent_username": "agent04",
                                             "summary": "Hardship: illness; deferral",
                                             "details": {"reason": "illness", "relief_kind": "deferral",
                                                         "detail": "住院治疗，申请延期 3 个月"}}))
    save_approvals(ctx.store, ApprovalList(tuple(items), now - timedelta(minutes=12), "pending", len(items)))
    page = ApprovalsPage(ctx, unreachable_sync)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    with qtbot.waitSignal(page.fetchFailed, timeout=30_000):
        page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=10_000)
    page.select(("relief", items[0].subject_id))
    page.reason.setPlainText("同意分期：失业证明已核实")
    with qtbot.waitSignal(page.decisionQueued, timeout=10_000):
        page.approve_button.click()
    page.select(("relief", items[3].subject_id))
    page.reason.setPlainText("请补充住院证明")
    path = tmp_path / f"approvals-{lang}.png"
    assert page.grab().save(str(path))
    image = QImage(str(path))
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}) > 20


def test_at_the_agent_the_decision_shows_on_the_case(qtbot: Any, ctx: Any, translations: Any) -> None:
    """The agent recorded hardship; head office's `decision` change arrives (applied by the sync's own
    apply_decision) and the case detail and timeline show who decided what and why."""
    from app.domain.compliance import builtin_profile
    from app.domain.enums import Channel
    from app.domain.outcomes import OutcomeCode
    from app.services.outcomes import OutcomeInput, record_outcome
    from app.store import models
    from app.sync.apply import apply_decision
    from app.ui.case_detail import CaseDetailView

    case_id = int(sql(ctx.store, "SELECT id FROM cases WHERE status = 'open' AND safety_level = 0 "
                                 "ORDER BY id LIMIT 1")[0][0])
    recorded = record_outcome(ctx.store, OutcomeInput(
        case_id=case_id, code=OutcomeCode.HARDSHIP, channel=Channel.PHONE, at=ctx.now() - timedelta(hours=1),
        phone=None, fields={"hardship_reason": "unemployment", "relief_kind": "deferral",
                            "relief_detail": "三个月后再还"}), builtin_profile("CN"), "agent01", now=ctx.now())
    view = CaseDetailView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.show_case(case_id)
    assert "Awaiting supervisor" in view.stage.text()
    decision = v1.DecisionData(subject="relief", subject_id=recorded.event_id, approved=False,
                               reason="<b>请先提供</b>失业证明", decided_by="super01", decided_at=ctx.now())
    with ctx.store.write() as session:
        apply_decision(session, decision, case_id, ctx.now())
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.show_case(case_id)
    assert "Rejected by super01: &lt;b&gt;请先提供&lt;/b&gt;失业证明" in view.stage.text()  # escaped rich text
    texts = [(view.timeline_model.index(r, 1).data(), view.timeline_model.index(r, 2).data())
             for r in range(view.timeline_model.rowCount())]
    relief = next(d for w, d in texts if w == "Relief proposal")
    assert "Rejected by super01" in relief
    decided = [d for w, d in texts if w == "Supervisor's decision"]
    assert decided == ["Relief proposal rejected by super01 · <b>请先提供</b>失业证明"]  # item views: plain text
    # an older notice (free English text, before verdicts were kept as data) still shows as written
    with ctx.store.write() as session:
        session.add(models.Notice(at=ctx.now(), kind="decision", case_id=case_id, read=False,
                             text="Relief proposal approved by super02: ok"))
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.show_case(case_id)
    texts = [(view.timeline_model.index(r, 1).data(), view.timeline_model.index(r, 2).data())
             for r in range(view.timeline_model.rowCount())]
    assert "Relief proposal approved by super02: ok" in [d for w, d in texts if w == "Supervisor's decision"]
