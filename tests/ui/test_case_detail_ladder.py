"""The escalation ladder in the case detail: the why-line, the trail on the timeline (English and Chinese,
hostile text inert), and a lawyer's letter opening as its PDF from the timeline — from the laptop's sealed
copy, or not at all offline (said so). Nothing of the ladder can be changed here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import text

from app.services.evidence import add_evidence
from app.sync.apply_ladder import write_ladder
from app.ui.case_detail import CaseDetailView
from app.ui.timeline_model import COL_DETAIL, COL_WHAT, letter_pdf
from tests import ladder_samples
from tests.ladder_samples import HOSTILE

from .conftest import pick_case, sql

PDF = ladder_samples.letter_pdf(pages=2)
PDF_SHA = hashlib.sha256(PDF).hexdigest()


@pytest.fixture
def ladder_case(ctx: Any) -> int:
    case_id = pick_case(ctx.store, "stage = 'field_visit'")
    with ctx.store.write() as session:
        write_ladder(session, {case_id: ("visit", ladder_samples.why(),
                                         ladder_samples.trail(PDF_SHA, reason=HOSTILE))})
    return case_id


@pytest.fixture
def detail(ctx: Any, qtbot: Any, translations: Any) -> Iterator[CaseDetailView]:
    view = CaseDetailView(ctx)
    qtbot.addWidget(view)
    view.resize(1100, 900)
    view.show()
    yield view


def show(view: CaseDetailView, qtbot: Any, case_id: int) -> CaseDetailView:
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.show_case(case_id)
    return view


def rows(view: CaseDetailView, kind: str = "ladder") -> list[tuple[int, str, str]]:
    m = view.timeline_model
    return [(r, m.index(r, COL_WHAT).data(), m.index(r, COL_DETAIL).data()) for r in range(m.rowCount())
            if m.item(r) is not None and m.item(r).kind == kind]  # type: ignore[union-attr]


def test_the_why_line_and_the_trail_in_english(detail: CaseDetailView, qtbot: Any, ladder_case: int) -> None:
    show(detail, qtbot, ladder_case)
    assert detail.why.isVisible() and detail.why.textFormat() == Qt.TextFormat.PlainText
    assert detail.why.text() == "Why this door: repeated delinquency — 2 broken promises (1 Oct, 3 Nov)"
    assert "Ladder level" in detail.stage.text() and "visit" in detail.stage.text()
    ladder = rows(detail)
    assert len(ladder) == 10
    whats = [w for _r, w, _d in ladder]
    details = [d for _r, _w, d in ladder]
    assert whats[0] == "Ladder: field visit" and details[0] == "Moved from level letter to level visit " \
                                                                "(days past due ≥ 45)"
    assert "SMS reminder · sent" in whats and "Lawyer's letter · made · PDF" in whats
    assert any(d.startswith("SMS reminder sent to 138****8000 (remind_1)") for d in details)
    assert any(d.startswith("Lawyer's letter made by 四川蓉城律师事务所 — code K7QD-3MWX, deadline 15 Nov 2026")
               for d in details)
    hold = next(d for d in details if d.startswith("Held at level letter by 张主管: "))
    assert HOSTILE.replace("  ", " ") in hold  # head office's text as it is, in a plain-text cell
    m = detail.timeline_model
    hold_row = next(r for r, _w, d in ladder if d is hold)
    tip = m.index(hold_row, COL_DETAIL).data(Qt.ItemDataRole.ToolTipRole)
    assert "<script>" not in tip and "&lt;script&gt;" in tip  # escaped: a tooltip is never read as markup
    # the rows are in time order with the case's other events, newest first
    times = [m.item(r).at for r in range(m.rowCount())]  # type: ignore[union-attr]
    assert times == sorted(times, reverse=True)
    for r in range(m.rowCount()):
        assert not m.flags(m.index(r, COL_WHAT)) & Qt.ItemFlag.ItemIsEditable


def test_the_why_line_and_the_trail_in_chinese(ctx: Any, qtbot: Any, ladder_case: int, translations: Any) -> None:
    translations.apply("zh_CN")
    detail = CaseDetailView(ctx)  # built in the language, as the window rebuilds its pages on a switch
    qtbot.addWidget(detail)
    show(detail, qtbot, ladder_case)
    assert detail.why.text() == "到访原因：多次逾期 — 2 次承诺未兑现（10月1日、11月3日）"
    assert "催收阶梯级别" in detail.stage.text()
    details = [d for _r, _w, d in rows(detail)]
    whats = [w for _r, w, _d in rows(detail)]
    assert "短信提醒 · 已送达" in whats and "律师函 · 已出具 · PDF" in whats
    assert any(d.startswith("已向 138****8000 发送短信提醒（remind_1）") for d in details)
    assert any(d.startswith("四川蓉城律师事务所律师函已寄出 — 验证码 K7QD-3MWX，快递单号 SF1402938475") for d in details)
    assert any(d.startswith("张主管解除了级别 letter 的暂停：已出院") for d in details)
    assert detail.letter_button.text() == "打开律师函（PDF）(&L)"


def test_a_visit_without_a_trigger_says_so(detail: CaseDetailView, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, "stage = 'field_visit'")
    with ctx.store.write() as session:  # older data: at the door with no trigger recorded at all
        session.execute(text("UPDATE cases SET trigger = NULL WHERE id = :id"), {"id": case_id})
    show(detail, qtbot, case_id)
    assert detail.why.text().startswith("Why this door: no visit trigger is on record")
    recorded = pick_case(ctx.store, "stage = 'field_visit' AND trigger = 'evading_contact'")
    show(detail, qtbot, recorded)
    assert detail.why.text() == ("Why this door: evading contact — as recorded when the case came in; head office "
                                 "has sent no evidence for it")
    elsewhere = pick_case(ctx.store, "stage = 'reminder'")
    show(detail, qtbot, elsewhere)
    assert not detail.why.isVisible() and rows(detail) == []


def test_hostile_why_text_stays_plain(detail: CaseDetailView, qtbot: Any, ctx: Any) -> None:
    case_id = pick_case(ctx.store, "stage = 'field_visit'")
    why = ladder_samples.why().model_copy(update={"trigger": "serious_default", "facts": [
        {"kind": "document", "finding": "asset_transfer", "note": HOSTILE + "\n第二行" + "长" * 5000}]})
    with ctx.store.write() as session:
        write_ladder(session, {case_id: ("visit", why, [])})
    show(detail, qtbot, case_id)
    text = detail.why.text()
    assert detail.why.textFormat() == Qt.TextFormat.PlainText
    assert text.startswith("Why this door: serious default — asset transfer (<b>粗体</b><script>alert(1)</script>")
    assert "\n" not in text and len(text) < 400 and text.endswith("a document is on file")


def test_nothing_of_the_ladder_is_editable(detail: CaseDetailView, qtbot: Any, ladder_case: int) -> None:
    show(detail, qtbot, ladder_case)
    buttons = {b.text().replace("&", "") for b in detail.findChildren(QPushButton)}
    assert buttons == {"Record outcome…", "Add safety note…", "Add to today's plan", "Start visit…",
                       "Reveal contact details", "Edit note…", "Expire note…", "Open the letter (PDF)"}
    assert all(lbl.textInteractionFlags() & Qt.TextInteractionFlag.TextEditable == Qt.TextInteractionFlag(0)
               for lbl in detail.findChildren(QLabel))


def _select_letter(view: CaseDetailView, qtbot: Any) -> int:
    m = view.timeline_model
    row = next(r for r in range(m.rowCount()) if letter_pdf(m.item(r)) is not None)
    view.timeline.setCurrentIndex(m.index(row, 0))
    qtbot.waitUntil(view.letter_button.isEnabled)
    return row


def test_a_kept_letter_opens_as_its_pages(detail: CaseDetailView, qtbot: Any, ctx: Any, ladder_case: int) -> None:
    add_evidence(ctx.store, ctx.evidence_folder, ctx.current_evidence_key(), PDF, case_id=ladder_case,
                 media_type="application/pdf")
    show(detail, qtbot, ladder_case)
    assert [r for r in rows(detail, "evidence")] == []  # the kept PDF is the letter's, not a file of its own
    _select_letter(detail, qtbot)
    with qtbot.waitSignal(detail.letters.opened, timeout=15_000) as opened:
        detail.letter_button.click()
    viewer = opened.args[0]
    qtbot.addWidget(viewer)
    assert viewer.letter.pages == 2 and viewer.letter.kept and viewer.letter.data == PDF
    assert viewer.title.textFormat() == Qt.TextFormat.PlainText and "K7QD-3MWX" in viewer.title.text()
    assert len([lbl for lbl in viewer.pages.findChildren(QLabel) if not lbl.pixmap().isNull()]) == 2
    viewer.close()


def test_a_double_click_on_a_letter_opens_it_too(detail: CaseDetailView, qtbot: Any, ctx: Any,
                                                  ladder_case: int) -> None:
    add_evidence(ctx.store, ctx.evidence_folder, ctx.current_evidence_key(), PDF, case_id=ladder_case,
                 media_type="application/pdf")
    show(detail, qtbot, ladder_case)
    row = _select_letter(detail, qtbot)
    with qtbot.waitSignal(detail.letters.opened, timeout=15_000) as opened:
        detail.timeline.doubleClicked.emit(detail.timeline_model.index(row, 1))
    qtbot.addWidget(opened.args[0])
    opened.args[0].close()


def test_offline_without_a_kept_copy_says_so(detail: CaseDetailView, qtbot: Any, ctx: Any, ladder_case: int,
                                             unreachable_sync: Any) -> None:
    show(detail, qtbot, ladder_case)
    _select_letter(detail, qtbot)
    with qtbot.waitSignal(detail.letters.failed, timeout=10_000) as failed:
        detail.letter_button.click()  # no head office configured here (NoHeadOffice)
    assert "no head office is set up" in failed.args[0]
    ctx.sync = unreachable_sync  # now one that cannot be reached
    qtbot.waitUntil(detail.letter_button.isEnabled)
    with qtbot.waitSignal(detail.letters.failed, timeout=20_000) as failed:
        detail.letter_button.click()
    assert failed.args[0] == ("The letter's PDF is not on this laptop yet, and head office cannot be reached. "
                              "It opens once the laptop is online.")
    assert detail.letter_status.isVisible() and detail.letter_status.text() == failed.args[0]
    assert sql(ctx.store, "SELECT count(*) FROM attachments")[0][0] == 0
