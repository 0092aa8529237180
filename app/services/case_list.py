"""What the case list reads: how many cases match a query and its first page, every matching id in list
order, and a page of rows by id.

No SQLAlchemy at import: the launch shows the list's first page before SQLAlchemy has loaded, and the
list's Qt model imports this module on that path. The first page and the ids are read in the list's
workers on a SQLAlchemy connection; a page of rows is read on the GUI thread (when the view scrolls to
it) on the store's bare DB-API connection.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.store.queries import CaseQuery, CaseRow, first_rows, ordered_case_ids, rows_by_ids

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from app.store.engine import Store

# (connection, query, natural order wanted) → ordered case ids
IdSource = Callable[["Connection", CaseQuery, bool], list[int]]

# (connection, query, how many) → (total matching, the first rows)
FirstSource = Callable[["Connection", CaseQuery, int], tuple[int, list[CaseRow]]]


def ids_in_list_order(conn: Connection, query: CaseQuery, natural: bool) -> list[int]:
    """Every id that matches `query`, in the list's SQL order (the default `IdSource`)."""
    return ordered_case_ids(conn, query)


def count_and_first_page(conn: Connection, query: CaseQuery, limit: int) -> tuple[int, list[CaseRow]]:
    """How many cases match `query`, and the first `limit` of them (the SQL list's `FirstSource`)."""
    return first_rows(conn, query, limit)


def read_first_page(store: Store, query: CaseQuery, limit: int, source: FirstSource) -> tuple[int, list[CaseRow]]:
    """`source`'s count and first page of `query`, on a connection of the store's own."""
    with store.engine.connect() as conn:
        return source(conn, query, limit)


def read_ids(store: Store, query: CaseQuery, natural: bool, source: IdSource) -> list[int | None]:
    """`source`'s ids of `query`, on a connection of the store's own."""
    with store.engine.connect() as conn:
        return list(source(conn, query, natural))


def read_rows(store: Store, ids: list[int]) -> dict[int, CaseRow]:
    """The rows of these cases (≤ a page) by primary key, on the bare DB-API connection: SQLAlchemy's
    connection and result rows doubled the time of this read, paid on the GUI thread on every scroll jump."""
    with store.read_db() as db:
        return rows_by_ids(db, ids)


def store_unavailable(exc: BaseException) -> bool:
    """Whether a read failed for want of the store (closing, locked, gone: an error of SQLAlchemy's pool or
    of the DB-API driver, sqlite3 or SQLCipher) rather than by a bug, which must surface."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, (SQLAlchemyError, sqlite3.Error)):
        return True
    cipher = sys.modules.get("sqlcipher3.dbapi2")  # loaded if an encrypted store is open
    return cipher is not None and isinstance(exc, cipher.Error)
