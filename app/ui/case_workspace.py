"""A case list beside the case detail, and the dialogs that act on the selected case.

The dialogs' modules load when first opened (the window loads them in the background once the list is up),
not before the list's first rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QSplitter, QVBoxLayout, QWidget

from app.services.workspace import CaseDetail, SafetyLine, planned_case_ids

from .case_detail import CaseDetailView
from .case_list import CaseListView
from .case_model import CaseTableModel
from .context import UiContext

if TYPE_CHECKING:
    from .outcome_dialog import OutcomeDialog
    from .safety_dialog import ExpireNoteDialog, SafetyNoteDialog

DIALOG_MODULES = ("app.ui.outcome_dialog", "app.ui.safety_dialog")


class CaseWorkspace(QWidget):
    """One page (Cases or Today). `dataChanged` tells the window something was saved."""

    dataChanged = Signal()
    planChanged = Signal(str)  # a message for the status bar after "add to today's plan"
    dialogOpened = Signal(object)  # the dialog, so tests and the window can reach it
    startVisitRequested = Signal(int)  # the case's id: the agent is at its door
    outcomeSaved = Signal(int)  # the case's id, after its outcome was saved

    def __init__(self, ctx: UiContext, model: CaseTableModel, key: str, natural_order: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.list = CaseListView(model, ctx.settings, key, natural_order=natural_order, parent=self)
        self.detail = CaseDetailView(ctx, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        state = ctx.settings.geometry(f"{key}/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([700, 640])
        self.key = key
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)

        self.list.caseSelected.connect(self.detail.show_case)
        self.detail.recordOutcomeRequested.connect(self.record_outcome)
        self.detail.addSafetyNoteRequested.connect(self.add_safety_note)
        self.detail.editSafetyNoteRequested.connect(self.edit_safety_note)
        self.detail.expireSafetyNoteRequested.connect(self.expire_safety_note)
        self.detail.addToPlanRequested.connect(self.add_to_plan)
        self.detail.startVisitRequested.connect(lambda d: self.startVisitRequested.emit(d.id))

    def start(self) -> None:
        self.list.start()

    def save_layout(self) -> None:
        self.list.save_layout()
        self.ctx.settings.set_geometry(f"{self.key}/splitter", self.splitter.saveState())

    # -- actions -------------------------------------------------------------------------------
    def current_detail(self) -> CaseDetail | None:
        return self.detail.detail

    def record_outcome(self, detail: CaseDetail | None = None) -> OutcomeDialog | None:
        detail = detail or self.current_detail()
        if detail is None:
            return None
        from .outcome_dialog import OutcomeDialog

        dialog = OutcomeDialog(self.ctx, detail, self)
        dialog.saved.connect(lambda _r: self._changed(detail.id))
        dialog.saved.connect(lambda _r: self.outcomeSaved.emit(detail.id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def add_safety_note(self, detail: CaseDetail | None = None) -> SafetyNoteDialog | None:
        detail = detail or self.current_detail()
        if detail is None:
            return None
        from .safety_dialog import SafetyNoteDialog

        dialog = SafetyNoteDialog(self.ctx, detail, parent=self)
        dialog.saved.connect(lambda _uid: self._changed(detail.id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def edit_safety_note(self, detail: CaseDetail, note: SafetyLine) -> SafetyNoteDialog:
        from .safety_dialog import SafetyNoteDialog

        dialog = SafetyNoteDialog(self.ctx, detail, note=note, parent=self)
        dialog.saved.connect(lambda _uid: self._changed(detail.id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def expire_safety_note(self, detail: CaseDetail, note: SafetyLine) -> ExpireNoteDialog:
        from .safety_dialog import ExpireNoteDialog

        dialog = ExpireNoteDialog(self.ctx, note, self)
        dialog.expired.connect(lambda _uid: self._changed(detail.id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def add_to_plan(self, detail: CaseDetail | None = None) -> None:
        """Put the case into today's route (the planner re-optimises the rest) and save the plan."""
        detail = detail or self.current_detail()
        if detail is None:
            return
        if self.ctx.agent_id is None:
            self.planChanged.emit(self.tr("Only an agent's day can be planned: start Doorstep as an agent."))
            return
        from app.services.dayplan import replan, save_day_plan

        store, agent, day, profile, actor, now = (self.ctx.store, self.ctx.agent_id, self.ctx.today(),
                                                  self.ctx.profile, self.ctx.actor, self.ctx.now())

        def work() -> bool:
            plan = replan(store, agent, day, profile, add=[detail.id], now=now)
            save_day_plan(store, plan, actor, now=now)
            return detail.id in planned_case_ids(plan.to_json())

        self.detail.plan_button.setEnabled(False)
        task = self.ctx.runner.submit(work)
        task.then(self, succeeded=lambda planned: self._planned(detail, planned))
        task.then(self, failed=lambda exc: self._plan_failed(exc))

    def _plan_failed(self, exc: BaseException) -> None:
        self.detail.plan_button.setEnabled(True)
        self.planChanged.emit(self.tr("Could not plan: %1").replace("%1", str(exc)))

    def _planned(self, detail: CaseDetail, planned: bool) -> None:
        self.detail.plan_button.setEnabled(True)
        if planned:
            self.planChanged.emit(self.tr("%1 is in today's plan.").replace("%1", detail.case_no))
        else:
            self.planChanged.emit(self.tr("%1 was added, but the day has no room for it (see Day route).")
                                  .replace("%1", detail.case_no))
        self.dataChanged.emit()

    def _changed(self, case_id: int) -> None:
        """Something about this case was saved: update its row and the detail in place."""
        self.model.refresh_cases([case_id])
        if self.detail.case_id == case_id:
            self.detail.reload()
        self.dataChanged.emit()

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, self.tr("Doorstep"), message[:1000])
