"""Sample safety facts for the window's tests and screenshots: a visit as the laptop's VisitDesk shows it,
the people to call, and a supervisor's board as head office answers it (app.contract.safety), with
long, mixed and hostile strings where head office would pass them through."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def contacts() -> tuple[Any, ...]:
    from app.services.visits import ContactView

    return (ContactView("李四", "partner", "13800138000"), ContactView("周志红", "supervisor", "13900139000"),
            ContactView("Emergency desk 值班", "contact", None))


def visit(now: datetime, minutes: int = 45, *, knows: bool = True, problem: str | None = None) -> Any:
    from app.services.visits import VisitView

    return VisitView(local_id="6f1c2a9e-1111-4a2b-9c3d-123456789abc", case_id=1, case_number="CD260000123",
                     address="成都市金牛区双林路283号 5栋2单元1102室", partner_name="李四", planned_minutes=minutes,
                     started_at=now, due_at=now + timedelta(minutes=minutes), head_office_knows=knows,
                     problem=problem, contacts=contacts())


def board(now: datetime, *, extra_alarm: bool = False) -> Any:
    from app.contract import safety as wire

    def session(i: int, name: str, case_no: str, address: str, left: int) -> Any:
        started = now - timedelta(minutes=30)
        return wire.BoardSession(id=i, agent_id=10 + i, agent_name=name, case_id=100 + i, case_number=case_no,
                                 address=address, partner_name="李四" if i == 1 else None, planned_minutes=45,
                                 started_at=started, due_at=now + timedelta(seconds=left), state="open",
                                 overdue=left < 0, seconds_left=left)

    def delivery(i: int, channel: str, name: str, state: str, error: str | None = None) -> Any:
        return wire.DeliveryOut(id=i, channel=channel, recipient_name=name, state=state, attempts=3 if error else 1,
                                last_error=error, at=now)

    alarms = [
        wire.AlarmOut(id=1, session_id=2, level="red", kind="sos", raised_at=now - timedelta(minutes=2),
                      state="raised", agent_id=12, agent_name="王小明", case_id=102, case_number="CD260000456",
                      address="成都市武侯区人民南路四段1号", red_step=1,
                      deliveries=[delivery(1, "window", "周志红", "delivered"),
                                  delivery(2, "sms", "李四", "failed", "gateway said 503 <html>busy</html>")]),
        wire.AlarmOut(id=2, session_id=3, level="amber", kind="overdue", raised_at=now - timedelta(minutes=6),
                      state="raised", agent_id=13, agent_name="Zhang Wei 张伟", case_id=103,
                      case_number="CD260000789", address="<b>成都市</b>青羊区 =SUM(A1) 😀",
                      deliveries=[delivery(3, "window", "周志红", "delivered")]),
        wire.AlarmOut(id=3, session_id=None, level="red", kind="duress", raised_at=now - timedelta(minutes=20),
                      state="acknowledged", agent_id=14, agent_name="刘芳", case_id=104, case_number="CD260000999",
                      address="成都市成华区建设路8号", acknowledged_by=1, acknowledged_by_name="周志红",
                      acknowledged_at=now - timedelta(minutes=18)),
        wire.AlarmOut(id=4, level="amber", kind="day_end", raised_at=now - timedelta(hours=3), state="resolved",
                      agent_id=15, agent_name="陈静", resolved_by_name="周志红", resolved_at=now - timedelta(hours=2),
                      outcome="agent_safe", note="reached her by phone 电话已联系"),
    ]
    if extra_alarm:
        alarms.insert(0, wire.AlarmOut(id=5, level="red", kind="sos", raised_at=now, state="raised", agent_id=16,
                                       agent_name="赵强", case_id=None))
    sessions = [session(1, "李明", "CD260000123", "成都市金牛区双林路283号", 25 * 60 + 12),
                session(2, "王小明", "CD260000456", "成都市武侯区人民南路四段1号", 8 * 60),
                session(3, "Zhang Wei 张伟", "CD260000789", "<b>成都市</b>青羊区 =SUM(A1) 😀", -(16 * 60 + 5))]
    return wire.BoardResponse(team="chengdu-1", sessions=sessions, alarms=alarms, server_time=now)
