"""Head office auth over real HTTP: login, refresh rotation, expiry, lockout, rate limit."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.conftest import HeadOffice


def _login(ho: HeadOffice, username: str, password: str, device: str | None = None) -> httpx.Response:
    with ho.client() as c:
        return c.post("/api/v1/auth/token", json={"username": username, "password": password,
                                                  "device_id": device or str(uuid.uuid4())})


def test_login_gives_tokens_and_user(headoffice: HeadOffice) -> None:
    r = _login(headoffice, "agent01", headoffice.accounts["agent01"])
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert body["user"]["username"] == "agent01" and body["user"]["role"] == "agent"
    assert body["user"]["team"] == "成都外访一组"
    assert body["access_token"] != body["refresh_token"]
    assert r.headers["x-doorstep-api"] == "1"
    with headoffice.client(body["access_token"]) as c:
        assert c.get("/api/v1/sync/changes", params={"limit": 1}).status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(headoffice: HeadOffice) -> None:
    a = _login(headoffice, "agent01", "not-the-password")
    b = _login(headoffice, "nobody-here", "not-the-password")
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_no_or_bad_token_is_401(headoffice: HeadOffice) -> None:
    with headoffice.client() as c:
        assert c.get("/api/v1/sync/changes").status_code == 401
    with headoffice.client("made-up-token") as c:
        r = c.get("/api/v1/sync/changes")
        assert r.status_code == 401 and r.json()["error"] == "invalid_token"


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_login(headoffice: HeadOffice) -> None:
    device = str(uuid.uuid4())
    first = headoffice.login("agent02", device)
    with headoffice.client() as c:
        r = c.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"], "device_id": device})
        assert r.status_code == 200
        second = r.json()
        assert second["access_token"] != first["access_token"]
        # Bound to the device: another device id cannot use it.
        other = c.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"],
                                                     "device_id": str(uuid.uuid4())})
        assert other.status_code == 401
        # The first refresh token was rotated away: replaying it revokes the whole family.
        replay = c.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"], "device_id": device})
        assert replay.status_code == 401
        after = c.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"], "device_id": device})
        assert after.status_code == 401
    with headoffice.client(second["access_token"]) as c:
        assert c.get("/api/v1/sync/changes", params={"limit": 1}).status_code == 401


def test_expired_access_token_is_401_and_refresh_still_works(headoffice_server, backend: str) -> None:
    ho = headoffice_server(db=backend, access_ttl=0)  # every access token is born expired
    device = str(uuid.uuid4())
    tokens = ho.login("agent01", device)
    with ho.client(tokens["access_token"]) as c:
        r = c.get("/api/v1/sync/changes")
        assert r.status_code == 401 and r.json()["error"] == "token_expired"
        assert r.headers["www-authenticate"] == "Bearer"
    with ho.client() as c:
        r = c.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"], "device_id": device})
        assert r.status_code == 200 and r.json()["expires_in"] == 0


def test_lockout_after_repeated_failures_even_for_the_right_password(headoffice_server, backend: str) -> None:
    ho = headoffice_server(db=backend, lockout_after=3, lockout_base=600, login_rate=0)
    for _ in range(3):
        assert _login(ho, "agent03", "wrong-password").status_code == 401
    r = _login(ho, "agent03", ho.accounts["agent03"])
    assert r.status_code == 429
    assert r.json()["error"] == "account_locked"
    assert 590 <= int(r.headers["retry-after"]) <= 601
    # Other accounts are unaffected.
    assert _login(ho, "agent04", ho.accounts["agent04"]).status_code == 200


def test_login_rate_limit_per_address(headoffice_server) -> None:
    ho = headoffice_server(login_rate=3)
    codes = [_login(ho, "agent05", "wrong-password").status_code for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_create_user_reads_password_from_stdin(headoffice_server) -> None:
    ho = headoffice_server(empty=True)
    ho.cli("create-user", "--username", "zhang", "--role", "supervisor", "--team", "南区",
           stdin="a-long-password\n")
    assert _login(ho, "zhang", "a-long-password").json()["user"]["role"] == "supervisor"
    short = ho.cli("create-user", "--username", "li", "--role", "agent", "--team", "南区", stdin="short\n",
                   check=False)
    assert short.returncode == 2 and "at least" in short.stderr
    dup = ho.cli("create-user", "--username", "zhang", "--role", "agent", "--team", "南区",
                 stdin="a-long-password\n", check=False)
    assert dup.returncode == 2 and "already exists" in dup.stderr
