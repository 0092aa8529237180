"""The supervisor's assignment commands (no Qt): who may assign, and assignments queued for head office."""

from __future__ import annotations

from sqlalchemy import text

from app.store.engine import Store

SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})


def user_role(store: Store, username: str) -> str | None:
    """The role head office gave this user (the local agents table, filled by sync), if known."""
    with store.engine.connect() as conn:
        found = conn.execute(text("SELECT role FROM agents WHERE username = :u"), {"u": username}).scalar()
    return str(found) if found is not None else None


def is_supervisor(store: Store, username: str) -> bool:
    return user_role(store, username) in SUPERVISOR_ROLES
