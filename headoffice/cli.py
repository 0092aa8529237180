"""`python -m headoffice COMMAND --db URL …`

  init-db                      create or upgrade the schema (Alembic), idempotent
  serve [--host] [--port]      run the API (port 0: pick a free port; the URL is printed first)
  create-user --username --role agent|supervisor|admin [--team] [--partner USER]   password from stdin
  pair AGENT PARTNER | pair AGENT --clear   set or clear a standing pair (both ways; logged)
  import-cases FILE            CSV (UTF-8, UTF-8 with BOM, GBK) or JSON from the lending platform;
                               exit 1 if the file or any row was refused (each row said with its line)
  demo-data [--cases N]        demo team and cases; prints the accounts and their passwords
  demo-data --pairs            pair the demo agents who have no partner yet (a demo database made earlier)
  prune-changes --keep N       forget old pull-log rows (cursors older than that get 410)

The database URL: `sqlite:///path/to/headoffice.sqlite3` (default: ./headoffice.sqlite3, or the
environment variable DOORSTEP_HEADOFFICE_DB) or `postgresql://user:pass@host:port/dbname`.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import FAULTS_ENV, Settings

DEFAULT_DB = "sqlite:///headoffice.sqlite3"


class CliError(Exception):
    pass


def _db(args: argparse.Namespace):
    from .db import Database

    return Database(args.db)


def _require_schema(db: object) -> None:
    from .migrate import current_revision, head_revision

    current = current_revision(db)  # type: ignore[arg-type]
    if current != head_revision():
        raise CliError("the database is not initialised or is out of date: "
                       "run `python -m headoffice init-db --db URL` first")


def cmd_init_db(args: argparse.Namespace) -> int:
    from .migrate import upgrade

    db = _db(args)
    try:
        upgrade(db)
    finally:
        db.dispose()
    print("database ready")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.domain.compliance import ProfileError

    from .api import create_app
    from .config import load_profile

    try:
        load_profile(args.profile)  # a bad profile file is one message, before the database is touched
    except ProfileError as exc:
        raise CliError(str(exc)) from None
    settings = Settings(db_url=args.db, profile_source=args.profile, access_ttl=args.access_ttl,
                        refresh_ttl=args.refresh_ttl, retain_changes=args.retain_changes,
                        login_rate=args.login_rate, lockout_after=args.lockout_after,
                        lockout_base=args.lockout_base,
                        fault_hooks=args.fault_hooks or os.environ.get(FAULTS_ENV) == "1")
    db = _db(args)
    _require_schema(db)
    app = create_app(settings, db)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    print(f"head office listening on http://{host}:{port}", flush=True)
    if settings.fault_hooks:
        print("WARNING: fault hooks are enabled (tests only)", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, server_header=False,
                            date_header=True, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from app.domain.text_input import text_problem

    from .models import User
    from .security import MIN_PASSWORD, hash_password

    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise CliError(f"the password (read from standard input) needs at least {MIN_PASSWORD} characters")
    username = args.username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise CliError("the username must be 1-64 characters without spaces")
    if args.role == "admin" and args.team:
        raise CliError("admins have no team")
    if args.role != "admin" and not args.team:
        raise CliError("agents and supervisors need --team")
    for option, value, limit in (("--username", username, 64), ("--team", args.team, 64),
                                 ("--display-name", args.display_name, 200)):
        problem = text_problem(value, max_length=limit)
        if problem is not None:
            raise CliError(f"{option} {problem}")
    db = _db(args)
    _require_schema(db)
    with db.write() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise CliError(f"user {username!r} already exists")
        user = User(username=username, display_name=args.display_name or username, role=args.role,
                    team=args.team or "", password_hash=hash_password(password), active=True, failed_logins=0,
                    created_at=datetime.now(UTC))
        session.add(user)
        session.flush()
        uid = user.id
        if args.partner:
            _pair(session, user, args.partner, datetime.now(UTC))
    print(f"created {args.role} {username} (id {uid})" + (f", paired with {args.partner}" if args.partner else ""))
    return 0


def _pair(session: object, agent: object, partner_name: str | None, now: object) -> None:
    from .pairs import PairError, find_agent, set_pair

    partner = None
    if partner_name is not None:
        partner = find_agent(session, partner_name)  # type: ignore[arg-type]
        if partner is None:
            raise CliError(f"no user {partner_name!r}")
    try:
        set_pair(session, agent, partner, actor="cli", via="cli", now=now)  # type: ignore[arg-type]
    except PairError as exc:
        raise CliError(exc.detail) from None


def cmd_pair(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from .pairs import find_agent

    if bool(args.partner) == bool(args.clear):
        raise CliError("name the partner, or give --clear to end the agent's pair")
    db = _db(args)
    _require_schema(db)
    with db.write() as session:
        agent = find_agent(session, args.agent)
        if agent is None:
            raise CliError(f"no user {args.agent!r}")
        former = agent.partner_id
        _pair(session, agent, None if args.clear else args.partner, datetime.now(UTC))
    if args.clear:
        print(f"{args.agent} has no standing partner now" if former else f"{args.agent} had no standing partner")
    else:
        print(f"{args.agent} and {args.partner} are a standing pair")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Exit 0: every row imported; 1: the file, or some of its rows, refused (each said on standard
    error with its line and field); 2: the command could not run (usage, database)."""
    from .importer import ImportFileError, import_file

    db = _db(args)
    try:
        _require_schema(db)
        report = import_file(db, Path(args.file), default_team=args.team)
    except ImportFileError as exc:
        print(f"error: {args.file}: {exc}; nothing was imported", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    for problem in report.problems:
        print(f"line {problem.line}: {problem.reason}", file=sys.stderr)
    print(f"imported {report.created} new and {report.updated} updated cases; "
          f"{report.unchanged} unchanged; {len(report.problems)} row(s) skipped")
    return 1 if report.problems else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from datetime import date

    from .demo import DemoError, create_demo

    db = _db(args)
    _require_schema(db)
    if args.pairs:
        from app.domain.clock import utcnow

        from .demo import pair_demo_agents

        with db.write() as session:
            made = pair_demo_agents(session, utcnow())
        print("paired " + (", ".join(f"{a} with {b}" for a, b in made) if made else "nobody: the pairs are set"))
        return 0
    today = date.fromisoformat(args.today) if args.today else None
    try:
        with db.write() as session:
            accounts = create_demo(session, args.cases, seed=args.seed, today=today, password=args.password)
    except DemoError as exc:
        raise CliError(str(exc)) from None
    print(f"demo head office: {args.cases} cases; accounts (username / password / role / team):")
    for a in accounts:
        print(f"  {a.username}\t{a.password}\t{a.role}\t{a.team}")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from .changes import prune

    db = _db(args)
    _require_schema(db)
    with db.write() as session:
        n = prune(session, args.keep)
    print(f"forgot {n} change(s)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=os.environ.get("DOORSTEP_HEADOFFICE_DB", DEFAULT_DB),
                        help="database URL (sqlite:///file or postgresql://…)")
    parser = argparse.ArgumentParser(prog="python -m headoffice", description="Doorstep head office")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", parents=[common], help="create or upgrade the database schema")
    p.set_defaults(handler=cmd_init_db)

    p = sub.add_parser("serve", parents=[common], help="run the REST API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8750)
    p.add_argument("--profile", default="CN", help="compliance profile: built-in id (CN, US-RegF) or a JSON file")
    p.add_argument("--access-ttl", type=int, default=900, help="access token lifetime, seconds")
    p.add_argument("--refresh-ttl", type=int, default=30 * 24 * 3600, help="refresh token lifetime, seconds")
    p.add_argument("--retain-changes", type=int, default=None,
                   help="keep only this many pull-log changes (older cursors get 410)")
    p.add_argument("--login-rate", type=int, default=30, help="login attempts per address per minute (0: off)")
    p.add_argument("--lockout-after", type=int, default=5, help="failed logins before an account locks")
    p.add_argument("--lockout-base", type=int, default=30, help="first lockout, seconds (doubles after)")
    p.add_argument("--fault-hooks", action="store_true", help="enable test fault hooks (never in production)")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("create-user", parents=[common], help="add a user; the password is read from stdin")
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=["agent", "supervisor", "admin"])
    p.add_argument("--team", default="")
    p.add_argument("--display-name", default="")
    p.add_argument("--partner", default="", help="an existing agent of the team to pair the new agent with")
    p.set_defaults(handler=cmd_create_user)

    p = sub.add_parser("pair", parents=[common], help="set or clear an agent's standing partner")
    p.add_argument("agent", help="username of an agent")
    p.add_argument("partner", nargs="?", default="", help="username of the partner (same team)")
    p.add_argument("--clear", action="store_true", help="end the agent's standing pair")
    p.set_defaults(handler=cmd_pair)

    p = sub.add_parser("import-cases", parents=[common], help="import overdue cases (CSV or JSON)")
    p.add_argument("file")
    p.add_argument("--team", default="", help="team for rows that name none")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("demo-data", parents=[common], help="create the demo team and cases")
    p.add_argument("--cases", type=int, default=600)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--today", default=None, help="YYYY-MM-DD the demo is built around (default: today)")
    p.add_argument("--password", default=None, help="one password for every demo account")
    p.add_argument("--pairs", action="store_true",
                   help="only pair the demo agents who have no partner yet, in an existing demo database")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("prune-changes", parents=[common], help="forget old pull-log rows")
    p.add_argument("--keep", type=int, required=True)
    p.set_defaults(handler=cmd_prune)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a database that cannot be reached, a bad URL, one that refused a write …
        from sqlalchemy.exc import ArgumentError, DBAPIError

        if isinstance(exc, DBAPIError | ArgumentError):
            first = (str(exc).splitlines() or [""])[0][:300]
            print(f"error: cannot use the database: {type(exc).__name__}: {first}",
                  file=sys.stderr)
            return 2
        raise
