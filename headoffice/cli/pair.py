"""`python -m headoffice pair AGENT PARTNER | pair AGENT --clear`: set or clear a standing pair (both ways; logged)."""

from __future__ import annotations

import argparse
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema, set_standing_pair


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("pair", parents=[common], help="set or clear an agent's standing partner")
    p.add_argument("agent", help="username of an agent")
    p.add_argument("partner", nargs="?", default="", help="username of the partner (same team)")
    p.add_argument("--clear", action="store_true", help="end the agent's standing pair")
    p.set_defaults(handler=cmd_pair)


def cmd_pair(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from headoffice.pairs import find_agent

    if bool(args.partner) == bool(args.clear):
        raise CliError("name the partner, or give --clear to end the agent's pair")
    db = database(args)
    require_schema(db)
    with db.write() as session:
        agent = find_agent(session, args.agent)
        if agent is None:
            raise CliError(f"no user {args.agent!r}")
        former = agent.partner_id
        set_standing_pair(session, agent, None if args.clear else args.partner, datetime.now(UTC))
    if args.clear:
        print(f"{args.agent} has no standing partner now" if former else f"{args.agent} had no standing partner")
    else:
        print(f"{args.agent} and {args.partner} are a standing pair")
    return 0
