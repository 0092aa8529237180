"""The team report's safety section: sessions, alarms with who acknowledged and how fast, hostile notes
printed literally, the days head office's figures are missing said on the page, fonts embedded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from app.domain.money import Money
from app.reports.data import AgentFigures, SafetyAlarmLine, SafetyFigures, TeamReport
from app.reports.team import build_team_report
from tests.pdffonts import unembedded_fonts
from tests.unit.test_reports_pdf import (
    EN,
    HOSTILE,
    NOW,
    ZH,
    assert_not_blank,
    flat,
    render_pages,
    setup,
    text_of,
)

__all__ = ["setup"]  # the module-scoped Setup fixture, shared with the other PDF tests

AGENTS = (AgentFigures("agent01", "李雷", 10, 4, 6, 3, 1, 1, 0, Money(50_000)),)


def alarm(minute: int, kind: str, level: str, ack: float | None, outcome: str | None, note: str | None = None,
          by: str | None = "王主管") -> SafetyAlarmLine:
    return SafetyAlarmLine(datetime(2026, 11, 3, 6, minute, tzinfo=UTC), kind, level, "李雷", "CD260000042",
                           by if ack is not None else None, ack, outcome, note)


def test_sessions_alarms_and_minutes_to_acknowledge_are_on_the_page(setup: object, tmp_path: Path) -> None:
    figures = SafetyFigures(12, 11, 2, (alarm(5, "overdue", "amber", 3.0, "agent_safe"),
                                        alarm(9, "sos", "red", 1.0, "police_called", HOSTILE),
                                        alarm(30, "day_end", "amber", None, None)), days_missing=0)
    assert figures.median_minutes_to_acknowledge == 2.0
    out = tmp_path / "team.pdf"
    build_team_report(TeamReport("成都外访一组", date(2026, 11, 1), date(2026, 11, 30), AGENTS, figures),
                      out, setup, ZH, NOW)  # type: ignore[arg-type]
    text = flat(text_of(out))
    for fact in ("外访安全", "外访计时12次", "安全签退11次", "超时2次", "警报3次", "确认用时中位数2.0分钟",
                 "红色·SOS求助", "黄色·超时未签退", "未报平安收工", "王主管", "已报警", "外访员安全", "CD260000042",
                 flat(HOSTILE)):
        assert flat(fact) in text, fact
    assert unembedded_fonts(out) == []
    for png in render_pages(out, tmp_path):
        assert_not_blank(png)


def test_missing_days_and_no_alarms_are_said(setup: object, tmp_path: Path) -> None:
    out = tmp_path / "team-en.pdf"
    build_team_report(TeamReport("T", date(2026, 11, 1), date(2026, 11, 7), AGENTS, SafetyFigures(0, 0, 0, (), 3)),
                      out, setup, EN, NOW)  # type: ignore[arg-type]
    text = " ".join(text_of(out).split())
    assert "Safety at the door" in text and "No alarms in the period." in text
    assert "3 day(s) of the period have no safety figures from head office yet" in text
    assert "median time to acknowledge —" in text


def test_a_report_without_safety_figures_has_no_safety_section(setup: object, tmp_path: Path) -> None:
    out = tmp_path / "plain.pdf"
    build_team_report(TeamReport("T", date(2026, 11, 1), date(2026, 11, 7), AGENTS), out, setup, EN, NOW)  # type: ignore[arg-type]
    assert "Safety at the door" not in text_of(out)
