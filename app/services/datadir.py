"""Where the data lives: --data-dir, else DOORSTEP_DATA_DIR, else the platform's per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

# No SQLAlchemy at import: the launch resolves the data folder while SQLAlchemy is still loading.
from app.store.revision import StoreError

if TYPE_CHECKING:
    from app.store.engine import Store

ENV_VAR = "DOORSTEP_DATA_DIR"
STORE_FILE = "doorstep.sqlite3"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("Doorstep", "Doorstep"))


def store_path(data_dir: Path) -> Path:
    return data_dir / STORE_FILE


class SecretRequired(StoreError):
    """The store in this folder is encrypted: opening it needs the user's secret."""


def open_data_dir(data_dir: Path, secret: str | None = None) -> Store:
    """Open (creating or upgrading) the store in a data folder; an encrypted one needs the secret."""
    store, evidence_key = open_data_dir_with_evidence_key(data_dir, secret)
    if evidence_key is not None:
        from app.domain.kdf import wipe

        wipe(evidence_key)
    return store


def open_data_dir_with_evidence_key(data_dir: Path, secret: str | None = None) -> tuple[Store, bytearray | None]:
    """`open_data_dir`, and for an encrypted store a copy of its evidence key (photos and recordings are
    sealed with it; the caller wipes it when done). None for a plain store, whose evidence is not sealed."""
    from app.store.keypaths import is_encrypted_store
    from app.store.migrate import open_store

    path = store_path(data_dir)
    if not is_encrypted_store(path):
        return open_store(path), None
    if not secret:
        raise SecretRequired(f"the store in {data_dir} is encrypted: the secret is needed to open it")
    from app.store.vault import open_encrypted, unlock

    keys = unlock(path, secret)
    try:
        store, _connector = open_encrypted(path, keys)
        evidence_key = bytearray(keys.evidence_key)
    finally:
        keys.wipe()  # the connector keeps its own copy of the store key for new connections
    return store, evidence_key
