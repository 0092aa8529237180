"""The SMS planner and sender as a background thread of `serve`, when `--sms-gateway` is set and
`--sweep-interval` is above 0: every interval it plans the pending `sms` actions, then sends what is
due in passes of up to `send.LIMIT` messages until a pass finds fewer (at most `MAX_PASSES` in a row,
so a stop is heard). Every process over one database may run it: planning and claims happen once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from headoffice.safety.jobs import Loop
from headoffice.service import Service

from .plan import plan
from .send import LIMIT, WORKERS, Sender, send_due

log = logging.getLogger("headoffice.sms")
MAX_PASSES = 20


def gateway(url: str, signature: str, token: str | None, workers: int = WORKERS) -> Any:
    """The SMS adapter with a connection pool as large as the sender's threads (kept alive)."""
    from headoffice.notify.sms import SmsGateway

    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    return SmsGateway(url, signature, token, transport=httpx.HTTPTransport(limits=limits))


def one_pass(svc: Service, sender: Sender) -> int:
    plan(svc.db, svc.clock.now(), svc.profile)
    sent = 0
    for _ in range(MAX_PASSES):
        result = send_due(svc.db, svc.clock.now, sender, LIMIT)
        sent += result.claimed
        if result.claimed + result.skipped < LIMIT:
            break
    return sent


class SmsJobs:
    def __init__(self, svc: Service):
        s = svc.settings
        self.sender: Sender | None = None
        self.loop: Loop | None = None
        if s.sms_gateway and s.sweep_interval > 0:
            self.sender = Sender(gateway(s.sms_gateway, s.sms_signature, s.sms_token), svc.profile)
            sender = self.sender
            self.loop = Loop("sms-send", s.sweep_interval, lambda: one_pass(svc, sender))

    def start(self) -> None:
        if self.loop is not None:
            self.loop.start()

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.stop()
        if self.sender is not None:
            self.sender.close()


def lifespan(svc: Service, inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The application's lifespan with the SMS job around `inner` (the safety jobs)."""

    @asynccontextmanager
    async def run(app: Any) -> AsyncIterator[None]:
        jobs = SmsJobs(svc)
        jobs.start()
        try:
            async with inner(app):
                yield
        finally:
            jobs.stop()

    return run
