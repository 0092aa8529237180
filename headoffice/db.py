"""Engine and sessions. Writers are serialised: SQLite by `BEGIN IMMEDIATE`, PostgreSQL by one
transaction-scoped advisory lock taken at the start of every write transaction.

Why a lock on PostgreSQL: the pull log's `seq` must become visible in order. With a plain sequence,
a transaction holding seq 11 can commit before the one holding seq 10, and a reader that saw 11
would never see 10. Under the lock, a writer computes `max(seq) + 1` only after every earlier
writer has committed, so commit order equals seq order and a cursor never skips a row. Reads take
no lock. API processes stay stateless: any number of them can share one PostgreSQL database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

WRITE_LOCK_KEY = 0x0D005_7E9  # any fixed 64-bit number, unique to this application


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and make it use psycopg 3; anything else is used as given."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Database:
    def __init__(self, url: str, echo: bool = False):
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            self.engine = create_engine(self.url, echo=echo, connect_args={"check_same_thread": False,
                                                                          "timeout": 60})
            _sqlite_setup(self.engine)
        else:
            # Up to 50 connections: more than the 40 worker threads of one API process.
            self.engine = create_engine(self.url, echo=echo, pool_pre_ping=True, pool_size=20, max_overflow=30)
        self._write_engine = self.engine.execution_options(doorstep_write=True)
        self._read_engine = (self.engine if self.dialect == "sqlite"
                             else self.engine.execution_options(isolation_level="REPEATABLE READ"))

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work on one consistent snapshot."""
        engine: Any = self._read_engine
        # Closing (not rolling back) ends the transaction without expiring loaded objects, so
        # callers may keep reading what they loaded.
        with Session(engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write unit of work: serialised with every other writer, committed on success."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            if not self.is_sqlite:
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        write = conn.get_execution_options().get("doorstep_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
