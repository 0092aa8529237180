"""Alembic environment of the head-office database (separate from the desktop store's)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from headoffice.db import normalise_url
from headoffice.ladder import models as _ladder_models  # noqa: F401  (the ladder tables join Base.metadata)
from headoffice.models import Base
from headoffice.safety import models as _safety_models  # noqa: F401  (the safety tables join Base.metadata)

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=normalise_url(config.get_main_option("sqlalchemy.url") or ""),
                      target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(normalise_url(config.get_main_option("sqlalchemy.url") or ""), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
