"""Where the data lives: --data-dir, else DOORSTEP_DATA_DIR, else the platform's per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from app.store.engine import Store
from app.store.migrate import open_store

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


def open_data_dir(data_dir: Path) -> Store:
    """Open (creating or upgrading) the store in a data folder."""
    return open_store(store_path(data_dir))
