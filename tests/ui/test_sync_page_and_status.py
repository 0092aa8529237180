"""The sync page lists the outbox and dead letters in plain words; the status bar counts what waits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from app.services.outcomes import OutcomeInput
from app.ui.main_window import PAGE_SYNC
from app.ui.sync_page import DeadLetterModel, OutboxModel

from .conftest import pick_case


def record_one(ctx: Any) -> str:
    from app.domain.enums import Channel
    from app.domain.outcomes import OutcomeCode
    from app.services.outcomes import record_outcome

    case_id = pick_case(ctx.store, "status = 'open' AND safety_level = 0")
    done = record_outcome(ctx.store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE, ctx.now()),
                          ctx.profile, "agent01", now=ctx.now())
    return done.event_id


def add_dead_letter(ctx: Any, event_id: str) -> None:
    with ctx.store.engine.begin() as conn:
        conn.execute(text("INSERT INTO dead_letters(event_id, status_code, error, at) VALUES (:e, 422, :err, :at)"),
                     {"e": event_id, "err": "<b>payload.fields.promise_date</b>: not a date",
                      "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")})


def test_status_bar_shows_pending_count_and_connectivity(window: Any, qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: "0 record(s) waiting" in window.pending_label.text())
    assert "No head office configured" in window.connectivity_label.text()
    assert "never" in window.last_sync_label.text()
    record_one(ctx)
    with qtbot.waitSignal(window.statusRefreshed, timeout=10_000):
        window.refresh_status()
    assert window.pending_label.text() == "1 record(s) waiting to upload"


def test_sync_page_lists_outbox_and_refusals(window: Any, qtbot: Any, ctx: Any) -> None:
    first = record_one(ctx)
    record_one(ctx)
    add_dead_letter(ctx, first)
    with qtbot.waitSignal(window.sync_page.refreshed, timeout=10_000):
        window.show_page(PAGE_SYNC)
    page = window.sync_page
    assert page.outbox_model.rowCount() == 2
    assert page.dead_model.rowCount() == 1
    reason = page.dead_model.data(page.dead_model.index(0, 3))
    assert reason.startswith("A field of this record was not valid.") and "promise_date" in reason
    assert "2 record(s) waiting to upload · 1 refused" in page.summary.text()


def test_sync_now_without_head_office_says_so(window: Any, qtbot: Any) -> None:
    window.show_page(PAGE_SYNC)
    with qtbot.waitSignal(window.sync_page.refreshed, timeout=10_000):
        window.sync_now()
    assert "No head office is configured" in window.sync_page.result.text()
    assert window.sync_page.sync_button.isEnabled()


def test_sync_models_pass_the_model_tester(ctx: Any, qtmodeltester: Any) -> None:
    from app.services.workspace import sync_overview

    first = record_one(ctx)
    record_one(ctx)
    add_dead_letter(ctx, first)
    overview = sync_overview(ctx.store)
    outbox, dead = OutboxModel(), DeadLetterModel()
    outbox.set_rows(list(overview.outbox))
    dead.set_rows(list(overview.dead_letters))
    assert outbox.rowCount() == 2 and dead.rowCount() == 1
    qtmodeltester.check(outbox, force_py=True)
    qtmodeltester.check(dead, force_py=True)
    assert json.loads(json.dumps(overview.pending)) == 2
