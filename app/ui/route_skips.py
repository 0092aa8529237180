"""The Route room's "not planned" summary: how many cases the plan left out and why, with a fix.

"12 not planned: 9 need a partner, 2 do-not-visit, 1 without coordinates", and a button for each
reason that has a one-click fix (`app.services.dayskips`): plan with the standing partner (or put
the cursor in the partner field when there is none), or end the day later. The widget also puts
the standing partner (kept at head office, synced) into the day's partner field when the day has
no saved plan yet; a partner typed for the day changes only that day.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.routing.model import clock_text
from app.services.dayskips import Fix, SkipCount, SkipGroup, SkipSummary, summarise_skips, visiting_end_s


class RouteSkips(QWidget):
    """Shown above the "Not planned" list. `replanRequested(day_end_s or None)`: plan the rest of the
    day again (after the partner field was filled, or with a later end of the day)."""

    replanRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, ctx: Any, agent_id: int | None,
                 partner_edit: QLineEdit) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.partner_edit = partner_edit
        self.standing: Any = None  # app.services.dayplan.StandingPartner, once read
        self.summary: SkipSummary | None = None
        self._day_plan: Any = None
        self._waiting = {"partner": agent_id is not None, "plan": True}
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("font-weight:600;")
        self.fixes = QHBoxLayout()
        self.fixes.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[SkipGroup, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(self.fixes)
        self.hide()
        if agent_id is not None:
            from app.services.dayplan import standing_partner

            store = ctx.store
            task = ctx.runner.submit(lambda: standing_partner(store, agent_id))
            task.then(self, succeeded=self._partner_read)

    # --- from the route view -------------------------------------------------------------------

    def plan_loaded(self, day_plan: Any) -> None:
        """The saved plan of the day (or None) has been read."""
        self._waiting["plan"] = False
        self._fill_partner(day_plan)

    def show_plan(self, day_plan: Any) -> None:
        self._day_plan = day_plan
        self._refresh()

    # --- internals -----------------------------------------------------------------------------

    def _partner_read(self, partner: Any) -> None:
        self.standing = partner
        self._waiting["partner"] = False
        self._fill_partner(self._day_plan)
        self._refresh()

    def _fill_partner(self, day_plan: Any) -> None:
        """No saved plan yet: the day starts with the standing partner (still editable for the day)."""
        if any(self._waiting.values()) or self.standing is None:
            return
        if day_plan is None and not self.partner_edit.text().strip():
            self.partner_edit.setText(self.standing.name)
        self.partner_edit.setToolTip(self.tr("Standing partner: %1. A partner typed here counts for this day "
                                             "only.").replace("%1", self.standing.name))

    def _refresh(self) -> None:
        plan = self._day_plan
        while self.fixes.count():
            item = self.fixes.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.buttons.clear()
        if plan is None or not plan.plan.skipped:
            self.summary = None
            self.hide()
            return
        window = self.ctx.profile.window
        self.summary = summarise_skips(
            plan.plan.skipped, standing_partner=self.standing.name if self.standing else None,
            day_partner=plan.options.partner, day_end_s=plan.options.day_end_s,
            latest_end_s=visiting_end_s(window.start, window.end))
        parts = [self._count_text(c) for c in self.summary.groups]
        self.label.setText(self.tr("%n not planned: ", "", self.summary.total) + self.tr(", ").join(parts))
        for count in self.summary.groups:
            button = self._fix_button(count)
            if button is not None:
                self.buttons[count.group] = button
                self.fixes.addWidget(button)
        self.fixes.addStretch(1)
        self.show()

    def _count_text(self, c: SkipCount) -> str:
        words = {
            SkipGroup.PARTNER: self.tr("%n without a partner", "", c.count),
            SkipGroup.DO_NOT_VISIT: self.tr("%n do-not-visit", "", c.count),
            SkipGroup.HOURS: self.tr("%n outside visiting hours", "", c.count),
            SkipGroup.DAY_FULL: self.tr("%n too many for the day", "", c.count),
            SkipGroup.COORDINATES: self.tr("%n without coordinates", "", c.count),
            SkipGroup.TOO_FAR: self.tr("%n too far away", "", c.count),
            SkipGroup.OTHER: self.tr("%n for other reasons", "", c.count),
        }
        return words[c.group]

    def _fix_button(self, c: SkipCount) -> QPushButton | None:
        if c.fix == Fix.USE_STANDING_PARTNER:
            button = QPushButton(self.tr("Plan with %1 (standing partner)").replace("%1", str(c.fix_value)), self)
            button.clicked.connect(lambda: self._use_partner(str(c.fix_value)))
        elif c.fix == Fix.ENTER_PARTNER:
            button = QPushButton(self.tr("Enter a partner"), self)
            button.setToolTip(self.tr("No standing partner is set at head office: type the second collector "
                                      "for today, then plan again"))
            button.clicked.connect(self._focus_partner)
        elif c.fix == Fix.EXTEND_DAY:
            end = int(c.fix_value or 0)
            button = QPushButton(self.tr("Work until %1").replace("%1", clock_text(end)), self)
            button.setToolTip(self.tr("End the working day later (never past the permitted visiting hours)"))
            button.clicked.connect(lambda: self.replanRequested.emit(end))
        else:
            return None
        return button

    def _use_partner(self, name: str) -> None:
        self.partner_edit.setText(name)
        self.replanRequested.emit(None)

    def _focus_partner(self) -> None:
        self.partner_edit.setFocus()
        self.partner_edit.selectAll()
