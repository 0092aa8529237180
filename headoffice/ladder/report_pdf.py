"""The ladder report as a PDF: a title block, all levels at a glance, two charts, one table per
level, and how the figures are counted. Drawn in the house style (`app.reports.layout`: A4, the
embedded CJK font, header and "page n of total", atomic write) with the shared bar chart.

Level codes and names come from a policy a supervisor typed: they are drawn as plain text
(TextBlock runs, chart strings), never parsed as markup, and cut to a few lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.reports.charts import grouped_bars
from app.reports.layout import ACCENT, HEAD_BG, INK, MUTED, RULE, WARN, Setup, write_pdf
from app.reports.textblock import Run, TextBlock

from .report_data import LadderReport
from .report_figures import LevelFigures
from .report_labels import Labels, level_title, percent, policy_text, prices_text, ratio_text, uses_text, yuan

GREEN = colors.HexColor("#15803d")
ORANGE = colors.HexColor("#c2410c")
GREY = colors.HexColor("#94a3b8")
CHART_LEVELS = 24  # levels per chart: more would not fit a page


def _title_block(report: LadderReport, setup: Setup, lab: Labels) -> list[Flowable]:
    b, loc = setup.block, lab.locale
    facts = [
        (lab.t("period"), f"{loc.date(report.start)} – {loc.date(report.end)}"),
        (lab.t("as_of"), loc.date(report.as_of)),
        (lab.t("team"), report.team or lab.t("all_teams")),
        (lab.t("policy"), policy_text(report, lab)),
        (lab.t("cure_window"), f"{lab.t('days', n=report.policy.cure_days)} · {lab.t('grace', n=report.grace_days)}"),
        (lab.t("prices"), prices_text(report, lab)),
        (lab.t("moved_by"), uses_text(report, lab)),
    ]
    rows = [[b(Run(k, 8.5, MUTED)), b(Run(v, 9, INK, max_lines=3))] for k, v in facts]
    table = Table(rows, colWidths=[44 * mm, 138 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                               ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]))
    t = report.total
    summary = (f"{lab.t('cases')} {report.cases:,} · {lab.t('entered')} {t.entered:,} · {lab.t('cured')} "
               f"{t.cured:,} ({percent(t.cure_rate)}) · {lab.t('rolled')} {t.rolled:,} · {lab.t('recovered')} "
               f"{yuan(t.recovered_fen)} · {lab.t('cost')} {yuan(t.cost_fen)} · {lab.t('cost_per_yuan')} "
               f"{ratio_text(t.cost_per_yuan)}")
    return [
        b(Run(lab.t("title"), 18, INK, bold=True), Run(lab.t("subtitle"), 10, MUTED)),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
        TextBlock([Run(lab.t("summary"), 10, ACCENT, bold=True), Run(summary, 9, INK)], setup.widths),
        Spacer(1, 4 * mm),
    ]


OVERVIEW_COLS = (("level", 34), ("entered", 14), ("cured", 14), ("cure_rate", 15), ("rolled", 14),
                 ("moved_down", 15), ("still_there", 15), ("recovered", 23), ("cost", 20), ("cost_per_yuan", 18))


def _overview_row(lv: LevelFigures, name: Flowable) -> list[object]:
    return [name, f"{lv.entered:,}", f"{lv.cured:,}", percent(lv.cure_rate), f"{lv.rolled:,}",
            f"{lv.moved_down:,}", f"{lv.still_there:,}", yuan(lv.recovered_fen), yuan(lv.cost_fen),
            ratio_text(lv.cost_per_yuan)]


def _overview(report: LadderReport, setup: Setup, lab: Labels) -> Table:
    b = setup.block
    head = ParagraphStyle("ladder-head", parent=setup.styles.small, textColor=INK, fontSize=7.5, leading=9)
    right = ParagraphStyle("ladder-head-right", parent=head, alignment=TA_RIGHT)
    # Headers over numbers are right-aligned like the numbers (our own labels, escaped all the same).
    rows: list[list[object]] = [[setup.styles.p(lab.t(k), head if i == 0 else right)
                                 for i, (k, _) in enumerate(OVERVIEW_COLS)]]
    for lv in report.levels:
        extra = [Run(lab.t("not_in_policy"), 6.5, WARN, max_lines=1)] if not lv.level.in_policy else []
        rows.append(_overview_row(lv, b(Run(lv.level.code, 8, INK, max_lines=2), *extra)))
    rows.append(_overview_row(report.total, b(Run(lab.t("total"), 8.5, INK, bold=True))))
    table = Table(rows, colWidths=[w * mm for _, w in OVERVIEW_COLS], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), setup.font, 8),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("BACKGROUND", (0, -1), (-1, -1), HEAD_BG),
        ("LINEABOVE", (0, -1), (-1, -1), 1.0, INK),
        ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _charts(levels: Sequence[LevelFigures], setup: Setup, lab: Labels) -> list[Flowable]:
    names = [lv.level.code for lv in levels]
    funnel = [[lv.entered for lv in levels], [lv.cured for lv in levels], [lv.rolled for lv in levels]]
    recovered = [[lv.recovered_fen / 100 for lv in levels]]  # a bar's length only; figures stay in fen
    return [
        KeepTogether(grouped_bars(lab.t("chart_funnel"), names, funnel, [GREY, GREEN, ORANGE],
                                  [lab.t("entered"), lab.t("cured"), lab.t("rolled")], setup.font,
                                  whole_numbers=True)),
        Spacer(1, 4 * mm),
        KeepTogether(grouped_bars(lab.t("chart_recovered"), names, recovered, [ACCENT], [lab.t("recovered")],
                                  setup.font, "{:,.2f}")),
        Spacer(1, 4 * mm),
    ]


def _level_table(n: int, lv: LevelFigures, report: LadderReport, setup: Setup, lab: Labels) -> Flowable:
    b = setup.block
    head = [Run(lab.t("level_table", n=n, code=level_title(lv)), 10.5, ACCENT, bold=True, max_lines=3)]
    if lv.level.in_policy:
        head.append(Run(f"{lab.t('stage')}: {lab.term(lv.level.stage)} · {lab.t('action')}: "
                        f"{lab.term(lv.level.action)}", 8, MUTED, max_lines=2))
    else:
        head.append(Run(lab.t("not_in_policy"), 8, WARN))
    pairs = [
        (lab.t("entered"), f"{lv.entered:,}", lab.t("cure_rate"), percent(lv.cure_rate)),
        (lab.t("cured"), f"{lv.cured:,}", lab.t("window_open"), f"{lv.window_open:,}"),
        (lab.t("cured_paid"), f"{lv.cured_paid:,}", lab.t("cured_promise"), f"{lv.cured_promise:,}"),
        (lab.t("rolled"), f"{lv.rolled:,}", lab.t("moved_down"), f"{lv.moved_down:,}"),
        (lab.t("still_there"), f"{lv.still_there:,}", lab.t("recovered"), yuan(lv.recovered_fen)),
        (lab.t("sms"), f"{lv.sms:,}", lab.t("letters"), f"{lv.letters:,}"),
        (lab.t("visits"), f"{lv.visits:,}", lab.t("cost"), yuan(lv.cost_fen)),
        (lab.t("cost_per_yuan"), ratio_text(lv.cost_per_yuan), "", ""),
    ]
    # Every cell here is our own label or a number: plain strings, drawn as text (never parsed).
    table = Table([list(p) for p in pairs], colWidths=[50 * mm, 38 * mm, 50 * mm, 38 * mm])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), setup.font, 8.5),
        ("TEXTCOLOR", (0, 0), (0, -1), MUTED), ("TEXTCOLOR", (2, 0), (2, -1), MUTED),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return KeepTogether([b(*head), Spacer(1, 1.5 * mm), table, Spacer(1, 5 * mm)])


def _notes(report: LadderReport, setup: Setup, lab: Labels) -> Flowable:
    runs = [Run(lab.t("notes"), 10, ACCENT, bold=True)]
    for key in ("note_entries", "note_moves", "note_recovered", "note_cost", "note_open"):
        runs.append(Run("· " + lab.t(key, days=report.policy.cure_days), 7.5, MUTED))
    return KeepTogether([TextBlock(runs, setup.widths, leading=1.35)])


def ladder_story(report: LadderReport, setup: Setup, lab: Labels) -> list[Flowable]:
    b = setup.block
    story = _title_block(report, setup, lab)
    story += [b(Run(lab.t("levels_table"), 11, INK, bold=True)), Spacer(1, 1.5 * mm),
              _overview(report, setup, lab), Spacer(1, 5 * mm)]
    if report.total.entered == 0:
        story += [b(Run(lab.t("no_entries"), 9, MUTED)), Spacer(1, 4 * mm)]
    if report.levels:
        for i in range(0, len(report.levels), CHART_LEVELS):
            story += _charts(report.levels[i:i + CHART_LEVELS], setup, lab)
        for n, lv in enumerate(report.levels, start=1):
            story.append(_level_table(n, lv, report, setup, lab))
    story.append(_notes(report, setup, lab))
    return story


def build_ladder_pdf(report: LadderReport, out: Path | str, setup: Setup, lab: Labels,
                     printed_at: datetime) -> int:
    """Write the PDF (atomically); returns the number of pages."""
    loc = lab.locale
    subtitle = f"{report.team or lab.t('all_teams')} · {loc.date(report.start)} – {loc.date(report.end)}"
    return write_pdf(out, ladder_story(report, setup, lab), setup=setup, locale=loc, title=lab.t("title"),
                     subtitle=subtitle, printed_at=printed_at)
