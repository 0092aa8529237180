"""The letter on paper: fonts embedded (FontFile2), Chinese that extracts as written, hostile text
drawn as plain characters (never reportlab markup), a 10,000-character field cut cleanly onto one
page, the print file's page count, and the same content giving the same bytes."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.contract.letters import LetterTemplateData
from headoffice.letters.content import Facts, Firm, LetterContent, letter_content
from headoffice.letters.pdf import LetterFonts, Letters, render_letter
from tests.pdffonts import pdf_fonts, unembedded_fonts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "letters"
HOSTILE = "<font color=red><para>=HYPERLINK(\"http://x\")</para></font> &amp; <b>"


@pytest.fixture(scope="module")
def fonts() -> LetterFonts:
    return LetterFonts.load()


def _content(lang: str = "zh", template: dict[str, Any] | None = None, **facts: Any) -> LetterContent:
    data = json.loads((FIXTURES / "templates.json").read_text(encoding="utf-8"))["templates"][0]
    data.update(template or {})
    t = LetterTemplateData.model_validate(data)
    firm = Firm("北京市明正律师事务所", "李文清", "11101201810234567", "", "北京市朝阳区建国门外大街甲6号",
                "010-65881234", "letters@mingzheng-law.example")
    base: dict[str, Any] = {"recipient": "王伟", "address": "成都市锦江区春熙路1号", "case_no": "CD260000001",
                            "loan_nos": ("LN00000001",), "amount_fen": 2_117_430, "letter_date": date(2026, 12, 1),
                            "deadline": date(2026, 12, 16)}
    base.update(facts)
    return letter_content(lang=lang, title=t.title, body=t.body, legal_basis=t.legal_basis, rights=t.rights,
                          deadline_days=t.deadline_days, channels=t.channels, firm=firm, facts=Facts(**base),
                          code="0EE4-RKBY-FHV3-PRN1", verify_base="https://check.example.com")


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _squeezed(text: str) -> str:
    """Without white space: a wrapped line loses the space it broke at."""
    return "".join(text.split())


def test_one_page_fonts_embedded_and_the_chinese_extracts(fonts: LetterFonts, tmp_path: Path) -> None:
    data, fit = render_letter(_content(), fonts)
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    assert len(PdfReader(path).pages) == 1 and not fit.cut
    assert unembedded_fonts(path) == []
    used = pdf_fonts(path)
    assert used and all(u.embedded for u in used)
    reader = PdfReader(path)
    descriptors = [d["/FontDescriptor"] for f in reader.pages[0]["/Resources"]["/Font"].values()
                   for d in [f.get_object()]]
    assert descriptors and all("/FontFile2" in d for d in descriptors)  # TrueType outlines in the file
    text = _text(data)
    for expected in ("北京市明正律师事务所", "律师函", "致：王伟（收）", "人民币 21,174.30 元", "贰万壹仟壹佰柒拾肆元叁角",
                     "2026年12月16日", "对公银行转账", "0200 0012 0900 1234 567", "事实与法律依据",
                     "您的权利与异议方式", "执业证号：11101201810234567", "0EE4-RKBY-FHV3-PRN1",
                     "https://check.example.com/api/v1/letters/verify/0EE4-RKBY-FHV3-PRN1", "010-65881234"):
        assert expected in text.replace("\n", ""), expected
    assert render_letter(_content(), fonts)[0] == data  # the same content, the same bytes


def test_markup_in_names_and_templates_prints_as_written(fonts: LetterFonts) -> None:
    c = _content(template={"body": "致{debtor_name}：" + HOSTILE + " <script>alert(1)</script> Mixed 中文 text."},
                 recipient=HOSTILE, address="=1+2 <br/>")
    text = _squeezed(_text(render_letter(c, fonts)[0]))
    for literal in (HOSTILE, "<script>alert(1)</script> Mixed 中文 text.", "地址：=1+2 <br/>"):
        assert _squeezed(literal) in text


def test_ten_thousand_characters_are_cut_cleanly_to_one_page(fonts: LetterFonts) -> None:
    c = _content(recipient="王" * 10_000, address="春熙路" * 3_000, case_no="C" * 10_000,
                 loan_nos=tuple(f"L{i}" for i in range(1000)))
    # a body far longer than any template can be (the contract stops at 1,000 characters)
    long = replace(c, body=("很长的正文 long text " * 700)[:10_000], rights="权" * 10_000)
    data, fit = render_letter(long, fonts)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and fit.cut and fit.size == 8.0
    text = reader.pages[0].extract_text().replace("\n", "")
    assert "王" * 39 + "…" in text and "王" * 41 not in text
    assert "…" in text and "本函验证码：0EE4-RKBY-FHV3-PRN1" in text  # the foot is never cut
    assert "执业证号" in text  # nor the signature


def test_an_english_letter(fonts: LetterFonts) -> None:
    c = _content("en", template={"lang": "en", "title": "Lawyer's letter",
                                 "body": "Dear {debtor_name},\nYou owe {amount} ({amount_capitals}); pay by {deadline}."},
                 recipient="Grace O'Neil 王")
    text = _text(render_letter(c, fonts)[0]).replace("\n", " ")
    assert "Dear Grace O'Neil 王" in text and "RMB 21,174.30" in text and "16 December 2026" in text
    assert "Your rights and how to object" in text


def test_the_print_file_has_a_page_a_letter_and_one_embedded_font(fonts: LetterFonts, tmp_path: Path) -> None:
    path = tmp_path / "merged.pdf"
    doc = Letters(path, fonts, "律师函")
    for i in range(25):
        doc.add(_content(recipient=f"王{i}号", case_no=f"C{i}"))
    assert doc.save() == 25
    reader = PdfReader(path)
    assert len(reader.pages) == 25 and unembedded_fonts(path) == []
    assert "王24号" in reader.pages[24].extract_text()
    single = len(render_letter(_content(), fonts)[0])
    assert path.stat().st_size < 25 * single / 3  # the font is embedded once, not per page
