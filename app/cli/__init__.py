"""Command line: `python -m app <command> --help`.

The top of the layers: each command is a small function over the same services the GUI uses
(`app.services`, and `app.sync`, `app.routing`, `app.maps`, `app.reports`, `app.store`, `app.domain`);
nothing below imports `app.cli`. A lower layer reports a problem with its own exception, and the
command turns it into a `CliError`.

One module per command group (`app/cli/<group>.py`, each with `register(subparsers, common)`),
listed in `COMMAND_GROUPS` in the order `--help` shows them. Every group is imported to build the
parser: one that cannot be imported, or has no `register`, stops `python -m app` with a message
naming it (exit 70), it never just goes missing from `--help`. A group imports its heavy libraries
(SQLAlchemy, reportlab, openpyxl, httpx, OR-Tools, folium) only inside the command that needs
them, so `--help` stays fast; Qt never.

Exit codes: 0 done, 1 a refused input file (and what a command documents, e.g. `check`, `sync`),
2 a problem the user can fix (usage, data folder, store), 70 a broken installation, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

Handler = Callable[[argparse.Namespace], int]

# The command groups, in the order `python -m app --help` lists their commands. Each module has
# `register(subparsers, common)`. A new group is one module and one line here.
COMMAND_GROUPS: tuple[str, ...] = (
    "app.cli.demo_data",  # demo-data
    "app.cli.cases",  # cases
    "app.cli.check",  # check
    "app.cli.route",  # plan-route
    "app.cli.report",  # report daily|case|receipt|team
    "app.cli.export",  # export cases
    "app.cli.sync",  # sync
    "app.cli.audit",  # audit verify
    "app.cli.security",  # security encrypt|change-secret|purge
    "app.cli.maps",  # map-prefetch
)

EXIT_BROKEN_INSTALL = 70  # sysexits' EX_SOFTWARE


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""

    exit_code = 2


class RefusedInput(CliError):
    """An input file that was read and refused (what and where, in one line); exit code 1, as
    `python -m headoffice import-cases` exits on a refused file. Exit code 2 stays for usage: a
    missing file, a wrong option."""

    exit_code = 1


class CommandGroupError(Exception):
    """A module of COMMAND_GROUPS could not be imported or registered: a broken installation or a
    bug, never a command to leave out quietly. `main` names the group and the cause, exit code 70."""


def build_parser() -> argparse.ArgumentParser:
    """The whole parser; raises CommandGroupError if a command group cannot be loaded."""

    def common_options(default: object) -> argparse.ArgumentParser:
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument("--data-dir", metavar="DIR", default=default,
                            help="data folder (default: $DOORSTEP_DATA_DIR, else the per-user data folder)")
        parent.add_argument("-v", "--verbose", action="store_true", default=default or False, help="log more")
        return parent

    # Options may stand before or after the command; the command's copy must not reset the other.
    common = common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="python -m app", description="Doorstep, headless.",
                                     parents=[common_options(None)])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_GROUPS:
        register_group(name, sub, common)
    return parser


def register_group(name: str, sub: Any, common: argparse.ArgumentParser) -> None:
    """Import one command group and let it add its commands; any failure is a CommandGroupError."""
    try:
        importlib.import_module(name).register(sub, common)
    except Exception as exc:  # ImportError, SyntaxError, a failing module body, no or a failing register()
        raise CommandGroupError(f"the command group {name} could not be loaded: "
                                f"{type(exc).__name__}: {exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except CommandGroupError as exc:
        import traceback

        if exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__, file=sys.stderr)
        print(f"doorstep: broken installation: {exc}", file=sys.stderr)
        return EXIT_BROKEN_INSTALL
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from sqlalchemy.exc import DatabaseError

    from app.store.migrate import StoreError

    try:
        handler: Handler = args.handler
        return handler(args)
    except (CliError, StoreError) as exc:
        print(f"doorstep: {exc}", file=sys.stderr)
        return exc.exit_code if isinstance(exc, CliError) else 2
    except DatabaseError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        print(f"doorstep: the store could not be read or written ({reason}); "
              "`python -m app check` tells what is wrong", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("doorstep: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"doorstep: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
