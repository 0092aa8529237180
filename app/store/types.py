"""Column types: aware UTC datetimes stored as fixed-width ISO text (sortable, unambiguous)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.domain.clock import NaiveTimeError

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db_time(value: datetime) -> str:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveTimeError(f"naive datetime {value!r} cannot be stored")
    return value.astimezone(UTC).strftime(_FORMAT)


def from_db_time(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetime ⇄ '2026-11-29T06:39:54.000000Z'. Refuses naive datetimes."""

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else to_db_time(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else from_db_time(str(value))
