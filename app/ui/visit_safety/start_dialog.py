"""Starting a visit session: the planned minutes (proposed by the safety policy, with why), the partner
(the standing partner preselected), and the position sent to head office (this laptop's, where the
system has a position source, else the case address).

The dialog is built from `StartFacts`, read in the background before it opens; `startRequested` asks
the window to open the session (also in the background). `device_position()` asks QtPositioning for
the last known position without waiting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .pin_dialogs import error_label

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartFacts:
    """What the start dialog shows, read off the GUI thread."""

    case_id: int
    case_number: str
    address: str
    proposal: Any  # app.domain.safety.Proposal
    policy: Any  # app.domain.safety.SafetyPolicy
    partner_id: int | None = None
    partner_name: str | None = None
    pins_set: bool = True


def device_position(parent: QObject) -> tuple[float, float] | None:
    """The system's last known position (QtPositioning's default source), or None: no source, or it has
    no position yet. Never waits."""
    try:
        from PySide6.QtPositioning import QGeoPositionInfoSource
    except ImportError:
        return None
    source = QGeoPositionInfoSource.createDefaultSource(parent)
    if source is None:
        return None
    try:
        info = source.lastKnownPosition()
        coordinate = info.coordinate()
        if info.isValid() and coordinate.isValid():
            return coordinate.latitude(), coordinate.longitude()
        return None
    finally:
        source.deleteLater()


class StartVisitDialog(QDialog):
    startRequested = Signal(int, object, object, object, str)  # minutes, partner id, lat, lon, position source

    def __init__(self, facts: StartFacts, position: tuple[float, float] | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.facts = facts
        self.position = position
        self.setWindowTitle(self.tr("Start visit — %1").replace("%1", facts.case_number[:40]))
        self.setMinimumWidth(520)
        case = QLabel(f"{facts.case_number[:40]} · {facts.address[:200]}", self)
        case.setTextFormat(Qt.TextFormat.PlainText)
        case.setWordWrap(True)
        case.setStyleSheet("font-weight: bold;")
        explain = QLabel(self.tr("Head office times this visit: if you have not checked out when the time is up, "
                                 "your partner and your supervisor are alerted."), self)
        explain.setWordWrap(True)
        policy, proposal = facts.policy, facts.proposal
        self.minutes = QSpinBox(self)
        self.minutes.setRange(policy.min_minutes, policy.max_minutes)
        self.minutes.setSingleStep(5)
        self.minutes.setValue(max(policy.min_minutes, min(policy.max_minutes, proposal.minutes)))
        self.minutes.setSuffix(self.tr(" min"))
        self.minutes.setAccessibleName(self.tr("Planned minutes"))
        why = (self.tr("shorter: this door was hostile before") if proposal.reason == "hostile_before"
               else self.tr("policy default"))
        self.reason = QLabel(self.tr("Proposed %1 min (%2); allowed %3–%4 min.").replace("%1", str(proposal.minutes))
                             .replace("%2", why).replace("%3", str(policy.min_minutes))
                             .replace("%4", str(policy.max_minutes)), self)
        self.reason.setObjectName("proposalReason")
        self.reason.setWordWrap(True)
        if proposal.reason == "hostile_before":
            self.reason.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.partner = QComboBox(self)
        if facts.partner_id is not None:
            self.partner.addItem(facts.partner_name or str(facts.partner_id), facts.partner_id)
        self.partner.addItem(self.tr("No partner (alone)"), None)
        self.partner.setCurrentIndex(0)
        self.position_label = QLabel(self)
        self.position_label.setObjectName("positionSource")
        self.position_label.setWordWrap(True)
        if position is not None:
            self.position_label.setText(self.tr("This laptop's position (%1, %2)").replace(
                "%1", f"{position[0]:.5f}").replace("%2", f"{position[1]:.5f}"))
        else:
            self.position_label.setText(self.tr("This laptop has no position: the case address is sent instead."))
        self.error = error_label(self)
        form = QFormLayout()
        minutes_label = QLabel(self.tr("Planned &minutes:"), self)
        minutes_label.setBuddy(self.minutes)
        form.addRow(minutes_label, self.minutes)
        form.addRow("", self.reason)
        partner_label = QLabel(self.tr("&Partner:"), self)
        partner_label.setBuddy(self.partner)
        form.addRow(partner_label, self.partner)
        form.addRow(self.tr("Position:"), self.position_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Start visit"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(case)
        lay.addWidget(explain)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)

    def submit(self) -> None:
        self.error.hide()
        self.buttons.setEnabled(False)
        lat, lon = self.position if self.position is not None else (None, None)
        source = "device" if self.position is not None else "case_address"
        self.startRequested.emit(self.minutes.value(), self.partner.currentData(), lat, lon, source)

    def started(self) -> None:
        self.accept()

    def show_problem(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(text[:500])
        self.error.show()
