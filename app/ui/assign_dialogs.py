"""The Assign room's dialogs: the agent picker (the selected cases, an area's, the not-applied ones),
a district's open cases to an agent, and the choice of agents and cases to auto-balance.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import assigning


class AgentPickerDialog(QDialog):
    """Choose the agent (or the unassigned queue) for `count` cases, with an optional reason.
    Keyboard: type to jump in the list, Enter to assign, Esc to cancel."""

    chosen = Signal(object, str)  # agent id or None, reason

    def __init__(self, agents: Sequence[assigning.TeamAgent], count: int, parent: QWidget | None = None,
                 title: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("Assign %n case(s)", "", count))
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Agents"))
        for agent in agents:
            item = QListWidgetItem(agent.label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, agent.id)
        queue = QListWidgetItem(self.tr("Unassigned queue (no agent)"), self.list)
        queue.setData(Qt.ItemDataRole.UserRole, None)
        self.list.setCurrentRow(0)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(assigning.MAX_REASON)
        self.reason.setPlaceholderText(self.tr("Optional: why (kept with the assignment)"))
        heading = QLabel(self.tr("Give %n case(s) to:", "", count), self)
        heading.setBuddy(self.list)
        reason_label = QLabel(self.tr("&Reason:"), self)
        reason_label.setBuddy(self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Assign"))
        self.ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.accept())
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(self.list, 1)
        lay.addWidget(reason_label)
        lay.addWidget(self.reason)
        lay.addWidget(buttons)
        self.resize(380, 420)
        self.list.setFocus()

    def select_agent(self, agent_id: int | None) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == agent_id:
                self.list.setCurrentRow(i)
                return True
        return False

    def accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole), self.reason.text())
        super().accept()


class DistrictDialog(QDialog):
    """Choose districts and an agent: every open case of those districts goes to the agent."""

    chosen = Signal(list, object, bool, str)  # districts, agent id or None, unassigned only, reason

    def __init__(self, districts: Sequence[str], agents: Sequence[assigning.TeamAgent],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Assign district"))
        self.districts = QListWidget(self)
        self.districts.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.districts.setAccessibleName(self.tr("Districts"))
        for name in districts:
            QListWidgetItem(name, self.districts)
        if districts:
            self.districts.setCurrentRow(0)
        self.agent = QComboBox(self)
        self.agent.setAccessibleName(self.tr("Agent"))
        for a in agents:
            self.agent.addItem(a.label, a.id)
        self.agent.addItem(self.tr("Unassigned queue (no agent)"), None)
        self.only_unassigned = QCheckBox(self.tr("Only cases &nobody holds yet"), self)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(assigning.MAX_REASON)
        form = QFormLayout()
        district_label = QLabel(self.tr("&Districts:"), self)
        district_label.setBuddy(self.districts)
        form.addRow(district_label, self.districts)
        agent_label = QLabel(self.tr("&To:"), self)
        agent_label.setBuddy(self.agent)
        form.addRow(agent_label, self.agent)
        form.addRow("", self.only_unassigned)
        reason_label = QLabel(self.tr("&Reason:"), self)
        reason_label.setBuddy(self.reason)
        form.addRow(reason_label, self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Assign"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(420, 460)

    def accept(self) -> None:
        names = [i.text() for i in self.districts.selectedItems()]
        if not names:
            return
        self.chosen.emit(names, self.agent.currentData(), self.only_unassigned.isChecked(), self.reason.text())
        super().accept()


class BalanceDialog(QDialog):
    """Choose the agents to balance over and which cases (the selected ones, or every listed one)."""

    chosen = Signal(list, bool)  # agent ids, selected cases only

    def __init__(self, agents: Sequence[assigning.TeamAgent], selected: int, listed: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Auto-balance"))
        self.agents = QListWidget(self)
        self.agents.setAccessibleName(self.tr("Agents to balance over"))
        for a in agents:
            item = QListWidgetItem(a.label, self.agents)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.agents.setCurrentRow(0)
        self.scope = QComboBox(self)
        self.scope.setAccessibleName(self.tr("Cases to balance"))
        self.scope.addItem(self.tr("All %n listed case(s)", "", listed), False)
        if selected:
            self.scope.addItem(self.tr("The %n selected case(s)", "", selected), True)
            self.scope.setCurrentIndex(1)
        form = QFormLayout()
        agents_label = QLabel(self.tr("&Agents (Space ticks):"), self)
        agents_label.setBuddy(self.agents)
        form.addRow(agents_label, self.agents)
        scope_label = QLabel(self.tr("&Cases:"), self)
        scope_label.setBuddy(self.scope)
        form.addRow(scope_label, self.scope)
        note = QLabel(self.tr("Nothing is assigned until you confirm the preview."), self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Propose"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)
        self.resize(420, 440)

    def checked(self) -> list[int]:
        return [int(self.agents.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.agents.count())
                if self.agents.item(i).checkState() == Qt.CheckState.Checked]

    def accept(self) -> None:
        ids = self.checked()
        if not ids:
            return
        self.chosen.emit(ids, bool(self.scope.currentData()))
        super().accept()
