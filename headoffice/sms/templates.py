"""SMS templates and the company's SMS settings in the head-office database.

Templates are versioned in `sms_templates` (code, version): the newest version of a code is in force,
older versions stay, since a queued message names the version it was made from. The settings
({company}, {hotline}, {pay_channels}) are one JSON row in `meta` (`sms_settings`), versioned inside.
Everything is checked (headoffice/sms/fields.py) before anything is stored, and a batch is stored
whole or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headoffice.ladder.models import SmsTemplate
from headoffice.models import Meta

from .fields import LANGS, TemplateError, check_body, check_code, check_settings, parse_template

SETTINGS_KEY = "sms_settings"
MAX_TEMPLATES = 200


@dataclass(frozen=True)
class TemplateIn:
    code: str
    body: str
    lang: str = "zh"
    active: bool = True


def load_settings(session: Session) -> dict[str, str]:
    row = session.get(Meta, SETTINGS_KEY)
    if row is None:
        return {"company": "", "hotline": "", "pay_channels": ""}
    data = json.loads(row.value)
    return {k: str(data.get(k, "")) for k in ("company", "hotline", "pay_channels")}


def current_templates(session: Session) -> list[SmsTemplate]:
    """The newest version of every code, by code."""
    newest = (select(SmsTemplate.code, func.max(SmsTemplate.version).label("v"))
              .group_by(SmsTemplate.code).subquery())
    return list(session.scalars(select(SmsTemplate).join(
        newest, (SmsTemplate.code == newest.c.code) & (SmsTemplate.version == newest.c.v)).order_by(SmsTemplate.code)))


def active_template(session: Session, code: str) -> SmsTemplate | None:
    row = session.scalars(select(SmsTemplate).where(SmsTemplate.code == code)
                          .order_by(SmsTemplate.version.desc()).limit(1)).first()
    return row if row is not None and row.active else None


def templates_from_json(data: Any) -> tuple[list[TemplateIn], dict[str, Any] | None]:
    """The CLI's file: `{"templates": [{"code", "lang", "body", "active"}], "settings": {...}}` (the
    API's PUT body). TemplateError says what is wrong."""
    if not isinstance(data, Mapping):
        raise TemplateError("text", "the file must hold a JSON object with \"templates\" and/or \"settings\"")
    unknown = set(data) - {"templates", "settings"}
    if unknown:
        raise TemplateError("text", f"unknown key {sorted(unknown)[0][:40]!r}; expected \"templates\", \"settings\"")
    items = data.get("templates", [])
    if not isinstance(items, list):
        raise TemplateError("text", "\"templates\" must be a list")
    out: list[TemplateIn] = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise TemplateError("text", f"templates[{i}] must be an object with code, lang, body")
        extra = set(item) - {"code", "lang", "body", "active"}
        if extra:
            raise TemplateError("text", f"templates[{i}]: unknown key {sorted(extra)[0][:40]!r}")
        active = item.get("active", True)
        if not isinstance(active, bool):
            raise TemplateError("text", f"templates[{i}].active must be true or false")
        code, body, lang = item.get("code"), item.get("body"), item.get("lang", "zh")
        if not isinstance(code, str) or not isinstance(body, str) or not isinstance(lang, str):
            raise TemplateError("text", f"templates[{i}] needs code and body as text")
        out.append(TemplateIn(code=code, body=body, lang=lang, active=active))
    settings = data.get("settings")
    if settings is not None and not isinstance(settings, Mapping):
        raise TemplateError("text", "\"settings\" must be an object of company, hotline, pay_channels")
    return out, None if settings is None else dict(settings)


def store(session: Session, templates: Iterable[TemplateIn], settings: Mapping[str, Any] | None, *, actor: str,
          now: datetime) -> list[str]:
    """Check everything, then store what changed; the codes stored as a new version. TemplateError
    (nothing stored: the caller's transaction is rolled back by raising)."""
    items = list(templates)
    if len(items) > MAX_TEMPLATES:
        raise TemplateError("length", f"at most {MAX_TEMPLATES} templates at once")
    current = load_settings(session)
    new_settings = dict(current)
    if settings is not None:
        new_settings.update(check_settings(settings))
    seen: set[str] = set()
    for i, t in enumerate(items):
        where = f"templates[{i}] ({t.code[:64]})"
        check_code(t.code)
        if t.code in seen:
            raise TemplateError("code", f"{where}: the code appears twice")
        seen.add(t.code)
        if t.lang not in LANGS:
            raise TemplateError("text", f"{where}: lang must be one of {', '.join(LANGS)}")
        check_body(t.body, where)
    if settings is not None and new_settings != current:
        previous = session.get(Meta, SETTINGS_KEY)
        version = 1 + (json.loads(previous.value).get("version", 0) if previous is not None else 0)
        value = json.dumps({**new_settings, "version": version, "set_by": actor, "set_at": now.isoformat()},
                           ensure_ascii=False)
        if previous is None:
            session.add(Meta(key=SETTINGS_KEY, value=value))
        else:
            previous.value = value
    changed: list[str] = []
    by_code = {row.code: row for row in current_templates(session)}
    for t in items:
        old = by_code.get(t.code)
        body = t.body.strip()
        if old is not None and (old.body, old.lang, old.active) == (body, t.lang, t.active):
            continue
        session.add(SmsTemplate(code=t.code, version=(old.version + 1) if old else 1, lang=t.lang, body=body,
                                active=t.active, set_by=actor[:64], set_at=now))
        changed.append(t.code)
    session.flush()
    return changed


def template_out(row: SmsTemplate) -> dict[str, Any]:
    parsed = parse_template(row.body)
    return {"code": row.code, "version": row.version, "lang": row.lang, "body": row.body, "active": row.active,
            "fields": list(parsed.fields), "longest": parsed.longest(), "set_by": row.set_by, "set_at": row.set_at}
