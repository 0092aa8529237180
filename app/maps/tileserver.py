"""A loopback HTTP server that hands tiles to the map page from the offline cache.

Why a loopback server rather than a custom URL scheme in Qt: it needs no registration before the
QApplication exists, it keeps all tile logic in plain Python (testable without Qt), it runs on its
own threads (so the GUI thread never waits on the network or the cache file), and the same page
works in any browser. It listens on 127.0.0.1 only, on a free port, and answers only under a
random path token, so another program on the machine cannot use it as an open proxy.

For each `GET /<token>/{z}/{x}/{y}` it answers from the MBTiles cache; on a miss it fetches from
the provider, stores the tile and answers. When the provider is unreachable (refused, timeout)
it stops asking for `offline_backoff_s` seconds and serves the cache alone, so an offline map
does not wait a timeout per tile. Problems are reported once through `on_problem`, with a clear
message, and the page just shows no tile there.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.maps.tilecache import TileCache, TileCacheError, image_format
from app.maps.tilefetch import TileFetcher, TileFetchError

log = logging.getLogger(__name__)

_PATH = re.compile(r"^/([0-9a-f]{32})/(\d{1,2})/(\d{1,8})/(\d{1,8})(?:\.[a-z]{3,4})?$")
_MIME = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


class TileServer:
    def __init__(self, cache: TileCache | None, fetcher: TileFetcher | None, *,
                 on_problem: Callable[[str], None] | None = None, offline_backoff_s: float = 30.0,
                 max_upstream: int = 4) -> None:
        self.cache = cache
        self.fetcher = fetcher
        self.on_problem = on_problem
        self.offline_backoff_s = offline_backoff_s
        self.token = secrets.token_hex(16)
        self._upstream = threading.BoundedSemaphore(max_upstream)
        self._offline_until = 0.0
        self._last_problem: tuple[str, float] | None = None
        self._state = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.served = 0
        self.fetched = 0

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> TileServer:
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="doorstep-tiles", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("tile server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url_template(self) -> str:
        """The Leaflet URL template the page uses."""
        return f"http://127.0.0.1:{self.port}/{self.token}/{{z}}/{{x}}/{{y}}"

    # --- serving -----------------------------------------------------------------------------

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes from the cache or the provider, or None (reported as a problem)."""
        if z > 22 or x >= (1 << z) or y >= (1 << z):
            return None
        if self.cache is not None:
            try:
                data = self.cache.get(z, x, y)
            except TileCacheError as exc:  # a broken cache must not take the map down
                self._problem(f"tile cache unreadable: {exc}")
                data = None
            if data is not None:
                self.served += 1
                return data
        if self.fetcher is None or time.monotonic() < self._offline_until:
            return None
        with self._upstream:
            try:
                data = self.fetcher.fetch(z, x, y)
            except TileFetchError as exc:
                if exc.unreachable:
                    with self._state:
                        self._offline_until = time.monotonic() + self.offline_backoff_s
                self._problem(str(exc))
                return None
        self.fetched += 1
        if self.cache is not None:
            try:
                self.cache.put(z, x, y, data)
            except TileCacheError as exc:
                self._problem(str(exc))
        self.served += 1
        return data

    def _problem(self, message: str) -> None:
        now = time.monotonic()
        with self._state:
            last = self._last_problem
            if last is not None and last[0] == message and now - last[1] < 60:
                return
            self._last_problem = (message, now)
        log.warning("map tiles: %s", message)
        if self.on_problem is not None:
            try:
                self.on_problem(message)
            except Exception:
                log.exception("tile problem callback failed")


def _make_handler(server: TileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            m = _PATH.match(self.path)
            if not m or not hmac.compare_digest(m.group(1), server.token):
                self._send(404, b"", "text/plain")
                return
            z, x, y = (int(g) for g in m.groups()[1:])
            data = server.tile(z, x, y)
            if data is None:
                self._send(404, b"", "text/plain")
                return
            self._send(200, data, _MIME.get(image_format(data) or "", "application/octet-stream"))

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600" if code == 200 else "no-store")
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
