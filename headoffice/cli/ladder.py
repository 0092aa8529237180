"""`python -m headoffice ladder …`: the escalation ladder from the command line.

  ladder policy show [--team T]          the policy in force for a team ("" or left out: the company default)
  ladder policy set FILE [--team T]      store a new version from a JSON file (checked; exit 2 naming every problem)
  ladder run --date YYYY-MM-DD [--dry-run] [--now ISO] [--profile CN]
                                         the daily run; prints moves by level, skips by reason, why the rest stayed
  ladder hold CASE_NO --reason TEXT      keep a case at its level (audited)
  ladder release CASE_NO --reason TEXT
  ladder move CASE_NO LEVEL --reason TEXT   put a case at a level (up or down; a door only with a trigger)
"""

from __future__ import annotations

import argparse
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema

MAX_POLICY_BYTES = 1024 * 1024


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ladder", parents=[common], help="the escalation ladder: policy, daily run, hold, move")
    # --db may come before or after the subcommand; given after, it wins (no default there to overwrite it).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="database URL (sqlite:///file or postgresql://…)")
    lsub = p.add_subparsers(dest="ladder_command", required=True)
    pol = lsub.add_parser("policy", parents=[common], help="show or set a team's ladder policy")
    psub = pol.add_subparsers(dest="policy_command", required=True)
    show = psub.add_parser("show", parents=[common], help="print the policy in force (JSON)")
    show.add_argument("--team", default="", help="the team (default: the company default)")
    show.set_defaults(handler=cmd_policy_show)
    put = psub.add_parser("set", parents=[common], help="store a new version of a policy from a JSON file")
    put.add_argument("file")
    put.add_argument("--team", default="", help="the team (default: the company default)")
    put.set_defaults(handler=cmd_policy_set)
    run = lsub.add_parser("run", parents=[common], help="the daily run for a date")
    run.add_argument("--date", required=True, help="YYYY-MM-DD, the run date (the compliance profile's zone)")
    run.add_argument("--dry-run", action="store_true", help="decide and count, write nothing")
    run.add_argument("--now", default=None, help="ISO time the rows are stamped with (default: now)")
    run.add_argument("--profile", default="CN", help="compliance profile: promise grace days and time zone")
    run.add_argument("--batch", type=int, default=None, help="case ids per transaction")
    run.set_defaults(handler=cmd_run)
    for name, text in (("hold", "keep a case at its level"), ("release", "release a held case")):
        c = lsub.add_parser(name, parents=[common], help=text)
        c.add_argument("case_no")
        c.add_argument("--reason", required=True)
        c.add_argument("--now", default=None)
        c.set_defaults(handler=cmd_hold_release, action=name)
    mv = lsub.add_parser("move", parents=[common], help="put a case at a level of its policy")
    mv.add_argument("case_no")
    mv.add_argument("level")
    mv.add_argument("--reason", required=True)
    mv.add_argument("--now", default=None)
    mv.add_argument("--profile", default="CN")
    mv.set_defaults(handler=cmd_move)


def _now(text: str | None) -> Any:
    from datetime import datetime

    from app.domain.clock import utcnow

    if text is None:
        return utcnow()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--now: not an ISO time: {text[:40]!r}") from None
    if value.tzinfo is None:
        raise CliError("--now needs a zone, e.g. 2026-12-10T09:00:00+08:00")
    return value


def _profile(name: str) -> Any:
    from app.domain.compliance import ProfileError
    from headoffice.config import load_profile

    try:
        return load_profile(name)[0]
    except ProfileError as exc:
        raise CliError(str(exc)) from None


def cmd_policy_show(args: argparse.Namespace) -> int:
    import json

    from headoffice.ladder.policy import in_force

    db = database(args)
    require_schema(db)
    with db.read() as s:
        stored = in_force(s, args.team)
    if stored is None:
        raise CliError("no ladder policy is set" + (f" for team {args.team!r}" if args.team else "")
                       + " (nor a company default)")
    whose = "the company default" if not stored.scope else f"team {stored.scope}"
    inherited = " (inherited)" if stored.scope != args.team else ""
    print(f"# {whose}{inherited}, version {stored.version}, set by {stored.set_by} at {stored.set_at.isoformat()}")
    print(json.dumps(stored.policy.as_json(), ensure_ascii=False, indent=2))
    return 0


def cmd_policy_set(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from headoffice.ladder.policy import LadderPolicyError, store

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise CliError(f"{path.name}: larger than 1 MB")
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise CliError(f"cannot read {path.name}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CliError(f"{path.name} is not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise CliError(f"{path.name} is not valid JSON: {str(exc)[:200]}") from None
    db = database(args)
    require_schema(db)
    try:
        with db.write() as s:
            stored = store(s, args.team, data, actor="cli", actor_id=None, now=_now(None))
    except LadderPolicyError as exc:
        raise CliError(f"{exc.code}: {exc.detail}") from None
    whose = "the company default" if not stored.scope else f"team {stored.scope}"
    print(f"stored {whose}'s ladder policy, version {stored.version} ({len(stored.policy.levels)} levels)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from datetime import date

    from headoffice.ladder.run import BATCH, run

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise CliError(f"--date: not a date YYYY-MM-DD: {args.date[:40]!r}") from None
    if args.batch is not None and not 1 <= args.batch <= 1_000_000:
        raise CliError("--batch: 1 to 1,000,000 case ids")
    db = database(args)
    require_schema(db)
    summary = run(db, day, _now(args.now), dry_run=args.dry_run, profile=_profile(args.profile),
                  batch=args.batch or BATCH)
    print("\n".join(summary.lines()))
    return 0


def _case_id(s: Any, case_no: str) -> int:
    from sqlalchemy import select

    from headoffice.models import Case

    case_id = s.scalar(select(Case.id).where(Case.case_no == case_no))
    if case_id is None:
        raise CliError(f"no case {case_no[:64]!r}")
    return int(case_id)


def cmd_hold_release(args: argparse.Namespace) -> int:
    from headoffice.ladder import holds

    db = database(args)
    require_schema(db)
    act = holds.hold if args.action == "hold" else holds.release
    try:
        with db.write() as s:
            row = act(s, _case_id(s, args.case_no), args.reason, "cli", "cli", _now(args.now))
            level = row.level
    except holds.LadderCommandError as exc:
        raise CliError(f"{exc.code}: {exc.detail}") from None
    print(f"{args.case_no}: {'held' if args.action == 'hold' else 'released'} at {level}")
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    from headoffice.ladder import holds

    db = database(args)
    require_schema(db)
    profile = _profile(args.profile)
    try:
        with db.write() as s:
            result = holds.move(s, _case_id(s, args.case_no), args.level, args.reason, "cli", "cli", _now(args.now),
                                profile)
    except holds.LadderCommandError as exc:
        raise CliError(f"{exc.code}: {exc.detail}") from None
    why = f", trigger {result.trigger}" if result.trigger else ""
    print(f"{args.case_no}: {result.from_level or '(not on the ladder)'} → {result.to_level} "
          f"(stage {result.stage}{why})")
    return 0
