"""Fixtures for the sync tests (test modules import the `*_fixture` functions; pytest finds them by name).

`headoffice`: a live head-office process (conftest's `headoffice_server`) over a fresh copy of a
300-case demo database; SQLite unless a test parametrises it indirectly with "postgres".
`agent_store`: an empty local store. `connect`: a signed-in client with short back-off so failures
surface quickly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.store.engine import Store
from app.store.migrate import open_store
from app.sync.client import HeadOfficeClient
from app.sync.engine import device_of
from app.sync.retry import RetryPolicy

from .conftest import HeadOfficeFactory
from .sync_server import PASSWORD, HeadOffice

SERVER_CASES = 300
BOTH = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(name="headoffice")
def headoffice_fixture(request: pytest.FixtureRequest, headoffice_server: HeadOfficeFactory) -> HeadOffice:
    backend = getattr(request, "param", "sqlite")
    return HeadOffice(headoffice_server(db=backend, cases=SERVER_CASES, login_rate=0))


@pytest.fixture(name="agent_store")
def agent_store_fixture(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "agent" / "doorstep.sqlite3")
    try:
        yield store
    finally:
        store.close()


Connect = Callable[..., HeadOfficeClient]


@pytest.fixture(name="connect")
def connect_fixture() -> Iterator[Connect]:
    clients: list[HeadOfficeClient] = []

    def make(server_url: str, store: Store, username: str = "agent01", budget: float = 20.0,
             **kw: object) -> HeadOfficeClient:
        client = HeadOfficeClient(server_url, device_of(store), retry=RetryPolicy(base=0.05, cap=1.0, budget=budget),
                                  **kw)  # type: ignore[arg-type]
        client.login(username, PASSWORD)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
