"""Helpers shared by the map tests (no tests here): tile PNGs made with zlib, a real tile server on loopback."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOSTILE = [
    "<img src=x onerror=\"window.__pwned=1\">",
    "</script><script>window.__pwned=2</script>",
    "`;window.__pwned=3;`",
    "${window.__pwned=4}",
    "{{ 7*7 }}{% for i in range(3) %}x{% endfor %}",
    "\\`${window.__pwned=5}",
    "=HYPERLINK(\"http://evil\")",
    "张三丰 Zhang 🧧 " + "长" * 10_000,
]


def png_tile(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A solid-colour PNG, made by hand so the tests need nothing but zlib."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * size
    raw = zlib.compress(row * size, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


class LoopbackTileServer:
    """An XYZ tile server on 127.0.0.1 serving /{z}/{x}/{y}.png; `mode` picks its behaviour:
    "ok" (a PNG whose colour encodes x and y), "garbage" (HTML with status 200),
    "hang" (holds the request until the test ends), "error" (HTTP 500)."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.requests: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                parts = self.path.strip("/").split(".")[0].split("/")
                if server.mode == "hang":
                    server.release.wait(30)
                    return
                if server.mode == "error":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if server.mode == "garbage":
                    body = b"<html><body>rate limited</body></html>"
                    ctype = "text/html"
                else:
                    z, x, y = (int(p) for p in parts)
                    body = png_tile(((x * 37) % 256, (y * 91) % 256, z * 10 % 256), size=8)
                    ctype = "image/png"
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url_template(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def expected_tile(z: int, x: int, y: int) -> bytes:
    return png_tile(((x * 37) % 256, (y * 91) % 256, z * 10 % 256), size=8)


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Wait on a condition without sleeping blindly (an Event wakes up as soon as it is true)."""
    ev = threading.Event()
    deadline = timeout
    step = 0.02
    waited = 0.0
    while waited < deadline:
        if predicate():
            return True
        ev.wait(step)
        waited += step
    return predicate()
