"""What every report shares: A4 pages, styles with the embedded CJK font, header, footer with
"page n of total", and an atomic write (a failed build never leaves half a file behind).

Every PDF goes through `write_pdf`: its canvas starts on the project's font and refuses, before
the file is written, a document that names any font reportlab would not embed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from .fonts import FontFile, ReportFonts, is_embedded, report_fonts
from .locale import ReportLocale
from .text import needs_cjk_wrap, para_text
from .textblock import Run, TextBlock, Widths

PAGE = A4
MARGIN = 14 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")
RULE = colors.HexColor("#d0d7de")
HEAD_BG = colors.HexColor("#eef1f4")
DANGER = colors.HexColor("#b42318")
DANGER_BG = colors.HexColor("#fde8e7")
WARN_BG = colors.HexColor("#fff4d6")
WARN = colors.HexColor("#8a5a00")
ACCENT = colors.HexColor("#1f5fa8")


@dataclass(frozen=True)
class Styles:
    font: str
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    title: ParagraphStyle
    h2: ParagraphStyle
    warn: ParagraphStyle
    danger: ParagraphStyle
    _wrapped: dict[int, tuple[ParagraphStyle, ParagraphStyle]] = field(default_factory=dict, repr=False)

    def cjk(self, style: ParagraphStyle) -> ParagraphStyle:
        """The same style, wrapping between any two characters (Chinese, or very long runs)."""
        cached = self._wrapped.get(id(style))
        if cached is None or cached[0] is not style:
            variant = ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")
            self._wrapped[id(style)] = (style, variant)
            return variant
        return cached[1]

    def p(self, value: object, style: ParagraphStyle | None = None, limit: int | None = None) -> Paragraph:
        """A Paragraph of untrusted text: escaped, wrapped, '—' when missing."""
        text = para_text(value, limit)
        base = style or self.body
        return Paragraph(text, self.cjk(base) if needs_cjk_wrap(text) else base)

    def markup(self, trusted: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A Paragraph of markup we wrote ourselves (untrusted parts already escaped with para_text)."""
        return Paragraph(trusted, self.cjk(style or self.body))


def make_styles(font: str) -> Styles:
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, textColor=INK, alignment=TA_LEFT)
    return Styles(
        font=font,
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        title=ParagraphStyle("title", parent=body, fontSize=16, leading=20, spaceAfter=2 * mm),
        h2=ParagraphStyle("h2", parent=body, fontSize=11, leading=14, spaceBefore=4 * mm, spaceAfter=1.5 * mm,
                          textColor=ACCENT),
        warn=ParagraphStyle("warn", parent=body, textColor=WARN),
        danger=ParagraphStyle("danger", parent=body, textColor=DANGER, fontSize=10, leading=13),
    )


@dataclass(frozen=True)
class Page:
    """What the header and footer print on every page."""

    title: str
    subtitle: str
    printed: str
    confidential: str
    locale: ReportLocale
    font: str


def _numbered_canvas(page: Page) -> type[Canvas]:
    """A canvas that keeps each page until the end, then prints 'page n of total' on all of them."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = page.font  # not Helvetica, the unembedded default
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            loose = sorted(name for name in self._doc.fontMapping if not is_embedded(name))
            if loose:
                raise FontNotEmbedded(f"the PDF would use fonts that are not embedded: {', '.join(loose)} "
                                      "(use the fonts from app.reports.fonts.report_fonts)")
            super().save()

        def _decorate(self, total: int) -> None:
            w, h = PAGE
            self.saveState()
            self.setFillColor(INK)
            self.setFont(page.font, 10)
            self.drawString(MARGIN, h - 10 * mm, page.title)
            self.setFillColor(MUTED)
            self.setFont(page.font, 8)
            self.drawRightString(w - MARGIN, h - 10 * mm, page.subtitle)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.6)
            self.line(MARGIN, h - 11.5 * mm, w - MARGIN, h - 11.5 * mm)
            self.line(MARGIN, 11 * mm, w - MARGIN, 11 * mm)
            self.setFont(page.font, 7.5)
            self.drawString(MARGIN, 7 * mm, f"{page.confidential}    {page.printed}")
            self.drawRightString(w - MARGIN, 7 * mm, page.locale.t("page", n=self._pageNumber, total=total))
            self.restoreState()

    return NumberedCanvas


class FontNotEmbedded(RuntimeError):
    """A builder named a font reportlab does not embed (one of the standard 14, e.g. Helvetica)."""


def fit_text(text: str, limit: int = 90) -> str:
    """Header text (drawn directly, not wrapped) cut to a sane length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Setup:
    """The fonts and styles a build uses. Resolve once and reuse it for many reports."""

    fonts: ReportFonts
    styles: Styles
    widths: Widths

    @property
    def font(self) -> str:
        return self.fonts.regular

    @classmethod
    def load(cls, font: FontFile | None = None) -> Setup:
        fonts = report_fonts(font)
        return cls(fonts, make_styles(fonts.regular), Widths(fonts.regular))

    def block(self, *runs: Run) -> TextBlock:
        return TextBlock(runs, self.widths)


def write_pdf(path: Path | str, story: Sequence[Flowable] | Callable[[], list[Flowable]], *, setup: Setup,
              locale: ReportLocale, title: str, subtitle: str, printed_at: datetime, author: str = "Doorstep",
              top_margin: float = 16 * mm) -> int:
    """Build the PDF at `path` atomically. Returns the number of pages."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    flowables = list(story() if callable(story) else story)
    page = Page(fit_text(title), fit_text(subtitle, 70), locale.t("printed", at=locale.datetime(printed_at)),
                locale.t("confidential"), locale, setup.font)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=target.parent)
    os.close(fd)
    try:
        doc = SimpleDocTemplate(tmp, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=top_margin,
                                bottomMargin=15 * mm, title=title, author=author, subject=subtitle,
                                creator="Doorstep", lang="zh-CN" if locale.lang == "zh" else "en")
        doc.build(flowables, canvasmaker=_numbered_canvas(page))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return int(doc.page)
