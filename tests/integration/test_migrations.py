"""Migrations: the models and the head revision agree, and every earlier store upgrades intact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.services.integrity import check_store
from app.store.migrate import HEAD_REVISION, _alembic_config, open_store
from app.store.models import Base

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stores"


def test_head_constant_is_the_script_head() -> None:
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert heads == [HEAD_REVISION], "update HEAD_REVISION in app/store/migrate.py after adding a migration"


def test_models_and_head_revision_agree(store_path: Path) -> None:
    store = open_store(store_path)
    try:
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={
                "include_object": _include,
                "compare_type": True,
                "render_as_batch": True,
            })
            diff = compare_metadata(ctx, Base.metadata)
    finally:
        store.close()
    assert diff == [], f"models differ from the migrations: {diff}"


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The same filter as migrations/env.py: FTS5 tables are made by hand in the revisions.
    return not (type_ == "table" and name and name.startswith(("case_search", "alembic_version")))


def fixture_revisions() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.sqlite3"))


def test_every_revision_has_a_fixture() -> None:
    script = ScriptDirectory.from_config(_alembic_config())
    revisions = {r.revision for r in script.walk_revisions()}
    assert revisions == set(fixture_revisions()), "run tools/make_store_fixture.py for a new revision"


@pytest.mark.parametrize("revision", fixture_revisions())
def test_fixture_store_upgrades_with_its_data(revision: str, tmp_path: Path) -> None:
    target = tmp_path / "doorstep.sqlite3"
    shutil.copy2(FIXTURES / f"{revision}.sqlite3", target)
    expected = json.loads((FIXTURES / f"{revision}.json").read_text())
    store = open_store(target)
    try:
        with store.engine.connect() as conn:
            for table, n in expected.items():
                assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == n, table
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD_REVISION
        report = check_store(store)
        assert report.ok, report.problems
    finally:
        store.close()
    if revision != HEAD_REVISION:
        assert (tmp_path / f"doorstep.sqlite3.before-{HEAD_REVISION}").exists(), "a copy is kept before migrating"


def test_upgrade_from_empty_then_reopen_is_fast_path(store_path: Path) -> None:
    open_store(store_path).close()
    store = open_store(store_path, migrate=False)  # at head: opening needs no migration
    store.close()
