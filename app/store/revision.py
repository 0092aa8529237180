"""What can be known about a store without SQLAlchemy: the schema revision this code expects and the
error a store that cannot be opened raises. Kept light so the launch can read the first page of the case
list with the bare sqlite3 module while SQLAlchemy is still loading."""

from __future__ import annotations

# Must equal the head of migrations/versions (tests/integration/test_migrations.py checks it).
HEAD_REVISION = "0007"


class StoreError(Exception):
    """The store cannot be opened; the message says why in words a user can act on."""
