"""Supervisor team report (团队外访报告): per agent and in total for a period, with charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from .charts import grouped_bars
from .data import AgentFigures, TeamReport
from .layout import ACCENT, HEAD_BG, INK, MUTED, RULE, Setup, write_pdf
from .locale import ReportLocale
from .team_safety import safety_story
from .textblock import Run

GREEN = colors.HexColor("#15803d")
RED = colors.HexColor("#b42318")
GREY = colors.HexColor("#94a3b8")


def _row(a: AgentFigures, name: object) -> list[object]:
    return [name, f"{a.cases_held:,}", f"{a.visits:,}", f"{a.attempts:,}", f"{a.right_party_contacts:,}",
            f"{a.promises_made:,}", f"{a.promises_kept:,}", f"{a.promises_broken:,}", a.collected.format()]


def _table(report: TeamReport, setup: Setup, loc: ReportLocale) -> Table:
    b = setup.block
    header = [loc.t("agent"), loc.t("cases_held"), loc.t("visits"), loc.t("attempts"), loc.t("rpc"),
              loc.t("promises_made"), loc.t("promises_kept"), loc.t("promises_broken"), loc.t("collected")]
    rows: list[list[object]] = [[b(Run(h, 8, INK, bold=True)) for h in header]]
    for a in report.agents:
        rows.append(_row(a, b(Run(a.name, 8.5, max_lines=2), Run(a.username, 7, MUTED, max_lines=1))))
    rows.append(_row(report.total, b(Run(loc.t("total"), 9, INK, bold=True))))
    table = Table(rows, colWidths=[w * mm for w in (34, 17, 16, 17, 19, 17, 16, 16, 30)], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), setup.font, 8.5),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("BACKGROUND", (0, -1), (-1, -1), HEAD_BG),
        ("LINEABOVE", (0, -1), (-1, -1), 1.0, INK),
        ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


CHART_AGENTS = 30  # agents per chart: more would not fit a page


def _charts(agents: Sequence[AgentFigures], setup: Setup, loc: ReportLocale) -> list[Flowable]:
    names = [a.name for a in agents]
    collected = [[a.collected.fen / 100 for a in agents]]
    activity = [[a.visits for a in agents], [a.right_party_contacts for a in agents]]
    promises = [[a.promises_made for a in agents], [a.promises_kept for a in agents],
                [a.promises_broken for a in agents]]
    return [
        KeepTogether(grouped_bars(loc.t("chart_collected"), names, collected, [ACCENT], [loc.t("collected")],
                           setup.font, "{:,.2f}")),
        Spacer(1, 4 * mm),
        KeepTogether(grouped_bars(loc.t("chart_activity"), names, activity, [ACCENT, GREEN],
                           [loc.t("visits"), loc.t("rpc")], setup.font)),
        Spacer(1, 4 * mm),
        KeepTogether(grouped_bars(loc.t("chart_promises"), names, promises, [GREY, GREEN, RED],
                           [loc.t("promises_made"), loc.t("promises_kept"), loc.t("promises_broken")], setup.font)),
        Spacer(1, 4 * mm),
    ]


def team_story(report: TeamReport, setup: Setup, loc: ReportLocale) -> list[Flowable]:
    b = setup.block
    story: list[Flowable] = [
        b(Run(loc.t("team_title"), 16, INK, bold=True), Run(report.team, 10, MUTED, max_lines=2)),
        Spacer(1, 2 * mm),
        b(Run(f"{loc.t('period')}: {loc.date(report.start)} – {loc.date(report.end)}", 9.5)),
        Spacer(1, 3 * mm),
        _table(report, setup, loc),
        Spacer(1, 1.5 * mm),
        b(Run(loc.t("team_note"), 7.5, MUTED)),
        Spacer(1, 5 * mm),
    ]
    if report.safety is not None:
        story += safety_story(report.safety, setup, loc)
    for i in range(0, len(report.agents), CHART_AGENTS):
        story += _charts(report.agents[i:i + CHART_AGENTS], setup, loc)
    return story


def build_team_report(report: TeamReport, out: Path | str, setup: Setup, loc: ReportLocale,
                      printed_at: datetime) -> int:
    if report.end < report.start:
        raise ValueError("the period ends before it starts")
    return write_pdf(out, team_story(report, setup, loc), setup=setup, locale=loc, title=loc.t("team_title"),
                     subtitle=f"{report.team} · {loc.date(report.start)} – {loc.date(report.end)}",
                     printed_at=printed_at)
