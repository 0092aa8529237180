"""Fault hooks for reliability tests. OFF unless the process was started with `--fault-hooks` or
the environment variable DOORSTEP_HEADOFFICE_FAULTS=1; production never mounts them.

When on, `POST /api/v1/_faults` (JSON, loopback clients only) arms faults for requests whose path
starts with one of `paths` (default: every /api/v1/ path except the hook itself and health):
* `fail_503`: the next N matching requests get 503 with `Retry-After: retry_after` (nothing runs);
* `drop_after_commit`: the next N matching requests run to completion (their transaction commits),
  then the connection is dropped before the reply is complete;
* `delay_ms`: every matching request waits this long before it runs.
`DELETE /api/v1/_faults` disarms everything; `GET` shows what is armed and what has fired.
`/api/v1/_faults/clock` (headoffice/safety/clock.py) sets the safety clock; no fault applies to it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from .hardening import ASGIApp, Message, Receive, Scope, Send, send_json

HOOK_PATH = "/api/v1/_faults"


class DroppedOnPurpose(Exception):
    """Raised after the response started: the server closes the connection mid-reply."""


@dataclass
class FaultState:
    fail_503: int = 0
    retry_after: int = 1
    drop_after_commit: int = 0
    delay_ms: int = 0
    paths: list[str] = field(default_factory=lambda: ["/api/v1/"])
    fired_503: int = 0
    fired_drop: int = 0


class Faults:
    def __init__(self, app: ASGIApp):
        self.app = app
        self.state = FaultState()
        self.lock = threading.Lock()

    def _matches(self, path: str) -> bool:
        return not path.startswith(HOOK_PATH) and path != "/api/v1/health" and any(path.startswith(p) for p in self.state.paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path == HOOK_PATH:
            await self._hook(scope, receive, send)
            return
        if not self._matches(path):
            await self.app(scope, receive, send)
            return
        with self.lock:
            delay = self.state.delay_ms
            fail = self.state.fail_503 > 0
            if fail:
                self.state.fail_503 -= 1
                self.state.fired_503 += 1
            drop = not fail and self.state.drop_after_commit > 0
            if drop:
                self.state.drop_after_commit -= 1
                self.state.fired_drop += 1
            retry_after = self.state.retry_after
        if delay:
            await asyncio.sleep(delay / 1000)
        if fail:
            await send_json(send, 503, {"error": "unavailable", "detail": "fault hook: try again later"},
                            [(b"retry-after", str(retry_after).encode())])
            return
        if not drop:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)  # runs to the end: the work is committed
        start = next((m for m in held if m["type"] == "http.response.start"), None)
        if start is not None:
            await send(start)
        raise DroppedOnPurpose("fault hook: connection dropped after commit")

    async def _hook(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = (scope.get("client") or ("", 0))[0]
        if client not in ("127.0.0.1", "::1", "localhost"):
            await send_json(send, 403, {"error": "forbidden", "detail": "fault hooks answer loopback only"})
            return
        method = scope.get("method")
        if method == "DELETE":
            with self.lock:
                self.state = FaultState()
        elif method == "POST":
            body = b""
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = bool(message.get("more_body"))
            try:
                data: Any = json.loads(body or b"{}")
                if not isinstance(data, dict):
                    raise ValueError
                with self.lock:
                    for key in ("fail_503", "retry_after", "drop_after_commit", "delay_ms"):
                        if key in data:
                            setattr(self.state, key, max(0, int(data[key])))
                    if "paths" in data:
                        self.state.paths = [str(p) for p in data["paths"]]
            except (ValueError, TypeError):
                await send_json(send, 400, {"error": "bad_request", "detail": "expected a JSON object of faults"})
                return
        with self.lock:
            snapshot = asdict(self.state)
        await send_json(send, 200, snapshot)
