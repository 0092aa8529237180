"""Deployment settings of one head-office process (from the command line; no globals)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.compliance import Profile, ProfileError, builtin_profile, load_profile_json

FAULTS_ENV = "DOORSTEP_HEADOFFICE_FAULTS"  # "1" enables the test-only fault hooks


@dataclass(frozen=True)
class Settings:
    db_url: str
    profile_source: str = "CN"  # a built-in profile id, or a path to a profile JSON file
    access_ttl: int = 900  # seconds
    refresh_ttl: int = 30 * 24 * 3600
    lockout_after: int = 5  # failed logins before the account locks
    lockout_base: int = 30  # seconds; doubles with every further failure
    lockout_max: int = 3600
    login_rate: int = 30  # login attempts per client address per minute (0: unlimited)
    verify_rate: int = 60  # checks of a letter's verification code per client address per minute (0: unlimited)
    retain_changes: int | None = None  # keep this many changes for cursors (None: keep all)
    max_body: int = 8 * 1024 * 1024  # JSON request bodies
    max_attachment: int = 200 * 1024 * 1024  # = the app's MAX_EVIDENCE_BYTES
    page_limit: int = 500
    fault_hooks: bool = False
    # Safety at the door (headoffice/safety/): the sweep and the deliverer run every `sweep_interval`
    # seconds in a background thread of this process (0: none here).
    sweep_interval: float = 0.0
    sms_gateway: str | None = None  # URL of the SMS gateway (None: no SMS channel)
    sms_signature: str = "Doorstep"  # the sender signature the gateway puts in 【】
    sms_token: str | None = None
    sms_receipt_secret: str | None = None  # signs the gateway's delivery receipts (None: receipts refused)
    safety_webhook: str | None = None  # URL that receives every alarm message (None: no webhook channel)
    safety_webhook_secret: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


MAX_PROFILE_BYTES = 1024 * 1024


def load_profile(source: str) -> tuple[Profile, dict[str, Any]]:
    """(profile, its JSON as delivered in the pull). Raises ProfileError (only), naming the file."""
    path = Path(source)
    if path.suffix == ".json" or path.exists():
        try:
            if path.stat().st_size > MAX_PROFILE_BYTES:
                raise ProfileError(f"compliance profile {source} is larger than 1 MB")
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise ProfileError(f"cannot read compliance profile {source}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise ProfileError(f"compliance profile {source} is not UTF-8 text (byte {exc.start})") from exc
        try:
            profile = load_profile_json(text)
        except ProfileError as exc:
            raise ProfileError(f"{source}: {exc}") from exc
        return profile, json.loads(text)
    profile = builtin_profile(source)
    return profile, dict(profile.raw)
