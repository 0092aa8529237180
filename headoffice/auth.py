"""Login, token refresh and bearer authentication.

* Login: username + password (argon2) + device id → a short-lived access token and a refresh
  token, both bound to that device. Tokens are random; only their SHA-256 is stored, so a
  database leak gives no usable token, and any API process can check them (stateless).
* Lockout: after `lockout_after` consecutive failures the account locks for `lockout_base`
  seconds, doubling with each further failure up to `lockout_max`. A locked account answers 429
  with Retry-After even for the right password. Success resets the count.
* Refresh rotates: the old refresh token is revoked. Presenting a revoked refresh token again
  (someone replayed a stolen one) revokes the whole login family.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.contract.v1 import RefreshRequest, TokenRequest, TokenResponse, UserInfo

from .config import Settings
from .db import Database
from .models import Token, User
from .security import new_token, token_hash, verify_password


class AuthError(Exception):
    def __init__(self, status: int, code: str, detail: str, retry_after: int | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    device_id: str


def user_info(user: User) -> UserInfo:
    return UserInfo(id=user.id, username=user.username, display_name=user.display_name or user.username,
                    role=user.role, team=user.team)  # type: ignore[arg-type]


def _issue(session: Session, settings: Settings, user: User, device_id: str, family: str,
           now: datetime) -> TokenResponse:
    # Forget this user's tokens that can no longer be used (expired ones are useless even to a thief).
    session.execute(delete(Token).where(Token.user_id == user.id, Token.expires_at < now))
    access, refresh = new_token(), new_token()
    session.add(Token(token_hash=token_hash(access), kind="access", user_id=user.id, device_id=device_id,
                      family=family, expires_at=now + timedelta(seconds=settings.access_ttl), created_at=now))
    session.add(Token(token_hash=token_hash(refresh), kind="refresh", user_id=user.id, device_id=device_id,
                      family=family, expires_at=now + timedelta(seconds=settings.refresh_ttl), created_at=now))
    return TokenResponse(access_token=access, refresh_token=refresh, expires_in=settings.access_ttl,
                         user=user_info(user))


def login(db: Database, settings: Settings, req: TokenRequest, now: datetime) -> TokenResponse | AuthError:
    """Returns (not raises) the error. The password is verified outside any write transaction
    (argon2 is slow on purpose; writers must not wait on it); counters change atomically in SQL."""
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == req.username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        return AuthError(429, "account_locked", f"too many failed logins; try again in {wait} s", wait)
    ok = verify_password(user.password_hash if user else None, req.password)
    if user is None or not ok or not user.active:
        if user is not None and not ok:
            with db.write() as session:
                session.execute(update(User).where(User.id == user.id)
                                .values(failed_logins=User.failed_logins + 1))
                row = session.get(User, user.id)
                assert row is not None
                over = row.failed_logins - settings.lockout_after
                if over >= 0:
                    seconds = min(settings.lockout_max, settings.lockout_base * (2 ** min(over, 20)))
                    row.locked_until = now + timedelta(seconds=seconds)
        return AuthError(401, "invalid_credentials", "wrong username or password")
    with db.write() as session:
        row = session.get(User, user.id)
        assert row is not None
        row.failed_logins = 0
        row.locked_until = None
        return _issue(session, settings, row, req.device_id, secrets.token_hex(16), now)


def refresh(session: Session, settings: Settings, req: RefreshRequest, now: datetime) -> TokenResponse | AuthError:
    """Returns (not raises) the error, so a family revocation is committed."""
    row = session.scalar(select(Token).where(Token.token_hash == token_hash(req.refresh_token),
                                             Token.kind == "refresh"))
    if row is None:
        return AuthError(401, "invalid_token", "unknown refresh token; log in again")
    if row.revoked:
        session.execute(update(Token).where(Token.family == row.family).values(revoked=True))
        return AuthError(401, "invalid_token", "refresh token already used; log in again")
    if row.device_id != req.device_id:
        return AuthError(401, "invalid_token", "refresh token belongs to another device")
    if row.expires_at <= now:
        return AuthError(401, "token_expired", "refresh token expired; log in again")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return AuthError(401, "invalid_token", "account disabled")
    row.revoked = True
    return _issue(session, settings, user, row.device_id, row.family, now)


def authenticate(session: Session, bearer: str | None, now: datetime) -> Principal:
    if not bearer:
        raise AuthError(401, "not_authenticated", "missing bearer token")
    row = session.scalar(select(Token).where(Token.token_hash == token_hash(bearer), Token.kind == "access"))
    if row is None or row.revoked:
        raise AuthError(401, "invalid_token", "unknown or revoked access token")
    if row.expires_at <= now:
        raise AuthError(401, "token_expired", "access token expired; refresh it")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise AuthError(401, "invalid_token", "account disabled")
    return Principal(user, row.device_id)
