"""`python -m headoffice sms …`: the ladder's SMS reminders.

  sms list [--status S] [--limit N]    the queue: case number, masked number, template, scheduled time
                                       in the debtor's zone, status
  sms templates show                   the templates in force and the company settings, as JSON
  sms templates set FILE [--by NAME]   store templates/settings from a JSON file (the API's PUT body);
                                       a refused one says which rule (wording, merge_field, …), exit 2
  sms send [--now ISO] --sms-gateway URL [--sms-signature S] [--sms-token T] [--profile P]
                                       one pass: plan the pending actions, then send what is due
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema

STATES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "skipped")
MAX_FILE = 1024 * 1024


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sms", help="SMS reminders: list the queue, templates, one sending pass")
    inner = p.add_subparsers(dest="sms_command", required=True)
    q = inner.add_parser("list", parents=[common], help="the SMS queue")
    q.add_argument("--status", choices=STATES, default=None)
    q.add_argument("--limit", type=int, default=1000)
    q.add_argument("--profile", default="CN", help="compliance profile (its zone for debtors without one)")
    q.set_defaults(handler=cmd_list)
    t = inner.add_parser("templates", help="SMS templates: show | set FILE")
    tsub = t.add_subparsers(dest="templates_command", required=True)
    show = tsub.add_parser("show", parents=[common], help="print the templates in force as JSON")
    show.set_defaults(handler=cmd_show)
    put = tsub.add_parser("set", parents=[common], help="store templates from a JSON file")
    put.add_argument("file")
    put.add_argument("--by", default="cli", help="who sets them (recorded with each version)")
    put.set_defaults(handler=cmd_set)
    s = inner.add_parser("send", parents=[common], help="one pass: plan pending SMS actions, send what is due")
    s.add_argument("--now", default=None, help="the time of the pass (ISO with a zone; default: now)")
    s.add_argument("--sms-gateway", required=True, metavar="URL")
    s.add_argument("--sms-signature", default="Doorstep", metavar="TEXT")
    s.add_argument("--sms-token", default=None)
    s.add_argument("--profile", default="CN", help="compliance profile: built-in id or a JSON file")
    s.add_argument("--limit", type=int, default=500, help="messages to send in this pass at most")
    s.set_defaults(handler=cmd_send)


def _profile(source: str) -> Any:
    from app.domain.compliance import ProfileError
    from headoffice.config import load_profile

    try:
        return load_profile(source)[0]
    except ProfileError as exc:
        raise CliError(str(exc)) from None


def cmd_list(args: argparse.Namespace) -> int:
    from headoffice.sms.listing import queue, table

    if not 1 <= args.limit <= 1_000_000:
        raise CliError("--limit must be 1 to 1,000,000")
    profile = _profile(args.profile)
    db = database(args)
    try:
        require_schema(db)
        lines, total = queue(db, args.status, args.limit, profile.timezone)
    finally:
        db.dispose()
    print(table(lines))
    more = total - len(lines)
    print(f"{total} message(s)" + (f" ({more} more not shown: --limit)" if more > 0 else ""))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from headoffice.sms.templates import current_templates, load_settings, template_out

    db = database(args)
    try:
        require_schema(db)
        with db.read() as s:
            rows = [template_out(r) for r in current_templates(s)]
            settings = load_settings(s)
    finally:
        db.dispose()
    out = {"templates": [{**r, "set_at": r["set_at"].isoformat()} for r in rows], "settings": settings}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from app.domain.clock import utcnow
    from headoffice.sms.fields import TemplateError
    from headoffice.sms.templates import store, templates_from_json

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_FILE:
            raise CliError(f"{args.file} is larger than 1 MB")
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CliError(f"{args.file} is not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise CliError(f"{args.file} is not JSON: {str(exc)[:200]}") from None
    db = database(args)
    try:
        require_schema(db)
        items, settings = templates_from_json(data)
        with db.write() as s:
            changed = store(s, items, settings, actor=args.by[:64], now=utcnow())
    except TemplateError as exc:
        raise CliError(f"{args.file}: refused ({exc.rule}): {exc.detail}; nothing was stored") from None
    finally:
        db.dispose()
    print(f"stored {len(changed)} new template version(s)" + (f": {', '.join(changed)}" if changed else "")
          + ("; settings updated" if settings is not None else ""))
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from headoffice.sms.jobs import gateway
    from headoffice.sms.plan import plan
    from headoffice.sms.send import Sender, send_due

    now = None
    if args.now is not None:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            raise CliError("--now must be an ISO time, e.g. 2026-12-01T09:00:00+08:00") from None
        if now.tzinfo is None:
            raise CliError("--now needs a zone, e.g. 2026-12-01T09:00:00+08:00")
    if not 1 <= args.limit <= 100_000:
        raise CliError("--limit must be 1 to 100,000")
    profile = _profile(args.profile)
    try:
        adapter = gateway(args.sms_gateway, args.sms_signature, args.sms_token)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    from app.domain.clock import utcnow

    db = database(args)
    sender = Sender(adapter, profile)
    try:
        require_schema(db)
        planned = plan(db, now or utcnow(), profile)
        result = send_due(db, now if now is not None else utcnow, sender, args.limit)
    finally:
        sender.close()
        db.dispose()
    def reasons(counts: dict[str, int]) -> str:
        return "".join(f", {k} {v}" for k, v in sorted(counts.items()))

    print(f"planned {planned.queued} of {planned.actions} action(s) (skipped {sum(planned.actions_skipped.values())}"
          f"{reasons(planned.actions_skipped)}; numbers passed over {sum(planned.numbers_skipped.values())}"
          f"{reasons(planned.numbers_skipped)})")
    print(f"sent {result.sent}, retrying {result.retried}, failed {result.failed}, "
          f"held for the contact window {result.requeued}, skipped {result.skipped}")
    return 0
