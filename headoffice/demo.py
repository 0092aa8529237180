"""Demo head office: the Chengdu team of `app/demo/city.py` and realistic overdue cases.

Deterministic for a seed. Accounts: six agents, one supervisor (team 成都外访一组) and an admin;
the agents work in standing pairs (`city.PAIRS`: agent01 with agent02, …).
Each case: a debtor with an ID number of the district, one or two mobiles, a home (and sometimes a
work) address with WGS-84 coordinates inside the district, emergency contacts, one or two loans,
an escalation stage, and for a few debtors a safety note. Cases go to the agent covering the district.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.demo import city
from app.domain.clock import DEFAULT_ZONE, utcnow
from app.domain.enums import Bucket, Severity, Stage, VisitTrigger

from .changes import ChangeWriter
from .ladder.models import DelinquencyEpisode, SmsTemplate
from .models import Account, Address, Case, CaseHolder, Contact, Debtor, Phone, SafetyNote, User
from .pairs import set_pair
from .phones import PhoneError, e164
from .security import hash_password

ZONE = ZoneInfo(DEFAULT_ZONE)
MAX_DEMO_CASES = 200_000


class DemoError(ValueError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    team: str


def demo_password(username: str) -> str:
    return f"doorstep-{username}"


def _id_checksum(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def create_demo(session: Session, cases: int, seed: int = 7, today: date | None = None,
                password: str | None = None) -> list[DemoAccount]:
    if cases < 0 or cases > MAX_DEMO_CASES:
        raise DemoError(f"--cases must be between 0 and {MAX_DEMO_CASES:,}")
    if session.scalar(select(func.count()).select_from(User)):
        raise DemoError("this database already has users; demo data goes into an empty database")
    now = utcnow() if today is None else datetime.combine(today, time(9, 0), tzinfo=ZONE).astimezone(UTC)
    today = today or now.astimezone(ZONE).date()
    rng = random.Random(seed)
    accounts: list[DemoAccount] = []
    agent_ids: dict[str, int] = {}
    people = [(u, n, "agent", d) for u, n, d in city.AGENTS]
    people += [(city.SUPERVISOR[0], city.SUPERVISOR[1], "supervisor", None), ("admin", "系统管理员", "admin", None)]
    hashes: dict[str, str] = {}
    phones = random.Random(seed * 7919 + 1)  # its own stream: the cases come out as before
    for username, display, role, district in people:
        pw = password or demo_password(username)
        if pw not in hashes:
            hashes[pw] = hash_password(pw)
        centre = next(d.centre for d in city.DISTRICTS if d.name == district) if district else (None, None)
        team = "" if role == "admin" else city.TEAM
        user = User(username=username, display_name=display, role=role, team=team, password_hash=hashes[pw],
                    active=True, failed_logins=0, base_lat=centre[0], base_lon=centre[1], created_at=now,
                    phone=demo_phone(phones))
        session.add(user)
        session.flush()
        agent_ids[username] = user.id
        accounts.append(DemoAccount(username, pw, role, team))
    pair_demo_agents(session, now)
    by_district = {d.name: agent_ids[city.AGENTS[i % len(city.AGENTS)][0]] for i, d in enumerate(city.DISTRICTS)}
    for username, _n, home in city.AGENTS:
        by_district[home] = agent_ids[username]
    _cases(session, rng, cases, by_district, today, now)
    seed_ladder(session, now)
    return accounts


def demo_phone(rng: random.Random) -> str:
    """A plausible (fake) Chinese mobile number in E.164 form."""
    while True:
        candidate = "+86" + rng.choice(city.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        try:
            return e164(candidate)
        except PhoneError:
            continue


def pair_demo_agents(session: Session, now: datetime) -> list[tuple[str, str]]:
    """Pair the demo team (`city.PAIRS`) where both agents exist and neither has a partner yet (a
    demo database made before pairs existed); pairs someone changed since are left alone."""
    names = [name for pair in city.PAIRS for name in pair]
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}
    made = []
    for one, two in city.PAIRS:
        a, b = users.get(one), users.get(two)
        if a is not None and b is not None and a.partner_id is None and b.partner_id is None:
            set_pair(session, a, b, actor="demo-data", via="demo", now=now)
            made.append((one, two))
    return made


def _cases(session: Session, rng: random.Random, n: int, by_district: dict[str, int], today: date,
           now: datetime) -> None:
    surnames = [s for s, _ in city.SURNAMES]
    cum = list(accumulate(w for _, w in city.SURNAMES))
    dcum = list(accumulate(d.weight for d in city.DISTRICTS))

    def person() -> str:
        return rng.choices(surnames, cum_weights=cum)[0] + "".join(
            rng.choice(city.GIVEN) for _ in range(1 if rng.random() < 0.35 else 2))

    def phone() -> str:
        return "+86" + rng.choice(city.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def point(d: city.District) -> tuple[float, float]:
        return round(rng.uniform(d.south, d.north), 6), round(rng.uniform(d.west, d.east), 6)

    first = (session.scalar(select(func.max(Case.id))) or 0) + 1
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in
                                            ("debtors", "phones", "addresses", "contacts", "cases", "holders",
                                             "accounts", "notes", "episodes")}
    writer = ChangeWriter(session, now)
    history = random.Random(first * 104_729 + n)  # its own stream: the cases come out as before
    for case_id in range(first, first + n):
        d = rng.choices(city.DISTRICTS, cum_weights=dcum)[0]
        birth = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
        first17 = f"{d.code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        rows["debtors"].append({"id": case_id, "name": person(), "id_number": first17 + _id_checksum(first17)})
        invalid = rng.random() < 0.04
        for i in range(1 if rng.random() < 0.6 else 2):
            rows["phones"].append({"debtor_id": case_id, "number": phone(), "label": "mobile",
                                   "status": "invalid" if invalid else ("valid" if i == 0 else "unknown")})
        lat, lon = point(d)
        rows["addresses"].append({
            "debtor_id": case_id, "kind": "home", "district": d.name, "lat": lat, "lon": lon,
            "text": f"{city.CITY}{d.name}{rng.choice(city.STREETS)}{rng.randrange(1, 400)}号"
                    f"{rng.choice(city.COMPOUNDS)}{rng.randrange(1, 30)}栋{rng.randrange(1, 6)}单元"
                    f"{rng.randrange(1, 33)}0{rng.randrange(1, 9)}室"})
        if rng.random() < 0.5:
            wd = rng.choices(city.DISTRICTS, cum_weights=dcum)[0]
            wlat, wlon = point(wd)
            rows["addresses"].append({
                "debtor_id": case_id, "kind": "work", "district": wd.name, "lat": wlat, "lon": wlon,
                "text": f"{city.CITY}{wd.name}{rng.choice(city.STREETS)}{rng.randrange(1, 400)}号"
                        f"{rng.choice(city.WORKPLACES)}"})
        for _ in range(rng.randrange(1, 3)):
            rows["contacts"].append({"debtor_id": case_id, "name": person(), "relation": rng.choice(city.RELATIONS),
                                     "phone": phone(), "refused_contact": rng.random() < 0.05})
        dpd_max, overdue_total = 0, 0
        for k in range(1 if rng.random() < 0.8 else 2):
            dpd = int(min(720, rng.expovariate(1 / 75.0))) + 1
            principal = rng.randrange(3_000, 200_000) * 100
            outstanding = int(principal * rng.uniform(0.2, 0.95))
            overdue = int(outstanding * rng.uniform(0.08, 0.6))
            rows["accounts"].append({
                "case_id": case_id, "loan_no": f"LN{case_id:07d}{k}", "product": rng.choice(city.PRODUCTS),
                "principal_fen": principal, "outstanding_fen": outstanding, "overdue_fen": overdue,
                "currency": "CNY", "days_past_due": dpd, "missed_instalments": max(1, dpd // 30),
                "last_payment_on": today - timedelta(days=dpd + rng.randrange(0, 60))})
            dpd_max, overdue_total = max(dpd_max, dpd), overdue_total + overdue
        Bucket.for_days(dpd_max)
        stage = (Stage.FIELD_VISIT if dpd_max > 60 and rng.random() < 0.75 else
                 Stage.LEGAL_LETTER if dpd_max > 30 else Stage.REMINDER)
        agent = by_district[d.name]
        if stage == Stage.FIELD_VISIT:
            rng.choice(list(VisitTrigger))  # drawn as before (the stream stays); the trigger is the ladder's
        rows["episodes"].extend(_episodes(history, case_id, today, dpd_max, overdue_total,
                                          repeated=stage == Stage.FIELD_VISIT))
        rows["cases"].append({
            "id": case_id, "external_id": f"P{today:%y}{case_id:07d}", "case_no": f"CD{today:%y}{case_id:07d}",
            "debtor_id": case_id, "agent_id": agent, "team": city.TEAM, "stage": stage.value,
            "trigger": None,  # a visit trigger is what the ladder detects, never typed
            "base_status": "open", "base_paused_reason": None, "base_overdue_fen": overdue_total,
            "status": "open", "paused_reason": None, "overdue_fen": overdue_total, "currency": "CNY",
            "district": d.name, "lat": lat, "lon": lon, "days_past_due": dpd_max, "version": 1,
            "created_at": now, "updated_at": now})
        rows["holders"].append({"case_id": case_id, "user_id": agent})
        if rng.random() < 0.06:
            category = rng.choice(list(city.SAFETY_TEXTS))
            severity = rng.choices([Severity.LOW, Severity.MEDIUM, Severity.HIGH], weights=[3, 4, 3])[0]
            rows["notes"].append({
                "uid": str(uuid.UUID(int=rng.getrandbits(128))), "case_id": case_id, "debtor_id": case_id,
                "category": category, "severity": severity.value, "text": rng.choice(city.SAFETY_TEXTS[category]),
                "reporter": "外访员", "reported_at": now - timedelta(days=rng.randrange(1, 200)),
                "two_person_required": severity == Severity.HIGH, "do_not_visit": False})
        writer.add("case_upsert", case_id=case_id, agent=agent, team=city.TEAM)
    for table, model in (("debtors", Debtor), ("phones", Phone), ("addresses", Address), ("contacts", Contact),
                         ("cases", Case), ("holders", CaseHolder), ("accounts", Account), ("notes", SafetyNote),
                         ("episodes", DelinquencyEpisode)):
        if rows[table]:
            session.execute(insert(model), rows[table])


def _episodes(rng: random.Random, case_id: int, today: date, dpd: int, overdue: int,
              repeated: bool) -> list[dict[str, Any]]:
    """The case's delinquency episodes: the open one (since it fell overdue) and, for most of the
    cases the platform sent to a door, two earlier ones it was cured of within the last year."""
    out = [{"case_id": case_id, "started_on": today - timedelta(days=dpd), "cured_on": None,
            "overdue_fen": overdue, "source": "demo"}]
    if repeated and dpd < 300 and rng.random() < 0.8:
        first, second = sorted(rng.sample(range(dpd + 20, 355, 15), 2), reverse=True)
        for ago, cured_after in ((first, rng.randrange(5, 15)), (second, rng.randrange(5, 15))):
            out.append({"case_id": case_id, "started_on": today - timedelta(days=ago),
                        "cured_on": today - timedelta(days=ago - cured_after),
                        "overdue_fen": overdue // 3, "source": "demo"})
    return out


DEMO_SMS = {
    "remind_1": "您好，您在本平台的借款已逾期。请尽快通过平台官方App或官方对公账户还款，切勿向个人转账。"
                "如有困难，可致电客服协商还款安排。",
    "remind_2": "您好，您的借款逾期仍未处理，逾期记录会持续累积。请今日通过官方渠道还款；如对账单有异议或确有困难，"
                "请致电客服说明，我们将依规处理。",
}


def seed_ladder(session: Session, now: datetime) -> None:
    """The demo's SMS templates, law firm and letter template, and the design's ladder as the company
    default (a policy naming templates is stored only once they exist)."""
    from app.contract.letters import ChannelData, LawFirmData, LetterTemplateData
    from app.domain.ladder import EXAMPLE_POLICY

    from .ladder.policy import store
    from .letters.store import store_firms, store_templates

    for code, body in DEMO_SMS.items():
        session.add(SmsTemplate(code=code, version=1, lang="zh", body=body, active=True, set_by="demo-data",
                                set_at=now))
    # Through the letters' own checks (merge fields, wording, designated channels only), as a supervisor's would go.
    store_firms(session, [LawFirmData(
        code="firm_a", name="四川蓉信律师事务所", lawyer="陈明远", licence_no="15101201810000000",
        letterhead="四川蓉信律师事务所", address="成都市锦江区红星路三段1号", phone="028-86000000",
        email="office@rongxin-law.example")], now)
    store_templates(session, [LetterTemplateData(
        code="firm_a_std", firm_code="firm_a", lang="zh", title="律师函",
        body="{debtor_name}先生/女士：\n本所受委托人委托，就您与委托人之间的借款合同（借款编号：{loan_nos}）逾期未还一事，"
             "特致函如下。\n截至{letter_date}，您逾期未还的金额为{amount}（{amount_capitals}）。\n"
             "请您于{deadline}前通过本函所列指定渠道清偿，或与委托人协商还款方案。如您已还款，请忽略本函并保留凭证。",
        legal_basis="根据《中华人民共和国民法典》第五百零九条、第六百七十五条、第六百七十六条的规定，借款人应当按照约定的期限返还借款。",
        rights="如您对欠款事实或金额有异议，或确有困难暂时无法还款，可自收到本函之日起七日内致电本所或书面提出异议、"
               "申请协商还款方案。",
        deadline_days=15,
        channels=[ChannelData(kind="platform_app", label="官方App还款", detail="“蓉易贷”App →“我的借款”→“立即还款”"),
                  ChannelData(kind="bank_transfer", label="对公银行转账", account_name="成都蓉易贷小额贷款有限公司",
                              bank="中国工商银行成都锦江支行", account_no="4402 2001 0900 1234 567",
                              detail="附言请注明案件编号")])], "demo-data", now)
    session.flush()
    store(session, "", dict(EXAMPLE_POLICY), actor="demo-data", actor_id=None, now=now)
