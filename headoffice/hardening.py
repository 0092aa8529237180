"""ASGI middleware: API version header, body size limits, security headers, per-address rate limits
(logins; the public check of a letter's verification code, so nobody can walk the codes).

Pure ASGI (not BaseHTTPMiddleware) so a body is counted while it streams and rejected with 413
before it is read whole, whatever Content-Length claims.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from app.contract.letters import VERIFY_PATH
from app.contract.v1 import API_HEADER, API_VERSION

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

VERIFY_PREFIX = VERIFY_PATH.split("{", 1)[0]  # /api/v1/letters/verify/

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


async def send_json(send: Send, status: int, body: dict[str, Any],
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class Hardening:
    def __init__(self, app: ASGIApp, max_body: int, max_attachment: int, login_rate: int, verify_rate: int = 60):
        self.app = app
        self.max_body = max_body
        self.max_attachment = max_attachment
        self.limiter = RateLimiter(login_rate, 60.0)
        self.verify_limiter = RateLimiter(verify_rate, 60.0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS,
                                      (API_HEADER.lower().encode(), API_VERSION.encode())]
            await send(message)

        version = headers.get(API_HEADER.lower())
        if version is not None and version.strip() != API_VERSION:
            await send_with_headers_json(send_with_headers, 400, "unsupported_api_version",
                                         f"this server speaks API version {API_VERSION}, not {version[:20]!r}")
            return
        path: str = scope.get("path", "")
        limit = self.max_attachment if path.startswith("/api/v1/attachments/") else self.max_body
        declared = headers.get("content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await send_with_headers_json(send_with_headers, 400, "bad_request", "bad Content-Length")
                return
            if too_big:
                await send_with_headers_json(send_with_headers, 413, "too_large",
                                             f"request body is limited to {limit:,} bytes")
                return
        if path == "/api/v1/auth/token" and scope.get("method") == "POST":
            client = (scope.get("client") or ("?", 0))[0]
            wait = self.limiter.hit(client)
            if wait is not None:
                await send_with_headers_json(send_with_headers, 429, "rate_limited",
                                             "too many login attempts from this address",
                                             [(b"retry-after", str(wait).encode())])
                return
        if path.startswith(VERIFY_PREFIX):
            wait = self.verify_limiter.hit((scope.get("client") or ("?", 0))[0])
            if wait is not None:
                await send_with_headers_json(send_with_headers, 429, "rate_limited",
                                             "too many letter checks from this address",
                                             [(b"retry-after", str(wait).encode())])
                return
        # Read the body here (bounded), so an oversized stream is refused before the app sees it.
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            seen += len(body)
            if seen > limit:
                await send_with_headers_json(send_with_headers, 413, "too_large",
                                             f"request body is limited to {limit:,} bytes")
                return
            chunks.append(body)
            more = bool(message.get("more_body", False))
        # One copy of the body from here on (an evidence upload is up to max_attachment bytes): the joined
        # body is handed to the app and not kept here.
        held = [chunks[0] if len(chunks) == 1 else b"".join(chunks)]
        chunks.clear()

        async def replay() -> Message:
            if held:
                return {"type": "http.request", "body": held.pop(), "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)


async def send_with_headers_json(send: Send, status: int, error: str, detail: str,
                                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send_json(send, status, {"error": error, "detail": detail}, headers)


class RateLimiter:
    """Sliding window per key, in this process (each API process limits on its own)."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Record a hit; the seconds to wait if over the limit, else None."""
        if self.limit <= 0:
            return None
        now = time.monotonic()
        with self.lock:
            q = self.hits.setdefault(key, deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(1, int(q[0] + self.window - now) + 1)
            q.append(now)
            if len(self.hits) > 10_000:  # forget idle addresses
                for k in [k for k, v in self.hits.items() if not v or v[-1] <= now - self.window]:
                    del self.hits[k]
            return None
