"""Plain DB-API row writes for hot paths (saving an outcome), on the connection of `Store.write_db`.

The ORM's unit of work costs about a millisecond a statement in Python; these are a few microseconds.
Table and column names come from the code (checked here), values are always bound. The SQL text of
each shape is built once and the driver's statement cache keeps it prepared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _checked(*names: str) -> None:
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"not a column or table name: {name!r}")


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    _checked(table, *columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@lru_cache(maxsize=256)
def _update_sql(table: str, key: str, columns: tuple[str, ...]) -> str:
    _checked(table, key, *columns)
    return f"UPDATE {table} SET {', '.join(c + ' = ?' for c in columns)} WHERE {key} = ?"


def insert_row(db: Any, table: str, values: Mapping[str, Any]) -> int:
    """INSERT one row; returns its rowid. Every column without a database default must be given."""
    cur = db.execute(_insert_sql(table, tuple(values)), tuple(values.values()))
    return int(cur.lastrowid)


def update_row(db: Any, table: str, key: str, key_value: Any, values: Mapping[str, Any]) -> int:
    """UPDATE the row whose `key` is `key_value`, setting only `values` (columns not named keep their
    value and their indexes are not touched). Returns the number of rows changed."""
    if not values:
        return 0
    cur = db.execute(_update_sql(table, key, tuple(values)), (*values.values(), key_value))
    return int(cur.rowcount)
