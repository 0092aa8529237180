"""What the command groups share: argument types, the report language option, the data folder's store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from app.cli import CliError


def positive_int(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
        if value > limit:
            raise argparse.ArgumentTypeError(f"must be at most {limit:,}, got {value:,}")
        return value

    return parse


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def lang_options() -> argparse.ArgumentParser:
    """`--lang` of the reports and exports."""
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=["zh", "en"], help="language of the output (default: from LANG, else zh)")
    return lang


def open_from_args(args: argparse.Namespace) -> Any:
    store, evidence_key = open_from_args_with_evidence_key(args)
    if evidence_key is not None:
        from app.domain.kdf import wipe

        wipe(evidence_key)
    return store


def open_from_args_with_evidence_key(args: argparse.Namespace) -> tuple[Any, bytearray | None]:
    """The store of the data folder the arguments name (asking for the secret of an encrypted one), and an
    encrypted store's evidence key, which the caller wipes (see datadir.open_data_dir_with_evidence_key)."""
    from app.services.datadir import SecretRequired, open_data_dir_with_evidence_key, resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    try:
        return open_data_dir_with_evidence_key(data_dir)
    except SecretRequired:
        return open_data_dir_with_evidence_key(data_dir, read_secret())


def read_secret() -> str:
    """The store's secret: DOORSTEP_SECRET (for scripts), else asked on the terminal without echo."""
    import getpass
    import os

    secret = os.environ.get("DOORSTEP_SECRET")
    if secret:
        return secret
    if not sys.stdin.isatty():
        raise CliError("the store is encrypted: run in a terminal to type the secret, or set DOORSTEP_SECRET")
    return getpass.getpass("Doorstep secret: ")
