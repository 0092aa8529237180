"""A recording kept as the outcome dialog keeps one: real bytes sealed into an evidence folder, with its row."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from app.services.evidence import add_evidence


def kept_recording(store: Any, folder: Path, case_id: int | None = None) -> str:
    """Seal a small made-up recording under a random evidence key; returns its SHA-256."""
    data = b"RIFF\x24\x80\x00\x00WAVEfmt " + secrets.token_bytes(256)
    return add_evidence(store, folder, secrets.token_bytes(32), data, case_id=case_id, media_type="audio/wav")
