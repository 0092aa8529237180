"""`python -m headoffice serve`: run the REST API (port 0: a free port; the URL is printed first)."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="run the REST API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8750)
    p.add_argument("--profile", default="CN", help="compliance profile: built-in id (CN, US-RegF) or a JSON file")
    p.add_argument("--access-ttl", type=int, default=900, help="access token lifetime, seconds")
    p.add_argument("--refresh-ttl", type=int, default=30 * 24 * 3600, help="refresh token lifetime, seconds")
    p.add_argument("--retain-changes", type=int, default=None,
                   help="keep only this many pull-log changes (older cursors get 410)")
    p.add_argument("--login-rate", type=int, default=30, help="login attempts per address per minute (0: off)")
    p.add_argument("--verify-rate", type=int, default=60,
                   help="checks of a letter's verification code per address per minute (0: off)")
    p.add_argument("--lockout-after", type=int, default=5, help="failed logins before an account locks")
    p.add_argument("--lockout-base", type=int, default=30, help="first lockout, seconds (doubles after)")
    p.add_argument("--fault-hooks", action="store_true", help="enable test fault hooks (never in production)")
    p.add_argument("--sweep-interval", type=float, default=1.0,
                   help="seconds between passes of the safety sweep and deliverer (0: none in this process)")
    p.add_argument("--sms-gateway", default=None, metavar="URL",
                   help="SMS gateway for safety alarms and the ladder's reminders")
    p.add_argument("--sms-signature", default="Doorstep", metavar="TEXT",
                   help="the sender signature the gateway puts in 【】")
    p.add_argument("--sms-token", default=None, help="the SMS gateway's access token")
    p.add_argument("--sms-receipt-secret", default=None, metavar="SECRET",
                   help="shared secret of the gateway's signed delivery receipts (POST /api/v1/sms/receipts)")
    p.add_argument("--safety-webhook", default=None, metavar="URL", help="a URL that receives every alarm message")
    p.add_argument("--safety-webhook-secret", default=None, help="signs the webhook's requests")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.domain.compliance import ProfileError
    from headoffice.api import create_app
    from headoffice.config import FAULTS_ENV, Settings, load_profile

    try:
        load_profile(args.profile)  # a bad profile file is one message, before the database is touched
    except ProfileError as exc:
        raise CliError(str(exc)) from None
    settings = Settings(db_url=args.db, profile_source=args.profile, access_ttl=args.access_ttl,
                        refresh_ttl=args.refresh_ttl, retain_changes=args.retain_changes,
                        login_rate=args.login_rate, verify_rate=args.verify_rate, lockout_after=args.lockout_after,
                        lockout_base=args.lockout_base,
                        fault_hooks=args.fault_hooks or os.environ.get(FAULTS_ENV) == "1",
                        sweep_interval=args.sweep_interval, sms_gateway=args.sms_gateway,
                        sms_signature=args.sms_signature, sms_token=args.sms_token,
                        sms_receipt_secret=args.sms_receipt_secret,
                        safety_webhook=args.safety_webhook, safety_webhook_secret=args.safety_webhook_secret)
    if not 0 <= args.sweep_interval <= 3600:
        raise CliError("--sweep-interval must be 0 to 3600 seconds")
    db = database(args)
    require_schema(db)
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
