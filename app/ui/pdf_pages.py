"""Render a PDF's pages to images for the Reports view's preview (QtPdf, no external tools).

Rendering reads the file and rasterises: call it from a worker, never on the GUI thread. QImage is
safe to hand back across threads.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument


class PdfRenderError(RuntimeError):
    pass


def render_pdf_pages(path: Path | str, dpi: float = 72.0, first: int = 0, count: int | None = None) -> list[QImage]:
    """Pages [first, first+count) as white-backed images at `dpi` (72 = one pixel per point)."""
    if not 10 <= dpi <= 600:
        raise ValueError("dpi must be between 10 and 600")
    doc = QPdfDocument()
    error = doc.load(str(path))
    if error != QPdfDocument.Error.None_:
        raise PdfRenderError(f"cannot open {Path(path).name}: {error.name}")
    try:
        last = doc.pageCount() if count is None else min(doc.pageCount(), first + count)
        images: list[QImage] = []
        for i in range(max(0, first), last):
            points = doc.pagePointSize(i)
            size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
            page = doc.render(i, size)
            # The page is rendered with transparency; previews show paper.
            paper = QImage(size, QImage.Format.Format_RGB32)
            paper.fill(QColor("white"))
            painter = QPainter(paper)
            painter.drawImage(0, 0, page)
            painter.end()
            images.append(paper)
        return images
    finally:
        doc.close()
