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
import time
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


# The checkpointer folds the WAL once saves have paused this long (between two doors there are minutes)...
CHECKPOINT_QUIET_S = 0.5
# ...or after this many saves without a pause, so the WAL stays bounded (a save writes 15-30 pages).
CHECKPOINT_MOST = 500


class Checkpointer:
    """Folds the WAL into the database file on a thread of its own, once the saves have paused.

    The saving connection (`Store.write_db`) never checkpoints: a checkpoint copies the pages the WAL
    holds into the database file and syncs it, and a save that ran meanwhile waited for that sync (a save
    went from ~2 ms to 5-80 ms). Run every 30-odd saves on a thread of its own, it still met the next save
    half the time, and as saves kept coming it never caught up with the WAL's end, so the WAL was never
    started again from its beginning and every save grew the file (each commit then also syncs the file's
    new size). So the thread waits for a pause of `quiet` seconds after a save: no save runs then, the
    checkpoint folds the whole WAL, and the next save writes the WAL from its beginning again, over frames
    the file already has. Saves that never pause (a script, a benchmark) are folded after `most` of them.
    PASSIVE: it never waits for, or blocks, a reader or a writer. Other writers keep SQLite's automatic
    checkpoint."""

    def __init__(self, engine: Engine, quiet: float = CHECKPOINT_QUIET_S, most: int = CHECKPOINT_MOST):
        self.engine = engine
        self.quiet = quiet
        self.most = most
        self._writes = 0  # saves since the last checkpoint
        self._last = 0.0  # time.monotonic() of the last save
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self.ran = threading.Event()  # set after each checkpoint (who needs to know can wait on it)
        self.runs = 0  # checkpoints done
        self.last_took = 0.0  # seconds the last one took

    def configure(self, quiet: float | None = None, most: int | None = None) -> None:
        """Change the pause or the bound; the thread looks again at once."""
        with self._cond:
            if quiet is not None:
                self.quiet = quiet
            if most is not None:
                self.most = most
            self._cond.notify()

    def wrote(self) -> None:
        """One more write transaction committed."""
        with self._cond:
            self._writes += 1
            self._last = time.monotonic()
            if self._stopped:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="doorstep-checkpoint", daemon=True)
                self._thread.start()
            # Wake the thread only when it sleeps without a deadline (nothing was pending) or must act now;
            # otherwise it wakes at its own deadline and looks at the time of the last save.
            if self._writes == 1 or self._writes >= self.most:
                self._cond.notify()

    def _due(self) -> bool:
        """Whether to fold now; else waits (the condition held) until something may have changed."""
        if not self._writes:
            self._cond.wait()
            return False
        idle = time.monotonic() - self._last
        if idle >= self.quiet or self._writes >= self.most:
            return True
        self._cond.wait(self.quiet - idle)
        return False

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and not self._due():
                    pass
                if self._stopped:
                    return
                self._writes = 0
            try:
                started = time.perf_counter()
                pooled = self.engine.raw_connection()
                try:
                    pooled.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # type: ignore[union-attr]
                finally:
                    pooled.close()
                self.last_took = time.perf_counter() - started
                self.runs += 1
                self.ran.set()
            except Exception:  # closing, busy, disk full: the next one (or SQLite's own at close) folds it
                log.debug("background checkpoint failed", exc_info=True)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            thread = self._thread
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout=10)


@dataclass
class Store:
    """An open store: the engine, a session factory, the single-writer lock and the saving connection."""

    path: Path | None
    engine: Engine
    sessions: sessionmaker[Session] = field(init=False)
    _write_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    checkpointer: Checkpointer = field(init=False, repr=False)
    # `write_db`'s own connection, kept out of the pool: SQLite drops a connection's page cache when another
    # connection wrote since it last looked, so saves that took whichever pooled connection came first
    # (the checkpointer's, a reader's) kept starting cold, and on an encrypted store each page read cold
    # is decrypted and authenticated again.
    _writer: Any = field(default=None, init=False, repr=False)
    _retire_writer: bool = field(default=False, init=False, repr=False)  # close it when the running save ends

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
        lock as `write`, same pragmas (WAL, synchronous=FULL, foreign keys), but a connection of its own
        (see `_writer`) that leaves the WAL checkpoint to the `Checkpointer`'s thread."""
        with self._write_lock:
            db = self._saving_connection()
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                # also when BEGIN or COMMIT itself failed (disk I/O, busy): leave nothing half-done
                try:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                except Exception:  # the connection is broken: open a new one for the next save
                    self._drop_writer()
                raise
            finally:
                if self._retire_writer:
                    self._retire_writer = False
                    self._drop_writer()
        if self.path is not None:
            self.checkpointer.wrote()

    @contextmanager
    def writer_reads(self) -> Iterator[Any]:
        """The saving connection, for reads only and outside any transaction: to read ahead what a save
        is about to read and rewrite (see `app.services.outcomes.prepare_outcome`), so those pages are in
        its cache when the save comes. On an encrypted store every page read from the file is decrypted
        and authenticated; a save that finds its pages cached pays only for what it writes. Holds the
        writer lock while it reads (well under a millisecond), so it never overlaps a save."""
        with self._write_lock:
            db = self._saving_connection()
            try:
                yield db
            finally:
                try:
                    if db.in_transaction:  # reads only: nothing to keep
                        db.execute("ROLLBACK")
                except Exception:
                    self._drop_writer()
                if self._retire_writer:
                    self._retire_writer = False
                    self._drop_writer()

    def _saving_connection(self) -> Any:
        """The saving connection, opened on first use (writer lock held)."""
        if self._retire_writer:  # disposed while the previous save was ending
            self._retire_writer = False
            self._drop_writer()
        if self._writer is None:
            writer = self.engine.raw_connection()  # checked out for good; `dispose` closes it
            try:
                writer.driver_connection.execute("PRAGMA wal_autocheckpoint=0")  # type: ignore[union-attr]
            except BaseException:
                writer.invalidate()
                raise
            self._writer = writer
        return self._writer.driver_connection

    def _drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.invalidate()  # closes it; its pragmas never reach the pool

    def dispose(self) -> None:
        """Close every idle connection and the saving one (locking, re-keying): the next use opens anew.
        Never waits: a save running now closes its connection itself when it ends."""
        if self._write_lock.acquire(blocking=False):
            try:
                self._drop_writer()
            finally:
                self._write_lock.release()
        else:
            self._retire_writer = True
        self.engine.dispose()

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
        self.dispose()
