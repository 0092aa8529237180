"""Fixtures for the sync tests (test modules import the `*_fixture` functions; pytest finds them by name).

`headoffice`: a live head-office process over a private copy of a demo database (300 cases, built
once per session), with fault hooks on. `agent_store`: an empty local store. `connect`: a client for
a demo user with short retry budgets so failures surface quickly.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.store.engine import Store
from app.store.migrate import open_store
from app.sync.client import HeadOfficeClient
from app.sync.engine import device_of
from app.sync.retry import RetryPolicy

from .sync_server import PASSWORD, HeadOffice

SERVER_CASES = 300


@pytest.fixture(scope="session", name="headoffice_template")
def headoffice_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ho-template")
    HeadOffice(folder).setup(SERVER_CASES)
    return folder / "headoffice.sqlite3"


@pytest.fixture(name="headoffice")
def headoffice_fixture(headoffice_template: Path, tmp_path: Path) -> Iterator[HeadOffice]:
    folder = tmp_path / "ho"
    folder.mkdir()
    shutil.copy2(headoffice_template, folder / "headoffice.sqlite3")
    server = HeadOffice(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


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
