"""Security against a live head office: an encrypted agent store syncs like a plain one, a reveal reaches
head office as a `pii_revealed` event without the revealed value, and retention then purges a closed case
whose records head office has acknowledged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.services.privacy import reveal
from app.services.retention import purge_expired
from app.services.syncing import sync_once
from app.store.crypto import is_plain_sqlite
from app.store.engine import Store
from app.store.vault import create_keys, open_encrypted

from .sync_fixtures import (  # noqa: F401 (fixtures)
    Connect,
    connect_fixture,
    headoffice_fixture,
)
from .sync_helpers import NOW, queued, record_no_answer
from .sync_server import HeadOffice


@pytest.fixture
def encrypted_store(tmp_path: Path) -> Iterator[Store]:
    f = tmp_path / "agent" / "doorstep.sqlite3"
    f.parent.mkdir()
    keys = create_keys(f, "agent01 的 secret")
    store, _ = open_encrypted(f, keys)
    try:
        yield store
    finally:
        store.close()
        keys.wipe()


def test_encrypted_store_syncs_and_head_office_keeps_the_reveal(headoffice: HeadOffice, encrypted_store: Store,
                                                                connect: Connect) -> None:
    store = encrypted_store
    assert store.path is not None and not is_plain_sqlite(store.path)
    client = connect(headoffice.url, store)
    first = sync_once(store, client)
    assert first.cases_updated > 0
    with store.read() as s:
        case_id, name, debtor_id = s.execute(text(
            "SELECT c.id, d.name, d.id FROM cases c JOIN debtors d ON d.id = c.debtor_id "
            "WHERE (SELECT count(*) FROM cases c2 WHERE c2.debtor_id = d.id) = 1 ORDER BY c.id LIMIT 1")).one()
    assert reveal(store, case_id, "name", "agent01", NOW) == name
    record_no_answer(store, case_id)
    report = sync_once(store, client)
    assert report.pushed.acknowledged == 2 and queued(store) == 0
    rows = headoffice.query("SELECT kind, payload FROM events WHERE case_id = ? ORDER BY kind", (case_id,))
    kinds = [r[0] for r in rows]
    assert "pii_revealed" in kinds
    payload = json.loads(next(r[1] for r in rows if r[0] == "pii_revealed"))
    assert payload["fields"] == ["name"] and name not in json.dumps(payload, ensure_ascii=False)

    # Retention: the case closes, time passes; its records are acknowledged, so it leaves the laptop.
    with store.write() as s:
        s.execute(text("UPDATE cases SET status = 'closed', updated_at = '2026-01-01T00:00:00.000000Z' "
                       "WHERE id = :id"), {"id": case_id})
    purged = purge_expired(store, days=30, now=NOW + timedelta(days=1))
    assert purged.purged_cases == [case_id]
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM cases WHERE id = :id"), {"id": case_id}).scalar_one() == 0
        assert s.execute(text("SELECT count(*) FROM debtors WHERE id = :d"), {"d": debtor_id}).scalar_one() == 0
