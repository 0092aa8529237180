"""Every font in every PDF the project makes is embedded (a viewer without the font would substitute one).

`BUILDERS` holds one sample per PDF builder in app/reports, with data that reaches every kind of text
(charts, route sketch, tables, long and hostile text, Chinese and English); `test_every_builder_is_sampled`
fails when a builder is added without a line here, and `CLI_REPORTS` does the same for
`python -m app report KIND`. The check itself is tests/pdffonts.py, which reads the finished file.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.textlabels import Label
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, tables

import app.reports
from app.cli import build_parser, main
from app.domain.money import Money
from app.reports.casereport import build_case_report
from app.reports.daily import build_daily_sheets
from app.reports.data import AgentFigures, ContactLine, Receipt, SafetyLine, TeamReport
from app.reports.layout import FontNotEmbedded, Setup, write_pdf
from app.reports.locale import ReportLocale
from app.reports.receipt import build_receipt
from app.reports.team import build_team_report
from tests.conftest import DEMO_TODAY
from tests.pdffonts import pdf_fonts, unembedded_fonts
from tests.unit.test_reports_pdf import HOSTILE, LONG_ADDRESS, LONG_NAME, case_data, sheet, stop

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
REPORTS = Path(app.reports.__file__).parent


@pytest.fixture(scope="module")
def setup() -> Setup:
    return Setup.load()


def _daily(setup: Setup, loc: ReportLocale, out: Path) -> object:
    stops = [stop(i) for i in range(1, 30)]
    stops[1] = stop(2, debtor_name=HOSTILE, address=LONG_ADDRESS,
                    safety=(SafetyLine("dog", "medium", "院内有大型犬 a big dog", two_person_required=True),))
    stops[2] = stop(3, debtor_name=LONG_NAME, promise_due=date(2026, 11, 30), promise_amount=Money(50000),
                    safety=(SafetyLine("aggressive", "high", "债务人曾持刀威胁", do_not_visit=True),))
    stops[3] = stop(4, lat=None, lon=None, debtor_name="无坐标 no coordinates")
    return build_daily_sheets([sheet(stops), sheet([], order="priority")], out, setup, loc, NOW)


def _case(setup: Setup, loc: ReportLocale, out: Path) -> object:
    return build_case_report(case_data(contacts=(ContactLine("李四 Li Si", "friend", "139****0000", refused=True),),
                                       paused_reason=LONG_NAME), out, setup, loc, NOW)


def _receipt(setup: Setup, loc: ReportLocale, out: Path) -> object:
    return build_receipt(Receipt(7, "R0000007001", Money(10000005), "wechat_official", NOW, "agent01 张建军",
                                 "CD260000007", HOSTILE, "ev-7"), out, setup, loc, NOW)


def _team(setup: Setup, loc: ReportLocale, out: Path) -> object:
    agents = tuple(AgentFigures(f"agent{i:02d}", LONG_NAME if i == 3 else f"外访员{i} Agent {i}", 100 + i, 10 * i,
                                20 * i, 5 * i, 3 * i, i, 2 * i, Money(123_456 * i)) for i in range(1, 36))
    return build_team_report(TeamReport("成都外访一组 Chengdu team 1", date(2026, 11, 1), date(2026, 11, 30), agents),
                             out, setup, loc, NOW)


# One line per PDF builder in app/reports: the builder and a sample that exercises all its text.
BUILDERS: dict[Callable[..., object], Callable[[Setup, ReportLocale, Path], object]] = {
    build_daily_sheets: _daily,
    build_case_report: _case,
    build_receipt: _receipt,
    build_team_report: _team,
}

# One line per `python -m app report KIND`, run against the demo store (data as the services load it).
CLI_REPORTS: dict[str, list[str]] = {
    "daily": ["--date", DEMO_TODAY.isoformat()],
    "case": ["--case", "1"],
    "receipt": ["--payment", "1"],
    "team": ["--from", "2026-11-01", "--to", "2026-11-30"],
}


def assert_all_embedded(pdf: Path) -> None:
    fonts = pdf_fonts(pdf)
    assert fonts, f"{pdf.name}: no font found at all (the walk is broken)"
    assert unembedded_fonts(pdf) == []


def _pdf_builders() -> set[str]:
    """Public functions in app/reports that write a PDF: they call write_pdf, or are named build_*."""
    found = set()
    for path in sorted(REPORTS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_") or node.name == "write_pdf":
                continue
            calls = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            if "write_pdf" in calls or node.name.startswith("build_"):
                found.add(f"app.reports.{path.stem}.{node.name}")
    return found


def test_every_builder_is_sampled() -> None:
    assert _pdf_builders() == {f"{b.__module__}.{b.__name__}" for b in BUILDERS}


def test_only_layout_makes_documents() -> None:
    """A new builder cannot bypass write_pdf (whose canvas starts on, and insists on, embedded fonts)."""
    makers = {"SimpleDocTemplate", "BaseDocTemplate", "DocTemplate", "Canvas", "canvasmaker", "renderPDF",
              "drawToFile", "drawToString"}
    offenders = {}
    for path in sorted(REPORTS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {a.name.rsplit(".", 1)[-1] for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
                  for a in n.names}
        names |= {k.arg for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords if k.arg}
        if names & makers:
            offenders[path.name] = sorted(names & makers)
    assert set(offenders) == {"layout.py"}, offenders


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("builder", list(BUILDERS), ids=lambda b: b.__name__)
def test_every_font_of_every_builder_is_embedded(setup: Setup, tmp_path: Path, builder: Callable[..., object],
                                                 lang: str) -> None:
    out = tmp_path / f"{builder.__name__}-{lang}.pdf"
    BUILDERS[builder](setup, ReportLocale(lang), out)
    assert_all_embedded(out)
    # One face throughout: subsets (ABCDEF+Name) of the registered TrueType font, nothing else.
    assert len({(f.base_font.split("+", 1)[-1], f.subtype) for f in pdf_fonts(out)}) == 1
    assert {f.subtype for f in pdf_fonts(out)} == {"/TrueType"}


def _report_kinds() -> set[str]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    report = commands.choices["report"]
    kinds = next(a for a in report._actions if isinstance(a, argparse._SubParsersAction))
    return set(kinds.choices)


def test_every_cli_report_is_run() -> None:
    assert _report_kinds() == set(CLI_REPORTS)


def test_every_cli_report_embeds_its_fonts(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for kind, args in CLI_REPORTS.items():
        for lang in ("zh", "en"):
            out = tmp_path / f"{kind}-{lang}.pdf"
            assert main(["report", kind, "--data-dir", str(demo_dir), "--lang", lang, *args, "--out", str(out)]) == 0
            assert_all_embedded(out)
    assert capsys.readouterr().out.count("wrote ") == 2 * len(CLI_REPORTS)


def test_nothing_defaults_to_a_standard_font(setup: Setup) -> None:
    """Whatever a builder leaves unset falls back to the project's font, not Helvetica."""
    chart = HorizontalBarChart()
    implicit = {
        "String": String(0, 0, "x").fontName,
        "Label": Label().fontName,
        "category axis": chart.categoryAxis.labels.fontName,
        "value axis": chart.valueAxis.labels.fontName,
        "bar labels": chart.barLabels.fontName,
        "vertical bar labels": VerticalBarChart().barLabels.fontName,
        "legend": Legend().fontName,
        "ParagraphStyle": ParagraphStyle("p").fontName,
        "bullet": ParagraphStyle("p").bulletFontName,
        "table cell": tables.CellStyle("c").fontname,
    }
    assert implicit == dict.fromkeys(implicit, setup.font)


def test_a_chart_nobody_gave_a_font_is_embedded(setup: Setup, tmp_path: Path) -> None:
    d = Drawing(400, 200)
    chart = VerticalBarChart()
    chart.data = [[1, 2, 3]]
    chart.categoryAxis.categoryNames = ["甲 A", "乙 B", "丙 C"]
    d.add(chart)
    d.add(String(10, 190, "未设字体 no font set"))
    out = tmp_path / "bare.pdf"
    write_pdf(out, [d, Paragraph("段落 <b>bold</b> <i>italic</i>", ParagraphStyle("bare"))], setup=setup,
              locale=ReportLocale("zh"), title="T", subtitle="S", printed_at=NOW)
    assert_all_embedded(out)


def test_write_pdf_refuses_a_standard_font_and_leaves_no_file(setup: Setup, tmp_path: Path) -> None:
    d = Drawing(100, 20)
    d.add(String(0, 0, "7", fontName="Helvetica-Bold"))
    out = tmp_path / "never.pdf"
    with pytest.raises(FontNotEmbedded, match="Helvetica-Bold"):
        write_pdf(out, [d], setup=setup, locale=ReportLocale("zh"), title="T", subtitle="S", printed_at=NOW)
    assert list(tmp_path.iterdir()) == []


# -- the check can fail -------------------------------------------------------------------------


def test_the_check_finds_a_standard_font(tmp_path: Path) -> None:
    out = tmp_path / "helvetica.pdf"
    c = Canvas(str(out), initialFontName="Helvetica")
    c.setFont("Times-Bold", 12)
    c.drawString(72, 72, "plain")
    c.save()
    assert sorted(f.base_font for f in pdf_fonts(out) if not f.embedded) == ["/Helvetica", "/Times-Bold"]
    assert len(unembedded_fonts(out)) == 2


def test_the_check_finds_an_unembedded_cid_font(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = tmp_path / "cid.pdf"
    c = Canvas(str(out), initialFontName="STSong-Light")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 72, "宋体")
    c.save()
    [problem] = unembedded_fonts(out)
    assert "/Type0" in problem and "STSong-Light" in problem


def test_the_check_looks_inside_form_xobjects(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    drawn = tmp_path / "drawn.pdf"
    c = Canvas(str(drawn), initialFontName="Courier")
    c.beginForm("stamp")
    c.setFont("Courier", 9)
    c.drawString(0, 0, "x")
    c.endForm()
    c.doForm("stamp")
    c.save()
    writer = PdfWriter(clone_from=PdfReader(drawn))
    page = writer.pages[0]
    resources = page["/Resources"].get_object()
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): resources["/XObject"]})
    out = tmp_path / "form.pdf"
    with out.open("wb") as f:
        writer.write(f)
    assert "/Font" not in PdfReader(out).pages[0]["/Resources"]  # the font is reachable through the form alone
    assert unembedded_fonts(out) == ["page 1 / XObject /FormXob.stamp: /F1 /Courier (/Type1, not embedded)"]


def test_the_check_looks_at_form_fields(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "field.pdf"
    c = Canvas(str(out), initialFontName=setup.font)
    c.acroForm.textfield(name="t", value="x", x=72, y=72, fontName="Courier")
    c.showPage()
    c.save()
    assert {f.where for f in pdf_fonts(out) if not f.embedded} == {"page 1 / annotation", "AcroForm"}
