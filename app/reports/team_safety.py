"""The team report's "safety at the door" section: sessions, alarms and how fast they were acknowledged."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from .data import SafetyFigures
from .layout import HEAD_BG, INK, MUTED, RULE, Setup
from .locale import ReportLocale
from .textblock import Run


def _minutes(value: float | None, loc: ReportLocale) -> str:
    return "—" if value is None else loc.t("safety_minutes", n=f"{value:,.1f}")


def safety_story(figures: SafetyFigures, setup: Setup, loc: ReportLocale) -> list[Flowable]:
    b = setup.block
    story: list[Flowable] = [
        b(Run(loc.t("safety_title"), 12, INK, bold=True)),
        Spacer(1, 1.5 * mm),
        b(Run(loc.t("safety_summary", sessions=f"{figures.sessions:,}", checked_out=f"{figures.checked_out:,}",
                    overdue=f"{figures.overdue_sessions:,}", alarms=f"{len(figures.alarms):,}",
                    median=_minutes(figures.median_minutes_to_acknowledge, loc)), 9)),
    ]
    if figures.days_missing:
        story += [Spacer(1, 1 * mm), b(Run(loc.t("safety_missing", n=figures.days_missing), 8, MUTED))]
    if not figures.alarms:
        story += [Spacer(1, 1.5 * mm), b(Run(loc.t("safety_no_alarms"), 8.5, MUTED)), Spacer(1, 4 * mm)]
        return story
    header = [loc.t(k) for k in ("safety_raised", "agent", "safety_alarm", "safety_case", "safety_acknowledged_by",
                                 "safety_to_ack", "safety_outcome")]
    rows: list[list[object]] = [[b(Run(h, 8, INK, bold=True)) for h in header]]
    for a in sorted(figures.alarms, key=lambda x: x.raised_at):
        outcome = b(Run(loc.term(a.outcome) if a.outcome else "—", 8, max_lines=1),
                    *([Run(a.note, 7, MUTED, max_lines=3)] if a.note else []))
        rows.append([b(Run(loc.datetime(a.raised_at), 8, max_lines=2)), b(Run(a.agent_name, 8, max_lines=2)),
                     b(Run(f"{loc.term(a.level)} · {loc.term(a.kind)}", 8, max_lines=2)), a.case_number or "—",
                     b(Run(a.acknowledged_by or "—", 8, max_lines=2)), _minutes(a.minutes_to_acknowledge, loc),
                     outcome])
    table = Table(rows, colWidths=[w * mm for w in (33, 22, 25, 25, 22, 17, 38)], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), setup.font, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (5, 1), (5, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return story + [Spacer(1, 2 * mm), table, Spacer(1, 5 * mm)]
