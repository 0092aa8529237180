"""The visit recording in the outcome dialog: chosen, sealed on save, on the timeline; refusals say why."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.services.evidence import evidence_path, read_evidence

from .conftest import pick_case, sql
from .test_outcome_dialog import PLAIN, choose, open_dialog


def make_recording(path: Path, size: int = 3 * 1024 * 1024 + 17) -> bytes:
    data = b"\x00\x00\x00\x18ftypmp42" + secrets.token_bytes(size - 12)
    path.write_bytes(data)
    return data


def visit_dialog(window: Any, qtbot: Any, ctx: Any) -> tuple[Any, int]:
    case_id = pick_case(ctx.store, PLAIN)
    dialog = open_dialog(window, qtbot, case_id)
    choose(dialog.code, "not_home")
    choose(dialog.channel, "visit")
    dialog.collectors.setValue(2)
    return dialog, case_id


def pick(dialog: Any, qtbot: Any, path: Path) -> None:
    with qtbot.waitSignal(dialog.recording.changed, timeout=10_000):
        dialog.recording.use_file(path)  # what "Choose file…" does once the system's file dialog answers


def evidence_rows(window: Any) -> list[int]:
    model = window.cases.detail.timeline_model
    return [r for r in range(model.rowCount()) if model.item(r).kind == "evidence"]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_chosen_recording_is_sealed_on_save_shown_on_the_timeline_and_the_original_left(
        window: Any, qtbot: Any, ctx: Any, tmp_path: Path, lang: str) -> None:
    if lang != "en":
        with qtbot.waitSignal(window.caseListReady, timeout=20_000):
            window.switch_language(lang)
    dialog, case_id = visit_dialog(window, qtbot, ctx)
    source = tmp_path / "VID_20261130_101500.mp4"
    data = make_recording(source)
    pick(dialog, qtbot, source)
    sha = dialog.recording.sha256
    assert source.name in dialog.recording.label.text() and "3.0 MiB" in dialog.recording.label.text()
    assert dialog.recording.remove_button.isEnabled() and not dialog.recording.working
    label = dialog.recording.label  # shown whole once the layout has run
    qtbot.waitUntil(lambda: label.isVisible() and label.width() >= label.sizeHint().width(), timeout=5_000)
    assert dialog.grab().save(str(tmp_path / f"outcome-recording-{lang}.png"))

    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved, \
            qtbot.waitSignal(window.cases.detail.loaded, timeout=20_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    payload = json.loads(sql(ctx.store, "SELECT payload FROM events WHERE id = :id", id=saved.args[0].event_id)[0][0])
    assert payload["recording_sha256"] == sha
    assert sql(ctx.store, "SELECT case_id, media_type, size, uploaded FROM attachments WHERE sha256 = :s", s=sha) == [
        (case_id, "video/mp4", len(data), 0)]
    assert read_evidence(ctx.evidence_folder, ctx.current_evidence_key(), sha) == data
    assert evidence_path(ctx.evidence_folder, sha).exists() and source.read_bytes() == data
    # The agent is told the original is still where it was.
    assert dialog.notice is not None and str(source) in dialog.notice.text()
    dialog.notice.close()

    rows = evidence_rows(window)
    assert len(rows) == 1
    model = window.cases.detail.timeline_model
    what = model.data(model.index(rows[0], 1))
    detail = model.data(model.index(rows[0], 2))
    if lang == "en":
        assert what == "Evidence: video recording"
        assert "3.0 MiB" in detail and "sealed on this laptop, not uploaded yet" in detail and sha[:12] in detail
    else:
        assert what == "证据：录像" and "已在本机加密保存，尚未上传" in detail
    window.cases.detail.timeline.selectRow(rows[0])
    assert window.cases.detail.grab().save(str(tmp_path / f"timeline-evidence-{lang}.png"))
    if lang != "en":
        with qtbot.waitSignal(window.caseListReady, timeout=20_000):
            window.switch_language("en")


def test_a_cn_visit_without_a_recording_or_a_reason_is_refused_naming_the_rule(window: Any, qtbot: Any,
                                                                               ctx: Any) -> None:
    dialog, _case_id = visit_dialog(window, qtbot, ctx)
    before = sql(ctx.store, "SELECT count(*) FROM events")[0][0]
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    assert dialog.decision is not None and dialog.decision.rules == ("visit_recording",)
    assert "Visit recording" in dialog.blocked.text() and "recording file itself" in dialog.blocked.text()
    assert sql(ctx.store, "SELECT count(*) FROM events")[0][0] == before
    dialog.reject()


def test_a_recording_changed_after_it_was_chosen_is_refused_and_the_input_kept(window: Any, qtbot: Any, ctx: Any,
                                                                               tmp_path: Path) -> None:
    dialog, _case_id = visit_dialog(window, qtbot, ctx)
    source = tmp_path / "still-recording.mp4"
    make_recording(source)
    pick(dialog, qtbot, source)
    dialog.notes.setPlainText("邻居说他出差了")
    with source.open("ab") as fh:  # the recorder was still writing
        fh.write(b"\x00" * 4096)
    before = sql(ctx.store, "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attachments)")
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        dialog.save()
    assert dialog.errors["recording"].isVisible() and "changed" in dialog.errors["recording"].text()
    assert "Nothing was stored." in dialog.errors["recording"].text()
    assert "Nothing was saved" in dialog.status.text() and dialog.save_button.isEnabled()
    assert dialog.notes.toPlainText() == "邻居说他出差了" and dialog.isVisible()  # the input is kept
    assert sql(ctx.store, "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attachments)") == before
    assert not [p for p in ctx.evidence_folder.rglob("*") if p.is_file()] if ctx.evidence_folder.exists() else True
    dialog.reject()


def test_choosing_a_folder_says_why_it_cannot_be_used(window: Any, qtbot: Any, ctx: Any, tmp_path: Path) -> None:
    dialog, _case_id = visit_dialog(window, qtbot, ctx)
    folder = tmp_path / "DCIM"
    folder.mkdir()
    with qtbot.waitSignal(dialog.recording.problem, timeout=10_000) as problem:
        dialog.recording.use_file(folder)
    assert "DCIM is not a file that can be read" in problem.args[0]
    assert dialog.errors["recording"].isVisible() and dialog.recording.chosen is None
    dialog.reject()


def test_stop_while_sealing_saves_nothing_and_keeps_the_dialog(window: Any, qtbot: Any, ctx: Any, tmp_path: Path,
                                                               monkeypatch: Any) -> None:
    """The sealing is held at its first progress report until Stop has been pressed (a gate in the test,
    so the order is certain), then reaches its next chunk and stops."""
    import threading

    import app.ui.outcome_dialog as module

    dialog, _case_id = visit_dialog(window, qtbot, ctx)
    source = tmp_path / "long.mp4"
    make_recording(source, 4 * 1024 * 1024)
    pick(dialog, qtbot, source)
    gate = threading.Event()
    real = module.record_outcome_with_evidence

    def gated(*args: Any, progress: Any, **kw: Any) -> Any:
        def report(done: int, total: int) -> None:
            progress(done, total)
            assert gate.wait(10), "Stop was not pressed"

        return real(*args, progress=report, **kw)

    monkeypatch.setattr(module, "record_outcome_with_evidence", gated)
    before = sql(ctx.store, "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attachments)")
    dialog.save()
    picker = dialog.recording
    qtbot.waitUntil(lambda: picker.working and picker.bar.value() > 0, timeout=10_000)
    assert picker.cancel_button.isVisible() and not picker.choose_button.isEnabled()
    assert not picker.remove_button.isEnabled()
    dialog.reject()  # closing is refused while sealing: it stops instead
    assert dialog.isVisible() and not picker.cancel_button.isEnabled()
    with qtbot.waitSignal(ctx.runner.busyChanged, timeout=10_000, check_params_cb=lambda busy: not busy):
        gate.set()
    assert "Stopped" in dialog.status.text() and dialog.save_button.isEnabled() and not picker.working
    assert sql(ctx.store, "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attachments)") == before
    assert [p for p in ctx.evidence_folder.rglob("*") if p.is_file()] == []
    assert picker.chosen is not None  # still chosen: Save again seals it
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        monkeypatch.setattr(module, "record_outcome_with_evidence", real)
        dialog.save()
    dialog.notice.close()
