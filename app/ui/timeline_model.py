"""The case timeline as a table model: when, what, and the particulars, newest first.

Head office's escalation ladder (kind "ladder": levels, the visit trigger, SMS reminders, lawyer's letters,
holds) is worded by `app.services.ladder_words` in the reader's language, as plain text: a cell shows text as
it is, and a tooltip is escaped so that head office's words are never read as markup.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain.clock import DEFAULT_ZONE, local
from app.services import ladder_words
from app.services.workspace import TimelineItem

from . import labels
from .case_model import CaseRole, SortRole, format_fen

COL_WHEN, COL_WHAT, COL_DETAIL = range(3)
LADDER_COLOUR = "#6a1b9a"


def letter_pdf(item: TimelineItem | None) -> str | None:
    """The SHA-256 of the letter PDF a timeline item opens, if it is a letter that has one."""
    if item is None or item.kind != "ladder" or item.code != "letter":
        return None
    sha = item.details.get("attachment_sha256")
    return sha if isinstance(sha, str) and len(sha) == 64 else None


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as it is: Qt reads a tooltip that looks like markup as rich text."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


def format_size(size: int) -> str:
    """Bytes as people read them (binary units, one decimal)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KiB"
    return f"{size / (1024 * 1024):,.1f} MiB"


class TimelineModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None, zone: str = DEFAULT_ZONE):
        super().__init__(parent)
        self.zone = zone
        self._items: list[TimelineItem] = []

    def set_items(self, items: list[TimelineItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> TimelineItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return [self.tr("When"), self.tr("What"), self.tr("Details")][section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items) or not 0 <= index.column() < 3:
            return None
        item = self._items[index.row()]
        col = index.column()
        if role == CaseRole:
            return item
        if role == SortRole:
            return [item.at.isoformat(), item.kind, item.code][col]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == COL_WHEN:
                return local(item.at, self.zone).strftime("%Y-%m-%d %H:%M")
            text = self.what(item) if col == COL_WHAT else self.detail(item)
            if role == Qt.ItemDataRole.DisplayRole:
                return text
            if item.kind != "ladder":
                return text[:2000]
            if col == COL_WHAT and letter_pdf(item):
                text += "\n" + self.tr("Double-click to open the letter's PDF")
            return plain_tooltip(text[:2000])
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_WHAT:
            if item.kind == "safety_note":
                return QBrush(QColor("#c0392b"))
            if item.kind == "promise" and item.code == "broken":
                return QBrush(QColor("#c0392b"))
            if item.kind == "decision":
                return QBrush(QColor("#1565c0"))
            if item.kind == "ladder":
                failed = item.code == "sms" and item.details.get("state") in ("failed", "undelivered")
                return QBrush(QColor("#c0392b" if failed or item.code == "hold" else LADDER_COLOUR))
        return None

    @staticmethod
    def lang() -> str:
        return ladder_words.lang_of(QLocale().name())

    def what(self, item: TimelineItem) -> str:
        if item.kind == "attempt":
            return f"{labels.channel(item.channel)} · {labels.outcome(item.code)}"
        if item.kind == "payment":
            return self.tr("Payment")
        if item.kind == "promise":
            return self.tr("Promise to pay (%1)").replace("%1", labels.promise_state(item.code))
        if item.kind == "safety_note":
            return self.tr("Safety note")
        if item.kind == "relief":
            return self.tr("Relief proposal")
        if item.kind == "decision":
            return self.tr("Supervisor's decision")
        if item.kind == "evidence":
            return self.tr("Evidence: %1").replace("%1", self.evidence_kind(item.code))
        if item.kind == "ladder":
            title = ladder_words.trail_title(item.code, item.details, self.lang())
            return title + " · PDF" if letter_pdf(item) else title
        return item.kind

    def evidence_kind(self, media_type: str) -> str:
        if media_type.startswith("audio/"):
            return self.tr("audio recording")
        if media_type.startswith("video/"):
            return self.tr("video recording")
        if media_type.startswith("image/"):
            return self.tr("photo")
        if media_type == "application/pdf":
            return self.tr("document")
        return self.tr("file")

    def verdict(self, subject: str, approved: bool) -> str:
        """A supervisor's verdict on what it was about; %1 is the supervisor."""
        if subject == "relief":
            return self.tr("Relief proposal approved by %1") if approved else self.tr("Relief proposal rejected by %1")
        if subject == "flagged_event":
            return self.tr("Flagged record approved by %1") if approved else self.tr("Flagged record rejected by %1")
        return (self.tr("Compliance override approved by %1") if approved
                else self.tr("Compliance override rejected by %1"))

    def detail(self, item: TimelineItem) -> str:
        parts: list[str] = []
        d = item.details
        if item.kind == "ladder":
            return ladder_words.trail_detail(item.code, d, self.lang(), self.zone)
        if item.kind == "attempt":
            for key in ("promise_amount_fen", "payment_amount_fen"):
                if isinstance(d.get(key), int):
                    parts.append(f"{labels.field_label(key)}: {format_fen(d[key])}")
            for key, fmt in (("promise_date", str), ("payment_method", labels.payment_method),
                             ("receipt_no", str), ("new_address", str), ("hardship_reason", labels.hardship_reason),
                             ("relief_kind", labels.relief_kind), ("relief_detail", str), ("dispute_reason", str),
                             ("third_party_relation", str)):
                if d.get(key):
                    parts.append(f"{labels.field_label(key)}: {fmt(str(d[key]))}")
            if item.channel == "visit":
                parts.append(self.tr("%1 collector(s)").replace("%1", str(d.get("collectors", 1))))
                if d.get("recorded"):
                    parts.append(self.tr("recorded"))
                elif d.get("no_recording_reason"):
                    parts.append(self.tr("not recorded: %1").replace("%1", str(d["no_recording_reason"])))
            if d.get("to_third_party"):
                parts.append(self.tr("third party"))
        elif item.kind == "payment":
            parts.append(format_fen(item.amount_fen or 0, item.currency))
            parts.append(labels.payment_method(item.code))
            parts.append(self.tr("receipt %1").replace("%1", item.text))
            return " · ".join(parts)
        elif item.kind == "promise":
            parts.append(format_fen(item.amount_fen or 0, item.currency))
            if item.due:
                parts.append(self.tr("due %1").replace("%1", item.due.isoformat()))
            return " · ".join(parts)
        elif item.kind == "safety_note":
            parts.append(f"{labels.severity(str(d.get('severity', '')))} · {labels.safety_category(item.code)}")
            if d.get("two_person_required"):
                parts.append(self.tr("two-person visit"))
            if d.get("do_not_visit"):
                parts.append(self.tr("do not visit"))
            if d.get("superseded"):
                parts.append(self.tr("replaced by a newer version"))
            elif d.get("expires_at"):
                parts.append(self.tr("expires/expired %1").replace("%1", str(d["expires_at"])[:10]))
        elif item.kind == "evidence":
            parts.append(format_size(int(d.get("size") or 0)))
            parts.append(self.tr("uploaded to head office") if d.get("uploaded")
                         else self.tr("sealed on this laptop, not uploaded yet"))
            parts.append(self.tr("fingerprint %1…").replace("%1", str(d.get("sha256", ""))[:12]))
        elif item.kind == "decision" and "approved" in d:
            parts.append(self.verdict(item.code, bool(d["approved"])).replace("%1", str(d.get("by", ""))))
        elif item.kind == "relief":
            parts.append(labels.hardship_reason(str(d.get("reason", ""))))
            parts.append(labels.relief_kind(item.code))
            status = labels.proposal_status(str(d.get("status", "")))
            if d.get("decided_by"):
                status = self.tr("%1 by %2").replace("%1", status).replace("%2", str(d["decided_by"]))
            parts.append(status)
        if item.text:
            parts.append(item.text)
        return " · ".join(parts)
