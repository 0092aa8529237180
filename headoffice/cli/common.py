"""What the head office's command groups share: the database, its schema check, setting a standing pair."""

from __future__ import annotations

import argparse
from typing import Any

from headoffice.cli import CliError


def database(args: argparse.Namespace) -> Any:
    from headoffice.db import Database

    return Database(args.db)


def require_schema(db: object) -> None:
    from headoffice.migrate import current_revision, head_revision

    current = current_revision(db)  # type: ignore[arg-type]
    if current != head_revision():
        raise CliError("the database is not initialised or is out of date: "
                       "run `python -m headoffice init-db --db URL` first")


def set_standing_pair(session: object, agent: object, partner_name: str | None, now: object) -> None:
    """Pair `agent` with the agent named `partner_name` (None: end its pair), logged as done from the cli."""
    from headoffice.pairs import PairError, find_agent, set_pair

    partner = None
    if partner_name is not None:
        partner = find_agent(session, partner_name)  # type: ignore[arg-type]
        if partner is None:
            raise CliError(f"no user {partner_name!r}")
    try:
        set_pair(session, agent, partner, actor="cli", via="cli", now=now)  # type: ignore[arg-type]
    except PairError as exc:
        raise CliError(exc.detail) from None
