"""Law firms and letter templates in the head-office database (tables in headoffice/ladder/models.py).

Firms are kept by code and updated in place (a letter already made keeps the firm's details as it
printed them, in `letters.content`). Templates are versioned: storing a template that differs from
the newest version of its code adds version n + 1; storing the same one again adds nothing, so a
`set FILE` run twice changes nothing. The daily letters use the newest version of a code (if active).

Everything is checked before anything is written (`fields.check_firm` / `check_template`): one bad
item refuses the whole request, naming the item and the rule, and nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contract.letters import (
    ChannelData,
    LawFirmData,
    LetterTemplateData,
    LetterTemplateOut,
)
from headoffice.ladder.models import LawFirm, LetterTemplate

from .fields import LetterProblem, check_firm, check_template


def firm_data(row: LawFirm) -> LawFirmData:
    return LawFirmData(code=row.code, name=row.name, lawyer=row.lawyer, licence_no=row.licence_no,
                       letterhead=row.letterhead, address=row.address, phone=row.phone, email=row.email)


def firms(session: Session) -> list[LawFirmData]:
    return [firm_data(r) for r in session.scalars(select(LawFirm).order_by(LawFirm.code))]


def _no_duplicates(codes: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise LetterProblem("duplicate", f"{what} {code!r} is given twice")
        seen.add(code)


def store_firms(session: Session, items: Sequence[LawFirmData], now: datetime) -> int:
    """Store every firm (by code); the number added or changed."""
    _no_duplicates((f.code for f in items), "the firm")
    for i, f in enumerate(items):
        try:
            check_firm(f)
        except LetterProblem as exc:
            raise LetterProblem(exc.code, f"firms[{i}] ({f.code}): {exc.detail}") from None
    changed = 0
    for f in items:
        row = session.scalar(select(LawFirm).where(LawFirm.code == f.code))
        if row is None:
            row = LawFirm(code=f.code, updated_at=now)
            session.add(row)
        elif firm_data(row) == f:
            continue
        row.name, row.lawyer, row.licence_no, row.letterhead = f.name, f.lawyer, f.licence_no, f.letterhead
        row.address, row.phone, row.email, row.updated_at = f.address, f.phone, f.email, now
        changed += 1
    session.flush()
    return changed


def channels_of(row: LetterTemplate) -> list[ChannelData]:
    return [ChannelData.model_validate(c) for c in json.loads(row.channels or "[]")]


def template_out(row: LetterTemplate) -> LetterTemplateOut:
    return LetterTemplateOut(code=row.code, firm_code=row.firm_code, lang=row.lang, title=row.title,  # type: ignore[arg-type]
                             body=row.body, legal_basis=row.legal_basis, rights=row.rights,
                             deadline_days=row.deadline_days, channels=channels_of(row), active=row.active,
                             version=row.version, set_by=row.set_by, set_at=row.set_at)


def _same(row: LetterTemplate, t: LetterTemplateData) -> bool:
    stored = template_out(row).model_dump(exclude={"version", "set_by", "set_at"})
    return stored == t.model_dump()


def newest(session: Session, code: str) -> LetterTemplate | None:
    return session.scalar(select(LetterTemplate).where(LetterTemplate.code == code)
                          .order_by(LetterTemplate.version.desc()).limit(1))


def templates(session: Session) -> list[LetterTemplateOut]:
    """The newest version of every template code."""
    top = (select(LetterTemplate.code, func.max(LetterTemplate.version).label("v"))
           .group_by(LetterTemplate.code).subquery())
    rows = session.scalars(select(LetterTemplate).join(
        top, (LetterTemplate.code == top.c.code) & (LetterTemplate.version == top.c.v))
        .order_by(LetterTemplate.code))
    return [template_out(r) for r in rows]


def store_templates(session: Session, items: Sequence[LetterTemplateData], actor: str, now: datetime) -> int:
    """Store each template as a new version where it differs from its newest; the number of new versions."""
    _no_duplicates((t.code for t in items), "the template")
    known = set(session.scalars(select(LawFirm.code)))
    for i, t in enumerate(items):
        try:
            check_template(t, known)
        except LetterProblem as exc:
            raise LetterProblem(exc.code, f"templates[{i}] ({t.code}): {exc.detail}") from None
    added = 0
    for t in items:
        row = newest(session, t.code)
        if row is not None and _same(row, t):
            continue
        session.add(LetterTemplate(
            code=t.code, version=(row.version + 1) if row is not None else 1, firm_code=t.firm_code, lang=t.lang,
            title=t.title, body=t.body, legal_basis=t.legal_basis, rights=t.rights, deadline_days=t.deadline_days,
            channels=json.dumps([c.model_dump() for c in t.channels], ensure_ascii=False), active=t.active,
            set_by=actor[:64], set_at=now))
        added += 1
    session.flush()
    return added
