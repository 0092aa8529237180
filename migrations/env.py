"""Alembic environment for the desktop store.

The app runs migrations itself when it opens a store (app.store.migrate); it hands this module an
open connection through `config.attributes["connection"]`. Running `alembic` by hand works too:
set `sqlalchemy.url` (see README, CONTRIBUTING).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.store.models import Base
from app.store.search import FTS_TABLES

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # FTS5 virtual tables and their shadow tables are managed by hand in the revisions.
    if type_ == "table" and name and any(name == t or name.startswith(t + "_") for t in FTS_TABLES):
        return False
    return True


def run_with(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
        include_object=include_object,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        run_with(conn)
