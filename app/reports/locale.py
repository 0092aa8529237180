"""The reader's language and zone: labels, dates and times as the reader expects them.

Two languages, as in the app: Chinese (zh, default) and English (en). Times are stored in UTC and
printed in the reader's zone (default Asia/Shanghai).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime as DateTime

from app.domain.clock import DEFAULT_ZONE, local

from .text import MISSING

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# key → (Chinese, English)
LABELS: dict[str, tuple[str, str]] = {
    "page": ("第 {n} 页 / 共 {total} 页", "Page {n} of {total}"),
    "printed": ("打印于 {at}", "Printed {at}"),
    "confidential": ("内部资料 含个人信息 妥善保管", "Internal — contains personal data — keep safe"),
    # daily sheet
    "daily_title": ("外访日程单", "Daily visit sheet"),
    "agent": ("外访员", "Agent"),
    "day": ("日期", "Date"),
    "stops": ("站点数", "Stops"),
    "stop": ("站点", "Stop"),
    "dpd_short": ("逾期{n}天", "{n} days past due"),
    "total_overdue": ("逾期合计", "Total overdue"),
    "order_plan": ("顺序：已保存的当日路线", "Order: the saved day plan"),
    "order_priority": ("顺序：按优先级（当日无已保存路线）", "Order: by priority (no saved plan for the day)"),
    "order_plan_bad": ("顺序：按优先级（已保存路线无法读取）", "Order: by priority (the saved plan could not be read)"),
    "no_stops": ("当日没有安排外访。", "No visits planned for this day."),
    "seq": ("序", "#"),
    "time": ("时间", "Time"),
    "debtor_address": ("债务人 / 地址", "Debtor / address"),
    "owed": ("欠款", "Owed"),
    "overdue": ("逾期金额", "Overdue"),
    "outstanding": ("剩余本息", "Outstanding"),
    "promise_due": ("承诺还款", "Promise due"),
    "last_outcome": ("最近结果", "Last outcome"),
    "safety": ("安全提示", "Safety"),
    "do_not_visit": ("禁止上门", "DO NOT VISIT"),
    "two_person": ("须两人同行", "Two-person visit"),
    "route_sketch": ("路线示意图", "Route sketch"),
    "start": ("起点", "Start"),
    "no_coordinates": ("无坐标，未画入示意图：{stops}", "No coordinates, not drawn: {stops}"),
    "compliance_title": ("合规提醒", "Compliance reminders"),
    "rule_window": ("仅在当地时间 {start}–{end} 上门；{end} 至次日 {start} 禁止外访。",
                    "Visit only between {start} and {end} local time; never between {end} and {start}."),
    "rule_recording": ("上门全程录音录像；无法录制须在结果中说明原因。",
                       "Record every visit (audio/video); if you cannot, state why in the outcome."),
    "rule_collectors": ("上门至少 {n} 人同行，出示工作证件并表明身份。",
                        "Visit with at least {n} collectors; show ID and identify yourselves."),
    "rule_identify": ("出示工作证件并表明身份。", "Show your ID and identify yourself."),
    "rule_channels": ("不收取现金或任何费用，只告知公司指定的还款渠道。",
                      "Take no cash and no fees; give only the designated repayment channels."),
    "rule_third_party": ("不得向第三方透露债务信息；对方拒绝即停止联系。",
                         "Never disclose the debt to third parties; stop if they refuse contact."),
    "rule_safety": ("有安全提示的站点：先读提示；标注“禁止上门”的不得上门。",
                    "Stops with safety notes: read them first; never visit a stop marked DO NOT VISIT."),
    "stop_warnings": ("本日 {n} 个站点有安全提示，其中 {dnv} 个禁止上门。",
                      "{n} stop(s) today carry safety notes; {dnv} must not be visited."),
    # case report
    "case_title": ("案件外访报告", "Case visit report"),
    "case_no": ("案件编号", "Case no."),
    "debtor": ("债务人", "Debtor"),
    "id_number": ("证件号", "ID number"),
    "phones": ("电话", "Phones"),
    "addresses": ("地址", "Addresses"),
    "stage": ("阶段", "Stage"),
    "status": ("状态", "Status"),
    "trigger": ("外访触发", "Visit trigger"),
    "priority": ("优先级", "Priority"),
    "priority_reasons": ("优先级原因", "Why this priority"),
    "days_past_due": ("逾期天数", "Days past due"),
    "bucket": ("账龄", "Bucket"),
    "accounts": ("借款", "Loans"),
    "loan_no": ("借据号", "Loan no."),
    "product": ("产品", "Product"),
    "principal": ("本金", "Principal"),
    "missed": ("逾期期数", "Missed"),
    "last_payment": ("最近还款", "Last payment"),
    "paused": ("暂停原因", "Paused because"),
    "timeline": ("时间线", "Timeline"),
    "when": ("时间", "When"),
    "what": ("事项", "What"),
    "details": ("详情", "Details"),
    "outcomes": ("结果汇总", "Outcomes"),
    "count": ("次数", "Count"),
    "outcome": ("结果", "Outcome"),
    "no_recording": ("无录音录像", "No recording"),
    "evidence": ("证据（SHA-256）", "Evidence (SHA-256)"),
    "no_evidence": ("无证据记录。", "No evidence recorded."),
    "no_events": ("无记录。", "Nothing recorded."),
    "safety_notes": ("安全提示", "Safety notes"),
    "signatures": ("签字", "Signatures"),
    "sign_collector": ("外访员", "Collector"),
    "sign_second": ("同行外访员", "Second collector"),
    "sign_debtor": ("债务人 / 见证人", "Debtor / witness"),
    "sign_supervisor": ("主管审核", "Supervisor review"),
    "sign_date": ("日期", "Date"),
    "emergency_contacts": ("紧急联系人", "Emergency contacts"),
    "relation": ("关系", "Relation"),
    "refused": ("已拒绝联系", "refused contact"),
    # receipt
    "receipt_title": ("还款收据", "Payment receipt"),
    "receipt_no": ("收据编号", "Receipt no."),
    "amount": ("金额", "Amount"),
    "amount_capitals": ("金额（大写）", "Amount in words"),
    "method": ("还款方式", "Method"),
    "collector": ("经办人", "Collector"),
    "paid_at": ("还款时间", "Paid at"),
    "verification": ("校验码", "Verification code"),
    "verification_note": ("校验码由本笔还款记录计算，总部可据原始记录复核。",
                          "The code is computed from this payment record; head office can recompute it."),
    "receipt_notice": ("本公司外访人员不收取现金，款项只经指定渠道支付。如有疑问请拨打客服电话核实。",
                       "Our collectors never take cash; payments go through designated channels only."),
    "copy_debtor": ("第一联 交款人留存", "Copy 1 — for the payer"),
    "copy_file": ("第二联 公司存档", "Copy 2 — for the file"),
    "payer": ("交款人", "Payer"),
    "cut_here": ("沿虚线裁开", "cut here"),
    "record_id": ("记录号", "Record"),
    # team report
    "team_title": ("团队外访报告", "Team report"),
    "period": ("期间", "Period"),
    "team": ("团队", "Team"),
    "cases_held": ("在手案件", "Cases held"),
    "visits": ("外访", "Visits"),
    "attempts": ("联系", "Contacts"),
    "rpc": ("本人接触", "Right-party contacts"),
    "promises_made": ("承诺", "Promises made"),
    "promises_kept": ("兑现", "Kept"),
    "promises_broken": ("违约", "Broken"),
    "collected": ("回款", "Collected"),
    "total": ("合计", "Total"),
    "chart_collected": ("各外访员回款（元）", "Collected per agent (yuan)"),
    "chart_activity": ("外访与本人接触", "Visits and right-party contacts"),
    "chart_promises": ("承诺：兑现与违约", "Promises: kept and broken"),
    "team_note": ("在手案件为当前分配给该外访员的未结案件；承诺兑现/违约按到期日在期间内统计。",
                  "Cases held: open cases assigned now. Kept/broken: promises due in the period."),
    "safety_title": ("外访安全", "Safety at the door"),
    "safety_summary": ("外访计时 {sessions} 次，安全签退 {checked_out} 次，超时 {overdue} 次；警报 {alarms} 次，"
                       "确认用时中位数 {median}。",
                       "{sessions} visit sessions, {checked_out} checked out safe, {overdue} overdue; {alarms} alarm(s), "
                       "median time to acknowledge {median}."),
    "safety_minutes": ("{n} 分钟", "{n} min"),
    "safety_missing": ("期间内有 {n} 天的安全数据尚未从总部取得（请同步后重新生成）。",
                       "{n} day(s) of the period have no safety figures from head office yet (sync, then make the "
                       "report again)."),
    "safety_no_alarms": ("期间内没有警报。", "No alarms in the period."),
    "safety_raised": ("发出时间", "Raised"),
    "safety_alarm": ("警报", "Alarm"),
    "safety_case": ("案件", "Case"),
    "safety_acknowledged_by": ("确认人", "Acknowledged by"),
    "safety_to_ack": ("确认用时", "To ack."),
    "safety_outcome": ("处理结果", "Outcome"),
}

# Closed vocabularies as printed.
# priority reason code → (Chinese, English); {0} is the reason's first argument
PRIORITY_REASONS: dict[str, tuple[str, str]] = {
    "dpd": ("逾期 {0} 天", "{0} days past due"),
    "amount": ("逾期金额 ¥{0}", "¥{0} overdue"),
    "broken": ("{0} 次承诺未兑现", "{0} broken promise(s)"),
    "evasion": ("30 天内 {0} 次联系未果", "{0} failed contact(s) in 30 days"),
    "never": ("从未联系", "never contacted"),
    "stale": ("{0} 天未联系", "no contact for {0} days"),
    "promise_due": ("承诺还款到期", "promise falls due"),
    "hardship": ("困难申请审核中", "hardship claim under review"),
    "dispute": ("存在争议：暂停催收", "dispute open: collection paused"),
}

TERMS: dict[str, tuple[str, str]] = {
    "promise_to_pay": ("承诺还款", "Promise to pay"), "paid_in_full": ("已结清", "Paid in full"),
    "partial_payment": ("部分还款", "Partial payment"), "refused": ("拒绝还款", "Refused"),
    "not_home": ("不在家", "Not home"), "moved": ("搬离/地址错误", "Moved / wrong address"),
    "third_party_met": ("遇第三方", "Third party met"), "dispute": ("有异议", "Dispute"),
    "hardship": ("困难申请", "Hardship"), "deceased": ("死亡/失能", "Deceased / incapacitated"),
    "aborted_safety": ("因安全中止", "Aborted for safety"), "no_answer": ("无人接听", "No answer"),
    "visit": ("上门", "Visit"), "phone": ("电话", "Phone"), "sms": ("短信", "SMS"), "letter": ("信函", "Letter"),
    "reminder": ("提醒", "Reminder"), "legal_letter": ("律师函", "Legal letter"),
    "field_visit": ("外访", "Field visit"), "legal_action": ("诉讼", "Legal action"), "agency": ("委外", "Agency"),
    "closed": ("结案", "Closed"), "open": ("进行中", "Open"), "paused": ("暂停", "Paused"),
    "promised": ("已承诺", "Promised"), "returned": ("已退回", "Returned"),
    "repeated_delinquency": ("多次逾期", "Repeated delinquency"), "evading_contact": ("逃避联系", "Evading contact"),
    "serious_default": ("严重违约", "Serious default"),
    "bank_transfer": ("银行转账", "Bank transfer"), "platform_app": ("平台App", "Platform app"),
    "alipay_official": ("支付宝官方账户", "Alipay (official)"),
    "wechat_official": ("微信官方账户", "WeChat Pay (official)"),
    "aggressive": ("攻击/威胁", "Aggressive"), "dog": ("犬只", "Dog"), "unsafe_area": ("不安全区域", "Unsafe area"),
    "health_hazard": ("健康风险", "Health hazard"), "other": ("其他", "Other"),
    "low": ("低", "low"), "medium": ("中", "medium"), "high": ("严重", "severe"),
    "home": ("住址", "Home"), "work": ("单位", "Work"),
    "kept": ("已兑现", "kept"), "broken": ("已违约", "broken"),
    "pending": ("待审批", "pending"), "approved": ("已批准", "approved"), "rejected": ("已驳回", "rejected"),
    "outcome": ("结果", "Outcome"), "payment": ("还款", "Payment"), "promise": ("承诺", "Promise"),
    "safety_note": ("安全提示", "Safety note"), "relief": ("减免/分期申请", "Relief proposal"),
    "valid": ("有效", "valid"), "invalid": ("无效", "invalid"), "unknown": ("未知", "unknown"),
    "mobile": ("手机", "mobile"),
    # outcome fields (event payload keys, amounts without their _fen suffix)
    "promise_amount": ("承诺金额", "promised amount"), "promise_date": ("承诺日期", "promise date"),
    "payment_amount": ("还款金额", "amount paid"), "payment_method": ("还款方式", "method"),
    "receipt_no": ("收据编号", "receipt no."), "new_address": ("新地址", "new address"),
    "hardship_reason": ("困难原因", "hardship reason"), "relief_kind": ("申请类型", "relief kind"),
    "relief_detail": ("申请说明", "relief detail"), "dispute_reason": ("异议原因", "dispute reason"),
    "third_party_relation": ("第三方关系", "third party relation"),
    "recording": ("录音录像", "recording"),
    "unemployment": ("失业", "unemployment"), "illness": ("疾病", "illness"), "accident": ("意外", "accident"),
    "bereavement": ("丧亲", "bereavement"), "deferral": ("延期", "deferral"),
    "instalment_plan": ("分期", "instalment plan"),
    # safety at the door: alarm levels, kinds and how they were resolved
    "amber": ("黄色", "Amber"), "red": ("红色", "Red"), "overdue": ("超时未签退", "overdue"),
    "sos": ("SOS 求助", "SOS"), "duress": ("胁迫暗码", "duress"), "day_end": ("未报平安收工", "day end"),
    "agent_safe": ("外访员安全", "agent safe"), "partner_reached": ("已联系同伴", "partner reached"),
    "police_called": ("已报警", "police called"), "false_alarm": ("误报", "false alarm"),
}


@dataclass(frozen=True, slots=True)
class ReportLocale:
    lang: str = "zh"  # "zh" or "en"
    zone: str = DEFAULT_ZONE

    def __post_init__(self) -> None:
        if self.lang not in ("zh", "en"):
            raise ValueError(f"reports are printed in zh or en, not {self.lang!r}")

    @property
    def _i(self) -> int:
        return 0 if self.lang == "zh" else 1

    def t(self, key: str, **args: object) -> str:
        text = LABELS[key][self._i]
        return text.format(**args) if args else text

    def term(self, value: str | None) -> str:
        """A vocabulary word (outcome code, stage, method…); unknown words print as they are."""
        if value is None or value == "":
            return MISSING
        pair = TERMS.get(value)
        return pair[self._i] if pair else value

    def priority_reason(self, code: str, args: tuple[str, ...], fallback: str) -> str:
        """One reason of the priority score in the reader's language (the score stores codes and arguments;
        the English text it also stores is only the fallback for a code this version does not know)."""
        pair = PRIORITY_REASONS.get(code)
        if pair is None:
            return fallback
        a = [*args, "", ""]
        return pair[self._i].format(a[0], a[1])

    def date(self, value: Date | None, weekday: bool = False) -> str:
        if value is None:
            return MISSING
        if self.lang == "zh":
            text = f"{value.year}年{value.month}月{value.day}日"
            return text + " " + _WEEKDAYS_ZH[value.weekday()] if weekday else text
        text = f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
        return _WEEKDAYS_EN[value.weekday()] + " " + text if weekday else text

    def short_date(self, value: Date | None) -> str:
        """For table cells: no year (the report's date gives it)."""
        if value is None:
            return MISSING
        return f"{value.month}月{value.day}日" if self.lang == "zh" else f"{value.day} {_MONTHS[value.month - 1]}"

    def local_date(self, value: DateTime) -> Date:
        return local(value, self.zone).date()

    def datetime(self, value: DateTime | None) -> str:
        if value is None:
            return MISSING
        here = local(value, self.zone)
        return f"{self.date(here.date())} {here:%H:%M}"

    def time(self, value: DateTime | None) -> str:
        return MISSING if value is None else f"{local(value, self.zone):%H:%M}"


def locale_from_env(env: Mapping[str, str] | None = None, zone: str = DEFAULT_ZONE) -> ReportLocale:
    """The user's language from LC_ALL / LC_MESSAGES / LANG (zh unless it says English)."""
    env = os.environ if env is None else env
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(key, "")
        if value:
            return ReportLocale("en" if value.lower().startswith("en") else "zh", zone)
    return ReportLocale("zh", zone)
