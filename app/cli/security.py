"""`python -m app security …`: encrypt an existing plain store, change the secret, purge expired cases."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import CliError
from app.cli.common import open_from_args, read_secret


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    sec = sub.add_parser("security", help="encryption of the store, the secret, retention")
    sec_sub = sec.add_subparsers(dest="security_command", required=True)
    enc = sec_sub.add_parser("encrypt", parents=[common],
                             help="encrypt the plain store in the data folder (every row kept; the clear copy wiped)")
    enc.set_defaults(handler=cmd_encrypt)
    chg = sec_sub.add_parser("change-secret", parents=[common], help="re-key the store for a new secret")
    chg.set_defaults(handler=cmd_change_secret)
    purge = sec_sub.add_parser("purge", parents=[common],
                               help="remove closed/returned cases older than --days once head office has them")
    purge.add_argument("--days", type=int, default=30, help="retention in days (default 30)")
    purge.set_defaults(handler=cmd_purge)


def _new_secret(prompt: str) -> str:
    import getpass
    import os
    import sys

    secret = os.environ.get("DOORSTEP_NEW_SECRET")
    if not secret:
        if not sys.stdin.isatty():
            raise CliError("set DOORSTEP_NEW_SECRET or run in a terminal to type the new secret")
        secret = getpass.getpass(prompt)
        if getpass.getpass("again: ") != secret:
            raise CliError("the two secrets differ; nothing was changed")
    if len(secret) < 8:
        raise CliError("the secret must have at least 8 characters; nothing was changed")
    return secret


def cmd_encrypt(args: argparse.Namespace) -> int:
    from app.services.datadir import resolve_data_dir, store_path
    from app.services.evidence import encrypt_plain_evidence
    from app.store.crypto import is_plain_sqlite
    from app.store.vault import encrypt_existing

    data_dir = resolve_data_dir(args.data_dir)
    path = store_path(data_dir)
    if not is_plain_sqlite(path):
        raise CliError(f"no plain store to encrypt in {data_dir} (already encrypted, or none yet)")
    keys = encrypt_existing(path, _new_secret("new Doorstep secret: "))
    try:
        sealed = encrypt_plain_evidence(data_dir / "attachments", keys.evidence_key)
    finally:
        keys.wipe()
    print(f"store encrypted; {sealed} evidence file(s) sealed")
    return 0


def cmd_change_secret(args: argparse.Namespace) -> int:
    from app.services.datadir import resolve_data_dir, store_path
    from app.store.crypto import WrongSecret
    from app.store.vault import change_secret, is_encrypted_store, open_encrypted, unlock

    path = store_path(resolve_data_dir(args.data_dir))
    if not is_encrypted_store(path):
        raise CliError("the store is not encrypted; use `security encrypt`")
    old = read_secret()
    keys = unlock(path, old)
    store, connector = open_encrypted(path, keys)
    try:
        new = change_secret(path, store, connector, keys, old, _new_secret("new Doorstep secret: "))
        new.wipe()
    except WrongSecret as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()
        keys.wipe()
    print("secret changed; the store is re-keyed")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from app.services.datadir import resolve_data_dir
    from app.services.retention import purge_expired

    if args.days < 0:
        raise CliError("--days cannot be negative")
    store = open_from_args(args)
    try:
        report = purge_expired(store, days=args.days, evidence_folder=resolve_data_dir(args.data_dir) / "attachments")
    finally:
        store.close()
    print(f"{len(report.purged_cases)} case(s) removed; {len(report.kept_waiting_upload)} kept until head office "
          f"has everything recorded on them")
    return 0
