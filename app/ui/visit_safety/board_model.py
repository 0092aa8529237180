"""The rows of the supervisor's safety board (app.contract.safety.BoardResponse) as Qt table models:
the team's open visit sessions (overdue ones amber) and the alarms (red ones red, amber ones amber,
acknowledged ones lighter and saying who, resolved ones grey; failed deliveries named per alarm).
Every text from head office is shown as plain text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.domain.clock import local

from .banner import countdown_text

Index = QModelIndex | QPersistentModelIndex

AMBER, AMBER_LIGHT = "#ffb300", "#ffe082"
RED, RED_LIGHT = "#c62828", "#ffcdd2"
GREY = "#e0e0e0"


def kind_text(kind: str) -> str:
    return {"overdue": QCoreApplication.translate("SafetyBoard", "Overdue"), "sos": QCoreApplication.translate("SafetyBoard", "SOS"), "duress": QCoreApplication.translate("SafetyBoard", "Duress PIN"),
            "day_end": QCoreApplication.translate("SafetyBoard", "Not back at day's end")}.get(kind, kind)


def level_text(level: str) -> str:
    return {"red": QCoreApplication.translate("SafetyBoard", "RED"), "amber": QCoreApplication.translate("SafetyBoard", "AMBER")}.get(level, level)


def outcome_text(outcome: str | None) -> str:
    return {"agent_safe": QCoreApplication.translate("SafetyBoard", "agent safe"), "partner_reached": QCoreApplication.translate("SafetyBoard", "partner reached"),
            "police_called": QCoreApplication.translate("SafetyBoard", "police called"), "false_alarm": QCoreApplication.translate("SafetyBoard", "false alarm")}.get(outcome or "", outcome or "")


def channel_text(channel: str) -> str:
    return {"window": QCoreApplication.translate("SafetyBoard", "window"), "sms": QCoreApplication.translate("SafetyBoard", "SMS"), "webhook": QCoreApplication.translate("SafetyBoard", "webhook")}.get(channel, channel)


class SessionsModel(QAbstractTableModel):
    AGENT, CASE, ADDRESS, PARTNER, STARTED, LEFT = range(6)

    def __init__(self, zone: str, parent: Any = None):
        super().__init__(parent)
        self.zone = zone
        self.rows: list[Any] = []  # BoardSession

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (QCoreApplication.translate("SafetyBoard", "Agent"), QCoreApplication.translate("SafetyBoard", "Case"), QCoreApplication.translate("SafetyBoard", "Address"), QCoreApplication.translate("SafetyBoard", "Partner"), QCoreApplication.translate("SafetyBoard", "Started"), QCoreApplication.translate("SafetyBoard", "Time left"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        s = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == self.AGENT:
                return s.agent_name[:80]
            if col == self.CASE:
                return s.case_number[:40]
            if col == self.ADDRESS:
                return s.address[:200]
            if col == self.PARTNER:
                return (s.partner_name or "—")[:80]
            if col == self.STARTED:
                return local(s.started_at, self.zone).strftime("%H:%M")
            left = countdown_text(s.seconds_left)
            return (QCoreApplication.translate("SafetyBoard", "overdue %1").replace("%1", left)) if s.overdue else left
        if role == Qt.ItemDataRole.BackgroundRole and s.overdue:
            return QBrush(QColor(AMBER))
        if role == Qt.ItemDataRole.ForegroundRole and s.overdue:
            return QBrush(QColor("#000000"))
        if role == Qt.ItemDataRole.FontRole and s.overdue and col == self.LEFT:
            font = QFont()
            font.setBold(True)
            return font
        return None


class AlarmsModel(QAbstractTableModel):
    LEVEL, KIND, AGENT, CASE, ADDRESS, RAISED, STATE, DELIVERIES = range(8)

    def __init__(self, zone: str, parent: Any = None):
        super().__init__(parent)
        self.zone = zone
        self.rows: list[Any] = []  # AlarmOut

    def set_rows(self, rows: Sequence[Any]) -> None:
        order = {"raised": 0, "acknowledged": 1, "resolved": 2}
        self.beginResetModel()
        self.rows = sorted(rows, key=lambda a: (order.get(a.state, 3), a.level != "red", -a.raised_at.timestamp()))
        self.endResetModel()

    def alarm_at(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 8

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (QCoreApplication.translate("SafetyBoard", "Level"), QCoreApplication.translate("SafetyBoard", "Alarm"), QCoreApplication.translate("SafetyBoard", "Agent"), QCoreApplication.translate("SafetyBoard", "Case"), QCoreApplication.translate("SafetyBoard", "Address"), QCoreApplication.translate("SafetyBoard", "Raised"), QCoreApplication.translate("SafetyBoard", "State"),
                QCoreApplication.translate("SafetyBoard", "Deliveries"))[section]

    def state_text(self, a: Any) -> str:
        if a.state == "resolved":
            text = QCoreApplication.translate("SafetyBoard", "Resolved by %1: %2").replace("%1", (a.resolved_by_name or "—")[:60]).replace(
                "%2", outcome_text(a.outcome))
            return text + (f" — {a.note[:200]}" if a.note else "")
        if a.state == "acknowledged":
            at = local(a.acknowledged_at, self.zone).strftime("%H:%M") if a.acknowledged_at else ""
            return QCoreApplication.translate("SafetyBoard", "Acknowledged by %1 %2").replace("%1", (a.acknowledged_by_name or "—")[:60]).replace("%2", at)
        return QCoreApplication.translate("SafetyBoard", "Raised — nobody has acknowledged it")

    def deliveries_text(self, a: Any) -> str:
        failed = [d for d in a.deliveries if d.state == "failed"]
        if failed:
            return "; ".join(QCoreApplication.translate("SafetyBoard", "failed: %1 to %2 (%3)").replace("%1", channel_text(d.channel))
                             .replace("%2", d.recipient_name[:40]).replace("%3", (d.last_error or "—")[:80])
                             for d in failed[:4])
        done = sum(1 for d in a.deliveries if d.state in ("sent", "delivered"))
        waiting = sum(1 for d in a.deliveries if d.state == "queued")
        return QCoreApplication.translate("SafetyBoard", "%1 sent, %2 waiting").replace("%1", str(done)).replace("%2", str(waiting))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        a = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (level_text(a.level), kind_text(a.kind), a.agent_name[:80], (a.case_number or "—")[:40],
                      (a.address or "—")[:200], local(a.raised_at, self.zone).strftime("%H:%M:%S"),
                      self.state_text(a), self.deliveries_text(a))
            return values[col]
        background, foreground = self._colours(a)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(background))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(foreground))
        if role == Qt.ItemDataRole.FontRole and a.state == "raised":
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _colours(a: Any) -> tuple[str, str]:
        if a.state == "resolved":
            return GREY, "#424242"
        if a.level == "red":
            return (RED, "#ffffff") if a.state == "raised" else (RED_LIGHT, "#000000")
        return (AMBER, "#000000") if a.state == "raised" else (AMBER_LIGHT, "#000000")
