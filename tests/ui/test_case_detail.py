"""The case detail: masked until revealed (audited), safety banner, timeline, safety notes."""

from __future__ import annotations

import json
from typing import Any

from app.domain.enums import SafetyCategory, Severity
from app.domain.masking import mask_name
from app.services.safety import SafetyNoteInput, add_safety_note
from app.services.workspace import case_timeline
from app.ui.timeline_model import TimelineModel

from .conftest import pick_case, sql


def open_case(window: Any, qtbot: Any, case_id: int) -> Any:
    ws = window.cases
    with qtbot.waitSignal(ws.detail.loaded, timeout=10_000):
        assert ws.list.select_case(case_id)
    return ws.detail


def test_selecting_a_case_shows_its_detail_masked(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, "safety_level = 0")
    case_no, name = sql(ctx.store, "SELECT c.case_no, d.name FROM cases c JOIN debtors d ON d.id = c.debtor_id "
                                   "WHERE c.id = :id", id=case_id)[0]
    detail = open_case(window, qtbot, case_id)
    assert case_no in detail.header.text()
    assert mask_name(name) in detail.debtor.text() and name not in detail.debtor.text()
    phones = [r[0] for r in sql(ctx.store, "SELECT number FROM phones p JOIN cases c ON c.debtor_id = p.debtor_id "
                                           "WHERE c.id = :id", id=case_id)]
    assert all(p[-8:] not in detail.debtor.text() for p in phones)
    assert not detail.banner.isVisible()
    assert detail.timeline_model.rowCount() == len(case_timeline(ctx.store, case_id))
    assert "Priority" in detail.priority.text()


def test_reveal_writes_an_audit_entry_then_shows_the_details(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store)
    name = sql(ctx.store, "SELECT d.name FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = :id",
               id=case_id)[0][0]
    detail = open_case(window, qtbot, case_id)
    before = sql(ctx.store, "SELECT count(*) FROM audit_log WHERE action = 'pii.revealed'")[0][0]
    qtbot.waitUntil(lambda: detail.reveal_button.isEnabled())
    detail.reveal_button.click()
    qtbot.waitUntil(lambda: name in detail.debtor.text(), timeout=10_000)
    rows = sql(ctx.store, "SELECT actor, entity_id FROM audit_log WHERE action = 'pii.revealed'")
    assert len(rows) == before + 1 and rows[-1] == ("agent01", str(case_id))
    assert not detail.reveal_button.isEnabled()


def test_the_safety_banner_stands_out_and_escapes_text(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, "safety_level = 0")
    add_safety_note(ctx.store, SafetyNoteInput(case_id, SafetyCategory.AGGRESSIVE, Severity.HIGH,
                                               "<b>knife</b> & threats", two_person_required=True,
                                               do_not_visit=True), "agent02", now=ctx.now())
    detail = open_case(window, qtbot, case_id)
    assert detail.banner.isVisible()
    text = detail.banner.text()
    assert "DO NOT VISIT" in text and "Two-person visit required" in text
    assert "&lt;b&gt;knife&lt;/b&gt; &amp; threats" in text and "<b>knife</b>" not in text
    assert detail.notes.count() == 1


def test_safety_notes_add_edit_expire(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, "safety_level = 0")
    detail = open_case(window, qtbot, case_id)
    ws = window.cases
    # add
    with qtbot.waitSignal(ws.dialogOpened) as opened:
        detail.safety_button.click()
    dialog = opened.args[0]
    dialog.save()  # empty text: refused on the field
    qtbot.waitUntil(lambda: dialog.text_error.isVisible())
    assert dialog.text_error.text() == "Describe the danger."
    dialog.text.setPlainText("big dog 大狗")
    dialog.severity.setCurrentIndex(dialog.severity.findData("medium"))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        dialog.save()
    assert detail.notes.count() == 1 and detail.banner.isVisible()
    assert window.cases.model.case_row(window.cases.model.row_of(case_id)).safety_level == 2
    first_uid = detail.detail.safety[0].uid
    # edit: a new version replaces it
    detail.notes.setCurrentRow(0)
    with qtbot.waitSignal(ws.dialogOpened) as opened:
        detail.edit_note_button.click()
    dialog = opened.args[0]
    assert dialog.text.toPlainText() == "big dog 大狗"
    dialog.severity.setCurrentIndex(dialog.severity.findData("high"))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        dialog.save()
    assert detail.detail.safety[0].uid != first_uid and detail.detail.safety[0].severity == "high"
    assert sql(ctx.store, "SELECT superseded_by FROM safety_notes WHERE uid = :u", u=first_uid)[0][0] \
        == detail.detail.safety[0].uid
    # expire
    with qtbot.waitSignal(ws.dialogOpened) as opened:
        detail.expire_note_button.click()
    dialog = opened.args[0]
    dialog.save()
    assert dialog.error.isVisible()  # a reason is required
    dialog.reason.setText("dog rehomed")
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        dialog.save()
    assert detail.notes.count() == 0 and not detail.banner.isVisible()
    kinds = [r[0] for r in sql(ctx.store, "SELECT kind FROM events WHERE case_id = :id ORDER BY device_seq",
                               id=case_id)]
    assert kinds == ["safety_note", "safety_note", "safety_note_expired"]
    payload = json.loads(sql(ctx.store, "SELECT payload FROM events WHERE kind = 'safety_note_expired'")[0][0])
    assert payload["reason"] == "dog rehomed"


def test_timeline_model_passes_the_model_tester(ctx: Any, qtmodeltester: Any) -> None:
    case_id = pick_case(ctx.store, "id IN (SELECT case_id FROM contact_attempts)")
    model = TimelineModel()
    model.set_items(case_timeline(ctx.store, case_id))
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)


def test_add_to_todays_plan_saves_the_day_plan(window: Any, qtbot: Any, ctx: Any) -> None:
    from app.services.workspace import planned_case_ids

    ctx.agent_id = 1
    case_id = pick_case(ctx.store, "agent_id = 1 AND status = 'open' AND safety_level = 0")
    open_case(window, qtbot, case_id)
    with qtbot.waitSignal(window.cases.planChanged, timeout=60_000) as said:
        window.cases.detail.plan_button.click()
    rows = sql(ctx.store, "SELECT data FROM day_plans WHERE agent_id = 1 AND day = :d", d=ctx.today().isoformat())
    assert len(rows) == 1
    assert case_id in json.loads(rows[0][0])["request"]["add"]
    planned = case_id in planned_case_ids(rows[0][0])
    assert said.args[0].startswith(sql(ctx.store, "SELECT case_no FROM cases WHERE id = :i", i=case_id)[0][0])
    assert ("is in today's plan" in said.args[0]) == planned


def test_add_to_plan_needs_an_agent(window: Any, qtbot: Any, ctx: Any) -> None:
    open_case(window, qtbot, pick_case(ctx.store))
    with qtbot.waitSignal(window.cases.planChanged, timeout=5_000) as said:
        window.cases.detail.plan_button.click()
    assert "agent" in said.args[0]
    assert sql(ctx.store, "SELECT count(*) FROM day_plans")[0][0] == 0
