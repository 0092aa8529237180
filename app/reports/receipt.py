"""Payment receipt (还款收据): two copies on one A4 page (payer's and file), cut line between.

Amount in figures and in Chinese capitals, method, collector, case, and a verification code
computed from the payment record (see verify.py).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from .capitals import in_capitals
from .data import Receipt
from .layout import ACCENT, FRAME_WIDTH, HEAD_BG, INK, MUTED, RULE, Setup, write_pdf
from .locale import ReportLocale
from .textblock import Run
from .verify import verification_code


class _CutLine(Flowable):
    def __init__(self, width: float, label: str, font: str):
        super().__init__()
        self.width, self.height, self.label, self.font = width, 8 * mm, label, font

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(MUTED)
        c.setDash(3, 3)
        c.line(0, self.height / 2, self.width, self.height / 2)
        c.setFillColor(colors.white)
        half = c.stringWidth(self.label, self.font, 7) / 2 + 4
        c.rect(self.width / 2 - half, self.height / 2 - 5, 2 * half, 10, stroke=0, fill=1)
        c.setFillColor(MUTED)
        c.setFont(self.font, 7)
        c.drawCentredString(self.width / 2, self.height / 2 - 2.5, self.label)
        c.restoreState()


def _copy(receipt: Receipt, code: str, capitals: str, copy_label: str, setup: Setup, loc: ReportLocale) -> Table:
    b = setup.block
    head = b(Run(loc.t("receipt_title"), 18, INK, bold=True), Run(copy_label, 8, MUTED))
    number = b(Run(loc.t("receipt_no"), 8, MUTED), Run(receipt.receipt_no, 12, INK, bold=True, max_lines=2),
               Run(f"{loc.t('record_id')} #{receipt.payment_id}", 7.5, MUTED))
    rows: list[list[object]] = [
        [head, "", number, ""],
        [b(Run(loc.t("amount"), 8, MUTED)), b(Run(receipt.amount.format(), 16, INK, bold=True)), "", ""],
        [b(Run(loc.t("amount_capitals"), 8, MUTED)), b(Run(f"人民币{capitals}", 13, ACCENT, bold=True)), "", ""],
        [b(Run(loc.t("payer"), 8, MUTED)), b(Run(receipt.payer_name, 10, max_lines=2)),
         b(Run(loc.t("case_no"), 8, MUTED)), b(Run(receipt.case_no, 10))],
        [b(Run(loc.t("method"), 8, MUTED)), b(Run(loc.term(receipt.method), 10)),
         b(Run(loc.t("paid_at"), 8, MUTED)), b(Run(loc.datetime(receipt.paid_at), 10))],
        [b(Run(loc.t("collector"), 8, MUTED)), b(Run(receipt.collector, 10, max_lines=2)),
         b(Run(loc.t("verification"), 8, MUTED)), b(Run(code, 11, INK, bold=True))],
        [b(Run(loc.t("verification_note"), 7, MUTED), Run(loc.t("receipt_notice"), 7.5, INK)), "", "", ""],
    ]
    w = FRAME_WIDTH
    table = Table(rows, colWidths=[26 * mm, w / 2 - 26 * mm, 26 * mm, w / 2 - 26 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("SPAN", (0, 0), (1, 0)), ("SPAN", (2, 0), (3, 0)),
        ("SPAN", (1, 1), (3, 1)), ("SPAN", (1, 2), (3, 2)), ("SPAN", (0, 6), (3, 6)),
        ("BOX", (0, 0), (-1, -1), 1.0, INK),
        ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
        ("BACKGROUND", (0, 1), (-1, 2), HEAD_BG),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def receipt_story(receipt: Receipt, setup: Setup, loc: ReportLocale, key: bytes | None = None) -> list[Flowable]:
    code = verification_code(receipt, key)
    capitals = in_capitals(receipt.amount)
    return [
        _copy(receipt, code, capitals, loc.t("copy_debtor"), setup, loc),
        Spacer(1, 6 * mm),
        _CutLine(FRAME_WIDTH, loc.t("cut_here"), setup.font),
        Spacer(1, 6 * mm),
        _copy(receipt, code, capitals, loc.t("copy_file"), setup, loc),
    ]


def build_receipt(receipt: Receipt, out: Path | str, setup: Setup, loc: ReportLocale, printed_at: datetime,
                  key: bytes | None = None) -> int:
    return write_pdf(out, receipt_story(receipt, setup, loc, key), setup=setup, locale=loc,
                     title=loc.t("receipt_title"), subtitle=receipt.receipt_no, printed_at=printed_at)
