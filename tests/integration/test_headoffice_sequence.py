"""The change sequence commits in order on PostgreSQL: a writer that would take the next seq waits
until the writer holding the previous one has committed, so a reader never sees seq N+1 before N."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from headoffice.changes import ChangeWriter, read_page
from headoffice.db import Database
from headoffice.migrate import upgrade
from headoffice.models import User
from tests.integration.conftest import PostgresCluster

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_cluster: PostgresCluster) -> Iterator[Database]:
    db = Database(postgres_cluster.url(postgres_cluster.new_database()))
    upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


def _admin() -> User:
    return User(id=0, username="root", role="admin", team="", password_hash="", active=True, failed_logins=0,
                created_at=datetime.now(UTC))


def _visible(db: Database) -> list[int]:
    with db.read() as s:
        rows, _, _ = read_page(s, _admin(), 0, 100)
        return [r.seq for r in rows]


def _blocked_on_advisory_lock(db: Database) -> bool:
    with db.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND wait_event = 'advisory' AND datname = current_database()")).scalar())


def test_second_writer_waits_for_the_first_commit(pg: Database) -> None:
    first_has_seq, release_first = threading.Event(), threading.Event()
    seqs: dict[str, int] = {}

    def first() -> None:
        with pg.write() as s:
            seqs["first"] = ChangeWriter(s, datetime.now(UTC)).add("case_upsert", case_id=1, team="t")
            s.flush()
            first_has_seq.set()
            assert release_first.wait(60)

    def second() -> None:
        with pg.write() as s:
            seqs["second"] = ChangeWriter(s, datetime.now(UTC)).add("case_upsert", case_id=2, team="t")

    a = threading.Thread(target=first)
    a.start()
    assert first_has_seq.wait(60)
    b = threading.Thread(target=second)
    b.start()
    deadline = time.monotonic() + 60
    while not _blocked_on_advisory_lock(pg):  # wait until the second writer is parked on the lock
        assert time.monotonic() < deadline, "second writer never waited for the lock"
        assert b.is_alive(), "second writer finished while the first still held the lock"
        release_first.wait(0.01)
    assert "second" not in seqs
    assert _visible(pg) == []  # nothing committed yet: a reader sees neither
    release_first.set()
    a.join(60)
    b.join(60)
    assert seqs["second"] == seqs["first"] + 1
    assert _visible(pg) == [seqs["first"], seqs["second"]]


def test_many_concurrent_writers_leave_no_gap(pg: Database) -> None:
    def write(i: int) -> None:
        for k in range(10):
            with pg.write() as s:
                ChangeWriter(s, datetime.now(UTC)).add("case_upsert", case_id=1000 * i + k, team="t")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert _visible(pg) == list(range(1, 81))
