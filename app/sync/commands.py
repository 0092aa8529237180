"""`python -m app sync --server URL --user NAME`: one sync round, headless.

The password is read from standard input when it is not a terminal (or with --password-stdin),
else from the OS keyring (service "Doorstep", entry "<server> <user>") when one is set, else asked
for at the terminal. Exit codes: 0 synced, 1 head office unreachable or refused a step (nothing
recorded is lost: it stays queued), 2 a problem the user must fix (sign-in, options, data folder).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

KEYRING_SERVICE = "Doorstep"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common], help="sync with head office (push, then pull)",
                       description="Upload what was recorded on this laptop, then download case changes.")
    p.add_argument("--server", required=True, metavar="URL", help="head office address, e.g. https://ho.example")
    p.add_argument("--user", required=True, metavar="NAME", help="your head-office user name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--retry-for", type=float, default=120.0, metavar="SECONDS",
                   help="keep retrying an unreachable head office this long (default 120)")
    p.add_argument("--page-size", type=int, default=500, metavar="N", help="cases per pulled page (1–1000)")
    p.add_argument("--batch", type=int, default=200, metavar="N", help="events per upload (1–500)")
    p.add_argument("--ca-bundle", metavar="FILE.pem", help="also trust the CAs in this PEM file (a company CA)")
    p.add_argument("--pin", action="append", default=[], metavar="SHA256",
                   help="accept head office only with this public key (SHA-256 of its SPKI, base64 or hex); "
                        "repeat for a backup key")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_sync)


def read_password(args: argparse.Namespace) -> str:
    from app.cli import CliError

    if args.password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CliError("no password on standard input")
        return password
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            stored = keyring.get_password(KEYRING_SERVICE, f"{args.server} {args.user}")
        except KeyringError:
            stored = None
    except ImportError:  # pragma: no cover - keyring is a dependency
        stored = None
    if stored:
        return stored
    import getpass

    return getpass.getpass(f"password for {args.user} at {args.server}: ")


def cmd_sync(args: argparse.Namespace) -> int:
    from app.cli import CliError, open_from_args_with_evidence_key
    from app.domain.kdf import wipe
    from app.services.datadir import resolve_data_dir
    from app.services.syncing import sync_once
    from app.sync.client import HeadOfficeClient
    from app.sync.engine import SyncOptions, device_of
    from app.sync.errors import AuthError, SyncError, UntrustedServer
    from app.sync.retry import RetryPolicy
    from app.sync.transport import InsecureTransport, TransportSettings, pins_from

    if not (1 <= args.page_size <= 1000):
        raise CliError("--page-size must be between 1 and 1000")
    if not (1 <= args.batch <= 500):
        raise CliError("--batch must be between 1 and 500")
    if not args.server.startswith(("http://", "https://")):
        raise CliError("--server must start with http:// or https://")
    password = read_password(args)
    # Photos and recordings of an encrypted store are sealed with its evidence key: the upload reads them
    # through it (decrypting in memory), so they reach head office as recorded.
    store, evidence_key = open_from_args_with_evidence_key(args)
    try:
        try:
            tls = TransportSettings(ca_bundle=Path(args.ca_bundle) if args.ca_bundle else None,
                                    pins=pins_from(args.pin))
            client = HeadOfficeClient(args.server, device_of(store), retry=RetryPolicy(budget=max(0.0, args.retry_for)),
                                      tls=tls)
        except (InsecureTransport, UntrustedServer) as exc:
            raise CliError(str(exc)) from exc
        try:
            try:
                client.login(args.user, password)
            except (AuthError, UntrustedServer) as exc:
                raise CliError(str(exc)) from exc
            options = SyncOptions(push_batch=args.batch, page_size=args.page_size,
                                  attachments_dir=resolve_data_dir(args.data_dir) / "attachments")
            try:
                report = sync_once(store, client, options=options, evidence_key=evidence_key)
            except AuthError as exc:
                raise CliError(str(exc)) from exc
            except SyncError as exc:
                print(f"doorstep: sync stopped: {exc}", file=sys.stderr)
                return 1
        finally:
            client.close()
    finally:
        store.close()
        if evidence_key is not None:
            wipe(evidence_key)
    if args.json:
        p = report.pushed
        json.dump({"accepted": p.accepted, "duplicate": p.duplicate, "flagged": p.flagged,
                   "rejected": p.rejected, "pages": report.pulled_pages, "cases_updated": report.cases_updated,
                   "cases_removed": report.cases_removed, "removals_deferred": report.removals_deferred,
                   "full_resync": report.full_resync, "still_queued": report.still_queued,
                   "dead_letters": report.dead_letters, "clock_skew_seconds": report.clock_skew_seconds,
                   "retries": report.retries}, sys.stdout)
        print()
    else:
        for line in report.lines():
            print(line)
    return 0
