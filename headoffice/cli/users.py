"""`python -m headoffice create-user`: add a user (the password is read from standard input);
`set-phone USER NUMBER | set-phone USER --clear`: the mobile number safety alarms are sent to."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema, set_standing_pair


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("create-user", parents=[common], help="add a user; the password is read from stdin")
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=["agent", "supervisor", "admin"])
    p.add_argument("--team", default="")
    p.add_argument("--display-name", default="")
    p.add_argument("--partner", default="", help="an existing agent of the team to pair the new agent with")
    p.add_argument("--phone", default="", help="mobile number for safety alarms (E.164, or a Chinese mobile)")
    p.set_defaults(handler=cmd_create_user)
    p = sub.add_parser("set-phone", parents=[common], help="set or clear a user's mobile number (safety alarms)")
    p.add_argument("username")
    p.add_argument("phone", nargs="?", default="", help="the number (E.164, or a Chinese mobile without +86)")
    p.add_argument("--clear", action="store_true", help="remove the user's number")
    p.set_defaults(handler=cmd_set_phone)


def _phone(text: str) -> str:
    from headoffice.phones import PhoneError, e164

    try:
        return e164(text)
    except PhoneError as exc:
        raise CliError(f"--phone: {exc}") from None


def cmd_set_phone(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from headoffice.models import User

    if bool(args.phone) == bool(args.clear):
        raise CliError("give the number, or --clear to remove it")
    phone = None if args.clear else _phone(args.phone)
    db = database(args)
    require_schema(db)
    with db.write() as session:
        user = session.scalar(select(User).where(User.username == args.username.strip()))
        if user is None:
            raise CliError(f"no user {args.username!r}")
        user.phone = phone
    print(f"{args.username}: phone {phone}" if phone else f"{args.username}: no phone number")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from app.domain.text_input import text_problem
    from headoffice.models import User
    from headoffice.security import MIN_PASSWORD, hash_password

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
    phone = _phone(args.phone) if args.phone else None
    db = database(args)
    require_schema(db)
    with db.write() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise CliError(f"user {username!r} already exists")
        user = User(username=username, display_name=args.display_name or username, role=args.role,
                    team=args.team or "", password_hash=hash_password(password), active=True, failed_logins=0,
                    created_at=datetime.now(UTC), phone=phone)
        session.add(user)
        session.flush()
        uid = user.id
        if args.partner:
            set_standing_pair(session, user, args.partner, datetime.now(UTC))
    print(f"created {args.role} {username} (id {uid})" + (f", paired with {args.partner}" if args.partner else ""))
    return 0
