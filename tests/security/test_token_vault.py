"""The window's token vault (app.services.signin.token_store_for): bound to the device, the user and the
head-office address; read once and cached; forgotten on lock; removed on sign-out. The OS keyring is
outside the project, so the keyring path is driven with an in-memory keyring backend (same interface)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services.secrets import SecretsError
from app.services.signin import token_store_for
from app.store.vault import create_keys
from app.sync.tokens import Tokens

from .conftest import SECRET
from .test_security_services import MemoryKeyring

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


class CountingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        return super().get_password(service, username)


def test_tokens_are_bound_to_device_user_and_server_and_leave_on_sign_out(tmp_path: Path) -> None:
    keys = create_keys(tmp_path / "doorstep.sqlite3", SECRET)
    kr = CountingKeyring()
    tokens = token_store_for(tmp_path, keys, "device-1", keyring_backend=kr)
    assert tokens.kind == "keyring"
    t = Tokens("access-token-value", "refresh-token-value", NOW)
    tokens.save("https://ho.example/", "Agent01", t)
    assert list(kr.entries) == [("Doorstep", "device-1/tokens:agent01@https://ho.example")]
    assert not (tmp_path / "secrets.dse").exists()  # nothing on disk beside the keyring

    again = token_store_for(tmp_path, keys, "device-1", keyring_backend=kr)  # a restart
    assert again.load("https://ho.example/", "Agent01") == t
    assert again.load("https://ho.example/", "Agent01") == t
    assert kr.reads == 1  # the client asks before every request: read once, then from memory
    assert token_store_for(tmp_path, keys, "device-2", keyring_backend=kr).load("https://ho.example/", "Agent01") \
        is None  # another laptop's entry is not this one's
    assert again.load("https://other.example", "Agent01") is None

    again.forget()  # lock / logout: the copy in memory goes, the entry stays for the next login
    with pytest.raises(SecretsError, match="locked"):
        again.load("https://ho.example/", "Agent01")
    assert len(kr.entries) == 1

    fresh = token_store_for(tmp_path, keys, "device-1", keyring_backend=kr)
    fresh.clear("https://ho.example/", "Agent01")  # explicit sign-out
    assert kr.entries == {} and fresh.load("https://ho.example/", "Agent01") is None
    keys.wipe()


def test_without_a_keyring_the_tokens_are_sealed_in_the_data_folder(tmp_path: Path) -> None:
    from keyring.backends import fail

    keys = create_keys(tmp_path / "doorstep.sqlite3", SECRET)
    tokens = token_store_for(tmp_path, keys, "device-1", keyring_backend=fail.Keyring())
    assert tokens.kind == "encrypted-file"
    tokens.save("https://ho.example", "agent01", Tokens("access-token-value", "refresh-token-value", NOW))
    raw = (tmp_path / "secrets.dse").read_bytes()
    assert b"refresh-token-value" not in raw and b"agent01" not in raw
    tokens.forget()
    keys.wipe()
