"""The zh_CN translation is complete and its placeholders match; the compiled .qm is current."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"
PLACEHOLDER = re.compile(r"%n|%L?\d+|\{\w*\}")


def messages() -> list[tuple[str, str, ET.Element, ET.Element]]:
    root = ET.parse(I18N / "doorstep_zh_CN.ts").getroot()
    out = []
    for ctx in root.iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            out.append((name, m.findtext("source") or "", m, m.find("translation")))
    return out


def texts(message: ET.Element, translation: ET.Element) -> list[str]:
    forms = [f.text or "" for f in translation.iter("numerusform")]
    return forms if message.get("numerus") == "yes" else [translation.text or ""]


def test_every_zh_cn_string_is_translated() -> None:
    found = messages()
    assert len(found) > 300
    unfinished = [(c, s) for c, s, _m, t in found if t is None or t.get("type") in ("unfinished", "vanished",
                                                                                     "obsolete")]
    assert not unfinished, f"unfinished zh_CN strings: {unfinished[:10]}"
    empty = [(c, s) for c, s, m, t in found if not all(x.strip() for x in texts(m, t))]
    assert not empty, f"empty zh_CN translations: {empty[:10]}"


@pytest.mark.parametrize("entry", messages(), ids=lambda e: f"{e[0]}:{e[1][:30]}")
def test_placeholders_match(entry: tuple[str, str, ET.Element, ET.Element]) -> None:
    _ctx, source, message, translation = entry
    want = sorted(PLACEHOLDER.findall(source))
    for text in texts(message, translation):
        assert sorted(PLACEHOLDER.findall(text)) == want, f"{source!r} → {text!r}"


def test_mnemonics_are_kept() -> None:
    for ctx, source, message, translation in messages():
        if re.search(r"&\w", source):
            assert all(re.search(r"&\w", t) for t in texts(message, translation)), (ctx, source)


def test_the_compiled_translation_is_shipped_and_newer_than_its_source() -> None:
    qm = I18N / "doorstep_zh_CN.qm"
    assert qm.exists() and qm.stat().st_size > 1000
    assert qm.stat().st_mtime >= (I18N / "doorstep_zh_CN.ts").stat().st_mtime - 1


def test_the_translation_loads_and_translates(qapp: object) -> None:
    from PySide6.QtCore import QCoreApplication

    from app.ui.i18n import Translations

    t = Translations(qapp)  # type: ignore[arg-type]
    try:
        assert t.apply("zh_CN")
        assert QCoreApplication.translate("Labels", "Promise to pay") == "承诺还款"
        assert QCoreApplication.translate("MainWindow", "%n record(s) waiting to upload", "", 3) == "3 条记录待上传"
    finally:
        t.apply("en")
    assert QCoreApplication.translate("Labels", "Promise to pay") == "Promise to pay"
