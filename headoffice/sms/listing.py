"""The SMS queue as `python -m headoffice sms list` prints it: case number, masked number, template,
scheduled time in the debtor's zone, status (with the reason of a skip or the last error)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.domain.masking import mask_phone
from app.domain.text_input import shown
from headoffice.db import Database
from headoffice.ladder.models import SmsMessage
from headoffice.models import Case

from .slots import zone_of

STATES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "skipped")
HEADER = ("case", "number", "template", "scheduled (debtor's zone)", "status")


@dataclass(frozen=True)
class Line:
    case_no: str
    number: str
    template: str
    scheduled: str
    status: str


def queue(db: Database, status: str | None = None, limit: int = 1000,
          default_zone: str = "Asia/Shanghai") -> tuple[list[Line], int]:
    """(the lines, how many match in all), oldest scheduled first."""
    q = select(SmsMessage, Case.case_no).join(Case, Case.id == SmsMessage.case_id)
    count = select(func.count()).select_from(SmsMessage)
    if status is not None:
        q = q.where(SmsMessage.state == status)
        count = count.where(SmsMessage.state == status)
    lines: list[Line] = []
    with db.read() as s:
        total = int(s.scalar(count) or 0)
        for m, case_no in s.execute(q.order_by(SmsMessage.scheduled_at, SmsMessage.id).limit(limit)).tuples():
            tz = zone_of(m.zone, default_zone)
            status_text = m.state
            if m.state == "skipped" and m.skip_reason:
                status_text += f" ({m.skip_reason})"
            elif m.state in ("queued", "failed") and m.attempts:
                status_text += f" (attempt {m.attempts}" + (f": {shown(m.last_error, 40)}" if m.last_error else "") + ")"
            elif m.receipt_status and m.receipt_status != m.state:
                status_text += f" ({shown(m.receipt_status, 20)})"
            lines.append(Line(shown(case_no, 30), mask_phone(m.number), f"{m.template_code} v{m.template_version}",
                              _when(m.scheduled_at, tz.key, tz), status_text))
    return lines, total


def _when(at: datetime, key: str, tz: object) -> str:
    local = at.astimezone(tz)  # type: ignore[arg-type]
    return f"{local:%Y-%m-%d %H:%M} {key}"


def table(lines: list[Line]) -> str:
    rows = [HEADER, *[(x.case_no, x.number, x.template, x.scheduled, x.status) for x in lines]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows)
