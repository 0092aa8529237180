"""Engine and session factory for the local store.

SQLite in WAL mode with `synchronous=FULL` (a saved field record survives a power cut), foreign
keys on, and explicit transactions (pysqlite's implicit BEGIN is switched off so SQLAlchemy's
transaction boundaries are the real ones). The DB-API connection comes from a `Connector`, so an
encrypted driver (SQLCipher) can be dropped in without touching callers.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

log = logging.getLogger(__name__)

# A connector opens one DB-API connection to the given path (":memory:" for tests).
Connector = Callable[[str], Any]

MEMORY = ":memory:"


def plain_sqlite_connector(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)


DEFAULT_CACHE_KIB = 32000


def _on_connect(dbapi_conn: Any, _record: Any, cache_kib: int = DEFAULT_CACHE_KIB) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
    finally:
        cur.close()


def create_store_engine(path: Path | str | None, connector: Connector = plain_sqlite_connector) -> Engine:
    """An engine over the store at `path` (None: a private in-memory database)."""
    target = MEMORY if path is None else str(path)
    # An encrypted connector names its DB-API module so SQLAlchemy wraps that driver's errors too.
    extra: dict[str, Any] = {}
    module = getattr(connector, "dbapi_module", None)
    if module is not None:
        extra["module"] = module
    if target == MEMORY:
        engine = create_engine("sqlite://", creator=lambda: connector(MEMORY), poolclass=StaticPool, **extra)
    else:
        # A file store gets a real QueuePool (the bare "sqlite://" URL would make SQLAlchemy pick its
        # in-memory SingletonThreadPool, which closes connections other threads still use past 5 threads).
        engine = create_engine("sqlite://", creator=lambda: connector(target), poolclass=QueuePool,
                               pool_size=5, max_overflow=20, pool_timeout=30, pool_use_lifo=True, **extra)
    # A connector may ask for a bigger page cache: SQLCipher decrypts and authenticates every page it reads
    # from the file, so keeping the working set decrypted in SQLite's cache is what makes encryption cheap.
    cache_kib = int(getattr(connector, "cache_kib", DEFAULT_CACHE_KIB))
    event.listen(engine, "connect", lambda conn, record: _on_connect(conn, record, cache_kib))

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the main file (outside any transaction), e.g. before copying the file."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE: tell SQLite's planner how the list columns are spread. Without statistics it takes every
    equality filter for a needle and sorts tens of thousands of rows instead of walking the sort's index.
    Run after bulk changes (demo data, a large pull); it takes well under a second at 100,000 cases."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
    finally:
        raw.close()


# Transactions of `Store.write_db` between two checkpoints run off the writing thread: a saved outcome
# writes about 30 pages, so this is near SQLite's own default of a checkpoint per 1,000 WAL pages.
CHECKPOINT_EVERY = 32


class Checkpointer:
    """Folds the WAL into the database file on a thread of its own, so that the hot write path
    (`Store.write_db`, whose connection does not checkpoint itself) never pays for a checkpoint: copying
    ~1,000 pages and syncing the file took a save from ~3 ms to ~20 ms every 30-odd saves. PASSIVE: it
    never waits for, or blocks, a reader or a writer. Other writers keep SQLite's automatic checkpoint."""

    def __init__(self, engine: Engine, every: int = CHECKPOINT_EVERY):
        self.engine = engine
        self.every = every
        self._writes = 0
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.ran = threading.Event()  # set after each checkpoint (who needs to know can wait on it)

    def wrote(self) -> None:
        """One more write transaction committed; every `every`-th wakes the thread."""
        with self._lock:
            self._writes += 1
            if self._writes < self.every or self._stopped:
                return
            self._writes = 0
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="doorstep-checkpoint", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopped:
                return
            try:
                pooled = self.engine.raw_connection()
                try:
                    pooled.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # type: ignore[union-attr]
                finally:
                    pooled.close()
                self.ran.set()
            except Exception:  # closing, busy, disk full: the next one (or SQLite's own at close) folds it
                log.debug("background checkpoint failed", exc_info=True)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=10)


@dataclass
class Store:
    """An open store: the engine, a session factory and the single-writer lock."""

    path: Path | None
    engine: Engine
    sessions: sessionmaker[Session] = field(init=False)
    _write_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    checkpointer: Checkpointer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.checkpointer = Checkpointer(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error. One writer at a time."""
        with self._write_lock, self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def write_db(self) -> Iterator[Any]:
        """One unit of work on the bare DB-API connection, for hot write paths that cannot afford the
        ORM (saving an outcome): `BEGIN IMMEDIATE` (the write lock is taken before anything is read, so
        what is read is still true at COMMIT), COMMIT on success, ROLLBACK on any error. Same writer
        lock as `write`, same pool, same pragmas (WAL, synchronous=FULL, foreign keys); its commits
        leave the WAL checkpoint to the `Checkpointer`'s thread."""
        with self._write_lock:
            pooled = self.engine.raw_connection()
            db: Any = None
            try:
                db = pooled.driver_connection
                db.execute("PRAGMA wal_autocheckpoint=0")  # per connection: the checkpointer does it
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    # also when COMMIT itself failed (disk I/O, busy): leave nothing half-done
                    try:
                        if db.in_transaction:
                            db.execute("ROLLBACK")
                    except Exception:  # the connection is broken: the pool must not hand it out again
                        pooled.invalidate()
                    raise
            finally:
                try:
                    if db is not None:
                        db.execute("PRAGMA wal_autocheckpoint=1000")  # SQLite's default, for the next user
                except Exception:
                    pooled.invalidate()
                pooled.close()
        if self.path is not None:
            self.checkpointer.wrote()

    @contextmanager
    def read_db(self) -> Iterator[Any]:
        """The bare DB-API connection for a few quick reads (each statement sees a consistent snapshot)."""
        pooled = self.engine.raw_connection()
        try:
            yield pooled.driver_connection
        finally:
            pooled.close()

    def close(self) -> None:
        self.checkpointer.stop()
        self.engine.dispose()
