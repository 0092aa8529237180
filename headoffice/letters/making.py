"""Making the day's letters: pending `letter` actions of the ladder → `letters` rows → PDFs on record.

`make_due(db, day, …)` takes every `ladder_actions` row with action 'letter', state 'pending' and
run_on ≤ day (the daily run wrote it when the case entered a letter level), in batches of
`BATCH`, one write transaction each, and turns each into one `letters` row:

* recipient: the debtor's name; address: the newest home address, else the newest address of any
  other kind; amount: the case's overdue amount (CNY only); loan numbers from its accounts;
* due_on = the letters date, deadline = due_on + the template's deadline_days;
* a fresh verification code (`codes.py`), unique in the table;
* `content`: every string the letter prints (`content.py`), fixed now.

The action becomes 'done' (or 'skipped' for a case closed, paused or with nothing overdue since
the run, or 'failed' for no address, no active template, an unknown firm, another currency), with
the reason in its `detail`. `letters.action_id` is unique, so a re-run can never make a second
letter for an action.

`record_pdfs(db, made, now)` stores each letter's PDF in `attachments` (uploaded by the head
office's letters user, `SYSTEM_USERNAME`), marks the letter 'made' and adds a `letter` trail item
with the PDF's sha256 (the agent's laptop shows it and may fetch the PDF), then `announce`s the
cases, one transaction per batch. A letter already made is never recorded twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.enums import AddressKind, CaseStatus
from headoffice.db import Database
from headoffice.ladder.models import LadderAction, LawFirm, Letter, LetterTemplate
from headoffice.ladder.trail import add_trail, announce
from headoffice.models import Attachment, Case, Debtor, User

from . import store
from .codes import new_code
from .content import Facts, Firm, LetterContent, letter_content

BATCH = 500
SYSTEM_USERNAME = "head office letters"  # has a space: no person's account can be called this
PDF_TYPE = "application/pdf"


@dataclass
class MakeResult:
    made: int = 0  # letters rows added by this call
    skipped: Counter[str] = field(default_factory=Counter)  # reason → actions skipped
    failed: Counter[str] = field(default_factory=Counter)  # reason → actions that could not be made


def system_user_id(session: Session, now: datetime) -> int:
    """The user the letters' PDFs are stored as uploaded by: inactive, never able to sign in."""
    uid = session.scalar(select(User.id).where(User.username == SYSTEM_USERNAME))
    if uid is not None:
        return int(uid)
    user = User(username=SYSTEM_USERNAME, display_name="律师函 / lawyer's letters", role="system", team="",
                password_hash="!", active=False, failed_logins=0, created_at=now)
    session.add(user)
    session.flush()
    return int(user.id)


def letter_address(debtor: Debtor) -> str | None:
    homes = [a for a in debtor.addresses if a.kind == AddressKind.HOME and a.text.strip()]
    others = [a for a in debtor.addresses if a.kind != AddressKind.HOME and a.text.strip()]
    chosen = max(homes or others, key=lambda a: a.id, default=None)
    return chosen.text.strip() if chosen is not None else None


def _firm(row: LawFirm) -> Firm:
    return Firm(name=row.name, lawyer=row.lawyer, licence_no=row.licence_no, letterhead=row.letterhead,
                address=row.address, phone=row.phone, email=row.email)


class _Refused(Exception):
    def __init__(self, state: str, reason: str):
        super().__init__(reason)
        self.state, self.reason = state, reason


class _Templates:
    """The newest version of each template code and its firm, looked up once per batch."""

    def __init__(self, session: Session):
        self.session = session
        self.seen: dict[str, tuple[LetterTemplate, LawFirm] | None] = {}

    def get(self, code: str | None) -> tuple[LetterTemplate, LawFirm]:
        if not code:
            raise _Refused("failed", "no_template")
        if code not in self.seen:
            row = store.newest(self.session, code)
            firm = (self.session.scalar(select(LawFirm).where(LawFirm.code == row.firm_code))
                    if row is not None else None)
            self.seen[code] = (row, firm) if row is not None and firm is not None else None
        found = self.seen[code]
        if found is None:
            raise _Refused("failed", "unknown_template")
        if not found[0].active:
            raise _Refused("failed", "template_inactive")
        return found


def _content(case: Case, template: LetterTemplate, firm: LawFirm, day: date, code: str,
             public_url: str) -> LetterContent:
    if case.status in (CaseStatus.CLOSED, CaseStatus.RETURNED):
        raise _Refused("skipped", "closed")
    if case.status == CaseStatus.PAUSED:
        raise _Refused("skipped", "paused")
    if case.overdue_fen <= 0:
        raise _Refused("skipped", "nothing_overdue")
    if case.currency != "CNY":
        raise _Refused("failed", "currency")
    address = letter_address(case.debtor)
    if address is None:
        raise _Refused("failed", "no_address")
    facts = Facts(recipient=case.debtor.name, address=address, case_no=case.case_no,
                  loan_nos=tuple(a.loan_no for a in case.accounts), amount_fen=case.overdue_fen,
                  letter_date=day, deadline=day + timedelta(days=template.deadline_days))
    return letter_content(lang=template.lang, title=template.title, body=template.body,
                          legal_basis=template.legal_basis, rights=template.rights,
                          deadline_days=template.deadline_days, channels=store.channels_of(template),
                          firm=_firm(firm), facts=facts, code=code, verify_base=public_url)


def _fresh_codes(session: Session, n: int) -> list[str]:
    """n verification codes no letter has (drawn again on the rare collision)."""
    codes: set[str] = set()
    while len(codes) < n:
        draw = {new_code() for _ in range(n - len(codes))} - codes
        taken = set(session.scalars(select(Letter.code).where(Letter.code.in_(draw))))
        codes |= draw - taken
    return list(codes)


def _pending_ids(db: Database, day: date) -> list[int]:
    with db.read() as session:
        return list(session.scalars(
            select(LadderAction.id).where(LadderAction.action == "letter", LadderAction.state == "pending",
                                          LadderAction.run_on <= day).order_by(LadderAction.id)))


def make_due(db: Database, day: date, now: datetime, public_url: str) -> MakeResult:
    """Turn the pending letter actions of `day` (and any earlier day left over) into letters."""
    result = MakeResult()
    ids = _pending_ids(db, day)
    for start in range(0, len(ids), BATCH):
        with db.write() as session:
            _make_batch(session, ids[start:start + BATCH], day, now, public_url, result)
    return result


def _make_batch(session: Session, ids: Sequence[int], day: date, now: datetime, public_url: str,
                result: MakeResult) -> None:
    # Claimed again under the write lock: another run may have taken some since they were listed.
    actions = list(session.scalars(select(LadderAction).where(LadderAction.id.in_(ids),
                                                              LadderAction.state == "pending")
                                   .order_by(LadderAction.id)))
    if not actions:
        return
    cases = {c.id: c for c in session.scalars(
        select(Case).where(Case.id.in_({a.case_id for a in actions})).options(
            selectinload(Case.debtor).selectinload(Debtor.addresses), selectinload(Case.accounts)))}
    already = set(session.scalars(select(Letter.action_id).where(Letter.action_id.in_([a.id for a in actions]))))
    codes = _fresh_codes(session, len(actions))
    templates = _Templates(session)
    for action, code in zip(actions, codes, strict=True):
        if action.id in already:  # made by an earlier run that did not get to mark the action
            action.state, action.done_at = "done", now
            continue
        try:
            template, firm = templates.get(action.template)
            content = _content(cases[action.case_id], template, firm, day, code, public_url)
        except _Refused as refused:
            action.state, action.detail, action.done_at = refused.state, refused.reason, now
            (result.skipped if refused.state == "skipped" else result.failed)[refused.reason] += 1
            continue
        case = cases[action.case_id]
        session.add(Letter(case_id=case.id, action_id=action.id, template_code=template.code,
                           template_version=template.version, firm_code=firm.code, due_on=day, code=code,
                           recipient=content.recipient, address=content.address, amount_fen=case.overdue_fen,
                           deadline=day + timedelta(days=template.deadline_days), content=content.to_json(),
                           state="due", created_at=now))
        action.state, action.done_at = "done", now
        result.made += 1


@dataclass(frozen=True, slots=True)
class DayLetter:
    """One letter of the day as the batch prints it."""

    id: int
    case_id: int
    case_no: str
    code: str
    recipient: str
    address: str
    state: str
    pdf_sha256: str | None
    content: str  # LetterContent JSON


def day_letters(db: Database, day: date) -> list[DayLetter]:
    """Every letter of `day` that is not cancelled, in print order (by case number, then id)."""
    with db.read() as session:
        rows = session.execute(
            select(Letter.id, Letter.case_id, Case.case_no, Letter.code, Letter.recipient, Letter.address,
                   Letter.state, Letter.pdf_sha256, Letter.content)
            .join(Case, Case.id == Letter.case_id)
            .where(Letter.due_on == day, Letter.state != "cancelled", Letter.content.is_not(None))
            .order_by(Case.case_no, Letter.id)).tuples().all()
    return [DayLetter(*r) for r in rows]


def trail_data(content: LetterContent, state: str, deadline: date, tracking_no: str | None) -> dict[str, Any]:
    """The `letter` trail item's data (app.contract.v1.TrailItemData): no amount, no address."""
    return {"state": state, "firm": content.firm_name, "code": content.code, "deadline": deadline.isoformat(),
            "tracking_no": tracking_no}


def record_pdfs(db: Database, made: Iterable[tuple[int, str, bytes]], now: datetime) -> int:
    """Store (letter id, sha256, PDF bytes) for letters not yet made; the number recorded."""
    recorded = 0
    batch: list[tuple[int, str, bytes]] = []
    for item in made:
        batch.append(item)
        if len(batch) >= BATCH:
            recorded += _record_batch(db, batch, now)
            batch = []
    if batch:
        recorded += _record_batch(db, batch, now)
    return recorded


def _record_batch(db: Database, batch: Sequence[tuple[int, str, bytes]], now: datetime) -> int:
    with db.write() as session:
        uploader = system_user_id(session, now)
        letters = {r.id: r for r in session.scalars(
            select(Letter).where(Letter.id.in_([b[0] for b in batch]), Letter.pdf_sha256.is_(None)))}
        stored = set(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_([b[1] for b in batch]))))
        touched: list[int] = []
        for letter_id, sha, data in batch:
            letter = letters.get(letter_id)
            if letter is None:
                continue
            if sha not in stored:
                session.add(Attachment(sha256=sha, size=len(data), content_type=PDF_TYPE, data=data,
                                       uploaded_by=uploader, created_at=now))
                stored.add(sha)
            letter.pdf_sha256, letter.made_at = sha, now
            if letter.state == "due":
                letter.state = "made"
            content = LetterContent.from_json(letter.content or "{}")
            add_trail(session, letter.case_id, "letter", trail_data(content, "made", letter.deadline, None), now,
                      attachment_sha256=sha, ref=f"letter:{letter.id}")
            touched.append(letter.case_id)
        announce(session, now, touched)
        return len(touched)
