"""Head-office schema upgrades: a database made by revision 0001, with users, their tokens and cases,
is brought to the head without losing a row, and the models then agree with the schema."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from headoffice.db import Database
from headoffice.migrate import alembic_config, current_revision, head_revision, upgrade
from headoffice.models import Base, User
from headoffice.pairs import set_pair

from .conftest import BACKENDS

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'headoffice.sqlite3'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return str(cluster.url(cluster.new_database()))


def _at_0001(db: Database) -> None:
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with db.engine.begin() as conn:
        for uid, name in ((1, "agent01"), (2, "agent02"), (3, "super01")):
            conn.execute(text("INSERT INTO users (id, username, display_name, role, team, password_hash, active, "
                              "failed_logins, created_at) VALUES (:id, :u, :u, :r, 'T', 'x', true, 0, :now)"),
                         {"id": uid, "u": name, "r": "supervisor" if uid == 3 else "agent", "now": NOW})
            conn.execute(text("INSERT INTO tokens (token_hash, kind, user_id, device_id, family, expires_at, "
                              "revoked, created_at) VALUES (:h, 'access', :id, 'd', 'f', :now, false, :now)"),
                         {"h": f"{uid:064d}", "id": uid, "now": NOW})
        conn.execute(text("INSERT INTO debtors (id, name, id_number) VALUES (1, '王伟', '510104199001011234')"))
        conn.execute(text("INSERT INTO cases (id, external_id, case_no, debtor_id, agent_id, team, stage, "
                          "base_status, base_overdue_fen, status, overdue_fen, currency, district, days_past_due, "
                          "version, created_at, updated_at) VALUES (1, 'E1', 'C1', 1, 1, 'T', 'field_visit', "
                          "'open', 100, 'open', 100, 'CNY', '锦江区', 40, 1, :now, :now)"), {"now": NOW})


def _counts(db: Database) -> dict[str, Any]:
    with db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("users", "tokens", "debtors", "cases")}


def test_0001_upgrades_to_the_head_keeping_every_row(db_url: str) -> None:
    db = Database(db_url)
    try:
        _at_0001(db)
        before = _counts(db)
        upgrade(db)
        assert current_revision(db) == head_revision() == "0004"
        assert _counts(db) == before  # no user, token or case lost to the new column
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            assert conn.execute(text("SELECT count(*) FROM users WHERE partner_id IS NOT NULL")).scalar_one() == 0
        with db.write() as session:
            one, two = session.get(User, 1), session.get(User, 2)
            set_pair(session, one, two, actor="test", via="cli", now=NOW)
        with db.engine.connect() as conn:
            assert dict(conn.execute(text("SELECT id, partner_id FROM users ORDER BY id")).tuples().all()) == {
                1: 2, 2: 1, 3: None}
            assert conn.execute(text("SELECT count(*) FROM pair_changes")).scalar_one() == 2
        upgrade(db)  # at the head already: nothing to do
        assert current_revision(db) == "0004"
    finally:
        db.dispose()
