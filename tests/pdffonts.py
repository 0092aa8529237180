"""Which fonts a PDF uses, and whether each one's program is embedded in the file.

A font without its program (no /FontFile, /FontFile2 or /FontFile3 in its descriptor; the
standard 14 such as Helvetica have no descriptor at all) is drawn with whatever the viewer
substitutes. We read the file itself with pypdf, independent of how it was made: every page's
/Resources, Form XObjects and tiling patterns inside them (recursively), Type3 fonts' own
resources, annotation appearance streams and the interactive form's default resources.

    assert unembedded_fonts(path) == []
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True, slots=True)
class FontUse:
    where: str  # "page 2", "page 2 / XObject /Fm1", "AcroForm"
    key: str  # the resource name, e.g. /F1
    base_font: str
    subtype: str  # /TrueType, /Type0, /Type1, /Type3…
    embedded: bool

    def __str__(self) -> str:
        return f"{self.where}: {self.key} {self.base_font} ({self.subtype}{'' if self.embedded else ', not embedded'})"


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _embedded(font: DictionaryObject) -> bool:
    subtype = str(font.get("/Subtype", ""))
    if subtype == "/Type3":
        return True  # its glyphs are content streams in the file (its resources are walked separately)
    if subtype == "/Type0":
        descendants = _resolve(font.get("/DescendantFonts"))
        if not isinstance(descendants, ArrayObject) or not descendants:
            return False
        font = _resolve(descendants[0])
    descriptor = _resolve(font.get("/FontDescriptor"))
    return isinstance(descriptor, DictionaryObject) and any(k in descriptor for k in FONT_FILES)


def _walk(resources: Any, where: str, seen: set[int]) -> Iterator[FontUse]:
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject) or id(resources) in seen:
        return
    seen.add(id(resources))
    fonts = _resolve(resources.get("/Font"))
    if isinstance(fonts, DictionaryObject):
        for key, ref in fonts.items():
            font = _resolve(ref)
            if not isinstance(font, DictionaryObject):
                continue
            yield FontUse(where, str(key), str(font.get("/BaseFont", font.get("/Name", "?"))),
                          str(font.get("/Subtype", "?")), _embedded(font))
            if str(font.get("/Subtype", "")) == "/Type3":
                yield from _walk(font.get("/Resources"), f"{where} / Type3 {key}", seen)
    for group in ("/XObject", "/Pattern"):
        items = _resolve(resources.get(group))
        if isinstance(items, DictionaryObject):
            for key, ref in items.items():
                item = _resolve(ref)
                if isinstance(item, DictionaryObject) and "/Resources" in item:
                    yield from _walk(item["/Resources"], f"{where} / {group[1:]} {key}", seen)


def _appearances(annotation: Any, where: str, seen: set[int]) -> Iterator[FontUse]:
    annotation = _resolve(annotation)
    if not isinstance(annotation, DictionaryObject):
        return
    streams = _resolve(annotation.get("/AP"))
    if not isinstance(streams, DictionaryObject):
        return
    for kind in streams.values():
        kind = _resolve(kind)
        states = kind.values() if isinstance(kind, DictionaryObject) and "/Resources" not in kind else [kind]
        for state in states:
            state = _resolve(state)
            if isinstance(state, DictionaryObject):
                yield from _walk(state.get("/Resources"), f"{where} / annotation", seen)


def pdf_fonts(pdf: Path | str) -> list[FontUse]:
    """Every font resource the PDF holds, where it was found and whether it is embedded."""
    reader = PdfReader(pdf)
    seen: set[int] = set()
    found: list[FontUse] = []
    for n, page in enumerate(reader.pages, start=1):
        found += _walk(page.get("/Resources"), f"page {n}", seen)
        for annotation in _resolve(page.get("/Annots")) or ():
            found += _appearances(annotation, f"page {n}", seen)
    root = _resolve(reader.trailer["/Root"])
    form = _resolve(root.get("/AcroForm")) if isinstance(root, DictionaryObject) else None
    if isinstance(form, DictionaryObject):
        found += _walk(form.get("/DR"), "AcroForm", seen)
    return found


def unembedded_fonts(pdf: Path | str) -> list[str]:
    """The fonts of `pdf` whose program is not in the file, described; [] when every font is embedded."""
    return [str(use) for use in pdf_fonts(pdf) if not use.embedded]
