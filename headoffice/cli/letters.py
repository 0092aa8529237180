"""`python -m headoffice letters …`: lawyer's letters (headoffice/letters/).

  letters --date D --out DIR [--public-url URL] [--workers N]
                               make the letters due on D, write one PDF each, one print file and the
                               mailing manifest (manifest.csv, manifest.xlsx); the same day again
                               makes nothing new
  letters tracking FILE        read tracking numbers back from the filled-in manifest (CSV or XLSX);
                               exit 1 if any row was refused (each said with its line)
  letters firms show | letters firms set FILE          the law firms (JSON: {"firms": [...]})
  letters templates show | letters templates set FILE  the letter templates (JSON: {"templates": [...]})

A file that is refused (a wording rule, an unknown merge field, a channel that is not a designated
one, an unknown firm, invalid JSON or fields) is said in one message, exit 2, and nothing is stored.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema

PUBLIC_URL_ENV = "DOORSTEP_HEADOFFICE_PUBLIC_URL"
MAX_JSON = 2 * 1024 * 1024
USAGE = ("letters --date D --out DIR | letters tracking FILE | letters firms show|set FILE | "
         "letters templates show|set FILE")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("letters", parents=[common], help="lawyer's letters: make and print a day's letters, "
                                                        "tracking numbers, firms, templates",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", nargs="*", metavar="tracking FILE | firms|templates show|set FILE")
    p.add_argument("--date", default=None, help="the letters date, YYYY-MM-DD")
    p.add_argument("--out", default=None, help="the folder the PDFs and the manifest are written to")
    p.add_argument("--public-url", default=os.environ.get(PUBLIC_URL_ENV, ""),
                   help=f"the head office's public address printed for checking a code (or ${PUBLIC_URL_ENV})")
    p.add_argument("--workers", type=int, default=None, help="processes drawing PDFs (default: the cores)")
    p.add_argument("--now", default=None, help="the time recorded (ISO, with zone; default: now)")
    p.set_defaults(handler=cmd_letters)


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--now {text[:40]!r} is not an ISO time") from None
    if value.tzinfo is None:
        raise CliError("--now needs a zone, e.g. 2026-12-01T09:00:00+08:00")
    return value.astimezone(UTC)


def cmd_letters(args: argparse.Namespace) -> int:
    what = list(args.what)
    if not what:
        return _make(args)
    if what[0] == "tracking" and len(what) == 2:
        return _tracking(args, Path(what[1]))
    if what[0] in ("firms", "templates") and what[1:2] == ["show"] and len(what) == 2:
        return _show(args, what[0])
    if what[0] in ("firms", "templates") and what[1:2] == ["set"] and len(what) == 3:
        return _set(args, what[0], Path(what[2]))
    raise CliError(f"usage: {USAGE}")


def _make(args: argparse.Namespace) -> int:
    from headoffice.letters.batch import run_day

    if not args.date or not args.out:
        raise CliError(f"give --date and --out (usage: {USAGE})")
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise CliError(f"--date {args.date[:40]!r} is not a date (YYYY-MM-DD)") from None
    public = args.public_url.strip().rstrip("/")
    if not public.startswith(("https://", "http://")) or len(public) > 200 or any(c.isspace() for c in public):
        raise CliError(f"--public-url (or ${PUBLIC_URL_ENV}): the head office's address as a debtor types it "
                       "to check a letter, e.g. https://check.example.com")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise CliError("--workers must be 1 to 64")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out} is a file, not a folder")
    db = database(args)
    require_schema(db)
    run = run_day(db, day, out, _now(args.now), public, workers=args.workers)
    made = run.made
    print(f"{day.isoformat()}: {made.made} letter(s) made now, {run.letters} letter(s) of the day, "
          f"{run.recorded} PDF(s) put on record")
    for reason, n in sorted(made.skipped.items()):
        print(f"  skipped ({reason}): {n}")
    for reason, n in sorted(made.failed.items()):
        print(f"  not made ({reason}): {n}")
    if run.cut:
        print(f"  {run.cut} letter(s) had text cut to fit one page")
    if run.merged is not None:
        print(f"print file: {run.merged}")
    if run.manifest is not None:
        print(f"manifest: {run.manifest[0]}, {run.manifest[1]}")
    return 0


def _tracking(args: argparse.Namespace, path: Path) -> int:
    from headoffice.letters.manifest import ManifestError, import_tracking, read_tracking

    try:
        rows = read_tracking(path)
    except ManifestError as exc:
        raise CliError(str(exc)) from None
    db = database(args)
    require_schema(db)
    result = import_tracking(db, rows, _now(args.now))
    print(f"{result.mailed} letter(s) marked mailed, {result.unchanged} already so, {result.blank} row(s) "
          f"without a tracking number, {len(result.problems)} row(s) refused")
    for problem in result.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if result.problems else 0


def _show(args: argparse.Namespace, kind: str) -> int:
    from app.contract.letters import LawFirmsData, LetterTemplatesOut
    from headoffice.letters import store

    db = database(args)
    require_schema(db)
    with db.read() as session:
        body = (LawFirmsData(firms=store.firms(session)) if kind == "firms"
                else LetterTemplatesOut(templates=store.templates(session)))
    print(json.dumps(body.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


def _set(args: argparse.Namespace, kind: str, path: Path) -> int:
    from pydantic import ValidationError

    from app.contract.letters import LawFirmsData, LetterTemplatesData
    from headoffice.letters import store
    from headoffice.letters.fields import LetterProblem

    try:
        if path.stat().st_size > MAX_JSON:
            raise CliError(f"{path} is larger than {MAX_JSON // (1024 * 1024)} MB")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CliError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    model = LawFirmsData if kind == "firms" else LetterTemplatesData
    try:
        data = model.model_validate_json(text)
    except ValidationError as exc:
        raise CliError(f"{path}: {_first_error(exc)}") from None
    db = database(args)
    require_schema(db)
    now = _now(args.now)
    try:
        with db.write() as session:
            if isinstance(data, LawFirmsData):
                n = store.store_firms(session, data.firms, now)
            else:
                n = store.store_templates(session, data.templates, "cli", now)
    except LetterProblem as exc:
        raise CliError(f"{path}: refused ({exc.code}): {exc.detail}") from None
    what = "firm(s) added or changed" if kind == "firms" else "new template version(s)"
    print(f"{n} {what}")
    return 0


def _first_error(exc: Any) -> str:
    from app.domain.text_input import shown

    errors = exc.errors()
    if not errors:
        return "invalid"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "not valid JSON"
    where = ".".join(shown(str(p)) for p in first.get("loc", ()))
    return f"{where}: {shown(str(first.get('msg', 'invalid')), 300)}"
