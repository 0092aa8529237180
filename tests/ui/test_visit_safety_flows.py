"""More of safety at the door in the window: starting a visit from the case, an outcome saved for the visited
case leading straight to the check-out, "back safe for today", a colleague's alarm nearby, the supervisor's
board (colours, plain text, a sound and tray message for a new alarm when the window is not active) and
the SOS shortcut from the supervisor's rooms. A real VisitDesk over the demo store; no head office here."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox

from . import safety_samples
from .conftest import pick_case, sql
from .test_visit_safety import DURESS_PIN, SAFETY_PIN, arm_pins, visible_banner

PLAIN = "status = 'open' AND safety_level = 0"


def test_start_visit_from_the_case_asks_for_pins_first_then_opens_the_session(window: Any, qtbot: Any,
                                                                               ctx: Any) -> None:
    case_id = pick_case(ctx.store, PLAIN)
    ws = window.cases
    with qtbot.waitSignal(ws.detail.loaded, timeout=10_000):
        assert ws.list.select_case(case_id)
    opened: list[Any] = []
    window.visits.dialogOpened.connect(opened.append)
    ws.detail.visit_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=10_000)
    pins = opened[0]
    assert type(pins).__name__ == "PinSetupDialog"
    pins.safety.setText("1234")  # consecutive digits: refused next to the field, nothing sent
    pins.safety_again.setText("1234")
    pins.duress.setText("2580")
    pins.duress_again.setText("2581")
    pins.save()
    assert pins.safety_error.isVisibleTo(pins) and "consecutive" in pins.safety_error.text()
    assert pins.duress_error.isVisibleTo(pins) and "differ" in pins.duress_error.text()
    pins.reject()
    # PINs set (head office took them on another day): the start dialog itself
    arm_pins(ctx.store, ctx.clock())
    ws.detail.visit_button.click()
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=10_000)
    start = opened[1]
    assert type(start).__name__ == "StartVisitDialog"
    assert "policy default" in start.reason.text() and "15–120" in start.reason.text()
    assert (start.minutes.minimum(), start.minutes.maximum(), start.minutes.value()) == (15, 120, 45)
    assert "case address" in start.position_label.text()  # no position source offscreen
    start.minutes.setValue(30)
    start.buttons.button(start.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.visits.view is not None and window.visits.banner.isVisible(), timeout=10_000)
    assert window.visits.banner.countdown.text() == "30:00"
    assert sql(ctx.store, "SELECT kind, priority FROM safety_outbox") == [("open", 1)]
    assert sql(ctx.store, "SELECT case_id, planned_minutes, state FROM visit_sessions") == [(case_id, 30, "open")]


def _save_outcome(window: Any, qtbot: Any, case_id: int) -> None:
    from .test_outcome_dialog import choose, open_dialog

    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "not_home")
    choose(dialog.channel, "visit")
    dialog.no_recording.setText("recorder battery flat")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_an_outcome_saved_for_the_visited_case_leads_to_the_check_out(window: Any, qtbot: Any, ctx: Any,
                                                                       clock: Any) -> None:
    from app.services.visits import VisitDesk

    visited = pick_case(ctx.store, PLAIN)
    other = pick_case(ctx.store, PLAIN + " AND id > :first", first=visited)
    arm_pins(ctx.store, clock())
    VisitDesk(ctx.store, ctx.actor, clock).start(visited, 45)
    visible_banner(window, qtbot)
    opened: list[Any] = []
    window.visits.dialogOpened.connect(opened.append)
    _save_outcome(window, qtbot, other)  # another case: no check-out
    qtbot.waitUntil(lambda: not ctx.runner.busy, timeout=10_000)
    assert opened == []
    _save_outcome(window, qtbot, visited)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=10_000)
    dialog = opened[0]
    assert type(dialog).__name__ == "CheckOutDialog" and dialog.isVisible()
    qtbot.keyClicks(dialog.pin, DURESS_PIN)
    dialog.ok.click()
    qtbot.waitUntil(lambda: window.visits.view is None and not window.visits.banner.isVisible(), timeout=30_000)


def test_back_safe_for_today_is_offered_after_the_day_s_visits(window: Any, qtbot: Any, ctx: Any,
                                                                clock: Any) -> None:
    from app.services.visits import VisitDesk

    control = window.visits
    assert not control.back_safe_action.isVisible()
    arm_pins(ctx.store, clock())
    desk = VisitDesk(ctx.store, ctx.actor, clock)
    desk.start(pick_case(ctx.store), 30)
    assert desk.check_out(SAFETY_PIN)
    control.refresh()
    qtbot.waitUntil(lambda: control.back_safe_action.isVisible(), timeout=10_000)
    assert not control.banner.isVisible()  # before the day's end the banner does not ask
    clock.set_local(20, 30)  # past the policy's day end (20:00)
    control.refresh()
    qtbot.waitUntil(lambda: control.banner.isVisible() and control.banner.day_row.isVisibleTo(control.banner),
                    timeout=10_000)
    assert not control.banner.visit_row.isVisibleTo(control.banner)
    assert "back safe" in control.banner.day_end.text()
    control.banner.back_safe_button.click()
    qtbot.waitUntil(lambda: not control.banner.isVisible(), timeout=10_000)
    assert ("day_end",) in sql(ctx.store, "SELECT kind FROM safety_outbox")
    assert control.back_safe_action.isVisible()


def test_a_colleague_s_alarm_nearby_is_shown_at_once_without_blocking(window: Any, qtbot: Any, ctx: Any) -> None:
    from app.services.visits import NoticeView

    watcher = window.visits.notices
    alerts: list[tuple[str, str]] = []
    window.visits.alerter.alerted.connect(lambda title, text: alerts.append((title, text)))
    shown: list[Any] = []
    watcher.noticeShown.connect(shown.append)
    hostile = "<b>王小明</b><script>alert(1)</script> needs help 😀"
    notices = [NoticeView(7, "nearby_alarm", ctx.clock(), hostile, "成都市武侯区人民南路四段1号 (0.8 km)", 30.6, 104.0),
               NoticeView(8, "reminder", ctx.clock(), "not for the box", "", None, None)]
    watcher._busy = True
    watcher._fetched((False, notices))
    assert [n.id for n in shown] == [7]
    box = watcher.boxes[-1]
    assert box.isVisible() and box.windowModality() == Qt.WindowModality.NonModal
    assert box.textFormat() == Qt.TextFormat.PlainText and hostile in box.text()
    assert alerts == [("A colleague nearby raised an alarm", box.text())]
    assert QApplication.activeModalWidget() is None  # the window goes on
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(box) or not box.isVisible(), timeout=5_000)


def test_the_board_colours_its_rows_shows_plain_text_and_rings_for_a_new_alarm(ctx: Any, qtbot: Any) -> None:
    from app.ui.visit_safety.board_model import AMBER, GREY, RED, RED_LIGHT
    from app.ui.visit_safety.board_page import SafetyBoardPage

    page = SafetyBoardPage(ctx, ctx.sync)  # never shown, so never the active window
    qtbot.addWidget(page)
    page.timer.stop()
    QApplication.processEvents()  # its first poll: no head office here
    assert "No head office" in page.status.text()
    alerts: list[tuple[str, str]] = []
    page.alerter.alerted.connect(lambda title, text: alerts.append((title, text)))
    now = ctx.clock()
    page.show_board(safety_samples.board(now))

    def colour(model: Any, row: int) -> str:
        brush = model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)
        return QColor(brush.color()).name() if brush is not None else ""

    sessions, alarms = page.sessions, page.alarms
    assert [colour(sessions, r) for r in range(3)] == ["", "", AMBER]
    assert sessions.data(sessions.index(2, sessions.LEFT)) == "overdue +16:05"
    assert sessions.data(sessions.index(0, sessions.LEFT)) == "25:12"
    assert [a.kind for a in alarms.rows] == ["sos", "overdue", "duress", "day_end"]  # open first, red first
    assert [colour(alarms, r) for r in range(4)] == [RED, AMBER, RED_LIGHT, GREY]
    assert alarms.data(alarms.index(1, alarms.ADDRESS)) == "<b>成都市</b>青羊区 =SUM(A1) 😀"  # as sent
    assert "failed: SMS to 李四" in alarms.data(alarms.index(0, alarms.DELIVERIES))
    assert alarms.data(alarms.index(2, alarms.STATE)).startswith("Acknowledged by 周志红")
    assert "agent safe" in alarms.data(alarms.index(3, alarms.STATE))
    assert page.alarms_title.text() == "Alarms: 3 open" and page.sessions_title.text() == "Open visits: 3"
    assert [t for t, _ in alerts] == ["Safety alarm: SOS"]  # one alert for what is new
    page.show_board(safety_samples.board(now + timedelta(seconds=2)))
    assert len(alerts) == 1  # nothing new, no sound
    page.show_board(safety_samples.board(now + timedelta(seconds=4), extra_alarm=True))
    assert len(alerts) == 2 and "赵强" in alerts[1][1]
    # the selection survives a refresh, and the buttons follow the alarm's state
    page.alarms_table.selectRow(next(r for r, a in enumerate(alarms.rows) if a.state == "resolved"))
    assert not page.ack_button.isEnabled() and not page.resolve_button.isEnabled()
    row = next(r for r, a in enumerate(alarms.rows) if a.kind == "overdue")
    page.alarms_table.selectRow(row)
    page.show_board(safety_samples.board(now + timedelta(seconds=6), extra_alarm=True))
    assert page._selected_alarm().kind == "overdue" and page.ack_button.isEnabled()


@pytest.fixture
def supervisor_window(ctx: Any, app_settings: Any, translations: Any, qtbot: Any) -> Any:
    from app.ui.main_window import MainWindow

    win = MainWindow(app_settings, translations)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    with qtbot.waitSignal(win.caseListReady, timeout=20_000):
        win.attach(replace(ctx, actor="super01"))
    yield win
    win.close()


def test_the_sos_shortcut_works_from_the_supervisor_s_rooms_too(supervisor_window: Any, qtbot: Any,
                                                                ctx: Any) -> None:
    win = supervisor_window
    qtbot.waitUntil(lambda: win.nav.count() == 10, timeout=10_000)
    assert type(win.supervisor_pages[3]).__name__ == "SafetyBoardPage"
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    opened: list[Any] = []
    win.visits.dialogOpened.connect(opened.append)
    for room in range(6, 10):
        win.show_page(room)
        qtbot.waitUntil(lambda room=room: win.stack.currentIndex() == room and
                        type(win.stack.currentWidget()).__name__ != "PlaceholderPage", timeout=10_000)
        win.activateWindow()  # the user types in the window (building a room's map may take the activation)
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
        target = QApplication.focusWidget() or win
        qtbot.keyClick(target, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda room=room: len(opened) == room - 5, timeout=5_000)
        assert opened[-1].isVisible() and opened[-1].send_button.isDefault()
        opened[-1].cancel_button.click()
    assert sql(ctx.store, "SELECT count(*) FROM safety_outbox")[0][0] == 0
