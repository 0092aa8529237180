"""SMS reminder figures (head office, SQLite):

* planning: 5,000 pending `sms` ladder actions (one per debtor, two numbers each, one of them marked
  dead) into queued messages, with the window, the caps and the trail; no target, for the record;
* the send queue: 5,000 due messages claimed, sent through the SMS gateway adapter to the local fake
  gateway (tests/fake_gateway.py, in a process of its own on loopback: the client's licensed channel is
  outside the project), recorded as sent with their trail items; messages per second, ≥ 500.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from benchmarks.common import REPO, Context, Figure, repo_env

TARGET_PER_S = 500.0


def _world(db_url: str, n: int, now: datetime) -> None:
    from sqlalchemy import insert

    from headoffice.db import Database
    from headoffice.ladder.models import LadderAction
    from headoffice.migrate import upgrade
    from headoffice.models import Case, Debtor, Phone
    from headoffice.sms.templates import TemplateIn, store

    db = Database(db_url)
    upgrade(db)
    with db.write() as s:
        store(s, [TemplateIn("remind_1", "{name}您好，您的案件{case_no}已逾期{days_past_due}天，欠款{overdue_yuan}元，"
                                         "请通过{pay_channels}还款，咨询{hotline}。")],
              {"company": "某某消费金融", "hotline": "400-800-1234", "pay_channels": "官方App"}, actor="bench", now=now)
        s.execute(insert(Debtor), [{"id": i, "name": f"王{i}", "id_number": f"5101041990{i:08d}"}
                                   for i in range(1, n + 1)])
        s.execute(insert(Phone), [{"debtor_id": i, "number": f"+86138{i:08d}", "label": "mobile", "status": st}
                                  for i in range(1, n + 1) for st in ("valid", "invalid")])
        s.execute(insert(Case), [{"id": i, "external_id": f"E{i}", "case_no": f"DS-{i:07d}", "debtor_id": i,
                                  "team": "", "stage": "reminder", "base_status": "open", "base_overdue_fen": 123456,
                                  "status": "open", "overdue_fen": 123456, "days_past_due": 12, "currency": "CNY",
                                  "district": "", "version": 1, "created_at": now, "updated_at": now}
                                 for i in range(1, n + 1)])
        s.execute(insert(LadderAction), [{"case_id": i, "level": "sms_1", "action": "sms", "template": "remind_1",
                                          "run_on": now.date(), "state": "pending", "detail": "", "created_at": now}
                                         for i in range(1, n + 1)])
    db.dispose()


def run(ctx: Context) -> list[Figure]:
    from sqlalchemy import select

    from app.domain.compliance import builtin_profile
    from headoffice.db import Database
    from headoffice.ladder.models import SmsMessage
    from headoffice.sms.jobs import gateway
    from headoffice.sms.plan import plan
    from headoffice.sms.send import LIMIT, WORKERS, Sender, SendResult, send_due

    n = 1_000 if ctx.quick else 5_000
    folder = ctx.work / "sms"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'sms-bench.sqlite3'}"
    now = datetime.combine(date(2026, 12, 4), datetime.min.time().replace(hour=10),
                           tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    _world(url, n, now)
    profile = builtin_profile("CN")
    db = Database(url)
    started = time.perf_counter()
    planned = plan(db, now, profile)
    plan_s = time.perf_counter() - started
    assert planned.queued == n, planned
    fake = subprocess.Popen([sys.executable, "-m", "tests.fake_gateway"], cwd=REPO, env=repo_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert fake.stdout is not None
        gateway_url = fake.stdout.readline().strip()
        sender = Sender(gateway(gateway_url, "某某金融", None), profile)
        try:
            send_due(db, now - timedelta(days=1), sender)  # warm the pool's threads (nothing due yet)
            started = time.perf_counter()
            total = SendResult()
            while True:
                result = send_due(db, now, sender, LIMIT)
                total.add(result)
                if result.claimed == 0:
                    break
            sent = total.sent
            send_s = time.perf_counter() - started
        finally:
            sender.close()
    finally:
        if fake.stdin is not None:
            fake.stdin.close()
        fake.wait(30)
        if fake.stdout is not None:
            fake.stdout.close()
    if sent != n:
        with db.read() as s:
            errors = s.execute(select(SmsMessage.state, SmsMessage.last_error).where(SmsMessage.state != "sent")).all()
        raise RuntimeError(f"only {sent} of {n} sent: {total}; {errors[:5]}")
    db.dispose()
    return [
        Figure(f"plan {n:,} SMS actions into queued messages (SQLite)", n / plan_s, "msg/s", higher_is_better=True,
               note=f"{plan_s:.2f} s"),
        Figure(f"send queue: {n:,} messages to the local fake gateway (SQLite)", n / send_s, "msg/s",
               target=TARGET_PER_S, higher_is_better=True, note=f"{send_s:.2f} s, {WORKERS} concurrent sends"),
    ]
