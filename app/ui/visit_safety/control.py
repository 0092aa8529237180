"""The window's part of "safety at the door": the visit banner at the top of every room, the Safety menu
and its application-wide SOS shortcut, and the flows behind them — starting a visit (case detail, Day
route), extending it, checking out with a PIN, SOS, "back safe for today" — over the laptop's
`VisitDesk` (app/services/visits.py).

Nothing here waits on the disk or the network: every VisitDesk call runs on the BackgroundRunner, and
every head-office call through `HeadOfficeSync.call` (signed in like a sync round), with the desk's
queue handed a `SafetyApi` over that client. While head office does not know about the open visit the
queue is delivered again every `RETRY_MS`; colleagues' alarms nearby are polled by `NoticeWatcher`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar

from .alerts import Alerter
from .banner import VisitBanner
from .notices import NoticeWatcher
from .pin_dialogs import CheckOutDialog, PinSetupDialog, refusal_text
from .sos_dialog import SosDialog
from .start_dialog import StartFacts, StartVisitDialog, device_position

if TYPE_CHECKING:
    from ..context import UiContext

RETRY_MS = 10_000  # deliver the safety queue again this often while head office does not know
STATE_MS = 60_000  # read the day's state (day end due, visits today) again this often
SOS_KEYS = QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.ALT | Qt.Key.Key_S)


@dataclass(frozen=True)
class DeskState:
    """The desk's state as the window shows it, read in the background."""

    view: Any  # VisitView | None
    day_end_due: bool
    visits_today: int
    pending: int
    contacts: tuple[Any, ...] = ()  # ContactView: whom to call, also without a visit


def read_state(desk: Any) -> DeskState:
    return DeskState(desk.current(), bool(desk.day_end_due()), int(desk.visits_today()), int(desk.pending()),
                     tuple(desk.contacts()))


def deliver_and_read(desk: Any, client: Any, cancel: threading.Event | None = None) -> tuple[Any, DeskState]:
    """Send the safety queue over a signed-in head-office client, then read the state it left."""
    from app.sync.safety_client import SafetyApi

    result = desk.deliver(SafetyApi(client), cancel)
    return result, read_state(desk)


class VisitControl(QObject):
    stateChanged = Signal(object)  # DeskState
    dialogOpened = Signal(object)
    delivered = Signal(object)  # DeliveryResult (or the exception of a delivery that could not run)
    message = Signal(str)  # for the status bar

    def __init__(self, window: QMainWindow, ctx: UiContext):
        super().__init__(window)
        from app.services.visits import VisitDesk

        self.window = window
        self.ctx = ctx
        self.desk = VisitDesk(ctx.store, ctx.actor, ctx.clock)
        self.position: Callable[[], tuple[float, float] | None] = lambda: device_position(self)
        self.state: DeskState | None = None
        self.last_result: Any = None
        self._delivering = False
        self._redeliver = False
        self._waiting: list[Callable[[Any], None]] = []
        self.alerter = Alerter(window, self)
        # placed above the pages by the window (window_pages.build_pages), again after each rebuild
        self.banner = VisitBanner(ctx.clock, window)
        self.banner.extendRequested.connect(self.extend)
        self.banner.checkOutRequested.connect(self.check_out)
        self.banner.sosRequested.connect(self.sos)
        self.banner.backSafeRequested.connect(self.back_safe)
        self.banner.reminded.connect(self._remind)

        self.sos_action = QAction(window)
        self.sos_action.setShortcut(SOS_KEYS)
        self.sos_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.sos_action.triggered.connect(self.sos)
        window.addAction(self.sos_action)
        self.start_action = QAction(window)
        self.start_action.triggered.connect(self.start_for_selected)
        self.check_out_action = QAction(window)
        self.check_out_action.triggered.connect(self.check_out)
        self.back_safe_action = QAction(window)
        self.back_safe_action.triggered.connect(self.back_safe)
        self.back_safe_action.setVisible(False)
        self.pins_action = QAction(window)
        self.pins_action.triggered.connect(self.set_pins)
        self.retranslate()

        self.retry = QTimer(self)
        self.retry.setInterval(RETRY_MS)
        self.retry.timeout.connect(self._retry)
        self.retry.start()
        self.state_timer = QTimer(self)
        self.state_timer.setInterval(STATE_MS)
        self.state_timer.timeout.connect(self.refresh)
        self.state_timer.start()
        self.notices = NoticeWatcher(self, window)
        self.refresh()

    # -- menu and texts --------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.sos_action.setText(self.tr("Send &SOS…"))
        self.sos_action.setToolTip(self.tr("Send an SOS to head office (Ctrl+Alt+S, from every room)"))
        self.start_action.setText(self.tr("Start &visit…"))
        self.check_out_action.setText(self.tr("&Check out: safe…"))
        self.back_safe_action.setText(self.tr("&Back safe for today"))
        self.pins_action.setText(self.tr("Set safety &PINs…"))
        self.banner.retranslate()

    def build_menu(self, bar: QMenuBar) -> QMenu:
        """The Safety menu (again after each rebuild of the window's menus; the actions are kept)."""
        self.retranslate()
        menu = bar.addMenu(self.tr("Sa&fety"))
        menu.setToolTipsVisible(True)
        for action in (self.start_action, self.check_out_action, self.sos_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.back_safe_action)
        menu.addAction(self.pins_action)
        self.menu = menu
        return menu

    def shutdown(self) -> None:
        """The window lets go of the store: stop every timer and take the banner away."""
        self.retry.stop()
        self.state_timer.stop()
        self.notices.stop()
        self.banner.timer.stop()
        for action in (self.sos_action, self.start_action, self.check_out_action, self.back_safe_action,
                       self.pins_action):
            self.window.removeAction(action)
        self.banner.hide()
        self.banner.deleteLater()

    # -- the desk's state --------------------------------------------------------------------------
    def refresh(self) -> None:
        desk = self.desk
        task = self.ctx.runner.submit(lambda: read_state(desk))
        task.then(self, succeeded=self._apply_state)

    def _apply_state(self, state: DeskState) -> None:
        previous = self.state.view if self.state is not None else None
        self.state = state
        view = state.view
        if view is None or previous is None or view != previous:
            self.banner.set_visit(view)
        if view is not None and self.last_result is not None and self.last_result.problem and \
                not view.head_office_knows:
            self.banner.set_delivery(False, self.last_result.problem)
        self.banner.set_day_end_due(state.day_end_due and view is None)
        self.back_safe_action.setVisible(state.visits_today > 0)
        self.check_out_action.setEnabled(view is not None)
        self.stateChanged.emit(state)

    @property
    def view(self) -> Any:
        return self.state.view if self.state is not None else None

    # -- delivery -----------------------------------------------------------------------------------
    def _retry(self) -> None:
        state = self.state
        if state is None or self._paused():
            return
        if state.pending > 0 or (state.view is not None and not state.view.head_office_knows):
            self.deliver_now()

    def _paused(self) -> bool:
        return bool(getattr(self.ctx.sync, "paused", False))

    def deliver_now(self, then: Callable[[Any], None] | None = None) -> None:
        """Send the safety queue in the background (one delivery at a time; a request during one runs
        after it). `then(result_or_exception)` follows on the GUI thread."""
        call = getattr(self.ctx.sync, "call", None)
        if call is None:
            from app.sync.errors import SyncError

            self._delivery_failed(SyncError(self.tr("No head office is configured: set its address in Settings.")),
                                  then)
            return
        if self._delivering:
            self._redeliver = True
            if then is not None:
                self._waiting.append(then)
            return
        self._delivering = True
        self._waiting = [then] if then is not None else []
        desk = self.desk
        call(lambda client: deliver_and_read(desk, client), self._delivered, self._delivery_failed_all)

    def _delivered(self, result: tuple[Any, DeskState]) -> None:
        if not shiboken6.isValid(self):
            return
        delivery, state = result
        self.last_result = delivery
        self._apply_state(state)
        if state.view is not None:
            self.banner.set_delivery(bool(state.view.head_office_knows and not delivery.problem),
                                     delivery.problem or state.view.problem)
        self._end_delivery(delivery)

    def _delivery_failed_all(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self._delivery_failed(exc, None)
        self._end_delivery(exc)

    def _delivery_failed(self, exc: Exception, then: Callable[[Any], None] | None) -> None:
        if self.view is not None:
            self.banner.set_delivery(False, refusal_text(exc))
        if then is not None:
            then(exc)
            self.delivered.emit(exc)

    def _end_delivery(self, outcome: Any) -> None:
        waiting, self._waiting = self._waiting, []
        self._delivering = False
        for then in waiting:
            then(outcome)
        self.delivered.emit(outcome)
        if self._redeliver:
            self._redeliver = False
            self.deliver_now()

    # -- starting a visit ------------------------------------------------------------------------
    def start_for_selected(self) -> None:
        current = getattr(self.window, "current_workspace", lambda: None)()
        case_id = current.detail.case_id if current is not None else None
        if case_id is None:
            self.message.emit(self.tr("Select a case first."))
            return
        self.start_visit(case_id)

    def start_visit(self, case_id: int) -> None:
        """Read what the dialog needs (background), then ask for the PINs the first time, then the dialog."""
        from app.services.dayplan import standing_partner
        from app.services.workspace import load_case_detail

        desk, store, agent, now = self.desk, self.ctx.store, self.ctx.agent_id, self.ctx.now()

        def facts() -> StartFacts:
            detail = load_case_detail(store, case_id, now)
            partner = standing_partner(store, agent) if agent is not None else None
            address = detail.addresses[0].text if detail.addresses else ""
            homes = [a.text for a in detail.addresses if a.kind == "home"]
            return StartFacts(case_id, detail.case_no, homes[0] if homes else address, desk.propose(case_id),
                              desk.policy(), partner.id if partner else None, partner.name if partner else None,
                              bool(desk.pins_set()))

        task = self.ctx.runner.submit(facts)
        task.then(self, succeeded=self._facts_read, failed=lambda exc: self.message.emit(str(exc)[:300]))

    def _facts_read(self, facts: StartFacts) -> None:
        if not facts.pins_set:
            dialog = self.set_pins()
            dialog.pinsSet.connect(lambda: self._open_start(facts))
            return
        self._open_start(facts)

    def _open_start(self, facts: StartFacts) -> StartVisitDialog:
        dialog = StartVisitDialog(facts, self.position(), self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.startRequested.connect(lambda *args: self._start(dialog, facts.case_id, *args))
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def _start(self, dialog: StartVisitDialog, case_id: int, minutes: int, partner_id: int | None,
               lat: float | None, lon: float | None, source: str) -> None:
        desk = self.desk

        def work() -> DeskState:
            desk.start(case_id, minutes, lat=lat, lon=lon, position_source=source, partner_id=partner_id)
            return read_state(desk)

        task = self.ctx.runner.submit(work)
        task.then(self, succeeded=lambda state: self._started(dialog, state),
                  failed=lambda exc: dialog.show_problem(str(exc)) if shiboken6.isValid(dialog) else None)

    def _started(self, dialog: StartVisitDialog, state: DeskState) -> None:
        if shiboken6.isValid(dialog):
            dialog.started()
        self._apply_state(state)
        self.deliver_now()

    def set_pins(self) -> PinSetupDialog:
        dialog = PinSetupDialog(self._submit_pins, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def _submit_pins(self, safety: str, duress: str, done: Callable[[object], None],
                     failed: Callable[[Exception], None]) -> None:
        call = getattr(self.ctx.sync, "call", None)
        if call is None:
            from app.sync.errors import SyncError

            failed(SyncError(self.tr("Setting the PINs needs head office: set its address in Settings.")))
            return
        desk = self.desk

        def work(client: Any) -> None:
            from app.sync.safety_client import SafetyApi

            desk.set_pins(SafetyApi(client), safety, duress)

        call(work, done, failed)

    # -- during the visit ----------------------------------------------------------------------------
    def extend(self, minutes: int) -> None:
        desk = self.desk

        def work() -> DeskState:
            desk.extend(minutes)
            return read_state(desk)

        task = self.ctx.runner.submit(work)
        task.then(self, succeeded=self._extended, failed=lambda exc: self.message.emit(str(exc)[:300]))

    def _extended(self, state: DeskState) -> None:
        self._apply_state(state)
        self.message.emit(self.tr("The visit was extended."))
        self.deliver_now()

    def _remind(self, _local_id: str, seconds_left: int) -> None:
        text = (self.tr("Your visit ends in 5 minutes: check out, or extend it.") if seconds_left > 0
                else self.tr("Your visit time is up: check out, or extend it."))
        self.alerter.alert(self.tr("Doorstep — visit"), text)

    def check_out(self) -> CheckOutDialog | None:
        view = self.view
        if view is None:
            self.message.emit(self.tr("No visit is open."))
            return None
        desk, runner = self.desk, self.ctx.runner
        dialog = CheckOutDialog(lambda pin: runner.submit(lambda: desk.check_out(pin)), view.case_number,
                                self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.checkedOut.connect(self._checked_out)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def _checked_out(self) -> None:
        self.banner.set_visit(None)
        self.refresh()
        self.deliver_now()

    def after_outcome(self, case_id: int) -> None:
        """An outcome was saved for `case_id`: if that case's visit is open, check out now."""
        desk = self.desk
        task = self.ctx.runner.submit(lambda: desk.current_for(case_id))
        task.then(self, succeeded=lambda view: self.check_out() if view is not None else None)

    def back_safe(self) -> None:
        desk = self.desk

        def work() -> DeskState:
            desk.back_safe()
            return read_state(desk)

        task = self.ctx.runner.submit(work)
        task.then(self, succeeded=self._back_safe_done, failed=lambda exc: self.message.emit(str(exc)[:300]))

    def _back_safe_done(self, state: DeskState) -> None:
        self._apply_state(state)
        self.message.emit(self.tr("Head office is told you are back safe for today."))
        self.deliver_now()

    # -- SOS -----------------------------------------------------------------------------------------------
    def sos(self) -> SosDialog:
        dialog = SosDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sendRequested.connect(lambda: self._send_sos(dialog))
        self.dialogOpened.emit(dialog)
        dialog.open()
        dialog.start()
        return dialog

    def _send_sos(self, dialog: SosDialog) -> None:
        position = self.position()
        lat, lon = position if position is not None else (None, None)
        desk = self.desk

        def work() -> DeskState:
            desk.sos(lat=lat, lon=lon)
            return read_state(desk)

        task = self.ctx.runner.submit(work)
        task.then(self, succeeded=lambda state: self._sos_queued(dialog, state),
                  failed=lambda exc: dialog.show_failed(str(exc)) if shiboken6.isValid(dialog) else None)

    def _sos_queued(self, dialog: SosDialog, state: DeskState) -> None:
        self._apply_state(state)
        self.deliver_now(lambda outcome: self._sos_answered(dialog, outcome))

    def _sos_answered(self, dialog: SosDialog, outcome: Any) -> None:
        if not shiboken6.isValid(dialog):
            return
        reached = not isinstance(outcome, BaseException) and outcome.problem is None
        if reached:
            dialog.show_sent()
        else:
            reason = refusal_text(outcome) if isinstance(outcome, BaseException) else outcome.problem
            dialog.show_queued(self.contacts(), reason)

    def contacts(self) -> tuple[Any, ...]:
        """Whom to call: the open visit's contacts, else the desk's cached ones."""
        view = self.view
        if view is not None and view.contacts:
            return tuple(view.contacts)
        return self.state.contacts if self.state is not None else ()
