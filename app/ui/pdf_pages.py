"""Render a PDF's pages to images for the Reports view's preview and the letter viewer (QtPdf, no external
tools), from a file or from memory (a lawyer's letter is decrypted in memory and never written in the clear).

Rendering reads and rasterises: call it from a worker, never on the GUI thread. QImage is safe to hand back
across threads.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
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
    return _render(doc, dpi, first, count)


def render_pdf_data(data: bytes, dpi: float = 72.0, first: int = 0, count: int | None = None) -> list[QImage]:
    """`render_pdf_pages` for a PDF held in memory."""
    if not 10 <= dpi <= 600:
        raise ValueError("dpi must be between 10 and 600")
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    doc.load(buffer)
    if doc.status() != QPdfDocument.Status.Ready or doc.error() != QPdfDocument.Error.None_:
        error = doc.error()
        doc.close()
        buffer.close()
        raise PdfRenderError(f"cannot open the PDF: {error.name}")
    try:
        return _render(doc, dpi, first, count)
    finally:
        buffer.close()


def _render(doc: QPdfDocument, dpi: float, first: int, count: int | None) -> list[QImage]:
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
