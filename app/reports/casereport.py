"""Case visit report (案件外访报告): facts, loans, safety, timeline, outcomes, evidence, signatures."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from .data import CaseReport
from .grid import Cell, Grid
from .layout import ACCENT, DANGER, DANGER_BG, FRAME_WIDTH, HEAD_BG, INK, MUTED, RULE, Setup, write_pdf
from .locale import ReportLocale
from .text import MISSING
from .textblock import Run


def _grid(setup: Setup, header: list[str], rows: list[list[Cell]], widths_mm: list[float],
          align: list[str] | None = None) -> Grid:
    return Grid([w * mm for w in widths_mm], [Run(h, 8, INK, bold=True) for h in header], rows, setup.widths,
                align=align, header_background=HEAD_BG, rule=RULE)


def _facts(report: CaseReport, setup: Setup, loc: ReportLocale) -> Table:
    b = setup.block
    pairs = [
        (loc.t("case_no"), report.case_no), (loc.t("debtor"), report.debtor_name),
        (loc.t("id_number"), report.id_number_masked), (loc.t("agent"), report.agent_name),
        (loc.t("stage"), loc.term(report.stage)), (loc.t("status"), loc.term(report.status)),
        (loc.t("trigger"), loc.term(report.trigger)), (loc.t("paused"), report.paused_reason or MISSING),
        (loc.t("overdue"), report.overdue.format()),
        (loc.t("days_past_due"), f"{report.days_past_due} ({report.bucket})"),
        (loc.t("priority"), f"{report.priority:.1f}"),
        (loc.t("phones"), "  ".join(report.phones_masked) or MISSING),
    ]
    rows: list[list[object]] = []
    for i in range(0, len(pairs), 2):
        row: list[object] = []
        for label, value in pairs[i:i + 2]:
            row += [b(Run(label, 8, MUTED)), b(Run(value, 9, INK, max_lines=4))]
        rows.append(row)
    rows.append([b(Run(loc.t("addresses"), 8, MUTED)),
                 b(*[Run(a, 9, INK, max_lines=6) for a in report.addresses] or [Run(MISSING)]), "", ""])
    if report.priority_reasons:
        rows.append([b(Run(loc.t("priority_reasons"), 8, MUTED)),
                     b(*[Run("• " + r, 8.5, INK, max_lines=3) for r in report.priority_reasons]), "", ""])
    w = FRAME_WIDTH / mm
    table = Table(rows, colWidths=[22 * mm, (w / 2 - 22) * mm, 22 * mm, (w / 2 - 22) * mm])
    spans = [("SPAN", (1, r), (3, r)) for r in range(len(pairs) // 2, len(rows))]
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                               ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                               *spans]))
    return table


def _heading(setup: Setup, title: str) -> list[Flowable]:
    return [Spacer(1, 3 * mm), setup.block(Run(title, 11, ACCENT, bold=True)), Spacer(1, 1 * mm)]


def case_story(report: CaseReport, setup: Setup, loc: ReportLocale) -> list[Flowable]:
    st = setup.styles
    b = setup.block
    story: list[Flowable] = [
        b(Run(f"{loc.t('case_title')}  {report.case_no}", 16, INK, bold=True, max_lines=2)),
        Spacer(1, 3 * mm),
    ]
    if report.safety:
        runs = []
        for n in report.safety:
            flags = [loc.t("do_not_visit")] if n.do_not_visit else []
            flags += [loc.t("two_person")] if n.two_person_required else []
            head = f"▲ {loc.term(n.category)} · {loc.term(n.severity)}" + (f" · {' · '.join(flags)}" if flags else "")
            runs += [Run(head, 10, DANGER, bold=True),
                     Run(f"{n.text}  ({n.reporter or MISSING}, {loc.datetime(n.reported_at)})", 8.5, INK,
                         max_lines=8)]
        banner = Table([[b(*runs)]], colWidths=[FRAME_WIDTH])
        banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), DANGER_BG),
                                    ("BOX", (0, 0), (-1, -1), 1.6, DANGER)]))
        story += [banner, Spacer(1, 3 * mm)]
    story.append(_facts(report, setup, loc))

    story += _heading(setup, loc.t("accounts"))
    if report.accounts:
        rows: list[list[Cell]] = [[a.loan_no, Run(a.product, max_lines=2), a.principal.format(),
                                   a.outstanding.format(), a.overdue.format(), str(a.days_past_due),
                                   str(a.missed_instalments), loc.short_date(a.last_payment_on)]
                                  for a in report.accounts]
        story.append(_grid(setup, [loc.t("loan_no"), loc.t("product"), loc.t("principal"), loc.t("outstanding"),
                                   loc.t("overdue"), loc.t("days_past_due"), loc.t("missed"), loc.t("last_payment")],
                           rows, [28, 26, 25, 25, 25, 16, 14, 23], ["LEFT", "LEFT", *["RIGHT"] * 5, "LEFT"]))
    else:
        story.append(b(Run(loc.t("no_events"), 9, MUTED)))

    if report.contacts:
        story += _heading(setup, loc.t("emergency_contacts"))
        rows = [[Run(c.name, max_lines=2), c.relation, c.phone, loc.t("refused") if c.refused else MISSING]
                for c in report.contacts]
        story.append(_grid(setup, [loc.t("debtor"), loc.t("relation"), loc.t("phones"), loc.t("status")], rows,
                           [60, 40, 42, 40]))

    story += _heading(setup, loc.t("timeline"))
    if report.timeline:
        rows = []
        for item in report.timeline:
            what = loc.term(item.kind)
            if item.channel:
                what += " · " + loc.term(item.channel)
            rows.append([loc.datetime(item.at), [Run(what, 8.5), Run(loc.term(item.title), 8.5, INK, bold=True)],
                         Run(item.detail or MISSING, 8.5, INK, max_lines=20), Run(item.actor or MISSING, 8)])
        story.append(_grid(setup, [loc.t("when"), loc.t("what"), loc.t("details"), loc.t("agent")], rows,
                           [34, 36, 88, 24]))
    else:
        story.append(b(Run(loc.t("no_events"), 9, MUTED)))

    counts = Counter(i.title for i in report.timeline if i.kind == "outcome")
    if counts:
        story += _heading(setup, loc.t("outcomes"))
        rows = [[loc.term(code), str(n)] for code, n in counts.most_common()]
        story.append(_grid(setup, [loc.t("outcome"), loc.t("count")], rows, [60, 20], ["LEFT", "RIGHT"]))

    story += _heading(setup, loc.t("evidence"))
    if report.evidence:
        rows = [[loc.datetime(e.at), loc.term(e.what), Run(e.sha256, 7.5)] for e in report.evidence]
        story.append(_grid(setup, [loc.t("when"), loc.t("what"), "SHA-256"], rows, [32, 30, 120]))
    else:
        story.append(b(Run(loc.t("no_evidence"), 9, MUTED)))

    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([b(Run(loc.t("signatures"), 11, st.h2.textColor, bold=True)), _signatures(setup, loc)]))
    return story


def _signatures(setup: Setup, loc: ReportLocale) -> Table:
    b = setup.block
    cells = [loc.t("sign_collector"), loc.t("sign_second"), loc.t("sign_debtor"), loc.t("sign_supervisor")]
    rows: list[list[object]] = []
    for i in range(0, 4, 2):
        rows.append([b(Run(f"{cells[i]}：", 9)), "", b(Run(f"{cells[i + 1]}：", 9)), ""])
        rows.append([b(Run(f"{loc.t('sign_date')}：", 8, MUTED)), "", b(Run(f"{loc.t('sign_date')}：", 8, MUTED)), ""])
    table = Table(rows, colWidths=[30 * mm, 58 * mm, 36 * mm, 58 * mm], rowHeights=[14 * mm, 8 * mm] * 2)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LINEBELOW", (1, 0), (1, -1), 0.6, INK), ("LINEBELOW", (3, 0), (3, -1), 0.6, INK)]))
    return table


def build_case_report(report: CaseReport, out: Path | str, setup: Setup, loc: ReportLocale,
                      printed_at: datetime) -> int:
    return write_pdf(out, case_story(report, setup, loc), setup=setup, locale=loc, title=loc.t("case_title"),
                     subtitle=report.case_no, printed_at=printed_at)
