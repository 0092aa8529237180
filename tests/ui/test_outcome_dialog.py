"""Recording outcomes through the dialog, end to end into the database (event, outbox, audit)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from app.domain.outcomes import OUTCOMES, Field, OutcomeCode

from .conftest import pick_case, sql

PLAIN = "status = 'open' AND safety_level = 0"


def open_case(window: Any, qtbot: Any, case_id: int) -> Any:
    ws = window.cases
    with qtbot.waitSignal(ws.detail.loaded, timeout=10_000):
        assert ws.list.select_case(case_id)
    return ws


def open_dialog(window: Any, qtbot: Any, case_id: int) -> Any:
    ws = open_case(window, qtbot, case_id)
    with qtbot.waitSignal(ws.dialogOpened) as blocker:
        window.record_outcome()  # the menu action (Ctrl+R)
    dialog = blocker.args[0]
    return dialog


def choose(combo: Any, value: str) -> None:
    i = combo.findData(value)
    assert i >= 0, value
    combo.setCurrentIndex(i)


def fill_required(dialog: Any, code: OutcomeCode) -> None:
    required = OUTCOMES[code].required
    if Field.PROMISE_AMOUNT in required:
        dialog.promise_amount.setText("1,000.50")
    if Field.PROMISE_DATE in required:
        dialog.promise_date.setDate(QDate(2026, 12, 10))
    if Field.PAYMENT_AMOUNT in required:
        dialog.payment_amount.setText("１２３.４５")  # full-width digits are fine
    if Field.PAYMENT_METHOD in required:
        choose(dialog.payment_method, "bank_transfer")
    if Field.RECEIPT_NO in required:
        dialog.receipt_no.setText("RC-2026-001")
    if Field.NEW_ADDRESS in required:
        dialog.new_address.setText("成都市武侯区人民南路四段1号")
    if Field.HARDSHIP_REASON in required:
        choose(dialog.hardship_reason, "illness")
    if Field.RELIEF_KIND in required:
        choose(dialog.relief_kind, "deferral")
    if Field.RELIEF_DETAIL in required:
        dialog.relief_detail.setText("defer 3 months")
    if Field.SAFETY_NOTE in required:
        dialog.safety_note.text.setText("dog loose in the yard <b>bites</b>")
        choose(dialog.safety_note.category, "dog")
    if Field.DISPUTE_REASON in required:
        dialog.dispute_reason.setText("disputes the late fees")
    if Field.THIRD_PARTY_RELATION in required:
        dialog.third_party_relation.setText("spouse")


def visible_rows(dialog: Any) -> set[str]:
    return {key for key, label in dialog.errors.items() if dialog.form.isRowVisible(label.parentWidget())}


@pytest.mark.parametrize("code", list(OutcomeCode))
def test_each_outcome_is_recorded_end_to_end(window: Any, qtbot: Any, ctx: Any, code: OutcomeCode) -> None:
    case_id = pick_case(ctx.store, PLAIN)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, code.value)
    choose(dialog.channel, "visit")
    # exactly the code's fields are asked for
    field_keys = {f.value for f in Field}
    assert visible_rows(dialog) & field_keys == {f.value for f in OUTCOMES[code].required}
    fill_required(dialog, code)
    dialog.collectors.setValue(2)
    dialog.no_recording.setText("recorder battery flat")
    before = sql(ctx.store, "SELECT count(*) FROM events")[0][0]
    timeline_before = window.cases.detail.timeline_model.rowCount()
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved, \
            qtbot.waitSignal(window.cases.detail.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    event_id = saved.args[0].event_id
    ev = sql(ctx.store, "SELECT kind, case_id, payload FROM events WHERE id = :id", id=event_id)
    assert ev and ev[0][0] == "outcome" and ev[0][1] == case_id
    payload = json.loads(ev[0][2])
    assert payload["code"] == code.value and payload["no_recording_reason"] == "recorder battery flat"
    assert sql(ctx.store, "SELECT count(*) FROM events")[0][0] == before + 1
    assert sql(ctx.store, "SELECT count(*) FROM outbox WHERE event_id = :id", id=event_id)[0][0] == 1
    audits = sql(ctx.store, "SELECT data FROM audit_log WHERE action = 'outcome.recorded' AND entity_id = :c",
                 c=str(case_id))
    assert any(event_id in a[0] for a in audits)
    # the timeline and the list are updated in place
    assert window.cases.detail.timeline_model.rowCount() > timeline_before
    if code == OutcomeCode.PAID_IN_FULL:
        assert sql(ctx.store, "SELECT status FROM cases WHERE id = :id", id=case_id)[0][0] == "closed"
        row = window.cases.model.row_of(case_id)
        assert window.cases.model.case_row(row).status == "closed"
    if code == OutcomeCode.PROMISE_TO_PAY:
        assert payload["fields"] == {"promise_amount_fen": 100050, "promise_date": "2026-12-10"}
    if code == OutcomeCode.PARTIAL_PAYMENT:
        assert payload["fields"]["payment_amount_fen"] == 12345


def test_hardship_pauses_collection_and_proposes_relief(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, PLAIN)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "hardship")
    choose(dialog.channel, "visit")
    fill_required(dialog, OutcomeCode.HARDSHIP)
    dialog.no_recording.setText("debtor asked not to be recorded")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert sql(ctx.store, "SELECT status FROM cases WHERE id = :id", id=case_id)[0][0] == "paused"
    assert sql(ctx.store, "SELECT reason, kind, status FROM relief_proposals WHERE case_id = :id "
                          "ORDER BY id DESC LIMIT 1", id=case_id)[0] == ("illness", "deferral", "pending")
    qtbot.waitUntil(lambda: "Relief proposal" in window.cases.detail.stage.text())


def test_a_phone_call_at_23_00_is_blocked_and_nothing_is_saved(window: Any, qtbot: Any, ctx: Any, clock: Any) -> None:
    case_id = pick_case(ctx.store, PLAIN)
    clock.set_local(23, 0)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "no_answer")
    choose(dialog.channel, "phone")
    counts = [sql(ctx.store, f"SELECT count(*) FROM {t}")[0][0] for t in ("events", "outbox", "audit_log")]
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    assert dialog.blocked.isVisible()
    assert "Quiet hours" in dialog.blocked.text() and "23:00" in dialog.blocked.text()
    assert "nothing was saved" in dialog.blocked.text()
    assert dialog.decision is not None and dialog.decision.rules == ("contact_window",)
    assert [sql(ctx.store, f"SELECT count(*) FROM {t}")[0][0] for t in ("events", "outbox", "audit_log")] == counts
    assert dialog.isVisible() and dialog.save_button.isEnabled()


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter an amount."),
    ("-5", "Enter the amount without a sign."),
    ("0", "The amount must be more than zero."),
    ("12.345", "At most two decimals (fen)."),
    ("abc", "This is not an amount of money."),
    ("99999999", "The amount is more than the balance"),
])
def test_bad_amounts_get_an_inline_message_and_save_nothing(window: Any, qtbot: Any, ctx: Any, text: str,
                                                            message: str) -> None:
    case_id = pick_case(ctx.store, PLAIN)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "partial_payment")
    choose(dialog.channel, "phone")
    dialog.payment_amount.setText(text)
    choose(dialog.payment_method, "platform_app")
    dialog.receipt_no.setText("R1")
    before = sql(ctx.store, "SELECT count(*) FROM events")[0][0]
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    label = dialog.errors[Field.PAYMENT_AMOUNT.value]
    assert label.isVisible() and label.text().startswith(message)
    assert sql(ctx.store, "SELECT count(*) FROM events")[0][0] == before


def test_a_past_promise_date_and_missing_fields_are_marked_on_their_fields(window: Any, qtbot: Any,
                                                                            ctx: Any) -> None:
    case_id = pick_case(ctx.store, PLAIN)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "promise_to_pay")
    choose(dialog.channel, "phone")
    dialog.promise_amount.setText("100")
    dialog.promise_date.setDate(QDate(2026, 11, 1))
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    assert dialog.errors["promise_date"].isVisible()
    assert "past" in dialog.errors["promise_date"].text()
    dialog.promise_date.setDate(QDate(2027, 6, 1))
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    assert "at most 30 days" in dialog.errors["promise_date"].text()
    choose(dialog.code, "moved")
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    assert dialog.errors["new_address"].text() == "Required."
    assert sql(ctx.store, "SELECT count(*) FROM events WHERE case_id = :id", id=case_id)[0][0] == 0


def test_hostile_notes_are_stored_as_typed(window: Any, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, PLAIN)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "refused")
    choose(dialog.channel, "phone")
    hostile = "<img src=x onerror=alert(1)> =HYPERLINK(\"http://x\") 😀 王先生 said no " + "长" * 3000
    dialog.notes.setPlainText(hostile)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved, \
            qtbot.waitSignal(window.cases.detail.loaded, timeout=10_000):
        dialog.save()
    payload = json.loads(sql(ctx.store, "SELECT payload FROM events WHERE id = :id", id=saved.args[0].event_id)[0][0])
    assert payload["notes"] == hostile
    model = window.cases.detail.timeline_model
    assert any(hostile[:40] in model.data(model.index(r, 2)) for r in range(model.rowCount()))


def severe_case(ctx: Any) -> int:
    """A case with a severe safety note that does not forbid the visit (added through the service)."""
    from app.domain.enums import SafetyCategory, Severity
    from app.services.safety import SafetyNoteInput, add_safety_note

    case_id = pick_case(ctx.store, PLAIN)
    add_safety_note(ctx.store, SafetyNoteInput(case_id, SafetyCategory.AGGRESSIVE, Severity.HIGH,
                                               "threatened the last visitor with a knife", two_person_required=True),
                    "agent02", now=ctx.now())
    return case_id


def test_a_visit_to_a_severe_case_needs_the_acknowledgement(window: Any, qtbot: Any, ctx: Any, tmp_path: Any) -> None:
    case_id = severe_case(ctx)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "not_home")
    choose(dialog.channel, "visit")
    assert dialog.form.isRowVisible(dialog.errors["ack"].parentWidget())
    dialog.collectors.setValue(2)
    recording = tmp_path / "door.m4a"
    recording.write_bytes(b"\x00\x00\x00\x18ftypM4A " + bytes(range(256)) * 40)
    with qtbot.waitSignal(dialog.recording.changed, timeout=10_000):
        dialog.recording.use_file(recording)
    before = sql(ctx.store, "SELECT count(*) FROM events")[0][0]
    dialog.save()  # refused at once, on the GUI side, before any work starts
    assert dialog.errors["ack"].isVisible()
    assert sql(ctx.store, "SELECT count(*) FROM events")[0][0] == before
    dialog.ack.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save()
    payload = json.loads(sql(ctx.store, "SELECT payload FROM events WHERE id = :id", id=saved.args[0].event_id)[0][0])
    assert payload["safety_acknowledged"] is True and payload["recording_sha256"] == dialog.recording.sha256


def test_the_engine_also_refuses_a_severe_visit_without_acknowledgement(window: Any, qtbot: Any,
                                                                         ctx: Any) -> None:
    """Even if the dialog's own check were bypassed, the compliance engine blocks and names its rule."""
    case_id = severe_case(ctx)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "not_home")
    choose(dialog.channel, "visit")
    dialog.collectors.setValue(1)
    dialog.no_recording.setText("none")
    dialog.ack.setChecked(True)
    dialog.detail = type(dialog.detail)(**{**dialog.detail.__dict__, "safety": ()})  # hide the note from the GUI check
    dialog.ack.setChecked(False)
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    assert set(dialog.decision.rules) == {"home_visit_two_person", "severe_safety_ack"}
    assert "Two-person visit" in dialog.blocked.text() and "Severe safety note" in dialog.blocked.text()


def test_opening_the_dialog_reads_the_case_ahead_on_the_saving_connection(window: Any, qtbot: Any, ctx: Any,
                                                                          monkeypatch: Any) -> None:
    """The dialog runs `prepare_outcome` in the background when it opens (spied on here, and run for real),
    so the save finds the case's pages in the saving connection's cache."""
    import app.ui.outcome_dialog as module

    seen: list[int] = []
    real = module.prepare_outcome

    def spy(store: Any, case_id: int, now: Any = None) -> None:
        seen.append(case_id)
        real(store, case_id, now)

    monkeypatch.setattr(module, "prepare_outcome", spy)
    case_id = pick_case(ctx.store, PLAIN)
    dialog = open_dialog(window, qtbot, case_id)
    qtbot.waitUntil(lambda: seen == [case_id] and not ctx.runner.busy, timeout=10_000)
    assert ctx.store._writer is not None  # the saving connection is open and has read the case
    dialog.reject()
