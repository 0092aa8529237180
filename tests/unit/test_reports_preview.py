"""The preview helper renders report pages with QtPdf (what the Reports view shows)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.money import Money
from app.reports.data import Receipt
from app.reports.layout import Setup
from app.reports.locale import ReportLocale
from app.reports.receipt import build_receipt


def test_pages_render_non_blank(tmp_path: Path) -> None:
    from app.ui.pdf_pages import PdfRenderError, render_pdf_pages

    pdf = tmp_path / "r.pdf"
    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    build_receipt(Receipt(1, "R1", Money(123456), "bank_transfer", now, "agent01", "CD1", "王小明"), pdf, Setup.load(),
                  ReportLocale("zh"), now)
    [page] = render_pdf_pages(pdf, dpi=40)
    assert abs(page.width() - round(595.27 * 40 / 72)) <= 1
    dark = sum(1 for y in range(0, page.height(), 3) for x in range(0, page.width(), 3)
               if page.pixelColor(x, y).lightness() < 128)
    assert dark > 50
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(PdfRenderError):
        render_pdf_pages(bad)
