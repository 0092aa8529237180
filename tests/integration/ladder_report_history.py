"""A small ladder history written straight into the head-office tables (the daily run that would
write it is not what these tests are about), with every figure of the report worked out by hand.

Team 一组 ("north"), period 2026-03-01 – 2026-03-31 (Asia/Shanghai), cure window 30 days, promise
grace 2 days, prices: SMS ¥0.05, letter ¥15, visit ¥80. Times are UTC; local = UTC + 8.

  C1  overdue ¥1,000  sms_1 03-01, paid ¥1,000 03-10                  → cured (paid), still there
  C2  overdue ¥500    sms_1 03-01, promise ¥200 (made 03-03, due 03-08), paid ¥200 03-07;
                      rolled to sms_2 03-06                           → cured (promise) at sms_1 AND sms_2
  C3  overdue ¥800    sms_1 03-02, promise ¥300 due 03-05 never paid (broken), ¥100 paid 03-20;
                      rolled to sms_2 03-12                           → not cured at either; ¥100 each
  C4  overdue ¥700    (sms_1, sms_2 in February), ¥100 paid 02-15, letter 03-05, ¥600 paid 03-25
                                                                      → cured (paid): ¥600 was owed on entry
  C5  overdue ¥700    letter 03-03, rolled to visit 03-17, a door visit 03-18 and a phone call
                                                                      → nothing recovered at visit: no ratio
  C6  team 二组       sms_1 03-04, paid ¥50 03-05                     → only in the all-teams report
  C7  overdue ¥300    old_call 03-02 (api, policy v1), moved back to sms_1 03-09 (cli)
                                                                      → old_call: moved down; listed after
  C8  overdue ¥300    archive_x 03-15 (a level v2 no longer has)      → listed after, before old_call
  C9  overdue ¥450    sms_2 03-20, paid ¥450 04-10, rolled to letter 04-15
                                                                      → as of 03-31 open; as of 04-30 cured, rolled
  C10 overdue ¥300    sms_1 by api at 2026-02-28T16:30Z (= 03-01 00:30 local): in the period
  C11 overdue ¥300    sms_1 by api at 2026-03-31T17:00Z (= 04-01 01:00 local): not in the period
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from headoffice.db import Database
from headoffice.ladder.models import LadderPolicyVersion, LadderTransition, Letter, SmsMessage
from headoffice.models import Attempt, Case, Debtor, Payment, Promise

TEAM = "一组"
OTHER_TEAM = "二组"
START, END = date(2026, 3, 1), date(2026, 3, 31)


def policy_json(codes: list[str], costs: dict[str, int] | None, cure_days: int | None = 30,
                names: dict[str, str] | None = None) -> str:
    kinds = {"sms_1": ("reminder", "sms"), "sms_2": ("reminder", "sms"), "letter": ("legal_letter", "letter"),
             "visit": ("field_visit", "field_visit"), "legal": ("legal_action", "legal_action")}
    levels = []
    for i, code in enumerate(codes):
        stage, action = kinds.get(code, ("reminder", "sms"))
        level: dict[str, Any] = {"code": code, "stage": stage, "action": {"kind": action, "template": "t"},
                                 "entry": {"days_past_due": 1 + 10 * i}, "wait_days": 5}
        if names and code in names:
            level["name"] = names[code]
        levels.append(level)
    data: dict[str, Any] = {"levels": levels, "triggers": {"broken_promises": 2}}
    if cure_days is not None:
        data["cure_days"] = cure_days
    if costs is not None:
        data["costs_fen"] = costs
    return json.dumps(data, ensure_ascii=False)


def utc(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def run_at(day: date) -> datetime:
    """When the daily run of `day` wrote its moves: 08:00 local."""
    return utc(day.year, day.month, day.day, 0)


@dataclass
class Writer:
    s: Any
    n: int = 0

    def case(self, label: str, overdue_fen: int, team: str = TEAM, zone: str | None = None) -> int:
        self.n += 1
        debtor = Debtor(name=f"债务人{label}", id_number=f"11010119900101{self.n:04d}", zone=zone)
        self.s.add(debtor)
        self.s.flush()
        now = utc(2026, 1, 1)
        case = Case(external_id=f"EXT-{label}", case_no=f"CASE-{label}", debtor_id=debtor.id, team=team,
                    stage="reminder", base_status="open", base_overdue_fen=overdue_fen, status="open",
                    overdue_fen=overdue_fen, days_past_due=30, created_at=now, updated_at=now)
        self.s.add(case)
        self.s.flush()
        return int(case.id)

    def move(self, case_id: int, to: str, day: date | None, *, frm: str | None = None, at: datetime | None = None,
             via: str = "run", policy_id: int | None = None, kind: str = "move") -> None:
        self.s.add(LadderTransition(case_id=case_id, kind=kind, via=via, run_on=day if via == "run" else None,
                                    at=at or run_at(day),  # type: ignore[arg-type]
                                    from_level=frm, to_level=to, policy_id=policy_id,
                                    rule="{}", actor="ladder" if via == "run" else "super01", reason=""))
        self.s.flush()

    def pay(self, case_id: int, fen: int, at: datetime, currency: str = "CNY") -> None:
        self.n += 1
        self.s.add(Payment(case_id=case_id, amount_fen=fen, currency=currency, method="bank_transfer",
                           receipt_no=f"R{self.n}", paid_at=at))

    def promise(self, case_id: int, fen: int, due: date, made_at: datetime) -> None:
        self.s.add(Promise(case_id=case_id, amount_fen=fen, due=due, made_at=made_at))

    def sms(self, case_id: int, at: datetime, state: str = "sent") -> None:
        self.s.add(SmsMessage(case_id=case_id, number="+8613800000000", template_code="remind_1",
                              template_version=1, body="您好", zone="Asia/Shanghai", created_at=at,
                              scheduled_at=at, state=state, sent_at=at if state != "queued" else None))

    def letter(self, case_id: int, made_at: datetime, state: str = "made") -> None:
        self.n += 1
        self.s.add(Letter(case_id=case_id, template_code="firm_a_std", template_version=1, firm_code="firm_a",
                          due_on=made_at.date(), code=f"CODE-{self.n:04d}", recipient="某某", address="某地",
                          amount_fen=1, deadline=made_at.date(), state=state, created_at=made_at,
                          made_at=made_at, mailed_at=made_at if state == "mailed" else None))

    def attempt(self, case_id: int, at: datetime, channel: str) -> None:
        self.s.add(Attempt(case_id=case_id, channel=channel, at=at, outcome="not_home"))

    def policy(self, scope: str, version: int, data: str) -> int:
        row = LadderPolicyVersion(scope=scope, version=version, data=data, set_by_name="super01",
                                  set_at=utc(2026, 1, version))
        self.s.add(row)
        self.s.flush()
        return int(row.id)


LEVELS = ["sms_1", "sms_2", "letter", "visit", "legal"]
COSTS = {"sms": 5, "letter": 1500, "field_visit": 8000}


def build_history(db: Database) -> dict[str, int]:
    """Write the history above; returns the case ids by label and the policy ids."""
    ids: dict[str, int] = {}
    with db.write() as s:
        w = Writer(s)
        ids["v1"] = w.policy(TEAM, 1, policy_json(["old_call", *LEVELS], COSTS))
        ids["v2"] = w.policy(TEAM, 2, policy_json(LEVELS, COSTS, names={"letter": "律师函"}))
        ids["default"] = w.policy("", 1, policy_json(LEVELS, None, cure_days=None))
        v1, v2 = ids["v1"], ids["v2"]
        d = date

        c = ids["C1"] = w.case("C1", 100_000)
        w.move(c, "sms_1", d(2026, 3, 1), policy_id=v2)
        w.sms(c, utc(2026, 3, 1, 1))
        w.pay(c, 100_000, utc(2026, 3, 10, 2))
        w.move(c, "sms_1", d(2026, 3, 12), frm="sms_1", via="api", kind="hold", at=utc(2026, 3, 12, 3))

        c = ids["C2"] = w.case("C2", 50_000)
        w.move(c, "sms_1", d(2026, 3, 1), policy_id=v2)
        w.sms(c, utc(2026, 3, 1, 1))
        w.promise(c, 20_000, d(2026, 3, 8), utc(2026, 3, 3, 2))
        w.move(c, "sms_2", d(2026, 3, 6), frm="sms_1", policy_id=v2)
        w.sms(c, utc(2026, 3, 6, 1))
        w.sms(c, utc(2026, 3, 6, 2), state="failed")
        w.sms(c, utc(2026, 3, 7, 1), state="queued")
        w.pay(c, 20_000, utc(2026, 3, 7, 4))

        c = ids["C3"] = w.case("C3", 80_000)
        w.move(c, "sms_1", d(2026, 3, 2), policy_id=v2)
        w.sms(c, utc(2026, 3, 2, 1), state="delivered")
        w.sms(c, utc(2026, 3, 3, 1), state="undelivered")
        w.promise(c, 30_000, d(2026, 3, 5), utc(2026, 3, 3, 5))
        w.move(c, "sms_2", d(2026, 3, 12), frm="sms_1", policy_id=v2)
        w.pay(c, 10_000, utc(2026, 3, 20, 6))

        c = ids["C4"] = w.case("C4", 70_000)
        w.move(c, "sms_1", d(2026, 2, 1), policy_id=v2)
        w.move(c, "sms_2", d(2026, 2, 10), frm="sms_1", policy_id=v2)
        w.pay(c, 10_000, utc(2026, 2, 15, 3))
        w.move(c, "letter", d(2026, 3, 5), frm="sms_2", policy_id=v2)
        w.letter(c, utc(2026, 3, 6, 2), state="mailed")
        w.pay(c, 60_000, utc(2026, 3, 25, 3))

        c = ids["C5"] = w.case("C5", 70_000)
        w.move(c, "letter", d(2026, 3, 3), policy_id=v2)
        w.letter(c, utc(2026, 3, 4, 2))
        w.move(c, "visit", d(2026, 3, 17), frm="letter", policy_id=v2)
        w.attempt(c, utc(2026, 3, 18, 3), "visit")
        w.attempt(c, utc(2026, 3, 18, 5), "phone")

        c = ids["C6"] = w.case("C6", 5_000, team=OTHER_TEAM)
        w.move(c, "sms_1", d(2026, 3, 4), policy_id=ids["default"])
        w.pay(c, 5_000, utc(2026, 3, 5, 3))
        w.sms(c, utc(2026, 3, 4, 1))

        c = ids["C7"] = w.case("C7", 30_000)
        w.move(c, "old_call", None, via="api", at=utc(2026, 3, 2, 3), policy_id=v1)
        w.move(c, "sms_1", None, frm="old_call", via="cli", at=utc(2026, 3, 9, 3), policy_id=v2)

        c = ids["C8"] = w.case("C8", 30_000)
        w.move(c, "archive_x", d(2026, 3, 15), policy_id=v1)

        c = ids["C9"] = w.case("C9", 45_000)
        w.move(c, "sms_2", d(2026, 3, 20), policy_id=v2)
        w.pay(c, 45_000, utc(2026, 4, 10, 3))
        w.move(c, "letter", d(2026, 4, 15), frm="sms_2", policy_id=v2)

        c = ids["C10"] = w.case("C10", 30_000)
        w.move(c, "sms_1", None, via="api", at=utc(2026, 2, 28, 16, 30))

        c = ids["C11"] = w.case("C11", 30_000)
        w.move(c, "sms_1", None, via="api", at=utc(2026, 3, 31, 17), policy_id=v2)
    return ids
