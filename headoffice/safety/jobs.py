"""The background work of one API process: the ladder's sweep and the notification deliverer, each a
thread that runs every `--sweep-interval` seconds (0: neither runs in this process). They start with
the application (FastAPI lifespan) and stop on shutdown. Every process over one database may run
them: the claims in the database make each step and each message happen once."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from headoffice.service import Service

from .ladder import sweep
from .outbox import deliver_due
from .routes import channels_of

log = logging.getLogger("headoffice.safety")


def adapters_of(svc: Service) -> dict[str, Any]:
    """The configured channels' adapters (headoffice/notify); none when no channel is configured."""
    s = svc.settings
    if not (s.sms_gateway or s.safety_webhook):
        return {}
    from headoffice.notify import adapters_from

    return dict(adapters_from(s.sms_gateway, s.sms_signature, s.sms_token, s.safety_webhook,
                              s.safety_webhook_secret))


class Loop:
    """Calls `work` every `interval` seconds on its own thread until stopped; a failing pass is logged
    and the next one runs (a database that is briefly away must not end the ladder)."""

    def __init__(self, name: str, interval: float, work: Callable[[], object]):
        self.name, self.interval, self.work = name, interval, work
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.work()
            except Exception:
                log.exception("%s pass failed", self.name)
            self.stopping.wait(self.interval)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout)


class SafetyJobs:
    def __init__(self, svc: Service):
        self.svc = svc
        interval = svc.settings.sweep_interval
        self.loops: list[Loop] = []
        if interval > 0:
            channels = channels_of(svc)
            adapters = adapters_of(svc)
            self.loops.append(Loop("safety-sweep", interval,
                                   lambda: sweep(svc.db, svc.clock.now(), channels)))
            if adapters:
                self.loops.append(Loop("safety-deliver", interval,
                                       lambda: deliver_due(svc.db, adapters, svc.clock.now)))

    def start(self) -> None:
        for loop in self.loops:
            loop.start()

    def stop(self) -> None:
        for loop in self.loops:
            loop.stopping.set()
        for loop in self.loops:
            loop.stop()


def lifespan(svc: Service) -> Callable[[Any], Any]:
    @asynccontextmanager
    async def run(_app: Any) -> AsyncIterator[None]:
        jobs = SafetyJobs(svc)
        jobs.start()
        try:
            yield
        finally:
            jobs.stop()

    return run
