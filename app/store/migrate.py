"""Opening a store: checks, then upgrades the schema to the head revision.

`open_store(path)` is the only way the app opens a database. It refuses (with a StoreError whose
message is fit for a user) a file that is not SQLite, a corrupt one, one written by a newer Doorstep,
and a folder it cannot write. A store already at the head revision opens without loading Alembic.
Before migrating an existing store it keeps a copy beside it, so a failed upgrade loses nothing.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, OperationalError

from .engine import Connector, Store, checkpoint, create_store_engine, plain_sqlite_connector
from .revision import HEAD_REVISION as HEAD_REVISION  # re-exported: callers import them from here
from .revision import StoreError as StoreError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_file(path: Path, encrypted: bool = False) -> bool:
    """True if the file exists and looks like SQLite; raises StoreError if it exists but is not.

    An encrypted store has no readable header; its connector checks the key instead."""
    if not path.exists():
        return False
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a Doorstep database")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except PermissionError as exc:
        raise StoreError(f"cannot read {path}: permission denied") from exc
    if len(head) == 0:
        return False  # an empty file: treat as new
    if head != SQLITE_MAGIC and not encrypted:
        raise StoreError(f"{path} is not a Doorstep database (not an SQLite file, or damaged)")
    return True


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {folder}: {exc.strerror or exc}") from exc
    # Try it rather than ask os.access: root, read-only mounts and immutable folders all lie to access().
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doorstep-write-check-"):
            pass
    except OSError as exc:
        raise StoreError(f"the data folder {folder} is not writable ({exc.strerror or exc})") from exc


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has = conn.execute(text(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")).first()
        if not has:
            tables = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type='table'")).scalar_one()
            if tables:
                raise StoreError("this SQLite file is not a Doorstep database (it has other tables)")
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:

    return {rev.revision for rev in _script_directory().walk_revisions()}


def _script_directory() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command

    cfg = _alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def open_store(path: Path | str | None, connector: Connector = plain_sqlite_connector,
               migrate: bool = True) -> Store:
    """Open (creating or upgrading as needed) the store at `path`; None for in-memory."""
    file = None if path is None else Path(path)
    existed = False
    if file is not None:
        _check_writable(file.parent)
        existed = _check_file(file, encrypted=bool(getattr(connector, "encrypted", False)))
    engine = create_store_engine(file, connector)
    try:
        try:
            rev = current_revision(engine)
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"{file} is damaged or not a Doorstep database ({_short(exc)})") from exc
        if rev == HEAD_REVISION:
            return Store(file, engine)
        if rev is not None and rev not in known_revisions():
            raise StoreError(
                f"this database was written by a newer version of Doorstep (schema {rev}); "
                "update Doorstep to open it — nothing was changed")
        if not migrate:
            raise StoreError(f"the database schema {rev} needs an upgrade to {HEAD_REVISION}")
        if existed and rev is not None and file is not None:
            backup = file.with_name(f"{file.name}.before-{HEAD_REVISION}")
            checkpoint(engine)  # so the copy holds everything
            shutil.copy2(file, backup)
            log.info("schema %s -> %s; kept a copy at %s", rev, HEAD_REVISION, backup.name)
        try:
            upgrade(engine)
        except OperationalError as exc:
            raise StoreError(f"could not upgrade the database: {_short(exc)}") from exc
        return Store(file, engine)
    except BaseException:
        engine.dispose()
        raise


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0][:200]
