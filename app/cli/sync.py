"""`python -m app sync --server URL --user NAME`: one sync round, headless.

The password is read from standard input when it is not a terminal (or with --password-stdin),
else from the OS keyring (service "Doorstep", entry "<server> <user>") when one is set, else asked
for at the terminal. Synced data only goes into an encrypted store: a folder with none gets one made
from the password (the window's first login), an encrypted one opens with DOORSTEP_SECRET or the
password; a plain store holding data is refused with the command that encrypts it, a demo store refused. Exit codes: 0 synced, 1 head office unreachable or refused a step (nothing
recorded is lost: it stays queued), 2 a problem the user must fix (sign-in, options, data folder).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli import CliError

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
    import os

    from app.services.datadir import resolve_data_dir
    from app.services.session import BadCredentials, HeadOfficeUnreachable, LoginError
    from app.services.signin import sign_in_to_sync
    from app.services.syncing import sync_once
    from app.sync.client import HeadOfficeClient
    from app.sync.engine import SyncOptions, device_of
    from app.sync.errors import AuthError, SyncError, UntrustedServer
    from app.sync.retry import RetryPolicy
    from app.sync.tokens import MemoryTokenStore
    from app.sync.transport import InsecureTransport, TransportSettings, pins_from

    if not (1 <= args.page_size <= 1000):
        raise CliError("--page-size must be between 1 and 1000")
    if not (1 <= args.batch <= 500):
        raise CliError("--batch must be between 1 and 500")
    if not args.server.startswith(("http://", "https://")):
        raise CliError("--server must start with http:// or https://")
    try:
        tls = TransportSettings(ca_bundle=Path(args.ca_bundle) if args.ca_bundle else None, pins=pins_from(args.pin))
    except (InsecureTransport, UntrustedServer) as exc:
        raise CliError(str(exc)) from exc
    password = read_password(args)
    data_dir = resolve_data_dir(args.data_dir)
    budget = max(0.0, args.retry_for)
    # Synced cases only ever go into an encrypted store: a folder without one gets it from the password,
    # as the window's first login makes it (docs/security.md); the store's secret is DOORSTEP_SECRET when
    # set, else the password. A plain store holding data, or a demo store, is refused before anything is sent.
    try:
        session, signed_in = sign_in_to_sync(data_dir, args.user, password, args.server, tls=tls,
                                              retry_budget=budget, secret=os.environ.get("DOORSTEP_SECRET") or None)
    except HeadOfficeUnreachable as exc:
        if isinstance(exc.__cause__, UntrustedServer):
            raise CliError(str(exc)) from exc
        print(f"doorstep: sync stopped: {exc}", file=sys.stderr)
        return 1
    except BadCredentials as exc:
        if exc.reason == "wrong":  # the offline unlock of an encrypted store
            raise CliError(f"{exc} (the store's secret is DOORSTEP_SECRET when set, else the password)") from exc
        raise CliError(str(exc)) from exc
    except LoginError as exc:
        raise CliError(str(exc)) from exc
    try:
        store = session.require_store()
        keys = session.keys
        assert keys is not None  # unlocked just now
        tokens = MemoryTokenStore()
        try:
            client = HeadOfficeClient(args.server, device_of(store), tokens=tokens, retry=RetryPolicy(budget=budget),
                                      tls=tls)
        except (InsecureTransport, UntrustedServer) as exc:
            raise CliError(str(exc)) from exc
        try:
            try:
                if signed_in is not None:  # the first login just signed in: go on with that session
                    tokens.save(client.server, args.user, signed_in.tokens)
                    client.use_session(args.user)
                    client.refresh()
                else:
                    client.login(args.user, password)
            except (AuthError, UntrustedServer) as exc:
                raise CliError(str(exc)) from exc
            except SyncError as exc:
                print(f"doorstep: sync stopped: {exc}", file=sys.stderr)
                return 1
            # Photos and recordings are sealed with the store's evidence key: the upload reads them through
            # it (decrypting in memory), so they reach head office as recorded.
            options = SyncOptions(push_batch=args.batch, page_size=args.page_size,
                                  attachments_dir=data_dir / "attachments")
            try:
                report = sync_once(store, client, options=options, evidence_key=keys.evidence_key)
            except AuthError as exc:
                raise CliError(str(exc)) from exc
            except SyncError as exc:
                print(f"doorstep: sync stopped: {exc}", file=sys.stderr)
                return 1
        finally:
            client.close()
    finally:
        session.close()  # the store closed, its keys (the evidence key too) overwritten
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
