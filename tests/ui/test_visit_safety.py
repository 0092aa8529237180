"""Safety at the door in the window (app/ui/visit_safety): the visit banner's countdown and its reminder,
the SOS shortcut from every room, and a check-out with the duress PIN that looks exactly like one with
the safety PIN. A real VisitDesk over the demo store; no head office is configured here (the window
says so and keeps everything queued). Delivery to a live head office is in
tests/integration/test_safety_window_live.py."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from .conftest import pick_case, sql

SAFETY_PIN, DURESS_PIN = "2580", "7913"


def arm_pins(store: Any, now: Any) -> None:
    """The verifiers `VisitDesk.set_pins` keeps once head office took the PINs (head office is not here)."""
    from app.services.visit_pins import make_verifiers, store_verifiers

    with store.write() as session:
        store_verifiers(session, make_verifiers(SAFETY_PIN, DURESS_PIN), now)


def visible_banner(window: Any, qtbot: Any) -> Any:
    control = window.visits
    control.refresh()
    qtbot.waitUntil(lambda: control.view is not None and window.visits.banner.isVisible(), timeout=10_000)
    return control.banner


def test_the_countdown_shows_and_decreases_then_turns_amber(window: Any, qtbot: Any, ctx: Any, clock: Any) -> None:
    from app.services.visits import VisitDesk

    case_id = pick_case(ctx.store)
    arm_pins(ctx.store, clock())
    VisitDesk(ctx.store, ctx.actor, clock).start(case_id, 45)
    banner = visible_banner(window, qtbot)
    assert banner.countdown.text() == "45:00" and banner.state.text() == "left"
    case_no = sql(ctx.store, "SELECT case_no FROM cases WHERE id = :i", i=case_id)[0][0]
    assert case_no in banner.title.text()
    clock.at += timedelta(minutes=12, seconds=30)
    banner.tick()
    assert banner.countdown.text() == "32:30"
    clock.at += timedelta(seconds=1)
    banner.tick()
    assert banner.countdown.text() == "32:29" and not banner.overdue
    clock.at += timedelta(minutes=33)
    banner.tick()
    assert banner.countdown.text() == "+00:31" and banner.state.text() == "overdue" and banner.overdue
    assert "#ffb300" in banner.styleSheet()
    # no head office here: the red line says head office does not know
    assert banner.offline.isVisibleTo(banner)
    assert banner.offline.text().startswith("Head office does not know you are at this door")


def test_the_reminder_fires_once_five_minutes_before_the_end_and_again_after_an_extension(
        window: Any, qtbot: Any, ctx: Any, clock: Any) -> None:
    from app.services.visits import VisitDesk

    arm_pins(ctx.store, clock())
    view = VisitDesk(ctx.store, ctx.actor, clock).start(pick_case(ctx.store), 30)
    banner = visible_banner(window, qtbot)
    alerts: list[tuple[str, str]] = []
    window.visits.alerter.alerted.connect(lambda title, text: alerts.append((title, text)))
    reminded: list[int] = []
    banner.reminded.connect(lambda _id, left: reminded.append(left))
    clock.at = view.due_at - timedelta(minutes=5, seconds=1)
    banner.tick()
    assert reminded == []
    clock.at += timedelta(seconds=1)
    banner.tick()
    assert reminded == [300]
    assert alerts and "5 minutes" in alerts[0][1]
    flashes = set()
    for _ in range(20):  # it flashes a while, and stays reminded once
        clock.at += timedelta(seconds=1)
        banner.tick()
        flashes.add(banner._flashing)
    clock.at = view.due_at + timedelta(minutes=2)
    banner.tick()
    assert reminded == [300] and flashes == {True, False} and not banner._flashing
    with qtbot.waitSignal(window.visits.stateChanged, timeout=10_000):
        banner.extend_buttons[0].click()  # +15: a new end, reminded again
    # past the end, an extension counts from now (as head office does): due + 2 min + 15 min
    new_due = view.due_at + timedelta(minutes=17)
    assert window.visits.view.due_at == new_due and banner.view.due_at == new_due
    banner.tick()
    assert banner.countdown.text() == "15:00" and not banner.overdue and reminded == [300]
    clock.at = new_due - timedelta(minutes=5)
    banner.tick()
    assert reminded == [300, 300]
    clock.at += timedelta(seconds=30)
    banner.tick()
    assert reminded == [300, 300]


def test_the_sos_shortcut_works_from_every_room(window: Any, qtbot: Any, ctx: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    opened: list[Any] = []
    window.visits.dialogOpened.connect(opened.append)
    rooms = window.nav.count()
    assert rooms >= 6
    assert "Ctrl+Alt+S" in window.visits.sos_action.toolTip()
    assert window.visits.sos_action in window.visits.menu.actions()
    for room in range(rooms):
        window.show_page(room)
        qtbot.waitUntil(lambda room=room: window.stack.currentIndex() == room)
        target = QApplication.focusWidget() or window
        qtbot.keyClick(target, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda room=room: len(opened) == room + 1, timeout=5_000)
        dialog = opened[-1]
        assert dialog.isVisible() and dialog.send_button.isDefault()
        assert "5 s" in dialog.countdown.text()
        if room < rooms - 1:
            dialog.cancel_button.click()
            assert not dialog.isVisible()
    assert sql(ctx.store, "SELECT count(*) FROM safety_outbox")[0][0] == 0  # every one was cancelled
    shown: list[str] = []
    dialog.statusShown.connect(shown.append)
    qtbot.keyClick(dialog.send_button, Qt.Key.Key_Return)  # Enter sends
    qtbot.waitUntil(lambda: dialog.close_button.isVisible(), timeout=10_000)
    rows = sql(ctx.store, "SELECT kind, priority FROM safety_outbox")
    assert rows == [("sos", 0)]
    assert shown[0] == "Sending the SOS…"
    assert shown[-1].startswith("SOS queued: head office cannot be reached — call:")


def test_the_sos_sends_by_itself_after_five_seconds(window: Any, qtbot: Any, ctx: Any) -> None:
    dialog = window.visits.sos()
    dialog.timer.stop()  # the test drives the countdown itself
    for left in (4, 3, 2, 1):
        dialog.tick()
        assert f"{left} s" in dialog.countdown.text() and not dialog.sent
    dialog.tick()
    assert dialog.sent
    qtbot.waitUntil(lambda: sql(ctx.store, "SELECT count(*) FROM safety_outbox WHERE kind = 'sos'")[0][0] == 1,
                    timeout=10_000)
    qtbot.waitUntil(lambda: dialog.close_button.isVisible(), timeout=10_000)


def _check_out(window: Any, qtbot: Any, pin: str) -> list[str]:
    control = window.visits
    dialog = control.check_out()
    shown: list[str] = []
    dialog.statusShown.connect(shown.append)
    qtbot.keyClicks(dialog.pin, pin)
    assert dialog.pin.echoMode() == dialog.pin.EchoMode.Password
    dialog.ok.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=30_000)
    qtbot.waitUntil(lambda: control.view is None and not control.banner.isVisible(), timeout=10_000)
    return shown


def _screen(window: Any) -> tuple[Any, ...]:
    control = window.visits
    return (control.banner.isVisible(), control.banner.offline.isVisible(),
            window.windowTitle(), window.statusBar().currentMessage(), control.check_out_action.isEnabled(),
            control.back_safe_action.isVisible(), [a.text() for a in control.menu.actions()])


def test_the_duress_pin_checks_out_exactly_like_the_safety_pin(window: Any, qtbot: Any, ctx: Any, clock: Any,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    from app.services.visits import VisitDesk

    arm_pins(ctx.store, clock())
    desk = VisitDesk(ctx.store, ctx.actor, clock)
    case_id = pick_case(ctx.store)
    runs: list[tuple[list[str], tuple[Any, ...], list[str]]] = []
    for pin in (SAFETY_PIN, DURESS_PIN):
        desk.start(case_id, 45)
        visible_banner(window, qtbot)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            shown = _check_out(window, qtbot, pin)
        logged = [f"{r.name}:{r.levelname}:{r.getMessage()}" for r in caplog.records if r.levelno >= logging.INFO]
        runs.append((shown, _screen(window), logged))
        clock.at += timedelta(minutes=1)
    assert runs[0][0] == ["Checking…", "Checked out — safe"]
    assert runs[0] == runs[1]
    states = sql(ctx.store, "SELECT state FROM visit_sessions ORDER BY started_at")
    assert states == [("closed",), ("closed",)]


def test_a_wrong_pin_says_so_and_the_dialog_stays(window: Any, qtbot: Any, ctx: Any, clock: Any) -> None:
    from app.services.visits import VisitDesk

    arm_pins(ctx.store, clock())
    VisitDesk(ctx.store, ctx.actor, clock).start(pick_case(ctx.store), 45)
    visible_banner(window, qtbot)
    dialog = window.visits.check_out()
    shown: list[str] = []
    dialog.statusShown.connect(shown.append)
    qtbot.keyClicks(dialog.pin, "12ab<script>9")  # digits only, six at most
    assert dialog.pin.text() == "129"
    dialog.ok.click()
    assert shown == ["A PIN is 4 to 6 digits."]
    dialog.pin.setText("1111")
    dialog.ok.click()
    qtbot.waitUntil(lambda: shown[-1] == "Wrong PIN", timeout=30_000)
    assert shown == ["A PIN is 4 to 6 digits.", "Checking…", "Wrong PIN"]
    assert dialog.isVisible() and dialog.pin.text() == "" and window.visits.banner.isVisible()
    dialog.reject()
