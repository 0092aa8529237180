"""The visit recording in the outcome dialog: a chosen file, fingerprinted in the background, sealed on save.

Choosing a file reads it once in a worker (its SHA-256, size and time: `evidence.fingerprint_file`), with
a progress bar and a Cancel button. Saving the outcome reads it again while sealing it into the evidence
folder (`outcomes.record_outcome_with_evidence`), also with progress and Cancel; a file that changed in
between, or while it is read, is refused. The original file stays where it was: the dialog says so after
saving. The GUI thread never touches the file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.services.evidence import MAX_EVIDENCE_BYTES, ChosenFile, EvidenceError, fingerprint_file

from .context import UiContext
from .timeline_model import format_size
from .worker import Cancelled, Task

translate = QCoreApplication.translate
RECORDING_FILTER = "*.m4a *.aac *.mp3 *.amr *.wav *.mp4 *.mov *.jpg *.jpeg *.png *.heic *.pdf"


def evidence_problem(exc: object) -> str:
    """A translated sentence for why a file could not be used or kept (nothing was stored)."""
    if not isinstance(exc, EvidenceError):
        return translate("EvidencePicker", "The recording could not be kept: %1.").replace("%1", str(exc)[:300])
    name = exc.name or translate("EvidencePicker", "The file")
    mib = str(MAX_EVIDENCE_BYTES // (1024 * 1024))
    words = {
        "empty": translate("EvidencePicker", "The chosen file is empty."),
        "too_large": translate("EvidencePicker", "The chosen file is larger than %1 MiB.").replace("%1", mib),
        "media_type": translate("EvidencePicker", "Files of this type cannot be kept as evidence."),
        "not_a_file": translate("EvidencePicker", "%1 is not a file that can be read (a folder or a device?).")
        .replace("%1", name),
        "unreadable": translate("EvidencePicker", "%1 cannot be read (moved, deleted, or no permission).")
        .replace("%1", name),
        "changed": translate("EvidencePicker", "%1 changed while it was being read or since it was chosen. "
                             "Wait until the recording is finished, then choose it again.").replace("%1", name),
        "disk_full": translate("EvidencePicker", "The disk is full: the recording could not be sealed."),
        "write_failed": translate("EvidencePicker", "The recording could not be written to the evidence folder."),
    }
    return words.get(exc.reason, str(exc)[:300]) + " " + translate("EvidencePicker", "Nothing was stored.")


class EvidencePicker(QWidget):
    """One evidence file for the outcome being recorded (or none)."""

    changed = Signal()  # a file was chosen or removed
    problem = Signal(str)  # a message for the user (the file cannot be used)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.chosen: ChosenFile | None = None
        self._task: Task | None = None
        self._stop = threading.Event()
        self.label = QLabel(self.tr("No file chosen"), self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setMinimumWidth(120)  # one line; the full path is in the tooltip
        self.choose_button = QPushButton(self.tr("C&hoose file…"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.setEnabled(False)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Stop"), self)
        top = QHBoxLayout(self)  # while the file is read or sealed, the progress bar and Stop take the label's place
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.label, 1)
        top.addWidget(self.bar, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.choose_button)
        top.addWidget(self.remove_button)
        self._working(False)
        self.choose_button.clicked.connect(self.choose)
        self.remove_button.clicked.connect(self.clear)
        self.cancel_button.clicked.connect(self.stop)

    # -- state -----------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    @property
    def sha256(self) -> str | None:
        return self.chosen.sha256 if self.chosen else None

    def clear(self) -> None:
        self.chosen = None
        self.label.setText(self.tr("No file chosen"))
        self.label.setToolTip("")
        self.remove_button.setEnabled(False)
        self.changed.emit()

    def _describe(self, chosen: ChosenFile) -> str:
        return self.tr("%1 · %2").replace("%1", chosen.path.name).replace("%2", format_size(chosen.size))

    # -- choosing --------------------------------------------------------------------------------
    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the visit recording"), "",
                                              self.tr("Recordings and photos (%1);;All files (*)")
                                              .replace("%1", RECORDING_FILTER))
        if path:
            self.use_file(Path(path))

    def use_file(self, path: Path) -> Task:
        """Fingerprint `path` in the background; the picker shows it once done."""
        self.chosen = None
        self.remove_button.setEnabled(False)
        self.label.setText(self.tr("Reading %1…").replace("%1", path.name))
        stop = self._stop_flag()

        def work(handle: Any) -> ChosenFile:
            return fingerprint_file(path, progress=handle.progress, check=stop)

        task = self.ctx.runner.submit(work, with_handle=True)
        self._started(task, self.tr("Reading"))
        task.then(self, succeeded=self._fingerprinted, failed=self._unusable, cancelled=self.clear)
        return task

    def _fingerprinted(self, chosen: ChosenFile) -> None:
        self.chosen = chosen
        self.label.setText(self._describe(chosen))
        self.label.setToolTip(self.tr("%1\nfingerprint (SHA-256) %2").replace("%1", str(chosen.path))
                              .replace("%2", chosen.sha256))
        self.remove_button.setEnabled(True)
        self.changed.emit()

    def _unusable(self, exc: object) -> None:
        self.clear()
        self.problem.emit(evidence_problem(exc))

    # -- background work (reading here, sealing for the dialog) -----------------------------------
    def _stop_flag(self) -> Callable[[], None]:
        """A check for the work: raises Cancelled once Stop was pressed (only while reading the file, so
        work that has finished reading is never reported as stopped)."""
        self._stop = stop = threading.Event()

        def check() -> None:
            if stop.is_set():
                raise Cancelled()

        return check

    def sealing_check(self) -> Callable[[], None]:
        return self._stop_flag()

    def _started(self, task: Task, what: str) -> None:
        self._task = task
        self.choose_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.bar.setRange(0, 0)
        self.bar.setFormat(what + " %p%")
        self.cancel_button.setEnabled(True)
        self._working(True)
        task.then(self, progressed=self._progressed, finished=self._finished)

    def track_sealing(self, task: Task) -> None:
        self._started(task, self.tr("Sealing"))

    def _working(self, on: bool) -> None:
        self.label.setVisible(not on)
        self.bar.setVisible(on)
        self.cancel_button.setVisible(on)

    @property
    def working(self) -> bool:
        return self.bar.isVisibleTo(self)

    def _progressed(self, done: int, total: int) -> None:
        if total <= 0:
            return
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(1000 * done / total))

    def _finished(self) -> None:
        self._task = None
        self._working(False)
        self.choose_button.setEnabled(True)
        self.remove_button.setEnabled(self.chosen is not None)

    def stop(self) -> None:
        self._stop.set()
        self.cancel_button.setEnabled(False)
