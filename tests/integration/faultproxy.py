"""A small fault-injecting HTTP/1.1 proxy for the sync reliability tests (loopback only, threads).

It sits between the app's client and a real head-office process and, per request, either forwards it,
or answers 503 with Retry-After without forwarding (head office busy), or resets the connection
without forwarding (head office down), or forwards it and then drops the connection before the
client has read the reply (the server committed; the client never learns), or forwards it and
cuts the reply in half, or answers 200 with an HTML page (a hotel Wi-Fi captive portal). Rules match on method and path prefix and fire a bounded number of times.

Every socket has a timeout and every thread is a daemon that ends when `close()` shuts the sockets.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO

FORWARD, BUSY, RESET, DROP_REPLY, TRUNCATE, PORTAL = "forward", "busy", "reset", "drop_reply", "truncate", "portal"
MAX_BODY = 64 * 1024 * 1024


@dataclass
class Rule:
    action: str
    method: str | None = None  # None: any
    path: str = "/"  # prefix
    times: int = 1  # how many matching requests it applies to (then it is spent)
    retry_after: int = 1
    skip: int = 0  # let this many matching requests through first

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and path.startswith(self.path)


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)  # "METHOD /path" (no query)
    faults: Counter[str] = field(default_factory=Counter)  # action → times applied


class _Closed(Exception):
    pass


def _read_message(f: BinaryIO, is_request: bool) -> tuple[bytes, bytes, str, str] | None:
    """(head, body, method, path) of one HTTP/1.1 message; None at a clean end of stream."""
    first = f.readline(65536)
    if not first:
        return None
    lines = [first]
    while True:
        line = f.readline(65536)
        if not line:
            raise _Closed("stream ended inside a message head")
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            break
    head = b"".join(lines)
    parts = first.decode("latin-1").split()
    method, path = (parts[0], parts[1]) if is_request and len(parts) >= 2 else ("", "")
    status = int(parts[1]) if not is_request and len(parts) >= 2 and parts[1].isdigit() else 0
    headers = {}
    for raw in lines[1:-1]:
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if not is_request and (status in (204, 304) or 100 <= status < 200):
        return head, b"", method, path
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            size_line = f.readline(65536)
            if not size_line:
                raise _Closed("stream ended inside a chunked body")
            body += size_line
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers up to the blank line
                    t = f.readline(65536)
                    body += t
                    if t in (b"\r\n", b"\n", b""):
                        break
                break
            chunk = f.read(size + 2)
            if len(chunk) < size + 2:
                raise _Closed("stream ended inside a chunk")
            body += chunk
        return head, bytes(body), method, path
    length = int(headers.get("content-length", "0") or "0")
    if length > MAX_BODY:
        raise _Closed("body too large for the test proxy")
    body = f.read(length) if length else b""
    if len(body) < length:
        raise _Closed("stream ended inside a body")
    return head, body, method, path


class FaultProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1", timeout: float = 60.0):
        self.upstream = (upstream_host, upstream_port)
        self.timeout = timeout
        self.rules: list[Rule] = []
        self.stats = Stats()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.5)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def set_upstream(self, port: int) -> None:
        self.upstream = (self.upstream[0], port)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            socks = list(self._sockets)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals ----------------------------------------------------------------------------

    def _decide(self, method: str, path: str) -> Rule | None:
        with self._lock:
            self.stats.requests[f"{method} {path.split('?')[0]}"] += 1
            for rule in self.rules:
                if rule.times > 0 and rule.matches(method, path):
                    if rule.skip > 0:
                        rule.skip -= 1
                        return None
                    rule.times -= 1
                    self.stats.faults[rule.action] += 1
                    return rule
        return None

    def _track(self, s: socket.socket) -> None:
        with self._lock:
            self._sockets.add(s)

    def _untrack(self, s: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(s)
        try:
            s.close()
        except OSError:
            pass

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(self.timeout)
            self._track(conn)
            threading.Thread(target=self._serve, args=(conn,), name="fault-proxy-conn", daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        cf = client.makefile("rb")
        uf = None
        try:
            while not self._stop.is_set():
                msg = _read_message(cf, is_request=True)
                if msg is None:
                    return
                head, body, method, path = msg
                rule = self._decide(method, path)
                action = rule.action if rule else FORWARD
                if action == RESET:
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return
                if action == BUSY:
                    assert rule is not None
                    text = b'{"error":"busy","detail":"head office is busy (test proxy)"}'
                    client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                                   + f"Retry-After: {rule.retry_after}\r\nContent-Length: {len(text)}\r\n\r\n"
                                   .encode() + text)
                    continue
                if action == PORTAL:
                    page = "<html><script>alert(1)</script>请登录酒店 Wi-Fi</html>".encode()
                    client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                                   + f"Content-Length: {len(page)}\r\n\r\n".encode() + page)
                    continue
                if upstream is None:
                    upstream = socket.create_connection(self.upstream, timeout=self.timeout)
                    self._track(upstream)
                    uf = upstream.makefile("rb")
                upstream.sendall(head + body)
                assert uf is not None
                reply = _read_message(uf, is_request=False)
                if reply is None:
                    return
                rhead, rbody, _, _ = reply
                if action == DROP_REPLY:
                    return  # the server has done the work; the client never hears of it
                data = rhead + rbody
                if action == TRUNCATE:
                    client.sendall(data[: max(1, len(data) // 2)])
                    return
                client.sendall(data)
                if method == "HEAD":
                    continue
        except (_Closed, OSError, ValueError):
            return
        finally:
            cf.close()
            if uf is not None:
                uf.close()
            if upstream is not None:
                self._untrack(upstream)
            self._untrack(client)
