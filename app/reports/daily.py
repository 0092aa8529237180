"""Daily visit sheet (外访日程单): the day's stops in order, with safety warnings and compliance
reminders nobody can miss, and a route sketch."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.domain.money import Money

from .data import DailySheet, Stop
from .grid import Cell, Grid, RowStyle
from .layout import (
    DANGER,
    DANGER_BG,
    FRAME_WIDTH,
    HEAD_BG,
    INK,
    MUTED,
    RULE,
    WARN,
    WARN_BG,
    Setup,
    Styles,
    write_pdf,
)
from .locale import ReportLocale
from .sketch import route_sketch
from .text import MISSING, para_text
from .textblock import Run

# Column widths (mm): seq, time, debtor/address, owed, promise, last outcome, safety
_COLS = (8, 12, 56, 25, 22, 22, 37)


def _money(m: Money | None) -> str:
    return MISSING if m is None else m.format()


def _stop_row(stop: Stop, loc: ReportLocale) -> list[Cell]:
    who = [Run(stop.debtor_name, 9, INK, bold=True, max_lines=6), Run(stop.case_no, 7, MUTED),
           Run(stop.address, 8.5, INK, max_lines=12)]
    owed = [Run(_money(stop.overdue), 8.5)]
    if stop.outstanding is not None:
        owed.append(Run(f"{loc.t('outstanding')} {_money(stop.outstanding)}", 7, MUTED))
    if stop.days_past_due is not None:
        owed.append(Run(loc.t("dpd_short", n=stop.days_past_due), 7, MUTED))
    promise = [Run(loc.short_date(stop.promise_due))]
    if stop.promise_due is not None and stop.promise_amount is not None:
        promise.append(Run(_money(stop.promise_amount), 7.5, MUTED))
    last = [Run(loc.term(stop.last_outcome))]
    if stop.last_outcome_at is not None:
        last.append(Run(loc.short_date(loc.local_date(stop.last_outcome_at)), 7, MUTED))
    return [str(stop.seq), loc.time(stop.planned_at), who, owed, promise, last, _safety_cell(stop, loc)]


def _safety_cell(stop: Stop, loc: ReportLocale) -> Cell:
    if not stop.safety:
        return MISSING
    runs: list[Run] = []
    if stop.do_not_visit:
        runs.append(Run("■ " + loc.t("do_not_visit"), 9.5, DANGER, bold=True))
    if stop.two_person:
        runs.append(Run(loc.t("two_person"), 8.5, DANGER, bold=True))
    for note in stop.safety:
        runs.append(Run(f"{loc.term(note.category)}·{loc.term(note.severity)}: {note.text}", 8, INK, max_lines=6))
    return runs


def _rules(sheet: DailySheet, st: Styles, loc: ReportLocale) -> Flowable:
    r = sheet.rules
    lines = [loc.t("rule_window", start=r.window_start, end=r.window_end)]
    if r.recording_required:
        lines.append(loc.t("rule_recording"))
    lines.append(loc.t("rule_collectors", n=r.min_collectors) if r.min_collectors > 1 else loc.t("rule_identify"))
    lines += [loc.t("rule_channels"), loc.t("rule_third_party"), loc.t("rule_safety")]
    body = "<br/>".join(f"• {para_text(x)}" for x in lines)
    box = Table([[Paragraph(f"<b>{loc.t('compliance_title')}</b>", st.cjk(st.warn))],
                 [Paragraph(body, st.cjk(st.warn))]], colWidths=[FRAME_WIDTH])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), WARN_BG), ("BOX", (0, 0), (-1, -1), 0.8, WARN),
                             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return box


def _warning_banner(sheet: DailySheet, st: Styles, loc: ReportLocale) -> Flowable | None:
    flagged = [s for s in sheet.stops if s.safety]
    if not flagged:
        return None
    dnv = [s for s in flagged if s.do_not_visit]
    text = f"▲ <b>{loc.t('stop_warnings', n=len(flagged), dnv=len(dnv))}</b>"
    detail = []
    for s in flagged[:30]:
        tag = loc.t("do_not_visit") if s.do_not_visit else loc.t("two_person") if s.two_person else loc.t("safety")
        detail.append(f"#{s.seq} {para_text(s.debtor_name, 40)}" + (f"（{tag}）" if loc.lang == "zh" else f" ({tag})"))
    if len(flagged) > 30:
        detail.append("…")
    banner = Table([[Paragraph(text, st.cjk(st.danger))], [Paragraph("  ".join(detail), st.cjk(st.cell))]],
                   colWidths=[FRAME_WIDTH])
    banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), DANGER_BG),
                                ("BOX", (0, 0), (-1, -1), 1.6, DANGER)]))
    return banner


def daily_story(sheet: DailySheet, setup: Setup, loc: ReportLocale) -> list[Flowable]:
    st = setup.styles
    total = Money.zero()
    for s in sheet.stops:
        total = total + s.overdue if s.overdue.currency == total.currency else total
    order_key = {"plan": "order_plan", "plan_bad": "order_plan_bad"}.get(sheet.order, "order_priority")
    story: list[Flowable] = [
        st.markup(f"{loc.t('daily_title')}  <font size=11>{para_text(sheet.agent_name)} "
                  f"({para_text(sheet.agent_username)})</font>", st.title),
        st.markup(f"<b>{loc.t('day')}</b> {loc.date(sheet.day, weekday=True)}    "
                  f"<b>{loc.t('stops')}</b> {len(sheet.stops)}    "
                  f"<b>{loc.t('total_overdue')}</b> {total.format()}    {loc.t(order_key)}"),
        Spacer(1, 2 * mm),
    ]
    banner = _warning_banner(sheet, st, loc)
    if banner is not None:
        story += [banner, Spacer(1, 2 * mm)]
    story += [_rules(sheet, st, loc), Spacer(1, 3 * mm)]
    if not sheet.stops:
        story.append(st.markup(f"<b>{loc.t('no_stops')}</b>", st.h2))
        return story
    legend = [("start", loc.t("start")), ("stop", loc.t("stop")), ("safety", loc.t("safety")),
              ("dnv", loc.t("do_not_visit"))]
    sketch = route_sketch(sheet.stops, sheet.start, FRAME_WIDTH, 78 * mm, setup.font, loc.t("start"), legend)
    part: list[Flowable] = [st.markup(f"<b>{loc.t('route_sketch')}</b>", st.h2), sketch]
    missing = [s for s in sheet.stops if s.lat is None or s.lon is None]
    if missing:
        names = ("、" if loc.lang == "zh" else ", ").join(f"#{s.seq} {para_text(s.debtor_name, 30)}" for s in missing[:40])
        if len(missing) > 40:
            names += " …"
        part.append(st.markup(loc.t("no_coordinates", stops=names), st.small))
    story += [KeepTogether(part), Spacer(1, 3 * mm)]
    header = [loc.t("seq"), loc.t("time"), loc.t("debtor_address"), loc.t("owed"), loc.t("promise_due"),
              loc.t("last_outcome"), loc.t("safety")]
    rows: list[list[Cell]] = []
    styles: list[RowStyle | None] = []
    for stop in sheet.stops:
        rows.append(_stop_row(stop, loc))
        if stop.do_not_visit:
            styles.append(RowStyle(background=DANGER_BG, box=DANGER))
        elif stop.safety:
            styles.append(RowStyle(bar=DANGER, cell_backgrounds={6: DANGER_BG}))
        else:
            styles.append(None)
    story.append(Grid([w * mm for w in _COLS], [Run(h, 8.5, INK, bold=True) for h in header], rows, setup.widths,
                      styles, header_background=HEAD_BG, rule=RULE))
    return story


def build_daily_sheets(sheets: list[DailySheet], out: Path | str, setup: Setup, loc: ReportLocale,
                       printed_at: datetime) -> int:
    """One PDF holding each sheet (one per agent), each starting on a new page. Returns the page count."""
    from reportlab.platypus import PageBreak

    if not sheets:
        raise ValueError("no sheet to print")
    story: list[Flowable] = []
    for i, sheet in enumerate(sheets):
        if i:
            story.append(PageBreak())
        story += daily_story(sheet, setup, loc)
    first = sheets[0]
    subtitle = first.agent_name if len(sheets) == 1 else f"{len(sheets)} × {loc.t('agent')}"
    return write_pdf(out, story, setup=setup, locale=loc, title=loc.t("daily_title"),
                     subtitle=f"{subtitle} · {loc.date(first.day)}", printed_at=printed_at)


