"""The PDF builders: facts (Chinese included) are in the text, hostile strings print literally,
long text wraps, missing values print as a dash, and pages render to non-blank images."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.domain.money import Money
from app.reports.casereport import build_case_report
from app.reports.daily import build_daily_sheets
from app.reports.data import (
    AccountLine,
    AgentFigures,
    CaseReport,
    DailySheet,
    Evidence,
    Receipt,
    SafetyLine,
    Stop,
    TeamReport,
    TimelineItem,
)
from app.reports.fonts import FontNotFound, find_cjk_font, outline_kind
from app.reports.layout import Setup
from app.reports.locale import ReportLocale
from app.reports.receipt import build_receipt
from app.reports.team import build_team_report
from app.reports.verify import verification_code
from tests.pdffonts import pdf_fonts, unembedded_fonts

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
HOSTILE = "<b>王</b> & <para>Co</para> <font color=red>x</font> &amp; =1+2"
LONG_NAME = "欧阳" + "超长名字" * 8 + " Alexander-the-Extraordinarily-Long-Surname-Without-Spaces"
LONG_ADDRESS = "成都市锦江区春熙路123号花园5栋2单元1203室" * 6
ZH = ReportLocale("zh")
EN = ReportLocale("en")


@pytest.fixture(scope="module")
def setup() -> Setup:
    return Setup.load()


def text_of(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)


def flat(s: str) -> str:
    return "".join(s.split())


def render_pages(pdf: Path, folder: Path) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is not installed: make test installs it (tools/system-packages.sh)")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))


def assert_not_blank(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as img:
        grey = img.convert("L")
        darkest, _ = grey.getextrema()
        inked = sum(grey.histogram()[:160])
    assert darkest < 100, f"{png.name} is blank"
    assert inked > 500, f"{png.name} has almost no ink"


def stop(seq: int, **kw: object) -> Stop:
    base: dict[str, object] = dict(
        seq=seq, case_no=f"CD26{seq:07d}", debtor_name=f"王小明{seq}", address=f"成都市锦江区春熙路{seq}号",
        overdue=Money(1234567 + seq), outstanding=Money(9876543), lat=30.6 + seq / 1000, lon=104.05 + seq / 700,
        planned_at=datetime(2026, 11, 30, 1 + seq % 8, 0, tzinfo=UTC), promise_due=None, promise_amount=None,
        last_outcome="not_home", last_outcome_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC), days_past_due=45)
    base.update(kw)
    return Stop(**base)  # type: ignore[arg-type]


def sheet(stops: list[Stop], **kw: object) -> DailySheet:
    return DailySheet(date(2026, 11, 30), "张建军", "agent01", tuple(stops), kw.pop("order", "plan"),  # type: ignore[arg-type]
                      (30.62, 104.06), **kw)  # type: ignore[arg-type]


def test_font_is_truetype_and_noto_cff_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    font = find_cjk_font()
    assert outline_kind(font.path, font.index) == "truetype"
    cff = tmp_path / "fake.otf"
    cff.write_bytes(b"OTTO" + b"\0" * 64)
    with pytest.raises(FontNotFound, match="TrueType"):
        find_cjk_font({"DOORSTEP_CJK_FONT": str(cff)})
    with pytest.raises(FontNotFound, match="not a file"):
        find_cjk_font({"DOORSTEP_CJK_FONT": str(tmp_path / "missing.ttf")})
    assert find_cjk_font({"DOORSTEP_CJK_FONT": f"{font.path}#{font.index}"}) == font


def test_daily_sheet_has_stops_in_order_warnings_and_rules(setup: Setup, tmp_path: Path) -> None:
    stops = [stop(1), stop(2, safety=(SafetyLine("dog", "medium", "院内有大型犬，未拴绳", two_person_required=True),)),
             stop(3, safety=(SafetyLine("aggressive", "high", "债务人曾持刀威胁外访人员", do_not_visit=True),),
                  promise_due=date(2026, 11, 30), promise_amount=Money(50000)),
             stop(4, lat=None, lon=None, debtor_name="无坐标")]
    out = tmp_path / "daily.pdf"
    pages = build_daily_sheets([sheet(stops)], out, setup, ZH, NOW)
    text = flat(text_of(out))
    assert pages == len(PdfReader(out).pages) >= 1
    for fact in ("外访日程单", "张建军", "2026年11月30日", "星期一", "王小明1", "王小明3", "成都市锦江区春熙路2号",
                 "¥12,345.68", "禁止上门", "须两人同行", "院内有大型犬", "债务人曾持刀威胁外访人员", "合规提醒",
                 "08:00", "22:00", "录音录像", "路线示意图", "无坐标，未画入示意图", "¥500.00", "11月30日", "不在家",
                 "第1页/共"):
        assert flat(fact) in text, fact
    assert text.index("CD260000001") < text.index("CD260000002") < text.index("CD260000003")
    assert "本日2个站点有安全提示，其中1个禁止上门" in text


def test_empty_day_and_english(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    assert build_daily_sheets([sheet([], order="priority")], out, setup, EN, NOW) == 1
    text = text_of(out)
    assert "No visits planned for this day." in text
    assert "Monday 30 Nov 2026" in text
    assert "Page 1 of 1" in text


def test_hostile_and_long_text_prints_literally_and_wraps(setup: Setup, tmp_path: Path) -> None:
    stops = [stop(1, debtor_name=HOSTILE, address=LONG_ADDRESS,
                  safety=(SafetyLine("other", "low", HOSTILE),)),
             stop(2, debtor_name=LONG_NAME, address="", last_outcome=None, last_outcome_at=None,
                  outstanding=None, planned_at=None)]
    out = tmp_path / "hostile.pdf"
    build_daily_sheets([sheet(stops)], out, setup, ZH, NOW)
    text = flat(text_of(out))
    assert flat(HOSTILE) in text  # tags, entities and ampersands as typed
    assert flat(LONG_ADDRESS) in text  # wrapped over lines, every character kept
    assert flat(LONG_NAME) in text
    assert "—" in text


def test_absurdly_long_text_is_cut_visibly_not_crashing(setup: Setup, tmp_path: Path) -> None:
    huge = "王" * 10_000
    out = tmp_path / "huge.pdf"
    build_daily_sheets([sheet([stop(1, debtor_name=huge, address=huge + "😀",
                                    safety=(SafetyLine("other", "low", huge),))])], out, setup, ZH, NOW)
    text = flat(text_of(out))
    assert "王王王王王王王王王王" in text and "…" in text


def test_two_hundred_stops_span_pages_with_numbers(setup: Setup, tmp_path: Path) -> None:
    stops = [stop(i) for i in range(1, 201)]
    out = tmp_path / "big.pdf"
    pages = build_daily_sheets([sheet(stops)], out, setup, ZH, NOW)
    assert pages > 5
    text = flat(text_of(out))
    assert "王小明200" in text
    assert f"第{pages}页/共{pages}页" in text


def case_data(**kw: object) -> CaseReport:
    base: dict[str, object] = dict(
        case_no="CD260000123", debtor_name="刘德华", id_number_masked="510***********1234",
        phones_masked=("138****5678 (有效)",), addresses=("住址: 成都市武侯区玉林路8号",), stage="field_visit",
        status="promised", trigger="evading_contact", paused_reason=None, priority=71.5,
        priority_reasons=("76 days past due (+20.3)",), days_past_due=76, bucket="M3", overdue=Money(485800),
        accounts=(AccountLine("LN00000230", "车主贷", Money(18571600), Money(4659071), Money(485800), 76, 2,
                              date(2026, 7, 23)),),
        agent_name="陈磊",
        timeline=(TimelineItem(datetime(2026, 11, 5, 2, 15, tzinfo=UTC), "outcome", "promise_to_pay",
                               "承诺金额: ¥1,182.99\n" + HOSTILE, "陈磊", "visit"),
                  TimelineItem(datetime(2026, 11, 6, 4, 0, tzinfo=UTC), "payment", "bank_transfer",
                               "¥1,182.99  R0000023267", "platform")),
        evidence=(Evidence("e93e9707d903ff4df50224c508d0323c" * 2, "recording", datetime(2026, 11, 5, 2, 15, tzinfo=UTC)),),
        safety=(SafetyLine("unsafe_area", "high", "城中村巷道狭窄，车辆无法进入", True, True, NOW, "外访员"),),
    )
    base.update(kw)
    return CaseReport(**base)  # type: ignore[arg-type]


def test_case_report_facts_timeline_evidence_signatures(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "case.pdf"
    build_case_report(case_data(), out, setup, ZH, NOW)
    text = flat(text_of(out))
    for fact in ("案件外访报告", "CD260000123", "刘德华", "510***********1234", "138****5678", "成都市武侯区玉林路8号",
                 "外访", "逃避联系", "车主贷", "¥185,716.00", "¥4,858.00", "承诺还款", "银行转账", "R0000023267",
                 "e93e9707d903ff4df50224c508d0323c", "禁止上门", "城中村巷道狭窄", "外访员", "同行外访员",
                 "债务人/见证人", "主管审核", flat(HOSTILE)):
        assert flat(fact) in text, fact


def test_case_report_with_nothing_recorded(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "bare.pdf"
    build_case_report(case_data(timeline=(), evidence=(), safety=(), accounts=(), addresses=(), phones_masked=(),
                                trigger=None), out, setup, EN, NOW)
    text = text_of(out)
    assert "No evidence recorded." in text and "Nothing recorded." in text and "—" in text


@pytest.mark.parametrize(("fen", "figures", "words"), [
    (1, "¥0.01", "壹分"), (9999999999, "¥99,999,999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (10000005, "¥100,000.05", "壹拾万元零伍分"),
])
def test_receipt_amounts_and_code(setup: Setup, tmp_path: Path, fen: int, figures: str, words: str) -> None:
    r = Receipt(42, "R0000042001", Money(fen), "wechat_official", NOW, "agent01", "CD260000042", HOSTILE, "ev-42")
    out = tmp_path / "receipt.pdf"
    assert build_receipt(r, out, setup, ZH, NOW) == 1
    text = flat(text_of(out))
    assert text.count(figures) == 2  # both copies
    assert text.count("人民币" + words) == 2
    for fact in ("还款收据", "R0000042001", "微信官方账户", "agent01", "CD260000042", flat(HOSTILE),
                 verification_code(r), "第一联", "第二联", "2026年11月30日09:30"):
        assert flat(fact) in text, fact


def test_team_report_rows_totals_and_charts(setup: Setup, tmp_path: Path) -> None:
    agents = tuple(AgentFigures(f"agent{i:02d}", f"外访员{i}", 100 + i, 10 * i, 20 * i, 5 * i, 3 * i, i, 2 * i,
                                Money(1_000_00 * i)) for i in range(1, 7))
    report = TeamReport("成都外访一组", date(2026, 11, 1), date(2026, 11, 30), agents)
    out = tmp_path / "team.pdf"
    build_team_report(report, out, setup, ZH, NOW)
    text = flat(text_of(out))
    total = report.total
    assert total.cases_held == 621 and total.visits == 210 and total.collected == Money(2_100_000)
    for fact in ("团队外访报告", "成都外访一组", "2026年11月1日", "外访员6", "agent06", "合计", "621", "210", "¥21,000.00",
                 "各外访员回款", "外访与本人接触", "承诺：兑现与违约"):
        assert flat(fact) in text, fact


def test_team_report_with_many_agents_and_zero_figures(setup: Setup, tmp_path: Path) -> None:
    agents = tuple(AgentFigures(f"a{i}", LONG_NAME if i == 3 else f"员{i}") for i in range(45))
    out = tmp_path / "many.pdf"
    pages = build_team_report(TeamReport("T", date(2026, 1, 1), date(2026, 1, 31), agents), out, setup, EN, NOW)
    assert pages >= 2


def test_every_report_renders_to_non_blank_pages(setup: Setup, tmp_path: Path) -> None:
    pdfs = []
    for name, build in {
        "daily": lambda p: build_daily_sheets([sheet([stop(i) for i in range(1, 9)])], p, setup, ZH, NOW),
        "case": lambda p: build_case_report(case_data(), p, setup, ZH, NOW),
        "receipt": lambda p: build_receipt(Receipt(1, "R1", Money(1), "bank_transfer", NOW, "a", "C1", "王"),
                                           p, setup, ZH, NOW),
        "team": lambda p: build_team_report(TeamReport("T", date(2026, 1, 1), date(2026, 1, 2),
                                                       (AgentFigures("a", "王", 1, 2, 3, 1, 1, 1, 0, Money(5)),)),
                                            p, setup, ZH, NOW),
    }.items():
        pdf = tmp_path / f"{name}.pdf"
        build(pdf)
        pdfs.append(pdf)
    for pdf in pdfs:
        folder = tmp_path / pdf.stem
        folder.mkdir()
        pngs = render_pages(pdf, folder)
        assert len(pngs) == len(PdfReader(pdf).pages)
        for png in pngs:
            assert_not_blank(png)


def test_a_failed_build_leaves_no_file(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "never.pdf"
    bad = Receipt(1, "R1", Money(-5), "bank_transfer", NOW, "a", "C1", "王")
    with pytest.raises(ValueError):
        build_receipt(bad, out, setup, ZH, NOW)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_font_is_embedded_as_a_subset(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    build_receipt(Receipt(1, "R1", Money(100), "bank_transfer", NOW, "a", "C1", "王"), out, setup, ZH, NOW)
    assert unembedded_fonts(out) == []  # every PDF's fonts: tests/unit/test_pdf_fonts.py
    fonts = {f.base_font for f in pdf_fonts(out)}
    assert fonts and all("+" in name for name in fonts), fonts  # subset fonts are named ABCDEF+Name
    assert replace(Money(1), fen=2) == Money(2)


def test_no_cjk_font_on_the_machine_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The machine's installed fonts are outside the project: this stands in for one without any.
    import app.reports.fonts as fonts

    monkeypatch.setattr(fonts, "candidates", lambda env: [])
    with pytest.raises(FontNotFound, match="fonts-wqy-microhei"):
        fonts.find_cjk_font({})
