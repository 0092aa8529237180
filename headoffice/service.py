"""What every head-office route shares: the service (settings, database, compliance profile, who is
asking), the error a route raises (`ApiError`, answered as `{"error": code, "detail": text}` by the
handler `api.create_app` installs) and the role check (`require`).

`api.py` builds the application and its core routes on these; `supervision.py` adds the supervisor's
routes with the same pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.clock import utcnow

from . import auth
from .auth import AuthError, Principal
from .changes import prune
from .clock import SafetyClock
from .config import Settings, load_profile
from .db import Database


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None):
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers, self.extra = status, error, detail, headers, extra


@dataclass
class Service:
    settings: Settings
    db: Database

    def __post_init__(self) -> None:
        self.profile, self.profile_json = load_profile(self.settings.profile_source)
        self.profile_key = f"{self.profile.id}:{self.profile.version}"
        # Every safety rule reads time here (settable from outside only with the test fault hooks).
        self.clock = SafetyClock(self.db, settable=self.settings.fault_hooks)

    def principal(self, authorization: str | None) -> Principal:
        bearer = None
        if authorization and authorization[:7].lower() == "bearer ":
            bearer = authorization[7:].strip()
        with self.db.read() as session:
            try:
                return auth.authenticate(session, bearer, utcnow())
            except AuthError as exc:
                raise ApiError(exc.status, exc.code, exc.detail, {"WWW-Authenticate": "Bearer"}) from None

    def after_write(self, session: Any) -> None:
        if self.settings.retain_changes is not None:
            prune(session, self.settings.retain_changes)


def require(p: Principal, *roles: str) -> None:
    if p.user.role not in roles:
        raise ApiError(403, "forbidden", "your role may not do this")
