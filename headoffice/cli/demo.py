"""`python -m headoffice demo-data`: the demo team and cases (prints the accounts and their passwords);
`demo-data --pairs` pairs the demo agents who have no partner yet, in a demo database made earlier."""

from __future__ import annotations

import argparse
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo-data", parents=[common], help="create the demo team and cases")
    p.add_argument("--cases", type=int, default=600)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--today", default=None, help="YYYY-MM-DD the demo is built around (default: today)")
    p.add_argument("--password", default=None, help="one password for every demo account")
    p.add_argument("--pairs", action="store_true",
                   help="only pair the demo agents who have no partner yet, in an existing demo database")
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from datetime import date

    from headoffice.demo import DemoError, create_demo

    db = database(args)
    require_schema(db)
    if args.pairs:
        from app.domain.clock import utcnow
        from headoffice.demo import pair_demo_agents

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
