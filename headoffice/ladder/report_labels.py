"""The ladder report's words in Chinese and English (one table for the PDF and the workbook)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.money import Money
from app.reports.locale import ReportLocale

from .report_data import LadderReport
from .report_figures import LevelFigures

# key → (Chinese, English)
LABELS: dict[str, tuple[str, str]] = {
    "title": ("阶梯催收成效报告", "Ladder report"),
    "subtitle": ("低成本手段的成效：短信、律师函与上门", "What the cheap steps achieved: SMS, letters, visits"),
    "period": ("期间", "Period"),
    "as_of": ("结果统计截至", "Outcomes as of"),
    "team": ("团队", "Team"),
    "all_teams": ("全部团队", "All teams"),
    "policy": ("阶梯策略", "Ladder policy"),
    "policy_line": ("{scope} 第 {version} 版", "{scope}, version {version}"),
    "company_default": ("公司默认", "company default"),
    "no_policy": ("无已存策略：级别按代码排列，治愈期 {days} 天，无成本",
                  "no stored policy: levels by code, {days}-day cure window, no costs"),
    "cure_window": ("治愈期", "Cure window"),
    "days": ("{n} 天", "{n} days"),
    "grace": ("承诺宽限 {n} 天", "promise grace {n} days"),
    "prices": ("单位成本", "Unit costs"),
    "no_prices": ("策略未设成本", "the policy sets no costs"),
    "moved_by": ("期间内移动所依据的策略版本", "Policy versions behind the period's moves"),
    "unknown_version": ("未记录版本", "no version recorded"),
    "summary": ("概要", "Summary"),
    "cases": ("涉及案件", "Cases"),
    "level": ("级别", "Level"),
    "stage": ("阶段", "Stage"),
    "action": ("动作", "Action"),
    "entered": ("进入", "Entered"),
    "cured": ("治愈", "Cured"),
    "cured_paid": ("其中全额还款", "of which paid in full"),
    "cured_promise": ("其中承诺兑现", "of which promise kept"),
    "cure_rate": ("治愈率", "Cure rate"),
    "rolled": ("升级", "Rolled up"),
    "moved_down": ("降级/调回", "Moved down"),
    "still_there": ("仍在本级", "Still there"),
    "window_open": ("治愈期未满", "Window still open"),
    "recovered": ("回款（元）", "Recovered (yuan)"),
    "sms": ("短信", "SMS"),
    "letters": ("律师函", "Letters"),
    "visits": ("上门", "Visits"),
    "cost": ("成本（元）", "Cost (yuan)"),
    "cost_per_yuan": ("每回收 1 元的成本", "Cost per yuan recovered"),
    "total": ("合计", "Total"),
    "not_in_policy": ("现行策略中已无此级别", "no longer in the current policy"),
    "none": ("—", "—"),
    "levels_table": ("各级别概览", "All levels"),
    "level_table": ("级别 {n}：{code}", "Level {n}: {code}"),
    "chart_funnel": ("各级别：进入、治愈与升级（件）", "Per level: entered, cured and rolled up (entries)"),
    "chart_recovered": ("各级别治愈期内回款（元）", "Recovered within the cure window per level (yuan)"),
    "no_entries": ("期间内没有案件进入任何级别。", "No case entered any level in the period."),
    "notes": ("口径说明", "How the figures are counted"),
    "note_entries": ("每次进入级别计一次；治愈指进入当日起 {days} 天内全额还清进入时的逾期金额，或兑现承诺"
                     "（依承诺规则判定，违约或未到期的承诺不算）。",
                     "Each entry into a level counts once. Cured: within {days} days of the entry day the overdue "
                     "on entry was paid in full, or a promise was kept (as the promise rules judge it; a broken "
                     "or open promise does not count)."),
    "note_moves": ("升级/降级看进入后该案件的下一次移动；仍在本级指截至统计日没有再移动。",
                   "Rolled up / moved down: the case's next move after the entry; still there: no move since, "
                   "as of the as-of day."),
    "note_recovered": ("回款为治愈期内的还款；同一笔还款可计入两个级别，合计中每笔只计一次。",
                       "Recovered: payments within the cure window. One payment can count for two levels; the "
                       "total counts each payment once."),
    "note_cost": ("成本按现行策略单价，计在案件停留于该级别期间发出的短信、制作的律师函和上门次数。",
                  "Cost: at the current policy's prices, the SMS sent, letters made and visits made while the "
                  "case stayed at the level."),
    "note_open": ("治愈期未满的进入，其治愈与回款可能仍会增加。",
                  "For entries whose window is still open, cures and recoveries may still grow."),
    "sheet_levels": ("级别", "Levels"),
    "sheet_about": ("说明", "About"),
    "field": ("项目", "Item"),
    "value": ("内容", "Value"),
    "entries_word": ("{n} 次进入", "entries: {n}"),
}


@dataclass(frozen=True, slots=True)
class Labels:
    locale: ReportLocale

    @property
    def lang(self) -> str:
        return self.locale.lang

    def t(self, key: str, **args: object) -> str:
        text = LABELS[key][0 if self.locale.lang == "zh" else 1]
        return text.format(**args) if args else text

    def term(self, value: str) -> str:
        """A stage or action word (reminder, sms …) in the reader's language; '—' when missing."""
        return self.locale.term(value or None)


# --- the report's facts as words (the PDF and the workbook say them alike) ----------------------


def yuan(fen: int | None) -> str:
    return "—" if fen is None else Money(fen).format(symbol=False)


def ratio_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def level_title(lv: LevelFigures) -> str:
    return lv.level.code + (f" · {lv.level.name}" if lv.level.name else "")


def policy_text(report: LadderReport, lab: Labels) -> str:
    p = report.policy
    if not report.has_policy:
        return lab.t("no_policy", days=p.cure_days)
    return lab.t("policy_line", scope=p.scope or lab.t("company_default"), version=p.version)


def prices_text(report: LadderReport, lab: Labels) -> str:
    costs = report.policy.costs_fen
    if not costs:
        return lab.t("no_prices")
    names = {"sms": lab.t("sms"), "letter": lab.t("letters"), "field_visit": lab.t("visits")}
    return "  ".join(f"{names[k]} ¥{yuan(v)}" for k, v in costs.items())


def uses_text(report: LadderReport, lab: Labels) -> str:
    parts = []
    for u in report.policy_uses:
        name = (lab.t("policy_line", scope=u.scope or lab.t("company_default"), version=u.version)
                if u.version is not None else lab.t("unknown_version"))
        parts.append(f"{name} ({lab.t('entries_word', n=f'{u.entries:,}')})")
    return "; ".join(parts) or "—"
