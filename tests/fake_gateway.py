"""A local stand-in for outside receivers of head-office notifications: the client's licensed SMS
channel and a webhook receiver. Both are outside the project and cannot run here, so tests run this
instead: a real HTTP server on loopback that records every request and answers as told.

    with FakeGateway() as gw:             # gw.url = http://127.0.0.1:PORT/sms
        gw.fail_next(2, status=503)       # the next two requests get 503, then 200 again
        gw.refuse_next(1, status=400)     # the next one is refused
        gw.requests                       # [(headers dict, parsed JSON body, raw bytes), ...]
        gw.keys()                         # the Idempotency-Key of every request, in order

`FakeGateway(keep_alive=True)` speaks HTTP/1.1 and keeps connections open (a sender's connection
pool reuses them), one thread per connection, so it keeps up with a concurrent sender (the SMS
benchmark sends ≥ 500 a second); its connections are closed when it stops. By default each reply
closes its connection (HTTP/1.0), so a client that is never closed leaves no socket open.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # a concurrent sender opens many connections at once


class FakeGateway:
    def __init__(self, path: str = "/sms", keep_alive: bool = False):
        self.path = path
        self._open: set[socket.socket] = set()  # keep-alive connections, closed when it stops
        self.requests: list[tuple[dict[str, str], Any, bytes]] = []
        self._plan: list[int] = []  # statuses for the next requests; empty: 200
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for an ACK

            def setup(self) -> None:
                super().setup()
                with gateway._lock:
                    gateway._open.add(self.connection)

            def finish(self) -> None:
                with gateway._lock:
                    gateway._open.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = None
                with gateway._lock:
                    status = gateway._plan.pop(0) if gateway._plan else 200
                    gateway.requests.append(({k.lower(): v for k, v in self.headers.items()}, body, raw))
                    number = len(gateway.requests)
                    gateway._arrived.notify_all()
                reply = json.dumps({"id": f"gw-{number}"} if status == 200 else {"error": "fake"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_args: Any) -> None:
                return

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = False  # server_close() waits for every connection's thread
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-gateway", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def fail_next(self, n: int, status: int = 503) -> None:
        with self._lock:
            self._plan.extend([status] * n)

    refuse_next = fail_next

    def keys(self) -> list[str]:
        with self._lock:
            return [headers.get("idempotency-key", "") for headers, _body, _raw in self.requests]

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        """Block until `count` requests have arrived (fails after `timeout` seconds)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise TimeoutError(f"the fake gateway got {len(self.requests)} of {count} requests")

    def __enter__(self) -> FakeGateway:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        with self._lock:
            idle = list(self._open)
        for conn in idle:  # an idle keep-alive connection: its thread sees the end and finishes
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=10)


def main() -> None:
    """`python -m tests.fake_gateway`: serve on a free loopback port in a process of its own (the SMS
    benchmark sends to it from another), print the URL, and stop when standard input closes."""
    import sys

    with FakeGateway(keep_alive=True) as gateway:
        print(gateway.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
