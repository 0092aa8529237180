"""Encryption at rest of the local store with SQLCipher.

The app derives the key (app.domain.kdf: argon2id, then HKDF) and hands SQLCipher the raw 256-bit key
(`PRAGMA key = "x'…'"`), so SQLCipher's own PBKDF2 is skipped; the cipher settings are pinned by name in
app.store.ciphers (AES-256-CBC, an HMAC per page, 4096-byte pages) and the key file says which a store uses. The WAL and every temporary file are
encrypted with the same key.

* `encrypted_connector(key)` plugs into `open_store(path, connector=…)`; its first statement is
  PRAGMA key and it checks the header at once: a wrong key raises `WrongSecret` and changes nothing.
* `rekey(store, new_key)` re-encrypts in place (PRAGMA rekey) when the secret changes.
* `encrypt_plain_store(path, key)` turns an existing plain store into an encrypted one keeping every
  row: sqlcipher_export into a new file, row counts and integrity compared, atomic replace, and the
  plain file, its -wal/-shm and the `.before-*` migration copies overwritten and removed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from . import ciphers
from .engine import Store, checkpoint
from .keyfile import fsync_dir
from .migrate import SQLITE_MAGIC, StoreError
from .wipe import overwrite_and_unlink

log = logging.getLogger(__name__)

KEY_BYTES = 32


class WrongSecret(StoreError):
    """The key does not open this file: wrong secret, or not an encrypted Doorstep store. Nothing was changed."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(f"wrong secret or not an encrypted Doorstep store: {Path(path).name} (nothing was changed)")


def _key_pragma(key: bytes | bytearray, schema: str = "") -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("the store key must be 32 bytes")
    prefix = f"{schema}." if schema else ""
    return f"PRAGMA {prefix}key = \"x'{bytes(key).hex()}'\""


def open_cipher_connection(path: str, key: bytes | bytearray, cipher: str = ciphers.DEFAULT) -> Any:
    """A DB-API connection to an encrypted file, key and the named cipher's settings applied and checked.
    Raises WrongSecret."""
    pragmas = ciphers.settings(cipher)
    conn = sqlcipher.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        # SQLCipher would print each failed page check to stderr; a wrong key is reported by WrongSecret.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        for pragma in pragmas:
            conn.execute(pragma)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise WrongSecret(path) from exc
    return conn


class EncryptedConnector:
    """A Connector for app.store.engine: every pooled connection is keyed before any other statement."""

    encrypted = True
    dbapi_module = sqlcipher
    # Pages are decrypted and HMAC-checked on every read from the file (≈10 µs per 4 KiB page here), where a
    # plain store reads the OS cache almost for free. SQLite's own page cache holds pages decrypted, so the
    # encrypted store gets a larger one: it only grows to what queries touch (a few MB for an agent's own
    # cases; up to this cap per connection for a 100,000-case store).
    cache_kib = 256 * 1024

    def __init__(self, key: bytes | bytearray, cipher: str = ciphers.DEFAULT) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the store key must be 32 bytes")
        ciphers.settings(cipher)  # a name this app knows
        self.cipher = cipher
        # A private copy the session can wipe on lock (see app.services.session for the limits of this).
        self._key = bytearray(key)

    def __call__(self, path: str) -> Any:
        if not any(self._key):
            raise StoreError("the store is locked")
        return open_cipher_connection(path, self._key, self.cipher)

    def replace_key(self, key: bytes | bytearray) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the store key must be 32 bytes")
        self.forget()
        self._key[:] = key

    def forget(self) -> None:
        for i in range(len(self._key)):
            self._key[i] = 0


def encrypted_connector(key: bytes | bytearray, cipher: str = ciphers.DEFAULT) -> EncryptedConnector:
    return EncryptedConnector(key, cipher)


def is_plain_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except FileNotFoundError:
        return False


def rekey(store: Store, connector: EncryptedConnector, new_key: bytes | bytearray) -> None:
    """Re-encrypt the open store under a new key (a secret change). The caller then updates the key file."""
    if len(new_key) != KEY_BYTES:
        raise ValueError("the store key must be 32 bytes")
    with store._write_lock:
        store.dispose()  # the saving connection too: no connection may keep the old key past this
        checkpoint(store.engine)
        raw = store.engine.raw_connection()
        try:
            conn = raw.driver_connection
            assert conn is not None
            conn.execute(_key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1))
        finally:
            raw.close()
        # Pooled connections still hold the old key: drop them, so the next one is keyed anew.
        connector.replace_key(new_key)
        store.dispose()


def _tables(conn: Any, schema: str = "main") -> list[str]:
    rows = conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type='table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    return [r[0] for r in rows]


def _counts(conn: Any, schema: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for name in _tables(conn, schema):
        quoted = '"' + name.replace('"', '""') + '"'
        out[name] = conn.execute(f"SELECT count(*) FROM {schema}.{quoted}").fetchone()[0]
    return out


def plain_leftovers(path: Path) -> Iterator[Path]:
    """Files that may hold the store's data in the clear: -wal, -shm, journal, `.before-*` copies."""
    for suffix in ("-wal", "-shm", "-journal"):
        p = path.with_name(path.name + suffix)
        if p.exists():
            yield p
    yield from sorted(path.parent.glob(path.name + ".before-*"))
    old = path.with_name(path.name + ".plain-old")
    if old.exists():
        yield old


def export_into(conn: Any, schema: str) -> None:
    """Copy every table, index, trigger and setting of `main` into the attached, empty database `schema`.

    `sqlcipher_export` copies each B-tree in key order, which leaves every index packed full: the first
    insert into any leaf splits it, so for its first few hundred saves a freshly encrypted store wrote
    about a third more pages per save (each one encrypted and authenticated) than the store it came
    from. So the tables are then filled again, row by row in rowid order: indexes keyed in that order
    (time-ordered ids) stay packed, as appends keep them in use, and the others (the case list's index,
    an attempt's case and time) fill as use fills them, ~87 % full here, as in the store it came from."""
    conn.execute(f"SELECT sqlcipher_export('{schema}')")
    shadow = tuple(r[0] + "_" for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type='table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"))
    for name in _tables(conn, "main"):
        if name.startswith(shadow):
            continue  # written by full-text search itself, in its own order
        indexed = conn.execute("SELECT count(*) FROM pragma_index_list(?, 'main') WHERE origin != 'pk'",
                               (name,)).fetchone()[0]
        if indexed:
            quoted = '"' + name.replace('"', '""') + '"'
            conn.execute("BEGIN")
            conn.execute(f"DELETE FROM {schema}.{quoted}")
            # WHERE keeps SQLite from copying the B-trees whole (its transfer optimisation): row by row
            conn.execute(f"INSERT INTO {schema}.{quoted} SELECT * FROM main.{quoted} WHERE 1")
            conn.execute("COMMIT")
    version = conn.execute("PRAGMA main.user_version").fetchone()[0]
    conn.execute(f"PRAGMA {schema}.user_version = {int(version)}")


def encrypt_plain_store(path: Path, key: bytes | bytearray, cipher: str = ciphers.DEFAULT) -> dict[str, int]:
    """Encrypt the plain store at `path` in place, keeping every row. Returns the row count per table.

    The store must be closed. Crash-safe: until the final rename the plain store is untouched; after it,
    the encrypted store is in place and the plain copy is only wiped (a re-run finishes the wipe).
    """
    if not is_plain_sqlite(path):
        raise StoreError(f"{path.name} is not a plain Doorstep store (already encrypted, or not SQLite)")
    tmp = path.with_name(path.name + ".encrypting")
    for stale in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        if stale.exists():
            stale.unlink()
    src = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _counts(src, "main")
        src.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{bytes(key).hex()}'\"", (str(tmp),))
        for pragma in ciphers.settings(cipher):
            src.execute(pragma.replace("PRAGMA ", "PRAGMA enc.", 1))
        export_into(src, "enc")
        src.execute("DETACH DATABASE enc")
    finally:
        src.close()
    check = open_cipher_connection(str(tmp), key, cipher)
    try:
        after = _counts(check, "main")
        integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
        check.execute("PRAGMA journal_mode=WAL")
    finally:
        check.close()
    if after != before or integrity != "ok":
        overwrite_and_unlink(tmp)
        raise StoreError("encrypting the store did not reproduce every row; the plain store was kept unchanged")
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    # Keep a hard link to the plain file so it can be wiped (not merely unlinked) after the swap.
    old = path.with_name(path.name + ".plain-old")
    if old.exists():
        overwrite_and_unlink(old)
    os.link(path, old)
    os.replace(tmp, path)
    fsync_dir(path.parent)
    wipe_plain_leftovers(path)
    log.info("store encrypted: %d tables, %d rows", len(after), sum(after.values()))
    return after


def wipe_plain_leftovers(path: Path) -> list[str]:
    """Overwrite and remove the clear-text leftovers of a store that is now encrypted (store closed)."""
    return [p.name for p in list(plain_leftovers(path)) if overwrite_and_unlink(p)]
