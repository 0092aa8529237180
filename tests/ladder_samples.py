"""A case's walk up head office's escalation ladder, as the wire sends it (`CaseData.ladder_level`,
`trigger_why`, `ladder`): for the store, timeline and case-detail tests and the screenshots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.contract import v1

START = datetime(2026, 10, 10, 1, 30, tzinfo=UTC)  # 09:30 in Chengdu
LETTER_SHA = "5" * 64
HOSTILE = "<b>粗体</b><script>alert(1)</script> =cmd|' /C calc'!A0"


def why() -> v1.TriggerData:
    return v1.TriggerData(trigger="repeated_delinquency", detected_on=date(2026, 11, 25),
                          facts=[{"kind": "broken_promise", "due": "2026-10-01", "amount_fen": 50000},
                                 {"kind": "broken_promise", "due": "2026-11-03", "amount_fen": 30000}],
                          thresholds={"broken_promises": 2})


def _at(days: int, hours: int = 0) -> datetime:
    return START + timedelta(days=days, hours=hours)


def trail(letter_sha: str | None = LETTER_SHA, *, first_id: int = 1, firm: str = "四川蓉城律师事务所",
          reason: str = "债务人住院，暂缓升级") -> list[v1.TrailItemData]:
    """Oldest first, as head office sends it."""
    items: list[tuple[datetime, str, dict[str, Any], str | None]] = [
        (_at(0), "level", {"from": None, "to": "sms_1", "stage": "reminder", "via": "run",
                           "rule": {"kind": "days_past_due", "value": 1, "threshold": 1}}, None),
        (_at(0, 1), "sms", {"state": "sent", "template": "remind_1", "number": "138****8000",
                            "scheduled_at": _at(0, 1).isoformat(), "text": "您好，您的借款已逾期，请尽快还款。"}, None),
        (_at(0, 2), "sms", {"state": "delivered", "template": "remind_1", "number": "138****8000"}, None),
        (_at(20), "level", {"from": "sms_1", "to": "letter", "stage": "legal_letter", "via": "run",
                            "rule": {"kind": "days_past_due", "value": 30, "threshold": 30}}, None),
        (_at(20, 3), "letter", {"state": "made", "firm": firm, "code": "K7QD-3MWX",
                                "deadline": "2026-11-15"}, letter_sha),
        (_at(22), "letter", {"state": "mailed", "firm": firm, "code": "K7QD-3MWX",
                             "tracking_no": "SF1402938475"}, letter_sha),
        (_at(46), "hold", {"reason": reason, "by": "张主管"}, None),
        (_at(52), "release", {"reason": "已出院", "by": "张主管"}, None),
        (_at(56), "trigger", why().model_dump(mode="json", include={"trigger", "facts"}), None),
        (_at(56, 1), "level", {"from": "letter", "to": "visit", "stage": "field_visit", "via": "run",
                               "rule": {"kind": "days_past_due", "value": 47, "threshold": 45}}, None),
    ]
    return [v1.TrailItemData(id=first_id + i, at=at, kind=kind, data=data,  # type: ignore[arg-type]
                             attachment_sha256=sha) for i, (at, kind, data, sha) in enumerate(items)]


def ladder_fields(letter_sha: str | None = LETTER_SHA, **kw: Any) -> dict[str, Any]:
    """The ladder fields of a `CaseData` at the visit level."""
    return {"ladder_level": "visit", "trigger_why": why(), "ladder": trail(letter_sha, **kw)}


def letter_pdf(pages: int = 2) -> bytes:
    """A real PDF of `pages` pages (reportlab), standing for a lawyer's letter head office made."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for n in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 18)
        pdf.drawString(72, 760, "LAWYER'S LETTER")
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, 730, f"Verification code K7QD-3MWX - page {n} of {pages}")
        pdf.rect(72, 100, 450, 600)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def sample_case(case_id: int = 1, **extra: Any) -> v1.CaseData:
    """A whole case at the visit level as head office sends it, the ladder included."""
    fields = ladder_fields() | extra
    return v1.CaseData(
        id=case_id, case_no=f"CD2026{case_id:06d}", agent_id=1, stage="field_visit", status="open",
        trigger="repeated_delinquency", version=3, debtor_id=case_id + 1000, debtor_name="王伟明",
        id_number="510104199001011234",
        phones=[v1.PhoneData(id=case_id * 10 + 1, number="+8613812348000", status="valid")],
        addresses=[v1.AddressData(id=case_id * 10 + 2, kind="home", text="成都市锦江区春熙路88号3单元502",
                                  district="锦江区", lat=30.657, lon=104.080)],
        accounts=[v1.AccountData(id=case_id * 10 + 4, loan_no=f"LN{case_id:06d}", product="消费贷",
                                 principal_fen=5_000_000, outstanding_fen=3_200_000, overdue_fen=800_000,
                                 days_past_due=47, missed_instalments=2)],
        **fields)
